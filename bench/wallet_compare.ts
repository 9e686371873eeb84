/**
 * The wallet side by side with Bitcoin Core's: the same RPC client drives `tsbtc node` (whose wallet is a
 * separate, sandboxed process behind Cap'n Proto) and a `bitcoind` built with its wallet, on regtest with fresh
 * data directories, and measures what issue 5 names:
 *
 * - `createwallet` and `getnewaddress` latency;
 * - `sendtoaddress` latency with a fresh wallet (a few coinbase UTXOs), with 1,000 and with 10,000 UTXOs;
 * - `getbalances` and `listunspent` with 10,000 UTXOs;
 * - notification latency: from calling `generatetoaddress 1` to `gettransaction` showing the confirmation
 *   (and `generatetoaddress 1` alone, for reference);
 * - `rescanblockchain` over 1,000 blocks (each paying the wallet).
 *
 * The UTXOs are made by the wallet itself: `sendmany` of 1,000 outputs to its own new addresses (one
 * JSON-RPC batch of `getnewaddress` per `sendmany`), confirmed before measuring.
 *
 * Usage: `[BITCOIND=/path/to/bitcoind] deno run -A bench/wallet_compare.ts [--only=tsbtc|bitcoind]
 * [--utxos=10000] [--rescan=1000]` (without BITCOIND, Core's build under /tmp/corebuild is used when present
 * and built with its wallet; nothing here builds Core). Prints a Markdown table of medians (ms).
 *
 * @module
 */
import { type BenchClient, benchNodeCommand, findBitcoind, startBenchNode } from "./bench_node.ts";

const EXTERNAL = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080";
const argValue = (name: string) => Deno.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const UTXOS = Number(argValue("utxos") ?? 10_000);
const RESCAN_BLOCKS = Number(argValue("rescan") ?? 1_000);
const only = argValue("only");

interface Target {
  name: string;
  command(dataDir: string, port: number): { cmd: string; args: string[] };
}

const targets: Target[] = [];
if (only === undefined || only === "tsbtc") {
  targets.push({ name: "tsbtc node", command: benchNodeCommand("tsbtc", "", ["-fallbackfee=0.0002"]) });
}
const bitcoind = await findBitcoind();
if (bitcoind && (only === undefined || only === "bitcoind")) {
  targets.push({
    name: "bitcoind",
    command: benchNodeCommand("bitcoind", bitcoind, ["-fallbackfee=0.0002"]),
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(n: number, fn: () => Promise<unknown>): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

/** Gives the wallet `count` more confirmed UTXOs of 0.001 BTC, 1,000 per `sendmany`. */
async function addUtxos(c: BenchClient, w: string, count: number): Promise<void> {
  for (let done = 0; done < count; done += 1000) {
    const n = Math.min(1000, count - done);
    const addrs = await c.batch(Array.from({ length: n }, () => ["getnewaddress", []]), w) as string[];
    const amounts: Record<string, number> = {};
    for (const a of addrs) amounts[a] = 0.001;
    await c.call("sendmany", ["", amounts], w);
  }
  await c.call("generatetoaddress", [1, EXTERNAL]);
}

async function measure(t: Target): Promise<Record<string, number>> {
  const node = await startBenchNode(t.name, t.command);
  const c = node.client;
  const out: Record<string, number> = {};
  try {
    let k = 0;
    out["createwallet"] = await timed(3, () => c.call("createwallet", [`w${k++}`]));
    const w = "w0";
    out["getnewaddress"] = await timed(50, () => c.call("getnewaddress", [], w));
    const mine = await c.call("getnewaddress", [], w) as string;
    // 150 coinbases to the wallet: 50 mature (enough funds for the UTXO fan-out below).
    await c.call("generatetoaddress", [150, mine]);
    out["sendtoaddress, fresh wallet"] = await timed(20, () => c.call("sendtoaddress", [EXTERNAL, 0.01], w));
    await c.call("generatetoaddress", [1, EXTERNAL]);
    await addUtxos(c, w, 1000);
    out["sendtoaddress, 1,000 UTXOs"] = await timed(10, () => c.call("sendtoaddress", [EXTERNAL, 0.0005], w));
    await c.call("generatetoaddress", [1, EXTERNAL]);
    if (UTXOS > 1000) {
      await addUtxos(c, w, UTXOS - 1000);
      const label = `${UTXOS.toLocaleString("en")} UTXOs`;
      out[`getbalances, ${label}`] = await timed(10, () => c.call("getbalances", [], w));
      out[`listunspent, ${label}`] = await timed(5, () => c.call("listunspent", [], w));
      out[`sendtoaddress, ${label}`] = await timed(5, () => c.call("sendtoaddress", [EXTERNAL, 0.0005], w));
    }
    // Block connected → the wallet shows the confirmation.
    const conf: number[] = [];
    const gen: number[] = [];
    for (let i = 0; i < 10; i++) {
      const txid = await c.call("sendtoaddress", [EXTERNAL, 0.0001], w) as string;
      const t1 = performance.now();
      await c.call("generatetoaddress", [1, EXTERNAL]);
      gen.push(performance.now() - t1);
      for (;;) {
        const tx = await c.call("gettransaction", [txid], w) as { confirmations: number };
        if (tx.confirmations >= 1) break;
      }
      conf.push(performance.now() - t1);
    }
    out["generatetoaddress 1"] = median(gen);
    out["generatetoaddress 1 → gettransaction confirmed"] = median(conf);
    if (RESCAN_BLOCKS > 0) {
      await c.call("generatetoaddress", [RESCAN_BLOCKS, mine]);
      const height = await c.call("getblockcount") as number;
      out[`rescanblockchain, ${height + 1} blocks`] = await timed(3, () => c.call("rescanblockchain", [], w));
    }
  } finally {
    await node.stop();
  }
  return out;
}

const results: Array<Record<string, number>> = [];
for (const t of targets) {
  console.error(`measuring ${t.name}…`);
  results.push(await measure(t));
}
const rows = [...new Set(results.flatMap((r) => Object.keys(r)))];
console.log(`| measure (median ms) | ${targets.map((t) => t.name).join(" | ")} |`);
console.log(`| --- |${targets.map(() => " --- |").join("")}`);
for (const row of rows) {
  console.log(
    `| ${row} | ${results.map((r) => r[row] === undefined ? "n/a" : r[row].toFixed(1)).join(" | ")} |`,
  );
}
