import { assert, assertEquals, assertRejects } from "../../assert.ts";
import { bytesEqual, sha256d, toHex } from "../../../core/hash/hashes.ts";
import { compareOutPoints } from "../../../core/wire/outpoint.ts";
import { ByteWriter } from "../../../core/wire/writer.ts";
import type { OutPoint } from "../../../core/wire/types.ts";
import { type Coin, coinEquals } from "../../../node/storage/coins.ts";
import { type CoinsBatchProgress, CoinsDB, openChainstate } from "../../../node/storage/coins_db.ts";
import type { CoinsCursorEntry } from "../../../node/storage/coins_view.ts";
import { ChainstateError } from "../../../node/storage/errors.ts";
import { KV_MAX_MUTATIONS } from "../../../node/storage/kv_batch.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tsbtc_coinsdb_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function randomCoin(i: number): Coin {
  const script = new Uint8Array(22);
  script[1] = 20;
  crypto.getRandomValues(script.subarray(2));
  return { out: { value: BigInt(1000 + i), scriptPubKey: script }, height: i % 500, coinbase: i % 11 === 0 };
}

function makeCoins(n: number): [OutPoint, Coin][] {
  const out: [OutPoint, Coin][] = [];
  for (let i = 0; i < n; i++) {
    out.push([{ txid: crypto.getRandomValues(new Uint8Array(32)), vout: i % 5 }, randomCoin(i)]);
  }
  return out;
}

function writes(coins: [OutPoint, Coin][]): CoinsCursorEntry[] {
  return coins.map(([outpoint, coin]) => ({ outpoint, coin, fresh: true }));
}

const block = (n: number) => sha256d(new Uint8Array([n, n >> 8]));

Deno.test("chainstate: a new database has no best block; coins write, read, erase", async () => {
  await withDir(async (dir) => {
    const { db, bestBlock, replayRange } = await openChainstate({ dir });
    assertEquals(bestBlock, undefined);
    assertEquals(replayRange, undefined);
    const coins = makeCoins(50);
    const stats = await db.batchWrite(writes(coins), block(1));
    assertEquals(stats, { written: 50, erased: 0, commits: 1 });
    assert(bytesEqual(db.getBestBlock()!, block(1)));
    for (const [o, c] of coins) assert(coinEquals((await db.getCoin(o))!, c));
    const missing = { txid: new Uint8Array(32).fill(9), vout: 0 };
    const got = await db.getCoins([...coins.map(([o]) => o), missing]);
    assertEquals(got.length, 51);
    assertEquals(got[50], undefined);
    assert(got.slice(0, 50).every((c, i) => coinEquals(c!, coins[i][1])));
    assert(!(await db.haveCoin(missing)));
    await db.batchWrite([{ outpoint: coins[0][0], coin: undefined, fresh: false }], block(2));
    assertEquals(await db.getCoin(coins[0][0]), undefined);
    db.close();
    const again = await openChainstate({ dir });
    assert(bytesEqual(again.bestBlock!, block(2)));
    assertEquals(again.replayRange, undefined);
    await assertRejects(() => again.db.batchWrite([], new Uint8Array(32)), "without a best block");
    again.db.close();
  });
});

Deno.test("chainstate: a large flush is split with head blocks first and best block last", async () => {
  await withDir(async (dir) => {
    const seen: CoinsBatchProgress[] = [];
    const heads: (string | null)[] = [];
    const db = await CoinsDB.open({
      dir,
      onCommit: async (p) => {
        seen.push(p);
        // Observe the stored markers through a second connection after every commit.
        const probe = await Deno.openKv(`${dir}/chainstate.sqlite3`);
        const [b, h] = await probe.getMany<[Uint8Array, Uint8Array]>([["B"], ["H"]]);
        heads.push(`${b.value === null ? "-" : "B"}${h.value === null ? "-" : "H"}`);
        probe.close();
      },
    });
    await db.batchWrite(writes(makeCoins(10)), block(1));
    assertEquals(heads, ["B-"]);
    heads.length = 0;
    seen.length = 0;
    const coins = makeCoins(4500);
    const stats = await db.batchWrite(writes(coins), block(2));
    assertEquals(stats.written, 4500);
    assert(stats.commits >= 5);
    assertEquals(seen.length, stats.commits);
    assert(seen.every((p) => p.mutations <= KV_MAX_MUTATIONS));
    assertEquals(seen.map((p) => p.final), [...new Array(stats.commits - 1).fill(false), true]);
    // Every commit but the last leaves the database mid-flush: no best block, head blocks present.
    assertEquals(heads, [...new Array(stats.commits - 1).fill("-H"), "B-"]);
    db.close();
  });
});

