/**
 * A small in-memory {@linkcode WalletCore} for testing balances, coins and history without a node: P2WPKH
 * scripts it owns, transactions it is told about (with their states), spends, locks, an address book, and a
 * fake Chain answering the few calls the code under test makes (block times, settings, ancestry, RBF).
 *
 * @module
 */
import { encodeDestination } from "../../core/address/mod.ts";
import { hash160, reverseHex, toHex } from "../../core/hash/mod.ts";
import { encodeTransaction, outPointKey, txid as txidOf, wtxid as wtxidOf } from "../../core/wire/mod.ts";
import type { OutPoint, Transaction, TxOut } from "../../core/wire/types.ts";
import type { Chain, FoundBlock, RbfState, TransactionAncestry } from "../../interfaces/chain.ts";
import type {
  TxState,
  WalletCore,
  WalletFlag,
  WalletScriptInfo,
  WalletSettings,
  WalletTx,
  WalletTxo,
} from "../../wallet/types.ts";
import { defaultWalletSettings } from "../../wallet/wallet.ts";
import { FakeWalletBase } from "./fake_wallet_base.ts";

const NULL_TXID = new Uint8Array(32);

/** Display hex of a block hash at `height` in the fake chain. */
export function fakeBlockHash(height: number): string {
  return height.toString(16).padStart(64, "0");
}

function keyOf(o: OutPoint): string {
  return `${toHex(o.txid)}:${o.vout}`;
}

/** What the fake chain knows (tests may change it). */
export interface FakeChainState {
  /** `-deprecatedrpc` values. */
  deprecated: string[];
  /** Mempool ancestry by txid. */
  ancestry: Map<string, TransactionAncestry>;
  /** `isRBFOptIn` answers by txid (default "final"). */
  rbf: Map<string, RbfState>;
  /** Number of calls made, by method. */
  calls: Map<string, number>;
}

/** Options of {@linkcode FakeWallet.addTx}. */
export interface AddTxOptions {
  /** The inputs' outpoints (default: a coinbase input). */
  inputs?: OutPoint[];
  /** Where it stands (default in the mempool). */
  state?: TxState;
  /** `mapValue`. */
  mapValue?: Record<string, string>;
  /** nVersion (default 2). */
  version?: number;
  /** Distinguishes otherwise equal transactions (used as locktime). */
  nonce?: number;
}

/** An in-memory WalletCore. */
export class FakeWallet extends FakeWalletBase implements WalletCore {
  readonly chain: Chain;
  readonly chainState: FakeChainState = {
    deprecated: [],
    ancestry: new Map(),
    rbf: new Map(),
    calls: new Map(),
  };
  /** The tip height the wallet has processed. */
  height = 0;
  flags = new Set<WalletFlag>();
  spendZeroConfChange = true;
  readonly #txs = new Map<string, WalletTx>();
  readonly #ordered: WalletTx[] = [];
  readonly #scripts = new Map<string, { pubkey: Uint8Array; index: number }>();
  readonly #spends = new Map<string, string[]>();
  readonly #txos = new Map<string, WalletTxo>();
  readonly #usedScripts = new Set<string>();
  #nextIndex = 0;
  #orderPos = 0;

  constructor() {
    super();
    const count = (m: string) => this.chainState.calls.set(m, (this.chainState.calls.get(m) ?? 0) + 1);
    const chain: Partial<Chain> = {
      getSettingsList: (name) => {
        count("getSettingsList");
        return Promise.resolve(name === "deprecatedrpc" ? [...this.chainState.deprecated] : []);
      },
      findBlock: (hash, want) => {
        count("findBlock");
        const height = parseInt(hash, 16);
        if (!(height <= this.height)) return Promise.resolve(null);
        const found: FoundBlock = { hash, height };
        if (want?.time) found.time = 1_700_000_000 + height;
        return Promise.resolve(found);
      },
      findAncestorByHeight: (_hash, height) => {
        count("findAncestorByHeight");
        return Promise.resolve(height <= this.height ? { hash: fakeBlockHash(height), height } : null);
      },
      findCommonAncestor: (h1, _h2) => {
        count("findCommonAncestor");
        const height = parseInt(h1, 16);
        if (!(height <= this.height)) return Promise.resolve({ ancestor: null, block1: null, block2: null });
        const b = { hash: h1, height };
        return Promise.resolve({
          ancestor: b,
          block1: b,
          block2: { hash: fakeBlockHash(this.height), height },
        });
      },
      getTransactionAncestry: (txid) => {
        count("getTransactionAncestry");
        return Promise.resolve(
          this.chainState.ancestry.get(txid) ??
            { ancestors: 0, clusterCount: 0, ancestorSize: 0, ancestorFees: 0n },
        );
      },
      isRBFOptIn: (raw) => {
        count("isRBFOptIn");
        for (const wtx of this.#txs.values()) {
          if (wtx.raw === raw) return Promise.resolve(this.chainState.rbf.get(wtx.txid) ?? "final");
        }
        return Promise.resolve("unknown");
      },
    };
    this.chain = chain as Chain;
  }

