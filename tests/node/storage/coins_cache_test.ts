import { assert, assertEquals, assertRejects, assertThrows } from "../../assert.ts";
import { bytesEqual, sha256d } from "../../../core/hash/hashes.ts";
import type { OutPoint } from "../../../core/wire/types.ts";
import { type Coin, coinEquals, outPointMapKey } from "../../../node/storage/coins.ts";
import {
  addCoins,
  CACHE_ENTRY_BYTES,
  cacheSizes,
  CoinsCache,
  DIRTY,
  DIRTY_SET_BYTES,
  FRESH,
  largeCoinsCacheThreshold,
  MIB,
} from "../../../node/storage/coins_cache.ts";
import { CoinsDB } from "../../../node/storage/coins_db.ts";
import type { CoinsCursorEntry, CoinsView, ReplayRange } from "../../../node/storage/coins_view.ts";

/** A view with nothing in it that records what is written to it. */
class RecordingView implements CoinsView {
  written: CoinsCursorEntry[] = [];
  best: Uint8Array | undefined;
  getCoin(): Promise<Coin | undefined> {
    return Promise.resolve(undefined);
  }
  getCoins(o: readonly OutPoint[]): Promise<(Coin | undefined)[]> {
    return Promise.resolve(o.map(() => undefined));
  }
  getBestBlock(): Uint8Array | undefined {
    return this.best;
  }
  getHeadBlocks(): ReplayRange | undefined {
    return undefined;
  }
  batchWrite(entries: Iterable<CoinsCursorEntry>, best: Uint8Array): Promise<void> {
    for (const e of entries) this.written.push(e);
    this.best = best;
    return Promise.resolve();
  }
}

const OUTPOINT: OutPoint = { txid: new Uint8Array(32), vout: 0 };
const BEST = sha256d(new Uint8Array([1]));

// Core's coins_tests single-entry tables: values, SPENT (-1), ABSENT (-2); states CLEAN/DIRTY/FRESH/DIRTY_FRESH.
const SPENT = -1;
const ABSENT = -2;
type State = "CLEAN" | "DIRTY" | "FRESH" | "DIRTY_FRESH";
type Maybe = null | [number, State];
const flagsOf = (s: State) =>
  s === "CLEAN" ? 0 : s === "DIRTY" ? DIRTY : s === "FRESH" ? FRESH : DIRTY | FRESH;
const stateOf = (f: number): State =>
  f === 0 ? "CLEAN" : f === DIRTY ? "DIRTY" : f === FRESH ? "FRESH" : "DIRTY_FRESH";

function coinOf(value: number): Coin {
  return { out: { value: BigInt(value), scriptPubKey: new Uint8Array(0) }, height: 1, coinbase: false };
}

/** A cache over a base cache holding the base value (DIRTY), over an empty view, as Core's SingleEntryCacheTest. */
function singleEntry(baseValue: number, cacheCoin: Maybe): { base: CoinsCache; cache: CoinsCache } {
  const base = new CoinsCache(new RecordingView());
  if (baseValue !== ABSENT) {
    base.insertEntryForTesting(OUTPOINT, baseValue === SPENT ? undefined : coinOf(baseValue), DIRTY);
  }
  const cache = new CoinsCache(base);
  if (cacheCoin !== null) {
    cache.insertEntryForTesting(
      OUTPOINT,
      cacheCoin[0] === SPENT ? undefined : coinOf(cacheCoin[0]),
      flagsOf(cacheCoin[1]),
    );
  }
  return { base, cache };
}

function entryOf(cache: CoinsCache): Maybe {
  const f = cache.entryFlags(OUTPOINT);
  if (f === undefined) return null;
  if (f.spent) return [SPENT, stateOf(f.flags)];
  return [Number(cache.accessCoin(OUTPOINT)!.out.value), stateOf(f.flags)];
}

