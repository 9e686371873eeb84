/**
 * A deterministic synthetic chain for the storage crash tests, shared by the test and its child process: block
 * `h` has a coinbase with {@link COINBASE_OUTPUTS} outputs and one transaction spending up to
 * {@link SPENDS_PER_BLOCK} earlier coins (chosen by a PRNG seeded from the height) into as many new outputs.
 * {@link ChainGenerator} produces the blocks and keeps the reference UTXO set; {@link connectBlock} applies a
 * block to storage as validation would (block and undo data to the files, index record, coins to the cache);
 * {@link replayBlocks} is Core's `ReplayBlocks` for this linear chain (roll forward from the old best block to
 * the new one, reading the blocks back from the files).
 *
 * @module
 */

import { blockHash, decodeBlock, encodeBlock } from "../../../core/wire/block.ts";
import { isCoinBase, txid } from "../../../core/wire/transaction.ts";
import type { Block, OutPoint, Transaction, TxOut } from "../../../core/wire/types.ts";
import { bytesEqual, toHex } from "../../../core/hash/hashes.ts";
import {
  BLOCK_HAVE_DATA,
  BLOCK_HAVE_UNDO,
  BLOCK_VALID_SCRIPTS,
  type BlockIndexRecord,
} from "../../../node/storage/block_index_db.ts";
import { type Coin, outPointMapKey } from "../../../node/storage/coins.ts";
import type { NodeStorage } from "../../../node/storage/storage.ts";
import type { TxUndo } from "../../../node/storage/undo.ts";

/** Outputs of each coinbase. */
export const COINBASE_OUTPUTS = 400;
/** Inputs (and outputs) of each block's spending transaction. */
export const SPENDS_PER_BLOCK = 300;

