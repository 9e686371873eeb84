/**
 * Method documentation like Bitcoin Core's `RPCHelpMan` (`src/rpc/util.cpp`): argument and result specs,
 * the help text layout (one-line summary, Arguments, Result, Examples, padded columns), argument type checks
 * with Core's messages, and the argument-name list used to map named parameters.
 *
 * @module
 */
import { type JsonValue, typeName, writeJson } from "./json.ts";

/** Argument types (Core's `RPCArg::Type`). */
export type RpcArgType =
  | "str"
  | "str_hex"
  | "num"
  | "amount"
  | "range"
  | "bool"
  | "obj"
  | "obj_named_params"
  | "obj_user_keys"
  | "arr";

/**
 * Whether an argument may be left out: `"required"` (Core's `Optional::NO`), `"omitted"` (`Optional::OMITTED`:
 * optional without default), `{ default: v }` (`RPCArg::Default`) or `{ hint: "text" }` (`DefaultHint`).
 */
export type RpcArgFallback = "required" | "omitted" | { default: JsonValue } | { hint: string };

/** One argument of a method (Core's `RPCArg`). */
export interface RpcArgSpec {
  /** Name, or aliases separated by `|` (the first is shown). */
  names: string;
  /** Type. */
  type: RpcArgType;
  /** Optionality; default `"required"`. */
  fallback?: RpcArgFallback;
  /** Description shown in help. */
  description: string;
  /** Members of `obj`/`obj_named_params`/`obj_user_keys`, or the element of `arr`. */
  inner?: RpcArgSpec[];
  /** Accept any JSON type (Core's `skip_type_check`). */
  skipTypeCheck?: boolean;
  /** Replaces the generated text in the one-line summary. */
  onelineDescription?: string;
  /** Overrides the type strings: [in a key-value pair, in the description]. */
  typeStr?: [string, string];
  /** Hidden from help (this and all following arguments), for testing. */
  hidden?: boolean;
  /** A named-only option that may also be passed by position (Core's `also_positional`). */
  alsoPositional?: boolean;
}

/** Result types (Core's `RPCResult::Type`). */
export type RpcResultType =
  | "any"
  | "none"
  | "str"
  | "str_amount"
  | "str_hex"
  | "num"
  | "num_time"
  | "bool"
  | "arr"
  | "arr_fixed"
  | "obj"
  | "obj_dyn";

/** One documented result, or a field of one (Core's `RPCResult`). */
export interface RpcResultSpec {
  /** Type. */
  type: RpcResultType;
  /** Key name when inside an object. */
  key?: string;
  /** Field may be missing. */
  optional?: boolean;
  /** Description. */
  description?: string;
  /** Fields of an object / elements of an array. */
  inner?: RpcResultSpec[];
  /** Condition for this alternative result, e.g. `"for verbosity = 0"`. */
  cond?: string;
  /** `"skip"` hides the field; a string prints `...` with that text instead of the field. */
  elision?: "skip" | { summary: string };
}

/** The documentation of one method (Core's `RPCHelpMan` without the handler). */
export interface RpcHelpSpec {
  /** Method name. */
  name: string;
  /** Description (no leading newline). */
  description: string;
  /** Arguments. */
  args: readonly RpcArgSpec[];
  /** Possible results (alternatives). */
  results: readonly RpcResultSpec[];
  /** Example text (`helpExampleCli(...) + helpExampleRpc(...)`), or "". */
  examples: string;
}

/** Name of the command-line program in examples. */
export const CLI_NAME = "tsbtc rpc";

/** `> tsbtc rpc method args` example line (Core's `HelpExampleCli`). */
export function helpExampleCli(method: string, args: string): string {
  return `> ${CLI_NAME} ${method} ${args}\n`;
}

