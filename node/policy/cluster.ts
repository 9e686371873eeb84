/**
 * Clusters, linearizations and chunks (the ideas of Core's cluster mempool: cluster_linearize.h, txgraph), over
 * plain data, for the replacement diagram check and chunk-feerate block assembly.
 *
 * A cluster is given as transactions with fees, sizes and in-cluster parent indexes. A linearization is a
 * topological order; its chunking groups consecutive transactions so that chunk feerates decrease. The
 * linearizer repeatedly takes the highest-feerate topologically closed subset of what remains (optimal when
 * the search completes; the search is bounded per step and falls back to the best ancestor set, as Core's
 * linearizer settles for "acceptable" quality on large clusters). Sizes are whatever unit the caller uses;
 * Core's txgraph uses sigop-adjusted weight.
 *
 * @module
 */

import { addFeeFrac, compareFeerate, type FeeFrac, sortIntoDiagram } from "./feefrac.ts";

/** A transaction of a cluster. */
export interface ClusterTx {
  /** Its (modified) fee. */
  readonly fee: bigint;
  /** Its size (Core's txgraph: sigop-adjusted weight). */
  readonly size: number;
  /** Indexes (in the same cluster array) of the transactions it spends from. */
  readonly parents: readonly number[];
}

/** A chunk of a linearization: consecutive transactions mined together. */
export interface Chunk extends FeeFrac {
  /** Indexes of its transactions, in linearization order. */
  readonly txs: readonly number[];
}

/** Options of {@link linearizeCluster}. */
export interface LinearizeOptions {
  /** Search steps allowed per chunk candidate before settling for the best found (default 20,000). */
  readonly maxSearchSteps?: number;
}

function checkCluster(txs: readonly ClusterTx[]): void {
  txs.forEach((tx, i) => {
    for (const p of tx.parents) {
      if (!Number.isInteger(p) || p < 0 || p >= txs.length || p === i) {
        throw new RangeError(`Cannot linearize: transaction ${i} has parent index ${p}`);
      }
    }
  });
}

/** A topological order (parents first; ties by index). RangeError on a cycle. */
export function topologicalOrder(txs: readonly ClusterTx[]): number[] {
  checkCluster(txs);
  const missing = txs.map((tx) => new Set(tx.parents).size);
  const children: number[][] = txs.map(() => []);
  txs.forEach((tx, i) => new Set(tx.parents).forEach((p) => children[p].push(i)));
  const ready: number[] = [];
  missing.forEach((m, i) => {
    if (m === 0) ready.push(i);
  });
  const order: number[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => b - a);
    const i = ready.pop()!;
    order.push(i);
    for (const c of children[i]) if (--missing[c] === 0) ready.push(c);
  }
  if (order.length !== txs.length) {
    throw new RangeError("Cannot linearize: the cluster has a dependency cycle");
  }
  return order;
}

/**
 * Chunks a linearization (Core's `ChunkLinearization`): each transaction starts a chunk that is merged into the
 * previous one while its feerate is strictly higher, so chunk feerates end up non-increasing.
 */
export function chunkLinearization(txs: readonly ClusterTx[], order: readonly number[]): Chunk[] {
  const chunks: { fee: bigint; size: number; txs: number[] }[] = [];
  for (const i of order) {
    chunks.push({ fee: txs[i].fee, size: txs[i].size, txs: [i] });
    while (chunks.length >= 2 && compareFeerate(chunks[chunks.length - 1], chunks[chunks.length - 2]) > 0) {
      const last = chunks.pop()!;
      const prev = chunks[chunks.length - 1];
      const sum = addFeeFrac(prev, last);
      prev.fee = sum.fee;
      prev.size = sum.size;
      prev.txs.push(...last.txs);
    }
  }
  return chunks;
}

/**
 * A good linearization of a cluster: repeatedly the highest-feerate topologically closed subset of the remaining
 * transactions (found by a bounded search over closed subsets, at least as good as the best remaining ancestor
 * set), its transactions in topological order.
 */
export function linearizeCluster(txs: readonly ClusterTx[], options: LinearizeOptions = {}): number[] {
  const topo = topologicalOrder(txs);
  const maxSteps = options.maxSearchSteps ?? 20_000;
  const n = txs.length;
  const remaining = new Array<boolean>(n).fill(true);
  const position = new Array<number>(n);
  topo.forEach((t, k) => (position[t] = k));
  const result: number[] = [];
  let left = n;
  while (left > 0) {
    const candidate = bestClosedSubset(txs, topo.filter((t) => remaining[t]), remaining, maxSteps);
    candidate.sort((a, b) => position[a] - position[b]);
    for (const t of candidate) {
      remaining[t] = false;
      result.push(t);
    }
    left -= candidate.length;
  }
  return result;
}

