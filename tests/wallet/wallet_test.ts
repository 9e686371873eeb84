import { assert, assertEquals } from "../assert.ts";
import { decodeDestination, isDecodedDestination } from "../../core/address/destination.ts";
import { reverseHex } from "../../core/hash/hashes.ts";
import { blockHash } from "../../core/wire/block.ts";
import { encodeTransaction, txid } from "../../core/wire/transaction.ts";
import type { Block, Transaction, TxOut } from "../../core/wire/types.ts";
import { decodePsbt, encodePsbt, psbtFromTransaction } from "../../core/psbt/mod.ts";
import { defaultWalletSettings, Wallet, type WalletEnvironment } from "../../wallet/wallet.ts";
import { buildBlock } from "../node/chain/block_builder.ts";
import { type ChainFixture, chainFixture, key, params } from "../node/interfaces/chain_fixture.ts";

function env(f: ChainFixture, keypoolSize = 20): WalletEnvironment {
  return {
    chain: f.chain,
    network: "regtest",
    keypoolSize,
    addressType: "bech32",
    settings: defaultWalletSettings(),
    now: () => 1_700_100_000,
    logger: Deno.env.get("W1DEBUG") ? { info: console.log, debug: console.log } as never : undefined,
  };
}

function scriptOf(address: string): Uint8Array {
  const d = decodeDestination(address, "regtest");
  assert(isDecodedDestination(d));
  return d.scriptPubKey;
}

