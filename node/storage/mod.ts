/**
 * The node's storage layer: raw blocks and undo data in Core-framed flat files (`blk?????.dat`, `rev?????.dat`),
 * the block index and the chainstate (UTXO set) in Deno KV, and the in-memory coins cache with Core's
 * DIRTY/FRESH semantics and `-dbcache` accounting, flushed in batched atomic commits with Core's head-blocks
 * protocol so an interrupted flush is detected and replayed.
 *
 * @module
 */
export {
  addBlockToFileInfo,
  BLOCKFILE_CHUNK_SIZE,
  BlockFiles,
  EMPTY_BLOCK_FILE_INFO,
  FASTPRUNE_BLOCKFILE_SIZE,
  MAX_BLOCKFILE_SIZE,
  STORAGE_HEADER_BYTES,
  UNDO_DATA_DISK_OVERHEAD,
  UNDOFILE_CHUNK_SIZE,
} from "./block_files.ts";
export type { BlockFileInfo, BlockFilesFlushResult, BlockFilesOptions, ScannedBlock } from "./block_files.ts";
export { flatFileName, flatFilePosToString } from "./flat_file_pos.ts";
export type { FlatFilePos } from "./flat_file_pos.ts";
export { BlockStorageError, ChainstateError } from "./errors.ts";
export type { BlockStorageErrorKind, ChainstateErrorKind } from "./errors.ts";
export {
  compressAmount,
  compressScript,
  decompressAmount,
  readCompressedScript,
  readCompressedTxOut,
  readVarInt,
  readVarInt64,
  varIntLength,
  writeCompressedScript,
  writeCompressedTxOut,
  writeVarInt,
} from "./compressor.ts";
export {
  coinCode,
  coinEquals,
  decodeCoin,
  encodeCoin,
  isUnspendableOutput,
  MAX_COIN_HEIGHT,
  outPointFromMapKey,
  outPointMapKey,
  readCoin,
  writeCoin,
} from "./coins.ts";
export type { Coin } from "./coins.ts";
export {
  decodeBlockUndo,
  encodeBlockUndo,
  readBlockUndo,
  readUndoCoin,
  undoChecksum,
  writeBlockUndo,
  writeUndoCoin,
} from "./undo.ts";
export type { BlockUndo, TxUndo } from "./undo.ts";
export type { CoinsCursorEntry, CoinsView, ReplayRange } from "./coins_view.ts";
export {
  KV_LIMITS,
  KV_MAX_KEY_BYTES,
  KV_MAX_MUTATIONS,
  KV_MAX_TOTAL_KEY_BYTES,
  KV_MAX_TOTAL_MUTATION_BYTES,
  KV_MAX_VALUE_BYTES,
  KvBatchWriter,
  kvKeySize,
  kvMutationSize,
} from "./kv_batch.ts";
export type { KvBatchCommit, KvBatchLimits, KvBatchWriterOptions, KvMutation } from "./kv_batch.ts";
export { CHAINSTATE_DB_FILE, CoinsDB, INCONSISTENT_STATE_MESSAGE, openChainstate } from "./coins_db.ts";
export type {
  ChainstateOpenResult,
  CoinsBatchProgress,
  CoinsBatchWriteStats,
  CoinsDBEntry,
  CoinsDBOptions,
  UtxoStats,
} from "./coins_db.ts";
export {
  addCoins,
  CACHE_ENTRY_BYTES,
  cacheSizes,
  CoinsCache,
  DEFAULT_DB_CACHE_MIB,
  DIRTY,
  DIRTY_SET_BYTES,
  FRESH,
  largeCoinsCacheThreshold,
  MAX_BLOCK_COINSDB_USAGE_BYTES,
  MIN_DB_CACHE_MIB,
  scriptHeapBytes,
} from "./coins_cache.ts";
export type { CacheSizes, CoinsCacheOptions, CoinsCacheSizeState, CoinsCacheStats } from "./coins_cache.ts";
export {
  BLOCK_FAILED_CHILD,
  BLOCK_FAILED_VALID,
  BLOCK_HAVE_DATA,
  BLOCK_HAVE_MASK,
  BLOCK_HAVE_UNDO,
  BLOCK_INDEX_DB_FILE,
  BLOCK_OPT_WITNESS,
  BLOCK_STATUS_RESERVED,
  BLOCK_VALID_CHAIN,
  BLOCK_VALID_MASK,
  BLOCK_VALID_RESERVED,
  BLOCK_VALID_SCRIPTS,
  BLOCK_VALID_TRANSACTIONS,
  BLOCK_VALID_TREE,
  BLOCK_VALID_UNKNOWN,
  BlockIndexDB,
  decodeBlockFileInfo,
  decodeBlockIndexRecord,
  DISK_BLOCK_INDEX_DUMMY_VERSION,
  encodeBlockFileInfo,
  encodeBlockIndexRecord,
} from "./block_index_db.ts";
export type { BlockIndexBatch, BlockIndexDBOptions, BlockIndexRecord } from "./block_index_db.ts";
export {
  DATABASE_WRITE_INTERVAL_MAX_MS,
  DATABASE_WRITE_INTERVAL_MIN_MS,
  NodeStorage,
  storagePaths,
} from "./storage.ts";
export type { FlushStateMode, FlushStateResult, OpenStorageOptions, StoragePaths } from "./storage.ts";
