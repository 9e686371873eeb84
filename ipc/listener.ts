/**
 * Where IPC connections come from: listening on `-ipcbind` addresses and connecting to `-ipcconnect` ones.
 *
 * Unix sockets: the parent directory is created if missing; a socket file left by a dead process is removed,
 * while one a live process still listens on is refused (Core removes it regardless); the socket is created with
 * mode 0600 (bound in a private 0700 directory, then moved into place, so it is never reachable with looser
 * permissions) and removed on close. Authentication is off by default on unix sockets (file permissions
 * protect them), and can be turned on with `requireAuth`.
 *
 * TCP (tsbtc only): every connection is authenticated with the cookie handshake of `ipc/auth.ts` before the
 * connection is handed over, and a non-loopback host needs `allowRemote` (`-ipcallowremote`).
 *
 * @module
 */

import type { IpcAddress, TcpIpcAddress, UnixIpcAddress } from "./address.ts";
import { IpcAddressError, UNIX_PATH_MAX } from "./address.ts";
import {
  clientHandshake,
  createIpcCookie,
  DEFAULT_AUTH_TIMEOUT_MS,
  type IpcCookie,
  type IpcStream,
  readIpcCookie,
  serverHandshake,
} from "./auth.ts";

export type { IpcStream } from "./auth.ts";

/** The logging the listener needs (`util/logging.ts`'s `Logger` fits). */
export interface IpcLogger {
  /** An informational line. */
  info(msg: string): void;
  /** A warning line. */
  warn(msg: string): void;
  /** A debug line in `category` (printed with `-debug=<category>`). */
  debug(category: string, msg: string): void;
}

/** What the listener knows about an accepted connection. */
export interface IpcConnectionInfo {
  /** The listening address. */
  address: IpcAddress;
  /** The peer, e.g. `tcp:127.0.0.1:51234` or `unix` (unix peers are anonymous). */
  remote: string;
  /** Whether the peer passed the cookie handshake. */
  authenticated: boolean;
}

/** Options of {@link listenIpc}. */
export interface ListenIpcOptions {
  /** Called for each accepted (and, when required, authenticated) connection. A throw closes it. */
  onConnection(stream: IpcStream, info: IpcConnectionInfo): void | Promise<void>;
  /** Where to log; nothing is logged without one. */
  logger?: IpcLogger;
  /**
   * Cookie file the listener creates (fresh secret, mode 0600) once bound, and removes on close.
   * Required for TCP unless `cookie` is given.
   */
  cookieFile?: string;
  /** A cookie the caller created (e.g. shared by several listeners); the caller removes it. */
  cookie?: IpcCookie;
  /** Require the cookie handshake; default true for TCP (which cannot turn it off), false for unix. */
  requireAuth?: boolean;
  /** Allow a TCP listener on a non-loopback host (`-ipcallowremote`). */
  allowRemote?: boolean;
  /** Handshake timeout in ms (default 5000). */
  authTimeoutMs?: number;
  /** Handshakes allowed in progress at once; further connections are closed at once (default 64). */
  maxPendingHandshakes?: number;
}

/** A running listener. */
export interface IpcListener {
  /** The bound address (for `tcp:…:0`, with the port the system chose). */
  readonly address: IpcAddress;
  /** The cookie connections are authenticated with, or null when auth is off. */
  readonly cookie: IpcCookie | null;
  /** Connections handed to `onConnection` and not closed yet through their `close()`. */
  readonly connections: number;
  /**
   * Stops accepting, closes every connection this listener accepted (Core's `disconnectIncoming`), removes the
   * socket file (if still ours) and the cookie file it created. Idempotent.
   */
  close(): Promise<void>;
}

/** A failure to connect; `code` is the errno name (`ENOENT`, `ECONNREFUSED`, `ETIMEDOUT`, …). */
export class IpcConnectError extends Error {
  /** errno name of the failure, or `ETIMEDOUT` for our own timeout. */
  readonly code: string;
  /** Creates the error; `message` is the system's text, as Core's `std::system_error` prints it. */
  constructor(message: string, code: string) {
    super(message);
    this.name = "IpcConnectError";
    this.code = code;
  }
}

