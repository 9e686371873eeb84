/**
 * The Init interface (Core's `interfaces::Init`): the first object every process serves, from which a peer
 * makes the other interfaces. tsbtc adds `getInfo` and `shutdown` (schema: `ProcessInit` in
 * `ipc/capnp/tsbtc.capnp`).
 *
 * @module
 */
import type { Chain } from "./chain.ts";
import type { Echo } from "./echo.ts";
import type { Rpc } from "./rpc.ts";
import type { WalletLoader } from "./wallet_loader.ts";

/** Effective Deno permissions of a process, as reported by `getInfo`. */
export interface PermissionSet {
  /** Reading files (paths). */
  read: boolean | readonly string[];
  /** Writing files (paths). */
  write: boolean | readonly string[];
  /** Network (host:port). */
  net: boolean | readonly string[];
  /** Environment variables (names). */
  env: boolean | readonly string[];
  /** Running programs (commands). */
  run: boolean | readonly string[];
  /** Loading native libraries (paths). */
  ffi: boolean | readonly string[];
  /** System information (kinds). */
  sys: boolean | readonly string[];
}

/** What a process says about itself. */
export interface ProcessInfo {
  /** Mode it runs in: "node", "wallet", "echo", "gui"… */
  mode: string;
  /** Operating-system process id. */
  pid: number;
  /** Process name used in logs, e.g. "tsbtc-echo". */
  name: string;
  /** Effective permissions. */
  permissions: PermissionSet;
  /** How the permissions were applied: "flags" (deno run --allow-*), "worker" (Worker deno.permissions), or
   * "none" (started by hand with the launcher's permissions). */
  sandbox: "flags" | "worker" | "none";
}

/** The bootstrap interface of every tsbtc process. */
export interface Init {
  /** Makes an Echo object. Over IPC the returned proxy is usable at once (calls on it are pipelined). */
  makeEcho(): Echo;
  /** Makes an Rpc object; fails (on first use, over IPC) in a process that serves no JSON-RPC. */
  makeRpc(): Rpc;
  /** Who this process is. */
  getInfo(): Promise<ProcessInfo>;
  /**
   * The node's Chain, for a chain client attached by hand (`tsbtc wallet -ipcconnect`). Over IPC usable at once;
   * its first call fails in a process without a chain. Absent in-process where the process has none.
   */
  makeChain?(): Chain;
  /**
   * A wallet process's WalletLoader driving its wallets over `chain` (Core's `Init.makeWalletLoader`). Over IPC
   * usable at once; its first call fails in a process that is not a wallet.
   */
  makeWalletLoader?(chain: Chain): WalletLoader;
  /** Asks the process to shut down cleanly; resolves once shutdown has begun. */
  shutdown(): Promise<void>;
  /** Releases this reference. */
  close(): Promise<void>;
}
