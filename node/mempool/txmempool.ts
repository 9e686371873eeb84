/**
 * The transaction memory pool (Core's `CTxMemPool` with its cluster graph): entries by txid and wtxid, the
 * outpoints they spend, parent/child links, clusters linearized into chunks (for mining order, eviction and
 * the chunk fields of mempool RPCs), removal for blocks, conflicts, expiry and size, the rolling minimum fee,
 * prioritisation deltas, the unbroadcast set and the mempool sequence. Acceptance is in accept.ts.
 *
 * @module
 */
import { outPointKey } from "../../core/wire/outpoint.ts";
import { txid as txidOf } from "../../core/wire/transaction.ts";
import { bytesEqual, reverseHex } from "../../core/hash/hashes.ts";
import type { OutPoint, Transaction, TxOut } from "../../core/wire/types.ts";
import { type Chunk, clusterChunks, type ClusterTx } from "../policy/cluster.ts";
import { compareFeerate, type FeeFrac } from "../policy/feefrac.ts";
import { FeeRate } from "../policy/feerate.ts";
import { toFeePerVSize } from "../policy/policy.ts";
import type { PolicySettings } from "../policy/settings.ts";
import type { MempoolEntry } from "./entry.ts";

/** Why a transaction left the mempool (Core's `MemPoolRemovalReason`). */
export type RemovalReason = "expiry" | "sizelimit" | "reorg" | "block" | "conflict" | "replaced";

/** Observer of mempool changes (Core's validation interface mempool callbacks). */
export interface MempoolListener {
  /** A transaction entered; `sequence` is the mempool sequence of the event. */
  added?(entry: MempoolEntry, sequence: number): void;
  /** A transaction left. */
  removed?(entry: MempoolEntry, reason: RemovalReason, sequence: number): void;
  /** A block's transactions left the mempool (Core's `MempoolTransactionsRemovedForBlock`). */
  removedForBlock?(entries: readonly MempoolEntry[], height: number): void;
}

/** The chunk a transaction belongs to in its cluster's linearization. */
export interface ChunkInfo {
  /** Total modified fee of the chunk. */
  readonly fee: bigint;
  /** Total sigop-adjusted weight of the chunk. */
  readonly weight: number;
}

/** Core's `ROLLING_FEE_HALFLIFE`: twelve hours. */
export const ROLLING_FEE_HALFLIFE = 60 * 60 * 12;
/** Height of coins created by mempool transactions (Core's `MEMPOOL_HEIGHT`). */
export const MEMPOOL_HEIGHT = 0x7fffffff;

/** Options of {@link TxMempool}. */
export interface TxMempoolOptions {
  /** Policy settings (limits, fees, -maxmempool, -mempoolexpiry). */
  readonly settings: PolicySettings;
  /** Clock in seconds (mockable). */
  readonly now: () => number;
}

/** The mempool. */
export class TxMempool {
  /** Policy settings in force. */
  readonly settings: PolicySettings;
  readonly #now: () => number;
  readonly #byTxid = new Map<string, MempoolEntry>();
  readonly #byWtxid = new Map<string, MempoolEntry>();
  readonly #nextTx = new Map<string, MempoolEntry>();
  readonly #deltas = new Map<string, bigint>();
  readonly #unbroadcast = new Set<string>();
  readonly #listeners = new Set<MempoolListener>();
  #totalVsize = 0;
  #totalFee = 0n;
  #usage = 0;
  #sequence = 1;
  #transactionsUpdated = 0;
  #rollingMinimumFeeRate = 0;
  #lastRollingFeeUpdate: number;
  #blockSinceLastRollingFeeBump = false;
  #chunks: Map<MempoolEntry, ChunkInfo> | null = null;
  /** Whether mempool.dat has been loaded (getmempoolinfo's `loaded`). */
  loaded = false;

  constructor(options: TxMempoolOptions) {
    this.settings = options.settings;
    this.#now = options.now;
    this.#lastRollingFeeUpdate = options.now();
  }

