import {
  FEE_FILTER_SPACING,
  FeeFilterRounder,
  MAX_FILTER_FEERATE,
} from "../../../node/fees/fee_filter_rounder.ts";
import { assert, assertEquals } from "../../assert.ts";

Deno.test("FeeFilterRounder: the value set from half the incremental fee, spaced by 1.1, up to 1e7", () => {
  const v = new FeeFilterRounder(1000n).values;
  assertEquals(v.slice(0, 3), [0, 500, 550]);
  assert(v[v.length - 1] <= MAX_FILTER_FEERATE && v[v.length - 1] * FEE_FILTER_SPACING > MAX_FILTER_FEERATE);
  // Core's default incremental relay fee (100 sat/kvB) starts at 50; below 2 sat/kvB the start is 1.
  assertEquals(new FeeFilterRounder(100n).values.slice(0, 2), [0, 50]);
  assertEquals(new FeeFilterRounder(1n).values.slice(0, 3), [0, 1, 1.1]);
});

Deno.test("FeeFilterRounder: rounds up one time in three, else down; 0 stays 0; above the set goes down", () => {
  let r = 0;
  const rounder = new FeeFilterRounder(1000n, () => r);
  r = 3; // % 3 == 0: keep the value at or above
  assertEquals(rounder.round(0n), 0n);
  assertEquals(rounder.round(500n), 500n);
  assertEquals(rounder.round(501n), 550n);
  assertEquals(rounder.round(100_000_000n), BigInt(Math.trunc(rounder.values.at(-1)!)));
  r = 1; // step down
  assertEquals(rounder.round(0n), 0n);
  assertEquals(rounder.round(501n), 500n);
  assertEquals(rounder.round(500n), 0n);
  assertEquals(rounder.round(605n), 550n); // about the next value (550 × 1.1): one step down
  // With real randomness every answer is a member of the set, within one step of the input.
  const real = new FeeFilterRounder(1000n);
  const set = new Set(real.values.map((x) => BigInt(Math.trunc(x))));
  for (let i = 0; i < 200; i++) {
    const fee = BigInt(i * 997);
    const out = real.round(fee);
    assert(set.has(out), `${fee} → ${out}`);
    assert(Number(out) <= Number(fee) * FEE_FILTER_SPACING + 1, `${fee} → ${out}`);
  }
});
