import { assert, assertEquals } from "../../assert.ts";
import { fromHex } from "../../../core/hash/hashes.ts";
import { ByteReader, MAX_SIZE } from "../../../core/wire/reader.ts";
import { decodeErrorOf } from "./helpers.ts";

const r = (hex: string) => new ByteReader(fromHex(hex), "test");

Deno.test("ByteReader.compactSize: canonical encodings at every boundary", () => {
  const cases: [string, number][] = [
    ["00", 0],
    ["fc", 252],
    ["fdfd00", 253],
    ["fdffff", 0xffff],
    ["fe00000100", 0x10000],
    ["fe00000002", MAX_SIZE],
  ];
  for (const [hex, n] of cases) {
    const reader = r(hex);
    assertEquals(reader.compactSize(), n, hex);
    assertEquals(reader.remaining, 0);
  }
});

Deno.test("ByteReader.compactSize: Core's errors for non-canonical and too-large sizes", () => {
  for (
    const hex of ["fd0000", "fdfc00", "fe00000000", "feffff0000", "ff0000000000000000", "ffffffffff00000000"]
  ) {
    const e = decodeErrorOf(() => r(hex).compactSize());
    assertEquals(e.message, "Cannot decode test: non-canonical ReadCompactSize()", hex);
    assertEquals(e.offset, 0);
  }
  for (const hex of ["fe01000002", "feffffffff", "ff0000000001000000", "ffffffffffffffffff"]) {
    assertEquals(decodeErrorOf(() => r(hex).compactSize()).reason, "ReadCompactSize(): size too large", hex);
  }
  for (const hex of ["", "fd", "fd00", "fe000001", "ff00000000000000"]) {
    assert(decodeErrorOf(() => r(hex).compactSize()).reason.startsWith("end of data"), hex);
  }
});

Deno.test("ByteReader.compactSizeU64: no size limit, still canonical", () => {
  assertEquals(r("fe01000002").compactSizeU64(), 0x02000001n);
  assertEquals(r("ff0000000001000000").compactSizeU64(), 0x100000000n);
  assertEquals(r("ffffffffffffffffff").compactSizeU64(), 0xffffffffffffffffn);
  assertEquals(
    decodeErrorOf(() => r("ffffffffff00000000").compactSizeU64()).reason,
    "non-canonical ReadCompactSize()",
  );
});

Deno.test("ByteReader: integers little-endian, signed and unsigned, 64-bit on both paths", () => {
  const reader = r("01" + "0201" + "04030201" + "ffffffff" + "ffffffff" + "0100000000000000");
  assertEquals([reader.u8(), reader.u16(), reader.u32(), reader.u32(), reader.i32()], [
    1,
    0x0102,
    0x01020304,
    0xffffffff,
    -1,
  ]);
  assertEquals(reader.u64(), 1n);
  const cases: [string, bigint, bigint][] = [
    ["ffffffffffffffff", 0xffffffffffffffffn, -1n],
    ["0000000000000080", 0x8000000000000000n, -0x8000000000000000n],
    ["ffffffffffffff7f", 0x7fffffffffffffffn, 0x7fffffffffffffffn],
    ["ffffffffffff1f00", 0x1fffffffffffffn, 0x1fffffffffffffn],
    ["0000000000002000", 0x20000000000000n, 0x20000000000000n],
    ["00000000000000e0", 0xe000000000000000n, -0x2000000000000000n],
    ["0100000000f0ffff", 0xfffff00000000001n, -0xfffffffffffn],
    ["00f2052a01000000", 5_000_000_000n, 5_000_000_000n],
  ];
  for (const [hex, u, i] of cases) {
    assertEquals(r(hex).u64(), u, hex);
    assertEquals(r(hex).i64(), i, hex);
  }
});

Deno.test("ByteReader: byte strings are views, lengths checked before use", () => {
  const data = fromHex("03aabbcc05");
  const reader = new ByteReader(data, "test");
  const v = reader.varBytes();
  assertEquals([...v], [0xaa, 0xbb, 0xcc]);
  assert(v.buffer === data.buffer);
  assertEquals(
    decodeErrorOf(() => reader.varBytes()).reason,
    "end of data (needs 5 bytes at byte 5, 0 left)",
  );
  assertEquals(
    decodeErrorOf(() => r("fe00000001").varBytes()).reason,
    "end of data (needs 16777216 bytes at byte 5, 0 left)",
  );
  assertEquals(
    decodeErrorOf(() => r("0500").count(10, "thing")).reason,
    "thing count 5 needs at least 50 bytes, 1 left",
  );
  const done = r("0000");
  done.u8();
  assertEquals(
    decodeErrorOf(() => done.expectEnd("the thing")).message,
    "Cannot decode test: 1 byte left after the thing",
  );
  done.u8();
  done.expectEnd("the thing");
});