  /** Subscribes to changes; returns an unsubscribe function. */
  subscribe(listener: MempoolListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Number of transactions. */
  get size(): number {
    return this.#byTxid.size;
  }
  /** Sum of the entries' sigop-adjusted virtual sizes (getmempoolinfo `bytes`). */
  get totalVsize(): number {
    return this.#totalVsize;
  }
  /** Sum of base fees. */
  get totalFee(): bigint {
    return this.#totalFee;
  }
  /** Estimated memory use (getmempoolinfo `usage`). */
  get usage(): number {
    return this.#usage;
  }
  /** Current mempool sequence (Core's `GetSequence`). */
  get sequence(): number {
    return this.#sequence;
  }
  /** Count of changes (Core's `GetTransactionsUpdated`), for getblocktemplate long polls. */
  get transactionsUpdated(): number {
    return this.#transactionsUpdated;
  }

  /** Records `n` more changes (Core's `AddTransactionsUpdated`, e.g. on a new tip). */
  addTransactionsUpdated(n: number): void {
    this.#transactionsUpdated += n;
  }

  #nextSequence(): number {
    return this.#sequence++;
  }

  /** The entry of a txid (display hex). */
  get(txid: string): MempoolEntry | undefined {
    return this.#byTxid.get(txid);
  }
  /** The entry of a wtxid (display hex). */
  getByWtxid(wtxid: string): MempoolEntry | undefined {
    return this.#byWtxid.get(wtxid);
  }
  /** Entries in entry order. */
  entries(): IterableIterator<MempoolEntry> {
    return this.#byTxid.values();
  }

  /** The mempool transaction spending `outpoint`, if any (Core's `GetConflictTx`). */
  spender(outpoint: OutPoint): MempoolEntry | undefined {
    return this.#nextTx.get(outPointKey(outpoint));
  }

  /** An output created by a mempool transaction (Core's `CCoinsViewMemPool` part), whether spent or not. */
  output(outpoint: OutPoint): TxOut | undefined {
    const e = this.#byTxid.get(reverseHex(outpoint.txid));
    return e?.tx.outputs[outpoint.vout];
  }

