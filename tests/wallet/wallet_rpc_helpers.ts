/**
 * Helpers for end-to-end wallet tests: a node whose wallet process serves its methods, and wallet RPC calls
 * through a test node's `/wallet/<name>` endpoints (or the node's `/`), with the node's cookie.
 *
 * @module
 */
import { assertEquals } from "../assert.ts";
import { startNode, type TestNode, waitFor } from "../helpers.ts";
import { type RpcMethod, RpcTable } from "../../rpc/table.ts";

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
): Promise<T> {
  const r = await walletCall(node, method, params, wallet);
  if (r.error !== null) throw new Error(`${method} failed: ${JSON.stringify(r.error)}`);
  return r.result as T;
}

/** Asserts that a call fails with Core's `code` and `message`. */
export async function fails(
  node: TestNode,
  method: string,
  params: unknown[],
  expected: { code: number; message: string },
  wallet?: string,
): Promise<void> {
  const r = await walletCall(node, method, params, wallet);
  assertEquals(r.error, expected, `${method} ${JSON.stringify(params)}`);
}

/** Waits until the wallet process serves its methods (it answers -28 while it starts). */
export async function walletReady(node: TestNode, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    async () => (await walletCall(node, "listwallets")).error === null,
    timeoutMs,
    "the wallet process",
  );
}

/** A node (as `startNode`) whose wallet process serves its methods; cleaned up when it does not come up. */
export async function startWalletNode(...args: Parameters<typeof startNode>): Promise<TestNode> {
  const node = await startNode(...args);
  try {
    await walletReady(node, 30_000);
  } catch (e) {
    await node.cleanup();
    throw e;
  }
  return node;
}

/**
 * {@link walletCall} and {@link ok} bound to `node`, wallet first (`null`: the node's `/` endpoint) and the
 * parameters spread.
 */
export function walletClient(node: TestNode): {
  call: (wallet: string | null, method: string, ...params: unknown[]) => Promise<Reply>;
  ok: <T = unknown>(wallet: string | null, method: string, ...params: unknown[]) => Promise<T>;
} {
  return {
    call: (wallet, method, ...params) => walletCall(node, method, params, wallet ?? undefined),
    ok: (wallet, method, ...params) => ok(node, method, params, wallet ?? undefined),
  };
}

/** What {@link withWalletNode} hands its function: the node and a {@link walletClient} of it. */
export type WalletNodeClient = ReturnType<typeof walletClient> & { node: TestNode };

/**
 * Starts a node with `args` whose wallet process serves its methods ({@link startWalletNode}), runs `fn` with a
 * {@link walletClient} of it, and cleans the node up whatever happens.
 */
export async function withWalletNode(
  args: readonly string[],
  fn: (client: WalletNodeClient) => Promise<void>,
): Promise<void> {
  const node = await startWalletNode(args);
  try {
    await fn({ node, ...walletClient(node) });
  } finally {
    await node.cleanup();
  }
}

/** A reply of an in-process {@link RpcTable}. */
export interface TableReply {
  result?: unknown;
  error?: { code: number; message: string } | null;
}

/**
 * An in-process RPC table serving `methods` (no node, no HTTP) and calls into it: `call` answers the reply,
 * `ok` the result of a call that must succeed.
 */
export function rpcTableClient(methods: RpcMethod[]): {
  table: RpcTable;
  call: (method: string, ...params: unknown[]) => Promise<TableReply>;
  ok: (method: string, ...params: unknown[]) => Promise<unknown>;
} {
  const table = new RpcTable();
  table.registerAll(methods);
  const call = async (method: string, ...params: unknown[]): Promise<TableReply> => {
    const res = await table.execute(JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }));
    return JSON.parse(res.body) as TableReply;
  };
  const ok = async (method: string, ...params: unknown[]): Promise<unknown> => {
    const r = await call(method, ...params);
    if (r.error) throw new Error(`${method}: ${r.error.message}`);
    return r.result;
  };
  return { table, call, ok };
}
