/**
 * Transaction serialization (Core's `SerializeTransaction`/`UnserializeTransaction`): the legacy format and the
 * BIP144 extended format (marker 0x00, flag 0x01, witness stacks after the outputs), txid and wtxid, and the
 * BIP141 sizes (total, stripped, weight, virtual size).
 *
 * Decoding is zero-copy: scripts, witness items and prevout txids are views into the input (pass
 * `copy: true` to decode from a private copy when the input buffer will be reused). A transaction decoded from
 * bytes remembers where its parts lie in them, so its txid, wtxid and sizes are computed from the original
 * bytes without re-encoding, and its hashes are computed once. Transactions are immutable data: never modify a
 * decoded transaction (or its arrays) in place — build a new object instead (which has no such memory).
 *
 * @module
 */

import { sha256d, sha256dRanges } from "../hash/hashes.ts";
import { isNullOutPoint } from "./outpoint.ts";
import { ByteReader } from "./reader.ts";
import { ByteWriter, compactSizeLength } from "./writer.ts";
import type { OutPoint, Transaction, TxOut } from "./types.ts";

/** Core's `WITNESS_SCALE_FACTOR`. */
export const WITNESS_SCALE_FACTOR = 4;

/** Smallest serialized input: outpoint 36 + script length 1 + sequence 4. */
const MIN_INPUT_SIZE = 41;
/** Smallest serialized output: value 8 + script length 1. */
const MIN_OUTPUT_SIZE = 9;
/** Smallest serialized transaction (Core's `MIN_SERIALIZABLE_TRANSACTION_WEIGHT` / 4). */
export const MIN_TRANSACTION_SIZE = 10;

const EMPTY_BYTES = new Uint8Array(0);
const EMPTY_WITNESS: readonly Uint8Array[] = Object.freeze([]);

/** Options of {@link decodeTransaction}. */
export interface DecodeTransactionOptions {
  /** Accept the BIP144 extended (witness) format (default true; Core's `TX_WITH_WITNESS`). */
  readonly allowWitness?: boolean;
  /** Decode from a private copy of the input instead of viewing it (default false). */
  readonly copy?: boolean;
}

/** Options of {@link readTransaction}. */
export interface ReadTransactionOptions {
  /** Accept the BIP144 extended (witness) format (default true). */
  readonly allowWitness?: boolean;
}

/** Options of {@link encodeTransaction}. */
export interface EncodeTransactionOptions {
  /**
   * Serialize witnesses (BIP144 format) when the transaction has any (default true; Core's
   * `TX_WITH_WITNESS`); false gives the legacy ("stripped") serialization hashed by the txid.
   */
  readonly witness?: boolean;
}

/** Where a decoded transaction's parts lie in the bytes it came from. */
interface RawTx {
  readonly data: Uint8Array;
  /** First byte of the transaction. */
  readonly start: number;
  /** First byte after version (+ marker and flag when witness). */
  readonly body: number;
  /** First byte of the witness section (== end - 4 when there is none). */
  readonly wit: number;
  /** One past the last byte (after nLockTime). */
  readonly end: number;
  readonly witness: boolean;
  txid?: Uint8Array;
  wtxid?: Uint8Array;
}

/** Decoded transactions -> their raw layout (a memo keyed by identity; dies with the transaction). */
const raws = new WeakMap<Transaction, RawTx>();

type MutableTxIn = {
  prevout: OutPoint;
  scriptSig: Uint8Array;
  sequence: number;
  witness: readonly Uint8Array[];
};

function readInputs(r: ByteReader): MutableTxIn[] {
  const n = r.count(MIN_INPUT_SIZE, "input");
  const inputs: MutableTxIn[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const txid = r.bytes(32);
    const vout = r.u32();
    const s = r.varBytes();
    inputs[i] = {
      prevout: { txid, vout },
      scriptSig: s.length === 0 ? EMPTY_BYTES : s,
      sequence: r.u32(),
      witness: EMPTY_WITNESS,
    };
  }
  return inputs;
}

