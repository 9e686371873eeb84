import { assert, assertEquals } from "../assert.ts";
import { createCompactBlock } from "../../net/compact_blocks.ts";
import { isBlockMutated, PartiallyDownloadedBlock } from "../../net/partial_block.ts";
import { chainParams } from "../../core/chain_params.ts";
import { blockMerkleRoot } from "../../core/hash/merkle.ts";
import { toHex } from "../../core/hash/hashes.ts";
import { blockHash } from "../../core/wire/block.ts";
import type { Block, Transaction } from "../../core/wire/types.ts";

function tx(n: number): Transaction {
  return {
    version: 2,
    inputs: [{
      prevout: { txid: new Uint8Array(32).fill(n), vout: 0 },
      scriptSig: Uint8Array.of(n),
      sequence: 0,
      witness: [],
    }],
    outputs: [{ value: BigInt(n), scriptPubKey: Uint8Array.of(0x51) }],
    locktime: 0,
  };
}

function makeBlock(n: number): Block {
  const genesis = chainParams("regtest").genesis;
  const txs = [genesis.txs[0], ...Array.from({ length: n }, (_, i) => tx(i + 1))];
  const header = { ...genesis.header, merkleRoot: blockMerkleRoot({ header: genesis.header, txs }).root };
  return { header, txs };
}

Deno.test("partial block: mempool matches, missing indexes, fill, and the rebuilt block is the original", () => {
  const block = makeBlock(6);
  assert(!isBlockMutated(block, true));
  const cb = createCompactBlock(block, 99n);
  const pool = [block.txs[2], block.txs[5], tx(100), block.txs[1]];
  const r = PartiallyDownloadedBlock.init(cb, pool, [block.txs[6], block.txs[6]]);
  assert(r.status === "ok");
  assertEquals(r.block.missingIndexes(), [3, 4]);
  assertEquals(r.block.counts, { prefilled: 1, fromPool: 4, fromExtra: 1 });
  assert(r.block.isTxAvailable(0) && !r.block.isTxAvailable(3));
  const filled = r.block.fill([block.txs[3], block.txs[4]]);
  assert(filled.status === "ok");
  assertEquals(toHex(blockHash(filled.block.header)), toHex(blockHash(block.header)));
  assertEquals(filled.block.txs, block.txs);
  assertEquals(r.block.fill([]).status, "invalid", "fill works once");
});

Deno.test("partial block: wrong number of transactions is invalid, wrong ones fail as mutated", () => {
  const block = makeBlock(3);
  const cb = createCompactBlock(block, 1n);
  const init = () => {
    const r = PartiallyDownloadedBlock.init(cb, []);
    assert(r.status === "ok");
    return r.block;
  };
  assertEquals(init().missingIndexes(), [1, 2, 3]);
  assertEquals(init().fill([block.txs[1], block.txs[2]]).status, "invalid");
  assertEquals(init().fill([block.txs[1], block.txs[2], block.txs[3], block.txs[3]]).status, "invalid");
  assertEquals(init().fill([block.txs[1], block.txs[3], block.txs[2]]).status, "failed");
  assertEquals(init().fill([block.txs[1], block.txs[2], block.txs[3]]).status, "ok");
});

Deno.test("partial block: impossible compact blocks are invalid, short id collisions fail", () => {
  const block = makeBlock(2);
  const cb = createCompactBlock(block, 1n);
  assertEquals(
    PartiallyDownloadedBlock.init({ ...cb, prefilled: [{ index: 4, tx: block.txs[0] }] }, []).status,
    "invalid",
  );
  assertEquals(PartiallyDownloadedBlock.init({ ...cb, shortIds: [], prefilled: [] }, []).status, "invalid");
  assertEquals(
    PartiallyDownloadedBlock.init({ ...cb, header: { ...cb.header, bits: 0 } }, []).status,
    "invalid",
  );
  assertEquals(PartiallyDownloadedBlock.init({ ...cb, shortIds: [5, 5] }, []).status, "failed");
  // two pool candidates matching one short id (here: the same transaction twice): that slot is requested
  const dup = PartiallyDownloadedBlock.init(cb, [block.txs[1], block.txs[1], block.txs[2]]);
  assert(dup.status === "ok");
  assertEquals(dup.block.missingIndexes(), [1]);
  // the same transaction among the extra ones as well as in the pool is not a conflict
  const same = PartiallyDownloadedBlock.init(cb, [block.txs[1]], [block.txs[1], block.txs[2]]);
  assert(same.status === "ok");
  assertEquals(same.block.missingIndexes(), []);
});
