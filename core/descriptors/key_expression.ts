/**
 * KEY expressions of descriptors (Bitcoin Core's `PubkeyProvider`s): a constant public key (hex or WIF), a BIP32
 * extended key with a derivation path and an optional `/*` or `/*h` range step, and key origin information
 * `[fingerprint/path]` around either. Each knows its public key at a position, its private key when the
 * descriptor text held it, and its string forms (public, private, normalized, compat).
 *
 * @module
 */
import type { Network } from "../chain_params_base.ts";
import { encodeSecret, type SecretKey } from "../address/wif.ts";
import { hash160, toHex } from "../hash/hashes.ts";
import { publicKeyOf } from "./ec.ts";
import {
  deriveExtKey,
  deriveExtPubKey,
  encodeExtKey,
  encodeExtPubKey,
  type ExtKey,
  type ExtPubKey,
  formatHDKeypath,
  HARDENED,
  keyFingerprint,
} from "./hd_key.ts";

/** Where a key comes from: the fingerprint of the root key and the derivation path from it (BIP32). */
export interface KeyOrigin {
  /** First 4 bytes of the root key's HASH160 (or of the origin given in `[…]`). */
  readonly fingerprint: Uint8Array;
  /** Child numbers from the root (≥ 2^31: hardened). */
  readonly path: readonly number[];
}

/** A public key a key expression gives at one position, with its origin. */
export interface DerivedKey {
  /** The public key: 33 bytes (compressed) or 65 (uncompressed). X-only keys are given with an 02 header. */
  readonly pubkey: Uint8Array;
  /** Its origin. */
  readonly origin: KeyOrigin;
}

/** A private key of a descriptor and its public key. */
export interface DerivedSecret {
  /** The secret and whether its public key is compressed. */
  readonly secret: SecretKey;
  /** The public key of the secret (33 or 65 bytes). */
  readonly pubkey: Uint8Array;
}

/**
 * The private keys found while parsing a descriptor (Core's `FlatSigningProvider::keys`), by the HASH160 of
 * their public key. Every key expression of the descriptor looks its private key up here, so a key written as
 * hex in one place and as WIF in another is private in both, as in Core.
 */
export class KeyStore {
  readonly #keys = new Map<string, SecretKey>();

  /** Adds a secret (its public key in the form `secret.compressed` says). */
  add(secret: SecretKey): void {
    const pubkey = publicKeyOf(secret.key, secret.compressed);
    if (pubkey === undefined) throw new RangeError("Cannot add private key: invalid secret");
    this.#keys.set(toHex(hash160(pubkey)), secret);
  }

  /** How many private keys were found. */
  get size(): number {
    return this.#keys.size;
  }

  /** The secret whose public key is `pubkey` (Core's `GetKey(pubkey.GetID())`). */
  get(pubkey: Uint8Array): SecretKey | undefined {
    return this.#keys.get(toHex(hash160(pubkey)));
  }

  /** The secret whose public key has x coordinate `xonly`, either parity (Core's `GetKeyByXOnly`). */
  getByXOnly(xonly: Uint8Array): SecretKey | undefined {
    const full = new Uint8Array(33);
    full.set(xonly, 1);
    for (const header of [2, 3]) {
      full[0] = header;
      const found = this.get(full);
      if (found !== undefined) return found;
    }
    return undefined;
  }
}

/** How a BIP32 key's last step is chosen: fixed, `/*`, or `/*h`. */
export type DeriveType = "none" | "unhardened" | "hardened";

/** How to write a key expression (Core's `StringType`). */
export type KeyStringType = "public" | "compat";

