/**
 * A node under a comparison bench: `tsbtc node` or Core's `bitcoind` on regtest with a fresh data directory and
 * RPC user bench:bench, a JSON-RPC client for it (calls, batches, `/wallet/<name>` paths), waiting for it to
 * answer, and stopping it.
 *
 * @module
 */
import { freePort, tsbtcCommand } from "../tests/helpers.ts";

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Which implementation runs. */
export type BenchNodeKind = "tsbtc" | "bitcoind";

/** Where Core's build lives when `BITCOIND` is not set. */
export const CORE_BUILD = "/tmp/corebuild/libbitcoinkernel-sys/bitcoin/build/bin/bitcoind";

/** The bitcoind to compare with: `BITCOIND`, else {@link CORE_BUILD} when it exists, else undefined. */
export async function findBitcoind(): Promise<string | undefined> {
  return Deno.env.get("BITCOIND") ?? await Deno.stat(CORE_BUILD).then(() => CORE_BUILD, () => undefined);
}

/**
 * The regtest arguments of a compared node: its data directory and RPC port, user bench:bench, no P2P
 * listening, -server, then `extra`.
 */
export function benchNodeArgs(dir: string, port: number, extra: readonly string[] = []): string[] {
  return [
    "-regtest",
    `-datadir=${dir}`,
    `-rpcport=${port}`,
    "-rpcuser=bench",
    "-rpcpassword=bench",
    "-listen=0",
    "-server",
    ...extra,
  ];
}

/** A JSON-RPC reply. */
export interface BenchReply {
  result: Json;
  error: { code: number; message: string } | null;
}

/** A JSON-RPC client of a bench node (user bench:bench) on `port`; `wallet` selects `/wallet/<name>`. */
export class BenchClient {
  /** A client of the node on `port`. */
  constructor(readonly port: number) {}

  /** The reply of one call (its error included). */
  async raw(method: string, params: Json[] = [], wallet?: string): Promise<BenchReply> {
    const res = await this.#post({ jsonrpc: "2.0", id: 1, method, params }, wallet);
    return res as BenchReply;
  }

  /** The result of a call that must succeed. */
  async call(method: string, params: Json[] = [], wallet?: string): Promise<Json> {
    const r = await this.raw(method, params, wallet);
    if (r.error) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    return r.result;
  }

  /** The results of `calls`, sent as one JSON-RPC batch; throws on the first error. */
  async batch(calls: Array<[string, Json[]]>, wallet?: string): Promise<Json[]> {
    const body = await this.#post(
      calls.map(([method, params], id) => ({ jsonrpc: "2.0", id, method, params })),
      wallet,
    ) as Array<BenchReply & { id: number }>;
    body.sort((a, b) => a.id - b.id);
    for (const r of body) {
      if (r.error) throw new Error(`${calls[r.id][0]}: ${JSON.stringify(r.error)}`);
    }
    return body.map((r) => r.result);
  }

  async #post(request: unknown, wallet: string | undefined): Promise<unknown> {
    const path = wallet === undefined ? "/" : `/wallet/${encodeURIComponent(wallet)}`;
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      method: "POST",
      headers: { authorization: `Basic ${btoa("bench:bench")}`, "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    return await res.json();
  }

  /** Waits (up to a minute) until `method` answers without an error; `name` is for the timeout error. */
  async ready(name: string, method = "getblockcount"): Promise<void> {
    const t0 = performance.now();
    for (;;) {
      try {
        if (!(await this.raw(method)).error) return;
      } catch { /* not up yet */ }
      if (performance.now() - t0 > 60_000) throw new Error(`${name} did not start`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/** A started bench node. */
export interface BenchNode {
  /** Its data directory (removed by {@link BenchNode.stop}). */
  dir: string;
  /** Its client. */
  client: BenchClient;
  /** Stops it (RPC `stop`, else SIGKILL) and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * Starts `cmd args` (from `command(dir, port)`: a fresh temporary data directory `dir` and a free RPC `port`)
 * and waits until it answers `readyMethod`.
 */
export async function startBenchNode(
  name: string,
  command: (dir: string, port: number) => { cmd: string; args: string[] },
  readyMethod?: string,
): Promise<BenchNode> {
  const dir = await Deno.makeTempDir({ prefix: "tsbtc-bench-node-" });
  const port = freePort();
  const { cmd, args } = command(dir, port);
  const child = new Deno.Command(cmd, { args, stdout: "null", stderr: "null", stdin: "null" }).spawn();
  const client = new BenchClient(port);
  const stop = async () => {
    await client.raw("stop").catch(() => {});
    const exited = await Promise.race([
      child.status.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 30_000)),
    ]);
    if (!exited) {
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
      await child.status;
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    await client.ready(name, readyMethod);
  } catch (e) {
    await stop();
    throw e;
  }
  return { dir, client, stop };
}

/** The command of a `kind` node with {@link benchNodeArgs}; `bitcoind` is the path of Core's. */
export function benchNodeCommand(
  kind: BenchNodeKind,
  bitcoind: string,
  extra: readonly string[] = [],
): (dir: string, port: number) => { cmd: string; args: string[] } {
  return (dir, port) => {
    const args = benchNodeArgs(dir, port, extra);
    return kind === "bitcoind" ? { cmd: bitcoind, args } : tsbtcCommand(["node", ...args]);
  };
}
