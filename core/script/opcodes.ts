/**
 * Script opcodes with Bitcoin Core's names and values (`opcodetype` in script/script.h), Core's display names
 * (`GetOpName`), the name table its asm parser accepts (`ParseOpCode` in core_io.cpp) and the BIP342
 * OP_SUCCESSx set (`IsOpSuccess`).
 *
 * @module
 */

// push value
/** Push an empty byte vector (alias OP_FALSE). */
export const OP_0 = 0x00;
/** Alias of OP_0. */
export const OP_FALSE: number = OP_0;
/** Push the next N bytes, N in the following byte. */
export const OP_PUSHDATA1 = 0x4c;
/** Push the next N bytes, N in the following 2 bytes (little-endian). */
export const OP_PUSHDATA2 = 0x4d;
/** Push the next N bytes, N in the following 4 bytes (little-endian). */
export const OP_PUSHDATA4 = 0x4e;
/** Push the number -1. */
export const OP_1NEGATE = 0x4f;
/** Fails when executed (push-type for IsPushOnly; OP_SUCCESS80 in tapscript). */
export const OP_RESERVED = 0x50;
/** Push the number 1 (alias OP_TRUE). */
export const OP_1 = 0x51;
/** Alias of OP_1. */
export const OP_TRUE: number = OP_1;
/** Push 2. */
export const OP_2 = 0x52;
/** Push 3. */
export const OP_3 = 0x53;
/** Push 4. */
export const OP_4 = 0x54;
/** Push 5. */
export const OP_5 = 0x55;
/** Push 6. */
export const OP_6 = 0x56;
/** Push 7. */
export const OP_7 = 0x57;
/** Push 8. */
export const OP_8 = 0x58;
/** Push 9. */
export const OP_9 = 0x59;
/** Push 10. */
export const OP_10 = 0x5a;
/** Push 11. */
export const OP_11 = 0x5b;
/** Push 12. */
export const OP_12 = 0x5c;
/** Push 13. */
export const OP_13 = 0x5d;
/** Push 14. */
export const OP_14 = 0x5e;
/** Push 15. */
export const OP_15 = 0x5f;
/** Push 16. */
export const OP_16 = 0x60;

// control
/** Does nothing. */
export const OP_NOP = 0x61;
/** Fails when executed. */
export const OP_VER = 0x62;
/** Conditional. */
export const OP_IF = 0x63;
/** Negated conditional. */
export const OP_NOTIF = 0x64;
/** Fails even when not executed. */
export const OP_VERIF = 0x65;
/** Fails even when not executed. */
export const OP_VERNOTIF = 0x66;
/** Else branch. */
export const OP_ELSE = 0x67;
/** End of a conditional. */
export const OP_ENDIF = 0x68;
/** Fails unless the top of the stack is true. */
export const OP_VERIFY = 0x69;
/** Fails; marks an output unspendable. */
export const OP_RETURN = 0x6a;

// stack ops
/** Stack op. */
export const OP_TOALTSTACK = 0x6b;
/** Stack op. */
export const OP_FROMALTSTACK = 0x6c;
/** Stack op. */
export const OP_2DROP = 0x6d;
/** Stack op. */
export const OP_2DUP = 0x6e;
/** Stack op. */
export const OP_3DUP = 0x6f;
/** Stack op. */
export const OP_2OVER = 0x70;
/** Stack op. */
export const OP_2ROT = 0x71;
/** Stack op. */
export const OP_2SWAP = 0x72;
/** Stack op. */
export const OP_IFDUP = 0x73;
/** Stack op. */
export const OP_DEPTH = 0x74;
/** Stack op. */
export const OP_DROP = 0x75;
/** Stack op. */
export const OP_DUP = 0x76;
/** Stack op. */
export const OP_NIP = 0x77;
/** Stack op. */
export const OP_OVER = 0x78;
/** Stack op. */
export const OP_PICK = 0x79;
/** Stack op. */
export const OP_ROLL = 0x7a;
/** Stack op. */
export const OP_ROT = 0x7b;
/** Stack op. */
export const OP_SWAP = 0x7c;
/** Stack op. */
export const OP_TUCK = 0x7d;

