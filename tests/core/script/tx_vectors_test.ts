/**
 * Core's tx_valid.json and tx_invalid.json, run as Core's transaction_tests.cpp runs them: every input of each
 * transaction is verified with a TransactionSignatureChecker against the listed prevout scripts and amounts.
 *
 * - tx_valid rows list the flags to EXCLUDE: all inputs must pass under every other flag; removing any flag (one
 *   at a time, or random sets) must keep them passing; and adding back any excluded flag must make one fail
 *   (the excluded set is minimal).
 * - tx_invalid rows list the flags to apply: some input must fail; adding any flag (one at a time, or random
 *   sets) must keep it failing. `BADTX` rows must fail CheckTransaction (core/consensus, not the interpreter).
 */

import { parseScriptAsm } from "../../../core/script/asm.ts";
import {
  ALL_SCRIPT_VERIFY_FLAGS,
  parseScriptFlags,
  SCRIPT_FLAG_NAMES,
  SCRIPT_VERIFY_CLEANSTACK,
  SCRIPT_VERIFY_P2SH,
  SCRIPT_VERIFY_WITNESS,
} from "../../../core/script/flags.ts";
import { verifyScript } from "../../../core/script/interpreter.ts";
import type { ScriptError } from "../../../core/script/script_error.ts";
import { PrecomputedTransactionData } from "../../../core/script/sighash.ts";
import { TransactionSignatureChecker } from "../../../core/script/tx_checker.ts";
import { decodeTransaction } from "../../../core/wire/transaction.ts";
import { checkTransaction } from "../../../core/consensus/tx_check.ts";
import type { Transaction, TxOut } from "../../../core/wire/types.ts";
import { hex, readVectorJson } from "../vectors.ts";

type Row = unknown[];

interface TxCase {
  index: number;
  text: string;
  comment: string;
  tx: Transaction;
  spent: TxOut[];
  flagsText: string;
}

function keyOf(txidInternal: Uint8Array, vout: number): string {
  return Array.from(txidInternal, (b) => b.toString(16).padStart(2, "0")).join("") + ":" + (vout >>> 0);
}

/** Parses the rows of a tx vector file, attaching the comment lines that precede each test. */
function parseRows(rows: Row[]): { cases: TxCase[]; comments: number } {
  const cases: TxCase[] = [];
  let comments = 0;
  let pending: string[] = [];
  rows.forEach((row, index) => {
    if (!Array.isArray(row[0])) {
      comments++;
      pending.push(String(row[0]));
      return;
    }
    const text = JSON.stringify(row);
    if (row.length !== 3 || typeof row[1] !== "string" || typeof row[2] !== "string") {
      throw new Error(`Bad test: ${text}`);
    }
    const scripts = new Map<string, { scriptPubKey: Uint8Array; value: bigint }>();
    for (const input of row[0] as unknown[][]) {
      if (input.length < 3 || input.length > 4) throw new Error(`Bad test: ${text}`);
      // The prevout hash is written in display order (reversed).
      const hash = hex(input[0] as string).reverse();
      const value = input.length === 4 ? BigInt(input[3] as number) : 0n;
      scripts.set(keyOf(hash, input[1] as number), {
        scriptPubKey: parseScriptAsm(input[2] as string),
        value,
      });
    }
    const tx = decodeTransaction(hex(row[1]));
    const spent = tx.inputs.map((input) => {
      const prev = scripts.get(keyOf(input.prevout.txid, input.prevout.vout));
      if (prev === undefined) throw new Error(`Bad test (no prevout for an input): ${text}`);
      return { value: prev.value, scriptPubKey: prev.scriptPubKey };
    });
    const comment = pending.join(" ").replace(/\s+/g, " ").trim();
    pending = [];
    cases.push({ index, text, comment, tx, spent, flagsText: row[2] });
  });
  return { cases, comments };
}

/**
 * Core's CheckTxScripts: verifies the inputs in order, stopping at the first failure. Returns null when every
 * input passes, else the failing input and its error.
 */
function checkTxScripts(c: TxCase, flags: number): { input: number; error: ScriptError } | null {
  const precomputed = new PrecomputedTransactionData(c.tx, c.spent);
  for (let i = 0; i < c.tx.inputs.length; i++) {
    const input = c.tx.inputs[i];
    const checker = new TransactionSignatureChecker({
      tx: c.tx,
      inputIndex: i,
      amount: c.spent[i].value,
      precomputed,
    });
    const error = verifyScript(input.scriptSig, c.spent[i].scriptPubKey, input.witness, flags, checker);
    if (error !== null) return { input: i, error };
  }
  return null;
}

/** Core's TrimFlags: WITNESS needs P2SH, CLEANSTACK needs WITNESS. */
function trimFlags(flags: number): number {
  if (!(flags & SCRIPT_VERIFY_P2SH)) flags &= ~SCRIPT_VERIFY_WITNESS;
  if (!(flags & SCRIPT_VERIFY_WITNESS)) flags &= ~SCRIPT_VERIFY_CLEANSTACK;
  return flags;
}

