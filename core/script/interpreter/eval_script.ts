/**
 * Core's `EvalScript`: runs one script on a stack under verification flags and a signature version. Never throws:
 * every failure is a {@link ScriptError}.
 *
 * Stack elements are `Uint8Array` views: pushes alias the script's bytes and small results are shared constants.
 * Treat every stack element as read-only.
 *
 * @module
 */

import { ripemd160, sha1 } from "@noble/hashes/legacy.js";
import { hash160, sha256, sha256d } from "../../hash/hashes.ts";
import type { ScriptExecutionData, SignatureChecker, SigVersion } from "../checker.ts";
import {
  SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY,
  SCRIPT_VERIFY_CHECKSEQUENCEVERIFY,
  SCRIPT_VERIFY_CONST_SCRIPTCODE,
  SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS,
  SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE,
  SCRIPT_VERIFY_MINIMALDATA,
  SCRIPT_VERIFY_MINIMALIF,
  SCRIPT_VERIFY_NULLDUMMY,
  SCRIPT_VERIFY_NULLFAIL,
} from "../flags.ts";
import type { ScriptError } from "../script_error.ts";
import {
  decodeScriptNum,
  encodeScriptNum,
  findAndDelete,
  MAX_OPS_PER_SCRIPT,
  MAX_PUBKEYS_PER_MULTISIG,
  MAX_SCRIPT_ELEMENT_SIZE,
  MAX_SCRIPT_SIZE,
  MAX_STACK_SIZE,
  pushData,
  ScriptNumError,
  VALIDATION_WEIGHT_PER_SIGOP_PASSED,
} from "../script.ts";
import { checkPubKeyEncoding, checkSignatureEncoding } from "./signature_encoding.ts";

/** CHECKSEQUENCEVERIFY operand bit that makes it a NOP (Core's `CTxIn::SEQUENCE_LOCKTIME_DISABLE_FLAG`). */
const SEQUENCE_LOCKTIME_DISABLE_FLAG = 0x80000000;

const EMPTY = new Uint8Array(0);
const TRUE = Uint8Array.of(1);
/** Minimal encodings of -1..16 (index n + 1), shared by every evaluation. */
const SMALL_NUMS: readonly Uint8Array[] = Array.from({ length: 18 }, (_, i) => encodeScriptNum(i - 1));

/** Core's `CastToBool`: false for empty, all-zero, or negative zero (all zero but a final 0x80). */
export function castToBool(v: Uint8Array): boolean {
  const n = v.length;
  for (let i = 0; i < n; i++) {
    if (v[i] !== 0) return !(i === n - 1 && v[i] === 0x80);
  }
  return false;
}

/** Minimal script number encoding, with shared constants for -1..16. */
function encodeNum(value: number): Uint8Array {
  if (value >= -1 && value <= 16) return SMALL_NUMS[value + 1];
  return encodeScriptNum(value);
}

/** Whether `a` and `b` hold the same bytes. */
function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Core's `CheckMinimalPush` for the push of `size` bytes at `script[start]` with push opcode `opcode`
 * (0x00..0x4e): the shortest push for the data must have been used.
 */
function isMinimalPush(script: Uint8Array, start: number, size: number, opcode: number): boolean {
  if (size === 0) return opcode === 0x00; // OP_0
  if (size === 1) {
    const b = script[start];
    if (b >= 1 && b <= 16) return false; // OP_1..OP_16
    if (b === 0x81) return false; // OP_1NEGATE
  }
  if (size <= 75) return opcode === size;
  if (size <= 255) return opcode === 0x4c; // OP_PUSHDATA1
  if (size <= 65535) return opcode === 0x4d; // OP_PUSHDATA2
  return true;
}

/**
 * OP_CHECKSIG's signature check for legacy and witness v0 scripts (Core's `EvalChecksigPreTapscript`):
 * FindAndDelete (legacy), encoding checks, the checker, NULLFAIL. Returns the check's result, or an error.
 */
