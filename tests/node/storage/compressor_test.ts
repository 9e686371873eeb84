import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { fromHex, toHex } from "../../../core/hash/hashes.ts";
import { ByteReader } from "../../../core/wire/reader.ts";
import { ByteWriter } from "../../../core/wire/writer.ts";
import { DecodeError } from "../../../core/wire/errors.ts";
import {
  compressAmount,
  compressScript,
  compressSmallAmount,
  decompressAmount,
  readCompressedScript,
  readVarInt,
  readVarInt64,
  varIntLength,
  writeCompressedScript,
  writeVarInt,
} from "../../../node/storage/compressor.ts";
import { defaultSecp256k1 } from "../../../core/crypto/default_backend.ts";

const COIN = 100_000_000n;
const CENT = 1_000_000n;

function varintHex(n: number | bigint): string {
  const w = new ByteWriter();
  writeVarInt(w, n);
  return toHex(w.finish());
}

Deno.test("VARINT bit patterns are Core's (serialize_tests varints_bitpatterns)", () => {
  const cases: [number | bigint, string][] = [
    [0, "00"],
    [0x7f, "7f"],
    [0x80, "8000"],
    [0x1234, "a334"],
    [0xffff, "82fe7f"],
    [0x123456, "c7e756"],
    [0x80123456, "86ffc7e756"],
    [0xffffffff, "8efefefe7f"],
    [0x7fffffffffffffffn, "fefefefefefefefe7f"],
    [0xffffffffffffffffn, "80fefefefefefefefe7f"],
    [3000000000n, "8a95c0bb00"],
  ];
  for (const [n, hex] of cases) {
    assertEquals(varintHex(n), hex, `VARINT(${n})`);
    assertEquals(varIntLength(n), hex.length / 2);
    assertEquals(readVarInt64(new ByteReader(fromHex(hex))), BigInt(n));
    if (BigInt(n) <= 0xffffffffn) assertEquals(readVarInt(new ByteReader(fromHex(hex))), Number(n));
  }
});

Deno.test("VARINT round trips and rejects values past the type's range", () => {
  const w = new ByteWriter();
  const values: number[] = [];
  for (let i = 0; i < 100000; i++) values.push(Math.floor(Math.random() * 2 ** (1 + (i % 32))));
  for (const v of values) writeVarInt(w, v);
  const r = new ByteReader(w.finish());
  for (const v of values) assertEquals(readVarInt(r), v);
  r.expectEnd("values");
  // 2^32 does not fit a uint32.
  const big = fromHex(varintHex(0x100000000));
  const e = assertThrows(() => readVarInt(new ByteReader(big)), "ReadVarInt(): size too large");
  assert(e instanceof DecodeError);
  assertThrows(
    () => readVarInt(new ByteReader(fromHex(varintHex(0x80000000))), 0x7fffffff),
    "size too large",
  );
  assertThrows(() => readVarInt64(new ByteReader(fromHex("ffffffffffffffffffff7f"))), "size too large");
  assertThrows(() => readVarInt(new ByteReader(fromHex("80"))), "end of data");
  assertThrows(() => writeVarInt(new ByteWriter(), -1), "Cannot write VARINT");
});

Deno.test("amount compression matches Core's compress_tests", () => {
  const pairs: [bigint, bigint][] = [
    [0n, 0x0n],
    [1n, 0x1n],
    [CENT, 0x7n],
    [COIN, 0x9n],
    [50n * COIN, 0x32n],
    [21000000n * COIN, 0x1406f40n],
  ];
  for (const [dec, enc] of pairs) {
    assertEquals(compressAmount(dec), enc);
    assertEquals(decompressAmount(enc), dec);
  }
  for (let i = 1n; i <= 20000n; i++) assertEquals(decompressAmount(compressAmount(i)), i);
  for (let i = 1n; i <= 2000n; i++) assertEquals(decompressAmount(compressAmount(i * CENT)), i * CENT);
  for (let i = 1n; i <= 2000n; i++) {
    assertEquals(decompressAmount(compressAmount(i * 50n * COIN)), i * 50n * COIN);
  }
  for (let i = 0n; i < 20000n; i++) assertEquals(compressAmount(decompressAmount(i)), i);
  assertThrows(() => compressAmount(-1n), "Cannot compress amount");
});

