import fc from "fast-check";
import { bytesEqual, toHex } from "../../../core/hash/hashes.ts";
import {
  addPsbtInput,
  addPsbtOutput,
  computeTimeLock,
  convertPsbtVersion,
  decodePsbt,
  decodePsbtBase64,
  encodePsbt,
  mergePsbt,
  newPsbtInput,
  newPsbtOutput,
  psbtFromTransaction,
  psbtUniqueId,
  unsignedTx,
} from "../../../core/psbt/mod.ts";
import { encodeTransaction, txid } from "../../../core/wire/transaction.ts";
import type { Transaction } from "../../../core/wire/types.ts";
import { assert, assertEquals } from "../../assert.ts";
import { loadRpcPsbtVectors } from "./psbt_vectors.ts";

const vectors = await loadRpcPsbtVectors();

function tx(nIn: number, locktime = 0): Transaction {
  return {
    version: 2,
    locktime,
    inputs: Array.from({ length: nIn }, (_, i) => ({
      prevout: { txid: new Uint8Array(32).fill(i + 1), vout: i },
      scriptSig: new Uint8Array(0),
      sequence: 0xfffffffe - i,
      witness: [],
    })),
    outputs: [{ value: 5000n, scriptPubKey: Uint8Array.of(0x51) }],
  };
}

Deno.test("unsigned tx: v0 and v2 PSBTs of a transaction describe that transaction", () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 0xffffffff }), (n, lt) => {
    const t = tx(n, lt);
    for (const v of [0, 2] as const) {
      const u = unsignedTx(decodePsbt(encodePsbt(psbtFromTransaction(t, v))));
      assert(u !== null);
      assertEquals(toHex(encodeTransaction(u)), toHex(encodeTransaction(t)));
    }
  }));
});

Deno.test("BIP 370 locktime: largest required lock of one kind, the fallback otherwise, none for a mix", () => {
  const psbt = psbtFromTransaction(tx(3, 77), 2);
  assertEquals(computeTimeLock(psbt), 77);
  psbt.inputs[0].heightLocktime = 10;
  psbt.inputs[1].heightLocktime = 30;
  assertEquals(computeTimeLock(psbt), 30);
  // An input with both kinds lets the height lock win.
  psbt.inputs[2].heightLocktime = 20;
  psbt.inputs[2].timeLocktime = 600_000_000;
  assertEquals(computeTimeLock(psbt), 30);
  // One input with only a time lock: no height lock possible, but input 0 needs one.
  psbt.inputs[2].heightLocktime = undefined;
  assertEquals(computeTimeLock(psbt), null);
  assertEquals(unsignedTx(psbt), null);
  assertEquals(psbtUniqueId(psbt), null);
  psbt.inputs[0].heightLocktime = undefined;
  psbt.inputs[1].heightLocktime = undefined;
  assertEquals(computeTimeLock(psbt), 600_000_000);
  // v0 always uses the unsigned tx's locktime.
  assertEquals(computeTimeLock(psbtFromTransaction(tx(1, 5), 0)), 5);
});

Deno.test("unique id: the txid in v0; sequences ignored in v2 so such PSBTs combine", () => {
  const t = tx(2);
  assert(bytesEqual(psbtUniqueId(psbtFromTransaction(t, 0))!, txid(t)));
  const a = psbtFromTransaction(t, 2);
  const b = psbtFromTransaction(t, 2);
  b.inputs[0].sequence = 1;
  assert(bytesEqual(psbtUniqueId(a)!, psbtUniqueId(b)!));
  const c = psbtFromTransaction(t, 2);
  c.inputs[0].sequence = undefined;
  b.inputs[0].sequence = undefined;
  assert(mergePsbt(c, psbtFromTransaction(t, 2)));
  assertEquals(c.inputs[0].sequence, 0xfffffffe);
  // Different versions never merge.
  assert(!mergePsbt(psbtFromTransaction(t, 0), psbtFromTransaction(t, 2)));
});

Deno.test("merge: tx modifiable flags are ANDed except SIGHASH_SINGLE (ORed)", () => {
  const a = psbtFromTransaction(tx(1), 2);
  const b = psbtFromTransaction(tx(1), 2);
  a.txModifiable = 0b011;
  b.txModifiable = 0b101;
  assert(mergePsbt(a, b));
  assertEquals(a.txModifiable, 0b101);
  const c = psbtFromTransaction(tx(1), 2);
  const d = psbtFromTransaction(tx(1), 2);
  d.txModifiable = 0b011;
  assert(mergePsbt(c, d));
  assertEquals(c.txModifiable, 0);
});

Deno.test("add input/output: v0 strips signatures; v2 needs the modifiable flags and keeps signed locktimes", () => {
  const v0 = psbtFromTransaction(tx(1), 0);
  const extra = newPsbtInput(new Uint8Array(32).fill(9), 0, 0xffffffff);
  extra.finalScriptSig = Uint8Array.of(0x51);
  assert(addPsbtInput(v0, extra));
  assertEquals(v0.inputs[1].finalScriptSig, undefined);
  assert(!addPsbtInput(v0, newPsbtInput(new Uint8Array(32).fill(9), 0))); // same outpoint twice
  assert(addPsbtOutput(v0, newPsbtOutput(1n, Uint8Array.of(0x51))));

  const v2 = psbtFromTransaction(tx(1), 2);
  assert(!addPsbtInput(v2, newPsbtInput(new Uint8Array(32).fill(8), 0)));
  assert(!addPsbtOutput(v2, newPsbtOutput(1n, Uint8Array.of(0x51))));
  v2.txModifiable = 0b11;
  assert(addPsbtOutput(v2, newPsbtOutput(1n, Uint8Array.of(0x51))));
  v2.inputs[0].heightLocktime = 100;
  v2.inputs[0].tapKeySig = new Uint8Array(64);
  const later = newPsbtInput(new Uint8Array(32).fill(7), 0);
  later.heightLocktime = 200; // would move the locktime of a signed input
  assert(!addPsbtInput(v2, later));
  const same = newPsbtInput(new Uint8Array(32).fill(6), 0);
  same.heightLocktime = 50;
  assert(addPsbtInput(v2, same));
  assertEquals(computeTimeLock(v2), 100);
});

Deno.test({
  name: "convert v0 ↔ v2 keeps the transaction and every field of the valid vectors",
  ignore: vectors === null,
}, () => {
  for (const v of vectors!.valid) {
    const p = decodePsbtBase64(v);
    const before = unsignedTx(p);
    if (before === null) continue;
    for (const target of [0, 2] as const) {
      const c = convertPsbtVersion(p, target);
      assert(c !== null);
      assertEquals(c.version, target);
      const back = decodePsbt(encodePsbt(c));
      assertEquals(toHex(encodeTransaction(unsignedTx(back)!)), toHex(encodeTransaction(before)));
      // v0 → v2 → v0 gives the original canonical bytes (v2 → v0 → v2 makes the fallback locktime and the
      // sequences explicit, which v0 always carries).
      const home = convertPsbtVersion(back, p.version as 0 | 2)!;
      if (p.version === 0) assertEquals(toHex(encodePsbt(home)), toHex(encodePsbt(p)));
      assertEquals(toHex(encodeTransaction(unsignedTx(home)!)), toHex(encodeTransaction(before)));
    }
  }
});
