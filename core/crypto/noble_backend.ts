/**
 * The @noble/curves backend of the `Secp256k1` interface (pure TypeScript). Verification follows
 * libsecp256k1's acceptance rules exactly (BIP340 verification is written out here over noble's point
 * arithmetic because noble's own `schnorr.verify` also rejects s = 0, which BIP340 and libsecp256k1 accept).
 *
 * @module
 */

import { schnorr, secp256k1 } from "@noble/curves/secp256k1.js";
import {
  bytesToBigInt,
  CURVE_ORDER,
  FIELD_PRIME,
  isCompactSignatureInRange,
  normalizeCompactSignature,
  type Secp256k1,
  standardPubkeyEncoding,
} from "./secp256k1.ts";

const Point = secp256k1.Point;
const ZERO32 = new Uint8Array(32);

/** BIP340's lift_x: the even-y point with x coordinate `x`, or null when there is none (or x ≥ p). */
function liftX(x: bigint): InstanceType<typeof Point> | null {
  if (x >= FIELD_PRIME) return null;
  try {
    return schnorr.utils.lift_x(x);
  } catch {
    return null;
  }
}

/**
 * BIP340 verification exactly as specified, for a message of any length (accepts s = 0 like libsecp256k1).
 */
export function bip340Verify(sig64: Uint8Array, msg: Uint8Array, xonly32: Uint8Array): boolean {
  if (sig64.length !== 64 || xonly32.length !== 32) return false;
  const P = liftX(bytesToBigInt(xonly32));
  if (P === null) return false;
  const rBytes = sig64.subarray(0, 32);
  const r = bytesToBigInt(rBytes);
  if (r >= FIELD_PRIME) return false;
  const s = bytesToBigInt(sig64.subarray(32, 64));
  if (s >= CURVE_ORDER) return false;
  try {
    const e = bytesToBigInt(schnorr.utils.taggedHash("BIP0340/challenge", rBytes, xonly32, msg)) %
      CURVE_ORDER;
    const R = Point.BASE.mulAddUnsafe(s, P, e === 0n ? 0n : CURVE_ORDER - e);
    if (R.is0()) return false;
    const { x, y } = R.toAffine();
    return (y & 1n) === 0n && x === r;
  } catch {
    return false;
  }
}

/** The tweak check of `secp256k1_xonly_pubkey_tweak_add_check` over noble's arithmetic. */
export function xonlyTweakAddCheck(
  internal32: Uint8Array,
  output32: Uint8Array,
  parity: 0 | 1,
  tweak32: Uint8Array,
): boolean {
  if (internal32.length !== 32 || output32.length !== 32 || tweak32.length !== 32) return false;
  const t = bytesToBigInt(tweak32);
  if (t >= CURVE_ORDER) return false;
  const P = liftX(bytesToBigInt(internal32));
  if (P === null) return false;
  try {
    const Q = Point.BASE.mulAddUnsafe(t, P, 1n);
    if (Q.is0()) return false;
    const { x, y } = Q.toAffine();
    return x === bytesToBigInt(output32) && Number(y & 1n) === parity;
  } catch {
    return false;
  }
}

function parsePoint(pubkey: Uint8Array): InstanceType<typeof Point> | null {
  const std = standardPubkeyEncoding(pubkey);
  if (std === null) return null;
  try {
    const P = Point.fromBytes(std);
    P.assertValidity();
    return P;
  } catch {
    return null;
  }
}

/** A `Secp256k1` backed by @noble/curves. */
export function nobleSecp256k1(): Secp256k1 {
  return {
    name: "noble",
    isValidPubkey(pubkey: Uint8Array): boolean {
      return parsePoint(pubkey) !== null;
    },
    isValidXOnlyPubkey(xonly: Uint8Array): boolean {
      return xonly.length === 32 && liftX(bytesToBigInt(xonly)) !== null;
    },
    verifyEcdsa(sig64: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): boolean {
      if (msg32.length !== 32 || !isCompactSignatureInRange(sig64)) return false;
      const std = standardPubkeyEncoding(pubkey);
      if (std === null) return false;
      try {
        return secp256k1.verify(normalizeCompactSignature(sig64), msg32, std, {
          prehash: false,
          lowS: false,
          format: "compact",
        });
      } catch {
        return false;
      }
    },
    verifySchnorr: bip340Verify,
    checkTapTweak: xonlyTweakAddCheck,
    signEcdsa(msg32: Uint8Array, seckey32: Uint8Array): Uint8Array {
      return secp256k1.sign(msg32, seckey32, { prehash: false, lowS: true, format: "compact" });
    },
    signSchnorr(msg: Uint8Array, seckey32: Uint8Array, aux32: Uint8Array = ZERO32): Uint8Array {
      return schnorr.sign(msg, seckey32, aux32);
    },
    publicKeyCreate(seckey32: Uint8Array): Uint8Array {
      return secp256k1.getPublicKey(seckey32, true);
    },
  };
}
