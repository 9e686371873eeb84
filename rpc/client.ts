/**
 * The bitcoin-cli-compatible client (`tsbtc rpc`), after Core's `src/bitcoin-cli.cpp`: request building with
 * Core's argument conversion, `-stdin`/`-stdinrpcpass`/`-stdinwalletpassphrase`, `-rpcwallet` endpoints,
 * `-rpcwait`, Core's HTTP client behaviour and error texts, and bitcoin-cli's output and exit statuses (result
 * on stdout — strings bare, JSON indented by 2; errors on stderr as `error code: N` / `error message:`, exit
 * status |code|; other failures `error: …`, exit 1).
 *
 * The transport is pluggable: `runCli(args, transport)` takes `(body, uri) => {status, body}` so an IPC
 * transport (`-ipcconnect`) can replace HTTP.
 *
 * @module
 */
import { baseParams } from "../core/chain_params_base.ts";
import { cookieFilePath, readCookie } from "./auth.ts";
import { convertNamedValues, convertValues, namedParamsToJson } from "./convert.ts";
import { RpcErrorCode } from "./errors.ts";
import {
  isRawJson,
  type JsonObject,
  type JsonValue,
  parseJsonLossless,
  typeName,
  writeJson,
  writeJsonPretty,
} from "./json.ts";
import { HttpStatus } from "./protocol.ts";
import type { ArgsLike } from "./server.ts";
import { splitHostPort } from "./subnet.ts";
import { urlEncode } from "./url.ts";
import { delay } from "../util/async.ts";

/** Core's `DEFAULT_RPCCONNECT`. */
export const DEFAULT_RPCCONNECT = "127.0.0.1";
/** Core's `DEFAULT_HTTP_CLIENT_TIMEOUT` (seconds). */
export const DEFAULT_HTTP_CLIENT_TIMEOUT = 900;
/** Core's `DEFAULT_RPC_REQ_ID`. */
export const DEFAULT_RPC_REQ_ID = "1";
/** How the client names itself in hints. */
export const CLI_PROGRAM = "tsbtc rpc";

/**
 * A failure to reach the server (Core's `CConnectionFailed`): retried under `-rpcwait`, then reported as
 * `timeout on transient error: …`.
 */
export class CliConnectionError extends Error {
  /** Creates the error with its message. */
  constructor(message: string) {
    super(message);
    this.name = "CliConnectionError";
  }
}

/** An HTTP-level reply. */
export interface CliTransportResponse {
  /** HTTP status (IPC transports report 200, or the status the server's `execute` gave). */
  status: number;
  /** Reply text. */
  body: string;
}

/**
 * Sends one JSON-RPC request text to `uri` (`/` or `/wallet/<name>`) and returns the reply. Throw
 * `CliConnectionError` for transient connection problems, any other Error for fatal ones.
 */
export type CliTransport = (body: string, uri: string) => Promise<CliTransportResponse>;

/** Where the client connects and how it authenticates (see `clientOptionsFromArgs`). */
export interface RpcClientOptions {
  /** Host (from `-rpcconnect`). */
  host: string;
  /** Port (`-rpcport`, else the port in `-rpcconnect`, else the network's). */
  port: number;
  /** `-rpcclienttimeout` in seconds; 0: no timeout. */
  timeout: number;
  /** `-rpcuser`. */
  user: string;
  /** `-rpcpassword`; "" or undefined: use the cookie. */
  password?: string;
  /** Cookie file path; null when disabled (`-norpccookiefile`). */
  cookiePath: string | null;
  /** Configuration file path, named in the 401 message. */
  configFile: string;
}

/** Core's cookie read result, for the 401 message. */
type CookieResult = "ok" | "error" | "disabled";

function optArg(args: ArgsLike, name: string): string | undefined {
  const v = args.getArg(name);
  return v === null || v === undefined ? undefined : v;
}

