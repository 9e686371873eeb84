import { sha256 } from "@noble/hashes/sha2.js";
import {
  annexHash,
  PrecomputedTransactionData,
  SIGHASH_ALL,
  SIGHASH_ANYONECANPAY,
  SIGHASH_NONE,
  SIGHASH_SINGLE,
  sighashSingleBugHash,
  signatureHash,
  signatureHashSchnorr,
  signatureMessageSchnorr,
} from "../../../core/script/sighash.ts";
import { defaultSecp256k1, nobleSecp256k1, tinySecp256k1 } from "../../../core/crypto/mod.ts";
import type { Transaction, TxOut } from "../../../core/wire/types.ts";
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { hex, readVectorJson } from "../vectors.ts";
import { decodeTransaction } from "../../../core/wire/transaction.ts";

const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const reversedHex = (b: Uint8Array) => toHex(b.slice().reverse());

Deno.test("sighash.json: all 500 legacy signature hashes (one test naming every failure)", async () => {
  const rows = await readVectorJson<unknown[][]>("sighash.json");
  const cases = rows.filter((r) => r.length === 5) as [string, string, number, number, string][];
  assertEquals(cases.length, 500);
  const failures: string[] = [];
  let negative = 0;
  for (const [i, [txHex, scriptHex, nIn, hashType, expected]] of cases.entries()) {
    if (hashType < 0) negative++;
    try {
      const tx = decodeTransaction(hex(txHex));
      const got = reversedHex(signatureHash(hex(scriptHex), tx, nIn, hashType));
      if (got !== expected) {
        failures.push(`case ${i + 1} (input ${nIn}, hashType ${hashType}): got ${got}, want ${expected}`);
      }
    } catch (e) {
      failures.push(`case ${i + 1}: ${(e as Error).message}`);
    }
  }
  assertEquals(failures, []);
  assert(negative > 0, "the vectors include negative (int32) hash types");
});

/** A small transaction builder for the hand-made cases. */
function tx(nIn: number, nOut: number, version = 1, locktime = 0): Transaction {
  return {
    version,
    locktime,
    inputs: Array.from({ length: nIn }, (_, i) => ({
      prevout: { txid: sha256(Uint8Array.of(i)), vout: i },
      scriptSig: Uint8Array.of(0x51),
      sequence: 0xfffffffe - i,
      witness: [],
    })),
    outputs: Array.from({ length: nOut }, (_, i) => ({
      value: BigInt(1000 * (i + 1)),
      scriptPubKey: Uint8Array.of(0x51 + i),
    })),
  };
}

Deno.test("legacy: SIGHASH_SINGLE without a matching output returns 1 (Core's bug), also with ANYONECANPAY", () => {
  const t = tx(3, 1);
  const one = "01" + "00".repeat(31);
  assertEquals(toHex(sighashSingleBugHash()), one);
  assertEquals(toHex(signatureHash(Uint8Array.of(0x51), t, 1, SIGHASH_SINGLE)), one);
  assertEquals(toHex(signatureHash(Uint8Array.of(0x51), t, 2, SIGHASH_SINGLE | SIGHASH_ANYONECANPAY)), one);
  // Upper bits other than 0x1f/0x80 do not matter for the type: 0x43 & 0x1f = SINGLE.
  assertEquals(toHex(signatureHash(Uint8Array.of(0x51), t, 2, 0x43)), one);
  assert(toHex(signatureHash(Uint8Array.of(0x51), t, 0, SIGHASH_SINGLE)) !== one);
  // BIP143 has no such bug: hashOutputs is zero instead.
  assert(
    toHex(signatureHash(Uint8Array.of(0x51), t, 2, SIGHASH_SINGLE, { sigversion: "witness_v0" })) !== one,
  );
});

Deno.test("legacy: OP_CODESEPARATORs are removed from the script code; pushed 0xab bytes are kept", () => {
  const t = tx(2, 2);
  const withSeps = hex("ab51ab52ab"); // CODESEP 1 CODESEP 2 CODESEP
  const without = hex("5152");
  assertEquals(
    toHex(signatureHash(withSeps, t, 0, SIGHASH_ALL)),
    toHex(signatureHash(without, t, 0, SIGHASH_ALL)),
  );
  const pushed = hex("01ab51"); // PUSH(ab) 1: not a separator
  const h1 = signatureHash(pushed, t, 0, SIGHASH_ALL);
  const h2 = signatureHash(hex("0151"), t, 0, SIGHASH_ALL);
  assert(toHex(h1) !== toHex(h2));
});

