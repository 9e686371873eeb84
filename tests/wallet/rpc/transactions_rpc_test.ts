/**
 * End to end through a real node and its wallet process: gettransaction (plain and verbose, foreign txids),
 * listtransactions categories and paging, listsinceblock across a reorg (invalidateblock: the payment
 * unconfirms, shows in "removed", reconfirms), abandontransaction's rules, listreceivedbyaddress.
 */
import { assert, assertEquals } from "../../assert.ts";
import { waitFor } from "../../helpers.ts";
import { withWalletNode } from "../wallet_rpc_helpers.ts";

type Obj = Record<string, unknown>;

Deno.test({
  name: "history RPCs through a node and its wallet process, across a reorg",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withWalletNode(["-fallbackfee=0.0002"], async ({ call, ok }) => {
      await ok(null, "createwallet", "w");
      await ok(null, "createwallet", "w2");
      const addr = await ok<string>("w", "getnewaddress");
      await ok(null, "generatetoaddress", 101, addr);

      const lt = await ok<Obj[]>("w", "listtransactions");
      assertEquals(lt.length, 10);
      // The newest ten, oldest first: heights 92..101, all immature.
      assertEquals(
        lt.map((e) => [e.category, e.confirmations]),
        [...Array(10)].map((_, i) => ["immature", 10 - i]),
      );
      // Skipping 99 of 101 leaves the two oldest: the only mature coinbase (101 deep) and one 100 deep.
      const page = await ok<Obj[]>("w", "listtransactions", "*", 3, 99);
      assertEquals(page.map((e) => [e.category, e.confirmations]), [["generate", 101], ["immature", 100]]);
      assertEquals((await ok<Obj[]>("w", "listtransactions", "*", 1000)).length, 101);
      assertEquals(Object.keys(lt[0]), [
        "address",
        "parent_descs",
        "category",
        "amount",
        "label",
        "vout",
        "abandoned",
        "confirmations",
        "generated",
        "blockhash",
        "blockheight",
        "blockindex",
        "blocktime",
        "txid",
        "wtxid",
        "walletconflicts",
        "mempoolconflicts",
        "time",
        "timereceived",
      ]);

      // A payment w → w2, then a block containing it.
      const to = await ok<string>("w2", "getnewaddress");
      const txid = await ok<string>("w", "sendtoaddress", to, 1.5);
      const unconf = await ok<Obj>("w", "gettransaction", txid);
      assertEquals([unconf.amount, unconf.confirmations, unconf.trusted], [-1.5, 0, true]);
      assertEquals((unconf.details as Obj[]).map((d) => [d.category, d.amount, d.address]), [[
        "send",
        -1.5,
        to,
      ]]);
      const recv = await ok<Obj>("w2", "gettransaction", txid);
      assertEquals([recv.amount, recv.fee, recv.trusted], [1.5, undefined, false]);
      assertEquals((recv.details as Obj[]).map((d) => [d.category, d.amount, d.label]), [[
        "receive",
        1.5,
        "",
      ]]);
      const verbose = await ok<{ decoded: { vout: Obj[]; txid: string } }>(
        "w",
        "gettransaction",
        txid,
        false,
        true,
      );
      assertEquals(verbose.decoded.txid, txid);
      assertEquals(verbose.decoded.vout.filter((o) => o.ischange === true).length, 1);
      assertEquals((await call("w", "gettransaction", "00".repeat(32))).error, {
        code: -5,
        message: "Invalid or non-wallet transaction id",
      });
      assertEquals((await call("w", "abandontransaction", txid)).error, {
        code: -5,
        message: "Transaction not eligible for abandonment",
      });
      assertEquals((await call("w", "abandontransaction", "00".repeat(32))).error, {
        code: -5,
        message: "Invalid or non-wallet transaction id",
      });

      const before = await ok<string>(null, "getbestblockhash");
      const [block] = await ok<string[]>(null, "generatetoaddress", 1, addr);
      const conf = await ok<Obj>("w", "gettransaction", txid);
      assertEquals([conf.confirmations, conf.blockhash, conf.blockheight, conf.blockindex], [
        1,
        block,
        102,
        1,
      ]);
      assert(typeof conf.blocktime === "number" && !("trusted" in conf));
      const since = await ok<{ transactions: Obj[]; removed: Obj[]; lastblock: string }>(
        "w2",
        "listsinceblock",
        before,
      );
      assertEquals(since.transactions.map((e) => [e.txid, e.category, e.confirmations]), [[
        txid,
        "receive",
        1,
      ]]);
      assertEquals([since.removed, since.lastblock], [[], block]);

      // Reorg: the block goes away, the payment is unconfirmed again and listed as removed.
      await ok(null, "invalidateblock", block);
      await waitFor(
        async () => (await ok<Obj>("w2", "gettransaction", txid)).confirmations === 0,
        10_000,
        "the payment to unconfirm",
      );
      const afterReorg = await ok<{ transactions: Obj[]; removed: Obj[]; lastblock: string }>(
        "w2",
        "listsinceblock",
        block,
      );
      assertEquals(afterReorg.lastblock, before);
      assertEquals(afterReorg.removed.map((e) => [e.txid, e.category]), [[txid, "receive"]]);
      assertEquals(afterReorg.transactions.map((e) => [e.txid, e.confirmations]), [[txid, 0]]);
      const noRemoved = await ok<Obj>("w2", "listsinceblock", block, 1, false, false);
      assert(!("removed" in noRemoved));
      assertEquals((await ok<{ mine: Obj }>("w2", "getbalances")).mine.untrusted_pending, 1.5);
      await ok(null, "reconsiderblock", block);
      await waitFor(
        async () => (await ok<Obj>("w2", "gettransaction", txid)).confirmations === 1,
        10_000,
        "the payment to reconfirm",
      );
      assertEquals((await ok<{ mine: Obj }>("w2", "getbalances")).mine.trusted, 1.5);
      assertEquals((await call("w", "listsinceblock", "ff".repeat(32))).error, {
        code: -5,
        message: "Block not found",
      });
      assertEquals((await call("w", "listsinceblock", "", 0)).error, {
        code: -8,
        message: "Invalid parameter",
      });
      assertEquals(
        (await ok<{ lastblock: string }>("w", "listsinceblock", "", 2)).lastblock,
        before,
      );

      const byAddr = await ok<Obj[]>("w2", "listreceivedbyaddress");
      assertEquals(byAddr.map((e) => [e.address, e.amount, e.confirmations, e.txids]), [[to, 1.5, 1, [
        txid,
      ]]]);
      const empty = await ok<string>("w2", "getnewaddress", "spare");
      const withEmpty = await ok<Obj[]>("w2", "listreceivedbyaddress", 0, true);
      assertEquals(withEmpty.find((e) => e.address === empty), {
        address: empty,
        amount: 0,
        confirmations: 0,
        label: "spare",
        txids: [],
      });
      assertEquals((await call("w2", "listreceivedbyaddress", 1, false, false, "nope")).error, {
        code: -4,
        message: "address_filter parameter was invalid",
      });
      // Newest two entries of w: the payment (its change left out), then block 102's coinbase.
      assertEquals((await ok<Obj[]>("w", "listtransactions", "*", 2)).map((e) => [e.category, e.amount]), [
        ["send", -1.5],
        ["immature", 50 + (conf.fee === undefined ? 0 : -(conf.fee as number))],
      ]);
    });
  },
});

