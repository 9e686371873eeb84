/**
 * SCRIPT expressions of descriptors (Bitcoin Core's `DescriptorImpl` subclasses) as plain data, and what Core
 * does with them: the text forms (`ToStringHelper`: public, private, normalized, compat), expansion at a
 * position into output scripts (`ExpandHelper` / `MakeScripts`), solvability, output type and the size
 * estimates the wallet uses for fees.
 *
 * @module
 */
import type { Destination } from "../address/destination.ts";
import { encodeDestination } from "../address/destination.ts";
import { compareBytes, hash160, sha256, toHex } from "../hash/hashes.ts";
import { OP_CHECKSIG, OP_CHECKSIGADD, OP_NUMEQUAL } from "../script/opcodes.ts";
import { pushInt, ScriptBuilder } from "../script/script.ts";
import { scriptForMultisig, scriptForRawPubKey } from "../script/standard.ts";
import { TAPROOT_LEAF_TAPSCRIPT } from "../script/interpreter.ts";
import type { Network } from "../chain_params_base.ts";
import type { DerivedKey, KeyExpression, KeyStore } from "./key_expression.ts";
import { type TaprootOutput, taprootOutput } from "./taproot_tree.ts";

/** A SCRIPT expression. `sorted` marks `sortedmulti` / `sortedmulti_a`; `xonly` marks `pk()` inside `tr()`. */
export type ScriptExpression =
  | { readonly kind: "addr"; readonly destination: Destination; readonly script: Uint8Array }
  | { readonly kind: "raw"; readonly script: Uint8Array }
  | { readonly kind: "pk"; readonly key: KeyExpression; readonly xonly: boolean }
  | { readonly kind: "pkh"; readonly key: KeyExpression }
  | { readonly kind: "wpkh"; readonly key: KeyExpression }
  | { readonly kind: "combo"; readonly key: KeyExpression }
  | {
    readonly kind: "multi";
    readonly threshold: number;
    readonly keys: readonly KeyExpression[];
    readonly sorted: boolean;
  }
  | {
    readonly kind: "multi_a";
    readonly threshold: number;
    readonly keys: readonly KeyExpression[];
    readonly sorted: boolean;
  }
  | { readonly kind: "sh"; readonly sub: ScriptExpression }
  | { readonly kind: "wsh"; readonly sub: ScriptExpression }
  | {
    readonly kind: "tr";
    readonly key: KeyExpression;
    readonly subs: readonly ScriptExpression[];
    readonly depths: readonly number[];
  }
  | { readonly kind: "rawtr"; readonly key: KeyExpression }
  | { readonly kind: "unused"; readonly key: KeyExpression };

/** Core's output types (`OutputType`) by their RPC names. */
export type OutputType = "legacy" | "p2sh-segwit" | "bech32" | "bech32m";

/** How to write a descriptor (Core's `DescriptorImpl::StringType`). */
export type StringMode = "public" | "private" | "normalized" | "compat";

/** What expanding a descriptor at one position gives besides the output scripts (Core's `FlatSigningProvider`). */
export interface ExpansionData {
  /** Public keys used, with their origins, in key-expression order. */
  readonly pubkeys: DerivedKey[];
  /** Scripts behind hashes: sh() redeem scripts, wsh() witness scripts, combo's P2WPKH script. */
  readonly scripts: Uint8Array[];
  /** The taproot outputs of tr() expressions. */
  readonly taproot: TaprootOutput[];
}

/** The function name (`m_name`). */
export function functionName(e: ScriptExpression): string {
  switch (e.kind) {
    case "multi":
      return e.sorted ? "sortedmulti" : "multi";
    case "multi_a":
      return e.sorted ? "sortedmulti_a" : "multi_a";
    default:
      return e.kind;
  }
}

/** The KEY arguments (`m_pubkey_args`). */
export function keyArgs(e: ScriptExpression): readonly KeyExpression[] {
  switch (e.kind) {
    case "addr":
    case "raw":
    case "sh":
    case "wsh":
      return [];
    case "multi":
    case "multi_a":
      return e.keys;
    default:
      return [e.key];
  }
}

/** The SCRIPT arguments (`m_subdescriptor_args`). */
export function subArgs(e: ScriptExpression): readonly ScriptExpression[] {
  switch (e.kind) {
    case "sh":
    case "wsh":
      return [e.sub];
    case "tr":
      return e.subs;
    default:
      return [];
  }
}

/** Whether any key changes with the position (`IsRange`). */
export function isRange(e: ScriptExpression): boolean {
  return keyArgs(e).some((k) => k.isRange()) || subArgs(e).some(isRange);
}

/** Whether the outputs can be signed for given the keys (`IsSolvable`): false for addr() and raw(). */
export function isSolvable(e: ScriptExpression): boolean {
  if (e.kind === "addr" || e.kind === "raw") return false;
  return subArgs(e).every(isSolvable);
}