function checksigPreTapscript(
  sig: Uint8Array,
  pubkey: Uint8Array,
  scriptCode: Uint8Array,
  flags: number,
  checker: SignatureChecker,
  sigversion: SigVersion,
): boolean | ScriptError {
  // The push of `sig` is longer than `sig`: a script code no longer than `sig` cannot contain it.
  if (sigversion === "base" && scriptCode.length > sig.length) {
    const deleted = findAndDelete(scriptCode, pushData(sig));
    if (deleted.found > 0 && (flags & SCRIPT_VERIFY_CONST_SCRIPTCODE) !== 0) return "SIG_FINDANDDELETE";
    scriptCode = deleted.script;
  }
  const encodingError = checkSignatureEncoding(sig, flags) ?? checkPubKeyEncoding(pubkey, flags, sigversion);
  if (encodingError !== null) return encodingError;
  const success = checker.checkEcdsaSignature(sig, pubkey, scriptCode, sigversion);
  if (!success && (flags & SCRIPT_VERIFY_NULLFAIL) !== 0 && sig.length !== 0) return "NULLFAIL";
  return success;
}

/**
 * Tapscript's signature check (Core's `EvalChecksigTapscript`): validation weight, empty/unknown key types,
 * Schnorr verification. Returns the check's result (false only for an empty signature), or an error.
 */
function checksigTapscript(
  sig: Uint8Array,
  pubkey: Uint8Array,
  execdata: ScriptExecutionData,
  flags: number,
  checker: SignatureChecker,
): boolean | ScriptError {
  const success = sig.length !== 0;
  if (success) {
    const left = (execdata.validationWeightLeft ?? 0) - VALIDATION_WEIGHT_PER_SIGOP_PASSED;
    execdata.validationWeightLeft = left;
    if (left < 0) return "TAPSCRIPT_VALIDATION_WEIGHT";
  }
  if (pubkey.length === 0) return "TAPSCRIPT_EMPTY_PUBKEY";
  if (pubkey.length === 32) {
    if (success) {
      const error = checker.checkSchnorrSignature(sig, pubkey, "tapscript", execdata);
      if (error !== null) return error;
    }
  } else if ((flags & SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE) !== 0) {
    return "DISCOURAGE_UPGRADABLE_PUBKEYTYPE";
  }
  return success;
}

/**
 * Core's `EvalScript`: executes `script` on `stack` (modified in place) under `flags` for `sigversion`
 * ("base", "witness_v0" or "tapscript"; "taproot" has no script and fails with UNKNOWN_ERROR). `execdata`
 * carries the tapscript state (validation weight, tapleaf hash, annex) and receives the position of the last
 * executed OP_CODESEPARATOR. Returns null on success, else the error. Never throws.
 */
export function evalScript(
  stack: Uint8Array[],
  script: Uint8Array,
  flags: number,
  checker: SignatureChecker,
  sigversion: SigVersion,
  execdata: ScriptExecutionData = {},
): ScriptError | null {
  try {
    return run(stack, script, flags, checker, sigversion, execdata);
  } catch (e) {
    // Core catches scriptnum_error as SCRIPTNUM and anything else (unreachable here) as UNKNOWN_ERROR.
    return e instanceof ScriptNumError ? "SCRIPTNUM" : "UNKNOWN_ERROR";
  }
}

