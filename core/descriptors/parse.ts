/**
 * The descriptor parser (Bitcoin Core's `Parse`, `ParseScript`, `ParsePubkey`, `ParseKeyPath`), with Core's
 * error messages and its order of checks, so the same text fails with the same message. A multipath key
 * (`/<0;1>/*`, BIP 389) makes the parser return one expression per path.
 *
 * Not supported: miniscript fragments inside `wsh()` / `tr()` and `musig()` keys; they fail with a message
 * saying so.
 *
 * @module
 */
import type { Network } from "../chain_params_base.ts";
import { decodeDestination, isDecodedDestination } from "../address/destination.ts";
import { decodeSecret } from "../address/wif.ts";
import { defaultSecp256k1 } from "../crypto/default_backend.ts";
import {
  MAX_PUBKEYS_PER_MULTI_A,
  MAX_PUBKEYS_PER_MULTISIG,
  MAX_SCRIPT_ELEMENT_SIZE,
} from "../script/script.ts";
import { TAPROOT_CONTROL_MAX_NODE_COUNT } from "../script/interpreter.ts";
import { publicKeyOf } from "./ec.ts";
import { decodeExtKey, decodeExtPubKey, type ExtPubKey, HARDENED, neuterExtKey } from "./hd_key.ts";
import {
  Bip32Key,
  ConstKey,
  type DeriveType,
  type KeyExpression,
  KeyStore,
  OriginKey,
} from "./key_expression.ts";
import type { ScriptExpression } from "./script_expression.ts";

/** Where an expression sits (Core's `ParseScriptContext`). */
type Context = "top" | "p2sh" | "p2wpkh" | "p2wsh" | "p2tr";

/** A parse failure carrying Core's message (internal: turned into a `DescriptorError` by the caller). */
export class ParseFailure extends Error {
  /** Creates the failure with Core's message. */
  constructor(message: string) {
    super(message);
    this.name = "ParseFailure";
  }
}

function fail(message: string): never {
  throw new ParseFailure(message);
}

/** Runs `f`, prefixing the message of a failure with `prefix`. */
function prefixed<T>(prefix: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ParseFailure) fail(prefix + e.message);
    throw e;
  }
}

/** State shared by one parse: the key expression counter, the private keys found, the network. */
interface ParseState {
  keyExpIndex: number;
  readonly keys: KeyStore;
  readonly network: Network;
}

// --- Core's script/parsing.cpp: Const, Func, Expr -----------------------------------------------------------

/** A cursor over the text (Core passes `std::span<const char>&` and consumes it). */
interface Cursor {
  s: string;
}

/** If `c` starts with `str`, consumes it (when `skip`) and returns true (`Const`). */
function consumeConst(str: string, c: Cursor, skip = true): boolean {
  if (!c.s.startsWith(str)) return false;
  if (skip) c.s = c.s.slice(str.length);
  return true;
}

/** If `s` is `name(...)`, the text inside the parentheses (`Func`); no check that they balance. */
function func(name: string, s: string): string | undefined {
  if (s.length >= name.length + 2 && s[name.length] === "(" && s.endsWith(")") && s.startsWith(name)) {
    return s.slice(name.length + 1, s.length - 1);
  }
  return undefined;
}

/** Takes the text up to the first `,`, `)` or `}` outside parentheses and braces (`Expr`). */
function expr(c: Cursor): string {
  let level = 0;
  let i = 0;
  for (; i < c.s.length; i++) {
    const ch = c.s[i];
    if (ch === "(" || ch === "{") level++;
    else if (level && (ch === ")" || ch === "}")) level--;
    else if (level === 0 && (ch === ")" || ch === "}" || ch === ",")) break;
  }
  const out = c.s.slice(0, i);
  c.s = c.s.slice(i);
  return out;
}

// --- small helpers with Core's semantics ---------------------------------------------------------------------

