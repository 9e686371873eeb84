/**
 * The transaction orphanage (Core master's `TxOrphanageImpl`): transactions whose inputs are missing, kept as
 * one announcement per (wtxid, peer) so every peer that sent or announced an orphan can help resolve it.
 *
 * Limits as Core's 2025 rework: a global "latency score" (one per announcement plus one per 10 inputs of each
 * unique orphan) of at most `DEFAULT_MAX_ORPHANAGE_LATENCY_SCORE`, and a global weight of
 * `DEFAULT_RESERVED_ORPHAN_WEIGHT_PER_PEER` times the number of peers with orphans. Beyond either, the peer with
 * the highest DoS score (the larger of its latency share and weight share) loses its oldest announcements,
 * those not waiting to be reconsidered first.
 *
 * @module
 */

import { reverseHex } from "../core/hash/hashes.ts";
import { transactionWeight, txid as txidOf, wtxid as wtxidOf } from "../core/wire/transaction.ts";
import type { Transaction } from "../core/wire/types.ts";
import { getPackageHash } from "../node/policy/packages.ts";

/** Core's `DEFAULT_MAX_ORPHANAGE_LATENCY_SCORE`. */
export const DEFAULT_MAX_ORPHANAGE_LATENCY_SCORE = 3000;
/** Core's `DEFAULT_RESERVED_ORPHAN_WEIGHT_PER_PEER`. */
export const DEFAULT_RESERVED_ORPHAN_WEIGHT_PER_PEER = 404_000;
/** Core's `MAX_STANDARD_TX_WEIGHT`: larger orphans are not kept. */
export const MAX_ORPHAN_WEIGHT = 400_000;

/** Options of {@link TxOrphanage}. */
export interface TxOrphanageOptions {
  /** Global latency score limit (default Core's 3,000). */
  readonly maxGlobalLatencyScore?: number;
  /** Weight reserved per peer (default Core's 404,000). */
  readonly reservedPeerUsage?: number;
  /** Debug log (Core's `txpackages` category lines). */
  readonly log?: (msg: string) => void;
  /** Random integer in [0, n) (which announcer reconsiders an orphan); default Math.random. */
  readonly randRange?: (n: number) => number;
}

/** One orphan and the peers that announced it (Core's `OrphanInfo`). */
export interface OrphanInfo {
  readonly tx: Transaction;
  readonly txid: string;
  readonly wtxid: string;
  readonly from: number[];
}

interface Orphan {
  readonly tx: Transaction;
  readonly txid: string;
  readonly wtxid: string;
  readonly weight: number;
  /** 1 + inputs / 10 (Core's `GetLatencyScore`). */
  readonly latency: number;
  /** Announcements by peer: entry sequence and whether it waits to be reconsidered. */
  readonly announcements: Map<number, { seq: number; reconsider: boolean }>;
}

interface PeerInfo {
  usage: number;
  count: number;
  latency: number;
}

/** A fraction compared as Core's `ByRatioNegSize<FeeFrac>`: by ratio, then the smaller denominator first. */
function compareScore(a: [number, number], b: [number, number]): number {
  const l = a[0] * b[1];
  const r = b[0] * a[1];
  if (l !== r) return l < r ? -1 : 1;
  return a[1] === b[1] ? 0 : a[1] > b[1] ? -1 : 1;
}

/** The orphan pool. Hashes are display hex. */
export class TxOrphanage {
  readonly #maxLatency: number;
  readonly #reserved: number;
  readonly #log: (msg: string) => void;
  readonly #rand: (n: number) => number;
  readonly #orphans = new Map<string, Orphan>();
  /** Spent outpoint ("txid:n") → wtxids of orphans spending it. */
  readonly #byOutpoint = new Map<string, Set<string>>();
  readonly #peers = new Map<number, PeerInfo>();
  #seq = 0;
  #announcements = 0;
  #uniqueInputScores = 0;
  #usage = 0;

  /** An empty orphanage. */
  constructor(opts: TxOrphanageOptions = {}) {
    this.#maxLatency = opts.maxGlobalLatencyScore ?? DEFAULT_MAX_ORPHANAGE_LATENCY_SCORE;
    this.#reserved = opts.reservedPeerUsage ?? DEFAULT_RESERVED_ORPHAN_WEIGHT_PER_PEER;
    this.#log = opts.log ?? (() => {});
    this.#rand = opts.randRange ?? ((n) => Math.floor(Math.random() * n));
  }

  /** Number of unique orphans. */
  get size(): number {
    return this.#orphans.size;
  }

  /** Number of announcements (orphan, peer). */
  get announcementCount(): number {
    return this.#announcements;
  }

  /** Core's `TotalLatencyScore`. */
  get totalLatencyScore(): number {
    return this.#uniqueInputScores + this.#announcements;
  }

