import { ArgsManager } from "../../cli/args.ts";
import { rpcMain } from "../../cli/rpc.ts";
import { runCli } from "../../rpc/client.ts";
import { controlMethods } from "../../rpc/methods/control.ts";
import { RpcServer, serverOptionsFromArgs } from "../../rpc/server.ts";
import { RpcTable } from "../../rpc/table.ts";
import { assertEquals } from "../rpc/asserts.ts";

Deno.test("tsbtc rpc with the real ArgsManager (runCli, and rpcMain's -ipcconnect=auto fallback): cookie from -datadir and the network, result and exit status", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const nodeArgs = ArgsManager.parse("node", [`-datadir=${dataDir}`, "-regtest", "-rpcport=0"]);
    await Deno.mkdir(nodeArgs.netDataDir, { recursive: true });
    const table = new RpcTable();
    table.registerAll(controlMethods({ shutdown: () => {}, getBlockCount: () => 12 }));
    const server = await RpcServer.start(serverOptionsFromArgs(nodeArgs, { table }));
    try {
      const run = async (argv: string[]) => {
        const args = ArgsManager.parse("rpc", [
          `-datadir=${dataDir}`,
          "-regtest",
          `-rpcport=${server.port}`,
          ...argv,
        ]);
        const transportCalls: string[] = [];
        const code = await runCli(args, {
          transport: async (body, uri) => {
            transportCalls.push(uri);
            const r = await table.execute(body, { uri, user: "ipc" });
            return { status: r.status, body: r.body };
          },
        });
        return { code, transportCalls };
      };
      // Through a plugged transport (what -ipcconnect will use).
      assertEquals(await run(["getblockcount"]), { code: 0, transportCalls: ["/"] });
      assertEquals(await run(["-rpcwallet=w", "nosuchmethod"]), {
        code: 32601,
        transportCalls: ["/wallet/w"],
      });
      // Over HTTP with the cookie found from -datadir + -regtest.
      const args = ArgsManager.parse("rpc", [
        `-datadir=${dataDir}`,
        "-regtest",
        `-rpcport=${server.port}`,
        "uptime",
      ]);
      assertEquals(await runCli(args), 0);
      // The mode's entry: -ipcconnect=auto finds no socket and falls back to HTTP, as bitcoin-cli does.
      assertEquals(
        await rpcMain([`-datadir=${dataDir}`, "-regtest", `-rpcport=${server.port}`, "uptime"]),
        0,
      );
      // An explicit -ipcconnect that finds no socket is a connection error (status 1), and names the fix.
      assertEquals(
        await rpcMain([`-datadir=${dataDir}`, "-regtest", "-ipcconnect=unix", "-rpcport=1", "uptime"]),
        1,
      );
      // -rpcconnect with an explicit -ipcconnect conflicts.
      assertEquals(
        await rpcMain([
          `-datadir=${dataDir}`,
          "-regtest",
          "-ipcconnect=unix",
          "-rpcconnect=127.0.0.1",
          "uptime",
        ]),
        1,
      );
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
