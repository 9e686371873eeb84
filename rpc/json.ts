/**
 * JSON as Bitcoin Core's UniValue reads and writes it: type names for error messages, compact and pretty
 * output byte-for-byte like `UniValue::write()` (`[\n]` for an empty pretty array, `\u007f` escaped), and a
 * lossless parse that keeps every number's source text (`1.10`, `0.00000000`, 20-digit integers) the way
 * UniValue stores numbers.
 *
 * @module
 */

/** A number kept as its JSON source text (`JSON.rawJSON`); written back unchanged. */
export interface RawJson {
  /** The JSON text of the number. */
  readonly rawJSON: string;
}

/** A JSON object. */
export interface JsonObject {
  /** A member. */
  [key: string]: JsonValue;
}

/** A parsed JSON value; numbers are `number`, or `RawJson` after a lossless parse. */
export type JsonValue = null | boolean | number | string | RawJson | JsonValue[] | JsonObject;

/** UniValue's type names (`uvTypeName`). */
export type JsonTypeName = "null" | "bool" | "object" | "array" | "string" | "number";

interface ReviverContext {
  source?: string;
}

interface JsonWithRaw {
  rawJSON(text: string): RawJson;
  isRawJSON(value: unknown): value is RawJson;
  parse(text: string, reviver: (key: string, value: unknown, context: ReviverContext) => unknown): unknown;
}

const J = JSON as unknown as JsonWithRaw;

/** True when `value` is a number kept as source text. */
export function isRawJson(value: unknown): value is RawJson {
  return typeof value === "object" && value !== null && J.isRawJSON(value);
}

/** Wraps JSON number text (e.g. `"0.00001000"`) so it is written exactly so. Throws on anything else. */
export function rawNumber(text: string): RawJson {
  if (!/^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(text)) {
    throw new Error(`Cannot make a JSON number of '${text}'`);
  }
  return J.rawJSON(text);
}

/** UniValue's name for the type of `value` (`"null"`, `"bool"`, `"number"`, `"string"`, `"array"`, `"object"`). */
export function typeName(value: unknown): JsonTypeName {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "boolean":
      return "bool";
    case "number":
    case "bigint":
      return "number";
    case "string":
      return "string";
  }
  if (Array.isArray(value)) return "array";
  if (isRawJson(value)) return "number";
  return "object";
}

/** The numeric value of a number (plain or raw); NaN for anything else. */
export function numberValue(value: unknown): number {
  if (typeof value === "number") return value;
  if (isRawJson(value)) return Number(value.rawJSON);
  return NaN;
}

/** The source text of a number, as UniValue's `getValStr()` would give it. */
export function numberText(value: number | RawJson): string {
  return typeof value === "number" ? JSON.stringify(value) : value.rawJSON;
}

const DEL_RE = /\x7f/g;

/** Compact JSON text as `UniValue::write()` makes it. `undefined` is written as `null`. */
export function writeJson(value: unknown): string {
  const s = JSON.stringify(value) ?? "null";
  return s.includes("\x7f") ? s.replace(DEL_RE, "\\u007f") : s;
}

function escapeString(s: string): string {
  const out = JSON.stringify(s);
  return out.includes("\x7f") ? out.replace(DEL_RE, "\\u007f") : out;
}

/**
 * Pretty JSON text as `UniValue::write(indent)` makes it (bitcoin-cli prints results with indent 2): like
 * `JSON.stringify(v, null, indent)`, except that empty arrays and objects span two lines (`[\n]`).
 */
export function writeJsonPretty(value: unknown, indent = 2): string {
  const parts: string[] = [];
  write(value, 1, parts, indent);
  return parts.join("");
}