/** A KEY expression (Core's `PubkeyProvider`). */
export interface KeyExpression {
  /** Index of this key expression in the descriptor (0-based, in text order). */
  readonly exprIndex: number;
  /** Whether the key changes with the position (`/*` or `/*h`). */
  isRange(): boolean;
  /** Size of the public keys it gives: 33 or 65 (`GetSize`). */
  size(): number;
  /** Whether it is a BIP32 extended key. */
  isBip32(): boolean;
  /** Whether its public keys can be computed without private keys (no hardened step). */
  canSelfExpand(): boolean;
  /** The public key at `pos` with its origin, or undefined when it needs a private key the store lacks. */
  getPubKey(pos: number, keys: KeyStore): DerivedKey | undefined;
  /** The private key at `pos`, or undefined when the store lacks it. */
  getPrivKey(pos: number, keys: KeyStore): DerivedSecret | undefined;
  /** The text form without private keys; `compat` always writes hardened steps with `'`. */
  toString(type?: KeyStringType): string;
  /** The text form with the private key when the store has it; `ok` tells whether it did. */
  toPrivateString(keys: KeyStore): { ok: boolean; text: string };
  /**
   * The normalized form (an xpub at its last hardened step, with that path as origin, `h` markers), or undefined
   * when that needs a private key the store lacks.
   */
  toNormalizedString(keys: KeyStore): string | undefined;
  /** The constant public key (for non-BIP32 keys). */
  rootPubKey(): Uint8Array | undefined;
  /** The root extended public key (for BIP32 keys). */
  rootExtPubKey(): ExtPubKey | undefined;
}

/** A constant key: hex or WIF, possibly x-only inside `tr()` (Core's `ConstPubkeyProvider`). */
export class ConstKey implements KeyExpression {
  /**
   * @param exprIndex index of the key expression
   * @param pubkey 33- or 65-byte public key (an x-only key with an 02 header)
   * @param xonly written as 32-byte x-only hex
   * @param network network of the WIF form
   */
  constructor(
    readonly exprIndex: number,
    readonly pubkey: Uint8Array,
    readonly xonly: boolean,
    readonly network: Network,
  ) {}

  isRange(): boolean {
    return false;
  }
  size(): number {
    return this.pubkey.length;
  }
  isBip32(): boolean {
    return false;
  }
  canSelfExpand(): boolean {
    return true;
  }
  getPubKey(): DerivedKey {
    return { pubkey: this.pubkey, origin: { fingerprint: keyFingerprint(this.pubkey), path: [] } };
  }
  #secret(keys: KeyStore): SecretKey | undefined {
    return this.xonly ? keys.getByXOnly(this.pubkey.subarray(1)) : keys.get(this.pubkey);
  }
  getPrivKey(_pos: number, keys: KeyStore): DerivedSecret | undefined {
    const secret = this.#secret(keys);
    if (secret === undefined) return undefined;
    return { secret, pubkey: publicKeyOf(secret.key, secret.compressed)! };
  }
  toString(): string {
    return toHex(this.xonly ? this.pubkey.subarray(1) : this.pubkey);
  }
  toPrivateString(keys: KeyStore): { ok: boolean; text: string } {
    const secret = this.#secret(keys);
    if (secret === undefined) return { ok: false, text: this.toString() };
    return { ok: true, text: encodeSecret(secret, this.network) };
  }
  toNormalizedString(): string {
    return this.toString();
  }
  rootPubKey(): Uint8Array {
    return this.pubkey;
  }
  rootExtPubKey(): undefined {
    return undefined;
  }
}

/** A BIP32 key with a path and range step (Core's `BIP32PubkeyProvider`). */
export class Bip32Key implements KeyExpression {
  #parent: { keys: KeyStore; ext: ExtPubKey; priv?: ExtKey } | undefined;

  /**
   * @param exprIndex index of the key expression
   * @param root the extended public key written (or the public key of the extended private key written)
   * @param path child numbers after the key (≥ 2^31: hardened)
   * @param derive the range step
   * @param apostrophe hardened steps are written `'` (else `h`)
   * @param network network of the xpub/xprv forms
   */
  constructor(
    readonly exprIndex: number,
    readonly root: ExtPubKey,
    readonly path: readonly number[],
    readonly derive: DeriveType,
    readonly apostrophe: boolean,
    readonly network: Network,
  ) {}

