/**
 * Transaction sigop counting: the scenarios of Core's sigopcount_tests (GetTxSigOpCost) — legacy multisig,
 * P2SH, P2WPKH, P2SH-P2WPKH, P2WSH, P2SH-P2WSH, witness v1, coinbase — plus the flags and argument checks.
 */

import {
  getLegacySigOpCount,
  getTransactionP2shSigOpCount,
  getTransactionSigOpCost,
} from "../../../core/consensus/sigops.ts";
import { hash160, sha256 } from "../../../core/hash/hashes.ts";
import { SCRIPT_VERIFY_P2SH, SCRIPT_VERIFY_WITNESS } from "../../../core/script/flags.ts";
import {
  OP_0,
  OP_1,
  OP_CHECKMULTISIG,
  OP_CHECKMULTISIGVERIFY,
  OP_CHECKSIG,
  OP_EQUAL,
  OP_HASH160,
} from "../../../core/script/opcodes.ts";
import { ScriptBuilder } from "../../../core/script/script.ts";
import { NULL_OUTPOINT } from "../../../core/wire/outpoint.ts";
import type { Transaction, TxOut } from "../../../core/wire/types.ts";
import { assertEquals, assertThrows } from "../../assert.ts";

const FLAGS = SCRIPT_VERIFY_WITNESS | SCRIPT_VERIFY_P2SH;
const PUBKEY = Uint8Array.from({ length: 33 }, (_, i) => (i === 0 ? 2 : i));
const EMPTY = new Uint8Array(0);

/** 1-of-2 CHECKMULTISIGVERIFY: 2 accurate sigops, 20 inaccurate. */
const MULTISIG = new ScriptBuilder().num(1).push(PUBKEY).push(PUBKEY).num(2).op(OP_CHECKMULTISIGVERIFY)
  .build();

function p2sh(script: Uint8Array): Uint8Array {
  return new ScriptBuilder().op(OP_HASH160).push(hash160(script)).op(OP_EQUAL).build();
}
function p2wpkh(pubkey: Uint8Array): Uint8Array {
  return new ScriptBuilder().op(OP_0).push(hash160(pubkey)).build();
}
function p2wsh(script: Uint8Array): Uint8Array {
  return new ScriptBuilder().op(OP_0).push(sha256(script)).build();
}

/** The spending transaction of Core's BuildTxs: one input with `scriptSig`/`witness`, one empty output. */
function spending(scriptSig: Uint8Array, witness: Uint8Array[] = []): Transaction {
  const txid = new Uint8Array(32).fill(7);
  return {
    version: 1,
    inputs: [{ prevout: { txid, vout: 0 }, scriptSig, sequence: 0xffffffff, witness }],
    outputs: [{ value: 1n, scriptPubKey: EMPTY }],
    locktime: 0,
  };
}
function spent(scriptPubKey: Uint8Array): TxOut[] {
  return [{ value: 1n, scriptPubKey }];
}
const ZERO_WITNESS = [EMPTY, EMPTY];

Deno.test("sigop cost: legacy counting (scriptSig and scriptPubKey of the tx itself, inaccurate)", () => {
  const creation: Transaction = {
    version: 1,
    inputs: [{ prevout: NULL_OUTPOINT, scriptSig: EMPTY, sequence: 0xffffffff, witness: [] }],
    outputs: [{ value: 1n, scriptPubKey: MULTISIG }],
    locktime: 0,
  };
  // The coinbase-like creation tx: 20 legacy sigops in its output, nothing else counted.
  assertEquals(getLegacySigOpCount(creation), 20);
  assertEquals(getTransactionSigOpCost(creation, [], FLAGS), 80);
  const spend = spending(new ScriptBuilder().op(OP_0, OP_0).build());
  assertEquals(getTransactionSigOpCost(spend, spent(MULTISIG), FLAGS), 0);
  // scriptSig sigops count too, and CHECKMULTISIG in a scriptSig is 20 even after OP_1..OP_16.
  const sigSpend = spending(new ScriptBuilder().op(OP_CHECKSIG).num(2).op(OP_CHECKMULTISIG).build());
  assertEquals(getLegacySigOpCount(sigSpend), 21);
  assertEquals(getTransactionSigOpCost(sigSpend, spent(MULTISIG), FLAGS), 84);
});

