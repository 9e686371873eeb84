/**
 * Replacement by fee as current Core does it: BIP125 signalling (informational under full RBF), Rule 5, Rules
 * 3–4 (Core's rbf_tests PaysForRBF cases), the feerate-diagram rule, and the single and package check sequences
 * with Core's reasons, including end-to-end diagrams built with cluster.ts.
 */

import type { Transaction } from "../../../core/wire/types.ts";
import { replacementDiagrams } from "../../../node/policy/cluster.ts";
import type { FeeFrac } from "../../../node/policy/feefrac.ts";
import { FeeRate } from "../../../node/policy/feerate.ts";
import {
  checkConflictingClusters,
  checkSpendsConflictingTx,
  DIAGRAM_FAILURE_MESSAGE,
  entriesAndTxidsDisjoint,
  type EvictedEntry,
  improvesFeerateDiagram,
  isRbfOptIn,
  isRbfOptInEmptyMempool,
  MAX_BIP125_RBF_SEQUENCE,
  packageRbfChecks,
  type PackageReplacementCheckInput,
  paysForRbf,
  type ReplacementCheckInput,
  replacementChecks,
  signalsOptInRbf,
} from "../../../node/policy/rbf.ts";
import { assert, assertEquals } from "../../assert.ts";
import { fakeTxid, input, outpoint, output, p2wpkh, tx } from "./tx_helpers.ts";

const T = "ab".repeat(32);
const CENT = 1_000_000n;
const HIGH = CENT;
const LOW = CENT / 100n;
const INCREMENTAL = FeeRate.fromSatPerKvB(100);
const f = (fee: number | bigint, size: number): FeeFrac => ({ fee: BigInt(fee), size });

function withSequences(...seqs: number[]): Transaction {
  return tx(seqs.map((s, i) => input(outpoint(fakeTxid(i + 1)), { sequence: s })), [output(1000, p2wpkh())]);
}

Deno.test("BIP125 signalling", () => {
  assertEquals(MAX_BIP125_RBF_SEQUENCE, 0xfffffffd);
  assert(signalsOptInRbf(withSequences(0xfffffffd)));
  assert(signalsOptInRbf(withSequences(0)));
  assert(!signalsOptInRbf(withSequences(0xfffffffe)));
  assert(!signalsOptInRbf(withSequences(0xffffffff)));
  assert(signalsOptInRbf(withSequences(0xffffffff, 0xfffffffd)), "one input suffices");
  const final = withSequences(0xffffffff);
  const signalling = withSequences(1);
  assertEquals(isRbfOptIn(signalling, { inMempool: false, ancestors: [] }), "replaceable_bip125");
  assertEquals(isRbfOptIn(final, { inMempool: false, ancestors: [] }), "unknown");
  assertEquals(isRbfOptIn(final, { inMempool: true, ancestors: [] }), "final");
  assertEquals(isRbfOptIn(final, { inMempool: true, ancestors: [final, signalling] }), "replaceable_bip125");
  assertEquals(isRbfOptInEmptyMempool(final), "unknown");
  assertEquals(isRbfOptInEmptyMempool(signalling), "replaceable_bip125");
});

Deno.test("Rule 5: at most 100 conflicting clusters", () => {
  assertEquals(checkConflictingClusters(T, 100), null);
  assertEquals(
    checkConflictingClusters(T, 101),
    `rejecting replacement ${T}; too many conflicting clusters (101 > 100)`,
  );
});

