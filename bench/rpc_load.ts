/**
 * JSON-RPC load benchmark: `getblockcount` requests per second against `RpcServer` with 1 and 16 keep-alive
 * connections, like Core's figure for bitcoind (~51,000/s with 16 on this 2-core machine).
 *
 * The server runs in its own process (`--serve`); the load comes from `wrk` when installed (Debian package
 * `wrk`, C, one thread) and from a raw-socket Deno generator in this process (no fetch overhead), so the
 * generator is not the bottleneck of the figure reported.
 *
 * With `--node`, the target is a real `tsbtc node -regtest` (sandboxed in its Worker, as users run it) instead
 * of a bare `RpcServer`; both are reported side by side by `bench/run_all.ts`.
 *
 * Usage: `deno run -A bench/rpc_load.ts [--node] [--seconds=5] [--connections=1,16] [--no-wrk] [--no-deno]`
 *
 * @module
 */
import { controlMethods } from "../rpc/methods/control.ts";
import { RpcServer } from "../rpc/server.ts";
import { RpcTable } from "../rpc/table.ts";

const BODY = '{"jsonrpc":"1.0","id":"bench","method":"getblockcount","params":[]}';
const AUTH = btoa("bench:bench");

async function serve(): Promise<void> {
  const dir = await Deno.makeTempDir();
  const table = new RpcTable();
  table.registerAll(controlMethods({ shutdown: () => {}, getBlockCount: () => 0 }));
  const server = await RpcServer.start({
    table,
    netDataDir: dir,
    port: 0,
    rpcUser: "bench",
    rpcPassword: "bench",
    rpcAuth: [],
  });
  console.log(`PORT ${server.port}`);
  // Run until stdin closes (the parent exits or kills us).
  for await (const _ of Deno.stdin.readable) { /* wait */ }
  await server.stop();
  await Deno.remove(dir, { recursive: true });
}

/** Keep-alive load with raw sockets: each connection has one request outstanding at a time. */
async function denoLoad(port: number, connections: number, seconds: number): Promise<number> {
  const request = new TextEncoder().encode(
    `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic ${AUTH}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${BODY.length}\r\n\r\n${BODY}`,
  );
  const dec = new TextDecoder("latin1");
  let count = 0;
  let stop = false;
  let errors = 0;
  const one = async () => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.setNoDelay(true);
    const buf = new Uint8Array(65536);
    let have = 0;
    try {
      while (!stop) {
        await conn.write(request);
        // Read one complete response.
        while (true) {
          const n = await conn.read(buf.subarray(have));
          if (n === null) throw new Error("server closed the connection");
          have += n;
          const text = dec.decode(buf.subarray(0, have));
          const end = text.indexOf("\r\n\r\n");
          if (end < 0) continue;
          const m = /content-length: *(\d+)/i.exec(text.slice(0, end));
          const total = end + 4 + (m ? Number(m[1]) : 0);
          if (have < total) continue;
          if (!text.startsWith("HTTP/1.1 200")) errors++;
          buf.copyWithin(0, total, have);
          have -= total;
          break;
        }
        count++;
      }
    } finally {
      conn.close();
    }
  };
  const t0 = performance.now();
  const runners = Array.from({ length: connections }, one);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  stop = true;
  await Promise.all(runners);
  const dt = (performance.now() - t0) / 1000;
  if (errors > 0) throw new Error(`${errors} responses were not 200`);
  return count / dt;
}

async function haveWrk(): Promise<boolean> {
  try {
    const r = await new Deno.Command("wrk", { args: ["--version"], stdout: "null", stderr: "null" }).output();
    return r.code === 0 || r.code === 1;
  } catch {
    return false;
  }
}

async function wrkLoad(port: number, connections: number, seconds: number): Promise<number> {
  const script = await Deno.makeTempFile({ suffix: ".lua" });
  try {
    await Deno.writeTextFile(
      script,
      `wrk.method = "POST"\nwrk.body = '${BODY}'\nwrk.headers["Content-Type"] = "application/json"\n` +
        `wrk.headers["Authorization"] = "Basic ${AUTH}"\n`,
    );
    const out = await new Deno.Command("wrk", {
      args: ["-t1", `-c${connections}`, `-d${seconds}s`, "-s", script, `http://127.0.0.1:${port}/`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    if (/Non-2xx/.test(text)) throw new Error(`wrk saw errors:\n${text}`);
    const m = /Requests\/sec:\s*([\d.]+)/.exec(text);
    if (!m) throw new Error(`Cannot read wrk output:\n${text}${new TextDecoder().decode(out.stderr)}`);
    return Number(m[1]);
  } finally {
    await Deno.remove(script);
  }
}

async function main(): Promise<void> {
  const flag = (name: string) => Deno.args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  const seconds = Number(flag("seconds") ?? 5);
  const connections = (flag("connections") ?? "1,16").split(",").map(Number);
  const useWrk = !Deno.args.includes("--no-wrk") && await haveWrk();
  const useDeno = !Deno.args.includes("--no-deno");
  const target = Deno.args.includes("--node") ? await startTarget() : await startBareServer();
  const port = target.port;
  const rows: Array<{ generator: string; connections: number; rps: number }> = [];
  try {
    for (const c of connections) {
      if (useWrk) rows.push({ generator: "wrk", connections: c, rps: await wrkLoad(port, c, seconds) });
      if (useDeno) rows.push({ generator: "deno", connections: c, rps: await denoLoad(port, c, seconds) });
    }
  } finally {
    await target.stop();
  }
  const what = Deno.args.includes("--node") ? "tsbtc node" : "RpcServer";
  console.log(
    `getblockcount over HTTP JSON-RPC (${what}), ${seconds} s per run, ${navigator.hardwareConcurrency} CPUs`,
  );
  for (const r of rows) {
    console.log(
      `${r.generator.padEnd(5)} ${String(r.connections).padStart(3)} connections: ${Math.round(r.rps)} req/s`,
    );
  }
  console.log(JSON.stringify({ rpc_getblockcount: rows.map((r) => ({ ...r, rps: Math.round(r.rps) })) }));
}

/** A real `tsbtc node -regtest` with -rpcuser=bench -rpcpassword=bench. */
async function startTarget(): Promise<{ port: number; stop(): Promise<void> }> {
  const { startNode } = await import("../tests/helpers.ts");
  const node = await startNode(["-rpcuser=bench", "-rpcpassword=bench"]);
  return {
    port: node.rpcPort,
    async stop() {
      await fetch(`http://127.0.0.1:${node.rpcPort}/`, {
        method: "POST",
        headers: { authorization: `Basic ${AUTH}` },
        body: '{"method":"stop","params":[]}',
      }).then((r) => r.body?.cancel());
      await node.wait();
      await node.cleanup();
    },
  };
}

/** A bare `RpcServer` in its own process (`--serve`). */
async function startBareServer(): Promise<{ port: number; stop(): Promise<void> }> {
  const config = new URL("../deno.json", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", config, new URL(import.meta.url).pathname, "--serve"],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let line = "";
  while (!line.includes("\n")) {
    const r = await reader.read();
    if (r.done) throw new Error("server exited before reporting its port");
    line += r.value;
  }
  const port = Number(/PORT (\d+)/.exec(line)![1]);
  reader.releaseLock();
  return {
    port,
    async stop() {
      await child.stdin.close();
      await child.stdout.cancel().catch(() => {});
      await child.status;
    },
  };
}

if (import.meta.main) {
  if (Deno.args.includes("--serve")) await serve();
  else await main();
}
