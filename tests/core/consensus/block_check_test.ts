/**
 * Context-free block checks: the genesis block of every network and real testnet blocks (Core's
 * blockfilters.json) pass; hand-built regtest blocks fail with Core's reason for each rule (PoW, merkle root,
 * CVE-2012-2459 duplicates, size, coinbase position, transaction checks, legacy sigops, weight, witness
 * commitment).
 */

import { chainParams } from "../../../core/chain_params.ts";
import { NETWORKS } from "../../../core/chain_params_base.ts";
import {
  checkBlock,
  checkBlockHeader,
  checkBlockWeight,
  checkWitnessMalleation,
} from "../../../core/consensus/block_check.ts";
import { MAX_BLOCK_WEIGHT } from "../../../core/consensus/consensus.ts";
import { fromReverseHex, reverseHex } from "../../../core/hash/hashes.ts";
import { blockWitnessMerkleRoot, merkleRoot, witnessCommitmentScript } from "../../../core/hash/merkle.ts";
import { checkProofOfWork } from "../../../core/pow.ts";
import { OP_CHECKSIG } from "../../../core/script/opcodes.ts";
import { blockHash, blockStrippedSize, blockWeight, decodeBlock } from "../../../core/wire/block.ts";
import { NULL_OUTPOINT } from "../../../core/wire/outpoint.ts";
import { txid } from "../../../core/wire/transaction.ts";
import type { Block, BlockHeader, Transaction, TxOut } from "../../../core/wire/types.ts";
import { assert, assertEquals } from "../../assert.ts";
import { hex, readVectorJson } from "../vectors.ts";

const regtest = chainParams("regtest").consensus;

function reason(state: ReturnType<typeof checkBlock>): string {
  return state.valid ? "valid" : state.reason;
}

Deno.test("checkBlock: the genesis block of every network is valid (with PoW)", () => {
  for (const net of NETWORKS) {
    const p = chainParams(net);
    assertEquals(reverseHex(blockHash(p.genesis.header)), p.consensus.hashGenesisBlock);
    assertEquals(checkBlock(p.genesis, p.consensus), { valid: true }, net);
    assertEquals(checkBlock(p.genesis, p.consensus, { checkWeight: true }), { valid: true }, net);
    assertEquals(checkWitnessMalleation(p.genesis, true), { valid: true }, net);
  }
});

type FilterRow = [number, string, string, ...unknown[]];

Deno.test("checkBlock: real testnet blocks (Core's blockfilters.json) are valid", async () => {
  const rows = (await readVectorJson<unknown[]>("blockfilters.json")).slice(1) as FilterRow[];
  const test = chainParams("test").consensus;
  assertEquals(rows.length, 10);
  for (const [height, hash, blockHex] of rows) {
    const block = decodeBlock(hex(blockHex));
    assertEquals(reverseHex(blockHash(block.header)), hash);
    assertEquals(checkBlock(block, test, { checkWeight: true }), { valid: true }, `height ${height}`);
    // Segwit was active on testnet from height 834624.
    assertEquals(checkWitnessMalleation(block, height >= 834624), { valid: true }, `height ${height}`);
  }
});

// --- hand-built regtest blocks ---

const EMPTY = new Uint8Array(0);
let serial = 0;

function coinbase(extra: TxOut[] = [], witness: Uint8Array[] = []): Transaction {
  serial++;
  return {
    version: 2,
    inputs: [{
      prevout: NULL_OUTPOINT,
      scriptSig: Uint8Array.of(2, serial & 0xff, serial >> 8),
      sequence: 0xffffffff,
      witness,
    }],
    outputs: [{ value: 5_000_000_000n, scriptPubKey: Uint8Array.of(0x51) }, ...extra],
    locktime: 0,
  };
}

function spend(
  n: number,
  outputs: TxOut[] = [{ value: 1000n, scriptPubKey: Uint8Array.of(0x51) }],
): Transaction {
  const t = new Uint8Array(32).fill(0xab);
  t[0] = n & 0xff;
  t[1] = n >> 8;
  return {
    version: 2,
    inputs: [{ prevout: { txid: t, vout: 0 }, scriptSig: EMPTY, sequence: 0xffffffff, witness: [] }],
    outputs,
    locktime: 0,
  };
}

