/**
 * Dust (Core's `GetDustThreshold`, `IsDust`, `GetDust` in policy/policy.cpp): an output is dust when its value
 * is below what spending it would cost at the dust relay feerate (-dustrelayfee, 3000 sat/kvB by default). The
 * spend is priced as a 148-byte input for non-witness outputs and a 67-vbyte input (P2WPKH-sized, witness
 * discounted) for any witness program. At the default rate: P2PKH 546, P2SH 540, P2PK 576 (compressed) / 672
 * (uncompressed), P2WPKH 294, P2WSH and P2TR 330, P2A and other 2-byte witness programs 240, OP_RETURN 0.
 *
 * @module
 */

import { isUnspendable, isWitnessProgram } from "../../core/script/script.ts";
import { WITNESS_SCALE_FACTOR } from "../../core/wire/transaction.ts";
import type { Transaction, TxOut } from "../../core/wire/types.ts";
import { compactSizeLength } from "../../core/wire/writer.ts";
import type { FeeRate } from "./feerate.ts";

/** Serialized size of a transaction output: 8-byte value, CompactSize script length, script. */
export function txOutSerializedSize(txout: TxOut): number {
  const n = txout.scriptPubKey.length;
  return 8 + compactSizeLength(n) + n;
}

/** Size of the input that spends a non-witness output: prevout 32+4, script length 1, scriptSig 107, sequence 4. */
const NON_WITNESS_SPEND_SIZE = 32 + 4 + 1 + 107 + 4;
/** The same input spending a witness program, its 107 witness bytes discounted (integer division, as Core). */
const WITNESS_SPEND_SIZE = 32 + 4 + 1 + Math.floor(107 / WITNESS_SCALE_FACTOR) + 4;

/**
 * Core's `GetDustThreshold`: 0 for an unspendable output (OP_RETURN first, or a script over 10,000 bytes);
 * otherwise the fee at `dustRelayFeeRate` (rounded up) for the output's serialized size plus the input that
 * would spend it (148 bytes, or 67 for a witness program).
 */
export function getDustThreshold(txout: TxOut, dustRelayFeeRate: FeeRate): bigint {
  if (isUnspendable(txout.scriptPubKey)) return 0n;
  const spend = isWitnessProgram(txout.scriptPubKey) !== null ? WITNESS_SPEND_SIZE : NON_WITNESS_SPEND_SIZE;
  return dustRelayFeeRate.getFee(txOutSerializedSize(txout) + spend);
}

/** Core's `IsDust`: the output's value is below {@link getDustThreshold}. */
export function isDust(txout: TxOut, dustRelayFeeRate: FeeRate): boolean {
  return txout.value < getDustThreshold(txout, dustRelayFeeRate);
}

/** Core's `GetDust`: the indexes of `tx`'s dust outputs, in order. */
export function getDust(tx: Transaction, dustRelayFeeRate: FeeRate): number[] {
  const out: number[] = [];
  for (let i = 0; i < tx.outputs.length; i++) {
    if (isDust(tx.outputs[i], dustRelayFeeRate)) out.push(i);
  }
  return out;
}
