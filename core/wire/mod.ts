/**
 * Bitcoin's wire formats: byte reader/writer with compact sizes, transactions (legacy and BIP144), outpoints,
 * block headers and blocks, block locators. Decoders are zero-copy and throw only {@link DecodeError}.
 *
 * @module
 */
export type { Block, BlockHeader, OutPoint, Transaction, TxIn, TxOut } from "./types.ts";
export { DecodeError } from "./errors.ts";
export { ByteReader, MAX_SIZE } from "./reader.ts";
export { ByteWriter, compactSizeLength, encodeCompactSize } from "./writer.ts";
export {
  compareOutPoints,
  decodeOutPoint,
  encodeOutPoint,
  isNullOutPoint,
  NULL_INDEX,
  NULL_OUTPOINT,
  OUTPOINT_SIZE,
  outPointEquals,
  outPointKey,
  readOutPoint,
  writeOutPoint,
} from "./outpoint.ts";
export {
  decodeTransaction,
  encodeTransaction,
  hasWitness,
  isCoinBase,
  MIN_TRANSACTION_SIZE,
  originalBytes,
  readTransaction,
  transactionSize,
  transactionStrippedSize,
  transactionTotalSize,
  transactionVsize,
  transactionWeight,
  txid,
  WITNESS_SCALE_FACTOR,
  writeTransaction,
  wtxid,
} from "./transaction.ts";
export type {
  DecodeTransactionOptions,
  EncodeTransactionOptions,
  ReadTransactionOptions,
} from "./transaction.ts";
export {
  BLOCK_HEADER_SIZE,
  blockHash,
  blockSize,
  blockStrippedSize,
  blockTotalSize,
  blockWeight,
  decodeBlock,
  decodeBlockHeader,
  encodeBlock,
  encodeBlockHeader,
  readBlock,
  readBlockHeader,
  writeBlock,
  writeBlockHeader,
} from "./block.ts";
export type { DecodeBlockOptions } from "./block.ts";
export {
  decodeBlockLocator,
  encodeBlockLocator,
  LOCATOR_DUMMY_VERSION,
  locatorHeights,
  readBlockLocator,
  writeBlockLocator,
} from "./locator.ts";
export type { BlockLocator } from "./locator.ts";