Deno.test("legacy: a truncated push serializes like Core (declared length, bytes up to where parsing stopped)", () => {
  // The script "ab 05 aa": CODESEP, then a push of 5 with only 1 byte. Core declares length 3 - 1 = 2 and writes
  // only the bytes between the separator and where GetOp stopped (just after the 0x05): "05".
  const t = tx(1, 1);
  const h = signatureHash(hex("ab05aa"), t, 0, SIGHASH_ALL);
  // Same preimage built by hand.
  const pre: number[] = [];
  const u32 = (v: number) => pre.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  u32(t.version);
  pre.push(1, ...t.inputs[0].prevout.txid);
  u32(t.inputs[0].prevout.vout);
  pre.push(2, 0x05); // declared 2, written 1 byte
  u32(t.inputs[0].sequence);
  pre.push(1, ...[0xe8, 0x03, 0, 0, 0, 0, 0, 0], 1, 0x51);
  u32(t.locktime);
  u32(SIGHASH_ALL);
  assertEquals(toHex(h), toHex(sha256(sha256(Uint8Array.from(pre)))));
});

Deno.test("signatureHash: an input index out of range is a RangeError (caller bug)", () => {
  assertThrows(() => signatureHash(new Uint8Array(0), tx(1, 1), 1, SIGHASH_ALL), "input 1 of 1");
  assertThrows(() => signatureHash(new Uint8Array(0), tx(1, 1), -1, SIGHASH_ALL), "input -1 of 1");
});

// BIP143's native P2WPKH example (bip-0143.mediawiki, "Native P2WPKH"): the unsigned transaction, input 1 spends
// a P2WPKH output of 6 BTC; scriptCode 1976a9141d0f172a0ecb48aee1be1f2687d2963ae33f71a188ac; nHashType 01.
const BIP143_P2WPKH_TX =
  "0100000002fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f0000000000eeffffffef51e1b804cc89d182d279655c3aa89e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02202cb206000000001976a9148280b37df378db99f66f85c95a783a76ac7a6d5988ac9093510d000000001976a9143bde42dbee7e4dbe6a21b2d50ce2f0167faa815988ac11000000";

Deno.test("BIP143: the BIP's native P2WPKH example (sighash and the intermediate hashes)", () => {
  const t = decodeTransaction(hex(BIP143_P2WPKH_TX));
  const pre = new PrecomputedTransactionData(t);
  assertEquals(toHex(pre.hashPrevouts), "96b827c8483d4e9b96712b6713a7b68d6e8003a781feba36c31143470b4efd37");
  assertEquals(toHex(pre.hashSequence), "52b0a642eea2fb7ae638c36f6252b6750293dbe574a806984b8e4d8548339a3b");
  assertEquals(toHex(pre.hashOutputs), "863ef3e1a92afbfdb97f31ad0fc7683ee943e9abcf2501590ff8f6551f47e5e5");
  const scriptCode = hex("1976a9141d0f172a0ecb48aee1be1f2687d2963ae33f71a188ac").subarray(1);
  const h = signatureHash(scriptCode, t, 1, SIGHASH_ALL, {
    sigversion: "witness_v0",
    amount: 600000000n,
    precomputed: pre,
  });
  assertEquals(toHex(h), "c37af31116d1b27caf68aae9e3ac82f1477929014d5b917657d0eb49478cb670");
  // Without precomputed data the result is the same.
  assertEquals(
    toHex(signatureHash(scriptCode, t, 1, SIGHASH_ALL, { sigversion: "witness_v0", amount: 600000000n })),
    toHex(h),
  );
});

// BIP143's "P2SH-P2WSH" example: 6 signatures with the six hash types over the same 6-of-6 witness script.
const BIP143_P2SH_P2WSH_TX =
  "010000000136641869ca081e70f394c6948e8af409e18b619df2ed74aa106c1ca29787b96e0100000000ffffffff0200e9a435000000001976a914389ffce9cd9ae88dcc0631e88a821ffdbe9bfe2688acc0832f05000000001976a9147480a33f950689af511e6e84c138dbbd3c3ee41588ac00000000";
const BIP143_WITNESS_SCRIPT =
  "56210307b8ae49ac90a048e9b53357a2354b3334e9c8bee813ecb98e99a7e07e8c3ba32103b28f0c28bfab54554ae8c658ac5c3e0ce6e79ad336331f78c428dd43eea8449b21034b8113d703413d57761b8b9781957b8c0ac1dfe69f492580ca4195f50376ba4a21033400f6afecb833092a9a21cfdf1ed1376e58c5d1f47de74683123987e967a8f42103a6d48b1131e94ba04d9737d61acdaa1322008af9602b3b14862c07a1789aac162102d8b661b0b3302ee2f162b09e07a55ad5dfbe673a9f01d9f0c19617681024306b56ae";

