/**
 * The JSON-RPC HTTP server of `tsbtc node` (Core's `src/httpserver.cpp` + `src/httprpc.cpp`): HTTP/1.1 with
 * keep-alive on `-rpcbind`/`-rpcport` (loopback unless `-rpcallowip` and `-rpcbind` are both given),
 * `-rpcallowip` checks (403), only POST on `/` and `/wallet/<name>`, Core's size limits (413/400), a bounded
 * work queue (503 "Work queue depth exceeded"), and authentication by cookie, `-rpcuser`/`-rpcpassword` and
 * `-rpcauth` with a 250 ms delay before a 401 that blocks nobody else.
 *
 * Built on `Deno.serve` (Rust HTTP parsing), measured faster than a hand-written HTTP/1.1 parser over
 * `Deno.listen` (docs/performance.md).
 *
 * @module
 */
import { baseParams } from "../core/chain_params_base.ts";
import {
  COOKIE_PERMS,
  cookieFilePath,
  deleteCookie,
  generateCookie,
  parseRpcAuth,
  permsToSymbolicString,
  RpcAuthenticator,
} from "./auth.ts";
import { HttpStatus } from "./protocol.ts";
import { parseIp, parseSubnet, splitHostPort, type Subnet, subnetMatch, subnetToString } from "./subnet.ts";
import type { ArgsLike } from "./args_like.ts";
import type { RpcTable } from "./table.ts";
import { WorkQueue } from "./work_queue.ts";

/** Core's `DEFAULT_HTTP_THREADS`. */
export const DEFAULT_HTTP_THREADS = 16;
/** Core's `DEFAULT_HTTP_WORKQUEUE`. */
export const DEFAULT_HTTP_WORKQUEUE = 64;
/** Core's `DEFAULT_HTTP_SERVER_TIMEOUT` (seconds). */
export const DEFAULT_HTTP_SERVER_TIMEOUT = 30;
/** Core's `MAX_BODY_SIZE` (32 MiB). */
export const MAX_BODY_SIZE = 32 * 1024 * 1024;
/** Core's `MAX_HEADERS_SIZE`. */
export const MAX_HEADERS_SIZE = 8192;
/** Core's delay before answering a wrong password (ms). */
export const AUTH_FAIL_DELAY_MS = 250;

/** The logger the server writes to (`util/logging.ts`'s `Logger` fits). */
export interface RpcServerLogger {
  /** Unconditional line. */
  info(msg: string): void;
  /** `[warning]` line. */
  warn(msg: string): void;
  /** `[error]` line. */
  error(msg: string): void;
  /** Line in a debug category (`http`, `rpc`), written only when enabled. */
  debug(category: string, msg: string): void;
  /** True when `category` is enabled (lets the server skip building debug lines). */
  enabled?(category: string): boolean;
}

export type { ArgsLike } from "./args_like.ts";

/** Everything the server needs; see `serverOptionsFromArgs` for the command-line mapping. */
export interface RpcServerOptions {
  /** The dispatch table. */
  table: RpcTable;
  /** Network data directory (for the cookie file). */
  netDataDir: string;
  /** `-rpcport`; 0 picks a free port (all endpoints then share the port the first one got). */
  port: number;
  /** `-rpcbind` values (`host`, `host:port`, `[v6]:port`); used only together with `rpcAllowIp`. */
  rpcBind?: readonly string[];
  /** `-rpcallowip` subnets, allowed in addition to 127.0.0.0/8 and ::1. */
  rpcAllowIp?: readonly string[];
  /** `-rpccookiefile` (relative to `netDataDir`); `false` for `-norpccookiefile`. */
  cookieFile?: string | false;
  /** `-rpccookieperms` (`owner`, `group`, `all`); default: 0600. */
  cookiePerms?: string;
  /** `-rpcuser`. */
  rpcUser?: string;
  /** `-rpcpassword`; when set, no cookie is written. */
  rpcPassword?: string;
  /** `-rpcauth` values. */
  rpcAuth?: readonly string[];
  /** `-rpcthreads` (default 16): handlers running at once. */
  threads?: number;
  /** `-rpcworkqueue` (default 64): requests waiting for a handler. */
  workQueue?: number;
  /** `-rpcservertimeout` in seconds (default 30): limit for receiving a request body. 0: no limit. */
  serverTimeout?: number;
  /** Delay before a 401 for wrong credentials (default 250 ms). */
  authFailDelayMs?: number;
  /** Body size limit (default 32 MiB). */
  maxBodySize?: number;
  /**
   * Header size limit checked per request, e.g. `MAX_HEADERS_SIZE` (8192, Core's). Default: not checked here;
   * the HTTP layer (hyper) answers 400 to headers over 64 KiB. Checking costs about 20% of the peak request
   * rate, so it is opt-in.
   */
  maxHeadersSize?: number;
  /** Serve `/wallet/<name>` as well as `/` (default true). */
  walletEndpoint?: boolean;
  /** Logger. */
  logger?: RpcServerLogger;
  /** How long `stop()` waits for connections to finish (default 30000 ms, as Core). */
  shutdownTimeoutMs?: number;
}

