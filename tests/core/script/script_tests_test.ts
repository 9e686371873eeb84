/**
 * Every row of Core's script_tests.json, run as Core's script_tests.cpp does: a crediting transaction holds the
 * scriptPubKey and amount, a spending transaction carries the scriptSig and witness, and VerifyScript runs with a
 * TransactionSignatureChecker on it under the row's flags (CLEANSTACK adding P2SH and WITNESS). The result must
 * be the row's error, and (as in Core) stay the same when flags are removed from a passing row or added to a
 * failing one. The five tapscript rows with placeholders are built as Core's harness builds them.
 */

import { parseScriptAsm } from "../../../core/script/asm.ts";
import {
  MAX_SCRIPT_VERIFY_FLAGS_BITS,
  parseScriptFlags,
  SCRIPT_VERIFY_CLEANSTACK,
  SCRIPT_VERIFY_P2SH,
  SCRIPT_VERIFY_WITNESS,
} from "../../../core/script/flags.ts";
import { verifyScript } from "../../../core/script/interpreter.ts";
import { isScriptError, type ScriptError } from "../../../core/script/script_error.ts";
import { TransactionSignatureChecker } from "../../../core/script/tx_checker.ts";
import { txid } from "../../../core/wire/transaction.ts";
import type { Transaction } from "../../../core/wire/types.ts";
import { hex, readVectorJson } from "../vectors.ts";
import { taprootLeaf } from "./interpreter_helpers.ts";

type Row = unknown[];

/** One parsed test row. */
interface Case {
  index: number;
  text: string;
  comment: string;
  scriptSig: Uint8Array;
  scriptPubKey: Uint8Array;
  witness: Uint8Array[];
  amount: bigint;
  flags: number;
  expected: ScriptError | null;
}

/** BTC amount as JSON number -> satoshis (the vectors use at most 8 decimals). */
function satoshis(btc: number): bigint {
  return BigInt(Math.round(btc * 1e8));
}

function parseRow(row: Row, index: number): Case | null {
  const text = JSON.stringify(row);
  let pos = 0;
  const witness: Uint8Array[] = [];
  let amount = 0n;
  let tapOutput: Uint8Array | null = null;
  if (Array.isArray(row[0])) {
    const items = row[0] as unknown[];
    for (let i = 0; i < items.length - 1; i++) {
      const element = items[i] as string;
      if (element.startsWith("#SCRIPT#")) {
        witness.push(parseScriptAsm(element.slice("#SCRIPT#".length)));
      } else if (element === "#CONTROLBLOCK#") {
        // Single-leaf tree over the previous item (tapscript leaf), internal key = x-only key of secret 1.
        const leaf = taprootLeaf(witness[witness.length - 1], { leafVersion: 0xc0, internalSecret: 1n });
        witness.push(leaf.control);
        tapOutput = leaf.output;
      } else {
        witness.push(hex(element));
      }
    }
    amount = satoshis(items[items.length - 1] as number);
    pos++;
  }
  if (row.length < 4 + pos) {
    if (row.length !== 1) throw new Error(`Bad test: ${text}`);
    return null;
  }
  const scriptSig = parseScriptAsm(row[pos++] as string);
  const spkText = row[pos++] as string;
  let scriptPubKey: Uint8Array;
  if (spkText === "0x51 0x20 #TAPROOTOUTPUT#") {
    if (tapOutput === null) throw new Error(`Bad test (no control block for the taproot output): ${text}`);
    scriptPubKey = Uint8Array.of(0x51, 0x20, ...tapOutput);
  } else {
    scriptPubKey = parseScriptAsm(spkText);
  }
  let flags = parseScriptFlags(row[pos++] as string);
  if (flags & SCRIPT_VERIFY_CLEANSTACK) flags |= SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS;
  const expectedName = row[pos++] as string;
  if (expectedName !== "OK" && !isScriptError(expectedName)) {
    throw new Error(`Unknown script error in ${text}`);
  }
  const expected = expectedName === "OK" ? null : expectedName as ScriptError;
  const comment = typeof row[pos] === "string" ? row[pos] as string : "";
  return { index, text, comment, scriptSig, scriptPubKey, witness, amount, flags, expected };
}

