/**
 * SHA-256 (FIPS 180-4) in plain TypeScript, tuned for the small messages Bitcoin hashes all the time
 * (transactions, 64-byte merkle nodes, 80-byte headers): no allocation but the result, no per-call setup (the
 * cost that makes `node:crypto` slow below a few hundred bytes), ranges of an array hashed without copying.
 * Large inputs are faster through `node:crypto`; `hashes.ts` picks the backend by size.
 *
 * @module
 */

import { compress } from "./sha256_compress.ts";

const IV = Int32Array.from([
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
]);

/** The padding block that follows a message of exactly 64 bytes (0x80, zeros, length 512 bits). */
const PAD64 = (() => {
  const b = new Uint8Array(64);
  b[0] = 0x80;
  b[62] = 0x02;
  return b;
})();

/** Scratch block for the second round of a double hash: digest, 0x80, zeros, length 256 bits. */
const DOUBLE = new Uint8Array(64);

/** Second round of a double hash: `s` := SHA-256 of the 32-byte digest held in the state words `s`. */
function rehash(s: Int32Array): void {
  store(s, DOUBLE, 0);
  DOUBLE[32] = 0x80;
  DOUBLE.fill(0, 33, 62);
  DOUBLE[62] = 0x01;
  DOUBLE[63] = 0x00;
  s.set(IV);
  compress(s, DOUBLE, 0);
}

/** Writes the state words big-endian into `out[o..o+32)`. */
function store(s: Int32Array, out: Uint8Array, o: number): void {
  for (let i = 0; i < 8; i++, o += 4) {
    const v = s[i];
    out[o] = v >>> 24;
    out[o + 1] = v >>> 16;
    out[o + 2] = v >>> 8;
    out[o + 3] = v;
  }
}

/** Scratch state and tail buffer for the one-shot functions (module-private, filled before each use). */
const S = new Int32Array(8);
const TAIL = new Uint8Array(128);

/** Hashes `p[start..end)` into the state `S` (one-shot, with padding). */
function hashRange(p: Uint8Array, start: number, end: number): void {
  S.set(IV);
  let o = start;
  for (; o + 64 <= end; o += 64) compress(S, p, o);
  let used = 0;
  while (o < end) TAIL[used++] = p[o++];
  pad(used, end - start);
}

/** Hashes the concatenation of the ranges `p[ranges[0]..ranges[1])`, `p[ranges[2]..ranges[3])`, … into `S`. */
function hashRanges(p: Uint8Array, ranges: readonly number[]): void {
  S.set(IV);
  let used = 0;
  let len = 0;
  for (let k = 0; k < ranges.length; k += 2) {
    let o = ranges[k];
    const end = ranges[k + 1];
    len += end - o;
    if (used > 0) {
      while (used < 64 && o < end) TAIL[used++] = p[o++];
      if (used < 64) continue;
      compress(S, TAIL, 0);
      used = 0;
    }
    for (; o + 64 <= end; o += 64) compress(S, p, o);
    while (o < end) TAIL[used++] = p[o++];
  }
  pad(used, len);
}

/** Pads the `used` bytes waiting in `TAIL` for a message of `len` bytes and compresses the last block(s). */
function pad(used: number, len: number): void {
  TAIL[used] = 0x80;
  TAIL.fill(0, used + 1);
  const blocks = used < 56 ? 1 : 2;
  writeBitLength(TAIL, blocks * 64 - 8, len);
  compress(S, TAIL, 0);
  if (blocks === 2) compress(S, TAIL, 64);
}

/** Writes the message length in bits (len bytes) big-endian as 8 bytes at `o`. */
function writeBitLength(p: Uint8Array, o: number, len: number): void {
  const hi = Math.floor(len / 0x20000000);
  const lo = (len * 8) >>> 0;
  p[o] = hi >>> 24;
  p[o + 1] = hi >>> 16;
  p[o + 2] = hi >>> 8;
  p[o + 3] = hi;
  p[o + 4] = lo >>> 24;
  p[o + 5] = lo >>> 16;
  p[o + 6] = lo >>> 8;
  p[o + 7] = lo;
}