/** Core's `ToIntegral<uint32_t>`: decimal digits only, at most 2^32 - 1. */
function parseUint32(s: string): number | undefined {
  if (!/^[0-9]+$/.test(s)) return undefined;
  const digits = s.replace(/^0+(?=[0-9])/, "");
  if (digits.length > 10) return undefined;
  const n = Number(digits);
  return n > 0xffffffff ? undefined : n;
}

/** Core's `IsHex`: a non-empty even number of hex digits. */
function isHex(s: string): boolean {
  return s.length > 0 && s.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(s);
}

function parseHex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(2 * i, 2), 16);
  return out;
}

/** Core's `IsSpace`. */
function isSpace(ch: string): boolean {
  return ch === " " || ch === "\f" || ch === "\n" || ch === "\r" || ch === "\t" || ch === "\v";
}

// --- key paths -----------------------------------------------------------------------------------------------

/** Whether a hardened step was written with `'` (shared by the whole key expression, last one wins). */
interface Apostrophe {
  value: boolean;
}

/** One path element, `NUM`, `NUM'` or `NUMh` (`ParseKeyPathNum`). */
function parseKeyPathNum(elem: string, apostrophe: Apostrophe): number {
  let hardened = false;
  if (elem.length > 0) {
    const last = elem[elem.length - 1];
    if (last === "'" || last === "h") {
      elem = elem.slice(0, -1);
      hardened = true;
      apostrophe.value = last === "'";
    }
  }
  const p = parseUint32(elem);
  if (p === undefined) fail(`Key path value '${elem}' is not a valid uint32`);
  if (p > 0x7fffffff) fail(`Key path value ${p} is out of range`);
  return hardened ? (p | HARDENED) >>> 0 : p;
}

/** The path(s) of `split[1..]` (`ParseKeyPath`): one, or one per item of a `<a;b;…>` multipath step. */
function parseKeyPath(split: readonly string[], apostrophe: Apostrophe, allowMultipath: boolean): number[][] {
  const path: number[] = [];
  let substitutes: { index: number; values: number[] } | undefined;
  for (let i = 1; i < split.length; i++) {
    const elem = split[i];
    if (elem.length > 0 && elem[0] === "<" && elem[elem.length - 1] === ">") {
      if (!allowMultipath) {
        fail(`Key path value '${elem}' specifies multipath in a section where multipath is not allowed`);
      }
      if (substitutes !== undefined) fail("Multiple multipath key path specifiers found");
      const nums = elem.slice(1, -1).split(";");
      if (nums.length < 2) fail("Multipath key path specifiers must have at least two items");
      const values: number[] = [];
      for (const num of nums) {
        const v = parseKeyPathNum(num, apostrophe);
        if (values.includes(v)) fail(`Duplicated key path value ${v} in multipath specifier`);
        values.push(v);
      }
      path.push(0);
      substitutes = { index: path.length - 1, values };
    } else {
      path.push(parseKeyPathNum(elem, apostrophe));
    }
  }
  if (substitutes === undefined) return [path];
  return substitutes.values.map((v) => {
    const p = [...path];
    p[substitutes!.index] = v;
    return p;
  });
}

/** Pops a final `*`, `*'` or `*h` off `split` (`ParseDeriveType`). */
function parseDeriveType(split: string[], apostrophe: Apostrophe): DeriveType {
  const last = split[split.length - 1];
  if (last === "*") {
    split.pop();
    return "unhardened";
  }
  if (last === "*'" || last === "*h") {
    apostrophe.value = last === "*'";
    split.pop();
    return "hardened";
  }
  return "none";
}

// --- keys ----------------------------------------------------------------------------------------------------

