/**
 * `-help` and `-version` texts of each mode, laid out as Bitcoin Core prints them (ArgsManager::GetHelpMessage,
 * HelpMessageGroup, HelpMessageOpt and FormatParagraph in src/common/args.cpp and util/strencodings.cpp).
 *
 * @module
 */
import denoJson from "../deno.json" with { type: "json" };
import {
  byDashName,
  CATEGORIES,
  type Mode,
  type OptionCategory,
  optionsFor,
  type OptionSpec,
} from "./options.ts";

/** tsbtc's version, from deno.json ("0.1.0"). */
export const VERSION: string = denoJson.version;

/** The year in the copyright lines. */
export const COPYRIGHT_YEAR = 2026;

/** Core's help screen width (HelpMessageOpt's `screen_width`). */
const SCREEN_WIDTH = 79;
const OPT_INDENT = 2;
const MSG_INDENT = 7;

/**
 * Core's FormatParagraph: wraps `text` at `width` columns, breaking at spaces, indenting continuation lines by
 * `indent`; existing newlines are kept; a word longer than the width stays whole.
 */
export function formatParagraph(text: string, width = 79, indent = 0): string {
  let out = "";
  let ptr = 0;
  let indented = 0;
  const pad = " ".repeat(indent);
  while (ptr < text.length) {
    let lineEnd = text.indexOf("\n", ptr);
    if (lineEnd === -1) lineEnd = text.length;
    const lineLen = lineEnd - ptr;
    const remWidth = width - indented;
    if (lineLen <= remWidth) {
      out += text.slice(ptr, lineEnd + 1);
      ptr = lineEnd + 1;
      indented = 0;
    } else {
      let finalSpace = lastIndexOfAny(text, " \n", ptr + remWidth);
      if (finalSpace === -1 || finalSpace < ptr) {
        // No place to break: take the whole word.
        finalSpace = indexOfAny(text, "\n ", ptr);
        if (finalSpace === -1) {
          out += text.slice(ptr);
          break;
        }
      }
      out += text.slice(ptr, finalSpace) + "\n";
      if (text[finalSpace] === "\n") {
        indented = 0;
      } else if (indent) {
        out += pad;
        indented = indent;
      }
      ptr = finalSpace + 1;
    }
  }
  return out;
}

function lastIndexOfAny(s: string, chars: string, from: number): number {
  for (let i = Math.min(from, s.length - 1); i >= 0; i--) if (chars.includes(s[i])) return i;
  return -1;
}

function indexOfAny(s: string, chars: string, from: number): number {
  for (let i = from; i < s.length; i++) if (chars.includes(s[i])) return i;
  return -1;
}

/** Core's HelpMessageGroup: the heading and a blank line. */
function helpGroup(title: string): string {
  return `${title}:\n\n`;
}

/** Core's HelpMessageOpt: `  -name=<param>` then the wrapped description indented by 7, then a blank line. */
export function helpOption(spec: Pick<OptionSpec, "name" | "param" | "help">): string {
  const text = formatParagraph(spec.help, SCREEN_WIDTH - MSG_INDENT, MSG_INDENT);
  return `${" ".repeat(OPT_INDENT)}-${spec.name}${spec.param ?? ""}\n${" ".repeat(MSG_INDENT)}${text}\n\n`;
}

/**
 * The option list of `mode` (Core's GetHelpMessage): each category in Core's order, its options sorted by name;
 * debug-only options and the wallet debugging group only with `debug`; hidden options never.
 */
export function optionsHelp(mode: Mode, opts: { debug: boolean }): string {
  const byCategory = new Map<OptionCategory, OptionSpec[]>();
  for (const spec of optionsFor(mode).values()) {
    const list = byCategory.get(spec.category) ?? [];
    list.push(spec);
    byCategory.set(spec.category, list);
  }
  let out = "";
  for (const category of CATEGORIES) {
    const list = byCategory.get(category);
    if (list === undefined || category === "Hidden") continue;
    if (category === "Wallet debugging/testing options" && !opts.debug) continue;
    out += helpGroup(category);
    list.sort((a, b) => byDashName(a.name, b.name));
    for (const spec of list) if (opts.debug || !spec.debugOnly) out += helpOption(spec);
  }
  return out;
}

