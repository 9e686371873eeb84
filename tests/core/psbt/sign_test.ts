import { secp256k1 } from "@noble/curves/secp256k1.js";
import { decodeDestination, isDecodedDestination } from "../../../core/address/destination.ts";
import { decodeSecret } from "../../../core/address/wif.ts";
import { taprootOutput } from "../../../core/descriptors/taproot_tree.ts";
import { fromHex, hash160, sha256, toHex } from "../../../core/hash/hashes.ts";
import {
  combinePsbts,
  decodePsbtBase64,
  encodePsbt,
  encodePsbtBase64,
  finalizeAndExtract,
  finalizePsbt,
  type Psbt,
  psbtFromTransaction,
  signPsbt,
  signPsbtInput,
  SimpleSigningProvider,
} from "../../../core/psbt/mod.ts";
import { STANDARD_SCRIPT_VERIFY_FLAGS } from "../../../core/script/flags.ts";
import { verifyScript } from "../../../core/script/interpreter.ts";
import {
  PrecomputedTransactionData,
  SIGHASH_ALL,
  SIGHASH_ANYONECANPAY,
  SIGHASH_SINGLE,
} from "../../../core/script/sighash.ts";
import { scriptForMultisig } from "../../../core/script/standard.ts";
import { TransactionSignatureChecker } from "../../../core/script/tx_checker.ts";
import { encodeTransaction, txid } from "../../../core/wire/transaction.ts";
import type { Transaction, TxOut } from "../../../core/wire/types.ts";
import { assert, assertEquals } from "../../assert.ts";
import { loadRpcPsbtVectors } from "./psbt_vectors.ts";

const vectors = await loadRpcPsbtVectors();

function providerFromWifs(wifs: string[]): SimpleSigningProvider {
  const p = new SimpleSigningProvider();
  for (const w of wifs) {
    const k = decodeSecret(w, "regtest");
    assert(k !== undefined, `bad WIF ${w}`);
    p.addKey({ secret: k.key, compressed: k.compressed });
  }
  return p;
}

Deno.test(
  { name: "rpc_psbt.json creator: createpsbt's PSBT byte for byte", ignore: vectors === null },
  () => {
    for (const c of vectors!.creator) {
      const outputs: TxOut[] = c.outputs.map((o) => {
        const [address, amount] = Object.entries(o)[0];
        const d = decodeDestination(address, "regtest");
        assert(isDecodedDestination(d));
        return { value: BigInt(Math.round(amount * 1e8)), scriptPubKey: d.scriptPubKey };
      });
      const tx: Transaction = {
        version: 2,
        locktime: 0,
        inputs: c.inputs.map((i) => ({
          prevout: { txid: fromHex(i.txid).reverse(), vout: i.vout },
          scriptSig: new Uint8Array(0),
          sequence: 0xffffffff,
          witness: [],
        })),
        outputs,
      };
      assertEquals(encodePsbtBase64(psbtFromTransaction(tx, c.version as 0 | 2)), c.result);
    }
  },
);

Deno.test({
  name: "rpc_psbt.json signer: signatures, scripts and derivations as Core's walletprocesspsbt",
  ignore: vectors === null,
}, () => {
  assertEquals(vectors!.signer.length, 6);
  for (const s of vectors!.signer) {
    const psbt = decodePsbtBase64(s.psbt);
    signPsbt(providerFromWifs(s.privkeys), psbt, { sighashType: SIGHASH_ALL });
    assertEquals(encodePsbtBase64(psbt), s.result);
  }
});

Deno.test({ name: "rpc_psbt.json combiner, finalizer, extractor", ignore: vectors === null }, () => {
  for (const c of vectors!.combiner) {
    assertEquals(encodePsbtBase64(combinePsbts(c.combine.map(decodePsbtBase64))!), c.result);
  }
  for (const f of vectors!.finalizer) {
    const psbt = decodePsbtBase64(f.finalize);
    assert(finalizePsbt(psbt));
    assertEquals(encodePsbtBase64(psbt), f.result);
  }
  for (const e of vectors!.extractor) {
    const tx = finalizeAndExtract(decodePsbtBase64(e.extract));
    assert(tx !== null);
    assertEquals(toHex(encodeTransaction(tx)), e.result);
  }
});