Deno.test("chainstate: an interrupted flush reports the replay range; only the same target may complete it", async () => {
  await withDir(async (dir) => {
    const first = await CoinsDB.open({ dir });
    await first.batchWrite(writes(makeCoins(100)), block(1));
    first.close();
    // Crash after the second commit of a multi-commit flush.
    const crashing = await CoinsDB.open({
      dir,
      onCommit: (p) => {
        if (p.index === 1) throw new Error("simulated crash");
      },
    });
    const big = makeCoins(3000);
    await assertRejects(() => crashing.batchWrite(writes(big), block(2)), "simulated crash");
    assertEquals(crashing.getBestBlock(), undefined);
    crashing.close();
    const { db, bestBlock, replayRange } = await openChainstate({ dir });
    assertEquals(bestBlock, undefined);
    assert(replayRange !== undefined);
    assert(bytesEqual(replayRange.to, block(2)));
    assert(bytesEqual(replayRange.from!, block(1)));
    // Some of the new coins are there, not all.
    const present = (await db.getCoins(big.map(([o]) => o))).filter((c) => c !== undefined).length;
    assert(present > 0 && present < 3000, `${present} present`);
    const e = await assertRejects(() => db.batchWrite([], block(3)), "inconsistent state");
    assert(e instanceof ChainstateError && e.kind === "inconsistent");
    // Replaying the same writes towards block 2 completes it.
    await db.batchWrite(writes(big), block(2));
    db.close();
    const done = await openChainstate({ dir });
    assert(bytesEqual(done.bestBlock!, block(2)));
    assertEquals(done.replayRange, undefined);
    assertEquals((await done.db.getCoins(big.map(([o]) => o))).filter((c) => c !== undefined).length, 3000);
    done.db.close();
  });
  await withDir(async (dir) => {
    // The very first flush interrupted: the old tip is "none".
    const crashing = await CoinsDB.open({
      dir,
      onCommit: () => {
        throw new Error("simulated crash");
      },
    });
    await assertRejects(() => crashing.batchWrite(writes(makeCoins(2000)), block(1)), "simulated crash");
    crashing.close();
    const { db, replayRange } = await openChainstate({ dir });
    assert(
      replayRange !== undefined && replayRange.from === undefined && bytesEqual(replayRange.to, block(1)),
    );
    db.close();
  });
});

Deno.test("chainstate: iteration in key order and gettxoutsetinfo statistics (hash_serialized_3)", async () => {
  await withDir(async (dir) => {
    const db = await CoinsDB.open({ dir });
    const coins = makeCoins(1200);
    // Several outputs of one transaction.
    const shared = crypto.getRandomValues(new Uint8Array(32));
    for (const vout of [300, 2, 1, 70000]) coins.push([{ txid: shared, vout }, randomCoin(vout)]);
    await db.batchWrite(writes(coins), block(7));
    const listed: [OutPoint, Coin][] = [];
    for await (const { outpoint, coin } of db.entries()) listed.push([outpoint, coin]);
    const sorted = [...coins].sort((a, b) => compareOutPoints(a[0], b[0]));
    assertEquals(listed.length, sorted.length);
    for (let i = 0; i < listed.length; i++) {
      assertEquals(compareOutPoints(listed[i][0], sorted[i][0]), 0);
      assert(coinEquals(listed[i][1], sorted[i][1]));
    }
    // The hash over Core's TxOutSer of every coin in that order.
    const w = new ByteWriter();
    let total = 0n;
    let bogo = 0;
    for (const [o, c] of sorted) {
      w.bytes(o.txid).u32(o.vout).u32(c.height * 2 + (c.coinbase ? 1 : 0)).i64(c.out.value).varBytes(
        c.out.scriptPubKey,
      );
      total += c.out.value;
      bogo += 32 + 4 + 4 + 8 + 2 + c.out.scriptPubKey.length;
    }
    const stats = await db.computeStats();
    assertEquals(toHex(stats.hashSerialized), toHex(sha256d(w.finish())));
    assertEquals(stats.txouts, 1204);
    assertEquals(stats.transactions, 1201);
    assertEquals(stats.totalAmount, total);
    assertEquals(stats.bogoSize, bogo);
    assert(bytesEqual(stats.bestBlock!, block(7)));
    assert(stats.diskSize > 0);
    db.close();
  });
});

Deno.test("chainstate: damaged records are ChainstateError('corrupt')", async () => {
  await withDir(async (dir) => {
    const db = await CoinsDB.open({ dir });
    const [[o, c]] = makeCoins(1);
    await db.batchWrite(writes([[o, c]]), block(1));
    db.close();
    const kv = await Deno.openKv(`${dir}/chainstate.sqlite3`);
    await kv.set(["C", o.txid, o.vout], new Uint8Array([0x00, 0x00, 0x07]));
    kv.close();
    const db2 = await CoinsDB.open({ dir });
    const e = await assertRejects(() => db2.getCoin(o), "Cannot read coin");
    assert(e instanceof ChainstateError && e.kind === "corrupt");
    db2.close();
    const kv2 = await Deno.openKv(`${dir}/chainstate.sqlite3`);
    await kv2.set(["H"], new Uint8Array(10));
    kv2.close();
    await assertRejects(() => openChainstate({ dir }), "unknown inconsistent state");
  });
});