/** Whether it gives one kind of output script (`IsSingleType`): false only for combo(). */
export function isSingleType(e: ScriptExpression): boolean {
  return e.kind !== "combo";
}

/** Whether its keys can be derived without private keys (`CanSelfExpand`). */
export function canSelfExpand(e: ScriptExpression): boolean {
  return keyArgs(e).every((k) => k.canSelfExpand()) && subArgs(e).every(canSelfExpand);
}

function destinationOutputType(dest: Destination): OutputType | undefined {
  switch (dest.type) {
    case "pubkeyhash":
    case "scripthash":
      return "legacy";
    case "witness_v0_keyhash":
    case "witness_v0_scripthash":
      return "bech32";
    case "witness_v1_taproot":
    case "witness_unknown":
      return "bech32m";
    default:
      return undefined;
  }
}

/** The output type (`GetOutputType`), undefined for pk(), combo(), bare multisig, unused() and others. */
export function outputType(e: ScriptExpression, extract: (s: Uint8Array) => Destination | undefined):
  | OutputType
  | undefined {
  switch (e.kind) {
    case "addr":
      return destinationOutputType(e.destination);
    case "raw": {
      const dest = extract(e.script);
      return dest === undefined ? undefined : destinationOutputType(dest);
    }
    case "pkh":
      return "legacy";
    case "wpkh":
    case "wsh":
      return "bech32";
    case "sh":
      return outputType(e.sub, extract) === "bech32" ? "p2sh-segwit" : "legacy";
    case "tr":
    case "rawtr":
      return "bech32m";
    default:
      return undefined;
  }
}

/** Text between the `(` and the arguments (`ToStringExtra`): the address, the script hex, the threshold. */
function stringExtra(e: ScriptExpression, network: Network): string {
  switch (e.kind) {
    case "addr":
      return encodeDestination(e.destination, network) ?? "";
    case "raw":
      return toHex(e.script);
    case "multi":
    case "multi_a":
      return String(e.threshold);
    default:
      return "";
  }
}

/** A written expression: the text, and (for private mode) whether any private key was written. */
export interface WrittenExpression {
  /** The text (without checksum). */
  readonly text: string;
  /** Private mode: whether at least one private key is in the text; other modes: true. */
  readonly ok: boolean;
}

/**
 * Writes an expression (`ToStringHelper`); undefined when the normalized form needs a private key the store
 * lacks.
 */
export function writeExpression(
  e: ScriptExpression,
  mode: StringMode,
  keys: KeyStore,
  network: Network,
): WrittenExpression | undefined {
  const isPrivate = mode === "private";
  const extra = stringExtra(e, network);
  let pos = extra.length > 0 ? 1 : 0;
  let ret = functionName(e) + "(" + extra;
  let anySuccess = !isPrivate;
  for (const key of keyArgs(e)) {
    if (pos++) ret += ",";
    switch (mode) {
      case "normalized": {
        const text = key.toNormalizedString(keys);
        if (text === undefined) return undefined;
        ret += text;
        break;
      }
      case "private": {
        const r = key.toPrivateString(keys);
        anySuccess = r.ok || anySuccess;
        ret += r.text;
        break;
      }
      case "public":
        ret += key.toString("public");
        break;
      case "compat":
        ret += key.toString("compat");
        break;
    }
  }
  const sub = e.kind === "tr" ? writeTree(e, mode, keys, network) : writeSubs(e, mode, keys, network);
  if (sub === undefined) return undefined;
  anySuccess = anySuccess || sub.ok;
  if (pos && sub.text.length > 0) ret += ",";
  return { text: ret + sub.text + ")", ok: anySuccess };
}

/** The SCRIPT arguments separated by commas (`ToStringSubScriptHelper`). */
function writeSubs(
  e: ScriptExpression,
  mode: StringMode,
  keys: KeyStore,
  network: Network,
): WrittenExpression | undefined {
  const isPrivate = mode === "private";
  let anySuccess = !isPrivate;
  const parts: string[] = [];
  for (const sub of subArgs(e)) {
    const r = writeExpression(sub, mode, keys, network);
    if (r === undefined || (!isPrivate && !r.ok)) return undefined;
    anySuccess = anySuccess || r.ok;
    parts.push(r.text);
  }
  return { text: parts.join(","), ok: anySuccess };
}

