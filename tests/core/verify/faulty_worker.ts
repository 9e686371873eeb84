/**
 * A verification Worker with injected faults, for the pool's robustness tests: it behaves like the real one
 * (core/verify/worker.ts) except on jobs whose flags carry {@link POISON_FLAG}, where it fails as its URL's
 * `mode` says: `crash` (throws), `hang` (spins forever), `close` (exits silently). Mode `broken` throws while
 * loading (a Worker that never starts).
 *
 * @module
 */

import {
  createScriptCheckHandler,
  type FromWorker,
  type ToWorker,
} from "../../../core/verify/worker_handler.ts";

/** A flag bit no verify flag uses: jobs with it trigger the fault. */
export const POISON_FLAG = 1 << 30;

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
  close(): void;
}

const mode = new URL(import.meta.url).searchParams.get("mode");
if (mode === "broken") throw new Error("injected startup failure");

const scope = globalThis as unknown as WorkerScope;
const handle = createScriptCheckHandler((message) => scope.postMessage(message));
scope.onmessage = (event) => {
  const data = event.data;
  // The job's flags are header word 5 (core/verify/job.ts).
  if (data.type === "job" && (new Int32Array(data.buffer, 0, 16)[5] & POISON_FLAG) !== 0) {
    if (mode === "crash") throw new Error("injected crash");
    if (mode === "hang") { for (;;) { /* spin */ } }
    if (mode === "close") return scope.close();
  }
  handle(data);
};