// splice ops
/** Disabled splice op. */
export const OP_CAT = 0x7e;
/** Disabled splice op. */
export const OP_SUBSTR = 0x7f;
/** Disabled splice op. */
export const OP_LEFT = 0x80;
/** Disabled splice op. */
export const OP_RIGHT = 0x81;
/** Pushes the size of the top element. */
export const OP_SIZE = 0x82;

// bit logic
/** Disabled bit op. */
export const OP_INVERT = 0x83;
/** Disabled bit op. */
export const OP_AND = 0x84;
/** Disabled bit op. */
export const OP_OR = 0x85;
/** Disabled bit op. */
export const OP_XOR = 0x86;
/** Byte equality. */
export const OP_EQUAL = 0x87;
/** OP_EQUAL then OP_VERIFY. */
export const OP_EQUALVERIFY = 0x88;
/** Fails when executed. */
export const OP_RESERVED1 = 0x89;
/** Fails when executed. */
export const OP_RESERVED2 = 0x8a;

// numeric
/** Numeric op. */
export const OP_1ADD = 0x8b;
/** Numeric op. */
export const OP_1SUB = 0x8c;
/** Disabled numeric op. */
export const OP_2MUL = 0x8d;
/** Disabled numeric op. */
export const OP_2DIV = 0x8e;
/** Numeric op. */
export const OP_NEGATE = 0x8f;
/** Numeric op. */
export const OP_ABS = 0x90;
/** Numeric op. */
export const OP_NOT = 0x91;
/** Numeric op. */
export const OP_0NOTEQUAL = 0x92;
/** Numeric op. */
export const OP_ADD = 0x93;
/** Numeric op. */
export const OP_SUB = 0x94;
/** Disabled numeric op. */
export const OP_MUL = 0x95;
/** Disabled numeric op. */
export const OP_DIV = 0x96;
/** Disabled numeric op. */
export const OP_MOD = 0x97;
/** Disabled numeric op. */
export const OP_LSHIFT = 0x98;
/** Disabled numeric op. */
export const OP_RSHIFT = 0x99;
/** Numeric op. */
export const OP_BOOLAND = 0x9a;
/** Numeric op. */
export const OP_BOOLOR = 0x9b;
/** Numeric op. */
export const OP_NUMEQUAL = 0x9c;
/** Numeric op. */
export const OP_NUMEQUALVERIFY = 0x9d;
/** Numeric op. */
export const OP_NUMNOTEQUAL = 0x9e;
/** Numeric op. */
export const OP_LESSTHAN = 0x9f;
/** Numeric op. */
export const OP_GREATERTHAN = 0xa0;
/** Numeric op. */
export const OP_LESSTHANOREQUAL = 0xa1;
/** Numeric op. */
export const OP_GREATERTHANOREQUAL = 0xa2;
/** Numeric op. */
export const OP_MIN = 0xa3;
/** Numeric op. */
export const OP_MAX = 0xa4;
/** Numeric op. */
export const OP_WITHIN = 0xa5;

// crypto
/** Hash op. */
export const OP_RIPEMD160 = 0xa6;
/** Hash op. */
export const OP_SHA1 = 0xa7;
/** Hash op. */
export const OP_SHA256 = 0xa8;
/** Hash op. */
export const OP_HASH160 = 0xa9;
/** Hash op. */
export const OP_HASH256 = 0xaa;
/** Marks the start of the signed script code. */
export const OP_CODESEPARATOR = 0xab;
/** Signature check. */
export const OP_CHECKSIG = 0xac;
/** Signature check then OP_VERIFY. */
export const OP_CHECKSIGVERIFY = 0xad;
/** m-of-n signature check (not in tapscript). */
export const OP_CHECKMULTISIG = 0xae;
/** OP_CHECKMULTISIG then OP_VERIFY. */
export const OP_CHECKMULTISIGVERIFY = 0xaf;

