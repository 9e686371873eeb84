/**
 * The Chain interface (Core's `interfaces::Chain`): what a chain client — the wallet process — may ask of the
 * node, and the notifications it receives (`ChainNotifications`, Core's `Chain::Notifications`). Implemented
 * in-process by `node/interfaces/chain.ts` and over IPC by `ipc/proxies/chain.ts`; the caller cannot tell
 * which. Every call is async (over IPC it is a round trip).
 *
 * Conventions: block hashes and txids are display-order hex strings (as RPCs show them; internal byte order on
 * the wire); transactions and blocks travel as their serialization (with witness data); amounts and feerates
 * are satoshis and sat/kvB as `bigint`.
 *
 * @module
 */
import type { JsonValue } from "../rpc/json.ts";
import type { RpcHelpSpec } from "../rpc/help.ts";
import type { Rpc } from "./rpc.ts";

/** Most block data one {@linkcode Chain.readBlocks} call returns (16 MiB; IPC messages are limited to 64 MiB). */
export const READ_BLOCKS_MAX_BYTES = 16 * 1024 * 1024;

/** A block hash or txid: 64 hex digits, display (RPC) order. */
export type Hash256Hex = string;

/** What {@link Chain.findBlock} and friends should report about a block (Core's `FoundBlock` request). */
export interface FoundBlockRequest {
  /** Report the block's header time. */
  time?: boolean;
  /** Report the maximum header time of the block and its ancestors (Core's `GetBlockTimeMax`). */
  maxTime?: boolean;
  /** Report the median time past. */
  mtpTime?: boolean;
  /** Report whether the block is on the active chain (hash and height are always reported). */
  inActiveChain?: boolean;
  /** Report a locator of the block (tip first, genesis last). */
  locator?: boolean;
  /** Report the serialized block (fails to find a block whose data is not on disk, as Core's `FillBlock`). */
  data?: boolean;
  /** Report the active chain's next block, with these fields (only when this block is on the active chain). */
  nextBlock?: FoundBlockRequest;
}

/** What is known about a found block (Core's `FoundBlock` answer). Fields not requested are absent. */
export interface FoundBlock {
  /** Block hash. */
  hash: Hash256Hex;
  /** Height. */
  height: number;
  /** Header time. */
  time?: number;
  /** Maximum header time up to this block. */
  maxTime?: number;
  /** Median time past. */
  mtpTime?: number;
  /** On the active chain. */
  inActiveChain?: boolean;
  /** Locator hashes, this block first. */
  locator?: Hash256Hex[];
  /** The serialized block. */
  data?: Uint8Array;
  /** The next block on the active chain, when asked for and it exists (null: asked, but none). */
  nextBlock?: FoundBlock | null;
}

/** A block as the notifications carry it (Core's `interfaces::BlockInfo`). */
export interface BlockInfo {
  /** Block hash. */
  hash: Hash256Hex;
  /** Previous block's hash ("" for genesis). */
  prevHash: Hash256Hex;
  /** Height. */
  height: number;
  /** Header time. */
  time: number;
  /** Maximum header time up to this block (Core's `chain_time_max`). */
  chainTimeMax: number;
  /** The serialized block. */
  data: Uint8Array;
}

/** A block read for a rescan ({@link Chain.readBlocks}). */
export interface ChainBlock {
  /** Height on the active chain. */
  height: number;
  /** Block hash. */
  hash: Hash256Hex;
  /** The serialized block. */
  data: Uint8Array;
}

/** An outpoint: txid (display hex) and output index. */
export interface ChainOutPoint {
  /** Txid, display hex. */
  txid: Hash256Hex;
  /** Output index. */
  vout: number;
}

/** An unspent output found by {@link Chain.findCoins} (Core's `Coin`). */
export interface ChainCoinInfo {
  /** Value in satoshis. */
  value: bigint;
  /** The output script. */
  scriptPubKey: Uint8Array;
  /** Height of the block that created it; 0x7fffffff (Core's `MEMPOOL_HEIGHT`) for a mempool output. */
  height: number;
  /** Created by a coinbase. */
  coinbase: boolean;
}

/** Core's `RBFTransactionState`. */
export type RbfState = "unknown" | "replaceable_bip125" | "final";

/** Why a transaction left the mempool (Core's `MemPoolRemovalReason`). */
export type MempoolRemovalReason = "expiry" | "sizelimit" | "reorg" | "block" | "conflict" | "replaced";

/** The mempool ancestry of a transaction (Core's `getTransactionAncestry`). All 0 when not in the mempool. */
export interface TransactionAncestry {
  /** Number of in-mempool ancestors including the transaction itself. */
  ancestors: number;
  /** Number of transactions in its cluster. */
  clusterCount: number;
  /** Virtual size of the ancestors including itself. */
  ancestorSize: number;
  /** Modified fees of the ancestors including itself (sat). */
  ancestorFees: bigint;
}

