/**
 * The wallet core's costs, as a client sees them through `tsbtc node -regtest` and its wallet process (JSON-RPC
 * over HTTP to `/wallet/<name>`, Cap'n Proto between node and wallet):
 *
 * - `createwallet` (8 default descriptors, `-keypool` lookahead each; default 1000);
 * - `getnewaddress` latency (median of `--runs` calls);
 * - block connect → wallet: `generatetoaddress 1` to a wallet address, then `gettransaction` of the coinbase
 *   polled until it shows 1 confirmation (time from sending generatetoaddress);
 * - `rescanblockchain` over `--blocks` blocks (default 1,000) mined to the wallet;
 * - with `--utxos=N` (default 10,000): a wallet holding N UTXOs (sendmany of 1,000 outputs to its own new
 *   addresses, then a block, repeated), then loadwallet time, getnewaddress and the block connect latency again.
 *
 * Usage: `deno run -A --unstable-kv bench/wallet_core_bench.ts [--keypool=1000] [--blocks=1000] [--utxos=10000]
 * [--runs=20]`
 *
 * @module
 */
import { startNode, type TestNode } from "../tests/helpers.ts";
import { ok, walletCall, walletReady } from "../tests/wallet/wallet_rpc_helpers.ts";

const argValue = (name: string) => Deno.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const KEYPOOL = Number(argValue("keypool") ?? 1000);
const BLOCKS = Number(argValue("blocks") ?? 1000);
const UTXOS = Number(argValue("utxos") ?? 10_000);
const RUNS = Number(argValue("runs") ?? 20);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

/** generatetoaddress 1 to `address`, then gettransaction of its coinbase until it has 1 confirmation. */
async function connectLatency(node: TestNode, wallet: string, address: string): Promise<number> {
  const t = performance.now();
  const [hash] = await ok<string[]>(node, "generatetoaddress", [1, address]);
  const block = await ok<{ tx: string[] }>(node, "getblock", [hash, 1]);
  for (;;) {
    const r = await walletCall(node, "gettransaction", [block.tx[0]], wallet);
    if (r.error === null && (r.result as { confirmations: number }).confirmations === 1) break;
  }
  return performance.now() - t;
}

const node = await startNode([`-keypool=${KEYPOOL}`, "-fallbackfee=0.0001"]);
const out: Array<[string, string]> = [];
try {
  await walletReady(node);
  const [, create] = await timed(() => ok(node, "createwallet", ["w"]));
  out.push([`createwallet (keypool ${KEYPOOL})`, `${create.toFixed(0)} ms`]);
  const early: number[] = [];
  for (let i = 0; i < 5; i++) early.push((await timed(() => ok(node, "getnewaddress", [], "w")))[1]);
  out.push(["getnewaddress while the lookahead is derived (median of 5)", `${median(early).toFixed(1)} ms`]);
  const [, ready] = await timed(() => ok(node, "getwalletinfo", [], "w"));
  out.push([
    `lookahead complete (getwalletinfo waits for it; after createwallet + 5 addresses)`,
    `${(create + early.reduce((a, b) => a + b, 0) + ready).toFixed(0)} ms`,
  ]);
  const addrTimes: number[] = [];
  let address = "";
  for (let i = 0; i < RUNS; i++) {
    const [a, ms] = await timed(() => ok<string>(node, "getnewaddress", [], "w"));
    address = a;
    addrTimes.push(ms);
  }
  out.push(["getnewaddress (median)", `${median(addrTimes).toFixed(2)} ms`]);

  const [, mine] = await timed(() => ok(node, "generatetoaddress", [BLOCKS, address]));
  out.push([`generatetoaddress ${BLOCKS} to the wallet`, `${mine.toFixed(0)} ms`]);
  const connects: number[] = [];
  for (let i = 0; i < Math.min(RUNS, 10); i++) connects.push(await connectLatency(node, "w", address));
  out.push(["block connect → gettransaction confirmed (median)", `${median(connects).toFixed(1)} ms`]);
  const [, rescan] = await timed(() => ok(node, "rescanblockchain", [], "w"));
  out.push([
    `rescanblockchain (${BLOCKS + connects.length + 1} blocks, all paying the wallet)`,
    `${rescan.toFixed(0)} ms`,
  ]);

  if (UTXOS > 0) {
    let made = 0;
    while (made < UTXOS) {
      const n = Math.min(1000, UTXOS - made);
      const amounts: Record<string, number> = {};
      for (let i = 0; i < n; i++) amounts[await ok<string>(node, "getnewaddress", [], "w")] = 0.001;
      await ok(node, "sendmany", ["", amounts], "w");
      await ok(node, "generatetoaddress", [1, address]);
      made += n;
    }
    const info = await ok<{ txcount: number }>(node, "getwalletinfo", [], "w");
    await ok(node, "unloadwallet", ["w"]);
    const [, load] = await timed(() => ok(node, "loadwallet", ["w"]));
    out.push([`loadwallet (${UTXOS} extra UTXOs, ${info.txcount} transactions)`, `${load.toFixed(0)} ms`]);
    const addr2: number[] = [];
    for (let i = 0; i < RUNS; i++) addr2.push((await timed(() => ok(node, "getnewaddress", [], "w")))[1]);
    out.push([`getnewaddress with ${UTXOS} UTXOs (median)`, `${median(addr2).toFixed(2)} ms`]);
    const c2: number[] = [];
    for (let i = 0; i < Math.min(RUNS, 10); i++) c2.push(await connectLatency(node, "w", address));
    out.push([`block connect → confirmed with ${UTXOS} UTXOs (median)`, `${median(c2).toFixed(1)} ms`]);
  }
} finally {
  await node.cleanup();
}
console.log("| measure | time |\n| --- | --- |");
for (const [k, v] of out) console.log(`| ${k} | ${v} |`);
