/**
 * Fee-and-size pairs and feerate diagrams (Core's util/feefrac): a {@link FeeFrac} is a fee (satoshis) with a
 * size (virtual bytes or weight units, the caller says which); comparing two by feerate cross-multiplies, so no
 * precision is lost. {@link compareChunks} is the feerate-diagram comparison that current Core's replacement
 * policy (RBF) is built on.
 *
 * @module
 */

/** A fee with a size (Core's `FeeFrac`). The size is 0 only when the fee is 0 too (the "empty" value). */
export interface FeeFrac {
  /** Fee in satoshis (int64). */
  readonly fee: bigint;
  /** Size (int32): virtual bytes or weight units. */
  readonly size: number;
}

/** The empty FeeFrac (fee 0, size 0; feerate undefined). */
export const EMPTY_FEEFRAC: FeeFrac = Object.freeze({ fee: 0n, size: 0 });

/** A FeeFrac; `size` must be a non-negative int32 (RangeError otherwise: a caller bug). */
export function feeFrac(fee: bigint, size: number): FeeFrac {
  if (!Number.isInteger(size) || size < 0 || size > 0x7fffffff) {
    throw new RangeError(`Cannot make a fee fraction: size is ${size}`);
  }
  return { fee, size };
}

/** Sum of fees and sizes. */
export function addFeeFrac(a: FeeFrac, b: FeeFrac): FeeFrac {
  return { fee: a.fee + b.fee, size: a.size + b.size };
}

/** Difference of fees and sizes. */
export function subFeeFrac(a: FeeFrac, b: FeeFrac): FeeFrac {
  return { fee: a.fee - b.fee, size: a.size - b.size };
}

/** Sum of many FeeFracs. */
export function sumFeeFracs(items: Iterable<FeeFrac>): FeeFrac {
  let fee = 0n;
  let size = 0;
  for (const f of items) {
    fee += f.fee;
    size += f.size;
  }
  return { fee, size };
}

/**
 * Core's `ByRatio` ordering: the sign of feerate(a) − feerate(b), by cross-multiplication (a.fee × b.size vs
 * b.fee × a.size). Equal feerates with different sizes compare equal; as in Core, the empty FeeFrac compares
 * equal to everything.
 */
export function compareFeerate(a: FeeFrac, b: FeeFrac): -1 | 0 | 1 {
  const x = a.fee * BigInt(b.size);
  const y = b.fee * BigInt(a.size);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Core's `ByRatioNegSize` total order: by feerate, then larger size first (so a larger FeeFrac of the same
 * feerate sorts as "smaller"); the empty FeeFrac sorts last (highest).
 */
export function compareFeerateNegSize(a: FeeFrac, b: FeeFrac): -1 | 0 | 1 {
  const c = compareFeerate(a, b);
  if (c !== 0) return c;
  return b.size < a.size ? -1 : b.size > a.size ? 1 : 0;
}

/** floor(n / d) for d > 0. */
export function floorDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d !== 0n && n < 0n ? q - 1n : q;
}

/** ceil(n / d) for d > 0. */
export function ceilDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d !== 0n && n > 0n ? q + 1n : q;
}

/**
 * Core's `FeeFrac::EvaluateFeeDown/Up`: the fee at `atSize` at this feerate, fee × atSize / size rounded towards
 * negative infinity (`roundDown`) or positive infinity. `f.size` must be positive (RangeError otherwise).
 */
export function evaluateFee(f: FeeFrac, atSize: number, roundDown: boolean): bigint {
  if (f.size <= 0) throw new RangeError(`Cannot evaluate a fee: size is ${f.size}`);
  const n = f.fee * BigInt(atSize);
  const d = BigInt(f.size);
  return roundDown ? floorDiv(n, d) : ceilDiv(n, d);
}

/** Result of {@link compareChunks}: like C++'s `std::partial_ordering`. */
export type DiagramOrder = "less" | "equivalent" | "greater" | "unordered";

/**
 * Core's `CompareChunks`: compares the feerate diagrams implied by two lists of chunks, each sorted by
 * decreasing feerate. A diagram starts at (0, 0), goes through the cumulative (size, fee) after each chunk and
 * continues horizontally to the right. "greater" means `chunks0`'s diagram is nowhere below `chunks1`'s and
 * above it somewhere; "unordered" means each is above the other somewhere; "equivalent" means neither is above.
 */
export function compareChunks(chunks0: readonly FeeFrac[], chunks1: readonly FeeFrac[]): DiagramOrder {
  const chunk = [chunks0, chunks1];
  const nextIndex = [0, 0];
  const accum: FeeFrac[] = [EMPTY_FEEFRAC, EMPTY_FEEFRAC];
  const better = [false, false];
  const nextPoint = (d: number): FeeFrac => addFeeFrac(chunk[d][nextIndex[d]], accum[d]);
  const advance = (d: number): void => {
    accum[d] = addFeeFrac(accum[d], chunk[d][nextIndex[d]++]);
  };
  for (;;) {
    const done0 = nextIndex[0] === chunk[0].length;
    const done1 = nextIndex[1] === chunk[1].length;
    if (done0 && done1) break;
    // The side whose next point comes first (by size); if one side is finished, the other.
    const side = done0 || done1 ? (done0 ? 1 : 0) : (nextPoint(0).size > nextPoint(1).size ? 1 : 0);
    const other = 1 - side;
    const p = nextPoint(side);
    const a = accum[other];
    const slopeAP = subFeeFrac(p, a);
    let cmp: -1 | 0 | 1;
    if (done0 || done1) {
      // The finished diagram continues horizontally: compare against slope 0.
      cmp = compareFeerate(slopeAP, { fee: 0n, size: 1 });
    } else {
      const b = nextPoint(other);
      cmp = compareFeerate(slopeAP, subFeeFrac(b, a));
      if (b.size === p.size) advance(other);
    }
    if (cmp > 0) better[side] = true;
    if (cmp < 0) better[other] = true;
    advance(side);
    if (better[0] && better[1]) return "unordered";
  }
  if (better[0] === better[1]) return "equivalent";
  return better[0] ? "greater" : "less";
}

/**
 * Chunk feerates gathered from several clusters, sorted into one diagram as Core's txgraph does for replacement
 * checks: by decreasing feerate, and for equal feerates smaller size first (descending `ByRatioNegSize`).
 */
export function sortIntoDiagram(chunks: Iterable<FeeFrac>): FeeFrac[] {
  return [...chunks].sort((a, b) => compareFeerateNegSize(b, a));
}
