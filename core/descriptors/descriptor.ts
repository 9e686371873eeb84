/**
 * Output descriptors (BIP 380–386, 389; Bitcoin Core's `Descriptor`): parse a descriptor's text for a network,
 * ask whether it is ranged, solvable or holds private keys, write it back in Core's canonical forms (public,
 * private, normalized) with its checksum, and expand it at a position into output scripts and addresses.
 *
 * ```ts
 * const d = parseDescriptor("wpkh([d34db33f/84h/0h/0h]xpub…/0/*)#cjjspncu", { network: "main" });
 * d.isRange();        // true
 * d.addressAt(0);     // "bc1q…"
 * d.toString();       // "wpkh([d34db33f/84h/0h/0h]xpub…/0/*)#cjjspncu"
 * ```
 *
 * @module
 */
import type { Network } from "../chain_params_base.ts";
import { encodeDestination, extractDestination } from "../address/destination.ts";
import { sha256 } from "../hash/hashes.ts";
import { fromByteString, toByteString } from "./byte_string.ts";
import { addChecksum, checkChecksumBytes } from "./checksum.ts";
import { DescriptorError } from "./errors.ts";
import type { SecretKey } from "../address/wif.ts";
import type { ExtPubKey } from "./hd_key.ts";
import type { DerivedKey, DerivedSecret, KeyStore } from "./key_expression.ts";
import { parseExpressions, ParseFailure } from "./parse.ts";
import {
  canSelfExpand,
  expandExpression,
  type ExpansionData,
  isRange,
  isSingleType,
  isSolvable,
  keyArgs,
  maxSatisfactionElems,
  maxSatisfactionWeight,
  type OutputType,
  outputType,
  type ScriptExpression,
  scriptSize,
  subArgs,
  writeExpression,
} from "./script_expression.ts";
import type { TaprootOutput } from "./taproot_tree.ts";

/** Options of {@link parseDescriptor} and {@link parseDescriptors}. */
export interface ParseDescriptorOptions {
  /** Network of keys (xpub/tpub, WIF) and addresses. */
  readonly network: Network;
  /** Fail with "Missing checksum" when the text has no `#checksum` (default false). */
  readonly requireChecksum?: boolean;
}

/** Options of {@link Descriptor.toString}. */
export interface DescriptorStringOptions {
  /** Write the private keys the descriptor text held (WIF, xprv) instead of their public forms. */
  readonly private?: boolean;
  /**
   * Write each BIP32 key as the xpub at its last hardened step, with the path to it as origin and `h` markers
   * (Core's `ToNormalizedString`; needs the private key when there are hardened steps).
   */
  readonly normalized?: boolean;
  /**
   * Core's "compat" form, fixed for compatibility: hardened steps always written `'` (used for
   * {@link Descriptor.descriptorId}).
   */
  readonly compat?: boolean;
}

/** A descriptor expanded at one position (Core's `Expand` output and `FlatSigningProvider`). */
export interface ExpandedDescriptor {
  /** The output scripts (one, or up to four for combo(); none for unused() and invalid taproot keys). */
  readonly scriptPubKeys: Uint8Array[];
  /** The public keys used, with their origins (fingerprint and full path), in key-expression order. */
  readonly pubkeys: DerivedKey[];
  /** Scripts behind hashes: sh() redeem scripts, wsh() witness scripts, combo's P2WPKH script. */
  readonly scripts: Uint8Array[];
  /** The taproot outputs of tr(): internal key, merkle root, output key, leaves with control blocks. */
  readonly taproot: TaprootOutput[];
}

/** The largest position of a ranged descriptor: positions are 0 … 2^31 - 1. */
export const MAX_DESCRIPTOR_POSITION = 0x7fffffff;

/**
 * A parsed output descriptor (one expansion of a multipath descriptor). Immutable; the private keys written in
 * the text stay inside it (shared by the expansions of one multipath text).
 */
export class Descriptor {
  readonly #root: ScriptExpression;
  readonly #keys: KeyStore;
  readonly #network: Network;

  /** Built by {@link parseDescriptor} / {@link parseDescriptors}. */
  constructor(root: ScriptExpression, keys: KeyStore, network: Network) {
    this.#root = root;
    this.#keys = keys;
    this.#network = network;
  }

  /** The network the descriptor was parsed for. */
  get network(): Network {
    return this.#network;
  }

  /** The top-level expression (for inspection). */
  get expression(): ScriptExpression {
    return this.#root;
  }