/** Runs `fn` with a chain fixture of `blocks` blocks and a temporary wallet directory, then removes both. */
async function withChainAndDir(
  blocks: number,
  fn: (f: ChainFixture, dir: string) => Promise<void>,
): Promise<void> {
  const f = await chainFixture(blocks);
  const dir = await Deno.makeTempDir({ prefix: "tsbtc-wallet-" });
  try {
    await fn(f, dir);
  } finally {
    await f.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Mines a block paying its coinbase to `payTo` and waits for the notifications. */
async function mineTo(f: ChainFixture, payTo: Uint8Array, txs: Transaction[] = []): Promise<Block> {
  const tip = f.chainstate.tip();
  const block = buildBlock({ prev: tip, params, payTo, time: tip.header.time + 1, txs });
  const r = await f.chainstate.processNewBlock(block);
  assert(r.state.valid);
  await f.signals.sync();
  await f.chain.waitForNotifications();
  return block;
}

Deno.test("wallet: follows the chain, persists, catches up after a restart and undoes a reorg", async () => {
  await withChainAndDir(101, async (f, dir) => {
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
    // Core: a disconnected coinbase is abandoned as well as inactive.
    assertEquals(orphan.state, { kind: "inactive", abandoned: true });
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
  });
});

/** A transaction spending `coins` to `outputs` (unsigned). */
function spendTx(
  coins: ReadonlyArray<{ txid: Uint8Array; vout: number }>,
  outputs: ReadonlyArray<{ value: bigint; scriptPubKey: Uint8Array }>,
): Transaction {
  return {
    version: 2,
    inputs: coins.map((c) => ({
      prevout: { txid: c.txid, vout: c.vout },
      scriptSig: new Uint8Array(0),
      sequence: 0xfffffffd,
      witness: [],
    })),
    outputs,
    locktime: 0,
  };
}

Deno.test("wallet: signs every address type, commits, and follows conflicts through blocks and reorgs", async () => {
  await withChainAndDir(101, async (f, dir) => {
    const w = await Wallet.create(env(f), "w", dir);
    await w.attach();
    const mine = scriptOf(await w.getNewAddress("bech32", ""));
    const blocks: Block[] = [];
    for (let i = 0; i < 101; i++) blocks.push(await mineTo(f, mine));
    await w.blockUntilSyncedToCurrentChain();
    assertEquals(w.txCount, 101);
    const cb = (i: number) => ({ txid: txid(blocks[i].txs[0]), vout: 0 });
    const coinMap = (list: ReadonlyArray<{ txid: Uint8Array; vout: number }>) => {
      const m = new Map<string, TxOut>();
      for (const c of list) m.set(`${reverseHex(c.txid)}:${c.vout}`, w.getTxo(c)!.txout);
      return m;
    };

    // Pay to one address of each type, sign, commit: the mempool accepts it, the wallet sees it.
    const types = ["legacy", "p2sh-segwit", "bech32", "bech32m"] as const;
    const scripts = await Promise.all(types.map(async (t) => scriptOf(await w.getNewAddress(t, t))));
    const fan = spendTx([cb(0)], scripts.map((s) => ({ value: 12_4999_0000n, scriptPubKey: s })));
    const signed = await w.signTransaction(fan, coinMap([cb(0)]));
    assertEquals(signed.errors, []);
    assert(signed.complete);
    await w.commitTransaction(signed.tx, { comment: "fan out" }, []);
    const fanId = reverseHex(txid(signed.tx));
    assertEquals(w.getTx(fanId)!.state.kind, "inMempool");
    assertEquals(w.getTx(fanId)!.mapValue, { comment: "fan out" });
    assert(w.isSpent(cb(0)));
    assertEquals(w.spenders(cb(0)), [fanId]);
    await mineTo(f, new Uint8Array([0x51]), [signed.tx]);
    await w.blockUntilSyncedToCurrentChain();
    assertEquals(w.getTx(fanId)!.state.kind, "confirmed");

    // Spend the four outputs (one per type) together.
    const outs = types.map((_, vout) => ({ txid: txid(signed.tx), vout }));
    const back = spendTx(outs, [{ value: 49_9995_0000n, scriptPubKey: mine }]);
    const signed2 = await w.signTransaction(back, coinMap(outs));
    assertEquals(signed2.errors, []);
    await w.commitTransaction(signed2.tx, {}, []);
    const backId = reverseHex(txid(signed2.tx));
    assertEquals(w.getTx(backId)!.state.kind, "inMempool");

    // An input the wallet cannot sign: Core's per-input error.
    const foreign = { txid: new Uint8Array(32).fill(7), vout: 1 };
    const bad = await w.signTransaction(
      spendTx([foreign], [{ value: 1000n, scriptPubKey: mine }]),
      new Map([[`${reverseHex(foreign.txid)}:1`, {
        value: 5000n,
        scriptPubKey: new Uint8Array([0x51, 0x20, ...new Uint8Array(32).fill(3)]),
      }]]),
    );
    assertEquals(bad.complete, false);
    assertEquals(bad.errors.length, 1);
    assertEquals(bad.errors[0].vout, 1);

    // PSBT: the wallet fills in UTXOs and derivations and signs.
    const psbtTx = spendTx([cb(1)], [{ value: 49_9999_0000n, scriptPubKey: mine }]);
    const filled = await w.fillPsbt(encodePsbt(psbtFromTransaction(psbtTx)), {
      sign: true,
      finalize: true,
      bip32Derivs: true,
    });
    assert(filled.complete);
    const unsignedOnly = await w.fillPsbt(encodePsbt(psbtFromTransaction(psbtTx)), {
      sign: false,
      finalize: true,
      bip32Derivs: true,
    });
    assertEquals(unsignedOnly.complete, false);
    assertEquals(decodePsbt(unsignedOnly.psbt).inputs[0].bip32Derivs.size, 1);

    // A conflicting spend of coinbase 2 in a block: the wallet's mempool spend and its child become
    // block-conflicted; a reorg brings them back.
    const a = (await w.signTransaction(
      spendTx([cb(2)], [{ value: 49_9999_0000n, scriptPubKey: mine }]),
      coinMap([cb(2)]),
    )).tx;
    await w.commitTransaction(a, {}, []);
    const aId = reverseHex(txid(a));
    const aOut = { txid: txid(a), vout: 0 };
    const child = (await w.signTransaction(
      spendTx([aOut], [{ value: 49_9998_0000n, scriptPubKey: mine }]),
      coinMap([aOut]),
    )).tx;
    await w.commitTransaction(child, {}, []);
    const childId = reverseHex(txid(child));
    assertEquals(w.getTx(childId)!.state.kind, "inMempool");
    const b = (await w.signTransaction(
      spendTx([cb(2)], [{ value: 49_9990_0000n, scriptPubKey: new Uint8Array([0x51]) }]),
      coinMap([cb(2)]),
    )).tx;
    const tip = f.chainstate.tip();
    const conflictBlock = buildBlock({
      prev: tip,
      params,
      payTo: new Uint8Array([0x51]),
      time: tip.header.time + 1,
      txs: [b],
      fees: 10_0000n,
    });
    assert((await f.chainstate.processNewBlock(conflictBlock)).state.valid);
    await f.signals.sync();
    await f.chain.waitForNotifications();
    await w.blockUntilSyncedToCurrentChain();
    assertEquals(w.getTx(aId)!.state.kind, "blockConflicted");
    assertEquals(w.getTx(childId)!.state.kind, "blockConflicted");
    assertEquals(w.depth(w.getTx(aId)!), -1);
    const bId = reverseHex(txid(b));
    assertEquals(w.getTx(bId)!.state.kind, "confirmed");
    assertEquals(w.isSpent(cb(2)), true);
    // Abandoning is refused for a conflicted transaction (depth != 0).
    assertEquals(await w.abandonTransaction(aId), false);

    await f.chainstate.invalidateBlock(reverseHex(blockHash(conflictBlock.header)));
    await f.signals.sync();
    await f.chain.waitForNotifications();
    await w.blockUntilSyncedToCurrentChain();
    assertEquals(w.getTx(aId)!.state.kind, "inactive");
    assertEquals(w.getTx(childId)!.state.kind, "inactive");
    assertEquals(w.getTx(bId)!.state.kind, "inactive");
    assertEquals(await w.abandonTransaction(aId), true);
    assert(w.isAbandoned(w.getTx(aId)!));
    assert(w.isAbandoned(w.getTx(childId)!));
    assertEquals(await w.markReplaced(backId, "ee".repeat(32)), true);
    assertEquals(w.getTx(backId)!.mapValue.replaced_by_txid, "ee".repeat(32));
    await w.close();

    // Everything persisted.
    const again = await Wallet.load(env(f), "w", dir);
    assert(again.isAbandoned(again.getTx(childId)!));
    assertEquals(again.getTx(backId)!.mapValue.replaced_by_txid, "ee".repeat(32));
    assertEquals(again.getTx(fanId)!.mapValue, { comment: "fan out" });
    assertEquals(again.txCount, w.txCount);
    await again.close();
  });
});

/** Whether the database files under `dir` contain `text`. */
async function filesContain(dir: string, text: string): Promise<boolean> {
  const needle = new TextEncoder().encode(text);
  for await (const e of Deno.readDir(dir)) {
    if (!e.isFile || !e.name.startsWith("wallet.dat")) continue;
    const bytes = await Deno.readFile(`${dir}/${e.name}`);
    outer: for (let i = 0; i + needle.length <= bytes.length; i++) {
      for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
      return true;
    }
  }
  return false;
}

Deno.test("wallet: encryption keeps private keys encrypted at rest; unlock, relock, passphrase change", async () => {
  await withChainAndDir(101, async (f, dir) => {
    let w = await Wallet.create(env(f), "w", dir);
    await w.attach();
    const oldAddress = await w.getNewAddress("bech32", "");
    assert(await filesContain(dir, "tprv8"), "plain keys before encryption");
    assertEquals(await w.encrypt("pass phrase"), true);
    assertEquals(await w.encrypt("again"), false);
    assert(w.isCrypted() && w.isLocked());
    assertEquals(await filesContain(dir, "tprv8"), false);
    // New descriptors after encryption (Core): 8 old inactive ones and 8 new active ones.
    assertEquals(w.descriptors().length, 16);
    assert(w.isMine(scriptOf(oldAddress)));
    // Addresses still come while locked (from the account xpubs); signing does not.
    const address = await w.getNewAddress("bech32", "");
    const script = scriptOf(address);
    assertEquals(w.canSign(script), false);
    const blocks: Block[] = [];
    for (let i = 0; i < 101; i++) blocks.push(await mineTo(f, script));
    await w.blockUntilSyncedToCurrentChain();
    const coin = { txid: txid(blocks[0].txs[0]), vout: 0 };
    const coins = new Map([[`${reverseHex(coin.txid)}:0`, w.getTxo(coin)!.txout]]);
    const tx = spendTx([coin], [{ value: 49_9999_0000n, scriptPubKey: script }]);
    const e = await w.signTransaction(tx, coins).then(() => null, (err) => err);
    assertEquals((e as { code?: number })?.code, -13);
    assertEquals(await w.unlock("wrong", 60), false);
    assert(w.isLocked());
    assertEquals(await w.unlock("pass phrase", 60), true);
    assert(!w.isLocked());
    assert(w.unlockedUntil() > 1_700_100_000);
    assert(w.canSign(script));
    assert((await w.signTransaction(tx, coins)).complete);
    await w.lock();
    assert(w.isLocked() && w.unlockedUntil() === 0);
    assertEquals(await w.changePassphrase("wrong", "new"), false);
    assertEquals(await w.changePassphrase("pass phrase", "new"), true);
    assert(w.isLocked());
    // A short timeout relocks by itself.
    assertEquals(await w.unlock("new", 0.2), true);
    await new Promise((r) => setTimeout(r, 400));
    assert(w.isLocked());
    await w.close();

    w = await Wallet.load(env(f), "w", dir);
    await w.attach();
    assert(w.isCrypted() && w.isLocked());
    assertEquals(await w.unlock("pass phrase", 10), false);
    assertEquals(await w.unlock("new", 10), true);
    assert((await w.signTransaction(tx, coins)).complete);
    await w.close();
    assertEquals(await filesContain(dir, "tprv8"), false);
  });
});

Deno.test("wallet: a replacement in the mempool conflicts with the replaced spend until a block settles it", async () => {
  await withChainAndDir(101, async (f, dir) => {
    const w = await Wallet.create(env(f), "w", dir);
    await w.attach();
    const mine = scriptOf(await w.getNewAddress("bech32", ""));
    const blocks: Block[] = [];
    for (let i = 0; i < 101; i++) blocks.push(await mineTo(f, mine));
    await w.blockUntilSyncedToCurrentChain();
    const coin = { txid: txid(blocks[0].txs[0]), vout: 0 };
    const coins = new Map([[`${reverseHex(coin.txid)}:0`, w.getTxo(coin)!.txout]]);
    const a =
      (await w.signTransaction(spendTx([coin], [{ value: 49_9999_0000n, scriptPubKey: mine }]), coins)).tx;
    await w.commitTransaction(a, {}, []);
    const aId = reverseHex(txid(a));
    assertEquals(w.getTx(aId)!.state.kind, "inMempool");
    const aOut = { txid: txid(a), vout: 0 };
    const child = (await w.signTransaction(
      spendTx([aOut], [{ value: 49_9998_0000n, scriptPubKey: mine }]),
      new Map([[`${aId}:0`, a.outputs[0]]]),
    )).tx;
    await w.commitTransaction(child, {}, []);
    const childId = reverseHex(txid(child));

    // A replacement paying more: the mempool swaps it in.
    const b = (await w.signTransaction(
      spendTx([coin], [{ value: 49_9900_0000n, scriptPubKey: key.script }]),
      coins,
    )).tx;
    const r = await f.chain.broadcastTransaction(encodeTransaction(b), 0n, false);
    assert(r.ok, r.ok ? "" : r.message);
    await f.chain.waitForNotifications();
    await w.blockUntilSyncedToCurrentChain();
    const bId = reverseHex(txid(b));
    assertEquals(w.getTx(bId)!.state.kind, "inMempool");
    assertEquals(w.getTx(aId)!.state.kind, "inactive");
    assertEquals(w.getTx(childId)!.state.kind, "inactive");
    assert(w.getTx(aId)!.mempoolConflicts.has(bId));
    assert(w.getTx(childId)!.mempoolConflicts.has(bId), "descendants conflict too");
    assertEquals(w.isSpent(coin), true);
    assertEquals(w.spenders(coin).sort(), [aId, bId].sort());

    // The replacement is mined: the replaced spend and its child are block-conflicted, no longer mempool ones.
    await mineTo(f, new Uint8Array([0x51]), [b]);
    await w.blockUntilSyncedToCurrentChain();
    assertEquals(w.getTx(bId)!.state.kind, "confirmed");
    assertEquals(w.getTx(aId)!.state.kind, "blockConflicted");
    assertEquals(w.getTx(childId)!.state.kind, "blockConflicted");
    assertEquals(w.getTx(aId)!.mempoolConflicts.size, 0);
    assertEquals(w.getTx(childId)!.mempoolConflicts.size, 0);
    await w.close();
  });
});

Deno.test("wallet: loaded on a chain that knows none of its blocks, it scans from the genesis block", async () => {
  const f1 = await chainFixture(3);
  const f2 = await chainFixture(0);
  const dir = await Deno.makeTempDir({ prefix: "tsbtc-wallet-" });
  try {
    const w = await Wallet.create(env(f1), "w", dir);
    await w.attach();
    const script = scriptOf(await w.getNewAddress("bech32", ""));
    await mineTo(f1, script);
    await w.blockUntilSyncedToCurrentChain();
    assertEquals(w.lastBlock().height, 4);
    await w.close();
    for (let i = 0; i < 2; i++) await mineTo(f2, script);
    const last = await mineTo(f2, new Uint8Array([0x51]));
    const again = await Wallet.load(env(f2), "w", dir);
    await again.attach();
    assertEquals(again.lastBlock(), { hash: reverseHex(blockHash(last.header)), height: 3 });
    // The coinbase of f1's block 4 is not on this chain: inactive; f2's two coinbases are found.
    const states = [...again.transactions()].map((t) => t.state.kind).sort();
    assertEquals(states, ["confirmed", "confirmed", "inactive"]);
    await again.close();
  } finally {
    await f1.close();
    await f2.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("wallet: locked coins (persistent or not) and the address book across a reload", async () => {
  await withChainAndDir(1, async (f, dir) => {
    let w = await Wallet.create(env(f), "w", dir);
    await w.attach();
    const a = { txid: new Uint8Array(32).fill(1), vout: 3 };
    const b = { txid: new Uint8Array(32).fill(2), vout: 0 };
    await w.lockCoin(a, true);
    await w.lockCoin(b, false);
    assert(w.isLockedCoin(a) && w.isLockedCoin(b));
    assertEquals(w.lockedCoins().map((o) => `${reverseHex(o.txid)}:${o.vout}`).sort(), [
      `${"01".repeat(32)}:3`,
      `${"02".repeat(32)}:0`,
    ]);
    await w.setAddressBook("bcrt1qexternal", { label: "shop", purpose: "send" });
    await w.close();
    w = await Wallet.load(env(f), "w", dir);
    await w.attach();
    assert(w.isLockedCoin(a), "persistent lock kept");
    assert(!w.isLockedCoin(b), "memory-only lock gone");
    assertEquals(w.getAddressBook("bcrt1qexternal"), { label: "shop", purpose: "send" });
    assertEquals(await w.unlockCoin(b), false);
    assertEquals(await w.unlockCoin(a), true);
    await w.lockCoin(b, true);
    await w.unlockAllCoins();
    assertEquals(w.lockedCoins(), []);
    await w.close();
    w = await Wallet.load(env(f), "w", dir);
    assertEquals(w.lockedCoins(), []);
    await w.close();
  });
});

Deno.test("wallet: a 2-of-2 multisig spend signed by one wallet, then completed by the other", async () => {
  const f = await chainFixture(1);
  const dirs = [
    await Deno.makeTempDir({ prefix: "tsbtc-wallet-" }),
    await Deno.makeTempDir({ prefix: "tsbtc-wallet-" }),
  ];
  try {
    const { DescriptorScriptPubKeyMan, randomMasterKeyText } = await import(
      "../../wallet/scriptpubkeyman.ts"
    );
    const { decodeExtKey, encodeExtPubKey, neuterExtKey } = await import("../../core/descriptors/mod.ts");
    const xprvs = [randomMasterKeyText("regtest"), randomMasterKeyText("regtest")];
    const xpubs = xprvs.map((x) => encodeExtPubKey(neuterExtKey(decodeExtKey(x, "regtest")!), "regtest"));
    const wallets: Wallet[] = [];
    for (let i = 0; i < 2; i++) {
      const w = await Wallet.create(env(f), `m${i}`, dirs[i], { blank: true });
      await w.attach();
      const keys = i === 0 ? [`${xprvs[0]}/0/*`, `${xpubs[1]}/0/*`] : [`${xpubs[0]}/0/*`, `${xprvs[1]}/0/*`];
      const spkm = DescriptorScriptPubKeyMan.fromText(`wsh(multi(2,${keys[0]},${keys[1]}))`, {
        network: "regtest",
        timestamp: 1,
        range: [0, 5],
      });
      await w.addWalletDescriptor(spkm, { label: null, internal: false, active: true });
      wallets.push(w);
    }
    const [a, b] = wallets;
    const script = a.descriptors()[0].scriptsAt(0)[0];
    assert(b.isMine(script));
    const blocks: Block[] = [await mineTo(f, script)];
    for (let i = 0; i < 100; i++) await mineTo(f, key.script);
    await a.blockUntilSyncedToCurrentChain();
    await b.blockUntilSyncedToCurrentChain();
    const coin = { txid: txid(blocks[0].txs[0]), vout: 0 };
    const coins = new Map([[`${reverseHex(coin.txid)}:0`, a.getTxo(coin)!.txout]]);
    const unsigned = spendTx([coin], [{ value: 49_9990_0000n, scriptPubKey: key.script }]);
    const half = await a.signTransaction(unsigned, coins);
    assertEquals(half.complete, false);
    assertEquals(half.errors.length, 1);
    assertEquals(
      half.tx.inputs[0].witness.filter((w) => w.length > 0).length,
      2,
      "one signature and the script",
    );
    const full = await b.signTransaction(half.tx, coins);
    assertEquals(full.errors, []);
    assert(full.complete);
    const r = await f.chain.broadcastTransaction(encodeTransaction(full.tx), 0n, false);
    assert(r.ok, r.ok ? "" : r.message);
    for (const w of wallets) await w.close();
  } finally {
    await f.close();
    for (const d of dirs) await Deno.remove(d, { recursive: true });
  }
});

Deno.test("wallet: a descriptor imported into an unlocked encrypted wallet is stored encrypted", async () => {
  await withChainAndDir(1, async (f, dir) => {
    const { DescriptorScriptPubKeyMan, randomMasterKeyText } = await import(
      "../../wallet/scriptpubkeyman.ts"
    );
    let w = await Wallet.create(env(f), "w", dir, { blank: true });
    await w.attach();
    assertEquals(await w.encrypt("pw"), true);
    assertEquals(w.descriptors().length, 0, "blank: no descriptors after encryption either");
    assertEquals(await w.unlock("pw", 60), true);
    const xprv = randomMasterKeyText("regtest");
    const spkm = DescriptorScriptPubKeyMan.fromText(`wpkh(${xprv}/0/*)`, {
      network: "regtest",
      timestamp: 1,
      range: [0, 3],
    });
    await w.addWalletDescriptor(spkm, { label: null, internal: false, active: true });
    const script = scriptOf(await w.getNewAddress("bech32", ""));
    assert(w.canSign(script));
    await w.close();
    assertEquals(await filesContain(dir, xprv.slice(0, 40)), false, "no plaintext key on disk");
    w = await Wallet.load(env(f), "w", dir);
    await w.attach();
    assert(w.isLocked());
    assertEquals(w.canSign(script), false);
    assertEquals(await w.unlock("pw", 60), true);
    assert(w.canSign(script));
    assertEquals(w.descriptors()[0].toDescriptorString(true).includes(xprv), true);
    await w.close();
  });
});

Deno.test("wallet: a rescan reports its progress and stops on abortRescan", async () => {
  await withChainAndDir(60, async (f, dir) => {
    // One block per read, a little slow: the rescan takes a while.
    const slow = {
      ...f.chain,
      readBlocks: async (from: number, _count: number, maxBytes: number) => {
        await new Promise((r) => setTimeout(r, 5));
        return await f.chain.readBlocks(from, 1, maxBytes);
      },
    };
    const w = await Wallet.create({ ...env(f), chain: slow }, "w", dir);
    await w.attach();
    assertEquals(w.scanningState(), null);
    assertEquals(w.abortRescan(), false);
    const scan = w.rescan(0);
    for (let i = 0; i < 200 && !((w.scanningState()?.progress ?? 0) > 0); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const state = w.scanningState();
    assert(state !== null && state.progress > 0 && state.progress < 1, JSON.stringify(state));
    assertEquals(w.abortRescan(), true);
    assertEquals(w.abortRescan(), false, "already aborting");
    const result = await scan;
    assertEquals(result.status, "user_abort");
    assert(result.lastScanned !== null && result.lastScanned.height < 60);
    assertEquals(w.scanningState(), null);
    const full = await w.rescan(50);
    assertEquals(full.status, "success");
    assertEquals(full.lastScanned?.height, 60);
    await w.close();
  });
});
