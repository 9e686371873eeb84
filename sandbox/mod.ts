/**
 * Least-privilege sandboxing of tsbtc's component processes.
 *
 * @module
 */
export * from "./profile.ts";
export * from "./worker.ts";
export * from "./effective.ts";
export * from "./runtime_files.ts";
