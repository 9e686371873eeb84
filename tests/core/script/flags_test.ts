import { assert, assertEquals, assertThrows } from "../../assert.ts";
import {
  ALL_SCRIPT_VERIFY_FLAGS,
  formatScriptFlags,
  isValidFlagCombination,
  MANDATORY_SCRIPT_VERIFY_FLAGS,
  parseScriptFlags,
  SCRIPT_FLAG_NAMES,
  SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE,
  SCRIPT_VERIFY_NULLFAIL,
  SCRIPT_VERIFY_P2SH,
  SCRIPT_VERIFY_TAPROOT,
  SCRIPT_VERIFY_WITNESS,
  scriptFlagNames,
  STANDARD_NOT_MANDATORY_VERIFY_FLAGS,
  STANDARD_SCRIPT_VERIFY_FLAGS,
} from "../../../core/script/flags.ts";

Deno.test("flags: Core's bit positions, 21 named flags", () => {
  assertEquals(SCRIPT_VERIFY_P2SH, 1);
  assertEquals(SCRIPT_VERIFY_WITNESS, 1 << 11);
  assertEquals(SCRIPT_VERIFY_NULLFAIL, 1 << 14);
  assertEquals(SCRIPT_VERIFY_TAPROOT, 1 << 17);
  assertEquals(SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE, 1 << 20);
  assertEquals(SCRIPT_FLAG_NAMES.size, 21);
  let all = 0;
  for (const flag of SCRIPT_FLAG_NAMES.values()) all |= flag;
  assertEquals(all, ALL_SCRIPT_VERIFY_FLAGS);
  // Sorted by name like Core's std::map.
  const names = [...SCRIPT_FLAG_NAMES.keys()];
  assertEquals(names, [...names].sort());
});

Deno.test("flags: parse and format as the vectors write them", () => {
  assertEquals(parseScriptFlags(""), 0);
  assertEquals(parseScriptFlags("NONE"), 0);
  assertEquals(parseScriptFlags("P2SH,WITNESS"), SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS);
  assertThrows(() => parseScriptFlags("P2SH,BADTX"), 'Cannot parse script flags: unknown flag "BADTX"');
  assertThrows(() => parseScriptFlags("P2SH,"), 'unknown flag ""');
  assertEquals(formatScriptFlags(parseScriptFlags("WITNESS,P2SH,CLEANSTACK")), "CLEANSTACK,P2SH,WITNESS");
  assertEquals(scriptFlagNames(SCRIPT_VERIFY_P2SH | (1 << 25)), ["P2SH", "0x02000000"]);
  for (const name of SCRIPT_FLAG_NAMES.keys()) assertEquals(formatScriptFlags(parseScriptFlags(name)), name);
});

Deno.test("flags: policy sets and valid combinations", () => {
  assertEquals(
    formatScriptFlags(MANDATORY_SCRIPT_VERIFY_FLAGS),
    "CHECKLOCKTIMEVERIFY,CHECKSEQUENCEVERIFY,DERSIG,NULLDUMMY,P2SH,TAPROOT,WITNESS",
  );
  assertEquals(STANDARD_SCRIPT_VERIFY_FLAGS, ALL_SCRIPT_VERIFY_FLAGS & ~parseScriptFlags("SIGPUSHONLY"));
  assertEquals(STANDARD_NOT_MANDATORY_VERIFY_FLAGS & MANDATORY_SCRIPT_VERIFY_FLAGS, 0);
  assert(isValidFlagCombination(STANDARD_SCRIPT_VERIFY_FLAGS));
  assert(!isValidFlagCombination(parseScriptFlags("WITNESS")));
  assert(!isValidFlagCombination(parseScriptFlags("CLEANSTACK,P2SH")));
  assert(isValidFlagCombination(parseScriptFlags("CLEANSTACK,P2SH,WITNESS")));
});
