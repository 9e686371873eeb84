import { sha256 } from "@noble/hashes/sha2.js";
import {
  bigIntTo32Bytes,
  bytesToBigInt,
  CURVE_ORDER,
  encodeDer,
  nobleSecp256k1,
  parseDerLax,
  type Secp256k1,
  tinySecp256k1,
} from "../../../core/crypto/mod.ts";
import { secp256k1 as noblePoint } from "@noble/curves/secp256k1.js";
import {
  PrecomputedTransactionData,
  signatureHash,
  signatureHashSchnorr,
} from "../../../core/script/sighash.ts";
import { TransactionSignatureChecker } from "../../../core/script/tx_checker.ts";
import type { Transaction, TxOut } from "../../../core/wire/types.ts";
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { hex, readVectorJson } from "../vectors.ts";
import { decodeTransaction } from "../../../core/wire/transaction.ts";

const BACKENDS: Secp256k1[] = [tinySecp256k1(), nobleSecp256k1()];

interface KeyPathVectors {
  keyPathSpending: {
    given: { utxosSpent: { scriptPubKey: string; amountSats: number }[] };
    inputSpending: { given: { txinIndex: number; hashType: number } }[];
    auxiliary: { fullySignedTx: string };
  }[];
}

async function signedBip341(): Promise<{ tx: Transaction; spent: TxOut[]; taprootInputs: number[] }> {
  const v = await readVectorJson<KeyPathVectors>("bip341_wallet_vectors.json");
  const spend = v.keyPathSpending[0];
  return {
    tx: decodeTransaction(hex(spend.auxiliary.fullySignedTx)),
    spent: spend.given.utxosSpent.map((u) => ({
      value: BigInt(u.amountSats),
      scriptPubKey: hex(u.scriptPubKey),
    })),
    taprootInputs: spend.inputSpending.map((i) => i.given.txinIndex),
  };
}

/** The pushes of a push-only scriptSig (direct pushes only, as in the vectors). */
function pushes(script: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let p = 0; p < script.length;) {
    const n = script[p];
    assert(n >= 1 && n <= 75, `direct push expected, got ${n}`);
    out.push(script.subarray(p + 1, p + 1 + n));
    p += 1 + n;
  }
  return out;
}

Deno.test("checkSchnorrSignature: every key path signature of bip341_wallet_vectors.json, both backends", async () => {
  const { tx, spent, taprootInputs } = await signedBip341();
  assertEquals(taprootInputs.length, 7);
  const pre = new PrecomputedTransactionData(tx, spent);
  for (const secp of BACKENDS) {
    for (const i of taprootInputs) {
      const c = new TransactionSignatureChecker({
        tx,
        inputIndex: i,
        amount: spent[i].value,
        precomputed: pre,
        secp,
      });
      const key = spent[i].scriptPubKey.subarray(2);
      const sig = tx.inputs[i].witness[0];
      assertEquals(
        c.checkSchnorrSignature(sig, key, "taproot", { annex: null }),
        null,
        `input ${i} ${secp.name}`,
      );
      // Via spentOutputs instead of a shared PrecomputedTransactionData.
      const c2 = new TransactionSignatureChecker({
        tx,
        inputIndex: i,
        amount: 0n,
        spentOutputs: spent,
        secp,
      });
      assertEquals(c2.checkSchnorrSignature(sig, key, "taproot", { annex: null }), null);
      const bad = sig.slice();
      bad[10] ^= 1;
      assertEquals(c.checkSchnorrSignature(bad, key, "taproot", { annex: null }), "SCHNORR_SIG");
      const otherKey = spent[taprootInputs[(taprootInputs.indexOf(i) + 1) % 7]].scriptPubKey.subarray(2);
      assertEquals(c.checkSchnorrSignature(sig, otherKey, "taproot", { annex: null }), "SCHNORR_SIG");
      // The same signature with an annex (different sighash) fails.
      assertEquals(c.checkSchnorrSignature(sig, key, "taproot", { annex: hex("50") }), "SCHNORR_SIG");
    }
  }
});

