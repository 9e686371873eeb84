/**
 * The block checks that need no chain context (Core's `CheckBlockHeader` and `CheckBlock` in validation.cpp),
 * plus the two context-free parts of `ContextualCheckBlock` that a caller runs once it knows whether segwit is
 * active: the witness commitment check (`CheckWitnessMalleation`) and the weight limit.
 *
 * Order matters for the reject reason a block gets, and for whether it may be marked permanently invalid:
 * failures with result "BLOCK_MUTATED" (bad merkle root, duplicated transactions, witness mismatch) mean the
 * block's data does not match its header — the header itself may still be good.
 *
 * @module
 */

import type { ConsensusParams } from "../chain_params.ts";
import { bytesEqual, reverseHex, sha256d } from "../hash/hashes.ts";
import {
  blockMerkleRoot,
  blockWitnessMerkleRoot,
  findWitnessCommitmentIndex,
  NO_WITNESS_COMMITMENT,
} from "../hash/merkle.ts";
import { checkProofOfWork } from "../pow.ts";
import { blockHash, blockStrippedSize, blockWeight } from "../wire/block.ts";
import { hasWitness, isCoinBase, txid, WITNESS_SCALE_FACTOR } from "../wire/transaction.ts";
import type { Block, BlockHeader } from "../wire/types.ts";
import { MAX_BLOCK_SIGOPS_COST, MAX_BLOCK_WEIGHT } from "./consensus.ts";
import { getLegacySigOpCount } from "./sigops.ts";
import { checkSignetBlockSolution } from "./signet.ts";
import { checkTransaction } from "./tx_check.ts";
import { type BlockValidationState, invalid, VALID } from "./validation_state.ts";

/** Options of {@link checkBlockHeader}. */
export interface CheckBlockHeaderOptions {
  /** Check the proof of work (default true; Core's `fCheckPOW`). */
  readonly checkPow?: boolean;
  /** The header's hash, when the caller has it already (saves hashing the header again). */
  readonly hash?: Uint8Array;
}

/**
 * Core's `CheckBlockHeader`: the header's hash must meet its own `bits` target, which must be valid and no easier
 * than the network's `powLimit`; else "high-hash" ("proof of work failed"), result BLOCK_INVALID_HEADER.
 * Whether `bits` is the *right* target for the chain position is a contextual check (not here).
 */
export function checkBlockHeader(
  header: BlockHeader,
  params: Pick<ConsensusParams, "powLimit">,
  options: CheckBlockHeaderOptions = {},
): BlockValidationState {
  if (options.checkPow ?? true) {
    const hash = options.hash ?? blockHash(header);
    if (!checkProofOfWork(hash, header.bits, params)) {
      return invalid("BLOCK_INVALID_HEADER", "high-hash", "proof of work failed");
    }
  }
  return VALID;
}

/** The consensus parameters {@link checkBlock} reads (a network's `ConsensusParams` has them all). */
export type CheckBlockParams = Pick<
  ConsensusParams,
  "powLimit" | "signetBlocks" | "signetChallenge" | "hashGenesisBlock"
>;

/** Options of {@link checkBlock}. */
export interface CheckBlockOptions {
  /** Check the header's proof of work (default true; Core's `fCheckPOW`). */
  readonly checkPow?: boolean;
  /** Check the merkle root and the CVE-2012-2459 mutation (default true; Core's `fCheckMerkleRoot`). */
  readonly checkMerkleRoot?: boolean;
  /**
   * Also apply the weight limit ("bad-blk-weight") after Core's CheckBlock checks (default false). Core checks
   * weight later, in ContextualCheckBlock, *after* the witness commitment: an uncommitted coinbase witness can
   * inflate the weight without changing the block hash, so an over-weight block must not be marked invalid
   * before {@link checkWitnessMalleation} passed. Set it when the witness data is known to be committed (or
   * for a block you built).
   */
  readonly checkWeight?: boolean;
}

/**
 * Core's `CheckBlock` (context-free), in Core's order:
 * 1. the header ({@link checkBlockHeader}: "high-hash"); on signet (with `checkPow`), the block solution
 *    ("bad-signet-blksig"; signet.ts);
 * 2. the merkle root: "bad-txnmrklroot" (mismatch) and "bad-txns-duplicate" (CVE-2012-2459 mutation), both
 *    BLOCK_MUTATED;
 * 3. size: "bad-blk-length" when there are no transactions, or transactions × 4 or the serialization without
 *    witnesses × 4 exceed MAX_BLOCK_WEIGHT;
 * 4. "bad-cb-missing" (first transaction not a coinbase), "bad-cb-multiple" (another coinbase);
 * 5. every transaction's {@link checkTransaction} (its reason; debug "Transaction check failed (tx hash …)");
 * 6. legacy sigops × 4 above MAX_BLOCK_SIGOPS_COST: "bad-blk-sigops";
 * 7. only with `checkWeight`: {@link checkBlockWeight}.
 *
 * Not checked here: the witness commitment ({@link checkWitnessMalleation}) and anything that needs the chain
 * (difficulty, time, BIP34 height, finality, UTXOs).
 */
