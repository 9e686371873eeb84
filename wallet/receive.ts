/**
 * What the wallet received and sent (Core's `wallet/receive.cpp`): per-transaction credit, debit, change and
 * fee, the sent/received entries history is built from, whether a transaction is trusted
 * (`CachedTxIsTrusted`), how an owned output is spent (`CWallet::HowSpent`), and the wallet balance
 * (`GetBalance`: trusted, untrusted pending, immature, used, nonmempool).
 *
 * Everything reads a {@linkcode WalletCore} under its lock. Per-transaction results are memoized in a
 * {@linkcode ReceiveCache}, which lives for one pass over an unchanging wallet (one RPC call): Core keeps the
 * same amounts on each `CWalletTx` until `MarkDirty`.
 *
 * @module
 */
import { moneyRange } from "../core/consensus/amount.ts";
import { extractDestination } from "../core/address/mod.ts";
import type { Destination } from "../core/address/mod.ts";
import type { OutPoint, Transaction, TxOut } from "../core/wire/types.ts";
import type { WalletCore, WalletTx } from "./types.ts";

/** Core's `COINBASE_MATURITY`. */
export const COINBASE_MATURITY = 100;

function checkRange(value: bigint, what: string): bigint {
  if (!moneyRange(value)) throw new RangeError(`${what}: value out of range`);
  return value;
}

/** Whether the transaction is a coinbase (one input spending the null outpoint). */
export function isCoinBaseTx(tx: Transaction): boolean {
  if (tx.inputs.length !== 1) return false;
  const p = tx.inputs[0].prevout;
  if (p.vout !== 0xffffffff) return false;
  for (let i = 0; i < 32; i++) if (p.txid[i] !== 0) return false;
  return true;
}

/** Core's `CWalletTx::GetTxTime`: the smart time, else the time received. */
export function txTime(wtx: WalletTx): number {
  return wtx.timeSmart !== 0 ? wtx.timeSmart : wtx.timeReceived;
}

/** Core's `CWalletTx::isConfirmed`. */
export function isConfirmed(wtx: WalletTx): boolean {
  return wtx.state.kind === "confirmed";
}

/** Core's `CWalletTx::InMempool`. */
export function inMempool(wtx: WalletTx): boolean {
  return wtx.state.kind === "inMempool";
}

/** Core's `CWallet::IsTxImmatureCoinBase`: a coinbase fewer than 101 blocks deep. */
export function isImmatureCoinBase(wallet: WalletCore, wtx: WalletTx): boolean {
  return wallet.blocksToMaturity(wtx) > 0;
}

/** Core's `OutputGetCredit`: the value when the wallet owns the output, else 0. */
export function outputGetCredit(wallet: WalletCore, txout: TxOut): bigint {
  checkRange(txout.value, "outputGetCredit");
  return wallet.isMine(txout.scriptPubKey) ? txout.value : 0n;
}

/** Core's `TxGetCredit`: what the transaction pays to the wallet. */
export function txGetCredit(wallet: WalletCore, tx: Transaction): bigint {
  let credit = 0n;
  for (const out of tx.outputs) credit = checkRange(credit + outputGetCredit(wallet, out), "txGetCredit");
  return credit;
}

/** Core's `CWallet::GetDebit(tx)`: the value of the wallet's own outputs the transaction spends. */
export function txGetDebit(wallet: WalletCore, tx: Transaction): bigint {
  let debit = 0n;
  for (const input of tx.inputs) {
    const txo = wallet.getTxo(input.prevout);
    if (txo !== undefined) debit = checkRange(debit + txo.txout.value, "txGetDebit");
  }
  return debit;
}

/** Core's `CWallet::IsFromMe`: whether the transaction spends any output the wallet owns. */
export function txIsFromMe(wallet: WalletCore, tx: Transaction): boolean {
  for (const input of tx.inputs) if (wallet.getTxo(input.prevout) !== undefined) return true;
  return false;
}

/** Core's `OutputIsChange` (`ScriptIsChange`): owned, and its address is not in the address book. */
export function outputIsChange(wallet: WalletCore, txout: TxOut): boolean {
  return wallet.isChange(txout);
}

