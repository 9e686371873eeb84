/**
 * Transaction checks that need the spent coins (Core's `consensus/tx_verify.cpp`): `CheckTxInputs` (maturity and
 * amounts) and BIP68 relative lock-times (`CalculateSequenceLocks`, `EvaluateSequenceLocks`). Shared by block
 * validation (node/chain) and mempool acceptance (node/mempool), which differ only in where heights and median
 * times come from.
 *
 * @module
 */
import { COINBASE_MATURITY } from "../chain_params.ts";
import {
  SEQUENCE_LOCKTIME_DISABLE_FLAG,
  SEQUENCE_LOCKTIME_MASK,
  SEQUENCE_LOCKTIME_TYPE_FLAG,
} from "../script/tx_checker.ts";
import type { Transaction, TxOut } from "../wire/types.ts";
import { formatMoney, moneyRange } from "./amount.ts";
import { invalid, type TxValidationState, VALID } from "./validation_state.ts";

/** Time-based relative locks count in units of 2^9 = 512 seconds (`SEQUENCE_LOCKTIME_GRANULARITY`). */
export const SEQUENCE_LOCKTIME_GRANULARITY = 9;

/** A coin a transaction spends, as these checks need it (the storage's `Coin` fits). */
export interface SpentCoin {
  /** The output. */
  readonly out: TxOut;
  /** Height of the block that created it. */
  readonly height: number;
  /** Created by a coinbase. */
  readonly coinbase: boolean;
}

/**
 * Core's `Consensus::CheckTxInputs` for a transaction to be mined at `spendHeight`: coinbase maturity
 * ("bad-txns-premature-spend-of-coinbase", TX_PREMATURE_SPEND), input values in range
 * ("bad-txns-inputvalues-outofrange"), inputs covering outputs ("bad-txns-in-belowout") and the fee in range
 * ("bad-txns-fee-outofrange"), all TX_CONSENSUS otherwise. The fee is valid only with a valid state.
 */
export function checkTxInputs(
  tx: Transaction,
  spent: readonly SpentCoin[],
  spendHeight: number,
): { state: TxValidationState; fee: bigint } {
  let valueIn = 0n;
  for (const coin of spent) {
    if (coin.coinbase && spendHeight - coin.height < COINBASE_MATURITY) {
      return {
        state: invalid(
          "TX_PREMATURE_SPEND",
          "bad-txns-premature-spend-of-coinbase",
          `tried to spend coinbase at depth ${spendHeight - coin.height}`,
        ),
        fee: 0n,
      };
    }
    valueIn += coin.out.value;
    if (!moneyRange(coin.out.value) || !moneyRange(valueIn)) {
      return { state: invalid("TX_CONSENSUS", "bad-txns-inputvalues-outofrange"), fee: 0n };
    }
  }
  let valueOut = 0n;
  for (const o of tx.outputs) valueOut += o.value;
  if (valueIn < valueOut) {
    return {
      state: invalid(
        "TX_CONSENSUS",
        "bad-txns-in-belowout",
        `value in (${formatMoney(valueIn)}) < value out (${formatMoney(valueOut)})`,
      ),
      fee: 0n,
    };
  }
  const fee = valueIn - valueOut;
  if (!moneyRange(fee)) return { state: invalid("TX_CONSENSUS", "bad-txns-fee-outofrange"), fee: 0n };
  return { state: VALID, fee };
}

/** The lock pair of {@link calculateSequenceLocks}: the last height and median time the transaction is locked at. */
export interface SequenceLocks {
  /** Locked while the block height is at most this (-1: no height lock). */
  readonly minHeight: number;
  /** Locked while the previous block's median time past is at most this (-1: no time lock). */
  readonly minTime: number;
}

/**
 * Core's `CalculateSequenceLocks` (with BIP68 enforced): from the heights of the coins `tx` spends and
 * `mtpAt(height)`, the median time past of the block at a height on the chain the transaction is checked
 * against.
 */
export function calculateSequenceLocks(
  tx: Transaction,
  coinHeights: readonly number[],
  mtpAt: (height: number) => number,
): SequenceLocks {
  let minHeight = -1;
  let minTime = -1;
  if (tx.version < 2) return { minHeight, minTime };
  for (let i = 0; i < tx.inputs.length; i++) {
    const seq = tx.inputs[i].sequence;
    if (seq & SEQUENCE_LOCKTIME_DISABLE_FLAG) continue;
    const coinHeight = coinHeights[i];
    if (seq & SEQUENCE_LOCKTIME_TYPE_FLAG) {
      const coinTime = mtpAt(Math.max(coinHeight - 1, 0));
      minTime = Math.max(
        minTime,
        coinTime + ((seq & SEQUENCE_LOCKTIME_MASK) << SEQUENCE_LOCKTIME_GRANULARITY) - 1,
      );
    } else {
      minHeight = Math.max(minHeight, coinHeight + (seq & SEQUENCE_LOCKTIME_MASK) - 1);
    }
  }
  return { minHeight, minTime };
}

/** Core's `EvaluateSequenceLocks`: whether a block at `height` whose parent has `prevMtp` may include it. */
export function evaluateSequenceLocks(locks: SequenceLocks, height: number, prevMtp: number): boolean {
  return locks.minHeight < height && locks.minTime < prevMtp;
}
