/**
 * The wallet's spendable outputs (Core's `AvailableCoins` in `wallet/spend.cpp`): every owned output that is
 * unspent, deep enough (and not too deep), safe unless unsafe ones are asked for, not locked, not an immature
 * coinbase, within the amount limits, with its signed input size from the wallet's descriptors, whether it is
 * solvable, its depth, time, whether the wallet sent the transaction, and its output type; optionally the
 * mempool ancestry of unconfirmed ones. `listunspent` lists them; spending selects among them.
 *
 * @module
 */
import { MAX_MONEY } from "../core/chain_params.ts";
import { toHex } from "../core/hash/mod.ts";
import { solver } from "../core/script/standard.ts";
import type { FeeRate } from "../node/policy/feerate.ts";
import { Coin, outpointKey, OUTPUT_TYPES, type OutputType, TRUC_VERSION } from "./coin_selection/mod.ts";
import { cachedTxIsFromMe, cachedTxIsTrusted, isImmatureCoinBase, ReceiveCache, txTime } from "./receive.ts";
import type { WalletCore, WalletTx } from "./types.ts";

/** Core's `DEFAULT_MIN_DEPTH`. */
export const DEFAULT_MIN_DEPTH = 0;
/** Core's `DEFAULT_MAX_DEPTH`. */
export const DEFAULT_MAX_DEPTH = 9999999;
/** Weight of an input's outpoint, sequence and one-byte empty scriptSig length (`(32 + 4 + 4 + 1) * 4`). */
export const INPUT_BASE_WEIGHT = 164;

/** What `AvailableCoins` takes from the coin control (Core's `CCoinControl` members it reads). */
export interface CoinControlFilter {
  /** Minimum depth (default {@linkcode DEFAULT_MIN_DEPTH}). */
  minDepth?: number;
  /** Maximum depth (default {@linkcode DEFAULT_MAX_DEPTH}). */
  maxDepth?: number;
  /** Also return unsafe outputs (Core's `m_include_unsafe_inputs`; default false). */
  includeUnsafe?: boolean;
  /**
   * Skip outputs to addresses already spent from when the wallet has the avoid_reuse flag (Core's
   * `m_avoid_address_reuse`; default false — Core's `CCoinControl` default, see {@linkcode AvailableCoinsOptions}).
   */
  avoidAddressReuse?: boolean;
  /** Outpoints already selected by hand, as coin selection's `outpointKey` (`Coin.key`): left out. */
  selected?: ReadonlySet<string>;
  /** Version of the transaction being built (TRUC rules for unconfirmed outputs; default 2). */
  version?: number;
}

/** Core's `CoinFilterParams`. */
export interface CoinFilterParams {
  /** Smallest output value (default 1). */
  minAmount?: bigint;
  /** Largest output value (default MAX_MONEY). */
  maxAmount?: bigint;
  /** Stop once the total reaches this (default MAX_MONEY: no stop). */
  minSumAmount?: bigint;
  /** Stop after this many coins (default 0: no limit). */
  maxCount?: number;
  /** Include immature coinbase outputs (default false). */
  includeImmatureCoinbase?: boolean;
  /** Leave out locked outputs (default true). */
  skipLocked?: boolean;
  /** Apply the TRUC (version 3) rules to unconfirmed outputs (default true). */
  checkVersionTrucness?: boolean;
}

/** Options of {@linkcode availableCoins}. */
export interface AvailableCoinsOptions {
  /**
   * The coin control; omitted is Core's `nullptr`: defaults, except that outputs to reused addresses are
   * avoided when the wallet has the avoid_reuse flag.
   */
  control?: CoinControlFilter;
  /** Feerate for each coin's fee and effective value (Core's `feerate`); none: coins without them. */
  feerate?: FeeRate;
  /** The filters. */
  filter?: CoinFilterParams;
  /** Fill each unconfirmed coin's mempool ancestor and cluster counts (one Chain call per transaction). */
  withAncestry?: boolean;
  /** The pass's receive cache (trusted, from-me). */
  cache?: ReceiveCache;
}

/** Core's `CoinsResult`: available coins by output type, with their total. */
export class CoinsResult {
  /** Coins by output type. */
  readonly byType: Map<OutputType, Coin[]> = new Map();
  #total = 0n;
  #totalEffective: bigint | undefined;
  #size = 0;

