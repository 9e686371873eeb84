/**
 * Branch and Bound, with the scenarios and exact attempt counts of Core's coinselection_tests.cpp (bnb_test at
 * ten feerates, bnb_feerate_sensitivity_test) and coinselector_tests.cpp (bnb_search_test).
 */
import { assert, assertEquals } from "../../assert.ts";
import { FeeRate } from "../../../node/policy/feerate.ts";
import {
  type CoinSelectionParams,
  ERR_MAX_WEIGHT_EXCEEDED,
  type OutputGroup,
  selectCoinsBnB,
} from "../../../wallet/coin_selection/mod.ts";
import {
  CENT,
  coin,
  groupOf,
  initCsParams,
  makeGroup,
  makeGroups,
  P2WPKH_INPUT_VSIZE,
  values,
} from "./helpers.ts";

const MAX_STANDARD_TX_WEIGHT = 400_000;
const FEERATES = [0, 1, 99, 100, 315, 1_000, 2_345, 10_292, 59_764, 1_500_000];

function expectSuccess(
  title: string,
  pool: OutputGroup[],
  target: bigint,
  expected: bigint[],
  attempts: number,
  params: CoinSelectionParams,
  options: { vsize?: number; maxWeight?: number } = {},
): void {
  const maxWeight = options.maxWeight ?? MAX_STANDARD_TX_WEIGHT;
  const outcome = selectCoinsBnB(pool, target, params.costOfChange, maxWeight);
  assert(outcome.ok, `BnB failed: ${title}`);
  const fee = params.effectiveFeerate.getFee(options.vsize ?? P2WPKH_INPUT_VSIZE);
  const want = expected.map((a) => a + fee).sort((a, b) => (a < b ? -1 : 1));
  assertEquals(values(outcome.result.inputs), want, title);
  assert(outcome.result.weight <= maxWeight, `${title}: weight`);
  assertEquals(outcome.result.selectionsEvaluated, attempts, `${title}: attempts`);
}

function expectFailure(
  title: string,
  pool: OutputGroup[],
  target: bigint,
  params: CoinSelectionParams,
  maxWeight = MAX_STANDARD_TX_WEIGHT,
  maxWeightExceeded = false,
): void {
  const outcome = selectCoinsBnB(pool, target, params.costOfChange, maxWeight);
  assert(!outcome.ok, `BnB should fail: ${title}`);
  assertEquals(
    outcome.error === ERR_MAX_WEIGHT_EXCEEDED,
    maxWeightExceeded,
    `${title}: error ${outcome.error}`,
  );
}

for (const feerate of FEERATES) {
  Deno.test(`bnb: Core's bnb_test scenarios at ${feerate} sat/kvB`, () => {
    const p = initCsParams(feerate);
    const pool: OutputGroup[] = [];
    expectFailure("Empty UTXO pool", pool, 1n * CENT, p);
    pool.push(...makeGroups([1n * CENT, 3n * CENT, 5n * CENT], p));
    expectSuccess("Select smallest UTXO", pool, 1n * CENT, [1n * CENT], 3, p);
    expectSuccess("Select middle UTXO", pool, 3n * CENT, [3n * CENT], 3, p);
    expectSuccess("Select biggest UTXO", pool, 5n * CENT, [5n * CENT], 2, p);
    expectSuccess("Select two UTXOs", pool, 4n * CENT, [1n * CENT, 3n * CENT], 4, p);
    expectSuccess("Select all UTXOs", pool, 9n * CENT, [1n * CENT, 3n * CENT, 5n * CENT], 5, p);
    expectSuccess("Select upper bound", pool, 4n * CENT - p.costOfChange, [1n * CENT, 3n * CENT], 4, p);
    expectFailure("Overshoot upper bound", pool, 4n * CENT - p.costOfChange - 1n, p);
    expectSuccess("Select max weight", pool, 4n * CENT, [1n * CENT, 3n * CENT], 4, p, {
      maxWeight: 4 * 2 * P2WPKH_INPUT_VSIZE,
    });
    expectFailure("Exceed max weight", pool, 4n * CENT, p, 4 * 2 * P2WPKH_INPUT_VSIZE - 1, true);
    expectFailure("Smallest combination too big", pool, CENT / 2n, p);
    expectFailure("No UTXO combination in target window", pool, 7n * CENT, p);
    expectFailure("Select more than available", pool, 10n * CENT, p);

    const clones = makeGroups([2n * CENT, 7n * CENT, 7n * CENT], p);
    const five = makeGroup(5n * CENT, { params: p });
    // 50,000 groups of 5 CENT: the same coin object would be shared, so make distinct ones.
    for (let i = 0; i < 50_000; i++) clones.push(i === 0 ? five : makeGroup(5n * CENT, { params: p }));
    expectSuccess("Skip equivalent input sets", clones, 16n * CENT, [2n * CENT, 7n * CENT, 7n * CENT], 16, p);

    const doppelgangers: bigint[] = [];
    const expected: bigint[] = [];
    for (let i = 0; i < 17; i++) {
      if (i < 8) {
        doppelgangers.push(1n * CENT + BigInt(i));
        expected.push(1n * CENT + BigInt(i));
      } else {
        doppelgangers.push(1n * CENT + p.costOfChange + BigInt(i));
      }
    }
    const dpool = makeGroups(doppelgangers, p);
    expectSuccess("Combine smallest 8 of 17 unique UTXOs", dpool, 8n * CENT, expected, 51_765, p);
    dpool.push(makeGroup(1n * CENT + p.costOfChange + 17n, { params: p }));
    expectSuccess("Combine smallest 8 of 18 unique UTXOs", dpool, 8n * CENT, expected, 87_957, p);
    dpool.push(makeGroup(1n * CENT + p.costOfChange + 18n, { params: p }));
    expectFailure("Exhaust looking for smallest 8 of 19 unique UTXOs", dpool, 8n * CENT, p);
  });
}

