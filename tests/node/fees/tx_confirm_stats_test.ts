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
