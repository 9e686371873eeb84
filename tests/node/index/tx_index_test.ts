import { chainParams } from "../../../core/chain_params.ts";
import { reverseHex } from "../../../core/hash/hashes.ts";
import { encodeBlockLocator } from "../../../core/wire/locator.ts";
import { txid } from "../../../core/wire/transaction.ts";
import type { Block } from "../../../core/wire/types.ts";
import { type ChainstateImpl, openChainstate } from "../../../node/chain/chainstate.ts";
import { INDEX_BEST_BLOCK_KEY, INDEX_DB_FILE } from "../../../node/index/base_index.ts";
import { decodeDiskTxPos, encodeDiskTxPos, TxIndex } from "../../../node/index/tx_index.ts";
import { assert, assertEquals, assertRejects } from "../../assert.ts";
import { buildBlock, spendP2wpkh, testKey } from "../chain/block_builder.ts";

const params = chainParams("regtest");

async function mine(cs: ChainstateImpl, n: number, extraNonce = 0): Promise<Block[]> {
  const out: Block[] = [];
  for (let i = 0; i < n; i++) {
    const block = buildBlock({ prev: cs.tip(), params, extraNonce });
    const r = await cs.processNewBlock(block);
    assert(r.state.valid, JSON.stringify(r.state));
    out.push(block);
  }
  return out;
}