function optArg(args: ArgsLike, name: string): string | undefined {
  const v = args.getArg(name);
  return v === null || v === undefined ? undefined : v;
}

/** Reads the server's options from the command line / config (`-rpcport`, `-rpcbind`, `-rpcauth`, …). */
export function serverOptionsFromArgs(
  args: ArgsLike,
  extra: { table: RpcTable; logger?: RpcServerLogger },
): RpcServerOptions {
  const negatedCookie = args.isNegated?.("-rpccookiefile") ?? false;
  const cookieArg = optArg(args, "-rpccookiefile");
  return {
    table: extra.table,
    logger: extra.logger,
    netDataDir: args.netDataDir,
    port: args.getInt("-rpcport", baseParams(args.network).rpcPort),
    rpcBind: args.getArgs("-rpcbind"),
    rpcAllowIp: args.getArgs("-rpcallowip"),
    cookieFile: negatedCookie || cookieArg === "0" || cookieArg === "" ? false : cookieArg,
    cookiePerms: optArg(args, "-rpccookieperms"),
    rpcUser: optArg(args, "-rpcuser"),
    rpcPassword: optArg(args, "-rpcpassword"),
    rpcAuth: args.getArgs("-rpcauth"),
    threads: args.getInt("-rpcthreads", DEFAULT_HTTP_THREADS),
    workQueue: args.getInt("-rpcworkqueue", DEFAULT_HTTP_WORKQUEUE),
    serverTimeout: args.getInt("-rpcservertimeout", DEFAULT_HTTP_SERVER_TIMEOUT),
    // Core (libevent) refuses a request line plus headers over 8 KiB with 400, before routing.
    maxHeadersSize: MAX_HEADERS_SIZE,
  };
}

/**
 * The addresses the RPC server binds (Core's `HTTPBindAddresses`): every `-rpcbind` when `-rpcallowip` is given
 * too, else `::1` and `127.0.0.1` on `-rpcport`; with Core's warnings for an option that is ignored. Throws
 * `Invalid port specified in -rpcbind: '…'`.
 */
export function rpcEndpoints(
  opts: Pick<RpcServerOptions, "port" | "rpcBind" | "rpcAllowIp">,
): { endpoints: Array<{ host: string; port: number }>; warnings: string[] } {
  const allow = opts.rpcAllowIp ?? [];
  const bind = opts.rpcBind ?? [];
  const warnings: string[] = [];
  if (allow.length === 0 || bind.length === 0) {
    if (allow.length > 0) {
      warnings.push("Option -rpcallowip was specified without -rpcbind; this doesn't usually make sense");
    }
    if (bind.length > 0) {
      warnings.push(
        "Option -rpcbind was ignored because -rpcallowip was not specified, refusing to allow everyone to connect",
      );
    }
    return {
      endpoints: [{ host: "::1", port: opts.port }, { host: "127.0.0.1", port: opts.port }],
      warnings,
    };
  }
  const endpoints = bind.map((b) => {
    const { host, port, valid } = splitHostPort(b);
    if (!valid) throw new Error(`Invalid port specified in -rpcbind: '${b}'`);
    return { host, port: port ?? opts.port };
  });
  return { endpoints, warnings };
}

/** One listening endpoint. */
export interface BoundAddress {
  /** Address as bound (`127.0.0.1`, `::1`). */
  hostname: string;
  /** Port (the real one when 0 was asked). */
  port: number;
}

