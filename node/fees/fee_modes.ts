/**
 * Fee estimate modes and their texts (Core's `FeeEstimateMode` in util/fees.h and common/messages.cpp:
 * `FeeModeFromString`, `FeeModes`, `FeeModesDetail`, `InvalidEstimateModeErrorMessage`), shared by
 * `estimatesmartfee` and the wallet's fee options.
 *
 * @module
 */

/** A fee estimate mode (Core's `FeeEstimateMode`): default, non-conservative or conservative estimates. */
export type FeeEstimateMode = "unset" | "economical" | "conservative";

/** The modes in Core's order. */
export const FEE_MODES: readonly FeeEstimateMode[] = ["unset", "economical", "conservative"];

/** The mode named `text`, case-insensitively (Core's `FeeModeFromString`), or undefined. */
export function feeModeFromString(text: string): FeeEstimateMode | undefined {
  const key = text.toUpperCase();
  return FEE_MODES.find((m) => m.toUpperCase() === key);
}

/** The mode names joined by `delimiter` (Core's `FeeModes`). */
export function feeModes(delimiter: string): string {
  return FEE_MODES.join(delimiter);
}

/** Core's help text for the modes (`FeeModesDetail`); `defaultInfo` says what "unset" means. */
export function feeModesDetail(defaultInfo: string): string {
  const info = [
    `unset means no mode set (${defaultInfo}). \n`,
    "economical estimates use a shorter time horizon, making them more\n" +
    "responsive to short-term drops in the prevailing fee market. This mode\n" +
    "potentially returns a lower fee rate estimate.\n",
    "conservative estimates use a longer time horizon, making them\n" +
    "less responsive to short-term drops in the prevailing fee market. This mode\n" +
    "potentially returns a higher fee rate estimate.\n",
  ].join("");
  return `${feeModes(", ")} \n${info}`;
}

/**
 * Core's `InvalidEstimateModeErrorMessage`:
 * `Invalid estimate_mode parameter, must be one of: "unset", "economical", "conservative"`.
 */
export function invalidEstimateModeErrorMessage(): string {
  return `Invalid estimate_mode parameter, must be one of: "${feeModes('", "')}"`;
}
