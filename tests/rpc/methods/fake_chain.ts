/**
 * An in-memory `Chainstate` for the blockchain RPC tests: hand-built regtest blocks (core/wire, core/hash merkle
 * and witness commitment, nonce ground to regtest PoW), a block index with most-work selection, reorgs with undo
 * data, invalidate/reconsider/precious, header-only entries and chain events. No script or consensus validation
 * beyond "inputs exist": it stands in for node/chain/chainstate.ts, not for validation.
 *
 * @module
 */
import { type ChainParams, chainParams } from "../../../core/chain_params.ts";
import { invalid, VALID } from "../../../core/consensus/mod.ts";
import type { BlockValidationState } from "../../../core/consensus/mod.ts";
import {
  blockMerkleRoot,
  blockWitnessMerkleRoot,
  bytesEqual,
  fromReverseHex,
  reverseHex,
  witnessCommitmentScript,
} from "../../../core/hash/mod.ts";
import { blockProof, checkProofOfWork } from "../../../core/pow.ts";
import { blockHash, outPointKey, txid } from "../../../core/wire/mod.ts";
import type { Block, BlockHeader, OutPoint, Transaction, TxOut } from "../../../core/wire/types.ts";
import type { BlockIndexEntry, ChainCoin, ChainEvents, Chainstate } from "../../../node/chain/types.ts";

interface Stored {
  entry: BlockIndexEntry;
  block?: Block;
  undo?: ChainCoin[][];
  seq: number;
}

/** A P2WPKH output script for a 20-byte key hash filled with `fill`. */
export function p2wpkh(fill: number): Uint8Array {
  const s = new Uint8Array(22);
  s[0] = 0x00;
  s[1] = 0x14;
  s.fill(fill, 2);
  return s;
}

/** Core's `CScript() << height` for a BIP34 coinbase: OP_1..OP_16 or a minimal little-endian push. */
function heightPush(height: number): number[] {
  if (height >= 1 && height <= 16) return [0x50 + height];
  if (height === 0) return [0x00];
  const bytes: number[] = [];
  for (let h = height; h > 0; h = Math.floor(h / 256)) bytes.push(h & 0xff);
  if (bytes[bytes.length - 1] & 0x80) bytes.push(0);
  return [bytes.length, ...bytes];
}

/** Options of {@link FakeChain.mine}. */
export interface MineOptions {
  /** Parent (default: the tip). */
  prev?: BlockIndexEntry;
  /** Transactions after the coinbase. */
  txs?: Transaction[];
  /** Block time (default parent time + 1). */
  time?: number;
  /** Coinbase payout script (default p2wpkh(0x11)). */
  payTo?: Uint8Array;
  /** Fees added to the subsidy. */
  fees?: bigint;
  /** Extra coinbase byte to make otherwise identical blocks differ. */
  extra?: number;
  /** Build only, do not process. */
  noSubmit?: boolean;
}

/** The in-memory chain. */
export class FakeChain implements Chainstate {
  readonly params: ChainParams = chainParams("regtest");
  readonly #index = new Map<string, Stored>();
  #active: BlockIndexEntry[] = [];
  readonly #coins = new Map<string, ChainCoin>();
  readonly #subs = new Set<ChainEvents>();
  #seq = 0;
  #precious = 0;
  /** Value of isInitialBlockDownload(). */
  ibd = false;

  constructor() {
    const g = this.params.genesis;
    const hash = blockHash(g.header);
    const entry: BlockIndexEntry = {
      hash,
      hashHex: reverseHex(hash),
      height: 0,
      header: g.header,
      prev: null,
      chainWork: blockProof(g.header.bits),
      medianTimePast: g.header.time,
      validity: "scripts",
      failed: "none",
      haveData: true,
      haveUndo: false,
      nTx: g.txs.length,
      chainTx: g.txs.length,
    };
    this.#index.set(entry.hashHex, { entry, block: g, seq: this.#seq++ });
    this.#active = [entry];
  }