const JSON_HEADERS = { "content-type": "application/json" };
const TEXT_HEADERS = { "content-type": "text/html; charset=ISO-8859-1" };
const CLOSE_HEADERS = { "connection": "close" };
const AUTH_HEADERS = { "www-authenticate": 'Basic realm="jsonrpc"' };

function reply(status: number, body = "", headers?: Record<string, string>): Response {
  if (body === "") return new Response(null, headers ? { status, headers } : { status });
  return new Response(body, { status, headers: headers ?? TEXT_HEADERS });
}

class TooLarge extends Error {}
class BodyTimeout extends Error {}

/** Reads a request body as text with a size limit (throws `TooLarge`). */
async function readBody(req: Request, max: number): Promise<string> {
  const cl = req.headers.get("content-length");
  if (cl !== null) {
    if (!/^\s*\d+\s*$/.test(cl)) throw new Error("Cannot parse Content-Length value");
    const n = Number(cl);
    if (n > max) throw new TooLarge();
    return await req.text();
  }
  if (req.body === null) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (true) {
      const r = await reader.read();
      if (r.done) break;
      total += r.value.byteLength;
      if (total > max) throw new TooLarge();
      chunks.push(r.value);
    }
  } catch (err) {
    reader.cancel().catch(() => {});
    throw err;
  }
  const all = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.byteLength;
  }
  return DECODER.decode(all);
}

const DECODER = new TextDecoder();

function peerString(a: Deno.NetAddr): string {
  return a.hostname.includes(":") ? `[${a.hostname}]:${a.port}` : `${a.hostname}:${a.port}`;
}

function headersTooLarge(req: Request, start: number, max: number): boolean {
  let n = start;
  for (const [k, v] of req.headers) n += k.length + v.length + 4;
  return n > max;
}

interface PendingBody {
  start: number;
  reject: (err: Error) => void;
}

/** The running HTTP JSON-RPC server. Create with `RpcServer.start`. */
export class RpcServer {
  #opts: RpcServerOptions;
  #servers: Deno.HttpServer<Deno.NetAddr>[] = [];
  #addresses: BoundAddress[] = [];
  #allow: Subnet[] = [];
  #allowCache = new Map<string, boolean>();
  #auth = new RpcAuthenticator();
  #queue: WorkQueue;
  #cookiePath: string | null = null;
  #stopping = false;
  #stopped: Promise<void> | null = null;
  #log: RpcServerLogger | undefined;
  #loopbackOnly = false;
  #pendingBodies = new Set<PendingBody>();
  #sweeper: ReturnType<typeof setInterval> | undefined;

