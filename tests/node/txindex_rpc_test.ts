/**
 * End to end over RPC with `-txindex`: a real `tsbtc node -regtest` mines, finds confirmed transactions without a
 * block hash, proves them with `gettxoutproof`/`verifytxoutproof`, scans the UTXO set with `scantxoutset` (addr()
 * and a ranged descriptor), and keeps `gettxoutsetinfo`'s MuHash across restarts. The index resumes after a clean
 * restart and after a `kill -9` while it syncs, and catches up with blocks mined while it was off.
 */
import { assert, assertEquals } from "../assert.ts";
import { freePort, startNode, tsbtcCommand, waitFor } from "../helpers.ts";
import { encodeDestination } from "../../core/address/destination.ts";
import { toHex } from "../../core/hash/hashes.ts";
import { encodeTransaction } from "../../core/wire/transaction.ts";
import { hexToHash } from "../../node/chain/block_index.ts";
import { spendP2wpkh, testKey } from "./chain/block_builder.ts";

const key = testKey(2);
const ADDRESS = encodeDestination(key.script, "regtest")!;
// A ranged descriptor (BIP32 test vector 1's master key, regtest encoding).
const TPRV =
  "tprv8ZgxMBicQKsPeDgjzdC36fs6bMjGApWDNLR9erAXMs5skhMv36j9MV5ecvfavji5khqjWaWSFhN3YcCUUdiKH6isR4Pwy3U5y5egddBr16m";

interface Rpc {
  call(method: string, params?: unknown[]): Promise<unknown>;
  raw(
    method: string,
    params?: unknown[],
  ): Promise<{ result: unknown; error: { code: number; message: string } | null }>;
}

function client(dataDir: string, port: number): Rpc {
  const raw = async (method: string, params: unknown[] = []) => {
    const cookie = await Deno.readTextFile(`${dataDir}/regtest/.cookie`);
    const res = await fetch(`http://127.0.0.1:${port}/`, {
      method: "POST",
      headers: { authorization: `Basic ${btoa(cookie)}` },
      body: JSON.stringify({ jsonrpc: "1.0", id: 1, method, params }),
    });
    return await res.json();
  };
  return {
    raw,
    async call(method, params = []) {
      const r = await raw(method, params);
      if (r.error) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
      return r.result;
    },
  };
}

/** Starts `tsbtc node` on an existing data directory; resolves once RPC answers. */
async function restart(
  dataDir: string,
  extra: readonly string[] = [],
): Promise<{ rpc: Rpc; child: Deno.ChildProcess }> {
  const port = freePort();
  await Deno.remove(`${dataDir}/regtest/.cookie`).catch(() => {});
  const { cmd, args } = tsbtcCommand([
    "node",
    "-regtest",
    `-datadir=${dataDir}`,
    `-rpcport=${port}`,
    "-rpcbind=127.0.0.1",
    ...extra,
  ]);
  const child = new Deno.Command(cmd, { args, stdin: "null", stdout: "null", stderr: "piped" }).spawn();
  // Drained in the background (a full pipe would block the node); reported if the node exits during start.
  const stderr = new Response(child.stderr).text();
  const rpc = client(dataDir, port);
  let exited = false;
  child.status.then(() => exited = true);
  await waitFor(
    async () => {
      if (exited) throw new Error(`node exited during start: ${await stderr}`);
      try {
        return typeof (await rpc.raw("getblockcount")).result === "number";
      } catch {
        return false;
      }
    },
    30_000,
    "the restarted node's RPC",
  );
  return { rpc, child };
}

async function stop(n: { rpc: Rpc; child: Deno.ChildProcess }): Promise<void> {
  await n.rpc.call("stop");
  await n.child.status;
}

type IndexInfo = { txindex?: { synced: boolean; best_block_height: number } };

async function waitIndexed(rpc: Rpc, height: number): Promise<void> {
  await waitFor(
    async () => {
      const info = await rpc.call("getindexinfo") as IndexInfo;
      return info.txindex?.synced === true && info.txindex.best_block_height === height;
    },
    30_000,
    `txindex at height ${height}`,
  );
}

