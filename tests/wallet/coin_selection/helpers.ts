/**
 * Builders for the coin selection tests, after the helpers of Core's coinselection_tests.cpp and
 * coinselector_tests.cpp: coins with distinct outpoints, groups of one coin, Core's test parameters.
 *
 * @module
 */

import { FeeRate } from "../../../node/policy/feerate.ts";
import {
  Coin,
  type CoinOptions,
  type CoinSelectionParams,
  coinSelectionParams,
  OutputGroup,
  seededRng,
} from "../../../wallet/coin_selection/mod.ts";

/** 0.01 BTC. */
export const CENT = 1_000_000n;
/** 1 BTC. */
export const COIN = 100_000_000n;
/** P2WPKH input vsize used by Core's tests. */
export const P2WPKH_INPUT_VSIZE = 68;
/** P2WPKH output size used by Core's tests. */
export const P2WPKH_OUTPUT_VSIZE = 31;

let counter = 0;

/** A fresh 32-byte txid (distinct for every call). */
export function nextTxid(): Uint8Array {
  const txid = new Uint8Array(32);
  new DataView(txid.buffer).setUint32(0, ++counter);
  return txid;
}

/** A coin with a fresh outpoint; other fields as given (depth 1, unknown size, fee 0 by default). */
export function coin(value: bigint, fields: Partial<CoinOptions> = {}): Coin {
  return new Coin({
    outpoint: { txid: nextTxid(), vout: 0 },
    txout: { value, scriptPubKey: new Uint8Array([0x00, 0x14, ...new Uint8Array(20)]) },
    depth: 1,
    inputBytes: -1,
    fee: fields.feerate === undefined ? 0n : undefined,
    ...fields,
  });
}

/** Core's coinselection_tests `init_cs_params`: P2WPKH change, LTFRE 10 sat/vB, discard 3 sat/vB. */
export function initCsParams(effFeerate = 5000, seed = 1): CoinSelectionParams {
  const effectiveFeerate = FeeRate.fromSatPerKvB(effFeerate);
  const discardFeerate = FeeRate.fromSatPerKvB(3000);
  const changeFee = effectiveFeerate.getFee(P2WPKH_OUTPUT_VSIZE);
  const minViableChange = discardFeerate.getFee(P2WPKH_INPUT_VSIZE);
  return coinSelectionParams({
    rng: seededRng(seed),
    changeOutputSize: P2WPKH_OUTPUT_VSIZE,
    changeSpendSize: P2WPKH_INPUT_VSIZE,
    minChangeTarget: 50_000n,
    effectiveFeerate,
    longTermFeerate: FeeRate.fromSatPerKvB(10_000),
    discardFeerate,
    txNoInputsSize: 11 + P2WPKH_OUTPUT_VSIZE,
    changeFee,
    minViableChange,
    costOfChange: minViableChange + changeFee,
  });
}

/**
 * Core's `MakeCoin`: a group of one coin whose effective value is `amount` (or whose value is, with
 * `isEffValue` false), spending size `vsize`, fee at the params' feerate, long-term fee at theirs.
 */
export function makeGroup(
  amount: bigint,
  options: { isEffValue?: boolean; params?: CoinSelectionParams; vsize?: number; depth?: number } = {},
): OutputGroup {
  const params = options.params ?? initCsParams();
  const vsize = options.vsize ?? P2WPKH_INPUT_VSIZE;
  const fee = params.effectiveFeerate.getFee(vsize);
  const value = amount + ((options.isEffValue ?? true) ? fee : 0n);
  const group = new OutputGroup({ longTermFeerate: params.longTermFeerate });
  group.insert(coin(value, { inputBytes: vsize, fee, depth: options.depth ?? 1 }));
  return group;
}

/** Groups of one coin for each effective value. */
export function makeGroups(
  amounts: readonly bigint[],
  params?: CoinSelectionParams,
  vsize?: number,
): OutputGroup[] {
  return amounts.map((a) => makeGroup(a, { params, vsize }));
}

/** The selected coins' values, sorted ascending (Core's `HaveEquivalentValues` compares these). */
export function values(coins: readonly Coin[]): bigint[] {
  return coins.map((c) => c.txout.value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A group of one coin made like Core's coinselector_tests `add_coin` into a `GroupCoins` group. */
export function groupOf(c: Coin, subtractFeeOutputs = false, longTermFeerate?: FeeRate): OutputGroup {
  const g = new OutputGroup({ subtractFeeOutputs, longTermFeerate });
  g.insert(c);
  return g;
}