Deno.test("checkSchnorrSignature: size, hash type and missing-data errors as Core", async () => {
  const { tx, spent } = await signedBip341();
  const i = 4; // hash type 0: a 64-byte signature
  const sig = tx.inputs[i].witness[0];
  assertEquals(sig.length, 64);
  const key = spent[i].scriptPubKey.subarray(2);
  const c = new TransactionSignatureChecker({
    tx,
    inputIndex: i,
    amount: spent[i].value,
    spentOutputs: spent,
  });
  const none = { annex: null };
  assertEquals(c.checkSchnorrSignature(sig, key, "taproot", none), null);
  assertEquals(c.checkSchnorrSignature(sig.subarray(0, 63), key, "taproot", none), "SCHNORR_SIG_SIZE");
  assertEquals(c.checkSchnorrSignature(new Uint8Array(0), key, "taproot", none), "SCHNORR_SIG_SIZE");
  assertEquals(c.checkSchnorrSignature(new Uint8Array(66), key, "taproot", none), "SCHNORR_SIG_SIZE");
  // 65 bytes with an explicit 0x00 hash type is not allowed.
  assertEquals(
    c.checkSchnorrSignature(Uint8Array.from([...sig, 0]), key, "taproot", none),
    "SCHNORR_SIG_HASHTYPE",
  );
  // 65 bytes with SIGHASH_ALL: valid type, but the signature committed to type 0, so it fails verification.
  assertEquals(c.checkSchnorrSignature(Uint8Array.from([...sig, 1]), key, "taproot", none), "SCHNORR_SIG");
  for (const t of [4, 0x80, 0x84, 0xff]) {
    assertEquals(
      c.checkSchnorrSignature(Uint8Array.from([...sig, t]), key, "taproot", none),
      "SCHNORR_SIG_HASHTYPE",
    );
  }
  // SIGHASH_SINGLE for an input without a matching output (the tx has 2 outputs).
  assertEquals(
    c.checkSchnorrSignature(Uint8Array.from([...sig, 3]), key, "taproot", none),
    "SCHNORR_SIG_HASHTYPE",
  );
  // Without the spent outputs: missing data fails as an invalid hash type would (Core's FAIL behaviour).
  const blind = new TransactionSignatureChecker({ tx, inputIndex: i, amount: spent[i].value });
  assertEquals(blind.checkSchnorrSignature(sig, key, "taproot", none), "SCHNORR_SIG_HASHTYPE");
  // Tapscript needs the leaf hash.
  assertEquals(c.checkSchnorrSignature(sig, key, "tapscript", none), "SCHNORR_SIG_HASHTYPE");
  assertEquals(
    c.checkSchnorrSignature(sig, key, "tapscript", { tapleafHash: new Uint8Array(32) }),
    "SCHNORR_SIG",
  );
  assertThrows(() => c.checkSchnorrSignature(sig, key, "witness_v0", none), "sigversion witness_v0");
});

