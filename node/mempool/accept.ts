/**
 * Mempool acceptance (Core's `MemPoolAccept` in validation.cpp): PreChecks (consensus and standardness, finality,
 * duplicates, conflicts, inputs, sequence locks, fees, sigops, TRUC), replacement checks (current Core's full RBF
 * with the feerate-diagram rule), cluster limits, ephemeral dust, policy then consensus script checks, and the
 * final change of the pool. Single transactions and packages (test accept of several transactions, and
 * child-with-parents packages with package feerates, as `submitpackage`). Reject reasons, results and debug
 * strings are Core's.
 *
 * The caller holds the chain lock (`Chainstate.withLock`) and passes its coin reader.
 *
 * @module
 */
import {
  calculateSequenceLocks,
  checkTransaction,
  checkTxInputs,
  evaluateSequenceLocks,
  getTransactionSigOpCost,
  type SpentCoin,
} from "../../core/consensus/mod.ts";
import type { InvalidState, TxValidationResult, TxValidationState } from "../../core/consensus/mod.ts";
import { invalid, VALID } from "../../core/consensus/mod.ts";
import { reverseHex } from "../../core/hash/hashes.ts";
import { STANDARD_SCRIPT_VERIFY_FLAGS } from "../../core/script/flags.ts";
import type { ScriptExecutionCache, SignatureCache } from "../../core/verify/mod.ts";
import { checkInputScripts } from "../../core/verify/mod.ts";
import { outPointKey } from "../../core/wire/outpoint.ts";
import { hasWitness, isCoinBase, txid as txidOf, wtxid as wtxidOf } from "../../core/wire/transaction.ts";
import type { OutPoint, Transaction, TxOut } from "../../core/wire/types.ts";
import type { BlockIndexEntry, ChainCoin, Chainstate } from "../chain/types.ts";
import { scriptFlagsFor } from "../chain/validation.ts";
import { isFinalTx } from "../mining/block_assembler.ts";
import { type ClusterTx, replacementDiagrams, splitIntoClusters } from "../policy/cluster.ts";
import { checkEphemeralSpends, preCheckEphemeralTx } from "../policy/ephemeral.ts";
import { FeeRate } from "../policy/feerate.ts";
import {
  isChildWithParents,
  isWellFormedPackage,
  type PackageValidationResult,
  type PackageValidationState,
} from "../policy/packages.ts";
import {
  checkFeeRate,
  checkTxNonWitnessSize,
  isStandardTx,
  isWitnessStandard,
  MAX_STANDARD_TX_SIGOPS_COST,
  spendsNonAnchorWitnessProg,
  validateInputsStandardness,
} from "../policy/policy.ts";
import { isClusterOversized } from "../policy/limits.ts";
import { checkSpendsConflictingTx, packageRbfChecks, replacementChecks } from "../policy/rbf.ts";
import { packageTrucChecks, singleTrucChecks, type TrucMempoolParent } from "../policy/truc.ts";
import { MempoolEntry } from "./entry.ts";
import { MEMPOOL_HEIGHT, type TxMempool } from "./txmempool.ts";

/** A successful acceptance (Core's `MempoolAcceptResult::Success`). */
export interface MempoolAcceptSuccess {
  /** Always true. */
  readonly valid: true;
  /** Display-hex txid. */
  readonly txid: string;
  /** Display-hex wtxid. */
  readonly wtxid: string;
  /** Sigop-adjusted virtual size. */
  readonly vsize: number;
  /** Base fee, satoshis. */
  readonly baseFee: bigint;
  /** The feerate the checks used (the package's with package feerates). */
  readonly effectiveFeeRate: FeeRate;
  /** Wtxids whose fees and sizes make up `effectiveFeeRate`. */
  readonly effectiveIncludes: readonly string[];
  /** Entries the transaction replaced. */
  readonly replaced: readonly MempoolEntry[];
  /** It was already in the mempool (submitpackage's "already in mempool"); `otherWtxid` when the witness differs. */
  readonly alreadyInMempool?: boolean;
  /** Wtxid of the mempool transaction with the same txid and another witness. */
  readonly otherWtxid?: string;
}