const cacheStates: Maybe[] = [
  null,
  [SPENT, "CLEAN"],
  [SPENT, "FRESH"],
  [SPENT, "DIRTY"],
  [SPENT, "DIRTY_FRESH"],
  [200, "CLEAN"],
  [200, "FRESH"],
  [200, "DIRTY"],
  [200, "DIRTY_FRESH"],
];

Deno.test("coins cache: Core's ccoins_access table (getCoin fetches only what the base has)", async () => {
  for (const baseValue of [ABSENT, SPENT, 100]) {
    for (const c of cacheStates) {
      const { cache } = singleEntry(baseValue, c);
      await cache.getCoin(OUTPOINT);
      const expected = c === null ? (baseValue === 100 ? [100, "CLEAN"] : null) : c;
      assertEquals(entryOf(cache), expected, `base ${baseValue}, cache ${c}`);
    }
  }
});

Deno.test("coins cache: Core's ccoins_spend table", async () => {
  const expected: Maybe[] = [
    null, // MISSING (base VALUE1 handled below)
    [SPENT, "DIRTY"],
    null,
    [SPENT, "DIRTY"],
    null,
    [SPENT, "DIRTY"],
    null,
    [SPENT, "DIRTY"],
    null,
  ];
  for (const baseValue of [ABSENT, SPENT, 100]) {
    for (let i = 0; i < cacheStates.length; i++) {
      const { cache } = singleEntry(baseValue, cacheStates[i]);
      await cache.spendCoin(OUTPOINT);
      const want = i === 0 && baseValue === 100 ? [SPENT, "DIRTY"] : expected[i];
      assertEquals(entryOf(cache), want, `base ${baseValue}, cache ${cacheStates[i]}`);
    }
  }
});

Deno.test("coins cache: Core's ccoins_add table (FRESH unless a DIRTY spend is replaced)", () => {
  const OVERWRITE = "Attempted to overwrite an unspent coin (when possible_overwrite is false)";
  // [cache, expected without overwrite, expected with overwrite (coinbase)]
  const table: [Maybe, Maybe | string, Maybe | string][] = [
    [null, [300, "DIRTY_FRESH"], [300, "DIRTY"]],
    [[SPENT, "CLEAN"], [300, "DIRTY_FRESH"], [300, "DIRTY"]],
    [[SPENT, "FRESH"], [300, "DIRTY_FRESH"], [300, "DIRTY_FRESH"]],
    [[SPENT, "DIRTY"], [300, "DIRTY"], [300, "DIRTY"]],
    [[SPENT, "DIRTY_FRESH"], [300, "DIRTY_FRESH"], [300, "DIRTY_FRESH"]],
    [[200, "CLEAN"], OVERWRITE, [300, "DIRTY"]],
    [[200, "FRESH"], OVERWRITE, [300, "DIRTY_FRESH"]],
    [[200, "DIRTY"], OVERWRITE, [300, "DIRTY"]],
    [[200, "DIRTY_FRESH"], OVERWRITE, [300, "DIRTY_FRESH"]],
  ];
  for (const baseValue of [ABSENT, SPENT, 100]) {
    for (const [c, noOverwrite, overwrite] of table) {
      for (const [possible, want] of [[false, noOverwrite], [true, overwrite]] as const) {
        const { cache } = singleEntry(baseValue, c);
        const add = () => cache.addCoin(OUTPOINT, coinOf(300), possible);
        if (typeof want === "string") {
          assertThrows(add, want);
        } else {
          add();
          assertEquals(entryOf(cache), want, `base ${baseValue}, cache ${c}, overwrite ${possible}`);
        }
      }
    }
  }
});

