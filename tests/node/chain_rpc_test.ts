import { assert, assertEquals } from "../assert.ts";
import { startNode } from "../helpers.ts";

// Secret key 1: its P2WPKH address on regtest, and its WIF.
const ADDRESS = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080";
const WIF = "cMahea7zqjxrtgAbB7LSGbcQUr1uX1ojuat9jZodMN87JcbXMTcA";
const DEST = "bcrt1qq6hag67dl53wl99vzg42z8eyzfz2xlkvwk6f7m";

Deno.test("node: mine, spend a coinbase through signrawtransactionwithkey and generateblock, restart", async () => {
  const node = await startNode();
  const call = async (method: string, params: unknown[] = []) => {
    const r = await node.rpc(method, params);
    if (r.error) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    return r.result;
  };
  try {
    const hashes = await call("generatetoaddress", [101, ADDRESS]) as string[];
    assertEquals(hashes.length, 101);
    assertEquals(await call("getblockcount"), 101);
    const block1 = await call("getblock", [hashes[0], 1]) as { tx: string[]; height: number };
    assertEquals(block1.height, 1);
    const coinbase = block1.tx[0];
    const coin = await call("gettxout", [coinbase, 0]) as { value: number; confirmations: number };
    assertEquals(coin.value, 50);
    assertEquals(coin.confirmations, 101);

    const raw = await call("createrawtransaction", [[{ txid: coinbase, vout: 0 }], [{ [DEST]: 49.999 }]]);
    const signed = await call("signrawtransactionwithkey", [raw, [WIF]]) as {
      hex: string;
      complete: boolean;
    };
    assertEquals(signed.complete, true);
    const mined = await call("generateblock", [ADDRESS, [signed.hex]]) as { hash: string };
    const block = await call("getblock", [mined.hash, 2]) as { tx: { txid: string; fee?: number }[] };
    assertEquals(block.tx.length, 2);
    const spendTxid = block.tx[1].txid;
    assertEquals(await call("gettxout", [coinbase, 0]), null);
    const out = await call("gettxout", [spendTxid, 0]) as {
      value: number;
      scriptPubKey: { address: string };
    };
    assertEquals(out.value, 49.999);
    assertEquals(out.scriptPubKey.address, DEST);

    // The same transaction again would overwrite it (BIP30); a different spend of the same coin is a double spend.
    const same = await node.rpc("generateblock", [ADDRESS, [signed.hex]]);
    assert(JSON.stringify(same.error).includes("bad-txns-BIP30"), JSON.stringify(same.error));
    const raw2 = await call("createrawtransaction", [[{ txid: coinbase, vout: 0 }], [{ [DEST]: 49.998 }]]);
    const signed2 = await call("signrawtransactionwithkey", [raw2, [WIF], [{
      txid: coinbase,
      vout: 0,
      scriptPubKey: "0014751e76e8199196d454941c45d1b3a323f1433bd6",
      amount: 50,
    }]]) as { hex: string };
    const double = await node.rpc("generateblock", [ADDRESS, [signed2.hex]]);
    assert(
      JSON.stringify(double.error).includes("bad-txns-inputs-missingorspent"),
      JSON.stringify(double.error),
    );
  } finally {
    await node.rpc("stop");
    assertEquals(await node.wait(), 0);
  }
  // Restart on the same data directory: same tip, same UTXO set.
  const { tsbtcCommand, freePort, waitFor, runTsbtc } = await import("../helpers.ts");
  const port = freePort();
  const { cmd, args } = tsbtcCommand(["node", "-regtest", `-datadir=${node.dataDir}`, `-rpcport=${port}`]);
  const again = new Deno.Command(cmd, { args, stdin: "null", stdout: "null", stderr: "null" }).spawn();
  const cli = ["rpc", "-regtest", `-datadir=${node.dataDir}`, `-rpcport=${port}`];
  try {
    await waitFor(
      async () => (await runTsbtc([...cli, "getblockcount"])).stdout === "102\n",
      20_000,
      "restart",
    );
    const info = JSON.parse((await runTsbtc([...cli, "getblockchaininfo"])).stdout);
    assertEquals(info.blocks, 102);
    assertEquals((await runTsbtc([...cli, "stop"])).code, 0);
    assertEquals((await again.status).code, 0);
  } finally {
    try {
      again.kill("SIGKILL");
    } catch { /* exited */ }
    await node.cleanup();
  }
});

Deno.test("node: a tip more than two hours ahead of the clock is refused at start (Core's VerifyLoadedChainstate)", async () => {
  const future = Math.floor(Date.now() / 1000) + 3 * 3600;
  let node = await startNode(["-disablewallet", `-mocktime=${future}`]);
  const dataDir = node.dataDir;
  try {
    await node.rpc("generatetoaddress", [1, ADDRESS]);
    await node.rpc("stop");
    assertEquals(await node.wait(), 0);
    let error = "";
    try {
      node = await startNode(["-disablewallet"], { dataDir });
    } catch (e) {
      error = String(e);
    }
    assert(error.includes("The block database contains a block which appears to be from the future."), error);
    assert(error.includes("Please restart with -reindex or -reindex-chainstate to recover."), error);
    node = await startNode(["-disablewallet", `-mocktime=${future}`], { dataDir });
    assertEquals((await node.rpc("getblockcount")).result, 1);
  } finally {
    await node.cleanup();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});
