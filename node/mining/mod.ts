/**
 * Mining: block assembly (Core's BlockAssembler), version bits, and nonce grinding for the generate RPCs.
 *
 * @module
 */
export {
  COINBASE_SEQUENCE,
  coinbaseScriptSig,
  createNewBlock,
  DEFAULT_BLOCK_MAX_WEIGHT,
  DEFAULT_BLOCK_MIN_TX_FEE,
  DEFAULT_BLOCK_RESERVED_WEIGHT,
  DEFAULT_COINBASE_OUTPUT_MAX_ADDITIONAL_SIGOPS,
  generateCoinbaseCommitment,
  getMinimumTime,
  isFinalTx,
  nextWorkRequired,
  regenerateCommitments,
} from "./block_assembler.ts";
export type { BlockAssemblerOptions, BlockTemplate } from "./block_assembler.ts";
export { DEFAULT_MAX_TRIES, generateBlocks, grindBlock } from "./mine.ts";
export type { GenerateBlocksOptions, GrindResult } from "./mine.ts";
export {
  computeBlockVersion,
  deploymentState,
  VERSIONBITS_TOP_BITS,
  VERSIONBITS_TOP_MASK,
} from "./version_bits.ts";
export type { ThresholdCache, ThresholdState } from "./version_bits.ts";
