/**
 * Property tests: hostile bytes and text never make the script helpers throw anything but their typed errors,
 * and the text forms round trip.
 */
import fc from "fast-check";
import { assert, assertEquals } from "../../assert.ts";
import { bytesToHex } from "@noble/hashes/utils.js";
import { formatScript, parseScriptAsm, scriptToAsm } from "../../../core/script/asm.ts";
import {
  decodeScript,
  decodeScriptNum,
  encodeScriptNum,
  findAndDelete,
  hasValidOps,
  isPushOnly,
  isWitnessProgram,
  pushData,
  ScriptCursor,
  ScriptNumError,
  ScriptParseError,
} from "../../../core/script/script.ts";
import { matchMultiA, matchMultisig, solver } from "../../../core/script/standard.ts";
import { countWitnessSigOps, getP2shSigOpCount, getSigOpCount } from "../../../core/script/sigops.ts";

const RUNS = 2000;

/** Random scripts: raw bytes, and sequences of plausible operations (so that templates are hit too). */
const scriptArb = fc.oneof(
  fc.uint8Array({ maxLength: 120 }),
  fc.array(
    fc.oneof(
      fc.integer({ min: 0, max: 255 }).map((op) => Uint8Array.of(op)),
      fc.uint8Array({ maxLength: 80 }).map(pushData),
      fc.constantFrom(20, 32, 33, 65).chain((n) =>
        fc.uint8Array({ minLength: n, maxLength: n }).map(pushData)
      ),
    ),
    { maxLength: 12 },
  ).map((parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let pos = 0;
    for (const p of parts) {
      out.set(p, pos);
      pos += p.length;
    }
    return out;
  }),
);

Deno.test("properties: random scripts never crash the readers, templates, sigops or asm", () => {
  fc.assert(
    fc.property(
      scriptArb,
      scriptArb,
      fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 3 }),
      (s, t, wit) => {
        try {
          const ops = decodeScript(s);
          assertEquals(ops.length === 0 ? 0 : ops[ops.length - 1].end, s.length);
        } catch (e) {
          if (!(e instanceof ScriptParseError)) throw e;
        }
        const c = new ScriptCursor(s);
        while (c.next()) assert(c.pc <= s.length && c.dataEnd <= c.pc);
        isPushOnly(s);
        hasValidOps(s);
        isWitnessProgram(s);
        solver(s);
        matchMultisig(s);
        matchMultiA(s);
        getSigOpCount(s, true);
        getSigOpCount(s, false);
        getP2shSigOpCount(s, t);
        countWitnessSigOps(t, s, wit);
        const asm = scriptToAsm(s, { attemptSighashDecode: true });
        assertEquals(asm.endsWith("[error]"), c.pc < s.length);
        scriptToAsm(s);
        // FormatScript is ParseScript's inverse for every byte string.
        assertEquals(bytesToHex(parseScriptAsm(formatScript(s))), bytesToHex(s));
        const r = findAndDelete(s, t);
        assert(r.found >= 0 && r.script.length === s.length - r.found * t.length);
        // Deleting the bytes of one of the script's own operations removes at least that one.
        const own = new ScriptCursor(s);
        if (own.next()) {
          const op = s.slice(own.opStart, own.pc);
          const d = findAndDelete(s, op);
          assert(d.found >= 1 && d.script.length === s.length - d.found * op.length);
        }
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("properties: random asm text gives bytes or a ScriptParseError", () => {
  const word = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom(
      "OP_ADD",
      "ADD",
      "NOP",
      "0x",
      "0x4c",
      "0xab",
      "''",
      "'a'",
      "-",
      "-1",
      "16",
      "17",
      "4294967296",
    ),
    fc.bigInt({ min: -(1n << 40n), max: 1n << 40n }).map(String),
  );
  fc.assert(
    fc.property(fc.array(word, { maxLength: 8 }), fc.constantFrom(" ", "\t", "\n", "  "), (words, sep) => {
      try {
        const bytes = parseScriptAsm(words.join(sep));
        assertEquals(bytesToHex(parseScriptAsm(formatScript(bytes))), bytesToHex(bytes));
      } catch (e) {
        if (!(e instanceof ScriptParseError)) throw e;
        assert(e.message.startsWith("script parse error: "), e.message);
      }
    }),
    { numRuns: RUNS },
  );
});

Deno.test("properties: script numbers round trip; random bytes only raise ScriptNumError", () => {
  fc.assert(
    fc.property(fc.integer({ min: -(2 ** 39) + 1, max: 2 ** 39 - 1 }), (n) => {
      const enc = encodeScriptNum(n);
      assert(enc.length <= 5);
      assertEquals(decodeScriptNum(enc, true, 5), n);
      assertEquals(bytesToHex(encodeScriptNum(BigInt(n))), bytesToHex(enc));
    }),
    { numRuns: RUNS },
  );
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 8 }),
      fc.boolean(),
      fc.integer({ min: 0, max: 6 }),
      (b, minimal, max) => {
        try {
          const v = decodeScriptNum(b, minimal, max);
          if (minimal) assertEquals(bytesToHex(encodeScriptNum(v)), bytesToHex(b));
        } catch (e) {
          if (!(e instanceof ScriptNumError)) throw e;
        }
      },
    ),
    { numRuns: RUNS },
  );
});
