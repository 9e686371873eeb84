/** FeeRate: the facts of Core's amount_tests (GetFeeTest, BinaryOperatorTest, ToStringTest). */

import { FeeRate } from "../../../node/policy/feerate.ts";
import { assert, assertEquals, assertThrows } from "../../assert.ts";

const k = (n: number | bigint) => FeeRate.fromSatPerKvB(n);

Deno.test("getFee: zero, 1000, -1000 sat/kvB", () => {
  assertEquals(k(0).getFee(0), 0n);
  assertEquals(k(0).getFee(100000), 0n);
  for (
    const [size, fee] of [[0, 0n], [1, 1n], [121, 121n], [999, 999n], [1000, 1000n], [9000, 9000n]] as const
  ) {
    assertEquals(k(1000).getFee(size), fee);
    assertEquals(k(-1000).getFee(size), -fee);
  }
});

Deno.test("getFee rounds up, and a negative rate never rounds to 0", () => {
  const r = k(123);
  assertEquals(r.getFee(0), 0n);
  assertEquals(r.getFee(8), 1n); // 0.984 -> 1
  assertEquals(r.getFee(9), 2n);
  assertEquals(r.getFee(121), 15n);
  assertEquals(r.getFee(122), 16n);
  assertEquals(r.getFee(999), 123n);
  assertEquals(r.getFee(1000), 123n);
  assertEquals(r.getFee(9000), 1107n);
  const n = k(-123);
  assertEquals(n.getFee(0), 0n);
  assertEquals(n.getFee(8), -1n); // special case: -1, not 0
  assertEquals(n.getFee(9), -1n);
});

Deno.test("fromFee: sizes of 0 or less give the empty rate; exact fractions compare exactly", () => {
  assert(FeeRate.fromFee(-1n, 0).equals(k(0)));
  assert(FeeRate.fromFee(0n, 0).equals(k(0)));
  assert(FeeRate.fromFee(1n, 0).equals(k(0)));
  assert(FeeRate.fromFee(1n, -1000).equals(k(0)));
  assert(FeeRate.fromFee(1n, -1000).isEmpty());
  assert(FeeRate.fromFee(-1n, 1000).equals(k(-1)));
  assert(FeeRate.fromFee(0n, 1000).equals(k(0)));
  assert(FeeRate.fromFee(1n, 1000).equals(k(1)));
  // Since Core #32750 precision is kept: 1 sat / 1001 vB is between 0 and 1 sat/kvB.
  assert(FeeRate.fromFee(1n, 1001).gt(k(0)) && FeeRate.fromFee(1n, 1001).lt(k(1)));
  assert(FeeRate.fromFee(2n, 1001).gt(k(1)) && FeeRate.fromFee(2n, 1001).lt(k(2)));
  assert(FeeRate.fromFee(26n, 789).gt(k(32)) && FeeRate.fromFee(26n, 789).lt(k(33)));
  assert(FeeRate.fromFee(27n, 789).gt(k(34)) && FeeRate.fromFee(27n, 789).lt(k(35)));
  // Maximum size does not overflow.
  FeeRate.fromFee(2_100_000_000_000_000n, 0x7fffffff).getFeePerK();
  assertEquals(FeeRate.fromFee(2_100_000_000_000_000n, 0x7fffffff).getFeePerK(), 977_888_703n);
});

Deno.test("times: Core's operator*(int)", () => {
  const r = k(1000);
  assert(r.times(0).equals(k(0)));
  assert(r.times(3).equals(k(3000)));
  assert(r.times(-3).equals(k(-3000)));
  assert(r.times(1_000_000).equals(k(1_000_000_000)));
  const max = k(2147483647);
  assert(max.times(2).equals(k(2147483647n * 2n)));
  assert(k(0).times(5).equals(k(0)));
  assert(FeeRate.empty().times(5).isEmpty());
  assertThrows(() => r.times(1.5), "factor is 1.5");
});

Deno.test("comparisons and plus (Core's BinaryOperatorTest)", () => {
  let a = k(1);
  const b = k(2);
  assert(a.lt(b) && b.gt(a) && a.equals(a) && a.le(b) && a.le(a) && b.ge(a) && b.ge(b));
  assertEquals(a.compare(b), -1);
  a = a.plus(a);
  assert(a.equals(b));
  // plus works on the rounded-down sat/kvB values
  assertEquals(FeeRate.fromFee(1n, 3).plus(FeeRate.fromFee(1n, 3)).getFeePerK(), 666n);
  assert(k(5).max(k(7)).equals(k(7)));
  assert(k(7).max(k(5)).equals(k(7)));
  // 1/1000 and 2/2000 are the same feerate
  assert(FeeRate.fromFee(1n, 1000).equals(FeeRate.fromFee(2n, 2000)));
});

Deno.test("getFeePerK rounds down", () => {
  assertEquals(FeeRate.fromFee(1000n, 3).getFeePerK(), 333333n);
  assertEquals(FeeRate.fromFee(-1000n, 3).getFeePerK(), -333334n);
  assertEquals(FeeRate.fromFee(141n, 141).getFeePerK(), 1000n);
  assertEquals(FeeRate.empty().getFeePerK(), 0n);
});

Deno.test("toString (Core's ToStringTest and the default rates)", () => {
  assertEquals(k(1).toString(), "0.00000001 BTC/kvB");
  assertEquals(k(1).toString("BTC/kvB"), "0.00000001 BTC/kvB");
  assertEquals(k(1).toString("sat/vB"), "0.001 sat/vB");
  assertEquals(k(1000).toString(), "0.00001000 BTC/kvB");
  assertEquals(k(100).toString(), "0.00000100 BTC/kvB");
  assertEquals(k(3000).toString("sat/vB"), "3.000 sat/vB");
  assertEquals(k(123_456_789_012n).toString(), "1234.56789012 BTC/kvB");
  // C++ formatting of a negative rate (truncating division, sign inside the zero padding)
  assertEquals(k(-1).toString(), "0.-0000001 BTC/kvB");
  assertEquals(k(-1500).toString("sat/vB"), "-1.-500 sat/vB");
  assertEquals(FeeRate.fromFee(2000n, 141).toString(), "0.00014184 BTC/kvB");
});

Deno.test("bad sizes are caller bugs", () => {
  assertThrows(() => k(1).getFee(-1), "virtual size is -1");
  assertThrows(() => k(1).getFee(1.5), "virtual size is 1.5");
  assertThrows(() => FeeRate.fromFee(1n, 2 ** 31), "virtual size is 2147483648");
});
