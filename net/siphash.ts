/**
 * SipHash-2-4 (Core's `CSipHasher`/`PresaltedSipHasher`), as used by BIP152 short transaction ids. The hash
 * itself comes from the `siphash` npm package (Frank Denis' pure JavaScript SipHash-2-4, 32-bit arithmetic);
 * this module gives it typed 64-bit keys and results, and is checked against the reference vectors of the
 * SipHash paper and Core's `hash_tests`.
 *
 * @module
 */

import siphashLib from "siphash";

/** The package's interface (it ships no types). */
interface SipHashLib {
  hash(key: Uint32Array, message: Uint8Array): { h: number; l: number };
}

const lib = siphashLib as unknown as SipHashLib;

/** A SipHash-2-4 key: two 64-bit halves, k0 and k1 (Core's constructor arguments). */
export interface SipHashKey {
  readonly k0: bigint;
  readonly k1: bigint;
}

function keyWords(key: SipHashKey): Uint32Array {
  const mask = 0xffffffffn;
  return Uint32Array.of(
    Number(key.k0 & mask),
    Number((key.k0 >> 32n) & mask),
    Number(key.k1 & mask),
    Number((key.k1 >> 32n) & mask),
  );
}

/** A keyed SipHash-2-4 function with the key expanded once. */
export class SipHasher {
  readonly #key: Uint32Array;

  /** @param key the 128-bit key as k0, k1 (each taken modulo 2^64). */
  constructor(key: SipHashKey) {
    this.#key = keyWords(key);
  }

  /** SipHash-2-4 of `data` as a uint64. */
  hash(data: Uint8Array): bigint {
    const r = lib.hash(this.#key, data);
    return (BigInt(r.h >>> 0) << 32n) | BigInt(r.l >>> 0);
  }

  /** The low 48 bits of SipHash-2-4 of `data` (a BIP152 short id), as a safe integer. */
  hash48(data: Uint8Array): number {
    const r = lib.hash(this.#key, data);
    return (r.h & 0xffff) * 0x100000000 + (r.l >>> 0);
  }
}

/** SipHash-2-4 of `data` under `key`, as a uint64. */
export function siphash24(key: SipHashKey, data: Uint8Array): bigint {
  return new SipHasher(key).hash(data);
}
