import { createHash } from "node:crypto";
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { fromHex, reverseHex, toHex } from "../../../core/hash/hashes.ts";
import {
  blockMerkleRoot,
  blockWitnessMerkleRoot,
  findWitnessCommitmentIndex,
  merkleHashPair,
  merkleRoot,
  NO_WITNESS_COMMITMENT,
  witnessCommitment,
  witnessCommitmentScript,
} from "../../../core/hash/merkle.ts";
import { txid, wtxid } from "../../../core/wire/transaction.ts";
import type { Block, Transaction } from "../../../core/wire/types.ts";

const h256 = (d: Uint8Array) => new Uint8Array(createHash("sha256").update(d).digest());
const dsha = (d: Uint8Array) => h256(h256(d));

/** A plain recursive reference: pad odd levels by duplicating the last hash. */
function naiveRoot(hashes: Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return new Uint8Array(32);
  let level = hashes;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const r = level[i + 1] ?? level[i];
      next.push(dsha(new Uint8Array([...level[i], ...r])));
    }
    level = next;
  }
  return level[0];
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function randomHashes(n: number, next: () => number): Uint8Array[] {
  return Array.from({ length: n }, () => new Uint8Array(32).map(() => next() & 255));
}

Deno.test("merkleRoot: equals a naive implementation for 0..70 leaves, never mutated for distinct leaves", () => {
  const next = rng(42);
  for (let n = 0; n <= 70; n++) {
    const hashes = randomHashes(n, next);
    const before = hashes.map((h) => h.slice());
    const { root, mutated } = merkleRoot(hashes);
    assertEquals(root, naiveRoot(hashes), `n=${n}`);
    assertEquals(mutated, false);
    assertEquals(hashes, before, "inputs untouched");
  }
  assertEquals(merkleHashPair(new Uint8Array(32), new Uint8Array(32)), dsha(new Uint8Array(64)));
});

Deno.test("merkleRoot: CVE-2012-2459 — duplicated tails give the same root and are flagged", () => {
  const next = rng(7);
  const six = randomHashes(6, next);
  const a = merkleRoot(six);
  const b = merkleRoot([...six, six[4], six[5]]);
  assertEquals(b.root, a.root, "[1..6] and [1..6,5,6] share a root");
  assertEquals([a.mutated, b.mutated], [false, true]);
  for (let n = 1; n <= 40; n++) {
    const hashes = randomHashes(n, next);
    const base = merkleRoot(hashes);
    if (n % 2 === 1 && n > 1) {
      const dup = merkleRoot([...hashes, hashes[n - 1]]);
      assertEquals(dup.root, base.root, `odd n=${n}: duplicating the last hash keeps the root`);
      assert(dup.mutated, `n=${n}`);
    }
    // Two identical adjacent leaves anywhere at an even position are flagged.
    const pos = (n - 1) & ~1;
    const twin = [...hashes.slice(0, pos), hashes[pos], hashes[pos], ...hashes.slice(pos + 1)];
    assert(merkleRoot(twin).mutated, `twin at ${pos} of ${twin.length}`);
  }
  // A lone last hash duplicated by the odd-level rule is not a mutation.
  assertEquals(merkleRoot(randomHashes(3, next)).mutated, false);
  // Identical hashes at an odd position (not paired together) are not flagged.
  const [x, y, z] = randomHashes(3, next);
  assertEquals(merkleRoot([x, y, y, z]).mutated, false);
  assertThrows(() => merkleRoot([new Uint8Array(31)]), "not 32 bytes");
});

function tx(locktime: number, witness: Uint8Array[] = []): Transaction {
  return {
    version: 2,
    inputs: [{
      prevout: { txid: new Uint8Array(32).fill(locktime & 255), vout: 0 },
      scriptSig: new Uint8Array(0),
      sequence: 0,
      witness,
    }],
    outputs: [{ value: 1n, scriptPubKey: Uint8Array.of(0x51) }],
    locktime,
  };
}

const HEADER = {
  version: 1,
  prevBlock: new Uint8Array(32),
  merkleRoot: new Uint8Array(32),
  time: 0,
  bits: 0,
  nonce: 0,
};

Deno.test("blockMerkleRoot and blockWitnessMerkleRoot (coinbase wtxid taken as zero)", () => {
  const txs = [
    tx(0, [new Uint8Array(32)]),
    tx(1, [Uint8Array.of(1)]),
    tx(2),
    tx(3, [Uint8Array.of(3), Uint8Array.of(4)]),
  ];
  const block: Block = { header: HEADER, txs };
  assertEquals(blockMerkleRoot(block), { root: naiveRoot(txs.map(txid)), mutated: false });
  assertEquals(blockWitnessMerkleRoot(block), naiveRoot([new Uint8Array(32), ...txs.slice(1).map(wtxid)]));
  assertEquals(blockWitnessMerkleRoot({ header: HEADER, txs: [txs[0]] }), new Uint8Array(32));
  assertEquals(blockWitnessMerkleRoot({ header: HEADER, txs: [] }), new Uint8Array(32));
  assertEquals(blockMerkleRoot({ header: HEADER, txs: [] }), { root: new Uint8Array(32), mutated: false });
  assert(blockMerkleRoot({ header: HEADER, txs: [txs[0], txs[1], txs[1]] }).mutated === false);
  assert(blockMerkleRoot({ header: HEADER, txs: [txs[0], txs[1], txs[2], txs[2]] }).mutated);
});

Deno.test("witness commitment: Core's regtest block 1 (empty witness root, zero reserved value)", () => {
  const root = new Uint8Array(32);
  assertEquals(
    toHex(witnessCommitmentScript(root)),
    "6a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9",
  );
  assertEquals(witnessCommitment(root, new Uint8Array(32)), dsha(new Uint8Array(64)));
  const nonce = new Uint8Array(32).fill(9);
  const other = fromHex("11".repeat(32));
  assertEquals(witnessCommitment(other, nonce), dsha(new Uint8Array([...other, ...nonce])));
  assertThrows(() => witnessCommitment(new Uint8Array(31)), "32 bytes");
  assertEquals(reverseHex(dsha(new Uint8Array(64))).length, 64);
});

Deno.test("findWitnessCommitmentIndex: Core's GetWitnessCommitmentIndex (last match, size >= 38)", () => {
  const commit = witnessCommitmentScript(new Uint8Array(32));
  const coinbase = (scripts: Uint8Array[]): Block => ({
    header: HEADER,
    txs: [{ ...tx(0), outputs: scripts.map((s) => ({ value: 0n, scriptPubKey: s })) }],
  });
  assertEquals(findWitnessCommitmentIndex({ header: HEADER, txs: [] }), NO_WITNESS_COMMITMENT);
  assertEquals(findWitnessCommitmentIndex(coinbase([Uint8Array.of(0x51)])), -1);
  assertEquals(findWitnessCommitmentIndex(coinbase([commit, Uint8Array.of(0x51)])), 0);
  assertEquals(findWitnessCommitmentIndex(coinbase([commit, Uint8Array.of(0x51), commit])), 2);
  // Longer scripts with the header still count; shorter ones never do.
  assertEquals(findWitnessCommitmentIndex(coinbase([new Uint8Array([...commit, 0x00])])), 0);
  assertEquals(findWitnessCommitmentIndex(coinbase([commit.subarray(0, 37)])), -1);
  const wrong = commit.slice();
  wrong[5] = 0xee;
  assertEquals(findWitnessCommitmentIndex(coinbase([wrong])), -1);
});
