import { assert, assertEquals } from "../../assert.ts";
import { hex } from "../vectors.ts";
import { bytesToHex } from "@noble/hashes/utils.js";
import {
  checkMinimalPush,
  decodeOpN,
  decodeScript,
  decodeScriptNum,
  encodeOpN,
  encodeScriptNum,
  findAndDelete,
  hasValidOps,
  isPayToAnchor,
  isPayToAnchorProgram,
  isPayToScriptHash,
  isPayToTaproot,
  isPayToWitnessScriptHash,
  isPushOnly,
  isUnspendable,
  isWitnessProgram,
  pushAll,
  pushData,
  pushDataMinimal,
  pushInt,
  ScriptBuilder,
  ScriptCursor,
  ScriptNumError,
  scriptNumGetInt,
  ScriptParseError,
} from "../../../core/script/script.ts";
import {
  OP_0,
  OP_1,
  OP_1NEGATE,
  OP_2,
  OP_3,
  OP_4,
  OP_CHECKSIG,
  OP_PUSHDATA1,
  OP_PUSHDATA2,
  OP_PUSHDATA4,
} from "../../../core/script/opcodes.ts";

const h = bytesToHex;

function throwsTyped<T extends Error>(fn: () => unknown, type: new (...a: never[]) => T): T {
  try {
    fn();
  } catch (e) {
    if (e instanceof type) return e;
    throw new Error(`expected ${type.name}, got ${e}`);
  }
  throw new Error(`expected ${type.name}, nothing thrown`);
}

Deno.test("ScriptCursor: GetScriptOp semantics for every push form", () => {
  const script = hex("00" + "0201ff" + "4c03aabbcc" + "4d0200dddd" + "4e01000000ee" + "ac" + "4c00");
  const c = new ScriptCursor(script);
  const seen: [number, string, number, number][] = [];
  while (c.next()) seen.push([c.opcode, h(c.data), c.opStart, c.pc]);
  assertEquals(seen, [
    [0x00, "", 0, 1],
    [0x02, "01ff", 1, 4],
    [OP_PUSHDATA1, "aabbcc", 4, 9],
    [OP_PUSHDATA2, "dddd", 9, 14],
    [OP_PUSHDATA4, "ee", 14, 20],
    [OP_CHECKSIG, "", 20, 21],
    [OP_PUSHDATA1, "", 21, 23],
  ]);
  assertEquals(c.pc, script.length);
  assertEquals(c.opcode, 0xff);
});

Deno.test("ScriptCursor: truncated pushes fail without moving pc", () => {
  for (
    const t of ["01", "0201", "4c", "4c02aa", "4d01", "4d0100", "4e010000", "4e01000000", "4effffffff00"]
  ) {
    const c = new ScriptCursor(hex("51" + t));
    assert(c.next());
    assertEquals(c.opcode, OP_1);
    assert(!c.next(), t);
    assertEquals(c.pc, 1);
    assertEquals(c.opcode, 0xff);
    const err = throwsTyped(() => decodeScript(hex("51" + t)), ScriptParseError);
    assertEquals(err.offset, 1);
  }
});

Deno.test("decodeScript: ops with data views", () => {
  const ops = decodeScript(hex("76a914" + "11".repeat(20) + "88ac"));
  assertEquals(ops.map((o) => o.opcode), [0x76, 0xa9, 0x14, 0x88, 0xac]);
  assertEquals(h(ops[2].data), "11".repeat(20));
  assertEquals(decodeScript(new Uint8Array(0)), []);
});

Deno.test("isPushOnly and hasValidOps as Core", () => {
  assert(isPushOnly(new Uint8Array(0)));
  assert(isPushOnly(hex("004f505160")));
  assert(!isPushOnly(hex("61")));
  assert(!isPushOnly(hex("01"))); // truncated push (Core's script_IsPushOnly_on_invalid_scripts)
  assert(isPushOnly(hex("6a0100"), 1));
  assert(!isPushOnly(hex("6a0100"), 0));
  assert(hasValidOps(hex("76a9141234567890abcdefa1a2a3a4a5a6a7a8a9a0aaab88ac")));
  assert(hasValidOps(hex("76a914ff34567890abcdefa1a2a3a4a5a6a7a8a9a0aaab88ac")));
  assert(!hasValidOps(hex("ff88ac")));
  assert(!hasValidOps(hex("88acc0")));
  assert(!hasValidOps(hex("ba")));
  assert(hasValidOps(pushData(new Uint8Array(520))));
  assert(!hasValidOps(pushData(new Uint8Array(521))));
});

