/**
 * The node's storage as one unit (Core's `BlockManager` files + `BlockTreeDB` + `CCoinsViewDB` + the tip
 * `CCoinsViewCache`, with `FlushStateToDisk`'s ordering): flat files in `<network dir>/blocks/`, the block index
 * in `<network dir>/blocks/index/`, the chainstate in `<network dir>/chainstate/`, where the network dir is
 * `<datadir>` for main and `<datadir>/<testnet3|testnet4|signet|regtest>` otherwise, as in Core.
 *
 * Crash consistency comes from the write order of {@link NodeStorage.flushStateToDisk}: block and undo files are
 * synced first, then the block index (file info first, then records) is written, then the coins; so every
 * position in the index is durable, and the chainstate's best block is always in the index with its data and
 * undo data on disk. A flush interrupted inside the chainstate is reported as `replayRange` on the next open.
 *
 * @module
 */

import { baseParams, type Network } from "../../core/chain_params_base.ts";
import { chainParams } from "../../core/chain_params.ts";
import { initBlocksXorKey } from "./xor_key.ts";
import { BlockFiles, type BlockFilesOptions } from "./block_files.ts";
import { BlockIndexDB, type BlockIndexRecord } from "./block_index_db.ts";
import { type CoinsBatchProgress, type CoinsDB, openChainstate } from "./coins_db.ts";
import { cacheSizes, CoinsCache, DEFAULT_DB_CACHE_MIB } from "./coins_cache.ts";
import type { ReplayRange } from "./coins_view.ts";
import type { KvBatchLimits } from "./kv_batch.ts";

/** Where one network's storage lives. */
export interface StoragePaths {
  /** `<datadir>` (main) or `<datadir>/<network folder>`. */
  readonly networkDir: string;
  /** `blocks/`: `blk?????.dat`, `rev?????.dat`. */
  readonly blocksDir: string;
  /** `blocks/index/`: the block index database. */
  readonly indexDir: string;
  /** `chainstate/`: the UTXO database. */
  readonly chainstateDir: string;
}

/** The storage directories of `network` under `dataDir` (Core's layout). */
export function storagePaths(dataDir: string, network: Network): StoragePaths {
  const sub = baseParams(network).dataDir;
  const networkDir = sub === "" ? dataDir : `${dataDir}/${sub}`;
  return {
    networkDir,
    blocksDir: `${networkDir}/blocks`,
    indexDir: `${networkDir}/blocks/index`,
    chainstateDir: `${networkDir}/chainstate`,
  };
}

/** Core's `FlushStateMode`. */
export type FlushStateMode =
  /** Write only when the coins cache is over its budget (then empty it). */
  | "if-needed"
  /** Also write when the cache is "large" (then empty it) or the periodic interval has passed (keep it). */
  | "periodic"
  /** Write everything, keep the cache warm (Core's `FORCE_SYNC`). */
  | "force-sync"
  /** Write everything and empty the cache (Core's `FORCE_FLUSH`, e.g. at shutdown). */
  | "force-flush";

/** What a {@link NodeStorage.flushStateToDisk} call did. */
export interface FlushStateResult {
  /** Whether anything was written. */
  readonly wrote: boolean;
  /** Whether the coins cache was emptied (flush) rather than kept (sync). */
  readonly emptiedCache: boolean;
}

/** Lowest delay between periodic writes (Core's `DATABASE_WRITE_INTERVAL_MIN`, 50 minutes). */
export const DATABASE_WRITE_INTERVAL_MIN_MS = 50 * 60 * 1000;
/** Highest delay between periodic writes (Core's `DATABASE_WRITE_INTERVAL_MAX`, 70 minutes). */
export const DATABASE_WRITE_INTERVAL_MAX_MS = 70 * 60 * 1000;