Deno.test("BIP143: the BIP's P2SH-P2WSH example, all six hash types", () => {
  const t = decodeTransaction(hex(BIP143_P2SH_P2WSH_TX));
  const pre = new PrecomputedTransactionData(t);
  const script = hex(BIP143_WITNESS_SCRIPT);
  const expected: [number, string][] = [
    [SIGHASH_ALL, "185c0be5263dce5b4bb50a047973c1b6272bfbd0103a89444597dc40b248ee7c"],
    [SIGHASH_NONE, "e9733bc60ea13c95c6527066bb975a2ff29a925e80aa14c213f686cbae5d2f36"],
    [SIGHASH_SINGLE, "1e1f1c303dc025bd664acb72e583e933fae4cff9148bf78c157d1e8f78530aea"],
    [SIGHASH_ALL | SIGHASH_ANYONECANPAY, "2a67f03e63a6a422125878b40b82da593be8d4efaafe88ee528af6e5a9955c6e"],
    [SIGHASH_NONE | SIGHASH_ANYONECANPAY, "781ba15f3779d5542ce8ecb5c18716733a5ee42a6f51488ec96154934e2c890a"],
    [
      SIGHASH_SINGLE | SIGHASH_ANYONECANPAY,
      "511e8e52ed574121fc1b654970395502128263f62662e076dc6baf05c2e6a99b",
    ],
  ];
  for (const [type, want] of expected) {
    const h = signatureHash(script, t, 0, type, {
      sigversion: "witness_v0",
      amount: 987654321n,
      precomputed: pre,
    });
    assertEquals(toHex(h), want, `hash type ${type}`);
  }
});

interface KeyPathVectors {
  keyPathSpending: {
    given: { rawUnsignedTx: string; utxosSpent: { scriptPubKey: string; amountSats: number }[] };
    intermediary: Record<string, string>;
    inputSpending: {
      given: { txinIndex: number; internalPrivkey: string; merkleRoot: string | null; hashType: number };
      intermediary: {
        internalPubkey: string;
        tweak: string;
        tweakedPrivkey: string;
        sigMsg: string;
        sigHash: string;
        precomputedUsed: string[];
      };
      expected: { witness: string[] };
    }[];
    auxiliary: { fullySignedTx: string };
  }[];
}

Deno.test("bip341_wallet_vectors.json keyPathSpending: precomputed hashes, sigMsg and sigHash per input, signatures verify", async (t) => {
  const v = await readVectorJson<KeyPathVectors>("bip341_wallet_vectors.json");
  assertEquals(v.keyPathSpending.length, 1);
  const spend = v.keyPathSpending[0];
  const unsigned = decodeTransaction(hex(spend.given.rawUnsignedTx));
  const spent: TxOut[] = spend.given.utxosSpent.map((u) => ({
    value: BigInt(u.amountSats),
    scriptPubKey: hex(u.scriptPubKey),
  }));
  const pre = new PrecomputedTransactionData(unsigned, spent);
  assertEquals(toHex(pre.spentAmountsSingleHash!), spend.intermediary.hashAmounts);
  assertEquals(toHex(pre.outputsSingleHash), spend.intermediary.hashOutputs);
  assertEquals(toHex(pre.prevoutsSingleHash), spend.intermediary.hashPrevouts);
  assertEquals(toHex(pre.spentScriptsSingleHash!), spend.intermediary.hashScriptPubkeys);
  assertEquals(toHex(pre.sequencesSingleHash), spend.intermediary.hashSequences);
  const signed = decodeTransaction(hex(spend.auxiliary.fullySignedTx));
  assertEquals(spend.inputSpending.length, 7);
  for (const input of spend.inputSpending) {
    const i = input.given.txinIndex;
    await t.step(`input ${i} (hash type ${input.given.hashType})`, () => {
      const execdata = { annex: null };
      const msg = signatureMessageSchnorr(unsigned, i, input.given.hashType, "taproot", execdata, pre);
      assertEquals(msg === null ? null : toHex(msg), input.intermediary.sigMsg);
      const h = signatureHashSchnorr(unsigned, i, input.given.hashType, "taproot", execdata, pre);
      assertEquals(h === null ? null : toHex(h), input.intermediary.sigHash);
      // The expected witness: the 64-byte signature plus the hash type byte unless it is 0.
      const witness = hex(input.expected.witness[0]);
      assertEquals(witness.length, input.given.hashType === 0 ? 64 : 65);
      if (witness.length === 65) assertEquals(witness[64], input.given.hashType);
      assertEquals(toHex(signed.inputs[i].witness[0]), toHex(witness));
      const outputKey = spent[i].scriptPubKey.subarray(2);
      for (const b of [tinySecp256k1(), nobleSecp256k1()]) {
        assert(b.verifySchnorr(witness.subarray(0, 64), h!, outputKey), `${b.name} verifies`);
      }
      // Signing with the tweaked key and zero aux gives a valid signature too (deterministic per key/msg).
      const sig = nobleSecp256k1().signSchnorr(h!, hex(input.intermediary.tweakedPrivkey));
      assert(defaultSecp256k1().verifySchnorr(sig, h!, outputKey));
    });
  }
});