Deno.test("-txindex end to end: lookups, proofs, scans, MuHash, restart and kill -9", async () => {
  const node = await startNode(["-txindex"]);
  const dataDir = node.dataDir;
  let current: { rpc: Rpc; child: Deno.ChildProcess } = {
    rpc: client(dataDir, node.rpcPort),
    child: node.child,
  };
  try {
    let rpc = current.rpc;
    await waitIndexed(rpc, 0);
    assertEquals(await rpc.call("getindexinfo", ["txindex"]), {
      txindex: { synced: true, best_block_height: 0 },
    });
    const hashes = await rpc.call("generatetoaddress", [110, ADDRESS]) as string[];
    // Spend block 1's coinbase in a block of its own.
    const block1 = await rpc.call("getblock", [hashes[0], 2]) as {
      tx: { txid: string; vout: { value: number }[] }[];
    };
    const cbid = block1.tx[0].txid;
    const spend = spendP2wpkh(
      [{ outpoint: { txid: hexToHash(cbid), vout: 0 }, value: 50n * 100_000_000n, key }],
      [{ value: 50n * 100_000_000n - 10_000n, scriptPubKey: testKey(3).script }],
    );
    const spendHex = toHex(encodeTransaction(spend));
    const gen = await rpc.call("generateblock", [ADDRESS, [spendHex]]) as { hash: string };
    const spendId = ((await rpc.call("getblock", [gen.hash, 1])) as { tx: string[] }).tx[1];

    // A mempool transaction (block 2's coinbase spent): found in the mempool first, without block fields.
    const block2 = await rpc.call("getblock", [hashes[1], 1]) as { tx: string[] };
    const pending = spendP2wpkh(
      [{ outpoint: { txid: hexToHash(block2.tx[0]), vout: 0 }, value: 50n * 100_000_000n, key }],
      [{ value: 50n * 100_000_000n - 20_000n, scriptPubKey: testKey(3).script }],
    );
    const pendingId = await rpc.call("sendrawtransaction", [toHex(encodeTransaction(pending))]) as string;
    const inPool = await rpc.call("getrawtransaction", [pendingId, 1]) as Record<string, unknown>;
    assertEquals([inPool.txid, "blockhash" in inPool, "confirmations" in inPool], [pendingId, false, false]);
    assertEquals((await rpc.raw("gettxoutproof", [[pendingId]])).error, {
      code: -5,
      message: "Transaction not yet in block",
    });

    // getrawtransaction without a block hash: found through the index.
    assertEquals(await rpc.call("getrawtransaction", [spendId]), spendHex);
    const v1 = await rpc.call("getrawtransaction", [spendId, 1]) as Record<string, unknown>;
    assertEquals([v1.blockhash, v1.confirmations], [gen.hash, 1]);
    const v2 = await rpc.call("getrawtransaction", [spendId, 2]) as Record<string, unknown>;
    assertEquals(v2.fee, 0.0001);
    assertEquals(
      (await rpc.call("getrawtransaction", [cbid, 1]) as Record<string, unknown>).confirmations,
      111,
    );
    assertEquals((await rpc.raw("getrawtransaction", ["22".repeat(32)])).error, {
      code: -5,
      message: "No such mempool or blockchain transaction. Use gettransaction for wallet transactions.",
    });

    // gettxoutproof of a spent coinbase (only the index knows its block) and verifytxoutproof.
    const proof = await rpc.call("gettxoutproof", [[cbid]]) as string;
    assertEquals(await rpc.call("verifytxoutproof", [proof]), [cbid]);
    const proof2 = await rpc.call("gettxoutproof", [[spendId]]) as string;
    assertEquals(await rpc.call("verifytxoutproof", [proof2]), [spendId]);

    // scantxoutset: addr() and a ranged descriptor.
    const ranged = `wpkh(${TPRV}/1/*)`;
    const info = await rpc.call("getdescriptorinfo", [ranged]) as { descriptor: string };
    const addrs = await rpc.call("deriveaddresses", [info.descriptor, [0, 4]]) as string[];
    await rpc.call("generatetoaddress", [1, addrs[3]]);
    const byAddr = await rpc.call("scantxoutset", ["start", [`addr(${ADDRESS})`]]) as Record<string, unknown>;
    assertEquals(byAddr.success, true);
    assertEquals((byAddr.unspents as unknown[]).length, 109); // 111 coinbases, blocks 1 and 2's spent
    assertEquals(byAddr.height, 112);
    const byRange = await rpc.call("scantxoutset", ["start", [{
      desc: info.descriptor,
      range: 10,
    }]]) as Record<
      string,
      unknown
    >;
    const hits = byRange.unspents as { height: number; amount: number; desc: string }[];
    // Block 112 mined the mempool transaction: its coinbase has the fee; the index has the transaction.
    assertEquals(hits.map((h) => [h.height, h.amount]), [[112, 50.0002]]);
    const mined = await rpc.call("getrawtransaction", [pendingId, 1]) as Record<string, unknown>;
    assertEquals([mined.confirmations, mined.blockhash], [1, byRange.bestblock]);
    assert(hits[0].desc.startsWith("wpkh("), hits[0].desc);
    assertEquals(await rpc.call("scantxoutset", ["status"]), null);

    // MuHash: stable across a restart, changes with a block.
    const mu1 = (await rpc.call("gettxoutsetinfo", ["muhash"]) as { muhash: string }).muhash;
    assert(/^[0-9a-f]{64}$/.test(mu1));
    assertEquals((await rpc.call("gettxoutsetinfo", ["muhash"]) as { muhash: string }).muhash, mu1);
    await waitIndexed(rpc, 112);
    await stop(current);
    current = await restart(dataDir, ["-txindex"]);
    rpc = current.rpc;
    // Resumed at the tip: synced at once.
    assertEquals(await rpc.call("getindexinfo"), { txindex: { synced: true, best_block_height: 112 } });
    assertEquals((await rpc.call("gettxoutsetinfo", ["muhash"]) as { muhash: string }).muhash, mu1);
    await rpc.call("generatetoaddress", [1, ADDRESS]);
    const mu2 = (await rpc.call("gettxoutsetinfo", ["muhash"]) as { muhash: string }).muhash;
    assert(mu2 !== mu1);
    assertEquals((await rpc.call("gettxoutsetinfo", ["none"]) as Record<string, unknown>).muhash, undefined);

    // Mine with the index off, then start with it and kill -9 while it catches up.
    await stop(current);
    current = await restart(dataDir);
    rpc = current.rpc;
    assertEquals(await rpc.call("getindexinfo"), {});
    assertEquals(
      (await rpc.raw("getrawtransaction", [spendId])).error?.message,
      "No such mempool transaction. Use -txindex or provide a block hash to enable blockchain transaction queries. Use gettransaction for wallet transactions.",
    );
    const late = await rpc.call("generatetoaddress", [300, ADDRESS]) as string[];
    await stop(current);
    current = await restart(dataDir, ["-txindex"]);
    const seen = await current.rpc.call("getindexinfo") as IndexInfo;
    current.child.kill("SIGKILL");
    await current.child.status;
    console.log(`killed with the index at ${JSON.stringify(seen.txindex)} (tip 413)`);
    current = await restart(dataDir, ["-txindex"]);
    rpc = current.rpc;
    await waitIndexed(rpc, 413);
    const log = await Deno.readTextFile(`${dataDir}/regtest/debug.log`);
    assert(log.includes("Syncing txindex with block chain from height "), "sync start logged");
    assert(log.includes("txindex is enabled at height 413"), "sync end logged");
    const lateBlock = await rpc.call("getblock", [late[150], 1]) as { tx: string[] };
    const found = await rpc.call("getrawtransaction", [lateBlock.tx[0], 1]) as Record<string, unknown>;
    assertEquals(found.blockhash, late[150]);
    assertEquals(await rpc.call("getrawtransaction", [spendId]), spendHex);
    assertEquals((await rpc.call("gettxoutsetinfo", ["muhash"]) as { muhash: string }).muhash !== mu2, true);
    // -reindex wipes the index: it is rebuilt.
    await stop(current);
    current = await restart(dataDir, ["-txindex", "-reindex"]);
    rpc = current.rpc;
    await waitIndexed(rpc, 413);
    assertEquals(await rpc.call("getrawtransaction", [spendId]), spendHex);
    await stop(current);
  } finally {
    try {
      current.child.kill("SIGKILL");
    } catch { /* exited */ }
    await current.child.status;
    await node.cleanup();
  }
});

