/**
 * Taproot output construction (Bitcoin Core's `TaprootBuilder`): leaves given in depth-first order with their
 * depths are combined into the script tree's merkle root, and the internal key tweaked with it (BIP 341). Each
 * leaf keeps its merkle branch, so its control block can be given too.
 *
 * @module
 */
import { taggedHash } from "../hash/hashes.ts";
import {
  computeTapbranchHash,
  computeTapleafHash,
  TAPROOT_CONTROL_MAX_NODE_COUNT,
} from "../script/interpreter.ts";
import { xonlyTweakAdd } from "./ec.ts";

/** A script leaf of a taproot tree, at a depth (0 = the root itself). */
export interface TaprootLeafInput {
  /** Depth in the tree (0 ≤ depth ≤ 128). */
  readonly depth: number;
  /** The leaf script. */
  readonly script: Uint8Array;
  /** Leaf version (0xc0 for tapscript; an even number). */
  readonly leafVersion: number;
}

/** A leaf of a built tree with its merkle branch (the sibling hashes from the leaf up). */
export interface TaprootLeaf extends TaprootLeafInput {
  /** The sibling hashes from the leaf to the root. */
  readonly merkleBranch: readonly Uint8Array[];
}

/** A taproot output: the keys, the tree and each leaf's control block. */
export interface TaprootOutput {
  /** The 32-byte x-only internal key. */
  readonly internalKey: Uint8Array;
  /** The script tree's merkle root, or null for a key-only output. */
  readonly merkleRoot: Uint8Array | null;
  /** The 32-byte x-only output key. */
  readonly outputKey: Uint8Array;
  /** The output key's y parity. */
  readonly parity: 0 | 1;
  /** The leaves in the order given, each with its control block. */
  readonly leaves: ReadonlyArray<TaprootLeaf & { readonly controlBlock: Uint8Array }>;
}

/**
 * Whether `depths` describe a complete binary tree in depth-first order (Core's `TaprootBuilder::ValidDepths`);
 * an empty list (no tree) is valid.
 */
export function validTaprootDepths(depths: readonly number[]): boolean {
  const branch: boolean[] = [];
  for (let depth of depths) {
    if (!Number.isInteger(depth) || depth < 0 || depth > TAPROOT_CONTROL_MAX_NODE_COUNT) return false;
    if (depth + 1 < branch.length) return false;
    while (branch.length > depth && branch[depth]) {
      branch.pop();
      if (depth === 0) return false;
      depth--;
    }
    while (branch.length <= depth) branch.push(false);
    branch[depth] = true;
  }
  return branch.length === 0 || (branch.length === 1 && branch[0]);
}

interface Node {
  hash: Uint8Array;
  leaves: Array<{ index: number; branch: Uint8Array[] }>;
}

/**
 * The merkle root and branches of a tree given as leaves in depth-first order (Core's `TaprootBuilder::Add`
 * sequence): null root for no leaves, undefined when the depths do not form a complete tree.
 */
export function buildTaprootTree(
  leaves: readonly TaprootLeafInput[],
): { root: Uint8Array | null; leaves: TaprootLeaf[] } | undefined {
  if (!validTaprootDepths(leaves.map((l) => l.depth))) return undefined;
  if (leaves.length === 0) return { root: null, leaves: [] };
  const branch: Array<Node | undefined> = [];
  leaves.forEach((leaf, index) => {
    let node: Node = {
      hash: computeTapleafHash(leaf.leafVersion, leaf.script),
      leaves: [{ index, branch: [] }],
    };
    let depth = leaf.depth;
    while (branch.length > depth && branch[depth] !== undefined) {
      const other = branch[depth]!;
      for (const l of node.leaves) l.branch.push(other.hash);
      for (const l of other.leaves) l.branch.push(node.hash);
      node = { hash: computeTapbranchHash(node.hash, other.hash), leaves: [...node.leaves, ...other.leaves] };
      branch.pop();
      depth--;
    }
    while (branch.length <= depth) branch.push(undefined);
    branch[depth] = node;
  });
  const root = branch[0]!;
  const out: TaprootLeaf[] = leaves.map((l) => ({ ...l, merkleBranch: [] }));
  for (const l of root.leaves) out[l.index] = { ...leaves[l.index], merkleBranch: l.branch };
  return { root: root.hash, leaves: out };
}

/** The BIP 341 tweak `TaggedHash("TapTweak", internalKey || merkleRoot)` (root omitted when null). */
export function taprootTweak(internalKey: Uint8Array, merkleRoot: Uint8Array | null): Uint8Array {
  return merkleRoot === null
    ? taggedHash("TapTweak", internalKey)
    : taggedHash("TapTweak", internalKey, merkleRoot);
}

/**
 * The taproot output of an x-only internal key and a tree (leaves in depth-first order with depths), or
 * undefined when the key is not on the curve, the depths do not form a complete tree, or the tweak fails.
 */
export function taprootOutput(
  internalKey: Uint8Array,
  leaves: readonly TaprootLeafInput[] = [],
): TaprootOutput | undefined {
  const tree = buildTaprootTree(leaves);
  if (tree === undefined) return undefined;
  const tweaked = xonlyTweakAdd(internalKey, taprootTweak(internalKey, tree.root));
  if (tweaked === undefined) return undefined;
  return {
    internalKey: internalKey.slice(),
    merkleRoot: tree.root,
    outputKey: tweaked.key,
    parity: tweaked.parity,
    leaves: tree.leaves.map((l) => {
      const controlBlock = new Uint8Array(33 + 32 * l.merkleBranch.length);
      controlBlock[0] = (l.leafVersion & 0xfe) | tweaked.parity;
      controlBlock.set(internalKey, 1);
      l.merkleBranch.forEach((h, i) => controlBlock.set(h, 33 + 32 * i));
      return { ...l, controlBlock };
    }),
  };
}