function write(value: unknown, level: number, out: string[], indent: number): void {
  if (value === null || value === undefined) {
    out.push("null");
    return;
  }
  switch (typeof value) {
    case "string":
      out.push(escapeString(value));
      return;
    case "number":
    case "boolean":
      out.push(JSON.stringify(value));
      return;
    case "bigint":
      out.push(value.toString());
      return;
    case "object":
      break;
    default:
      out.push("null");
      return;
  }
  if (isRawJson(value)) {
    out.push(value.rawJSON);
    return;
  }
  const toJson = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof toJson === "function") {
    write(toJson.call(value), level, out, indent);
    return;
  }
  const pad = " ".repeat(indent * level);
  const closePad = " ".repeat(indent * (level - 1));
  if (Array.isArray(value)) {
    out.push("[\n");
    for (let i = 0; i < value.length; i++) {
      out.push(pad);
      write(value[i], level + 1, out, indent);
      out.push(i === value.length - 1 ? "\n" : ",\n");
    }
    out.push(closePad, "]");
    return;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) =>
    v !== undefined && typeof v !== "function"
  );
  out.push("{\n");
  for (let i = 0; i < entries.length; i++) {
    const [k, v] = entries[i];
    out.push(pad, escapeString(k), ": ");
    write(v, level + 1, out, indent);
    out.push(i === entries.length - 1 ? "\n" : ",\n");
  }
  out.push(closePad, "}");
}

/** UniValue's nesting limit (`MAX_JSON_DEPTH`). */
export const MAX_JSON_DEPTH = 512;

function depthExceeds(text: string, max: number): boolean {
  // Cheap pre-check: only texts with more than `max` openers can be too deep.
  let openers = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) openers++;
  }
  if (openers <= max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Parses JSON like `UniValue::read()`: any JSON value at the top level, nesting at most 512 deep. Returns
 * `undefined` when the text is not valid JSON. Numbers become JS numbers (fast path).
 */
export function parseJson(text: string): JsonValue | undefined {
  try {
    const v = JSON.parse(text) as JsonValue;
    if (text.length > MAX_JSON_DEPTH && depthExceeds(text, MAX_JSON_DEPTH)) return undefined;
    return v;
  } catch {
    return undefined;
  }
}

const reviveNumbers = (_key: string, value: unknown, context: ReviverContext): unknown =>
  typeof value === "number" && context.source !== undefined && context.source !== JSON.stringify(value)
    ? J.rawJSON(context.source)
    : value;

/**
 * Parses JSON like `parseJson`, but keeps every number whose text would not survive a round trip through a
 * JS number (`1.10`, `1e3`, `12345678901234567890`) as `RawJson`, so writing it back gives the same text.
 */
export function parseJsonLossless(text: string): JsonValue | undefined {
  try {
    const v = J.parse(text, reviveNumbers) as JsonValue;
    if (text.length > MAX_JSON_DEPTH && depthExceeds(text, MAX_JSON_DEPTH)) return undefined;
    return v;
  } catch {
    return undefined;
  }
}

/**
 * A satoshi amount as Core's `ValueFromAmount` writes it: a JSON number with exactly 8 decimals
 * (`0.00001000`, `-1.50000000`).
 */
export function valueFromAmount(amount: bigint | number): RawJson {
  const sats = BigInt(amount);
  const neg = sats < 0n;
  const abs = neg ? -sats : sats;
  const text = `${neg ? "-" : ""}${abs / 100_000_000n}.${(abs % 100_000_000n).toString().padStart(8, "0")}`;
  return J.rawJSON(text);
}

/** A key that occurs more than once in one object of a JSON text. */
export interface DuplicateKey {
  /** Path of the object holding it (member names and array indexes from the top). */
  path: Array<string | number>;
  /** The repeated key (first repetition found in that object). */
  key: string;
}

/**
 * Finds keys repeated within an object of a valid JSON text (which `JSON.parse` silently collapses, while
 * UniValue keeps them, e.g. for Core's "Parameter x specified multiple times"). Only objects at depth
 * `maxDepth` or less are reported. Returns [] for invalid text.
 */
export function findDuplicateKeys(text: string, maxDepth = 3): DuplicateKey[] {
  const out: DuplicateKey[] = [];
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) {
      i++;
    }
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: Array<string | number>): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const seen = new Set<string>();
      let reported = false;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      while (i < text.length) {
        ws();
        const key = str();
        if (seen.has(key) && !reported && path.length <= maxDepth) {
          out.push({ path: [...path], key });
          reported = true;
        }
        seen.add(key);
        ws();
        i++; // ':'
        value([...path, key]);
        ws();
        if (text[i++] === "}") return;
      }
    } else if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (let n = 0; i < text.length; n++) {
        value([...path, n]);
        ws();
        if (text[i++] === "]") return;
      }
    } else if (c === '"') {
      str();
    } else {
      while (i < text.length && !",]} \t\n\r".includes(text[i])) i++;
    }
  };
  try {
    value([]);
  } catch {
    return [];
  }
  return out;
}
