/** Ephemeral dust: 0-fee rule for dust-creating transactions and the child's duty to spend the dust. */

import { reverseHex } from "../../../core/hash/hashes.ts";
import { txid, wtxid } from "../../../core/wire/transaction.ts";
import type { Transaction } from "../../../core/wire/types.ts";
import { checkEphemeralSpends, preCheckEphemeralTx } from "../../../node/policy/ephemeral.ts";
import { FeeRate } from "../../../node/policy/feerate.ts";
import { assertEquals } from "../../assert.ts";
import { fakeTxid, input, outpoint, output, P2A, p2wpkh, tx } from "./tx_helpers.ts";

const DUST = FeeRate.fromSatPerKvB(3000);

const parentWithDust = tx([input(outpoint(fakeTxid(1)))], [output(10_000, p2wpkh()), output(0, P2A)], {
  version: 3,
});
const parentId = txid(parentWithDust);

Deno.test("preCheckEphemeralTx: a transaction with dust must pay no fee (base nor modified)", () => {
  assertEquals(preCheckEphemeralTx(parentWithDust, DUST, 0n, 0n), { valid: true });
  const failure = {
    valid: false,
    result: "TX_NOT_STANDARD",
    reason: "dust",
    debug: "tx with dust output must be 0-fee",
  };
  assertEquals(preCheckEphemeralTx(parentWithDust, DUST, 1n, 1n), failure);
  assertEquals(preCheckEphemeralTx(parentWithDust, DUST, 0n, 1000n), failure, "prioritised");
  assertEquals(preCheckEphemeralTx(parentWithDust, DUST, 1000n, 0n), failure, "de-prioritised to 0");
  const noDust = tx([input(outpoint(fakeTxid(1)))], [output(10_000, p2wpkh())]);
  assertEquals(preCheckEphemeralTx(noDust, DUST, 500n, 500n), { valid: true });
});

function failureOf(pkg: Transaction[], mempool: Transaction[] = []) {
  const byId = new Map(mempool.map((t) => [reverseHex(txid(t)), t]));
  return checkEphemeralSpends(pkg, DUST, (id) => byId.get(id));
}

Deno.test("checkEphemeralSpends: the child must spend the parent's dust, in a package or from the mempool", () => {
  const sweeping = tx([input(outpoint(parentId, 0)), input(outpoint(parentId, 1))], [
    output(9_000, p2wpkh()),
  ]);
  const notSweeping = tx([input(outpoint(parentId, 0))], [output(9_000, p2wpkh())]);
  assertEquals(failureOf([parentWithDust, sweeping]), null);
  assertEquals(failureOf([sweeping], [parentWithDust]), null);
  const expected = {
    state: {
      valid: false,
      result: "TX_MEMPOOL_POLICY",
      reason: "missing-ephemeral-spends",
      debug: `tx ${reverseHex(txid(notSweeping))} (wtxid=${
        reverseHex(wtxid(notSweeping))
      }) did not spend parent's ephemeral dust`,
    },
    childWtxid: reverseHex(wtxid(notSweeping)),
  };
  assertEquals(failureOf([parentWithDust, notSweeping]), expected);
  assertEquals(failureOf([notSweeping], [parentWithDust]), expected);
  // a parent that is neither in the package nor the mempool (confirmed) has no ephemeral dust to sweep
  assertEquals(failureOf([notSweeping]), null);
  // the parent alone is fine
  assertEquals(failureOf([parentWithDust]), null);
});

Deno.test("checkEphemeralSpends: every parent's dust, with duplicate parents looked at once", () => {
  const other = tx([input(outpoint(fakeTxid(2)))], [output(0, P2A), output(5_000, p2wpkh())], { version: 3 });
  const otherId = txid(other);
  const child = tx(
    [input(outpoint(parentId, 1)), input(outpoint(parentId, 0)), input(outpoint(otherId, 1))],
    [output(1, p2wpkh())],
  );
  assertEquals(failureOf([parentWithDust, other, child])?.state.valid, false);
  const fixed = { ...child, inputs: [...child.inputs, input(outpoint(otherId, 0))] };
  assertEquals(failureOf([parentWithDust, other, fixed]), null);
});
