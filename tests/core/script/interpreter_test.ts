import fc from "fast-check";
import { assert, assertEquals } from "../../assert.ts";
import { hash160, sha256 } from "../../../core/hash/hashes.ts";
import { parseScriptAsm } from "../../../core/script/asm.ts";
import type { ScriptExecutionData, SigVersion } from "../../../core/script/checker.ts";
import {
  ALL_SCRIPT_VERIFY_FLAGS,
  parseScriptFlags,
  SCRIPT_VERIFY_CLEANSTACK,
  SCRIPT_VERIFY_P2SH,
  SCRIPT_VERIFY_WITNESS,
  STANDARD_SCRIPT_VERIFY_FLAGS,
} from "../../../core/script/flags.ts";
import {
  castToBool,
  checkSignatureEncoding,
  evalScript,
  isValidSignatureEncoding,
  verifyScript,
} from "../../../core/script/interpreter.ts";
import { pushData } from "../../../core/script/script.ts";
import { SCRIPT_ERRORS, type ScriptError } from "../../../core/script/script_error.ts";
import { TransactionSignatureChecker } from "../../../core/script/tx_checker.ts";
import type { Transaction } from "../../../core/wire/types.ts";
import { FakeChecker, tapleafHash, taprootLeaf } from "./interpreter_helpers.ts";

const asm = parseScriptAsm;
const F = parseScriptFlags;

