/**
 * One block's script checks laid out in a `SharedArrayBuffer`, built once on the main thread and shared with
 * every Worker (no per-input messages, no copies): the raw transactions, the outputs they spend, the check list
 * (one check per input), and the control words the threads coordinate through with `Atomics` — the claim
 * counter of the queue, the index of the first failed check, an abort flag, and one status byte per check.
 *
 * The queue is Core's CCheckQueue idea without locks: a thread claims the next batch of check indices with one
 * atomic add (batches shrink as the queue empties, so the threads finish together), verifies them in order and
 * records each outcome. A failure lowers the "first failure" word (an atomic minimum); checks after it are
 * skipped, checks before it still run, so the reported failure is always the first failing input in block
 * order — the verdict a sequential loop would give, whatever the timing.
 *
 * @module
 */

import { SCRIPT_ERRORS, type ScriptError } from "../script/script_error.ts";
import { encodeTransaction, originalBytes } from "../wire/transaction.ts";
import type { Transaction, TxOut } from "../wire/types.ts";

/** A transaction to verify and the outputs its inputs spend (in input order). */
export interface ScriptCheckTx {
  /** The spending transaction. */
  readonly tx: Transaction;
  /** The outputs spent by its inputs, one per input (Core's coins). */
  readonly spentOutputs: readonly TxOut[];
}

// Header words (Int32).
const H_NEXT = 0;
const H_FAIL = 1;
const H_ABORT = 2;
const H_CHECKS = 3;
const H_TXS = 4;
const H_FLAGS = 5;
const H_STORE = 6;
const H_TXTABLE = 7;
const H_CHECKTX = 8;
const H_STATUS = 9;
const H_BLOB = 10;
const HEADER_WORDS = 16;
/** Words per transaction in the table: raw offset, raw length, spent outputs offset, first check. */
const TX_WORDS = 4;

/** Status byte of a check not yet done. */
const PENDING = 0;
/** Status byte of a check that passed. */
const PASSED = 1;
/** Status bytes from here on are failures: FAILED + index in SCRIPT_ERRORS. */
const FAILED = 2;

/** Largest batch a thread claims at once (Core's `nBatchSize` is 128 cheaper C++ checks). */
const MAX_BATCH = 16;

const ERROR_INDEX: ReadonlyMap<ScriptError, number> = new Map(SCRIPT_ERRORS.map((e, i) => [e, i]));

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** A view of a job's shared buffer (the same class on the main thread and in Workers). */
export class JobView {
  /** The shared buffer. */
  readonly buffer: SharedArrayBuffer;
  readonly #header: Int32Array;
  readonly #txTable: Uint32Array;
  readonly #checkTx: Uint32Array;
  readonly #status: Uint8Array;
  readonly #blob: DataView;
  readonly #blobOffset: number;

