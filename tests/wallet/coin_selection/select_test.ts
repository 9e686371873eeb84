/**
 * The selection driver: Core's SelectCoins scenarios from coinselector_tests.cpp (preset inputs, SFFO without
 * BnB, maximum weight, effective value of preset inputs, random wallets) and the filter ladder, output type
 * mixing, bump fee discounts and error messages of spend.cpp.
 */
import { assert, assertEquals, assertRejects } from "../../assert.ts";
import { FeeRate } from "../../../node/policy/feerate.ts";
import {
  attemptSelection,
  chooseSelectionResult,
  Coin,
  type CoinOptions,
  type CoinSelectionParams,
  coinSelectionParams,
  eligibilityFilter,
  filterKey,
  fundingFailureMessage,
  groupOutputs,
  seededRng,
  selectCoins,
  SELECTION_ERRORS,
  type SelectionOutcome,
} from "../../../wallet/coin_selection/mod.ts";
import { CENT, COIN, nextTxid, values } from "./helpers.ts";

/** Core's add_coin for a spendable P2WPKH coin of the wallet (68 vB), depth 144, not from us. */
function wcoin(value: bigint, feerate: FeeRate, fields: Partial<CoinOptions> = {}): Coin {
  return new Coin({
    outpoint: { txid: nextTxid(), vout: 0 },
    txout: { value, scriptPubKey: new Uint8Array([0x00, 0x14, ...nextTxid().slice(0, 20)]) },
    depth: 144,
    inputBytes: 68,
    outputType: "bech32",
    feerate,
    ...fields,
  });
}

function bnbParams(effective: number, longTerm: number): CoinSelectionParams {
  const eff = FeeRate.fromSatPerKvB(3000);
  const changeFee = eff.getFee(31);
  return coinSelectionParams({
    rng: seededRng(21),
    changeOutputSize: 31,
    changeSpendSize: 68,
    effectiveFeerate: FeeRate.fromSatPerKvB(effective),
    longTermFeerate: FeeRate.fromSatPerKvB(longTerm),
    discardFeerate: FeeRate.fromSatPerKvB(1000),
    changeFee,
    costOfChange: eff.getFee(68) + changeFee,
    minViableChange: eff.getFee(68),
  });
}

function ok(outcome: SelectionOutcome) {
  if (!outcome.ok) throw new Error(`selection failed: ${outcome.error ?? "insufficient funds"}`);
  return outcome.result;
}

Deno.test("selectCoins: preset input plus BnB for the rest (Core's bnb_search_test)", async () => {
  const zero = FeeRate.fromSatPerKvB(0);
  const p = bnbParams(0, 1000);
  const [five, three, two] = [5n, 3n, 2n].map((c) => wcoin(c * CENT, zero));
  const r = ok(
    await selectCoins({ available: [three, two], presetInputs: [five], target: 10n * CENT, params: p }),
  );
  assertEquals(r.selectionsEvaluated, 3);
  assertEquals(values(r.inputs), [2n * CENT, 3n * CENT, 5n * CENT]);
  assertEquals(r.target, 10n * CENT);

  // A preset input is spent even when disadvantageous.
  const at5 = FeeRate.fromSatPerKvB(5000);
  const q = { ...p, effectiveFeerate: at5, longTermFeerate: FeeRate.fromSatPerKvB(3000) };
  const fee = at5.getFee(68);
  const [ten, nine, one] = [10n, 9n, 1n].map((c) => wcoin(c * CENT + fee, at5));
  const r2 = ok(
    await selectCoins({ available: [ten, one], presetInputs: [nine], target: 10n * CENT, params: q }),
  );
  assertEquals(values(r2.inputs), [CENT + fee, 9n * CENT + fee]);
  assertEquals(r2.selectionsEvaluated, 2);
});

