/**
 * Fee estimation as Bitcoin Core does it: the block policy estimator (block_policy_estimator.ts) over three
 * horizons of per-bucket confirmation statistics (tx_confirm_stats.ts), `fee_estimates.dat` reading and
 * writing (fee_estimates_file.ts), the estimate modes (fee_modes.ts), the mempool link (mempool_listener.ts)
 * and the BIP133 fee filter rounding (fee_filter_rounder.ts).
 *
 * @module
 */
export * from "./block_policy_estimator.ts";
export * from "./tx_confirm_stats.ts";
export * from "./fee_estimates_file.ts";
export * from "./fee_modes.ts";
export * from "./mempool_listener.ts";
export * from "./fee_filter_rounder.ts";
