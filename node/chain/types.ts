/**
 * The chain as the rest of the node sees it (Bitcoin Core's `ChainstateManager`, `CChain`, `CBlockIndex`): the
 * contract between the validation code (`node/chain/`) and its users — mining, the blockchain RPCs, later the
 * mempool, P2P and the wallet's Chain interface. Implemented by `node/chain/chainstate.ts`.
 *
 * @module
 */
import type { ChainParams } from "../../core/chain_params.ts";
import type { BlockValidationState } from "../../core/consensus/mod.ts";
import type { Block, BlockHeader, OutPoint, Transaction, TxOut } from "../../core/wire/types.ts";

/** One entry of the block index (Core's `CBlockIndex`). Immutable except for status and chainTx fields. */
export interface BlockIndexEntry {
  /** Block hash, internal byte order. */
  readonly hash: Uint8Array;
  /** Block hash in display order (hex), the key RPCs use. */
  readonly hashHex: string;
  /** Height (genesis 0). */
  readonly height: number;
  /** The header. */
  readonly header: BlockHeader;
  /** Previous entry (null for genesis). */
  readonly prev: BlockIndexEntry | null;
  /** Total work of the chain up to and including this block. */
  readonly chainWork: bigint;
  /** Median time past of this block (Core's GetMedianTimePast: median of the last 11 block times). */
  readonly medianTimePast: number;
  /** Validity level reached (Core's BlockStatus: "header" | "tree" | "transactions" | "chain" | "scripts"). */
  validity: "header" | "tree" | "transactions" | "chain" | "scripts";
  /** Marked invalid (by validation, or `invalidateblock`), or descending from an invalid block. */
  failed: "none" | "failed" | "failed-parent";
  /** Whether the full block / its undo data is stored. */
  haveData: boolean;
  /** Whether undo data is stored. */
  haveUndo: boolean;
  /** Number of transactions (0 when only the header is known). */
  nTx: number;
  /** Transactions in the chain up to and including this block (0 when unknown). */
  chainTx: number;
}

export type { BlockValidationState };

/** A coin of the UTXO set. */
export interface ChainCoin {
  /** The output. */
  readonly output: TxOut;
  /** Height of the block that created it. */
  readonly height: number;
  /** Created by a coinbase. */
  readonly coinbase: boolean;
}

/** Events of the chain, delivered in order (Core's validation interface, `CValidationInterface`). */
export interface ChainEvents {
  /** A block joined the active chain. */
  blockConnected?(block: Block, entry: BlockIndexEntry): void;
  /**
   * A block left the active chain (reorg, invalidateblock). `returnToMempool` is false past the 10th block of
   * one invalidateblock (Core's InvalidateBlock: its transactions do not return to the mempool).
   */
  blockDisconnected?(block: Block, entry: BlockIndexEntry, returnToMempool?: boolean): void;
  /** The tip moved; `initialDownload` as Core's IsInitialBlockDownload. */
  updatedBlockTip?(tip: BlockIndexEntry, forkPoint: BlockIndexEntry | null, initialDownload: boolean): void;
}

/** The node's chain state. */
export interface Chainstate {
  /** Network parameters. */
  readonly params: ChainParams;
  /** The active chain's tip. */
  tip(): BlockIndexEntry;
  /** Height of the tip. */
  height(): number;
  /** The active chain's entry at `height`, or null. */
  atHeight(height: number): BlockIndexEntry | null;
  /** Whether `entry` is on the active chain. */
  contains(entry: BlockIndexEntry): boolean;
  /** Looks a block up by hash (internal order bytes or display hex). */
  lookup(hash: Uint8Array | string): BlockIndexEntry | undefined;
  /** Every index entry (for getchaintips). */
  entries(): Iterable<BlockIndexEntry>;
  /** Core's IsInitialBlockDownload. */
  isInitialBlockDownload(): boolean;
  /**
   * Core's ProcessNewBlock: checks, stores and (if it has the most work) connects `block`, reorganising as
   * needed. `state` carries the reject reason when the block is invalid.
   */
  processNewBlock(
    block: Block,
    opts?: { force?: boolean },
  ): Promise<{ newBlock: boolean; state: BlockValidationState }>;
  /** Core's ProcessNewBlockHeaders (submitheader, P2P). */
  processNewBlockHeaders(headers: readonly BlockHeader[]): Promise<BlockValidationState>;
  /** Core's TestBlockValidity (getblocktemplate proposals, generateblock submit=false): no side effects. */
  testBlockValidity(
    block: Block,
    opts?: { checkPow?: boolean; checkMerkleRoot?: boolean },
  ): Promise<BlockValidationState>;
  /** Reads a stored block (throws when pruned or missing). */
  readBlock(entry: BlockIndexEntry): Promise<Block>;
  /** The spent coins of each non-coinbase transaction of a connected block (for fees in getblock verbosity 3). */
  readUndo(entry: BlockIndexEntry): Promise<readonly (readonly ChainCoin[])[]>;
  /** A coin of the UTXO set at the tip, or null (async: it may read the coins database). */
  getCoin(outpoint: OutPoint): Promise<ChainCoin | null>;
  /**
   * Runs `f` while no block connects or disconnects (Core's `LOCK(cs_main)`, as mempool acceptance holds it).
   * `coins` reads the UTXO set at the tip without queueing behind the lock (`getCoin` inside `f` would wait for
   * `f` itself to finish).
   */
  withLock<T>(f: (coins: (outpoint: OutPoint) => Promise<ChainCoin | null>) => Promise<T>): Promise<T>;
  /** Core's InvalidateBlock / ReconsiderBlock / PreciousBlock. */
  invalidateBlock(hash: string): Promise<void>;
  reconsiderBlock(hash: string): Promise<void>;
  preciousBlock(hash: string): Promise<void>;
  /** Subscribes to chain events; returns an unsubscribe function. */
  subscribe(events: ChainEvents): () => void;
  /** Writes everything to disk (Core's FlushStateToDisk ALWAYS). */
  flush(): Promise<void>;
  /** Flushes and closes the databases. */
  close(): Promise<void>;
}

/** A transaction with what mining and RPCs need to know about it. */
export interface TransactionWithFee {
  /** The transaction. */
  readonly tx: Transaction;
  /** Its fee in satoshis. */
  readonly fee: bigint;
}