Deno.test("selectCoins: preset inputs alone, not enough with other inputs disallowed, effective value counts", async () => {
  const at3 = FeeRate.fromSatPerKvB(3000);
  const p = coinSelectionParams({
    rng: seededRng(1),
    effectiveFeerate: at3,
    longTermFeerate: FeeRate.fromSatPerKvB(1000),
    minViableChange: 1000n,
  });
  // Core's SelectCoins_effective_value_test: 100,000 sat at 37 vB costs 111 sat: 99,889 < 99,900.
  const preset = wcoin(100_000n, at3, { inputBytes: 37 });
  const out = await selectCoins({
    available: [],
    presetInputs: [preset],
    target: 99_900n,
    params: p,
    allowOtherInputs: false,
  });
  assert(!out.ok);
  assertEquals(out.error, SELECTION_ERRORS.presetInsufficient);
  const manual = ok(await selectCoins({ available: [], presetInputs: [preset], target: 99_800n, params: p }));
  assertEquals(manual.algorithm, "manual");
  // Preset coins are never put in a group, so their long-term fee stays 0 (as in Core): fee + excess.
  assertEquals(manual.waste, 111n + 89n);
  const empty = await selectCoins({ available: [preset], target: 0n, params: p });
  assert(!empty.ok && empty.error === SELECTION_ERRORS.emptyTarget);
});

Deno.test("selectCoins: no BnB when subtracting the fee from outputs (Core's bnb_sffo_restriction)", async () => {
  const at3 = FeeRate.fromSatPerKvB(3000);
  const changeFee = at3.getFee(31);
  const costOfChange = FeeRate.fromSatPerKvB(1000).getFee(68) + changeFee;
  for (let seed = 1; seed <= 10; seed++) {
    const p = coinSelectionParams({
      rng: seededRng(seed),
      changeOutputSize: 31,
      changeSpendSize: 68,
      effectiveFeerate: at3,
      longTermFeerate: FeeRate.fromSatPerKvB(1000),
      discardFeerate: FeeRate.fromSatPerKvB(1000),
      subtractFeeOutputs: true,
      changeFee,
      costOfChange,
      minChangeTarget: costOfChange + 1n,
    });
    const coins = [COIN + costOfChange, COIN / 2n + costOfChange, COIN / 2n].map((v) =>
      wcoin(v, at3, { depth: 6, fromMe: true })
    );
    const r = ok(await selectCoins({ available: coins, target: COIN, params: p }));
    assert(r.algorithm === "srd" || r.algorithm === "knapsack", r.algorithm);
    assertEquals(r.size, 2);
  }
});

Deno.test("selectCoins: the maximum weight (Core's check_max_selection_weight)", async () => {
  const zero = FeeRate.fromSatPerKvB(0);
  const p = () =>
    coinSelectionParams({
      rng: seededRng(4),
      changeOutputSize: 34,
      changeSpendSize: 68,
      minChangeTarget: CENT,
      effectiveFeerate: zero,
      longTermFeerate: zero,
      discardFeerate: zero,
      txNoInputsSize: 10 + 34,
    });
  const maxWeight = 400_000 - 4 * (10 + 34 + 34);
  const target = 4_950_000_000n;
  const small = () => Array.from({ length: 1515 }, () => wcoin(3_300_000n, zero));
  const big = wcoin(50n * COIN, zero);
  const r1 = ok(await selectCoins({ available: [...small(), big], target, params: p() }));
  assert(r1.inputs.some((c) => c.key === big.key));
  assert(r1.weight <= maxWeight);

  const mix = [
    ...Array.from({ length: 400 }, () => wcoin(6_250_000n, zero)),
    ...Array.from({ length: 2000 }, () => wcoin(2_500_000n, zero)),
  ];
  const r2 = ok(await selectCoins({ available: mix, target, params: p() }));
  assert(r2.inputs.some((c) => c.value === 6_250_000n) && r2.inputs.some((c) => c.value === 2_500_000n));
  assert(r2.weight <= maxWeight);

  const r3 = await selectCoins({ available: small(), target, params: p() });
  assert(!r3.ok);
  assertEquals(
    r3.error,
    "The inputs size exceeds the maximum weight. " +
      "Please try sending a smaller amount or manually consolidating your wallet's UTXOs",
  );
});

