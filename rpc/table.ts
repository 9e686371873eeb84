/**
 * The RPC dispatch table (Core's `CRPCTable` with `RPCHelpMan` checks and `ExecuteHTTPRPC`): methods are
 * registered with their documentation and a handler; `execute` takes the request text (single or batch) and
 * returns the HTTP status and body exactly as Core's HTTP server would, so the same dispatch serves HTTP and
 * IPC (`Rpc.executeRpc`).
 *
 * @module
 */
import type { ArgsLike } from "./args_like.ts";
import { RpcError, RpcErrorCode, toRpcError } from "./errors.ts";
import { urlDecode } from "./url.ts";
import {
  argNames,
  argTypeMismatch,
  helpText,
  isValidNumArgs,
  type RpcArgSpec,
  type RpcHelpSpec,
} from "./help.ts";
import {
  type DuplicateKey,
  findDuplicateKeys,
  type JsonObject,
  type JsonValue,
  parseJson,
  parseJsonLossless,
  typeName,
  writeJson,
  writeJsonPretty,
} from "./json.ts";
import {
  HttpStatus,
  isNotification,
  type JsonRpcParseState,
  type JsonRpcReply,
  jsonRpcReply,
  type JsonRpcVersion,
  newParseState,
  parseJsonRpcRequest,
} from "./protocol.ts";

/** What a handler knows about the call. */
export interface RpcCallContext {
  /** Method name. */
  readonly method: string;
  /** HTTP path (`/` or `/wallet/<name>`). */
  readonly uri: string;
  /** Authenticated user (`__cookie__` for cookie auth; "" over IPC without user). */
  readonly user: string;
  /** Peer address (`127.0.0.1:51234`), "" when unknown (IPC). */
  readonly peerAddr: string;
  /** Wallet name from a `/wallet/<name>` path (URL-decoded), else null (Core's `GetWalletNameFromJSONRPCRequest`). */
  readonly walletName: string | null;
  /** Request id (undefined: none). */
  readonly id: JsonValue | undefined;
  /** JSON-RPC version of the request. */
  readonly version: JsonRpcVersion;
  /** Positional parameters (named parameters already mapped to positions). */
  readonly params: readonly JsonValue[];
  /** The table that dispatched the call. */
  readonly table: RpcTable;
  /**
   * The parameter named `name`, or its documented default when it was not given (null/absent), or
   * `undefined` when it has no default (Core's `RPCHelpMan::Arg`/`MaybeArg`).
   */
  arg(name: string): JsonValue | undefined;
}

/** A method handler: positional params in, any JSON-serialisable result out. Throw `RpcError` for errors. */
export type RpcHandler = (params: readonly JsonValue[], ctx: RpcCallContext) => unknown;

/** A registered method: documentation (names, arguments, results, examples), category and handler. */
export interface RpcMethod extends RpcHelpSpec {
  /** Category for `help` (`control`, `blockchain`, `wallet`, …; `hidden` is not listed). */
  category: string;
  /** The implementation. */
  handler: RpcHandler;
  /**
   * Give the handler numbers as their exact JSON text (`RawJson`) when a JS number would change them
   * (`1.10`, big integers), as `echo` needs to reply byte-for-byte like Core. Off by default (plain numbers).
   */
  losslessNumbers?: boolean;
}

/** Where a request came from. */
export interface RpcRequestInfo {
  /** HTTP path; default "/". */
  uri?: string;
  /** Authenticated user; default "". */
  user?: string;
  /** Peer address (or a function giving it, called only when needed); default "". */
  peerAddr?: string | (() => string);
}

/** HTTP status, body and content type of a reply; body "" means no body (e.g. 204, 403). */
export interface RpcResponse {
  /** HTTP status code. */
  status: number;
  /** Reply text (JSON plus "\n"), or "". */
  body: string;
}

/** An RPC currently running, for `getrpcinfo`. */
export interface ActiveCommand {
  /** Method name. */
  method: string;
  /** `performance.now()` at start. */
  start: number;
}

