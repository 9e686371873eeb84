/**
 * The address manager on disk: a Deno KV (SQLite) database under Core's file name, `peers.dat` in the network
 * directory (so tools that delete Core's `peers.dat` to clear the address manager, as Core's test framework
 * does, work unchanged; the format is tsbtc's, not Core's serialization): the bucketing key and one record per
 * address. Only changed addresses are written, in batched atomic commits, every few seconds and at
 * shutdown, so a `kill -9` loses at most the last interval. Every record is self-contained; a database that
 * cannot be read (a missing key, a corrupt record) is set aside with a log line and the node starts with an
 * empty address manager, never fails.
 *
 * @module
 */

import { ByteReader } from "../core/wire/reader.ts";
import { ByteWriter } from "../core/wire/writer.ts";
import { KvBatchWriter } from "../node/storage/kv_batch.ts";
import { AddrMan, type AddrManOptions, type AddrRecord } from "./addrman.ts";

/** The database file in the network data directory (Core's name; a Deno KV database). */
export const PEERS_DB_FILE = "peers.dat";
/** Record format version. */
const RECORD_VERSION = 1;

/** Encodes an address record. */
export function encodeAddrRecord(r: AddrRecord): Uint8Array {
  const w = new ByteWriter(96);
  w.u8(RECORD_VERSION).u8(r.net).varBytes(r.addr).u16(r.port).u64(r.services).u32(r.time);
  w.u8(r.srcNet).varBytes(r.srcAddr);
  w.u32(r.lastTry).u32(r.lastCountAttempt).u32(r.lastSuccess).u32(r.attempts).u8(r.inTried ? 1 : 0);
  w.compactSize(r.newSlots.length);
  for (const s of r.newSlots) w.u32(s);
  return w.finish();
}

/** Decodes an address record (throws `Cannot parse address record: …` on bad data). */
export function decodeAddrRecord(data: Uint8Array): AddrRecord {
  const r = new ByteReader(data, "address record");
  const version = r.u8();
  if (version !== RECORD_VERSION) throw new Error(`Cannot parse address record: version is ${version}`);
  const net = r.u8();
  const addr = r.varBytes().slice();
  const port = r.u16();
  const services = r.u64();
  const time = r.u32();
  const srcNet = r.u8();
  const srcAddr = r.varBytes().slice();
  const lastTry = r.u32();
  const lastCountAttempt = r.u32();
  const lastSuccess = r.u32();
  const attempts = r.u32();
  const tried = r.u8();
  if (tried > 1) throw new Error(`Cannot parse address record: tried flag is ${tried}`);
  const n = r.count(4, "slot");
  const newSlots: number[] = [];
  for (let i = 0; i < n; i++) newSlots.push(r.u32());
  r.expectEnd("address record");
  return {
    net,
    addr,
    port,
    services,
    time,
    srcNet,
    srcAddr,
    lastTry,
    lastCountAttempt,
    lastSuccess,
    attempts,
    inTried: tried === 1,
    newSlots,
  };
}

/** Options of {@link AddrManDb.open}. */
export interface AddrManDbOptions {
  /** The network data directory. */
  readonly dir: string;
  /** Options of the address manager created (its key is replaced by the stored one). */
  readonly addrman?: Omit<AddrManOptions, "key">;
  /** Use this key for a new database (Core's `-test=addrman`); a stored key wins, as in Core. */
  readonly fixedKey?: Uint8Array;
  /** Interval of the background flush (default 5 s; 0: only explicit flushes). */
  readonly flushIntervalMs?: number;
  /** Log lines. */
  readonly log?: (msg: string) => void;
}

