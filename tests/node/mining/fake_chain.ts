/**
 * A small in-memory {@link Chainstate} for mining tests: accepts a block that builds on its tip when it passes
 * core/consensus checkBlock (with PoW), the witness commitment check, the expected nBits, a time above the median
 * time past and the BIP34 height in the coinbase. Keeps a UTXO map. No reorgs, no storage.
 */
import { type ChainParams, chainParams } from "../../../core/chain_params.ts";
import {
  type BlockValidationState,
  checkBlock,
  checkBlockWeight,
  checkWitnessMalleation,
  invalid,
  VALID,
} from "../../../core/consensus/mod.ts";
import { bytesEqual, fromReverseHex, reverseHex } from "../../../core/hash/hashes.ts";
import { blockHash } from "../../../core/wire/block.ts";
import { outPointKey } from "../../../core/wire/outpoint.ts";
import { txid } from "../../../core/wire/transaction.ts";
import type { Block, BlockHeader, OutPoint } from "../../../core/wire/types.ts";
import type { BlockIndexEntry, ChainCoin, ChainEvents, Chainstate } from "../../../node/chain/types.ts";
import { blockProof } from "../../../core/pow.ts";
import { coinbaseScriptSig, nextWorkRequired } from "../../../node/mining/block_assembler.ts";

