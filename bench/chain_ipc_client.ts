/**
 * The wallet side of `bench/chain_ipc_bench.ts --process`: a separate process that reaches the benchmark's node
 * `Chain` over its stdin/stdout (as a spawned wallet does), times `getHeight` round trips, then registers for
 * notifications and notes the wall-clock time (`performance.timeOrigin + performance.now()`, ms) at which each
 * `blockConnected` arrives. It reports through `Chain.initMessage` as JSON.
 *
 * Usage (by the benchmark only): `deno run -A bench/chain_ipc_client.ts <calls> <blocks>`.
 *
 * @module
 */
import { IpcConnection } from "../ipc/connection.ts";
import { stdioStream } from "../ipc/process.ts";
import { ChainClient } from "../ipc/proxies/chain.ts";

const calls = Number(Deno.args[0] ?? 1000);
const blocks = Number(Deno.args[1] ?? 100);
const conn = new IpcConnection(stdioStream(), { name: "tsbtc-bench-wallet" });
const chain = new ChainClient(conn.bootstrap());
const rtts: number[] = [];
for (let i = 0; i < calls + 200; i++) {
  const s = performance.now();
  await chain.getHeight();
  if (i >= 200) rtts.push(performance.now() - s);
}
const receipts: Record<number, number> = {};
let count = 0;
let done: () => void = () => {};
const finished = new Promise<void>((r) => done = r);
const handler = await chain.handleNotifications({
  transactionAddedToMempool: () => Promise.resolve(),
  transactionRemovedFromMempool: () => Promise.resolve(),
  blockConnected: (b) => {
    receipts[b.height] = performance.timeOrigin + performance.now();
    if (++count === blocks) done();
    return Promise.resolve();
  },
  blockDisconnected: () => Promise.resolve(),
  updatedBlockTip: () => Promise.resolve(),
  chainStateFlushed: () => Promise.resolve(),
});
await chain.initMessage(JSON.stringify({ ready: true, rtts }));
await finished;
await chain.initMessage(JSON.stringify({ receipts }));
await handler.disconnect();
await chain.close();
await conn.close();