Deno.test("sigop cost: multisig nested in P2SH (accurate count of the redeem script; needs the P2SH flag)", () => {
  const scriptSig = new ScriptBuilder().op(OP_0, OP_0).push(MULTISIG).build();
  const tx = spending(scriptSig);
  assertEquals(getTransactionP2shSigOpCount(tx, spent(p2sh(MULTISIG))), 2);
  assertEquals(getTransactionSigOpCost(tx, spent(p2sh(MULTISIG)), FLAGS), 8);
  assertEquals(getTransactionSigOpCost(tx, spent(p2sh(MULTISIG)), 0), 0);
  // Not push-only: the redeem script is not counted.
  const notPushOnly = spending(
    new ScriptBuilder().op(OP_0, OP_1 + 0x0f, /* OP_16 */ 0x61 /* NOP */).push(MULTISIG).build(),
  );
  assertEquals(getTransactionP2shSigOpCount(notPushOnly, spent(p2sh(MULTISIG))), 0);
});

Deno.test("sigop cost: P2WPKH is 1 with the WITNESS flag, 0 without; witness v1 is 0; coinbase witness not counted", () => {
  const spk = p2wpkh(PUBKEY);
  const tx = spending(EMPTY, ZERO_WITNESS);
  assertEquals(getTransactionSigOpCost(tx, spent(spk), FLAGS), 1);
  assertEquals(getTransactionSigOpCost(tx, spent(spk), FLAGS & ~SCRIPT_VERIFY_WITNESS), 0);
  const v1 = spk.slice();
  v1[0] = 0x51;
  assertEquals(getTransactionSigOpCost(tx, spent(v1), FLAGS), 0);
  const coinbase: Transaction = { ...tx, inputs: [{ ...tx.inputs[0], prevout: NULL_OUTPOINT }] };
  assertEquals(getTransactionSigOpCost(coinbase, spent(spk), FLAGS), 0);
  assertEquals(getTransactionSigOpCost(coinbase, [], FLAGS), 0);
});

Deno.test("sigop cost: P2WPKH nested in P2SH is 1", () => {
  const redeem = p2wpkh(PUBKEY);
  const tx = spending(new ScriptBuilder().push(redeem).build(), ZERO_WITNESS);
  assertEquals(getTransactionSigOpCost(tx, spent(p2sh(redeem)), FLAGS), 1);
});

Deno.test("sigop cost: P2WSH counts its witness script accurately; nested in P2SH too", () => {
  const witness = [EMPTY, EMPTY, MULTISIG];
  const tx = spending(EMPTY, witness);
  assertEquals(getTransactionSigOpCost(tx, spent(p2wsh(MULTISIG)), FLAGS), 2);
  assertEquals(getTransactionSigOpCost(tx, spent(p2wsh(MULTISIG)), FLAGS & ~SCRIPT_VERIFY_WITNESS), 0);
  const redeem = p2wsh(MULTISIG);
  const nested = spending(new ScriptBuilder().push(redeem).build(), witness);
  assertEquals(getTransactionSigOpCost(nested, spent(p2sh(redeem)), FLAGS), 2);
});

Deno.test("sigop cost: several inputs add up", () => {
  const txid = new Uint8Array(32).fill(9);
  const tx: Transaction = {
    version: 2,
    inputs: [
      { prevout: { txid, vout: 0 }, scriptSig: EMPTY, sequence: 0, witness: ZERO_WITNESS },
      {
        prevout: { txid, vout: 1 },
        scriptSig: new ScriptBuilder().op(OP_0, OP_0).push(MULTISIG).build(),
        sequence: 0,
        witness: [],
      },
      { prevout: { txid, vout: 2 }, scriptSig: EMPTY, sequence: 0, witness: [EMPTY, MULTISIG] },
    ],
    outputs: [{ value: 1n, scriptPubKey: new ScriptBuilder().op(OP_CHECKSIG).build() }],
    locktime: 0,
  };
  const outs = [...spent(p2wpkh(PUBKEY)), ...spent(p2sh(MULTISIG)), ...spent(p2wsh(MULTISIG))];
  // legacy 1 × 4 + P2SH 2 × 4 + witness 1 + 2.
  assertEquals(getTransactionSigOpCost(tx, outs, FLAGS), 4 + 8 + 3);
});

Deno.test("sigop cost: spent outputs must match the inputs (a caller bug)", () => {
  const tx = spending(EMPTY, ZERO_WITNESS);
  assertThrows(
    () => getTransactionSigOpCost(tx, [], FLAGS),
    "Cannot count sigop cost: 0 spent outputs for 1 inputs",
  );
  assertThrows(() => getTransactionP2shSigOpCount(tx, []), "Cannot count P2SH sigops");
});
