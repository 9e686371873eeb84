import { assertEquals } from "../../assert.ts";
import { hex } from "../vectors.ts";
import { sha256 } from "@noble/hashes/sha2.js";
import { ripemd160 } from "@noble/hashes/legacy.js";
import { countWitnessSigOps, getP2shSigOpCount, getSigOpCount } from "../../../core/script/sigops.ts";
import { ScriptBuilder } from "../../../core/script/script.ts";
import { scriptForMultisig } from "../../../core/script/standard.ts";
import {
  OP_0,
  OP_1,
  OP_2,
  OP_CHECKMULTISIG,
  OP_CHECKMULTISIGVERIFY,
  OP_CHECKSIG,
  OP_CHECKSIGVERIFY,
  OP_ENDIF,
  OP_EQUAL,
  OP_HASH160,
  OP_IF,
} from "../../../core/script/opcodes.ts";

const p2sh = (redeem: Uint8Array) =>
  new ScriptBuilder().op(OP_HASH160).push(ripemd160(sha256(redeem))).op(OP_EQUAL).build();
const p2wsh = (ws: Uint8Array) => new ScriptBuilder().op(OP_0).push(sha256(ws)).build();
const dummy = new Uint8Array(20);

Deno.test("getSigOpCount and getP2shSigOpCount: Core's sigopcount_tests facts", () => {
  assertEquals(getSigOpCount(new Uint8Array(0), false), 0);
  assertEquals(getSigOpCount(new Uint8Array(0), true), 0);
  let s1 = new ScriptBuilder().op(OP_1).push(dummy).push(dummy).op(OP_2, OP_CHECKMULTISIG).build();
  assertEquals(getSigOpCount(s1, true), 2);
  s1 = new ScriptBuilder().raw(s1).op(OP_IF, OP_CHECKSIG, OP_ENDIF).build();
  assertEquals(getSigOpCount(s1, true), 3);
  assertEquals(getSigOpCount(s1, false), 21);
  const scriptSig = new ScriptBuilder().op(OP_0).push(s1).build();
  assertEquals(getP2shSigOpCount(p2sh(s1), scriptSig), 3);

  const keys = [1, 2, 3].map((i) => hex("02" + String(i).padStart(2, "0").repeat(32)));
  const s2 = scriptForMultisig(1, keys);
  assertEquals(getSigOpCount(s2, true), 3);
  assertEquals(getSigOpCount(s2, false), 20);
  assertEquals(getSigOpCount(p2sh(s2), true), 0);
  assertEquals(getSigOpCount(p2sh(s2), false), 0);
  const scriptSig2 = new ScriptBuilder().op(OP_1).push(dummy).push(dummy).push(s2).build();
  assertEquals(getP2shSigOpCount(p2sh(s2), scriptSig2), 3);
});

Deno.test("getSigOpCount: opcodes, accurate counting, truncation", () => {
  const ops = (...o: number[]) => Uint8Array.from(o);
  assertEquals(getSigOpCount(ops(OP_CHECKSIG, OP_CHECKSIGVERIFY, OP_CHECKMULTISIGVERIFY), true), 22);
  assertEquals(getSigOpCount(ops(0x60, OP_CHECKMULTISIG), true), 16);
  assertEquals(getSigOpCount(ops(0x60, OP_CHECKMULTISIG), false), 20);
  assertEquals(getSigOpCount(ops(OP_0, OP_CHECKMULTISIG), true), 20); // OP_0 is not OP_1..OP_16
  assertEquals(getSigOpCount(hex("0111ae"), true), 20); // a pushed 17 does not count
  assertEquals(getSigOpCount(hex("4fae"), true), 20);
  assertEquals(getSigOpCount(hex("ac" + "02ac" + "ac"), true), 1); // data bytes are not opcodes
  assertEquals(getSigOpCount(hex("acac" + "4c05ac"), true), 2); // counting stops at a truncated push
  assertEquals(getSigOpCount(hex("ba"), true), 0); // OP_CHECKSIGADD is not counted (taproot uses weight)
});

Deno.test("getP2shSigOpCount: non-P2SH, non-push and truncated scriptSigs", () => {
  const redeem = Uint8Array.of(OP_CHECKSIG, OP_CHECKSIG);
  const spk = p2sh(redeem);
  assertEquals(getP2shSigOpCount(spk, new ScriptBuilder().push(redeem).build()), 2);
  assertEquals(getP2shSigOpCount(spk, new ScriptBuilder().push(redeem).op(0x61).build()), 0);
  assertEquals(getP2shSigOpCount(spk, new ScriptBuilder().push(redeem).raw(hex("02aa")).build()), 0);
  assertEquals(getP2shSigOpCount(spk, new ScriptBuilder().push(redeem).op(OP_1).build()), 0); // last item empty
  assertEquals(getP2shSigOpCount(spk, new Uint8Array(0)), 0);
  // Not P2SH: the scriptPubKey's own accurate count, whatever the scriptSig.
  assertEquals(getP2shSigOpCount(Uint8Array.of(0x52, OP_CHECKMULTISIG), hex("61")), 2);
});

Deno.test("countWitnessSigOps: P2WPKH, P2WSH, nested, others", () => {
  const ws = scriptForMultisig(2, [
    hex("02" + "11".repeat(32)),
    hex("03" + "22".repeat(32)),
    hex("02" + "33".repeat(32)),
  ]);
  const none = new Uint8Array(0);
  const p2wpkh = new ScriptBuilder().op(OP_0).push(dummy).build();
  assertEquals(countWitnessSigOps(none, p2wpkh, []), 1);
  assertEquals(countWitnessSigOps(none, p2wsh(ws), [none, ws]), 3);
  assertEquals(countWitnessSigOps(none, p2wsh(ws), []), 0);
  assertEquals(countWitnessSigOps(none, p2wsh(ws), [Uint8Array.of(OP_CHECKMULTISIG)]), 20);
  // The witness script is taken from the last item without checking its hash (as Core).
  assertEquals(countWitnessSigOps(none, p2wsh(new Uint8Array(0)), [Uint8Array.of(OP_CHECKSIG)]), 1);
  // P2SH-wrapped.
  assertEquals(countWitnessSigOps(new ScriptBuilder().push(p2wpkh).build(), p2sh(p2wpkh), []), 1);
  const nested = p2wsh(ws);
  assertEquals(countWitnessSigOps(new ScriptBuilder().push(nested).build(), p2sh(nested), [none, ws]), 3);
  assertEquals(countWitnessSigOps(new ScriptBuilder().push(nested).op(0x61).build(), p2sh(nested), [ws]), 0);
  // Taproot, unknown versions and non-witness scripts count 0.
  assertEquals(countWitnessSigOps(none, hex("5120" + "44".repeat(32)), [hex("ac")]), 0);
  assertEquals(countWitnessSigOps(none, hex("5202abcd"), [hex("ac")]), 0);
  assertEquals(countWitnessSigOps(none, hex("76a914" + "00".repeat(20) + "88ac"), [hex("ac")]), 0);
});