Deno.test("pushAll: Core's PushAll (OP_0, OP_1..16, OP_1NEGATE, pushes; nothing for no items)", () => {
  assertEquals(
    h(
      pushAll([
        new Uint8Array(0),
        Uint8Array.of(1),
        Uint8Array.of(16),
        Uint8Array.of(0x81),
        Uint8Array.of(17),
      ]),
    ),
    "0051604f" + "0111",
  );
  assertEquals(h(pushAll([new Uint8Array(80)])).slice(0, 4), "4c50");
  assertEquals(pushAll([]).length, 0);
});

Deno.test("push encoding: pushData, pushDataMinimal, pushInt", () => {
  assertEquals(h(pushData(new Uint8Array(0))), "00");
  assertEquals(h(pushData(Uint8Array.of(5))), "0105");
  const sizes: [number, string][] = [[75, "4b"], [76, "4c4c"], [255, "4cff"], [256, "4d0001"], [
    65535,
    "4dffff",
  ], [65536, "4e00000100"]];
  for (const [size, prefix] of sizes) {
    const p = pushData(new Uint8Array(size).fill(0x42));
    assertEquals(h(p.subarray(0, prefix.length / 2)), prefix);
    assertEquals(p.length, prefix.length / 2 + size);
    assert(checkMinimalPush(new Uint8Array(size), p[0]), `size ${size}`);
  }
  assertEquals(h(pushDataMinimal(new Uint8Array(0))), "00");
  assertEquals(h(pushDataMinimal(Uint8Array.of(1))), "51");
  assertEquals(h(pushDataMinimal(Uint8Array.of(16))), "60");
  assertEquals(h(pushDataMinimal(Uint8Array.of(17))), "0111");
  assertEquals(h(pushDataMinimal(Uint8Array.of(0))), "0100");
  assertEquals(h(pushDataMinimal(Uint8Array.of(0x81))), "4f");
  assertEquals(h(pushInt(0)), "00");
  assertEquals(h(pushInt(-1)), "4f");
  assertEquals(h(pushInt(1)), "51");
  assertEquals(h(pushInt(16)), "60");
  assertEquals(h(pushInt(17)), "0111");
  assertEquals(h(pushInt(-2)), "0182");
  assertEquals(h(pushInt(128)), "028000");
  assertEquals(h(pushInt(0xffffffff)), "05ffffffff00");
  assertEquals(h(pushInt(-0xffffffffn)), "05ffffffff80");
  // Core's script_standard_push: every `CScript << i` for 0 <= i < 67000 is a minimal push.
  for (let i = 0; i < 67000; i++) {
    const c = new ScriptCursor(pushInt(i));
    assert(c.next());
    if (c.opcode <= OP_PUSHDATA4) assert(checkMinimalPush(c.data, c.opcode), `number ${i}`);
    assert(isPushOnly(pushInt(i)));
  }
  for (let i = 0; i <= 520; i++) {
    const c = new ScriptCursor(pushDataMinimal(new Uint8Array(i).fill(0o111)));
    assert(c.next());
    assert(checkMinimalPush(c.data, c.opcode), `length ${i}`);
  }
});

