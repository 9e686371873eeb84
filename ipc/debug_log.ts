/**
 * `-debug=ipc` logging of IPC requests and responses, in Bitcoin Core's style:
 *
 * ```
 * {tsbtc-node-123/r5} IPC client send Echo.echo$Params (context = (thread = <capability>), echo = "hello")
 * {tsbtc-node-123/r5} IPC client recv Echo.echo$Results (result = "hello")
 * ```
 *
 * Structs are printed generically by reflecting over the capnp-es generated getters (fields left at their
 * default are omitted, as capnp's own printer does; capabilities print as `<capability>`). Secrets are
 * redacted: a field whose name matches {@linkcode SECRET_FIELD_PATTERN} prints `<redacted>`, and the JSON-RPC
 * text carried by `Rpc.executeRpc` has the `params` of {@linkcode SENSITIVE_RPC_METHODS} replaced (and the
 * reply to such a request is not printed).
 *
 * @module
 */
import * as $ from "capnp-es";
import { Chain$Client, ChainNotifications$Client, Handler$Client } from "./capnp/gen/chain.ts";
import { Echo$Client } from "./capnp/gen/echo.ts";
import { Init$Client } from "./capnp/gen/init.ts";
import { Thread$Client, ThreadMap$Client } from "./capnp/gen/proxy.ts";
import { Rpc$Client } from "./capnp/gen/rpc.ts";
import { ProcessInit$Client } from "./capnp/gen/tsbtc.ts";
import { WalletLoader$Client } from "./capnp/gen/wallet.ts";
import { type MethodDef, readStruct } from "./capability.ts";

/** Field names whose values are never printed. */
export const SECRET_FIELD_PATTERN: RegExp = /pass|secret|key|seed|xprv|auth|cookie|mnemonic/i;

/**
 * JSON-RPC methods whose `params` are never printed (passphrases, private keys, descriptors with keys), and
 * whose replies are not printed either.
 */
export const SENSITIVE_RPC_METHODS: readonly string[] = Object.freeze([
  "createwallet",
  "createwalletdescriptor",
  "dumpmasterprivkey",
  "dumpprivkey",
  "dumpwallet",
  "encryptwallet",
  "getdescriptorinfo",
  "gethdkeys",
  "importdescriptors",
  "importmulti",
  "importprivkey",
  "importwallet",
  "listdescriptors",
  "migratewallet",
  "restorewallet",
  "sethdseed",
  "signmessagewithprivkey",
  "signrawtransactionwithkey",
  "upgradewallet",
  "walletpassphrase",
  "walletpassphrasechange",
]);

const SENSITIVE = new Set(SENSITIVE_RPC_METHODS);

/** Longest string printed in full; longer ones are cut. */
const MAX_STRING_CHARS = 2000;
/** Most list elements printed. */
const MAX_LIST_ITEMS = 32;
/** Deepest nesting printed. */
const MAX_DEPTH = 12;

/** A method known to the logger: its printable name and struct classes. */
export interface MethodInfo {
  /** `Interface.method`, e.g. `Echo.echo`. */
  label: string;
  /** Params struct class. */
  ParamsClass?: $.StructCtor<$.Struct>;
  /** Results struct class. */
  ResultsClass?: $.StructCtor<$.Struct>;
}

/** Interface id -> method id -> info, for tsbtc's schemas. */
const KNOWN = new Map<bigint, MethodInfo[]>();
for (
  const methods of [
    Echo$Client.methods,
    Init$Client.methods,
    Rpc$Client.methods,
    ThreadMap$Client.methods,
    Thread$Client.methods,
    ProcessInit$Client.methods,
    Chain$Client.methods,
    ChainNotifications$Client.methods,
    Handler$Client.methods,
    WalletLoader$Client.methods,
  ] as readonly (readonly MethodDef[])[]
) {
  for (const m of methods) {
    let list = KNOWN.get(m.interfaceId);
    if (!list) KNOWN.set(m.interfaceId, list = []);
    list[m.methodId] = methodInfo(m);
  }
}

/** Printable info for a method definition. */
export function methodInfo(m: MethodDef): MethodInfo {
  const iface = (m.interfaceName ?? `0x${m.interfaceId.toString(16)}`).replace(/^.*:/, "");
  return {
    label: `${iface}.${m.methodName ?? m.methodId}`,
    ParamsClass: m.ParamsClass,
    ResultsClass: m.ResultsClass,
  };
}

/** Info for a method by ids: from `method` when given, else tsbtc's schemas, else a numeric label. */
export function lookupMethod(interfaceId: bigint, methodId: number, method?: MethodDef): MethodInfo {
  if (method) return methodInfo(method);
  return KNOWN.get(interfaceId)?.[methodId] ?? { label: `0x${interfaceId.toString(16)}.${methodId}` };
}