Deno.test("checkSchnorrSignature: tapscript signatures commit to leaf hash, codeseparator position and annex", () => {
  const secp = BACKENDS[0];
  const sk = sha256(new TextEncoder().encode("tapscript key"));
  const key = secp.publicKeyCreate(sk).subarray(1);
  const spent: TxOut[] = [{ value: 10000n, scriptPubKey: hex("5120" + "33".repeat(32)) }];
  const tx: Transaction = {
    version: 2,
    locktime: 0,
    inputs: [{
      prevout: { txid: new Uint8Array(32).fill(7), vout: 1 },
      scriptSig: new Uint8Array(0),
      sequence: 0,
      witness: [],
    }],
    outputs: [{ value: 9000n, scriptPubKey: hex("51") }],
  };
  const c = new TransactionSignatureChecker({ tx, inputIndex: 0, amount: 10000n, spentOutputs: spent, secp });
  const leaf = sha256(Uint8Array.of(1));
  const exec = { tapleafHash: leaf, codeseparatorPos: 3, annex: hex("50ff") };
  const sighash = signatureHashSchnorr(
    tx,
    0,
    0x83,
    "tapscript",
    exec,
    new PrecomputedTransactionData(tx, spent),
  );
  assert(sighash !== null);
  const sig = secp.signSchnorr(sighash, sk);
  const sig65 = Uint8Array.from([...sig, 0x83]);
  for (const b of BACKENDS) {
    const cb = new TransactionSignatureChecker({
      tx,
      inputIndex: 0,
      amount: 10000n,
      spentOutputs: spent,
      secp: b,
    });
    assertEquals(cb.checkSchnorrSignature(sig65, key, "tapscript", exec), null, b.name);
  }
  assertEquals(
    c.checkSchnorrSignature(sig65, key, "tapscript", { ...exec, codeseparatorPos: 4 }),
    "SCHNORR_SIG",
  );
  assertEquals(
    c.checkSchnorrSignature(sig65, key, "tapscript", { ...exec, tapleafHash: sha256(Uint8Array.of(2)) }),
    "SCHNORR_SIG",
  );
  assertEquals(c.checkSchnorrSignature(sig65, key, "tapscript", { ...exec, annex: null }), "SCHNORR_SIG");
  assertEquals(c.checkSchnorrSignature(sig65, key, "taproot", exec), "SCHNORR_SIG");
  assertEquals(
    c.checkSchnorrSignature(Uint8Array.from([...sig, 0x81]), key, "tapscript", exec),
    "SCHNORR_SIG",
  );
});

Deno.test("checkEcdsaSignature: the P2PKH and P2WPKH inputs of bip341_wallet_vectors.json's signed tx", async () => {
  const { tx, spent } = await signedBip341();
  // Input 2: P2PKH (legacy): scriptSig <sig> <pubkey>, script code = the scriptPubKey.
  const [sig2, pub2] = pushes(tx.inputs[2].scriptSig);
  const spk2 = spent[2].scriptPubKey;
  // Input 5: P2WPKH: witness <sig> <pubkey>, script code = P2PKH of the key hash.
  const [sig5, pub5] = tx.inputs[5].witness;
  const code5 = Uint8Array.from([0x76, 0xa9, 0x14, ...spent[5].scriptPubKey.subarray(2), 0x88, 0xac]);
  const pre = new PrecomputedTransactionData(tx, spent);
  for (const secp of BACKENDS) {
    const c2 = new TransactionSignatureChecker({
      tx,
      inputIndex: 2,
      amount: spent[2].value,
      precomputed: pre,
      secp,
    });
    assert(c2.checkEcdsaSignature(sig2, pub2, spk2, "base"), `${secp.name} P2PKH`);
    assert(!c2.checkEcdsaSignature(sig2, pub2, spk2, "witness_v0"), "wrong sigversion");
    assert(!c2.checkEcdsaSignature(sig2, pub5, spk2, "base"), "wrong key");
    assert(!c2.checkEcdsaSignature(sig2, pub2, code5, "base"), "wrong script code");
    assert(
      c2.checkEcdsaSignature(sig2, pub2, spk2, "base"),
      "still valid (sighash cache keyed by script code)",
    );
    const c5 = new TransactionSignatureChecker({
      tx,
      inputIndex: 5,
      amount: spent[5].value,
      precomputed: pre,
      secp,
    });
    assert(c5.checkEcdsaSignature(sig5, pub5, code5, "witness_v0"), `${secp.name} P2WPKH`);
    assert(!c5.checkEcdsaSignature(sig5, pub5, code5, "base"), "legacy sighash differs");
    const wrongAmount = new TransactionSignatureChecker({
      tx,
      inputIndex: 5,
      amount: spent[5].value + 1n,
      secp,
    });
    assert(!wrongAmount.checkEcdsaSignature(sig5, pub5, code5, "witness_v0"), "amount is signed");
    const unknownAmount = new TransactionSignatureChecker({ tx, inputIndex: 5, amount: -1n, secp });
    assert(
      !unknownAmount.checkEcdsaSignature(sig5, pub5, code5, "witness_v0"),
      "negative amount: missing data",
    );
    const otherInput = new TransactionSignatureChecker({ tx, inputIndex: 4, amount: spent[5].value, secp });
    assert(!otherInput.checkEcdsaSignature(sig5, pub5, code5, "witness_v0"), "input index is signed");
    assert(!c5.checkEcdsaSignature(sig5, pub5, code5, "taproot"), "no ECDSA in taproot");
  }
});

