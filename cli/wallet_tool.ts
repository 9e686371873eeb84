/**
 * `tsbtc wallet [options] <command>`: the offline wallet tool (Core's `bitcoin-wallet`), chosen over the wallet
 * process by a command word: `create`, `info`, `dump` or `createfromdump`. It opens a wallet's database directly
 * (no node; it refuses a wallet another process holds) and prints Core's texts.
 *
 * @module
 */
import type { ArgsLike } from "../rpc/args_like.ts";
import { absolutePath } from "../wallet/dump.ts";

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
