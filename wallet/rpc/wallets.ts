/**
 * Wallet management RPCs (Core's `wallet/rpc/wallet.cpp` and `backup.cpp` parts): createwallet, loadwallet,
 * unloadwallet, listwallets, listwalletdir, getwalletinfo, backupwallet, restorewallet. Backup paths that are not
 * absolute are taken relative to the wallets directory (the sandboxed wallet process may write only there).
 *
 * @module
 */
import { RpcError, RpcErrorCode } from "../../rpc/errors.ts";
import { helpExampleCli, helpExampleCliNamed, helpExampleRpc, helpExampleRpcNamed } from "../../rpc/help.ts";
import type { JsonObject } from "../../rpc/json.ts";
import type { RpcMethod } from "../../rpc/table.ts";
import { getBool, getStr } from "../../rpc/values.ts";
import { appendLastProcessedBlock } from "../history.ts";
import {
  ensureUniqueWalletName,
  pushWarnings,
  RESULT_LAST_PROCESSED_BLOCK,
  type WalletRpcContext,
} from "./wallet_util.ts";

const LOAD_ON_STARTUP_HELP =
  "Save wallet name to persistent settings and load on startup. True to add wallet to startup list, false to " +
  "remove, null to leave unchanged.";

const WARNINGS_RESULT = (what: string) => ({
  type: "arr" as const,
  key: "warnings",
  optional: true,
  description: `Warning messages, if any, related to ${what}.`,
  inner: [{ type: "str" as const, key: "", description: "" }],
});

/** An optional boolean that may be null (Core's `std::optional<bool>` arguments). */
function optionalBool(value: unknown): boolean | null {
  return value === undefined || value === null ? null : getBool(value);
}

