/**
 * Bitcoin Core's text forms of scripts (core_io.cpp):
 * - {@link scriptToAsm}: `ScriptToAsmStr`, the `asm` field of RPC results (small pushes as numbers, data as
 *   hex, signatures optionally with their sighash type decoded as `[ALL]`, `[error]` on a truncated push);
 * - {@link parseScriptAsm}: `ParseScript`, the format of the test vectors (script_tests.json, tx_valid.json,
 *   tx_invalid.json): numbers, `0x…` raw bytes, `'…'` strings, opcode names with or without `OP_`;
 * - {@link formatScript}: `FormatScript`, the inverse of ParseScript (`parseScriptAsm(formatScript(s))` is `s`).
 *
 * @module
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import {
  OP_0,
  OP_1,
  OP_16,
  OP_1NEGATE,
  OP_NOP,
  OP_NOP10,
  OP_PUSHDATA4,
  opcodeName,
  parseOpcodeName,
} from "./opcodes.ts";
import {
  decodeScriptNum,
  isUnspendable,
  pushData,
  pushInt,
  ScriptCursor,
  ScriptParseError,
} from "./script.ts";
import { isValidSignatureEncoding } from "./interpreter/signature_encoding.ts";

/** Options of {@link scriptToAsm}. */
export interface ScriptToAsmOptions {
  /**
   * Decode the sighash type of pushes that look like signatures (strict DER plus a defined hash type) into
   * `[ALL]`, `[NONE|ANYONECANPAY]`, … (Core's `fAttemptSighashDecode`; RPC sets it for scriptSigs only). Never
   * applied to unspendable scripts. Default false.
   */
  readonly attemptSighashDecode?: boolean;
}

/** Core's `mapSigHashTypes`: hash type byte → name. */
const SIGHASH_NAMES: ReadonlyMap<number, string> = new Map([
  [0x01, "ALL"],
  [0x81, "ALL|ANYONECANPAY"],
  [0x02, "NONE"],
  [0x82, "NONE|ANYONECANPAY"],
  [0x03, "SINGLE"],
  [0x83, "SINGLE|ANYONECANPAY"],
]);

/** Core's `SighashToStr`: the name of a hash type byte ("ALL", "NONE|ANYONECANPAY", …), "" for other values. */
export function sighashToStr(hashType: number): string {
  return SIGHASH_NAMES.get(hashType) ?? "";
}

/**
 * What Core's `CheckSignatureEncoding(sig, SCRIPT_VERIFY_STRICTENC)` accepts for a non-empty push: strict DER
 * and a hash type (without ANYONECANPAY) of ALL, NONE or SINGLE.
 */
function looksLikeSignature(sig: Uint8Array): boolean {
  if (!isValidSignatureEncoding(sig)) return false;
  const type = sig[sig.length - 1] & ~0x80;
  return type >= 0x01 && type <= 0x03;
}

/**
 * Core's `ScriptToAsmStr(script, fAttemptSighashDecode)`: operations separated by spaces; pushes of up to 4 bytes
 * as their script-number value (non-minimal encodings allowed, e.g. "0" for an empty push), larger pushes as hex,
 * other opcodes by {@link opcodeName}; a truncated push ends the text with "[error]".
 */
export function scriptToAsm(script: Uint8Array, options: ScriptToAsmOptions = {}): string {
  const decodeSighash = options.attemptSighashDecode === true && !isUnspendable(script);
  const parts: string[] = [];
  const c = new ScriptCursor(script);
  while (c.pc < script.length) {
    if (!c.next()) {
      parts.push("[error]");
      break;
    }
    const op = c.opcode;
    if (op <= OP_PUSHDATA4) {
      const len = c.dataLength;
      if (len <= 4) {
        // Up to 4 bytes always decode (no minimality required) and fit an int32: no clamping needed.
        parts.push(String(decodeScriptNum(c.data, false)));
      } else {
        const data = c.data;
        if (decodeSighash && looksLikeSignature(data)) {
          const name = SIGHASH_NAMES.get(data[len - 1]);
          parts.push(
            name === undefined ? bytesToHex(data) : `${bytesToHex(data.subarray(0, len - 1))}[${name}]`,
          );
        } else {
          parts.push(bytesToHex(data));
        }
      }
    } else {
      parts.push(opcodeName(op));
    }
  }
  return parts.join(" ");
}

