import { createHash } from "node:crypto";
import { assertEquals, assertThrows } from "../../assert.ts";
import { toHex } from "../../../core/hash/hashes.ts";
import { jsSha256, jsSha256d, jsSha256dRanges, Sha256, sha256dPairInto } from "../../../core/hash/sha256.ts";

const native = (d: Uint8Array) => new Uint8Array(createHash("sha256").update(d).digest());
const text = (s: string) => new TextEncoder().encode(s);

Deno.test("jsSha256: FIPS 180-2 examples", () => {
  assertEquals(toHex(jsSha256(text(""))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assertEquals(
    toHex(jsSha256(text("abc"))),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assertEquals(
    toHex(jsSha256(text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
  const h = new Sha256();
  const chunk = text("a".repeat(1000));
  for (let i = 0; i < 1000; i++) h.update(chunk);
  assertEquals(toHex(h.digest()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
});

Deno.test("jsSha256, jsSha256d, Sha256 agree with node:crypto at every length 0..300 and any split", () => {
  for (let len = 0; len <= 300; len++) {
    const d = new Uint8Array(len).map((_, i) => (i * 131 + len * 7) & 255);
    const single = native(d);
    assertEquals(jsSha256(d), single, `length ${len}`);
    assertEquals(jsSha256d(d), native(single), `double, length ${len}`);
    const split = (len * 37) % (len + 1);
    const h = new Sha256().update(d, 0, split);
    const copy = h.clone();
    h.update(d, split);
    copy.update(d.subarray(split));
    assertEquals(h.digest(), single);
    assertEquals(copy.digestDouble(), native(single));
  }
  // A range inside a larger array.
  const big = new Uint8Array(500).map((_, i) => i);
  assertEquals(jsSha256(big, 100, 357), native(big.subarray(100, 357)));
});

Deno.test("sha256dPairInto: a merkle node, output may alias an input", () => {
  const buf = new Uint8Array(64).map((_, i) => i * 3);
  const expected = native(native(buf));
  sha256dPairInto(buf, 0, buf, 32, buf, 0);
  assertEquals(buf.subarray(0, 32), expected);
});

Deno.test("Sha256: finalized hashers refuse more use", () => {
  const h = new Sha256();
  h.digest();
  assertThrows(() => h.update(new Uint8Array(1)), "already finalized");
  assertThrows(() => h.digest(), "twice");
  assertThrows(() => h.clone(), "finalized");
});

Deno.test("jsSha256dRanges: any three ranges of an array equal hashing their concatenation", () => {
  const data = new Uint8Array(400).map((_, i) => (i * 89) & 255);
  for (let k = 0; k < 300; k++) {
    const cuts = [0, (k * 7) % 130, (k * 13) % 130 + 130, (k * 17) % 130 + 260, (k * 3) % 140 + 260].sort((
      a,
      b,
    ) => a - b);
    const ranges = [cuts[0], cuts[1], cuts[2], cuts[3], cuts[3], cuts[4]];
    const joined = new Uint8Array([...data.subarray(cuts[0], cuts[1]), ...data.subarray(cuts[2], cuts[4])]);
    assertEquals(jsSha256dRanges(data, ranges), native(native(joined)), `cuts ${cuts}`);
  }
  assertEquals(jsSha256dRanges(data, []), native(native(new Uint8Array(0))));
});
