/**
 * The spending RPCs end to end through a real node and its wallet process: sendtoaddress (unconfirmed then
 * confirmed at the receiver, verbose fee reason, Core's errors), sendmany with subtractfeefrom, send with options
 * (add_to_wallet=false then sendrawtransaction), sendall, fundrawtransaction + signrawtransactionwithwallet +
 * sendrawtransaction, walletcreatefundedpsbt + walletprocesspsbt, bumpfee (the replaced transaction leaves the
 * mempool, the replacement pays more, replaced_by_txid), a 2-of-2 multisig between two wallets through a
 * watch-only wallet's PSBT, and psbtbumpfee on that watch-only wallet.
 */
import { assert, assertEquals } from "../../assert.ts";
import { startNode, type TestNode, waitFor } from "../../helpers.ts";
import { ok, type Reply, walletCall } from "../wallet_rpc_helpers.ts";

async function n<T = unknown>(node: TestNode, method: string, params: unknown[] = []): Promise<T> {
  const r = await node.rpc(method, params) as Reply;
  if (r.error !== null) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.result as T;
}

interface DecodedTx {
  txid: string;
  vsize: number;
  vin: Array<{ txid: string; vout: number; sequence: number }>;
  vout: Array<{ value: number; n: number; scriptPubKey: { address?: string } }>;
  locktime: number;
}

async function mempoolEntryFee(node: TestNode, txid: string): Promise<number> {
  const entry = await n<{ fees: { base: number } }>(node, "getmempoolentry", [txid]);
  return entry.fees.base;
}

