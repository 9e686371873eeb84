import { ByteReader } from "../../../core/wire/reader.ts";
import { ByteWriter } from "../../../core/wire/writer.ts";
import {
  bucketIndexFor,
  emptyEstimationResult,
  readDouble,
  TxConfirmStats,
  writeDouble,
} from "../../../node/fees/tx_confirm_stats.ts";
import { assertEquals, assertThrows } from "../../assert.ts";

const BUCKETS = Float64Array.from([1000, 2000, 4000, 8000, 1e99]);

Deno.test("bucketIndexFor: the first bound at or above the feerate (lower_bound)", () => {
  assertEquals(bucketIndexFor(BUCKETS, 0), 0);
  assertEquals(bucketIndexFor(BUCKETS, 1000), 0);
  assertEquals(bucketIndexFor(BUCKETS, 1001), 1);
  assertEquals(bucketIndexFor(BUCKETS, 8000), 3);
  assertEquals(bucketIndexFor(BUCKETS, 8001), 4);
  assertEquals(bucketIndexFor(BUCKETS, 1e300), 4);
  assertEquals(bucketIndexFor(BUCKETS, NaN), 4);
});

Deno.test("doubles: IEEE-754 little-endian as Core's EncodeDouble", () => {
  const w = new ByteWriter();
  writeDouble(w, 0.962);
  writeDouble(w, NaN);
  writeDouble(w, -0);
  const b = w.finish();
  assertEquals([...b.subarray(0, 8)], [0x62, 0x10, 0x58, 0x39, 0xb4, 0xc8, 0xee, 0x3f]);
  assertEquals([...b.subarray(8, 16)], [0, 0, 0, 0, 0, 0, 0xf8, 0x7f]);
  assertEquals([...b.subarray(16)], [0, 0, 0, 0, 0, 0, 0, 0x80]);
  assertEquals(readDouble(new ByteReader(b)), 0.962);
});

Deno.test("record: a confirmation counts in its period and every later one; scale groups blocks", () => {
  const s = new TxConfirmStats(BUCKETS, { maxPeriods: 4, decay: 0.5, scale: 2 });
  assertEquals([s.periods, s.maxConfirms], [4, 8]);
  s.record(3, 3000); // period 2
  s.record(0, 3000); // ignored
  const r = emptyEstimationResult();
  // Needs 0.5 / (1 - 0.5) = 1 transaction per range: target 2 (period 1) fails, target 4 (period 2) passes.
  assertEquals(s.estimateMedianVal(2, 0.5, 0.9, 10, r), -1);
  assertEquals([r.fail.start, r.fail.end, r.fail.withinTarget, r.fail.totalConfirmed], [2000, 1e99, 0, 1]);
  assertEquals(s.estimateMedianVal(4, 0.5, 0.9, 10, r), 3000);
  assertEquals([r.pass.start, r.pass.end, r.pass.withinTarget, r.decay, r.scale], [2000, 1e99, 1, 0.5, 2]);
  assertEquals(r.fail.start, 0); // the lower buckets had too little data
  s.updateMovingAverages();
  assertEquals(s.estimateMedianVal(4, 0.5, 0.9, 10, r), -1); // 0.5 of a transaction is not enough
  assertThrows(() => new TxConfirmStats(BUCKETS, { maxPeriods: 4, decay: 0.5, scale: 0 }), "scale is 0");
});