function roundTripScript(script: Uint8Array): Uint8Array {
  const w = new ByteWriter();
  writeCompressedScript(w, script);
  const bytes = w.finish();
  const r = new ByteReader(bytes);
  const back = readCompressedScript(r);
  r.expectEnd("script");
  assertEquals(toHex(back), toHex(script));
  return bytes;
}

Deno.test("script compression special cases (P2PKH, P2SH, P2PK compressed and uncompressed)", () => {
  const h20 = fromHex("816115944e077fe7c803cfa57f29b36bf87c1d35");
  const p2pkh = fromHex("76a914" + toHex(h20) + "88ac");
  const c1 = roundTripScript(p2pkh);
  assertEquals(toHex(c1), "00" + toHex(h20));
  const p2sh = fromHex("a914" + toHex(h20) + "87");
  assertEquals(toHex(roundTripScript(p2sh)), "01" + toHex(h20));
  const secp = defaultSecp256k1();
  const key = new Uint8Array(32).fill(7);
  const pub = secp.publicKeyCreate(key);
  const p2pk = new Uint8Array([33, ...pub, 0xac]);
  assertEquals(toHex(roundTripScript(p2pk)), toHex(pub));
  // Uncompressed keys: the generator G (even y) and 2G-like odd keys, recovered through the curve equation.
  const gx = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
  const gy = "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8";
  const g = fromHex("41" + "04" + gx + gy + "ac");
  assertEquals(toHex(roundTripScript(g)), "04" + gx);
  // A key with an odd y: -G has y = p - gy.
  const p = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
  const negGy = (p - BigInt("0x" + gy)).toString(16).padStart(64, "0");
  const negG = fromHex("41" + "04" + gx + negGy + "ac");
  assertEquals(toHex(roundTripScript(negG)), "05" + gx);
  // An invalid uncompressed key is stored in full.
  const bad = fromHex("41" + "04" + gx + gx + "ac");
  assertEquals(compressScript(bad), null);
  assertEquals(roundTripScript(bad).length, 1 + 67);
  // Other scripts: VARINT(size + 6) then the bytes.
  const p2wpkh = fromHex("0014" + toHex(h20));
  assertEquals(toHex(roundTripScript(p2wpkh)).slice(0, 2), "1c");
  assertEquals(roundTripScript(new Uint8Array(0)).length, 1);
  roundTripScript(new Uint8Array(10000).fill(0x51));
});

Deno.test("compressed scripts: x not on the curve fails; oversized scripts read as OP_RETURN", () => {
  // x = 5 is not on secp256k1 (5^3 + 7 = 132 is a non-residue mod p).
  const notOnCurve = fromHex("04" + "00".repeat(31) + "05");
  assertThrows(() => readCompressedScript(new ByteReader(notOnCurve)), "not on the curve");
  const w = new ByteWriter();
  writeVarInt(w, 10001 + 6);
  w.bytes(new Uint8Array(10001));
  const r = new ByteReader(w.finish());
  assertEquals(toHex(readCompressedScript(r)), "6a");
  assertEquals(r.remaining, 0);
  assertThrows(() => readCompressedScript(new ByteReader(fromHex("00aabb"))), "end of data");
});

Deno.test("amount compression in number arithmetic equals the bigint version below 9e14 satoshis", () => {
  const values = [
    0,
    1,
    9,
    10,
    11,
    100,
    1e8,
    1e9,
    5e9,
    1e10,
    12_345_678_901,
    2_100_000_000_000_000 / 10,
    899_999_999_999_999,
  ];
  let x = 123_456_789;
  for (let i = 0; i < 5000; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const magnitude = 10 ** (i % 15);
    values.push(Math.floor((x / 2147483648) * magnitude) * (i % 3 === 0 ? 1000 : 1) % 900_000_000_000_000);
  }
  for (const v of values) {
    assertEquals(compressSmallAmount(v), Number(compressAmount(BigInt(v))), `amount ${v}`);
  }
});
