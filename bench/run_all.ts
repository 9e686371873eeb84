/**
 * Runs every benchmark in one go and prints the figures side by side with Bitcoin Core's reference figures for
 * this kind of machine. Run: `deno run -A bench/run_all.ts [--quick] [--only=ipc,rpc,node,core,storage,chain,compare]`
 * (`chain` and `compare` run bitcoind beside tsbtc when `BITCOIND` names a binary or Core's build is under
 * /tmp/corebuild). The output is
 * what docs/performance.md quotes.
 *
 * @module
 */

const here = (name: string) => new URL(`./${name}`, import.meta.url).pathname;
const config = new URL("../deno.json", import.meta.url).pathname;
const quick = Deno.args.includes("--quick");
const only = Deno.args.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const want = (section: string) => only === undefined || only.includes(section);

async function run(title: string, script: string, args: string[], denoFlags: string[] = []): Promise<void> {
  console.log(`\n## ${title}\n`);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-kv",
      "--unstable-worker-options",
      ...denoFlags,
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
| getblockcount over HTTP, 16 keep-alive connections | about 51,000 req/s |
| generatetoaddress 101, no wallet | about 25 ms |
| node RSS at idle after 1,000 blocks (regtest) | about 60 MB |`);

if (want("ipc")) {
  await run("IPC echo (tsbtc engine; C++ capnp client for the like-for-like line)", "ipc_bench.ts", [
    ...(quick ? ["--quick"] : []),
    "--cpp",
  ]);
}
if (want("rpc")) {
  await run("JSON-RPC getblockcount: bare RpcServer", "rpc_load.ts", [`--seconds=${quick ? 2 : 5}`]);
  await run("JSON-RPC getblockcount: a real `tsbtc node` (sandboxed)", "rpc_load.ts", [
    "--node",
    `--seconds=${quick ? 2 : 5}`,
  ]);
}
if (want("node")) await run("Node start and echoipc", "node_bench.ts", [`--runs=${quick ? 5 : 15}`]);
if (want("storage")) {
  await run("Storage: block files, coins cache and Deno KV", "storage_bench.ts", quick ? ["--quick"] : [], [
    "--v8-flags=--expose-gc",
  ]);
}
if (want("compare")) {
  await run(
    "Side by side with bitcoind: start, generatetoaddress 101, getblockcount load",
    "compare_bitcoind.ts",
    [
      `--runs=${quick ? 3 : 7}`,
    ],
  );
}
if (want("chain")) {
  await run("Chain: connecting blocks through the chainstate API", "chain_bench.ts", [
    "--rounds",
    quick ? "1" : "2",
  ]);
  await run(
    "Chain over RPC, side by side with bitcoind: submitblock, getblock 2, idle RSS",
    "chain_rpc_bench.ts",
    [],
  );
}
if (want("mempool")) {
  await run("Mempool: acceptance, block assembly, block connect", "mempool_bench.ts", [
    `--txs=${quick ? 300 : 1000}`,
  ]);
}
if (want("fees")) await run("Fee estimation", "fees_bench.ts", quick ? ["--quick"] : []);
if (want("index")) await run("Indexes", "index_bench.ts", quick ? ["--quick"] : []);
if (want("wallet")) {
  await run("Wallet coin selection", "coin_selection_bench.ts", []);
  await run("Wallet boundary: Chain calls and notifications", "chain_ipc_bench.ts", [
    ...(quick ? ["--quick"] : []),
    "--process",
  ]);
}
if (want("p2p")) await run("P2P: sync, propagation, relay, memory per connection", "p2p_bench.ts", []);
if (want("core")) {
  const q = quick ? ["--quick"] : [];
  await run("Consensus core: deserialization and hashing", "core_wire_bench.ts", q);
  await run("Consensus core: signature verification backends", "core_sig_bench.ts", q);
  if (await exists(here("core_verify_bench.ts"))) {
    await run("Consensus core: interpreter and Worker pool", "core_verify_bench.ts", q);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
