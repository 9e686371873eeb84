/**
 * Core's selection driver (wallet/spend.cpp): `ChooseSelectionResult` runs every applicable algorithm and keeps
 * the least waste, `AttemptSelection` tries each output type alone before mixing, `AutomaticCoinSelection`
 * walks the eligibility filter ladder, and `SelectCoins` adds preset (coin control) inputs. Also the message
 * `CreateTransactionInternal` gives when nothing can be selected.
 *
 * @module
 */

import { formatMoney } from "../../node/policy/money.ts";
import { MAX_STANDARD_TX_WEIGHT } from "../../node/policy/policy.ts";
import type { FeeRate } from "../../node/policy/feerate.ts";
import type { OutPoint } from "../../core/wire/types.ts";
import { selectCoinsBnB } from "./bnb.ts";
import type { Coin } from "./coin.ts";
import { coinGrinder } from "./coin_grinder.ts";
import { coinEligibilityFilters, filterKey } from "./eligibility.ts";
import { knapsackSolver } from "./knapsack.ts";
import {
  groupOutputs,
  type Groups,
  OUTPUT_GROUP_MAX_ENTRIES,
  type OutputGroupTypeMap,
} from "./output_group.ts";
import {
  type CoinSelectionParams,
  TRUC_CHILD_MAX_WEIGHT,
  TRUC_VERSION,
  WITNESS_SCALE_FACTOR,
} from "./params.ts";
import { shuffle } from "./rng.ts";
import { bestResult, failed, selected, type SelectionOutcome, SelectionResult } from "./selection_result.ts";
import { selectCoinsSRD } from "./srd.ts";

/** Core's messages from the selection driver. */
export const SELECTION_ERRORS = {
  weightWithoutInputs: "Maximum transaction weight is less than transaction weight without inputs",
  weightWithoutChange: "Maximum transaction weight is too low, can not accommodate change output",
  bumpFees:
    "Failed to calculate bump fees, because unconfirmed UTXOs depend on an enormous cluster of unconfirmed transactions.",
  presetInsufficient: "The preselected coins total amount does not cover the transaction target. " +
    "Please allow other inputs to be automatically selected or include more coins manually",
  presetWeight:
    "The combination of the pre-selected inputs and the wallet automatic inputs selection exceeds the " +
    "transaction maximum weight. Please try sending a smaller amount or manually consolidating your wallet's UTXOs",
  longChain:
    "Unconfirmed UTXOs are available, but spending them creates a chain of transactions that will be " +
    "rejected by the mempool",
  emptyTarget:
    "Transaction requires one destination of non-zero value, a non-zero feerate, or a pre-selected input",
  insufficientFunds: "Insufficient funds",
} as const;

/** What the selection asks of the node (Core's `interfaces::Chain`), all optional. */
export interface SelectionChain {
  /**
   * Fee to bump the unconfirmed ancestry of these outpoints together to `feerate`; undefined when the cluster
   * is too large to compute (Core's `calculateCombinedBumpFee`). Without it, no group discount is applied.
   */
  calculateCombinedBumpFee?(
    outpoints: OutPoint[],
    feerate: FeeRate,
  ): bigint | undefined | Promise<bigint | undefined>;
  /** Mempool ancestor and descendant count limits (Core's `getPackageLimits`; default 25 and 25). */
  packageLimits?: { ancestorCount: number; descendantCount: number };
}

/**
 * Core's `ChooseSelectionResult`: BnB (unless subtracting fees), Knapsack, CoinGrinder (when the feerate exceeds
 * three times the long-term feerate) and SRD over one set of groups, each result's waste computed after the
 * bump fee discount of shared ancestry, and the least waste chosen (ties: more inputs). Fails with the first
 * specific error of an algorithm, or plainly.
 */
