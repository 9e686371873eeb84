// The mempool RPCs over the real Mempool service and a real regtest chainstate (no node process): the results
// come from Core's acceptance rules as node/mempool implements them, not from a fake.
import { chainParams } from "../../../core/chain_params.ts";
import { reverseHex } from "../../../core/hash/hashes.ts";
import { txid, wtxid } from "../../../core/wire/transaction.ts";
import type { Transaction } from "../../../core/wire/types.ts";
import { openChainstate } from "../../../node/chain/chainstate.ts";
import { Mempool } from "../../../node/mempool/mempool.ts";
import { dumpMempool } from "../../../node/mempool/persist.ts";
import { defaultPolicySettings } from "../../../node/policy/settings.ts";
import { mempoolMethods } from "../../../rpc/methods/mempool.ts";
import { RpcTable } from "../../../rpc/table.ts";
import { encodeHexTx } from "../../../rpc/tx_json.ts";
import { buildBlock, spendP2wpkh, testKey } from "../../node/chain/block_builder.ts";
import { assert, assertEquals } from "../asserts.ts";

const params = chainParams("regtest");
const key = testKey(3);
const COIN = 100_000_000n;
const NOW = 1_700_000_000 + 10_000;

type Reply = { result?: unknown; error?: { code: number; message: string } };

async function call(t: RpcTable, method: string, params: unknown = []): Promise<Reply> {
  const r = await t.execute(JSON.stringify({ jsonrpc: "2.0", method, params, id: 1 }));
  return JSON.parse(r.body);
}

const id = (tx: Transaction) => reverseHex(txid(tx));
const wid = (tx: Transaction) => reverseHex(wtxid(tx));

