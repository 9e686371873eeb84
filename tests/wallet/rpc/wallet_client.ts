/**
 * A JSON-RPC client for end-to-end wallet tests: calls a node's methods or a loaded wallet's (through the
 * `/wallet/<name>` endpoint) with the node's cookie.
 *
 * @module
 */
import type { TestNode } from "../../helpers.ts";

type Reply = { result: unknown; error: { code: number; message: string } | null };

/** Calls `method` on wallet `wallet` (the `/wallet/<name>` endpoint) or on the node. */
export function walletClient(node: TestNode) {
  const call = async (wallet: string | null, method: string, ...params: unknown[]): Promise<Reply> => {
    const cookie = await Deno.readTextFile(`${node.netDataDir}/.cookie`);
    const path = wallet === null ? "/" : `/wallet/${encodeURIComponent(wallet)}`;
    const res = await fetch(`http://127.0.0.1:${node.rpcPort}${path}`, {
      method: "POST",
      headers: { authorization: `Basic ${btoa(cookie)}` },
      body: JSON.stringify({ jsonrpc: "1.0", id: 1, method, params }),
    });
    return await res.json() as Reply;
  };
  const ok = async <T = unknown>(wallet: string | null, method: string, ...params: unknown[]): Promise<T> => {
    const r = await call(wallet, method, ...params);
    if (r.error) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
    return r.result as T;
  };
  return { call, ok };
}