function run(
  stack: Uint8Array[],
  script: Uint8Array,
  flags: number,
  checker: SignatureChecker,
  sigversion: SigVersion,
  execdata: ScriptExecutionData,
): ScriptError | null {
  const isBase = sigversion === "base";
  const isTapscript = sigversion === "tapscript";
  if (!isBase && !isTapscript && sigversion !== "witness_v0") return "UNKNOWN_ERROR";
  const end = script.length;
  if (!isTapscript && end > MAX_SCRIPT_SIZE) return "SCRIPT_SIZE";
  const requireMinimal = (flags & SCRIPT_VERIFY_MINIMALDATA) !== 0;
  execdata.codeseparatorPos = 0xffffffff;

  let pc = 0;
  let pbegincodehash = 0;
  let opcodePos = 0;
  let opCount = 0;
  // Condition stack (Core's ConditionStack): its size and the position of its first false entry (-1: none).
  let condSize = 0;
  let firstFalse = -1;
  const altstack: Uint8Array[] = [];

  for (; pc < end; opcodePos++) {
    const fExec = firstFalse === -1;
    const opcode = script[pc++];

    if (opcode <= 0x4e) {
      // Push data (OP_0, direct pushes, OP_PUSHDATA1/2/4).
      let size: number;
      if (opcode < 0x4c) {
        size = opcode;
      } else if (opcode === 0x4c) {
        if (end - pc < 1) return "BAD_OPCODE";
        size = script[pc];
        pc += 1;
      } else if (opcode === 0x4d) {
        if (end - pc < 2) return "BAD_OPCODE";
        size = script[pc] | (script[pc + 1] << 8);
        pc += 2;
      } else {
        if (end - pc < 4) return "BAD_OPCODE";
        size = (script[pc] | (script[pc + 1] << 8) | (script[pc + 2] << 16) | (script[pc + 3] << 24)) >>> 0;
        pc += 4;
      }
      if (end - pc < size) return "BAD_OPCODE";
      const start = pc;
      pc += size;
      if (size > MAX_SCRIPT_ELEMENT_SIZE) return "PUSH_SIZE";
      if (fExec) {
        if (requireMinimal && !isMinimalPush(script, start, size, opcode)) return "MINIMALDATA";
        stack.push(size === 0 ? EMPTY : script.subarray(start, pc));
      }
    } else {
      // Note how OP_RESERVED (0x50) does not count towards the opcode limit.
      if (!isTapscript && opcode > 0x60 && ++opCount > MAX_OPS_PER_SCRIPT) return "OP_COUNT";

      // Disabled opcodes (CVE-2010-5137) fail even in unexecuted branches: OP_CAT, OP_SUBSTR, OP_LEFT,
      // OP_RIGHT, OP_INVERT, OP_AND, OP_OR, OP_XOR, OP_2MUL, OP_2DIV, OP_MUL, OP_DIV, OP_MOD, OP_LSHIFT, OP_RSHIFT.
      if (
        (opcode >= 0x7e && opcode <= 0x81) || (opcode >= 0x83 && opcode <= 0x86) ||
        opcode === 0x8d || opcode === 0x8e || (opcode >= 0x95 && opcode <= 0x99)
      ) {
        return "DISABLED_OPCODE";
      }

      // With CONST_SCRIPTCODE, OP_CODESEPARATOR in legacy scripts fails even in an unexecuted branch.
      if (opcode === 0xab && isBase && (flags & SCRIPT_VERIFY_CONST_SCRIPTCODE) !== 0) {
        return "OP_CODESEPARATOR";
      }

      if (fExec || (opcode >= 0x63 && opcode <= 0x68)) {
        switch (opcode) {
          // OP_1NEGATE, OP_1..OP_16
          case 0x4f:
          case 0x51:
          case 0x52:
          case 0x53:
          case 0x54:
          case 0x55:
          case 0x56:
          case 0x57:
          case 0x58:
          case 0x59:
          case 0x5a:
          case 0x5b:
          case 0x5c:
          case 0x5d:
          case 0x5e:
          case 0x5f:
          case 0x60:
            stack.push(SMALL_NUMS[opcode - 0x50 + 1]);
            break;

          case 0x61: // OP_NOP
            break;

          case 0xb1: { // OP_CHECKLOCKTIMEVERIFY (OP_NOP2)
            if ((flags & SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY) === 0) break;
            if (stack.length < 1) return "INVALID_STACK_OPERATION";
            // 5-byte operands: nLockTime is uint32, so 4 signed bytes would end in 2038.
            const lockTime = decodeScriptNum(stack[stack.length - 1], requireMinimal, 5);
            if (lockTime < 0) return "NEGATIVE_LOCKTIME";
            if (!checker.checkLockTime(BigInt(lockTime))) return "UNSATISFIED_LOCKTIME";
            break;
          }

          case 0xb2: { // OP_CHECKSEQUENCEVERIFY (OP_NOP3)
            if ((flags & SCRIPT_VERIFY_CHECKSEQUENCEVERIFY) === 0) break;
            if (stack.length < 1) return "INVALID_STACK_OPERATION";
            const sequence = decodeScriptNum(stack[stack.length - 1], requireMinimal, 5);
            if (sequence < 0) return "NEGATIVE_LOCKTIME";
            // With the disable bit set, CHECKSEQUENCEVERIFY is a NOP (reserved for soft forks).
            if (Math.floor(sequence / SEQUENCE_LOCKTIME_DISABLE_FLAG) % 2 === 1) break;
            if (!checker.checkSequence(BigInt(sequence))) return "UNSATISFIED_LOCKTIME";
            break;
          }

          case 0xb0: // OP_NOP1
          case 0xb3: // OP_NOP4
          case 0xb4:
          case 0xb5:
          case 0xb6:
          case 0xb7:
          case 0xb8:
          case 0xb9: // OP_NOP10
            if ((flags & SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS) !== 0) return "DISCOURAGE_UPGRADABLE_NOPS";
            break;

          case 0x63: // OP_IF
          case 0x64: { // OP_NOTIF
            let value = false;
            if (fExec) {
              if (stack.length < 1) return "INVALID_STACK_OPERATION";
              const v = stack[stack.length - 1];
              if (isTapscript) {
                // Consensus in tapscript: the argument must be empty or exactly 0x01.
                if (v.length > 1 || (v.length === 1 && v[0] !== 1)) return "TAPSCRIPT_MINIMALIF";
              } else if (sigversion === "witness_v0" && (flags & SCRIPT_VERIFY_MINIMALIF) !== 0) {
                if (v.length > 1 || (v.length === 1 && v[0] !== 1)) return "MINIMALIF";
              }
              value = castToBool(v);
              if (opcode === 0x64) value = !value;
              stack.pop();
            }
            if (firstFalse === -1 && !value) firstFalse = condSize;
            condSize++;
            break;
          }

          case 0x67: // OP_ELSE
            if (condSize === 0) return "UNBALANCED_CONDITIONAL";
            if (firstFalse === -1) firstFalse = condSize - 1;
            else if (firstFalse === condSize - 1) firstFalse = -1;
            break;

          case 0x68: // OP_ENDIF
            if (condSize === 0) return "UNBALANCED_CONDITIONAL";
            condSize--;
            if (firstFalse === condSize) firstFalse = -1;
            break;

          case 0x69: // OP_VERIFY
            if (stack.length < 1) return "INVALID_STACK_OPERATION";
            if (!castToBool(stack[stack.length - 1])) return "VERIFY";
            stack.pop();
            break;

          case 0x6a: // OP_RETURN
            return "OP_RETURN";

          // Stack operations
          case 0x6b: // OP_TOALTSTACK
            if (stack.length < 1) return "INVALID_STACK_OPERATION";
            altstack.push(stack.pop()!);
            break;

          case 0x6c: // OP_FROMALTSTACK
            if (altstack.length < 1) return "INVALID_ALTSTACK_OPERATION";
            stack.push(altstack.pop()!);
            break;

          case 0x6d: // OP_2DROP
            if (stack.length < 2) return "INVALID_STACK_OPERATION";
            stack.length -= 2;
            break;

          case 0x6e: { // OP_2DUP
            const n = stack.length;
            if (n < 2) return "INVALID_STACK_OPERATION";
            stack.push(stack[n - 2], stack[n - 1]);
            break;
          }

          case 0x6f: { // OP_3DUP
            const n = stack.length;
            if (n < 3) return "INVALID_STACK_OPERATION";
            stack.push(stack[n - 3], stack[n - 2], stack[n - 1]);
            break;
          }

          case 0x70: { // OP_2OVER
            const n = stack.length;
            if (n < 4) return "INVALID_STACK_OPERATION";
            stack.push(stack[n - 4], stack[n - 3]);
            break;
          }

          case 0x71: { // OP_2ROT
            const n = stack.length;
            if (n < 6) return "INVALID_STACK_OPERATION";
            const moved = stack.splice(n - 6, 2);
            stack.push(moved[0], moved[1]);
            break;
          }

          case 0x72: { // OP_2SWAP
            const n = stack.length;
            if (n < 4) return "INVALID_STACK_OPERATION";
            const a = stack[n - 4];
            const b = stack[n - 3];
            stack[n - 4] = stack[n - 2];
            stack[n - 3] = stack[n - 1];
            stack[n - 2] = a;
            stack[n - 1] = b;
            break;
          }

          case 0x73: { // OP_IFDUP
            if (stack.length < 1) return "INVALID_STACK_OPERATION";
            const v = stack[stack.length - 1];
            if (castToBool(v)) stack.push(v);
            break;
          }

          case 0x74: // OP_DEPTH
            stack.push(encodeNum(stack.length));
            break;

          case 0x75: // OP_DROP
            if (stack.length < 1) return "INVALID_STACK_OPERATION";
            stack.pop();
            break;

          case 0x76: // OP_DUP
            if (stack.length < 1) return "INVALID_STACK_OPERATION";
            stack.push(stack[stack.length - 1]);
            break;

          case 0x77: // OP_NIP
            if (stack.length < 2) return "INVALID_STACK_OPERATION";
            stack.splice(stack.length - 2, 1);
            break;

          case 0x78: // OP_OVER
            if (stack.length < 2) return "INVALID_STACK_OPERATION";
            stack.push(stack[stack.length - 2]);
            break;

          case 0x79: // OP_PICK
          case 0x7a: { // OP_ROLL
            if (stack.length < 2) return "INVALID_STACK_OPERATION";
            const n = decodeScriptNum(stack[stack.length - 1], requireMinimal, 4);
            stack.pop();
            if (n < 0 || n >= stack.length) return "INVALID_STACK_OPERATION";
            const index = stack.length - n - 1;
            const v = stack[index];
            if (opcode === 0x7a) stack.splice(index, 1);
            stack.push(v);
            break;
          }

          case 0x7b: { // OP_ROT
            const n = stack.length;
            if (n < 3) return "INVALID_STACK_OPERATION";
            const a = stack[n - 3];
            stack[n - 3] = stack[n - 2];
            stack[n - 2] = stack[n - 1];
            stack[n - 1] = a;
            break;
          }

          case 0x7c: { // OP_SWAP
            const n = stack.length;
            if (n < 2) return "INVALID_STACK_OPERATION";
            const a = stack[n - 2];
            stack[n - 2] = stack[n - 1];
            stack[n - 1] = a;
            break;
          }

          case 0x7d: { // OP_TUCK
            const n = stack.length;
            if (n < 2) return "INVALID_STACK_OPERATION";
            stack.splice(n - 2, 0, stack[n - 1]);
            break;
          }

          case 0x82: // OP_SIZE
            if (stack.length < 1) return "INVALID_STACK_OPERATION";
            stack.push(encodeNum(stack[stack.length - 1].length));
            break;

          case 0x87: // OP_EQUAL
          case 0x88: { // OP_EQUALVERIFY
            const n = stack.length;
            if (n < 2) return "INVALID_STACK_OPERATION";
            const equal = bytesEqual(stack[n - 2], stack[n - 1]);
            stack.length = n - 2;
            if (opcode === 0x88) {
              if (!equal) return "EQUALVERIFY";
            } else {
              stack.push(equal ? TRUE : EMPTY);
            }
            break;
          }

          // Numeric, one operand
          case 0x8b: // OP_1ADD
          case 0x8c: // OP_1SUB
          case 0x8f: // OP_NEGATE
          case 0x90: // OP_ABS
          case 0x91: // OP_NOT
          case 0x92: { // OP_0NOTEQUAL
            if (stack.length < 1) return "INVALID_STACK_OPERATION";
            let bn = decodeScriptNum(stack[stack.length - 1], requireMinimal, 4);
            switch (opcode) {
              case 0x8b:
                bn += 1;
                break;
              case 0x8c:
                bn -= 1;
                break;
              case 0x8f:
                bn = -bn;
                break;
              case 0x90:
                if (bn < 0) bn = -bn;
                break;
              case 0x91:
                bn = bn === 0 ? 1 : 0;
                break;
              default:
                bn = bn !== 0 ? 1 : 0;
                break;
            }
            stack[stack.length - 1] = encodeNum(bn);
            break;
          }

          // Numeric, two operands
          case 0x93: // OP_ADD
          case 0x94: // OP_SUB
          case 0x9a: // OP_BOOLAND
          case 0x9b: // OP_BOOLOR
          case 0x9c: // OP_NUMEQUAL
          case 0x9d: // OP_NUMEQUALVERIFY
          case 0x9e: // OP_NUMNOTEQUAL
          case 0x9f: // OP_LESSTHAN
          case 0xa0: // OP_GREATERTHAN
          case 0xa1: // OP_LESSTHANOREQUAL
          case 0xa2: // OP_GREATERTHANOREQUAL
          case 0xa3: // OP_MIN
          case 0xa4: { // OP_MAX
            const n = stack.length;
            if (n < 2) return "INVALID_STACK_OPERATION";
            const bn1 = decodeScriptNum(stack[n - 2], requireMinimal, 4);
            const bn2 = decodeScriptNum(stack[n - 1], requireMinimal, 4);
            let bn: number;
            switch (opcode) {
              case 0x93:
                bn = bn1 + bn2;
                break;
              case 0x94:
                bn = bn1 - bn2;
                break;
              case 0x9a:
                bn = bn1 !== 0 && bn2 !== 0 ? 1 : 0;
                break;
              case 0x9b:
                bn = bn1 !== 0 || bn2 !== 0 ? 1 : 0;
                break;
              case 0x9c:
              case 0x9d:
                bn = bn1 === bn2 ? 1 : 0;
                break;
              case 0x9e:
                bn = bn1 !== bn2 ? 1 : 0;
                break;
              case 0x9f:
                bn = bn1 < bn2 ? 1 : 0;
                break;
              case 0xa0:
                bn = bn1 > bn2 ? 1 : 0;
                break;
              case 0xa1:
                bn = bn1 <= bn2 ? 1 : 0;
                break;
              case 0xa2:
                bn = bn1 >= bn2 ? 1 : 0;
                break;
              case 0xa3:
                bn = bn1 < bn2 ? bn1 : bn2;
                break;
              default:
                bn = bn1 > bn2 ? bn1 : bn2;
                break;
            }
            stack.length = n - 2;
            if (opcode === 0x9d) {
              if (bn === 0) return "NUMEQUALVERIFY";
            } else {
              stack.push(encodeNum(bn));
            }
            break;
          }

          case 0xa5: { // OP_WITHIN
            const n = stack.length;
            if (n < 3) return "INVALID_STACK_OPERATION";
            const x = decodeScriptNum(stack[n - 3], requireMinimal, 4);
            const min = decodeScriptNum(stack[n - 2], requireMinimal, 4);
            const max = decodeScriptNum(stack[n - 1], requireMinimal, 4);
            stack.length = n - 3;
            stack.push(min <= x && x < max ? TRUE : EMPTY);
            break;
          }

          // Crypto
          case 0xa6: // OP_RIPEMD160
          case 0xa7: // OP_SHA1
          case 0xa8: // OP_SHA256
          case 0xa9: // OP_HASH160
          case 0xaa: { // OP_HASH256
            const n = stack.length;
            if (n < 1) return "INVALID_STACK_OPERATION";
            const v = stack[n - 1];
            stack[n - 1] = opcode === 0xa6
              ? ripemd160(v)
              : opcode === 0xa7
              ? sha1(v)
              : opcode === 0xa8
              ? sha256(v)
              : opcode === 0xa9
              ? hash160(v)
              : sha256d(v);
            break;
          }

          case 0xab: // OP_CODESEPARATOR
            // Hash starts after the code separator.
            pbegincodehash = pc;
            execdata.codeseparatorPos = opcodePos;
            break;

          case 0xac: // OP_CHECKSIG
          case 0xad: { // OP_CHECKSIGVERIFY
            const n = stack.length;
            if (n < 2) return "INVALID_STACK_OPERATION";
            const sig = stack[n - 2];
            const pubkey = stack[n - 1];
            const result = isTapscript
              ? checksigTapscript(sig, pubkey, execdata, flags, checker)
              : checksigPreTapscript(
                sig,
                pubkey,
                script.subarray(pbegincodehash, end),
                flags,
                checker,
                sigversion,
              );
            if (typeof result === "string") return result;
            stack.length = n - 2;
            if (opcode === 0xad) {
              if (!result) return "CHECKSIGVERIFY";
            } else {
              stack.push(result ? TRUE : EMPTY);
            }
            break;
          }

          case 0xba: { // OP_CHECKSIGADD (tapscript only)
            if (!isTapscript) return "BAD_OPCODE";
            const n = stack.length;
            if (n < 3) return "INVALID_STACK_OPERATION";
            const sig = stack[n - 3];
            const num = decodeScriptNum(stack[n - 2], requireMinimal, 4);
            const pubkey = stack[n - 1];
            const result = checksigTapscript(sig, pubkey, execdata, flags, checker);
            if (typeof result === "string") return result;
            stack.length = n - 3;
            stack.push(encodeNum(num + (result ? 1 : 0)));
            break;
          }

          case 0xae: // OP_CHECKMULTISIG
          case 0xaf: { // OP_CHECKMULTISIGVERIFY
            if (isTapscript) return "TAPSCRIPT_CHECKMULTISIG";
            const result = checkMultisig(
              stack,
              script.subarray(pbegincodehash, end),
              flags,
              checker,
              sigversion,
              opCount,
            );
            if (typeof result === "string") return result;
            opCount = result;
            if (opcode === 0xaf) {
              if (!castToBool(stack[stack.length - 1])) return "CHECKMULTISIGVERIFY";
              stack.pop();
            }
            break;
          }

          default:
            return "BAD_OPCODE";
        }
      }
    }

    if (stack.length + altstack.length > MAX_STACK_SIZE) return "STACK_SIZE";
  }

  if (condSize !== 0) return "UNBALANCED_CONDITIONAL";
  return null;
}

