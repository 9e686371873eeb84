/**
 * The WalletLoader interface (Core's `interfaces::WalletLoader`, a `ChainClient`): how the node drives the
 * wallet process it spawned, after handing it the node's `Chain` (`Init.makeWalletLoader(chain)`). Implemented
 * in the wallet process by `wallet/loader.ts`, and over IPC by `ipc/proxies/wallet_loader.ts`.
 *
 * @module
 */

/** The wallets of one wallet process, as the node sees them. */
export interface WalletLoader {
  /** Registers the wallet RPC methods with the node (through `Chain.handleRpc`). */
  registerRpcs(): Promise<void>;
  /** Checks the wallet settings (`-walletdir`, `-wallet`); false after reporting an init error to the node. */
  verify(): Promise<boolean>;
  /** Loads the wallets to load at startup; false after reporting an init error. */
  load(): Promise<boolean>;
  /** Starts following the chain. */
  start(): Promise<void>;
  /** Flushes and unloads every wallet; withdraws the RPC methods. */
  stop(): Promise<void>;
  /** Sets the wallet's mock time (`setmocktime`); 0 returns to the system clock. */
  setMockTime(time: number): Promise<void>;
  /**
   * Moves the wallet process's scheduled tasks (the periodic resend of unconfirmed transactions) `deltaTime`
   * seconds into the future (Core's `ChainClient::schedulerMockForward`, from `mockscheduler`); resolves once
   * the tasks that came due have run.
   */
  schedulerMockForward(deltaTime: number): Promise<void>;
  /** Names of the loaded wallets. */
  getWalletNames(): Promise<string[]>;
  /** Releases this reference (over IPC: `destroy`, then Release). */
  close(): Promise<void>;
}
