/**
 * Calling RPC methods registered in an `RpcTable` the way a client does (a JSON-RPC 2.0 request body), for the
 * method group tests: the reply as `{result}` or `{error}`, a result that must succeed, an error that must match.
 *
 * @module
 */
import type { RpcTable } from "../../../rpc/table.ts";
import { assertEquals } from "../asserts.ts";

/** A method's reply: its result, or its JSON-RPC error. */
export type Reply = { result?: unknown; error?: { code: number; message: string } };

/** Executes `method` with `params` on `t`; the reply's `error` when it has one, else its `result`. */
export async function call(t: RpcTable, method: string, params: unknown[]): Promise<Reply> {
  const r = await t.execute(JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }));
  const body = JSON.parse(r.body) as Reply;
  return "error" in body && body.error !== null && body.error !== undefined
    ? { error: body.error }
    : { result: body.result };
}

/** The result of `method`; throws `<method> failed: <code> <message>` when it fails. */
export async function ok<T = unknown>(t: RpcTable, method: string, params: unknown[] = []): Promise<T> {
  const r = await call(t, method, params);
  if (r.error) throw new Error(`${method} failed: ${r.error.code} ${r.error.message}`);
  return r.result as T;
}

/** Asserts that `method` fails with exactly `code` and `message`. */
export async function fails(
  t: RpcTable,
  method: string,
  params: unknown[],
  code: number,
  message: string,
): Promise<void> {
  assertEquals(
    await call(t, method, params),
    { error: { code, message } },
    `${method} ${JSON.stringify(params)}`,
  );
}
