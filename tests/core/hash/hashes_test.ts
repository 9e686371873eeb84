import { createHash } from "node:crypto";
import { ripemd160 } from "@noble/hashes/legacy.js";
import { assert, assertEquals } from "../../assert.ts";
import {
  bytesEqual,
  compareBytes,
  fromHex,
  fromReverseHex,
  hash160,
  isZeroHash,
  NATIVE_SHA256_MIN,
  NATIVE_SHA256D_MIN,
  reverseHex,
  sha256,
  sha256d,
  sha256dRanges,
  taggedHash,
  taggedHasher,
  toHex,
  ZERO_HASH,
} from "../../../core/hash/hashes.ts";
import { DecodeError } from "../../../core/wire/errors.ts";

const native = (d: Uint8Array) => new Uint8Array(createHash("sha256").update(d).digest());

Deno.test("sha256 and sha256d on both sides of the native crossover", () => {
  for (
    const len of [
      0,
      1,
      63,
      64,
      NATIVE_SHA256_MIN - 1,
      NATIVE_SHA256_MIN,
      NATIVE_SHA256D_MIN - 1,
      NATIVE_SHA256D_MIN,
      100_000,
    ]
  ) {
    const d = new Uint8Array(len).map((_, i) => (i * 17) & 255);
    assertEquals(sha256(d), native(d), `sha256 ${len}`);
    assertEquals(sha256d(d), native(native(d)), `sha256d ${len}`);
    assert(
      sha256(d).constructor === Uint8Array && sha256d(d).constructor === Uint8Array,
      "plain Uint8Array results",
    );
    const ranges = [0, Math.floor(len / 3), Math.floor(len / 2), len];
    const joined = new Uint8Array([...d.subarray(0, ranges[1]), ...d.subarray(ranges[2], len)]);
    assertEquals(sha256dRanges(d, ranges), native(native(joined)), `ranges ${len}`);
  }
});

Deno.test("hash160: RIPEMD-160 of SHA-256 (Core's session: getaddressinfo pubkey -> witness_program)", () => {
  const pubkey = fromHex("03479e651cdaa67ded539387422ae7be2d6ccfc010bce640582a68bb520dbb2439");
  assertEquals(toHex(hash160(pubkey)), "d336b0690a1875a1ee7860fdbcb0d501e1e41295");
  assertEquals(hash160(pubkey), ripemd160(native(pubkey)));
});

Deno.test("taggedHash: BIP340's construction, cached prefix, multiple messages", () => {
  const tag = "TapLeaf";
  const t = native(new TextEncoder().encode(tag));
  const msg1 = fromHex("c0");
  const msg2 = fromHex("2251" + "20".repeat(1));
  const expected = native(new Uint8Array([...t, ...t, ...msg1, ...msg2]));
  assertEquals(taggedHash(tag, msg1, msg2), expected);
  assertEquals(taggedHash(tag, msg1, msg2), expected, "second call uses the cached midstate");
  assertEquals(taggedHasher(tag).update(msg1).update(msg2).digest(), expected);
  assertEquals(
    taggedHash("BIP0340/challenge"),
    native(
      new Uint8Array([
        ...native(new TextEncoder().encode("BIP0340/challenge")),
        ...native(new TextEncoder().encode("BIP0340/challenge")),
      ]),
    ),
  );
  for (let i = 0; i < 100; i++) taggedHash(`tag${i}`, msg1);
  assertEquals(taggedHash(tag, msg1, msg2), expected, "still right after the memo was cleared");
});

Deno.test("hex helpers: strict parsing, display order", () => {
  assertEquals(toHex(Uint8Array.of(0, 1, 0xab, 0xff)), "0001abff");
  const long = new Uint8Array(1000).map((_, i) => i);
  assertEquals(toHex(long), Array.from(long, (b) => b.toString(16).padStart(2, "0")).join(""));
  assertEquals(fromHex("0001ABff"), Uint8Array.of(0, 1, 0xab, 0xff));
  assertEquals(fromHex(""), new Uint8Array(0));
  for (
    const [bad, reason] of [
      ["abc", "odd length 3"],
      ["zz", 'invalid character "z" at position 0'],
      ["0g", 'invalid character "g" at position 1'],
      [" 00", "odd length 3"],
      ["0x00", 'invalid character "x" at position 1'],
    ]
  ) {
    let err: unknown;
    try {
      fromHex(bad);
    } catch (e) {
      err = e;
    }
    assert(err instanceof DecodeError, bad);
    assertEquals((err as DecodeError).message, `Cannot decode hex: ${reason}`);
  }
  const txid = "c0ae558b55e205864c28800eca9b1214833d2fda137d07e69786b1cda18551b4";
  const internal = fromReverseHex(txid);
  assertEquals(internal[0], 0xb4);
  assertEquals(reverseHex(internal), txid);
  assert(bytesEqual(internal, fromReverseHex(txid)));
  assert(!bytesEqual(internal, internal.subarray(1)));
  assert(isZeroHash(ZERO_HASH));
  assert(!isZeroHash(internal));
});

Deno.test("compareBytes: bytewise, a shorter prefix first (std::vector operator<)", () => {
  const b = (...x: number[]) => Uint8Array.from(x);
  assert(compareBytes(b(1, 2), b(1, 3)) < 0);
  assert(compareBytes(b(2), b(1, 255)) > 0);
  assert(compareBytes(b(1), b(1, 0)) < 0);
  assertEquals(compareBytes(b(), b()), 0);
  assertEquals(compareBytes(b(7, 8), b(7, 8)), 0);
  const sorted = [b(3), b(), b(1, 2), b(1)].sort(compareBytes).map((x) => [...x]);
  assertEquals(sorted, [[], [1], [1, 2], [3]]);
});