Deno.test("coins cache: Core's ccoins_write table (a child cache flushed into its parent)", async () => {
  const MIS = "FRESH flag misapplied to coin that exists in parent cache";
  const S = (s: State): Maybe => [SPENT, s];
  const V1 = (s: State): Maybe => [100, s];
  const V2 = (s: State): Maybe => [200, s];
  const table: [Maybe, Maybe, Maybe | string][] = [
    [null, null, null],
    [null, S("DIRTY"), S("DIRTY")],
    [null, S("DIRTY_FRESH"), null],
    [null, V2("DIRTY"), V2("DIRTY")],
    [null, V2("DIRTY_FRESH"), V2("DIRTY_FRESH")],
    [S("CLEAN"), null, S("CLEAN")],
    [S("FRESH"), null, S("FRESH")],
    [S("DIRTY"), null, S("DIRTY")],
    [S("DIRTY_FRESH"), null, S("DIRTY_FRESH")],
    [S("CLEAN"), S("DIRTY"), S("DIRTY")],
    [S("CLEAN"), S("DIRTY_FRESH"), S("DIRTY")],
    [S("FRESH"), S("DIRTY"), null],
    [S("FRESH"), S("DIRTY_FRESH"), null],
    [S("DIRTY"), S("DIRTY"), S("DIRTY")],
    [S("DIRTY"), S("DIRTY_FRESH"), S("DIRTY")],
    [S("DIRTY_FRESH"), S("DIRTY"), null],
    [S("DIRTY_FRESH"), S("DIRTY_FRESH"), null],
    [S("CLEAN"), V2("DIRTY"), V2("DIRTY")],
    [S("CLEAN"), V2("DIRTY_FRESH"), V2("DIRTY")],
    [S("FRESH"), V2("DIRTY"), V2("DIRTY_FRESH")],
    [S("FRESH"), V2("DIRTY_FRESH"), V2("DIRTY_FRESH")],
    [S("DIRTY"), V2("DIRTY"), V2("DIRTY")],
    [S("DIRTY"), V2("DIRTY_FRESH"), V2("DIRTY")],
    [S("DIRTY_FRESH"), V2("DIRTY"), V2("DIRTY_FRESH")],
    [S("DIRTY_FRESH"), V2("DIRTY_FRESH"), V2("DIRTY_FRESH")],
    [V1("CLEAN"), null, V1("CLEAN")],
    [V1("FRESH"), null, V1("FRESH")],
    [V1("DIRTY"), null, V1("DIRTY")],
    [V1("DIRTY_FRESH"), null, V1("DIRTY_FRESH")],
    [V1("CLEAN"), S("DIRTY"), S("DIRTY")],
    [V1("CLEAN"), S("DIRTY_FRESH"), MIS],
    [V1("FRESH"), S("DIRTY"), null],
    [V1("FRESH"), S("DIRTY_FRESH"), MIS],
    [V1("DIRTY"), S("DIRTY"), S("DIRTY")],
    [V1("DIRTY"), S("DIRTY_FRESH"), MIS],
    [V1("DIRTY_FRESH"), S("DIRTY"), null],
    [V1("DIRTY_FRESH"), S("DIRTY_FRESH"), MIS],
    [V1("CLEAN"), V2("DIRTY"), V2("DIRTY")],
    [V1("CLEAN"), V2("DIRTY_FRESH"), MIS],
    [V1("FRESH"), V2("DIRTY"), V2("DIRTY_FRESH")],
    [V1("FRESH"), V2("DIRTY_FRESH"), MIS],
    [V1("DIRTY"), V2("DIRTY"), V2("DIRTY")],
    [V1("DIRTY"), V2("DIRTY_FRESH"), MIS],
    [V1("DIRTY_FRESH"), V2("DIRTY"), V2("DIRTY_FRESH")],
    [V1("DIRTY_FRESH"), V2("DIRTY_FRESH"), MIS],
  ];
  for (const [parent, child, want] of table) {
    const { cache } = singleEntry(ABSENT, parent);
    // A flush only hands down DIRTY entries; the child is given as the cursor entry it would produce.
    const entries: CoinsCursorEntry[] = child === null ? [] : [{
      outpoint: OUTPOINT,
      coin: child[0] === SPENT ? undefined : coinOf(child[0]),
      fresh: (flagsOf(child[1]) & FRESH) !== 0,
    }];
    if (typeof want === "string") {
      await assertRejects(() => cache.batchWrite(entries, BEST), want);
    } else {
      await cache.batchWrite(entries, BEST);
      assertEquals(entryOf(cache), want, `parent ${parent}, child ${child}`);
    }
    // The same through a real child cache's flush (entries move cache to cache without a cursor).
    const { cache: parentCache } = singleEntry(ABSENT, parent);
    const childCache = new CoinsCache(parentCache);
    if (child !== null) {
      childCache.insertEntryForTesting(
        OUTPOINT,
        child[0] === SPENT ? undefined : coinOf(child[0]),
        flagsOf(child[1]),
      );
    }
    childCache.setBestBlock(BEST);
    if (typeof want === "string") {
      await assertRejects(() => childCache.flush(), want);
    } else {
      await childCache.flush();
      assertEquals(entryOf(parentCache), want, `flush: parent ${parent}, child ${child}`);
      assertEquals(parentCache.getBestBlock(), BEST);
    }
  }
});

