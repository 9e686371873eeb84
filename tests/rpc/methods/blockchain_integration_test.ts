/**
 * The blockchain RPCs over the real chainstate (node/chain/chainstate.ts) with the mining RPCs: 101 blocks mined
 * like the recorded Core session must give Core's hashes and Core's getblock/getblockheader/getblockstats/
 * getchaintxstats/gettxout results; then invalidateblock/reconsiderblock, getchaintips and verifychain 4.
 */
import { chainParams } from "../../../core/chain_params.ts";
import { openChainstate } from "../../../node/chain/chainstate.ts";
import { blockchainMethods } from "../../../rpc/methods/blockchain.ts";
import { miningMethods } from "../../../rpc/methods/mining.ts";
import { RpcTable } from "../../../rpc/table.ts";
import { assertEquals } from "../asserts.ts";

interface Recorded {
  call: [string, unknown[]];
  result?: unknown;
}

const ADDRESS = "bcrt1q6vmtq6g2rp66rmncvr7mevx4q8s7gy54r0q023";

function keysDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(keysDeep);
  if (v !== null && typeof v === "object") {
    return Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, keysDeep(x)]);
  }
  return typeof v;
}

Deno.test("blockchain RPCs over the real chainstate equal Core's recorded session", async () => {
  const url = new URL("../../../../shared/reference/core_regtest_rpc_session.json", import.meta.url);
  const session = JSON.parse(await Deno.readTextFile(url)) as Recorded[];
  const recorded = (method: string, params: unknown[]) =>
    session.find((e) => e.call[0] === method && JSON.stringify(e.call[1]) === JSON.stringify(params))!.result;
  const dataDir = await Deno.makeTempDir();
  const cs = await openChainstate({
    dataDir,
    params: chainParams("regtest"),
    workers: 0,
    now: () => 1700000000,
  });
  try {
    const t = new RpcTable();
    t.registerAll(miningMethods({ chain: () => cs, network: "regtest", now: () => 1700000000 }));
    t.registerAll(blockchainMethods({
      chain: () => cs,
      network: "regtest",
      now: () => 1700000000,
      sizeOnDisk: () => cs.storage.blockFiles.currentUsage(),
    }));
    const rpc = async (method: string, params: unknown[] = []) => {
      const body = JSON.parse(
        (await t.execute(JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }))).body,
      );
      if (body.error) throw new Error(`${method}: ${body.error.code} ${body.error.message}`);
      return body.result as unknown;
    };
    const info0 = await rpc("getblockchaininfo") as Record<string, unknown>;
    assertEquals(info0.size_on_disk, 293);
    const mined = await rpc("generatetoaddress", [101, ADDRESS]);
    assertEquals(mined, recorded("generatetoaddress", [101, ADDRESS]));
    const b1 = (mined as string[])[0];
    for (
      const [method, params] of [
        ["getblock", [b1, 0]],
        ["getblock", [b1, 1]],
        ["getblock", [b1, 2]],
        ["getblock", [b1, 3]],
        ["getblockheader", [b1]],
        ["getblockheader", [b1, false]],
        ["getblockstats", [101]],
        ["getchaintxstats", []],
        ["gettxout", ["4b9a0b1697723fc5555185c2815082e78ded6911ebc46aa7fe6339dea67b1934", 0]],
      ] as [string, unknown[]][]
    ) {
      const got = await rpc(method, params);
      const want = recorded(method, params);
      assertEquals(got, want, `${method} ${JSON.stringify(params)}`);
      assertEquals(keysDeep(got), keysDeep(want), `key order of ${method}`);
    }
    const info = await rpc("getblockchaininfo") as Record<string, unknown>;
    assertEquals(
      keysDeep({ ...info, warnings: [] }),
      keysDeep({ ...recorded("getblockchaininfo", []) as object, warnings: [] }),
    );
    assertEquals([info.blocks, info.headers, info.mediantime], [101, 101, 1700000017]);

    // a block on top, invalidated and reconsidered (the session's last steps)
    const [h102] = await rpc("generatetoaddress", [1, ADDRESS]) as string[];
    assertEquals(await rpc("invalidateblock", [h102]), null);
    const tips = await rpc("getchaintips");
    assertEquals(tips, [
      { height: 102, hash: h102, branchlen: 1, status: "invalid" },
      { height: 101, hash: (mined as string[])[100], branchlen: 0, status: "active" },
    ]);
    assertEquals(keysDeep(tips), keysDeep(session[84].result));
    assertEquals(await rpc("reconsiderblock", [h102]), null);
    assertEquals(await rpc("getbestblockhash"), h102);
    for (const level of [0, 1, 2, 3, 4]) {
      assertEquals(await rpc("verifychain", [level, 0]), true, `level ${level}`);
    }
    const waited = await rpc("waitforblockheight", [102, 100]);
    assertEquals(waited, { hash: h102, height: 102 });
    // the chain's updatedBlockTip wakes a waiting waitfornewblock
    const pending = rpc("waitfornewblock", [5000]);
    const [h103] = await rpc("generatetoaddress", [1, ADDRESS]) as string[];
    assertEquals(await pending, { hash: h103, height: 103 });
  } finally {
    await cs.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
