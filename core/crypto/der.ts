/**
 * ECDSA signature encodings as Bitcoin Core handles them: the lax DER parser Core uses for every signature
 * (`ecdsa_signature_parse_der_lax` in pubkey.cpp, which accepts the format violations present in the chain before
 * BIP66), low-S checks (`CPubKey::CheckLowS`), `CPubKey::Verify`, and strict DER encoding for signers.
 *
 * Strict DER validation of script signatures (`IsValidSignatureEncoding`, BIP66) is the interpreter's job.
 *
 * @module
 */

import {
  compare32,
  CURVE_ORDER_BYTES,
  HALF_CURVE_ORDER_BYTES,
  isPubkeySizeValid,
  type Secp256k1,
} from "./secp256k1.ts";

/**
 * Core's `ecdsa_signature_parse_der_lax`: parses a DER-ish ECDSA signature (without the sighash byte) into the
 * 64-byte compact form r‖s (big-endian). Returns null where Core's parser fails (returns 0).
 *
 * Accepted violations, as in Core: any sequence length (its value is ignored; a long form's bytes are skipped),
 * long-form integer lengths with leading zero bytes (fewer than 4 significant length bytes), negative integers,
 * excess leading zeros in R and S, and trailing garbage after S. When R or S does not fit in 32 bytes after
 * stripping leading zeros, or is ≥ n, parsing still succeeds but yields r = s = 0 (an invalid signature that
 * never verifies), exactly like Core.
 */
export function parseDerLax(der: Uint8Array): Uint8Array | null {
  const len = der.length;
  let pos = 0;
  // Sequence tag.
  if (pos === len || der[pos] !== 0x30) return null;
  pos++;
  // Sequence length: ignored, long form bytes skipped.
  if (pos === len) return null;
  let lenbyte = der[pos++];
  if (lenbyte & 0x80) {
    lenbyte -= 0x80;
    if (lenbyte > len - pos) return null;
    pos += lenbyte;
  }
  const r = readInteger(der, pos);
  if (r === null) return null;
  const s = readInteger(der, r.end);
  if (s === null) return null;

  const out = new Uint8Array(64);
  let overflow = false;
  let rpos = r.start;
  let rlen = r.length;
  while (rlen > 0 && der[rpos] === 0) {
    rlen--;
    rpos++;
  }
  if (rlen > 32) overflow = true;
  else out.set(der.subarray(rpos, rpos + rlen), 32 - rlen);
  let spos = s.start;
  let slen = s.length;
  while (slen > 0 && der[spos] === 0) {
    slen--;
    spos++;
  }
  if (slen > 32) overflow = true;
  else out.set(der.subarray(spos, spos + slen), 64 - slen);
  // secp256k1_ecdsa_signature_parse_compact refuses r or s ≥ n.
  if (
    !overflow &&
    (compare32(out.subarray(0, 32), CURVE_ORDER_BYTES) >= 0 ||
      compare32(out.subarray(32, 64), CURVE_ORDER_BYTES) >= 0)
  ) {
    overflow = true;
  }
  if (overflow) out.fill(0);
  return out;
}

/** Reads an INTEGER header at `pos` the lax way: its content's start and length, or null. */
function readInteger(der: Uint8Array, at: number): { start: number; length: number; end: number } | null {
  const len = der.length;
  let pos = at;
  if (pos === len || der[pos] !== 0x02) return null;
  pos++;
  if (pos === len) return null;
  let lenbyte = der[pos++];
  let intlen: number;
  if (lenbyte & 0x80) {
    lenbyte -= 0x80;
    if (lenbyte > len - pos) return null;
    while (lenbyte > 0 && der[pos] === 0) {
      pos++;
      lenbyte--;
    }
    if (lenbyte >= 4) return null;
    intlen = 0;
    while (lenbyte > 0) {
      intlen = intlen * 256 + der[pos];
      pos++;
      lenbyte--;
    }
  } else {
    intlen = lenbyte;
  }
  if (intlen > len - pos) return null;
  return { start: pos, length: intlen, end: pos + intlen };
}

/**
 * Core's `CPubKey::CheckLowS`: whether the lax-parsed signature `derSig` (DER *without* the sighash byte) has
 * S ≤ n/2. False when the lax parser fails; true for signatures that overflow (they parse as r = s = 0).
 * The interpreter's LOW_S rule (`IsLowDERSignature`) checks strict DER first, then calls this on the signature
 * with its last byte removed.
 */
export function isLowS(derSig: Uint8Array): boolean {
  const compact = parseDerLax(derSig);
  if (compact === null) return false;
  return compare32(compact.subarray(32, 64), HALF_CURVE_ORDER_BYTES) <= 0;
}

/**
 * Core's `CPubKey::Verify`: verifies `derSig` (lax DER, without the sighash byte) over the 32-byte `hash` with
 * `pubkey` (any size-valid encoding, hybrid included), normalizing S first. False for any failure.
 */
export function verifyEcdsaDerLax(
  secp: Secp256k1,
  derSig: Uint8Array,
  hash: Uint8Array,
  pubkey: Uint8Array,
): boolean {
  if (!isPubkeySizeValid(pubkey)) return false;
  const compact = parseDerLax(derSig);
  if (compact === null) return false;
  return secp.verifyEcdsa(compact, hash, pubkey);
}

/**
 * Strict (BIP66, minimal) DER encoding of a compact signature r‖s, as signers produce it (no sighash byte).
 * Throws a RangeError when `sig64` is not 64 bytes.
 */
export function encodeDer(sig64: Uint8Array): Uint8Array {
  if (sig64.length !== 64) throw new RangeError(`Cannot encode DER signature: length is ${sig64.length}`);
  const r = derInteger(sig64.subarray(0, 32));
  const s = derInteger(sig64.subarray(32, 64));
  const out = new Uint8Array(6 + r.length + s.length);
  out[0] = 0x30;
  out[1] = 4 + r.length + s.length;
  out[2] = 0x02;
  out[3] = r.length;
  out.set(r, 4);
  out[4 + r.length] = 0x02;
  out[5 + r.length] = s.length;
  out.set(s, 6 + r.length);
  return out;
}

function derInteger(be: Uint8Array): Uint8Array {
  let i = 0;
  while (i < be.length - 1 && be[i] === 0) i++;
  const body = be.subarray(i);
  if (body[0] & 0x80) {
    const out = new Uint8Array(body.length + 1);
    out.set(body, 1);
    return out;
  }
  return body.slice();
}
