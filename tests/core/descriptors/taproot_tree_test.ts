import { assert, assertEquals } from "../../assert.ts";
import { hex, readVectorJson } from "../vectors.ts";
import { toHex } from "../../../core/hash/hashes.ts";
import {
  buildTaprootTree,
  type TaprootLeafInput,
  taprootOutput,
  taprootTweak,
  validTaprootDepths,
} from "../../../core/descriptors/taproot_tree.ts";
import { parseDescriptor } from "../../../core/descriptors/mod.ts";
import { computeTapleafHash, computeTaprootMerkleRoot } from "../../../core/script/interpreter.ts";

type Leaf = { id: number; script: string; leafVersion: number };
type Tree = Leaf | Tree[];
interface SpkVector {
  given: { internalPubkey: string; scriptTree: Tree | null };
  intermediary: { merkleRoot: string | null; tweak: string; tweakedPubkey: string; leafHashes?: string[] };
  expected: { scriptPubKey: string; bip350Address: string; scriptPathControlBlocks?: string[] };
}

/** The leaves of a BIP341 vector tree in depth-first order, with depths and ids. */
function flatten(tree: Tree | null, depth = 0): Array<TaprootLeafInput & { id: number }> {
  if (tree === null) return [];
  if (Array.isArray(tree)) return tree.flatMap((t) => flatten(t, depth + 1));
  return [{ id: tree.id, depth, script: hex(tree.script), leafVersion: tree.leafVersion }];
}

/** The tree as a descriptor TREE when every leaf is `<32-byte key> OP_CHECKSIG` in tapscript, else undefined. */
function descriptorTree(tree: Tree): string | undefined {
  if (Array.isArray(tree)) {
    const parts = tree.map(descriptorTree);
    return parts.includes(undefined) ? undefined : `{${parts.join(",")}}`;
  }
  const m = /^20([0-9a-f]{64})ac$/.exec(tree.script);
  return m !== null && tree.leafVersion === 0xc0 ? `pk(${m[1]})` : undefined;
}

Deno.test("BIP341 wallet vectors: merkle root, tweak, output key, scriptPubKey and control blocks", async () => {
  const v = await readVectorJson<{ scriptPubKey: SpkVector[] }>("bip341_wallet_vectors.json");
  assertEquals(v.scriptPubKey.length, 7);
  for (const vec of v.scriptPubKey) {
    const leaves = flatten(vec.given.scriptTree);
    const internal = hex(vec.given.internalPubkey);
    const out = taprootOutput(internal, leaves)!;
    assertEquals(out.merkleRoot === null ? null : toHex(out.merkleRoot), vec.intermediary.merkleRoot);
    assertEquals(toHex(taprootTweak(internal, out.merkleRoot)), vec.intermediary.tweak);
    assertEquals(toHex(out.outputKey), vec.intermediary.tweakedPubkey);
    assertEquals("5120" + toHex(out.outputKey), vec.expected.scriptPubKey);
    const blocks = vec.expected.scriptPathControlBlocks ?? [];
    assertEquals(out.leaves.length, blocks.length);
    out.leaves.forEach((leaf, i) => {
      assertEquals(toHex(leaf.controlBlock), blocks[leaves[i].id], `leaf ${leaves[i].id}`);
      // The control block proves the leaf: its path leads to the merkle root.
      const leafHash = computeTapleafHash(leaf.leafVersion, leaf.script);
      assertEquals(toHex(computeTaprootMerkleRoot(leaf.controlBlock, leafHash)), vec.intermediary.merkleRoot);
    });
  }
});

Deno.test("BIP341 wallet vectors as tr() descriptors: every vector whose leaves are pk() gives its address", async () => {
  const v = await readVectorJson<{ scriptPubKey: SpkVector[] }>("bip341_wallet_vectors.json");
  let asDescriptor = 0;
  for (const vec of v.scriptPubKey) {
    const tree = vec.given.scriptTree === null ? "" : descriptorTree(vec.given.scriptTree);
    if (tree === undefined) continue;
    const text = `tr(${vec.given.internalPubkey}${tree === "" ? "" : "," + tree})`;
    const d = parseDescriptor(text, { network: "main" });
    assertEquals(toHex(d.expand(0).scriptPubKeys[0]), vec.expected.scriptPubKey, text);
    assertEquals(d.addressAt(0), vec.expected.bip350Address);
    // The canonical form is the text itself (it round-trips).
    assertEquals(d.toString().split("#")[0], text);
    asDescriptor++;
  }
  assertEquals(asDescriptor, 5);
});

Deno.test("taproot depths: complete trees only (Core's ValidDepths)", () => {
  assert(validTaprootDepths([]));
  assert(validTaprootDepths([0]));
  assert(validTaprootDepths([1, 1]));
  assert(validTaprootDepths([1, 2, 2]));
  assert(validTaprootDepths([2, 2, 1]));
  assert(!validTaprootDepths([1]));
  assert(!validTaprootDepths([0, 0]));
  assert(!validTaprootDepths([1, 1, 1]));
  assert(!validTaprootDepths([2, 1, 2]));
  assert(!validTaprootDepths([129, 129]));
  assert(!validTaprootDepths([-1]));
  assertEquals(buildTaprootTree([{ depth: 1, script: new Uint8Array(), leafVersion: 0xc0 }]), undefined);
  assertEquals(buildTaprootTree([]), { root: null, leaves: [] });
  // A key that is not on the curve has no output.
  assertEquals(taprootOutput(new Uint8Array(32).fill(0xff)), undefined);
});
