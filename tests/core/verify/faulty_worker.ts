/**
 * A verification Worker with injected faults, for the pool's robustness tests: it behaves like the real one
 * (core/verify/worker.ts) except on jobs whose flags carry one of the fault bits (bits no verify flag uses):
 * {@link CRASH_FLAG} throws, {@link HANG_FLAG} spins forever, {@link EXIT_FLAG} closes the Worker silently.
 *
 * @module
 */

import {
  createScriptCheckHandler,
  type FromWorker,
  type ToWorker,
} from "../../../core/verify/worker_handler.ts";

/** Jobs with this flag bit make the Worker throw. */
export const CRASH_FLAG = 1 << 30;
/** Jobs with this flag bit make the Worker spin forever. */
export const HANG_FLAG = 1 << 29;
/** Jobs with this flag bit make the Worker exit without a word. */
export const EXIT_FLAG = 1 << 28;

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
  close(): void;
}

const scope = globalThis as unknown as WorkerScope;
const handle = createScriptCheckHandler((message) => scope.postMessage(message));
scope.onmessage = (event) => {
  const data = event.data;
  if (data.type === "job") {
    // The job's flags are header word 5 (core/verify/job.ts).
    const flags = new Int32Array(data.buffer, 0, 16)[5];
    if ((flags & CRASH_FLAG) !== 0) throw new Error("injected crash");
    if ((flags & HANG_FLAG) !== 0) { for (;;) { /* spin */ } }
    if ((flags & EXIT_FLAG) !== 0) return scope.close();
  }
  handle(data);
};