async function waitSynced(index: TxIndex, height: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(index.synced && index.summary().bestBlockHeight === height)) {
    if (index.error) throw index.error;
    if (Date.now() > deadline) throw new Error(`index stuck at ${JSON.stringify(index.summary())}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function withChain(f: (cs: ChainstateImpl, dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tsbtc-txindex-" });
  const cs = await openChainstate({ dataDir: dir, params, workers: 0 });
  try {
    await f(cs, `${dir}/regtest`);
  } finally {
    await cs.close().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("txindex: indexes every block in batches, finds transactions, skips genesis", async () => {
  await withChain(async (cs, netDataDir) => {
    const blocks = await mine(cs, 101);
    // A block with a spend of block 1's coinbase.
    const cb = blocks[0].txs[0];
    const spend = spendP2wpkh(
      [{ outpoint: { txid: txid(cb), vout: 0 }, value: cb.outputs[0].value, key: testKey(1) }],
      [{ value: cb.outputs[0].value - 1000n, scriptPubKey: testKey(2).script }],
    );
    const withSpend = buildBlock({ prev: cs.tip(), params, txs: [spend], fees: 1000n });
    assert((await cs.processNewBlock(withSpend)).state.valid);
    let commits = 0;
    const index = await TxIndex.open({
      netDataDir,
      chain: cs,
      // Small commits: 7 mutations each (6 entries and the locator).
      limits: { maxMutations: 7, maxKeyBytes: 80_000, maxMutationBytes: 800_000 },
      onCommit: () => {
        commits++;
      },
    });
    try {
      assertEquals(index.summary(), {
        name: "txindex",
        synced: false,
        bestBlockHeight: 0,
        bestBlockHash: "",
      });
      assertEquals(await index.blockUntilSyncedToCurrentChain(), false);
      index.start();
      await waitSynced(index, 102);
      assert(commits >= 15, `commits ${commits}`);
      assertEquals(await index.blockUntilSyncedToCurrentChain(), true);
      const found = await index.findTx(txid(spend));
      assert(found !== null);
      assertEquals(reverseHex(txid(found.tx)), reverseHex(txid(spend)));
      assertEquals(found.block.height, 102);
      assertEquals(found.tx.inputs[0].witness.length, 2);
      for (const [h, b] of blocks.entries()) {
        const f = await index.findTx(txid(b.txs[0]));
        assertEquals(f?.block.height, h + 1);
      }
      assertEquals(await index.findTx(txid(params.genesis.txs[0])), null);
      assertEquals(await index.findTx(new Uint8Array(32)), null);
      // New blocks are followed; blockUntilSyncedToCurrentChain waits for them.
      const more = await mine(cs, 3);
      assertEquals(await index.blockUntilSyncedToCurrentChain(), true);
      assertEquals(index.summary().bestBlockHeight, 105);
      assertEquals((await index.findTx(txid(more[2].txs[0])))?.block.hashHex, cs.tip().hashHex);
    } finally {
      await index.close();
    }
  });
});

Deno.test("txindex: restart resumes from the stored locator; wipe starts over", async () => {
  await withChain(async (cs, netDataDir) => {
    await mine(cs, 10);
    let index = await TxIndex.open({ netDataDir, chain: cs });
    index.start();
    await waitSynced(index, 10);
    await index.close();
    const later = await mine(cs, 5);
    let heights: number[] = [];
    index = await TxIndex.open({ netDataDir, chain: cs, onCommit: (b) => void heights.push(b!.height) });
    assertEquals(index.summary().bestBlockHeight, 10);
    assertEquals(index.synced, false);
    index.start();
    await waitSynced(index, 15);
    assertEquals(heights, [15]);
    assert((await index.findTx(txid(later[4].txs[0]))) !== null);
    await index.close();
    // Opened at the tip: synced at once.
    index = await TxIndex.open({ netDataDir, chain: cs });
    assertEquals(index.summary().synced, true);
    await index.close();
    heights = [];
    index = await TxIndex.open({ netDataDir, chain: cs, wipe: true });
    assertEquals(index.summary().bestBlockHeight, 0);
    assertEquals(index.bestBlock, null);
    index.start();
    await waitSynced(index, 15);
    await index.close();
  });
});

Deno.test("txindex: reorgs rewind the best block; entries of stale blocks stay", async () => {
  await withChain(async (cs, netDataDir) => {
    await mine(cs, 5);
    const index = await TxIndex.open({ netDataDir, chain: cs });
    index.start();
    try {
      const old = await mine(cs, 3);
      await waitSynced(index, 8);
      await cs.invalidateBlock(cs.atHeight(6)!.hashHex);
      const fresh = await mine(cs, 4, 7);
      assertEquals(cs.height(), 9);
      await index.blockUntilSyncedToCurrentChain();
      assertEquals(index.summary().bestBlockHash, cs.tip().hashHex);
      const f = await index.findTx(txid(fresh[3].txs[0]));
      assertEquals(f?.block.height, 9);
      // The coinbase of a disconnected block is still found, in its (stale) block.
      const stale = await index.findTx(txid(old[2].txs[0]));
      assert(stale !== null && !cs.contains(stale.block));
    } finally {
      await index.close();
    }
  });
});

Deno.test("txindex: a locator naming blocks the node lost resumes at the last known one; stale entries", async () => {
  await withChain(async (cs, netDataDir) => {
    const blocks = await mine(cs, 12);
    let index = await TxIndex.open({ netDataDir, chain: cs });
    index.start();
    await waitSynced(index, 12);
    await index.close();
    // As after a kill -9 that lost the chainstate's last blocks: the locator starts with unknown hashes.
    const kv = await Deno.openKv(`${netDataDir}/indexes/txindex/${INDEX_DB_FILE}`);
    const unknown = [new Uint8Array(32).fill(7), new Uint8Array(32).fill(8)];
    const known = [9, 8, 7].map((h) => cs.atHeight(h)!.hash);
    await kv.set(INDEX_BEST_BLOCK_KEY, encodeBlockLocator([...unknown, ...known]));
    // A stale entry: the coinbase of block 12 pointing at block 11's coinbase bytes.
    const id12 = txid(blocks[11].txs[0]);
    const pos11 = decodeDiskTxPos((await kv.get<Uint8Array>(["t", txid(blocks[10].txs[0])])).value!);
    await kv.set(["t", id12], encodeDiskTxPos(pos11));
    kv.close();
    index = await TxIndex.open({ netDataDir, chain: cs });
    assertEquals(index.summary().bestBlockHeight, 9);
    assertEquals(await index.findTx(id12), null, "txid mismatch is not found");
    index.start();
    await waitSynced(index, 12);
    assertEquals((await index.findTx(id12))?.block.height, 12, "re-indexed");
    await index.close();
    // Nothing known at all: Core's error.
    const kv2 = await Deno.openKv(`${netDataDir}/indexes/txindex/${INDEX_DB_FILE}`);
    await kv2.set(INDEX_BEST_BLOCK_KEY, encodeBlockLocator(unknown));
    kv2.close();
    await assertRejects(
      () => TxIndex.open({ netDataDir, chain: cs }),
      "txindex: best block of the index not found. Please rebuild the index.",
    );
  });
});

Deno.test("txindex: kill -9 in the middle of a sync resumes from the last commit", async () => {
  await withChain(async (cs, netDataDir) => {
    const blocks = await mine(cs, 40);
    await cs.close();
    const dataDir = netDataDir.slice(0, -"/regtest".length);
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--unstable-kv",
        "-A",
        new URL("./crash_child.ts", import.meta.url).pathname,
        dataDir,
        "7",
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const status = await child.status;
    assertEquals(status.signal, "SIGKILL");
    const killedAt = Number(await Deno.readTextFile(`${dataDir}/killed-at`));
    assert(killedAt > 0 && killedAt < 40, `killed at ${killedAt}`);
    const cs2 = await openChainstate({ dataDir, params, workers: 0 });
    try {
      const index = await TxIndex.open({ netDataDir, chain: cs2 });
      assertEquals(index.summary().bestBlockHeight, killedAt);
      assertEquals(index.synced, false);
      index.start();
      await waitSynced(index, 40);
      for (const [h, b] of blocks.entries()) {
        assertEquals((await index.findTx(txid(b.txs[0])))?.block.height, h + 1);
      }
      await index.close();
    } finally {
      await cs2.close();
    }
  });
});

Deno.test("txindex: a chain of genesis only is indexed and recorded (synced at once when reopened)", async () => {
  await withChain(async (cs, netDataDir) => {
    let index = await TxIndex.open({ netDataDir, chain: cs });
    assertEquals([index.synced, index.bestBlock], [false, null]);
    index.start();
    await waitSynced(index, 0);
    assertEquals(index.bestBlock?.hashHex, cs.tip().hashHex);
    await index.close();
    index = await TxIndex.open({ netDataDir, chain: cs });
    assertEquals([index.synced, index.bestBlock?.height], [true, 0]);
    await index.close();
  });
});
