/**
 * Coin selection as Bitcoin Core's wallet does it (wallet/coinselection.cpp and spend.cpp): coins and output
 * groups, eligibility filters, Branch and Bound, CoinGrinder, Knapsack and Single Random Draw, the waste metric,
 * and the driver that picks the least wasteful result. Pure: no I/O; randomness is injectable.
 *
 * @module
 */
export * from "./rng.ts";
export * from "./coin.ts";
export * from "./params.ts";
export * from "./eligibility.ts";
export * from "./output_group.ts";
export * from "./selection_result.ts";
export { selectCoinsBnB, TOTAL_TRIES } from "./bnb.ts";
export { coinGrinder } from "./coin_grinder.ts";
export { approximateBestSubset, type BestSubset, KNAPSACK_ITERATIONS, knapsackSolver } from "./knapsack.ts";
export { selectCoinsSRD } from "./srd.ts";
export * from "./select.ts";
// The types the API uses, for callers' convenience.
export { FeeRate, type FeeRateFormat } from "../../node/policy/feerate.ts";
export type { FeeFrac } from "../../node/policy/feefrac.ts";
export type { OutPoint, TxOut } from "../../core/wire/types.ts";
