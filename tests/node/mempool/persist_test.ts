import { fromHex, reverseHex, toHex } from "../../../core/hash/hashes.ts";
import { encodeTransaction, txid } from "../../../core/wire/transaction.ts";
import type { Transaction } from "../../../core/wire/types.ts";
import {
  decodeMempoolFile,
  dumpMempool,
  encodeMempoolFile,
  loadMempool,
  type LoadMempoolOptions,
  MEMPOOL_DUMP_VERSION,
  MEMPOOL_DUMP_VERSION_NO_XOR_KEY,
} from "../../../node/mempool/persist.ts";
import type { TxMempool } from "../../../node/mempool/txmempool.ts";
import { assert, assertEquals } from "../../assert.ts";
import { makeEntry, makePool, makeTx } from "./entries.ts";

const NOW = 1_700_000_000;
const EXPIRY = 336 * 3600;

function logger() {
  const lines = { info: [] as string[], warn: [] as string[] };
  return { lines, log: { info: (m: string) => lines.info.push(m), warn: (m: string) => lines.warn.push(m) } };
}

/** A pool with parent A → child B, and C; B prioritised +500, an absent txid −300; A and C unbroadcast. */
function populatedPool(): {
  pool: TxMempool;
  a: Transaction;
  b: Transaction;
  c: Transaction;
  absent: string;
} {
  const pool = makePool(NOW);
  const a = makeTx({ spends: [{ seed: 1 }], outputs: [50_000n, 40_000n] });
  const b = makeTx({ spends: [{ tx: a, vout: 1 }], outputs: [39_000n] });
  const c = makeTx({ spends: [{ seed: 2 }], witness: false });
  pool.add(makeEntry(a, 1_000n, NOW - 100));
  pool.add(makeEntry(b, 1_000n, NOW - 50));
  pool.add(makeEntry(c, 2_000n, NOW - 10));
  pool.prioritise(reverseHex(txid(b)), 500n);
  const absent = "ab".repeat(32);
  pool.prioritise(absent, -300n);
  pool.addUnbroadcast(reverseHex(txid(a)));
  pool.addUnbroadcast(reverseHex(txid(c)));
  return { pool, a, b, c, absent };
}

/** Accepts into `pool` with the fees the transactions had in `from`. */
function acceptInto(
  pool: TxMempool,
  fees: Map<string, bigint>,
  calls: string[] = [],
): LoadMempoolOptions["accept"] {
  return (tx, time) => {
    const id = reverseHex(txid(tx));
    calls.push(id);
    if (pool.get(id) !== undefined) return Promise.resolve({ valid: false });
    pool.add(makeEntry(tx, fees.get(id)!, time));
    return Promise.resolve({ valid: true });
  };
}

function feesOf(pool: TxMempool): Map<string, bigint> {
  return new Map([...pool.entries()].map((e) => [e.txidHex, e.fee]));
}

Deno.test("mempool.dat v1: bytes laid out as Core writes them", () => {
  const tx = makeTx({ spends: [{ seed: 3 }] });
  const id = reverseHex(txid(tx));
  const bytes = encodeMempoolFile({
    version: MEMPOOL_DUMP_VERSION_NO_XOR_KEY,
    key: null,
    txs: [{ tx, time: 0x01020304, feeDelta: -2n }],
    deltas: new Map([["01" + "00".repeat(31), 5n]]),
    unbroadcast: [id],
  });
  const expected = "0100000000000000" + // version 1
    "0100000000000000" + // count
    toHex(encodeTransaction(tx)) +
    "0403020100000000" + // nTime
    "feffffffffffffff" + // nFeeDelta -2
    "01" + "00".repeat(31) + "01" + "0500000000000000" + // mapDeltas: one txid (internal order) → 5
    "01" + toHex(txid(tx)); // unbroadcast set
  assertEquals(toHex(bytes), expected);
  const back = decodeMempoolFile(bytes);
  assertEquals(back.version, 1n);
  assertEquals(back.key, null);
  assertEquals(back.txs.length, 1);
  assertEquals(toHex(encodeTransaction(back.txs[0].tx)), toHex(encodeTransaction(tx)));
  assertEquals(back.txs[0].time, 0x01020304);
  assertEquals(back.txs[0].feeDelta, -2n);
  assertEquals([...back.deltas], [["01" + "00".repeat(31), 5n]]);
  assertEquals(back.unbroadcast, [id]);
});

