import { assert, assertEquals } from "../../assert.ts";
import { chainParams } from "../../../core/chain_params.ts";
import { toHex } from "../../../core/hash/hashes.ts";
import { txid } from "../../../core/wire/transaction.ts";
import { blockHash } from "../../../core/wire/block.ts";
import { hashToHex } from "../../../node/chain/block_index.ts";
import type { Block } from "../../../core/wire/types.ts";
import { type ChainstateImpl, openChainstate } from "../../../node/chain/chainstate.ts";
import { encodeCoin } from "../../../node/storage/coins.ts";
import { NodeStorage } from "../../../node/storage/storage.ts";
import { buildBlock, spendP2wpkh, testKey } from "./block_builder.ts";

const params = chainParams("regtest");
const key = testKey(1);

async function utxos(cs: ChainstateImpl): Promise<Map<string, string>> {
  await cs.flush();
  const m = new Map<string, string>();
  for await (const e of cs.storage.coinsDb.entries()) {
    m.set(`${toHex(e.outpoint.txid)}:${e.outpoint.vout}`, toHex(encodeCoin(e.coin)));
  }
  return m;
}

Deno.test("chainstate: -reindex and -reindex-chainstate rebuild the same tip and UTXO set", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    let cs = await openChainstate({ dataDir, params, workers: 0 });
    const mined = [];
    for (let i = 0; i < 105; i++) {
      const b = buildBlock({ prev: cs.tip(), params });
      assert((await cs.processNewBlock(b)).state.valid);
      mined.push(b);
    }
    // A stale branch block and a spend, so the files hold more than the active chain.
    const stale = buildBlock({ prev: cs.atHeight(104)!, params, extraNonce: 5 });
    assert((await cs.processNewBlock(stale)).state.valid);
    const cb = mined[0].txs[0];
    const spend = spendP2wpkh(
      [{ outpoint: { txid: txid(cb), vout: 0 }, value: cb.outputs[0].value, key }],
      [{ value: cb.outputs[0].value - 1000n, scriptPubKey: key.script }],
    );
    assert(
      (await cs.processNewBlock(buildBlock({ prev: cs.tip(), params, txs: [spend], fees: 1000n }))).state
        .valid,
    );
    const tip = cs.tip().hashHex;
    const set = await utxos(cs);
    // 106 coinbase outputs (commitments are unspendable), one spent, one created.
    assertEquals(set.size, 106);
    await cs.close();

    let expectTip = tip;
    let expectSet = set;
    let height = 106;
    for (const opts of [{ reindexChainstate: true }, { reindex: true }]) {
      cs = await openChainstate({ dataDir, params, workers: 0, ...opts });
      assertEquals(cs.tip().hashHex, expectTip);
      assertEquals(cs.height(), height);
      assertEquals(await utxos(cs), expectSet);
      assert(cs.lookup(hashHexOf(stale)) !== undefined);
      // Mining continues after a reindex without overwriting the files.
      assert((await cs.processNewBlock(buildBlock({ prev: cs.tip(), params, extraNonce: 9 }))).state.valid);
      expectTip = cs.tip().hashHex;
      expectSet = await utxos(cs);
      height++;
      await cs.close();
      cs = await openChainstate({ dataDir, params, workers: 0 });
      assertEquals(cs.tip().hashHex, expectTip);
      assertEquals(await utxos(cs), expectSet);
      await cs.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

function hashHexOf(b: Block): string {
  return hashToHex(blockHash(b.header));
}

Deno.test("chainstate: an interrupted -reindex starts again on the next open", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    let cs = await openChainstate({ dataDir, params, workers: 0 });
    for (let i = 0; i < 12; i++) {
      assert((await cs.processNewBlock(buildBlock({ prev: cs.tip(), params }))).state.valid);
    }
    const tip = cs.tip().hashHex;
    const set = await utxos(cs);
    await cs.close();
    // As if a reindex had wiped the index and died: empty index, old chainstate, the reindexing flag set.
    const storage = await NodeStorage.open({ dataDir, network: "regtest", wipeBlockIndex: true });
    await storage.blockIndex.writeReindexing(true);
    storage.close();
    cs = await openChainstate({ dataDir, params, workers: 0 });
    assertEquals(cs.tip().hashHex, tip);
    assertEquals(await utxos(cs), set);
    assertEquals(await cs.storage.blockIndex.readReindexing(), false);
    await cs.close();
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
