/**
 * End to end through a node and its wallet process: behaviours Bitcoin Core's wallet functional tests rely on
 * (each found by running one of them against tsbtc), kept here as fast regressions.
 */
import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals } from "../../assert.ts";
import { randomMasterKeyText } from "../../../wallet/scriptpubkeyman.ts";
import { startWalletNode, walletClient, withWalletNode } from "../wallet_rpc_helpers.ts";

type Obj = Record<string, unknown>;

Deno.test({
  name:
    "core parity: walletprocesspsbt signs a multisig input through the PSBT's listed keys (fundrawtransaction)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withWalletNode(["-fallbackfee=0.0002"], async ({ ok }) => {
      await ok(null, "createwallet", "w");
      await ok(null, "generatetoaddress", 101, await ok<string>("w", "getnewaddress"));
      const pubkeys: string[] = [];
      for (let i = 0; i < 2; i++) {
        const info = await ok<Obj>("w", "getaddressinfo", await ok<string>("w", "getnewaddress"));
        pubkeys.push(info.pubkey as string);
      }
      // A watch-only wallet of the 2-of-2 funds the PSBT; "w" holds both keys but not the multisig script.
      await ok(null, "createwallet", "multi", true);
      const ms = await ok<Obj>(null, "createmultisig", 2, pubkeys);
      const imported = await ok<Obj[]>("multi", "importdescriptors", [{
        desc: ms.descriptor,
        timestamp: "now",
      }]);
      assertEquals(imported[0].success, true);
      await ok("w", "sendtoaddress", ms.address, 1.2);
      await ok(null, "generatetoaddress", 1, await ok<string>("w", "getnewaddress"));
      const funded = await ok<Obj>(
        "multi",
        "walletcreatefundedpsbt",
        [],
        {
          [await ok<string>("w", "getnewaddress")]: 1.1,
        },
        0,
        { changeAddress: await ok<string>("w", "getrawchangeaddress") },
      );
      const processed = await ok<Obj>("w", "walletprocesspsbt", funded.psbt);
      assertEquals(processed.complete, true);
      const accepted = await ok<Obj[]>(null, "testmempoolaccept", [processed.hex]);
      assertEquals(accepted[0].allowed, true);
    });
  },
});

Deno.test({
  name: "core parity: an unlocked encrypted wallet spends coins of a hardened-only descriptor (sendall)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withWalletNode(["-fallbackfee=0.0002", "-keypool=10"], async ({ ok }) => {
      await ok(null, "createwallet", "w");
      await ok(null, "createwallet", "locked");
      await ok(null, "generatetoaddress", 101, await ok<string>("w", "getnewaddress"));
      await ok("locked", "encryptwallet", "test");
      await ok("locked", "walletpassphrase", "test", 600);
      const imports = [];
      for (const [path, internal] of [["0h", false], ["1h", true]] as const) {
        const desc = `wpkh(${randomMasterKeyText("regtest")}/${path}/*h)`;
        const info = await ok<Obj>(null, "getdescriptorinfo", desc);
        imports.push({ desc: `${desc}#${info.checksum}`, timestamp: "now", active: true, internal });
      }
      const imported = await ok<Obj[]>("locked", "importdescriptors", imports);
      assertEquals(imported.map((r) => r.success), [true, true]);
      await ok("w", "sendtoaddress", await ok<string>("locked", "getnewaddress"), 5);
      await ok(null, "generatetoaddress", 1, await ok<string>("w", "getnewaddress"));
      const sent = await ok<Obj>("locked", "sendall", [await ok<string>("w", "getnewaddress")]);
      assertEquals(sent.complete, true);
    });
  },
});

Deno.test({
  name:
    "core parity: a payment to an active receive descriptor adds the address to the book (listunspent label)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withWalletNode(["-fallbackfee=0.0002", "-keypool=10"], async ({ ok }) => {
      await ok(null, "createwallet", "w");
      await ok(null, "createwallet", "grind");
      await ok(null, "createwallet", "watch", true);
      const descs = await ok<{ descriptors: Obj[] }>("grind", "listdescriptors");
      const imported = await ok<Obj[]>("watch", "importdescriptors", descs.descriptors);
      assertEquals(imported.every((r) => r.success), true);
      await ok(null, "generatetoaddress", 101, await ok<string>("w", "getnewaddress"));
      const addr = await ok<string>("grind", "getnewaddress", "", "legacy");
      await ok("w", "sendtoaddress", addr, 10);
      await ok(null, "generatetoaddress", 1, await ok<string>("w", "getnewaddress"));
      const mine = await ok<Obj[]>("grind", "listunspent");
      assertEquals(mine[0].label, "");
      assertEquals(await ok<Obj[]>("watch", "listunspent"), mine);
      assertEquals(await ok<string[]>("watch", "getaddressesbylabel", ""), {
        [addr]: { purpose: "receive" },
      });
    });
  },
});

