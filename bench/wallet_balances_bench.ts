/**
 * `getbalances` and `listunspent` over a wallet with many UTXOs, in process (no node, no IPC): the in-memory
 * fake WalletCore of the tests holds `--utxos` confirmed P2WPKH outputs (one transaction per 100 outputs, one
 * script each, half of them labelled), and the RPC table runs the real method code (`wallet/rpc/coins.ts` over
 * `wallet/receive.ts` and `wallet/available_coins.ts`). Prints the median of `--runs` calls (ms) after one
 * warm-up call.
 *
 * Usage: `deno run -A bench/wallet_balances_bench.ts [--utxos=10000] [--runs=7]`
 *
 * @module
 */
import { RpcTable } from "../rpc/table.ts";
import { coinsMethods } from "../wallet/rpc/coins.ts";
import { FakeWallet } from "../tests/wallet/fake_wallet.ts";

const argValue = (name: string) => Deno.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const UTXOS = Number(argValue("utxos") ?? 10_000);
const RUNS = Number(argValue("runs") ?? 7);

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
