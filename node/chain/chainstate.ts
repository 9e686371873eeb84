/**
 * The chain state (Core's `ChainstateManager` + `Chainstate`): loads the block index and the coins, replays an
 * interrupted flush from the block files, accepts headers and blocks, selects the most-work chain (ties to the
 * block received first, as Core's sequence ids), connects and disconnects blocks with undo data, and flushes
 * periodically in batched commits through {@link NodeStorage}.
 *
 * @module
 */
import type { ChainParams } from "../../core/chain_params.ts";
import {
  type BlockValidationState,
  checkBlock,
  checkBlockHeader,
  invalid,
  VALID,
} from "../../core/consensus/mod.ts";
import { ScriptCheckPool } from "../../core/verify/mod.ts";
import { blockHash, decodeBlock, encodeBlock } from "../../core/wire/block.ts";
import { isCoinBase, originalBytes, txid } from "../../core/wire/transaction.ts";
import type { Block, BlockHeader, OutPoint } from "../../core/wire/types.ts";
import type { Logger } from "../../util/logging.ts";
import { CoinsCache } from "../storage/coins_cache.ts";
import type { CoinsBatchProgress } from "../storage/coins_db.ts";
import { BlockStorageError } from "../storage/errors.ts";
import { NodeStorage, type OpenStorageOptions } from "../storage/storage.ts";
import type { BlockUndo } from "../storage/undo.ts";
import { BlockIndex, hashToHex, IndexEntry, lastCommonAncestor } from "./block_index.ts";
import type { BlockIndexEntry, ChainCoin, ChainEvents, Chainstate } from "./types.ts";
import {
  connectBlock,
  contextualCheckBlock,
  contextualCheckBlockHeader,
  disconnectBlock,
} from "./validation.ts";

/** Core's `DEFAULT_MAX_TIP_AGE`: a tip older than this (seconds) means initial block download. */
export const DEFAULT_MAX_TIP_AGE = 24 * 60 * 60;

/** Options of {@link openChainstate}. */
export interface OpenChainstateOptions {
  /** The data directory (`-datadir`); the network's folder is chosen from `params`. */
  readonly dataDir: string;
  /** Network parameters. */
  readonly params: ChainParams;
  /** `-dbcache` in MiB (default 450). */
  readonly dbcacheMiB?: number;
  /** Logger: rejected blocks found while connecting, reindex and replay summaries. */
  readonly logger?: Logger;
  /** Script verification Workers (default 1); 0 verifies on this thread only. */
  readonly workers?: number;
  /** A pool to use instead of creating one (not closed by {@link Chainstate.close}). */
  readonly pool?: ScriptCheckPool;
  /** Clock in seconds (default: now; `-mocktime`). */
  readonly now?: () => number;
  /**
   * `-reindex`: delete the block index and the chainstate, rebuild the index by scanning the block files
   * (blocks whose parent comes later in the files wait for it, as Core's LoadExternalBlockFile), then connect the
   * best chain again.
   */
  readonly reindex?: boolean;
  /** `-reindex-chainstate`: delete the chainstate and connect the indexed blocks again from the block files. */
  readonly reindexChainstate?: boolean;
  /** Storage options passed through (tests: KV limits, commit hooks, block file sizes). */
  readonly storage?: Partial<Omit<OpenStorageOptions, "dataDir" | "network" | "dbcacheMiB">>;
}

/** The chainstate with the extras beyond the {@link Chainstate} contract. */
export interface ChainstateImpl extends Chainstate {
  /** The storage (tests, RPCs such as gettxoutsetinfo after a flush). */
  readonly storage: NodeStorage;
  /** Switches script verification to another pool between blocks (see the implementation's JSDoc). */
  usePool(pool: ScriptCheckPool): Promise<void>;
  /** Creates the script verification pool with `create` when a block first has scripts to verify. */
  usePoolWhenNeeded(create: () => Promise<ScriptCheckPool>): void;
}

function toChainCoin(c: { out: ChainCoin["output"]; height: number; coinbase: boolean }): ChainCoin {
  return { output: c.out, height: c.height, coinbase: c.coinbase };
}