  /** Whether no input of `tx` spends a mempool transaction (Core's `HasNoInputsOf`). */
  hasNoInputsOf(tx: Transaction): boolean {
    return tx.inputs.every((i) => !this.#byTxid.has(reverseHex(i.prevout.txid)));
  }

  /** In-mempool ancestors of `entry` (itself excluded). */
  ancestors(entry: MempoolEntry): Set<MempoolEntry> {
    return walk(entry, (e) => e.parents);
  }
  /** In-mempool descendants of `entry` (itself excluded). */
  descendants(entry: MempoolEntry): Set<MempoolEntry> {
    return walk(entry, (e) => e.children);
  }
  /** The cluster of `entry` (every entry connected to it, itself included). */
  cluster(entry: MempoolEntry): MempoolEntry[] {
    const seen = walk(entry, (e) => [...e.parents, ...e.children]);
    seen.add(entry);
    return [...seen];
  }

  /** The prioritisation delta of a txid (display hex), 0 when none. */
  delta(txid: string): bigint {
    return this.#deltas.get(txid) ?? 0n;
  }
  /** Every prioritisation delta (getprioritisedtransactions, mempool.dat). */
  deltas(): ReadonlyMap<string, bigint> {
    return this.#deltas;
  }

  /** Core's `PrioritiseTransaction`: adds `delta` to the txid's fee delta (kept until the tx is mined). */
  prioritise(txid: string, delta: bigint): void {
    const total = (this.#deltas.get(txid) ?? 0n) + delta;
    if (total === 0n) this.#deltas.delete(txid);
    else this.#deltas.set(txid, total);
    const e = this.#byTxid.get(txid);
    if (e !== undefined) {
      e.feeDelta = total;
      this.#changed();
    }
  }

  /** Transactions not yet announced to a peer (Core's unbroadcast set; display hex txids). */
  unbroadcast(): ReadonlySet<string> {
    return this.#unbroadcast;
  }
  /** Adds a txid to the unbroadcast set. */
  addUnbroadcast(txid: string): void {
    if (this.#byTxid.has(txid)) this.#unbroadcast.add(txid);
  }
  /** Removes a txid from the unbroadcast set (a peer asked for it). */
  removeUnbroadcast(txid: string): void {
    this.#unbroadcast.delete(txid);
  }

  #changed(): void {
    this.#chunks = null;
    this.#transactionsUpdated++;
  }

  /** Adds an accepted entry (links, spent outpoints, totals) and notifies listeners. */
  add(entry: MempoolEntry): void {
    if (this.#byTxid.has(entry.txidHex)) {
      throw new Error(`Cannot add ${entry.txidHex} to the mempool: already there`);
    }
    entry.feeDelta = this.#deltas.get(entry.txidHex) ?? 0n;
    for (const input of entry.tx.inputs) {
      this.#nextTx.set(outPointKey(input.prevout), entry);
      const parent = this.#byTxid.get(reverseHex(input.prevout.txid));
      if (parent !== undefined) {
        entry.parents.add(parent);
        parent.children.add(entry);
      }
    }
    // A transaction returning from a disconnected block may have children already in the pool.
    for (let vout = 0; vout < entry.tx.outputs.length; vout++) {
      const child = this.#nextTx.get(outPointKey({ txid: entry.txid, vout }));
      if (child !== undefined) {
        entry.children.add(child);
        child.parents.add(entry);
      }
    }
    this.#byTxid.set(entry.txidHex, entry);
    this.#byWtxid.set(entry.wtxidHex, entry);
    this.#totalVsize += entry.vsize;
    this.#totalFee += entry.fee;
    this.#usage += entry.usage;
    this.#changed();
    const seq = this.#nextSequence();
    for (const l of this.#listeners) l.added?.(entry, seq);
  }

  #removeOne(entry: MempoolEntry, reason: RemovalReason): void {
    if (this.#byTxid.get(entry.txidHex) !== entry) return;
    for (const input of entry.tx.inputs) {
      const key = outPointKey(input.prevout);
      if (this.#nextTx.get(key) === entry) this.#nextTx.delete(key);
    }
    for (const p of entry.parents) p.children.delete(entry);
    for (const c of entry.children) c.parents.delete(entry);
    entry.parents.clear();
    entry.children.clear();
    this.#byTxid.delete(entry.txidHex);
    this.#byWtxid.delete(entry.wtxidHex);
    this.#unbroadcast.delete(entry.txidHex);
    this.#totalVsize -= entry.vsize;
    this.#totalFee -= entry.fee;
    this.#usage -= entry.usage;
    this.#changed();
    const seq = this.#nextSequence();
    for (const l of this.#listeners) l.removed?.(entry, reason, seq);
  }

  /** Removes `entries` (children before parents, so listeners never see an orphan). */
  removeStaged(entries: Iterable<MempoolEntry>, reason: RemovalReason): void {
    // Ancestor counts are taken once, before any removal changes them (not again per comparison).
    const depth = new Map<MempoolEntry, number>();
    for (const e of new Set(entries)) depth.set(e, this.ancestors(e).size);
    const order = [...depth.keys()].sort((a, b) => depth.get(b)! - depth.get(a)!);
    for (const e of order) this.#removeOne(e, reason);
  }

  /** Removes `entry` and all its descendants (Core's `removeRecursive`). */
  removeRecursive(entry: MempoolEntry, reason: RemovalReason): MempoolEntry[] {
    const all = [entry, ...this.descendants(entry)];
    this.removeStaged(all, reason);
    return all;
  }

  /** Removes the mempool transactions spending the same outpoints as `tx` (Core's `removeConflicts`). */
  removeConflicts(tx: Transaction): void {
    const id = txidOf(tx);
    for (const input of tx.inputs) {
      const spender = this.spender(input.prevout);
      if (spender !== undefined && !bytesEqual(spender.txid, id)) this.removeRecursive(spender, "conflict");
    }
  }

  /**
   * Core's `removeForBlock`: the block's transactions leave (their descendants stay), mempool transactions
   * conflicting with them leave with their descendants, prioritisation of mined transactions is cleared, and the
   * rolling minimum fee starts decaying again.
   */
  removeForBlock(txs: readonly Transaction[], height: number): MempoolEntry[] {
    const mined: MempoolEntry[] = [];
    for (const tx of txs) {
      const id = reverseHex(txidOf(tx));
      const e = this.#byTxid.get(id);
      if (e !== undefined) {
        mined.push(e);
        this.#removeOne(e, "block");
      }
      this.removeConflicts(tx);
      this.#deltas.delete(id);
    }
    for (const l of this.#listeners) l.removedForBlock?.(mined, height);
    this.#lastRollingFeeUpdate = this.#now();
    this.#blockSinceLastRollingFeeBump = true;
    return mined;
  }

  /** Core's `Expire`: removes entries that entered before `cutoff` (seconds) with their descendants. */
  expire(cutoff: number): number {
    const old = [...this.#byTxid.values()].filter((e) => e.time < cutoff);
    const stage = new Set<MempoolEntry>();
    for (const e of old) {
      stage.add(e);
      for (const d of this.descendants(e)) stage.add(d);
    }
    this.removeStaged(stage, "expiry");
    return stage.size;
  }

  /** Core's `GetMinFee`: the rolling minimum feerate after evictions, decaying with a 12 h half-life. */
  getMinFee(sizeLimit: number = this.settings.maxMempoolBytes): FeeRate {
    if (!this.#blockSinceLastRollingFeeBump || this.#rollingMinimumFeeRate === 0) {
      return FeeRate.fromSatPerKvB(Math.round(this.#rollingMinimumFeeRate));
    }
    const time = this.#now();
    if (time > this.#lastRollingFeeUpdate + 10) {
      let halflife = ROLLING_FEE_HALFLIFE;
      if (this.#usage < sizeLimit / 4) halflife /= 4;
      else if (this.#usage < sizeLimit / 2) halflife /= 2;
      this.#rollingMinimumFeeRate /= Math.pow(2, (time - this.#lastRollingFeeUpdate) / halflife);
      this.#lastRollingFeeUpdate = time;
      const incremental = Number(this.settings.incrementalRelayFeeRate.getFeePerK());
      if (this.#rollingMinimumFeeRate < incremental / 2) {
        this.#rollingMinimumFeeRate = 0;
        return FeeRate.fromSatPerKvB(0);
      }
    }
    return FeeRate.fromSatPerKvB(Math.round(this.#rollingMinimumFeeRate)).max(
      this.settings.incrementalRelayFeeRate,
    );
  }

  #trackPackageRemoved(rate: FeeRate): void {
    const perK = Number(rate.getFeePerK());
    if (perK > this.#rollingMinimumFeeRate) {
      this.#rollingMinimumFeeRate = perK;
      this.#blockSinceLastRollingFeeBump = false;
    }
  }

  /**
   * Core's `TrimToSize`: while the pool uses more than `sizeLimit` bytes, evicts the worst chunk of the whole
   * pool and raises the rolling minimum fee to its feerate plus the incremental relay fee. Returns the evicted.
   */
  trimToSize(sizeLimit: number = this.settings.maxMempoolBytes): MempoolEntry[] {
    const evicted: MempoolEntry[] = [];
    while (this.#byTxid.size > 0 && this.#usage > sizeLimit) {
      const worst = this.#worstChunk();
      const perVsize = toFeePerVSize({ fee: worst.fee, size: worst.weight });
      const removed = FeeRate.fromFee(perVsize.fee, perVsize.size).plus(
        this.settings.incrementalRelayFeeRate,
      );
      this.#trackPackageRemoved(removed);
      const stage = new Set<MempoolEntry>(worst.entries);
      for (const e of worst.entries) for (const d of this.descendants(e)) stage.add(d);
      evicted.push(...stage);
      this.removeStaged(stage, "sizelimit");
    }
    return evicted;
  }

  #worstChunk(): { fee: bigint; weight: number; entries: MempoolEntry[] } {
    let worst: { fee: bigint; weight: number; entries: MempoolEntry[] } | null = null;
    for (const chunk of this.chunks()) {
      if (worst === null || compareFeerate(chunk, { fee: worst.fee, size: worst.weight }) <= 0) {
        worst = { fee: chunk.fee, weight: chunk.size, entries: chunk.entries };
      }
    }
    return worst!;
  }

  /**
   * Every chunk of every cluster, each cluster linearized (cluster.ts) with modified fees and sigop-adjusted
   * weights; chunks of one cluster in linearization order, clusters in entry order.
   */
  chunks(): (FeeFrac & { entries: MempoolEntry[] })[] {
    const out: (FeeFrac & { entries: MempoolEntry[] })[] = [];
    const done = new Set<MempoolEntry>();
    for (const e of this.#byTxid.values()) {
      if (done.has(e)) continue;
      // Members in txid order, so equal-feerate choices of the linearization do not depend on the order the
      // entries arrived in (a reorg re-adds them in another order; Core's order is deterministic too).
      const cluster = this.cluster(e).sort((a, b) =>
        a.txidHex < b.txidHex ? -1 : a.txidHex > b.txidHex ? 1 : 0
      );
      for (const m of cluster) done.add(m);
      for (const chunk of linearize(cluster)) {
        out.push({ fee: chunk.fee, size: chunk.size, entries: chunk.txs.map((i) => cluster[i]) });
      }
    }
    return out;
  }

  /** The chunk `entry` belongs to (getmempoolentry's `chunkweight` and `fees.chunk`). */
  chunkOf(entry: MempoolEntry): ChunkInfo {
    if (this.#chunks === null) {
      this.#chunks = new Map();
      for (const chunk of this.chunks()) {
        const info = { fee: chunk.fee, weight: chunk.size };
        for (const e of chunk.entries) this.#chunks.set(e, info);
      }
    }
    return this.#chunks.get(entry) ?? { fee: entry.modifiedFee, weight: entry.adjustedWeight };
  }

  /**
   * Transactions in mining order (Core's block builder over txgraph chunks): chunks by decreasing feerate, each
   * chunk's transactions in linearization order, with the chunk's feerate for the block minimum fee check.
   */
  miningOrder(): { entry: MempoolEntry; chunk: FeeFrac }[] {
    const chunks = this.chunks();
    // Stable sort: equal feerates keep cluster order, so parents stay before children across equal chunks.
    const indexed = chunks.map((c, i) => ({ c, i }));
    indexed.sort((a, b) => compareFeerate(b.c, a.c) || a.i - b.i);
    const out: { entry: MempoolEntry; chunk: FeeFrac }[] = [];
    for (const { c } of indexed) {
      for (const entry of c.entries) out.push({ entry, chunk: { fee: c.fee, size: c.size } });
    }
    return out;
  }

  /** Removes everything (tests, and -reindex style resets) without notifications. */
  clear(): void {
    this.#byTxid.clear();
    this.#byWtxid.clear();
    this.#nextTx.clear();
    this.#unbroadcast.clear();
    this.#totalVsize = 0;
    this.#totalFee = 0n;
    this.#usage = 0;
    this.#changed();
  }

  /** Consistency check (Core's `-checkmempool`): links, spent outpoints and totals agree. Throws on a fault. */
  check(): void {
    let vsize = 0;
    let fee = 0n;
    let usage = 0;
    for (const e of this.#byTxid.values()) {
      vsize += e.vsize;
      fee += e.fee;
      usage += e.usage;
      for (const input of e.tx.inputs) {
        if (this.#nextTx.get(outPointKey(input.prevout)) !== e) {
          throw new Error(`Mempool check failed: ${e.txidHex} input not indexed`);
        }
        const parent = this.#byTxid.get(reverseHex(input.prevout.txid));
        if (parent !== undefined && !e.parents.has(parent)) {
          throw new Error(`Mempool check failed: ${e.txidHex} missing parent link`);
        }
      }
      for (const p of e.parents) {
        if (!p.children.has(e)) throw new Error(`Mempool check failed: ${e.txidHex} parent link one-way`);
      }
    }
    if (vsize !== this.#totalVsize || fee !== this.#totalFee || usage !== this.#usage) {
      throw new Error("Mempool check failed: totals disagree");
    }
  }
}

function walk(start: MempoolEntry, next: (e: MempoolEntry) => Iterable<MempoolEntry>): Set<MempoolEntry> {
  const seen = new Set<MempoolEntry>();
  const stack = [...next(start)];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (e === start || seen.has(e)) continue;
    seen.add(e);
    for (const n of next(e)) stack.push(n);
  }
  return seen;
}

/** The chunks of a cluster of entries (modified fee, sigop-adjusted weight). */
export function linearize(cluster: readonly MempoolEntry[]): Chunk[] {
  if (cluster.length === 1) {
    const e = cluster[0];
    return [{ fee: e.modifiedFee, size: e.adjustedWeight, txs: [0] }];
  }
  const index = new Map(cluster.map((e, i) => [e, i]));
  const txs: ClusterTx[] = cluster.map((e) => ({
    fee: e.modifiedFee,
    size: e.adjustedWeight,
    parents: [...e.parents].map((p) => index.get(p)!),
  }));
  return clusterChunks(txs);
}
