/**
 * The wallet's feerates (Core's wallet/fees.cpp): the required feerate (`-mintxfee` or the node's relay minimum),
 * the feerate a new transaction pays (an explicit `fee_rate`, else `estimatesmartfee` for the confirmation target
 * with `-fallbackfee` when the estimator has no answer, never below the mempool minimum or the required feerate),
 * and the discard feerate under which change goes to fees. Also the fee reasons `sendtoaddress verbose=true`
 * reports (Core's `StringForFeeReason`).
 *
 * @module
 */
import { FeeRate } from "../node/policy/feerate.ts";
import type { FeeEstimateMode } from "../node/fees/fee_modes.ts";
import type { WalletCore, WalletSettings } from "./types.ts";

/** Core's `WALLET_INCREMENTAL_RELAY_FEE` (sat/kvB): the wallet's own minimum feerate step for replacements. */
export const WALLET_INCREMENTAL_RELAY_FEE = 5000n;

/** Why a feerate was chosen (Core's `FeeReason`, as `StringForFeeReason` names it). */
export type FeeReason =
  | "None"
  | "Half Target 60% Threshold"
  | "Target 85% Threshold"
  | "Double Target 95% Threshold"
  | "Conservative Double Target longer horizon"
  | "Mempool Min Fee"
  | "Fallback fee"
  | "Minimum Required Fee"
  | "Unknown";

const KNOWN_REASONS: ReadonlySet<string> = new Set([
  "None",
  "Half Target 60% Threshold",
  "Target 85% Threshold",
  "Double Target 95% Threshold",
  "Conservative Double Target longer horizon",
  "Mempool Min Fee",
  "Fallback fee",
  "Minimum Required Fee",
]);

/** A reason text from the node's estimator as a {@link FeeReason} ("Unknown" for anything else). */
export function feeReasonFromString(text: string): FeeReason {
  return KNOWN_REASONS.has(text) ? text as FeeReason : "Unknown";
}

/** The fee part of Core's `CCoinControl`: how the caller asked the feerate to be chosen. */
export interface FeeControl {
  /** An explicit feerate (`fee_rate`; Core's `m_feerate`). */
  feeRate?: FeeRate;
  /** Use `feeRate` as given, without the minimum checks (Core's `fOverrideFeeRate`). */
  overrideFeeRate?: boolean;
  /** Confirmation target in blocks (Core's `m_confirm_target`; default `-txconfirmtarget`). */
  confirmTarget?: number;
  /** BIP125 signalling asked for (Core's `m_signal_bip125_rbf`; default `-walletrbf`). */
  signalRbf?: boolean;
  /** Estimate mode (Core's `m_fee_mode`; default "unset"). */
  feeMode?: FeeEstimateMode;
}

/** What {@link getMinimumFeeRate} chose and why (Core's `FeeCalculation` as the wallet uses it). */
export interface FeeCalculation {
  /** The feerate. */
  feeRate: FeeRate;
  /** Why. */
  reason: FeeReason;
  /** The target the estimate was asked for (0 without estimation). */
  desiredTarget: number;
  /** The target the estimator answered for (0 without an estimate). */
  returnedTarget: number;
}

/** Core's `GetRequiredFeeRate`: the higher of `-mintxfee` and the node's `-minrelaytxfee`. */
export async function getRequiredFeeRate(wallet: WalletCore): Promise<FeeRate> {
  const minFee = FeeRate.fromSatPerKvB(wallet.settings().minTxFee);
  const relay = FeeRate.fromSatPerKvB(await wallet.chain.relayMinFee());
  return minFee.max(relay);
}

/** Core's `GetRequiredFee`: the required feerate's fee for `vsize` virtual bytes. */
export async function getRequiredFee(wallet: WalletCore, vsize: number): Promise<bigint> {
  return (await getRequiredFeeRate(wallet)).getFee(vsize);
}