  tip(): BlockIndexEntry {
    return this.#active[this.#active.length - 1];
  }
  height(): number {
    return this.#active.length - 1;
  }
  atHeight(height: number): BlockIndexEntry | null {
    return this.#active[height] ?? null;
  }
  contains(entry: BlockIndexEntry): boolean {
    return this.#active[entry.height] === entry;
  }
  lookup(hash: Uint8Array | string): BlockIndexEntry | undefined {
    return this.#index.get(typeof hash === "string" ? hash : reverseHex(hash))?.entry;
  }
  entries(): Iterable<BlockIndexEntry> {
    return [...this.#index.values()].map((s) => s.entry);
  }
  isInitialBlockDownload(): boolean {
    return this.ibd;
  }

  #medianTimePast(prev: BlockIndexEntry | null, time: number): number {
    const times = [time];
    for (let e = prev; e !== null && times.length < 11; e = e.prev) times.push(e.header.time);
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
  }

  #addHeader(header: BlockHeader): Stored | BlockValidationState {
    const hash = blockHash(header);
    const known = this.#index.get(reverseHex(hash));
    if (known) return known;
    const prev = this.lookup(header.prevBlock);
    if (prev === undefined) return invalid("BLOCK_MISSING_PREV", "prev-blk-not-found");
    if (!checkProofOfWork(hash, header.bits, this.params.consensus)) {
      return invalid("BLOCK_INVALID_HEADER", "high-hash", "proof of work failed");
    }
    const entry: BlockIndexEntry = {
      hash,
      hashHex: reverseHex(hash),
      height: prev.height + 1,
      header,
      prev,
      chainWork: prev.chainWork + blockProof(header.bits),
      medianTimePast: this.#medianTimePast(prev, header.time),
      validity: "tree",
      failed: prev.failed === "none" ? "none" : "failed-parent",
      haveData: false,
      haveUndo: false,
      nTx: 0,
      chainTx: 0,
    };
    const stored: Stored = { entry, seq: this.#seq++ };
    this.#index.set(entry.hashHex, stored);
    return stored;
  }

  processNewBlockHeaders(headers: readonly BlockHeader[]): Promise<BlockValidationState> {
    for (const h of headers) {
      const r = this.#addHeader(h);
      if ("valid" in r) return Promise.resolve(r);
    }
    return Promise.resolve(VALID);
  }

  async processNewBlock(block: Block): Promise<{ newBlock: boolean; state: BlockValidationState }> {
    const r = this.#addHeader(block.header);
    if ("valid" in r) return { newBlock: false, state: r };
    if (r.block !== undefined) return { newBlock: false, state: VALID };
    const { mutated, root } = blockMerkleRoot(block);
    if (mutated || !bytesEqual(root, block.header.merkleRoot)) {
      return {
        newBlock: false,
        state: invalid("BLOCK_MUTATED", "bad-txnmrklroot", "hashMerkleRoot mismatch"),
      };
    }
    r.block = block;
    r.entry.haveData = true;
    r.entry.nTx = block.txs.length;
    r.entry.validity = "transactions";
    this.#propagateChainTx();
    await this.#activateBestChain();
    return { newBlock: true, state: VALID };
  }

