import { ArgsManager } from "../../cli/args.ts";
import { resolvedArgv } from "../../cli/child_profile.ts";
import { assertEquals } from "../assert.ts";
import { HOME, withConfig } from "./helpers.ts";

Deno.test("resolvedArgv: a component reads back the same settings without the config file", async () => {
  await withConfig(
    "regtest=1\nrpcport=1000\n[regtest]\nuacomment=main\nrpcport=2000\ndebug=mempool\n",
    ["-uacomment=cli", "-rpcport=3000", "-debug=rpc"],
    (args) => {
      const argv = resolvedArgv(args);
      const child = ArgsManager.parse("node", argv, { home: HOME });
      // Lists keep Core's order: command line, then the config file.
      assertEquals(child.getArgs("-uacomment"), ["cli", "main"]);
      assertEquals(child.getArgs("-debug"), args.getArgs("-debug"));
      // Single values keep the effective one (the command line wins).
      assertEquals(child.getArg("-rpcport"), "3000");
      assertEquals(child.network, "regtest");
    },
  );
});

Deno.test("resolvedArgv: a config-only single value stays effective", async () => {
  await withConfig("regtest=1\n[regtest]\nrpcport=2000\nrpcport=2001\n", [], (args) => {
    const child = ArgsManager.parse("node", resolvedArgv(args), { home: HOME });
    assertEquals(child.getArg("-rpcport"), args.getArg("-rpcport"));
  });
});
