/**
 * Storage benchmark: flushing 100,000 coins from the coins cache to the Deno KV chainstate (coins/s and atomic
 * commits), appending 1 MB blocks to `blk?????.dat` with an fdatasync per block and per 10 blocks (MB/s, with
 * and without chunk pre-allocation), reading blocks back, random coin lookups from Deno KV (one at a time and in
 * batches) and from the cache (sync and async hits), prefetching the 4,000 inputs of a block from Deno KV, and
 * the cache's memory estimate per coin against the heap actually used (needs `--v8-flags=--expose-gc`).
 *
 * Method: fresh temp directories on the machine's disk; P2WPKH coins (22-byte scripts) with random txids;
 * figures are the best of a few rounds (`--quick`: one round, smaller sizes). Each line states what was timed.
 *
 * Usage: `deno run -A --unstable-kv --v8-flags=--expose-gc bench/storage_bench.ts [--quick] [--json]`.
 * Under `deno bench` it registers the lookup cases only.
 *
 * @module
 */

import type { OutPoint } from "../core/wire/types.ts";
import { chainParams } from "../core/chain_params.ts";
import { BlockFiles } from "../node/storage/block_files.ts";
import type { Coin } from "../node/storage/coins.ts";
import { CoinsCache } from "../node/storage/coins_cache.ts";
import { CoinsDB } from "../node/storage/coins_db.ts";

const MAGIC = chainParams("regtest").messageStart;

function p2wpkhCoin(i: number): Coin {
  const s = new Uint8Array(22);
  s[1] = 20;
  crypto.getRandomValues(s.subarray(2));
  return { out: { value: BigInt(10_000 + i), scriptPubKey: s }, height: 100 + (i % 1000), coinbase: false };
}

function outpoints(n: number): OutPoint[] {
  const out: OutPoint[] = [];
  for (let i = 0; i < n; i++) out.push({ txid: crypto.getRandomValues(new Uint8Array(32)), vout: i % 3 });
  return out;
}

function best<T>(xs: T[], key: (x: T) => number): T {
  return xs.reduce((a, b) => (key(b) > key(a) ? b : a));
}

/** One figure. */
export interface Row {
  /** What was measured. */
  readonly case: string;
  /** The figure. */
  readonly value: number;
  /** Its unit. */
  readonly unit: string;
  /** Details (sizes, commits). */
  readonly note: string;
}

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "tsbtc_storage_bench_" });
}

async function flushBench(n: number, rounds: number, rows: Row[]): Promise<void> {
  const results: { addRate: number; flushRate: number; commits: number; ms: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    const dir = await tempDir();
    let commits = 0;
    const db = await CoinsDB.open({ dir, onCommit: () => void commits++ });
    const cache = new CoinsCache(db);
    const ops = outpoints(n);
    const coins = ops.map((_, i) => p2wpkhCoin(i));
    const t0 = performance.now();
    for (let i = 0; i < n; i++) cache.addCoin(ops[i], coins[i], false);
    const t1 = performance.now();
    cache.setBestBlock(crypto.getRandomValues(new Uint8Array(32)));
    await cache.flush();
    const t2 = performance.now();
    results.push({
      addRate: n / ((t1 - t0) / 1000),
      flushRate: n / ((t2 - t1) / 1000),
      commits,
      ms: t2 - t1,
    });
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
  const b = best(results, (x) => x.flushRate);
  rows.push({
    case: `flush ${n.toLocaleString("en-US")} new coins cache → Deno KV`,
    value: Math.round(b.flushRate),
    unit: "coins/s",
    note: `${b.ms.toFixed(0)} ms, ${b.commits} atomic commits`,
  });
  rows.push({
    case: `addCoin ${n.toLocaleString("en-US")} (FRESH, in memory)`,
    value: Math.round(best(results, (x) => x.addRate).addRate),
    unit: "coins/s",
    note: "",
  });
}

/** `n` pseudo-random bytes (getRandomValues is limited to 64 KiB per call). */
function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(b.subarray(i, Math.min(n, i + 65536)));
  return b;
}

function appendBench(blocks: number, syncEvery: number, preallocate: boolean, dir: string): number {
  const bf = BlockFiles.open({
    dir: `${dir}/blocks_${syncEvery}_${preallocate}`,
    messageStart: MAGIC,
    preallocate,
  });
  const block = randomBytes(1_000_000);
  const t0 = performance.now();
  for (let i = 0; i < blocks; i++) {
    bf.writeBlock(block, i, i);
    if ((i + 1) % syncEvery === 0) bf.flush();
  }
  bf.flush();
  const t = (performance.now() - t0) / 1000;
  bf.close();
  return (blocks * block.length) / 1e6 / t;
}

