import {
  feeModeFromString,
  feeModes,
  feeModesDetail,
  invalidEstimateModeErrorMessage,
} from "../../../node/fees/fee_modes.ts";
import { assertEquals } from "../../assert.ts";

Deno.test("fee modes: names, case-insensitive parsing and Core's texts", () => {
  assertEquals(feeModeFromString("unset"), "unset");
  assertEquals(feeModeFromString("ECONOMICAL"), "economical");
  assertEquals(feeModeFromString("Conservative"), "conservative");
  assertEquals(feeModeFromString("conservative "), undefined);
  assertEquals(feeModeFromString(""), undefined);
  assertEquals(feeModes(", "), "unset, economical, conservative");
  assertEquals(
    invalidEstimateModeErrorMessage(),
    'Invalid estimate_mode parameter, must be one of: "unset", "economical", "conservative"',
  );
  const detail = feeModesDetail("default mode will be used");
  assertEquals(detail.split("\n").slice(0, 3), [
    "unset, economical, conservative ",
    "unset means no mode set (default mode will be used). ",
    "economical estimates use a shorter time horizon, making them more",
  ]);
  assertEquals(detail.endsWith("potentially returns a higher fee rate estimate.\n"), true);
});