/** A rejection (Core's `MempoolAcceptResult::Failure` / `FeeFailure`). */
export interface MempoolAcceptFailure {
  /** Always false. */
  readonly valid: false;
  /** Display-hex txid. */
  readonly txid: string;
  /** Display-hex wtxid. */
  readonly wtxid: string;
  /** Why. */
  readonly state: InvalidState<TxValidationResult>;
  /** Sizes and fees, for fee failures. */
  readonly vsize?: number;
  /** Base fee, for fee failures. */
  readonly baseFee?: bigint;
  /** Feerate that failed (fee failures). */
  readonly effectiveFeeRate?: FeeRate;
  /** Wtxids behind `effectiveFeeRate`. */
  readonly effectiveIncludes?: readonly string[];
}

/** Result of one transaction. */
export type MempoolAcceptResult = MempoolAcceptSuccess | MempoolAcceptFailure;

/** Result of a package (Core's `PackageMempoolAcceptResult`). */
export interface PackageAcceptResult {
  /** Package-level verdict. */
  readonly state: PackageValidationState;
  /** Per-transaction results by display-hex wtxid (missing for transactions not reached). */
  readonly results: Map<string, MempoolAcceptResult>;
}

/** Options of one acceptance (Core's `ATMPArgs`). */
export interface AcceptArgs {
  /** Entry time, seconds. */
  readonly acceptTime: number;
  /** Transactions from disconnected blocks: no fee, TRUC or size limits (Core's `bypass_limits`). */
  readonly bypassLimits?: boolean;
  /** Only check (testmempoolaccept). */
  readonly testAccept?: boolean;
  /** Whether conflicts may be replaced (default true). */
  readonly allowReplacement?: boolean;
  /** Whether a TRUC sibling may be evicted (default: single transactions only). */
  readonly allowSiblingEviction?: boolean;
  /** Check fees at the package feerate (child-with-parents submission). */
  readonly packageFeerates?: boolean;
  /** Part of a package submission (submitpackage), even when accepted alone. */
  readonly packageSubmission?: boolean;
  /** Reject transactions above this feerate ("max feerate exceeded"). */
  readonly maxFeeRate?: FeeRate;
}

/** What acceptance needs around the pool. */
export interface AcceptContext {
  /** The pool. */
  readonly pool: TxMempool;
  /** The chain (tip, heights, parameters). */
  readonly chain: Chainstate;
  /** Reads a coin of the UTXO set at the tip (the lock's reader). */
  readonly coins: (outpoint: OutPoint) => Promise<ChainCoin | null>;
  /** Signature cache shared with block validation. */
  readonly signatureCache?: SignatureCache;
  /** Script execution cache. */
  readonly scriptExecutionCache?: ScriptExecutionCache;
}

/** Per-transaction working state (Core's `Workspace`). */
interface Workspace {
  readonly tx: Transaction;
  readonly txidHex: string;
  readonly wtxidHex: string;
  conflicts: Set<MempoolEntry>;
  spent: SpentCoin[];
  entry: MempoolEntry | null;
  baseFee: bigint;
  modifiedFee: bigint;
  vsize: number;
  parents: Set<MempoolEntry>;
  packageParents: Set<Workspace>;
  siblingEviction: boolean;
  state: TxValidationState;
}

/**
 * Core's `CalculateLockPointsAtTip` + `CheckSequenceLocksAtTip`: whether the BIP68 relative locks of `tx`, spending
 * coins at `coinHeights` (MEMPOOL_HEIGHT for unconfirmed parents), are satisfied in the block after `tip`.
 */
export function sequenceLocksAtTip(
  tx: Transaction,
  coinHeights: readonly number[],
  tip: BlockIndexEntry,
  chain: Pick<Chainstate, "atHeight">,
): boolean {
  const nextHeight = tip.height + 1;
  const heights = coinHeights.map((h) => h === MEMPOOL_HEIGHT ? nextHeight : h);
  const locks = calculateSequenceLocks(
    tx,
    heights,
    (h) => chain.atHeight(h)?.medianTimePast ?? tip.medianTimePast,
  );
  return evaluateSequenceLocks(locks, nextHeight, tip.medianTimePast);
}

function failure(ws: Workspace, state: InvalidState<TxValidationResult>): MempoolAcceptFailure {
  if (state.result === "TX_RECONSIDERABLE") {
    return {
      valid: false,
      txid: ws.txidHex,
      wtxid: ws.wtxidHex,
      state,
      vsize: ws.vsize,
      baseFee: ws.baseFee,
      effectiveFeeRate: FeeRate.fromFee(ws.modifiedFee, ws.vsize),
      effectiveIncludes: [ws.wtxidHex],
    };
  }
  return { valid: false, txid: ws.txidHex, wtxid: ws.wtxidHex, state };
}

