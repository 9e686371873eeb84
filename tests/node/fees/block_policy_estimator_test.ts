import {
  BlockPolicyEstimator,
  blockStatsLogLine,
  defaultBuckets,
  FEE_SPACING,
  type FeeEstimatorTx,
  feePerKvB,
  INF_FEERATE,
  LONG_DECAY,
  MED_DECAY,
  SHORT_DECAY,
} from "../../../node/fees/block_policy_estimator.ts";
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { History, type TxClass } from "./history.ts";

const HIGH_1: TxClass = { satPerVB: 10, perBlock: 5, confirmAfter: 1 };
const close = (a: number, b: number, eps = 1e-9) => Math.abs(a - b) <= eps * Math.max(1, Math.abs(b));

Deno.test("buckets: 100 sat/kvB up to 1e7 spaced by 1.05, then one above everything", () => {
  const b = defaultBuckets();
  assertEquals(b[0], 100);
  assertEquals(b[1], 105);
  assertEquals(b.length, 237);
  assertEquals(b[b.length - 1], INF_FEERATE);
  assert(b[b.length - 2] <= 1e7 && b[b.length - 2] * FEE_SPACING > 1e7);
  for (let i = 1; i < b.length - 1; i++) assert(close(b[i] / b[i - 1], 1.05));
});

Deno.test("feePerKvB: Core's CFeeRate(fee, vsize).GetFeePerK(), rounded down", () => {
  assertEquals(feePerKvB(1001n, 1000), 1001);
  assertEquals(feePerKvB(1n, 3), 333);
  assertEquals(feePerKvB(2500n, 250), 10000);
  assertEquals(feePerKvB(-1n, 3), -334);
  assertEquals(feePerKvB(5n, 0), 0);
});

Deno.test("fresh estimator: no estimate, returned target 0, horizons track 12/48/1008", () => {
  const e = new BlockPolicyEstimator();
  const r = e.estimateSmartFee(6, false);
  assertEquals([r.feeRate, r.returnedTarget, r.desiredTarget, r.reason], [0n, 0, 6, "None"]);
  assertEquals(e.highestTargetTracked("short"), 12);
  assertEquals(e.highestTargetTracked("medium"), 48);
  assertEquals(e.highestTargetTracked("long"), 1008);
  assertEquals(e.estimateSmartFee(0, false).returnedTarget, 0);
  assertEquals(e.estimateSmartFee(1009, true).feeRate, 0n);
  assertEquals(e.estimateSmartFee(1009, true).returnedTarget, 1009);
  assertThrows(() => e.highestTargetTracked("xl" as "short"), "Unknown fee estimate horizon: xl");
});

Deno.test("converges: 10 sat/vB confirm in 1 block, 2 sat/vB in 3 → target 1 (as 2) 10 sat/vB, 6 → 2 sat/vB", () => {
  const h = new History(new BlockPolicyEstimator());
  h.run(20, [HIGH_1, { satPerVB: 2, perBlock: 5, confirmAfter: 3 }]);
  const e = h.estimator;
  const one = e.estimateSmartFee(1, false);
  assertEquals([one.feeRate, one.returnedTarget], [10000n, 2]);
  const six = e.estimateSmartFee(6, false);
  assertEquals([six.feeRate, six.returnedTarget], [2000n, 6]);
  // 20 blocks of data (first recorded at 101): the highest usable target is 19 / 2 = 9.
  assertEquals(e.maxUsableEstimate(), 9);
  const twelve = e.estimateSmartFee(12, false);
  assertEquals([twelve.feeRate, twelve.returnedTarget, twelve.desiredTarget], [2000n, 9, 12]);
  // Monotonic: a longer target never asks for more.
  let last = Infinity;
  for (let t = 1; t <= 12; t++) {
    const f = Number(e.estimateSmartFee(t, false).feeRate);
    assert(f > 0 && f <= last, `target ${t}: ${f}`);
    last = f;
  }
});

Deno.test("economical vs conservative: 2 sat/vB confirming in 6 blocks", () => {
  const h = new History(new BlockPolicyEstimator());
  h.run(60, [HIGH_1, { satPerVB: 2, perBlock: 5, confirmAfter: 6 }]);
  const e = h.estimator;
  // Target 6 needs 60% within 3 blocks: only the 10 sat/vB transactions do that.
  assertEquals(e.estimateSmartFee(6, false).feeRate, 10000n);
  const eco = e.estimateSmartFee(12, false);
  assertEquals([eco.feeRate, eco.returnedTarget], [2000n, 12]);
  const cons = e.estimateSmartFee(12, true);
  assertEquals([cons.feeRate, cons.reason], [10000n, "Conservative Double Target longer horizon"]);
  assertEquals(cons.est.decay, LONG_DECAY);
  assertEquals(cons.est.scale, 24);
});

