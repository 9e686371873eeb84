/**
 * Property tests: the two secp256k1 backends give the same answer on valid, nearly valid and random inputs, and
 * never throw.
 */
import fc from "fast-check";
import { schnorr, secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  bigIntTo32Bytes,
  bytesToBigInt,
  CURVE_ORDER,
  nobleSecp256k1,
  tinySecp256k1,
} from "../../../core/crypto/mod.ts";
import { assertEquals } from "../../assert.ts";

const tiny = tinySecp256k1();
const noble = nobleSecp256k1();
const RUNS = 150;

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const seckey = fc.integer({ min: 0, max: 1_000_000 }).map((i) =>
  sha256(Uint8Array.of(i & 0xff, (i >> 8) & 0xff, i >> 16))
);

/** A bit index to flip, or -1 (no flip) half of the time. */
const maybeBit = (max: number) => fc.oneof(fc.constant(-1), fc.integer({ min: 0, max }));

/** Flips bit `bit` of a copy of `b` (bit < 0: unchanged). */
function flip(b: Uint8Array, bit: number): Uint8Array {
  const out = b.slice();
  if (bit >= 0) out[(bit >> 3) % out.length] ^= 1 << (bit & 7);
  return out;
}

Deno.test("backends agree: ECDSA on valid, high-S, bit-flipped and re-encoded keys", () => {
  fc.assert(
    fc.property(
      seckey,
      bytes(32),
      maybeBit(511),
      maybeBit(255),
      maybeBit(519),
      fc.boolean(),
      fc.constantFrom("compressed", "uncompressed", "hybrid"),
      (sk, msg, sigBit, msgBit, keyBit, highS, encoding) => {
        const compact = tiny.signEcdsa(msg, sk);
        let sig = flip(compact, sigBit);
        if (highS) {
          const s = bytesToBigInt(sig.subarray(32));
          if (s > 0n && s < CURVE_ORDER) sig.set(bigIntTo32Bytes(CURVE_ORDER - s), 32);
        }
        let pub = tiny.publicKeyCreate(sk);
        if (encoding !== "compressed") {
          const full = new Uint8Array(65);
          full.set(noblePointUncompressed(pub));
          if (encoding === "hybrid") full[0] = 6 | (full[64] & 1);
          pub = full;
        }
        pub = flip(pub, keyBit);
        sig = sig.slice();
        const m = flip(msg, msgBit);
        const a = tiny.verifyEcdsa(sig, m, pub);
        const b = noble.verifyEcdsa(sig, m, pub);
        assertEquals(a, b, `sig ${hexOf(sig)} msg ${hexOf(m)} key ${hexOf(pub)}`);
        assertEquals(tiny.isValidPubkey(pub), noble.isValidPubkey(pub));
        if (sigBit < 0 && msgBit < 0 && keyBit < 0) assertEquals(a, true);
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("backends agree: Schnorr on valid and bit-flipped signatures, messages and keys", () => {
  fc.assert(
    fc.property(
      seckey,
      bytes(32),
      bytes(32),
      maybeBit(511),
      maybeBit(255),
      maybeBit(255),
      (sk, msg, aux, sigBit, msgBit, keyBit) => {
        const sig = flip(tiny.signSchnorr(msg, sk, aux), sigBit);
        const key = flip(tiny.publicKeyCreate(sk).subarray(1), keyBit);
        const m = flip(msg, msgBit);
        const a = tiny.verifySchnorr(sig, m, key);
        assertEquals(a, noble.verifySchnorr(sig, m, key));
        assertEquals(tiny.isValidXOnlyPubkey(key), noble.isValidXOnlyPubkey(key));
        if (sigBit < 0 && msgBit < 0 && keyBit < 0) assertEquals(a, true);
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("backends agree and never throw on arbitrary bytes", () => {
  fc.assert(
    fc.property(
      fc.oneof(bytes(64), fc.uint8Array({ maxLength: 70 })),
      fc.oneof(bytes(32), fc.uint8Array({ maxLength: 40 })),
      fc.oneof(
        bytes(32),
        bytes(33).map((k) => (k[0] = 2 | (k[0] & 1), k)),
        bytes(65).map((k) => (k[0] = [4, 6, 7][k[0] % 3], k)),
        fc.uint8Array({ maxLength: 70 }),
      ),
      (sig, msg, key) => {
        assertEquals(tiny.verifyEcdsa(sig, msg, key), noble.verifyEcdsa(sig, msg, key));
        assertEquals(tiny.verifySchnorr(sig, msg, key), noble.verifySchnorr(sig, msg, key));
        assertEquals(tiny.isValidPubkey(key), noble.isValidPubkey(key));
        assertEquals(tiny.isValidXOnlyPubkey(key), noble.isValidXOnlyPubkey(key));
        assertEquals(tiny.checkTapTweak(key, msg, 0, sig), noble.checkTapTweak(key, msg, 0, sig));
      },
    ),
    { numRuns: RUNS * 4 },
  );
});

Deno.test("backends agree: checkTapTweak on real tweaks, wrong parity and flipped bits", () => {
  fc.assert(
    fc.property(
      seckey,
      bytes(32),
      maybeBit(255),
      maybeBit(255),
      fc.integer({ min: 0, max: 1 }),
      (sk, tweakSeed, outBit, tweakBit, parityFlip) => {
        const internal = tiny.publicKeyCreate(sk).subarray(1);
        const tweak = tweakSeed.slice();
        tweak[0] &= 0x7f; // below n
        // The tweaked key computed independently: x-only(lift_x(internal) + tweak·G) via noble.
        const P = noblePointLift(internal);
        const Q = P.add(noblePointBase().multiply(bytesToBigInt(tweak) === 0n ? 1n : bytesToBigInt(tweak)));
        const q = Q.toAffine();
        const parity = Number(q.y & 1n) as 0 | 1;
        const t = bytesToBigInt(tweak) === 0n ? bigIntTo32Bytes(1n) : tweak;
        const out = flip(bigIntTo32Bytes(q.x), outBit);
        const p = (parity ^ parityFlip) as 0 | 1;
        const tw = flip(t, tweakBit);
        const a = tiny.checkTapTweak(internal, out, p, tw);
        assertEquals(a, noble.checkTapTweak(internal, out, p, tw));
        if (outBit < 0 && tweakBit < 0) assertEquals(a, parityFlip === 0);
      },
    ),
    { numRuns: RUNS },
  );
});

function noblePointUncompressed(pub: Uint8Array): Uint8Array {
  return secp256k1.Point.fromBytes(pub).toBytes(false);
}
function noblePointLift(x: Uint8Array) {
  return schnorr.utils.lift_x(bytesToBigInt(x));
}
function noblePointBase() {
  return secp256k1.Point.BASE;
}
function hexOf(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