/** Outcome of {@link Chain.broadcastTransaction}. */
export type BroadcastOutcome =
  | { ok: true }
  | {
    ok: false;
    /** Core's `TransactionError` name, e.g. "MEMPOOL_REJECTED", "MAX_FEE_EXCEEDED". */
    error: string;
    /** The text Core puts in `err_string` (the reject reason), or Core's `TransactionErrorString`. */
    message: string;
  };

/** A fee estimate (Core's `CFeeRate` plus the `FeeCalculation` fields the wallet uses). */
export interface ChainFeeEstimate {
  /** sat/kvB; 0n when there is no estimate. */
  feeRate: bigint;
  /** Target the estimate is for (0 without data). */
  returnedTarget: number;
  /** Core's `FeeReason` name. */
  reason: string;
}

/** A wallet RPC method the chain client serves ({@link Chain.handleRpc}): its full documentation. */
export type RpcCommandSpec = RpcHelpSpec & {
  /** Help category ("wallet"). */
  category: string;
};

/** A registration ({@link Chain.handleNotifications}, {@link Chain.handleRpc}); Core's `interfaces::Handler`. */
export interface Handler {
  /** Ends the registration (idempotent; notifications already queued may still arrive). */
  disconnect(): Promise<void>;
}

/**
 * The notifications a chain client receives (Core's `Chain::Notifications`), one at a time and in the order the
 * node raised them: the next one is sent when the previous one has returned.
 */
export interface ChainNotifications {
  /** A transaction entered the mempool; `sequence` is the mempool sequence number. */
  transactionAddedToMempool(tx: Uint8Array, sequence: number): Promise<void>;
  /** A transaction left the mempool for `reason` (not sent for "block": blockConnected covers it). */
  transactionRemovedFromMempool(
    tx: Uint8Array,
    reason: MempoolRemovalReason,
    sequence: number,
  ): Promise<void>;
  /** A block joined the active chain. */
  blockConnected(block: BlockInfo): Promise<void>;
  /** A block left the active chain (its data is the disconnected block). */
  blockDisconnected(block: BlockInfo): Promise<void>;
  /** The tip moved (after a batch of connects and disconnects). */
  updatedBlockTip(): Promise<void>;
  /** The chain state was written to disk with this best-block locator: the client may record it as well. */
  chainStateFlushed(locator: Hash256Hex[]): Promise<void>;
}

