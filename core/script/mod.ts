/**
 * Bitcoin script: opcodes, parsing and push encoding, script numbers, Core's asm text forms, standard output
 * templates (Solver), sigop counting, verify flags, script errors, the interpreter (EvalScript/VerifyScript),
 * signature hashing and the transaction signature checker.
 *
 * @module
 */
export * from "./opcodes.ts";
export * from "./script.ts";
export * from "./asm.ts";
export * from "./standard.ts";
export * from "./sigops.ts";
export type * from "./checker.ts";
export * from "./sighash.ts";
export * from "./tx_checker.ts";
export * from "./flags.ts";
export * from "./script_error.ts";
export * from "./interpreter.ts";
