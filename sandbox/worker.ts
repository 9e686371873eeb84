/**
 * Runs a component inside a Worker whose `deno.permissions` are the component's profile. This is how a compiled
 * binary (whose own permissions are baked in at compile time) narrows each component it runs; from source the
 * same path is taken with `-sandbox=worker`.
 *
 * @module
 */
import { type PermissionProfile, toWorkerPermissions } from "./profile.ts";

/** A message from the host to the sandboxed worker: which mode to run and with which arguments. */
export interface WorkerStart {
  /** Mode to run. */
  mode: string;
  /** Its arguments (already resolved by the launcher). */
  argv: string[];
  /** The profile the Worker was given (reported by the component as its own). */
  profile: PermissionProfile;
}

/** A message from the worker when the component has finished. */
export interface WorkerExit {
  /** The component's exit status. */
  exit: number;
}

/**
 * Runs `mode` with `argv` in a Worker restricted to `profile`; resolves with the component's exit status.
 * An uncaught error in the worker is reported on stderr and yields status 1. `entry` is the Worker's module
 * (tests run an escape probe through exactly this path).
 */
export function runInWorker(
  mode: string,
  argv: string[],
  profile: PermissionProfile,
  entry: URL = new URL("./worker_entry.ts", import.meta.url),
): Promise<number> {
  const worker = new Worker(entry, {
    type: "module",
    name: `tsbtc-${mode}`,
    deno: { permissions: toWorkerPermissions(profile) },
  });
  return new Promise((resolve) => {
    worker.onmessage = (e: MessageEvent<WorkerExit>) => {
      worker.terminate();
      resolve(e.data.exit);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      console.error(`Error: ${e.message}`);
      worker.terminate();
      resolve(1);
    };
    const start: WorkerStart = { mode, argv, profile };
    worker.postMessage(start);
  });
}
