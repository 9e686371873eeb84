/**
 * Standardness: every rule of IsStandardTx with hand-built transactions on both sides (ported facts of Core's
 * transaction_tests test_IsStandard and max_standard_legacy_sigops), the tx-size-small rule, input and witness
 * standardness, sigop cost, virtual size and the fee floors, each with Core's reason and debug strings.
 */

import { NULL_OUTPOINT } from "../../../core/wire/outpoint.ts";
import {
  OP_0,
  OP_1,
  OP_16,
  OP_1NEGATE,
  OP_2,
  OP_2DUP,
  OP_3DUP,
  OP_ADD,
  OP_CHECKLOCKTIMEVERIFY,
  OP_CHECKSIG,
  OP_CODESEPARATOR,
  OP_DROP,
  OP_EQUAL,
  OP_HASH256,
  OP_IF,
  OP_NOP,
  OP_NOT,
  OP_RESERVED,
  OP_RETURN,
  OP_ROT,
  OP_SIZE,
  OP_SUB,
  OP_VERIFY,
} from "../../../core/script/opcodes.ts";
import { decodeScript, ScriptBuilder } from "../../../core/script/script.ts";
import { hash160 } from "../../../core/hash/hashes.ts";
import { transactionWeight } from "../../../core/wire/transaction.ts";
import type { Transaction, TxOut } from "../../../core/wire/types.ts";
import { FeeRate } from "../../../node/policy/feerate.ts";
import {
  checkFeeRate,
  checkStandardSigOpCost,
  checkTxNonWitnessSize,
  checkWitnessStandard,
  getVirtualTransactionSize,
  isStandardScriptPubKey,
  isStandardTx,
  isWitnessStandard,
  MAX_P2SH_SIGOPS,
  MAX_TX_LEGACY_SIGOPS,
  spendsNonAnchorWitnessProg,
  type StandardTxOptions,
  toFeePerVSize,
  transactionInputWeight,
  validateInputsStandardness,
  virtualTransactionInputSize,
  virtualTransactionSize,
} from "../../../node/policy/policy.ts";
import { defaultPolicySettings, MAX_OP_RETURN_RELAY } from "../../../node/policy/settings.ts";
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import {
  bytes,
  DUMMY_SCRIPTSIG,
  fakeTxid,
  input,
  multisig,
  nulldata,
  outpoint,
  output,
  P2A,
  p2pkh,
  p2sh,
  p2tr,
  p2wpkh,
  p2wsh,
  pubkey,
  simpleTx,
  tx,
} from "./tx_helpers.ts";

const DEFAULTS: StandardTxOptions = defaultPolicySettings("regtest");

function reasonOf(t: Transaction, options: Partial<StandardTxOptions> = {}): string {
  const s = isStandardTx(t, { ...DEFAULTS, ...options });
  return s.valid ? "standard" : s.reason;
}

function withOutputs(t: Transaction, outputs: TxOut[]): Transaction {
  return { ...t, outputs };
}

function withScriptSig(t: Transaction, scriptSig: Uint8Array): Transaction {
  return { ...t, inputs: [{ ...t.inputs[0], scriptSig }] };
}

const HEX_83 = "04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38" +
  "04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38";
const HEX_40 = "04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38";
const fromHex = (h: string) => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));

Deno.test("a simple P2PKH payment is standard; the failure states are TX_NOT_STANDARD", () => {
  assertEquals(isStandardTx(simpleTx(), DEFAULTS), { valid: true });
  assertEquals(isStandardTx(simpleTx(1n, { version: 4 }), DEFAULTS), {
    valid: false,
    result: "TX_NOT_STANDARD",
    reason: "version",
  });
});

Deno.test("dust: one dust output is allowed (ephemeral dust), two are not", () => {
  const t = simpleTx();
  const oneDust = withOutputs(t, [...t.outputs, output(0, p2pkh())]);
  assertEquals(reasonOf(oneDust), "standard");
  assertEquals(reasonOf(withOutputs(oneDust, [output(545, p2pkh()), output(0, p2pkh())])), "dust");
  assertEquals(reasonOf(withOutputs(oneDust, [output(546, p2pkh()), output(0, p2pkh())])), "standard");
  // rounding at an odd dust relay fee: 182 × 3702 / 1000 → 674
  const odd = { dustRelayFeeRate: FeeRate.fromSatPerKvB(3702) };
  assertEquals(reasonOf(withOutputs(oneDust, [output(673, p2pkh()), output(0, p2pkh())]), odd), "dust");
  assertEquals(reasonOf(withOutputs(oneDust, [output(674, p2pkh()), output(0, p2pkh())]), odd), "standard");
});

