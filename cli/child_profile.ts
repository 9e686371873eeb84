/**
 * The permission profile of a component, computed from its own arguments with the same
 * {@linkcode profileFor} a parent uses for `--allow-*` flags. Used where a process narrows itself in a Worker:
 * a child of a compiled binary (or one started with `-sandbox=worker`), and every component started by hand.
 *
 * @module
 */
import { parseIpcAddress } from "../ipc/address.ts";
import { type Component, type PermissionProfile, profileFor } from "../sandbox/profile.ts";
import { ArgsManager } from "./args.ts";
import { isMode, optionsFor } from "./options.ts";
import { walletRpcCookiePath, walletRpcListenAddresses } from "./wallet_server.ts";
import {
  absoluteDumpfileArgv,
  dataDirUsable,
  isWalletToolArgv,
  splitWalletToolArgv,
  walletToolFiles,
} from "./wallet_tool.ts";

function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/** The permission profile of `mode` started with `argv`. Throws `ArgsError` for arguments that do not parse. */
export async function childProfile(mode: string, argv: readonly string[]): Promise<PermissionProfile> {
  if (mode === "echo") return profileFor("echo", { dataDir: "/", netDataDir: "/" });
  if (!isMode(mode) || mode === "rpc") throw new Error(`Cannot sandbox mode "${mode}": not a component`);
  const args = ArgsManager.parse(mode, argv);
  // Resolved settings (-noconf) need no config file; the network then comes from -chain.
  if (!argv.includes("-noconf")) await args.readConfigFiles();
  return profileFromArgs(mode as Component, args);
}

/** The permission profile of component `mode` with parsed, config-read `args`. */
export function profileFromArgs(mode: Component, args: ArgsManager): PermissionProfile {
  const net = args.netDataDir;
  const abs = (p: string) => args.absPathForConfigVal(p);
  const walletDirArg = args.getArg("-walletdir");
  const walletDir = walletDirArg ? abs(walletDirArg) : `${net}/wallets`;
  // Files a component may be told to put outside its data directory.
  const files: string[] = [];
  for (const opt of ["-debuglogfile", "-rpccookiefile", "-ipccookiefile"]) {
    const v = args.getArg(opt);
    if (v && !args.isNegated(opt)) files.push(dirOf(abs(v)));
  }
  const walletNet: string[] = [];
  let tcp = false;
  const ipcPaths: string[] = [];
  for (const opt of ["-ipcbind", "-ipcconnect"]) {
    for (const v of args.getArgs(opt)) {
      if (args.isNegated(opt) || v === "0" || v === "auto") continue;
      const addr = parseIpcAddress(v, { netDataDir: net });
      if (addr.kind === "unix") {
        ipcPaths.push(addr.path, dirOf(addr.path));
        // Deno asks for read, write and `net` ("unix:<path>") to use a unix socket.
        walletNet.push(`unix:${addr.path}`);
      } else {
        walletNet.push(`${addr.hostname}:${addr.port}`);
        tcp = true;
      }
    }
  }
  const profile = profileFor(mode, {
    dataDir: args.dataDir,
    netDataDir: net,
    configFiles: configFilesOf(args),
    walletDir,
    execPath: Deno.execPath(),
    // A wallet serving RPC itself (-server) listens on exactly its RPC endpoints.
    walletNet: mode === "wallet" ? [...walletNet, ...walletRpcListenAddresses(args)] : undefined,
  });
  if (mode === "wallet") {
    // A wallet attached by hand reaches its node through the socket (or TCP address and cookie) it was given.
    const ipcCookie = args.getArg("-ipccookiefile");
    const cookie = ipcCookie ? abs(ipcCookie) : tcp ? `${net}/ipc.cookie` : null;
    const sockets = ipcPaths.filter((_, i) => i % 2 === 0);
    const base = profile.read === true || profile.read === false ? [] : profile.read;
    // Its own RPC cookie (-server) and the wallet tool's -dumpfile, when outside the wallets directory.
    const rpcCookie = walletRpcCookiePath(args, walletDir);
    const own = [...(rpcCookie ? [dirOf(rpcCookie)] : []), ...walletToolFiles(args)];
    const read = [...new Set([...base, ...sockets, ...(cookie ? [cookie] : []), ...own])];
    return { ...profile, read, write: [...new Set([walletDir, ...sockets, ...own])] };
  }
  const list = (g: PermissionProfile["read"]) => g === true || g === false ? [] : g;
  return {
    ...profile,
    read: [...new Set([...list(profile.read), ...files, ...ipcPaths])],
    write: [...new Set([...list(profile.write), ...files, ...ipcPaths])],
  };
}