/**
 * True for the errors after which Core's `-ipcconnect=auto` falls back to HTTP: nobody listening, no socket
 * file, a missing directory, or a too long socket path.
 */
export function isIpcUnavailable(e: unknown): boolean {
  if (e instanceof IpcAddressError) return e.message.startsWith("Unix address path");
  return e instanceof IpcConnectError && ["ECONNREFUSED", "ENOENT", "ENOTDIR"].includes(e.code);
}

/** Options of {@link connectIpc}. */
export interface ConnectIpcOptions {
  /** Cookie file to read the secret from (needed for TCP unless `secret` is given). */
  cookieFile?: string;
  /** The secret itself. */
  secret?: Uint8Array;
  /** Run the cookie handshake; default true for TCP (which cannot turn it off), false for unix. */
  auth?: boolean;
  /** Timeout in ms for connecting plus the handshake (default 5000). */
  timeoutMs?: number;
}

/**
 * Listens on `addr`, handing each accepted connection to `opts.onConnection`.
 *
 * @throws IpcAddressError for a non-loopback TCP host without `allowRemote`, TCP without a cookie, or a unix
 *   socket path that exists and is not a socket or that a live process listens on.
 * @throws Error with the system's text (`Address already in use`, `Permission denied`, …) when binding fails.
 */
export async function listenIpc(addr: IpcAddress, opts: ListenIpcOptions): Promise<IpcListener> {
  const requireAuth = addr.kind === "tcp" ? true : opts.requireAuth ?? false;
  if (addr.kind === "tcp" && opts.requireAuth === false) {
    throw new IpcAddressError(`IPC address ${addr.text} cannot be used without authentication`);
  }
  if (addr.kind === "tcp" && !addr.loopback && !opts.allowRemote) {
    throw new IpcAddressError(
      `IPC address ${addr.text} is not a loopback address; use -ipcallowremote to listen on it`,
    );
  }
  if (requireAuth && !opts.cookie && !opts.cookieFile) {
    throw new IpcAddressError(`IPC address ${addr.text} requires authentication, but no cookie file is set`);
  }
  const bound = addr.kind === "unix" ? await bindUnix(addr, opts.logger) : bindTcp(addr);
  let cookie: IpcCookie | null = opts.cookie ?? null;
  let ownCookie = false;
  if (requireAuth && !cookie) {
    try {
      cookie = await createIpcCookie(opts.cookieFile!);
      ownCookie = true;
    } catch (e) {
      await bound.close();
      throw new Error(`Cannot write IPC cookie file ${opts.cookieFile}: ${errorText(e)}`);
    }
  }
  if (!requireAuth) cookie = null;
  return new Listener(bound, opts, cookie, ownCookie);
}

/**
 * Connects to `addr`; with auth (always for TCP) runs the client handshake before resolving.
 *
 * @throws IpcConnectError with the system's text (`No such file or directory`, `Connection refused`) and errno
 *   name, or `ETIMEDOUT` after `timeoutMs`.
 * @throws IpcAuthError when the handshake fails.
 */
