/**
 * `signmessage` (Core's `wallet/rpc/signmessage.cpp`): signs a message with the private key behind one of the
 * wallet's P2PKH addresses, in the format `verifymessage` (a node RPC, `core/message.ts`) checks.
 *
 * @module
 */
import { decodeDestination, isDecodedDestination } from "../../core/address/destination.ts";
import { hash160 } from "../../core/hash/hashes.ts";
import { signMessage } from "../../core/message.ts";
import { RpcError, RpcErrorCode } from "../../rpc/errors.ts";
import { helpExampleCli, helpExampleRpc } from "../../rpc/help.ts";
import type { RpcMethod } from "../../rpc/table.ts";
import { getStr } from "../../rpc/values.ts";
import type { Wallet } from "../wallet.ts";
import { ensureWalletIsUnlocked, HELP_REQUIRING_PASSPHRASE, type WalletRpcContext } from "./wallet_util.ts";

/** Core's `SigningResult` texts (`SigningResultString`). */
const PRIVATE_KEY_NOT_AVAILABLE = "Private key not available";
const SIGNING_FAILED = "Sign failed";

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Core's `CWallet::SignMessage` for a P2PKH output script with key hash `pkhash`: the descriptor that has the
 * script signs with its private key at that position. Throws Core's -4 "Private key not available" when no
 * descriptor of the wallet has the script or its private key, -5 "Sign failed" when signing fails.
 */
export function walletSignMessage(
  wallet: Wallet,
  script: Uint8Array,
  pkhash: Uint8Array,
  message: string,
): string {
  const origin = wallet.scriptOrigin(script);
  const priv = origin?.spkm.privateDescriptor();
  if (origin === undefined || priv === undefined) {
    throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, PRIVATE_KEY_NOT_AVAILABLE);
  }
  const key = priv.expandPrivate(origin.index).find((k) => sameBytes(hash160(k.pubkey), pkhash));
  if (key === undefined) throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, PRIVATE_KEY_NOT_AVAILABLE);
  try {
    return signMessage(key.secret, message);
  } catch {
    throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, SIGNING_FAILED);
  }
}

/** `signmessage`. */
export function signMessageMethods(ctx: WalletRpcContext): RpcMethod[] {
  return [{
    name: "signmessage",
    category: "wallet",
    description: "Sign a message with the private key of an address" + HELP_REQUIRING_PASSPHRASE,
    args: [
      { names: "address", type: "str", description: "The bitcoin address to use for the private key." },
      { names: "message", type: "str", description: "The message to create a signature of." },
    ],
    results: [{
      type: "str",
      key: "signature",
      description: "The signature of the message encoded in base 64",
    }],
    examples: "\nUnlock the wallet for 30 seconds\n" +
      helpExampleCli("walletpassphrase", '"mypassphrase" 30') +
      "\nCreate the signature\n" +
      helpExampleCli("signmessage", '"1D1ZrZNe3JUo7ZycKEYQQiQAWd9y54F4XX" "my message"') +
      "\nVerify the signature\n" +
      helpExampleCli("verifymessage", '"1D1ZrZNe3JUo7ZycKEYQQiQAWd9y54F4XX" "signature" "my message"') +
      "\nAs a JSON-RPC call\n" +
      helpExampleRpc("signmessage", '"1D1ZrZNe3JUo7ZycKEYQQiQAWd9y54F4XX", "my message"'),
    handler: (params, call) => {
      const w = ctx.walletFor(call);
      return w.withLock(() => {
        ensureWalletIsUnlocked(w);
        const address = getStr(params[0]);
        const message = getStr(params[1]);
        const decoded = decodeDestination(address, w.network);
        if (!isDecodedDestination(decoded)) {
          throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, "Invalid address");
        }
        const dest = decoded.destination;
        if (dest.type !== "pubkeyhash") {
          throw new RpcError(RpcErrorCode.RPC_TYPE_ERROR, "Address does not refer to key");
        }
        return walletSignMessage(w, decoded.scriptPubKey, dest.hash, message);
      });
    },
  }];
}
