/**
 * A mempool entry (Core's `CTxMemPoolEntry`): the transaction with what the mempool computed when it entered —
 * base fee, sigop cost, sigop-adjusted size, entry time and height — plus its in-mempool parents and children.
 *
 * @module
 */
import { reverseHex } from "../../core/hash/hashes.ts";
import { transactionTotalSize, transactionWeight, txid, wtxid } from "../../core/wire/transaction.ts";
import type { Transaction } from "../../core/wire/types.ts";
import { getSigOpsAdjustedWeight, getVirtualTransactionSize } from "../policy/policy.ts";

/** What the mempool knows of a transaction when it accepts it. */
export interface MempoolEntryInit {
  /** The transaction. */
  readonly tx: Transaction;
  /** Its fee (inputs minus outputs), satoshis. */
  readonly fee: bigint;
  /** Entry time, seconds. */
  readonly time: number;
  /** Height of the tip when it entered. */
  readonly height: number;
  /** Whether it spends a coinbase output (re-checked for maturity after a reorg). */
  readonly spendsCoinbase: boolean;
  /** Sigop cost with the standard flags. */
  readonly sigOpCost: number;
  /** -bytespersigop, for the sigop-adjusted size. */
  readonly bytesPerSigOp: number;
  /** Core's entry sequence (0 for transactions returning from disconnected blocks). */
  readonly sequence: number;
}

/**
 * An estimate of the memory an entry holds (Core's `DynamicMemoryUsage` of the transaction, the entry and its
 * index nodes): the serialized size with per-input, per-output and per-witness-item object overhead, plus a
 * fixed cost for the entry and the pool's maps. It drives -maxmempool and getmempoolinfo's `usage`.
 */
export function estimateEntryUsage(tx: Transaction): number {
  let usage = 400 + transactionTotalSize(tx);
  for (const input of tx.inputs) usage += 96 + input.witness.length * 32;
  usage += tx.outputs.length * 48;
  return usage;
}

/** A transaction in the mempool. */
export class MempoolEntry {
  /** The transaction. */
  readonly tx: Transaction;
  /** Txid, internal byte order. */
  readonly txid: Uint8Array;
  /** Txid in display hex. */
  readonly txidHex: string;
  /** Wtxid in display hex. */
  readonly wtxidHex: string;
  /** Base fee, satoshis. */
  readonly fee: bigint;
  /** Weight. */
  readonly weight: number;
  /** Sigop cost (standard flags). */
  readonly sigOpCost: number;
  /** Sigop-adjusted weight (Core's txgraph size). */
  readonly adjustedWeight: number;
  /** Sigop-adjusted virtual size (Core's `GetTxSize`, the `vsize` of mempool RPCs). */
  readonly vsize: number;
  /** Entry time, seconds. */
  readonly time: number;
  /** Tip height when it entered. */
  readonly height: number;
  /** Spends a coinbase output. */
  readonly spendsCoinbase: boolean;
  /** Entry sequence. */
  readonly sequence: number;
  /** Estimated memory use. */
  readonly usage: number;
  /** In-mempool transactions it spends from. */
  readonly parents: Set<MempoolEntry> = new Set();
  /** In-mempool transactions spending from it. */
  readonly children: Set<MempoolEntry> = new Set();
  /** prioritisetransaction delta applied to the fee. */
  feeDelta = 0n;
  /**
   * Entered alone, with limits (not from a disconnected block, not in a package) and with no mempool parent:
   * what the fee estimator may learn from (Core's `validForFeeEstimation`, less the IBD part).
   */
  validForFeeEstimation = false;

  constructor(init: MempoolEntryInit) {
    this.tx = init.tx;
    this.txid = txid(init.tx);
    this.txidHex = reverseHex(this.txid);
    this.wtxidHex = reverseHex(wtxid(init.tx));
    this.fee = init.fee;
    this.weight = transactionWeight(init.tx);
    this.sigOpCost = init.sigOpCost;
    this.adjustedWeight = getSigOpsAdjustedWeight(this.weight, init.sigOpCost, init.bytesPerSigOp);
    this.vsize = getVirtualTransactionSize(this.weight, init.sigOpCost, init.bytesPerSigOp);
    this.time = init.time;
    this.height = init.height;
    this.spendsCoinbase = init.spendsCoinbase;
    this.sequence = init.sequence;
    this.usage = estimateEntryUsage(init.tx);
  }

  /** Fee plus the prioritisation delta (Core's `GetModifiedFee`). */
  get modifiedFee(): bigint {
    return this.fee + this.feeDelta;
  }
}
