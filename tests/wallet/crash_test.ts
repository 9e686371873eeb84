/**
 * Crash safety of the wallet process: `kill -9` while addresses are handed out, right after a transaction is
 * committed, and during a rescan loses no key, no transaction, and reuses no coin after the restart.
 */
import { assert, assertEquals } from "../assert.ts";
import { startNode, type TestNode, waitFor } from "../helpers.ts";
import { ok, walletCall, walletReady } from "./wallet_rpc_helpers.ts";

/** Pid of the node's wallet process (a child of the node process this test started). */
async function walletPid(node: TestNode): Promise<number> {
  const out = await new Deno.Command("ps", { args: ["-o", "pid=,args=", "--ppid", String(node.child.pid)] })
    .output();
  const line = new TextDecoder().decode(out.stdout).split("\n").find((l) => / wallet -ipcfd=/.test(l));
  assert(line !== undefined, "the wallet process is running");
  return Number(line.trim().split(/\s+/)[0]);
}

/** Kills the wallet process with SIGKILL and waits for the node to start a new one with its wallets. */
async function crashWallet(node: TestNode, wallet: string): Promise<void> {
  const pid = await walletPid(node);
  Deno.kill(pid, "SIGKILL");
  await waitFor(
    async () => {
      try {
        return (await walletPid(node)) !== pid;
      } catch {
        return false;
      }
    },
    20_000,
    "a new wallet process",
  );
  await walletReady(node);
  await waitFor(
    async () => ((await walletCall(node, "listwallets")).result as string[]).includes(wallet),
    20_000,
  );
}

Deno.test("wallet crash: kill -9 during getnewaddress, after commit and during a rescan loses nothing", async () => {
  const node = await startNode(["-keypool=30", "-fallbackfee=0.0002"]);
  try {
    await walletReady(node);
    await ok(node, "createwallet", ["w", false, false, null, false, true, true]);

    // 1. Addresses handed out before the crash are never handed out again.
    const given = new Set<string>();
    for (let i = 0; i < 10; i++) given.add(await ok<string>(node, "getnewaddress", [], "w"));
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 60; i++) {
      pending.push(
        walletCall(node, "getnewaddress", [], "w").then((r) => {
          if (r.error === null) given.add(r.result as string);
        }, () => {}),
      );
      if (i === 30) pending.push(crashWallet(node, "w"));
    }
    await Promise.all(pending);
    assert(given.size > 0);
    for (let i = 0; i < 40; i++) {
      const a = await ok<string>(node, "getnewaddress", [], "w");
      assert(!given.has(a), `address ${a} handed out twice`);
      given.add(a);
    }

    // 2. A committed transaction survives a crash right after sendtoaddress returns; its coin is not reused.
    const mine = await ok<string>(node, "getnewaddress", [], "w");
    await ok(node, "generatetoaddress", [101, mine]);
    await waitFor(async () =>
      (await ok<{ txcount: number }>(node, "getwalletinfo", [], "w")).txcount === 101
    );
    const other = await ok<string>(node, "getnewaddress", [], "w");
    const txid = await ok<string>(node, "sendtoaddress", [other, 1], "w");
    await crashWallet(node, "w");
    const tx = await ok<{ txid: string; details: unknown[] }>(node, "gettransaction", [txid], "w");
    assertEquals(tx.txid, txid);
    const raw = await ok<{ vin: Array<{ txid: string; vout: number }> }>(
      node,
      "getrawtransaction",
      [txid, true],
    );
    const spent = `${raw.vin[0].txid}:${raw.vin[0].vout}`;
    const unspent = await ok<Array<{ txid: string; vout: number }>>(node, "listunspent", [0], "w");
    assert(!unspent.some((u) => `${u.txid}:${u.vout}` === spent), "the spent coin is not listed again");
    const second = await ok<string>(node, "sendtoaddress", [other, 1], "w");
    const raw2 = await ok<{ vin: Array<{ txid: string; vout: number }> }>(node, "getrawtransaction", [
      second,
      true,
    ]);
    assert(!raw2.vin.some((i) => `${i.txid}:${i.vout}` === spent), "no coin spent twice");

    // 3. A crash during a rescan (of 1,000 blocks): the wallet still has every transaction afterwards.
    await ok(node, "generatetoaddress", [900, mine]);
    await waitFor(async () =>
      (await ok<{ txcount: number }>(node, "getwalletinfo", [], "w")).txcount >= 1003
    );
    const before = await ok<{ txcount: number; lastprocessedblock: { height: number } }>(
      node,
      "getwalletinfo",
      [],
      "w",
    );
    const scan = walletCall(node, "rescanblockchain", [], "w").catch(() => null);
    await new Promise((r) => setTimeout(r, 30));
    await crashWallet(node, "w");
    await scan;
    assertEquals((await ok<{ txcount: number }>(node, "getwalletinfo", [], "w")).txcount, before.txcount);
    assertEquals(await ok(node, "rescanblockchain", [], "w"), {
      start_height: 0,
      stop_height: before.lastprocessedblock.height,
    });
    assertEquals((await ok<{ txcount: number }>(node, "getwalletinfo", [], "w")).txcount, before.txcount);
  } finally {
    await node.cleanup();
  }
});

