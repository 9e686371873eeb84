/**
 * Replacement by fee as current Core does it (policy/rbf.cpp, util/rbf.cpp and validation.cpp's
 * `ReplacementChecks` / `PackageRBFChecks`), over plain data the mempool supplies:
 *
 * - Full RBF: any mempool transaction can be replaced; BIP125 signalling (nSequence <= 0xfffffffd) only shows in
 *   RPC results ("bip125-replaceable"). There is no "txn-mempool-conflict" rejection any more.
 * - Rule 5: the direct conflicts may span at most 100 distinct clusters ("too many potential replacements").
 * - Rule 3: the replacement pays at least the total modified fees of everything it evicts (the conflicts and all
 *   their descendants), and Rule 4: the difference pays for the replacement's own vsize at -incrementalrelayfee
 *   ("insufficient fee").
 * - The result must respect the cluster limits ("too-large-cluster") and strictly improve the mempool's feerate
 *   diagram ("replacement-failed", "insufficient feerate: does not improve feerate diagram"); the old rule that
 *   the replacement's feerate beat each conflict's and that it add no new unconfirmed inputs is gone.
 * - A replacement may not spend an output of a transaction it replaces ("bad-txns-spends-conflicting-tx").
 *
 * Transaction ids are display hex.
 *
 * @module
 */

import { invalid, VALID } from "../../core/consensus/validation_state.ts";
import type { TxValidationState } from "../../core/consensus/validation_state.ts";
import type { Transaction } from "../../core/wire/types.ts";
import { compareChunks, type FeeFrac } from "./feefrac.ts";
import { FeeRate } from "./feerate.ts";
import { formatMoney } from "./money.ts";
import type { PackageValidationState } from "./packages.ts";

/** Highest nSequence that signals BIP125 replaceability (0xfffffffd = SEQUENCE_FINAL − 2). */
export const MAX_BIP125_RBF_SEQUENCE = 0xfffffffd;
/** Most distinct clusters a replacement's direct conflicts may span (Rule 5). */
export const MAX_REPLACEMENT_CANDIDATES = 100;

/** Core's `SignalsOptInRBF`: some input has nSequence <= 0xfffffffd. */
export function signalsOptInRbf(tx: Transaction): boolean {
  return tx.inputs.some((input) => input.sequence >>> 0 <= MAX_BIP125_RBF_SEQUENCE);
}

/** Core's `RBFTransactionState` (RPC "bip125-replaceable": "yes", "no", "unknown"). */
export type RbfTransactionState = "unknown" | "replaceable_bip125" | "final";

/**
 * Core's `IsRBFOptIn`: replaceable if the transaction or one of its in-mempool ancestors signals; unknown if it
 * does not signal and is not in the mempool (its ancestors are not known); final otherwise.
 */
export function isRbfOptIn(
  tx: Transaction,
  mempool: { readonly inMempool: boolean; readonly ancestors: readonly Transaction[] },
): RbfTransactionState {
  if (signalsOptInRbf(tx)) return "replaceable_bip125";
  if (!mempool.inMempool) return "unknown";
  return mempool.ancestors.some(signalsOptInRbf) ? "replaceable_bip125" : "final";
}

/** Core's `IsRBFOptInEmptyMempool`: only the transaction itself is looked at. */
export function isRbfOptInEmptyMempool(tx: Transaction): RbfTransactionState {
  return signalsOptInRbf(tx) ? "replaceable_bip125" : "unknown";
}

/**
 * Rule 5 of Core's `GetEntriesForConflicts`: the debug message when the direct conflicts span more than 100
 * distinct clusters, else null.
 */
export function checkConflictingClusters(txid: string, clusterCount: number): string | null {
  if (clusterCount > MAX_REPLACEMENT_CANDIDATES) {
    return `rejecting replacement ${txid}; too many conflicting clusters (${clusterCount} > ${MAX_REPLACEMENT_CANDIDATES})`;
  }
  return null;
}

/**
 * Core's `EntriesAndTxidsDisjoint`: the message when one of the replacement's in-mempool ancestors is among the
 * transactions it directly conflicts with ("<txid> spends conflicting transaction <ancestor>"), else null.
 */
export function entriesAndTxidsDisjoint(
  ancestorTxids: Iterable<string>,
  directConflicts: ReadonlySet<string>,
  txid: string,
): string | null {
  for (const ancestor of ancestorTxids) {
    if (directConflicts.has(ancestor)) return `${txid} spends conflicting transaction ${ancestor}`;
  }
  return null;
}

/**
 * Core's `PaysForRBF` (Rules 3 and 4): the replacement's fees must be at least the originals' ("rejecting
 * replacement <txid>, less fees than conflicting txs; <new> < <old>") and exceed them by at least `relayFee`
 * for `replacementVsize` ("rejecting replacement <txid>, not enough additional fees to relay; <added> <
 * <needed>"); amounts in BTC as Core's FormatMoney. Null when paid.
 */