Deno.test({
  name: "spending RPCs end to end: send, fund, sign, PSBTs, multisig, bumpfee",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const node = await startNode(["-fallbackfee=0.0002"]);
    try {
      // The wallet process answers -28 while it starts.
      await waitFor(
        async () => ((await node.rpc("listwallets")) as Reply).error === null,
        20_000,
        "the wallet",
      );
      await n(node, "createwallet", ["A"]);
      await n(node, "createwallet", ["B"]);
      const minerAddress = await ok<string>(node, "getnewaddress", [], "A");
      await n(node, "generatetoaddress", [101, minerAddress]);

      // sendtoaddress: B sees it unconfirmed, then confirmed.
      const b1 = await ok<string>(node, "getnewaddress", [], "B");
      const txid1 = await ok<string>(node, "sendtoaddress", [b1, 1.5], "A");
      assert(/^[0-9a-f]{64}$/.test(txid1));
      const tx1 = await n<DecodedTx>(node, "getrawtransaction", [txid1, true]);
      // RBF signalled by default, anti-fee-sniping locktime at the tip.
      assert(tx1.vin.every((i) => i.sequence === 0xfffffffd));
      assertEquals(tx1.locktime <= 101 && tx1.locktime >= 2, true);
      // -fallbackfee=0.0002: 20 sat/vB.
      assertEquals(Math.round((await mempoolEntryFee(node, txid1)) * 1e8), 20 * tx1.vsize);
      await n(node, "syncwithvalidationinterfacequeue").catch(() => {});
      let seen = await ok<{ confirmations: number; amount: number }>(node, "gettransaction", [txid1], "B");
      assertEquals([seen.confirmations, seen.amount], [0, 1.5]);
      await n(node, "generatetoaddress", [1, minerAddress]);
      seen = await ok<{ confirmations: number; amount: number }>(node, "gettransaction", [txid1], "B");
      assertEquals(seen.confirmations, 1);

      // verbose: the fee reason.
      const verbose = await ok<{ txid: string; fee_reason: string }>(node, "sendtoaddress", [
        b1,
        0.01,
        null,
        null,
        false,
        null,
        null,
        "unset",
        null,
        null,
        true,
      ], "A");
      assertEquals(verbose.fee_reason, "Fallback fee");

      // Core's errors.
      let r = await walletCall(node, "sendtoaddress", [b1, 1000], "A");
      assertEquals(r.error, { code: -6, message: "Insufficient funds" });
      r = await walletCall(node, "sendtoaddress", ["notanaddress", 1], "A");
      assertEquals(r.error, { code: -5, message: "Invalid Bitcoin address: notanaddress" });
      r = await walletCall(node, "sendtoaddress", [
        b1,
        0.1,
        null,
        null,
        false,
        null,
        6,
        "unset",
        null,
        5,
      ], "A");
      assertEquals(r.error?.code, -8);
      r = await walletCall(node, "sendtoaddress", [
        b1,
        0.1,
        null,
        null,
        false,
        null,
        null,
        "unset",
        null,
        0.05,
      ], "A");
      assertEquals(r.error, {
        code: -6,
        message: "Fee rate (0.050 sat/vB) is lower than the minimum fee rate setting (1.000 sat/vB).\n" +
          "Consider modifying -mintxfee (1.000 sat/vB) or -minrelaytxfee (0.100 sat/vB).",
      });

      // sendmany with subtractfeefrom.
      const b2 = await ok<string>(node, "getnewaddress", [], "B");
      const b3 = await ok<string>(node, "getnewaddress", [], "B");
      const txid2 = await ok<string>(
        node,
        "sendmany",
        ["", { [b2]: 0.1, [b3]: 0.2 }, null, "two", [b2]],
        "A",
      );
      const tx2 = await n<DecodedTx>(node, "getrawtransaction", [txid2, true]);
      const toB2 = tx2.vout.find((o) => o.scriptPubKey.address === b2)!;
      const toB3 = tx2.vout.find((o) => o.scriptPubKey.address === b3)!;
      assertEquals(toB3.value, 0.2);
      const fee2 = await mempoolEntryFee(node, txid2);
      assertEquals(Math.round((0.1 - toB2.value) * 1e8), Math.round(fee2 * 1e8));

      // send with options, not added to the wallet, then broadcast by hand.
      const sent = await ok<{ complete: boolean; txid: string; hex: string; psbt: string }>(node, "send", [
        [{ [b1]: 0.3 }],
        null,
        "unset",
        5,
        { add_to_wallet: false, change_position: 0 },
      ], "A");
      assertEquals(sent.complete, true);
      assert(typeof sent.psbt === "string" && typeof sent.hex === "string");
      const decodedSend = await n<DecodedTx>(node, "decoderawtransaction", [sent.hex]);
      assertEquals(decodedSend.vout[1].value, 0.3);
      assertEquals(await n(node, "sendrawtransaction", [sent.hex]), sent.txid);
      assertEquals(Math.round((await mempoolEntryFee(node, sent.txid)) * 1e8), 5 * decodedSend.vsize);

      // fundrawtransaction + signrawtransactionwithwallet + sendrawtransaction.
      const raw = await n<string>(node, "createrawtransaction", [[], { [b2]: 0.25 }]);
      const funded = await ok<{ hex: string; fee: number; changepos: number }>(node, "fundrawtransaction", [
        raw,
        { fee_rate: 3 },
      ], "A");
      assert(funded.changepos === 0 || funded.changepos === 1);
      const signed = await ok<{ hex: string; complete: boolean }>(node, "signrawtransactionwithwallet", [
        funded.hex,
      ], "A");
      assertEquals(signed.complete, true);
      const fundedTxid = await n<string>(node, "sendrawtransaction", [signed.hex]);
      const fundedTx = await n<DecodedTx>(node, "getrawtransaction", [fundedTxid, true]);
      assertEquals(Math.round(funded.fee * 1e8), 3 * fundedTx.vsize);

      // walletcreatefundedpsbt + walletprocesspsbt.
      const created = await ok<{ psbt: string; fee: number; changepos: number }>(
        node,
        "walletcreatefundedpsbt",
        [[], [{ [b3]: 0.2 }]],
        "A",
      );
      assert(created.psbt.startsWith("cHNidP8BAgQCAAAA"), "PSBT version 2 by default");
      const processed = await ok<{ psbt: string; complete: boolean; hex: string }>(
        node,
        "walletprocesspsbt",
        [
          created.psbt,
        ],
        "A",
      );
      assertEquals(processed.complete, true);
      await n(node, "sendrawtransaction", [processed.hex]);
      await n(node, "generatetoaddress", [1, minerAddress]);

      // bumpfee: the replacement pays more, the original leaves the mempool and is marked replaced.
      const toBump = await ok<string>(node, "sendtoaddress", [b1, 0.1], "A");
      const origFee = await mempoolEntryFee(node, toBump);
      const bumped = await ok<{ txid: string; origfee: number; fee: number; errors: string[] }>(
        node,
        "bumpfee",
        [toBump],
        "A",
      );
      assertEquals(bumped.errors, []);
      assertEquals(bumped.origfee, origFee);
      assert(bumped.fee > bumped.origfee);
      const mempool = await n<string[]>(node, "getrawmempool");
      assert(mempool.includes(bumped.txid) && !mempool.includes(toBump));
      const old = await ok<{ replaced_by_txid?: string }>(node, "gettransaction", [toBump], "A");
      assertEquals(old.replaced_by_txid, bumped.txid);
      r = await walletCall(node, "bumpfee", [toBump], "A");
      assertEquals(r.error, {
        code: -4,
        message: `Cannot bump transaction ${toBump} which was already bumped by transaction ${bumped.txid}`,
      });

      // sendall from a third wallet.
      await n(node, "createwallet", ["C"]);
      const c1 = await ok<string>(node, "getnewaddress", [], "C");
      await ok(node, "sendtoaddress", [c1, 0.4], "A");
      await ok(node, "sendtoaddress", [c1, 0.6], "A");
      await n(node, "generatetoaddress", [1, minerAddress]);
      const all = await ok<{ complete: boolean; txid: string }>(node, "sendall", [
        [b1],
        null,
        "unset",
        2,
      ], "C");
      assertEquals(all.complete, true);
      const allTx = await n<DecodedTx>(node, "getrawtransaction", [all.txid, true]);
      assertEquals(allTx.vin.length, 2);
      assertEquals(allTx.vout.length, 1);
      assertEquals(Math.round(allTx.vout[0].value * 1e8), 100_000_000 - 2 * allTx.vsize);
      r = await walletCall(node, "sendall", [[b1], null, "unset", 2], "C");
      assertEquals(r.error?.code, -6);

      // A 2-of-2 multisig between A and B: each cosigner imports the multisig descriptor with its own private
      // key, a watch-only wallet M holds the public descriptor and funds the PSBT.
      const descOf = async (wallet: string, priv: boolean) => {
        const descs = await ok<{ descriptors: Array<{ desc: string; internal: boolean }> }>(
          node,
          "listdescriptors",
          [priv],
          wallet,
        );
        const wpkh = descs.descriptors.find((d) => d.desc.startsWith("wpkh(") && !d.internal)!.desc;
        return wpkh.slice(5, wpkh.indexOf("/0/*)"));
      };
      const [pubA, pubB, privA, privB] = [
        await descOf("A", false),
        await descOf("B", false),
        await descOf("A", true),
        await descOf("B", true),
      ];
      const withChecksum = async (text: string) => {
        const info = await n<{ checksum: string }>(node, "getdescriptorinfo", [text]);
        return `${text}#${info.checksum}`;
      };
      const publicDesc = await withChecksum(`wsh(multi(2,${pubA}/0/*,${pubB}/0/*))`);
      const info = { descriptor: publicDesc };
      for (
        const [wallet, text] of [["A", `wsh(multi(2,${privA}/0/*,${pubB}/0/*))`], [
          "B",
          `wsh(multi(2,${pubA}/0/*,${privB}/0/*))`,
        ]]
      ) {
        const res = await ok<Array<{ success: boolean }>>(node, "importdescriptors", [[
          { desc: await withChecksum(text), timestamp: "now", range: [0, 10] },
        ]], wallet);
        assertEquals(res[0].success, true);
      }
      await n(node, "createwallet", ["M", true, true]);
      const imported = await ok<Array<{ success: boolean }>>(node, "importdescriptors", [[
        { desc: info.descriptor, timestamp: "now", range: [0, 10] },
      ]], "M");
      assertEquals(imported[0].success, true);
      const [msAddress] = await n<string[]>(node, "deriveaddresses", [info.descriptor, [0, 0]]);
      await ok(node, "sendtoaddress", [msAddress, 2], "A");
      await n(node, "generatetoaddress", [1, minerAddress]);
      // M has no change descriptor: change needs an address.
      r = await walletCall(node, "walletcreatefundedpsbt", [[], [{ [b2]: 0.5 }], 0, { fee_rate: 2 }], "M");
      assertEquals(r.error, {
        code: -4,
        message:
          "Transaction needs a change address, but we can't generate it. Error: No bech32 addresses available.",
      });
      const msPsbt = await ok<{ psbt: string }>(node, "walletcreatefundedpsbt", [
        [],
        [{ [b2]: 0.5 }],
        0,
        { changeAddress: msAddress, fee_rate: 2 },
      ], "M");
      const byA = await ok<{ psbt: string; complete: boolean }>(
        node,
        "walletprocesspsbt",
        [msPsbt.psbt],
        "A",
      );
      assertEquals(byA.complete, false);
      const byB = await ok<{ psbt: string; complete: boolean; hex: string }>(node, "walletprocesspsbt", [
        byA.psbt,
      ], "B");
      assertEquals(byB.complete, true);
      const msTxid = await n<string>(node, "sendrawtransaction", [byB.hex]);

      // psbtbumpfee on the watch-only wallet.
      r = await walletCall(node, "bumpfee", [msTxid], "M");
      assertEquals(r.error, {
        code: -4,
        message:
          "bumpfee is not available with wallets that have private keys disabled. Use psbtbumpfee instead.",
      });
      const psbtBump = await ok<{ psbt: string; origfee: number; fee: number }>(node, "psbtbumpfee", [
        msTxid,
      ], "M");
      assert(psbtBump.fee > psbtBump.origfee);
      const bumpA = await ok<{ psbt: string }>(node, "walletprocesspsbt", [psbtBump.psbt], "A");
      const bumpB = await ok<{ complete: boolean; hex: string }>(
        node,
        "walletprocesspsbt",
        [bumpA.psbt],
        "B",
      );
      assertEquals(bumpB.complete, true);
      const replacement = await n<string>(node, "sendrawtransaction", [bumpB.hex]);
      const pool = await n<string[]>(node, "getrawmempool");
      assert(pool.includes(replacement) && !pool.includes(msTxid));
    } finally {
      await node.cleanup();
    }
  },
});