Deno.test("checkMinimalPush: Core's rules and boundaries", () => {
  assert(checkMinimalPush(new Uint8Array(0), OP_0));
  assert(!checkMinimalPush(new Uint8Array(0), OP_PUSHDATA1));
  for (let v = 1; v <= 16; v++) assert(!checkMinimalPush(Uint8Array.of(v), 1));
  assert(!checkMinimalPush(Uint8Array.of(0x81), 1));
  assert(checkMinimalPush(Uint8Array.of(0x80), 1));
  assert(checkMinimalPush(Uint8Array.of(0), 1));
  assert(checkMinimalPush(new Uint8Array(75), 75));
  assert(!checkMinimalPush(new Uint8Array(75), OP_PUSHDATA1));
  assert(checkMinimalPush(new Uint8Array(76), OP_PUSHDATA1));
  assert(!checkMinimalPush(new Uint8Array(76), OP_PUSHDATA2));
  assert(checkMinimalPush(new Uint8Array(256), OP_PUSHDATA2));
  assert(checkMinimalPush(new Uint8Array(65535), OP_PUSHDATA2));
  assert(!checkMinimalPush(new Uint8Array(65535), OP_PUSHDATA4));
  assert(checkMinimalPush(new Uint8Array(65536), OP_PUSHDATA4));
  throwsTyped(() => checkMinimalPush(new Uint8Array(0), OP_1), RangeError);
});

Deno.test("OP_N helpers", () => {
  assertEquals(decodeOpN(OP_0), 0);
  assertEquals(decodeOpN(OP_3), 3);
  assertEquals(encodeOpN(0), OP_0);
  assertEquals(encodeOpN(16), 0x60);
  throwsTyped(() => decodeOpN(OP_1NEGATE), RangeError);
  throwsTyped(() => encodeOpN(17), RangeError);
});

Deno.test("ScriptBuilder: opcodes, pushes, numbers, raw bytes", () => {
  const s = new ScriptBuilder().num(2).push(hex("aa".repeat(33))).num(1000).op(OP_CHECKSIG).raw(hex("ff"))
    .build();
  assertEquals(h(s), "5221" + "aa".repeat(33) + "02e803" + "ac" + "ff");
  throwsTyped(() => new ScriptBuilder().op(256), RangeError);
});

// ---- CScriptNum (facts of Core's scriptnum_tests) -----------------------------------------------------------

/** Independent reference: sign-magnitude little endian via bigint (as CScriptNum10). */
function refSerialize(v: bigint): string {
  if (v === 0n) return "";
  const neg = v < 0n;
  let abs = neg ? -v : v;
  let bytes = abs.toString(16);
  if (bytes.length % 2) bytes = "0" + bytes;
  const le = bytes.match(/../g)!.reverse();
  abs = 0n;
  const top = parseInt(le[le.length - 1], 16);
  if (top & 0x80) le.push(neg ? "80" : "00");
  else if (neg) le[le.length - 1] = (top | 0x80).toString(16).padStart(2, "0");
  return le.join("");
}

function refParse(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(i === b.length - 1 ? b[i] & 0x7f : b[i]);
  return b[b.length - 1] & 0x80 ? -v : v;
}

Deno.test("ScriptNum: fixed encodings", () => {
  const cases: [number, string][] = [
    [0, ""],
    [1, "01"],
    [-1, "81"],
    [127, "7f"],
    [-127, "ff"],
    [128, "8000"],
    [-128, "8080"],
    [255, "ff00"],
    [-255, "ff80"],
    [256, "0001"],
    [-256, "0081"],
    [32767, "ff7f"],
    [32768, "008000"],
    [0x7fffffff, "ffffff7f"],
    [-0x7fffffff, "ffffffff"],
    [0x80000000, "0000008000"],
    [-0x80000000, "0000008080"],
    [0xffffffff, "ffffffff00"],
    [2 ** 39 - 1, "ffffffff7f"],
    [Number.MAX_SAFE_INTEGER, "ffffffffffff1f"],
  ];
  for (const [v, enc] of cases) {
    assertEquals(h(encodeScriptNum(v)), enc, `encode ${v}`);
    assertEquals(h(encodeScriptNum(BigInt(v))), enc, `encode ${v}n`);
    if (enc.length <= 12) assertEquals(decodeScriptNum(hex(enc), true, 6), v, `decode ${enc}`);
  }
  assertEquals(h(encodeScriptNum(-(2n ** 63n))), "000000000000008080");
  assertEquals(h(encodeScriptNum(2n ** 63n - 1n)), "ffffffffffffff7f");
  throwsTyped(() => encodeScriptNum(2n ** 63n), RangeError);
  throwsTyped(() => encodeScriptNum(0.5), RangeError);
  throwsTyped(() => encodeScriptNum(2 ** 53), RangeError);
});

