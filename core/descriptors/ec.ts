/**
 * The few secp256k1 operations key derivation needs beyond verification: public keys of secrets, adding a
 * multiple of G to a point (BIP32 public derivation, the taproot tweak) and to a secret (BIP32 private
 * derivation). None of them throws: impossible results (a tweak ≥ n, the point at infinity, a zero secret) and
 * inputs libsecp256k1 refuses (a key not on the curve) give undefined, as libsecp256k1's functions return 0.
 *
 * Secret operations (a public key of a secret, a secret plus a tweak) run on tiny-secp256k1 (libsecp256k1 in
 * WebAssembly, constant time). Public tweaks (`P + t·G`, the hot path of BIP32 public derivation and of the
 * taproot tweak) run on @noble/curves points with a variable-time fixed-base multiplication over a table of
 * signed window multiples of G built once (2.3× faster here than @noble's own constant-time path and than
 * tiny-secp256k1's `pointAddScalar`; bench/wallet_keys_bench.ts). A small memo of recent points (pure: key
 * bytes to point) saves the square root of decompression when children share a parent, and when the taproot
 * tweak takes a just-derived key.
 *
 * @module
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import * as tiny from "tiny-secp256k1";
import { bytesToBigInt, compare32, CURVE_ORDER_BYTES } from "../crypto/secp256k1.ts";
import { toHex } from "../hash/hashes.ts";

const Point = secp256k1.Point;
type PointT = InstanceType<typeof Point>;

/** Recently parsed or derived points by compressed (or uncompressed) key hex; bounded. */
const recentPoints = new Map<string, PointT>();
const RECENT_POINTS_MAX = 64;

function remember(id: string, p: PointT): void {
  if (recentPoints.size >= RECENT_POINTS_MAX) recentPoints.delete(recentPoints.keys().next().value!);
  recentPoints.set(id, p);
}

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
  remember(id, p);
  return p;
}

/** Window width of the fixed-base table (signed digits: 2^(W−1) multiples per window). */
const WINDOW = 10;
const WINDOWS = Math.ceil(256 / WINDOW) + 1;
const HALF = 1 << (WINDOW - 1);
const WINDOW_MASK = BigInt((1 << WINDOW) - 1);
const WINDOW_BITS = BigInt(WINDOW);
/** `table[w·HALF + j − 1] = j·2^(w·WINDOW)·G` in affine form (Z = 1), built on first use. */
let baseTable: PointT[] | undefined;

function buildBaseTable(): PointT[] {
  const all: PointT[] = [];
  let base = Point.BASE;
  for (let w = 0; w < WINDOWS; w++) {
    let acc = base;
    for (let j = 0; j < HALF; j++) {
      all.push(acc);
      acc = acc.add(base);
    }
    base = all[all.length - 1].double();
  }
  // One shared inversion turns the whole table affine (cheaper additions later).
  const inverses = secp256k1.Point.Fp.invertBatch(all.map((p) => p.Z));
  return all.map((p, i) => Point.fromAffine(p.toAffine(inverses[i])));
}

/** `k·G` for 0 < k < n in variable time (public scalars only): one table addition per nonzero signed digit. */
function baseMultiplyPublic(k: bigint): PointT {
  const table = baseTable ??= buildBaseTable();
  let acc = Point.ZERO;
  let n = k;
  for (let w = 0; n > 0n; w++) {
    let digit = Number(n & WINDOW_MASK);
    n >>= WINDOW_BITS;
    if (digit > HALF) {
      digit -= 1 << WINDOW;
      n += 1n;
    }
    if (digit > 0) acc = acc.add(table[w * HALF + digit - 1]);
    else if (digit < 0) acc = acc.add(table[w * HALF - digit - 1].negate());
  }
  return acc;
}

/** Whether a 32-byte value is below n (a valid tweak; zero included). */
function belowOrder(v: Uint8Array): boolean {
  return v.length === 32 && compare32(v, CURVE_ORDER_BYTES) < 0;
}