export async function chooseSelectionResult(
  target: bigint,
  groups: Groups,
  params: CoinSelectionParams,
  chain: SelectionChain = {},
): Promise<SelectionOutcome> {
  const results: SelectionResult[] = [];
  const errors: string[] = [];
  const take = (outcome: SelectionOutcome) => {
    if (outcome.ok) results.push(outcome.result);
    else if (outcome.error !== undefined) errors.push(outcome.error);
  };

  const maxTxWeight = params.maxTxWeight ?? MAX_STANDARD_TX_WEIGHT;
  for (
    const [name, v] of [
      ["maximum transaction weight", maxTxWeight],
      ["size without inputs", params.txNoInputsSize],
      ["change output size", params.changeOutputSize],
    ] as const
  ) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`Cannot select coins: ${name} is ${v}`);
  }
  let maxSelectionWeight = maxTxWeight - params.txNoInputsSize * WITNESS_SCALE_FACTOR;
  if (maxSelectionWeight <= 0) return failed(SELECTION_ERRORS.weightWithoutInputs);

  // Subtracting fees from outputs and changeless input sets do not go together: no BnB then.
  if (!params.subtractFeeOutputs) {
    take(selectCoinsBnB(groups.positive, target, params.costOfChange, maxSelectionWeight));
  }
  // The other algorithms may create change.
  maxSelectionWeight -= params.changeOutputSize * WITNESS_SCALE_FACTOR;
  if (maxSelectionWeight < 0 && results.length === 0) return failed(SELECTION_ERRORS.weightWithoutChange);

  take(knapsackSolver(groups.mixed, target, params.minChangeTarget, params.rng, maxSelectionWeight));
  if (params.effectiveFeerate.gt(params.longTermFeerate.times(3))) {
    const cg = coinGrinder(groups.positive, target, params.minChangeTarget, maxSelectionWeight);
    if (cg.ok) cg.result.recalculateWaste(params.minViableChange, params.costOfChange, params.changeFee);
    take(cg);
  }
  take(selectCoinsSRD(groups.positive, target, params.changeFee, params.rng, maxSelectionWeight));

  if (results.length === 0) return failed(errors[0]);

  for (const result of results) {
    const outpoints: OutPoint[] = [];
    let summedBumpFees = 0n;
    for (const coin of result.inputs) {
      if (coin.depth > 0) continue;
      outpoints.push(coin.outpoint);
      summedBumpFees += coin.ancestorBumpFees;
    }
    if (outpoints.length > 0 && chain.calculateCombinedBumpFee !== undefined) {
      const combined = await chain.calculateCombinedBumpFee(outpoints, params.effectiveFeerate);
      if (combined === undefined) return failed(SELECTION_ERRORS.bumpFees);
      const overestimate = summedBumpFees - combined;
      if (overestimate > 0n) result.setBumpFeeDiscount(overestimate);
    }
    result.recalculateWaste(params.minViableChange, params.costOfChange, params.changeFee);
  }
  return selected(bestResult(results));
}

/**
 * Core's `AttemptSelection`: {@link chooseSelectionResult} per output type and the least waste among them; if no
 * single type suffices and mixing is allowed, once more over all types together.
 */
export async function attemptSelection(
  target: bigint,
  groups: OutputGroupTypeMap,
  params: CoinSelectionParams,
  allowMixedOutputTypes: boolean,
  chain: SelectionChain = {},
): Promise<SelectionOutcome> {
  const results: SelectionResult[] = [];
  for (const [, typed] of groups.byType()) {
    const outcome = await chooseSelectionResult(target, typed, params, chain);
    if (!outcome.ok && outcome.error !== undefined) return outcome;
    if (outcome.ok) results.push(outcome.result);
  }
  if (results.length > 0) return selected(bestResult(results));
  if (allowMixedOutputTypes && groups.typesCount() > 1) {
    return await chooseSelectionResult(target, groups.all, params, chain);
  }
  return failed();
}

/** Options of {@link automaticCoinSelection} beyond the coins, the target and the parameters. */
export interface AutomaticSelectionOptions {
  /** The node's limits and bump fee calculation. */
  chain?: SelectionChain;
  /** `-spendzeroconfchange` (default true). */
  spendZeroConfChange?: boolean;
  /** `-walletrejectlongchains` (default true). */
  rejectLongChains?: boolean;
}

function totalAmount(coins: readonly Coin[]): bigint {
  let sum = 0n;
  for (const c of coins) sum += c.txout.value;
  return sum;
}

