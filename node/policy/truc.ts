/**
 * TRUC, "topologically restricted until confirmation" (BIP431; Core's policy/truc_policy.cpp): a version-3
 * transaction may only have version-3 unconfirmed ancestors and vice versa, at most one unconfirmed parent and
 * one unconfirmed child, a size of at most 10,000 vB, and 1,000 vB when it has an unconfirmed parent. A second
 * child may replace the first by RBF rules ("sibling eviction").
 *
 * The mempool supplies the in-mempool parents as plain data ({@link TrucMempoolParent}); transaction ids are
 * display hex. Results are Core's debug strings (the mempool reports them as "TRUC-violation",
 * TX_MEMPOOL_POLICY, or for packages PCKG_POLICY).
 *
 * @module
 */

import { reverseHex } from "../../core/hash/hashes.ts";
import { txid, WITNESS_SCALE_FACTOR, wtxid } from "../../core/wire/transaction.ts";
import type { Transaction } from "../../core/wire/types.ts";

/** The transaction version that opts into TRUC rules. */
export const TRUC_VERSION = 3;
/** Transactions in a TRUC transaction's descendant set, itself included. */
export const TRUC_DESCENDANT_LIMIT = 2;
/** Transactions in a TRUC transaction's ancestor set, itself included. */
export const TRUC_ANCESTOR_LIMIT = 2;
/** Largest sigop-adjusted virtual size of a TRUC transaction. */
export const TRUC_MAX_VSIZE = 10_000;
/** {@link TRUC_MAX_VSIZE} in weight units. */
export const TRUC_MAX_WEIGHT: number = TRUC_MAX_VSIZE * WITNESS_SCALE_FACTOR;
/** Largest sigop-adjusted virtual size of a TRUC transaction with an unconfirmed parent. */
export const TRUC_CHILD_MAX_VSIZE = 1_000;
/** {@link TRUC_CHILD_MAX_VSIZE} in weight units. */
export const TRUC_CHILD_MAX_WEIGHT: number = TRUC_CHILD_MAX_VSIZE * WITNESS_SCALE_FACTOR;

/** An in-mempool parent of the transaction being checked, as the TRUC rules need it. */
export interface TrucMempoolParent {
  /** Display-hex txid. */
  readonly txid: string;
  /** Display-hex wtxid. */
  readonly wtxid: string;
  /** Transaction version. */
  readonly version: number;
  /** Its in-mempool ancestors, itself included. */
  readonly ancestorCount: number;
  /** Its in-mempool descendants, itself included. */
  readonly descendantCount: number;
  /** Its in-mempool descendants (itself excluded), each with its ancestor count (itself included). */
  readonly descendants: readonly { readonly txid: string; readonly ancestorCount: number }[];
}

/** A TRUC violation found by {@link singleTrucChecks}. */
export interface TrucViolation {
  /** Core's debug string, e.g. "tx <txid> (wtxid=<wtxid>) would have too many ancestors". */
  readonly message: string;
  /**
   * The txid of the parent's only child when the violation is being its second child and that sibling may be
   * evicted under RBF rules instead (sibling eviction); null otherwise.
   */
  readonly sibling: string | null;
}

function ids(tx: Transaction): string {
  return `${reverseHex(txid(tx))} (wtxid=${reverseHex(wtxid(tx))})`;
}

/**
 * Core's `SingleTRUCChecks`, for every transaction entering the mempool alone: version inheritance both ways,
 * then for version 3: vsize at most 10,000, at most one in-mempool parent which itself has no other ancestor,
 * vsize at most 1,000 with a parent, and the parent may have no other child unless it is being replaced (a
 * child among `directConflicts`); in that last case the existing child is offered for sibling eviction when it is
 * the parent's only descendant and has no other ancestor. `vsize` is the sigop-adjusted virtual size. Null when
 * the rules hold.
 */
