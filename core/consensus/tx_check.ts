/**
 * Core's `CheckTransaction` (consensus/tx_check.cpp): the checks on a transaction that need no context — no
 * UTXO set, no chain, no time. Every block transaction and every mempool candidate passes through it.
 *
 * @module
 */

import { MAX_MONEY } from "../chain_params.ts";
import { isNullOutPoint, outPointEquals, outPointKey } from "../wire/outpoint.ts";
import { isCoinBase, transactionStrippedSize, WITNESS_SCALE_FACTOR } from "../wire/transaction.ts";
import type { Transaction } from "../wire/types.ts";
import { moneyRange } from "./amount.ts";
import { MAX_BLOCK_WEIGHT } from "./consensus.ts";
import { invalid, type TxValidationState, VALID } from "./validation_state.ts";

/** Inputs up to this count are compared pairwise; more go through a set. */
const PAIRWISE_DUPLICATE_LIMIT = 8;

function hasDuplicateInputs(tx: Transaction): boolean {
  const inputs = tx.inputs;
  const n = inputs.length;
  if (n <= PAIRWISE_DUPLICATE_LIMIT) {
    for (let i = 1; i < n; i++) {
      for (let j = 0; j < i; j++) if (outPointEquals(inputs[i].prevout, inputs[j].prevout)) return true;
    }
    return false;
  }
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const key = outPointKey(inputs[i].prevout);
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

/**
 * Core's `CheckTransaction`. The failures, in Core's order, all with result "TX_CONSENSUS":
 * - "bad-txns-vin-empty": no inputs;
 * - "bad-txns-vout-empty": no outputs;
 * - "bad-txns-oversize": the serialization without witnesses times 4 exceeds MAX_BLOCK_WEIGHT (witnesses are not
 *   counted: they are not yet known to be unmalleated);
 * - "bad-txns-vout-negative", "bad-txns-vout-toolarge" (above MAX_MONEY), "bad-txns-txouttotal-toolarge" (the
 *   running total leaves MoneyRange; CVE-2010-5139);
 * - "bad-txns-inputs-duplicate": two inputs spend the same outpoint (CVE-2018-17144);
 * - "bad-cb-length": a coinbase whose scriptSig is not 2 to 100 bytes;
 * - "bad-txns-prevout-null": a non-coinbase input spending the null outpoint.
 */
export function checkTransaction(tx: Transaction): TxValidationState {
  if (tx.inputs.length === 0) return invalid("TX_CONSENSUS", "bad-txns-vin-empty");
  if (tx.outputs.length === 0) return invalid("TX_CONSENSUS", "bad-txns-vout-empty");
  if (transactionStrippedSize(tx) * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT) {
    return invalid("TX_CONSENSUS", "bad-txns-oversize");
  }

  let valueOut = 0n;
  for (const output of tx.outputs) {
    if (output.value < 0n) return invalid("TX_CONSENSUS", "bad-txns-vout-negative");
    if (output.value > MAX_MONEY) return invalid("TX_CONSENSUS", "bad-txns-vout-toolarge");
    valueOut += output.value;
    if (!moneyRange(valueOut)) return invalid("TX_CONSENSUS", "bad-txns-txouttotal-toolarge");
  }

  if (hasDuplicateInputs(tx)) return invalid("TX_CONSENSUS", "bad-txns-inputs-duplicate");

  if (isCoinBase(tx)) {
    const size = tx.inputs[0].scriptSig.length;
    if (size < 2 || size > 100) return invalid("TX_CONSENSUS", "bad-cb-length");
  } else {
    for (const input of tx.inputs) {
      if (isNullOutPoint(input.prevout)) return invalid("TX_CONSENSUS", "bad-txns-prevout-null");
    }
  }
  return VALID;
}
