import { assert, assertEquals } from "../../assert.ts";
import { bytesEqual } from "../../../core/hash/hashes.ts";
import { chainParams } from "../../../core/chain_params.ts";
import { blockHash, encodeBlock } from "../../../core/wire/block.ts";
import { txid } from "../../../core/wire/transaction.ts";
import {
  BLOCK_HAVE_DATA,
  BLOCK_HAVE_UNDO,
  BLOCK_VALID_SCRIPTS,
  type BlockIndexRecord,
} from "../../../node/storage/block_index_db.ts";
import { addCoins } from "../../../node/storage/coins_cache.ts";
import { DATABASE_WRITE_INTERVAL_MAX_MS, NodeStorage, storagePaths } from "../../../node/storage/storage.ts";

Deno.test("storage paths follow Core's layout (main directly in the datadir)", () => {
  assertEquals(storagePaths("/d", "regtest"), {
    networkDir: "/d/regtest",
    blocksDir: "/d/regtest/blocks",
    indexDir: "/d/regtest/blocks/index",
    chainstateDir: "/d/regtest/chainstate",
  });
  assertEquals(storagePaths("/d", "main").blocksDir, "/d/blocks");
  assertEquals(storagePaths("/d", "test").chainstateDir, "/d/testnet3/chainstate");
});

Deno.test("storage: flushStateToDisk writes files, index and coins in order; reopening restores all", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "tsbtc_storage_" });
  let clock = 1_000_000;
  try {
    const params = chainParams("regtest");
    const genesis = params.genesis;
    const hash = blockHash(genesis.header);
    let s = await NodeStorage.open({ dataDir, network: "regtest", dbcacheMiB: 4, now: () => clock });
    assertEquals(s.bestBlock, undefined);
    assertEquals(s.replayRange, undefined);
    const pos = s.blockFiles.writeBlock(encodeBlock(genesis), 0, genesis.header.time);
    const undoPos = s.blockFiles.writeUndo({ txUndo: [] }, new Uint8Array(32), pos.file);
    const record: BlockIndexRecord = {
      hash,
      header: genesis.header,
      height: 0,
      status: BLOCK_VALID_SCRIPTS | BLOCK_HAVE_DATA | BLOCK_HAVE_UNDO,
      txCount: 1,
      file: pos.file,
      dataPos: pos.pos,
      undoPos: undoPos.pos,
      chainWork: 2n,
    };
    s.markBlockIndexDirty(record);
    assertEquals(s.dirtyBlockIndexCount, 1);
    await addCoins(s.coins, genesis.txs[0], 0, { checkForOverwrite: false });
    s.coins.setBestBlock(hash);
    // Nothing forces a write yet.
    assertEquals(await s.flushStateToDisk("if-needed"), { wrote: false, emptiedCache: false });
    assertEquals(await s.flushStateToDisk("periodic"), { wrote: false, emptiedCache: false });
    clock += DATABASE_WRITE_INTERVAL_MAX_MS;
    assertEquals(await s.flushStateToDisk("periodic"), { wrote: true, emptiedCache: false });
    assertEquals(s.dirtyBlockIndexCount, 0);
    assertEquals(s.coins.cacheSize, 1);
    assertEquals(await s.flushStateToDisk("force-flush"), { wrote: true, emptiedCache: true });
    assertEquals(s.coins.cacheSize, 0);
    s.close();

    s = await NodeStorage.open({ dataDir, network: "regtest" });
    assert(bytesEqual(s.bestBlock!, hash));
    const loaded = await Array.fromAsync(s.blockIndex.loadBlockIndex());
    assertEquals(loaded, [record]);
    assertEquals(s.blockFiles.readBlock(pos, hash), encodeBlock(genesis));
    assertEquals(s.blockFiles.readUndo(undoPos, new Uint8Array(32)), { txUndo: [] });
    const coin = await s.coins.getCoin({ txid: txid(genesis.txs[0]), vout: 0 });
    assertEquals(coin?.out.value, 5000000000n);
    // Appends continue after the recorded end.
    const next = s.blockFiles.writeBlock(new Uint8Array(100), 1, 1);
    assertEquals(next.pos, pos.pos + encodeBlock(genesis).length + 8);
    s.close();
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("storage: -reindex-chainstate and -reindex wipes; rebuilding file info from a scan", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "tsbtc_storage_" });
  try {
    const genesis = chainParams("regtest").genesis;
    const hash = blockHash(genesis.header);
    let s = await NodeStorage.open({ dataDir, network: "regtest" });
    const pos = s.blockFiles.writeBlock(encodeBlock(genesis), 0, genesis.header.time);
    s.markBlockIndexDirty({
      hash,
      header: genesis.header,
      height: 0,
      status: BLOCK_VALID_SCRIPTS | BLOCK_HAVE_DATA,
      txCount: 1,
      file: 0,
      dataPos: pos.pos,
      undoPos: 0,
      chainWork: 2n,
    });
    await addCoins(s.coins, genesis.txs[0], 0, { checkForOverwrite: false });
    s.coins.setBestBlock(hash);
    await s.flushStateToDisk("force-flush");
    s.close();

    s = await NodeStorage.open({ dataDir, network: "regtest", wipeChainstate: true });
    assertEquals(s.bestBlock, undefined);
    assertEquals((await Array.fromAsync(s.blockIndex.loadBlockIndex())).length, 1);
    s.close();

    s = await NodeStorage.open({ dataDir, network: "regtest", wipeBlockIndex: true, wipeChainstate: true });
    assertEquals((await Array.fromAsync(s.blockIndex.loadBlockIndex())).length, 0);
    assertEquals(s.blockFiles.fileInfo(0).size, 0);
    const found = [...s.blockFiles.scanBlockFile(0)];
    assertEquals(found.length, 1);
    assertEquals(found[0].pos, pos);
    s.blockFiles.noteBlockOnDisk(found[0].pos, found[0].data.length, 0, genesis.header.time);
    const next = s.blockFiles.writeBlock(new Uint8Array(90), 1, 1);
    assertEquals(next.pos, pos.pos + found[0].data.length + 8);
    s.close();
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