Deno.test("checkEcdsaSignature: Core's early failures, lax DER and high S accepted, hash type from the last byte", async () => {
  const { tx, spent } = await signedBip341();
  const [sig, pub] = pushes(tx.inputs[2].scriptSig);
  const spk = spent[2].scriptPubKey;
  const c = new TransactionSignatureChecker({ tx, inputIndex: 2, amount: spent[2].value });
  const hashType = sig[sig.length - 1];
  assertEquals(hashType, 1);
  assert(c.checkEcdsaSignature(sig, pub, spk, "base"));
  assert(!c.checkEcdsaSignature(new Uint8Array(0), pub, spk, "base"), "empty signature");
  assert(!c.checkEcdsaSignature(Uint8Array.of(1), pub, spk, "base"), "hash type only");
  assert(!c.checkEcdsaSignature(sig, pub.subarray(0, 32), spk, "base"), "public key size");
  assert(!c.checkEcdsaSignature(sig, new Uint8Array(0), spk, "base"), "empty public key");
  const changedType = sig.slice();
  changedType[changedType.length - 1] = 0x81;
  assert(!c.checkEcdsaSignature(changedType, pub, spk, "base"), "hash type is signed");
  // The same (r, s) with high S and a padded lax encoding still verifies (Core normalizes; LOW_S is a flag).
  const compact = parseDerLax(sig.subarray(0, sig.length - 1))!;
  const high = compact.slice();
  high.set(bigIntTo32Bytes(CURVE_ORDER - bytesToBigInt(compact.subarray(32))), 32);
  const highDer = Uint8Array.from([...encodeDer(high), hashType]);
  assert(c.checkEcdsaSignature(highDer, pub, spk, "base"), "high S");
  const r = encodeDer(compact);
  const rLen = r[3];
  const padded = Uint8Array.from([
    0x30,
    0x00, // wrong sequence length: ignored
    0x02,
    0x81, // long-form length
    rLen + 1,
    0x00, // excess padding
    ...r.subarray(4, 4 + rLen),
    ...r.subarray(4 + rLen),
    0xde,
    0xad, // trailing garbage
    hashType,
  ]);
  assert(c.checkEcdsaSignature(padded, pub, spk, "base"), "lax DER");
  // A hybrid encoding of the same key verifies too (Core's CPubKey accepts 06/07 with the right parity).
  const unc = noblePoint.Point.fromBytes(pub).toBytes(false);
  const hybrid = unc.slice();
  hybrid[0] = 6 | (unc[64] & 1);
  // (The script code is what was signed; the key's encoding is not part of the hash here.)
  assert(c.checkEcdsaSignature(sig, hybrid, spk, "base"), "hybrid key");
  hybrid[0] ^= 1;
  assert(!c.checkEcdsaSignature(sig, hybrid, spk, "base"), "hybrid key with the wrong parity");
});

Deno.test("checkEcdsaSignature agrees with signatureHash + sign for generated cases (all hash types, both backends)", () => {
  const sk = sha256(new TextEncoder().encode("tx_checker ecdsa"));
  const tx: Transaction = {
    version: 1,
    locktime: 0,
    inputs: [0, 1, 2].map((i) => ({
      prevout: { txid: sha256(Uint8Array.of(i)), vout: i },
      scriptSig: new Uint8Array(0),
      sequence: 0xffffffff,
      witness: [],
    })),
    outputs: [0, 1].map((i) => ({ value: 1000n + BigInt(i), scriptPubKey: Uint8Array.of(0x51) })),
  };
  const code = hex("ab76a914000000000000000000000000000000000000000088ac");
  for (const secp of BACKENDS) {
    const pub = secp.publicKeyCreate(sk);
    for (const type of [1, 2, 3, 0x81, 0x82, 0x83, 0, 0x41, 0xff]) {
      for (const sigversion of ["base", "witness_v0"] as const) {
        for (const nIn of [0, 2]) {
          const h = signatureHash(code, tx, nIn, type, { sigversion, amount: 5000n });
          const sig = Uint8Array.from([...encodeDer(secp.signEcdsa(h, sk)), type]);
          const c = new TransactionSignatureChecker({ tx, inputIndex: nIn, amount: 5000n, secp });
          assert(
            c.checkEcdsaSignature(sig, pub, code, sigversion),
            `${secp.name} type ${type} ${sigversion} ${nIn}`,
          );
        }
      }
    }
  }
});

