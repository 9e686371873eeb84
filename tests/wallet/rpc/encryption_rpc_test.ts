import { assert, assertEquals } from "../../assert.ts";
import { runTsbtc, type TestNode, waitFor } from "../../helpers.ts";
import { fails, ok, startWalletNode, walletCall } from "../wallet_rpc_helpers.ts";

const LOCKED = "Error: Please enter the wallet passphrase with walletpassphrase first.";
const WRONG = "Error: The wallet passphrase entered was incorrect.";

Deno.test("wallet encryption RPCs end to end: locked signing refused, timed unlock relocks, passphrase change, restart", async () => {
  const node = await startWalletNode([]);
  let restarted: TestNode | null = null;
  try {
    await ok(node, "createwallet", ["enc", false, false, "pass one"], "");
    await ok(node, "createwallet", ["plain"], "");
    const info = await ok(node, "getwalletinfo", [], "enc") as Record<string, unknown>;
    assertEquals(info.unlocked_until, 0);

    // Locked: private keys stay out of reach.
    const legacy = await ok(node, "getnewaddress", ["", "legacy"], "enc") as string;
    await fails(node, "listdescriptors", [true], { code: -13, message: LOCKED }, "enc");
    await fails(node, "signmessage", [legacy, "hello"], { code: -13, message: LOCKED }, "enc");
    const mine = await ok(node, "getnewaddress", [], "enc") as string;
    await ok(node, "generatetoaddress", [101, mine], "");
    const balance = await ok(node, "getbalance", [], "enc");
    assertEquals(balance, 50);
    await fails(node, "sendtoaddress", [mine, 1], { code: -13, message: LOCKED }, "enc");
    const raw = await ok(node, "createrawtransaction", [[], [{ [mine]: 1 }]], "") as string;
    const funded = await ok(node, "fundrawtransaction", [raw, { fee_rate: 10 }], "enc") as { hex: string };
    await fails(node, "signrawtransactionwithwallet", [funded.hex], { code: -13, message: LOCKED }, "enc");

    // walletpassphrase: Core's argument errors.
    await fails(node, "walletpassphrase", ["wrong", 10], { code: -14, message: WRONG }, "enc");
    await fails(
      node,
      "walletpassphrase",
      ["", 10],
      { code: -8, message: "passphrase cannot be empty" },
      "enc",
    );
    await fails(node, "walletpassphrase", ["pass one", -1], {
      code: -8,
      message: "Timeout cannot be negative.",
    }, "enc");
    await fails(node, "walletpassphrase", ["wrong\u0000x", 10], {
      code: -14,
      message:
        "Error: The wallet passphrase entered is incorrect. It contains a null character (ie - a zero byte). If the " +
        "passphrase was set with a version of this software prior to 25.0, please try again with only the " +
        "characters up to — but not including — the first null character. If this is successful, please set a " +
        "new passphrase to avoid this issue in the future.",
    }, "enc");

    // Unlocked for 3 seconds: signing works, then the wallet locks itself.
    const before = Math.floor(Date.now() / 1000);
    assertEquals(await ok(node, "walletpassphrase", ["pass one", 3], "enc"), null);
    const until = (await ok(node, "getwalletinfo", [], "enc") as Record<string, number>).unlocked_until;
    assert(until >= before + 3 && until <= before + 5, `unlocked_until ${until}, now ${before}`);
    const signature = await ok(node, "signmessage", [legacy, "hello"], "enc") as string;
    assertEquals(await ok(node, "verifymessage", [legacy, signature, "hello"], ""), true);
    const descs = await ok(node, "listdescriptors", [true], "enc") as {
      descriptors: Array<{ desc: string }>;
    };
    assert(descs.descriptors.some((d) => d.desc.includes("tprv")), "private descriptors when unlocked");
    await waitFor(
      async () => (await walletCall(node, "signmessage", [legacy, "hello"], "enc")).error?.code === -13,
      10_000,
      "the wallet to relock",
    );
    await fails(node, "listdescriptors", [true], { code: -13, message: LOCKED }, "enc");
    assertEquals((await ok(node, "getwalletinfo", [], "enc") as Record<string, number>).unlocked_until, 0);

    // Timeouts are capped at 100000000 seconds; walletlock locks at once.
    await ok(node, "walletpassphrase", ["pass one", 200_000_000], "enc");
    const capped = (await ok(node, "getwalletinfo", [], "enc") as Record<string, number>).unlocked_until;
    assert(Math.abs(capped - (Math.floor(Date.now() / 1000) + 100_000_000)) <= 2, `capped ${capped}`);
    assertEquals(await ok(node, "walletlock", [], "enc"), null);
    await fails(node, "signmessage", [legacy, "hello"], { code: -13, message: LOCKED }, "enc");

    // walletpassphrasechange: the old one stops working, the new one works; a wrong old one is refused.
    await fails(node, "walletpassphrasechange", ["wrong", "pass two"], { code: -14, message: WRONG }, "enc");
    await fails(node, "walletpassphrasechange", ["pass one", ""], {
      code: -8,
      message: "passphrase cannot be empty",
    }, "enc");
    assertEquals(await ok(node, "walletpassphrasechange", ["pass one", "pass two"], "enc"), null);
    await fails(node, "walletpassphrase", ["pass one", 10], { code: -14, message: WRONG }, "enc");
    await ok(node, "walletpassphrase", ["pass two", 10], "enc");
    assertEquals(await ok(node, "signmessage", [legacy, "hello"], "enc"), signature);
    await ok(node, "walletlock", [], "enc");

    // Passphrases with NUL characters are whole (Core's wallet_encryption.py).
    const nulls = "Phrase\u0000With\u0000Nulls";
    await ok(node, "walletpassphrasechange", ["pass two", nulls], "enc");
    await fails(node, "walletpassphrase", ["Phrase", 10], { code: -14, message: WRONG }, "enc");
    await fails(node, "walletpassphrasechange", ["Phrase", "abc"], { code: -14, message: WRONG }, "enc");
    await fails(node, "walletpassphrasechange", [`${nulls}\u0000`, "abc"], {
      code: -14,
      message:
        "Error: The old wallet passphrase entered is incorrect. It contains a null character (ie - a zero byte). " +
        "If the old passphrase was set with a version of this software prior to 25.0, please try again with only " +
        "the characters up to — but not including — the first null character.",
    }, "enc");
    await ok(node, "walletpassphrase", [nulls, 10], "enc");
    await ok(node, "walletlock", [], "enc");
    await ok(node, "walletpassphrasechange", [nulls, "pass two"], "enc");

    // Wrong encryption state (-15) for each method.
    await fails(node, "encryptwallet", ["x"], {
      code: -15,
      message: "Error: running with an encrypted wallet, but encryptwallet was called.",
    }, "enc");
    for (
      const [m, p] of [["walletpassphrase", ["x", 1]], ["walletlock", []], ["walletpassphrasechange", [
        "a",
        "b",
      ]]] as const
    ) {
      await fails(node, m, [...p], {
        code: -15,
        message: `Error: running with an unencrypted wallet, but ${m} was called.`,
      }, "plain");
    }

    // encryptwallet on the plain wallet: new seed, locked afterwards.
    await fails(node, "encryptwallet", [""], { code: -8, message: "passphrase cannot be empty" }, "plain");
    const plainLegacy = await ok(node, "getnewaddress", ["", "legacy"], "plain") as string;
    const plainDescsBefore =
      (await ok(node, "listdescriptors", [], "plain") as { descriptors: Array<{ desc: string }> })
        .descriptors;
    assertEquals(
      await ok(node, "encryptwallet", ["plain pass"], "plain"),
      "wallet encrypted; The keypool has been flushed and a new HD seed was generated. You need to make a new " +
        "backup with the backupwallet RPC.",
    );
    await fails(node, "signmessage", [plainLegacy, "m"], { code: -13, message: LOCKED }, "plain");
    // A new seed: the next legacy address differs from any the old seed gives.
    const plainLegacy2 = await ok(node, "getnewaddress", ["", "legacy"], "plain") as string;
    assert(plainLegacy2 !== plainLegacy, "a new address from the new seed");
    await fails(node, "listdescriptors", [true], { code: -13, message: LOCKED }, "plain");
    const after = await ok(node, "listdescriptors", [], "plain") as {
      descriptors: Array<{ desc: string; active: boolean }>;
    };
    const activeAfter = after.descriptors.filter((d) => d.active).map((d) => d.desc);
    for (const d of plainDescsBefore) assert(!activeAfter.includes(d.desc), "fresh active descriptors");
    await ok(node, "walletpassphrase", ["plain pass", 10], "plain");
    // Keys of the old seed still sign (Core keeps the old descriptors, encrypted, inactive).
    const oldSig = await ok(node, "signmessage", [plainLegacy, "m"], "plain") as string;
    assertEquals(await ok(node, "verifymessage", [plainLegacy, oldSig, "m"], ""), true);
    await ok(node, "walletlock", [], "plain");

    // A restart keeps the encryption, the passphrase and the balance.
    await ok(node, "stop", [], "");
    assertEquals(await node.wait(), 0);
    restarted = await startWalletNode([], { dataDir: node.dataDir });
    await ok(restarted, "loadwallet", ["enc"], "");
    assertEquals(await ok(restarted, "getbalance", [], "enc"), balance);
    await fails(restarted, "signmessage", [legacy, "hello"], { code: -13, message: LOCKED }, "enc");
    await fails(restarted, "walletpassphrase", ["pass one", 10], { code: -14, message: WRONG }, "enc");
    await ok(restarted, "walletpassphrase", ["pass two", 10], "enc");
    assertEquals(await ok(restarted, "signmessage", [legacy, "hello"], "enc"), signature);
  } finally {
    await restarted?.cleanup();
    await node.cleanup();
    if (restarted) await Deno.remove(node.dataDir, { recursive: true }).catch(() => {});
  }
});

Deno.test("tsbtc rpc -stdinwalletpassphrase unlocks without the passphrase on the command line", async () => {
  const node = await startWalletNode([]);
  try {
    await ok(node, "createwallet", ["w", false, false, "stdin pass"], "");
    const legacy = await ok(node, "getnewaddress", ["", "legacy"], "w") as string;
    const unlock = await runTsbtc([
      ...node.cliArgs,
      "-rpcwallet=w",
      "-stdinwalletpassphrase",
      "walletpassphrase",
      "10",
    ], {
      stdin: "stdin pass\n",
    });
    assertEquals([unlock.code, unlock.stderr], [0, ""]);
    assertEquals(typeof await ok(node, "signmessage", [legacy, "m"], "w"), "string");
    const wrong = await runTsbtc([
      ...node.cliArgs,
      "-rpcwallet=w",
      "-stdinwalletpassphrase",
      "walletpassphrase",
      "10",
    ], {
      stdin: "not it\n",
    });
    assertEquals(wrong.code, 14);
    assert(wrong.stderr.includes(WRONG), wrong.stderr);
  } finally {
    await node.cleanup();
  }
});