/** Whether `key` (32 bytes) is a valid secret: 1 ≤ k < n. */
export function isValidSecret(key: Uint8Array): boolean {
  if (!belowOrder(key)) return false;
  for (let i = 0; i < 32; i++) if (key[i] !== 0) return true;
  return false;
}

/** The public key of a valid 32-byte secret, compressed (33 bytes) or not (65 bytes); undefined if invalid. */
export function publicKeyOf(secret: Uint8Array, compressed: boolean): Uint8Array | undefined {
  if (!isValidSecret(secret)) return undefined;
  return tiny.pointFromScalar(secret, compressed) ?? undefined;
}

/** `p + t·G` as an affine point, or undefined for the point at infinity (t < n). */
function addBaseMultiple(p: PointT, tweak: Uint8Array): PointT | undefined {
  const t = bytesToBigInt(tweak);
  if (t === 0n) return p;
  const sum = p.add(baseMultiplyPublic(t));
  if (sum.is0()) return undefined;
  return Point.fromAffine(sum.toAffine());
}

/** The compressed encoding of an affine point (its validity holds by construction). */
function compress(p: PointT): Uint8Array {
  const out = new Uint8Array(33);
  out[0] = (p.y & 1n) === 0n ? 2 : 3;
  out.set(Point.Fp.toBytes(p.x), 1);
  return out;
}

/**
 * `pubkey + tweak·G` as a compressed key (libsecp256k1's `ec_pubkey_tweak_add`): undefined when `pubkey` does
 * not parse, `tweak` ≥ n, or the sum is the point at infinity. Variable time: for public tweaks only (BIP32
 * public derivation, the taproot tweak).
 */
export function pubkeyTweakAdd(pubkey: Uint8Array, tweak: Uint8Array): Uint8Array | undefined {
  if (!belowOrder(tweak)) return undefined;
  const p = parsePoint(pubkey);
  if (p === undefined) return undefined;
  const sum = addBaseMultiple(p, tweak);
  if (sum === undefined) return undefined;
  const out = compress(sum);
  remember(toHex(out), sum);
  return out;
}

/**
 * `(secret + tweak) mod n` (libsecp256k1's `ec_seckey_tweak_add`): undefined when `tweak` ≥ n or the result is
 * zero.
 */
export function secretTweakAdd(secret: Uint8Array, tweak: Uint8Array): Uint8Array | undefined {
  if (!isValidSecret(secret) || !belowOrder(tweak)) return undefined;
  return tiny.privateAdd(secret, tweak) ?? undefined;
}

/** The even-y point with x coordinate `xonly` (BIP340's lift_x), from the memo when a recent key has it. */
function liftX(xonly: Uint8Array): PointT | undefined {
  const hex = toHex(xonly);
  const even = recentPoints.get("02" + hex);
  if (even !== undefined) return even;
  const odd = recentPoints.get("03" + hex);
  if (odd !== undefined) return odd.negate();
  const bytes = new Uint8Array(33);
  bytes[0] = 2;
  bytes.set(xonly, 1);
  return parsePoint(bytes);
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
  if (xonly.length !== 32 || !belowOrder(tweak)) return undefined;
  const p = liftX(xonly);
  if (p === undefined) return undefined;
  const sum = addBaseMultiple(p, tweak);
  if (sum === undefined) return undefined;
  return { key: Point.Fp.toBytes(sum.x), parity: (sum.y & 1n) === 0n ? 0 : 1 };
}

/** Whether a 33- or 65-byte (non-hybrid) public key is on the curve. */
export function isOnCurve(pubkey: Uint8Array): boolean {
  if (pubkey.length === 33 ? pubkey[0] !== 2 && pubkey[0] !== 3 : pubkey.length !== 65 || pubkey[0] !== 4) {
    return false;
  }
  return parsePoint(pubkey) !== undefined;
}