Deno.test({
  name: "core parity: a wallet transaction spending a locked coin unlocks it (Core's AddToSpends)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withWalletNode(["-fallbackfee=0.0002", "-keypool=10"], async ({ ok }) => {
      await ok(null, "createwallet", "w");
      await ok(null, "generatetoaddress", 102, await ok<string>("w", "getnewaddress"));
      const [, b] = await ok<Obj[]>("w", "listunspent");
      await ok("w", "lockunspent", false, [{ txid: b.txid, vout: b.vout }], true);
      const raw = await ok<string>(null, "createrawtransaction", [], {
        [await ok<string>("w", "getnewaddress")]: 1,
      });
      const funded = await ok<Obj>("w", "fundrawtransaction", raw, { lockUnspents: true });
      assertEquals((await ok<Obj[]>("w", "listlockunspent")).length, 2);
      const signed = await ok<Obj>("w", "signrawtransactionwithwallet", funded.hex);
      await ok(null, "sendrawtransaction", signed.hex);
      assertEquals(await ok<Obj[]>("w", "listlockunspent"), [{ txid: b.txid, vout: b.vout }]);
      // A persistent lock goes too (and stays gone after a reload).
      const raw2 = await ok<string>(null, "createrawtransaction", [{ txid: b.txid, vout: b.vout }], {
        [await ok<string>("w", "getnewaddress")]: 1,
      });
      const funded2 = await ok<Obj>("w", "fundrawtransaction", raw2);
      await ok(
        null,
        "sendrawtransaction",
        (await ok<Obj>("w", "signrawtransactionwithwallet", funded2.hex)).hex,
      );
      assertEquals(await ok<Obj[]>("w", "listlockunspent"), []);
      await ok(null, "unloadwallet", "w");
      await ok(null, "loadwallet", "w");
      assertEquals(await ok<Obj[]>("w", "listlockunspent"), []);
    });
  },
});

Deno.test({
  name:
    "core parity: createwallet and loadwallet warn about a very high -fallbackfee (Core's CWallet::Create)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withWalletNode(["-fallbackfee=0.02", "-keypool=10"], async ({ ok }) => {
      const warning =
        "-fallbackfee is set very high! This is the transaction fee you may pay when fee estimates " +
        "are not available.";
      assertEquals((await ok<Obj>(null, "createwallet", "w")).warnings, [warning]);
      await ok(null, "unloadwallet", "w");
      assertEquals((await ok<Obj>(null, "loadwallet", "w")).warnings, [warning]);
    });
  },
});

Deno.test({
  name: "core parity: a TRUC parent's other outputs are unavailable once any child of it is in the mempool",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withWalletNode(["-fallbackfee=0.0002", "-keypool=10"], async ({ call, ok }) => {
      for (const w of ["charlie", "alice", "bob"]) await ok(null, "createwallet", w);
      await ok(null, "generatetoaddress", 101, await ok<string>("charlie", "getnewaddress"));
      const sendTx = async (from: string, inputs: Obj[], outputs: Obj) => {
        let raw = await ok<string>(from, "createrawtransaction", inputs, outputs, 0, false, 3);
        if (inputs.length === 0) {
          raw = (await ok<Obj>(from, "fundrawtransaction", raw, { include_unsafe: true })).hex as string;
        }
        const signed = await ok<Obj>(from, "signrawtransactionwithwallet", raw);
        return await ok<string>(null, "sendrawtransaction", signed.hex);
      };
      await sendTx("charlie", [], {
        [await ok<string>("alice", "getnewaddress")]: 2,
        [await ok<string>("bob", "getnewaddress")]: 2,
      });
      // Alice's child is no transaction of Bob's wallet, yet it takes the parent's only child slot.
      const [coin] = await ok<Obj[]>("alice", "listunspent", 0);
      await sendTx("alice", [{ txid: coin.txid, vout: coin.vout }], {
        [await ok<string>("alice", "getnewaddress")]: 1.9999988,
      });
      const bobTx = await ok<string>(
        "bob",
        "createrawtransaction",
        [],
        {
          [await ok<string>("bob", "getnewaddress")]: 1.999,
        },
        0,
        false,
        3,
      );
      const r = await call("bob", "fundrawtransaction", bobTx, { include_unsafe: true });
      assertEquals(r.error, { code: -4, message: "Insufficient funds" });
    });
  },
});

