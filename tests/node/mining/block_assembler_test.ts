/**
 * Block assembly: Core's coinbase layout (against the recorded Core session's block 1, byte for byte), candidate
 * selection limits, fees, witness commitment, version bits on regtest, and blocks the fake chain accepts.
 */
import { decodeDestination, isDecodedDestination } from "../../../core/address/destination.ts";
import { checkBlock } from "../../../core/consensus/mod.ts";
import { reverseHex, toHex } from "../../../core/hash/hashes.ts";
import { findWitnessCommitmentIndex } from "../../../core/hash/merkle.ts";
import { encodeBlock } from "../../../core/wire/block.ts";
import { encodeTransaction, txid } from "../../../core/wire/transaction.ts";
import type { Transaction } from "../../../core/wire/types.ts";
import {
  coinbaseScriptSig,
  createNewBlock,
  isFinalTx,
  regenerateCommitments,
} from "../../../node/mining/block_assembler.ts";
import { generateBlocks, grindBlock } from "../../../node/mining/mine.ts";
import { assert, assertEquals } from "../../assert.ts";
import { FakeChain } from "./fake_chain.ts";

const SESSION_ADDRESS = "bcrt1q6vmtq6g2rp66rmncvr7mevx4q8s7gy54r0q023";
const OP_TRUE = Uint8Array.of(0x51);

interface SessionCall {
  call: [string, unknown[]];
  result?: unknown;
}
const session: SessionCall[] = JSON.parse(
  await Deno.readTextFile(
    new URL("../../../../shared/reference/core_regtest_rpc_session.json", import.meta.url),
  )
    .catch(() => Deno.readTextFile("/work/shared/reference/core_regtest_rpc_session.json")),
);

function sessionResult(method: string, params: unknown[]): unknown {
  const c = session.find((c) => c.call[0] === method && JSON.stringify(c.call[1]) === JSON.stringify(params));
  if (c === undefined) throw new Error(`no recorded ${method}`);
  return c.result;
}

function script(address: string): Uint8Array {
  const d = decodeDestination(address, "regtest");
  if (!isDecodedDestination(d)) throw new Error("bad address");
  return d.scriptPubKey;
}

Deno.test("block 1 equals Core's block 1 of the recorded session byte for byte", async () => {
  const chain = new FakeChain();
  const hashes = await generateBlocks(chain, {
    count: 1,
    coinbaseOutputScript: script(SESSION_ADDRESS),
    now: () => 1700000000,
  });
  const recorded = sessionResult("generatetoaddress", [101, SESSION_ADDRESS]) as string[];
  assertEquals(hashes, [recorded[0]]);
  const hex = sessionResult("getblock", [recorded[0], 0]) as string;
  const block = await chain.readBlock(chain.tip());
  assertEquals(toHex(encodeBlock(block)), hex);
  assertEquals(block.header.nonce, 1);
});

Deno.test("coinbase scriptSig is Core's CScript() << height (+ OP_0 up to 16)", () => {
  assertEquals(toHex(coinbaseScriptSig(1)), "5100");
  assertEquals(toHex(coinbaseScriptSig(16)), "6000");
  assertEquals(toHex(coinbaseScriptSig(17)), "0111");
  assertEquals(toHex(coinbaseScriptSig(128)), "028000");
  assertEquals(toHex(coinbaseScriptSig(500000)), "0320a107");
});

Deno.test("template: height, locktime, sequence, subsidy, commitment, time and bits", async () => {
  const chain = new FakeChain();
  await generateBlocks(chain, { count: 20, coinbaseOutputScript: OP_TRUE, now: () => 1700000000 });
  const t = await createNewBlock(chain, { coinbaseOutputScript: OP_TRUE, now: () => 1600000000 });
  const cb = t.block.txs[0];
  assertEquals(t.height, 21);
  assertEquals(cb.locktime, 20);
  assertEquals(cb.inputs[0].sequence, 0xfffffffe);
  assertEquals(toHex(cb.inputs[0].scriptSig), "0115");
  assertEquals(cb.outputs[0].value, 5000000000n);
  assertEquals(findWitnessCommitmentIndex(t.block), 1);
  assertEquals(cb.inputs[0].witness.map(toHex), ["00".repeat(32)]);
  // The clock is behind the chain: time is MTP + 1.
  assertEquals(t.block.header.time, chain.tip().medianTimePast + 1);
  assertEquals(t.block.header.bits, 0x207fffff);
  assertEquals(t.block.header.version, 0x20000000);
  assertEquals(checkBlock(t.block, chain.params.consensus, { checkPow: false }), { valid: true });
  assertEquals(await chain.testBlockValidity(t.block, { checkPow: false }), { valid: true });
  // Subsidy halves every 150 blocks on regtest.
  assertEquals(t.assembledWeight, 8000);
  assertEquals(t.txCount, 0);
});

/** A transaction spending OP_TRUE outputs to OP_TRUE outputs. */
function spend(
  prevs: { txid: Uint8Array; vout: number }[],
  values: bigint[],
  locktime = 0,
  sequence = 0xffffffff,
) {
  return {
    version: 2,
    inputs: prevs.map((p) => ({ prevout: p, scriptSig: new Uint8Array(), sequence, witness: [] })),
    outputs: values.map((value) => ({ value, scriptPubKey: OP_TRUE })),
    locktime,
  } satisfies Transaction;
}