/** Core's FillFlags: CLEANSTACK implies WITNESS, WITNESS implies P2SH. */
function fillFlags(flags: number): number {
  if (flags & SCRIPT_VERIFY_CLEANSTACK) flags |= SCRIPT_VERIFY_WITNESS;
  if (flags & SCRIPT_VERIFY_WITNESS) flags |= SCRIPT_VERIFY_P2SH;
  return flags;
}

/** Bitwise NOT within the known flags (Core's `~flags`; unknown bits have no effect). */
function not(flags: number): number {
  return ALL_SCRIPT_VERIFY_FLAGS & ~flags;
}

/** Deterministic xorshift32 PRNG for the random flag sets. */
function prng(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s & ALL_SCRIPT_VERIFY_FLAGS;
  };
}

function describe(r: { input: number; error: ScriptError } | null): string {
  return r === null ? "all inputs pass" : `input ${r.input} fails with ${r.error}`;
}

function checkValid(c: TxCase): string[] {
  const problems: string[] = [];
  const excluded = parseScriptFlags(c.flagsText);
  if (not(excluded) !== fillFlags(not(excluded))) problems.push("bad test flags");
  const main = checkTxScripts(c, not(excluded));
  if (main !== null) problems.push(`unexpectedly failed: ${describe(main)}`);
  const random = prng(c.index + 1);
  for (const [name, flag] of SCRIPT_FLAG_NAMES) {
    const without = trimFlags(not(excluded | flag));
    const r1 = checkTxScripts(c, without);
    if (r1 !== null) problems.push(`failed with ${name} unset: ${describe(r1)}`);
    const randomFlags = trimFlags(not(excluded | random()));
    const r2 = checkTxScripts(c, randomFlags);
    if (r2 !== null) problems.push(`failed with random flags 0x${randomFlags.toString(16)}: ${describe(r2)}`);
  }
  // The excluded flags are minimal: putting any one back must make the transaction fail.
  const combos = new Set<number>();
  for (const flag of SCRIPT_FLAG_NAMES.values()) {
    const excludingOne = trimFlags(excluded & ~flag);
    if (excludingOne !== excluded) combos.add(excludingOne);
  }
  for (const combo of combos) {
    if (checkTxScripts(c, not(combo)) === null) {
      problems.push(`too many flags unset: passes with flags 0x${not(combo).toString(16)}`);
    }
  }
  return problems;
}

function checkInvalid(c: TxCase): string[] {
  const problems: string[] = [];
  const flags = parseScriptFlags(c.flagsText);
  if (flags !== fillFlags(flags)) problems.push("bad test flags");
  if (checkTxScripts(c, flags) === null) problems.push("unexpectedly passed");
  const random = prng(c.index + 1);
  for (const [name, flag] of SCRIPT_FLAG_NAMES) {
    if (checkTxScripts(c, fillFlags(flags | flag)) === null) problems.push(`passed with ${name} set`);
    const randomFlags = fillFlags(flags | random());
    if (checkTxScripts(c, randomFlags) === null) {
      problems.push(`passed with random flags 0x${randomFlags.toString(16)}`);
    }
  }
  return problems;
}

const valid = parseRows(await readVectorJson<Row[]>("tx_valid.json"));
const invalid = parseRows(await readVectorJson<Row[]>("tx_invalid.json"));
const badTx = invalid.cases.filter((c) => c.flagsText === "BADTX");

Deno.test("tx vectors: 121 valid and 93 invalid transactions (9 BADTX, which CheckTransaction rejects)", () => {
  const counts = [valid.cases.length, invalid.cases.length, badTx.length];
  if (counts.join() !== "121,93,9") {
    throw new Error(`Unexpected counts (valid, invalid, BADTX): ${counts.join(", ")}`);
  }
});

function label(c: TxCase): string {
  return c.comment !== "" ? c.comment.slice(0, 100) : c.text.slice(0, 100);
}

for (const c of valid.cases) {
  Deno.test(`tx_valid.json #${c.index} [${c.flagsText}]: ${label(c)}`, () => {
    const problems = checkValid(c);
    if (problems.length > 0) throw new Error(`${problems.join("; ")}\n  row: ${c.text}`);
  });
}

for (const c of invalid.cases) {
  if (c.flagsText === "BADTX") {
    // BADTX: Core's harness requires CheckTransaction to fail (its reasons are tested in core/consensus).
    Deno.test(`tx_invalid.json #${c.index} [BADTX, CheckTransaction]: ${label(c)}`, () => {
      const state = checkTransaction(c.tx);
      if (state.valid) throw new Error(`CheckTransaction accepted a BADTX row\n  row: ${c.text}`);
    });
    continue;
  }
  Deno.test(`tx_invalid.json #${c.index} [${c.flagsText}]: ${label(c)}`, () => {
    const problems = checkInvalid(c);
    if (problems.length > 0) throw new Error(`${problems.join("; ")}\n  row: ${c.text}`);
  });
}