async function blockBench(blocks: number, rounds: number, rows: Row[]): Promise<void> {
  for (const [syncEvery, pre] of [[1, true], [1, false], [10, true], [10, false]] as const) {
    const rates: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const dir = await tempDir();
      rates.push(appendBench(blocks, syncEvery, pre, dir));
      await Deno.remove(dir, { recursive: true });
    }
    rows.push({
      case: `append ${blocks} × 1 MB blocks, fdatasync every ${
        syncEvery === 1 ? "block" : `${syncEvery} blocks`
      }${pre ? "" : ", no pre-allocation"}`,
      value: Math.round(Math.max(...rates)),
      unit: "MB/s",
      note: "",
    });
  }
  // Reads: random order over what was written.
  const dir = await tempDir();
  const bf = BlockFiles.open({ dir: `${dir}/blocks`, messageStart: MAGIC });
  const block = randomBytes(1_000_000);
  const pos = [];
  for (let i = 0; i < blocks; i++) pos.push(bf.writeBlock(block, i, i));
  bf.flush();
  const t0 = performance.now();
  for (let i = 0; i < blocks; i++) bf.readBlock(pos[(i * 7919) % blocks]);
  const t = (performance.now() - t0) / 1000;
  bf.close();
  await Deno.remove(dir, { recursive: true });
  rows.push({
    case: `read ${blocks} × 1 MB blocks (page cache), random order`,
    value: Math.round(blocks / t),
    unit: "MB/s",
    note: "",
  });
}

async function lookupBench(n: number, lookups: number, rows: Row[]): Promise<void> {
  const dir = await tempDir();
  const db = await CoinsDB.open({ dir });
  const ops = outpoints(n);
  const loader = new CoinsCache(db);
  for (let i = 0; i < n; i++) loader.addCoin(ops[i], p2wpkhCoin(i), false);
  loader.setBestBlock(crypto.getRandomValues(new Uint8Array(32)));
  await loader.flush();
  const pick = (i: number) => ops[(i * 2654435761 >>> 0) % n];

  let t0 = performance.now();
  for (let i = 0; i < lookups; i++) await db.getCoin(pick(i));
  let t = (performance.now() - t0) / 1000;
  rows.push({
    case: `Deno KV getCoin, random, one at a time (${n.toLocaleString("en-US")} coins)`,
    value: Math.round(lookups / t),
    unit: "lookups/s",
    note: "",
  });

  const batch = [];
  for (let i = 0; i < lookups; i++) batch.push(pick(i + 1));
  t0 = performance.now();
  for (let i = 0; i < batch.length; i += 1000) await db.getCoins(batch.slice(i, i + 1000));
  t = (performance.now() - t0) / 1000;
  rows.push({
    case: "Deno KV getCoins, batches of 1,000 (getMany × 10 concurrently)",
    value: Math.round(lookups / t),
    unit: "lookups/s",
    note: "",
  });

  // A block of 4,000 inputs prefetched into a cold cache.
  const cold = new CoinsCache(db);
  const inputs = batch.slice(0, 4000);
  t0 = performance.now();
  await cold.fetchCoins(inputs);
  const fetchMs = performance.now() - t0;
  rows.push({
    case: "fetchCoins: 4,000 block inputs from Deno KV into a cold cache",
    value: Math.round(fetchMs * 10) / 10,
    unit: "ms",
    note: `${Math.round(4000 / (fetchMs / 1000))} coins/s`,
  });

  const warm = new CoinsCache(db);
  await warm.fetchCoins(ops);
  t0 = performance.now();
  let found = 0;
  const reps = lookups * 10;
  for (let i = 0; i < reps; i++) if (warm.accessCoin(pick(i)) !== undefined) found++;
  t = (performance.now() - t0) / 1000;
  if (found !== reps) throw new Error("cache lookups missed");
  rows.push({
    case: "cache accessCoin (sync hit, builds the Coin)",
    value: Math.round(reps / t),
    unit: "lookups/s",
    note: "",
  });
  t0 = performance.now();
  for (let i = 0; i < lookups; i++) await warm.getCoin(pick(i));
  t = (performance.now() - t0) / 1000;
  rows.push({
    case: "cache getCoin (async hit)",
    value: Math.round(lookups / t),
    unit: "lookups/s",
    note: "",
  });
  db.close();
  await Deno.remove(dir, { recursive: true });
}