export async function connectIpc(addr: IpcAddress, opts: ConnectIpcOptions = {}): Promise<IpcStream> {
  const auth = addr.kind === "tcp" ? true : opts.auth ?? false;
  if (addr.kind === "tcp" && opts.auth === false) {
    throw new IpcAddressError(`IPC address ${addr.text} cannot be used without authentication`);
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS;
  const started = Date.now();
  let secret: Uint8Array | null = null;
  if (auth) {
    if (opts.secret) secret = opts.secret;
    else if (opts.cookieFile) secret = await readIpcCookie(opts.cookieFile);
    else {throw new IpcAddressError(
        `IPC address ${addr.text} requires authentication, but no cookie file is set`,
      );}
  }
  const connecting = addr.kind === "unix"
    ? Deno.connect({ transport: "unix", path: addr.path })
    : Deno.connect({ transport: "tcp", hostname: addr.hostname, port: addr.port });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
  let conn: Deno.Conn | null;
  try {
    conn = await Promise.race([connecting, timeout]);
  } catch (e) {
    throw toConnectError(e);
  } finally {
    clearTimeout(timer);
  }
  if (!conn) {
    connecting.then((c) => c.close(), () => {});
    throw new IpcConnectError(`Connection timed out after ${timeoutMs} ms`, "ETIMEDOUT");
  }
  if (addr.kind === "tcp") (conn as Deno.TcpConn).setNoDelay(true);
  if (!secret) return conn;
  return await clientHandshake(conn, { secret, timeoutMs: Math.max(1, timeoutMs - (Date.now() - started)) });
}

interface BoundSocket {
  address: IpcAddress;
  listener: Deno.Listener;
  close(): Promise<void>;
}

async function bindUnix(addr: UnixIpcAddress, logger?: IpcLogger): Promise<BoundSocket> {
  const path = addr.path;
  const slash = path.lastIndexOf("/");
  const parent = slash > 0 ? path.slice(0, slash) : slash === 0 ? "/" : ".";
  await Deno.mkdir(parent, { recursive: true });
  const old = await lstatOrNull(path);
  if (old) {
    if (!old.isSocket) throw new IpcAddressError(`Unix socket path ${path} exists and is not a socket`);
    let live: Deno.Conn | null = null;
    try {
      live = await Deno.connect({ transport: "unix", path });
    } catch (e) {
      if (!(e instanceof Deno.errors.ConnectionRefused)) throw toConnectError(e);
    }
    if (live) {
      live.close();
      throw new IpcAddressError(`Unix socket ${path} is in use by another process`);
    }
    logger?.info(`Removing stale IPC socket ${path}`);
    await Deno.remove(path).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
  }
  let listener: Deno.Listener;
  // Bind inside a fresh 0700 directory, set 0600, then move into place: never reachable with other modes.
  const tmpPathLen = new TextEncoder().encode(parent).length + 1 + ".ipc".length + 16 + "/s".length;
  try {
    if (tmpPathLen < UNIX_PATH_MAX) {
      const tmp = await Deno.makeTempDir({ dir: parent, prefix: ".ipc" });
      try {
        listener = Deno.listen({ transport: "unix", path: `${tmp}/s` });
        try {
          await Deno.chmod(`${tmp}/s`, 0o600);
          await Deno.rename(`${tmp}/s`, path);
        } catch (e) {
          listener.close();
          throw e;
        }
      } finally {
        await Deno.remove(tmp, { recursive: true }).catch(() => {});
      }
    } else {
      listener = Deno.listen({ transport: "unix", path });
      await Deno.chmod(path, 0o600);
    }
  } catch (e) {
    throw new Error(errorText(e));
  }
  const ino = (await Deno.lstat(path)).ino;
  return {
    address: addr,
    listener,
    async close() {
      try {
        listener.close();
      } catch {
        // Already closed.
      }
      const now = await lstatOrNull(path);
      if (now && now.isSocket && now.ino === ino) await Deno.remove(path).catch(() => {});
    },
  };
}

function bindTcp(addr: TcpIpcAddress): BoundSocket {
  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ transport: "tcp", hostname: addr.hostname, port: addr.port });
  } catch (e) {
    throw new Error(errorText(e));
  }
  const port = (listener.addr as Deno.NetAddr).port;
  const text = addr.hostname.includes(":")
    ? `tcp:[${addr.hostname}]:${port}`
    : `tcp:${addr.hostname}:${port}`;
  return {
    address: { ...addr, port, text },
    listener,
    close() {
      try {
        listener.close();
      } catch {
        // Already closed.
      }
      return Promise.resolve();
    },
  };
}

class Listener implements IpcListener {
  readonly address: IpcAddress;
  readonly cookie: IpcCookie | null;
  #bound: BoundSocket;
  #opts: ListenIpcOptions;
  #ownCookie: boolean;
  #open = new Set<Deno.Conn>();
  #handed = new Set<Deno.Conn>();
  #pending = 0;
  #closed: Promise<void> | null = null;
  #loop: Promise<void>;

  constructor(bound: BoundSocket, opts: ListenIpcOptions, cookie: IpcCookie | null, ownCookie: boolean) {
    this.#bound = bound;
    this.address = bound.address;
    this.#opts = opts;
    this.cookie = cookie;
    this.#ownCookie = ownCookie;
    this.#loop = this.#acceptLoop();
  }