  /** Adds a coin of `type`. */
  add(type: OutputType, coin: Coin): void {
    let list = this.byType.get(type);
    if (list === undefined) {
      list = [];
      this.byType.set(type, list);
    }
    list.push(coin);
    this.#size++;
    this.#total += coin.value;
    if (coin.hasEffectiveValue()) this.#totalEffective = (this.#totalEffective ?? 0n) + coin.effectiveValue;
  }

  /** Every coin, by output type in Core's enum order (Core's `All`). */
  all(): Coin[] {
    const out: Coin[] = [];
    for (const t of OUTPUT_TYPES) {
      const list = this.byType.get(t);
      if (list !== undefined) { for (const c of list) out.push(c); }
    }
    return out;
  }

  /** Number of coins. */
  get size(): number {
    return this.#size;
  }

  /** Number of output types present (Core's `TypesCount`). */
  typesCount(): number {
    let n = 0;
    for (const list of this.byType.values()) if (list.length > 0) n++;
    return n;
  }

  /** Sum of the values. */
  get totalAmount(): bigint {
    return this.#total;
  }

  /** Sum of the effective values, when coins have them. */
  get totalEffectiveAmount(): bigint | undefined {
    return this.#totalEffective;
  }

  /** Core's `Erase`: removes the coins whose `key` is in `keys`. */
  erase(keys: ReadonlySet<string>): void {
    for (const [type, list] of this.byType) {
      const kept = list.filter((c) => {
        if (!keys.has(c.key)) return true;
        this.#total -= c.value;
        this.#size--;
        if (c.hasEffectiveValue() && this.#totalEffective !== undefined) {
          this.#totalEffective -= c.effectiveValue;
        }
        return false;
      });
      this.byType.set(type, kept);
    }
  }
}

/**
 * The virtual size of a signed input spending `script` (Core's `CalculateMaximumSignedInputSize`), -1 when
 * the wallet cannot solve it.
 */
export function maxSignedInputSize(wallet: WalletCore, script: Uint8Array): number {
  const w = wallet.maxInputSatisfactionWeight(script);
  return w === undefined ? -1 : Math.ceil((INPUT_BASE_WEIGHT + w) / 4);
}

/**
 * Core's `GetOutputType` for an available output: by its script type, looking into a solvable P2SH's redeem
 * script (P2SH-segwit); null when a solvable P2SH's redeem script is not known (Core skips such an output).
 */
export function coinOutputType(wallet: WalletCore, script: Uint8Array, solvable: boolean): OutputType | null {
  let sol = solver(script);
  let fromP2sh = false;
  if (sol.type === "scripthash" && solvable) {
    const redeem = wallet.scriptInfo(script)?.scripts.get(toHex(sol.hash));
    if (redeem === undefined) return null;
    sol = solver(redeem);
    fromP2sh = true;
  }
  switch (sol.type) {
    case "witness_v1_taproot":
      return "bech32m";
    case "witness_v0_keyhash":
    case "witness_v0_scripthash":
      return fromP2sh ? "p2sh-segwit" : "bech32";
    case "scripthash":
    case "pubkeyhash":
      return "legacy";
    default:
      return "unknown";
  }
}

interface TxVerdict {
  ok: boolean;
  safe: boolean;
  depth: number;
  ancestors: number;
  clusterCount: number;
}

/** Whether a wallet transaction in the mempool already has a child there (Core's `truc_child_in_mempool`). */
function hasMempoolChild(wallet: WalletCore, wtx: WalletTx, txid: Uint8Array): boolean {
  if (wtx.trucChildInMempool !== undefined) return true;
  for (let vout = 0; vout < wtx.tx.outputs.length; vout++) {
    for (const spender of wallet.spenders({ txid, vout })) {
      if (wallet.getTx(spender)?.state.kind === "inMempool") return true;
    }
  }
  return false;
}

