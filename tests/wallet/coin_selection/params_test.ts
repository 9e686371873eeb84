/** GenerateChangeTarget and the parameters CreateTransactionInternal derives; the rngs. */
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { FeeRate } from "../../../node/policy/feerate.ts";
import {
  CHANGE_LOWER,
  CHANGE_UPPER,
  generateChangeTarget,
  makeCoinSelectionParams,
  seededRng,
} from "../../../wallet/coin_selection/mod.ts";

Deno.test("generateChangeTarget: 50k for small payments, else uniform in [50k, min(2 × payment, 1M))", () => {
  const rng = seededRng(1);
  assertEquals(generateChangeTarget(25_000n, 155n, rng), 155n + CHANGE_LOWER);
  let lo = CHANGE_UPPER, hi = 0n;
  for (let i = 0; i < 2000; i++) {
    const t = generateChangeTarget(40_000n, 100n, rng) - 100n;
    assert(t >= CHANGE_LOWER && t < 80_000n, `${t}`);
    const u = generateChangeTarget(10n ** 9n, 0n, rng);
    assert(u >= CHANGE_LOWER && u < CHANGE_UPPER);
    if (u < lo) lo = u;
    if (u > hi) hi = u;
  }
  assert(lo < 100_000n && hi > 900_000n);
  // 25,001 sat: the range is [50,000, 50,002).
  for (let i = 0; i < 50; i++) {
    const t = generateChangeTarget(25_001n, 0n, rng);
    assert(t === 50_000n || t === 50_001n);
  }
});

Deno.test("makeCoinSelectionParams: Core's CreateTransactionInternal derivations", () => {
  const eff = FeeRate.fromSatPerKvB(5000);
  const d = makeCoinSelectionParams({
    recipients: [{ amount: 20_000n, outputSize: 31 }, { amount: 10_000n, outputSize: 43 }],
    effectiveFeerate: eff,
    longTermFeerate: FeeRate.fromSatPerKvB(10_000),
    discardFeerate: FeeRate.fromSatPerKvB(3000),
    changeOutputSize: 31,
    changeSpendSize: 68,
    changeDustThreshold: 294n,
    rng: seededRng(1),
  });
  assertEquals(d.params.txNoInputsSize, 10 + 1 + 31 + 43);
  assertEquals(d.params.changeFee, 155n);
  assertEquals(d.params.costOfChange, 155n + 204n);
  assertEquals(d.params.minViableChange, 294n); // dust 294 > discard fee 204 + 1
  assertEquals(d.params.minChangeTarget, 155n + 50_000n); // average payment 15,000 ≤ 25,000
  assertEquals(d.recipientsSum, 30_000n);
  assertEquals(d.selectionTarget, 30_000n + eff.getFee(85));
  assertEquals(d.params.maxTxWeight, 400_000);
  assertEquals(d.params.subtractFeeOutputs, false);

  const sffo = makeCoinSelectionParams({
    recipients: [{ amount: 20_000n, outputSize: 31, subtractFeeFromAmount: true }],
    effectiveFeerate: eff,
    longTermFeerate: eff,
    discardFeerate: FeeRate.fromSatPerKvB(10_000),
    changeOutputSize: 31,
    changeDustThreshold: 100n,
  });
  assertEquals(sffo.params.changeSpendSize, 91); // unknown: nested P2WPKH
  assertEquals(sffo.params.minViableChange, 911n);
  assertEquals(sffo.selectionTarget, 20_000n);
  assertEquals(sffo.params.subtractFeeOutputs, true);

  const base = {
    recipients: [{ amount: 1n, outputSize: 31 }],
    effectiveFeerate: eff,
    longTermFeerate: eff,
    discardFeerate: eff,
    changeOutputSize: 31,
    changeDustThreshold: 0n,
  };
  assertThrows(() => makeCoinSelectionParams({ ...base, maxTxWeight: 259 }), "between 260 and 400000");
  assertThrows(() => makeCoinSelectionParams({ ...base, maxTxWeight: 400_001 }), "between 260 and 400000");
  assertThrows(() => makeCoinSelectionParams({ ...base, recipients: [] }), "no recipients");
});