Deno.test({
  name: "abandontransaction: a transaction outside the mempool is abandoned, its coins spendable again",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withWalletNode(["-fallbackfee=0.0002", "-walletbroadcast=0"], async ({ ok }) => {
      await ok(null, "createwallet", "w");
      const addr = await ok<string>("w", "getnewaddress");
      await ok(null, "generatetoaddress", 101, addr);
      // Not broadcast: the payment stays out of the mempool.
      const txid = await ok<string>("w", "sendtoaddress", "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", 1);
      assertEquals(await ok(null, "getrawmempool"), []);
      const before = await ok<Obj>("w", "gettransaction", txid);
      assertEquals([before.confirmations, before.trusted], [0, false]);
      // getbalances counts the coin it spends as unspent, and reports it as nonmempool; getbalance does not.
      const pending = (await ok<{ mine: Obj }>("w", "getbalances")).mine;
      assertEquals([pending.trusted, pending.nonmempool], [50, -50]);
      assertEquals(await ok("w", "getbalance"), 0);
      assertEquals(await ok("w", "abandontransaction", txid), null);
      const after = await ok<Obj>("w", "gettransaction", txid);
      assertEquals((after.details as Obj[])[0].abandoned, true);
      assertEquals(await ok("w", "getbalances"), {
        mine: { trusted: 50, untrusted_pending: 0, immature: 5000, nonmempool: 0 },
        lastprocessedblock: { hash: await ok<string>(null, "getbestblockhash"), height: 101 },
      });
      assertEquals(await ok("w", "getbalance"), 50);
      assertEquals((await ok<Obj[]>("w", "listunspent")).length, 1);
      // Abandoning again has no effect (Core: no error for an already abandoned transaction).
      assertEquals(await ok("w", "abandontransaction", txid), null);
    });
  },
});
