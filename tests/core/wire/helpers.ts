/**
 * Test helpers for the wire tests: plain copies (objects that do not remember the bytes they were decoded
 * from, so the generic encoder and hashers run), and an assertion that a call throws only a DecodeError.
 *
 * @module
 */

import { DecodeError } from "../../../core/wire/errors.ts";
import type { Block, Transaction } from "../../../core/wire/types.ts";

/** A structural copy of `tx` with fresh arrays (no link to its original bytes). */
export function plainTx(tx: Transaction): Transaction {
  return {
    version: tx.version,
    inputs: tx.inputs.map((i) => ({
      prevout: { txid: i.prevout.txid.slice(), vout: i.prevout.vout },
      scriptSig: i.scriptSig.slice(),
      sequence: i.sequence,
      witness: i.witness.map((w) => w.slice()),
    })),
    outputs: tx.outputs.map((o) => ({ value: o.value, scriptPubKey: o.scriptPubKey.slice() })),
    locktime: tx.locktime,
  };
}

/** A structural copy of a block. */
export function plainBlock(block: Block): Block {
  return { header: { ...block.header }, txs: block.txs.map(plainTx) };
}

/** Runs `f`; returns the DecodeError it threw, or throws if it returned or threw anything else. */
export function decodeErrorOf(f: () => unknown): DecodeError {
  try {
    f();
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw new Error(`expected a DecodeError, got ${e}`, { cause: e });
  }
  throw new Error("expected a DecodeError, but it decoded");
}
