/**
 * mempool.dat (Core's `node/mempool_persist.cpp`): the mempool written to disk at shutdown (and by `savemempool`)
 * and read back at start (and by `importmempool`), byte-compatible with Bitcoin Core's file.
 *
 * Layout (little-endian): `uint64 version` — 1 (plain) or 2 (followed by an 8-byte obfuscation key written as a
 * vector: compact size 8 and the key; every later byte at file offset `p` is XORed with `key[p % 8]`) — then
 * `uint64 count`, `count` × (transaction with witness, `int64 nTime`, `int64 nFeeDelta`), the remaining
 * prioritisation deltas (`std::map<Txid, CAmount>`: compact size, then txid and int64 each, by txid bytes), and
 * the unbroadcast txids (`std::set<Txid>`: compact size, then the txids, by txid bytes).
 *
 * @module
 */
import { fromHex, reverseHex } from "../../core/hash/hashes.ts";
import { ByteReader } from "../../core/wire/reader.ts";
import {
  decodeTransaction,
  readTransaction,
  txid as txidOf,
  writeTransaction,
} from "../../core/wire/transaction.ts";
import type { Transaction } from "../../core/wire/types.ts";
import { ByteWriter } from "../../core/wire/writer.ts";
import type { MempoolEntry } from "./entry.ts";

/** mempool.dat without obfuscation (Core's `MEMPOOL_DUMP_VERSION_NO_XOR_KEY`; written with -persistmempoolv1). */
export const MEMPOOL_DUMP_VERSION_NO_XOR_KEY = 1n;
/** mempool.dat with an obfuscation key (Core's `MEMPOOL_DUMP_VERSION`, the default). */
export const MEMPOOL_DUMP_VERSION = 2n;
/** Size of the obfuscation key (Core's `Obfuscation::KEY_SIZE`). */
export const OBFUSCATION_KEY_SIZE = 8;

/** Where the persistence functions write their log lines (util/logging.ts's `Logger` fits). */
export interface PersistLog {
  /** Progress and results (Core's LogInfo). */
  info(msg: string): void;
  /** Failures that are survived ("… Continuing anyway."). */
  warn(msg: string): void;
}

/** What {@link dumpMempool} reads from the mempool (node/mempool/txmempool.ts's `TxMempool` fits). */
export interface DumpablePool {
  /** Entries in mining order (parents before children), as Core's `infoAll`. */
  miningOrder(): { entry: MempoolEntry }[];
  /** Every prioritisation delta by txid (display hex). */
  deltas(): ReadonlyMap<string, bigint>;
  /** The unbroadcast txids (display hex). */
  unbroadcast(): ReadonlySet<string>;
}

/** One transaction of a mempool.dat file. */
export interface PersistedTx {
  /** The transaction. */
  readonly tx: Transaction;
  /** Entry time, seconds. */
  readonly time: number;
  /** Its prioritisation delta, satoshis. */
  readonly feeDelta: bigint;
}

/** The content of a mempool.dat file. */
export interface MempoolFile {
  /** 1 or 2. */
  readonly version: bigint;
  /** The obfuscation key (version 2), else null. */
  readonly key: Uint8Array | null;
  /** The transactions in file order. */
  readonly txs: readonly PersistedTx[];
  /** Deltas of transactions not in the file, by txid (display hex). */
  readonly deltas: ReadonlyMap<string, bigint>;
  /** Unbroadcast txids (display hex). */
  readonly unbroadcast: readonly string[];
}

/** Options of {@link dumpMempool}. */
export interface DumpMempoolOptions {
  /** Write version 1 (no obfuscation), as -persistmempoolv1. Default false. */
  readonly v1?: boolean;
  /** Obfuscation key for version 2 (8 bytes); default random, as Core. */
  readonly key?: Uint8Array;
  /** Skip the fsync (Core's `skip_file_commit`, for tests). Default false. */
  readonly skipFileCommit?: boolean;
  /** Log lines. */
  readonly log?: PersistLog;
}

