/**
 * Parallel script verification and the validation caches (Core's CCheckQueue, CScriptCheck/CheckInputScripts,
 * SignatureCache and the script execution cache): a Worker pool that verifies a block's input scripts with a
 * bounded, lock-free queue and early exit on the first failure, and salted, bounded, thread-shared caches so
 * that transactions verified on mempool entry are not verified again in a block.
 *
 * @module
 */
export { checkInputScripts, scriptCheckFailure, verifyInputScript } from "./input_check.ts";
export type {
  CheckInputScriptsOptions,
  ScriptCheckFailure,
  ScriptCheckSuccess,
  TxScriptCheckResult,
} from "./input_check.ts";
export { ScriptCheckPool, VerifyPoolError } from "./pool.ts";
export type {
  ScriptCheckPoolOptions,
  ScriptChecksFailure,
  ScriptChecksResult,
  ScriptChecksSuccess,
  VerifyScriptsOptions,
} from "./pool.ts";
export type { ScriptCheckTx } from "./job.ts";
export { cachingSecp256k1, DEFAULT_SIGNATURE_CACHE_BYTES, SignatureCache } from "./signature_cache.ts";
export type { SignatureCacheHandle, SignatureCacheOptions } from "./signature_cache.ts";
export { DEFAULT_SCRIPT_EXECUTION_CACHE_BYTES, ScriptExecutionCache } from "./script_execution_cache.ts";
export type { ScriptExecutionCacheHandle, ScriptExecutionCacheOptions } from "./script_execution_cache.ts";
export { SharedHashSet } from "./shared_hash_set.ts";
export type { SharedHashSetHandle } from "./shared_hash_set.ts";
