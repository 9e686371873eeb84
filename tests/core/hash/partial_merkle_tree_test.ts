import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { fromHex, reverseHex, toHex } from "../../../core/hash/hashes.ts";
import { merkleRoot } from "../../../core/hash/merkle.ts";
import {
  buildMerkleBlock,
  buildPartialMerkleTree,
  decodeMerkleBlock,
  decodePartialMerkleTree,
  encodeMerkleBlock,
  encodePartialMerkleTree,
  extractMatches,
  MAX_PROOF_TRANSACTIONS,
} from "../../../core/hash/partial_merkle_tree.ts";
import type { PartialMerkleTree } from "../../../core/hash/partial_merkle_tree.ts";
import { blockHash } from "../../../core/wire/block.ts";
import { txid } from "../../../core/wire/transaction.ts";
import type { Block, Transaction } from "../../../core/wire/types.ts";
import { readCoreSession } from "../wire/core_session.ts";
import { decodeErrorOf } from "../wire/helpers.ts";

function rng(seed: number): (bits: number) => number {
  let s = seed >>> 0 || 1;
  return (bits) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return bits === 0 ? 0 : s >>> (32 - bits);
  };
}

function dummyTx(locktime: number): Transaction {
  return { version: 1, inputs: [], outputs: [], locktime };
}

const HEADER = {
  version: 1,
  prevBlock: new Uint8Array(32),
  merkleRoot: new Uint8Array(32),
  time: 0,
  bits: 0,
  nonce: 0,
};

Deno.test("partial merkle trees: Core's pmt_test1 (random subsets, serialize, extract, damage)", () => {
  const randbits = rng(1234);
  for (const nTx of [1, 4, 7, 17, 56, 100, 127, 256, 312, 513, 1000, 4095]) {
    const txids = Array.from({ length: nTx }, (_, j) => txid(dummyTx(j)));
    const root1 = merkleRoot(txids).root;
    let height = 1;
    for (let n = nTx; n > 1; n = Math.ceil(n / 2)) height++;
    // Inclusion chances 1, 1/2, 1/4, ..., 1/128.
    for (let att = 1; att < 15; att++) {
      const match = txids.map(() => randbits(att >> 1) === 0);
      const matched1 = txids.filter((_, j) => match[j]);
      const pmt1 = buildPartialMerkleTree(txids, match);
      const bytes = encodePartialMerkleTree(pmt1);
      // Core's size guarantee.
      const n = Math.min(nTx, 1 + matched1.length * height);
      assert(bytes.length <= 10 + Math.floor((258 * n + 7) / 8), `size ${bytes.length} for ${nTx}/${att}`);
      const pmt2 = decodePartialMerkleTree(bytes);
      const got = extractMatches(pmt2);
      assert(got.ok, `${nTx}/${att}: ${got.ok ? "" : got.reason}`);
      assertEquals(got.root, root1);
      assertEquals(got.matches, matched1);
      assertEquals(got.indexes, match.flatMap((m, j) => (m ? [j] : [])));
      // A flipped bit in any hash breaks the authentication.
      for (let k = 0; k < 4; k++) {
        const hashes = pmt2.hashes.map((h) => h.slice());
        const which = randbits(16) % hashes.length;
        const bit = randbits(8);
        hashes[which][bit >> 3] ^= 1 << (bit & 7);
        const damaged = extractMatches({ ...pmt2, hashes });
        assert(!damaged.ok || toHex(damaged.root) !== toHex(root1), `damage ${nTx}/${att}`);
      }
    }
  }
});

Deno.test("partial merkle trees: Core's pmt_malleability (duplicated txids rejected)", () => {
  const id = (n: number) => {
    const h = new Uint8Array(32);
    h[0] = n;
    return h;
  };
  const txids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 9, 10].map(id);
  const match = [false, false, false, false, false, false, false, false, false, true, true, false];
  const tree = buildPartialMerkleTree(txids, match);
  assertEquals(extractMatches(tree), { ok: false, reason: "identical left and right branches" });
});