  /** Weight of the unique orphans (Core's `TotalOrphanUsage`). */
  get totalUsage(): number {
    return this.#usage;
  }

  /** Weight of the orphans a peer announced (Core's `UsageByPeer`). */
  usageByPeer(peer: number): number {
    return this.#peers.get(peer)?.usage ?? 0;
  }

  /** Announcements of a peer (Core's `AnnouncementsFromPeer`). */
  announcementsFromPeer(peer: number): number {
    return this.#peers.get(peer)?.count ?? 0;
  }

  /** Core's `HaveTx` (by wtxid). */
  haveTx(wtxid: string): boolean {
    return this.#orphans.has(wtxid);
  }

  /** Core's `HaveTxFromPeer`. */
  haveTxFromPeer(wtxid: string, peer: number): boolean {
    return this.#orphans.get(wtxid)?.announcements.has(peer) ?? false;
  }

  /** Core's `GetTx`. */
  getTx(wtxid: string): Transaction | undefined {
    return this.#orphans.get(wtxid)?.tx;
  }

  /**
   * Core's `AddTx`: stores `tx` as announced by `peer`. True only when the orphan is new (false when too heavy,
   * or when only an announcer was added).
   */
  addTx(tx: Transaction, peer: number): boolean {
    const txid = reverseHex(txidOf(tx));
    const wtxid = reverseHex(wtxidOf(tx));
    const weight = transactionWeight(tx);
    if (weight > MAX_ORPHAN_WEIGHT) {
      this.#log(`ignoring large orphan tx (size: ${weight}, txid: ${txid}, wtxid: ${wtxid})`);
      return false;
    }
    let o = this.#orphans.get(wtxid);
    const brandNew = o === undefined;
    if (o === undefined) {
      o = {
        tx,
        txid,
        wtxid,
        weight,
        latency: 1 + Math.floor(tx.inputs.length / 10),
        announcements: new Map(),
      };
    } else if (o.announcements.has(peer)) {
      return false;
    }
    if (brandNew) {
      this.#orphans.set(wtxid, o);
      for (const i of tx.inputs) {
        const key = `${reverseHex(i.prevout.txid)}:${i.prevout.vout}`;
        let s = this.#byOutpoint.get(key);
        if (s === undefined) this.#byOutpoint.set(key, s = new Set());
        s.add(wtxid);
      }
      this.#usage += o.weight;
      this.#uniqueInputScores += o.latency - 1;
    }
    this.#addAnnouncement(o, peer);
    if (brandNew) {
      this.#log(
        `stored orphan tx ${txid} (wtxid=${wtxid}), weight: ${weight} (mapsz ${this.#announcements} outsz ${this.#byOutpoint.size})`,
      );
    } else {
      this.#log(`added peer=${peer} as announcer of orphan tx ${txid} (wtxid=${wtxid})`);
    }
    this.#limit();
    return brandNew;
  }

  /** Core's `AddAnnouncer`: another peer announced an orphan we hold. */
  addAnnouncer(wtxid: string, peer: number): boolean {
    const o = this.#orphans.get(wtxid);
    if (o === undefined || o.announcements.has(peer)) return false;
    this.#addAnnouncement(o, peer);
    this.#log(`added peer=${peer} as announcer of orphan tx ${o.txid} (wtxid=${wtxid})`);
    this.#limit();
    return true;
  }

  #addAnnouncement(o: Orphan, peer: number): void {
    o.announcements.set(peer, { seq: this.#seq++, reconsider: false });
    this.#announcements++;
    let p = this.#peers.get(peer);
    if (p === undefined) this.#peers.set(peer, p = { usage: 0, count: 0, latency: 0 });
    p.usage += o.weight;
    p.count++;
    p.latency += o.latency;
  }

  /** Removes one announcement; the orphan goes with its last one. */
  #eraseAnnouncement(o: Orphan, peer: number): void {
    if (!o.announcements.delete(peer)) return;
    this.#announcements--;
    const p = this.#peers.get(peer)!;
    p.usage -= o.weight;
    p.count--;
    p.latency -= o.latency;
    if (p.count === 0) this.#peers.delete(peer);
    if (o.announcements.size > 0) return;
    this.#orphans.delete(o.wtxid);
    this.#usage -= o.weight;
    this.#uniqueInputScores -= o.latency - 1;
    for (const i of o.tx.inputs) {
      const key = `${reverseHex(i.prevout.txid)}:${i.prevout.vout}`;
      const s = this.#byOutpoint.get(key);
      s?.delete(o.wtxid);
      if (s?.size === 0) this.#byOutpoint.delete(key);
    }
  }

  #eraseInternal(wtxid: string): boolean {
    const o = this.#orphans.get(wtxid);
    if (o === undefined) return false;
    const n = o.announcements.size;
    for (const peer of [...o.announcements.keys()]) this.#eraseAnnouncement(o, peer);
    this.#log(`removed orphan tx ${o.txid} (wtxid=${wtxid}) (${n} announcements)`);
    return true;
  }

  /** Core's `EraseTx`: the orphan and all its announcements. */
  eraseTx(wtxid: string): boolean {
    const r = this.#eraseInternal(wtxid);
    this.#limit();
    return r;
  }

  /** Core's `EraseForPeer`: every announcement of a peer that left. */
  eraseForPeer(peer: number): void {
    let n = 0;
    for (const o of [...this.#orphans.values()]) {
      if (!o.announcements.has(peer)) continue;
      this.#eraseAnnouncement(o, peer);
      n++;
    }
    if (n > 0) this.#log(`Erased ${n} orphan transaction(s) from peer=${peer}`);
    this.#limit();
  }

  /** Core's `EraseForBlock`: orphans spending what a block spends (included or conflicted) go. */
  eraseForBlock(txs: readonly Transaction[]): number {
    if (this.#orphans.size === 0) return 0;
    const victims = new Set<string>();
    for (const tx of txs) {
      for (const i of tx.inputs) {
        const s = this.#byOutpoint.get(`${reverseHex(i.prevout.txid)}:${i.prevout.vout}`);
        if (s !== undefined) { for (const w of s) victims.add(w); }
      }
    }
    let n = 0;
    for (const w of victims) if (this.#eraseInternal(w)) n++;
    if (n > 0) this.#log(`Erased ${n} orphan transaction(s) included or conflicted by block`);
    this.#limit();
    return n;
  }

  /**
   * Core's `AddChildrenToWorkSet`: orphans spending an output of `tx` (just accepted) are marked for
   * reconsideration by one of their announcers, chosen at random. Returns (wtxid, peer) pairs.
   */
  addChildrenToWorkSet(tx: Transaction): [string, number][] {
    const txid = reverseHex(txidOf(tx));
    const out: [string, number][] = [];
    for (let n = 0; n < tx.outputs.length; n++) {
      const s = this.#byOutpoint.get(`${txid}:${n}`);
      if (s === undefined) continue;
      for (const w of s) {
        const o = this.#orphans.get(w)!;
        const anns = [...o.announcements];
        if (anns.some(([, a]) => a.reconsider)) continue;
        const [peer, a] = anns[this.#rand(anns.length)];
        a.reconsider = true;
        out.push([w, peer]);
        this.#log(`added ${o.txid} (wtxid=${w}) to peer ${peer} workset`);
      }
    }
    return out;
  }

  /** Core's `HaveTxToReconsider`. */
  haveTxToReconsider(peer: number): boolean {
    for (const o of this.#orphans.values()) if (o.announcements.get(peer)?.reconsider) return true;
    return false;
  }

  /** Core's `GetTxToReconsider`: the peer's oldest orphan marked for reconsideration, unmarked. */
  getTxToReconsider(peer: number): Transaction | undefined {
    let best: { o: Orphan; seq: number } | undefined;
    for (const o of this.#orphans.values()) {
      const a = o.announcements.get(peer);
      if (a?.reconsider && (best === undefined || a.seq < best.seq)) best = { o, seq: a.seq };
    }
    if (best === undefined) return undefined;
    best.o.announcements.get(peer)!.reconsider = false;
    return best.o.tx;
  }

  /** Core's `GetChildrenFromSamePeer`: orphans announced by `peer` that spend `parent`, newest first. */
  getChildrenFromSamePeer(parent: Transaction, peer: number): Transaction[] {
    const parentTxid = reverseHex(txidOf(parent));
    const found: { tx: Transaction; seq: number }[] = [];
    for (const o of this.#orphans.values()) {
      const a = o.announcements.get(peer);
      if (a === undefined) continue;
      if (o.tx.inputs.some((i) => reverseHex(i.prevout.txid) === parentTxid)) {
        found.push({ tx: o.tx, seq: a.seq });
      }
    }
    return found.sort((x, y) => y.seq - x.seq).map((f) => f.tx);
  }

  /** Core's `GetOrphanTransactions`. */
  orphans(): OrphanInfo[] {
    return [...this.#orphans.values()].map((o) => ({
      tx: o.tx,
      txid: o.txid,
      wtxid: o.wtxid,
      from: [...o.announcements.keys()].sort((a, b) => a - b),
    }));
  }

  #needsTrim(): boolean {
    return this.totalLatencyScore > this.#maxLatency ||
      this.#usage > this.#reserved * Math.max(1, this.#peers.size);
  }

  #dosScore(p: PeerInfo, maxLat: number, maxMem: number): [number, number] {
    const lat: [number, number] = [p.latency, maxLat];
    const mem: [number, number] = [p.usage, maxMem];
    return compareScore(lat, mem) >= 0 ? lat : mem;
  }

  /** Core's `LimitOrphans`. */
  #limit(): void {
    if (!this.#needsTrim()) return;
    const before = this.#orphans.size;
    const maxLat = Math.floor(this.#maxLatency / Math.max(1, this.#peers.size));
    const maxMem = this.#reserved;
    const one: [number, number] = [1, 1];
    let heap: { peer: number; score: [number, number] }[] = [];
    for (const [peer, p] of this.#peers) {
      const score = this.#dosScore(p, maxLat, maxMem);
      if (compareScore(score, one) > 0) heap.push({ peer, score });
    }
    const worse = (a: { peer: number; score: [number, number] }, b: typeof a) => {
      const c = compareScore(a.score, b.score);
      return c !== 0 ? c > 0 : a.peer > b.peer;
    };
    let erased = 0;
    while (heap.length > 0) {
      heap.sort((a, b) => (worse(a, b) ? -1 : worse(b, a) ? 1 : 0));
      const { peer } = heap.shift()!;
      const threshold = heap.length === 0 ? one : heap[0].score;
      // The peer's announcements, not waiting for reconsideration first, oldest first.
      const anns: { o: Orphan; reconsider: boolean; seq: number }[] = [];
      for (const o of this.#orphans.values()) {
        const a = o.announcements.get(peer);
        if (a !== undefined) anns.push({ o, reconsider: a.reconsider, seq: a.seq });
      }
      anns.sort((a, b) => (a.reconsider === b.reconsider ? a.seq - b.seq : a.reconsider ? 1 : -1));
      const start = anns.length;
      let thisRound = 0;
      for (const a of anns) {
        if (!this.#needsTrim()) break;
        this.#eraseAnnouncement(a.o, peer);
        erased++;
        thisRound++;
        const p = this.#peers.get(peer);
        if (p === undefined || compareScore(this.#dosScore(p, maxLat, maxMem), threshold) <= 0) break;
      }
      this.#log(`peer=${peer} orphanage overflow, removed ${thisRound} of ${start} announcements`);
      if (!this.#needsTrim()) break;
      const p = this.#peers.get(peer);
      if (p !== undefined && p.count > 0) heap.push({ peer, score: this.#dosScore(p, maxLat, maxMem) });
      heap = heap.filter((h) => this.#peers.has(h.peer));
    }
    this.#log(`orphanage overflow, removed ${before - this.#orphans.size} tx (${erased} announcements)`);
  }
}

/** A parent and child to try together (Core's `PackageToValidate`): both from `sender`. */
export interface PackageToValidate {
  readonly parent: Transaction;
  readonly child: Transaction;
  readonly sender: number;
}

/** Hashes (display hex) the 1p1c decisions look up: Core's reject filters and the mempool. */
export interface RejectFilters {
  /** Core's `m_lazy_recent_rejects`. */
  readonly rejects: ReadonlySet<string>;
  /** Core's `m_lazy_recent_rejects_reconsiderable` (wtxids and package hashes). */
  readonly reconsiderable: ReadonlySet<string>;
  /** Whether a txid is in the mempool. */
  readonly inMempool: (txid: string) => boolean;
}

/**
 * Core's `Find1P1CPackage`: for a parent rejected for its feerate, the newest orphan announced by the same peer
 * that spends it, unless that pair (by package hash) or the child's txid was rejected before.
 */
export function find1p1cPackage(
  orphanage: TxOrphanage,
  parent: Transaction,
  peer: number,
  filters: RejectFilters,
): PackageToValidate | undefined {
  for (const child of orphanage.getChildrenFromSamePeer(parent, peer)) {
    if (
      !filters.reconsiderable.has(reverseHex(getPackageHash([parent, child]))) &&
      !filters.rejects.has(reverseHex(txidOf(child)))
    ) return { parent, child, sender: peer };
  }
  return undefined;
}

/**
 * Core's parent check in `MempoolRejectedTx` for a missing-inputs transaction: false (do not keep it as an
 * orphan) when a parent was rejected, or when more than one parent was rejected for its feerate and is not in
 * the mempool (a 1p1c package could not help).
 */
export function orphanParentsAcceptable(parents: readonly string[], filters: RejectFilters): boolean {
  let reconsiderable = 0;
  for (const p of parents) {
    if (filters.rejects.has(p)) return false;
    if (filters.reconsiderable.has(p) && !filters.inMempool(p) && ++reconsiderable > 1) return false;
  }
  return true;
}
