/** Package rules (Core's txpackage_tests facts): well-formedness reasons, topology helpers, package hash. */

import { reverseHex, sha256 } from "../../../core/hash/hashes.ts";
import { transactionWeight, txid, wtxid } from "../../../core/wire/transaction.ts";
import type { Transaction } from "../../../core/wire/types.ts";
import {
  getPackageHash,
  isChildWithParents,
  isChildWithParentsTree,
  isConsistentPackage,
  isTopoSortedPackage,
  isWellFormedPackage,
  MAX_PACKAGE_COUNT,
  MAX_PACKAGE_WEIGHT,
} from "../../../node/policy/packages.ts";
import { assert, assertEquals } from "../../assert.ts";
import { bytes, fakeTxid, input, nulldata, outpoint, output, p2wpkh, tx } from "./tx_helpers.ts";

function child(parents: Transaction[], extra: number[] = []): Transaction {
  return tx(
    [...parents.map((p) => input(outpoint(txid(p), 0))), ...extra.map((f) => input(outpoint(fakeTxid(f))))],
    [output(1000, p2wpkh())],
  );
}

const root = (n: number) =>
  tx([input(outpoint(fakeTxid(n)))], [output(5000, p2wpkh()), output(5000, p2wpkh())]);

Deno.test("well-formed packages and each reject reason", () => {
  const p1 = root(1);
  const p2 = root(2);
  const c = child([p1, p2]);
  assertEquals(isWellFormedPackage([p1, p2, c]), { valid: true });
  assertEquals(isWellFormedPackage([c, p1, p2]), {
    valid: false,
    result: "PCKG_POLICY",
    reason: "package-not-sorted",
  });
  assertEquals(isWellFormedPackage([p1, p1]), {
    valid: false,
    result: "PCKG_POLICY",
    reason: "package-contains-duplicates",
  });
  const conflicting = tx([input(outpoint(fakeTxid(1)))], [output(1, p2wpkh())]);
  assertEquals(isWellFormedPackage([p1, conflicting]), {
    valid: false,
    result: "PCKG_POLICY",
    reason: "conflict-in-package",
  });
  const many = Array.from({ length: MAX_PACKAGE_COUNT + 1 }, (_, i) => root(100 + i));
  assertEquals(isWellFormedPackage(many), {
    valid: false,
    result: "PCKG_POLICY",
    reason: "package-too-many-transactions",
  });
  assertEquals(isWellFormedPackage(many.slice(0, MAX_PACKAGE_COUNT)), { valid: true });
  // two transactions of 50,400- and 50,600-byte OP_RETURN outputs: 404,528 weight: over 404,000 together
  const heavy = (n: number, size: number) =>
    tx([input(outpoint(fakeTxid(n)))], [output(0, nulldata(bytes(size)))]);
  const a = heavy(50, 50_400);
  const b = heavy(51, 50_600);
  assertEquals(transactionWeight(a) + transactionWeight(b), 404_528);
  assertEquals(MAX_PACKAGE_WEIGHT, 404_000);
  assertEquals(isWellFormedPackage([a, heavy(51, 50_468)]), { valid: true }, "404,000 exactly");
  assertEquals(isWellFormedPackage([a, b]), {
    valid: false,
    result: "PCKG_POLICY",
    reason: "package-too-large",
  });
  // a single transaction is never "package-too-large" (its own weight rule applies)
  assertEquals(isWellFormedPackage([heavy(52, 120_000)]), { valid: true });
});

Deno.test("topological order and consistency helpers", () => {
  const p = root(1);
  const c = child([p]);
  assert(isTopoSortedPackage([p, c]));
  assert(!isTopoSortedPackage([c, p]));
  assert(isTopoSortedPackage([]));
  // a transaction spending its own txid is not sorted (Core counts the tx itself as "later")
  assert(isConsistentPackage([p, c]));
  assert(!isConsistentPackage([tx([], [output(1, p2wpkh())])]));
  const doubleSpend = tx([input(outpoint(txid(p), 0))], [output(1, p2wpkh())]);
  assert(!isConsistentPackage([c, doubleSpend]));
});

Deno.test("child-with-parents and tree shapes", () => {
  const p1 = root(1);
  const p2 = root(2);
  const c = child([p1, p2]);
  assert(isChildWithParents([p1, p2, c]));
  assert(isChildWithParents([p1, c]), "not every parent must be present");
  assert(!isChildWithParents([c]));
  assert(!isChildWithParents([root(3), c]), "a non-parent");
  assert(isChildWithParentsTree([p1, p2, c]));
  // p2b spends p1: still child-with-parents if the child spends both, but not a tree
  const p2b = child([p1]);
  const c2 = tx([input(outpoint(txid(p1), 1)), input(outpoint(txid(p2b), 0))], [output(1, p2wpkh())]);
  assert(isChildWithParents([p1, p2b, c2]));
  assert(!isChildWithParentsTree([p1, p2b, c2]));
});

Deno.test("package hash: SHA-256 of the wtxids sorted as little-endian numbers", () => {
  const txs = [root(1), root(2), root(3)];
  const sorted = txs.map((t) => wtxid(t)).sort((a, b) => (reverseHex(a) < reverseHex(b) ? -1 : 1));
  const expected = sha256(Uint8Array.from(sorted.flatMap((w) => [...w])));
  assertEquals(getPackageHash(txs), expected);
  assertEquals(getPackageHash([txs[2], txs[0], txs[1]]), expected, "order does not matter");
});