function readOutputs(r: ByteReader): TxOut[] {
  const n = r.count(MIN_OUTPUT_SIZE, "output");
  const outputs: TxOut[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const value = r.i64();
    const s = r.varBytes();
    outputs[i] = { value, scriptPubKey: s.length === 0 ? EMPTY_BYTES : s };
  }
  return outputs;
}

/**
 * Reads one transaction from `r` (Core's `UnserializeTransaction`), leaving the reader after it: the streaming
 * form used inside blocks and messages. Errors are {@link DecodeError}s named after the reader's subject.
 */
export function readTransaction(r: ByteReader, options: ReadTransactionOptions = {}): Transaction {
  const allowWitness = options.allowWitness ?? true;
  const start = r.pos;
  const version = r.u32();
  let body = start + 4;
  let flags = 0;
  let inputs = readInputs(r);
  let outputs: TxOut[];
  if (inputs.length === 0 && allowWitness) {
    // An empty input vector here is either a real one or the BIP144 marker; the next byte is the flag.
    flags = r.u8();
    if (flags !== 0) {
      body = r.pos;
      inputs = readInputs(r);
      outputs = readOutputs(r);
    } else {
      outputs = [];
    }
  } else {
    outputs = readOutputs(r);
  }
  const wit = r.pos;
  let witness = false;
  if ((flags & 1) !== 0 && allowWitness) {
    flags ^= 1;
    for (let i = 0; i < inputs.length; i++) {
      const n = r.count(1, "witness item");
      if (n === 0) continue;
      const stack: Uint8Array[] = new Array(n);
      for (let j = 0; j < n; j++) {
        const item = r.varBytes();
        stack[j] = item.length === 0 ? EMPTY_BYTES : item;
      }
      inputs[i].witness = stack;
      witness = true;
    }
    if (!witness) r.fail("Superfluous witness record", wit);
  }
  if (flags !== 0) r.fail("Unknown transaction optional data", body - 1);
  const locktime = r.u32();
  const tx: Transaction = { version, inputs, outputs, locktime };
  raws.set(tx, { data: r.data, start, body, wit: witness ? wit : r.pos - 4, end: r.pos, witness });
  return tx;
}

/**
 * Decodes a whole transaction from `bytes`; trailing bytes are an error (`Cannot decode transaction: 3 bytes
 * left after the locktime`). Throws {@link DecodeError} on any malformed input.
 */
export function decodeTransaction(bytes: Uint8Array, options: DecodeTransactionOptions = {}): Transaction {
  const r = new ByteReader(options.copy ? bytes.slice() : bytes, "transaction");
  const tx = readTransaction(r, options);
  r.expectEnd("the locktime");
  return tx;
}

/** True if any input has a non-empty witness stack (Core's `HasWitness`). */
export function hasWitness(tx: Transaction): boolean {
  const inputs = tx.inputs;
  for (let i = 0; i < inputs.length; i++) if (inputs[i].witness.length > 0) return true;
  return false;
}

/** Core's `IsCoinBase`: exactly one input, spending the null outpoint. */
export function isCoinBase(tx: Transaction): boolean {
  return tx.inputs.length === 1 && isNullOutPoint(tx.inputs[0].prevout);
}

/** Serialized size, with witnesses (BIP144 format, if there are any) or without. */
export function transactionSize(tx: Transaction, options: EncodeTransactionOptions = {}): number {
  const raw = raws.get(tx);
  const withWitness = (options.witness ?? true) && hasWitness(tx);
  if (raw !== undefined) {
    const total = raw.end - raw.start;
    return withWitness || !raw.witness ? total : total - 2 - (raw.end - 4 - raw.wit);
  }
  let size = 8 + compactSizeLength(tx.inputs.length) + compactSizeLength(tx.outputs.length);
  for (const input of tx.inputs) {
    const n = input.scriptSig.length;
    size += 40 + compactSizeLength(n) + n;
  }
  for (const output of tx.outputs) {
    const n = output.scriptPubKey.length;
    size += 8 + compactSizeLength(n) + n;
  }
  if (withWitness) {
    size += 2;
    for (const input of tx.inputs) size += witnessStackSize(input.witness);
  }
  return size;
}

function witnessStackSize(stack: readonly Uint8Array[]): number {
  let size = compactSizeLength(stack.length);
  for (const item of stack) size += compactSizeLength(item.length) + item.length;
  return size;
}

