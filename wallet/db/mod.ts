/**
 * The wallet's storage: the per-wallet Deno KV database with batched writes and an exclusive lock, and the
 * layout and encodings of its records.
 *
 * @module
 */
export * from "./database.ts";
export * from "./records.ts";
