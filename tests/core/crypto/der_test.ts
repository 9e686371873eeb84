import { sha256 } from "@noble/hashes/sha2.js";
import {
  bigIntTo32Bytes,
  CURVE_ORDER,
  encodeDer,
  HALF_CURVE_ORDER,
  isLowS,
  nobleSecp256k1,
  parseDerLax,
  type Secp256k1,
  tinySecp256k1,
  verifyEcdsaDerLax,
} from "../../../core/crypto/mod.ts";
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { hex } from "../vectors.ts";

const BACKENDS: Secp256k1[] = [tinySecp256k1(), nobleSecp256k1()];
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const R = "0102030405060708091011121314151617181920212223242526272829303132";
const S = "2122232425262728293031323334353637383940414243444546474849505152";
const HIGH = "c122232425262728293031323334353637383940414243444546474849505152"; // ≥ 0x80: "negative"
const ZERO64 = "00".repeat(64);

/** DER-ish bytes from hex pieces. */
const der = (...parts: string[]) => hex(parts.join(""));
const lax = (b: Uint8Array) => {
  const c = parseDerLax(b);
  return c === null ? null : toHex(c);
};

Deno.test("parseDerLax: strict DER parses to r‖s", () => {
  assertEquals(lax(der("3044", "0220", R, "0220", S)), R + S);
  // Minimal short integers are left-padded.
  assertEquals(lax(der("3006", "020101", "020102")), "00".repeat(31) + "01" + "00".repeat(31) + "02");
});

Deno.test("parseDerLax: the violations Core accepts (pre-BIP66 chain)", async (t) => {
  const cases: [string, Uint8Array, string | null][] = [
    ["negative R (no 0x00 pad)", der("3044", "0220", HIGH, "0220", S), HIGH + S],
    ["negative S", der("3044", "0220", R, "0220", HIGH), R + HIGH],
    ["excess zero padding in R", der("3047", "0223", "000000", R, "0220", S), R + S],
    ["excess zero padding in S", der("3046", "0220", R, "0222", "0000", S), R + S],
    ["garbage after S", der("3044", "0220", R, "0220", S, "deadbeef"), R + S],
    ["wrong sequence length (ignored)", der("307f", "0220", R, "0220", S), R + S],
    [
      "sequence length 0xff is a long form of 127 bytes: past the end",
      der("30ff", "0220", R, "0220", S),
      null,
    ],
    ["zero sequence length (ignored)", der("3000", "0220", R, "0220", S), R + S],
    ["long-form sequence length", der("308144", "0220", R, "0220", S), R + S],
    ["long-form sequence length, 4 bytes skipped", der("3084ffffffff", "0220", R, "0220", S), R + S],
    ["long-form R length", der("3045", "028120", R, "0220", S), R + S],
    ["long-form R length with zero bytes", der("3048", "028400000020", R, "0220", S), R + S],
    ["long-form S length with zero bytes", der("3048", "0220", R, "028400000020", S), R + S],
    [
      "long-form length 0x80 (zero length bytes): R empty",
      der("3024", "0280", "0220", S),
      "00".repeat(32) + S,
    ],
    ["empty R (r = 0, not an overflow)", der("3024", "0200", "0220", S), "00".repeat(32) + S],
    ["empty S", der("3024", "0220", R, "0200"), R + "00".repeat(32)],
    ["R of 33 significant bytes: overflow gives r = s = 0", der("3045", "0221", "01", R, "0220", S), ZERO64],
    ["S of 33 significant bytes: overflow", der("3045", "0220", R, "0221", "01", S), ZERO64],
    ["R = n: overflow", der("3045", "022100", toHex(bigIntTo32Bytes(CURVE_ORDER)), "0220", S), ZERO64],
    ["S = n: overflow", der("3044", "0220", R, "0220", toHex(bigIntTo32Bytes(CURVE_ORDER))), ZERO64],
    [
      "S = n - 1 (high S kept as is)",
      der("3044", "0220", R, "0220", toHex(bigIntTo32Bytes(CURVE_ORDER - 1n))),
      R +
      toHex(bigIntTo32Bytes(CURVE_ORDER - 1n)),
    ],
    // Failures (Core returns 0).
    ["empty", new Uint8Array(0), null],
    ["no sequence tag", der("3144", "0220", R, "0220", S), null],
    ["only the sequence tag", der("30"), null],
    ["long-form sequence length past the end", der("3085", "02"), null],
    ["no R tag", der("3044", "0320", R, "0220", S), null],
    ["R tag then end", der("3044", "02"), null],
    ["R length past the end", der("3044", "0221", R), null],
    ["long-form R length past the end", der("3044", "0284000000"), null],
    ["long-form R length of 4 significant bytes", der("3048", "028401000000", R, "0220", S), null],
    ["no S tag", der("3044", "0220", R, "0320", S), null],
    ["S tag then end", der("3044", "0220", R, "02"), null],
    ["S length past the end", der("3044", "0220", R, "0221", S), null],
    ["long-form S length of 4 significant bytes", der("3048", "0220", R, "028401000000", S), null],
  ];
  for (const [name, input, expected] of cases) {
    await t.step(name, () => assertEquals(lax(input), expected));
  }
});

