/**
 * What a wallet knows about solving one of its scripts (Core's `GetSolvingProvider`, `InferDescriptor` for
 * single-key outputs, `PushParentDescriptors` and `GetMetadata`), as listunspent, listtransactions and
 * getaddressinfo report it.
 *
 * @module
 */
import { addChecksum, formatHDKeypath } from "../core/descriptors/mod.ts";
import { hash160, toHex } from "../core/hash/hashes.ts";
import type { DescriptorScriptPubKeyMan } from "./scriptpubkeyman.ts";
import type { WalletScriptInfo } from "./types.ts";

/**
 * The solving information of `script`, derived by `spkm` at `index` (`parents`: every descriptor deriving it,
 * for "parent_descs").
 */
export function scriptInfoOf(
  spkm: DescriptorScriptPubKeyMan,
  index: number,
  script: Uint8Array,
  parents: readonly DescriptorScriptPubKeyMan[],
): WalletScriptInfo {
  // Keys behind a hardened step may be unknown (a locked wallet after a restart): the script alone is known.
  const expanded = spkm.expandAt(index) ?? { scriptPubKeys: [script], pubkeys: [], scripts: [], taproot: [] };
  const scripts = new Map<string, Uint8Array>();
  const pubkeys = new Map<string, Uint8Array>();
  for (const s of expanded.scripts) scripts.set(toHex(hash160(s)), s);
  for (const k of expanded.pubkeys) pubkeys.set(toHex(hash160(k.pubkey)), k.pubkey);
  let desc: string | undefined;
  let keyOrigin: { path: string; fingerprint: string } | undefined;
  const type = spkm.descriptor.outputType();
  if (expanded.pubkeys.length === 1 && spkm.descriptor.isSingleType()) {
    const k = expanded.pubkeys[0];
    const origin = `[${toHex(k.origin.fingerprint)}${formatHDKeypath(k.origin.path)}]`;
    keyOrigin = { path: `m${formatHDKeypath(k.origin.path)}`, fingerprint: toHex(k.origin.fingerprint) };
    const key = origin + toHex(k.pubkey);
    const taprootKeyOnly = expanded.taproot.length === 1 && expanded.taproot[0].leaves.length === 0;
    if (type === "legacy" && script.length === 25) desc = `pkh(${key})`;
    else if (type === "bech32" && script.length === 22) desc = `wpkh(${key})`;
    else if (type === "p2sh-segwit" && expanded.scripts.length === 1 && expanded.scripts[0].length === 22) {
      desc = `sh(wpkh(${key}))`;
    } else if (type === "bech32m" && taprootKeyOnly) desc = `tr(${origin}${toHex(k.pubkey.subarray(1))})`;
  }
  if (desc === undefined && expanded.pubkeys.length > 0) {
    desc = inferFromParent(spkm.record.desc, expanded.pubkeys);
  }
  if (desc === undefined && !spkm.isRange()) desc = spkm.record.desc.replace(/#[a-z0-9]{8}$/, "");
  return {
    desc: addChecksum(desc ?? `raw(${toHex(script)})`),
    parentDescs: parents.map((p) => p.record.desc),
    scripts,
    pubkeys,
    timestamp: spkm.record.timestamp,
    keyOrigin,
  };
}

/** One key expression of a public descriptor: optional origin, then a hex key or an xpub/tpub with its path. */
const KEY_EXPRESSION =
  /(\[[0-9a-fA-F]{8}(?:\/[0-9]+[hH']?)*\])?(?:[xt]pub[1-9A-HJ-NP-Za-km-z]{100,112}(?:\/[0-9]+[hH']?)*(?:\/\*[hH']?)?|04[0-9a-fA-F]{128}|0[23][0-9a-fA-F]{64}|[0-9a-fA-F]{64})/g;

/**
 * Core's `InferDescriptor` for scripts of other shapes (multisig, miniscript, taproot trees): the parent
 * descriptor with each key expression replaced by the derived key and its full origin, in key-expression order;
 * undefined when the keys and expressions do not pair up.
 */
function inferFromParent(
  parent: string,
  pubkeys: ReadonlyArray<
    { pubkey: Uint8Array; origin: { fingerprint: Uint8Array; path: readonly number[] } }
  >,
): string | undefined {
  const body = parent.replace(/#[a-z0-9]{8}$/, "");
  const xonly = body.startsWith("tr(") || body.startsWith("rawtr(");
  let i = 0;
  let ok = true;
  const text = body.replace(KEY_EXPRESSION, () => {
    const k = pubkeys[i++];
    if (k === undefined) {
      ok = false;
      return "";
    }
    const origin = `[${toHex(k.origin.fingerprint)}${formatHDKeypath(k.origin.path)}]`;
    return origin + toHex(xonly && k.pubkey.length === 33 ? k.pubkey.subarray(1) : k.pubkey);
  });
  return ok && i === pubkeys.length ? text : undefined;
}
