/**
 * Properties (fast-check): BnB and CoinGrinder agree with brute force on small pools (least waste in the
 * changeless window; least weight with change), every successful selection covers its target plus input fees
 * within the weight limit, BnB results make no change, and the waste is what its definition says.
 */
import fc from "fast-check";
import { assert, assertEquals } from "../../assert.ts";
import { FeeRate } from "../../../node/policy/feerate.ts";
import {
  CHANGE_LOWER,
  Coin,
  coinGrinder,
  coinSelectionParams,
  knapsackSolver,
  OutputGroup,
  seededRng,
  selectCoins,
  selectCoinsBnB,
  selectCoinsSRD,
  type SelectionResult,
} from "../../../wallet/coin_selection/mod.ts";
import { nextTxid } from "./helpers.ts";

const arbCoin = fc.record({
  value: fc.integer({ min: 1000, max: 2_000_000 }),
  vsize: fc.constantFrom(57, 68, 91, 148),
  depth: fc.integer({ min: 0, max: 10 }),
  fromMe: fc.boolean(),
});
const arbFeerate = fc.integer({ min: 0, max: 60_000 });

function makeCoins(
  specs: { value: number; vsize: number; depth: number; fromMe: boolean }[],
  feerate: FeeRate,
) {
  return specs.map((s) =>
    new Coin({
      outpoint: { txid: nextTxid(), vout: 0 },
      txout: { value: BigInt(s.value), scriptPubKey: new Uint8Array([0x51]) },
      depth: s.depth,
      inputBytes: s.vsize,
      fromMe: s.fromMe,
      feerate,
      outputType: "bech32",
    })
  );
}

function groupsOf(coins: Coin[], longTerm: FeeRate): OutputGroup[] {
  return coins.map((c) => {
    const g = new OutputGroup({ longTermFeerate: longTerm });
    g.insert(c);
    return g;
  });
}

/** All subsets of the pool (n ≤ 10) as index lists. */
function* subsets(n: number): Generator<number[]> {
  for (let mask = 1; mask < 1 << n; mask++) {
    const s: number[] = [];
    for (let i = 0; i < n; i++) if (mask & (1 << i)) s.push(i);
    yield s;
  }
}

Deno.test("property: BnB finds the least-waste changeless set among those it may evaluate, as brute force does", () => {
  let found = 0;
  fc.assert(
    fc.property(
      fc.array(arbCoin, { minLength: 1, maxLength: 10 }),
      arbFeerate,
      fc.integer({ min: 1, max: 20_000 }),
      fc.integer({ min: 0, max: 50_000 }),
      fc.integer({ min: 1000, max: 5_000_000 }),
      fc.integer({ min: 272, max: 4000 }),
      fc.boolean(),
      (specs, feerate, longTerm, costOfChange, target, weightLimit, uniform) => {
        // Like Core, BnB skips a group whose amount equals an omitted predecessor's (sorted lower waste first),
        // which can miss a lighter twin when the weight limit rejected the heavier one. Brute force agrees
        // exactly with uniform input sizes under a weight limit, or with any sizes without one.
        const maxWeight = uniform ? weightLimit : 400_000;
        const sized = uniform ? specs.map((x) => ({ ...x, vsize: 68 })) : specs;
        const eff = FeeRate.fromSatPerKvB(feerate);
        const lt = FeeRate.fromSatPerKvB(longTerm);
        const pool = groupsOf(makeCoins(sized, eff), lt).filter((g) => g.selectionAmount() > 0n);
        let bestWaste: bigint | undefined;
        for (const s of subsets(pool.length)) {
          const amount = s.reduce((a, i) => a + pool[i].selectionAmount(), 0n);
          const weight = s.reduce((a, i) => a + pool[i].weight, 0);
          if (amount < BigInt(target) || amount > BigInt(target + costOfChange) || weight > maxWeight) {
            continue;
          }
          // Core's BnB stops adding once the target is reached (SHIFT), so it never evaluates a set that still
          // reaches the target without its smallest member — even where that set's lower fees would win.
          const smallest = s.reduce(
            (m, i) => (pool[i].selectionAmount() < m ? pool[i].selectionAmount() : m),
            amount,
          );
          if (amount - smallest >= BigInt(target)) continue;
          const waste = s.reduce((a, i) => a + pool[i].fee - pool[i].longTermFee, 0n) + amount -
            BigInt(target);
          if (bestWaste === undefined || waste < bestWaste) bestWaste = waste;
        }
        const out = selectCoinsBnB(pool, BigInt(target), BigInt(costOfChange), maxWeight);
        assertEquals(out.ok, bestWaste !== undefined);
        if (!out.ok) return;
        found++;
        const r = out.result;
        const eff2 = r.selectedEffectiveValue();
        assert(eff2 >= BigInt(target) && eff2 <= BigInt(target + costOfChange) && r.weight <= maxWeight);
        const waste = r.inputs.reduce((a, c) => a + c.fee - c.longTermFee, 0n) + eff2 - BigInt(target);
        assertEquals(waste, bestWaste);
      },
    ),
    { numRuns: 500 },
  );
  assert(found > 20, `only ${found} BnB solutions`);
});