/** Core's `TxGetChange`: the value of the transaction's change outputs. */
export function txGetChange(wallet: WalletCore, tx: Transaction): bigint {
  let change = 0n;
  for (const out of tx.outputs) {
    checkRange(out.value, "txGetChange");
    if (outputIsChange(wallet, out)) change = checkRange(change + out.value, "txGetChange");
  }
  return change;
}

interface TxMemo {
  credit?: bigint;
  debit?: bigint;
  change?: bigint;
  fromMe?: boolean;
  trusted?: boolean;
}

/** How an owned output is spent, from one scan of the wallet's inputs ({@linkcode ReceiveCache.spendOf}). */
export interface OutputSpend {
  /** Core's `HowSpent`. */
  how: SpendType;
  /** Core's `IsSpent`: a spender that is neither abandoned nor (block or mempool) conflicted. */
  spent: boolean;
}

const UNSPENT: OutputSpend = Object.freeze({ how: "unspent", spent: false }) as OutputSpend;

/**
 * Per-transaction results for one pass over a wallet that does not change meanwhile (Core's cached amounts on
 * `CWalletTx`, and the `trusted_parents` set of `GetBalance`/`AvailableCoins`). Make one per RPC call.
 */
export class ReceiveCache {
  readonly #memo = new Map<WalletTx, TxMemo>();
  #spends: Map<WalletTx, Map<number, OutputSpend>> | undefined;

  /** The memo of `wtx` (created empty). */
  memo(wtx: WalletTx): TxMemo {
    let m = this.#memo.get(wtx);
    if (m === undefined) {
      m = {};
      this.#memo.set(wtx, m);
    }
    return m;
  }

