/**
 * The signature checker for one input of a real transaction (Core's `GenericTransactionSignatureChecker` with
 * `MissingDataBehavior::FAIL`): computes signature hashes (sighash.ts) and verifies them through a `Secp256k1`
 * backend, and checks OP_CHECKLOCKTIMEVERIFY / OP_CHECKSEQUENCEVERIFY against the transaction.
 *
 * @module
 */

import { defaultSecp256k1 } from "../crypto/default_backend.ts";
import { parseDerLax } from "../crypto/der.ts";
import { isPubkeySizeValid, type Secp256k1 } from "../crypto/secp256k1.ts";
import type { Transaction, TxOut } from "../wire/types.ts";
import type { ScriptExecutionData, SignatureChecker, SigVersion } from "./checker.ts";
import { LOCKTIME_THRESHOLD } from "./script.ts";
import { PrecomputedTransactionData, signatureHash, signatureHashSchnorr } from "./sighash.ts";

/** nSequence value that disables nLockTime and CHECKLOCKTIMEVERIFY for the input (`CTxIn::SEQUENCE_FINAL`). */
export const SEQUENCE_FINAL = 0xffffffff;
/** BIP68: relative lock time disabled (`CTxIn::SEQUENCE_LOCKTIME_DISABLE_FLAG`). */
export const SEQUENCE_LOCKTIME_DISABLE_FLAG = 0x80000000;
/** BIP68: relative lock time in units of 512 seconds (`CTxIn::SEQUENCE_LOCKTIME_TYPE_FLAG`). */
export const SEQUENCE_LOCKTIME_TYPE_FLAG = 0x00400000;
/** BIP68: the relative lock time value bits (`CTxIn::SEQUENCE_LOCKTIME_MASK`). */
export const SEQUENCE_LOCKTIME_MASK = 0x0000ffff;

/** Options of {@link TransactionSignatureChecker}. */
export interface TransactionSignatureCheckerOptions {
  /** The spending transaction. */
  tx: Transaction;
  /** Index of the input being verified. */
  inputIndex: number;
  /** Amount of the output this input spends (BIP143 signs it); negative means unknown (witness v0 checks fail). */
  amount: bigint;
  /**
   * Per-transaction hashes shared by all inputs (create one per transaction and pass it to every input's
   * checker). Built from `tx` and `spentOutputs` when absent.
   */
  precomputed?: PrecomputedTransactionData;
  /** The outputs all inputs spend, in input order (needed for taproot; ignored when `precomputed` is given). */
  spentOutputs?: readonly TxOut[];
  /** secp256k1 backend (default: {@link defaultSecp256k1}). */
  secp?: Secp256k1;
}

interface SighashCacheEntry {
  sigversion: SigVersion;
  hashType: number;
  scriptCode: Uint8Array;
  hash: Uint8Array;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Core's `TransactionSignatureChecker`: checks signatures and time locks for one input of `tx`. */
export class TransactionSignatureChecker implements SignatureChecker {
  /** The spending transaction. */
  readonly tx: Transaction;
  /** Index of the input being verified. */
  readonly inputIndex: number;
  /** Amount of the spent output. */
  readonly amount: bigint;
  /** The secp256k1 backend used. */
  readonly secp: Secp256k1;
  #precomputed: PrecomputedTransactionData | null;
  #spentOutputs: readonly TxOut[] | undefined;
  /** Recent ECDSA sighashes (Core's SigHashCache idea): CHECKMULTISIG re-hashes the same signature per key. */
  #sighashes: SighashCacheEntry[] = [];

  /** Throws a RangeError when `inputIndex` is not an input of `tx` (a caller bug). */
  constructor(options: TransactionSignatureCheckerOptions) {
    const { tx, inputIndex } = options;
    if (!Number.isInteger(inputIndex) || inputIndex < 0 || inputIndex >= tx.inputs.length) {
      throw new RangeError(`Cannot check signatures: input ${inputIndex} of ${tx.inputs.length}`);
    }
    this.tx = tx;
    this.inputIndex = inputIndex;
    this.amount = options.amount;
    this.secp = options.secp ?? defaultSecp256k1();
    this.#precomputed = options.precomputed ?? null;
    this.#spentOutputs = options.spentOutputs;
  }

  /** The precomputed transaction data in use (built on first need when not given). */
  get precomputed(): PrecomputedTransactionData {
    return this.#precomputed ??= new PrecomputedTransactionData(this.tx, this.#spentOutputs);
  }

  #ecdsaSighash(scriptCode: Uint8Array, hashType: number, sigversion: "base" | "witness_v0"): Uint8Array {
    for (const e of this.#sighashes) {
      if (e.hashType === hashType && e.sigversion === sigversion && sameBytes(e.scriptCode, scriptCode)) {
        return e.hash;
      }
    }
    const hash = signatureHash(scriptCode, this.tx, this.inputIndex, hashType, {
      sigversion,
      amount: this.amount,
      precomputed: this.precomputed,
    });
    if (this.#sighashes.length >= 4) this.#sighashes.shift();
    this.#sighashes.push({ sigversion, hashType, scriptCode: scriptCode.slice(), hash });
    return hash;
  }