/** Core's `GetAppropriateTotal`: raw values with subtract-fee, else effective values (undefined if none known). */
function appropriateTotal(coins: readonly Coin[], subtractFeeOutputs: boolean): bigint | undefined {
  if (subtractFeeOutputs) return totalAmount(coins);
  let sum: bigint | undefined;
  for (const c of coins) if (c.hasEffectiveValue()) sum = (sum ?? 0n) + c.effectiveValue;
  return sum;
}

/**
 * Core's `AutomaticCoinSelection`: groups the coins under each filter of the ladder
 * ({@link coinEligibilityFilters}), fails early when the eligible total cannot reach `valueToSelect` (with the
 * long-chain message when only too-long unconfirmed chains would), then tries the filters in order.
 */
export async function automaticCoinSelection(
  available: readonly Coin[],
  valueToSelect: bigint,
  params: CoinSelectionParams,
  options: AutomaticSelectionOptions = {},
): Promise<SelectionOutcome> {
  const chain = options.chain ?? {};
  const maxAncestors = Math.max(1, chain.packageLimits?.ancestorCount ?? 25);
  const maxClusterCount = Math.max(1, chain.packageLimits?.descendantCount ?? 25);
  let coins = available;
  // With 101+ outputs to one destination, shuffle so that groups are not formed in a predictable order.
  if (params.avoidPartialSpends && coins.length > OUTPUT_GROUP_MAX_ENTRIES) {
    const copy = [...coins];
    shuffle(copy, params.rng);
    coins = copy;
  }
  const filters = coinEligibilityFilters({
    ancestorLimit: maxAncestors,
    descendantLimit: maxClusterCount,
    spendZeroConfChange: options.spendZeroConfChange,
    includeUnsafeInputs: params.includeUnsafeInputs,
    rejectLongChains: options.rejectLongChains,
  });
  const { byFilter, discarded } = groupOutputs(coins, params, filters.map((f) => f.filter));

  let totalDiscarded = 0n;
  let totalUnconfLongChain = 0n;
  for (const group of discarded) {
    totalDiscarded += group.selectionAmount();
    if (group.ancestors >= maxAncestors || group.maxClusterCount >= maxClusterCount) {
      totalUnconfLongChain += group.selectionAmount();
    }
  }
  const total = totalAmount(coins) - totalDiscarded;
  if (total < valueToSelect) {
    if (total + totalUnconfLongChain > valueToSelect) return failed(SELECTION_ERRORS.longChain);
    return failed();
  }

  const detailed: string[] = [];
  let stepParams = params;
  for (const step of filters) {
    const groups = byFilter.get(filterKey(step.filter));
    if (groups === undefined) continue;
    if (stepParams.version === TRUC_VERSION && (step.filter.confMine === 0 || step.filter.confTheirs === 0)) {
      if (stepParams.maxTxWeight !== undefined && stepParams.maxTxWeight > TRUC_CHILD_MAX_WEIGHT) {
        stepParams = { ...stepParams, maxTxWeight: TRUC_CHILD_MAX_WEIGHT };
      }
    }
    const outcome = await attemptSelection(
      valueToSelect,
      groups,
      stepParams,
      step.allowMixedOutputTypes,
      chain,
    );
    if (outcome.ok) return outcome;
    if (outcome.error !== undefined) detailed.push(outcome.error);
  }
  return failed(detailed[0]);
}

/** Options of {@link selectCoins}. */
export interface SelectCoinsOptions extends AutomaticSelectionOptions {
  /**
   * The wallet's spendable coins (Core's `AvailableCoins`: unspent, unlocked, safe unless allowed, not the
   * preset ones), each made with the effective feerate so that it has an effective value.
   */
  available: readonly Coin[];
  /** Coins the user chose (coin control), spent whatever the algorithms decide. */
  presetInputs?: readonly Coin[];
  /** Recipients plus non-input fees (see `makeCoinSelectionParams`). */
  target: bigint;
  /** The selection parameters. */
  params: CoinSelectionParams;
  /** Coin control's `m_allow_other_inputs` (default true): may coins beyond the preset ones be added. */
  allowOtherInputs?: boolean;
}