  /** Opens a job buffer made by {@link encodeJob}. */
  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.#header = new Int32Array(buffer, 0, HEADER_WORDS);
    const h = this.#header;
    this.#txTable = new Uint32Array(buffer, h[H_TXTABLE], h[H_TXS] * TX_WORDS);
    this.#checkTx = new Uint32Array(buffer, h[H_CHECKTX], h[H_CHECKS]);
    this.#status = new Uint8Array(buffer, h[H_STATUS], h[H_CHECKS]);
    this.#blobOffset = h[H_BLOB];
    this.#blob = new DataView(buffer, this.#blobOffset);
  }

  /** Number of checks (inputs). */
  get checks(): number {
    return this.#header[H_CHECKS];
  }

  /** Number of transactions. */
  get txs(): number {
    return this.#header[H_TXS];
  }

  /** Verify flags of every check. */
  get flags(): number {
    return this.#header[H_FLAGS] >>> 0;
  }

  /** Whether verified signatures go into the signature cache (else hits are erased). */
  get store(): boolean {
    return this.#header[H_STORE] !== 0;
  }

  /** The transaction slot (index in the job) of check `c`. */
  txOf(c: number): number {
    return this.#checkTx[c];
  }

  /** The input index of check `c` in its transaction. */
  inputOf(c: number): number {
    return c - this.#txTable[this.#checkTx[c] * TX_WORDS + 3];
  }

  /** Index of the first check of transaction slot `t`. */
  firstCheckOf(t: number): number {
    return this.#txTable[t * TX_WORDS + 3];
  }

  /** The raw serialized transaction of slot `t` (a view into the shared buffer). */
  rawTx(t: number): Uint8Array {
    const o = t * TX_WORDS;
    return new Uint8Array(this.buffer, this.#blobOffset + this.#txTable[o], this.#txTable[o + 1]);
  }

  /** The spent outputs of slot `t` (`n` of them; scripts are views into the shared buffer). */
  spentOutputs(t: number, n: number): TxOut[] {
    let p = this.#txTable[t * TX_WORDS + 2];
    const out: TxOut[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const value = this.#blob.getBigInt64(p, true);
      const len = this.#blob.getUint32(p + 8, true);
      out[i] = { value, scriptPubKey: new Uint8Array(this.buffer, this.#blobOffset + p + 12, len) };
      p += 12 + len;
    }
    return out;
  }

  /** Index of the first failed check, or `checks` when none failed (yet). */
  firstFailure(): number {
    return Atomics.load(this.#header, H_FAIL);
  }

  /** The script error of a failed check `c`, or null if it passed or is not done. */
  errorOf(c: number): ScriptError | null {
    const s = Atomics.load(this.#status, c);
    return s >= FAILED ? SCRIPT_ERRORS[s - FAILED] : null;
  }

  /** Tells every thread to stop claiming checks (the job was abandoned). */
  abort(): void {
    Atomics.store(this.#header, H_ABORT, 1);
  }

  /** Whether {@link abort} was called. */
  get aborted(): boolean {
    return Atomics.load(this.#header, H_ABORT) !== 0;
  }

  /**
   * Whether the verdict is known: every check up to the first failure (or every check, when none failed) has
   * its outcome.
   */
  isComplete(): boolean {
    const last = Math.min(this.firstFailure(), this.checks - 1);
    const status = this.#status;
    for (let c = 0; c <= last; c++) if (Atomics.load(status, c) === PENDING) return false;
    return true;
  }

  /**
   * Works the queue on this thread until it is empty, aborted or past the first failure: claims batches, runs
   * `verify(c)` for each check and records the outcome; `progress` is called after each check. `threads` (the
   * number of threads working) sizes the batches. Returns the number of checks run here.
   */
  work(verify: (c: number) => ScriptError | null, threads: number, progress?: () => void): number {
    const h = this.#header;
    const n = h[H_CHECKS];
    const status = this.#status;
    const share = Math.max(1, threads) * 4;
    let ran = 0;
    for (;;) {
      if (Atomics.load(h, H_ABORT) !== 0) return ran;
      const next = Atomics.load(h, H_NEXT);
      if (next >= n || next > Atomics.load(h, H_FAIL)) return ran;
      const batch = Math.max(1, Math.min(MAX_BATCH, Math.floor((n - next) / share)));
      const start = Atomics.add(h, H_NEXT, batch);
      const end = Math.min(n, start + batch);
      for (let c = start; c < end; c++) {
        // Checks after a failure cannot change the verdict; every later claim is further still.
        if (c > Atomics.load(h, H_FAIL)) return ran;
        const error = verify(c);
        if (error === null) {
          Atomics.store(status, c, PASSED);
        } else {
          Atomics.store(status, c, FAILED + (ERROR_INDEX.get(error) ?? ERROR_INDEX.get("UNKNOWN_ERROR")!));
          // Atomic minimum.
          let cur = Atomics.load(h, H_FAIL);
          while (c < cur) {
            const seen = Atomics.compareExchange(h, H_FAIL, cur, c);
            if (seen === cur) break;
            cur = seen;
          }
        }
        ran++;
        progress?.();
      }
    }
  }
}

/**
 * Lays out `txs` (none a coinbase; each with one spent output per input) as a job: raw transactions (the bytes
 * they were decoded from, or their encoding), spent outputs (value, script length, script), the check list and
 * the control words. `store` says whether Workers add verified signatures to the signature cache.
 */
export function encodeJob(txs: readonly ScriptCheckTx[], flags: number, store: boolean): JobView {
  const raws: Uint8Array[] = new Array(txs.length);
  let nChecks = 0;
  let blobSize = 0;
  for (let t = 0; t < txs.length; t++) {
    const { tx, spentOutputs } = txs[t];
    if (spentOutputs.length !== tx.inputs.length) {
      throw new RangeError(
        `Cannot verify scripts: transaction ${t} has ${tx.inputs.length} inputs and ${spentOutputs.length} spent outputs`,
      );
    }
    const raw = originalBytes(tx) ?? encodeTransaction(tx);
    raws[t] = raw;
    blobSize += align8(raw.length);
    for (const o of spentOutputs) blobSize += 12 + o.scriptPubKey.length;
    blobSize = align8(blobSize);
    nChecks += tx.inputs.length;
  }
  const txTable = HEADER_WORDS * 4;
  const checkTx = txTable + txs.length * TX_WORDS * 4;
  const statusOffset = checkTx + nChecks * 4;
  const blobOffset = align8(statusOffset + nChecks);
  const buffer = new SharedArrayBuffer(blobOffset + blobSize);

  const h = new Int32Array(buffer, 0, HEADER_WORDS);
  h[H_NEXT] = 0;
  h[H_FAIL] = nChecks;
  h[H_CHECKS] = nChecks;
  h[H_TXS] = txs.length;
  h[H_FLAGS] = flags | 0;
  h[H_STORE] = store ? 1 : 0;
  h[H_TXTABLE] = txTable;
  h[H_CHECKTX] = checkTx;
  h[H_STATUS] = statusOffset;
  h[H_BLOB] = blobOffset;

  const table = new Uint32Array(buffer, txTable, txs.length * TX_WORDS);
  const checks = new Uint32Array(buffer, checkTx, nChecks);
  const bytes = new Uint8Array(buffer, blobOffset);
  const view = new DataView(buffer, blobOffset);
  let p = 0;
  let c = 0;
  for (let t = 0; t < txs.length; t++) {
    const { tx, spentOutputs } = txs[t];
    const raw = raws[t];
    table[t * TX_WORDS] = p;
    table[t * TX_WORDS + 1] = raw.length;
    bytes.set(raw, p);
    p = align8(p + raw.length);
    table[t * TX_WORDS + 2] = p;
    table[t * TX_WORDS + 3] = c;
    for (const o of spentOutputs) {
      view.setBigInt64(p, BigInt.asIntN(64, o.value), true);
      view.setUint32(p + 8, o.scriptPubKey.length, true);
      bytes.set(o.scriptPubKey, p + 12);
      p += 12 + o.scriptPubKey.length;
    }
    p = align8(p);
    for (let i = 0; i < tx.inputs.length; i++) checks[c++] = t;
  }
  return new JobView(buffer);
}
