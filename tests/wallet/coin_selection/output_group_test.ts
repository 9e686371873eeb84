/** Output groups and Core's GroupOutputs; the eligibility filter ladder. */
import { assert, assertEquals } from "../../assert.ts";
import { FeeRate } from "../../../node/policy/feerate.ts";
import {
  eligibilityFilter,
  filterKey,
  groupOutputs,
  OUTPUT_GROUP_MAX_ENTRIES,
  OutputGroup,
} from "../../../wallet/coin_selection/mod.ts";
import { CENT, coin } from "./helpers.ts";

const at1 = FeeRate.fromSatPerKvB(1000);
const lt = FeeRate.fromSatPerKvB(10_000);

Deno.test("output group: sums, long-term fees, depth, ancestry, weight and eligibility", () => {
  const g = new OutputGroup({ longTermFeerate: lt });
  g.insert(
    coin(CENT, { inputBytes: 68, feerate: at1, depth: 3, fromMe: true, ancestors: 2, clusterCount: 5 }),
  );
  g.insert(
    coin(2n * CENT, { inputBytes: 91, feerate: at1, depth: 0, fromMe: false, ancestors: 1, clusterCount: 3 }),
  );
  g.insert(coin(CENT, { inputBytes: -1, fee: 0n, depth: 7 }));
  assertEquals(g.value, 4n * CENT);
  assertEquals(g.fee, 68n + 91n);
  assertEquals(g.longTermFee, 680n + 910n);
  assertEquals(g.outputs.map((c) => c.longTermFee), [680n, 910n, 0n]);
  assertEquals(g.effectiveValue, 4n * CENT - 159n);
  assertEquals([g.depth, g.ancestors, g.maxClusterCount, g.fromMe, g.weight], [
    0,
    3,
    5,
    false,
    4 * (68 + 91),
  ]);
  assertEquals(g.selectionAmount(), g.effectiveValue);
  g.subtractFeeOutputs = true;
  assertEquals(g.selectionAmount(), g.value);
  assert(g.eligibleForSpending(eligibilityFilter(0, 0, 3, 5)));
  assert(!g.eligibleForSpending(eligibilityFilter(0, 0, 2, 5)));
  assert(!g.eligibleForSpending(eligibilityFilter(0, 0, 3, 4)));
  assert(!g.eligibleForSpending(eligibilityFilter(0, 1, 3, 5)));
  const mine = new OutputGroup();
  mine.insert(coin(CENT, { depth: 0, fromMe: true }));
  assert(mine.eligibleForSpending(eligibilityFilter(0, 1, 0)));
  assert(!mine.eligibleForSpending(eligibilityFilter(1, 0, 0)));
});

Deno.test("groupOutputs: one group per coin; positive and mixed; discarded; filters share equal keys", () => {
  const f1 = eligibilityFilter(1, 6, 0);
  const f2 = eligibilityFilter(0, 1, 2);
  const dust = coin(50n, { inputBytes: 68, feerate: at1, depth: 10, outputType: "bech32" });
  const young = coin(CENT, { inputBytes: 68, feerate: at1, depth: 2, outputType: "legacy" });
  const unconfTheirs = coin(CENT, { inputBytes: 68, feerate: at1, depth: 0, outputType: "bech32" });
  const { byFilter, discarded } = groupOutputs([dust, young, unconfTheirs], {
    longTermFeerate: lt,
    subtractFeeOutputs: false,
    avoidPartialSpends: false,
  }, [f1, f2, eligibilityFilter(0, 1, 2)]);
  const a = byFilter.get(filterKey(f1))!;
  assertEquals(a.all.mixed.map((g) => g.outputs[0].key), [dust.key]);
  assertEquals(a.all.positive.length, 0); // effective value 50 − 68 < 0
  const b = byFilter.get(filterKey(f2))!;
  assertEquals(b.all.mixed.map((g) => g.outputs[0].key), [young.key, dust.key]); // legacy sorts first
  assertEquals(b.typesCount(), 2);
  assertEquals(discarded.map((g) => g.outputs[0].key), [unconfTheirs.key]);
});

Deno.test("groupOutputs: avoid-partial-spends groups by script, at most 100 per group, partial groups last", () => {
  const script = new Uint8Array([0x51]);
  const coins = Array.from(
    { length: 150 },
    () =>
      coin(CENT, { inputBytes: 68, feerate: at1, depth: 10, txout: { value: CENT, scriptPubKey: script } }),
  );
  const single = coin(CENT, { inputBytes: 68, feerate: at1, depth: 10 });
  const strict = eligibilityFilter(1, 1, 0);
  const partial = eligibilityFilter(0, 1, 24, 24, true);
  const { byFilter } = groupOutputs([...coins, single], {
    longTermFeerate: lt,
    subtractFeeOutputs: false,
    avoidPartialSpends: true,
  }, [strict, partial]);
  const sizes = (key: string, kind: "mixed" | "positive") =>
    byFilter.get(key)!.all[kind].map((g) => g.outputs.length).sort((x, y) => x - y);
  // The full group and the single coin's group (a script with one group is never "partial").
  assertEquals(sizes(filterKey(strict), "mixed"), [1, OUTPUT_GROUP_MAX_ENTRIES]);
  assertEquals(sizes(filterKey(strict), "positive"), [1, OUTPUT_GROUP_MAX_ENTRIES]);
  assertEquals(sizes(filterKey(partial), "mixed"), [1, 50, OUTPUT_GROUP_MAX_ENTRIES]);
});
