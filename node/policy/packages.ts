/**
 * Package policy (Core's policy/packages.cpp): the context-free rules a package of transactions (as given to
 * `submitpackage` / `testmempoolaccept`) must follow, and the package hash.
 *
 * @module
 */

import type { ValidationState } from "../../core/consensus/validation_state.ts";
import { invalid, VALID } from "../../core/consensus/validation_state.ts";
import { reverseHex, sha256 } from "../../core/hash/hashes.ts";
import { outPointKey } from "../../core/wire/outpoint.ts";
import { transactionWeight, txid, wtxid } from "../../core/wire/transaction.ts";
import type { Transaction } from "../../core/wire/types.ts";

/** Most transactions in a package (Core's MAX_PACKAGE_COUNT). */
export const MAX_PACKAGE_COUNT = 25;
/** Most total weight of a package of two or more transactions (Core's MAX_PACKAGE_WEIGHT). */
export const MAX_PACKAGE_WEIGHT = 404_000;

/** Core's `PackageValidationResult`, by enumerator name. */
export type PackageValidationResult = "PCKG_POLICY" | "PCKG_TX" | "PCKG_MEMPOOL_ERROR";

/** Outcome of a package check (Core's `PackageValidationState`). */
export type PackageValidationState = ValidationState<PackageValidationResult>;

/**
 * Core's `IsTopoSortedPackage`: no transaction spends an output of itself or of a later transaction in the list
 * (parents come before their children). Indirect dependencies through absent transactions are not seen.
 */
export function isTopoSortedPackage(txns: readonly Transaction[]): boolean {
  const later = new Set(txns.map((tx) => reverseHex(txid(tx))));
  for (const tx of txns) {
    for (const input of tx.inputs) {
      if (later.has(reverseHex(input.prevout.txid))) return false;
    }
    later.delete(reverseHex(txid(tx)));
  }
  return true;
}

/**
 * Core's `IsConsistentPackage`: no two transactions spend the same output (and none has no inputs, which would
 * make the check meaningless). A transaction spending one output twice is CheckTransaction's business.
 */
export function isConsistentPackage(txns: readonly Transaction[]): boolean {
  const seen = new Set<string>();
  for (const tx of txns) {
    if (tx.inputs.length === 0) return false;
    for (const input of tx.inputs) {
      if (seen.has(outPointKey(input.prevout))) return false;
    }
    for (const input of tx.inputs) seen.add(outPointKey(input.prevout));
  }
  return true;
}

/**
 * Core's `IsWellFormedPackage` (all failures PCKG_POLICY): at most 25 transactions
 * ("package-too-many-transactions"), at most 404,000 weight in total when more than one
 * ("package-too-large"), no duplicate txids ("package-contains-duplicates"), parents before children
 * ("package-not-sorted"), no two spending the same output ("conflict-in-package").
 */
export function isWellFormedPackage(txns: readonly Transaction[]): PackageValidationState {
  const fail = (reason: string) => invalid("PCKG_POLICY" as const, reason);
  if (txns.length > MAX_PACKAGE_COUNT) return fail("package-too-many-transactions");
  const totalWeight = txns.reduce((sum, tx) => sum + transactionWeight(tx), 0);
  if (txns.length > 1 && totalWeight > MAX_PACKAGE_WEIGHT) return fail("package-too-large");
  const txids = new Set(txns.map((tx) => reverseHex(txid(tx))));
  if (txids.size !== txns.length) return fail("package-contains-duplicates");
  if (!isTopoSortedPackage(txns)) return fail("package-not-sorted");
  if (!isConsistentPackage(txns)) return fail("conflict-in-package");
  return VALID;
}

/**
 * Core's `IsChildWithParents`: at least two transactions, and every one but the last is spent from by the last
 * (the child). Not every parent of the child needs to be present.
 */
export function isChildWithParents(pkg: readonly Transaction[]): boolean {
  if (pkg.length < 2) return false;
  const child = pkg[pkg.length - 1];
  const inputTxids = new Set(child.inputs.map((input) => reverseHex(input.prevout.txid)));
  return pkg.slice(0, -1).every((tx) => inputTxids.has(reverseHex(txid(tx))));
}

/** Core's `IsChildWithParentsTree`: {@link isChildWithParents} and no parent spends from another parent. */
export function isChildWithParentsTree(pkg: readonly Transaction[]): boolean {
  if (!isChildWithParents(pkg)) return false;
  const parents = new Set(pkg.slice(0, -1).map((tx) => reverseHex(txid(tx))));
  return pkg.slice(0, -1).every((tx) =>
    tx.inputs.every((input) => !parents.has(reverseHex(input.prevout.txid)))
  );
}

/**
 * Core's `GetPackageHash`: SHA-256 of the wtxids (internal byte order) concatenated in ascending order of their
 * value read as little-endian 256-bit numbers. Returned in internal byte order (print with reverseHex).
 */
export function getPackageHash(transactions: readonly Transaction[]): Uint8Array {
  const wtxids = transactions.map((tx) => wtxid(tx));
  // Little-endian numbers: compare from the last byte down, i.e. as their display hex.
  wtxids.sort((a, b) => {
    for (let i = a.length - 1; i >= 0; i--) {
      if (a[i] !== b[i]) return a[i] - b[i];
    }
    return 0;
  });
  const all = new Uint8Array(32 * wtxids.length);
  wtxids.forEach((w, i) => all.set(w, 32 * i));
  return sha256(all);
}