/** The address manager with its database. */
export class AddrManDb {
  readonly addrman: AddrMan;
  readonly #kv: Deno.Kv;
  readonly #log: (msg: string) => void;
  #timer: ReturnType<typeof setInterval> | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(kv: Deno.Kv, addrman: AddrMan, log: (msg: string) => void) {
    this.#kv = kv;
    this.addrman = addrman;
    this.#log = log;
  }

  /** Opens (or creates) the database and loads the address manager from it. */
  static async open(options: AddrManDbOptions): Promise<AddrManDb> {
    const log = options.log ?? (() => {});
    const path = `${options.dir}/${PEERS_DB_FILE}`;
    const found = await Deno.lstat(path).then(() => true, () => false);
    if (!found) log(`Creating ${PEERS_DB_FILE} because the file was not found ("${path}")`);
    let kv: Deno.Kv;
    try {
      kv = await Deno.openKv(path);
    } catch (e) {
      // Not a database we can open (Core's own peers.dat, garbage): set it aside, as Core keeps a .bak.
      log(
        `Invalid or corrupt ${PEERS_DB_FILE} (${
          e instanceof Error ? e.message : e
        }); moved to ${PEERS_DB_FILE}.bak, starting with an empty address manager`,
      );
      await Deno.rename(path, `${path}.bak`);
      for (const ext of ["-wal", "-shm"]) await Deno.remove(`${path}${ext}`).catch(() => {});
      kv = await Deno.openKv(path);
    }
    let addrman: AddrMan | null = null;
    const started = Date.now();
    try {
      const meta = await kv.get<Uint8Array>(["meta"]);
      if (meta.value === null) {
        const entries = kv.list({ prefix: ["addr"] }, { limit: 1 });
        for await (const _ of entries) throw new Error("address records without their key");
      } else {
        if (
          !(meta.value instanceof Uint8Array) || meta.value.length !== 33 || meta.value[0] !== RECORD_VERSION
        ) {
          throw new Error("bad key record");
        }
        const key = meta.value.slice(1);
        const records: AddrRecord[] = [];
        for await (const e of kv.list<Uint8Array>({ prefix: ["addr"] })) {
          if (!(e.value instanceof Uint8Array)) throw new Error(`record ${String(e.key[1])} is not bytes`);
          records.push(decodeAddrRecord(e.value));
        }
        addrman = new AddrMan({ ...options.addrman, key });
        addrman.restore(records);
        log(
          `Loaded ${addrman.size()} addresses from ${PEERS_DB_FILE}  ${Date.now() - started}ms (${
            addrman.size(undefined, true)
          } new, ${addrman.size(undefined, false)} tried)`,
        );
      }
    } catch (e) {
      log(
        `Invalid or corrupt ${PEERS_DB_FILE} (${
          e instanceof Error ? e.message : e
        }); starting with an empty address manager`,
      );
      addrman = null;
      await wipe(kv, ["addr"]);
      await kv.delete(["meta"]);
    }
    if (addrman === null) {
      addrman = new AddrMan({ ...options.addrman, key: options.fixedKey });
      await kv.set(["meta"], Uint8Array.of(RECORD_VERSION, ...addrman.key));
    }
    const db = new AddrManDb(kv, addrman, log);
    const interval = options.flushIntervalMs ?? 5000;
    if (interval > 0) db.#timer = setInterval(() => void db.flush().catch(() => {}), interval);
    return db;
  }

  /** Writes the changed addresses (batched atomic commits). */
  flush(): Promise<void> {
    const run = this.#flushing.then(async () => {
      if (this.#closed || !this.addrman.dirty) return;
      const { put, deleted } = this.addrman.takeChanges();
      const w = new KvBatchWriter(this.#kv);
      try {
        for (const k of deleted) await w.add({ type: "delete", key: ["addr", k] });
        for (const [k, r] of put) await w.add({ type: "set", key: ["addr", k], value: encodeAddrRecord(r) });
        await w.commit();
      } catch (e) {
        this.#log(`Cannot write the peers database: ${e instanceof Error ? e.message : e}`);
      }
    });
    this.#flushing = run.catch(() => {});
    return run;
  }

  /** Flushes and closes the database. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.flush();
    this.#closed = true;
    await this.#flushing;
    this.#kv.close();
  }
}

async function wipe(kv: Deno.Kv, prefix: Deno.KvKey): Promise<void> {
  const w = new KvBatchWriter(kv);
  for await (const e of kv.list({ prefix })) await w.add({ type: "delete", key: e.key });
  await w.commit();
}
