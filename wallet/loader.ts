/**
 * The wallet process's {@linkcode WalletLoader} (Core's `WalletLoaderImpl`): it talks to the node only through
 * the node's {@linkcode Chain}, registers its RPC methods there (`handleRpc`: the node forwards them, with their
 * `/wallet/<name>` URI, to this process's own RPC table), checks `-walletdir`, and reads the wallets to load from
 * `-wallet` and settings.json through the Chain.
 *
 * Descriptor wallets themselves (create/load, keys, balances) are not built yet: this process loads no wallet,
 * and serves what a wallet process without wallets really answers — `listwallets` (`[]`) and `getwalletinfo`
 * (Core's -18 "No wallet is loaded…" / "Requested wallet does not exist or is not loaded").
 *
 * @module
 */
import type { Chain, Handler, RpcCommandSpec } from "../interfaces/chain.ts";
import type { Rpc } from "../interfaces/rpc.ts";
import type { WalletLoader } from "../interfaces/wallet_loader.ts";
import { RpcError, RpcErrorCode } from "../rpc/errors.ts";
import { helpExampleCli, helpExampleRpc } from "../rpc/help.ts";
import type { JsonValue } from "../rpc/json.ts";
import { type RpcCallContext, type RpcMethod, RpcTable } from "../rpc/table.ts";
import type { Logger } from "../util/logging.ts";

/** Options of {@linkcode makeWalletLoader}. */
export interface WalletLoaderOptions {
  /** The node's chain. */
  chain: Chain;
  /** The wallets directory (absolute). */
  walletDir: string;
  /** Whether `-walletdir` was given (Core checks a given one; the default one is created). */
  walletDirGiven: boolean;
  /** Logger of the wallet process. */
  logger?: Logger;
}

/** A loaded wallet as the RPC layer sees it (none are loaded until descriptor wallets exist). */
export interface LoadedWallet {
  /** The wallet's name ("" for the default wallet). */
  readonly name: string;
}

/** Core's `GetWalletForJSONRPCRequest`: the wallet a request is for, or Core's -18/-19 error. */
export function walletForRequest(wallets: readonly LoadedWallet[], ctx: Pick<RpcCallContext, "walletName">) {
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

/** The wallet RPC methods this process serves, over the loaded wallets. */
export function walletProcessMethods(wallets: () => readonly LoadedWallet[]): RpcMethod[] {
  return [{
    name: "listwallets",
    category: "wallet",
    description:
      'Returns a list of currently loaded wallets.\nFor full information on the wallet, use "getwalletinfo"\n',
    args: [],
    results: [{ type: "arr", inner: [{ type: "str", key: "walletname", description: "the wallet name" }] }],
    examples: helpExampleCli("listwallets", "") + helpExampleRpc("listwallets", ""),
    handler: () => wallets().map((w) => w.name),
  }, {
    name: "getwalletinfo",
    category: "wallet",
    description: "Returns an object containing various wallet state info.\n",
    args: [],
    results: [{
      type: "obj",
      inner: [
        { type: "str", key: "walletname", description: "the wallet name" },
        { type: "str", key: "format", description: "the database format" },
        { type: "num", key: "txcount", description: "the total number of transactions in the wallet" },
        {
          type: "num",
          key: "keypoolsize",
          description: "how many new keys are pre-generated (only counts external keys)",
        },
        {
          type: "bool",
          key: "private_keys_enabled",
          description: "false if privatekeys are disabled for this wallet (enforced watch-only wallet)",
        },
        {
          type: "bool",
          key: "descriptors",
          description: "whether this wallet uses descriptors for output script management",
        },
      ],
    }],
    examples: helpExampleCli("getwalletinfo", "") + helpExampleRpc("getwalletinfo", ""),
    handler: (_params, ctx) => {
      const w = walletForRequest(wallets(), ctx);
      // Unreachable until wallets can be loaded: no loaded wallet has any state to report yet.
      throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, `Wallet "${w.name}" cannot report its state`);
    },
  }];
}

/** Makes the wallet process's loader. */
export function makeWalletLoader(opts: WalletLoaderOptions): WalletLoader & { readonly table: RpcTable } {
  const chain = opts.chain;
  const wallets: LoadedWallet[] = [];
  const table = new RpcTable({ logger: opts.logger });
  const methods = walletProcessMethods(() => wallets);
  table.registerAll(methods);
  let rpcHandler: Handler | null = null;
  let mockTime = 0;
  const rpc: Rpc = {
    executeRpc: async (request, uri, user) => (await table.execute(request, { uri, user })).body,
    close: () => Promise.resolve(),
  };

  /** Wallet names from -wallet and settings.json's load-on-startup list, in Core's order, without repeats. */
  async function requestedWallets(): Promise<string[]> {
    const names: string[] = [];
    const add = (v: JsonValue) => {
      if (typeof v === "string" && !names.includes(v)) names.push(v);
    };
    for (const v of await chain.getSettingsList("wallet")) add(v);
    const rw = await chain.getRwSetting("wallet");
    if (Array.isArray(rw)) { for (const v of rw) add(v); }
    else add(rw);
    return names;
  }

  return {
    table,
    async registerRpcs() {
      if (rpcHandler !== null) return;
      const commands: RpcCommandSpec[] = methods.map((m) => ({
        name: m.name,
        category: m.category,
        description: m.description,
        args: m.args,
        results: m.results,
        examples: m.examples,
      }));
      rpcHandler = await chain.handleRpc(commands, rpc);
    },
    async verify() {
      // Core's VerifyWallets: a -walletdir given must exist, be a directory and be absolute; the default one
      // is created.
      const dir = opts.walletDir;
      if (opts.walletDirGiven) {
        let info: Deno.FileInfo | null = null;
        try {
          info = await Deno.stat(dir);
        } catch {
          info = null;
        }
        const problem = info === null
          ? "does not exist"
          : !info.isDirectory
          ? "is not a directory"
          : !dir.startsWith("/")
          ? "is a relative path"
          : null;
        if (problem !== null) {
          await chain.initError(`Specified -walletdir "${dir}" ${problem}`);
          return false;
        }
      } else {
        await Deno.mkdir(dir, { recursive: true });
      }
      return true;
    },
    async load() {
      for (const name of await requestedWallets()) {
        await chain.initWarning(
          `Wallet "${name}" was not loaded: this tsbtc version cannot load descriptor wallets yet`,
        );
      }
      return true;
    },
    start() {
      // Each loaded wallet follows the chain through its own handleNotifications; none is loaded.
      opts.logger?.info(
        `Wallet process started: ${wallets.length} wallet(s) loaded, wallets directory ${opts.walletDir}`,
      );
      return Promise.resolve();
    },
    async stop() {
      const h = rpcHandler;
      rpcHandler = null;
      await h?.disconnect();
      wallets.length = 0;
    },
    setMockTime(time) {
      mockTime = time;
      opts.logger?.debug("walletdb", `Wallet mock time ${mockTime}`);
      return Promise.resolve();
    },
    getWalletNames: () => Promise.resolve(wallets.map((w) => w.name)),
    async close() {
      await this.stop();
    },
  };
}
