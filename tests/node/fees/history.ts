/**
 * Synthetic mempool/block histories for the fee estimator tests: classes of transactions enter the mempool at
 * each tip height and are mined a fixed number of blocks later (or never, then removed after a while).
 *
 * @module
 */
import type { BlockPolicyEstimator, FeeEstimatorTx } from "../../../node/fees/block_policy_estimator.ts";

interface Pending {
  tx: FeeEstimatorTx;
  at: number;
  mined: boolean;
}

/** One kind of transaction in the history. */
export interface TxClass {
  /** Feerate in sat/vB (whole sat/kvB after ×1000). */
  satPerVB: number;
  /** How many enter at each height. */
  perBlock: number;
  /** Blocks until mined (1: the next block); null: never mined, removed after `dropAfter` blocks. */
  confirmAfter: number | null;
  /** For never-mined transactions: blocks in the mempool before `removeTx` (default 10). */
  dropAfter?: number;
}

/** A running history: the tip height, the pending transactions and a txid counter. */
export class History {
  height: number;
  readonly estimator: BlockPolicyEstimator;
  #pending: Pending[] = [];
  #n = 0;

  /** Starts at `height` (processed as a first, empty block so the estimator is at the tip). */
  constructor(estimator: BlockPolicyEstimator, height = 100) {
    this.estimator = estimator;
    this.height = height;
    estimator.processBlock(height, []);
  }

  /** Transactions still in the simulated mempool. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Runs `blocks` blocks: each height gets the classes' new transactions, then the next block connects. */
  run(blocks: number, classes: readonly TxClass[]): void {
    for (let b = 0; b < blocks; b++) {
      for (const c of classes) {
        for (let i = 0; i < c.perBlock; i++) {
          const vsize = 250;
          const tx: FeeEstimatorTx = {
            txid: `tx${this.#n++}`,
            height: this.height,
            fee: BigInt(c.satPerVB * vsize),
            vsize,
          };
          this.estimator.processTransaction(tx, true);
          const at = c.confirmAfter === null
            ? this.height + (c.dropAfter ?? 10)
            : this.height + c.confirmAfter;
          this.#pending.push({ tx, at, mined: c.confirmAfter !== null });
        }
      }
      this.height++;
      const mined: FeeEstimatorTx[] = [];
      const keep: Pending[] = [];
      const dropped: FeeEstimatorTx[] = [];
      for (const p of this.#pending) {
        if (p.at !== this.height) keep.push(p);
        else if (p.mined) mined.push(p.tx);
        else dropped.push(p.tx);
      }
      this.#pending = keep;
      this.estimator.processBlock(this.height, mined);
      for (const tx of dropped) this.estimator.removeTx(tx.txid);
    }
  }
}
