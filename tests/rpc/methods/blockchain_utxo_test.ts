import { chainParams } from "../../../core/chain_params.ts";
import { reverseHex, sha256 } from "../../../core/hash/hashes.ts";
import { MuHash3072 } from "../../../core/hash/muhash.ts";
import { isUnspendable } from "../../../core/script/script.ts";
import { txid } from "../../../core/wire/transaction.ts";
import { ByteWriter } from "../../../core/wire/writer.ts";
import { openChainstate } from "../../../node/chain/chainstate.ts";
import { utxoMethods } from "../../../rpc/methods/blockchain_utxo.ts";
import { RpcTable } from "../../../rpc/table.ts";
import { buildBlock } from "../../node/chain/block_builder.ts";
import { assert, assertEquals } from "../asserts.ts";

const params = chainParams("regtest");

async function call(t: RpcTable, method: string, params: unknown[] = []): Promise<Record<string, unknown>> {
  const r = await t.execute(JSON.stringify({ jsonrpc: "2.0", method, params, id: 1 }));
  return JSON.parse(r.body);
}

Deno.test("gettxoutsetinfo: empty set at genesis, coinbases after blocks, hash types and Core's errors", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "tsbtc-utxo-" });
  const cs = await openChainstate({ dataDir, params, workers: 0 });
  try {
    const t = new RpcTable();
    t.registerAll(utxoMethods({ chain: () => cs, network: "regtest" }));
    const genesis = (await call(t, "gettxoutsetinfo")).result as Record<string, unknown>;
    // The genesis coinbase is not in the UTXO set: the hash is SHA-256d of nothing, as Core's at height 0.
    assertEquals(genesis.height, 0);
    assertEquals(genesis.bestblock, cs.tip().hashHex);
    assertEquals(genesis.txouts, 0);
    assertEquals(genesis.bogosize, 0);
    assertEquals(genesis.transactions, 0);
    assertEquals(genesis.total_amount, 0);
    assertEquals(
      genesis.hash_serialized_3,
      "56944c5d3f98413ef45cf54545538103cc9f298e0575820ad3591376e2e0f65d",
    );
    // The empty set's MuHash: SHA-256 of the number 1 in 384 little-endian bytes.
    const one = new Uint8Array(384);
    one[0] = 1;
    assertEquals(
      ((await call(t, "gettxoutsetinfo", ["muhash"])).result as Record<string, unknown>).muhash,
      reverseHex(sha256(one)),
    );
    assertEquals(Object.keys(genesis), [
      "height",
      "bestblock",
      "txouts",
      "bogosize",
      "hash_serialized_3",
      "total_amount",
      "transactions",
      "disk_size",
    ]);

    for (let i = 0; i < 3; i++) {
      const r = await cs.processNewBlock(buildBlock({ prev: cs.tip(), params }));
      assert(r.state.valid);
    }
    const three = (await call(t, "gettxoutsetinfo", ["none"])).result as Record<string, unknown>;
    assertEquals(three.height, 3);
    assertEquals(three.bestblock, cs.tip().hashHex);
    assertEquals(three.txouts, 3);
    assertEquals(three.transactions, 3);
    assertEquals(three.total_amount, 150);
    assertEquals("hash_serialized_3" in three, false);
    assert(typeof three.disk_size === "number" && three.disk_size > 0);
    const hashed = (await call(t, "gettxoutsetinfo", [null, null, false])).result as Record<string, unknown>;
    assert(/^[0-9a-f]{64}$/.test(String(hashed.hash_serialized_3)));
    assert(hashed.hash_serialized_3 !== genesis.hash_serialized_3);

    assertEquals((await call(t, "gettxoutsetinfo", ["sha256"])).error, {
      code: -8,
      message: "'sha256' is not a valid hash_type",
    });
    // muhash: recomputed here from the blocks' coinbase outputs (Core's TxOutSer of each coin).
    const expected = new MuHash3072();
    for (let h = 1; h <= cs.height(); h++) {
      const block = await cs.readBlock(cs.atHeight(h)!);
      const cb = block.txs[0];
      cb.outputs.forEach((out, n) => {
        if (isUnspendable(out.scriptPubKey)) return;
        expected.insert(
          new ByteWriter().bytes(txid(cb)).u32(n).u32(h * 2 + 1).i64(out.value).varBytes(out.scriptPubKey)
            .finish(),
        );
      });
    }
    const mu = (await call(t, "gettxoutsetinfo", ["muhash"])).result as Record<string, unknown>;
    assertEquals(mu.muhash, reverseHex(expected.finalize()));
    assertEquals(Object.keys(mu), [
      "height",
      "bestblock",
      "txouts",
      "bogosize",
      "muhash",
      "total_amount",
      "transactions",
      "disk_size",
    ]);
    assertEquals([mu.txouts, mu.transactions, mu.total_amount, mu.bogosize], [
      three.txouts,
      three.transactions,
      three.total_amount,
      three.bogosize,
    ]);
    assert(mu.muhash !== hashed.hash_serialized_3);
    for (const target of [1, cs.tip().hashHex]) {
      assertEquals((await call(t, "gettxoutsetinfo", ["none", target])).error, {
        code: -8,
        message: "Querying specific block heights requires coinstatsindex",
      });
    }
    assertEquals(
      ((await call(t, "gettxoutsetinfo", ["none", null, "yes"])).error as { code: number }).code,
      -3,
    );
    assert(t.help("gettxoutsetinfo").startsWith('gettxoutsetinfo ( "hash_type" hash_or_height use_index )'));
  } finally {
    await cs.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
