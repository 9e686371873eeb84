/**
 * Scripts as bytes (Bitcoin Core's `CScript`, script/script.h): reading operations (`GetScriptOp`), push
 * encoding and the minimal-push rule (`CheckMinimalPush`), script numbers (`CScriptNum`), `FindAndDelete`, and the
 * template tests (`IsPushOnly`, `IsWitnessProgram`, `IsPayToScriptHash`, `IsPayToAnchor`, `IsUnspendable`, …).
 *
 * Scripts are plain `Uint8Array`s. Nothing here throws on hostile script bytes except the documented typed errors
 * ({@link ScriptParseError} from {@link decodeScript}, {@link ScriptNumError} from {@link decodeScriptNum}).
 *
 * @module
 */
import {
  MAX_OPCODE,
  OP_0,
  OP_1,
  OP_16,
  OP_1NEGATE,
  OP_EQUAL,
  OP_HASH160,
  OP_INVALIDOPCODE,
  OP_PUSHDATA1,
  OP_PUSHDATA2,
  OP_PUSHDATA4,
  OP_RETURN,
} from "./opcodes.ts";

/** Maximum number of bytes pushable to the stack (`MAX_SCRIPT_ELEMENT_SIZE`). */
export const MAX_SCRIPT_ELEMENT_SIZE = 520;
/** Maximum number of non-push operations per script (`MAX_OPS_PER_SCRIPT`). */
export const MAX_OPS_PER_SCRIPT = 201;
/** Maximum number of public keys per multisig (`MAX_PUBKEYS_PER_MULTISIG`). */
export const MAX_PUBKEYS_PER_MULTISIG = 20;
/** The limit of keys in OP_CHECKSIGADD-based scripts (`MAX_PUBKEYS_PER_MULTI_A`, BIP342 stack limit). */
export const MAX_PUBKEYS_PER_MULTI_A = 999;
/** Maximum script length in bytes (`MAX_SCRIPT_SIZE`). */
export const MAX_SCRIPT_SIZE = 10000;
/** Maximum number of values on the script interpreter stack (`MAX_STACK_SIZE`). */
export const MAX_STACK_SIZE = 1000;
/** nLockTime below this is a block height, else a UNIX time (`LOCKTIME_THRESHOLD`). */
export const LOCKTIME_THRESHOLD = 500000000;
/** Maximum nLockTime (`LOCKTIME_MAX`). */
export const LOCKTIME_MAX = 0xffffffff;
/** First byte of a taproot annex (`ANNEX_TAG`). */
export const ANNEX_TAG = 0x50;
/** Validation weight per passing signature, tapscript (`VALIDATION_WEIGHT_PER_SIGOP_PASSED`, BIP342). */
export const VALIDATION_WEIGHT_PER_SIGOP_PASSED = 50;
/** Weight budget added to the witness size, tapscript (`VALIDATION_WEIGHT_OFFSET`, BIP342). */
export const VALIDATION_WEIGHT_OFFSET = 50;
/** Size of a P2WPKH program (`WITNESS_V0_KEYHASH_SIZE`). */
export const WITNESS_V0_KEYHASH_SIZE = 20;
/** Size of a P2WSH program (`WITNESS_V0_SCRIPTHASH_SIZE`). */
export const WITNESS_V0_SCRIPTHASH_SIZE = 32;
/** Size of a P2TR program (`WITNESS_V1_TAPROOT_SIZE`). */
export const WITNESS_V1_TAPROOT_SIZE = 32;

/** A script's bytes cannot be split into operations (a push runs past the end), or asm text cannot be parsed. */
export class ScriptParseError extends Error {
  /** Byte offset (in a script) where parsing failed, when known. */
  readonly offset: number | undefined;
  /** Creates the error; `offset` is the byte offset of the failing operation, if any. */
  constructor(message: string, offset?: number) {
    super(message);
    this.name = "ScriptParseError";
    this.offset = offset;
  }
}

/** Why a script number was rejected (Core's `scriptnum_error` messages). */
export type ScriptNumErrorReason = "overflow" | "non_minimal";

