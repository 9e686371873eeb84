/**
 * The unspent transaction output of the UTXO set (Core's `Coin`) and its on-disk serialization, which is Core's:
 * `VARINT(height * 2 + coinbase)` followed by the output in `TxOutCompression` form (compressed amount,
 * compressed script). The same bytes are the value of a chainstate record and, with the undo-format dummy byte,
 * an entry of the undo data.
 *
 * @module
 */

import { ByteReader } from "../../core/wire/reader.ts";
import { ByteWriter } from "../../core/wire/writer.ts";
import type { OutPoint, TxOut } from "../../core/wire/types.ts";
import { isUnspendable } from "../../core/script/script.ts";
import { readCompressedTxOut, readVarInt, writeCompressedTxOut, writeVarInt } from "./compressor.ts";

/** An unspent transaction output with the facts validation needs about where it came from. */
export interface Coin {
  /** The output (amount and scriptPubKey). */
  readonly out: TxOut;
  /** Height of the block that created it (31 bits, as Core's `nHeight`). */
  readonly height: number;
  /** Whether it was created by a coinbase transaction. */
  readonly coinbase: boolean;
}

/** Largest height a coin can carry (Core stores it in 31 bits). */
export const MAX_COIN_HEIGHT = 0x7fffffff;

/** Core's `Coin` code: height * 2 + coinbase (a uint32). */
export function coinCode(coin: Coin): number {
  if (!Number.isInteger(coin.height) || coin.height < 0 || coin.height > MAX_COIN_HEIGHT) {
    throw new RangeError(`Cannot serialize coin: height is ${coin.height}`);
  }
  return coin.height * 2 + (coin.coinbase ? 1 : 0);
}

/** Writes a coin in Core's chainstate format. */
export function writeCoin(w: ByteWriter, coin: Coin): void {
  writeVarInt(w, coinCode(coin));
  writeCompressedTxOut(w, coin.out);
}

/** Reads a coin in Core's chainstate format (the script is a private copy). */
export function readCoin(r: ByteReader): Coin {
  const code = readVarInt(r);
  const out = readCompressedTxOut(r);
  return { out, height: Math.floor(code / 2), coinbase: (code & 1) === 1 };
}

/** Serializes a coin in Core's chainstate format. */
export function encodeCoin(coin: Coin): Uint8Array {
  const w = new ByteWriter(16 + coin.out.scriptPubKey.length);
  writeCoin(w, coin);
  return w.finish();
}

/** Parses exactly one coin in Core's chainstate format (throws `DecodeError`). */
export function decodeCoin(bytes: Uint8Array): Coin {
  const r = new ByteReader(bytes, "coin");
  const coin = readCoin(r);
  r.expectEnd("the coin");
  return coin;
}

/** Whether two coins are equal (amount, script, height, coinbase flag). */
export function coinEquals(a: Coin, b: Coin): boolean {
  if (a.height !== b.height || a.coinbase !== b.coinbase || a.out.value !== b.out.value) return false;
  const x = a.out.scriptPubKey;
  const y = b.out.scriptPubKey;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/**
 * Whether an output can never be spent and so never enters the UTXO set (Core's `CScript::IsUnspendable`:
 * starts with OP_RETURN or is longer than MAX_SCRIPT_SIZE).
 */
export function isUnspendableOutput(out: TxOut): boolean {
  return isUnspendable(out.scriptPubKey);
}

const keyScratch: number[] = new Array(36);

/**
 * The 36-character binary string (one char per byte: txid in internal order, then the index as uint32
 * little-endian) used as the in-memory map key of an outpoint. Compact (one-byte string) and exact.
 */
export function outPointMapKey(o: OutPoint): string {
  const t = o.txid;
  if (t.length !== 32) throw new RangeError(`Cannot key outpoint: txid is ${t.length} bytes`);
  const k = keyScratch;
  for (let i = 0; i < 32; i++) k[i] = t[i];
  const v = o.vout;
  k[32] = v & 0xff;
  k[33] = (v >>> 8) & 0xff;
  k[34] = (v >>> 16) & 0xff;
  k[35] = v >>> 24;
  return String.fromCharCode.apply(null, k);
}

/** The outpoint of a key made by {@link outPointMapKey} (a fresh txid array). */
export function outPointFromMapKey(key: string): OutPoint {
  const txid = new Uint8Array(32);
  for (let i = 0; i < 32; i++) txid[i] = key.charCodeAt(i);
  const vout = (key.charCodeAt(32) | (key.charCodeAt(33) << 8) | (key.charCodeAt(34) << 16) |
    (key.charCodeAt(35) << 24)) >>> 0;
  return { txid, vout };
}
