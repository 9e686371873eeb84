/**
 * `getbalances` and `listunspent` over a wallet with many UTXOs.
 *
 * In process (default): no node, no IPC — the in-memory fake WalletCore of the tests holds `--utxos` confirmed
 * P2WPKH outputs (one transaction per 100 outputs, one script each, half of them labelled), and the RPC table
 * runs the real method code (`wallet/rpc/coins.ts` over `wallet/receive.ts` and `wallet/available_coins.ts`).
 *
 * With `--node=tsbtc` or `--node=bitcoind` (Core's build under /tmp/corebuild, or `BITCOIND`): a fresh regtest
 * node over HTTP; the wallet gets its UTXOs from itself (`sendmany` of 1,000 outputs to new addresses, then a
 * block), and the calls are timed as a client sees them. Also times the first `getbalances` after a new block.
 *
 * Prints the median of `--runs` calls (ms) after one warm-up call.
 *
 * Usage: `deno run -A bench/wallet_balances_bench.ts [--utxos=10000] [--runs=7] [--node=tsbtc|bitcoind]`
 *
 * @module
 */
import { RpcTable } from "../rpc/table.ts";
import { coinsMethods } from "../wallet/rpc/coins.ts";
import { FakeWallet } from "../tests/wallet/fake_wallet.ts";

const argValue = (name: string) => Deno.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const UTXOS = Number(argValue("utxos") ?? 10_000);
const RUNS = Number(argValue("runs") ?? 7);
const NODE = argValue("node");

if (NODE !== undefined) {
  await nodeBench(NODE);
  Deno.exit(0);
}

const w = new FakeWallet();
w.height = 200;
let made = 0;
let n = 0;
while (made < UTXOS) {
  const outs = [];
  for (let i = 0; i < 100 && made < UTXOS; i++, made++) {
    outs.push({ value: 100_000n + BigInt(made), scriptPubKey: w.newScript(made % 2 === 0 ? "" : undefined) });
  }
  w.addTx(outs, { inputs: [{ txid: new Uint8Array(32).fill(1), vout: n++ }], state: w.confirmedAt(150, n) });
}
const table = new RpcTable();
table.registerAll(coinsMethods({ walletFor: () => w }));

async function time(method: string, params: unknown[]): Promise<{ ms: number; bytes: number }> {
  const req = JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
  const res = await table.execute(req); // warm-up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await table.execute(req);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], bytes: res.body.length };
}

const bal = await time("getbalances", []);
const lu = await time("listunspent", []);
console.log(`| UTXOs | getbalances (ms) | listunspent (ms) | listunspent reply |`);
console.log(`|---|---|---|---|`);
console.log(`| ${UTXOS} | ${bal.ms.toFixed(1)} | ${lu.ms.toFixed(1)} | ${(lu.bytes / 1e6).toFixed(1)} MB |`);

async function nodeBench(kind: string): Promise<void> {
  const { benchNodeCommand, CORE_BUILD, startBenchNode } = await import("./bench_node.ts");
  type Json = import("./bench_node.ts").Json;
  const core = Deno.env.get("BITCOIND") ?? CORE_BUILD;
  const node = await startBenchNode(
    kind,
    benchNodeCommand(kind === "bitcoind" ? "bitcoind" : "tsbtc", core, ["-fallbackfee=0.0002"]),
    "listwallets",
  );
  const rpc = (method: string, params: Json[] = [], wallet?: string) =>
    node.client.call(method, params, wallet);
  try {
    await rpc("createwallet", ["w"]);
    const mine = await rpc("getnewaddress", [], "w") as string;
    await rpc("generatetoaddress", [150, mine]);
    for (let done = 0; done < UTXOS; done += 1000) {
      const amounts: Record<string, Json> = {};
      for (let i = 0; i < Math.min(1000, UTXOS - done); i++) {
        amounts[await rpc("getnewaddress", [], "w") as string] = 0.001;
      }
      await rpc("sendmany", ["", amounts], "w");
    }
    await rpc("generatetoaddress", [1, mine]);
    const median = async (fn: () => Promise<unknown>) => {
      await fn();
      const xs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await fn();
        xs.push(performance.now() - t);
      }
      return xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    };
    const count = (await rpc("listunspent", [], "w") as Json[]).length;
    const base = await median(() => rpc("listlockunspent", [], "w"));
    const bal = await median(() => rpc("getbalances", [], "w"));
    const lu = await median(() => rpc("listunspent", [], "w"));
    const afterBlock: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await rpc("generatetoaddress", [1, "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"]);
      const t = performance.now();
      await rpc("getbalances", [], "w");
      afterBlock.push(performance.now() - t);
    }
    afterBlock.sort((a, b) => a - b);
    const first = afterBlock[Math.floor(RUNS / 2)];
    const cells = [kind, count, base.toFixed(1), bal.toFixed(1), first.toFixed(1), lu.toFixed(1)];
    console.log(
      "| node | UTXOs | listlockunspent | getbalances | first getbalances after a block | listunspent |",
    );
    console.log("|---|---|---|---|---|---|");
    console.log(`| ${cells.join(" | ")} |`);
  } finally {
    await node.stop();
  }
}
