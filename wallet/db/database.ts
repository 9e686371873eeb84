/**
 * The wallet database (Core's `WalletDatabase`/`SQLiteDatabase`): one Deno KV file per wallet directory,
 * `<walletdir>/<name>/wallet.dat` as Core names it (a Deno KV store, i.e. SQLite, not Core's record format; the
 * default wallet "" is the wallets directory itself), held exclusively by one process through an advisory
 * `flock` on the database file itself (independent of SQLite's own `fcntl` locks; nothing else is left in the
 * wallet's directory once it is closed, as with Core). Writes go through a
 * {@linkcode WalletBatch}: mutations are queued and committed in as few atomic operations as Deno KV's limits
 * allow (1000 mutations, 800 KiB per atomic; one disk sync each).
 *
 * A value larger than one Deno KV value (64 KiB; e.g. the record of a descriptor with hundreds of keys, or a
 * script cache chunk of a wide bare multisig) is stored in parts of at most {@linkcode MAX_VALUE_PART_BYTES}
 * under `["part", ...key, i]` instead of at `key`; {@linkcode WalletDatabase.get} and
 * {@linkcode WalletDatabase.list} join them again. A value stored whole at `key` wins over parts (which a later
 * smaller write leaves behind), and the parts are the run from 0 up to the first missing one, so old records
 * written whole are read unchanged and a smaller write needs no extra mutation.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { KV_LIMITS, KvBatchWriter, type KvMutation, kvMutationSize } from "../../node/storage/kv_batch.ts";

/** First key part of the parts of a value stored split (see the module doc). */
export const PART_PREFIX = "part";
/** Largest part of a value stored split (Deno KV allows 64 KiB per value). */
export const MAX_VALUE_PART_BYTES = 60_000;

/**
 * The mutations that store `m` in the database's layout: a value over {@linkcode MAX_VALUE_PART_BYTES} becomes
 * its parts (the whole-value key removed, the part after the last one removed so stale parts end there); a
 * deletion also removes the first part, so no earlier split value shows through.
 */
export function expandMutation(m: KvMutation): KvMutation[] {
  if (m.type === "delete") return [m, { type: "delete", key: [PART_PREFIX, ...m.key, 0] }];
  if (m.value.length <= MAX_VALUE_PART_BYTES) return [m];
  const out: KvMutation[] = [{ type: "delete", key: m.key }];
  let i = 0;
  for (let o = 0; o < m.value.length; o += MAX_VALUE_PART_BYTES, i++) {
    out.push({
      type: "set",
      key: [PART_PREFIX, ...m.key, i],
      value: m.value.subarray(o, o + MAX_VALUE_PART_BYTES),
    });
  }
  out.push({ type: "delete", key: [PART_PREFIX, ...m.key, i] });
  return out;
}

/**
 * Queues the mutations of one split value so that they land in the same atomic commit (a crash can then never
 * leave a record with old and new parts mixed). A value too large for one commit (over about 780 KB) is
 * written across several.
 */
async function addTogether(writer: KvBatchWriter, group: readonly KvMutation[]): Promise<void> {
  const reserve: [number, number, number] = [group.length - 1, 0, 0];
  for (const m of group.slice(1)) {
    const [k, b] = kvMutationSize(m);
    reserve[1] += k;
    reserve[2] += b;
  }
  const [k0, b0] = kvMutationSize(group[0]);
  const fitsEmpty = group.length <= KV_LIMITS.maxMutations && k0 + reserve[1] <= KV_LIMITS.maxKeyBytes &&
    b0 + reserve[2] <= KV_LIMITS.maxMutationBytes;
  if (!fitsEmpty) {
    for (const m of group) await writer.add(m);
    return;
  }
  await writer.add(group[0], reserve);
  for (const m of group.slice(1)) writer.push(m);
}

function joinParts(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return all;
}

function sameKey(a: Deno.KvKey, b: Deno.KvKey): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}

/** File name of a wallet's database inside its directory. */
export const WALLET_DB_FILE = "wallet.dat";
/** The file locked to keep a second process out: the database file itself. */
export const WALLET_LOCK_FILE = WALLET_DB_FILE;

/** Core's text when another process holds the wallet's database. */
export const DB_IN_USE_MESSAGE =
  "SQLiteDatabase: Unable to obtain an exclusive lock on the database, is it being used by another instance of " +
  "Bitcoin Core?";

/** A database failure with Core's message (the loader maps it to the RPC error). */
export class WalletDatabaseError extends Error {
  /** @param message Core's text */
  constructor(message: string) {
    super(message);
    this.name = "WalletDatabaseError";
  }
}

/**
 * Opens `path` (created when absent) and takes an exclusive `flock` on it; throws a {@linkcode WalletDatabaseError}
 * with Core's message when another holder has it.
 */
