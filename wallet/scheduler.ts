/**
 * The wallet process's scheduler (the part of Core's `CScheduler` the wallet uses): tasks run every so often on
 * real-time timers, and {@linkcode WalletScheduler.mockForward} (Core's `MockForward`, from `mockscheduler`)
 * moves every task that much closer, running those that come due. A task's run is never overlapped by its next
 * one; timers do not keep the process alive.
 *
 * @module
 */

interface Task {
  run: () => Promise<void>;
  intervalMs: number;
  /** When it runs next (milliseconds, `Date.now()` clock). */
  due: number;
  running: Promise<void> | null;
}

/** Periodic tasks with a mockable clock offset. */
export class WalletScheduler {
  #tasks: Task[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;
  readonly #onError: (e: unknown) => void;

  /** @param onError called with what a task threw (the task keeps its schedule) */
  constructor(onError: (e: unknown) => void = () => {}) {
    this.#onError = onError;
  }

  /** Runs `run` every `intervalMs` milliseconds, the first time one interval from now (Core's `scheduleEvery`). */
  scheduleEvery(run: () => Promise<void>, intervalMs: number): void {
    if (!(intervalMs > 0)) throw new RangeError(`Cannot schedule a task: interval is ${intervalMs} ms`);
    this.#tasks.push({ run, intervalMs, due: Date.now() + intervalMs, running: null });
    this.#arm();
  }

  /**
   * Moves every task `seconds` earlier and runs those now due; resolves when they have run (Core's
   * `MockForward`).
   */
  async mockForward(seconds: number): Promise<void> {
    for (const t of this.#tasks) t.due -= seconds * 1000;
    await this.#runDue();
  }

  /** Cancels every task (a run in progress finishes). */
  stop(): void {
    this.#stopped = true;
    this.#tasks = [];
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  async #runDue(): Promise<void> {
    const now = Date.now();
    const runs: Promise<void>[] = [];
    for (const t of this.#tasks) {
      if (t.running !== null) {
        runs.push(t.running);
        continue;
      }
      if (t.due > now) continue;
      t.due = now + t.intervalMs;
      t.running = (async () => {
        try {
          await t.run();
        } catch (e) {
          this.#onError(e);
        } finally {
          t.running = null;
        }
      })();
      runs.push(t.running);
    }
    this.#arm();
    await Promise.all(runs);
  }

  #arm(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#stopped || this.#tasks.length === 0) return;
    const next = Math.min(...this.#tasks.map((t) => t.due));
    const timer = setTimeout(() => {
      this.#timer = null;
      void this.#runDue();
    }, Math.max(0, next - Date.now()));
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }
}