  /**
   * How output `vout` of `wtx` is spent ({@linkcode howSpent} and `isSpent` at once). The first call scans the
   * inputs of every wallet transaction once (Core's `mapTxSpends` seen from the spending side), so a pass over
   * many outputs costs one lookup per input instead of one per output.
   */
  spendOf(wallet: WalletCore, wtx: WalletTx, vout: number): OutputSpend {
    if (this.#spends === undefined) this.#spends = scanSpends(wallet);
    return this.#spends.get(wtx)?.get(vout) ?? UNSPENT;
  }
}

function scanSpends(wallet: WalletCore): Map<WalletTx, Map<number, OutputSpend>> {
  const out = new Map<WalletTx, Map<number, OutputSpend>>();
  for (const spender of wallet.transactions()) {
    const kind = spender.state.kind;
    const live = !wallet.isAbandoned(spender) && kind !== "blockConflicted" &&
      spender.mempoolConflicts.size === 0;
    const inputs = spender.tx.inputs;
    if (isCoinBaseTx(spender.tx)) continue;
    for (const input of inputs) {
      const txo = wallet.getTxo(input.prevout);
      if (txo === undefined) continue;
      let byVout = out.get(txo.wtx);
      if (byVout === undefined) out.set(txo.wtx, byVout = new Map());
      const vout = input.prevout.vout;
      const cur = byVout.get(vout) ?? { how: "unspent", spent: false };
      // Core's HowSpent: confirmed wins, then mempool, then a live spender outside the mempool.
      if (cur.how !== "confirmed") {
        if (kind === "confirmed") cur.how = "confirmed";
        else if (kind === "inMempool") cur.how = "mempool";
        else if (live && cur.how === "unspent") cur.how = "nonmempool";
      }
      if (live) cur.spent = true;
      byVout.set(vout, cur);
    }
  }
  return out;
}

/** Core's `CachedTxGetCredit`: what `wtx` pays the wallet; 0 while it is an immature coinbase. */
export function cachedTxGetCredit(wallet: WalletCore, wtx: WalletTx, cache = new ReceiveCache()): bigint {
  if (isImmatureCoinBase(wallet, wtx)) return 0n;
  const m = cache.memo(wtx);
  return m.credit ??= txGetCredit(wallet, wtx.tx);
}

/** Core's `CachedTxGetDebit`: what `wtx` spends of the wallet's outputs. */
export function cachedTxGetDebit(wallet: WalletCore, wtx: WalletTx, cache = new ReceiveCache()): bigint {
  if (wtx.tx.inputs.length === 0) return 0n;
  const m = cache.memo(wtx);
  return m.debit ??= txGetDebit(wallet, wtx.tx);
}

/** Core's `CachedTxGetChange`. */
export function cachedTxGetChange(wallet: WalletCore, wtx: WalletTx, cache = new ReceiveCache()): bigint {
  const m = cache.memo(wtx);
  return m.change ??= txGetChange(wallet, wtx.tx);
}

/** Core's `CachedTxIsFromMe`. */
export function cachedTxIsFromMe(wallet: WalletCore, wtx: WalletTx, cache = new ReceiveCache()): boolean {
  const m = cache.memo(wtx);
  return m.fromMe ??= txIsFromMe(wallet, wtx.tx);
}

/** One sent or received output (Core's `COutputEntry`). */
export interface OutputEntry {
  /** Its destination, undefined when the script has none (Core's `CNoDestination`). */
  destination: Destination | undefined;
  /** The output script. */
  script: Uint8Array;
  /** The value. */
  amount: bigint;
  /** The output index. */
  vout: number;
}

/** What {@linkcode cachedTxGetAmounts} found. */
export interface TxAmounts {
  /** Outputs paying the wallet. */
  received: OutputEntry[];
  /** Outputs of a transaction the wallet paid for (change left out unless asked for). */
  sent: OutputEntry[];
  /** The fee when the wallet paid for the transaction (debit minus outputs), else 0. */
  fee: bigint;
}

/** Core's `CachedTxGetAmounts`: the received and sent entries and the fee of `wtx`. */
export function cachedTxGetAmounts(
  wallet: WalletCore,
  wtx: WalletTx,
  includeChange: boolean,
  cache = new ReceiveCache(),
): TxAmounts {
  const received: OutputEntry[] = [];
  const sent: OutputEntry[] = [];
  let fee = 0n;
  const debit = cachedTxGetDebit(wallet, wtx, cache);
  if (debit > 0n) {
    let valueOut = 0n;
    for (const out of wtx.tx.outputs) valueOut += out.value;
    fee = debit - valueOut;
  }
  const outputs = wtx.tx.outputs;
  for (let i = 0; i < outputs.length; i++) {
    const out = outputs[i];
    const mine = wallet.isMine(out.scriptPubKey);
    if (debit > 0n) {
      if (!includeChange && outputIsChange(wallet, out)) continue;
    } else if (!mine) {
      continue;
    }
    const entry: OutputEntry = {
      destination: extractDestination(out.scriptPubKey),
      script: out.scriptPubKey,
      amount: out.value,
      vout: i,
    };
    if (debit > 0n) sent.push(entry);
    if (mine) received.push(entry);
  }
  return { received, sent, fee };
}

/**
 * Core's `CachedTxIsTrusted`: confirmed, or — with `-spendzeroconfchange` — sent by the wallet, in the mempool,
 * and spending only the wallet's own outputs of trusted transactions.
 */
export function cachedTxIsTrusted(wallet: WalletCore, wtx: WalletTx, cache = new ReceiveCache()): boolean {
  const m = cache.memo(wtx);
  if (m.trusted !== undefined) return m.trusted;
  const trusted = computeTrusted(wallet, wtx, cache, new Set());
  m.trusted = trusted;
  return trusted;
}

function computeTrusted(
  wallet: WalletCore,
  wtx: WalletTx,
  cache: ReceiveCache,
  visiting: Set<WalletTx>,
): boolean {
  const state = wtx.state.kind;
  if (state === "confirmed") return true;
  if (state === "blockConflicted") return false;
  if (!wallet.settings().spendZeroConfChange || !cachedTxIsFromMe(wallet, wtx, cache)) return false;
  if (state !== "inMempool") return false;
  visiting.add(wtx);
  for (const input of wtx.tx.inputs) {
    const txo = wallet.getTxo(input.prevout);
    // Core looks the parent up and then checks that the spent output is the wallet's.
    if (txo === undefined) return false;
    const parent = txo.wtx;
    const pm = cache.memo(parent);
    if (pm.trusted === true) continue;
    if (pm.trusted === false || visiting.has(parent)) return false;
    const ok = computeTrusted(wallet, parent, cache, visiting);
    pm.trusted = ok;
    if (!ok) return false;
  }
  return true;
}

/** How an outpoint is spent (Core's `CWallet::SpendType`). */
export type SpendType = "unspent" | "confirmed" | "mempool" | "nonmempool";

/**
 * Core's `CWallet::HowSpent`: "confirmed" when a confirmed wallet transaction spends it, else "mempool" when a
 * mempool one does, else "nonmempool" when one that is neither abandoned nor conflicted does, else "unspent".
 */
export function howSpent(wallet: WalletCore, outpoint: OutPoint): SpendType {
  let st: SpendType = "unspent";
  for (const txid of wallet.spenders(outpoint)) {
    const wtx = wallet.getTx(txid);
    if (wtx === undefined) continue;
    const kind = wtx.state.kind;
    if (kind === "confirmed") return "confirmed";
    if (kind === "inMempool") st = "mempool";
    else if (
      st === "unspent" && !wallet.isAbandoned(wtx) && kind !== "blockConflicted" &&
      wtx.mempoolConflicts.size === 0
    ) {
      st = "nonmempool";
    }
  }
  return st;
}

/** The wallet balance (Core's `Balance`), satoshis. */
export interface Balance {
  /** Trusted, at the requested depth or more. */
  trusted: bigint;
  /** Untrusted, but in the mempool. */
  untrustedPending: bigint;
  /** Immature coinbase outputs in the main chain. */
  immature: bigint;
  /** Outputs to addresses already spent from (only with the avoid_reuse flag and `avoidReuse`). */
  used: bigint;
  /** Minus the value of outputs spent by wallet transactions that are not in the mempool (≤ 0). */
  nonmempool: bigint;
}

/** Options of {@linkcode getBalance}. */
export interface GetBalanceOptions {
  /** Depth a trusted output needs (default 0). */
  minDepth?: number;
  /** Put outputs to reused addresses in `used` (only with the avoid_reuse flag; default true). */
  avoidReuse?: boolean;
  /** Count outputs spent only by transactions outside the mempool as unspent, and total them (default false). */
  includeNonmempool?: boolean;
  /** The pass's cache. */
  cache?: ReceiveCache;
}

/** Core's `GetBalance`. */
export function getBalance(wallet: WalletCore, options: GetBalanceOptions = {}): Balance {
  const minDepth = options.minDepth ?? 0;
  const includeNonmempool = options.includeNonmempool ?? false;
  const allowUsed = !(options.avoidReuse ?? true) || !wallet.hasFlag("avoid_reuse");
  const cache = options.cache ?? new ReceiveCache();
  const ret: Balance = { trusted: 0n, untrustedPending: 0n, immature: 0n, used: 0n, nonmempool: 0n };
  // A transaction's outputs come one after another: its bucket is worked out once.
  let lastTx: WalletTx | undefined;
  let txBucket: "trusted" | "untrustedPending" | "immature" | undefined;
  for (const txo of wallet.txos()) {
    const wtx = txo.wtx;
    const spent = cache.spendOf(wallet, wtx, txo.outpoint.vout).how;
    if (spent === "confirmed" || spent === "mempool") continue;
    if (spent === "nonmempool" && !includeNonmempool) continue;
    if (wtx !== lastTx) {
      lastTx = wtx;
      const trusted = cachedTxIsTrusted(wallet, wtx, cache);
      const kind = wtx.state.kind;
      if (kind === "confirmed" && isImmatureCoinBase(wallet, wtx)) txBucket = "immature";
      else if (trusted && wallet.depth(wtx) >= minDepth) txBucket = "trusted";
      else if (!trusted && kind === "inMempool") txBucket = "untrustedPending";
      else txBucket = undefined;
    }
    if (txBucket === undefined) continue;
    const value = txo.txout.value;
    const bucket = !allowUsed && wallet.isSpentKey(txo.txout.scriptPubKey) ? "used" : txBucket;
    ret[bucket] += value;
    if (spent === "nonmempool") ret.nonmempool -= value;
  }
  return ret;
}
