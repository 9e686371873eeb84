/**
 * Raw blocks and undo data in numbered flat files, as Core's `BlockManager` keeps them (`node/blockstorage.cpp`):
 * `<blocks dir>/blk00000.dat`, `rev00000.dat`, … Every record is framed as
 * `message start (4 bytes) ‖ size (uint32 LE) ‖ data`; an undo record is followed by a 32-byte checksum
 * (SHA-256d of the previous block's hash and the undo data, not counted in the size). A block file is closed
 * for appends once the next block would make it reach 128 MiB (`MAX_BLOCKFILE_SIZE`; 64 KiB with
 * `-fastprune`), the undo data of a block goes to the `rev` file with the same number as its block. Space is
 * extended in chunks (16 MiB for `blk`, 1 MiB for `rev`) and trimmed when a file is finished.
 *
 * Crash safety follows Core: the writer appends at the end recorded in the per-file info
 * ({@link BlockFileInfo}), which the caller stores in the block index database only after {@link BlockFiles.flush}
 * has synced the files. After a crash the files may hold bytes past that recorded end (half-written records);
 * nothing in the index points at them and the next append overwrites them. A position therefore becomes
 * "visible" only after `flush()` and the index write that follows it. Reading by position checks the framing
 * (message start, size bounds, file length) and, for undo data, the checksum, and throws a typed
 * {@link BlockStorageError}.
 *
 * All file operations are synchronous (one writer, no interleaving on the shared handles).
 *
 * @module
 */

import { bytesEqual, sha256d, toHex } from "../../core/hash/hashes.ts";
import { DecodeError } from "../../core/wire/errors.ts";
import { MAX_SIZE } from "../../core/wire/reader.ts";
import { isObfuscating, obfuscateAt, OBFUSCATION_KEY_SIZE } from "./xor_key.ts";
import { BlockStorageError } from "./errors.ts";
import { flatFileName, type FlatFilePos, flatFilePosToString } from "./flat_file_pos.ts";
import { type BlockUndo, decodeBlockUndo, encodeBlockUndo, undoChecksum } from "./undo.ts";

/** Largest block file (Core's `MAX_BLOCKFILE_SIZE`, 128 MiB). */
export const MAX_BLOCKFILE_SIZE = 128 * 1024 * 1024;
/** Block file size limit with `-fastprune` (64 KiB, raised per block when a block is larger). */
export const FASTPRUNE_BLOCKFILE_SIZE = 0x10000;
/** Pre-allocation chunk of `blk?????.dat` (Core's `BLOCKFILE_CHUNK_SIZE`, 16 MiB). */
export const BLOCKFILE_CHUNK_SIZE = 16 * 1024 * 1024;
/** Pre-allocation chunk of `rev?????.dat` (Core's `UNDOFILE_CHUNK_SIZE`, 1 MiB). */
export const UNDOFILE_CHUNK_SIZE = 1024 * 1024;
/** Message start and size before every record (Core's `STORAGE_HEADER_BYTES`). */
export const STORAGE_HEADER_BYTES = 8;
/** Bytes an undo record takes besides its data: header and checksum (Core's `UNDO_DATA_DISK_OVERHEAD`). */
export const UNDO_DATA_DISK_OVERHEAD = STORAGE_HEADER_BYTES + 32;

/** What is known about one block file and its undo file (Core's `CBlockFileInfo`). */
export interface BlockFileInfo {
  /** Blocks stored in the file. */
  readonly blocks: number;
  /** Used bytes of the block file (where the next block goes). */
  readonly size: number;
  /** Used bytes of the undo file. */
  readonly undoSize: number;
  /** Lowest block height in the file. */
  readonly heightFirst: number;
  /** Highest block height in the file. */
  readonly heightLast: number;
  /** Earliest block time in the file. */
  readonly timeFirst: number;
  /** Latest block time in the file. */
  readonly timeLast: number;
}

