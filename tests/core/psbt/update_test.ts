import { parseDescriptor } from "../../../core/descriptors/descriptor.ts";
import {
  deriveExtKeyPath,
  encodeExtKey,
  encodeExtPubKey,
  extKeyFromSeed,
  HARDENED,
  keyFingerprint,
  neuterExtKey,
} from "../../../core/descriptors/hd_key.ts";
import { computeTapleafHash, verifyScript } from "../../../core/script/interpreter.ts";
import { STANDARD_SCRIPT_VERIFY_FLAGS } from "../../../core/script/flags.ts";
import { TransactionSignatureChecker } from "../../../core/script/tx_checker.ts";
import { hash160, sha256, toHex } from "../../../core/hash/hashes.ts";
import {
  decodePsbt,
  descriptorSigningProvider,
  encodePsbt,
  finalizeAndExtract,
  hideSecrets,
  isSegWitOutput,
  processPsbt,
  psbtFromTransaction,
  SimpleSigningProvider,
  updatePsbtOutput,
} from "../../../core/psbt/mod.ts";
import type { Transaction, TxOut } from "../../../core/wire/types.ts";
import { assert, assertEquals } from "../../assert.ts";

const master = extKeyFromSeed(new Uint8Array(32).fill(0x11))!;
const fingerprint = keyFingerprint(neuterExtKey(master).pubkey);
const fp = toHex(fingerprint);
const account = deriveExtKeyPath(master, [84 + HARDENED, 1 + HARDENED, HARDENED])!;
const tpub = encodeExtPubKey(neuterExtKey(account), "regtest");
const tprv = encodeExtKey(account, "regtest");
const origin = `[${fp}/84h/1h/0h]`;

function spendTx(outputs: TxOut[]): Transaction {
  return {
    version: 2,
    locktime: 0,
    inputs: [{
      prevout: { txid: new Uint8Array(32).fill(4), vout: 0 },
      scriptSig: new Uint8Array(0),
      sequence: 0xfffffffd,
      witness: [],
    }],
    outputs,
  };
}

Deno.test("updater: P2SH-P2WPKH input gets its redeem script and derivation from a descriptor", () => {
  const desc = parseDescriptor(`sh(wpkh(${origin}${tpub}/0/*))`, { network: "regtest" });
  const provider = descriptorSigningProvider([desc], { range: [0, 5] });
  const spk = desc.expand(3).scriptPubKeys[0];
  const utxo: TxOut = { value: 50_000n, scriptPubKey: spk };
  assert(isSegWitOutput(provider, spk));
  assert(!isSegWitOutput(new SimpleSigningProvider(), spk));
  const psbt = psbtFromTransaction(spendTx([{ value: 40_000n, scriptPubKey: Uint8Array.of(0x51) }]));
  psbt.inputs[0].witnessUtxo = utxo;
  assertEquals(processPsbt(hideSecrets(provider), psbt, { finalize: false }), "ok");
  const input = decodePsbt(encodePsbt(psbt)).inputs[0];
  const pub = desc.expand(3).pubkeys[0].pubkey;
  assertEquals(toHex(input.redeemScript!), "0014" + toHex(hash160(pub)));
  const d = input.bip32Derivs.get(toHex(pub))!;
  assertEquals(toHex(d.origin.fingerprint), fp);
  assertEquals(d.origin.path, [84 + HARDENED, 1 + HARDENED, HARDENED, 0, 3]);
  assertEquals(input.partialSigs.size, 0); // secrets hidden: nothing signed
  // With the private descriptor the same pass signs and finalizes.
  const priv = parseDescriptor(`sh(wpkh(${origin}${tprv}/0/*))`, { network: "regtest" });
  const signer = descriptorSigningProvider([priv], { range: [0, 5], includePrivate: true });
  assertEquals(processPsbt(signer, psbt), "ok");
  assert(finalizeAndExtract(psbt) !== null);
});

