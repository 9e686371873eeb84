/**
 * Wallet RPCs of Core's `wallet/rpc/wallet.cpp` and `addresses.cpp` outside the other groups: setwalletflag,
 * keypoolrefill, listaddressgroupings (Core's `GetAddressGroupings` and `GetAddressBalances`),
 * simulaterawtransaction, migratewallet (only descriptor wallets exist here: Core's answers for them, and a clear
 * error for a Berkeley DB legacy wallet) and walletdisplayaddress (no wallet here has an external signer).
 *
 * @module
 */
import {
  decodeDestination,
  encodeDestination,
  extractDestination,
  isDecodedDestination,
} from "../../core/address/destination.ts";
import { reverseHex, toHex } from "../../core/hash/hashes.ts";
import { txid as txidOf } from "../../core/wire/transaction.ts";
import { RpcError, RpcErrorCode } from "../../rpc/errors.ts";
import { helpExampleCli, helpExampleRpc } from "../../rpc/help.ts";
import { type JsonValue, valueFromAmount } from "../../rpc/json.ts";
import type { RpcMethod } from "../../rpc/table.ts";
import { decodeHexTx } from "../../rpc/tx_json.ts";
import { getArray, getBool, getInt, getStr } from "../../rpc/values.ts";
import { ALL_OUTPUT_TYPES_TEXT } from "../context.ts";
import { destinationOrderKey, findAddressBookEntry } from "../history.ts";
import { cachedTxIsFromMe, cachedTxIsTrusted, isImmatureCoinBase, ReceiveCache } from "../receive.ts";
import { DEFAULT_KEYPOOL_SIZE } from "../scriptpubkeyman.ts";
import type { WalletCore } from "../types.ts";
import { CURRENCY_UNIT } from "./coins.ts";
import {
  deprecatedWatchonlyArg,
  ensureUniqueWalletName,
  ensureWalletIsUnlocked,
  HELP_REQUIRING_PASSPHRASE,
  type WalletRpcContext,
} from "./wallet_util.ts";

/** Core's `STRING_TO_WALLET_FLAG` names (in its map order); only `avoid_reuse` may change. */
const WALLET_FLAG_NAMES = [
  "avoid_reuse",
  "blank",
  "descriptor_wallet",
  "disable_private_keys",
  "external_signer",
  "key_origin_metadata",
  "last_hardened_xpub_cached",
];
const MUTABLE_WALLET_FLAGS = ["avoid_reuse"];
/** Core's `WALLET_FLAG_CAVEATS`. */
const AVOID_REUSE_CAVEAT = "You need to rescan the blockchain in order to correctly mark used " +
  "destinations in the past. Until this is done, some destinations may " +
  "be considered unused, even if the opposite is the case.";

/** A destination of an output script as a key ordered like Core's `CTxDestination`, with its address. */
function destinationOf(script: Uint8Array, wallet: WalletCore): { key: string; address: string } | undefined {
  const dest = extractDestination(script);
  if (dest === undefined) return undefined;
  const address = encodeDestination(script, wallet.network);
  if (address === undefined) return undefined;
  return { key: destinationOrderKey(dest), address };
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length - b.length;
}

/**
 * Core's `GetAddressGroupings`: addresses spent together as inputs, with the change of those transactions,
 * merged when they share an address; every owned output address is in some group. Each group's keys sorted,
 * groups sorted (Core's sets of `CTxDestination`). Keys map to addresses in `addresses`.
 */
export function addressGroupings(wallet: WalletCore): { groups: string[][]; addresses: Map<string, string> } {
  const addresses = new Map<string, string>();
  const keyOf = (script: Uint8Array): string | undefined => {
    const d = destinationOf(script, wallet);
    if (d === undefined) return undefined;
    addresses.set(d.key, d.address);
    return d.key;
  };
  const groupings: Set<string>[] = [];
  for (const wtx of wallet.transactions()) {
    if (wtx.tx.inputs.length > 0) {
      const grouping = new Set<string>();
      let anyMine = false;
      for (const input of wtx.tx.inputs) {
        const prev = wallet.getTx(reverseHex(input.prevout.txid));
        const out = prev?.tx.outputs[input.prevout.vout];
        if (out === undefined || !wallet.isMine(out.scriptPubKey)) continue;
        const key = keyOf(out.scriptPubKey);
        if (key === undefined) continue;
        grouping.add(key);
        anyMine = true;
      }
      if (anyMine) {
        for (const out of wtx.tx.outputs) {
          if (!wallet.isChange(out)) continue;
          const key = keyOf(out.scriptPubKey);
          if (key !== undefined) grouping.add(key);
        }
      }
      if (grouping.size > 0) groupings.push(grouping);
    }
    for (const out of wtx.tx.outputs) {
      if (!wallet.isMine(out.scriptPubKey)) continue;
      const key = keyOf(out.scriptPubKey);
      if (key !== undefined) groupings.push(new Set([key]));
    }
  }
  // Merge groups sharing an address (Core's union of hit groups).
  const groupOf = new Map<string, Set<string>>();
  const unique = new Set<Set<string>>();
  for (const grouping of groupings) {
    const merged = new Set(grouping);
    for (const key of grouping) {
      const hit = groupOf.get(key);
      if (hit === undefined || !unique.has(hit)) continue;
      for (const k of hit) merged.add(k);
      unique.delete(hit);
    }
    unique.add(merged);
    for (const k of merged) groupOf.set(k, merged);
  }
  const groups = [...unique].map((g) => [...g].sort()).sort(compareKeys);
  return { groups, addresses };
}

