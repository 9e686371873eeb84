/**
 * The link between the mempool and the fee estimator (Core registers `CBlockPolicyEstimator` as a validation
 * interface: `TransactionAddedToMempool` → `processTransaction`, `TransactionRemovedFromMempool` → `removeTx`,
 * `MempoolTransactionsRemovedForBlock` → `processBlock`). {@link feeEstimatorListener} returns an object with
 * the mempool listener's `added`/`removed`/`removedForBlock` methods, ready for `TxMempool.subscribe`
 * (`E` is the mempool's entry type, so `validForFeeEstimation` sees all of it).
 *
 * @module
 */

import {
  type BlockPolicyEstimator,
  blockStatsLogLine,
  type FeeEstimatorBlockStats,
  type FeeEstimatorTx,
} from "./block_policy_estimator.ts";

/** The fields of a mempool entry the estimator reads (the node's `MempoolEntry` has them). */
export interface FeeEstimatorEntry {
  /** Transaction id, hex (display order). */
  readonly txidHex: string;
  /** Tip height when it entered. */
  readonly height: number;
  /** Base fee in satoshis. */
  readonly fee: bigint;
  /** Sigop-adjusted virtual size. */
  readonly vsize: number;
}

/** Options of {@link feeEstimatorListener}. */
export interface FeeEstimatorListenerOptions<E extends FeeEstimatorEntry = FeeEstimatorEntry> {
  /**
   * Whether a transaction that just entered counts for estimation (Core's `validForFeeEstimation`): not
   * re-added from a disconnected block (limits bypassed), not submitted in a package, the chainstate not in
   * initial block download, and no parent in the mempool.
   */
  validForFeeEstimation: (entry: E) => boolean;
  /** Receives Core's `estimatefee` debug line after each block (e.g. `(m) => log.debug("estimatefee", m)`). */
  debug?: (msg: string) => void;
}

/** What {@link feeEstimatorListener} returns: the mempool listener methods the estimator needs. */
export interface FeeEstimatorListener<E extends FeeEstimatorEntry = FeeEstimatorEntry> {
  /** A transaction entered the mempool. */
  added(entry: E, sequence: number): void;
  /** A transaction left the mempool; "block" removals are left to {@link FeeEstimatorListener.removedForBlock}. */
  removed(entry: E, reason: string, sequence: number): void;
  /** A block connected at `height` and took `entries` out of the mempool. */
  removedForBlock(entries: readonly E[], height: number): void;
}

/** The estimator's view of a mempool entry. */
export function feeEstimatorTx(entry: FeeEstimatorEntry): FeeEstimatorTx {
  return { txid: entry.txidHex, height: entry.height, fee: entry.fee, vsize: entry.vsize };
}

/**
 * Mempool listener methods that feed `estimator` (or the estimator a function returns at each event; null:
 * estimation off). Each call is synchronous, in the mempool's event order, as Core's validation queue
 * delivers them.
 */
export function feeEstimatorListener<E extends FeeEstimatorEntry = FeeEstimatorEntry>(
  estimator: BlockPolicyEstimator | (() => BlockPolicyEstimator | null),
  options: FeeEstimatorListenerOptions<E>,
): FeeEstimatorListener<E> {
  const current = typeof estimator === "function" ? estimator : () => estimator;
  return {
    added(entry) {
      current()?.processTransaction(feeEstimatorTx(entry), options.validForFeeEstimation(entry));
    },
    removed(entry, reason) {
      if (reason !== "block") current()?.removeTx(entry.txidHex);
    },
    removedForBlock(entries, height) {
      const e = current();
      if (e === null) return;
      const stats: FeeEstimatorBlockStats = e.processBlock(height, entries.map(feeEstimatorTx));
      if (stats.processed && options.debug) options.debug(blockStatsLogLine(stats));
    },
  };
}
