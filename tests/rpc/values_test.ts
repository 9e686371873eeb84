import type { RpcError } from "../../rpc/errors.ts";
import { rawNumber } from "../../rpc/json.ts";
import { getArray, getBool, getInt, getObject, getReal, getStr, optBool } from "../../rpc/values.ts";
import { assertEquals } from "./asserts.ts";

function err(fn: () => unknown): [number, string] | null {
  try {
    fn();
    return null;
  } catch (e) {
    return [(e as RpcError).code, (e as RpcError).message];
  }
}

Deno.test("typed getters: values, and UniValue's type errors as RPC_TYPE_ERROR", () => {
  assertEquals([getStr("a"), getBool(true), getReal(1.5), getInt(7), getArray([1]), getObject({ a: 1 })], [
    "a",
    true,
    1.5,
    7,
    [1],
    { a: 1 },
  ]);
  assertEquals(getInt(rawNumber("12")), 12);
  assertEquals(err(() => getStr(1)), [-3, "JSON value of type number is not of expected type string"]);
  assertEquals(err(() => getInt("1")), [-3, "JSON value of type string is not of expected type number"]);
  assertEquals(err(() => getBool(null)), [-3, "JSON value of type null is not of expected type bool"]);
  assertEquals(err(() => getObject([])), [-3, "JSON value of type array is not of expected type object"]);
  assertEquals(err(() => getInt(1.5)), [-1, "JSON integer out of range"]);
  assertEquals(err(() => getInt(2 ** 31)), [-1, "JSON integer out of range"]);
});

Deno.test("optBool: the fallback for absent or null, the boolean otherwise, UniValue's error for other types", () => {
  assertEquals([optBool(undefined, true), optBool(null, false), optBool(false, true), optBool(true, false)], [
    true,
    false,
    false,
    true,
  ]);
  assertEquals(err(() => optBool(1, true)), [-3, "JSON value of type number is not of expected type bool"]);
});
