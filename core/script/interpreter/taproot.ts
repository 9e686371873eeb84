/**
 * BIP341 script tree hashing: tapleaf and tapbranch hashes and the merkle root a control block commits to
 * (Core's `ComputeTapleafHash`, `ComputeTapbranchHash`, `ComputeTaprootMerkleRoot`), plus the control block
 * size constants.
 *
 * @module
 */

import { sha256 } from "@noble/hashes/sha2.js";

/** Mask of the leaf version bits in the control block's first byte. */
export const TAPROOT_LEAF_MASK = 0xfe;
/** Leaf version of BIP342 tapscript. */
export const TAPROOT_LEAF_TAPSCRIPT = 0xc0;
/** Control block size without path: leaf version/parity byte plus the 32-byte internal key. */
export const TAPROOT_CONTROL_BASE_SIZE = 33;
/** Size of one merkle path node. */
export const TAPROOT_CONTROL_NODE_SIZE = 32;
/** Maximum merkle path length. */
export const TAPROOT_CONTROL_MAX_NODE_COUNT = 128;
/** Maximum control block size. */
export const TAPROOT_CONTROL_MAX_SIZE = TAPROOT_CONTROL_BASE_SIZE +
  TAPROOT_CONTROL_NODE_SIZE * TAPROOT_CONTROL_MAX_NODE_COUNT;

type Sha256State = ReturnType<typeof sha256.create>;

/** SHA256 state with `SHA256(tag) || SHA256(tag)` already absorbed (BIP340 tagged hash prefix). */
function taggedState(tag: string): Sha256State {
  const tagHash = sha256(new TextEncoder().encode(tag));
  return sha256.create().update(tagHash).update(tagHash);
}

const TAPLEAF: Sha256State = taggedState("TapLeaf");
const TAPBRANCH: Sha256State = taggedState("TapBranch");

/** Bitcoin's CompactSize encoding of `n` (n < 2^32). */
function compactSize(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >>> 8);
  return Uint8Array.of(0xfe, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
}

/** `TaggedHash("TapLeaf", leafVersion || CompactSize(len) || script)`. */
export function computeTapleafHash(leafVersion: number, script: Uint8Array): Uint8Array {
  return TAPLEAF.clone().update(Uint8Array.of(leafVersion & 0xff)).update(compactSize(script.length)).update(
    script,
  )
    .digest();
}

/** Whether `a` sorts before `b` lexicographically (both 32 bytes). */
function lessThan(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) {
    if (a[i] !== b[i]) return a[i] < b[i];
  }
  return false;
}

/** `TaggedHash("TapBranch", min(a, b) || max(a, b))` of two 32-byte hashes. */
export function computeTapbranchHash(a: Uint8Array, b: Uint8Array): Uint8Array {
  const h = TAPBRANCH.clone();
  if (lessThan(a, b)) h.update(a).update(b);
  else h.update(b).update(a);
  return h.digest();
}

/**
 * The merkle root committed to by `control` (33 + 32k bytes, k ≤ 128 — the caller checks the size) for the leaf
 * `tapleafHash`.
 */
export function computeTaprootMerkleRoot(control: Uint8Array, tapleafHash: Uint8Array): Uint8Array {
  const pathLen = (control.length - TAPROOT_CONTROL_BASE_SIZE) / TAPROOT_CONTROL_NODE_SIZE;
  let k = tapleafHash;
  for (let i = 0; i < pathLen; i++) {
    const start = TAPROOT_CONTROL_BASE_SIZE + TAPROOT_CONTROL_NODE_SIZE * i;
    k = computeTapbranchHash(k, control.subarray(start, start + TAPROOT_CONTROL_NODE_SIZE));
  }
  return k;
}

/** Whether `control` has a valid size: 33 + 32k bytes with k ≤ 128. */
export function isValidControlBlockSize(size: number): boolean {
  return size >= TAPROOT_CONTROL_BASE_SIZE && size <= TAPROOT_CONTROL_MAX_SIZE &&
    (size - TAPROOT_CONTROL_BASE_SIZE) % TAPROOT_CONTROL_NODE_SIZE === 0;
}
