/**
 * The in-memory UTXO cache (Core's `CCoinsViewCache`, `coins.cpp`) over the chainstate database or over another
 * cache, with Core's DIRTY/FRESH semantics:
 * - DIRTY: the entry may differ from the view below and is written on flush;
 * - FRESH: the view below does not have the coin unspent, so spending it before a flush simply forgets it (it
 *   never touches the disk).
 * Valid states, as in Core: unspent+FRESH+DIRTY (created here), unspent+DIRTY (changed, e.g. during a reorg),
 * unspent+clean (read from below), spent+DIRTY (the spend must be written).
 *
 * Reads that may reach the database are async (`getCoin`, `haveCoin`, `spendCoin`, `fetchCoins`); the sync
 * methods (`accessCoin`, `haveCoinInCache`, `spendCachedCoin`, `addCoin`) look at this cache only, so
 * validation fetches a block's inputs once with {@link CoinsCache.fetchCoins} and then works synchronously.
 *
 * Memory: entries are kept compact (amount, script as a one-byte string, height/coinbase code, flags) and a Coin
 * object is built on access. {@link CoinsCache.dynamicMemoryUsage} estimates the heap they take with constants
 * measured on Deno 2.9 / V8 x64 (see {@link CACHE_ENTRY_BYTES}); Core's `-dbcache` limit and its
 * LARGE/CRITICAL thresholds apply to that estimate ({@link CoinsCache.sizeState}).
 *
 * @module
 */

import type { OutPoint, Transaction } from "../../core/wire/types.ts";
import { isCoinBase, txid as txidOf } from "../../core/wire/transaction.ts";
import { isUnspendable } from "../../core/script/script.ts";
import { type Coin, coinCode, outPointFromMapKey, outPointMapKey } from "./coins.ts";
import type { CoinsCursorEntry, CoinsView, ReplayRange } from "./coins_view.ts";
import { ChainstateError } from "./errors.ts";

/** Entry flag: may differ from the view below (Core's `CCoinsCacheEntry::DIRTY`). */
export const DIRTY = 1;
/** Entry flag: the view below does not have it unspent (Core's `CCoinsCacheEntry::FRESH`). */
export const FRESH = 2;

/**
 * Estimated heap bytes of one cache entry besides its script: the map slot, the 36-character key string, the
 * entry object (four fields) and its amount. Measured on Deno 2.9.6 (V8, x64) as the heap growth per entry over
 * 200,000 P2WPKH coins: about 200 bytes per clean entry and 223 per dirty one, script included; the constants
 * below give 216 and 232, slightly above the measurement.
 */
export const CACHE_ENTRY_BYTES = 176;
/** Estimated extra bytes of an entry while it is in the dirty set. */
export const DIRTY_SET_BYTES = 16;

/** Estimated heap bytes of a script kept as a one-byte string. */
export function scriptHeapBytes(length: number): number {
  return length < 2 ? 0 : 16 + ((length + 7) & ~7);
}

/** Bytes in a MiB. */
export const MIB = 1024 * 1024;
/** Core's default `-dbcache` (MiB). */
export const DEFAULT_DB_CACHE_MIB = 450;
/** Core's smallest `-dbcache` (MiB). */
export const MIN_DB_CACHE_MIB = 4;
/** Core's `MAX_BLOCK_COINSDB_USAGE_BYTES` (10 MiB) used by the LARGE threshold. */
export const MAX_BLOCK_COINSDB_USAGE_BYTES = 10 * MIB;

/** How `-dbcache` is split (Core's `kernel::CacheSizes`), in bytes. */
export interface CacheSizes {
  /** Block index database cache. */
  readonly blockTreeDb: number;
  /** Chainstate database cache. */
  readonly coinsDb: number;
  /** The in-memory coins cache (what {@link CoinsCache} is limited to). */
  readonly coins: number;
}

/**
 * Core's `CalculateDbCacheBytes` + `CacheSizes`: `-dbcache` MiB (default 450, at least 4) split into 1/8 (at
 * most 2 MiB) for the block index, half the rest (at most 8 MiB) for the chainstate database, the rest for the
 * coins cache. Deno KV has no tunable cache, so only `coins` is used.
 */
