/**
 * Test fixture for the Chain interface: a regtest chainstate with mature coinbases, a mempool, the notification
 * bus and the node's in-process Chain over them; and {@link exerciseChain}, the checks run against that Chain
 * directly and through an IPC connection (the answers must not differ).
 *
 * @module
 */
import { assert, assertEquals } from "../../assert.ts";
import { chainParams } from "../../../core/chain_params.ts";
import { reverseHex } from "../../../core/hash/hashes.ts";
import { encodeBlock } from "../../../core/wire/block.ts";
import { encodeTransaction, txid } from "../../../core/wire/transaction.ts";
import type { Block, Transaction } from "../../../core/wire/types.ts";
import type { BlockInfo, Chain, ChainNotifications, Hash256Hex } from "../../../interfaces/chain.ts";
import { openChainstate } from "../../../node/chain/chainstate.ts";
import type { Chainstate } from "../../../node/chain/types.ts";
import { makeNodeChain } from "../../../node/interfaces/chain.ts";
import { RwSettings } from "../../../node/interfaces/rw_settings.ts";
import { Mempool } from "../../../node/mempool/mempool.ts";
import { defaultPolicySettings } from "../../../node/policy/settings.ts";
import { ValidationSignals } from "../../../node/validation_signals.ts";
import { buildBlock, spendP2wpkh, testKey } from "../chain/block_builder.ts";

export const params = chainParams("regtest");
export const key = testKey(1);
const T0 = 1_700_000_000;

/** A chain of `blocks` blocks with its mempool, bus and Chain. */
export interface ChainFixture {
  chainstate: Chainstate;
  mempool: Mempool;
  signals: ValidationSignals;
  chain: ReturnType<typeof makeNodeChain>;
  blocks: Block[];
  settingsPath: string;
  /** A signed spend of the coinbase at `height` paying `fee`. */
  spend(height: number, fee?: bigint): Transaction;
  /** Mines a block on the tip (with `txs`) and waits for the bus. */
  mine(txs?: readonly Transaction[]): Promise<Block>;
  close(): Promise<void>;
}

