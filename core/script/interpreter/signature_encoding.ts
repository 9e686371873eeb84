/**
 * Signature and public key encoding rules applied by OP_CHECKSIG and friends before a signature is verified
 * (Core's `CheckSignatureEncoding`, `IsValidSignatureEncoding`, `IsLowDERSignature`, `CheckPubKeyEncoding`).
 *
 * @module
 */

import type { SigVersion } from "../checker.ts";
import {
  SCRIPT_VERIFY_DERSIG,
  SCRIPT_VERIFY_LOW_S,
  SCRIPT_VERIFY_STRICTENC,
  SCRIPT_VERIFY_WITNESS_PUBKEYTYPE,
} from "../flags.ts";
import type { ScriptError } from "../script_error.ts";

/** SIGHASH_ANYONECANPAY bit of the hash type byte. */
const SIGHASH_ANYONECANPAY = 0x80;

/**
 * Whether `sig` (DER signature followed by one hash type byte) is strictly DER encoded as BIP66 requires
 * (Core's `IsValidSignatureEncoding`): `0x30 len 0x02 lenR R 0x02 lenS S hashtype`, 9..73 bytes, R and S
 * positive and minimally encoded. Consensus-critical since BIP66.
 */
export function isValidSignatureEncoding(sig: Uint8Array): boolean {
  const size = sig.length;
  if (size < 9 || size > 73) return false;
  if (sig[0] !== 0x30) return false;
  if (sig[1] !== size - 3) return false;
  const lenR = sig[3];
  if (5 + lenR >= size) return false;
  const lenS = sig[5 + lenR];
  if (lenR + lenS + 7 !== size) return false;
  if (sig[2] !== 0x02) return false;
  if (lenR === 0) return false;
  if (sig[4] & 0x80) return false;
  if (lenR > 1 && sig[4] === 0x00 && !(sig[5] & 0x80)) return false;
  if (sig[lenR + 4] !== 0x02) return false;
  if (lenS === 0) return false;
  if (sig[lenR + 6] & 0x80) return false;
  if (lenS > 1 && sig[lenR + 6] === 0x00 && !(sig[lenR + 7] & 0x80)) return false;
  return true;
}

/** The secp256k1 group order n, big-endian. */
const ORDER = Uint8Array.from([
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xfe,
  0xba,
  0xae,
  0xdc,
  0xe6,
  0xaf,
  0x48,
  0xa0,
  0x3b,
  0xbf,
  0xd2,
  0x5e,
  0x8c,
  0xd0,
  0x36,
  0x41,
  0x41,
]);
/** n/2 (rounded down), big-endian. */
const HALF_ORDER = Uint8Array.from([
  0x7f,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0x5d,
  0x57,
  0x6e,
  0x73,
  0x57,
  0xa4,
  0x50,
  0x1d,
  0xdf,
  0xe9,
  0x2f,
  0x46,
  0x68,
  0x1b,
  0x20,
  0xa0,
]);

/**
 * Compares the big-endian integer `bytes[start, start+len)` (leading zeros already stripped, len ≤ 32) with the
 * 32-byte big-endian `ref`: negative, zero or positive.
 */
function compareToRef(bytes: Uint8Array, start: number, len: number, ref: Uint8Array): number {
  if (len < 32) {
    // A shorter value is smaller unless ref has leading zero bytes (neither n nor n/2 has).
    return -1;
  }
  for (let i = 0; i < 32; i++) {
    const d = bytes[start + i] - ref[i];
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * For a signature that passed {@link isValidSignatureEncoding}: whether its S value is unnecessarily high
 * (n/2 < S < n). Mirrors Core's `CPubKey::CheckLowS` on the lax-parsed signature: when R or S does not fit below
 * the group order, the lax parser yields the all-zero signature, whose S is low.
 */
function isHighS(sig: Uint8Array): boolean {
  let rPos = 4;
  let rLen = sig[3];
  let sPos = 6 + rLen;
  let sLen = sig[5 + rLen];
  while (rLen > 0 && sig[rPos] === 0) {
    rPos++;
    rLen--;
  }
  while (sLen > 0 && sig[sPos] === 0) {
    sPos++;
    sLen--;
  }
  if (rLen > 32 || sLen > 32) return false;
  if (compareToRef(sig, rPos, rLen, ORDER) >= 0) return false;
  if (compareToRef(sig, sPos, sLen, ORDER) >= 0) return false;
  return compareToRef(sig, sPos, sLen, HALF_ORDER) > 0;
}

/**
 * Core's `CheckSignatureEncoding`: the empty signature always passes (a compact invalid signature); otherwise
 * DERSIG/LOW_S/STRICTENC require strict DER (`SIG_DER`), LOW_S a low S (`SIG_HIGH_S`), STRICTENC a defined hash
 * type (`SIG_HASHTYPE`). Returns null when the encoding is acceptable.
 */
export function checkSignatureEncoding(sig: Uint8Array, flags: number): ScriptError | null {
  if (sig.length === 0) return null;
  if ((flags & (SCRIPT_VERIFY_DERSIG | SCRIPT_VERIFY_LOW_S | SCRIPT_VERIFY_STRICTENC)) !== 0) {
    if (!isValidSignatureEncoding(sig)) return "SIG_DER";
    if ((flags & SCRIPT_VERIFY_LOW_S) !== 0 && isHighS(sig)) return "SIG_HIGH_S";
  }
  if ((flags & SCRIPT_VERIFY_STRICTENC) !== 0) {
    const hashType = sig[sig.length - 1] & ~SIGHASH_ANYONECANPAY;
    if (hashType < 1 || hashType > 3) return "SIG_HASHTYPE";
  }
  return null;
}

/** Whether `pubkey` is a 33-byte compressed (0x02/0x03) or 65-byte uncompressed (0x04) SEC encoding. */
export function isCompressedOrUncompressedPubKey(pubkey: Uint8Array): boolean {
  if (pubkey.length < 33) return false;
  if (pubkey[0] === 0x04) return pubkey.length === 65;
  if (pubkey[0] === 0x02 || pubkey[0] === 0x03) return pubkey.length === 33;
  return false;
}

/** Whether `pubkey` is a 33-byte compressed SEC encoding. */
export function isCompressedPubKey(pubkey: Uint8Array): boolean {
  return pubkey.length === 33 && (pubkey[0] === 0x02 || pubkey[0] === 0x03);
}

/**
 * Core's `CheckPubKeyEncoding`: under STRICTENC the key must be compressed or uncompressed (`PUBKEYTYPE`); under
 * WITNESS_PUBKEYTYPE keys in witness v0 scripts must be compressed (`WITNESS_PUBKEYTYPE`).
 */
export function checkPubKeyEncoding(
  pubkey: Uint8Array,
  flags: number,
  sigversion: SigVersion,
): ScriptError | null {
  if ((flags & SCRIPT_VERIFY_STRICTENC) !== 0 && !isCompressedOrUncompressedPubKey(pubkey)) {
    return "PUBKEYTYPE";
  }
  if (
    (flags & SCRIPT_VERIFY_WITNESS_PUBKEYTYPE) !== 0 && sigversion === "witness_v0" &&
    !isCompressedPubKey(pubkey)
  ) {
    return "WITNESS_PUBKEYTYPE";
  }
  return null;
}
