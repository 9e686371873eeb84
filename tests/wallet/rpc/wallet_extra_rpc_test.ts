/**
 * End to end through a real node and its wallet process: setwalletflag, keypoolrefill, listaddressgroupings,
 * simulaterawtransaction, gethdkeys, addhdkey, createwalletdescriptor, importprunedfunds/removeprunedfunds,
 * exportwatchonlywallet (restored with restorewallet), migratewallet and walletdisplayaddress — each one's
 * result and Core's errors.
 */
import { assert, assertEquals } from "../../assert.ts";
import { WALLET_DB_FILE } from "../../../wallet/db/database.ts";
import { withWalletNode } from "../wallet_rpc_helpers.ts";

type Obj = Record<string, unknown>;
type HdKey = {
  xpub: string;
  has_private: boolean;
  xprv?: string;
  descriptors: { desc: string; active: boolean }[];
};

const AVOID_REUSE_CAVEAT =
  "You need to rescan the blockchain in order to correctly mark used destinations in " +
  "the past. Until this is done, some destinations may be considered unused, even if the opposite is the case.";

Deno.test({
  name: "wallet extra RPCs through a node and its wallet process",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await withWalletNode(["-fallbackfee=0.0002", "-keypool=40"], async ({ node, call, ok }) => {
      const err = async (wallet: string | null, method: string, ...params: unknown[]) => {
        const r = await call(wallet, method, ...params);
        assert(r.error !== null, `${method} should fail`);
        return [r.error.code, r.error.message];
      };
      await ok(null, "createwallet", "w");
      await ok(null, "createwallet", "w2");
      const addr = await ok<string>("w", "getnewaddress");
      await ok(null, "generatetoaddress", 101, addr);
      const walletDir = `${node.netDataDir}/wallets`;

      await t.step("setwalletflag", async () => {
        assertEquals(await err("w", "setwalletflag", "foo"), [-8, "Unknown wallet flag: foo"]);
        assertEquals(await err("w", "setwalletflag", "blank"), [-8, "Wallet flag is immutable: blank"]);
        assertEquals(await err("w", "setwalletflag", "key_origin_metadata"), [
          -8,
          "Wallet flag is immutable: key_origin_metadata",
        ]);
        assertEquals(await err("w", "setwalletflag", "avoid_reuse", false), [
          -8,
          "Wallet flag is already set to false: avoid_reuse",
        ]);
        assertEquals(await ok("w", "setwalletflag", "avoid_reuse"), {
          flag_name: "avoid_reuse",
          flag_state: true,
          warnings: AVOID_REUSE_CAVEAT,
        });
        assertEquals((await ok<Obj>("w", "getwalletinfo")).avoid_reuse, true);
        assertEquals(await err("w", "setwalletflag", "avoid_reuse", true), [
          -8,
          "Wallet flag is already set to true: avoid_reuse",
        ]);
        assertEquals(await ok("w", "setwalletflag", "avoid_reuse", false), {
          flag_name: "avoid_reuse",
          flag_state: false,
        });
        assertEquals((await ok<Obj>("w", "getwalletinfo")).flags, [
          "last_hardened_xpub_cached",
          "descriptor_wallet",
        ]);
      });

      await t.step("keypoolrefill", async () => {
        assertEquals(await err("w", "keypoolrefill", -1), [-8, "Invalid parameter, expected valid size."]);
        assertEquals(await ok("w", "keypoolrefill", 60), null);
        let info = await ok<Obj>("w", "getwalletinfo");
        // Four active receive descriptors with 60 unused positions each (and four change descriptors).
        assertEquals([info.keypoolsize, info.keypoolsize_hd_internal], [240, 240]);
        assertEquals(await ok("w", "keypoolrefill"), null); // -keypool (40) is below: nothing to add
        info = await ok<Obj>("w", "getwalletinfo");
        assertEquals(info.keypoolsize, 240);
        // The derived positions are the wallet's scripts: position 60 of bech32 receive is, 61 is not yet.
        const wpkh = (await ok<{ descriptors: { desc: string; active: boolean; internal: boolean }[] }>(
          "w",
          "listdescriptors",
        )).descriptors.find((d) => d.desc.startsWith("wpkh(") && !d.internal)!.desc;
        const [at60, at61] = await ok<string[]>(null, "deriveaddresses", wpkh, [60, 61]);
        assertEquals((await ok<Obj>("w", "getaddressinfo", at60)).ismine, true);
        assertEquals((await ok<Obj>("w", "getaddressinfo", at61)).ismine, false);
        await ok(null, "createwallet", "enc", false, false, "pass");
        assertEquals(await err("enc", "keypoolrefill", 10), [
          -13,
          "Error: Please enter the wallet passphrase with walletpassphrase first.",
        ]);
        await ok("enc", "walletpassphrase", "pass", 60);
        assertEquals(await ok("enc", "keypoolrefill", 50), null);
        assertEquals((await ok<Obj>("enc", "getwalletinfo")).keypoolsize, 200);
        await ok("enc", "walletlock");
      });

      let changeAddr = "";
      await t.step("listaddressgroupings", async () => {
        assertEquals(await ok("w", "listaddressgroupings"), [[[addr, 50, ""]]]);
        const to = await ok<string>("w2", "getnewaddress", "pay");
        const txid = await ok<string>("w", "sendtoaddress", to, 10);
        const tx = await ok<Obj>("w", "gettransaction", txid, false, true);
        const fee = -(tx.fee as number);
        const decoded = tx.decoded as { vout: { value: number; scriptPubKey: { address: string } }[] };
        changeAddr = decoded.vout.find((o) => o.scriptPubKey.address !== to)!.scriptPubKey.address;
        const groups = await ok<unknown[][][]>("w", "listaddressgroupings");
        assertEquals(groups.length, 1);
        const sorted = [...groups[0]].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
        const expected = [[addr, 0, ""], [changeAddr, Math.round((40 - fee) * 1e8) / 1e8]].sort((a, b) =>
          String(a[0]).localeCompare(String(b[0]))
        );
        assertEquals(sorted, expected);
        // Not from the receiver, unconfirmed: no amount yet; its label is shown.
        assertEquals(await ok("w2", "listaddressgroupings"), [[[to, 0, "pay"]]]);
        await ok(null, "generatetoaddress", 1, addr);
        assertEquals(await ok("w2", "listaddressgroupings"), [[[to, 10, "pay"]]]);
      });

      await t.step("simulaterawtransaction", async () => {
        const unspent = (await ok<Obj[]>("w", "listunspent")).find((u) => u.address === changeAddr)!;
        const mine = await ok<string>("w", "getnewaddress");
        const other = await ok<string>("w2", "getnewaddress");
        const tx1 = await ok<string>(null, "createrawtransaction", [{
          txid: unspent.txid,
          vout: unspent.vout,
        }], {
          [mine]: 5,
        });
        assertEquals(await ok("w", "simulaterawtransaction", [tx1]), {
          balance_change: Math.round((5 - (unspent.amount as number)) * 1e8) / 1e8,
        });
        const dec1 = await ok<Obj>(null, "decoderawtransaction", tx1);
        const tx2 = await ok<string>(null, "createrawtransaction", [{ txid: dec1.txid, vout: 0 }], {
          [other]: 4,
        });
        assertEquals(await ok("w", "simulaterawtransaction", [tx1, tx2]), {
          balance_change: -unspent.amount!,
        });
        // The receiver sees only what it gets.
        assertEquals(await ok("w2", "simulaterawtransaction", [tx1, tx2]), { balance_change: 4 });
        assertEquals(await err("w", "simulaterawtransaction", [tx1, tx1]), [
          -8,
          "Transaction(s) are spending the same output more than once",
        ]);
        const missing = await ok<string>(null, "createrawtransaction", [{ txid: "11".repeat(32), vout: 0 }], {
          [other]: 1,
        });
        assertEquals(await err("w", "simulaterawtransaction", [missing]), [
          -8,
          "One or more transaction inputs are missing or have been spent already",
        ]);
        assertEquals(await err("w", "simulaterawtransaction", ["zz"]), [
          -22,
          "Transaction hex string decoding failure.",
        ]);
        assertEquals((await err("w", "simulaterawtransaction"))[0], -3);
        assertEquals(await ok("w", "simulaterawtransaction", []), { balance_change: 0 });
      });

      let wXpub = "";
      let wXprv = "";
      await t.step("gethdkeys", async () => {
        const keys = await ok<HdKey[]>("w", "gethdkeys");
        assertEquals(keys.length, 1);
        assertEquals(keys[0].has_private, true);
        assert(keys[0].xprv === undefined);
        wXpub = keys[0].xpub;
        assert(wXpub.startsWith("tpub"));
        const listed =
          (await ok<{ descriptors: { desc: string; active: boolean }[] }>("w", "listdescriptors"))
            .descriptors;
        assertEquals(
          keys[0].descriptors,
          listed.map((d) => ({ desc: d.desc, active: d.active })).sort((a, b) => a.desc < b.desc ? -1 : 1),
        );
        const priv = await ok<HdKey[]>("w", "gethdkeys", { private: true, active_only: true });
        assertEquals(priv[0].xpub, wXpub);
        wXprv = priv[0].xprv!;
        assert(wXprv.startsWith("tprv"));
        const privDescs =
          (await ok<{ descriptors: { desc: string }[] }>("w", "listdescriptors", true)).descriptors;
        assert(privDescs.every((d) => d.desc.includes(wXprv)));
        // Known while locked (the master key of the default descriptors, not their account keys).
        const enc = await ok<HdKey[]>("enc", "gethdkeys");
        assertEquals([enc.length, enc[0].has_private, enc[0].descriptors.length], [1, true, 8]);
        assertEquals(await err("enc", "gethdkeys", { private: true }), [
          -13,
          "Error: Please enter the wallet passphrase with walletpassphrase first.",
        ]);
        assertEquals((await err("w", "gethdkeys", { private: 1 }))[0], -3);
      });

      await t.step("addhdkey", async () => {
        const added = await ok<{ xpub: string }>("w", "addhdkey");
        const keys = await ok<HdKey[]>("w", "gethdkeys");
        assertEquals(keys.length, 2);
        const entry = keys.find((k) => k.xpub === added.xpub)!;
        assertEquals(entry.has_private, true);
        assertEquals(entry.descriptors.length, 1);
        assert(entry.descriptors[0].desc.startsWith(`unused(${added.xpub})#`));
        assertEquals(entry.descriptors[0].active, false);
        assertEquals((await ok<HdKey[]>("w", "gethdkeys", { active_only: true })).length, 1);
        // The master key of the default descriptors can be added as well (an unused() descriptor), once.
        assertEquals(await ok("w", "addhdkey", wXprv), { xpub: wXpub });
        const master = (await ok<HdKey[]>("w", "gethdkeys")).find((k) => k.xpub === wXpub)!;
        assertEquals(master.descriptors.length, 9);
        assertEquals(await err("w", "addhdkey", wXprv), [-4, "HD key already exists"]);
        assertEquals(await err("w", "addhdkey", wXpub), [
          -5,
          "Extended public key (xpub) provided, but extended private key (xprv) is required",
        ]);
        assertEquals(await err("w", "addhdkey", "junk"), [-5, "Could not parse HD key"]);
        await ok(null, "createwallet", "wo", true);
        assertEquals(await err("wo", "addhdkey"), [
          -4,
          "addhdkey is not available for wallets without private keys",
        ]);
        assertEquals(await err("enc", "addhdkey"), [
          -13,
          "Error: Please enter the wallet passphrase with walletpassphrase first.",
        ]);
      });

      await t.step("createwalletdescriptor", async () => {
        await ok(null, "createwallet", "b", false, true);
        assertEquals(await err("b", "createwalletdescriptor", "bech32"), [
          -5,
          "Unable to determine which HD key to use from active descriptors. Please specify with 'hdkey'",
        ]);
        assertEquals(await err("b", "createwalletdescriptor", "bech32", { hdkey: wXpub }), [
          -5,
          `Private key for ${wXpub} is not known`,
        ]);
        assertEquals(await err("b", "createwalletdescriptor", "foo"), [-5, "Unknown address type 'foo'"]);
        assertEquals(await err("b", "createwalletdescriptor", "bech32", { hdkey: wXprv }), [
          -5,
          "Unable to parse HD key. Please provide a valid xpub",
        ]);
        assertEquals(await ok("b", "addhdkey", wXprv), { xpub: wXpub });
        const made = await ok<{ descs: string[] }>("b", "createwalletdescriptor", "bech32", { hdkey: wXpub });
        const wDescs = (await ok<{ descriptors: { desc: string }[] }>("w", "listdescriptors")).descriptors
          .map((d) => d.desc).filter((d) => d.startsWith("wpkh("));
        assertEquals(made.descs, wDescs);
        assertEquals(await err("b", "createwalletdescriptor", "bech32", { hdkey: wXpub }), [
          -4,
          "Descriptor already exists",
        ]);
        // Same key, same positions: b's first address is w's first one.
        assertEquals(await ok("b", "getnewaddress", "", "bech32"), addr);
        // Only the change descriptor, from the one active HD key now.
        const tr = await ok<{ descs: string[] }>("b", "createwalletdescriptor", "bech32m", {
          internal: true,
        });
        assertEquals(tr.descs.length, 1);
        assert(
          tr.descs[0].startsWith("tr([") && tr.descs[0].includes("/86h/1h/0h]") &&
            tr.descs[0].includes("/1/*)"),
        );
        const active = (await ok<{ descriptors: { desc: string; active: boolean; internal?: boolean }[] }>(
          "b",
          "listdescriptors",
        )).descriptors.filter((d) => d.active);
        assertEquals(active.length, 3);
        assertEquals(await err("enc", "createwalletdescriptor", "bech32"), [
          -13,
          "Error: Please enter the wallet passphrase with walletpassphrase first.",
        ]);
      });

      await t.step("importprunedfunds and removeprunedfunds", async () => {
        await ok(null, "createwallet", "p");
        const to = await ok<string>("p", "getnewaddress");
        const txid = await ok<string>("w", "sendtoaddress", to, 1);
        const [blockHash] = await ok<string[]>(null, "generatetoaddress", 1, addr);
        await ok("p", "getbalances");
        assertEquals(await ok("p", "getbalance"), 1);
        const raw = await ok<string>(null, "getrawtransaction", txid, false, blockHash);
        const proof = await ok<string>(null, "gettxoutproof", [txid], blockHash);
        assertEquals(await ok("p", "removeprunedfunds", txid), null);
        assertEquals(await ok("p", "getbalance"), 0);
        assertEquals((await err("p", "gettransaction", txid))[0], -5);
        assertEquals(await err("p", "removeprunedfunds", txid), [
          -4,
          `Transaction ${txid} does not belong to this wallet`,
        ]);
        assertEquals(await err("p", "removeprunedfunds", "xy"), [
          -8,
          "txid must be of length 64 (not 2, for 'xy')",
        ]);
        assertEquals(await ok("p", "importprunedfunds", raw, proof), null);
        assertEquals(await ok("p", "getbalance"), 1);
        const wtx = await ok<Obj>("p", "gettransaction", txid);
        assertEquals([wtx.confirmations, wtx.blockhash, wtx.amount], [1, blockHash, 1]);
        // The coinbase of the same block: a proof that does not hold the transaction, a transaction not for p.
        const block = await ok<{ tx: string[] }>(null, "getblock", blockHash);
        const cbProof = await ok<string>(null, "gettxoutproof", [block.tx[0]], blockHash);
        assertEquals(await err("p", "importprunedfunds", raw, cbProof), [
          -5,
          "Transaction given doesn't exist in proof",
        ]);
        const cbRaw = await ok<string>(null, "getrawtransaction", block.tx[0], false, blockHash);
        assertEquals(await err("p", "importprunedfunds", cbRaw, cbProof), [
          -5,
          "No addresses in wallet correspond to included transaction",
        ]);
        // A proof whose merkle root was changed.
        const bad = proof.slice(0, 72) + (proof[72] === "0" ? "1" : "0") + proof.slice(73);
        assertEquals(await err("p", "importprunedfunds", raw, bad), [-5, "Something wrong with merkleblock"]);
        // A block the wallet's chain no longer has.
        await ok(null, "invalidateblock", blockHash);
        await ok("p", "getbalances");
        assertEquals(await err("p", "importprunedfunds", raw, proof), [-5, "Block not found in chain"]);
        await ok(null, "reconsiderblock", blockHash);
        await ok("p", "getbalances");
        assertEquals((await ok<Obj>("p", "gettransaction", txid)).blockhash, blockHash);
        assertEquals(await err("p", "importprunedfunds", "00", proof), [
          -22,
          "TX decode failed. Make sure the tx has at least one input.",
        ]);
      });

      await t.step("exportwatchonlywallet", async () => {
        const res = await ok<{ exported_file: string }>("w", "exportwatchonlywallet", "w_watchonly.kv");
        assertEquals(res.exported_file, `${walletDir}/w_watchonly.kv`);
        assertEquals(await err("w", "exportwatchonlywallet", "w_watchonly.kv"), [
          -4,
          "Error: Export destination 'w_watchonly.kv' already exists",
        ]);
        assertEquals(await err("w", "exportwatchonlywallet", ""), [
          -4,
          "Error: Export destination cannot be empty",
        ]);
        assertEquals(await err("w", "exportwatchonlywallet", "no/such/dir/x.kv"), [
          -4,
          "Error: Could not create file 'no/such/dir/x.kv'",
        ]);
        const outside = await err("w", "exportwatchonlywallet", "../outside.kv");
        assertEquals(outside[0], -4);
        assert(
          String(outside[1]).startsWith("Error: Could not create file '../outside.kv': the wallet process"),
        );
        assertEquals(await Deno.stat(`${node.netDataDir}/outside.kv`).catch(() => null), null);
        const text = new TextDecoder().decode(await Deno.readFile(res.exported_file));
        assert(!text.includes("tprv"), "the export holds no private key");
        // From a locked encrypted wallet: neither the encrypted keys nor the master key record are copied.
        const encFile = (await ok<{ exported_file: string }>("enc", "exportwatchonlywallet", "enc_watch.kv"))
          .exported_file;
        const encOriginal = new TextDecoder().decode(
          await Deno.readFile(`${walletDir}/enc/${WALLET_DB_FILE}`),
        );
        assert(encOriginal.includes("cpriv") && encOriginal.includes("masterkey"));
        const encText = new TextDecoder().decode(await Deno.readFile(encFile));
        assert(!encText.includes("cpriv") && !encText.includes("masterkey") && encText.includes("desccache"));

        assertEquals((await ok<Obj>(null, "restorewallet", "wwatch", res.exported_file)).name, "wwatch");
        const info = await ok<Obj>("wwatch", "getwalletinfo");
        assertEquals(info.private_keys_enabled, false);
        const [a, b] = await Promise.all([ok<Obj>("w", "getbalances"), ok<Obj>("wwatch", "getbalances")]);
        assertEquals(a, b);
        assertEquals(
          (await ok<Obj[]>("wwatch", "listtransactions", "*", 1000)).length,
          (await ok<Obj[]>("w", "listtransactions", "*", 1000)).length,
        );
        const pub = (w: string) =>
          ok<{ descriptors: { desc: string; active: boolean }[] }>(w, "listdescriptors").then((r) =>
            r.descriptors.map((d) => [d.desc, d.active])
          );
        assertEquals(await pub("wwatch"), await pub("w"));
        // Same descriptors and next positions: both hand out the same address next.
        assertEquals(await ok("wwatch", "getnewaddress"), await ok("w", "getnewaddress"));
        assert((await ok<HdKey[]>("wwatch", "gethdkeys")).every((k) => !k.has_private));

        // A hardened range needs private keys: the copy hands out only the positions derived before the export.
        await ok(null, "createwallet", "h", false, true);
        const hardened = await ok<Obj>(null, "getdescriptorinfo", `wpkh(${wXprv}/7h/*h)`);
        const imported = await ok<Obj[]>("h", "importdescriptors", [{
          desc: `wpkh(${wXprv}/7h/*h)#${hardened.checksum}`,
          timestamp: "now",
          active: true,
        }]);
        assertEquals(imported[0].success, true);
        const derived = (await ok<Obj>("h", "getwalletinfo")).keypoolsize as number;
        const hFile =
          (await ok<{ exported_file: string }>("h", "exportwatchonlywallet", "h_watch.kv")).exported_file;
        await ok(null, "restorewallet", "hwatch", hFile);
        for (let i = 0; i < derived; i++) {
          assertEquals(
            await ok("hwatch", "getnewaddress", "", "bech32"),
            await ok("h", "getnewaddress", "", "bech32"),
          );
        }
        assertEquals(await err("hwatch", "getnewaddress", "", "bech32"), [-12, "No addresses available"]);
        assert(typeof await ok("h", "getnewaddress", "", "bech32") === "string");
      });

      await t.step("migratewallet", async () => {
        assertEquals(await err("w", "migratewallet"), [
          -4,
          "Error: This wallet is already a descriptor wallet",
        ]);
        assertEquals(await err("w", "migratewallet", "w2"), [
          -8,
          "The RPC endpoint wallet and the wallet name parameter specify different wallets",
        ]);
        assertEquals(await err(null, "migratewallet", "nowallet"), [-4, "Error: Wallet does not exist"]);
        await ok(null, "unloadwallet", "b");
        assertEquals(await err(null, "migratewallet", "b"), [
          -4,
          "Error: This wallet is already a descriptor wallet",
        ]);
        assertEquals(await err(null, "migratewallet", "a/../x"), [
          -4,
          "Wallet name given as a path must be normalized",
        ]);
        assertEquals(await err(null, "migratewallet", "../x"), [
          -4,
          "Wallet name given as a relative path cannot begin with ./ or ../, for wallets not in the walletdir, " +
          "please use an absolute path.",
        ]);
        // A Berkeley DB btree file (the magic at offset 12) is a legacy wallet this program cannot read.
        await Deno.mkdir(`${walletDir}/legacy`);
        const bdb = new Uint8Array(8192);
        bdb.set([0x62, 0x31, 0x05, 0x00], 12);
        await Deno.writeFile(`${walletDir}/legacy/wallet.dat`, bdb);
        const legacy = await err(null, "migratewallet", "legacy");
        assertEquals(legacy[0], -4);
        assert(String(legacy[1]).includes("is a legacy (Berkeley DB) wallet"));
      });

      await t.step("walletdisplayaddress", async () => {
        assertEquals(await err("w", "walletdisplayaddress", "notanaddress"), [-5, "Invalid address"]);
        assertEquals(await err("w", "walletdisplayaddress", addr), [
          -1,
          "There is no ScriptPubKeyManager for this address",
        ]);
      });

      await t.step("help", async () => {
        const help = await ok<string>(null, "help", "gethdkeys");
        assert(help.startsWith('gethdkeys ( {"active_only":bool,"private":bool,...} )\n'), help.slice(0, 80));
        assert((await ok<string>(null, "help", "keypoolrefill")).startsWith("keypoolrefill ( newsize )\n"));
        assert((await ok<string>(null, "help", "createwalletdescriptor")).startsWith(
          'createwalletdescriptor "type" ( {"internal":bool,"hdkey":"str",...} )\n',
        ));
      });
    });
  },
});