Deno.test("BIP341: hash type rules, SINGLE out of range, missing spent outputs, annex and tapscript fields", () => {
  const t = tx(2, 1, 2, 500);
  const spent: TxOut[] = [
    { value: 5000n, scriptPubKey: hex("5120" + "11".repeat(32)) },
    { value: 7000n, scriptPubKey: hex("5120" + "22".repeat(32)) },
  ];
  const pre = new PrecomputedTransactionData(t, spent);
  const none = { annex: null };
  for (const type of [0, 1, 2, 3, 0x81, 0x82, 0x83]) {
    assert(signatureHashSchnorr(t, 0, type, "taproot", none, pre) !== null, `type ${type} valid`);
  }
  for (const type of [4, 0x80, 0x84, 0x41, 0xff, 0x21]) {
    assertEquals(signatureHashSchnorr(t, 0, type, "taproot", none, pre), null, `type ${type} invalid`);
  }
  // SIGHASH_SINGLE with no output at the input's index fails (no "bug" value).
  assertEquals(signatureHashSchnorr(t, 1, SIGHASH_SINGLE, "taproot", none, pre), null);
  assertEquals(signatureHashSchnorr(t, 1, SIGHASH_SINGLE | SIGHASH_ANYONECANPAY, "taproot", none, pre), null);
  assert(signatureHashSchnorr(t, 1, SIGHASH_ALL, "taproot", none, pre) !== null);
  // Without spent outputs: missing data.
  assertEquals(signatureHashSchnorr(t, 0, 0, "taproot", none, new PrecomputedTransactionData(t)), null);
  assertEquals(signatureHashSchnorr(t, 0, 0, "taproot", none, new PrecomputedTransactionData(t, [])), null);
  assertThrows(() => new PrecomputedTransactionData(t, spent.slice(0, 1)), "1 spent outputs for 2 inputs");
  // SIGHASH_DEFAULT and SIGHASH_ALL differ only in the hash type byte.
  const m0 = signatureMessageSchnorr(t, 0, 0, "taproot", none, pre)!;
  const m1 = signatureMessageSchnorr(t, 0, 1, "taproot", none, pre)!;
  assertEquals(toHex(m0.subarray(2)), toHex(m1.subarray(2)));
  assertEquals([m0[0], m0[1], m1[1]], [0, 0, 1]);
  // The annex: spend_type's low bit, and its hash (compact size + bytes) after the input data.
  const annex = hex("50aabb");
  const withAnnex = signatureMessageSchnorr(t, 0, 0, "taproot", { annex }, pre)!;
  assertEquals(withAnnex.length, m0.length + 32);
  const spendTypeAt = 1 + 1 + 4 + 4 + 32 * 5;
  assertEquals([m0[spendTypeAt], withAnnex[spendTypeAt]], [0, 1]);
  assertEquals(toHex(withAnnex.subarray(withAnnex.length - 32)), toHex(sha256(hex("0350aabb"))));
  assertEquals(toHex(annexHash(annex)), toHex(sha256(hex("0350aabb"))));
  // Tapscript: ext_flag 1, then tapleaf hash, key version 0 and the code separator position.
  const leaf = sha256(Uint8Array.of(9));
  const ts = signatureMessageSchnorr(t, 0, 0, "tapscript", {
    annex: null,
    tapleafHash: leaf,
    codeseparatorPos: 7,
  }, pre)!;
  assertEquals(ts[spendTypeAt], 2);
  assertEquals(toHex(ts.subarray(ts.length - 37)), toHex(leaf) + "00" + "07000000");
  const tsDefault = signatureMessageSchnorr(t, 0, 0, "tapscript", { tapleafHash: leaf }, pre)!;
  assertEquals(toHex(tsDefault.subarray(tsDefault.length - 4)), "ffffffff");
  const tsAnnex = signatureMessageSchnorr(t, 0, 0, "tapscript", { annex, tapleafHash: leaf }, pre)!;
  assertEquals(tsAnnex[spendTypeAt], 3);
  assertEquals(
    signatureHashSchnorr(t, 0, 0, "tapscript", { annex: null }, pre),
    null,
    "tapscript needs the leaf",
  );
  // ANYONECANPAY: no transaction-wide input hashes; this input's outpoint, spent output and sequence instead.
  const acp = signatureMessageSchnorr(t, 1, 0x81, "taproot", none, pre)!;
  assertEquals(acp.length, 1 + 1 + 4 + 4 + 32 + 1 + 36 + (8 + 1 + 34) + 4);
  assertThrows(() => signatureHashSchnorr(t, 0, 0, "witness_v0", none, pre), "sigversion witness_v0");
  assertThrows(() => signatureHashSchnorr(t, 2, 0, "taproot", none, pre), "input 2 of 2");
});
