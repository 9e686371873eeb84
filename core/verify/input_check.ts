/**
 * Verifying the input scripts of a transaction (Core's `CScriptCheck` and `CheckInputScripts` in
 * validation.cpp): one input against the output it spends, and all inputs of a transaction with the signature
 * cache and the script execution cache. The Worker pool runs the same per-input check in parallel.
 *
 * @module
 */

import type { InvalidState } from "../consensus/validation_state.ts";
import { defaultSecp256k1 } from "../crypto/default_backend.ts";
import type { Secp256k1 } from "../crypto/secp256k1.ts";
import { reverseHex } from "../hash/hashes.ts";
import { STANDARD_NOT_MANDATORY_VERIFY_FLAGS } from "../script/flags.ts";
import { verifyScript } from "../script/interpreter.ts";
import { type ScriptError, scriptErrorString } from "../script/script_error.ts";
import { PrecomputedTransactionData } from "../script/sighash.ts";
import { TransactionSignatureChecker } from "../script/tx_checker.ts";
import { isCoinBase, txid, wtxid } from "../wire/transaction.ts";
import type { Transaction, TxOut } from "../wire/types.ts";
import type { ScriptExecutionCache } from "./script_execution_cache.ts";
import { cachingSecp256k1, type SignatureCache } from "./signature_cache.ts";

/**
 * Core's `CScriptCheck::operator()`: verifies input `inputIndex` of `tx` against `spentOutputs[inputIndex]`
 * under `flags`; null when it passes, else the script error. `precomputed` must be the transaction's
 * {@link PrecomputedTransactionData} built with all its spent outputs (shared by its inputs). Never throws for
 * any script; a RangeError for a bad index (a caller bug).
 */
export function verifyInputScript(
  tx: Transaction,
  inputIndex: number,
  spentOutputs: readonly TxOut[],
  flags: number,
  precomputed: PrecomputedTransactionData,
  secp: Secp256k1,
): ScriptError | null {
  const spent = spentOutputs[inputIndex];
  if (spent === undefined) throw new RangeError(`Cannot verify input ${inputIndex}: no spent output for it`);
  const input = tx.inputs[inputIndex];
  const checker = new TransactionSignatureChecker({ tx, inputIndex, amount: spent.value, precomputed, secp });
  return verifyScript(input.scriptSig, spent.scriptPubKey, input.witness, flags, checker);
}

/** A failed input script check (Core's `TxValidationState` filled by CheckInputScripts). */
export interface ScriptCheckFailure extends InvalidState<"TX_CONSENSUS" | "TX_NOT_STANDARD"> {
  /** The failing input. */
  readonly inputIndex: number;
  /** Its script error. */
  readonly error: ScriptError;
  /** Core's debug text: `input 0 of <txid> (wtxid <wtxid>), spending <txid>:<n>`. */
  readonly debug: string;
}

/**
 * The failure of `inputIndex` of `tx` with `error` as Core reports it: reason
 * `mempool-script-verify-flag-failed (<text>)` (result TX_NOT_STANDARD) when `flags` include policy-only flags,
 * else `block-script-verify-flag-failed (<text>)` (TX_CONSENSUS); `<text>` is Core's ScriptErrorString.
 */
export function scriptCheckFailure(
  tx: Transaction,
  inputIndex: number,
  error: ScriptError,
  flags: number,
): ScriptCheckFailure {
  const prevout = tx.inputs[inputIndex].prevout;
  const debug = `input ${inputIndex} of ${reverseHex(txid(tx))} (wtxid ${reverseHex(wtxid(tx))}), spending ` +
    `${reverseHex(prevout.txid)}:${prevout.vout}`;
  const policy = (flags & STANDARD_NOT_MANDATORY_VERIFY_FLAGS) !== 0;
  return {
    valid: false,
    result: policy ? "TX_NOT_STANDARD" : "TX_CONSENSUS",
    reason: `${policy ? "mempool" : "block"}-script-verify-flag-failed (${scriptErrorString(error)})`,
    debug,
    inputIndex,
    error,
  };
}

/** All inputs of a transaction passed (or it is a coinbase). */
export interface ScriptCheckSuccess {
  /** Always true. */
  readonly valid: true;
  /** True when the script execution cache answered (no script was run). */
  readonly cached: boolean;
}

/** The outcome of {@link checkInputScripts}. */
export type TxScriptCheckResult = ScriptCheckSuccess | ScriptCheckFailure;

/** Options of {@link checkInputScripts}. */
export interface CheckInputScriptsOptions {
  /** Verify flags (Core's `SCRIPT_VERIFY_*` combined). */
  readonly flags: number;
  /** The outputs spent by the inputs, in input order (Core's coins). */
  readonly spentOutputs: readonly TxOut[];
  /** Signature cache to consult (and fill when `cacheSigStore`). */
  readonly signatureCache?: SignatureCache;
  /** Script execution cache to consult (and fill when `cacheFullScriptStore`). */
  readonly scriptExecutionCache?: ScriptExecutionCache;
  /**
   * Store valid signatures in the signature cache (default true, as mempool acceptance); false erases the
   * entries it hits (block validation: Core's `cacheSigStore`).
   */
  readonly cacheSigStore?: boolean;
  /**
   * Record a fully verified transaction in the script execution cache (default true); false erases the entry
   * it hits (Core's `cacheFullScriptStore`).
   */
  readonly cacheFullScriptStore?: boolean;
  /** The transaction's precomputed data (built from `spentOutputs` when absent). */
  readonly precomputed?: PrecomputedTransactionData;
  /** secp256k1 backend (default {@link defaultSecp256k1}). */
  readonly secp?: Secp256k1;
}

/**
 * Core's `CheckInputScripts` (without the check queue): a coinbase passes; a transaction whose (wtxid, flags)
 * entry is in the script execution cache passes without running anything; otherwise every input is verified in
 * order (signatures through the signature cache when given) and the first failure is returned. A transaction
 * that passes is recorded in the script execution cache (with `cacheFullScriptStore`).
 *
 * `spentOutputs` must have one entry per input (else a RangeError: a caller bug).
 */
export function checkInputScripts(tx: Transaction, options: CheckInputScriptsOptions): TxScriptCheckResult {
  if (isCoinBase(tx)) return { valid: true, cached: false };
  const { flags, spentOutputs, scriptExecutionCache, signatureCache } = options;
  if (spentOutputs.length !== tx.inputs.length) {
    throw new RangeError(
      `Cannot check input scripts: ${spentOutputs.length} spent outputs for ${tx.inputs.length} inputs`,
    );
  }
  const storeScripts = options.cacheFullScriptStore ?? true;
  let entry: Uint8Array | null = null;
  if (scriptExecutionCache !== undefined) {
    entry = scriptExecutionCache.entry(wtxid(tx), flags);
    if (scriptExecutionCache.contains(entry, !storeScripts)) return { valid: true, cached: true };
  }
  const base = options.secp ?? defaultSecp256k1();
  const secp = signatureCache === undefined
    ? base
    : cachingSecp256k1(base, signatureCache, options.cacheSigStore ?? true);
  const precomputed = options.precomputed ?? new PrecomputedTransactionData(tx, spentOutputs);
  for (let i = 0; i < tx.inputs.length; i++) {
    const error = verifyInputScript(tx, i, spentOutputs, flags, precomputed, secp);
    if (error !== null) return scriptCheckFailure(tx, i, error, flags);
  }
  if (entry !== null && storeScripts) scriptExecutionCache!.insert(entry);
  return { valid: true, cached: false };
}