Deno.test("ScriptNum: size limits and minimal encoding", () => {
  assertEquals(
    throwsTyped(() => decodeScriptNum(hex("0000008000"), false), ScriptNumError).message,
    "script number overflow",
  );
  assertEquals(decodeScriptNum(hex("0000008000"), false, 5), 0x80000000);
  assertEquals(
    throwsTyped(() => decodeScriptNum(hex("000000000001"), true, 5), ScriptNumError).reason,
    "overflow",
  );
  const nonMinimal = ["00", "80", "0000", "0080", "0100", "7f00", "ff7f00", "00000000", "01000080"];
  for (const enc of nonMinimal) {
    const e = throwsTyped(() => decodeScriptNum(hex(enc), true), ScriptNumError);
    assertEquals(e.message, "non-minimally encoded script number");
    assertEquals(e.reason, "non_minimal");
    decodeScriptNum(hex(enc), false); // accepted without the minimal rule
  }
  assertEquals(decodeScriptNum(hex("80"), false), 0); // negative zero
  assert(!Object.is(decodeScriptNum(hex("80"), false), -0));
  assertEquals(decodeScriptNum(hex("0080"), false), 0);
  assertEquals(decodeScriptNum(hex("0100"), false), 1);
  for (const enc of ["ff00", "ff80", "8000", "8080", "ffffff7f", "ffffffff", ""]) {
    decodeScriptNum(hex(enc), true);
  }
  throwsTyped(() => decodeScriptNum(new Uint8Array(7), false, 7), RangeError);
  assertEquals(scriptNumGetInt(2 ** 32), 0x7fffffff);
  assertEquals(scriptNumGetInt(-(2 ** 32)), -0x80000000);
  assertEquals(scriptNumGetInt(-5), -5);
});

Deno.test("ScriptNum: creation round trips over Core's values and offsets", () => {
  const values = [
    0n,
    1n,
    -2n,
    127n,
    128n,
    -255n,
    256n,
    (1n << 15n) - 1n,
    -(1n << 16n),
    (1n << 24n) - 1n,
    1n << 31n,
    1n - (1n << 32n),
    1n << 40n,
  ];
  const offsets = [1n, 0x79n, 0x80n, 0x81n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x10000n];
  let checked = 0;
  for (const v of values) {
    for (const o of offsets) {
      for (const num of [v, v + o, v - o]) {
        const enc = encodeScriptNum(Number(num));
        assertEquals(h(enc), refSerialize(num), `serialize ${num}`);
        assertEquals(h(encodeScriptNum(num)), refSerialize(num));
        if (enc.length <= 4) {
          assertEquals(decodeScriptNum(enc, true), Number(num));
          assertEquals(decodeScriptNum(enc, false), Number(refParse(enc)));
          const clamped = num > 0x7fffffffn ? 0x7fffffff : num < -0x80000000n ? -0x80000000 : Number(num);
          assertEquals(scriptNumGetInt(decodeScriptNum(enc, false)), clamped);
        } else {
          assertEquals(throwsTyped(() => decodeScriptNum(enc, false), ScriptNumError).reason, "overflow");
          assertEquals(decodeScriptNum(enc, true, 6), Number(num));
        }
        checked++;
      }
    }
  }
  assertEquals(checked, 13 * 9 * 3);
  // Exhaustive over all 1- and 2-byte vectors against the reference parser.
  for (let a = 0; a < 256; a++) {
    assertEquals(decodeScriptNum(Uint8Array.of(a), false), Number(refParse(Uint8Array.of(a))));
    for (let b = 0; b < 256; b++) {
      const v = Uint8Array.of(a, b);
      assertEquals(decodeScriptNum(v, false), Number(refParse(v)));
      const minimal = h(encodeScriptNum(decodeScriptNum(v, false))) === h(v);
      let accepted = true;
      try {
        decodeScriptNum(v, true);
      } catch {
        accepted = false;
      }
      assertEquals(accepted, minimal, h(v));
    }
  }
});

// ---- FindAndDelete (facts of Core's script_FindAndDelete) ---------------------------------------------------

