import { assert, assertEquals } from "../assert.ts";
import { decodeDestination, isDecodedDestination } from "../../core/address/destination.ts";
import { reverseHex } from "../../core/hash/hashes.ts";
import { blockHash } from "../../core/wire/block.ts";
import { txid } from "../../core/wire/transaction.ts";
import type { Block } from "../../core/wire/types.ts";
import { defaultWalletSettings, Wallet, type WalletEnvironment } from "../../wallet/wallet.ts";
import { buildBlock } from "../node/chain/block_builder.ts";
import { type ChainFixture, chainFixture, params } from "../node/interfaces/chain_fixture.ts";

function env(f: ChainFixture, keypoolSize = 20): WalletEnvironment {
  return {
    chain: f.chain,
    network: "regtest",
    keypoolSize,
    addressType: "bech32",
    settings: defaultWalletSettings(),
    now: () => 1_700_100_000,
  };
}

function scriptOf(address: string): Uint8Array {
  const d = decodeDestination(address, "regtest");
  assert(isDecodedDestination(d));
  return d.scriptPubKey;
}

/** Mines a block paying its coinbase to `payTo` and waits for the notifications. */
async function mineTo(f: ChainFixture, payTo: Uint8Array): Promise<Block> {
  const tip = f.chainstate.tip();
  const block = buildBlock({ prev: tip, params, payTo, time: tip.header.time + 1 });
  const r = await f.chainstate.processNewBlock(block);
  assert(r.state.valid);
  await f.signals.sync();
  await f.chain.waitForNotifications();
  return block;
}

Deno.test("wallet: follows the chain, persists, catches up after a restart and undoes a reorg", async () => {
  const f = await chainFixture(101);
  const dir = await Deno.makeTempDir({ prefix: "tsbtc-wallet-" });
  try {
    let w = await Wallet.create(env(f), "w", dir);
    await w.attach();
    assertEquals(w.lastBlock().height, 101);
    assertEquals(w.flags(), ["last_hardened_xpub_cached", "descriptor_wallet"]);
    assertEquals(w.descriptors().length, 8);
    assertEquals(w.keypoolSizes(), { external: 80, internal: 80 });
    const address = await w.getNewAddress("bech32", "mining");
    assert(address.startsWith("bcrt1q"));
    assertEquals(w.getAddressBook(address), { label: "mining", purpose: "receive" });
    const script = scriptOf(address);
    assert(w.isMine(script));
    assertEquals(w.isChange({ value: 1n, scriptPubKey: script }), false);
    const change = await w.getNewChangeAddress("bech32m");
    assert(change.startsWith("bcrt1p"));
    assert(w.isChange({ value: 1n, scriptPubKey: scriptOf(change) }));

    const mined: Block[] = [];
    for (let i = 0; i < 3; i++) mined.push(await mineTo(f, script));
    await w.blockUntilSyncedToCurrentChain();
    assertEquals(w.lastBlock().height, 104);
    assertEquals(w.txCount, 3);
    const first = w.getTx(reverseHex(txid(mined[0].txs[0])))!;
    assertEquals(first.state.kind, "confirmed");
    assertEquals(w.depth(first), 3);
    assertEquals(w.blocksToMaturity(first), 98);
    assertEquals([...w.txos()].length, 3);
    assertEquals(w.getTxo({ txid: txid(mined[2].txs[0]), vout: 0 })?.txout.value, 50_0000_0000n);
    const info = w.scriptInfo(script)!;
    assert(info.desc!.startsWith("wpkh([") && info.keyOrigin!.path === "m/84h/1h/0h/0/0", info.desc);
    // Blocks paying to others are not kept.
    await mineTo(f, new Uint8Array([0x51]));
    await w.blockUntilSyncedToCurrentChain();
    assertEquals(w.txCount, 3);
    await w.close();

    // Blocks mined while the wallet is closed are scanned on load.
    mined.push(await mineTo(f, script));
    mined.push(await mineTo(f, script));
    w = await Wallet.load(env(f), "w", dir);
    assertEquals(w.txCount, 3);
    assertEquals(w.getAddressBook(address)?.label, "mining");
    await w.attach();
    assertEquals(w.txCount, 5);
    assertEquals(w.lastBlock().height, 107);
    assertEquals(w.depth(w.getTx(reverseHex(txid(mined[0].txs[0])))!), 6);
    // The next address continues after the ones handed out before the restart.
    const next = await w.getNewAddress("bech32", "");
    assert(next !== address);

    // Reorg: the tip's coinbase becomes inactive, the block's successor confirms it again.
    const tipHash = reverseHex(blockHash(mined[4].header));
    await f.chainstate.invalidateBlock(tipHash);
    await f.signals.sync();
    await f.chain.waitForNotifications();
    await w.blockUntilSyncedToCurrentChain();
    assertEquals(w.lastBlock().height, 106);
    const orphan = w.getTx(reverseHex(txid(mined[4].txs[0])))!;
    assertEquals(orphan.state, { kind: "inactive", abandoned: false });
    assertEquals(w.depth(orphan), 0);
    await f.chainstate.reconsiderBlock(tipHash);
    await f.signals.sync();
    await f.chain.waitForNotifications();
    await w.blockUntilSyncedToCurrentChain();
    assertEquals(w.lastBlock().height, 107);
    assertEquals(w.getTx(orphan.txid)!.state.kind, "confirmed");

    // A reorg while the wallet is closed: the stale block's transaction is undone on load.
    await w.close();
    await f.chainstate.invalidateBlock(tipHash);
    await mineTo(f, new Uint8Array([0x52]));
    w = await Wallet.load(env(f), "w", dir);
    await w.attach();
    assertEquals(w.lastBlock().height, 107);
    assertEquals(w.getTx(orphan.txid)!.state.kind, "inactive");
    assertEquals(w.txCount, 5);
    await w.close();
  } finally {
    await f.close();
    await Deno.remove(dir, { recursive: true });
  }
});