function better(a: IndexEntry, b: IndexEntry): boolean {
  if (a.chainWork !== b.chainWork) return a.chainWork > b.chainWork;
  return a.sequenceId < b.sequenceId;
}

class ChainstateImplementation implements ChainstateImpl {
  readonly params: ChainParams;
  readonly storage: NodeStorage;
  readonly #index = new BlockIndex();
  #chain: IndexEntry[] = [];
  #pool: ScriptCheckPool;
  #ownPool: boolean;
  #poolFactory: (() => Promise<ScriptCheckPool>) | undefined;
  #closed = false;
  readonly #subscribers = new Set<ChainEvents>();
  readonly #logger: Logger | undefined;
  readonly #now: () => number;
  #ibdLatched = false;
  #lastPreciousChainWork = 0n;
  #lock: Promise<unknown> = Promise.resolve();
  /** Whether an exclusive operation (block connection, reorg, flush) is running. */
  #busy = false;
  /** Verdicts of blocks checked during the current activation (for processNewBlock's state). */
  readonly #checked = new Map<string, BlockValidationState>();
  /**
   * Entries that may be the best chain's tip (Core's `setBlockIndexCandidates`): with data down to genesis,
   * valid as far as known, and not worse than the tip when last pruned. Ineligible ones are dropped lazily.
   */
  readonly #candidates = new Set<IndexEntry>();
  /** Entries changed since the last flush (Core's `m_dirty_blockindex`); records are built when written. */
  readonly #dirtyEntries = new Set<IndexEntry>();
  /** Entries with data whose parent's branch lacks data, by parent (Core's `m_blocks_unlinked`). */
  readonly #unlinked = new Map<IndexEntry, IndexEntry[]>();

