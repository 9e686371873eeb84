import { assert, assertEquals } from "../../assert.ts";
import { chainParams } from "../../../core/chain_params.ts";
import { sha256 } from "../../../core/hash/hashes.ts";
import { blockHash } from "../../../core/wire/block.ts";
import { txid } from "../../../core/wire/transaction.ts";
import type { Block, Transaction } from "../../../core/wire/types.ts";
import { hashToHex } from "../../../node/chain/block_index.ts";
import { type ChainstateImpl, openChainstate } from "../../../node/chain/chainstate.ts";
import { buildBlock, solve, spendP2wpkh, testKey } from "./block_builder.ts";
import { ScriptCheckPool } from "../../../core/verify/mod.ts";
import { waitFor } from "../../helpers.ts";

const params = chainParams("regtest");
const key = testKey(1);

function hexOf(b: Block): string {
  return hashToHex(blockHash(b.header));
}

async function submit(cs: ChainstateImpl, block: Block): Promise<string> {
  const r = await cs.processNewBlock(block);
  return r.state.valid ? "ok" : r.state.reason;
}

async function withChain(
  blocks: number,
  f: (cs: ChainstateImpl, mined: Block[]) => Promise<void>,
): Promise<void> {
  const dataDir = await Deno.makeTempDir();
  const cs = await openChainstate({ dataDir, params, workers: 1 });
  try {
    const mined: Block[] = [];
    for (let i = 0; i < blocks; i++) {
      const b = buildBlock({ prev: cs.tip(), params });
      assertEquals(await submit(cs, b), "ok");
      mined.push(b);
    }
    await f(cs, mined);
  } finally {
    await cs.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

function spendCoinbase(b: Block, to: Uint8Array, value: bigint): Transaction {
  const cb = b.txs[0];
  return spendP2wpkh(
    [{ outpoint: { txid: txid(cb), vout: 0 }, value: cb.outputs[0].value, key }],
    [{ value, scriptPubKey: to }],
  );
}

Deno.test("chain rules: sigop cost above the block limit is bad-blk-sigops", async () => {
  await withChain(102, async (cs, mined) => {
    // 4001 OP_CHECKMULTISIG count 20 witness sigops each: 80,020 > MAX_BLOCK_SIGOPS_COST.
    const witnessScript = new Uint8Array(4001).fill(0xae);
    const p2wsh = new Uint8Array([0x00, 0x20, ...sha256(witnessScript)]);
    const fund = spendCoinbase(mined[0], p2wsh, 49_0000_0000n);
    assertEquals(await submit(cs, buildBlock({ prev: cs.tip(), params, txs: [fund] })), "ok");
    const spend: Transaction = {
      version: 2,
      inputs: [{
        prevout: { txid: txid(fund), vout: 0 },
        scriptSig: new Uint8Array(0),
        sequence: 0,
        witness: [witnessScript],
      }],
      outputs: [{ value: 1_0000_0000n, scriptPubKey: key.script }],
      locktime: 0,
    };
    const tip = cs.tip().hashHex;
    assertEquals(await submit(cs, buildBlock({ prev: cs.tip(), params, txs: [spend] })), "bad-blk-sigops");
    assertEquals(cs.tip().hashHex, tip);
  });
});

Deno.test("chain rules: witness weight above 4M is bad-blk-weight", async () => {
  await withChain(101, async (cs, mined) => {
    const tx = spendCoinbase(mined[0], key.script, 49_0000_0000n);
    const heavy: Transaction = {
      ...tx,
      inputs: [{ ...tx.inputs[0], witness: [...tx.inputs[0].witness, new Uint8Array(4_000_000)] }],
    };
    assertEquals(await submit(cs, buildBlock({ prev: cs.tip(), params, txs: [heavy] })), "bad-blk-weight");
    assertEquals(cs.height(), 101);
  });
});

Deno.test("chain rules: preciousblock, ties, duplicates, headers, bad-prevblk, testBlockValidity", async () => {
  await withChain(3, async (cs) => {
    const base = cs.tip();
    const a = buildBlock({ prev: base, params, extraNonce: 1 });
    const b = buildBlock({ prev: base, params, extraNonce: 2 });
    assertEquals(await submit(cs, a), "ok");
    assertEquals(await submit(cs, b), "ok");
    // Equal work: the block received first stays.
    assertEquals(cs.tip().hashHex, hexOf(a));
    const events: string[] = [];
    cs.subscribe({
      blockConnected: (_b, e) => events.push(`c${e.hashHex.slice(0, 8)}`),
      blockDisconnected: (_b, e) => events.push(`d${e.hashHex.slice(0, 8)}`),
    });
    await cs.preciousBlock(hexOf(b));
    assertEquals(cs.tip().hashHex, hexOf(b));
    assertEquals(events, [`d${hexOf(a).slice(0, 8)}`, `c${hexOf(b).slice(0, 8)}`]);
    await cs.preciousBlock(hexOf(a));
    assertEquals(cs.tip().hashHex, hexOf(a));

    // Duplicate.
    const dup = await cs.processNewBlock(a);
    assertEquals(dup.newBlock, false);
    assert(dup.state.valid);

    // Headers: one on the tip is accepted without data; one with an unknown parent is not.
    const next = buildBlock({ prev: cs.tip(), params });
    assert((await cs.processNewBlockHeaders([next.header])).valid);
    const entry = cs.lookup(hexOf(next))!;
    assertEquals(entry.haveData, false);
    assertEquals(cs.tip().hashHex, hexOf(a));
    const orphan = solve({ ...next.header, prevBlock: new Uint8Array(32).fill(7) }, params);
    const r = await cs.processNewBlockHeaders([orphan]);
    assertEquals(r.valid ? "ok" : r.reason, "prev-blk-not-found");
    // The block of the known header connects.
    assertEquals(await submit(cs, next), "ok");
    assertEquals(cs.tip().hashHex, hexOf(next));

    // testBlockValidity: no side effects; reasons as in processNewBlock.
    const candidate = buildBlock({ prev: cs.tip(), params });
    assert((await cs.testBlockValidity(candidate)).valid);
    assertEquals(cs.lookup(hexOf(candidate)), undefined);
    const greedy = buildBlock({ prev: cs.tip(), params, coinbaseValue: 51_0000_0000n });
    const t = await cs.testBlockValidity(greedy);
    assertEquals(t.valid ? "ok" : t.reason, "bad-cb-amount");
    const stale = await cs.testBlockValidity(buildBlock({ prev: base, params, extraNonce: 9 }));
    assertEquals(stale.valid ? "ok" : stale.reason, "inconclusive-not-best-prevblk");

    // A block on an invalidated block: bad-prevblk; reconsider brings the branch back.
    const tipHex = cs.tip().hashHex;
    await cs.invalidateBlock(tipHex);
    assertEquals(cs.tip().hashHex, hexOf(a));
    assertEquals(cs.lookup(tipHex)?.failed, "failed");
    assertEquals(await submit(cs, buildBlock({ prev: cs.lookup(tipHex)!, params })), "bad-prevblk");
    await cs.reconsiderBlock(tipHex);
    assertEquals(cs.tip().hashHex, tipHex);
    // The genesis block cannot be invalidated (a no-op, as in Core).
    await cs.invalidateBlock(params.consensus.hashGenesisBlock);
    assertEquals(cs.tip().hashHex, tipHex);
    assertEquals(cs.atHeight(0)!.failed, "none");
    // invalidateblock of genesis' child leaves the genesis tip.
    await cs.invalidateBlock(cs.atHeight(1)!.hashHex);
    assertEquals(cs.height(), 0);
    await cs.reconsiderBlock(cs.lookup(tipHex)!.prev!.prev!.prev!.prev!.hashHex);
    assertEquals(cs.tip().hashHex, tipHex);
  });
});

Deno.test("chain rules: a longer branch with an invalid block falls back; failures survive a restart", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    let cs = await openChainstate({ dataDir, params, workers: 1 });
    for (let i = 0; i < 5; i++) assertEquals(await submit(cs, buildBlock({ prev: cs.tip(), params })), "ok");
    const oldTip = cs.tip().hashHex;
    const events: string[] = [];
    cs.subscribe({
      blockConnected: (_b, e) => events.push(`c${e.height}`),
      blockDisconnected: (_b, e) => events.push(`d${e.height}`),
      updatedBlockTip: (tip) => events.push(`t${tip.height}`),
    });
    const fork = cs.atHeight(4)!;
    const a1 = buildBlock({ prev: fork, params, extraNonce: 1 });
    assertEquals(await submit(cs, a1), "ok");
    // Found only by ConnectBlock: the reorg connects a1, fails a2, and returns to the old tip (equal work, first seen).
    const a2 = buildBlock({ prev: cs.lookup(hexOf(a1))!, params, coinbaseValue: 50_0000_0001n });
    assertEquals(await submit(cs, a2), "bad-cb-amount");
    assertEquals(cs.tip().hashHex, oldTip);
    assertEquals(cs.lookup(hexOf(a2))?.failed, "failed");
    assertEquals(cs.lookup(hexOf(a1))?.failed, "none");
    assertEquals(events, ["d5", "c5", "t5", "d5", "c5", "t5"]);
    await cs.invalidateBlock(oldTip);
    assertEquals(cs.tip().hashHex, hexOf(a1));
    await cs.close();
    cs = await openChainstate({ dataDir, params, workers: 1 });
    assertEquals(cs.tip().hashHex, hexOf(a1));
    assertEquals(cs.lookup(oldTip)?.failed, "failed");
    assertEquals(cs.lookup(hexOf(a2))?.failed, "failed");
    const again = await cs.processNewBlock(a2);
    assertEquals(again.state.valid ? "ok" : again.state.reason, "duplicate-invalid");
    await cs.reconsiderBlock(oldTip);
    // Equal work: blocks loaded from disk share a sequence id, so the current tip stays (Core: unspecified).
    assertEquals(cs.lookup(oldTip)?.failed, "none");
    assertEquals(cs.tip().hashHex, hexOf(a1));
    await cs.preciousBlock(oldTip);
    assertEquals(cs.tip().hashHex, oldTip);
    await cs.close();
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("chain rules: a block stored before its parent's data connects when the parent arrives", async () => {
  await withChain(2, async (cs) => {
    const parent = buildBlock({ prev: cs.tip(), params });
    assert((await cs.processNewBlockHeaders([parent.header])).valid);
    const child = buildBlock({ prev: cs.lookup(hexOf(parent))!, params });
    const orphanChild = buildBlock({ prev: cs.lookup(hexOf(parent))!, params, extraNonce: 3 });
    // Unknown parent: not stored.
    const grandchild = buildBlock({ prev: cs.tip(), params, extraNonce: 4 });
    const unknown = await cs.processNewBlock({
      ...grandchild,
      header: solve({ ...grandchild.header, prevBlock: new Uint8Array(32).fill(9) }, params),
    });
    assertEquals(unknown.state.valid ? "ok" : unknown.state.reason, "prev-blk-not-found");
    const r = await cs.processNewBlock(child);
    assert(r.newBlock && r.state.valid);
    assertEquals(cs.height(), 2);
    assertEquals(cs.lookup(hexOf(child))!.chainTx, 0);
    assertEquals(await submit(cs, parent), "ok");
    assertEquals(cs.height(), 4);
    assertEquals(cs.tip().hashHex, hexOf(child));
    assertEquals(cs.tip().chainTx, 5);
    assertEquals(await submit(cs, orphanChild), "ok");
    assertEquals(cs.tip().hashHex, hexOf(child));
  });
});

Deno.test("chain rules: BIP30 — a repeated transaction is bad-txns-BIP30 with its coins in the cache or on disk", async () => {
  await withChain(101, async (cs, mined) => {
    const fund = spendCoinbase(mined[0], key.script, 49_0000_0000n);
    assertEquals(await submit(cs, buildBlock({ prev: cs.tip(), params, txs: [fund] })), "ok");
    const tip = cs.tip().hashHex;
    // The coins are in the tip cache, then only in Deno KV after a flush that empties the cache.
    assertEquals(
      await submit(cs, buildBlock({ prev: cs.tip(), params, txs: [fund], extraNonce: 1 })),
      "bad-txns-BIP30",
    );
    await cs.storage.flushStateToDisk("force-flush");
    assertEquals(cs.storage.coins.cacheSize, 0);
    assertEquals(
      await submit(cs, buildBlock({ prev: cs.tip(), params, txs: [fund], extraNonce: 2 })),
      "bad-txns-BIP30",
    );
    // A spend of a missing coin without a repeat keeps its own reason.
    const other = spendCoinbase(mined[1], key.script, 49_0000_0000n);
    const missing = {
      ...other,
      inputs: [{ ...other.inputs[0], prevout: { txid: new Uint8Array(32).fill(3), vout: 0 } }],
    };
    assertEquals(
      await submit(cs, buildBlock({ prev: cs.tip(), params, txs: [missing], extraNonce: 3 })),
      "bad-txns-inputs-missingorspent",
    );
    assertEquals(cs.tip().hashHex, tip);
  });
});

Deno.test("chain rules: BIP30 before BIP34 (-testactivationheight=bip34@200): a repeated coinbase is rejected", async () => {
  const p = chainParams("regtest", { activationHeights: { bip34: 200 } });
  const dataDir = await Deno.makeTempDir();
  const cs = await openChainstate({ dataDir, params: p, workers: 0 });
  try {
    // Identical coinbases (same height push, same payout) at two heights below the BIP34 height.
    assertEquals(await submit(cs, buildBlock({ prev: cs.tip(), params: p, cbHeight: 7 })), "ok");
    const tip = cs.tip().hashHex;
    await cs.storage.flushStateToDisk("force-flush");
    const again = buildBlock({ prev: cs.tip(), params: p, cbHeight: 7 });
    assertEquals(await submit(cs, again), "bad-txns-BIP30");
    assertEquals(cs.tip().hashHex, tip);
    // A different coinbase at the same height is fine.
    assertEquals(await submit(cs, buildBlock({ prev: cs.tip(), params: p, cbHeight: 8 })), "ok");
  } finally {
    await cs.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("chainstate: usePoolWhenNeeded starts the Worker pool only when a block has scripts to verify", async () => {
  const dataDir = await Deno.makeTempDir();
  const cs = await openChainstate({ dataDir, params, workers: 0 });
  try {
    let created = 0;
    let pool: ScriptCheckPool | undefined;
    cs.usePoolWhenNeeded(async () => {
      created++;
      pool = await ScriptCheckPool.create({ workers: 1, mainThreadWorks: true });
      return pool;
    });
    const mined: Block[] = [];
    for (let i = 0; i < 101; i++) {
      const b = buildBlock({ prev: cs.tip(), params });
      assertEquals(await submit(cs, b), "ok");
      mined.push(b);
    }
    assertEquals(created, 0);
    const spend = spendCoinbase(mined[0], key.script, 49_0000_0000n);
    assertEquals(
      await submit(cs, buildBlock({ prev: cs.tip(), params, txs: [spend], fees: 1_0000_0000n })),
      "ok",
    );
    assertEquals(created, 1);
    // Once ready, the pool verifies the next blocks (a bad signature is still caught).
    await waitFor(() => pool !== undefined, 10_000, "the pool");
    await cs.flush(); // runs after usePool in the chain's queue
    const bad = spendCoinbase(mined[1], key.script, 49_0000_0000n);
    const sig = bad.inputs[0].witness[0].slice();
    sig[10] ^= 1;
    const tampered = { ...bad, inputs: [{ ...bad.inputs[0], witness: [sig, bad.inputs[0].witness[1]] }] };
    const r = await submit(cs, buildBlock({ prev: cs.tip(), params, txs: [tampered], fees: 1_0000_0000n }));
    assert(r.startsWith("block-script-verify-flag-failed"), r);
    assertEquals(created, 1);
  } finally {
    await cs.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