Deno.test("-txindex with -prune: Core's init error", async () => {
  let message = "";
  try {
    const node = await startNode(["-txindex", "-prune=550"]);
    await node.cleanup();
  } catch (e) {
    message = (e as Error).message;
  }
  assert(message.includes("Prune mode is incompatible with -txindex."), message);
});

Deno.test("gettxoutsetinfo muhash after the recorded Core session's 101 blocks equals Core's Python MuHash", async () => {
  // 101 blocks to the Core session's address give Core's UTXO set (its hash_serialized_3 is checked in
  // utxo_rpc_test.ts); Core's test_framework/crypto/muhash.py over those 101 coins gives this MuHash.
  const node = await startNode();
  try {
    await node.rpc("setmocktime", [1296688602 + 3600]);
    await node.rpc("generatetoaddress", [101, "bcrt1q6vmtq6g2rp66rmncvr7mevx4q8s7gy54r0q023"]);
    const r = await node.rpc("gettxoutsetinfo", ["muhash"]);
    const stats = r.result as Record<string, unknown>;
    assertEquals(stats.muhash, "73ad0fa4c42efb0ad635a18ac7698bfe7bc6a2b2b32c9c50394abdc9ea7e23cb");
    assertEquals([stats.height, stats.txouts, stats.total_amount], [101, 101, 5050]);
  } finally {
    await node.rpc("stop");
    await node.wait();
    await node.cleanup();
  }
});