export function paysForRbf(
  originalFees: bigint,
  replacementFees: bigint,
  replacementVsize: number,
  relayFee: FeeRate,
  txid: string,
): string | null {
  if (replacementFees < originalFees) {
    return `rejecting replacement ${txid}, less fees than conflicting txs; ${
      formatMoney(replacementFees)
    } < ${formatMoney(originalFees)}`;
  }
  const additional = replacementFees - originalFees;
  const needed = relayFee.getFee(replacementVsize);
  if (additional < needed) {
    return `rejecting replacement ${txid}, not enough additional fees to relay; ${
      formatMoney(additional)
    } < ${formatMoney(needed)}`;
  }
  return null;
}

/** The message {@link improvesFeerateDiagram} and Core give when the diagram does not improve. */
export const DIAGRAM_FAILURE_MESSAGE = "insufficient feerate: does not improve feerate diagram";

/**
 * Core's `ImprovesFeerateDiagram` once the diagrams are known: the chunks of the affected clusters after the
 * replacement (`newChunks`) must form a diagram strictly better than before (`oldChunks`); both sorted by
 * decreasing feerate (cluster.ts's `replacementDiagrams` builds them). Null when it improves, else
 * {@link DIAGRAM_FAILURE_MESSAGE}.
 */
export function improvesFeerateDiagram(
  oldChunks: readonly FeeFrac[],
  newChunks: readonly FeeFrac[],
): string | null {
  return compareChunks(newChunks, oldChunks) === "greater" ? null : DIAGRAM_FAILURE_MESSAGE;
}

/** A mempool transaction a replacement would evict. */
export interface EvictedEntry {
  /** Its modified fee (base fee plus any prioritisetransaction delta). */
  readonly modifiedFee: bigint;
  /** Its sigop-adjusted virtual size. */
  readonly vsize: number;
}

/** The diagrams before and after a replacement, sorted by decreasing feerate. */
export interface ReplacementDiagrams {
  /** Chunks of the affected clusters now. */
  readonly old: readonly FeeFrac[];
  /** Chunks of the clusters that would result. */
  readonly new: readonly FeeFrac[];
}

/** Input of {@link replacementChecks}: one transaction conflicting with mempool entries. */
export interface ReplacementCheckInput {
  /** Display-hex txid of the replacement. */
  readonly txid: string;
  /** Its modified fee. */
  readonly modifiedFee: bigint;
  /** Its sigop-adjusted virtual size. */
  readonly vsize: number;
  /** Whether the conflicts include a TRUC sibling being evicted (changes the reject reasons' wording). */
  readonly siblingEviction: boolean;
  /** Distinct clusters the direct conflicts belong to. */
  readonly conflictingClusterCount: number;
  /** Every entry that would be evicted: the direct conflicts and all their descendants, each once. */
  readonly evicted: readonly EvictedEntry[];
  /** -incrementalrelayfee. */
  readonly incrementalRelayFeeRate: FeeRate;
  /** Whether the mempool with the replacement staged (and the evictions removed) is within the cluster limits. */
  readonly withinClusterLimits: () => boolean;
  /** The feerate diagrams of the affected clusters before and after (only asked for when all else passed). */
  readonly diagrams: () => ReplacementDiagrams;
}

/** Output of {@link replacementChecks}. */
export interface ReplacementCheckResult {
  /** Valid, or Core's reject reason and debug message. */
  readonly state: TxValidationState;
  /** Total modified fees of the evicted entries (Core's m_conflicting_fees). */
  readonly conflictingFees: bigint;
  /** Total vsize of the evicted entries (Core's m_conflicting_size). */
  readonly conflictingVsize: number;
}

function totals(evicted: readonly EvictedEntry[]): { fees: bigint; vsize: number } {
  let fees = 0n;
  let vsize = 0;
  for (const e of evicted) {
    fees += e.modifiedFee;
    vsize += e.vsize;
  }
  return { fees, vsize };
}

/**
 * Core's `MemPoolAccept::ReplacementChecks` for a single transaction, in Core's order: Rule 5 ("too many
 * potential replacements", TX_MEMPOOL_POLICY), Rules 3–4 ("insufficient fee", TX_RECONSIDERABLE), cluster
 * limits ("too-large-cluster", TX_MEMPOOL_POLICY), feerate diagram ("replacement-failed", TX_RECONSIDERABLE).
 * With sibling eviction the first two reasons get " (including sibling eviction)".
 */
export function replacementChecks(input: ReplacementCheckInput): ReplacementCheckResult {
  const suffix = input.siblingEviction ? " (including sibling eviction)" : "";
  const { fees, vsize } = totals(input.evicted);
  const result = (state: TxValidationState): ReplacementCheckResult => ({
    state,
    conflictingFees: fees,
    conflictingVsize: vsize,
  });
  const tooMany = checkConflictingClusters(input.txid, input.conflictingClusterCount);
  if (tooMany !== null) {
    return result(invalid("TX_MEMPOOL_POLICY", `too many potential replacements${suffix}`, tooMany));
  }
  const unpaid = paysForRbf(fees, input.modifiedFee, input.vsize, input.incrementalRelayFeeRate, input.txid);
  if (unpaid !== null) return result(invalid("TX_RECONSIDERABLE", `insufficient fee${suffix}`, unpaid));
  if (!input.withinClusterLimits()) return result(invalid("TX_MEMPOOL_POLICY", "too-large-cluster"));
  const d = input.diagrams();
  const worse = improvesFeerateDiagram(d.old, d.new);
  if (worse !== null) return result(invalid("TX_RECONSIDERABLE", "replacement-failed", worse));
  return result(VALID);
}

