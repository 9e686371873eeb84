/**
 * CoinGrinder (Core's `CoinGrinder`): a depth-first branch-and-bound search for the lightest input set that
 * funds the target plus a change budget — a transaction with change and the smallest input weight, which Core
 * runs when the feerate is at least three times the long-term feerate. Groups are sorted by descending amount
 * (lower weight first on ties); subtrees are cut by a value lookahead, by the best weight so far, and by an
 * estimate of the weight still needed from the lightest remaining group.
 *
 * @module
 */

import type { OutputGroup } from "./output_group.ts";
import { TOTAL_TRIES } from "./bnb.ts";
import { descendingByAmountThenWeight, numericPool, safeNumber } from "./pool.ts";
import { backtrack, MAX_MONEY_NUMBER, type SearchPosition, searchResult } from "./search.ts";
import { failed, type SelectionOutcome } from "./selection_result.ts";

const INT_MAX = 2147483647;

/**
 * Core's `CoinGrinder` over groups with positive selection amounts: the least-weight set with amount ≥
 * `selectionTarget + changeTarget` and weight ≤ `maxSelectionWeight` (ties: less amount). Fails with
 * {@link ERR_MAX_WEIGHT_EXCEEDED} when weight alone ruled sets out, else without a message.
 */
export function coinGrinder(
  pool: readonly OutputGroup[],
  selectionTarget: bigint,
  changeTarget: bigint,
  maxSelectionWeight: number,
): SelectionOutcome {
  const { order, amount, weight } = numericPool(pool, descendingByAmountThenWeight);
  const n = order.length;
  const lookahead = new Float64Array(n);
  const minTailWeight = new Float64Array(n);
  let totalAvailable = 0;
  let minGroupWeight = INT_MAX;
  for (let i = n - 1; i >= 0; i--) {
    lookahead[i] = totalAvailable;
    minTailWeight[i] = minGroupWeight;
    totalAvailable += amount[i];
    minGroupWeight = Math.min(minGroupWeight, weight[i]);
  }
  const totalTarget = safeNumber(selectionTarget + changeTarget, "the selection target");
  if (n === 0 || totalAvailable < totalTarget) return failed();

  const curr: number[] = [];
  let best: number[] = [];
  let currAmount = 0;
  let bestAmount = MAX_MONEY_NUMBER;
  let currWeight = 0;
  let bestWeight = maxSelectionWeight; // a tie is fine: less amount wins
  let maxWeightExceeded = false;
  let next = 0;
  let tries = 0;
  let completed = true;

  const deselectLast = () => {
    const i = curr.pop()!;
    currAmount -= amount[i];
    currWeight -= weight[i];
  };

  const position: SearchPosition = { selection: curr, amount, next: 0, keep: 0 };
  for (;;) {
    let shift = false;
    let cut = false;
    currAmount += amount[next];
    currWeight += weight[next];
    curr.push(next);
    next++;
    tries++;

    const tail = curr[curr.length - 1];
    if (currAmount + lookahead[tail] < totalTarget) {
      cut = true;
    } else if (currWeight > bestWeight) {
      if (currWeight > maxSelectionWeight) maxWeightExceeded = true;
      // Heavier than the best: CUT if the last group was among the lightest left, else SHIFT.
      if (weight[tail] <= minTailWeight[tail]) cut = true;
      else shift = true;
    } else if (currAmount >= totalTarget) {
      shift = true;
      if (currWeight < bestWeight || (currWeight === bestWeight && currAmount < bestAmount)) {
        best = curr.slice();
        bestWeight = currWeight;
        bestAmount = currAmount;
      }
    } else if (
      best.length > 0 &&
      currWeight +
            minTailWeight[tail] * Math.trunc((totalTarget - currAmount + amount[tail] - 1) / amount[tail]) >
        bestWeight
    ) {
      // Even the lightest remaining groups, each worth at most the last amount, cannot beat the best weight.
      if (weight[tail] <= minTailWeight[tail]) cut = true;
      else shift = true;
    }

    if (tries >= TOTAL_TRIES) {
      completed = false;
      break;
    }
    position.next = next;
    if (!backtrack(position, cut ? "cut" : shift ? "shift" : "extend")) break;
    while (curr.length > position.keep) deselectLast();
    next = position.next;
  }

  return searchResult({
    pool,
    order,
    selectionTarget,
    algorithm: "cg",
    best,
    tries,
    completed,
    maxWeightExceeded,
  });
}
