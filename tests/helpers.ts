/**
 * Helpers for integration tests: start real tsbtc processes on loopback with temp data directories.
 *
 * @module
 */

const MAIN = new URL("../cli/main.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

/**
 * The command line that runs tsbtc from source (what `./tsbtc` does). A node gets `-listen=0` unless the test
 * chooses its P2P settings, so nodes of different tests never contend for regtest's P2P port.
 */
export function tsbtcCommand(args: readonly string[]): { cmd: string; args: string[] } {
  const p2pChosen = args.some((a) => /^-(no)?(listen|port|bind|whitebind|connect)\b/.test(a));
  if (args[0] === "node" && !p2pChosen) args = [...args, "-listen=0"];
  return {
    cmd: Deno.execPath(),
    args: [
      "run",
      "--quiet",
      "--unstable-kv",
      "--unstable-worker-options",
      "-A",
      `--config=${CONFIG}`,
      MAIN,
      ...args,
    ],
  };
}

/** Runs tsbtc to completion. */
export async function runTsbtc(
  args: readonly string[],
  opts: { stdin?: string; timeoutMs?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { cmd, args: full } = tsbtcCommand(args);
  const child = new Deno.Command(cmd, {
    args: full,
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (opts.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(opts.stdin));
    await w.close();
  }
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
  const out = await child.output();
  clearTimeout(timer);
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** A free TCP port on 127.0.0.1 (bound and released; tests use it at once). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Waits until `fn` returns true (polling), or throws after `timeoutMs`. */
export async function waitFor(fn: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = "condition") {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/** Kills `child` (SIGKILL; it may have exited already) and waits for it; nothing when null. */
export async function stopChild(child: Deno.ChildProcess | null): Promise<void> {
  if (!child) return;
  try {
    child.kill("SIGKILL");
  } catch { /* exited */ }
  await child.status;
}

/** True when `path` exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** A node started for a test. */
export interface TestNode {
  dataDir: string;
  netDataDir: string;
  rpcPort: number;
  child: Deno.ChildProcess;
  /** `rpc` and the common arguments for `tsbtc rpc` against this node. */
  cliArgs: string[];
  /** Calls a method over HTTP JSON-RPC with the cookie; returns the parsed reply. */
  rpc(method: string, params?: unknown[]): Promise<{ result: unknown; error: unknown }>;
  /** Waits for the process to exit; returns the status code. */
  wait(): Promise<number>;
  /** The debug.log text. */
  log(): Promise<string>;
  /** Kills the process if it is still running and removes the data directory. */
  cleanup(): Promise<void>;
}

/**
 * Starts `tsbtc node -regtest` with a temp datadir (or `opts.dataDir`, to restart on a kept one: cleanup then
 * leaves it in place) and a free port; resolves once RPC answers.
 */
export async function startNode(
  extra: readonly string[] = [],
  opts: { conf?: string; dataDir?: string } = {},
): Promise<TestNode> {
  const dataDir = opts.dataDir ?? await Deno.makeTempDir({ prefix: "tsbtc-test-" });
  const netDataDir = `${dataDir}/regtest`;
  // A killed node leaves its cookie behind: wait for the new one, not the stale one.
  if (opts.dataDir !== undefined) await Deno.remove(`${netDataDir}/.cookie`).catch(() => {});
  if (opts.conf !== undefined) await Deno.writeTextFile(`${dataDir}/bitcoin.conf`, opts.conf);
  const rpcPort = freePort();
  const { cmd, args } = tsbtcCommand([
    "node",
    "-regtest",
    `-datadir=${dataDir}`,
    `-rpcport=${rpcPort}`,
    "-rpcbind=127.0.0.1",
    ...extra,
  ]);
  const child = new Deno.Command(cmd, { args, stdin: "null", stdout: "null", stderr: "piped" }).spawn();
  const stderr = new Response(child.stderr).text();
  let status: number | null = null;
  const statusP = child.status.then((s) => status = s.code);
  // Credentials: -rpcuser/-rpcpassword when given, else the cookie.
  const user = extra.find((a) => a.startsWith("-rpcuser="))?.slice(9);
  const password = extra.find((a) => a.startsWith("-rpcpassword="))?.slice(13);
  const cookie = () =>
    user !== undefined && password !== undefined
      ? Promise.resolve(`${user}:${password}`)
      : Deno.readTextFile(`${netDataDir}/.cookie`);
  const node: TestNode = {
    dataDir,
    netDataDir,
    rpcPort,
    child,
    cliArgs: ["rpc", "-regtest", `-datadir=${dataDir}`, `-rpcport=${rpcPort}`],
    async rpc(method, params = []) {
      const res = await fetch(`http://127.0.0.1:${rpcPort}/`, {
        method: "POST",
        headers: { authorization: `Basic ${btoa(await cookie())}` },
        body: JSON.stringify({ jsonrpc: "1.0", id: 1, method, params }),
      });
      return await res.json();
    },
    async wait() {
      await statusP;
      return status!;
    },
    log: () => Deno.readTextFile(`${netDataDir}/debug.log`),
    async cleanup() {
      if (status === null) {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
      }
      await statusP;
      await stderr;
      if (opts.dataDir === undefined) await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
  try {
    await waitFor(
      async () => {
        if (status !== null) throw new Error(`node exited with ${status}: ${await stderr}`);
        try {
          const r = await node.rpc("getblockcount");
          return typeof r.result === "number";
        } catch {
          return false;
        }
      },
      20_000,
      "the node's RPC",
    );
  } catch (e) {
    await node.cleanup();
    throw e;
  }
  return node;
}
