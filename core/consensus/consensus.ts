/**
 * Block limits (Core's `consensus/consensus.h`). `WITNESS_SCALE_FACTOR` is core/wire's and `COINBASE_MATURITY`
 * core/chain_params'; they are not redefined here.
 *
 * @module
 */

/** Largest serialized block, in bytes (Core's `MAX_BLOCK_SERIALIZED_SIZE`; for buffer limits only). */
export const MAX_BLOCK_SERIALIZED_SIZE = 4_000_000;
/** Largest block weight (BIP141; Core's `MAX_BLOCK_WEIGHT`). */
export const MAX_BLOCK_WEIGHT = 4_000_000;
/** Largest total signature operation cost of a block (Core's `MAX_BLOCK_SIGOPS_COST`). */
export const MAX_BLOCK_SIGOPS_COST = 80_000;
/** Lower bound of the weight of a valid transaction: 4 × 60 bytes (Core's `MIN_TRANSACTION_WEIGHT`). */
export const MIN_TRANSACTION_WEIGHT = 4 * 60;
/** Lower bound of the weight of a serialized transaction: 4 × 10 bytes (Core's `MIN_SERIALIZABLE_TRANSACTION_WEIGHT`). */
export const MIN_SERIALIZABLE_TRANSACTION_WEIGHT = 4 * 10;
