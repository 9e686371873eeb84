/**
 * `tsbtc gui`: spawns a node process (sandboxed, over IPC) and opens an interactive RPC console on it — the
 * terminal counterpart of the Qt GUI's debug console. Each line is a command as in `tsbtc rpc` (method, then
 * arguments; quote arguments with spaces); it is carried to the node by Init.makeRpc / Rpc.executeRpc.
 * `quit`, `exit` or end of input stops the node and exits.
 *
 * @module
 */
import { ProcessManager } from "../node/processes.ts";
import { buildRequest, formatError } from "../rpc/client.ts";
import { parseJson, writeJsonPretty } from "../rpc/json.ts";
import { profileFor } from "../sandbox/profile.ts";
import { loggerFromArgs } from "../util/logging.ts";
import { findOption } from "./options.ts";
import type { RunContext } from "./run_mode.ts";
import { startArgs } from "./startup.ts";

/** Splits a console line into words, honouring single and double quotes (Qt console's rules, simplified). */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let cur = "";
  let quote: string | null = null;
  let has = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === "\\" && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      has = true;
    } else if (/\s/.test(ch)) {
      if (has || cur) words.push(cur);
      cur = "";
      has = false;
    } else {
      cur += ch;
    }
  }
  if (quote) throw new Error("Cannot parse command: unterminated quote");
  if (has || cur) words.push(cur);
  return words;
}

/** Formats one JSON-RPC reply as the console (and bitcoin-cli) prints it. */
export function formatReply(body: string): string {
  const reply = parseJson(body) as Record<string, unknown>;
  if (reply.error !== undefined && reply.error !== null) {
    return formatError(reply.error as Parameters<typeof formatError>[0])[0];
  }
  const result = reply.result;
  if (result === null || result === undefined) return "";
  if (typeof result === "string") return result;
  return writeJsonPretty(result);
}

/** Runs the GUI console; resolves with the exit status. */
export async function guiMain(argv: string[], ctx: RunContext): Promise<number> {
  const args = await startArgs("gui", argv, { createDataDirs: true, readConfig: !ctx.resolved });
  if (typeof args === "number") return args;
  const logger = loggerFromArgs(args, { processName: "tsbtc-gui", defaultPrintToConsole: false });
  const processes = new ProcessManager({
    logger,
    name: "tsbtc-gui",
    strategy: args.getArg("-sandbox") === "worker" ? "worker" : undefined,
  });
  const profile = profileFor("node", {
    dataDir: args.dataDir,
    netDataDir: args.netDataDir,
    execPath: Deno.execPath(),
  });
  // The node gets the options given to the GUI that a node understands.
  const nodeArgs = argv.filter((a) => a.startsWith("-") && findOption("node", optionName(a)) !== undefined);
  const node = processes.spawn("node", profile, nodeArgs, { relayLogs: false });
  const rpc = node.init.makeRpc();
  const out = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s));
  const interactive = Deno.stdin.isTerminal();
  let id = 0;
  let status = 0;
  try {
    const info = await node.init.getInfo();
    out(
      `tsbtc gui: node pid ${info.pid} (${info.sandbox} sandbox), network ${args.network}. ` +
        `Type "help" for commands, "quit" to exit.\n`,
    );
    const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).pipeThrough(lineSplitter());
    if (interactive) out("> ");
    for await (const raw of lines) {
      const line = raw.trim();
      if (line === "quit" || line === "exit") break;
      if (line !== "") {
        try {
          const [method, ...params] = splitCommandLine(line);
          const body = await rpc.executeRpc(buildRequest(method, params, false, String(++id)), "/", "");
          const text = formatReply(body);
          if (text !== "") out(text + "\n");
        } catch (err) {
          out(`error: ${err instanceof Error ? err.message : String(err)}\n`);
        }
      }
      if (interactive) out("> ");
    }
  } catch (err) {
    console.error(`Error: ${err instanceof Error ? err.message : String(err)}`);
    status = 1;
  }
  await rpc.close().catch(() => {});
  const code = await processes.stop(node);
  logger.close();
  return status !== 0 ? status : code;
}

/** The option name in `-name=value`, `--name` or `-noname`. */
function optionName(arg: string): string {
  const name = arg.replace(/^--?/, "").replace(/=.*$/s, "");
  return findOption("node", name) === undefined && name.startsWith("no") ? name.slice(2) : name;
}

function lineSplitter(): TransformStream<string, string> {
  let buf = "";
  return new TransformStream({
    transform(chunk, controller) {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        controller.enqueue(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    },
    flush(controller) {
      if (buf !== "") controller.enqueue(buf);
    },
  });
}