/** Opens a fixture with `blocks` blocks (at least 101 so that coinbase 1 is spendable). */
export async function chainFixture(blocks = 105): Promise<ChainFixture> {
  const dataDir = await Deno.makeTempDir({ prefix: "tsbtc-chain-if-" });
  const now = () => T0 + 10_000;
  const chainstate = await openChainstate({ dataDir, params, workers: 0, now });
  const mined: Block[] = [params.genesis];
  let t = 0;
  const mine = async (txs: readonly Transaction[] = []) => {
    const block = buildBlock({ prev: chainstate.tip(), params, payTo: key.script, time: T0 + t++, txs });
    const r = await chainstate.processNewBlock(block);
    assert(r.state.valid, `block: ${r.state.valid ? "" : r.state.reason}`);
    mined.push(block);
    await signals.sync();
    return block;
  };
  const mempool = new Mempool({ chain: chainstate, settings: defaultPolicySettings("regtest"), now });
  const signals = new ValidationSignals({ chain: chainstate, mempool: mempool.pool });
  for (let i = 0; i < blocks; i++) await mine();
  const settingsPath = `${dataDir}/settings.json`;
  const chain = makeNodeChain({
    chain: chainstate,
    mempool: () => mempool,
    fees: () => null,
    signals,
    now,
    settings: {
      get: (name) => name === "wallet" ? "w1" : name === "disablewallet" ? false : null,
      list: (name) => name === "wallet" ? ["w1", "w2"] : [],
    },
    rwSettings: await RwSettings.open(settingsPath),
  });
  return {
    chainstate,
    mempool,
    signals,
    chain,
    blocks: mined,
    settingsPath,
    spend(height, fee = 10_000n) {
      const cb = mined[height].txs[0];
      return spendP2wpkh(
        [{ outpoint: { txid: txid(cb), vout: 0 }, value: cb.outputs[0].value, key }],
        [{ value: cb.outputs[0].value - fee, scriptPubKey: key.script }],
      );
    },
    mine,
    async close() {
      signals.close();
      mempool.close();
      await chainstate.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

/** What a recording client saw, as short strings. */
export function recorder(): ChainNotifications & {
  seen: string[];
  blocks: BlockInfo[];
  locators: Hash256Hex[][];
  waiters: (() => void)[];
} {
  const r = {
    seen: [] as string[],
    locators: [] as Hash256Hex[][],
    blocks: [] as BlockInfo[],
    waiters: [] as (() => void)[],
    note(s: string) {
      r.seen.push(s);
      for (const w of r.waiters.splice(0)) w();
    },
    transactionAddedToMempool(tx: Uint8Array, seq: number) {
      r.note(`added ${tx.length > 0 ? "tx" : "empty"} ${seq}`);
      return Promise.resolve();
    },
    transactionRemovedFromMempool(_tx: Uint8Array, reason: string, seq: number) {
      r.note(`removed ${reason} ${seq}`);
      return Promise.resolve();
    },
    async blockConnected(b: BlockInfo) {
      // A slow client: the next notification must still wait for this one.
      await new Promise((res) => setTimeout(res, 3));
      r.blocks.push(b);
      r.note(`connected ${b.height}`);
    },
    blockDisconnected(b: BlockInfo) {
      r.blocks.push(b);
      r.note(`disconnected ${b.height}`);
      return Promise.resolve();
    },
    updatedBlockTip() {
      r.note("tip");
      return Promise.resolve();
    },
    chainStateFlushed(locator: Hash256Hex[]) {
      r.locators.push(locator);
      r.note(`flushed ${locator.length}`);
      return Promise.resolve();
    },
  };
  return r;
}

/** Checks every query of `chain` (backed by `f`) against the chainstate. */
export async function exerciseChain(chain: Chain, f: ChainFixture): Promise<void> {
  const cs = f.chainstate;
  const tip = cs.tip();
  assertEquals(await chain.getHeight(), tip.height);
  assertEquals(await chain.getBlockHash(3), cs.atHeight(3)!.hashHex);
  let failed = "";
  try {
    await chain.getBlockHash(tip.height + 1);
  } catch (e) {
    failed = (e as Error).message;
  }
  assert(failed.includes("out of range"), `getBlockHash beyond the tip: ${failed}`);
  assertEquals(await chain.haveBlockOnDisk(2), true);
  assertEquals(await chain.haveBlockOnDisk(tip.height + 5), false);

  // Locators: a client that stopped at height 50 finds 50; unknown hashes are skipped; none known → genesis.
  const at50 = await chain.findBlock(cs.atHeight(50)!.hashHex, { locator: true });
  assert(at50 !== null && at50.locator !== undefined);
  assertEquals(at50.locator[0], cs.atHeight(50)!.hashHex);
  assertEquals(at50.locator[at50.locator.length - 1], cs.atHeight(0)!.hashHex);
  assertEquals(await chain.findLocatorFork(at50.locator), 50);
  assertEquals(await chain.findLocatorFork(["11".repeat(32), cs.atHeight(7)!.hashHex]), 7);
  assertEquals(await chain.findLocatorFork(["11".repeat(32)]), 0);

  // findBlock with every field and the next block.
  const b10 = cs.atHeight(10)!;
  const found = await chain.findBlock(b10.hashHex, {
    time: true,
    maxTime: true,
    mtpTime: true,
    inActiveChain: true,
    data: true,
    nextBlock: { time: true },
  });
  assert(found !== null);
  assertEquals(found.hash, b10.hashHex);
  assertEquals(found.height, 10);
  assertEquals(found.time, b10.header.time);
  assertEquals(found.maxTime, b10.header.time);
  assertEquals(found.mtpTime, b10.medianTimePast);
  assertEquals(found.inActiveChain, true);
  assertEquals(found.data, encodeBlock(f.blocks[10]));
  assertEquals(found.nextBlock?.hash, cs.atHeight(11)!.hashHex);
  assertEquals(found.nextBlock?.time, cs.atHeight(11)!.header.time);
  const atTip = await chain.findBlock(tip.hashHex, { nextBlock: {} });
  assertEquals(atTip?.nextBlock, null);
  assertEquals(await chain.findBlock("22".repeat(32)), null);
  assertEquals(await chain.findBlock("not a hash"), null);
  const bare = await chain.findBlock(b10.hashHex);
  assertEquals(bare, { hash: b10.hashHex, height: 10 });

  // Time search, ancestors.
  const first = await chain.findFirstBlockWithTimeAndHeight(cs.atHeight(20)!.header.time, 5);
  assertEquals(first?.height, 20);
  assertEquals((await chain.findFirstBlockWithTimeAndHeight(0, 30))?.height, 30);
  assertEquals(await chain.findFirstBlockWithTimeAndHeight(tip.header.time + 1, 0), null);
  assertEquals((await chain.findAncestorByHeight(tip.hashHex, 12))?.hash, cs.atHeight(12)!.hashHex);
  assertEquals(await chain.findAncestorByHeight(b10.hashHex, 12), null);
  assertEquals((await chain.findAncestorByHash(tip.hashHex, b10.hashHex))?.height, 10);
  assertEquals(await chain.findAncestorByHash(b10.hashHex, tip.hashHex), null);
  const common = await chain.findCommonAncestor(b10.hashHex, tip.hashHex, { block2: { time: true } });
  assertEquals(common.ancestor?.height, 10);
  assertEquals(common.block1?.height, 10);
  assertEquals(common.block2?.time, tip.header.time);
  const none = await chain.findCommonAncestor(b10.hashHex, "33".repeat(32));
  assertEquals(none, { ancestor: null, block1: { hash: b10.hashHex, height: 10 }, block2: null });

  assertEquals(await chain.hasBlocks(tip.hashHex, 0, null), true);
  assertEquals(await chain.hasBlocks(tip.hashHex, 5, 20), true);
  assertEquals(await chain.hasBlocks("44".repeat(32)), false);
  const progress = await chain.guessVerificationProgress(tip.hashHex);
  assert(progress > 0 && progress <= 1, `progress ${progress}`);
  assertEquals(await chain.guessVerificationProgress("55".repeat(32)), 0);

  // Rescan batches: count and byte limits, and the end of the chain.
  const batch = await chain.readBlocks(1, 5, 1_000_000);
  assertEquals(batch.map((b) => b.height), [1, 2, 3, 4, 5]);
  assertEquals(batch[2].hash, cs.atHeight(3)!.hashHex);
  assertEquals(batch[2].data, encodeBlock(f.blocks[3]));
  assertEquals((await chain.readBlocks(1, 5, 1)).length, 1);
  assertEquals((await chain.readBlocks(tip.height, 5, 1_000_000)).map((b) => b.height), [tip.height]);
  assertEquals(await chain.readBlocks(tip.height + 1, 5, 1_000_000), []);

  // Mempool, coins, broadcast.
  const tx = f.spend(1);
  const id = reverseHex(txid(tx));
  assertEquals(await chain.isInMempool(id), false);
  assertEquals(await chain.isRBFOptIn(encodeTransaction(tx)), "replaceable_bip125");
  assertEquals(await chain.checkChainLimits(encodeTransaction(tx)), null);
  const coinbaseId = reverseHex(txid(f.blocks[1].txs[0]));
  const [coin, missing] = await chain.findCoins([{ txid: coinbaseId, vout: 0 }, {
    txid: coinbaseId,
    vout: 9,
  }]);
  assertEquals(coin, {
    value: f.blocks[1].txs[0].outputs[0].value,
    scriptPubKey: key.script,
    height: 1,
    coinbase: true,
  });
  assertEquals(missing, null);
  const tooCostly = await chain.broadcastTransaction(encodeTransaction(tx), 1_000n, true);
  assertEquals(tooCostly, {
    ok: false,
    error: "MAX_FEE_EXCEEDED",
    message: "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)",
  });
  assertEquals(await chain.broadcastTransaction(encodeTransaction(tx), 0n, true), { ok: true });
  assertEquals(await chain.isInMempool(id), true);
  assertEquals(await chain.hasDescendantsInMempool(id), false);
  const [spent, unconfirmed] = await chain.findCoins([{ txid: coinbaseId, vout: 0 }, { txid: id, vout: 0 }]);
  // Spent only in the mempool: still reported, as Core's FindCoins does.
  assertEquals(spent, coin);
  assertEquals(unconfirmed?.height, 0x7fffffff);
  const ancestry = await chain.getTransactionAncestry(id);
  assertEquals(ancestry.ancestors, 1);
  assertEquals(ancestry.clusterCount, 1);
  assertEquals(ancestry.ancestorFees, 10_000n);
  assert(ancestry.ancestorSize > 100, `size ${ancestry.ancestorSize}`);
  assertEquals(await chain.getTransactionAncestry("66".repeat(32)), {
    ancestors: 0,
    clusterCount: 0,
    ancestorSize: 0,
    ancestorFees: 0n,
  });
  // A conflicting spend paying less is no replacement.
  const bad = await chain.broadcastTransaction(encodeTransaction(f.spend(1, 5_000n)), 0n, true);
  assert(!bad.ok && bad.error === "MEMPOOL_REJECTED", `double spend: ${JSON.stringify(bad)}`);
  const garbage = await chain.broadcastTransaction(new Uint8Array([1, 2, 3]), 0n, true);
  assert(!garbage.ok && garbage.message.startsWith("TX decode failed"), JSON.stringify(garbage));

  // Fees and policy.
  assertEquals(await chain.getPackageLimits(), { ancestorCount: 25, descendantCount: 25 });
  assertEquals(await chain.estimateSmartFee(6, true), { feeRate: 0n, returnedTarget: 0, reason: "None" });
  assertEquals(await chain.estimateMaxBlocks(), 0);
  assertEquals(await chain.relayMinFee(), 100n);
  assertEquals(await chain.relayIncrementalFee(), 100n);
  assertEquals(await chain.relayDustFee(), 3000n);
  assertEquals(await chain.mempoolMinFee(), 0n);
  assertEquals(await chain.havePruned(), false);
  assertEquals(await chain.isInitialBlockDownload(), cs.isInitialBlockDownload());
  assertEquals(await chain.isReadyToBroadcast(), !cs.isInitialBlockDownload());
  assertEquals(await chain.shutdownRequested(), false);
  await chain.initMessage("Loading wallet…");

  // Settings.
  assertEquals(await chain.getSetting("wallet"), "w1");
  assertEquals(await chain.getSetting("disablewallet"), false);
  assertEquals(await chain.getSetting("nothing"), null);
  assertEquals(await chain.getSettingsList("wallet"), ["w1", "w2"]);
  assertEquals(await chain.getRwSetting("wallet"), null);
  assertEquals(await chain.updateRwSetting("wallet", ["a", "b"]), true);
  assertEquals(await chain.getRwSetting("wallet"), ["a", "b"]);
  assertEquals(JSON.parse(await Deno.readTextFile(f.settingsPath)), { wallet: ["a", "b"] });
  assertEquals(await chain.updateRwSetting("wallet", null), true);
  assertEquals(JSON.parse(await Deno.readTextFile(f.settingsPath)), {});
}