Deno.test({ name: "combiner refuses PSBTs over different transactions", ignore: vectors === null }, () => {
  const a = decodePsbtBase64(vectors!.combiner[0].combine[0]);
  const b = decodePsbtBase64(vectors!.creator[0].result);
  b.outputs[0].amount += 1n;
  assertEquals(combinePsbts([a, b]), null);
});

// ---------------------------------------------------------------------------------------------------------------
// End to end: build, sign, finalize, extract, verify with the consensus interpreter.

function secretOf(n: number): Uint8Array {
  const s = new Uint8Array(32);
  s[0] = 0x42;
  s[31] = n;
  return s;
}

const P2WPKH = (pub: Uint8Array) => Uint8Array.of(0x00, 20, ...hash160(pub));
const P2PKH = (pub: Uint8Array) => Uint8Array.of(0x76, 0xa9, 20, ...hash160(pub), 0x88, 0xac);
const P2SH = (script: Uint8Array) => Uint8Array.of(0xa9, 20, ...hash160(script), 0x87);
const P2WSH = (script: Uint8Array) => Uint8Array.of(0x00, 32, ...sha256(script));
const P2TR = (xonly: Uint8Array) => Uint8Array.of(0x51, 32, ...xonly);

/** A funding transaction paying `outputs`, and a PSBT spending each of them to one OP_TRUE-ish output. */
function spendAll(outputs: TxOut[], version: 0 | 2 = 2): { prev: Transaction; psbt: Psbt } {
  const prev: Transaction = {
    version: 2,
    locktime: 0,
    inputs: [{
      prevout: { txid: new Uint8Array(32).fill(9), vout: 0 },
      scriptSig: Uint8Array.of(0x51),
      sequence: 0,
      witness: [],
    }],
    outputs,
  };
  const total = outputs.reduce((a, o) => a + o.value, 0n);
  const spend: Transaction = {
    version: 2,
    locktime: 0,
    inputs: outputs.map((_, i) => ({
      prevout: { txid: txid(prev), vout: i },
      scriptSig: new Uint8Array(0),
      sequence: 0xfffffffd,
      witness: [],
    })),
    outputs: [{ value: total - 10_000n, scriptPubKey: P2WPKH(secp256k1.getPublicKey(secretOf(99), true)) }],
  };
  return { prev, psbt: psbtFromTransaction(spend, version) };
}

function verifyAll(tx: Transaction, spent: TxOut[]): void {
  const pre = new PrecomputedTransactionData(tx, spent);
  tx.inputs.forEach((input, i) => {
    const checker = new TransactionSignatureChecker({
      tx,
      inputIndex: i,
      amount: spent[i].value,
      precomputed: pre,
    });
    const err = verifyScript(
      input.scriptSig,
      spent[i].scriptPubKey,
      input.witness,
      STANDARD_SCRIPT_VERIFY_FLAGS,
      checker,
    );
    assertEquals(err, null, `input ${i}`);
  });
}

Deno.test("sign and extract: P2PKH, P2WPKH, P2SH-P2WPKH, P2TR key path, v0 and v2", () => {
  for (const version of [0, 2] as const) {
    const keys = [1, 2, 3, 4].map(secretOf);
    const pubs = keys.map((k) => secp256k1.getPublicKey(k, true));
    const provider = new SimpleSigningProvider();
    keys.forEach((k) => provider.addKey({ secret: k, compressed: true }));
    const wpkh3 = P2WPKH(pubs[2]);
    provider.addScript(wpkh3);
    const internal = pubs[3].subarray(1);
    const tr = taprootOutput(internal)!;
    const outputs: TxOut[] = [
      { value: 100_000n, scriptPubKey: P2PKH(pubs[0]) },
      { value: 200_000n, scriptPubKey: P2WPKH(pubs[1]) },
      { value: 300_000n, scriptPubKey: P2SH(wpkh3) },
      { value: 400_000n, scriptPubKey: P2TR(tr.outputKey) },
    ];
    const { prev, psbt } = spendAll(outputs, version);
    psbt.inputs[0].nonWitnessUtxo = prev;
    for (const i of [1, 2, 3]) psbt.inputs[i].witnessUtxo = outputs[i];
    psbt.inputs[3].tapInternalKey = internal;
    const result = signPsbt(provider, psbt);
    assertEquals(result, { complete: true, results: ["ok", "ok", "ok", "ok"] });
    // Through the wire format, as a real workflow would.
    const again = decodePsbtBase64(encodePsbtBase64(psbt));
    assertEquals(again.inputs[3].finalScriptWitness?.[0].length, 64); // SIGHASH_DEFAULT: 64-byte signature
    const tx = finalizeAndExtract(again);
    assert(tx !== null);
    verifyAll(tx, outputs);
  }
});

