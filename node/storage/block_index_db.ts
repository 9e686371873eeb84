/**
 * The block index database (Core's `BlockTreeDB`, `node/blockstorage.cpp`): per block its header, height,
 * status flags, transaction count, positions in the flat files and chain work; per block file its
 * {@link BlockFileInfo}; the last block file; the reindexing flag and named flags. Deno KV, one database file in
 * `<datadir>/<network>/blocks/index/` (`index.sqlite3`), written only by the node process.
 *
 * Keys (Deno KV tuples) and values:
 * - `["b", block hash (32 bytes, internal order)]` → Core's `CDiskBlockIndex` serialization (VARINT client
 *   version 259900, VARINT height, VARINT status, VARINT nTx, VARINT file if it has data or undo, VARINT data
 *   position if it has data, VARINT undo position if it has undo, the 80-byte header), followed by the chain
 *   work as 32 bytes little-endian (tsbtc's addition; Core recomputes it on load).
 * - `["f", file number]` → Core's `CBlockFileInfo` serialization (seven VARINTs).
 * - `["l"]` → the last block file, int32 little-endian (Core's `DB_LAST_BLOCK`).
 * - `["R"]` → `'1'` while a reindex is in progress (Core's `DB_REINDEX_FLAG`).
 * - `["F", name]` → `'1'` or `'0'` (Core's `DB_FLAG`, e.g. "prunedblockfiles").
 *
 * {@link BlockIndexDB.writeBatchSync} writes the file info and last file in its first atomic commit, before any
 * block record, so a record never points past the recorded end of a file even when a crash interrupts a
 * write that needs several commits.
 *
 * @module
 */

import { blockHash, encodeBlockHeader, readBlockHeader } from "../../core/wire/block.ts";
import { bytesEqual, toHex } from "../../core/hash/hashes.ts";
import { ByteReader } from "../../core/wire/reader.ts";
import { ByteWriter } from "../../core/wire/writer.ts";
import type { BlockHeader } from "../../core/wire/types.ts";
import { readVarInt, readVarInt64, writeVarInt } from "./compressor.ts";
import { type BlockFileInfo, EMPTY_BLOCK_FILE_INFO } from "./block_files.ts";
import { ChainstateError } from "./errors.ts";
import { type KvBatchCommit, type KvBatchLimits, KvBatchWriter } from "./kv_batch.ts";

/** File name of the Deno KV database inside `blocks/index/`. */
export const BLOCK_INDEX_DB_FILE = "index.sqlite3";

/** Unused validity level (Core's `BLOCK_VALID_UNKNOWN`). */
export const BLOCK_VALID_UNKNOWN = 0;
/** Reserved validity level (Core's `BLOCK_VALID_RESERVED`). */
export const BLOCK_VALID_RESERVED = 1;
/** Parents found, difficulty and time ok (Core's `BLOCK_VALID_TREE`). */
export const BLOCK_VALID_TREE = 2;
/** Transactions checked, merkle root ok (Core's `BLOCK_VALID_TRANSACTIONS`). */
export const BLOCK_VALID_TRANSACTIONS = 3;
/** Outputs, double spends, coinbase, BIP30 ok (Core's `BLOCK_VALID_CHAIN`). */
export const BLOCK_VALID_CHAIN = 4;
/** Scripts and signatures ok (Core's `BLOCK_VALID_SCRIPTS`). */
export const BLOCK_VALID_SCRIPTS = 5;
/** All validity bits (Core's `BLOCK_VALID_MASK`). */
export const BLOCK_VALID_MASK = 7;
/** Full block in `blk?????.dat` (Core's `BLOCK_HAVE_DATA`). */
export const BLOCK_HAVE_DATA = 8;
/** Undo data in `rev?????.dat` (Core's `BLOCK_HAVE_UNDO`). */
export const BLOCK_HAVE_UNDO = 16;
/** Both "have" bits (Core's `BLOCK_HAVE_MASK`). */
export const BLOCK_HAVE_MASK = 24;
/** Failed validation (Core's `BLOCK_FAILED_VALID`). */
export const BLOCK_FAILED_VALID = 32;
/** Descends from a failed block (Core's `BLOCK_FAILED_CHILD`, no longer set by Core). */
export const BLOCK_FAILED_CHILD = 64;
/** Received with witness data (Core's `BLOCK_OPT_WITNESS`). */
export const BLOCK_OPT_WITNESS = 128;
/** Reserved (Core's `BLOCK_STATUS_RESERVED`). */
export const BLOCK_STATUS_RESERVED = 256;

