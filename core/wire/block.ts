/**
 * Block headers and blocks (Core's `CBlockHeader`, `CBlock`): the 80-byte header, the block hash, block
 * encode/decode with the transaction count bounded by the bytes left, and BIP141 block sizes.
 *
 * @module
 */

import { sha256d } from "../hash/hashes.ts";
import { DecodeError } from "./errors.ts";
import { ByteReader } from "./reader.ts";
import {
  MIN_TRANSACTION_SIZE,
  readTransaction,
  transactionSize,
  WITNESS_SCALE_FACTOR,
  writeTransaction,
} from "./transaction.ts";
import type { EncodeTransactionOptions } from "./transaction.ts";
import { ByteWriter, compactSizeLength } from "./writer.ts";
import type { Block, BlockHeader, Transaction } from "./types.ts";

/** Serialized size of a block header. */
export const BLOCK_HEADER_SIZE = 80;

/** Options of {@link decodeBlock} and {@link readBlock}. */
export interface DecodeBlockOptions {
  /** Accept witness-serialized transactions (default true; Core's `TX_WITH_WITNESS`). */
  readonly allowWitness?: boolean;
  /** Decode from a private copy of the input instead of viewing it (default false; decodeBlock only). */
  readonly copy?: boolean;
}

/** Reads an 80-byte header (hashes are views into the input). */
export function readBlockHeader(r: ByteReader): BlockHeader {
  r.need(BLOCK_HEADER_SIZE);
  const version = r.i32();
  const prevBlock = r.bytes(32);
  const merkleRoot = r.bytes(32);
  const time = r.u32();
  const bits = r.u32();
  const nonce = r.u32();
  return { version, prevBlock, merkleRoot, time, bits, nonce };
}

/** Writes an 80-byte header. */
export function writeBlockHeader(w: ByteWriter, h: BlockHeader): void {
  if (h.prevBlock.length !== 32 || h.merkleRoot.length !== 32) {
    throw new RangeError("Cannot encode block header: prevBlock and merkleRoot must be 32 bytes");
  }
  w.i32(h.version).bytes(h.prevBlock).bytes(h.merkleRoot).u32(h.time).u32(h.bits).u32(h.nonce);
}

/** The 80-byte serialization of a header. */
export function encodeBlockHeader(h: BlockHeader): Uint8Array {
  const w = new ByteWriter(BLOCK_HEADER_SIZE);
  writeBlockHeader(w, h);
  return w.finish();
}

/** Decodes exactly 80 bytes as a header (throws {@link DecodeError}). */
export function decodeBlockHeader(bytes: Uint8Array): BlockHeader {
  if (bytes.length !== BLOCK_HEADER_SIZE) {
    throw new DecodeError("block header", `length is ${bytes.length}, expected ${BLOCK_HEADER_SIZE}`, 0);
  }
  return readBlockHeader(new ByteReader(bytes, "block header"));
}

/** Block hash: SHA-256d of the header (Core's `GetHash`), internal byte order. */
export function blockHash(h: BlockHeader): Uint8Array {
  return sha256d(encodeBlockHeader(h));
}

/**
 * Reads a block from `r` (header, compact-size transaction count, transactions), leaving the reader after it.
 * The count is rejected up front if the bytes left cannot hold that many transactions (10 bytes each at
 * least). Errors name the transaction they occurred in (`transaction 3: end of data …`).
 */
export function readBlock(r: ByteReader, options: DecodeBlockOptions = {}): Block {
  const header = readBlockHeader(r);
  const n = r.count(MIN_TRANSACTION_SIZE, "transaction");
  const txs = new Array<Transaction>(n);
  const txOptions = { allowWitness: options.allowWitness ?? true };
  let i = 0;
  try {
    for (; i < n; i++) txs[i] = readTransaction(r, txOptions);
  } catch (e) {
    if (e instanceof DecodeError) throw new DecodeError(e.subject, `transaction ${i}: ${e.reason}`, e.offset);
    throw e;
  }
  return { header, txs };
}

/** Decodes a whole block; trailing bytes are an error. Throws {@link DecodeError} on malformed input. */
export function decodeBlock(bytes: Uint8Array, options: DecodeBlockOptions = {}): Block {
  const r = new ByteReader(options.copy ? bytes.slice() : bytes, "block");
  const block = readBlock(r, options);
  r.expectEnd("the last transaction");
  return block;
}

/** Serialized size of a block, with witnesses or without. */
export function blockSize(block: Block, options: EncodeTransactionOptions = {}): number {
  let size = BLOCK_HEADER_SIZE + compactSizeLength(block.txs.length);
  for (const tx of block.txs) size += transactionSize(tx, options);
  return size;
}

/** Serialized size with witnesses (RPC `size`). */
export function blockTotalSize(block: Block): number {
  return blockSize(block, { witness: true });
}

/** Serialized size without witnesses (RPC `strippedsize`). */
export function blockStrippedSize(block: Block): number {
  return blockSize(block, { witness: false });
}

/** BIP141 block weight: stripped size × 3 + total size (Core's `GetBlockWeight`). */
export function blockWeight(block: Block): number {
  return blockStrippedSize(block) * (WITNESS_SCALE_FACTOR - 1) + blockTotalSize(block);
}

/** Writes a block (header, count, transactions). */
export function writeBlock(w: ByteWriter, block: Block, options: EncodeTransactionOptions = {}): void {
  writeBlockHeader(w, block.header);
  w.compactSize(block.txs.length);
  for (const tx of block.txs) writeTransaction(w, tx, options);
}

/** Serializes a block, with witnesses unless `{witness: false}`. */
export function encodeBlock(block: Block, options: EncodeTransactionOptions = {}): Uint8Array {
  const w = new ByteWriter(blockSize(block, options));
  writeBlock(w, block, options);
  return w.finish();
}
