/**
 * The in-process {@linkcode Init} every tsbtc process serves (Core's `BitcoinNodeInit`, `BitcoinWalletInit`…):
 * it makes Echo objects, makes Rpc objects where the process serves JSON-RPC, says who the process is, and can
 * be asked to shut the process down.
 *
 * @module
 */
import { type Echo, makeEcho } from "./echo.ts";
import type { Chain } from "./chain.ts";
import type { Init, PermissionSet, ProcessInfo } from "./init.ts";
import type { Rpc } from "./rpc.ts";
import type { WalletLoader } from "./wallet_loader.ts";

/** Options of {@linkcode makeProcessInit}. */
export interface ProcessInitOptions {
  /** Mode the process runs in. */
  mode: string;
  /** Process name used in logs ("tsbtc-node"). */
  name: string;
  /** How the process was sandboxed. */
  sandbox: ProcessInfo["sandbox"];
  /** Reports the effective permissions (asked at each getInfo, so it is never stale). */
  permissions: () => PermissionSet;
  /** Executes JSON-RPC in this process; absent where the process serves none. */
  executeRpc?: (request: string, uri: string, user: string) => Promise<string>;
  /** Makes the node's Chain for a client that attached (the node only). */
  makeChain?: () => Chain;
  /** Makes the WalletLoader of a wallet process over the node's `chain` (the wallet only). */
  makeWalletLoader?: (chain: Chain) => WalletLoader;
  /** Called when a peer asks the process to shut down. */
  onShutdown: () => void;
}

/** Makes the Init of this process. */
export function makeProcessInit(opts: ProcessInitOptions): Init {
  return {
    makeEcho(): Echo {
      return makeEcho();
    },
    makeRpc(): Rpc {
      const execute = opts.executeRpc;
      if (!execute) throw new Error(`Cannot make Rpc: ${opts.name} serves no JSON-RPC`);
      return { executeRpc: execute, close: () => Promise.resolve() };
    },
    makeChain: opts.makeChain,
    makeWalletLoader: opts.makeWalletLoader,
    getInfo(): Promise<ProcessInfo> {
      return Promise.resolve({
        mode: opts.mode,
        pid: Deno.pid,
        name: opts.name,
        permissions: opts.permissions(),
        sandbox: opts.sandbox,
      });
    },
    shutdown(): Promise<void> {
      opts.onShutdown();
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}