/**
 * Prints the struct at `content` (an AnyPointer) as class `cls`: `(a = 1, b = "x")`. Without a class, or when
 * the content cannot be read, prints a short description instead. `redactText` names Text fields whose value
 * is a JSON-RPC request to redact.
 */
export function formatContent(
  cls: $.StructCtor<$.Struct> | undefined,
  content: $.Pointer,
  opts: FormatOptions = {},
): string {
  if (!cls) return "<unknown struct>";
  try {
    return formatStruct(readStruct(cls, content), opts);
  } catch (e) {
    return `<unreadable: ${e instanceof Error ? e.message : String(e)}>`;
  }
}

/** Options of {@linkcode formatStruct}. */
export interface FormatOptions {
  /** Names of text fields holding a JSON-RPC request (redacted with {@linkcode redactJsonRpcRequest}). */
  jsonRpcFields?: readonly string[];
  /** Print `<redacted>` for every field (the reply to a sensitive request). */
  redactAll?: boolean;
}

interface FieldAccess {
  name: string;
  /** The `_isX` getter of a union member. */
  isMember?: string;
  /** The `_hasX` method of a pointer field. */
  has?: string;
  /** Pointer index of a capability field, parsed from the generated getter. */
  capIndex?: number;
}

const FIELD_CACHE = new WeakMap<object, FieldAccess[]>();

/** Field accessors of a generated struct class, in schema order. */
function fieldsOf(proto: object): FieldAccess[] {
  let fields = FIELD_CACHE.get(proto);
  if (fields) return fields;
  fields = [];
  const names = Object.getOwnPropertyNames(proto);
  const set = new Set(names);
  for (const name of names) {
    if (name.startsWith("_") || name === "constructor") continue;
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (!d || typeof d.get !== "function") continue;
    const cap = name.charAt(0).toUpperCase() + name.slice(1);
    const f: FieldAccess = { name };
    if (set.has(`_is${cap}`)) f.isMember = `_is${cap}`;
    if (set.has(`_has${cap}`)) f.has = `_has${cap}`;
    const m = /getInterfaceClientOrNullAt\((\d+)/.exec(d.get.toString());
    if (m) f.capIndex = Number(m[1]);
    fields.push(f);
  }
  FIELD_CACHE.set(proto, fields);
  return fields;
}

/** Prints a struct like capnp's text format: `(a = 1, b = "x")`, omitting fields left at their default. */
export function formatStruct(s: $.Struct, opts: FormatOptions = {}, depth = 0): string {
  if (depth > MAX_DEPTH) return "(…)";
  const parts: string[] = [];
  const rec = s as unknown as Record<string, unknown>;
  for (const f of fieldsOf(Object.getPrototypeOf(s))) {
    try {
      if (f.isMember && !(rec[f.isMember] as boolean)) continue;
      if (f.has && !(rec[f.has] as () => boolean).call(s)) continue;
      if (f.capIndex !== undefined) {
        if ($.utils.isNull($.utils.getPointer(f.capIndex, s))) continue;
        parts.push(`${f.name} = ${opts.redactAll ? "<redacted>" : "<capability>"}`);
        continue;
      }
      const v = rec[f.name];
      if (isDefault(v) && !f.isMember) continue;
      if (opts.redactAll || SECRET_FIELD_PATTERN.test(f.name)) {
        parts.push(`${f.name} = <redacted>`);
        continue;
      }
      if (typeof v === "string" && opts.jsonRpcFields?.includes(f.name)) {
        parts.push(`${f.name} = ${quote(redactJsonRpcRequest(v).text)}`);
        continue;
      }
      parts.push(`${f.name} = ${formatValue(v, opts, depth)}`);
    } catch (e) {
      parts.push(`${f.name} = <unreadable: ${e instanceof Error ? e.message : String(e)}>`);
    }
  }
  return `(${parts.join(", ")})`;
}

function isDefault(v: unknown): boolean {
  return v === 0 || v === false || v === 0n || v === "" || v === undefined || v === null;
}

function formatValue(v: unknown, opts: FormatOptions, depth: number): string {
  if (typeof v === "string") return quote(v);
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
  if (v instanceof $.Data) {
    const bytes = v.toUint8Array();
    const shown = bytes.subarray(0, 64);
    const hex = Array.from(shown, (b) => b.toString(16).padStart(2, "0")).join("");
    return `0x${hex}${bytes.length > shown.length ? `…(${bytes.length} bytes)` : ""}`;
  }
  if (v instanceof $.Struct) return formatStruct(v, opts, depth + 1);
  if (v instanceof $.List) {
    const n = v.length;
    const items: string[] = [];
    for (let i = 0; i < Math.min(n, MAX_LIST_ITEMS); i++) items.push(formatValue(v.get(i), opts, depth + 1));
    if (n > MAX_LIST_ITEMS) items.push(`…(${n - MAX_LIST_ITEMS} more)`);
    return `[${items.join(", ")}]`;
  }
  if (v instanceof $.Pointer) return "<pointer>";
  if (typeof v === "object" && v !== null && "client" in v) return "<capability>";
  return String(v);
}

/** Quotes a string for a log line (JSON escaping), cutting very long ones. */
function quote(s: string): string {
  if (s.length > MAX_STRING_CHARS) {
    return `${JSON.stringify(s.slice(0, MAX_STRING_CHARS))}…(${s.length - MAX_STRING_CHARS} more chars)`;
  }
  return JSON.stringify(s);
}

/** Result of {@linkcode redactJsonRpcRequest}. */
export interface RedactedRequest {
  /** The text to print. */
  text: string;
  /** True when the request (or one in a batch) called a sensitive method: its reply must not be printed. */
  sensitive: boolean;
}

/**
 * Makes a JSON-RPC request text printable: the `params` of calls to {@linkcode SENSITIVE_RPC_METHODS} are
 * replaced by `"<redacted>"` (in batches too), and so are fields named like secrets. Text that is not JSON is
 * not printed at all, since it could hold anything.
 */
export function redactJsonRpcRequest(text: string): RedactedRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { text: `<unparsable JSON-RPC request, ${text.length} chars>`, sensitive: true };
  }
  let sensitive = false;
  const one = (req: unknown): unknown => {
    if (typeof req !== "object" || req === null || Array.isArray(req)) return req;
    const r = req as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    const isSensitive = typeof r.method === "string" && SENSITIVE.has(r.method.toLowerCase());
    if (isSensitive) sensitive = true;
    for (const [k, v] of Object.entries(r)) {
      if (k === "params" && isSensitive) out[k] = "<redacted>";
      else if (SECRET_FIELD_PATTERN.test(k)) out[k] = "<redacted>";
      else out[k] = v;
    }
    return out;
  };
  const redacted = Array.isArray(parsed) ? parsed.map(one) : one(parsed);
  return { text: JSON.stringify(redacted), sensitive };
}