Deno.test("mempool.dat v2: key written as a vector, body XORed by file offset", () => {
  const tx = makeTx({ spends: [{ seed: 4 }, { seed: 5 }] });
  const content = { txs: [{ tx, time: NOW, feeDelta: 0n }], deltas: new Map(), unbroadcast: [] };
  const plain = encodeMempoolFile({ version: MEMPOOL_DUMP_VERSION_NO_XOR_KEY, key: null, ...content });
  const key = fromHex("0123456789abcdef");
  const xored = encodeMempoolFile({ version: MEMPOOL_DUMP_VERSION, key, ...content });
  assertEquals(toHex(xored.subarray(0, 17)), "0200000000000000" + "08" + "0123456789abcdef");
  assertEquals(xored.length, plain.length + 9);
  for (let i = 8; i < plain.length; i++) {
    const p = i + 9; // position in the v2 file
    assertEquals(xored[p] ^ key[p % 8], plain[i], `byte ${p}`);
  }
  const back = decodeMempoolFile(xored);
  assertEquals(back.version, 2n);
  assertEquals(toHex(back.key!), "0123456789abcdef");
  assertEquals(toHex(encodeTransaction(back.txs[0].tx)), toHex(encodeTransaction(tx)));
  // An all-zero key leaves the body as it is (Core's Obfuscation is then a no-op).
  const zero = encodeMempoolFile({ version: MEMPOOL_DUMP_VERSION, key: new Uint8Array(8), ...content });
  assertEquals(toHex(zero.subarray(17)), toHex(plain.subarray(8)));
});

