/**
 * One time horizon of the fee estimator (Bitcoin Core's `TxConfirmStats` in policy/fees/block_policy_estimator):
 * per feerate bucket, exponentially decaying averages of how many transactions were seen, how many confirmed
 * within each number of periods (a period is `scale` blocks), how many left the mempool unconfirmed, and the sum
 * of their feerates; plus exact counts of the transactions still in the mempool by entry block (a circular
 * buffer of `scale × periods` slots) and of older ones.
 *
 * The bucket boundaries are shared with the estimator: `buckets[i]` is the inclusive upper bound of bucket `i`
 * in sat/kvB, strictly increasing; a feerate goes into the first bucket whose bound is at least the feerate.
 *
 * @module
 */

import type { ByteReader } from "../../core/wire/reader.ts";
import type { ByteWriter } from "../../core/wire/writer.ts";

/** Detailed information about a range of feerate buckets (Core's `EstimatorBucket`). */
export interface EstimatorBucket {
  /** Start of the feerate range (sat/kvB, exclusive; 0 for the first bucket), -1 when unset. */
  start: number;
  /** End of the feerate range (sat/kvB, inclusive), -1 when unset. */
  end: number;
  /** Decayed count of transactions in the range confirmed within the target. */
  withinTarget: number;
  /** Decayed count of transactions in the range confirmed at any point. */
  totalConfirmed: number;
  /** Transactions in the mempool in the range unconfirmed for at least the target. */
  inMempool: number;
  /** Decayed count of transactions in the range that left the mempool unconfirmed after the target. */
  leftMempool: number;
}

/** Details of one estimate (Core's `EstimationResult`). */
export interface EstimationResult {
  /** The lowest range of feerates that met the threshold. */
  pass: EstimatorBucket;
  /** The highest range of feerates that failed the threshold (`start` -1: none failed). */
  fail: EstimatorBucket;
  /** Decay per block of the horizon used (0 when no horizon was consulted). */
  decay: number;
  /** Scale of the horizon used (0 when no horizon was consulted). */
  scale: number;
}

/** An unset bucket (Core's default `EstimatorBucket`). */
export function emptyBucket(): EstimatorBucket {
  return { start: -1, end: -1, withinTarget: 0, totalConfirmed: 0, inMempool: 0, leftMempool: 0 };
}

/** An empty result (Core's default `EstimationResult`). */
export function emptyEstimationResult(): EstimationResult {
  return { pass: emptyBucket(), fail: emptyBucket(), decay: 0, scale: 0 };
}

/** The most confirmations any horizon may track (one week of blocks, Core's file check). */
export const MAX_TRACKED_CONFIRMS = 1008;

/** The stored (decaying) part of a horizon: what the fee estimates file holds for it. */
export interface TxConfirmStatsData {
  /** Decay per block, in (0, 1). */
  decay: number;
  /** Blocks per period, at least 1. */
  scale: number;
  /** Per bucket: decayed sum of feerates (sat/kvB). */
  feerateAvg: Float64Array;
  /** Per bucket: decayed transaction count. */
  txCtAvg: Float64Array;
  /** Per period (index p: confirmed within p+1 periods), per bucket: decayed confirmed counts. */
  confAvg: Float64Array[];
  /** Per period (index p: unconfirmed for more than p+1 periods), per bucket: decayed failure counts. */
  failAvg: Float64Array[];
}

/** Encodes a double as Core's `EncodeDouble` (IEEE-754 binary64 bits, little-endian; NaN canonical). */
export function writeDouble(w: ByteWriter, v: number): void {
  writeDoubles(w, [v]);
}

function writeDoubles(w: ByteWriter, v: ArrayLike<number>): void {
  const out = new Uint8Array(8 * v.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < v.length; i++) {
    if (Number.isNaN(v[i])) view.setBigUint64(8 * i, 0x7ff8000000000000n, true);
    else view.setFloat64(8 * i, v[i], true);
  }
  w.bytes(out);
}

/** Decodes a double written by {@link writeDouble} (Core's `DecodeDouble`). */
export function readDouble(r: ByteReader): number {
  const b = r.bytes(8);
  return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
}

/** Writes a vector of doubles (compact-size count, then each double). */
export function writeDoubleVector(w: ByteWriter, v: ArrayLike<number>): void {
  w.compactSize(v.length);
  writeDoubles(w, v);
}

/** Reads a vector of doubles, refusing counts the remaining bytes cannot hold. */
export function readDoubleVector(r: ByteReader, what: string): Float64Array {
  const n = r.count(8, what);
  const b = r.bytes(8 * n);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
  return out;
}