/** A header over `txs` (or a given merkle root) whose hash meets regtest's target. */
function header(merkle: Uint8Array, meetsTarget = true): BlockHeader {
  for (let nonce = 0;; nonce++) {
    const h: BlockHeader = {
      version: 0x20000000,
      prevBlock: new Uint8Array(32).fill(1),
      merkleRoot: merkle,
      time: 1_700_000_000,
      bits: 0x207fffff,
      nonce,
    };
    if (checkProofOfWork(blockHash(h), h.bits, regtest) === meetsTarget) return h;
  }
}

function block(txs: Transaction[], merkle = merkleRoot(txs.map(txid)).root): Block {
  return { header: header(merkle), txs };
}

Deno.test("checkBlock: a simple regtest block is valid", () => {
  assertEquals(checkBlock(block([coinbase(), spend(1), spend(2)]), regtest), { valid: true });
});

Deno.test("checkBlockHeader: high-hash (hash above the target, or an invalid target), unless PoW is skipped", () => {
  const bad = header(new Uint8Array(32), false);
  assertEquals(checkBlockHeader(bad, regtest), {
    valid: false,
    result: "BLOCK_INVALID_HEADER",
    reason: "high-hash",
    debug: "proof of work failed",
  });
  assertEquals(checkBlockHeader(bad, regtest, { checkPow: false }), { valid: true });
  // A target easier than the network's limit fails even for a hash below it.
  const easy = { ...header(new Uint8Array(32)), bits: 0x2100ffff };
  assertEquals(reason(checkBlockHeader(easy, regtest)), "high-hash");
  const zero = { ...header(new Uint8Array(32)), bits: 0 };
  assertEquals(reason(checkBlockHeader(zero, regtest)), "high-hash");
  // Mainnet's genesis meets mainnet's target, a regtest header does not.
  const main = chainParams("main");
  assertEquals(checkBlockHeader(main.genesis.header, main.consensus), { valid: true });
  assertEquals(reason(checkBlockHeader(header(new Uint8Array(32)), main.consensus)), "high-hash");
  const b = { ...block([coinbase()]), header: bad };
  assertEquals(reason(checkBlock(b, regtest)), "high-hash");
  assertEquals(reason(checkBlock(b, regtest, { checkPow: false })), "bad-txnmrklroot");
});

Deno.test("checkBlock: bad merkle root (BLOCK_MUTATED), skippable", () => {
  const txs = [coinbase(), spend(1)];
  const b = block(txs, new Uint8Array(32).fill(9));
  assertEquals(checkBlock(b, regtest), {
    valid: false,
    result: "BLOCK_MUTATED",
    reason: "bad-txnmrklroot",
    debug: "hashMerkleRoot mismatch",
  });
  assertEquals(checkBlock(b, regtest, { checkMerkleRoot: false }), { valid: true });
  // Swapping two transactions changes the root.
  const good = block([coinbase(), spend(1), spend(2)]);
  const swapped = { ...good, txs: [good.txs[0], good.txs[2], good.txs[1]] };
  assertEquals(reason(checkBlock(swapped, regtest)), "bad-txnmrklroot");
});

Deno.test("checkBlock: CVE-2012-2459 duplicated transactions keep the root but are bad-txns-duplicate", () => {
  // [cb, a, b] and [cb, a, b, b] have the same merkle root.
  const txs = [coinbase(), spend(1), spend(2)];
  const good = block(txs);
  assertEquals(checkBlock(good, regtest), { valid: true });
  const dupLast: Block = { header: good.header, txs: [...txs, txs[2]] };
  assertEquals(merkleRoot(dupLast.txs.map(txid)).root, good.header.merkleRoot);
  assertEquals(checkBlock(dupLast, regtest), {
    valid: false,
    result: "BLOCK_MUTATED",
    reason: "bad-txns-duplicate",
    debug: "duplicate transaction",
  });
  // A duplicated pair: [cb, a, b, c, d, e] and [cb, a, b, c, d, e, d, e].
  const six = [coinbase(), spend(1), spend(2), spend(3), spend(4), spend(5)];
  const good6 = block(six);
  assertEquals(checkBlock(good6, regtest), { valid: true });
  const dupPair: Block = { header: good6.header, txs: [...six, six[4], six[5]] };
  assertEquals(merkleRoot(dupPair.txs.map(txid)).root, good6.header.merkleRoot);
  assertEquals(reason(checkBlock(dupPair, regtest)), "bad-txns-duplicate");
  // Context-free checks see each copy as a valid transaction alone: only the merkle check catches the mutation
  // (spending the same outputs twice is found later, against the UTXO set).
  assertEquals(checkBlock(dupPair, regtest, { checkMerkleRoot: false }), { valid: true });
});