/**
 * A byte vector is not a valid script number (Core's `scriptnum_error`): "script number overflow" or
 * "non-minimally encoded script number". The interpreter maps it to SCRIPT_ERR_SCRIPTNUM as Core does.
 */
export class ScriptNumError extends Error {
  /** Which rule failed. */
  readonly reason: ScriptNumErrorReason;
  /** Creates the error with Core's message for `reason`. */
  constructor(reason: ScriptNumErrorReason) {
    super(reason === "overflow" ? "script number overflow" : "non-minimally encoded script number");
    this.name = "ScriptNumError";
    this.reason = reason;
  }
}

/**
 * Reads a script operation by operation with Core's `GetScriptOp` semantics, without allocating: after a
 * successful {@link next}, `opcode` is the opcode, `opStart` its offset, `pc` the offset after the operation and,
 * for push opcodes (0x00..0x4e), `dataStart`/`dataEnd` delimit the pushed bytes (empty for other opcodes).
 *
 * `next()` returns false at the end of the script and on a truncated push (then `opcode` is OP_INVALIDOPCODE and
 * `pc` stays at the start of the failed operation; `pc < script.length` tells the two apart).
 */
export class ScriptCursor {
  /** The script being read. */
  readonly script: Uint8Array;
  /** Offset of the next operation. */
  pc: number;
  /** Offset of the current operation's opcode byte. */
  opStart: number;
  /** Current opcode (OP_INVALIDOPCODE before the first `next()` and after a failed one). */
  opcode: number = OP_INVALIDOPCODE;
  /** Start of the current push's data. */
  dataStart: number;
  /** End (exclusive) of the current push's data. */
  dataEnd: number;

  /** A cursor over `script` starting at byte offset `pc`. */
  constructor(script: Uint8Array, pc = 0) {
    this.script = script;
    this.pc = pc;
    this.opStart = pc;
    this.dataStart = pc;
    this.dataEnd = pc;
  }

  /** Advances to the next operation (Core's `GetScriptOp`); false at the end or on a truncated push. */
  next(): boolean {
    const s = this.script;
    const end = s.length;
    let pc = this.pc;
    this.opStart = pc;
    this.dataStart = pc;
    this.dataEnd = pc;
    this.opcode = OP_INVALIDOPCODE;
    if (pc >= end) return false;
    const op = s[pc++];
    if (op <= OP_PUSHDATA4) {
      let size: number;
      if (op < OP_PUSHDATA1) {
        size = op;
      } else if (op === OP_PUSHDATA1) {
        if (end - pc < 1) return false;
        size = s[pc++];
      } else if (op === OP_PUSHDATA2) {
        if (end - pc < 2) return false;
        size = s[pc] | (s[pc + 1] << 8);
        pc += 2;
      } else {
        if (end - pc < 4) return false;
        size = (s[pc] | (s[pc + 1] << 8) | (s[pc + 2] << 16) | (s[pc + 3] << 24)) >>> 0;
        pc += 4;
      }
      if (end - pc < size) return false;
      this.dataStart = pc;
      this.dataEnd = pc + size;
      pc += size;
    }
    this.opcode = op;
    this.pc = pc;
    return true;
  }

  /** The current push's data (a zero-copy view into the script; empty for non-push opcodes). */
  get data(): Uint8Array {
    return this.script.subarray(this.dataStart, this.dataEnd);
  }

  /** Length of the current push's data. */
  get dataLength(): number {
    return this.dataEnd - this.dataStart;
  }
}

/** One decoded operation. */
export interface ScriptOp {
  /** The opcode byte. */
  readonly opcode: number;
  /** Pushed bytes (view into the script) for push opcodes 0x00..0x4e; empty otherwise. */
  readonly data: Uint8Array;
  /** Offset of the opcode byte. */
  readonly start: number;
  /** Offset after the operation. */
  readonly end: number;
}

/**
 * Splits a script into operations. Throws {@link ScriptParseError} ("Cannot parse script: push at byte N runs
 * past the end") when a push is truncated.
 */