/** The script tree of tr() with its braces, rebuilt from the leaf depths. */
function writeTree(
  e: Extract<ScriptExpression, { kind: "tr" }>,
  mode: StringMode,
  keys: KeyStore,
  network: Network,
): WrittenExpression | undefined {
  const isPrivate = mode === "private";
  if (e.depths.length === 0) return { text: "", ok: !isPrivate };
  let anySuccess = !isPrivate;
  let ret = "";
  const path: boolean[] = [];
  for (let pos = 0; pos < e.depths.length; pos++) {
    if (pos) ret += ",";
    while (path.length <= e.depths[pos]) {
      if (path.length) ret += "{";
      path.push(false);
    }
    const r = writeExpression(e.subs[pos], mode, keys, network);
    if (r === undefined || (!isPrivate && !r.ok)) return undefined;
    anySuccess = anySuccess || r.ok;
    ret += r.text;
    while (path.length > 0 && path[path.length - 1]) {
      if (path.length > 1) ret += "}";
      path.pop();
    }
    if (path.length > 0) path[path.length - 1] = true;
  }
  return { text: ret, ok: anySuccess };
}

const OP_DUP = 0x76, OP_HASH160 = 0xa9, OP_EQUAL = 0x87, OP_EQUALVERIFY = 0x88, OP_0 = 0x00, OP_1 = 0x51;

/** `OP_DUP OP_HASH160 <hash> OP_EQUALVERIFY OP_CHECKSIG`. */
function p2pkh(hash: Uint8Array): Uint8Array {
  return Uint8Array.of(OP_DUP, OP_HASH160, 20, ...hash, OP_EQUALVERIFY, OP_CHECKSIG);
}
/** `OP_HASH160 <hash> OP_EQUAL`. */
function p2sh(hash: Uint8Array): Uint8Array {
  return Uint8Array.of(OP_HASH160, 20, ...hash, OP_EQUAL);
}
/** `OP_n <program>`. */
function witness(version: number, program: Uint8Array): Uint8Array {
  return Uint8Array.of(version === 0 ? OP_0 : OP_1 + version - 1, program.length, ...program);
}

/** The x-only form of a public key (`XOnlyPubKey(CPubKey)`: the 32 bytes after the header). */
function xonlyOf(pubkey: Uint8Array): Uint8Array {
  return pubkey.slice(1, 33);
}

/** The scripts of one expression from its evaluated keys and subscripts (`MakeScripts`). */
function makeScripts(
  e: ScriptExpression,
  pubkeys: readonly Uint8Array[],
  subscripts: readonly Uint8Array[],
  out: ExpansionData,
): Uint8Array[] {
  switch (e.kind) {
    case "addr":
    case "raw":
      return [e.script.slice()];
    case "pk":
      return [
        e.xonly
          ? new ScriptBuilder().push(xonlyOf(pubkeys[0])).op(OP_CHECKSIG).build()
          : scriptForRawPubKey(pubkeys[0]),
      ];
    case "pkh":
      return [p2pkh(hash160(pubkeys[0]))];
    case "wpkh":
      return [witness(0, hash160(pubkeys[0]))];
    case "combo": {
      const id = hash160(pubkeys[0]);
      const ret = [scriptForRawPubKey(pubkeys[0]), p2pkh(id)];
      if (pubkeys[0].length === 33) {
        const p2wpkh = witness(0, id);
        out.scripts.push(p2wpkh);
        ret.push(p2wpkh, p2sh(hash160(p2wpkh)));
      }
      return ret;
    }
    case "multi": {
      const keys = e.sorted ? [...pubkeys].sort(compareBytes) : pubkeys;
      return [scriptForMultisig(e.threshold, keys)];
    }
    case "multi_a": {
      const xkeys = pubkeys.map(xonlyOf);
      if (e.sorted) xkeys.sort(compareBytes);
      const b = new ScriptBuilder().push(xkeys[0]).op(OP_CHECKSIG);
      for (let i = 1; i < xkeys.length; i++) b.push(xkeys[i]).op(OP_CHECKSIGADD);
      return [b.num(e.threshold).op(OP_NUMEQUAL).build()];
    }
    case "sh":
      out.scripts.push(subscripts[0]);
      return [p2sh(hash160(subscripts[0]))];
    case "wsh":
      out.scripts.push(subscripts[0]);
      return [witness(0, sha256(subscripts[0]))];
    case "tr": {
      const leaves = e.depths.map((depth, i) => ({
        depth,
        script: subscripts[i],
        leafVersion: TAPROOT_LEAF_TAPSCRIPT,
      }));
      const output = taprootOutput(xonlyOf(pubkeys[0]), leaves);
      if (output === undefined) return [];
      out.taproot.push(output);
      return [witness(1, output.outputKey)];
    }
    case "rawtr": {
      const x = xonlyOf(pubkeys[0]);
      // An output key must be on the curve (Core checks `XOnlyPubKey::IsFullyValid`).
      if (taprootOutput(x) === undefined) return [];
      return [witness(1, x)];
    }
    case "unused":
      return [];
  }
}

