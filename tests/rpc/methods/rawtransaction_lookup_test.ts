import { chainParams } from "../../../core/chain_params.ts";
import { fromHex, reverseHex, toHex } from "../../../core/hash/hashes.ts";
import { decodeMerkleBlock, encodeMerkleBlock } from "../../../core/hash/partial_merkle_tree.ts";
import { blockHash } from "../../../core/wire/block.ts";
import { txid } from "../../../core/wire/transaction.ts";
import type { Block, Transaction } from "../../../core/wire/types.ts";
import { type ChainstateImpl, openChainstate } from "../../../node/chain/chainstate.ts";
import { TxIndex } from "../../../node/index/tx_index.ts";
import { rawTransactionLookupMethods } from "../../../rpc/methods/rawtransaction_lookup.ts";
import { RpcTable } from "../../../rpc/table.ts";
import { encodeHexTx } from "../../../rpc/tx_json.ts";
import { buildBlock, spendP2wpkh, testKey } from "../../node/chain/block_builder.ts";
import { readCoreSession } from "../../core/wire/core_session.ts";
import { assert, assertEquals } from "../asserts.ts";

const params = chainParams("regtest");

interface Reply {
  result?: unknown;
  error?: { code: number; message: string };
}

async function call(t: RpcTable, method: string, p: unknown[] = []): Promise<Reply> {
  const r = await t.execute(JSON.stringify({ jsonrpc: "2.0", method, params: p, id: 1 }));
  return JSON.parse(r.body);
}

interface Fixture {
  cs: ChainstateImpl;
  blocks: Block[];
  spend: Transaction;
  netDataDir: string;
}

