/**
 * Shared pieces of the wallet RPC methods (Core's `wallet/rpc/util.cpp`): the context every method group gets
 * ({@linkcode WalletRpcContext}), the wallet a request is for (`GetWalletForJSONRPCRequest` with Core's -18/-19
 * errors), `EnsureWalletIsUnlocked`, `EnsureUniqueWalletName`, `LabelFromValue`, output type parsing and the
 * "last processed block" result entry.
 *
 * @module
 */
import type { OutputType } from "../../core/descriptors/mod.ts";
import { RpcError, RpcErrorCode } from "../../rpc/errors.ts";
import type { RpcArgSpec, RpcResultSpec } from "../../rpc/help.ts";
import type { JsonObject } from "../../rpc/json.ts";
import type { RpcCallContext } from "../../rpc/table.ts";
import { getBool, getStr } from "../../rpc/values.ts";
import { parseOutputType } from "../context.ts";
import type { WalletContext } from "../context.ts";
import type { WalletCore } from "../types.ts";
import type { Wallet } from "../wallet.ts";

/** What every wallet RPC group gets. */
export interface WalletRpcContext {
  /** Core's `GetWalletForJSONRPCRequest`: the wallet of the request, or Core's -18/-19 error. */
  walletFor(ctx: Pick<RpcCallContext, "walletName">): Wallet;
  /** The loaded wallets and how to create, load and unload them. */
  readonly wallets: WalletContext;
}

/** Core's `HELP_REQUIRING_PASSPHRASE`. */
export const HELP_REQUIRING_PASSPHRASE =
  "\nRequires wallet passphrase to be set with walletpassphrase call if wallet is encrypted.\n";

/** Core's `EXAMPLE_ADDRESS`. */
export const EXAMPLE_ADDRESS = [
  "bc1q09vm5lfy0j5reeulh4x5752q25uqqvz34hufdl",
  "bc1q02ad21edsxd23d32dfgqqsz4vv4nmtfzuklhy3",
] as const;

/** A deprecated watch-only option or argument (`include_watchonly`, `includeWatching`…), default false. */
export function deprecatedWatchonlyArg(name: string): RpcArgSpec {
  return {
    names: name,
    type: "bool",
    fallback: { default: false },
    description: "(DEPRECATED) No longer used",
  };
}

/** The `include_immature_coinbase` argument. */
export const INCLUDE_IMMATURE_COINBASE_ARG: RpcArgSpec = {
  names: "include_immature_coinbase",
  type: "bool",
  fallback: { default: false },
  description: "Include immature coinbase transactions.",
};

/** Core's `GetAvoidReuseFlag`. */
export function getAvoidReuseFlag(wallet: Pick<WalletCore, "hasFlag">, param: unknown): boolean {
  const can = wallet.hasFlag("avoid_reuse");
  const avoid = param === null || param === undefined ? can : getBool(param);
  if (avoid && !can) {
    throw new RpcError(
      RpcErrorCode.RPC_WALLET_ERROR,
      'wallet does not have the "avoid reuse" feature enabled',
    );
  }
  return avoid;
}

/** Core's `GetWalletForJSONRPCRequest` over a list of loaded wallets. */
export function walletForRequest<W extends { readonly name: string }>(
  wallets: readonly W[],
  ctx: Pick<RpcCallContext, "walletName">,
): W {
  if (ctx.walletName !== null) {
    const w = wallets.find((x) => x.name === ctx.walletName);
    if (!w) {
      throw new RpcError(
        RpcErrorCode.RPC_WALLET_NOT_FOUND,
        "Requested wallet does not exist or is not loaded",
      );
    }
    return w;
  }
  if (wallets.length === 1) return wallets[0];
  if (wallets.length === 0) {
    throw new RpcError(
      RpcErrorCode.RPC_WALLET_NOT_FOUND,
      "No wallet is loaded. Load a wallet using loadwallet or create a new one with createwallet. " +
        "(Note: A default wallet is no longer automatically created)",
    );
  }
  throw new RpcError(
    RpcErrorCode.RPC_WALLET_NOT_SPECIFIED,
    "Multiple wallets are loaded. Please select which wallet to use by requesting the RPC through the " +
      "/wallet/<walletname> URI path.",
  );
}

/** Core's `EnsureWalletIsUnlocked` (-13). */
export function ensureWalletIsUnlocked(wallet: { isLocked(): boolean }): void {
  if (wallet.isLocked()) {
    throw new RpcError(
      RpcErrorCode.RPC_WALLET_UNLOCK_NEEDED,
      "Error: Please enter the wallet passphrase with walletpassphrase first.",
    );
  }
}

/** Core's `EnsureUniqueWalletName`: the endpoint's wallet, or the parameter (they must agree). */
export function ensureUniqueWalletName(
  ctx: Pick<RpcCallContext, "walletName">,
  name: string | undefined,
): string {
  if (ctx.walletName !== null) {
    if (name !== undefined && name !== ctx.walletName) {
      throw new RpcError(
        RpcErrorCode.RPC_INVALID_PARAMETER,
        "The RPC endpoint wallet and the wallet name parameter specify different wallets",
      );
    }
    return ctx.walletName;
  }
  if (name === undefined) {
    throw new RpcError(
      RpcErrorCode.RPC_INVALID_PARAMETER,
      "Either the RPC endpoint wallet or the wallet name parameter must be provided",
    );
  }
  return name;
}

/** Core's `LabelFromValue`: "" for null, "*" refused (-11). */
export function labelFromValue(value: unknown): string {
  if (value === undefined || value === null) return "";
  const label = getStr(value);
  if (label === "*") throw new RpcError(RpcErrorCode.RPC_WALLET_INVALID_LABEL_NAME, "Invalid label name");
  return label;
}

/** An output type argument, or Core's -5 "Unknown address type '…'". */
export function outputTypeFromValue(value: unknown): OutputType {
  const text = getStr(value);
  const t = parseOutputType(text);
  if (t === undefined) {
    throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, `Unknown address type '${text}'`);
  }
  return t;
}

/** Core's `RESULT_LAST_PROCESSED_BLOCK`. */
export const RESULT_LAST_PROCESSED_BLOCK: RpcResultSpec = {
  type: "obj",
  key: "lastprocessedblock",
  description: "hash and height of the block this information was generated on",
  inner: [
    { type: "str_hex", key: "hash", description: "hash of the block this information was generated on" },
    { type: "num", key: "height", description: "height of the block this information was generated on" },
  ],
};

/** Core's `PushWarnings`: adds "warnings" when there are any. */
export function pushWarnings(warnings: readonly string[], obj: JsonObject): void {
  if (warnings.length > 0) obj.warnings = [...warnings];
}
