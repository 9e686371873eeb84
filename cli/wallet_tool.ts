/**
 * `tsbtc wallet [options] <command>`: the offline wallet tool (Core's `bitcoin-wallet`), chosen over the wallet
 * process by a command word: `create`, `info`, `dump` or `createfromdump`. It opens a wallet's database directly
 * (no node; it refuses a wallet another process holds) and prints Core's texts.
 *
 * @module
 */
import type { ArgsLike } from "../rpc/args_like.ts";
import { absolutePath } from "../wallet/dump.ts";
import type { WalletToolCommand } from "../wallet/tool.ts";
import type { RunContext } from "./run_mode.ts";
import { startArgs } from "./startup.ts";

/** The wallet tool's commands with Core's help texts (Core's `AddCommand` calls), in Core's order. */
export const WALLET_TOOL_COMMANDS: ReadonlyArray<{ name: string; help: string; options: readonly string[] }> =
  [
    { name: "info", help: "Get wallet info", options: [] },
    { name: "create", help: "Create a new descriptor wallet file", options: [] },
    { name: "dump", help: "Print out all of the wallet key-value records", options: ["-dumpfile"] },
    { name: "createfromdump", help: "Create new wallet file from dumped records", options: ["-dumpfile"] },
  ];

/** Options only some commands take (Core's `COMMAND_OPTIONS`). */
const COMMAND_OPTIONS = ["-dumpfile"];

/** A command line split at the command word (Core's `ParseParameters` with registered commands). */
export interface WalletToolArgv {
  /** The options before the command. */
  options: string[];
  /** The command word, or null when there is none (the wallet process). */
  command: string | null;
  /** Tokens after the command (Core refuses them: methods take no arguments). */
  extra: string[];
}

/**
 * Splits `argv` at its first token that is not an option: that token is the wallet tool command. Throws
 * Core's `Invalid command '…'` (prefixed `Error parsing command line arguments: ` by the caller) for a word
 * that is not a command.
 */
export function splitWalletToolArgv(argv: readonly string[]): WalletToolArgv {
  const i = argv.findIndex((a) => !a.startsWith("-"));
  if (i < 0) return { options: [...argv], command: null, extra: [] };
  const command = argv[i];
  if (!WALLET_TOOL_COMMANDS.some((c) => c.name === command)) {
    throw new Error(`Invalid command '${command}'`);
  }
  return { options: argv.slice(0, i), command, extra: argv.slice(i + 1) };
}

/** Whether `argv` selects the wallet tool (it has a command word, valid or not). */
export function isWalletToolArgv(argv: readonly string[]): boolean {
  return argv.some((a) => !a.startsWith("-"));
}

/**
 * `argv` with a relative `-dumpfile=` made absolute against `cwd` (Core's `fs::absolute`): a sandboxed tool
 * cannot ask for its working directory, so the launcher resolves it.
 */
export function absoluteDumpfileArgv(argv: readonly string[], cwd: string): string[] {
  return argv.map((a) => {
    const m = /^--?dumpfile=(.+)$/.exec(a);
    return m ? `-dumpfile=${absolutePath(m[1], cwd)}` : a;
  });
}

/** Files outside the wallets directory the tool may touch: the `-dumpfile` (read by createfromdump, written by dump). */
export function walletToolFiles(args: Pick<ArgsLike, "getArg">): string[] {
  const f = args.getArg("-dumpfile");
  return f ? [f] : [];
}

/** Core's `CheckCommandOptions` complaints: command-only options given to a command that does not take them. */
export function commandOptionErrors(args: Pick<ArgsLike, "isSet">, command: string): string[] {
  const allowed = WALLET_TOOL_COMMANDS.find((c) => c.name === command)?.options ?? [];
  return COMMAND_OPTIONS.filter((o) => args.isSet(o) && !allowed.includes(o)).map((o) =>
    `The ${o} option cannot be used with the '${command}' command.`
  );
}

/**
 * Core's `CheckDataDirOption`: false when `-datadir` is not a directory. A sandboxed tool may not look at the
 * data directory itself (only its wallets directory): the launcher checked it before narrowing.
 */
export async function dataDirUsable(dataDir: string): Promise<boolean> {
  try {
    return (await Deno.stat(dataDir)).isDirectory;
  } catch (e) {
    return e instanceof Deno.errors.NotCapable;
  }
}

/**
 * Runs `tsbtc wallet [options] <command>` (Core's `bitcoin-wallet` main): checks the command line with Core's
 * messages, then runs the command (wallet/tool.ts); resolves with the exit status.
 */
export async function walletToolMain(argv: string[], ctx: RunContext): Promise<number> {
  let split: WalletToolArgv;
  try {
    split = splitWalletToolArgv(argv);
  } catch (e) {
    console.error(`Error parsing command line arguments: ${(e as Error).message}`);
    return 1;
  }
  const options = ctx.sandbox === "none" ? absoluteDumpfileArgv(split.options, Deno.cwd()) : split.options;
  // bitcoin-wallet reads no bitcoin.conf (its network and paths come from the command line), and prints
  // argument errors without bitcoind's "Error: " prefix.
  const args = await startArgs("wallet", options, {
    readConfig: false,
    formatError: (e) => e.kind === "other" ? `Error: ${e.message}` : e.message,
  });
  if (typeof args === "number") return args;
  if (args.isSet("-datadir") && !await dataDirUsable(args.dataDir)) {
    console.error(`Error: Specified data directory "${args.getArg("-datadir")}" does not exist.`);
    return 1;
  }
  const command = split.command!;
  if (split.extra.length > 0) {
    console.error(
      `Error: Additional arguments provided (${split.extra.join(", ")}). Methods do not take arguments. ` +
        "Please refer to `-help`.",
    );
    return 1;
  }
  const problems = commandOptionErrors(args, command);
  if (problems.length > 0) {
    console.error(`Error: Invalid arguments provided:\n${problems.map((p) => `- ${p}`).join("\n")}`);
    return 1;
  }
  const walletDirArg = args.getArg("-walletdir");
  const { runWalletTool } = await import("../wallet/tool.ts");
  const encoder = new TextEncoder();
  const ok = await runWalletTool({
    command: command as WalletToolCommand,
    wallet: args.isSet("-wallet") ? args.getArg("-wallet") ?? "" : undefined,
    walletDir: walletDirArg ? args.absPathForConfigVal(walletDirArg) : `${args.netDataDir}/wallets`,
    network: args.network,
    dumpFile: args.getArg("-dumpfile") || undefined,
    keypoolSize: args.getInt("-keypool", 1000),
    out: (t) => Deno.stdout.writeSync(encoder.encode(t)),
    err: (t) => Deno.stderr.writeSync(encoder.encode(t)),
  });
  return ok ? 0 : 1;
}