/** Core's `CDiskBlockIndex::DUMMY_VERSION`, written in place of the old client version. */
export const DISK_BLOCK_INDEX_DUMMY_VERSION = 259900;

/** One block's entry in the block index (Core's `CDiskBlockIndex`, plus chain work). */
export interface BlockIndexRecord {
  /** The block hash (internal byte order); always the hash of `header`. */
  readonly hash: Uint8Array;
  /** The header. */
  readonly header: BlockHeader;
  /** Height in its chain. */
  readonly height: number;
  /** Status flags (`BLOCK_VALID_*`, `BLOCK_HAVE_*`, `BLOCK_FAILED_*`, `BLOCK_OPT_WITNESS`). */
  readonly status: number;
  /** Transactions in the block (0 until the block data is known; Core's `nTx`). */
  readonly txCount: number;
  /** Block/undo file number (meaningful with BLOCK_HAVE_DATA or BLOCK_HAVE_UNDO; -1 otherwise). */
  readonly file: number;
  /** Position of the block data (with BLOCK_HAVE_DATA). */
  readonly dataPos: number;
  /** Position of the undo data (with BLOCK_HAVE_UNDO). */
  readonly undoPos: number;
  /** Total work of the chain up to and including this block. */
  readonly chainWork: bigint;
}

/** Serializes a block index record (Core's `CDiskBlockIndex` followed by 32 bytes of chain work, LE). */
export function encodeBlockIndexRecord(r: BlockIndexRecord): Uint8Array {
  if (r.chainWork < 0n || r.chainWork >= 1n << 256n) {
    throw new RangeError(`Cannot encode chain work: ${r.chainWork}`);
  }
  const w = new ByteWriter(160);
  writeVarInt(w, DISK_BLOCK_INDEX_DUMMY_VERSION);
  writeVarInt(w, r.height);
  writeVarInt(w, r.status);
  writeVarInt(w, r.txCount);
  if (r.status & BLOCK_HAVE_MASK) writeVarInt(w, r.file);
  if (r.status & BLOCK_HAVE_DATA) writeVarInt(w, r.dataPos);
  if (r.status & BLOCK_HAVE_UNDO) writeVarInt(w, r.undoPos);
  w.bytes(encodeBlockHeader(r.header));
  let work = r.chainWork;
  for (let i = 0; i < 32; i++) {
    w.u8(Number(work & 0xffn));
    work >>= 8n;
  }
  return w.finish();
}

/**
 * Parses a block index record stored under `hash`; throws `ChainstateError("corrupt")` when it does not parse
 * or its header does not hash to `hash`.
 */