/** SHA-256 of `p[start..end)` (pure JS; best below a few KB). */
export function jsSha256(p: Uint8Array, start = 0, end = p.length): Uint8Array {
  hashRange(p, start, end);
  const out = new Uint8Array(32);
  store(S, out, 0);
  return out;
}

/** SHA-256(SHA-256(p[start..end))) (pure JS). */
export function jsSha256d(p: Uint8Array, start = 0, end = p.length): Uint8Array {
  hashRange(p, start, end);
  rehash(S);
  const out = new Uint8Array(32);
  store(S, out, 0);
  return out;
}

/**
 * SHA-256d of the concatenation of ranges of `p` given as `[start0, end0, start1, end1, …]` (pure JS, no
 * copying): a transaction's stripped serialization hashed straight from its witness serialization.
 */
export function jsSha256dRanges(p: Uint8Array, ranges: readonly number[]): Uint8Array {
  hashRanges(p, ranges);
  rehash(S);
  const out = new Uint8Array(32);
  store(S, out, 0);
  return out;
}

/**
 * SHA-256d of the 64-byte concatenation `left || right` of two 32-byte hashes (a merkle node), written into
 * `out[o..o+32)`. `out` may alias `left` or `right`.
 */
export function sha256dPairInto(
  left: Uint8Array,
  lo: number,
  right: Uint8Array,
  ro: number,
  out: Uint8Array,
  o: number,
): void {
  S.set(IV);
  if (left === right && ro === lo + 32) {
    compress(S, left, lo);
  } else {
    for (let i = 0; i < 32; i++) {
      TAIL[i] = left[lo + i];
      TAIL[32 + i] = right[ro + i];
    }
    compress(S, TAIL, 0);
  }
  compress(S, PAD64, 0);
  rehash(S);
  store(S, out, o);
}

/**
 * Incremental SHA-256 (Core's `CSHA256`): `update` any number of times, then `digest` (single) or
 * `digestDouble` (SHA-256d, Core's `CHash256`). `clone` copies a midstate (used for tagged hashes).
 */
export class Sha256 {
  #s: Int32Array = Int32Array.from(IV);
  #buf: Uint8Array = new Uint8Array(64);
  #used = 0;
  #len = 0;
  #done = false;

  /** Feeds `data[start..end)`. */
  update(data: Uint8Array, start = 0, end: number = data.length): this {
    if (this.#done) throw new Error("Cannot update a SHA-256 hasher: already finalized");
    const buf = this.#buf;
    this.#len += end - start;
    let o = start;
    let used = this.#used;
    if (used > 0) {
      while (used < 64 && o < end) buf[used++] = data[o++];
      if (used < 64) {
        this.#used = used;
        return this;
      }
      compress(this.#s, buf, 0);
      used = 0;
    }
    for (; o + 64 <= end; o += 64) compress(this.#s, data, o);
    while (o < end) buf[used++] = data[o++];
    this.#used = used;
    return this;
  }

  /** Pads and returns the final state (the hasher cannot be updated afterwards). */
  #finish(): Int32Array {
    if (this.#done) throw new Error("Cannot finalize a SHA-256 hasher twice");
    this.#done = true;
    const buf = this.#buf;
    const s = this.#s;
    buf.fill(0, this.#used);
    buf[this.#used] = 0x80;
    if (this.#used >= 56) {
      compress(s, buf, 0);
      buf.fill(0);
    }
    writeBitLength(buf, 56, this.#len);
    compress(s, buf, 0);
    return s;
  }

  /** SHA-256 of everything fed. */
  digest(): Uint8Array {
    const out = new Uint8Array(32);
    store(this.#finish(), out, 0);
    return out;
  }

  /** SHA-256d (SHA-256 of the SHA-256) of everything fed. */
  digestDouble(): Uint8Array {
    const s = this.#finish();
    rehash(s);
    const out = new Uint8Array(32);
    store(s, out, 0);
    return out;
  }

  /** An independent copy of this hasher's current state. */
  clone(): Sha256 {
    if (this.#done) throw new Error("Cannot clone a finalized SHA-256 hasher");
    const c = new Sha256();
    c.#s.set(this.#s);
    c.#buf.set(this.#buf);
    c.#used = this.#used;
    c.#len = this.#len;
    return c;
  }
}
