/** MoneyRange at its boundaries, and the ValidationState helpers. */

import { COIN, MAX_MONEY } from "../../../core/chain_params.ts";
import { moneyRange } from "../../../core/consensus/amount.ts";
import { invalid, VALID, validationStateToString } from "../../../core/consensus/validation_state.ts";
import { assertEquals } from "../../assert.ts";

Deno.test("moneyRange: 0..MAX_MONEY inclusive", () => {
  assertEquals(MAX_MONEY, 2_100_000_000_000_000n);
  assertEquals(moneyRange(0n), true);
  assertEquals(moneyRange(1n), true);
  assertEquals(moneyRange(COIN), true);
  assertEquals(moneyRange(MAX_MONEY), true);
  assertEquals(moneyRange(MAX_MONEY + 1n), false);
  assertEquals(moneyRange(-1n), false);
  assertEquals(moneyRange(-(1n << 63n)), false);
  assertEquals(moneyRange((1n << 63n) - 1n), false);
});

Deno.test("ValidationState: constructors and Core's ToString", () => {
  assertEquals(VALID, { valid: true });
  assertEquals(validationStateToString(VALID), "Valid");
  const a = invalid("TX_CONSENSUS", "bad-txns-vin-empty");
  assertEquals(a, { valid: false, result: "TX_CONSENSUS", reason: "bad-txns-vin-empty" });
  assertEquals(validationStateToString(a), "bad-txns-vin-empty");
  assertEquals(invalid("BLOCK_CONSENSUS", "x", ""), { valid: false, result: "BLOCK_CONSENSUS", reason: "x" });
  const b = invalid("BLOCK_MUTATED", "bad-txnmrklroot", "hashMerkleRoot mismatch");
  assertEquals(validationStateToString(b), "bad-txnmrklroot, hashMerkleRoot mismatch");
});