Deno.test("coins cache: a FRESH coin spent before the flush never reaches the view below", async () => {
  const view = new RecordingView();
  const cache = new CoinsCache(view);
  const a: OutPoint = { txid: new Uint8Array(32).fill(1), vout: 0 };
  const b: OutPoint = { txid: new Uint8Array(32).fill(2), vout: 1 };
  cache.addCoin(a, coinOf(5), false);
  cache.addCoin(b, coinOf(6), false);
  assertEquals(cache.entryFlags(a)?.flags, DIRTY | FRESH);
  const spent = cache.spendCachedCoin(a);
  assert(spent !== undefined && spent.out.value === 5n);
  assertEquals(cache.entryFlags(a), undefined);
  assertEquals(cache.dirtyCount, 1);
  cache.setBestBlock(BEST);
  await cache.flush();
  assertEquals(view.written.map((e) => outPointMapKey(e.outpoint)), [outPointMapKey(b)]);
  assertEquals(cache.cacheSize, 0);
  assertEquals(cache.dynamicMemoryUsage(), 0);
  assert(bytesEqual(view.best!, BEST));
  // Unspendable outputs never enter the cache.
  cache.addCoin(a, {
    out: { value: 0n, scriptPubKey: new Uint8Array([0x6a, 1, 2]) },
    height: 1,
    coinbase: false,
  }, false);
  assertEquals(cache.cacheSize, 0);
});

Deno.test("coins cache: flush without a best block is refused; sync keeps clean entries", async () => {
  const view = new RecordingView();
  const cache = new CoinsCache(view);
  const a: OutPoint = { txid: new Uint8Array(32).fill(3), vout: 0 };
  cache.addCoin(a, coinOf(7), false);
  await assertRejects(() => cache.flush(), "without a best block");
  cache.setBestBlock(BEST);
  await cache.sync();
  assertEquals(cache.cacheSize, 1);
  assertEquals(cache.entryFlags(a), { spent: false, flags: 0 });
  assertEquals(cache.spendCachedCoin(a)?.out.value, 7n);
  assertEquals(cache.entryFlags(a), { spent: true, flags: DIRTY });
  await cache.sync();
  assertEquals(cache.cacheSize, 0);
  assertEquals(view.written.length, 2);
  assertEquals(view.written[1].coin, undefined);
  cache.sanityCheck();
});

