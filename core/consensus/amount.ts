/**
 * Amounts (Core's `consensus/amount.h`): satoshi values are int64 `bigint`s; `COIN` and `MAX_MONEY` live in
 * core/chain_params.ts and are re-exported by this folder's `mod.ts` for convenience.
 *
 * @module
 */

import { COIN, MAX_MONEY } from "../chain_params.ts";

/**
 * Core's `MoneyRange`: whether `value` is a valid amount, 0 ≤ value ≤ MAX_MONEY (21 million BTC in satoshis).
 * Consensus-critical: used for every output value and every running total.
 */
export function moneyRange(value: bigint): boolean {
  return value >= 0n && value <= MAX_MONEY;
}

/**
 * Core's `FormatMoney`: BTC with 8 decimals, trailing zeros trimmed down to 2 decimals, "-" for negative
 * amounts: 100000 → "0.001", 0 → "0.00", 100000000 → "1.00", -1 → "-0.00000001".
 */
export function formatMoney(sats: bigint): string {
  const neg = sats < 0n;
  const abs = neg ? -sats : sats;
  const quotient = abs / COIN;
  let frac = (abs % COIN).toString().padStart(8, "0");
  while (frac.length > 2 && frac.endsWith("0")) frac = frac.slice(0, -1);
  return `${neg ? "-" : ""}${quotient}.${frac}`;
}