Deno.test("wallet crash: kill -9 of the node during sendmany loses no transaction and reuses no coin", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "tsbtc-wallet-nodekill-" });
  const args = ["-fallbackfee=0.0002", "-wallet=w"];
  let node = await startNode(["-fallbackfee=0.0002"], { dataDir });
  try {
    await walletReady(node);
    await ok(node, "createwallet", ["w", false, false, null, false, true, true]);
    const mine = await ok<string>(node, "getnewaddress", [], "w");
    await ok(node, "generatetoaddress", [120, mine]);
    await waitFor(async () =>
      (await ok<{ txcount: number }>(node, "getwalletinfo", [], "w")).txcount === 120
    );
    const dest = await ok<string>(node, "getnewaddress", [], "w");
    // The chain state is written now (gettxoutsetinfo flushes it, as Core's does): without that a kill -9 loses
    // the blocks mined since the last periodic flush, in Core as here.
    await ok(node, "gettxoutsetinfo");
    // sendmany calls one after another; the node (and with it the wallet process) dies in the middle.
    const answered: string[] = [];
    const sending = (async () => {
      for (let i = 0; i < 200; i++) {
        const r = await walletCall(node, "sendmany", ["", { [dest]: 0.01, [mine]: 0.02 }], "w").catch(() =>
          null
        );
        if (r === null || r.error !== null) return;
        answered.push(r.result as string);
      }
    })();
    await waitFor(() => answered.length >= 5, 60_000, "some payments");
    node.child.kill("SIGKILL");
    await node.wait();
    await sending;
    assert(answered.length < 200, "the node died while payments were being made");
    await node.cleanup();

    node = await startNode(args, { dataDir });
    await walletReady(node);
    await waitFor(
      async () => ((await walletCall(node, "listwallets")).result as string[]).includes("w"),
      20_000,
    );
    // Every payment the client was told about is in the wallet, and back in the mempool (resubmitted at load).
    const mempool = new Set(await ok<string[]>(node, "getrawmempool"));
    for (const txid of answered) {
      const tx = await ok<{ txid: string; confirmations: number }>(node, "gettransaction", [txid], "w");
      assertEquals(tx.txid, txid);
      assert(tx.confirmations > 0 || mempool.has(txid), `${txid} neither confirmed nor in the mempool`);
    }
    // No coin the wallet lists is spent already: each is in the UTXO set or the mempool's outputs.
    const unspent = await ok<Array<{ txid: string; vout: number; amount: number }>>(
      node,
      "listunspent",
      [0],
      "w",
    );
    for (const u of unspent) {
      assert(await ok(node, "gettxout", [u.txid, u.vout, true]) !== null, `${u.txid}:${u.vout} is spent`);
    }
    // And the wallet keeps spending, without conflicts, then confirms everything in one block.
    for (let i = 0; i < 5; i++) await ok(node, "sendmany", ["", { [dest]: 0.01 }], "w");
    await ok(node, "generatetoaddress", [1, mine]);
    assertEquals((await ok<string[]>(node, "getrawmempool")).length, 0);
    const balances = await ok<{ mine: { trusted: number } }>(node, "getbalances", [], "w");
    const sum = (await ok<Array<{ amount: number }>>(node, "listunspent", [1], "w"))
      .reduce((s, u) => s + Math.round(u.amount * 1e8), 0);
    assertEquals(Math.round(balances.mine.trusted * 1e8), sum);
  } finally {
    await node.cleanup();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});
