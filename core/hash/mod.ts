/**
 * Bitcoin's hashes and merkle trees: SHA-256, SHA-256d, HASH160, BIP340 tagged hashes, hex helpers, merkle roots
 * with the CVE-2012-2459 mutation check, the witness commitment, partial merkle trees and merkle blocks.
 *
 * @module
 */
export {
  bytesEqual,
  compareBytes,
  fromHex,
  fromReverseHex,
  hash160,
  isZeroHash,
  reverseHex,
  Sha256,
  sha256,
  sha256d,
  sha256dRanges,
  taggedHash,
  taggedHasher,
  toHex,
  ZERO_HASH,
} from "./hashes.ts";
export {
  blockMerkleRoot,
  blockWitnessMerkleRoot,
  findWitnessCommitmentIndex,
  merkleHashPair,
  merkleRoot,
  MINIMUM_WITNESS_COMMITMENT,
  NO_WITNESS_COMMITMENT,
  WITNESS_COMMITMENT_HEADER,
  witnessCommitment,
  witnessCommitmentScript,
} from "./merkle.ts";
export type { MerkleRootResult } from "./merkle.ts";
export {
  buildMerkleBlock,
  buildPartialMerkleTree,
  decodeMerkleBlock,
  decodePartialMerkleTree,
  encodeMerkleBlock,
  encodePartialMerkleTree,
  extractMatches,
  MAX_PROOF_TRANSACTIONS,
  readMerkleBlock,
  readPartialMerkleTree,
  writeMerkleBlock,
  writePartialMerkleTree,
} from "./partial_merkle_tree.ts";
export type { MerkleBlock, PartialMerkleMatches, PartialMerkleTree } from "./partial_merkle_tree.ts";
export {
  MuHash3072,
  MUHASH_BYTE_SIZE,
  MUHASH_MAX_PRIME_DIFF,
  MUHASH_MODULUS,
  muhashElement,
} from "./muhash.ts";