Deno.test("entriesAndTxidsDisjoint (Core's rbf_tests cases)", () => {
  const [a, b, c] = ["01".repeat(32), "02".repeat(32), "03".repeat(32)];
  assertEquals(entriesAndTxidsDisjoint([], new Set([a]), T), null);
  assertEquals(entriesAndTxidsDisjoint([a, b], new Set([c]), T), null);
  assertEquals(entriesAndTxidsDisjoint([b], new Set([b]), T), `${T} spends conflicting transaction ${b}`);
  assertEquals(entriesAndTxidsDisjoint([a, b], new Set([a]), T), `${T} spends conflicting transaction ${a}`);
  assertEquals(entriesAndTxidsDisjoint([a, b], new Set([b]), T), `${T} spends conflicting transaction ${b}`);
  // descendants of the conflicts are not looked for: only what the caller passes
  assertEquals(entriesAndTxidsDisjoint([b], new Set([a]), T), null);
  assertEquals(checkSpendsConflictingTx([a], new Set([a]), T), {
    valid: false,
    result: "TX_CONSENSUS",
    reason: "bad-txns-spends-conflicting-tx",
    debug: `${T} spends conflicting transaction ${a}`,
  });
  assertEquals(checkSpendsConflictingTx([a], new Set([b]), T), { valid: true });
});

Deno.test("Rules 3 and 4: PaysForRBF (Core's rbf_tests cases and messages)", () => {
  const zero = FeeRate.fromSatPerKvB(0);
  const higher = FeeRate.fromSatPerKvB(200);
  assertEquals(paysForRbf(HIGH, HIGH, 1, zero, T), null);
  assertEquals(
    paysForRbf(HIGH, HIGH - 1n, 1, zero, T),
    `rejecting replacement ${T}, less fees than conflicting txs; 0.00999999 < 0.01`,
  );
  assertEquals(
    paysForRbf(HIGH + 1n, HIGH, 1, zero, T),
    `rejecting replacement ${T}, less fees than conflicting txs; 0.01 < 0.01000001`,
  );
  assertEquals(
    paysForRbf(HIGH, HIGH + 1n, 11, INCREMENTAL, T),
    `rejecting replacement ${T}, not enough additional fees to relay; 0.00000001 < 0.00000002`,
  );
  assertEquals(paysForRbf(HIGH, HIGH + 1n, 10, INCREMENTAL, T), null);
  assert(paysForRbf(HIGH, HIGH + 2n, 11, higher, T) !== null);
  assertEquals(paysForRbf(HIGH, HIGH + 4n, 20, higher, T), null);
  assertEquals(
    paysForRbf(LOW, HIGH, 99_999_999, INCREMENTAL, T),
    `rejecting replacement ${T}, not enough additional fees to relay; 0.0099 < 0.10`,
  );
  assertEquals(paysForRbf(LOW, HIGH + 99_999_999n, 99_999_999, INCREMENTAL, T), null);
});

Deno.test("the diagram rule: strictly better, not equal, not incomparable", () => {
  const old = [f(950, 300), f(100, 100)];
  assertEquals(improvesFeerateDiagram(old, [f(1000, 300), f(50, 100)]), null);
  assertEquals(improvesFeerateDiagram(old, [f(950, 300), f(100, 100)]), DIAGRAM_FAILURE_MESSAGE);
  assertEquals(improvesFeerateDiagram(old, [f(1000, 300), f(0, 100)]), DIAGRAM_FAILURE_MESSAGE);
  assertEquals(improvesFeerateDiagram(old, [f(900, 300)]), DIAGRAM_FAILURE_MESSAGE);
  assertEquals(DIAGRAM_FAILURE_MESSAGE, "insufficient feerate: does not improve feerate diagram");
});

function single(overrides: Partial<ReplacementCheckInput>): ReplacementCheckInput {
  return {
    txid: T,
    modifiedFee: 2000n,
    vsize: 200,
    siblingEviction: false,
    conflictingClusterCount: 1,
    evicted: [{ modifiedFee: 1000n, vsize: 200 }],
    incrementalRelayFeeRate: INCREMENTAL,
    withinClusterLimits: () => true,
    diagrams: () => ({ old: [f(1000, 800)], new: [f(2000, 800)] }),
    ...overrides,
  };
}

Deno.test("replacementChecks: accepted, with the evicted totals", () => {
  const r = replacementChecks(
    single({ evicted: [{ modifiedFee: 600n, vsize: 150 }, { modifiedFee: 400n, vsize: 100 }] }),
  );
  assertEquals(r, { state: { valid: true }, conflictingFees: 1000n, conflictingVsize: 250 });
});