  /**
   * Core's `CheckECDSASignature`: false when the public key's size does not match its header, the signature is
   * empty, the witness v0 amount is unknown (negative), the DER (without the last byte, the hash type) does not
   * parse laxly, or verification fails. High S values are accepted (normalized; LOW_S is the interpreter's).
   */
  checkEcdsaSignature(
    sig: Uint8Array,
    pubkey: Uint8Array,
    scriptCode: Uint8Array,
    sigversion: SigVersion,
  ): boolean {
    if (!isPubkeySizeValid(pubkey)) return false;
    if (sig.length === 0) return false;
    if (sigversion !== "base" && sigversion !== "witness_v0") return false;
    if (sigversion === "witness_v0" && this.amount < 0n) return false;
    const compact = parseDerLax(sig.subarray(0, sig.length - 1));
    if (compact === null) return false;
    const sighash = this.#ecdsaSighash(scriptCode, sig[sig.length - 1], sigversion);
    return this.secp.verifyEcdsa(compact, sighash, pubkey);
  }

  /**
   * Core's `CheckSchnorrSignature` for sigversion "taproot" (key path) or "tapscript": SCHNORR_SIG_SIZE unless
   * 64 or 65 bytes; SCHNORR_SIG_HASHTYPE for a 65-byte signature with hash type 0, an invalid hash type,
   * SIGHASH_SINGLE without a matching output, or missing spent outputs; SCHNORR_SIG when verification fails.
   * Throws a RangeError for another sigversion (a caller bug; Core asserts).
   */
  checkSchnorrSignature(
    sig: Uint8Array,
    pubkey: Uint8Array,
    sigversion: SigVersion,
    execdata: ScriptExecutionData,
  ): "SCHNORR_SIG_SIZE" | "SCHNORR_SIG_HASHTYPE" | "SCHNORR_SIG" | null {
    if (sig.length !== 64 && sig.length !== 65) return "SCHNORR_SIG_SIZE";
    let hashType = 0;
    let sig64 = sig;
    if (sig.length === 65) {
      hashType = sig[64];
      if (hashType === 0) return "SCHNORR_SIG_HASHTYPE";
      sig64 = sig.subarray(0, 64);
    }
    const sighash = signatureHashSchnorr(
      this.tx,
      this.inputIndex,
      hashType,
      sigversion,
      execdata,
      this.precomputed,
    );
    if (sighash === null) return "SCHNORR_SIG_HASHTYPE";
    if (!this.secp.verifySchnorr(sig64, sighash, pubkey)) return "SCHNORR_SIG";
    return null;
  }

  /**
   * Core's `CheckLockTime` (BIP65): `locktime` (the script's non-negative operand) and the transaction's
   * nLockTime must be of the same kind (height or time), `locktime` ≤ nLockTime, and this input's nSequence
   * must not be final.
   */
  checkLockTime(locktime: bigint): boolean {
    const txLockTime = BigInt(this.tx.locktime >>> 0);
    const threshold = BigInt(LOCKTIME_THRESHOLD);
    if (
      !((txLockTime < threshold && locktime < threshold) ||
        (txLockTime >= threshold && locktime >= threshold))
    ) {
      return false;
    }
    if (locktime > txLockTime) return false;
    if (this.tx.inputs[this.inputIndex].sequence >>> 0 === SEQUENCE_FINAL) return false;
    return true;
  }

  /**
   * Core's `CheckSequence` (BIP112): the transaction version (as uint32) must be ≥ 2, this input's nSequence
   * must not have the disable flag, and under the type flag and value mask both must be of the same kind with
   * `sequence` ≤ the input's.
   */
  checkSequence(sequence: bigint): boolean {
    const txSequence = BigInt(this.tx.inputs[this.inputIndex].sequence >>> 0);
    if (this.tx.version >>> 0 < 2) return false;
    if ((txSequence & BigInt(SEQUENCE_LOCKTIME_DISABLE_FLAG)) !== 0n) return false;
    const mask = BigInt(SEQUENCE_LOCKTIME_TYPE_FLAG | SEQUENCE_LOCKTIME_MASK);
    const typeFlag = BigInt(SEQUENCE_LOCKTIME_TYPE_FLAG);
    const txMasked = txSequence & mask;
    const masked = sequence & mask;
    if (!((txMasked < typeFlag && masked < typeFlag) || (txMasked >= typeFlag && masked >= typeFlag))) {
      return false;
    }
    if (masked > txMasked) return false;
    return true;
  }
}
