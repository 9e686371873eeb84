import { CONVERT_PARAMS, convertNamedValues, convertValues, namedParamsToJson } from "../../rpc/convert.ts";
import { writeJson } from "../../rpc/json.ts";
import { assertEquals, assertThrows } from "./asserts.ts";

Deno.test("the table holds Core's rules", () => {
  assertEquals(CONVERT_PARAMS.length, 337);
  assertEquals(
    CONVERT_PARAMS.find((p) => p.method === "getblockstats" && p.index === 0)?.format,
    "json_or_string",
  );
  assertEquals(CONVERT_PARAMS.find((p) => p.method === "createwallet" && p.index === 0)?.format, "string");
  assertEquals(CONVERT_PARAMS.find((p) => p.method === "getblockhash")?.name, "height");
});

Deno.test("positional conversion like RPCConvertValues", () => {
  assertEquals(writeJson(convertValues("getblockhash", ["5"])), "[5]");
  assertEquals(writeJson(convertValues("echo", ["5", "[1]"])), '["5","[1]"]');
  assertEquals(
    writeJson(convertValues("echojson", ["1.10", '{"a":[true,null]}'])),
    '[1.10,{"a":[true,null]}]',
  );
  assertEquals(writeJson(convertValues("getblock", ["abc", "2"])), '["abc",2]');
  assertEquals(writeJson(convertValues("getblockstats", ["00ff"])), '["00ff"]');
  assertEquals(writeJson(convertValues("getblockstats", ["100"])), "[100]");
  assertThrows(() => convertValues("getblockhash", ["x"]), "Error parsing JSON: x");
  assertThrows(() => convertValues("logging", ['["all"', "[]"]), 'Error parsing JSON: ["all"');
});

Deno.test("named conversion like RPCConvertNamedValues", () => {
  const j = (m: string, a: string[]) => namedParamsToJson(convertNamedValues(m, a));
  assertEquals(j("getblock", ["blockhash=ab", "verbosity=2"]), '{"blockhash":"ab","verbosity":2}');
  assertEquals(j("echojson", ["arg1=[1]", '"x"']), '{"arg1":[1],"args":["x"]}');
  assertEquals(j("createwallet", ["my=wallet", "blank=true"]), '{"blank":true,"args":["my=wallet"]}');
  assertEquals(j("echojson", ['["=",1]']), '{"args":[["=",1]]}');
  assertEquals(j("getblock", ["verbosity=1", "verbosity=2"]), '{"verbosity":2}');
  assertEquals(j("echo", ["args=[1]", "x"]), '{"args":"[1]","args":["x"]}');
  assertEquals(j("foo", ["a=1"]), '{"a":"1"}');
});
