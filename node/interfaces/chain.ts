/**
 * The node's in-process {@linkcode Chain} (Core's `node::ChainImpl`): answers a chain client's questions from
 * the chainstate, the mempool and the fee estimator, and delivers the notification bus
 * (`node/validation_signals.ts`) to registered {@linkcode ChainNotifications}. Served to the wallet process
 * over IPC by `ipc/proxies/chain.ts`.
 *
 * Each registered client has its own queue: notifications reach it one at a time, in the bus's order, and a
 * slow client (a wallet across a process boundary) never holds up validation or the bus's other subscribers.
 *
 * @module
 */
import { fromHex, reverseHex } from "../../core/hash/hashes.ts";
import { encodeBlock } from "../../core/wire/block.ts";
import { locatorHeights } from "../../core/wire/locator.ts";
import {
  decodeTransaction,
  encodeTransaction,
  transactionWeight,
  txid as txidOf,
} from "../../core/wire/transaction.ts";
import type { Block } from "../../core/wire/types.ts";
import type {
  BlockInfo,
  BroadcastOutcome,
  Chain,
  ChainBlock,
  ChainCoinInfo,
  ChainFeeEstimate,
  ChainNotifications,
  ChainOutPoint,
  FoundBlock,
  FoundBlockRequest,
  Handler,
  Hash256Hex,
  RbfState,
  RpcCommandSpec,
  TransactionAncestry,
} from "../../interfaces/chain.ts";
import { READ_BLOCKS_MAX_BYTES } from "../../interfaces/chain.ts";
import type { Rpc } from "../../interfaces/rpc.ts";
import { bestHeader, guessVerificationProgress } from "../../rpc/methods/blockchain.ts";
import type { JsonValue } from "../../rpc/json.ts";
import type { Logger } from "../../util/logging.ts";
import type { BlockIndexEntry, Chainstate } from "../chain/types.ts";
import type { BlockPolicyEstimator } from "../fees/block_policy_estimator.ts";
import type { Mempool } from "../mempool/mempool.ts";
import { MEMPOOL_HEIGHT } from "../mempool/txmempool.ts";
import { isRbfOptIn } from "../policy/rbf.ts";
import type { ValidationInterface, ValidationSignals } from "../validation_signals.ts";
import type { RwSettings } from "./rw_settings.ts";

/** The node's settings as a chain client reads them (the parsed command line and config). */
export interface SettingsSource {
  /** The effective value: a string, `false` when negated, null when unset. */
  get(name: string): JsonValue;
  /** Every value of a list option. */
  list(name: string): JsonValue[];
}

/** Options of {@linkcode makeNodeChain}. */
export interface NodeChainOptions {
  /** The chainstate. */
  chain: Chainstate;
  /** The mempool (null: none, e.g. in tests). */
  mempool: () => Mempool | null;
  /** The fee estimator (null: none, as with -blocksonly). */
  fees: () => BlockPolicyEstimator | null;
  /** The notification bus. */
  signals: ValidationSignals;
  /** Clock in seconds (mockable). */
  now: () => number;
  /** Logger for init messages and failing notifications. */
  logger?: Logger;
  /** Whether shutdown has been requested. */
  shutdownRequested?: () => boolean;
  /** Whether any block has been pruned (default: never). */
  havePruned?: () => boolean;
  /** Reads a stored block's serialization (default: read and re-encode it). */
  readRawBlock?: (entry: BlockIndexEntry) => Promise<Uint8Array>;
  /** Command-line settings. */
  settings?: SettingsSource;
  /** settings.json. */
  rwSettings?: RwSettings;
  /** Makes the node forward `commands` to `rpc` (Core's `handleRpc`); absent: refused. */
  handleRpc?: (commands: readonly RpcCommandSpec[], rpc: Rpc) => Handler;
  /** Called when the client calls `close()`. */
  onClose?: () => void;
}

/** The node's Chain, with what the node itself calls on it. */
export interface NodeChain extends Chain {
  /** Number of registered notification clients. */
  readonly clientCount: number;
  /**
   * Tells every client that the chain state was written to disk (Core's `ChainStateFlushed`), with the tip's
   * locator; call it after a flush. Queued like the other notifications.
   */
  notifyChainStateFlushed(): void;
}

/** One registered client and its delivery queue. */
class NotificationClient {
  readonly notifications: ChainNotifications;
  #tail: Promise<void> = Promise.resolve();
  #open = true;
  #logger: Logger | undefined;