Deno.test("bnb: Core's bnb_feerate_sensitivity_test", () => {
  const low = initCsParams();
  const lowPool = makeGroups([2n * CENT, 3n * CENT, 5n * CENT, 10n * CENT], low);
  expectSuccess(
    "Select many inputs at low feerates",
    lowPool,
    10n * CENT,
    [2n * CENT, 3n * CENT, 5n * CENT],
    6,
    low,
  );
  const high = initCsParams(25_000);
  const highPool = makeGroups([2n * CENT, 3n * CENT, 5n * CENT, 10n * CENT], high);
  expectSuccess("Select one input at high feerates", highPool, 10n * CENT, [10n * CENT], 5, high);

  lowPool.push(
    makeGroup(6n * CENT, { params: low, vsize: 500 }),
    makeGroup(7n * CENT, { params: low, vsize: 500 }),
  );
  expectSuccess(
    "Prefer two heavy inputs over two light inputs at low feerates",
    lowPool,
    13n * CENT,
    [
      6n * CENT,
      7n * CENT,
    ],
    18,
    low,
    { vsize: 500 },
  );
  highPool.push(
    makeGroup(6n * CENT, { params: high, vsize: 500 }),
    makeGroup(7n * CENT, { params: high, vsize: 500 }),
  );
  expectSuccess(
    "Prefer two light inputs over two heavy inputs at high feerates",
    highPool,
    13n * CENT,
    [
      3n * CENT,
      10n * CENT,
    ],
    9,
    high,
  );
});

Deno.test("bnb: Core's bnb_search_test — one coin, max weight exceeded by one heavy coin", () => {
  // A 1 CENT coin whose fee is paid from outside (input size unknown): one attempt, exact match.
  const one = selectCoinsBnB([groupOf(coin(1n * CENT))], 1n * CENT, 0n, MAX_STANDARD_TX_WEIGHT);
  assert(one.ok);
  assertEquals(one.result.selectedValue(), 1n * CENT);
  assertEquals(one.result.selectionsEvaluated, 1);

  // A negative effective value never reaches a target.
  const feerate = FeeRate.fromSatPerKvB(3000);
  const negative = selectCoinsBnB([groupOf(coin(1n, { inputBytes: 68, feerate }))], 1n * CENT, 0n, 400_000);
  assert(!negative.ok && negative.error === undefined);

  // Inputs [10, 9, 8, 5, 3, 1] CENT at 5 sat/vB with the 5 too heavy, subtracting fees: 16 needs the 5. Equal
  // amounts sort by waste, so a light 5 added later comes before the heavy one.
  const at5 = FeeRate.fromSatPerKvB(5000);
  const make = (cents: bigint, inputBytes = 68) =>
    groupOf(coin(cents * CENT, { inputBytes, feerate: at5 }), true);
  const pool = [make(10n), make(9n), make(8n), make(5n, MAX_STANDARD_TX_WEIGHT), make(3n), make(1n)];
  const none = selectCoinsBnB(pool, 16n * CENT, 0n, MAX_STANDARD_TX_WEIGHT);
  assert(!none.ok);
  assertEquals(none.error, ERR_MAX_WEIGHT_EXCEEDED);
  pool.push(make(5n));
  const res = selectCoinsBnB(pool, 16n * CENT, 0n, MAX_STANDARD_TX_WEIGHT);
  assert(res.ok);
  assertEquals(values(res.result.inputs), [3n * CENT, 5n * CENT, 8n * CENT]);
  assertEquals(res.result.selectionsEvaluated, 22);
  assertEquals(res.result.useEffective, false);
});

Deno.test("bnb: stops at TOTAL_TRIES and reports an incomplete search", () => {
  const p = initCsParams();
  const amounts: bigint[] = [];
  for (let i = 0; i < 19; i++) amounts.push(i < 8 ? CENT + BigInt(i) : CENT + p.costOfChange + BigInt(i));
  const pool = makeGroups(amounts, p);
  // The eight largest are found first (exact match) and the search then runs out of tries.
  const largest = [...amounts].sort((a, b) => (a < b ? 1 : -1)).slice(0, 8);
  const target = largest.reduce((s, a) => s + a, 0n);
  const outcome = selectCoinsBnB(pool, target, p.costOfChange, MAX_STANDARD_TX_WEIGHT);
  assert(outcome.ok);
  assertEquals(outcome.result.selectionsEvaluated, 100_000);
  assertEquals(outcome.result.algoCompleted, false);
  const fee = p.effectiveFeerate.getFee(P2WPKH_INPUT_VSIZE);
  assertEquals(values(outcome.result.inputs), largest.map((a) => a + fee).reverse());
  // A complete search says so.
  const small = selectCoinsBnB(pool.slice(0, 3), 2n * CENT + 1n, p.costOfChange, MAX_STANDARD_TX_WEIGHT);
  assert(small.ok && small.result.algoCompleted);
});
