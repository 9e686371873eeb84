/** The algorithms' numeric working copy of a pool: Core's sort orders and the 2^53 guard. */
import { assertEquals, assertThrows } from "../../assert.ts";
import {
  descendingByAmountThenWaste,
  descendingByAmountThenWeight,
  numericPool,
  safeNumber,
} from "../../../wallet/coin_selection/pool.ts";
import { OutputGroup } from "../../../wallet/coin_selection/mod.ts";
import { coin } from "./helpers.ts";

function group(value: bigint, inputBytes: number, fee: bigint): OutputGroup {
  const g = new OutputGroup();
  g.insert(coin(value, { inputBytes, fee }));
  return g;
}

Deno.test("pool: Core's descending orders (ties by waste for BnB, by weight for CoinGrinder)", () => {
  const pool = [group(100n, 10, 5n), group(300n, 40, 0n), group(100n, 30, 1n), group(200n, 20, 0n)];
  const byWaste = numericPool(pool, descendingByAmountThenWaste);
  assertEquals(byWaste.order, [1, 3, 2, 0]); // effective values 95, 300, 99, 200
  assertEquals([...byWaste.amount], [300, 200, 99, 95]);
  const ties = [group(105n, 50, 5n), group(101n, 10, 1n), group(102n, 30, 2n)]; // all effective 100
  assertEquals(numericPool(ties, descendingByAmountThenWaste).order, [1, 2, 0]);
  assertEquals(numericPool(ties, descendingByAmountThenWeight).order, [1, 2, 0]);
  const heavyCheap = [group(100n, 50, 0n), group(100n, 10, 0n)];
  assertEquals(numericPool(heavyCheap, descendingByAmountThenWeight).order, [1, 0]);
  assertEquals(numericPool(heavyCheap, descendingByAmountThenWaste).order, [0, 1]); // equal waste: stable
  assertEquals(numericPool(heavyCheap).order, [0, 1]);
});

Deno.test("pool: amounts beyond 2^53 in total are refused with a clear error", () => {
  const huge = [group(2n ** 52n, -1, 0n), group(2n ** 52n, -1, 0n)];
  assertThrows(() => numericPool(huge), "the total of the pool is 9007199254740992 satoshis, beyond 2^53");
  assertThrows(() => safeNumber(-(2n ** 60n), "the target"), "the target is");
  assertEquals(safeNumber(21_000_000n * 100_000_000n, "x"), 2.1e15);
});
