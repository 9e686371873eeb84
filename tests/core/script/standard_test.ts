import { assert, assertEquals } from "../../assert.ts";
import { hex } from "../vectors.ts";
import { bytesToHex } from "@noble/hashes/utils.js";
import {
  isValidPubkeyEncoding,
  matchMultiA,
  matchMultisig,
  scriptForMultisig,
  scriptForRawPubKey,
  solver,
  TXOUT_TYPES,
  type TxoutType,
} from "../../../core/script/standard.ts";
import { pushData } from "../../../core/script/script.ts";

const h = bytesToHex;
const K33 = "02" + "11".repeat(32);
const K33b = "03" + "22".repeat(32);
const K65 = "04" + "33".repeat(64);
const X32 = "44".repeat(32);

function solutionsHex(script: string): [TxoutType, string[]] {
  const s = solver(hex(script));
  return [s.type, s.solutions.map(h)];
}

Deno.test("solver: real scriptPubKeys from Core's recorded RPC session", async () => {
  const text = await Deno.readTextFile(
    new URL("../../../../shared/reference/core_regtest_rpc_session.json", import.meta.url),
  ).catch(() => Deno.readTextFile("/work/shared/reference/core_regtest_rpc_session.json"));
  const session = JSON.parse(text) as { call: [string, unknown[]]; result?: unknown }[];
  const seen = new Map<string, string>();
  const walk = (o: unknown) => {
    if (Array.isArray(o)) {
      o.forEach(walk);
    } else if (o !== null && typeof o === "object") {
      const r = o as Record<string, unknown>;
      if (typeof r.hex === "string" && typeof r.type === "string" && typeof r.asm === "string") {
        seen.set(r.hex, r.type);
      }
      Object.values(r).forEach(walk);
    }
  };
  for (const entry of session) {
    walk(entry.result);
    const r = entry.result as Record<string, unknown> | undefined;
    if (entry.call[0] === "decodescript") seen.set(String(entry.call[1][0]), String(r?.type));
    if (entry.call[0] === "createmultisig") seen.set(String(r?.redeemScript), "multisig");
  }
  assert(seen.size >= 7, `only ${seen.size} scripts found`);
  const types = new Set<string>();
  for (const [script, type] of seen) {
    assertEquals(solver(hex(script)).type, type, script);
    types.add(type);
  }
  assertEquals([...types].sort(), [
    "multisig",
    "nulldata",
    "pubkeyhash",
    "witness_v0_keyhash",
    "witness_v1_taproot",
  ]);
  const multi = solver(hex(
    "51210233333333333333333333333333333333333333333333333333333333333333332103444444444444444444444444444444444444444444444444444444444444444452ae",
  ));
  assert(multi.type === "multisig");
  assertEquals(multi.required, 1);
  assertEquals(multi.pubkeys.length, 2);
});

Deno.test("solver: one script of every type, with Core's solutions", () => {
  assertEquals(solutionsHex("a914" + "aa".repeat(20) + "87"), ["scripthash", ["aa".repeat(20)]]);
  assertEquals(solutionsHex("0014" + "bb".repeat(20)), ["witness_v0_keyhash", ["bb".repeat(20)]]);
  assertEquals(solutionsHex("0020" + "cc".repeat(32)), ["witness_v0_scripthash", ["cc".repeat(32)]]);
  assertEquals(solutionsHex("5120" + X32), ["witness_v1_taproot", [X32]]);
  assertEquals(solutionsHex("51024e73"), ["anchor", []]);
  assertEquals(solutionsHex("5202abcd"), ["witness_unknown", ["02", "abcd"]]);
  assertEquals(solutionsHex("6028" + "dd".repeat(40)), ["witness_unknown", ["10", "dd".repeat(40)]]);
  assertEquals(solutionsHex("6a"), ["nulldata", []]);
  assertEquals(solutionsHex("6a04deadbeef0051"), ["nulldata", []]);
  assertEquals(solutionsHex("21" + K33 + "ac"), ["pubkey", [K33]]);
  assertEquals(solutionsHex("41" + K65 + "ac"), ["pubkey", [K65]]);
  assertEquals(solutionsHex("76a914" + "ee".repeat(20) + "88ac"), ["pubkeyhash", ["ee".repeat(20)]]);
  assertEquals(solutionsHex("5121" + K33 + "21" + K33b + "52ae"), ["multisig", ["01", K33, K33b, "02"]]);
  assertEquals(solutionsHex(""), ["nonstandard", []]);
  assertEquals(solutionsHex("51"), ["nonstandard", []]);
  const byType = new Set(
    [
      "a914" + "aa".repeat(20) + "87",
      "0014" + "bb".repeat(20),
      "0020" + "cc".repeat(32),
      "5120" + X32,
      "51024e73",
      "5202abcd",
      "6a",
      "21" + K33 + "ac",
      "76a914" + "ee".repeat(20) + "88ac",
      "5121" + K33 + "51ae",
      "51",
    ]
      .map((s) => solver(hex(s)).type),
  );
  assertEquals([...byType].sort(), [...TXOUT_TYPES].sort());
});