export function checkBlock(
  block: Block,
  params: CheckBlockParams,
  options: CheckBlockOptions = {},
): BlockValidationState {
  const checkPow = options.checkPow ?? true;
  const header = checkBlockHeader(block.header, params, { checkPow });
  if (!header.valid) return header;

  if (params.signetBlocks && checkPow && !checkSignetBlockSolution(block, params)) {
    return invalid("BLOCK_CONSENSUS", "bad-signet-blksig", "signet block signature validation failure");
  }

  if (options.checkMerkleRoot ?? true) {
    const { root, mutated } = blockMerkleRoot(block);
    if (!bytesEqual(root, block.header.merkleRoot)) {
      return invalid("BLOCK_MUTATED", "bad-txnmrklroot", "hashMerkleRoot mismatch");
    }
    if (mutated) return invalid("BLOCK_MUTATED", "bad-txns-duplicate", "duplicate transaction");
  }

  const n = block.txs.length;
  if (
    n === 0 || n * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT ||
    blockStrippedSize(block) * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT
  ) {
    return invalid("BLOCK_CONSENSUS", "bad-blk-length", "size limits failed");
  }

  if (!isCoinBase(block.txs[0])) {
    return invalid("BLOCK_CONSENSUS", "bad-cb-missing", "first tx is not coinbase");
  }
  for (let i = 1; i < n; i++) {
    if (isCoinBase(block.txs[i])) {
      return invalid("BLOCK_CONSENSUS", "bad-cb-multiple", "more than one coinbase");
    }
  }

  for (const tx of block.txs) {
    const state = checkTransaction(tx);
    if (!state.valid) {
      const detail = state.debug === undefined ? "" : ` ${state.debug}`;
      return invalid(
        "BLOCK_CONSENSUS",
        state.reason,
        `Transaction check failed (tx hash ${reverseHex(txid(tx))})${detail}`,
      );
    }
  }

  // Underestimates: P2SH and witness sigops are counted when the block is connected (they need the UTXOs).
  let sigops = 0;
  for (const tx of block.txs) sigops += getLegacySigOpCount(tx);
  if (sigops * WITNESS_SCALE_FACTOR > MAX_BLOCK_SIGOPS_COST) {
    return invalid("BLOCK_CONSENSUS", "bad-blk-sigops", "out-of-bounds SigOpCount");
  }

  if (options.checkWeight ?? false) return checkBlockWeight(block);
  return VALID;
}

/** The weight limit of ContextualCheckBlock: BIP141 weight above MAX_BLOCK_WEIGHT is "bad-blk-weight". */
export function checkBlockWeight(block: Block): BlockValidationState {
  if (blockWeight(block) > MAX_BLOCK_WEIGHT) {
    return invalid("BLOCK_CONSENSUS", "bad-blk-weight", "ContextualCheckBlock : weight limit failed");
  }
  return VALID;
}

/**
 * Core's `CheckWitnessMalleation`. When `expectWitnessCommitment` (segwit active for this block) and the
 * coinbase has a commitment output: the coinbase's first input must have exactly one 32-byte witness item
 * ("bad-witness-nonce-size"), and SHA-256d(witness merkle root ‖ that item) must equal the commitment
 * ("bad-witness-merkle-match"). Otherwise no transaction may have witness data ("unexpected-witness"). All
 * failures are BLOCK_MUTATED. Call it after {@link checkBlock} passed (which guarantees a coinbase).
 */
export function checkWitnessMalleation(block: Block, expectWitnessCommitment: boolean): BlockValidationState {
  if (expectWitnessCommitment) {
    const pos = findWitnessCommitmentIndex(block);
    if (pos !== NO_WITNESS_COMMITMENT) {
      const stack = block.txs[0].inputs[0]?.witness ?? [];
      if (stack.length !== 1 || stack[0].length !== 32) {
        return invalid(
          "BLOCK_MUTATED",
          "bad-witness-nonce-size",
          "CheckWitnessMalleation : invalid witness reserved value size",
        );
      }
      const buf = new Uint8Array(64);
      buf.set(blockWitnessMerkleRoot(block));
      buf.set(stack[0], 32);
      const commitment = block.txs[0].outputs[pos].scriptPubKey.subarray(6, 38);
      if (!bytesEqual(sha256d(buf), commitment)) {
        return invalid(
          "BLOCK_MUTATED",
          "bad-witness-merkle-match",
          "CheckWitnessMalleation : witness merkle commitment mismatch",
        );
      }
      return VALID;
    }
  }
  for (const tx of block.txs) {
    if (hasWitness(tx)) {
      return invalid(
        "BLOCK_MUTATED",
        "unexpected-witness",
        "CheckWitnessMalleation : unexpected witness data found",
      );
    }
  }
  return VALID;
}
