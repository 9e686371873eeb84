/**
 * A small in-memory {@linkcode WalletCore} for spending logic tests: P2WPKH scripts it owns, confirmed coins
 * added by the test, a fake node (feerates, estimates, ancestry, chain limits) and a signer that fills each
 * input with a largest-size P2WPKH witness (so sizes match the estimates without real keys).
 */
import { hash160 } from "../../core/hash/hashes.ts";
import { encodeDestination } from "../../core/address/mod.ts";
import { encodeTransaction, outPointKey, transactionVsize, txid as txidOf } from "../../core/wire/mod.ts";
import type { OutPoint, Transaction, TxOut } from "../../core/wire/types.ts";
import type { OutputType } from "../../core/descriptors/mod.ts";
import type { Chain, ChainFeeEstimate } from "../../interfaces/chain.ts";
import type {
  SignTransactionResult,
  WalletCore,
  WalletFlag,
  WalletSettings,
  WalletTx,
  WalletTxo,
} from "../../wallet/types.ts";
import { txidHex } from "../../wallet/spend.ts";
import { defaultWalletSettings } from "../../wallet/wallet.ts";
import { FakeWalletBase } from "./fake_wallet_base.ts";

/** What the fake node answers. */
export interface FakeNode {
  /** estimatesmartfee answer (sat/kvB, 0: none). */
  estimate: bigint;
  /** -minrelaytxfee. */
  relayMinFee: bigint;
  /** Mempool minimum. */
  mempoolMinFee: bigint;
  /** -dustrelayfee. */
  dustRelayFee: bigint;
  /** -incrementalrelayfee. */
  incrementalFee: bigint;
  /** Transactions broadcast. */
  broadcast: Transaction[];
  /** Txids with mempool descendants. */
  withDescendants: Set<string>;
  /** Node settings (`getSetting`), by name without the dash. */
  settings: Map<string, string | false>;
  /** UTXOs of others the node knows, by "txid:vout" (display hex). */
  utxos: Map<string, TxOut>;
}

function p2wpkh(seed: number): Uint8Array {
  const pubkey = new Uint8Array(33);
  pubkey[0] = 2;
  pubkey[1] = seed & 0xff;
  pubkey[2] = (seed >> 8) & 0xff;
  return Uint8Array.of(0x00, 0x14, ...hash160(pubkey));
}

