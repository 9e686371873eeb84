/**
 * The chainstate database (Core's `CCoinsViewDB`, `txdb.cpp`): the UTXO set in Deno KV, one database file in
 * `<datadir>/<network>/chainstate/` (`chainstate.sqlite3`), written only by the node process.
 *
 * Keys (Deno KV tuples) and values:
 * - `["C", txid (32 bytes, internal order), vout (number)]` → the coin in Core's serialization
 *   (`VARINT(height*2+coinbase)`, compressed amount, compressed script). Key order is Core's LevelDB order
 *   (txid bytes, then index), so iteration and the set hash match Core's.
 * - `["B"]` → the best block hash (32 bytes): the block the coins are consistent with (Core's `DB_BEST_BLOCK`).
 * - `["H"]` → new best ‖ old best (64 bytes; zeros for none) while a flush spanning several atomic commits is in
 *   progress (Core's `DB_HEAD_BLOCKS`).
 *
 * A flush ({@link CoinsDB.batchWrite}) that fits one atomic commit writes the coins and `B` together. A larger one
 * is split as Core splits its LevelDB batch: the first commit erases `B` and writes `H` (new, old), the middle
 * ones write coins, and the last erases `H` and writes `B` = new. A process killed in between leaves `H`:
 * {@link openChainstate} reports it as a {@link ReplayRange} so validation can replay blocks (coin writes and
 * erases are idempotent) and flush again with best block `to`.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { bytesEqual, isZeroHash, sha256, toHex } from "../../core/hash/hashes.ts";
import { ByteWriter } from "../../core/wire/writer.ts";
import type { OutPoint } from "../../core/wire/types.ts";
import { type Coin, coinCode, decodeCoin, encodeCoin } from "./coins.ts";
import type { CoinsCursorEntry, CoinsView, ReplayRange } from "./coins_view.ts";
import { ChainstateError } from "./errors.ts";
import { type KvBatchCommit, type KvBatchLimits, KvBatchWriter, type KvMutation } from "./kv_batch.ts";

/** File name of the Deno KV database inside the chainstate directory. */
export const CHAINSTATE_DB_FILE = "chainstate.sqlite3";

const KEY_BEST: Deno.KvKey = ["B"];
const KEY_HEADS: Deno.KvKey = ["H"];
const COIN_PREFIX = "C";

/** Core's message for a flush towards another block than the interrupted one. */
export const INCONSISTENT_STATE_MESSAGE =
  "The coins database detected an inconsistent state, likely due to a previous crash or shutdown. You will need to restart bitcoind with the -reindex-chainstate or -reindex configuration option.";

/** Space kept free in every commit for the best-block / head-blocks records: [mutations, key bytes, bytes]. */
const RESERVE: readonly [number, number, number] = [2, 16, 160];

/** Progress of a multi-commit flush, for hooks. */
export interface CoinsBatchProgress extends KvBatchCommit {
  /** Whether this commit recorded the new best block (the flush is complete). */
  readonly final: boolean;
}

/** Options of {@link CoinsDB.open} / {@link openChainstate}. */
export interface CoinsDBOptions {
  /** The chainstate directory, `<datadir>/<network>/chainstate` (created if missing). */
  readonly dir: string;
  /** Per-commit limits (default Deno KV's). */
  readonly limits?: KvBatchLimits;
  /**
   * Called after every atomic commit of a flush (awaited), e.g. for progress or to simulate a crash mid-flush
   * (Core's `-dbcrashratio`).
   */
  readonly onCommit?: (progress: CoinsBatchProgress) => void | Promise<void>;
}

/** Result of a flush. */
export interface CoinsBatchWriteStats {
  /** Coins written. */
  readonly written: number;
  /** Coins erased. */
  readonly erased: number;
  /** Atomic commits used. */
  readonly commits: number;
}

/** UTXO set statistics as `gettxoutsetinfo` reports them (Core's `CCoinsStats` with `hash_serialized_3`). */
export interface UtxoStats {
  /** The block the set corresponds to. */
  readonly bestBlock: Uint8Array | undefined;
  /** Transactions with unspent outputs. */
  readonly transactions: number;
  /** Unspent outputs. */
  readonly txouts: number;
  /** Core's database-independent size metric (`GetBogoSize` summed). */
  readonly bogoSize: number;
  /** Sum of all amounts, in satoshis. */
  readonly totalAmount: bigint;
  /** Core's `hash_serialized_3` (SHA-256d of every coin's serialization in key order), internal byte order. */
  readonly hashSerialized: Uint8Array;
  /** Bytes the database files take on disk. */
  readonly diskSize: number;
}

/** An outpoint and its coin, as iterated from the database. */
export interface CoinsDBEntry {
  /** The outpoint. */
  readonly outpoint: OutPoint;
  /** Its coin. */
  readonly coin: Coin;
}

/** What {@link openChainstate} found. */
export interface ChainstateOpenResult {
  /** The open database. */
  readonly db: CoinsDB;
  /** The block the coins are consistent with; undefined for a new database or when a flush was interrupted. */
  readonly bestBlock: Uint8Array | undefined;
  /** Present when a flush was interrupted: the blocks to replay. */
  readonly replayRange?: ReplayRange;
}

