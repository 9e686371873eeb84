/**
 * End-to-end wallet RPCs through a real node and its wallet process.
 */
import { assert, assertEquals } from "../assert.ts";
import { startNode, waitFor } from "../helpers.ts";
import { ok, walletCall, walletReady } from "./wallet_rpc_helpers.ts";

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
      (await walletCall(node, "createwallet", [`${node.dataDir}/elsewhere`])).error?.message,
      `Wallet file verification failed. Failed to access database path '${node.dataDir}/elsewhere': outside the ` +
        `wallets directory ${walletsDir}, the only place the (sandboxed) wallet process may use`,
    );
    assertEquals(await ok(node, "createwallet", [`${walletsDir}/abs`]), { name: `${walletsDir}/abs` });
    assertEquals(await ok(node, "unloadwallet", [`${walletsDir}/abs`]), {});
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
      wallets: [{ name: "abs", warnings: [] }, { name: "w", warnings: [] }, { name: "w2", warnings: [] }],
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
    // Loading tops every descriptor up to -keypool past its next index (Core's TopUp on load).
    assertEquals(reloaded.keypoolsize, 200);
    assertEquals(after.keypoolsize, 197);
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

Deno.test("wallet RPCs: listdescriptors, importdescriptors with rescan, rescanblockchain, backup and restore", async () => {
  const node = await startNode(["-keypool=20"]);
  try {
    await walletReady(node);
    const walletsDir = `${node.netDataDir}/wallets`;
    await ok(node, "createwallet", ["w"]);
    const address = await ok<string>(node, "getnewaddress", [], "w");
    await ok(node, "generatetoaddress", [101, address]);
    await waitFor(async () =>
      (await ok<{ txcount: number }>(node, "getwalletinfo", [], "w")).txcount === 101
    );

    type DescEntry = {
      desc: string;
      active: boolean;
      internal?: boolean;
      range?: number[];
      next_index?: number;
    };
    const listed = await ok<{ wallet_name: string; descriptors: DescEntry[] }>(
      node,
      "listdescriptors",
      [],
      "w",
    );
    assertEquals(listed.wallet_name, "w");
    assertEquals(listed.descriptors.length, 8);
    const texts = listed.descriptors.map((d) => d.desc);
    assertEquals([...texts].sort(), texts);
    assertEquals(Object.keys(listed.descriptors[0]), [
      "desc",
      "timestamp",
      "active",
      "internal",
      "range",
      "next",
      "next_index",
    ]);
    const receive = listed.descriptors.find((d) => d.desc.startsWith("wpkh(") && !d.internal)!;
    assert(/^wpkh\(\[[0-9a-f]{8}\/84h\/1h\/0h\]tpub\w+\/0\/\*\)#\w{8}$/.test(receive.desc), receive.desc);
    assertEquals(receive.next_index, 1);
    assertEquals(receive.range, [0, 20]);
    // The address handed out is the descriptor's first one.
    assertEquals(await ok(node, "deriveaddresses", [receive.desc, [0, 0]]), [address]);
    // Every address type: the address handed out is the active descriptor's next position (receive and change).
    const prefixes = { "legacy": "pkh(", "p2sh-segwit": "sh(wpkh(", "bech32": "wpkh(", "bech32m": "tr(" };
    for (const [type, prefix] of Object.entries(prefixes)) {
      for (const internal of [false, true]) {
        const d = listed.descriptors.find((x) => x.desc.startsWith(prefix) && x.internal === internal)!;
        const at = d.next_index!;
        const got = internal
          ? await ok<string>(node, "getrawchangeaddress", [type], "w")
          : await ok<string>(node, "getnewaddress", ["", type], "w");
        assertEquals(await ok(node, "deriveaddresses", [d.desc, [at, at]]), [got], `${type} ${internal}`);
      }
    }
    const priv = await ok<{ descriptors: DescEntry[] }>(node, "listdescriptors", [true], "w");
    assert(priv.descriptors.every((d) => d.desc.includes("tprv")));

    // A watch-only wallet imports the receive descriptor and finds the past coinbases by rescanning.
    await ok(node, "createwallet", ["watch", true, true]);
    const imported = await ok<Array<Record<string, unknown>>>(node, "importdescriptors", [[
      { desc: receive.desc, timestamp: 0, active: true },
      {
        desc:
          "wpkh(tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/0/*)",
        timestamp: "now",
      },
      { desc: "nonsense", timestamp: 0 },
    ]], "watch");
    assertEquals(imported[0], { success: true, warnings: ["Range not given, using default keypool range"] });
    assertEquals(imported[1], { success: false, error: { code: -5, message: "Missing checksum" } });
    assertEquals((imported[2] as { success: boolean }).success, false);
    assertEquals((await walletCall(node, "importdescriptors", [[{ desc: receive.desc }]], "watch")).error, {
      code: -3,
      message: "Missing required timestamp field for key",
    });
    const watchInfo = await ok<Record<string, unknown>>(node, "getwalletinfo", [], "watch");
    assertEquals(watchInfo.txcount, 101);
    assertEquals(watchInfo.keypoolsize, 20);
    // Position 0 was seen used by the rescan: the next address is position 1 (Core's MarkUnusedAddresses).
    assertEquals(
      [await ok(node, "getnewaddress", [], "watch")],
      await ok(node, "deriveaddresses", [receive.desc, [1, 1]]),
    );
    assertEquals((await walletCall(node, "listdescriptors", [true], "watch")).error, {
      code: -4,
      message: "Can't get private descriptor string for watch-only wallets",
    });
    // A descriptor without keys is refused by a wallet with private keys.
    const refused = await ok<Array<Record<string, unknown>>>(node, "importdescriptors", [[
      { desc: receive.desc, timestamp: "now" },
    ]], "w");
    assertEquals(refused, [{
      success: false,
      error: {
        code: -4,
        message: "Cannot import descriptor without private keys to a wallet with private keys enabled",
      },
      warnings: ["Range not given, using default keypool range"],
    }]);

    // rescanblockchain.
    assertEquals(await ok(node, "rescanblockchain", [], "watch"), { start_height: 0, stop_height: 101 });
    assertEquals(await ok(node, "rescanblockchain", [100], "watch"), { start_height: 100, stop_height: 101 });
    assertEquals(await ok(node, "rescanblockchain", [10, 20], "watch"), {
      start_height: 10,
      stop_height: 20,
    });
    assertEquals((await walletCall(node, "rescanblockchain", [102], "watch")).error, {
      code: -8,
      message: "Invalid start_height",
    });
    assertEquals((await walletCall(node, "rescanblockchain", [5, 3], "watch")).error, {
      code: -8,
      message: "stop_height must be greater than start_height",
    });
    assertEquals(await ok(node, "abortrescan", [], "watch"), false);

    // Backup and restore.
    assertEquals(await ok(node, "backupwallet", ["w-backup.dat"], "w"), null);
    assertEquals((await walletCall(node, "backupwallet", [walletsDir], "w")).error, {
      code: -4,
      message: "Error: Wallet backup failed!",
    });
    // Never onto a wallet's own database.
    assertEquals((await walletCall(node, "backupwallet", ["w/wallet.dat"], "w")).error?.code, -4);
    assertEquals((await ok<{ txcount: number }>(node, "getwalletinfo", [], "w")).txcount, 101);
    assertEquals(await ok(node, "restorewallet", ["restored", "w-backup.dat"]), { name: "restored" });
    const restored = await ok<Record<string, unknown>>(node, "getwalletinfo", [], "restored");
    assertEquals(restored.txcount, 101);
    // Same descriptors and positions (loading tops the lookahead up again, as Core does).
    const brief = (l: { descriptors: DescEntry[] }) => l.descriptors.map((d) => [d.desc, d.next_index]);
    assertEquals(
      brief(await ok<{ descriptors: DescEntry[] }>(node, "listdescriptors", [], "restored")),
      brief(await ok<{ descriptors: DescEntry[] }>(node, "listdescriptors", [], "w")),
    );
    assertEquals((await walletCall(node, "restorewallet", ["restored", "w-backup.dat"])).error, {
      code: -36,
      message: `Failed to restore wallet. Database file exists in '${walletsDir}/restored/wallet.dat'.`,
    });
    await Deno.writeTextFile(`${walletsDir}/invalid.bak`, "invalid_wallet_content");
    assertEquals((await walletCall(node, "restorewallet", ["res0", "invalid.bak"])).error, {
      code: -18,
      message: `Wallet file verification failed. Failed to load database path '${walletsDir}/res0'. ` +
        "Data is not in recognized format.",
    });
    assertEquals(await Deno.stat(`${walletsDir}/res0`).then(() => true, () => false), false);
    assertEquals((await walletCall(node, "restorewallet", ["r2", "nosuch.kv"])).error, {
      code: -8,
      message: "Backup file does not exist",
    });

    // Outside the wallets directory (the sandboxed wallet cannot write there: the node copies the file).
    const outside = `${node.dataDir}/w-outside.bak`;
    assertEquals(await ok(node, "backupwallet", [outside], "w"), null);
    assert((await Deno.stat(outside)).size > 0);
    // Outside the node's data directory too: its sandbox refuses, and the error says so.
    const elsewhere = `${node.dataDir}-elsewhere.bak`;
    const backupRefused = (await walletCall(node, "backupwallet", [elsewhere], "w")).error;
    assertEquals(backupRefused?.code, -4);
    assert(
      backupRefused?.message.startsWith(
        "Error: Wallet backup failed! The node may write only under its data",
      ),
    );
    assertEquals(await Deno.stat(elsewhere).then(() => true, () => false), false);
    assertEquals(await ok(node, "restorewallet", ["restored2", outside]), { name: "restored2" });
    assertEquals((await ok<{ txcount: number }>(node, "getwalletinfo", [], "restored2")).txcount, 101);
    assertEquals((await Array.fromAsync(Deno.readDir(walletsDir))).filter((e) => e.name.startsWith(".")), []);

    // An encrypted wallet: private descriptors need the passphrase.
    await ok(node, "createwallet", ["enc", false, false, "secret"]);
    const encInfo = await ok<Record<string, unknown>>(node, "getwalletinfo", [], "enc");
    assertEquals(encInfo.unlocked_until, 0);
    assertEquals(encInfo.keypoolsize, 80);
    assertEquals((await walletCall(node, "listdescriptors", [true], "enc")).error, {
      code: -13,
      message: "Error: Please enter the wallet passphrase with walletpassphrase first.",
    });
    assert((await ok<string>(node, "getnewaddress", [], "enc")).startsWith("bcrt1q"));
  } finally {
    await node.cleanup();
  }
});

Deno.test("wallet RPCs: -wallet and settings.json load_on_startup choose the wallets loaded at start", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "tsbtc-wallet-rpc-" });
  let node = await startNode(["-keypool=5"], { dataDir });
  const settings = async () => JSON.parse(await Deno.readTextFile(`${node.netDataDir}/settings.json`));
  try {
    await walletReady(node);
    await ok(node, "createwallet", ["a", false, false, null, false, true, true]);
    await ok(node, "createwallet", ["b"]);
    await ok(node, "createwallet", ["c", false, false, null, false, true, true]);
    assertEquals((await settings()).wallet, ["a", "c"]);
    assertEquals(await ok(node, "unloadwallet", ["c", false]), {});
    assertEquals((await settings()).wallet, ["a"]);
    assertEquals(await ok(node, "unloadwallet", ["b"]), {});
    assertEquals(await ok(node, "loadwallet", ["b", true]), { name: "b" });
    assertEquals((await settings()).wallet, ["a", "b"]);
    await ok(node, "stop");
    await node.wait();
    await node.cleanup();

    // settings.json's list, then -wallet (Core's order), each once.
    node = await startNode(["-keypool=5", "-wallet=c", "-wallet=a"], { dataDir });
    await walletReady(node);
    assertEquals([...await ok<string[]>(node, "listwallets")].sort(), ["a", "b", "c"]);
    await ok(node, "stop");
    await node.wait();
    await node.cleanup();

    // A -wallet that does not exist is skipped with Core's warning.
    await Deno.writeTextFile(`${node.netDataDir}/settings.json`, "{}\n");
    node = await startNode(["-keypool=5", "-wallet=nosuch"], { dataDir });
    await walletReady(node);
    assertEquals(await ok(node, "listwallets"), []);
    await waitFor(async () => (await node.log()).includes("Skipping -wallet path that doesn't exist."));
  } finally {
    await node.cleanup();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});
