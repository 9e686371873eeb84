/**
 * The interface between the layers of the UTXO view hierarchy (Core's `CCoinsView`): the database and the
 * in-memory caches on top of it implement it, so a cache can sit on the database or on another cache (a
 * per-block scratch view flushed into the tip cache when the block connects).
 *
 * @module
 */

import type { OutPoint } from "../../core/wire/types.ts";
import type { Coin } from "./coins.ts";

/** One modified entry handed down by a cache flush (Core's flagged `CCoinsCacheEntry`). */
export interface CoinsCursorEntry {
  /** The output it is about. */
  readonly outpoint: OutPoint;
  /** The coin, or undefined when it is spent (to be erased below). */
  readonly coin: Coin | undefined;
  /** Whether the view below is known not to have it unspent (Core's FRESH). */
  readonly fresh: boolean;
}

/**
 * The block range an interrupted flush left the database in (Core's `GetHeadBlocks`): some coins are as of
 * `to`, some as of `from`. Validation rolls back from `from` to the fork point with `to` and rolls forward to
 * `to` (Core's `ReplayBlocks`), then flushes with best block `to`.
 */
export interface ReplayRange {
  /** The old best block (undefined on the first flush, when there was none). */
  readonly from: Uint8Array | undefined;
  /** The new best block the flush was writing. */
  readonly to: Uint8Array;
}

/** A layer of the UTXO view hierarchy. */
export interface CoinsView {
  /** The unspent coin of `outpoint`, or undefined. May fill caches on the way. */
  getCoin(outpoint: OutPoint): Promise<Coin | undefined>;
  /** {@link getCoin} for many outpoints at once (same order). */
  getCoins(outpoints: readonly OutPoint[]): Promise<(Coin | undefined)[]>;
  /** The block whose state this view represents (undefined if none yet, or mid-flush in the database). */
  getBestBlock(): Uint8Array | undefined;
  /** The range of an interrupted flush, or undefined when the state is consistent. */
  getHeadBlocks(): ReplayRange | undefined;
  /**
   * Applies the entries (every one modified) and records `bestBlock` as the block the state now corresponds
   * to (Core's `BatchWrite`).
   */
  batchWrite(entries: Iterable<CoinsCursorEntry>, bestBlock: Uint8Array): Promise<unknown>;
}