export function decodeScript(script: Uint8Array): ScriptOp[] {
  const ops: ScriptOp[] = [];
  const c = new ScriptCursor(script);
  while (c.next()) ops.push({ opcode: c.opcode, data: c.data, start: c.opStart, end: c.pc });
  if (c.pc < script.length) {
    throw new ScriptParseError(`Cannot parse script: push at byte ${c.pc} runs past the end`, c.pc);
  }
  return ops;
}

/**
 * Core's `IsPushOnly`: every operation from `start` on parses and is OP_16 or below (OP_RESERVED counts as a
 * push). A truncated push makes it false.
 */
export function isPushOnly(script: Uint8Array, start = 0): boolean {
  const c = new ScriptCursor(script, start);
  while (c.pc < script.length) {
    if (!c.next()) return false;
    if (c.opcode > OP_16) return false;
  }
  return true;
}

/** Core's `HasValidOps`: every operation parses, is at most MAX_OPCODE (0xb9) and pushes at most 520 bytes. */
export function hasValidOps(script: Uint8Array): boolean {
  const c = new ScriptCursor(script);
  while (c.pc < script.length) {
    if (!c.next() || c.opcode > MAX_OPCODE || c.dataLength > MAX_SCRIPT_ELEMENT_SIZE) return false;
  }
  return true;
}

/** Core's `DecodeOP_N`: 0 for OP_0, 1..16 for OP_1..OP_16; RangeError for any other opcode. */
export function decodeOpN(opcode: number): number {
  if (opcode === OP_0) return 0;
  if (opcode < OP_1 || opcode > OP_16) throw new RangeError(`Cannot decode OP_N: opcode is ${opcode}`);
  return opcode - (OP_1 - 1);
}

/** Core's `EncodeOP_N`: OP_0 for 0, OP_1..OP_16 for 1..16; RangeError otherwise. */
export function encodeOpN(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 16) throw new RangeError(`Cannot encode OP_N: value is ${n}`);
  return n === 0 ? OP_0 : OP_1 + n - 1;
}

/** Length of the push prefix Core writes for `size` bytes of data (`AppendDataSize`). */
function pushPrefixLength(size: number): number {
  return size < OP_PUSHDATA1 ? 1 : size <= 0xff ? 2 : size <= 0xffff ? 3 : 5;
}

/** Writes Core's push prefix for `size` at `out[pos]`, returns the offset after it. */
function writePushPrefix(out: Uint8Array, pos: number, size: number): number {
  if (size < OP_PUSHDATA1) {
    out[pos++] = size;
  } else if (size <= 0xff) {
    out[pos++] = OP_PUSHDATA1;
    out[pos++] = size;
  } else if (size <= 0xffff) {
    out[pos++] = OP_PUSHDATA2;
    out[pos++] = size & 0xff;
    out[pos++] = size >>> 8;
  } else {
    out[pos++] = OP_PUSHDATA4;
    out[pos++] = size & 0xff;
    out[pos++] = (size >>> 8) & 0xff;
    out[pos++] = (size >>> 16) & 0xff;
    out[pos++] = size >>> 24;
  }
  return pos;
}

/**
 * The script that pushes `data` the way Core's `CScript << data` does: the shortest length prefix (direct,
 * OP_PUSHDATA1/2/4) followed by the bytes. Empty data gives [0x00] (OP_0); small numbers are NOT turned into
 * OP_1..OP_16 (see {@link pushDataMinimal}).
 */
export function pushData(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(pushPrefixLength(data.length) + data.length);
  out.set(data, writePushPrefix(out, 0, data.length));
  return out;
}

/**
 * The push of `data` that satisfies {@link checkMinimalPush}: OP_0 for empty data, OP_1..OP_16 for a single byte
 * 1..16, OP_1NEGATE for [0x81], else as {@link pushData}.
 */
export function pushDataMinimal(data: Uint8Array): Uint8Array {
  if (data.length === 0) return Uint8Array.of(OP_0);
  if (data.length === 1 && data[0] >= 1 && data[0] <= 16) return Uint8Array.of(OP_1 + data[0] - 1);
  if (data.length === 1 && data[0] === 0x81) return Uint8Array.of(OP_1NEGATE);
  return pushData(data);
}

