/**
 * Wallet encryption RPCs (Core's `wallet/rpc/encrypt.cpp`): `encryptwallet`, `walletpassphrase` (unlocks for
 * a number of seconds, then the wallet locks itself again), `walletlock` and `walletpassphrasechange`. The keys
 * at rest are the wallet's business (`Wallet.encrypt`/`unlock`/`lock`/`changePassphrase`, over
 * wallet/crypter.ts); these methods add Core's checks, argument handling and errors.
 *
 * @module
 */
import { RpcError, RpcErrorCode } from "../../rpc/errors.ts";
import { helpExampleCli, helpExampleRpc } from "../../rpc/help.ts";
import type { RpcMethod } from "../../rpc/table.ts";
import { getInt, getStr } from "../../rpc/values.ts";
import type { Wallet } from "../wallet.ts";
import { EXAMPLE_ADDRESS, type WalletRpcContext } from "./wallet_util.ts";

/** Core's `MAX_SLEEP_TIME`: `walletpassphrase` timeouts are capped at 100000000 seconds (~3 years). */
export const MAX_UNLOCK_SECONDS = 100_000_000;

function wrongState(text: string): RpcError {
  return new RpcError(RpcErrorCode.RPC_WALLET_WRONG_ENC_STATE, text);
}

function emptyPassphrase(): RpcError {
  return new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "passphrase cannot be empty");
}

/** Core's refusal while a rescan started with the passphrase runs (`IsScanningWithPassphrase`). */
function refuseWhileScanning(w: Wallet, what: string): void {
  if (w.scanningState() !== null) {
    throw new RpcError(
      RpcErrorCode.RPC_WALLET_ERROR,
      "Error: the wallet is currently being used to rescan the blockchain for related transactions. Please " +
        `call \`abortrescan\` before ${what}.`,
    );
  }
}

/** Core's -14, with its hint for passphrases holding a NUL character (set by versions before 25.0). */
function incorrectPassphrase(passphrase: string, old: boolean): RpcError {
  if (!passphrase.includes("\0")) {
    return new RpcError(
      RpcErrorCode.RPC_WALLET_PASSPHRASE_INCORRECT,
      "Error: The wallet passphrase entered was incorrect.",
    );
  }
  const text = old
    ? "Error: The old wallet passphrase entered is incorrect. It contains a null character (ie - a zero byte). " +
      "If the old passphrase was set with a version of this software prior to 25.0, please try again with only " +
      "the characters up to — but not including — the first null character."
    : "Error: The wallet passphrase entered is incorrect. It contains a null character (ie - a zero byte). If " +
      "the passphrase was set with a version of this software prior to 25.0, please try again with only the " +
      "characters up to — but not including — the first null character. If this is successful, please set a " +
      "new passphrase to avoid this issue in the future.";
  return new RpcError(RpcErrorCode.RPC_WALLET_PASSPHRASE_INCORRECT, text);
}