Deno.test("partial merkle trees: malformed proofs are rejected with Core's checks", () => {
  const txids = Array.from({ length: 7 }, (_, j) => txid(dummyTx(j)));
  const good = buildPartialMerkleTree(txids, [false, false, true, false, false, false, true]);
  assert(extractMatches(good).ok);
  const bad = (t: PartialMerkleTree) => {
    const r = extractMatches(t);
    return r.ok ? "accepted" : r.reason;
  };
  assertEquals(bad({ ...good, txCount: 0 }), "no transactions");
  assertEquals(
    bad({ ...good, txCount: MAX_PROOF_TRANSACTIONS + 1 }),
    `too many transactions (${MAX_PROOF_TRANSACTIONS + 1})`,
  );
  assert(extractMatches({ ...good, txCount: MAX_PROOF_TRANSACTIONS }).ok === false);
  assertEquals(bad({ ...good, txCount: 2 }), "more hashes than transactions");
  assertEquals(bad({ ...good, flags: new Uint8Array(0) }), "fewer flag bits than hashes");
  assertEquals(bad({ ...good, hashes: good.hashes.slice(0, -1) }), "ran out of hashes");
  assertEquals(bad({ ...good, hashes: [...good.hashes, good.hashes[0]] }), "unused hashes");
  assertEquals(bad({ ...good, flags: new Uint8Array([...good.flags, 0]) }), "unused flag bytes");
  assertEquals(bad({ ...good, flags: Uint8Array.of(0xff) }), "ran out of flag bits");
  assertEquals(bad({ ...good, flags: Uint8Array.of(0xff, 0xff) }), "ran out of hashes");
  const oneBit = buildPartialMerkleTree(txids.slice(0, 1), [true]);
  assertEquals(oneBit.flags, Uint8Array.of(1));
  assertEquals(extractMatches(oneBit), { ok: true, root: txids[0], matches: [txids[0]], indexes: [0] });
  // Flags too short to reach every hash: the walk runs out of bits.
  const all = buildPartialMerkleTree(txids, txids.map(() => true));
  assertEquals(bad({ ...all, flags: all.flags.subarray(0, 1) }), "ran out of flag bits");
  assertThrows(() => buildPartialMerkleTree([], []), "no transactions");
  assertThrows(() => buildPartialMerkleTree(txids, [true]), "one match flag per txid");
});

Deno.test("partial merkle trees: serialization errors are DecodeErrors", () => {
  const txids = Array.from({ length: 5 }, (_, j) => txid(dummyTx(j)));
  const bytes = encodePartialMerkleTree(buildPartialMerkleTree(txids, [true, false, false, false, true]));
  for (let len = 0; len < bytes.length; len++) {
    assertEquals(
      decodeErrorOf(() => decodePartialMerkleTree(bytes.subarray(0, len))).subject,
      "partial merkle tree",
    );
  }
  assertEquals(
    decodeErrorOf(() => decodePartialMerkleTree(new Uint8Array([...bytes, 1]))).reason,
    "1 byte left after the flags",
  );
  assertEquals(
    decodeErrorOf(() => decodePartialMerkleTree(fromHex("05000000" + "fe00000002"))).reason,
    "hash count 33554432 needs at least 1073741824 bytes, 0 left",
  );
});

Deno.test("Core's session: gettxoutproof decodes, proves its txid, and is rebuilt byte for byte", async () => {
  const session = await readCoreSession();
  const proofCall = session.find((c) => c.call[0] === "gettxoutproof")!;
  const wanted = (proofCall.call[1][0] as string[])[0];
  const mined = session.find((c) =>
    c.call[0] === "gettransaction" && (c.result as { blockhash?: string }).blockhash
  )!
    .result as { blockhash: string };
  const bytes = fromHex(proofCall.result as string);
  const mb = decodeMerkleBlock(bytes);
  assertEquals(reverseHex(blockHash(mb.header)), mined.blockhash);
  const got = extractMatches(mb.tree);
  assert(got.ok);
  assertEquals(got.root, mb.header.merkleRoot);
  assertEquals(got.matches.map(reverseHex), [wanted]);
  assertEquals(got.indexes, [1]);
  // Rebuild from the block's two txids (coinbase, then the payment).
  const rebuilt = buildPartialMerkleTree(mb.tree.hashes, [false, true]);
  assertEquals(toHex(encodeMerkleBlock({ header: mb.header, tree: rebuilt })), proofCall.result);
  decodeErrorOf(() => decodeMerkleBlock(bytes.subarray(0, 80)));
  decodeErrorOf(() => decodeMerkleBlock(new Uint8Array([...bytes, 0])));
});

Deno.test("buildMerkleBlock: a proof for chosen transactions of a block", () => {
  const txs = Array.from({ length: 9 }, (_, j) => dummyTx(j));
  const ids = txs.map(txid);
  const block: Block = { header: { ...HEADER, merkleRoot: merkleRoot(ids).root }, txs };
  const mb = buildMerkleBlock(block, [ids[3], ids[8], new Uint8Array(32)]);
  const got = extractMatches(decodeMerkleBlock(encodeMerkleBlock(mb)).tree);
  assert(got.ok);
  assertEquals(got.root, block.header.merkleRoot);
  assertEquals(got.matches, [ids[3], ids[8]]);
  assertEquals(got.indexes, [3, 8]);
});
