/**
 * Block undo data (Core's `CTxUndo` / `CBlockUndo`, `undo.h`): for every transaction of a block but the coinbase,
 * the coins its inputs spent, in input order, so the block can be disconnected. Serialized exactly as Core:
 * a compact-size count of transactions, then per transaction a compact-size count of coins, then per coin
 * `VARINT(height * 2 + coinbase)`, a dummy `VARINT(0)` when the height is not zero (the old format's
 * transaction version), and the output in `TxOutCompression` form. In `rev?????.dat` the record is followed by
 * a checksum: SHA-256d of the previous block's hash followed by these bytes.
 *
 * @module
 */

import { ByteReader } from "../../core/wire/reader.ts";
import { ByteWriter } from "../../core/wire/writer.ts";
import { sha256d } from "../../core/hash/hashes.ts";
import { readCompressedTxOut, readVarInt, writeCompressedTxOut, writeVarInt } from "./compressor.ts";
import { type Coin, coinCode } from "./coins.ts";

/** Undo data of one transaction: the coins its inputs spent, in input order (Core's `CTxUndo::vprevout`). */
export interface TxUndo {
  /** Spent coins, one per input. */
  readonly prevouts: readonly Coin[];
}

/** Undo data of one block: one {@link TxUndo} per transaction but the coinbase (Core's `CBlockUndo::vtxundo`). */
export interface BlockUndo {
  /** Per non-coinbase transaction, in block order. */
  readonly txUndo: readonly TxUndo[];
}

/** Smallest serialized undo coin: code, amount and a one-byte script length. */
const MIN_UNDO_COIN_SIZE = 3;

/** Writes one spent coin in Core's `TxInUndoFormatter` form. */
export function writeUndoCoin(w: ByteWriter, coin: Coin): void {
  writeVarInt(w, coinCode(coin));
  if (coin.height > 0) w.u8(0);
  writeCompressedTxOut(w, coin.out);
}

/** Reads one spent coin in Core's `TxInUndoFormatter` form (any dummy version value is accepted, as in Core). */
export function readUndoCoin(r: ByteReader): Coin {
  const code = readVarInt(r);
  const height = Math.floor(code / 2);
  if (height > 0) readVarInt(r);
  const out = readCompressedTxOut(r);
  return { out, height, coinbase: (code & 1) === 1 };
}

/** Writes block undo data. */
export function writeBlockUndo(w: ByteWriter, undo: BlockUndo): void {
  w.compactSize(undo.txUndo.length);
  for (const tx of undo.txUndo) {
    w.compactSize(tx.prevouts.length);
    for (const coin of tx.prevouts) writeUndoCoin(w, coin);
  }
}

/** Reads block undo data (counts are checked against the bytes left before anything is allocated). */
export function readBlockUndo(r: ByteReader): BlockUndo {
  const n = r.count(1, "transaction undo");
  const txUndo: TxUndo[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const m = r.count(MIN_UNDO_COIN_SIZE, "undo coin");
    const prevouts: Coin[] = new Array(m);
    for (let j = 0; j < m; j++) prevouts[j] = readUndoCoin(r);
    txUndo[i] = { prevouts };
  }
  return { txUndo };
}

/** Serializes block undo data (Core's format, without the file framing or checksum). */
export function encodeBlockUndo(undo: BlockUndo): Uint8Array {
  let guess = 1;
  for (const tx of undo.txUndo) {
    guess += 3;
    for (const c of tx.prevouts) guess += 16 + c.out.scriptPubKey.length;
  }
  const w = new ByteWriter(guess);
  writeBlockUndo(w, undo);
  return w.finish();
}

/** Parses exactly one block undo record (throws `DecodeError` with subject "block undo"). */
export function decodeBlockUndo(bytes: Uint8Array): BlockUndo {
  const r = new ByteReader(bytes, "block undo");
  const undo = readBlockUndo(r);
  r.expectEnd("the block undo data");
  return undo;
}

/**
 * The checksum stored after undo data in `rev?????.dat`: SHA-256d of the previous block's hash (32 bytes,
 * internal order) followed by the serialized undo data (Core's `HashWriter << pprev->GetBlockHash() << blockundo`).
 */
export function undoChecksum(prevBlockHash: Uint8Array, undoBytes: Uint8Array): Uint8Array {
  if (prevBlockHash.length !== 32) {
    throw new RangeError(`Cannot checksum undo data: hash is ${prevBlockHash.length} bytes`);
  }
  const buf = new Uint8Array(32 + undoBytes.length);
  buf.set(prevBlockHash, 0);
  buf.set(undoBytes, 32);
  return sha256d(buf);
}
