/**
 * Merkle roots (Core's `consensus/merkle.cpp`): the transaction tree with the CVE-2012-2459 mutation check,
 * the BIP141 witness tree (coinbase wtxid taken as zero), and the coinbase witness commitment.
 *
 * @module
 */

import { txid, wtxid } from "../wire/transaction.ts";
import type { Block } from "../wire/types.ts";
import { sha256d } from "./hashes.ts";
import { sha256dPairInto } from "./sha256.ts";

/** A merkle root and whether the tree was mutated (CVE-2012-2459). */
export interface MerkleRootResult {
  /** The root, 32 bytes (all zero for an empty list, as Core). */
  readonly root: Uint8Array;
  /**
   * True if at some level two identical hashes were paired (excluding the duplication of a lone last
   * hash): the leaf list can be altered (duplicated tail) without changing the root, so a block with this
   * property must be treated as having a bad merkle root (Core: `bad-txns-duplicate`).
   */
  readonly mutated: boolean;
}

/**
 * Core's `ComputeMerkleRoot`: pairs hashes level by level with SHA-256d, duplicating the last hash of an odd
 * level, and reports whether any level paired two identical hashes.
 */
export function merkleRoot(hashes: readonly Uint8Array[]): MerkleRootResult {
  const n = hashes.length;
  if (n === 0) return { root: new Uint8Array(32), mutated: false };
  const buf = new Uint8Array(32 * (n + (n & 1)));
  for (let i = 0; i < n; i++) {
    if (hashes[i].length !== 32) {
      throw new RangeError(`Cannot compute merkle root: hash ${i} is not 32 bytes`);
    }
    buf.set(hashes[i], 32 * i);
  }
  let mutated = false;
  let width = n;
  while (width > 1) {
    for (let pos = 0; pos + 1 < width; pos += 2) {
      if (!mutated && equal32(buf, 32 * pos, 32 * (pos + 1))) mutated = true;
    }
    if (width & 1) {
      buf.copyWithin(32 * width, 32 * (width - 1), 32 * width);
      width++;
    }
    const half = width / 2;
    for (let i = 0; i < half; i++) sha256dPairInto(buf, 64 * i, buf, 64 * i + 32, buf, 32 * i);
    width = half;
  }
  return { root: buf.slice(0, 32), mutated };
}

function equal32(buf: Uint8Array, a: number, b: number): boolean {
  for (let i = 0; i < 32; i++) if (buf[a + i] !== buf[b + i]) return false;
  return true;
}

/** SHA-256d of two 32-byte hashes concatenated: one merkle node (Core's `Hash(left, right)`). */
export function merkleHashPair(left: Uint8Array, right: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  sha256dPairInto(left, 0, right, 0, out, 0);
  return out;
}

/** Core's `BlockMerkleRoot`: the merkle root of the block's txids, with the mutation flag. */
export function blockMerkleRoot(block: Block): MerkleRootResult {
  return merkleRoot(block.txs.map(txid));
}

/** Core's `BlockWitnessMerkleRoot`: the merkle root of the wtxids, the coinbase's taken as zero. */
export function blockWitnessMerkleRoot(block: Block): Uint8Array {
  const leaves: Uint8Array[] = [new Uint8Array(32)];
  for (let i = 1; i < block.txs.length; i++) leaves.push(wtxid(block.txs[i]));
  return merkleRoot(leaves).root;
}

/** Core's `NO_WITNESS_COMMITMENT`. */
export const NO_WITNESS_COMMITMENT = -1;
/** Core's `MINIMUM_WITNESS_COMMITMENT`: size of the commitment output script. */
export const MINIMUM_WITNESS_COMMITMENT = 38;
/** Start of a witness commitment script: OP_RETURN, push 36, then the BIP141 header `aa21a9ed`. */
export const WITNESS_COMMITMENT_HEADER: Uint8Array = Uint8Array.of(0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed);

/**
 * Core's `GetWitnessCommitmentIndex`: the index of the LAST coinbase output whose script is at least 38 bytes
 * and starts with `6a24aa21a9ed`, or {@link NO_WITNESS_COMMITMENT} (-1).
 */
export function findWitnessCommitmentIndex(block: Block): number {
  let pos = NO_WITNESS_COMMITMENT;
  if (block.txs.length === 0) return pos;
  const outputs = block.txs[0].outputs;
  for (let o = 0; o < outputs.length; o++) {
    const s = outputs[o].scriptPubKey;
    if (s.length < MINIMUM_WITNESS_COMMITMENT) continue;
    let match = true;
    for (let i = 0; i < WITNESS_COMMITMENT_HEADER.length; i++) {
      if (s[i] !== WITNESS_COMMITMENT_HEADER[i]) {
        match = false;
        break;
      }
    }
    if (match) pos = o;
  }
  return pos;
}

/**
 * The BIP141 commitment: SHA-256d(witness merkle root || witness reserved value), the reserved value being the
 * coinbase input's single 32-byte witness item (`nonce`; Core's miner uses 32 zero bytes).
 */
export function witnessCommitment(
  witnessRoot: Uint8Array,
  nonce: Uint8Array = new Uint8Array(32),
): Uint8Array {
  if (witnessRoot.length !== 32 || nonce.length !== 32) {
    throw new RangeError("Cannot compute witness commitment: root and nonce must be 32 bytes");
  }
  const buf = new Uint8Array(64);
  buf.set(witnessRoot);
  buf.set(nonce, 32);
  return sha256d(buf);
}

/**
 * The 38-byte coinbase output script committing to `witnessRoot` with `nonce` (as Core's
 * `GenerateCoinbaseCommitment`): `6a24aa21a9ed` followed by {@link witnessCommitment}.
 */
export function witnessCommitmentScript(
  witnessRoot: Uint8Array,
  nonce: Uint8Array = new Uint8Array(32),
): Uint8Array {
  const script = new Uint8Array(MINIMUM_WITNESS_COMMITMENT);
  script.set(WITNESS_COMMITMENT_HEADER);
  script.set(witnessCommitment(witnessRoot, nonce), WITNESS_COMMITMENT_HEADER.length);
  return script;
}