Deno.test("a legacy input with only a witness UTXO is not signed (Core requires a witness signature then)", () => {
  const key = secretOf(5);
  const pub = secp256k1.getPublicKey(key, true);
  const out: TxOut = { value: 50_000n, scriptPubKey: P2PKH(pub) };
  const { psbt } = spendAll([out]);
  psbt.inputs[0].witnessUtxo = out; // legacy script: a witness UTXO is not enough to sign safely
  const provider = new SimpleSigningProvider();
  provider.addKey({ secret: key, compressed: true });
  assertEquals(signPsbtInput(provider, psbt, 0), "incomplete");
  assertEquals(psbt.inputs[0].partialSigs.size, 0);
});

Deno.test("P2WSH 2-of-3 multisig: two signers, combiner, finalizer, extractor", () => {
  const keys = [11, 12, 13].map(secretOf);
  const pubs = keys.map((k) => secp256k1.getPublicKey(k, true));
  const ms = scriptForMultisig(2, pubs);
  const out: TxOut = { value: 1_000_000n, scriptPubKey: P2WSH(ms) };
  const { psbt } = spendAll([out]);
  psbt.inputs[0].witnessUtxo = out;
  psbt.inputs[0].witnessScript = ms;
  const base = encodePsbtBase64(psbt);
  const signed = [0, 2].map((k) => {
    const p = decodePsbtBase64(base);
    const provider = new SimpleSigningProvider();
    provider.addKey({ secret: keys[k], compressed: true });
    const r = signPsbt(provider, p);
    assertEquals(r.complete, false);
    assertEquals(p.inputs[0].partialSigs.size, 1);
    return p;
  });
  const combined = combinePsbts(signed)!;
  assertEquals(combined.inputs[0].partialSigs.size, 2);
  const tx = finalizeAndExtract(combined);
  assert(tx !== null);
  assertEquals(tx.inputs[0].witness.length, 4); // dummy, two signatures, the witness script
  verifyAll(tx, [out]);
});

Deno.test("P2TR script path: a single-key leaf signed without the internal key", () => {
  const leafKey = secretOf(21);
  const leafX = secp256k1.getPublicKey(leafKey, true).subarray(1);
  const internal = secp256k1.getPublicKey(secretOf(22), true).subarray(1); // its key is not given to the signer
  const leafScript = Uint8Array.of(32, ...leafX, 0xac);
  const other = Uint8Array.of(0x51);
  const tr = taprootOutput(internal, [
    { depth: 1, script: leafScript, leafVersion: 0xc0 },
    { depth: 1, script: other, leafVersion: 0xc0 },
  ])!;
  const out: TxOut = { value: 70_000n, scriptPubKey: P2TR(tr.outputKey) };
  const { psbt } = spendAll([out]);
  psbt.inputs[0].witnessUtxo = out;
  psbt.inputs[0].tapInternalKey = internal;
  psbt.inputs[0].tapMerkleRoot = tr.merkleRoot!;
  psbt.inputs[0].tapLeafScripts.set(`${toHex(leafScript)}:192`, {
    script: leafScript,
    leafVersion: 0xc0,
    controlBlocks: [tr.leaves[0].controlBlock],
  });
  const provider = new SimpleSigningProvider();
  provider.addKey({ secret: leafKey, compressed: true });
  assertEquals(signPsbtInput(provider, psbt, 0, { finalize: false }), "ok");
  assertEquals(psbt.inputs[0].tapScriptSigs.size, 1);
  assertEquals(psbt.inputs[0].finalScriptWitness, undefined);
  const tx = finalizeAndExtract(decodePsbtBase64(encodePsbtBase64(psbt)));
  assert(tx !== null);
  assertEquals(tx.inputs[0].witness.length, 3);
  verifyAll(tx, [out]);
});