async function memoryBench(n: number, rows: Row[]): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) {
    rows.push({
      case: "cache memory per coin",
      value: NaN,
      unit: "bytes",
      note: "run with --v8-flags=--expose-gc",
    });
    return;
  }
  const dir = await tempDir();
  const db = await CoinsDB.open({ dir });
  const cache = new CoinsCache(db);
  const add = (count: number) => {
    for (let i = 0; i < count; i++) cache.addCoin(outpoints(1)[0], p2wpkhCoin(i), false);
  };
  const heap = () => {
    gc();
    gc();
    const m = Deno.memoryUsage();
    return m.heapUsed + m.external;
  };
  // The growth between two sizes (a slope), so what existed before the cache does not count.
  add(n / 4);
  const m0 = heap();
  const e0 = cache.dynamicMemoryUsage();
  add(n);
  const m1 = heap();
  const e1 = cache.dynamicMemoryUsage();
  rows.push({
    case: `cache memory per P2WPKH coin, DIRTY (heap growth over ${n.toLocaleString("en-US")} coins)`,
    value: Math.round((m1 - m0) / n),
    unit: "bytes",
    note: `estimate ${Math.round((e1 - e0) / n)} bytes`,
  });
  cache.setBestBlock(crypto.getRandomValues(new Uint8Array(32)));
  const t0 = performance.now();
  await cache.sync();
  const syncMs = performance.now() - t0;
  const m2 = heap();
  const e2 = cache.dynamicMemoryUsage();
  add(n);
  cache.setBestBlock(crypto.getRandomValues(new Uint8Array(32)));
  await cache.sync();
  const m3 = heap();
  rows.push({
    case: "cache memory per P2WPKH coin, clean (after sync)",
    value: Math.round((m3 - m2) / n),
    unit: "bytes",
    note: `estimate ${Math.round((cache.dynamicMemoryUsage() - e2) / n)} bytes`,
  });
  rows.push({
    case: `sync ${(n * 1.25).toLocaleString("en-US")} dirty coins → Deno KV (cache kept)`,
    value: Math.round((n * 1.25) / (syncMs / 1000)),
    unit: "coins/s",
    note: `${syncMs.toFixed(0)} ms`,
  });
  db.close();
  await Deno.remove(dir, { recursive: true });
}

/** Runs every case. */
export async function runStorageBench(quick: boolean): Promise<Row[]> {
  const rows: Row[] = [];
  await flushBench(quick ? 20_000 : 100_000, quick ? 1 : 3, rows);
  await blockBench(quick ? 20 : 100, quick ? 1 : 2, rows);
  await lookupBench(quick ? 20_000 : 100_000, quick ? 2_000 : 20_000, rows);
  await memoryBench(quick ? 50_000 : 200_000, rows);
  return rows;
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const rows = await runStorageBench(quick);
  if (Deno.args.includes("--json")) {
    console.log(JSON.stringify(rows, null, 2));
  } else {
    console.log("| case | figure | note |");
    console.log("|---|---|---|");
    for (const r of rows) {
      console.log(
        `| ${r.case} | ${
          Number.isNaN(r.value) ? "n/a" : r.value.toLocaleString("en-US")
        } ${r.unit} | ${r.note} |`,
      );
    }
  }
} else {
  const dir = await tempDir();
  const db = await CoinsDB.open({ dir });
  globalThis.addEventListener("unload", () => {
    db.close();
    Deno.removeSync(dir, { recursive: true });
  });
  const ops = outpoints(10_000);
  const cache = new CoinsCache(db);
  for (let i = 0; i < ops.length; i++) cache.addCoin(ops[i], p2wpkhCoin(i), false);
  cache.setBestBlock(crypto.getRandomValues(new Uint8Array(32)));
  await cache.sync();
  let i = 0;
  Deno.bench("Deno KV getCoin", { group: "coins" }, async () => {
    await db.getCoin(ops[i++ % ops.length]);
  });
  Deno.bench("cache accessCoin", { group: "coins" }, () => {
    cache.accessCoin(ops[i++ % ops.length]);
  });
}
