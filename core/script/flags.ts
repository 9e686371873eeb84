/**
 * Script verification flags (Core's `SCRIPT_VERIFY_*`, script/interpreter.h): one bit each, in Core's order
 * (bit 0 = P2SH … bit 20 = DISCOURAGE_UPGRADABLE_PUBKEYTYPE), so the numeric values equal Core's. Flags are plain
 * numbers combined with `|`; all fit in 31 bits.
 *
 * Every flag is a soft fork: the scripts accepted under `A | B` are a subset of those accepted under `A`.
 *
 * @module
 */

/** No flags. */
export const SCRIPT_VERIFY_NONE = 0;
/** Evaluate P2SH subscripts (BIP16). */
export const SCRIPT_VERIFY_P2SH = 1 << 0;
/** Strict DER signatures, defined hash types and compressed/uncompressed public keys (policy). */
export const SCRIPT_VERIFY_STRICTENC = 1 << 1;
/** Strict DER signatures (BIP66). */
export const SCRIPT_VERIFY_DERSIG = 1 << 2;
/** Strict DER and S ≤ order/2 (BIP62 rule 5). */
export const SCRIPT_VERIFY_LOW_S = 1 << 3;
/** The extra CHECKMULTISIG argument must be empty (BIP147). */
export const SCRIPT_VERIFY_NULLDUMMY = 1 << 4;
/** scriptSig must be push-only (BIP62 rule 2). */
export const SCRIPT_VERIFY_SIGPUSHONLY = 1 << 5;
/** Minimal pushes and minimally encoded numbers (BIP62 rules 3 and 4). */
export const SCRIPT_VERIFY_MINIMALDATA = 1 << 6;
/** Executed OP_NOP1, OP_NOP4-OP_NOP10 fail (policy). */
export const SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS = 1 << 7;
/** Exactly one stack element must remain (BIP62 rule 6); requires P2SH and WITNESS. */
export const SCRIPT_VERIFY_CLEANSTACK = 1 << 8;
/** OP_CHECKLOCKTIMEVERIFY (BIP65). */
export const SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY = 1 << 9;
/** OP_CHECKSEQUENCEVERIFY (BIP112). */
export const SCRIPT_VERIFY_CHECKSEQUENCEVERIFY = 1 << 10;
/** Segregated witness (BIP141/143); requires P2SH. */
export const SCRIPT_VERIFY_WITNESS = 1 << 11;
/** Witness programs of unknown versions fail (policy). */
export const SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM = 1 << 12;
/** Witness v0 only: the OP_IF/NOTIF argument must be empty or exactly 0x01 (policy). */
export const SCRIPT_VERIFY_MINIMALIF = 1 << 13;
/** Signatures must be empty when a CHECK(MULTI)SIG fails (BIP146). */
export const SCRIPT_VERIFY_NULLFAIL = 1 << 14;
/** Public keys in witness v0 scripts must be compressed (policy). */
export const SCRIPT_VERIFY_WITNESS_PUBKEYTYPE = 1 << 15;
/** OP_CODESEPARATOR and FindAndDelete matches fail in non-segwit scripts (policy). */
export const SCRIPT_VERIFY_CONST_SCRIPTCODE = 1 << 16;
/** Taproot and tapscript (BIP341/342). */
export const SCRIPT_VERIFY_TAPROOT = 1 << 17;
/** Unknown taproot leaf versions fail (policy). */
export const SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION = 1 << 18;
/** OP_SUCCESSx fail (policy). */
export const SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS = 1 << 19;
/** Unknown public key types in tapscript fail (policy). */
export const SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE = 1 << 20;

/** Number of flag bits in use (Core's `MAX_SCRIPT_VERIFY_FLAGS_BITS`). */
export const MAX_SCRIPT_VERIFY_FLAGS_BITS = 21;
/** Every flag set (Core's `MAX_SCRIPT_VERIFY_FLAGS`). */
export const ALL_SCRIPT_VERIFY_FLAGS = (1 << MAX_SCRIPT_VERIFY_FLAGS_BITS) - 1;

/** Flags every block's scripts are checked with since taproot (Core's policy.h `MANDATORY_SCRIPT_VERIFY_FLAGS`). */
export const MANDATORY_SCRIPT_VERIFY_FLAGS = SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_DERSIG |
  SCRIPT_VERIFY_NULLDUMMY |
  SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY | SCRIPT_VERIFY_CHECKSEQUENCEVERIFY | SCRIPT_VERIFY_WITNESS |
  SCRIPT_VERIFY_TAPROOT;

/** Flags for relay policy (Core's policy.h `STANDARD_SCRIPT_VERIFY_FLAGS`). */
export const STANDARD_SCRIPT_VERIFY_FLAGS = MANDATORY_SCRIPT_VERIFY_FLAGS | SCRIPT_VERIFY_STRICTENC |
  SCRIPT_VERIFY_MINIMALDATA | SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS | SCRIPT_VERIFY_CLEANSTACK |
  SCRIPT_VERIFY_MINIMALIF | SCRIPT_VERIFY_NULLFAIL | SCRIPT_VERIFY_LOW_S |
  SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM | SCRIPT_VERIFY_WITNESS_PUBKEYTYPE |
  SCRIPT_VERIFY_CONST_SCRIPTCODE | SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION |
  SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS | SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE;