/** The node as a chain client sees it (Core's `interfaces::Chain`). */
export interface Chain {
  /** Height of the tip (0: only genesis), or null when the chain has no block. */
  getHeight(): Promise<number | null>;
  /** Hash of the active chain's block at `height`; throws when out of range. */
  getBlockHash(height: number): Promise<Hash256Hex>;
  /** Whether the active chain's block at `height` is stored with its transactions (not pruned). */
  haveBlockOnDisk(height: number): Promise<boolean>;
  /**
   * Height of the highest active-chain block among the locator's hashes (Core's `FindForkInGlobalIndex`: the
   * fork point of the first known one), or null when none is known. What a client uses after a restart to find
   * where it stopped.
   */
  findLocatorFork(locator: readonly Hash256Hex[]): Promise<number | null>;
  /** The block `hash` (any known block), or null when unknown (or its data is asked for and missing). */
  findBlock(hash: Hash256Hex, want?: FoundBlockRequest): Promise<FoundBlock | null>;
  /** The first active-chain block with time (Core: max time) >= `minTime` and height >= `minHeight`, or null. */
  findFirstBlockWithTimeAndHeight(
    minTime: number,
    minHeight: number,
    want?: FoundBlockRequest,
  ): Promise<FoundBlock | null>;
  /** The ancestor of `blockHash` at `height` (Core: only for blocks on the active chain), or null. */
  findAncestorByHeight(
    blockHash: Hash256Hex,
    height: number,
    want?: FoundBlockRequest,
  ): Promise<FoundBlock | null>;
  /** `ancestorHash` when it is an ancestor of (or equal to) `blockHash`, else null. */
  findAncestorByHash(
    blockHash: Hash256Hex,
    ancestorHash: Hash256Hex,
    want?: FoundBlockRequest,
  ): Promise<FoundBlock | null>;
  /**
   * The last common ancestor of two blocks, with both blocks; `ancestor` is null when either block is unknown
   * or they share none (Core's `findCommonAncestor` returning false), the blocks are still reported when known.
   */
  findCommonAncestor(
    hash1: Hash256Hex,
    hash2: Hash256Hex,
    want?: { ancestor?: FoundBlockRequest; block1?: FoundBlockRequest; block2?: FoundBlockRequest },
  ): Promise<{ ancestor: FoundBlock | null; block1: FoundBlock | null; block2: FoundBlock | null }>;
  /**
   * Coins of the UTXO set and of mempool transactions, one answer (or null) per outpoint, in order (Core's
   * `FindCoins`: a coin spent only by a mempool transaction is still reported).
   */
  findCoins(outpoints: readonly ChainOutPoint[]): Promise<(ChainCoinInfo | null)[]>;
  /** Core's `GuessVerificationProgress` at block `hash` (0 when unknown). */
  guessVerificationProgress(hash: Hash256Hex): Promise<number>;
  /** Whether data is stored for every ancestor of `hash` with height in `minHeight..maxHeight` (inclusive). */
  hasBlocks(hash: Hash256Hex, minHeight?: number, maxHeight?: number | null): Promise<boolean>;
  /** Core's `IsRBFOptIn` for a serialized transaction. */
  isRBFOptIn(tx: Uint8Array): Promise<RbfState>;
  /** Whether `txid` is in the mempool. */
  isInMempool(txid: Hash256Hex): Promise<boolean>;
  /** Whether `txid` has descendants in the mempool. */
  hasDescendantsInMempool(txid: Hash256Hex): Promise<boolean>;
  /**
   * Submits a local transaction to the mempool (unless the fee exceeds `maxTxFee`; 0n: no limit) and, with
   * `relay`, announces it to peers. Core's `BroadcastTransaction`.
   */
  broadcastTransaction(tx: Uint8Array, maxTxFee: bigint, relay: boolean): Promise<BroadcastOutcome>;
  /** Mempool ancestry of `txid`. */
  getTransactionAncestry(txid: Hash256Hex): Promise<TransactionAncestry>;
  /** The mempool's ancestor and descendant count limits. */
  getPackageLimits(): Promise<{ ancestorCount: number; descendantCount: number }>;
  /** null when `tx` would pass the mempool's cluster limits, else the error text. */
  checkChainLimits(tx: Uint8Array): Promise<string | null>;
  /** Core's `estimateSmartFee`. */
  estimateSmartFee(numBlocks: number, conservative: boolean): Promise<ChainFeeEstimate>;
  /** The fee estimator's highest target (0 without an estimator). */
  estimateMaxBlocks(): Promise<number>;
  /** The mempool's minimum feerate to enter (sat/kvB). */
  mempoolMinFee(): Promise<bigint>;
  /** `-minrelaytxfee` (sat/kvB). */
  relayMinFee(): Promise<bigint>;
  /** `-incrementalrelayfee` (sat/kvB). */
  relayIncrementalFee(): Promise<bigint>;
  /** `-dustrelayfee` (sat/kvB). */
  relayDustFee(): Promise<bigint>;
  /** Whether any block was pruned. */
  havePruned(): Promise<boolean>;
  /** Whether the node accepts broadcasts now (not loading blocks, not in initial download). */
  isReadyToBroadcast(): Promise<boolean>;
  /** Core's `IsInitialBlockDownload`. */
  isInitialBlockDownload(): Promise<boolean>;
  /** Whether the node is shutting down. */
  shutdownRequested(): Promise<boolean>;
  /** Logs an init message in the node (Core's `init message: …`). */
  initMessage(message: string): Promise<void>;
  /** Logs an init warning in the node. */
  initWarning(message: string): Promise<void>;
  /** Logs an init error in the node. */
  initError(message: string): Promise<void>;
  /** Registers `notifications`; they arrive in order, one at a time, until the handler is disconnected. */
  handleNotifications(notifications: ChainNotifications): Promise<Handler>;
  /** Resolves once every notification raised before the call has been delivered. */
  waitForNotifications(): Promise<void>;
  /** Sends `transactionAddedToMempool` for every mempool transaction to `notifications`, then returns. */
  requestMempoolTransactions(notifications: ChainNotifications): Promise<void>;
  /**
   * Active-chain blocks from `fromHeight` up, at most `count` of them and about `maxBytes` of data (at least one
   * block is returned when one exists), for rescans. Stops early at a block whose data is not stored. `maxBytes`
   * is capped at {@linkcode READ_BLOCKS_MAX_BYTES} so that a batch fits in one IPC message.
   */
  readBlocks(fromHeight: number, count: number, maxBytes: number): Promise<ChainBlock[]>;
  /** A setting (command line / config), as JSON: a string, or null when unset (`false` when negated). */
  getSetting(name: string): Promise<JsonValue>;
  /** Every value of a list setting. */
  getSettingsList(name: string): Promise<JsonValue[]>;
  /** A value of `<datadir>/settings.json` (null when absent). */
  getRwSetting(name: string): Promise<JsonValue>;
  /** Sets (null: deletes) a value of settings.json and writes the file; false when it cannot be written. */
  updateRwSetting(name: string, value: JsonValue): Promise<boolean>;
  /**
   * Makes the node serve `commands` by forwarding them (with their `/wallet/<name>` URI and user) to `rpc`
   * (Core's `handleRpc`). Disconnecting the handler withdraws them.
   */
  handleRpc(commands: readonly RpcCommandSpec[], rpc: Rpc): Promise<Handler>;
  /** Releases this reference. */
  close(): Promise<void>;
}
