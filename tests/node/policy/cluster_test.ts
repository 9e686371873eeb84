/**
 * Linearization and chunking: chunks merge when a later transaction pays more, the linearizer is optimal
 * (checked against every topological order of small random clusters), bounded searches still give valid
 * orders, clusters split into connected components, replacement diagrams.
 */

import {
  chunkLinearization,
  clusterChunks,
  type ClusterTx,
  linearizeCluster,
  replacementDiagrams,
  splitIntoClusters,
  topologicalOrder,
} from "../../../node/policy/cluster.ts";
import { compareChunks } from "../../../node/policy/feefrac.ts";
import { assert, assertEquals, assertThrows } from "../../assert.ts";

const t = (fee: number, size: number, ...parents: number[]): ClusterTx => ({
  fee: BigInt(fee),
  size,
  parents,
});
const plain = (chunks: { fee: bigint; size: number }[]) => chunks.map(({ fee, size }) => [Number(fee), size]);

Deno.test("topological order: parents first, ties by index; cycles and bad indexes are errors", () => {
  assertEquals(topologicalOrder([t(1, 1, 2), t(1, 1), t(1, 1, 1)]), [1, 2, 0]);
  assertThrows(() => topologicalOrder([t(1, 1, 1), t(1, 1, 0)]), "dependency cycle");
  assertThrows(() => topologicalOrder([t(1, 1, 5)]), "parent index 5");
  assertThrows(() => topologicalOrder([t(1, 1, 0)]), "parent index 0");
});

Deno.test("chunking merges a higher-feerate child into its parent's chunk", () => {
  const cpfp = [t(100, 100), t(1000, 100, 0)];
  const chunks = chunkLinearization(cpfp, [0, 1]);
  assertEquals(plain(chunks), [[1100, 200]]);
  assertEquals(chunks[0].txs, [0, 1]);
  // equal feerates stay apart
  assertEquals(plain(chunkLinearization([t(100, 100), t(100, 100, 0)], [0, 1])), [[100, 100], [100, 100]]);
  // decreasing feerates stay apart
  assertEquals(plain(chunkLinearization([t(300, 100), t(100, 100, 0)], [0, 1])), [[300, 100], [100, 100]]);
});

Deno.test("linearization picks the best closed subsets", () => {
  // parent A (1), children B (10) and C (2): {A,B} then C
  assertEquals(plain(clusterChunks([t(1, 1), t(10, 1, 0), t(2, 1, 0)])), [[11, 2], [2, 1]]);
  // two high children of a zero-fee parent belong together
  assertEquals(plain(clusterChunks([t(0, 1), t(5, 1, 0), t(5, 1, 0)])), [[10, 3]]);
  // an independent high-feerate branch goes first
  const c = [t(0, 10), t(100, 10, 0), t(50, 1), t(1, 1, 2, 0)];
  assertEquals(plain(clusterChunks(c)), [[50, 1], [100, 20], [1, 1]]);
  assertEquals(linearizeCluster(c), [2, 0, 1, 3]);
});

/** A small deterministic PRNG. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function allTopologicalOrders(txs: readonly ClusterTx[]): number[][] {
  const out: number[][] = [];
  const used = new Array<boolean>(txs.length).fill(false);
  const cur: number[] = [];
  const go = () => {
    if (cur.length === txs.length) {
      out.push([...cur]);
      return;
    }
    for (let i = 0; i < txs.length; i++) {
      if (!used[i] && txs[i].parents.every((p) => used[p])) {
        used[i] = true;
        cur.push(i);
        go();
        cur.pop();
        used[i] = false;
      }
    }
  };
  go();
  return out;
}

Deno.test("optimal on random clusters of up to 7 transactions (no topological order has a better diagram)", () => {
  const rand = rng(42);
  for (let round = 0; round < 120; round++) {
    const n = 1 + Math.floor(rand() * 7);
    const txs: ClusterTx[] = [];
    for (let i = 0; i < n; i++) {
      const parents = [];
      for (let j = 0; j < i; j++) if (rand() < 0.35) parents.push(j);
      txs.push(t(Math.floor(rand() * 1000), 1 + Math.floor(rand() * 400), ...parents));
    }
    const ours = clusterChunks(txs);
    const order = ours.flatMap((c) => c.txs);
    assertEquals([...order].sort((a, b) => a - b), txs.map((_, i) => i), "a permutation");
    const seen = new Set<number>();
    for (const i of order) {
      assert(txs[i].parents.every((p) => seen.has(p)), "topological");
      seen.add(i);
    }
    for (const other of allTopologicalOrders(txs)) {
      const cmp = compareChunks(ours, chunkLinearization(txs, other));
      assert(cmp === "greater" || cmp === "equivalent", `round ${round}: ${cmp} against ${other}`);
    }
  }
});

Deno.test("a bounded search still returns a valid linearization (ancestor sets)", () => {
  const txs = Array.from({ length: 40 }, (_, i) => t((i * 37) % 101, 10 + (i % 7), ...(i > 0 ? [0] : [])));
  const order = linearizeCluster(txs, { maxSearchSteps: 0 });
  assertEquals(order[0], 0);
  assertEquals(new Set(order).size, 40);
  // a star of 63 children: bounded search, quick
  const star = [t(0, 100), ...Array.from({ length: 63 }, (_, i) => t(1000 + i, 100, 0))];
  const started = performance.now();
  const chunks = clusterChunks(star);
  assert(performance.now() - started < 5000);
  assertEquals(chunks.reduce((n, c) => n + c.txs.length, 0), 64);
});

Deno.test("splitIntoClusters: connected components", () => {
  const txs = [t(1, 1), t(1, 1), t(1, 1, 0), t(1, 1, 1), t(1, 1, 2, 3), t(1, 1)];
  assertEquals(splitIntoClusters(txs), [[0, 1, 2, 3, 4], [5]]);
  assertEquals(splitIntoClusters([t(1, 1), t(1, 1)]), [[0], [1]]);
  assertEquals(splitIntoClusters([]), []);
});

Deno.test("replacementDiagrams: chunks of all clusters, sorted by feerate", () => {
  const d = replacementDiagrams(
    [[t(100, 100)], [t(10, 100), t(500, 100, 0)]],
    [[t(900, 300)]],
  );
  assertEquals(plain(d.old), [[510, 200], [100, 100]]);
  assertEquals(plain(d.new), [[900, 300]]);
  assertEquals(compareChunks(d.new, d.old), "greater");
});