Deno.test("dust thresholds per output type, through isStandardTx (Core's test_IsStandard)", () => {
  const cases: [Uint8Array, number][] = [
    [new ScriptBuilder().push(Uint8Array.of(2, ...bytes(32, 2))).op(OP_CHECKSIG).build(), 576],
    [new ScriptBuilder().push(Uint8Array.of(4, ...bytes(64, 4))).op(OP_CHECKSIG).build(), 672],
    [p2pkh(bytes(20)), 546],
    [p2sh(bytes(20)), 540],
    [p2wpkh(bytes(20)), 294],
    [p2wsh(bytes(32)), 330],
    [p2tr(bytes(32)), 330],
    [P2A, 240],
  ];
  for (let op = OP_1; op <= OP_16; op++) cases.push([new ScriptBuilder().op(op).push(bytes(2)).build(), 240]);
  const base = simpleTx();
  for (const [spk, threshold] of cases) {
    const t = (v: number) => withOutputs(base, [output(v, spk), output(0, multisig(1, 1))]);
    assertEquals(reasonOf(t(threshold)), "standard", `threshold ${threshold}`);
    assertEquals(reasonOf(t(threshold - 1)), "dust", `threshold ${threshold} - 1`);
  }
});

Deno.test("version: 1, 2 and 3 (TRUC) are standard; 0, 4 and 0xffffffff are not", () => {
  for (const v of [1, 2, 3]) {
    assertEquals(reasonOf(simpleTx(90_000_000n, { version: v })), "standard", `${v}`);
  }
  for (const v of [0, 4, 0xffffffff]) {
    assertEquals(reasonOf(simpleTx(90_000_000n, { version: v })), "version", `${v}`);
  }
});

Deno.test("scriptpubkey: nonstandard output types", () => {
  const t = simpleTx();
  assertEquals(reasonOf(withOutputs(t, [output(1000, Uint8Array.of(OP_1))])), "scriptpubkey");
  assertEquals(reasonOf(withOutputs(t, [output(1000, Uint8Array.of(OP_RETURN, OP_RETURN))])), "scriptpubkey");
  // v0 witness program of the wrong size
  assertEquals(
    reasonOf(withOutputs(t, [output(1000, new ScriptBuilder().op(OP_0).push(bytes(21)).build())])),
    "scriptpubkey",
  );
  // bare multisig: up to 3 keys
  assertEquals(reasonOf(withOutputs(t, [output(1000, multisig(2, 3))])), "standard");
  assertEquals(reasonOf(withOutputs(t, [output(1000, multisig(1, 4))])), "scriptpubkey");
  // future witness versions and P2A are standard outputs
  assertEquals(
    reasonOf(withOutputs(t, [output(1000, new ScriptBuilder().op(OP_2).push(bytes(32)).build())])),
    "standard",
  );
  assertEquals(reasonOf(withOutputs(t, [output(1000, P2A)])), "standard");
});

Deno.test("isStandardScriptPubKey reports the type", () => {
  assertEquals(isStandardScriptPubKey(p2pkh()), { standard: true, type: "pubkeyhash" });
  assertEquals(isStandardScriptPubKey(multisig(1, 3)), { standard: true, type: "multisig" });
  assertEquals(isStandardScriptPubKey(multisig(3, 4)), { standard: false, type: "multisig" });
  assertEquals(isStandardScriptPubKey(Uint8Array.of(OP_NOP)), { standard: false, type: "nonstandard" });
  assertEquals(isStandardScriptPubKey(P2A), { standard: true, type: "anchor" });
  assertEquals(isStandardScriptPubKey(nulldata()), { standard: true, type: "nulldata" });
});