/** Core's `AvailableCoins`. */
export async function availableCoins(
  wallet: WalletCore,
  options: AvailableCoinsOptions = {},
): Promise<CoinsResult> {
  const control = options.control;
  const filter = options.filter ?? {};
  const minAmount = filter.minAmount ?? 1n;
  const maxAmount = filter.maxAmount ?? MAX_MONEY;
  const minSumAmount = filter.minSumAmount ?? MAX_MONEY;
  const maxCount = filter.maxCount ?? 0;
  const includeImmature = filter.includeImmatureCoinbase ?? false;
  const skipLocked = filter.skipLocked ?? true;
  const checkTruc = filter.checkVersionTrucness ?? true;
  const allowUsed = !wallet.hasFlag("avoid_reuse") || (control !== undefined && !control.avoidAddressReuse);
  const minDepth = control?.minDepth ?? DEFAULT_MIN_DEPTH;
  const maxDepth = control?.maxDepth ?? DEFAULT_MAX_DEPTH;
  const onlySafe = !(control?.includeUnsafe ?? false);
  const version = control?.version ?? 2;
  const selected = control?.selected;
  const cache = options.cache ?? new ReceiveCache();

  const result = new CoinsResult();
  const verdicts = new Map<WalletTx, TxVerdict>();
  const trucCoins: Array<[OutputType, Coin]> = [];
  const trucValueByTx = new Map<string, bigint>();

  const judge = async (wtx: WalletTx, txid: Uint8Array): Promise<TxVerdict> => {
    const depth = wallet.depth(wtx);
    const v: TxVerdict = { ok: false, safe: false, depth, ancestors: 0, clusterCount: 0 };
    if (isImmatureCoinBase(wallet, wtx) && !includeImmature) return v;
    if (depth < 0) return v;
    if (depth === 0 && wtx.state.kind !== "inMempool") return v;
    let safe = cachedTxIsTrusted(wallet, wtx, cache);
    if (
      depth === 0 &&
      (wtx.mapValue["replaces_txid"] !== undefined || wtx.mapValue["replaced_by_txid"] !== undefined)
    ) {
      safe = false;
    }
    if (depth === 0 && checkTruc) {
      if (version === TRUC_VERSION) {
        if (wtx.tx.version !== TRUC_VERSION) return v;
        if (hasMempoolChild(wallet, wtx, txid)) return v;
        const anc = await wallet.chain.getTransactionAncestry(wtx.txid);
        if (anc.ancestors > 1) return v;
      } else if (wtx.tx.version === TRUC_VERSION) {
        return v;
      }
    }
    if (onlySafe && !safe) return v;
    if (depth < minDepth || depth > maxDepth) return v;
    v.ok = true;
    v.safe = safe;
    if (options.withAncestry && depth === 0) {
      const anc = await wallet.chain.getTransactionAncestry(wtx.txid);
      v.ancestors = anc.ancestors;
      v.clusterCount = anc.clusterCount;
    }
    return v;
  };

  for (const txo of wallet.txos()) {
    const wtx = txo.wtx;
    let v = verdicts.get(wtx);
    if (v === undefined) {
      v = await judge(wtx, txo.outpoint.txid);
      verdicts.set(wtx, v);
    }
    if (!v.ok) continue;
    const out = txo.txout;
    if (out.value < minAmount || out.value > maxAmount) continue;
    if (selected !== undefined && selected.size > 0 && selected.has(outpointKey(txo.outpoint))) continue;
    if (skipLocked && wallet.isLockedCoin(txo.outpoint)) continue;
    if (cache.spendOf(wallet, wtx, txo.outpoint.vout).spent) continue;
    if (!allowUsed && wallet.isSpentKey(out.scriptPubKey)) continue;

    const inputBytes = maxSignedInputSize(wallet, out.scriptPubKey);
    const solvable = inputBytes > -1;
    const type = coinOutputType(wallet, out.scriptPubKey, solvable);
    if (type === null) continue;
    const coin = new Coin({
      outpoint: txo.outpoint,
      txout: out,
      depth: v.depth,
      inputBytes,
      solvable,
      safe: v.safe,
      time: txTime(wtx),
      fromMe: cachedTxIsFromMe(wallet, wtx, cache),
      ancestors: v.ancestors,
      clusterCount: v.clusterCount,
      outputType: type,
      feerate: options.feerate,
    });
    if (wtx.tx.version === TRUC_VERSION && v.depth === 0 && checkTruc) {
      trucCoins.push([type, coin]);
      const txKey = coin.key.slice(0, 65);
      trucValueByTx.set(txKey, (trucValueByTx.get(txKey) ?? 0n) + out.value);
    } else {
      result.add(type, coin);
    }
    if (minSumAmount !== MAX_MONEY && result.totalAmount >= minSumAmount) return result;
    if (maxCount > 0 && result.size >= maxCount) return result;
  }

  // Only the coins of the one unconfirmed TRUC transaction holding the most value.
  if (checkTruc && trucCoins.length > 0) {
    let best = "";
    let bestValue = -1n;
    for (const [key, value] of trucValueByTx) {
      if (value > bestValue) {
        best = key;
        bestValue = value;
      }
    }
    for (const [type, coin] of trucCoins) {
      if (coin.key.startsWith(best)) result.add(type, coin);
    }
  }
  return result;
}