export function singleTrucChecks(
  tx: Transaction,
  mempoolParents: readonly TrucMempoolParent[],
  directConflicts: ReadonlySet<string>,
  vsize: number,
): TrucViolation | null {
  const violation = (message: string): TrucViolation => ({ message, sibling: null });
  for (const parent of mempoolParents) {
    if (tx.version !== TRUC_VERSION && parent.version === TRUC_VERSION) {
      return violation(
        `non-version=3 tx ${ids(tx)} cannot spend from version=3 tx ${parent.txid} (wtxid=${parent.wtxid})`,
      );
    }
    if (tx.version === TRUC_VERSION && parent.version !== TRUC_VERSION) {
      return violation(
        `version=3 tx ${ids(tx)} cannot spend from non-version=3 tx ${parent.txid} (wtxid=${parent.wtxid})`,
      );
    }
  }
  if (tx.version !== TRUC_VERSION) return null;
  if (vsize > TRUC_MAX_VSIZE) {
    return violation(`version=3 tx ${ids(tx)} is too big: ${vsize} > ${TRUC_MAX_VSIZE} virtual bytes`);
  }
  if (mempoolParents.length + 1 > TRUC_ANCESTOR_LIMIT) {
    return violation(`tx ${ids(tx)} would have too many ancestors`);
  }
  if (mempoolParents.length > 0) {
    const parent = mempoolParents[0];
    if (parent.ancestorCount + 1 > TRUC_ANCESTOR_LIMIT) {
      return violation(`tx ${ids(tx)} would have too many ancestors`);
    }
    if (vsize > TRUC_CHILD_MAX_VSIZE) {
      return violation(
        `version=3 child tx ${ids(tx)} is too big: ${vsize} > ${TRUC_CHILD_MAX_VSIZE} virtual bytes`,
      );
    }
    const childWillBeReplaced = parent.descendants.some((d) => directConflicts.has(d.txid));
    if (parent.descendantCount + 1 > TRUC_DESCENDANT_LIMIT && !childWillBeReplaced) {
      const considerSiblingEviction = parent.descendantCount === 2 && parent.descendants.length > 0 &&
        parent.descendants[0].ancestorCount === 2;
      return {
        message: `tx ${parent.txid} (wtxid=${parent.wtxid}) would exceed descendant count limit`,
        sibling: considerSiblingEviction ? parent.descendants[0].txid : null,
      };
    }
  }
  return null;
}

/**
 * Core's `PackageTRUCChecks`, for each transaction `tx` of a package `pkg` (sorted parents first): a non-TRUC
 * transaction may have no TRUC parent in the mempool or the package; a TRUC one: at most 10,000 vB, at most one
 * parent counting both places (whose own ancestors count too), at most 1,000 vB with a parent, a TRUC parent,
 * no sibling in the package or the mempool, and no child in the package when it has a parent. Null when the
 * rules hold, else Core's debug string.
 */
export function packageTrucChecks(
  tx: Transaction,
  vsize: number,
  pkg: readonly Transaction[],
  mempoolParents: readonly TrucMempoolParent[],
): string | null {
  const myTxid = reverseHex(txid(tx));
  const prevTxids = new Set(tx.inputs.map((input) => reverseHex(input.prevout.txid)));
  const packageParents: Transaction[] = [];
  for (const other of pkg) {
    if (other === tx) break; // the package is sorted: parents come first
    if (prevTxids.has(reverseHex(txid(other)))) packageParents.push(other);
  }

  if (tx.version !== TRUC_VERSION) {
    for (const parent of mempoolParents) {
      if (parent.version === TRUC_VERSION) {
        return `non-version=3 tx ${
          ids(tx)
        } cannot spend from version=3 tx ${parent.txid} (wtxid=${parent.wtxid})`;
      }
    }
    for (const parent of packageParents) {
      if (parent.version === TRUC_VERSION) {
        return `non-version=3 tx ${ids(tx)} cannot spend from version=3 tx ${ids(parent)}`;
      }
    }
    return null;
  }

  if (vsize > TRUC_MAX_VSIZE) {
    return `version=3 tx ${ids(tx)} is too big: ${vsize} > ${TRUC_MAX_VSIZE} virtual bytes`;
  }
  if (mempoolParents.length + packageParents.length + 1 > TRUC_ANCESTOR_LIMIT) {
    return `tx ${ids(tx)} would have too many ancestors`;
  }
  if (
    mempoolParents.length > 0 &&
    mempoolParents[0].ancestorCount + packageParents.length + 1 > TRUC_ANCESTOR_LIMIT
  ) {
    return `tx ${ids(tx)} would have too many ancestors`;
  }
  if (mempoolParents.length + packageParents.length === 0) return null;

  if (vsize > TRUC_CHILD_MAX_VSIZE) {
    return `version=3 child tx ${ids(tx)} is too big: ${vsize} > ${TRUC_CHILD_MAX_VSIZE} virtual bytes`;
  }
  const parent = mempoolParents.length > 0
    ? {
      txid: mempoolParents[0].txid,
      ids: `${mempoolParents[0].txid} (wtxid=${mempoolParents[0].wtxid})`,
      version: mempoolParents[0].version,
      hasMempoolDescendant: mempoolParents[0].descendantCount > 1,
    }
    : {
      txid: reverseHex(txid(packageParents[0])),
      ids: ids(packageParents[0]),
      version: packageParents[0].version,
      hasMempoolDescendant: false,
    };
  if (parent.version !== TRUC_VERSION) {
    return `version=3 tx ${ids(tx)} cannot spend from non-version=3 tx ${parent.ids}`;
  }
  for (const other of pkg) {
    if (other === tx) continue;
    for (const input of other.inputs) {
      const spent = reverseHex(input.prevout.txid);
      if (spent === parent.txid) return `tx ${parent.ids} would exceed descendant count limit`;
      if (spent === myTxid) return `tx ${ids(other)} would have too many ancestors`;
    }
  }
  if (parent.hasMempoolDescendant) return `tx ${parent.ids} would exceed descendant count limit`;
  return null;
}
