/**
 * Block assembly (Core's `BlockAssembler::CreateNewBlock` in node/miner.cpp): a block template on the active
 * chain's tip from candidate transactions already in package order, with Core's coinbase (BIP34 height push,
 * OP_0 padding up to height 16, nLockTime height-1, sequence 0xfffffffe), the witness commitment when segwit is
 * active, nVersion from version bits, nTime max(minimum time, now) and nBits from the difficulty rules.
 *
 * @module
 */
import type { ChainParams } from "../../core/chain_params.ts";
import { MAX_BLOCK_SIGOPS_COST, MAX_BLOCK_WEIGHT } from "../../core/consensus/mod.ts";
import { getLegacySigOpCount, getTransactionSigOpCost } from "../../core/consensus/sigops.ts";
import {
  blockMerkleRoot,
  blockWitnessMerkleRoot,
  findWitnessCommitmentIndex,
  NO_WITNESS_COMMITMENT,
  witnessCommitmentScript,
} from "../../core/hash/merkle.ts";
import { getBlockSubsidy, getNextWorkRequired, type PowBlock } from "../../core/pow.ts";
import { SCRIPT_VERIFY_P2SH, SCRIPT_VERIFY_WITNESS } from "../../core/script/flags.ts";
import { pushInt } from "../../core/script/script.ts";
import { outPointKey } from "../../core/wire/outpoint.ts";
import {
  transactionVsize,
  transactionWeight,
  txid,
  WITNESS_SCALE_FACTOR,
} from "../../core/wire/transaction.ts";
import type { Block, BlockHeader, Transaction, TxOut } from "../../core/wire/types.ts";
import type { BlockIndexEntry, Chainstate, TransactionWithFee } from "../chain/types.ts";
import type { FeeFrac } from "../policy/feefrac.ts";
import { computeBlockVersion, type ThresholdCache } from "./version_bits.ts";

/** Weight reserved for the header, transaction count and coinbase (`DEFAULT_BLOCK_RESERVED_WEIGHT`). */
export const DEFAULT_BLOCK_RESERVED_WEIGHT = 8000;
/** Default maximum block weight (`DEFAULT_BLOCK_MAX_WEIGHT`). */
export const DEFAULT_BLOCK_MAX_WEIGHT = MAX_BLOCK_WEIGHT;
/** Sigops reserved for the coinbase outputs (`DEFAULT_COINBASE_OUTPUT_MAX_ADDITIONAL_SIGOPS`). */
export const DEFAULT_COINBASE_OUTPUT_MAX_ADDITIONAL_SIGOPS = 400;
/** Default `-blockmintxfee` in satoshis per kvB (`DEFAULT_BLOCK_MIN_TX_FEE`). */
export const DEFAULT_BLOCK_MIN_TX_FEE = 1n;
/** The coinbase input's nSequence (`CTxIn::MAX_SEQUENCE_NONFINAL`). */
export const COINBASE_SEQUENCE = 0xfffffffe;
/** Lock times below this are heights (`LOCKTIME_THRESHOLD`). */
export const LOCKTIME_THRESHOLD = 500_000_000;
/** Seconds a block at a retarget boundary may be earlier than its predecessor (BIP94, `MAX_TIMEWARP`). */
const MAX_TIMEWARP = 600;

/** Options of {@link createNewBlock} (Core's `BlockCreateOptions`). */
export interface BlockAssemblerOptions {
  /** Script the coinbase pays subsidy and fees to. */
  readonly coinbaseOutputScript: Uint8Array;
  /**
   * Candidate transactions with their fees, in package order (parents first), best first; `chunk` is the fee and
   * vsize of the chunk a transaction is mined with (the block minimum feerate applies to it; default the
   * transaction alone).
   */
  readonly transactions?: readonly (TransactionWithFee & { readonly chunk?: FeeFrac })[];
  /** Current time in seconds (mockable; default the system clock). */
  readonly now?: () => number;
  /** Weight reserved for header and coinbase (default {@link DEFAULT_BLOCK_RESERVED_WEIGHT}). */
  readonly blockReservedWeight?: number;
  /** Maximum block weight (default {@link DEFAULT_BLOCK_MAX_WEIGHT}). */
  readonly blockMaxWeight?: number;
  /** Sigop cost reserved for the coinbase (default {@link DEFAULT_COINBASE_OUTPUT_MAX_ADDITIONAL_SIGOPS}). */
  readonly coinbaseOutputMaxAdditionalSigops?: number;
  /** Minimum fee rate of included transactions, sat/kvB (`-blockmintxfee`; default 1). */
  readonly blockMinFeePerKvB?: bigint;
  /** nVersion override (regtest `-blockversion`). */
  readonly blockVersion?: number;
  /** Version-bits state cache to reuse between calls. */
  readonly versionBitsCache?: ThresholdCache;
}

