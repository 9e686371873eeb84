import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { fromHex, reverseHex, toHex } from "../../../core/hash/hashes.ts";
import { MuHash3072, MUHASH_MODULUS, muhashElement } from "../../../core/hash/muhash.ts";

/** Core's test helper `FromInt`: the singleton of 32 bytes {i, 0, …}. */
function fromInt(i: number): MuHash3072 {
  const tmp = new Uint8Array(32);
  tmp[0] = i;
  return new MuHash3072(tmp);
}

function bytes32(i: number): Uint8Array {
  const b = new Uint8Array(32);
  b[0] = i;
  return b;
}

Deno.test("muhash: Core's vector FromInt(0) * FromInt(1) / FromInt(2)", () => {
  const acc = fromInt(0);
  acc.multiply(fromInt(1));
  acc.divide(fromInt(2));
  assertEquals(
    reverseHex(acc.finalize()),
    "10d312b100cbd32ada024a6646e40d3482fcff103668d2625f10002a607d5863",
  );
});

Deno.test("muhash: Core's vector with insert and remove", () => {
  const acc = fromInt(0);
  acc.insert(bytes32(1));
  acc.remove(bytes32(2));
  assertEquals(
    reverseHex(acc.finalize()),
    "10d312b100cbd32ada024a6646e40d3482fcff103668d2625f10002a607d5863",
  );
});

Deno.test("muhash: Core's serialization vector and round trip", () => {
  const m = fromInt(1).multiply(fromInt(2));
  const ser = toHex(m.serialize());
  const numerator =
    "1fa093295ea30a6a3acdc7b3f770fa538eff537528e990e2910e40bbcfd7f6696b1256901929094694b56316de342f59" +
    "3303dd12ac43e06dce1be1ff8301c845beb15468fff0ef002dbf80c29f26e6452bccc91b5cb9437ad410d2a67ea84788" +
    "7fa3c6a6553309946880fe20db2c73fe0641adbd4e86edfee0d9f8cd0ee1230898873dc13ed8ddcaf045c80faa082774" +
    "279007a2253f8922ee3ef361d378a6af3ddaf180b190ac97e556888c36b3d1fb1c85aab9ccd46e3deaeb7b7cf5db067a" +
    "7e9ff86b658cf3acd6662bbcce37232daa753c48b794356c020090c831a8304416e2aa7ad633c0ddb2f11be1be316a81" +
    "be7f7e472071c042cb68faef549c221ebff209273638b741aba5a81675c45a5fa92fea4ca821d7a324cb1e1a2ccd3b76" +
    "c4228ec8066dad2a5df6e1bd0de45c7dd5de8070bdb46db6c554cf9aefc9b7b2bbf9f75b1864d9f95005314593905c01" +
    "09b71f703d49944ae94477b51dac10a816bb6d1c700bafabc8bd86fac8df24be519a2f2836b16392e18036cb13e48c5c";
  assertEquals(ser, numerator + "01" + "00".repeat(383));
  assertEquals(ser.length, 768 * 2);
  const back = MuHash3072.deserialize(fromHex(ser));
  assertEquals(toHex(back.finalize()), toHex(m.finalize()));
});

Deno.test("muhash: Core's overflow vector (numerator 2^3072 - 1 is reduced)", () => {
  const data = new Uint8Array(768);
  data.fill(0xff, 0, 384);
  data[384] = 1;
  const m = MuHash3072.deserialize(data);
  assertEquals(toHex(m.finalize()), "3a31e6903aff0de9f62f9a9f7f8b861de76ce2cda09822b90014319ae5dc2271");
});

Deno.test("muhash: order independence and X*Y/(Y*X) is the empty set (Core's randomized checks)", () => {
  let seed = 12345;
  const rand = (bits: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed >>> (32 - bits);
  };
  const empty = toHex(new MuHash3072().finalize());
  for (let iter = 0; iter < 10; iter++) {
    const table = [rand(3), rand(3), rand(3), rand(3)];
    let res: string | undefined;
    for (let order = 0; order < 4; order++) {
      const acc = new MuHash3072();
      for (let i = 0; i < 4; i++) {
        const t = table[i ^ order];
        if (t & 4) acc.divide(fromInt(t & 3));
        else acc.multiply(fromInt(t & 3));
      }
      const out = toHex(acc.finalize());
      if (res === undefined) res = out;
      else assertEquals(out, res);
    }
    const x = fromInt(rand(4));
    const y = fromInt(rand(4));
    const z = new MuHash3072();
    z.multiply(x);
    z.multiply(y);
    y.multiply(x);
    z.divide(y);
    assertEquals(toHex(z.finalize()), empty);
  }
});

Deno.test("muhash: remove undoes insert; finalize keeps the value usable", () => {
  const a = new MuHash3072();
  a.insert(bytes32(7)).insert(bytes32(8));
  const h1 = toHex(a.finalize());
  a.insert(bytes32(9));
  assert(toHex(a.finalize()) !== h1);
  a.remove(bytes32(9));
  assertEquals(toHex(a.finalize()), h1);
  const b = new MuHash3072(bytes32(8)).insert(bytes32(7));
  assertEquals(toHex(b.finalize()), h1);
});

Deno.test("muhash: elements are 3072-bit numbers; bad serialization length", () => {
  const e = muhashElement(new Uint8Array(0));
  assert(e > 0n && e < (1n << 3072n));
  assert(MUHASH_MODULUS === (1n << 3072n) - 1103717n);
  assertThrows(() => MuHash3072.deserialize(new Uint8Array(767)), "Cannot parse MuHash3072: length is 767");
});

Deno.test("muhash: 10,000 inserts take well under a second", () => {
  const m = new MuHash3072();
  const data = new Uint8Array(60);
  const t0 = performance.now();
  for (let i = 0; i < 10_000; i++) {
    data[0] = i & 0xff;
    data[1] = i >> 8;
    m.insert(data);
  }
  m.finalize();
  const ms = performance.now() - t0;
  assert(ms < 1000, `took ${ms.toFixed(0)} ms`);
});