Deno.test("findAndDelete: Core's cases", () => {
  const ops = (...o: number[]) => Uint8Array.from(o);
  const cases: [Uint8Array, Uint8Array, Uint8Array, number][] = [
    [ops(OP_1, OP_2), new Uint8Array(0), ops(OP_1, OP_2), 0],
    [ops(OP_1, OP_2, OP_3), ops(OP_2), ops(OP_1, OP_3), 1],
    [ops(OP_3, OP_1, OP_3, OP_3, OP_4, OP_3), ops(OP_3), ops(OP_1, OP_4), 4],
    [hex("0302ff03"), hex("0302ff03"), hex(""), 1],
    [hex("0302ff030302ff03"), hex("0302ff03"), hex(""), 2],
    [hex("0302ff030302ff03"), hex("02"), hex("0302ff030302ff03"), 0],
    [hex("0302ff030302ff03"), hex("ff"), hex("0302ff030302ff03"), 0],
    [hex("0302ff030302ff03"), hex("03"), hex("02ff0302ff03"), 2],
    [hex("02feed5169"), hex("feed51"), hex("02feed5169"), 0],
    [hex("02feed5169"), hex("02feed51"), hex("69"), 1],
    [hex("516902feed5169"), hex("feed51"), hex("516902feed5169"), 0],
    [hex("516902feed5169"), hex("02feed51"), hex("516969"), 1],
    [ops(OP_0, OP_0, OP_1, OP_1), ops(OP_0, OP_1), ops(OP_0, OP_1), 1],
    [ops(OP_0, OP_0, OP_1, OP_0, OP_1, OP_1), ops(OP_0, OP_1), ops(OP_0, OP_1), 2],
    [hex("0003feed"), hex("03feed"), hex("00"), 1],
    [hex("0003feed"), hex("00"), hex("03feed"), 1],
  ];
  for (const [s, d, expect, found] of cases) {
    const r = findAndDelete(s, d);
    assertEquals([h(r.script), r.found], [h(expect), found], `${h(s)} - ${h(d)}`);
    if (found === 0) assert(r.script === s, "unchanged script is returned as is");
  }
});

// ---- templates ----------------------------------------------------------------------------------------------

Deno.test("templates: witness program, P2SH, P2WSH, P2TR, anchor, unspendable", () => {
  assertEquals(isWitnessProgram(hex("0014" + "11".repeat(20)))?.version, 0);
  assertEquals(h(isWitnessProgram(hex("0014" + "11".repeat(20)))!.program), "11".repeat(20));
  assertEquals(isWitnessProgram(hex("6002aabb"))?.version, 16);
  assertEquals(isWitnessProgram(hex("5128" + "00".repeat(40)))?.version, 1);
  assertEquals(isWitnessProgram(hex("5129" + "00".repeat(41))), null); // 43 bytes
  assertEquals(isWitnessProgram(hex("0001aa")), null); // 3 bytes
  assertEquals(isWitnessProgram(hex("4f02aabb")), null); // OP_1NEGATE is no version
  assertEquals(isWitnessProgram(hex("0003aabb")), null); // length mismatch
  assertEquals(isWitnessProgram(hex("004c02aabb")), null); // PUSHDATA1 is not a direct push
  assert(isPayToScriptHash(hex("a914" + "22".repeat(20) + "87")));
  assert(!isPayToScriptHash(hex("a94c14" + "22".repeat(20) + "87")));
  assert(isPayToWitnessScriptHash(hex("0020" + "33".repeat(32))));
  assert(!isPayToWitnessScriptHash(hex("5120" + "33".repeat(32))));
  assert(isPayToTaproot(hex("5120" + "33".repeat(32))));
  assert(isPayToAnchor(hex("51024e73")));
  assert(!isPayToAnchor(hex("00024e73")));
  assert(isPayToAnchorProgram(1, hex("4e73")));
  assert(!isPayToAnchorProgram(0, hex("4e73")));
  assert(isUnspendable(hex("6a")));
  assert(isUnspendable(new Uint8Array(10001)));
  assert(!isUnspendable(new Uint8Array(10000)));
  assert(!isUnspendable(new Uint8Array(0)));
});
