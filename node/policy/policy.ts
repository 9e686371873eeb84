/**
 * Standardness (Core's policy/policy.cpp and the policy steps of validation.cpp's `PreChecks`): which
 * transactions a node relays and mines, as opposed to which are valid. Every check returns a
 * {@link TxValidationState} with Core's reject reason and debug text, or a boolean where Core's function is one.
 *
 * The outputs a transaction spends (`spentOutputs`, one per input, in input order) stand in for Core's coins
 * view, as in core/consensus.
 *
 * @module
 */

import { invalid, VALID } from "../../core/consensus/validation_state.ts";
import type { TxValidationState } from "../../core/consensus/validation_state.ts";
import type { ScriptExecutionData, SignatureChecker, SigVersion } from "../../core/script/checker.ts";
import { SCRIPT_VERIFY_NONE } from "../../core/script/flags.ts";
import { evalScript, TAPROOT_LEAF_MASK, TAPROOT_LEAF_TAPSCRIPT } from "../../core/script/interpreter.ts";
import { scriptErrorString } from "../../core/script/script_error.ts";
import {
  ANNEX_TAG,
  isPayToAnchor,
  isPayToAnchorProgram,
  isPayToScriptHash,
  isPushOnly,
  isWitnessProgram,
  WITNESS_V0_SCRIPTHASH_SIZE,
  WITNESS_V1_TAPROOT_SIZE,
} from "../../core/script/script.ts";
import { getP2shSigOpCount, getSigOpCount } from "../../core/script/sigops.ts";
import { solver, type TxoutType } from "../../core/script/standard.ts";
import {
  hasWitness,
  isCoinBase,
  transactionStrippedSize,
  transactionWeight,
  WITNESS_SCALE_FACTOR,
} from "../../core/wire/transaction.ts";
import type { Transaction, TxIn, TxOut } from "../../core/wire/types.ts";
import { compactSizeLength } from "../../core/wire/writer.ts";
import { getDust } from "./dust.ts";
import type { FeeFrac } from "./feefrac.ts";
import type { FeeRate } from "./feerate.ts";

export {
  STANDARD_NOT_MANDATORY_VERIFY_FLAGS,
  STANDARD_SCRIPT_VERIFY_FLAGS,
} from "../../core/script/flags.ts";
export { MANDATORY_SCRIPT_VERIFY_FLAGS } from "../../core/script/flags.ts";

/** The maximum weight of a standard transaction (Core's MAX_STANDARD_TX_WEIGHT). */
export const MAX_STANDARD_TX_WEIGHT = 400_000;
/** Smallest standard non-witness size, one more than 64 (CVE-2017-12842; Core's MIN_STANDARD_TX_NONWITNESS_SIZE). */
export const MIN_STANDARD_TX_NONWITNESS_SIZE = 65;
/** Most sigops a standard P2SH redeem script may have (accurate count; Core's MAX_P2SH_SIGOPS). */
export const MAX_P2SH_SIGOPS = 15;
/** Most sigop cost of a standard transaction (MAX_BLOCK_SIGOPS_COST / 5; Core's MAX_STANDARD_TX_SIGOPS_COST). */
export const MAX_STANDARD_TX_SIGOPS_COST = 16_000;
/** Most potentially executed legacy sigops in a standard transaction (BIP54; Core's MAX_TX_LEGACY_SIGOPS). */
export const MAX_TX_LEGACY_SIGOPS = 2_500;
/** Most witness stack items (besides the script) of a standard P2WSH spend. */
export const MAX_STANDARD_P2WSH_STACK_ITEMS = 100;
/** Largest witness stack item of a standard P2WSH spend. */
export const MAX_STANDARD_P2WSH_STACK_ITEM_SIZE = 80;
/** Largest witness stack item of a standard tapscript (leaf version 0xc0) spend. */
export const MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE = 80;
/** Largest standard witnessScript. */
export const MAX_STANDARD_P2WSH_SCRIPT_SIZE = 3600;
/** Largest standard scriptSig (a 15-of-15 P2SH multisig with compressed keys needs 1627). */
export const MAX_STANDARD_SCRIPTSIG_SIZE = 1650;
/** Lowest standard transaction version. */
export const TX_MIN_STANDARD_VERSION = 1;
/** Highest standard transaction version (3 = TRUC, BIP431). */
export const TX_MAX_STANDARD_VERSION = 3;
/** Most dust outputs a standard transaction may have (ephemeral dust; it must then pay no fee). */
export const MAX_DUST_OUTPUTS_PER_TX = 1;
/** An extra package child may be this large if it has one ancestor (Core's EXTRA_DESCENDANT_TX_SIZE_LIMIT). */
export const EXTRA_DESCENDANT_TX_SIZE_LIMIT = 10_000;
/** Default for -blockmaxweight (Core's DEFAULT_BLOCK_MAX_WEIGHT = MAX_BLOCK_WEIGHT). */
export const DEFAULT_BLOCK_MAX_WEIGHT = 4_000_000;
/** Default for -blockreservedweight. */
export const DEFAULT_BLOCK_RESERVED_WEIGHT = 8000;
/** Smallest accepted -blockreservedweight. */
export const MINIMUM_BLOCK_RESERVED_WEIGHT = 2000;
/** Sigop cost reserved for the coinbase's outputs in block templates. */
export const DEFAULT_COINBASE_OUTPUT_MAX_ADDITIONAL_SIGOPS = 400;
/** Core's LOCKTIME_VERIFY_SEQUENCE (consensus/consensus.h): enforce BIP68 sequence locks. */
export const LOCKTIME_VERIFY_SEQUENCE = 1;
/** Lock-time flags for non-consensus code (Core's STANDARD_LOCKTIME_VERIFY_FLAGS). */
export const STANDARD_LOCKTIME_VERIFY_FLAGS: number = LOCKTIME_VERIFY_SEQUENCE;

