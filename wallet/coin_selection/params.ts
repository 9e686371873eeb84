/**
 * Coin selection parameters (Core's `CoinSelectionParams`) and how Core's `CreateTransactionInternal` derives
 * them from the recipients, the change output and the feerates (change fee, cost of change, minimum viable
 * change, randomized change target, size without inputs, selection target), plus `GenerateChangeTarget`.
 *
 * @module
 */

import { FeeRate } from "../../node/policy/feerate.ts";
import { MAX_STANDARD_TX_WEIGHT, MIN_STANDARD_TX_NONWITNESS_SIZE } from "../../node/policy/policy.ts";
import { cryptoRng, type SelectionRng } from "./rng.ts";

/** Lower bound of the randomly chosen change target, satoshis (Core's `CHANGE_LOWER`). */
export const CHANGE_LOWER = 50_000n;
/** Upper bound of the randomly chosen change target, satoshis (Core's `CHANGE_UPPER`). */
export const CHANGE_UPPER = 1_000_000n;
/** Assumed vsize to spend a change output the wallet cannot size (Core's `DUMMY_NESTED_P2WPKH_INPUT_SIZE`). */
export const DUMMY_NESTED_P2WPKH_INPUT_SIZE = 91;
/** Weight units per virtual byte. */
export const WITNESS_SCALE_FACTOR = 4;
/** Transaction version Core creates by default (`CTransaction::CURRENT_VERSION`). */
export const CURRENT_TX_VERSION = 2;
/** TRUC (version 3) transactions. */
export const TRUC_VERSION = 3;
/** Largest weight of a TRUC child (1000 vB), the cap when a TRUC transaction spends unconfirmed coins. */
export const TRUC_CHILD_MAX_WEIGHT = 1000 * WITNESS_SCALE_FACTOR;

/** Parameters of one coin selection (Core's `CoinSelectionParams`). Amounts in satoshis. */
export interface CoinSelectionParams {
  /** Randomness (shuffles, Knapsack, SRD, change target). */
  rng: SelectionRng;
  /** Size of a change output, bytes (by change output type). */
  changeOutputSize: number;
  /** Virtual size of the input that will spend the change output. */
  changeSpendSize: number;
  /** Minimum change Knapsack and CoinGrinder aim for (Core's `m_min_change_target`). */
  minChangeTarget: bigint;
  /** Smallest change worth creating; less goes to fees (Core's `min_viable_change`). */
  minViableChange: bigint;
  /** Fee of adding the change output at the effective feerate (Core's `m_change_fee`). */
  changeFee: bigint;
  /** Change fee plus the cost of spending the change later (Core's `m_cost_of_change`; BnB's window). */
  costOfChange: bigint;
  /** Feerate of the transaction being built. */
  effectiveFeerate: FeeRate;
  /** Feerate to expect for spending later (the wallet's consolidate feerate). */
  longTermFeerate: FeeRate;
  /** Feerate under which change is dropped to fees (Core's `m_discard_feerate`). */
  discardFeerate: FeeRate;
  /** Size of the transaction without inputs and change: header and recipient outputs, vbytes. */
  txNoInputsSize: number;
  /** The fee is subtracted from recipient outputs (selection then uses raw values, BnB is skipped). */
  subtractFeeOutputs: boolean;
  /** Spend all or none of the outputs paid to one script (groups of up to 100). */
  avoidPartialSpends: boolean;
  /** Allow unsafe (unconfirmed from others, replaced) coins in the last filter step. */
  includeUnsafeInputs: boolean;
  /** Version of the transaction being built (3 = TRUC caps the weight when spending unconfirmed coins). */
  version: number;
  /** Maximum transaction weight; undefined means `MAX_STANDARD_TX_WEIGHT`. */
  maxTxWeight?: number;
}

/**
 * Parameters with Core's defaults (zero sizes and amounts, empty feerates, version 2, no maximum weight, the
 * crypto rng) overridden by `fields`.
 */
export function coinSelectionParams(fields: Partial<CoinSelectionParams> = {}): CoinSelectionParams {
  return {
    rng: cryptoRng(),
    changeOutputSize: 0,
    changeSpendSize: 0,
    minChangeTarget: 0n,
    minViableChange: 0n,
    changeFee: 0n,
    costOfChange: 0n,
    effectiveFeerate: FeeRate.empty(),
    longTermFeerate: FeeRate.empty(),
    discardFeerate: FeeRate.empty(),
    txNoInputsSize: 0,
    subtractFeeOutputs: false,
    avoidPartialSpends: false,
    includeUnsafeInputs: false,
    version: CURRENT_TX_VERSION,
    ...fields,
  };
}

/**
 * Core's `GenerateChangeTarget`: `changeFee` plus a random amount so that change values do not fingerprint the
 * wallet — exactly CHANGE_LOWER when the payment is at most CHANGE_LOWER / 2, else uniform in
 * [CHANGE_LOWER, min(2 × payment, CHANGE_UPPER)).
 */
export function generateChangeTarget(paymentValue: bigint, changeFee: bigint, rng: SelectionRng): bigint {
  if (paymentValue <= CHANGE_LOWER / 2n) return changeFee + CHANGE_LOWER;
  const upper = paymentValue * 2n < CHANGE_UPPER ? paymentValue * 2n : CHANGE_UPPER;
  return changeFee + BigInt(rng.randrange(Number(upper - CHANGE_LOWER))) + CHANGE_LOWER;
}

/** A payment as coin selection needs to know it. */
export interface SelectionRecipient {
  /** Amount paid, satoshis. */
  amount: bigint;
  /** Serialized size of its output (8-byte value, script length, script), bytes. */
  outputSize: number;
  /** Whether the fee is subtracted from this output. */
  subtractFeeFromAmount?: boolean;
}