Deno.test("updater: outputs get witness scripts, derivations, taproot internal key, tree and leaf origins", () => {
  const ms = parseDescriptor(`wsh(multi(2,${origin}${tpub}/1/0,${origin}${tpub}/1/1))`, {
    network: "regtest",
  });
  const tr = parseDescriptor(
    `tr(${origin}${tpub}/1/2,{pk(${origin}${tpub}/1/3),pk(${origin}${tpub}/1/4)})`,
    { network: "regtest" },
  );
  const provider = hideSecrets(descriptorSigningProvider([ms, tr]));
  const msSpk = ms.expand(0).scriptPubKeys[0];
  const trSpk = tr.expand(0).scriptPubKeys[0];
  const psbt = psbtFromTransaction(spendTx([
    { value: 1000n, scriptPubKey: msSpk },
    { value: 2000n, scriptPubKey: trSpk },
  ]));
  updatePsbtOutput(provider, psbt, 0);
  updatePsbtOutput(provider, psbt, 1);
  const [o0, o1] = decodePsbt(encodePsbt(psbt)).outputs;
  const witnessScript = ms.expand(0).scripts[0];
  assertEquals(toHex(o0.witnessScript!), toHex(witnessScript));
  assertEquals(toHex(sha256(o0.witnessScript!)), toHex(msSpk.subarray(2)));
  assertEquals([...o0.bip32Derivs.values()].map((d) => d.origin.path.at(-1)).sort(), [0, 1]);

  const t = tr.expand(0).taproot[0];
  assertEquals(toHex(o1.tapInternalKey!), toHex(t.internalKey));
  assertEquals(o1.tapTree!.map((l) => [l.depth, l.leafVersion]), [[1, 0xc0], [1, 0xc0]]);
  assertEquals(o1.tapBip32Derivs.size, 3);
  const internal = o1.tapBip32Derivs.get(toHex(t.internalKey))!;
  assertEquals(internal.leafHashes, []);
  assertEquals(internal.origin.path, [84 + HARDENED, 1 + HARDENED, HARDENED, 1, 2]);
  for (const leaf of t.leaves) {
    const x = leaf.script.subarray(1, 33);
    const d = o1.tapBip32Derivs.get(toHex(x))!;
    assertEquals(d.leafHashes.map(toHex), [toHex(computeTapleafHash(0xc0, leaf.script))]);
  }
  // Idempotent.
  const before = toHex(encodePsbt(psbt));
  updatePsbtOutput(provider, psbt, 0);
  updatePsbtOutput(provider, psbt, 1);
  assertEquals(toHex(encodePsbt(psbt)), before);
});

Deno.test("updater: taproot input gets internal key, merkle root, leaf scripts; then signs by script path", () => {
  // The internal key belongs to someone else (only its xpub is known); the leaf key is ours.
  const other = encodeExtPubKey(neuterExtKey(extKeyFromSeed(new Uint8Array(32).fill(0x22))!), "regtest");
  const tr = parseDescriptor(`tr(${other}/0,pk(${origin}${tprv}/1/3))`, { network: "regtest" });
  const spk = tr.expand(0).scriptPubKeys[0];
  const utxo: TxOut = { value: 9_000n, scriptPubKey: spk };
  const psbt = psbtFromTransaction(spendTx([{ value: 8_000n, scriptPubKey: Uint8Array.of(0x51) }]));
  psbt.inputs[0].witnessUtxo = utxo;
  const publicOnly = hideSecrets(descriptorSigningProvider([tr]));
  assertEquals(processPsbt(publicOnly, psbt, { finalize: false }), "ok");
  const input = psbt.inputs[0];
  const t = tr.expand(0).taproot[0];
  assertEquals(toHex(input.tapInternalKey!), toHex(t.internalKey));
  assertEquals(toHex(input.tapMerkleRoot!), toHex(t.merkleRoot!));
  assertEquals(input.tapLeafScripts.size, 1);
  assertEquals(input.tapBip32Derivs.size, 2);
  assertEquals(input.tapScriptSigs.size, 0);
  assertEquals(input.tapKeySig, undefined);
  const signer = descriptorSigningProvider([tr], { includePrivate: true });
  assertEquals(processPsbt(signer, psbt), "ok");
  assertEquals(input.finalScriptWitness?.length, 3); // signature, leaf script, control block
  const tx = finalizeAndExtract(psbt)!;
  const checker = new TransactionSignatureChecker({
    tx,
    inputIndex: 0,
    amount: utxo.value,
    spentOutputs: [utxo],
  });
  assertEquals(
    verifyScript(tx.inputs[0].scriptSig, spk, tx.inputs[0].witness, STANDARD_SCRIPT_VERIFY_FLAGS, checker),
    null,
  );
});