/** Minimal logger the table uses for `-debug=rpc` lines. */
export interface RpcLogger {
  /** Writes `msg` when `category` is enabled. */
  debug(category: string, msg: string): void;
  /** Writes a warning. */
  warn(msg: string): void;
}

/** Options of a table. */
export interface RpcTableOptions {
  /** Start in warmup with this status (every call fails with -28 and the status until `setWarmupFinished`). */
  warmup?: string;
  /** Logger for `ThreadRPCServer method=…` lines (category `rpc`) and whitelist warnings. */
  logger?: RpcLogger;
  /** `-rpcwhitelist` values (`user:method1,method2`). */
  whitelist?: readonly string[];
  /** `-rpcwhitelistdefault` (default: true when any whitelist is given). */
  whitelistDefault?: boolean;
  /** `-logips`: add the peer address to `ThreadRPCServer` log lines. */
  logIps?: boolean;
}

/**
 * The table options from the command line: `-rpcwhitelist`, `-rpcwhitelistdefault`, `-logips`.
 */
export function tableOptionsFromArgs(args: ArgsLike, logger?: RpcLogger): RpcTableOptions {
  return {
    logger,
    whitelist: args.getArgs("-rpcwhitelist"),
    whitelistDefault: args.isSet("-rpcwhitelistdefault")
      ? args.getBool("-rpcwhitelistdefault", false)
      : undefined,
    logIps: args.getBool("-logips", false),
  };
}

/** Parses `-rpcwhitelist` entries into per-user method sets, intersecting repeated users as Core does. */
export function parseWhitelist(entries: readonly string[]): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const entry of entries) {
    const pos = entry.indexOf(":");
    const user = pos < 0 ? entry : entry.slice(0, pos);
    const had = map.has(user);
    if (!had) map.set(user, new Set());
    if (pos >= 0) {
      const methods = new Set(entry.slice(pos + 1).split(/[, ]/).filter((s) => s !== ""));
      const current = map.get(user)!;
      map.set(user, had ? new Set([...methods].filter((m) => current.has(m))) : methods);
    }
  }
  return map;
}

class HelpResult extends Error {}

/** The RPC method table and JSON-RPC dispatcher. */
export class RpcTable {
  #methods = new Map<string, RpcMethod>();
  #warmup: string | null;
  #active = new Set<ActiveCommand>();
  #logger: RpcLogger | undefined;
  #whitelist: Map<string, Set<string>>;
  #whitelistDefault: boolean;
  #anyLossless = false;
  #logIps: boolean;
  #unknownMethod: ((method: string) => RpcError | null) | null = null;

  /** Creates an empty table. */
  constructor(options: RpcTableOptions = {}) {
    this.#warmup = options.warmup ?? null;
    this.#logger = options.logger;
    this.#logIps = options.logIps ?? false;
    this.#whitelist = parseWhitelist(options.whitelist ?? []);
    this.#whitelistDefault = options.whitelistDefault ?? (options.whitelist ?? []).length > 0;
  }

  /** Adds a method. Throws when the name is taken or the argument names clash (Core's checks). */
  register(method: RpcMethod): void {
    if (this.#methods.has(method.name)) {
      throw new Error(`Cannot register RPC method ${method.name}: already registered`);
    }
    checkArgNames(method);
    this.#methods.set(method.name, method);
    if (method.losslessNumbers) this.#anyLossless = true;
  }

  /** Adds several methods. */
  registerAll(methods: Iterable<RpcMethod>): void {
    for (const m of methods) this.register(m);
  }

  /**
   * Sets the hook asked for a method that is not registered: the error it returns replaces "Method not found"
   * (the node answers wallet methods with "Loading wallet…" while its wallet process starts).
   */
  setUnknownMethodHook(hook: ((method: string) => RpcError | null) | null): void {
    this.#unknownMethod = hook;
  }

  /** Removes a method; returns true if it was there. */
  unregister(name: string): boolean {
    const had = this.#methods.delete(name);
    this.#anyLossless = [...this.#methods.values()].some((m) => m.losslessNumbers);
    return had;
  }

  /** The method registered as `name`. */
  get(name: string): RpcMethod | undefined {
    return this.#methods.get(name);
  }