Deno.test("property: CoinGrinder finds the least weight that funds target plus change, as brute force does", () => {
  let found = 0;
  fc.assert(
    fc.property(
      fc.array(arbCoin, { minLength: 1, maxLength: 10 }),
      arbFeerate,
      fc.integer({ min: 1000, max: 5_000_000 }),
      fc.integer({ min: 0, max: 100_000 }),
      fc.integer({ min: 272, max: 4000 }),
      (specs, feerate, target, changeTarget, maxWeight) => {
        const pool = groupsOf(makeCoins(specs, FeeRate.fromSatPerKvB(feerate)), FeeRate.empty())
          .filter((g) => g.selectionAmount() > 0n);
        let bestWeight: number | undefined;
        for (const s of subsets(pool.length)) {
          const amount = s.reduce((a, i) => a + pool[i].selectionAmount(), 0n);
          const weight = s.reduce((a, i) => a + pool[i].weight, 0);
          if (amount < BigInt(target + changeTarget) || weight > maxWeight) continue;
          if (bestWeight === undefined || weight < bestWeight) bestWeight = weight;
        }
        const out = coinGrinder(pool, BigInt(target), BigInt(changeTarget), maxWeight);
        assertEquals(out.ok, bestWeight !== undefined);
        if (!out.ok) return;
        found++;
        assertEquals(out.result.weight, bestWeight);
        assert(out.result.selectedEffectiveValue() >= BigInt(target + changeTarget));
      },
    ),
    { numRuns: 500 },
  );
  assert(found > 50, `only ${found} CoinGrinder solutions`);
});

Deno.test("property: Knapsack and SRD results cover their targets within the weight limit", () => {
  fc.assert(
    fc.property(
      fc.array(arbCoin, { minLength: 0, maxLength: 40 }),
      arbFeerate,
      fc.integer({ min: 1, max: 10_000_000 }),
      fc.integer({ min: 0, max: 100_000 }),
      fc.integer({ min: 0, max: 20_000 }),
      fc.integer({ min: 272, max: 400_000 }),
      fc.integer(),
      (specs, feerate, target, changeTarget, changeFee, maxWeight, seed) => {
        const eff = FeeRate.fromSatPerKvB(feerate);
        const all = groupsOf(makeCoins(specs, eff), eff);
        const positive = all.filter((g) => g.selectionAmount() > 0n);
        const rng = seededRng(seed);
        const k = knapsackSolver(all, BigInt(target), BigInt(changeTarget), rng, maxWeight);
        if (k.ok) {
          assert(k.result.selectedEffectiveValue() >= BigInt(target));
          assert(k.result.weight <= maxWeight);
        }
        // With positive amounts only, Knapsack fails only when the eligible weight-fitting total is too small.
        const pk = knapsackSolver(positive, BigInt(target), BigInt(changeTarget), rng, maxWeight);
        const fitting = positive.filter((g) => g.weight <= maxWeight);
        const light = fitting.reduce((a, g) => a + g.selectionAmount(), 0n);
        const fitsAll = fitting.reduce((a, g) => a + g.weight, 0) <= maxWeight;
        if (fitsAll) assertEquals(pk.ok, light >= BigInt(target));
        const s = selectCoinsSRD(positive, BigInt(target), BigInt(changeFee), rng, maxWeight);
        if (s.ok) {
          assert(s.result.selectedEffectiveValue() >= BigInt(target + changeFee) + CHANGE_LOWER);
          assert(s.result.weight <= maxWeight);
        } else if (positive.reduce((a, g) => a + g.weight, 0) <= maxWeight) {
          assert(light < BigInt(target + changeFee) + CHANGE_LOWER);
        }
      },
    ),
    { numRuns: 500 },
  );
});

