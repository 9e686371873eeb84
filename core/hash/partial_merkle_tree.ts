/**
 * Partial merkle trees and merkle blocks (Core's `CPartialMerkleTree`, `CMerkleBlock`; BIP37): a compact proof
 * that some txids are in a block, as returned by `gettxoutproof` and checked by `verifytxoutproof`.
 *
 * The tree is walked depth first. Each node visited contributes one flag bit (is it an ancestor of a matched
 * txid?); nodes that are not, and matched leaves, contribute their hash. Serialized as: uint32 transaction
 * count, compact-size vector of 32-byte hashes, compact-size vector of flag bytes (bits packed least
 * significant first).
 *
 * @module
 */

import { readBlockHeader, writeBlockHeader } from "../wire/block.ts";
import { ByteReader } from "../wire/reader.ts";
import { txid as txidOf } from "../wire/transaction.ts";
import type { Block, BlockHeader } from "../wire/types.ts";
import { ByteWriter } from "../wire/writer.ts";
import { bytesEqual, reverseHex } from "./hashes.ts";
import { merkleHashPair } from "./merkle.ts";

/** Core's `MAX_BLOCK_WEIGHT / MIN_TRANSACTION_WEIGHT`: the most transactions a proof may claim. */
export const MAX_PROOF_TRANSACTIONS = Math.floor(4_000_000 / 240);

/** A partial merkle tree. */
export interface PartialMerkleTree {
  /** Number of transactions in the block. */
  readonly txCount: number;
  /** Hashes in depth-first order, 32 bytes each, internal order. */
  readonly hashes: readonly Uint8Array[];
  /** Flag bits in depth-first order, packed 8 per byte, least significant bit first (as serialized). */
  readonly flags: Uint8Array;
}

/** What {@link extractMatches} finds in a proof. */
export type PartialMerkleMatches =
  | {
    readonly ok: true;
    /** The merkle root the proof commits to (compare it with the block header's). */
    readonly root: Uint8Array;
    /** Matched txids, in block order. */
    readonly matches: readonly Uint8Array[];
    /** Their positions in the block. */
    readonly indexes: readonly number[];
  }
  | {
    readonly ok: false;
    /** Why the proof is malformed. */
    readonly reason: string;
  };

/** Width of the tree level `height` levels above the leaves for `n` transactions (Core's `CalcTreeWidth`). */
function treeWidth(n: number, height: number): number {
  return Math.floor((n + (1 << height) - 1) / 2 ** height);
}

function treeHeight(n: number): number {
  let height = 0;
  while (treeWidth(n, height) > 1) height++;
  return height;
}

/**
 * Builds the partial merkle tree proving the txids whose `matches` entry is true (Core's
 * `CPartialMerkleTree(vTxid, vMatch)`). `txids` must not be empty.
 */
export function buildPartialMerkleTree(
  txids: readonly Uint8Array[],
  matches: readonly boolean[],
): PartialMerkleTree {
  const n = txids.length;
  if (n === 0) throw new RangeError("Cannot build a partial merkle tree: no transactions");
  if (matches.length !== n) {
    throw new RangeError("Cannot build a partial merkle tree: one match flag per txid");
  }
  const height = treeHeight(n);
  // levels[h][pos]: the hash of each node (Core's CalcHash, computed once bottom-up).
  const levels: Uint8Array[][] = [txids.slice()];
  for (let h = 1; h <= height; h++) {
    const below = levels[h - 1];
    const level: Uint8Array[] = [];
    for (let pos = 0; pos < treeWidth(n, h); pos++) {
      const left = below[2 * pos];
      level.push(merkleHashPair(left, 2 * pos + 1 < below.length ? below[2 * pos + 1] : left));
    }
    levels.push(level);
  }
  const bits: boolean[] = [];
  const hashes: Uint8Array[] = [];
  const build = (h: number, pos: number): void => {
    let parentOfMatch = false;
    for (let p = pos * 2 ** h; p < (pos + 1) * 2 ** h && p < n; p++) parentOfMatch ||= matches[p];
    bits.push(parentOfMatch);
    if (h === 0 || !parentOfMatch) {
      hashes.push(levels[h][pos]);
    } else {
      build(h - 1, pos * 2);
      if (pos * 2 + 1 < treeWidth(n, h - 1)) build(h - 1, pos * 2 + 1);
    }
  };
  build(height, 0);
  const flags = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => {
    if (b) flags[i >> 3] |= 1 << (i & 7);
  });
  return { txCount: n, hashes, flags };
}

/**
 * Walks a proof and returns its merkle root and matched txids (Core's `ExtractMatches`), with Core's checks:
 * a transaction count of 0 or above {@link MAX_PROOF_TRANSACTIONS}, more hashes than transactions, fewer flag
 * bits than hashes, running out of bits or hashes, identical left and right branches (CVE-2012-2459), and
 * unconsumed hashes or whole unconsumed flag bytes all make it invalid.
 */
