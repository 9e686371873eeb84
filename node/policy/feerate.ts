/**
 * Core's `CFeeRate` (policy/feerate): a feerate kept exactly as a fee over a virtual size (since Core #32750 it
 * is a `FeePerVSize`, no longer rounded to whole sat/kvB). `getFee` rounds up, `getFeePerK` rounds down,
 * `toString` prints "0.00001000 BTC/kvB" or "1.000 sat/vB".
 *
 * @module
 */

import { COIN } from "../../core/chain_params.ts";
import { compareFeerate, evaluateFee, type FeeFrac, floorDiv } from "./feefrac.ts";

/** How {@link FeeRate.toString} prints (Core's `FeeRateFormat`). */
export type FeeRateFormat = "BTC/kvB" | "sat/vB";

/** C++ `%0<width>d` of an integer: the sign counts toward the width, zeros go between sign and digits. */
function zeroPad(n: bigint, width: number): string {
  const neg = n < 0n;
  const digits = (neg ? -n : n).toString();
  return neg ? "-" + digits.padStart(width - 1, "0") : digits.padStart(width, "0");
}

function checkSize(vsize: number, what: string): void {
  if (!Number.isInteger(vsize) || vsize < 0 || vsize > 0x7fffffff) {
    throw new RangeError(`Cannot ${what}: virtual size is ${vsize}`);
  }
}

/** A feerate in satoshis per virtual byte, kept as fee / size (Core's `CFeeRate`). Immutable. */
export class FeeRate implements FeeFrac {
  /** Fee in satoshis of the fraction. */
  readonly fee: bigint;
  /** Virtual size of the fraction (0 only for the empty feerate, which compares equal to every feerate). */
  readonly size: number;

  static readonly #empty: FeeRate = new FeeRate(0n, 0);

  private constructor(fee: bigint, size: number) {
    this.fee = fee;
    this.size = size;
  }

  /** The feerate `satPerKvB` satoshis per 1000 virtual bytes (Core's `CFeeRate(CAmount)`). */
  static fromSatPerKvB(satPerKvB: bigint | number): FeeRate {
    return new FeeRate(BigInt(satPerKvB), 1000);
  }

  /**
   * The feerate of `fee` paid for `vsize` virtual bytes (Core's `CFeeRate(fee, virtual_bytes)`); a size of 0
   * or less gives the empty feerate (0 per 0).
   */
  static fromFee(fee: bigint, vsize: number): FeeRate {
    if (vsize > 0) {
      checkSize(vsize, "make a feerate");
      return new FeeRate(fee, vsize);
    }
    return FeeRate.#empty;
  }

  /** The empty feerate (Core's default-constructed `CFeeRate`): fee 0 per size 0. */
  static empty(): FeeRate {
    return FeeRate.#empty;
  }

  /** Whether this is the empty feerate (size 0). */
  isEmpty(): boolean {
    return this.size === 0;
  }

  /**
   * Core's `GetFee`: the fee for `vsize` virtual bytes, rounded up to a whole satoshi; 0 for the empty feerate;
   * -1 (not 0) when a negative feerate would round to 0 for a non-zero size.
   */
  getFee(vsize: number): bigint {
    checkSize(vsize, "compute a fee");
    if (this.size === 0) return 0n;
    const fee = evaluateFee(this, vsize, false);
    if (fee === 0n && vsize !== 0 && this.fee < 0n) return -1n;
    return fee;
  }

  /** Core's `GetFeePerK`: satoshis per 1000 virtual bytes, rounded down (0 for the empty feerate). */
  getFeePerK(): bigint {
    if (this.size === 0) return 0n;
    return floorDiv(this.fee * 1000n, BigInt(this.size));
  }

  /** Sign of this − other by feerate (Core's `operator<=>`, exact cross-multiplication). */
  compare(other: FeeRate): -1 | 0 | 1 {
    return compareFeerate(this, other);
  }

  /** Same feerate (Core's `operator==`: 1/1000 equals 2/2000). */
  equals(other: FeeRate): boolean {
    return this.compare(other) === 0;
  }

  /** Strictly lower feerate. */
  lt(other: FeeRate): boolean {
    return this.compare(other) < 0;
  }

  /** Lower or equal feerate. */
  le(other: FeeRate): boolean {
    return this.compare(other) <= 0;
  }

  /** Strictly higher feerate. */
  gt(other: FeeRate): boolean {
    return this.compare(other) > 0;
  }

  /** Higher or equal feerate. */
  ge(other: FeeRate): boolean {
    return this.compare(other) >= 0;
  }

  /** The higher of two feerates (this one when equal). */
  max(other: FeeRate): FeeRate {
    return other.gt(this) ? other : this;
  }

  /** Core's `operator+=`: the sum of both rounded-down sat/kvB values, per 1000 vB. */
  plus(other: FeeRate): FeeRate {
    return FeeRate.fromSatPerKvB(this.getFeePerK() + other.getFeePerK());
  }

  /** Core's `operator*(int)`: the fee times `n` over the same size (empty stays empty). */
  times(n: number): FeeRate {
    if (!Number.isInteger(n)) throw new RangeError(`Cannot multiply a feerate: factor is ${n}`);
    return FeeRate.fromFee(this.fee * BigInt(n), this.size);
  }

  /**
   * Core's `ToString`: "%d.%08d BTC/kvB" of the sat/kvB value (default) or "%d.%03d sat/vB", with C++'s
   * truncating division for negative values.
   */
  toString(format: FeeRateFormat = "BTC/kvB"): string {
    const perK = this.getFeePerK();
    if (format === "sat/vB") return `${perK / 1000n}.${zeroPad(perK % 1000n, 3)} sat/vB`;
    return `${perK / COIN}.${zeroPad(perK % COIN, 8)} BTC/kvB`;
  }
}
