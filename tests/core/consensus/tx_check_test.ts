/**
 * CheckTransaction: Core's tx_valid.json (all pass) and tx_invalid.json (BADTX rows fail with the reason their
 * comment describes; every other row passes, as Core's transaction_tests require), Core's tx_oversized and
 * basic_transaction_tests, and a hand-built case for every reject reason and boundary.
 */

import { COIN, MAX_MONEY } from "../../../core/chain_params.ts";
import { checkTransaction } from "../../../core/consensus/tx_check.ts";
import { MAX_BLOCK_WEIGHT } from "../../../core/consensus/consensus.ts";
import { NULL_OUTPOINT } from "../../../core/wire/outpoint.ts";
import { decodeTransaction, transactionStrippedSize } from "../../../core/wire/transaction.ts";
import type { OutPoint, Transaction, TxIn, TxOut } from "../../../core/wire/types.ts";
import { assert, assertEquals } from "../../assert.ts";
import { hex, readVectorJson } from "../vectors.ts";

type Row = unknown[];

function reasonOf(tx: Transaction): string {
  const s = checkTransaction(tx);
  return s.valid ? "valid" : s.reason;
}

/** Test rows with the comment lines before them (a row with none keeps the previous comment). */
function rowsWithComments(rows: Row[]): { index: number; comment: string; txHex: string; flags: string }[] {
  const out: { index: number; comment: string; txHex: string; flags: string }[] = [];
  let pending: string[] = [];
  let last = "";
  rows.forEach((row, index) => {
    if (!Array.isArray(row[0])) {
      pending.push(String(row[0]));
      return;
    }
    if (pending.length > 0) last = pending.join(" ");
    pending = [];
    out.push({ index, comment: last, txHex: String(row[1]), flags: String(row[2]) });
  });
  return out;
}

const validRows = rowsWithComments(await readVectorJson<Row[]>("tx_valid.json"));
const invalidRows = rowsWithComments(await readVectorJson<Row[]>("tx_invalid.json"));

Deno.test("tx_valid.json: all 121 transactions pass CheckTransaction", () => {
  assertEquals(validRows.length, 121);
  const failures = validRows.filter((r) => reasonOf(decodeTransaction(hex(r.txHex))) !== "valid");
  assertEquals(failures.map((r) => `#${r.index}: ${reasonOf(decodeTransaction(hex(r.txHex)))}`), []);
});

/** The reject reason each BADTX comment of tx_invalid.json describes. */
const BADTX_REASONS: readonly [RegExp, string][] = [
  [/No outputs/, "bad-txns-vout-empty"],
  [/Negative output/, "bad-txns-vout-negative"],
  [/^MAX_MONEY \+ 1 output/, "bad-txns-vout-toolarge"],
  [/^MAX_MONEY output \+ 1 output/, "bad-txns-txouttotal-toolarge"],
  [/Duplicate inputs/, "bad-txns-inputs-duplicate"],
  [/Coinbase of size 1\b/, "bad-cb-length"],
  [/Coinbase of size 101/, "bad-cb-length"],
  [/Null txin, but without being a coinbase/, "bad-txns-prevout-null"],
];

function expectedBadTxReason(comment: string): string {
  const hit = BADTX_REASONS.find(([re]) => re.test(comment.replace(/^Tests for CheckTransaction\(\) /, "")));
  if (hit === undefined) throw new Error(`No expected reason for BADTX comment: ${comment}`);
  return hit[1];
}

const badTx = invalidRows.filter((r) => r.flags === "BADTX");

Deno.test("tx_invalid.json: 9 BADTX rows", () => assertEquals(badTx.length, 9));

for (const r of badTx) {
  const expected = expectedBadTxReason(r.comment);
  Deno.test(`tx_invalid.json #${r.index} [BADTX]: ${r.comment.slice(0, 80)} -> ${expected}`, () => {
    const state = checkTransaction(decodeTransaction(hex(r.txHex)));
    assertEquals(state.valid ? "valid" : `${state.result} ${state.reason}`, `TX_CONSENSUS ${expected}`);
  });
}

Deno.test("tx_invalid.json: the 84 other rows pass CheckTransaction (their failure is in the scripts)", () => {
  const others = invalidRows.filter((r) => r.flags !== "BADTX");
  assertEquals(others.length, 84);
  const failures = others.filter((r) => reasonOf(decodeTransaction(hex(r.txHex))) !== "valid");
  assertEquals(failures.map((r) => `#${r.index}`), []);
});

