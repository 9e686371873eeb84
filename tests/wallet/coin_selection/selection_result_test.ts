/** The waste metric and result bookkeeping, after Core's waste_test, bump_fee_test and effective_value_test. */
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import {
  bestResult,
  type Coin,
  OutputGroup,
  seededRng,
  SelectionResult,
} from "../../../wallet/coin_selection/mod.ts";
import { COIN, coin, groupOf } from "./helpers.ts";

/** Core's add_coin(value, n, result, fee, long_term_fee): 148-byte input with the given fees. */
function addCoin(value: bigint, result: SelectionResult, fee: bigint, longTermFee: bigint): Coin {
  const c = coin(value, { inputBytes: 148, fee });
  const g = new OutputGroup();
  g.insert(c);
  c.longTermFee = longTermFee; // insert sets it from the group's feerate; Core's test overrides it afterwards
  result.addInput(g);
  return c;
}

const fee = 100n;
const minViableChange = 300n;
const changeCost = 125n;
const changeFee = 30n;
const feeDiff = 40n;
const inAmt = 3n * COIN;
const target = 2n * COIN;
const excess = 80n;
const exactTarget = inAmt - fee * 2n;

function waste(t: bigint, f: bigint, ltf: bigint, cost = changeCost): bigint {
  const r = new SelectionResult(t, "manual");
  addCoin(1n * COIN, r, f, ltf);
  addCoin(2n * COIN, r, f, ltf);
  r.recalculateWaste(minViableChange, cost, changeFee);
  return r.waste;
}

Deno.test("waste: with change, change cost plus the fee difference of the inputs", () => {
  const w1 = waste(target, fee, fee - feeDiff);
  assertEquals(w1, feeDiff * 2n + changeCost);
  assert(waste(target, fee * 2n, fee - feeDiff) > w1);
  const w3 = waste(target, fee, fee + feeDiff);
  assertEquals(w3, -feeDiff * 2n + changeCost);
  assert(w3 < w1);
});

Deno.test("waste: without change, the excess plus the fee difference", () => {
  const w1 = waste(exactTarget - excess, fee, fee - feeDiff);
  assertEquals(w1, feeDiff * 2n + excess);
  const w2 = waste(exactTarget - excess, fee, fee + feeDiff);
  assertEquals(w2, -feeDiff * 2n + excess);
  assert(w2 < w1);
});

Deno.test("waste: Core's zero and negative cases", () => {
  assertEquals(waste(target, fee, fee), changeCost);
  assertEquals(waste(exactTarget - excess, fee, fee), excess);
  assertEquals(waste(exactTarget, fee, fee), 0n);
  assertEquals(waste(target, fee, fee + feeDiff, feeDiff * 2n), 0n);
  assertEquals(waste(exactTarget - feeDiff * 2n, fee, fee + feeDiff), 0n);
  assertEquals(waste(exactTarget, fee, fee + feeDiff), -2n * feeDiff);
  assertEquals(waste(target, fee, fee + 90n), -55n);
});

Deno.test("waste: bump fees and the group discount (Core's bump_fee_test)", () => {
  const r = new SelectionResult(target, "manual");
  addCoin(1n * COIN, r, 100n, 140n);
  addCoin(2n * COIN, r, 100n, 140n);
  r.shuffledInputs(seededRng(1)).forEach((c, i) => c.applyBumpFee(20n * BigInt(i + 1)));
  r.recalculateWaste(200n, 125n, 35n);
  assertEquals(r.waste, -80n + 125n + 60n);
  assertEquals(r.totalBumpFees(), 60n);
  r.setBumpFeeDiscount(30n);
  r.recalculateWaste(200n, 125n, 35n);
  assertEquals(r.waste, -80n + 125n + 60n - 30n);
  assertEquals(r.totalBumpFees(), 30n);

  // Changeless: a discount does not change the waste (the excess grows by as much).
  const c = new SelectionResult(3n * COIN - 200n - 100n, "manual");
  addCoin(1n * COIN, c, 100n, 140n);
  addCoin(2n * COIN, c, 100n, 140n);
  c.shuffledInputs(seededRng(2)).forEach((x, i) => x.applyBumpFee(20n * BigInt(i + 1)));
  c.recalculateWaste(200n, 125n, 35n);
  assertEquals(c.waste, -80n + 60n + 40n);
  c.setBumpFeeDiscount(30n);
  c.recalculateWaste(200n, 125n, 35n);
  assertEquals(c.waste, -80n + 60n - 30n + 70n);
});

Deno.test("selection result: change, merge, shared coins, ordering, least waste with more inputs on ties", () => {
  const r = new SelectionResult(COIN, "bnb");
  const a = coin(COIN, { inputBytes: 68, fee: 68n });
  r.addInput(groupOf(a));
  // Effective value 1 COIN − 68: below target, no change; waste would need the excess (negative): refused.
  assertEquals(r.getChange(1n, 0n), 0n);
  assertThrows(() => r.recalculateWaste(1n, 10n, 0n), "below the target");
  const preset = new SelectionResult(1000n, "manual");
  const b = coin(50_000n, { inputBytes: 68, fee: 68n });
  preset.addInputs([b], false);
  const m = new SelectionResult(0n, "manual");
  m.merge(preset);
  m.merge(r);
  assertEquals(m.algorithm, "bnb");
  assertEquals(m.target, COIN + 1000n);
  assertEquals(m.size, 2);
  assertEquals(m.weight, 2 * 68 * 4);
  assertThrows(() => m.merge(r), "Shared UTXOs among selection results");
  const ordered = m.inputs.map((c) => c.key);
  assertEquals(ordered, [a.key, b.key].sort());
  assertEquals(m.getChange(0n, 0n), COIN - 68n + 50_000n - 68n - COIN - 1000n);

  const x = new SelectionResult(100n, "srd");
  x.addInput(groupOf(coin(200n)));
  x.recalculateWaste(1000n, 5n, 0n); // change 100 below the minimum: waste is the excess, 100
  const y = new SelectionResult(100n, "knapsack");
  y.addInput(groupOf(coin(150n)));
  y.addInput(groupOf(coin(50n)));
  y.recalculateWaste(1000n, 5n, 0n);
  assertEquals([x.waste, y.waste], [100n, 100n]);
  assertEquals(bestResult([x, y]), y);
  assertEquals(bestResult([y, x]), y);
  assertThrows(() => bestResult([]), "no selection results");
  assertThrows(() => new SelectionResult(1n, "bnb").waste, "not computed");
});