function lockTx(locktime: number, sequence: number, version = 2): Transaction {
  return {
    version,
    locktime,
    inputs: [{
      prevout: { txid: new Uint8Array(32), vout: 0 },
      scriptSig: new Uint8Array(0),
      sequence,
      witness: [],
    }],
    outputs: [],
  };
}

Deno.test("checkLockTime: Core's CheckLockTime (kind match, ≤ nLockTime, input not final)", () => {
  const cases: [number, number, bigint, boolean, string][] = [
    [100, 0, 100n, true, "equal heights"],
    [100, 0, 99n, true, "lower height"],
    [100, 0, 0n, true, "zero"],
    [100, 0, 101n, false, "higher height"],
    [100, 0xffffffff, 100n, false, "final input"],
    [100, 0xfffffffe, 100n, true, "non-final input"],
    [100, 0, 500000000n, false, "time vs height"],
    [500000000, 0, 499999999n, false, "height vs time"],
    [500000000, 0, 500000000n, true, "equal times"],
    [0xffffffff, 0, 0xffffffffn, true, "max time"],
    [0xffffffff, 0, 0x100000000n, false, "above uint32 (5-byte operand)"],
    [499999999, 0, 499999999n, true, "max height"],
  ];
  for (const [txLock, seq, operand, want, name] of cases) {
    const c = new TransactionSignatureChecker({ tx: lockTx(txLock, seq), inputIndex: 0, amount: 0n });
    assertEquals(c.checkLockTime(operand), want, name);
  }
});

Deno.test("checkSequence: Core's CheckSequence (version ≥ 2 as uint32, disable flag, type flag, mask)", () => {
  const TYPE = 1 << 22;
  const cases: [number, number, bigint, boolean, string][] = [
    [2, 10, 10n, true, "equal blocks"],
    [2, 10, 9n, true, "fewer blocks"],
    [2, 10, 11n, false, "more blocks"],
    [1, 10, 10n, false, "version 1"],
    [0, 10, 10n, false, "version 0"],
    [-1, 10, 10n, true, "version -1 is 0xffffffff as uint32"],
    [2, 0x80000000 | 10, 10n, false, "input's disable flag"],
    [2, TYPE | 10, 10n, false, "time vs blocks"],
    [2, 10, BigInt(TYPE | 10), false, "blocks vs time"],
    [2, TYPE | 10, BigInt(TYPE | 10), true, "equal times"],
    [2, TYPE | 10, BigInt(TYPE | 11), false, "more time"],
    [2, 10, 10n | 0x10000n, true, "bits outside the mask are ignored (operand)"],
    [2, 10 | 0x10000, 10n, true, "bits outside the mask are ignored (input)"],
    [2, 0xffff, 0xffffn, true, "max blocks"],
    [
      2,
      10,
      BigInt(0x80000000) | 10n,
      true,
      "operand's disable flag is masked off (the interpreter skips it first)",
    ],
  ];
  for (const [version, seq, operand, want, name] of cases) {
    const c = new TransactionSignatureChecker({ tx: lockTx(0, seq, version), inputIndex: 0, amount: 0n });
    assertEquals(c.checkSequence(operand), want, name);
  }
});

Deno.test("TransactionSignatureChecker: an input index out of range is a RangeError", () => {
  assertThrows(
    () => new TransactionSignatureChecker({ tx: lockTx(0, 0), inputIndex: 1, amount: 0n }),
    "input 1 of 1",
  );
});
