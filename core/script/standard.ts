/**
 * Standard output script templates (Bitcoin Core's script/solver.cpp): `Solver` classifies a scriptPubKey and
 * extracts its keys, hashes or program; the type names are Core's RPC names (`GetTxnOutputType`).
 *
 * @module
 */
import { concatBytes } from "@noble/hashes/utils.js";
import {
  OP_0,
  OP_1,
  OP_16,
  OP_CHECKMULTISIG,
  OP_CHECKSIG,
  OP_CHECKSIGADD,
  OP_DUP,
  OP_EQUALVERIFY,
  OP_HASH160,
  OP_NUMEQUAL,
  OP_PUSHDATA4,
  OP_RETURN,
} from "./opcodes.ts";
import {
  checkMinimalPush,
  decodeScriptNum,
  isPayToAnchor,
  isPayToScriptHash,
  isPushOnly,
  isWitnessProgram,
  MAX_PUBKEYS_PER_MULTI_A,
  MAX_PUBKEYS_PER_MULTISIG,
  pushData,
  pushInt,
  ScriptCursor,
  scriptNumGetInt,
  WITNESS_V0_KEYHASH_SIZE,
  WITNESS_V0_SCRIPTHASH_SIZE,
  WITNESS_V1_TAPROOT_SIZE,
} from "./script.ts";

/** Core's `TxoutType`, spelled as `GetTxnOutputType` returns it (the `type` field of RPC results). */
export type TxoutType =
  | "nonstandard"
  | "pubkey"
  | "pubkeyhash"
  | "scripthash"
  | "multisig"
  | "nulldata"
  | "anchor"
  | "witness_v0_keyhash"
  | "witness_v0_scripthash"
  | "witness_v1_taproot"
  | "witness_unknown";

/** Every {@link TxoutType}, in Core's enum order. */
export const TXOUT_TYPES: readonly TxoutType[] = Object.freeze([
  "nonstandard",
  "anchor",
  "pubkey",
  "pubkeyhash",
  "scripthash",
  "multisig",
  "nulldata",
  "witness_v0_scripthash",
  "witness_v0_keyhash",
  "witness_v1_taproot",
  "witness_unknown",
]);

/**
 * What {@link solver} found. `solutions` is Core's `vSolutionsRet`: [pubkey] for pubkey, [hash] for
 * pubkeyhash/scripthash/witness_v0_*, [output key] for witness_v1_taproot, [[m], key…, [n]] for multisig,
 * [[version], program] for witness_unknown, [] for nonstandard, nulldata and anchor. All byte arrays are views
 * into the script.
 */
export type Solution =
  | { readonly type: "nonstandard" | "nulldata" | "anchor"; readonly solutions: readonly Uint8Array[] }
  | { readonly type: "pubkey"; readonly pubkey: Uint8Array; readonly solutions: readonly Uint8Array[] }
  | {
    readonly type: "pubkeyhash" | "scripthash" | "witness_v0_keyhash" | "witness_v0_scripthash";
    readonly hash: Uint8Array;
    readonly solutions: readonly Uint8Array[];
  }
  | {
    readonly type: "witness_v1_taproot";
    readonly outputKey: Uint8Array;
    readonly solutions: readonly Uint8Array[];
  }
  | {
    readonly type: "witness_unknown";
    readonly version: number;
    readonly program: Uint8Array;
    readonly solutions: readonly Uint8Array[];
  }
  | {
    readonly type: "multisig";
    readonly required: number;
    readonly pubkeys: readonly Uint8Array[];
    readonly solutions: readonly Uint8Array[];
  };

/**
 * The public key rule the solver uses (Core's `CPubKey::ValidSize`): a 33-byte key starting 0x02/0x03 or a
 * 65-byte key starting 0x04/0x06/0x07 (hybrid keys included). Only header and length are checked, not the curve.
 */
export function isValidPubkeyEncoding(pubkey: Uint8Array): boolean {
  if (pubkey.length === 0) return false;
  const h = pubkey[0];
  const len = h === 2 || h === 3 ? 33 : h === 4 || h === 6 || h === 7 ? 65 : 0;
  return len === pubkey.length;
}

