import type { Rpc } from "../../interfaces/rpc.ts";
import type { RpcCommandSpec } from "../../interfaces/chain.ts";
import { makeNodeChain } from "../../node/interfaces/chain.ts";
import { makeWalletLoader, walletForRequest } from "../../wallet/loader.ts";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { chainFixture } from "../node/interfaces/chain_fixture.ts";

Deno.test("wallet loader: registers listwallets/getwalletinfo with the node and answers as Core without wallets", async () => {
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
    assertEquals(reg.commands.map((c) => c.name), ["listwallets", "getwalletinfo"]);
    assertEquals(reg.commands[0].category, "wallet");
    assertEquals(await loader.verify(), true);
    assert((await Deno.stat(`${dir}/wallets`)).isDirectory, "default wallets directory created");
    assertEquals(await loader.load(), true);
    assertEquals(warnings, [
      'Wallet "w1" was not loaded: this tsbtc version cannot load descriptor wallets yet',
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
    await loader.stop();
    assert(disconnected, "stop withdraws the RPC methods");

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
