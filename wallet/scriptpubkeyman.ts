/**
 * Core's `DescriptorScriptPubKeyMan`: one output descriptor of a wallet with its range (`range_start`,
 * `range_end`), the next position to hand out (`next_index`), the derived scripts of every position in the
 * range (the lookahead, `-keypool` positions past the next one: Core's `TopUp`), and the private descriptor when
 * the wallet has (and has unlocked) its keys. Also the default descriptors of a new wallet (Core's
 * `GenerateWalletDescriptor`: pkh/sh(wpkh)/wpkh/tr with BIP44/49/84/86 paths, receive `/0/*` and change `/1/*`).
 *
 * @module
 */
import type { Network } from "../core/chain_params_base.ts";
import { encodeDestination } from "../core/address/destination.ts";
import { toHex } from "../core/hash/hashes.ts";
import {
  type Descriptor,
  DescriptorError,
  encodeExtKey,
  encodeExtPubKey,
  type ExpandedDescriptor,
  extKeyFromSeed,
  type OutputType,
  parseDescriptor,
} from "../core/descriptors/mod.ts";
import {
  decodeScriptChunk,
  type DescriptorRecord,
  encodeScriptChunk,
  type HdKeyRecord,
  Keys,
} from "./db/records.ts";

/** Core's `DEFAULT_KEYPOOL_SIZE` (`-keypool`). */
export const DEFAULT_KEYPOOL_SIZE = 1000;
/** Positions per stored chunk of derived scripts. */
export const SCRIPT_CACHE_CHUNK = 500;
/** The output types a wallet has default descriptors for, in Core's `OUTPUT_TYPES` order. */
export const WALLET_OUTPUT_TYPES: readonly OutputType[] = ["legacy", "p2sh-segwit", "bech32", "bech32m"];

/** Core's error when a descriptor's range is used up. */
export class KeypoolRanOutError extends Error {
  /** @param message the text */
  constructor(message = "Error: This wallet has no available keys") {
    super(message);
    this.name = "KeypoolRanOutError";
  }
}

/** A new random BIP32 master key as its xprv/tprv text (Core's `GenerateRandomKey` + `SetSeed`). */
export function randomMasterKeyText(network: Network): string {
  for (;;) {
    const ext = extKeyFromSeed(crypto.getRandomValues(new Uint8Array(32)));
    if (ext !== undefined) return encodeExtKey(ext, network);
  }
}

/**
 * The text of a default descriptor (Core's `GenerateWalletDescriptor`): `xprv` the master key text, coin type
 * 0h on main and 1h on test networks.
 */
export function defaultDescriptorText(
  xprv: string,
  type: OutputType,
  internal: boolean,
  network: Network,
): string {
  const coin = network === "main" ? "0h" : "1h";
  const tail = `/${coin}/0h/${internal ? 1 : 0}/*`;
  switch (type) {
    case "legacy":
      return `pkh(${xprv}/44h${tail})`;
    case "p2sh-segwit":
      return `sh(wpkh(${xprv}/49h${tail}))`;
    case "bech32":
      return `wpkh(${xprv}/84h${tail})`;
    case "bech32m":
      return `tr(${xprv}/86h${tail})`;
  }
}

/** The public text of a descriptor: normalized (xpub at the last hardened step) when it can be written so. */
export function publicDescriptorText(d: Descriptor): string {
  try {
    return d.toString({ normalized: true });
  } catch {
    return d.toString();
  }
}

/**
 * The BIP32 root keys of a descriptor (Core's `GetPubKeys` extended keys, duplicates once, in key order) and
 * whether its text held each one's private key.
 */
export function descriptorHdKeys(d: Descriptor): HdKeyRecord[] {
  const out: HdKeyRecord[] = [];
  for (const ext of d.getPubKeys().extPubKeys) {
    const xpub = encodeExtPubKey(ext, d.network);
    if (out.some((k) => k.xpub === xpub)) continue;
    out.push({ xpub, hasPrivate: d.getKey(ext.pubkey) !== undefined });
  }
  return out;
}

/** Writes of a descriptor's record and cache chunks (keys and values for a batch). */
export type DescriptorWrites = Array<[Deno.KvKey, Uint8Array]>;

/** One descriptor of a wallet (Core's `DescriptorScriptPubKeyMan`). */
export class DescriptorScriptPubKeyMan {
  /** Descriptor id (Core's `DescriptorID`, display hex). */
  readonly id: string;
  /** The descriptor without private keys (normalized). */
  readonly descriptor: Descriptor;
  /** The stored record (range, next index, timestamp, key material as stored). */
  readonly record: DescriptorRecord;
  #priv: Descriptor | undefined;
  /** Scripts of each derived position, from `record.rangeStart`. */
  #scripts: Uint8Array[][] = [];
  /** The range end a top-up asked for (Core's `TopUp` target; positions may still be derived later). */
  #wantEnd = 0;
  /** A position could not be derived (hardened step without its private key) since the keys were last set. */
  #blocked = false;
  /** Expansions of positions behind a hardened step, kept from when the private keys were there. */
  readonly #expansions = new Map<number, ExpandedDescriptor>();

