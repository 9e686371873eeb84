/**
 * `tsbtc node`: runs a node until `stop`, SIGINT or SIGTERM (or, when spawned, until its parent goes away).
 *
 * @module
 */
import { Node } from "../node/node.ts";
import { stdioStream } from "../ipc/process.ts";
import { loggerFromArgs } from "../util/logging.ts";
import type { RunContext } from "./run_mode.ts";
import { startArgs } from "./startup.ts";

/** Runs `tsbtc node` with `argv`; resolves with the exit status. */
export async function nodeMain(argv: string[], ctx: RunContext): Promise<number> {
  const args = await startArgs("node", argv, { createDataDirs: true, readConfig: !ctx.resolved });
  if (typeof args === "number") return args;
  const spawned = args.isSet("-ipcfd");
  if (spawned && Deno.stdin.isTerminal()) {
    console.error("Error: -ipcfd is set by the process that spawns tsbtc node; it cannot be used by hand");
    return 1;
  }
  const logger = loggerFromArgs(args, {
    processName: "tsbtc-node",
    consoleStream: spawned ? "stderr" : "stdout",
  });
  for (const l of args.logLines) l.level === "info" ? logger.info(l.message) : logger.warn(l.message);
  // Signals are handled from the start (Core installs its handlers before init): one that arrives while the
  // node is starting stops it as soon as it is up.
  let node: Node | null = null;
  let signalled = false;
  const onSignal = () => {
    signalled = true;
    node?.shutdown();
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  const removeSignals = () => {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  };
  try {
    node = await Node.start({
      args,
      logger,
      sandbox: ctx.sandbox,
      profile: ctx.profile,
      parentStream: spawned ? stdioStream() : undefined,
    });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    // Core's InitError: logged, and shown to the user on stderr.
    logger.error(msg);
    console.error(`Error: ${msg}`);
    logger.close();
    removeSignals();
    return signalled ? 0 : 1;
  }
  if (signalled) node.shutdown();
  await node.stopped;
  removeSignals();
  logger.close();
  return 0;
}