/**
 * Core's `GetMinimumFeeRate`: the explicit feerate (returned as is with `overrideFeeRate`), else the smart fee
 * estimate for the target (conservative unless signalling RBF, unless the mode says otherwise), else
 * `-fallbackfee` (returned at once when 0: disabled), raised to the mempool minimum; finally raised to the
 * required feerate.
 */
export async function getMinimumFeeRate(
  wallet: WalletCore,
  control: FeeControl = {},
): Promise<FeeCalculation> {
  const settings = wallet.settings();
  let feeRate: FeeRate;
  let reason: FeeReason = "None";
  let desiredTarget = 0;
  let returnedTarget = 0;
  if (control.feeRate !== undefined) {
    feeRate = control.feeRate;
    if (control.overrideFeeRate) return { feeRate, reason, desiredTarget, returnedTarget };
  } else {
    desiredTarget = control.confirmTarget ?? settings.confirmTarget;
    let conservative = !(control.signalRbf ?? settings.signalRbf);
    if (control.feeMode === "conservative") conservative = true;
    else if (control.feeMode === "economical") conservative = false;
    const estimate = await wallet.chain.estimateSmartFee(desiredTarget, conservative);
    feeRate = FeeRate.fromSatPerKvB(estimate.feeRate);
    reason = feeReasonFromString(estimate.reason);
    returnedTarget = estimate.returnedTarget;
    if (estimate.feeRate === 0n) {
      feeRate = FeeRate.fromSatPerKvB(settings.fallbackFee);
      reason = "Fallback fee";
      if (settings.fallbackFee === 0n) return { feeRate, reason, desiredTarget, returnedTarget };
    }
    const mempoolMin = FeeRate.fromSatPerKvB(await wallet.chain.mempoolMinFee());
    if (feeRate.lt(mempoolMin)) {
      feeRate = mempoolMin;
      reason = "Mempool Min Fee";
    }
  }
  const required = await getRequiredFeeRate(wallet);
  if (required.gt(feeRate)) {
    feeRate = required;
    reason = "Minimum Required Fee";
  }
  return { feeRate, reason, desiredTarget, returnedTarget };
}

/** Core's `m_allow_fallback_fee`: a fallback feerate is configured (`-fallbackfee` is not 0). */
export function allowFallbackFee(wallet: WalletCore): boolean {
  return wallet.settings().fallbackFee !== 0n;
}

/** Core's error when estimation failed and `-fallbackfee` is disabled. */
export const FALLBACK_FEE_DISABLED_ERROR =
  "Fee estimation failed. Fallbackfee is disabled. Wait a few blocks or enable -fallbackfee.";

/**
 * Core's `GetDiscardRate`: the estimate for the estimator's longest target (capped by `-discardfee`, or
 * `-discardfee` without estimate), at least the dust relay feerate.
 */
export async function getDiscardRate(wallet: WalletCore): Promise<FeeRate> {
  const highest = await wallet.chain.estimateMaxBlocks();
  const estimate = await wallet.chain.estimateSmartFee(highest, false);
  const discardFee = wallet.settings().discardFee;
  let rate = estimate.feeRate === 0n
    ? discardFee
    : (estimate.feeRate < discardFee ? estimate.feeRate : discardFee);
  const dust = await wallet.chain.relayDustFee();
  if (dust > rate) rate = dust;
  return FeeRate.fromSatPerKvB(rate);
}

/**
 * The message Core's `CreateTransactionInternal` (and `sendall`) gives when an explicit feerate is below the
 * wallet's minimum: "Fee rate (X sat/vB) is lower than the minimum fee rate setting (Y sat/vB).", plus a hint
 * about `-mintxfee`/`-minrelaytxfee` when the required feerate decided.
 */