/** A key without origin (`ParsePubkeyInner`): hex, WIF, or xpub/xprv with a path. */
function parsePubkeyInner(
  state: ParseState,
  sp: string,
  ctx: Context,
  apostrophe: Apostrophe,
): Array<ConstKey | Bip32Key> {
  const permitUncompressed = ctx === "top" || ctx === "p2sh";
  const split = sp.split("/");
  const str = split[0];
  if (str.length === 0) fail("No key provided");
  if (isSpace(str[0]) || isSpace(str[str.length - 1])) fail(`Key '${str}' is invalid due to whitespace`);
  if (split.length === 1) {
    if (isHex(str)) {
      const data = parseHex(str);
      const header = data[0];
      const sizeValid = (header === 2 || header === 3) ? data.length === 33 : header >= 4 && header <= 7 &&
        header !== 5 && data.length === 65;
      if (sizeValid && (header === 6 || header === 7)) fail("Hybrid public keys are not allowed");
      if (sizeValid && defaultSecp256k1().isValidPubkey(data)) {
        if (permitUncompressed || data.length === 33) {
          return [new ConstKey(state.keyExpIndex++, data, false, state.network)];
        }
        fail("Uncompressed keys are not allowed");
      } else if (data.length === 32 && ctx === "p2tr") {
        const full = new Uint8Array(33);
        full[0] = 2;
        full.set(data, 1);
        if (defaultSecp256k1().isValidPubkey(full)) {
          return [new ConstKey(state.keyExpIndex++, full, true, state.network)];
        }
      }
      fail(`Pubkey '${str}' is invalid`);
    }
    const secret = decodeSecret(str, state.network);
    if (secret !== undefined) {
      if (permitUncompressed || secret.compressed) {
        const pubkey = publicKeyOf(secret.key, secret.compressed)!;
        state.keys.add(secret);
        return [new ConstKey(state.keyExpIndex++, pubkey, ctx === "p2tr", state.network)];
      }
      fail("Uncompressed keys are not allowed");
    }
  }
  const extKey = decodeExtKey(str, state.network);
  let extPubKey: ExtPubKey | undefined = extKey === undefined
    ? decodeExtPubKey(str, state.network)
    : undefined;
  if (extKey === undefined && extPubKey === undefined) fail(`key '${str}' is not valid`);
  const derive = parseDeriveType(split, apostrophe);
  const paths = parseKeyPath(split, apostrophe, true);
  if (extKey !== undefined) {
    extPubKey = neuterExtKey(extKey);
    state.keys.add({ key: extKey.key, compressed: true });
  }
  const index = state.keyExpIndex++;
  return paths.map((path) => new Bip32Key(index, extPubKey!, path, derive, apostrophe.value, state.network));
}

/** A KEY expression with optional origin (`ParsePubkey`); several for a multipath key. */
function parsePubkey(state: ParseState, sp: string, ctx: Context): KeyExpression[] {
  if (sp.startsWith("musig(")) {
    if (ctx !== "p2tr") fail("musig() is only allowed in tr() and rawtr()");
    fail("musig() key expressions are not supported");
  }
  const originSplit = sp.split("]");
  if (originSplit.length > 2) fail("Multiple ']' characters found for a single pubkey");
  const apostrophe: Apostrophe = { value: false };
  if (originSplit.length === 1) return parsePubkeyInner(state, originSplit[0], ctx, apostrophe);
  if (originSplit[0].length === 0 || originSplit[0][0] !== "[") {
    const got = originSplit[0].length === 0 ? "]" : originSplit[0][0];
    fail(`Key origin start '[ character expected but not found, got '${got}' instead`);
  }
  const slashSplit = originSplit[0].slice(1).split("/");
  if (slashSplit[0].length !== 8) {
    fail(`Fingerprint is not 4 bytes (${slashSplit[0].length} characters instead of 8 characters)`);
  }
  if (!isHex(slashSplit[0])) fail(`Fingerprint '${slashSplit[0]}' is not hex`);
  const fingerprint = parseHex(slashSplit[0]);
  const path = parseKeyPath(slashSplit, apostrophe, false)[0];
  const providers = parsePubkeyInner(state, originSplit[1], ctx, apostrophe);
  return providers.map((p) => new OriginKey({ fingerprint, path }, p, apostrophe.value));
}

// --- scripts -------------------------------------------------------------------------------------------------

