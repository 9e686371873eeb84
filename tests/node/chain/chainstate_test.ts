import { assert, assertEquals } from "../../assert.ts";
import { chainParams } from "../../../core/chain_params.ts";
import { txid } from "../../../core/wire/transaction.ts";
import { blockHash } from "../../../core/wire/block.ts";
import { hashToHex } from "../../../node/chain/block_index.ts";
import type { Block, Transaction } from "../../../core/wire/types.ts";
import { openChainstate } from "../../../node/chain/chainstate.ts";
import type { Chainstate } from "../../../node/chain/types.ts";
import { buildBlock, spendP2tr, spendP2wpkh, testKey } from "./block_builder.ts";

const params = chainParams("regtest");
const key = testKey(1);

async function submit(cs: Chainstate, block: Block): Promise<string> {
  const r = await cs.processNewBlock(block);
  return r.state.valid ? "ok" : r.state.reason;
}

async function mine(cs: Chainstate, n: number): Promise<Block[]> {
  const out: Block[] = [];
  for (let i = 0; i < n; i++) {
    const b = buildBlock({ prev: cs.tip(), params });
    assertEquals(await submit(cs, b), "ok");
    out.push(b);
  }
  return out;
}

function coinbaseSpend(b: Block, outValue: bigint, extra: Partial<{ sequence: number }> = {}): Transaction {
  const cb = b.txs[0];
  return spendP2wpkh(
    [{ outpoint: { txid: txid(cb), vout: 0 }, value: cb.outputs[0].value, key, ...extra }],
    [{ value: outValue, scriptPubKey: testKey(2).script }],
  );
}

