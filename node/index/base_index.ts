/**
 * The common part of the optional indexes (Core's `BaseIndex`, `index/base.cpp`): an index lives in its own Deno
 * KV database, follows the active chain in the background and records the block it has reached as a block
 * locator (Core's `DB_BEST_BLOCK`, key `["B"]`), written in the same atomic commit as the entries of that block.
 *
 * Syncing pulls blocks from the chain: from the block after the index's best block up to the tip, reading them
 * from the block files (or taking them from the `blockConnected` events that woke the loop), committing in
 * batches that keep to Deno KV's limits (1000 mutations, 800 KiB per atomic). When the best block is no longer
 * on the active chain (a reorg, `invalidateblock`), the index rewinds to the fork point (Core's `Rewind`; the
 * entries of the disconnected blocks stay, as Core's txindex keeps them) and goes on from there. Once it has
 * caught up with the tip it is `synced` (Core's `m_synced`, never reset) and keeps following the chain.
 *
 * Restart and crash safety: on open, the index resumes from the first locator entry that the block index knows
 * (Core uses the first entry only; an index written ahead of a chainstate flush that a `kill -9` lost may name
 * blocks the node no longer has, and the older entries of the locator find the last common block), rewinding
 * further if that block is not on the active chain. Entries written for blocks the node lost stay in the
 * database; readers check them (see `TxIndex`).
 *
 * @module
 */
import { encodeBlockLocator, readBlockLocator } from "../../core/wire/locator.ts";
import { ByteReader } from "../../core/wire/reader.ts";
import type { Block } from "../../core/wire/types.ts";
import type { Logger } from "../../util/logging.ts";
import type { BlockIndexEntry, Chainstate } from "../chain/types.ts";
import { type KvBatchLimits, KvBatchWriter, type KvMutation } from "../storage/kv_batch.ts";

/** Key of the best block locator. */
export const INDEX_BEST_BLOCK_KEY: Deno.KvKey = ["B"];

/** Core's `IndexSummary`: what `getindexinfo` reports. */
export interface IndexSummary {
  /** The index's name (`txindex`). */
  readonly name: string;
  /** Whether the index has caught up with the chain once (then it follows every block). */
  readonly synced: boolean;
  /** Height of the last block the index has processed (0 before any, as Core). */
  readonly bestBlockHeight: number;
  /** Hash (display hex) of that block, or "" when none. */
  readonly bestBlockHash: string;
}

/** Options of {@link BaseIndex}. */
export interface BaseIndexOptions {
  /** The index's name (Core's `GetName()`), e.g. `txindex`. */
  readonly name: string;
  /** Directory of the database (`<netdatadir>/indexes/<name>`), created if missing. */
  readonly dir: string;
  /** The chain to follow. */
  readonly chain: Chainstate;
  /** Delete the database first (Core's `-reindex` wipes the indexes). */
  readonly wipe?: boolean;
  /** Logger for progress and errors. */
  readonly logger?: Logger;
  /** Per-commit limits (default Deno KV's; tests use small ones). */
  readonly limits?: KvBatchLimits;
  /** Commit at least this often while syncing (ms; default 2000). */
  readonly commitIntervalMs?: number;
  /** Called after each commit (tests: progress, simulated crashes). */
  readonly onCommit?: (best: BlockIndexEntry | null) => void | Promise<void>;
}

/** Space kept free in every commit for the locator: [mutations, key bytes, mutation bytes]. */
const LOCATOR_RESERVE: readonly [number, number, number] = [1, 16, 4096];
/** Blocks from `blockConnected` events kept for the sync loop (beyond that it reads them from disk). */
const MAX_CACHED_BLOCKS = 64;

/** File name of an index's Deno KV database inside its directory. */
export const INDEX_DB_FILE = "index.sqlite3";

/**
 * An index that follows the active chain. Subclasses turn a connected block into KV mutations
 * ({@link BaseIndex.blockMutations}); this class runs the sync loop and keeps the best block.
 */
export abstract class BaseIndex {
  /** The index's name. */
  readonly name: string;
  /** The database. */
  protected readonly kv: Deno.Kv;
  /** The chain followed. */
  protected readonly chain: Chainstate;
  readonly #logger: Logger | undefined;
  readonly #limits: KvBatchLimits | undefined;
  readonly #commitIntervalMs: number;
  readonly #onCommit: BaseIndexOptions["onCommit"];
  #best: BlockIndexEntry | null = null;
  #synced = false;
  #stopped = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #pendingWake = false;
  #idleWaiters: (() => void)[] = [];
  readonly #cache = new Map<string, Block>();
  #unsubscribe: (() => void) | null = null;
  #error: Error | null = null;

