/**
 * The node process: RPC server, IPC endpoints and component processes; its storage (block files, chainstate
 * and block index in Deno KV, the coins cache), the mempool with its policy rules, fee estimation, and the
 * notification bus.
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
export * as storage from "./storage/mod.ts";
export * as policy from "./policy/mod.ts";
export * as mempool from "./mempool/mod.ts";
export * as fees from "./fees/mod.ts";
export * as indexes from "./index/mod.ts";
export {
  type ValidationInterface,
  ValidationSignals,
  type ValidationSignalsOptions,
} from "./validation_signals.ts";
export {
  makeNodeChain,
  type NodeChain,
  type NodeChainOptions,
  type SettingsSource,
} from "./interfaces/chain.ts";
export { RwSettings } from "./interfaces/rw_settings.ts";
export { WalletProcess, type WalletProcessOptions } from "./wallet_process.ts";
export { CORE_WALLET_RPC_NAMES, WalletRpcForwarder, type WalletRpcState } from "./wallet_rpc.ts";
