/**
 * `tsbtc echo`: the process `echoipc` spawns (Core's `bitcoin-echo`). It serves Init over its stdin/stdout and
 * exits when its parent closes the connection or asks it to shut down. It has no file, network, process or
 * environment access, so it reads no config: everything it needs comes on its command line.
 *
 * @module
 */
import { IpcConnection } from "../ipc/connection.ts";
import { stdioStream } from "../ipc/process.ts";
import { serveInit } from "../ipc/proxies/init.ts";
import { makeProcessInit } from "../interfaces/process_init.ts";
import { effectivePermissions } from "../sandbox/effective.ts";
import { loggerFromArgs } from "../util/logging.ts";
import type { RunContext } from "./run_mode.ts";
import { startArgs } from "./startup.ts";

/** Runs the echo component; resolves with the exit status. */
export async function echoMain(argv: string[], ctx: RunContext): Promise<number> {
  const args = await startArgs("echo", [...argv, "-noconf", "-nodebuglogfile"], { readConfig: false });
  if (typeof args === "number") return args;
  if (!args.isSet("-ipcfd") || Deno.stdin.isTerminal()) {
    console.error("Error: tsbtc echo is started by tsbtc node (echoipc); it cannot be run by hand");
    return 1;
  }
  const logger = loggerFromArgs(args, { processName: "tsbtc-echo", consoleStream: "stderr" });
  const name = "tsbtc-echo";
  let conn: IpcConnection | null = null;
  const init = makeProcessInit({
    mode: "echo",
    name,
    sandbox: ctx.sandbox,
    permissions: () => effectivePermissions(ctx.profile),
    onShutdown: () => setTimeout(() => conn?.close(), 0),
  });
  conn = new IpcConnection(stdioStream(), { name, bootstrap: serveInit(init), logger });
  const reason = await conn.closed;
  logger.debug("ipc", `${name}: connection ended (${reason.message})`);
  logger.close();
  return 0;
}
