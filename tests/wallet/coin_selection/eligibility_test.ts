/** Eligibility filters and Core's filter ladder. */
import { assertEquals, assertThrows } from "../../assert.ts";
import { coinEligibilityFilters, eligibilityFilter, filterKey } from "../../../wallet/coin_selection/mod.ts";

Deno.test("coinEligibilityFilters: Core's ladder", () => {
  const show = (o: Parameters<typeof coinEligibilityFilters>[0]) =>
    coinEligibilityFilters(o).map((s) => `${filterKey(s.filter)}${s.allowMixedOutputTypes ? "" : " nomix"}`);
  assertEquals(show({}), [
    "1/6/0/0/0 nomix",
    "1/1/0/0/0",
    "0/1/2/2/0",
    "0/1/4/4/0",
    "0/1/12/12/0",
    "0/1/24/24/1",
  ]);
  assertEquals(show({ includeUnsafeInputs: true, rejectLongChains: false }).slice(6), [
    "0/0/24/24/1",
    "0/1/Infinity/Infinity/1",
  ]);
  assertEquals(show({ spendZeroConfChange: false }), ["1/6/0/0/0 nomix", "1/1/0/0/0"]);
  assertEquals(show({ ancestorLimit: 64, descendantLimit: 10 }).slice(3), [
    "0/1/4/3/0",
    "0/1/32/5/0",
    "0/1/63/9/1",
  ]);
  assertThrows(() => eligibilityFilter(0, 1, -1), "max_ancestors is -1");
});
