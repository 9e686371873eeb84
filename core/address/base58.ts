/**
 * Base58 and Base58Check (Bitcoin Core's `base58.cpp`): the conversion itself is @scure/base's; the decode rules
 * around it are Core's — leading and trailing whitespace skipped, whitespace inside rejected, a NUL byte anywhere
 * rejected, and a maximum decoded length checked before any long computation (so hostile input cannot cost
 * quadratic time).
 *
 * @module
 */
import { base58 } from "@scure/base";
import { sha256 } from "@noble/hashes/sha2.js";
import { asciiString, isSpaceByte, utf8Bytes } from "./text.ts";

/** Base58 digit value of each ASCII byte, -1 when it is not a digit. */
const DIGIT: Int8Array = (() => {
  const map = new Int8Array(256).fill(-1);
  const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  for (let i = 0; i < alphabet.length; i++) map[alphabet.charCodeAt(i)] = i;
  return map;
})();

/** log(58) / log(256), slightly rounded down: every base58 digit after the first adds at least this many bytes. */
const BYTES_PER_DIGIT = 0.732;

/** Encodes `bytes` as Base58 (leading zero bytes become '1's). */
export function encodeBase58(bytes: Uint8Array): string {
  return base58.encode(bytes);
}

/**
 * Decodes a Base58 string as Core's `DecodeBase58(str, vch, max_ret_len)`: returns the bytes, or undefined when
 * the string has a character outside the alphabet, whitespace between digits, a NUL byte, or decodes to more than
 * `maxRetLen` bytes.
 */
export function decodeBase58(str: string, maxRetLen: number): Uint8Array | undefined {
  const s = utf8Bytes(str);
  if (s.includes(0)) return undefined;
  let i = 0;
  while (i < s.length && isSpaceByte(s[i])) i++;
  let zeroes = 0;
  while (i < s.length && s[i] === 0x31) {
    zeroes++;
    if (zeroes > maxRetLen) return undefined;
    i++;
  }
  const start = i;
  while (i < s.length && !isSpaceByte(s[i])) {
    if (DIGIT[s[i]] === -1) return undefined;
    i++;
  }
  const end = i;
  while (i < s.length && isSpaceByte(s[i])) i++;
  if (i !== s.length) return undefined;
  const digits = end - start;
  // A number of `digits` base58 digits (the first non-zero) needs more than (digits - 1) * log256(58) bytes.
  if (digits > 0 && (digits - 1) * BYTES_PER_DIGIT - 1 > maxRetLen - zeroes) return undefined;
  const decoded = base58.decode("1".repeat(zeroes) + asciiString(s.subarray(start, end)));
  return decoded.length > maxRetLen ? undefined : decoded;
}

/** The first 4 bytes of SHA256d(`payload`): the Base58Check checksum. */
function checksum(payload: Uint8Array): Uint8Array {
  return sha256(sha256(payload)).subarray(0, 4);
}

/** Encodes `payload` as Base58Check (payload followed by the first 4 bytes of its SHA256d). */
export function encodeBase58Check(payload: Uint8Array): string {
  const data = new Uint8Array(payload.length + 4);
  data.set(payload);
  data.set(checksum(payload), payload.length);
  return base58.encode(data);
}

/**
 * Decodes a Base58Check string as Core's `DecodeBase58Check(str, vch, max_ret_len)`: returns the payload (without
 * its checksum), or undefined when the Base58 decoding fails (see {@linkcode decodeBase58}; the limit is
 * `maxRetLen` + 4 bytes), the result is shorter than the checksum, or the checksum does not match.
 */
export function decodeBase58Check(str: string, maxRetLen: number): Uint8Array | undefined {
  const data = decodeBase58(str, maxRetLen + 4);
  if (data === undefined || data.length < 4) return undefined;
  const payload = data.subarray(0, data.length - 4);
  const sum = checksum(payload);
  for (let i = 0; i < 4; i++) if (sum[i] !== data[payload.length + i]) return undefined;
  return payload.slice();
}
