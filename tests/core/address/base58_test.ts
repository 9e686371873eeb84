import { assert, assertEquals } from "../../assert.ts";
import { hex, readVectorJson } from "../vectors.ts";
import {
  decodeBase58,
  decodeBase58Check,
  encodeBase58,
  encodeBase58Check,
} from "../../../core/address/base58.ts";

const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

Deno.test("base58_encode_decode.json: every case encodes and decodes (Core's base58_tests)", async (t) => {
  const cases = await readVectorJson<[string, string][]>("base58_encode_decode.json");
  assertEquals(cases.length, 21);
  for (const [i, [data, str]] of cases.entries()) {
    await t.step(`#${i} ${data.slice(0, 16)} <-> ${str.slice(0, 16)}`, () => {
      assertEquals(encodeBase58(hex(data)), str);
      const decoded = decodeBase58(str, 256);
      assert(decoded !== undefined, `cannot decode ${str}`);
      assertEquals(toHex(decoded), data.toLowerCase());
    });
  }
});

Deno.test("decodeBase58: Core's rules for bad characters, NUL bytes and whitespace", () => {
  assertEquals(decodeBase58("invalid", 100), undefined); // 'l' is not a digit
  assertEquals(decodeBase58("invalid\0", 100), undefined);
  assertEquals(decodeBase58("\0invalid", 100), undefined);
  assert(decodeBase58("good", 100) !== undefined);
  assertEquals(decodeBase58("bad0IOl", 100), undefined);
  assertEquals(decodeBase58("goodbad0IOl", 100), undefined);
  assertEquals(decodeBase58("good\0bad0IOl", 100), undefined);
  assertEquals(decodeBase58("good\0", 100), undefined); // NUL even where Core's C loop would stop
  // Leading and trailing whitespace is skipped; anything after trailing whitespace fails.
  assertEquals(decodeBase58(" \t\n\v\f\r skip \r\f\v\n\t a", 3), undefined);
  assertEquals(toHex(decodeBase58(" \t\n\v\f\r skip \r\f\v\n\t ", 3)!), "971a55");
  assertEquals(decodeBase58("sk ip", 3), undefined); // whitespace between digits
  assertEquals(decodeBase58("skip\u00a0", 3), undefined); // only ASCII whitespace counts
  assertEquals(decodeBase58("", 0)?.length, 0);
  assertEquals(decodeBase58("   ", 0)?.length, 0);
});

Deno.test("decodeBase58: the maximum length counts leading zeros and digits", () => {
  assertEquals(decodeBase58("1111", 4)?.length, 4);
  assertEquals(decodeBase58("11111", 4), undefined);
  assertEquals(toHex(decodeBase58("zzzzz", 4)!), "271f359f");
  assertEquals(decodeBase58("211111", 4)?.length, 4);
  assertEquals(decodeBase58("1211111", 4), undefined); // 5 bytes with the leading zero
  assertEquals(toHex(decodeBase58("1211111", 5)!), "00271f35a0");
  // Exactly at the boundary: 32 bytes of 0xff need 44 digits.
  const max32 = encodeBase58(new Uint8Array(32).fill(0xff));
  assertEquals(decodeBase58(max32, 32)?.length, 32);
  assertEquals(decodeBase58(max32, 31), undefined);
  // Hostile input is refused without decoding it.
  const start = performance.now();
  assertEquals(decodeBase58("2".repeat(1_000_000), 100), undefined);
  assertEquals(decodeBase58("1".repeat(1_000_000), 100), undefined);
  assert(performance.now() - start < 2000, "long inputs must be refused quickly");
});

Deno.test("Base58Check: Core's DecodeBase58Check cases and round trips", () => {
  assert(decodeBase58Check("3vQB7B6MrGQZaxCuFg4oh", 100) !== undefined);
  assertEquals(decodeBase58Check("3vQB7B6MrGQZaxCuFg4oi", 100), undefined);
  assertEquals(decodeBase58Check("3vQB7B6MrGQZaxCuFg4oh0IOl", 100), undefined);
  assertEquals(decodeBase58Check("3vQB7B6MrGQZaxCuFg4oh\x000IOl", 100), undefined);
  const payload = hex("00a31c06bd463e3923bc1aadbde48b16976c080717");
  const str = encodeBase58Check(payload);
  assertEquals(str, "1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo");
  assertEquals(toHex(decodeBase58Check(str, 21)!), toHex(payload));
  assertEquals(decodeBase58Check(str, 20), undefined); // payload longer than allowed
  assertEquals(decodeBase58Check("111", 100), undefined); // shorter than a checksum
  assertEquals(encodeBase58Check(new Uint8Array()), "3QJmnh");
  assertEquals(decodeBase58Check("3QJmnh", 0)?.length, 0);
});

Deno.test("decodeBase58: round trip and exact length limit for random bytes (fast-check)", async () => {
  const fc = (await import("fast-check")).default;
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), (bytes: Uint8Array) => {
      const str = encodeBase58(bytes);
      const back = decodeBase58(str, bytes.length);
      if (back === undefined || toHex(back) !== toHex(bytes)) return false;
      return bytes.length === 0 || decodeBase58(str, bytes.length - 1) === undefined;
    }),
    { numRuns: 2000 },
  );
});
