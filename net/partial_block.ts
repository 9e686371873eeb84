/**
 * Compact block reconstruction (Core's `PartiallyDownloadedBlock`): place the prefilled transactions, match the
 * short ids against candidate transactions (the mempool, then extra transactions such as recent orphans), list
 * the indexes still missing (for `getblocktxn`), then fill them from `blocktxn` and check the result is not a
 * mutated block (a short id collision would show as one).
 *
 * Statuses are Core's `ReadStatus`: `invalid` (the peer sent something impossible: Core calls it misbehaviour,
 * "invalid compact block"), `failed` (ours or bad luck, e.g. a short id collision: fall back to a full block
 * request), `ok`.
 *
 * @module
 */

import { blockMerkleRoot } from "../core/hash/merkle.ts";
import { bytesEqual } from "../core/hash/hashes.ts";
import { checkWitnessMalleation } from "../core/consensus/block_check.ts";
import { isCoinBase, transactionStrippedSize, wtxid } from "../core/wire/transaction.ts";
import type { Block, BlockHeader, Transaction } from "../core/wire/types.ts";
import { MAX_COMPACT_INDEX, shortIdHasher, shortTxId } from "./compact_blocks.ts";
import type { CompactBlock } from "./compact_blocks.ts";

/** Core's `ReadStatus`. */
export type ReadStatus = "ok" | "invalid" | "failed";

/** Largest transaction count a block can have (`MAX_BLOCK_WEIGHT / MIN_SERIALIZABLE_TRANSACTION_WEIGHT`). */
const MAX_BLOCK_TXS = 4_000_000 / 40;
/** Core gives up (READ_STATUS_FAILED) when short ids cluster this much; we bound equal low 16 bits likewise. */
const MAX_BUCKET = 12;

/**
 * Core's `IsBlockMutated`: merkle root mismatch or CVE-2012-2459 duplication; without a coinbase, any 64-byte
 * transaction; otherwise a witness that the coinbase does not commit to (when `checkWitnessRoot`). `log` gets
 * Core's "Block mutated: …" line.
 */
export function isBlockMutated(
  block: Block,
  checkWitnessRoot: boolean,
  log?: (msg: string) => void,
): boolean {
  const m = blockMerkleRoot(block);
  if (!bytesEqual(m.root, block.header.merkleRoot)) {
    log?.("Block mutated: bad-txnmrklroot, hashMerkleRoot mismatch");
    return true;
  }
  if (m.mutated) {
    log?.("Block mutated: bad-txns-duplicate, duplicate transaction");
    return true;
  }
  if (block.txs.length === 0 || !isCoinBase(block.txs[0])) {
    return block.txs.some((tx) => transactionStrippedSize(tx) === 64);
  }
  const w = checkWitnessMalleation(block, checkWitnessRoot);
  if (!w.valid) {
    log?.(`Block mutated: ${w.reason}${w.debug === undefined ? "" : `, ${w.debug}`}`);
    return true;
  }
  return false;
}

/** Counters of a reconstruction, as Core logs them. */
export interface ReconstructionCounts {
  readonly prefilled: number;
  /** Found among the candidates (mempool and extra). */
  readonly fromPool: number;
  /** Of those, found among the extra transactions. */
  readonly fromExtra: number;
}

/** A block being rebuilt from a `cmpctblock`. Create it with {@link PartiallyDownloadedBlock.init}. */
export class PartiallyDownloadedBlock {
  /** The block header. */
  readonly header: BlockHeader;
  readonly #txs: (Transaction | undefined)[];
  readonly #counts: { prefilled: number; fromPool: number; fromExtra: number };
  #filled = false;

  private constructor(header: BlockHeader, txs: (Transaction | undefined)[], counts: ReconstructionCounts) {
    this.header = header;
    this.#txs = txs;
    this.#counts = { ...counts };
  }