function checkWaste(
  r: SelectionResult,
  minViableChange: bigint,
  costOfChange: bigint,
  changeFee: bigint,
): void {
  const inputs = r.inputs;
  const feeDiff = inputs.reduce((a, c) => a + c.fee - c.longTermFee, 0n);
  const selectedValue = r.useEffective ? r.selectedEffectiveValue() : r.selectedValue();
  const change = r.useEffective ? selectedValue - r.target - changeFee : selectedValue - r.target;
  const expected = change >= minViableChange ? feeDiff + costOfChange : feeDiff + selectedValue - r.target;
  assertEquals(r.waste, expected);
}

Deno.test("property: selectCoins covers target and input fees, respects the weight, BnB makes no change", async () => {
  const algorithms = new Set<string>();
  await fc.assert(
    fc.asyncProperty(
      fc.array(arbCoin, { minLength: 1, maxLength: 60 }),
      fc.integer({ min: 1000, max: 60_000 }),
      fc.integer({ min: 1000, max: 20_000 }),
      fc.integer({ min: 5000, max: 30_000_000 }),
      fc.boolean(),
      fc.integer(),
      async (specs, feerate, longTerm, target, sffo, seed) => {
        const eff = FeeRate.fromSatPerKvB(feerate);
        const discard = FeeRate.fromSatPerKvB(3000);
        const changeFee = eff.getFee(31);
        const spendFee = discard.getFee(68);
        const params = coinSelectionParams({
          rng: seededRng(seed),
          changeOutputSize: 31,
          changeSpendSize: 68,
          effectiveFeerate: eff,
          longTermFeerate: FeeRate.fromSatPerKvB(longTerm),
          discardFeerate: discard,
          changeFee,
          costOfChange: changeFee + spendFee,
          minViableChange: spendFee + 1n,
          minChangeTarget: changeFee + 50_000n,
          txNoInputsSize: 10 + 1 + 31,
          subtractFeeOutputs: sffo,
        });
        const coins = makeCoins(specs, eff);
        const out = await selectCoins({ available: coins, target: BigInt(target), params });
        if (!out.ok) {
          // Only when the eligible coins cannot reach the target.
          const reachable = coins.filter((c) => c.depth >= 1 || (c.fromMe && c.depth >= 0));
          const total = reachable.reduce((a, c) => a + (sffo ? c.value : c.effectiveValue), 0n);
          const weight = reachable.reduce((a, c) => a + c.inputBytes * 4, 0);
          if (weight + 4 * (42 + 31) <= 400_000 && !sffo) {
            assert(total < BigInt(target), out.error ?? "insufficient");
          }
          return;
        }
        const r = out.result;
        algorithms.add(r.algorithm);
        const covered = sffo ? r.selectedValue() : r.selectedEffectiveValue();
        assert(covered >= BigInt(target));
        assert(r.weight <= 400_000 - 4 * 42);
        checkWaste(r, params.minViableChange, params.costOfChange, params.changeFee);
        if (r.algorithm === "bnb") assertEquals(r.getChange(params.minViableChange, params.changeFee), 0n);
      },
    ),
    { numRuns: 150 },
  );
  assert(algorithms.size >= 3, [...algorithms].join());
});