export function decodeBlockIndexRecord(hash: Uint8Array, bytes: Uint8Array): BlockIndexRecord {
  try {
    const r = new ByteReader(bytes, "block index record");
    readVarInt(r, 0x7fffffff);
    const height = readVarInt(r, 0x7fffffff);
    const status = readVarInt(r);
    const txCount = readVarInt(r);
    const file = status & BLOCK_HAVE_MASK ? readVarInt(r, 0x7fffffff) : -1;
    const dataPos = status & BLOCK_HAVE_DATA ? readVarInt(r) : 0;
    const undoPos = status & BLOCK_HAVE_UNDO ? readVarInt(r) : 0;
    const header = readBlockHeader(r);
    const workBytes = r.bytes(32);
    r.expectEnd("the chain work");
    let chainWork = 0n;
    for (let i = 31; i >= 0; i--) chainWork = (chainWork << 8n) | BigInt(workBytes[i]);
    const h = { ...header, prevBlock: header.prevBlock.slice(), merkleRoot: header.merkleRoot.slice() };
    if (!bytesEqual(blockHash(h), hash)) throw new Error("header does not hash to the key");
    return { hash: hash.slice(), header: h, height, status, txCount, file, dataPos, undoPos, chainWork };
  } catch (e) {
    throw new ChainstateError(
      "corrupt",
      `Cannot read block index record ${toHex(hash.slice().reverse())}: ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/** Serializes a block file info (Core's `CBlockFileInfo`: seven VARINTs). */
export function encodeBlockFileInfo(i: BlockFileInfo): Uint8Array {
  const w = new ByteWriter(40);
  writeVarInt(w, i.blocks);
  writeVarInt(w, i.size);
  writeVarInt(w, i.undoSize);
  writeVarInt(w, i.heightFirst);
  writeVarInt(w, i.heightLast);
  writeVarInt(w, i.timeFirst);
  writeVarInt(w, i.timeLast);
  return w.finish();
}

/** Parses a block file info (throws `DecodeError`). */
export function decodeBlockFileInfo(bytes: Uint8Array): BlockFileInfo {
  const r = new ByteReader(bytes, "block file info");
  const blocks = readVarInt(r);
  const size = readVarInt(r);
  const undoSize = readVarInt(r);
  const heightFirst = readVarInt(r);
  const heightLast = readVarInt(r);
  const timeFirst = Number(readVarInt64(r));
  const timeLast = Number(readVarInt64(r));
  r.expectEnd("the block file info");
  return { blocks, size, undoSize, heightFirst, heightLast, timeFirst, timeLast };
}

/** What {@link BlockIndexDB.writeBatchSync} writes (Core's `WriteBatchSync` arguments). */
export interface BlockIndexBatch {
  /** Changed file infos. */
  readonly fileInfo: readonly { readonly file: number; readonly info: BlockFileInfo }[];
  /** The last block file. */
  readonly lastFile: number;
  /** Changed block records. */
  readonly records: Iterable<BlockIndexRecord>;
}

/** Options of {@link BlockIndexDB.open}. */
export interface BlockIndexDBOptions {
  /** The index directory, `<datadir>/<network>/blocks/index` (created if missing). */
  readonly dir: string;
  /** Per-commit limits (default Deno KV's). */
  readonly limits?: KvBatchLimits;
  /** Called after every atomic commit of {@link BlockIndexDB.writeBatchSync} (awaited; progress, crash tests). */
  readonly onCommit?: (commit: KvBatchCommit) => void | Promise<void>;
}

function asBytes(v: unknown, what: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new ChainstateError("corrupt", `Cannot read ${what}: not bytes`);
  return v;
}

/** The block index in Deno KV. */
export class BlockIndexDB {
  readonly #kv: Deno.Kv;
  readonly #path: string;
  readonly #limits: KvBatchLimits | undefined;
  readonly #onCommit: BlockIndexDBOptions["onCommit"];
  #closed = false;

  private constructor(kv: Deno.Kv, path: string, options: BlockIndexDBOptions) {
    this.#kv = kv;
    this.#path = path;
    this.#limits = options.limits;
    this.#onCommit = options.onCommit;
  }

  /** Opens (creating if needed) the block index database in `options.dir`. */
  static async open(options: BlockIndexDBOptions): Promise<BlockIndexDB> {
    await Deno.mkdir(options.dir, { recursive: true });
    const path = `${options.dir}/${BLOCK_INDEX_DB_FILE}`;
    return new BlockIndexDB(await Deno.openKv(path), path, options);
  }

  /** Path of the database file. */
  get path(): string {
    return this.#path;
  }

  /**
   * Writes changed file infos, the last file and changed block records (Core's `WriteBatchSync`): file infos and
   * the last file in the first atomic commit, records after them, as many commits as the limits need.
   */
  async writeBatchSync(batch: BlockIndexBatch): Promise<void> {
    this.#checkOpen();
    const writer = new KvBatchWriter(this.#kv, { limits: this.#limits, onCommit: this.#onCommit });
    for (const { file, info } of batch.fileInfo) {
      await writer.add({ type: "set", key: ["f", file], value: encodeBlockFileInfo(info) });
    }
    const last = new Uint8Array(4);
    new DataView(last.buffer).setInt32(0, batch.lastFile, true);
    await writer.add({ type: "set", key: ["l"], value: last });
    for (const r of batch.records) {
      if (!bytesEqual(blockHash(r.header), r.hash)) {
        throw new RangeError(
          `Cannot write block index record ${toHex(r.hash.slice().reverse())}: hash is not the header's`,
        );
      }
      await writer.add({ type: "set", key: ["b", r.hash.slice()], value: encodeBlockIndexRecord(r) });
    }
    await writer.commit();
  }

  /** The info of block file `n` (Core's `ReadBlockFileInfo`), or undefined. */
  async readBlockFileInfo(n: number): Promise<BlockFileInfo | undefined> {
    this.#checkOpen();
    const r = await this.#kv.get(["f", n]);
    if (r.value === null) return undefined;
    return this.#decodeInfo(r.value, n);
  }

  #decodeInfo(v: unknown, n: number): BlockFileInfo {
    try {
      return decodeBlockFileInfo(asBytes(v, `block file info ${n}`));
    } catch (e) {
      if (e instanceof ChainstateError) throw e;
      throw new ChainstateError("corrupt", `Cannot read block file info ${n}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }

  /**
   * Every stored file info, indexed by file number (missing numbers filled with empty infos), for
   * `BlockFiles.open` (Core's `LoadBlockIndexDB` reading `f` records up to the last file).
   */
  async readAllBlockFileInfo(): Promise<BlockFileInfo[]> {
    this.#checkOpen();
    const out: BlockFileInfo[] = [];
    for await (const e of this.#kv.list({ prefix: ["f"] })) {
      const n = e.key[1];
      if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
        throw new ChainstateError("corrupt", "Cannot read block file info: malformed key");
      }
      while (out.length < n) {
        out.push({ ...EMPTY_BLOCK_FILE_INFO });
      }
      out[n] = this.#decodeInfo(e.value, n);
    }
    return out;
  }

  /** The last block file (Core's `ReadLastBlockFile`), or undefined. */
  async readLastBlockFile(): Promise<number | undefined> {
    this.#checkOpen();
    const r = await this.#kv.get(["l"]);
    if (r.value === null) return undefined;
    const b = asBytes(r.value, "last block file");
    if (b.length !== 4) throw new ChainstateError("corrupt", "Cannot read last block file: not 4 bytes");
    return new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true);
  }

  /** Sets or clears the reindexing flag (Core's `WriteReindexing`). */
  async writeReindexing(reindexing: boolean): Promise<void> {
    this.#checkOpen();
    if (reindexing) await this.#kv.set(["R"], new Uint8Array([0x31]));
    else await this.#kv.delete(["R"]);
  }

  /** Whether a reindex was in progress (Core's `ReadReindexing`). */
  async readReindexing(): Promise<boolean> {
    this.#checkOpen();
    return (await this.#kv.get(["R"])).value !== null;
  }

  /** Writes a named flag (Core's `WriteFlag`). */
  async writeFlag(name: string, value: boolean): Promise<void> {
    this.#checkOpen();
    await this.#kv.set(["F", name], new Uint8Array([value ? 0x31 : 0x30]));
  }

  /** Reads a named flag (Core's `ReadFlag`), undefined when never written. */
  async readFlag(name: string): Promise<boolean | undefined> {
    this.#checkOpen();
    const r = await this.#kv.get(["F", name]);
    if (r.value === null) return undefined;
    const b = asBytes(r.value, `flag ${name}`);
    return b.length === 1 && b[0] === 0x31;
  }

  /** One block's record, or undefined. */
  async readRecord(hash: Uint8Array): Promise<BlockIndexRecord | undefined> {
    this.#checkOpen();
    const r = await this.#kv.get(["b", hash]);
    if (r.value === null) return undefined;
    return decodeBlockIndexRecord(hash, asBytes(r.value, "block index record"));
  }

  /**
   * Every block record, in hash order (Core's `LoadBlockIndexGuts`); each is checked to parse and to hash to its
   * key. Linking parents and checking proof of work is the caller's job.
   */
  async *loadBlockIndex(): AsyncGenerator<BlockIndexRecord> {
    this.#checkOpen();
    for await (const e of this.#kv.list({ prefix: ["b"] }, { batchSize: 1000 })) {
      const hash = e.key[1];
      if (!(hash instanceof Uint8Array) || hash.length !== 32) {
        throw new ChainstateError("corrupt", "Cannot read block index: malformed key");
      }
      yield decodeBlockIndexRecord(hash, asBytes(e.value, "block index record"));
    }
  }

  /** Closes the database. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#kv.close();
  }

  #checkOpen(): void {
    if (this.#closed) throw new ChainstateError("corrupt", "Cannot use the block index: closed");
  }
}
