/**
 * `sendtoaddress` latency through `tsbtc node` and its wallet process (regtest, `-fallbackfee=0.0002`): a fresh
 * wallet (150 coinbases, 50 mature; median of 20 sends), then with 1,000 UTXOs of 0.001 BTC (median of 10) and
 * 10,000 (median of 5). The UTXOs come from the wallet itself: `sendmany` of 1,000 outputs to its own new
 * addresses per block. Each send pays an external address, so the wallet keeps its coins.
 *
 * Usage: `deno run -A --unstable-kv bench/wallet_spend_bench.ts [small]` (`small`: stop after 1,000 UTXOs).
 *
 * @module
 */
import { startNode, waitFor } from "../tests/helpers.ts";
const EXTERNAL = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080";
const node = await startNode(["-fallbackfee=0.0002"]);
const cookie = () => Deno.readTextFile(`${node.netDataDir}/.cookie`);
async function batch(calls: Array<[string, unknown[]]>, wallet?: string): Promise<unknown[]> {
  const res = await fetch(`http://127.0.0.1:${node.rpcPort}/${wallet ? "wallet/" + wallet : ""}`, {
    method: "POST",
    headers: { authorization: `Basic ${btoa(await cookie())}` },
    body: JSON.stringify(calls.map(([method, params], id) => ({ jsonrpc: "2.0", id, method, params }))),
  });
  const body = await res.json() as Array<{ id: number; result: unknown; error: { message: string } | null }>;
  body.sort((a, b) => a.id - b.id);
  for (const r of body) if (r.error) throw new Error(`${calls[r.id][0]}: ${r.error.message}`);
  return body.map((r) => r.result);
}
const call = async (m: string, p: unknown[] = [], w?: string) => (await batch([[m, p]], w))[0];
async function timed(n: number, fn: () => Promise<unknown>): Promise<string> {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return `median ${t[Math.floor(n / 2)].toFixed(1)} ms (min ${t[0].toFixed(1)}, max ${
    t[n - 1].toFixed(1)
  }, n=${n})`;
}
try {
  await waitFor(async () => {
    try {
      await call("listwallets");
      return true;
    } catch {
      return false;
    }
  }, 20000);
  await call("createwallet", ["w"]);
  const a = await call("getnewaddress", [], "w") as string;
  await call("generatetoaddress", [150, a]);
  console.log("fresh:", await timed(20, () => call("sendtoaddress", [EXTERNAL, 0.01], "w")));
  await call("generatetoaddress", [1, a]);
  const addUtxos = async (count: number) => {
    for (let done = 0; done < count; done += 1000) {
      const addrs = await batch(
        Array.from({ length: 1000 }, () => ["getnewaddress", []] as [string, unknown[]]),
        "w",
      ) as string[];
      await call("sendmany", ["", Object.fromEntries(addrs.map((x) => [x, 0.001]))], "w");
      await call("generatetoaddress", [1, a]);
    }
  };
  let t = performance.now();
  await addUtxos(1000);
  console.log("made 1000 UTXOs in", (performance.now() - t).toFixed(0), "ms");
  console.log("1,000 UTXOs:", await timed(10, () => call("sendtoaddress", [EXTERNAL, 0.0005], "w")));
  if (Deno.args[0] !== "small") {
    t = performance.now();
    await addUtxos(9000);
    console.log("made 9000 more UTXOs in", (performance.now() - t).toFixed(0), "ms");
    console.log("10,000 UTXOs:", await timed(5, () => call("sendtoaddress", [EXTERNAL, 0.0005], "w")));
  }
} finally {
  await node.cleanup();
}
