import { assert, assertEquals } from "../../assert.ts";
import {
  isOpSuccess,
  MAX_OPCODE,
  OP_0,
  OP_1,
  OP_16,
  OP_1NEGATE,
  OP_CHECKLOCKTIMEVERIFY,
  OP_CHECKSEQUENCEVERIFY,
  OP_CHECKSIGADD,
  OP_FALSE,
  OP_INVALIDOPCODE,
  OP_NOP2,
  OP_NOP3,
  OP_TRUE,
  opcodeName,
  OPCODES,
  parseOpcodeName,
} from "../../../core/script/opcodes.ts";

Deno.test("opcodes: values and aliases as in Core's opcodetype", () => {
  assertEquals(OP_0, 0);
  assertEquals(OP_FALSE, 0);
  assertEquals(OP_TRUE, 0x51);
  assertEquals(OP_1NEGATE, 0x4f);
  assertEquals(OP_16, 0x60);
  assertEquals(OP_NOP2, OP_CHECKLOCKTIMEVERIFY);
  assertEquals(OP_NOP3, OP_CHECKSEQUENCEVERIFY);
  assertEquals(OP_CHECKLOCKTIMEVERIFY, 0xb1);
  assertEquals(OP_CHECKSEQUENCEVERIFY, 0xb2);
  assertEquals(OP_CHECKSIGADD, 0xba);
  assertEquals(OP_INVALIDOPCODE, 0xff);
  assertEquals(MAX_OPCODE, 0xb9);
  // 113 distinct values named by Core (0x00, 0x4c..0xba, 0xff) plus 4 aliases.
  assertEquals(Object.keys(OPCODES).length, 117);
  assertEquals(new Set(Object.values(OPCODES)).size, 113);
  assertEquals(OPCODES.OP_WITHIN, 0xa5);
  assertEquals(OPCODES.OP_CODESEPARATOR, 0xab);
});

Deno.test("opcodeName: Core's GetOpName for all 256 values", () => {
  const expect: Record<number, string> = {
    0x00: "0",
    0x4c: "OP_PUSHDATA1",
    0x4d: "OP_PUSHDATA2",
    0x4e: "OP_PUSHDATA4",
    0x4f: "-1",
    0x50: "OP_RESERVED",
    0x51: "1",
    0x60: "16",
    0x61: "OP_NOP",
    0x62: "OP_VER",
    0x6a: "OP_RETURN",
    0x7e: "OP_CAT",
    0x87: "OP_EQUAL",
    0x89: "OP_RESERVED1",
    0x8a: "OP_RESERVED2",
    0x92: "OP_0NOTEQUAL",
    0xa9: "OP_HASH160",
    0xae: "OP_CHECKMULTISIG",
    0xb0: "OP_NOP1",
    0xb1: "OP_CHECKLOCKTIMEVERIFY",
    0xb2: "OP_CHECKSEQUENCEVERIFY",
    0xb3: "OP_NOP4",
    0xb9: "OP_NOP10",
    0xba: "OP_CHECKSIGADD",
    0xbb: "OP_UNKNOWN",
    0xfe: "OP_UNKNOWN",
    0xff: "OP_INVALIDOPCODE",
    0x01: "OP_UNKNOWN",
    0x4b: "OP_UNKNOWN",
  };
  for (const [op, name] of Object.entries(expect)) assertEquals(opcodeName(Number(op)), name, `opcode ${op}`);
  for (let n = 1; n <= 16; n++) assertEquals(opcodeName(OP_1 + n - 1), String(n));
  let unknown = 0;
  for (let op = 0; op < 256; op++) if (opcodeName(op) === "OP_UNKNOWN") unknown++;
  assertEquals(unknown, 75 + 68); // 0x01..0x4b and 0xbb..0xfe
  // Every named opcode other than the number pushes and the aliases is called by its enumerator name.
  for (const [name, value] of Object.entries(OPCODES)) {
    if (["OP_FALSE", "OP_TRUE", "OP_NOP2", "OP_NOP3"].includes(name)) continue;
    if (value === 0 || value === 0x4f || (value >= 0x51 && value <= 0x60)) continue;
    assertEquals(opcodeName(value), name);
  }
});

Deno.test("parseOpcodeName: Core's ParseOpCode table", () => {
  assertEquals(parseOpcodeName("OP_ADD"), 0x93);
  assertEquals(parseOpcodeName("ADD"), 0x93);
  assertEquals(parseOpcodeName("RESERVED"), 0x50);
  assertEquals(parseOpcodeName("OP_RESERVED"), 0x50);
  assertEquals(parseOpcodeName("NOP"), 0x61);
  assertEquals(parseOpcodeName("CHECKLOCKTIMEVERIFY"), 0xb1);
  assertEquals(parseOpcodeName("OP_CHECKSEQUENCEVERIFY"), 0xb2);
  assertEquals(parseOpcodeName("NOP10"), 0xb9);
  assertEquals(parseOpcodeName("0NOTEQUAL"), 0x92);
  // Not in Core's parser table: push values, aliases, names above MAX_OPCODE, lower case.
  for (
    const name of [
      "OP_0",
      "OP_1",
      "1",
      "OP_FALSE",
      "OP_TRUE",
      "TRUE",
      "OP_1NEGATE",
      "PUSHDATA1",
      "OP_NOP2",
      "NOP3",
      "OP_CHECKSIGADD",
      "CHECKSIGADD",
      "OP_INVALIDOPCODE",
      "OP_UNKNOWN",
      "UNKNOWN",
      "add",
      "op_add",
      "",
    ]
  ) {
    assertEquals(parseOpcodeName(name), null, name);
  }
  let count = 0;
  for (let op = 0; op < 256; op++) {
    const name = opcodeName(op);
    if (parseOpcodeName(name) === op) {
      count++;
      assertEquals(parseOpcodeName(name.slice(3)), op);
    }
  }
  assertEquals(count, 1 + (0xb9 - 0x61 + 1)); // OP_RESERVED and OP_NOP..OP_NOP10
});

Deno.test("isOpSuccess: the BIP342 OP_SUCCESSx set", () => {
  const set: number[] = [];
  for (let op = 0; op < 256; op++) if (isOpSuccess(op)) set.push(op);
  assertEquals(set.length, 87);
  for (const op of [80, 98, 126, 129, 131, 134, 137, 138, 141, 142, 149, 153, 187, 254]) {
    assert(isOpSuccess(op), `${op}`);
  }
  for (const op of [0, 79, 81, 97, 99, 125, 130, 135, 136, 139, 140, 143, 148, 154, 186, 255]) {
    assert(!isOpSuccess(op), `${op}`);
  }
});
