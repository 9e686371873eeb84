import { httpStatusReason, jsonRpcReply, newParseState, parseJsonRpcRequest } from "../../rpc/protocol.ts";
import type { RpcError } from "../../rpc/errors.ts";
import { assertEquals, assertThrows } from "./asserts.ts";

Deno.test("parseJsonRpcRequest: Core's checks in Core's order", () => {
  const st = newParseState();
  assertEquals(parseJsonRpcRequest({ method: "m", id: 5 }, st), {
    id: 5,
    version: "1.0",
    method: "m",
    params: [],
  });
  assertEquals(parseJsonRpcRequest({ jsonrpc: "2.0", method: "m", params: { a: 1 } }, st), {
    id: undefined,
    version: "2.0",
    method: "m",
    params: { a: 1 },
  });
  assertEquals(parseJsonRpcRequest({ method: "m", id: null, params: null }, st).params, []);
  const code = (v: unknown) => {
    try {
      parseJsonRpcRequest(v as never, newParseState());
    } catch (e) {
      return [(e as RpcError).code, (e as RpcError).message];
    }
    return null;
  };
  assertEquals(code([]), [-32600, "Invalid Request object"]);
  assertEquals(code({ id: 1 }), [-32600, "Missing method"]);
  assertEquals(code({ method: null }), [-32600, "Missing method"]);
  assertEquals(code({ method: 1 }), [-32600, "Method must be a string"]);
  assertEquals(code({ method: "m", params: "x" }), [-32600, "Params must be an array or object"]);
  assertEquals(code({ method: "m", jsonrpc: "1.1" }), [-32600, "JSON-RPC version not supported"]);
  // The id is read first, so a later error still carries it.
  const s2 = newParseState();
  assertThrows(
    () => parseJsonRpcRequest({ id: "x", jsonrpc: 2, method: "m" }, s2),
    "jsonrpc field must be a string",
  );
  assertEquals([s2.id, s2.version], ["x", "1.0"]);
});

Deno.test("jsonRpcReply: 1.0 carries both members, 2.0 only one; id left out when absent", () => {
  assertEquals(jsonRpcReply(1, null, 7, "1.0"), { result: 1, error: null, id: 7 });
  assertEquals(jsonRpcReply(null, { code: -1, message: "x" }, 7, "1.0"), {
    result: null,
    error: { code: -1, message: "x" },
    id: 7,
  });
  assertEquals(jsonRpcReply(1, null, undefined, "2.0"), { jsonrpc: "2.0", result: 1 });
  assertEquals(jsonRpcReply(null, { code: -1, message: "x" }, null, "2.0"), {
    jsonrpc: "2.0",
    error: { code: -1, message: "x" },
    id: null,
  });
  assertEquals([200, 413, 503, 999].map(httpStatusReason), [
    "OK",
    "Content too large",
    "Service Unavailable",
    "",
  ]);
});
