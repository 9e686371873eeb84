/**
 * A minimal transaction decoder for the sighash/checker tests (legacy and segwit serialization), kept
 * independent of core/wire so these tests check the sighash code against the vectors on their own.
 *
 * @module
 */

import type { Transaction, TxIn, TxOut } from "../../../core/wire/types.ts";
import { hex } from "../vectors.ts";

/** Decodes a serialized transaction given in hex. Throws on malformed input. */
export function decodeTxHex(txHex: string): Transaction {
  const b = hex(txHex);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 0;
  const need = (n: number) => {
    if (p + n > b.length) throw new Error(`Cannot decode transaction: truncated at ${p}`);
  };
  const u8 = () => (need(1), b[p++]);
  const u32 = () => (need(4), p += 4, view.getUint32(p - 4, true));
  const i32 = () => (need(4), p += 4, view.getInt32(p - 4, true));
  const i64 = () => (need(8), p += 8, view.getBigInt64(p - 8, true));
  const compact = (): number => {
    const first = u8();
    if (first < 0xfd) return first;
    if (first === 0xfd) return (need(2), p += 2, view.getUint16(p - 2, true));
    if (first === 0xfe) return u32();
    return Number((need(8), p += 8, view.getBigUint64(p - 8, true)));
  };
  const bytes = (n: number) => (need(n), p += n, b.slice(p - n, p));
  const version = i32();
  let nIn = compact();
  let segwit = false;
  if (nIn === 0) {
    const flag = u8();
    if (flag !== 1) throw new Error(`Cannot decode transaction: segwit flag ${flag}`);
    segwit = true;
    nIn = compact();
  }
  const inputs: { prevout: { txid: Uint8Array; vout: number }; scriptSig: Uint8Array; sequence: number }[] =
    [];
  for (let i = 0; i < nIn; i++) {
    const txid = bytes(32);
    const vout = u32();
    const scriptSig = bytes(compact());
    inputs.push({ prevout: { txid, vout }, scriptSig, sequence: u32() });
  }
  const outputs: TxOut[] = [];
  const nOut = compact();
  for (let i = 0; i < nOut; i++) {
    const value = i64();
    outputs.push({ value, scriptPubKey: bytes(compact()) });
  }
  const witnesses: Uint8Array[][] = inputs.map(() => []);
  if (segwit) {
    for (let i = 0; i < nIn; i++) {
      const n = compact();
      for (let j = 0; j < n; j++) witnesses[i].push(bytes(compact()));
    }
  }
  const locktime = u32();
  if (p !== b.length) throw new Error(`Cannot decode transaction: ${b.length - p} trailing bytes`);
  const txIns: TxIn[] = inputs.map((input, i) => ({ ...input, witness: witnesses[i] }));
  return { version, inputs: txIns, outputs, locktime };
}
