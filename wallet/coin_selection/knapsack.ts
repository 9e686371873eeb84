/**
 * Knapsack (Core's `KnapsackSolver`, the original selection kept as a fallback): an exact match if one group
 * has it; all smaller groups if they sum exactly to it; else the stochastic subset-sum approximation
 * `ApproximateBestSubset` (1000 randomized passes) for the target, then for target + change target, compared
 * with the lowest group larger than target + change target ("lowest larger"), which wins ties and any subset
 * that leaves less than the change target.
 *
 * @module
 */

import type { OutputGroup } from "./output_group.ts";
import { descendingByAmountThenWaste, numericPool, safeNumber } from "./pool.ts";
import { type SelectionRng, shuffle } from "./rng.ts";
import {
  ERR_MAX_WEIGHT_EXCEEDED,
  failed,
  selected,
  type SelectionOutcome,
  SelectionResult,
} from "./selection_result.ts";

const TWO_32 = 2 ** 32;

/** Iterations of `ApproximateBestSubset` (Core's default). */
export const KNAPSACK_ITERATIONS = 1000;

/** The best subset found: inclusion flags over the groups and its total. */
export interface BestSubset {
  /** `included[i]` is 1 when group i is in the subset. */
  included: Uint8Array;
  /** Total amount of the subset. */
  total: number;
}

/**
 * Core's `ApproximateBestSubset` over amounts sorted descending: the subset with the least total ≥ `target`
 * and weight ≤ `maxSelectionWeight` found in `iterations` randomized two-pass rounds (all groups when none is
 * better; stops early on an exact match).
 */
export function approximateBestSubset(
  rng: SelectionRng,
  amount: Float64Array,
  weight: Int32Array,
  totalLower: number,
  target: number,
  maxSelectionWeight: number,
  iterations: number = KNAPSACK_ITERATIONS,
): BestSubset {
  const n = amount.length;
  let best = new Uint8Array(n).fill(1);
  let bestTotal = totalLower;
  const included = new Uint8Array(n);
  const draw = rng.randword === undefined ? () => rng.randrange(TWO_32) : rng.randword;
  for (let rep = 0; rep < iterations && bestTotal !== target; rep++) {
    included.fill(0);
    let total = 0;
    let selectedWeight = 0;
    let reached = false;
    // Pass 0 includes each group at random (one bit each, drawn 32 at a time); pass 1, only if the target was
    // not reached, adds what pass 0 left out. On reaching the target the subset is recorded when it is the
    // best so far and the group is taken out again, and the pass goes on.
    // Bit b of the word drawn for groups base..base+31 decides group base+b: only the set bits are visited
    // (lowest first, so in group order), which halves the loop without changing a single decision.
    for (let base = 0; base < n; base += 32) {
      let word = draw();
      while (word !== 0) {
        const bit = 31 - Math.clz32(word & -word);
        word &= word - 1;
        const i = base + bit;
        if (i >= n) break;
        total += amount[i];
        selectedWeight += weight[i];
        if (total >= target && selectedWeight <= maxSelectionWeight) {
          // Recorded with group i, which is taken out again (so never marked in `included`).
          reached = true;
          if (total < bestTotal) {
            bestTotal = total;
            best = included.slice();
            best[i] = 1;
          }
          total -= amount[i];
          selectedWeight -= weight[i];
        } else included[i] = 1;
      }
    }
    if (reached) continue;
    for (let i = 0; i < n; i++) {
      if (included[i] === 1) continue;
      total += amount[i];
      selectedWeight += weight[i];
      if (total >= target && selectedWeight <= maxSelectionWeight) {
        if (total < bestTotal) {
          bestTotal = total;
          best = included.slice();
          best[i] = 1;
        }
        total -= amount[i];
        selectedWeight -= weight[i];
      } else included[i] = 1;
    }
  }
  return { included: best, total: bestTotal };
}

/** Core's `KnapsackSolver` over all groups (amounts may be non-positive). */
export function knapsackSolver(
  groups: readonly OutputGroup[],
  targetValue: bigint,
  changeTarget: bigint,
  rng: SelectionRng,
  maxSelectionWeight: number,
): SelectionOutcome {
  const result = new SelectionResult(targetValue, "knapsack");
  const target = safeNumber(targetValue, "the selection target");
  const withChange = safeNumber(targetValue + changeTarget, "the selection target");
  const shuffled = [...groups];
  shuffle(shuffled, rng);

  let maxWeightExceeded = false;
  let lowestLarger: OutputGroup | undefined;
  let lowestLargerAmount = 0;
  const applicable: OutputGroup[] = [];
  let totalLower = 0;
  for (const group of shuffled) {
    if (group.weight > maxSelectionWeight) {
      maxWeightExceeded = true;
      continue;
    }
    const a = Number(group.selectionAmount());
    if (a === target) {
      result.addInput(group);
      return selected(result);
    } else if (a < withChange) {
      applicable.push(group);
      totalLower += a;
    } else if (lowestLarger === undefined || a < lowestLargerAmount) {
      lowestLarger = group;
      lowestLargerAmount = a;
    }
  }

  if (totalLower === target) {
    for (const g of applicable) result.addInput(g);
    if (result.weight <= maxSelectionWeight) return selected(result);
    maxWeightExceeded = true;
    result.clear();
  }

  if (totalLower < target) {
    if (lowestLarger === undefined) return failed(maxWeightExceeded ? ERR_MAX_WEIGHT_EXCEEDED : undefined);
    result.addInput(lowestLarger);
    return selected(result);
  }

  // Stochastic subset sum over the smaller groups, largest first.
  const { order, amount, weight } = numericPool(applicable, descendingByAmountThenWaste);
  let best = approximateBestSubset(rng, amount, weight, totalLower, target, maxSelectionWeight);
  if (best.total !== target && totalLower >= withChange) {
    best = approximateBestSubset(rng, amount, weight, totalLower, withChange, maxSelectionWeight);
  }

  if (
    lowestLarger !== undefined &&
    ((best.total !== target && best.total < withChange) || lowestLargerAmount <= best.total)
  ) {
    result.addInput(lowestLarger);
  } else {
    for (let i = 0; i < order.length; i++) if (best.included[i] === 1) result.addInput(applicable[order[i]]);
    if (result.weight > maxSelectionWeight) {
      if (lowestLarger === undefined) return failed(ERR_MAX_WEIGHT_EXCEEDED);
      result.clear();
      result.addInput(lowestLarger);
    }
  }
  return selected(result);
}
