/**
 * `tsbtc wallet`: the wallet process. It runs sandboxed (files only under its wallets directory, no network,
 * no processes, no environment) and serves Init over IPC — on its stdin/stdout when a node spawns it
 * (`-ipcfd`: the node calls `makeWalletLoader(chain)` and drives the loader), or attached to a running node with
 * `-ipcconnect` (it asks the node's Init for a `Chain` with `makeChain` and drives its own loader). Either way
 * it registers its RPC methods with the node through `Chain.handleRpc` (`wallet/loader.ts`).
 *
 * @module
 */
import { makeProcessInit } from "../interfaces/process_init.ts";
import { parseIpcAddress } from "../ipc/address.ts";
import { IpcConnection } from "../ipc/connection.ts";
import { connectIpc } from "../ipc/listener.ts";
import { type ByteStream, stdioStream } from "../ipc/process.ts";
import { bootstrapInit, serveInit } from "../ipc/proxies/init.ts";
import type { Chain } from "../interfaces/chain.ts";
import type { WalletLoader } from "../interfaces/wallet_loader.ts";
import { makeWalletLoader } from "../wallet/loader.ts";
import { effectivePermissions } from "../sandbox/effective.ts";
import { loggerFromArgs } from "../util/logging.ts";
import type { RunContext } from "./run_mode.ts";
import { startArgs } from "./startup.ts";
import { startWalletRpcServer, walletServesRpc } from "./wallet_server.ts";
import { isWalletToolArgv, walletToolMain } from "./wallet_tool.ts";
import type { RpcServer } from "../rpc/server.ts";

/** Runs the wallet process; resolves with the exit status. */
export async function walletMain(argv: string[], ctx: RunContext): Promise<number> {
  // A command word (create, info, dump, createfromdump) selects the offline wallet tool (cli/wallet_tool.ts).
  if (isWalletToolArgv(argv)) return await walletToolMain(argv, ctx);
  const spawned = argv.some((a) => /^--?ipcfd=/.test(a));
  // Core's bitcoin-wallet without a command (what `tsbtc wallet` by hand without -ipcconnect is too).
  const noMethod = "No method provided. Run `bitcoin-wallet -help` for valid methods.";
  const args = await startArgs("wallet", spawned ? [...argv, "-nodebuglogfile"] : argv, {
    readConfig: !spawned && !ctx.resolved,
  });
  if (typeof args === "number") {
    if (args !== 0 && !spawned && !argv.some((a) => /^--?ipcconnect=/.test(a))) console.error(noMethod);
    return args;
  }
  const connect = args.getArg("-ipcconnect");
  if (!spawned && (connect === null || connect === undefined)) {
    console.error(
      "Error: tsbtc wallet runs as a node's wallet process: it is spawned by tsbtc node, or attaches to a " +
        "running node with -ipcconnect=unix[:<path>] or -ipcconnect=tcp:<host>:<port>; as the offline wallet " +
        `tool it takes a command (info, create, dump, createfromdump).\n${noMethod}`,
    );
    return 1;
  }
  if (spawned && Deno.stdin.isTerminal()) {
    console.error("Error: -ipcfd is set by the process that spawns tsbtc wallet; it cannot be used by hand");
    return 1;
  }
  const name = "tsbtc-wallet";
  if (!spawned && !args.isSet("-debuglogfile")) {
    // A wallet started by hand may write only under its wallets directory: its log lives there.
    const dir = args.getArg("-walletdir");
    args.forceSetArg(
      "-debuglogfile",
      `${dir ? args.absPathForConfigVal(dir) : `${args.netDataDir}/wallets`}/debug.log`,
    );
  }
  const logger = loggerFromArgs(args, { processName: name, consoleStream: "stderr" });
  let stream: ByteStream;
  if (spawned) stream = stdioStream();
  else {
    const addr = parseIpcAddress(connect!, { netDataDir: args.netDataDir });
    const cookie = args.getArg("-ipccookiefile");
    stream = await connectIpc(addr, {
      cookieFile: cookie
        ? args.absPathForConfigVal(cookie)
        : addr.kind === "tcp"
        ? `${args.netDataDir}/ipc.cookie`
        : undefined,
    });
    logger.info(`Connected to node at ${addr.text}`);
  }
  const walletDirArg = args.getArg("-walletdir");
  const walletDir = walletDirArg ? args.absPathForConfigVal(walletDirArg) : `${args.netDataDir}/wallets`;
  const loaderFor = (chain: Chain) =>
    makeWalletLoader({
      chain,
      walletDir,
      walletDirGiven: walletDirArg !== undefined && walletDirArg !== null,
      network: args.network,
      args,
      logger,
    });
  let conn: IpcConnection | null = null;
  const init = makeProcessInit({
    mode: "wallet",
    name,
    sandbox: ctx.sandbox,
    permissions: () => effectivePermissions(ctx.profile),
    makeWalletLoader: loaderFor,
    onShutdown: () => setTimeout(() => conn?.close(), 0),
  });
  conn = new IpcConnection(stream, { name, bootstrap: serveInit(init), logger });
  let loader: WalletLoader | null = null;
  let server: RpcServer | null = null;
  const onSignal = () => {
    // Withdraw our RPC methods from the node before leaving.
    void (loader?.stop() ?? Promise.resolve()).catch(() => {}).finally(() => conn?.close());
  };
  if (!spawned) {
    Deno.addSignalListener("SIGINT", onSignal);
    Deno.addSignalListener("SIGTERM", onSignal);
  }
  try {
    if (!spawned) {
      // Attached by hand: the node's Init gives us its Chain; we drive our own loader.
      const node = bootstrapInit(conn, { threadName: `${name}-${Deno.pid}` });
      const attached = loaderFor(node.makeChain());
      loader = attached;
      try {
        await loader.registerRpcs();
        if (!await loader.verify() || !await loader.load()) {
          console.error("Error: the wallets could not be verified or loaded");
          await conn.close();
          return 1;
        }
        await loader.start();
        logger.info("Wallet RPC methods registered with the node");
      } catch (e) {
        console.error(`Error: cannot attach to the node: ${e instanceof Error ? e.message : e}`);
        await conn.close();
        return 1;
      }
      if (walletServesRpc(args)) {
        // -server: serve the wallet's RPC methods ourselves too (cli/wallet_server.ts).
        try {
          server = await startWalletRpcServer({
            args,
            walletTable: attached.table,
            walletDir,
            shutdown: onSignal,
            logger,
          });
        } catch (e) {
          console.error(`Error: ${e instanceof Error ? e.message : e}`);
          await loader.stop().catch(() => {});
          await conn.close();
          return 1;
        }
      }
    }
    await conn.closed;
    await server?.stop().catch(() => {});
    await loader?.close().catch(() => {});
  } finally {
    if (!spawned) {
      Deno.removeSignalListener("SIGINT", onSignal);
      Deno.removeSignalListener("SIGTERM", onSignal);
    }
    logger.close();
  }
  return 0;
}
