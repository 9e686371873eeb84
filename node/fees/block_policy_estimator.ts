/**
 * The fee estimator (Bitcoin Core's `CBlockPolicyEstimator`, policy/fees/block_policy_estimator): transactions
 * are grouped into feerate buckets spaced by 5% from 100 sat/kvB to 1e7 sat/kvB (plus one bucket above); when a
 * block connects, the estimator records how many blocks each tracked transaction took to confirm, in three
 * horizons of exponentially decaying history (short: 12 blocks at 1-block resolution, half-life 18 blocks;
 * medium: 48 blocks at 2, half-life 144; long: 1008 blocks at 24, half-life 1008). An estimate for a target is
 * the lowest feerate range whose transactions confirmed within the target often enough.
 *
 * The class is pure and synchronous: the mempool calls {@link BlockPolicyEstimator.processTransaction} when a
 * transaction enters, {@link BlockPolicyEstimator.processBlock} when a block connects (with the mempool entries
 * it removed) and {@link BlockPolicyEstimator.removeTx} when a transaction leaves for another reason. State
 * is saved and restored in Core's `fee_estimates.dat` format (see {@link BlockPolicyEstimator.serialize}).
 *
 * @module
 */

import { ByteReader } from "../../core/wire/reader.ts";
import { ByteWriter } from "../../core/wire/writer.ts";
import {
  emptyEstimationResult,
  type EstimationResult,
  readDoubleVector,
  TxConfirmStats,
  type TxConfirmStatsData,
  writeDoubleVector,
} from "./tx_confirm_stats.ts";

/** The time horizons (Core's `FeeEstimateHorizon`, named as `StringForFeeEstimateHorizon` prints them). */
export type FeeEstimateHorizon = "short" | "medium" | "long";

/** Every horizon, shortest first (Core's `ALL_FEE_ESTIMATE_HORIZONS`). */
export const ALL_FEE_ESTIMATE_HORIZONS: readonly FeeEstimateHorizon[] = ["short", "medium", "long"];

/** Periods tracked by the short horizon (Core's `SHORT_BLOCK_PERIODS`). */
export const SHORT_BLOCK_PERIODS = 12;
/** Blocks per period of the short horizon (Core's `SHORT_SCALE`). */
export const SHORT_SCALE = 1;
/** Periods tracked by the medium horizon (Core's `MED_BLOCK_PERIODS`). */
export const MED_BLOCK_PERIODS = 24;
/** Blocks per period of the medium horizon (Core's `MED_SCALE`). */
export const MED_SCALE = 2;
/** Periods tracked by the long horizon (Core's `LONG_BLOCK_PERIODS`). */
export const LONG_BLOCK_PERIODS = 42;
/** Blocks per period of the long horizon (Core's `LONG_SCALE`). */
export const LONG_SCALE = 24;
/** Saved history older than this many blocks is not used (Core's `OLDEST_ESTIMATE_HISTORY`). */
export const OLDEST_ESTIMATE_HISTORY = 6 * 1008;
/** Decay per block of the short horizon: half-life 18 blocks (Core's `SHORT_DECAY`). */
export const SHORT_DECAY = 0.962;
/** Decay per block of the medium horizon: half-life 144 blocks (Core's `MED_DECAY`). */
export const MED_DECAY = 0.9952;
/** Decay per block of the long horizon: half-life 1008 blocks (Core's `LONG_DECAY`). */
export const LONG_DECAY = 0.99931;
/** Share confirmed within target / 2 (Core's `HALF_SUCCESS_PCT`). */
export const HALF_SUCCESS_PCT = 0.6;
/** Share confirmed within target (Core's `SUCCESS_PCT`). */
export const SUCCESS_PCT = 0.85;
/** Share confirmed within 2 × target (Core's `DOUBLE_SUCCESS_PCT`). */
export const DOUBLE_SUCCESS_PCT = 0.95;
/** Average transactions per block a bucket range needs (Core's `SUFFICIENT_FEETXS`). */
export const SUFFICIENT_FEETXS = 0.1;
/** The same for the short horizon (Core's `SUFFICIENT_TXS_SHORT`). */
export const SUFFICIENT_TXS_SHORT = 0.5;
/**
 * Lowest bucket bound, sat/kvB (Core's `MIN_BUCKET_FEERATE`; 100 since Core lowered the default minimum relay
 * fee to 0.1 sat/vB, 1000 before).
 */
