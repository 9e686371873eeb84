/**
 * Properties (fast-check): CheckTransaction never throws and agrees with an independent model of Core's rules
 * on generated transactions (duplicate and null prevouts, any int64 amounts, coinbase script sizes); CheckBlock
 * never throws on generated blocks and always answers with one of Core's reasons.
 */

import fc from "fast-check";
import { MAX_MONEY } from "../../../core/chain_params.ts";
import { chainParams } from "../../../core/chain_params.ts";
import { checkBlock } from "../../../core/consensus/block_check.ts";
import { checkTransaction } from "../../../core/consensus/tx_check.ts";
import type { OutPoint, Transaction } from "../../../core/wire/types.ts";
import { assertEquals } from "../../assert.ts";

const NULL: OutPoint = { txid: new Uint8Array(32), vout: 0xffffffff };

/** Prevouts from a small pool, so duplicates and the null outpoint come up often. */
const outpoint = fc.oneof(
  fc.constant(NULL),
  fc.record({
    txid: fc.constantFrom(new Uint8Array(32), new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)),
    vout: fc.constantFrom(0, 1, 0xffffffff),
  }),
);

const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const amount = fc.oneof(
  int64,
  fc.constantFrom(0n, 1n, -1n, MAX_MONEY, MAX_MONEY + 1n, MAX_MONEY - 1n),
  fc.bigInt({ min: 0n, max: MAX_MONEY }),
);

const tx: fc.Arbitrary<Transaction> = fc.record({
  version: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  inputs: fc.array(
    fc.record({
      prevout: outpoint,
      scriptSig: fc.uint8Array({ maxLength: 110 }),
      sequence: fc.nat(),
      witness: fc.array(fc.uint8Array({ maxLength: 4 }), { maxLength: 2 }),
    }),
    { maxLength: 4 },
  ),
  outputs: fc.array(fc.record({ value: amount, scriptPubKey: fc.uint8Array({ maxLength: 5 }) }), {
    maxLength: 4,
  }),
  locktime: fc.nat(),
});

const sameOutpoint = (a: OutPoint, b: OutPoint) =>
  a.vout === b.vout && a.txid.every((x, i) => x === b.txid[i]);
const isNull = (o: OutPoint) => sameOutpoint(o, NULL);

/** Core's CheckTransaction rules, written independently (these transactions are far below the size limit). */
function model(t: Transaction): string {
  if (t.inputs.length === 0) return "bad-txns-vin-empty";
  if (t.outputs.length === 0) return "bad-txns-vout-empty";
  const total = { sum: 0n };
  for (const o of t.outputs) {
    if (o.value < 0n) return "bad-txns-vout-negative";
    if (o.value > MAX_MONEY) return "bad-txns-vout-toolarge";
    total.sum += o.value;
    if (total.sum > MAX_MONEY) return "bad-txns-txouttotal-toolarge";
  }
  const keys = t.inputs.map((i) => `${i.prevout.txid[0]}:${i.prevout.vout}`);
  if (new Set(keys).size !== keys.length) return "bad-txns-inputs-duplicate";
  if (t.inputs.length === 1 && isNull(t.inputs[0].prevout)) {
    const n = t.inputs[0].scriptSig.length;
    return n < 2 || n > 100 ? "bad-cb-length" : "valid";
  }
  return t.inputs.some((i) => isNull(i.prevout)) ? "bad-txns-prevout-null" : "valid";
}

Deno.test("property: checkTransaction agrees with a model of Core's rules and never throws", () => {
  fc.assert(
    fc.property(tx, (t) => {
      const s = checkTransaction(t);
      assertEquals(s.valid ? "valid" : s.reason, model(t));
      if (!s.valid) assertEquals(s.result, "TX_CONSENSUS");
    }),
    { numRuns: 3000 },
  );
});

const REASONS = new Set([
  "valid",
  "bad-txnmrklroot",
  "bad-txns-duplicate",
  "bad-blk-length",
  "bad-cb-missing",
  "bad-cb-multiple",
  "bad-blk-sigops",
  "bad-blk-weight",
  "bad-txns-vin-empty",
  "bad-txns-vout-empty",
  "bad-txns-vout-negative",
  "bad-txns-vout-toolarge",
  "bad-txns-txouttotal-toolarge",
  "bad-txns-inputs-duplicate",
  "bad-cb-length",
  "bad-txns-prevout-null",
]);

Deno.test("property: checkBlock never throws and answers with Core's reasons", () => {
  const params = chainParams("regtest").consensus;
  fc.assert(
    fc.property(
      fc.array(tx, { maxLength: 6 }),
      fc.boolean(),
      fc.boolean(),
      (txs, checkMerkleRoot, checkWeight) => {
        const block = {
          header: {
            version: 1,
            prevBlock: new Uint8Array(32),
            merkleRoot: new Uint8Array(32),
            time: 0,
            bits: 0x207fffff,
            nonce: 0,
          },
          txs,
        };
        const s = checkBlock(block, params, { checkPow: false, checkMerkleRoot, checkWeight });
        const reason = s.valid ? "valid" : s.reason;
        if (!REASONS.has(reason)) throw new Error(`Unexpected reason ${reason}`);
      },
    ),
    { numRuns: 1000 },
  );
});