Deno.test("replacementChecks: each rule's rejection, in Core's order", () => {
  const never = () => {
    throw new Error("must not be asked");
  };
  let r = replacementChecks(
    single({ conflictingClusterCount: 101, withinClusterLimits: never, diagrams: never }),
  );
  assertEquals(r.state, {
    valid: false,
    result: "TX_MEMPOOL_POLICY",
    reason: "too many potential replacements",
    debug: `rejecting replacement ${T}; too many conflicting clusters (101 > 100)`,
  });
  r = replacementChecks(single({ modifiedFee: 999n, withinClusterLimits: never, diagrams: never }));
  assertEquals(r.state, {
    valid: false,
    result: "TX_RECONSIDERABLE",
    reason: "insufficient fee",
    debug: `rejecting replacement ${T}, less fees than conflicting txs; 0.00000999 < 0.00001`,
  });
  r = replacementChecks(single({ modifiedFee: 1019n, diagrams: never }));
  assertEquals(r.state, {
    valid: false,
    result: "TX_RECONSIDERABLE",
    reason: "insufficient fee",
    debug: `rejecting replacement ${T}, not enough additional fees to relay; 0.00000019 < 0.0000002`,
  });
  assertEquals(replacementChecks(single({ modifiedFee: 1020n })).state, { valid: true });
  r = replacementChecks(single({ withinClusterLimits: () => false, diagrams: never }));
  assertEquals(r.state, { valid: false, result: "TX_MEMPOOL_POLICY", reason: "too-large-cluster" });
  r = replacementChecks(single({ diagrams: () => ({ old: [f(1000, 400)], new: [f(2000, 4000)] }) }));
  assertEquals(r.state, {
    valid: false,
    result: "TX_RECONSIDERABLE",
    reason: "replacement-failed",
    debug: "insufficient feerate: does not improve feerate diagram",
  });
});

Deno.test("replacementChecks: sibling eviction wording", () => {
  const reason = (i: ReplacementCheckInput) => {
    const s = replacementChecks(i).state;
    return s.valid ? "valid" : s.reason;
  };
  assertEquals(
    reason(single({ siblingEviction: true, conflictingClusterCount: 101 })),
    "too many potential replacements (including sibling eviction)",
  );
  assertEquals(
    reason(single({ siblingEviction: true, modifiedFee: 1n })),
    "insufficient fee (including sibling eviction)",
  );
  assertEquals(
    reason(single({ siblingEviction: true, withinClusterLimits: () => false })),
    "too-large-cluster",
  );
});

function pkg(overrides: Partial<PackageReplacementCheckInput>): PackageReplacementCheckInput {
  return {
    packageSize: 2,
    isChildWithParents: true,
    hasMempoolParents: false,
    childTxid: T,
    parentModifiedFee: 0n,
    parentVsize: 100,
    totalModifiedFees: 5000n,
    totalVsize: 200,
    conflictingClusterCount: 1,
    evicted: [{ modifiedFee: 1000n, vsize: 150 }],
    incrementalRelayFeeRate: INCREMENTAL,
    withinClusterLimits: () => true,
    diagrams: () => ({ old: [f(1000, 600)], new: [f(5000, 800)] }),
    ...overrides,
  };
}