/** Core's `GetAddressBalances`: unspent trusted, mature amounts by destination key (see addressGroupings). */
export function addressBalances(wallet: WalletCore): Map<string, bigint> {
  const balances = new Map<string, bigint>();
  const cache = new ReceiveCache();
  for (const txo of wallet.txos()) {
    const wtx = txo.wtx;
    if (!cachedTxIsTrusted(wallet, wtx, cache)) continue;
    if (isImmatureCoinBase(wallet, wtx)) continue;
    if (wallet.depth(wtx) < (cachedTxIsFromMe(wallet, wtx, cache) ? 0 : 1)) continue;
    const d = destinationOf(txo.txout.scriptPubKey, wallet);
    if (d === undefined) continue;
    const n = wallet.isSpent(txo.outpoint) ? 0n : txo.txout.value;
    balances.set(d.key, (balances.get(d.key) ?? 0n) + n);
  }
  return balances;
}

/** Core's `IsBDBFile`: at least 4 KiB with the Berkeley DB btree magic at offset 12. */
async function isBdbFile(path: string): Promise<boolean> {
  let file: Deno.FsFile | undefined;
  try {
    const info = await Deno.stat(path);
    if (!info.isFile || info.size < 4096) return false;
    file = await Deno.open(path, { read: true });
    const head = new Uint8Array(16);
    let got = 0;
    while (got < 16) {
      const n = await file.read(head.subarray(got));
      if (n === null) return false;
      got += n;
    }
    const magic = toHex(head.subarray(12, 16));
    return magic === "00053162" || magic === "62310500";
  } catch {
    return false;
  } finally {
    file?.close();
  }
}