  get connections(): number {
    return this.#handed.size;
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#bound.close();
      await this.#loop;
      for (const conn of this.#open) closeQuietly(conn);
      this.#open.clear();
      this.#handed.clear();
      if (this.#ownCookie && this.cookie) await this.cookie.remove();
    })();
    return this.#closed;
  }

  async #acceptLoop(): Promise<void> {
    const max = this.#opts.maxPendingHandshakes ?? 64;
    while (true) {
      let conn: Deno.Conn;
      try {
        conn = await this.#bound.listener.accept();
      } catch (e) {
        if (this.#closed) return;
        if (e instanceof Deno.errors.BadResource || e instanceof Deno.errors.Interrupted) return;
        this.#opts.logger?.warn(`IPC accept on ${this.address.text} failed: ${errorText(e)}`);
        continue;
      }
      if (this.#closed) {
        closeQuietly(conn);
        continue;
      }
      const remote = conn.remoteAddr.transport === "tcp"
        ? formatRemote(conn.remoteAddr as Deno.NetAddr)
        : "unix";
      if (conn.remoteAddr.transport === "tcp") (conn as Deno.TcpConn).setNoDelay(true);
      this.#open.add(conn);
      if (!this.cookie) {
        this.#hand(conn, remote, false);
        continue;
      }
      if (this.#pending >= max) {
        this.#opts.logger?.warn(
          `IPC connection from ${remote} dropped: ${max} authentication handshakes already in progress`,
        );
        this.#forget(conn);
        continue;
      }
      this.#pending++;
      serverHandshake(conn, {
        secret: this.cookie.secret,
        timeoutMs: this.#opts.authTimeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS,
      }).then(
        () => {
          this.#pending--;
          if (this.#closed) return this.#forget(conn);
          this.#opts.logger?.debug("ipc", `IPC connection from ${remote} authenticated`);
          this.#hand(conn, remote, true);
        },
        (e) => {
          this.#pending--;
          this.#open.delete(conn);
          this.#opts.logger?.warn(`${errorText(e)} (connection from ${remote} to ${this.address.text})`);
        },
      );
    }
  }

  #hand(conn: Deno.Conn, remote: string, authenticated: boolean): void {
    this.#handed.add(conn);
    const stream: IpcStream = {
      readable: conn.readable,
      writable: conn.writable,
      close: () => this.#forget(conn),
    };
    this.#opts.logger?.debug("ipc", `IPC connection accepted on ${this.address.text} from ${remote}`);
    const info: IpcConnectionInfo = { address: this.address, remote, authenticated };
    let result: void | Promise<void>;
    try {
      result = this.#opts.onConnection(stream, info);
    } catch (e) {
      this.#failed(conn, e);
      return;
    }
    if (result instanceof Promise) result.catch((e) => this.#failed(conn, e));
  }

  #failed(conn: Deno.Conn, e: unknown): void {
    this.#opts.logger?.warn(`IPC connection on ${this.address.text} failed: ${errorText(e)}`);
    this.#forget(conn);
  }

  #forget(conn: Deno.Conn): void {
    this.#open.delete(conn);
    this.#handed.delete(conn);
    closeQuietly(conn);
  }
}

function formatRemote(a: Deno.NetAddr): string {
  return a.hostname.includes(":") ? `tcp:[${a.hostname}]:${a.port}` : `tcp:${a.hostname}:${a.port}`;
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

async function lstatOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.lstat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

const ERRNO: Array<[new (...args: never[]) => Error, string]> = [
  [Deno.errors.NotFound, "ENOENT"],
  [Deno.errors.ConnectionRefused, "ECONNREFUSED"],
  [Deno.errors.PermissionDenied, "EACCES"],
  [Deno.errors.NotADirectory, "ENOTDIR"],
  [Deno.errors.TimedOut, "ETIMEDOUT"],
  [Deno.errors.AddrNotAvailable, "EADDRNOTAVAIL"],
  [Deno.errors.ConnectionReset, "ECONNRESET"],
];

function toConnectError(e: unknown): IpcConnectError {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === "string") return new IpcConnectError(errorText(e), code);
  for (const [cls, name] of ERRNO) if (e instanceof cls) return new IpcConnectError(errorText(e), name);
  return new IpcConnectError(errorText(e), "EIO");
}

function errorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/ \(os error \d+\)$/, "");
}
