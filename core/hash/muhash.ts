/**
 * MuHash3072 (Bitcoin Core's `crypto/muhash`): a hash of a set that supports adding and removing elements in any
 * order. An element is mapped to a number modulo the prime 2^3072 - 1103717 by hashing it with SHA-256, using
 * the digest as a ChaCha20 key (zero nonce, counter 0) and reading 384 bytes of keystream as a little-endian
 * number. The set is the product of its elements; removals multiply a denominator, divided out once when the
 * hash is finalized: SHA-256 of the 384-byte little-endian result.
 *
 * The arithmetic uses `bigint`; the reduction exploits the special form of the modulus
 * (2^3072 ≡ 1103717), so one multiplication costs a 3072×3072-bit product and two shift-and-add steps.
 *
 * @module
 */

import { chacha20 } from "@noble/ciphers/chacha.js";
import { sha256 } from "./hashes.ts";

/** Bytes of a serialized number (Core's `Num3072::BYTE_SIZE`). */
export const MUHASH_BYTE_SIZE = 384;
/** The modulus is 2^3072 - MAX_PRIME_DIFF (Core's `MAX_PRIME_DIFF`). */
export const MUHASH_MAX_PRIME_DIFF = 1103717n;

const BITS = 3072n;
const MASK = (1n << BITS) - 1n;
/** The prime modulus 2^3072 - 1103717. */
export const MUHASH_MODULUS: bigint = (1n << BITS) - MUHASH_MAX_PRIME_DIFF;

const ZERO_NONCE = new Uint8Array(12);
const ZERO_STREAM = new Uint8Array(MUHASH_BYTE_SIZE);
const KEYSTREAM = new Uint8Array(MUHASH_BYTE_SIZE);

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
/** Each byte's two ASCII hex digits as one uint16 of a little-endian machine (first digit in the low byte). */
const HEX_PAIRS = new Uint16Array(256).map((_, i) => HEX[i].charCodeAt(0) | (HEX[i].charCodeAt(1) << 8));
const LATIN1 = new TextDecoder("latin1");

/** A little-endian byte string as a non-negative bigint (via "0x…" text built with a table). */
function fromLE(bytes: Uint8Array): bigint {
  const text = new Uint8Array(2 + 2 * bytes.length);
  text[0] = 0x30; // "0"
  text[1] = 0x78; // "x"
  const pairs = new Uint16Array(text.buffer, 2, bytes.length);
  for (let i = 0, j = bytes.length - 1; j >= 0; i++, j--) pairs[i] = HEX_PAIRS[bytes[j]];
  return BigInt(LATIN1.decode(text));
}

/** `n` (< 2^3072) as 384 little-endian bytes. */
function toLE(n: bigint): Uint8Array {
  const hex = n.toString(16).padStart(MUHASH_BYTE_SIZE * 2, "0");
  const out = new Uint8Array(MUHASH_BYTE_SIZE);
  for (let i = 0; i < MUHASH_BYTE_SIZE; i++) {
    const j = hex.length - 2 * (i + 1);
    out[i] = parseInt(hex.slice(j, j + 2), 16);
  }
  return out;
}

/** `x mod (2^3072 - 1103717)` for 0 ≤ x < 2^6144, using 2^3072 ≡ 1103717. */
function reduce(x: bigint): bigint {
  x = (x & MASK) + (x >> BITS) * MUHASH_MAX_PRIME_DIFF;
  x = (x & MASK) + (x >> BITS) * MUHASH_MAX_PRIME_DIFF;
  while (x >= MUHASH_MODULUS) x -= MUHASH_MODULUS;
  return x;
}

/** The inverse of `a` modulo the (prime) modulus, by the extended Euclidean algorithm; 0 has none (0 back). */
function inverse(a: bigint): bigint {
  let r0 = MUHASH_MODULUS;
  let r1 = reduce(a);
  let t0 = 0n;
  let t1 = 1n;
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  if (r0 !== 1n) return 0n;
  return t0 < 0n ? t0 + MUHASH_MODULUS : t0;
}

/**
 * Maps a set element to its number (Core's `MuHash3072::ToNum3072`): ChaCha20 keystream keyed with SHA-256 of
 * `data`, read little-endian. Not reduced (as Core's `Num3072` constructor): multiplication reduces.
 */
export function muhashElement(data: Uint8Array): bigint {
  return fromLE(chacha20(sha256(data), ZERO_NONCE, ZERO_STREAM, KEYSTREAM));
}

/** A MuHash3072 set hash (Core's `MuHash3072`): numerator and denominator, both kept reduced. */
export class MuHash3072 {
  #numerator: bigint;
  #denominator: bigint;

  /** The empty set, or the singleton `{data}` when `data` is given. */
  constructor(data?: Uint8Array) {
    this.#numerator = data === undefined ? 1n : reduce(muhashElement(data));
    this.#denominator = 1n;
  }

  /** Adds `data` to the set. */
  insert(data: Uint8Array): this {
    this.#numerator = reduce(this.#numerator * muhashElement(data));
    return this;
  }

  /** Removes `data` from the set (it need not have been added: the hash is of a multiset quotient). */
  remove(data: Uint8Array): this {
    this.#denominator = reduce(this.#denominator * muhashElement(data));
    return this;
  }

  /** Union with `other` (Core's `operator*=`). */
  multiply(other: MuHash3072): this {
    this.#numerator = reduce(this.#numerator * other.#numerator);
    this.#denominator = reduce(this.#denominator * other.#denominator);
    return this;
  }

  /** Difference with `other` (Core's `operator/=`). */
  divide(other: MuHash3072): this {
    this.#numerator = reduce(this.#numerator * other.#denominator);
    this.#denominator = reduce(this.#denominator * other.#numerator);
    return this;
  }

  /**
   * The 32-byte hash (internal byte order, as Core's `uint256`; display it reversed): divides the numerator by
   * the denominator (which becomes 1) and hashes the 384 little-endian bytes with SHA-256.
   */
  finalize(): Uint8Array {
    if (this.#denominator !== 1n) {
      this.#numerator = reduce(this.#numerator * inverse(this.#denominator));
      this.#denominator = 1n;
    } else {
      this.#numerator = reduce(this.#numerator);
    }
    return sha256(toLE(this.#numerator));
  }

  /** Core's serialization: numerator then denominator, 384 little-endian bytes each. */
  serialize(): Uint8Array {
    const out = new Uint8Array(2 * MUHASH_BYTE_SIZE);
    out.set(toLE(this.#numerator), 0);
    out.set(toLE(this.#denominator), MUHASH_BYTE_SIZE);
    return out;
  }

  /**
   * Reads Core's serialization (768 bytes). The numbers are taken as they are, even at or above the modulus
   * (Core accepts such data and reduces it when it computes).
   */
  static deserialize(bytes: Uint8Array): MuHash3072 {
    if (bytes.length !== 2 * MUHASH_BYTE_SIZE) {
      throw new RangeError(`Cannot parse MuHash3072: length is ${bytes.length}`);
    }
    const m = new MuHash3072();
    m.#numerator = fromLE(bytes.subarray(0, MUHASH_BYTE_SIZE));
    m.#denominator = fromLE(bytes.subarray(MUHASH_BYTE_SIZE));
    return m;
  }
}
