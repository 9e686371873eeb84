/**
 * Bitcoin's hash functions (Core's `hash.h`): SHA-256, SHA-256d (`Hash`), HASH160 (`Hash160`), BIP340 tagged
 * hashes (`TaggedHash`), and the hex helpers used to print and parse them. Small inputs are hashed by the pure
 * TypeScript SHA-256 in `sha256.ts` (no per-call overhead), large ones by `node:crypto` (native, much faster
 * per byte); the crossover sizes were measured (bench/core_wire_bench.ts).
 *
 * Hashes are 32-byte arrays in internal byte order; RPC shows them reversed ({@link reverseHex}).
 *
 * @module
 */

import { createHash } from "node:crypto";
import { ripemd160 } from "@noble/hashes/legacy.js";
import { DecodeError } from "../wire/errors.ts";
import { jsSha256, jsSha256d, jsSha256dRanges, Sha256 } from "./sha256.ts";

export { Sha256 } from "./sha256.ts";

/** Inputs at least this long go to node:crypto for a single SHA-256. */
export const NATIVE_SHA256_MIN = 384;
/** Inputs at least this long go to node:crypto for SHA-256d. */
export const NATIVE_SHA256D_MIN = 640;

/** The all-zero hash (Core's `uint256()`/`uint256::ZERO`). */
export const ZERO_HASH: Uint8Array = new Uint8Array(32);

function nativeSha256(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  out.set(createHash("sha256").update(data).digest());
  return out;
}

/** SHA-256 (Core's `CSHA256`). */
export function sha256(data: Uint8Array): Uint8Array {
  return data.length < NATIVE_SHA256_MIN ? jsSha256(data) : nativeSha256(data);
}

/** SHA-256 of SHA-256 (Core's `Hash`/`CHash256`): txids, block hashes, merkle nodes, checksums. */
export function sha256d(data: Uint8Array): Uint8Array {
  if (data.length < NATIVE_SHA256D_MIN) return jsSha256d(data);
  const first = createHash("sha256").update(data).digest();
  return jsSha256(first);
}

/**
 * SHA-256d of `data[start..end)` joined with further ranges of the same array, without copying: used to hash a
 * transaction's stripped serialization straight from the bytes it was decoded from.
 */
export function sha256dRanges(data: Uint8Array, ranges: readonly number[]): Uint8Array {
  let total = 0;
  for (let i = 0; i < ranges.length; i += 2) total += ranges[i + 1] - ranges[i];
  if (total < NATIVE_SHA256D_MIN) return jsSha256dRanges(data, ranges);
  const h = createHash("sha256");
  for (let i = 0; i < ranges.length; i += 2) h.update(data.subarray(ranges[i], ranges[i + 1]));
  return jsSha256(h.digest());
}

/** RIPEMD-160 of SHA-256 (Core's `Hash160`): public key and script hashes. */
export function hash160(data: Uint8Array): Uint8Array {
  return ripemd160(sha256(data));
}

const TAG_ENCODER = new TextEncoder();

/**
 * A SHA-256 hasher already fed with BIP340's tag prefix `SHA256(tag) || SHA256(tag)` (Core's
 * `TaggedHash(tag)`); keep it and {@link Sha256.clone} it per message to skip hashing the prefix each time.
 */
export function taggedHasher(tag: string): Sha256 {
  const t = sha256(TAG_ENCODER.encode(tag));
  return new Sha256().update(t).update(t);
}

/** Midstates of the tags seen so far (a pure memo: a tag's prefix never changes; bounded). */
const tagMidstates = new Map<string, Sha256>();
const TAG_MEMO_LIMIT = 64;

/** BIP340 tagged hash: `SHA256(SHA256(tag) || SHA256(tag) || msgs…)`; the tag's prefix state is cached. */
export function taggedHash(tag: string, ...msgs: Uint8Array[]): Uint8Array {
  let base = tagMidstates.get(tag);
  if (base === undefined) {
    base = taggedHasher(tag);
    if (tagMidstates.size >= TAG_MEMO_LIMIT) tagMidstates.clear();
    tagMidstates.set(tag, base);
  }
  const h = base.clone();
  for (const m of msgs) h.update(m);
  return h.digest();
}

/** True if `a` and `b` hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Lexicographic byte order, a shorter prefix first: negative, zero or positive as `a` sorts before, with or after
 * `b` (`std::vector<unsigned char>::operator<`, Core's `CPubKey::operator<`).
 */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** True if every byte is zero (Core's `uint256::IsNull`). */
export function isZeroHash(h: Uint8Array): boolean {
  for (let i = 0; i < h.length; i++) if (h[i] !== 0) return false;
  return true;
}

const HEX_PAIRS: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const HEX_CODES = new TextEncoder().encode("0123456789abcdef");
const LATIN1 = new TextDecoder("latin1");

/** Lowercase hex of `bytes`, in the order given. */
export function toHex(bytes: Uint8Array): string {
  if (bytes.length <= 64) {
    let s = "";
    for (let i = 0; i < bytes.length; i++) s += HEX_PAIRS[bytes[i]];
    return s;
  }
  const chars = new Uint8Array(bytes.length * 2);
  for (let i = 0, j = 0; i < bytes.length; i++, j += 2) {
    chars[j] = HEX_CODES[bytes[i] >> 4];
    chars[j + 1] = HEX_CODES[bytes[i] & 15];
  }
  return LATIN1.decode(chars);
}

/** Lowercase hex of `bytes` reversed: how Core prints hashes (txids, block hashes). */
export function reverseHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = bytes.length - 1; i >= 0; i--) s += HEX_PAIRS[bytes[i]];
  return s;
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Bytes of a hex string, strictly: even length, only `0-9a-fA-F` (no prefix, no spaces). Throws a
 * {@link DecodeError} otherwise.
 */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new DecodeError("hex", `odd length ${hex.length}`, hex.length);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(hex.charCodeAt(2 * i));
    const lo = nibble(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) {
      const at = hi < 0 ? 2 * i : 2 * i + 1;
      throw new DecodeError("hex", `invalid character ${JSON.stringify(hex[at])} at position ${at}`, at);
    }
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Bytes of a hex string in display order, reversed into internal order (e.g. a txid typed by a user). */
export function fromReverseHex(hex: string): Uint8Array {
  return fromHex(hex).reverse();
}
