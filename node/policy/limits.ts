/**
 * Mempool topology limits as current Core enforces them: cluster limits (Core's txgraph `IsOversized`, checked by
 * `ChangeSet::CheckMemPoolPolicyLimits`). A cluster is a connected set of unconfirmed transactions (parents,
 * children, siblings, …); after an addition no cluster may hold more than -limitclustercount (64) transactions
 * or more than -limitclustersize (101 kvB) of sigop-adjusted size. A violation is "too-large-cluster"
 * (TX_MEMPOOL_POLICY). The old ancestor/descendant count and size limits ("too-long-mempool-chain") are no
 * longer enforced by current Core; -limitancestorcount / -limitdescendantcount only guide the wallet.
 *
 * @module
 */

import { invalid, VALID } from "../../core/consensus/validation_state.ts";
import type { TxValidationState } from "../../core/consensus/validation_state.ts";
import { WITNESS_SCALE_FACTOR } from "../../core/wire/transaction.ts";
import type { MemPoolLimits } from "./settings.ts";

/** The size of a cluster as txgraph measures it. */
export interface ClusterSize {
  /** Number of transactions. */
  readonly count: number;
  /** Sum of the transactions' sigop-adjusted weights (Core sizes clusters in weight units). */
  readonly weight: number;
}

/**
 * Core's txgraph oversize rule: more than `limits.clusterCount` transactions, or a total sigop-adjusted weight
 * above `limits.clusterSizeVbytes` × 4.
 */
export function isClusterOversized(cluster: ClusterSize, limits: MemPoolLimits): boolean {
  return cluster.count > limits.clusterCount ||
    cluster.weight > limits.clusterSizeVbytes * WITNESS_SCALE_FACTOR;
}

/**
 * The cluster that results from joining `clusters` (the distinct existing clusters the new transactions connect
 * to, each counted once) with the `added` transactions' weights, after taking out the `removed` ones (entries
 * evicted by a replacement that were in those clusters). Evictions can split a cluster in reality; treating the
 * rest as one cluster only overestimates, so pass the exact pieces when they are known.
 */
export function mergedClusterSize(
  clusters: readonly ClusterSize[],
  added: readonly number[],
  removed: readonly number[] = [],
): ClusterSize {
  let count = added.length - removed.length;
  let weight = 0;
  for (const c of clusters) {
    count += c.count;
    weight += c.weight;
  }
  for (const w of added) weight += w;
  for (const w of removed) weight -= w;
  return { count, weight };
}

/**
 * The policy limits check (Core's `CheckMemPoolPolicyLimits`): every cluster the change creates or alters must
 * be within the limits, else "too-large-cluster" (TX_MEMPOOL_POLICY, no debug text, as Core).
 */
export function checkClusterLimits(
  clusters: readonly ClusterSize[],
  limits: MemPoolLimits,
): TxValidationState {
  for (const c of clusters) {
    if (isClusterOversized(c, limits)) return invalid("TX_MEMPOOL_POLICY", "too-large-cluster");
  }
  return VALID;
}