  /**
   * Core's `InitData`: places prefilled transactions and matches short ids against `pool` (e.g. the mempool's
   * transactions) and then `extra`. Two candidates with the same short id leave that slot missing (it will be
   * requested).
   */
  static init(
    cb: CompactBlock,
    pool: Iterable<Transaction>,
    extra: Iterable<Transaction> = [],
  ): { status: "ok"; block: PartiallyDownloadedBlock } | { status: "invalid" | "failed" } {
    if (cb.header.bits === 0 || (cb.shortIds.length === 0 && cb.prefilled.length === 0)) {
      return { status: "invalid" };
    }
    const total = cb.shortIds.length + cb.prefilled.length;
    if (total > MAX_BLOCK_TXS || total > MAX_COMPACT_INDEX + 1) return { status: "invalid" };
    const txs: (Transaction | undefined)[] = new Array(total).fill(undefined);
    for (let i = 0; i < cb.prefilled.length; i++) {
      const { index, tx } = cb.prefilled[i];
      if (index > cb.shortIds.length + i || tx.inputs.length + tx.outputs.length === 0) {
        return { status: "invalid" };
      }
      txs[index] = tx;
    }
    // short id -> block index of the slots left, in order
    const slots = new Map<number, number>();
    const buckets = new Map<number, number>();
    let offset = 0;
    for (let i = 0; i < cb.shortIds.length; i++) {
      while (txs[i + offset] !== undefined) offset++;
      const id = cb.shortIds[i];
      slots.set(id, i + offset);
      const b = (buckets.get(id % 65536) ?? 0) + 1;
      if (b > MAX_BUCKET) return { status: "failed" };
      buckets.set(id % 65536, b);
    }
    if (slots.size !== cb.shortIds.length) return { status: "failed" }; // short id collision
    const hasher = shortIdHasher(cb.header, cb.nonce);
    const have = new Array<boolean>(total).fill(false);
    const fromExtra = new Set<number>();
    let fromPool = 0;
    const consider = (tx: Transaction, isExtra: boolean): boolean => {
      const w = wtxid(tx);
      const at = slots.get(shortTxId(hasher, w));
      if (at === undefined) return false;
      if (!have[at]) {
        txs[at] = tx;
        have[at] = true;
        fromPool++;
        if (isExtra) fromExtra.add(at);
      } else {
        const current = txs[at];
        if (current !== undefined && !(isExtra && bytesEqual(wtxid(current), w))) {
          txs[at] = undefined; // two candidates match: request it
          fromPool--;
          fromExtra.delete(at);
        }
      }
      return fromPool === slots.size;
    };
    let done = false;
    for (const tx of pool) if ((done = consider(tx, false))) break;
    if (!done) { for (const tx of extra) if (consider(tx, true)) break; }
    return {
      status: "ok",
      block: new PartiallyDownloadedBlock(cb.header, txs, {
        prefilled: cb.prefilled.length,
        fromPool,
        fromExtra: fromExtra.size,
      }),
    };
  }

  /** How many transactions the block has. */
  get size(): number {
    return this.#txs.length;
  }

  /** Counters as Core logs them. */
  get counts(): ReconstructionCounts {
    return { ...this.#counts };
  }

  /** Whether the transaction at `index` is known (Core's `IsTxAvailable`). */
  isTxAvailable(index: number): boolean {
    return !this.#filled && this.#txs[index] !== undefined;
  }

  /** Indexes still missing, increasing: what a `getblocktxn` asks for. */
  missingIndexes(): number[] {
    const out: number[] = [];
    this.#txs.forEach((tx, i) => {
      if (tx === undefined) out.push(i);
    });
    return out;
  }

  /**
   * Core's `FillBlock`: the missing transactions in order, exactly as many as are missing (else `invalid`); the
   * block must not be mutated (else `failed`: possible short id collision). Can be called once.
   */
  fill(
    missing: readonly Transaction[],
    options: { segwitActive?: boolean; isMutated?: (block: Block, checkWitnessRoot: boolean) => boolean } =
      {},
  ): { status: "ok"; block: Block } | { status: "invalid" | "failed" } {
    if (this.#filled) return { status: "invalid" };
    this.#filled = true;
    let next = 0;
    const txs: Transaction[] = new Array(this.#txs.length);
    for (let i = 0; i < this.#txs.length; i++) {
      const tx = this.#txs[i];
      if (tx !== undefined) {
        txs[i] = tx;
      } else {
        if (next >= missing.length) return { status: "invalid" };
        txs[i] = missing[next++];
      }
    }
    if (next !== missing.length) return { status: "invalid" };
    const block: Block = { header: this.header, txs };
    const mutated = options.isMutated ?? isBlockMutated;
    if (mutated(block, options.segwitActive ?? true)) return { status: "failed" };
    return { status: "ok", block };
  }
}
