import { assertEquals } from "../../assert.ts";
import { encodeBlock } from "../../../core/wire/block.ts";
import { chainFixture, exerciseChain, recorder } from "./chain_fixture.ts";

Deno.test("node chain: every query answers from the chainstate and mempool", async () => {
  const f = await chainFixture();
  try {
    await exerciseChain(f.chain, f);
  } finally {
    await f.close();
  }
});

Deno.test("node chain: notifications arrive in order, one at a time, until disconnected", async () => {
  const f = await chainFixture();
  try {
    const r = recorder();
    const handler = await f.chain.handleNotifications(r);
    const tx = f.spend(1);
    await f.mempool.acceptTransaction(tx);
    const block = await f.mine([tx]);
    await f.chainstate.invalidateBlock(f.chainstate.tip().hashHex);
    await f.mempool.ready();
    await f.chain.waitForNotifications();
    assertEquals(r.seen, [
      `added tx ${1}`,
      `connected ${f.blocks.length - 1}`,
      "tip",
      `disconnected ${f.blocks.length - 1}`,
      "tip",
      "added tx 3",
    ]);
    const connected = r.blocks[0];
    assertEquals(connected.hash, f.chainstate.lookup(connected.hash)!.hashHex);
    assertEquals(connected.prevHash, f.chainstate.tip().hashHex);
    assertEquals(connected.data, encodeBlock(block));
    assertEquals(connected.chainTimeMax, block.header.time);
    // The mempool again has the transaction: requestMempoolTransactions replays it.
    const replay = recorder();
    await f.chain.requestMempoolTransactions(replay);
    const entry = [...f.mempool.pool.entries()][0];
    assertEquals(replay.seen, [`added tx ${entry.sequence}`]);
    await handler.disconnect();
    await f.mine();
    await f.chain.waitForNotifications();
    assertEquals(r.seen.length, 6);
    assertEquals(f.chain.clientCount, 0);
  } finally {
    await f.close();
  }
});
