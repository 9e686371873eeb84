/**
 * BIP32 extended keys as Bitcoin Core handles them (`CExtKey`, `CExtPubKey`, key_io's `EncodeExtKey` /
 * `DecodeExtKey`): the 78-byte Base58Check serialization with the network's version bytes (xpub/xprv on main,
 * tpub/tprv elsewhere), child key derivation, key paths written `/1/2h`.
 *
 * @module
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha512 } from "@noble/hashes/sha2.js";
import type { Network } from "../chain_params_base.ts";
import { decodeBase58Check, encodeBase58Check } from "../address/base58.ts";
import { addressPrefixes } from "../address/prefixes.ts";
import { hash160 } from "../hash/hashes.ts";
import { isOnCurve, isValidSecret, pubkeyTweakAdd, publicKeyOf, secretTweakAdd } from "./ec.ts";

/** Bit 31 of a child number: hardened derivation. */
export const HARDENED = 0x80000000;

/** Size of an extended key's serialization without the version bytes (`BIP32_EXTKEY_SIZE`). */
export const BIP32_EXTKEY_SIZE = 74;

/** Fields shared by extended public and private keys. */
interface ExtKeyFields {
  /** Depth in the tree (0 for a master key). */
  readonly depth: number;
  /** First 4 bytes of the parent key's HASH160 (zeros for a master key). */
  readonly parentFingerprint: Uint8Array;
  /** Child number this key was derived with (bit 31 set: hardened). */
  readonly childNumber: number;
  /** The 32-byte chain code. */
  readonly chainCode: Uint8Array;
}

/** An extended public key (`CExtPubKey`): a compressed public key and its chain code. */
export interface ExtPubKey extends ExtKeyFields {
  /** The 33-byte compressed public key. */
  readonly pubkey: Uint8Array;
}

/** An extended private key (`CExtKey`): a secret and its chain code. */
export interface ExtKey extends ExtKeyFields {
  /** The 32-byte secret. */
  readonly key: Uint8Array;
}

/** The 4-byte fingerprint of a public key: the first bytes of its HASH160 (BIP32's key identifier). */
export function keyFingerprint(pubkey: Uint8Array): Uint8Array {
  return hash160(pubkey).slice(0, 4);
}

function readBE32(b: Uint8Array, pos: number): number {
  return ((b[pos] << 24) | (b[pos + 1] << 16) | (b[pos + 2] << 8) | b[pos + 3]) >>> 0;
}

