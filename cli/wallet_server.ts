/**
 * The standalone wallet RPC server: `tsbtc wallet -ipcconnect=… -server [-rpcbind=… -rpcallowip=…]
 * -rpcport=…` serves the wallet's RPC methods itself (as well as registering them with its node), over the same
 * HTTP JSON-RPC server the node uses (`rpc/server.ts`), with `help`, `stop` and `uptime` added.
 *
 * Authentication is the node's: `-rpcuser`/`-rpcpassword`, `-rpcauth`, or a cookie. The cookie lives in the
 * wallets directory (`<walletdir>/.cookie`), since the wallet may write nowhere else; a relative
 * `-rpccookiefile` is taken relative to the wallets directory too. The sandbox (`cli/child_profile.ts`) lets
 * the wallet listen on exactly {@linkcode walletRpcListenAddresses} and write the cookie's directory.
 *
 * @module
 */
import type { ArgsLike } from "../rpc/args_like.ts";
import { cookieFilePath } from "../rpc/auth.ts";
import { controlMethods } from "../rpc/methods/control.ts";
import { rpcEndpoints, RpcServer, type RpcServerLogger, serverOptionsFromArgs } from "../rpc/server.ts";
import { RpcTable, tableOptionsFromArgs } from "../rpc/table.ts";

/** Whether the wallet serves RPC itself (`-server`; off unless asked: the node serves wallet RPC already). */
export function walletServesRpc(args: Pick<ArgsLike, "getBool">): boolean {
  return args.getBool("-server", false);
}

/**
 * The `host:port` addresses the standalone wallet listens on (empty without `-server`), in Deno's permission
 * syntax (`[::1]:port` for IPv6). Throws Core's `Invalid port specified in -rpcbind: '…'`.
 */
export function walletRpcListenAddresses(args: ArgsLike): string[] {
  if (!walletServesRpc(args)) return [];
  const opts = serverOptionsFromArgs(args, { table: new RpcTable() });
  return rpcEndpoints(opts).endpoints.map((e) =>
    e.host.includes(":") ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`
  );
}

/**
 * The cookie file of the standalone wallet server (absolute), or null when none is written (`-rpcpassword`,
 * `-norpccookiefile`): `<walletDir>/.cookie` unless `-rpccookiefile` names another (relative to `walletDir`).
 */
export function walletRpcCookiePath(args: ArgsLike, walletDir: string): string | null {
  if (!walletServesRpc(args)) return null;
  const opts = serverOptionsFromArgs(args, { table: new RpcTable() });
  if (opts.rpcPassword) return null;
  return cookieFilePath(walletDir, opts.cookieFile);
}

/** Options of {@linkcode startWalletRpcServer}. */
export interface WalletRpcServerOptions {
  /** The wallet process's arguments. */
  args: ArgsLike;
  /** The wallet loader's RPC table (the methods it serves for the node). */
  walletTable: RpcTable;
  /** The wallets directory (absolute): the cookie's home. */
  walletDir: string;
  /** Called by the `stop` RPC. */
  shutdown: () => void;
  /** Logger. */
  logger?: RpcServerLogger & { debug(category: string, msg: string): void };
}

/**
 * Starts the standalone wallet RPC server: every method of `walletTable` (same handlers, so `/wallet/<name>`
 * works as on the node) plus `help`, `stop` and `uptime`. Throws the server's errors (Core's `Unable to bind
 * any endpoint for RPC server`, …).
 */
export async function startWalletRpcServer(opts: WalletRpcServerOptions): Promise<RpcServer> {
  const table = new RpcTable(tableOptionsFromArgs(opts.args, opts.logger));
  const control = controlMethods({ shutdown: opts.shutdown, clientName: "tsbtc wallet" });
  table.registerAll(control.filter((m) => ["help", "stop", "uptime"].includes(m.name)));
  for (const name of opts.walletTable.list()) {
    const m = opts.walletTable.get(name);
    if (m && !table.get(name)) table.register(m);
  }
  const base = serverOptionsFromArgs(opts.args, { table, logger: opts.logger });
  return await RpcServer.start({ ...base, netDataDir: opts.walletDir });
}