/** The info of an empty file. */
export const EMPTY_BLOCK_FILE_INFO: BlockFileInfo = Object.freeze({
  blocks: 0,
  size: 0,
  undoSize: 0,
  heightFirst: 0,
  heightLast: 0,
  timeFirst: 0,
  timeLast: 0,
});

/** Core's `CBlockFileInfo::AddBlock`: the statistics with one more block (sizes unchanged). */
export function addBlockToFileInfo(info: BlockFileInfo, height: number, time: number): BlockFileInfo {
  const first = info.blocks === 0;
  return {
    blocks: info.blocks + 1,
    size: info.size,
    undoSize: info.undoSize,
    heightFirst: first || info.heightFirst > height ? height : info.heightFirst,
    heightLast: height > info.heightLast ? height : info.heightLast,
    timeFirst: first || info.timeFirst > time ? time : info.timeFirst,
    timeLast: time > info.timeLast ? time : info.timeLast,
  };
}

/** Options of {@link BlockFiles.open}. */
export interface BlockFilesOptions {
  /** The blocks directory, `<datadir>/<network>/blocks` (created if missing). */
  readonly dir: string;
  /** The network's 4-byte message start (`chainParams(network).messageStart`). */
  readonly messageStart: Uint8Array;
  /** Per-file info as last stored in the block index database (index = file number). Empty for a new node. */
  readonly fileInfo?: readonly BlockFileInfo[];
  /** The file appends go to, as stored in the block index database (`nLastBlockFile`); default the last info. */
  readonly lastFile?: number;
  /** Core's `-fastprune`: 64 KiB block files (tests). */
  readonly fastPrune?: boolean;
  /** Override of the block file size limit (tests); default {@link MAX_BLOCKFILE_SIZE}. */
  readonly maxFileSize?: number;
  /** Extend files in chunks ahead of the data (default true), trimmed when a file is finished. */
  readonly preallocate?: boolean;
  /** Most file handles kept open at once (default 16). */
  readonly maxOpenFiles?: number;
  /** The obfuscation key of `xor.dat` (xor_key.ts); default none (all zeros). */
  readonly obfuscationKey?: Uint8Array;
}

/** What {@link BlockFiles.flush} reports for the block index database. */
export interface BlockFilesFlushResult {
  /** Info of every file changed since the previous flush, to store in the index database. */
  readonly fileInfo: readonly { readonly file: number; readonly info: BlockFileInfo }[];
  /** The file appends go to (`nLastBlockFile`). */
  readonly lastFile: number;
}

/** A record found by {@link BlockFiles.scanBlockFile}. */
export interface ScannedBlock {
  /** Position of the data (after the storage header). */
  readonly pos: FlatFilePos;
  /** The record's bytes (a serialized block, not checked). */
  readonly data: Uint8Array;
}

type Kind = "blk" | "rev";

interface Handle {
  file: Deno.FsFile;
  /** Physical length as far as this process knows (including pre-allocated space). */
  length: number;
  /** Written since the last sync. */
  dirty: boolean;
  /** The file's current offset as far as this process knows (-1: unknown), to skip needless seeks. */
  offset: number;
}

/** The smallest a serialized block can be (header plus a one-byte transaction count). */
const MIN_BLOCK_RECORD = 81;

/** The block and undo flat files of one network. */
export class BlockFiles {
  readonly #dir: string;
  readonly #magic: Uint8Array;
  readonly #fastPrune: boolean;
  readonly #maxFileSize: number;
  readonly #preallocate: boolean;
  readonly #maxOpen: number;
  /** The XOR key, or null when the files are not obfuscated. */
  readonly #key: Uint8Array | null;
  #info: BlockFileInfo[];
  #cursor: number;
  readonly #dirtyInfo = new Set<number>();
  readonly #handles = new Map<string, Handle>();
  #closed = false;

