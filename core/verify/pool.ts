/**
 * A pool of Workers that verifies a block's input scripts in parallel (Core's `CCheckQueue` idea): the block's
 * transactions and spent outputs are laid out once in a `SharedArrayBuffer` ({@link encodeJob}) and shared with
 * every Worker; all threads — the Workers and, by default, the calling thread — claim batches of checks from one
 * atomic counter; the first failure (in block order) stops the checks after it. Transactions found in the script
 * execution cache are not checked at all, and signatures found in the signature cache are not verified again
 * (the cache is shared with the Workers).
 *
 * Robustness: a Worker that crashes, or makes no progress for `stallTimeoutMs` (a hang), is terminated (and
 * replaced when the next call starts), and the call it was working on rejects with a {@link VerifyPoolError} (the verdict is unknown, not
 * "invalid"; the caller may retry). Jobs run one at a time; at most `maxQueuedJobs` wait (more reject at once).
 * `close()` terminates every Worker; pending calls reject.
 *
 * @module
 */

import { defaultSecp256k1 } from "../crypto/default_backend.ts";
import type { Secp256k1 } from "../crypto/secp256k1.ts";
import type { ScriptError } from "../script/script_error.ts";
import { PrecomputedTransactionData } from "../script/sighash.ts";
import { isCoinBase, wtxid } from "../wire/transaction.ts";
import { type ScriptCheckFailure, scriptCheckFailure, verifyInputScript } from "./input_check.ts";
import { encodeJob, type JobView, type ScriptCheckTx } from "./job.ts";
import type { ScriptExecutionCache } from "./script_execution_cache.ts";
import { cachingSecp256k1, type SignatureCache } from "./signature_cache.ts";
import type { FromWorker, ToWorker } from "./worker_handler.ts";

/** The pool could not produce a verdict (a Worker crashed or hung, startup failed, the pool closed or is full). */
export class VerifyPoolError extends Error {
  /** A pool failure described by `message`. */
  constructor(message: string) {
    super(message);
    this.name = "VerifyPoolError";
  }
}

/** Options of {@link ScriptCheckPool.create}. */
export interface ScriptCheckPoolOptions {
  /**
   * Number of Workers (default: hardware concurrency − 1 when the calling thread works too, else hardware
   * concurrency — as Core's `-par`, which counts the validation thread; 0 verifies on the calling thread only).
   */
  readonly workers?: number;
  /** The calling thread works the queue too (default true, as Core's master thread). */
  readonly mainThreadWorks?: boolean;
  /** Signature cache shared with the Workers. */
  readonly signatureCache?: SignatureCache;
  /** Script execution cache consulted before a block's transactions are queued. */
  readonly scriptExecutionCache?: ScriptExecutionCache;
  /** A Worker working a job with no finished check for this long is considered hung (default 60,000 ms). */
  readonly stallTimeoutMs?: number;
  /** A Worker must be ready this soon after its start (default 30,000 ms). */
  readonly startTimeoutMs?: number;
  /** Calls allowed to wait behind the running one (default 16). */
  readonly maxQueuedJobs?: number;
  /** The Worker module (default `./worker.ts`; tests substitute faulty ones). */
  readonly workerUrl?: URL;
  /** secp256k1 backend of the calling thread's checks (default {@link defaultSecp256k1}). */
  readonly secp?: Secp256k1;
}

/** Options of {@link ScriptCheckPool.verify}. */
export interface VerifyScriptsOptions {
  /** Verify flags for every input. */
  readonly flags: number;
  /**
   * Keep results in the caches (default false, as Core's ConnectBlock: cache hits are then erased, since the
   * block's transactions will not be seen again). True stores valid signatures and fully verified transactions.
   */
  readonly cacheStore?: boolean;
}

/** Every input script passed. */
export interface ScriptChecksSuccess {
  /** Always true. */
  readonly valid: true;
  /** Input scripts run (inputs of transactions not found in the script execution cache). */
  readonly checks: number;
  /** Transactions skipped thanks to the script execution cache. */
  readonly cachedTxs: number;
}

/** The first failing input in block order. */
export interface ScriptChecksFailure extends ScriptCheckFailure {
  /** Index of the failing transaction in the list given to {@link ScriptCheckPool.verify}. */
  readonly txIndex: number;
}

