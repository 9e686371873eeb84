/**
 * Moved: {@linkcode walletClient} lives in tests/wallet/wallet_rpc_helpers.ts with the other wallet test
 * helpers; this re-export goes once the last importer has switched.
 *
 * @module
 */
export { walletClient } from "../wallet_rpc_helpers.ts";