export function cacheSizes(dbcacheMiB: number = DEFAULT_DB_CACHE_MIB): CacheSizes {
  let total = Math.max(MIN_DB_CACHE_MIB, Math.max(0, Math.floor(dbcacheMiB))) * MIB;
  const blockTreeDb = Math.min(Math.floor(total / 8), 2 * MIB);
  total -= blockTreeDb;
  const coinsDb = Math.min(Math.floor(total / 2), 8 * MIB);
  total -= coinsDb;
  return { blockTreeDb, coinsDb, coins: total };
}

/** Core's `LargeCoinsCacheThreshold`: max(90% of the space, space − 10 MiB). */
export function largeCoinsCacheThreshold(totalSpace: number): number {
  return Math.max(Math.floor(totalSpace * 9 / 10), totalSpace - MAX_BLOCK_COINSDB_USAGE_BYTES);
}

/** Core's `CoinsCacheSizeState`. */
export type CoinsCacheSizeState = "ok" | "large" | "critical";

/** Options of {@link CoinsCache}. */
export interface CoinsCacheOptions {
  /** Memory budget in bytes for {@link CoinsCache.sizeState} (default: the coins part of `-dbcache=450`). */
  readonly maxBytes?: number;
}

/** Counters of a cache (for logs, `getmemoryinfo`-style reports and tests). */
export interface CoinsCacheStats {
  /** Entries (including spent ones waiting for a flush). */
  readonly entries: number;
  /** Entries that will be written on flush. */
  readonly dirty: number;
  /** Estimated bytes. */
  readonly memoryUsage: number;
  /** Lookups answered from this cache. */
  readonly hits: number;
  /** Lookups that went to the view below. */
  readonly misses: number;
}

class Entry {
  /** null when spent. */
  script: string | null;
  value: bigint;
  code: number;
  flags: number;
  constructor(script: string | null, value: bigint, code: number, flags: number) {
    this.script = script;
    this.value = value;
    this.code = code;
    this.flags = flags;
  }
}

function bytesToLatin1(b: Uint8Array): string {
  if (b.length <= 4096) return String.fromCharCode.apply(null, b as unknown as number[]);
  let s = "";
  for (let i = 0; i < b.length; i += 4096) {
    s += String.fromCharCode.apply(null, b.subarray(i, i + 4096) as unknown as number[]);
  }
  return s;
}

function latin1ToBytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

function entryCoin(e: Entry): Coin {
  return {
    out: { value: e.value, scriptPubKey: latin1ToBytes(e.script!) },
    height: Math.floor(e.code / 2),
    coinbase: (e.code & 1) === 1,
  };
}

function entryBytes(e: Entry): number {
  return CACHE_ENTRY_BYTES + (e.script === null ? 0 : scriptHeapBytes(e.script.length));
}

/** The in-memory UTXO cache. */
export class CoinsCache implements CoinsView {
  readonly #base: CoinsView;
  readonly #map = new Map<string, Entry>();
  readonly #dirty = new Set<string>();
  #usage = 0;
  #bestBlock: Uint8Array | undefined;
  #maxBytes: number;
  #hits = 0;
  #misses = 0;

  /** @param base the view below (the database or another cache); @param options memory budget */
  constructor(base: CoinsView, options: CoinsCacheOptions = {}) {
    this.#base = base;
    this.#maxBytes = options.maxBytes ?? cacheSizes().coins;
  }

  /** A cache over `base` with the coins share of `-dbcache=<dbcacheMiB>` as its budget. */
  static withDbCache(base: CoinsView, dbcacheMiB: number = DEFAULT_DB_CACHE_MIB): CoinsCache {
    return new CoinsCache(base, { maxBytes: cacheSizes(dbcacheMiB).coins });
  }

  /** The view below. */
  get base(): CoinsView {
    return this.#base;
  }

  /** The memory budget in bytes. */
  get maxBytes(): number {
    return this.#maxBytes;
  }

  set maxBytes(bytes: number) {
    this.#maxBytes = bytes;
  }

  /** Entries in the cache, spent ones included (Core's `GetCacheSize`). */
  get cacheSize(): number {
    return this.#map.size;
  }

  /** Entries that a flush will write (Core's `GetDirtyCount`). */
  get dirtyCount(): number {
    return this.#dirty.size;
  }

  /** Estimated bytes used (Core's `DynamicMemoryUsage`). */
  dynamicMemoryUsage(): number {
    return this.#usage + this.#dirty.size * DIRTY_SET_BYTES;
  }