/**
 * Reads the connection options like Core's `CallRPC`. Throws "Invalid port provided in -rpcconnect: …" /
 * "Invalid port provided in -rpcport: …"; `warn` receives "Warning: Port specified in both -rpcconnect and
 * -rpcport. Using -rpcport N".
 */
export function clientOptionsFromArgs(
  args: ArgsLike,
  overrides: { password?: string; warn?: (msg: string) => void } = {},
): RpcClientOptions {
  let port = baseParams(args.network).rpcPort;
  const connect = optArg(args, "-rpcconnect") ?? DEFAULT_RPCCONNECT;
  const hp = splitHostPort(connect);
  if (!hp.valid) throw new Error(`Invalid port provided in -rpcconnect: ${connect}`);
  if (hp.port !== null) port = hp.port;
  const portArg = optArg(args, "-rpcport");
  if (portArg !== undefined) {
    const n = /^\+?\d+$/.test(portArg) ? Number(portArg) : 0;
    if (n <= 0 || n > 65535) throw new Error(`Invalid port provided in -rpcport: ${portArg}`);
    port = n;
    if (hp.port !== null) {
      overrides.warn?.(`Warning: Port specified in both -rpcconnect and -rpcport. Using -rpcport ${port}\n`);
    }
  }
  const negated = args.isNegated?.("-rpccookiefile") ?? false;
  const cookieArg = optArg(args, "-rpccookiefile");
  const conf = optArg(args, "-conf") ?? "bitcoin.conf";
  return {
    host: hp.host,
    port,
    timeout: args.getInt("-rpcclienttimeout", DEFAULT_HTTP_CLIENT_TIMEOUT),
    user: optArg(args, "-rpcuser") ?? "",
    password: overrides.password ?? optArg(args, "-rpcpassword"),
    cookiePath: negated || cookieArg === "0" ? null : cookieFilePath(args.netDataDir, cookieArg),
    configFile: conf.startsWith("/") ? conf : `${args.dataDir.replace(/\/+$/, "")}/${conf}`,
  };
}

const ENC = new TextEncoder();
const DEC = new TextDecoder();

class HttpError extends Error {}

/** Minimal HTTP/1.1 POST over TCP as bitcoin-cli sends it (`Connection: close`), with Core's error texts. */
export async function httpPost(
  host: string,
  port: number,
  uri: string,
  headers: ReadonlyArray<[string, string]>,
  body: string,
  timeoutMs: number,
): Promise<CliTransportResponse> {
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
  const withDeadline = <T>(p: Promise<T>, onTimeout: () => void): Promise<T> => {
    if (deadline === Infinity) return p;
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          onTimeout();
          reject(new CliConnectionError("timeout"));
        }, Math.max(0, deadline - Date.now()));
      }),
    ]).finally(() => clearTimeout(timer));
  };
  let conn: Deno.TcpConn;
  try {
    conn = await withDeadline(Deno.connect({ hostname: host, port }), () => {});
  } catch (err) {
    if (err instanceof CliConnectionError) throw new CliConnectionError("Could not connect to the server");
    const msg = (err as Error).message;
    if (/lookup|resolve|Name or service|nodename/i.test(msg)) {
      throw new CliConnectionError(`Could not resolve host: ${host}`);
    }
    throw new CliConnectionError("Could not connect to the server");
  }
  try {
    const bodyBytes = ENC.encode(body);
    let head =
      `POST ${uri} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nContent-Length: ${bodyBytes.length}\r\n`;
    for (const [k, v] of headers) head += `${k}: ${v}\r\n`;
    head += "\r\n";
    const req = new Uint8Array(ENC.encode(head).length + bodyBytes.length);
    const headBytes = ENC.encode(head);
    req.set(headBytes);
    req.set(bodyBytes, headBytes.length);
    try {
      let off = 0;
      while (off < req.length) off += await withDeadline(conn.write(req.subarray(off)), () => conn.close());
    } catch (err) {
      if (err instanceof CliConnectionError) throw err;
      throw new CliConnectionError("Failed to send HTTP request");
    }
    return await withDeadline(readResponse(conn), () => conn.close());
  } catch (err) {
    if (err instanceof HttpError) throw new CliConnectionError(`HTTP error: ${err.message}`);
    throw err;
  } finally {
    try {
      conn.close();
    } catch { /* already closed */ }
  }
}

