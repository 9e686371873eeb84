/** Knapsack, with the scenarios of Core's knapsack_solver_test and ApproximateBestSubset test. */
import { assert, assertEquals } from "../../assert.ts";
import {
  approximateBestSubset,
  type Coin,
  type CoinEligibilityFilter,
  coinSelectionParams,
  eligibilityFilter,
  filterKey,
  groupOutputs,
  knapsackSolver,
  type OutputGroup,
  seededRng,
  type SelectionOutcome,
  type SelectionRng,
} from "../../../wallet/coin_selection/mod.ts";
import { CENT, COIN, coin, groupOf } from "./helpers.ts";

const MAX = 400_000;
const filterStandard = eligibilityFilter(1, 6, 0);
const filterConfirmed = eligibilityFilter(1, 1, 0);
const filterStandardExtra = eligibilityFilter(6, 6, 0);

/** Core's add_coin (feerate 0, unknown input size): depth 144 unless given, optionally from us. */
function add(coins: Coin[], value: bigint, depth = 144, fromMe = false): void {
  coins.push(coin(value, { depth, fromMe }));
}

/** Core's KnapsackGroupOutputs: the mixed groups of all types accepted by `filter`. */
function groups(coins: Coin[], filter: CoinEligibilityFilter): OutputGroup[] {
  const params = coinSelectionParams({ minChangeTarget: CENT });
  return groupOutputs(coins, params, [filter]).byFilter.get(filterKey(filter))?.all.mixed ?? [];
}

function knapsack(g: OutputGroup[], target: bigint, rng: SelectionRng, change = CENT): SelectionOutcome {
  return knapsackSolver(g, target, change, rng, MAX);
}

function expectSelected(outcome: SelectionOutcome, value: bigint, count?: number, msg = ""): void {
  assert(outcome.ok, `knapsack failed ${msg}`);
  assertEquals(outcome.result.selectedValue(), value, msg);
  if (count !== undefined) assertEquals(outcome.result.size, count, msg);
  assertEquals(outcome.result.algorithm, "knapsack");
}