Deno.test("selectCoins: random wallets always fund a reachable target (Core's SelectCoins_test)", async () => {
  const rng = seededRng(99);
  const zero = FeeRate.fromSatPerKvB(0);
  for (let i = 0; i < 10; i++) {
    const coins: Coin[] = [];
    let balance = 0n;
    for (let j = 0; j < 1000; j++) {
      const u = (rng.randrange(2 ** 32) + 1) / 2 ** 32;
      const v = BigInt(Math.floor((-Math.log(u) / 100) * 10_000_000));
      coins.push(wcoin(v, zero, { inputBytes: -1 }));
      balance += v;
    }
    const target = BigInt(rng.randrange(Number(balance - 1000n))) + 1000n;
    const p = coinSelectionParams({
      rng,
      changeOutputSize: 34,
      changeSpendSize: 148,
      minChangeTarget: CENT,
      costOfChange: 1n,
      minViableChange: 1n,
    });
    const r = ok(await selectCoins({ available: coins, target, params: p }));
    assert(r.selectedValue() >= target);
  }
});

Deno.test("selectCoins: the filter ladder prefers confirmed coins and refuses unconfirmed coins from others", async () => {
  const at1 = FeeRate.fromSatPerKvB(1000);
  const p = () => coinSelectionParams({ rng: seededRng(5), effectiveFeerate: at1, longTermFeerate: at1 });
  const confirmed = wcoin(CENT, at1);
  const change = wcoin(5n * CENT, at1, { depth: 0, fromMe: true });
  const theirs = wcoin(5n * CENT, at1, { depth: 0, fromMe: false });
  const r1 = ok(
    await selectCoins({ available: [confirmed, change, theirs], target: CENT / 2n, params: p() }),
  );
  assertEquals(r1.inputs.map((c) => c.key), [confirmed.key]);
  const r2 = ok(
    await selectCoins({ available: [confirmed, change, theirs], target: 3n * CENT, params: p() }),
  );
  assert(r2.inputs.some((c) => c.key === change.key) && !r2.inputs.some((c) => c.key === theirs.key));
  const r3 = await selectCoins({ available: [confirmed, change, theirs], target: 7n * CENT, params: p() });
  assert(!r3.ok && r3.error === undefined);
  const unsafe = { ...p(), includeUnsafeInputs: true };
  const r4 = ok(
    await selectCoins({ available: [confirmed, change, theirs], target: 7n * CENT, params: unsafe }),
  );
  assertEquals(r4.size, 3);
  const noZeroConf = await selectCoins({
    available: [confirmed, change],
    target: 3n * CENT,
    params: p(),
    spendZeroConfChange: false,
  });
  assert(!noZeroConf.ok);
});

Deno.test("selectCoins: too long unconfirmed chains give Core's long-chain message", async () => {
  const at1 = FeeRate.fromSatPerKvB(1000);
  const p = coinSelectionParams({ rng: seededRng(6), effectiveFeerate: at1, longTermFeerate: at1 });
  const longChain = wcoin(5n * CENT, at1, { depth: 0, fromMe: true, ancestors: 25, clusterCount: 26 });
  const confirmed = wcoin(CENT, at1);
  const out = await selectCoins({ available: [confirmed, longChain], target: 3n * CENT, params: p });
  assert(!out.ok);
  assertEquals(out.error, SELECTION_ERRORS.longChain);
  const relaxed = ok(
    await selectCoins({
      available: [confirmed, longChain],
      target: 3n * CENT,
      params: p,
      rejectLongChains: false,
    }),
  );
  assert(relaxed.inputs.some((c) => c.key === longChain.key));
});

Deno.test("attemptSelection: one output type when it suffices, mixing only when needed and allowed", async () => {
  const at1 = FeeRate.fromSatPerKvB(1000);
  const p = coinSelectionParams({ rng: seededRng(8), effectiveFeerate: at1, longTermFeerate: at1 });
  const coins = [
    wcoin(3n * CENT, at1, { outputType: "bech32" }),
    wcoin(3n * CENT, at1, { outputType: "bech32m" }),
    wcoin(10n * CENT, at1, { outputType: "legacy", inputBytes: 148 }),
  ];
  const f = eligibilityFilter(1, 1, 0);
  const groups = groupOutputs(coins, p, [f]).byFilter.get(filterKey(f))!;
  assertEquals(groups.byType().map(([t]) => t), ["legacy", "bech32", "bech32m"]);
  const single = ok(await attemptSelection(5n * CENT, groups, p, false));
  assertEquals(single.inputs.map((c) => c.outputType), ["legacy"]);
  const none = await attemptSelection(15n * CENT, groups, p, false);
  assert(!none.ok);
  const mixed = ok(await attemptSelection(15n * CENT, groups, p, true));
  assertEquals(new Set(mixed.inputs.map((c) => c.outputType)).size, 3);
});