/** The encryption methods. */
export function encryptionMethods(ctx: WalletRpcContext): RpcMethod[] {
  const walletpassphrase: RpcMethod = {
    name: "walletpassphrase",
    category: "wallet",
    description: "Stores the wallet decryption key in memory for 'timeout' seconds.\n" +
      "This is needed prior to performing transactions related to private keys such as sending bitcoins\n" +
      "\nNote:\n" +
      "Issuing the walletpassphrase command while the wallet is already unlocked will set a new unlock\n" +
      "time that overrides the old one.\n",
    args: [
      { names: "passphrase", type: "str", description: "The wallet passphrase" },
      {
        names: "timeout",
        type: "num",
        description: "The time to keep the decryption key in seconds; capped at 100000000 (~3 years).",
      },
    ],
    results: [{ type: "none", description: "" }],
    examples: "\nUnlock the wallet for 60 seconds\n" +
      helpExampleCli("walletpassphrase", '"my pass phrase" 60') +
      "\nLock the wallet again (before 60 seconds)\n" +
      helpExampleCli("walletlock", "") +
      "\nAs a JSON-RPC call\n" +
      helpExampleRpc("walletpassphrase", '"my pass phrase", 60'),
    handler: async (params, call) => {
      const w = ctx.walletFor(call);
      if (!w.isCrypted()) {
        throw wrongState("Error: running with an unencrypted wallet, but walletpassphrase was called.");
      }
      const passphrase = getStr(params[0]);
      let timeout = getInt(params[1], Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      if (timeout < 0) throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Timeout cannot be negative.");
      if (timeout > MAX_UNLOCK_SECONDS) timeout = MAX_UNLOCK_SECONDS;
      if (passphrase === "") throw emptyPassphrase();
      if (!await w.unlock(passphrase, timeout)) throw incorrectPassphrase(passphrase, false);
      return null;
    },
  };

  const walletpassphrasechange: RpcMethod = {
    name: "walletpassphrasechange",
    category: "wallet",
    description: "Changes the wallet passphrase from 'oldpassphrase' to 'newpassphrase'.\n",
    args: [
      { names: "oldpassphrase", type: "str", description: "The current passphrase" },
      { names: "newpassphrase", type: "str", description: "The new passphrase" },
    ],
    results: [{ type: "none", description: "" }],
    examples: helpExampleCli("walletpassphrasechange", '"old one" "new one"') +
      helpExampleRpc("walletpassphrasechange", '"old one", "new one"'),
    handler: async (params, call) => {
      const w = ctx.walletFor(call);
      if (!w.isCrypted()) {
        throw wrongState("Error: running with an unencrypted wallet, but walletpassphrasechange was called.");
      }
      refuseWhileScanning(w, "changing the passphrase");
      const oldPassphrase = getStr(params[0]);
      const newPassphrase = getStr(params[1]);
      if (oldPassphrase === "" || newPassphrase === "") throw emptyPassphrase();
      if (!await w.changePassphrase(oldPassphrase, newPassphrase)) {
        throw incorrectPassphrase(oldPassphrase, true);
      }
      return null;
    },
  };

  const walletlock: RpcMethod = {
    name: "walletlock",
    category: "wallet",
    description: "Removes the wallet encryption key from memory, locking the wallet.\n" +
      "After calling this method, you will need to call walletpassphrase again\n" +
      "before being able to call any methods which require the wallet to be unlocked.\n",
    args: [],
    results: [{ type: "none", description: "" }],
    examples: "\nSet the passphrase for 2 minutes to perform a transaction\n" +
      helpExampleCli("walletpassphrase", '"my pass phrase" 120') +
      "\nPerform a send (requires passphrase set)\n" +
      helpExampleCli("sendtoaddress", `"${EXAMPLE_ADDRESS[0]}" 1.0`) +
      "\nClear the passphrase since we are done before 2 minutes is up\n" +
      helpExampleCli("walletlock", "") +
      "\nAs a JSON-RPC call\n" +
      helpExampleRpc("walletlock", ""),
    handler: async (_params, call) => {
      const w = ctx.walletFor(call);
      if (!w.isCrypted()) {
        throw wrongState("Error: running with an unencrypted wallet, but walletlock was called.");
      }
      refuseWhileScanning(w, "locking the wallet");
      await w.lock();
      return null;
    },
  };

  const encryptwallet: RpcMethod = {
    name: "encryptwallet",
    category: "wallet",
    description: "Encrypts the wallet with 'passphrase'. This is for first time encryption.\n" +
      "After this, any calls that interact with private keys such as sending or signing \n" +
      "will require the passphrase to be set prior to making these calls.\n" +
      "Use the walletpassphrase call for this, and then walletlock call.\n" +
      "If the wallet is already encrypted, use the walletpassphrasechange call.\n" +
      "** IMPORTANT **\n" +
      "For security reasons, the encryption process will generate a new HD seed, resulting\n" +
      "in the creation of a fresh set of active descriptors. Therefore, it is crucial to\n" +
      "securely back up the newly generated wallet file using the backupwallet RPC.\n",
    args: [{
      names: "passphrase",
      type: "str",
      description:
        "The pass phrase to encrypt the wallet with. It must be at least 1 character, but should be long.",
    }],
    results: [{ type: "str", description: "A string with further instructions" }],
    examples: "\nEncrypt your wallet\n" +
      helpExampleCli("encryptwallet", '"my pass phrase"') +
      "\nNow set the passphrase to use the wallet, such as for signing or sending bitcoin\n" +
      helpExampleCli("walletpassphrase", '"my pass phrase"') +
      "\nNow we can do something like sign\n" +
      helpExampleCli("signmessage", '"address" "test message"') +
      "\nNow lock the wallet again by removing the passphrase\n" +
      helpExampleCli("walletlock", "") +
      "\nAs a JSON-RPC call\n" +
      helpExampleRpc("encryptwallet", '"my pass phrase"'),
    handler: async (params, call) => {
      const w = ctx.walletFor(call);
      if (w.hasFlag("disable_private_keys")) {
        throw new RpcError(
          RpcErrorCode.RPC_WALLET_ENCRYPTION_FAILED,
          "Error: wallet does not contain private keys, nothing to encrypt.",
        );
      }
      if (w.isCrypted()) {
        throw wrongState("Error: running with an encrypted wallet, but encryptwallet was called.");
      }
      refuseWhileScanning(w, "encrypting the wallet");
      const passphrase = getStr(params[0]);
      if (passphrase === "") throw emptyPassphrase();
      if (!await w.encrypt(passphrase)) {
        throw new RpcError(RpcErrorCode.RPC_WALLET_ENCRYPTION_FAILED, "Error: Failed to encrypt the wallet.");
      }
      return "wallet encrypted; The keypool has been flushed and a new HD seed was generated. You need to make a " +
        "new backup with the backupwallet RPC.";
    },
  };

  return [encryptwallet, walletlock, walletpassphrase, walletpassphrasechange];
}