  private constructor(options: BlockFilesOptions) {
    if (options.messageStart.length !== 4) {
      throw new RangeError(`Cannot open block files: message start is ${options.messageStart.length} bytes`);
    }
    this.#dir = options.dir;
    this.#magic = options.messageStart.slice();
    this.#fastPrune = options.fastPrune ?? false;
    this.#maxFileSize = options.maxFileSize ?? MAX_BLOCKFILE_SIZE;
    this.#preallocate = options.preallocate ?? true;
    this.#maxOpen = Math.max(2, options.maxOpenFiles ?? 16);
    const key = options.obfuscationKey;
    if (key !== undefined && key.length !== OBFUSCATION_KEY_SIZE) {
      throw new RangeError(`Cannot open block files: obfuscation key is ${key.length} bytes`);
    }
    this.#key = key !== undefined && isObfuscating(key) ? key.slice() : null;
    this.#info = (options.fileInfo ?? []).map((i) => ({ ...i }));
    this.#cursor = options.lastFile ?? Math.max(0, this.#info.length - 1);
    if (!Number.isInteger(this.#cursor) || this.#cursor < 0) {
      throw new RangeError(`Cannot open block files: last file is ${options.lastFile}`);
    }
    while (this.#info.length <= this.#cursor) this.#info.push(EMPTY_BLOCK_FILE_INFO);
  }

  /** Opens (creating the directory if needed) the block files of one network. */
  static open(options: BlockFilesOptions): BlockFiles {
    Deno.mkdirSync(options.dir, { recursive: true });
    return new BlockFiles(options);
  }

  /** The blocks directory. */
  get dir(): string {
    return this.#dir;
  }

  /** The file appends go to (Core's `nLastBlockFile`). */
  get lastFile(): number {
    return this.#cursor;
  }

  /** Number of files known (the highest file number plus one). */
  get fileCount(): number {
    return this.#info.length;
  }

  /** Info of file `n` (an empty info for a file never written). */
  fileInfo(n: number): BlockFileInfo {
    return this.#info[n] ?? EMPTY_BLOCK_FILE_INFO;
  }

  /** Path of `blk`/`rev` file `n`. */
  path(kind: Kind, n: number): string {
    return `${this.#dir}/${flatFileName(kind, n)}`;
  }

  /** Total bytes used by block and undo data (Core's `CalculateCurrentUsage`). */
  currentUsage(): number {
    let total = 0;
    for (const i of this.#info) total += i.size + i.undoSize;
    return total;
  }

  /**
   * Appends a serialized block (Core's `WriteBlock` / `FindNextBlockPos`): moves to a new file when this one would
   * reach its size limit, writes the framed record and returns the position of the block data. `height` and
   * `time` feed the file statistics. The position is durable only after {@link flush}.
   */
  writeBlock(block: Uint8Array, height: number, time: number): FlatFilePos {
    this.#checkOpen();
    const add = block.length + STORAGE_HEADER_BYTES;
    let max = this.#maxFileSize;
    if (this.#fastPrune) {
      max = FASTPRUNE_BLOCKFILE_SIZE;
      if (add >= max) max = add + 1;
    }
    if (add >= max) {
      throw new BlockStorageError(
        "io",
        `Cannot write block: ${block.length} bytes do not fit in a block file`,
      );
    }
    let n = this.#cursor;
    while (this.fileInfo(n).size + add >= max) n++;
    if (n !== this.#cursor) {
      this.#finalize(this.#cursor);
      this.#cursor = n;
      while (this.#info.length <= n) this.#info.push(EMPTY_BLOCK_FILE_INFO);
      this.#dirtyInfo.add(n);
    }
    const start = this.fileInfo(n).size;
    const record = new Uint8Array(add);
    this.#frame(record, block.length);
    record.set(block, STORAGE_HEADER_BYTES);
    this.#writeAt("blk", n, start, record);
    const info = addBlockToFileInfo(this.fileInfo(n), height, time);
    this.#info[n] = { ...info, size: start + add };
    this.#dirtyInfo.add(n);
    return { file: n, pos: start + STORAGE_HEADER_BYTES };
  }

  /**
   * Records a block found in the files (reindex; Core's `UpdateBlockInfo`): the file statistics grow to cover
   * it and appends continue after the furthest such block.
   */
  noteBlockOnDisk(pos: FlatFilePos, size: number, height: number, time: number): void {
    this.#checkOpen();
    this.#checkPos(pos, "block");
    const n = pos.file;
    while (this.#info.length <= n) this.#info.push(EMPTY_BLOCK_FILE_INFO);
    if (n > this.#cursor) this.#cursor = n;
    const info = addBlockToFileInfo(this.fileInfo(n), height, time);
    this.#info[n] = { ...info, size: Math.max(info.size, pos.pos + size) };
    this.#dirtyInfo.add(n);
  }

  /**
   * Reads the block record at `pos` (the position {@link writeBlock} returned): checks the message start, the
   * size against Core's MAX_SIZE and the file length, and, when `expectedHash` is given, that the first 80
   * bytes hash to it. Returns the serialized block (not decoded).
   */
  readBlock(pos: FlatFilePos, expectedHash?: Uint8Array): Uint8Array {
    this.#checkOpen();
    const data = this.#readRecord("blk", pos, 0);
    if (expectedHash !== undefined) {
      if (data.length < 80) {
        throw new BlockStorageError(
          "malformed",
          `Cannot read block at ${flatFilePosToString(pos)}: ${data.length} bytes`,
          pos,
        );
      }
      const hash = sha256d(data.subarray(0, 80));
      if (!bytesEqual(hash, expectedHash)) {
        throw new BlockStorageError(
          "hash-mismatch",
          `Cannot read block at ${flatFilePosToString(pos)}: GetHash() doesn't match index (${
            toHex(hash.slice().reverse())
          } != ${toHex(expectedHash.slice().reverse())})`,
          pos,
        );
      }
    }
    return data;
  }

  /**
   * Appends the undo data of a block stored in file `file` to `rev<file>.dat` (Core's `WriteBlockUndo`), with its
   * checksum over `prevBlockHash` (the hash of the block's parent). Returns the position of the undo data.
   */
  writeUndo(undo: BlockUndo | Uint8Array, prevBlockHash: Uint8Array, file: number): FlatFilePos {
    this.#checkOpen();
    if (!Number.isInteger(file) || file < 0 || file >= this.#info.length) {
      throw new BlockStorageError("bad-position", `Cannot write undo data: no block file ${file}`);
    }
    const bytes = undo instanceof Uint8Array ? undo : encodeBlockUndo(undo);
    const checksum = undoChecksum(prevBlockHash, bytes);
    const start = this.fileInfo(file).undoSize;
    const record = new Uint8Array(bytes.length + UNDO_DATA_DISK_OVERHEAD);
    this.#frame(record, bytes.length);
    record.set(bytes, STORAGE_HEADER_BYTES);
    record.set(checksum, STORAGE_HEADER_BYTES + bytes.length);
    this.#writeAt("rev", file, start, record);
    this.#info[file] = { ...this.fileInfo(file), undoSize: start + record.length };
    this.#dirtyInfo.add(file);
    return { file, pos: start + STORAGE_HEADER_BYTES };
  }

  /**
   * Reads the undo data at `pos` (Core's `ReadBlockUndo`): checks the framing, the checksum over `prevBlockHash`
   * and that the record parses to exactly its size.
   */
  readUndo(pos: FlatFilePos, prevBlockHash: Uint8Array): BlockUndo {
    const bytes = this.readUndoBytes(pos, prevBlockHash);
    try {
      return decodeBlockUndo(bytes);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      throw new BlockStorageError(
        "malformed",
        `Cannot read block undo at ${flatFilePosToString(pos)}: ${e.message}`,
        pos,
        { cause: e },
      );
    }
  }

  /** Like {@link readUndo} but returns the checked serialized undo data without decoding it. */
  readUndoBytes(pos: FlatFilePos, prevBlockHash: Uint8Array): Uint8Array {
    this.#checkOpen();
    const record = this.#readRecord("rev", pos, 32);
    const bytes = record.subarray(0, record.length - 32);
    const stored = record.subarray(record.length - 32);
    if (!bytesEqual(undoChecksum(prevBlockHash, bytes), stored)) {
      throw new BlockStorageError(
        "checksum-mismatch",
        `Cannot read block undo at ${flatFilePosToString(pos)}: Checksum mismatch`,
        pos,
      );
    }
    return bytes;
  }

  /**
   * Syncs every file written since the last flush to disk (fdatasync) and returns the info of the files that
   * changed, which the caller must now store in the block index database (Core's `FlushBlockFile` followed
   * by `WriteBlockIndexDB`). Only positions written before this call may be stored in the index.
   */
  flush(): BlockFilesFlushResult {
    this.#checkOpen();
    for (const h of this.#handles.values()) this.#sync(h);
    const fileInfo = [...this.#dirtyInfo].sort((a, b) => a - b).map((file) => ({
      file,
      info: this.fileInfo(file),
    }));
    this.#dirtyInfo.clear();
    return { fileInfo, lastFile: this.#cursor };
  }

  /** Marks file infos as changed again (after the index write of a {@link flush} result failed, to retry). */
  markFileInfoDirty(files: Iterable<number>): void {
    for (const n of files) if (n >= 0 && n < this.#info.length) this.#dirtyInfo.add(n);
  }

  /**
   * Iterates the well-framed records of block file `n` from its start, for `-reindex` (Core's
   * `LoadExternalBlockFile` framing): finds the message start, reads the size, and yields records of at least
   * 81 bytes and at most MAX_SIZE that fit in the file; anything else is skipped byte by byte. Record contents
   * are not checked (a half-written record yields bytes that fail to decode or hash). Stops at the end of the
   * file. Throws `missing-file` if the file does not exist.
   */
  *scanBlockFile(n: number): Generator<ScannedBlock> {
    this.#checkOpen();
    const h = this.#handle("blk", n, false);
    if (h === null) {
      throw new BlockStorageError("missing-file", `Cannot scan ${flatFileName("blk", n)}: file not found`);
    }
    const length = h.file.statSync().size;
    const magic = this.#magic;
    const chunk = 1 << 16;
    let off = 0;
    while (off + STORAGE_HEADER_BYTES <= length) {
      const head = readAt(this.#key, h, off, STORAGE_HEADER_BYTES);
      if (head.length < STORAGE_HEADER_BYTES) break;
      if (head[0] === magic[0] && head[1] === magic[1] && head[2] === magic[2] && head[3] === magic[3]) {
        const size = (head[4] | (head[5] << 8) | (head[6] << 16) | (head[7] << 24)) >>> 0;
        if (size >= MIN_BLOCK_RECORD && size <= MAX_SIZE && off + STORAGE_HEADER_BYTES + size <= length) {
          const data = readAt(this.#key, h, off + STORAGE_HEADER_BYTES, size);
          if (data.length === size) {
            yield { pos: { file: n, pos: off + STORAGE_HEADER_BYTES }, data };
            off += STORAGE_HEADER_BYTES + size;
            continue;
          }
        }
      }
      // Resynchronize: the next occurrence of the message start after `off`.
      let next = -1;
      let from = off + 1;
      while (next < 0 && from + 4 <= length) {
        const buf = readAt(this.#key, h, from, Math.min(chunk + 3, length - from));
        for (let i = 0; i + 4 <= buf.length; i++) {
          if (
            buf[i] === magic[0] && buf[i + 1] === magic[1] && buf[i + 2] === magic[2] &&
            buf[i + 3] === magic[3]
          ) {
            next = from + i;
            break;
          }
        }
        from += chunk;
      }
      if (next < 0) break;
      off = next;
    }
  }

  /** Syncs and closes every file handle. Further calls fail. */
  close(): void {
    if (this.#closed) return;
    for (const [key, h] of this.#handles) {
      try {
        this.#sync(h);
      } finally {
        h.file.close();
        this.#handles.delete(key);
      }
    }
    this.#closed = true;
  }

  #checkOpen(): void {
    if (this.#closed) throw new BlockStorageError("io", "Cannot use block files: closed");
  }

  #checkPos(pos: FlatFilePos, what: string): void {
    if (
      !Number.isInteger(pos.file) || pos.file < 0 || !Number.isInteger(pos.pos) ||
      pos.pos < STORAGE_HEADER_BYTES
    ) {
      throw new BlockStorageError(
        "bad-position",
        `Cannot read ${what} at ${flatFilePosToString(pos)}: position is before the storage header`,
        pos,
      );
    }
  }

  #frame(record: Uint8Array, size: number): void {
    record.set(this.#magic, 0);
    record[4] = size & 0xff;
    record[5] = (size >>> 8) & 0xff;
    record[6] = (size >>> 16) & 0xff;
    record[7] = size >>> 24;
  }

  /**
   * `length` bytes at `offset` of `blk<file>.dat`, de-obfuscated (the transaction index reads single transactions
   * this way), or null when the file is missing or ends before.
   */
  readRange(file: number, offset: number, length: number): Uint8Array | null {
    this.#checkOpen();
    if (!Number.isInteger(file) || file < 0 || !Number.isInteger(offset) || offset < 0 || length < 0) {
      return null;
    }
    const h = this.#handle("blk", file, false);
    if (h === null) return null;
    const data = readAt(this.#key, h, offset, length);
    return data.length === length ? data : null;
  }

  /** Reads the framed record whose data starts at `pos`, plus `trailer` bytes after the data. */
  #readRecord(kind: Kind, pos: FlatFilePos, trailer: number): Uint8Array {
    const what = kind === "blk" ? "block" : "block undo";
    this.#checkPos(pos, what);
    const where = `${flatFilePosToString(pos)} (${flatFileName(kind, pos.file)})`;
    const h = this.#handle(kind, pos.file, false);
    if (h === null) {
      throw new BlockStorageError("missing-file", `Cannot read ${what} at ${where}: file not found`, pos);
    }
    const head = readAt(this.#key, h, pos.pos - STORAGE_HEADER_BYTES, STORAGE_HEADER_BYTES);
    if (head.length < STORAGE_HEADER_BYTES) {
      throw new BlockStorageError(
        "truncated",
        `Cannot read ${what} at ${where}: file ends in the storage header`,
        pos,
      );
    }
    const m = this.#magic;
    if (head[0] !== m[0] || head[1] !== m[1] || head[2] !== m[2] || head[3] !== m[3]) {
      throw new BlockStorageError(
        "bad-magic",
        `Cannot read ${what} at ${where}: magic mismatch (${toHex(head.subarray(0, 4))} versus expected ${
          toHex(m)
        })`,
        pos,
      );
    }
    const size = (head[4] | (head[5] << 8) | (head[6] << 16) | (head[7] << 24)) >>> 0;
    if (size > MAX_SIZE) {
      throw new BlockStorageError(
        "too-large",
        `Cannot read ${what} at ${where}: data is larger than maximum deserialization size (${size} versus ${MAX_SIZE})`,
        pos,
      );
    }
    const data = readAt(this.#key, h, pos.pos, size + trailer);
    if (data.length < size + trailer) {
      throw new BlockStorageError(
        "truncated",
        `Cannot read ${what} at ${where}: file ends after ${data.length} of ${size + trailer} bytes`,
        pos,
      );
    }
    return data;
  }

  #writeAt(kind: Kind, n: number, offset: number, data: Uint8Array): void {
    const h = this.#handle(kind, n, true)!;
    const end = offset + data.length;
    try {
      if (this.#preallocate && end > h.length) {
        const chunk = kind === "blk" ? BLOCKFILE_CHUNK_SIZE : UNDOFILE_CHUNK_SIZE;
        const target = Math.ceil(end / chunk) * chunk;
        h.file.truncateSync(target);
        h.length = target;
      }
      writeAt(this.#key, h, offset, data);
    } catch (e) {
      throw new BlockStorageError(
        "io",
        `Cannot write ${flatFileName(kind, n)} at ${offset}: ${(e as Error).message}`,
        { file: n, pos: offset },
        { cause: e },
      );
    }
    if (end > h.length) h.length = end;
    h.dirty = true;
  }

  /** Syncs file `n` and trims pre-allocated space past the used bytes (Core's `Flush(pos, finalize=true)`). */
  #finalize(n: number): void {
    const info = this.fileInfo(n);
    for (const [kind, used] of [["blk", info.size], ["rev", info.undoSize]] as const) {
      const h = this.#handles.get(`${kind}${n}`);
      if (h === undefined) continue;
      if (h.length > used) {
        h.file.truncateSync(used);
        h.length = used;
        h.dirty = true;
      }
      this.#sync(h);
    }
  }

  #sync(h: Handle): void {
    if (!h.dirty) return;
    h.file.syncDataSync();
    h.dirty = false;
  }

  /** Whether `blk|rev<n>.dat` is still at its path (one stat; a cached handle outlives a rename). */
  #stillThere(kind: Kind, n: number): boolean {
    try {
      Deno.statSync(this.path(kind, n));
      return true;
    } catch (e) {
      return !(e instanceof Deno.errors.NotFound);
    }
  }

  #handle(kind: Kind, n: number, create: boolean): Handle | null {
    const key = `${kind}${n}`;
    const cached = this.#handles.get(key);
    if (cached !== undefined && !create && !this.#stillThere(kind, n)) {
      // Removed or renamed behind our back: Core opens the file for each read and finds it missing.
      this.#sync(cached);
      cached.file.close();
      this.#handles.delete(key);
      return null;
    }
    if (cached !== undefined) {
      // Refresh its place in the LRU order.
      this.#handles.delete(key);
      this.#handles.set(key, cached);
      return cached;
    }
    const path = this.path(kind, n);
    let file: Deno.FsFile;
    let created = false;
    try {
      file = Deno.openSync(path, { read: true, write: true });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        throw new BlockStorageError("io", `Cannot open ${path}: ${(e as Error).message}`, undefined, {
          cause: e,
        });
      }
      if (!create) return null;
      file = Deno.openSync(path, { read: true, write: true, create: true });
      created = true;
    }
    if (created) syncDir(this.#dir);
    while (this.#handles.size >= this.#maxOpen) {
      const [oldKey, old] = this.#handles.entries().next().value!;
      this.#sync(old);
      old.file.close();
      this.#handles.delete(oldKey);
    }
    const h: Handle = { file, length: file.statSync().size, dirty: false, offset: 0 };
    this.#handles.set(key, h);
    return h;
  }
}

function syncDir(dir: string): void {
  try {
    const d = Deno.openSync(dir, { read: true });
    try {
      d.syncSync();
    } finally {
      d.close();
    }
  } catch {
    // Directory sync is best effort (not supported on every platform).
  }
}

/** Reads up to `len` bytes at `offset` (shorter at the end of the file), undoing the obfuscation. */
function readAt(key: Uint8Array | null, h: Handle, offset: number, len: number): Uint8Array {
  h.offset = -1;
  h.file.seekSync(offset, Deno.SeekMode.Start);
  const buf = new Uint8Array(len);
  let got = 0;
  while (got < len) {
    const n = h.file.readSync(buf.subarray(got));
    if (n === null || n === 0) break;
    got += n;
  }
  h.offset = offset + got;
  const out = got === len ? buf : buf.subarray(0, got);
  if (key !== null) obfuscateAt(out, key, offset);
  return out;
}

/**
 * Writes `data` at `offset` (obfuscated with `key`, on a copy), seeking only when the file is elsewhere (appends
 * usually follow each other).
 */
function writeAt(key: Uint8Array | null, h: Handle, offset: number, data: Uint8Array): void {
  if (key !== null) {
    data = data.slice();
    obfuscateAt(data, key, offset);
  }
  if (h.offset !== offset) {
    h.offset = -1;
    h.file.seekSync(offset, Deno.SeekMode.Start);
  }
  h.offset = -1;
  let done = 0;
  while (done < data.length) done += h.file.writeSync(data.subarray(done));
  h.offset = offset + done;
}
