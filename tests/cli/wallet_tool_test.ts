import { assert, assertEquals } from "../assert.ts";
import { exists, runTsbtc, startNode, tsbtcCommand, waitFor } from "../helpers.ts";
import { DB_IN_USE_MESSAGE, WalletDatabase } from "../../wallet/db/mod.ts";

function tool(dataDir: string, ...args: string[]) {
  return runTsbtc(["wallet", "-regtest", `-datadir=${dataDir}`, ...args], { timeoutMs: 60_000 });
}

const INFO = (name: string, keypool = 8000) =>
  "Wallet info\n===========\n" +
  `Name: ${name}\nFormat: tsbtc_kv\nDescriptors: yes\nEncrypted: no\nHD (hd seed available): yes\n` +
  `Keypool Size: ${keypool}\nTransactions: 0\nAddress Book: 0\n`;

Deno.test("tsbtc wallet create/info/dump/createfromdump: Core's bitcoin-wallet outputs", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "tsbtc-wallet-tool-" });
  const walletDir = `${dataDir}/regtest/wallets`;
  try {
    const created = await tool(dataDir, "-wallet=w", "-keypool=100", "create");
    assertEquals(created.code, 0, created.stderr);
    assertEquals(created.stdout, "Topping up keypool...\n" + INFO("w", 800));
    assert(await exists(`${walletDir}/w/wallet.dat`));
    const again = await tool(dataDir, "-wallet=w", "create");
    assertEquals(again.code, 1);
    assertEquals(again.stderr, `Failed to create database path '${walletDir}/w'. Database already exists.\n`);
    const info = await tool(dataDir, "-wallet=w", "info");
    assertEquals(info.code, 0, info.stderr);
    assertEquals(info.stdout, INFO("w", 800));

    // dump: every record, Core's header and checksum; the warning on stdout.
    const dumpFile = `${dataDir}/w.dump`;
    const dumped = await tool(dataDir, "-wallet=w", `-dumpfile=${dumpFile}`, "dump");
    assertEquals(dumped.code, 0, dumped.stderr);
    assertEquals(
      dumped.stdout,
      "The dumpfile may contain private keys. To ensure the safety of your Bitcoin, do not share the dumpfile.\n",
    );
    const text = await Deno.readTextFile(dumpFile);
    const lines = text.trimEnd().split("\n");
    assertEquals(lines.slice(0, 2), ["BITCOIN_CORE_WALLET_DUMP,1", "format,tsbtc_kv"]);
    assert(/^checksum,[0-9a-f]{64}$/.test(lines.at(-1)!), lines.at(-1));
    assert(lines.length > 10, `${lines.length} lines`);
    // An unencrypted wallet's dump holds its private descriptors ("tprv…" in hex): hence the tool's warning.
    assert(
      text.includes(Array.from(new TextEncoder().encode("tprv"), (b) => b.toString(16)).join("")),
      "tprv",
    );
    const twice = await tool(dataDir, "-wallet=w", `-dumpfile=${dumpFile}`, "dump");
    assertEquals(twice.code, 1);
    assertEquals(
      twice.stderr,
      `File ${dumpFile} already exists. If you are sure this is what you want, move it out of the way first.\n`,
    );

    // createfromdump: the same wallet under another name; dumping it again gives the same records.
    const restored = await tool(dataDir, "-wallet=copy", `-dumpfile=${dumpFile}`, "createfromdump");
    assertEquals(restored.code, 0, restored.stderr);
    assertEquals(restored.stdout, "");
    assertEquals((await tool(dataDir, "-wallet=copy", "info")).stdout, INFO("copy", 800));
    const redump = `${dataDir}/copy.dump`;
    assertEquals((await tool(dataDir, "-wallet=copy", `-dumpfile=${redump}`, "dump")).code, 0);
    assertEquals(await Deno.readTextFile(redump), text);
    const exists2 = await tool(dataDir, "-wallet=copy", `-dumpfile=${dumpFile}`, "createfromdump");
    assertEquals(
      exists2.stderr,
      `Failed to create database path '${walletDir}/copy'. Database already exists.\n`,
    );

    // A damaged dump creates nothing.
    const bad = `${dataDir}/bad.dump`;
    await Deno.writeTextFile(bad, text.replace(lines[3], lines[3].slice(0, -2) + "00"));
    const failed = await tool(dataDir, "-wallet=bad", `-dumpfile=${bad}`, "createfromdump");
    assertEquals(failed.code, 1);
    assert(failed.stderr.startsWith("Error: Dumpfile checksum does not match. Computed "), failed.stderr);
    assertEquals(await exists(`${walletDir}/bad`), false);
    const missing = await tool(dataDir, "-wallet=m", `-dumpfile=${dataDir}/nope.dump`, "createfromdump");
    assertEquals(missing.stderr, `Dump file ${dataDir}/nope.dump does not exist.\n`);
    assertEquals(await exists(`${walletDir}/m`), false);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("tsbtc wallet tool: Core's argument errors", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "tsbtc-wallet-tool-" });
  const walletDir = `${dataDir}/regtest/wallets`;
  try {
    const cases: Array<[string[], string]> = [
      [["create"], "Wallet name must be provided when creating a new wallet.\n"],
      [["-wallet=", "create"], "Wallet name cannot be empty\n"],
      [["createfromdump"], "Wallet name must be provided when creating a new wallet.\n"],
      [
        ["-wallet=x", "createfromdump"],
        "No dump file provided. To use createfromdump, -dumpfile=<filename> must be provided.\n",
      ],
      [["-wallet=nope", "info"], `Failed to load database path '${walletDir}/nope'. Path does not exist.\n`],
      [
        ["-wallet=x", "-dumpfile=/tmp/x", "info"],
        "Error: Invalid arguments provided:\n- The -dumpfile option cannot be used with the 'info' command.\n",
      ],
      [
        ["-wallet=x", "-dumpfile=/tmp/x", "create"],
        "Error: Invalid arguments provided:\n- The -dumpfile option cannot be used with the 'create' command.\n",
      ],
      [
        ["-wallet=x", "info", "extra", "more"],
        "Error: Additional arguments provided (extra, more). Methods do not take arguments. Please refer to `-help`.\n",
      ],
      [["-wallet=x", "frobnicate"], "Error parsing command line arguments: Invalid command 'frobnicate'\n"],
      [
        ["-wallet=x", "../x/./y", "info"],
        "Error parsing command line arguments: Invalid command '../x/./y'\n",
      ],
      [["-wallet=x/../y", "info"], "Wallet name given as a path must be normalized\n"],
      // Legacy (BDB) wallets are gone, and so are the options that chose them (Core master).
      [
        ["-wallet=x", "-legacy", "create"],
        "Error parsing command line arguments: Invalid parameter -legacy\n",
      ],
      [
        ["-wallet=x", "-descriptors", "create"],
        "Error parsing command line arguments: Invalid parameter -descriptors\n",
      ],
    ];
    for (const [args, stderr] of cases) {
      const r = await tool(dataDir, ...args);
      assertEquals([r.code, r.stderr], [1, stderr], args.join(" "));
    }
    // Like Core's bitcoin-wallet, the tool reads no bitcoin.conf (here one that would conflict with -chain).
    await Deno.writeTextFile(`${dataDir}/bitcoin.conf`, "regtest=1\nwallet=nope\n");
    const noConf = await runTsbtc([
      "wallet",
      `-datadir=${dataDir}`,
      "-chain=regtest",
      "-wallet=nope",
      "info",
    ]);
    assertEquals(noConf.stderr, `Failed to load database path '${walletDir}/nope'. Path does not exist.\n`);
    const noDataDir = await runTsbtc(["wallet", `-datadir=${dataDir}/none`, "-regtest", "-wallet=x", "info"]);
    assertEquals([noDataDir.code, noDataDir.stderr], [
      1,
      `Error: Specified data directory "${dataDir}/none" does not exist.\n`,
    ]);
    // Without a command (and without -ipcconnect) it says what Core's tool says.
    const noCommand = await runTsbtc(["wallet", `-datadir=${dataDir}`, "-chain=regtest"]);
    assertEquals(noCommand.code, 1);
    assert(
      noCommand.stderr.includes("No method provided. Run `bitcoin-wallet -help` for valid methods."),
      noCommand.stderr,
    );
    await Deno.mkdir(`${walletDir}/empty`, { recursive: true });
    const notWallet = await tool(dataDir, "-wallet=empty", "info");
    assertEquals(
      notWallet.stderr,
      `Failed to load database path '${walletDir}/empty'. Data is not in recognized format.\n`,
    );
    const noDump = await tool(dataDir, "-wallet=empty", "dump");
    assertEquals(
      noDump.stderr,
      `Failed to load database path '${walletDir}/empty'. Data is not in recognized format.\n`,
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("tsbtc wallet tool: refuses a wallet another process holds; a relative -dumpfile is taken from the working directory", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "tsbtc-wallet-tool-" });
  const walletDir = `${dataDir}/regtest/wallets`;
  try {
    assertEquals((await tool(dataDir, "-wallet=held", "-keypool=1", "create")).code, 0);
    const holder = await WalletDatabase.open(`${walletDir}/held`);
    try {
      for (const cmd of ["info", "dump"]) {
        const r = await tool(
          dataDir,
          "-wallet=held",
          ...(cmd === "dump" ? [`-dumpfile=${dataDir}/h.dump`] : []),
          cmd,
        );
        assertEquals([r.code, r.stderr], [1, `${DB_IN_USE_MESSAGE}\n`], cmd);
      }
      assertEquals(await exists(`${dataDir}/h.dump`), false);
    } finally {
      await holder.close();
    }
    const { cmd, args } = tsbtcCommand([
      "wallet",
      "-regtest",
      `-datadir=${dataDir}`,
      "-wallet=held",
      "-dumpfile=rel.dump",
      "dump",
    ]);
    const out = await new Deno.Command(cmd, {
      args,
      cwd: dataDir,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    })
      .output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    assert(await exists(`${dataDir}/rel.dump`), "rel.dump written in the working directory");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("tsbtc wallet tool: refuses a wallet the node's wallet process has loaded, opens it once unloaded", async () => {
  const node = await startNode([]);
  try {
    await waitFor(async () => (await node.rpc("listwallets")).error === null, 30_000, "the wallet process");
    assertEquals((await node.rpc("createwallet", ["live"])).error, null);
    const held = await tool(node.dataDir, "-wallet=live", "info");
    assertEquals([held.code, held.stderr], [1, `${DB_IN_USE_MESSAGE}\n`]);
    assertEquals((await node.rpc("unloadwallet", ["live"])).error, null);
    const free = await tool(node.dataDir, "-wallet=live", "info");
    assertEquals(free.code, 0, free.stderr);
    assert(free.stdout.includes("Name: live\n"), free.stdout);
  } finally {
    await node.cleanup();
  }
});

Deno.test("tsbtc wallet tool: an encrypted wallet dumps without plaintext keys and comes back usable from its dump", async () => {
  const node = await startNode([]);
  try {
    const rpc = async (method: string, params: unknown[] = [], wallet?: string) => {
      const cookie = await Deno.readTextFile(`${node.netDataDir}/.cookie`);
      const res = await fetch(
        `http://127.0.0.1:${node.rpcPort}${wallet === undefined ? "/" : `/wallet/${wallet}`}`,
        {
          method: "POST",
          headers: { authorization: `Basic ${btoa(cookie)}` },
          body: JSON.stringify({ jsonrpc: "1.0", id: 1, method, params }),
        },
      );
      const r = await res.json();
      if (r.error !== null) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
      return r.result;
    };
    await waitFor(async () => (await node.rpc("listwallets")).error === null, 30_000, "the wallet process");
    await rpc("createwallet", ["secret", false, false, "dump pass"]);
    const legacy = await rpc("getnewaddress", ["", "legacy"], "secret") as string;
    await rpc("walletpassphrase", ["dump pass", 30], "secret");
    const signature = await rpc("signmessage", [legacy, "m"], "secret") as string;
    await rpc("unloadwallet", ["secret"]);

    const info = await tool(node.dataDir, "-wallet=secret", "info");
    assert(info.stdout.includes("Encrypted: yes\n"), info.stdout);
    const dumpFile = `${node.dataDir}/secret.dump`;
    assertEquals((await tool(node.dataDir, "-wallet=secret", `-dumpfile=${dumpFile}`, "dump")).code, 0);
    const text = await Deno.readTextFile(dumpFile);
    // Values are hex: look for the hex of "tprv" (the start of any extended private key text).
    const tprvHex = Array.from(new TextEncoder().encode("tprv"), (b) => b.toString(16).padStart(2, "0")).join(
      "",
    );
    assert(!text.includes(tprvHex), "the dump of an encrypted wallet holds no private descriptor text");

    assertEquals(
      (await tool(node.dataDir, "-wallet=restored", `-dumpfile=${dumpFile}`, "createfromdump")).code,
      0,
    );
    await rpc("loadwallet", ["restored"]);
    await rpc("walletpassphrase", ["dump pass", 30], "restored");
    assertEquals(await rpc("signmessage", [legacy, "m"], "restored"), signature);
  } finally {
    await node.cleanup();
  }
});