  /** Names of all methods, sorted. */
  list(): string[] {
    return [...this.#methods.keys()].sort();
  }

  /** True while in warmup. */
  get inWarmup(): boolean {
    return this.#warmup !== null;
  }

  /** Enters (or updates) warmup: calls fail with `RPC_IN_WARMUP` and `status` (Core's `SetRPCWarmupStatus`). */
  setWarmupStatus(status: string): void {
    this.#warmup = status;
  }

  /** Leaves warmup (Core's `SetRPCWarmupFinished`). */
  setWarmupFinished(): void {
    this.#warmup = null;
  }

  /** Commands running now, oldest first. */
  activeCommands(): ActiveCommand[] {
    return [...this.#active];
  }

  /**
   * Help text like Core's `CRPCTable::help`: with `command` "", the first line of every non-hidden method
   * grouped under `== Category ==`; else the full help of that method, or `help: unknown command: <name>`.
   */
  help(command: string): string {
    const sorted = [...this.#methods.values()].sort((a, b) => {
      const ka = a.category + a.name;
      const kb = b.category + b.name;
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
    let ret = "";
    let category = "";
    for (const m of sorted) {
      if ((command !== "" || m.category === "hidden") && m.name !== command) continue;
      let text = helpText(m);
      if (command === "") {
        const nl = text.indexOf("\n");
        if (nl >= 0) text = text.slice(0, nl);
        if (category !== m.category) {
          if (category !== "") ret += "\n";
          category = m.category;
          ret += `== ${category.charAt(0).toUpperCase()}${category.slice(1)} ==\n`;
        }
      }
      ret += text + "\n";
    }
    if (ret === "") ret = `help: unknown command: ${command}\n`;
    return ret.slice(0, -1);
  }

  /**
   * Core's `dumpArgMap` (`help dump_all_command_conversions`): `[method, position, name, isString]` for every
   * argument name (and named-only option) of every method, in method-name order.
   */
  dumpArgMap(): Array<[string, number, string, boolean]> {
    const out: Array<[string, number, string, boolean]> = [];
    for (const name of this.list()) {
      const m = this.#methods.get(name)!;
      m.args.forEach((arg, i) => {
        for (const n of arg.names.split("|")) {
          out.push([m.name, i, n, arg.type === "str" || arg.type === "str_hex"]);
          if (arg.type === "obj_named_params") {
            for (const inner of arg.inner ?? []) {
              for (const inn of inner.names.split("|")) {
                out.push([m.name, i, inn, inner.type === "str" || inner.type === "str_hex"]);
              }
            }
          }
        }
      });
    }
    return out;
  }

  /**
   * Runs a JSON-RPC request text (one object or a batch) and returns the HTTP status and body as Core's
   * `HTTPReq_JSONRPC` would (after authentication): 200 with the reply, 204 for notifications, and for
   * JSON-RPC 1.0 errors 500 (404 for unknown methods, 400 for invalid requests); 403 when `-rpcwhitelist`
   * forbids the method.
   */
  async execute(requestText: string, info: RpcRequestInfo = {}): Promise<RpcResponse> {
    let value = parseJson(requestText);
    const state = newParseState();
    if (value === undefined) {
      return errorResponse(new RpcError(RpcErrorCode.RPC_PARSE_ERROR, "Parse error"), state);
    }
    if (this.#anyLossless && this.#wantsLossless(value)) value = parseJsonLossless(requestText) ?? value;
    const dup = hasNamedParams(value) ? findDuplicateKeys(requestText, 2) : undefined;
    const reply = await this.executeValue(value, info, state, dup);
    if (reply.reply === null) return { status: reply.status, body: "" };
    return { status: reply.status, body: writeJson(reply.reply) + "\n" };
  }

  #wantsLossless(value: JsonValue): boolean {
    const check = (v: JsonValue) =>
      v !== null && typeof v === "object" && !Array.isArray(v) &&
      typeof (v as JsonObject).method === "string" &&
      this.#methods.get((v as JsonObject).method as string)?.losslessNumbers === true;
    return Array.isArray(value) ? value.some(check) : check(value);
  }

  /**
   * Runs an already parsed request (object or batch); returns the HTTP status and the reply value (null: no
   * body). Core's `ExecuteHTTPRPC`.
   */
  async executeValue(
    value: JsonValue,
    info: RpcRequestInfo = {},
    state: JsonRpcParseState = newParseState(),
    duplicates?: readonly DuplicateKey[],
  ): Promise<{ status: number; reply: JsonRpcReply | JsonRpcReply[] | null }> {
    const dupFor = (index: number | null): string | undefined =>
      duplicates?.find((d) =>
        index === null
          ? d.path.length === 1 && d.path[0] === "params"
          : d.path.length === 2 && d.path[0] === index && d.path[1] === "params"
      )?.key;
    const user = info.user ?? "";
    const allowed = this.#whitelist.get(user);
    try {
      if (allowed === undefined && this.#whitelistDefault) {
        this.#logger?.warn(`RPC User ${user} not allowed to call any methods`);
        return { status: HttpStatus.FORBIDDEN, reply: null };
      }
      if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        const req = parseJsonRpcRequest(value, state);
        this.#logRequest(req.method, user, info, req.id);
        if (allowed !== undefined && !allowed.has(req.method)) {
          this.#logger?.warn(`RPC User ${user} not allowed to call method ${req.method}`);
          return { status: HttpStatus.FORBIDDEN, reply: null };
        }
        if (req.version === "2.0") {
          const reply = await this.#execCatching(
            req.method,
            req.params,
            req.id,
            req.version,
            info,
            dupFor(null),
          );
          if (isNotification(state)) return { status: HttpStatus.NO_CONTENT, reply: null };
          return { status: HttpStatus.OK, reply };
        }
        const result = await this.#dispatch(req.method, req.params, req.id, req.version, info, dupFor(null));
        return { status: HttpStatus.OK, reply: jsonRpcReply(result, null, req.id, req.version) };
      }
      if (Array.isArray(value)) {
        if (allowed !== undefined) {
          for (const item of value) {
            if (item === null || typeof item !== "object" || Array.isArray(item)) {
              throw new RpcError(RpcErrorCode.RPC_INVALID_REQUEST, "Invalid Request object");
            }
            const method = (item as JsonObject).method;
            if (typeof method !== "string") {
              throw new RpcError(
                RpcErrorCode.RPC_PARSE_ERROR,
                `JSON value of type ${typeName(method)} is not of expected type string`,
              );
            }
            if (!allowed.has(method)) {
              this.#logger?.warn(`RPC User ${user} not allowed to call method ${method}`);
              return { status: HttpStatus.FORBIDDEN, reply: null };
            }
          }
        }
        const replies: JsonRpcReply[] = [];
        for (let i = 0; i < value.length; i++) {
          const item = value[i];
          let response: JsonRpcReply;
          try {
            const req = parseJsonRpcRequest(item, state);
            this.#logRequest(req.method, user, info, req.id);
            response = await this.#execCatching(req.method, req.params, req.id, req.version, info, dupFor(i));
          } catch (err) {
            const e = toRpcError(err);
            response = jsonRpcReply(null, e, state.id, state.version);
          }
          if (!isNotification(state)) replies.push(response);
        }
        if (replies.length === 0 && value.length > 0) return { status: HttpStatus.NO_CONTENT, reply: null };
        return { status: HttpStatus.OK, reply: replies };
      }
      throw new RpcError(RpcErrorCode.RPC_PARSE_ERROR, "Top-level object parse error");
    } catch (err) {
      const r = errorResponse(toRpcError(err), state);
      return { status: r.status, reply: r.reply };
    }
  }

  #logRequest(method: string, user: string, info: RpcRequestInfo, id: JsonValue | undefined): void {
    const logger = this.#logger;
    if (logger === undefined) return;
    const logId = id === undefined || id === null ? "" : typeof id === "string" ? id : writeJson(id);
    logger.debug(
      "rpc",
      `ThreadRPCServer method=${sanitize(method)} user=${user}${
        this.#logIps ? ` peeraddr=${peerOf(info)}` : ""
      } id=${sanitize(logId)}`,
    );
  }

