/** Single Random Draw, with the scenarios of Core's srd_test (ten feerates, several seeds). */
import { assert, assertEquals } from "../../assert.ts";
import {
  CHANGE_LOWER,
  type CoinSelectionParams,
  ERR_MAX_WEIGHT_EXCEEDED,
  type OutputGroup,
  selectCoinsSRD,
} from "../../../wallet/coin_selection/mod.ts";
import { CENT, initCsParams, makeGroup, makeGroups, P2WPKH_INPUT_VSIZE } from "./helpers.ts";

const MAX = 400_000;
const FEERATES = [0, 1, 99, 100, 315, 1_000, 2_345, 10_292, 59_764, 1_500_000];

function expectSuccess(
  title: string,
  pool: OutputGroup[],
  target: bigint,
  p: CoinSelectionParams,
  maxWeight = MAX,
) {
  const outcome = selectCoinsSRD(pool, target, p.changeFee, p.rng, maxWeight);
  assert(outcome.ok, `SRD failed: ${title}`);
  const min = target + p.changeFee + CHANGE_LOWER;
  assert(outcome.result.selectedEffectiveValue() >= min, `${title}: selected too little`);
  assert(outcome.result.weight <= maxWeight, `${title}: too heavy`);
  assertEquals(outcome.result.algorithm, "srd");
  assertEquals(outcome.result.target, target);
}

function expectFailure(
  title: string,
  pool: OutputGroup[],
  target: bigint,
  p: CoinSelectionParams,
  maxWeight = MAX,
) {
  const outcome = selectCoinsSRD(pool, target, p.changeFee, p.rng, maxWeight);
  assert(!outcome.ok, `SRD should fail: ${title}`);
  return outcome.error;
}

for (const feerate of FEERATES) {
  Deno.test(`srd: Core's srd_test scenarios at ${feerate} sat/kvB`, () => {
    for (let seed = 1; seed <= 5; seed++) {
      const p = initCsParams(feerate, seed);
      const pool: OutputGroup[] = [];
      assertEquals(expectFailure("Empty UTXO pool", pool, CENT, p), undefined);
      pool.push(...makeGroups([1n * CENT, 3n * CENT, 5n * CENT], p));
      expectSuccess("Select 21k sats", pool, 21_000n, p);
      expectSuccess("Select 1 CENT", pool, CENT, p);
      expectSuccess("Select 3.125 CENT", pool, 3_125_000n, p);
      expectSuccess("Select 4 CENT", pool, 4n * CENT, p);
      expectSuccess("Select 7 CENT", pool, 7n * CENT, p);
      expectSuccess("Create minimum change", pool, 9n * CENT - p.changeFee - CHANGE_LOWER, p);
      expectFailure(
        "Undershoot minimum change by one sat",
        pool,
        9n * CENT - p.changeFee - CHANGE_LOWER + 1n,
        p,
      );
      expectFailure("Spend more than available", pool, 9n * CENT + 1n, p);
      expectFailure("Spend everything", pool, 9n * CENT, p);

      for (let i = 0; i < 100; i++) pool.push(makeGroup(5n * CENT, { params: p }));
      for (let i = 0; i < 3; i++) pool.push(makeGroup(7n * CENT, { params: p }));
      expectSuccess("Select most valuable UTXOs for acceptable weight", pool, 20n * CENT, p, 4 * 4 * 67);
      assertEquals(
        expectFailure("No acceptable weight possible", pool, 25n * CENT, p, 4 * 3 * P2WPKH_INPUT_VSIZE),
        ERR_MAX_WEIGHT_EXCEEDED,
      );
      const mixed: OutputGroup[] = [];
      for (let i = 0; i < 100; i++) mixed.push(makeGroup(5n * CENT, { params: p }));
      mixed.push(makeGroup(5n * CENT, { params: p, vsize: P2WPKH_INPUT_VSIZE - 1 }));
      expectSuccess("Tie-break same effective value with lower weight", mixed, 9n * CENT, p, 4 * 3 * 67);
    }
  });
}

Deno.test("srd: dropping for weight removes the least valuable group first, the heaviest among equals", () => {
  const p = initCsParams(5000, 9);
  // Two 5 CENT groups, one lighter; room for two inputs of which one must be the light one; a 7 CENT group.
  const light = makeGroup(5n * CENT, { params: p, vsize: 60 });
  const heavy = makeGroup(5n * CENT, { params: p, vsize: 80 });
  const seven = makeGroup(7n * CENT, { params: p });
  for (let seed = 1; seed <= 20; seed++) {
    const q = initCsParams(5000, seed);
    const out = selectCoinsSRD([light, heavy, seven], 11n * CENT, q.changeFee, q.rng, 4 * (60 + 68));
    assert(out.ok);
    const keys = out.result.inputs.map((c) => c.key).sort();
    assertEquals(keys, [light.outputs[0].key, seven.outputs[0].key].sort());
  }
});
