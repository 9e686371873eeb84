import { assert, assertEquals } from "../assert.ts";
import { startNode, stopChild, tsbtcCommand, waitFor } from "../helpers.ts";

const code = (r: { error: unknown }) => (r.error as { code?: number } | null)?.code;

Deno.test("tsbtc wallet -ipcconnect=unix attaches to a running node: its RPCs are forwarded, withdrawn when it stops", async () => {
  const node = await startNode(["-disablewallet", "-ipcbind=unix", "-debug=ipc"]);
  let child: Deno.ChildProcess | null = null;
  try {
    assertEquals((await node.rpc("listwallets")).error, { code: -32601, message: "Method not found" });
    const { cmd, args } = tsbtcCommand([
      "wallet",
      "-regtest",
      `-datadir=${node.dataDir}`,
      "-ipcconnect=unix",
    ]);
    child = new Deno.Command(cmd, { args, stdin: "null", stdout: "null", stderr: "piped" }).spawn();
    const stderr = new Response(child.stderr).text();
    await waitFor(async () => (await node.rpc("listwallets")).error === null, 30_000, "attached wallet");
    assertEquals((await node.rpc("listwallets")).result, []);
    assertEquals(code(await node.rpc("getwalletinfo")), -18);
    // The node made it a Chain over the Init bootstrap.
    const log = await node.log();
    assert(log.includes("IPC server recv ProcessInit.makeChain"), "makeChain in the node's log");
    assert(log.includes("IPC server recv Chain.handleRpc"), "handleRpc in the node's log");
    child.kill("SIGTERM");
    assertEquals((await child.status).code, 0, await stderr);
    child = null;
    // A clean stop withdraws its methods.
    await waitFor(async () => code(await node.rpc("listwallets")) === -32601, 10_000, "withdrawn");
    // The wallet's own log lives in its wallets directory (its sandbox).
    assert(
      (await Deno.readTextFile(`${node.netDataDir}/wallets/debug.log`)).includes(
        "Wallet RPC methods registered",
      ),
    );
  } finally {
    await stopChild(child);
    await node.cleanup();
  }
});