/** The config file the arguments name, when it was read (none with resolved settings). */
function configFilesOf(args: ArgsManager): string[] {
  try {
    return args.configPath ? [args.configPath] : [];
  } catch {
    return [];
  }
}

/** Options that select files or the network, which the resolved argument list states on its own. */
const NOT_FORWARDED = new Set([
  "conf",
  "includeconf",
  "datadir",
  "chain",
  "regtest",
  "testnet",
  "testnet4",
  "signet",
  "allowignoredconf",
]);

/**
 * Options read as lists (Core's `GetArgs`): every value counts, in Core's order (command line, then the config
 * file's network section, then its default section), so the resolved command line keeps that order.
 */
export const LIST_OPTIONS: ReadonlySet<string> = new Set([
  "addnode",
  "bind",
  "connect",
  "debug",
  "debugexclude",
  "deprecatedrpc",
  "externalip",
  "ipcbind",
  "loadblock",
  "loglevel",
  "onlynet",
  "rpcallowip",
  "rpcauth",
  "rpcbind",
  "rpcwhitelist",
  "seednode",
  "test",
  "testactivationheight",
  "uacomment",
  "vbparams",
  "wallet",
  "whitebind",
  "whitelist",
]);

/**
 * The effective settings of `args` (command line and config files merged with Core's precedence, for the
 * selected network) as a command line that needs no config file: `-datadir=…`, `-chain=…`, `-noconf`, then
 * every option that is set. A sandboxed component gets this list, so only the launcher reads config files.
 */
export function resolvedArgv(args: ArgsManager): string[] {
  const out = [`-datadir=${args.dataDir}`, `-chain=${args.network}`, "-noconf"];
  for (const name of optionsFor(args.mode).keys()) {
    if (NOT_FORWARDED.has(name)) continue;
    const dashed = `-${name}`;
    if (args.isNegated(dashed)) {
      out.push(`-no${name}`);
      continue;
    }
    const values = args.getArgs(dashed);
    if (values.length === 0) continue;
    if (LIST_OPTIONS.has(name)) {
      for (const v of values) out.push(`${dashed}=${v}`);
      continue;
    }
    // The effective single value goes last, so that "last wins" reads it back; lists keep their values.
    const effective = args.getArg(dashed);
    const rest = values.filter((v) => v !== effective);
    for (const v of [...rest, ...(effective === undefined ? [] : [effective])]) out.push(`${dashed}=${v}`);
  }
  return out;
}

/**
 * Parses and reads the configuration of a component about to be sandboxed: its profile, and its settings
 * resolved into a command line (see {@linkcode resolvedArgv}); null for `-help`/`-version`, which need no
 * sandbox.
 */
export async function prepareComponent(
  mode: string,
  argv: readonly string[],
): Promise<{ profile: PermissionProfile; argv: string[] } | null> {
  if (mode === "echo") return { profile: await childProfile(mode, argv), argv: [...argv] };
  if (!isMode(mode) || mode === "rpc") throw new Error(`Cannot sandbox mode "${mode}": not a component`);
  // The wallet tool (`tsbtc wallet … <command>`): options before the command word, which is passed on as is.
  const tool = mode === "wallet" && isWalletToolArgv(argv) ? splitWalletToolArgv(argv) : null;
  const options = tool ? absoluteDumpfileArgv(tool.options, Deno.cwd()) : argv;
  const args = ArgsManager.parse(mode, options);
  // Printing help or the version touches nothing: no sandbox needed (null).
  if (args.helpRequested || args.versionRequested) return null;
  // Core's bitcoin-wallet reads no bitcoin.conf: the tool's network and paths come from its command line. A
  // missing -datadir is reported by the tool itself, unsandboxed (it cannot look outside its wallets then).
  if (!tool) await args.readConfigFiles({ sectionOnly: "error" });
  else if (args.isSet("-datadir") && !await dataDirUsable(args.dataDir)) throw new Error("no data directory");
  // The component reads the resolved settings without the config files: their warnings are shown here, once.
  for (const w of args.warnings) console.error(w);
  const resolved = resolvedArgv(args);
  if (tool) resolved.push(tool.command!, ...tool.extra);
  return { profile: profileFromArgs(mode as Component, args), argv: resolved };
}