  private constructor(opts: RpcServerOptions) {
    this.#opts = opts;
    this.#log = opts.logger;
    this.#queue = new WorkQueue(
      opts.threads ?? DEFAULT_HTTP_THREADS,
      opts.workQueue ?? DEFAULT_HTTP_WORKQUEUE,
    );
  }

  /**
   * Sets up authentication (writes the cookie unless `-rpcpassword` is given or the cookie is disabled), binds
   * the endpoints and starts serving. Throws with Core's messages: `Invalid -rpcallowip subnet specification:
   * …`, `Invalid -rpccookieperms=…`, `Invalid -rpcauth argument.`, `Invalid port specified in -rpcbind: '…'`,
   * `Unable to bind any endpoint for RPC server`.
   */
  static async start(opts: RpcServerOptions): Promise<RpcServer> {
    const s = new RpcServer(opts);
    s.#initAllowList();
    await s.#initAuth();
    try {
      await s.#bind();
    } catch (err) {
      if (s.#cookiePath !== null) await deleteCookie(s.#cookiePath);
      throw err;
    }
    return s;
  }

  /** Endpoints listening. */
  get addresses(): readonly BoundAddress[] {
    return this.#addresses;
  }

  /** Port of the first endpoint. */
  get port(): number {
    return this.#addresses[0].port;
  }

  /** Path of the cookie this server wrote, or null. */
  get cookiePath(): string | null {
    return this.#cookiePath;
  }

  /** The work queue (for tests and `getrpcinfo`-like reports). */
  get workQueue(): WorkQueue {
    return this.#queue;
  }

  #initAllowList(): void {
    this.#allow = [parseSubnet("127.0.0.0/8")!, parseSubnet("::1")!];
    for (const s of this.#opts.rpcAllowIp ?? []) {
      const subnet = parseSubnet(s);
      if (subnet === null) {
        throw new Error(
          `Invalid -rpcallowip subnet specification: ${s}. Valid values are a single IP (e.g. 1.2.3.4), a ` +
            "network/netmask (e.g. 1.2.3.4/255.255.255.0), a network/CIDR (e.g. 1.2.3.4/24), all ipv4 " +
            "(0.0.0.0/0), or all ipv6 (::/0). RFC4193 is allowed only if -cjdnsreachable=0.",
        );
      }
      this.#allow.push(subnet);
    }
    this.#log?.debug("http", `Allowing HTTP connections from: ${this.#allow.map(subnetToString).join(" ")} `);
  }

  async #initAuth(): Promise<void> {
    const o = this.#opts;
    const log = this.#log;
    if (!o.rpcPassword) {
      let perms = 0o600;
      if (o.cookiePerms !== undefined) {
        const p = COOKIE_PERMS[o.cookiePerms];
        if (p === undefined) {
          throw new Error(
            `Invalid -rpccookieperms=${o.cookiePerms}; must be one of 'owner', 'group', or 'all'.`,
          );
        }
        perms = p;
      }
      const path = cookieFilePath(o.netDataDir, o.cookieFile);
      if (path === null) {
        log?.info("RPC authentication cookie file generation is disabled.");
      } else {
        let pass: string;
        try {
          pass = await generateCookie(path, perms);
        } catch (err) {
          throw new Error(
            `Unable to open cookie authentication file ${path}.tmp for writing: ${(err as Error).message}`,
          );
        }
        this.#cookiePath = path;
        log?.info(`Generated RPC authentication cookie ${path}`);
        log?.info(`Permissions used for cookie: ${permsToSymbolicString(perms)}`);
        log?.info("Using random cookie authentication.");
        this.#auth.addPlain("__cookie__", pass);
      }
    } else {
      log?.info("Using rpcuser/rpcpassword authentication.");
      log?.warn(
        "The use of rpcuser/rpcpassword is less secure, because credentials are configured in plain text. It " +
          "is recommended that locally-run instances switch to cookie-based auth, or otherwise to use hashed " +
          "rpcauth credentials. See share/rpcauth in the source directory for more information.",
      );
      this.#auth.addPlain(o.rpcUser ?? "", o.rpcPassword);
    }
    const rpcauth = o.rpcAuth ?? [];
    if (rpcauth.length > 0) {
      log?.info("Using rpcauth authentication.");
      for (const a of rpcauth) {
        try {
          this.#auth.add(parseRpcAuth(a));
        } catch (err) {
          if (this.#cookiePath !== null) await deleteCookie(this.#cookiePath);
          throw err;
        }
      }
    }
  }

  #endpoints(): Array<{ host: string; port: number }> {
    const { endpoints, warnings } = rpcEndpoints(this.#opts);
    for (const w of warnings) this.#log?.warn(w);
    return endpoints;
  }

  async #bind(): Promise<void> {
    let assigned: number | null = null;
    for (const ep of this.#endpoints()) {
      const port = ep.port === 0 && assigned !== null ? assigned : ep.port;
      this.#log?.info(`Binding RPC on address ${ep.host} port ${ep.port}`);
      if (ep.host === "0.0.0.0" || ep.host === "::") {
        this.#log?.warn(
          "The RPC server is not safe to expose to untrusted networks such as the public internet",
        );
      }
      try {
        const server = await this.#listen(ep.host, port);
        this.#servers.push(server);
        this.#addresses.push({ hostname: ep.host, port: server.addr.port });
        if (ep.port === 0 && assigned === null) assigned = server.addr.port;
      } catch (err) {
        const what = err instanceof Deno.errors.AddrInUse
          ? `Unable to bind to ${ep.host}:${port} on this computer. tsbtc is probably already running.`
          : `Unable to bind to ${ep.host}:${port} on this computer (bind returned error ${
            (err as Error).message
          })`;
        this.#log?.warn(`Binding RPC on address ${ep.host} port ${port} failed: ${what}`);
      }
    }
    if (this.#servers.length === 0) throw new Error("Unable to bind any endpoint for RPC server");
    this.#loopbackOnly = this.#addresses.every((a) => {
      const ip = parseIp(a.hostname);
      return ip !== null && (ip.length === 4 ? ip[0] === 127 : ip.every((b, i) => b === (i === 15 ? 1 : 0)));
    });
    this.#startSweeper();
    const o = this.#opts;
    this.#log?.debug("http", `set work queue of depth ${Math.max(1, o.workQueue ?? DEFAULT_HTTP_WORKQUEUE)}`);
    this.#log?.info(
      `Starting HTTP server with ${Math.max(1, o.threads ?? DEFAULT_HTTP_THREADS)} worker threads`,
    );
  }

  #listen(hostname: string, port: number): Promise<Deno.HttpServer<Deno.NetAddr>> {
    return new Promise((resolve, reject) => {
      try {
        let server: Deno.HttpServer<Deno.NetAddr> | null = null;
        let listening = false;
        server = Deno.serve({
          hostname,
          port,
          onListen: () => {
            listening = true;
            queueMicrotask(() => resolve(server!));
          },
          onError: (err) => {
            this.#log?.warn(`Unexpected error while processing request: ${(err as Error).message}`);
            return new Response("Internal Server Error", { status: 500, headers: CLOSE_HEADERS });
          },
        }, (req, info) => this.#handle(req, info));
        if (listening) queueMicrotask(() => resolve(server!));
      } catch (err) {
        reject(err);
      }
    });
  }

  /** Reads the body; rejected by the sweeper after `-rpcservertimeout` or at stop, so nothing waits forever. */
  #readBodyGuarded(req: Request): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const entry: PendingBody = { start: Date.now(), reject };
      this.#pendingBodies.add(entry);
      readBody(req, this.#opts.maxBodySize ?? MAX_BODY_SIZE).then((s) => {
        this.#pendingBodies.delete(entry);
        resolve(s);
      }, (err) => {
        this.#pendingBodies.delete(entry);
        reject(err);
      });
    });
  }

  #startSweeper(): void {
    const timeoutMs = (this.#opts.serverTimeout ?? DEFAULT_HTTP_SERVER_TIMEOUT) * 1000;
    if (timeoutMs <= 0) return;
    this.#sweeper = setInterval(() => {
      const now = Date.now();
      for (const p of this.#pendingBodies) {
        if (now - p.start > timeoutMs) {
          this.#pendingBodies.delete(p);
          p.reject(new BodyTimeout("HTTP client idle timeout"));
        }
      }
    }, Math.min(1000, timeoutMs));
    Deno.unrefTimer(this.#sweeper as unknown as number);
  }

  #clientAllowed(host: string): boolean {
    let ok = this.#allowCache.get(host);
    if (ok === undefined) {
      const ip = parseIp(host);
      ok = ip !== null && this.#allow.some((s) => subnetMatch(s, ip));
      if (this.#allowCache.size > 1024) this.#allowCache.clear();
      this.#allowCache.set(host, ok);
    }
    return ok;
  }

  async #handle(req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>): Promise<Response> {
    const log = this.#log;
    const debugHttp = log !== undefined && (log.enabled?.("http") ?? true);
    let peerText: string | undefined;
    const peer = () => (peerText ??= peerString(info.remoteAddr));
    // A loopback listener only ever sees loopback peers, which are always allowed: skip the lookup then.
    if (!this.#loopbackOnly && !this.#clientAllowed(info.remoteAddr.hostname)) {
      if (debugHttp) {
        log!.debug("http", `HTTP request from ${peer()} rejected: Client network is not allowed RPC access`);
      }
      return reply(HttpStatus.FORBIDDEN);
    }
    const method = req.method;
    if (method !== "POST" && method !== "GET" && method !== "HEAD" && method !== "PUT") {
      if (debugHttp) log!.debug("http", `HTTP request from ${peer()} rejected: Unknown HTTP request method`);
      return reply(HttpStatus.BAD_METHOD);
    }
    const url = req.url;
    const target = url.slice(url.indexOf("/", url.indexOf("//") + 2));
    if (debugHttp) log!.debug("http", `Received a ${method} request for ${target} from ${peer()}`);
    const maxHeaders = this.#opts.maxHeadersSize;
    if (maxHeaders !== undefined && headersTooLarge(req, method.length + target.length + 11, maxHeaders)) {
      if (debugHttp) {
        log!.debug(
          "http",
          `Error reading HTTP request from client ${peer()}: HTTP headers exceed size limit`,
        );
      }
      return reply(HttpStatus.BAD_REQUEST, "", CLOSE_HEADERS);
    }
    if (target !== "/" && !(this.#opts.walletEndpoint !== false && target.startsWith("/wallet/"))) {
      return reply(HttpStatus.NOT_FOUND);
    }
    if (this.#stopping) {
      return reply(HttpStatus.SERVICE_UNAVAILABLE, "Request rejected during server shutdown");
    }
    let body: string;
    try {
      body = await this.#readBodyGuarded(req);
    } catch (err) {
      if (err instanceof TooLarge) {
        if (debugHttp) {
          log!.debug("http", `HTTP request body too large from client ${peer()}: Max body size exceeded`);
        }
        return reply(HttpStatus.CONTENT_TOO_LARGE, "", CLOSE_HEADERS);
      }
      if (debugHttp) {
        log!.debug("http", `Error reading HTTP request from client ${peer()}: ${(err as Error).message}`);
      }
      return reply(HttpStatus.BAD_REQUEST, "", CLOSE_HEADERS);
    }
    const slot = this.#queue.tryEnter();
    if (slot === null) {
      log?.warn(
        "Request rejected because http work queue depth exceeded, it can be increased with the -rpcworkqueue= setting",
      );
      return reply(HttpStatus.SERVICE_UNAVAILABLE, "Work queue depth exceeded");
    }
    await slot;
    let released = false;
    try {
      if (method !== "POST") return reply(HttpStatus.BAD_METHOD, "JSONRPC server handles only POST requests");
      const authHeader = req.headers.get("authorization");
      if (authHeader === null) return reply(HttpStatus.UNAUTHORIZED, "", AUTH_HEADERS);
      const auth = this.#auth.check(authHeader);
      if (!auth.ok) {
        log?.warn(`ThreadRPCServer incorrect password attempt from ${peer()}`);
        released = true;
        this.#queue.leave();
        await new Promise((r) => setTimeout(r, this.#opts.authFailDelayMs ?? AUTH_FAIL_DELAY_MS));
        return reply(HttpStatus.UNAUTHORIZED, "", AUTH_HEADERS);
      }
      const r = await this.#opts.table.execute(body, { uri: target, user: auth.user, peerAddr: peer });
      return r.body === ""
        ? reply(r.status)
        : new Response(r.body, { status: r.status, headers: JSON_HEADERS });
    } catch (err) {
      log?.warn(
        `Unexpected error while processing request for '${target}'. Error msg: '${(err as Error).message}'`,
      );
      return reply(HttpStatus.INTERNAL_SERVER_ERROR, (err as Error).message, CLOSE_HEADERS);
    } finally {
      if (!released) this.#queue.leave();
    }
  }

  /**
   * Stops serving: new requests get 503, running ones finish, listeners close, and the cookie file (if this
   * server wrote it) is removed. Safe to call more than once.
   */
  stop(): Promise<void> {
    if (this.#stopped !== null) return this.#stopped;
    this.#stopping = true;
    this.#stopped = (async () => {
      this.#log?.debug("http", "Stopping HTTP server");
      clearInterval(this.#sweeper);
      for (const p of this.#pendingBodies) p.reject(new Error("Request rejected during server shutdown"));
      this.#pendingBodies.clear();
      // Let the answers to those requests go out (with "Connection: close") before the graceful shutdown,
      // which would otherwise wait for their unfinished bodies.
      await new Promise((r) => setTimeout(r, 20));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<boolean>((
        r,
      ) => (timer = setTimeout(() => r(false), this.#opts.shutdownTimeoutMs ?? 30000)));
      const done = await Promise.race([
        Promise.all(this.#servers.map((s) => s.shutdown())).then(() => true),
        timeout,
      ]);
      clearTimeout(timer);
      if (!done) {
        this.#log?.warn("Timeout waiting for HTTP clients to disconnect gracefully, continuing shutdown");
      }
      if (this.#cookiePath !== null) {
        try {
          await deleteCookie(this.#cookiePath);
        } catch (err) {
          this.#log?.warn(
            `Unable to remove random auth cookie file ${this.#cookiePath}: ${(err as Error).message}`,
          );
        }
      }
      this.#log?.debug("http", "Stopped HTTP server");
    })();
    return this.#stopped;
  }
}
