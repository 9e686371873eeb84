/**
 * Which output groups a selection attempt may use (Core's `CoinEligibilityFilter`) and the ladder of filters
 * Core's `AutomaticCoinSelection` walks from strict to permissive until a selection succeeds.
 *
 * @module
 */

/** Core's `CoinEligibilityFilter`. Counts may be `Infinity` (Core's uint64 maximum: unlimited). */
export interface CoinEligibilityFilter {
  /** Minimum confirmations for outputs we sent to ourselves. */
  readonly confMine: number;
  /** Minimum confirmations for outputs received from others. */
  readonly confTheirs: number;
  /** Maximum unconfirmed ancestors summed over a group's UTXOs. */
  readonly maxAncestors: number;
  /** Maximum cluster count of any single UTXO of a group. */
  readonly maxClusterCount: number;
  /** With avoid-partial-spends: also use the partial (last, not full) group of a script that has full ones. */
  readonly includePartialGroups: boolean;
}

/** A filter and whether coins of different output types may be mixed under it (Core's `SelectionFilter`). */
export interface SelectionFilter {
  /** The eligibility filter. */
  readonly filter: CoinEligibilityFilter;
  /** Run one last selection over all types together when no single type suffices. */
  readonly allowMixedOutputTypes: boolean;
}

/** Makes a filter; `maxClusterCount` defaults to `maxAncestors` as in Core's three-argument constructor. */
export function eligibilityFilter(
  confMine: number,
  confTheirs: number,
  maxAncestors: number,
  maxClusterCount: number = maxAncestors,
  includePartialGroups = false,
): CoinEligibilityFilter {
  for (const [name, v] of [["conf_mine", confMine], ["conf_theirs", confTheirs]] as const) {
    if (!Number.isInteger(v)) throw new RangeError(`Cannot make an eligibility filter: ${name} is ${v}`);
  }
  for (
    const [name, v] of [["max_ancestors", maxAncestors], ["max_cluster_count", maxClusterCount]] as const
  ) {
    if (!(Number.isInteger(v) && v >= 0) && v !== Infinity) {
      throw new RangeError(`Cannot make an eligibility filter: ${name} is ${v}`);
    }
  }
  return { confMine, confTheirs, maxAncestors, maxClusterCount, includePartialGroups };
}

/** A key identifying equal filters (Core keys its per-filter groups by the filter's value). */
export function filterKey(f: CoinEligibilityFilter): string {
  return `${f.confMine}/${f.confTheirs}/${f.maxAncestors}/${f.maxClusterCount}/${
    f.includePartialGroups ? 1 : 0
  }`;
}

/** What decides the filter ladder. */
export interface FilterLadderOptions {
  /** Mempool ancestor count limit (Core's `getPackageLimits`, default 25). */
  ancestorLimit?: number;
  /** Mempool descendant count limit (default 25), used as the cluster count bound. */
  descendantLimit?: number;
  /** `-spendzeroconfchange` (default true): allow unconfirmed change after the confirmed-only steps. */
  spendZeroConfChange?: boolean;
  /** Coin control's include-unsafe-inputs: a step that accepts unconfirmed coins from others. */
  includeUnsafeInputs?: boolean;
  /** `-walletrejectlongchains` (default true): without it, a last step with unlimited ancestry. */
  rejectLongChains?: boolean;
}

/**
 * Core's ordered filters: (1, 6, 0) without mixing output types; (1, 1, 0); then, with zero-conf change:
 * (0, 1, 2); (0, 1, min(4, A/3), min(4, C/3)); (0, 1, A/2, C/2); (0, 1, A−1, C−1, partial groups); with unsafe
 * inputs (0, 0, A−1, C−1, partial); without rejecting long chains (0, 1, ∞, ∞, partial) — where A and C are the
 * ancestor and descendant limits (at least 1).
 */
export function coinEligibilityFilters(options: FilterLadderOptions = {}): SelectionFilter[] {
  const maxAncestors = Math.max(1, options.ancestorLimit ?? 25);
  const maxCluster = Math.max(1, options.descendantLimit ?? 25);
  if (!Number.isInteger(maxAncestors) || !Number.isInteger(maxCluster)) {
    throw new RangeError(`Cannot make the filter ladder: limits are ${maxAncestors} and ${maxCluster}`);
  }
  const step = (filter: CoinEligibilityFilter, allowMixedOutputTypes = true): SelectionFilter => ({
    filter,
    allowMixedOutputTypes,
  });
  const filters = [step(eligibilityFilter(1, 6, 0), false), step(eligibilityFilter(1, 1, 0))];
  if (options.spendZeroConfChange ?? true) {
    filters.push(step(eligibilityFilter(0, 1, 2)));
    filters.push(
      step(
        eligibilityFilter(
          0,
          1,
          Math.min(4, Math.floor(maxAncestors / 3)),
          Math.min(4, Math.floor(maxCluster / 3)),
        ),
      ),
    );
    filters.push(step(eligibilityFilter(0, 1, Math.floor(maxAncestors / 2), Math.floor(maxCluster / 2))));
    filters.push(step(eligibilityFilter(0, 1, maxAncestors - 1, maxCluster - 1, true)));
    if (options.includeUnsafeInputs) {
      filters.push(step(eligibilityFilter(0, 0, maxAncestors - 1, maxCluster - 1, true)));
    }
    if (!(options.rejectLongChains ?? true)) {
      filters.push(step(eligibilityFilter(0, 1, Infinity, Infinity, true)));
    }
  }
  return filters;
}