/** Input of {@link packageRbfChecks}: a package with conflicts. */
export interface PackageReplacementCheckInput {
  /** Number of transactions in the package. */
  readonly packageSize: number;
  /** Whether the package is a child with its parents (packages.ts `isChildWithParents`). */
  readonly isChildWithParents: boolean;
  /** Whether any package transaction has an in-mempool parent. */
  readonly hasMempoolParents: boolean;
  /** Display-hex txid of the child (errors are attributed to it). */
  readonly childTxid: string;
  /** Modified fee of the parent (first transaction). */
  readonly parentModifiedFee: bigint;
  /** Sigop-adjusted vsize of the parent. */
  readonly parentVsize: number;
  /** Total modified fees of the package. */
  readonly totalModifiedFees: bigint;
  /** Total sigop-adjusted vsize of the package. */
  readonly totalVsize: number;
  /** Distinct clusters the package's direct conflicts belong to. */
  readonly conflictingClusterCount: number;
  /** Every entry that would be evicted, each once. */
  readonly evicted: readonly EvictedEntry[];
  /** -incrementalrelayfee. */
  readonly incrementalRelayFeeRate: FeeRate;
  /** Whether the mempool with the package staged is within the cluster limits. */
  readonly withinClusterLimits: () => boolean;
  /** The feerate diagrams before and after. */
  readonly diagrams: () => ReplacementDiagrams;
}

/**
 * Core's `MemPoolAccept::PackageRBFChecks` (all failures PCKG_POLICY): only a 1-parent-1-child package may
 * replace ("package RBF failed: package must be 1-parent-1-child"), without in-mempool ancestors ("… new
 * transaction cannot have mempool ancestors"), within Rule 5 ("… too many potential replacements"), paying Rules
 * 3–4 with the package's totals ("… insufficient anti-DoS fees"), with the package feerate above the parent's
 * ("… package feerate is less than or equal to parent feerate"), within cluster limits ("too-large-cluster") and
 * improving the diagram ("package RBF failed: insufficient feerate: does not improve feerate diagram").
 */
export function packageRbfChecks(input: PackageReplacementCheckInput): {
  state: PackageValidationState;
  conflictingFees: bigint;
  conflictingVsize: number;
} {
  const { fees, vsize } = totals(input.evicted);
  const result = (state: PackageValidationState) => ({
    state,
    conflictingFees: fees,
    conflictingVsize: vsize,
  });
  const fail = (reason: string, debug?: string) => result(invalid("PCKG_POLICY" as const, reason, debug));
  if (input.packageSize !== 2 || !input.isChildWithParents) {
    return fail("package RBF failed: package must be 1-parent-1-child");
  }
  if (input.hasMempoolParents) {
    return fail("package RBF failed: new transaction cannot have mempool ancestors");
  }
  const tooMany = checkConflictingClusters(input.childTxid, input.conflictingClusterCount);
  if (tooMany !== null) return fail("package RBF failed: too many potential replacements", tooMany);
  const unpaid = paysForRbf(
    fees,
    input.totalModifiedFees,
    input.totalVsize,
    input.incrementalRelayFeeRate,
    input.childTxid,
  );
  if (unpaid !== null) return fail("package RBF failed: insufficient anti-DoS fees", unpaid);
  const parentFeeRate = FeeRate.fromFee(input.parentModifiedFee, input.parentVsize);
  const packageFeeRate = FeeRate.fromFee(input.totalModifiedFees, input.totalVsize);
  if (packageFeeRate.le(parentFeeRate)) {
    return fail(
      "package RBF failed: package feerate is less than or equal to parent feerate",
      `package feerate ${packageFeeRate.toString()} <= parent feerate is ${parentFeeRate.toString()}`,
    );
  }
  if (!input.withinClusterLimits()) return fail("too-large-cluster");
  const d = input.diagrams();
  const worse = improvesFeerateDiagram(d.old, d.new);
  if (worse !== null) return fail(`package RBF failed: ${worse}`);
  return result(VALID);
}

/**
 * The replacement's final check in Core's `AcceptSingleTransaction`, once the cluster limits hold: its in-mempool
 * ancestors must not include a transaction it directly conflicts with ("bad-txns-spends-conflicting-tx",
 * TX_CONSENSUS).
 */
export function checkSpendsConflictingTx(
  ancestorTxids: Iterable<string>,
  directConflicts: ReadonlySet<string>,
  txid: string,
): TxValidationState {
  const err = entriesAndTxidsDisjoint(ancestorTxids, directConflicts, txid);
  return err === null ? VALID : invalid("TX_CONSENSUS", "bad-txns-spends-conflicting-tx", err);
}