function newWorkspace(tx: Transaction): Workspace {
  return {
    tx,
    txidHex: reverseHex(txidOf(tx)),
    wtxidHex: reverseHex(wtxidOf(tx)),
    conflicts: new Set(),
    spent: [],
    entry: null,
    baseFee: 0n,
    modifiedFee: 0n,
    vsize: 0,
    parents: new Set(),
    packageParents: new Set(),
    siblingEviction: false,
    state: VALID,
  };
}

/** The acceptance of one transaction or one package against a pool, under the chain lock. */
export class MemPoolAccept {
  readonly #ctx: AcceptContext;
  readonly #pool: TxMempool;
  /** Outputs of package transactions already pre-checked, by outpoint key. */
  readonly #packageOutputs = new Map<string, { out: TxOut; ws: Workspace }>();

  constructor(ctx: AcceptContext) {
    this.#ctx = ctx;
    this.#pool = ctx.pool;
  }

  /** Core's `AcceptSingleTransaction`. */
  async acceptSingle(tx: Transaction, args: AcceptArgs): Promise<MempoolAcceptResult> {
    const ws = newWorkspace(tx);
    const allowSibling = args.allowSiblingEviction ?? true;
    const pre = await this.#preChecks(ws, { ...args, allowSiblingEviction: allowSibling });
    if (!pre.valid) return failure(ws, pre);
    const evicted = this.#allConflicts([ws]);
    if (ws.conflicts.size > 0) {
      const r = replacementChecks({
        txid: ws.txidHex,
        modifiedFee: ws.modifiedFee,
        vsize: ws.vsize,
        siblingEviction: ws.siblingEviction,
        conflictingClusterCount: this.#clusterCount(ws.conflicts),
        evicted: [...evicted].map((e) => ({ modifiedFee: e.modifiedFee, vsize: e.vsize })),
        incrementalRelayFeeRate: this.#pool.settings.incrementalRelayFeeRate,
        withinClusterLimits: () => this.#withinClusterLimits([ws], evicted),
        diagrams: () => this.#diagrams([ws], evicted),
      });
      if (!r.state.valid) return failure(ws, r.state);
    }
    if (!this.#withinClusterLimits([ws], evicted)) {
      return failure(ws, invalid("TX_MEMPOOL_POLICY", "too-large-cluster"));
    }
    if (ws.conflicts.size > 0) {
      const ancestors = this.#ancestorTxids(ws);
      const st = checkSpendsConflictingTx(
        ancestors,
        new Set([...ws.conflicts].map((e) => e.txidHex)),
        ws.txidHex,
      );
      if (!st.valid) return failure(ws, st);
    }
    if (args.maxFeeRate !== undefined && FeeRate.fromFee(ws.modifiedFee, ws.vsize).gt(args.maxFeeRate)) {
      return failure(ws, invalid("TX_MEMPOOL_POLICY", "max feerate exceeded"));
    }
    const settings = this.#pool.settings;
    if (!args.bypassLimits && settings.requireStandard) {
      const dust = checkEphemeralSpends([tx], settings.dustRelayFeeRate, (id) => this.#pool.get(id)?.tx);
      if (dust !== null) return failure(ws, dust.state as InvalidState<TxValidationResult>);
    }
    const scripts = this.#scriptChecks(ws);
    if (!scripts.valid) return failure(ws, scripts);
    const result: MempoolAcceptSuccess = {
      valid: true,
      txid: ws.txidHex,
      wtxid: ws.wtxidHex,
      vsize: ws.vsize,
      baseFee: ws.baseFee,
      effectiveFeeRate: FeeRate.fromFee(ws.modifiedFee, ws.vsize),
      effectiveIncludes: [ws.wtxidHex],
      replaced: [...evicted],
    };
    if (args.testAccept) return result;
    this.#finalize([ws], evicted, args);
    return result;
  }

  /**
   * Core's `AcceptMultipleTransactions`: a well-formed package checked together, later transactions spending
   * earlier ones' outputs. With `testAccept` nothing changes (testmempoolaccept); otherwise all are added or none.
   */
  async acceptMultiple(txs: readonly Transaction[], args: AcceptArgs): Promise<PackageAcceptResult> {
    const results = new Map<string, MempoolAcceptResult>();
    const pkgState = isWellFormedPackage(txs);
    if (!pkgState.valid) return { state: pkgState, results };
    const fail = (result: PackageValidationResult, reason: string, debug?: string) => ({
      state: invalid(result, reason, debug),
      results,
    });
    const workspaces = txs.map(newWorkspace);
    for (const ws of workspaces) {
      const pre = await this.#preChecks(ws, { ...args, allowSiblingEviction: false });
      if (!pre.valid) {
        results.set(ws.wtxidHex, failure(ws, pre));
        return fail("PCKG_TX", "transaction failed");
      }
      if (args.maxFeeRate !== undefined && FeeRate.fromFee(ws.modifiedFee, ws.vsize).gt(args.maxFeeRate)) {
        results.set(ws.wtxidHex, failure(ws, invalid("TX_MEMPOOL_POLICY", "max feerate exceeded")));
        return fail("PCKG_TX", "transaction failed");
      }
      ws.tx.outputs.forEach((out, vout) =>
        this.#packageOutputs.set(outPointKey({ txid: txidOf(ws.tx), vout }), { out, ws })
      );
    }
    for (const ws of workspaces) {
      const err = packageTrucChecks(ws.tx, ws.vsize, txs, [...ws.parents].map((p) => this.#trucParent(p)));
      if (err !== null) return fail("PCKG_POLICY", "TRUC-violation", err);
    }
    let totalVsize = 0;
    let totalFees = 0n;
    for (const ws of workspaces) {
      totalVsize += ws.vsize;
      totalFees += ws.modifiedFee;
    }
    const packageFeeRate = FeeRate.fromFee(totalFees, totalVsize);
    const allWtxids = workspaces.map((w) => w.wtxidHex);
    if (args.packageFeerates) {
      const st = checkFeeRate(totalVsize, totalFees, {
        mempoolMinFeeRate: this.#pool.getMinFee(),
        minRelayFeeRate: this.#pool.settings.minRelayFeeRate,
      });
      if (!st.valid) {
        const child = workspaces[workspaces.length - 1];
        results.set(child.wtxidHex, {
          valid: false,
          txid: child.txidHex,
          wtxid: child.wtxidHex,
          state: st,
          effectiveFeeRate: packageFeeRate,
          effectiveIncludes: allWtxids,
        });
        return fail("PCKG_TX", "transaction failed");
      }
    }
    const evicted = this.#allConflicts(workspaces);
    const directConflicts = new Set<MempoolEntry>();
    for (const ws of workspaces) for (const c of ws.conflicts) directConflicts.add(c);
    if (directConflicts.size > 0) {
      const r = packageRbfChecks({
        packageSize: txs.length,
        isChildWithParents: isChildWithParents(txs),
        hasMempoolParents: workspaces.some((w) => w.parents.size > 0),
        childTxid: workspaces[workspaces.length - 1].txidHex,
        parentModifiedFee: workspaces[0].modifiedFee,
        parentVsize: workspaces[0].vsize,
        totalModifiedFees: totalFees,
        totalVsize,
        conflictingClusterCount: this.#clusterCount(directConflicts),
        evicted: [...evicted].map((e) => ({ modifiedFee: e.modifiedFee, vsize: e.vsize })),
        incrementalRelayFeeRate: this.#pool.settings.incrementalRelayFeeRate,
        withinClusterLimits: () => this.#withinClusterLimits(workspaces, evicted),
        diagrams: () => this.#diagrams(workspaces, evicted),
      });
      if (!r.state.valid) return { state: r.state, results };
    }
    if (!this.#withinClusterLimits(workspaces, evicted)) return fail("PCKG_POLICY", "too-large-cluster");
    const settings = this.#pool.settings;
    if (settings.requireStandard) {
      const dust = checkEphemeralSpends(txs, settings.dustRelayFeeRate, (id) => this.#pool.get(id)?.tx);
      if (dust !== null) {
        const ws = workspaces.find((w) => w.wtxidHex === dust.childWtxid)!;
        results.set(dust.childWtxid, failure(ws, dust.state as InvalidState<TxValidationResult>));
        return fail("PCKG_TX", "unspent-dust");
      }
    }
    for (const ws of workspaces) {
      const st = this.#scriptChecks(ws);
      if (!st.valid) {
        // Earlier transactions keep their full results (Core reports them with the failing one).
        results.set(ws.wtxidHex, failure(ws, st));
        return fail("PCKG_TX", "transaction failed");
      }
      results.set(ws.wtxidHex, {
        valid: true,
        txid: ws.txidHex,
        wtxid: ws.wtxidHex,
        vsize: ws.vsize,
        baseFee: ws.baseFee,
        effectiveFeeRate: args.packageFeerates ? packageFeeRate : FeeRate.fromFee(ws.modifiedFee, ws.vsize),
        effectiveIncludes: args.packageFeerates ? allWtxids : [ws.wtxidHex],
        replaced: ws === workspaces[workspaces.length - 1] ? [...evicted] : [],
      });
    }
    if (!args.testAccept) this.#finalize(workspaces, evicted, { ...args, packageSubmission: true });
    return { state: VALID, results };
  }

  /** Core's `PreChecks`. */
  async #preChecks(ws: Workspace, args: AcceptArgs): Promise<TxValidationState> {
    const { tx } = ws;
    const pool = this.#pool;
    const settings = pool.settings;
    const chain = this.#ctx.chain;
    let st: TxValidationState = checkTransaction(tx);
    if (!st.valid) return st;
    if (isCoinBase(tx)) return invalid("TX_CONSENSUS", "coinbase");
    if (settings.requireStandard) {
      st = isStandardTx(tx, settings);
      if (!st.valid) return st;
    }
    st = checkTxNonWitnessSize(tx);
    if (!st.valid) return st;
    const tip = chain.tip();
    if (!isFinalTx(tx, tip.height + 1, tip.medianTimePast)) return invalid("TX_PREMATURE_SPEND", "non-final");
    if (pool.getByWtxid(ws.wtxidHex) !== undefined) return invalid("TX_CONFLICT", "txn-already-in-mempool");
    if (pool.get(ws.txidHex) !== undefined) {
      return invalid("TX_CONFLICT", "txn-same-nonwitness-data-in-mempool");
    }
    for (const input of tx.inputs) {
      const spender = pool.spender(input.prevout);
      if (spender !== undefined) {
        if (args.allowReplacement === false) {
          return invalid("TX_MEMPOOL_POLICY", "bip125-replacement-disallowed");
        }
        ws.conflicts.add(spender);
      }
    }
    const id = txidOf(tx);
    for (const input of tx.inputs) {
      const coin = await this.#coin(input.prevout);
      if (coin === null) {
        for (let vout = 0; vout < tx.outputs.length; vout++) {
          if (await this.#ctx.coins({ txid: id, vout }) !== null) {
            return invalid("TX_CONFLICT", "txn-already-known");
          }
        }
        return invalid("TX_MISSING_INPUTS", "bad-txns-inputs-missingorspent");
      }
      ws.spent.push(coin.coin);
      if (coin.parent !== undefined) ws.parents.add(coin.parent);
      if (coin.packageParent !== undefined) ws.packageParents.add(coin.packageParent);
    }
    if (!sequenceLocksAtTip(tx, ws.spent.map((c) => c.height), tip, chain)) {
      return invalid("TX_PREMATURE_SPEND", "non-BIP68-final");
    }
    const inputs = checkTxInputs(tx, ws.spent, tip.height + 1);
    if (!inputs.state.valid) return inputs.state;
    ws.baseFee = inputs.fee;
    const outs = ws.spent.map((c) => c.out);
    if (settings.requireStandard) {
      st = validateInputsStandardness(tx, outs);
      if (!st.valid) return st;
      if (hasWitness(tx) && !isWitnessStandard(tx, outs)) {
        return invalid("TX_WITNESS_MUTATED", "bad-witness-nonstandard");
      }
    }
    const sigOpCost = getTransactionSigOpCost(tx, outs, STANDARD_SCRIPT_VERIFY_FLAGS);
    const entry = new MempoolEntry({
      tx,
      fee: ws.baseFee,
      time: args.acceptTime,
      height: tip.height,
      spendsCoinbase: ws.spent.some((c) => c.coinbase),
      sigOpCost,
      bytesPerSigOp: settings.bytesPerSigOp,
      sequence: args.bypassLimits ? 0 : pool.sequence,
    });
    entry.feeDelta = pool.delta(ws.txidHex);
    ws.entry = entry;
    ws.modifiedFee = entry.modifiedFee;
    ws.vsize = entry.vsize;
    if (settings.requireStandard) {
      st = preCheckEphemeralTx(tx, settings.dustRelayFeeRate, ws.baseFee, ws.modifiedFee);
      if (!st.valid) return st;
    }
    if (sigOpCost > MAX_STANDARD_TX_SIGOPS_COST) {
      return invalid("TX_NOT_STANDARD", "bad-txns-too-many-sigops", `${sigOpCost}`);
    }
    if (!args.bypassLimits && !args.packageFeerates) {
      st = checkFeeRate(ws.vsize, ws.modifiedFee, {
        mempoolMinFeeRate: pool.getMinFee(),
        minRelayFeeRate: settings.minRelayFeeRate,
      });
      if (!st.valid) return st;
    }
    if (!args.bypassLimits) {
      const conflictIds = new Set([...ws.conflicts].map((e) => e.txidHex));
      const err = singleTrucChecks(
        tx,
        [...ws.parents].map((p) => this.#trucParent(p)),
        conflictIds,
        ws.vsize,
      );
      if (err !== null) {
        if (args.allowSiblingEviction && err.sibling !== null) {
          ws.conflicts.add(pool.get(err.sibling)!);
          ws.siblingEviction = true;
        } else {
          return invalid("TX_MEMPOOL_POLICY", "TRUC-violation", err.message);
        }
      }
    }
    return VALID;
  }

  async #coin(
    outpoint: OutPoint,
  ): Promise<{ coin: SpentCoin; parent?: MempoolEntry; packageParent?: Workspace } | null> {
    const pkg = this.#packageOutputs.get(outPointKey(outpoint));
    if (pkg !== undefined) {
      return { coin: { out: pkg.out, height: MEMPOOL_HEIGHT, coinbase: false }, packageParent: pkg.ws };
    }
    const parent = this.#pool.get(reverseHex(outpoint.txid));
    if (parent !== undefined) {
      const out = parent.tx.outputs[outpoint.vout];
      if (out === undefined) return null;
      return { coin: { out, height: MEMPOOL_HEIGHT, coinbase: false }, parent };
    }
    const c = await this.#ctx.coins(outpoint);
    return c === null ? null : { coin: { out: c.output, height: c.height, coinbase: c.coinbase } };
  }

  #trucParent(p: MempoolEntry): TrucMempoolParent {
    const descendants = [...this.#pool.descendants(p)];
    return {
      txid: p.txidHex,
      wtxid: p.wtxidHex,
      version: p.tx.version,
      ancestorCount: this.#pool.ancestors(p).size + 1,
      descendantCount: descendants.length + 1,
      descendants: descendants.map((d) => ({
        txid: d.txidHex,
        ancestorCount: this.#pool.ancestors(d).size + 1,
      })),
    };
  }

  /** Direct conflicts and all their descendants (Core's `GetEntriesForConflicts` set). */
  #allConflicts(workspaces: readonly Workspace[]): Set<MempoolEntry> {
    const all = new Set<MempoolEntry>();
    for (const ws of workspaces) {
      for (const c of ws.conflicts) {
        all.add(c);
        for (const d of this.#pool.descendants(c)) all.add(d);
      }
    }
    return all;
  }

  #clusterCount(entries: Iterable<MempoolEntry>): number {
    const seen = new Set<MempoolEntry>();
    let n = 0;
    for (const e of entries) {
      if (seen.has(e)) continue;
      n++;
      for (const m of this.#pool.cluster(e)) seen.add(m);
    }
    return n;
  }

  #ancestorTxids(ws: Workspace): Set<string> {
    const out = new Set<string>();
    for (const p of ws.parents) {
      out.add(p.txidHex);
      for (const a of this.#pool.ancestors(p)) out.add(a.txidHex);
    }
    return out;
  }

  /**
   * The clusters before and after staging `workspaces` and evicting `evicted`: every mempool cluster the change
   * touches (parents' and conflicts'), and the connected pieces that would replace them.
   */
  #staged(workspaces: readonly Workspace[], evicted: ReadonlySet<MempoolEntry>): {
    old: ClusterTx[][];
    fresh: ClusterTx[][];
    freshHasNew: boolean[];
  } {
    const touched = new Set<MempoolEntry>();
    const seeds: MempoolEntry[] = [];
    for (const ws of workspaces) seeds.push(...ws.parents, ...ws.conflicts);
    const old: ClusterTx[][] = [];
    for (const s of seeds) {
      if (touched.has(s)) continue;
      const cluster = this.#pool.cluster(s);
      for (const m of cluster) touched.add(m);
      old.push(toClusterTxs(cluster));
    }
    const remaining = [...touched].filter((e) => !evicted.has(e));
    const index = new Map<MempoolEntry | Workspace, number>();
    remaining.forEach((e, i) => index.set(e, i));
    workspaces.forEach((ws, i) => index.set(ws, remaining.length + i));
    const nodes: ClusterTx[] = [
      ...remaining.map((e) => ({
        fee: e.modifiedFee,
        size: e.adjustedWeight,
        parents: [...e.parents].filter((p) => index.has(p)).map((p) => index.get(p)!),
      })),
      ...workspaces.map((ws) => ({
        fee: ws.modifiedFee,
        size: ws.entry!.adjustedWeight,
        parents: [...ws.parents, ...ws.packageParents].filter((p) => index.has(p)).map((p) => index.get(p)!),
      })),
    ];
    const fresh: ClusterTx[][] = [];
    const freshHasNew: boolean[] = [];
    for (const members of splitIntoClusters(nodes)) {
      const local = new Map(members.map((g, i) => [g, i]));
      fresh.push(members.map((g) => ({
        fee: nodes[g].fee,
        size: nodes[g].size,
        parents: nodes[g].parents.map((p) => local.get(p)!),
      })));
      freshHasNew.push(members.some((g) => g >= remaining.length));
    }
    return { old, fresh, freshHasNew };
  }

  #withinClusterLimits(workspaces: readonly Workspace[], evicted: ReadonlySet<MempoolEntry>): boolean {
    const { fresh, freshHasNew } = this.#staged(workspaces, evicted);
    return fresh.every((c, i) => {
      if (!freshHasNew[i]) return true;
      let weight = 0;
      for (const t of c) weight += t.size;
      return !isClusterOversized({ count: c.length, weight }, this.#pool.settings.limits);
    });
  }

  #diagrams(workspaces: readonly Workspace[], evicted: ReadonlySet<MempoolEntry>) {
    const { old, fresh } = this.#staged(workspaces, evicted);
    return replacementDiagrams(old, fresh);
  }

  /** Core's PolicyScriptChecks then ConsensusScriptChecks. */
  #scriptChecks(ws: Workspace): TxValidationState {
    const outs = ws.spent.map((c) => c.out);
    const caches = {
      signatureCache: this.#ctx.signatureCache,
      scriptExecutionCache: this.#ctx.scriptExecutionCache,
    };
    const policy = checkInputScripts(ws.tx, {
      flags: STANDARD_SCRIPT_VERIFY_FLAGS,
      spentOutputs: outs,
      ...caches,
    });
    if (!policy.valid) {
      if (!hasWitness(ws.tx) && spendsNonAnchorWitnessProg(ws.tx, outs)) {
        return invalid("TX_WITNESS_STRIPPED", policy.reason, policy.debug);
      }
      return invalid(policy.result, policy.reason, policy.debug);
    }
    const tip = this.#ctx.chain.tip();
    const flags = scriptFlagsFor(this.#ctx.chain.params, tip.height, tip.hashHex);
    const consensus = checkInputScripts(ws.tx, { flags, spentOutputs: outs, ...caches });
    if (!consensus.valid) return invalid(consensus.result, consensus.reason, consensus.debug);
    return VALID;
  }

  #finalize(workspaces: readonly Workspace[], evicted: ReadonlySet<MempoolEntry>, args: AcceptArgs): void {
    if (evicted.size > 0) this.#pool.removeStaged(evicted, "replaced");
    for (const ws of workspaces) {
      const entry = ws.entry!;
      entry.validForFeeEstimation = !args.bypassLimits && !args.packageSubmission &&
        this.#pool.hasNoInputsOf(ws.tx);
      this.#pool.add(entry);
    }
  }
}

function toClusterTxs(cluster: readonly MempoolEntry[]): ClusterTx[] {
  const index = new Map(cluster.map((e, i) => [e, i]));
  return cluster.map((e) => ({
    fee: e.modifiedFee,
    size: e.adjustedWeight,
    parents: [...e.parents].filter((p) => index.has(p)).map((p) => index.get(p)!),
  }));
}