Deno.test("solver: Core's edge cases", () => {
  // P2SH wins over everything; a P2SH-looking script with a PUSHDATA1 prefix is not P2SH.
  assertEquals(solver(hex("a94c14" + "aa".repeat(20) + "87")).type, "nonstandard");
  // Witness v0 with a program that is neither 20 nor 32 bytes: nonstandard; v1 non-32/non-anchor: unknown.
  assertEquals(solver(hex("0015" + "aa".repeat(21))).type, "nonstandard");
  assertEquals(solver(hex("0002aaaa")).type, "nonstandard");
  assertEquals(solver(hex("5121" + "aa".repeat(33))).type, "witness_unknown");
  assertEquals(solver(hex("51024e74")).type, "witness_unknown");
  // OP_RETURN followed by a non-push, or a truncated push: nonstandard.
  assertEquals(solver(hex("6a61")).type, "nonstandard");
  assertEquals(solver(hex("6a02aa")).type, "nonstandard");
  assertEquals(solver(hex("6a50")).type, "nulldata"); // OP_RESERVED counts as a push
  assertEquals(solver(hex("006a")).type, "nonstandard");
  // P2PK: header byte decides the length; hybrid keys (06/07) accepted, 05 not; non-direct pushes not.
  assertEquals(solver(hex("41" + "06" + "33".repeat(64) + "ac")).type, "pubkey");
  assertEquals(solver(hex("41" + "05" + "33".repeat(64) + "ac")).type, "nonstandard");
  assertEquals(solver(hex("21" + "04" + "33".repeat(32) + "ac")).type, "nonstandard");
  assertEquals(solver(hex("4c21" + K33 + "ac")).type, "nonstandard");
  assertEquals(solver(hex("21" + K33 + "ad")).type, "nonstandard");
  // P2PKH exact template only.
  assertEquals(solver(hex("76a914" + "ee".repeat(20) + "88ad")).type, "nonstandard");
  assertEquals(solver(hex("76a94c14" + "ee".repeat(20) + "88ac")).type, "nonstandard");
});

