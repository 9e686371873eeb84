/**
 * Index and UTXO-hash benchmark: `-txindex` sync speed from a real chainstate (blocks/s, one coinbase per block)
 * and from a chain of large blocks (transactions/s: 100 blocks of 2,000 transactions served from memory, so the
 * figure is the index's own cost: txids, positions, batched Deno KV commits), then `gettxoutsetinfo`'s two hashes
 * over a UTXO set of about 10,000 coins (MuHash3072 against hash_serialized_3, after the flush).
 *
 * Method: fresh temp directories; the chains are built by the test block builder (regtest PoW); the sync is timed
 * from `start()` (the database already open) to synced; each figure is the best of 3 rounds (`--quick`: 1 round,
 * smaller chains).
 *
 * Usage: `deno run -A --unstable-kv bench/index_bench.ts [--quick]`. Under `deno bench` it registers the MuHash
 * insert only.
 *
 * @module
 */
import { chainParams } from "../core/chain_params.ts";
import { blockMerkleRoot } from "../core/hash/merkle.ts";
import { MuHash3072 } from "../core/hash/muhash.ts";
import { blockHash } from "../core/wire/block.ts";
import type { Block, Transaction } from "../core/wire/types.ts";
import { type ChainstateImpl, openChainstate } from "../node/chain/chainstate.ts";
import type { BlockIndexEntry, ChainEvents, Chainstate } from "../node/chain/types.ts";
import { TxIndex } from "../node/index/tx_index.ts";
import { computeMuHashStats } from "../rpc/methods/blockchain_utxo.ts";
import { buildBlock, solve, testKey } from "../tests/node/chain/block_builder.ts";

const quick = Deno.args.includes("--quick");
const rounds = quick ? 1 : 3;
const params = chainParams("regtest");

async function waitSynced(index: TxIndex, height: number): Promise<void> {
  while (!(index.synced && index.summary().bestBlockHeight === height)) {
    if (index.error) throw index.error;
    await new Promise((r) => setTimeout(r, 1));
  }
}

async function mine(cs: ChainstateImpl, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await cs.processNewBlock(buildBlock({ prev: cs.tip(), params }));
    if (!r.state.valid) throw new Error("bench block rejected");
  }
}

