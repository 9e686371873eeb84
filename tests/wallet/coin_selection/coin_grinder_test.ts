/** CoinGrinder, with the scenarios and exact attempt counts of Core's coin_grinder_tests. */
import { assert, assertEquals } from "../../assert.ts";
import { FeeRate } from "../../../node/policy/feerate.ts";
import {
  type Coin,
  coinGrinder,
  coinSelectionParams,
  eligibilityFilter,
  ERR_MAX_WEIGHT_EXCEEDED,
  filterKey,
  groupOutputs,
  type OutputGroup,
  seededRng,
} from "../../../wallet/coin_selection/mod.ts";
import { COIN, coin, values } from "./helpers.ts";

const at5 = FeeRate.fromSatPerKvB(5000);
const params = coinSelectionParams({
  rng: seededRng(3),
  changeOutputSize: 34,
  changeSpendSize: 68,
  minChangeTarget: 1_000_000n,
  effectiveFeerate: at5,
  longTermFeerate: FeeRate.fromSatPerKvB(2000),
  discardFeerate: FeeRate.fromSatPerKvB(1000),
  txNoInputsSize: 10 + 34,
});

/** Core's add_coin into a wallet: depth 144, spendable P2WPKH (68 vB) unless a size is given. */
function add(value: bigint, feerate = at5, inputBytes = 68): Coin {
  return coin(value, { depth: 144, inputBytes, feerate });
}

/** Core's test helper: GroupOutputs under the filter (0, 0, 0), positive groups of all types. */
function positiveGroups(coins: Coin[]): OutputGroup[] {
  const filter = eligibilityFilter(0, 0, 0);
  const grouped = groupOutputs(coins, params, [filter]);
  return grouped.byFilter.get(filterKey(filter))?.all.positive ?? [];
}

const btc = (x: number) => BigInt(Math.round(x * 1e8));

Deno.test("coin grinder: 1) insufficient funds fails without a message", () => {
  const coins: Coin[] = [];
  for (let j = 0; j < 10; j++) coins.push(coin(1n * COIN, { depth: 144 }), coin(2n * COIN, { depth: 144 }));
  const res = coinGrinder(positiveGroups(coins), btc(49.5), params.minChangeTarget, 10_000);
  assert(!res.ok);
  assertEquals(res.error, undefined);
});

Deno.test("coin grinder: 2) every funding set exceeds the maximum weight", () => {
  const coins: Coin[] = [];
  for (let j = 0; j < 10; j++) coins.push(add(1n * COIN), add(2n * COIN));
  const res = coinGrinder(positiveGroups(coins), btc(29.5), params.minChangeTarget, 3000);
  assert(!res.ok);
  assertEquals(res.error, ERR_MAX_WEIGHT_EXCEEDED);
});

Deno.test("coin grinder: 3) lowest weight when some combinations exceed the weight", () => {
  const coins: Coin[] = [];
  for (let j = 0; j < 60; j++) coins.push(add(btc(0.33)));
  for (let i = 0; i < 10; i++) coins.push(add(2n * COIN));
  const res = coinGrinder(positiveGroups(coins), btc(25.33), params.minChangeTarget, 10_000);
  assert(res.ok);
  assertEquals(values(res.result.inputs), [...Array(17).fill(btc(0.33)), ...Array(10).fill(2n * COIN)]);
  assertEquals(res.result.selectionsEvaluated, 37);
  assertEquals(res.result.algorithm, "cg");
});

Deno.test("coin grinder: 4) two light UTXOs beat one heavier more valuable UTXO", () => {
  const coins = [add(2n * COIN, at5, 148), add(1n * COIN, at5, 68), add(1n * COIN, at5, 68)];
  const res = coinGrinder(positiveGroups(coins), btc(1.9), params.minChangeTarget, 400_000);
  assert(res.ok);
  assertEquals(values(res.result.inputs), [1n * COIN, 1n * COIN]);
  assertEquals(res.result.selectionsEvaluated, 3);
});

Deno.test("coin grinder: 5) a pool with mixed weights", () => {
  const coins: Coin[] = [];
  for (let j = 0n; j < 5n; j++) {
    coins.push(add((3n + 3n * j) * COIN, at5, 350));
    coins.push(add((2n + 3n * j) * COIN, at5, 250));
    coins.push(add((1n + 3n * j) * COIN, at5, 150));
  }
  const res = coinGrinder(positiveGroups(coins), 30n * COIN, params.minChangeTarget, 400_000);
  assert(res.ok);
  assertEquals(values(res.result.inputs), [4n * COIN, 13n * COIN, 14n * COIN]);
  assertEquals(res.result.selectionsEvaluated, 92);
});

Deno.test("coin grinder: 6) the lightest solution among many clones", () => {
  const coins = [
    add(4n * COIN, at5, 100),
    add(3n * COIN, at5, 100),
    add(2n * COIN, at5, 100),
    add(COIN, at5, 100),
  ];
  for (const [v, size] of [[8n, 1000], [7n, 800], [6n, 600], [5n, 400]] as const) {
    for (let j = 0; j < 100; j++) coins.push(add(v * COIN, at5, size));
  }
  const res = coinGrinder(positiveGroups(coins), btc(9.9), params.minChangeTarget, 400_000);
  assert(res.ok);
  assertEquals(values(res.result.inputs), [1n * COIN, 2n * COIN, 3n * COIN, 4n * COIN]);
  assertEquals(res.result.selectionsEvaluated, 38);
});

Deno.test("coin grinder: 7) many tiny heavy UTXOs are skipped with enough funds in the lookahead", () => {
  const coins = [add(btc(1.8), at5, 2500), add(COIN, at5, 1000), add(COIN, at5, 1000)];
  for (let j = 0n; j < 100n; j++) coins.push(add(btc(0.01) + j, at5, 110));
  const res = coinGrinder(positiveGroups(coins), btc(1.9), params.minChangeTarget, 40_000);
  assert(res.ok);
  assertEquals(values(res.result.inputs), [COIN, COIN]);
  assertEquals(res.result.selectionsEvaluated, 7);
});

Deno.test("coin grinder: 8) a solution found just before the attempt limit, none with one more clone", () => {
  const zero = FeeRate.fromSatPerKvB(0);
  const pool = (count: number) => {
    const coins: Coin[] = [];
    for (let i = 0; i < count; i++) coins.push(add(COIN + BigInt(i), zero, 96 + i));
    return positiveGroups(coins);
  };
  const a = coinGrinder(pool(18), 8n * COIN, 0n, 3200);
  assert(a.ok);
  assertEquals(values(a.result.inputs), Array.from({ length: 8 }, (_, i) => COIN + BigInt(i)));
  assertEquals(a.result.selectionsEvaluated, 87_525);
  assertEquals(a.result.algoCompleted, true);
  const b = coinGrinder(pool(19), 8n * COIN, 0n, 3200);
  assert(!b.ok);
});
