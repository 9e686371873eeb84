/**
 * The wallet's process boundary: the node's `Chain` served over a real unix socket (both ends in this process,
 * so one clock measures both sides), as the wallet process reaches it.
 *
 * - Chain call round trips: `getHeight` (smallest call), `findBlock` with hash/height/time and a locator, and
 *   `readBlocks` of 100 small regtest blocks (a rescan batch); median and p99 in µs.
 * - Notification latency: from the node's bus delivering `blockConnected` (the moment Core's wallet would be
 *   called in-process) to the client's `ChainNotifications.blockConnected` running on the other side of the
 *   socket with the serialized block; and the whole path from `processNewBlock` returning to that receipt.
 *
 * With `--process`, the same two measures with the wallet side in a separate process on the other end of a
 * pipe (`bench/chain_ipc_client.ts`, as a spawned wallet process is reached), timed with the wall clock.
 *
 * Usage: `deno run -A --unstable-kv bench/chain_ipc_bench.ts [--quick] [--json] [--process]`.
 *
 * @module
 */
import { chainParams } from "../core/chain_params.ts";
import type { ChainNotifications } from "../interfaces/chain.ts";
import { IpcConnection } from "../ipc/connection.ts";
import { ChainClient, serveChain } from "../ipc/proxies/chain.ts";
import { openChainstate } from "../node/chain/chainstate.ts";
import { makeNodeChain } from "../node/interfaces/chain.ts";
import { Mempool } from "../node/mempool/mempool.ts";
import { defaultPolicySettings } from "../node/policy/settings.ts";
import { ValidationSignals } from "../node/validation_signals.ts";
import { buildBlock, testKey } from "../tests/node/chain/block_builder.ts";

const quick = Deno.args.includes("--quick");
const json = Deno.args.includes("--json");
const params = chainParams("regtest");
const key = testKey(1);
const T0 = 1_700_000_000;

function stats(xs: number[]): { median: number; p99: number; mean: number } {
  const s = [...xs].sort((a, b) => a - b);
  return {
    median: s[Math.floor(s.length / 2)],
    p99: s[Math.min(s.length - 1, Math.floor(s.length * 0.99))],
    mean: s.reduce((a, b) => a + b, 0) / s.length,
  };
}

const us = (ms: number) => Math.round(ms * 1000);

const dir = await Deno.makeTempDir({ prefix: "tsbtc-chain-ipc-bench-" });
const chainstate = await openChainstate({ dataDir: dir, params, workers: 0, now: () => T0 + 100_000 });
const mempool = new Mempool({ chain: chainstate, settings: defaultPolicySettings("regtest"), now: () => T0 });
const signals = new ValidationSignals({ chain: chainstate, mempool: mempool.pool });
let t = 0;
const mine = async () => {
  const block = buildBlock({ prev: chainstate.tip(), params, payTo: key.script, time: T0 + t++ });
  const r = await chainstate.processNewBlock(block);
  if (!r.state.valid) throw new Error(`Cannot mine: ${r.state.reason}`);
};
for (let i = 0; i < 200; i++) await mine();
await signals.sync();

// The node's side: its Chain served on a unix socket; the wallet's side: a ChainClient.
const chainImpl = makeNodeChain({
  chain: chainstate,
  mempool: () => mempool,
  fees: () => null,
  signals,
  now: () => T0,
});
const path = `${dir}/bench.sock`;
const listener = Deno.listen({ transport: "unix", path });
const [serverSock, clientSock] = await Promise.all([
  listener.accept(),
  Deno.connect({ transport: "unix", path }),
]);
listener.close();
const server = new IpcConnection(serverSock, { name: "tsbtc-node", bootstrap: serveChain(chainImpl) });
const client = new IpcConnection(clientSock, { name: "tsbtc-wallet" });
const chain = new ChainClient(client.bootstrap());

async function timeCalls(n: number, f: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < Math.min(200, n); i++) await f(); // warm up
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await f();
    out.push(performance.now() - s);
  }
  return out;
}

const calls = quick ? 1000 : 5000;
const tipHash = chainstate.tip().hashHex;
const getHeight = stats(await timeCalls(calls, () => chain.getHeight()));
const findBlock = stats(
  await timeCalls(calls, () => chain.findBlock(tipHash, { time: true, mtpTime: true, locator: true })),
);
const readBlocks = stats(await timeCalls(quick ? 100 : 300, () => chain.readBlocks(1, 100, 4_000_000)));

// Notification latency.
let busAt = 0;
let connectReturnedAt = 0;
const busToReceipt: number[] = [];
const connectToReceipt: number[] = [];
let received: (() => void) | null = null;
const notifications: ChainNotifications = {
  transactionAddedToMempool: () => Promise.resolve(),
  transactionRemovedFromMempool: () => Promise.resolve(),
  blockConnected: (b) => {
    const now = performance.now();
    if (b.data.length === 0) throw new Error("no block data");
    busToReceipt.push(now - busAt);
    connectToReceipt.push(now - connectReturnedAt);
    received?.();
    return Promise.resolve();
  },
  blockDisconnected: () => Promise.resolve(),
  updatedBlockTip: () => Promise.resolve(),
  chainStateFlushed: () => Promise.resolve(),
};
// Subscribed before the Chain's own listener: marks when the bus delivers the event.
signals.subscribe({ blockConnected: () => void (busAt = performance.now()) });
const handler = await chain.handleNotifications(notifications);
const blocks = quick ? 100 : 300;
for (let i = 0; i < blocks; i++) {
  const got = new Promise<void>((resolve) => received = resolve);
  await mine();
  connectReturnedAt = performance.now();
  await got;
}
await handler.disconnect();
const busLatency = stats(busToReceipt);
const connectLatency = stats(connectToReceipt.filter((x) => x >= 0));

