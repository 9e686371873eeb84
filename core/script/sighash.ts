/**
 * Signature hashes, as Bitcoin Core computes them (script/interpreter.cpp): the legacy algorithm (Core's
 * `SignatureHash` for `SigVersion::BASE`, serializing through `CTransactionSignatureSerializer`, with the
 * SIGHASH_SINGLE bug), BIP143 for witness v0, and BIP341/342 (`SignatureHashSchnorr`) for taproot key path and
 * tapscript, with the per-transaction hashes shared through {@link PrecomputedTransactionData}.
 *
 * FindAndDelete of the signature is the interpreter's job and happens before these are called; the legacy
 * algorithm here removes OP_CODESEPARATORs from the script code itself, as Core's serializer does.
 *
 * @module
 */

import { sha256, sha256d, taggedHasher } from "../hash/hashes.ts";
import type { ScriptExecutionData, SigVersion } from "./checker.ts";
import type { OutPoint, Transaction, TxOut } from "../wire/types.ts";

/** Sign all inputs and outputs. */
export const SIGHASH_ALL = 1;
/** Sign no outputs. */
export const SIGHASH_NONE = 2;
/** Sign the output at the same index as the input. */
export const SIGHASH_SINGLE = 3;
/** Sign only this input (flag). */
export const SIGHASH_ANYONECANPAY = 0x80;
/** Taproot only: no sighash byte; like SIGHASH_ALL. */
export const SIGHASH_DEFAULT = 0;
/** Taproot: the output part of a hash type. */
export const SIGHASH_OUTPUT_MASK = 3;
/** Taproot: the input part of a hash type. */
export const SIGHASH_INPUT_MASK = 0x80;

const OP_CODESEPARATOR = 0xab;
const OP_PUSHDATA1 = 0x4c;
const OP_PUSHDATA2 = 0x4d;
const OP_PUSHDATA4 = 0x4e;
const ZERO32: Uint8Array = new Uint8Array(32);

/**
 * What legacy `SignatureHash` returns for SIGHASH_SINGLE without a matching output (Core's `uint256::ONE`,
 * internal byte order: 01 00 … 00). A fresh copy each call.
 */
export function sighashSingleBugHash(): Uint8Array {
  const one = new Uint8Array(32);
  one[0] = 1;
  return one;
}

