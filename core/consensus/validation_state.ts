/**
 * The outcome of a validation check (Core's `ValidationState`, `TxValidationState`, `BlockValidationState`) as
 * plain data: `{valid: true}` or `{valid: false, result, reason, debug?}`, where `reason` is Core's reject reason
 * (e.g. "bad-txns-vin-empty", sent in P2P reject logic and shown by RPC) and `result` Core's classification
 * (which says, for instance, whether the peer that sent a block should be punished).
 *
 * @module
 */

/** Core's `TxValidationResult` (why a transaction is invalid), by its enumerator name. */
export type TxValidationResult =
  | "TX_CONSENSUS"
  | "TX_INPUTS_NOT_STANDARD"
  | "TX_NOT_STANDARD"
  | "TX_MISSING_INPUTS"
  | "TX_PREMATURE_SPEND"
  | "TX_WITNESS_MUTATED"
  | "TX_WITNESS_STRIPPED"
  | "TX_CONFLICT"
  | "TX_MEMPOOL_POLICY"
  | "TX_NO_MEMPOOL"
  | "TX_RECONSIDERABLE"
  | "TX_UNKNOWN";

/** Core's `BlockValidationResult` (why a block is invalid), by its enumerator name. */
export type BlockValidationResult =
  | "BLOCK_CONSENSUS"
  | "BLOCK_CACHED_INVALID"
  | "BLOCK_INVALID_HEADER"
  | "BLOCK_MUTATED"
  | "BLOCK_MISSING_PREV"
  | "BLOCK_INVALID_PREV"
  | "BLOCK_TIME_FUTURE"
  | "BLOCK_HEADER_LOW_WORK";

/** A passed check. */
export interface ValidState {
  /** Always true. */
  readonly valid: true;
}

/** A failed check (Core's `ValidationState::Invalid(result, reject_reason, debug_message)`). */
export interface InvalidState<R extends string = TxValidationResult | BlockValidationResult> {
  /** Always false. */
  readonly valid: false;
  /** Core's classification of the failure. */
  readonly result: R;
  /** Core's reject reason, e.g. "bad-txns-inputs-duplicate". */
  readonly reason: string;
  /** Extra detail for logs (Core's debug message), when there is any. */
  readonly debug?: string;
}

/** The outcome of a check: valid, or invalid with a reason. */
export type ValidationState<R extends string = TxValidationResult | BlockValidationResult> =
  | ValidState
  | InvalidState<R>;

/** Outcome of a transaction check (Core's `TxValidationState`). */
export type TxValidationState = ValidationState<TxValidationResult>;

/** Outcome of a block check (Core's `BlockValidationState`). */
export type BlockValidationState = ValidationState<BlockValidationResult>;

/** The one valid state (frozen; compare with `.valid`, not by identity). */
export const VALID: ValidState = Object.freeze({ valid: true });

/** A failed state; `debug` is left out when empty or absent. */
export function invalid<R extends string>(result: R, reason: string, debug?: string): InvalidState<R> {
  return debug === undefined || debug === ""
    ? { valid: false, result, reason }
    : { valid: false, result, reason, debug };
}

/** Core's `ValidationState::ToString`: "Valid", the reason, or "reason, debug". */
export function validationStateToString(state: ValidationState<string>): string {
  if (state.valid) return "Valid";
  return state.debug ? `${state.reason}, ${state.debug}` : state.reason;
}