Deno.test("datacarrier: nulldata sizes add up against -datacarriersize; any number of OP_RETURN outputs", () => {
  const t = simpleTx();
  const one83 = withOutputs(t, [output(0, nulldata(fromHex(HEX_83)))]);
  assertEquals(one83.outputs[0].scriptPubKey.length, 83);
  assertEquals(reasonOf(one83, { maxDatacarrierBytes: 83 }), "standard");
  assertEquals(reasonOf(one83, { maxDatacarrierBytes: 82 }), "datacarrier");
  // the payload may be any pushes
  for (
    const spk of [
      nulldata(new Uint8Array(0)),
      nulldata(Uint8Array.of(0), Uint8Array.of(1)),
      new ScriptBuilder().op(OP_RETURN, OP_RESERVED).num(-1).num(0).push(Uint8Array.of(1)).num(2).num(3).num(
        16,
      )
        .build(),
      new ScriptBuilder().op(OP_RETURN).num(0).push(Uint8Array.of(1)).num(2).push(bytes(36, 0xff)).build(),
      Uint8Array.of(OP_RETURN),
    ]
  ) {
    assertEquals(reasonOf(withOutputs(t, [output(0, spk)])), "standard");
  }
  // multiple nulldata outputs are permitted
  const two = withOutputs(t, [output(0, nulldata(fromHex(HEX_40))), output(0, nulldata(fromHex(HEX_40)))]);
  assertEquals(reasonOf(two), "standard");
  assertEquals(
    reasonOf(withOutputs(t, [output(0, Uint8Array.of(OP_RETURN)), output(0, Uint8Array.of(OP_RETURN))])),
    "standard",
  );
  const big = withOutputs(t, [output(0, nulldata(fromHex(HEX_83))), output(0, nulldata(fromHex(HEX_83)))]);
  const total = 83 * 2;
  assertEquals(reasonOf(big), "standard");
  assertEquals(reasonOf(big, { maxDatacarrierBytes: total }), "standard");
  assertEquals(reasonOf(big, { maxDatacarrierBytes: total - 1 }), "datacarrier");
  // -datacarrier=0: no nulldata output at all
  assertEquals(
    reasonOf(withOutputs(t, [output(0, Uint8Array.of(OP_RETURN))]), { maxDatacarrierBytes: null }),
    "datacarrier",
  );
  assertEquals(reasonOf(t, { maxDatacarrierBytes: null }), "standard");
  // the default (100,000 bytes in total) never binds before the 400,000 weight limit does
  const huge = (n: number) => withOutputs(t, [output(0, nulldata(bytes(n)))]);
  assertEquals(MAX_OP_RETURN_RELAY, 100_000);
  assertEquals(reasonOf(huge(99_800)), "standard");
  assertEquals(reasonOf(huge(99_994)), "tx-size");
  assertEquals(reasonOf(huge(99_800), { maxDatacarrierBytes: 99_806 }), "standard");
  assertEquals(reasonOf(huge(99_800), { maxDatacarrierBytes: 99_805 }), "datacarrier");
});

Deno.test("scriptsig-size: 1650 bytes is standard, 1651 is not", () => {
  const t = withOutputs(simpleTx(), [output(2_100_000_000_000_000n, p2pkh())]);
  const s1650 = new ScriptBuilder().push(bytes(1647)).build();
  assertEquals(s1650.length, 1650);
  assertEquals(reasonOf(withScriptSig(t, s1650)), "standard");
  assertEquals(reasonOf(withScriptSig(t, new ScriptBuilder().push(bytes(1648)).build())), "scriptsig-size");
});