function shellQuoteIfNeeded(s: string): string {
  if (!/[ '"]/.test(s)) return s;
  return "'" + s.replaceAll("'", "'\\''") + "'";
}

/** `> tsbtc rpc -named method k=v …` example line (Core's `HelpExampleCliNamed`). */
export function helpExampleCliNamed(method: string, args: ReadonlyArray<[string, JsonValue]>): string {
  let r = `> ${CLI_NAME} -named ${method}`;
  for (const [k, v] of args) r += ` ${k}=${shellQuoteIfNeeded(typeof v === "string" ? v : writeJson(v))}`;
  return r + "\n";
}

/** `> curl …` example line with positional params (Core's `HelpExampleRpc`). */
export function helpExampleRpc(method: string, args: string): string {
  return `> curl --user myusername --data-binary '{"jsonrpc": "2.0", "id": "curltest", "method": "${method}", ` +
    `"params": [${args}]}' -H 'content-type: application/json' http://127.0.0.1:8332/\n`;
}

/** `> curl …` example line with named params (Core's `HelpExampleRpcNamed`). */
export function helpExampleRpcNamed(method: string, args: ReadonlyArray<[string, JsonValue]>): string {
  const params: Record<string, JsonValue> = {};
  for (const [k, v] of args) params[k] = v;
  return `> curl --user myusername --data-binary '{"jsonrpc": "2.0", "id": "curltest", "method": "${method}", ` +
    `"params": ${writeJson(params)}}' -H 'content-type: application/json' http://127.0.0.1:8332/\n`;
}

/** True when the argument may be left out. */
export function argIsOptional(arg: RpcArgSpec): boolean {
  return (arg.fallback ?? "required") !== "required";
}

/** The first of the argument's names. */
export function argFirstName(arg: RpcArgSpec): string {
  const i = arg.names.indexOf("|");
  return i < 0 ? arg.names : arg.names.slice(0, i);
}

/** True when `n` positional parameters are acceptable (Core's `IsValidNumArgs`). */
export function isValidNumArgs(spec: Pick<RpcHelpSpec, "args">, n: number): boolean {
  let required = 0;
  for (let i = spec.args.length; i > 0; i--) {
    if (!argIsOptional(spec.args[i - 1])) {
      required = i;
      break;
    }
  }
  return required <= n && n <= spec.args.length;
}

/** Argument name patterns with their named-only flag, in order (Core's `GetArgNames`). */
export function argNames(spec: Pick<RpcHelpSpec, "args">): Array<[string, boolean]> {
  const out: Array<[string, boolean]> = [];
  for (const arg of spec.args) {
    if (arg.type === "obj_named_params") {
      for (const inner of arg.inner ?? []) out.push([inner.names, true]);
    }
    out.push([arg.names, false]);
  }
  return out;
}

function expectedArgType(type: RpcArgType): string | null {
  switch (type) {
    case "str":
    case "str_hex":
      return "string";
    case "num":
      return "number";
    case "amount":
    case "range":
      return null;
    case "bool":
      return "bool";
    case "obj":
    case "obj_named_params":
    case "obj_user_keys":
      return "object";
    case "arr":
      return "array";
  }
}

/** `null` when `value` fits `arg`, else Core's mismatch text (`RPCArg::MatchesType`). */
export function argTypeMismatch(arg: RpcArgSpec, value: unknown): string | null {
  if (arg.skipTypeCheck) return null;
  if (argIsOptional(arg) && (value === null || value === undefined)) return null;
  const expected = expectedArgType(arg.type);
  if (expected === null) return null;
  const actual = typeName(value);
  return actual === expected ? null : `JSON value of type ${actual} is not of expected type ${expected}`;
}

/** Pairs of text to be aligned in columns (Core's `Sections`). */
class Sections {
  sections: Array<{ left: string; right: string }> = [];
  maxPad = 0;

  push(left: string, right: string): void {
    this.maxPad = Math.max(this.maxPad, left.length);
    this.sections.push({ left, right });
  }

  pushArg(arg: RpcArgSpec, indentN = 5, outer: "none" | "obj" | "arr" = "none"): void {
    const indent = " ".repeat(indentN);
    const indentNext = " ".repeat(indentN + 2);
    const pushName = outer === "obj";
    const topLevel = outer === "none";
    switch (arg.type) {
      case "str_hex":
      case "str":
      case "num":
      case "amount":
      case "range":
      case "bool":
      case "obj_named_params": {
        if (topLevel) return;
        let left = indent;
        if (arg.typeStr && pushName) left += `"${argName(arg)}": ${arg.typeStr[0]}`;
        else left += pushName ? argToStringObj(arg, false) : argToString(arg, false);
        left += ",";
        this.push(left, argDescription(arg, pushName));
        break;
      }
      case "obj":
      case "obj_user_keys": {
        const right = topLevel ? "" : argDescription(arg, pushName);
        this.push(indent + (pushName ? `"${argName(arg)}": ` : "") + "{", right);
        for (const inner of arg.inner ?? []) this.pushArg(inner, indentN + 2, "obj");
        if (arg.type !== "obj") this.push(indentNext + "...", "");
        this.push(indent + "}" + (topLevel ? "" : ","), "");
        break;
      }
      case "arr": {
        const left = indent + (pushName ? `"${argName(arg)}": ` : "") + "[";
        const right = topLevel ? "" : argDescription(arg, pushName);
        this.push(left, right);
        for (const inner of arg.inner ?? []) this.pushArg(inner, indentN + 2, "arr");
        this.push(indentNext + "...", "");
        this.push(indent + "]" + (topLevel ? "" : ","), "");
        break;
      }
    }
  }

  toString(): string {
    let ret = "";
    const pad = this.maxPad + 4;
    const padStr = " ".repeat(pad);
    for (const s of this.sections) {
      if (s.right === "") {
        ret += s.left + "\n";
        continue;
      }
      ret += s.left.padEnd(pad, " ");
      const r = s.right;
      let right = "";
      let begin = 0;
      let nl = r.indexOf("\n");
      while (true) {
        right += nl < 0 ? r.slice(begin) : r.slice(begin, nl);
        if (nl < 0) break;
        right += "\n" + padStr;
        const m = /[^ ]/.exec(r.slice(nl + 1));
        if (m === null) break;
        begin = nl + 1 + m.index;
        nl = r.indexOf("\n", begin + 1);
      }
      ret += right + "\n";
    }
    return ret;
  }
}

function argName(arg: RpcArgSpec): string {
  return arg.names;
}

function argToStringObj(arg: RpcArgSpec, oneline: boolean): string {
  const res = `"${argFirstName(arg)}"${oneline ? ":" : ": "}`;
  switch (arg.type) {
    case "str":
      return res + '"str"';
    case "str_hex":
      return res + '"hex"';
    case "num":
      return res + "n";
    case "range":
      return res + "n or [n,n]";
    case "amount":
      return res + "amount";
    case "bool":
      return res + "bool";
    case "arr":
      return res + "[" + (arg.inner ?? []).map((i) => argToString(i, oneline) + ",").join("") + "...]";
    default:
      throw new Error(`Cannot describe ${arg.type} argument ${arg.names} as an object member`);
  }
}

function argToString(arg: RpcArgSpec, oneline: boolean): string {
  if (oneline && arg.onelineDescription) return arg.onelineDescription;
  switch (arg.type) {
    case "str_hex":
    case "str":
      return `"${argFirstName(arg)}"`;
    case "num":
    case "range":
    case "amount":
    case "bool":
      return argFirstName(arg);
    case "obj":
    case "obj_named_params":
    case "obj_user_keys": {
      const res = (arg.inner ?? []).map((i) => argToStringObj(i, oneline)).join(",");
      return arg.type === "obj" ? `{${res}}` : `{${res},...}`;
    }
    case "arr":
      return "[" + (arg.inner ?? []).map((i) => argToString(i, oneline) + ",").join("") + "...]";
  }
}

function argDescription(arg: RpcArgSpec, isNamedArg: boolean): string {
  let ret = "(";
  if (arg.typeStr) ret += arg.typeStr[1];
  else {
    switch (arg.type) {
      case "str_hex":
      case "str":
        ret += "string";
        break;
      case "num":
        ret += "numeric";
        break;
      case "amount":
        ret += "numeric or string";
        break;
      case "range":
        ret += "numeric or array";
        break;
      case "bool":
        ret += "boolean";
        break;
      case "obj":
      case "obj_named_params":
      case "obj_user_keys":
        ret += "json object";
        break;
      case "arr":
        ret += "json array";
        break;
    }
  }
  const fb = arg.fallback ?? "required";
  if (fb === "required") ret += ", required";
  else if (fb === "omitted") {
    if (isNamedArg) ret += ", optional";
  } else if ("hint" in fb) ret += ", optional, default=" + fb.hint;
  else ret += ", optional, default=" + writeJson(fb.default);
  ret += ")";
  if (arg.type === "obj_named_params") {
    ret += " Options object that can be used to pass named arguments, listed below.";
  }
  if (arg.description) ret += " " + arg.description;
  return ret;
}

function resultToSections(
  r: RpcResultSpec,
  sections: Sections,
  outer: "none" | "obj" | "arr",
  indentN: number,
): void {
  const indent = " ".repeat(indentN);
  const indentNext = " ".repeat(indentN + 2);
  const sep = outer !== "none" ? "," : "";
  const key = outer === "obj" ? `"${r.key ?? ""}" : ` : "";
  const desc = (type: string) =>
    `(${type}${r.optional ? ", optional" : ""})` + (r.description ? " " + r.description : "");
  if (r.elision === "skip") return;
  if (r.elision) {
    sections.push(indent + "..." + sep, r.elision.summary);
    return;
  }
  switch (r.type) {
    case "any":
      throw new Error("Cannot document a result of type any");
    case "none":
      sections.push(indent + "null" + sep, desc("json null"));
      return;
    case "str":
      sections.push(indent + key + '"str"' + sep, desc("string"));
      return;
    case "str_amount":
      sections.push(indent + key + "n" + sep, desc("numeric"));
      return;
    case "str_hex":
      sections.push(indent + key + '"hex"' + sep, desc("string"));
      return;
    case "num":
      sections.push(indent + key + "n" + sep, desc("numeric"));
      return;
    case "num_time":
      sections.push(indent + key + "xxx" + sep, desc("numeric"));
      return;
    case "bool":
      sections.push(indent + key + "true|false" + sep, desc("boolean"));
      return;
    case "arr_fixed":
    case "arr": {
      sections.push(indent + key + "[", desc("json array"));
      const inner = r.inner ?? [];
      for (const i of inner) resultToSections(i, sections, "arr", indentN + 2);
      const last = inner[inner.length - 1];
      if (r.type === "arr" && !(last && typeof last.elision === "object")) {
        sections.push(indentNext + "...", "");
      } else dropTrailingComma(sections);
      sections.push(indent + "]" + sep, "");
      return;
    }
    case "obj_dyn":
    case "obj": {
      const inner = r.inner ?? [];
      if (inner.length === 0) {
        sections.push(indent + key + "{}", desc("empty JSON object"));
        return;
      }
      sections.push(indent + key + "{", desc("json object"));
      for (const i of inner) resultToSections(i, sections, "obj", indentN + 2);
      if (r.type === "obj_dyn") sections.push(indentNext + "...", "");
      else dropTrailingComma(sections);
      sections.push(indent + "}" + sep, "");
      return;
    }
  }
}

function dropTrailingComma(sections: Sections): void {
  const last = sections.sections[sections.sections.length - 1];
  last.left = last.left.slice(0, -1);
}

/** The full help text of a method, laid out like Core's `RPCHelpMan::ToString`. */
export function helpText(spec: RpcHelpSpec): string {
  let ret = spec.name;
  let wasOptional = false;
  for (const arg of spec.args) {
    if (arg.hidden) break;
    const optional = argIsOptional(arg);
    ret += " ";
    if (optional) {
      if (!wasOptional) ret += "( ";
      wasOptional = true;
    } else {
      if (wasOptional) ret += ") ";
      wasOptional = false;
    }
    ret += argToString(arg, true);
  }
  if (wasOptional) ret += " )";
  ret += "\n\n" + spec.description.trim() + "\n";

  const sections = new Sections();
  const namedOnly = new Sections();
  for (let i = 0; i < spec.args.length; i++) {
    const arg = spec.args[i];
    if (arg.hidden) break;
    sections.push(`${i + 1}. ${argFirstName(arg)}`, argDescription(arg, true));
    sections.pushArg(arg);
    if (arg.type === "obj_named_params") {
      for (const inner of arg.inner ?? []) {
        namedOnly.push(argFirstName(inner), argDescription(inner, true));
        namedOnly.pushArg(inner);
      }
    }
  }
  if (sections.sections.length > 0) ret += "\nArguments:\n";
  ret += sections.toString();
  if (namedOnly.sections.length > 0) ret += "\nNamed Arguments:\n";
  ret += namedOnly.toString();

  for (const r of spec.results) {
    if (r.type === "any") continue;
    ret += r.cond ? `\nResult (${r.cond}):\n` : "\nResult:\n";
    const s = new Sections();
    resultToSections(r, s, "none", 0);
    ret += s.toString();
  }
  if (spec.examples) ret += "\nExamples:\n" + spec.examples;
  return ret;
}