Deno.test("packageRbfChecks: accepted, and each PCKG_POLICY rejection", () => {
  assertEquals(packageRbfChecks(pkg({})), {
    state: { valid: true },
    conflictingFees: 1000n,
    conflictingVsize: 150,
  });
  const reject = (o: Partial<PackageReplacementCheckInput>) => packageRbfChecks(pkg(o)).state;
  const failure = (reason: string, debug?: string) =>
    debug === undefined
      ? { valid: false, result: "PCKG_POLICY", reason }
      : { valid: false, result: "PCKG_POLICY", reason, debug };
  assertEquals(reject({ packageSize: 3 }), failure("package RBF failed: package must be 1-parent-1-child"));
  assertEquals(
    reject({ isChildWithParents: false }),
    failure("package RBF failed: package must be 1-parent-1-child"),
  );
  assertEquals(
    reject({ hasMempoolParents: true }),
    failure("package RBF failed: new transaction cannot have mempool ancestors"),
  );
  assertEquals(
    reject({ conflictingClusterCount: 101 }),
    failure(
      "package RBF failed: too many potential replacements",
      `rejecting replacement ${T}; too many conflicting clusters (101 > 100)`,
    ),
  );
  assertEquals(
    reject({ totalModifiedFees: 1010n }),
    failure(
      "package RBF failed: insufficient anti-DoS fees",
      `rejecting replacement ${T}, not enough additional fees to relay; 0.0000001 < 0.0000002`,
    ),
  );
  // the child must raise the package feerate above the parent's alone
  assertEquals(
    reject({ parentModifiedFee: 2500n, parentVsize: 100, totalModifiedFees: 5000n, totalVsize: 200 }),
    failure(
      "package RBF failed: package feerate is less than or equal to parent feerate",
      "package feerate 0.00025000 BTC/kvB <= parent feerate is 0.00025000 BTC/kvB",
    ),
  );
  assertEquals(reject({ withinClusterLimits: () => false }), failure("too-large-cluster"));
  assertEquals(
    reject({ diagrams: () => ({ old: [f(6000, 600)], new: [f(5000, 800)] }) }),
    failure("package RBF failed: insufficient feerate: does not improve feerate diagram"),
  );
});

// --- end to end with real clusters ------------------------------------------------------------------------

/** A full replacement check where the old clusters and the new ones are given as fee/weight/parents. */
function e2e(
  replacement: { fee: bigint; weight: number },
  evicted: { fee: bigint; weight: number; parents: number[] }[],
  remaining: { fee: bigint; weight: number; parents: number[] }[] = [],
) {
  const toEntries = (xs: { fee: bigint; weight: number }[]): EvictedEntry[] =>
    xs.map((x) => ({ modifiedFee: x.fee, vsize: Math.ceil(x.weight / 4) }));
  return replacementChecks({
    txid: T,
    modifiedFee: replacement.fee,
    vsize: Math.ceil(replacement.weight / 4),
    siblingEviction: false,
    conflictingClusterCount: 1,
    evicted: toEntries(evicted),
    incrementalRelayFeeRate: INCREMENTAL,
    withinClusterLimits: () => true,
    diagrams: () =>
      replacementDiagrams(
        [[...evicted, ...remaining].map((x) => ({ fee: x.fee, size: x.weight, parents: x.parents }))],
        [[{ fee: replacement.fee, size: replacement.weight, parents: [] }]],
      ),
  }).state;
}

Deno.test("end to end: a plain fee bump is accepted", () => {
  assertEquals(e2e({ fee: 2000n, weight: 800 }, [{ fee: 1000n, weight: 800, parents: [] }]), { valid: true });
});

Deno.test("end to end: more fee at a lower feerate passes Rules 3-4 but not the diagram", () => {
  const s = e2e({ fee: 1500n, weight: 4000 }, [{ fee: 1000n, weight: 400, parents: [] }]);
  assertEquals(s.valid ? "" : s.reason, "replacement-failed");
});

Deno.test("end to end: replacing a CPFP'd parent must beat the parent+child chunk", () => {
  // parent 1000 sat / 800 WU, child 9000 sat / 800 WU: one chunk of 10000 / 1600
  const evicted = [{ fee: 1000n, weight: 800, parents: [] }, { fee: 9000n, weight: 800, parents: [0] }];
  const low = e2e({ fee: 10_100n, weight: 3200 }, evicted);
  assertEquals(low.valid ? "" : low.reason, "replacement-failed");
  assertEquals(e2e({ fee: 10_200n, weight: 1600 }, evicted), { valid: true });
});