async function lockFile(path: string): Promise<Deno.FsFile> {
  const file = await Deno.open(path, { read: true, write: true, create: true });
  let locked = false;
  try {
    locked = await file.tryLock(true);
  } catch {
    locked = false;
  }
  if (!locked) {
    file.close();
    throw new WalletDatabaseError(DB_IN_USE_MESSAGE);
  }
  return file;
}

/** Whether `dir` holds a wallet database (Core's `IsSQLiteFile(SQLiteDataFile(path))`). */
export async function hasWalletDatabase(dir: string): Promise<boolean> {
  try {
    return (await Deno.stat(`${dir}/${WALLET_DB_FILE}`)).isFile;
  } catch {
    return false;
  }
}

/**
 * Whether `dir`'s database file starts with SQLite's header (Core's `IsSQLiteFile`). Reads the file: do not call
 * it for a database this process has open (closing another descriptor of the file drops SQLite's locks).
 */
export async function isWalletDatabaseFile(dir: string): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(`${dir}/${WALLET_DB_FILE}`, { read: true });
  } catch {
    return false;
  }
  try {
    const head = new Uint8Array(16);
    let n = 0;
    while (n < 16) {
      const r = await file.read(head.subarray(n));
      if (r === null) break;
      n += r;
    }
    return n === 16 && new TextDecoder().decode(head) === "SQLite format 3\0" &&
      isKvStore(`${dir}/${WALLET_DB_FILE}`);
  } finally {
    file.close();
  }
}

/**
 * Whether the SQLite file at `path` is a Deno KV store or still empty (no tables), read without writing: a
 * Bitcoin Core wallet (application id = the network magic, table `main`) or another application's database
 * must not be opened as a KV store, which would add its tables to the file.
 */
export function isKvStore(path: string): boolean {
  let head: Uint8Array;
  try {
    const file = Deno.openSync(path, { read: true });
    try {
      head = new Uint8Array(100);
      let n = 0;
      for (let r: number | null = 0; n < 100 && r !== null; n += r ?? 0) r = file.readSync(head.subarray(n));
      head = head.subarray(0, n);
    } finally {
      file.close();
    }
  } catch {
    return false;
  }
  if (head.length === 0) return true; // created empty (e.g. by the lock), nothing in it yet
  if (head.length < 100 || new TextDecoder().decode(head.subarray(0, 16)) !== "SQLite format 3\0") {
    return false;
  }
  // Core sets PRAGMA application_id (offset 68) to its network magic; Deno KV leaves it 0.
  if (new DataView(head.buffer, head.byteOffset).getUint32(68) !== 0) return false;
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()
      .map((r) => String((r as { name: unknown }).name));
    return tables.length === 0 || tables.includes("kv");
  } catch {
    return true; // unreadable this way (e.g. a write-ahead log without its index): Deno KV decides
  } finally {
    db?.close();
  }
}

/** Queued writes, committed in order as few atomic operations (see {@linkcode KvBatchWriter}). */
export class WalletBatch {
  readonly #db: WalletDatabase;
  #mutations: KvMutation[] = [];

  /** @param db the database it writes to */
  constructor(db: WalletDatabase) {
    this.#db = db;
  }

  /** Number of queued mutations. */
  get size(): number {
    return this.#mutations.length;
  }

  /** Queues a write. */
  put(key: Deno.KvKey, value: Uint8Array): void {
    this.#mutations.push({ type: "set", key, value });
  }

  /** Queues a deletion. */
  delete(key: Deno.KvKey): void {
    this.#mutations.push({ type: "delete", key });
  }

  /** Commits everything queued (one atomic when it fits the limits); the batch is empty afterwards. */
  async commit(): Promise<void> {
    const list = this.#mutations;
    this.#mutations = [];
    if (list.length === 0) return;
    await this.#db.write(list);
  }
}

/** One wallet's open database. */
export class WalletDatabase {
  #kv: Deno.Kv;
  #lock: Deno.FsFile;
  #closed = false;
  /** Atomic commits made (for tests and measurements). */
  commits = 0;

  private constructor(readonly dir: string, kv: Deno.Kv, lock: Deno.FsFile) {
    this.#kv = kv;
    this.#lock = lock;
  }

  /** Path of the database file. */
  get path(): string {
    return `${this.dir}/${WALLET_DB_FILE}`;
  }

  /**
   * Opens the database of the wallet directory `dir` (which must exist), creating the file when absent. Throws a
   * {@linkcode WalletDatabaseError} when another process holds it.
   */
  static async open(dir: string): Promise<WalletDatabase> {
    const path = `${dir}/${WALLET_DB_FILE}`;
    const lock = await lockFile(path);
    try {
      if (!isKvStore(path)) {
        throw new WalletDatabaseError(`${path} is not a tsbtc wallet database (a Deno KV store)`);
      }
      const kv = await Deno.openKv(path);
      return new WalletDatabase(dir, kv, lock);
    } catch (e) {
      await lock.unlock().catch(() => {});
      lock.close();
      throw e;
    }
  }

