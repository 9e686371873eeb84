/**
 * `tsbtc rpc`: the bitcoin-cli drop-in. Like Core's bitcoin-cli, it first tries the node's IPC socket
 * (`-ipcconnect`, default `auto`: `<datadir>/<network>/node.sock`, falling back to HTTP when nobody listens
 * there), and otherwise sends JSON-RPC over HTTP. Over IPC the request goes through `Init.makeRpc` and
 * `Rpc.executeRpc`, exactly as Core's `bitcoin-cli -ipcconnect` does. tsbtc also accepts
 * `-ipcconnect=tcp:<host>:<port>` (authenticated with the IPC cookie).
 *
 * @module
 */
import { parseIpcAddress } from "../ipc/address.ts";
import { IpcConnection } from "../ipc/connection.ts";
import { connectIpc, isIpcUnavailable } from "../ipc/listener.ts";
import { bootstrapInit } from "../ipc/proxies/init.ts";
import type { Rpc } from "../interfaces/rpc.ts";
import { CliConnectionError, type CliTransport, runCli } from "../rpc/client.ts";
import type { ArgsManager } from "./args.ts";
import { startArgs } from "./startup.ts";

/** Runs `tsbtc rpc` with `argv`; resolves with the exit status. */
export async function rpcMain(argv: string[]): Promise<number> {
  const args = await startArgs("rpc", argv);
  if (typeof args === "number") return args;
  const value = args.isNegated("-ipcconnect") ? "0" : args.getArg("-ipcconnect") ?? "auto";
  if (value === "0" || value === "") return await runCli(args);
  if (args.isSet("-rpcconnect") && !args.isNegated("-rpcconnect")) {
    // Core: -rpcconnect selects HTTP; with an explicit -ipcconnect the two conflict.
    if (value === "auto") return await runCli(args);
    console.error("error: -rpcconnect and -ipcconnect options cannot both be enabled");
    return 1;
  }
  const ipc = new IpcCliTransport(args, value);
  try {
    return await runCli(args, { wrapTransport: (http) => ipc.transport(http) });
  } finally {
    await ipc.close();
  }
}

/** Sends bitcoin-cli's requests over IPC (`Rpc.executeRpc`), with Core's `-ipcconnect=auto` fallback to HTTP. */
export class IpcCliTransport {
  #args: ArgsManager;
  #value: string;
  #conn: IpcConnection | null = null;
  #rpc: Rpc | null = null;

  /** `value` is the `-ipcconnect` value: `auto`, `unix`, `unix:<path>` or `tcp:<host>:<port>`. */
  constructor(args: ArgsManager, value: string) {
    this.#args = args;
    this.#value = value;
  }

  /** A transport over IPC that uses `http` where `auto` finds no socket. */
  transport(http: CliTransport): CliTransport {
    return async (body, uri) => {
      const rpc = this.#rpc ?? await this.#connect();
      if (rpc === null) return await http(body, uri);
      const user = this.#args.getArg("-rpcuser") ?? "";
      return { status: 200, body: await rpc.executeRpc(body, uri, user) };
    };
  }

  /** Connects; null when `auto` finds nobody listening (use HTTP). Throws CliConnectionError otherwise. */
  async #connect(): Promise<Rpc | null> {
    const args = this.#args;
    const auto = this.#value === "auto";
    const text = auto ? "unix" : this.#value;
    try {
      const addr = parseIpcAddress(text, { netDataDir: args.netDataDir });
      const cookie = args.getArg("-ipccookiefile");
      const stream = await connectIpc(addr, {
        cookieFile: cookie
          ? args.absPathForConfigVal(cookie)
          : addr.kind === "tcp"
          ? `${args.netDataDir}/ipc.cookie`
          : undefined,
      });
      this.#conn = new IpcConnection(stream, { name: "tsbtc-rpc" });
      this.#rpc = bootstrapInit(this.#conn).makeRpc();
      return this.#rpc;
    } catch (err) {
      if (auto && isIpcUnavailable(err)) return null;
      const what = err instanceof Error ? err.message : String(err);
      const listen = text.startsWith("tcp:") ? text : "unix";
      throw new CliConnectionError(
        `${what}\n\nProbably tsbtc node is not running or not listening on ${
          listen === "unix" ? "a unix socket" : listen
        }. Can be started with:\n\n    tsbtc node -chain=${args.network} -ipcbind=${listen}`,
      );
    }
  }

  /** Releases the Rpc object and closes the connection. */
  async close(): Promise<void> {
    await this.#rpc?.close().catch(() => {});
    await this.#conn?.close();
    this.#rpc = null;
    this.#conn = null;
  }
}