function be32(n: number): Uint8Array {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** Whether depth, fingerprint and child number are consistent (a depth-0 key has neither). */
function validHeader(code: Uint8Array): boolean {
  const depth = code[0];
  const fingerprintZero = code[1] === 0 && code[2] === 0 && code[3] === 0 && code[4] === 0;
  return !(depth === 0 && (readBE32(code, 5) !== 0 || !fingerprintZero));
}

/** The 78-byte payload with `version`, or undefined when `str` is not Base58Check with it. */
function decodePayload(str: string, version: Uint8Array): Uint8Array | undefined {
  const data = decodeBase58Check(str, 78);
  if (data === undefined || data.length !== BIP32_EXTKEY_SIZE + version.length) return undefined;
  for (let i = 0; i < version.length; i++) if (data[i] !== version[i]) return undefined;
  return data.subarray(version.length);
}

/**
 * Decodes an extended public key of `network` (Core's `DecodeExtPubKey`): undefined for another network's
 * version, a bad checksum or length, a depth-0 key with a parent fingerprint or child number, or a key that is
 * not a valid compressed point.
 */
export function decodeExtPubKey(str: string, network: Network): ExtPubKey | undefined {
  const code = decodePayload(str, addressPrefixes(network).extPublicKey);
  if (code === undefined || !validHeader(code)) return undefined;
  const pubkey = code.slice(41, 74);
  if (!isOnCurve(pubkey) || pubkey.length !== 33) return undefined;
  return {
    depth: code[0],
    parentFingerprint: code.slice(1, 5),
    childNumber: readBE32(code, 5),
    chainCode: code.slice(9, 41),
    pubkey,
  };
}

/**
 * Decodes an extended private key of `network` (Core's `DecodeExtKey`): undefined for another network's
 * version, a bad checksum or length, a depth-0 key with a parent fingerprint or child number, a key byte 41
 * other than 0, or a secret outside 1..n-1.
 */
export function decodeExtKey(str: string, network: Network): ExtKey | undefined {
  const code = decodePayload(str, addressPrefixes(network).extSecretKey);
  if (code === undefined || !validHeader(code) || code[41] !== 0) return undefined;
  const key = code.slice(42, 74);
  if (!isValidSecret(key)) return undefined;
  return {
    depth: code[0],
    parentFingerprint: code.slice(1, 5),
    childNumber: readBE32(code, 5),
    chainCode: code.slice(9, 41),
    key,
  };
}

function encode(k: ExtKeyFields, keyData: Uint8Array, version: Uint8Array): string {
  const out = new Uint8Array(4 + BIP32_EXTKEY_SIZE);
  out.set(version, 0);
  out[4] = k.depth;
  out.set(k.parentFingerprint, 5);
  out.set(be32(k.childNumber), 9);
  out.set(k.chainCode, 13);
  out.set(keyData, 45);
  return encodeBase58Check(out);
}

/** The Base58Check string of an extended public key on `network` (xpub… / tpub…; Core's `EncodeExtPubKey`). */
export function encodeExtPubKey(k: ExtPubKey, network: Network): string {
  return encode(k, k.pubkey, addressPrefixes(network).extPublicKey);
}

/** The Base58Check string of an extended private key on `network` (xprv… / tprv…; Core's `EncodeExtKey`). */
export function encodeExtKey(k: ExtKey, network: Network): string {
  const data = new Uint8Array(33);
  data.set(k.key, 1);
  return encode(k, data, addressPrefixes(network).extSecretKey);
}

/** The extended public key of an extended private key (`CExtKey::Neuter`). */
export function neuterExtKey(k: ExtKey): ExtPubKey {
  const pubkey = publicKeyOf(k.key, true);
  if (pubkey === undefined) throw new RangeError("Cannot neuter extended key: invalid secret");
  return {
    depth: k.depth,
    parentFingerprint: k.parentFingerprint,
    childNumber: k.childNumber,
    chainCode: k.chainCode,
    pubkey,
  };
}

/** HMAC-SHA512 states already keyed with a chain code (children of one parent share it; weak: no leak). */
const keyedHmacs = new WeakMap<Uint8Array, ReturnType<typeof hmac.create>>();

/** HMAC-SHA512 of `data` keyed with `key`, the keyed state memoized per key array (saves two of four blocks). */
function hmacSha512(key: Uint8Array, data: Uint8Array): Uint8Array {
  let keyed = keyedHmacs.get(key);
  if (keyed === undefined) {
    keyed = hmac.create(sha512, key);
    keyedHmacs.set(key, keyed);
  }
  return keyed.clone().update(data).digest();
}

/**
 * The unhardened child `child` (< 2^31) of an extended public key (`CExtPubKey::Derive`), or undefined when
 * `child` is hardened or out of range, the depth is already 255, or the derived key is invalid (probability
 * below 2^-127).
 */
export function deriveExtPubKey(k: ExtPubKey, child: number): ExtPubKey | undefined {
  if (!Number.isInteger(child) || child < 0 || child >= HARDENED || k.depth === 255) return undefined;
  const data = new Uint8Array(37);
  data.set(k.pubkey, 0);
  data.set(be32(child), 33);
  const i = hmacSha512(k.chainCode, data);
  const pubkey = pubkeyTweakAdd(k.pubkey, i.subarray(0, 32));
  if (pubkey === undefined) return undefined;
  return {
    depth: k.depth + 1,
    parentFingerprint: keyFingerprint(k.pubkey),
    childNumber: child,
    chainCode: i.slice(32),
    pubkey,
  };
}

/**
 * The child `child` (0 ≤ child < 2^32; ≥ 2^31 hardened) of an extended private key (`CExtKey::Derive`), or
 * undefined when the depth is already 255 or the derived key is invalid (probability below 2^-127).
 */
export function deriveExtKey(k: ExtKey, child: number): ExtKey | undefined {
  if (!Number.isInteger(child) || child < 0 || child > 0xffffffff || k.depth === 255) return undefined;
  const pubkey = publicKeyOf(k.key, true);
  if (pubkey === undefined) return undefined;
  const data = new Uint8Array(37);
  if (child >= HARDENED) data.set(k.key, 1);
  else data.set(pubkey, 0);
  data.set(be32(child), 33);
  const i = hmacSha512(k.chainCode, data);
  const key = secretTweakAdd(k.key, i.subarray(0, 32));
  if (key === undefined) return undefined;
  return {
    depth: k.depth + 1,
    parentFingerprint: keyFingerprint(pubkey),
    childNumber: child,
    chainCode: i.slice(32),
    key,
  };
}

/** Derives along `path` (each step as {@link deriveExtKey}); undefined if a step fails. */
export function deriveExtKeyPath(k: ExtKey, path: readonly number[]): ExtKey | undefined {
  let cur: ExtKey | undefined = k;
  for (const step of path) {
    cur = deriveExtKey(cur, step);
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Derives along an unhardened `path` (each step as {@link deriveExtPubKey}); undefined if a step fails. */
export function deriveExtPubKeyPath(k: ExtPubKey, path: readonly number[]): ExtPubKey | undefined {
  let cur: ExtPubKey | undefined = k;
  for (const step of path) {
    cur = deriveExtPubKey(cur, step);
    if (cur === undefined) return undefined;
  }
  return cur;
}

const SEED_KEY = new TextEncoder().encode("Bitcoin seed");

/**
 * The master key of a BIP32 seed (Core's `CExtKey::SetSeed`: HMAC-SHA512 keyed "Bitcoin seed"), or undefined
 * for the (astronomically unlikely) seed whose left half is not a valid secret.
 */
export function extKeyFromSeed(seed: Uint8Array): ExtKey | undefined {
  const i = hmacSha512(SEED_KEY, seed);
  const key = i.slice(0, 32);
  if (!isValidSecret(key)) return undefined;
  return { depth: 0, parentFingerprint: new Uint8Array(4), childNumber: 0, chainCode: i.slice(32), key };
}

/**
 * A key path as descriptors write it (Core's `FormatHDKeypath`): `/44h/0h/0` — hardened steps marked with `'`
 * when `apostrophe`, else `h`; "" for an empty path.
 */
export function formatHDKeypath(path: readonly number[], apostrophe = false): string {
  let out = "";
  for (const raw of path) {
    const step = raw >>> 0;
    out += `/${step & 0x7fffffff}`;
    if (step >= HARDENED) out += apostrophe ? "'" : "h";
  }
  return out;
}
