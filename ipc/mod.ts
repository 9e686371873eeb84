/**
 * Cap'n Proto IPC between tsbtc's processes, wire-compatible with Bitcoin Core's multiprocess interfaces:
 * connections and the RPC engine, typed proxies for Init/Echo/Rpc, unix and authenticated TCP endpoints, and
 * spawning component processes.
 *
 * ```ts
 * import { bootstrapInit, connectIpc, IpcConnection, parseIpcAddress } from "./mod.ts";
 * const addr = parseIpcAddress("unix", { netDataDir: "/home/me/.tsbtc/regtest" });
 * const conn = new IpcConnection(await connectIpc(addr), { name: "example" });
 * const rpc = bootstrapInit(conn).makeRpc();
 * console.log(await rpc.executeRpc('{"method":"getblockcount","params":[],"id":1}', "/", ""));
 * await conn.close();
 * ```
 *
 * @module
 */
export { type ConnectionOptions, type ConnectionStats, IpcConnection } from "./connection.ts";
export { DEFAULT_IPC_LIMITS, type IpcLimits, resolveLimits } from "./rpc/limits.ts";
export { IpcError, type IpcErrorType } from "./rpc/error.ts";
export type { RpcTableStats } from "./rpc/engine.ts";
export { type ByteStream, memoryStreamPair } from "./transport.ts";
export {
  type CallContext,
  Capability,
  CapabilityServer,
  type CapabilityServerOptions,
  getCap,
  initStructAt,
  method,
  type MethodHandler,
  PendingCall,
  readText,
  Response,
  setCap,
  writeText,
} from "./capability.ts";
export {
  bootstrapInit,
  InitClient,
  type InitClientOptions,
  serveInit,
  type ServeInitOptions,
} from "./proxies/init.ts";
export { EchoClient, serveEcho } from "./proxies/echo.ts";
export { RpcClient, serveRpc } from "./proxies/rpc.ts";
export {
  ChainClient,
  type ChainClientOptions,
  ChainNotificationsClient,
  HandlerClient,
  serveChain,
  serveChainNotifications,
  type ServeChainOptions,
  serveHandler,
} from "./proxies/chain.ts";
export { serveWalletLoader, WalletLoaderClient } from "./proxies/wallet_loader.ts";
export { ClientThread, contextOf, runOnThread, serveThreadMap, ThreadServer } from "./proxies/thread.ts";
export { IpcDebugLog, type IpcLogSink, SECRET_FIELD_PATTERN, SENSITIVE_RPC_METHODS } from "./debug_log.ts";
export * from "./address.ts";
export * from "./auth.ts";
export * from "./listener.ts";
export * from "./process.ts";
