/**
 * Helpers for end-to-end wallet tests: wallet RPC calls through a test node's `/wallet/<name>` endpoints.
 *
 * @module
 */
import { type TestNode, waitFor } from "../helpers.ts";

/** A JSON-RPC reply. */
export interface Reply {
  result: unknown;
  error: { code: number; message: string } | null;
}

/** Calls `method` on the node, for `wallet` (the /wallet/<name> endpoint) when given. */
export async function walletCall(
  node: TestNode,
  method: string,
  params: unknown[] = [],
  wallet?: string,
): Promise<Reply> {
  const path = wallet === undefined ? "/" : `/wallet/${encodeURIComponent(wallet)}`;
  const res = await fetch(`http://127.0.0.1:${node.rpcPort}${path}`, {
    method: "POST",
    headers: { authorization: `Basic ${btoa(await Deno.readTextFile(`${node.netDataDir}/.cookie`))}` },
    body: JSON.stringify({ jsonrpc: "1.0", id: 1, method, params }),
  });
  return await res.json();
}

/** The result of a call that must succeed. */
export async function ok<T = unknown>(
  node: TestNode,
  method: string,
  params: unknown[] = [],
  wallet?: string,
) {
  const r = await walletCall(node, method, params, wallet);
  if (r.error !== null) throw new Error(`${method} failed: ${JSON.stringify(r.error)}`);
  return r.result as T;
}

/** Waits until the wallet process serves its methods. */
export async function walletReady(node: TestNode): Promise<void> {
  await waitFor(
    async () => (await walletCall(node, "listwallets")).error === null,
    20_000,
    "the wallet process",
  );
}