/** An assembled block (Core's `CBlockTemplate`). */
export interface BlockTemplate {
  /** The block, nonce 0, merkle root filled in. */
  readonly block: Block;
  /** Height of the block. */
  readonly height: number;
  /** The tip it builds on. */
  readonly prev: BlockIndexEntry;
  /** Fee of each transaction (the coinbase's entry is minus the total fees, as Core's vTxFees). */
  readonly fees: readonly bigint[];
  /** Sigop cost of each transaction (coinbase first). */
  readonly sigOpsCost: readonly number[];
  /** Total fees of the included transactions. */
  readonly totalFees: bigint;
  /** Block weight counted by the assembler (reserved weight + transactions; Core's m_last_block_weight). */
  readonly assembledWeight: number;
  /** Transactions included, not counting the coinbase (Core's m_last_block_num_txs). */
  readonly txCount: number;
}

/** Core's `IsFinalTx`: whether `tx` may be in a block at `height` with lock-time cutoff `time`. */
export function isFinalTx(tx: Transaction, height: number, time: number): boolean {
  if (tx.locktime === 0) return true;
  if (tx.locktime < (tx.locktime < LOCKTIME_THRESHOLD ? height : time)) return true;
  return tx.inputs.every((i) => i.sequence === 0xffffffff);
}

/** Core's `GetMinimumTime`: MTP + 1, and at a retarget boundary no more than MAX_TIMEWARP before the tip. */
export function getMinimumTime(prev: BlockIndexEntry, difficultyAdjustmentInterval: number): number {
  let min = prev.medianTimePast + 1;
  if ((prev.height + 1) % difficultyAdjustmentInterval === 0) {
    min = Math.max(min, prev.header.time - MAX_TIMEWARP);
  }
  return min;
}

function powBlock(e: BlockIndexEntry): PowBlock {
  return { height: e.height, time: e.header.time, bits: e.header.bits };
}

/** Core's `GetNextWorkRequired` for the block after `prev` with time `time`. */
export function nextWorkRequired(
  chain: Pick<Chainstate, "params">,
  prev: BlockIndexEntry,
  time: number,
): number {
  const ancestorOf = (h: number): PowBlock => {
    let e: BlockIndexEntry | null = prev;
    while (e !== null && e.height > h) e = e.prev;
    if (e === null || e.height !== h) throw new RangeError(`Cannot find ancestor at height ${h}`);
    return powBlock(e);
  };
  return getNextWorkRequired(powBlock(prev), time, chain.params.consensus, ancestorOf);
}

/** Core's `CScript() << nHeight` plus OP_0 at heights ≤ 16 (bad-cb-length needs 2 bytes). */
export function coinbaseScriptSig(height: number): Uint8Array {
  const push = pushInt(height);
  if (height > 16) return push;
  const s = new Uint8Array(push.length + 1);
  s.set(push);
  return s;
}

/**
 * Adds the witness commitment output and the 32-byte zero reserved value to the coinbase when segwit is active at
 * the block's height and there is no commitment yet (Core's `GenerateCoinbaseCommitment`); returns the block.
 */
export function generateCoinbaseCommitment(block: Block, height: number, params: ChainParams): Block {
  if (height < params.consensus.segwitHeight) return block;
  if (findWitnessCommitmentIndex(block) !== NO_WITNESS_COMMITMENT) return block;
  const cb = block.txs[0];
  const nonce = new Uint8Array(32);
  const withNonce: Transaction = {
    ...cb,
    inputs: cb.inputs.map((input, i) => i === 0 ? { ...input, witness: [nonce] } : input),
  };
  const tmp: Block = { header: block.header, txs: [withNonce, ...block.txs.slice(1)] };
  const commitment: TxOut = {
    value: 0n,
    scriptPubKey: witnessCommitmentScript(blockWitnessMerkleRoot(tmp), nonce),
  };
  const coinbase: Transaction = { ...withNonce, outputs: [...withNonce.outputs, commitment] };
  return { header: block.header, txs: [coinbase, ...block.txs.slice(1)] };
}

/**
 * Removes the witness commitment output of the coinbase, computes it again for the current transactions and
 * updates the merkle root (Core's `RegenerateCommitments`, used by generateblock).
 */
export function regenerateCommitments(block: Block, height: number, params: ChainParams): Block {
  const cb = block.txs[0];
  const pos = findWitnessCommitmentIndex(block);
  const stripped: Transaction = pos === NO_WITNESS_COMMITMENT
    ? cb
    : { ...cb, outputs: cb.outputs.filter((_, i) => i !== pos) };
  const b = generateCoinbaseCommitment(
    { header: block.header, txs: [stripped, ...block.txs.slice(1)] },
    height,
    params,
  );
  return { header: { ...b.header, merkleRoot: blockMerkleRoot(b).root }, txs: b.txs };
}

