/**
 * Amounts (Core's `consensus/amount.h`): satoshi values are int64 `bigint`s; `COIN` and `MAX_MONEY` live in
 * core/chain_params.ts and are re-exported by this folder's `mod.ts` for convenience.
 *
 * @module
 */

import { MAX_MONEY } from "../chain_params.ts";

/**
 * Core's `MoneyRange`: whether `value` is a valid amount, 0 ≤ value ≤ MAX_MONEY (21 million BTC in satoshis).
 * Consensus-critical: used for every output value and every running total.
 */
export function moneyRange(value: bigint): boolean {
  return value >= 0n && value <= MAX_MONEY;
}
