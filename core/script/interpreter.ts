/**
 * The script interpreter: Core's `VerifyScript` (scriptSig + scriptPubKey, P2SH, segwit v0, taproot key and
 * script path, tapscript) and `EvalScript`. Signature hashing and verification are the {@link SignatureChecker}'s
 * job; the interpreter decides what is checked and applies every encoding and policy rule selected by the flags
 * (flags.ts).
 *
 * Results: `null` is success (Core's SCRIPT_ERR_OK), anything else is the {@link ScriptError} name Core's test
 * vectors use. Neither function ever throws, whatever the input.
 *
 * @module
 */

import type { ScriptExecutionData, SignatureChecker, SigVersion } from "./checker.ts";
import { defaultSecp256k1 } from "../crypto/default_backend.ts";
import { sha256, taggedHasher } from "../hash/hashes.ts";
import {
  SCRIPT_VERIFY_CLEANSTACK,
  SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS,
  SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION,
  SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM,
  SCRIPT_VERIFY_P2SH,
  SCRIPT_VERIFY_SIGPUSHONLY,
  SCRIPT_VERIFY_TAPROOT,
  SCRIPT_VERIFY_WITNESS,
} from "./flags.ts";
import { castToBool, evalScript, witnessV0KeyhashSpend } from "./interpreter/eval_script.ts";
import {
  computeTapleafHash,
  computeTaprootMerkleRoot,
  isValidControlBlockSize,
  TAPROOT_LEAF_MASK,
  TAPROOT_LEAF_TAPSCRIPT,
} from "./interpreter/taproot.ts";
import { isOpSuccess } from "./opcodes.ts";
import type { ScriptError } from "./script_error.ts";
import {
  ANNEX_TAG,
  isPayToAnchorProgram,
  isPayToScriptHash,
  isPushOnly,
  isWitnessProgram,
  MAX_SCRIPT_ELEMENT_SIZE,
  MAX_STACK_SIZE,
  pushData,
  ScriptCursor,
  VALIDATION_WEIGHT_OFFSET,
  WITNESS_V0_KEYHASH_SIZE,
  WITNESS_V0_SCRIPTHASH_SIZE,
  WITNESS_V1_TAPROOT_SIZE,
} from "./script.ts";

export { castToBool, evalScript } from "./interpreter/eval_script.ts";
export {
  checkPubKeyEncoding,
  checkSignatureEncoding,
  isValidSignatureEncoding,
} from "./interpreter/signature_encoding.ts";
export {
  computeTapbranchHash,
  computeTapleafHash,
  computeTaprootMerkleRoot,
  TAPROOT_CONTROL_BASE_SIZE,
  TAPROOT_CONTROL_MAX_NODE_COUNT,
  TAPROOT_CONTROL_MAX_SIZE,
  TAPROOT_CONTROL_NODE_SIZE,
  TAPROOT_LEAF_MASK,
  TAPROOT_LEAF_TAPSCRIPT,
} from "./interpreter/taproot.ts";

const TAPTWEAK = taggedHasher("TapTweak");

/** Bytes of Bitcoin's CompactSize encoding of `n`. */
function compactSizeLength(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

/** Serialized size of a witness stack (Core's `GetSerializeSize(witness.stack)`). */
function witnessSerializedSize(witness: readonly Uint8Array[]): number {
  let size = compactSizeLength(witness.length);
  for (const item of witness) size += compactSizeLength(item.length) + item.length;
  return size;
}

/** Whether `a` and `b` hold the same bytes. */
function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Core's `VerifyTaprootCommitment`: whether the output key `program` is the control block's internal key
 * tweaked with the merkle root of `tapleafHash` and the control block's path (with the control block's parity).
 */
export function verifyTaprootCommitment(
  control: Uint8Array,
  program: Uint8Array,
  tapleafHash: Uint8Array,
): boolean {
  const internal = control.subarray(1, 33);
  const merkleRoot = computeTaprootMerkleRoot(control, tapleafHash);
  const tweak = TAPTWEAK.clone().update(internal).update(merkleRoot).digest();
  return defaultSecp256k1().checkTapTweak(internal, program, (control[0] & 1) as 0 | 1, tweak);
}

/**
 * Core's `ExecuteWitnessScript`: runs a witness script (P2WSH script, implied P2WPKH script or tapscript leaf)
 * on `stack` (the witness items below it), then requires exactly one true element (implicit CLEANSTACK).
 * Tapscript first scans for OP_SUCCESSx (which succeeds at once, or fails under DISCOURAGE_OP_SUCCESS) and
 * limits the initial stack size.
 */