/** The outcome of {@link ScriptCheckPool.verify}. */
export type ScriptChecksResult = ScriptChecksSuccess | ScriptChecksFailure;

interface Slot {
  readonly index: number;
  worker: Worker | null;
  /** Resolves when the Worker is ready; rejects if it could not start. */
  ready: Promise<void>;
  /** Settles `ready` while the Worker is starting. */
  settleReady: ((error: Error | null) => void) | null;
}

interface ActiveJob {
  readonly id: number;
  readonly view: JobView;
  /** Workers that have the job and have not answered "done". */
  readonly waiting: Set<Slot>;
  settled: boolean;
  settle(error: Error | null): void;
}

const DEFAULT_STALL_TIMEOUT_MS = 60_000;
const DEFAULT_START_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_QUEUED_JOBS = 16;

/** Core's `CCheckQueue` for script checks, with Workers. Create with {@link ScriptCheckPool.create}. */
export class ScriptCheckPool {
  readonly #slots: Slot[] = [];
  readonly #heartbeat: Int32Array;
  readonly #url: URL;
  readonly #mainWorks: boolean;
  readonly #sigCache: SignatureCache | undefined;
  readonly #execCache: ScriptExecutionCache | undefined;
  readonly #stallMs: number;
  readonly #startMs: number;
  readonly #maxQueued: number;
  readonly #secp: Secp256k1;
  #closed = false;
  #inFlight = 0;
  #tail: Promise<unknown> = Promise.resolve();
  #nextId = 1;
  #active: ActiveJob | null = null;

