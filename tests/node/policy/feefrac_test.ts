/** FeeFrac helpers and CompareChunks: the cases of Core's rbf_tests feerate_chunks_utilities and feefrac_tests. */

import {
  ceilDiv,
  compareChunks,
  compareFeerate,
  compareFeerateNegSize,
  evaluateFee,
  type FeeFrac,
  feeFrac,
  floorDiv,
  sortIntoDiagram,
  sumFeeFracs,
} from "../../../node/policy/feefrac.ts";
import { assertEquals, assertThrows } from "../../assert.ts";

const f = (fee: number, size: number): FeeFrac => ({ fee: BigInt(fee), size });
const chunks = (...pairs: [number, number][]) => pairs.map(([fee, size]) => f(fee, size));

function both(a: FeeFrac[], b: FeeFrac[], ab: string, ba: string): void {
  assertEquals(compareChunks(a, b), ab);
  assertEquals(compareChunks(b, a), ba);
}

Deno.test("compareChunks: Core's feerate_chunks_utilities cases", () => {
  const old = chunks([950, 300], [100, 100]);
  // strictly better
  both(old, chunks([1000, 300], [50, 100]), "less", "greater");
  // incomparable
  both(old, chunks([1000, 300], [0, 100]), "unordered", "unordered");
  // strictly better but smaller size
  both(old, chunks([1100, 300]), "less", "greater");
  // better because of the first chunk, second contributes nothing
  both(old, chunks([1100, 100], [0, 100]), "less", "greater");
  // first new chunk better, second worse
  both(old, chunks([750, 100], [249, 250], [151, 650]), "unordered", "unordered");
  // second chunk slightly better: new wins
  both(old, chunks([750, 100], [250, 250], [150, 150]), "less", "greater");
  // identical diagrams
  both(old, chunks([950, 300], [100, 100]), "equivalent", "equivalent");
  // same total fee, different total size (tail check)
  const old2 = chunks([950, 300], [100, 99]);
  both(old2, chunks([950, 300], [100, 100]), "greater", "less");
  // several tail steps
  both(old2, chunks([950, 300], [100, 100], [0, 1], [0, 1]), "greater", "less");
  both(old2, chunks([950, 300], [100, 100], [0, 1], [0, 1], [1, 1]), "unordered", "unordered");
});

Deno.test("compareChunks: empty diagrams", () => {
  assertEquals(compareChunks([], []), "equivalent");
  assertEquals(compareChunks(chunks([1, 1]), []), "greater");
  assertEquals(compareChunks([], chunks([1, 1])), "less");
  // a zero-fee chunk adds nothing above the horizontal tail
  assertEquals(compareChunks(chunks([0, 10]), []), "equivalent");
  // a negative-fee chunk is worse than nothing
  assertEquals(compareChunks(chunks([-1, 10]), []), "less");
});

Deno.test("compareFeerate is exact cross-multiplication; the empty fraction equals everything", () => {
  assertEquals(compareFeerate(f(1, 3), f(2, 6)), 0);
  assertEquals(compareFeerate(f(1, 3), f(1, 2)), -1);
  assertEquals(compareFeerate(f(5, 2), f(2, 1)), 1);
  assertEquals(compareFeerate(f(0, 0), f(100, 1)), 0);
  assertEquals(compareFeerate(f(-1, 1), f(0, 1)), -1);
});

Deno.test("sortIntoDiagram uses Core's ByRatioNegSize order (the example in feefrac.h)", () => {
  // Ascending ByRatioNegSize order from Core's comment; the diagram is the reverse.
  const ascending = chunks([0, 1], [1, 2], [2, 3], [2, 2], [1, 1], [3, 2], [2, 1], [0, 0]);
  for (let i = 0; i + 1 < ascending.length; i++) {
    assertEquals(compareFeerateNegSize(ascending[i], ascending[i + 1]), -1, `at ${i}`);
  }
  const shuffled = [
    ascending[3],
    ascending[0],
    ascending[6],
    ascending[1],
    ascending[5],
    ascending[4],
    ascending[2],
  ];
  assertEquals(sortIntoDiagram(shuffled), ascending.slice(0, 7).reverse());
});

Deno.test("evaluateFee, floorDiv and ceilDiv round as Core's EvaluateFeeDown/Up", () => {
  assertEquals(evaluateFee(f(10, 3), 1, true), 3n);
  assertEquals(evaluateFee(f(10, 3), 1, false), 4n);
  assertEquals(evaluateFee(f(-10, 3), 1, true), -4n);
  assertEquals(evaluateFee(f(-10, 3), 1, false), -3n);
  assertEquals(evaluateFee(f(9, 3), 2, false), 6n);
  assertEquals(floorDiv(-7n, 2n), -4n);
  assertEquals(ceilDiv(-7n, 2n), -3n);
  assertEquals(floorDiv(7n, 2n), 3n);
  assertEquals(ceilDiv(7n, 2n), 4n);
  assertThrows(() => evaluateFee(f(0, 0), 1, true), "size is 0");
});

Deno.test("feeFrac checks its size; sumFeeFracs adds", () => {
  assertEquals(sumFeeFracs(chunks([1, 2], [3, 4])), f(4, 6));
  assertThrows(() => feeFrac(1n, -1), "size is -1");
  assertThrows(() => feeFrac(1n, 2 ** 31), "size is 2147483648");
});