  async #execCatching(
    method: string,
    params: JsonValue[] | JsonObject,
    id: JsonValue | undefined,
    version: JsonRpcVersion,
    info: RpcRequestInfo,
    duplicate?: string,
  ): Promise<JsonRpcReply> {
    try {
      const result = await this.#dispatch(method, params, id, version, info, duplicate);
      return jsonRpcReply(result, null, id, version);
    } catch (err) {
      return jsonRpcReply(null, toRpcError(err), id, version);
    }
  }

  /** Core's `CRPCTable::execute` + `ExecuteCommand` + `RPCHelpMan::HandleRequest`. */
  async #dispatch(
    method: string,
    rawParams: JsonValue[] | JsonObject,
    id: JsonValue | undefined,
    version: JsonRpcVersion,
    info: RpcRequestInfo,
    duplicate?: string,
  ): Promise<unknown> {
    if (this.#warmup !== null) throw new RpcError(RpcErrorCode.RPC_IN_WARMUP, this.#warmup);
    const m = this.#methods.get(method);
    if (m === undefined) {
      throw this.#unknownMethod?.(method) ??
        new RpcError(RpcErrorCode.RPC_METHOD_NOT_FOUND, "Method not found");
    }
    const entry: ActiveCommand = { method, start: performance.now() };
    this.#active.add(entry);
    try {
      if (duplicate !== undefined && !Array.isArray(rawParams)) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          `Parameter ${duplicate} specified multiple times`,
        );
      }
      const params = Array.isArray(rawParams) ? rawParams : transformNamedArguments(rawParams, argNames(m));
      if (!isValidNumArgs(m, params.length)) throw new HelpResult(helpText(m));
      let mismatch: Record<string, string> | null = null;
      for (let i = 0; i < m.args.length; i++) {
        const arg = m.args[i];
        const err = argTypeMismatch(arg, params[i]);
        if (err !== null) (mismatch ??= {})[`Position ${i + 1} (${arg.names})`] = err;
      }
      if (mismatch !== null) {
        throw new RpcError(
          RpcErrorCode.RPC_TYPE_ERROR,
          `Wrong type passed:\n${writeJsonPretty(mismatch, 4)}`,
        );
      }
      const uri = info.uri ?? "/";
      const ctx: RpcCallContext = {
        method,
        uri,
        user: info.user ?? "",
        get peerAddr() {
          return peerOf(info);
        },
        walletName: walletNameFromUri(uri),
        id,
        version,
        params,
        table: this,
        arg: (name: string) => argValue(m.args, params, name),
      };
      const result = await m.handler(params, ctx);
      return result === undefined ? null : result;
    } catch (err) {
      throw toRpcError(err);
    } finally {
      this.#active.delete(entry);
    }
  }
}