  private constructor(options: ScriptCheckPoolOptions) {
    this.#mainWorks = options.mainThreadWorks ?? true;
    const cores = Math.max(1, navigator.hardwareConcurrency || 1);
    const n = options.workers ?? (this.#mainWorks ? cores - 1 : cores);
    if (!Number.isInteger(n) || n < 0 || n > 256) {
      throw new RangeError(`Cannot create script check pool: ${n} workers`);
    }
    if (n === 0 && !this.#mainWorks) {
      throw new RangeError("Cannot create script check pool: no workers and the main thread does not work");
    }
    this.#url = options.workerUrl ?? new URL("./worker.ts", import.meta.url);
    this.#sigCache = options.signatureCache;
    this.#execCache = options.scriptExecutionCache;
    this.#stallMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    this.#startMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    this.#maxQueued = options.maxQueuedJobs ?? DEFAULT_MAX_QUEUED_JOBS;
    this.#secp = options.secp ?? defaultSecp256k1();
    this.#heartbeat = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, n)));
    for (let i = 0; i < n; i++) {
      const slot: Slot = { index: i, worker: null, ready: Promise.resolve(), settleReady: null };
      this.#slots.push(slot);
      this.#spawn(slot);
    }
  }

  /**
   * Starts the Workers and waits until they are ready. Rejects with a {@link VerifyPoolError} (after terminating
   * every Worker) if one fails to start within `startTimeoutMs`.
   */
  static async create(options: ScriptCheckPoolOptions = {}): Promise<ScriptCheckPool> {
    const pool = new ScriptCheckPool(options);
    try {
      await Promise.all(pool.#slots.map((s) => s.ready));
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  /** Number of Worker slots. */
  get workers(): number {
    return this.#slots.length;
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  #spawn(slot: Slot): void {
    const worker = new Worker(this.#url, { type: "module", name: `tsbtc-script-check-${slot.index}` });
    slot.worker = worker;
    let timer: ReturnType<typeof setTimeout> | undefined;
    slot.ready = new Promise<void>((resolve, reject) => {
      slot.settleReady = (error) => {
        clearTimeout(timer);
        slot.settleReady = null;
        if (error === null) resolve();
        else reject(error);
      };
      timer = setTimeout(
        () => this.#lost(slot, worker, `worker ${slot.index} was not ready after ${this.#startMs} ms`),
        this.#startMs,
      );
    });
    slot.ready.catch(() => {}); // observed by the calls that await it
    worker.onmessage = (event: MessageEvent<FromWorker>) => this.#onMessage(slot, worker, event.data);
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.#lost(slot, worker, `worker ${slot.index} failed: ${event.message}`);
    };
    worker.onmessageerror = () => this.#lost(slot, worker, `worker ${slot.index} sent an unreadable message`);
    const init: ToWorker = {
      type: "init",
      index: slot.index,
      heartbeat: this.#heartbeat.buffer as SharedArrayBuffer,
      signatureCache: this.#sigCache?.handle,
    };
    worker.postMessage(init);
  }

  #onMessage(slot: Slot, worker: Worker, message: FromWorker): void {
    if (slot.worker !== worker) return;
    if (message.type === "ready") {
      slot.settleReady?.(null);
    } else if (message.type === "done") {
      const job = this.#active;
      if (job !== null && job.id === message.id) {
        job.waiting.delete(slot);
        this.#checkDone(job);
      }
    }
  }

  /** Terminates a crashed, hung or unstartable Worker, fails the job it had, and starts a replacement. */
  #lost(slot: Slot, worker: Worker, what: string): void {
    if (slot.worker !== worker) return;
    worker.terminate();
    slot.worker = null;
    const error = new VerifyPoolError(`Cannot verify scripts: ${what}`);
    slot.settleReady?.(error);
    const job = this.#active;
    if (job !== null && job.waiting.has(slot)) {
      job.waiting.delete(slot);
      job.view.abort();
      job.settle(error);
      // The other Workers still on this job may be stuck the same way: replace them too (rare; cheap).
      for (const other of [...job.waiting]) {
        if (other.worker !== null) this.#lost(other, other.worker, `worker ${other.index} abandoned`);
      }
    }
    // Replaced when the next call starts (not here: a Worker that cannot start would be restarted in a loop).
  }

  #checkDone(job: ActiveJob): void {
    if (job.settled) return;
    if (job.view.isComplete()) {
      job.settle(null);
    } else if (job.waiting.size === 0) {
      // Every thread has left the queue, yet a check has no outcome: cannot happen unless a thread was lost.
      job.settle(new VerifyPoolError("Cannot verify scripts: the queue stopped with checks left"));
    }
  }

  /**
   * Verifies every input of `txs` (coinbases are skipped) under `options.flags`: Core's `CheckInputScripts` for
   * each transaction with the checks run by the pool. Resolves with the first failing input in list order
   * (`txIndex`, `inputIndex`, script error, Core's reason) or success; rejects with a RangeError when a
   * transaction's spent outputs do not match its inputs (a caller bug) and with a {@link VerifyPoolError} when
   * the pool cannot give a verdict.
   */
  verify(txs: readonly ScriptCheckTx[], options: VerifyScriptsOptions): Promise<ScriptChecksResult> {
    if (this.#closed) return Promise.reject(new VerifyPoolError("Cannot verify scripts: the pool is closed"));
    // In flight: the running call and the waiting ones.
    if (this.#inFlight > this.#maxQueued) {
      return Promise.reject(
        new VerifyPoolError(`Cannot verify scripts: the queue is full (${this.#maxQueued} calls may wait)`),
      );
    }
    this.#inFlight++;
    const run = this.#tail.then(() => this.#run(txs, options)).finally(() => this.#inFlight--);
    this.#tail = run.catch(() => {});
    return run;
  }

  async #run(txs: readonly ScriptCheckTx[], options: VerifyScriptsOptions): Promise<ScriptChecksResult> {
    if (this.#closed) throw new VerifyPoolError("Cannot verify scripts: the pool is closed");
    const flags = options.flags;
    const store = options.cacheStore ?? false;

    // The script execution cache, as Core's CheckInputScripts does first for each transaction.
    const items: ScriptCheckTx[] = [];
    const txIndex: number[] = [];
    const entries: Uint8Array[] = [];
    let cachedTxs = 0;
    for (let i = 0; i < txs.length; i++) {
      const { tx, spentOutputs } = txs[i];
      if (isCoinBase(tx)) continue;
      if (spentOutputs.length !== tx.inputs.length) {
        throw new RangeError(
          `Cannot verify scripts: transaction ${i} has ${tx.inputs.length} inputs and ${spentOutputs.length} spent outputs`,
        );
      }
      if (this.#execCache !== undefined) {
        const entry = this.#execCache.entry(wtxid(tx), flags);
        if (this.#execCache.contains(entry, !store)) {
          cachedTxs++;
          continue;
        }
        entries.push(entry);
      }
      items.push(txs[i]);
      txIndex.push(i);
    }
    if (items.length === 0) return { valid: true, checks: 0, cachedTxs };

    const view = encodeJob(items, flags, store);
    await this.#execute(view, items);

    const first = view.firstFailure();
    if (first < view.checks) {
      const t = view.txOf(first);
      const failure = scriptCheckFailure(items[t].tx, view.inputOf(first), view.errorOf(first)!, flags);
      return { ...failure, txIndex: txIndex[t] };
    }
    if (store && this.#execCache !== undefined) { for (const e of entries) this.#execCache.insert(e); }
    return { valid: true, checks: view.checks, cachedTxs };
  }

  /** Runs a job on the Workers and (optionally) this thread until its verdict is known. */
  async #execute(view: JobView, items: readonly ScriptCheckTx[]): Promise<void> {
    // Lost Workers are replaced now; Workers (re)starting are awaited; one that cannot start is left out.
    for (const slot of this.#slots) if (slot.worker === null) this.#spawn(slot);
    await Promise.allSettled(this.#slots.map((s) => s.ready));
    if (this.#closed) throw new VerifyPoolError("Cannot verify scripts: the pool is closed");
    const ready = this.#slots.filter((s) => s.worker !== null && s.settleReady === null);
    if (ready.length === 0 && !this.#mainWorks) {
      throw new VerifyPoolError("Cannot verify scripts: no worker is running");
    }
    const threads = ready.length + (this.#mainWorks ? 1 : 0);

    let settle!: (error: Error | null) => void;
    const done = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === null ? resolve() : reject(error));
    });
    const job: ActiveJob = {
      id: this.#nextId++,
      view,
      waiting: new Set(ready),
      settled: false,
      settle(error) {
        if (this.settled) return;
        this.settled = true;
        settle(error);
      },
    };
    this.#active = job;
    let watchdog: ReturnType<typeof setInterval> | undefined;
    try {
      const message: ToWorker = { type: "job", id: job.id, buffer: view.buffer, threads };
      for (const slot of ready) slot.worker!.postMessage(message);

      if (this.#mainWorks) view.work(this.#mainVerifier(view, items), threads);
      this.#checkDone(job);

      if (!job.settled) {
        const last = new Map<Slot, { beats: number; at: number }>();
        for (const slot of job.waiting) {
          last.set(slot, { beats: Atomics.load(this.#heartbeat, slot.index), at: performance.now() });
        }
        const tick = Math.max(10, Math.min(1000, Math.floor(this.#stallMs / 4)));
        watchdog = setInterval(() => {
          const now = performance.now();
          for (const slot of [...job.waiting]) {
            const beats = Atomics.load(this.#heartbeat, slot.index);
            const seen = last.get(slot)!;
            if (beats !== seen.beats) {
              seen.beats = beats;
              seen.at = now;
            } else if (now - seen.at > this.#stallMs && slot.worker !== null) {
              this.#lost(slot, slot.worker, `worker ${slot.index} made no progress for ${this.#stallMs} ms`);
            }
          }
          this.#checkDone(job);
        }, tick);
      }
      await done;
    } finally {
      clearInterval(watchdog);
      if (this.#active === job) this.#active = null;
    }
  }

  /** The calling thread's check function: the original transaction objects, one precomputation per tx. */
  #mainVerifier(view: JobView, items: readonly ScriptCheckTx[]): (c: number) => ScriptError | null {
    const precomputed = new Map<number, PrecomputedTransactionData>();
    const secp = this.#sigCache === undefined
      ? this.#secp
      : cachingSecp256k1(this.#secp, this.#sigCache, view.store);
    const flags = view.flags;
    return (c) => {
      const t = view.txOf(c);
      const { tx, spentOutputs } = items[t];
      let pre = precomputed.get(t);
      if (pre === undefined) {
        pre = new PrecomputedTransactionData(tx, spentOutputs);
        precomputed.set(t, pre);
      }
      return verifyInputScript(tx, c - view.firstCheckOf(t), spentOutputs, flags, pre, secp);
    };
  }

  /** Terminates every Worker; the running and queued calls reject with a {@link VerifyPoolError}. Idempotent. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    const error = new VerifyPoolError("Cannot verify scripts: the pool is closed");
    for (const slot of this.#slots) {
      slot.worker?.terminate();
      slot.worker = null;
      slot.settleReady?.(error);
    }
    const job = this.#active;
    if (job !== null) {
      job.view.abort();
      job.settle(error);
    }
    return Promise.resolve();
  }

  /** Same as {@link close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