function readDoubleMatrix(r: ByteReader, what: string): Float64Array[] {
  const n = r.count(1, what);
  const out: Float64Array[] = [];
  for (let i = 0; i < n; i++) out.push(readDoubleVector(r, what));
  return out;
}

/**
 * Index of the bucket for `feerate` (Core's `bucketMap.lower_bound(feerate)`): the first bucket whose upper
 * bound is at least `feerate`; a feerate above every bound goes into the last bucket.
 */
export function bucketIndexFor(buckets: ArrayLike<number>, feerate: number): number {
  let lo = 0;
  let hi = buckets.length - 1;
  if (!(feerate <= buckets[hi])) return hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (buckets[mid] < feerate) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Confirmation statistics of one horizon over a shared set of feerate buckets. */
export class TxConfirmStats {
  /** Inclusive upper bounds of the buckets (sat/kvB), shared with the estimator. */
  readonly buckets: Float64Array;
  /** Decay per block of the moving averages. */
  readonly decay: number;
  /** Blocks per period (the resolution of confirmation targets). */
  readonly scale: number;
  readonly #feerateAvg: Float64Array;
  readonly #txCtAvg: Float64Array;
  readonly #confAvg: Float64Array[];
  readonly #failAvg: Float64Array[];
  /** unconfTxs[slot][bucket] flattened: slot = entry height mod bins. */
  readonly #unconf: Int32Array;
  readonly #oldUnconf: Int32Array;
  /** Per slot: how many transactions it holds (lets estimates skip empty slots). */
  readonly #slotTotals: Int32Array;
  readonly #bins: number;

  /**
   * A horizon with empty statistics over `buckets`, tracking `maxPeriods` periods of `scale` blocks, its
   * averages decaying by `decay` per block; or, with `data`, the stored statistics of a file (the in-mempool
   * counters start empty, as Core's).
   */
  constructor(
    buckets: Float64Array,
    params: { maxPeriods: number; decay: number; scale: number } | TxConfirmStatsData,
  ) {
    this.buckets = buckets;
    const n = buckets.length;
    if ("feerateAvg" in params) {
      this.decay = params.decay;
      this.scale = params.scale;
      this.#feerateAvg = params.feerateAvg;
      this.#txCtAvg = params.txCtAvg;
      this.#confAvg = params.confAvg;
      this.#failAvg = params.failAvg;
    } else {
      if (!Number.isInteger(params.scale) || params.scale < 1) {
        throw new RangeError(`Cannot make fee statistics: scale is ${params.scale}`);
      }
      if (!Number.isInteger(params.maxPeriods) || params.maxPeriods < 1) {
        throw new RangeError(`Cannot make fee statistics: periods is ${params.maxPeriods}`);
      }
      this.decay = params.decay;
      this.scale = params.scale;
      this.#feerateAvg = new Float64Array(n);
      this.#txCtAvg = new Float64Array(n);
      this.#confAvg = Array.from({ length: params.maxPeriods }, () => new Float64Array(n));
      this.#failAvg = Array.from({ length: params.maxPeriods }, () => new Float64Array(n));
    }
    this.#bins = this.scale * this.#confAvg.length;
    this.#unconf = new Int32Array(this.#bins * n);
    this.#oldUnconf = new Int32Array(n);
    this.#slotTotals = new Int32Array(this.#bins);
  }

  /** The number of periods tracked. */
  get periods(): number {
    return this.#confAvg.length;
  }

  /** The highest confirmation target tracked: scale × periods (Core's `GetMaxConfirms`). */
  get maxConfirms(): number {
    return this.#bins;
  }

  /** Rolls the in-mempool circular buffer for a new block (Core's `ClearCurrent`). */
  clearCurrent(height: number): void {
    const n = this.buckets.length;
    const slot = height % this.#bins;
    if (this.#slotTotals[slot] === 0) return;
    const base = slot * n;
    for (let j = 0; j < n; j++) {
      this.#oldUnconf[j] += this.#unconf[base + j];
      this.#unconf[base + j] = 0;
    }
    this.#slotTotals[slot] = 0;
  }

  /**
   * Records a transaction confirmed `blocksToConfirm` (1-based) blocks after it entered the mempool at
   * `feerate` sat/kvB (Core's `Record`); nothing for a count below 1.
   */
  record(blocksToConfirm: number, feerate: number): void {
    if (blocksToConfirm < 1) return;
    const periodsToConfirm = Math.floor((blocksToConfirm + this.scale - 1) / this.scale);
    const b = bucketIndexFor(this.buckets, feerate);
    for (let i = periodsToConfirm; i <= this.#confAvg.length; i++) this.#confAvg[i - 1][b]++;
    this.#txCtAvg[b]++;
    this.#feerateAvg[b] += feerate;
  }

  /** Decays every moving average by one block (Core's `UpdateMovingAverages`). */
  updateMovingAverages(): void {
    const d = this.decay;
    for (let i = 0; i < this.#confAvg.length; i++) {
      const c = this.#confAvg[i];
      const f = this.#failAvg[i];
      for (let j = 0; j < c.length; j++) {
        c[j] *= d;
        f[j] *= d;
      }
    }
    for (let j = 0; j < this.#txCtAvg.length; j++) {
      this.#feerateAvg[j] *= d;
      this.#txCtAvg[j] *= d;
    }
  }

  /** Counts a transaction entering the mempool at `height`; returns its bucket (Core's `NewTx`). */
  newTx(height: number, feerate: number): number {
    const b = bucketIndexFor(this.buckets, feerate);
    const slot = height % this.#bins;
    this.#unconf[slot * this.buckets.length + b]++;
    this.#slotTotals[slot]++;
    return b;
  }

  /**
   * Stops counting a mempool transaction that entered at `entryHeight` in bucket `bucket` (Core's `removeTx`);
   * `bestSeenHeight` is the estimator's height before the block being processed. Unless it was mined
   * (`inBlock`), each whole period it waited counts as a failure.
   */
  removeTx(entryHeight: number, bestSeenHeight: number, bucket: number, inBlock: boolean): void {
    let blocksAgo = bestSeenHeight - entryHeight;
    if (bestSeenHeight === 0) blocksAgo = 0;
    if (blocksAgo < 0) return;
    if (blocksAgo >= this.#bins) {
      if (this.#oldUnconf[bucket] > 0) this.#oldUnconf[bucket]--;
    } else {
      const slot = entryHeight % this.#bins;
      const at = slot * this.buckets.length + bucket;
      if (this.#unconf[at] > 0) {
        this.#unconf[at]--;
        this.#slotTotals[slot]--;
      }
    }
    if (!inBlock && blocksAgo >= this.scale) {
      const periodsAgo = Math.floor(blocksAgo / this.scale);
      for (let i = 0; i < periodsAgo && i < this.#failAvg.length; i++) this.#failAvg[i][bucket]++;
    }
  }

  /**
   * The feerate (sat/kvB, not rounded) needed to confirm within `confTarget` blocks with probability at least
   * `successBreakPoint`, or -1 (Core's `EstimateMedianVal`). Buckets are scanned from the highest feerate down
   * and grouped until each group holds `sufficientTxVal / (1 - decay)` transactions; the answer is the average
   * feerate of the median bucket of the lowest group that still passed. `result` receives the pass/fail
   * ranges. `confTarget` must be within 1..maxConfirms.
   */
  estimateMedianVal(
    confTarget: number,
    sufficientTxVal: number,
    successBreakPoint: number,
    height: number,
    result?: EstimationResult,
  ): number {
    const buckets = this.buckets;
    const n = buckets.length;
    const periodTarget = Math.floor((confTarget + this.scale - 1) / this.scale);
    const confRow = this.#confAvg[periodTarget - 1];
    const failRow = this.#failAvg[periodTarget - 1];
    const maxBucket = n - 1;
    const bins = this.#bins;
    const needed = sufficientTxVal / (1 - this.decay);

    let nConf = 0;
    let totalNum = 0;
    let extraNum = 0;
    let failNum = 0;
    let curNear = maxBucket;
    let bestNear = maxBucket;
    let curFar = maxBucket;
    let bestFar = maxBucket;
    let partialNum = 0;
    let foundAnswer = false;
    let newBucketRange = true;
    let passing = true;
    const passBucket = emptyBucket();
    let failBucket = emptyBucket();

    // Per bucket: transactions in the mempool unconfirmed for at least confTarget blocks, from the slots of
    // the circular buffer for confTarget .. bins-1 blocks ago. Core computes the slots with unsigned 32-bit
    // arithmetic, which wraps below height 0; so do we. Empty slots are skipped.
    const waiting = new Int32Array(n);
    for (let c = confTarget; c < bins; c++) {
      const slot = ((height - c) >>> 0) % bins;
      if (this.#slotTotals[slot] === 0) continue;
      const base = slot * n;
      for (let j = 0; j < n; j++) waiting[j] += this.#unconf[base + j];
    }

    const fillFail = (): void => {
      const lo = Math.min(curNear, curFar);
      const hi = Math.max(curNear, curFar);
      failBucket = {
        start: lo ? buckets[lo - 1] : 0,
        end: buckets[hi],
        withinTarget: nConf,
        totalConfirmed: totalNum,
        inMempool: extraNum,
        leftMempool: failNum,
      };
    };

    for (let bucket = maxBucket; bucket >= 0; bucket--) {
      if (newBucketRange) {
        curNear = bucket;
        newBucketRange = false;
      }
      curFar = bucket;
      nConf += confRow[bucket];
      partialNum += this.#txCtAvg[bucket];
      totalNum += this.#txCtAvg[bucket];
      failNum += failRow[bucket];
      extraNum += waiting[bucket] + this.#oldUnconf[bucket];
      // Test only once the range holds enough confirmed data points, so every target looks at the same
      // ranges.
      if (partialNum < needed) continue;
      partialNum = 0;
      const curPct = nConf / (totalNum + failNum + extraNum);
      if (curPct < successBreakPoint) {
        if (passing) {
          fillFail();
          passing = false;
        }
        continue;
      }
      failBucket = emptyBucket();
      foundAnswer = true;
      passing = true;
      passBucket.withinTarget = nConf;
      passBucket.totalConfirmed = totalNum;
      passBucket.inMempool = extraNum;
      passBucket.leftMempool = failNum;
      nConf = 0;
      totalNum = 0;
      failNum = 0;
      extraNum = 0;
      bestNear = curNear;
      bestFar = curFar;
      newBucketRange = true;
    }

    let median = -1;
    const minB = Math.min(bestNear, bestFar);
    const maxB = Math.max(bestNear, bestFar);
    let txSum = 0;
    for (let j = minB; j <= maxB; j++) txSum += this.#txCtAvg[j];
    if (foundAnswer && txSum !== 0) {
      txSum = txSum / 2;
      for (let j = minB; j <= maxB; j++) {
        if (this.#txCtAvg[j] < txSum) {
          txSum -= this.#txCtAvg[j];
        } else {
          median = this.#feerateAvg[j] / this.#txCtAvg[j];
          break;
        }
      }
      passBucket.start = minB ? buckets[minB - 1] : 0;
      passBucket.end = buckets[maxB];
    }
    // Passing until the last buckets, which had too little data: report those as the failed range.
    if (passing && !newBucketRange) fillFail();

    if (result) {
      result.pass = passBucket;
      result.fail = failBucket;
      result.decay = this.decay;
      result.scale = this.scale;
    }
    return median;
  }

  /** Writes the stored statistics in Core's layout (Core's `TxConfirmStats::Write`). */
  write(w: ByteWriter): void {
    writeDouble(w, this.decay);
    w.u32(this.scale);
    writeDoubleVector(w, this.#feerateAvg);
    writeDoubleVector(w, this.#txCtAvg);
    w.compactSize(this.#confAvg.length);
    for (const row of this.#confAvg) writeDoubleVector(w, row);
    w.compactSize(this.#failAvg.length);
    for (const row of this.#failAvg) writeDoubleVector(w, row);
  }

  /**
   * Reads stored statistics for `numBuckets` buckets with Core's sanity checks (Core's
   * `TxConfirmStats::Read`); throws `Error` with Core's "Corrupt estimates file. …" messages, or a
   * `DecodeError` when the bytes run out.
   */
  static read(r: ByteReader, numBuckets: number): TxConfirmStatsData {
    const decay = readDouble(r);
    if (!(decay > 0 && decay < 1)) {
      throw new Error("Corrupt estimates file. Decay must be between 0 and 1 (non-inclusive)");
    }
    const scale = r.u32();
    if (scale === 0) throw new Error("Corrupt estimates file. Scale must be non-zero");
    const feerateAvg = readDoubleVector(r, "feerate average");
    if (feerateAvg.length !== numBuckets) {
      throw new Error("Corrupt estimates file. Mismatch in feerate average bucket count");
    }
    const txCtAvg = readDoubleVector(r, "tx count average");
    if (txCtAvg.length !== numBuckets) {
      throw new Error("Corrupt estimates file. Mismatch in tx count bucket count");
    }
    const confAvg = readDoubleMatrix(r, "confirmed average");
    const maxConfirms = scale * confAvg.length;
    if (maxConfirms <= 0 || maxConfirms > MAX_TRACKED_CONFIRMS) {
      throw new Error(
        "Corrupt estimates file.  Must maintain estimates for between 1 and 1008 (one week) confirms",
      );
    }
    if (confAvg.some((row) => row.length !== numBuckets)) {
      throw new Error("Corrupt estimates file. Mismatch in feerate conf average bucket count");
    }
    const failAvg = readDoubleMatrix(r, "failed average");
    if (failAvg.length !== confAvg.length) {
      throw new Error("Corrupt estimates file. Mismatch in confirms tracked for failures");
    }
    if (failAvg.some((row) => row.length !== numBuckets)) {
      throw new Error("Corrupt estimates file. Mismatch in one of failure average bucket counts");
    }
    return { decay, scale, feerateAvg, txCtAvg, confAvg, failAvg };
  }
}
