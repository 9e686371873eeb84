/**
 * The boundary between the script interpreter and the transaction it validates (Core's
 * `BaseSignatureChecker`): the interpreter decides *what* to check, a checker knows the transaction and computes
 * signature hashes and verifies signatures, lock times and sequences.
 *
 * @module
 */

/** Which rules a script runs under (Core's `SigVersion`). */
export type SigVersion = "base" | "witness_v0" | "taproot" | "tapscript";

/** Data the interpreter passes to taproot/tapscript signature checks (Core's `ScriptExecutionData`). */
export interface ScriptExecutionData {
  /** Tapleaf hash of the script being executed (tapscript). */
  tapleafHash?: Uint8Array;
  /** Opcode position of the last executed OP_CODESEPARATOR, 0xffffffff if none (tapscript). */
  codeseparatorPos?: number;
  /** The annex (including its 0x50 prefix), or null when absent. */
  annex?: Uint8Array | null;
  /** Remaining validation weight budget (tapscript). */
  validationWeightLeft?: number;
}

/** Verifies signatures and time locks against one input of a transaction. */
export interface SignatureChecker {
  /**
   * ECDSA: `sig` is DER plus the hash-type byte, `pubkey` a serialized public key, `scriptCode` the script
   * code after FindAndDelete/OP_CODESEPARATOR handling (done by the interpreter). Returns false for any failure.
   */
  checkEcdsaSignature(
    sig: Uint8Array,
    pubkey: Uint8Array,
    scriptCode: Uint8Array,
    sigversion: SigVersion,
  ): boolean;
  /**
   * BIP340 Schnorr for taproot key path and tapscript: `sig` is 64 or 65 bytes, `pubkey` 32 bytes x-only.
   * Returns null on success, else the script error name: "SCHNORR_SIG_SIZE", "SCHNORR_SIG_HASHTYPE" or
   * "SCHNORR_SIG".
   */
  checkSchnorrSignature(
    sig: Uint8Array,
    pubkey: Uint8Array,
    sigversion: SigVersion,
    execdata: ScriptExecutionData,
  ): "SCHNORR_SIG_SIZE" | "SCHNORR_SIG_HASHTYPE" | "SCHNORR_SIG" | null;
  /** OP_CHECKLOCKTIMEVERIFY against the transaction's locktime and this input's sequence. */
  checkLockTime(locktime: bigint): boolean;
  /** OP_CHECKSEQUENCEVERIFY against this input's sequence and the transaction's version. */
  checkSequence(sequence: bigint): boolean;
}