Deno.test("coins cache: a failed flush leaves entries in place and no longer FRESH", async () => {
  const failing = new RecordingView();
  failing.batchWrite = () => Promise.reject(new Error("disk full"));
  const cache = new CoinsCache(failing);
  const a: OutPoint = { txid: new Uint8Array(32).fill(4), vout: 0 };
  cache.addCoin(a, coinOf(8), false);
  cache.setBestBlock(BEST);
  await assertRejects(() => cache.flush(), "disk full");
  assertEquals(cache.entryFlags(a), { spent: false, flags: DIRTY });
  // The view below may hold it now: spending must be written, not forgotten.
  cache.spendCachedCoin(a);
  assertEquals(cache.entryFlags(a), { spent: true, flags: DIRTY });
  cache.sanityCheck();
});

Deno.test("coins cache: -dbcache split and size states follow Core", () => {
  assertEquals(cacheSizes(450), { blockTreeDb: 2 * MIB, coinsDb: 8 * MIB, coins: 440 * MIB });
  assertEquals(cacheSizes(4).coins, 4 * MIB - 512 * 1024 - 1792 * 1024);
  assertEquals(cacheSizes(1), cacheSizes(4));
  assertEquals(largeCoinsCacheThreshold(100 * MIB), 90 * MIB);
  assertEquals(largeCoinsCacheThreshold(1000 * MIB), 990 * MIB);
  const cache = new CoinsCache(new RecordingView(), { maxBytes: 10 * CACHE_ENTRY_BYTES });
  assertEquals(cache.sizeState(), "ok");
  // Empty scripts: each dirty entry is estimated at CACHE_ENTRY_BYTES + DIRTY_SET_BYTES.
  for (let i = 0; i < 9; i++) {
    cache.addCoin({ txid: new Uint8Array(32).fill(i), vout: 0 }, coinOf(i + 1), false);
  }
  assertEquals(cache.dynamicMemoryUsage(), 9 * (CACHE_ENTRY_BYTES + DIRTY_SET_BYTES));
  assertEquals(cache.sizeState(), "large");
  for (let i = 9; i < 11; i++) {
    cache.addCoin({ txid: new Uint8Array(32).fill(i), vout: 0 }, coinOf(i + 1), false);
  }
  assertEquals(cache.sizeState(), "critical");
  assertEquals(cache.sizeState(100 * CACHE_ENTRY_BYTES), "ok");
  cache.maxBytes = 1_000_000;
  assertEquals(cache.sizeState(), "ok");
});

/** Deterministic PRNG (xorshift32). */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

/**
 * Core's coins_tests simulation idea: random adds, spends, reads, uncaches, flushes and syncs on a stack of caches
 * over a real chainstate database must always agree with a plain reference map.
 */
Deno.test("coins cache: random operations on stacked caches over Deno KV agree with a reference map", async () => {
  for (const seed of [0xc0ffee, 7, 123456789]) await simulate(seed);
});

