/**
 * A bounded work queue like Core's HTTP thread pool (`-rpcthreads` workers, `-rpcworkqueue` pending depth):
 * at most `threads` tasks run at once, at most `depth` wait; beyond that `tryEnter` refuses (the server
 * answers 503 "Work queue depth exceeded").
 *
 * @module
 */

/** Concurrency limiter with a bounded wait queue. */
export class WorkQueue {
  #threads: number;
  #depth: number;
  #running = 0;
  #waiting: Array<() => void> = [];

  /** `threads` and `depth` are clamped to at least 1, as Core does. */
  constructor(threads: number, depth: number) {
    this.#threads = Math.max(1, Math.floor(threads));
    this.#depth = Math.max(1, Math.floor(depth));
  }

  /** Tasks running now. */
  get running(): number {
    return this.#running;
  }

  /** Tasks waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Takes a slot: resolves at once when one is free, waits in the queue when not, and returns null when the
   * queue is full. Call `leave()` exactly once after a resolved `tryEnter`.
   */
  tryEnter(): Promise<void> | null {
    if (this.#running < this.#threads) {
      this.#running++;
      return RESOLVED;
    }
    if (this.#waiting.length >= this.#depth) return null;
    return new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /** Frees a slot, handing it to the oldest waiting task. */
  leave(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#running--;
  }
}

const RESOLVED: Promise<void> = Promise.resolve();
