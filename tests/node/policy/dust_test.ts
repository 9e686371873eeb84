/**
 * Dust thresholds per output type at the default dust relay fee (3000 sat/kvB), computed by Core's formula and
 * checked against Core's known values (transaction_tests test_IsStandard), plus the 3702 sat/kvB rounding case.
 */

import { OP_1, OP_16, OP_RETURN } from "../../../core/script/opcodes.ts";
import { ScriptBuilder } from "../../../core/script/script.ts";
import { getDust, getDustThreshold, isDust, txOutSerializedSize } from "../../../node/policy/dust.ts";
import { FeeRate } from "../../../node/policy/feerate.ts";
import { DUST_RELAY_TX_FEE } from "../../../node/policy/settings.ts";
import { assert, assertEquals } from "../../assert.ts";
import {
  bytes,
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
  tx,
} from "./tx_helpers.ts";

const DEFAULT = FeeRate.fromSatPerKvB(DUST_RELAY_TX_FEE);

/** Core's formula written out: (output size + 148, or + 67 for witness programs) × rate / 1000, rounded up. */
function formula(spk: Uint8Array, witness: boolean, satPerKvB: bigint): bigint {
  const size = BigInt(txOutSerializedSize(output(0, spk)) + (witness ? 67 : 148));
  return (size * satPerKvB + 999n) / 1000n;
}

const compressedP2pk = new ScriptBuilder().push(Uint8Array.of(2, ...bytes(32, 2))).op(0xac).build();
const uncompressedP2pk = new ScriptBuilder().push(Uint8Array.of(4, ...bytes(64, 4))).op(0xac).build();

const KNOWN: [string, Uint8Array, boolean, bigint][] = [
  ["P2PKH", p2pkh(), false, 546n],
  ["P2SH", p2sh(), false, 540n],
  ["P2PK compressed", compressedP2pk, false, 576n],
  ["P2PK uncompressed", uncompressedP2pk, false, 672n],
  ["P2WPKH", p2wpkh(), true, 294n],
  ["P2WSH", p2wsh(), true, 330n],
  ["P2TR", p2tr(), true, 330n],
  ["P2A", P2A, true, 240n],
  ["bare 1-of-1 multisig (37-byte script)", multisig(1, 1), false, 582n],
];

Deno.test("dust thresholds at 3000 sat/kvB: Core's known values, and the formula gives them", () => {
  for (const [name, spk, witness, expected] of KNOWN) {
    assertEquals(getDustThreshold(output(0, spk), DEFAULT), expected, name);
    assertEquals(formula(spk, witness, 3000n), expected, `${name} by formula`);
    assert(isDust(output(expected - 1n, spk), DEFAULT), `${name}: threshold - 1 is dust`);
    assert(!isDust(output(expected, spk), DEFAULT), `${name}: threshold is not dust`);
  }
});

Deno.test("future witness versions with 2-byte programs: 240 (as P2A)", () => {
  for (let op = OP_1; op <= OP_16; op++) {
    const spk = new ScriptBuilder().op(op).push(bytes(2)).build();
    assertEquals(getDustThreshold(output(0, spk), DEFAULT), 240n, `version ${op - OP_1 + 1}`);
  }
});

Deno.test("unspendable outputs have no dust threshold", () => {
  assertEquals(getDustThreshold(output(0, nulldata(bytes(40))), DEFAULT), 0n);
  assertEquals(getDustThreshold(output(0, Uint8Array.of(OP_RETURN)), DEFAULT), 0n);
  assertEquals(getDustThreshold(output(0, new Uint8Array(10_001)), DEFAULT), 0n);
  assert(!isDust(output(0, nulldata()), DEFAULT));
  // 10,000 bytes is spendable (and priced by size)
  assertEquals(
    getDustThreshold(output(0, new Uint8Array(10_000)), DEFAULT),
    formula(new Uint8Array(10_000), false, 3000n),
  );
});

Deno.test("odd relay fee rounds up: 182 × 3702 / 1000 → 674 (Core's test_IsStandard)", () => {
  const odd = FeeRate.fromSatPerKvB(3702);
  assertEquals(getDustThreshold(output(0, p2pkh()), odd), 674n);
  assert(isDust(output(673, p2pkh()), odd));
  assert(!isDust(output(674, p2pkh()), odd));
});

Deno.test("a zero dust relay fee makes nothing dust; getDust lists dust output indexes", () => {
  const zero = FeeRate.fromSatPerKvB(0);
  assertEquals(getDustThreshold(output(0, p2pkh()), zero), 0n);
  const t = tx([input(outpoint(bytes(32, 1)))], [
    output(545, p2pkh()),
    output(546, p2pkh()),
    output(0, nulldata()),
    output(293, p2wpkh()),
  ]);
  assertEquals(getDust(t, DEFAULT), [0, 3]);
  assertEquals(getDust(t, zero), []);
});