  private constructor(record: DescriptorRecord, descriptor: Descriptor, priv: Descriptor | undefined) {
    this.record = record;
    this.descriptor = descriptor;
    this.#priv = priv;
    this.id = toHex(descriptor.descriptorId().slice().reverse());
  }

  /**
   * A new descriptor from its text (with or without private keys; throws the parser's `DescriptorError`).
   * Ranged descriptors cover `range` (default `[0, 0]`, the lookahead is added by {@link topUp}).
   */
  static fromText(text: string, options: {
    network: Network;
    timestamp: number;
    range?: [number, number];
    nextIndex?: number;
  }): DescriptorScriptPubKeyMan {
    return DescriptorScriptPubKeyMan.fromDescriptor(
      parseDescriptor(text, { network: options.network }),
      options,
    );
  }

  /** A new descriptor from a parsed one (see {@link fromText}). */
  static fromDescriptor(parsed: Descriptor, options: {
    timestamp: number;
    range?: [number, number];
    nextIndex?: number;
  }): DescriptorScriptPubKeyMan {
    const network = parsed.network;
    const hasKeys = parsed.hasPrivateKeys();
    const pubText = publicDescriptorText(parsed);
    const pub = parseDescriptor(pubText, { network });
    const ranged = pub.isRange();
    const [start, end] = ranged ? options.range ?? [0, 0] : [0, 0];
    const record: DescriptorRecord = {
      desc: pubText,
      priv: hasKeys ? parsed.toString({ private: true }) : undefined,
      timestamp: options.timestamp,
      rangeStart: start,
      rangeEnd: ranged ? end + 1 : 1,
      nextIndex: ranged ? options.nextIndex ?? start : 0,
      hdKeys: descriptorHdKeys(parsed),
    };
    if (record.priv === undefined) delete record.priv;
    const spkm = new DescriptorScriptPubKeyMan(record, pub, hasKeys ? parsed : undefined);
    spkm.#deriveTo(record.rangeEnd);
    return spkm;
  }

  /**
   * Core's `UpdateWalletDescriptor`: takes the range, next index and timestamp of `other` (the same descriptor
   * imported again) and its private keys when it has them. Throws when the new range does not include the
   * current one.
   */
  updateFrom(other: DescriptorScriptPubKeyMan): void {
    const r = this.record;
    const o = other.record;
    if (this.isRange() && (o.rangeStart > r.rangeStart || o.rangeEnd < r.rangeEnd)) {
      throw new Error(`new range must include current range = [${r.rangeStart},${r.rangeEnd - 1}]`);
    }
    if (this.isRange()) {
      // The other one derived its whole range already.
      this.#scripts = other.#scripts;
      r.rangeStart = o.rangeStart;
      r.rangeEnd = o.rangeEnd;
      r.nextIndex = o.nextIndex;
    }
    r.timestamp = o.timestamp;
    if (other.#priv !== undefined && o.priv !== undefined) {
      this.#priv = other.#priv;
      r.priv = o.priv;
      if (o.hdKeys !== undefined) r.hdKeys = o.hdKeys;
      delete r.cpriv;
    }
  }