Deno.test("candidates: fees to the coinbase, children of skipped parents skipped, finality, min fee", async () => {
  const chain = new FakeChain();
  await generateBlocks(chain, { count: 3, coinbaseOutputScript: OP_TRUE, now: () => 1700000000 });
  const cb1 = (await chain.readBlock(chain.atHeight(1)!)).txs[0];
  const cb2 = (await chain.readBlock(chain.atHeight(2)!)).txs[0];
  const cb3 = (await chain.readBlock(chain.atHeight(3)!)).txs[0];
  const a = spend([{ txid: txid(cb1), vout: 0 }], [4999990000n]); // fee 10000
  const aChild = spend([{ txid: txid(a), vout: 0 }], [4999980000n]); // fee 10000, spends in-block parent
  const zeroFee = spend([{ txid: txid(cb2), vout: 0 }], [5000000000n]);
  const zeroChild = spend([{ txid: txid(zeroFee), vout: 0 }], [4999000000n]);
  const notFinal = spend([{ txid: txid(cb3), vout: 0 }], [4999000000n], 100, 0);
  const missing = spend([{ txid: new Uint8Array(32).fill(7), vout: 0 }], [1000n]);
  const t = await createNewBlock(chain, {
    coinbaseOutputScript: OP_TRUE,
    now: () => 1700000000,
    transactions: [a, aChild, zeroFee, zeroChild, notFinal, missing].map((tx) => ({
      tx,
      fee: tx === zeroFee ? 0n : tx === zeroChild ? 1000000n : tx === notFinal ? 1000000n : 10000n,
    })),
  });
  assertEquals(
    t.block.txs.slice(1).map((tx) => reverseHex(txid(tx))),
    [a, aChild].map((tx) => reverseHex(txid(tx))),
  );
  assertEquals(t.totalFees, 20000n);
  assertEquals(t.block.txs[0].outputs[0].value, 5000020000n);
  assertEquals(t.fees, [-20000n, 10000n, 10000n]);
  assertEquals(t.txCount, 2);
  const mined = grindBlock(t.block, 1000);
  assert(mined.found);
  const { state } = await chain.processNewBlock(mined.block);
  assertEquals(state, { valid: true });
  assertEquals(chain.height(), 4);
});

Deno.test("candidates: the weight limit skips what does not fit", async () => {
  const chain = new FakeChain();
  await generateBlocks(chain, { count: 2, coinbaseOutputScript: OP_TRUE, now: () => 1700000000 });
  const cb1 = (await chain.readBlock(chain.atHeight(1)!)).txs[0];
  const cb2 = (await chain.readBlock(chain.atHeight(2)!)).txs[0];
  const big = spend([{ txid: txid(cb1), vout: 0 }], Array.from({ length: 200 }, () => 1000n));
  const small = spend([{ txid: txid(cb2), vout: 0 }], [1000n]);
  const bigWeight = encodeTransaction(big).length * 4;
  const t = await createNewBlock(chain, {
    coinbaseOutputScript: OP_TRUE,
    now: () => 1700000000,
    blockMaxWeight: 8000 + bigWeight, // `>=` the limit does not fit, as Core's TestChunkBlockLimits
    transactions: [{ tx: big, fee: 1000000n }, { tx: small, fee: 1000n }],
  });
  assertEquals(t.block.txs.length, 2);
  assertEquals(reverseHex(txid(t.block.txs[1])), reverseHex(txid(small)));
});

Deno.test("isFinalTx follows Core", () => {
  const tx = spend([{ txid: new Uint8Array(32), vout: 1 }], [1n], 10, 0);
  assert(!isFinalTx(tx, 10, 0));
  assert(isFinalTx(tx, 11, 0));
  assert(isFinalTx({ ...tx, inputs: tx.inputs.map((i) => ({ ...i, sequence: 0xffffffff })) }, 10, 0));
  const timeLocked = { ...tx, locktime: 600_000_000 };
  assert(!isFinalTx(timeLocked, 10, 600_000_000));
  assert(isFinalTx(timeLocked, 10, 600_000_001));
});

Deno.test("regenerateCommitments recomputes the commitment and merkle root for added transactions", async () => {
  const chain = new FakeChain();
  await generateBlocks(chain, { count: 1, coinbaseOutputScript: OP_TRUE, now: () => 1700000000 });
  const cb1 = (await chain.readBlock(chain.atHeight(1)!)).txs[0];
  const t = await createNewBlock(chain, { coinbaseOutputScript: OP_TRUE, now: () => 1700000000 });
  const tx = spend([{ txid: txid(cb1), vout: 0 }], [1000n]);
  const withWitness = { ...tx, inputs: tx.inputs.map((i) => ({ ...i, witness: [Uint8Array.of(1)] })) };
  const b = regenerateCommitments(
    { header: t.block.header, txs: [...t.block.txs, withWitness] },
    2,
    chain.params,
  );
  assertEquals(b.txs[0].outputs.length, 2);
  assert(toHex(b.txs[0].outputs[1].scriptPubKey) !== toHex(t.block.txs[0].outputs[1].scriptPubKey));
  assertEquals(await chain.testBlockValidity(b, { checkPow: false }), { valid: true });
});
