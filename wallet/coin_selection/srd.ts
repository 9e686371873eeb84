/**
 * Single Random Draw (Core's `SelectCoinsSRD`): groups in random order until their effective value covers the
 * target plus CHANGE_LOWER plus the change fee; whenever the weight exceeds the maximum, the group with the
 * lowest amount (heaviest on ties) is dropped first.
 *
 * @module
 */

import type { OutputGroup } from "./output_group.ts";
import { CHANGE_LOWER } from "./params.ts";
import { numericPool, safeNumber } from "./pool.ts";
import { type SelectionRng, shuffle } from "./rng.ts";
import {
  ERR_MAX_WEIGHT_EXCEEDED,
  failed,
  selected,
  type SelectionOutcome,
  SelectionResult,
} from "./selection_result.ts";

/** Core's `SelectCoinsSRD` over groups with positive selection amounts. */
export function selectCoinsSRD(
  pool: readonly OutputGroup[],
  targetValue: bigint,
  changeFee: bigint,
  rng: SelectionRng,
  maxSelectionWeight: number,
): SelectionOutcome {
  const { amount, weight } = numericPool(pool);
  const target = safeNumber(targetValue + CHANGE_LOWER + changeFee, "the selection target");
  const indexes = Array.from({ length: pool.length }, (_, i) => i);
  shuffle(indexes, rng);

  // Binary heap of selected indices; the top is the least amount, the heaviest among equal amounts.
  const heap: number[] = [];
  const above = (a: number, b: number) =>
    amount[a] < amount[b] || (amount[a] === amount[b] && weight[a] > weight[b]);
  const push = (x: number) => {
    let i = heap.length;
    heap.push(x);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!above(heap[i], heap[p])) break;
      [heap[i], heap[p]] = [heap[p], heap[i]];
      i = p;
    }
  };
  const pop = (): number => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < heap.length && above(heap[l], heap[m])) m = l;
        if (r < heap.length && above(heap[r], heap[m])) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
    return top;
  };

  let selectedAmount = 0;
  let selectedWeight = 0;
  let maxWeightExceeded = false;
  for (const i of indexes) {
    push(i);
    selectedAmount += amount[i];
    selectedWeight += weight[i];
    if (selectedWeight > maxSelectionWeight) {
      maxWeightExceeded = true;
      do {
        const r = pop();
        selectedAmount -= amount[r];
        selectedWeight -= weight[r];
      } while (heap.length > 0 && selectedWeight > maxSelectionWeight);
    }
    if (selectedAmount >= target) {
      const result = new SelectionResult(targetValue, "srd");
      for (const j of heap) result.addInput(pool[j]);
      return selected(result);
    }
  }
  return failed(maxWeightExceeded ? ERR_MAX_WEIGHT_EXCEEDED : undefined);
}