  /**
   * A stored descriptor: its record, its cached scripts (chunks in order; missing positions are derived again)
   * and its private text when known (plain, or decrypted by the caller).
   */
  static fromRecord(
    record: DescriptorRecord,
    options: { network: Network; chunks: Uint8Array[]; privText?: string },
  ): DescriptorScriptPubKeyMan {
    const pub = parseDescriptor(record.desc, { network: options.network });
    const privText = options.privText ?? record.priv;
    const priv = privText !== undefined ? parseDescriptor(privText, { network: options.network }) : undefined;
    const spkm = new DescriptorScriptPubKeyMan(record, pub, priv);
    // Chunks in order; one written before its positions were all derived ends the usable cache there.
    for (const c of options.chunks) {
      const lists = decodeScriptChunk(c);
      for (const list of lists) spkm.#scripts.push(list);
      if (lists.length < SCRIPT_CACHE_CHUNK) break;
    }
    const want = record.rangeEnd - record.rangeStart;
    if (spkm.#scripts.length > want) spkm.#scripts.length = want;
    spkm.#deriveTo(record.rangeEnd);
    // Positions that cannot be derived now (not cached, behind a hardened step while locked) are not in range.
    if (spkm.#scripts.length < want) record.rangeEnd = record.rangeStart + spkm.#scripts.length;
    return spkm;
  }

  /** The network of its keys and addresses. */
  get network(): Network {
    return this.descriptor.network;
  }

  /** Whether it is ranged. */
  isRange(): boolean {
    return this.descriptor.isRange();
  }

  /** Its output type, if it has a single one. */
  outputType(): OutputType | undefined {
    return this.descriptor.outputType();
  }

  /** The descriptor with its private keys, when known (unlocked). */
  privateDescriptor(): Descriptor | undefined {
    return this.#priv;
  }

  /** Whether the stored record holds private keys (plain or encrypted). */
  hasPrivateKeyMaterial(): boolean {
    return this.record.priv !== undefined || this.record.cpriv !== undefined;
  }

  /**
   * The BIP32 root keys of the descriptor with whether the wallet holds their private keys (`gethdkeys`), known
   * while locked (see `DescriptorRecord.hdKeys`; older records: from the private descriptor when unlocked, else
   * the public one).
   */
  hdKeys(): readonly HdKeyRecord[] {
    if (this.record.hdKeys !== undefined) return this.record.hdKeys;
    if (this.#priv !== undefined) return descriptorHdKeys(this.#priv);
    const has = this.hasPrivateKeyMaterial();
    return descriptorHdKeys(this.descriptor).map((k) => ({ ...k, hasPrivate: has }));
  }

  /** Sets (unlock) or forgets (lock) the private descriptor. */
  setPrivateText(text: string | undefined): void {
    this.#priv = text === undefined ? undefined : parseDescriptor(text, { network: this.network });
    if (this.#priv !== undefined) this.#blocked = false;
  }

  /** Number of derived positions. */
  get derived(): number {
    return this.#scripts.length;
  }

  /** The scripts at `pos` (empty when not derived). */
  scriptsAt(pos: number): Uint8Array[] {
    return this.#scripts[pos - this.record.rangeStart] ?? [];
  }

  /**
   * The keys and scripts of position `pos` (Core's `ExpandFromCache`), or undefined when they cannot be derived
   * (a hardened step without its private key, not kept from an earlier derivation).
   */
  expandAt(pos: number): ExpandedDescriptor | undefined {
    const kept = this.#expansions.get(pos);
    if (kept !== undefined) return kept;
    try {
      return this.#expander().expand(pos);
    } catch (e) {
      if (e instanceof DescriptorError) return undefined;
      throw e;
    }
  }

  /** Every derived script with its position. */
  *allScripts(): Iterable<[Uint8Array, number]> {
    for (let i = 0; i < this.#scripts.length; i++) {
      for (const s of this.#scripts[i]) yield [s, this.record.rangeStart + i];
    }
  }

  /**
   * The descriptor that derives the scripts: the public (normalized) one when it can derive alone — public
   * derivation costs a third of private derivation (no private child key and its public key per position) —
   * else the private one (a hardened step after the normalized key, e.g. a `/*h` range).
   */
  #expander(): Descriptor {
    return this.descriptor.canSelfExpand() ? this.descriptor : this.#priv ?? this.descriptor;
  }

  /**
   * Derives the scripts of every position below `end` (positions already derived are kept). A hardened step
   * without its private key (a locked wallet) stops the derivation there until the keys are back.
   */
  #deriveTo(end: number): void {
    const d = this.#expander();
    for (let pos = this.record.rangeStart + this.#scripts.length; pos < end; pos++) {
      try {
        const e = d.expand(pos);
        // Behind a hardened step the keys cannot be derived again while locked: keep them (Core's cache).
        if (!this.descriptor.canSelfExpand()) this.#expansions.set(pos, e);
        this.#scripts.push(e.scriptPubKeys);
      } catch (e) {
        if (!(e instanceof DescriptorError)) throw e;
        this.#blocked = true;
        return;
      }
    }
  }

  /**
   * Asks for `size` derived positions past the next index (Core's `TopUp` target) without deriving them yet:
   * {@link deriveStep} does the work (the wallet spreads it over time). Returns whether work is pending.
   */
  requestTopUp(size: number): boolean {
    if (!this.isRange()) return false;
    // Positions behind a hardened step need the private key: none are asked for without it (a watch-only copy,
    // or a locked wallet: Core's TopUp fails and is tried again later), so other descriptors' top-ups go on.
    if (this.#priv === undefined && !this.descriptor.canSelfExpand()) return false;
    this.#wantEnd = Math.max(this.#wantEnd, this.record.nextIndex + Math.max(size, 1));
    return this.#wantEnd > this.record.rangeEnd;
  }

  /** Whether {@link requestTopUp} asked for positions not derived yet. */
  pendingTopUp(): boolean {
    return !this.#blocked && this.#wantEnd > this.record.rangeEnd;
  }

  /**
   * Derives at most `max` of the requested positions (range end moves); returns the first new position, or null
   * when nothing was derived.
   */
  deriveStep(max: number): number | null {
    const target = Math.min(this.#wantEnd, this.record.rangeEnd + max);
    if (target <= this.record.rangeEnd || this.#blocked) return null;
    const from = this.record.rangeEnd;
    this.#deriveTo(target);
    this.record.rangeEnd = this.record.rangeStart + this.#scripts.length;
    return this.record.rangeEnd > from ? from : null;
  }

  /**
   * Core's `TopUp`: derives positions until `size` lie past the next index (ranged only), now. Returns the first
   * new position, or null when nothing was added.
   */
  topUp(size: number): number | null {
    this.requestTopUp(size);
    return this.deriveStep(Number.POSITIVE_INFINITY);
  }

  /** Positions handed out or seen used (Core's `MarkUnusedAddresses`): the next index moves past `pos`. */
  markUsed(pos: number): boolean {
    if (!this.isRange() || pos < this.record.nextIndex) return false;
    this.record.nextIndex = pos + 1;
    return true;
  }

  /** Core's `GetKeyPoolSize`: derived positions not handed out yet. */
  keypoolSize(): number {
    return this.isRange() ? Math.max(0, this.record.rangeEnd - this.record.nextIndex) : 0;
  }

  /**
   * Hands out the next position (Core's `GetNewDestination`): asks for the top-up first (see
   * {@link requestTopUp}), then returns the address and script and moves the next index. Throws
   * {@linkcode KeypoolRanOutError} when no position is left.
   */
  getNewDestination(keypool: number): { address: string; script: Uint8Array; index: number } {
    if (!this.isRange()) throw new KeypoolRanOutError();
    // Core's CanGetAddresses: without private keys, past the derived positions of a descriptor that needs them
    // (a hardened step, e.g. a watch-only copy of it), there is nothing to hand out.
    if (
      !this.hasPrivateKeyMaterial() && this.record.nextIndex >= this.record.rangeEnd &&
      !this.descriptor.canSelfExpand()
    ) {
      throw new KeypoolRanOutError("No addresses available");
    }
    // The whole lookahead is asked for; the position handed out is derived now, the rest may follow later.
    this.requestTopUp(keypool);
    if (this.record.nextIndex >= this.record.rangeEnd) {
      this.deriveStep(this.record.nextIndex + 1 - this.record.rangeEnd);
    }
    const index = this.record.nextIndex;
    if (index >= this.record.rangeEnd) {
      // A hardened step whose private key is not available (locked): Core's TopUp(1) failing.
      throw new KeypoolRanOutError(
        this.#priv === undefined && !this.descriptor.canSelfExpand()
          ? "Error: Keypool ran out, please call keypoolrefill first"
          : undefined,
      );
    }
    const scripts = this.scriptsAt(index);
    if (scripts.length !== 1) {
      throw new KeypoolRanOutError("Error: Cannot get an address from this descriptor");
    }
    const address = encodeDestination(scripts[0], this.network);
    if (address === undefined) {
      throw new KeypoolRanOutError("Error: Cannot get an address from this descriptor");
    }
    this.record.nextIndex = index + 1;
    return { address, script: scripts[0], index };
  }

  /** The descriptor text as listdescriptors shows it (public normalized, or with private keys). */
  toDescriptorString(priv: boolean): string {
    if (priv) {
      if (this.#priv === undefined) throw new Error("Cannot write the descriptor's private keys: not known");
      return this.#priv.toString({ private: true });
    }
    return this.record.desc;
  }

  /**
   * The record and the cache chunks covering positions from `fromPos` (default: all) as writes for a batch.
   * The record goes last.
   */
  writes(fromPos: number = this.record.rangeStart): DescriptorWrites {
    const out: DescriptorWrites = [];
    const first = Math.max(0, Math.floor((fromPos - this.record.rangeStart) / SCRIPT_CACHE_CHUNK));
    for (let c = first; c * SCRIPT_CACHE_CHUNK < this.#scripts.length; c++) {
      const slice = this.#scripts.slice(c * SCRIPT_CACHE_CHUNK, (c + 1) * SCRIPT_CACHE_CHUNK);
      out.push([Keys.descCache(this.id, c), encodeScriptChunk(slice)]);
    }
    out.push(this.recordWrite());
    return out;
  }

  /** The record only (next index or key changes). */
  recordWrite(): [Deno.KvKey, Uint8Array] {
    return [Keys.desc(this.id), new TextEncoder().encode(JSON.stringify(this.record))];
  }
}