  /** Use {@link BaseIndex.openDatabase} for `kv`, then {@link BaseIndex.init}. */
  protected constructor(options: BaseIndexOptions, kv: Deno.Kv) {
    this.name = options.name;
    this.kv = kv;
    this.chain = options.chain;
    this.#logger = options.logger;
    this.#limits = options.limits;
    this.#commitIntervalMs = options.commitIntervalMs ?? 2000;
    this.#onCommit = options.onCommit;
  }

  /** Opens (after wiping, with `wipe`) the database of an index in `dir`. */
  protected static async openDatabase(dir: string, wipe: boolean): Promise<Deno.Kv> {
    if (wipe) await Deno.remove(dir, { recursive: true }).catch(() => {});
    await Deno.mkdir(dir, { recursive: true });
    return await Deno.openKv(`${dir}/${INDEX_DB_FILE}`);
  }

  /**
   * Reads the best block locator and positions the index (Core's `BaseIndex::Init`): on the first locator entry
   * the block index knows, or before genesis for a new database.
   */
  protected async init(): Promise<void> {
    const rec = await this.kv.get<Uint8Array>(INDEX_BEST_BLOCK_KEY);
    this.#best = null;
    if (rec.value instanceof Uint8Array) {
      let hashes: readonly Uint8Array[];
      try {
        hashes = readBlockLocator(new ByteReader(rec.value, "index locator")).hashes;
      } catch (e) {
        throw new Error(`Cannot open ${this.name}: best block locator is corrupt (${(e as Error).message})`);
      }
      for (const h of hashes) {
        const e = this.chain.lookup(h);
        if (e !== undefined) {
          this.#best = e;
          break;
        }
      }
      if (this.#best === null && hashes.length > 0) {
        throw new Error(`${this.name}: best block of the index not found. Please rebuild the index.`);
      }
    }
    this.#synced = this.#best !== null && this.#best === this.chain.tip();
  }

  /** The mutations that index `block` (connected at `entry`). */
  protected abstract blockMutations(block: Block, entry: BlockIndexEntry): KvMutation[];

  /** Starts following the chain in the background (Core's `StartBackgroundSync`). */
  start(): void {
    if (this.#loop !== null) return;
    this.#unsubscribe = this.chain.subscribe({
      blockConnected: (block, entry) => {
        if (this.#cache.size < MAX_CACHED_BLOCKS) this.#cache.set(entry.hashHex, block);
        this.#signal();
      },
      blockDisconnected: () => this.#signal(),
    });
    this.#loop = this.#run();
  }