/**
 * OP_CHECKMULTISIG(VERIFY) on `stack` for legacy and witness v0 scripts (`([sig ...] nSigs [pubkey ...] nKeys --
 * bool)`, plus the extra dummy element). `opCount` is the operation count so far; the key count adds to it.
 * Leaves the boolean result on the stack and returns the new operation count, or returns the error.
 */
function checkMultisig(
  stack: Uint8Array[],
  scriptCode: Uint8Array,
  flags: number,
  checker: SignatureChecker,
  sigversion: SigVersion,
  opCount: number,
): number | ScriptError {
  const requireMinimal = (flags & SCRIPT_VERIFY_MINIMALDATA) !== 0;
  const size = stack.length;
  // Positions count from the top: stacktop(-i) is stack[size - i].
  let i = 1;
  if (size < i) return "INVALID_STACK_OPERATION";
  let keysCount = decodeScriptNum(stack[size - i], requireMinimal, 4);
  if (keysCount < 0 || keysCount > MAX_PUBKEYS_PER_MULTISIG) return "PUBKEY_COUNT";
  opCount += keysCount;
  if (opCount > MAX_OPS_PER_SCRIPT) return "OP_COUNT";
  let ikey = ++i;
  // ikey2 is the position of the last non-signature item (top = 1); used for the NULLFAIL cleanup.
  let ikey2 = keysCount + 2;
  i += keysCount;
  if (size < i) return "INVALID_STACK_OPERATION";
  let sigsCount = decodeScriptNum(stack[size - i], requireMinimal, 4);
  if (sigsCount < 0 || sigsCount > keysCount) return "SIG_COUNT";
  let isig = ++i;
  i += sigsCount;
  if (size < i) return "INVALID_STACK_OPERATION";

  // Drop the signatures from the script code in legacy scripts (not in segwit).
  if (sigversion === "base") {
    for (let k = 0; k < sigsCount; k++) {
      const deleted = findAndDelete(scriptCode, pushData(stack[size - isig - k]));
      if (deleted.found > 0 && (flags & SCRIPT_VERIFY_CONST_SCRIPTCODE) !== 0) return "SIG_FINDANDDELETE";
      scriptCode = deleted.script;
    }
  }

  let success = true;
  while (success && sigsCount > 0) {
    const sig = stack[size - isig];
    const pubkey = stack[size - ikey];
    // The order of the encoding checks makes the evaluation order observable (see the script tests).
    const encodingError = checkSignatureEncoding(sig, flags) ??
      checkPubKeyEncoding(pubkey, flags, sigversion);
    if (encodingError !== null) return encodingError;
    if (checker.checkEcdsaSignature(sig, pubkey, scriptCode, sigversion)) {
      isig++;
      sigsCount--;
    }
    ikey++;
    keysCount--;
    // More signatures left than keys: too many failed; stop early.
    if (sigsCount > keysCount) success = false;
  }

  // Clean up the arguments; on failure with NULLFAIL every signature must be empty.
  const nullfail = !success && (flags & SCRIPT_VERIFY_NULLFAIL) !== 0;
  while (i-- > 1) {
    if (nullfail && ikey2 === 0 && stack[stack.length - 1].length !== 0) return "NULLFAIL";
    if (ikey2 > 0) ikey2--;
    stack.pop();
  }
  // A bug consumes one extra argument; NULLDUMMY requires it to be empty.
  if (stack.length < 1) return "INVALID_STACK_OPERATION";
  if ((flags & SCRIPT_VERIFY_NULLDUMMY) !== 0 && stack[stack.length - 1].length !== 0) return "SIG_NULLDUMMY";
  stack[stack.length - 1] = success ? TRUE : EMPTY;
  return opCount;
}

