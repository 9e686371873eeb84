/**
 * Writing many mutations to Deno KV as a sequence of atomic commits that each stay within Deno KV's limits:
 * at most 1000 mutations, 80 KiB of encoded keys and 800 KiB of "mutation size" per atomic operation,
 * 2 KiB per key and 64 KiB per value. The sizes are computed the way Deno KV computes them (keys in its tuple
 * encoding; a set counts its key twice plus its value bytes), checked against the real limits in the tests.
 * Every commit is one SQLite transaction and one disk sync, so callers batch.
 *
 * @module
 */

/** Deno KV: most mutations in one atomic operation. */
export const KV_MAX_MUTATIONS = 1000;
/** Deno KV: most encoded key bytes over all mutations of one atomic operation. */
export const KV_MAX_TOTAL_KEY_BYTES = 81920;
/** Deno KV: most total mutation size (2 × key + value per mutation) of one atomic operation. */
export const KV_MAX_TOTAL_MUTATION_BYTES = 819200;
/** Deno KV: largest key written (encoded). */
export const KV_MAX_KEY_BYTES = 2048;
/** Deno KV: largest value. */
export const KV_MAX_VALUE_BYTES = 65536;

/** Per-atomic limits a {@link KvBatchWriter} keeps to (defaults: Deno KV's). */
export interface KvBatchLimits {
  /** Most mutations per atomic commit. */
  readonly maxMutations: number;
  /** Most encoded key bytes per atomic commit. */
  readonly maxKeyBytes: number;
  /** Most mutation bytes (2 × key + value) per atomic commit. */
  readonly maxMutationBytes: number;
}

/** Deno KV's own limits. */
export const KV_LIMITS: KvBatchLimits = Object.freeze({
  maxMutations: KV_MAX_MUTATIONS,
  maxKeyBytes: KV_MAX_TOTAL_KEY_BYTES,
  maxMutationBytes: KV_MAX_TOTAL_MUTATION_BYTES,
});

const utf8 = new TextEncoder();

function escapedLength(bytes: Uint8Array): number {
  let n = bytes.length;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0) n++;
  return n;
}

/**
 * Bytes of `key` in Deno KV's tuple encoding: a type byte per part; byte strings and strings escaped (each 0x00
 * doubled) and terminated; numbers 8 bytes; booleans none. Bigint parts are counted generously (their encoding
 * is variable).
 */
export function kvKeySize(key: Deno.KvKey): number {
  let size = 0;
  for (const part of key) {
    if (part instanceof Uint8Array) size += 2 + escapedLength(part);
    else if (typeof part === "string") size += 2 + escapedLength(utf8.encode(part));
    else if (typeof part === "number") size += 9;
    else if (typeof part === "bigint") size += 2 + Math.ceil(part.toString(16).length / 2) + 1;
    else size += 1;
  }
  return size;
}

/** A mutation the batch writer queues. */
export type KvMutation =
  | { readonly type: "set"; readonly key: Deno.KvKey; readonly value: Uint8Array }
  | { readonly type: "delete"; readonly key: Deno.KvKey };

/** What one committed atomic contained (for progress hooks and tests). */
export interface KvBatchCommit {
  /** 0-based number of this commit within the writer. */
  readonly index: number;
  /** Mutations in it. */
  readonly mutations: number;
  /** Encoded key bytes in it. */
  readonly keyBytes: number;
  /** Mutation bytes in it. */
  readonly mutationBytes: number;
}

/** Options of {@link KvBatchWriter}. */
export interface KvBatchWriterOptions {
  /** Per-commit limits (default {@link KV_LIMITS}). */
  readonly limits?: KvBatchLimits;
  /** Called after each commit succeeded (awaited). */
  readonly onCommit?: (commit: KvBatchCommit) => void | Promise<void>;
}

/** Size of a mutation as Deno KV counts it: `[keyBytes, mutationBytes]`. */
export function kvMutationSize(m: KvMutation): [number, number] {
  const k = kvKeySize(m.key);
  return [k, m.type === "set" ? 2 * k + m.value.length : 2 * k];
}

/**
 * Queues mutations and commits them in as few atomic operations as the limits allow, in order. Nothing is
 * written until a batch is full or {@link commit} is called. Mutations of one batch are atomic; a sequence of
 * batches is not (callers that need crash consistency record their progress, as the chainstate does).
 */