// --- hand-built cases ---

function outpoint(n: number, vout = 0): OutPoint {
  const t = new Uint8Array(32);
  t[0] = n & 0xff;
  t[1] = n >> 8;
  t[31] = 1;
  return { txid: t, vout };
}

function input(prevout: OutPoint, scriptSig: Uint8Array = new Uint8Array(0)): TxIn {
  return { prevout, scriptSig, sequence: 0xffffffff, witness: [] };
}

function output(value: bigint, scriptPubKey: Uint8Array = Uint8Array.of(0x51)): TxOut {
  return { value, scriptPubKey };
}

function tx(inputs: TxIn[], outputs: TxOut[]): Transaction {
  return { version: 2, inputs, outputs, locktime: 0 };
}

Deno.test("checkTransaction: a simple spend is valid", () => {
  assertEquals(checkTransaction(tx([input(outpoint(1))], [output(COIN)])), { valid: true });
});

Deno.test("checkTransaction: empty inputs / outputs (inputs checked first)", () => {
  assertEquals(reasonOf(tx([], [output(1n)])), "bad-txns-vin-empty");
  assertEquals(reasonOf(tx([input(outpoint(1))], [])), "bad-txns-vout-empty");
  assertEquals(reasonOf(tx([], [])), "bad-txns-vin-empty");
});

Deno.test("checkTransaction: output values at the MAX_MONEY boundaries", () => {
  const i = [input(outpoint(1))];
  assertEquals(reasonOf(tx(i, [output(0n)])), "valid");
  assertEquals(reasonOf(tx(i, [output(MAX_MONEY)])), "valid");
  assertEquals(reasonOf(tx(i, [output(MAX_MONEY + 1n)])), "bad-txns-vout-toolarge");
  assertEquals(reasonOf(tx(i, [output(-1n)])), "bad-txns-vout-negative");
  assertEquals(reasonOf(tx(i, [output(-(1n << 63n))])), "bad-txns-vout-negative");
  assertEquals(reasonOf(tx(i, [output((1n << 63n) - 1n)])), "bad-txns-vout-toolarge");
  // The sum: exactly MAX_MONEY passes, one satoshi more fails.
  assertEquals(reasonOf(tx(i, [output(MAX_MONEY - 1n), output(1n)])), "valid");
  assertEquals(reasonOf(tx(i, [output(MAX_MONEY), output(1n)])), "bad-txns-txouttotal-toolarge");
  assertEquals(reasonOf(tx(i, [output(MAX_MONEY), output(MAX_MONEY)])), "bad-txns-txouttotal-toolarge");
  // Outputs are checked in order: a negative after an overflow reports the overflow.
  assertEquals(reasonOf(tx(i, [output(MAX_MONEY), output(1n), output(-1n)])), "bad-txns-txouttotal-toolarge");
  assertEquals(reasonOf(tx(i, [output(1n), output(-5n), output(MAX_MONEY + 1n)])), "bad-txns-vout-negative");
  // Many outputs whose sum would overflow int64 in a naive sum are caught at MAX_MONEY.
  const many = Array.from({ length: 30 }, () => output(MAX_MONEY));
  assertEquals(reasonOf(tx(i, many)), "bad-txns-txouttotal-toolarge");
});

Deno.test("checkTransaction: duplicate inputs (pairwise and set paths)", () => {
  assertEquals(
    reasonOf(tx([input(outpoint(1)), input(outpoint(1))], [output(1n)])),
    "bad-txns-inputs-duplicate",
  );
  // Same txid, other index: not a duplicate.
  assertEquals(reasonOf(tx([input(outpoint(1, 0)), input(outpoint(1, 1))], [output(1n)])), "valid");
  // Same index, other txid.
  assertEquals(reasonOf(tx([input(outpoint(1, 0)), input(outpoint(2, 0))], [output(1n)])), "valid");
  for (const n of [3, 8, 9, 50, 500]) {
    const inputs = Array.from({ length: n }, (_, k) => input(outpoint(k)));
    assertEquals(reasonOf(tx(inputs, [output(1n)])), "valid", `${n} distinct inputs`);
    const dup = [...inputs, input(outpoint(n - 2))];
    assertEquals(reasonOf(tx(dup, [output(1n)])), "bad-txns-inputs-duplicate", `${n} inputs + duplicate`);
  }
  // Core's basic_transaction_tests: a real transaction, then with its input repeated.
  const real = decodeTransaction(hex(
    "01000000016bff7fcd4f8565ef406dd5d63d4ff94f318fe82027fd4dc451b04474019f74b4000000008c493046022100da0dc6aecefe1e06efdf05773757deb168820930e3b0d03f46f5fcf150bf990c022100d25b5c87040076e4f253f8262e763e2dd51e7ff0be157727c4bc42807f17bd39014104e6c26ef67dc610d2cd192484789a6cf9aea9930b944b7e2db5342b9d9e5b9ff79aff9a2ee1978dd7fd01dfc522ee02283d3b06a9d03acf8096968d7dbb0f9178ffffffff028ba7940e000000001976a914badeecfdef0507247fc8f74241d73bc039972d7b88ac4094a802000000001976a914c10932483fec93ed51f5fe95e72559f2cc7043f988ac00000000",
  ));
  assertEquals(reasonOf(real), "valid");
  assertEquals(reasonOf({ ...real, inputs: [...real.inputs, real.inputs[0]] }), "bad-txns-inputs-duplicate");
});

