/**
 * The wallet process: its loader (the WalletLoader a node drives over IPC, and the wallet RPCs it serves), the
 * descriptor wallets it loads, and coin selection as Bitcoin Core does it (coin_selection/).
 *
 * @module
 */
export * as coinSelection from "./coin_selection/mod.ts";
export {
  makeWalletLoader,
  walletForRequest,
  type WalletLoaderOptions,
  type WalletProcessLoader,
} from "./loader.ts";
export { type CreateOptions, WalletContext } from "./context.ts";
export { defaultWalletSettings, Wallet, type WalletEnvironment } from "./wallet.ts";
export { DescriptorScriptPubKeyMan } from "./scriptpubkeyman.ts";
export * from "./types.ts";
export {
  availableCoins,
  type AvailableCoinsOptions,
  type CoinControlFilter,
  type CoinFilterParams,
  CoinsResult,
} from "./available_coins.ts";
export { type Balance, getBalance, type GetBalanceOptions, ReceiveCache } from "./receive.ts";
export {
  CoinControl,
  type CreatedTransaction,
  createTransaction,
  fundTransaction,
  type Recipient,
  type SpendResult,
} from "./spend.ts";
export { getDiscardRate, getMinimumFeeRate, getRequiredFee, getRequiredFeeRate } from "./fees.ts";
export { commitBumpTransaction, createRateBumpTransaction } from "./feebumper.ts";