/** Compares txids (display hex) as Core orders `Txid` (memcmp of the internal bytes). */
function compareTxidHex(a: string, b: string): number {
  // Internal byte i is display hex characters [62 - 2i, 64 - 2i).
  for (let i = 62; i >= 0; i -= 2) {
    const x = a.slice(i, i + 2);
    const y = b.slice(i, i + 2);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** XORs `data` in place with `key`, `data[0]` sitting at file offset `offset` (Core's `Obfuscation`). */
export function obfuscate(data: Uint8Array, key: Uint8Array, offset: number): void {
  if (key.length !== OBFUSCATION_KEY_SIZE) {
    throw new Error(`Cannot obfuscate: key length is ${key.length}, not ${OBFUSCATION_KEY_SIZE}`);
  }
  for (let i = 0; i < data.length; i++) data[i] ^= key[(offset + i) % OBFUSCATION_KEY_SIZE];
}

/**
 * Serializes a mempool file: the header, then the body obfuscated with `file.key` (version 2). An all-zero key
 * leaves the body as is, as Core.
 */
export function encodeMempoolFile(file: MempoolFile): Uint8Array {
  const w = new ByteWriter(1 << 16);
  w.u64(file.version);
  if (file.version === MEMPOOL_DUMP_VERSION) {
    if (file.key === null || file.key.length !== OBFUSCATION_KEY_SIZE) {
      throw new Error("Cannot encode mempool.dat version 2: an 8-byte obfuscation key is needed");
    }
    w.varBytes(file.key);
  } else if (file.version !== MEMPOOL_DUMP_VERSION_NO_XOR_KEY) {
    throw new Error(`Cannot encode mempool.dat: unknown version ${file.version}`);
  }
  const headerLength = w.length;
  w.u64(BigInt(file.txs.length));
  for (const { tx, time, feeDelta } of file.txs) {
    writeTransaction(w, tx);
    w.i64(BigInt(time));
    w.i64(feeDelta);
  }
  const deltas = [...file.deltas].sort((a, b) => compareTxidHex(a[0], b[0]));
  w.compactSize(deltas.length);
  for (const [id, delta] of deltas) w.bytes(fromHex(id).reverse()).i64(delta);
  const unbroadcast = [...new Set(file.unbroadcast)].sort(compareTxidHex);
  w.compactSize(unbroadcast.length);
  for (const id of unbroadcast) w.bytes(fromHex(id).reverse());
  const bytes = w.finish();
  if (file.version === MEMPOOL_DUMP_VERSION) {
    obfuscate(bytes.subarray(headerLength), file.key!, headerLength);
  }
  return bytes;
}

/**
 * Parses a whole mempool file. Throws an Error (a `DecodeError` for malformed bytes, e.g. `Cannot decode
 * mempool.dat: end of data …`) on an unknown version, a bad key, or a truncated or corrupt body. Bytes after the
 * unbroadcast set are ignored, as Core.
 */
export function decodeMempoolFile(data: Uint8Array): MempoolFile {
  const r = new ByteReader(data, "mempool.dat");
  const version = r.u64();
  let key: Uint8Array | null = null;
  if (version === MEMPOOL_DUMP_VERSION) {
    const start = r.pos;
    const n = r.compactSize();
    if (n !== OBFUSCATION_KEY_SIZE) {
      r.fail(`Obfuscation key size should be exactly ${OBFUSCATION_KEY_SIZE} bytes long`, start);
    }
    key = r.bytes(OBFUSCATION_KEY_SIZE).slice();
    const body = data.slice(r.pos);
    obfuscate(body, key, r.pos);
    return decodeBody(new ByteReader(body, "mempool.dat"), version, key);
  }
  if (version !== MEMPOOL_DUMP_VERSION_NO_XOR_KEY) r.fail(`unknown version ${version}`, 0);
  return decodeBody(r, version, null);
}

function decodeBody(r: ByteReader, version: bigint, key: Uint8Array | null): MempoolFile {
  const count = r.u64();
  const txs: PersistedTx[] = [];
  // Each entry takes at least 10 (smallest transaction) + 16 bytes: a count beyond that is a corrupt file.
  if (count > BigInt(r.remaining) / 26n) r.fail(`${count} transactions announced, ${r.remaining} bytes left`);
  for (let i = 0n; i < count; i++) {
    const start = r.pos;
    readTransaction(r);
    // Decoded again from a private copy: a transaction viewing the file buffer would keep all of it alive.
    const tx = decodeTransaction(r.data.subarray(start, r.pos), { copy: true });
    const time = r.i64();
    const feeDelta = r.i64();
    txs.push({ tx, time: Number(time), feeDelta });
  }
  const deltas = new Map<string, bigint>();
  const nDeltas = r.count(40, "fee delta");
  for (let i = 0; i < nDeltas; i++) {
    const id = reverseHex(r.bytes(32));
    deltas.set(id, r.i64());
  }
  const unbroadcast: string[] = [];
  const nUnbroadcast = r.count(32, "unbroadcast txid");
  for (let i = 0; i < nUnbroadcast; i++) unbroadcast.push(reverseHex(r.bytes(32)));
  // Bytes after the unbroadcast set are ignored, as Core (it reads no further).
  return { version, key, txs, deltas, unbroadcast };
}

/** The file content for `pool` now (Core's `DumpMempool` snapshot: `infoAll`, `mapDeltas`, unbroadcast set). */
export function snapshotMempool(pool: DumpablePool, version: bigint, key: Uint8Array | null): MempoolFile {
  const deltas = new Map(pool.deltas());
  const txs: PersistedTx[] = [];
  for (const { entry } of pool.miningOrder()) {
    txs.push({ tx: entry.tx, time: entry.time, feeDelta: entry.feeDelta });
    deltas.delete(entry.txidHex);
  }
  return { version, key, txs, deltas, unbroadcast: [...pool.unbroadcast()] };
}

/** Per-pool queue so that two dumps never write the same `.new` file at once (Core's `dump_mutex`). */
const dumpQueues = new WeakMap<object, Promise<unknown>>();

/**
 * Core's `DumpMempool`: writes the mempool to `path + ".new"`, fsyncs it, and renames it over `path`. Version 2
 * with a random key unless `v1`. Returns false (after logging "Failed to dump mempool: … Continuing anyway.")
 * when anything fails; never throws. Concurrent dumps of one pool run one after the other.
 */
export function dumpMempool(
  pool: DumpablePool,
  path: string,
  options: DumpMempoolOptions = {},
): Promise<boolean> {
  const previous = dumpQueues.get(pool) ?? Promise.resolve();
  const run = previous.then(() => dumpNow(pool, path, options));
  dumpQueues.set(pool, run);
  return run;
}

async function dumpNow(pool: DumpablePool, path: string, options: DumpMempoolOptions): Promise<boolean> {
  const log = options.log;
  const start = performance.now();
  const key = options.v1 ? null : options.key ?? crypto.getRandomValues(new Uint8Array(OBFUSCATION_KEY_SIZE));
  const version = options.v1 ? MEMPOOL_DUMP_VERSION_NO_XOR_KEY : MEMPOOL_DUMP_VERSION;
  const tmp = `${path}.new`;
  let file: Deno.FsFile | null = null;
  try {
    const snapshot = snapshotMempool(pool, version, key);
    const mid = performance.now();
    log?.info(`Writing ${snapshot.txs.length} mempool transactions to file...`);
    log?.info(`Writing ${new Set(snapshot.unbroadcast).size} unbroadcast transactions to file.`);
    const bytes = encodeMempoolFile(snapshot);
    file = await Deno.open(tmp, { write: true, create: true, truncate: true });
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
    if (!options.skipFileCommit) await file.sync();
    file.close();
    file = null;
    await Deno.rename(tmp, path);
    const last = performance.now();
    log?.info(
      `Dumped mempool: ${((mid - start) / 1000).toFixed(3)}s to copy, ${((last - mid) / 1000).toFixed(3)}s ` +
        `to dump, ${bytes.length} bytes dumped to file`,
    );
    return true;
  } catch (err) {
    try {
      file?.close();
    } catch {
      // already closed
    }
    log?.warn(
      `Failed to dump mempool: ${err instanceof Error ? err.message : String(err)}. Continuing anyway.`,
    );
    return false;
  }
}

/** What {@link loadMempool} needs from the mempool (node/mempool/txmempool.ts's `TxMempool` fits). */
export interface LoadablePool {
  /** The entry of a txid (display hex). */
  get(txid: string): MempoolEntry | undefined;
  /** Adds a prioritisation delta (Core's `PrioritiseTransaction`). */
  prioritise(txid: string, delta: bigint): void;
  /** Marks a mempool transaction as not yet broadcast. */
  addUnbroadcast(txid: string): void;
}

/** Options of {@link loadMempool} (Core's `ImportMempoolOptions` and what `LoadMempool` reads). */
export interface LoadMempoolOptions {
  /** Accepts a transaction into the mempool with the given entry time (not a test accept, limits applied). */
  readonly accept: (tx: Transaction, time: number) => Promise<{ readonly valid: boolean }>;
  /** The mempool. */
  readonly pool: LoadablePool;
  /** -mempoolexpiry in seconds: transactions that entered before `now - expirySeconds` are skipped. */
  readonly expirySeconds: number;
  /** Current time, seconds. */
  readonly now: number;
  /** Log lines. */
  readonly log?: PersistLog;
  /** Give every transaction the current time instead of the file's (importmempool). Default false. */
  readonly useCurrentTime?: boolean;
  /** Apply the file's prioritisation deltas. Default true. */
  readonly applyFeeDeltaPriority?: boolean;
  /** Restore the unbroadcast set. Default true. */
  readonly applyUnbroadcastSet?: boolean;
  /** Stop early (shutdown requested); checked after every transaction. */
  readonly interrupted?: () => boolean;
}

/** What a load did (Core's log line counts). */
export interface LoadMempoolResult {
  /** Whether the file was read to the end (Core's return value). */
  readonly ok: boolean;
  /** Transactions accepted. */
  readonly succeeded: number;
  /** Transactions rejected. */
  readonly failed: number;
  /** Transactions skipped for being older than the expiry. */
  readonly expired: number;
  /** Rejected transactions that were in the mempool already. */
  readonly alreadyThere: number;
  /** Size of the file's unbroadcast set (when applied). */
  readonly unbroadcast: number;
}

const NOTHING = { succeeded: 0, failed: 0, expired: 0, alreadyThere: 0, unbroadcast: 0 };

/**
 * Core's `LoadMempool`: reads `path` and re-accepts each transaction that has not expired, applying its fee
 * delta first, then the other deltas and the unbroadcast set (for transactions that made it in). Logs Core's
 * lines, ending with "Imported mempool transactions from file: …". A missing file ("Failed to open mempool
 * file. Continuing anyway.") or a bad, truncated or unknown-version file ("Failed to deserialize mempool data on
 * file: …. Continuing anyway.") gives `ok: false` and adds nothing (the whole file is parsed before any
 * transaction is accepted). Never throws (an `accept` that throws counts as a failure).
 */
export async function loadMempool(path: string, options: LoadMempoolOptions): Promise<LoadMempoolResult> {
  const { pool, log } = options;
  let data: Uint8Array;
  try {
    data = await Deno.readFile(path);
  } catch {
    log?.info("Failed to open mempool file. Continuing anyway.");
    return { ok: false, ...NOTHING };
  }
  let file: MempoolFile;
  try {
    file = decodeMempoolFile(data);
  } catch (err) {
    log?.warn(
      `Failed to deserialize mempool data on file: ${err instanceof Error ? err.message : String(err)}. ` +
        "Continuing anyway.",
    );
    return { ok: false, ...NOTHING };
  }
  const applyDeltas = options.applyFeeDeltaPriority ?? true;
  const applyUnbroadcast = options.applyUnbroadcastSet ?? true;
  const now = Math.floor(options.now);
  const total = file.txs.length;
  let succeeded = 0, failed = 0, expired = 0, alreadyThere = 0, unbroadcast = 0;
  log?.info(`Loading ${total} mempool transactions from file...`);
  let nextTenthToReport = 0;
  for (let tried = 0; tried < total; tried++) {
    const percentageDone = Math.floor(100 * tried / total);
    if (nextTenthToReport < Math.floor(percentageDone / 10)) {
      log?.info(
        `Progress loading mempool transactions from file: ${percentageDone}% (tried ${tried}, ` +
          `${total - tried} remaining)`,
      );
      nextTenthToReport = Math.floor(percentageDone / 10);
    }
    const { tx, feeDelta } = file.txs[tried];
    const time = options.useCurrentTime ? now : file.txs[tried].time;
    const id = reverseHex(txidOf(tx));
    if (feeDelta !== 0n && applyDeltas) pool.prioritise(id, feeDelta);
    if (time > now - options.expirySeconds) {
      let valid = false;
      try {
        valid = (await options.accept(tx, time)).valid;
      } catch (err) {
        log?.warn(
          `Cannot re-accept ${id} from mempool.dat: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      if (valid) succeeded++;
      else if (pool.get(id) !== undefined) alreadyThere++;
      else failed++;
    } else {
      expired++;
    }
    if (options.interrupted?.()) {
      return { ok: false, succeeded, failed, expired, alreadyThere, unbroadcast };
    }
  }
  if (applyDeltas) {
    for (const [id, delta] of [...file.deltas].sort((a, b) => compareTxidHex(a[0], b[0]))) {
      pool.prioritise(id, delta);
    }
  }
  if (applyUnbroadcast) {
    const set = [...new Set(file.unbroadcast)];
    unbroadcast = set.length;
    for (const id of set) if (pool.get(id) !== undefined) pool.addUnbroadcast(id);
  }
  log?.info(
    `Imported mempool transactions from file: ${succeeded} succeeded, ${failed} failed, ${expired} expired, ` +
      `${alreadyThere} already there, ${unbroadcast} waiting for initial broadcast`,
  );
  return { ok: true, succeeded, failed, expired, alreadyThere, unbroadcast };
}
