import { assert, assertEquals } from "../../assert.ts";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import {
  isOnCurve,
  isValidSecret,
  pubkeyTweakAdd,
  publicKeyOf,
  secretTweakAdd,
  xonlyTweakAdd,
} from "../../../core/descriptors/ec.ts";
import { bigIntTo32Bytes, bytesToBigInt, CURVE_ORDER } from "../../../core/crypto/secp256k1.ts";

const Point = secp256k1.Point;
const n = CURVE_ORDER;

/** A deterministic stream of 32-byte values (xorshift), some near 0 and n to reach the windows' carries. */
function* values(count: number): Generator<Uint8Array> {
  let s = 0x9e3779b9;
  const next = () => (s ^= s << 13, s ^= s >>> 17, s ^= s << 5, s >>> 0);
  for (let i = 0; i < count; i++) {
    const b = new Uint8Array(32);
    for (let j = 0; j < 32; j++) b[j] = next() & 0xff;
    if (i % 7 === 1) b.fill(0xff, 0, 16); // near the top: long runs of full windows (carries)
    if (i % 7 === 2) b.fill(0, 0, 28); // small scalars
    yield bytesToBigInt(b) < n ? b : bigIntTo32Bytes(bytesToBigInt(b) % n);
  }
}

/** The reference: `P + t·G` over @noble's own constant-time multiplication. */
function referenceTweakAdd(p: InstanceType<typeof Point>, t: bigint) {
  return t === 0n ? p : p.add(Point.BASE.multiply(t));
}

Deno.test("pubkeyTweakAdd and xonlyTweakAdd agree with @noble's multiplication on 300 keys and tweaks", () => {
  const secrets = [...values(300)];
  const tweaks = [...values(301)].slice(1);
  for (let i = 0; i < secrets.length; i++) {
    const pub = publicKeyOf(secrets[i], true)!;
    assertEquals(pub, Point.BASE.multiply(bytesToBigInt(secrets[i])).toBytes(true));
    const expected = referenceTweakAdd(Point.fromBytes(pub), bytesToBigInt(tweaks[i]));
    assertEquals(pubkeyTweakAdd(pub, tweaks[i]), expected.toBytes(true));
    // The uncompressed form of the same key gives the same (compressed) sum.
    assertEquals(pubkeyTweakAdd(publicKeyOf(secrets[i], false)!, tweaks[i]), expected.toBytes(true));
    const even = Point.fromBytes(Uint8Array.of(2, ...pub.subarray(1)));
    const x = referenceTweakAdd(even, bytesToBigInt(tweaks[i])).toAffine();
    const got = xonlyTweakAdd(pub.subarray(1), tweaks[i])!;
    assertEquals(got.key, bigIntTo32Bytes(x.x));
    assertEquals(got.parity, Number(x.y & 1n));
    const sum = (bytesToBigInt(secrets[i]) + bytesToBigInt(tweaks[i])) % n;
    assertEquals(secretTweakAdd(secrets[i], tweaks[i]), sum === 0n ? undefined : bigIntTo32Bytes(sum));
  }
});

Deno.test("edge cases give undefined as libsecp256k1 returns 0: tweak ≥ n, infinity, bad keys and secrets", () => {
  const one = bigIntTo32Bytes(1n);
  const g = publicKeyOf(one, true)!;
  const zero = new Uint8Array(32);
  assertEquals(pubkeyTweakAdd(g, zero), g);
  assertEquals(pubkeyTweakAdd(g, bigIntTo32Bytes(n - 1n)), undefined); // G + (n−1)·G = infinity
  assertEquals(pubkeyTweakAdd(g, bigIntTo32Bytes(n)), undefined);
  assertEquals(pubkeyTweakAdd(g, new Uint8Array(32).fill(0xff)), undefined);
  assertEquals(pubkeyTweakAdd(g, new Uint8Array(31)), undefined);
  assertEquals(pubkeyTweakAdd(g, bigIntTo32Bytes(n - 2n)), Point.BASE.negate().toBytes(true));
  const offCurve = Uint8Array.of(2, ...new Uint8Array(31), 5); // x = 5: x³ + 7 = 132 is not a square mod p
  assertEquals(isOnCurve(offCurve), false);
  assertEquals(pubkeyTweakAdd(offCurve, one), undefined);
  assertEquals(xonlyTweakAdd(offCurve.subarray(1), one), undefined);
  const hybrid = publicKeyOf(one, false)!.slice();
  hybrid[0] = 6;
  assertEquals(isOnCurve(hybrid), false);
  assertEquals(pubkeyTweakAdd(hybrid, one), undefined);
  assertEquals(xonlyTweakAdd(g.subarray(1), bigIntTo32Bytes(n - 1n)), undefined); // lift_x(G.x) = G
  assertEquals(xonlyTweakAdd(g.subarray(1), bigIntTo32Bytes(n)), undefined);
  assertEquals(secretTweakAdd(one, bigIntTo32Bytes(n - 1n)), undefined);
  assertEquals(secretTweakAdd(one, bigIntTo32Bytes(n)), undefined);
  assertEquals(secretTweakAdd(zero, one), undefined);
  assertEquals(secretTweakAdd(one, zero), one);
  assertEquals(publicKeyOf(zero, true), undefined);
  assertEquals(publicKeyOf(bigIntTo32Bytes(n), true), undefined);
  assert(isValidSecret(bigIntTo32Bytes(n - 1n)));
  assert(!isValidSecret(bigIntTo32Bytes(n)) && !isValidSecret(zero) && !isValidSecret(new Uint8Array(33)));
});