function key(script: Uint8Array): string {
  return Array.from(script, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The fake wallet. */
export class FakeWallet extends FakeWalletBase implements WalletCore {
  readonly chain: Chain;
  readonly node: FakeNode = {
    estimate: 0n,
    relayMinFee: 100n,
    mempoolMinFee: 100n,
    dustRelayFee: 3000n,
    incrementalFee: 100n,
    broadcast: [],
    withDescendants: new Set(),
    utxos: new Map(),
    settings: new Map(),
  };
  readonly walletSettings: WalletSettings = defaultWalletSettings();
  readonly #txs = new Map<string, WalletTx>();
  readonly #mine = new Set<string>();
  #next = 1;
  height = 200;
  /** Change addresses handed out. */
  readonly changeAddresses: string[] = [];

  constructor() {
    super();
    const node = this.node;
    const txs = this.#txs;
    const height = () => this.height;
    const chain = {
      relayMinFee: () => Promise.resolve(node.relayMinFee),
      relayDustFee: () => Promise.resolve(node.dustRelayFee),
      relayIncrementalFee: () => Promise.resolve(node.incrementalFee),
      mempoolMinFee: () => Promise.resolve(node.mempoolMinFee),
      estimateSmartFee: (): Promise<ChainFeeEstimate> =>
        Promise.resolve({
          feeRate: node.estimate,
          returnedTarget: node.estimate === 0n ? 0 : 6,
          reason: node.estimate === 0n ? "None" : "Target 85% Threshold",
        }),
      estimateMaxBlocks: () => Promise.resolve(1008),
      isInitialBlockDownload: () => Promise.resolve(false),
      findBlock: (hash: string) =>
        Promise.resolve({ hash, height: height(), time: Math.floor(Date.now() / 1000) }),
      // The in-mempool ancestors among the wallet's transactions (0 when not in the mempool).
      getTransactionAncestry: (txid: string) => {
        const seen = new Set<string>();
        let ancestorSize = 0, ancestorFees = 0n;
        const stack = [txid];
        while (stack.length > 0) {
          const id = stack.pop()!;
          const wtx = txs.get(id);
          if (seen.has(id) || wtx?.state.kind !== "inMempool") continue;
          seen.add(id);
          ancestorSize += transactionVsize(wtx.tx);
          let fee = 0n;
          for (const input of wtx.tx.inputs) {
            const parentId = txidHex(input.prevout.txid);
            fee += txs.get(parentId)?.tx.outputs[input.prevout.vout]?.value ?? 0n;
            stack.push(parentId);
          }
          for (const o of wtx.tx.outputs) fee -= o.value;
          ancestorFees += fee;
        }
        return Promise.resolve({ ancestors: seen.size, clusterCount: seen.size, ancestorSize, ancestorFees });
      },
      getPackageLimits: () => Promise.resolve({ ancestorCount: 25, descendantCount: 25 }),
      getSetting: (name: string) => Promise.resolve(node.settings.get(name) ?? null),
      checkChainLimits: () => Promise.resolve(null),
      findCoins: (outpoints: { txid: string; vout: number }[]) =>
        Promise.resolve(outpoints.map((o) => {
          const out = txs.get(o.txid)?.tx.outputs[o.vout] ?? node.utxos.get(`${o.txid}:${o.vout}`);
          return out === undefined
            ? null
            : { value: out.value, scriptPubKey: out.scriptPubKey, height: 1, coinbase: false };
        })),
      hasDescendantsInMempool: (txid: string) => Promise.resolve(node.withDescendants.has(txid)),
      isInMempool: (txid: string) => Promise.resolve(txs.get(txid)?.state.kind === "inMempool"),
      broadcastTransaction: (tx: Uint8Array) => {
        void tx;
        return Promise.resolve({ ok: true as const });
      },
    };
    this.chain = chain as unknown as Chain;
  }

  /** A new script of the wallet. */
  newScript(): Uint8Array {
    const s = p2wpkh(this.#next++);
    this.#mine.add(key(s));
    return s;
  }

  /** A script not of the wallet. */
  foreignScript(seed = 60000): Uint8Array {
    return p2wpkh(seed);
  }

  /** Adds a confirmed (depth `conf`) transaction paying `values` to new wallet scripts; returns its outpoints. */
  addCoins(values: bigint[], conf = 10): OutPoint[] {
    const tx: Transaction = {
      version: 2,
      inputs: [{
        prevout: { txid: new Uint8Array(32).fill(this.#next++ & 0xff), vout: 0 },
        scriptSig: new Uint8Array(0),
        sequence: 0xffffffff,
        witness: [],
      }],
      outputs: values.map((value) => ({ value, scriptPubKey: this.newScript() })),
      locktime: this.#next,
    };
    const id = txidHex(txidOf(tx));
    this.#txs.set(id, {
      txid: id,
      wtxid: id,
      tx,
      raw: encodeTransaction(tx),
      state: { kind: "confirmed", blockHash: "00".repeat(32), blockHeight: this.height - conf + 1, index: 1 },
      timeReceived: 0,
      timeSmart: 0,
      orderPos: this.#txs.size,
      mapValue: {},
      orderForm: [],
      mempoolConflicts: new Set(),
    });
    return values.map((_, vout) => ({ txid: txidOf(tx), vout }));
  }

  hasFlag(flag: WalletFlag): boolean {
    void flag;
    return false;
  }
  lastBlock(): { hash: string; height: number } {
    return { hash: "11".repeat(32), height: this.height };
  }
  transactions(): Iterable<WalletTx> {
    return this.#txs.values();
  }
  getTx(txid: string): WalletTx | undefined {
    return this.#txs.get(txid);
  }
  depth(wtx: WalletTx): number {
    return wtx.state.kind === "confirmed" ? this.height - wtx.state.blockHeight + 1 : 0;
  }
  blocksToMaturity(): number {
    return 0;
  }
  isAbandoned(wtx: WalletTx): boolean {
    return wtx.state.kind === "inactive" && wtx.state.abandoned;
  }
  isMine(script: Uint8Array): boolean {
    return this.#mine.has(key(script));
  }
  isChange(out: TxOut): boolean {
    return this.isMine(out.scriptPubKey);
  }
  isSpent(outpoint: OutPoint): boolean {
    return this.spenders(outpoint).length > 0;
  }
  spenders(outpoint: OutPoint): string[] {
    const k = outPointKey(outpoint);
    const out: string[] = [];
    for (const wtx of this.#txs.values()) {
      if (wtx.tx.inputs.some((i) => outPointKey(i.prevout) === k)) out.push(wtx.txid);
    }
    return out;
  }
  isSpentKey(): boolean {
    return false;
  }
  *txos(): Iterable<WalletTxo> {
    for (const wtx of this.#txs.values()) {
      for (let vout = 0; vout < wtx.tx.outputs.length; vout++) {
        const txout = wtx.tx.outputs[vout];
        if (this.isMine(txout.scriptPubKey)) yield { outpoint: { txid: txidOf(wtx.tx), vout }, wtx, txout };
      }
    }
  }
  getTxo(outpoint: OutPoint): WalletTxo | undefined {
    const wtx = this.#txs.get(txidHex(outpoint.txid));
    const txout = wtx?.tx.outputs[outpoint.vout];
    if (wtx === undefined || txout === undefined || !this.isMine(txout.scriptPubKey)) return undefined;
    return { outpoint, wtx, txout };
  }
  scriptInfo(): undefined {
    return undefined;
  }
  getNewAddress(): Promise<string> {
    return Promise.resolve(encodeDestination(this.newScript(), "regtest")!);
  }
  getNewChangeAddress(type: OutputType): Promise<string> {
    void type;
    const address = encodeDestination(this.newScript(), "regtest")!;
    this.changeAddresses.push(address);
    return Promise.resolve(address);
  }
  maxInputSatisfactionWeight(script: Uint8Array): number | undefined {
    return this.isMine(script) ? 107 : undefined;
  }
  signTransaction(tx: Transaction, coins: ReadonlyMap<string, TxOut>): Promise<SignTransactionResult> {
    let complete = true;
    const inputs = tx.inputs.map((input) => {
      const coin = coins.get(outPointKey(input.prevout));
      if (coin === undefined || !this.isMine(coin.scriptPubKey)) {
        complete = false;
        return input;
      }
      return { ...input, witness: [new Uint8Array(72).fill(0x30), new Uint8Array(33).fill(2)] };
    });
    return Promise.resolve({ tx: { ...tx, inputs }, complete, errors: [] });
  }
  fillPsbt(psbt: Uint8Array): Promise<{ psbt: Uint8Array; complete: boolean }> {
    return Promise.resolve({ psbt, complete: false });
  }
  commitTransaction(
    tx: Transaction,
    mapValue: Record<string, string>,
    orderForm: Array<[string, string]>,
  ): Promise<void> {
    const id = txidHex(txidOf(tx));
    this.#txs.set(id, {
      txid: id,
      wtxid: id,
      tx,
      raw: encodeTransaction(tx),
      state: { kind: "inMempool" },
      timeReceived: 0,
      timeSmart: 0,
      orderPos: this.#txs.size,
      mapValue: { ...mapValue },
      orderForm: [...orderForm],
      mempoolConflicts: new Set(),
    });
    this.node.broadcast.push(tx);
    return Promise.resolve();
  }
  markReplaced(txid: string, newTxid: string): Promise<boolean> {
    const wtx = this.#txs.get(txid);
    if (wtx === undefined) return Promise.resolve(false);
    wtx.mapValue["replaced_by_txid"] = newTxid;
    return Promise.resolve(true);
  }
  abandonTransaction(): Promise<boolean> {
    return Promise.resolve(false);
  }
  settings(): WalletSettings {
    return this.walletSettings;
  }
}
