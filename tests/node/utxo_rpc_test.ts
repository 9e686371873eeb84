import { assert, assertEquals } from "../assert.ts";
import { startNode } from "../helpers.ts";

// The address of the recorded Core regtest session (/work/shared/reference/core_regtest_rpc_session.json), whose
// `gettxoutsetinfo` after 101 blocks to it is below: coinbase txids do not depend on block times, so ours match.
const ADDRESS = "bcrt1q6vmtq6g2rp66rmncvr7mevx4q8s7gy54r0q023";
const CORE_AT_101 = {
  height: 101,
  txouts: 101,
  bogosize: 7272,
  hash_serialized_3: "a68e61d4586ff317f554331f894b1cb3500fcaaa8356c61cbf4c2db9595bf7b3",
  total_amount: 5050,
  transactions: 101,
};
const GENESIS_TIME = 1296688602;

Deno.test("node: setmocktime drives block times and IBD; gettxoutsetinfo after 101 blocks equals Core's", async () => {
  const node = await startNode();
  const call = async (method: string, params: unknown[] = []) => {
    const r = await node.rpc(method, params);
    if (r.error) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    return r.result;
  };
  try {
    const info = () => call("getblockchaininfo") as Promise<{ initialblockdownload: boolean }>;
    assertEquals((await info()).initialblockdownload, true);
    // An hour after genesis, the tip (genesis) is recent: initial block download ends.
    const mock = GENESIS_TIME + 3600;
    assertEquals(await call("setmocktime", [mock]), null);
    assertEquals((await info()).initialblockdownload, false);
    const hashes = await call("generatetoaddress", [101, ADDRESS]) as string[];
    const first = await call("getblockheader", [hashes[0]]) as { time: number };
    assertEquals(first.time, mock);

    const stats = await call("gettxoutsetinfo") as Record<string, unknown>;
    const { bestblock, disk_size: diskSize, ...rest } = stats;
    assertEquals(rest, CORE_AT_101);
    assertEquals(bestblock, hashes[100]);
    assert(typeof diskSize === "number" && diskSize > 0);
    const none = await call("gettxoutsetinfo", ["none"]) as Record<string, unknown>;
    assertEquals("hash_serialized_3" in none, false);
    assertEquals(none.txouts, 101);
    const byHeight = await node.rpc("gettxoutsetinfo", ["none", 5]);
    assertEquals(byHeight.error, {
      code: -8,
      message: "Querying specific block heights requires coinstatsindex",
    });

    // Back to the system clock: the next block's time is now.
    assertEquals(await call("setmocktime", [0]), null);
    const [next] = await call("generatetoaddress", [1, ADDRESS]) as string[];
    const header = await call("getblockheader", [next]) as { time: number };
    assert(Math.abs(header.time - Date.now() / 1000) < 120, `block time ${header.time}`);
    const neg = await node.rpc("setmocktime", [-1]);
    assertEquals(neg.error, { code: -8, message: "Mocktime must be in the range [0, 4294967295], not -1." });
  } finally {
    await node.rpc("stop");
    assertEquals(await node.wait(), 0);
    await node.cleanup();
  }
});

Deno.test("node: -mocktime sets the clock at start; setmocktime replaces it", async () => {
  const start = GENESIS_TIME + 7200;
  const node = await startNode([`-mocktime=${start}`]);
  const call = async (method: string, params: unknown[] = []) => {
    const r = await node.rpc(method, params);
    if (r.error) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    return r.result;
  };
  try {
    const info = await call("getblockchaininfo") as { initialblockdownload: boolean };
    assertEquals(info.initialblockdownload, false);
    const [a] = await call("generatetoaddress", [1, ADDRESS]) as string[];
    assertEquals((await call("getblockheader", [a]) as { time: number }).time, start);
    await call("setmocktime", [start + 500]);
    const [b] = await call("generatetoaddress", [1, ADDRESS]) as string[];
    assertEquals((await call("getblockheader", [b]) as { time: number }).time, start + 500);
  } finally {
    await node.rpc("stop");
    assertEquals(await node.wait(), 0);
    await node.cleanup();
  }
});
