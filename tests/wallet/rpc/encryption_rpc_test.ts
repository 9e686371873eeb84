import { assert, assertEquals } from "../../assert.ts";
import { runTsbtc, startNode as startBareNode, type TestNode, waitFor } from "../../helpers.ts";

/** A node whose wallet process serves its methods. */
async function startNode(...args: Parameters<typeof startBareNode>): Promise<TestNode> {
  const node = await startBareNode(...args);
  await waitFor(
    async () => (await call(node, "", "listwallets")).error === null,
    30_000,
    "the wallet process",
  )
    .catch(async (e) => {
      await node.cleanup();
      throw e;
    });
  return node;
}

type Reply = { result: unknown; error: { code: number; message: string } | null };

async function call(node: TestNode, wallet: string, method: string, params: unknown[] = []): Promise<Reply> {
  const cookie = await Deno.readTextFile(`${node.netDataDir}/.cookie`);
  const res = await fetch(`http://127.0.0.1:${node.rpcPort}/wallet/${encodeURIComponent(wallet)}`, {
    method: "POST",
    headers: { authorization: `Basic ${btoa(cookie)}` },
    body: JSON.stringify({ jsonrpc: "1.0", id: 1, method, params }),
  });
  return await res.json();
}

async function ok(node: TestNode, wallet: string, method: string, params: unknown[] = []): Promise<unknown> {
  const r = await call(node, wallet, method, params);
  if (r.error !== null) throw new Error(`${method} failed: ${JSON.stringify(r.error)}`);
  return r.result;
}

async function fails(
  node: TestNode,
  wallet: string,
  method: string,
  params: unknown[],
  code: number,
  message: string,
) {
  const r = await call(node, wallet, method, params);
  assertEquals(r.error, { code, message }, `${method} ${JSON.stringify(params)}`);
}

const LOCKED = "Error: Please enter the wallet passphrase with walletpassphrase first.";
const WRONG = "Error: The wallet passphrase entered was incorrect.";

