/**
 * Runs every benchmark of issue 2 in one go and prints the figures side by side with Bitcoin Core's reference
 * figures for this kind of machine. Run: `deno run -A bench/run_all.ts [--quick]`. The output is what
 * docs/performance.md quotes.
 *
 * @module
 */

const here = (name: string) => new URL(`./${name}`, import.meta.url).pathname;
const config = new URL("../deno.json", import.meta.url).pathname;
const quick = Deno.args.includes("--quick");

async function run(title: string, script: string, args: string[]): Promise<void> {
  console.log(`\n## ${title}\n`);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-kv",
      "--unstable-worker-options",
      `--config=${config}`,
      here(script),
      ...args,
    ],
    stdout: "piped",
    stderr: "inherit",
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(out.stdout).split("\n").filter((l) => !l.startsWith("{")).join("\n");
  console.log(text.trim());
  if (!out.success) console.log(`(exited with status ${out.code})`);
}

const load = Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
console.log(`# tsbtc benchmarks — ${new Date().toISOString()}`);
console.log(`Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs, load average ${load}`);
console.log(`
Bitcoin Core reference figures on this kind of machine (from the issue and ../shared/notes):
| measure | Bitcoin Core |
| --- | --- |
| IPC echo round trip, median (libmultiprocess, C++ client, unix socket) | 120–340 µs |
| IPC echo, 100 calls in flight | 3,700–4,000 calls/s |
| IPC executeRpc round trip | 330–355 µs |
| bitcoind regtest start to RPC ready | about 160 ms |
| getblockcount over HTTP, 16 keep-alive connections | about 51,000 req/s |`);

await run("IPC echo (tsbtc engine; C++ capnp client for the like-for-like line)", "ipc_bench.ts", [
  ...(quick ? ["--quick"] : []),
  "--cpp",
]);
await run("JSON-RPC getblockcount: bare RpcServer", "rpc_load.ts", [`--seconds=${quick ? 2 : 5}`]);
await run("JSON-RPC getblockcount: a real `tsbtc node` (sandboxed)", "rpc_load.ts", [
  "--node",
  `--seconds=${quick ? 2 : 5}`,
]);
await run("Node start and echoipc", "node_bench.ts", [`--runs=${quick ? 5 : 15}`]);