/** The policy options {@link isStandardTx} reads (a {@link PolicySettings} from settings.ts fits). */
export interface StandardTxOptions {
  /** Total nulldata scriptPubKey bytes allowed; null when data carrier outputs are not relayed at all. */
  readonly maxDatacarrierBytes: number | null;
  /** Whether bare multisig outputs are standard. */
  readonly permitBareMultisig: boolean;
  /** The feerate that defines dust. */
  readonly dustRelayFeeRate: FeeRate;
}

/**
 * Core's `IsStandard(scriptPubKey, whichType)`: the output's {@link TxoutType} and whether it is a standard
 * output type: anything but "nonstandard", with bare multisig limited to at most 3 keys (m-of-n, 1 <= m <= n <= 3).
 */
export function isStandardScriptPubKey(scriptPubKey: Uint8Array): { standard: boolean; type: TxoutType } {
  const sol = solver(scriptPubKey);
  if (sol.type === "nonstandard") return { standard: false, type: sol.type };
  if (sol.type === "multisig") {
    const n = sol.pubkeys.length;
    const m = sol.required;
    if (n < 1 || n > 3 || m < 1 || m > n) return { standard: false, type: sol.type };
  }
  return { standard: true, type: sol.type };
}

/**
 * Core's `IsStandardTx`: version 1..3 ("version"), weight at most 400,000 ("tx-size"), each scriptSig at most
 * 1650 bytes ("scriptsig-size") and push-only ("scriptsig-not-pushonly"), each output a standard type
 * ("scriptpubkey"), all nulldata scriptPubKeys together within `maxDatacarrierBytes` ("datacarrier"; any number
 * of OP_RETURN outputs), no bare multisig unless permitted ("bare-multisig"), at most one dust output ("dust").
 * Failures are TX_NOT_STANDARD.
 */
export function isStandardTx(tx: Transaction, options: StandardTxOptions): TxValidationState {
  const fail = (reason: string) => invalid("TX_NOT_STANDARD" as const, reason);
  if (tx.version > TX_MAX_STANDARD_VERSION || tx.version < TX_MIN_STANDARD_VERSION) return fail("version");
  if (transactionWeight(tx) > MAX_STANDARD_TX_WEIGHT) return fail("tx-size");
  for (const input of tx.inputs) {
    if (input.scriptSig.length > MAX_STANDARD_SCRIPTSIG_SIZE) return fail("scriptsig-size");
    if (!isPushOnly(input.scriptSig)) return fail("scriptsig-not-pushonly");
  }
  let datacarrierBytesLeft = options.maxDatacarrierBytes ?? 0;
  for (const output of tx.outputs) {
    const { standard, type } = isStandardScriptPubKey(output.scriptPubKey);
    if (!standard) return fail("scriptpubkey");
    if (type === "nulldata") {
      const size = output.scriptPubKey.length;
      if (size > datacarrierBytesLeft) return fail("datacarrier");
      datacarrierBytesLeft -= size;
    } else if (type === "multisig" && !options.permitBareMultisig) {
      return fail("bare-multisig");
    }
  }
  if (getDust(tx, options.dustRelayFeeRate).length > MAX_DUST_OUTPUTS_PER_TX) return fail("dust");
  return VALID;
}