Deno.test("isLowS: Core's CPubKey::CheckLowS (lax parse, then S ≤ n/2)", () => {
  const half = toHex(bigIntTo32Bytes(HALF_CURVE_ORDER));
  const halfPlus1 = toHex(bigIntTo32Bytes(HALF_CURVE_ORDER + 1n));
  assert(isLowS(der("3044", "0220", R, "0220", S)));
  assert(isLowS(der("3044", "0220", R, "0220", half)), "S = n/2 is low");
  assert(!isLowS(der("3045", "0220", R, "022100", halfPlus1)), "S = n/2 + 1 is high");
  assert(!isLowS(der("3044", "0220", R, "0220", HIGH)), "negative (lax) S above n/2 is high");
  assert(!isLowS(der("3144", "0220", R, "0220", S)), "unparsable is not low");
  assert(!isLowS(new Uint8Array(0)));
  assert(isLowS(der("3045", "0220", R, "0221", "01", S)), "overflow parses as r = s = 0, which is low");
});

Deno.test("encodeDer: minimal strict DER; parseDerLax inverts it", () => {
  assertEquals(toHex(encodeDer(hex(R + S))), "3044" + "0220" + R + "0220" + S);
  assertEquals(toHex(encodeDer(hex(HIGH + S))), "3045" + "022100" + HIGH + "0220" + S);
  const small = "00".repeat(31) + "05" + "00".repeat(31) + "80";
  assertEquals(toHex(encodeDer(hex(small))), "3007" + "020105" + "02020080");
  assertEquals(toHex(encodeDer(hex(ZERO64))), "3006" + "020100" + "020100");
  for (let i = 0; i < 32; i++) {
    const sig = sha256(Uint8Array.of(i, 1)).slice();
    const sig64 = Uint8Array.from([...sig, ...sha256(Uint8Array.of(i, 2))]);
    sig64[0] &= 0x7f; // below n
    sig64[32] &= 0x7f;
    assertEquals(lax(encodeDer(sig64)), toHex(sig64));
  }
  assertThrows(() => encodeDer(new Uint8Array(63)), "length is 63");
});

Deno.test("verifyEcdsaDerLax (CPubKey::Verify): lax encodings and high S verify; bad keys and DER fail", () => {
  const sk = sha256(new TextEncoder().encode("der_test key"));
  const msg = sha256(new TextEncoder().encode("der_test msg"));
  for (const b of BACKENDS) {
    const pub = b.publicKeyCreate(sk);
    const sig = b.signEcdsa(msg, sk);
    const strict = encodeDer(sig);
    const r = toHex(sig.subarray(0, 32));
    const s = toHex(sig.subarray(32));
    const sHigh = toHex(bigIntTo32Bytes(CURVE_ORDER - BigInt("0x" + s)));
    const padded = der("3001", "028400000022", "0000", r, "0221", "00", s, "0102");
    const highS = der("3045", "0220", r, "022100", sHigh);
    for (const v of BACKENDS) {
      assert(verifyEcdsaDerLax(v, strict, msg, pub), `${v.name} strict`);
      assert(verifyEcdsaDerLax(v, padded, msg, pub), `${v.name} padded`);
      assert(verifyEcdsaDerLax(v, highS, msg, pub), `${v.name} high S`);
      assert(!isLowS(highS) && isLowS(strict));
      assert(!verifyEcdsaDerLax(v, strict.subarray(0, strict.length - 1), msg, pub), "truncated");
      assert(!verifyEcdsaDerLax(v, strict, msg, pub.subarray(0, 32)), "key size");
      assert(!verifyEcdsaDerLax(v, strict, msg, Uint8Array.from([5, ...pub.subarray(1)])), "key header");
      assert(
        !verifyEcdsaDerLax(v, der("3045", "0221", "01", r, "0220", s), msg, pub),
        "overflow never verifies",
      );
    }
  }
});