Deno.test("horizons: the long horizon's 24-block resolution answers target 3 lower than the short one", () => {
  // Above height 1008, so the long horizon's mempool counts are not affected by the wrap tested below.
  const h = new History(new BlockPolicyEstimator(), 5000);
  h.run(80, [
    { satPerVB: 10, perBlock: 10, confirmAfter: 1 },
    { satPerVB: 2, perBlock: 10, confirmAfter: 6 },
  ]);
  const e = h.estimator;
  const short = e.estimateRawFee(3, 0.95, "short");
  assertEquals(short.feeRate, 10000n);
  assertEquals([short.result.decay, short.result.scale], [SHORT_DECAY, 1]);
  const long = e.estimateRawFee(3, 0.95, "long");
  assertEquals(long.feeRate, 2000n);
  assertEquals([long.result.decay, long.result.scale], [LONG_DECAY, 24]);
  const medium = e.estimateRawFee(6, 0.95, "medium");
  assertEquals([medium.feeRate, medium.result.decay, medium.result.scale], [2000n, MED_DECAY, 2]);
  // Targets beyond a horizon, or a threshold above 1, give nothing and no details.
  for (
    const [t, th, hz] of [[13, 0.95, "short"], [49, 0.95, "medium"], [1009, 0.5, "long"], [2, 1.01, "long"]]
  ) {
    const r = e.estimateRawFee(t as number, th as number, hz as "short");
    assertEquals([r.feeRate, r.result.scale, r.result.pass.start], [0n, 0, -1]);
  }
  // The pass range holds the 2 sat/vB bucket (start below 2000, end at or above it).
  assert(long.result.pass.start < 2000 && long.result.pass.end >= 2000);
  assertEquals(long.result.fail.start, 0);
});

Deno.test("decay: every block multiplies the history by the horizon's decay", () => {
  const h = new History(new BlockPolicyEstimator());
  h.run(40, [{ satPerVB: 5, perBlock: 10, confirmAfter: 1 }]);
  const e = h.estimator;
  const before = {
    short: e.estimateRawFee(1, 0.5, "short").result.pass.totalConfirmed,
    medium: e.estimateRawFee(1, 0.5, "medium").result.pass.totalConfirmed,
    long: e.estimateRawFee(1, 0.5, "long").result.pass.totalConfirmed,
  };
  e.processBlock(h.height + 1, []);
  assert(close(e.estimateRawFee(1, 0.5, "short").result.pass.totalConfirmed, before.short * SHORT_DECAY));
  assert(close(e.estimateRawFee(1, 0.5, "medium").result.pass.totalConfirmed, before.medium * MED_DECAY));
  assert(close(e.estimateRawFee(1, 0.5, "long").result.pass.totalConfirmed, before.long * LONG_DECAY));
  // 40 blocks of 10 txs with decay d sum to 10 (d + d² + … + d⁴⁰) before the extra block.
  const sum = (d: number, n: number) => (d * (1 - d ** n)) / (1 - d) * 10 / d;
  assert(close(before.short, sum(SHORT_DECAY, 40), 1e-9), `${before.short} vs ${sum(SHORT_DECAY, 40)}`);
});

Deno.test("decay: when cheap transactions stop confirming, the short-horizon estimate rises", () => {
  const h = new History(new BlockPolicyEstimator());
  h.run(40, [HIGH_1, { satPerVB: 2, perBlock: 5, confirmAfter: 1 }]);
  assertEquals(h.estimator.estimateSmartFee(2, false).feeRate, 2000n);
  h.run(40, [HIGH_1, { satPerVB: 2, perBlock: 5, confirmAfter: null, dropAfter: 5 }]);
  assertEquals(h.estimator.estimateSmartFee(2, false).feeRate, 10000n);
  // Failures were recorded: the failing range shows transactions that left the mempool unconfirmed.
  const raw = h.estimator.estimateRawFee(2, 0.95, "short");
  assert(raw.result.fail.leftMempool > 0 || raw.result.fail.inMempool > 0, JSON.stringify(raw.result.fail));
});

