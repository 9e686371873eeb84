/**
 * Core's script execution cache (validation.cpp, `ValidationCache::m_script_execution_cache`): a bounded set of
 * transactions whose every input script passed under some verify flags, keyed by SHA-256(salt ‖ salt ‖ wtxid ‖
 * flags) with a secret random 32-byte salt (written twice to fill one 64-byte block, as Core). A transaction
 * accepted to the mempool is stored under the flags the next block will use, so when the block arrives its
 * scripts are not run again.
 *
 * The key commits only to the wtxid and the flags: it is sound because the wtxid commits to every input's
 * prevout, and the spent outputs are looked up by prevout (the caller must pass the real spent outputs).
 *
 * Thread-shared like the signature cache ({@link ScriptExecutionCache.handle}), though the pool consults it on
 * the main thread only.
 *
 * @module
 */

import { Sha256 } from "../hash/sha256.ts";
import { SharedHashSet, type SharedHashSetHandle, SLOT_BYTES } from "./shared_hash_set.ts";

/** Core's `DEFAULT_SCRIPT_EXECUTION_CACHE_BYTES` (16 MiB). */
export const DEFAULT_SCRIPT_EXECUTION_CACHE_BYTES = 16 * 1024 * 1024;

/** What another thread needs to open the same cache; structured-cloneable. */
export interface ScriptExecutionCacheHandle {
  /** The shared set. */
  readonly set: SharedHashSetHandle;
  /** The secret salt (32 bytes). */
  readonly salt: Uint8Array;
}

/** Options of {@link ScriptExecutionCache}. */
export interface ScriptExecutionCacheOptions {
  /** Memory for entries, in bytes (default {@link DEFAULT_SCRIPT_EXECUTION_CACHE_BYTES}). */
  readonly maxBytes?: number;
}

/** Core's script execution cache: salted (wtxid, flags) entries of fully verified transactions. */
export class ScriptExecutionCache {
  readonly #set: SharedHashSet;
  readonly #salt: Uint8Array;
  readonly #hasher: Sha256;
  readonly #flags = new Uint8Array(4);

  /** A new empty cache with a fresh random salt, or the cache behind `handle`. */
  constructor(options: ScriptExecutionCacheOptions | ScriptExecutionCacheHandle = {}) {
    if ("set" in options) {
      if (!(options.salt instanceof Uint8Array) || options.salt.length !== 32) {
        throw new RangeError("Cannot open script execution cache: the salt must be 32 bytes");
      }
      this.#set = new SharedHashSet(options.set);
      this.#salt = options.salt.slice();
    } else {
      const bytes = options.maxBytes ?? DEFAULT_SCRIPT_EXECUTION_CACHE_BYTES;
      this.#set = new SharedHashSet(Math.max(1, Math.floor(bytes / SLOT_BYTES)));
      this.#salt = crypto.getRandomValues(new Uint8Array(32));
    }
    this.#hasher = new Sha256().update(this.#salt).update(this.#salt);
  }

  /** The handle to open this cache in another thread. */
  get handle(): ScriptExecutionCacheHandle {
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

  /** The entry of a transaction (its 32-byte wtxid, internal order) verified under `flags` (uint32). */
  entry(wtxid: Uint8Array, flags: number): Uint8Array {
    if (wtxid.length !== 32) {
      throw new RangeError(`Cannot compute cache entry: wtxid is ${wtxid.length} bytes`);
    }
    const f = this.#flags;
    f[0] = flags & 0xff;
    f[1] = (flags >>> 8) & 0xff;
    f[2] = (flags >>> 16) & 0xff;
    f[3] = (flags >>> 24) & 0xff;
    return this.#hasher.clone().update(wtxid).update(f).digest();
  }

  /** Whether `entry` is cached; `erase` removes it when found (Core, when the result need not be kept). */
  contains(entry: Uint8Array, erase = false): boolean {
    return this.#set.contains(entry, erase);
  }

  /** Records `entry`: all of the transaction's scripts passed under its flags. */
  insert(entry: Uint8Array): void {
    this.#set.insert(entry);
  }

  /** Removes every entry. */
  clear(): void {
    this.#set.clear();
  }
}
