/**
 * A bounded set of 32-byte hashes in a `SharedArrayBuffer`, usable from the main thread and any number of
 * Workers at once (the storage of Core's CuckooCache idea, as both validation caches use it): lookups and
 * inserts are lock-free, a full bucket evicts a random entry, and erasing is allowed.
 *
 * Layout: buckets of {@link WAYS} slots; a slot is one sequence word and the 8 words of the hash, all accessed
 * with `Atomics` (sequentially consistent). A writer makes the sequence odd while it writes (a seqlock); a reader
 * that sees an odd or changed sequence ignores the slot. Concurrent writers to one slot cannot interleave (the
 * sequence is claimed by compare-and-exchange; the loser skips its insert — it is a cache). The all-zero hash
 * marks an empty slot and is never stored or found.
 *
 * Entries are expected to be uniformly distributed (salted hashes): the bucket is taken from the first word.
 *
 * @module
 */

/** Slots per bucket. */
export const WAYS = 4;
/** Int32 words per slot: the sequence word and 8 words of hash. */
const SLOT_WORDS = 9;
/** Bytes per slot. */
export const SLOT_BYTES = SLOT_WORDS * 4;

/** What another thread needs to open the same set ({@link SharedHashSet.fromHandle}); structured-cloneable. */
export interface SharedHashSetHandle {
  /** The shared storage. */
  readonly buffer: SharedArrayBuffer;
  /** Number of buckets. */
  readonly buckets: number;
}

/** Reads the 8 little-endian words of a 32-byte hash into `out`; false for the all-zero hash. */
function toWords(entry: Uint8Array, out: Int32Array): boolean {
  if (entry.length !== 32) {
    throw new RangeError(`Cannot use cache entry: length is ${entry.length}, expected 32`);
  }
  let any = 0;
  for (let k = 0; k < 8; k++) {
    const o = 4 * k;
    const w = entry[o] | (entry[o + 1] << 8) | (entry[o + 2] << 16) | (entry[o + 3] << 24);
    out[k] = w;
    any |= w;
  }
  return any !== 0;
}

/** A bounded, thread-shared set of 32-byte hashes with random eviction. */
export class SharedHashSet {
  readonly #words: Int32Array;
  readonly #buckets: number;
  readonly #buffer: SharedArrayBuffer;
  readonly #scratch = new Int32Array(8);

  /**
   * A new empty set with room for `capacity` entries (rounded down to whole buckets of {@link WAYS}; at least
   * one bucket; memory {@link SLOT_BYTES} bytes per entry), or the set behind `handle`, created elsewhere (e.g.
   * in the main thread and handed to a Worker).
   */
  constructor(capacity: number | SharedHashSetHandle) {
    if (typeof capacity === "number") {
      if (!Number.isSafeInteger(capacity) || capacity < 1) {
        throw new RangeError(`Cannot create cache: capacity ${capacity} is not a positive integer`);
      }
      this.#buckets = Math.max(1, Math.floor(capacity / WAYS));
      this.#buffer = new SharedArrayBuffer(this.#buckets * WAYS * SLOT_BYTES);
    } else {
      const { buffer, buckets } = capacity;
      if (
        !(buffer instanceof SharedArrayBuffer) || !Number.isSafeInteger(buckets) || buckets < 1 ||
        buffer.byteLength !== buckets * WAYS * SLOT_BYTES
      ) {
        throw new RangeError(`Cannot open cache: ${buffer?.byteLength} bytes for ${buckets} buckets`);
      }
      this.#buckets = buckets;
      this.#buffer = buffer;
    }
    this.#words = new Int32Array(this.#buffer);
  }

  /** The handle to open this set in another thread. */
  get handle(): SharedHashSetHandle {
    return { buffer: this.#buffer, buckets: this.#buckets };
  }

  /** Number of slots (the most entries it can hold). */
  get capacity(): number {
    return this.#buckets * WAYS;
  }

  /** Number of entries now stored (a scan; for tests and statistics). */
  count(): number {
    const a = this.#words;
    let n = 0;
    for (let o = 0; o < a.length; o += SLOT_WORDS) {
      let any = 0;
      for (let k = 1; k <= 8; k++) any |= Atomics.load(a, o + k);
      if (any !== 0) n++;
    }
    return n;
  }

  #bucketStart(words: Int32Array): number {
    return ((words[0] >>> 0) % this.#buckets) * WAYS * SLOT_WORDS;
  }

  /** Whether slot `o` stably holds `words` (sequence even and unchanged across the read). */
  #matches(o: number, words: Int32Array): number {
    const a = this.#words;
    const seq = Atomics.load(a, o);
    if ((seq & 1) !== 0) return -1;
    for (let k = 0; k < 8; k++) if (Atomics.load(a, o + 1 + k) !== words[k]) return -1;
    return Atomics.load(a, o) === seq ? seq : -1;
  }

  /** Writes `words` (or zeros) into slot `o` if its sequence is still `seq`; false if another writer won. */
  #write(o: number, seq: number, words: Int32Array | null): boolean {
    const a = this.#words;
    if (Atomics.compareExchange(a, o, seq, (seq + 1) | 0) !== seq) return false;
    for (let k = 0; k < 8; k++) Atomics.store(a, o + 1 + k, words === null ? 0 : words[k]);
    Atomics.store(a, o, (seq + 2) | 0);
    return true;
  }

  /**
   * Whether `entry` (32 bytes) is in the set; with `erase`, a found entry is removed (Core's
   * `contains(entry, erase)`, used when the entry will not be needed again).
   */
  contains(entry: Uint8Array, erase = false): boolean {
    const words = this.#scratch;
    if (!toWords(entry, words)) return false;
    const start = this.#bucketStart(words);
    for (let way = 0; way < WAYS; way++) {
      const o = start + way * SLOT_WORDS;
      const seq = this.#matches(o, words);
      if (seq === -1) continue;
      if (erase) this.#write(o, seq, null);
      return true;
    }
    return false;
  }

  /**
   * Adds `entry` (32 bytes): into an empty slot of its bucket, else over a random one (evicting it). May skip
   * the insert when another thread is writing the chosen slot at that moment.
   */
  insert(entry: Uint8Array): void {
    const words = this.#scratch;
    if (!toWords(entry, words)) return;
    const a = this.#words;
    const start = this.#bucketStart(words);
    let target = -1;
    for (let way = 0; way < WAYS; way++) {
      const o = start + way * SLOT_WORDS;
      if (this.#matches(o, words) !== -1) return;
      if (target === -1) {
        let any = 0;
        for (let k = 1; k <= 8; k++) any |= Atomics.load(a, o + k);
        if (any === 0) target = o;
      }
    }
    if (target === -1) target = start + Math.floor(Math.random() * WAYS) * SLOT_WORDS;
    const seq = Atomics.load(a, target);
    if ((seq & 1) !== 0) return;
    this.#write(target, seq, words);
  }

  /** Removes every entry. */
  clear(): void {
    const a = this.#words;
    for (let o = 0; o < a.length; o += SLOT_WORDS) {
      const seq = Atomics.load(a, o);
      if ((seq & 1) === 0) this.#write(o, seq, null);
    }
  }
}
