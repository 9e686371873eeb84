/**
 * The chain: the block tree, contextual validation (Core's validation.cpp) and the chain state with chain
 * selection, reorgs and crash recovery, behind the {@link Chainstate} contract.
 *
 * @module
 */
export type {
  BlockIndexEntry,
  BlockValidationState,
  ChainCoin,
  ChainEvents,
  Chainstate,
  TransactionWithFee,
} from "./types.ts";
export {
  BlockIndex,
  hashToHex,
  hexToHash,
  IndexEntry,
  lastCommonAncestor,
  MEDIAN_TIME_SPAN,
  skipHeight,
} from "./block_index.ts";
export {
  connectBlock,
  contextualCheckBlock,
  contextualCheckBlockHeader,
  disconnectBlock,
  isFinalTx,
  LOCKTIME_THRESHOLD,
  MAX_FUTURE_BLOCK_TIME,
  nextWorkRequired,
  scriptFlagsFor,
  sequenceLocksSatisfied,
} from "./validation.ts";
export type { ConnectContext, ConnectResult, DisconnectResult } from "./validation.ts";
export { DEFAULT_MAX_TIP_AGE, openChainstate } from "./chainstate.ts";
export type { ChainstateImpl, OpenChainstateOptions } from "./chainstate.ts";