/**
 * The "tx-size-small" rule of Core's `PreChecks` (applied even with -acceptnonstdtxn): the serialization
 * without witness must be at least 65 bytes, so no transaction can be confused with a 64-byte merkle node.
 */
export function checkTxNonWitnessSize(tx: Transaction): TxValidationState {
  return transactionStrippedSize(tx) < MIN_STANDARD_TX_NONWITNESS_SIZE
    ? invalid("TX_NOT_STANDARD", "tx-size-small")
    : VALID;
}

function requireSpentOutputs(tx: Transaction, spentOutputs: readonly TxOut[], what: string): void {
  if (spentOutputs.length !== tx.inputs.length) {
    throw new RangeError(
      `Cannot check ${what}: ${spentOutputs.length} spent outputs for ${tx.inputs.length} inputs`,
    );
  }
}

/** A checker that fails every signature and lock-time check (Core's `BaseSignatureChecker`). */
const BASE_CHECKER: SignatureChecker = {
  checkEcdsaSignature: (_s: Uint8Array, _p: Uint8Array, _c: Uint8Array, _v: SigVersion) => false,
  checkSchnorrSignature: (_s: Uint8Array, _p: Uint8Array, _v: SigVersion, _e: ScriptExecutionData) =>
    "SCHNORR_SIG" as const,
  checkLockTime: (_l: bigint) => false,
  checkSequence: (_s: bigint) => false,
};

/**
 * Runs a scriptSig with no verification flags and a checker that fails everything (how Core extracts the P2SH
 * redeem script for policy checks): the resulting stack, or the script error.
 */
function scriptSigStack(
  scriptSig: Uint8Array,
): { stack: Uint8Array[]; error: ReturnType<typeof evalScript> } {
  const stack: Uint8Array[] = [];
  const error = evalScript(stack, scriptSig, SCRIPT_VERIFY_NONE, BASE_CHECKER, "base");
  return { stack, error };
}

/** BIP54's per-transaction legacy sigop limit (Core's `CheckSigopsBIP54`). */
function checkSigopsBip54(tx: Transaction, spentOutputs: readonly TxOut[]): boolean {
  let sigops = 0;
  for (let i = 0; i < tx.inputs.length; i++) {
    const scriptSig = tx.inputs[i].scriptSig;
    sigops += getSigOpCount(scriptSig, true);
    sigops += getP2shSigOpCount(spentOutputs[i].scriptPubKey, scriptSig);
    if (sigops > MAX_TX_LEGACY_SIGOPS) return false;
  }
  return true;
}

/**
 * Core's `ValidateInputsStandardness` (failures are TX_INPUTS_NOT_STANDARD, "bad-txns-nonstandard-inputs"): the
 * BIP54 limit of 2500 potentially executed legacy sigops (scriptSigs plus spent scriptPubKeys, P2SH redeem
 * scripts counted accurately); no spent output of unknown type ("input N script unknown") or of an undefined
 * witness version ("input N witness program is undefined"); for P2SH spends, a scriptSig that evaluates ("p2sh
 * scriptsig malformed (input N: error)"), leaves a redeem script ("input N P2SH redeemscript missing") with at most
 * 15 sigops ("p2sh redeemscript sigops exceed limit (input N: n > 15)"). A coinbase passes.
 */
export function validateInputsStandardness(
  tx: Transaction,
  spentOutputs: readonly TxOut[],
): TxValidationState {
  if (isCoinBase(tx)) return VALID;
  requireSpentOutputs(tx, spentOutputs, "input standardness");
  const fail = (debug: string) =>
    invalid("TX_INPUTS_NOT_STANDARD" as const, "bad-txns-nonstandard-inputs", debug);
  if (!checkSigopsBip54(tx, spentOutputs)) return fail("non-witness sigops exceed bip54 limit");
  for (let i = 0; i < tx.inputs.length; i++) {
    const type = solver(spentOutputs[i].scriptPubKey).type;
    if (type === "nonstandard") return fail(`input ${i} script unknown`);
    if (type === "witness_unknown") return fail(`input ${i} witness program is undefined`);
    if (type === "scripthash") {
      const { stack, error } = scriptSigStack(tx.inputs[i].scriptSig);
      if (error !== null) return fail(`p2sh scriptsig malformed (input ${i}: ${scriptErrorString(error)})`);
      if (stack.length === 0) return fail(`input ${i} P2SH redeemscript missing`);
      const sigops = getSigOpCount(stack[stack.length - 1], true);
      if (sigops > MAX_P2SH_SIGOPS) {
        return fail(`p2sh redeemscript sigops exceed limit (input ${i}: ${sigops} > ${MAX_P2SH_SIGOPS})`);
      }
    }
  }
  return VALID;
}

