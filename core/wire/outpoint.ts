/**
 * Outpoint helpers (Core's `COutPoint`): the null outpoint of coinbase inputs, comparison, map keys and the
 * 36-byte serialization (txid, then vout as uint32 little-endian).
 *
 * @module
 */

import { reverseHex } from "../hash/hashes.ts";
import { ByteReader } from "./reader.ts";
import { ByteWriter } from "./writer.ts";
import type { OutPoint } from "./types.ts";

/** Core's `COutPoint::NULL_INDEX`. */
export const NULL_INDEX = 0xffffffff;

/** The null outpoint (zero txid, index 0xffffffff): what a coinbase input spends. */
export const NULL_OUTPOINT: OutPoint = Object.freeze({ txid: new Uint8Array(32), vout: NULL_INDEX });

/** Serialized size of an outpoint. */
export const OUTPOINT_SIZE = 36;

/** Core's `COutPoint::IsNull`: zero txid and index 0xffffffff. */
export function isNullOutPoint(o: OutPoint): boolean {
  if (o.vout !== NULL_INDEX) return false;
  const t = o.txid;
  for (let i = 0; i < 32; i++) if (t[i] !== 0) return false;
  return true;
}

/** True if both name the same output. */
export function outPointEquals(a: OutPoint, b: OutPoint): boolean {
  if (a.vout !== b.vout) return false;
  for (let i = 0; i < 32; i++) if (a.txid[i] !== b.txid[i]) return false;
  return true;
}

/** Core's ordering of outpoints: txid bytes (internal order, as memcmp), then index. */
export function compareOutPoints(a: OutPoint, b: OutPoint): number {
  for (let i = 0; i < 32; i++) {
    if (a.txid[i] !== b.txid[i]) return a.txid[i] < b.txid[i] ? -1 : 1;
  }
  return a.vout === b.vout ? 0 : a.vout < b.vout ? -1 : 1;
}

/** `"<txid in display hex>:<vout>"`, as Core prints outpoints; also a stable key for maps and sets. */
export function outPointKey(o: OutPoint): string {
  return `${reverseHex(o.txid)}:${o.vout}`;
}

/** Reads a 36-byte outpoint (the txid is a view into the reader's input). */
export function readOutPoint(r: ByteReader): OutPoint {
  const txid = r.bytes(32);
  return { txid, vout: r.u32() };
}

/** Writes a 36-byte outpoint. */
export function writeOutPoint(w: ByteWriter, o: OutPoint): void {
  if (o.txid.length !== 32) throw new RangeError(`Cannot write outpoint: txid is ${o.txid.length} bytes`);
  w.bytes(o.txid).u32(o.vout);
}

/** The 36-byte serialization of an outpoint. */
export function encodeOutPoint(o: OutPoint): Uint8Array {
  const w = new ByteWriter(OUTPOINT_SIZE);
  writeOutPoint(w, o);
  return w.finish();
}

/** Parses exactly 36 bytes as an outpoint (throws `DecodeError`). */
export function decodeOutPoint(bytes: Uint8Array): OutPoint {
  const r = new ByteReader(bytes, "outpoint");
  const o = readOutPoint(r);
  r.expectEnd("the index");
  return o;
}
