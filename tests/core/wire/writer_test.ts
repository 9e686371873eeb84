import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { toHex } from "../../../core/hash/hashes.ts";
import { ByteReader } from "../../../core/wire/reader.ts";
import { ByteWriter, compactSizeLength, encodeCompactSize } from "../../../core/wire/writer.ts";

Deno.test("compact sizes: encodings, lengths, and back", () => {
  const cases: [number | bigint, string][] = [
    [0, "00"],
    [252, "fc"],
    [253, "fdfd00"],
    [0xffff, "fdffff"],
    [0x10000, "fe00000100"],
    [0xffffffff, "feffffffff"],
    [0x100000000, "ff0000000001000000"],
    [0xffffffffffffffffn, "ffffffffffffffffff"],
  ];
  for (const [n, hex] of cases) {
    assertEquals(toHex(encodeCompactSize(n)), hex);
    assertEquals(compactSizeLength(n), hex.length / 2);
    assertEquals(new ByteReader(encodeCompactSize(n)).compactSizeU64(), BigInt(n));
  }
  assertThrows(() => encodeCompactSize(-1), "Cannot write compact size");
  assertThrows(() => encodeCompactSize(1.5), "Cannot write compact size");
  assertThrows(() => encodeCompactSize(2n ** 64n), "Cannot write compact size");
});

Deno.test("ByteWriter: integers, ranges, growth", () => {
  const w = new ByteWriter(1);
  w.u8(1).u16(0x0203).u32(0xffffffff).i32(-2).int32or32(-1).int32or32(0xfffffffe);
  w.u64(0xffffffffffffffffn).i64(-0x8000000000000000n).i64(0x7fffffffffffffffn).i64(-1n).i64(5_000_000_000n);
  const big = new Uint8Array(1000).fill(7);
  w.varBytes(big);
  const out = w.finish();
  assertEquals(out.length, 1 + 2 + 4 * 4 + 8 * 5 + 3 + 1000);
  const r = new ByteReader(out);
  assertEquals([r.u8(), r.u16(), r.u32(), r.i32(), r.i32(), r.u32()], [
    1,
    0x0203,
    0xffffffff,
    -2,
    -1,
    0xfffffffe,
  ]);
  assertEquals([r.u64(), r.i64(), r.i64(), r.i64(), r.i64()], [
    0xffffffffffffffffn,
    -0x8000000000000000n,
    0x7fffffffffffffffn,
    -1n,
    5_000_000_000n,
  ]);
  assertEquals(r.varBytes(), big);
  r.expectEnd("the test");
  for (
    const bad of [
      () => new ByteWriter().u8(256),
      () => new ByteWriter().u16(-1),
      () => new ByteWriter().u32(2 ** 32),
      () => new ByteWriter().u32(1.5),
      () => new ByteWriter().i32(2 ** 31),
      () => new ByteWriter().int32or32(-(2 ** 31) - 1),
      () => new ByteWriter().u64(-1n),
      () => new ByteWriter().i64(2n ** 63n),
    ]
  ) {
    let threw = false;
    try {
      bad();
    } catch (e) {
      threw = e instanceof RangeError;
    }
    assert(threw);
  }
});

Deno.test("ByteWriter.finish: the buffer itself when sized exactly", () => {
  const w = new ByteWriter(32);
  w.bytes(new Uint8Array(32));
  assertEquals(w.finish().length, 32);
  const short = new ByteWriter(64).u8(1).finish();
  assertEquals(short.length, 1);
  assertEquals(short.buffer.byteLength, 1);
});
