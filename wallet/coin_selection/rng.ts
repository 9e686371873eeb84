/**
 * Randomness for coin selection (the role of Core's `FastRandomContext` in coin selection: `randbool`,
 * `randrange`, `std::shuffle`). Injectable so that tests are deterministic: {@link cryptoRng} (the default)
 * draws from `crypto.getRandomValues`, {@link seededRng} is a reproducible xoshiro128** stream. The randomness
 * serves privacy (no fingerprintable selections), not security.
 *
 * @module
 */

/** A source of random decisions for the coin selection algorithms. */
export interface SelectionRng {
  /** A uniformly random boolean. */
  randbool(): boolean;
  /** A uniformly random integer in [0, range); `range` is an integer in [1, 2^53]. */
  randrange(range: number): number;
  /**
   * Optional fast path of `randrange(2 ** 32)` (32 random bits, Knapsack's draw): must return exactly what that
   * call would, leaving the stream in the same state.
   */
  randword?(): number;
}

const TWO_32 = 0x1_0000_0000;

function checkRange(range: number): void {
  if (!Number.isSafeInteger(range) && range !== 2 ** 53 || range < 1) {
    throw new RangeError(`Cannot draw a random number: range is ${range}`);
  }
}

/** Builds an rng from a generator of uniformly random 32-bit words (unsigned). */
function fromWords(next32: () => number): SelectionRng {
  let bits = 0;
  let nbits = 0;
  const randbits = (count: number): number => {
    // count in 1..32: take fresh words when the cache runs out (unused cached bits are dropped).
    if (nbits < count) {
      bits = next32();
      nbits = 32;
    }
    const out = count === 32 ? bits >>> 0 : bits & ((1 << count) - 1);
    bits = count === 32 ? 0 : bits >>> count;
    nbits -= count;
    return out >>> 0;
  };
  return {
    randbool: () => randbits(1) === 1,
    // randrange(2^32) is randbits(32): a fresh word, the cache emptied (it can never hold 32 bits).
    randword(): number {
      bits = 0;
      nbits = 0;
      return next32() >>> 0;
    },
    randrange(range: number): number {
      checkRange(range);
      if (range === 1) return 0;
      const max = range - 1;
      if (range <= TWO_32) {
        const count = 32 - Math.clz32(max);
        for (;;) {
          const x = randbits(count);
          if (x <= max) return x;
        }
      }
      // Above 2^32: a high part below 2^21 and a full low word, by rejection.
      const highMax = Math.floor(max / TWO_32);
      const count = 32 - Math.clz32(highMax);
      for (;;) {
        const x = randbits(count) * TWO_32 + randbits(32);
        if (x <= max) return x;
      }
    },
  };
}

/**
 * The default rng: words from `crypto.getRandomValues`, fetched 4 KiB at a time (Knapsack draws one bit per
 * group per iteration, up to millions per selection).
 */
export function cryptoRng(): SelectionRng {
  const pool = new Uint32Array(1024);
  let pos = pool.length;
  return fromWords(() => {
    if (pos === pool.length) {
      crypto.getRandomValues(pool);
      pos = 0;
    }
    return pool[pos++];
  });
}

/**
 * A reproducible rng for tests and benchmarks: xoshiro128** seeded through splitmix32 from `seed` (any
 * integer; the same seed gives the same stream).
 */
export function seededRng(seed: number): SelectionRng {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`Cannot seed an rng: seed is ${seed}`);
  let sm = (seed >>> 0) ^ Math.floor(seed / TWO_32);
  const splitmix32 = (): number => {
    sm = (sm + 0x9e3779b9) | 0;
    let z = sm;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let s0 = splitmix32(), s1 = splitmix32(), s2 = splitmix32(), s3 = splitmix32();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  return fromWords(() => {
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return r;
  });
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Fisher–Yates shuffle of `items` in place with `rng` (the role of `std::shuffle(…, rng)`). */
export function shuffle<T>(items: T[], rng: SelectionRng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.randrange(i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
}
