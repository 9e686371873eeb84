/**
 * The in-memory block tree (Core's `CBlockIndex` map in `BlockManager`): entries with chain work, skip pointers
 * for O(log n) ancestor lookup, median time past, and conversion to and from the block index database records.
 *
 * @module
 */
import { blockProof } from "../../core/pow.ts";
import { blockHash } from "../../core/wire/block.ts";
import type { BlockHeader } from "../../core/wire/types.ts";
import {
  BLOCK_FAILED_CHILD,
  BLOCK_FAILED_VALID,
  BLOCK_HAVE_DATA,
  BLOCK_HAVE_UNDO,
  BLOCK_OPT_WITNESS,
  BLOCK_VALID_CHAIN,
  BLOCK_VALID_MASK,
  BLOCK_VALID_SCRIPTS,
  BLOCK_VALID_TRANSACTIONS,
  BLOCK_VALID_TREE,
  type BlockIndexRecord,
} from "../storage/block_index_db.ts";
import type { BlockIndexEntry } from "./types.ts";

/** Core's `CBlockIndex::nMedianTimeSpan`. */
export const MEDIAN_TIME_SPAN = 11;

const VALIDITY_LEVELS: readonly BlockIndexEntry["validity"][] = [
  "header",
  "tree",
  "transactions",
  "chain",
  "scripts",
];

const BYTE_HEX: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

/** Hex of a hash in display (reversed) order. */
export function hashToHex(hash: Uint8Array): string {
  let s = "";
  for (let i = hash.length - 1; i >= 0; i--) s += BYTE_HEX[hash[i]];
  return s;
}

/** Work of one block per nBits value (a BigInt division each; a chain mostly repeats a few values). */
const proofCache = new Map<number, bigint>();

function cachedBlockProof(bits: number): bigint {
  let proof = proofCache.get(bits);
  if (proof === undefined) {
    proof = blockProof(bits);
    if (proofCache.size < 4096) proofCache.set(bits, proof);
  }
  return proof;
}

