/**
 * exportwatchonlywallet (Core master's `wallet/rpc/wallet.cpp` and `wallet/export.cpp`): writes a watch-only copy
 * of the wallet — its public descriptors with their derived scripts (so hardened ones keep the positions already
 * derived), transactions, address book, persistent locked coins and best block, the `disable_private_keys` flag
 * added, no key material — as a database file that `restorewallet` loads. The wallet process may write only
 * under its wallets directory: a relative destination is taken from there, one outside it is refused.
 *
 * @module
 */
import { KvBatchWriter } from "../../node/storage/kv_batch.ts";
import { RpcError, RpcErrorCode } from "../../rpc/errors.ts";
import { helpExampleCli, helpExampleRpc } from "../../rpc/help.ts";
import type { RpcMethod } from "../../rpc/table.ts";
import { getStr } from "../../rpc/values.ts";
import { lexicallyNormal } from "../context.ts";
import { expandMutation } from "../db/database.ts";
import { decodeJson, type DescriptorRecord, encodeJson } from "../db/records.ts";
import type { WalletFlag } from "../types.ts";
import type { Wallet } from "../wallet.ts";
import type { WalletRpcContext } from "./wallet_util.ts";

/** What the copy keeps of one database entry: null drops it (key material). */
function watchOnlyEntry(key: Deno.KvKey, value: Uint8Array): Uint8Array | null {
  switch (key[0]) {
    case "masterkey":
      return null;
    case "desc": {
      const record = decodeJson<DescriptorRecord>(value);
      delete record.priv;
      delete record.cpriv;
      if (record.hdKeys !== undefined) {
        record.hdKeys = record.hdKeys.map((k) => ({ ...k, hasPrivate: false }));
      }
      return encodeJson(record);
    }
    case "flags": {
      const flags = decodeJson<WalletFlag[]>(value);
      if (!flags.includes("disable_private_keys")) flags.push("disable_private_keys");
      return encodeJson(flags);
    }
    default:
      return value;
  }
}

/**
 * Core's `ExportWatchOnlyWallet`: writes the watch-only copy of `wallet` to the new database file `file`
 * (removed again when anything fails). Throws an `Error` when the file cannot be written.
 */
export async function exportWatchOnlyWallet(wallet: Wallet, file: string): Promise<void> {
  let kv: Deno.Kv | null = null;
  try {
    kv = await Deno.openKv(file);
    const writer = new KvBatchWriter(kv);
    await wallet.withLock(async () => {
      for await (const [key, value] of wallet.db.list([])) {
        const kept = watchOnlyEntry(key, value);
        if (kept === null) continue;
        for (const m of expandMutation({ type: "set", key, value: kept })) await writer.add(m);
      }
    });
    await writer.commit();
    kv.close();
    kv = null;
  } catch (e) {
    kv?.close();
    for (const suffix of ["", "-wal", "-shm"]) await Deno.remove(file + suffix).catch(() => {});
    throw e;
  }
}

/** The exportwatchonlywallet method. */
export function exportWatchOnlyMethods(ctx: WalletRpcContext): RpcMethod[] {
  return [{
    name: "exportwatchonlywallet",
    category: "wallet",
    description: "Creates a wallet file at the specified destination containing a watchonly version " +
      "of the current wallet. This watchonly wallet contains the wallet's public descriptors, " +
      "its transactions, and address book data. Descriptors that use hardened derivation will " +
      "only have a limited number of derived keys included in the export due to hardened " +
      "derivation requiring private keys. Descriptors with unhardened derivation do not have " +
      "this limitation. The watchonly wallet can be imported into another node using 'restorewallet'.",
    args: [{
      names: "destination",
      type: "str",
      description: "The path to the filename the exported watchonly wallet will be saved to",
    }],
    results: [{
      type: "obj",
      inner: [{
        type: "str",
        key: "exported_file",
        description: "The full path that the file has been exported to",
      }],
    }],
    examples: helpExampleCli("exportwatchonlywallet", '"/path/to/export.dat"') +
      helpExampleRpc("exportwatchonlywallet", '"/path/to/export.dat"'),
    handler: async (params, call) => {
      const w = ctx.walletFor(call);
      const dest = getStr(params[0]);
      const fail = (message: string) => new RpcError(RpcErrorCode.RPC_WALLET_ERROR, message);
      if (dest === "") throw fail("Error: Export destination cannot be empty");
      const walletDir = lexicallyNormal(ctx.wallets.walletDir).replace(/\/$/, "");
      const file = lexicallyNormal(ctx.wallets.resolvePath(dest));
      if (await Deno.lstat(file).then(() => true, () => false)) {
        throw fail(`Error: Export destination '${dest}' already exists`);
      }
      if (!file.startsWith(`${walletDir}/`)) {
        throw fail(
          `Error: Could not create file '${dest}': the wallet process may write only under its wallets ` +
            `directory (${walletDir}); give a path inside it (a relative path is taken from there)`,
        );
      }
      const parent = file.slice(0, file.lastIndexOf("/")) || "/";
      if (!(await Deno.stat(parent).catch(() => null))?.isDirectory) {
        throw fail(`Error: Could not create file '${dest}'`);
      }
      if (w.descriptors().length === 0) throw fail("Error: Wallet has no descriptors to export");
      // Core tops the keypool up first: the copy holds every derived lookahead position.
      if (w.scanningState() === null) await w.keypoolReady();
      try {
        await exportWatchOnlyWallet(w, file);
      } catch (e) {
        ctx.wallets.logger?.warn(
          `[${w.name}] Export to ${file} failed: ${e instanceof Error ? e.message : e}`,
        );
        throw fail("Error: Unable to write the exported wallet");
      }
      return { exported_file: file };
    },
  }];
}