function coinKey(o: OutPoint): Deno.KvKey {
  return [COIN_PREFIX, o.txid, o.vout];
}

/** The UTXO set in Deno KV. */
export class CoinsDB implements CoinsView {
  readonly #kv: Deno.Kv;
  readonly #path: string;
  readonly #limits: KvBatchLimits | undefined;
  readonly #onCommit: CoinsDBOptions["onCommit"];
  #best: Uint8Array | undefined;
  #heads: ReplayRange | undefined;
  #closed = false;

  private constructor(kv: Deno.Kv, path: string, options: CoinsDBOptions) {
    this.#kv = kv;
    this.#path = path;
    this.#limits = options.limits;
    this.#onCommit = options.onCommit;
  }

  /** Opens (creating if needed) the chainstate database in `options.dir`. */
  static async open(options: CoinsDBOptions): Promise<CoinsDB> {
    await Deno.mkdir(options.dir, { recursive: true });
    const path = `${options.dir}/${CHAINSTATE_DB_FILE}`;
    const kv = await Deno.openKv(path);
    const db = new CoinsDB(kv, path, options);
    try {
      await db.#load();
    } catch (e) {
      kv.close();
      throw e;
    }
    return db;
  }

  async #load(): Promise<void> {
    const [best, heads] = await this.#kv.getMany<[Uint8Array, Uint8Array]>([KEY_BEST, KEY_HEADS]);
    if (best.value !== null) {
      if (!(best.value instanceof Uint8Array) || best.value.length !== 32) {
        throw new ChainstateError(
          "corrupt",
          "Cannot open chainstate: best block record is not a 32-byte hash",
        );
      }
      this.#best = best.value;
    }
    if (heads.value !== null) {
      if (!(heads.value instanceof Uint8Array) || heads.value.length !== 64) {
        throw new ChainstateError("corrupt", "ReplayBlocks(): unknown inconsistent state");
      }
      const to = heads.value.slice(0, 32);
      const from = heads.value.slice(32, 64);
      this.#heads = { to, from: isZeroHash(from) ? undefined : from };
    }
  }

  /** Path of the database file. */
  get path(): string {
    return this.#path;
  }

  /** {@inheritDoc CoinsView.getBestBlock} */
  getBestBlock(): Uint8Array | undefined {
    return this.#best;
  }

  /** {@inheritDoc CoinsView.getHeadBlocks} */
  getHeadBlocks(): ReplayRange | undefined {
    return this.#heads;
  }

  /** The coin of `outpoint`, or undefined. */
  async getCoin(outpoint: OutPoint): Promise<Coin | undefined> {
    this.#checkOpen();
    const r = await this.#kv.get<Uint8Array>(coinKey(outpoint));
    return r.value === null ? undefined : this.#decode(r.value, outpoint);
  }

  /** Whether `outpoint` is unspent. */
  async haveCoin(outpoint: OutPoint): Promise<boolean> {
    return (await this.getCoin(outpoint)) !== undefined;
  }

  /** The coins of many outpoints (read 10 at a time, concurrently; same order as given). */
  async getCoins(outpoints: readonly OutPoint[]): Promise<(Coin | undefined)[]> {
    this.#checkOpen();
    const out: (Coin | undefined)[] = new Array(outpoints.length);
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < outpoints.length; i += 10) {
      const part = outpoints.slice(i, i + 10);
      const start = i;
      jobs.push(
        this.#kv.getMany<Uint8Array[]>(part.map(coinKey)).then((rs) => {
          for (let j = 0; j < rs.length; j++) {
            const v = rs[j].value;
            out[start + j] = v === null ? undefined : this.#decode(v, part[j]);
          }
        }),
      );
    }
    await Promise.all(jobs);
    return out;
  }

  #decode(value: unknown, o: OutPoint): Coin {
    if (!(value instanceof Uint8Array)) {
      throw new ChainstateError(
        "corrupt",
        `Cannot read coin ${toHex(o.txid.slice().reverse())}:${o.vout}: not bytes`,
      );
    }
    try {
      return decodeCoin(value);
    } catch (e) {
      throw new ChainstateError(
        "corrupt",
        `Cannot read coin ${toHex(o.txid.slice().reverse())}:${o.vout}: ${(e as Error).message}`,
        { cause: e },
      );
    }
  }

  /**
   * Writes the modified coins (spent ones erased) and records `bestBlock` (Core's `CCoinsViewDB::BatchWrite`),
   * in as many atomic commits as Deno KV's limits need, with the head-blocks protocol described in the module
   * documentation. Throws `ChainstateError("inconsistent")` when the database was left mid-flush towards a
   * different block.
   */
  async batchWrite(
    entries: Iterable<CoinsCursorEntry>,
    bestBlock: Uint8Array,
  ): Promise<CoinsBatchWriteStats> {
    this.#checkOpen();
    if (bestBlock.length !== 32 || isZeroHash(bestBlock)) {
      throw new ChainstateError("no-best-block", "Cannot flush the chainstate without a best block");
    }
    const best = bestBlock.slice();
    let oldTip = this.#best;
    if (oldTip === undefined && this.#heads !== undefined) {
      if (!bytesEqual(this.#heads.to, best)) {
        throw new ChainstateError("inconsistent", INCONSISTENT_STATE_MESSAGE);
      }
      oldTip = this.#heads.from;
    }
    let final = false;
    let headsWritten = false;
    const writer = new KvBatchWriter(this.#kv, {
      limits: this.#limits,
      onCommit: async (c) => {
        if (headsWritten && !final) {
          this.#best = undefined;
          this.#heads = { to: best, from: oldTip };
        }
        await this.#onCommit?.({ ...c, final });
      },
    });
    const headsValue = new Uint8Array(64);
    headsValue.set(best, 0);
    if (oldTip !== undefined) headsValue.set(oldTip, 32);
    const beforeFlush = () => {
      if (headsWritten) return;
      writer.push({ type: "delete", key: KEY_BEST });
      writer.push({ type: "set", key: KEY_HEADS, value: headsValue });
      headsWritten = true;
    };
    let written = 0;
    let erased = 0;
    for (const e of entries) {
      let m: KvMutation;
      if (e.coin === undefined) {
        m = { type: "delete", key: coinKey(e.outpoint) };
        erased++;
      } else {
        m = { type: "set", key: coinKey(e.outpoint), value: encodeCoin(e.coin) };
        written++;
      }
      await writer.add(m, RESERVE, beforeFlush);
    }
    if (headsWritten || this.#heads !== undefined) writer.push({ type: "delete", key: KEY_HEADS });
    writer.push({ type: "set", key: KEY_BEST, value: best });
    final = true;
    await writer.commit();
    this.#best = best;
    this.#heads = undefined;
    return { written, erased, commits: writer.commits };
  }

  /** Every coin in key order (txid bytes, then index), as Core's database cursor. */
  async *entries(): AsyncGenerator<CoinsDBEntry> {
    this.#checkOpen();
    for await (const e of this.#kv.list<Uint8Array>({ prefix: [COIN_PREFIX] }, { batchSize: 1000 })) {
      const [, txid, vout] = e.key;
      if (!(txid instanceof Uint8Array) || txid.length !== 32 || typeof vout !== "number") {
        throw new ChainstateError("corrupt", "Cannot read chainstate: malformed coin key");
      }
      const outpoint = { txid, vout };
      yield { outpoint, coin: this.#decode(e.value, outpoint) };
    }
  }

  /**
   * UTXO set statistics over the whole database (Core's `ComputeUTXOStats` with `hash_serialized_3`). The caller
   * flushes its caches first, as `gettxoutsetinfo` does.
   */
  async computeStats(): Promise<UtxoStats> {
    const best = this.#best;
    const hasher = createHash("sha256");
    let transactions = 0;
    let txouts = 0;
    let bogoSize = 0;
    let totalAmount = 0n;
    let prev: Uint8Array | undefined;
    const w = new ByteWriter(1 << 16);
    let buf = w;
    for await (const { outpoint, coin } of this.entries()) {
      if (prev === undefined || !bytesEqual(prev, outpoint.txid)) {
        transactions++;
        prev = outpoint.txid;
      }
      txouts++;
      totalAmount += coin.out.value;
      bogoSize += 50 + coin.out.scriptPubKey.length;
      buf.bytes(outpoint.txid).u32(outpoint.vout).u32(coinCode(coin)).i64(coin.out.value).varBytes(
        coin.out.scriptPubKey,
      );
      if (buf.length > 60000) {
        hasher.update(buf.finish());
        buf = new ByteWriter(1 << 16);
      }
    }
    hasher.update(buf.finish());
    const hashSerialized = sha256(new Uint8Array(hasher.digest()));
    return {
      bestBlock: best,
      transactions,
      txouts,
      bogoSize,
      totalAmount,
      hashSerialized,
      diskSize: this.estimateSize(),
    };
  }

  /** Bytes the database files take on disk (Core's `EstimateSize`). */
  estimateSize(): number {
    let total = 0;
    for (const suffix of ["", "-wal", "-shm"]) {
      try {
        total += Deno.statSync(this.#path + suffix).size;
      } catch {
        // absent
      }
    }
    return total;
  }

  /** Closes the database. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#kv.close();
  }

  #checkOpen(): void {
    if (this.#closed) throw new ChainstateError("corrupt", "Cannot use the chainstate: closed");
  }
}

/**
 * Opens the chainstate and reports its state: the best block it is consistent with, or, when a multi-commit
 * flush was interrupted, the {@link ReplayRange} validation must replay (Core's `GetHeadBlocks` /
 * `ReplayBlocks`). A consistent database has no replay range.
 */
export async function openChainstate(options: CoinsDBOptions): Promise<ChainstateOpenResult> {
  const db = await CoinsDB.open(options);
  const replayRange = db.getHeadBlocks();
  return replayRange === undefined
    ? { db, bestBlock: db.getBestBlock() }
    : { db, bestBlock: db.getBestBlock(), replayRange };
}
