/**
 * Ephemeral dust (Core's policy/ephemeral_policy.cpp): a standard transaction may create one dust output (see
 * `MAX_DUST_OUTPUTS_PER_TX`) only if it pays no fee itself, and a child entering the mempool must spend every
 * dust output of each unconfirmed parent it spends from, so the dust never reaches the UTXO set. Applied only
 * when standardness rules are (not with -acceptnonstdtxn).
 *
 * Transaction ids in these functions are display hex (as Core prints them and as RPCs show them).
 *
 * @module
 */

import { invalid, VALID } from "../../core/consensus/validation_state.ts";
import type { TxValidationState } from "../../core/consensus/validation_state.ts";
import { reverseHex } from "../../core/hash/hashes.ts";
import { txid, wtxid } from "../../core/wire/transaction.ts";
import type { Transaction } from "../../core/wire/types.ts";
import { getDust, isDust } from "./dust.ts";
import type { FeeRate } from "./feerate.ts";

/**
 * Core's `PreCheckEphemeralTx`: a transaction with a dust output must pay no fee, base or modified ("dust",
 * TX_NOT_STANDARD, "tx with dust output must be 0-fee"), so it has no reason to be mined without its child.
 */
export function preCheckEphemeralTx(
  tx: Transaction,
  dustRelayFeeRate: FeeRate,
  baseFee: bigint,
  modifiedFee: bigint,
): TxValidationState {
  if ((baseFee !== 0n || modifiedFee !== 0n) && getDust(tx, dustRelayFeeRate).length > 0) {
    return invalid("TX_NOT_STANDARD", "dust", "tx with dust output must be 0-fee");
  }
  return VALID;
}

/** What {@link checkEphemeralSpends} found wrong: the child's state and its wtxid. */
export interface EphemeralSpendFailure {
  /** "missing-ephemeral-spends" (TX_MEMPOOL_POLICY), "tx <txid> (wtxid=<wtxid>) did not spend parent's …". */
  readonly state: TxValidationState;
  /** Display-hex wtxid of the child that left dust unspent. */
  readonly childWtxid: string;
}

/**
 * Core's `CheckEphemeralSpends`: for each transaction of `pkg` (a single transaction or a package), every dust
 * output of each parent it spends from — a parent earlier in the package, or an unconfirmed one that
 * `mempoolTx(txid)` returns — must be spent by that transaction. Null when all dust is spent.
 */
export function checkEphemeralSpends(
  pkg: readonly Transaction[],
  dustRelayFeeRate: FeeRate,
  mempoolTx: (txid: string) => Transaction | undefined,
): EphemeralSpendFailure | null {
  const inPackage = new Map<string, Transaction>();
  for (const tx of pkg) inPackage.set(reverseHex(txid(tx)), tx);
  for (const tx of pkg) {
    const processed = new Set<string>();
    const unspentDust = new Set<string>();
    for (const input of tx.inputs) {
      const parentTxid = reverseHex(input.prevout.txid);
      if (processed.has(parentTxid)) continue;
      const parent = inPackage.get(parentTxid) ?? mempoolTx(parentTxid);
      if (parent !== undefined) {
        parent.outputs.forEach((output, vout) => {
          if (isDust(output, dustRelayFeeRate)) unspentDust.add(`${parentTxid}:${vout}`);
        });
      }
      processed.add(parentTxid);
    }
    if (unspentDust.size === 0) continue;
    for (const input of tx.inputs) {
      unspentDust.delete(`${reverseHex(input.prevout.txid)}:${input.prevout.vout}`);
    }
    if (unspentDust.size > 0) {
      const childTxid = reverseHex(txid(tx));
      const childWtxid = reverseHex(wtxid(tx));
      return {
        state: invalid(
          "TX_MEMPOOL_POLICY",
          "missing-ephemeral-spends",
          `tx ${childTxid} (wtxid=${childWtxid}) did not spend parent's ephemeral dust`,
        ),
        childWtxid,
      };
    }
  }
  return null;
}