Deno.test("newTx/removeTx/clearCurrent: mempool counts by entry block and failures by waited periods", () => {
  const s = new TxConfirmStats(BUCKETS, { maxPeriods: 3, decay: 0.9, scale: 1 });
  const b = s.newTx(20, 1500);
  assertEquals(b, 1);
  s.newTx(20, 1500);
  const r = emptyEstimationResult();
  // At height 22 both have waited 2 blocks: counted in the mempool for target 2, not for target 3.
  s.estimateMedianVal(2, 0.1, 0.5, 22, r);
  assertEquals(r.fail.inMempool, 2);
  s.estimateMedianVal(3, 0.1, 0.5, 22, r);
  assertEquals(r.fail.inMempool, 0);
  s.removeTx(20, 22, b, false); // left after 2 blocks: failures for periods 1 and 2
  s.estimateMedianVal(2, 0.1, 0.5, 22, r);
  assertEquals([r.fail.inMempool, r.fail.leftMempool], [1, 1]);
  s.estimateMedianVal(3, 0.1, 0.5, 22, r);
  assertEquals(r.fail.leftMempool, 0);
  // After 3 blocks the slot is reused: the remaining one moves to the "old" count, still in the mempool.
  s.clearCurrent(23);
  s.estimateMedianVal(3, 0.1, 0.5, 23, r);
  assertEquals(r.fail.inMempool, 1);
  s.removeTx(20, 23, b, true); // mined: no failure
  s.estimateMedianVal(3, 0.1, 0.5, 23, r);
  assertEquals([r.fail.inMempool, r.fail.leftMempool], [0, 0]);
});

Deno.test("write/read: stored statistics round trip; Core's checks on read", () => {
  const s = new TxConfirmStats(BUCKETS, { maxPeriods: 2, decay: 0.75, scale: 3 });
  s.record(1, 900);
  s.record(5, 5000);
  const w = new ByteWriter();
  s.write(w);
  const bytes = w.finish();
  const data = TxConfirmStats.read(new ByteReader(bytes), 5);
  assertEquals([data.decay, data.scale, data.confAvg.length], [0.75, 3, 2]);
  assertEquals([...data.txCtAvg], [1, 0, 0, 1, 0]);
  assertEquals([...data.confAvg[0]], [1, 0, 0, 0, 0]);
  assertEquals([...data.confAvg[1]], [1, 0, 0, 1, 0]);
  const back = new TxConfirmStats(BUCKETS, data);
  const w2 = new ByteWriter();
  back.write(w2);
  assertEquals(w2.finish(), bytes);
  assertThrows(
    () => TxConfirmStats.read(new ByteReader(bytes), 4),
    "Mismatch in feerate average bucket count",
  );
});

Deno.test("mempool counts match a naive model over random histories (empty-slot skipping, wraps)", () => {
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const nb = BUCKETS.length;
  for (const [start, scale, periods] of [[3, 1, 12], [20, 2, 24], [40, 24, 42], [5000, 24, 42]]) {
    const s = new TxConfirmStats(BUCKETS, { maxPeriods: periods, decay: 0.9, scale });
    const bins = scale * periods;
    // The naive model: every slot of every bucket, no shortcuts.
    const unconf = Array.from({ length: bins }, () => new Array<number>(nb).fill(0));
    const old = new Array<number>(nb).fill(0);
    const pending: { entry: number; bucket: number }[] = [];
    let h = start;
    for (let step = 0; step < 500; step++) {
      const op = rand(10);
      if (op < 5) {
        const bucket = s.newTx(h, 500 + rand(9000));
        unconf[h % bins][bucket]++;
        pending.push({ entry: h, bucket });
      } else if (op < 7 && pending.length > 0) {
        const [p] = pending.splice(rand(pending.length), 1);
        s.removeTx(p.entry, h, p.bucket, rand(2) === 0);
        if (h - p.entry >= bins) {
          if (old[p.bucket] > 0) old[p.bucket]--;
        } else if (unconf[p.entry % bins][p.bucket] > 0) {
          unconf[p.entry % bins][p.bucket]--;
        }
      } else {
        h += 1 + rand(3) * (scale > 1 ? 7 : 1);
        s.clearCurrent(h);
        for (let j = 0; j < nb; j++) {
          old[j] += unconf[h % bins][j];
          unconf[h % bins][j] = 0;
        }
      }
      const target = 1 + rand(bins - 1);
      const r = emptyEstimationResult();
      // An impossible sufficiency: one range over every bucket, reported as the failed one.
      s.estimateMedianVal(target, 1e9, 0.5, h, r);
      let expected = 0;
      for (let j = 0; j < nb; j++) {
        expected += old[j];
        for (let c = target; c < bins; c++) expected += unconf[((h - c) >>> 0) % bins][j];
      }
      assertEquals(r.fail.inMempool, expected, `start ${start} step ${step} target ${target}`);
    }
  }
});
