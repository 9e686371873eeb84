/**
 * The depth-first search moves BnB and CoinGrinder share: CUT and SHIFT backtracking with Core's clone
 * skipping, exhaustion, and the result of a finished search.
 */
import { assert, assertEquals } from "../../assert.ts";
import { ERR_MAX_WEIGHT_EXCEEDED } from "../../../wallet/coin_selection/mod.ts";
import { backtrack, type SearchPosition, searchResult } from "../../../wallet/coin_selection/search.ts";
import { makeGroups } from "./helpers.ts";

function position(selection: number[], amounts: number[], next: number): SearchPosition {
  return { selection, amount: Float64Array.from(amounts), next, keep: -1 };
}

Deno.test("backtrack: extend keeps the selection; at the end of the pool it cuts", () => {
  const p = position([0, 1], [5, 4, 3, 2], 2);
  assert(backtrack(p, "extend"));
  assertEquals([p.next, p.keep], [2, 2]);
  // Nothing left to add: omit the last group (3) and shift the one before it (1) to the next index.
  const end = position([0, 2, 3], [5, 4, 3, 2], 4);
  assert(backtrack(end, "extend"));
  assertEquals([end.next, end.keep], [3, 1]);
});

Deno.test("backtrack: shift replaces the last group by the next one of a different amount", () => {
  const p = position([0, 1], [5, 4, 4, 4, 2], 2);
  assert(backtrack(p, "shift"));
  assertEquals([p.next, p.keep], [4, 1]); // groups 2 and 3 are clones of the omitted group 1
  const cut = position([0, 1], [5, 4, 3, 2], 2);
  assert(backtrack(cut, "cut"));
  assertEquals([cut.next, cut.keep], [1, 0]); // drop 1, then shift 0 to 1
});

Deno.test("backtrack: clones up to the end backtrack further; an empty selection ends the search", () => {
  const p = position([0, 2], [5, 4, 3, 3], 3);
  assert(backtrack(p, "shift"));
  assertEquals([p.next, p.keep], [1, 0]); // 3 is a clone of 2 and the last: shift 0 instead
  assert(!backtrack(position([0], [5, 5, 5], 1), "shift"));
  assert(!backtrack(position([2], [5, 4, 3], 3), "extend"));
});

Deno.test("searchResult: the best set's groups with the search counters; failures as Core", () => {
  const pool = makeGroups([30_000n, 20_000n, 10_000n]);
  const order = [2, 0, 1];
  const found = searchResult({
    pool,
    order,
    selectionTarget: 40_000n,
    algorithm: "bnb",
    best: [0, 2],
    tries: 7,
    completed: false,
    maxWeightExceeded: true,
  });
  assert(found.ok);
  assertEquals(found.result.inputs.length, 2);
  assertEquals(
    new Set(found.result.inputs.map((c) => c.key)),
    new Set([pool[2], pool[1]].map((g) => g.outputs[0].key)),
  );
  assertEquals([found.result.algorithm, found.result.algoCompleted, found.result.selectionsEvaluated], [
    "bnb",
    false,
    7,
  ]);
  const none = {
    pool,
    order,
    selectionTarget: 1n,
    algorithm: "cg",
    best: [],
    tries: 3,
    completed: true,
  } as const;
  assertEquals(searchResult({ ...none, maxWeightExceeded: true }), {
    ok: false,
    error: ERR_MAX_WEIGHT_EXCEEDED,
  });
  const plain = searchResult({ ...none, maxWeightExceeded: false });
  assert(!plain.ok && plain.error === undefined);
});