  /** A new owned P2WPKH script (with `label` in the address book unless undefined: change). */
  newScript(label?: string): Uint8Array {
    const index = this.#nextIndex++;
    const pubkey = new Uint8Array(33);
    pubkey[0] = 2;
    new DataView(pubkey.buffer).setUint32(29, index + 1);
    const script = Uint8Array.of(0, 20, ...hash160(pubkey));
    this.#scripts.set(toHex(script), { pubkey, index });
    if (label !== undefined) {
      this.book.set(encodeDestination(script, this.network)!, { label, purpose: "receive" });
    }
    return script;
  }

  /** The address of a script. */
  address(script: Uint8Array): string {
    return encodeDestination(script, this.network)!;
  }

  /** A script the wallet does not own. */
  foreignScript(seed = 1): Uint8Array {
    const h = new Uint8Array(20).fill(0xee);
    h[0] = seed;
    return Uint8Array.of(0, 20, ...h);
  }

  /** Confirmed state in the block at `height`. */
  confirmedAt(height: number, index = 1): TxState {
    return { kind: "confirmed", blockHash: fakeBlockHash(height), blockHeight: height, index };
  }

  /** Adds a transaction paying `outputs`. */
  addTx(outputs: TxOut[], options: AddTxOptions = {}): WalletTx {
    const coinbase = options.inputs === undefined;
    const tx: Transaction = {
      version: options.version ?? 2,
      inputs: (options.inputs ?? [{ txid: NULL_TXID, vout: 0xffffffff }]).map((prevout) => ({
        prevout,
        scriptSig: coinbase ? Uint8Array.of(1, options.nonce ?? this.#orderPos) : new Uint8Array(0),
        sequence: 0xfffffffd,
        witness: [],
      })),
      outputs,
      locktime: options.nonce ?? this.#orderPos,
    };
    const txidBytes = txidOf(tx);
    const wtx: WalletTx = {
      txid: reverseHex(txidBytes),
      wtxid: reverseHex(wtxidOf(tx)),
      tx,
      raw: encodeTransaction(tx),
      state: options.state ?? { kind: "inMempool" },
      timeReceived: 1_700_000_000,
      timeSmart: 1_700_000_000 + this.#orderPos,
      orderPos: this.#orderPos++,
      mapValue: { ...options.mapValue },
      orderForm: [],
      mempoolConflicts: new Set(),
    };
    this.#txs.set(wtx.txid, wtx);
    this.#ordered.push(wtx);
    if (!coinbase) {
      for (const p of options.inputs!) {
        const k = keyOf(p);
        this.#spends.set(k, [...(this.#spends.get(k) ?? []), wtx.txid]);
        this.locked.delete(outPointKey(p));
        const spent = this.#txos.get(k);
        if (spent !== undefined) this.#usedScripts.add(toHex(spent.txout.scriptPubKey));
      }
    }
    outputs.forEach((txout, vout) => {
      if (this.isMine(txout.scriptPubKey)) {
        const outpoint = { txid: txidBytes, vout };
        this.#txos.set(keyOf(outpoint), { outpoint, wtx, txout });
      }
    });
    return wtx;
  }

  /** The outpoint of output `vout` of `wtx`. */
  outpoint(wtx: WalletTx, vout: number): OutPoint {
    return { txid: txidOf(wtx.tx), vout };
  }

  hasFlag(flag: WalletFlag): boolean {
    return this.flags.has(flag);
  }
  lastBlock(): { hash: string; height: number } {
    return { hash: fakeBlockHash(this.height), height: this.height };
  }
  transactions(): Iterable<WalletTx> {
    return this.#ordered;
  }
  getTx(txid: string): WalletTx | undefined {
    return this.#txs.get(txid);
  }
  depth(wtx: WalletTx): number {
    const s = wtx.state;
    if (s.kind === "confirmed") return this.height - s.blockHeight + 1;
    if (s.kind === "blockConflicted") return -(this.height - s.blockHeight + 1);
    return 0;
  }
  blocksToMaturity(wtx: WalletTx): number {
    const p = wtx.tx.inputs[0]?.prevout;
    const coinbase = wtx.tx.inputs.length === 1 && p.vout === 0xffffffff && p.txid.every((b) => b === 0);
    return coinbase ? Math.max(0, 101 - this.depth(wtx)) : 0;
  }
  isAbandoned(wtx: WalletTx): boolean {
    return wtx.state.kind === "inactive" && wtx.state.abandoned;
  }
  isMine(script: Uint8Array): boolean {
    return this.#scripts.has(toHex(script));
  }
  isChange(out: TxOut): boolean {
    if (!this.isMine(out.scriptPubKey)) return false;
    const address = encodeDestination(out.scriptPubKey, this.network);
    if (address === undefined) return true;
    return this.book.get(address) === undefined;
  }
  isSpent(outpoint: OutPoint): boolean {
    for (const t of this.#spends.get(keyOf(outpoint)) ?? []) {
      const wtx = this.#txs.get(t)!;
      if (!this.isAbandoned(wtx) && wtx.state.kind !== "blockConflicted" && wtx.mempoolConflicts.size === 0) {
        return true;
      }
    }
    return false;
  }
  spenders(outpoint: OutPoint): string[] {
    return this.#spends.get(keyOf(outpoint)) ?? [];
  }
  isSpentKey(script: Uint8Array): boolean {
    return this.#usedScripts.has(toHex(script));
  }
  txos(): Iterable<WalletTxo> {
    return this.#txos.values();
  }
  getTxo(outpoint: OutPoint): WalletTxo | undefined {
    return this.#txos.get(keyOf(outpoint));
  }
  scriptInfo(script: Uint8Array): WalletScriptInfo | undefined {
    const k = this.#scripts.get(toHex(script));
    if (k === undefined) return undefined;
    return {
      desc: `wpkh([deadbeef/84h/1h/0h/0/${k.index}]${toHex(k.pubkey)})`,
      parentDescs: ["wpkh([deadbeef/84h/1h/0h]tpubFAKE/0/*)#fakefake"],
      scripts: new Map(),
      pubkeys: new Map([[toHex(hash160(k.pubkey)), k.pubkey]]),
      timestamp: 1_700_000_000,
      keyOrigin: { path: `m/84h/1h/0h/0/${k.index}`, fingerprint: "deadbeef" },
    };
  }
  getNewAddress(): Promise<string> {
    return Promise.resolve(this.address(this.newScript("")));
  }
  getNewChangeAddress(): Promise<string> {
    return Promise.resolve(this.address(this.newScript()));
  }
  maxInputSatisfactionWeight(script: Uint8Array): number | undefined {
    return this.isMine(script) ? 108 : undefined;
  }
  signTransaction(): never {
    throw new Error("FakeWallet cannot sign");
  }
  fillPsbt(): never {
    throw new Error("FakeWallet cannot fill PSBTs");
  }
  commitTransaction(): never {
    throw new Error("FakeWallet cannot commit");
  }
  abandonTransaction(txid: string): Promise<boolean> {
    const wtx = this.#txs.get(txid);
    if (wtx === undefined || wtx.state.kind === "confirmed" || wtx.state.kind === "inMempool") {
      return Promise.resolve(false);
    }
    wtx.state = { kind: "inactive", abandoned: true };
    return Promise.resolve(true);
  }
  settings(): WalletSettings {
    return { ...defaultWalletSettings(), spendZeroConfChange: this.spendZeroConfChange };
  }
}