Deno.test("scriptsig-not-pushonly: any non-push opcode in a scriptSig", () => {
  const t = simpleTx();
  const sig = new ScriptBuilder().op(OP_1, OP_0, OP_1NEGATE, OP_16).push(bytes(75)).push(bytes(235)).push(
    bytes(1234),
  )
    .op(0x59).build();
  assertEquals(reasonOf(withScriptSig(t, sig)), "standard");
  const nonPush = [
    OP_NOP,
    OP_VERIFY,
    OP_IF,
    OP_ROT,
    OP_3DUP,
    OP_SIZE,
    OP_EQUAL,
    OP_ADD,
    OP_SUB,
    OP_HASH256,
    OP_CODESEPARATOR,
    OP_CHECKSIG,
    OP_CHECKLOCKTIMEVERIFY,
  ];
  // replace each single-byte opcode (OP_n, OP_0, OP_1NEGATE) in turn
  for (const op of decodeScript(sig)) {
    if (op.opcode >= 1 && op.opcode <= 0x4e) continue;
    for (const bad of nonPush) {
      const s = sig.slice();
      s[op.start] = bad;
      assertEquals(reasonOf(withScriptSig(t, s)), "scriptsig-not-pushonly", `op ${bad} at ${op.start}`);
    }
  }
  // a truncated push is not push-only either
  assertEquals(reasonOf(withScriptSig(t, Uint8Array.of(0x4c))), "scriptsig-not-pushonly");
});

Deno.test("tx-size: weight 400,000 is standard, 400,004 is not", () => {
  const inputs = Array.from({ length: 2438 }, (_, i) => input(outpoint(fakeTxid(1), i)));
  const t19 = tx(inputs, [output(0, nulldata(bytes(19)))]);
  assertEquals(transactionWeight(t19), 400_000);
  assertEquals(reasonOf(t19), "standard");
  const t20 = tx(inputs, [output(0, nulldata(bytes(20)))]);
  assertEquals(transactionWeight(t20), 400_004);
  assertEquals(reasonOf(t20), "tx-size");
});

Deno.test("bare-multisig: standard with -permitbaremultisig, rejected without", () => {
  const t = withOutputs(simpleTx(), [output(90_000_000n, multisig(1, 1))]);
  assertEquals(reasonOf(t, { permitBareMultisig: true }), "standard");
  assertEquals(reasonOf(t, { permitBareMultisig: false }), "bare-multisig");
});

Deno.test("check order follows Core's: version, tx-size, scriptSigs, outputs, dust", () => {
  const t = withScriptSig(
    withOutputs(simpleTx(1n, { version: 9 }), [output(1, Uint8Array.of(OP_1)), output(1, p2pkh())]),
    Uint8Array.of(OP_NOP),
  );
  assertEquals(reasonOf(t), "version");
  assertEquals(reasonOf({ ...t, version: 2 }), "scriptsig-not-pushonly");
  assertEquals(reasonOf({ ...withScriptSig(t, DUMMY_SCRIPTSIG), version: 2 }), "scriptpubkey");
});

Deno.test("tx-size-small: non-witness size below 65 bytes", () => {
  const small = tx([input(outpoint(fakeTxid(1)))], [output(0, P2A)]);
  assertEquals(checkTxNonWitnessSize(small), {
    valid: false,
    result: "TX_NOT_STANDARD",
    reason: "tx-size-small",
  });
  const ok = tx([input(outpoint(fakeTxid(1)))], [output(0, nulldata(bytes(3)))]);
  assertEquals(checkTxNonWitnessSize(ok), { valid: true });
  // the witness does not count
  const witnessed = tx([input(outpoint(fakeTxid(1)), { witness: [bytes(100)] })], [output(0, P2A)]);
  assertEquals(checkTxNonWitnessSize(witnessed).valid, false);
});

// --- inputs ---------------------------------------------------------------------------------------------------

function spend(spk: Uint8Array, options: { scriptSig?: Uint8Array; witness?: Uint8Array[] } = {}) {
  const t = tx([input(outpoint(fakeTxid(9)), options)], [output(1000, p2wpkh())]);
  return { t, spent: [output(5000, spk)] };
}

function inputsReason(t: Transaction, spent: TxOut[]): string {
  const s = validateInputsStandardness(t, spent);
  if (s.valid) return "standard";
  assertEquals(s.result, "TX_INPUTS_NOT_STANDARD");
  assertEquals(s.reason, "bad-txns-nonstandard-inputs");
  return s.debug ?? "";
}

/** A redeem script with `n` accurate sigops (Core's max_standard_legacy_sigops shape). */
function sigopsRedeemScript(n: number): Uint8Array {
  const b = new ScriptBuilder().push(new Uint8Array(0)).push(pubkey());
  for (let i = 0; i < n - 1; i++) b.op(OP_2DUP, OP_CHECKSIG, OP_DROP);
  return b.op(OP_CHECKSIG, OP_NOT).build();
}