Deno.test("sighash types: the PSBT's type must match; non-default types are recorded and signed", () => {
  const key = secretOf(31);
  const pub = secp256k1.getPublicKey(key, true);
  const out: TxOut = { value: 80_000n, scriptPubKey: P2WPKH(pub) };
  const provider = new SimpleSigningProvider();
  provider.addKey({ secret: key, compressed: true });

  const { psbt } = spendAll([out]);
  psbt.inputs[0].witnessUtxo = out;
  psbt.inputs[0].sighashType = SIGHASH_SINGLE;
  assertEquals(signPsbtInput(provider, psbt, 0), "sighash_mismatch");
  assertEquals(signPsbtInput(provider, psbt, 0, { sighashType: SIGHASH_SINGLE }), "ok");
  const tx = finalizeAndExtract(psbt)!;
  assertEquals(tx.inputs[0].witness[0].at(-1), SIGHASH_SINGLE);
  verifyAll(tx, [out]);

  const second = spendAll([out]).psbt;
  second.inputs[0].witnessUtxo = out;
  const acp = SIGHASH_ALL | SIGHASH_ANYONECANPAY;
  assertEquals(signPsbtInput(provider, second, 0, { sighashType: acp, finalize: false }), "ok");
  assertEquals(second.inputs[0].sighashType, acp);
  assertEquals([...second.inputs[0].partialSigs.values()][0].sig.at(-1), acp);
  // ALL is the default for segwit v0 and is not written into the PSBT.
  const third = spendAll([out]).psbt;
  third.inputs[0].witnessUtxo = out;
  assertEquals(signPsbtInput(provider, third, 0, { sighashType: SIGHASH_ALL }), "ok");
  assertEquals(third.inputs[0].sighashType, undefined);
});

Deno.test("signing without keys changes nothing but learns nothing either; missing UTXO is reported", () => {
  const { psbt } = spendAll([{ value: 1000n, scriptPubKey: Uint8Array.of(0x51) }]);
  const before = toHex(encodePsbt(psbt));
  assertEquals(signPsbtInput(new SimpleSigningProvider(), psbt, 0), "missing_inputs");
  assertEquals(toHex(encodePsbt(psbt)), before);
});

Deno.test("P2TR script path multi_a(2 of 3): two signers, combiner, finalizer", () => {
  const keys = [41, 42, 43].map(secretOf);
  const xs = keys.map((k) => secp256k1.getPublicKey(k, true).subarray(1));
  // <A> OP_CHECKSIG <B> OP_CHECKSIGADD <C> OP_CHECKSIGADD 2 OP_NUMEQUAL
  const leaf = Uint8Array.of(32, ...xs[0], 0xac, 32, ...xs[1], 0xba, 32, ...xs[2], 0xba, 0x52, 0x9c);
  const internal = secp256k1.getPublicKey(secretOf(44), true).subarray(1);
  const tr = taprootOutput(internal, [{ depth: 0, script: leaf, leafVersion: 0xc0 }])!;
  const out: TxOut = { value: 90_000n, scriptPubKey: P2TR(tr.outputKey) };
  const { psbt } = spendAll([out]);
  psbt.inputs[0].witnessUtxo = out;
  psbt.inputs[0].tapInternalKey = internal;
  psbt.inputs[0].tapMerkleRoot = tr.merkleRoot!;
  psbt.inputs[0].tapLeafScripts.set(`${toHex(leaf)}:192`, {
    script: leaf,
    leafVersion: 0xc0,
    controlBlocks: [tr.leaves[0].controlBlock],
  });
  const base = encodePsbtBase64(psbt);
  const signed = [0, 2].map((k) => {
    const p = decodePsbtBase64(base);
    const provider = new SimpleSigningProvider();
    provider.addKey({ secret: keys[k], compressed: true });
    assertEquals(signPsbtInput(provider, p, 0), "incomplete");
    assertEquals(p.inputs[0].tapScriptSigs.size, 1);
    return p;
  });
  const combined = combinePsbts(signed)!;
  const tx = finalizeAndExtract(combined);
  assert(tx !== null);
  // sig C, nothing for B, sig A, the leaf, the control block.
  assertEquals(tx.inputs[0].witness.map((w) => w.length), [64, 0, 64, leaf.length, 33]);
  verifyAll(tx, [out]);
});