/** Core's BuildCreditingTransaction and BuildSpendingTransaction. */
function buildTransactions(c: Case): { credit: Transaction; spend: Transaction } {
  const credit: Transaction = {
    version: 1,
    locktime: 0,
    inputs: [{
      prevout: { txid: new Uint8Array(32), vout: 0xffffffff },
      scriptSig: Uint8Array.of(0x00, 0x00), // CScript() << CScriptNum(0) << CScriptNum(0)
      sequence: 0xffffffff,
      witness: [],
    }],
    outputs: [{ value: c.amount, scriptPubKey: c.scriptPubKey }],
  };
  const spend: Transaction = {
    version: 1,
    locktime: 0,
    inputs: [{
      prevout: { txid: txid(credit), vout: 0 },
      scriptSig: c.scriptSig,
      sequence: 0xffffffff,
      witness: c.witness,
    }],
    outputs: [{ value: c.amount, scriptPubKey: new Uint8Array() }],
  };
  return { credit, spend };
}

/** Deterministic xorshift32 PRNG (seeded per row) for the random flag checks. */
function prng(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/** How many random flag sets each row is re-checked with (as Core). */
const RANDOM_FLAG_CHECKS = 256;

function runCase(c: Case): string[] {
  const problems: string[] = [];
  const { credit, spend } = buildTransactions(c);
  const checker = new TransactionSignatureChecker({
    tx: spend,
    inputIndex: 0,
    amount: credit.outputs[0].value,
  });
  const result = verifyScript(c.scriptSig, c.scriptPubKey, c.witness, c.flags, checker);
  if (result !== c.expected) problems.push(`got ${result ?? "OK"}, expected ${c.expected ?? "OK"}`);
  const expectOk = c.expected === null;
  const random = prng(c.index + 1);
  const mask = (1 << MAX_SCRIPT_VERIFY_FLAGS_BITS) - 1;
  for (let i = 0; i < RANDOM_FLAG_CHECKS; i++) {
    const extra = random() & mask;
    const combined = expectOk ? c.flags & ~extra : c.flags | extra;
    if ((combined & SCRIPT_VERIFY_CLEANSTACK) && (~combined & (SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS))) {
      continue;
    }
    if ((combined & SCRIPT_VERIFY_WITNESS) && (~combined & SCRIPT_VERIFY_P2SH)) continue;
    const checker2 = new TransactionSignatureChecker({
      tx: spend,
      inputIndex: 0,
      amount: credit.outputs[0].value,
    });
    const r = verifyScript(c.scriptSig, c.scriptPubKey, c.witness, combined, checker2);
    if ((r === null) !== expectOk) {
      problems.push(`with flags 0x${combined.toString(16)}: got ${r ?? "OK"}`);
      break;
    }
  }
  return problems;
}

const rows = await readVectorJson<Row[]>("script_tests.json");
const cases: Case[] = [];
let comments = 0;
for (let i = 0; i < rows.length; i++) {
  const c = parseRow(rows[i], i);
  if (c === null) comments++;
  else cases.push(c);
}

Deno.test("script_tests.json: 1222 test rows and 51 comments", () => {
  if (cases.length !== 1222 || comments !== 51) {
    throw new Error(`Expected 1222 rows and 51 comments, found ${cases.length} and ${comments}`);
  }
});

for (const c of cases) {
  const label = c.comment !== "" ? c.comment : `${JSON.stringify(c.text).slice(1, 90)}`;
  Deno.test(`script_tests.json #${c.index} ${c.expected ?? "OK"}: ${label}`, () => {
    const problems = runCase(c);
    if (problems.length > 0) throw new Error(`${problems.join("; ")}\n  row: ${c.text}`);
  });
}
