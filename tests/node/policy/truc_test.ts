/** TRUC (BIP431) rules for single transactions and packages, each rule's accept and reject side with Core's text. */

import { reverseHex } from "../../../core/hash/hashes.ts";
import { txid, wtxid } from "../../../core/wire/transaction.ts";
import type { Transaction } from "../../../core/wire/types.ts";
import {
  packageTrucChecks,
  singleTrucChecks,
  TRUC_CHILD_MAX_VSIZE,
  TRUC_CHILD_MAX_WEIGHT,
  TRUC_MAX_VSIZE,
  TRUC_MAX_WEIGHT,
  type TrucMempoolParent,
} from "../../../node/policy/truc.ts";
import { assertEquals } from "../../assert.ts";
import { fakeTxid, input, outpoint, output, p2wpkh, tx } from "./tx_helpers.ts";

const id = (t: Transaction) => `${reverseHex(txid(t))} (wtxid=${reverseHex(wtxid(t))})`;

function parentTx(version: number, n = 1): Transaction {
  return tx([input(outpoint(fakeTxid(n)))], [output(10_000, p2wpkh()), output(10_000, p2wpkh())], {
    version,
  });
}

function childOf(parents: Transaction[], version: number, vout = 0): Transaction {
  return tx(parents.map((p) => input(outpoint(txid(p), vout))), [output(5_000, p2wpkh())], { version });
}

function mempoolParent(t: Transaction, extra: Partial<TrucMempoolParent> = {}): TrucMempoolParent {
  return {
    txid: reverseHex(txid(t)),
    wtxid: reverseHex(wtxid(t)),
    version: t.version,
    ancestorCount: 1,
    descendantCount: 1,
    descendants: [],
    ...extra,
  };
}

const NONE = new Set<string>();

Deno.test("constants", () => {
  assertEquals([TRUC_MAX_VSIZE, TRUC_MAX_WEIGHT, TRUC_CHILD_MAX_VSIZE, TRUC_CHILD_MAX_WEIGHT], [
    10_000,
    40_000,
    1_000,
    4_000,
  ]);
});

Deno.test("single: version inheritance both ways", () => {
  const v3 = parentTx(3);
  const v2 = parentTx(2);
  const v2child = childOf([v3], 2);
  assertEquals(singleTrucChecks(v2child, [mempoolParent(v3)], NONE, 200), {
    message: `non-version=3 tx ${id(v2child)} cannot spend from version=3 tx ${id(v3)}`,
    sibling: null,
  });
  const v3child = childOf([v2], 3);
  assertEquals(singleTrucChecks(v3child, [mempoolParent(v2)], NONE, 200), {
    message: `version=3 tx ${id(v3child)} cannot spend from non-version=3 tx ${id(v2)}`,
    sibling: null,
  });
  assertEquals(
    singleTrucChecks(childOf([v2], 2), [mempoolParent(v2)], NONE, 200_000),
    null,
    "no rules for v2",
  );
  assertEquals(singleTrucChecks(childOf([v3], 3), [mempoolParent(v3)], NONE, 200), null);
});

Deno.test("single: sizes", () => {
  const lone = parentTx(3);
  assertEquals(singleTrucChecks(lone, [], NONE, 10_000), null);
  assertEquals(
    singleTrucChecks(lone, [], NONE, 10_001)?.message,
    `version=3 tx ${id(lone)} is too big: 10001 > 10000 virtual bytes`,
  );
  const p = parentTx(3);
  const c = childOf([p], 3);
  assertEquals(singleTrucChecks(c, [mempoolParent(p)], NONE, 1_000), null);
  assertEquals(
    singleTrucChecks(c, [mempoolParent(p)], NONE, 1_001)?.message,
    `version=3 child tx ${id(c)} is too big: 1001 > 1000 virtual bytes`,
  );
});

Deno.test("single: one unconfirmed parent, which has no unconfirmed parent itself", () => {
  const p1 = parentTx(3, 1);
  const p2 = parentTx(3, 2);
  const c = childOf([p1, p2], 3);
  assertEquals(
    singleTrucChecks(c, [mempoolParent(p1), mempoolParent(p2)], NONE, 200)?.message,
    `tx ${id(c)} would have too many ancestors`,
  );
  const c1 = childOf([p1], 3);
  assertEquals(
    singleTrucChecks(c1, [mempoolParent(p1, { ancestorCount: 2 })], NONE, 200)?.message,
    `tx ${id(c1)} would have too many ancestors`,
  );
});

