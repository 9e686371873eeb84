/** Cluster limits (current Core): 64 transactions, 101 kvB of sigop-adjusted size; "too-large-cluster". */

import { checkClusterLimits, isClusterOversized, mergedClusterSize } from "../../../node/policy/limits.ts";
import { DEFAULT_MEMPOOL_LIMITS } from "../../../node/policy/settings.ts";
import { assert, assertEquals } from "../../assert.ts";

const L = DEFAULT_MEMPOOL_LIMITS;

Deno.test("count limit: 64 is fine, 65 is too many", () => {
  assert(!isClusterOversized({ count: 64, weight: 1000 }, L));
  assert(isClusterOversized({ count: 65, weight: 1000 }, L));
});

Deno.test("size limit: 101,000 vB = 404,000 weight units", () => {
  assert(!isClusterOversized({ count: 2, weight: 404_000 }, L));
  assert(isClusterOversized({ count: 2, weight: 404_001 }, L));
  const small = { ...L, clusterCount: 3, clusterSizeVbytes: 1000 };
  assert(!isClusterOversized({ count: 3, weight: 4000 }, small));
  assert(isClusterOversized({ count: 4, weight: 4 }, small));
  assert(isClusterOversized({ count: 1, weight: 4001 }, small));
});

Deno.test("checkClusterLimits: Core's too-large-cluster", () => {
  assertEquals(checkClusterLimits([{ count: 1, weight: 400 }, { count: 64, weight: 4000 }], L), {
    valid: true,
  });
  assertEquals(checkClusterLimits([{ count: 1, weight: 400 }, { count: 65, weight: 4000 }], L), {
    valid: false,
    result: "TX_MEMPOOL_POLICY",
    reason: "too-large-cluster",
  });
  assertEquals(checkClusterLimits([], L), { valid: true });
});

Deno.test("a chain of unconfirmed spends: the 65th transaction overflows (was too-long-mempool-chain at 26)", () => {
  let cluster = { count: 0, weight: 0 };
  for (let i = 1; i <= 64; i++) {
    cluster = mergedClusterSize(i === 1 ? [] : [cluster], [561]);
    assertEquals(checkClusterLimits([cluster], L).valid, true, `tx ${i}`);
  }
  assertEquals(cluster, { count: 64, weight: 64 * 561 });
  const next = mergedClusterSize([cluster], [561]);
  assertEquals(checkClusterLimits([next], L).valid, false);
});

Deno.test("mergedClusterSize joins clusters, adds new transactions and takes out evictions", () => {
  assertEquals(mergedClusterSize([{ count: 3, weight: 3000 }, { count: 2, weight: 800 }], [500]), {
    count: 6,
    weight: 4300,
  });
  assertEquals(mergedClusterSize([{ count: 3, weight: 3000 }], [500, 600], [1000]), {
    count: 4,
    weight: 3100,
  });
  assertEquals(mergedClusterSize([], [400]), { count: 1, weight: 400 });
});
