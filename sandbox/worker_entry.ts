/**
 * Entry module of a sandboxed component Worker (see `worker.ts`): runs the requested mode and reports its exit
 * status to the host.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { WorkerExit, WorkerStart } from "./worker.ts";
import { runMode } from "../cli/run_mode.ts";

self.onmessage = async (e: MessageEvent<WorkerStart>) => {
  const { mode, argv, profile } = e.data;
  let exit = 1;
  try {
    exit = await runMode(mode, argv, { sandbox: "worker", profile, resolved: true });
  } catch (err) {
    console.error(`Error: ${err instanceof Error ? err.message : String(err)}`);
  }
  const msg: WorkerExit = { exit };
  self.postMessage(msg);
};