Deno.test("processTransaction: ignores other heights, duplicates and transactions not valid for estimation", () => {
  const e = new BlockPolicyEstimator();
  e.processBlock(10, []);
  const tx = { txid: "a", height: 10, fee: 1000n, vsize: 100 };
  e.processTransaction({ ...tx, height: 9 }, true);
  assertEquals(e.isTracked("a"), false);
  e.processTransaction(tx, false);
  assertEquals(e.isTracked("a"), false);
  e.processTransaction(tx, true);
  e.processTransaction(tx, true);
  assertEquals(e.trackedCount, 1);
  const stats = e.processBlock(11, [tx, { txid: "unknown", height: 10, fee: 1n, vsize: 1 }]);
  assertEquals(stats, {
    processed: true,
    counted: 1,
    total: 2,
    tracked: 1,
    untracked: 1,
    mempoolTracked: 0,
    maxUsable: 0,
    source: "current",
  });
  assertEquals(
    blockStatsLogLine(stats),
    "Blockpolicy estimates updated by 1 of 2 block txs, since last block 1 of 2 tracked, mempool map size 0, " +
      "max target 0 from current",
  );
  // Blocks at or below the best height (reorgs, side chains) are ignored.
  e.processTransaction({ txid: "b", height: 11, fee: 1000n, vsize: 100 }, true);
  assertEquals(e.processBlock(11, [{ txid: "b", height: 11, fee: 1000n, vsize: 100 }]).processed, false);
  assertEquals(e.isTracked("b"), true);
  assertEquals(e.bestSeenHeight, 11);
  assertThrows(() => e.processBlock(-1, []), "Cannot process block for fee estimation: height is -1");
});

Deno.test("removeTx and flushUnconfirmed stop tracking and count failures", () => {
  const e = new BlockPolicyEstimator();
  e.processBlock(10, []);
  for (let i = 0; i < 3; i++) {
    e.processTransaction({ txid: `t${i}`, height: 10, fee: 500n, vsize: 100 }, true);
  }
  assertEquals(e.removeTx("t0"), true);
  assertEquals(e.removeTx("t0"), false);
  assertEquals(e.removeTx("nope"), false);
  for (let h = 11; h <= 15; h++) e.processBlock(h, []);
  assertEquals(e.flushUnconfirmed(), 2);
  assertEquals(e.trackedCount, 0);
  // The two flushed transactions waited 5 blocks: failures for periods 1..5 of the short horizon.
  const r = e.estimateRawFee(5, 0.5, "short");
  assertEquals(r.feeRate, 0n);
  assertEquals(r.result.fail.leftMempool, 2);
  assertEquals(e.estimateRawFee(6, 0.5, "short").result.fail.leftMempool, 0);
});

Deno.test("estimateFee (deprecated): medium horizon at 95%, nothing for target 1", () => {
  const h = new History(new BlockPolicyEstimator());
  h.run(30, [HIGH_1, { satPerVB: 2, perBlock: 5, confirmAfter: 1 }]);
  assertEquals(h.estimator.estimateFee(1), 0n);
  assertEquals(h.estimator.estimateFee(4), h.estimator.estimateRawFee(4, 0.95, "medium").feeRate);
  assertEquals(h.estimator.estimateFee(4), 2000n);
});

Deno.test("in-mempool counts below height 1008 follow Core's unsigned slot arithmetic", () => {
  // Core indexes the circular buffer with (height - confct) % bins in unsigned 32-bit arithmetic: below the
  // buffer size this wraps, and the long horizon counts transactions only 1 block old as unconfirmed for 3+.
  for (const [start, expected] of [[100, 10], [5000, 0]]) {
    const e = new BlockPolicyEstimator();
    e.processBlock(start, []);
    for (let i = 0; i < 10; i++) {
      e.processTransaction({ txid: `t${i}`, height: start, fee: 500n, vsize: 100 }, true);
    }
    e.processBlock(start + 1, []);
    assertEquals(e.estimateRawFee(3, 0.95, "long").result.fail.inMempool, expected, `start ${start}`);
    assertEquals(e.estimateRawFee(3, 0.95, "short").result.fail.inMempool, 0);
  }
});

function trained(height = 1000): BlockPolicyEstimator {
  const h = new History(new BlockPolicyEstimator(), height);
  h.run(60, [
    { satPerVB: 20, perBlock: 4, confirmAfter: 1 },
    { satPerVB: 5, perBlock: 6, confirmAfter: 2 },
    { satPerVB: 1, perBlock: 3, confirmAfter: 8 },
    { satPerVB: 0.5, perBlock: 2, confirmAfter: null, dropAfter: 4 },
  ]);
  return h.estimator;
}

