/**
 * Entry module of a script verification Worker (started by `ScriptCheckPool`): installs
 * {@link createScriptCheckHandler} on the Worker's global scope.
 *
 * @module
 */

import { createScriptCheckHandler, type FromWorker, type ToWorker } from "./worker_handler.ts";

/** The parts of a Worker's global scope used here. */
interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
}

const scope = globalThis as unknown as WorkerScope;
const handle = createScriptCheckHandler((message) => scope.postMessage(message));
scope.onmessage = (event) => handle(event.data);