export const MIN_BUCKET_FEERATE = 100;
/** Highest finite bucket bound, sat/kvB (Core's `MAX_BUCKET_FEERATE`). */
export const MAX_BUCKET_FEERATE = 1e7;
/** Ratio between consecutive bucket bounds (Core's `FEE_SPACING`). */
export const FEE_SPACING = 1.05;
/** Bound of the last bucket, above every real feerate (Core's `INF_FEERATE`). */
export const INF_FEERATE = 1e99;
/** Version written to and required of `fee_estimates.dat` (Core's `CURRENT_FEES_FILE_VERSION`). */
export const CURRENT_FEES_FILE_VERSION = 309900;
/** Most buckets a file may have (Core's check). */
const MAX_FILE_BUCKETS = 1000;

/** Why {@link BlockPolicyEstimator.estimateSmartFee} returned its answer (Core's `FeeReason`). */
export type FeeReason =
  | "None"
  | "Half Target 60% Threshold"
  | "Target 85% Threshold"
  | "Double Target 95% Threshold"
  | "Conservative Double Target longer horizon";

/** A transaction as the estimator sees it: the mempool entry's txid, entry height, base fee and vsize. */
export interface FeeEstimatorTx {
  /** Transaction id (hex, as the mempool keys it). */
  readonly txid: string;
  /** Chain height when the transaction entered the mempool (the tip height at acceptance). */
  readonly height: number;
  /** Fee paid in satoshis (the base fee, not the prioritised one). */
  readonly fee: bigint;
  /** Virtual size in vbytes (sigop-adjusted, as the mempool entry's). */
  readonly vsize: number;
}

/** The answer of {@link BlockPolicyEstimator.estimateSmartFee} (Core's `CFeeRate` plus `FeeCalculation`). */
export interface SmartFeeEstimate {
  /** Feerate in sat/kvB, rounded to a whole satoshi; 0n when there is no estimate. */
  feeRate: bigint;
  /** The target asked for. */
  desiredTarget: number;
  /** The target the estimate is for (clamped to 2 .. the highest usable target; 0 with no data). */
  returnedTarget: number;
  /** Which sub-estimate decided the answer. */
  reason: FeeReason;
  /** Details of the deciding sub-estimate. */
  est: EstimationResult;
  /** The estimator's best seen height. */
  bestHeight: number;
}

/** The answer of {@link BlockPolicyEstimator.estimateRawFee}. */
export interface RawFeeEstimate {
  /** Feerate in sat/kvB, rounded to a whole satoshi; 0n when there is no estimate. */
  feeRate: bigint;
  /** Pass/fail ranges, decay and scale of the horizon (empty when the target or threshold is out of range). */
  result: EstimationResult;
}

/** Feerate of `fee` over `vsize` in whole sat/kvB, rounded down (Core's `CFeeRate(fee, vsize).GetFeePerK()`). */
export function feePerKvB(fee: bigint, vsize: number): number {
  if (!(vsize > 0)) return 0;
  const num = fee * 1000n;
  const d = BigInt(vsize);
  let q = num / d;
  if (num % d !== 0n && num < 0n) q -= 1n;
  return Number(q);
}

/** The default bucket bounds: 100 × 1.05^i up to 1e7 sat/kvB, then {@link INF_FEERATE}. */
export function defaultBuckets(): Float64Array {
  const out: number[] = [];
  for (let b = MIN_BUCKET_FEERATE; b <= MAX_BUCKET_FEERATE; b *= FEE_SPACING) out.push(b);
  out.push(INF_FEERATE);
  return Float64Array.from(out);
}