Deno.test("chooseSelectionResult: weight errors, CoinGrinder at high feerates, bump fee discounts", async () => {
  const lt = FeeRate.fromSatPerKvB(1000);
  const high = FeeRate.fromSatPerKvB(50_000);
  const coins = Array.from({ length: 6 }, (_, i) => wcoin(BigInt(i + 1) * CENT, high));
  const f = eligibilityFilter(0, 0, 0);
  const all =
    groupOutputs(coins, { longTermFeerate: lt, subtractFeeOutputs: false, avoidPartialSpends: false }, [f])
      .byFilter.get(filterKey(f))!.all;
  const p = coinSelectionParams({
    rng: seededRng(2),
    effectiveFeerate: high,
    longTermFeerate: lt,
    changeOutputSize: 31,
    changeFee: high.getFee(31),
    costOfChange: high.getFee(31) + lt.getFee(68),
    minChangeTarget: 60_000n,
    minViableChange: lt.getFee(68) + 1n,
    txNoInputsSize: 100,
  });
  const noRoom = await chooseSelectionResult(CENT, all, { ...p, maxTxWeight: 400 });
  assert(!noRoom.ok && noRoom.error === SELECTION_ERRORS.weightWithoutInputs);
  const noChange = await chooseSelectionResult(3n * CENT, all, {
    ...p,
    maxTxWeight: 401,
    changeOutputSize: 1000,
  });
  assert(!noChange.ok && noChange.error === SELECTION_ERRORS.weightWithoutChange);
  // At 50 sat/vB (over 3 × the long-term 1 sat/vB) CoinGrinder runs too; the least waste takes two inputs.
  const r = ok(await chooseSelectionResult(9n * CENT, all, p));
  assertEquals(r.size, 2);
  assert(r.hasWaste());

  const unconfirmed = [
    wcoin(4n * CENT, high, { depth: 0, fromMe: true }),
    wcoin(4n * CENT, high, { depth: 0, fromMe: true }),
  ];
  unconfirmed.forEach((c) => c.applyBumpFee(1000n));
  const ug =
    groupOutputs(unconfirmed, { longTermFeerate: lt, subtractFeeOutputs: false, avoidPartialSpends: false }, [
      f,
    ])
      .byFilter.get(filterKey(f))!.all;
  let asked: number[] = [];
  const discounted = ok(
    await chooseSelectionResult(6n * CENT, ug, p, {
      calculateCombinedBumpFee: (outpoints) => {
        asked.push(outpoints.length);
        return Promise.resolve(1200n);
      },
    }),
  );
  assert(asked.length > 0 && asked.every((n) => n === 2));
  assertEquals(discounted.totalBumpFees(), 1200n);
  asked = [];
  const refused = await chooseSelectionResult(6n * CENT, ug, p, {
    calculateCombinedBumpFee: () => undefined,
  });
  assert(!refused.ok && refused.error === SELECTION_ERRORS.bumpFees);
});

