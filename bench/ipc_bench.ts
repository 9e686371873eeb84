/**
 * IPC echo benchmark: `Echo.echo` round trips through tsbtc's Cap'n Proto RPC engine, with the typed proxies
 * as real callers use them (`Init.makeEcho`, a `Proxy.Context` naming a server thread in every call).
 *
 * Transports: an in-process pair (both ends in this process), a unix socket and TCP loopback to a child
 * server process (`bench/ipc_echo_server.ts`), and a child's stdin/stdout. For each: the sequential round
 * trip (median and p99, µs) and the throughput with 100 calls in flight (calls/s). Optionally (`--cpp`) the
 * C++ capnp client of `bench/cpp/echo_bench.c++` against a tsbtc server, for comparison with Core's figures.
 *
 * Usage: `deno run -A bench/ipc_bench.ts [--quick] [--cpp] [--json]`. Under `deno bench` it registers a
 * sequential echo benchmark per transport instead.
 *
 * @module
 */
import { makeEcho } from "../interfaces/echo.ts";
import type { Echo } from "../interfaces/echo.ts";
import type { Init } from "../interfaces/init.ts";
import { IpcConnection } from "../ipc/connection.ts";
import { bootstrapInit, serveInit } from "../ipc/proxies/init.ts";
import { type ByteStream, memoryStreamPair } from "../ipc/transport.ts";

const SERVER = new URL("./ipc_echo_server.ts", import.meta.url).pathname;

/** One benchmark result. */
export interface EchoFigures {
  transport: string;
  sequential: { calls: number; medianUs: number; p99Us: number; meanUs: number };
  inflight: { inflight: number; calls: number; seconds: number; callsPerSecond: number };
}

const impl: Init = {
  makeEcho,
  makeRpc: () => {
    throw new Error("not served");
  },
  getInfo: () => Promise.reject(new Error("not served")),
  shutdown: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

interface Target {
  name: string;
  stream: ByteStream;
  stop(): Promise<void>;
}

function inProcess(): Target {
  const [a, b] = memoryStreamPair();
  const server = new IpcConnection(a, { name: "tsbtc-bench-server", bootstrap: serveInit(impl) });
  return { name: "in-process pair", stream: b, stop: () => server.close() };
}

async function child(where: string, name: string, connect: () => Promise<ByteStream>): Promise<Target> {
  const proc = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SERVER, where],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  await waitReady(proc.stderr);
  const stream = await connect();
  return {
    name,
    stream,
    stop: async () => {
      await proc.status;
    },
  };
}

async function stdioChild(): Promise<Target> {
  const proc = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SERVER, "stdio"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  await waitReady(proc.stderr);
  return {
    name: "child stdin/stdout",
    stream: {
      readable: proc.stdout,
      writable: proc.stdin,
      close: () => {
        try {
          proc.kill("SIGTERM");
        } catch { /* exited */ }
      },
    },
    stop: async () => {
      await proc.status;
    },
  };
}