  isRange(): boolean {
    return this.derive !== "none";
  }
  size(): number {
    return 33;
  }
  isBip32(): boolean {
    return true;
  }
  /** Whether any step (the path or the range step) is hardened. */
  isHardened(): boolean {
    return this.derive === "hardened" || this.path.some((s) => s >= HARDENED);
  }
  canSelfExpand(): boolean {
    return !this.isHardened();
  }

  /** The root as an extended private key, when the store has its secret (Core's `GetExtKey`). */
  #rootExtKey(keys: KeyStore): ExtKey | undefined {
    const secret = keys.get(this.root.pubkey);
    if (secret === undefined) return undefined;
    return {
      depth: this.root.depth,
      parentFingerprint: this.root.parentFingerprint,
      childNumber: this.root.childNumber,
      chainCode: this.root.chainCode,
      key: secret.key,
    };
  }

  /** The key at the end of the path (before the range step): public, plus private when hardened. */
  #pathEnd(keys: KeyStore): { ext: ExtPubKey; priv?: ExtKey } | undefined {
    if (this.#parent !== undefined && this.#parent.keys === keys) return this.#parent;
    let result: { ext: ExtPubKey; priv?: ExtKey } | undefined;
    if (this.isHardened()) {
      let priv = this.#rootExtKey(keys);
      for (const step of this.path) {
        if (priv === undefined) break;
        priv = deriveExtKey(priv, step);
      }
      if (priv !== undefined) {
        const pubkey = publicKeyOf(priv.key, true)!;
        result = { ext: { ...priv, pubkey }, priv };
      }
    } else {
      let ext: ExtPubKey | undefined = this.root;
      for (const step of this.path) {
        if (ext === undefined) break;
        ext = deriveExtPubKey(ext, step);
      }
      if (ext !== undefined) result = { ext };
    }
    if (result !== undefined) this.#parent = { keys, ...result };
    return result;
  }

  /** The child number of the range step at `pos`, or undefined when not ranged. */
  #rangeStep(pos: number): number | undefined {
    if (this.derive === "unhardened") return pos >>> 0;
    if (this.derive === "hardened") return (pos | HARDENED) >>> 0;
    return undefined;
  }

  getPubKey(pos: number, keys: KeyStore): DerivedKey | undefined {
    const end = this.#pathEnd(keys);
    if (end === undefined) return undefined;
    const step = this.#rangeStep(pos);
    let pubkey = end.ext.pubkey;
    if (step !== undefined) {
      if (end.priv !== undefined) {
        const child = deriveExtKey(end.priv, step);
        if (child === undefined) return undefined;
        pubkey = publicKeyOf(child.key, true)!;
      } else {
        const child = deriveExtPubKey(end.ext, step);
        if (child === undefined) return undefined;
        pubkey = child.pubkey;
      }
    }
    const path = step === undefined ? [...this.path] : [...this.path, step];
    return { pubkey, origin: { fingerprint: keyFingerprint(this.root.pubkey), path } };
  }

  getPrivKey(pos: number, keys: KeyStore): DerivedSecret | undefined {
    let priv = this.#rootExtKey(keys);
    for (const step of this.path) {
      if (priv === undefined) return undefined;
      priv = deriveExtKey(priv, step);
    }
    const step = this.#rangeStep(pos);
    if (priv !== undefined && step !== undefined) priv = deriveExtKey(priv, step);
    if (priv === undefined) return undefined;
    return { secret: { key: priv.key, compressed: true }, pubkey: publicKeyOf(priv.key, true)! };
  }

  #suffix(apostrophe: boolean): string {
    let out = formatHDKeypath(this.path, apostrophe);
    if (this.isRange()) {
      out += "/*";
      if (this.derive === "hardened") out += apostrophe ? "'" : "h";
    }
    return out;
  }

  toString(type: KeyStringType = "public"): string {
    return encodeExtPubKey(this.root, this.network) + this.#suffix(this.apostrophe || type === "compat");
  }

  toPrivateString(keys: KeyStore): { ok: boolean; text: string } {
    const ext = this.#rootExtKey(keys);
    if (ext === undefined) return { ok: false, text: this.toString() };
    return { ok: true, text: encodeExtKey(ext, this.network) + this.#suffix(this.apostrophe) };
  }

  toNormalizedString(keys: KeyStore): string | undefined {
    if (this.derive === "hardened") return encodeExtPubKey(this.root, this.network) + this.#suffix(false);
    let last = this.path.length - 1;
    while (last >= 0 && this.path[last] < HARDENED) last--;
    if (last < 0) return this.toString();
    let priv = this.#rootExtKey(keys);
    for (let i = 0; i <= last && priv !== undefined; i++) priv = deriveExtKey(priv, this.path[i]);
    if (priv === undefined) return undefined;
    const xpub: ExtPubKey = { ...priv, pubkey: publicKeyOf(priv.key, true)! };
    const origin = toHex(keyFingerprint(this.root.pubkey)) + formatHDKeypath(this.path.slice(0, last + 1));
    let out = `[${origin}]${encodeExtPubKey(xpub, this.network)}${
      formatHDKeypath(this.path.slice(last + 1))
    }`;
    if (this.isRange()) out += "/*";
    return out;
  }

  rootPubKey(): undefined {
    return undefined;
  }
  rootExtPubKey(): ExtPubKey {
    return this.root;
  }
}