/** Per-mode title, description and usage lines. */
const MODE_TEXT: Readonly<Record<Mode, { title: string; about: string; usage: string[] }>> = {
  node: {
    title: "node",
    about: "The tsbtc node is a headless program that will connect to the Bitcoin network to validate and " +
      "relay transactions and blocks, as well as relaying addresses. It is a drop-in for Bitcoin Core's " +
      "bitcoind: same options, configuration file, data directory layout and JSON-RPC interface.\n\n" +
      "It provides an RPC server over HTTP and over Cap'n Proto IPC, and runs its components (wallet, echo) " +
      "as separate, sandboxed processes.\n\n" +
      "It can be used in a headless environment or as part of a server setup.\n",
    usage: ["tsbtc node [options]"],
  },
  wallet: {
    title: "wallet",
    about:
      "The tsbtc wallet process: a component a tsbtc node spawns and talks to over Cap'n Proto IPC. It " +
      "can also be started by hand and connected to a running node with -ipcconnect (with -server it serves " +
      "wallet RPC itself, on -rpcport with its own cookie in the wallets directory).\n\n" +
      "Given a command it is instead an offline tool for wallet files (Bitcoin Core's bitcoin-wallet), acting " +
      "on the wallet named by -wallet in the wallets directory of -datadir and the chain selected:\n" +
      "  info            Get wallet info\n" +
      "  create          Create a new descriptor wallet file\n" +
      "  dump            Print out all of the wallet key-value records (to -dumpfile)\n" +
      "  createfromdump  Create new wallet file from dumped records (from -dumpfile)\n",
    usage: ["tsbtc wallet [options]", "tsbtc wallet [options] <command>"],
  },
  gui: {
    title: "gui",
    about: "The tsbtc GUI: spawns a node and opens an interactive RPC console connected to it over IPC.\n",
    usage: ["tsbtc gui [options]"],
  },
  rpc: {
    title: "RPC client",
    about:
      "The tsbtc rpc utility provides a command line interface to interact with a tsbtc or Bitcoin Core " +
      "RPC server, as a drop-in for bitcoin-cli.\n\n" +
      "It can be used to query network information, manage wallets, create or broadcast transactions, and " +
      "control the server.\n\n" +
      'Use the "help" command to list all commands. Use "help <command>" to show help for that command.\n' +
      "The -named option allows you to specify parameters using the key=value format, eliminating the need " +
      "to pass unused positional parameters.\n",
    usage: [
      "tsbtc rpc [options] <command> [params]",
      "tsbtc rpc [options] -named <command> [name=value]...",
      "tsbtc rpc [options] help",
      "tsbtc rpc [options] help <command>",
    ],
  },
  echo: {
    title: "echo",
    about:
      "The tsbtc echo process: an internal component that a node spawns over IPC (for the echoipc RPC).\n",
    usage: ["tsbtc echo -ipcfd=<fd> [options]"],
  },
};

/** The first line of `-help` and `-version`, e.g. `tsbtc node version v0.1.0`. */
export function versionLine(mode: Mode): string {
  return `tsbtc ${MODE_TEXT[mode].title} version v${VERSION}`;
}

/**
 * The `-help` (or `-help-debug`, with `debug`) text of `mode`, as Core lays it out: version line, description,
 * usage lines, then the options by category with descriptions wrapped at 79 columns. Ends with a newline.
 */
export function helpText(mode: Mode, opts: { debug: boolean } = { debug: false }): string {
  const t = MODE_TEXT[mode];
  const usage = t.usage.map((u, i) => (i === 0 ? "Usage: " : "or:    ") + u).join("\n");
  // bitcoin-cli puts an extra blank line before the options.
  const gap = mode === "rpc" ? "\n" : "";
  return `${versionLine(mode)}\n\n${t.about}\n${usage}\n\n${gap}${optionsHelp(mode, opts)}`;
}

/** The `-version` text of `mode`: version line and license paragraphs (Core's LicenseInfo, for tsbtc). */
export function versionText(mode: Mode): string {
  // tsbtc contains no Bitcoin Core code (it follows Core's documented behaviour), so only its own notice.
  const license = `Copyright (C) ${COPYRIGHT_YEAR} The tsbtc developers\n` +
    "\n" +
    "tsbtc is a multiprocess Bitcoin node in TypeScript for Deno, modelled on Bitcoin Core; its options, " +
    "configuration files, data directory layout and RPC and IPC interfaces follow Bitcoin Core's.\n" +
    "\n" +
    "This is experimental software.\n" +
    "Distributed under the MIT software license, see <https://opensource.org/license/MIT>\n";
  return `${versionLine(mode)}\n${formatParagraph(license)}`;
}