// expansion
/** Upgradable no-op. */
export const OP_NOP1 = 0xb0;
/** BIP65 (was OP_NOP2). */
export const OP_CHECKLOCKTIMEVERIFY = 0xb1;
/** Alias of OP_CHECKLOCKTIMEVERIFY. */
export const OP_NOP2: number = OP_CHECKLOCKTIMEVERIFY;
/** BIP112 (was OP_NOP3). */
export const OP_CHECKSEQUENCEVERIFY = 0xb2;
/** Alias of OP_CHECKSEQUENCEVERIFY. */
export const OP_NOP3: number = OP_CHECKSEQUENCEVERIFY;
/** Upgradable no-op. */
export const OP_NOP4 = 0xb3;
/** Upgradable no-op. */
export const OP_NOP5 = 0xb4;
/** Upgradable no-op. */
export const OP_NOP6 = 0xb5;
/** Upgradable no-op. */
export const OP_NOP7 = 0xb6;
/** Upgradable no-op. */
export const OP_NOP8 = 0xb7;
/** Upgradable no-op. */
export const OP_NOP9 = 0xb8;
/** Upgradable no-op. */
export const OP_NOP10 = 0xb9;

// Opcode added by BIP 342 (Tapscript)
/** BIP342 signature-count accumulator (tapscript only). */
export const OP_CHECKSIGADD = 0xba;

/** Not an opcode; also what GetScriptOp reports on failure. */
export const OP_INVALIDOPCODE = 0xff;

/** Highest opcode value that has a meaning outside tapscript (Core's `MAX_OPCODE` = OP_NOP10). */
export const MAX_OPCODE: number = OP_NOP10;

/** Every `opcodetype` enumerator of Core by name, aliases included (OP_FALSE, OP_TRUE, OP_NOP2, OP_NOP3). */
export const OPCODES: Readonly<Record<string, number>> = Object.freeze({
  OP_0,
  OP_FALSE,
  OP_PUSHDATA1,
  OP_PUSHDATA2,
  OP_PUSHDATA4,
  OP_1NEGATE,
  OP_RESERVED,
  OP_1,
  OP_TRUE,
  OP_2,
  OP_3,
  OP_4,
  OP_5,
  OP_6,
  OP_7,
  OP_8,
  OP_9,
  OP_10,
  OP_11,
  OP_12,
  OP_13,
  OP_14,
  OP_15,
  OP_16,
  OP_NOP,
  OP_VER,
  OP_IF,
  OP_NOTIF,
  OP_VERIF,
  OP_VERNOTIF,
  OP_ELSE,
  OP_ENDIF,
  OP_VERIFY,
  OP_RETURN,
  OP_TOALTSTACK,
  OP_FROMALTSTACK,
  OP_2DROP,
  OP_2DUP,
  OP_3DUP,
  OP_2OVER,
  OP_2ROT,
  OP_2SWAP,
  OP_IFDUP,
  OP_DEPTH,
  OP_DROP,
  OP_DUP,
  OP_NIP,
  OP_OVER,
  OP_PICK,
  OP_ROLL,
  OP_ROT,
  OP_SWAP,
  OP_TUCK,
  OP_CAT,
  OP_SUBSTR,
  OP_LEFT,
  OP_RIGHT,
  OP_SIZE,
  OP_INVERT,
  OP_AND,
  OP_OR,
  OP_XOR,
  OP_EQUAL,
  OP_EQUALVERIFY,
  OP_RESERVED1,
  OP_RESERVED2,
  OP_1ADD,
  OP_1SUB,
  OP_2MUL,
  OP_2DIV,
  OP_NEGATE,
  OP_ABS,
  OP_NOT,
  OP_0NOTEQUAL,
  OP_ADD,
  OP_SUB,
  OP_MUL,
  OP_DIV,
  OP_MOD,
  OP_LSHIFT,
  OP_RSHIFT,
  OP_BOOLAND,
  OP_BOOLOR,
  OP_NUMEQUAL,
  OP_NUMEQUALVERIFY,
  OP_NUMNOTEQUAL,
  OP_LESSTHAN,
  OP_GREATERTHAN,
  OP_LESSTHANOREQUAL,
  OP_GREATERTHANOREQUAL,
  OP_MIN,
  OP_MAX,
  OP_WITHIN,
  OP_RIPEMD160,
  OP_SHA1,
  OP_SHA256,
  OP_HASH160,
  OP_HASH256,
  OP_CODESEPARATOR,
  OP_CHECKSIG,
  OP_CHECKSIGVERIFY,
  OP_CHECKMULTISIG,
  OP_CHECKMULTISIGVERIFY,
  OP_NOP1,
  OP_CHECKLOCKTIMEVERIFY,
  OP_NOP2,
  OP_CHECKSEQUENCEVERIFY,
  OP_NOP3,
  OP_NOP4,
  OP_NOP5,
  OP_NOP6,
  OP_NOP7,
  OP_NOP8,
  OP_NOP9,
  OP_NOP10,
  OP_CHECKSIGADD,
  OP_INVALIDOPCODE,
});

