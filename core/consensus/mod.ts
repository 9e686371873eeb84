/**
 * Context-free consensus checks (Core's consensus/tx_check.cpp, the context-free parts of validation.cpp's block
 * checks, consensus/tx_verify.cpp's sigop counting, consensus/amount.h): results are {@link ValidationState}s
 * with Core's reject reasons.
 *
 * @module
 */
export { COIN, MAX_MONEY } from "../chain_params.ts";
export { formatMoney, moneyRange } from "./amount.ts";
export {
  calculateSequenceLocks,
  checkTxInputs,
  evaluateSequenceLocks,
  SEQUENCE_LOCKTIME_GRANULARITY,
} from "./tx_verify.ts";
export type { SequenceLocks, SpentCoin } from "./tx_verify.ts";
export {
  MAX_BLOCK_SERIALIZED_SIZE,
  MAX_BLOCK_SIGOPS_COST,
  MAX_BLOCK_WEIGHT,
  MIN_SERIALIZABLE_TRANSACTION_WEIGHT,
  MIN_TRANSACTION_WEIGHT,
} from "./consensus.ts";
export { invalid, VALID, validationStateToString } from "./validation_state.ts";
export type {
  BlockValidationResult,
  BlockValidationState,
  InvalidState,
  TxValidationResult,
  TxValidationState,
  ValidationState,
  ValidState,
} from "./validation_state.ts";
export { checkTransaction } from "./tx_check.ts";
export { getLegacySigOpCount, getTransactionP2shSigOpCount, getTransactionSigOpCost } from "./sigops.ts";
export { checkBlock, checkBlockHeader, checkBlockWeight, checkWitnessMalleation } from "./block_check.ts";
export type { CheckBlockHeaderOptions, CheckBlockOptions, CheckBlockParams } from "./block_check.ts";
export {
  checkSignetBlockSolution,
  fetchAndClearCommitmentSection,
  SIGNET_HEADER,
  SIGNET_SCRIPT_VERIFY_FLAGS,
  signetTxs,
} from "./signet.ts";
export type { SignetTxs } from "./signet.ts";
