import { assert, assertEquals } from "../../assert.ts";
import { chainParams } from "../../../core/chain_params.ts";
import { reverseHex } from "../../../core/hash/hashes.ts";
import { txid } from "../../../core/wire/transaction.ts";
import type { Block, Transaction, TxOut } from "../../../core/wire/types.ts";
import { openChainstate } from "../../../node/chain/chainstate.ts";
import type { Chainstate } from "../../../node/chain/types.ts";
import { createNewBlock } from "../../../node/mining/block_assembler.ts";
import { grindBlock } from "../../../node/mining/mine.ts";
import { Mempool } from "../../../node/mempool/mempool.ts";
import type { MempoolAcceptResult } from "../../../node/mempool/accept.ts";
import { defaultPolicySettings, type PolicySettings } from "../../../node/policy/settings.ts";
import { buildBlock, spendP2wpkh, type TestKey, testKey } from "../chain/block_builder.ts";

const params = chainParams("regtest");
const key = testKey(1);
const COIN = 100_000_000n;

interface Fixture {
  chain: Chainstate;
  mempool: Mempool;
  /** Coinbase transactions by height. */
  coinbases: Transaction[];
  close(): Promise<void>;
}

async function fixture(settings: Partial<PolicySettings> = {}, blocks = 110): Promise<Fixture> {
  const dataDir = await Deno.makeTempDir({ prefix: "tsbtc-mempool-" });
  const chain = await openChainstate({ dataDir, params, workers: 0, now: () => 1_700_000_000 + 10_000 });
  const coinbases: Transaction[] = [params.genesis.txs[0]];
  for (let i = 0; i < blocks; i++) {
    const block = buildBlock({ prev: chain.tip(), params, payTo: key.script, time: 1_700_000_000 + i });
    const r = await chain.processNewBlock(block);
    assert(r.state.valid, `block ${i + 1}: ${r.state.valid ? "" : r.state.reason}`);
    coinbases.push(block.txs[0]);
  }
  const mempool = new Mempool({
    chain,
    settings: { ...defaultPolicySettings("regtest"), ...settings },
    now: () => 1_700_000_000 + 10_000,
  });
  return {
    chain,
    mempool,
    coinbases,
    close: async () => {
      mempool.close();
      await chain.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

function out(value: bigint, k: TestKey = key): TxOut {
  return { value, scriptPubKey: k.script };
}

/** Spends coinbase `height` paying `fee`. */
function spendCoinbase(
  f: Fixture,
  height: number,
  fee: bigint,
  opts: { sequence?: number } = {},
): Transaction {
  const cb = f.coinbases[height];
  return spendP2wpkh(
    [{ outpoint: { txid: txid(cb), vout: 0 }, value: cb.outputs[0].value, key, sequence: opts.sequence }],
    [out(cb.outputs[0].value - fee)],
  );
}

/** Spends output 0 of `parent` (worth `value`) paying `fee`. */
function spendOutput(parent: Transaction, value: bigint, fee: bigint, outputs = 1): Transaction {
  const each = (value - fee) / BigInt(outputs);
  return spendP2wpkh(
    [{ outpoint: { txid: txid(parent), vout: 0 }, value, key }],
    Array.from({ length: outputs }, () => out(each)),
  );
}

function reason(r: MempoolAcceptResult): string {
  return r.valid ? "accepted" : r.state.reason;
}

async function mineFromMempool(f: Fixture): Promise<Block> {
  const template = await createNewBlock(f.chain, {
    coinbaseOutputScript: key.script,
    transactions: f.mempool.blockCandidates(),
    now: () => 1_700_000_000 + 10_000,
  });
  const g = grindBlock(template.block, 1_000_000);
  if (!g.found) throw new Error("no block found");
  const r = await f.chain.processNewBlock(g.block);
  assert(r.state.valid);
  return g.block;
}

Deno.test("mempool: accepts a spend, rejects duplicates, missing inputs, immature and non-final spends", async () => {
  const f = await fixture();
  try {
    const tx = spendCoinbase(f, 1, 2820n);
    const r = await f.mempool.acceptTransaction(tx);
    assertEquals(reason(r), "accepted");
    const e = f.mempool.pool.get(reverseHex(txid(tx)))!;
    assertEquals(e.fee, 2820n);
    assertEquals(e.height, 110);
    assertEquals(f.mempool.pool.size, 1);
    assertEquals(f.mempool.pool.totalVsize, e.vsize);
    assertEquals(reason(await f.mempool.acceptTransaction(tx)), "txn-already-in-mempool");
    const orphan = spendOutput(spendCoinbase(f, 2, 1000n), 50n * COIN - 1000n, 1000n);
    const missing = await f.mempool.acceptTransaction(orphan);
    assertEquals(reason(missing), "bad-txns-inputs-missingorspent");
    assert(!missing.valid && missing.state.result === "TX_MISSING_INPUTS");
    // Coinbase of height 20 at tip 110: depth 91 for the next block.
    const immature = await f.mempool.acceptTransaction(spendCoinbase(f, 20, 1000n));
    assertEquals(reason(immature), "bad-txns-premature-spend-of-coinbase");
    assert(!immature.valid && immature.state.debug === "tried to spend coinbase at depth 91");
    const late = { ...spendCoinbase(f, 3, 1000n), locktime: 500 };
    assertEquals(reason(await f.mempool.acceptTransaction(late)), "non-final");
    const relative = spendCoinbase(f, 4, 1000n, { sequence: 200 });
    assertEquals(reason(await f.mempool.acceptTransaction(relative)), "non-BIP68-final");
    const free = spendCoinbase(f, 5, 0n);
    const low = await f.mempool.acceptTransaction(free);
    assertEquals(reason(low), "min relay fee not met");
    assert(!low.valid && low.state.result === "TX_RECONSIDERABLE" && low.effectiveFeeRate !== undefined);
    const v4 = spendP2wpkh(
      [{ outpoint: { txid: txid(f.coinbases[6]), vout: 0 }, value: 50n * COIN, key }],
      [out(50n * COIN - 1000n)],
      { version: 4 },
    );
    assertEquals(reason(await f.mempool.acceptTransaction(v4)), "version");
    const test = await f.mempool.acceptTransaction(spendCoinbase(f, 7, 1000n), { testAccept: true });
    assertEquals(reason(test), "accepted");
    assertEquals(f.mempool.pool.size, 1);
    f.mempool.pool.check();
  } finally {
    await f.close();
  }
});

Deno.test("mempool: replacement needs more fees and a better diagram, and evicts descendants", async () => {
  const f = await fixture();
  try {
    const a = spendCoinbase(f, 1, 1000n);
    assertEquals(reason(await f.mempool.acceptTransaction(a)), "accepted");
    const child = spendOutput(a, 50n * COIN - 1000n, 1000n);
    assertEquals(reason(await f.mempool.acceptTransaction(child)), "accepted");
    const cheaper = spendCoinbase(f, 1, 1500n);
    const r1 = await f.mempool.acceptTransaction(cheaper);
    assertEquals(reason(r1), "insufficient fee");
    assert(!r1.valid && r1.state.debug?.includes("less fees than conflicting txs"));
    const better = spendCoinbase(f, 1, 5000n);
    const r2 = await f.mempool.acceptTransaction(better);
    assertEquals(reason(r2), "accepted");
    assert(r2.valid && r2.replaced.length === 2);
    assertEquals(f.mempool.pool.size, 1);
    assertEquals(f.mempool.pool.get(reverseHex(txid(a))), undefined);
    // A transaction spending the replaced one's output now misses its input.
    assertEquals(reason(await f.mempool.acceptTransaction(child)), "bad-txns-inputs-missingorspent");
    f.mempool.pool.check();
  } finally {
    await f.close();
  }
});

Deno.test("mempool: chunks pay for parents, blocks take them in chunk order, reorgs bring them back", async () => {
  const f = await fixture();
  try {
    const parent = spendCoinbase(f, 1, 200n); // about 1.8 sat/vB
    const child = spendOutput(parent, 50n * COIN - 200n, 20_000n);
    const other = spendCoinbase(f, 2, 2_000n);
    for (const tx of [parent, child, other]) {
      assertEquals(reason(await f.mempool.acceptTransaction(tx)), "accepted");
    }
    const pool = f.mempool.pool;
    const pe = pool.get(reverseHex(txid(parent)))!;
    const ce = pool.get(reverseHex(txid(child)))!;
    assertEquals([...pool.ancestors(ce)], [pe]);
    assertEquals([...pool.descendants(pe)], [ce]);
    const chunk = pool.chunkOf(pe);
    assertEquals(chunk.fee, 20_200n);
    assertEquals(chunk.weight, pe.adjustedWeight + ce.adjustedWeight);
    const order = f.mempool.blockCandidates().map((c) => reverseHex(txid(c.tx)));
    assertEquals(order, [parent, child, other].map((t) => reverseHex(txid(t))));
    const block = await mineFromMempool(f);
    assertEquals(block.txs.length, 4);
    assertEquals(pool.size, 0);
    await f.chain.invalidateBlock(f.chain.tip().hashHex);
    await f.mempool.ready();
    assertEquals(pool.size, 3);
    assertEquals(pool.get(reverseHex(txid(child)))!.parents.size, 1);
    pool.check();
  } finally {
    await f.close();
  }
});

Deno.test("mempool: the 65th transaction of a cluster is too-large-cluster", async () => {
  const f = await fixture();
  try {
    let prev = spendCoinbase(f, 1, 1000n);
    let value = 50n * COIN - 1000n;
    assertEquals(reason(await f.mempool.acceptTransaction(prev)), "accepted");
    for (let i = 1; i < 64; i++) {
      const next = spendOutput(prev, value, 1000n);
      assertEquals(reason(await f.mempool.acceptTransaction(next)), "accepted", `tx ${i + 1}`);
      prev = next;
      value -= 1000n;
    }
    const r = await f.mempool.acceptTransaction(spendOutput(prev, value, 1000n));
    assertEquals(reason(r), "too-large-cluster");
    assert(!r.valid && r.state.result === "TX_MEMPOOL_POLICY");
    assertEquals(f.mempool.pool.size, 64);
  } finally {
    await f.close();
  }
});

Deno.test("mempool: -maxmempool evicts the worst chunk and raises the minimum fee", async () => {
  const f = await fixture({ maxMempoolBytes: 1_200 });
  try {
    const cheap = spendCoinbase(f, 1, 500n);
    const rich = spendCoinbase(f, 2, 50_000n);
    assertEquals(reason(await f.mempool.acceptTransaction(cheap)), "accepted");
    assertEquals(reason(await f.mempool.acceptTransaction(rich)), "accepted");
    const third = await f.mempool.acceptTransaction(spendCoinbase(f, 3, 400n));
    assertEquals(reason(third), "mempool min fee not met");
    assertEquals(f.mempool.pool.get(reverseHex(txid(cheap))), undefined);
    assert(f.mempool.pool.getMinFee().getFeePerK() > 1000n);
  } finally {
    await f.close();
  }
});

Deno.test("mempool: packages — test accept together, and a child paying for a parent below the relay fee", async () => {
  const f = await fixture();
  try {
    const parent = spendCoinbase(f, 1, 0n);
    const child = spendOutput(parent, 50n * COIN, 5_000n);
    const test = await f.mempool.acceptPackage([parent, child], { testAccept: true });
    assert(!test.state.valid);
    assertEquals(reason([...test.results.values()][0]), "min relay fee not met");
    const sub = await f.mempool.acceptPackage([parent, child], { testAccept: false });
    assert(sub.state.valid, JSON.stringify(sub.state));
    assertEquals(f.mempool.pool.size, 2);
    const pr = [...sub.results.values()].find((r) => r.txid === reverseHex(txid(parent)))!;
    assert(pr.valid && pr.effectiveIncludes.length === 2);
    f.mempool.pool.check();
  } finally {
    await f.close();
  }
});

Deno.test("mempool: expiry drops old entries with their descendants", async () => {
  let now = 1_700_000_000 + 10_000;
  const f = await fixture({ mempoolExpirySeconds: 3600 });
  try {
    const a = spendCoinbase(f, 1, 1000n);
    assertEquals(reason(await f.mempool.acceptTransaction(a, { acceptTime: now })), "accepted");
    const b = spendOutput(a, 50n * COIN - 1000n, 1000n);
    assertEquals(reason(await f.mempool.acceptTransaction(b, { acceptTime: now + 7200 })), "accepted");
    now += 7200;
    // The next acceptance runs LimitMempoolSize with the pool's clock (fixture time + 0): nothing expires yet.
    assertEquals(f.mempool.pool.expire(now - 3600), 2);
    assertEquals(f.mempool.pool.size, 0);
  } finally {
    await f.close();
  }
});

Deno.test("mempool: TRUC — a second child evicts the first (sibling eviction); v2 cannot spend v3", async () => {
  const f = await fixture();
  try {
    const cb = f.coinbases[1];
    const parent = spendP2wpkh(
      [{ outpoint: { txid: txid(cb), vout: 0 }, value: 50n * COIN, key }],
      [out(20n * COIN), out(30n * COIN - 1000n)],
      { version: 3 },
    );
    assertEquals(reason(await f.mempool.acceptTransaction(parent)), "accepted");
    const child = (vout: number, value: bigint, fee: bigint, version = 3) =>
      spendP2wpkh([{ outpoint: { txid: txid(parent), vout }, value, key }], [out(value - fee)], { version });
    const v2 = await f.mempool.acceptTransaction(child(0, 20n * COIN, 1000n, 2));
    assertEquals(reason(v2), "TRUC-violation");
    const first = child(0, 20n * COIN, 1000n);
    assertEquals(reason(await f.mempool.acceptTransaction(first)), "accepted");
    const second = child(1, 30n * COIN - 1000n, 5000n);
    const r = await f.mempool.acceptTransaction(second);
    assertEquals(reason(r), "accepted");
    assert(r.valid && r.replaced.map((e) => e.txidHex).includes(reverseHex(txid(first))));
    assertEquals(f.mempool.pool.size, 2);
  } finally {
    await f.close();
  }
});

Deno.test("mempool: same txid with another witness; spending a transaction it conflicts with", async () => {
  const f = await fixture();
  try {
    const a = spendCoinbase(f, 1, 1000n);
    assertEquals(reason(await f.mempool.acceptTransaction(a)), "accepted");
    const malleated = {
      ...a,
      inputs: a.inputs.map((i) => ({ ...i, witness: [i.witness[0], i.witness[1], new Uint8Array(1)] })),
    };
    assertEquals(reason(await f.mempool.acceptTransaction(malleated)), "txn-same-nonwitness-data-in-mempool");
    // Spends a's output and, in another input, a's own input: it conflicts with its own parent.
    const cb = f.coinbases[1];
    const bad = spendP2wpkh(
      [
        { outpoint: { txid: txid(a), vout: 0 }, value: 50n * COIN - 1000n, key },
        { outpoint: { txid: txid(cb), vout: 0 }, value: 50n * COIN, key },
      ],
      [out(100n * COIN - 1_000_000n)],
    );
    assertEquals(reason(await f.mempool.acceptTransaction(bad)), "bad-txns-spends-conflicting-tx");
  } finally {
    await f.close();
  }
});

Deno.test("mempool: a reorg that makes a coinbase spend immature removes it", async () => {
  const f = await fixture({}, 101);
  try {
    // Coinbase 2 is mature for block 102 (depth 100); after invalidating block 101 it would be at depth 99.
    const tx = spendCoinbase(f, 2, 1000n);
    assertEquals(reason(await f.mempool.acceptTransaction(tx)), "accepted");
    await f.chain.invalidateBlock(f.chain.tip().hashHex);
    await f.mempool.ready();
    assertEquals(f.mempool.pool.size, 0);
  } finally {
    await f.close();
  }
});

Deno.test("mempool: submitpackage keeps validating alone after a transaction fails for good (Core's AcceptPackage)", async () => {
  const f = await fixture();
  try {
    const cb = f.coinbases[1];
    const parent = spendP2wpkh(
      [{ outpoint: { txid: txid(cb), vout: 0 }, value: 50n * COIN, key }],
      [out(50n * COIN - 1000n)],
      { version: 4 },
    );
    const child = spendOutput(parent, 50n * COIN - 1000n, 1000n);
    const r = await f.mempool.acceptPackage([parent, child], { testAccept: false });
    assert(!r.state.valid && r.state.reason === "transaction failed");
    const byTxid = new Map([...r.results.values()].map((x) => [x.txid, x]));
    assertEquals(reason(byTxid.get(reverseHex(txid(parent)))!), "version");
    assertEquals(reason(byTxid.get(reverseHex(txid(child)))!), "bad-txns-inputs-missingorspent");
    assertEquals(f.mempool.pool.size, 0);
  } finally {
    await f.close();
  }
});

Deno.test("mempool: invalidateblock returns the transactions of its first 10 blocks only (Core's InvalidateBlock)", async () => {
  const f = await fixture();
  try {
    assertEquals(reason(await f.mempool.acceptTransaction(spendCoinbase(f, 1, 2_000n))), "accepted");
    await mineFromMempool(f);
    const txBlock = f.chain.tip().hashHex;
    for (let i = 0; i < 9; i++) await mineFromMempool(f);
    // 10 blocks disconnected: the transaction returns.
    await f.chain.invalidateBlock(txBlock);
    await f.mempool.ready();
    assertEquals(f.mempool.pool.size, 1);
    await f.chain.reconsiderBlock(txBlock);
    await f.mempool.ready();
    assertEquals(f.mempool.pool.size, 0);
    await mineFromMempool(f);
    // 11 blocks disconnected: the 11th (the transaction's) is past Core's limit.
    await f.chain.invalidateBlock(txBlock);
    await f.mempool.ready();
    assertEquals(f.mempool.pool.size, 0);
  } finally {
    await f.close();
  }
});

Deno.test("mempool: broadcasting a transaction that enters the pool meanwhile succeeds (Core checks under cs_main)", async () => {
  const f = await fixture();
  try {
    const tx = spendCoinbase(f, 1, 2_000n);
    const [a, b] = await Promise.all([
      f.mempool.broadcastTransaction(tx, 0n),
      f.mempool.broadcastTransaction(tx, 0n),
    ]);
    assertEquals([a.ok, b.ok], [true, true]);
    assertEquals(f.mempool.pool.size, 1);
  } finally {
    await f.close();
  }
});