Deno.test("matchMultisig: Core's MatchMultisig rules", () => {
  const keys = (n: number) =>
    Array.from({ length: n }, (_, i) => hex((i % 2 ? "03" : "02") + h(Uint8Array.of(i)).repeat(32)));
  for (const [m, n] of [[1, 1], [1, 3], [2, 3], [3, 3], [16, 16], [1, 20], [20, 20]]) {
    const script = scriptForMultisig(m, keys(n));
    const r = matchMultisig(script);
    assert(r !== null, `${m}-of-${n}`);
    assertEquals([r.required, r.pubkeys.length], [m, n]);
    assertEquals(solver(script).solutions.length, n + 2);
  }
  // 17..20 are pushed as minimal numbers (0x01 0x11 …) by Core and accepted.
  assertEquals(h(scriptForMultisig(17, keys(17)).subarray(0, 2)), "0111");
  assertEquals(matchMultisig(scriptForMultisig(17, keys(17)))?.required, 17);
  // m > n, n = 21, m = 0, mismatching n, non-minimal numbers, OP_0, trailing bytes, invalid keys.
  assertEquals(matchMultisig(scriptForMultisig(3, keys(2))), null);
  assertEquals(matchMultisig(scriptForMultisig(1, keys(21))), null);
  assertEquals(matchMultisig(scriptForMultisig(0, keys(2))), null);
  const k = "21" + K33;
  assertEquals(matchMultisig(hex("51" + k + k + "53ae")), null);
  assertEquals(matchMultisig(hex("0101" + k + "51ae")), null); // 1 pushed as 0x01 0x01: not minimal
  assertEquals(matchMultisig(hex("00" + k + "51ae")), null);
  assertEquals(matchMultisig(hex("51" + k + "51" + "ae" + "ae")), null);
  assertEquals(matchMultisig(hex("51" + k + "51" + "61ae")), null);
  assertEquals(matchMultisig(hex("51" + "21" + "05" + "11".repeat(32) + "51ae")), null);
  assertEquals(matchMultisig(hex("51" + k + "0251")), null);
  assertEquals(matchMultisig(hex("ae")), null);
  assertEquals(matchMultisig(hex("")), null);
  assertEquals(matchMultisig(hex("51" + k + "4c")), null);
  // Keys may use any push opcode (only their size is checked), as in Core.
  assertEquals(matchMultisig(hex("51" + "4c21" + K33 + "51ae"))?.pubkeys.length, 1);
  assertEquals(matchMultisig(hex("51" + "41" + K65 + "51ae"))?.pubkeys.length, 1);
});

Deno.test("matchMultiA: Core's MatchMultiA rules", () => {
  const key = (i: number) => "20" + h(Uint8Array.of(i)).repeat(32);
  const multiA = (k: string, n: number) => {
    let s = "";
    for (let i = 0; i < n; i++) s += key(i) + (i === 0 ? "ac" : "ba");
    return s + k + "9c";
  };
  assertEquals(matchMultiA(hex(multiA("51", 1)))?.threshold, 1);
  assertEquals(matchMultiA(hex(multiA("52", 3)))?.pubkeys.length, 3);
  assertEquals(matchMultiA(hex(multiA("0111", 17)))?.threshold, 17);
  assertEquals(matchMultiA(hex(multiA("53", 2))), null); // k > n
  assertEquals(matchMultiA(hex(multiA("00", 2))), null); // k = 0
  assertEquals(matchMultiA(hex(multiA("0101", 2))), null); // not minimal
  assertEquals(matchMultiA(hex(key(0) + "ba" + "519c")), null); // first must be CHECKSIG
  assertEquals(matchMultiA(hex(key(0) + "ac" + key(1) + "ac" + "519c")), null); // then CHECKSIGADD
  assertEquals(matchMultiA(hex(multiA("51", 2) + "9c")), null);
  assertEquals(matchMultiA(hex("519c")), null);
  assertEquals(matchMultiA(hex("")), null);
  assertEquals(h(matchMultiA(hex(multiA("52", 2)))!.pubkeys[1]), "01".repeat(32));
});

Deno.test("isValidPubkeyEncoding and script builders", () => {
  assert(isValidPubkeyEncoding(hex(K33)));
  assert(isValidPubkeyEncoding(hex(K65)));
  assert(isValidPubkeyEncoding(hex("07" + "00".repeat(64))));
  assert(!isValidPubkeyEncoding(hex("04" + "00".repeat(32))));
  assert(!isValidPubkeyEncoding(hex("02" + "00".repeat(64))));
  assert(!isValidPubkeyEncoding(hex("05" + "00".repeat(32))));
  assert(!isValidPubkeyEncoding(new Uint8Array(0)));
  assertEquals(h(scriptForRawPubKey(hex(K33))), "21" + K33 + "ac");
  assertEquals(h(scriptForMultisig(1, [hex(K33), hex(K33b)])), "5121" + K33 + "21" + K33b + "52ae");
  assertEquals(h(pushData(hex(K65))).slice(0, 2), "41");
});