function executeWitnessScript(
  stack: Uint8Array[],
  script: Uint8Array,
  flags: number,
  sigversion: SigVersion,
  checker: SignatureChecker,
  execdata: ScriptExecutionData,
): ScriptError | null {
  if (sigversion === "tapscript") {
    const cursor = new ScriptCursor(script);
    while (cursor.pc < script.length) {
      // A truncated push is only an error if no OP_SUCCESSx comes before it.
      if (!cursor.next()) return "BAD_OPCODE";
      if (isOpSuccess(cursor.opcode)) {
        return (flags & SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS) !== 0 ? "DISCOURAGE_OP_SUCCESS" : null;
      }
    }
    if (stack.length > MAX_STACK_SIZE) return "STACK_SIZE";
  }
  for (const item of stack) if (item.length > MAX_SCRIPT_ELEMENT_SIZE) return "PUSH_SIZE";
  const error = evalScript(stack, script, flags, checker, sigversion, execdata);
  if (error !== null) return error;
  if (stack.length !== 1) return "CLEANSTACK";
  if (!castToBool(stack[0])) return "EVAL_FALSE";
  return null;
}

/**
 * Core's `VerifyWitnessProgram`: validates `witness` against the witness program (`version`, `program`):
 * P2WSH, P2WPKH, taproot key path, taproot script path (tapscript leaves; other leaf versions succeed unless
 * DISCOURAGE_UPGRADABLE_TAPROOT_VERSION), the pay-to-anchor program, and unknown versions (succeed unless
 * DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM). `isP2sh` is true for P2SH-wrapped programs (no taproot, no anchor).
 */
export function verifyWitnessProgram(
  witness: readonly Uint8Array[],
  version: number,
  program: Uint8Array,
  flags: number,
  checker: SignatureChecker,
  isP2sh: boolean,
): ScriptError | null {
  if (version === 0) {
    if (program.length === WITNESS_V0_SCRIPTHASH_SIZE) {
      // BIP141 P2WSH: the program is SHA256(script); the script is the last witness item.
      if (witness.length === 0) return "WITNESS_PROGRAM_WITNESS_EMPTY";
      const script = witness[witness.length - 1];
      if (!bytesEqual(sha256(script), program)) return "WITNESS_PROGRAM_MISMATCH";
      return executeWitnessScript(witness.slice(0, -1), script, flags, "witness_v0", checker, {});
    }
    if (program.length === WITNESS_V0_KEYHASH_SIZE) {
      // BIP141 P2WPKH: exactly <sig> <pubkey>, run as DUP HASH160 <program> EQUALVERIFY CHECKSIG.
      if (witness.length !== 2) return "WITNESS_PROGRAM_MISMATCH";
      return witnessV0KeyhashSpend(witness[0], witness[1], program, flags, checker);
    }
    return "WITNESS_PROGRAM_WRONG_LENGTH";
  }
  if (version === 1 && program.length === WITNESS_V1_TAPROOT_SIZE && !isP2sh) {
    // BIP341 taproot: a 32-byte v1 program that is not P2SH-wrapped.
    if ((flags & SCRIPT_VERIFY_TAPROOT) === 0) return null;
    let size = witness.length;
    if (size === 0) return "WITNESS_PROGRAM_WITNESS_EMPTY";
    const execdata: ScriptExecutionData = { annex: null };
    if (size >= 2) {
      const last = witness[size - 1];
      if (last.length > 0 && last[0] === ANNEX_TAG) {
        // The annex (non-standard) is dropped from the stack and committed to by the signature hash.
        execdata.annex = last;
        size--;
      }
    }
    if (size === 1) {
      // Key path: one signature.
      return checker.checkSchnorrSignature(witness[0], program, "taproot", execdata);
    }
    // Script path: ... <script> <control block> [annex].
    const control = witness[size - 1];
    const script = witness[size - 2];
    if (!isValidControlBlockSize(control.length)) return "TAPROOT_WRONG_CONTROL_SIZE";
    const leafVersion = control[0] & TAPROOT_LEAF_MASK;
    const tapleafHash = computeTapleafHash(leafVersion, script);
    if (!verifyTaprootCommitment(control, program, tapleafHash)) return "WITNESS_PROGRAM_MISMATCH";
    execdata.tapleafHash = tapleafHash;
    if (leafVersion === TAPROOT_LEAF_TAPSCRIPT) {
      execdata.validationWeightLeft = witnessSerializedSize(witness) + VALIDATION_WEIGHT_OFFSET;
      return executeWitnessScript(witness.slice(0, size - 2), script, flags, "tapscript", checker, execdata);
    }
    if ((flags & SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION) !== 0) {
      return "DISCOURAGE_UPGRADABLE_TAPROOT_VERSION";
    }
    return null;
  }
  if (!isP2sh && isPayToAnchorProgram(version, program)) return null;
  if ((flags & SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM) !== 0) {
    return "DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM";
  }
  // Other version/size/P2SH combinations succeed for future soft forks.
  return null;
}