function matchPayToPubkey(script: Uint8Array): Uint8Array | null {
  const size = script.length;
  if ((size === 67 && script[0] === 65) || (size === 35 && script[0] === 33)) {
    if (script[size - 1] !== OP_CHECKSIG) return null;
    const pubkey = script.subarray(1, size - 1);
    return isValidPubkeyEncoding(pubkey) ? pubkey : null;
  }
  return null;
}

function matchPayToPubkeyHash(script: Uint8Array): Uint8Array | null {
  if (
    script.length === 25 && script[0] === OP_DUP && script[1] === OP_HASH160 && script[2] === 20 &&
    script[23] === OP_EQUALVERIFY && script[24] === OP_CHECKSIG
  ) {
    return script.subarray(3, 23);
  }
  return null;
}

/**
 * Core's `GetScriptNumber` in the solver: OP_1..OP_16, or a minimal push of a minimally encoded number, within
 * [min, max]; null otherwise (OP_0 is not accepted).
 */
function getScriptNumber(opcode: number, data: Uint8Array, min: number, max: number): number | null {
  let count: number;
  if (opcode >= OP_1 && opcode <= OP_16) {
    count = opcode - (OP_1 - 1);
  } else if (opcode > OP_0 && opcode <= OP_PUSHDATA4) {
    if (!checkMinimalPush(data, opcode)) return null;
    if (data.length > 4) return null;
    try {
      count = scriptNumGetInt(decodeScriptNum(data, true));
    } catch {
      return null; // non-minimal number
    }
  } else {
    return null;
  }
  return count < min || count > max ? null : count;
}

/** A bare multisig template: `m <pubkey>… n OP_CHECKMULTISIG`. */
export interface MultisigMatch {
  /** Required signatures m (1..20). */
  readonly required: number;
  /** The n public keys (views into the script). */
  readonly pubkeys: readonly Uint8Array[];
}

/**
 * Core's `MatchMultisig`: `m <key>… n OP_CHECKMULTISIG` with 1 <= m <= n <= 20, m and n as OP_N or minimal
 * number pushes, each key passing {@link isValidPubkeyEncoding}. Returns null when the script does not match.
 */
export function matchMultisig(script: Uint8Array): MultisigMatch | null {
  if (script.length < 1 || script[script.length - 1] !== OP_CHECKMULTISIG) return null;
  const c = new ScriptCursor(script);
  if (!c.next()) return null;
  const required = getScriptNumber(c.opcode, c.data, 1, MAX_PUBKEYS_PER_MULTISIG);
  if (required === null) return null;
  const pubkeys: Uint8Array[] = [];
  let ok: boolean;
  while ((ok = c.next()) && isValidPubkeyEncoding(c.data)) pubkeys.push(c.data);
  const opcode = ok ? c.opcode : -1;
  const n = getScriptNumber(opcode, ok ? c.data : new Uint8Array(0), required, MAX_PUBKEYS_PER_MULTISIG);
  if (n === null || pubkeys.length !== n) return null;
  return c.pc + 1 === script.length ? { required, pubkeys } : null;
}

/** A tapscript multi_a template: `<key> OP_CHECKSIG <key> OP_CHECKSIGADD … k OP_NUMEQUAL`. */
export interface MultiAMatch {
  /** Threshold k (1..number of keys). */
  readonly threshold: number;
  /** The 32-byte x-only keys (views into the script). */
  readonly pubkeys: readonly Uint8Array[];
}

/**
 * Core's `MatchMultiA`: `<32 bytes> OP_CHECKSIG (<32 bytes> OP_CHECKSIGADD)* k OP_NUMEQUAL` with 1 <= k <= keys
 * <= 999. Returns null when the script does not match.
 */