/** The remaining in-cluster ancestors of `t`, itself included. */
function ancestorSet(txs: readonly ClusterTx[], t: number, remaining: readonly boolean[]): number[] {
  const seen = new Set<number>([t]);
  const stack = [t];
  while (stack.length > 0) {
    for (const p of txs[stack.pop()!].parents) {
      if (remaining[p] && !seen.has(p)) {
        seen.add(p);
        stack.push(p);
      }
    }
  }
  return [...seen];
}

function feeFracOf(txs: readonly ClusterTx[], set: readonly number[]): FeeFrac {
  let fee = 0n;
  let size = 0;
  for (const t of set) {
    fee += txs[t].fee;
    size += txs[t].size;
  }
  return { fee, size };
}

/** Better candidate: higher feerate; equal feerate: smaller size (Core prefers smaller equal-feerate chunks). */
function better(a: FeeFrac, b: FeeFrac): boolean {
  const c = compareFeerate(a, b);
  return c > 0 || (c === 0 && a.size < b.size);
}

/**
 * The highest-feerate non-empty closed subset of the remaining transactions (`order`: them in topological
 * order). Depth-first over include/exclude decisions in topological order, a transaction being includable only
 * when its remaining parents are included; bounded by `maxSteps`, seeded with the best ancestor set.
 */
function bestClosedSubset(
  txs: readonly ClusterTx[],
  order: readonly number[],
  remaining: readonly boolean[],
  maxSteps: number,
): number[] {
  let best: number[] = [];
  let bestFrac: FeeFrac = { fee: 0n, size: 0 };
  for (const t of order) {
    const anc = ancestorSet(txs, t, remaining);
    const f = feeFracOf(txs, anc);
    if (best.length === 0 || better(f, bestFrac)) {
      best = anc;
      bestFrac = f;
    }
  }
  const included = new Map<number, boolean>();
  const chosen: number[] = [];
  let steps = 0;
  const visit = (k: number, fee: bigint, size: number): void => {
    if (k === order.length || steps >= maxSteps) return;
    steps++;
    const t = order[k];
    const includable = txs[t].parents.every((p) => !remaining[p] || included.get(p) === true);
    if (includable) {
      included.set(t, true);
      chosen.push(t);
      const f = { fee: fee + txs[t].fee, size: size + txs[t].size };
      if (better(f, bestFrac)) {
        best = [...chosen];
        bestFrac = f;
      }
      visit(k + 1, f.fee, f.size);
      chosen.pop();
    }
    included.set(t, false);
    visit(k + 1, fee, size);
    included.delete(t);
  };
  visit(0, 0n, 0);
  return best;
}

/** The chunks of a cluster's {@link linearizeCluster} linearization. */
export function clusterChunks(txs: readonly ClusterTx[], options: LinearizeOptions = {}): Chunk[] {
  return chunkLinearization(txs, linearizeCluster(txs, options));
}

/**
 * The connected components of a set of transactions (given with parent indexes into the same array): each
 * cluster as the list of its indexes, ascending; clusters ordered by their lowest index.
 */
export function splitIntoClusters(txs: readonly ClusterTx[]): number[][] {
  checkCluster(txs);
  const parent = txs.map((_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  txs.forEach((tx, i) => {
    for (const p of tx.parents) {
      const a = find(i);
      const b = find(p);
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
  });
  const groups = new Map<number, number[]>();
  txs.forEach((_, i) => {
    const r = find(i);
    const g = groups.get(r);
    if (g === undefined) groups.set(r, [i]);
    else g.push(i);
  });
  return [...groups.values()].sort((a, b) => a[0] - b[0]);
}

/**
 * The two diagrams Core's replacement check compares (txgraph `GetMainStagingDiagrams`): the chunks of every
 * cluster the replacement touches as they are now, and the chunks of the clusters that would replace them, each
 * list sorted by decreasing feerate.
 */
export function replacementDiagrams(
  oldClusters: readonly (readonly ClusterTx[])[],
  newClusters: readonly (readonly ClusterTx[])[],
  options: LinearizeOptions = {},
): { old: FeeFrac[]; new: FeeFrac[] } {
  const chunksOf = (clusters: readonly (readonly ClusterTx[])[]) =>
    sortIntoDiagram(
      clusters.flatMap((c) => clusterChunks(c, options).map(({ fee, size }) => ({ fee, size }))),
    );
  return { old: chunksOf(oldClusters), new: chunksOf(newClusters) };
}