  /** Whether the scripts depend on the position (a `/*` or `/*h` key; Core's `IsRange`). */
  isRange(): boolean {
    return isRange(this.#root);
  }

  /** Whether the outputs can be signed for with the keys (false for addr() and raw(); Core's `IsSolvable`). */
  isSolvable(): boolean {
    return isSolvable(this.#root);
  }

  /** Whether it gives a single kind of output script (false only for combo(); `IsSingleType`). */
  isSingleType(): boolean {
    return isSingleType(this.#root);
  }

  /** Whether it gives output scripts at all (false for unused(); `HasScripts`). */
  hasScripts(): boolean {
    return this.#root.kind !== "unused";
  }

  /** Whether every key can be derived without private keys (no hardened step; `CanSelfExpand`). */
  canSelfExpand(): boolean {
    return canSelfExpand(this.#root);
  }

  /**
   * Whether the text held at least one private key (WIF or xprv) — `getdescriptorinfo`'s `hasprivatekeys`.
   * For a multipath text this covers every expansion.
   */
  hasPrivateKeys(): boolean {
    return this.#keys.size > 0;
  }

  /**
   * The private key of `pubkey` when the descriptor text held it (Core's `GetKey` on the signing provider the
   * parse filled), e.g. the secret of a root extended key.
   */
  getKey(pubkey: Uint8Array): SecretKey | undefined {
    return this.#keys.get(pubkey);
  }

  /** Whether the private key of every key is known (Core's `HavePrivateKeys`); false without any key. */
  hasAllPrivateKeys(): boolean {
    const all = (e: ScriptExpression): boolean => {
      const keys = keyArgs(e);
      const subs = subArgs(e);
      if (keys.length === 0 && subs.length === 0) return false;
      return subs.every(all) && keys.every((k) => k.getPrivKey(0, this.#keys) !== undefined);
    };
    return all(this.#root);
  }

  /** The output type (`legacy`, `p2sh-segwit`, `bech32`, `bech32m`), undefined when it has none. */
  outputType(): OutputType | undefined {
    return outputType(this.#root, extractDestination);
  }

  /** The output script's size in bytes, undefined for combo() and unused() (`ScriptSize`). */
  scriptSize(): number | undefined {
    return scriptSize(this.#root);
  }

  /**
   * The largest weight of a satisfaction of an output (`MaxSatisfactionWeight`; `useMaxSig`: assume 72-byte
   * ECDSA signatures instead of 71), undefined when unknown. Taproot assumes a key-path spend.
   */
  maxSatisfactionWeight(useMaxSig: boolean): number | undefined {
    return maxSatisfactionWeight(this.#root, useMaxSig);
  }

  /** The largest number of stack elements of a satisfaction (`MaxSatisfactionElems`). */
  maxSatisfactionElems(): number | undefined {
    return maxSatisfactionElems(this.#root);
  }

  /**
   * The descriptor in Core's canonical form with its checksum: public keys (default), the private keys it holds
   * (`private`; keys without one stay public; addr() and raw() have none), normalized, or compat. Throws a
   * {@link DescriptorError} when the normalized form needs a private key the descriptor lacks.
   */
  toString(options: DescriptorStringOptions = {}): string {
    const mode = options.normalized
      ? "normalized"
      : options.private
      ? (this.#root.kind === "addr" || this.#root.kind === "raw" ? "public" : "private")
      : options.compat
      ? "compat"
      : "public";
    const written = writeExpression(this.#root, mode, this.#keys, this.#network);
    if (written === undefined) {
      throw new DescriptorError(
        "Cannot write the normalized descriptor: a hardened step needs its private key",
      );
    }
    return addChecksum(written.text);
  }

  /**
   * Core's descriptor ID (`DescriptorID`): SHA-256 of the compat form with checksum, in the byte order Core
   * stores it (its `uint256` shows these bytes reversed).
   */
  descriptorId(): Uint8Array {
    return sha256(new TextEncoder().encode(this.toString({ compat: true })));
  }

  /** The constant public keys and root extended public keys of all key expressions (Core's `GetPubKeys`). */
  getPubKeys(): { pubkeys: Uint8Array[]; extPubKeys: ExtPubKey[] } {
    const pubkeys: Uint8Array[] = [];
    const extPubKeys: ExtPubKey[] = [];
    const walk = (e: ScriptExpression) => {
      for (const k of keyArgs(e)) {
        const pub = k.rootPubKey();
        if (pub !== undefined) pubkeys.push(pub);
        const ext = k.rootExtPubKey();
        if (ext !== undefined) extPubKeys.push(ext);
      }
      subArgs(e).forEach(walk);
    };
    walk(this.#root);
    return { pubkeys, extPubKeys };
  }

  #checkPosition(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index > MAX_DESCRIPTOR_POSITION) {
      throw new DescriptorError(`Cannot expand descriptor at position ${index}: must be 0 to 2147483647`);
    }
  }

  /**
   * The output scripts and keys at position `index` (ignored for un-ranged descriptors; Core's `Expand`).
   * Throws a {@link DescriptorError} "Cannot derive script without private keys" when a hardened step needs a
   * private key the descriptor lacks.
   */
  expand(index: number): ExpandedDescriptor {
    this.#checkPosition(index);
    const out: ExpansionData = { pubkeys: [], scripts: [], taproot: [] };
    const scripts = expandExpression(this.#root, index, this.#keys, out);
    if (scripts === undefined) throw new DescriptorError("Cannot derive script without private keys");
    return { scriptPubKeys: scripts, ...out };
  }

  /** The private keys known at position `index` (Core's `ExpandPrivate`), in key-expression order. */
  expandPrivate(index: number): DerivedSecret[] {
    this.#checkPosition(index);
    const out: DerivedSecret[] = [];
    const walk = (e: ScriptExpression) => {
      for (const k of keyArgs(e)) {
        const s = k.getPrivKey(index, this.#keys);
        if (s !== undefined) out.push(s);
      }
      subArgs(e).forEach(walk);
    };
    walk(this.#root);
    return out;
  }

  /**
   * The addresses at position `index`, as `deriveaddresses` lists them: one per output script, skipping combo's
   * P2PK script. Throws a {@link DescriptorError} "Descriptor does not have a corresponding address" for a
   * script without address (pk(), bare multisig, raw() of a non-standard script…), or "Cannot derive script
   * without private keys". unused() gives no address (an empty list).
   */
  addressesAt(index: number): string[] {
    const { scriptPubKeys } = this.expand(index);
    const out: string[] = [];
    for (const script of scriptPubKeys) {
      const address = encodeDestination(script, this.#network);
      if (address === undefined) {
        if (scriptPubKeys.length > 1 && isPayToPubkey(script)) continue;
        throw new DescriptorError("Descriptor does not have a corresponding address");
      }
      out.push(address);
    }
    return out;
  }

  /**
   * The address at position `index` (see {@link addressesAt}); throws a {@link DescriptorError} when the
   * descriptor does not give exactly one address (combo() gives up to three).
   */
  addressAt(index: number): string {
    const addresses = this.addressesAt(index);
    if (addresses.length !== 1) {
      throw new DescriptorError(
        addresses.length === 0
          ? "Descriptor does not have a corresponding address"
          : `Descriptor has ${addresses.length} addresses at each position`,
      );
    }
    return addresses[0];
  }
}

/** Whether `script` is `<pubkey> OP_CHECKSIG` with a 33- or 65-byte push (what `PubKeyDestination` covers). */
function isPayToPubkey(script: Uint8Array): boolean {
  const n = script.length;
  return (n === 35 && script[0] === 33 || n === 67 && script[0] === 65) && script[n - 1] === 0xac;
}

/**
 * Parses a descriptor (Core's `Parse`): one {@link Descriptor} per multipath variant (`/<0;1>/*` gives two),
 * or a single one. The `#checksum` is verified when present (and required with `requireChecksum`). Throws a
 * {@link DescriptorError} with Core's message, and nothing else, for any text.
 */
export function parseDescriptors(text: string, options: ParseDescriptorOptions): Descriptor[] {
  const bytes = toByteString(text);
  const check = checkChecksumBytes(bytes, options.requireChecksum ?? false);
  if (!check.ok) throw new DescriptorError(fromByteString(check.error));
  try {
    const parsed = parseExpressions(check.payload, options.network);
    return parsed.expressions.map((e) => new Descriptor(e, parsed.keys, options.network));
  } catch (e) {
    if (e instanceof ParseFailure) throw new DescriptorError(fromByteString(e.message));
    throw e;
  }
}

/**
 * Parses a descriptor that is not multipath (as {@link parseDescriptors}); a multipath descriptor fails with
 * "Multipath descriptor not accepted" (Core's text where one descriptor is needed, e.g. generatetodescriptor).
 */
export function parseDescriptor(text: string, options: ParseDescriptorOptions): Descriptor {
  const all = parseDescriptors(text, options);
  if (all.length > 1) throw new DescriptorError("Multipath descriptor not accepted");
  return all[0];
}