function prng(seed: number): (n: number) => number {
  let s = (seed * 2654435761) >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

function script(height: number, i: number): Uint8Array {
  const s = new Uint8Array(22);
  s[1] = 20;
  let x = (height * 100003 + i * 7919) >>> 0;
  for (let j = 2; j < 22; j++) {
    x = (x * 1103515245 + 12345) >>> 0;
    s[j] = x >>> 24;
  }
  return s;
}

/** The synthetic chain and its UTXO set as of the last block generated. */
export class ChainGenerator {
  /** Unspent coins by outpoint map key. */
  readonly utxos = new Map<string, { outpoint: OutPoint; coin: Coin }>();
  readonly #keys: string[] = [];
  /** Hash of the last block (zero before the first). */
  tipHash: Uint8Array = new Uint8Array(32);
  /** Height of the last block (-1 before the first). */
  height = -1;

  /** Generates block `height + 1`, applies it to the reference set and returns it with its hash. */
  next(): { block: Block; hash: Uint8Array; height: number } {
    const h = this.height + 1;
    const r = prng(h + 1);
    const outputs: TxOut[] = [];
    for (let i = 0; i < COINBASE_OUTPUTS; i++) {
      outputs.push({ value: BigInt(1000 + i), scriptPubKey: script(h, i) });
    }
    const coinbase: Transaction = {
      version: 2,
      inputs: [{
        prevout: { txid: new Uint8Array(32), vout: 0xffffffff },
        scriptSig: new Uint8Array([4, h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff, h >>> 24]),
        sequence: 0xffffffff,
        witness: [],
      }],
      outputs,
      locktime: 0,
    };
    const spent: { outpoint: OutPoint; coin: Coin }[] = [];
    const n = Math.min(SPENDS_PER_BLOCK, this.#keys.length);
    for (let i = 0; i < n; i++) {
      const j = r(this.#keys.length);
      const key = this.#keys[j];
      this.#keys[j] = this.#keys[this.#keys.length - 1];
      this.#keys.pop();
      spent.push(this.utxos.get(key)!);
      this.utxos.delete(key);
    }
    const txs: Transaction[] = [coinbase];
    if (spent.length > 0) {
      txs.push({
        version: 2,
        inputs: spent.map((s) => ({
          prevout: s.outpoint,
          scriptSig: new Uint8Array(0),
          sequence: 0xffffffff,
          witness: [],
        })),
        outputs: spent.map((s, i) => ({
          value: s.coin.out.value - 1n,
          scriptPubKey: script(h, COINBASE_OUTPUTS + i),
        })),
        locktime: 0,
      });
    }
    const header = {
      version: 0x20000000,
      prevBlock: this.tipHash,
      merkleRoot: new Uint8Array(32),
      time: 1600000000 + h,
      bits: 0x207fffff,
      nonce: h,
    };
    const block: Block = { header, txs };
    for (const tx of txs) {
      const id = txid(tx);
      const cb = isCoinBase(tx);
      tx.outputs.forEach((out, vout) => {
        const outpoint = { txid: id, vout };
        const key = outPointMapKey(outpoint);
        this.utxos.set(key, { outpoint, coin: { out, height: h, coinbase: cb } });
        this.#keys.push(key);
      });
    }
    this.height = h;
    this.tipHash = blockHash(header);
    return { block, hash: this.tipHash, height: h };
  }
}

/** The reference UTXO set after block `height` (-1: empty). */
export function referenceAt(height: number): ChainGenerator {
  const g = new ChainGenerator();
  while (g.height < height) g.next();
  return g;
}

/**
 * Connects `block` at `height` as validation would: block data and undo data to the files, coins spent and added
 * in the cache (best block set), index record queued for the next flush. Returns the record.
 */
export async function connectBlock(
  storage: NodeStorage,
  block: Block,
  hash: Uint8Array,
  height: number,
): Promise<BlockIndexRecord> {
  const bytes = encodeBlock(block);
  const pos = storage.blockFiles.writeBlock(bytes, height, block.header.time);
  const cache = storage.coins;
  const txUndo: TxUndo[] = [];
  for (const tx of block.txs) {
    if (isCoinBase(tx)) continue;
    await cache.fetchCoins(tx.inputs.map((i) => i.prevout));
    const prevouts: Coin[] = [];
    for (const input of tx.inputs) {
      const coin = cache.spendCachedCoin(input.prevout);
      if (coin === undefined) throw new Error(`block ${height} spends a missing coin`);
      prevouts.push(coin);
    }
    txUndo.push({ prevouts });
  }
  for (const tx of block.txs) {
    const id = txid(tx);
    const cb = isCoinBase(tx);
    tx.outputs.forEach((out, vout) => cache.addCoin({ txid: id, vout }, { out, height, coinbase: cb }, cb));
  }
  const undoPos = storage.blockFiles.writeUndo({ txUndo }, block.header.prevBlock, pos.file);
  const record: BlockIndexRecord = {
    hash,
    header: block.header,
    height,
    status: BLOCK_VALID_SCRIPTS | BLOCK_HAVE_DATA | BLOCK_HAVE_UNDO,
    txCount: block.txs.length,
    file: pos.file,
    dataPos: pos.pos,
    undoPos: undoPos.pos,
    chainWork: BigInt(height + 1) * 2n,
  };
  storage.markBlockIndexDirty(record);
  cache.setBestBlock(hash);
  return record;
}

/** Every block index record by display hash. */
export async function loadIndex(storage: NodeStorage): Promise<Map<string, BlockIndexRecord>> {
  const index = new Map<string, BlockIndexRecord>();
  for await (const r of storage.blockIndex.loadBlockIndex()) index.set(toHex(r.hash), r);
  return index;
}

/**
 * Core's `ReplayBlocks` for the linear synthetic chain: when the chainstate reports an interrupted flush, rolls
 * forward from the old best block to the new one (spends are idempotent erases, adds are overwrites), reading
 * blocks from the files, then flushes with the new best block. Returns the number of blocks replayed.
 */
export async function replayBlocks(
  storage: NodeStorage,
  index: Map<string, BlockIndexRecord>,
): Promise<number> {
  const range = storage.replayRange;
  if (range === undefined) return 0;
  const to = index.get(toHex(range.to));
  if (to === undefined) throw new Error("ReplayBlocks(): reorganization to unknown block requested");
  let fromHeight = -1;
  if (range.from !== undefined) {
    const from = index.get(toHex(range.from));
    if (from === undefined) throw new Error("ReplayBlocks(): reorganization from unknown block requested");
    fromHeight = from.height;
  }
  // Walk back from the new tip to the old one (the fork point of a linear chain is the old tip).
  const path: BlockIndexRecord[] = [];
  let cur: BlockIndexRecord | undefined = to;
  while (cur !== undefined && cur.height > fromHeight) {
    path.push(cur);
    cur = cur.height === 0 ? undefined : index.get(toHex(cur.header.prevBlock));
  }
  if (path.length !== to.height - fromHeight) {
    throw new Error("ReplayBlocks(): the new tip does not descend from the old one");
  }
  if (range.from !== undefined && (cur === undefined || !bytesEqual(cur.hash, range.from))) {
    throw new Error("ReplayBlocks(): the old tip is not an ancestor of the new one");
  }
  const cache = storage.coins;
  for (const r of path.reverse()) {
    const block = decodeBlock(storage.blockFiles.readBlock({ file: r.file, pos: r.dataPos }, r.hash));
    for (const tx of block.txs) {
      if (!isCoinBase(tx)) { for (const input of tx.inputs) await cache.spendCoin(input.prevout); }
      const id = txid(tx);
      const cb = isCoinBase(tx);
      tx.outputs.forEach((out, vout) =>
        cache.addCoin({ txid: id, vout }, { out, height: r.height, coinbase: cb }, true)
      );
    }
  }
  cache.setBestBlock(to.hash);
  await storage.flushStateToDisk("force-flush");
  return path.length;
}