async function waitReady(stderr: ReadableStream<Uint8Array>): Promise<void> {
  const reader = stderr.getReader();
  const dec = new TextDecoder();
  let text = "";
  while (!text.includes("ready\n")) {
    const r = await reader.read();
    if (r.done) throw new Error(`benchmark server did not start: ${text}`);
    text += dec.decode(r.value);
  }
  // Keep draining stderr so the child never blocks on it.
  (async () => {
    for (;;) {
      const r = await reader.read().catch(() => ({ done: true }));
      if (r.done) return;
    }
  })();
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function measure(target: Target, sequentialCalls: number, inflightCalls: number): Promise<EchoFigures> {
  const conn = new IpcConnection(target.stream, { name: "tsbtc-bench-client" });
  const init = bootstrapInit(conn);
  const echo: Echo = init.makeEcho();
  for (let i = 0; i < 2000; i++) await echo.echo("warm-up");
  const times = new Float64Array(sequentialCalls);
  for (let i = 0; i < sequentialCalls; i++) {
    const t0 = performance.now();
    await echo.echo("hello");
    times[i] = (performance.now() - t0) * 1000;
  }
  const sorted = Array.from(times).sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;

  const inflight = 100;
  let sent = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inflight }, async () => {
    while (sent < inflightCalls) {
      sent++;
      await echo.echo("hello");
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  await echo.close();
  await init.close();
  await conn.close();
  await target.stop();
  return {
    transport: target.name,
    sequential: {
      calls: sequentialCalls,
      medianUs: round(percentile(sorted, 0.5)),
      p99Us: round(percentile(sorted, 0.99)),
      meanUs: round(mean),
    },
    inflight: {
      inflight,
      calls: inflightCalls,
      seconds: round(seconds),
      callsPerSecond: Math.round(inflightCalls / seconds),
    },
  };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

async function tempSocket(): Promise<{ path: string; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "tsbtc-ipc-bench-" });
  return { path: `${dir}/echo.sock`, dir };
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function connectRetry<T>(f: () => Promise<T>): Promise<T> {
  for (let i = 0;; i++) {
    try {
      return await f();
    } catch (e) {
      if (i > 50) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/**
 * The machine's floor: a round trip of 128 bytes over a unix socket to a child process that echoes them
 * (Deno, no Cap'n Proto), sequential median and p99 in µs.
 */
export async function rawFloor(calls: number): Promise<{ medianUs: number; p99Us: number }> {
  const { path, dir } = await tempSocket();
  const proc = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SERVER, `raw-unix:${path}`],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  await waitReady(proc.stderr);
  const conn = await connectRetry(() => Deno.connect({ transport: "unix", path }));
  const msg = new Uint8Array(128);
  const buf = new Uint8Array(65536);
  const times: number[] = [];
  for (let i = 0; i < calls + 1000; i++) {
    const t0 = performance.now();
    await conn.write(msg);
    let got = 0;
    while (got < msg.byteLength) got += (await conn.read(buf)) ?? msg.byteLength;
    if (i >= 1000) times.push((performance.now() - t0) * 1000);
  }
  conn.close();
  await proc.status;
  await Deno.remove(dir, { recursive: true });
  times.sort((a, b) => a - b);
  return { medianUs: round(percentile(times, 0.5)), p99Us: round(percentile(times, 0.99)) };
}

/** Runs every transport; returns the figures. */
export async function runAll(quick: boolean): Promise<EchoFigures[]> {
  const seq = quick ? 3000 : 20000;
  const many = quick ? 20000 : 100000;
  const out: EchoFigures[] = [];
  out.push(await measure(inProcess(), seq, many));
  {
    const { path, dir } = await tempSocket();
    const t = await child(
      `unix:${path}`,
      "unix socket (child process)",
      () => connectRetry(() => Deno.connect({ transport: "unix", path })),
    );
    out.push(await measure(t, seq, many));
    await Deno.remove(dir, { recursive: true });
  }
  {
    const port = freePort();
    const t = await child(`tcp:${port}`, "TCP loopback (child process)", async () => {
      const c = await connectRetry(() => Deno.connect({ hostname: "127.0.0.1", port }));
      c.setNoDelay(true);
      return c;
    });
    out.push(await measure(t, seq, many));
  }
  out.push(await measure(await stdioChild(), seq, many));
  return out;
}

/** The C++ capnp client (`bench/cpp/echo_bench.c++`) against a tsbtc server on a unix socket. */
async function runCpp(quick: boolean): Promise<unknown> {
  const { buildCppPrograms } = await import("../tests/ipc/interop/cpp_build.ts");
  const { echo_bench } = await buildCppPrograms(["echo_bench"]);
  const { path, dir } = await tempSocket();
  const proc = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SERVER, `unix:${path}`],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  await waitReady(proc.stderr);
  const n = quick ? ["3000", "100", "20000", "1000"] : ["20000", "100", "100000", "5000"];
  const out = await new Deno.Command(echo_bench, { args: [`unix:${path}`, ...n], stdout: "piped" }).output();
  await proc.status;
  await Deno.remove(dir, { recursive: true });
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const json = Deno.args.includes("--json");
  const floor = await rawFloor(quick ? 3000 : 20000);
  const figures = await runAll(quick);
  const cpp = Deno.args.includes("--cpp") ? await runCpp(quick) : null;
  if (json) {
    console.log(JSON.stringify({ floor, figures, cpp }, null, 2));
  } else {
    console.log(
      `machine floor (raw 128-byte round trip to a child over a unix socket, no Cap'n Proto): ` +
        `median ${floor.medianUs} µs, p99 ${floor.p99Us} µs`,
    );
    console.log(
      "transport                          seq median µs  seq p99 µs  seq mean µs  100 in flight calls/s",
    );
    for (const f of figures) {
      console.log(
        `${f.transport.padEnd(34)} ${String(f.sequential.medianUs).padStart(13)} ${
          String(f.sequential.p99Us).padStart(11)
        } ${String(f.sequential.meanUs).padStart(12)} ${String(f.inflight.callsPerSecond).padStart(22)}`,
      );
    }
    if (cpp) console.log("C++ capnp client -> tsbtc server (unix socket):", JSON.stringify(cpp));
  }
} else {
  // Under `deno bench`: one sequential echo per iteration, in-process and over a unix socket.
  const setup = async (kind: "memory" | "unix") => {
    let server: IpcConnection;
    let stream: ByteStream;
    let cleanup = async () => {};
    if (kind === "memory") {
      const [a, b] = memoryStreamPair();
      server = new IpcConnection(a, { name: "bench-server", bootstrap: serveInit(impl) });
      stream = b;
    } else {
      const { path, dir } = await tempSocket();
      const l = Deno.listen({ transport: "unix", path });
      const [s, c] = await Promise.all([l.accept(), Deno.connect({ transport: "unix", path })]);
      l.close();
      server = new IpcConnection(s, { name: "bench-server", bootstrap: serveInit(impl) });
      stream = c;
      cleanup = () => Deno.remove(dir, { recursive: true });
    }
    const conn = new IpcConnection(stream, { name: "bench-client" });
    const init = bootstrapInit(conn);
    const echo = init.makeEcho();
    await echo.echo("warm-up");
    return {
      echo,
      close: async () => {
        await echo.close();
        await init.close();
        await conn.close();
        await server.close();
        await cleanup();
      },
    };
  };
  for (const kind of ["memory", "unix"] as const) {
    Deno.bench(`1000 ipc echo round trips (${kind}, same process)`, async (b) => {
      const s = await setup(kind);
      b.start();
      for (let i = 0; i < 1000; i++) await s.echo.echo("hello");
      b.end();
      await s.close();
    });
  }
}
