/**
 * The mempool (Core's `CTxMemPool` and `MemPoolAccept`): entries (entry.ts), the pool with its clusters, chunks,
 * removal rules and rolling minimum fee (txmempool.ts), acceptance of transactions and packages (accept.ts), and
 * the node-facing service that follows the chain (mempool.ts).
 *
 * @module
 */
export { estimateEntryUsage, MempoolEntry } from "./entry.ts";
export type { MempoolEntryInit } from "./entry.ts";
export { linearize, MEMPOOL_HEIGHT, ROLLING_FEE_HALFLIFE, TxMempool } from "./txmempool.ts";
export type { ChunkInfo, MempoolListener, RemovalReason, TxMempoolOptions } from "./txmempool.ts";
export { MemPoolAccept, sequenceLocksAtTip } from "./accept.ts";
export type {
  AcceptArgs,
  AcceptContext,
  MempoolAcceptFailure,
  MempoolAcceptResult,
  MempoolAcceptSuccess,
  PackageAcceptResult,
} from "./accept.ts";
export { Mempool } from "./mempool.ts";
export type { AcceptTransactionOptions, BroadcastResult, MempoolOptions } from "./mempool.ts";
export * from "./persist.ts";