function hasNamedParams(value: JsonValue): boolean {
  const named = (v: JsonValue) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
    const p = (v as JsonObject).params;
    return p !== null && typeof p === "object" && !Array.isArray(p);
  };
  return Array.isArray(value) ? value.some(named) : named(value);
}

function peerOf(info: RpcRequestInfo): string {
  const p = info.peerAddr;
  return p === undefined ? "" : typeof p === "string" ? p : p();
}

function sanitize(s: string): string {
  // Core's SanitizeString(SAFE_CHARS_DEFAULT): letters, digits, space and .,;-_/:?@()
  return s.replace(/[^A-Za-z0-9 .,;\-_/:?@()]/g, "");
}

function errorResponse(
  err: RpcError,
  state: JsonRpcParseState,
): { status: number; reply: JsonRpcReply; body: string } {
  let status: number = HttpStatus.INTERNAL_SERVER_ERROR;
  if (err.code === RpcErrorCode.RPC_INVALID_REQUEST) status = HttpStatus.BAD_REQUEST;
  else if (err.code === RpcErrorCode.RPC_METHOD_NOT_FOUND) status = HttpStatus.NOT_FOUND;
  const reply = jsonRpcReply(null, err, state.id, state.version);
  return { status, reply, body: writeJson(reply) + "\n" };
}

