/**
 * The Rpc interface (Core's `interfaces::Rpc`): executes one JSON-RPC request, as text, in the process that
 * serves it. `tsbtc rpc -ipcconnect` and Core's `bitcoin-cli -ipcconnect` use it instead of HTTP.
 *
 * @module
 */

/** Executes JSON-RPC requests. */
export interface Rpc {
  /**
   * Runs one JSON-RPC request (or batch) and returns the JSON reply text, exactly as the HTTP server would
   * have sent as its body. `uri` is the HTTP path (`/` or `/wallet/<name>`); `user` the authenticated user.
   */
  executeRpc(request: string, uri: string, user: string): Promise<string>;
  /** Releases the object. */
  close(): Promise<void>;
}