Deno.test("checkBlock: size limits (bad-blk-length)", () => {
  // No transactions (the merkle root of nothing is zero, so the merkle check passes).
  assertEquals(checkBlock(block([]), regtest), {
    valid: false,
    result: "BLOCK_CONSENSUS",
    reason: "bad-blk-length",
    debug: "size limits failed",
  });
  // Serialization without witnesses above 1,000,000 bytes.
  const big = new Uint8Array(999_900);
  const b = block([coinbase(), spend(1, [{ value: 1n, scriptPubKey: big }])]);
  assert(blockStrippedSize(b) * 4 > MAX_BLOCK_WEIGHT);
  assertEquals(reason(checkBlock(b, regtest)), "bad-blk-length");
  const fits = block([coinbase(), spend(1, [{ value: 1n, scriptPubKey: new Uint8Array(999_000) }])]);
  assert(blockStrippedSize(fits) * 4 <= MAX_BLOCK_WEIGHT);
  assertEquals(reason(checkBlock(fits, regtest)), "valid");
  // More transactions than weight / 4 (the count alone decides; the same object repeated is enough).
  const many: Block = { header: b.header, txs: new Array(MAX_BLOCK_WEIGHT / 4 + 1).fill(spend(1)) };
  assertEquals(reason(checkBlock(many, regtest, { checkMerkleRoot: false })), "bad-blk-length");
});

Deno.test("checkBlock: the coinbase must come first and only once", () => {
  assertEquals(checkBlock(block([spend(1), spend(2)]), regtest), {
    valid: false,
    result: "BLOCK_CONSENSUS",
    reason: "bad-cb-missing",
    debug: "first tx is not coinbase",
  });
  assertEquals(checkBlock(block([spend(1), coinbase()]), regtest).valid, false);
  assertEquals(reason(checkBlock(block([spend(1), coinbase()]), regtest)), "bad-cb-missing");
  assertEquals(checkBlock(block([coinbase(), spend(1), coinbase()]), regtest), {
    valid: false,
    result: "BLOCK_CONSENSUS",
    reason: "bad-cb-multiple",
    debug: "more than one coinbase",
  });
});

Deno.test("checkBlock: a transaction failing CheckTransaction fails the block with its reason", () => {
  const dup = spend(7);
  const bad: Transaction = { ...dup, inputs: [dup.inputs[0], dup.inputs[0]] };
  const b = block([coinbase(), spend(1), bad]);
  assertEquals(checkBlock(b, regtest), {
    valid: false,
    result: "BLOCK_CONSENSUS",
    reason: "bad-txns-inputs-duplicate",
    debug: `Transaction check failed (tx hash ${reverseHex(txid(bad))})`,
  });
  const neg = spend(8, [{ value: -1n, scriptPubKey: EMPTY }]);
  assertEquals(reason(checkBlock(block([coinbase(), neg]), regtest)), "bad-txns-vout-negative");
  const shortCb: Transaction = {
    ...coinbase(),
    inputs: [{ ...coinbase().inputs[0], scriptSig: Uint8Array.of(1) }],
  };
  assertEquals(reason(checkBlock(block([shortCb]), regtest)), "bad-cb-length");
});

Deno.test("checkBlock: legacy sigops above 80,000 cost (bad-blk-sigops)", () => {
  const checksigs = (n: number) => new Uint8Array(n).fill(OP_CHECKSIG);
  // 20,000 sigops × 4 = 80,000: at the limit.
  const atLimit = block([
    coinbase([{ value: 0n, scriptPubKey: checksigs(10_000) }]),
    spend(1, [{ value: 1n, scriptPubKey: checksigs(10_000) }]),
  ]);
  assertEquals(reason(checkBlock(atLimit, regtest)), "valid");
  const over = block([
    coinbase([{ value: 0n, scriptPubKey: checksigs(10_000) }]),
    spend(1, [{ value: 1n, scriptPubKey: checksigs(10_001) }]),
  ]);
  assertEquals(checkBlock(over, regtest), {
    valid: false,
    result: "BLOCK_CONSENSUS",
    reason: "bad-blk-sigops",
    debug: "out-of-bounds SigOpCount",
  });
  // CHECKMULTISIG counts 20 (inaccurate): 1,001 of them are 20,020 sigops.
  const multi = block([coinbase([{ value: 0n, scriptPubKey: new Uint8Array(1001).fill(0xae) }])]);
  assertEquals(reason(checkBlock(multi, regtest)), "bad-blk-sigops");
});