/** The wallet name in a `/wallet/<name>` URI (URL-decoded), or null. */
export function walletNameFromUri(uri: string): string | null {
  const prefix = "/wallet/";
  if (!uri.startsWith(prefix)) return null;
  return urlDecode(uri.slice(prefix.length));
}

function argValue(
  args: readonly RpcArgSpec[],
  params: readonly JsonValue[],
  name: string,
): JsonValue | undefined {
  const i = args.findIndex((a) => a.names === name);
  if (i < 0) throw new Error(`Internal bug detected: unknown argument ${name}`);
  const v = params[i];
  if (v !== undefined && v !== null) return v;
  const fb = args[i].fallback;
  if (fb !== undefined && typeof fb === "object" && "default" in fb) return fb.default;
  return undefined;
}

function checkArgNames(m: RpcMethod): void {
  const POSITIONAL = 1, NAMED = 2, NAMED_ONLY = 4;
  const seen = new Map<string, number>();
  const fail = (n: string) => {
    throw new Error(`Cannot register RPC method ${m.name}: argument name ${n} is used twice`);
  };
  for (const arg of m.args) {
    for (const n of arg.names.split("|")) {
      const t = seen.get(n) ?? 0;
      if (t & (POSITIONAL | NAMED_ONLY)) fail(n);
      seen.set(n, t | POSITIONAL);
    }
    if (arg.type === "obj_named_params") {
      for (const inner of arg.inner ?? []) {
        for (const n of inner.names.split("|")) {
          const t = seen.get(n) ?? 0;
          if ((t & POSITIONAL && !inner.alsoPositional) || t & (NAMED | NAMED_ONLY)) fail(n);
          seen.set(n, t | (inner.alsoPositional ? NAMED : NAMED_ONLY));
        }
      }
    }
  }
}

/**
 * Maps named parameters to positions (Core's `transformNamedArguments`): holes between given parameters
 * become null, named-only options are gathered into their options object, and an `args` member supplies
 * leading positional parameters. Throws Core's `RPC_INVALID_PARAMETER` errors.
 */
export function transformNamedArguments(
  named: JsonObject,
  names: ReadonlyArray<readonly [string, boolean]>,
): JsonValue[] {
  const out: JsonValue[] = [];
  const argsIn = new Map<string, JsonValue>(Object.entries(named));
  let hole = 0;
  let initialHoleSize = 0;
  let initialParam: string | null = null;
  let options: JsonObject | null = null;
  for (const [pattern, namedOnly] of names) {
    let found: string | null = null;
    for (const n of pattern.split("|")) {
      if (argsIn.has(n)) {
        found = n;
        break;
      }
    }
    if (namedOnly) {
      if (found !== null) {
        options ??= {};
        if (Object.hasOwn(options, found)) {
          throw new RpcError(
            RpcErrorCode.RPC_INVALID_PARAMETER,
            `Parameter ${found} specified multiple times`,
          );
        }
        options[found] = argsIn.get(found)!;
        argsIn.delete(found);
      }
      continue;
    }
    if (options !== null || found !== null) {
      for (let i = 0; i < hole; i++) out.push(null);
      hole = 0;
      if (initialParam === null) initialParam = pattern;
    } else {
      hole += 1;
      if (out.length === 0) initialHoleSize = hole;
    }
    if (found !== null) {
      if (options !== null) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          `Parameter ${found} conflicts with parameter ${Object.keys(options)[0]}`,
        );
      }
      out.push(argsIn.get(found)!);
      argsIn.delete(found);
    }
    if (options !== null) {
      out.push(options);
      options = null;
    }
  }
  let result = out;
  if (argsIn.has("args")) {
    const positional = argsIn.get("args")!;
    argsIn.delete("args");
    if (Array.isArray(positional)) {
      if (initialHoleSize < positional.length && initialParam !== null) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          `Parameter ${initialParam} specified twice both as positional and named argument`,
        );
      }
      result = [...positional];
      for (let i = result.length; i < out.length; i++) result.push(out[i]);
    }
  }
  if (argsIn.size > 0) {
    throw new RpcError(
      RpcErrorCode.RPC_INVALID_PARAMETER,
      `Unknown named parameter ${argsIn.keys().next().value}`,
    );
  }
  return result;
}