function hexOf(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

function bytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** Runs `script` from an empty (or given) stack; returns the error and the final stack as hex. */
function run(
  script: string | Uint8Array,
  options: { flags?: string; sigversion?: SigVersion; stack?: Uint8Array[]; checker?: FakeChecker } = {},
): { error: ScriptError | null; stack: string[]; checker: FakeChecker; execdata: ScriptExecutionData } {
  const checker = options.checker ?? new FakeChecker();
  const stack = options.stack ?? [];
  const execdata: ScriptExecutionData = { validationWeightLeft: 1000 };
  const error = evalScript(
    stack,
    typeof script === "string" ? asm(script) : script,
    F(options.flags ?? ""),
    checker,
    options.sigversion ?? "base",
    execdata,
  );
  return { error, stack: stack.map(hexOf), checker, execdata };
}

Deno.test("castToBool: negative zero and padding", () => {
  assertEquals(castToBool(new Uint8Array()), false);
  assertEquals(castToBool(bytes("0000")), false);
  assertEquals(castToBool(bytes("0080")), false);
  assertEquals(castToBool(bytes("80")), false);
  assertEquals(castToBool(bytes("8000")), true);
  assertEquals(castToBool(bytes("0001")), true);
});

Deno.test("arithmetic and stack operations", () => {
  assertEquals(run("2 3 ADD 5 NUMEQUAL").stack, ["01"]);
  assertEquals(run("0x04 0xffffff7f 1ADD").stack, ["0000008000"]); // 2^31-1 + 1 -> 5-byte result
  assertEquals(run("0x05 0x0000008000 1ADD").error, "SCRIPTNUM"); // 5-byte operand
  assertEquals(run("-1 ABS NEGATE").stack, ["81"]);
  assertEquals(run("1 2 3 ROT").stack, ["02", "03", "01"]);
  assertEquals(run("1 2 3 4 5 6 2ROT").stack, ["03", "04", "05", "06", "01", "02"]);
  assertEquals(run("1 2 TUCK").stack, ["02", "01", "02"]);
  assertEquals(run("1 2 3 2 ROLL").stack, ["02", "03", "01"]);
  assertEquals(run("1 2 3 2 PICK").stack, ["01", "02", "03", "01"]);
  assertEquals(run("1 2 3 3 PICK").error, "INVALID_STACK_OPERATION");
  assertEquals(run("5 0 10 WITHIN 10 0 10 WITHIN").stack, ["01", ""]);
  assertEquals(run("'abc' SIZE").stack, ["616263", "03"]);
  assertEquals(run("0 NOT 7 0NOTEQUAL 3 7 MIN 3 7 MAX").stack, ["01", "01", "03", "07"]);
  assertEquals(run("1 TOALTSTACK FROMALTSTACK FROMALTSTACK").error, "INVALID_ALTSTACK_OPERATION");
  assertEquals(run("0x02 0x0100 1ADD", { flags: "MINIMALDATA" }).error, "SCRIPTNUM");
  assertEquals(run("0x02 0x0100 1ADD").stack, ["02"]);
  assertEquals(run("'' SHA256").stack, [hexOf(sha256(new Uint8Array()))]);
  assertEquals(run("'a' HASH160").stack, [hexOf(hash160(new TextEncoder().encode("a")))]);
});

Deno.test("conditionals: nesting, ELSE toggling, unbalanced", () => {
  assertEquals(run("1 IF 2 ELSE 3 ENDIF").stack, ["02"]);
  assertEquals(run("0 IF 2 ELSE 3 ENDIF").stack, ["03"]);
  assertEquals(run("0 IF 2 ELSE 3 ELSE 4 ENDIF").stack, ["03"]); // multiple ELSE toggle again
  assertEquals(run("1 IF 0 IF 2 ELSE 3 ENDIF ENDIF").stack, ["03"]);
  assertEquals(run("0 IF 0 IF 2 ELSE 3 ENDIF ENDIF").stack, []);
  assertEquals(run("1 IF").error, "UNBALANCED_CONDITIONAL");
  assertEquals(run("ELSE").error, "UNBALANCED_CONDITIONAL");
  assertEquals(run("ENDIF").error, "UNBALANCED_CONDITIONAL");
  assertEquals(run("IF 1 ENDIF").error, "INVALID_STACK_OPERATION");
});

Deno.test("disabled opcodes fail even unexecuted; VERIF/VERNOTIF are bad even unexecuted; others only executed", () => {
  for (
    const op of [
      "CAT",
      "SUBSTR",
      "LEFT",
      "RIGHT",
      "INVERT",
      "AND",
      "OR",
      "XOR",
      "2MUL",
      "2DIV",
      "MUL",
      "DIV",
      "MOD",
      "LSHIFT",
      "RSHIFT",
    ]
  ) {
    assertEquals(run(`0 IF ${op} ENDIF 1`).error, "DISABLED_OPCODE", op);
  }
  assertEquals(run("0 IF VERIF ENDIF 1").error, "BAD_OPCODE");
  assertEquals(run("0 IF VERNOTIF ENDIF 1").error, "BAD_OPCODE");
  assertEquals(run("0 IF VER RESERVED RESERVED1 RESERVED2 0xba 0xff ENDIF 1").error, null);
  assertEquals(run("VER").error, "BAD_OPCODE");
  assertEquals(run("RESERVED").error, "BAD_OPCODE");
  assertEquals(run("0xff").error, "BAD_OPCODE");
  assertEquals(run("1 RETURN").error, "OP_RETURN");
  assertEquals(run("0 IF RETURN ENDIF 1").error, null);
});

Deno.test("limits: push size, op count, stack size, script size; truncated pushes", () => {
  assertEquals(run(new Uint8Array([0x4d, 0x09, 0x02, ...new Uint8Array(521)])).error, "PUSH_SIZE");
  assertEquals(run(new Uint8Array([0x4d, 0x08, 0x02, ...new Uint8Array(520)])).error, null);
  // Push size is checked even in an unexecuted branch.
  assertEquals(
    run(new Uint8Array([0x00, 0x63, 0x4d, 0x09, 0x02, ...new Uint8Array(521), 0x68])).error,
    "PUSH_SIZE",
  );
  assertEquals(run(new Uint8Array([0x4c])).error, "BAD_OPCODE");
  assertEquals(run(new Uint8Array([0x02, 0x01])).error, "BAD_OPCODE");
  assertEquals(run(new Uint8Array([0x4e, 0xff, 0xff, 0xff, 0xff])).error, "BAD_OPCODE");
  assertEquals(run("1 " + "NOP ".repeat(201)).error, null);
  assertEquals(run("1 " + "NOP ".repeat(202)).error, "OP_COUNT");
  assertEquals(run("1 " + "NOP ".repeat(202), { sigversion: "tapscript" }).error, null);
  // Pushes do not count, OP_RESERVED does not count.
  assertEquals(run("1 ".repeat(300) + "0 IF RESERVED ENDIF " + "NOP ".repeat(199)).error, null);
  assertEquals(run("1 ".repeat(1000)).error, null);
  assertEquals(run("1 ".repeat(1001)).error, "STACK_SIZE");
  assertEquals(run("1 ".repeat(500) + "TOALTSTACK ".repeat(100) + "1 ".repeat(501)).error, "STACK_SIZE");
  assertEquals(run(new Uint8Array(10001).fill(0x61)).error, "SCRIPT_SIZE");
  assertEquals(run(new Uint8Array(10000).fill(0x61)).error, "OP_COUNT");
  assertEquals(run(new Uint8Array(10001).fill(0x61), { sigversion: "tapscript" }).error, null);
  assertEquals(run("1", { sigversion: "taproot" }).error, "UNKNOWN_ERROR");
});

Deno.test("MINIMALDATA pushes", () => {
  assertEquals(run("0x01 0x05", { flags: "MINIMALDATA" }).error, "MINIMALDATA");
  assertEquals(run("0x01 0x81", { flags: "MINIMALDATA" }).error, "MINIMALDATA");
  assertEquals(run("0x4c 0x00", { flags: "MINIMALDATA" }).error, "MINIMALDATA");
  assertEquals(run("0x4c 0x01 0x20", { flags: "MINIMALDATA" }).error, "MINIMALDATA");
  assertEquals(run("0x01 0x20", { flags: "MINIMALDATA" }).error, null);
  // Unexecuted non-minimal pushes are fine.
  assertEquals(run("0 IF 0x01 0x05 ENDIF", { flags: "MINIMALDATA" }).error, null);
});

Deno.test("MINIMALIF: witness v0 under the flag, always in tapscript, never in base", () => {
  const two = () => ({ stack: [bytes("02")] });
  assertEquals(run("IF 1 ENDIF", { ...two(), flags: "MINIMALIF" }).error, null);
  assertEquals(run("IF 1 ENDIF", { ...two(), sigversion: "witness_v0" }).error, null);
  assertEquals(
    run("IF 1 ENDIF", { ...two(), sigversion: "witness_v0", flags: "MINIMALIF" }).error,
    "MINIMALIF",
  );
  assertEquals(run("IF 1 ENDIF", { ...two(), sigversion: "tapscript" }).error, "TAPSCRIPT_MINIMALIF");
  assertEquals(
    run("NOTIF 1 ENDIF", { stack: [bytes("0100")], sigversion: "tapscript" }).error,
    "TAPSCRIPT_MINIMALIF",
  );
  assertEquals(run("IF 1 ENDIF", { stack: [bytes("01")], sigversion: "tapscript" }).stack, ["01"]);
});

Deno.test("NOPs, DISCOURAGE_UPGRADABLE_NOPS, CLTV and CSV through the checker", () => {
  assertEquals(run("1 NOP1 NOP4 NOP10").error, null);
  assertEquals(run("1 NOP1", { flags: "DISCOURAGE_UPGRADABLE_NOPS" }).error, "DISCOURAGE_UPGRADABLE_NOPS");
  assertEquals(run("0 IF NOP1 ENDIF 1", { flags: "DISCOURAGE_UPGRADABLE_NOPS" }).error, null);
  // Without their flags CLTV/CSV are NOPs, and not "discouraged".
  assertEquals(
    run("CHECKLOCKTIMEVERIFY CHECKSEQUENCEVERIFY 1", { flags: "DISCOURAGE_UPGRADABLE_NOPS" }).error,
    null,
  );
  const cltv = run("0x05 0xffffffff00 CHECKLOCKTIMEVERIFY", { flags: "CHECKLOCKTIMEVERIFY" });
  assertEquals(cltv.error, "UNSATISFIED_LOCKTIME");
  assertEquals(cltv.checker.calls, [{ kind: "locktime", value: 0xffffffffn }]);
  assertEquals(run("500 CHECKLOCKTIMEVERIFY", { flags: "CHECKLOCKTIMEVERIFY" }).stack, ["f401"]);
  assertEquals(run("-1 CHECKLOCKTIMEVERIFY", { flags: "CHECKLOCKTIMEVERIFY" }).error, "NEGATIVE_LOCKTIME");
  assertEquals(run("CHECKLOCKTIMEVERIFY", { flags: "CHECKLOCKTIMEVERIFY" }).error, "INVALID_STACK_OPERATION");
  assertEquals(
    run("0x06 0x000000000000 CHECKLOCKTIMEVERIFY", { flags: "CHECKLOCKTIMEVERIFY" }).error,
    "SCRIPTNUM",
  );
  // CSV with the disable bit (1 << 31) is a NOP; the checker is not asked.
  const disabled = run("0x05 0x0000008000 CHECKSEQUENCEVERIFY", { flags: "CHECKSEQUENCEVERIFY" });
  assertEquals([disabled.error, disabled.checker.calls.length], [null, 0]);
  const csv = run("2000 CHECKSEQUENCEVERIFY", { flags: "CHECKSEQUENCEVERIFY" });
  assertEquals([csv.error, csv.checker.calls], ["UNSATISFIED_LOCKTIME", [{
    kind: "sequence",
    value: 2000n,
  }]]);
  assertEquals(run("-1 CHECKSEQUENCEVERIFY", { flags: "CHECKSEQUENCEVERIFY" }).error, "NEGATIVE_LOCKTIME");
});

Deno.test("CHECKSIG: script code from the last executed OP_CODESEPARATOR, FindAndDelete in base only", () => {
  const sig = bytes("01aa");
  const pub = bytes("02" + "11".repeat(32));
  const script = asm(`NOP CODESEPARATOR 0x02 0x01aa DROP 0x21 0x${hexOf(pub)} CHECKSIG`);
  const base = run(script, { stack: [sig] });
  assertEquals(base.stack, ["01"]);
  const call = base.checker.calls[0];
  assert(call.kind === "ecdsa");
  // The push of the signature is deleted from the script code after the separator.
  assertEquals(hexOf(call.scriptCode), "75" + "21" + hexOf(pub) + "ac");
  const v0 = run(script, { stack: [sig], sigversion: "witness_v0" });
  const call0 = v0.checker.calls[0];
  assert(call0.kind === "ecdsa");
  assertEquals(hexOf(call0.scriptCode), "0201aa75" + "21" + hexOf(pub) + "ac");
  assertEquals(run(script, { stack: [sig], flags: "CONST_SCRIPTCODE" }).error, "OP_CODESEPARATOR");
  assertEquals(
    run(asm(`0 IF CODESEPARATOR ENDIF 1`), { flags: "CONST_SCRIPTCODE" }).error,
    "OP_CODESEPARATOR",
  );
  const fad = asm(`0x02 0x01aa DROP 0x21 0x${hexOf(pub)} CHECKSIG`);
  assertEquals(run(fad, { stack: [sig], flags: "CONST_SCRIPTCODE" }).error, "SIG_FINDANDDELETE");
  assertEquals(run(fad, { stack: [sig], flags: "CONST_SCRIPTCODE", sigversion: "witness_v0" }).error, null);
  // An empty signature deletes OP_0 (its push is the byte 0x00).
  assertEquals(
    run(asm(`0 DROP 0x21 0x${hexOf(pub)} CHECKSIG`), { stack: [new Uint8Array()], flags: "CONST_SCRIPTCODE" })
      .error,
    "SIG_FINDANDDELETE",
  );
  // Tapscript records the opcode position of the last executed OP_CODESEPARATOR.
  const tap = run("1 CODESEPARATOR 0 IF CODESEPARATOR ENDIF", { sigversion: "tapscript" });
  assertEquals(tap.execdata.codeseparatorPos, 1);
  assertEquals(run("1", { sigversion: "tapscript" }).execdata.codeseparatorPos, 0xffffffff);
});

Deno.test("CHECKSIG: encoding rules, NULLFAIL, CHECKSIGVERIFY", () => {
  const pub = bytes("02" + "11".repeat(32));
  const push = (b: Uint8Array) => hexOf(pushData(b));
  const script = (sig: Uint8Array, key = pub) => bytes(push(sig) + push(key) + "ac");
  assertEquals(run(script(bytes("02"))).stack, [""]);
  assertEquals(run(script(bytes("02")), { flags: "NULLFAIL" }).error, "NULLFAIL");
  assertEquals(run(script(new Uint8Array()), { flags: "NULLFAIL" }).stack, [""]);
  assertEquals(run(script(bytes("02")), { flags: "DERSIG" }).error, "SIG_DER");
  assertEquals(run(script(new Uint8Array(), bytes("05")), { flags: "STRICTENC" }).error, "PUBKEYTYPE");
  const uncompressed = bytes("04" + "11".repeat(64));
  assertEquals(run(script(new Uint8Array(), uncompressed), { flags: "STRICTENC" }).error, null);
  assertEquals(
    run(script(new Uint8Array(), uncompressed), { flags: "WITNESS_PUBKEYTYPE", sigversion: "witness_v0" })
      .error,
    "WITNESS_PUBKEYTYPE",
  );
  assertEquals(run(bytes(push(bytes("02")) + push(pub) + "ad")).error, "CHECKSIGVERIFY");
  assertEquals(run(bytes(push(bytes("01")) + push(pub) + "ad")).stack, []);
});

Deno.test("signature encoding: strict DER, low S, hash types", () => {
  const r = "01";
  const der = (s: string, ht = "01") =>
    bytes(
      `30${(4 + r.length / 2 + s.length / 2).toString(16).padStart(2, "0")}02${
        (r.length / 2).toString(16).padStart(2, "0")
      }${r}02${(s.length / 2).toString(16).padStart(2, "0")}${s}${ht}`,
    );
  assert(isValidSignatureEncoding(der("01")));
  assert(!isValidSignatureEncoding(der("0001"))); // padded S
  assert(!isValidSignatureEncoding(der("81"))); // negative S
  const half = "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0";
  const halfPlus1 = "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a1";
  const order = "00fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
  assertEquals(checkSignatureEncoding(der(half), F("LOW_S")), null);
  assertEquals(checkSignatureEncoding(der(halfPlus1), F("LOW_S")), "SIG_HIGH_S");
  // S ≥ n overflows in Core's lax parser: the signature becomes all zero, which counts as low S.
  assertEquals(checkSignatureEncoding(der(order), F("LOW_S")), null);
  assertEquals(checkSignatureEncoding(der("01", "04"), F("STRICTENC")), "SIG_HASHTYPE");
  assertEquals(checkSignatureEncoding(der("01", "81"), F("STRICTENC")), null);
  assertEquals(checkSignatureEncoding(der("01", "84"), F("STRICTENC")), "SIG_HASHTYPE");
  assertEquals(checkSignatureEncoding(der("01", "04"), F("DERSIG")), null);
  assertEquals(checkSignatureEncoding(new Uint8Array(), ALL_SCRIPT_VERIFY_FLAGS), null);
});

Deno.test("CHECKMULTISIG: order, counts, NULLDUMMY, NULLFAIL, op count", () => {
  const k = (i: number) => "21" + "02" + i.toString(16).padStart(2, "0").repeat(32);
  const good = "0201aa";
  const bad = "0202bb";
  const ms = (dummy: string, sigs: string[], n: number) =>
    bytes(
      dummy + sigs.join("") + (0x50 + sigs.length).toString(16) +
        Array.from({ length: n }, (_, i) => k(i + 1)).join("") + (0x50 + n).toString(16) + "ae",
    );
  const ok = run(ms("00", [good, good], 3));
  assertEquals(ok.stack, ["01"]);
  assertEquals(ok.checker.calls.length, 2);
  // 2-of-3 with the first signature failing against every key.
  const fail = run(ms("00", [bad, good], 3));
  assertEquals(fail.stack, [""]);
  assertEquals(run(ms("00", [bad, good], 3), { flags: "NULLFAIL" }).error, "NULLFAIL");
  assertEquals(run(ms("00", ["00", "00"], 3), { flags: "NULLFAIL" }).stack, [""]);
  assertEquals(run(ms("51", [good], 1), { flags: "NULLDUMMY" }).error, "SIG_NULLDUMMY");
  assertEquals(run(ms("51", [good], 1)).stack, ["01"]);
  assertEquals(run(bytes("00" + "00" + "0115" + "ae")).error, "PUBKEY_COUNT"); // 21 keys
  assertEquals(run(bytes("00" + "52" + k(1) + "51" + "ae")).error, "SIG_COUNT");
  assertEquals(run(bytes("ae")).error, "INVALID_STACK_OPERATION");
  // Key counts add to the op count: 10 x CHECKMULTISIG with 20 keys exceed 201.
  let s = "";
  for (let i = 0; i < 10; i++) s += "0 0 " + "0 ".repeat(20) + "20 CHECKMULTISIG DROP ";
  assertEquals(run(s + "1").error, "OP_COUNT");
  assertEquals(run("0 0 0 CHECKMULTISIG", { sigversion: "tapscript" }).error, "TAPSCRIPT_CHECKMULTISIG");
  assertEquals(run("0 0 0 CHECKMULTISIGVERIFY 1").stack, ["01"]); // 0-of-0 succeeds
  assertEquals(run(bytes("00" + "52" + "51" + k(1) + "51" + "af" + "51")).error, "CHECKMULTISIGVERIFY");
});

Deno.test("tapscript CHECKSIG/CHECKSIGADD: weight budget, empty and unknown pubkeys", () => {
  const sig = "0x40 0x01" + "00".repeat(63);
  const key = "0x20 0x" + "22".repeat(32);
  assertEquals(run(`${sig} ${key} CHECKSIG`, { sigversion: "tapscript" }).stack, ["01"]);
  assertEquals(run(`0 ${key} CHECKSIG`, { sigversion: "tapscript" }).stack, [""]);
  assertEquals(
    run(`0x40 0x02${"00".repeat(63)} ${key} CHECKSIG`, { sigversion: "tapscript" }).error,
    "SCHNORR_SIG",
  );
  assertEquals(run(`${sig} 0 CHECKSIG`, { sigversion: "tapscript" }).error, "TAPSCRIPT_EMPTY_PUBKEY");
  assertEquals(run(`${sig} 0x01 0x05 CHECKSIG`, { sigversion: "tapscript" }).stack, ["01"]);
  assertEquals(
    run(`${sig} 0x01 0x05 CHECKSIG`, { sigversion: "tapscript", flags: "DISCOURAGE_UPGRADABLE_PUBKEYTYPE" })
      .error,
    "DISCOURAGE_UPGRADABLE_PUBKEYTYPE",
  );
  assertEquals(run(`${sig} 5 ${key} 0xba 0 4 ${key} 0xba`, { sigversion: "tapscript" }).stack, [
    "06",
    "04",
  ]);
  assertEquals(run(`${sig} 5 ${key} 0xba`).error, "BAD_OPCODE");
  assertEquals(run(`${sig} 5 ${key} 0xba`, { sigversion: "witness_v0" }).error, "BAD_OPCODE");
  // 1000 weight: 20 passing checks use it all, the 21st fails.
  const checks = `${sig} ${key} CHECKSIGVERIFY `;
  assertEquals(run(checks.repeat(20) + "1", { sigversion: "tapscript" }).error, null);
  assertEquals(
    run(checks.repeat(21) + "1", { sigversion: "tapscript" }).error,
    "TAPSCRIPT_VALIDATION_WEIGHT",
  );
});

// ---------------------------------------------------------------------------------------------------------------
// verifyScript

const STD = STANDARD_SCRIPT_VERIFY_FLAGS;

Deno.test("verifyScript: P2SH, push-only, CLEANSTACK, SIGPUSHONLY", () => {
  const c = new FakeChecker();
  const redeem = asm("2 EQUAL");
  const p2sh = bytes("a914" + hexOf(hash160(redeem)) + "87");
  assertEquals(verifyScript(bytes("52" + hexOf(pushData(redeem))), p2sh, [], STD, c), null);
  assertEquals(verifyScript(bytes("53" + hexOf(pushData(redeem))), p2sh, [], STD, c), "EVAL_FALSE");
  // Without P2SH only the hash is compared.
  assertEquals(verifyScript(bytes("53" + hexOf(pushData(redeem))), p2sh, [], 0, c), null);
  // Non-push scriptSig: P2SH requires push-only.
  assertEquals(verifyScript(bytes("5261" + hexOf(pushData(redeem))), p2sh, [], F("P2SH"), c), "SIG_PUSHONLY");
  assertEquals(verifyScript(bytes("5261" + hexOf(pushData(redeem))), p2sh, [], 0, c), null);
  assertEquals(verifyScript(asm("1 NOP"), asm("1"), [], F("SIGPUSHONLY"), c), "SIG_PUSHONLY");
  assertEquals(verifyScript(asm("1 1"), asm("1"), [], STD, c), "CLEANSTACK");
  assertEquals(verifyScript(asm("1 1"), asm("1"), [], STD & ~SCRIPT_VERIFY_CLEANSTACK, c), null);
  assertEquals(verifyScript(asm("0"), asm("1"), [bytes("00")], STD, c), "CLEANSTACK");
  assertEquals(verifyScript(asm(""), asm("1"), [bytes("00")], STD, c), "WITNESS_UNEXPECTED");
  assertEquals(verifyScript(asm(""), asm("0"), [], STD, c), "EVAL_FALSE");
  assertEquals(verifyScript(asm(""), asm(""), [], STD, c), "EVAL_FALSE");
});

/** A P2WPKH spend checked both through verifyScript's fast path and through the general interpreter. */
function p2wpkhBothWays(
  sig: Uint8Array,
  pub: Uint8Array,
  program: Uint8Array,
  flags: number,
): [ScriptError | null, ScriptError | null] {
  const spk = bytes("0014" + hexOf(program));
  const viaVerify = verifyScript(new Uint8Array(), spk, [sig, pub], flags, new FakeChecker());
  const stack = [sig, pub];
  const script = bytes("76a914" + hexOf(program) + "88ac");
  let viaEval: ScriptError | null = null;
  if (sig.length > 520 || pub.length > 520) viaEval = "PUSH_SIZE";
  else {
    viaEval = evalScript(stack, script, flags, new FakeChecker(), "witness_v0");
    if (viaEval === null && stack.length !== 1) viaEval = "CLEANSTACK";
    if (viaEval === null && !castToBool(stack[0])) viaEval = "EVAL_FALSE";
  }
  return [viaVerify, viaEval];
}

Deno.test("verifyScript: P2WPKH fast path matches the interpreter", () => {
  const pub = bytes("02" + "33".repeat(32));
  const program = hash160(pub);
  for (
    const [sig, flags] of [
      [bytes("01"), STD],
      [bytes("02"), STD],
      [bytes("02"), STD & ~parseScriptFlags("NULLFAIL")],
      [new Uint8Array(), STD],
      [bytes("0102"), STD | parseScriptFlags("DERSIG")],
    ] as [Uint8Array, number][]
  ) {
    const [a, b] = p2wpkhBothWays(sig, pub, program, flags);
    assertEquals(a, b);
  }
  assertEquals(p2wpkhBothWays(bytes("01"), pub, new Uint8Array(20), STD)[0], "EVAL_FALSE"); // zero program
  assertEquals(p2wpkhBothWays(bytes("01"), pub, program.map((x) => x ^ 1), STD), [
    "EQUALVERIFY",
    "EQUALVERIFY",
  ]);
  const big = new Uint8Array(521);
  assertEquals(p2wpkhBothWays(big, pub, program, STD), ["PUSH_SIZE", "PUSH_SIZE"]);
  const unc = bytes("04" + "33".repeat(64));
  assertEquals(p2wpkhBothWays(new Uint8Array(), unc, hash160(unc), STD), [
    "WITNESS_PUBKEYTYPE",
    "WITNESS_PUBKEYTYPE",
  ]);
  assertEquals(p2wpkhBothWays(bytes("01"), unc, hash160(unc), STD), ["SIG_DER", "SIG_DER"]);
  const c = new FakeChecker();
  const spk = bytes("0014" + hexOf(program));
  assertEquals(verifyScript(new Uint8Array(), spk, [bytes("01")], STD, c), "WITNESS_PROGRAM_MISMATCH");
  assertEquals(verifyScript(asm("0"), spk, [bytes("01"), pub], STD, c), "WITNESS_MALLEATED");
  assertEquals(verifyScript(new Uint8Array(), spk, [bytes("01"), pub], STD, c), "SIG_DER");
  assertEquals(verifyScript(new Uint8Array(), spk, [bytes("01"), pub], F("P2SH,WITNESS"), c), null);
  const call = c.calls.at(-1)!;
  assert(call.kind === "ecdsa" && call.sigversion === "witness_v0");
  assertEquals(hexOf(call.scriptCode), "76a914" + hexOf(program) + "88ac");
  // Without WITNESS, the program is just a true stack top and the witness is ignored.
  assertEquals(verifyScript(new Uint8Array(), spk, [bytes("02")], F("P2SH"), c), null);
});

Deno.test("verifyScript: P2WSH, P2SH-P2WSH, wrong lengths, unknown versions, anchors", () => {
  const c = new FakeChecker();
  const ws = asm("2 EQUAL");
  const spk = bytes("0020" + hexOf(sha256(ws)));
  assertEquals(verifyScript(new Uint8Array(), spk, [bytes("02"), ws], STD, c), null);
  assertEquals(verifyScript(new Uint8Array(), spk, [bytes("03"), ws], STD, c), "EVAL_FALSE");
  assertEquals(verifyScript(new Uint8Array(), spk, [bytes("02"), bytes("02"), ws], STD, c), "CLEANSTACK");
  assertEquals(verifyScript(new Uint8Array(), spk, [], STD, c), "WITNESS_PROGRAM_WITNESS_EMPTY");
  assertEquals(
    verifyScript(new Uint8Array(), spk, [bytes("02"), asm("3 EQUAL")], STD, c),
    "WITNESS_PROGRAM_MISMATCH",
  );
  // Witness stack items above 520 bytes fail.
  const dropOne = asm("DROP 1");
  const spkDrop = bytes("0020" + hexOf(sha256(dropOne)));
  assertEquals(verifyScript(new Uint8Array(), spkDrop, [new Uint8Array(521), dropOne], STD, c), "PUSH_SIZE");
  assertEquals(verifyScript(new Uint8Array(), spkDrop, [new Uint8Array(520), dropOne], STD, c), null);
  // P2SH-wrapped.
  const p2sh = bytes("a914" + hexOf(hash160(spk)) + "87");
  assertEquals(verifyScript(pushData(spk), p2sh, [bytes("02"), ws], STD, c), null);
  assertEquals(
    verifyScript(bytes("00" + hexOf(pushData(spk))), p2sh, [bytes("02"), ws], STD, c),
    "WITNESS_MALLEATED_P2SH",
  );
  assertEquals(
    verifyScript(bytes("4c22" + hexOf(spk)), p2sh, [bytes("02"), ws], F("P2SH,WITNESS"), c),
    "WITNESS_MALLEATED_P2SH",
  );
  assertEquals(
    verifyScript(new Uint8Array(), bytes("0015" + "11".repeat(21)), [], STD, c),
    "WITNESS_PROGRAM_WRONG_LENGTH",
  );
  // Unknown versions and sizes.
  const v2 = bytes("5202aabb");
  assertEquals(
    verifyScript(
      new Uint8Array(),
      v2,
      [bytes("01")],
      STD & ~parseScriptFlags("DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM"),
      c,
    ),
    null,
  );
  assertEquals(verifyScript(new Uint8Array(), v2, [], STD, c), "DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM");
  // Pay-to-anchor is exempt (bare only), P2SH-wrapped anchor is not.
  const anchor = bytes("51024e73");
  assertEquals(verifyScript(new Uint8Array(), anchor, [], STD, c), null);
  const p2shAnchor = bytes("a914" + hexOf(hash160(anchor)) + "87");
  assertEquals(
    verifyScript(pushData(anchor), p2shAnchor, [], STD, c),
    "DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM",
  );
  // A v1 32-byte program wrapped in P2SH is not taproot.
  const v1 = bytes("5120" + "44".repeat(32));
  assertEquals(
    verifyScript(pushData(v1), bytes("a914" + hexOf(hash160(v1)) + "87"), [], STD, c),
    "DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM",
  );
});

Deno.test("verifyScript: taproot key path with and without annex", () => {
  const c = new FakeChecker();
  const spk = bytes("5120" + "44".repeat(32));
  const sig = bytes("01" + "00".repeat(63));
  assertEquals(verifyScript(new Uint8Array(), spk, [sig], STD, c), null);
  let call = c.calls.at(-1)!;
  assert(call.kind === "schnorr" && call.sigversion === "taproot");
  assertEquals(hexOf(call.pubkey), "44".repeat(32));
  assertEquals(call.execdata.annex, null);
  assertEquals(verifyScript(new Uint8Array(), spk, [sig, bytes("50aa")], STD, c), null);
  call = c.calls.at(-1)!;
  assert(call.kind === "schnorr");
  assertEquals(hexOf(call.execdata.annex!), "50aa");
  assertEquals(verifyScript(new Uint8Array(), spk, [bytes("02" + "00".repeat(63))], STD, c), "SCHNORR_SIG");
  assertEquals(verifyScript(new Uint8Array(), spk, [], STD, c), "WITNESS_PROGRAM_WITNESS_EMPTY");
  // A single item that looks like an annex is the signature.
  assertEquals(verifyScript(new Uint8Array(), spk, [bytes("50")], STD, c), "SCHNORR_SIG_SIZE");
  // Without TAPROOT anything goes.
  assertEquals(verifyScript(new Uint8Array(), spk, [], F("P2SH,WITNESS"), c), null);
});

Deno.test("verifyScript: taproot script path (tapscript, control blocks, OP_SUCCESS, leaf versions, weight)", () => {
  const c = new FakeChecker();
  const script = asm("2 EQUAL");
  const leaf = taprootLeaf(script);
  const spk = bytes("5120" + hexOf(leaf.output));
  assertEquals(verifyScript(new Uint8Array(), spk, [bytes("02"), script, leaf.control], STD, c), null);
  assertEquals(
    verifyScript(new Uint8Array(), spk, [bytes("03"), script, leaf.control], STD, c),
    "EVAL_FALSE",
  );
  assertEquals(
    verifyScript(new Uint8Array(), spk, [bytes("02"), script, leaf.control, bytes("50")], STD, c),
    null,
  );
  assertEquals(
    verifyScript(new Uint8Array(), spk, [bytes("02"), bytes("02"), script, leaf.control], STD, c),
    "CLEANSTACK",
  );
  assertEquals(
    verifyScript(new Uint8Array(), spk, [bytes("02"), asm("3 EQUAL"), leaf.control], STD, c),
    "WITNESS_PROGRAM_MISMATCH",
  );
  const wrongParity = leaf.control.slice();
  wrongParity[0] ^= 1;
  assertEquals(
    verifyScript(new Uint8Array(), spk, [bytes("02"), script, wrongParity], STD, c),
    "WITNESS_PROGRAM_MISMATCH",
  );
  assertEquals(
    verifyScript(new Uint8Array(), spk, [bytes("02"), script, leaf.control.subarray(0, 32)], STD, c),
    "TAPROOT_WRONG_CONTROL_SIZE",
  );
  assertEquals(
    verifyScript(new Uint8Array(), spk, [bytes("02"), script, new Uint8Array(34)], STD, c),
    "TAPROOT_WRONG_CONTROL_SIZE",
  );
  assertEquals(
    verifyScript(new Uint8Array(), spk, [bytes("02"), script, new Uint8Array(33 + 32 * 129)], STD, c),
    "TAPROOT_WRONG_CONTROL_SIZE",
  );
  // A deep path (128 nodes).
  const path = Array.from({ length: 128 }, (_, i) => sha256(Uint8Array.of(i)));
  const deep = taprootLeaf(script, { path });
  assertEquals(
    verifyScript(
      new Uint8Array(),
      bytes("5120" + hexOf(deep.output)),
      [bytes("02"), script, deep.control],
      STD,
      c,
    ),
    null,
  );
  // Leaf version 0xc2: unknown, succeeds unless discouraged.
  const other = taprootLeaf(asm("RETURN"), { leafVersion: 0xc2 });
  const otherSpk = bytes("5120" + hexOf(other.output));
  assertEquals(
    verifyScript(new Uint8Array(), otherSpk, [asm("RETURN"), other.control], STD, c),
    "DISCOURAGE_UPGRADABLE_TAPROOT_VERSION",
  );
  assertEquals(
    verifyScript(new Uint8Array(), otherSpk, [asm("RETURN"), other.control], F("P2SH,WITNESS,TAPROOT"), c),
    null,
  );
  // OP_SUCCESSx: succeeds at once (before anything else, even a later truncated push), unless discouraged.
  const success = bytes("6a50" + "4c");
  const s = taprootLeaf(success);
  const sSpk = bytes("5120" + hexOf(s.output));
  assertEquals(
    verifyScript(new Uint8Array(), sSpk, [success, s.control], F("P2SH,WITNESS,TAPROOT"), c),
    null,
  );
  assertEquals(verifyScript(new Uint8Array(), sSpk, [success, s.control], STD, c), "DISCOURAGE_OP_SUCCESS");
  const truncated = bytes("4c" + "50");
  const t = taprootLeaf(truncated);
  assertEquals(
    verifyScript(
      new Uint8Array(),
      bytes("5120" + hexOf(t.output)),
      [truncated, t.control],
      F("P2SH,WITNESS,TAPROOT"),
      c,
    ),
    "BAD_OPCODE",
  );
  // Tapscript has no 201 op limit and no 10,000 byte limit, but keeps the 1000 initial stack limit.
  const longScript = new Uint8Array(10010).fill(0x61);
  longScript[longScript.length - 1] = 0x51;
  const l = taprootLeaf(longScript);
  assertEquals(
    verifyScript(new Uint8Array(), bytes("5120" + hexOf(l.output)), [longScript, l.control], STD, c),
    null,
  );
  const drops = asm("DROP ".repeat(999) + "DROP 1");
  const d = taprootLeaf(drops);
  const items = Array.from({ length: 1000 }, () => new Uint8Array());
  assertEquals(
    verifyScript(new Uint8Array(), bytes("5120" + hexOf(d.output)), [...items, drops, d.control], STD, c),
    null,
  );
  assertEquals(
    verifyScript(
      new Uint8Array(),
      bytes("5120" + hexOf(d.output)),
      [new Uint8Array(), ...items, drops, d.control],
      STD,
      c,
    ),
    "STACK_SIZE",
  );
  // Validation weight: budget = witness size + 50; each passing signature costs 50.
  const sig = bytes("01" + "00".repeat(63));
  const key = "0x20 0x" + "22".repeat(32);
  const multi = asm(`${key} CHECKSIGVERIFY `.repeat(3) + "1");
  const m = taprootLeaf(multi);
  const mSpk = bytes("5120" + hexOf(m.output));
  assertEquals(verifyScript(new Uint8Array(), mSpk, [sig, sig, sig, multi, m.control], STD, c), null);
  const tapCalls = c.calls.filter((x) => x.kind === "schnorr" && x.sigversion === "tapscript");
  const first = tapCalls.at(-3)!;
  assert(first.kind === "schnorr");
  // witness: count(1) + 3*(1+64) + (1+multi) + (1+33); minus 50 for this check, plus the 50 offset.
  assertEquals(first.execdata.validationWeightLeft, 1 + 3 * 65 + 1 + multi.length + 1 + 33);
  assertEquals(hexOf(first.execdata.tapleafHash!), hexOf(tapleafHash(0xc0, multi)));
  const heavy = asm(`DUP ${key} CHECKSIGVERIFY `.repeat(11) + "DROP 1");
  const h = taprootLeaf(heavy);
  const small = bytes("01" + "00".repeat(63));
  assertEquals(
    verifyScript(
      new Uint8Array(),
      bytes("5120" + hexOf(h.output)),
      [small, heavy, h.control],
      STD,
      c,
    ),
    "TAPSCRIPT_VALIDATION_WEIGHT",
  );
});

/** A real transaction checker on a one-input transaction (exercises sighash and secp paths with random data). */
function realChecker(spk: Uint8Array): TransactionSignatureChecker {
  const tx: Transaction = {
    version: 2,
    locktime: 100,
    inputs: [{
      prevout: { txid: new Uint8Array(32).fill(1), vout: 0 },
      scriptSig: new Uint8Array(),
      sequence: 5,
      witness: [],
    }],
    outputs: [{ value: 1000n, scriptPubKey: Uint8Array.of(0x51) }],
  };
  return new TransactionSignatureChecker({
    tx,
    inputIndex: 0,
    amount: 2000n,
    spentOutputs: [{ value: 2000n, scriptPubKey: spk }],
  });
}

/** Checks a result: a known error or success, and never UNKNOWN_ERROR (which only an internal exception gives). */
function wellFormed(r: ScriptError | null): boolean {
  return r === null || (SCRIPT_ERRORS.includes(r) && r !== "UNKNOWN_ERROR");
}

Deno.test("property: random scripts, witnesses and flags never make the interpreter throw or hit an internal error", () => {
  const sigversions: SigVersion[] = ["base", "witness_v0", "tapscript"];
  // Scripts biased towards real opcodes and short pushes.
  const op = fc.oneof(
    fc.integer({ min: 0, max: 255 }),
    fc.constantFrom(
      0x00,
      0x51,
      0x52,
      0x4f,
      0x63,
      0x64,
      0x67,
      0x68,
      0x76,
      0x7a,
      0x79,
      0x6b,
      0x6c,
      0xac,
      0xae,
      0xba,
      0xab,
    ),
  );
  const script = fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.array(op, { maxLength: 120 }).map((a) => Uint8Array.from(a)),
  );
  const item = fc.oneof(
    fc.uint8Array({ maxLength: 80 }),
    fc.constantFrom(new Uint8Array(), Uint8Array.of(1), Uint8Array.of(0x81), Uint8Array.of(0x50, 1)),
  );
  fc.assert(
    fc.property(
      script,
      script,
      fc.array(item, { maxLength: 6 }),
      fc.integer({ min: 0, max: ALL_SCRIPT_VERIFY_FLAGS }),
      fc.constantFrom(...sigversions),
      fc.boolean(),
      (sig, spk, witness, rawFlags, sv, real) => {
        let flags = rawFlags;
        if (flags & SCRIPT_VERIFY_CLEANSTACK) flags |= SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS;
        if (flags & SCRIPT_VERIFY_WITNESS) flags |= SCRIPT_VERIFY_P2SH;
        const checker = real ? realChecker(spk) : new FakeChecker();
        assert(wellFormed(verifyScript(sig, spk, witness, flags, checker)));
        assert(wellFormed(evalScript([...witness], spk, flags, checker, sv, { validationWeightLeft: 500 })));
        // Witness programs with random witnesses exercise the segwit and taproot paths.
        const wp = Uint8Array.of(spk.length % 2 === 0 ? 0x00 : 0x51, 32, ...sha256(sig));
        const wc = real ? realChecker(wp) : new FakeChecker();
        assert(wellFormed(verifyScript(new Uint8Array(), wp, [...witness, sig, spk], flags, wc)));
        // Real taproot script path: a random leaf script under a valid control block.
        const leaf = taprootLeaf(spk);
        const tr = Uint8Array.of(0x51, 32, ...leaf.output);
        const tc = real ? realChecker(tr) : new FakeChecker();
        assert(wellFormed(verifyScript(new Uint8Array(), tr, [...witness, spk, leaf.control], flags, tc)));
      },
    ),
    { numRuns: 2000 },
  );
});

Deno.test("property: the P2WPKH fast path gives the interpreter's result", () => {
  const key = fc.oneof(
    fc.uint8Array({ minLength: 33, maxLength: 33 }).map((b) => Uint8Array.of(2, ...b.subarray(1))),
    fc.uint8Array({ maxLength: 70 }),
    fc.uint8Array({ minLength: 519, maxLength: 522 }),
  );
  const sig = fc.oneof(
    fc.uint8Array({ maxLength: 75 }),
    fc.constantFrom(new Uint8Array(), Uint8Array.of(1), Uint8Array.of(2)),
    fc.uint8Array({ minLength: 519, maxLength: 522 }),
  );
  fc.assert(
    fc.property(
      sig,
      key,
      fc.integer({ min: 0, max: ALL_SCRIPT_VERIFY_FLAGS }),
      fc.boolean(),
      (s, k, raw, match) => {
        const flags = raw | SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS;
        const program = match ? hash160(k) : sha256(k).subarray(0, 20);
        const [a, b] = p2wpkhBothWays(s, k, program, flags);
        assertEquals(a, b);
      },
    ),
    { numRuns: 2000 },
  );
});
