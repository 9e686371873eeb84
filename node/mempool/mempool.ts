/**
 * The node's mempool service: the pool plus everything around it that needs the chain — acceptance under the
 * chain lock (Core's `ProcessTransaction`, `ProcessNewPackage`), `BroadcastTransaction`, following the chain
 * (mined transactions leave, conflicts leave, transactions of disconnected blocks return and entries that became
 * invalid leave: Core's `MaybeUpdateMempoolForReorg`), `LimitMempoolSize` (expiry, then size), and the hooks
 * the fee estimator listens on.
 *
 * @module
 */
import { COINBASE_MATURITY } from "../../core/chain_params.ts";
import { validationStateToString } from "../../core/consensus/mod.ts";
import { reverseHex } from "../../core/hash/hashes.ts";
import { ScriptExecutionCache, SignatureCache } from "../../core/verify/mod.ts";
import { isCoinBase, txid as txidOf, wtxid as wtxidOf } from "../../core/wire/transaction.ts";
import type { Block, OutPoint, Transaction, TxOut } from "../../core/wire/types.ts";
import type { Logger } from "../../util/logging.ts";
import type { ChainCoin, Chainstate } from "../chain/types.ts";
import { isFinalTx } from "../mining/block_assembler.ts";
import type { FeeFrac } from "../policy/feefrac.ts";
import { toFeePerVSize } from "../policy/policy.ts";
import { FeeRate } from "../policy/feerate.ts";
import { isChildWithParents, isWellFormedPackage } from "../policy/packages.ts";
import type { PolicySettings } from "../policy/settings.ts";
import {
  type AcceptArgs,
  MemPoolAccept,
  type MempoolAcceptResult,
  type PackageAcceptResult,
  sequenceLocksAtTip,
} from "./accept.ts";
import { estimateEntryUsage, type MempoolEntry } from "./entry.ts";
import { MEMPOOL_HEIGHT, TxMempool } from "./txmempool.ts";

/** Memory the transactions of disconnected blocks may use before the oldest-mined are dropped (Core's 20 MB). */
export const MAX_DISCONNECTED_TX_POOL_BYTES = 20_000_000;

/** Options of {@link Mempool.acceptTransaction}. */
export interface AcceptTransactionOptions {
  /** Only check. */
  testAccept?: boolean;
  /** Skip fee and size limits (transactions returning from disconnected blocks). */
  bypassLimits?: boolean;
  /** Entry time (default now). */
  acceptTime?: number;
  /** Reject above this feerate ("max feerate exceeded"). */
  maxFeeRate?: FeeRate;
}

/** Outcome of {@link Mempool.broadcastTransaction} (Core's `TransactionError`). */
export type BroadcastResult =
  | { ok: true; txid: string; wtxid: string }
  | {
    ok: false;
    error: "MISSING_INPUTS" | "ALREADY_IN_UTXO_SET" | "MEMPOOL_REJECTED" | "MAX_FEE_EXCEEDED";
    message: string;
  };

/** Options of {@link Mempool}. */
export interface MempoolOptions {
  /** The chain it follows. */
  readonly chain: Chainstate;
  /** Policy settings. */
  readonly settings: PolicySettings;
  /** Clock in seconds (mockable). */
  readonly now: () => number;
  /** Logger (mempool debug category). */
  readonly logger?: Logger;
  /** Signature cache (share it with block validation; default a private one). */
  readonly signatureCache?: SignatureCache;
  /** Script execution cache (share it with block validation; default a private one). */
  readonly scriptExecutionCache?: ScriptExecutionCache;
}

/** The node's mempool. */
export class Mempool {
  /** The pool itself. */
  readonly pool: TxMempool;
  /** Policy settings. */
  readonly settings: PolicySettings;
  readonly #chain: Chainstate;
  readonly #now: () => number;
  readonly #logger: Logger | undefined;
  readonly #signatureCache: SignatureCache;
  readonly #scriptExecutionCache: ScriptExecutionCache;
  /**
   * Transactions of blocks disconnected since the last tip update (Core's `DisconnectedBlockTransactions`): each
   * block's transactions appended in reverse, so the front holds the most recently confirmed ones, which are the
   * first dropped when the queue outgrows {@link MAX_DISCONNECTED_TX_POOL_BYTES}.
   */
  #disconnected: { tx: Transaction; txid: string; usage: number }[] = [];
  #disconnectedUsage = 0;
  /** A block left the chain since the last tip update (entries must be checked against the new tip). */
  #reorged = false;
  #pending: Promise<void> = Promise.resolve();
  /** Announces a broadcast transaction to peers (set by the node once P2P runs; Core's InitiateTxBroadcastToAll). */
  #announce: ((txid: string, wtxid: string) => void) | null = null;
  readonly #unsubscribe: () => void;