async function withFixture(f: (x: Fixture) => Promise<void>): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "tsbtc-rawlookup-" });
  const cs = await openChainstate({ dataDir, params, workers: 0 });
  try {
    const blocks: Block[] = [];
    for (let i = 0; i < 101; i++) {
      const b = buildBlock({ prev: cs.tip(), params });
      assert((await cs.processNewBlock(b)).state.valid);
      blocks.push(b);
    }
    const cb = blocks[0].txs[0];
    const spend = spendP2wpkh(
      [{ outpoint: { txid: txid(cb), vout: 0 }, value: cb.outputs[0].value, key: testKey(1) }],
      [{ value: cb.outputs[0].value - 1000n, scriptPubKey: testKey(2).script }],
    );
    const b = buildBlock({ prev: cs.tip(), params, txs: [spend], fees: 1000n });
    assert((await cs.processNewBlock(b)).state.valid);
    blocks.push(b);
    await f({ cs, blocks, spend, netDataDir: `${dataDir}/regtest` });
  } finally {
    await cs.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

Deno.test("getrawtransaction: by block hash, verbosity 0/1/2, Core's field order and errors", async () => {
  await withFixture(async ({ cs, blocks, spend }) => {
    const t = new RpcTable();
    t.registerAll(rawTransactionLookupMethods({ chain: () => cs, network: () => "regtest" }));
    const id = reverseHex(txid(spend));
    const inBlock = cs.atHeight(102)!.hashHex;
    assertEquals((await call(t, "getrawtransaction", [id])).error, {
      code: -5,
      message:
        "No such mempool transaction. Use -txindex or provide a block hash to enable blockchain transaction queries. Use gettransaction for wallet transactions.",
    });
    assertEquals((await call(t, "getrawtransaction", [id, 0, inBlock])).result, encodeHexTx(spend));
    const v1 = (await call(t, "getrawtransaction", [id, true, inBlock])).result as Record<string, unknown>;
    assertEquals(Object.keys(v1), [
      "in_active_chain",
      "txid",
      "hash",
      "version",
      "size",
      "vsize",
      "weight",
      "locktime",
      "vin",
      "vout",
      "hex",
      "blockhash",
      "confirmations",
      "time",
      "blocktime",
    ]);
    assertEquals([v1.in_active_chain, v1.txid, v1.blockhash, v1.confirmations], [true, id, inBlock, 1]);
    const v2 = (await call(t, "getrawtransaction", [id, 2, inBlock])).result as Record<string, unknown>;
    assertEquals(v2.fee, 0.00001);
    const vin = (v2.vin as Record<string, unknown>[])[0];
    assertEquals(Object.keys(vin), ["txid", "vout", "scriptSig", "txinwitness", "prevout", "sequence"]);
    const prevout = vin.prevout as Record<string, unknown>;
    assertEquals([prevout.generated, prevout.height, prevout.value], [true, 1, 50]);
    assertEquals(Object.keys(v2).indexOf("fee"), Object.keys(v2).indexOf("vout") + 1);
    // Core's recorded shapes: a coinbase at verbosity 2 with a block hash, and at verbosity 1.
    const session = await readCoreSession();
    const core2 = session.find((c) => c.call[0] === "getrawtransaction" && c.call[1].length === 3)!;
    const cb2 = (await call(t, "getrawtransaction", [
      reverseHex(txid(blocks[0].txs[0])),
      2,
      cs.atHeight(1)!.hashHex,
    ])).result as Record<string, unknown>;
    assertEquals(Object.keys(cb2), Object.keys(core2.result as Record<string, unknown>));
    assertEquals(cb2.confirmations, 102);
    // Errors.
    assertEquals((await call(t, "getrawtransaction", [id, 1, cs.atHeight(5)!.hashHex])).error, {
      code: -5,
      message: "No such transaction found in the provided block. Use gettransaction for wallet transactions.",
    });
    assertEquals((await call(t, "getrawtransaction", [id, 1, "00".repeat(32)])).error, {
      code: -5,
      message: "Block hash not found",
    });
    assertEquals((await call(t, "getrawtransaction", [reverseHex(params.genesis.header.merkleRoot)])).error, {
      code: -5,
      message: "The genesis block coinbase is not considered an ordinary transaction and cannot be retrieved",
    });
    assertEquals((await call(t, "getrawtransaction", ["xyz"])).error, {
      code: -8,
      message: "parameter 1 must be of length 64 (not 3, for 'xyz')",
    });
    // rpc_rawtransaction.py's type errors.
    for (const v of ["True", [], {}]) {
      const e = (await call(t, "getrawtransaction", [id, v])).error!;
      assertEquals(e.code, -3);
      assert(e.message.includes("not of expected type number"), e.message);
    }
    const boolHash = (await call(t, "getrawtransaction", [id, 1, true])).error!;
    assertEquals(boolHash.code, -3);
    assert(
      boolHash.message.includes("JSON value of type bool is not of expected type string"),
      boolHash.message,
    );
    assertEquals((await call(t, "getrawtransaction", [id, 1, "foobar"])).error, {
      code: -8,
      message: "parameter 3 must be of length 64 (not 6, for 'foobar')",
    });
    // Named parameters: verbose is an alias of verbosity.
    const named = await t.execute(JSON.stringify({
      jsonrpc: "2.0",
      method: "getrawtransaction",
      params: { txid: id, verbose: true, blockhash: inBlock },
      id: 1,
    }));
    assertEquals((JSON.parse(named.body).result as Record<string, unknown>).in_active_chain, true);
    // A block that is no longer in the active chain: in_active_chain false, 0 confirmations.
    await cs.invalidateBlock(inBlock);
    const stale = (await call(t, "getrawtransaction", [id, 1, inBlock])).result as Record<string, unknown>;
    assertEquals([stale.in_active_chain, stale.confirmations, "time" in stale], [false, 0, false]);
  });
});

Deno.test("getrawtransaction: mempool first, then -txindex (waits for it; Core's messages)", async () => {
  await withFixture(async ({ cs, spend, netDataDir, blocks }) => {
    const pending = spendP2wpkh(
      [{ outpoint: { txid: txid(blocks[1].txs[0]), vout: 0 }, value: 50n * 100_000_000n, key: testKey(1) }],
      [{ value: 49n * 100_000_000n, scriptPubKey: testKey(3).script }],
    );
    const pendingId = reverseHex(txid(pending));
    const index = await TxIndex.open({ netDataDir, chain: cs });
    const t = new RpcTable();
    t.registerAll(rawTransactionLookupMethods({
      chain: () => cs,
      network: () => "regtest",
      txIndex: () => index,
      mempoolTransaction: (h) => h === pendingId ? pending : null,
    }));
    try {
      const mem = (await call(t, "getrawtransaction", [pendingId, 1])).result as Record<string, unknown>;
      assertEquals(mem.hex, encodeHexTx(pending));
      assertEquals("blockhash" in mem || "confirmations" in mem, false);
      const id = reverseHex(txid(spend));
      // Not synced yet (not started): Core's "still being indexed" message.
      assertEquals(
        (await call(t, "getrawtransaction", [id])).error?.message,
        "No such mempool transaction. Blockchain transactions are still in the process of being indexed. Use gettransaction for wallet transactions.",
      );
      index.start();
      while (!index.synced) await new Promise((r) => setTimeout(r, 5));
      const v1 = (await call(t, "getrawtransaction", [id, 1])).result as Record<string, unknown>;
      assertEquals([v1.blockhash, v1.confirmations, "in_active_chain" in v1], [cs.tip().hashHex, 1, false]);
      // Core's recorded getrawtransaction txid 1 (found through its txindex): the same fields in the same order.
      const core1 = (await readCoreSession()).find((c) =>
        c.call[0] === "getrawtransaction" && c.call[1].length === 2
      )!;
      const cb = (await call(t, "getrawtransaction", [reverseHex(txid(blocks[5].txs[0])), 1]))
        .result as Record<
          string,
          unknown
        >;
      assertEquals(Object.keys(cb), Object.keys(core1.result as Record<string, unknown>));
      const v2 = (await call(t, "getrawtransaction", [id, 2])).result as Record<string, unknown>;
      assertEquals(v2.fee, 0.00001);
      assertEquals((await call(t, "getrawtransaction", ["11".repeat(32)])).error, {
        code: -5,
        message: "No such mempool or blockchain transaction. Use gettransaction for wallet transactions.",
      });
      // A block given that does not hold the transaction: the index's answer is not used.
      assertEquals(
        (await call(t, "getrawtransaction", [id, 0, cs.atHeight(3)!.hashHex])).error?.message,
        "No such transaction found in the provided block. Use gettransaction for wallet transactions.",
      );
    } finally {
      await index.close();
    }
  });
});

Deno.test("gettxoutproof / verifytxoutproof: UTXO lookup, -txindex, block hash, Core's layout and errors", async () => {
  await withFixture(async ({ cs, blocks, spend, netDataDir }) => {
    const t = new RpcTable();
    let index: TxIndex | null = null;
    t.registerAll(rawTransactionLookupMethods({
      chain: () => cs,
      network: () => "regtest",
      txIndex: () => index,
    }));
    const spendId = reverseHex(txid(spend));
    const cb102 = reverseHex(txid(blocks[101].txs[0]));
    // Found through the UTXO set (unspent outputs), no block hash.
    const proof = (await call(t, "gettxoutproof", [[spendId]])).result as string;
    assertEquals((await call(t, "verifytxoutproof", [proof])).result, [spendId]);
    // Core's recorded proof: 2 transactions, the second matched: 2 hashes, flags 0x05; ours has that layout.
    const session = await readCoreSession();
    const coreProof = session.find((c) => c.call[0] === "gettxoutproof")!.result as string;
    const coreMb = decodeMerkleBlock(fromHex(coreProof));
    const ours = decodeMerkleBlock(fromHex(proof));
    assertEquals([ours.tree.txCount, ours.tree.hashes.length, toHex(ours.tree.flags)], [
      coreMb.tree.txCount,
      coreMb.tree.hashes.length,
      toHex(coreMb.tree.flags),
    ]);
    assertEquals(proof.length, coreProof.length);
    const both = (await call(t, "gettxoutproof", [[spendId, cb102]])).result as string;
    assertEquals(
      ((await call(t, "verifytxoutproof", [both])).result as string[]).sort(),
      [spendId, cb102].sort(),
    );
    // Block 1's coinbase is spent: not in the UTXO set, no index.
    const cb1 = reverseHex(txid(blocks[0].txs[0]));
    assertEquals((await call(t, "gettxoutproof", [[cb1]])).error, {
      code: -5,
      message: "Transaction not yet in block",
    });
    const withHash = (await call(t, "gettxoutproof", [[cb1], cs.atHeight(1)!.hashHex])).result as string;
    assertEquals((await call(t, "verifytxoutproof", [withHash])).result, [cb1]);
    index = await TxIndex.open({ netDataDir, chain: cs });
    index.start();
    while (!index.synced) await new Promise((r) => setTimeout(r, 5));
    assertEquals((await call(t, "gettxoutproof", [[cb1]])).result, withHash);
    // Errors.
    assertEquals((await call(t, "gettxoutproof", [[spendId, cb1]])).error, {
      code: -5,
      message: "Not all transactions found in specified or retrieved block",
    });
    assertEquals((await call(t, "gettxoutproof", [[]])).error, {
      code: -8,
      message: "Parameter 'txids' cannot be empty",
    });
    assertEquals((await call(t, "gettxoutproof", [[spendId, spendId.toUpperCase()]])).error, {
      code: -8,
      message: `Invalid parameter, duplicated txid: ${spendId.toUpperCase()}`,
    });
    assertEquals((await call(t, "gettxoutproof", [[spendId], "00".repeat(32)])).error, {
      code: -5,
      message: "Block not found",
    });
    // A proof whose hashes do not give the header's merkle root: empty result.
    const mb = decodeMerkleBlock(fromHex(proof));
    const bad = toHex(encodeMerkleBlock({
      header: mb.header,
      tree: { ...mb.tree, hashes: [new Uint8Array(32), ...mb.tree.hashes.slice(1)] },
    }));
    assertEquals((await call(t, "verifytxoutproof", [bad])).result, []);
    assertEquals((await call(t, "verifytxoutproof", ["zz"])).error, {
      code: -8,
      message: "proof must be hexadecimal string (not 'zz')",
    });
    // A truncated proof is a deserialization failure (Core: -1 with the stream's message).
    assertEquals(
      ((await call(t, "verifytxoutproof", [proof.slice(0, 100)])).error as { code: number }).code,
      -1,
    );
    // Trailing bytes are ignored, as Core's stream read.
    assertEquals((await call(t, "verifytxoutproof", [proof + "00"])).result, [spendId]);
    await cs.invalidateBlock(cs.tip().hashHex);
    assertEquals((await call(t, "verifytxoutproof", [proof])).error, {
      code: -5,
      message: "Block not found in chain",
    });
    await index.close();
  });
});

Deno.test("gettxoutproof: a transaction whose first 16 outputs are spent is found by scanning the UTXO set", async () => {
  await withFixture(async ({ cs, blocks }) => {
    const cb = blocks[1].txs[0];
    const k = testKey(1);
    const fanOut = spendP2wpkh(
      [{ outpoint: { txid: txid(cb), vout: 0 }, value: cb.outputs[0].value, key: k }],
      Array.from({ length: 20 }, () => ({ value: 100_000_000n, scriptPubKey: k.script })),
    );
    const b1 = buildBlock({
      prev: cs.tip(),
      params,
      txs: [fanOut],
      fees: cb.outputs[0].value - 2_000_000_000n,
    });
    assert((await cs.processNewBlock(b1)).state.valid);
    const fanHeight = cs.height();
    const spendFirst = spendP2wpkh(
      Array.from(
        { length: 16 },
        (_, vout) => ({ outpoint: { txid: txid(fanOut), vout }, value: 100_000_000n, key: k }),
      ),
      [{ value: 1_500_000_000n, scriptPubKey: k.script }],
    );
    const b2 = buildBlock({ prev: cs.tip(), params, txs: [spendFirst], fees: 100_000_000n });
    assert((await cs.processNewBlock(b2)).state.valid);
    const t = new RpcTable();
    t.registerAll(rawTransactionLookupMethods({ chain: () => cs, network: () => "regtest" }));
    const id = reverseHex(txid(fanOut));
    const proof = (await call(t, "gettxoutproof", [[id]])).result as string;
    assertEquals(
      reverseHex(blockHash(decodeMerkleBlock(fromHex(proof)).header)),
      cs.atHeight(fanHeight)!.hashHex,
    );
    assertEquals((await call(t, "verifytxoutproof", [proof])).result, [id]);
  });
});
