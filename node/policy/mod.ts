/**
 * Mempool policy as current Bitcoin Core applies it, as pure functions over plain data: standardness
 * (policy.ts), dust (dust.ts), feerates (feerate.ts, feefrac.ts), replacement by fee (rbf.ts), TRUC (truc.ts),
 * ephemeral dust (ephemeral.ts), packages (packages.ts), cluster limits (limits.ts), cluster linearization and
 * chunking (cluster.ts), option defaults and parsing (settings.ts), amount text (money.ts). The mempool calls
 * these in the order of Core's `MemPoolAccept`; see docs/policy.md.
 *
 * @module
 */
export * from "./money.ts";
export * from "./feefrac.ts";
export * from "./feerate.ts";
export * from "./dust.ts";
export * from "./policy.ts";
export * from "./settings.ts";
export * from "./ephemeral.ts";
export * from "./truc.ts";
export * from "./packages.ts";
export * from "./rbf.ts";
export * from "./limits.ts";
export * from "./cluster.ts";