/**
 * Core's `IsWitnessStandard`: for every input with a witness, the spent output (or the P2SH redeem script) must
 * be a witness program other than P2A; P2WSH spends: witnessScript at most 3600 bytes, at most 100 other items,
 * each at most 80 bytes; taproot (not P2SH-wrapped) spends: no annex, script path with a non-empty control
 * block, tapscript (leaf 0xc0) stack items at most 80 bytes, and at least one stack item. A coinbase passes.
 */
export function isWitnessStandard(tx: Transaction, spentOutputs: readonly TxOut[]): boolean {
  if (isCoinBase(tx)) return true;
  requireSpentOutputs(tx, spentOutputs, "witness standardness");
  for (let i = 0; i < tx.inputs.length; i++) {
    const witness = tx.inputs[i].witness;
    if (witness.length === 0) continue;
    let prevScript = spentOutputs[i].scriptPubKey;
    if (isPayToAnchor(prevScript)) return false; // witness stuffing
    let p2sh = false;
    if (isPayToScriptHash(prevScript)) {
      const { stack, error } = scriptSigStack(tx.inputs[i].scriptSig);
      if (error !== null || stack.length === 0) return false;
      prevScript = stack[stack.length - 1];
      p2sh = true;
    }
    const wp = isWitnessProgram(prevScript);
    if (wp === null) return false;
    if (wp.version === 0 && wp.program.length === WITNESS_V0_SCRIPTHASH_SIZE) {
      if (witness[witness.length - 1].length > MAX_STANDARD_P2WSH_SCRIPT_SIZE) return false;
      const items = witness.length - 1;
      if (items > MAX_STANDARD_P2WSH_STACK_ITEMS) return false;
      for (let j = 0; j < items; j++) {
        if (witness[j].length > MAX_STANDARD_P2WSH_STACK_ITEM_SIZE) return false;
      }
    }
    if (wp.version === 1 && wp.program.length === WITNESS_V1_TAPROOT_SIZE && !p2sh) {
      let end = witness.length;
      const last = witness[end - 1];
      if (end >= 2 && last.length > 0 && last[0] === ANNEX_TAG) return false; // annexes are nonstandard
      if (end >= 2) {
        const controlBlock = witness[--end];
        end--; // the script
        if (controlBlock.length === 0) return false;
        if ((controlBlock[0] & TAPROOT_LEAF_MASK) === TAPROOT_LEAF_TAPSCRIPT) {
          for (let j = 0; j < end; j++) {
            if (witness[j].length > MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE) return false;
          }
        }
      } else if (end !== 1) {
        return false;
      }
    }
  }
  return true;
}

/**
 * The witness step of Core's `PreChecks`: a transaction with a witness must pass {@link isWitnessStandard}
 * ("bad-witness-nonstandard", TX_WITNESS_MUTATED).
 */
export function checkWitnessStandard(tx: Transaction, spentOutputs: readonly TxOut[]): TxValidationState {
  if (hasWitness(tx) && !isWitnessStandard(tx, spentOutputs)) {
    return invalid("TX_WITNESS_MUTATED", "bad-witness-nonstandard");
  }
  return VALID;
}

/**
 * Core's `SpendsNonAnchorWitnessProg`: whether any input spends a witness program other than P2A (defined or
 * not), directly or through a P2SH redeem script. Tells a script failure caused by a stripped witness
 * (TX_WITNESS_STRIPPED) apart from others.
 */
export function spendsNonAnchorWitnessProg(tx: Transaction, spentOutputs: readonly TxOut[]): boolean {
  if (isCoinBase(tx)) return false;
  requireSpentOutputs(tx, spentOutputs, "witness spends");
  for (let i = 0; i < tx.inputs.length; i++) {
    const spk = spentOutputs[i].scriptPubKey;
    const wp = isWitnessProgram(spk);
    if (wp !== null && !isPayToAnchorProgram(wp.version, wp.program)) return true;
    if (isPayToScriptHash(spk)) {
      const { stack, error } = scriptSigStack(tx.inputs[i].scriptSig);
      if (error !== null || stack.length === 0) continue;
      if (isWitnessProgram(stack[stack.length - 1]) !== null) return true;
    }
  }
  return false;
}