/** Bytes (internal order) of a display-order hex hash; throws on malformed input. */
export function hexToHash(hex: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new RangeError(`Cannot parse block hash: "${hex}"`);
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[31 - i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Core's `InvertLowestOne`. */
function invertLowestOne(n: number): number {
  return n & (n - 1);
}

/** Core's `GetSkipHeight`: the height the skip pointer of a block at `height` points to. */
export function skipHeight(height: number): number {
  if (height < 2) return 0;
  return (height & 1) ? invertLowestOne(invertLowestOne(height - 1)) + 1 : invertLowestOne(height);
}

/** A block index entry with the storage facts and the tree links validation needs. */
export class IndexEntry implements BlockIndexEntry {
  readonly hash: Uint8Array;
  readonly hashHex: string;
  readonly height: number;
  readonly header: BlockHeader;
  readonly prev: IndexEntry | null;
  readonly chainWork: bigint;
  readonly medianTimePast: number;
  /** Skip pointer (Core's `pskip`). */
  readonly skip: IndexEntry | null;
  validity: BlockIndexEntry["validity"] = "tree";
  failed: BlockIndexEntry["failed"] = "none";
  haveData = false;
  haveUndo = false;
  nTx = 0;
  chainTx = 0;
  /** Block file number and positions (-1 when not stored). */
  file = -1;
  dataPos = -1;
  undoPos = -1;
  /** Core's `nSequenceId`: order in which block data arrived (ties in chain work go to the lower). */
  sequenceId = 0;
  /** Result of the minimum-difficulty walk from this entry, once computed (see `lastNonMinDifficultyBitsOf`). */
  lastNonMinDifficultyBits: number | undefined = undefined;

  /**
   * The entry of `header` on `prev`. The header's hashes are copied: a decoded block's are views into the whole
   * serialized block, which the index would otherwise keep alive for as long as the node runs.
   */
  constructor(header: BlockHeader, prev: IndexEntry | null, hash: Uint8Array = blockHash(header)) {
    this.hash = hash.byteLength === hash.buffer.byteLength ? hash : hash.slice();
    this.hashHex = hashToHex(hash);
    this.header = {
      version: header.version,
      prevBlock: header.prevBlock.slice(),
      merkleRoot: header.merkleRoot.slice(),
      time: header.time,
      bits: header.bits,
      nonce: header.nonce,
    };
    this.prev = prev;
    this.height = prev === null ? 0 : prev.height + 1;
    this.chainWork = (prev?.chainWork ?? 0n) + cachedBlockProof(header.bits);
    this.skip = prev === null ? null : prev.ancestor(skipHeight(this.height));
    const times: number[] = [header.time];
    for (let p = prev; p !== null && times.length < MEDIAN_TIME_SPAN; p = p.prev) times.push(p.header.time);
    times.sort((a, b) => a - b);
    this.medianTimePast = times[Math.floor(times.length / 2)];
  }

  /** Core's `GetAncestor`: the entry at `height` on this entry's branch, or null. */
  ancestor(height: number): IndexEntry | null {
    if (height > this.height || height < 0) return null;
    // deno-lint-ignore no-this-alias
    let walk: IndexEntry = this;
    let h = this.height;
    while (h > height) {
      const hSkip = skipHeight(h);
      const hSkipPrev = skipHeight(h - 1);
      if (
        walk.skip !== null &&
        (hSkip === height || (hSkip > height && !(hSkipPrev < hSkip - 2 && hSkipPrev >= height)))
      ) {
        walk = walk.skip;
        h = hSkip;
      } else {
        walk = walk.prev!;
        h--;
      }
    }
    return walk;
  }

  /** Whether the entry reached `level` and is not failed (Core's `IsValid`). */
  isValid(level: BlockIndexEntry["validity"]): boolean {
    return this.failed === "none" && VALIDITY_LEVELS.indexOf(this.validity) >= VALIDITY_LEVELS.indexOf(level);
  }

  /** Raises the validity level (never lowers it; Core's `RaiseValidity`). Returns whether it changed. */
  raiseValidity(level: BlockIndexEntry["validity"]): boolean {
    if (this.failed !== "none") return false;
    if (VALIDITY_LEVELS.indexOf(this.validity) < VALIDITY_LEVELS.indexOf(level)) {
      this.validity = level;
      return true;
    }
    return false;
  }

  /** Core's status bits. */
  status(): number {
    let s = VALIDITY_LEVELS.indexOf(this.validity) + 1;
    if (this.haveData) s |= BLOCK_HAVE_DATA | BLOCK_OPT_WITNESS;
    if (this.haveUndo) s |= BLOCK_HAVE_UNDO;
    if (this.failed === "failed") s |= BLOCK_FAILED_VALID;
    if (this.failed === "failed-parent") s |= BLOCK_FAILED_CHILD;
    return s;
  }

  /** The database record of this entry. */
  record(): BlockIndexRecord {
    return {
      hash: this.hash,
      header: this.header,
      height: this.height,
      status: this.status(),
      txCount: this.nTx,
      file: this.file,
      dataPos: this.dataPos,
      undoPos: this.undoPos,
      chainWork: this.chainWork,
    };
  }
}

function validityOf(status: number): BlockIndexEntry["validity"] {
  const v = status & BLOCK_VALID_MASK;
  if (v >= BLOCK_VALID_SCRIPTS) return "scripts";
  if (v >= BLOCK_VALID_CHAIN) return "chain";
  if (v >= BLOCK_VALID_TRANSACTIONS) return "transactions";
  if (v >= BLOCK_VALID_TREE) return "tree";
  return "header";
}

/** The tree of all known headers, keyed by display hex hash. */
export class BlockIndex {
  readonly #map = new Map<string, IndexEntry>();
  #nextSequenceId = 1;
  #preciousSequenceId = -1;

  /** Number of entries. */
  get size(): number {
    return this.#map.size;
  }

  /** Looks up by display hex or internal-order bytes. */
  get(hash: Uint8Array | string): IndexEntry | undefined {
    return this.#map.get(typeof hash === "string" ? hash.toLowerCase() : hashToHex(hash));
  }

  /** All entries. */
  values(): IterableIterator<IndexEntry> {
    return this.#map.values();
  }

  /** Adds a header whose parent is `prev` (or returns the existing entry). */
  add(header: BlockHeader, prev: IndexEntry | null, hash?: Uint8Array): IndexEntry {
    const h = hash ?? blockHash(header);
    const existing = this.get(h);
    if (existing !== undefined) return existing;
    const e = new IndexEntry(header, prev, h);
    if (prev !== null && prev.failed !== "none") e.failed = "failed-parent";
    this.#map.set(e.hashHex, e);
    return e;
  }

  /** Stamps an entry whose data just arrived with the next sequence id (Core's `nSequenceId`). */
  stampSequence(e: IndexEntry): void {
    e.sequenceId = this.#nextSequenceId++;
  }

  /**
   * A sequence id that sorts before every other given since the last reset (preciousblock; Core's
   * `nBlockReverseSequenceId`).
   */
  preciousSequence(): number {
    const id = this.#preciousSequenceId;
    if (this.#preciousSequenceId > -0x80000000) this.#preciousSequenceId--;
    return id;
  }

  /** Starts precious sequence ids again at -1 (Core does so when the chain was extended since the last call). */
  resetPreciousSequence(): void {
    this.#preciousSequenceId = -1;
  }

  /**
   * Rebuilds the tree from database records (in any order): parents are linked by hash; entries whose parent
   * is unknown are skipped. Sets `chainTx` along each branch where every ancestor has data.
   */
  load(records: Iterable<BlockIndexRecord>): void {
    const sorted = [...records].sort((a, b) => a.height - b.height);
    for (const r of sorted) {
      const prev = r.height === 0 ? null : this.get(r.header.prevBlock) ?? null;
      if (r.height > 0 && prev === null) continue;
      const e = this.add(r.header, prev, r.hash);
      e.validity = validityOf(r.status);
      e.failed = (r.status & BLOCK_FAILED_VALID)
        ? "failed"
        : (r.status & BLOCK_FAILED_CHILD)
        ? "failed-parent"
        : "none";
      if (e.failed === "none" && prev !== null && prev.failed !== "none") e.failed = "failed-parent";
      e.haveData = (r.status & BLOCK_HAVE_DATA) !== 0;
      e.haveUndo = (r.status & BLOCK_HAVE_UNDO) !== 0;
      e.nTx = r.txCount;
      e.file = r.file;
      e.dataPos = r.dataPos;
      e.undoPos = r.undoPos;
      if (e.haveData) e.sequenceId = 1;
      e.chainTx = e.haveData && e.nTx > 0 && (prev === null || prev.chainTx > 0)
        ? (prev?.chainTx ?? 0) + e.nTx
        : 0;
    }
    this.#nextSequenceId = 2;
  }
}

/** The last common ancestor of `a` and `b` (Core's `LastCommonAncestor`). */
export function lastCommonAncestor(a: IndexEntry, b: IndexEntry): IndexEntry | null {
  let x: IndexEntry | null = a.height > b.height ? a.ancestor(b.height) : a;
  let y: IndexEntry | null = b.height > a.height ? b.ancestor(a.height) : b;
  while (x !== null && y !== null && x !== y) {
    x = x.prev;
    y = y.prev;
  }
  return x;
}
