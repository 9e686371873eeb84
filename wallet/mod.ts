/**
 * The wallet process: its loader (the WalletLoader a node drives over IPC, and the wallet RPCs it serves), and
 * coin selection as Bitcoin Core does it (coin_selection/).
 *
 * @module
 */
export * as coinSelection from "./coin_selection/mod.ts";
export {
  type LoadedWallet,
  makeWalletLoader,
  walletForRequest,
  type WalletLoaderOptions,
  walletProcessMethods,
} from "./loader.ts";