Deno.test("wallet encryption RPCs end to end: locked signing refused, timed unlock relocks, passphrase change, restart", async () => {
  const node = await startNode([]);
  let restarted: TestNode | null = null;
  try {
    await ok(node, "", "createwallet", ["enc", false, false, "pass one"]);
    await ok(node, "", "createwallet", ["plain"]);
    const info = await ok(node, "enc", "getwalletinfo") as Record<string, unknown>;
    assertEquals(info.unlocked_until, 0);

    // Locked: private keys stay out of reach.
    const legacy = await ok(node, "enc", "getnewaddress", ["", "legacy"]) as string;
    await fails(node, "enc", "listdescriptors", [true], -13, LOCKED);
    await fails(node, "enc", "signmessage", [legacy, "hello"], -13, LOCKED);
    const mine = await ok(node, "enc", "getnewaddress") as string;
    await ok(node, "", "generatetoaddress", [101, mine]);
    const balance = await ok(node, "enc", "getbalance");
    assertEquals(balance, 50);
    await fails(node, "enc", "sendtoaddress", [mine, 1], -13, LOCKED);
    const raw = await ok(node, "", "createrawtransaction", [[], [{ [mine]: 1 }]]) as string;
    const funded = await ok(node, "enc", "fundrawtransaction", [raw, { fee_rate: 10 }]) as { hex: string };
    await fails(node, "enc", "signrawtransactionwithwallet", [funded.hex], -13, LOCKED);

    // walletpassphrase: Core's argument errors.
    await fails(node, "enc", "walletpassphrase", ["wrong", 10], -14, WRONG);
    await fails(node, "enc", "walletpassphrase", ["", 10], -8, "passphrase cannot be empty");
    await fails(node, "enc", "walletpassphrase", ["pass one", -1], -8, "Timeout cannot be negative.");
    await fails(
      node,
      "enc",
      "walletpassphrase",
      ["wrong\u0000x", 10],
      -14,
      "Error: The wallet passphrase entered is incorrect. It contains a null character (ie - a zero byte). If the " +
        "passphrase was set with a version of this software prior to 25.0, please try again with only the " +
        "characters up to — but not including — the first null character. If this is successful, please set a " +
        "new passphrase to avoid this issue in the future.",
    );

    // Unlocked for 3 seconds: signing works, then the wallet locks itself.
    const before = Math.floor(Date.now() / 1000);
    assertEquals(await ok(node, "enc", "walletpassphrase", ["pass one", 3]), null);
    const until = (await ok(node, "enc", "getwalletinfo") as Record<string, number>).unlocked_until;
    assert(until >= before + 3 && until <= before + 5, `unlocked_until ${until}, now ${before}`);
    const signature = await ok(node, "enc", "signmessage", [legacy, "hello"]) as string;
    assertEquals(await ok(node, "", "verifymessage", [legacy, signature, "hello"]), true);
    const descs = await ok(node, "enc", "listdescriptors", [true]) as {
      descriptors: Array<{ desc: string }>;
    };
    assert(descs.descriptors.some((d) => d.desc.includes("tprv")), "private descriptors when unlocked");
    await waitFor(
      async () => (await call(node, "enc", "signmessage", [legacy, "hello"])).error?.code === -13,
      10_000,
      "the wallet to relock",
    );
    await fails(node, "enc", "listdescriptors", [true], -13, LOCKED);
    assertEquals((await ok(node, "enc", "getwalletinfo") as Record<string, number>).unlocked_until, 0);

    // Timeouts are capped at 100000000 seconds; walletlock locks at once.
    await ok(node, "enc", "walletpassphrase", ["pass one", 200_000_000]);
    const capped = (await ok(node, "enc", "getwalletinfo") as Record<string, number>).unlocked_until;
    assert(Math.abs(capped - (Math.floor(Date.now() / 1000) + 100_000_000)) <= 2, `capped ${capped}`);
    assertEquals(await ok(node, "enc", "walletlock"), null);
    await fails(node, "enc", "signmessage", [legacy, "hello"], -13, LOCKED);

    // walletpassphrasechange: the old one stops working, the new one works; a wrong old one is refused.
    await fails(node, "enc", "walletpassphrasechange", ["wrong", "pass two"], -14, WRONG);
    await fails(node, "enc", "walletpassphrasechange", ["pass one", ""], -8, "passphrase cannot be empty");
    assertEquals(await ok(node, "enc", "walletpassphrasechange", ["pass one", "pass two"]), null);
    await fails(node, "enc", "walletpassphrase", ["pass one", 10], -14, WRONG);
    await ok(node, "enc", "walletpassphrase", ["pass two", 10]);
    assertEquals(await ok(node, "enc", "signmessage", [legacy, "hello"]), signature);
    await ok(node, "enc", "walletlock");

    // Passphrases with NUL characters are whole (Core's wallet_encryption.py).
    const nulls = "Phrase\u0000With\u0000Nulls";
    await ok(node, "enc", "walletpassphrasechange", ["pass two", nulls]);
    await fails(node, "enc", "walletpassphrase", ["Phrase", 10], -14, WRONG);
    await fails(node, "enc", "walletpassphrasechange", ["Phrase", "abc"], -14, WRONG);
    await fails(
      node,
      "enc",
      "walletpassphrasechange",
      [`${nulls}\u0000`, "abc"],
      -14,
      "Error: The old wallet passphrase entered is incorrect. It contains a null character (ie - a zero byte). " +
        "If the old passphrase was set with a version of this software prior to 25.0, please try again with only " +
        "the characters up to — but not including — the first null character.",
    );
    await ok(node, "enc", "walletpassphrase", [nulls, 10]);
    await ok(node, "enc", "walletlock");
    await ok(node, "enc", "walletpassphrasechange", [nulls, "pass two"]);

    // Wrong encryption state (-15) for each method.
    await fails(
      node,
      "enc",
      "encryptwallet",
      ["x"],
      -15,
      "Error: running with an encrypted wallet, but encryptwallet was called.",
    );
    for (
      const [m, p] of [["walletpassphrase", ["x", 1]], ["walletlock", []], ["walletpassphrasechange", [
        "a",
        "b",
      ]]] as const
    ) {
      await fails(
        node,
        "plain",
        m,
        [...p],
        -15,
        `Error: running with an unencrypted wallet, but ${m} was called.`,
      );
    }

    // encryptwallet on the plain wallet: new seed, locked afterwards.
    await fails(node, "plain", "encryptwallet", [""], -8, "passphrase cannot be empty");
    const plainLegacy = await ok(node, "plain", "getnewaddress", ["", "legacy"]) as string;
    const plainDescsBefore =
      (await ok(node, "plain", "listdescriptors") as { descriptors: Array<{ desc: string }> }).descriptors;
    assertEquals(
      await ok(node, "plain", "encryptwallet", ["plain pass"]),
      "wallet encrypted; The keypool has been flushed and a new HD seed was generated. You need to make a new " +
        "backup with the backupwallet RPC.",
    );
    await fails(node, "plain", "signmessage", [plainLegacy, "m"], -13, LOCKED);
    // A new seed: the next legacy address differs from any the old seed gives.
    const plainLegacy2 = await ok(node, "plain", "getnewaddress", ["", "legacy"]) as string;
    assert(plainLegacy2 !== plainLegacy, "a new address from the new seed");
    await fails(node, "plain", "listdescriptors", [true], -13, LOCKED);
    const after = await ok(node, "plain", "listdescriptors") as {
      descriptors: Array<{ desc: string; active: boolean }>;
    };
    const activeAfter = after.descriptors.filter((d) => d.active).map((d) => d.desc);
    for (const d of plainDescsBefore) assert(!activeAfter.includes(d.desc), "fresh active descriptors");
    await ok(node, "plain", "walletpassphrase", ["plain pass", 10]);
    // Keys of the old seed still sign (Core keeps the old descriptors, encrypted, inactive).
    const oldSig = await ok(node, "plain", "signmessage", [plainLegacy, "m"]) as string;
    assertEquals(await ok(node, "", "verifymessage", [plainLegacy, oldSig, "m"]), true);
    await ok(node, "plain", "walletlock");

    // A restart keeps the encryption, the passphrase and the balance.
    await ok(node, "", "stop");
    assertEquals(await node.wait(), 0);
    restarted = await startNode([], { dataDir: node.dataDir });
    await ok(restarted, "", "loadwallet", ["enc"]);
    assertEquals(await ok(restarted, "enc", "getbalance"), balance);
    await fails(restarted, "enc", "signmessage", [legacy, "hello"], -13, LOCKED);
    await fails(restarted, "enc", "walletpassphrase", ["pass one", 10], -14, WRONG);
    await ok(restarted, "enc", "walletpassphrase", ["pass two", 10]);
    assertEquals(await ok(restarted, "enc", "signmessage", [legacy, "hello"]), signature);
  } finally {
    await restarted?.cleanup();
    await node.cleanup();
    if (restarted) await Deno.remove(node.dataDir, { recursive: true }).catch(() => {});
  }
});

Deno.test("tsbtc rpc -stdinwalletpassphrase unlocks without the passphrase on the command line", async () => {
  const node = await startNode([]);
  try {
    await ok(node, "", "createwallet", ["w", false, false, "stdin pass"]);
    const legacy = await ok(node, "w", "getnewaddress", ["", "legacy"]) as string;
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
    assertEquals(typeof await ok(node, "w", "signmessage", [legacy, "m"]), "string");
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
