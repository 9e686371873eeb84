import { assertEquals } from "../../assert.ts";
import { startNode } from "../../helpers.ts";

const ADDRESS = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080";

Deno.test("getdeploymentinfo: buried deployments, testdummy signalling in its second period, Core's errors", async () => {
  const node = await startNode(["-disablewallet"]);
  try {
    const call = async (method: string, params: unknown[] = []) => (await node.rpc(method, params)).result;
    await call("generatetoaddress", [200, ADDRESS]);
    // Core writes int64 values exactly: NO_TIMEOUT is 9223372036854775807, beyond a double.
    const res = await fetch(`http://127.0.0.1:${node.rpcPort}/`, {
      method: "POST",
      headers: { authorization: `Basic ${btoa(await Deno.readTextFile(`${node.netDataDir}/.cookie`))}` },
      body: JSON.stringify({ jsonrpc: "1.0", id: 1, method: "getdeploymentinfo", params: [] }),
    });
    assertEquals((await res.text()).includes('"timeout":9223372036854775807'), true);
    const info = await call("getdeploymentinfo") as {
      height: number;
      script_flags: string[];
      deployments: Record<string, Record<string, unknown>>;
    };
    assertEquals(info.height, 200);
    assertEquals(info.script_flags, [
      "CHECKLOCKTIMEVERIFY",
      "CHECKSEQUENCEVERIFY",
      "DERSIG",
      "NULLDUMMY",
      "P2SH",
      "TAPROOT",
      "WITNESS",
    ]);
    assertEquals(info.deployments.bip34, { type: "buried", active: true, height: 1 });
    assertEquals(info.deployments.segwit, { type: "buried", active: true, height: 0 });
    assertEquals(info.deployments.testdummy, {
      type: "bip9",
      active: false,
      bip9: {
        bit: 28,
        start_time: 0,
        timeout: 9223372036854775807,
        min_activation_height: 0,
        status: "started",
        since: 144,
        status_next: "started",
        statistics: { period: 144, elapsed: 57, count: 57, threshold: 108, possible: true },
        signalling: "#".repeat(57),
      },
    });
    const genesis = await call("getblockhash", [0]) as string;
    const atGenesis = await call("getdeploymentinfo", [genesis]) as {
      deployments: { testdummy: { bip9: { status: string; since: number } } };
    };
    assertEquals(atGenesis.deployments.testdummy.bip9.status, "defined");
    assertEquals(atGenesis.deployments.testdummy.bip9.since, 0);
    const missing = await node.rpc("getdeploymentinfo", ["00".repeat(32)]);
    assertEquals(missing.error, { code: -5, message: "Block not found" });
  } finally {
    await node.cleanup();
  }
});