Deno.test("single: a second child is refused, with its sibling offered for eviction", () => {
  const p = parentTx(3);
  const first = childOf([p], 3, 0);
  const second = childOf([p], 3, 1);
  const firstId = reverseHex(txid(first));
  const withChild = mempoolParent(p, {
    descendantCount: 2,
    descendants: [{ txid: firstId, ancestorCount: 2 }],
  });
  assertEquals(singleTrucChecks(second, [withChild], NONE, 200), {
    message: `tx ${id(p)} would exceed descendant count limit`,
    sibling: firstId,
  });
  // replacing the existing child directly is no violation
  assertEquals(singleTrucChecks(second, [withChild], new Set([firstId]), 200), null);
  // two children already (after a reorg): no sibling eviction
  const twoChildren = mempoolParent(p, {
    descendantCount: 3,
    descendants: [{ txid: firstId, ancestorCount: 2 }, { txid: "aa".repeat(32), ancestorCount: 2 }],
  });
  assertEquals(singleTrucChecks(second, [twoChildren], NONE, 200)?.sibling, null);
  // the existing child has another parent: no sibling eviction
  const busy = mempoolParent(p, { descendantCount: 2, descendants: [{ txid: firstId, ancestorCount: 3 }] });
  assertEquals(singleTrucChecks(second, [busy], NONE, 200), {
    message: `tx ${id(p)} would exceed descendant count limit`,
    sibling: null,
  });
});

Deno.test("package: parent and child, and each violation", () => {
  const p = parentTx(3);
  const c = childOf([p], 3);
  assertEquals(packageTrucChecks(p, 200, [p, c], []), null);
  assertEquals(packageTrucChecks(c, 200, [p, c], []), null);
  // v2 child of a v3 package parent and the reverse
  const v2c = childOf([p], 2);
  assertEquals(
    packageTrucChecks(v2c, 200, [p, v2c], []),
    `non-version=3 tx ${id(v2c)} cannot spend from version=3 tx ${id(p)}`,
  );
  const v2p = parentTx(2);
  const v3c = childOf([v2p], 3);
  assertEquals(
    packageTrucChecks(v3c, 200, [v2p, v3c], []),
    `version=3 tx ${id(v3c)} cannot spend from non-version=3 tx ${id(v2p)}`,
  );
  // v2 child of a v3 mempool parent
  assertEquals(
    packageTrucChecks(v2c, 200, [v2c], [mempoolParent(p)]),
    `non-version=3 tx ${id(v2c)} cannot spend from version=3 tx ${id(p)}`,
  );
  // sizes
  assertEquals(
    packageTrucChecks(p, 10_001, [p, c], []),
    `version=3 tx ${id(p)} is too big: 10001 > 10000 virtual bytes`,
  );
  assertEquals(
    packageTrucChecks(c, 1_001, [p, c], []),
    `version=3 child tx ${id(c)} is too big: 1001 > 1000 virtual bytes`,
  );
  // two parents (package + package, package + mempool)
  const p2 = parentTx(3, 2);
  const c2 = childOf([p, p2], 3);
  assertEquals(packageTrucChecks(c2, 200, [p, p2, c2], []), `tx ${id(c2)} would have too many ancestors`);
  const c3 = childOf([p, p2], 3);
  assertEquals(
    packageTrucChecks(c3, 200, [p, c3], [mempoolParent(p2)]),
    `tx ${id(c3)} would have too many ancestors`,
  );
  // a mempool parent with its own mempool parent
  const c4 = childOf([p2], 3);
  assertEquals(
    packageTrucChecks(c4, 200, [c4], [mempoolParent(p2, { ancestorCount: 2 })]),
    `tx ${id(c4)} would have too many ancestors`,
  );
});

Deno.test("package: siblings, grandchildren and existing mempool children", () => {
  const p = parentTx(3);
  const a = childOf([p], 3, 0);
  const b = childOf([p], 3, 1);
  assertEquals(packageTrucChecks(a, 200, [p, a, b], []), `tx ${id(p)} would exceed descendant count limit`);
  // a sibling in the package of a mempool parent
  assertEquals(
    packageTrucChecks(a, 200, [a, b], [mempoolParent(p)]),
    `tx ${id(p)} would exceed descendant count limit`,
  );
  // parent, child and grandchild: the middle one fails
  const g = childOf([a], 3);
  assertEquals(packageTrucChecks(a, 200, [p, a, g], []), `tx ${id(g)} would have too many ancestors`);
  // the mempool parent already has a child
  assertEquals(
    packageTrucChecks(a, 200, [a], [mempoolParent(p, { descendantCount: 2 })]),
    `tx ${id(p)} would exceed descendant count limit`,
  );
  assertEquals(packageTrucChecks(a, 200, [a], [mempoolParent(p)]), null);
});
