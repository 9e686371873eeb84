/**
 * Node-level figures: `tsbtc node` start to RPC ready, and `echoipc` latency (spawn of a sandboxed echo process,
 * makeEcho, echo, stop). Run: `deno run -A bench/node_bench.ts [--runs=N]`. Prints a table (and JSON with
 * `--json`).
 *
 * @module
 */
import { startNode } from "../tests/helpers.ts";

function stats(xs: number[]): { median: number; p90: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: at(0.5), p90: at(0.9), min: s[0], max: s[s.length - 1] };
}

async function main(): Promise<void> {
  const runs = Number(Deno.args.find((a) => a.startsWith("--runs="))?.slice(7) ?? 10);

  // 1. Start to RPC ready: from spawning the process to the first successful getblockcount.
  const startTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const node = await startNode();
    startTimes.push(performance.now() - t0);
    await node.rpc("stop");
    await node.wait();
    await node.cleanup();
  }

  // 2. echoipc latency over HTTP JSON-RPC, including the spawn of the echo process.
  const node = await startNode();
  const echoTimes: number[] = [];
  const countTimes: number[] = [];
  try {
    await node.rpc("echoipc", ["warm-up"]);
    for (let i = 0; i < runs * 2; i++) {
      const t0 = performance.now();
      const r = await node.rpc("echoipc", [`x${i}`]);
      echoTimes.push(performance.now() - t0);
      if (r.result !== `x${i}`) throw new Error(`echoipc returned ${JSON.stringify(r)}`);
      const t1 = performance.now();
      await node.rpc("getblockcount");
      countTimes.push(performance.now() - t1);
    }
  } finally {
    await node.rpc("stop");
    await node.wait();
    await node.cleanup();
  }

  const rows = {
    "node start to RPC ready (ms)": stats(startTimes),
    "echoipc incl. spawn (ms)": stats(echoTimes),
    "getblockcount, fresh fetch (ms)": stats(countTimes),
  };
  if (Deno.args.includes("--json")) console.log(JSON.stringify(rows));
  else {
    console.log("| measure | median | p90 | min | max |\n| --- | --- | --- | --- | --- |");
    for (const [k, v] of Object.entries(rows)) {
      console.log(
        `| ${k} | ${v.median.toFixed(1)} | ${v.p90.toFixed(1)} | ${v.min.toFixed(1)} | ${v.max.toFixed(1)} |`,
      );
    }
  }
}

if (import.meta.main) await main();