export function extractMatches(tree: PartialMerkleTree): PartialMerkleMatches {
  const n = tree.txCount;
  const bitCount = tree.flags.length * 8;
  if (n === 0) return { ok: false, reason: "no transactions" };
  if (n > MAX_PROOF_TRANSACTIONS) return { ok: false, reason: `too many transactions (${n})` };
  if (tree.hashes.length > n) return { ok: false, reason: "more hashes than transactions" };
  if (bitCount < tree.hashes.length) return { ok: false, reason: "fewer flag bits than hashes" };
  let bitsUsed = 0;
  let hashesUsed = 0;
  let bad = "";
  const matches: Uint8Array[] = [];
  const indexes: number[] = [];
  const zero = new Uint8Array(32);
  const walk = (h: number, pos: number): Uint8Array => {
    if (bitsUsed >= bitCount) {
      bad ||= "ran out of flag bits";
      return zero;
    }
    const parentOfMatch = ((tree.flags[bitsUsed >> 3] >> (bitsUsed & 7)) & 1) === 1;
    bitsUsed++;
    if (h === 0 || !parentOfMatch) {
      if (hashesUsed >= tree.hashes.length) {
        bad ||= "ran out of hashes";
        return zero;
      }
      const hash = tree.hashes[hashesUsed++];
      if (hash.length !== 32) {
        bad ||= "a hash is not 32 bytes";
        return zero;
      }
      if (h === 0 && parentOfMatch) {
        matches.push(hash);
        indexes.push(pos);
      }
      return hash;
    }
    const left = walk(h - 1, pos * 2);
    let right = left;
    if (pos * 2 + 1 < treeWidth(n, h - 1)) {
      right = walk(h - 1, pos * 2 + 1);
      if (bytesEqual(left, right)) bad ||= "identical left and right branches";
    }
    return merkleHashPair(left, right);
  };
  const root = walk(treeHeight(n), 0);
  if (bad) return { ok: false, reason: bad };
  if (Math.ceil(bitsUsed / 8) !== tree.flags.length) return { ok: false, reason: "unused flag bytes" };
  if (hashesUsed !== tree.hashes.length) return { ok: false, reason: "unused hashes" };
  return { ok: true, root, matches, indexes };
}

/** Reads a partial merkle tree (hashes and flags are views into the input). */
export function readPartialMerkleTree(r: ByteReader): PartialMerkleTree {
  const txCount = r.u32();
  const n = r.count(32, "hash");
  const hashes: Uint8Array[] = new Array(n);
  for (let i = 0; i < n; i++) hashes[i] = r.bytes(32);
  const flags = r.varBytes();
  return { txCount, hashes, flags };
}

/** Writes a partial merkle tree. */
export function writePartialMerkleTree(w: ByteWriter, tree: PartialMerkleTree): void {
  w.u32(tree.txCount).compactSize(tree.hashes.length);
  for (const h of tree.hashes) {
    if (h.length !== 32) {
      throw new RangeError(`Cannot encode partial merkle tree: a hash is ${h.length} bytes`);
    }
    w.bytes(h);
  }
  w.varBytes(tree.flags);
}

/** Serializes a partial merkle tree. */
export function encodePartialMerkleTree(tree: PartialMerkleTree): Uint8Array {
  const w = new ByteWriter(4 + 9 + 32 * tree.hashes.length + 9 + tree.flags.length);
  writePartialMerkleTree(w, tree);
  return w.finish();
}

/** Decodes a whole partial merkle tree; trailing bytes are an error (throws `DecodeError`). */
export function decodePartialMerkleTree(bytes: Uint8Array): PartialMerkleTree {
  const r = new ByteReader(bytes, "partial merkle tree");
  const tree = readPartialMerkleTree(r);
  r.expectEnd("the flags");
  return tree;
}

/** A merkle block (Core's `CMerkleBlock`): a header and a partial merkle tree of its transactions. */
export interface MerkleBlock {
  /** The block's header. */
  readonly header: BlockHeader;
  /** The proof. */
  readonly tree: PartialMerkleTree;
}

/**
 * Core's `CMerkleBlock(block, txids)` as used by `gettxoutproof`: a proof for the block's transactions whose
 * txid is among `txids` (internal byte order).
 */
export function buildMerkleBlock(block: Block, txids: Iterable<Uint8Array>): MerkleBlock {
  const wanted = new Set<string>();
  for (const t of txids) wanted.add(reverseHex(t));
  const all = block.txs.map(txidOf);
  return {
    header: block.header,
    tree: buildPartialMerkleTree(all, all.map((t) => wanted.has(reverseHex(t)))),
  };
}

/** Reads a merkle block. */
export function readMerkleBlock(r: ByteReader): MerkleBlock {
  const header = readBlockHeader(r);
  return { header, tree: readPartialMerkleTree(r) };
}

/** Writes a merkle block. */
export function writeMerkleBlock(w: ByteWriter, mb: MerkleBlock): void {
  writeBlockHeader(w, mb.header);
  writePartialMerkleTree(w, mb.tree);
}

/** Serializes a merkle block (the `gettxoutproof` result, as bytes). */
export function encodeMerkleBlock(mb: MerkleBlock): Uint8Array {
  const w = new ByteWriter(80 + 4 + 9 + 32 * mb.tree.hashes.length + 9 + mb.tree.flags.length);
  writeMerkleBlock(w, mb);
  return w.finish();
}

/**
 * Decodes a whole merkle block; trailing bytes are an error (Core's `verifytxoutproof` ignores them: use
 * {@link readMerkleBlock} to match that).
 */
export function decodeMerkleBlock(bytes: Uint8Array): MerkleBlock {
  const r = new ByteReader(bytes, "merkle block");
  const mb = readMerkleBlock(r);
  r.expectEnd("the flags");
  return mb;
}