function answers(e: BlockPolicyEstimator): unknown[] {
  const out: unknown[] = [];
  for (const t of [1, 2, 3, 6, 12, 24, 48, 100, 1008]) {
    out.push(e.estimateSmartFee(t, false), e.estimateSmartFee(t, true));
    for (const hz of ["short", "medium", "long"] as const) out.push(e.estimateRawFee(t, 0.85, hz));
  }
  return out;
}

Deno.test("serialize: Core's fee_estimates.dat layout", () => {
  const e = trained();
  const bytes = e.serialize();
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assertEquals(v.getInt32(0, true), 309900);
  assertEquals(v.getUint32(4, true), 1060); // best seen height
  assertEquals([v.getUint32(8, true), v.getUint32(12, true)], [1001, 1060]); // recorded range
  assertEquals(bytes[16], 237); // bucket count (compact size)
  assertEquals(v.getFloat64(17, true), 100);
  assertEquals(v.getFloat64(17 + 8 * 236, true), 1e99);
  const medium = 17 + 8 * 237;
  assertEquals(v.getFloat64(medium, true), MED_DECAY);
  assertEquals(v.getUint32(medium + 8, true), 2);
  // Per horizon: decay 8 + scale 4 + two bucket vectors + periods × bucket vectors twice.
  const vec = 1 + 8 * 237;
  const horizon = (periods: number) => 12 + 2 * vec + 2 * (1 + periods * vec);
  assertEquals(bytes.length, medium + horizon(24) + horizon(12) + horizon(42));
  assertEquals(v.getFloat64(medium + horizon(24), true), SHORT_DECAY);
  assertEquals(v.getFloat64(medium + horizon(24) + horizon(12), true), LONG_DECAY);
});

Deno.test("serialize/deserialize: round trip keeps every estimate, then goes on from the saved history", () => {
  const e = trained();
  e.flushUnconfirmed();
  const { estimator: r, warning } = BlockPolicyEstimator.deserialize(e.serialize());
  assertEquals(warning, undefined);
  assertEquals(r.serialize(), e.serialize());
  assertEquals(r.bestSeenHeight, 1060);
  assertEquals(answers(r), answers(e));
  // The restored history counts as historical: targets up to (1060 - 1001) / 2 remain usable.
  assertEquals(r.maxUsableEstimate(), 29);
  assertEquals(r.estimateSmartFee(1, false).feeRate, 20000n);
  const h = new History(r, 1061);
  h.run(5, [{ satPerVB: 20, perBlock: 4, confirmAfter: 1 }]);
  assertEquals(r.estimateSmartFee(1, false).feeRate, 20000n);
});

Deno.test("deserialize: version, range and bucket checks with Core's messages; truncation never crashes", () => {
  const good = trained().serialize();
  const patched = (f: (v: DataView) => void) => {
    const b = good.slice();
    f(new DataView(b.buffer));
    return b;
  };
  assertThrows(
    () => BlockPolicyEstimator.deserialize(patched((v) => v.setInt32(0, 309901, true))),
    "File version (309901) too high to be read.",
  );
  const old = BlockPolicyEstimator.deserialize(patched((v) => v.setInt32(0, 149900, true)));
  assertEquals(old.warning, "Incompatible old fee estimation data (non-fatal). Version: 149900");
  assertEquals(old.estimator.bestSeenHeight, 0);
  assertThrows(
    () => BlockPolicyEstimator.deserialize(patched((v) => v.setUint32(8, 2000, true))),
    "Corrupt estimates file. Historical block range for estimates is invalid",
  );
  assertThrows(
    () => BlockPolicyEstimator.deserialize(patched((v) => v.setFloat64(17 + 8, 99, true))),
    "Corrupt estimates file. Feerate buckets must be positive and increasing",
  );
  assertThrows(
    () => BlockPolicyEstimator.deserialize(patched((v) => v.setFloat64(17 + 8 * 237, 1, true))),
    "Corrupt estimates file. Decay must be between 0 and 1 (non-inclusive)",
  );
  assertThrows(
    () => BlockPolicyEstimator.deserialize(patched((v) => v.setUint32(17 + 8 * 237 + 8, 0, true))),
    "Corrupt estimates file. Scale must be non-zero",
  );
  assertThrows(
    () => BlockPolicyEstimator.deserialize(patched((v) => v.setUint32(17 + 8 * 237 + 8, 100, true))),
    "Must maintain estimates for between 1 and 1008 (one week) confirms",
  );
  const oneBucket = new Uint8Array([...good.subarray(0, 16), 1, ...good.subarray(17, 25)]);
  assertThrows(
    () => BlockPolicyEstimator.deserialize(oneBucket),
    "Corrupt estimates file. Must have between 2 and 1000 feerate buckets",
  );
  const fewer = new Uint8Array([
    ...good.subarray(0, 16),
    236,
    ...good.subarray(17, 17 + 8 * 236),
    ...good.subarray(17 + 8 * 237),
  ]);
  assertThrows(
    () => BlockPolicyEstimator.deserialize(fewer),
    "Corrupt estimates file. Mismatch in feerate average bucket count",
  );
  for (let cut = 0; cut < good.length; cut += cut < 64 ? 1 : 97) {
    const err = assertThrows(() => BlockPolicyEstimator.deserialize(good.subarray(0, cut)));
    assert(/^Cannot decode fee estimates: |^Corrupt estimates file/.test(err.message), err.message);
  }
  assertThrows(() => BlockPolicyEstimator.deserialize(new Uint8Array()), "Cannot decode fee estimates");
});