function medianTimePast(prev: BlockIndexEntry | null, time: number): number {
  const times = [time];
  for (let e = prev; e !== null && times.length < 11; e = e.prev) times.push(e.header.time);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** The fake chain. */
export class FakeChain implements Chainstate {
  readonly params: ChainParams;
  readonly #chain: BlockIndexEntry[] = [];
  readonly #index = new Map<string, BlockIndexEntry>();
  readonly #blocks = new Map<string, Block>();
  readonly #coins = new Map<string, ChainCoin>();
  readonly #subs = new Set<ChainEvents>();
  /** Every block checked by processNewBlock/testBlockValidity, with its state. */
  readonly checked: { hash: string; state: BlockValidationState }[] = [];

  constructor(params: ChainParams = chainParams("regtest")) {
    this.params = params;
    // The genesis coinbase is not in the UTXO set (as in Core).
    this.#chain.push(this.#add(params.genesis, null, "scripts"));
  }

  #add(block: Block, prev: BlockIndexEntry | null, validity: BlockIndexEntry["validity"]): BlockIndexEntry {
    const hash = blockHash(block.header);
    const entry: BlockIndexEntry = {
      hash,
      hashHex: reverseHex(hash),
      height: prev === null ? 0 : prev.height + 1,
      header: block.header,
      prev,
      chainWork: (prev?.chainWork ?? 0n) + blockProof(block.header.bits),
      medianTimePast: medianTimePast(prev, block.header.time),
      validity,
      failed: "none",
      haveData: true,
      haveUndo: true,
      nTx: block.txs.length,
      chainTx: (prev?.chainTx ?? 0) + block.txs.length,
    };
    this.#index.set(entry.hashHex, entry);
    this.#blocks.set(entry.hashHex, block);
    return entry;
  }

  #connect(block: Block, entry: BlockIndexEntry): void {
    this.#chain.push(entry);
    block.txs.forEach((tx, i) => {
      const id = txid(tx);
      if (i > 0) { for (const input of tx.inputs) this.#coins.delete(outPointKey(input.prevout)); }
      tx.outputs.forEach((output, vout) =>
        this.#coins.set(outPointKey({ txid: id, vout }), { output, height: entry.height, coinbase: i === 0 })
      );
    });
    for (const s of this.#subs) s.blockConnected?.(block, entry);
    for (const s of this.#subs) s.updatedBlockTip?.(entry, entry.prev, false);
  }

  #contextual(block: Block, opts: { checkPow?: boolean; checkMerkleRoot?: boolean }): BlockValidationState {
    const prev = this.tip();
    if (!bytesEqual(block.header.prevBlock, prev.hash)) {
      return invalid("BLOCK_MISSING_PREV", "prev-blk-not-found");
    }
    let state = checkBlock(block, this.params.consensus, opts);
    if (!state.valid) return state;
    if (block.header.bits !== nextWorkRequired(this, prev, block.header.time)) {
      return invalid("BLOCK_INVALID_HEADER", "bad-diffbits", "incorrect proof of work");
    }
    if (block.header.time <= prev.medianTimePast) {
      return invalid("BLOCK_INVALID_HEADER", "time-too-old", "block's timestamp is too early");
    }
    const height = prev.height + 1;
    const sig = block.txs[0].inputs[0].scriptSig;
    const want = coinbaseScriptSig(height).subarray(0, height > 16 ? undefined : 1);
    if (sig.length < want.length || !bytesEqual(sig.subarray(0, want.length), want)) {
      return invalid("BLOCK_CONSENSUS", "bad-cb-height", "block height mismatch in coinbase");
    }
    const spent = new Set<string>();
    const created = new Set<string>();
    for (const [i, tx] of block.txs.entries()) {
      if (i > 0) {
        for (const input of tx.inputs) {
          const key = outPointKey(input.prevout);
          if (spent.has(key) || (!created.has(key) && !this.#coins.has(key))) {
            return invalid(
              "BLOCK_CONSENSUS",
              "bad-txns-inputs-missingorspent",
              "ConnectBlock(): inputs missing/spent",
            );
          }
          spent.add(key);
        }
      }
      const id = txid(tx);
      tx.outputs.forEach((_, vout) => created.add(outPointKey({ txid: id, vout })));
    }
    state = checkWitnessMalleation(block, height >= this.params.consensus.segwitHeight);
    if (!state.valid) return state;
    return checkBlockWeight(block);
  }

  tip(): BlockIndexEntry {
    return this.#chain[this.#chain.length - 1];
  }
  height(): number {
    return this.#chain.length - 1;
  }
  atHeight(height: number): BlockIndexEntry | null {
    return this.#chain[height] ?? null;
  }
  contains(entry: BlockIndexEntry): boolean {
    return this.#chain[entry.height] === entry;
  }
  lookup(hash: Uint8Array | string): BlockIndexEntry | undefined {
    return this.#index.get(typeof hash === "string" ? hash : reverseHex(hash));
  }
  entries(): Iterable<BlockIndexEntry> {
    return this.#index.values();
  }
  isInitialBlockDownload(): boolean {
    return false;
  }
  processNewBlock(block: Block): Promise<{ newBlock: boolean; state: BlockValidationState }> {
    const hex = reverseHex(blockHash(block.header));
    if (this.#index.has(hex)) return Promise.resolve({ newBlock: false, state: VALID });
    const state = this.#contextual(block, {});
    this.checked.push({ hash: hex, state });
    if (!state.valid) return Promise.resolve({ newBlock: false, state });
    const entry = this.#add(block, this.tip(), "scripts");
    this.#connect(block, entry);
    return Promise.resolve({ newBlock: true, state });
  }
  processNewBlockHeaders(headers: readonly BlockHeader[]): Promise<BlockValidationState> {
    for (const h of headers) {
      if (this.lookup(h.prevBlock) === undefined) {
        return Promise.resolve(invalid("BLOCK_MISSING_PREV", "prev-blk-not-found"));
      }
    }
    return Promise.resolve(VALID);
  }
  testBlockValidity(
    block: Block,
    opts: { checkPow?: boolean; checkMerkleRoot?: boolean } = {},
  ): Promise<BlockValidationState> {
    const state = this.#contextual(block, {
      checkPow: opts.checkPow ?? true,
      checkMerkleRoot: opts.checkMerkleRoot,
    });
    return Promise.resolve(state);
  }
  readBlock(entry: BlockIndexEntry): Promise<Block> {
    const b = this.#blocks.get(entry.hashHex);
    if (b === undefined) return Promise.reject(new Error("Block not found on disk"));
    return Promise.resolve(b);
  }
  readUndo(): Promise<readonly (readonly ChainCoin[])[]> {
    return Promise.reject(new Error("FakeChain has no undo data"));
  }
  getCoin(outpoint: OutPoint): Promise<ChainCoin | null> {
    return Promise.resolve(this.#coins.get(outPointKey(outpoint)) ?? null);
  }
  withLock<T>(f: (coins: (outpoint: OutPoint) => Promise<ChainCoin | null>) => Promise<T>): Promise<T> {
    return f((outpoint) => this.getCoin(outpoint));
  }
  invalidateBlock(): Promise<void> {
    return Promise.reject(new Error("FakeChain cannot invalidate"));
  }
  reconsiderBlock(): Promise<void> {
    return Promise.reject(new Error("FakeChain cannot reconsider"));
  }
  preciousBlock(): Promise<void> {
    return Promise.reject(new Error("FakeChain has no precious blocks"));
  }
  subscribe(events: ChainEvents): () => void {
    this.#subs.add(events);
    return () => this.#subs.delete(events);
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Display-hex to internal bytes (re-exported for tests). */
export const hashFromHex = fromReverseHex;