/** Whether a JSON-RPC request text calls a sensitive method (its reply must not be printed). */
export function isSensitiveRequest(text: string): boolean {
  return redactJsonRpcRequest(text).sensitive;
}

/** The debug-log sink a connection writes to: `util/logging.ts`'s `Logger` fits. */
export interface IpcLogSink {
  /** True when lines of `category` are printed. */
  enabled(category: string): boolean;
  /** Prints a debug line of `category`. */
  debug(category: string, msg: string): void;
}

/** Formats and writes the request/response lines of one connection. */
export class IpcDebugLog {
  #sink: IpcLogSink | undefined;
  #prefix: string;

  /** `name` is the process name (e.g. "tsbtc-node"); lines start `{name-pid/rN}`. */
  constructor(sink: IpcLogSink | undefined, name: string, pid: number) {
    this.#sink = sink;
    this.#prefix = `{${name}-${pid}/r`;
  }

  /** True when `-debug=ipc` is on. */
  get enabled(): boolean {
    return this.#sink !== undefined && this.#sink.enabled("ipc");
  }

  /** Writes a line for request number `reqNo`: `{name-pid/rN} IPC <what>`. */
  line(reqNo: number, what: string): void {
    this.#sink?.debug("ipc", `${this.#prefix}${reqNo}} IPC ${what}`);
  }

  /**
   * Logs params (`dir` is "client send" or "server recv"); returns true when the call is sensitive (its
   * results must then be logged with `redact`).
   */
  params(reqNo: number, dir: string, info: MethodInfo, content: $.Pointer): boolean {
    let sensitive = false;
    let jsonRpcFields: string[] | undefined;
    if (info.label === "Rpc.executeRpc" && info.ParamsClass) {
      jsonRpcFields = ["request"];
      try {
        const request = (readStruct(info.ParamsClass, content) as unknown as { request: string }).request;
        sensitive = isSensitiveRequest(request);
      } catch {
        sensitive = true;
      }
    }
    this.line(
      reqNo,
      `${dir} ${info.label}$Params ${formatContent(info.ParamsClass, content, { jsonRpcFields })}`,
    );
    return sensitive;
  }

  /** Logs results (`dir` is "client recv" or "server send"). */
  results(reqNo: number, dir: string, info: MethodInfo, content: $.Pointer, redact: boolean): void {
    this.line(
      reqNo,
      `${dir} ${info.label}$Results ${formatContent(info.ResultsClass, content, { redactAll: redact })}`,
    );
  }

  /** Logs an exception in place of results. */
  exception(reqNo: number, dir: string, info: MethodInfo, reason: string): void {
    this.line(reqNo, `${dir} ${info.label}$Results exception: ${quote(reason)}`);
  }
}