/** GetOpName's table: index = opcode, "OP_UNKNOWN" where Core has no name. */
const NAMES: readonly string[] = (() => {
  const names: string[] = new Array(256).fill("OP_UNKNOWN");
  // Canonical names: aliases lose to the name Core's GetOpName returns.
  const aliases = new Set(["OP_FALSE", "OP_TRUE", "OP_NOP2", "OP_NOP3"]);
  for (const [name, value] of Object.entries(OPCODES)) {
    if (!aliases.has(name)) names[value] = name;
  }
  // Core prints push-value opcodes as numbers.
  names[OP_0] = "0";
  names[OP_1NEGATE] = "-1";
  for (let n = 1; n <= 16; n++) names[OP_1 + n - 1] = String(n);
  return Object.freeze(names);
})();

/**
 * The name Bitcoin Core gives an opcode (`GetOpName`): "0", "-1" and "1".."16" for the small-number pushes,
 * "OP_CHECKLOCKTIMEVERIFY"/"OP_CHECKSEQUENCEVERIFY" for 0xb1/0xb2, "OP_UNKNOWN" for values without a name
 * (0x01..0x4b and 0xbb..0xfe).
 */
export function opcodeName(op: number): string {
  return NAMES[op & 0xff] ?? "OP_UNKNOWN";
}

/**
 * Names accepted by Core's script asm parser (`ParseOpCode`): the GetOpName names of OP_RESERVED and of
 * OP_NOP..OP_NOP10 (0x61..0xb9), each with and without the "OP_" prefix. Push-value opcodes (OP_0, OP_1..16,
 * OP_1NEGATE, OP_PUSHDATAx) are written as numbers or raw hex instead; OP_CHECKSIGADD, OP_INVALIDOPCODE and the
 * aliases OP_NOP2/OP_NOP3/OP_TRUE/OP_FALSE are not accepted, exactly as in Core.
 */
const PARSE_NAMES: ReadonlyMap<string, number> = (() => {
  const map = new Map<string, number>();
  for (let op = 0; op <= MAX_OPCODE; op++) {
    if (op < OP_NOP && op !== OP_RESERVED) continue;
    const name = opcodeName(op);
    if (name === "OP_UNKNOWN") continue;
    map.set(name, op);
    if (name.startsWith("OP_")) map.set(name.slice(3), op);
  }
  return map;
})();

/**
 * Looks an opcode name up the way Core's asm parser does (`ParseOpCode`): "OP_ADD" and "ADD" both give 0x93.
 * Returns null for a name the parser does not know (see PARSE_NAMES rules above).
 */
export function parseOpcodeName(name: string): number | null {
  return PARSE_NAMES.get(name) ?? null;
}

/**
 * Whether `op` is an OP_SUCCESSx opcode of BIP342 (Core's `IsOpSuccess`): 80, 98, 126-129, 131-134, 137-138,
 * 141-142, 149-153, 187-254.
 */
export function isOpSuccess(op: number): boolean {
  return op === 80 || op === 98 || (op >= 126 && op <= 129) || (op >= 131 && op <= 134) ||
    (op >= 137 && op <= 138) || (op >= 141 && op <= 142) || (op >= 149 && op <= 153) ||
    (op >= 187 && op <= 254);
}