for (const v1 of [false, true]) {
  Deno.test(`dumpMempool/loadMempool ${v1 ? "v1" : "v2"}: round trip with deltas and unbroadcast`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const { pool, a, b, c, absent } = populatedPool();
      const path = `${dir}/mempool.dat`;
      const dumpLog = logger();
      assert(await dumpMempool(pool, path, { v1, log: dumpLog.log }));
      assertEquals(dumpLog.lines.warn, []);
      assertEquals(dumpLog.lines.info[0], "Writing 3 mempool transactions to file...");
      assertEquals(dumpLog.lines.info[1], "Writing 2 unbroadcast transactions to file.");
      assert(
        /^Dumped mempool: [\d.]+s to copy, [\d.]+s to dump, \d+ bytes dumped to file$/.test(
          dumpLog.lines.info[2],
        ),
      );
      const data = await Deno.readFile(path);
      assertEquals(data[0], v1 ? 1 : 2);
      if (!v1) assertEquals(data[8], 8);
      let newExists = true;
      await Deno.stat(`${path}.new`).catch(() => newExists = false);
      assertEquals(newExists, false);

      const file = decodeMempoolFile(data);
      // Mining order keeps the parent before its child; each tx carries its own delta.
      const order = file.txs.map((t) => reverseHex(txid(t.tx)));
      assert(order.indexOf(reverseHex(txid(a))) < order.indexOf(reverseHex(txid(b))));
      assertEquals(file.txs.find((t) => reverseHex(txid(t.tx)) === reverseHex(txid(b)))!.feeDelta, 500n);
      assertEquals(file.txs.find((t) => reverseHex(txid(t.tx)) === reverseHex(txid(b)))!.time, NOW - 50);
      assertEquals([...file.deltas], [[absent, -300n]]);
      assertEquals(new Set(file.unbroadcast), new Set([reverseHex(txid(a)), reverseHex(txid(c))]));

      const fresh = makePool(NOW);
      const loadLog = logger();
      const result = await loadMempool(path, {
        accept: acceptInto(fresh, feesOf(pool)),
        pool: fresh,
        expirySeconds: EXPIRY,
        now: NOW,
        log: loadLog.log,
      });
      assertEquals(result, {
        ok: true,
        succeeded: 3,
        failed: 0,
        expired: 0,
        alreadyThere: 0,
        unbroadcast: 2,
      });
      assertEquals(loadLog.lines.info[0], "Loading 3 mempool transactions from file...");
      assertEquals(
        loadLog.lines.info.at(-1),
        "Imported mempool transactions from file: 3 succeeded, 0 failed, 0 expired, 0 already there, " +
          "2 waiting for initial broadcast",
      );
      assertEquals(fresh.size, 3);
      assertEquals(fresh.get(reverseHex(txid(b)))!.modifiedFee, 1_500n);
      assertEquals(fresh.get(reverseHex(txid(b)))!.time, NOW - 50);
      assertEquals(fresh.delta(absent), -300n);
      assertEquals(new Set(fresh.unbroadcast()), new Set(pool.unbroadcast()));
      fresh.check();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("loadMempool: expired, already there and failed counts as Core", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pool = makePool(NOW);
    const old = makeTx({ spends: [{ seed: 10 }] });
    const there = makeTx({ spends: [{ seed: 11 }] });
    const bad = makeTx({ spends: [{ seed: 12 }] });
    const good = makeTx({ spends: [{ seed: 13 }] });
    pool.add(makeEntry(old, 100n, NOW - EXPIRY)); // exactly at the cutoff: expired (Core needs nTime > now - expiry)
    pool.add(makeEntry(there, 100n, NOW - EXPIRY + 1));
    pool.add(makeEntry(bad, 100n, NOW));
    pool.add(makeEntry(good, 100n, NOW));
    pool.prioritise(reverseHex(txid(old)), 7n);
    pool.addUnbroadcast(reverseHex(txid(bad)));
    const path = `${dir}/mempool.dat`;
    assert(await dumpMempool(pool, path, { skipFileCommit: true }));

    const fresh = makePool(NOW);
    fresh.add(makeEntry(there, 100n, NOW));
    const calls: string[] = [];
    const accept = acceptInto(fresh, feesOf(pool), calls);
    const { lines, log } = logger();
    const result = await loadMempool(path, {
      accept: (tx, time) =>
        reverseHex(txid(tx)) === reverseHex(txid(bad)) ? Promise.resolve({ valid: false }) : accept(tx, time),
      pool: fresh,
      expirySeconds: EXPIRY,
      now: NOW,
      log,
    });
    assertEquals(result, { ok: true, succeeded: 1, failed: 1, expired: 1, alreadyThere: 1, unbroadcast: 1 });
    assertEquals(calls.includes(reverseHex(txid(old))), false);
    // The delta of the expired transaction is applied all the same (Core prioritises before the expiry check).
    assertEquals(fresh.delta(reverseHex(txid(old))), 7n);
    // The unbroadcast txid that did not make it in is not restored.
    assertEquals(fresh.unbroadcast().size, 0);
    assertEquals(
      lines.info.at(-1),
      "Imported mempool transactions from file: 1 succeeded, 1 failed, 1 expired, 1 already there, " +
        "1 waiting for initial broadcast",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadMempool: importmempool options (current time, no deltas, no unbroadcast)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { pool, b, absent } = populatedPool();
    const path = `${dir}/mempool.dat`;
    assert(await dumpMempool(pool, path, { skipFileCommit: true }));
    const fresh = makePool(NOW + 5);
    const result = await loadMempool(path, {
      accept: acceptInto(fresh, feesOf(pool)),
      pool: fresh,
      expirySeconds: EXPIRY,
      now: NOW + 5,
      useCurrentTime: true,
      applyFeeDeltaPriority: false,
      applyUnbroadcastSet: false,
    });
    assertEquals(result, { ok: true, succeeded: 3, failed: 0, expired: 0, alreadyThere: 0, unbroadcast: 0 });
    assertEquals([...fresh.entries()].map((e) => e.time), [NOW + 5, NOW + 5, NOW + 5]);
    assertEquals(fresh.get(reverseHex(txid(b)))!.modifiedFee, 1_000n);
    assertEquals(fresh.delta(absent), 0n);
    assertEquals(fresh.unbroadcast().size, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadMempool: a missing, truncated, corrupt or unknown-version file is a logged warning, nothing added", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { pool } = populatedPool();
    const path = `${dir}/mempool.dat`;
    assert(await dumpMempool(pool, path, { skipFileCommit: true }));
    const good = await Deno.readFile(path);
    const fees = feesOf(pool);

    const tryLoad = async (bytes: Uint8Array | null) => {
      if (bytes === null) await Deno.remove(path).catch(() => {});
      else await Deno.writeFile(path, bytes);
      const fresh = makePool(NOW);
      const calls: string[] = [];
      const { lines, log } = logger();
      const result = await loadMempool(path, {
        accept: acceptInto(fresh, fees, calls),
        pool: fresh,
        expirySeconds: EXPIRY,
        now: NOW,
        log,
      });
      assertEquals(result.ok, false);
      assertEquals(fresh.size, 0);
      assertEquals(calls, []);
      assertEquals(fresh.deltas().size, 0);
      return lines;
    };

    // Every truncation of the file.
    for (let n = 0; n < good.length; n++) {
      const lines = await tryLoad(good.slice(0, n));
      assertEquals(lines.warn.length, 1, `truncated at ${n}`);
      assert(lines.warn[0].startsWith("Failed to deserialize mempool data on file: "), lines.warn[0]);
      assert(lines.warn[0].endsWith(". Continuing anyway."));
    }
    // Unknown version.
    const v3 = good.slice();
    v3[0] = 3;
    assert((await tryLoad(v3)).warn[0].includes("unknown version 3"));
    // A key that is not 8 bytes.
    const badKey = good.slice();
    badKey[8] = 7;
    assert((await tryLoad(badKey)).warn[0].includes("Obfuscation key size should be exactly 8 bytes long"));
    // A huge transaction count.
    const v1 = encodeMempoolFile({ ...decodeMempoolFile(good), version: 1n, key: null });
    const huge = v1.slice();
    huge.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], 8);
    assertEquals((await tryLoad(huge)).warn.length, 1);
    // Random garbage.
    assertEquals((await tryLoad(crypto.getRandomValues(new Uint8Array(300)))).warn.length, 1);
    // No file at all.
    assertEquals((await tryLoad(null)).info, ["Failed to open mempool file. Continuing anyway."]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadMempool: an accept that throws counts as failed; interruption stops the load", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { pool } = populatedPool();
    const path = `${dir}/mempool.dat`;
    assert(await dumpMempool(pool, path, { skipFileCommit: true }));
    const fresh = makePool(NOW);
    const { lines, log } = logger();
    const thrown = await loadMempool(path, {
      accept: () => Promise.reject(new Error("boom")),
      pool: fresh,
      expirySeconds: EXPIRY,
      now: NOW,
      log,
    });
    assertEquals(thrown.failed, 3);
    assertEquals(lines.warn.length, 3);
    let n = 0;
    const interrupted = await loadMempool(path, {
      accept: acceptInto(makePool(NOW), feesOf(pool)),
      pool: makePool(NOW),
      expirySeconds: EXPIRY,
      now: NOW,
      interrupted: () => ++n >= 2,
    });
    assertEquals(interrupted.ok, false);
    assertEquals(interrupted.succeeded, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("dumpMempool: a failure is logged and returns false; concurrent dumps both complete", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { pool } = populatedPool();
    const { lines, log } = logger();
    assertEquals(await dumpMempool(pool, `${dir}/missing/mempool.dat`, { log }), false);
    assertEquals(lines.warn.length, 1);
    assert(lines.warn[0].startsWith("Failed to dump mempool: "));
    assert(lines.warn[0].endsWith(". Continuing anyway."));

    const path = `${dir}/mempool.dat`;
    const results = await Promise.all([
      dumpMempool(pool, path, { skipFileCommit: true }),
      dumpMempool(pool, path, { skipFileCommit: true, v1: true }),
      dumpMempool(pool, path, { skipFileCommit: true }),
    ]);
    assertEquals(results, [true, true, true]);
    const file = decodeMempoolFile(await Deno.readFile(path));
    assertEquals(file.version, 2n);
    assertEquals(file.txs.length, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