Deno.test("knapsack: Core's knapsack_solver_test scenarios (20 seeds)", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const rng = seededRng(seed);
    let coins: Coin[] = [];
    assert(!knapsack(groups(coins, filterStandard), CENT, rng).ok, "empty wallet");
    add(coins, CENT, 4);
    assert(!knapsack(groups(coins, filterStandard), CENT, rng).ok, "new 1 cent is not mature");
    expectSelected(knapsack(groups(coins, filterConfirmed), CENT, rng), CENT);
    add(coins, 2n * CENT);
    assert(!knapsack(groups(coins, filterStandard), 3n * CENT, rng).ok);
    expectSelected(knapsack(groups(coins, filterConfirmed), 3n * CENT, rng), 3n * CENT);
    add(coins, 5n * CENT);
    add(coins, 10n * CENT, 3, true);
    add(coins, 20n * CENT);
    assert(!knapsack(groups(coins, filterStandard), 38n * CENT, rng).ok);
    assert(!knapsack(groups(coins, filterStandardExtra), 38n * CENT, rng).ok);
    expectSelected(knapsack(groups(coins, filterStandard), 37n * CENT, rng), 37n * CENT);
    expectSelected(knapsack(groups(coins, filterConfirmed), 38n * CENT, rng), 38n * CENT);
    expectSelected(knapsack(groups(coins, filterConfirmed), 34n * CENT, rng), 35n * CENT, 3, "34 → 20+10+5");
    expectSelected(knapsack(groups(coins, filterConfirmed), 7n * CENT, rng), 7n * CENT, 2, "7 → 2+5");
    expectSelected(knapsack(groups(coins, filterConfirmed), 8n * CENT, rng), 8n * CENT, 3, "8 → 1+2+5");
    expectSelected(knapsack(groups(coins, filterConfirmed), 9n * CENT, rng), 10n * CENT, 1, "9 → 10");

    coins = [];
    for (const c of [6n, 7n, 8n, 20n, 30n]) add(coins, c * CENT);
    expectSelected(knapsack(groups(coins, filterConfirmed), 71n * CENT, rng), 71n * CENT);
    assert(!knapsack(groups(coins, filterConfirmed), 72n * CENT, rng).ok);
    expectSelected(knapsack(groups(coins, filterConfirmed), 16n * CENT, rng), 20n * CENT, 1, "16 → 20");
    add(coins, 5n * CENT);
    expectSelected(knapsack(groups(coins, filterConfirmed), 16n * CENT, rng), 18n * CENT, 3, "16 → 5+6+7");
    add(coins, 18n * CENT);
    expectSelected(
      knapsack(groups(coins, filterConfirmed), 16n * CENT, rng),
      18n * CENT,
      1,
      "tie: biggest coin",
    );
    expectSelected(knapsack(groups(coins, filterConfirmed), 11n * CENT, rng), 11n * CENT, 2, "11 → 5+6");
    for (const c of [1n, 2n, 3n, 4n]) add(coins, c * COIN);
    expectSelected(
      knapsack(groups(coins, filterConfirmed), 95n * CENT, rng),
      COIN,
      1,
      "smallest bigger coin",
    );
    expectSelected(knapsack(groups(coins, filterConfirmed), 195n * CENT, rng), 2n * COIN, 1);

    coins = [];
    for (const c of [1n, 2n, 3n, 4n, 5n]) add(coins, (CENT * c) / 10n);
    expectSelected(knapsack(groups(coins, filterConfirmed), CENT, rng), CENT);
    add(coins, 1111n * CENT);
    expectSelected(knapsack(groups(coins, filterConfirmed), CENT, rng), CENT, undefined, "exact amount");
    add(coins, (CENT * 6n) / 10n);
    add(coins, (CENT * 7n) / 10n);
    expectSelected(knapsack(groups(coins, filterConfirmed), CENT, rng), CENT);

    coins = [];
    for (let j = 0; j < 20; j++) add(coins, 50_000n * COIN);
    expectSelected(
      knapsack(groups(coins, filterConfirmed), 500_000n * COIN, rng),
      500_000n * COIN,
      10,
      "mtgox",
    );

    coins = [];
    for (const v of [(CENT * 5n) / 10n, (CENT * 6n) / 10n, (CENT * 7n) / 10n, 1111n * CENT]) add(coins, v);
    expectSelected(knapsack(groups(coins, filterConfirmed), CENT, rng), 1111n * CENT, 1, "bigger coin");
    coins = [];
    for (const v of [(CENT * 4n) / 10n, (CENT * 6n) / 10n, (CENT * 8n) / 10n, 1111n * CENT]) add(coins, v);
    expectSelected(knapsack(groups(coins, filterConfirmed), CENT, rng), CENT, 2, "0.4 + 0.6");

    coins = [];
    for (const v of [(CENT * 5n) / 100n, CENT, 100n * CENT]) add(coins, v);
    expectSelected(
      knapsack(groups(coins, filterConfirmed), (CENT * 10001n) / 100n, rng),
      (CENT * 10105n) / 100n,
      3,
    );
    expectSelected(knapsack(groups(coins, filterConfirmed), (CENT * 9990n) / 100n, rng), 101n * CENT, 2);
  }
});

Deno.test("knapsack: many equal inputs take the fewest that leave the change target", () => {
  const rng = seededRng(7);
  for (let amt = 1500n; amt < COIN; amt *= 10n) {
    const coins: Coin[] = [];
    for (let j = 0; j < 676; j++) add(coins, amt);
    for (let i = 0; i < 5; i++) {
      const out = knapsack(groups(coins, filterConfirmed), 2000n, rng);
      if (amt - 2000n < CENT) {
        const n = (2000n + CENT + amt - 1n) / amt;
        expectSelected(out, amt * n, Number(n), `amount ${amt}`);
      } else {
        expectSelected(out, amt, 1, `amount ${amt}`);
      }
    }
  }
});

Deno.test("knapsack: randomness — equal coins are picked differently, among competing smallest-bigger coins too", () => {
  const rng = seededRng(11);
  const coins: Coin[] = [];
  for (let i = 0; i < 100; i++) add(coins, COIN);
  const key = (o: SelectionOutcome) => (o.ok ? o.result.inputs.map((c) => c.key).join(",") : "");
  const all = () => coins.map((c) => groupOf(c));
  assert(key(knapsack(all(), 50n * COIN, rng)) !== key(knapsack(all(), 50n * COIN, rng)));
  const singles = new Set<string>();
  for (let j = 0; j < 5; j++) singles.add(key(knapsack(all(), COIN, rng)));
  assert(singles.size > 1);
  for (const c of [5n, 10n, 15n, 20n, 25n]) add(coins, c * CENT);
  const ninety = new Set<string>();
  for (let j = 0; j < 5; j++) ninety.add(key(knapsack(all(), 90n * CENT, rng)));
  assert(ninety.size > 1);
});

