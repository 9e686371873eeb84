/**
 * End-to-end wallet RPCs through a real node and its wallet process.
 */
import { assert, assertEquals } from "../assert.ts";
import { startNode, type TestNode, waitFor } from "../helpers.ts";

interface Reply {
  result: unknown;
  error: { code: number; message: string } | null;
}

/** Calls `method` on the node, for `wallet` (the /wallet/<name> endpoint) when given. */
export async function walletCall(
  node: TestNode,
  method: string,
  params: unknown[] = [],
  wallet?: string,
): Promise<Reply> {
  const path = wallet === undefined ? "/" : `/wallet/${encodeURIComponent(wallet)}`;
  const res = await fetch(`http://127.0.0.1:${node.rpcPort}${path}`, {
    method: "POST",
    headers: { authorization: `Basic ${btoa(await Deno.readTextFile(`${node.netDataDir}/.cookie`))}` },
    body: JSON.stringify({ jsonrpc: "1.0", id: 1, method, params }),
  });
  return await res.json();
}

/** The result of a call that must succeed. */
export async function ok<T = unknown>(
  node: TestNode,
  method: string,
  params: unknown[] = [],
  wallet?: string,
) {
  const r = await walletCall(node, method, params, wallet);
  if (r.error !== null) throw new Error(`${method} failed: ${JSON.stringify(r.error)}`);
  return r.result as T;
}

/** Waits until the wallet process serves its methods. */
export async function walletReady(node: TestNode): Promise<void> {
  await waitFor(
    async () => (await walletCall(node, "listwallets")).error === null,
    20_000,
    "the wallet process",
  );
}

