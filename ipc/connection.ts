/**
 * An IPC connection: tsbtc's own Cap'n Proto RPC engine (level 1, two-party, wire-compatible with capnp's C++
 * `TwoPartyVatNetwork` as used by Bitcoin Core) over any byte stream.
 *
 * ```ts
 * const conn = new IpcConnection(await Deno.connect({ transport: "unix", path }), { name: "tsbtc-rpc" });
 * const init = bootstrapInit(conn);          // ipc/proxies/init.ts: an `Init` over IPC
 * const echo = init.makeEcho();              // pipelined: no round trip yet
 * console.log(await echo.echo("hello"));     // one round trip for makeEcho + echo
 * await echo.close();
 * await init.close();
 * await conn.close();
 * ```
 *
 * Serving: pass `bootstrap: serveInit(impl)` (or any {@linkcode CapabilityServer}); the peer's `Bootstrap`
 * gets it. Either side may serve and call. See `ipc/rpc/engine.ts` for the protocol details and
 * `ipc/capability.ts` for capabilities and their reference counting.
 *
 * @module
 */
import type { Capability, CapabilityServer } from "./capability.ts";
import { IpcDebugLog, type IpcLogSink } from "./debug_log.ts";
import { IpcError } from "./rpc/error.ts";
import { RpcEngine, type RpcTableStats } from "./rpc/engine.ts";
import { type IpcLimits, resolveLimits } from "./rpc/limits.ts";
import { type ByteStream, MessageTransport, type TransportStats } from "./transport.ts";

export { IpcError } from "./rpc/error.ts";
export type { IpcErrorType } from "./rpc/error.ts";
export { DEFAULT_IPC_LIMITS } from "./rpc/limits.ts";
export type { IpcLimits } from "./rpc/limits.ts";
export type { ByteStream } from "./transport.ts";

/** Options of {@linkcode IpcConnection}. */
export interface ConnectionOptions {
  /** Process name used in `-debug=ipc` lines, e.g. "tsbtc-node" (lines start `{tsbtc-node-<pid>/r<N>}`). */
  name: string;
  /**
   * The object served to the peer's `Bootstrap` requests (e.g. `serveInit(impl)`). The connection holds one
   * reference, dropped when it closes: the server's dispose hook runs then unless something else holds it.
   */
  bootstrap?: CapabilityServer;
  /** Logger (`util/logging.ts`): requests and responses are logged when category "ipc" is enabled. */
  logger?: IpcLogSink;
  /** Limits (see {@linkcode IpcLimits}); defaults apply to what is not given. */
  limits?: Partial<IpcLimits>;
}

/** Counters of a connection: its RPC tables (all 0 after a clean session) and its transport. */
export interface ConnectionStats extends RpcTableStats, TransportStats {}

/** One Cap'n Proto RPC connection. Starts reading at once. */
export class IpcConnection {
  /** The process name given in the options. */
  readonly name: string;
  /**
   * Resolves once the connection has ended (never rejects), with the reason: `Peer disconnected`,
   * `Connection closed` (after {@linkcode IpcConnection.close}), `Peer aborted the connection: …`, or the
   * protocol/framing error that made this side abort.
   */
  readonly closed: Promise<IpcError>;
  #engine: RpcEngine;
  #transport: MessageTransport;
  #resolveClosed!: (e: IpcError) => void;

  /** Wraps `stream` (a `Deno.Conn`, a child's stdout/stdin…) and starts serving/reading. */
  constructor(stream: ByteStream, opts: ConnectionOptions) {
    this.name = opts.name;
    const limits = resolveLimits(opts.limits);
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
    this.#engine = new RpcEngine({
      name: opts.name,
      bootstrap: opts.bootstrap ? opts.bootstrap.capability() : null,
      log: new IpcDebugLog(opts.logger, opts.name, Deno.pid),
      limits,
    }, (reason) => this.#resolveClosed(reason));
    this.#transport = new MessageTransport(stream, {
      limits,
      onMessage: (msg) => this.#engine.handleMessage(msg),
      onProtocolError: (reason) => this.#engine.abort(reason),
      onClose: (reason) =>
        this.#engine.teardown(reason ?? new IpcError("Connection closed", { type: "disconnected" })),
    });
    this.#engine.attach(this.#transport);
    this.#transport.start();
  }

  /** True once the connection has ended. */
  get isClosed(): boolean {
    return this.#engine.closeReason !== null;
  }

  /**
   * The peer's bootstrap capability. Usable at once: calls on it are pipelined on the `Bootstrap` request.
   * Close it when done. Typed helpers: `bootstrapInit(conn)` in `ipc/proxies/init.ts`.
   */
  bootstrap(): Capability {
    return this.#engine.bootstrap();
  }

  /**
   * Closes the connection: pending calls reject with `Connection closed`, imports break, exports are
   * dropped (dispose hooks run), queued messages are written first (for up to 2 s).
   */
  async close(): Promise<void> {
    await this.#transport.close();
    await this.closed;
  }

  /** Table and transport counters. */
  stats(): ConnectionStats {
    return { ...this.#engine.stats(), ...this.#transport.stats() };
  }
}