/** Standard but not mandatory flags (Core's `STANDARD_NOT_MANDATORY_VERIFY_FLAGS`). */
export const STANDARD_NOT_MANDATORY_VERIFY_FLAGS = STANDARD_SCRIPT_VERIFY_FLAGS &
  ~MANDATORY_SCRIPT_VERIFY_FLAGS;

/** A flag's name as the test vectors and Core's `ScriptFlagNamesToEnum` write it (no `SCRIPT_VERIFY_` prefix). */
export type ScriptFlagName =
  | "P2SH"
  | "STRICTENC"
  | "DERSIG"
  | "LOW_S"
  | "NULLDUMMY"
  | "SIGPUSHONLY"
  | "MINIMALDATA"
  | "DISCOURAGE_UPGRADABLE_NOPS"
  | "CLEANSTACK"
  | "CHECKLOCKTIMEVERIFY"
  | "CHECKSEQUENCEVERIFY"
  | "WITNESS"
  | "DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM"
  | "MINIMALIF"
  | "NULLFAIL"
  | "WITNESS_PUBKEYTYPE"
  | "CONST_SCRIPTCODE"
  | "TAPROOT"
  | "DISCOURAGE_UPGRADABLE_TAPROOT_VERSION"
  | "DISCOURAGE_OP_SUCCESS"
  | "DISCOURAGE_UPGRADABLE_PUBKEYTYPE";

/** Every flag by name, sorted by name like Core's `ScriptFlagNamesToEnum()` (a `std::map`). */
export const SCRIPT_FLAG_NAMES: ReadonlyMap<ScriptFlagName, number> = new Map<ScriptFlagName, number>(
  ([
    ["P2SH", SCRIPT_VERIFY_P2SH],
    ["STRICTENC", SCRIPT_VERIFY_STRICTENC],
    ["DERSIG", SCRIPT_VERIFY_DERSIG],
    ["LOW_S", SCRIPT_VERIFY_LOW_S],
    ["NULLDUMMY", SCRIPT_VERIFY_NULLDUMMY],
    ["SIGPUSHONLY", SCRIPT_VERIFY_SIGPUSHONLY],
    ["MINIMALDATA", SCRIPT_VERIFY_MINIMALDATA],
    ["DISCOURAGE_UPGRADABLE_NOPS", SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS],
    ["CLEANSTACK", SCRIPT_VERIFY_CLEANSTACK],
    ["CHECKLOCKTIMEVERIFY", SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY],
    ["CHECKSEQUENCEVERIFY", SCRIPT_VERIFY_CHECKSEQUENCEVERIFY],
    ["WITNESS", SCRIPT_VERIFY_WITNESS],
    ["DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM", SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM],
    ["MINIMALIF", SCRIPT_VERIFY_MINIMALIF],
    ["NULLFAIL", SCRIPT_VERIFY_NULLFAIL],
    ["WITNESS_PUBKEYTYPE", SCRIPT_VERIFY_WITNESS_PUBKEYTYPE],
    ["CONST_SCRIPTCODE", SCRIPT_VERIFY_CONST_SCRIPTCODE],
    ["TAPROOT", SCRIPT_VERIFY_TAPROOT],
    ["DISCOURAGE_UPGRADABLE_TAPROOT_VERSION", SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION],
    ["DISCOURAGE_OP_SUCCESS", SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS],
    ["DISCOURAGE_UPGRADABLE_PUBKEYTYPE", SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE],
  ] as [ScriptFlagName, number][]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
);

/**
 * Parses a comma-separated list of flag names as the test vectors write them (Core's test `ParseScriptFlags`):
 * `""` and `"NONE"` are no flags. Throws `Cannot parse script flags: unknown flag "X"` on an unknown name.
 */
export function parseScriptFlags(text: string): number {
  if (text === "" || text === "NONE") return SCRIPT_VERIFY_NONE;
  let flags = 0;
  for (const word of text.split(",")) {
    const flag = SCRIPT_FLAG_NAMES.get(word as ScriptFlagName);
    if (flag === undefined) throw new Error(`Cannot parse script flags: unknown flag "${word}"`);
    flags |= flag;
  }
  return flags;
}

/**
 * The names of the flags set in `flags`, sorted by name (Core's `GetScriptFlagNames`); unknown bits are
 * appended as one `0x%08x` entry.
 */
export function scriptFlagNames(flags: number): string[] {
  const names: string[] = [];
  let leftover = flags >>> 0;
  for (const [name, flag] of SCRIPT_FLAG_NAMES) {
    if ((flags & flag) !== 0) {
      names.push(name);
      leftover = (leftover & ~flag) >>> 0;
    }
  }
  if (leftover !== 0) names.push(`0x${leftover.toString(16).padStart(8, "0")}`);
  return names;
}

/** The flags as the comma-separated text the test vectors use (inverse of {@link parseScriptFlags}). */
export function formatScriptFlags(flags: number): string {
  return scriptFlagNames(flags).join(",");
}

/**
 * Whether `flags` is a combination VerifyScript accepts (Core's `IsValidFlagCombination`): CLEANSTACK requires
 * P2SH and WITNESS, and WITNESS requires P2SH. Core asserts this; `verifyScript` does not check it.
 */
export function isValidFlagCombination(flags: number): boolean {
  if (
    (flags & SCRIPT_VERIFY_CLEANSTACK) !== 0 && (~flags & (SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS)) !== 0
  ) {
    return false;
  }
  if ((flags & SCRIPT_VERIFY_WITNESS) !== 0 && (~flags & SCRIPT_VERIFY_P2SH) !== 0) return false;
  return true;
}