async function readResponse(conn: Deno.Conn): Promise<CliTransportResponse> {
  let buf = new Uint8Array(0);
  const chunk = new Uint8Array(65536);
  let eof = false;
  const recv = async (): Promise<void> => {
    let n: number | null;
    try {
      n = await conn.read(chunk);
    } catch (err) {
      throw new CliConnectionError(`Read error: ${(err as Error).message}`);
    }
    if (n === null) {
      eof = true;
      return;
    }
    const nb = new Uint8Array(buf.length + n);
    nb.set(buf);
    nb.set(chunk.subarray(0, n), buf.length);
    buf = nb;
  };
  const find = (from: number): number => {
    for (let i = from; i + 3 < buf.length; i++) {
      if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) return i;
    }
    return -1;
  };
  let headEnd = -1;
  while ((headEnd = find(0)) < 0) {
    await recv();
    if (eof) throw new CliConnectionError("EOF");
  }
  const headText = DEC.decode(buf.subarray(0, headEnd));
  const lines = headText.split("\r\n");
  const statusLine = lines[0];
  if (statusLine.length < 12 || !statusLine.startsWith("HTTP/")) throw new HttpError("Invalid status line");
  const sp = statusLine.indexOf(" ");
  if (sp < 0 || sp + 4 > statusLine.length) throw new HttpError("Invalid status line format");
  const codeText = statusLine.slice(sp + 1, sp + 4);
  if (!/^\d{3}$/.test(codeText)) throw new HttpError("Invalid status code");
  const status = Number(codeText);
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon < 0) throw new HttpError("Header missing colon (:)");
    const key = line.slice(0, colon).trim();
    if (key === "") throw new HttpError("Empty header name");
    headers.push([key.toLowerCase(), line.slice(colon + 1).trim()]);
  }
  const header = (name: string) => headers.find(([k]) => k === name)?.[1];
  let rest = buf.subarray(headEnd + 4);
  const te = header("transfer-encoding");
  if (te !== undefined && te.toLowerCase().includes("chunked")) {
    const parts: Uint8Array[] = [];
    let pos = headEnd + 4;
    while (true) {
      let lineEnd = -1;
      for (let i = pos; i + 1 < buf.length; i++) {
        if (buf[i] === 13 && buf[i + 1] === 10) {
          lineEnd = i;
          break;
        }
      }
      if (lineEnd >= 0) {
        let sizeText = DEC.decode(buf.subarray(pos, lineEnd));
        const semi = sizeText.indexOf(";");
        if (semi >= 0) sizeText = sizeText.slice(0, semi);
        sizeText = sizeText.trim();
        if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new HttpError("Invalid chunk size");
        const size = parseInt(sizeText, 16);
        if (size === 0) break;
        if (buf.length >= lineEnd + 2 + size + 2) {
          parts.push(buf.slice(lineEnd + 2, lineEnd + 2 + size));
          pos = lineEnd + 2 + size + 2;
          continue;
        }
      }
      await recv();
      if (eof) throw new CliConnectionError("EOF");
    }
    const total = parts.reduce((n, p) => n + p.length, 0);
    const all = new Uint8Array(total);
    let off = 0;
    for (const p of parts) {
      all.set(p, off);
      off += p.length;
    }
    return { status, body: DEC.decode(all) };
  }
  const cl = header("content-length");
  if (cl !== undefined) {
    if (!/^\d+$/.test(cl)) throw new HttpError("Invalid Content-Length");
    const len = Number(cl);
    while (buf.length - (headEnd + 4) < len) {
      await recv();
      if (eof) throw new CliConnectionError("EOF");
    }
    rest = buf.subarray(headEnd + 4, headEnd + 4 + len);
    return { status, body: DEC.decode(rest) };
  }
  while (!eof) await recv();
  return { status, body: DEC.decode(buf.subarray(headEnd + 4)) };
}