/** Options of {@link NodeStorage.open}. */
export interface OpenStorageOptions {
  /** The data directory (`-datadir`). */
  readonly dataDir: string;
  /** The network. */
  readonly network: Network;
  /** `-dbcache` in MiB (default 450). */
  readonly dbcacheMiB?: number;
  /** `-fastprune`: 64 KiB block files. */
  readonly fastPrune?: boolean;
  /**
   * Delete the chainstate database before opening (`-reindex-chainstate`, and `-reindex`): the coins are rebuilt
   * by connecting the indexed blocks again.
   */
  readonly wipeChainstate?: boolean;
  /**
   * Delete the block index database before opening (`-reindex`). The block files stay; the caller must scan
   * them ({@link BlockFiles.scanBlockFile}) and record every block found ({@link BlockFiles.noteBlockOnDisk})
   * before writing new blocks, or appends would start over at the beginning of `blk00000.dat`.
   */
  readonly wipeBlockIndex?: boolean;
  /** Further block file options (tests). */
  readonly blockFiles?: Partial<Pick<BlockFilesOptions, "maxFileSize" | "preallocate" | "maxOpenFiles">>;
  /** Deno KV per-commit limits (tests; default Deno KV's). */
  readonly kvLimits?: KvBatchLimits;
  /** Called after every atomic commit of a chainstate flush (progress, crash simulation). */
  readonly onCoinsCommit?: (progress: CoinsBatchProgress) => void | Promise<void>;
  /** Clock for the periodic write interval (ms; default `Date.now`). */
  readonly now?: () => number;
  /**
   * `-blocksxor`: obfuscate a fresh blocks directory's files with a random key (`xor.dat`, Core's default on);
   * default false here (tests look at raw files), the node passes Core's default.
   */
  readonly blocksXor?: boolean;
  /** Receives Core's log line naming the obfuscation key. */
  readonly log?: (message: string) => void;
}

/** Block files, block index, chainstate and the coins cache of one network, opened together. */
export class NodeStorage {
  /** Directories. */
  readonly paths: StoragePaths;
  /** Raw blocks and undo data. */
  readonly blockFiles: BlockFiles;
  /** The block index database. */
  readonly blockIndex: BlockIndexDB;
  /** The chainstate database. */
  readonly coinsDb: CoinsDB;
  /** The tip coins cache over {@link coinsDb}, sized by `-dbcache`. */
  readonly coins: CoinsCache;
  readonly #dirtyRecords = new Map<string, BlockIndexRecord>();
  #recordSource: (() => Iterable<BlockIndexRecord>) | undefined;
  readonly #now: () => number;
  #nextWrite: number | undefined;
  #closed = false;

  private constructor(
    paths: StoragePaths,
    blockFiles: BlockFiles,
    blockIndex: BlockIndexDB,
    coinsDb: CoinsDB,
    coins: CoinsCache,
    now: () => number,
  ) {
    this.paths = paths;
    this.blockFiles = blockFiles;
    this.blockIndex = blockIndex;
    this.coinsDb = coinsDb;
    this.coins = coins;
    this.#now = now;
  }

  /** Opens (creating as needed) the storage of `options.network` under `options.dataDir`. */
  static async open(options: OpenStorageOptions): Promise<NodeStorage> {
    const paths = storagePaths(options.dataDir, options.network);
    if (options.wipeBlockIndex) await removeIfExists(paths.indexDir);
    if (options.wipeChainstate) await removeIfExists(paths.chainstateDir);
    // Before anything else is created in the blocks directory: Core decides there whether this is a first run.
    const obfuscationKey = await initBlocksXorKey(paths.blocksDir, options.blocksXor ?? false, options.log);
    const blockIndex = await BlockIndexDB.open({ dir: paths.indexDir, limits: options.kvLimits });
    let coinsDb: CoinsDB | undefined;
    try {
      const fileInfo = await blockIndex.readAllBlockFileInfo();
      const lastFile = await blockIndex.readLastBlockFile();
      const blockFiles = BlockFiles.open({
        ...options.blockFiles,
        dir: paths.blocksDir,
        messageStart: chainParams(options.network).messageStart,
        fileInfo,
        lastFile,
        fastPrune: options.fastPrune,
        obfuscationKey,
      });
      const opened = await openChainstate({
        dir: paths.chainstateDir,
        limits: options.kvLimits,
        onCommit: options.onCoinsCommit,
      });
      coinsDb = opened.db;
      const coins = new CoinsCache(coinsDb, {
        maxBytes: cacheSizes(options.dbcacheMiB ?? DEFAULT_DB_CACHE_MIB).coins,
      });
      return new NodeStorage(
        paths,
        blockFiles,
        blockIndex,
        coinsDb,
        coins,
        options.now ?? Date.now,
      );
    } catch (e) {
      coinsDb?.close();
      blockIndex.close();
      throw e;
    }
  }

