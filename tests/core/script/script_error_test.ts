import { assert, assertEquals } from "../../assert.ts";
import { isScriptError, SCRIPT_ERRORS, scriptErrorString } from "../../../core/script/script_error.ts";

Deno.test("script errors: Core's enum order and texts, vector names", () => {
  assertEquals(SCRIPT_ERRORS.length, 54);
  assertEquals(SCRIPT_ERRORS[0], "UNKNOWN_ERROR");
  assertEquals(SCRIPT_ERRORS.at(-1), "SIG_FINDANDDELETE");
  assert(isScriptError("NULLFAIL") && !isScriptError("SIG_NULLFAIL") && !isScriptError("OK"));
  assertEquals(scriptErrorString(null), "No error");
  assertEquals(
    scriptErrorString("EVAL_FALSE"),
    "Script evaluated without error but finished with a false/empty top stack element",
  );
  assertEquals(scriptErrorString("NULLFAIL"), "Signature must be zero for failed CHECK(MULTI)SIG operation");
  assertEquals(scriptErrorString("SCHNORR_SIG"), "Invalid Schnorr signature");
  assertEquals(scriptErrorString("UNKNOWN_ERROR"), "unknown error");
  assertEquals(new Set(SCRIPT_ERRORS.map(scriptErrorString)).size, SCRIPT_ERRORS.length);
});