export function matchMultiA(script: Uint8Array): MultiAMatch | null {
  const size = script.length;
  if (size === 0 || script[0] !== 32 || script[size - 1] !== OP_NUMEQUAL) return null;
  const pubkeys: Uint8Array[] = [];
  let it = 0;
  while (size - it >= 34) {
    if (script[it] !== 32) return null;
    it++;
    pubkeys.push(script.subarray(it, it + 32));
    it += 32;
    if (script[it] !== (pubkeys.length === 1 ? OP_CHECKSIG : OP_CHECKSIGADD)) return null;
    it++;
  }
  if (pubkeys.length === 0 || pubkeys.length > MAX_PUBKEYS_PER_MULTI_A) return null;
  const c = new ScriptCursor(script, it);
  if (!c.next()) return null;
  it = c.pc;
  if (it === size) return null;
  if (script[it] !== OP_NUMEQUAL) return null;
  if (it + 1 !== size) return null;
  const threshold = getScriptNumber(c.opcode, c.data, 1, pubkeys.length);
  return threshold === null ? null : { threshold, pubkeys };
}

/**
 * Core's `Solver`: classifies a scriptPubKey as one of the {@link TxoutType}s and extracts its data. Checked in
 * Core's order: P2SH, witness programs (v0 keyhash/scripthash, v1 taproot, anchor, other versions as
 * witness_unknown, other v0 sizes nonstandard), OP_RETURN followed only by pushes (nulldata), P2PK, P2PKH, bare
 * multisig, else nonstandard. Never throws.
 */
export function solver(scriptPubKey: Uint8Array): Solution {
  const s = scriptPubKey;
  if (isPayToScriptHash(s)) {
    const hash = s.subarray(2, 22);
    return { type: "scripthash", hash, solutions: [hash] };
  }
  const wp = isWitnessProgram(s);
  if (wp !== null) {
    const { version, program } = wp;
    if (version === 0 && program.length === WITNESS_V0_KEYHASH_SIZE) {
      return { type: "witness_v0_keyhash", hash: program, solutions: [program] };
    }
    if (version === 0 && program.length === WITNESS_V0_SCRIPTHASH_SIZE) {
      return { type: "witness_v0_scripthash", hash: program, solutions: [program] };
    }
    if (version === 1 && program.length === WITNESS_V1_TAPROOT_SIZE) {
      return { type: "witness_v1_taproot", outputKey: program, solutions: [program] };
    }
    if (isPayToAnchor(s)) return { type: "anchor", solutions: [] };
    if (version !== 0) {
      return { type: "witness_unknown", version, program, solutions: [Uint8Array.of(version), program] };
    }
    return { type: "nonstandard", solutions: [] };
  }
  if (s.length >= 1 && s[0] === OP_RETURN && isPushOnly(s, 1)) return { type: "nulldata", solutions: [] };
  const pubkey = matchPayToPubkey(s);
  if (pubkey !== null) return { type: "pubkey", pubkey, solutions: [pubkey] };
  const keyhash = matchPayToPubkeyHash(s);
  if (keyhash !== null) return { type: "pubkeyhash", hash: keyhash, solutions: [keyhash] };
  const multi = matchMultisig(s);
  if (multi !== null) {
    const { required, pubkeys } = multi;
    return {
      type: "multisig",
      required,
      pubkeys,
      solutions: [Uint8Array.of(required), ...pubkeys, Uint8Array.of(pubkeys.length)],
    };
  }
  return { type: "nonstandard", solutions: [] };
}

/** Core's `GetScriptForRawPubKey`: `<pubkey> OP_CHECKSIG`. */
export function scriptForRawPubKey(pubkey: Uint8Array): Uint8Array {
  const push = pushData(pubkey);
  const out = new Uint8Array(push.length + 1);
  out.set(push);
  out[push.length] = OP_CHECKSIG;
  return out;
}

/** Core's `GetScriptForMultisig`: `m <key>… n OP_CHECKMULTISIG` (numbers pushed as `CScript << int64`). */
export function scriptForMultisig(required: number, pubkeys: readonly Uint8Array[]): Uint8Array {
  return concatBytes(
    pushInt(required),
    ...pubkeys.map(pushData),
    pushInt(pubkeys.length),
    Uint8Array.of(OP_CHECKMULTISIG),
  );
}
