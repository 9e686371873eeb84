import { encodeBlock } from "../../../core/wire/block.ts";
import type { Rpc } from "../../../interfaces/rpc.ts";
import type { RpcCommandSpec } from "../../../interfaces/chain.ts";
import { makeNodeChain } from "../../../node/interfaces/chain.ts";
import { ChainClient, serveChain } from "../../../ipc/proxies/chain.ts";
import { assert, assertEquals, assertRejects } from "../../assert.ts";
import { connPair, deadline, until } from "../helpers.ts";
import { chainFixture, exerciseChain, recorder } from "../../node/interfaces/chain_fixture.ts";

Deno.test("chain over IPC: every query gives the in-process answer", async () => {
  const f = await chainFixture();
  const p = await connPair("unix", { bootstrap: serveChain(f.chain) });
  try {
    const chain = new ChainClient(p.client.bootstrap());
    await deadline(exerciseChain(chain, f), 20_000, "exercise");
    await chain.close();
  } finally {
    await p.close();
    await f.close();
  }
});

Deno.test("chain over IPC: notifications arrive in order (connect, disconnect, mempool add/remove), stop on disconnect", async () => {
  const f = await chainFixture();
  const p = await connPair("memory", { bootstrap: serveChain(f.chain) });
  try {
    const chain = new ChainClient(p.client.bootstrap());
    const r = recorder();
    const handler = await chain.handleNotifications(r);
    assertEquals(f.chain.clientCount, 1);
    const tx = f.spend(1, 10_000n);
    await f.mempool.acceptTransaction(tx);
    // A replacement evicts it: "replaced".
    const replacement = f.spend(1, 30_000n);
    await f.mempool.acceptTransaction(replacement);
    const block = await f.mine([replacement]);
    const tipHeight = f.chainstate.height();
    await f.chainstate.invalidateBlock(f.chainstate.tip().hashHex);
    await f.mempool.ready();
    await chain.waitForNotifications();
    assertEquals(r.seen.slice(0, 7), [
      "added tx 1",
      "removed replaced 2",
      "added tx 3",
      `connected ${tipHeight}`,
      "tip",
      `disconnected ${tipHeight}`,
      "tip",
    ]);
    assertEquals(r.seen.length, 8);
    assert(r.seen[7].startsWith("added tx"), r.seen[7]);
    assertEquals(r.blocks[0].data, encodeBlock(block));
    assertEquals(r.blocks[0].hash, r.blocks[1].hash);
    assertEquals(r.blocks[0].prevHash, f.chainstate.tip().hashHex);
    // Where a restarted client stands: its recorded best block's locator finds the fork point.
    const best = await chain.findBlock(r.blocks[0].prevHash, { locator: true });
    assertEquals(await chain.findLocatorFork(best!.locator!), tipHeight - 1);
    // chainStateFlushed carries the tip's locator across.
    f.chain.notifyChainStateFlushed();
    await chain.waitForNotifications();
    const tipLocator = (await f.chain.findBlock(f.chainstate.tip().hashHex, { locator: true }))!.locator!;
    assertEquals(r.seen[8], `flushed ${tipLocator.length}`);
    assertEquals(r.locators, [tipLocator]);
    // requestMempoolTransactions over IPC.
    const replay = recorder();
    await chain.requestMempoolTransactions(replay);
    assertEquals(replay.seen.length, 1);
    await handler.disconnect();
    await until(() => f.chain.clientCount === 0, 3000, "unsubscribed");
    await f.mine();
    await chain.waitForNotifications();
    assertEquals(r.seen.length, 9);
    await chain.close();
    await until(() => p.server.stats().exports <= 1, 3000, "released");
  } finally {
    await p.close();
    await f.close();
  }
});

Deno.test("chain over IPC: a client that goes away is unsubscribed", async () => {
  const f = await chainFixture(101);
  const p = await connPair("memory", { bootstrap: serveChain(f.chain) });
  try {
    const chain = new ChainClient(p.client.bootstrap());
    await chain.handleNotifications(recorder());
    assertEquals(f.chain.clientCount, 1);
    await p.client.close();
    await until(() => f.chain.clientCount === 0, 3000, "unsubscribed on disconnect");
    // The node goes on: a block with no client left is fine.
    await f.mine();
  } finally {
    await p.close();
    await f.close();
  }
});

Deno.test("chain over IPC: handleRpc hands the node the commands and a working Rpc; errors carry their text", async () => {
  const f = await chainFixture(101);
  let registered: { commands: readonly RpcCommandSpec[]; rpc: Rpc } | null = null;
  let released = false;
  const chain = makeNodeChain({
    chain: f.chainstate,
    mempool: () => f.mempool,
    fees: () => null,
    signals: f.signals,
    now: () => 0,
    handleRpc: (commands, rpc) => {
      registered = { commands, rpc };
      return { disconnect: () => Promise.resolve(), released: () => void (released = true) };
    },
  });
  const p = await connPair("memory", { bootstrap: serveChain(chain) });
  try {
    const client = new ChainClient(p.client.bootstrap());
    const spec: RpcCommandSpec = {
      name: "listwallets",
      category: "wallet",
      description: "Returns a list of wallets.",
      args: [],
      results: [{ type: "arr", inner: [{ type: "str", description: "the wallet name" }] }],
      examples: "",
    };
    await client.handleRpc([spec], {
      executeRpc: (req, uri, user) => Promise.resolve(`${req}|${uri}|${user}`),
      close: () => Promise.resolve(),
    });
    const got = registered as { commands: readonly RpcCommandSpec[]; rpc: Rpc } | null;
    assert(got !== null);
    assertEquals(got.commands, [spec]);
    assertEquals(await got.rpc.executeRpc("{}", "/wallet/w", "u"), "{}|/wallet/w|u");
    await assertRejects(() => client.getBlockHash(10_000), "out of range");
    await p.client.close();
    await until(() => released, 3000, "handler released when the client went away");
  } finally {
    await p.close();
    await f.close();
  }
});

Deno.test("chain over IPC: -debug=ipc logs each Chain call by name", async () => {
  const f = await chainFixture(101);
  const lines: string[] = [];
  const logger = {
    enabled: (c: string) => c === "ipc",
    debug: (_c: string, m: string) => void lines.push(m),
  };
  const p = await connPair("memory", { bootstrap: serveChain(f.chain), logger });
  try {
    const chain = new ChainClient(p.client.bootstrap());
    await chain.getHeight();
    await chain.isInMempool("77".repeat(32));
    await chain.close();
    const text = lines.join("\n");
    assert(/Chain\.getHeight/.test(text), text);
    assert(/Chain\.isInMempool/.test(text), text);
  } finally {
    await p.close();
    await f.close();
  }
});