/** The wallet management methods. */
export function walletManagementMethods(ctx: WalletRpcContext): RpcMethod[] {
  return [{
    name: "getwalletinfo",
    category: "wallet",
    description: "Returns an object containing various wallet state info.\n",
    args: [],
    results: [{
      type: "obj",
      inner: [
        { type: "str", key: "walletname", description: "the wallet name" },
        {
          type: "num",
          key: "walletversion",
          description:
            "(DEPRECATED) only related to unsupported legacy wallet, returns the latest version 169900 for backwards compatibility",
        },
        { type: "str", key: "format", description: "the database format (only sqlite)" },
        { type: "num", key: "txcount", description: "the total number of transactions in the wallet" },
        {
          type: "num",
          key: "keypoolsize",
          description: "how many new keys are pre-generated (only counts external keys)",
        },
        {
          type: "num",
          key: "keypoolsize_hd_internal",
          optional: true,
          description:
            "how many new keys are pre-generated for internal use (used for change outputs, only appears if the wallet is using this feature, otherwise external keys are used)",
        },
        {
          type: "num_time",
          key: "unlocked_until",
          optional: true,
          description:
            "the UNIX epoch time until which the wallet is unlocked for transfers, or 0 if the wallet is locked (only present for passphrase-encrypted wallets)",
        },
        {
          type: "bool",
          key: "private_keys_enabled",
          description: "false if privatekeys are disabled for this wallet (enforced watch-only wallet)",
        },
        {
          type: "bool",
          key: "avoid_reuse",
          description: "whether this wallet tracks clean/dirty coins in terms of reuse",
        },
        {
          type: "obj",
          key: "scanning",
          description: "current scanning details, or false if no scan is in progress",
          inner: [
            { type: "num", key: "duration", description: "elapsed seconds since scan start" },
            { type: "num", key: "progress", description: "scanning progress percentage [0.0, 1.0]" },
          ],
        },
        {
          type: "bool",
          key: "descriptors",
          description: "whether this wallet uses descriptors for output script management",
        },
        {
          type: "bool",
          key: "external_signer",
          description:
            "whether this wallet is configured to use an external signer such as a hardware wallet",
        },
        {
          type: "bool",
          key: "blank",
          description: "Whether this wallet intentionally does not contain any keys, scripts, or descriptors",
        },
        {
          type: "num_time",
          key: "birthtime",
          optional: true,
          description:
            "The start time for blocks scanning. It could be modified by (re)importing any descriptor with an earlier timestamp.",
        },
        {
          type: "arr",
          key: "flags",
          description: "The flags currently set on the wallet",
          inner: [{ type: "str", key: "flag", description: "The name of the flag" }],
        },
        RESULT_LAST_PROCESSED_BLOCK,
      ],
    }],
    examples: helpExampleCli("getwalletinfo", "") + helpExampleRpc("getwalletinfo", ""),
    handler: async (_params, call) => {
      const w = ctx.walletFor(call);
      await w.blockUntilSyncedToCurrentChain();
      if (w.scanningState() === null) await w.keypoolReady();
      const kp = w.keypoolSizes();
      const obj: JsonObject = {
        walletname: w.name,
        walletversion: 169900,
        format: "sqlite",
        txcount: w.txCount,
        keypoolsize: kp.external,
        keypoolsize_hd_internal: kp.internal,
      };
      if (w.isCrypted()) obj.unlocked_until = w.unlockedUntil();
      obj.private_keys_enabled = !w.hasFlag("disable_private_keys");
      obj.avoid_reuse = w.hasFlag("avoid_reuse");
      const scan = w.scanningState();
      obj.scanning = scan === null ? false : { duration: scan.duration, progress: scan.progress };
      obj.descriptors = w.hasFlag("descriptor_wallet");
      obj.external_signer = w.hasFlag("external_signer");
      obj.blank = w.hasFlag("blank");
      const birth = w.birthTime();
      if (birth !== undefined) obj.birthtime = birth;
      obj.flags = w.flags();
      appendLastProcessedBlock(w, obj);
      return obj;
    },
  }, {
    name: "listwalletdir",
    category: "wallet",
    description: "Returns a list of wallets in the wallet directory.\n",
    args: [],
    results: [{
      type: "obj",
      inner: [{
        type: "arr",
        key: "wallets",
        description: "",
        inner: [{
          type: "obj",
          description: "",
          inner: [
            { type: "str", key: "name", description: "The wallet name" },
            WARNINGS_RESULT("loading the wallet"),
          ],
        }],
      }],
    }],
    examples: helpExampleCli("listwalletdir", "") + helpExampleRpc("listwalletdir", ""),
    handler: async () => ({
      wallets: (await ctx.wallets.listWalletDir()).map((name) => ({ name, warnings: [] })),
    }),
  }, {
    name: "listwallets",
    category: "wallet",
    description:
      'Returns a list of currently loaded wallets.\nFor full information on the wallet, use "getwalletinfo"\n',
    args: [],
    results: [{ type: "arr", inner: [{ type: "str", key: "walletname", description: "the wallet name" }] }],
    examples: helpExampleCli("listwallets", "") + helpExampleRpc("listwallets", ""),
    handler: () => ctx.wallets.wallets.map((w) => w.name),
  }, {
    name: "loadwallet",
    category: "wallet",
    description: "Loads a wallet from a wallet file or directory." +
      "\nNote that all wallet command-line options used when starting bitcoind will be" +
      "\napplied to the new wallet.\n",
    args: [
      {
        names: "filename",
        type: "str",
        description:
          'The path to the directory of the wallet to be loaded, either absolute or relative to the "wallets" directory. The "wallets" directory is set by the -walletdir option and defaults to the "wallets" folder within the data directory.',
      },
      { names: "load_on_startup", type: "bool", fallback: "omitted", description: LOAD_ON_STARTUP_HELP },
    ],
    results: [{
      type: "obj",
      inner: [
        { type: "str", key: "name", description: "The wallet name if loaded successfully." },
        WARNINGS_RESULT("loading the wallet"),
      ],
    }],
    examples: "\nLoad wallet from the wallet dir:\n" +
      helpExampleCli("loadwallet", '"walletname"') + helpExampleRpc("loadwallet", '"walletname"') +
      "\nLoad wallet using absolute path (Unix):\n" +
      helpExampleCli("loadwallet", '"/path/to/walletname/"') +
      helpExampleRpc("loadwallet", '"/path/to/walletname/"') +
      "\nLoad wallet using absolute path (Windows):\n" +
      helpExampleCli("loadwallet", '"DriveLetter:\\path\\to\\walletname\\"') +
      helpExampleRpc("loadwallet", '"DriveLetter:\\path\\to\\walletname\\"'),
    handler: async (params) => {
      const name = getStr(params[0]);
      const { wallet, warnings } = await ctx.wallets.loadWallet(name, optionalBool(params[1]));
      const obj: JsonObject = { name: wallet.name };
      pushWarnings(warnings, obj);
      return obj;
    },
  }, {
    name: "createwallet",
    category: "wallet",
    description: "Creates and loads a new wallet.\n",
    args: [
      {
        names: "wallet_name",
        type: "str",
        description:
          "The name for the new wallet. If this is a path, the wallet will be created at the path location.",
      },
      {
        names: "disable_private_keys",
        type: "bool",
        fallback: { default: false },
        description: "Disable the possibility of private keys (only watchonlys are possible in this mode).",
      },
      {
        names: "blank",
        type: "bool",
        fallback: { default: false },
        description: "Create a blank wallet. A blank wallet has no keys.",
      },
      {
        names: "passphrase",
        type: "str",
        fallback: "omitted",
        description: "Encrypt the wallet with this passphrase.",
      },
      {
        names: "avoid_reuse",
        type: "bool",
        fallback: { default: false },
        description:
          "Keep track of coin reuse, and treat dirty and clean coins differently with privacy considerations in mind.",
      },
      {
        names: "descriptors",
        type: "bool",
        fallback: { default: true },
        description: 'If set, must be "true"',
      },
      { names: "load_on_startup", type: "bool", fallback: "omitted", description: LOAD_ON_STARTUP_HELP },
      {
        names: "external_signer",
        type: "bool",
        fallback: { default: false },
        description:
          "Use an external signer such as a hardware wallet. Requires -signer to be configured. Wallet creation will fail if keys cannot be fetched. Requires disable_private_keys and descriptors set to true.",
      },
    ],
    results: [{
      type: "obj",
      inner: [
        {
          type: "str",
          key: "name",
          description:
            "The wallet name if created successfully. If the wallet was created using a full path, the wallet_name will be the full path.",
        },
        WARNINGS_RESULT("creating and loading the wallet"),
      ],
    }],
    examples: helpExampleCli("createwallet", '"testwallet"') +
      helpExampleRpc("createwallet", '"testwallet"') +
      helpExampleCliNamed("createwallet", [["wallet_name", "descriptors"], ["avoid_reuse", true], [
        "load_on_startup",
        true,
      ]]) +
      helpExampleRpcNamed("createwallet", [["wallet_name", "descriptors"], ["avoid_reuse", true], [
        "load_on_startup",
        true,
      ]]),
    handler: async (params, call) => {
      const name = getStr(params[0]);
      const disablePrivateKeys = optionalBool(params[1]) === true;
      const blank = optionalBool(params[2]) === true;
      const warnings: string[] = [];
      let passphrase = "";
      if (params[3] !== undefined && params[3] !== null) {
        passphrase = getStr(params[3]);
        if (passphrase === "") {
          warnings.push("Empty string given as passphrase, wallet will not be encrypted.");
        }
      }
      const avoidReuse = optionalBool(params[4]) === true;
      if (call.arg("descriptors") !== true) {
        throw new RpcError(
          RpcErrorCode.RPC_WALLET_ERROR,
          'descriptors argument must be set to "true"; it is no longer possible to create a legacy wallet.',
        );
      }
      if (optionalBool(params[7]) === true) {
        throw new RpcError(
          RpcErrorCode.RPC_WALLET_ERROR,
          "Compiled without external signing support (required for external signing)",
        );
      }
      const { wallet, warnings: more } = await ctx.wallets.createWallet(name, optionalBool(params[6]), {
        disablePrivateKeys,
        blank,
        avoidReuse,
        passphrase,
      });
      const obj: JsonObject = { name: wallet.name };
      pushWarnings([...warnings, ...more], obj);
      return obj;
    },
  }, {
    name: "unloadwallet",
    category: "wallet",
    description: "Unloads the wallet referenced by the request endpoint or the wallet_name argument.\n" +
      "If both are specified, they must be identical.",
    args: [
      {
        names: "wallet_name",
        type: "str",
        fallback: { hint: "the wallet name from the RPC endpoint" },
        description:
          "The name of the wallet to unload. If provided both here and in the RPC endpoint, the two must be identical.",
      },
      { names: "load_on_startup", type: "bool", fallback: "omitted", description: LOAD_ON_STARTUP_HELP },
    ],
    results: [{ type: "obj", inner: [WARNINGS_RESULT("unloading the wallet")] }],
    examples: helpExampleCli("unloadwallet", "wallet_name") + helpExampleRpc("unloadwallet", "wallet_name"),
    handler: async (params, call) => {
      const name = ensureUniqueWalletName(
        call,
        params[0] === undefined || params[0] === null ? undefined : getStr(params[0]),
      );
      const wallet = ctx.wallets.getWallet(name);
      if (wallet === undefined) {
        throw new RpcError(
          RpcErrorCode.RPC_WALLET_NOT_FOUND,
          "Requested wallet does not exist or is not loaded",
        );
      }
      if (wallet.scanningState() !== null) {
        throw new RpcError(
          RpcErrorCode.RPC_WALLET_ERROR,
          "Wallet is currently rescanning. Abort existing rescan or wait.",
        );
      }
      const warnings = await ctx.wallets.unloadWallet(wallet, optionalBool(params[1]));
      const obj: JsonObject = {};
      pushWarnings(warnings, obj);
      return obj;
    },
  }, {
    name: "backupwallet",
    category: "wallet",
    description:
      "Safely copies the current wallet file to the specified destination, which can either be a directory or a path with a filename.\n",
    args: [{ names: "destination", type: "str", description: "The destination directory or file" }],
    results: [{ type: "none", description: "" }],
    examples: helpExampleCli("backupwallet", '"backup.dat"') + helpExampleRpc("backupwallet", '"backup.dat"'),
    handler: async (params, call) => {
      const w = ctx.walletFor(call);
      await w.blockUntilSyncedToCurrentChain();
      const dest = ctx.wallets.resolvePath(getStr(params[0]));
      try {
        const loaded = await Promise.all(
          ctx.wallets.wallets.map((x) => Deno.realPath(x.db.path).catch(() => x.db.path)),
        );
        await w.backup(dest, (real) => loaded.includes(real));
      } catch (e) {
        ctx.wallets.logger?.warn(
          `[${w.name}] Backup to ${dest} failed: ${e instanceof Error ? e.message : e}`,
        );
        throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, "Error: Wallet backup failed!");
      }
      return null;
    },
  }, {
    name: "restorewallet",
    category: "wallet",
    description: "Restores and loads a wallet from backup.\n" +
      "\nThe rescan is significantly faster if block filters are available" +
      '\n(using startup option "-blockfilterindex=1").\n',
    args: [
      {
        names: "wallet_name",
        type: "str",
        description: "The name that will be applied to the restored wallet",
      },
      {
        names: "backup_file",
        type: "str",
        description: "The backup file that will be used to restore the wallet.",
      },
      { names: "load_on_startup", type: "bool", fallback: "omitted", description: LOAD_ON_STARTUP_HELP },
    ],
    results: [{
      type: "obj",
      inner: [
        { type: "str", key: "name", description: "The wallet name if restored successfully." },
        WARNINGS_RESULT("restoring and loading the wallet"),
      ],
    }],
    examples: helpExampleCli("restorewallet", '"testwallet" "home\\backups\\backup-file.bak"') +
      helpExampleRpc("restorewallet", '"testwallet" "home\\backups\\backup-file.bak"') +
      helpExampleCliNamed("restorewallet", [["wallet_name", "testwallet"], [
        "backup_file",
        'home\\backups\\backup-file.bak"',
      ], ["load_on_startup", true]]) +
      helpExampleRpcNamed("restorewallet", [["wallet_name", "testwallet"], [
        "backup_file",
        'home\\backups\\backup-file.bak"',
      ], ["load_on_startup", true]]),
    handler: async (params) => {
      const { wallet, warnings } = await ctx.wallets.restoreWallet(
        getStr(params[0]),
        getStr(params[1]),
        optionalBool(params[2]),
      );
      const obj: JsonObject = { name: wallet.name };
      pushWarnings(warnings, obj);
      return obj;
    },
  }];
}