export async function feeRateTooLowMessage(
  wallet: WalletCore,
  requested: FeeRate,
  calc: FeeCalculation,
): Promise<string> {
  let msg = `Fee rate (${requested.toString("sat/vB")}) is lower than the minimum fee rate setting (${
    calc.feeRate.toString("sat/vB")
  }).`;
  if (calc.reason === "Minimum Required Fee") {
    msg += `\nConsider modifying -mintxfee (${
      FeeRate.fromSatPerKvB(wallet.settings().minTxFee).toString("sat/vB")
    }) or -minrelaytxfee (${FeeRate.fromSatPerKvB(await wallet.chain.relayMinFee()).toString("sat/vB")}).`;
  }
  return msg;
}

/** Core's `HIGH_TX_FEE_PER_KB` (sat/kvB): fee settings above it get a warning. */
export const HIGH_TX_FEE_PER_KB = 1_000_000n;
/** Core's `HIGH_APS_FEE` (sat). */
export const HIGH_APS_FEE = 10_000n;
/** Core's `HIGH_MAX_TX_FEE` (sat). */
export const HIGH_MAX_TX_FEE = 100_000_000n;

/**
 * The warnings Core's `CWallet::Create` gives for fee settings set very high (`-mintxfee`, `-maxapsfee`,
 * `-fallbackfee`, `-discardfee` above 0.01 BTC/kvB or 0.0001 BTC, `-maxtxfee` above 1 BTC, and the node's
 * `-minrelaytxfee` above 0.01 BTC/kvB) and for a given `-walletrbf` (deprecated), in Core's order and words; shown
 * at wallet load (`Warning: …` on stderr at startup, `warnings` of createwallet/loadwallet).
 */
export function walletFeeWarnings(
  settings: WalletSettings,
  relayMinFee: bigint,
  options: { walletRbfSet?: boolean } = {},
): string[] {
  const high = (opt: string) => `${opt} is set very high!`;
  const out: string[] = [];
  if (settings.minTxFee > HIGH_TX_FEE_PER_KB) {
    out.push(`${high("-mintxfee")} This is the minimum transaction fee you pay on every transaction.`);
  }
  if (settings.maxApsFee > HIGH_APS_FEE) {
    out.push(
      `${
        high("-maxapsfee")
      } This is the maximum transaction fee you pay (in addition to the normal fee) to ` +
        "prioritize partial spend avoidance over regular coin selection.",
    );
  }
  if (settings.fallbackFee > HIGH_TX_FEE_PER_KB) {
    out.push(
      `${high("-fallbackfee")} This is the transaction fee you may pay when fee estimates are not available.`,
    );
  }
  if (settings.discardFee > HIGH_TX_FEE_PER_KB) {
    out.push(
      `${
        high("-discardfee")
      } This is the transaction fee you may discard if change is smaller than dust at this level`,
    );
  }
  if (settings.maxTxFee > HIGH_MAX_TX_FEE) {
    out.push("-maxtxfee is set very high! Fees this large could be paid on a single transaction.");
  }
  if (relayMinFee > HIGH_TX_FEE_PER_KB) {
    out.push(`${high("-minrelaytxfee")} The wallet will avoid paying less than the minimum relay fee.`);
  }
  if (options.walletRbfSet) {
    out.push("-walletrbf is deprecated and will be fully removed in the next release.");
  }
  return out;
}

/**
 * Core's `CWallet::Create` error for a `-maxtxfee` below the node's relay feerate (as a feerate per 1000 vB), or
 * null: "Invalid amount for -maxtxfee=<amount>: '<arg>' (must be at least the minrelay fee of <rate> to prevent
 * stuck transactions)".
 */
export function maxTxFeeError(arg: string, maxTxFee: bigint, relayMinFee: bigint): string | null {
  if (FeeRate.fromFee(maxTxFee, 1000).lt(FeeRate.fromSatPerKvB(relayMinFee))) {
    return `Invalid amount for -maxtxfee=<amount>: '${arg}' (must be at least the minrelay fee of ${
      FeeRate.fromSatPerKvB(relayMinFee).toString()
    } to prevent stuck transactions)`;
  }
  return null;
}
