/**
 * The wallet (issue 5, being built): coin selection as Bitcoin Core does it (coin_selection/).
 *
 * @module
 */
export * as coinSelection from "./coin_selection/mod.ts";