/** Fragment names and wrappers of miniscript (BIP 379), to say why such text is refused. */
const MINISCRIPT =
  /^([asctdvjnlu]+:)?((pk_k|pk_h|pk|pkh|older|after|sha256|hash256|ripemd160|hash160|andor|and_v|and_b|and_n|or_b|or_c|or_d|or_i|thresh|multi|multi_a)\(.*\)|0|1)$/s;

/** The multipath variants of `items` lined up: each list of length 1 is repeated to `length`. */
function lineUp<T>(items: T[][], length: number, error: string): T[][] {
  return items.map((variants) => {
    if (variants.length === 1) return new Array<T>(length).fill(variants[0]);
    if (variants.length !== length) fail(error);
    return variants;
  });
}

/** One SCRIPT expression at the start of `c` (`ParseScript`); several for multipath keys. */
function parseScript(state: ParseState, c: Cursor, ctx: Exclude<Context, "p2wpkh">): ScriptExpression[] {
  const e = expr(c);
  let inner: string | undefined;

  if ((inner = func("pk", e)) !== undefined) {
    const arg = inner;
    const keys = prefixed("pk(): ", () => parsePubkey(state, arg, ctx));
    return keys.map((key) => ({ kind: "pk", key, xonly: ctx === "p2tr" }));
  }
  if ((ctx === "top" || ctx === "p2sh" || ctx === "p2wsh") && (inner = func("pkh", e)) !== undefined) {
    const arg = inner;
    const keys = prefixed("pkh(): ", () => parsePubkey(state, arg, ctx));
    return keys.map((key) => ({ kind: "pkh", key }));
  }
  if ((inner = func("combo", e)) !== undefined) {
    if (ctx !== "top") fail("Can only have combo() at top level");
    const arg = inner;
    const keys = prefixed("combo(): ", () => parsePubkey(state, arg, ctx));
    return keys.map((key) => ({ kind: "combo", key }));
  }
  const multi = func("multi", e);
  const sortedmulti = multi === undefined ? func("sortedmulti", e) : undefined;
  const multiA = multi === undefined && sortedmulti === undefined ? func("multi_a", e) : undefined;
  const sortedmultiA = multi === undefined && sortedmulti === undefined && multiA === undefined
    ? func("sortedmulti_a", e)
    : undefined;
  const isMulti = multi !== undefined || sortedmulti !== undefined;
  const isMultiA = multiA !== undefined || sortedmultiA !== undefined;
  if (((ctx === "top" || ctx === "p2sh" || ctx === "p2wsh") && isMulti) || (ctx === "p2tr" && isMultiA)) {
    const args: Cursor = { s: (multi ?? sortedmulti ?? multiA ?? sortedmultiA)! };
    const thresholdText = expr(args);
    const threshold = parseUint32(thresholdText);
    if (threshold === undefined) fail(`Multi threshold '${thresholdText}' is not valid`);
    const providers: KeyExpression[][] = [];
    let scriptSize = 0;
    let maxProviders = 0;
    while (args.s.length > 0) {
      if (!consumeConst(",", args)) fail(`Multi: expected ',', got '${args.s[0]}'`);
      const arg = expr(args);
      const keys = prefixed("Multi: ", () => parsePubkey(state, arg, ctx));
      scriptSize += keys[0].size() + 1;
      maxProviders = Math.max(maxProviders, keys.length);
      providers.push(keys);
    }
    if (isMulti && (providers.length === 0 || providers.length > MAX_PUBKEYS_PER_MULTISIG)) {
      fail(
        `Cannot have ${providers.length} keys in multisig; must have between 1 and ${MAX_PUBKEYS_PER_MULTISIG} ` +
          "keys, inclusive",
      );
    } else if (isMultiA && (providers.length === 0 || providers.length > MAX_PUBKEYS_PER_MULTI_A)) {
      fail(
        `Cannot have ${providers.length} keys in multi_a; must have between 1 and ${MAX_PUBKEYS_PER_MULTI_A} ` +
          "keys, inclusive",
      );
    } else if (threshold < 1) {
      fail(`Multisig threshold cannot be ${threshold}, must be at least 1`);
    } else if (threshold > providers.length) {
      fail(
        "Multisig threshold cannot be larger than the number of keys; threshold is " +
          `${threshold} but only ${providers.length} keys specified`,
      );
    }
    if (ctx === "top" && providers.length > 3) {
      fail(`Cannot have ${providers.length} pubkeys in bare multisig; only at most 3 pubkeys`);
    }
    if (ctx === "p2sh" && scriptSize + 3 > MAX_SCRIPT_ELEMENT_SIZE) {
      fail(
        `P2SH script is too large, ${scriptSize + 3} bytes is larger than ${MAX_SCRIPT_ELEMENT_SIZE} bytes`,
      );
    }
    const lined = lineUp(
      providers,
      maxProviders,
      "multi(): Multipath derivation paths have mismatched lengths",
    );
    const out: ScriptExpression[] = [];
    for (let i = 0; i < maxProviders; i++) {
      const keys = lined.map((v) => v[i]);
      out.push(
        isMulti
          ? { kind: "multi", threshold, keys, sorted: sortedmulti !== undefined }
          : { kind: "multi_a", threshold, keys, sorted: sortedmultiA !== undefined },
      );
    }
    return out;
  } else if (isMulti) {
    fail("Can only have multi/sortedmulti at top level, in sh(), or in wsh()");
  } else if (isMultiA) {
    fail("Can only have multi_a/sortedmulti_a inside tr()");
  }
  if ((inner = func("wpkh", e)) !== undefined) {
    if (ctx !== "top" && ctx !== "p2sh") fail("Can only have wpkh() at top level or inside sh()");
    const arg = inner;
    const keys = prefixed("wpkh(): ", () => parsePubkey(state, arg, "p2wpkh"));
    return keys.map((key) => ({ kind: "wpkh", key }));
  }
  if ((inner = func("sh", e)) !== undefined) {
    if (ctx !== "top") fail("Can only have sh() at top level");
    const args: Cursor = { s: inner };
    const subs = parseScript(state, args, "p2sh");
    if (args.s.length > 0) fail("");
    return subs.map((sub) => ({ kind: "sh", sub }));
  }
  if ((inner = func("wsh", e)) !== undefined) {
    if (ctx !== "top" && ctx !== "p2sh") fail("Can only have wsh() at top level or inside sh()");
    const args: Cursor = { s: inner };
    const subs = parseScript(state, args, "p2wsh");
    if (args.s.length > 0) fail("");
    return subs.map((sub) => ({ kind: "wsh", sub }));
  }
  if ((inner = func("addr", e)) !== undefined) {
    if (ctx !== "top") fail("Can only have addr() at top level");
    const decoded = decodeDestination(inner, state.network);
    if (!isDecodedDestination(decoded)) fail("Address is not valid");
    return [{ kind: "addr", destination: decoded.destination, script: decoded.scriptPubKey }];
  }
  if ((inner = func("tr", e)) !== undefined) {
    if (ctx !== "top") fail("Can only have tr at top level");
    return parseTr(state, inner);
  }
  if ((inner = func("rawtr", e)) !== undefined) {
    if (ctx !== "top") fail("Can only have rawtr at top level");
    const args: Cursor = { s: inner };
    const arg = expr(args);
    if (args.s.length > 0) fail("rawtr(): only one key expected.");
    const keys = prefixed("rawtr(): ", () => parsePubkey(state, arg, "p2tr"));
    return keys.map((key) => ({ kind: "rawtr", key }));
  }
  if ((inner = func("unused", e)) !== undefined) {
    if (ctx !== "top") fail("Can only have unused at top level");
    const args: Cursor = { s: inner };
    const arg = expr(args);
    if (args.s.length > 0) fail("unused(): only one key expected");
    const keys = parsePubkey(state, arg, ctx);
    return keys.map((key) => {
      if (key.isRange()) fail("unused(): key cannot be ranged");
      return { kind: "unused", key };
    });
  }
  if ((inner = func("raw", e)) !== undefined) {
    if (ctx !== "top") fail("Can only have raw() at top level");
    if (!isHex(inner)) fail("Raw script is not hex");
    return [{ kind: "raw", script: parseHex(inner) }];
  }
  if (MINISCRIPT.test(e)) {
    if (ctx === "p2wsh" || ctx === "p2tr") fail(`Miniscript expressions are not supported: '${e}'`);
    fail("Miniscript expressions can only be used in wsh or tr.");
  }
  if (ctx === "p2sh") fail("A function is needed within P2SH");
  if (ctx === "p2wsh") fail("A function is needed within P2WSH");
  fail(`'${e}' is not a valid descriptor function`);
}