  /** The value at `key` (joined from its parts when stored split), or null. */
  async get(key: Deno.KvKey): Promise<Uint8Array | null> {
    const r = await this.#kv.get<Uint8Array>(key);
    if (r.value !== null) return r.value;
    const parts: Uint8Array[] = [];
    for await (const e of this.#kv.list<Uint8Array>({ prefix: [PART_PREFIX, ...key] })) {
      if (e.key.length !== key.length + 2 || e.key.at(-1) !== parts.length) break;
      parts.push(e.value);
    }
    return parts.length === 0 ? null : joinParts(parts);
  }

  /**
   * Every entry under `prefix`: the values stored whole in key order, then the values stored split (joined) in
   * key order.
   */
  async *list(prefix: Deno.KvKey): AsyncIterable<[Deno.KvKey, Uint8Array]> {
    for await (const e of this.#kv.list<Uint8Array>({ prefix }, { batchSize: 1000 })) {
      if (e.key[0] === PART_PREFIX) continue;
      yield [e.key, e.value];
    }
    const split = prefix[0] === PART_PREFIX ? [] : [PART_PREFIX, ...prefix];
    let current: { key: Deno.KvKey; parts: Uint8Array[]; broken: boolean } | null = null;
    const finish = async (): Promise<[Deno.KvKey, Uint8Array] | null> => {
      if (current === null || current.parts.length === 0) return null;
      // A value stored whole wins over parts a smaller write left behind.
      if ((await this.#kv.get(current.key)).value !== null) return null;
      return [current.key, joinParts(current.parts)];
    };
    if (split.length === 0) return;
    for await (const e of this.#kv.list<Uint8Array>({ prefix: split }, { batchSize: 100 })) {
      const key = e.key.slice(1, -1);
      const index = e.key.at(-1);
      if (current === null || !sameKey(current.key, key)) {
        const done = await finish();
        if (done !== null) yield done;
        current = { key, parts: [], broken: false };
      }
      if (current.broken || index !== current.parts.length) current.broken = true;
      else current.parts.push(e.value);
    }
    const done = await finish();
    if (done !== null) yield done;
  }

  /** A new batch of writes. */
  batch(): WalletBatch {
    return new WalletBatch(this);
  }

  /** Writes `mutations` in order, in as few atomic commits as the limits allow. */
  async write(mutations: readonly KvMutation[]): Promise<void> {
    const writer = new KvBatchWriter(this.#kv, { onCommit: () => void this.commits++ });
    for (const m of mutations) {
      if (m.type === "set" && m.value.length <= MAX_VALUE_PART_BYTES) await writer.add(m);
      else await addTogether(writer, expandMutation(m));
    }
    await writer.commit();
  }

  /** Copies every entry into a new database file at `file` (Core's `BackupWallet`); the file must not exist. */
  async backupTo(file: string): Promise<void> {
    const dest = await Deno.openKv(file);
    try {
      const writer = new KvBatchWriter(dest);
      for await (const e of this.#kv.list<Uint8Array>({ prefix: [] }, { batchSize: 1000 })) {
        await writer.add({ type: "set", key: e.key, value: e.value });
      }
      await writer.commit();
    } finally {
      dest.close();
    }
  }

  /**
   * Writes every entry into a fresh file that replaces the database (Core's `Rewrite` after encryption): no
   * deleted value (a plaintext key) survives in free pages of the old file.
   */
  async rewrite(): Promise<void> {
    const tmp = `${this.dir}/${WALLET_DB_FILE}.rewrite`;
    for (const suffix of ["", "-wal", "-shm"]) await Deno.remove(tmp + suffix).catch(() => {});
    await this.backupTo(tmp);
    // The new file is locked before it takes the database's name.
    const lock = await lockFile(tmp);
    this.#kv.close();
    // The old file's write-ahead log was checkpointed on close; a leftover one must not meet the new file.
    for (const suffix of ["-wal", "-shm"]) await Deno.remove(this.path + suffix).catch(() => {});
    await Deno.rename(tmp, this.path);
    for (const suffix of ["-wal", "-shm"]) await Deno.remove(tmp + suffix).catch(() => {});
    await this.#lock.unlock().catch(() => {});
    this.#lock.close();
    this.#lock = lock;
    this.#kv = await Deno.openKv(this.path);
  }

  /** Closes the database and releases the lock (idempotent). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#kv.close();
    await this.#lock.unlock().catch(() => {});
    this.#lock.close();
  }
}

/** Copies every entry of the database file `file` into the open database `db` (restorewallet). */
export async function copyDatabaseFile(file: string, db: WalletDatabase): Promise<void> {
  const src = await Deno.openKv(file);
  try {
    const list: KvMutation[] = [];
    for await (const e of src.list<Uint8Array>({ prefix: [] }, { batchSize: 1000 })) {
      if (!(e.value instanceof Uint8Array)) {
        throw new WalletDatabaseError("Backup file is not a wallet database");
      }
      list.push({ type: "set", key: e.key, value: e.value });
    }
    await db.write(list);
  } finally {
    src.close();
  }
}