  constructor(notifications: ChainNotifications, logger: Logger | undefined) {
    this.notifications = notifications;
    this.#logger = logger;
  }

  get open(): boolean {
    return this.#open;
  }

  /** Queues one notification behind the earlier ones. */
  push(send: (n: ChainNotifications) => Promise<void>): void {
    if (!this.#open) return;
    this.#tail = this.#tail.then(() => this.#open ? send(this.notifications) : undefined).catch((e) => {
      this.#logger?.warn(`Chain notification failed: ${e instanceof Error ? e.message : e}`);
    });
  }

  /** Resolves once everything queued so far was delivered. */
  drained(): Promise<void> {
    return this.#tail;
  }

  close(): void {
    this.#open = false;
  }
}

/** Makes the node's {@linkcode Chain}. */
export function makeNodeChain(opts: NodeChainOptions): NodeChain {
  const chain = opts.chain;
  const clients = new Set<NotificationClient>();
  const maxTimes = new WeakMap<BlockIndexEntry, number>();

  const lookup = (hash: Hash256Hex): BlockIndexEntry | undefined => {
    if (!/^[0-9a-fA-F]{64}$/.test(hash)) return undefined;
    return chain.lookup(hash.toLowerCase());
  };
  const ancestor = (entry: BlockIndexEntry, height: number): BlockIndexEntry | null => {
    if (height < 0 || height > entry.height) return null;
    if (chain.contains(entry)) return chain.atHeight(height);
    let e: BlockIndexEntry | null = entry;
    while (e !== null && e.height > height) e = e.prev;
    return e;
  };
  const maxTime = (entry: BlockIndexEntry): number => {
    const path: BlockIndexEntry[] = [];
    let e: BlockIndexEntry | null = entry;
    let base = 0;
    while (e !== null) {
      const known = maxTimes.get(e);
      if (known !== undefined) {
        base = known;
        break;
      }
      path.push(e);
      e = e.prev;
    }
    for (let i = path.length - 1; i >= 0; i--) {
      base = Math.max(base, path[i].header.time);
      maxTimes.set(path[i], base);
    }
    return base;
  };
  const locatorOf = (entry: BlockIndexEntry): Hash256Hex[] =>
    locatorHeights(entry.height).map((h) => ancestor(entry, h)!.hashHex);
  const readRaw = opts.readRawBlock ?? (async (e: BlockIndexEntry) => encodeBlock(await chain.readBlock(e)));

  const fill = async (
    entry: BlockIndexEntry | null,
    want: FoundBlockRequest = {},
  ): Promise<FoundBlock | null> => {
    if (entry === null) return null;
    const found: FoundBlock = { hash: entry.hashHex, height: entry.height };
    const active = chain.contains(entry);
    if (want.time) found.time = entry.header.time;
    if (want.maxTime) found.maxTime = maxTime(entry);
    if (want.mtpTime) found.mtpTime = entry.medianTimePast;
    if (want.inActiveChain) found.inActiveChain = active;
    if (want.locator) found.locator = locatorOf(entry);
    if (want.nextBlock) {
      found.nextBlock = await fill(active ? chain.atHeight(entry.height + 1) : null, want.nextBlock);
    }
    if (want.data && entry.haveData) {
      try {
        found.data = await readRaw(entry);
      } catch {
        // Core's FillBlock: a block that cannot be read is still found, without data.
      }
    }
    return found;
  };

  const blockInfo = (block: Block, entry: BlockIndexEntry): BlockInfo => ({
    hash: entry.hashHex,
    prevHash: entry.prev?.hashHex ?? "",
    height: entry.height,
    time: entry.header.time,
    chainTimeMax: maxTime(entry),
    data: encodeBlock(block),
  });

  const broadcastToClients = (send: (n: ChainNotifications) => Promise<void>) => {
    for (const c of clients) c.push(send);
  };
  const listener: ValidationInterface = {
    blockConnected(block, entry) {
      if (clients.size === 0) return;
      const info = blockInfo(block, entry);
      broadcastToClients((n) => n.blockConnected(info));
    },
    blockDisconnected(block, entry) {
      if (clients.size === 0) return;
      const info = blockInfo(block, entry);
      broadcastToClients((n) => n.blockDisconnected(info));
    },
    updatedBlockTip() {
      broadcastToClients((n) => n.updatedBlockTip());
    },
    transactionAddedToMempool(entry, sequence) {
      if (clients.size === 0) return;
      const tx = encodeTransaction(entry.tx);
      broadcastToClients((n) => n.transactionAddedToMempool(tx, sequence));
    },
    transactionRemovedFromMempool(entry, reason, sequence) {
      if (clients.size === 0) return;
      const tx = encodeTransaction(entry.tx);
      broadcastToClients((n) => n.transactionRemovedFromMempool(tx, reason, sequence));
    },
  };
  let unsubscribe: (() => void) | null = null;

  const decodeTx = (bytes: Uint8Array) => decodeTransaction(bytes);
  const pool = () => opts.mempool()?.pool ?? null;

  return {
    get clientCount() {
      return clients.size;
    },
    notifyChainStateFlushed() {
      if (clients.size === 0) return;
      const locator = locatorOf(chain.tip());
      broadcastToClients((n) => n.chainStateFlushed(locator));
    },
    getHeight: () => Promise.resolve(chain.height()),
    getBlockHash(height) {
      const e = Number.isInteger(height) ? chain.atHeight(height) : null;
      if (e === null) {
        return Promise.reject(new Error(`Cannot get block hash: height ${height} out of range`));
      }
      return Promise.resolve(e.hashHex);
    },
    haveBlockOnDisk(height) {
      const e = Number.isInteger(height) ? chain.atHeight(height) : null;
      return Promise.resolve(e !== null && e.haveData && e.nTx > 0);
    },
    findLocatorFork(locator) {
      // Core's FindForkInGlobalIndex: the first known hash on the active chain (or whose branch the tip
      // extends); genesis when none.
      const tip = chain.tip();
      for (const hash of locator) {
        const e = lookup(hash);
        if (e === undefined) continue;
        if (chain.contains(e)) return Promise.resolve(e.height);
        if (ancestor(tip, e.height) === e) return Promise.resolve(tip.height);
      }
      return Promise.resolve(chain.atHeight(0) === null ? null : 0);
    },
    findBlock: (hash, want) => fill(lookup(hash) ?? null, want),
    findFirstBlockWithTimeAndHeight(minTime, minHeight, want) {
      // Core's CChain::FindEarliestAtLeast: max times grow along the chain, so a binary search finds it.
      let lo = Math.max(0, Math.ceil(minHeight));
      let hi = chain.height() + 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (maxTime(chain.atHeight(mid)!) < minTime) lo = mid + 1;
        else hi = mid;
      }
      return fill(lo <= chain.height() ? chain.atHeight(lo) : null, want);
    },
    findAncestorByHeight(hash, height, want) {
      const e = lookup(hash);
      return fill(e ? ancestor(e, height) : null, want);
    },
    findAncestorByHash(hash, ancestorHash, want) {
      const e = lookup(hash);
      const a = lookup(ancestorHash);
      return fill(e && a && ancestor(e, a.height) === a ? a : null, want);
    },
    async findCommonAncestor(hash1, hash2, want = {}) {
      const b1 = lookup(hash1) ?? null;
      const b2 = lookup(hash2) ?? null;
      let common: BlockIndexEntry | null = null;
      if (b1 && b2) {
        let x: BlockIndexEntry | null = ancestor(b1, Math.min(b1.height, b2.height));
        let y: BlockIndexEntry | null = ancestor(b2, Math.min(b1.height, b2.height));
        while (x !== null && y !== null && x !== y) {
          x = x.prev;
          y = y.prev;
        }
        common = x !== null && x === y ? x : null;
      }
      return {
        ancestor: await fill(common, want.ancestor),
        block1: await fill(b1, want.block1),
        block2: await fill(b2, want.block2),
      };
    },
    async findCoins(outpoints) {
      const m = opts.mempool();
      const out: (ChainCoinInfo | null)[] = [];
      for (const o of outpoints) out.push(await findCoin(o));
      return out;

      async function findCoin(o: ChainOutPoint): Promise<ChainCoinInfo | null> {
        if (!/^[0-9a-fA-F]{64}$/.test(o.txid) || !Number.isInteger(o.vout) || o.vout < 0) return null;
        const outpoint = { txid: fromHex(o.txid).reverse(), vout: o.vout };
        if (m !== null) {
          // Core's FindCoins over CCoinsViewMemPool: outputs of mempool transactions as unconfirmed coins; a coin
          // spent only by a mempool transaction is still reported (bumpfee relies on it).
          const output = m.pool.output(outpoint);
          if (output !== undefined) {
            return {
              value: output.value,
              scriptPubKey: output.scriptPubKey,
              height: MEMPOOL_HEIGHT,
              coinbase: false,
            };
          }
        }
        const coin = await chain.getCoin(outpoint);
        return coin === null ? null : {
          value: coin.output.value,
          scriptPubKey: coin.output.scriptPubKey,
          height: coin.height,
          coinbase: coin.coinbase,
        };
      }
    },
    guessVerificationProgress(hash) {
      const e = lookup(hash);
      if (e === undefined) return Promise.resolve(0);
      return Promise.resolve(guessVerificationProgress(chain, e, opts.now(), bestHeader(chain).height));
    },
    hasBlocks(hash, minHeight = 0, maxHeight = null) {
      let e: BlockIndexEntry | null = lookup(hash) ?? null;
      if (e === null) return Promise.resolve(false);
      if (maxHeight !== null && e.height >= maxHeight) e = ancestor(e, maxHeight);
      for (; e !== null && e.haveData; e = e.prev) {
        if (e.height <= minHeight || e.prev === null) return Promise.resolve(true);
      }
      return Promise.resolve(false);
    },
    isRBFOptIn(bytes): Promise<RbfState> {
      const tx = decodeTx(bytes);
      const p = pool();
      const entry = p?.get(reverseHex(txidOf(tx)));
      return Promise.resolve(isRbfOptIn(tx, {
        inMempool: entry !== undefined,
        ancestors: entry && p ? [...p.ancestors(entry)].map((a) => a.tx) : [],
      }));
    },
    isInMempool: (txid) => Promise.resolve(pool()?.get(txid.toLowerCase()) !== undefined),
    hasDescendantsInMempool(txid) {
      const entry = pool()?.get(txid.toLowerCase());
      return Promise.resolve(entry !== undefined && entry.children.size > 0);
    },
    async broadcastTransaction(bytes, maxTxFee, relay): Promise<BroadcastOutcome> {
      const m = opts.mempool();
      if (m === null) return { ok: false, error: "MEMPOOL_ERROR", message: "Mempool internal error" };
      let tx;
      try {
        tx = decodeTx(bytes);
      } catch (e) {
        return { ok: false, error: "MEMPOOL_REJECTED", message: `TX decode failed: ${(e as Error).message}` };
      }
      const wasUnbroadcast = m.pool.unbroadcast().has(reverseHex(txidOf(tx)));
      const r = await m.broadcastTransaction(tx, maxTxFee);
      if (!r.ok) {
        return { ok: false, error: r.error, message: r.message || transactionErrorText(r.error) };
      }
      // Core's MEMPOOL_NO_BROADCAST: into the mempool, not announced to peers.
      if (!relay && !wasUnbroadcast) m.pool.removeUnbroadcast(r.txid);
      return { ok: true };
    },
    getTransactionAncestry(txid): Promise<TransactionAncestry> {
      const p = pool();
      const entry = p?.get(txid.toLowerCase());
      if (!p || !entry) {
        return Promise.resolve({ ancestors: 0, clusterCount: 0, ancestorSize: 0, ancestorFees: 0n });
      }
      const all = [entry, ...p.ancestors(entry)];
      return Promise.resolve({
        ancestors: all.length,
        clusterCount: p.cluster(entry).length,
        ancestorSize: all.reduce((s, e) => s + e.vsize, 0),
        ancestorFees: all.reduce((s, e) => s + e.modifiedFee, 0n),
      });
    },
    getPackageLimits() {
      const limits = opts.mempool()?.settings.limits;
      return Promise.resolve({
        ancestorCount: limits?.ancestorCount ?? 25,
        descendantCount: limits?.descendantCount ?? 25,
      });
    },
    checkChainLimits(bytes) {
      const m = opts.mempool();
      if (m === null) return Promise.resolve(null);
      const tx = decodeTx(bytes);
      const seen = new Set<string>();
      let count = 1;
      let size = Math.ceil(transactionWeight(tx) / 4);
      for (const input of tx.inputs) {
        const parent = m.pool.get(reverseHex(input.prevout.txid));
        if (parent === undefined || seen.has(parent.txidHex)) continue;
        for (const e of m.pool.cluster(parent)) {
          if (seen.has(e.txidHex)) continue;
          seen.add(e.txidHex);
          count++;
          size += e.vsize;
        }
      }
      const limits = m.settings.limits;
      return Promise.resolve(
        count > limits.clusterCount || size > limits.clusterSizeVbytes
          ? "too many unconfirmed transactions in cluster"
          : null,
      );
    },
    estimateSmartFee(numBlocks, conservative): Promise<ChainFeeEstimate> {
      const f = opts.fees();
      if (f === null) return Promise.resolve({ feeRate: 0n, returnedTarget: 0, reason: "None" });
      const e = f.estimateSmartFee(numBlocks, conservative);
      return Promise.resolve({ feeRate: e.feeRate, returnedTarget: e.returnedTarget, reason: e.reason });
    },
    estimateMaxBlocks: () => Promise.resolve(opts.fees()?.highestTargetTracked("long") ?? 0),
    mempoolMinFee: () => Promise.resolve(pool()?.getMinFee().getFeePerK() ?? 0n),
    relayMinFee: () => Promise.resolve(opts.mempool()?.settings.minRelayFeeRate.getFeePerK() ?? 100n),
    relayIncrementalFee: () =>
      Promise.resolve(opts.mempool()?.settings.incrementalRelayFeeRate.getFeePerK() ?? 100n),
    relayDustFee: () => Promise.resolve(opts.mempool()?.settings.dustRelayFeeRate.getFeePerK() ?? 3000n),
    havePruned: () => Promise.resolve(opts.havePruned?.() ?? false),
    isReadyToBroadcast: () => Promise.resolve(!chain.isInitialBlockDownload()),
    isInitialBlockDownload: () => Promise.resolve(chain.isInitialBlockDownload()),
    shutdownRequested: () => Promise.resolve(opts.shutdownRequested?.() ?? false),
    initMessage(message) {
      opts.logger?.info(`init message: ${message}`);
      return Promise.resolve();
    },
    initWarning(message) {
      // Core's noui message box: logged, and `Warning: …` on stderr.
      opts.logger?.warn(message);
      console.error(`Warning: ${message}`);
      return Promise.resolve();
    },
    initError(message) {
      opts.logger?.error(message);
      return Promise.resolve();
    },
    handleNotifications(notifications): Promise<Handler> {
      const client = new NotificationClient(notifications, opts.logger);
      clients.add(client);
      unsubscribe ??= opts.signals.subscribe(listener);
      return Promise.resolve({
        disconnect: () => {
          client.close();
          clients.delete(client);
          if (clients.size === 0 && unsubscribe) {
            unsubscribe();
            unsubscribe = null;
          }
          return Promise.resolve();
        },
      });
    },
    async waitForNotifications() {
      await opts.signals.sync();
      await Promise.all([...clients].map((c) => c.drained()));
    },
    async requestMempoolTransactions(notifications) {
      const p = pool();
      if (p === null) return;
      for (const entry of [...p.entries()]) {
        await notifications.transactionAddedToMempool(encodeTransaction(entry.tx), entry.sequence);
      }
    },
    async readBlocks(fromHeight, count, maxBytes): Promise<ChainBlock[]> {
      const out: ChainBlock[] = [];
      let bytes = 0;
      for (let h = Math.max(0, fromHeight); out.length < count && h <= chain.height(); h++) {
        const e = chain.atHeight(h)!;
        if (!e.haveData) break;
        const data = await readRaw(e);
        out.push({ height: h, hash: e.hashHex, data });
        bytes += data.length;
        if (bytes >= Math.min(maxBytes, READ_BLOCKS_MAX_BYTES)) break;
      }
      return out;
    },
    getSetting: (name) => Promise.resolve(opts.settings?.get(name) ?? null),
    getSettingsList: (name) => Promise.resolve(opts.settings?.list(name) ?? []),
    getRwSetting: (name) => Promise.resolve(opts.rwSettings?.get(name) ?? null),
    updateRwSetting: (name, value) => opts.rwSettings?.update(name, value) ?? Promise.resolve(false),
    handleRpc(commands, rpc) {
      if (!opts.handleRpc) {
        return Promise.reject(new Error("Cannot handle RPC: this node serves no chain clients"));
      }
      return Promise.resolve(opts.handleRpc(commands, rpc));
    },
    close() {
      for (const c of clients) c.close();
      clients.clear();
      unsubscribe?.();
      unsubscribe = null;
      opts.onClose?.();
      return Promise.resolve();
    },
  };
}

/** Core's `TransactionErrorString` for the errors a broadcast reports without text. */
function transactionErrorText(error: string): string {
  switch (error) {
    case "MISSING_INPUTS":
      return "Inputs missing or spent";
    case "ALREADY_IN_UTXO_SET":
      return "Transaction outputs already in utxo set";
    case "MEMPOOL_REJECTED":
      return "Transaction rejected by mempool";
    case "MAX_FEE_EXCEEDED":
      return "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)";
    default:
      return "Mempool internal error";
  }
}