/**
 * A P2WPKH spend (BIP141): what executing `DUP HASH160 <program> EQUALVERIFY CHECKSIG` as a witness v0 script on
 * the stack `<sig> <pubkey>` gives, without running the interpreter loop (same checks, same errors, same order).
 */
export function witnessV0KeyhashSpend(
  sig: Uint8Array,
  pubkey: Uint8Array,
  program: Uint8Array,
  flags: number,
  checker: SignatureChecker,
): ScriptError | null {
  try {
    if (sig.length > MAX_SCRIPT_ELEMENT_SIZE || pubkey.length > MAX_SCRIPT_ELEMENT_SIZE) return "PUSH_SIZE";
    if (!bytesEqual(hash160(pubkey), program)) return "EQUALVERIFY";
    const scriptCode = new Uint8Array(25);
    scriptCode[0] = 0x76; // OP_DUP
    scriptCode[1] = 0xa9; // OP_HASH160
    scriptCode[2] = 0x14;
    scriptCode.set(program, 3);
    scriptCode[23] = 0x88; // OP_EQUALVERIFY
    scriptCode[24] = 0xac; // OP_CHECKSIG
    const result = checksigPreTapscript(sig, pubkey, scriptCode, flags, checker, "witness_v0");
    if (typeof result === "string") return result;
    return result ? null : "EVAL_FALSE";
  } catch {
    return "UNKNOWN_ERROR";
  }
}
