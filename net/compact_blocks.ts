/**
 * BIP152 compact blocks (Core's `blockencodings`): `cmpctblock` (header, nonce, 6-byte short transaction ids,
 * prefilled transactions with differentially encoded indexes), `getblocktxn` (block hash and differentially
 * encoded indexes) and `blocktxn` (block hash and transactions), and the short id itself: SipHash-2-4 of the
 * wtxid keyed by the first two little-endian uint64s of SHA-256(header || nonce), low 48 bits.
 *
 * Indexes are absolute in the decoded values; the differential form exists only on the wire.
 *
 * @module
 */

import { sha256 } from "../core/hash/hashes.ts";
import { readBlockHeader, writeBlockHeader } from "../core/wire/block.ts";
import type { ByteReader } from "../core/wire/reader.ts";
import { MIN_TRANSACTION_SIZE, readTransaction, writeTransaction, wtxid } from "../core/wire/transaction.ts";
import type { Block, BlockHeader, Transaction } from "../core/wire/types.ts";
import { ByteWriter } from "../core/wire/writer.ts";
import { SipHasher } from "./siphash.ts";

/** Bytes of a short transaction id (Core's `SHORTTXIDS_LENGTH`). */
export const SHORTTXIDS_LENGTH = 6;
/** Largest transaction index a compact block can address (indexes are uint16). */
export const MAX_COMPACT_INDEX = 0xffff;

/** A transaction sent in full inside a compact block. */
export interface PrefilledTransaction {
  /** Its (absolute) index in the block. */
  readonly index: number;
  /** The transaction. */
  readonly tx: Transaction;
}

/** A `cmpctblock` (Core's `CBlockHeaderAndShortTxIDs`). */
export interface CompactBlock {
  /** The block header. */
  readonly header: BlockHeader;
  /** The nonce salting the short ids (uint64). */
  readonly nonce: bigint;
  /** Short ids (48-bit integers) of the transactions not prefilled, in block order. */
  readonly shortIds: readonly number[];
  /** Prefilled transactions, by increasing index. */
  readonly prefilled: readonly PrefilledTransaction[];
}

/** A `getblocktxn` (Core's `BlockTransactionsRequest`). */
export interface BlockTransactionsRequest {
  /** Hash of the block, internal byte order. */
  readonly blockHash: Uint8Array;
  /** Indexes of the transactions wanted, strictly increasing. */
  readonly indexes: readonly number[];
}

/** A `blocktxn` (Core's `BlockTransactions`). */
export interface BlockTransactions {
  /** Hash of the block, internal byte order. */
  readonly blockHash: Uint8Array;
  /** The transactions, in the order requested. */
  readonly txs: readonly Transaction[];
}

/** The SipHash keyed for a compact block's short ids: k0, k1 from SHA-256(header || nonce). */
export function shortIdHasher(header: BlockHeader, nonce: bigint): SipHasher {
  const w = new ByteWriter(88);
  writeBlockHeader(w, header);
  w.u64(nonce);
  const h = sha256(w.finish());
  const le64 = (o: number) => {
    let v = 0n;
    for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(h[o + i]);
    return v;
  };
  return new SipHasher({ k0: le64(0), k1: le64(8) });
}

/** The short id of the transaction with wtxid `wtxidBytes` (internal order) under `hasher`. */
export function shortTxId(hasher: SipHasher, wtxidBytes: Uint8Array): number {
  return hasher.hash48(wtxidBytes);
}

/**
 * A compact block of `block` as Core builds one: the coinbase prefilled, every other transaction by short id.
 * `nonce` should be random (it salts the short ids).
 */
export function createCompactBlock(block: Block, nonce: bigint): CompactBlock {
  if (block.txs.length === 0) {
    throw new RangeError("Cannot create compact block: the block has no transactions");
  }
  const hasher = shortIdHasher(block.header, nonce);
  const shortIds = block.txs.slice(1).map((tx) => shortTxId(hasher, wtxid(tx)));
  return { header: block.header, nonce, shortIds, prefilled: [{ index: 0, tx: block.txs[0] }] };
}

