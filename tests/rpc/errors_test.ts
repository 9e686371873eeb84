import { RpcError, RpcErrorCode, toRpcError } from "../../rpc/errors.ts";
import { assert, assertEquals } from "./asserts.ts";

Deno.test("Core's error codes and conversion of thrown values", () => {
  assertEquals(
    [RpcErrorCode.RPC_PARSE_ERROR, RpcErrorCode.RPC_METHOD_NOT_FOUND, RpcErrorCode.RPC_IN_WARMUP],
    [-32700, -32601, -28],
  );
  const e = new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "bad");
  assertEquals(e.toJSON(), { code: -8, message: "bad" });
  assert(toRpcError(e) === e);
  assertEquals(toRpcError(new Error("boom")).toJSON(), { code: -1, message: "boom" });
  assertEquals(toRpcError("text").toJSON(), { code: -1, message: "text" });
});