/** The HTTP transport with Core's credentials handling and error texts. */
export function httpTransport(opts: RpcClientOptions): CliTransport {
  return async (body: string, uri: string) => {
    let credentials: string;
    let cookie: CookieResult | null = null;
    if (!opts.password) {
      if (opts.cookiePath === null) {
        cookie = "disabled";
        credentials = "";
      } else {
        const c = await readCookie(opts.cookiePath);
        cookie = c === null ? "error" : "ok";
        credentials = c ?? "";
      }
    } else {
      credentials = `${opts.user}:${opts.password}`;
    }
    const headers: Array<[string, string]> = [
      ["Content-Type", "application/json"],
      ["Authorization", "Basic " + base64(credentials)],
    ];
    let response: CliTransportResponse;
    try {
      response = await httpPost(opts.host, opts.port, uri, headers, body, opts.timeout * 1000);
    } catch (err) {
      if (!(err instanceof CliConnectionError)) throw err;
      const detail = err.message ? ` (${err.message})` : "";
      throw new CliConnectionError(
        `Error while attempting to communicate with server ${opts.host}:${opts.port}${detail}\n\n` +
          "Make sure the bitcoind server is running and that you are connecting to the correct RPC port.\n" +
          `Use "${CLI_PROGRAM} -help" for more info.`,
      );
    }
    if (response.status === HttpStatus.UNAUTHORIZED) {
      let error = "Authorization failed: ";
      if (cookie === "error") error += "Failed to read cookie file and no rpcpassword was specified.";
      else if (cookie === "disabled") {
        error += "Cookie file was disabled via -norpccookiefile and no rpcpassword was specified.";
      } else if (cookie === "ok") {
        error += "Cookie file credentials were invalid and no rpcpassword was specified.";
      } else error += "Incorrect rpcuser or rpcpassword were specified.";
      error += ` Configuration file: (${opts.configFile})`;
      throw new Error(error);
    }
    return response;
  };
}

