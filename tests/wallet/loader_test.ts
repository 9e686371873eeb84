import type { Rpc } from "../../interfaces/rpc.ts";
import type { RpcCommandSpec } from "../../interfaces/chain.ts";
import { makeNodeChain } from "../../node/interfaces/chain.ts";
import { makeWalletLoader, walletForRequest } from "../../wallet/loader.ts";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { chainFixture } from "../node/interfaces/chain_fixture.ts";

Deno.test("wallet loader: registers the wallet methods with the node, skips -wallet paths that do not exist", async () => {
  const f = await chainFixture(101);
  const dir = await Deno.makeTempDir({ prefix: "tsbtc-wallet-loader-" });
  const warnings: string[] = [];
  const errors: string[] = [];
  let registered: { commands: readonly RpcCommandSpec[]; rpc: Rpc } | null = null;
  let disconnected = false;
  const chain = makeNodeChain({
    chain: f.chainstate,
    mempool: () => f.mempool,
    fees: () => null,
    signals: f.signals,
    now: () => 0,
    settings: { get: () => null, list: (n) => n === "wallet" ? ["w1"] : [] },
    logger: {
      warn: (m: string) => void warnings.push(m),
      error: (m: string) => void errors.push(m),
      info: () => {},
    } as never,
    handleRpc: (commands, rpc) => {
      registered = { commands, rpc };
      return { disconnect: () => Promise.resolve(void (disconnected = true)) };
    },
  });
  try {
    const loader = makeWalletLoader({ chain, walletDir: `${dir}/wallets`, walletDirGiven: false });
    await loader.registerRpcs();
    const reg = registered as { commands: readonly RpcCommandSpec[]; rpc: Rpc } | null;
    assert(reg !== null);
    const names = reg.commands.map((c) => c.name);
    for (
      const n of [
        "createwallet",
        "loadwallet",
        "unloadwallet",
        "listwallets",
        "listwalletdir",
        "getwalletinfo",
      ]
    ) {
      assert(names.includes(n), n);
    }
    assert(reg.commands.every((c) => c.category === "wallet"));
    assertEquals(await loader.verify(), true);
    assert((await Deno.stat(`${dir}/wallets`)).isDirectory, "default wallets directory created");
    assertEquals(await loader.load(), true);
    assertEquals(warnings, [
      `Skipping -wallet path that doesn't exist. Failed to load database path '${dir}/wallets/w1'. Path does not exist.`,
    ]);
    await loader.start();
    assertEquals(await loader.getWalletNames(), []);
    const run = async (method: string, uri = "/") =>
      JSON.parse(
        await reg.rpc.executeRpc(`{"jsonrpc":"2.0","id":1,"method":"${method}","params":[]}`, uri, ""),
      );
    assertEquals((await run("listwallets")).result, []);
    assertEquals((await run("getwalletinfo")).error, {
      code: -18,
      message: "No wallet is loaded. Load a wallet using loadwallet or create a new one with createwallet. " +
        "(Note: A default wallet is no longer automatically created)",
    });
    assertEquals((await run("getwalletinfo", "/wallet/w1")).error, {
      code: -18,
      message: "Requested wallet does not exist or is not loaded",
    });
    // A wallet created here is loaded by the next loader from -wallet.
    assertEquals((await run2(reg, "createwallet", '["w1"]')).result, { name: "w1" });
    assertEquals(await loader.getWalletNames(), ["w1"]);
    assertEquals((await run("getwalletinfo")).result.walletname, "w1");
    await loader.stop();
    assert(disconnected, "stop withdraws the RPC methods");
    assertEquals(await loader.getWalletNames(), []);
    const again = makeWalletLoader({ chain, walletDir: `${dir}/wallets`, walletDirGiven: false });
    assertEquals(await again.verify(), true);
    assertEquals(await again.load(), true);
    assertEquals(await again.getWalletNames(), ["w1"]);
    await again.stop();

    // A given -walletdir must exist (Core's init error, sent to the node).
    const bad = makeWalletLoader({ chain, walletDir: `${dir}/missing`, walletDirGiven: true });
    assertEquals(await bad.verify(), false);
    assertEquals(errors, [`Specified -walletdir "${dir}/missing" does not exist`]);
  } finally {
    await chain.close();
    await f.close();
    await Deno.remove(dir, { recursive: true });
  }
});

async function run2(reg: { rpc: Rpc }, method: string, params: string) {
  return JSON.parse(
    await reg.rpc.executeRpc(`{"jsonrpc":"2.0","id":1,"method":"${method}","params":${params}}`, "/", ""),
  );
}

Deno.test("wallet loader: walletForRequest picks the single wallet, or Core's -19 with several", () => {
  const one = [{ name: "a" }];
  assertEquals(walletForRequest(one, { walletName: null }).name, "a");
  assertEquals(walletForRequest([{ name: "a" }, { name: "b" }], { walletName: "b" }).name, "b");
  const e = assertThrows(
    () => walletForRequest([{ name: "a" }, { name: "b" }], { walletName: null }),
    "Multiple wallets",
  );
  assertEquals((e as unknown as { code: number }).code, -19);
});
