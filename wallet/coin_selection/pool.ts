/**
 * The algorithms' working copy of a pool of output groups: selection amounts, weights and waste as plain
 * numbers (exact below 2^53 satoshis in total, which the pool is checked against) in sorted order.
 *
 * @module
 */

import type { OutputGroup } from "./output_group.ts";

/** A pool of groups as numbers, in the order of `order` (indices into the caller's array). */
export interface NumericPool {
  /** Indices into the original array, in working order. */
  order: number[];
  /** Selection amounts, in working order. */
  amount: Float64Array;
  /** Weights, in working order. */
  weight: Int32Array;
  /** fee − long-term fee, in working order. */
  waste: Float64Array;
}

/** `value` as a number; `what` names it in the error when it is not exactly representable. */
export function safeNumber(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`Cannot select coins: ${what} is ${value} satoshis, beyond 2^53`);
  }
  return Number(value);
}

/**
 * The groups as numbers, ordered by `compare` over (amount, weight, waste) of two original indices (stable for
 * ties it leaves). Throws a RangeError when the amounts' absolute sum reaches 2^53.
 */
export function numericPool(
  pool: readonly OutputGroup[],
  compare?: (a: number, b: number, amount: Float64Array, weight: Int32Array, waste: Float64Array) => number,
): NumericPool {
  const n = pool.length;
  const amount0 = new Float64Array(n);
  const weight0 = new Int32Array(n);
  const waste0 = new Float64Array(n);
  // Summed as numbers (no bigint allocations): a sum of magnitudes that stays within 2^53 means every amount
  // and every partial sum is exact; any amount beyond it pushes the sum beyond it.
  let absSum = 0;
  for (let i = 0; i < n; i++) {
    const g = pool[i];
    const a = Number(g.selectionAmount());
    absSum += Math.abs(a);
    amount0[i] = a;
    weight0[i] = g.weight;
    waste0[i] = Number(g.fee) - Number(g.longTermFee);
  }
  if (absSum > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`Cannot select coins: the total of the pool is ${absSum} satoshis, beyond 2^53`);
  }
  const order = Array.from({ length: n }, (_, i) => i);
  if (compare === undefined) return { order, amount: amount0, weight: weight0, waste: waste0 };
  order.sort((a, b) => compare(a, b, amount0, weight0, waste0));
  const amount = new Float64Array(n);
  const weight = new Int32Array(n);
  const waste = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    amount[i] = amount0[order[i]];
    weight[i] = weight0[order[i]];
    waste[i] = waste0[order[i]];
  }
  return { order, amount, weight, waste };
}

/** Core's `descending`: larger amount first; on equal amounts lower waste (fee − long-term fee) first. */
export function descendingByAmountThenWaste(
  a: number,
  b: number,
  amount: Float64Array,
  _weight: Int32Array,
  waste: Float64Array,
): number {
  if (amount[a] !== amount[b]) return amount[b] - amount[a];
  return waste[a] - waste[b];
}

/** Core's `descending_effval_weight`: larger amount first; on equal amounts lower weight first. */
export function descendingByAmountThenWeight(
  a: number,
  b: number,
  amount: Float64Array,
  weight: Int32Array,
): number {
  if (amount[a] !== amount[b]) return amount[b] - amount[a];
  return weight[a] - weight[b];
}