Deno.test("Core's policy estimator unit-test scenario: 10 feerates mined with decreasing frequency", () => {
  // The scenario of Core's policyestimator_tests (BlockPolicyEstimates): 4 transactions per block at each of
  // 2000 × (1..10) sat over 188 vbytes; the highest class is mined every block, the next 9 blocks of 10, …
  const e = new BlockPolicyEstimator();
  const vsize = 188;
  const baseRate = feePerKvB(2000n, vsize);
  const delta = 100;
  const waiting: FeeEstimatorTx[][] = Array.from({ length: 10 }, () => []);
  let blocknum = 0;
  let n = 0;
  const addRound = () => {
    for (let j = 0; j < 10; j++) {
      for (let k = 0; k < 4; k++) {
        const tx = { txid: `t${n++}`, height: blocknum, fee: 2000n * BigInt(j + 1), vsize };
        e.processTransaction(tx, true);
        waiting[j].push(tx);
      }
    }
  };
  const fee = (i: number) => Number(e.estimateFee(i));
  while (blocknum < 200) {
    addRound();
    const block: FeeEstimatorTx[] = [];
    for (let h = 0; h <= blocknum % 10; h++) block.push(...waiting[9 - h].splice(0).reverse());
    e.processBlock(++blocknum, block);
    if (blocknum === 3) {
      assertEquals(fee(1), 0);
      assert(Math.abs(fee(2) - 9 * baseRate) < delta, `${fee(2)} vs ${9 * baseRate}`);
    }
  }
  const orig: number[] = [];
  for (let i = 1; i < 10; i++) {
    orig.push(fee(i));
    if (i > 2) assert(orig[i - 1] <= orig[i - 2], `monotonic at ${i}`);
    if (i % 2 === 0) {
      assert(Math.abs(orig[i - 1] - (11 - i) * baseRate) < delta, `target ${i}: ${orig[i - 1]}`);
    }
  }
  // 50 blocks without transactions: the estimates hold.
  while (blocknum < 250) e.processBlock(++blocknum, []);
  assertEquals(fee(1), 0);
  for (let i = 2; i < 10; i++) {
    assert(Math.abs(fee(i) - orig[i - 1]) < delta, `after quiet blocks, target ${i}`);
  }
  // 15 blocks of transactions that are not mined: the estimates go up (or give up).
  while (blocknum < 265) {
    addRound();
    e.processBlock(++blocknum, []);
  }
  for (let i = 1; i < 10; i++) assert(fee(i) === 0 || fee(i) > orig[i - 1] - delta, `backlog, target ${i}`);
  // All mined at once: still not below the original estimates.
  e.processBlock(266, waiting.flatMap((w) => w.splice(0)));
  assertEquals(fee(1), 0);
  for (let i = 2; i < 10; i++) assert(fee(i) === 0 || fee(i) > orig[i - 1] - delta, `cleared, target ${i}`);
  // 400 blocks where everything is mined at once: the estimates fall below the original ones.
  while (blocknum < 665) {
    addRound();
    e.processBlock(++blocknum, waiting.flatMap((w) => w.splice(0)));
  }
  assertEquals(fee(1), 0);
  for (let i = 2; i < 9; i++) {
    assert(fee(i) < orig[i - 1] - delta, `target ${i}: ${fee(i)} vs ${orig[i - 1]}`);
  }
});
