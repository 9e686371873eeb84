/**
 * IPC echo benchmark with a C++ Cap'n Proto client (`bench/cpp/echo_bench.c++`, the capnp C++ library that
 * Bitcoin Core's libmultiprocess uses), against a tsbtc IPC server on a unix socket: the like-for-like
 * comparison with Core's figures (libmultiprocess: median echo round trip 120–340 µs, 3,700–4,000 calls/s with
 * 100 in flight, same client on the same kind of machine).
 *
 * The tsbtc server is `serveInit(makeProcessInit(…))` behind `listenIpc`, as `tsbtc node -ipcbind=unix` serves
 * it (no `-debug=ipc`), in a separate Deno process started by this script. As a reference the same client also
 * runs against a C++ capnp server (`tests/ipc/interop/server.c++`). Every call carries a `Proxy.Context`
 * (server thread + client callback thread), as Core's clients send it.
 *
 * ```
 * deno run -A bench/ipc_cpp_bench.ts [--runs=3] [--seq=20000] [--inflight=100] [--calls=100000] [--rpc=5000] [--json]
 * ```
 * Needs g++, capnp and libcapnp-dev (the build is cached in the temp dir). Prints a table (or JSON).
 *
 * @module
 */
import { parseIpcAddress } from "../ipc/address.ts";
import { listenIpc } from "../ipc/listener.ts";
import { IpcConnection } from "../ipc/connection.ts";
import { serveInit } from "../ipc/proxies/init.ts";
import { makeProcessInit } from "../interfaces/process_init.ts";
import { buildCppPrograms } from "../tests/ipc/interop/cpp_build.ts";

/** Figures printed by `echo_bench`. */
export interface CppBenchResult {
  /** Sequential echo round trips. */
  echo_seq: { calls: number; median_us: number; p99_us: number; mean_us: number };
  /** Echo calls with a fixed number in flight. */
  echo_inflight: { inflight: number; calls: number; seconds: number; calls_per_s: number };
  /** Sequential `executeRpc` round trips (`getblockcount`). */
  rpc_seq: { calls: number; median_us: number; p99_us: number; mean_us: number };
}

/** Options of {@link runCppBench}. */
export interface CppBenchOptions {
  /** Sequential echo calls (default 20000). */
  seq?: number;
  /** Calls in flight (default 100). */
  inflight?: number;
  /** Echo calls in the in-flight phase (default 100000). */
  calls?: number;
  /** Sequential executeRpc calls (default 5000). */
  rpc?: number;
}

/** Runs `echo_bench` once against the IPC server at `address` (`unix:<path>`). */
export async function runCppBench(
  echoBench: string,
  address: string,
  opts: CppBenchOptions = {},
): Promise<CppBenchResult> {
  const args = [
    address,
    String(opts.seq ?? 20000),
    String(opts.inflight ?? 100),
    String(opts.calls ?? 100000),
    String(opts.rpc ?? 5000),
  ];
  const out = await new Deno.Command(echoBench, { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`echo_bench failed (status ${out.code}): ${new TextDecoder().decode(out.stderr)}${text}`);
  }
  return JSON.parse(text) as CppBenchResult;
}

/** Serves tsbtc's Init on `path` until stdin closes (the server half of this benchmark, in its own process). */
async function serve(path: string): Promise<void> {
  const reply = JSON.stringify({ result: 0, error: null, id: 1 });
  const listener = await listenIpc(parseIpcAddress(`unix:${path}`, { netDataDir: "/" }), {
    onConnection(stream) {
      new IpcConnection(stream, {
        name: "tsbtc-node",
        bootstrap: serveInit(makeProcessInit({
          mode: "node",
          name: "tsbtc-node",
          sandbox: "none",
          permissions: () => ({
            read: true,
            write: true,
            net: true,
            env: true,
            run: true,
            ffi: true,
            sys: true,
          }),
          executeRpc: () => Promise.resolve(reply),
          onShutdown: () => {},
        })),
      });
    },
  });
  console.log("listening");
  for await (const _ of Deno.stdin.readable) { /* wait for EOF */ }
  await listener.close();
}

/** Starts a server process and waits for its "listening" line; returns a stopper. */
async function startServer(cmd: string, args: string[]): Promise<() => Promise<void>> {
  const child = new Deno.Command(cmd, { args, stdin: "piped", stdout: "piped", stderr: "inherit" }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("listening\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`server ${cmd} exited before listening: ${seen}`);
    seen += value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  return async () => {
    await child.stdin.close().catch(() => {});
    const t = setTimeout(() => child.kill(), 2000);
    await child.status;
    clearTimeout(t);
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const flags = new Map<string, string>();
  for (const a of Deno.args) {
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`Unknown argument ${a}`);
    flags.set(m[1], m[2] ?? "1");
  }
  if (flags.has("serve")) return await serve(flags.get("serve")!);
  const runs = Number(flags.get("runs") ?? 3);
  const opts: CppBenchOptions = {
    seq: Number(flags.get("seq") ?? 20000),
    inflight: Number(flags.get("inflight") ?? 100),
    calls: Number(flags.get("calls") ?? 100000),
    rpc: Number(flags.get("rpc") ?? 5000),
  };
  const progs = await buildCppPrograms(["echo_bench", "interop_server"]);
  const dir = await Deno.makeTempDir({ prefix: "ipcbench" });
  const self = new URL(import.meta.url).pathname;
  const servers: Array<[string, string, string[]]> = [
    ["tsbtc (Deno) server", Deno.execPath(), ["run", "-A", self, `--serve=${dir}/tsbtc.sock`]],
    ["C++ capnp server (reference)", progs.interop_server, [`unix:${dir}/cpp.sock`, "--quiet"]],
  ];
  const results: Record<string, CppBenchResult[]> = {};
  try {
    for (const [name, cmd, args] of servers) {
      const stop = await startServer(cmd, args);
      try {
        const sock = name.startsWith("tsbtc") ? `${dir}/tsbtc.sock` : `${dir}/cpp.sock`;
        results[name] = [];
        for (let i = 0; i < runs; i++) {
          results[name].push(await runCppBench(progs.echo_bench, `unix:${sock}`, opts));
        }
      } finally {
        await stop();
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  if (flags.has("json")) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  console.log(
    `C++ capnp client (echo_bench), unix socket, ${runs} runs each; seq=${opts.seq}, ` +
      `${opts.inflight} in flight × ${opts.calls} calls, rpc=${opts.rpc}. Figures: median of runs (range).`,
  );
  console.log(
    "server                         | echo median µs   | echo p99 µs      | calls/s (100 in flight) | executeRpc median µs",
  );
  for (const [name, rs] of Object.entries(results)) {
    const col = (xs: number[], digits = 0) =>
      `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
    console.log(
      `${name.padEnd(30)} | ${col(rs.map((r) => r.echo_seq.median_us), 1).padEnd(16)} | ` +
        `${col(rs.map((r) => r.echo_seq.p99_us), 1).padEnd(16)} | ` +
        `${col(rs.map((r) => r.echo_inflight.calls_per_s)).padEnd(23)} | ${
          col(rs.map((r) => r.rpc_seq.median_us), 1)
        }`,
    );
  }
  console.log(
    "Bitcoin Core (libmultiprocess), same client and machine class: 120–340 µs median, 3,700–4,000 calls/s.",
  );
}

if (import.meta.main) await main();
