/**
 * Every wallet RPC method of the wallet process (Core's `GetWalletRPCCommands`), by group. Each group exports
 * `xxxMethods(ctx: WalletRpcContext): RpcMethod[]`; register a new group with one line below.
 *
 * @module
 */
import type { RpcMethod } from "../../rpc/table.ts";
import { addressMethods } from "./addresses.ts";
import { encryptionMethods } from "./encryption.ts";
import { exportWatchOnlyMethods } from "./export_watchonly.ts";
import { hdKeyMethods } from "./hd_keys.ts";
import { coinsMethods } from "./coins.ts";
import { labelsMethods } from "./labels.ts";
import { prunedFundsMethods } from "./pruned_funds.ts";
import { walletPsbtMethods } from "./psbt.ts";
import { signMessageMethods } from "./signmessage.ts";
import { spendMethods } from "./spend.ts";
import { transactionsMethods } from "./transactions.ts";
import { walletExtraMethods } from "./wallet_extra.ts";
import type { WalletRpcContext } from "./wallet_util.ts";
import { walletManagementMethods } from "./wallets.ts";

export type { WalletRpcContext } from "./wallet_util.ts";

/** The wallet RPC methods over `ctx`. */
export function walletRpcMethods(ctx: WalletRpcContext): RpcMethod[] {
  return [
    ...walletManagementMethods(ctx),
    ...addressMethods(ctx),
    ...spendMethods(ctx),
    ...walletPsbtMethods(ctx),
    ...signMessageMethods(ctx),
    ...encryptionMethods(ctx),
    ...coinsMethods(ctx),
    ...transactionsMethods(ctx),
    ...labelsMethods(ctx),
    ...walletExtraMethods(ctx),
    ...hdKeyMethods(ctx),
    ...prunedFundsMethods(ctx),
    ...exportWatchOnlyMethods(ctx),
  ];
}