/**
 * The sigop step of Core's `PreChecks`: a sigop cost (GetTransactionSigOpCost with the standard flags) above
 * 16,000 is "bad-txns-too-many-sigops" (TX_NOT_STANDARD) with the cost as debug text.
 */
export function checkStandardSigOpCost(sigOpCost: number): TxValidationState {
  return sigOpCost > MAX_STANDARD_TX_SIGOPS_COST
    ? invalid("TX_NOT_STANDARD", "bad-txns-too-many-sigops", `${sigOpCost}`)
    : VALID;
}

/** Core's `GetSigOpsAdjustedWeight`: max(weight, sigop cost × bytes per sigop). */
export function getSigOpsAdjustedWeight(weight: number, sigOpCost: number, bytesPerSigOp: number): number {
  return Math.max(weight, sigOpCost * bytesPerSigOp);
}

/**
 * Core's `GetVirtualTransactionSize(weight, sigop cost, bytes per sigop)`: the sigop-adjusted weight / 4, rounded
 * up. This is the size the mempool charges fees against (and what `vsize` in mempool RPCs shows).
 */
export function getVirtualTransactionSize(weight: number, sigOpCost = 0, bytesPerSigOp = 0): number {
  const w = getSigOpsAdjustedWeight(weight, sigOpCost, bytesPerSigOp);
  return Math.floor((w + WITNESS_SCALE_FACTOR - 1) / WITNESS_SCALE_FACTOR);
}

/** {@link getVirtualTransactionSize} of a transaction. */
export function virtualTransactionSize(tx: Transaction, sigOpCost = 0, bytesPerSigOp = 0): number {
  return getVirtualTransactionSize(transactionWeight(tx), sigOpCost, bytesPerSigOp);
}

/** Core's `GetTransactionInputWeight`: the input's serialized size × 4 plus its witness stack's size. */
export function transactionInputWeight(input: TxIn): number {
  const n = input.scriptSig.length;
  const base = 32 + 4 + compactSizeLength(n) + n + 4;
  let witness = compactSizeLength(input.witness.length);
  for (const item of input.witness) witness += compactSizeLength(item.length) + item.length;
  return base * WITNESS_SCALE_FACTOR + witness;
}

/** Core's `GetVirtualTransactionInputSize`. */
export function virtualTransactionInputSize(input: TxIn, sigOpCost = 0, bytesPerSigOp = 0): number {
  return getVirtualTransactionSize(transactionInputWeight(input), sigOpCost, bytesPerSigOp);
}

/** Core's `ToFeePerVSize`: a fee per weight as a fee per virtual byte (size / 4 rounded up). */
export function toFeePerVSize(feePerWeight: FeeFrac): FeeFrac {
  return {
    fee: feePerWeight.fee,
    size: Math.floor((feePerWeight.size + WITNESS_SCALE_FACTOR - 1) / WITNESS_SCALE_FACTOR),
  };
}

/** The two minimum feerates {@link checkFeeRate} applies. */
export interface FeeRateFloor {
  /** The mempool's current minimum (rises after -maxmempool evictions; 0 when the pool is not full). */
  readonly mempoolMinFeeRate: FeeRate;
  /** -minrelaytxfee. */
  readonly minRelayFeeRate: FeeRate;
}

/**
 * Core's `MemPoolAccept::CheckFeeRate` for a transaction or package of `vsize` paying `fee` (modified fees):
 * "mempool min fee not met" when the mempool minimum asks a positive fee that is not paid, then "min relay fee
 * not met"; both TX_RECONSIDERABLE with debug "<fee> < <required>".
 */
export function checkFeeRate(vsize: number, fee: bigint, floor: FeeRateFloor): TxValidationState {
  const mempoolRejectFee = floor.mempoolMinFeeRate.getFee(vsize);
  if (mempoolRejectFee > 0n && fee < mempoolRejectFee) {
    return invalid("TX_RECONSIDERABLE", "mempool min fee not met", `${fee} < ${mempoolRejectFee}`);
  }
  const minRelayFee = floor.minRelayFeeRate.getFee(vsize);
  if (fee < minRelayFee) {
    return invalid("TX_RECONSIDERABLE", "min relay fee not met", `${fee} < ${minRelayFee}`);
  }
  return VALID;
}