Deno.test({
  name: "core parity: a wallet holding only the key signs a taproot input through its taproot BIP 32 path",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withWalletNode(["-fallbackfee=0.0002", "-keypool=10"], async ({ ok }) => {
      await ok(null, "createwallet", "w");
      await ok(null, "createwallet", "online", true, true);
      await ok(null, "createwallet", "keys", false, true);
      await ok(null, "generatetoaddress", 101, await ok<string>("w", "getnewaddress"));
      const xprv = `${randomMasterKeyText("regtest")}/*`;
      const withSum = async (d: string) => `${d}#${(await ok<Obj>(null, "getdescriptorinfo", d)).checksum}`;
      const pub = (await ok<Obj>(null, "getdescriptorinfo", `tr(${xprv})`)).descriptor as string;
      assertEquals(
        (await ok<Obj[]>("online", "importdescriptors", [{ desc: pub, timestamp: "now", active: true }]))[0]
          .success,
        true,
      );
      // The key-only wallet knows the keys as wpkh() (no taproot script at all).
      const keyOnly = await withSum(`wpkh(${xprv})`);
      assertEquals(
        (await ok<Obj[]>("keys", "importdescriptors", [{ desc: keyOnly, timestamp: "now" }]))[0].success,
        true,
      );
      await ok("w", "sendtoaddress", await ok<string>("online", "getnewaddress", "", "bech32m"), 1);
      await ok(null, "generatetoaddress", 1, await ok<string>("w", "getnewaddress"));
      const funded = await ok<Obj>(
        "online",
        "walletcreatefundedpsbt",
        [],
        {
          [await ok<string>("w", "getnewaddress")]: 0.5,
        },
        0,
        { changeAddress: await ok<string>("w", "getnewaddress") },
      );
      const res = await ok<Obj>("keys", "walletprocesspsbt", funded.psbt);
      assertEquals(res.complete, true);
      assertEquals((await ok<Obj[]>(null, "testmempoolaccept", [res.hex]))[0].allowed, true);
    });
  },
});

Deno.test({
  name: "core parity: a Bitcoin Core wallet.dat is refused as not in recognized format and left untouched",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withWalletNode(["-keypool=10"], async ({ node, call, ok }) => {
      await ok(null, "createwallet", "w");
      const dir = `${node.netDataDir}/wallets/core`;
      await Deno.mkdir(dir, { recursive: true });
      const tables = () => {
        const db = new DatabaseSync(`${dir}/wallet.dat`, { readOnly: true });
        const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) =>
          r.name
        );
        db.close();
        return names;
      };
      const db = new DatabaseSync(`${dir}/wallet.dat`);
      db.exec("PRAGMA application_id = 0xdab5bffa");
      db.exec("CREATE TABLE main(key BLOB PRIMARY KEY NOT NULL, value BLOB NOT NULL)");
      db.close();
      const r = await call(null, "loadwallet", "core");
      assertEquals(r.error, {
        code: -18,
        message: `Wallet file verification failed. Failed to load database path '${dir}'. Data is not in ` +
          "recognized format.",
      });
      assertEquals(tables(), ["main"]);
      assertEquals(await ok<Obj>(null, "listwalletdir"), { wallets: [{ name: "w", warnings: [] }] });
    });
  },
});

Deno.test({
  name:
    "core parity: a wallet loaded behind the tip logs Core's 'Rescanning last N blocks (from block H)...'",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withWalletNode(["-keypool=10"], async ({ node, ok }) => {
      await ok(null, "createwallet", "w");
      const addr = await ok<string>("w", "getnewaddress");
      await ok(null, "generatetoaddress", 3, addr);
      // Wallet calls wait for the wallet to catch up with the chain (Core's BlockUntilSyncedToCurrentChain).
      assertEquals(((await ok<Obj>("w", "getbalances")).lastprocessedblock as Obj).height, 3);
      await ok(null, "unloadwallet", "w");
      await ok(null, "generatetoaddress", 2, addr);
      await ok(null, "loadwallet", "w");
      const log = await node.log();
      assert(log.includes("[w] Rescanning last 2 blocks (from block 3)..."));
      assertEquals((await ok<Obj>("w", "getbalances")).lastprocessedblock, {
        hash: await ok<string>(null, "getbestblockhash"),
        height: 5,
      });
    });
  },
});

Deno.test({
  name:
    "core parity: -nowallet ignores settings.json's wallets; duplicates and symlinked wallet dirs as Core's",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    let node = await startWalletNode(["-keypool=10"]);
    const dataDir = node.dataDir;
    try {
      let client = walletClient(node);
      await client.ok(null, "createwallet", "w", false, false, "", false, true, true);
      const walletsDir = `${node.netDataDir}/wallets`;
      await Deno.symlink("w", `${walletsDir}/w_link`);
      await Deno.mkdir(`${walletsDir}/loop`);
      await Deno.symlink("wallet.dat", `${walletsDir}/loop/wallet.dat`);
      const listed = await client.ok<{ wallets: Obj[] }>(null, "listwalletdir");
      assertEquals(listed.wallets.map((w) => w.name), ["w", "w_link"]);
      assert((await node.log()).includes("Error while scanning wallet dir item: "));
      await client.ok(null, "stop");
      await node.wait();
      node = await startWalletNode(["-keypool=10", "-nowallet"], { dataDir });
      client = walletClient(node);
      assertEquals(await client.ok(null, "listwallets"), []);
      await client.ok(null, "stop");
      await node.wait();
      node = await startWalletNode(["-keypool=10", "-nowallet", "-wallet=w", "-wallet=w"], { dataDir });
      client = walletClient(node);
      assertEquals(await client.ok(null, "listwallets"), ["w"]);
      assert((await node.log()).includes("Ignoring duplicate -wallet w."));
    } finally {
      await node.cleanup();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
