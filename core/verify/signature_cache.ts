/**
 * Core's signature cache (script/sigcache.cpp, `SignatureCache` and `CachingTransactionSignatureChecker`): a
 * bounded set of signatures already seen valid, so that a transaction verified on mempool entry has its
 * signatures accepted without elliptic-curve work when it is verified again in a block (with different flags,
 * or when the script execution cache misses).
 *
 * An entry is SHA-256(salt ‖ padding ‖ sighash ‖ public key ‖ signature): the secret random salt (32 bytes,
 * padded to one 64-byte block with "E" for ECDSA or "S" for Schnorr, as Core) keeps an attacker from aiming at
 * collisions or eviction patterns. Only valid signatures are stored. Here the ECDSA signature in the key is the
 * 64-byte compact r‖s the DER parsed to (Core uses the DER bytes): encodings that parse to the same r‖s verify
 * identically, so sharing their entry is sound.
 *
 * The set lives in a `SharedArrayBuffer` ({@link SharedHashSet}), so the main thread and the verification
 * Workers share one cache ({@link SignatureCache.handle}).
 *
 * @module
 */

import type { Secp256k1 } from "../crypto/secp256k1.ts";
import { Sha256 } from "../hash/sha256.ts";
import { SharedHashSet, type SharedHashSetHandle, SLOT_BYTES } from "./shared_hash_set.ts";

/** Core's `DEFAULT_SIGNATURE_CACHE_BYTES` (16 MiB). */
export const DEFAULT_SIGNATURE_CACHE_BYTES = 16 * 1024 * 1024;

/** What a Worker needs to open the same signature cache; structured-cloneable. */
export interface SignatureCacheHandle {
  /** The shared set. */
  readonly set: SharedHashSetHandle;
  /** The secret salt (32 bytes). */
  readonly salt: Uint8Array;
}

/** Options of {@link SignatureCache}. */
export interface SignatureCacheOptions {
  /** Memory for entries, in bytes (default {@link DEFAULT_SIGNATURE_CACHE_BYTES}). */
  readonly maxBytes?: number;
}

function saltedHasher(salt: Uint8Array, tag: string): Sha256 {
  const padding = new Uint8Array(32);
  padding[0] = tag.charCodeAt(0);
  return new Sha256().update(salt).update(padding);
}

/** Core's `SignatureCache`: salted entries of valid signatures, bounded, random eviction, thread-shared. */
export class SignatureCache {
  readonly #set: SharedHashSet;
  readonly #salt: Uint8Array;
  readonly #ecdsa: Sha256;
  readonly #schnorr: Sha256;

  /** A new empty cache with a fresh random salt, or the cache behind `handle` (in a Worker). */
  constructor(options: SignatureCacheOptions | SignatureCacheHandle = {}) {
    if ("set" in options) {
      if (!(options.salt instanceof Uint8Array) || options.salt.length !== 32) {
        throw new RangeError("Cannot open signature cache: the salt must be 32 bytes");
      }
      this.#set = new SharedHashSet(options.set);
      this.#salt = options.salt.slice();
    } else {
      const bytes = options.maxBytes ?? DEFAULT_SIGNATURE_CACHE_BYTES;
      this.#set = new SharedHashSet(Math.max(1, Math.floor(bytes / SLOT_BYTES)));
      this.#salt = crypto.getRandomValues(new Uint8Array(32));
    }
    this.#ecdsa = saltedHasher(this.#salt, "E");
    this.#schnorr = saltedHasher(this.#salt, "S");
  }

  /** The handle to open this cache in a Worker. */
  get handle(): SignatureCacheHandle {
    return { set: this.#set.handle, salt: this.#salt.slice() };
  }

  /** Most entries it can hold. */
  get capacity(): number {
    return this.#set.capacity;
  }

  /** Entries stored now (a scan; for tests and statistics). */
  count(): number {
    return this.#set.count();
  }

  /** Core's `ComputeEntryECDSA`: the entry of an ECDSA check (32-byte sighash, public key, compact signature). */
  entryEcdsa(sighash: Uint8Array, pubkey: Uint8Array, sig: Uint8Array): Uint8Array {
    return this.#ecdsa.clone().update(sighash).update(pubkey).update(sig).digest();
  }

  /** Core's `ComputeEntrySchnorr`: the entry of a Schnorr check (32-byte sighash, x-only key, 64-byte signature). */
  entrySchnorr(sighash: Uint8Array, xonly: Uint8Array, sig: Uint8Array): Uint8Array {
    return this.#schnorr.clone().update(sighash).update(xonly).update(sig).digest();
  }

  /** Core's `Get`: whether `entry` is cached; `erase` removes it when found. */
  get(entry: Uint8Array, erase = false): boolean {
    return this.#set.contains(entry, erase);
  }

  /** Core's `Set`: records `entry` as valid. */
  set(entry: Uint8Array): void {
    this.#set.insert(entry);
  }

  /** Removes every entry. */
  clear(): void {
    this.#set.clear();
  }
}

/**
 * A `Secp256k1` that consults `cache` before verifying with `inner` (Core's
 * `CachingTransactionSignatureChecker::VerifyECDSASignature`/`VerifySchnorrSignature`): a cached entry is valid
 * without verification (and is erased when `store` is false, as Core does for block validation, where the entry
 * will not be needed again); a signature that verifies is added when `store` is true. Pass it as the `secp` of a
 * `TransactionSignatureChecker`. Everything else is `inner`'s.
 */
export function cachingSecp256k1(inner: Secp256k1, cache: SignatureCache, store: boolean): Secp256k1 {
  return {
    name: `${inner.name}+sigcache`,
    isValidPubkey: (pubkey) => inner.isValidPubkey(pubkey),
    isValidXOnlyPubkey: (xonly) => inner.isValidXOnlyPubkey(xonly),
    verifyEcdsa(sig64, msg32, pubkey) {
      const entry = cache.entryEcdsa(msg32, pubkey, sig64);
      if (cache.get(entry, !store)) return true;
      if (!inner.verifyEcdsa(sig64, msg32, pubkey)) return false;
      if (store) cache.set(entry);
      return true;
    },
    verifySchnorr(sig64, msg, xonly32) {
      const entry = cache.entrySchnorr(msg, xonly32, sig64);
      if (cache.get(entry, !store)) return true;
      if (!inner.verifySchnorr(sig64, msg, xonly32)) return false;
      if (store) cache.set(entry);
      return true;
    },
    checkTapTweak: (internal32, output32, parity, tweak32) =>
      inner.checkTapTweak(internal32, output32, parity, tweak32),
    signEcdsa: (msg32, seckey32) => inner.signEcdsa(msg32, seckey32),
    signSchnorr: (msg, seckey32, aux32) => inner.signSchnorr(msg, seckey32, aux32),
    publicKeyCreate: (seckey32) => inner.publicKeyCreate(seckey32),
  };
}
