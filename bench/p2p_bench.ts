/**
 * P2P benchmarks (issue 6): block sync from one node to a fresh one (blocks/s and wire MB/s), block
 * propagation across three nodes in a line (mined → tip on all, ms) and transaction relay across the same
 * line (sendrawtransaction → in the last node's mempool, ms). Each runs tsbtc-to-tsbtc, and, when Core's
 * bitcoind is found (`BITCOIND`, or Core's build under /tmp/corebuild), bitcoind-to-bitcoind beside it and
 * across implementations (bitcoind → tsbtc, tsbtc → bitcoind), which also cross-checks the wire format.
 *
 * The address manager section (`addrman`) times `addpeeraddress` × 10,000 over RPC on both implementations
 * (rpc_net.py's workload) and, in process, tsbtc's AddrMan operations and its Deno KV database.
 *
 * Usage: `deno run -A --unstable-kv --unstable-worker-options bench/p2p_bench.ts [--blocks=2000] [--rounds=20]
 * [--txs=5] [--only=sync,propagation,memory,addrman]`
 *
 * @module
 */
import { tsbtcCommand } from "../tests/helpers.ts";
import { TestPeer } from "../tests/net/test_peer.ts";
import { parseIp } from "../net/address.ts";
import { AddrManDb } from "../net/addrman_db.ts";