Deno.test("selectCoins: avoid-partial-spends spends every coin of a script, TRUC caps unconfirmed spends", async () => {
  const at1 = FeeRate.fromSatPerKvB(1000);
  const script = new Uint8Array([0x00, 0x14, ...new Uint8Array(20).fill(7)]);
  const reused = Array.from(
    { length: 3 },
    () => wcoin(CENT, at1, { txout: { value: CENT, scriptPubKey: script } }),
  );
  const other = wcoin(10n * CENT, at1);
  const p = coinSelectionParams({
    rng: seededRng(3),
    effectiveFeerate: at1,
    longTermFeerate: at1,
    avoidPartialSpends: true,
  });
  for (let i = 0; i < 5; i++) {
    const r = ok(await selectCoins({ available: [...reused, other], target: CENT / 2n, params: p }));
    const picked = new Set(r.inputs.map((c) => c.key));
    const fromScript = reused.filter((c) => picked.has(c.key)).length;
    assert(fromScript === 0 || fromScript === 3, `partial spend of a script: ${fromScript}`);
  }
  // Version 3 spending unconfirmed change: at most 1000 vB, so 20 × 68 vB inputs do not fit.
  const unconf = Array.from({ length: 20 }, () => wcoin(CENT, at1, { depth: 0, fromMe: true }));
  const truc = coinSelectionParams({
    rng: seededRng(3),
    effectiveFeerate: at1,
    longTermFeerate: at1,
    version: 3,
    maxTxWeight: 400_000,
  });
  const out = await selectCoins({ available: unconf, target: 19n * CENT, params: truc });
  assert(!out.ok);
  const v2 = ok(
    await selectCoins({ available: unconf, target: 19n * CENT, params: { ...truc, version: 2 } }),
  );
  assertEquals(v2.size, 20);
});

Deno.test("fundingFailureMessage: Core's wording for a failed selection", async () => {
  const at10 = FeeRate.fromSatPerKvB(10_000);
  const coins = [wcoin(100_000n, at10)];
  const p = coinSelectionParams({ rng: seededRng(3), effectiveFeerate: at10, longTermFeerate: at10 });
  const out = await selectCoins({ available: coins, target: 100_000n + 1000n, params: p });
  assert(!out.ok);
  assertEquals(
    fundingFailureMessage({
      outcome: out,
      available: coins,
      recipientsSum: 99_000n,
      selectionTarget: 101_000n,
    }),
    "The total exceeds your balance when the 0.00002 transaction fee is included.",
  );
  assertEquals(
    fundingFailureMessage({
      outcome: out,
      available: coins,
      recipientsSum: 200_000n,
      selectionTarget: 201_000n,
    }),
    "Insufficient funds",
  );
  assertEquals(
    fundingFailureMessage({
      outcome: { ok: false, error: "x" },
      available: coins,
      recipientsSum: 0n,
      selectionTarget: 0n,
    }),
    "x",
  );
});

Deno.test("selectCoins: package limits of 1 (equal filters share groups), bad input is refused clearly", async () => {
  const at1 = FeeRate.fromSatPerKvB(1000);
  const p = coinSelectionParams({ rng: seededRng(12), effectiveFeerate: at1, longTermFeerate: at1 });
  const confirmed = wcoin(CENT, at1);
  // The fixed step (0, 1, 2) admits up to 2 ancestors whatever the limits; 3 are too many here.
  const change = wcoin(5n * CENT, at1, { depth: 0, fromMe: true, ancestors: 3, clusterCount: 3 });
  const chain = { packageLimits: { ancestorCount: 1, descendantCount: 1 } };
  const out = await selectCoins({ available: [confirmed, change], target: 3n * CENT, params: p, chain });
  assert(!out.ok);
  assertEquals(out.error, SELECTION_ERRORS.longChain);
  const fresh = wcoin(5n * CENT, at1, { depth: 0, fromMe: true });
  const r = ok(await selectCoins({ available: [confirmed, fresh], target: 3n * CENT, params: p, chain }));
  assert(r.inputs.some((c) => c.key === fresh.key));

  const noFeerate = new Coin({
    outpoint: { txid: nextTxid(), vout: 1 },
    txout: { value: CENT, scriptPubKey: new Uint8Array() },
    depth: 6,
    inputBytes: 68,
  });
  await assertRejects(
    () => selectCoins({ available: [noFeerate], target: 1000n, params: p }),
    "no effective value",
  );
  await assertRejects(
    () => selectCoins({ available: [confirmed], presetInputs: [confirmed], target: 1000n, params: p }),
    "is listed twice",
  );
  await assertRejects(() => selectCoins({ available: [confirmed], target: -1n, params: p }), "target is -1");
  await assertRejects(
    () => selectCoins({ available: [confirmed], target: 1000n, params: { ...p, maxTxWeight: 1.5 } }),
    "maximum transaction weight is 1.5",
  );
  await assertRejects(
    () => selectCoins({ available: [confirmed], target: 1000n, params: { ...p, txNoInputsSize: -1 } }),
    "size without inputs is -1",
  );
});