/** Core's `llround` for the non-negative medians it is applied to. */
function llround(x: number): bigint {
  return BigInt(x < 0 ? -Math.round(-x) : Math.round(x));
}

interface Tracked {
  height: number;
  bucket: number;
}

/**
 * What {@link BlockPolicyEstimator.processBlock} did, for Core's `-debug=estimatefee` line ("Blockpolicy
 * estimates updated by <counted> of <total> block txs, since last block <tracked> of <tracked+untracked>
 * tracked, mempool map size <mempoolTracked>, max target <maxUsable> …").
 */
export interface FeeEstimatorBlockStats {
  /** Whether the block was used (false: at or below the best seen height). */
  processed: boolean;
  /** Tracked transactions of the block that were recorded. */
  counted: number;
  /** Entries the block removed from the mempool. */
  total: number;
  /** Transactions tracked since the previous block. */
  tracked: number;
  /** Transactions seen but not valid for estimation since the previous block. */
  untracked: number;
  /** Mempool transactions still tracked. */
  mempoolTracked: number;
  /** {@link BlockPolicyEstimator.maxUsableEstimate} after the block. */
  maxUsable: number;
  /** Whether that target comes from the saved history ("historical") or this run's ("current"). */
  source: "historical" | "current";
}

/** Core's `-debug=estimatefee` line for a processed block. */
export function blockStatsLogLine(stats: FeeEstimatorBlockStats): string {
  return `Blockpolicy estimates updated by ${stats.counted} of ${stats.total} block txs, since last block ` +
    `${stats.tracked} of ${
      stats.tracked + stats.untracked
    } tracked, mempool map size ${stats.mempoolTracked}, ` +
    `max target ${stats.maxUsable} from ${stats.source}`;
}

/** Core's fee estimator: feed it mempool and block events, ask it for feerates. */
export class BlockPolicyEstimator {
  #buckets: Float64Array;
  #short: TxConfirmStats;
  #medium: TxConfirmStats;
  #long: TxConfirmStats;
  #mempoolTxs = new Map<string, Tracked>();
  #bestSeenHeight = 0;
  #firstRecordedHeight = 0;
  #historicalFirst = 0;
  #historicalBest = 0;
  #trackedTxs = 0;
  #untrackedTxs = 0;

