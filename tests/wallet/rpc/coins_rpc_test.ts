/**
 * End to end through a real node and its wallet process: balances (immature vs trusted, untrusted pending, a
 * payment between two wallets), listunspent, lockunspent/listlockunspent and their errors, getaddressinfo,
 * labels and received-by tallies.
 */
import { assert, assertEquals } from "../../assert.ts";
import { withWalletNode } from "../wallet_rpc_helpers.ts";

type Obj = Record<string, unknown>;

Deno.test({
  name: "balances, listunspent, locks and address info through a node and its wallet process",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withWalletNode(["-fallbackfee=0.0002"], async ({ call, ok }) => {
      await ok(null, "createwallet", "w");
      await ok(null, "createwallet", "w2");
      const addr = await ok<string>("w", "getnewaddress");
      await ok(null, "generatetoaddress", 101, addr);
      const tip = await ok<string>(null, "getbestblockhash");
      assertEquals(await ok("w", "getbalances"), {
        mine: { trusted: 50, untrusted_pending: 0, immature: 5000, nonmempool: 0 },
        lastprocessedblock: { hash: tip, height: 101 },
      });
      assertEquals(await ok("w", "getbalance"), 50);
      assertEquals(await ok("w", "getbalance", "*", 101), 50);
      assertEquals(await ok("w", "getbalance", "*", 102), 0);
      assertEquals(await ok("w", "getreceivedbyaddress", addr), 50);
      assertEquals(await ok("w", "getreceivedbyaddress", addr, 1, true), 5050);
      assertEquals(await ok("w", "getreceivedbylabel", ""), 50);

      const unspent = await ok<Obj[]>("w", "listunspent");
      assertEquals(unspent.length, 1);
      assertEquals(Object.keys(unspent[0]), [
        "txid",
        "vout",
        "address",
        "label",
        "scriptPubKey",
        "amount",
        "confirmations",
        "spendable",
        "solvable",
        "desc",
        "parent_descs",
        "safe",
      ]);
      assertEquals([unspent[0].address, unspent[0].amount, unspent[0].confirmations], [addr, 50, 101]);
      assert(
        /^wpkh\(\[[0-9a-f]{8}\/84h\/1h\/0h\/0\/0\]0[23][0-9a-f]{64}\)#[a-z0-9]{8}$/.test(
          unspent[0].desc as string,
        ),
      );
      assertEquals(
        (await ok<Obj[]>("w", "listunspent", 0, 9999999, [], true, { include_immature_coinbase: true }))
          .length,
        101,
      );

      const info = await ok<Obj>("w", "getaddressinfo", addr);
      assertEquals(Object.keys(info), [
        "address",
        "scriptPubKey",
        "ismine",
        "solvable",
        "desc",
        "parent_desc",
        "iswatchonly",
        "isscript",
        "iswitness",
        "witness_version",
        "witness_program",
        "pubkey",
        "ischange",
        "timestamp",
        "hdkeypath",
        "hdseedid",
        "hdmasterfingerprint",
        "labels",
      ]);
      assertEquals([info.ismine, info.ischange, info.hdkeypath, info.labels], [
        true,
        false,
        "m/84h/1h/0h/0/0",
        [""],
      ]);
      const nested = await ok<Obj>(
        "w",
        "getaddressinfo",
        await ok<string>("w", "getnewaddress", "", "p2sh-segwit"),
      );
      assertEquals([nested.isscript, nested.script, (nested.embedded as Obj).iswitness], [
        true,
        "witness_v0_keyhash",
        true,
      ]);

      // Locks.
      const coin = { txid: unspent[0].txid, vout: unspent[0].vout };
      assertEquals(await ok("w", "lockunspent", false, [coin]), true);
      assertEquals(await ok("w", "listlockunspent"), [coin]);
      assertEquals(await ok("w", "listunspent"), []);
      assertEquals((await call("w", "lockunspent", false, [coin])).error, {
        code: -8,
        message: "Invalid parameter, output already locked",
      });
      assertEquals(await ok("w", "lockunspent", true, [coin]), true);
      assertEquals((await call("w", "lockunspent", true, [coin])).error, {
        code: -8,
        message: "Invalid parameter, expected locked output",
      });
      assertEquals((await call("w", "lockunspent", false, [{ txid: "ab".repeat(32), vout: 0 }])).error, {
        code: -8,
        message: "Invalid parameter, unknown transaction",
      });
      assertEquals(
        (await call("w", "lockunspent", false, [{ ...coin, vout: 7 }])).error?.message,
        "Invalid parameter, vout index out of bounds",
      );
      // Persistent locks survive unloading the wallet, the others do not; unlocking with no list clears all.
      const immature =
        (await ok<Obj[]>("w", "listunspent", 0, 9999999, [], true, { include_immature_coinbase: true }))
          .filter((u) => u.txid !== coin.txid).slice(0, 2).map((u) => ({ txid: u.txid, vout: u.vout }));
      assertEquals(await ok("w", "lockunspent", false, [immature[0]], true), true);
      assertEquals(await ok("w", "lockunspent", false, [immature[1]]), true);
      assertEquals((await ok<Obj[]>("w", "listlockunspent")).length, 2);
      await ok(null, "unloadwallet", "w");
      await ok(null, "loadwallet", "w");
      assertEquals(await ok("w", "listlockunspent"), [immature[0]]);
      assertEquals(await ok("w", "lockunspent", true), true);
      assertEquals(await ok("w", "listlockunspent"), []);
      await ok(null, "unloadwallet", "w");
      await ok(null, "loadwallet", "w");
      assertEquals(await ok("w", "listlockunspent"), []);

      // A payment to the second wallet: pending there, change trusted here; confirmed by a block.
      const to = await ok<string>("w2", "getnewaddress", "rent");
      const txid = await ok<string>("w", "sendtoaddress", to, 1.5);
      const w2 = await ok<{ mine: Obj }>("w2", "getbalances");
      assertEquals(w2.mine, { trusted: 0, untrusted_pending: 1.5, immature: 0, nonmempool: 0 });
      const gt = await ok<Obj>("w", "gettransaction", txid);
      const fee = -(gt.fee as number);
      assert(fee > 0 && fee < 0.001, `fee ${fee}`);
      const w1 = await ok<{ mine: Obj }>("w", "getbalances");
      assertEquals(w1.mine.trusted, Number((50 - 1.5 - fee).toFixed(8)));
      assertEquals(await ok("w", "getbalance", "*", 1), 0);
      const pending = await ok<Obj[]>("w2", "listunspent", 0);
      assertEquals([pending.length, pending[0].safe, pending[0].confirmations, pending[0].label], [
        1,
        false,
        0,
        "rent",
      ]);
      assertEquals(pending[0].ancestorcount, 1);
      assertEquals((await ok<Obj[]>("w2", "listunspent", 0, 9999999, [], false)).length, 0);
      await ok(null, "generatetoaddress", 1, await ok<string>("w2", "getnewaddress"));
      assertEquals((await ok<{ mine: Obj }>("w2", "getbalances")).mine.trusted, 1.5);
      assertEquals(await ok("w2", "getreceivedbylabel", "rent"), 1.5);
      assertEquals(await ok("w2", "listreceivedbylabel"), [{ amount: 1.5, confirmations: 1, label: "rent" }]);
      assertEquals(await ok("w2", "listlabels"), ["", "rent"]);
      assertEquals(await ok("w2", "getaddressesbylabel", "rent"), { [to]: { purpose: "receive" } });
      await ok("w2", "setlabel", to, "home");
      assertEquals(await ok("w2", "listlabels", "receive"), ["", "home"]);
      assertEquals((await call("w", "getreceivedbyaddress", to)).error, {
        code: -4,
        message: "Address not found in wallet",
      });
      assertEquals((await call("nosuch", "getbalances")).error, {
        code: -18,
        message: "Requested wallet does not exist or is not loaded",
      });
    });
  },
});
