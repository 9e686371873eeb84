/**
 * Branch and Bound (Core's `SelectCoinsBnB`, after Murch's thesis): a depth-first search over inclusion and
 * omission of the groups, sorted by descending effective value (lower waste first on ties), for the input set
 * with the least waste whose value lies in [target, target + cost of change] — a transaction without change.
 * Prunes with a lookahead of the remaining value, skips equivalent clones after an omission, stops adding once
 * the waste exceeds the best at high feerates, and gives up after {@link TOTAL_TRIES} selections.
 *
 * @module
 */

import type { OutputGroup } from "./output_group.ts";
import { descendingByAmountThenWaste, numericPool, safeNumber } from "./pool.ts";
import { backtrack, MAX_MONEY_NUMBER, type SearchPosition, searchResult } from "./search.ts";
import { failed, type SelectionOutcome } from "./selection_result.ts";

/** Most input sets BnB and CoinGrinder evaluate (Core's `TOTAL_TRIES`). */
export const TOTAL_TRIES = 100_000;

/**
 * Core's `SelectCoinsBnB` over groups with positive selection amounts. On success the result has
 * `selectionsEvaluated` and `algoCompleted` set (no waste yet); it fails with {@link ERR_MAX_WEIGHT_EXCEEDED}
 * when only overweight sets reached the window, else without a message.
 */
export function selectCoinsBnB(
  pool: readonly OutputGroup[],
  selectionTarget: bigint,
  costOfChange: bigint,
  maxSelectionWeight: number,
): SelectionOutcome {
  const { order, amount, weight, waste } = numericPool(pool, descendingByAmountThenWaste);
  const n = order.length;
  const target = safeNumber(selectionTarget, "the selection target");
  const upper = target + safeNumber(costOfChange, "the cost of change");
  // lookahead[i]: total amount of the groups after i.
  const lookahead = new Float64Array(n);
  let totalAvailable = 0;
  for (let i = n - 1; i >= 0; i--) {
    lookahead[i] = totalAvailable;
    totalAvailable += amount[i];
  }
  if (n === 0 || totalAvailable < target) return failed();

  const curr: number[] = [];
  let best: number[] = [];
  let currAmount = 0;
  let currWaste = 0;
  let bestWaste = MAX_MONEY_NUMBER;
  let currWeight = 0;
  let maxWeightExceeded = false;
  let next = 0;
  let tries = 0;
  let completed = true;
  // At feerates above the long-term feerate every added input adds waste.
  const feerateHigh = pool[order[0]].fee > pool[order[0]].longTermFee;

  const deselectLast = () => {
    const i = curr.pop()!;
    currAmount -= amount[i];
    currWeight -= weight[i];
    currWaste -= waste[i];
  };

  const position: SearchPosition = { selection: curr, amount, next: 0, keep: 0 };
  for (;;) {
    let shift = false;
    let cut = false;
    currAmount += amount[next];
    currWeight += weight[next];
    currWaste += waste[next];
    curr.push(next);
    next++;
    tries++;

    const tail = curr[curr.length - 1];
    if (currAmount + lookahead[tail] < target) {
      cut = true; // not enough left even with everything after: CUT
    } else if (currWeight > maxSelectionWeight) {
      maxWeightExceeded = true;
      shift = true;
    } else if (currAmount > upper) {
      shift = true; // overshot the window
    } else if (feerateHigh && currWaste > bestWaste) {
      shift = true; // more inputs only add waste
    } else if (currAmount >= target) {
      shift = true; // in the window: a solution; more inputs cannot be better
      const w = currWaste + (currAmount - target);
      if (w <= bestWaste) {
        best = curr.slice();
        bestWaste = w;
      }
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
    algorithm: "bnb",
    best,
    tries,
    completed,
    maxWeightExceeded,
  });
}