/** The arguments of `tr(KEY)` / `tr(KEY,TREE)`. */
function parseTr(state: ParseState, text: string): ScriptExpression[] {
  const args: Cursor = { s: text };
  const arg = expr(args);
  const internalKeys = prefixed("tr(): ", () => parsePubkey(state, arg, "p2tr"));
  let maxProviders = internalKeys.length;
  const subscripts: ScriptExpression[][] = [];
  const depths: number[] = [];
  if (args.s.length > 0) {
    if (!consumeConst(",", args)) fail(`tr: expected ',', got '${args.s[0]}'`);
    // The path from the root to the current leaf: false = in a left branch, true = in a right branch.
    const branches: boolean[] = [];
    do {
      while (consumeConst("{", args)) {
        branches.push(false);
        if (branches.length > TAPROOT_CONTROL_MAX_NODE_COUNT) {
          fail(`tr() supports at most ${TAPROOT_CONTROL_MAX_NODE_COUNT} nesting levels`);
        }
      }
      const leaf: Cursor = { s: expr(args) };
      const scripts = parseScript(state, leaf, "p2tr");
      subscripts.push(scripts);
      maxProviders = Math.max(maxProviders, scripts.length);
      depths.push(branches.length);
      while (branches.length > 0 && branches[branches.length - 1]) {
        if (!consumeConst("}", args)) fail("tr(): expected '}' after script expression");
        branches.pop();
      }
      if (branches.length > 0 && !branches[branches.length - 1]) {
        if (!consumeConst(",", args)) fail("tr(): expected ',' after script expression");
        branches[branches.length - 1] = true;
      }
    } while (branches.length > 0);
    if (args.s.length > 0) fail("tr(): expected ')' after script expression");
  }
  const lined = lineUp(subscripts, maxProviders, "tr(): Multipath subscripts have mismatched lengths");
  if (internalKeys.length > 1 && internalKeys.length !== maxProviders) {
    fail("tr(): Multipath internal key mismatches multipath subscripts lengths");
  }
  const out: ScriptExpression[] = [];
  for (let i = 0; i < maxProviders; i++) {
    out.push({
      kind: "tr",
      key: internalKeys.length === 1 ? internalKeys[0] : internalKeys[i],
      subs: lined.map((v) => v[i]),
      depths,
    });
  }
  return out;
}

/** What {@link parseExpressions} returns: the expressions (one per multipath variant) and the keys found. */
export interface ParsedExpressions {
  /** The top-level expressions; more than one for a multipath descriptor. */
  readonly expressions: ScriptExpression[];
  /** The private keys written in the descriptor. */
  readonly keys: KeyStore;
}

/**
 * Parses a checksum-less descriptor payload (byte string, see byte_string.ts) at top level; throws
 * {@link ParseFailure} with Core's message. Text left after the expression fails with an empty message, as in
 * Core.
 */
export function parseExpressions(payload: string, network: Network): ParsedExpressions {
  const state: ParseState = { keyExpIndex: 0, keys: new KeyStore(), network };
  const c: Cursor = { s: payload };
  const expressions = parseScript(state, c, "top");
  if (c.s.length > 0) fail("");
  return { expressions, keys: state.keys };
}