/** Growable little-endian byte sink for sighash preimages. */
class Sink {
  buf: Uint8Array;
  view: DataView;
  len = 0;
  constructor(capacity: number) {
    this.buf = new Uint8Array(Math.max(64, capacity));
    this.view = new DataView(this.buf.buffer);
  }
  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.reserve(1);
    this.buf[this.len++] = v;
  }
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.len, v >>> 0, true);
    this.len += 4;
  }
  i64(v: bigint): void {
    this.reserve(8);
    this.view.setBigInt64(this.len, BigInt.asIntN(64, v), true);
    this.len += 8;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  compactSize(n: number): void {
    if (n < 0xfd) this.u8(n);
    else if (n <= 0xffff) {
      this.u8(0xfd);
      this.reserve(2);
      this.view.setUint16(this.len, n, true);
      this.len += 2;
    } else if (n <= 0xffffffff) {
      this.u8(0xfe);
      this.u32(n);
    } else {
      this.u8(0xff);
      this.reserve(8);
      this.view.setBigUint64(this.len, BigInt(n), true);
      this.len += 8;
    }
  }
  outpoint(o: OutPoint): void {
    this.bytes(o.txid);
    this.u32(o.vout);
  }
  /** A CScript as serialized: compact size and bytes. */
  script(s: Uint8Array): void {
    this.compactSize(s.length);
    this.bytes(s);
  }
  txout(o: TxOut): void {
    this.i64(o.value);
    this.script(o.scriptPubKey);
  }
  result(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

function txoutSize(o: TxOut): number {
  return 8 + 9 + o.scriptPubKey.length;
}

/**
 * Position after the op at `pc` (Core's `GetScriptOp`), or -1-(position where parsing stopped) when the op is
 * truncated (Core's iterator is left just past the bytes it managed to read: opcode, then length bytes).
 */
function nextOp(script: Uint8Array, pc: number): number {
  const end = script.length;
  const opcode = script[pc++];
  if (opcode > OP_PUSHDATA4) return pc;
  let size: number;
  if (opcode < OP_PUSHDATA1) size = opcode;
  else if (opcode === OP_PUSHDATA1) {
    if (end - pc < 1) return -1 - pc;
    size = script[pc++];
  } else if (opcode === OP_PUSHDATA2) {
    if (end - pc < 2) return -1 - pc;
    size = script[pc] | (script[pc + 1] << 8);
    pc += 2;
  } else {
    if (end - pc < 4) return -1 - pc;
    size = (script[pc] | (script[pc + 1] << 8) | (script[pc + 2] << 16)) + script[pc + 3] * 0x1000000;
    pc += 4;
  }
  if (end - pc < size) return -1 - pc;
  return pc + size;
}

/**
 * Writes `scriptCode` the way Core's `CTransactionSignatureSerializer::SerializeScriptCode` does: the declared
 * length is the script's length minus the number of OP_CODESEPARATORs (counted over the ops that parse), the
 * bytes are the script without those OP_CODESEPARATORs, up to where op parsing stopped. (For a script whose last
 * op is truncated, fewer bytes than declared are written — exactly as Core does.)
 */
function writeLegacyScriptCode(sink: Sink, script: Uint8Array): void {
  // Fast path: no OP_CODESEPARATOR byte anywhere means nothing to remove, whatever the parse.
  if (script.indexOf(OP_CODESEPARATOR) < 0) {
    sink.compactSize(script.length);
    let pc = 0;
    while (pc < script.length) {
      const next = nextOp(script, pc);
      if (next < 0) {
        sink.bytes(script.subarray(0, -1 - next));
        return;
      }
      pc = next;
    }
    sink.bytes(script);
    return;
  }
  const separators: number[] = []; // positions just after each OP_CODESEPARATOR
  let pc = 0;
  let stop = script.length;
  while (pc < script.length) {
    const opcode = script[pc];
    const next = nextOp(script, pc);
    if (next < 0) {
      stop = -1 - next;
      break;
    }
    if (opcode === OP_CODESEPARATOR) separators.push(next);
    pc = next;
  }
  sink.compactSize(script.length - separators.length);
  let begin = 0;
  for (const after of separators) {
    sink.bytes(script.subarray(begin, after - 1));
    begin = after;
  }
  if (begin !== script.length) sink.bytes(script.subarray(begin, stop));
}

/** Core's legacy (BASE) serialization of the transaction for signing, without the hash type. */
function legacyPreimage(scriptCode: Uint8Array, tx: Transaction, nIn: number, hashType: number): Sink {
  const anyoneCanPay = (hashType & SIGHASH_ANYONECANPAY) !== 0;
  const base = hashType & 0x1f;
  const single = base === SIGHASH_SINGLE;
  const none = base === SIGHASH_NONE;
  const nInputs = anyoneCanPay ? 1 : tx.inputs.length;
  const nOutputs = none ? 0 : single ? nIn + 1 : tx.outputs.length;
  let estimate = 4 + 9 + 9 + 4 + scriptCode.length + 9 + 4;
  estimate += nInputs * 41;
  for (let i = 0; i < nOutputs; i++) estimate += txoutSize(tx.outputs[i]);
  const sink = new Sink(estimate);
  sink.u32(tx.version);
  sink.compactSize(nInputs);
  for (let i = 0; i < nInputs; i++) {
    const index = anyoneCanPay ? nIn : i;
    const input = tx.inputs[index];
    sink.outpoint(input.prevout);
    if (index !== nIn) sink.compactSize(0);
    else writeLegacyScriptCode(sink, scriptCode);
    sink.u32(index !== nIn && (single || none) ? 0 : input.sequence);
  }
  sink.compactSize(nOutputs);
  for (let o = 0; o < nOutputs; o++) {
    if (single && o !== nIn) {
      sink.i64(-1n); // CTxOut() is null: value -1, empty script
      sink.compactSize(0);
    } else {
      sink.txout(tx.outputs[o]);
    }
  }
  sink.u32(tx.locktime);
  return sink;
}

/**
 * The per-transaction hashes BIP143 and BIP341 signature hashes share (Core's `PrecomputedTransactionData`),
 * computed on first use and then kept: one instance per transaction, used for all its inputs.
 *
 * BIP341 hashes need the outputs every input spends (`spentOutputs`, in input order); without them taproot
 * signature hashes cannot be computed (Core's "missing data": {@link signatureHashSchnorr} returns null).
 */
export class PrecomputedTransactionData {
  /** The transaction. */
  readonly tx: Transaction;
  /** The outputs spent by each input, or null when not given (Core: `m_spent_outputs_ready` false). */
  readonly spentOutputs: readonly TxOut[] | null;
  #prevouts: Uint8Array | null = null;
  #sequences: Uint8Array | null = null;
  #outputs: Uint8Array | null = null;
  #amounts: Uint8Array | null = null;
  #scripts: Uint8Array | null = null;
  #hashPrevouts: Uint8Array | null = null;
  #hashSequence: Uint8Array | null = null;
  #hashOutputs: Uint8Array | null = null;

  /**
   * `spentOutputs` must have one entry per input when given (else a RangeError: a caller bug, Core asserts).
   * An empty array counts as not given, as in Core.
   */
  constructor(tx: Transaction, spentOutputs?: readonly TxOut[] | null) {
    this.tx = tx;
    if (spentOutputs && spentOutputs.length > 0) {
      if (spentOutputs.length !== tx.inputs.length) {
        throw new RangeError(
          `Cannot precompute transaction data: ${spentOutputs.length} spent outputs for ${tx.inputs.length} inputs`,
        );
      }
      this.spentOutputs = spentOutputs;
    } else {
      this.spentOutputs = null;
    }
  }

  /** Whether BIP341 data is available (Core's `m_bip341_taproot_ready && m_spent_outputs_ready`). */
  get bip341Ready(): boolean {
    return this.spentOutputs !== null;
  }

  /** Single SHA-256 of all prevouts (BIP341 `sha_prevouts`). */
  get prevoutsSingleHash(): Uint8Array {
    if (this.#prevouts === null) {
      const sink = new Sink(this.tx.inputs.length * 36);
      for (const input of this.tx.inputs) sink.outpoint(input.prevout);
      this.#prevouts = sha256(sink.result());
    }
    return this.#prevouts;
  }

  /** Single SHA-256 of all nSequences (BIP341 `sha_sequences`). */
  get sequencesSingleHash(): Uint8Array {
    if (this.#sequences === null) {
      const sink = new Sink(this.tx.inputs.length * 4);
      for (const input of this.tx.inputs) sink.u32(input.sequence);
      this.#sequences = sha256(sink.result());
    }
    return this.#sequences;
  }

  /** Single SHA-256 of all outputs (BIP341 `sha_outputs`). */
  get outputsSingleHash(): Uint8Array {
    if (this.#outputs === null) {
      let size = 0;
      for (const o of this.tx.outputs) size += txoutSize(o);
      const sink = new Sink(size);
      for (const o of this.tx.outputs) sink.txout(o);
      this.#outputs = sha256(sink.result());
    }
    return this.#outputs;
  }

  /** Single SHA-256 of the spent amounts (BIP341 `sha_amounts`), null without spent outputs. */
  get spentAmountsSingleHash(): Uint8Array | null {
    if (this.spentOutputs === null) return null;
    if (this.#amounts === null) {
      const sink = new Sink(this.spentOutputs.length * 8);
      for (const o of this.spentOutputs) sink.i64(o.value);
      this.#amounts = sha256(sink.result());
    }
    return this.#amounts;
  }

  /** Single SHA-256 of the spent scriptPubKeys (BIP341 `sha_scriptpubkeys`), null without spent outputs. */
  get spentScriptsSingleHash(): Uint8Array | null {
    if (this.spentOutputs === null) return null;
    if (this.#scripts === null) {
      let size = 0;
      for (const o of this.spentOutputs) size += 9 + o.scriptPubKey.length;
      const sink = new Sink(size);
      for (const o of this.spentOutputs) sink.script(o.scriptPubKey);
      this.#scripts = sha256(sink.result());
    }
    return this.#scripts;
  }

  /** BIP143 `hashPrevouts` (double SHA-256). */
  get hashPrevouts(): Uint8Array {
    return this.#hashPrevouts ??= sha256(this.prevoutsSingleHash);
  }

  /** BIP143 `hashSequence` (double SHA-256). */
  get hashSequence(): Uint8Array {
    return this.#hashSequence ??= sha256(this.sequencesSingleHash);
  }

  /** BIP143 `hashOutputs` (double SHA-256). */
  get hashOutputs(): Uint8Array {
    return this.#hashOutputs ??= sha256(this.outputsSingleHash);
  }
}

/** Options of {@link signatureHash}. */
export interface SignatureHashOptions {
  /** "base" (legacy, the default) or "witness_v0" (BIP143). */
  sigversion?: "base" | "witness_v0";
  /** Amount of the spent output (BIP143 only; default 0). */
  amount?: bigint;
  /** Shared per-transaction hashes (BIP143 only; computed from `tx` when absent). */
  precomputed?: PrecomputedTransactionData;
}

/**
 * Core's `SignatureHash` for ECDSA signatures: legacy (`sigversion` "base", the default) or BIP143
 * ("witness_v0"). `hashType` is the int32 hash type (for script signatures: the signature's last byte).
 * Returns the 32-byte hash in internal byte order (reverse it for display).
 *
 * Legacy quirks kept as in Core: SIGHASH_SINGLE with no output at `nIn` returns 1 ({@link sighashSingleBugHash});
 * OP_CODESEPARATORs are removed from `scriptCode`. `nIn` must be a valid input index (else a RangeError: a
 * caller bug; Core asserts).
 */
export function signatureHash(
  scriptCode: Uint8Array,
  tx: Transaction,
  nIn: number,
  hashType: number,
  options: SignatureHashOptions = {},
): Uint8Array {
  if (!Number.isInteger(nIn) || nIn < 0 || nIn >= tx.inputs.length) {
    throw new RangeError(`Cannot compute signature hash: input ${nIn} of ${tx.inputs.length}`);
  }
  const type = hashType | 0;
  if (options.sigversion === "witness_v0") {
    return witnessV0Hash(scriptCode, tx, nIn, type, options.amount ?? 0n, options.precomputed);
  }
  if ((type & 0x1f) === SIGHASH_SINGLE && nIn >= tx.outputs.length) return sighashSingleBugHash();
  const sink = legacyPreimage(scriptCode, tx, nIn, type);
  sink.u32(type);
  return sha256d(sink.result());
}

function witnessV0Hash(
  scriptCode: Uint8Array,
  tx: Transaction,
  nIn: number,
  hashType: number,
  amount: bigint,
  precomputed: PrecomputedTransactionData | undefined,
): Uint8Array {
  const cache = precomputed !== undefined && precomputed.tx === tx
    ? precomputed
    : new PrecomputedTransactionData(tx);
  const anyoneCanPay = (hashType & SIGHASH_ANYONECANPAY) !== 0;
  const base = hashType & 0x1f;
  const singleOrNone = base === SIGHASH_SINGLE || base === SIGHASH_NONE;
  const hashPrevouts = anyoneCanPay ? ZERO32 : cache.hashPrevouts;
  const hashSequence = anyoneCanPay || singleOrNone ? ZERO32 : cache.hashSequence;
  let hashOutputs = ZERO32;
  if (!singleOrNone) {
    hashOutputs = cache.hashOutputs;
  } else if (base === SIGHASH_SINGLE && nIn < tx.outputs.length) {
    const o = new Sink(txoutSize(tx.outputs[nIn]));
    o.txout(tx.outputs[nIn]);
    hashOutputs = sha256d(o.result());
  }
  const input = tx.inputs[nIn];
  const sink = new Sink(4 + 32 + 32 + 36 + 9 + scriptCode.length + 8 + 4 + 32 + 4 + 4);
  sink.u32(tx.version);
  sink.bytes(hashPrevouts);
  sink.bytes(hashSequence);
  sink.outpoint(input.prevout);
  sink.script(scriptCode);
  sink.i64(amount);
  sink.u32(input.sequence);
  sink.bytes(hashOutputs);
  sink.u32(tx.locktime);
  sink.u32(hashType);
  return sha256d(sink.result());
}

/** SHA-256 midstate after the TapSighash tag prefix (cloned per hash). */
const TAPSIGHASH = taggedHasher("TapSighash");

/** Core's annex hash: SHA-256 of the annex serialized as a byte vector (compact size, then bytes). */
export function annexHash(annex: Uint8Array): Uint8Array {
  const sink = new Sink(annex.length + 9);
  sink.script(annex);
  return sha256(sink.result());
}

/**
 * The BIP341 signature message (`SigMsg` with the leading epoch byte 0x00, plus the BIP342 extension for
 * tapscript) whose TapSighash tagged hash is the signature hash; null where Core's `SignatureHashSchnorr`
 * returns false: missing spent outputs, an invalid hash type (valid: 0x00–0x03, 0x81–0x83), or SIGHASH_SINGLE
 * without an output at `nIn`. For tapscript, `execdata.tapleafHash` is required (null without it) and
 * `execdata.codeseparatorPos` defaults to 0xffffffff. `execdata.annex` is the annex with its 0x50 prefix, or
 * null/absent.
 */
export function signatureMessageSchnorr(
  tx: Transaction,
  nIn: number,
  hashType: number,
  sigversion: SigVersion,
  execdata: ScriptExecutionData,
  precomputed: PrecomputedTransactionData,
): Uint8Array | null {
  if (!Number.isInteger(nIn) || nIn < 0 || nIn >= tx.inputs.length) {
    throw new RangeError(`Cannot compute signature hash: input ${nIn} of ${tx.inputs.length}`);
  }
  let extFlag: number;
  if (sigversion === "taproot") extFlag = 0;
  else if (sigversion === "tapscript") extFlag = 1;
  else throw new RangeError(`Cannot compute a Schnorr signature hash for sigversion ${sigversion}`);
  const amounts = precomputed.spentAmountsSingleHash;
  const scripts = precomputed.spentScriptsSingleHash;
  const spent = precomputed.spentOutputs;
  if (amounts === null || scripts === null || spent === null || precomputed.tx !== tx) return null;
  if (!(hashType >= 0 && hashType <= 3) && !(hashType >= 0x81 && hashType <= 0x83)) return null;
  const outputType = hashType === SIGHASH_DEFAULT ? SIGHASH_ALL : hashType & SIGHASH_OUTPUT_MASK;
  const inputType = hashType & SIGHASH_INPUT_MASK;
  if (outputType === SIGHASH_SINGLE && nIn >= tx.outputs.length) return null;
  if (extFlag === 1 && (execdata.tapleafHash === undefined || execdata.tapleafHash.length !== 32)) {
    return null;
  }

  const annex = execdata.annex ?? null;
  const sink = new Sink(256);
  sink.u8(0); // epoch
  sink.u8(hashType);
  sink.u32(tx.version);
  sink.u32(tx.locktime);
  if (inputType !== SIGHASH_ANYONECANPAY) {
    sink.bytes(precomputed.prevoutsSingleHash);
    sink.bytes(amounts);
    sink.bytes(scripts);
    sink.bytes(precomputed.sequencesSingleHash);
  }
  if (outputType === SIGHASH_ALL) sink.bytes(precomputed.outputsSingleHash);
  sink.u8(extFlag * 2 + (annex !== null ? 1 : 0));
  if (inputType === SIGHASH_ANYONECANPAY) {
    sink.outpoint(tx.inputs[nIn].prevout);
    sink.txout(spent[nIn]);
    sink.u32(tx.inputs[nIn].sequence);
  } else {
    sink.u32(nIn);
  }
  if (annex !== null) sink.bytes(annexHash(annex));
  if (outputType === SIGHASH_SINGLE) {
    const o = new Sink(txoutSize(tx.outputs[nIn]));
    o.txout(tx.outputs[nIn]);
    sink.bytes(sha256(o.result()));
  }
  if (extFlag === 1) {
    sink.bytes(execdata.tapleafHash!);
    sink.u8(0); // key_version
    sink.u32(execdata.codeseparatorPos ?? 0xffffffff);
  }
  return sink.result();
}

/**
 * Core's `SignatureHashSchnorr` (BIP341 for sigversion "taproot", BIP341+342 for "tapscript"): the TapSighash
 * tagged hash of {@link signatureMessageSchnorr}, or null where Core returns false (see there).
 */
export function signatureHashSchnorr(
  tx: Transaction,
  nIn: number,
  hashType: number,
  sigversion: SigVersion,
  execdata: ScriptExecutionData,
  precomputed: PrecomputedTransactionData,
): Uint8Array | null {
  const msg = signatureMessageSchnorr(tx, nIn, hashType, sigversion, execdata, precomputed);
  if (msg === null) return null;
  return TAPSIGHASH.clone().update(msg).digest();
}