  constructor(options: MempoolOptions) {
    this.#chain = options.chain;
    this.settings = options.settings;
    this.#now = options.now;
    this.#logger = options.logger;
    this.#signatureCache = options.signatureCache ?? new SignatureCache();
    this.#scriptExecutionCache = options.scriptExecutionCache ?? new ScriptExecutionCache();
    this.pool = new TxMempool({ settings: options.settings, now: options.now });
    this.#unsubscribe = options.chain.subscribe({
      blockConnected: (block, entry) => this.#blockConnected(block, entry.height),
      blockDisconnected: (block, _entry, returnToMempool) =>
        this.#blockDisconnected(block, returnToMempool ?? true),
      updatedBlockTip: () => this.#updatedTip(),
    });
  }

  /** Stops following the chain. */
  close(): void {
    this.#unsubscribe();
  }

  /** Resolves once pending updates (transactions returning after a reorg) are done. */
  async ready(): Promise<void> {
    let p: Promise<void>;
    do {
      p = this.#pending;
      await p;
    } while (p !== this.#pending);
  }

  #blockDisconnected(block: Block, returnToMempool: boolean): void {
    this.#reorged = true;
    for (let i = block.txs.length - 1; i >= 0; i--) {
      const tx = block.txs[i];
      if (isCoinBase(tx)) continue;
      if (!returnToMempool) {
        // Core's MaybeUpdateMempoolForReorg without adding: descendants already in the pool leave too.
        this.#removeSpenders(tx);
        continue;
      }
      const usage = estimateEntryUsage(tx);
      this.#disconnected.push({ tx, txid: reverseHex(txidOf(tx)), usage });
      this.#disconnectedUsage += usage;
    }
    // Core's LimitMemoryUsage: drop the most recently confirmed, and their descendants already in the pool.
    while (this.#disconnected.length > 0 && this.#disconnectedUsage > MAX_DISCONNECTED_TX_POOL_BYTES) {
      const dropped = this.#disconnected.shift()!;
      this.#disconnectedUsage -= dropped.usage;
      this.#removeSpenders(dropped.tx);
    }
  }

  /** Removes the pool's spenders of `tx`'s outputs with their descendants (a disconnected `tx` stays out). */
  #removeSpenders(tx: Transaction): void {
    const id = txidOf(tx);
    for (let vout = 0; vout < tx.outputs.length; vout++) {
      const child = this.pool.spender({ txid: id, vout });
      if (child !== undefined) this.pool.removeRecursive(child, "reorg");
    }
  }

  #blockConnected(block: Block, height: number): void {
    if (this.#disconnected.length > 0) {
      // A transaction mined again in the new branch does not return to the pool.
      const mined = new Set(block.txs.map((tx) => reverseHex(txidOf(tx))));
      this.#disconnected = this.#disconnected.filter((d) => {
        if (!mined.has(d.txid)) return true;
        this.#disconnectedUsage -= d.usage;
        return false;
      });
    }
    const removed = this.pool.removeForBlock(block.txs, height);
    if (removed.length > 0) this.#log(`${removed.length} mempool transactions mined in block ${height}`);
    this.#maybeCheck();
  }

  #updatedTip(): void {
    this.pool.addTransactionsUpdated(1);
    if (!this.#reorged) return;
    this.#reorged = false;
    // Oldest block first, each block in its order: parents come before children.
    const txs = this.#disconnected.map((d) => d.tx).reverse();
    this.#disconnected = [];
    this.#disconnectedUsage = 0;
    this.#pending = this.#pending.then(() =>
      this.#chain.withLock((coins) => this.#updateForReorg(txs, coins)).catch((e) =>
        this.#logger?.error(`Mempool update after reorg failed: ${e instanceof Error ? e.message : e}`)
      )
    );
  }

  /**
   * Core's `MaybeUpdateMempoolForReorg`: the disconnected transactions return (limits bypassed), then entries
   * that are no longer final, sequence-locked or mature at the new tip leave with their descendants, then the
   * pool is trimmed.
   */
  async #updateForReorg(
    txs: Transaction[],
    coins: (o: OutPoint) => Promise<ChainCoin | null>,
  ): Promise<void> {
    const acceptTime = this.#now();
    let added = 0;
    for (const tx of txs) {
      const r = await this.#accept(coins).acceptSingle(tx, { acceptTime, bypassLimits: true });
      if (r.valid) added++;
    }
    const tip = this.#chain.tip();
    const drop: MempoolEntry[] = [];
    for (const e of this.pool.entries()) {
      if (!isFinalTx(e.tx, tip.height + 1, tip.medianTimePast)) {
        drop.push(e);
        continue;
      }
      const heights: number[] = [];
      let immature = false;
      for (const input of e.tx.inputs) {
        if (this.pool.get(reverseHex(input.prevout.txid)) !== undefined) {
          heights.push(MEMPOOL_HEIGHT);
          continue;
        }
        const c = await coins(input.prevout);
        if (c === null) {
          immature = true;
          break;
        }
        if (c.coinbase && tip.height + 1 - c.height < COINBASE_MATURITY) immature = true;
        heights.push(c.height);
      }
      if (immature || !sequenceLocksAtTip(e.tx, heights, tip, this.#chain)) drop.push(e);
    }
    const stage = new Set<MempoolEntry>();
    for (const e of drop) {
      stage.add(e);
      for (const d of this.pool.descendants(e)) stage.add(d);
    }
    this.pool.removeStaged(stage, "reorg");
    this.#limitSize();
    this.#maybeCheck();
    this.#log(
      `Reorg: ${added} of ${txs.length} disconnected transactions back in the mempool, ${stage.size} removed`,
    );
  }

  #accept(coins: (o: OutPoint) => Promise<ChainCoin | null>): MemPoolAccept {
    return new MemPoolAccept({
      pool: this.pool,
      chain: this.#chain,
      coins,
      signatureCache: this.#signatureCache,
      scriptExecutionCache: this.#scriptExecutionCache,
    });
  }

  /** Core's `LimitMempoolSize`: expiry, then eviction down to -maxmempool. */
  #limitSize(): void {
    const expired = this.pool.expire(this.#now() - this.settings.mempoolExpirySeconds);
    if (expired > 0) this.#log(`Expired ${expired} transactions from the memory pool`);
    const evicted = this.pool.trimToSize(this.settings.maxMempoolBytes);
    if (evicted.length > 0) this.#log(`Removed ${evicted.length} txn, rolling minimum fee bumped`);
  }

  /** Core's `-checkmempool`: a consistency check on one change in `checkRatio` (every change on regtest). */
  #maybeCheck(): void {
    const ratio = this.settings.checkRatio;
    if (ratio <= 0 || (ratio > 1 && Math.random() * ratio >= 1)) return;
    try {
      this.pool.check();
    } catch (e) {
      this.#logger?.error(e instanceof Error ? e.message : String(e));
      throw e;
    }
  }

  #log(msg: string): void {
    this.#logger?.debug("mempool", msg);
  }

  /** Core's `ProcessTransaction` / `AcceptToMemoryPool` for one transaction. */
  async acceptTransaction(
    tx: Transaction,
    options: AcceptTransactionOptions = {},
  ): Promise<MempoolAcceptResult> {
    await this.ready();
    return await this.#chain.withLock(async (coins) => {
      const args: AcceptArgs = {
        acceptTime: options.acceptTime ?? this.#now(),
        bypassLimits: options.bypassLimits,
        testAccept: options.testAccept,
        maxFeeRate: options.maxFeeRate,
      };
      const r = await this.#accept(coins).acceptSingle(tx, args);
      if (!r.valid) {
        this.#log(`${r.txid} (wtxid=${r.wtxid}) rejected: ${validationStateToString(r.state)}`);
        return r;
      }
      if (options.testAccept) return r;
      this.#log(
        `AcceptToMemoryPool: accepted ${r.txid} (wtxid=${r.wtxid}) (poolsz ${this.pool.size} txn, ${
          Math.ceil(this.pool.usage / 1000)
        } kB)`,
      );
      if (!options.bypassLimits) {
        this.#limitSize();
        this.#maybeCheck();
        if (this.pool.get(r.txid) === undefined) {
          return {
            valid: false,
            txid: r.txid,
            wtxid: r.wtxid,
            state: { valid: false, result: "TX_RECONSIDERABLE", reason: "mempool full" },
            vsize: r.vsize,
            baseFee: r.baseFee,
            effectiveFeeRate: r.effectiveFeeRate,
            effectiveIncludes: r.effectiveIncludes,
          };
        }
      }
      return r;
    });
  }

  /**
   * Core's `ProcessNewPackage`: with `testAccept`, the transactions checked together (testmempoolaccept);
   * otherwise a child with its parents (submitpackage): each transaction alone first, then those that failed
   * only for fees (or waited for such a parent) together at the package feerate.
   */
  async acceptPackage(
    txs: readonly Transaction[],
    options: { testAccept: boolean; maxFeeRate?: FeeRate },
  ): Promise<PackageAcceptResult> {
    await this.ready();
    return await this.#chain.withLock(async (coins) => {
      const acceptTime = this.#now();
      if (options.testAccept) {
        return await this.#accept(coins).acceptMultiple(txs, {
          acceptTime,
          testAccept: true,
          allowReplacement: false,
          maxFeeRate: options.maxFeeRate,
        });
      }
      return await this.#acceptChildWithParents(txs, acceptTime, coins, options.maxFeeRate);
    });
  }

  /**
   * Core's `AcceptPackage`: transactions already in the pool are taken as they are; every other one is tried
   * alone; those that failed only for fees or missing inputs (a parent waiting in the package) are then tried
   * together at the package feerate, unless one failed for another reason; finally the pool is trimmed and any
   * package transaction it evicted reports "mempool full".
   */
  async #acceptChildWithParents(
    txs: readonly Transaction[],
    acceptTime: number,
    coins: (o: OutPoint) => Promise<ChainCoin | null>,
    maxFeeRate: FeeRate | undefined,
  ): Promise<PackageAcceptResult> {
    const empty = new Map<string, MempoolAcceptResult>();
    const shape = isWellFormedPackage(txs);
    if (!shape.valid) return { state: shape, results: empty };
    if (txs.length > 1 && !isChildWithParents(txs)) {
      return {
        state: { valid: false, result: "PCKG_POLICY", reason: "package-not-child-with-parents" },
        results: empty,
      };
    }
    const final = new Map<string, MempoolAcceptResult>();
    const individual = new Map<string, MempoolAcceptResult>();
    const packageEval: Transaction[] = [];
    let quitEarly = false;
    for (const tx of txs) {
      const id = reverseHex(txidOf(tx));
      const wid = reverseHex(wtxidOf(tx));
      const existing = this.pool.get(id);
      if (existing !== undefined) {
        final.set(wid, {
          valid: true,
          txid: id,
          wtxid: wid,
          vsize: existing.vsize,
          baseFee: existing.fee,
          effectiveFeeRate: FeeRate.fromFee(existing.modifiedFee, existing.vsize),
          effectiveIncludes: [existing.wtxidHex],
          replaced: [],
          alreadyInMempool: true,
          otherWtxid: existing.wtxidHex !== wid ? existing.wtxidHex : undefined,
        });
        continue;
      }
      const r = await this.#accept(coins).acceptSingle(tx, {
        acceptTime,
        packageSubmission: true,
        maxFeeRate,
      });
      if (r.valid) {
        final.set(wid, r);
      } else if (
        txs.length === 1 || (r.state.result !== "TX_RECONSIDERABLE" && r.state.result !== "TX_MISSING_INPUTS")
      ) {
        // The verdict would not change in a package: keep validating the others individually.
        quitEarly = true;
        individual.set(wid, r);
      } else {
        individual.set(wid, r);
        packageEval.push(tx);
      }
    }
    let state: PackageAcceptResult["state"] = quitEarly
      ? { valid: false, result: "PCKG_TX", reason: "transaction failed" }
      : { valid: true };
    let multi = new Map<string, MempoolAcceptResult>();
    if (!quitEarly && packageEval.length > 0) {
      if (packageEval.length === 1) {
        const tx = packageEval[0];
        const r = await this.#accept(coins).acceptSingle(tx, {
          acceptTime,
          packageSubmission: true,
          maxFeeRate,
        });
        multi.set(r.wtxid, r);
        if (!r.valid) state = { valid: false, result: "PCKG_TX", reason: "transaction failed" };
      } else {
        const sub = await this.#accept(coins).acceptMultiple(packageEval, {
          acceptTime,
          packageFeerates: true,
          maxFeeRate,
        });
        multi = sub.results;
        state = sub.state;
      }
    }
    this.#limitSize();
    this.#maybeCheck();
    const mempoolFull = (r: MempoolAcceptResult): MempoolAcceptResult => ({
      valid: false,
      txid: r.txid,
      wtxid: r.wtxid,
      state: { valid: false, result: "TX_MEMPOOL_POLICY", reason: "mempool full" },
    });
    const results = new Map<string, MempoolAcceptResult>();
    for (const tx of txs) {
      const id = reverseHex(txidOf(tx));
      const wid = reverseHex(wtxidOf(tx));
      const fromPackage = multi.get(wid);
      const earlier = final.get(wid);
      if (fromPackage !== undefined) {
        if (fromPackage.valid && this.pool.getByWtxid(wid) === undefined) {
          state = { valid: false, result: "PCKG_TX", reason: "transaction failed" };
          results.set(wid, mempoolFull(fromPackage));
        } else {
          results.set(wid, fromPackage);
        }
      } else if (earlier !== undefined) {
        if (this.pool.get(id) === undefined) {
          state = { valid: false, result: "PCKG_TX", reason: "transaction failed" };
          results.set(wid, mempoolFull(earlier));
        } else {
          results.set(wid, earlier);
        }
      } else {
        const alone = individual.get(wid);
        if (alone !== undefined) results.set(wid, alone);
      }
    }
    return { state, results };
  }

  /** Sets who announces broadcast transactions to peers (the P2P layer's `RelayTransaction`). */
  setAnnouncer(announce: ((txid: string, wtxid: string) => void) | null): void {
    this.#announce = announce;
  }

  /**
   * Core's `BroadcastTransaction` (sendrawtransaction, the wallet): `maxTxFee` 0 means no limit. A transaction
   * already in the mempool is announced again, as Core does.
   */
  async broadcastTransaction(tx: Transaction, maxTxFee: bigint): Promise<BroadcastResult> {
    await this.ready();
    const id = txidOf(tx);
    const txid = reverseHex(id);
    let wtxid = reverseHex(wtxidOf(tx));
    for (let vout = 0; vout < tx.outputs.length; vout++) {
      if (await this.#chain.getCoin({ txid: id, vout }) !== null) {
        return { ok: false, error: "ALREADY_IN_UTXO_SET", message: "" };
      }
    }
    const existing = this.pool.get(txid);
    if (existing !== undefined) {
      wtxid = existing.wtxidHex;
      this.#announce?.(txid, wtxid);
      return { ok: true, txid, wtxid };
    }
    const fail = (r: MempoolAcceptResult): BroadcastResult => {
      if (r.valid) throw new Error("unreachable");
      // It arrived (e.g. relayed by a peer) while this one was being checked: as if it had been there first.
      const arrived = this.pool.get(txid);
      if (arrived !== undefined) {
        this.#announce?.(txid, arrived.wtxidHex);
        return { ok: true, txid, wtxid: arrived.wtxidHex };
      }
      // Core's HandleATMPError: the state's text for every rejection.
      const message = validationStateToString(r.state);
      if (r.state.result === "TX_MISSING_INPUTS") return { ok: false, error: "MISSING_INPUTS", message };
      return { ok: false, error: "MEMPOOL_REJECTED", message };
    };
    if (maxTxFee > 0n) {
      const test = await this.acceptTransaction(tx, { testAccept: true });
      if (!test.valid) return fail(test);
      if (test.baseFee > maxTxFee) return { ok: false, error: "MAX_FEE_EXCEEDED", message: "" };
    }
    const r = await this.acceptTransaction(tx);
    if (!r.valid) return fail(r);
    this.pool.addUnbroadcast(txid);
    this.#announce?.(txid, wtxid);
    return { ok: true, txid, wtxid };
  }

  /**
   * Transactions in mining order with the fee each pays and its chunk's feerate (vsize-based), for block
   * assembly.
   */
  blockCandidates(): { tx: Transaction; fee: bigint; chunk: FeeFrac }[] {
    return this.pool.miningOrder().map(({ entry, chunk }) => ({
      tx: entry.tx,
      fee: entry.fee,
      chunk: toFeePerVSize(chunk),
    }));
  }

  /** A mempool output (spent or not), for RPCs that look at the mempool's coins view. */
  output(outpoint: OutPoint): TxOut | undefined {
    return this.pool.output(outpoint);
  }
}