/** A key with origin information `[fingerprint/path]` (Core's `OriginPubkeyProvider`). */
export class OriginKey implements KeyExpression {
  /**
   * @param origin the fingerprint and path written in brackets
   * @param inner the key after the brackets
   * @param apostrophe hardened steps are written `'` (else `h`)
   */
  constructor(
    readonly origin: KeyOrigin,
    readonly inner: ConstKey | Bip32Key,
    readonly apostrophe: boolean,
  ) {}

  get exprIndex(): number {
    return this.inner.exprIndex;
  }
  isRange(): boolean {
    return this.inner.isRange();
  }
  size(): number {
    return this.inner.size();
  }
  isBip32(): boolean {
    return this.inner.isBip32();
  }
  canSelfExpand(): boolean {
    return this.inner.canSelfExpand();
  }
  getPubKey(pos: number, keys: KeyStore): DerivedKey | undefined {
    const derived = this.inner.getPubKey(pos, keys);
    if (derived === undefined) return undefined;
    return {
      pubkey: derived.pubkey,
      origin: { fingerprint: this.origin.fingerprint, path: [...this.origin.path, ...derived.origin.path] },
    };
  }
  getPrivKey(pos: number, keys: KeyStore): DerivedSecret | undefined {
    return this.inner.getPrivKey(pos, keys);
  }
  #originString(apostrophe: boolean): string {
    return toHex(this.origin.fingerprint) + formatHDKeypath(this.origin.path, apostrophe);
  }
  toString(type: KeyStringType = "public"): string {
    return `[${this.#originString(this.apostrophe || type === "compat")}]${this.inner.toString(type)}`;
  }
  toPrivateString(keys: KeyStore): { ok: boolean; text: string } {
    const sub = this.inner.toPrivateString(keys);
    return { ok: sub.ok, text: `[${this.#originString(this.apostrophe)}]${sub.text}` };
  }
  toNormalizedString(keys: KeyStore): string | undefined {
    const sub = this.inner.toNormalizedString(keys);
    if (sub === undefined) return undefined;
    // A normalized BIP32 key may come with its own origin: keep our fingerprint, append its path.
    if (sub.startsWith("[")) return `[${this.#originString(false)}${sub.slice(9)}`;
    return `[${this.#originString(false)}]${sub}`;
  }
  rootPubKey(): Uint8Array | undefined {
    return this.inner.rootPubKey();
  }
  rootExtPubKey(): ExtPubKey | undefined {
    return this.inner.rootExtPubKey();
  }
}