Deno.test("checkTransaction: coinbase scriptSig must be 2..100 bytes", () => {
  const cb = (size: number) =>
    tx([input(NULL_OUTPOINT, new Uint8Array(size).fill(0x51))], [output(50n * COIN)]);
  assertEquals(reasonOf(cb(0)), "bad-cb-length");
  assertEquals(reasonOf(cb(1)), "bad-cb-length");
  assertEquals(reasonOf(cb(2)), "valid");
  assertEquals(reasonOf(cb(100)), "valid");
  assertEquals(reasonOf(cb(101)), "bad-cb-length");
  // A coinbase's value is not limited here (that needs the subsidy and fees), only MoneyRange.
  assertEquals(reasonOf(tx([input(NULL_OUTPOINT, Uint8Array.of(1, 1))], [output(MAX_MONEY)])), "valid");
});

Deno.test("checkTransaction: the null prevout outside a coinbase", () => {
  // Two inputs, one null: not a coinbase, so the null prevout is invalid.
  assertEquals(
    reasonOf(tx([input(NULL_OUTPOINT), input(outpoint(1))], [output(1n)])),
    "bad-txns-prevout-null",
  );
  assertEquals(
    reasonOf(tx([input(outpoint(1)), input(NULL_OUTPOINT)], [output(1n)])),
    "bad-txns-prevout-null",
  );
  // Zero txid with index 0 is not null.
  assertEquals(reasonOf(tx([input({ txid: new Uint8Array(32), vout: 0 })], [output(1n)])), "valid");
  // Index 0xffffffff with a non-zero txid is not null.
  assertEquals(reasonOf(tx([input(outpoint(1, 0xffffffff))], [output(1n)])), "valid");
  // Two null inputs: duplicates are found first.
  assertEquals(
    reasonOf(tx([input(NULL_OUTPOINT), input(NULL_OUTPOINT)], [output(1n)])),
    "bad-txns-inputs-duplicate",
  );
});

Deno.test("checkTransaction: size limit on the serialization without witnesses (Core's tx_oversized)", () => {
  const make = (payload: number, witness: Uint8Array[] = []) => {
    // OP_RETURN + PUSHDATA4 <payload>
    const script = new Uint8Array(1 + 5 + payload);
    script[0] = 0x6a;
    script[1] = 0x4e;
    new DataView(script.buffer).setUint32(2, payload, true);
    return tx([{ ...input(outpoint(1)), witness }], [output(1n, script)]);
  };
  const maxSize = MAX_BLOCK_WEIGHT / 4;
  const base = transactionStrippedSize(make(maxSize)) - maxSize;
  const fits = make(maxSize - base);
  assertEquals(transactionStrippedSize(fits), maxSize);
  assertEquals(reasonOf(fits), "valid");
  assertEquals(reasonOf(make(maxSize - base + 1)), "bad-txns-oversize");
  // Witness bytes do not count.
  const big = new Uint8Array(2_000_000);
  assertEquals(reasonOf(make(maxSize - base, [big])), "valid");
  // Oversize is reported before output values.
  const over = make(maxSize - base + 1);
  assertEquals(reasonOf({ ...over, outputs: [...over.outputs, output(-1n)] }), "bad-txns-oversize");
});

Deno.test("checkTransaction: results carry TX_CONSENSUS and no debug text", () => {
  const s = checkTransaction(tx([], [output(1n)]));
  assert(!s.valid);
  assertEquals(s, { valid: false, result: "TX_CONSENSUS", reason: "bad-txns-vin-empty" });
});