Deno.test("mempool RPCs over the real mempool: send, test, package, entries, prioritise, save and import", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "tsbtc-mempool-rpc-" });
  const chain = await openChainstate({ dataDir, params, workers: 0, now: () => NOW });
  const mempools: Mempool[] = [];
  try {
    const coinbases: Transaction[] = [params.genesis.txs[0]];
    for (let i = 0; i < 110; i++) {
      const block = buildBlock({ prev: chain.tip(), params, payTo: key.script, time: 1_700_000_000 + i });
      assert((await chain.processNewBlock(block)).state.valid);
      coinbases.push(block.txs[0]);
    }
    const newMempool = () => {
      const m = new Mempool({ chain, settings: defaultPolicySettings("regtest"), now: () => NOW });
      mempools.push(m);
      return m;
    };
    const mempool = newMempool();
    const path = `${dataDir}/mempool.dat`;
    const table = (m: Mempool) => {
      const t = new RpcTable();
      t.registerAll(mempoolMethods({
        mempool: () => m,
        chain: () => chain,
        network: "regtest",
        now: () => NOW,
        persist: { path, dump: () => dumpMempool(m.pool, path) },
      }));
      return t;
    };
    const t = table(mempool);
    const spend = (height: number, fee: bigint) => {
      const cb = coinbases[height];
      return spendP2wpkh(
        [{ outpoint: { txid: txid(cb), vout: 0 }, value: 50n * COIN, key }],
        [{ value: 50n * COIN - fee, scriptPubKey: key.script }],
      );
    };

    // sendrawtransaction: accepted, unbroadcast, and a resend is not an error (Core re-announces).
    const tx1 = spend(1, 2820n);
    assertEquals((await call(t, "sendrawtransaction", [encodeHexTx(tx1)])).result, id(tx1));
    assertEquals((await call(t, "sendrawtransaction", [encodeHexTx(tx1)])).result, id(tx1));
    const entry = (await call(t, "getmempoolentry", [id(tx1)])).result as Record<string, unknown>;
    assertEquals(entry.unbroadcast, true);
    assertEquals(entry.height, 110);
    assertEquals(entry.time, NOW);
    assertEquals(entry.fees, {
      base: 0.0000282,
      modified: 0.0000282,
      ancestor: 0.0000282,
      descendant: 0.0000282,
      chunk: 0.0000282,
    });
    // testmempoolaccept of a transaction in the mempool: the reference session's answer.
    assertEquals((await call(t, "testmempoolaccept", [[encodeHexTx(tx1)]])).result, [{
      txid: id(tx1),
      wtxid: wid(tx1),
      allowed: false,
      "reject-reason": "txn-already-in-mempool",
      "reject-details": "txn-already-in-mempool",
    }]);

    // A spend of an unknown output: missing inputs (testmempoolaccept's "missing-inputs"; sendrawtransaction -25).
    const orphan = spendP2wpkh(
      [{ outpoint: { txid: new Uint8Array(32).fill(9), vout: 0 }, value: COIN, key }],
      [{ value: COIN - 1000n, scriptPubKey: key.script }],
    );
    assertEquals((await call(t, "testmempoolaccept", [[encodeHexTx(orphan)]])).result, [{
      txid: id(orphan),
      wtxid: wid(orphan),
      allowed: false,
      "reject-reason": "missing-inputs",
    }]);
    assertEquals((await call(t, "sendrawtransaction", [encodeHexTx(orphan)])).error?.code, -25);

    // maxfeerate: a 0.01 BTC fee on ~110 vB is ~0.09 BTC/kvB: allowed by default, refused at 0.05.
    const rich = spend(2, 1_000_000n);
    const tested = (await call(t, "testmempoolaccept", [[encodeHexTx(rich)], 0.05])).result as Reply[];
    assertEquals(tested, [{
      txid: id(rich),
      wtxid: wid(rich),
      allowed: false,
      "reject-reason": "max-fee-exceeded",
    }]);
    assertEquals((await call(t, "sendrawtransaction", [encodeHexTx(rich), 0.05])).error, {
      code: -25,
      message: "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)",
    });
    const allowed =
      ((await call(t, "testmempoolaccept", [[encodeHexTx(rich)]])).result as Record<string, unknown>[])[0];
    assertEquals(allowed.allowed, true);
    assertEquals((allowed.fees as Record<string, unknown>).base, 0.01);
    assertEquals((allowed.fees as Record<string, unknown>)["effective-includes"], [wid(rich)]);

    // A replacement that pays too little: -26 with Core's reason and details.
    const cheap = spend(1, 2000n);
    const rejected = (await call(t, "sendrawtransaction", [encodeHexTx(cheap)])).error!;
    assertEquals(rejected.code, -26);
    assert(rejected.message.startsWith("insufficient fee, "), rejected.message);

    // submitpackage: a zero-fee parent paid for by its child.
    const parent = spend(3, 0n);
    const child = spendP2wpkh(
      [{ outpoint: { txid: txid(parent), vout: 0 }, value: 50n * COIN, key }],
      [{ value: 50n * COIN - 5000n, scriptPubKey: key.script }],
    );
    assertEquals(
      ((await call(t, "testmempoolaccept", [[encodeHexTx(parent)]])).result as Record<string, unknown>[])[0][
        "reject-reason"
      ],
      "min relay fee not met",
    );
    const pkg = (await call(t, "submitpackage", [[encodeHexTx(parent), encodeHexTx(child)]]))
      .result as Record<
        string,
        unknown
      >;
    assertEquals(pkg.package_msg, "success");
    const results = pkg["tx-results"] as Record<string, Record<string, unknown>>;
    assertEquals(Object.keys(results), [wid(parent), wid(child)]);
    assertEquals((results[wid(parent)].fees as Record<string, unknown>)["effective-includes"], [
      wid(parent),
      wid(child),
    ]);
    assertEquals(pkg["replaced-transactions"], []);
    const childEntry = (await call(t, "getmempoolentry", [id(child)])).result as Record<string, unknown>;
    assertEquals(childEntry.ancestorcount, 2);
    assertEquals(childEntry.depends, [id(parent)]);
    assertEquals((await call(t, "getmempoolancestors", [id(child)])).result, [id(parent)]);
    assertEquals((await call(t, "getmempooldescendants", [id(parent)])).result, [id(child)]);
    const cluster = (await call(t, "getmempoolcluster", [id(child)])).result as Record<string, unknown>;
    assertEquals(cluster.txcount, 2);
    // Submitting the same package again: both already there (no effective feerate).
    const again = (await call(t, "submitpackage", [[encodeHexTx(parent), encodeHexTx(child)]]))
      .result as Record<
        string,
        unknown
      >;
    assertEquals(again.package_msg, "success");
    assertEquals(
      Object.keys(
        (again["tx-results"] as Record<string, Record<string, unknown>>)[wid(child)].fees as object,
      ),
      ["base"],
    );

    // prioritisetransaction moves modified fees; getprioritisedtransactions lists it.
    assertEquals((await call(t, "prioritisetransaction", [id(child), 0, 10_000])).result, true);
    assertEquals((await call(t, "getprioritisedtransactions")).result, {
      [id(child)]: { fee_delta: 10_000, in_mempool: true, modified_fee: 15_000 },
    });
    const info = (await call(t, "getmempoolinfo")).result as Record<string, unknown>;
    assertEquals(info.size, 3);
    assertEquals(info.unbroadcastcount, 1);
    assertEquals(info.total_fee, 0.0000782);
    const order = (await call(t, "getrawmempool")).result as string[];
    assertEquals(new Set(order), new Set([id(tx1), id(parent), id(child)]));

    // savemempool, then importmempool into a fresh mempool on the same chain with all metadata.
    assertEquals((await call(t, "savemempool")).error, {
      code: -1,
      message: "The mempool was not loaded yet",
    });
    mempool.pool.loaded = true;
    assertEquals((await call(t, "savemempool")).result, { filename: path });
    mempool.close();
    const fresh = newMempool();
    const t2 = table(fresh);
    const opts = { use_current_time: false, apply_fee_delta_priority: true, apply_unbroadcast_set: true };
    assertEquals((await call(t2, "importmempool", [path, opts])).result, {});
    // Each transaction is re-accepted alone, as Core's LoadMempool does: the zero-fee parent fails the min relay
    // fee without its child, and the child then misses its input. The child's delta stays, as in Core.
    assertEquals((await call(t2, "getrawmempool")).result, [id(tx1)]);
    assertEquals((await call(t2, "getprioritisedtransactions")).result, {
      [id(child)]: { fee_delta: 10_000, in_mempool: false },
    });
    assertEquals(
      ((await call(t2, "getmempoolentry", [id(tx1)])).result as Record<string, unknown>).unbroadcast,
      true,
    );
    fresh.pool.check();
  } finally {
    for (const m of mempools) m.close();
    await chain.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