/** The methods of this group. */
export function walletExtraMethods(ctx: WalletRpcContext): RpcMethod[] {
  return [{
    name: "setwalletflag",
    category: "wallet",
    description: "Change the state of the given wallet flag for a wallet.\n",
    args: [
      {
        names: "flag",
        type: "str",
        description: `The name of the flag to change. Current available flags: ${
          MUTABLE_WALLET_FLAGS.join(", ")
        }`,
      },
      { names: "value", type: "bool", fallback: { default: true }, description: "The new state." },
    ],
    results: [{
      type: "obj",
      inner: [
        { type: "str", key: "flag_name", description: "The name of the flag that was modified" },
        { type: "bool", key: "flag_state", description: "The new state of the flag" },
        {
          type: "str",
          key: "warnings",
          optional: true,
          description: "Any warnings associated with the change",
        },
      ],
    }],
    examples: helpExampleCli("setwalletflag", "avoid_reuse") +
      helpExampleRpc("setwalletflag", '"avoid_reuse"'),
    handler: async (params, call) => {
      const w = ctx.walletFor(call);
      const flag = getStr(params[0]);
      const value = params[1] === undefined || params[1] === null || getBool(params[1]);
      if (!WALLET_FLAG_NAMES.includes(flag)) {
        throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, `Unknown wallet flag: ${flag}`);
      }
      if (!MUTABLE_WALLET_FLAGS.includes(flag)) {
        throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, `Wallet flag is immutable: ${flag}`);
      }
      if (w.hasFlag("avoid_reuse") === value) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          `Wallet flag is already set to ${value}: ${flag}`,
        );
      }
      await w.setFlag("avoid_reuse", value);
      const res: Record<string, JsonValue> = { flag_name: flag, flag_state: value };
      if (value) res.warnings = AVOID_REUSE_CAVEAT;
      return res;
    },
  }, {
    name: "keypoolrefill",
    category: "wallet",
    description: "Refills each descriptor keypool in the wallet up to the specified number of new keys.\n" +
      `By default, descriptor wallets have 4 active ranged descriptors (${ALL_OUTPUT_TYPES_TEXT}), each with ` +
      `${DEFAULT_KEYPOOL_SIZE} entries.\n` + HELP_REQUIRING_PASSPHRASE,
    args: [{
      names: "newsize",
      type: "num",
      fallback: { hint: `${DEFAULT_KEYPOOL_SIZE}, or as set by -keypool` },
      description: "The new keypool size",
    }],
    results: [{ type: "none", description: "" }],
    examples: helpExampleCli("keypoolrefill", "") + helpExampleRpc("keypoolrefill", ""),
    handler: async (params, call) => {
      const w = ctx.walletFor(call);
      let size = 0;
      if (params[0] !== undefined && params[0] !== null) {
        size = getInt(params[0]);
        if (size < 0) {
          throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Invalid parameter, expected valid size.");
        }
      }
      ensureWalletIsUnlocked(w);
      const total = await w.topUpKeyPool(size);
      if (total < size) throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, "Error refreshing keypool.");
      return null;
    },
  }, {
    name: "listaddressgroupings",
    category: "wallet",
    description: "Lists groups of addresses which have had their common ownership\n" +
      "made public by common use as inputs or as the resulting change\n" +
      "in past transactions\n",
    args: [],
    results: [{
      type: "arr",
      inner: [{
        type: "arr",
        inner: [{
          type: "arr_fixed",
          inner: [
            { type: "str", key: "address", description: "The bitcoin address" },
            { type: "str_amount", key: "amount", description: `The amount in ${CURRENCY_UNIT}` },
            { type: "str", key: "label", optional: true, description: "The label" },
          ],
        }],
      }],
    }],
    examples: helpExampleCli("listaddressgroupings", "") + helpExampleRpc("listaddressgroupings", ""),
    handler: async (_params, call) => {
      const w = ctx.walletFor(call);
      await w.blockUntilSyncedToCurrentChain();
      return w.withLock(() => {
        const balances = addressBalances(w);
        const { groups, addresses } = addressGroupings(w);
        return groups.map((group) =>
          group.map((key) => {
            const address = addresses.get(key)!;
            const info: JsonValue[] = [address, valueFromAmount(balances.get(key) ?? 0n)];
            const entry = findAddressBookEntry(w, address);
            if (entry !== undefined) info.push(entry.label ?? "");
            return info;
          })
        );
      });
    },
  }, {
    name: "simulaterawtransaction",
    category: "wallet",
    description:
      "Calculate the balance change resulting in the signing and broadcasting of the given transaction(s).\n",
    args: [
      {
        names: "rawtxs",
        type: "arr",
        fallback: "omitted",
        description: "An array of hex strings of raw transactions.\n",
        inner: [{ names: "rawtx", type: "str_hex", fallback: "omitted", description: "" }],
      },
      {
        names: "options",
        type: "obj_named_params",
        fallback: "omitted",
        description: "",
        inner: [deprecatedWatchonlyArg("include_watchonly")],
      },
    ],
    results: [{
      type: "obj",
      inner: [{
        type: "str_amount",
        key: "balance_change",
        description: "The wallet balance change (negative means decrease).",
      }],
    }],
    examples: helpExampleCli("simulaterawtransaction", '["myhex"]') +
      helpExampleRpc("simulaterawtransaction", '["myhex"]'),
    handler: (params, call) => {
      const w = ctx.walletFor(call);
      return w.withLock(async () => {
        const txs = getArray(params[0] ?? null);
        let changes = 0n;
        /** Outputs made by earlier transactions of the array (value when mine, else 0). */
        const newUtxos = new Map<string, bigint>();
        const spent = new Set<string>();
        for (const item of txs) {
          const tx = decodeHexTx(getStr(item));
          if (tx === null) {
            throw new RpcError(
              RpcErrorCode.RPC_DESERIALIZATION_ERROR,
              "Transaction hex string decoding failure.",
            );
          }
          const prevouts = tx.inputs.map((i) => ({ txid: reverseHex(i.prevout.txid), vout: i.prevout.vout }));
          const coins = prevouts.length === 0 ? [] : await w.chain.findCoins(prevouts);
          tx.inputs.forEach((input, i) => {
            const key = `${prevouts[i].txid}:${prevouts[i].vout}`;
            if (spent.has(key)) {
              throw new RpcError(
                RpcErrorCode.RPC_INVALID_PARAMETER,
                "Transaction(s) are spending the same output more than once",
              );
            }
            const made = newUtxos.get(key);
            if (made !== undefined) {
              changes -= made;
              newUtxos.delete(key);
            } else {
              if (coins[i] === null) {
                throw new RpcError(
                  RpcErrorCode.RPC_INVALID_PARAMETER,
                  "One or more transaction inputs are missing or have been spent already",
                );
              }
              changes -= w.getTxo(input.prevout)?.txout.value ?? 0n;
            }
            spent.add(key);
          });
          const id = reverseHex(txidOf(tx));
          tx.outputs.forEach((out, vout) => {
            const value = w.isMine(out.scriptPubKey) ? out.value : 0n;
            newUtxos.set(`${id}:${vout}`, value);
            changes += value;
          });
        }
        return { balance_change: valueFromAmount(changes) };
      });
    },
  }, {
    name: "migratewallet",
    category: "wallet",
    description: "Migrate the wallet to a descriptor wallet.\n" +
      "A new wallet backup will need to be made.\n" +
      "\nThe migration process will create a backup of the wallet before migrating. This backup\n" +
      "file will be named <wallet name>-<timestamp>.legacy.bak and can be found in the directory\n" +
      "for this wallet. In the event of an incorrect migration, the backup can be restored using restorewallet." +
      "\nEncrypted wallets must have the passphrase provided as an argument to this call.\n" +
      "\nThis RPC may take a long time to complete. Increasing the RPC client timeout is recommended.",
    args: [
      {
        names: "wallet_name",
        type: "str",
        fallback: { hint: "the wallet name from the RPC endpoint" },
        description:
          "The name of the wallet to migrate. If provided both here and in the RPC endpoint, the two must be identical.",
      },
      { names: "passphrase", type: "str", fallback: "omitted", description: "The wallet passphrase" },
      {
        names: "load_wallet",
        type: "bool",
        fallback: { default: true },
        description: "Load the wallet after migration.",
      },
    ],
    results: [{
      type: "obj",
      inner: [
        { type: "str", key: "wallet_name", description: "The name of the primary migrated wallet" },
        {
          type: "str",
          key: "watchonly_name",
          optional: true,
          description: "The name of the migrated wallet containing the watchonly scripts",
        },
        {
          type: "str",
          key: "solvables_name",
          optional: true,
          description: "The name of the migrated wallet containing solvable but not watched scripts",
        },
        { type: "str", key: "backup_path", description: "The location of the backup of the original wallet" },
      ],
    }],
    examples: helpExampleCli("migratewallet", "") + helpExampleRpc("migratewallet", ""),
    handler: async (params, call) => {
      const name = ensureUniqueWalletName(
        call,
        params[0] === undefined || params[0] === null ? undefined : getStr(params[0]),
      );
      if (params[1] !== undefined && params[1] !== null) getStr(params[1]);
      if (params[2] !== undefined && params[2] !== null) getBool(params[2]);
      const fail = (message: string) => new RpcError(RpcErrorCode.RPC_WALLET_ERROR, message);
      // Every wallet that can be loaded is a descriptor wallet: nothing to migrate.
      if (ctx.wallets.getWallet(name) !== undefined) {
        throw fail("Error: This wallet is already a descriptor wallet");
      }
      let path: string;
      try {
        path = await ctx.wallets.walletPath(name);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        throw fail(message.replace(/^Wallet file verification failed\. /, ""));
      }
      const info = await Deno.stat(path).catch(() => null);
      if (info === null) throw fail("Error: Wallet does not exist");
      const dataFile = info.isFile ? path : `${path}/wallet.dat`;
      if (!await isBdbFile(dataFile)) throw fail("Error: This wallet is already a descriptor wallet");
      throw fail(
        `Error: ${dataFile} is a legacy (Berkeley DB) wallet: this program cannot read Berkeley DB wallets, ` +
          "so it cannot migrate them. Migrate it with Bitcoin Core's migratewallet, then import the descriptors " +
          "it lists (listdescriptors true) into a wallet here with importdescriptors",
      );
    },
  }, {
    name: "walletdisplayaddress",
    category: "wallet",
    description: "Display address on an external signer for verification.",
    args: [{ names: "address", type: "str", description: "bitcoin address to display" }],
    results: [{
      type: "obj",
      inner: [{ type: "str", key: "address", description: "The address as confirmed by the signer" }],
    }],
    examples: "",
    handler: (params, call) => {
      const w = ctx.walletFor(call);
      const text = getStr(params[0]);
      if (!isDecodedDestination(decodeDestination(text, w.network))) {
        throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, "Invalid address");
      }
      // Core's DisplayAddress asks the external signer of the address's descriptor; wallets here have none
      // (createwallet refuses external_signer), so no descriptor of the wallet can show it.
      throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "There is no ScriptPubKeyManager for this address");
    },
  }];
}
