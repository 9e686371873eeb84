/**
 * `tsbtc rpc`: the bitcoin-cli drop-in. Over HTTP by default; with `-ipcconnect=unix[:path]|tcp:host:port` the
 * JSON-RPC request travels over Cap'n Proto IPC instead (Init.makeRpc, then Rpc.executeRpc), as with Core's
 * `bitcoin-cli -ipcconnect`.
 *
 * @module
 */
import { parseIpcAddress } from "../ipc/address.ts";
import { IpcConnection } from "../ipc/connection.ts";
import { connectIpc } from "../ipc/listener.ts";
import { bootstrapInit } from "../ipc/proxies/init.ts";
import { CliConnectionError, type CliTransport } from "../rpc/client.ts";
import { rpcCliMain } from "./rpc_cli.ts";
import { startArgs } from "./startup.ts";
import type { ArgsManager } from "./args.ts";

/** Runs `tsbtc rpc` with `argv`; resolves with the exit status. */
export async function rpcMain(argv: string[]): Promise<number> {
  const args = await startArgs("rpc", argv);
  if (typeof args === "number") return args;
  const ipc = args.getArg("-ipcconnect");
  if (ipc === null || ipc === undefined || args.isNegated("-ipcconnect")) return await rpcCliMain(args);
  const { transport, close } = ipcTransport(args, ipc);
  try {
    return await rpcCliMain(args, transport);
  } finally {
    await close();
  }
}

/** A bitcoin-cli transport that sends each request through `Rpc.executeRpc` on a node's IPC socket. */
export function ipcTransport(
  args: ArgsManager,
  value: string,
): { transport: CliTransport; close(): Promise<void> } {
  let conn: IpcConnection | null = null;
  let rpc: ReturnType<ReturnType<typeof bootstrapInit>["makeRpc"]> | null = null;
  const transport: CliTransport = async (body, uri) => {
    if (rpc === null) {
      const addr = parseIpcAddress(value, { netDataDir: args.netDataDir });
      const cookie = args.getArg("-ipccookiefile");
      let stream;
      try {
        stream = await connectIpc(addr, {
          cookieFile: cookie
            ? (cookie.startsWith("/") ? cookie : `${args.netDataDir}/${cookie}`)
            : addr.kind === "tcp"
            ? `${args.netDataDir}/ipc.cookie`
            : undefined,
          timeoutMs: args.getInt("-rpcclienttimeout", 900) * 1000 || undefined,
        });
      } catch (err) {
        throw new CliConnectionError(
          `Could not connect to the server ${addr.text}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      conn = new IpcConnection(stream, { name: "tsbtc-rpc" });
      rpc = bootstrapInit(conn).makeRpc();
    }
    const reply = await rpc.executeRpc(body, uri, "");
    return { status: 200, body: reply };
  };
  return {
    transport,
    async close() {
      await rpc?.close().catch(() => {});
      await (conn as IpcConnection | null)?.close();
    },
  };
}