Deno.test("input standardness: spent output types", () => {
  let { t, spent } = spend(p2pkh(), { scriptSig: DUMMY_SCRIPTSIG });
  assertEquals(inputsReason(t, spent), "standard");
  ({ t, spent } = spend(Uint8Array.of(OP_1)));
  assertEquals(inputsReason(t, spent), "input 0 script unknown");
  ({ t, spent } = spend(new ScriptBuilder().op(OP_2).push(bytes(32)).build()));
  assertEquals(inputsReason(t, spent), "input 0 witness program is undefined");
  for (const spk of [p2wpkh(), p2wsh(), p2tr(), P2A, multisig(1, 2), nulldata()]) {
    ({ t, spent } = spend(spk));
    assertEquals(inputsReason(t, spent), "standard");
  }
  // the input index is reported
  const two = tx([input(outpoint(fakeTxid(1))), input(outpoint(fakeTxid(2)))], [output(1, p2wpkh())]);
  assertEquals(
    inputsReason(two, [output(1, p2wpkh()), output(1, Uint8Array.of(OP_NOP))]),
    "input 1 script unknown",
  );
});

Deno.test("input standardness: P2SH redeem scripts", () => {
  const redeem15 = sigopsRedeemScript(MAX_P2SH_SIGOPS);
  const redeem16 = sigopsRedeemScript(MAX_P2SH_SIGOPS + 1);
  let r = spend(p2sh(hash160(redeem15)), { scriptSig: new ScriptBuilder().push(redeem15).build() });
  assertEquals(inputsReason(r.t, r.spent), "standard");
  r = spend(p2sh(hash160(redeem16)), { scriptSig: new ScriptBuilder().push(redeem16).build() });
  assertEquals(inputsReason(r.t, r.spent), "p2sh redeemscript sigops exceed limit (input 0: 16 > 15)");
  r = spend(p2sh());
  assertEquals(inputsReason(r.t, r.spent), "input 0 P2SH redeemscript missing");
  r = spend(p2sh(), { scriptSig: Uint8Array.of(OP_RESERVED) });
  assertEquals(
    inputsReason(r.t, r.spent),
    "p2sh scriptsig malformed (input 0: Opcode missing or not understood)",
  );
  r = spend(p2sh(), { scriptSig: new ScriptBuilder().push(bytes(521)).build() });
  assertEquals(
    inputsReason(r.t, r.spent),
    "p2sh scriptsig malformed (input 0: Push value size limit exceeded)",
  );
  // a coinbase is not checked
  const coinbase = tx([input(NULL_OUTPOINT, { scriptSig: Uint8Array.of(1, 1) })], [output(1, p2pkh())]);
  assertEquals(validateInputsStandardness(coinbase, []), { valid: true });
  assertThrows(() => validateInputsStandardness(r.t, []), "0 spent outputs for 1 inputs");
});

Deno.test("BIP54: at most 2500 potentially executed legacy sigops (Core's max_standard_legacy_sigops)", () => {
  const redeem = sigopsRedeemScript(MAX_P2SH_SIGOPS);
  const p2shOut = output(424242, p2sh(hash160(redeem)));
  const p2shIn = (i: number) =>
    input(outpoint(fakeTxid(1), i), { scriptSig: new ScriptBuilder().push(redeem).build() });
  const count = Math.floor(MAX_TX_LEGACY_SIGOPS / MAX_P2SH_SIGOPS); // 166
  assertEquals(count, 166);
  const mk = (inputs: ReturnType<typeof input>[]) => tx(inputs, [output(1, p2wpkh())]);
  let inputs = Array.from({ length: count }, (_, i) => p2shIn(i));
  let spent = inputs.map(() => p2shOut);
  assertEquals(inputsReason(mk(inputs), spent), "standard"); // 2490
  assertEquals(
    inputsReason(mk([...inputs, p2shIn(count)]), [...spent, p2shOut]),
    "non-witness sigops exceed bip54 limit",
  ); // 2505
  // 166 × 15 + 10 P2PK = 2500 passes
  const p2pk = new ScriptBuilder().push(pubkey()).op(OP_CHECKSIG).build();
  const p2pkIns = Array.from({ length: 10 }, (_, i) => input(outpoint(fakeTxid(2), i)));
  inputs = [...inputs, ...p2pkIns];
  spent = [...spent, ...p2pkIns.map(() => output(212121, p2pk))];
  assertEquals(inputsReason(mk(inputs), spent), "standard");
  // witness inputs do not count
  const segwit = [p2wpkh(), p2wsh(), p2tr()];
  const withSegwit = [...inputs, ...segwit.map((_, i) => input(outpoint(fakeTxid(3), i)))];
  const spentSegwit = [...spent, ...segwit.map((spk) => output(121212, spk))];
  assertEquals(inputsReason(mk(withSegwit), spentSegwit), "standard");
  // one more P2PK: 2501
  assertEquals(
    inputsReason(mk([...inputs, input(outpoint(fakeTxid(2), 10))]), [...spent, output(212121, p2pk)]),
    "non-witness sigops exceed bip54 limit",
  );
});

