import { ArgsManager } from "../../cli/args.ts";
import { rpcCliMain } from "../../cli/rpc_cli.ts";
import { controlMethods } from "../../rpc/methods/control.ts";
import { RpcServer, serverOptionsFromArgs } from "../../rpc/server.ts";
import { RpcTable } from "../../rpc/table.ts";
import { assertEquals } from "../rpc/asserts.ts";

Deno.test("tsbtc rpc with the real ArgsManager: cookie from -datadir and the network, result and exit status", async () => {
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
        const code = await rpcCliMain(args, async (body, uri) => {
          transportCalls.push(uri);
          const r = await table.execute(body, { uri, user: "ipc" });
          return { status: r.status, body: r.body };
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
      assertEquals(await rpcCliMain(args), 0);
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
