/**
 * Quantizes the mempool minimum fee before it is sent in a BIP133 `feefilter` message, so peers cannot
 * fingerprint the node by its exact value (Core's `FeeFilterRounder` in policy/fees/block_policy_estimator).
 * The candidate values are 0 and a geometric series with ratio 1.1 from half the incremental relay fee (at
 * least 1 sat/kvB) to 1e7 sat/kvB; a fee is rounded to the first value at or above it, or, two times in three
 * (and always above the last value), to the value below.
 *
 * @module
 */

/** The largest feerate in the series, sat/kvB (Core's `MAX_FILTER_FEERATE`). */
export const MAX_FILTER_FEERATE = 1e7;
/** Ratio between consecutive values (Core's `FEE_FILTER_SPACING`). */
export const FEE_FILTER_SPACING = 1.1;

/** Rounds fee filters to a fixed set of values. */
export class FeeFilterRounder {
  readonly #set: Float64Array;
  readonly #rand32: () => number;

  /**
   * @param minIncrementalFee the incremental relay feerate in sat/kvB (`-incrementalrelayfee`)
   * @param rand32 a source of uniformly random 32-bit unsigned integers (default: `crypto.getRandomValues`)
   */
  constructor(minIncrementalFee: bigint, rand32: () => number = defaultRand32) {
    const half = minIncrementalFee / 2n;
    const minLimit = half > 1n ? Number(half) : 1;
    const values = [0];
    for (let b = minLimit; b <= MAX_FILTER_FEERATE; b *= FEE_FILTER_SPACING) values.push(b);
    this.#set = Float64Array.from(values);
    this.#rand32 = rand32;
  }

  /** The candidate values, ascending (a copy). */
  get values(): number[] {
    return [...this.#set];
  }

  /** `currentMinFee` (sat/kvB) quantized for a `feefilter` message (Core's `FeeFilterRounder::round`). */
  round(currentMinFee: bigint): bigint {
    const set = this.#set;
    const fee = Number(currentMinFee);
    let lo = 0;
    let hi = set.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (set[mid] < fee) lo = mid + 1;
      else hi = mid;
    }
    let it = lo;
    if (it === set.length || (it !== 0 && this.#rand32() % 3 !== 0)) it--;
    return BigInt(Math.trunc(set[it]));
  }
}

function defaultRand32(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}