// --- witnesses ------------------------------------------------------------------------------------------------

Deno.test("witness standardness: witness only where a witness program is spent", () => {
  let r = spend(p2pkh(), { scriptSig: DUMMY_SCRIPTSIG });
  assert(isWitnessStandard(r.t, r.spent));
  r = spend(p2pkh(), { witness: [bytes(1)] });
  assert(!isWitnessStandard(r.t, r.spent));
  assertEquals(checkWitnessStandard(r.t, r.spent), {
    valid: false,
    result: "TX_WITNESS_MUTATED",
    reason: "bad-witness-nonstandard",
  });
  r = spend(P2A, { witness: [bytes(1)] });
  assert(!isWitnessStandard(r.t, r.spent), "witness stuffing on P2A");
  r = spend(P2A);
  assert(isWitnessStandard(r.t, r.spent));
  r = spend(p2wpkh(), { witness: [bytes(72), pubkey()] });
  assert(isWitnessStandard(r.t, r.spent));
  assertEquals(checkWitnessStandard(r.t, r.spent), { valid: true });
  r = spend(p2sh(), { scriptSig: Uint8Array.of(OP_RESERVED), witness: [bytes(1)] });
  assert(!isWitnessStandard(r.t, r.spent), "P2SH scriptSig that does not evaluate");
});

Deno.test("witness standardness: P2WSH limits (script 3600, 100 items of 80 bytes), also P2SH-wrapped", () => {
  const check = (witness: Uint8Array[], wrapped = false) => {
    const r = wrapped
      ? spend(p2sh(), { scriptSig: new ScriptBuilder().push(p2wsh()).build(), witness })
      : spend(p2wsh(), { witness });
    return isWitnessStandard(r.t, r.spent);
  };
  for (const wrapped of [false, true]) {
    assert(check([bytes(80), bytes(3600)], wrapped));
    assert(!check([bytes(80), bytes(3601)], wrapped));
    assert(!check([bytes(81), bytes(10)], wrapped));
    assert(check([...Array.from({ length: 100 }, () => bytes(80)), bytes(10)], wrapped));
    assert(!check([...Array.from({ length: 101 }, () => bytes(1)), bytes(10)], wrapped));
  }
});

Deno.test("witness standardness: taproot annex, control block, tapscript item size", () => {
  const check = (witness: Uint8Array[], spk = p2tr()) =>
    isWitnessStandard(spend(spk, { witness }).t, spend(spk).spent);
  assert(check([bytes(64)]), "key path");
  assert(check([bytes(64, 0x50)]), "a single item is never an annex");
  assert(!check([bytes(64), Uint8Array.of(0x50, 1)]), "annex");
  assert(!check([bytes(1), bytes(1), new Uint8Array(0)]), "empty control block");
  const cb = (leaf: number) => Uint8Array.of(leaf, ...bytes(32));
  assert(check([bytes(80), Uint8Array.of(OP_1), cb(0xc0)]));
  assert(!check([bytes(81), Uint8Array.of(OP_1), cb(0xc0)]), "tapscript item over 80 bytes");
  assert(!check([bytes(81), Uint8Array.of(OP_1), cb(0xc1)]), "parity bit is not part of the leaf version");
  assert(check([bytes(81), Uint8Array.of(OP_1), cb(0xc2)]), "unknown leaf versions have no item limit");
  assert(!check([bytes(81), Uint8Array.of(OP_1), cb(0xc0), Uint8Array.of(0x50)]), "annex with script path");
  // P2SH-wrapped v1 programs get no taproot rules
  const wrapped = spend(p2sh(), {
    scriptSig: new ScriptBuilder().push(p2tr()).build(),
    witness: [bytes(200), Uint8Array.of(0x50)],
  });
  assert(isWitnessStandard(wrapped.t, wrapped.spent));
});

