/**
 * Side by side with Bitcoin Core: runs the same client against `tsbtc node` and against a `bitcoind` binary you
 * name (built outside this repository; nothing here builds Core), on regtest with fresh data directories:
 * start to RPC ready, `generatetoaddress 101` (no wallet), and `getblockcount` requests/s with 16 keep-alive
 * connections (wrk, if installed).
 *
 * Usage: `[BITCOIND=/path/to/bitcoind] deno run -A bench/compare_bitcoind.ts [--runs=5] [--baseline=<dir>]`
 * (without BITCOIND, Core's build under /tmp/corebuild is used when present; `--baseline` adds another tsbtc
 * checkout, e.g. an earlier commit extracted with `git archive`). The targets take turns run by run. Besides
 * wall-clock medians it prints the CPU time the node process used (all threads, from /proc on Linux), which a
 * loaded machine disturbs much less.
 *
 * @module
 */
import { freePort, tsbtcCommand } from "../tests/helpers.ts";

const ADDRESS = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080";
const runs = Number(Deno.args.find((a) => a.startsWith("--runs="))?.slice(7) ?? 5);
const AUTH = `Basic ${btoa("bench:bench")}`;

interface Target {
  name: string;
  command(dataDir: string, port: number): { cmd: string; args: string[] };
}

async function rpc(port: number, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${port}/`, {
    method: "POST",
    headers: { authorization: AUTH },
    body: JSON.stringify({ jsonrpc: "1.0", id: 1, method, params }),
  });
  const body = await res.json();
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

interface Figures {
  start: number[];
  generate: number[];
  /** CPU time of the process (all threads) until RPC answered, and during generatetoaddress (ms). */
  startCpu: number[];
  generateCpu: number[];
  rps: number | null;
}

/** User + system CPU time of process `pid` in ms (Linux /proc, 10 ms ticks), or NaN elsewhere. */
function cpuMs(pid: number): number {
  try {
    const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** One run of `t`: start, generatetoaddress 101, and (when `load`) the getblockcount load test. */
async function measureOnce(t: Target, into: Figures, load: boolean, attempt = 1): Promise<void> {
  const { start, generate } = into;
  const dir = await Deno.makeTempDir({ prefix: "tsbtc-compare-" });
  const port = freePort();
  const { cmd, args } = t.command(dir, port);
  const t0 = performance.now();
  const child = new Deno.Command(cmd, { args, stdout: "null", stderr: "null", stdin: "null" }).spawn();
  let exited = false;
  child.status.then(() => exited = true);
  let retry = false;
  try {
    for (;;) {
      try {
        await rpc(port, "getblockcount");
        break;
      } catch {
        // A node that exits at start (e.g. its port was taken meanwhile by other work on the machine) is
        // started again on another port; one that never answers fails the run.
        if (exited || performance.now() - t0 > 60_000) {
          if (attempt >= 3) throw new Error(`${t.name} did not start`);
          retry = true;
          return;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    }
    start.push(performance.now() - t0);
    const c1 = cpuMs(child.pid);
    into.startCpu.push(c1);
    const t1 = performance.now();
    await rpc(port, "generatetoaddress", [101, ADDRESS]);
    generate.push(performance.now() - t1);
    into.generateCpu.push(cpuMs(child.pid) - c1);
    if (load) into.rps = await wrk(port);
    await rpc(port, "stop");
    await child.status;
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
    await child.status;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  if (retry) await measureOnce(t, into, load, attempt + 1);
}

async function wrk(port: number): Promise<number | null> {
  const script = await Deno.makeTempFile({ suffix: ".lua" });
  await Deno.writeTextFile(
    script,
    `wrk.method = "POST"\nwrk.body = '{"jsonrpc":"1.0","id":1,"method":"getblockcount","params":[]}'\n` +
      `wrk.headers["Authorization"] = "${AUTH}"\nwrk.headers["Content-Type"] = "application/json"\n`,
  );
  try {
    const out = await new Deno.Command("wrk", {
      args: ["-t1", "-c16", "-d3s", "-s", script, `http://127.0.0.1:${port}/`],
      stdout: "piped",
      stderr: "null",
    }).output();
    const m = new TextDecoder().decode(out.stdout).match(/Requests\/sec:\s+([\d.]+)/);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  } finally {
    await Deno.remove(script);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const nodeArgs = (dir: string, port: number) => [
  "node",
  "-regtest",
  `-datadir=${dir}`,
  `-rpcport=${port}`,
  "-rpcuser=bench",
  "-rpcpassword=bench",
];
const targets: Target[] = [{ name: "tsbtc node", command: (dir, port) => tsbtcCommand(nodeArgs(dir, port)) }];
// --baseline=<another tsbtc checkout>: the same measures for that tree, interleaved (before/after comparisons).
const baseline = Deno.args.find((a) => a.startsWith("--baseline="))?.slice(11);
if (baseline !== undefined) {
  targets.push({
    name: `tsbtc node (${baseline})`,
    command: (dir, port) => {
      const { cmd, args } = tsbtcCommand(nodeArgs(dir, port));
      return {
        cmd,
        args: args.map((a) =>
          a.startsWith("--config=")
            ? `--config=${baseline}/deno.json`
            : a.endsWith("/cli/main.ts")
            ? `${baseline}/cli/main.ts`
            : a
        ),
      };
    },
  });
}
const CORE_BUILD = "/tmp/corebuild/libbitcoinkernel-sys/bitcoin/build/bin/bitcoind";
const bitcoind = Deno.env.get("BITCOIND") ??
  (await Deno.stat(CORE_BUILD).then(() => CORE_BUILD, () => undefined));
if (bitcoind) {
  targets.push({
    name: "bitcoind",
    command: (dir, port) => ({
      cmd: bitcoind,
      args: [
        "-regtest",
        `-datadir=${dir}`,
        `-rpcport=${port}`,
        "-rpcuser=bench",
        "-rpcpassword=bench",
        "-disablewallet",
        "-listen=0",
        "-server",
        "-rpcthreads=16",
      ],
    }),
  });
}

console.log(
  "| target | start to RPC ready (median ms) | generatetoaddress 101 (median ms) | getblockcount req/s, 16 conns " +
    "| CPU to RPC ready (ms) | CPU of generatetoaddress 101 (ms) |",
);
console.log("| --- | --- | --- | --- | --- | --- |");
// Targets take turns run by run, so that changes in the machine's load fall on all of them alike.
const figures = targets.map((): Figures => ({
  start: [],
  generate: [],
  startCpu: [],
  generateCpu: [],
  rps: null,
}));
for (let i = 0; i < runs; i++) {
  for (let k = 0; k < targets.length; k++) await measureOnce(targets[k], figures[k], i === 0);
}
for (let k = 0; k < targets.length; k++) {
  const t = targets[k];
  const r = figures[k];
  console.log(
    `| ${t.name} | ${median(r.start).toFixed(0)} | ${median(r.generate).toFixed(0)} | ${
      r.rps === null ? "n/a" : Math.round(r.rps)
    } | ${median(r.startCpu)} | ${median(r.generateCpu)} |`,
  );
}
