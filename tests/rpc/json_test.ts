import { assertEquals } from "./asserts.ts";
import {
  findDuplicateKeys,
  parseJson,
  parseJsonLossless,
  rawNumber,
  typeName,
  valueFromAmount,
  writeJson,
  writeJsonPretty,
} from "../../rpc/json.ts";

Deno.test("typeName uses UniValue's names", () => {
  assertEquals([null, true, 1, "s", [], {}, rawNumber("1.10")].map(typeName), [
    "null",
    "bool",
    "number",
    "string",
    "array",
    "object",
    "number",
  ]);
});

Deno.test("writeJsonPretty matches UniValue::write(2), empty containers on two lines", () => {
  assertEquals(writeJsonPretty([]), "[\n]");
  assertEquals(writeJsonPretty({}), "{\n}");
  assertEquals(writeJsonPretty({ a: [], b: { c: 1 } }), '{\n  "a": [\n  ],\n  "b": {\n    "c": 1\n  }\n}');
  assertEquals(writeJsonPretty([1, "x", null, true]), '[\n  1,\n  "x",\n  null,\n  true\n]');
  assertEquals(writeJsonPretty({ a: 1 }, 4), '{\n    "a": 1\n}');
});

Deno.test("writeJson escapes DEL and control characters like UniValue", () => {
  assertEquals(writeJson('a\x7fb\x01\n"\\'), '"a\\u007fb\\u0001\\n\\"\\\\"');
  assertEquals(writeJson(undefined), "null");
});

Deno.test("lossless parse keeps number text, plain parse does not", () => {
  const text = "[1.10,12345678901234567890,0.00000000,1e3,5,-0.5]";
  assertEquals(writeJson(parseJsonLossless(text)), text);
  assertEquals(writeJson(parseJson(text)), "[1.1,12345678901234567000,0,1000,5,-0.5]");
  assertEquals(writeJsonPretty(parseJsonLossless('{"fee":0.00001000}')), '{\n  "fee": 0.00001000\n}');
});

Deno.test("parse rejects invalid JSON and nesting deeper than 512", () => {
  assertEquals(parseJson("{"), undefined);
  assertEquals(parseJson("[1,]"), undefined);
  assertEquals(parseJson('"str"'), "str");
  assertEquals(parseJson("[".repeat(512) + "]".repeat(512)) !== undefined, true);
  assertEquals(parseJson("[".repeat(513) + "]".repeat(513)), undefined);
  assertEquals(parseJsonLossless("[".repeat(513) + "]".repeat(513)), undefined);
});

Deno.test("valueFromAmount writes 8 decimals", () => {
  assertEquals(
    writeJson([valueFromAmount(1000), valueFromAmount(-150000000n), valueFromAmount(0)]),
    "[0.00001000,-1.50000000,0.00000000]",
  );
});

Deno.test("findDuplicateKeys reports repeated keys per object with their path", () => {
  assertEquals(findDuplicateKeys('{"a":1,"b":{"x":1,"y":"}\\"","x":2},"a":3}'), [
    { path: ["b"], key: "x" },
    { path: [], key: "a" },
  ]);
  assertEquals(findDuplicateKeys('[{"params":{"k":1,"k":2}}]'), [{ path: [0, "params"], key: "k" }]);
  assertEquals(findDuplicateKeys('{"a":{"b":{"c":{"d":{"e":1,"e":2}}}}}', 2), []);
  assertEquals(findDuplicateKeys('{"a":[],"b":{}}'), []);
});