  /**
   * Core's `GetCoinsCacheSizeState`: "critical" above the budget (plus `mempoolSpareBytes`, the unused part of
   * the mempool's allowance), "large" above {@link largeCoinsCacheThreshold} of it, else "ok".
   */
  sizeState(mempoolSpareBytes = 0): CoinsCacheSizeState {
    const total = this.#maxBytes + Math.max(0, mempoolSpareBytes);
    const used = this.dynamicMemoryUsage();
    if (used > total) return "critical";
    if (used > largeCoinsCacheThreshold(total)) return "large";
    return "ok";
  }

  /** Counters. */
  stats(): CoinsCacheStats {
    return {
      entries: this.#map.size,
      dirty: this.#dirty.size,
      memoryUsage: this.dynamicMemoryUsage(),
      hits: this.#hits,
      misses: this.#misses,
    };
  }

  /** The block this view represents: the one set here, else the view below's (Core's `GetBestBlock`). */
  getBestBlock(): Uint8Array | undefined {
    return this.#bestBlock ?? this.#base.getBestBlock();
  }

  /** Sets the block the cached state corresponds to (Core's `SetBestBlock`). */
  setBestBlock(hash: Uint8Array): void {
    if (hash.length !== 32) throw new RangeError(`Cannot set best block: hash is ${hash.length} bytes`);
    this.#bestBlock = hash.slice();
  }

  /** {@inheritDoc CoinsView.getHeadBlocks} */
  getHeadBlocks(): ReplayRange | undefined {
    return this.#base.getHeadBlocks();
  }