/** Core's `PushAll`: the push-only script that pushes each of `values` with {@link pushDataMinimal}. */
export function pushAll(values: readonly Uint8Array[]): Uint8Array {
  const pushes = values.map(pushDataMinimal);
  const out = new Uint8Array(pushes.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pushes) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The script that pushes the integer `n` as Core's `CScript << int64` (`push_int64`): OP_1NEGATE, OP_0,
 * OP_1..OP_16, else the {@link encodeScriptNum} bytes pushed with {@link pushData}.
 */
export function pushInt(n: number | bigint): Uint8Array {
  const v = typeof n === "bigint" ? n : BigInt(checkSafeInteger(n));
  if (v === -1n || (v >= 1n && v <= 16n)) return Uint8Array.of(Number(v) + (OP_1 - 1));
  if (v === 0n) return Uint8Array.of(OP_0);
  return pushData(encodeScriptNum(n));
}

/**
 * Core's `CheckMinimalPush` (MINIMALDATA): whether `data` was pushed with the opcode that is by definition the
 * smallest. `opcode` must be a push opcode 0x00..0x4e (RangeError otherwise, as Core asserts).
 */
export function checkMinimalPush(data: Uint8Array, opcode: number): boolean {
  if (!(opcode >= 0 && opcode <= OP_PUSHDATA4)) {
    throw new RangeError(`Cannot check minimal push: opcode ${opcode} is not a push`);
  }
  const size = data.length;
  if (size === 0) return opcode === OP_0; // should have used OP_0
  if (size === 1 && data[0] >= 1 && data[0] <= 16) return false; // should have used OP_1 .. OP_16
  if (size === 1 && data[0] === 0x81) return false; // should have used OP_1NEGATE
  if (size <= 75) return opcode === size; // direct push
  if (size <= 255) return opcode === OP_PUSHDATA1;
  if (size <= 65535) return opcode === OP_PUSHDATA2;
  return true;
}

/** Builds scripts from opcodes, pushes and numbers (Core's `CScript() << …` / `BuildScript`). */
export class ScriptBuilder {
  #parts: Uint8Array[] = [];
  #length = 0;

  #add(bytes: Uint8Array): this {
    this.#parts.push(bytes);
    this.#length += bytes.length;
    return this;
  }

  /** Appends opcodes (each 0..255; RangeError otherwise, as Core's operator<<(opcodetype)). */
  op(...opcodes: number[]): this {
    for (const o of opcodes) {
      if (!Number.isInteger(o) || o < 0 || o > 0xff) throw new RangeError(`Cannot append opcode: ${o}`);
    }
    return this.#add(Uint8Array.from(opcodes));
  }

  /** Appends a data push ({@link pushData}). */
  push(data: Uint8Array): this {
    return this.#add(pushData(data));
  }

  /** Appends an integer push ({@link pushInt}). */
  num(n: number | bigint): this {
    return this.#add(pushInt(n));
  }

  /** Appends raw script bytes as they are. */
  raw(bytes: Uint8Array): this {
    return this.#add(bytes.slice());
  }

  /** The script built so far (a new array). */
  build(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let pos = 0;
    for (const p of this.#parts) {
      out.set(p, pos);
      pos += p.length;
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Script numbers (CScriptNum)

/** Default maximum size of a script number operand (`CScriptNum::nDefaultMaxNumSize`). */
export const SCRIPTNUM_DEFAULT_MAX_SIZE = 4;
/** Largest size accepted by {@link decodeScriptNum}: 6 bytes stay exact in a JS number (Core uses 4 and 5). */
export const SCRIPTNUM_MAX_DECODE_SIZE = 6;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

function checkSafeInteger(n: number): number {
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`Cannot encode script number: ${n} is not a safe integer`);
  }
  return n;
}

/**
 * Core's `CScriptNum::serialize`: little-endian sign-magnitude, minimal length, the sign in the top bit of the
 * last byte (0 → empty). Accepts a safe-integer number or a bigint in the int64 range (RangeError otherwise).
 */
export function encodeScriptNum(value: number | bigint): Uint8Array {
  if (typeof value === "bigint") {
    if (value < INT64_MIN || value > INT64_MAX) {
      throw new RangeError(`Cannot encode script number: ${value} is outside the int64 range`);
    }
    if (value === 0n) return new Uint8Array(0);
    const neg = value < 0n;
    let abs = neg ? -value : value;
    const out: number[] = [];
    while (abs > 0n) {
      out.push(Number(abs & 0xffn));
      abs >>= 8n;
    }
    return finishScriptNum(out, neg);
  }
  checkSafeInteger(value);
  if (value === 0) return new Uint8Array(0);
  const neg = value < 0;
  const abs = neg ? -value : value;
  let len = 1;
  let top = abs; // most significant byte of abs once the loop ends
  while (top >= 256) {
    top = Math.floor(top / 256);
    len++;
  }
  const out = new Uint8Array(top & 0x80 ? len + 1 : len);
  let rest = abs;
  for (let i = 0; i < len; i++) {
    out[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  if (top & 0x80) out[len] = neg ? 0x80 : 0;
  else if (neg) out[len - 1] |= 0x80;
  return out;
}

function finishScriptNum(out: number[], neg: boolean): Uint8Array {
  const last = out.length - 1;
  if (out[last] & 0x80) out.push(neg ? 0x80 : 0);
  else if (neg) out[last] |= 0x80;
  return Uint8Array.from(out);
}

/**
 * Core's `CScriptNum(vch, fRequireMinimal, nMaxNumSize)`: decodes a script number. Throws
 * {@link ScriptNumError} "script number overflow" when `vch` is longer than `maxSize` bytes, and (with
 * `requireMinimal`) "non-minimally encoded script number" for a non-minimal encoding, negative zero included.
 * `maxSize` is 4 by default (numeric opcodes) and 5 for CHECKLOCKTIMEVERIFY/CHECKSEQUENCEVERIFY; at most 6.
 */
export function decodeScriptNum(vch: Uint8Array, requireMinimal: boolean, maxSize = 4): number {
  if (maxSize > SCRIPTNUM_MAX_DECODE_SIZE) {
    throw new RangeError(`Cannot decode script number: maximum size ${maxSize} is above 6`);
  }
  const n = vch.length;
  if (n > maxSize) throw new ScriptNumError("overflow");
  if (n === 0) return 0;
  const last = vch[n - 1];
  if (requireMinimal && (last & 0x7f) === 0 && (n <= 1 || (vch[n - 2] & 0x80) === 0)) {
    throw new ScriptNumError("non_minimal");
  }
  let result = 0;
  let mul = 1;
  for (let i = 0; i < n - 1; i++) {
    result += vch[i] * mul;
    mul *= 256;
  }
  result += (last & 0x7f) * mul;
  return last & 0x80 ? (result === 0 ? 0 : -result) : result;
}

/** Core's `CScriptNum::getint`: the value clamped to the int32 range. */
export function scriptNumGetInt(value: number): number {
  return value > 0x7fffffff ? 0x7fffffff : value < -0x80000000 ? -0x80000000 : value;
}

// ---------------------------------------------------------------------------------------------------------------
// FindAndDelete

/** Result of {@link findAndDelete}. */
export interface FindAndDeleteResult {
  /** The script with every match removed (the input array itself when nothing matched). */
  readonly script: Uint8Array;
  /** How many matches were removed. */
  readonly found: number;
}

function matchesAt(script: Uint8Array, pos: number, b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (script[pos + i] !== b[i]) return false;
  return true;
}

/**
 * Core's `FindAndDelete(script, b)`: removes every occurrence of the byte string `b` (the interpreter passes the
 * serialized push of a signature, `CScript() << sig`) that starts at an operation boundary, in one pass;
 * consecutive occurrences are all removed. A truncated final push is not an operation but can itself be matched.
 */
export function findAndDelete(script: Uint8Array, b: Uint8Array): FindAndDeleteResult {
  if (b.length === 0) return { script, found: 0 };
  const end = script.length;
  const blen = b.length;
  const b0 = b[0];
  let found = 0;
  let kept: number[] | null = null; // [start, end) ranges kept before the tail, once a match happened
  let pc2 = 0;
  const c = new ScriptCursor(script);
  do {
    // Here Core appends [pc2, pc) to the result; it is the operation just stepped over.
    let pc = c.pc;
    if (kept !== null && pc > pc2) kept.push(pc2, pc);
    while (end - pc >= blen && script[pc] === b0 && matchesAt(script, pc, b)) {
      if (kept === null) kept = pc > 0 ? [0, pc] : [];
      pc += blen;
      found++;
    }
    c.pc = pc;
    pc2 = pc;
  } while (c.next());
  if (kept === null) return { script, found: 0 };
  kept.push(pc2, end);
  let size = 0;
  for (let i = 0; i < kept.length; i += 2) size += kept[i + 1] - kept[i];
  const out = new Uint8Array(size);
  let pos = 0;
  for (let i = 0; i < kept.length; i += 2) {
    out.set(script.subarray(kept[i], kept[i + 1]), pos);
    pos += kept[i + 1] - kept[i];
  }
  return { script: out, found };
}

// ---------------------------------------------------------------------------------------------------------------
// Templates

/** A witness program: version 0..16 and a 2..40 byte program. */
export interface WitnessProgram {
  /** Witness version 0..16. */
  readonly version: number;
  /** The program (a view into the script). */
  readonly program: Uint8Array;
}

/**
 * Core's `IsWitnessProgram`: a 4..42 byte script made of OP_0 or OP_1..OP_16 followed by one direct push that
 * covers the rest. Returns the version and program, or null.
 */
export function isWitnessProgram(script: Uint8Array): WitnessProgram | null {
  const size = script.length;
  if (size < 4 || size > 42) return null;
  const first = script[0];
  if (first !== OP_0 && (first < OP_1 || first > OP_16)) return null;
  if (script[1] + 2 !== size) return null;
  return { version: first === OP_0 ? 0 : first - (OP_1 - 1), program: script.subarray(2) };
}

/** Core's `IsPayToScriptHash`: exactly `OP_HASH160 <20 bytes> OP_EQUAL`. */
export function isPayToScriptHash(script: Uint8Array): boolean {
  return script.length === 23 && script[0] === OP_HASH160 && script[1] === 0x14 && script[22] === OP_EQUAL;
}

/** Core's `IsPayToWitnessScriptHash`: exactly `OP_0 <32 bytes>`. */
export function isPayToWitnessScriptHash(script: Uint8Array): boolean {
  return script.length === 34 && script[0] === OP_0 && script[1] === 0x20;
}

/** Core's `IsPayToTaproot`: exactly `OP_1 <32 bytes>`. */
export function isPayToTaproot(script: Uint8Array): boolean {
  return script.length === 34 && script[0] === OP_1 && script[1] === 0x20;
}

/** Core's `IsPayToAnchor`: exactly `OP_1 <0x4e73>` (bytes 51 02 4e 73). */
export function isPayToAnchor(script: Uint8Array): boolean {
  return script.length === 4 && script[0] === OP_1 && script[1] === 0x02 && script[2] === 0x4e &&
    script[3] === 0x73;
}

/** Core's `IsPayToAnchor(version, program)`: a witness program that is the pay-to-anchor one. */
export function isPayToAnchorProgram(version: number, program: Uint8Array): boolean {
  return version === 1 && program.length === 2 && program[0] === 0x4e && program[1] === 0x73;
}

/**
 * Core's `IsUnspendable`: starts with OP_RETURN or is larger than MAX_SCRIPT_SIZE; such outputs never enter the
 * UTXO set.
 */
export function isUnspendable(script: Uint8Array): boolean {
  return (script.length > 0 && script[0] === OP_RETURN) || script.length > MAX_SCRIPT_SIZE;
}