  constructor(opts: OpenChainstateOptions, storage: NodeStorage, pool: ScriptCheckPool, ownPool: boolean) {
    this.params = opts.params;
    this.storage = storage;
    this.#pool = pool;
    this.#ownPool = ownPool;
    this.#logger = opts.logger;
    storage.setBlockIndexSource(() => {
      const records = [...this.#dirtyEntries].map((e) => e.record());
      this.#dirtyEntries.clear();
      return records;
    });
    this.#now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  }

  #exclusive<T>(f: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(async () => {
      this.#busy = true;
      try {
        return await f();
      } finally {
        this.#busy = false;
      }
    });
    this.#lock = run.catch(() => {});
    return run;
  }

  async load(reindex: boolean): Promise<void> {
    const records = [];
    for await (const r of this.storage.blockIndex.loadBlockIndex()) records.push(r);
    this.#index.load(records);
    if (reindex) await this.#reindexFromFiles();
    const genesisHash = this.params.genesis.header;
    let genesis = this.#index.get(this.params.consensus.hashGenesisBlock);
    if (genesis === undefined || !genesis.haveData) {
      genesis = this.#index.add(genesisHash, null);
      const pos = this.storage.blockFiles.writeBlock(encodeBlock(this.params.genesis), 0, genesisHash.time);
      genesis.file = pos.file;
      genesis.dataPos = pos.pos;
      genesis.haveData = true;
      genesis.nTx = this.params.genesis.txs.length;
      genesis.chainTx = genesis.nTx;
      genesis.raiseValidity("scripts");
      this.#index.stampSequence(genesis);
      this.storage.markBlockIndexDirty(genesis.record());
    }
    const replay = this.storage.replayRange;
    if (replay !== undefined) await this.#replayBlocks(replay.from, replay.to);
    // Core flushes after ReplayBlocks; otherwise nothing needs writing before the first periodic flush (a crash
    // before it finds the same state as now, genesis included).
    let best = this.storage.coins.getBestBlock();
    if (best === undefined) {
      this.storage.coins.setBestBlock(genesis.hash);
      best = genesis.hash;
    }
    const tip = this.#index.get(best);
    if (tip === undefined) {
      throw new Error(`Cannot load chainstate: best block ${hashToHex(best)} is not in the index`);
    }
    this.#setTip(tip);
    this.#rebuildCandidates();
    this.#unlinked.clear();
    for (const e of this.#index.values()) {
      if (e.haveData && e.chainTx === 0 && e.prev !== null) this.#linkLater(e);
    }
    await this.storage.flushStateToDisk(replay !== undefined ? "force-sync" : "if-needed");
    await this.#activateBestChain();
  }

  /** Rebuilds the block index from `blk?????.dat` (Core's `-reindex` import of the block files). */
  async #reindexFromFiles(): Promise<void> {
    const pending = new Map<string, { block: Block; pos: { file: number; pos: number }; size: number }[]>();
    let found = 0;
    const accept = (block: Block, pos: { file: number; pos: number }, size: number): void => {
      const hash = blockHash(block.header);
      const hex = hashToHex(hash);
      if (this.#index.get(hash)?.haveData) return;
      let entry: IndexEntry;
      if (hex === this.params.consensus.hashGenesisBlock) {
        entry = this.#index.add(block.header, null, hash);
        entry.raiseValidity("scripts");
      } else {
        if (!checkBlock(block, this.params.consensus).valid) return;
        const h = this.#acceptHeader(block.header, hash, hex, true);
        if (!h.state.valid || h.entry === undefined) return;
        entry = h.entry;
        if (!contextualCheckBlock(block, entry.prev!, this.params).valid) return;
        entry.raiseValidity("transactions");
      }
      entry.file = pos.file;
      entry.dataPos = pos.pos;
      entry.haveData = true;
      entry.nTx = block.txs.length;
      this.#index.stampSequence(entry);
      this.#updateChainTx(entry);
      this.storage.blockFiles.noteBlockOnDisk(pos, size, entry.height, block.header.time);
      this.#dirty(entry);
      found++;
      const children = pending.get(hex);
      if (children !== undefined) {
        pending.delete(hex);
        for (const c of children) {
          this.#logger?.debug(
            "reindex",
            `LoadExternalBlockFile: Processing out of order child ${
              hashToHex(blockHash(c.block.header))
            } of ${hex}`,
          );
          accept(c.block, c.pos, c.size);
        }
      }
    };
    for (let n = 0;; n++) {
      let records;
      try {
        records = [...this.storage.blockFiles.scanBlockFile(n)];
      } catch (e) {
        if (e instanceof BlockStorageError && e.kind === "missing-file") break;
        throw e;
      }
      for (const r of records) {
        let block: Block;
        try {
          block = decodeBlock(r.data);
        } catch {
          continue;
        }
        const prevHex = hashToHex(block.header.prevBlock);
        const isGenesis = hashToHex(blockHash(block.header)) === this.params.consensus.hashGenesisBlock;
        if (!isGenesis && this.#index.get(prevHex)?.haveData !== true) {
          this.#logger?.debug(
            "reindex",
            `LoadExternalBlockFile: Out of order block ${
              hashToHex(blockHash(block.header))
            }, parent ${prevHex} not known`,
          );
          const list = pending.get(prevHex) ?? [];
          list.push({ block, pos: r.pos, size: r.data.length });
          pending.set(prevHex, list);
          continue;
        }
        accept(block, r.pos, r.data.length);
      }
      await Promise.resolve();
    }
    this.#logger?.info(`Reindexing finished: ${found} blocks indexed from the block files`);
  }

  /** Core's `ReplayBlocks`: brings the coins from an interrupted flush to `to` using the block files. */
  async #replayBlocks(from: Uint8Array | undefined, toHash: Uint8Array): Promise<void> {
    const to = this.#index.get(toHash);
    if (to === undefined) throw new Error("Cannot replay blocks: the new best block is not in the index");
    const old = from === undefined ? undefined : this.#index.get(from);
    const fork = old === undefined ? null : lastCommonAncestor(old, to);
    const view = this.storage.coins;
    for (let e = old ?? null; e !== null && e !== fork; e = e.prev) {
      const block = await this.readBlock(e);
      const undo = await this.#readUndoData(e);
      await disconnectBlock(block, e, undo, view);
    }
    const path: IndexEntry[] = [];
    for (let e: IndexEntry | null = to; e !== null && e !== fork; e = e.prev) path.push(e);
    for (const e of path.reverse()) {
      if (e.height === 0) continue;
      const block = await this.readBlock(e);
      // One batched read of the block's spent coins instead of one database read per input.
      await view.fetchCoins(block.txs.flatMap((tx) => isCoinBase(tx) ? [] : tx.inputs.map((i) => i.prevout)));
      for (const tx of block.txs) {
        if (!isCoinBase(tx)) { for (const i of tx.inputs) view.spendCachedCoin(i.prevout); }
        const id = txid(tx);
        for (let o = 0; o < tx.outputs.length; o++) {
          view.addCoin({ txid: id, vout: o }, {
            out: tx.outputs[o],
            height: e.height,
            coinbase: isCoinBase(tx),
          }, true);
        }
      }
    }
    view.setBestBlock(to.hash);
    this.#logger?.info(`Replayed blocks up to ${to.hashHex} (height ${to.height})`);
  }

  #setTip(tip: IndexEntry): void {
    const chain: IndexEntry[] = new Array(tip.height + 1);
    for (let e: IndexEntry | null = tip; e !== null; e = e.prev) chain[e.height] = e;
    this.#chain = chain;
  }

  tip(): BlockIndexEntry {
    return this.#chain[this.#chain.length - 1];
  }
  #tip(): IndexEntry {
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
    return this.#index.get(hash);
  }
  entries(): Iterable<BlockIndexEntry> {
    return this.#index.values();
  }

  isInitialBlockDownload(): boolean {
    if (this.#ibdLatched) return false;
    const tip = this.#tip();
    if (tip.chainWork < this.params.consensus.minimumChainWork) return true;
    if (tip.header.time < this.#now() - DEFAULT_MAX_TIP_AGE) return true;
    this.#ibdLatched = true;
    return false;
  }

  subscribe(events: ChainEvents): () => void {
    this.#subscribers.add(events);
    return () => this.#subscribers.delete(events);
  }

  #emit<K extends keyof ChainEvents>(name: K, ...args: Parameters<NonNullable<ChainEvents[K]>>): void {
    for (const s of this.#subscribers) {
      const f = s[name] as ((...a: unknown[]) => void) | undefined;
      if (f === undefined) continue;
      try {
        f.apply(s, args);
      } catch (e) {
        this.#logger?.error(`Chain event ${name} failed: ${e}`);
      }
    }
  }

  async readBlock(entry: BlockIndexEntry): Promise<Block> {
    const e = entry as IndexEntry;
    if (!e.haveData || e.file < 0) throw new Error(`Cannot read block ${e.hashHex}: block not available`);
    await Promise.resolve();
    return decodeBlock(this.storage.blockFiles.readBlock({ file: e.file, pos: e.dataPos }, e.hash));
  }

  async #readUndoData(e: IndexEntry): Promise<BlockUndo> {
    if (!e.haveUndo || e.prev === null) throw new Error(`Cannot read undo data of block ${e.hashHex}`);
    await Promise.resolve();
    return this.storage.blockFiles.readUndo({ file: e.file, pos: e.undoPos }, e.prev.hash);
  }

  async readUndo(entry: BlockIndexEntry): Promise<readonly (readonly ChainCoin[])[]> {
    const undo = await this.#readUndoData(entry as IndexEntry);
    return undo.txUndo.map((t) => t.prevouts.map(toChainCoin));
  }

  getCoin(outpoint: OutPoint): Promise<ChainCoin | null> {
    // Cached coins answer at once; a miss waits for any block being connected (Core holds cs_main).
    const cached = this.#busy ? undefined : this.storage.coins.accessCoin(outpoint);
    if (cached !== undefined) return Promise.resolve(toChainCoin(cached));
    return this.#exclusive(async () => {
      const c = await this.storage.coins.getCoin(outpoint);
      return c === undefined ? null : toChainCoin(c);
    });
  }

  withLock<T>(f: (coins: (outpoint: OutPoint) => Promise<ChainCoin | null>) => Promise<T>): Promise<T> {
    return this.#exclusive(() =>
      f(async (outpoint) => {
        const c = await this.storage.coins.getCoin(outpoint);
        return c === undefined ? null : toChainCoin(c);
      })
    );
  }

  #dirty(e: IndexEntry): void {
    this.#dirtyEntries.add(e);
  }

  /** Core's `AcceptBlockHeader`. */
  #acceptHeader(
    header: BlockHeader,
    hash?: Uint8Array,
    hex?: string,
    headerChecked = false,
  ): { state: BlockValidationState; entry?: IndexEntry } {
    const existing = this.#index.get(hex ?? hash ?? encodeHash(header));
    if (existing !== undefined) {
      if (existing.failed !== "none") {
        return { state: invalid("BLOCK_CACHED_INVALID", "duplicate-invalid"), entry: existing };
      }
      return { state: VALID, entry: existing };
    }
    if (!headerChecked) {
      const hs = checkBlockHeader(header, this.params.consensus);
      if (!hs.valid) return { state: hs };
    }
    const prev = this.#index.get(header.prevBlock);
    if (prev === undefined) return { state: invalid("BLOCK_MISSING_PREV", "prev-blk-not-found") };
    if (prev.failed !== "none") return { state: invalid("BLOCK_INVALID_PREV", "bad-prevblk") };
    const cs = contextualCheckBlockHeader(header, prev, this.params, this.#now());
    if (!cs.valid) return { state: cs };
    const entry = this.#index.add(header, prev, hash);
    this.#dirty(entry);
    return { state: VALID, entry };
  }

  processNewBlockHeaders(headers: readonly BlockHeader[]): Promise<BlockValidationState> {
    return this.#exclusive((): Promise<BlockValidationState> => {
      for (const h of headers) {
        const r = this.#acceptHeader(h);
        if (!r.state.valid) return Promise.resolve(r.state);
      }
      return Promise.resolve(VALID);
    });
  }

  processNewBlock(
    submitted: Block,
    opts?: { force?: boolean },
  ): Promise<{ newBlock: boolean; state: BlockValidationState }> {
    return this.#exclusive(async () => {
      let block = submitted;
      const hash = encodeHash(block.header);
      const hex = hashToHex(hash);
      const known = this.#index.get(hex);
      if (known !== undefined && known.haveData) {
        return {
          newBlock: false,
          state: known.failed !== "none" ? invalid("BLOCK_CACHED_INVALID", "duplicate-invalid") : VALID,
        };
      }
      const bytes = encodeBlock(block);
      // A block built in code (mining) has no serialization to hash txids from, so each txid would be
      // serialized and hashed again by every check and subscriber: decoded from its bytes, each is hashed once.
      if (block.txs.length > 0 && originalBytes(block.txs[0]) === undefined) block = decodeBlock(bytes);
      const cs = checkBlock(block, this.params.consensus);
      if (!cs.valid) return { newBlock: false, state: cs };
      // checkBlock checked the header (proof of work) already.
      const h = this.#acceptHeader(block.header, hash, hex, true);
      if (!h.state.valid) return { newBlock: false, state: h.state };
      const entry = h.entry!;
      if (opts?.force === false) {
        // Core's AcceptBlock for a block nobody asked for: only its header is kept when it was pruned before,
        // has less work than our tip, is more than 288 blocks ahead, or is below the minimum chain work.
        const tip = this.tip();
        if (
          entry.nTx !== 0 || entry.chainWork < tip.chainWork || entry.height > tip.height + 288 ||
          entry.chainWork < this.params.consensus.minimumChainWork
        ) return { newBlock: false, state: VALID };
      }
      const ctx = contextualCheckBlock(block, entry.prev!, this.params);
      if (!ctx.valid) {
        if (ctx.result !== "BLOCK_MUTATED") this.#markFailed(entry);
        return { newBlock: false, state: ctx };
      }
      const pos = this.storage.blockFiles.writeBlock(bytes, entry.height, block.header.time);
      entry.file = pos.file;
      entry.dataPos = pos.pos;
      entry.haveData = true;
      entry.nTx = block.txs.length;
      entry.raiseValidity("transactions");
      this.#index.stampSequence(entry);
      this.#updateChainTx(entry);
      this.#dirty(entry);
      this.#checked.clear();
      await this.#activateBestChain({ block, entry });
      const verdict = this.#checked.get(hex);
      this.#checked.clear();
      return { newBlock: true, state: verdict ?? VALID };
    });
  }

  /** Sets `chainTx` of `entry` (with new data) and of the entries with data waiting for it; they become candidates. */
  #updateChainTx(entry: IndexEntry): void {
    if (entry.prev !== null && entry.prev.chainTx === 0) {
      this.#linkLater(entry);
      return;
    }
    const queue = [entry];
    while (queue.length > 0) {
      const e = queue.pop()!;
      e.chainTx = (e.prev?.chainTx ?? 0) + e.nTx;
      this.#addCandidate(e);
      const waiting = this.#unlinked.get(e);
      if (waiting === undefined) continue;
      this.#unlinked.delete(e);
      for (const c of waiting) if (c.haveData && c.chainTx === 0) queue.push(c);
    }
  }

  #linkLater(e: IndexEntry): void {
    const list = this.#unlinked.get(e.prev!);
    if (list === undefined) this.#unlinked.set(e.prev!, [e]);
    else if (!list.includes(e)) list.push(e);
  }

  #eligible(e: IndexEntry): boolean {
    return e.failed === "none" && e.haveData && e.chainTx > 0 && e.isValid("transactions");
  }

  #addCandidate(e: IndexEntry): void {
    if (this.#eligible(e)) this.#candidates.add(e);
  }

  /** Refills the candidates from the whole index (load, invalidateblock, reconsiderblock, preciousblock). */
  #rebuildCandidates(): void {
    this.#candidates.clear();
    for (const e of this.#index.values()) this.#addCandidate(e);
  }

  /** Drops the candidates worse than the tip (Core's `PruneBlockIndexCandidates`). */
  #pruneCandidates(): void {
    const tip = this.#tip();
    for (const e of this.#candidates) if (e !== tip && better(tip, e)) this.#candidates.delete(e);
  }

  #markFailed(entry: IndexEntry): void {
    entry.failed = "failed";
    this.#dirty(entry);
    for (const e of this.#index.values()) {
      if (
        e !== entry && e.failed === "none" && e.height > entry.height && e.ancestor(entry.height) === entry
      ) {
        e.failed = "failed-parent";
        this.#dirty(e);
      }
    }
  }

  /** The most-work valid entry whose whole branch has data (Core's `FindMostWorkChain`). */
  #bestCandidate(): IndexEntry {
    let best = this.#tip();
    for (const e of this.#candidates) {
      if (!this.#eligible(e)) {
        this.#candidates.delete(e);
        continue;
      }
      if (better(e, best)) best = e;
    }
    return best;
  }

  async #activateBestChain(hint?: { block: Block; entry: IndexEntry }): Promise<void> {
    for (;;) {
      const target = this.#bestCandidate();
      const tip = this.#tip();
      if (target === tip) {
        this.#pruneCandidates();
        break;
      }
      const fork = lastCommonAncestor(tip, target)!;
      while (this.#tip() !== fork) {
        const e = this.#tip();
        const block = await this.readBlock(e);
        const undo = await this.#readUndoData(e);
        const r = await disconnectBlock(block, e, undo, this.storage.coins);
        if (r === "failed") throw new Error(`Cannot disconnect block ${e.hashHex}: bad undo data`);
        this.#chain.pop();
        this.#emit("blockDisconnected", block, e);
      }
      const path: IndexEntry[] = [];
      for (let e: IndexEntry | null = target; e !== null && e !== fork; e = e.prev) path.push(e);
      path.reverse();
      for (const e of path) {
        const block = hint !== undefined && hint.entry === e ? hint.block : await this.readBlock(e);
        const view = new CoinsCache(this.storage.coins);
        this.#startPoolIfNeeded(block);
        const r = await connectBlock(block, e, view, { params: this.params, pool: this.#pool });
        this.#checked.set(e.hashHex, r.state);
        if (!r.state.valid) {
          this.#logger?.warn(`ConnectBlock ${e.hashHex} failed: ${r.state.reason}`);
          this.#markFailed(e);
          break;
        }
        if (!e.haveUndo) {
          const upos = this.storage.blockFiles.writeUndo(r.undo!, e.prev!.hash, e.file);
          e.undoPos = upos.pos;
          e.haveUndo = true;
        }
        e.raiseValidity("scripts");
        this.#dirty(e);
        await view.flush();
        this.#chain.push(e);
        this.#emit("blockConnected", block, e);
        await this.storage.flushStateToDisk("periodic");
      }
      if (this.#tip() !== tip) {
        this.#emit("updatedBlockTip", this.#tip(), fork, this.isInitialBlockDownload());
      }
    }
  }

  testBlockValidity(
    block: Block,
    opts?: { checkPow?: boolean; checkMerkleRoot?: boolean },
  ): Promise<BlockValidationState> {
    return this.#exclusive(async () => {
      const tip = this.#tip();
      if (hashToHex(block.header.prevBlock) !== tip.hashHex) {
        return invalid("BLOCK_CONSENSUS", "inconclusive-not-best-prevblk");
      }
      const cs = checkBlock(block, this.params.consensus, {
        checkPow: opts?.checkPow ?? true,
        checkMerkleRoot: opts?.checkMerkleRoot ?? true,
      });
      if (!cs.valid) return cs;
      const hs = contextualCheckBlockHeader(block.header, tip, this.params, this.#now());
      if (!hs.valid) return hs;
      const ctx = contextualCheckBlock(block, tip, this.params);
      if (!ctx.valid) return ctx;
      const entry = new IndexEntry(block.header, tip);
      const view = new CoinsCache(this.storage.coins);
      this.#startPoolIfNeeded(block);
      const r = await connectBlock(block, entry, view, {
        params: this.params,
        pool: this.#pool,
        justCheck: true,
      });
      return r.state;
    });
  }

  #resolve(hash: string): IndexEntry {
    const e = this.#index.get(hash);
    if (e === undefined) throw new Error("Block not found");
    return e;
  }

  invalidateBlock(hash: string): Promise<void> {
    return this.#exclusive(async () => {
      const target = this.#resolve(hash);
      // The genesis block cannot be invalidated (Core returns without doing anything).
      if (target.height === 0) return;
      let disconnected = 0;
      while (this.contains(target)) {
        const e = this.#tip();
        if (e.height === 0) break;
        const block = await this.readBlock(e);
        const undo = await this.#readUndoData(e);
        await disconnectBlock(block, e, undo, this.storage.coins);
        this.#chain.pop();
        // Core: past 10 blocks, keeping the mempool up to date is futile; those transactions do not return.
        this.#emit("blockDisconnected", block, e, ++disconnected <= 10);
      }
      this.#markFailed(target);
      this.#rebuildCandidates();
      const tipAfter = this.#tip();
      const moved = tipAfter.height < target.height;
      await this.#activateBestChain();
      if (moved && this.#tip() === tipAfter) {
        this.#emit("updatedBlockTip", tipAfter, tipAfter, this.isInitialBlockDownload());
      }
    });
  }

  reconsiderBlock(hash: string): Promise<void> {
    return this.#exclusive(async () => {
      const target = this.#resolve(hash);
      for (const e of this.#index.values()) {
        if (e.failed === "none") continue;
        if (e === target || (e.height > target.height && e.ancestor(target.height) === target)) {
          e.failed = "none";
          this.#dirty(e);
        }
      }
      for (let e: IndexEntry | null = target; e !== null; e = e.prev) {
        if (e.failed !== "none") {
          e.failed = "none";
          this.#dirty(e);
        }
      }
      this.#rebuildCandidates();
      await this.#activateBestChain();
    });
  }

  preciousBlock(hash: string): Promise<void> {
    return this.#exclusive(async () => {
      const target = this.#resolve(hash);
      const tipWork = this.#tip().chainWork;
      if (target.chainWork < tipWork) return;
      if (tipWork > this.#lastPreciousChainWork) this.#index.resetPreciousSequence();
      this.#lastPreciousChainWork = tipWork;
      target.sequenceId = this.#index.preciousSequence();
      this.#rebuildCandidates();
      await this.#activateBestChain();
    });
  }

  flush(): Promise<void> {
    return this.#exclusive(async () => {
      await this.storage.flushStateToDisk("force-sync");
    });
  }

  /**
   * Switches script verification to `pool` between blocks (the node starts its Worker pool after it is up:
   * Workers take time to load). The chainstate owns `pool` from now on; the previous pool is closed if it owned it.
   */
  async usePool(pool: ScriptCheckPool): Promise<void> {
    await this.#exclusive(async () => {
      if (this.#closed) {
        await pool.close();
        return;
      }
      const old = this.#pool;
      const ownedOld = this.#ownPool;
      this.#pool = pool;
      this.#ownPool = true;
      if (ownedOld) await old.close();
    });
  }

  /**
   * Starts script verification Workers only when a block first brings scripts to check: `create` runs in the
   * background then, and its pool replaces the current one between blocks ({@link usePool}); until it is ready,
   * scripts are checked by the current pool. A node that never verifies a script (e.g. regtest mining without
   * transactions) never pays for the Workers' memory and start-up. Replaces an earlier factory not yet used.
   */
  usePoolWhenNeeded(create: () => Promise<ScriptCheckPool>): void {
    this.#poolFactory = create;
  }

  #startPoolIfNeeded(block: Block): void {
    const create = this.#poolFactory;
    if (create === undefined || block.txs.length < 2) return;
    this.#poolFactory = undefined;
    create().then((pool) => this.usePool(pool)).catch((e) =>
      this.#logger?.warn(`Script verification Workers could not start: ${(e as Error).message}`)
    );
  }

  async close(): Promise<void> {
    await this.#exclusive(async () => {
      this.#closed = true;
      this.#poolFactory = undefined;
      await this.storage.flushStateToDisk("force-flush");
    });
    this.storage.close();
    if (this.#ownPool) await this.#pool.close();
  }
}

