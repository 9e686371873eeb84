/**
 * What Branch and Bound and CoinGrinder share in their depth-first search over the sorted groups (Core's
 * `SelectCoinsBnB` and `CoinGrinder`): the CUT/SHIFT backtracking after each evaluated selection, and the
 * selection result built from the best set found.
 *
 * @module
 */
import type { OutputGroup } from "./output_group.ts";
import {
  ERR_MAX_WEIGHT_EXCEEDED,
  failed,
  selected,
  type SelectionAlgorithm,
  type SelectionOutcome,
  SelectionResult,
} from "./selection_result.ts";

/** Core's `MAX_MONEY` in satoshis as a number: the starting "best" waste (BnB) and amount (CoinGrinder). */
export const MAX_MONEY_NUMBER = 21_000_000 * 100_000_000;

/** A search's position: the selected groups, and where it continues after {@link backtrack}. */
export interface SearchPosition {
  /** Indices into the sorted pool of the selected groups, ascending (the caller's array, read only here). */
  readonly selection: readonly number[];
  /** The sorted groups' selection amounts (clones of a group are equal neighbours). */
  readonly amount: Float64Array;
  /** The index to add next: set by the caller before {@link backtrack}, updated by it. */
  next: number;
  /** After {@link backtrack}: how many selected groups stay (the caller deselects the others, last first). */
  keep: number;
}

/**
 * The move an algorithm chose after evaluating the current selection: "cut" (no set that extends it can be
 * better: omit the last group and move on), "shift" (replace the last selected group by a later one), or
 * "extend" (add the next group).
 */
export type SearchMove = "cut" | "shift" | "extend";

/**
 * The backtracking of BnB and CoinGrinder after one evaluated selection. With nothing left to add the move is a
 * CUT; a CUT drops the last selected group and then SHIFTs; a SHIFT drops the last selected group and continues
 * after it, skipping groups of the same amount as the one just omitted (their sets were already tried),
 * backtracking further when none is left. Sets `position.next` and `position.keep`; returns false when the
 * search space is exhausted. The caller keeps its own sums (no callback: this runs once per evaluated set).
 */
export function backtrack(position: SearchPosition, move: SearchMove): boolean {
  const { selection, amount } = position;
  const n = amount.length;
  let keep = selection.length;
  let next = position.next;
  let shift = move === "shift";
  if (move === "cut" || next === n) {
    keep--;
    shift = true;
  }
  while (shift) {
    if (keep === 0) return false;
    next = selection[keep - 1] + 1;
    keep--;
    shift = false;
    while (next < n && amount[next - 1] === amount[next]) {
      if (next >= n - 1) {
        shift = true;
        break;
      }
      next++;
    }
  }
  position.next = next;
  position.keep = keep;
  return true;
}

/** What a finished search found, with the pool it searched. */
export interface SearchOutcome {
  /** The groups, as given to the algorithm. */
  pool: readonly OutputGroup[];
  /** `order[i]`: the index in `pool` of the i-th sorted group. */
  order: readonly number[];
  /** The selection target of the result. */
  selectionTarget: bigint;
  /** The algorithm that searched. */
  algorithm: SelectionAlgorithm;
  /** Sorted indices of the best set; empty when none was found. */
  best: readonly number[];
  /** How many selections were evaluated. */
  tries: number;
  /** Whether the search ran to its end (not stopped at the try limit). */
  completed: boolean;
  /** Whether a set was ruled out by the maximum weight alone. */
  maxWeightExceeded: boolean;
}

/**
 * The result of a search: the best set's groups, with `algoCompleted` and `selectionsEvaluated` set; without a
 * best set a failure, with {@link ERR_MAX_WEIGHT_EXCEEDED} when weight ruled sets out.
 */
export function searchResult(outcome: SearchOutcome): SelectionOutcome {
  if (outcome.best.length === 0) {
    return failed(outcome.maxWeightExceeded ? ERR_MAX_WEIGHT_EXCEEDED : undefined);
  }
  const result = new SelectionResult(outcome.selectionTarget, outcome.algorithm);
  result.algoCompleted = outcome.completed;
  result.selectionsEvaluated = outcome.tries;
  for (const i of outcome.best) result.addInput(outcome.pool[outcome.order[i]]);
  return selected(result);
}
