/**
 * The error type of tsbtc's Cap'n Proto RPC layer.
 *
 * @module
 */

/** Cap'n Proto's exception kinds (`rpc.capnp` `Exception.Type`), as strings. */
export type IpcErrorType = "failed" | "overloaded" | "disconnected" | "unimplemented";

/** The wire values of {@linkcode IpcErrorType}, in `Exception.Type` order. */
export const IPC_ERROR_TYPES: readonly IpcErrorType[] = [
  "failed",
  "overloaded",
  "disconnected",
  "unimplemented",
];

/** Options of {@linkcode IpcError}. */
export interface IpcErrorOptions {
  /** The Cap'n Proto exception kind (default "failed"). */
  type?: IpcErrorType;
  /** True when the error was raised by the peer and carried over the connection as an `Exception`. */
  remote?: boolean;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * An error of the IPC layer: a remote exception (a server method threw; `remote` is true and `message` is the
 * peer's reason, unchanged), a disconnect (`Peer disconnected`), a protocol or framing error, a limit.
 */
export class IpcError extends Error {
  /** The Cap'n Proto exception kind. */
  readonly type: IpcErrorType;
  /** True when the peer sent this error as an `Exception`. */
  readonly remote: boolean;

  /** Makes an error; `message` is the reason as sent/received on the wire. */
  constructor(message: string, opts: IpcErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "IpcError";
    this.type = opts.type ?? "failed";
    this.remote = opts.remote ?? false;
  }

  /** The reason to put in an outgoing `Exception` for any thrown value. */
  static reasonOf(e: unknown): string {
    if (e instanceof Error) return e.message || e.name;
    return String(e);
  }

  /** The exception kind to send for any thrown value. */
  static typeOf(e: unknown): IpcErrorType {
    return e instanceof IpcError ? e.type : "failed";
  }
}