function encodeHash(header: BlockHeader): Uint8Array {
  return blockHash(header);
}

/**
 * Opens the chain state of `options.params.network` under `options.dataDir`: the block index, the coins (replaying
 * an interrupted flush), the genesis block on first start, then activates the best chain.
 */
export async function openChainstate(options: OpenChainstateOptions): Promise<ChainstateImpl> {
  const logger = options.logger;
  const userOnCommit = options.storage?.onCoinsCommit;
  // Core's coindb debug lines for each atomic commit of a chainstate flush (-debug=coindb).
  const onCoinsCommit = logger === undefined ? userOnCommit : async (p: CoinsBatchProgress) => {
    if (logger.enabled("coindb")) {
      const mib = (p.mutationBytes / (1024 * 1024)).toFixed(2);
      logger.debug("coindb", `Writing ${p.final ? "final" : "partial"} batch of ${mib} MiB`);
    }
    await userOnCommit?.(p);
  };
  const open = (reindex: boolean) =>
    NodeStorage.open({
      ...options.storage,
      onCoinsCommit,
      wipeBlockIndex: reindex,
      wipeChainstate: reindex || (options.reindexChainstate ?? false),
      dataDir: options.dataDir,
      network: options.params.network,
      dbcacheMiB: options.dbcacheMiB,
    });
  let reindex = options.reindex ?? false;
  let storage = await open(reindex);
  if (!reindex && await storage.blockIndex.readReindexing()) {
    // A reindex was interrupted: start it again (Core resumes it; the files are scanned from the start here).
    storage.close();
    reindex = true;
    storage = await open(true);
  }
  let pool = options.pool;
  const own = pool === undefined;
  try {
    if (reindex) await storage.blockIndex.writeReindexing(true);
    pool ??= await ScriptCheckPool.create({ workers: options.workers ?? 1, mainThreadWorks: true });
    const cs = new ChainstateImplementation(options, storage, pool, own);
    await cs.load(reindex);
    if (reindex) {
      await cs.flush();
      await storage.blockIndex.writeReindexing(false);
    }
    return cs;
  } catch (e) {
    storage.close();
    if (own) await pool?.close();
    throw e;
  }
}