function base64(s: string): string {
  const bytes = ENC.encode(s);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Console and stdin access for `runCli` (injectable for tests). */
export interface CliIo {
  /** All of standard input. */
  readStdin(): Promise<string>;
  /** True when stdin is a terminal (prompts are shown then). */
  stdinIsTerminal(): boolean;
  /** Writes to stdout. */
  stdout(text: string): void;
  /** Writes to stderr. */
  stderr(text: string): void;
}

/** The process's real stdin/stdout/stderr. */
export const processIo: CliIo = {
  readStdin: async () => await new Response(Deno.stdin.readable).text(),
  stdinIsTerminal: () => Deno.stdin.isTerminal(),
  stdout: (t) => writeAll(Deno.stdout, t),
  stderr: (t) => writeAll(Deno.stderr, t),
};

function writeAll(w: { writeSync(p: Uint8Array): number }, text: string): void {
  const b = ENC.encode(text);
  let off = 0;
  while (off < b.length) off += w.writeSync(b.subarray(off));
}

/** Builds the request text as bitcoin-cli does (`-named`, `-rpcid`, conversion table). */
export function buildRequest(method: string, args: readonly string[], named: boolean, id: string): string {
  const params = named
    ? namedParamsToJson(convertNamedValues(method, args))
    : writeJson(convertValues(method, args));
  return `{"method":${writeJson(method)},"params":${params},"id":${writeJson(id)},"jsonrpc":"2.0"}\n`;
}

function stdinLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Options of `runCli` beyond the arguments. */
export interface RunCliOptions {
  /** Transport; default HTTP from the arguments (after `-stdinrpcpass`). */
  transport?: CliTransport;
  /**
   * Wraps the HTTP transport built from the arguments, e.g. to try IPC first and fall back to HTTP
   * (`-ipcconnect=auto`). Ignored when `transport` is given.
   */
  wrapTransport?: (http: CliTransport) => CliTransport;
  /** Console access; default the process's. */
  io?: CliIo;
  /** Pause between `-rpcwait` attempts in ms (Core: 1000). */
  retryDelayMs?: number;
}

/**
 * Runs one bitcoin-cli invocation: `args.positional` holds the method and its arguments. Prints the result or
 * error like bitcoin-cli and returns the exit status (0; |error code| for an RPC error — the OS keeps the low
 * 8 bits, as with Core; 1 for other failures).
 */
export async function runCli(args: ArgsLike, options: RunCliOptions = {}): Promise<number> {
  const io = options.io ?? processIo;
  let out = "";
  let ret = 0;
  try {
    let positional = [...args.positional];
    let stdinBuffer: string[] | null = null;
    const stdinNext = async (): Promise<string | null> => {
      stdinBuffer ??= stdinLines(await io.readStdin());
      return stdinBuffer.length > 0 ? stdinBuffer.shift()! : null;
    };
    let password: string | undefined;
    if (args.getBool("-stdinrpcpass", false)) {
      if (io.stdinIsTerminal()) io.stderr("RPC password> ");
      const line = await stdinNext();
      if (line === null) throw new Error("-stdinrpcpass specified but failed to read from standard input");
      if (io.stdinIsTerminal()) io.stdout("\n");
      password = line;
    }
    if (args.getBool("-stdinwalletpassphrase", false)) {
      if (positional.length < 1 || !positional[0].startsWith("walletpassphrase")) {
        throw new Error("-stdinwalletpassphrase is only applicable for walletpassphrase(change)");
      }
      if (io.stdinIsTerminal()) io.stderr("Wallet passphrase> ");
      const line = await stdinNext();
      if (line === null) {
        throw new Error("-stdinwalletpassphrase specified but failed to read from standard input");
      }
      if (io.stdinIsTerminal()) io.stdout("\n");
      positional = [positional[0], line, ...positional.slice(1)];
    }
    if (args.getBool("-stdin", false)) {
      while (true) {
        const line = await stdinNext();
        if (line === null) break;
        positional.push(line);
      }
      if (io.stdinIsTerminal()) io.stdout("\n");
    }
    const commands = ["-getinfo", "-netinfo", "-generate", "-addrinfo"].filter((c) => args.isSet(c));
    if (commands.length > 1) throw new Error(`Only one of ${commands.join(", ")} may be specified.`);
    if (commands.length === 1) throw new Error(`${commands[0]} is not supported by ${CLI_PROGRAM} yet`);
    if (positional.length < 1) throw new Error("too few parameters (need at least command)");
    const method = positional[0];
    const request = buildRequest(
      method,
      positional.slice(1),
      args.getBool("-named", false),
      args.getArg("-rpcid") ?? DEFAULT_RPC_REQ_ID,
    );
    const negatedWallet = args.isNegated?.("-rpcwallet") ?? false;
    const wallet = negatedWallet ? undefined : args.getArg("-rpcwallet") ?? undefined;
    const uri = wallet === undefined ? "/" : "/wallet/" + urlEncode(wallet);
    const transport = options.transport ?? (() => {
      const http = httpTransport(clientOptionsFromArgs(args, { password, warn: (m) => io.stderr(m) }));
      return options.wrapTransport ? options.wrapTransport(http) : http;
    })();
    const reply = await callWithWait(args, transport, request, uri, options.retryDelayMs ?? 1000);
    const error = reply.error;
    if (error === undefined || error === null) {
      const result = reply.result;
      if (result !== undefined && result !== null) {
        out = typeof result === "string" ? result : writeJsonPretty(result, 2);
      }
    } else {
      [out, ret] = formatError(error);
    }
  } catch (err) {
    out = `error: ${(err as Error).message}`;
    ret = 1;
  }
  if (out !== "") (ret === 0 ? io.stdout : io.stderr)(out + "\n");
  return ret;
}

/** Core's `ParseError`: the stderr text and exit status for a JSON-RPC error object. */
export function formatError(error: JsonValue): [string, number] {
  let text = "";
  if (error !== null && typeof error === "object" && !Array.isArray(error) && !isRawJson(error)) {
    const e = error as JsonObject;
    const code = e.code;
    const message = e.message;
    if (code !== undefined && code !== null) {
      text = `error code: ${typeof code === "string" ? code : writeJson(code)}\n`;
    }
    if (typeof message === "string") text += "error message:\n" + message;
    if (typeof code === "number" && code === RpcErrorCode.RPC_WALLET_NOT_SPECIFIED) {
      text += ' Or for the CLI, specify the "-rpcwallet=<walletname>" option before the command';
      text +=
        ` (run "${CLI_PROGRAM} -h" for help or "${CLI_PROGRAM} listwallets" to see which wallets are currently loaded).`;
    }
  } else {
    text = "error: " + writeJson(error);
  }
  const code = error !== null && typeof error === "object" && !Array.isArray(error)
    ? (error as JsonObject).code
    : undefined;
  const n = typeof code === "number" ? code : isRawJson(code) ? Number(code.rawJSON) : NaN;
  if (!Number.isInteger(n)) {
    throw new Error(`JSON value of type ${typeName(code)} is not of expected type number`);
  }
  return [text, Math.abs(n)];
}

async function callOnce(transport: CliTransport, request: string, uri: string): Promise<JsonObject> {
  const response = await transport(request, uri);
  if (response.status === HttpStatus.SERVICE_UNAVAILABLE) {
    throw new Error(`Server response: ${response.body}`);
  }
  if (
    response.status >= 400 && response.status !== HttpStatus.BAD_REQUEST &&
    response.status !== HttpStatus.NOT_FOUND && response.status !== HttpStatus.INTERNAL_SERVER_ERROR
  ) {
    throw new Error(`server returned HTTP error ${response.status}`);
  }
  if (response.body === "") throw new Error("no response from server");
  const value = parseJsonLossless(response.body);
  if (value === undefined) throw new Error("couldn't parse reply from server");
  if (value === null || typeof value !== "object" || Array.isArray(value) || isRawJson(value)) {
    throw new Error(`JSON value of type ${typeName(value)} is not of expected type object`);
  }
  if (Object.keys(value).length === 0) {
    throw new Error("expected reply to have result, error and id properties");
  }
  return value as JsonObject;
}

/** Core's `ConnectAndCallRPC`: retries connection failures (and warmup) under `-rpcwait`. */
async function callWithWait(
  args: ArgsLike,
  transport: CliTransport,
  request: string,
  uri: string,
  retryDelayMs: number,
): Promise<JsonObject> {
  const wait = args.getBool("-rpcwait", false);
  const timeout = args.getInt("-rpcwaittimeout", 0);
  const deadline = Date.now() + timeout * 1000;
  while (true) {
    try {
      const reply = await callOnce(transport, request, uri);
      if (wait) {
        const err = reply.error;
        if (
          err !== null && typeof err === "object" && !Array.isArray(err) &&
          (err as JsonObject).code === RpcErrorCode.RPC_IN_WARMUP
        ) {
          throw new CliConnectionError("server in warmup");
        }
      }
      return reply;
    } catch (err) {
      if (!(err instanceof CliConnectionError) || !wait) throw err;
      if (timeout <= 0 || Date.now() < deadline) await delay(retryDelayMs);
      else throw new CliConnectionError(`timeout on transient error: ${err.message}`);
    }
  }
}
