/**
 * The wallet process's {@linkcode WalletLoader} (Core's `WalletLoaderImpl`): it talks to the node only through
 * the node's {@linkcode Chain}, registers the wallet RPC methods there (`handleRpc`: the node forwards them, with
 * their `/wallet/<name>` URI, to this process's own RPC table), checks `-walletdir` and the wallet options
 * (Core's `VerifyWallets`), loads the wallets named by `-wallet` and settings.json (Core's `LoadWallets`), asks
 * every wallet each minute whether to resend its unconfirmed transactions (Core's `StartWallets` scheduling
 * `MaybeResendWalletTxs`; `mockscheduler` moves that forward), and unloads them on stop.
 *
 * @module
 */
import type { Network } from "../core/chain_params_base.ts";
import type { Chain, Handler, RpcCommandSpec } from "../interfaces/chain.ts";
import type { Rpc } from "../interfaces/rpc.ts";
import type { WalletLoader } from "../interfaces/wallet_loader.ts";
import type { ArgsLike } from "../rpc/args_like.ts";
import { RpcError, RpcErrorCode } from "../rpc/errors.ts";
import type { JsonValue } from "../rpc/json.ts";
import { RpcTable } from "../rpc/table.ts";
import type { Logger } from "../util/logging.ts";
import { WalletContext } from "./context.ts";
import { hasWalletDatabase } from "./db/database.ts";
import { RESEND_CHECK_INTERVAL_MS } from "./resend.ts";
import { walletRpcMethods } from "./rpc/mod.ts";
import { WalletScheduler } from "./scheduler.ts";
import { walletForRequest, type WalletRpcContext } from "./rpc/wallet_util.ts";

export { walletForRequest } from "./rpc/wallet_util.ts";

/** Options of {@linkcode makeWalletLoader}. */
export interface WalletLoaderOptions {
  /** The node's chain. */
  chain: Chain;
  /** The wallets directory (absolute). */
  walletDir: string;
  /** Whether `-walletdir` was given (Core checks a given one; the default one is created). */
  walletDirGiven: boolean;
  /** Network of the wallets (default regtest). */
  network?: Network;
  /** Logger of the wallet process. */
  logger?: Logger;
  /** The wallet process's arguments (its wallet options override the node's settings). */
  args?: ArgsLike;
}

/** The loader, with its RPC table and wallet context (for the standalone server and tests). */
export type WalletProcessLoader = WalletLoader & {
  readonly table: RpcTable;
  readonly context: WalletContext;
};

const VERIFY_PREFIX = "Wallet file verification failed. ";

/** Makes the wallet process's loader. */
export function makeWalletLoader(opts: WalletLoaderOptions): WalletProcessLoader {
  const chain = opts.chain;
  const context = new WalletContext({
    chain,
    walletDir: opts.walletDir,
    network: opts.network ?? "regtest",
    logger: opts.logger,
    args: opts.args,
  });
  const rpcContext: WalletRpcContext = {
    walletFor: (ctx) => walletForRequest(context.wallets, ctx),
    wallets: context,
  };
  const table = new RpcTable({ logger: opts.logger });
  // Until the startup wallets are loaded, calls answer Core's warmup error (as the node's RPC does then).
  let started = false;
  const methods = walletRpcMethods(rpcContext).map((m) => ({
    ...m,
    handler: (params: Parameters<typeof m.handler>[0], call: Parameters<typeof m.handler>[1]) => {
      if (!started) throw new RpcError(RpcErrorCode.RPC_IN_WARMUP, "Loading wallet…");
      return m.handler(params, call);
    },
  }));
  table.registerAll(methods);
  let rpcHandler: Handler | null = null;
  let scheduler: WalletScheduler | null = null;
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
    const given = await chain.getSettingsList("wallet");
    for (const v of given) {
      // Core's VerifyWallets: the same -wallet twice is loaded once, with a warning.
      if (typeof v === "string" && names.includes(v)) {
        await chain.initWarning(`Ignoring duplicate -wallet ${v}.`);
      }
      add(v);
    }
    // Core's GetSettingsList: a negated -nowallet ends the list there (settings.json's list is not read).
    if (given.length === 0 && await chain.getSetting("wallet") === false) return names;
    const rw = await chain.getRwSetting("wallet");
    if (Array.isArray(rw)) { for (const v of rw) add(v); }
    else add(rw);
    // Core's backwards compatibility: with no -wallet and no settings.json list, an unnamed wallet at the top of
    // the wallets directory is loaded.
    if (given.length === 0 && rw === null && await hasWalletDatabase(opts.walletDir)) {
      add("");
      context.implicitWallets = [""];
    }
    return names;
  }

  return {
    table,
    context,
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
      const bad = await context.readSettings();
      if (bad !== null) {
        await chain.initError(bad);
        return false;
      }
      return true;
    },
    async load() {
      for (const name of await requestedWallets()) {
        try {
          const { warnings } = await context.loadWallet(name, null);
          if (warnings.length > 0) await chain.initWarning(warnings.join("\n"));
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          if (e instanceof RpcError && e.code === RpcErrorCode.RPC_WALLET_NOT_FOUND) {
            await chain.initWarning(
              `Skipping -wallet path that doesn't exist. ${message.replace(VERIFY_PREFIX, "")}`,
            );
            continue;
          }
          if (e instanceof RpcError && e.code === RpcErrorCode.RPC_WALLET_ALREADY_LOADED) continue;
          // Core's LoadWallets reports the database error itself (the prefix is the loadwallet RPC's).
          await chain.initError(message.replace(VERIFY_PREFIX, ""));
          return false;
        }
      }
      return true;
    },
    start() {
      started = true;
      scheduler?.stop();
      scheduler = new WalletScheduler((e) => opts.logger?.warn(`Wallet resend failed: ${e}`));
      scheduler.scheduleEvery(async () => {
        for (const w of [...context.wallets]) await w.maybeResendTransactions();
      }, RESEND_CHECK_INTERVAL_MS);
      opts.logger?.info(
        `Wallet process started: ${context.wallets.length} wallet(s) loaded, wallets directory ${opts.walletDir}`,
      );
      return Promise.resolve();
    },
    async stop() {
      const h = rpcHandler;
      rpcHandler = null;
      started = false;
      scheduler?.stop();
      scheduler = null;
      await h?.disconnect();
      await context.unloadAll();
    },
    setMockTime(time) {
      context.setMockTime(time);
      return Promise.resolve();
    },
    async schedulerMockForward(deltaTime) {
      // Core's mockscheduler syncs the validation queue first: the wallets have seen every block (the time of
      // the last one decides what is resent).
      await chain.waitForNotifications();
      await scheduler?.mockForward(deltaTime);
    },
    getWalletNames: () => Promise.resolve(context.wallets.map((w) => w.name)),
    async close() {
      await this.stop();
    },
  };
}