/**
 * Core's `VerifyScript`: whether the input (`scriptSig`, `witness`) may spend an output locked by
 * `scriptPubKey` under `flags`, with `checker` bound to the spending transaction and input.
 *
 * Returns null on success, else the script error. Never throws. Flags should be a valid combination
 * ({@link isValidFlagCombination} in flags.ts: WITNESS needs P2SH, CLEANSTACK needs both); Core asserts that,
 * this function simply applies the rules it is given.
 */
export function verifyScript(
  scriptSig: Uint8Array,
  scriptPubKey: Uint8Array,
  witness: readonly Uint8Array[],
  flags: number,
  checker: SignatureChecker,
): ScriptError | null {
  try {
    return verify(scriptSig, scriptPubKey, witness, flags, checker);
  } catch {
    // Unreachable for well-behaved checkers; never let an exception escape consensus code.
    return "UNKNOWN_ERROR";
  }
}

function verify(
  scriptSig: Uint8Array,
  scriptPubKey: Uint8Array,
  witness: readonly Uint8Array[],
  flags: number,
  checker: SignatureChecker,
): ScriptError | null {
  const withWitness = (flags & SCRIPT_VERIFY_WITNESS) !== 0;

  // Fast path for native segwit spends (P2WPKH, P2WSH, P2TR): an empty scriptSig leaves an empty stack, and the
  // scriptPubKey `<version> <program>` pushes the version and the program. Same result as the general path.
  if (withWitness && scriptSig.length === 0) {
    const wp = isWitnessProgram(scriptPubKey);
    if (wp !== null) {
      if (!castToBool(wp.program)) return "EVAL_FALSE";
      return verifyWitnessProgram(witness, wp.version, wp.program, flags, checker, false);
    }
  }

  if ((flags & SCRIPT_VERIFY_SIGPUSHONLY) !== 0 && !isPushOnly(scriptSig)) return "SIG_PUSHONLY";

  // scriptSig and scriptPubKey run one after the other on the same stack (not concatenated: CVE-2010-5141).
  let stack: Uint8Array[] = [];
  let error = evalScript(stack, scriptSig, flags, checker, "base");
  if (error !== null) return error;
  const p2sh = (flags & SCRIPT_VERIFY_P2SH) !== 0;
  const stackCopy = p2sh ? stack.slice() : null;
  error = evalScript(stack, scriptPubKey, flags, checker, "base");
  if (error !== null) return error;
  if (stack.length === 0 || !castToBool(stack[stack.length - 1])) return "EVAL_FALSE";

  let hadWitness = false;
  // Bare witness programs.
  if (withWitness) {
    const wp = isWitnessProgram(scriptPubKey);
    if (wp !== null) {
      hadWitness = true;
      // The scriptSig must be exactly empty, or it would be malleable.
      if (scriptSig.length !== 0) return "WITNESS_MALLEATED";
      error = verifyWitnessProgram(witness, wp.version, wp.program, flags, checker, false);
      if (error !== null) return error;
      // The stack is not clean for witness programs; skip the CLEANSTACK check below.
      stack.length = 1;
    }
  }

  // P2SH (BIP16): run the serialized script the scriptSig pushed last.
  if (p2sh && stackCopy !== null && isPayToScriptHash(scriptPubKey)) {
    // The scriptSig must be push-only.
    if (!isPushOnly(scriptSig)) return "SIG_PUSHONLY";
    stack = stackCopy;
    // Cannot be empty: HASH160 <hash> EQUAL would have failed on an empty stack.
    if (stack.length === 0) return "UNKNOWN_ERROR";
    const redeemScript = stack.pop()!;
    error = evalScript(stack, redeemScript, flags, checker, "base");
    if (error !== null) return error;
    if (stack.length === 0 || !castToBool(stack[stack.length - 1])) return "EVAL_FALSE";

    // P2SH-wrapped witness programs.
    if (withWitness) {
      const wp = isWitnessProgram(redeemScript);
      if (wp !== null) {
        hadWitness = true;
        // The scriptSig must be exactly one push of the redeem script, or it would be malleable.
        if (!bytesEqual(scriptSig, pushData(redeemScript))) return "WITNESS_MALLEATED_P2SH";
        error = verifyWitnessProgram(witness, wp.version, wp.program, flags, checker, true);
        if (error !== null) return error;
        stack.length = 1;
      }
    }
  }

  // CLEANSTACK is checked after P2SH and witness evaluation, which legitimately leave extra items.
  if ((flags & SCRIPT_VERIFY_CLEANSTACK) !== 0 && stack.length !== 1) return "CLEANSTACK";

  // A witness for a non-witness script.
  if (withWitness && !hadWitness && witness.length !== 0) return "WITNESS_UNEXPECTED";

  return null;
}