Deno.test("wallet RPCs: create, addresses of each type, mining to the wallet, restart, load/unload, errors", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "tsbtc-wallet-rpc-" });
  let node = await startNode(["-keypool=50"], { dataDir });
  try {
    await walletReady(node);
    const walletsDir = `${node.netDataDir}/wallets`;
    assertEquals(await ok(node, "createwallet", ["w"]), { name: "w" });
    assertEquals(await ok(node, "createwallet", ["w2", false, false, "", false, true, true]), {
      name: "w2",
      warnings: ["Empty string given as passphrase, wallet will not be encrypted."],
    });
    assertEquals(await ok(node, "listwallets"), ["w", "w2"]);
    const info = await ok<Record<string, unknown>>(node, "getwalletinfo", [], "w");
    assertEquals(Object.keys(info), [
      "walletname",
      "walletversion",
      "format",
      "txcount",
      "keypoolsize",
      "keypoolsize_hd_internal",
      "private_keys_enabled",
      "avoid_reuse",
      "scanning",
      "descriptors",
      "external_signer",
      "blank",
      "birthtime",
      "flags",
      "lastprocessedblock",
    ]);
    assertEquals(info.keypoolsize, 200);
    assertEquals(info.keypoolsize_hd_internal, 200);
    assertEquals(info.flags, ["last_hardened_xpub_cached", "descriptor_wallet"]);
    assertEquals((info.lastprocessedblock as { height: number }).height, 0);

    // Several wallets: the endpoint is required.
    assertEquals((await walletCall(node, "getwalletinfo")).error?.code, -19);
    assertEquals((await walletCall(node, "getwalletinfo", [], "nosuch")).error, {
      code: -18,
      message: "Requested wallet does not exist or is not loaded",
    });

    // Addresses of each type.
    const bech32 = await ok<string>(node, "getnewaddress", [], "w");
    assert(bech32.startsWith("bcrt1q"), bech32);
    assert((await ok<string>(node, "getnewaddress", ["", "legacy"], "w")).match(/^[mn]/));
    assert((await ok<string>(node, "getnewaddress", ["", "p2sh-segwit"], "w")).startsWith("2"));
    assert((await ok<string>(node, "getnewaddress", ["", "bech32m"], "w")).startsWith("bcrt1p"));
    assert((await ok<string>(node, "getrawchangeaddress", [], "w")).startsWith("bcrt1q"));
    assertEquals((await walletCall(node, "getnewaddress", ["", "p2wpkh"], "w")).error, {
      code: -5,
      message: "Unknown address type 'p2wpkh'",
    });
    assertEquals((await walletCall(node, "getnewaddress", ["*"], "w")).error, {
      code: -11,
      message: "Invalid label name",
    });
    const other = await ok<string>(node, "getnewaddress", [], "w2");
    assert(other !== bech32);

    // Mining to the wallet: it knows its coinbase transactions.
    await ok(node, "generatetoaddress", [101, bech32]);
    await waitFor(async () =>
      (await ok<{ txcount: number }>(node, "getwalletinfo", [], "w")).txcount === 101
    );
    const after = await ok<Record<string, unknown>>(node, "getwalletinfo", [], "w");
    assertEquals(after.lastprocessedblock, {
      hash: await ok(node, "getbestblockhash"),
      height: 101,
    });
    // The used receive descriptor was topped up past its next index (Core: range_end = next + keypool).
    assertEquals(after.keypoolsize, 4 * 50 - 3);
    assertEquals((await ok<{ txcount: number }>(node, "getwalletinfo", [], "w2")).txcount, 0);

    // Errors as Core's.
    assertEquals((await walletCall(node, "createwallet", ["w"])).error, {
      code: -4,
      message: `Wallet file verification failed. Failed to create database path '${walletsDir}/w'. ` +
        "Database already exists.",
    });
    assertEquals((await walletCall(node, "loadwallet", ["w"])).error, {
      code: -35,
      message: 'Wallet "w" is already loaded.',
    });
    assertEquals((await walletCall(node, "loadwallet", ["nosuch"])).error, {
      code: -18,
      message: `Wallet file verification failed. Failed to load database path '${walletsDir}/nosuch'. ` +
        "Path does not exist.",
    });
    await Deno.mkdir(`${walletsDir}/empty`);
    assertEquals((await walletCall(node, "loadwallet", ["empty"])).error, {
      code: -18,
      message: `Wallet file verification failed. Failed to load database path '${walletsDir}/empty'. ` +
        "Data is not in recognized format.",
    });
    assertEquals((await walletCall(node, "createwallet", [""])).error, {
      code: -8,
      message: "Wallet name cannot be empty",
    });
    assertEquals((await walletCall(node, "createwallet", ["x", false, false, "", false, false])).error, {
      code: -4,
      message:
        'descriptors argument must be set to "true"; it is no longer possible to create a legacy wallet.',
    });
    assertEquals(
      (await walletCall(node, "createwallet", ["../x"])).error?.message,
      "Wallet file verification failed. Wallet name given as a relative path cannot begin with ./ or ../, for " +
        "wallets not in the walletdir, please use an absolute path.",
    );
    assertEquals(
      (await walletCall(node, "createwallet", ["a//b"])).error?.message,
      "Wallet file verification failed. Wallet name given as a path must be normalized",
    );
    assertEquals((await walletCall(node, "unloadwallet", [])).error, {
      code: -8,
      message: "Either the RPC endpoint wallet or the wallet name parameter must be provided",
    });
    assertEquals((await walletCall(node, "unloadwallet", ["w2"], "w")).error, {
      code: -8,
      message: "The RPC endpoint wallet and the wallet name parameter specify different wallets",
    });
    assertEquals(await ok(node, "listwalletdir"), {
      wallets: [{ name: "w", warnings: [] }, { name: "w2", warnings: [] }],
    });

    // Options: blank and disable_private_keys wallets have no keys.
    await ok(node, "createwallet", ["blank", false, true]);
    const blank = await ok<Record<string, unknown>>(node, "getwalletinfo", [], "blank");
    assertEquals(blank.blank, true);
    assertEquals(blank.keypoolsize, 0);
    assertEquals("birthtime" in blank, false);
    assertEquals((await walletCall(node, "getnewaddress", [], "blank")).error, {
      code: -4,
      message: "Error: This wallet has no available keys",
    });
    await ok(node, "createwallet", ["watch", true]);
    const watch = await ok<Record<string, unknown>>(node, "getwalletinfo", [], "watch");
    assertEquals(watch.private_keys_enabled, false);
    assertEquals(watch.flags, ["last_hardened_xpub_cached", "disable_private_keys", "descriptor_wallet"]);
    await ok(node, "createwallet", ["reuse", false, false, null, true]);
    assertEquals((await ok<Record<string, unknown>>(node, "getwalletinfo", [], "reuse")).avoid_reuse, true);
    assertEquals((await walletCall(node, "createwallet", ["pp", true, false, "secret"])).error, {
      code: -4,
      message:
        "Passphrase provided but private keys are disabled. A passphrase is only used to encrypt private " +
        "keys, so cannot be used for wallets with private keys disabled.",
    });

    // Unload and load.
    assertEquals(await ok(node, "unloadwallet", [], "reuse"), {});
    assertEquals(await ok(node, "unloadwallet", ["watch"]), {});
    assertEquals(await ok(node, "unloadwallet", ["blank"]), {});
    assertEquals((await walletCall(node, "unloadwallet", ["blank"])).error?.code, -18);
    assertEquals(await ok(node, "loadwallet", ["watch"]), { name: "watch" });
    assertEquals(await ok(node, "listwallets"), ["w", "w2", "watch"]);

    // Restart: w2 was created with load_on_startup; w is loaded by hand and keeps its keys and transactions.
    await ok(node, "stop");
    assertEquals(await node.wait(), 0);
    await node.cleanup();
    node = await startNode(["-keypool=50"], { dataDir });
    await walletReady(node);
    assertEquals(await ok(node, "listwallets"), ["w2"]);
    assertEquals(await ok(node, "loadwallet", ["w"]), { name: "w" });
    const reloaded = await ok<Record<string, unknown>>(node, "getwalletinfo", [], "w");
    assertEquals(reloaded.txcount, 101);
    assertEquals(reloaded.keypoolsize, after.keypoolsize);
    assertEquals(reloaded.birthtime, info.birthtime);
    const again = await ok<string>(node, "getnewaddress", [], "w");
    assert(again !== bech32);
    // Mining while loaded after the restart still reaches the wallet.
    await ok(node, "generatetoaddress", [1, again]);
    await waitFor(async () =>
      (await ok<{ txcount: number }>(node, "getwalletinfo", [], "w")).txcount === 102
    );
  } finally {
    await node.cleanup();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});