/** Reads a `cmpctblock` payload. */
export function readCompactBlock(r: ByteReader): CompactBlock {
  const header = readBlockHeader(r);
  const nonce = r.u64();
  const nShort = r.count(SHORTTXIDS_LENGTH, "short id");
  const shortIds: number[] = new Array(nShort);
  for (let i = 0; i < nShort; i++) {
    const lo = r.u32();
    const hi = r.u16();
    shortIds[i] = hi * 0x100000000 + lo;
  }
  const nPrefilled = r.count(1 + MIN_TRANSACTION_SIZE, "prefilled transaction");
  const prefilled: PrefilledTransaction[] = new Array(nPrefilled);
  let last = -1;
  for (let i = 0; i < nPrefilled; i++) {
    const at = r.pos;
    const diff = r.compactSize();
    if (diff > MAX_COMPACT_INDEX) r.fail("CompactSize exceeds limit of type", at);
    const index = last + diff + 1;
    if (index > MAX_COMPACT_INDEX) r.fail("prefilled transaction index overflowed 16 bits", at);
    last = index;
    prefilled[i] = { index, tx: readTransaction(r) };
  }
  if (nShort + nPrefilled > MAX_COMPACT_INDEX) r.fail("indexes overflowed 16 bits");
  return { header, nonce, shortIds, prefilled };
}

/** Writes a `cmpctblock` payload (`RangeError` for indexes that are not increasing or over 65535). */
export function writeCompactBlock(w: ByteWriter, cb: CompactBlock): void {
  writeBlockHeader(w, cb.header);
  w.u64(cb.nonce);
  w.compactSize(cb.shortIds.length);
  for (const id of cb.shortIds) {
    if (!Number.isSafeInteger(id) || id < 0 || id >= 2 ** 48) {
      throw new RangeError(`Cannot encode compact block: short id ${id}`);
    }
    const hi = Math.floor(id / 0x100000000);
    w.u32(id - hi * 0x100000000).u16(hi);
  }
  w.compactSize(cb.prefilled.length);
  let last = -1;
  for (const p of cb.prefilled) {
    if (!Number.isInteger(p.index) || p.index <= last || p.index > MAX_COMPACT_INDEX) {
      throw new RangeError(`Cannot encode compact block: prefilled index ${p.index} after ${last}`);
    }
    w.compactSize(p.index - last - 1);
    last = p.index;
    writeTransaction(w, p.tx);
  }
}

/** Reads a `getblocktxn` payload; indexes come out absolute (`differential value overflow` past 65535). */
export function readBlockTransactionsRequest(r: ByteReader): BlockTransactionsRequest {
  const blockHash = r.bytes(32);
  const n = r.count(1, "index");
  const indexes: number[] = new Array(n);
  let shift = 0;
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    shift += r.compactSize();
    if (shift > MAX_COMPACT_INDEX) r.fail("differential value overflow", at);
    indexes[i] = shift++;
  }
  return { blockHash, indexes };
}

/** Writes a `getblocktxn` payload (`RangeError` unless indexes strictly increase within 0..65535). */
export function writeBlockTransactionsRequest(w: ByteWriter, req: BlockTransactionsRequest): void {
  if (req.blockHash.length !== 32) {
    throw new RangeError("Cannot encode getblocktxn: block hash is not 32 bytes");
  }
  w.bytes(req.blockHash).compactSize(req.indexes.length);
  let shift = 0;
  for (const index of req.indexes) {
    if (!Number.isInteger(index) || index < shift || index > MAX_COMPACT_INDEX) {
      throw new RangeError("Cannot encode getblocktxn: differential value overflow");
    }
    w.compactSize(index - shift);
    shift = index + 1;
  }
}

/** Reads a `blocktxn` payload. */
export function readBlockTransactions(r: ByteReader): BlockTransactions {
  const blockHash = r.bytes(32);
  const n = r.count(MIN_TRANSACTION_SIZE, "transaction");
  const txs: Transaction[] = new Array(n);
  for (let i = 0; i < n; i++) txs[i] = readTransaction(r);
  return { blockHash, txs };
}

/** Writes a `blocktxn` payload (witness serialization, as Core's `TX_WITH_WITNESS`). */
export function writeBlockTransactions(w: ByteWriter, bt: BlockTransactions): void {
  if (bt.blockHash.length !== 32) throw new RangeError("Cannot encode blocktxn: block hash is not 32 bytes");
  w.bytes(bt.blockHash).compactSize(bt.txs.length);
  for (const tx of bt.txs) writeTransaction(w, tx);
}