Deno.test("checkBlock / checkBlockWeight: witness bytes count in the weight only", () => {
  const witness = [new Uint8Array(4_000_000)];
  const tx: Transaction = { ...spend(1), inputs: [{ ...spend(1).inputs[0], witness }] };
  const b = block([coinbase(), tx]);
  assert(blockWeight(b) > MAX_BLOCK_WEIGHT && blockStrippedSize(b) * 4 <= MAX_BLOCK_WEIGHT);
  assertEquals(checkBlock(b, regtest), { valid: true });
  const expected = {
    valid: false,
    result: "BLOCK_CONSENSUS",
    reason: "bad-blk-weight",
    debug: "ContextualCheckBlock : weight limit failed",
  };
  assertEquals(checkBlock(b, regtest, { checkWeight: true }), expected);
  assertEquals(checkBlockWeight(b), expected);
  const small: Transaction = { ...tx, inputs: [{ ...tx.inputs[0], witness: [new Uint8Array(100)] }] };
  assertEquals(checkBlockWeight(block([coinbase(), small])), { valid: true });
});

Deno.test("checkWitnessMalleation: commitment, reserved value size, unexpected witness", () => {
  const wtx: Transaction = {
    ...spend(1),
    inputs: [{ ...spend(1).inputs[0], witness: [Uint8Array.of(1, 2, 3)] }],
  };
  const nonce = new Uint8Array(32).fill(5);
  // Build the coinbase with a placeholder commitment, compute the witness root (coinbase counts as zero).
  const draft: Block = { header: header(new Uint8Array(32)), txs: [coinbase(), wtx] };
  const root = blockWitnessMerkleRoot(draft);
  const cb = coinbase([{ value: 0n, scriptPubKey: witnessCommitmentScript(root, nonce) }], [nonce]);
  const good = block([cb, wtx]);
  assertEquals(checkBlock(good, regtest), { valid: true });
  assertEquals(checkWitnessMalleation(good, true), { valid: true });
  // Before segwit, no witness data at all is allowed.
  assertEquals(checkWitnessMalleation(good, false), {
    valid: false,
    result: "BLOCK_MUTATED",
    reason: "unexpected-witness",
    debug: "CheckWitnessMalleation : unexpected witness data found",
  });
  // A changed witness no longer matches the commitment (the block hash does not change).
  const changed: Transaction = { ...wtx, inputs: [{ ...wtx.inputs[0], witness: [Uint8Array.of(9)] }] };
  const mutated: Block = { header: good.header, txs: [cb, changed] };
  assertEquals(checkBlock(mutated, regtest), { valid: true });
  assertEquals(checkWitnessMalleation(mutated, true), {
    valid: false,
    result: "BLOCK_MUTATED",
    reason: "bad-witness-merkle-match",
    debug: "CheckWitnessMalleation : witness merkle commitment mismatch",
  });
  // The reserved value must be exactly one 32-byte item.
  for (const w of [[], [new Uint8Array(31)], [nonce, nonce]]) {
    const cb2: Transaction = { ...cb, inputs: [{ ...cb.inputs[0], witness: w }] };
    assertEquals(reason(checkWitnessMalleation(block([cb2, wtx]), true)), "bad-witness-nonce-size");
  }
  // No commitment output: witness data is unexpected even after segwit.
  assertEquals(reason(checkWitnessMalleation(block([coinbase(), wtx]), true)), "unexpected-witness");
  assertEquals(checkWitnessMalleation(block([coinbase(), spend(2)]), true), { valid: true });
});

Deno.test("checkBlock: mainnet block 1 from its bytes (display-hash round trip)", () => {
  const b = decodeBlock(hex(
    "010000006fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000982051fd1e4ba744bbbe680e1fee14677ba1a3c3540bf7b1cdb606e857233e0e61bc6649ffff001d01e362990101000000010000000000000000000000000000000000000000000000000000000000000000ffffffff0704ffff001d0104ffffffff0100f2052a0100000043410496b538e853519c726a2c91e61ec11600ae1390813a627c66fb8be7947be63c52da7589379515d4e0a604f8141781e62294721166bf621e73a82cbf2342c858eeac00000000",
  ));
  assertEquals(
    blockHash(b.header),
    fromReverseHex("00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048"),
  );
  assertEquals(checkBlock(b, chainParams("main").consensus), { valid: true });
});