/** txindex sync from the node's own chainstate: blocks read from blk files, one transaction each. */
async function syncRealChain(blocks: number): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "tsbtc_index_bench_" });
  const cs = await openChainstate({ dataDir: dir, params, workers: 0 });
  try {
    await mine(cs, blocks);
    let best = 0;
    for (let r = 0; r < rounds; r++) {
      const index = await TxIndex.open({ netDataDir: `${dir}/regtest`, chain: cs, wipe: true });
      const t0 = performance.now();
      index.start();
      await waitSynced(index, blocks);
      const rate = blocks / ((performance.now() - t0) / 1000);
      await index.close();
      best = Math.max(best, rate);
    }
    return best;
  } finally {
    await cs.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** A chain held in memory (blocks of many transactions, no validation): what the index sees of a chain. */
function memoryChain(blocks: Block[]): { chain: Chainstate; entries: BlockIndexEntry[] } {
  const entries: BlockIndexEntry[] = [];
  let prev: BlockIndexEntry | null = null;
  for (const [height, b] of blocks.entries()) {
    const hash = blockHash(b.header);
    const e: BlockIndexEntry = {
      hash,
      hashHex: Array.from(hash).reverse().map((x) => x.toString(16).padStart(2, "0")).join(""),
      height,
      header: b.header,
      prev,
      chainWork: BigInt(height),
      medianTimePast: b.header.time,
      validity: "scripts",
      failed: "none",
      haveData: true,
      haveUndo: true,
      nTx: b.txs.length,
      chainTx: 0,
    };
    entries.push(e);
    prev = e;
  }
  const byHex = new Map(entries.map((e) => [e.hashHex, e]));
  const unsupported = () => {
    throw new Error("not in the benchmark's chain");
  };
  const chain: Chainstate = {
    params,
    tip: () => entries[entries.length - 1],
    height: () => entries.length - 1,
    atHeight: (h) => entries[h] ?? null,
    contains: (e) => entries[e.height] === e,
    lookup: (h) =>
      typeof h === "string" ? byHex.get(h) : entries.find((e) => e.hash.every((x, i) => x === h[i])),
    entries: () => entries,
    isInitialBlockDownload: () => false,
    processNewBlock: unsupported,
    processNewBlockHeaders: unsupported,
    testBlockValidity: unsupported,
    readBlock: (e) => Promise.resolve(blocks[e.height]),
    readUndo: unsupported,
    getCoin: unsupported,
    withLock: unsupported,
    invalidateBlock: unsupported,
    reconsiderBlock: unsupported,
    preciousBlock: unsupported,
    subscribe: (_: ChainEvents) => () => {},
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return { chain, entries };
}

/** txindex sync over blocks of `perBlock` transactions served from memory: transactions/s. */
async function syncLargeBlocks(nBlocks: number, perBlock: number): Promise<number> {
  const script = testKey(1).script;
  const blocks: Block[] = [params.genesis];
  for (let h = 1; h <= nBlocks; h++) {
    const txs: Transaction[] = [];
    for (let i = 0; i < perBlock; i++) {
      txs.push({
        version: 2,
        inputs: [{
          prevout: { txid: crypto.getRandomValues(new Uint8Array(32)), vout: i },
          scriptSig: new Uint8Array(0),
          sequence: 0xffffffff,
          witness: [new Uint8Array(72), new Uint8Array(33)],
        }],
        outputs: [{ value: 1000n, scriptPubKey: script }],
        locktime: h,
      });
    }
    blocks.push({ header: { ...params.genesis.header, nonce: h }, txs });
  }
  const { chain } = memoryChain(blocks);
  const dir = await Deno.makeTempDir({ prefix: "tsbtc_index_bench_" });
  try {
    let best = 0;
    for (let r = 0; r < rounds; r++) {
      const index = await TxIndex.open({
        netDataDir: dir,
        chain,
        wipe: true,
        blockStore: { blockPos: (e) => ({ file: 0, pos: e.height * 1000 }), readBlockFile: () => null },
      });
      const t0 = performance.now();
      index.start();
      await waitSynced(index, nBlocks);
      best = Math.max(best, nBlocks * perBlock / ((performance.now() - t0) / 1000));
      await index.close();
    }
    return best;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** gettxoutsetinfo's hashes over about `coins` coins: ms for MuHash3072 and for hash_serialized_3. */
async function utxoHashes(coins: number): Promise<{ coins: number; muhashMs: number; serializedMs: number }> {
  const dir = await Deno.makeTempDir({ prefix: "tsbtc_index_bench_" });
  const cs = await openChainstate({ dataDir: dir, params, workers: 0 });
  try {
    // One coinbase with most of the coins (its witness commitment does not depend on its own outputs).
    const base = buildBlock({ prev: cs.tip(), params });
    const script = testKey(1).script;
    const cb = base.txs[0];
    const outputs = [
      ...Array.from({ length: coins - 100 }, () => ({ value: 1000n, scriptPubKey: script })),
      ...cb.outputs.slice(1),
    ];
    const txs = [{ ...cb, outputs }];
    const header = solve(
      { ...base.header, merkleRoot: blockMerkleRoot({ header: base.header, txs }).root },
      params,
    );
    if (!(await cs.processNewBlock({ header, txs })).state.valid) throw new Error("bench block rejected");
    await mine(cs, 99);
    await cs.flush();
    const db = cs.storage.coinsDb;
    let muhashMs = Infinity;
    let serializedMs = Infinity;
    let n = 0;
    for (let r = 0; r < rounds; r++) {
      let t0 = performance.now();
      n = (await computeMuHashStats(db)).txouts;
      muhashMs = Math.min(muhashMs, performance.now() - t0);
      t0 = performance.now();
      await db.computeStats();
      serializedMs = Math.min(serializedMs, performance.now() - t0);
    }
    return { coins: n, muhashMs, serializedMs };
  } finally {
    await cs.close();
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const realBlocks = quick ? 200 : 1000;
  const real = await syncRealChain(realBlocks);
  console.log(`txindex sync, node chainstate (${realBlocks} blocks, 1 tx each): ${real.toFixed(0)} blocks/s`);
  const [nBig, perBig] = quick ? [20, 2000] : [100, 2000];
  const big = await syncLargeBlocks(nBig, perBig);
  console.log(
    `txindex sync, ${nBig} blocks of ${perBig} transactions from memory: ${big.toFixed(0)} tx/s ` +
      `(${(big / perBig).toFixed(1)} blocks/s)`,
  );
  const h = await utxoHashes(10_000);
  console.log(
    `gettxoutsetinfo over ${h.coins} coins: muhash ${h.muhashMs.toFixed(0)} ms, ` +
      `hash_serialized_3 ${h.serializedMs.toFixed(0)} ms`,
  );
} else {
  const muhash = new MuHash3072();
  const coin = new Uint8Array(60);
  let n = 0;
  Deno.bench("MuHash3072 insert (one 60-byte coin)", { group: "utxo hash" }, () => {
    coin[0] = n++ & 0xff;
    muhash.insert(coin);
  });
}