  #insertFromBase(key: string, coin: Coin): Entry {
    const e = new Entry(bytesToLatin1(coin.out.scriptPubKey), coin.out.value, coinCode(coin), 0);
    this.#map.set(key, e);
    this.#usage += entryBytes(e);
    return e;
  }

  /** Core's `FetchCoin`: the entry, loading it from below on a miss (nothing is cached for a missing coin). */
  async #fetch(key: string, outpoint: OutPoint): Promise<Entry | undefined> {
    const e = this.#map.get(key);
    if (e !== undefined) {
      this.#hits++;
      return e;
    }
    this.#misses++;
    const coin = await this.#base.getCoin(outpoint);
    if (coin === undefined) return undefined;
    // Another call may have loaded or changed it while we waited.
    return this.#map.get(key) ?? this.#insertFromBase(key, coin);
  }

  /** The unspent coin of `outpoint` (loaded into the cache from below if needed), or undefined (Core's `GetCoin`). */
  async getCoin(outpoint: OutPoint): Promise<Coin | undefined> {
    const e = await this.#fetch(outPointMapKey(outpoint), outpoint);
    return e === undefined || e.script === null ? undefined : entryCoin(e);
  }

  /** The unspent coin without caching it (Core's `PeekCoin`). */
  async peekCoin(outpoint: OutPoint): Promise<Coin | undefined> {
    const e = this.#map.get(outPointMapKey(outpoint));
    if (e !== undefined) return e.script === null ? undefined : entryCoin(e);
    return await this.#base.getCoin(outpoint);
  }

  /** {@link getCoin} for many outpoints; misses are read from below in one batch and cached. */
  async getCoins(outpoints: readonly OutPoint[]): Promise<(Coin | undefined)[]> {
    await this.fetchCoins(outpoints);
    return outpoints.map((o) => this.accessCoin(o));
  }

  /**
   * Loads every outpoint not in the cache from the view below in one batch (Core's prevout prefetching), so the
   * sync methods can be used afterwards. Returns how many coins were loaded.
   */
  async fetchCoins(outpoints: Iterable<OutPoint>): Promise<number> {
    const keys: string[] = [];
    const missing: OutPoint[] = [];
    const seen = new Set<string>();
    for (const o of outpoints) {
      const key = outPointMapKey(o);
      if (this.#map.has(key)) {
        this.#hits++;
        continue;
      }
      if (seen.has(key)) continue;
      seen.add(key);
      keys.push(key);
      missing.push(o);
    }
    if (missing.length === 0) return 0;
    this.#misses += missing.length;
    const coins = await this.#base.getCoins(missing);
    let loaded = 0;
    for (let i = 0; i < coins.length; i++) {
      const c = coins[i];
      if (c !== undefined && !this.#map.has(keys[i])) {
        this.#insertFromBase(keys[i], c);
        loaded++;
      }
    }
    return loaded;
  }

  /** The unspent coin of `outpoint` if this cache holds it; never reads below (Core's `AccessCoin` after a fetch). */
  accessCoin(outpoint: OutPoint): Coin | undefined {
    const e = this.#map.get(outPointMapKey(outpoint));
    return e === undefined || e.script === null ? undefined : entryCoin(e);
  }

  /** Whether `outpoint` is unspent, reading below if needed (Core's `HaveCoin`). */
  async haveCoin(outpoint: OutPoint): Promise<boolean> {
    const e = await this.#fetch(outPointMapKey(outpoint), outpoint);
    return e !== undefined && e.script !== null;
  }

  /** Whether this cache holds `outpoint` unspent (Core's `HaveCoinInCache`). */
  haveCoinInCache(outpoint: OutPoint): boolean {
    const e = this.#map.get(outPointMapKey(outpoint));
    return e !== undefined && e.script !== null;
  }

  /**
   * Adds a coin (Core's `AddCoin`). Unspendable outputs are ignored. With `possibleOverwrite` false the caller
   * asserts no unspent version exists below; an unspent one in this cache is a logic error (throws), and the
   * new entry is FRESH unless a spent DIRTY entry is being replaced (a reorg re-adding a coin).
   */
  addCoin(outpoint: OutPoint, coin: Coin, possibleOverwrite: boolean): void {
    if (isUnspendable(coin.out.scriptPubKey)) return;
    const key = outPointMapKey(outpoint);
    let e = this.#map.get(key);
    let fresh = false;
    if (!possibleOverwrite) {
      if (e !== undefined && e.script !== null) {
        throw new Error("Attempted to overwrite an unspent coin (when possible_overwrite is false)");
      }
      fresh = e === undefined || (e.flags & DIRTY) === 0;
    }
    const code = coinCode(coin);
    const script = bytesToLatin1(coin.out.scriptPubKey);
    if (e === undefined) {
      e = new Entry(script, coin.out.value, code, 0);
      this.#map.set(key, e);
    } else {
      this.#usage -= entryBytes(e);
      e.script = script;
      e.value = coin.out.value;
      e.code = code;
    }
    e.flags |= DIRTY | (fresh ? FRESH : 0);
    this.#dirty.add(key);
    this.#usage += entryBytes(e);
  }

  /** Core's `SpendCoin` on a cached entry; an entry already spent gets the same flag changes and yields nothing. */
  #spendEntry(key: string, e: Entry): Coin | undefined {
    const coin = e.script === null ? undefined : entryCoin(e);
    this.#usage -= entryBytes(e);
    if (e.flags & FRESH) {
      this.#map.delete(key);
      this.#dirty.delete(key);
    } else {
      e.script = null;
      e.value = 0n;
      e.code = 0;
      e.flags |= DIRTY;
      this.#dirty.add(key);
      this.#usage += entryBytes(e);
    }
    return coin;
  }

  /**
   * Spends a coin, reading it from below if needed (Core's `SpendCoin`); returns the spent coin (for undo data),
   * or undefined when there is no unspent coin. A FRESH coin is forgotten; otherwise the spend is DIRTY.
   */
  async spendCoin(outpoint: OutPoint): Promise<Coin | undefined> {
    const key = outPointMapKey(outpoint);
    const e = await this.#fetch(key, outpoint);
    return e === undefined ? undefined : this.#spendEntry(key, e);
  }

  /** {@link spendCoin} for a coin already in this cache (after {@link fetchCoins}); undefined if not held unspent. */
  spendCachedCoin(outpoint: OutPoint): Coin | undefined {
    const key = outPointMapKey(outpoint);
    const e = this.#map.get(key);
    return e === undefined ? undefined : this.#spendEntry(key, e);
  }

  /** Drops an unmodified entry (Core's `Uncache`). */
  uncache(outpoint: OutPoint): void {
    const key = outPointMapKey(outpoint);
    const e = this.#map.get(key);
    if (e !== undefined && (e.flags & DIRTY) === 0) {
      this.#usage -= entryBytes(e);
      this.#map.delete(key);
    }
  }

  /**
   * The modified entries, as handed to the view below on flush. For a database below they come in key order
   * (txid bytes, then index): Deno KV's SQLite B-tree takes sorted inserts several times faster than random ones.
   */
  *#cursor(): Generator<CoinsCursorEntry> {
    const keys = this.#base instanceof CoinsCache ? this.#dirty : [...this.#dirty].sort();
    for (const key of keys) {
      const e = this.#map.get(key)!;
      yield {
        outpoint: outPointFromMapKey(key),
        coin: e.script === null ? undefined : entryCoin(e),
        fresh: (e.flags & FRESH) !== 0,
      };
    }
  }

  #requireBest(): Uint8Array {
    const best = this.getBestBlock();
    if (best === undefined) {
      throw new ChainstateError("no-best-block", "Cannot flush the coins cache without a best block");
    }
    return best;
  }

  /**
   * Hands the modified entries down. If that fails part-way the view below may now hold some of them, so no
   * entry may stay FRESH (spending it would otherwise leave a stale coin below); the flush can be retried.
   */
  async #write(best: Uint8Array): Promise<void> {
    if (this.#base instanceof CoinsCache) {
      // Cache to cache (a block's scratch view into the tip cache): entries move as they are, without building
      // outpoints and coins for each and encoding them again on the other side.
      this.#base.#mergeDirty(this);
      this.#base.setBestBlock(best);
      return;
    }
    try {
      await this.#base.batchWrite(this.#cursor(), best);
    } catch (e) {
      for (const key of this.#dirty) this.#map.get(key)!.flags &= ~FRESH;
      throw e;
    }
  }

  /**
   * Writes every modified entry and the best block to the view below and empties the cache (Core's `Flush`).
   * On failure the entries stay (no longer FRESH), so the flush can be retried.
   */
  async flush(): Promise<void> {
    const best = this.#requireBest();
    await this.#write(best);
    this.#map.clear();
    this.#dirty.clear();
    this.#usage = 0;
  }

  /**
   * Writes every modified entry and the best block to the view below but keeps the unspent entries, now clean,
   * in memory (Core's `Sync`); spent entries are dropped.
   */
  async sync(): Promise<void> {
    const best = this.#requireBest();
    await this.#write(best);
    for (const key of this.#dirty) {
      const e = this.#map.get(key)!;
      if (e.script === null) {
        this.#usage -= entryBytes(e);
        this.#map.delete(key);
      } else {
        e.flags = 0;
      }
    }
    this.#dirty.clear();
  }

  /** Discards every modification and cached entry (Core's `Reset`). */
  reset(): void {
    this.#map.clear();
    this.#dirty.clear();
    this.#usage = 0;
    this.#bestBlock = undefined;
  }

  /**
   * Applies a child cache's modified entries (Core's `CCoinsViewCache::BatchWrite`), so this cache can be the
   * base of a per-block scratch cache. Throws when a FRESH entry meets an unspent coin here (a logic error in
   * the caller, as in Core).
   */
  batchWrite(entries: Iterable<CoinsCursorEntry>, bestBlock: Uint8Array): Promise<void> {
    for (const c of entries) {
      const key = outPointMapKey(c.outpoint);
      const e = this.#map.get(key);
      if (e === undefined) {
        if (c.fresh && c.coin === undefined) continue;
        const n = c.coin === undefined
          ? new Entry(null, 0n, 0, DIRTY)
          : new Entry(bytesToLatin1(c.coin.out.scriptPubKey), c.coin.out.value, coinCode(c.coin), DIRTY);
        if (c.fresh) n.flags |= FRESH;
        this.#map.set(key, n);
        this.#dirty.add(key);
        this.#usage += entryBytes(n);
        continue;
      }
      if (c.fresh && e.script !== null) {
        return Promise.reject(new Error("FRESH flag misapplied to coin that exists in parent cache"));
      }
      this.#usage -= entryBytes(e);
      if ((e.flags & FRESH) && c.coin === undefined) {
        this.#map.delete(key);
        this.#dirty.delete(key);
        continue;
      }
      if (c.coin === undefined) {
        e.script = null;
        e.value = 0n;
        e.code = 0;
      } else {
        e.script = bytesToLatin1(c.coin.out.scriptPubKey);
        e.value = c.coin.out.value;
        e.code = coinCode(c.coin);
      }
      e.flags |= DIRTY;
      this.#dirty.add(key);
      this.#usage += entryBytes(e);
    }
    this.setBestBlock(bestBlock);
    return Promise.resolve();
  }

  /** {@link batchWrite} of `child`'s modified entries, read straight from its map. */
  #mergeDirty(child: CoinsCache): void {
    for (const key of child.#dirty) {
      const c = child.#map.get(key)!;
      const fresh = (c.flags & FRESH) !== 0;
      const e = this.#map.get(key);
      if (e === undefined) {
        if (fresh && c.script === null) continue;
        const n = new Entry(c.script, c.value, c.code, DIRTY | (fresh ? FRESH : 0));
        this.#map.set(key, n);
        this.#dirty.add(key);
        this.#usage += entryBytes(n);
        continue;
      }
      if (fresh && e.script !== null) {
        throw new Error("FRESH flag misapplied to coin that exists in parent cache");
      }
      this.#usage -= entryBytes(e);
      if ((e.flags & FRESH) && c.script === null) {
        this.#map.delete(key);
        this.#dirty.delete(key);
        continue;
      }
      e.script = c.script;
      e.value = c.value;
      e.code = c.code;
      e.flags |= DIRTY;
      this.#dirty.add(key);
      this.#usage += entryBytes(e);
    }
  }

  /**
   * Checks the invariants (Core's `SanityCheck`): spent entries are DIRTY and not FRESH, FRESH implies DIRTY, the
   * dirty set matches the flags, the memory estimate matches a recount. Throws on a violation (tests).
   */
  sanityCheck(): void {
    let usage = 0;
    let dirty = 0;
    for (const [key, e] of this.#map) {
      if (e.script === null) {
        if (!(e.flags & DIRTY) || (e.flags & FRESH)) {
          throw new Error("Coins cache: spent entry not DIRTY or FRESH");
        }
      } else if ((e.flags & FRESH) && !(e.flags & DIRTY)) {
        throw new Error("Coins cache: FRESH entry not DIRTY");
      }
      if (e.flags & DIRTY) {
        dirty++;
        if (!this.#dirty.has(key)) throw new Error("Coins cache: DIRTY entry missing from the dirty set");
      }
      usage += entryBytes(e);
    }
    if (dirty !== this.#dirty.size) {
      throw new Error("Coins cache: dirty set has entries without the DIRTY flag");
    }
    if (usage !== this.#usage) {
      throw new Error(`Coins cache: memory estimate ${this.#usage} != recount ${usage}`);
    }
  }

  /**
   * Test support (Core's `CCoinsViewCacheTest`): puts an entry for `outpoint` in any state (`coin` undefined for
   * spent), bypassing the rules, replacing what was there. Not for validation code.
   */
  insertEntryForTesting(outpoint: OutPoint, coin: Coin | undefined, flags: number): void {
    const key = outPointMapKey(outpoint);
    const old = this.#map.get(key);
    if (old !== undefined) this.#usage -= entryBytes(old);
    const e = coin === undefined
      ? new Entry(null, 0n, 0, flags)
      : new Entry(bytesToLatin1(coin.out.scriptPubKey), coin.out.value, coinCode(coin), flags);
    this.#map.set(key, e);
    if (flags & DIRTY) this.#dirty.add(key);
    else this.#dirty.delete(key);
    this.#usage += entryBytes(e);
  }

  /** The flags of the entry of `outpoint` (undefined when not cached), for tests. */
  entryFlags(outpoint: OutPoint): { readonly spent: boolean; readonly flags: number } | undefined {
    const e = this.#map.get(outPointMapKey(outpoint));
    return e === undefined ? undefined : { spent: e.script === null, flags: e.flags };
  }
}

/**
 * Adds the outputs of `tx` at `height` (Core's `AddCoins`): with `checkForOverwrite` each output may overwrite
 * what the view has (checked with `haveCoin`); otherwise only a coinbase may (the duplicate coinbases before
 * BIP30). Pass the transaction's `txid` when already known.
 */
export async function addCoins(
  cache: CoinsCache,
  tx: Transaction,
  height: number,
  options: { readonly checkForOverwrite: boolean; readonly txid?: Uint8Array },
): Promise<void> {
  const coinbase = isCoinBase(tx);
  const id = options.txid ?? txidOf(tx);
  for (let i = 0; i < tx.outputs.length; i++) {
    const outpoint = { txid: id, vout: i };
    const overwrite = options.checkForOverwrite ? await cache.haveCoin(outpoint) : coinbase;
    cache.addCoin(outpoint, { out: tx.outputs[i], height, coinbase }, overwrite);
  }
}