await chain.close();
await client.close();
await server.close();

// The wallet side in its own process, over its stdin/stdout.
let processFigures: {
  getHeightMedianUs: number;
  getHeightP99Us: number;
  busToReceiptMedianUs: number;
  busToReceiptP99Us: number;
} | null = null;
if (Deno.args.includes("--process")) {
  const n = quick ? 100 : 300;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./chain_ipc_client.ts", import.meta.url).pathname, String(calls), String(n)],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reports: string[] = [];
  let reported: () => void = () => {};
  const procChain = makeNodeChain({
    chain: chainstate,
    mempool: () => mempool,
    fees: () => null,
    signals,
    now: () => T0,
  });
  const withReports = {
    ...procChain,
    initMessage: (m: string) => {
      reports.push(m);
      reported();
      return Promise.resolve();
    },
  };
  const conn = new IpcConnection({
    readable: child.stdout,
    writable: child.stdin,
    close() {
      child.stdin.close().catch(() => {});
    },
  }, { name: "tsbtc-node", bootstrap: serveChain(withReports) });
  const nextReport = () => new Promise<void>((r) => reported = r);
  let wait = nextReport();
  while (reports.length === 0) {
    await wait;
    wait = nextReport();
  }
  const first = JSON.parse(reports[0]) as { rtts: number[] };
  const busAbs = new Map<number, number>();
  const unsubscribe = signals.subscribe({
    blockConnected: (_b, e) => void busAbs.set(e.height, performance.timeOrigin + performance.now()),
  });
  for (let i = 0; i < n; i++) {
    await mine();
    await signals.sync();
    await procChain.waitForNotifications();
  }
  while (reports.length < 2) {
    await wait;
    wait = nextReport();
  }
  unsubscribe();
  const receipts = (JSON.parse(reports[1]) as { receipts: Record<string, number> }).receipts;
  const lat = Object.entries(receipts).map(([h, t]) => t - busAbs.get(Number(h))!);
  const r = stats(first.rtts);
  const l = stats(lat);
  processFigures = {
    getHeightMedianUs: us(r.median),
    getHeightP99Us: us(r.p99),
    busToReceiptMedianUs: us(l.median),
    busToReceiptP99Us: us(l.p99),
  };
  await child.status;
  await conn.close();
}
signals.close();
mempool.close();
await chainstate.close();
await Deno.remove(dir, { recursive: true });

const figures = {
  getHeight: { medianUs: us(getHeight.median), p99Us: us(getHeight.p99) },
  findBlockWithLocator: { medianUs: us(findBlock.median), p99Us: us(findBlock.p99) },
  readBlocks100: { medianUs: us(readBlocks.median), p99Us: us(readBlocks.p99) },
  blockConnectedBusToWallet: { medianUs: us(busLatency.median), p99Us: us(busLatency.p99), blocks },
  blockConnectedProcessNewBlockToWallet: {
    medianUs: us(connectLatency.median),
    p99Us: us(connectLatency.p99),
  },
};
if (json) console.log(JSON.stringify(figures));
console.log("| Measure (unix socket, both ends in one process) | median | p99 |");
console.log("|---|---:|---:|");
console.log(
  `| Chain.getHeight round trip | ${figures.getHeight.medianUs} µs | ${figures.getHeight.p99Us} µs |`,
);
console.log(
  `| Chain.findBlock (time, MTP, locator) | ${figures.findBlockWithLocator.medianUs} µs | ` +
    `${figures.findBlockWithLocator.p99Us} µs |`,
);
console.log(
  `| Chain.readBlocks, 100 regtest blocks | ${figures.readBlocks100.medianUs} µs | ${figures.readBlocks100.p99Us} µs |`,
);
console.log(
  `| blockConnected: bus → wallet receipt (${blocks} blocks) | ${figures.blockConnectedBusToWallet.medianUs} µs | ` +
    `${figures.blockConnectedBusToWallet.p99Us} µs |`,
);
console.log(
  `| blockConnected: processNewBlock returned → wallet receipt | ` +
    `${figures.blockConnectedProcessNewBlockToWallet.medianUs} µs | ` +
    `${figures.blockConnectedProcessNewBlockToWallet.p99Us} µs |`,
);
if (processFigures) {
  console.log(
    `| Chain.getHeight round trip, wallet side in a child process (pipe) | ${processFigures.getHeightMedianUs} µs | ` +
      `${processFigures.getHeightP99Us} µs |`,
  );
  console.log(
    `| blockConnected: bus → child process's handler (wall clock) | ${processFigures.busToReceiptMedianUs} µs | ` +
      `${processFigures.busToReceiptP99Us} µs |`,
  );
}