/**
 * Core's `CreateNewBlock` on `chain`'s tip. Candidates are taken in the given order, each as its own chunk:
 * a transaction is skipped when it would reach the weight or sigop limit, is not final at the new height and the
 * tip's median time past, pays less than `-blockmintxfee`, or spends an output of a skipped transaction.
 * Inputs must be in the UTXO set or created by earlier included candidates (for sigop counting); a candidate
 * whose inputs are missing is skipped too.
 */
export async function createNewBlock(
  chain: Chainstate,
  options: BlockAssemblerOptions,
): Promise<BlockTemplate> {
  const params = chain.params;
  const reserved = options.blockReservedWeight ?? DEFAULT_BLOCK_RESERVED_WEIGHT;
  const maxWeight = Math.max(
    reserved,
    Math.min(options.blockMaxWeight ?? DEFAULT_BLOCK_MAX_WEIGHT, MAX_BLOCK_WEIGHT),
  );
  const minFee = options.blockMinFeePerKvB ?? DEFAULT_BLOCK_MIN_TX_FEE;
  let weight = reserved;
  let sigops = options.coinbaseOutputMaxAdditionalSigops ?? DEFAULT_COINBASE_OUTPUT_MAX_ADDITIONAL_SIGOPS;

  const prev = chain.tip();
  const height = prev.height + 1;
  const version = options.blockVersion ??
    computeBlockVersion(prev, params.consensus, options.versionBitsCache);
  const clock = options.now ?? (() => Date.now() / 1000);
  const now = () => Math.floor(clock());
  const lockTimeCutoff = prev.medianTimePast;

  const txs: Transaction[] = [];
  const fees: bigint[] = [];
  const sigopCosts: number[] = [];
  let totalFees = 0n;
  const created = new Map<string, TxOut>();
  const skipped = new Set<string>();
  for (const { tx, fee, chunk } of options.transactions ?? []) {
    const id = txid(tx);
    const idKey = outPointKey({ txid: id, vout: 0 });
    const skip = () => skipped.add(idKey);
    if (tx.inputs.some((i) => skipped.has(outPointKey({ txid: i.prevout.txid, vout: 0 })))) {
      skip();
      continue;
    }
    const rate = chunk ?? { fee, size: transactionVsize(tx) };
    if (rate.fee * 1000n < minFee * BigInt(rate.size)) {
      skip();
      continue;
    }
    const spent: TxOut[] = [];
    for (const input of tx.inputs) {
      const out = created.get(outPointKey(input.prevout)) ?? (await chain.getCoin(input.prevout))?.output;
      if (out === undefined) break;
      spent.push(out);
    }
    if (spent.length !== tx.inputs.length) {
      skip();
      continue;
    }
    const cost = getTransactionSigOpCost(tx, spent, SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS);
    const w = transactionWeight(tx);
    if (
      weight + w >= maxWeight || sigops + cost >= MAX_BLOCK_SIGOPS_COST ||
      !isFinalTx(tx, height, lockTimeCutoff)
    ) {
      skip();
      continue;
    }
    txs.push(tx);
    fees.push(fee);
    sigopCosts.push(cost);
    weight += w;
    sigops += cost;
    totalFees += fee;
    tx.outputs.forEach((out, vout) => created.set(outPointKey({ txid: id, vout }), out));
  }

  const coinbase: Transaction = {
    version: 2,
    inputs: [{
      prevout: { txid: new Uint8Array(32), vout: 0xffffffff },
      scriptSig: coinbaseScriptSig(height),
      sequence: COINBASE_SEQUENCE,
      witness: [],
    }],
    outputs: [{
      value: totalFees + getBlockSubsidy(height, params.consensus),
      scriptPubKey: options.coinbaseOutputScript,
    }],
    locktime: height - 1,
  };
  const header0: BlockHeader = {
    version,
    prevBlock: prev.hash,
    merkleRoot: new Uint8Array(32),
    time: 0,
    bits: 0,
    nonce: 0,
  };
  const withCommitment = generateCoinbaseCommitment(
    { header: header0, txs: [coinbase, ...txs] },
    height,
    params,
  );
  const time = Math.max(getMinimumTime(prev, params.consensus.difficultyAdjustmentInterval), now());
  const header: BlockHeader = {
    ...header0,
    time,
    bits: nextWorkRequired(chain, prev, time),
    merkleRoot: blockMerkleRoot(withCommitment).root,
  };
  return {
    block: { header, txs: withCommitment.txs },
    height,
    prev,
    fees: [-totalFees, ...fees],
    sigOpsCost: [getLegacySigOpCount(withCommitment.txs[0]) * WITNESS_SCALE_FACTOR, ...sigopCosts],
    totalFees,
    assembledWeight: weight,
    txCount: txs.length,
  };
}
