/**
 * Signature operation counting as Bitcoin Core does it (`CScript::GetSigOpCount` in script/script.cpp and
 * `CountWitnessSigOps` in script/interpreter.cpp). The block/transaction sigop *cost* (legacy and P2SH counts
 * times the witness scale factor, plus witness sigops) is built on these by the consensus checks.
 *
 * @module
 */
import {
  OP_1,
  OP_16,
  OP_CHECKMULTISIG,
  OP_CHECKMULTISIGVERIFY,
  OP_CHECKSIG,
  OP_CHECKSIGVERIFY,
  OP_INVALIDOPCODE,
} from "./opcodes.ts";
import {
  isPayToScriptHash,
  isPushOnly,
  isWitnessProgram,
  MAX_PUBKEYS_PER_MULTISIG,
  ScriptCursor,
  WITNESS_V0_KEYHASH_SIZE,
  WITNESS_V0_SCRIPTHASH_SIZE,
} from "./script.ts";

/**
 * Core's `CScript::GetSigOpCount(fAccurate)`: OP_CHECKSIG(VERIFY) count 1, OP_CHECKMULTISIG(VERIFY) count 20 —
 * or, when `accurate`, n if directly preceded by OP_1..OP_16. Counting stops at a truncated push.
 */
export function getSigOpCount(script: Uint8Array, accurate: boolean): number {
  let n = 0;
  let lastOpcode = OP_INVALIDOPCODE;
  const c = new ScriptCursor(script);
  while (c.next()) {
    const op = c.opcode;
    if (op === OP_CHECKSIG || op === OP_CHECKSIGVERIFY) {
      n++;
    } else if (op === OP_CHECKMULTISIG || op === OP_CHECKMULTISIGVERIFY) {
      n += accurate && lastOpcode >= OP_1 && lastOpcode <= OP_16
        ? lastOpcode - (OP_1 - 1)
        : MAX_PUBKEYS_PER_MULTISIG;
    }
    lastOpcode = op;
  }
  return n;
}

/**
 * The last item a script pushes: the data of its last operation (empty when that is OP_1..OP_16 or OP_1NEGATE),
 * or null if the script has a truncated push or an opcode above OP_16.
 */
function lastPush(scriptSig: Uint8Array): Uint8Array | null {
  const c = new ScriptCursor(scriptSig);
  let data: Uint8Array = new Uint8Array(0);
  while (c.pc < scriptSig.length) {
    if (!c.next()) return null;
    if (c.opcode > OP_16) return null;
    data = c.data;
  }
  return data;
}

/**
 * Core's `CScript::GetSigOpCount(scriptSig)` called on `scriptPubKey`: for a P2SH scriptPubKey, the accurate
 * count of the redeem script (the last push of `scriptSig`; 0 when the scriptSig is not push-only or does not
 * parse); for any other scriptPubKey, its own accurate count.
 */
export function getP2shSigOpCount(scriptPubKey: Uint8Array, scriptSig: Uint8Array): number {
  if (!isPayToScriptHash(scriptPubKey)) return getSigOpCount(scriptPubKey, true);
  const redeemScript = lastPush(scriptSig);
  return redeemScript === null ? 0 : getSigOpCount(redeemScript, true);
}

/** Core's `WitnessSigOps`: v0 keyhash 1, v0 scripthash the accurate count of the witness script, else 0. */
function witnessSigOps(version: number, program: Uint8Array, witness: readonly Uint8Array[]): number {
  if (version === 0) {
    if (program.length === WITNESS_V0_KEYHASH_SIZE) return 1;
    if (program.length === WITNESS_V0_SCRIPTHASH_SIZE && witness.length > 0) {
      return getSigOpCount(witness[witness.length - 1], true);
    }
  }
  return 0;
}

/**
 * Core's `CountWitnessSigOps` for one input, with SCRIPT_VERIFY_WITNESS set (the caller returns 0 when it is
 * not): for a native witness program or a P2SH-wrapped one (push-only scriptSig whose last push is a witness
 * program), P2WPKH counts 1 and P2WSH the accurate count of the witness script; everything else 0 (taproot
 * sigops are limited by the validation weight budget instead).
 */
export function countWitnessSigOps(
  scriptSig: Uint8Array,
  scriptPubKey: Uint8Array,
  witness: readonly Uint8Array[],
): number {
  const wp = isWitnessProgram(scriptPubKey);
  if (wp !== null) return witnessSigOps(wp.version, wp.program, witness);
  if (isPayToScriptHash(scriptPubKey) && isPushOnly(scriptSig)) {
    const redeemScript = lastPush(scriptSig);
    const inner = redeemScript === null ? null : isWitnessProgram(redeemScript);
    if (inner !== null) return witnessSigOps(inner.version, inner.program, witness);
  }
  return 0;
}