Deno.test("chainstate: genesis, mining, spends, every reject reason, reorg, invalidate, restart", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    let cs = await openChainstate({ dataDir, params, workers: 1 });
    assertEquals(cs.height(), 0);
    assertEquals(cs.tip().hashHex, params.consensus.hashGenesisBlock);
    assert(cs.isInitialBlockDownload());

    const events: string[] = [];
    cs.subscribe({
      blockConnected: (_b, e) => events.push(`c${e.height}`),
      blockDisconnected: (_b, e) => events.push(`d${e.height}`),
    });
    const blocks = await mine(cs, 150);
    assertEquals(cs.height(), 150);
    assertEquals(events.length, 150);
    assertEquals(events[149], "c150");
    // Subsidy halves at 150 on regtest.
    assertEquals(blocks[148].txs[0].outputs[0].value, 50_0000_0000n);
    assertEquals(blocks[149].txs[0].outputs[0].value, 25_0000_0000n);
    assert(!cs.isInitialBlockDownload());

    // Spend the mature coinbase of block 1.
    const spend = coinbaseSpend(blocks[0], 49_0000_0000n);
    assertEquals(
      await submit(cs, buildBlock({ prev: cs.tip(), params, txs: [spend], fees: 1_0000_0000n })),
      "ok",
    );
    assertEquals(cs.height(), 151);
    assertEquals(await cs.getCoin({ txid: txid(blocks[0].txs[0]), vout: 0 }), null);
    const created = await cs.getCoin({ txid: txid(spend), vout: 0 });
    assertEquals(created?.output.value, 49_0000_0000n);
    assertEquals(created?.height, 151);

    const tip = () => cs.tip();
    const reject = async (b: Block, reason: string) => {
      const before = cs.tip().hashHex;
      assertEquals(await submit(cs, b), reason);
      assertEquals(cs.tip().hashHex, before);
    };
    // Premature spend: coinbase of block 100 at height 152 has depth 52.
    await reject(
      buildBlock({ prev: tip(), params, txs: [coinbaseSpend(blocks[99], 1_0000_0000n)] }),
      "bad-txns-premature-spend-of-coinbase",
    );
    // Double spend of the coin spent at 151.
    await reject(
      buildBlock({ prev: tip(), params, txs: [coinbaseSpend(blocks[0], 1_0000_0000n)] }),
      "bad-txns-inputs-missingorspent",
    );
    // BIP30: the same transaction again while its outputs are unspent.
    await reject(buildBlock({ prev: tip(), params, txs: [spend] }), "bad-txns-BIP30");
    await reject(buildBlock({ prev: tip(), params, coinbaseValue: 50_0000_0001n }), "bad-cb-amount");
    await reject(buildBlock({ prev: tip(), params, cbHeight: 5 }), "bad-cb-height");
    await reject(buildBlock({ prev: tip(), params, bits: 0x207ffffe }), "bad-diffbits");
    await reject(buildBlock({ prev: tip(), params, time: tip().medianTimePast }), "time-too-old");
    await reject(
      buildBlock({ prev: tip(), params, time: Math.floor(Date.now() / 1000) + 2 * 3600 + 600 }),
      "time-too-new",
    );
    await reject(buildBlock({ prev: tip(), params, version: 1 }), "bad-version(0x00000001)");
    await reject(buildBlock({ prev: tip(), params, badCommitment: true }), "bad-witness-merkle-match");
    await reject(
      buildBlock({ prev: tip(), params, witnessNonce: new Uint8Array(31) }),
      "bad-witness-nonce-size",
    );
    const witnessTx = coinbaseSpend(blocks[1], 1_0000_0000n);
    await reject(
      buildBlock({ prev: tip(), params, txs: [witnessTx], commitment: false }),
      "unexpected-witness",
    );
    await reject(
      buildBlock({ prev: tip(), params, txs: [coinbaseSpend(blocks[1], 60_0000_0000n)] }),
      "bad-txns-in-belowout",
    );
    // A bad signature: spend signed with another key.
    const badSig = spendP2wpkh(
      [{ outpoint: { txid: txid(blocks[2].txs[0]), vout: 0 }, value: 50_0000_0000n, key: testKey(9) }],
      [{ value: 1_0000_0000n, scriptPubKey: key.script }],
    );
    const badWitness = {
      ...badSig,
      inputs: [{ ...badSig.inputs[0], witness: [badSig.inputs[0].witness[0], key.pubkey] }],
    };
    await reject(
      buildBlock({ prev: tip(), params, txs: [badWitness] }),
      "block-script-verify-flag-failed (Script evaluated without error but finished with a false/empty top stack element)",
    );
    // Locktime in the future with a non-final sequence.
    const nonfinal = spendP2wpkh(
      [{ outpoint: { txid: txid(blocks[3].txs[0]), vout: 0 }, value: 50_0000_0000n, key }],
      [{ value: 1_0000_0000n, scriptPubKey: key.script }],
      { locktime: 1000 },
    );
    await reject(buildBlock({ prev: tip(), params, txs: [nonfinal] }), "bad-txns-nonfinal");
    // BIP68: a relative lock of 100 blocks on a coin 147 deep is fine, of 200 is not.
    const bip68 = coinbaseSpend(blocks[4], 1_0000_0000n, { sequence: 200 });
    await reject(buildBlock({ prev: tip(), params, txs: [bip68] }), "bad-txns-nonfinal");
    assertEquals(cs.height(), 151);

    // Reorg: a two-block branch from height 150 beats the tip at 151.
    const tipBefore = cs.tip();
    events.length = 0;
    const fork = cs.atHeight(150)!;
    const a1 = buildBlock({ prev: fork, params, extraNonce: 7 });
    assertEquals(await submit(cs, a1), "ok");
    assertEquals(cs.tip().hashHex, tipBefore.hashHex);
    const a2 = buildBlock({ prev: cs.lookup(blockHashHex(a1))!, params });
    assertEquals(await submit(cs, a2), "ok");
    assertEquals(cs.height(), 152);
    assertEquals(events, ["d151", "c151", "c152"]);
    // The spend was undone: block 1's coinbase is back, the spend's output is gone.
    assertEquals((await cs.getCoin({ txid: txid(blocks[0].txs[0]), vout: 0 }))?.height, 1);
    assertEquals(await cs.getCoin({ txid: txid(spend), vout: 0 }), null);

    // invalidateblock / reconsiderblock.
    await cs.invalidateBlock(blockHashHex(a1));
    assertEquals(cs.tip().hashHex, tipBefore.hashHex);
    assertEquals((await cs.getCoin({ txid: txid(spend), vout: 0 }))?.height, 151);
    await cs.reconsiderBlock(blockHashHex(a1));
    assertEquals(cs.height(), 152);
    assertEquals(cs.tip().hashHex, blockHashHex(a2));

    // Restart: same tip and UTXO set.
    const tipHash = cs.tip().hashHex;
    await cs.close();
    cs = await openChainstate({ dataDir, params, workers: 1 });
    assertEquals(cs.tip().hashHex, tipHash);
    assertEquals(cs.height(), 152);
    assertEquals((await cs.getCoin({ txid: txid(blocks[0].txs[0]), vout: 0 }))?.height, 1);
    assertEquals(await cs.getCoin({ txid: txid(spend), vout: 0 }), null);
    assertEquals(
      await submit(cs, buildBlock({ prev: cs.tip(), params, txs: [spend], fees: 1_0000_0000n })),
      "ok",
    );
    assertEquals(cs.height(), 153);
    // P2TR: a coinbase pays to key 3's taproot output; spend it by key path after maturity.
    const k3 = testKey(3);
    assertEquals(await submit(cs, buildBlock({ prev: cs.tip(), params, payTo: k3.trScript })), "ok");
    const trCb = (await cs.readBlock(cs.tip())).txs[0];
    await mine(cs, 100);
    const trSpend = spendP2tr(
      [{ outpoint: { txid: txid(trCb), vout: 0 }, value: trCb.outputs[0].value, key: k3 }],
      [{ value: trCb.outputs[0].value - 1000n, scriptPubKey: k3.trScript }],
    );
    const badTr = { ...trSpend, outputs: [{ ...trSpend.outputs[0], value: trSpend.outputs[0].value - 1n }] };
    assertEquals(
      await submit(cs, buildBlock({ prev: cs.tip(), params, txs: [badTr], fees: 1001n })),
      "block-script-verify-flag-failed (Invalid Schnorr signature)",
    );
    assertEquals(await submit(cs, buildBlock({ prev: cs.tip(), params, txs: [trSpend], fees: 1000n })), "ok");
    assertEquals(
      (await cs.getCoin({ txid: txid(trSpend), vout: 0 }))?.output.value,
      trCb.outputs[0].value - 1000n,
    );
    assertEquals(await cs.getCoin({ txid: txid(trCb), vout: 0 }), null);
    assertEquals(cs.height(), 255);

    await cs.close();
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

function blockHashHex(b: Block): string {
  return hashToHex(blockHash(b.header));
}
