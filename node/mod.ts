/**
 * The node process: RPC server, IPC endpoints and component processes.
 *
 * @module
 */
export { Node, type NodeOptions } from "./node.ts";
export {
  type Component,
  ProcessManager,
  type ProcessManagerOptions,
  type SpawnComponentOptions,
} from "./processes.ts";
export { processInfoJson, processMethods, type ProcessMethodsOptions } from "./process_rpc.ts";