  /** The chainstate database's best block (undefined: new database, or a flush was interrupted). */
  get bestBlock(): Uint8Array | undefined {
    return this.coinsDb.getBestBlock();
  }

  /**
   * Present while the chainstate is left mid-flush (Core's head blocks): the blocks validation must replay
   * (Core's `ReplayBlocks`) before using the coins; gone once a flush with best block `to` completes.
   */
  get replayRange(): ReplayRange | undefined {
    return this.coinsDb.getHeadBlocks();
  }

  /** Queues a block index record to be written by the next flush (Core's `m_dirty_blockindex`); latest wins. */
  markBlockIndexDirty(record: BlockIndexRecord): void {
    let key = "";
    for (let i = 0; i < 32; i++) key += String.fromCharCode(record.hash[i]);
    this.#dirtyRecords.set(key, record);
  }

  /**
   * Registers where changed block index records come from (Core's `m_dirty_blockindex` lives with the index):
   * `source` is drained into the pending records by every flush that writes, so records are built only then.
   */
  setBlockIndexSource(source: () => Iterable<BlockIndexRecord>): void {
    this.#recordSource = source;
  }

  /** Block index records waiting for a flush (not counting those the source still holds). */
  get dirtyBlockIndexCount(): number {
    return this.#dirtyRecords.size;
  }

  /**
   * Core's `FlushStateToDisk` (without pruning): decides from `mode` and the coins cache size whether to write;
   * if so syncs block and undo files, writes changed file infos and block index records, then writes the coins
   * (emptying the cache for "force-flush", a large cache in "periodic" or a critical one in "if-needed",
   * keeping it otherwise). The coins are written only when the cache has a best block.
   */
  async flushStateToDisk(
    mode: FlushStateMode = "force-sync",
    mempoolSpareBytes = 0,
  ): Promise<FlushStateResult> {
    const state = this.coins.sizeState(mempoolSpareBytes);
    const now = this.#now();
    if (this.#nextWrite === undefined) this.#nextWrite = now + this.#writeDelay();
    const cacheLarge = mode === "periodic" && state !== "ok";
    const cacheCritical = mode === "if-needed" && state === "critical";
    const periodicWrite = mode === "periodic" && now >= this.#nextWrite;
    const emptyCache = mode === "force-flush" || cacheLarge || cacheCritical;
    const shouldWrite = mode === "force-sync" || emptyCache || periodicWrite;
    if (!shouldWrite) return { wrote: false, emptiedCache: false };
    if (this.#recordSource !== undefined) {
      for (const r of this.#recordSource()) {
        this.markBlockIndexDirty(r);
      }
    }
    const files = this.blockFiles.flush();
    const records = [...this.#dirtyRecords.values()];
    try {
      await this.blockIndex.writeBatchSync({ fileInfo: files.fileInfo, lastFile: files.lastFile, records });
    } catch (e) {
      this.blockFiles.markFileInfoDirty(files.fileInfo.map((f) => f.file));
      throw e;
    }
    for (const r of records) {
      let key = "";
      for (let i = 0; i < 32; i++) key += String.fromCharCode(r.hash[i]);
      if (this.#dirtyRecords.get(key) === r) this.#dirtyRecords.delete(key);
    }
    if (this.coins.getBestBlock() !== undefined) {
      if (emptyCache) await this.coins.flush();
      else await this.coins.sync();
    }
    this.#nextWrite = this.#now() + this.#writeDelay();
    return { wrote: true, emptiedCache: emptyCache };
  }

  #writeDelay(): number {
    return DATABASE_WRITE_INTERVAL_MIN_MS +
      Math.floor(Math.random() * (DATABASE_WRITE_INTERVAL_MAX_MS - DATABASE_WRITE_INTERVAL_MIN_MS));
  }

  /** Closes files and databases without writing pending state (flush first for a clean shutdown). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.blockFiles.close();
    } finally {
      this.coinsDb.close();
      this.blockIndex.close();
    }
  }
}

async function removeIfExists(dir: string): Promise<void> {
  try {
    await Deno.remove(dir, { recursive: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}