/**
 * Core's `FormatScript`: the ParseScript-compatible text of a script. OP_0 as "0", OP_1NEGATE/OP_1..OP_16 as
 * numbers, OP_NOP..OP_NOP10 by name without "OP_", pushes as "0x<prefix> 0x<data>", any other opcode as its
 * hex byte, a truncated tail as one hex word.
 */
export function formatScript(script: Uint8Array): string {
  const parts: string[] = [];
  const c = new ScriptCursor(script);
  while (c.pc < script.length) {
    const start = c.pc;
    if (!c.next()) {
      parts.push(`0x${bytesToHex(script.subarray(start))}`);
      break;
    }
    const op = c.opcode;
    if (op === OP_0) {
      parts.push("0");
      continue;
    }
    if ((op >= OP_1 && op <= OP_16) || op === OP_1NEGATE) {
      parts.push(String(op - OP_1NEGATE - 1));
      continue;
    }
    if (op >= OP_NOP && op <= OP_NOP10) {
      parts.push(opcodeName(op).slice(3));
      continue;
    }
    if (c.dataLength > 0) {
      parts.push(
        `0x${bytesToHex(script.subarray(start, c.dataStart))}`,
        `0x${bytesToHex(c.data)}`,
      );
    } else {
      parts.push(`0x${bytesToHex(script.subarray(start, c.pc))}`);
    }
  }
  return parts.join(" ");
}

const DECIMAL = /^-?[0-9]+$/;
const HEX = /^[0-9a-fA-F]+$/;
const NUMBER_LIMIT = 0xffffffffn;

function hexToBytesChecked(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Growable byte buffer for the parser. */
class ByteSink {
  #buf = new Uint8Array(64);
  #len = 0;

  append(bytes: Uint8Array): void {
    if (this.#len + bytes.length > this.#buf.length) {
      const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + bytes.length));
      next.set(this.#buf.subarray(0, this.#len));
      this.#buf = next;
    }
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
  }

  bytes(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

/**
 * Core's `ParseScript` (core_io.cpp), the script format of Core's test vectors. Words are separated by spaces,
 * tabs and newlines only; each word is one of:
 * - a decimal number (`123`, `-5`, leading zeros allowed) in -0xFFFFFFFF..0xFFFFFFFF, pushed like
 *   `CScript << int64`: -1 and 1..16 as OP_1NEGATE/OP_1..OP_16, 0 as OP_0, others as a script-number push;
 * - `0x` followed by an even, non-zero number of hex digits: those bytes inserted as they are (not pushed);
 * - a `'…'` string (no whitespace inside): its UTF-8 bytes pushed (`''` pushes empty data: OP_0);
 * - an opcode name accepted by {@link parseOpcodeName} (`OP_ADD` or `ADD`).
 *
 * Throws {@link ScriptParseError} with Core's messages ("script parse error: unknown opcode …",
 * "script parse error: decimal numeric value only allowed in the range -0xFFFFFFFF...0xFFFFFFFF").
 */
export function parseScriptAsm(text: string): Uint8Array {
  const out = new ByteSink();
  const encoder = new TextEncoder();
  for (const w of text.split(/[ \t\n]/)) {
    if (w.length === 0) continue;
    if (DECIMAL.test(w)) {
      const n = BigInt(w);
      if (n > NUMBER_LIMIT || n < -NUMBER_LIMIT) {
        throw new ScriptParseError(
          `script parse error: decimal numeric value only allowed in the range -0xFFFFFFFF...0xFFFFFFFF (got ${w})`,
        );
      }
      out.append(pushInt(n));
    } else if (w.startsWith("0x") && w.length > 2 && w.length % 2 === 0 && HEX.test(w.slice(2))) {
      out.append(hexToBytesChecked(w.slice(2)));
    } else if (w.length >= 2 && w.startsWith("'") && w.endsWith("'")) {
      out.append(pushData(encoder.encode(w.slice(1, -1))));
    } else {
      const op = parseOpcodeName(w);
      if (op === null) throw new ScriptParseError(`script parse error: unknown opcode "${w}"`);
      out.append(Uint8Array.of(op));
    }
  }
  return out.bytes();
}
