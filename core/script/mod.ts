/**
 * Bitcoin script: opcodes, parsing and push encoding, script numbers, Core's asm text forms, standard output
 * templates (Solver) and sigop counting. The interpreter, verify flags, script errors and signature hashing are
 * appended here by their owners.
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