/**
 * Core's `SelectCoins`: the target less the preset inputs' (effective, or raw with subtract-fee) total; the
 * preset inputs alone ("manual") when they cover it; else an automatic selection for the rest, merged with the
 * preset inputs and checked against the maximum weight. A failure without `error` means insufficient funds; see
 * {@link fundingFailureMessage} for the message the wallet shows.
 */
export async function selectCoins(options: SelectCoinsOptions): Promise<SelectionOutcome> {
  const { available, target, params } = options;
  const preset = options.presetInputs ?? [];
  const allowOtherInputs = options.allowOtherInputs ?? true;
  if (target < 0n) throw new RangeError(`Cannot select coins: target is ${target}`);
  if (target === 0n && preset.length === 0) return failed(SELECTION_ERRORS.emptyTarget);
  const seen = new Set<string>();
  for (const c of [...preset, ...available]) {
    if (seen.has(c.key)) throw new RangeError(`Cannot select coins: coin ${c.key} is listed twice`);
    if (!c.hasEffectiveValue()) {
      throw new RangeError(`Cannot select coins: coin ${c.key} has no effective value (no feerate given)`);
    }
    seen.add(c.key);
  }

  const presetTotal = appropriateTotal(preset, params.subtractFeeOutputs);
  const selectionTarget = target - (presetTotal ?? 0n);
  if (!allowOtherInputs && selectionTarget > 0n) return failed(SELECTION_ERRORS.presetInsufficient);
  if (selectionTarget <= 0n) {
    const result = new SelectionResult(target, "manual");
    result.addInputs(preset, params.subtractFeeOutputs);
    result.recalculateWaste(params.minViableChange, params.costOfChange, params.changeFee);
    return selected(result);
  }
  if (selectionTarget > (appropriateTotal(available, params.subtractFeeOutputs) ?? 0n)) return failed();

  const outcome = await automaticCoinSelection(available, selectionTarget, params, options);
  if (!outcome.ok) return outcome;
  if (preset.length > 0) {
    const manual = new SelectionResult(presetTotal!, "manual");
    manual.addInputs(preset, params.subtractFeeOutputs);
    const result = outcome.result;
    result.merge(manual);
    result.recalculateWaste(params.minViableChange, params.costOfChange, params.changeFee);
    const maxInputsWeight = (params.maxTxWeight ?? MAX_STANDARD_TX_WEIGHT) -
      params.txNoInputsSize * WITNESS_SCALE_FACTOR;
    if (result.weight > maxInputsWeight) return failed(SELECTION_ERRORS.presetWeight);
  }
  return outcome;
}

/** What {@link fundingFailureMessage} needs. */
export interface FundingFailure {
  /** The failed outcome of {@link selectCoins}. */
  outcome: SelectionOutcome & { ok: false };
  /** The preset inputs given to the selection. */
  presetInputs?: readonly Coin[];
  /** The available coins given to the selection. */
  available: readonly Coin[];
  /** Sum of the recipient amounts. */
  recipientsSum: bigint;
  /** The selection target (recipients plus non-input fees). */
  selectionTarget: bigint;
}

/**
 * The message Core's `CreateTransactionInternal` reports for a failed selection: the specific error if any;
 * "The total exceeds your balance when the X transaction fee is included." when the balance covers the
 * recipients but not with fees; else "Insufficient funds".
 */
export function fundingFailureMessage(failure: FundingFailure): string {
  if (failure.outcome.error !== undefined) return failure.outcome.error;
  const preset = failure.presetInputs ?? [];
  const balance = totalAmount(preset) + totalAmount(failure.available);
  if (balance >= failure.recipientsSum) {
    const effective = (appropriateTotal(preset, false) ?? 0n) +
      (appropriateTotal(failure.available, false) ?? 0n);
    if (effective < failure.selectionTarget) {
      return `The total exceeds your balance when the ${
        formatMoney(failure.selectionTarget - failure.recipientsSum)
      } transaction fee is included.`;
    }
  }
  return SELECTION_ERRORS.insufficientFunds;
}