  /** Stops the sync loop after its current commit and closes the database (Core's `Stop`). */
  async close(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#signal();
    await this.#loop;
    this.#loop = null;
    for (const w of this.#idleWaiters.splice(0)) w();
    this.kv.close();
  }

  /** Core's `GetSummary`. */
  summary(): IndexSummary {
    const best = this.#best;
    return {
      name: this.name,
      synced: this.#synced,
      bestBlockHeight: best === null ? 0 : best.height,
      bestBlockHash: best === null ? "" : best.hashHex,
    };
  }

  /** The last block processed (null before genesis). */
  get bestBlock(): BlockIndexEntry | null {
    return this.#best;
  }

  /** Whether the index has caught up with the chain once. */
  get synced(): boolean {
    return this.#synced;
  }

  /** The error that stopped the sync loop, if any. */
  get error(): Error | null {
    return this.#error;
  }

  /**
   * Core's `BlockUntilSyncedToCurrentChain`: false at once when the index has not caught up yet (callers then
   * report that it is still indexing); otherwise waits until it has processed the chain's current tip.
   */
  async blockUntilSyncedToCurrentChain(): Promise<boolean> {
    if (!this.#synced) return false;
    const target = this.chain.tip();
    while (!this.#stopped && this.#error === null) {
      const best = this.#best;
      if (best !== null && (best === target || best.height >= target.height && this.chain.contains(best))) {
        return true;
      }
      this.#signal();
      await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    }
    return this.#error === null;
  }

  #signal(): void {
    const w = this.#wake;
    if (w !== null) {
      this.#wake = null;
      w();
    } else {
      this.#pendingWake = true;
    }
  }

  async #run(): Promise<void> {
    try {
      if (!this.#synced) {
        this.#logger?.info(`Syncing ${this.name} with block chain from height ${this.#best?.height ?? 0}`);
      }
      while (!this.#stopped) {
        const more = await this.#step();
        if (more) continue;
        if (!this.#synced) {
          this.#synced = true;
          this.#logger?.info(`${this.name} is enabled at height ${this.#best?.height ?? -1}`);
        }
        for (const w of this.#idleWaiters.splice(0)) w();
        if (this.#stopped) break;
        if (this.#pendingWake) {
          this.#pendingWake = false;
          continue;
        }
        await new Promise<void>((resolve) => this.#wake = resolve);
        this.#pendingWake = false;
      }
    } catch (e) {
      this.#error = e instanceof Error ? e : new Error(String(e));
      this.#logger?.error(`${this.name}: sync failed: ${this.#error.message}`);
      for (const w of this.#idleWaiters.splice(0)) w();
    }
  }

  /** The locator of `entry` (heights from Core's `LocatorEntries`), along its own ancestry. */
  #locator(entry: BlockIndexEntry): Uint8Array {
    const hashes: Uint8Array[] = [];
    let e: BlockIndexEntry | null = entry;
    let step = 1;
    while (e !== null) {
      hashes.push(e.hash);
      if (e.height === 0) break;
      const target = Math.max(e.height - step, 0);
      if (this.chain.contains(e)) e = this.chain.atHeight(target);
      else while (e !== null && e.height > target) e = e.prev;
      if (hashes.length > 10) step *= 2;
    }
    return encodeBlockLocator(hashes);
  }

  #locatorMutation(entry: BlockIndexEntry): KvMutation {
    return { type: "set", key: INDEX_BEST_BLOCK_KEY, value: this.#locator(entry) };
  }

  /**
   * Processes blocks from the best block towards the tip, committing at least every `commitIntervalMs` and at
   * the end; returns whether more blocks may be waiting. The best block moves only when its entries are
   * committed, so readers that waited for it find them.
   */
  async #step(): Promise<boolean> {
    const startBest = this.#best;
    let best = startBest;
    // Rewind to the active chain (Core's Rewind; entries of the blocks left behind are kept).
    while (best !== null && !this.chain.contains(best)) best = best.prev;
    // The block whose locator the batch being filled carries (entries of later blocks may ride along).
    let recorded: BlockIndexEntry | null = null;
    const writer = new KvBatchWriter(this.kv, {
      limits: this.#limits,
      onCommit: async () => {
        if (recorded === null) return;
        this.#best = recorded;
        const r = recorded;
        recorded = null;
        await this.#onCommit?.(r);
      },
    });
    const started = Date.now();
    let more = false;
    const commit = async () => {
      // The best block moved (blocks, a rewind) or entries are pending: record it with them.
      if (best !== null && (best !== this.#best || writer.pending > 0)) {
        writer.push(this.#locatorMutation(best));
        recorded = best;
      }
      await writer.commit();
    };
    for (;;) {
      if (this.#stopped) break;
      const tip = this.chain.tip();
      if (best !== null && best.height >= tip.height) break;
      const next = this.chain.atHeight(best === null ? 0 : best.height + 1);
      if (next === null || (best !== null && next.prev !== best)) {
        more = true; // the chain changed underneath: look again
        break;
      }
      const block = this.#cache.get(next.hashHex) ?? await this.chain.readBlock(next);
      this.#cache.delete(next.hashHex);
      const done = best;
      for (const m of this.blockMutations(block, next)) {
        await writer.add(m, LOCATOR_RESERVE, () => {
          if (done !== null) {
            writer.push(this.#locatorMutation(done));
            recorded = done;
          }
        });
      }
      best = next;
      if (Date.now() - started >= this.#commitIntervalMs) {
        more = true;
        break;
      }
    }
    await commit();
    // Drop cached blocks the loop will not need (already indexed or off the chain).
    for (const hex of [...this.#cache.keys()]) {
      const e = this.chain.lookup(hex);
      if (e === undefined || (best !== null && e.height <= best.height)) this.#cache.delete(hex);
    }
    return more;
  }
}
