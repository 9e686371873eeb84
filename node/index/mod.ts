/**
 * The optional indexes (Core's `src/index/`): the base sync machinery and the transaction index (`-txindex`).
 *
 * @module
 */
export {
  BaseIndex,
  type BaseIndexOptions,
  INDEX_BEST_BLOCK_KEY,
  INDEX_DB_FILE,
  type IndexSummary,
} from "./base_index.ts";
export {
  chainBlockStore,
  decodeDiskTxPos,
  DEFAULT_TXINDEX,
  type DiskTxPos,
  encodeDiskTxPos,
  type IndexedTransaction,
  TxIndex,
  type TxIndexBlockStore,
  type TxIndexOptions,
} from "./tx_index.ts";