const arg = (name: string, fallback: number) =>
  Number(Deno.args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const BLOCKS = arg("blocks", 2000);
const ROUNDS = arg("rounds", 20);
const TX_ROUNDS = arg("txs", 5);
const ONLY = new Set(
  (Deno.args.find((a) => a.startsWith("--only="))?.slice(7) ?? "sync,propagation,memory,addrman").split(","),
);
const CORE_BUILD = "/tmp/corebuild/libbitcoinkernel-sys/bitcoin/build/bin/bitcoind";
const BITCOIND = Deno.env.get("BITCOIND") ?? (await exists(CORE_BUILD) ? CORE_BUILD : null);
// Secret key 1: its P2WPKH address on regtest, and its WIF.
const ADDRESS = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080";
const WIF = "cMahea7zqjxrtgAbB7LSGbcQUr1uX1ojuat9jZodMN87JcbXMTcA";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

type Impl = "tsbtc" | "bitcoind";

interface BenchNode {
  impl: Impl;
  port: number;
  pid: number;
  call<T>(method: string, params?: unknown[]): Promise<T>;
  stop(): Promise<void>;
}

async function startNode(impl: Impl, extra: string[] = []): Promise<BenchNode> {
  const dir = await Deno.makeTempDir({ prefix: `p2pbench-${impl}-` });
  const port = freePort();
  const rpcPort = freePort();
  const common = [
    "-regtest",
    `-datadir=${dir}`,
    `-port=${port}`,
    `-rpcport=${rpcPort}`,
    "-bind=127.0.0.1",
    "-rpcbind=127.0.0.1",
    ...extra,
  ];
  let child: Deno.ChildProcess;
  if (impl === "tsbtc") {
    const { cmd, args } = tsbtcCommand(["node", ...common]);
    child = new Deno.Command(cmd, { args, stdout: "null", stderr: "null", stdin: "null" }).spawn();
  } else {
    child = new Deno.Command(BITCOIND!, {
      args: [
        ...common,
        "-rpcallowip=127.0.0.1",
        "-printtoconsole=0",
        "-dnsseed=0",
        "-fixedseeds=0",
        "-discover=0",
        "-listenonion=0",
        "-natpmp=0",
        "-v2transport=0",
      ],
      stdout: "null",
      stderr: "null",
      stdin: "null",
    }).spawn();
  }
  const call = async <T>(method: string, params: unknown[] = []): Promise<T> => {
    const cookie = await Deno.readTextFile(`${dir}/regtest/.cookie`);
    const res = await fetch(`http://127.0.0.1:${rpcPort}/`, {
      method: "POST",
      headers: { authorization: `Basic ${btoa(cookie)}` },
      body: JSON.stringify({ jsonrpc: "1.0", id: 1, method, params }),
    });
    const body = await res.json() as { result: T; error: unknown };
    if (body.error) throw new Error(`${impl} ${method}: ${JSON.stringify(body.error)}`);
    return body.result;
  };
  const deadline = Date.now() + 30_000;
  while (true) {
    try {
      await call("getblockcount");
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${impl} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    impl,
    port,
    pid: child.pid,
    call,
    async stop() {
      await call("stop").catch(() => {});
      const t = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await child.status;
      clearTimeout(t);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

async function waitUntil(f: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function connect(from: BenchNode, to: BenchNode): Promise<void> {
  await from.call("addnode", [`127.0.0.1:${to.port}`, "onetry"]);
  await waitUntil(
    async () => {
      const peers = await from.call<{ bytesrecv_per_msg: Record<string, number> }[]>("getpeerinfo");
      return peers.some((p) => (p.bytesrecv_per_msg.verack ?? 0) > 0);
    },
    10_000,
    "connection",
  );
}

async function mine(node: BenchNode, n: number): Promise<string> {
  let last = "";
  for (let done = 0; done < n; done += 500) {
    const hashes = await node.call<string[]>("generatetoaddress", [Math.min(500, n - done), ADDRESS]);
    last = hashes[hashes.length - 1];
  }
  return last;
}

/**
 * Mines `n` blocks; from height 102 on each block up to `txBlocks` carries a chain of `perBlock` transactions
 * (a matured coinbase spent, then each output spent again).
 */
async function mineWithTransactions(node: BenchNode, n: number, perBlock: number): Promise<string> {
  await mine(node, 101);
  let last = "";
  for (let h = 101, spend = 1; h < n; h++, spend++) {
    const block = await node.call<{ tx: { txid: string; vout: { value: number }[] }[] }>("getblock", [
      await node.call("getblockhash", [spend]),
      2,
    ]);
    let prev = { txid: block.tx[0].txid, amount: block.tx[0].vout[0].value };
    for (let i = 0; i < perBlock; i++) {
      const amount = Math.round((prev.amount - 0.0001) * 1e8) / 1e8;
      const raw = await node.call<string>("createrawtransaction", [[{ txid: prev.txid, vout: 0 }], [{
        [ADDRESS]: amount,
      }]]);
      const signed = await node.call<{ hex: string }>("signrawtransactionwithkey", [raw, [WIF]]);
      prev = { txid: await node.call<string>("sendrawtransaction", [signed.hex]), amount };
    }
    last = (await node.call<string[]>("generatetoaddress", [1, ADDRESS]))[0];
  }
  return last;
}

async function syncBench(source: Impl, target: Impl): Promise<string> {
  const a = await startNode(source);
  try {
    const txBlocks = Math.min(BLOCKS, 300);
    const tipTx = await mineWithTransactions(a, txBlocks, 4);
    const tip = BLOCKS > txBlocks ? await mine(a, BLOCKS - txBlocks) : tipTx;
    const height = await a.call<number>("getblockcount");
    const b = await startNode(target);
    try {
      const t0 = performance.now();
      await connect(b, a);
      await waitUntil(async () => await b.call<string>("getbestblockhash") === tip, 600_000, "sync");
      const ms = performance.now() - t0;
      const totals = await b.call<{ totalbytesrecv: number }>("getnettotals");
      const mb = totals.totalbytesrecv / 1e6;
      return `| ${source} → ${target} | ${height} | ${(ms / 1000).toFixed(2)} s | ${
        (height / (ms / 1000)).toFixed(0)
      } | ${(mb / (ms / 1000)).toFixed(2)} (${mb.toFixed(2)} MB) |`;
    } finally {
      await b.stop();
    }
  } finally {
    await a.stop();
  }
}

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `${q(0.5).toFixed(1)} | ${q(0.9).toFixed(1)} | ${s[0].toFixed(1)}`;
}

async function propagationBench(impl: Impl): Promise<string[]> {
  const nodes = [await startNode(impl), await startNode(impl), await startNode(impl)];
  try {
    await connect(nodes[1], nodes[0]);
    await connect(nodes[2], nodes[1]);
    await mine(nodes[0], 101);
    await waitUntil(
      async () => (await nodes[2].call<number>("getblockcount")) === 101,
      60_000,
      "initial sync",
    );
    const blockTimes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      const [hash] = await nodes[0].call<string[]>("generatetoaddress", [1, ADDRESS]);
      await waitUntil(
        async () =>
          (await Promise.all(nodes.map((n) => n.call<string>("getbestblockhash")))).every((h) => h === hash),
        30_000,
        "propagation",
      );
      blockTimes.push(performance.now() - t0);
    }
    const txTimes: number[] = [];
    for (let i = 0; i < TX_ROUNDS; i++) {
      const height = 1 + i;
      const block = await nodes[0].call<{ tx: string[] }>("getblock", [
        await nodes[0].call("getblockhash", [height]),
      ]);
      const raw = await nodes[0].call<string>("createrawtransaction", [[{ txid: block.tx[0], vout: 0 }], [{
        [ADDRESS]: 49.99,
      }]]);
      const signed = await nodes[0].call<{ hex: string }>("signrawtransactionwithkey", [raw, [WIF]]);
      const t0 = performance.now();
      const txid = await nodes[0].call<string>("sendrawtransaction", [signed.hex]);
      await waitUntil(
        async () => (await nodes[2].call<string[]>("getrawmempool")).includes(txid),
        60_000,
        "tx relay",
      );
      txTimes.push(performance.now() - t0);
    }
    return [
      `| ${impl} | block: mined → tip on all 3 | ${ROUNDS} | ${stats(blockTimes)} |`,
      `| ${impl} | transaction: sent → in node 3's mempool | ${TX_ROUNDS} | ${stats(txTimes)} |`,
    ];
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
}

/** RSS of a process and its descendants, kB (Linux /proc). */
function rssKb(pid: number): number {
  let total = 0;
  const walk = (p: number) => {
    try {
      total += Number(/VmRSS:\s+(\d+)/.exec(Deno.readTextFileSync(`/proc/${p}/status`))?.[1] ?? 0);
      for (
        const k of Deno.readTextFileSync(`/proc/${p}/task/${p}/children`).trim().split(/\s+/).filter(Boolean)
      ) {
        walk(Number(k));
      }
    } catch { /* gone */ }
  };
  walk(pid);
  return total;
}

/** Memory per connection: RSS with 100 handshaken raw peers minus RSS without, divided by 100. */
async function memoryBench(impl: Impl): Promise<string> {
  const n = 100;
  const node = await startNode(impl, ["-maxconnections=200"]);
  const peers: TestPeer[] = [];
  try {
    await new Promise((r) => setTimeout(r, 3000));
    const before = rssKb(node.pid);
    for (let i = 0; i < n; i++) {
      const p = await TestPeer.connect(node.port);
      await p.handshake({ nonce: BigInt(1000 + i) });
      peers.push(p);
    }
    await new Promise((r) => setTimeout(r, 3000));
    const after = rssKb(node.pid);
    return `| ${impl} | ${(before / 1024).toFixed(1)} MB | ${(after / 1024).toFixed(1)} MB | ${
      ((after - before) / n).toFixed(0)
    } kB |`;
  } finally {
    for (const p of peers) p.close();
    await node.stop();
  }
}

/** rpc_net.py's workload: 10,000 `addpeeraddress` calls (a.b.1.1:8333), then `getnodeaddresses 0`. */
async function addrmanRpcBench(impl: Impl): Promise<string> {
  const node = await startNode(impl);
  try {
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) await node.call("addpeeraddress", [`${i >> 8}.${i % 256}.1.1`, 8333]);
    const add = performance.now() - t0;
    const t1 = performance.now();
    const all = await node.call<unknown[]>("getnodeaddresses", [0]);
    const get = performance.now() - t1;
    return `| ${impl} | ${(add / 1000).toFixed(2)} s (${(add / 10).toFixed(0)} µs/call) | ${all.length} | ${
      get.toFixed(1)
    } ms |`;
  } finally {
    await node.stop();
  }
}

/** tsbtc's AddrMan and its database in process. */
async function addrmanLibBench(): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "p2pbench-addrman-" });
  try {
    const db = await AddrManDb.open({ dir, flushIntervalMs: 0 });
    const am = db.addrman;
    const now = Math.floor(Date.now() / 1000);
    const src = parseIp("250.1.1.1")!;
    const t0 = performance.now();
    for (let i = 0; i < 50_000; i++) {
      const ip = parseIp(`${1 + (i % 200)}.${(i >> 8) & 255}.${i & 255}.7`)!;
      am.add([{ ...ip, port: 8333, services: 9n, time: now }], (i & 1) ? src : ip);
    }
    const add = performance.now() - t0;
    const size = am.size();
    const t1 = performance.now();
    for (let i = 0; i < 10_000; i++) am.select();
    const select = performance.now() - t1;
    const t2 = performance.now();
    const got = am.getAddr(1000, 23).length;
    const getAddr = performance.now() - t2;
    const t3 = performance.now();
    await db.flush();
    const flush = performance.now() - t3;
    await db.close();
    const t4 = performance.now();
    const db2 = await AddrManDb.open({ dir, flushIntervalMs: 0 });
    const load = performance.now() - t4;
    const loaded = db2.addrman.size();
    await db2.close();
    return [
      `| add 50,000 addresses | ${add.toFixed(0)} ms (${
        (add * 1000 / 50_000).toFixed(1)
      } µs each; ${size} kept) |`,
      `| select × 10,000 | ${select.toFixed(0)} ms (${(select / 10).toFixed(2)} µs each) |`,
      `| getAddr(1000, 23%) | ${getAddr.toFixed(1)} ms (${got} addresses) |`,
      `| first flush to Deno KV | ${flush.toFixed(0)} ms (${size} records) |`,
      `| load from Deno KV | ${load.toFixed(0)} ms (${loaded} addresses) |`,
    ];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

console.log(
  `Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs; bitcoind: ${BITCOIND ?? "not found"}`,
);
if (ONLY.has("addrman")) {
  console.log(`\nAddress manager: 10,000 addpeeraddress calls over RPC, then getnodeaddresses 0:\n`);
  console.log("| node | addpeeraddress × 10,000 | kept | getnodeaddresses 0 |");
  console.log("| --- | --- | --- | --- |");
  for (const impl of BITCOIND ? ["tsbtc", "bitcoind"] as Impl[] : ["tsbtc"] as Impl[]) {
    try {
      console.log(await addrmanRpcBench(impl));
    } catch (e) {
      console.log(`| ${impl} | failed: ${e instanceof Error ? e.message : e} | | |`);
    }
  }
  console.log(`\ntsbtc's AddrMan in process:\n`);
  console.log("| operation | time |");
  console.log("| --- | --- |");
  for (const line of await addrmanLibBench()) console.log(line);
}
if (ONLY.has("sync")) {
  console.log(
    `\nSync of ${BLOCKS} regtest blocks (the first 300 carry 4 transactions each from height 102 on) to a fresh node:\n`,
  );
  console.log("| source → fresh node | blocks | time | blocks/s | wire MB/s |");
  console.log("| --- | --- | --- | --- | --- |");
  const pairs: [Impl, Impl][] = [["tsbtc", "tsbtc"]];
  if (BITCOIND) pairs.push(["bitcoind", "bitcoind"], ["bitcoind", "tsbtc"], ["tsbtc", "bitcoind"]);
  for (const [s, t] of pairs) {
    try {
      console.log(await syncBench(s, t));
    } catch (e) {
      console.log(`| ${s} → ${t} | failed: ${e instanceof Error ? e.message : e} | | | |`);
    }
  }
}
if (ONLY.has("propagation")) {
  console.log(`\nPropagation across three nodes in a line (0 ← 1 ← 2), ms:\n`);
  console.log("| nodes | what | samples | median | p90 | min |");
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const impl of BITCOIND ? ["tsbtc", "bitcoind"] as Impl[] : ["tsbtc"] as Impl[]) {
    try {
      for (const line of await propagationBench(impl)) console.log(line);
    } catch (e) {
      console.log(`| ${impl} | failed: ${e instanceof Error ? e.message : e} | | | | |`);
    }
  }
}
if (ONLY.has("memory")) {
  console.log(
    `\nMemory per connection (100 raw peers after the handshake, RSS of the node's process tree):\n`,
  );
  console.log("| node | RSS without peers | with 100 | per connection |");
  console.log("| --- | --- | --- | --- |");
  for (const impl of BITCOIND ? ["tsbtc", "bitcoind"] as Impl[] : ["tsbtc"] as Impl[]) {
    try {
      console.log(await memoryBench(impl));
    } catch (e) {
      console.log(`| ${impl} | failed: ${e instanceof Error ? e.message : e} | | |`);
    }
  }
}