  /** A fresh estimator with no history. */
  constructor() {
    const buckets = defaultBuckets();
    this.#buckets = buckets;
    this.#short = new TxConfirmStats(buckets, {
      maxPeriods: SHORT_BLOCK_PERIODS,
      decay: SHORT_DECAY,
      scale: SHORT_SCALE,
    });
    this.#medium = new TxConfirmStats(buckets, {
      maxPeriods: MED_BLOCK_PERIODS,
      decay: MED_DECAY,
      scale: MED_SCALE,
    });
    this.#long = new TxConfirmStats(buckets, {
      maxPeriods: LONG_BLOCK_PERIODS,
      decay: LONG_DECAY,
      scale: LONG_SCALE,
    });
  }

  /** The bucket upper bounds in sat/kvB (a copy). */
  get buckets(): number[] {
    return [...this.#buckets];
  }

  /** The highest block height processed (0 before the first block). */
  get bestSeenHeight(): number {
    return this.#bestSeenHeight;
  }

  /** How many mempool transactions are being tracked. */
  get trackedCount(): number {
    return this.#mempoolTxs.size;
  }

  /** Whether `txid` is being tracked. */
  isTracked(txid: string): boolean {
    return this.#mempoolTxs.has(txid);
  }

  #stats(horizon: FeeEstimateHorizon): TxConfirmStats {
    switch (horizon) {
      case "short":
        return this.#short;
      case "medium":
        return this.#medium;
      case "long":
        return this.#long;
      default:
        throw new RangeError(`Unknown fee estimate horizon: ${String(horizon)}`);
    }
  }

  /**
   * A transaction entered the mempool (Core's `processTransaction`). It is ignored when already tracked or
   * when its entry height is not the estimator's best height (side chains, reorgs, or the estimator behind the
   * tip); counted as untracked when `validForFeeEstimation` is false (Core: re-added during a reorg, submitted
   * in a package, the node not synced, or it has mempool parents); else tracked in its feerate bucket.
   */
  processTransaction(tx: FeeEstimatorTx, validForFeeEstimation: boolean): void {
    if (this.#mempoolTxs.has(tx.txid)) return;
    if (tx.height !== this.#bestSeenHeight) return;
    if (!validForFeeEstimation) {
      this.#untrackedTxs++;
      return;
    }
    this.#trackedTxs++;
    const feerate = feePerKvB(tx.fee, tx.vsize);
    const bucket = this.#medium.newTx(tx.height, feerate);
    this.#short.newTx(tx.height, feerate);
    this.#long.newTx(tx.height, feerate);
    this.#mempoolTxs.set(tx.txid, { height: tx.height, bucket });
  }

  /**
   * A transaction left the mempool for a reason other than a block (replaced, expired, evicted, conflicted):
   * it stops being tracked, counted as a failure for each whole period it waited (Core's `removeTx`).
   * Returns whether it was tracked.
   */
  removeTx(txid: string): boolean {
    return this.#removeTx(txid, false);
  }

  #removeTx(txid: string, inBlock: boolean): boolean {
    const t = this.#mempoolTxs.get(txid);
    if (t === undefined) return false;
    const best = this.#bestSeenHeight;
    this.#medium.removeTx(t.height, best, t.bucket, inBlock);
    this.#short.removeTx(t.height, best, t.bucket, inBlock);
    this.#long.removeTx(t.height, best, t.bucket, inBlock);
    this.#mempoolTxs.delete(txid);
    return true;
  }

  /**
   * A block at `height` connected and removed `confirmed` from the mempool (Core's `processBlock`; the
   * entries carry their mempool entry height, fee and vsize). Blocks at or below the best seen height (reorgs,
   * side chains) are ignored. Returns counters for the debug log.
   */
  processBlock(height: number, confirmed: readonly FeeEstimatorTx[]): FeeEstimatorBlockStats {
    if (!Number.isInteger(height) || height < 0 || height > 0xffffffff) {
      throw new RangeError(`Cannot process block for fee estimation: height is ${height}`);
    }
    if (height <= this.#bestSeenHeight) return this.#blockStats(false, 0, confirmed.length);
    this.#bestSeenHeight = height;
    for (const s of [this.#medium, this.#short, this.#long]) {
      s.clearCurrent(height);
      s.updateMovingAverages();
    }
    let counted = 0;
    for (const tx of confirmed) {
      if (!this.#removeTx(tx.txid, true)) continue;
      const blocksToConfirm = height - tx.height;
      if (blocksToConfirm <= 0) continue;
      const feerate = feePerKvB(tx.fee, tx.vsize);
      this.#medium.record(blocksToConfirm, feerate);
      this.#short.record(blocksToConfirm, feerate);
      this.#long.record(blocksToConfirm, feerate);
      counted++;
    }
    if (this.#firstRecordedHeight === 0 && counted > 0) this.#firstRecordedHeight = height;
    const stats = this.#blockStats(true, counted, confirmed.length);
    this.#trackedTxs = 0;
    this.#untrackedTxs = 0;
    return stats;
  }

  /** The counters `processBlock` returns, with the tracking figures as they stand now. */
  #blockStats(processed: boolean, counted: number, total: number): FeeEstimatorBlockStats {
    return {
      processed,
      counted,
      total,
      tracked: this.#trackedTxs,
      untracked: this.#untrackedTxs,
      mempoolTracked: this.#mempoolTxs.size,
      maxUsable: this.maxUsableEstimate(),
      source: this.#source(),
    };
  }

  /**
   * Counts every still-tracked mempool transaction as having left unconfirmed (Core's `FlushUnconfirmed`, done
   * at shutdown before the file is written). Returns how many there were.
   */
  flushUnconfirmed(): number {
    const txids = [...this.#mempoolTxs.keys()].sort();
    for (const txid of txids) this.#removeTx(txid, false);
    return txids.length;
  }

  /** The highest target `horizon` tracks (Core's `HighestTargetTracked`): 12, 48 and 1008 by default. */
  highestTargetTracked(horizon: FeeEstimateHorizon): number {
    return this.#stats(horizon).maxConfirms;
  }

  #blockSpan(): number {
    if (this.#firstRecordedHeight === 0) return 0;
    return this.#bestSeenHeight - this.#firstRecordedHeight;
  }

  #historicalBlockSpan(): number {
    if (this.#historicalFirst === 0) return 0;
    if (this.#bestSeenHeight - this.#historicalBest > OLDEST_ESTIMATE_HISTORY) return 0;
    return this.#historicalBest - this.#historicalFirst;
  }

  #source(): "historical" | "current" {
    return this.#historicalBlockSpan() > this.#blockSpan() ? "historical" : "current";
  }

  /** The highest target a reasonable estimate can be given for (Core's `MaxUsableEstimate`). */
  maxUsableEstimate(): number {
    return Math.min(
      this.#long.maxConfirms,
      Math.floor(Math.max(this.#blockSpan(), this.#historicalBlockSpan()) / 2),
    );
  }

  /**
   * Core's `estimateRawFee`: the estimate at `successThreshold` from one horizon, with details. Returns 0n
   * when the target is outside 1..highestTargetTracked(horizon), the threshold is above 1, or no range passes.
   */
  estimateRawFee(confTarget: number, successThreshold: number, horizon: FeeEstimateHorizon): RawFeeEstimate {
    const stats = this.#stats(horizon);
    const sufficient = horizon === "short" ? SUFFICIENT_TXS_SHORT : SUFFICIENT_FEETXS;
    const result = emptyEstimationResult();
    if (!Number.isInteger(confTarget) || confTarget <= 0 || confTarget > stats.maxConfirms) {
      return { feeRate: 0n, result };
    }
    if (successThreshold > 1) return { feeRate: 0n, result };
    const median = stats.estimateMedianVal(
      confTarget,
      sufficient,
      successThreshold,
      this.#bestSeenHeight,
      result,
    );
    return { feeRate: median < 0 ? 0n : llround(median), result };
  }

  /** Core's deprecated `estimateFee`: the medium horizon at 95%, 0n for a target of 1 or less. */
  estimateFee(confTarget: number): bigint {
    if (confTarget <= 1) return 0n;
    return this.estimateRawFee(confTarget, DOUBLE_SUCCESS_PCT, "medium").feeRate;
  }

  /**
   * Core's `estimateCombinedFee`: the estimate from the shortest horizon tracking `confTarget`; with
   * `checkShorterHorizon`, a lower answer from a shorter horizon at its highest target wins.
   */
  #estimateCombinedFee(
    confTarget: number,
    successThreshold: number,
    checkShorterHorizon: boolean,
    result: EstimationResult,
  ): number {
    let estimate = -1;
    const h = this.#bestSeenHeight;
    if (confTarget >= 1 && confTarget <= this.#long.maxConfirms) {
      if (confTarget <= this.#short.maxConfirms) {
        estimate = this.#short.estimateMedianVal(
          confTarget,
          SUFFICIENT_TXS_SHORT,
          successThreshold,
          h,
          result,
        );
      } else if (confTarget <= this.#medium.maxConfirms) {
        estimate = this.#medium.estimateMedianVal(confTarget, SUFFICIENT_FEETXS, successThreshold, h, result);
      } else {
        estimate = this.#long.estimateMedianVal(confTarget, SUFFICIENT_FEETXS, successThreshold, h, result);
      }
      if (checkShorterHorizon) {
        // The medium, then the short horizon at its longest target, where that is below `confTarget`.
        const temp = emptyEstimationResult();
        const shorter = [[this.#medium, SUFFICIENT_FEETXS], [this.#short, SUFFICIENT_TXS_SHORT]] as const;
        for (const [stats, sufficientTxs] of shorter) {
          if (confTarget <= stats.maxConfirms) continue;
          const max = stats.estimateMedianVal(stats.maxConfirms, sufficientTxs, successThreshold, h, temp);
          if (max > 0 && (estimate === -1 || max < estimate)) {
            estimate = max;
            Object.assign(result, temp);
          }
        }
      }
    }
    return estimate;
  }

  /**
   * Core's `estimateConservativeFee`: the 95% threshold at `doubleTarget` must also hold on the longer
   * horizons.
   */
  #estimateConservativeFee(doubleTarget: number, result: EstimationResult): number {
    let estimate = -1;
    const h = this.#bestSeenHeight;
    const temp = emptyEstimationResult();
    if (doubleTarget <= this.#short.maxConfirms) {
      estimate = this.#medium.estimateMedianVal(
        doubleTarget,
        SUFFICIENT_FEETXS,
        DOUBLE_SUCCESS_PCT,
        h,
        result,
      );
    }
    if (doubleTarget <= this.#medium.maxConfirms) {
      const longEstimate = this.#long.estimateMedianVal(
        doubleTarget,
        SUFFICIENT_FEETXS,
        DOUBLE_SUCCESS_PCT,
        h,
        temp,
      );
      if (longEstimate > estimate) {
        estimate = longEstimate;
        Object.assign(result, temp);
      }
    }
    return estimate;
  }

  /**
   * The feerate needed to begin confirmation within `confTarget` blocks (Core's `estimateSmartFee`): the
   * highest of a 60% threshold at target/2, 85% at target and 95% at 2 × target, each from the shortest
   * horizon tracking it; `conservative` also requires the 95% threshold on the longer horizons. A target of 1
   * is answered as 2, and a target beyond what the history supports is lowered (see `returnedTarget`).
   * `feeRate` is 0n when no estimate can be given (then `returnedTarget` is 0 if there is no history).
   */
  estimateSmartFee(confTarget: number, conservative: boolean): SmartFeeEstimate {
    const calc: SmartFeeEstimate = {
      feeRate: 0n,
      desiredTarget: confTarget,
      returnedTarget: confTarget,
      reason: "None",
      est: emptyEstimationResult(),
      bestHeight: this.#bestSeenHeight,
    };
    if (!Number.isInteger(confTarget) || confTarget <= 0 || confTarget > this.#long.maxConfirms) return calc;
    let target = confTarget === 1 ? 2 : confTarget;
    const maxUsable = this.maxUsableEstimate();
    if (target > maxUsable) target = maxUsable;
    calc.returnedTarget = target;
    if (target <= 1) return calc;

    const temp = emptyEstimationResult();
    const take = (est: number, reason: FeeReason): void => {
      median = est;
      calc.est = structuredClone(temp);
      calc.reason = reason;
    };
    let median = -1;
    const halfEst = this.#estimateCombinedFee(Math.floor(target / 2), HALF_SUCCESS_PCT, true, temp);
    take(halfEst, "Half Target 60% Threshold");
    const actualEst = this.#estimateCombinedFee(target, SUCCESS_PCT, true, temp);
    if (actualEst > median) take(actualEst, "Target 85% Threshold");
    const doubleEst = this.#estimateCombinedFee(2 * target, DOUBLE_SUCCESS_PCT, !conservative, temp);
    if (doubleEst > median) take(doubleEst, "Double Target 95% Threshold");
    if (conservative || median === -1) {
      const consEst = this.#estimateConservativeFee(2 * target, temp);
      if (consEst > median) take(consEst, "Conservative Double Target longer horizon");
    }
    if (median >= 0) calc.feeRate = llround(median);
    return calc;
  }

  /**
   * The estimator's history in Core's `fee_estimates.dat` layout (Core's `Write`): int32 version 309900,
   * uint32 best seen height, uint32 first and last height of the history, the bucket bounds, then the
   * medium, short and long horizons (each: decay, uint32 scale, feerate sums, counts, confirmed and failed
   * averages per period). Doubles are IEEE-754 little-endian, vectors are compact-size prefixed. The mempool
   * transactions being tracked are not saved (call {@link flushUnconfirmed} first at shutdown, as Core does).
   */
  serialize(): Uint8Array {
    const w = new ByteWriter(64 * 1024);
    w.i32(CURRENT_FEES_FILE_VERSION);
    w.u32(this.#bestSeenHeight);
    if (this.#blockSpan() > Math.floor(this.#historicalBlockSpan() / 2)) {
      w.u32(this.#firstRecordedHeight);
      w.u32(this.#bestSeenHeight);
    } else {
      w.u32(this.#historicalFirst);
      w.u32(this.#historicalBest);
    }
    writeDoubleVector(w, this.#buckets);
    this.#medium.write(w);
    this.#short.write(w);
    this.#long.write(w);
    return w.finish();
  }

  /**
   * An estimator restored from {@link serialize}d bytes (Core's `Read`). Throws an `Error` whose message
   * says what is wrong (Core's wording: "File version (…) too high to be read.", "Corrupt estimates file. …",
   * or a decode error for truncated data). A file of an older version holds nothing usable: it gives a fresh
   * estimator and `warning` (Core: "Incompatible old fee estimation data (non-fatal). Version: …").
   */
  static deserialize(bytes: Uint8Array): { estimator: BlockPolicyEstimator; warning?: string } {
    const r = new ByteReader(bytes, "fee estimates");
    const version = r.i32();
    if (version > CURRENT_FEES_FILE_VERSION) {
      throw new Error(`File version (${version}) too high to be read.`);
    }
    const fileBestSeenHeight = r.u32();
    if (version < CURRENT_FEES_FILE_VERSION) {
      return {
        estimator: new BlockPolicyEstimator(),
        warning: `Incompatible old fee estimation data (non-fatal). Version: ${version}`,
      };
    }
    const historicalFirst = r.u32();
    const historicalBest = r.u32();
    if (historicalFirst > historicalBest || historicalBest > fileBestSeenHeight) {
      throw new Error("Corrupt estimates file. Historical block range for estimates is invalid");
    }
    const buckets = readDoubleVector(r, "feerate bucket");
    if (buckets.length <= 1 || buckets.length > MAX_FILE_BUCKETS) {
      throw new Error("Corrupt estimates file. Must have between 2 and 1000 feerate buckets");
    }
    for (let i = 0; i < buckets.length; i++) {
      if (!(buckets[i] > 0) || (i > 0 && !(buckets[i] > buckets[i - 1]))) {
        throw new Error("Corrupt estimates file. Feerate buckets must be positive and increasing");
      }
    }
    const make = (data: TxConfirmStatsData) => new TxConfirmStats(buckets, data);
    const medium = make(TxConfirmStats.read(r, buckets.length));
    const short = make(TxConfirmStats.read(r, buckets.length));
    const long = make(TxConfirmStats.read(r, buckets.length));
    const estimator = new BlockPolicyEstimator();
    estimator.#buckets = buckets;
    estimator.#medium = medium;
    estimator.#short = short;
    estimator.#long = long;
    estimator.#bestSeenHeight = fileBestSeenHeight;
    estimator.#historicalFirst = historicalFirst;
    estimator.#historicalBest = historicalBest;
    return { estimator };
  }
}
