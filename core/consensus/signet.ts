/**
 * Signet block solutions (BIP325; Core's signet.cpp): on signet, every block's coinbase carries, in its witness
 * commitment output, a solution (scriptSig and witness) to the network's challenge script, signing the block
 * (without the solution) through a virtual "to_spend"/"to_sign" transaction pair. CheckBlock rejects a block
 * whose solution does not satisfy the challenge ("bad-signet-blksig").
 *
 * @module
 */

import type { ConsensusParams } from "../chain_params.ts";
import { bytesEqual, fromReverseHex } from "../hash/hashes.ts";
import { findWitnessCommitmentIndex, merkleRoot, NO_WITNESS_COMMITMENT } from "../hash/merkle.ts";
import {
  SCRIPT_VERIFY_DERSIG,
  SCRIPT_VERIFY_NULLDUMMY,
  SCRIPT_VERIFY_P2SH,
  SCRIPT_VERIFY_WITNESS,
} from "../script/flags.ts";
import { verifyScript } from "../script/interpreter.ts";
import { OP_0, OP_RETURN } from "../script/opcodes.ts";
import { pushData, ScriptCursor } from "../script/script.ts";
import { PrecomputedTransactionData } from "../script/sighash.ts";
import { TransactionSignatureChecker } from "../script/tx_checker.ts";
import { blockHash } from "../wire/block.ts";
import { NULL_OUTPOINT } from "../wire/outpoint.ts";
import { ByteReader } from "../wire/reader.ts";
import { txid } from "../wire/transaction.ts";
import type { Block, Transaction } from "../wire/types.ts";
import { concatBytes } from "@noble/hashes/utils.js";

/** The 4 bytes that start the signet solution push in the witness commitment script (Core's `SIGNET_HEADER`). */
export const SIGNET_HEADER: Uint8Array = Uint8Array.of(0xec, 0xc7, 0xda, 0xa2);

/** Flags the signet solution is verified with (Core's signet `BLOCK_SCRIPT_VERIFY_FLAGS`). */
export const SIGNET_SCRIPT_VERIFY_FLAGS = SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS | SCRIPT_VERIFY_DERSIG |
  SCRIPT_VERIFY_NULLDUMMY;

/**
 * Core's `FetchAndClearCommitmentSection`: finds the first push in `script` longer than `header` that starts
 * with it; returns the bytes after the header and the script rebuilt with that push cut to the header (as Core
 * rebuilds it: pushes re-encoded, other opcodes copied, parsing stops at a truncated push). Null when there is
 * no such push.
 */
export function fetchAndClearCommitmentSection(
  header: Uint8Array,
  script: Uint8Array,
): { readonly section: Uint8Array; readonly script: Uint8Array } | null {
  const parts: Uint8Array[] = [];
  let section: Uint8Array | null = null;
  const c = new ScriptCursor(script);
  while (c.next()) {
    let data = c.data;
    if (data.length > 0) {
      if (
        section === null && data.length > header.length && bytesEqual(data.subarray(0, header.length), header)
      ) {
        section = data.slice(header.length);
        data = data.subarray(0, header.length);
      }
      parts.push(pushData(data));
    } else {
      parts.push(Uint8Array.of(c.opcode));
    }
  }
  return section === null ? null : { section, script: concatBytes(...parts) };
}

/** The virtual transactions of a signet block (Core's `SignetTxs`). */
export interface SignetTxs {
  /** Spends nothing; its output 0 (value 0) is locked by the challenge; its scriptSig commits to the block. */
  readonly toSpend: Transaction;
  /** Spends `toSpend`:0 with the block's solution; one OP_RETURN output. */
  readonly toSign: Transaction;
}

/**
 * Core's `SignetTxs::Create`: the virtual transactions for `block` and `challenge`, or null when the block has
 * no coinbase or no witness commitment, or its solution does not parse (a scriptSig and a witness stack with
 * nothing after them). A block without a solution push gets an empty solution (for trivial challenges such as
 * OP_TRUE). The block is committed to by version, previous hash, time and the merkle root computed with the
 * solution cut from the coinbase.
 */
export function signetTxs(block: Block, challenge: Uint8Array): SignetTxs | null {
  if (block.txs.length === 0) return null;
  const pos = findWitnessCommitmentIndex(block);
  if (pos === NO_WITNESS_COMMITMENT) return null;
  const coinbase = block.txs[0];
  let scriptSig: Uint8Array = new Uint8Array(0);
  let witness: Uint8Array[] = [];
  let modified = coinbase;
  const found = fetchAndClearCommitmentSection(SIGNET_HEADER, coinbase.outputs[pos].scriptPubKey);
  if (found !== null) {
    try {
      const r = new ByteReader(found.section, "signet solution");
      scriptSig = r.varBytes();
      const n = r.compactSize();
      witness = [];
      for (let i = 0; i < n; i++) witness.push(r.varBytes());
      if (r.remaining !== 0) return null;
    } catch {
      return null;
    }
    const outputs = coinbase.outputs.map((o, i) => (i === pos ? { ...o, scriptPubKey: found.script } : o));
    modified = { ...coinbase, outputs };
  }
  const leaves = block.txs.map((tx, i) => (i === 0 ? txid(modified) : txid(tx)));
  const signetMerkle = merkleRoot(leaves).root;

  const blockData = new Uint8Array(72);
  const view = new DataView(blockData.buffer);
  view.setInt32(0, block.header.version, true);
  blockData.set(block.header.prevBlock, 4);
  blockData.set(signetMerkle, 36);
  view.setUint32(68, block.header.time >>> 0, true);

  const toSpend: Transaction = {
    version: 0,
    inputs: [{
      prevout: NULL_OUTPOINT,
      scriptSig: concatBytes(Uint8Array.of(OP_0), pushData(blockData)),
      sequence: 0,
      witness: [],
    }],
    outputs: [{ value: 0n, scriptPubKey: challenge }],
    locktime: 0,
  };
  const toSign: Transaction = {
    version: 0,
    inputs: [{ prevout: { txid: txid(toSpend), vout: 0 }, scriptSig, sequence: 0, witness }],
    outputs: [{ value: 0n, scriptPubKey: Uint8Array.of(OP_RETURN) }],
    locktime: 0,
  };
  return { toSpend, toSign };
}

/**
 * Core's `CheckSignetBlockSolution`: the genesis block passes; otherwise the block's solution must satisfy
 * `params.signetChallenge` (verified with {@link SIGNET_SCRIPT_VERIFY_FLAGS}). False for any failure.
 */
export function checkSignetBlockSolution(
  block: Block,
  params: Pick<ConsensusParams, "hashGenesisBlock" | "signetChallenge">,
): boolean {
  if (bytesEqual(blockHash(block.header), fromReverseHex(params.hashGenesisBlock))) return true;
  const txs = signetTxs(block, params.signetChallenge);
  if (txs === null) return false;
  const spent = txs.toSpend.outputs[0];
  const precomputed = new PrecomputedTransactionData(txs.toSign, [spent]);
  const checker = new TransactionSignatureChecker({
    tx: txs.toSign,
    inputIndex: 0,
    amount: spent.value,
    precomputed,
  });
  const input = txs.toSign.inputs[0];
  return verifyScript(
    input.scriptSig,
    spent.scriptPubKey,
    input.witness,
    SIGNET_SCRIPT_VERIFY_FLAGS,
    checker,
  ) === null;
}
