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
import { isLowS } from "../../crypto/der.ts";

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

/**
 * Core's `CheckSignatureEncoding`: the empty signature always passes (a compact invalid signature); otherwise
 * DERSIG/LOW_S/STRICTENC require strict DER (`SIG_DER`), LOW_S a low S (`SIG_HIGH_S`), STRICTENC a defined hash
 * type (`SIG_HASHTYPE`). Returns null when the encoding is acceptable.
 */
export function checkSignatureEncoding(sig: Uint8Array, flags: number): ScriptError | null {
  if (sig.length === 0) return null;
  if ((flags & (SCRIPT_VERIFY_DERSIG | SCRIPT_VERIFY_LOW_S | SCRIPT_VERIFY_STRICTENC)) !== 0) {
    if (!isValidSignatureEncoding(sig)) return "SIG_DER";
    // Core's IsLowDERSignature: CPubKey::CheckLowS on the signature without its hash-type byte.
    if ((flags & SCRIPT_VERIFY_LOW_S) !== 0 && !isLowS(sig.subarray(0, sig.length - 1))) return "SIG_HIGH_S";
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
