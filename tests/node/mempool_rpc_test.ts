/**
 * The mempool end to end over RPC, as a regtest user scripts it: mine 200 blocks, spend coinbases signed with
 * `signrawtransactionwithkey`, replace a transaction by fee, overflow the cluster limit, reorg with
 * `invalidateblock` (the transactions come back), and restart to find the same tip and mempool.
 */
import { assert, assertEquals } from "../assert.ts";
import { startNode, type TestNode } from "../helpers.ts";

// Secret key 1: its P2WPKH address on regtest, and its WIF.
const ADDRESS = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080";
const WIF = "cMahea7zqjxrtgAbB7LSGbcQUr1uX1ojuat9jZodMN87JcbXMTcA";

interface RpcError {
  code: number;
  message: string;
}

function caller(node: TestNode) {
  const call = async <T>(method: string, params: unknown[] = []): Promise<T> => {
    const r = await node.rpc(method, params);
    if (r.error) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    return r.result as T;
  };
  const fail = async (method: string, params: unknown[]): Promise<RpcError> => {
    const r = await node.rpc(method, params);
    assert(r.error, `${method} should fail`);
    return r.error as RpcError;
  };
  /** Spends output `vout` of `txid` to ADDRESS paying `amount` BTC; returns the signed hex. */
  const spend = async (txid: string, vout: number, amount: number): Promise<string> => {
    const raw = await call<string>("createrawtransaction", [[{ txid, vout }], [{ [ADDRESS]: amount }]]);
    const signed = await call<{ hex: string; complete: boolean }>("signrawtransactionwithkey", [raw, [WIF]]);
    assert(signed.complete);
    return signed.hex;
  };
  return { call, fail, spend };
}

Deno.test("mempool over RPC: send, RBF, cluster limit, reorg, restart", async () => {
  let node = await startNode();
  const dataDir = node.dataDir;
  try {
    let { call, fail, spend } = caller(node);
    const hashes = await call<string[]>("generatetoaddress", [200, ADDRESS]);
    const coinbase = async (height: number) =>
      (await call<{ tx: string[] }>("getblock", [hashes[height - 1], 1])).tx[0];

    // A plain payment.
    const cb1 = await coinbase(1);
    const first = await call<string>("sendrawtransaction", [await spend(cb1, 0, 49.9999)]);
    assertEquals(await call<string[]>("getrawmempool"), [first]);
    const entry = await call<{ vsize: number; fees: { base: number; modified: number } }>("getmempoolentry", [
      first,
    ]);
    assertEquals(entry.fees.base, 0.0001);
    assert(entry.vsize > 100 && entry.vsize < 120, `vsize ${entry.vsize}`);

    // Replacement: too little fee is refused with Core's reason, more fee replaces.
    const cheap = await fail("sendrawtransaction", [await spend(cb1, 0, 49.99995)]);
    assertEquals(cheap.code, -26);
    assert(cheap.message.startsWith("insufficient fee"), cheap.message);
    const replacement = await call<string>("sendrawtransaction", [await spend(cb1, 0, 49.999)]);
    assertEquals(await call<string[]>("getrawmempool"), [replacement]);

    // A chain of 64 is one cluster at the limit; the 65th transaction is refused.
    let parent = await coinbase(2);
    let value = 50;
    const chain: string[] = [];
    for (let i = 0; i < 64; i++) {
      value = Math.round((value - 0.0001) * 1e8) / 1e8;
      parent = await call<string>("sendrawtransaction", [await spend(parent, 0, value)]);
      chain.push(parent);
    }
    const tooMany = await fail("sendrawtransaction", [await spend(parent, 0, value - 0.0001)]);
    assertEquals(tooMany, { code: -26, message: "too-large-cluster" });
    const info = await call<{ size: number; loaded: boolean }>("getmempoolinfo");
    assertEquals(info.size, 65);
    const ancestors = await call<string[]>("getmempoolancestors", [chain[63]]);
    assertEquals(ancestors.length, 63);

    // Mined, then reorged out: everything returns to the mempool.
    const [mined] = await call<string[]>("generatetoaddress", [1, ADDRESS]);
    assertEquals((await call<{ tx: string[] }>("getblock", [mined, 1])).tx.length, 66);
    assertEquals(await call<string[]>("getrawmempool"), []);
    await call("invalidateblock", [mined]);
    const back = await call<string[]>("getrawmempool");
    assertEquals(back.length, 65);
    assertEquals(new Set(back), new Set([replacement, ...chain]));

    // Restart: same tip, same mempool (mempool.dat).
    const tip = await call<string>("getbestblockhash");
    await call("stop");
    assertEquals(await node.wait(), 0);
    node = await startNode([], { dataDir });
    ({ call, fail, spend } = caller(node));
    assertEquals(await call<string>("getbestblockhash"), tip);
    // mempool.dat loads in the background: wait for `loaded`.
    for (let i = 0; i < 200 && !(await call<{ loaded: boolean }>("getmempoolinfo")).loaded; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assertEquals(new Set(await call<string[]>("getrawmempool")), new Set(back));
  } finally {
    await node.cleanup();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});