async function simulate(seed: number): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tsbtc_coinscache_" });
  try {
    const db = await CoinsDB.open({ dir });
    const r = rng(seed);
    const outpoints: OutPoint[] = [];
    for (let i = 0; i < 300; i++) outpoints.push({ txid: sha256d(new Uint8Array([i, i >> 8])), vout: i % 3 });
    const reference = new Map<string, Coin>();
    const stack: CoinsCache[] = [new CoinsCache(db)];
    let blockNo = 0;
    let checks = 0;
    let freshSpends = 0;
    for (let step = 0; step < 6000; step++) {
      const top = stack[stack.length - 1];
      const o = outpoints[r(outpoints.length)];
      const key = outPointMapKey(o);
      const op = r(100);
      if (op < 35) {
        // Add (overwrite allowed only when the reference has it, or by chance as for coinbases).
        const exists = reference.has(key);
        const coin: Coin = {
          out: { value: BigInt(1 + r(1_000_000)), scriptPubKey: new Uint8Array(r(40)).fill(r(0x60)) },
          height: r(1000),
          coinbase: r(2) === 0,
        };
        top.addCoin(o, coin, exists || r(2) === 0);
        reference.set(key, coin);
      } else if (op < 60) {
        const before = top.entryFlags(o);
        const spent = await top.spendCoin(o);
        const want = reference.get(key);
        assertEquals(spent === undefined, want === undefined);
        if (want !== undefined) assert(coinEquals(spent!, want));
        if (before !== undefined && (before.flags & FRESH) && !before.spent) {
          freshSpends++;
          assertEquals(top.entryFlags(o), undefined);
        }
        reference.delete(key);
      } else if (op < 80) {
        const got = await top.getCoin(o);
        const want = reference.get(key);
        assertEquals(got === undefined, want === undefined);
        if (want !== undefined) assert(coinEquals(got!, want));
        checks++;
      } else if (op < 84) {
        stack[r(stack.length)].uncache(o);
      } else if (op < 88) {
        // Flush or sync a random level into the one below.
        const level = r(stack.length);
        stack[level].setBestBlock(sha256d(new Uint8Array([++blockNo, blockNo >> 8])));
        if (r(2) === 0) await stack[level].flush();
        else await stack[level].sync();
        // Everything above the flushed level is still right (they sit on top of it).
      } else if (op < 92 && stack.length < 4) {
        stack.push(new CoinsCache(top));
      } else if (op < 96 && stack.length > 1) {
        top.setBestBlock(sha256d(new Uint8Array([++blockNo, blockNo >> 8, 1])));
        await top.flush();
        stack.pop();
      } else {
        // Batch prefetch and sync access.
        const some = [outpoints[r(300)], outpoints[r(300)], outpoints[r(300)]];
        await top.fetchCoins(some);
        for (const s of some) {
          const want = reference.get(outPointMapKey(s));
          const got = top.accessCoin(s);
          assertEquals(got === undefined, want === undefined);
          if (want !== undefined) assert(coinEquals(got!, want));
        }
      }
      if (step % 500 === 0) { for (const c of stack) c.sanityCheck(); }
    }
    // Flush everything down and compare the database with the reference.
    while (stack.length > 0) {
      const c = stack.pop()!;
      c.sanityCheck();
      c.setBestBlock(sha256d(new Uint8Array([++blockNo, blockNo >> 8, 2])));
      await c.flush();
    }
    const inDb = new Map<string, Coin>();
    for await (const { outpoint, coin } of db.entries()) inDb.set(outPointMapKey(outpoint), coin);
    assertEquals(inDb.size, reference.size);
    for (const [k, c] of reference) assert(coinEquals(inDb.get(k)!, c));
    assert(checks > 500 && freshSpends > 3, `${checks} checks, ${freshSpends} fresh spends`);
    db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("coins cache: addCoins adds a transaction's outputs; coinbases may overwrite", async () => {
  const cache = new CoinsCache(new RecordingView());
  const coinbase = {
    version: 1,
    inputs: [{
      prevout: { txid: new Uint8Array(32), vout: 0xffffffff },
      scriptSig: new Uint8Array([1, 1]),
      sequence: 0,
      witness: [],
    }],
    outputs: [
      { value: 50n, scriptPubKey: new Uint8Array([0x51]) },
      { value: 0n, scriptPubKey: new Uint8Array([0x6a]) },
    ],
    locktime: 0,
  };
  await addCoins(cache, coinbase, 5, { checkForOverwrite: false });
  assertEquals(cache.cacheSize, 1);
  await addCoins(cache, coinbase, 6, { checkForOverwrite: false });
  const txid = sha256d(new Uint8Array(0));
  const tx = { ...coinbase, inputs: [{ ...coinbase.inputs[0], prevout: { txid, vout: 0 } }] };
  await addCoins(cache, tx, 7, { checkForOverwrite: true, txid });
  assertThrows(() => cache.addCoin({ txid, vout: 0 }, coinOf(1), false), "Attempted to overwrite");
  assertEquals(cache.accessCoin({ txid, vout: 0 })?.height, 7);
});