/** Inputs of {@link makeCoinSelectionParams}: what `CreateTransactionInternal` knows before selecting. */
export interface MakeCoinSelectionParamsOptions {
  /** The recipients (at least one). */
  recipients: readonly SelectionRecipient[];
  /** Feerate of the transaction (from the user, `estimatesmartfee` or `-fallbackfee`). */
  effectiveFeerate: FeeRate;
  /** The wallet's consolidate feerate (`-consolidatefeerate`, default 10 sat/vB). */
  longTermFeerate: FeeRate;
  /** Core's `GetDiscardRate` (the longest estimate capped by `-discardfee`, at least the dust relay feerate). */
  discardFeerate: FeeRate;
  /** Serialized size of the change output the wallet would create, bytes. */
  changeOutputSize: number;
  /** Signed input vsize of spending that change output; undefined when unknown (then 91, nested P2WPKH). */
  changeSpendSize?: number;
  /** Dust threshold of the change output at the discard feerate (`GetDustThreshold`). */
  changeDustThreshold: bigint;
  /** Maximum transaction weight (coin control's `max_tx_weight`); default `MAX_STANDARD_TX_WEIGHT`. */
  maxTxWeight?: number;
  /** Coin control's `m_avoid_partial_spends`. */
  avoidPartialSpends?: boolean;
  /** Coin control's `m_include_unsafe_inputs`. */
  includeUnsafeInputs?: boolean;
  /** Transaction version; default 2. */
  version?: number;
  /** Randomness; default {@link cryptoRng}. */
  rng?: SelectionRng;
}

/** What {@link makeCoinSelectionParams} derives. */
export interface DerivedSelection {
  /** The parameters for {@link selectCoins}. */
  params: CoinSelectionParams;
  /** Sum of the recipient amounts. */
  recipientsSum: bigint;
  /** Recipients plus the fee of everything but inputs and change (no fee part when subtracting fees). */
  selectionTarget: bigint;
}

/** Core's size of a CompactSize length prefix. */
function compactSizeLength(n: number): number {
  return n < 253 ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

/**
 * The parameters as Core's `CreateTransactionInternal` sets them: tx_noinputs_size = 10 + CompactSize(outputs) +
 * outputs; change fee = effective feerate × change output size; cost of change = change fee + discard feerate ×
 * change spend size; change target = {@link generateChangeTarget} of the average payment; min viable change =
 * max(discard fee of spending the change + 1, dust); selection target = recipients + fee of the non-input size
 * (0 with subtract-fee-from-outputs). Throws Core's errors for a bad maximum weight or an empty target.
 */
export function makeCoinSelectionParams(options: MakeCoinSelectionParamsOptions): DerivedSelection {
  const { recipients, effectiveFeerate } = options;
  if (recipients.length === 0) throw new RangeError("Cannot select coins: no recipients");
  const maxTxWeight = options.maxTxWeight ?? MAX_STANDARD_TX_WEIGHT;
  const minimumTxWeight = MIN_STANDARD_TX_NONWITNESS_SIZE * WITNESS_SCALE_FACTOR;
  if (
    !Number.isInteger(maxTxWeight) || maxTxWeight < minimumTxWeight || maxTxWeight > MAX_STANDARD_TX_WEIGHT
  ) {
    throw new RangeError(
      `Maximum transaction weight must be between ${minimumTxWeight} and ${MAX_STANDARD_TX_WEIGHT}`,
    );
  }
  const rng = options.rng ?? cryptoRng();
  let txNoInputsSize = 10 + compactSizeLength(recipients.length);
  let recipientsSum = 0n;
  let subtractFeeOutputs = false;
  for (const r of recipients) {
    if (!Number.isInteger(r.outputSize) || r.outputSize < 9) {
      throw new RangeError(`Cannot select coins: recipient output size is ${r.outputSize}`);
    }
    txNoInputsSize += r.outputSize;
    recipientsSum += r.amount;
    if (r.subtractFeeFromAmount) subtractFeeOutputs = true;
  }
  const changeSpendSize = options.changeSpendSize ?? DUMMY_NESTED_P2WPKH_INPUT_SIZE;
  const changeFee = effectiveFeerate.getFee(options.changeOutputSize);
  const changeSpendFee = options.discardFeerate.getFee(changeSpendSize);
  const costOfChange = changeSpendFee + changeFee;
  const minChangeTarget = generateChangeTarget(recipientsSum / BigInt(recipients.length), changeFee, rng);
  const minViableChange = changeSpendFee + 1n > options.changeDustThreshold
    ? changeSpendFee + 1n
    : options.changeDustThreshold;
  const notInputFees = effectiveFeerate.getFee(subtractFeeOutputs ? 0 : txNoInputsSize);
  const selectionTarget = recipientsSum + notInputFees;
  const params: CoinSelectionParams = {
    rng,
    changeOutputSize: options.changeOutputSize,
    changeSpendSize,
    minChangeTarget,
    minViableChange,
    changeFee,
    costOfChange,
    effectiveFeerate,
    longTermFeerate: options.longTermFeerate,
    discardFeerate: options.discardFeerate,
    txNoInputsSize,
    subtractFeeOutputs,
    avoidPartialSpends: options.avoidPartialSpends ?? false,
    includeUnsafeInputs: options.includeUnsafeInputs ?? false,
    version: options.version ?? CURRENT_TX_VERSION,
    maxTxWeight,
  };
  return { params, recipientsSum, selectionTarget };
}