/** Serialized size with witnesses (Core's `GetTotalSize`; RPC `size`). */
export function transactionTotalSize(tx: Transaction): number {
  return transactionSize(tx, { witness: true });
}

/** Serialized size without witnesses (RPC `strippedsize`). */
export function transactionStrippedSize(tx: Transaction): number {
  return transactionSize(tx, { witness: false });
}

/** BIP141 weight: stripped size × 3 + total size (Core's `GetTransactionWeight`). */
export function transactionWeight(tx: Transaction): number {
  return transactionStrippedSize(tx) * (WITNESS_SCALE_FACTOR - 1) + transactionTotalSize(tx);
}

/**
 * BIP141 virtual size: weight / 4 rounded up (RPC `vsize`). Policy's sigop-adjusted size
 * (`GetVirtualTransactionSize` with a sigop cost) is the mempool's business.
 */
export function transactionVsize(tx: Transaction): number {
  return Math.ceil(transactionWeight(tx) / WITNESS_SCALE_FACTOR);
}

/** Writes `tx` (Core's `SerializeTransaction`). */
export function writeTransaction(
  w: ByteWriter,
  tx: Transaction,
  options: EncodeTransactionOptions = {},
): void {
  const withWitness = (options.witness ?? true) && hasWitness(tx);
  w.int32or32(tx.version);
  if (withWitness) w.u8(0).u8(1);
  w.compactSize(tx.inputs.length);
  for (const input of tx.inputs) {
    const txid = input.prevout.txid;
    if (txid.length !== 32) {
      throw new RangeError(`Cannot encode transaction: prevout txid is ${txid.length} bytes`);
    }
    w.bytes(txid).u32(input.prevout.vout).varBytes(input.scriptSig).u32(input.sequence);
  }
  w.compactSize(tx.outputs.length);
  for (const output of tx.outputs) w.i64(output.value).varBytes(output.scriptPubKey);
  if (withWitness) {
    for (const input of tx.inputs) {
      w.compactSize(input.witness.length);
      for (const item of input.witness) w.varBytes(item);
    }
  }
  w.u32(tx.locktime);
}

/** Serializes `tx`, with witnesses unless `{witness: false}`. */
export function encodeTransaction(tx: Transaction, options: EncodeTransactionOptions = {}): Uint8Array {
  const w = new ByteWriter(transactionSize(tx, options));
  writeTransaction(w, tx, options);
  return w.finish();
}

/**
 * Txid: SHA-256d of the serialization without witnesses (Core's `GetHash`), internal byte order (print with
 * `reverseHex`). A fresh array each call.
 */
export function txid(tx: Transaction): Uint8Array {
  const raw = raws.get(tx);
  if (raw === undefined) return sha256d(encodeTransaction(tx, { witness: false }));
  if (raw.txid === undefined) {
    raw.txid = raw.witness
      ? sha256dRanges(raw.data, [raw.start, raw.start + 4, raw.body, raw.wit, raw.end - 4, raw.end])
      : sha256dRanges(raw.data, [raw.start, raw.end]);
  }
  return raw.txid.slice();
}

/**
 * Wtxid: SHA-256d of the serialization with witnesses (Core's `GetWitnessHash`); equals the txid when there
 * are none. A fresh array each call.
 */
export function wtxid(tx: Transaction): Uint8Array {
  const raw = raws.get(tx);
  if (raw === undefined) return hasWitness(tx) ? sha256d(encodeTransaction(tx, { witness: true })) : txid(tx);
  if (!raw.witness) return txid(tx);
  if (raw.wtxid === undefined) raw.wtxid = sha256dRanges(raw.data, [raw.start, raw.end]);
  return raw.wtxid.slice();
}

/**
 * The bytes `tx` was decoded from (a view, with witnesses if it had them), or undefined for a transaction
 * built in code. Lets storage and relay reuse the original serialization without re-encoding.
 */
export function originalBytes(tx: Transaction): Uint8Array | undefined {
  const raw = raws.get(tx);
  return raw === undefined ? undefined : raw.data.subarray(raw.start, raw.end);
}