Deno.test("spendsNonAnchorWitnessProg", () => {
  const s = (spk: Uint8Array, scriptSig?: Uint8Array) => {
    const r = spend(spk, { scriptSig });
    return spendsNonAnchorWitnessProg(r.t, r.spent);
  };
  assert(s(p2wpkh()));
  assert(s(p2tr()));
  assert(s(new ScriptBuilder().op(OP_16).push(bytes(40)).build()), "undefined versions too");
  assert(!s(P2A));
  assert(!s(p2pkh(), DUMMY_SCRIPTSIG));
  assert(s(p2sh(), new ScriptBuilder().push(p2wpkh()).build()));
  assert(!s(p2sh(), new ScriptBuilder().push(p2pkh()).build()));
  assert(!s(p2sh(), Uint8Array.of(OP_RESERVED)));
});

// --- sizes and fees -------------------------------------------------------------------------------------------

Deno.test("sigop cost limit 16,000", () => {
  assertEquals(checkStandardSigOpCost(16_000), { valid: true });
  assertEquals(checkStandardSigOpCost(16_001), {
    valid: false,
    result: "TX_NOT_STANDARD",
    reason: "bad-txns-too-many-sigops",
    debug: "16001",
  });
});

Deno.test("virtual size: weight / 4 rounded up, sigop-adjusted", () => {
  assertEquals(getVirtualTransactionSize(400), 100);
  assertEquals(getVirtualTransactionSize(401), 101);
  assertEquals(getVirtualTransactionSize(400, 100, 20), 500);
  assertEquals(getVirtualTransactionSize(4000, 100, 20), 1000);
  const t = simpleTx();
  assertEquals(virtualTransactionSize(t), Math.ceil(transactionWeight(t) / 4));
  assertEquals(virtualTransactionSize(t, 80, 20), 400);
  const i = input(outpoint(fakeTxid(1)), { scriptSig: bytes(10), witness: [bytes(72), bytes(33)] });
  // (32 + 4 + 1 + 10 + 4) × 4 + (1 + 73 + 34)
  assertEquals(transactionInputWeight(i), 51 * 4 + 108);
  assertEquals(virtualTransactionInputSize(i), 78);
  assertEquals(toFeePerVSize({ fee: 5n, size: 9 }), { fee: 5n, size: 3 });
});

Deno.test("fee floors: mempool min fee, then min relay fee", () => {
  const floor = { mempoolMinFeeRate: FeeRate.fromSatPerKvB(0), minRelayFeeRate: FeeRate.fromSatPerKvB(100) };
  assertEquals(checkFeeRate(141, 15n, floor), { valid: true });
  assertEquals(checkFeeRate(141, 14n, floor), {
    valid: false,
    result: "TX_RECONSIDERABLE",
    reason: "min relay fee not met",
    debug: "14 < 15",
  });
  const full = { ...floor, mempoolMinFeeRate: FeeRate.fromSatPerKvB(1000) };
  assertEquals(checkFeeRate(141, 140n, full), {
    valid: false,
    result: "TX_RECONSIDERABLE",
    reason: "mempool min fee not met",
    debug: "140 < 141",
  });
  assertEquals(checkFeeRate(141, 141n, full), { valid: true });
  // a zero-fee transaction passes a zero floor (Core allows 0-fee with -minrelaytxfee=0)
  assertEquals(checkFeeRate(100, 0n, { ...floor, minRelayFeeRate: FeeRate.fromSatPerKvB(0) }), {
    valid: true,
  });
});
