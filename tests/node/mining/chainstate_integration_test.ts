/**
 * Mining against the real chainstate (node/chain/chainstate.ts): generatetoaddress over RPC, a block with a
 * signed P2WPKH spend from the assembler (fee to the coinbase), generateblock submit=false + submitblock,
 * duplicates and reject reasons, getmininginfo.
 */
import { encodeDestination } from "../../../core/address/destination.ts";
import { chainParams } from "../../../core/chain_params.ts";
import { toHex } from "../../../core/hash/hashes.ts";
import { encodeBlock } from "../../../core/wire/block.ts";
import { encodeTransaction, txid } from "../../../core/wire/transaction.ts";
import { openChainstate } from "../../../node/chain/chainstate.ts";
import type { TransactionWithFee } from "../../../node/chain/types.ts";
import { createNewBlock, regenerateCommitments } from "../../../node/mining/block_assembler.ts";
import { grindBlock } from "../../../node/mining/mine.ts";
import { miningMethods } from "../../../rpc/methods/mining.ts";
import { RpcTable } from "../../../rpc/table.ts";
import { assert, assertEquals } from "../../assert.ts";
import { buildBlock, spendP2wpkh, testKey } from "../chain/block_builder.ts";

Deno.test("mining with the real chainstate", async () => {
  const params = chainParams("regtest");
  const dataDir = await Deno.makeTempDir();
  const cs = await openChainstate({ dataDir, params, workers: 0, now: () => 1700000000 });
  try {
    const key = testKey(7);
    const address = encodeDestination(key.script, "regtest")!;
    let candidates: TransactionWithFee[] = [];
    let clock = 1700000000;
    const t = new RpcTable();
    t.registerAll(miningMethods({
      chain: () => cs,
      network: "regtest",
      now: () => clock++,
      assembleTransactions: () => candidates,
    }));
    const rpc = async (method: string, params: unknown[]) => {
      const body = JSON.parse(
        (await t.execute(JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }))).body,
      );
      return body;
    };

    const hashes = (await rpc("generatetoaddress", [101, address])).result as string[];
    assertEquals(hashes.length, 101);
    assertEquals(cs.height(), 101);
    assertEquals(cs.tip().hashHex, hashes[100]);

    // A mature coinbase spent by a signed P2WPKH transaction, assembled with its fee.
    const cb1 = (await cs.readBlock(cs.atHeight(1)!)).txs[0];
    const spend = spendP2wpkh(
      [{ outpoint: { txid: txid(cb1), vout: 0 }, value: cb1.outputs[0].value, key }],
      [{ value: cb1.outputs[0].value - 10_000n, scriptPubKey: key.script }],
    );
    candidates = [{ tx: spend, fee: 10_000n }];
    const [h102] = (await rpc("generatetoaddress", [1, address])).result as string[];
    candidates = [];
    const b102 = await cs.readBlock(cs.lookup(h102)!);
    assertEquals(b102.txs.length, 2);
    assertEquals(b102.txs[0].outputs[0].value, 50_0000_0000n + 10_000n);
    assertEquals((await cs.getCoin({ txid: txid(spend), vout: 0 }))?.height, 102);
    const info = (await rpc("getmininginfo", [])).result;
    assertEquals(info.blocks, 102);
    assertEquals(info.currentblocktx, 1);

    // generateblock submit=false, then submitblock; again: duplicate.
    const cb2 = (await cs.readBlock(cs.atHeight(2)!)).txs[0];
    const spend2 = spendP2wpkh(
      [{ outpoint: { txid: txid(cb2), vout: 0 }, value: cb2.outputs[0].value, key }],
      [{ value: cb2.outputs[0].value - 1_000n, scriptPubKey: key.script }],
    );
    const gb = (await rpc("generateblock", [address, [toHex(encodeTransaction(spend2))], false])).result;
    assertEquals(cs.height(), 102);
    assertEquals((await rpc("submitblock", [gb.hex])).result, null);
    assertEquals(cs.tip().hashHex, gb.hash);
    assertEquals((await rpc("submitblock", [gb.hex])).result, "duplicate");

    // The same transaction again: TestBlockValidity fails with the chain's reason (BIP30 first, as Core).
    const again = await rpc("generateblock", [address, [toHex(encodeTransaction(spend2))]]);
    assertEquals(again.error.code, -25);
    assert(
      String(again.error.message).startsWith("TestBlockValidity failed: bad-txns-BIP30"),
      again.error.message,
    );

    // A block paying too much is rejected with Core's reason.
    const tpl = await createNewBlock(cs, { coinbaseOutputScript: key.script, now: () => clock++ });
    const cb = tpl.block.txs[0];
    const greedy = {
      ...cb,
      outputs: [{ ...cb.outputs[0], value: cb.outputs[0].value + 1n }, ...cb.outputs.slice(1)],
    };
    const bad = grindBlock(
      regenerateCommitments({ header: tpl.block.header, txs: [greedy] }, tpl.height, params),
      1000,
    );
    assert(bad.found);
    assertEquals((await rpc("submitblock", [toHex(encodeBlock(bad.block))])).result, "bad-cb-amount");
    assertEquals(cs.height(), 103);

    // A competing block at the tip's height is stored but not connected: "inconclusive"; then the same again is a
    // duplicate, and a getblocktemplate proposal of it says so.
    const side = buildBlock({ prev: cs.tip().prev!, params, extraNonce: 99, time: cs.tip().header.time });
    const sideHex = toHex(encodeBlock(side));
    assertEquals((await rpc("submitblock", [sideHex])).result, "inconclusive");
    assertEquals(cs.height(), 103);
    assertEquals((await rpc("submitblock", [sideHex])).result, "duplicate");
    assertEquals(
      (await rpc("getblocktemplate", [{ mode: "proposal", data: sideHex }])).result,
      "duplicate-inconclusive",
    );
    const tipHex = toHex(encodeBlock(await cs.readBlock(cs.tip())));
    assertEquals((await rpc("getblocktemplate", [{ mode: "proposal", data: tipHex }])).result, "duplicate");
    // A template on the real chain, proposed back: valid (no PoW check in proposals).
    const gbt = (await rpc("getblocktemplate", [{ rules: ["segwit"] }])).result;
    assertEquals(gbt.height, 104);
    assertEquals(gbt.previousblockhash, cs.tip().hashHex);
    const proposal = await createNewBlock(cs, { coinbaseOutputScript: key.script, now: () => clock++ });
    assertEquals(
      (await rpc("getblocktemplate", [{ mode: "proposal", data: toHex(encodeBlock(proposal.block)) }]))
        .result,
      null,
    );
  } finally {
    await cs.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