Deno.test("knapsack: Core's ApproximateBestSubset sort order test", () => {
  const coins: Coin[] = [];
  for (let i = 0; i < 1000; i++) add(coins, 1000n * COIN);
  add(coins, 3n * COIN);
  expectSelected(knapsack(groups(coins, filterStandard), 1003n * COIN, seededRng(5)), 1003n * COIN, 2);
});

Deno.test("knapsack: the weight limit — heavy groups skipped, overweight subsets replaced by the lowest larger", () => {
  const rng = seededRng(13);
  const heavy = (v: bigint) => groupOf(coin(v, { inputBytes: 1000, fee: 0n }));
  // Only heavy coins: nothing fits, with Core's max weight message.
  const none = knapsackSolver([heavy(COIN)], CENT, CENT, rng, 3999);
  assert(!none.ok && none.error?.startsWith("The inputs size exceeds the maximum weight"));
  // The small coins would sum exactly but weigh too much: the one larger coin is taken.
  const small = Array.from({ length: 10 }, () => groupOf(coin(CENT, { inputBytes: 100, fee: 0n })));
  const big = groupOf(coin(COIN, { inputBytes: 100, fee: 0n }));
  const out = knapsackSolver([...small, big], 10n * CENT, CENT, rng, 4 * 100 * 5);
  expectSelected(out, COIN, 1);
});

/** Core's `ApproximateBestSubset` written plainly (one bit per group, in order): the reference for the fast loop. */
function referenceBestSubset(
  rng: SelectionRng,
  amount: Float64Array,
  weight: Int32Array,
  totalLower: number,
  target: number,
  maxWeight: number,
): { included: Uint8Array; total: number } {
  const n = amount.length;
  let best = new Uint8Array(n).fill(1);
  let bestTotal = totalLower;
  const included = new Uint8Array(n);
  for (let rep = 0; rep < 1000 && bestTotal !== target; rep++) {
    included.fill(0);
    let total = 0;
    let w = 0;
    let reached = false;
    for (let pass = 0; pass < 2 && !reached; pass++) {
      let word = 0;
      for (let i = 0; i < n; i++) {
        if (pass === 0 && (i & 31) === 0) word = rng.randrange(2 ** 32);
        if (pass === 0 ? ((word >>> (i & 31)) & 1) === 0 : included[i] === 1) continue;
        total += amount[i];
        w += weight[i];
        included[i] = 1;
        if (total >= target && w <= maxWeight) {
          reached = true;
          if (total < bestTotal) {
            bestTotal = total;
            best = included.slice();
          }
          total -= amount[i];
          w -= weight[i];
          included[i] = 0;
        }
      }
    }
  }
  return { included: best, total: bestTotal };
}

Deno.test("approximateBestSubset makes exactly the reference's choices (same rng stream, same subsets)", () => {
  const gen = seededRng(42);
  for (let round = 0; round < 30; round++) {
    const n = 1 + gen.randrange(round < 10 ? 40 : 300); // sizes around and off the 32-bit word boundaries
    const amount = new Float64Array(n);
    const weight = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      amount[i] = 1 + gen.randrange(round % 3 === 0 ? 20 : 5_000_000);
      weight[i] = 100 + gen.randrange(400);
    }
    amount.sort().reverse();
    const totalLower = amount.reduce((a, b) => a + b, 0);
    const target = 1 + gen.randrange(Math.max(1, Math.floor(totalLower * (round % 2 === 0 ? 0.1 : 0.7))));
    const maxWeight = round % 4 === 3 ? 2_000 : 1_000_000;
    const a = approximateBestSubset(seededRng(round), amount, weight, totalLower, target, maxWeight);
    const b = referenceBestSubset(seededRng(round), amount, weight, totalLower, target, maxWeight);
    assertEquals(a.total, b.total);
    assertEquals(a.included, b.included);
  }
});
