/**
 * The one small secp256k1 interface the consensus code uses (verification the way Bitcoin Core calls
 * libsecp256k1), plus the curve constants and Core's public key encoding rules shared by every backend.
 *
 * Two backends implement it: `nobleSecp256k1()` (@noble/curves, pure TypeScript) and `tinySecp256k1()`
 * (tiny-secp256k1, libsecp256k1 compiled to WASM). `defaultSecp256k1()` (default_backend.ts) returns the faster
 * one as measured by bench/core_sig_bench.ts.
 *
 * @module
 */

/** Order n of the secp256k1 group. */
export const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
/** n / 2 (rounded down): the largest "low" S value (libsecp256k1's normalization threshold). */
export const HALF_CURVE_ORDER = CURVE_ORDER >> 1n;
/** The field prime p. */
export const FIELD_PRIME = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;

/** Backend-neutral secp256k1 operations with libsecp256k1's (and so Bitcoin Core's) semantics. */
export interface Secp256k1 {
  /** Short backend name ("noble" or "tiny-secp256k1"). */
  readonly name: string;
  /**
   * Whether `pubkey` parses as a public key (`secp256k1_ec_pubkey_parse`, Core's `CPubKey::IsFullyValid`):
   * 33 bytes with header 02/03 and x on the curve, or 65 bytes with header 04, or hybrid 06/07 whose header
   * parity matches y, with (x, y) on the curve.
   */
  isValidPubkey(pubkey: Uint8Array): boolean;
  /** Whether a 32-byte x-only key parses (`secp256k1_xonly_pubkey_parse`, `XOnlyPubKey::IsFullyValid`). */
  isValidXOnlyPubkey(xonly: Uint8Array): boolean;
  /**
   * ECDSA verification of a compact signature (r‖s, 64 bytes, big-endian), as Core's `CPubKey::Verify` does
   * after DER parsing: a high S is normalized first (so both S forms verify); r or s equal to 0 or ≥ n fail.
   * `msg32` is the 32-byte digest. `pubkey` is any encoding `isValidPubkey` accepts. Never throws: any
   * malformed input gives false.
   */
  verifyEcdsa(sig64: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): boolean;
  /**
   * BIP340 Schnorr verification (`secp256k1_schnorrsig_verify`, as `XOnlyPubKey::VerifySchnorr`). Bitcoin
   * always passes a 32-byte hash as `msg`; other lengths are verified per BIP340 too (its test vectors have
   * some). Never throws: any malformed input gives false.
   */
  verifySchnorr(sig64: Uint8Array, msg: Uint8Array, xonly32: Uint8Array): boolean;
  /**
   * `secp256k1_xonly_pubkey_tweak_add_check` (used by Core's `XOnlyPubKey::CheckTapTweak`): whether
   * internal + tweak·G has x coordinate `output32` and y parity `parity`. False when `internal32` is not a
   * valid x-only key, `tweak32` ≥ n, or the sum is the point at infinity. Never throws.
   */
  checkTapTweak(internal32: Uint8Array, output32: Uint8Array, parity: 0 | 1, tweak32: Uint8Array): boolean;
  /**
   * Deterministic (RFC 6979) ECDSA signature with low S, compact r‖s. Throws on an invalid secret key
   * (for tests and wallets; not consensus code).
   */
  signEcdsa(msg32: Uint8Array, seckey32: Uint8Array): Uint8Array;
  /**
   * BIP340 signature of `msg` (32 bytes; the noble backend takes any length) with auxiliary randomness `aux32`
   * (all zeros when omitted, so deterministic). Throws on an invalid secret key (for tests and wallets; not
   * consensus code).
   */
  signSchnorr(msg: Uint8Array, seckey32: Uint8Array, aux32?: Uint8Array): Uint8Array;
  /** Compressed (33-byte) public key of a secret key. Throws on an invalid secret key. */
  publicKeyCreate(seckey32: Uint8Array): Uint8Array;
}

/**
 * Serialized public key length implied by its first byte (Core's `CPubKey::GetLen`): 33 for 02/03, 65 for
 * 04/06/07, else 0.
 */
export function pubkeyLengthForHeader(header: number): 0 | 33 | 65 {
  if (header === 2 || header === 3) return 33;
  if (header === 4 || header === 6 || header === 7) return 65;
  return 0;
}

/** Core's `CPubKey::IsValid` (a cheap size check, not a curve check): the length matches the header. */
export function isPubkeySizeValid(pubkey: Uint8Array): boolean {
  return pubkey.length > 0 && pubkeyLengthForHeader(pubkey[0]) === pubkey.length;
}

/**
 * The encoding a backend should parse for `pubkey`: the same bytes for 02/03/04 keys, an 04 copy for a
 * hybrid 06/07 key whose header parity matches y (libsecp256k1 accepts those), or null when the encoding can
 * never parse (wrong size for its header, unknown header, or hybrid parity mismatch). The curve check is left
 * to the backend.
 */
export function standardPubkeyEncoding(pubkey: Uint8Array): Uint8Array | null {
  if (!isPubkeySizeValid(pubkey)) return null;
  const header = pubkey[0];
  if (header === 6 || header === 7) {
    if ((pubkey[64] & 1) !== (header & 1)) return null;
    const copy = pubkey.slice();
    copy[0] = 4;
    return copy;
  }
  return pubkey;
}

/** Big-endian bytes to bigint (helper for backends). */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let hex = "";
  for (let i = 0; i < bytes.length; i++) hex += HEX[bytes[i]];
  return hex.length === 0 ? 0n : BigInt("0x" + hex);
}

/** bigint to 32 big-endian bytes (helper for backends; the value must be < 2^256). */
export function bigIntTo32Bytes(value: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let v = value;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Compares two 32-byte big-endian numbers: negative, zero or positive like `a - b`. */
export function compare32(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return 0;
}

/** n as 32 big-endian bytes. */
export const CURVE_ORDER_BYTES: Uint8Array = bigIntTo32Bytes(CURVE_ORDER);
/** n/2 as 32 big-endian bytes. */
export const HALF_CURVE_ORDER_BYTES: Uint8Array = bigIntTo32Bytes(HALF_CURVE_ORDER);

/**
 * Normalizes a compact ECDSA signature to low S (`secp256k1_ecdsa_signature_normalize`): returns the input
 * itself when S ≤ n/2, else a copy with S replaced by n − S. The input must hold r, s < n.
 */
export function normalizeCompactSignature(sig64: Uint8Array): Uint8Array {
  const s = sig64.subarray(32, 64);
  if (compare32(s, HALF_CURVE_ORDER_BYTES) <= 0) return sig64;
  const out = sig64.slice();
  out.set(bigIntTo32Bytes(CURVE_ORDER - bytesToBigInt(s)), 32);
  return out;
}

/** Whether r and s of a compact signature are both in [1, n−1] (what libsecp256k1 verification needs). */
export function isCompactSignatureInRange(sig64: Uint8Array): boolean {
  if (sig64.length !== 64) return false;
  const r = sig64.subarray(0, 32);
  const s = sig64.subarray(32, 64);
  return !isZero32(r) && !isZero32(s) && compare32(r, CURVE_ORDER_BYTES) < 0 &&
    compare32(s, CURVE_ORDER_BYTES) < 0;
}

function isZero32(a: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== 0) return false;
  return true;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
