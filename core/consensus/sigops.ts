/**
 * Signature operation counting for a whole transaction (Core's `GetLegacySigOpCount`, `GetP2SHSigOpCount` and
 * `GetTransactionSigOpCost` in consensus/tx_verify.cpp), built on core/script's per-script counts. The cost of a
 * block must not exceed MAX_BLOCK_SIGOPS_COST (80,000).
 *
 * The outputs a transaction spends (`spentOutputs`, one per input, in input order) stand in for Core's coins
 * view.
 *
 * @module
 */

import { SCRIPT_VERIFY_P2SH, SCRIPT_VERIFY_WITNESS } from "../script/flags.ts";
import { isPayToScriptHash } from "../script/script.ts";
import { countWitnessSigOps, getP2shSigOpCount, getSigOpCount } from "../script/sigops.ts";
import { isCoinBase, WITNESS_SCALE_FACTOR } from "../wire/transaction.ts";
import type { Transaction, TxOut } from "../wire/types.ts";

function requireSpentOutputs(tx: Transaction, spentOutputs: readonly TxOut[], what: string): void {
  if (spentOutputs.length !== tx.inputs.length) {
    throw new RangeError(
      `Cannot count ${what}: ${spentOutputs.length} spent outputs for ${tx.inputs.length} inputs`,
    );
  }
}

/**
 * Core's `GetLegacySigOpCount`: the inaccurate count (CHECKMULTISIG = 20) of every scriptSig and scriptPubKey of
 * `tx` — what CheckBlock limits, as it needs no spent outputs.
 */
export function getLegacySigOpCount(tx: Transaction): number {
  let n = 0;
  for (const input of tx.inputs) n += getSigOpCount(input.scriptSig, false);
  for (const output of tx.outputs) n += getSigOpCount(output.scriptPubKey, false);
  return n;
}

/**
 * Core's `GetP2SHSigOpCount`: the accurate count of the redeem scripts of the inputs spending P2SH outputs; 0 for
 * a coinbase. `spentOutputs` must have one entry per input (else a RangeError: a caller bug).
 */
export function getTransactionP2shSigOpCount(tx: Transaction, spentOutputs: readonly TxOut[]): number {
  if (isCoinBase(tx)) return 0;
  requireSpentOutputs(tx, spentOutputs, "P2SH sigops");
  let n = 0;
  for (let i = 0; i < tx.inputs.length; i++) {
    const spk = spentOutputs[i].scriptPubKey;
    if (isPayToScriptHash(spk)) n += getP2shSigOpCount(spk, tx.inputs[i].scriptSig);
  }
  return n;
}

/**
 * Core's `GetTransactionSigOpCost`: legacy sigops × 4, plus (not for a coinbase) P2SH sigops × 4 when `flags`
 * has SCRIPT_VERIFY_P2SH, plus witness sigops (P2WPKH 1, P2WSH its script's accurate count, also P2SH-wrapped)
 * when `flags` has SCRIPT_VERIFY_WITNESS. Taproot spends count nothing here (their budget is the validation
 * weight). `spentOutputs` must have one entry per input for a non-coinbase (else a RangeError: a caller bug);
 * it is not read for a coinbase (pass `[]`).
 */
export function getTransactionSigOpCost(
  tx: Transaction,
  spentOutputs: readonly TxOut[],
  flags: number,
): number {
  let cost = getLegacySigOpCount(tx) * WITNESS_SCALE_FACTOR;
  if (isCoinBase(tx)) return cost;
  requireSpentOutputs(tx, spentOutputs, "sigop cost");
  if ((flags & SCRIPT_VERIFY_P2SH) !== 0) {
    cost += getTransactionP2shSigOpCount(tx, spentOutputs) * WITNESS_SCALE_FACTOR;
  }
  if ((flags & SCRIPT_VERIFY_WITNESS) !== 0) {
    for (let i = 0; i < tx.inputs.length; i++) {
      const input = tx.inputs[i];
      cost += countWitnessSigOps(input.scriptSig, spentOutputs[i].scriptPubKey, input.witness);
    }
  }
  return cost;
}