  #propagateChainTx(): void {
    let changed = true;
    while (changed) {
      changed = false;
      for (const { entry } of this.#index.values()) {
        if (entry.chainTx === 0 && entry.nTx > 0 && entry.prev !== null && entry.prev.chainTx > 0) {
          entry.chainTx = entry.prev.chainTx + entry.nTx;
          changed = true;
        }
      }
    }
  }

  #candidate(): BlockIndexEntry {
    let best = this.#active[0];
    let bestSeq = 0;
    for (const s of this.#index.values()) {
      const e = s.entry;
      if (e.failed !== "none" || e.chainTx === 0) continue;
      if (e.chainWork > best.chainWork || (e.chainWork === best.chainWork && s.seq < bestSeq)) {
        best = e;
        bestSeq = s.seq;
      }
    }
    return best;
  }

  async #activateBestChain(): Promise<void> {
    for (;;) {
      const target = this.#candidate();
      const tip = this.tip();
      if (target === tip) return;
      let fork: BlockIndexEntry | null = target;
      while (fork !== null && !this.contains(fork)) fork = fork.prev;
      if (fork === null) throw new Error("Cannot activate chain: no fork point");
      while (this.tip() !== fork) this.#disconnectTip();
      const path: BlockIndexEntry[] = [];
      for (let e: BlockIndexEntry | null = target; e !== fork && e !== null; e = e.prev) path.unshift(e);
      let failedConnect = false;
      for (const e of path) {
        if (!this.#connect(e)) {
          failedConnect = true;
          break;
        }
      }
      for (const sub of this.#subs) sub.updatedBlockTip?.(this.tip(), fork, this.ibd);
      await Promise.resolve();
      if (!failedConnect) return;
    }
  }

  #disconnectTip(): void {
    const entry = this.tip();
    const s = this.#index.get(entry.hashHex)!;
    const block = s.block!;
    for (let i = block.txs.length - 1; i >= 0; i--) {
      const tx = block.txs[i];
      const id = txid(tx);
      tx.outputs.forEach((_, n) => this.#coins.delete(outPointKey({ txid: id, vout: n })));
      if (i > 0) {
        tx.inputs.forEach((input, k) => this.#coins.set(outPointKey(input.prevout), s.undo![i - 1][k]));
      }
    }
    this.#active.pop();
    for (const sub of this.#subs) sub.blockDisconnected?.(block, entry);
  }

  #connect(entry: BlockIndexEntry): boolean {
    const s = this.#index.get(entry.hashHex)!;
    const block = s.block!;
    const undo: ChainCoin[][] = [];
    const added: string[] = [];
    const spent: [string, ChainCoin][] = [];
    const rollback = () => {
      for (const k of added) this.#coins.delete(k);
      for (const [k, c] of spent) this.#coins.set(k, c);
    };
    for (let i = 0; i < block.txs.length; i++) {
      const tx = block.txs[i];
      if (i > 0) {
        const txUndo: ChainCoin[] = [];
        for (const input of tx.inputs) {
          const key = outPointKey(input.prevout);
          const coin = this.#coins.get(key);
          if (coin === undefined) {
            rollback();
            this.#markFailed(entry);
            return false;
          }
          this.#coins.delete(key);
          spent.push([key, coin]);
          txUndo.push(coin);
        }
        undo.push(txUndo);
      }
      const id = txid(tx);
      tx.outputs.forEach((output, n) => {
        if (output.scriptPubKey[0] === 0x6a) return;
        const key = outPointKey({ txid: id, vout: n });
        this.#coins.set(key, { output, height: entry.height, coinbase: i === 0 });
        added.push(key);
      });
    }
    s.undo = undo;
    entry.haveUndo = true;
    entry.validity = "scripts";
    this.#active.push(entry);
    for (const sub of this.#subs) sub.blockConnected?.(block, entry);
    return true;
  }

  #markFailed(entry: BlockIndexEntry): void {
    entry.failed = "failed";
    for (const { entry: e } of this.#index.values()) {
      for (let p = e.prev; p !== null; p = p.prev) {
        if (p === entry) {
          e.failed = "failed-parent";
          break;
        }
      }
    }
  }

  testBlockValidity(): Promise<BlockValidationState> {
    return Promise.resolve(VALID);
  }

  readBlock(entry: BlockIndexEntry): Promise<Block> {
    const b = this.#index.get(entry.hashHex)?.block;
    if (b === undefined || !entry.haveData) {
      return Promise.reject(new Error(`Block ${entry.hashHex} not stored`));
    }
    return Promise.resolve(b);
  }

  readUndo(entry: BlockIndexEntry): Promise<readonly (readonly ChainCoin[])[]> {
    const u = this.#index.get(entry.hashHex)?.undo;
    if (u === undefined || !entry.haveUndo) {
      return Promise.reject(new Error(`Undo of ${entry.hashHex} not stored`));
    }
    return Promise.resolve(u);
  }

  getCoin(outpoint: OutPoint): Promise<ChainCoin | null> {
    return Promise.resolve(this.#coins.get(outPointKey(outpoint)) ?? null);
  }
  withLock<T>(f: (coins: (outpoint: OutPoint) => Promise<ChainCoin | null>) => Promise<T>): Promise<T> {
    return f((outpoint) => this.getCoin(outpoint));
  }

  /** Replaces a coin of the UTXO set (tests corrupt the set to make verifychain fail). */
  setCoin(outpoint: OutPoint, coin: ChainCoin | null): void {
    if (coin === null) this.#coins.delete(outPointKey(outpoint));
    else this.#coins.set(outPointKey(outpoint), coin);
  }

  /** Replaces stored undo data (tests corrupt it). */
  setUndo(entry: BlockIndexEntry, undo: ChainCoin[][]): void {
    this.#index.get(entry.hashHex)!.undo = undo;
  }

  async invalidateBlock(hash: string): Promise<void> {
    const entry = this.lookup(hash);
    if (entry === undefined) throw new Error("Block not found");
    if (entry.height === 0) throw new Error("Cannot invalidate the genesis block");
    while (this.contains(entry)) this.#disconnectTip();
    this.#markFailed(entry);
    for (const sub of this.#subs) sub.updatedBlockTip?.(this.tip(), this.tip(), this.ibd);
    await this.#activateBestChain();
  }

  async reconsiderBlock(hash: string): Promise<void> {
    const entry = this.lookup(hash);
    if (entry === undefined) throw new Error("Block not found");
    for (const { entry: e } of this.#index.values()) {
      let related = e === entry;
      for (let p = e.prev; !related && p !== null; p = p.prev) related = p === entry;
      if (related) e.failed = "none";
    }
    for (let p = entry.prev; p !== null; p = p.prev) p.failed = "none";
    await this.#activateBestChain();
  }

  async preciousBlock(hash: string): Promise<void> {
    const s = this.#index.get(hash);
    if (s === undefined) throw new Error("Block not found");
    s.seq = --this.#precious - 1_000_000;
    await this.#activateBestChain();
  }

  subscribe(events: ChainEvents): () => void {
    this.#subs.add(events);
    return () => this.#subs.delete(events);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Number of chain event subscribers (tests check waits unsubscribe). */
  get subscriberCount(): number {
    return this.#subs.size;
  }

  /**
   * Builds a block on `prev` as current Core's miner does (coinbase locktime height − 1, sequence 0xfffffffe,
   * BIP34 height and an OP_0 up to height 16, witness commitment; nonce ground from 0) and processes it unless `noSubmit`.
   */
  async mine(opts: MineOptions = {}): Promise<Block> {
    const prev = opts.prev ?? this.tip();
    const height = prev.height + 1;
    const txs = opts.txs ?? [];
    const scriptSig = Uint8Array.from([
      ...heightPush(height),
      ...(height <= 16 ? [0x00] : []),
      ...(opts.extra !== undefined ? [opts.extra] : []),
    ]);
    const payout: TxOut = {
      value: 5_000_000_000n + (opts.fees ?? 0n),
      scriptPubKey: opts.payTo ?? p2wpkh(0x11),
    };
    const draft: Transaction = {
      version: 2,
      inputs: [{
        prevout: { txid: new Uint8Array(32), vout: 0xffffffff },
        scriptSig,
        sequence: 0xfffffffe,
        witness: [new Uint8Array(32)],
      }],
      outputs: [payout],
      locktime: height - 1,
    };
    const witnessRoot = blockWitnessMerkleRoot({ header: prev.header, txs: [draft, ...txs] });
    const coinbase: Transaction = {
      ...draft,
      outputs: [payout, { value: 0n, scriptPubKey: witnessCommitmentScript(witnessRoot) }],
    };
    const all = [coinbase, ...txs];
    let header: BlockHeader = {
      version: 0x20000000,
      prevBlock: prev.hash,
      merkleRoot: blockMerkleRoot({ header: prev.header, txs: all }).root,
      time: opts.time ?? prev.header.time + 1,
      bits: 0x207fffff,
      nonce: 0,
    };
    while (!checkProofOfWork(blockHash(header), header.bits, this.params.consensus)) {
      header = { ...header, nonce: header.nonce + 1 };
    }
    const block = { header, txs: all };
    if (!opts.noSubmit) {
      const r = await this.processNewBlock(block);
      if (!r.state.valid) throw new Error(`Cannot mine: ${r.state.reason}`);
    }
    return block;
  }
}

/** A transaction spending `outpoints` (empty scriptSigs, one witness item) to `outputs`. */
export function spend(outpoints: OutPoint[], outputs: TxOut[], witness = true): Transaction {
  return {
    version: 2,
    inputs: outpoints.map((prevout) => ({
      prevout,
      scriptSig: new Uint8Array(0),
      sequence: 0xfffffffd,
      witness: witness ? [Uint8Array.of(1, 2, 3)] : [],
    })),
    outputs,
    locktime: 0,
  };
}

/** The outpoint of output `vout` of `tx`. */
export function outpoint(tx: Transaction, vout: number): OutPoint {
  return { txid: txid(tx), vout };
}

/** Display-hex to internal bytes (re-exported for tests). */
export const hashFromHex: (hex: string) => Uint8Array = fromReverseHex;