export class KvBatchWriter {
  readonly #kv: Deno.Kv;
  readonly #limits: KvBatchLimits;
  readonly #onCommit: ((commit: KvBatchCommit) => void | Promise<void>) | undefined;
  #pending: KvMutation[] = [];
  #keyBytes = 0;
  #mutationBytes = 0;
  #commits = 0;

  /** @param kv the database; @param options limits and hook */
  constructor(kv: Deno.Kv, options: KvBatchWriterOptions = {}) {
    this.#kv = kv;
    this.#limits = options.limits ?? KV_LIMITS;
    this.#onCommit = options.onCommit;
  }

  /** Atomic commits made so far. */
  get commits(): number {
    return this.#commits;
  }

  /** Mutations queued and not yet committed. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Whether `m` fits in the current batch, besides `reserve` (mutation count and sizes kept free). */
  fits(m: KvMutation, reserve: readonly [number, number, number] = [0, 0, 0]): boolean {
    const [k, b] = kvMutationSize(m);
    return this.#fitsSizes(1, k, b, reserve);
  }

  #fitsSizes(n: number, k: number, b: number, reserve: readonly [number, number, number]): boolean {
    const l = this.#limits;
    return this.#pending.length + n + reserve[0] <= l.maxMutations &&
      this.#keyBytes + k + reserve[1] <= l.maxKeyBytes &&
      this.#mutationBytes + b + reserve[2] <= l.maxMutationBytes;
  }

  /**
   * Queues a mutation. When it does not fit in the current batch (keeping `reserve` free), the current batch is
   * first handed to `beforeFlush` (which may add reserved mutations with {@link push}) and committed.
   */
  async add(
    m: KvMutation,
    reserve: readonly [number, number, number] = [0, 0, 0],
    beforeFlush?: () => void,
  ): Promise<void> {
    const [k, b] = kvMutationSize(m);
    if (k > KV_MAX_KEY_BYTES) {
      throw new RangeError(`Cannot write to Deno KV: key is ${k} bytes (max ${KV_MAX_KEY_BYTES})`);
    }
    if (m.type === "set" && m.value.length > KV_MAX_VALUE_BYTES) {
      throw new RangeError(
        `Cannot write to Deno KV: value is ${m.value.length} bytes (max ${KV_MAX_VALUE_BYTES})`,
      );
    }
    if (!this.#fitsSizes(1, k, b, reserve)) {
      if (this.#pending.length === 0) {
        throw new RangeError("Cannot write to Deno KV: one mutation exceeds the limits");
      }
      beforeFlush?.();
      await this.commit();
    }
    this.push(m);
  }

  /** Queues a mutation in the current batch without any limit check (for space reserved earlier). */
  push(m: KvMutation): void {
    const [k, b] = kvMutationSize(m);
    this.#pending.push(m);
    this.#keyBytes += k;
    this.#mutationBytes += b;
  }

  /** Commits the queued mutations as one atomic operation (nothing happens when none are queued). */
  async commit(): Promise<void> {
    if (this.#pending.length === 0) return;
    const l = this.#limits;
    if (
      this.#pending.length > l.maxMutations || this.#keyBytes > l.maxKeyBytes ||
      this.#mutationBytes > l.maxMutationBytes
    ) {
      throw new RangeError(
        `Cannot commit to Deno KV: ${this.#pending.length} mutations, ${this.#keyBytes} key bytes, ${this.#mutationBytes} bytes exceed the limits`,
      );
    }
    const op = this.#kv.atomic();
    for (const m of this.#pending) {
      if (m.type === "set") op.set(m.key, m.value);
      else op.delete(m.key);
    }
    const res = await op.commit();
    if (!res.ok) throw new Error("Cannot commit to Deno KV: atomic operation failed");
    const commit: KvBatchCommit = {
      index: this.#commits++,
      mutations: this.#pending.length,
      keyBytes: this.#keyBytes,
      mutationBytes: this.#mutationBytes,
    };
    this.#pending = [];
    this.#keyBytes = 0;
    this.#mutationBytes = 0;
    await this.#onCommit?.(commit);
  }
}