/**
 * The output scripts of an expression at position `pos` (`ExpandHelper`), adding keys, scripts and taproot
 * trees to `out`; undefined when a key needs a private key the store lacks (or a derivation is invalid).
 */
export function expandExpression(
  e: ScriptExpression,
  pos: number,
  keys: KeyStore,
  out: ExpansionData,
): Uint8Array[] | undefined {
  const local: ExpansionData = { pubkeys: [], scripts: [], taproot: [] };
  const pubkeys: Uint8Array[] = [];
  for (const key of keyArgs(e)) {
    const derived = key.getPubKey(pos, keys);
    if (derived === undefined) return undefined;
    local.pubkeys.push(derived);
    pubkeys.push(derived.pubkey);
  }
  const subscripts: Uint8Array[] = [];
  for (const sub of subArgs(e)) {
    const scripts = expandExpression(sub, pos, keys, local);
    if (scripts === undefined || scripts.length !== 1) return undefined;
    subscripts.push(scripts[0]);
  }
  out.pubkeys.push(...local.pubkeys);
  out.scripts.push(...local.scripts);
  out.taproot.push(...local.taproot);
  return makeScripts(e, pubkeys, subscripts, out);
}

/** Length of `CScript() << n`. */
function numSize(n: number): number {
  return pushInt(n).length;
}

/** Size of a compact-size length prefix. */
function compactSizeLength(n: number): number {
  return n < 253 ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

/** The output script's size in bytes (`ScriptSize`), undefined for combo() and unused(). */
export function scriptSize(e: ScriptExpression): number | undefined {
  switch (e.kind) {
    case "addr":
    case "raw":
      return e.script.length;
    case "pk":
      return 1 + (e.xonly ? 32 : e.key.size()) + 1;
    case "pkh":
      return 25;
    case "wpkh":
      return 22;
    case "multi":
      return 1 + numSize(e.keys.length) + numSize(e.threshold) +
        e.keys.reduce((acc, k) => acc + 1 + k.size(), 0);
    case "multi_a":
      return (1 + 32 + 1) * e.keys.length + numSize(e.threshold) + 1;
    case "sh":
      return 23;
    case "wsh":
    case "tr":
    case "rawtr":
      return 34;
    default:
      return undefined;
  }
}

/** The largest satisfaction (scriptSig or witness) in bytes (`MaxSatSize`). */
function maxSatSize(e: ScriptExpression, useMaxSig: boolean): number | undefined {
  const sig = useMaxSig ? 72 : 71;
  switch (e.kind) {
    case "pk":
      return 1 + (e.xonly ? 65 : sig);
    case "pkh":
      return 1 + sig + 1 + e.key.size();
    case "wpkh":
      return 1 + sig + 1 + 33;
    case "multi":
      return 1 + (1 + sig) * e.threshold;
    case "multi_a":
      return (1 + 65) * e.threshold + (e.keys.length - e.threshold);
    case "wsh": {
      const sat = maxSatSize(e.sub, useMaxSig);
      const size = scriptSize(e.sub);
      if (sat === undefined || size === undefined) return undefined;
      return compactSizeLength(size) + size + sat;
    }
    default:
      return undefined;
  }
}

/**
 * The largest weight of the input's satisfaction (`MaxSatisfactionWeight`; `useMaxSig`: assume 72-byte ECDSA
 * signatures), undefined when unknown (addr, raw, combo, multi_a at top, unused).
 */
export function maxSatisfactionWeight(e: ScriptExpression, useMaxSig: boolean): number | undefined {
  switch (e.kind) {
    case "pk":
    case "pkh":
    case "multi":
      return maxSatSize(e, useMaxSig)! * 4;
    case "wpkh":
    case "wsh":
      return maxSatSize(e, useMaxSig);
    case "sh": {
      const sat = maxSatSize(e.sub, useMaxSig);
      const size = scriptSize(e.sub);
      if (sat === undefined || size === undefined) return undefined;
      const subscriptWeight = (1 + size) * 4;
      const segwit = e.sub.kind === "wpkh" || e.sub.kind === "wsh";
      return segwit ? subscriptWeight + sat : subscriptWeight + sat * 4;
    }
    case "tr":
    case "rawtr":
      return 1 + 65;
    default:
      return undefined;
  }
}

/** The largest number of stack elements of a satisfaction (`MaxSatisfactionElems`). */
export function maxSatisfactionElems(e: ScriptExpression): number | undefined {
  switch (e.kind) {
    case "pk":
    case "tr":
    case "rawtr":
      return 1;
    case "pkh":
    case "wpkh":
      return 2;
    case "multi":
      return 1 + e.threshold;
    case "multi_a":
      return e.keys.length;
    case "sh":
    case "wsh": {
      const sub = maxSatisfactionElems(e.sub);
      return sub === undefined ? undefined : 1 + sub;
    }
    default:
      return undefined;
  }
}
