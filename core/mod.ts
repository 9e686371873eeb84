/**
 * Bitcoin's data structures and rules, as small pure modules.
 *
 * @module
 */
export * from "./chain_params_base.ts";
