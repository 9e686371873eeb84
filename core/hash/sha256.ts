/**
 * SHA-256 (FIPS 180-4) in plain TypeScript, tuned for the small messages Bitcoin hashes all the time
 * (transactions, 64-byte merkle nodes, 80-byte headers): no allocation per block, the second round of a double
 * hash fed straight from the first one's state words, and the fixed padding block of 64-byte messages
 * precomputed. Large inputs are faster through `node:crypto`; `hashes.ts` picks the backend by size.
 *
 * @module
 */

const K = Int32Array.from([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
]);

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

/** Message schedule scratch (module-private; every use fills it completely before reading it). */
const W = new Int32Array(64);

/** Fills W[16..63] from W[0..15]. */
function expand(w: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15];
    const b = w[i - 2];
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
  }
}

/** The 64 rounds over a full schedule `w`, added into `s`. */
function rounds(s: Int32Array, w: Int32Array): void {
  let a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + (g ^ (e & (f ^ g))) + K[i] + w[i]) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) | (c & (a | b)))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  s[0] = (s[0] + a) | 0;
  s[1] = (s[1] + b) | 0;
  s[2] = (s[2] + c) | 0;
  s[3] = (s[3] + d) | 0;
  s[4] = (s[4] + e) | 0;
  s[5] = (s[5] + f) | 0;
  s[6] = (s[6] + g) | 0;
  s[7] = (s[7] + h) | 0;
}

/** Compresses the 64-byte block at `p[o..o+64)` into `s`. */
function compress(s: Int32Array, p: Uint8Array, o: number): void {
  for (let i = 0; i < 16; i++, o += 4) {
    W[i] = (p[o] << 24) | (p[o + 1] << 16) | (p[o + 2] << 8) | p[o + 3];
  }
  expand(W);
  rounds(s, W);
}

/** The expanded schedule of the padding block that follows a message of exactly 64 bytes. */
const PAD64 = (() => {
  const w = new Int32Array(64);
  w[0] = 0x80000000 | 0;
  w[15] = 512;
  expand(w);
  return w;
})();

/** Second round of a double hash: `s` := SHA-256 of the 32-byte digest held in the state words `s`. */
function rehash(s: Int32Array): void {
  for (let i = 0; i < 8; i++) W[i] = s[i];
  W[8] = 0x80000000 | 0;
  W[9] =
    W[10] =
    W[11] =
    W[12] =
    W[13] =
    W[14] =
      0;
  W[15] = 256;
  expand(W);
  s.set(IV);
  rounds(s, W);
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
  for (let i = 0; i < 8; i++, lo += 4) {
    W[i] = (left[lo] << 24) | (left[lo + 1] << 16) | (left[lo + 2] << 8) | left[lo + 3];
  }
  for (let i = 8; i < 16; i++, ro += 4) {
    W[i] = (right[ro] << 24) | (right[ro + 1] << 16) | (right[ro + 2] << 8) | right[ro + 3];
  }
  expand(W);
  S.set(IV);
  rounds(S, W);
  rounds(S, PAD64);
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
