/**
 * The few secp256k1 operations key derivation needs beyond verification (over @noble/curves): public keys of
 * secrets, adding a multiple of G to a point (BIP32 public derivation, the taproot tweak) and to a secret
 * (BIP32 private derivation). None of them throws: impossible results (a tweak ≥ n, the point at infinity, a
 * zero secret) give undefined, as libsecp256k1's functions return 0. A small memo of recently decompressed
 * public keys (pure: bytes to point) saves the square root when many children share one parent.
 *
 * @module
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { bigIntTo32Bytes, bytesToBigInt, CURVE_ORDER } from "../crypto/secp256k1.ts";
import { toHex } from "../hash/hashes.ts";

const Point = secp256k1.Point;
type PointT = InstanceType<typeof Point>;

/** Recently parsed points by key hex (decompression costs a square root; children share their parent). */
const recentPoints = new Map<string, PointT>();
const RECENT_POINTS_MAX = 32;

/** The point of a 33- or 65-byte public key, or undefined when it does not parse. */
function parsePoint(pubkey: Uint8Array): PointT | undefined {
  const id = toHex(pubkey);
  const known = recentPoints.get(id);
  if (known !== undefined) return known;
  let p: PointT;
  try {
    p = Point.fromBytes(pubkey);
  } catch {
    return undefined;
  }
  if (recentPoints.size >= RECENT_POINTS_MAX) recentPoints.delete(recentPoints.keys().next().value!);
  recentPoints.set(id, p);
  return p;
}

/** k·G for 0 < k < n, in constant time (k may be secret). */
function baseMultiply(k: bigint): PointT {
  return Point.BASE.multiply(k);
}

/** Whether `key` (32 bytes) is a valid secret: 1 ≤ k < n. */
export function isValidSecret(key: Uint8Array): boolean {
  if (key.length !== 32) return false;
  const k = bytesToBigInt(key);
  return k > 0n && k < CURVE_ORDER;
}

/** The public key of a valid 32-byte secret, compressed (33 bytes) or not (65 bytes); undefined if invalid. */
export function publicKeyOf(secret: Uint8Array, compressed: boolean): Uint8Array | undefined {
  if (!isValidSecret(secret)) return undefined;
  return baseMultiply(bytesToBigInt(secret)).toBytes(compressed);
}

/**
 * `pubkey + tweak·G` as a compressed key (libsecp256k1's `ec_pubkey_tweak_add`): undefined when `pubkey` does
 * not parse, `tweak` ≥ n, or the sum is the point at infinity. Variable time: for public tweaks only (BIP32
 * public derivation, the taproot tweak).
 */
export function pubkeyTweakAdd(pubkey: Uint8Array, tweak: Uint8Array): Uint8Array | undefined {
  const p = parsePoint(pubkey);
  if (p === undefined || tweak.length !== 32) return undefined;
  const t = bytesToBigInt(tweak);
  if (t >= CURVE_ORDER) return undefined;
  const sum = t === 0n ? p : p.add(Point.BASE.multiplyUnsafe(t));
  if (sum.is0()) return undefined;
  return sum.toBytes(true);
}

/**
 * `(secret + tweak) mod n` (libsecp256k1's `ec_seckey_tweak_add`): undefined when `tweak` ≥ n or the result is
 * zero.
 */
export function secretTweakAdd(secret: Uint8Array, tweak: Uint8Array): Uint8Array | undefined {
  if (!isValidSecret(secret) || tweak.length !== 32) return undefined;
  const t = bytesToBigInt(tweak);
  if (t >= CURVE_ORDER) return undefined;
  const r = (bytesToBigInt(secret) + t) % CURVE_ORDER;
  return r === 0n ? undefined : bigIntTo32Bytes(r);
}

/**
 * The x-only key `lift_x(xonly) + tweak·G` and its y parity (libsecp256k1's `xonly_pubkey_tweak_add`, as
 * Core's `XOnlyPubKey::CreateTapTweak` uses it): undefined when `xonly` is not on the curve, `tweak` ≥ n, or
 * the sum is the point at infinity.
 */
export function xonlyTweakAdd(
  xonly: Uint8Array,
  tweak: Uint8Array,
): { key: Uint8Array; parity: 0 | 1 } | undefined {
  if (xonly.length !== 32) return undefined;
  const even = new Uint8Array(33);
  even[0] = 2;
  even.set(xonly, 1);
  const q = pubkeyTweakAdd(even, tweak);
  if (q === undefined) return undefined;
  return { key: q.slice(1), parity: q[0] === 3 ? 1 : 0 };
}

/** Whether a 33- or 65-byte (non-hybrid) public key is on the curve. */
export function isOnCurve(pubkey: Uint8Array): boolean {
  if (pubkey.length === 33 ? pubkey[0] !== 2 && pubkey[0] !== 3 : pubkey.length !== 65 || pubkey[0] !== 4) {
    return false;
  }
  return parsePoint(pubkey) !== undefined;
}
