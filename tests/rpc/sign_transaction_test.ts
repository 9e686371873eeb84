import * as tiny from "tiny-secp256k1";
import { decodeSecret } from "../../core/address/wif.ts";
import { hash160, sha256, sha256d, toHex } from "../../core/hash/hashes.ts";
import { verifyScript } from "../../core/script/interpreter.ts";
import { STANDARD_SCRIPT_VERIFY_FLAGS } from "../../core/script/flags.ts";
import { SIGHASH_ALL } from "../../core/script/sighash.ts";
import { scriptForMultisig } from "../../core/script/standard.ts";
import { TransactionSignatureChecker } from "../../core/script/tx_checker.ts";
import type { Transaction } from "../../core/wire/types.ts";
import { signCompact } from "../../core/message.ts";
import {
  coinKey,
  type CoinOut,
  dataFromTransaction,
  DUMMY_SIGNING_PROVIDER,
  emptySignatureData,
  FlatSigningProvider,
  mergeSignatureData,
  produceSignature,
  signTransaction,
  TransactionSignatureCreator,
} from "../../rpc/sign_transaction.ts";
import { assert, assertEquals } from "./asserts.ts";

const enc = new TextEncoder();

function keyOf(n: number, compressed = true) {
  const key = sha256(Uint8Array.of(n, 0x42));
  return { key, compressed };
}

function txSpending(n: number): Transaction {
  return {
    version: 2,
    inputs: Array.from({ length: n }, (_, i) => ({
      prevout: { txid: sha256(Uint8Array.of(i)), vout: i },
      scriptSig: new Uint8Array(0),
      sequence: 0xfffffffd,
      witness: [],
    })),
    outputs: [{ value: 1000n, scriptPubKey: Uint8Array.of(0x00, 0x14, ...new Uint8Array(20)) }],
    locktime: 0,
  };
}

Deno.test("signCompact agrees with libsecp256k1's recoverable signing and Core's key_tests", () => {
  const hashMsg = sha256d(enc.encode("Very deterministic message"));
  const key1 = decodeSecret("5HxWvvfubhXpYYpS3tJkw6fq9jE9j18THftkZjHHfmFiWtmAbrj", "main")!;
  assertEquals(
    toHex(signCompact(hashMsg, key1)),
    "1c5dbbddda71772d95ce91cd2d14b592cfbc1dd0aabd6a394b6c2d377bbe59d31d14ddda21494a4e221f0824f0b8b924c43fa43c0ad57dccdaa11f81a6bd4582f6",
  );
  for (let i = 0; i < 16; i++) {
    const h = sha256d(enc.encode(`message ${i}`));
    const secret = keyOf(i);
    const ref = tiny.signRecoverable(h, secret.key);
    const ours = signCompact(h, secret);
    assertEquals(ours[0], 27 + ref.recoveryId + 4);
    assertEquals(toHex(ours.subarray(1)), toHex(ref.signature));
  }
});

Deno.test("signTransaction: 2-of-3 P2WSH multisig signed in two halves, merged like combinerawtransaction", () => {
  const keys = [keyOf(1), keyOf(2), keyOf(3)];
  const pubs = keys.map((k) => tiny.pointFromScalar(k.key, true)!);
  const ms = scriptForMultisig(2, pubs);
  const spk = Uint8Array.of(0x00, 0x20, ...sha256(ms));
  const tx = txSpending(1);
  const coins = new Map<string, CoinOut>([[coinKey(tx.inputs[0].prevout), {
    value: 50_000n,
    scriptPubKey: spk,
  }]]);

  const half = (k: number) => {
    const p = new FlatSigningProvider();
    p.addKey(keys[k]);
    p.addScript(ms);
    return signTransaction(tx, p, coins, SIGHASH_ALL);
  };
  const a = half(0);
  const b = half(2);
  assertEquals(a.complete, false);
  assertEquals(
    a.errors.get(0),
    "CHECK(MULTI)SIG failing with non-zero signature (possibly need more signatures)",
  );
  assertEquals(a.tx.inputs[0].witness.length, 4); // OP_0 placeholder, sig, empty, witness script

  // Merge as combinerawtransaction does: signatures from both, then ProduceSignature with no keys.
  const out = coins.get(coinKey(tx.inputs[0].prevout))!;
  const sigdata = emptySignatureData();
  mergeSignatureData(sigdata, dataFromTransaction(a.tx, 0, out));
  mergeSignatureData(sigdata, dataFromTransaction(b.tx, 0, out));
  assertEquals(sigdata.signatures.size, 2);
  const done = produceSignature(
    DUMMY_SIGNING_PROVIDER,
    new TransactionSignatureCreator(a.tx, 0, out.value, null, SIGHASH_ALL),
    spk,
    sigdata,
  );
  assertEquals(done, true);
  const merged: Transaction = {
    ...tx,
    inputs: [{ ...tx.inputs[0], witness: sigdata.scriptWitness, scriptSig: sigdata.scriptSig }],
  };
  const checker = new TransactionSignatureChecker({ tx: merged, inputIndex: 0, amount: out.value });
  assertEquals(
    verifyScript(
      merged.inputs[0].scriptSig,
      spk,
      merged.inputs[0].witness,
      STANDARD_SCRIPT_VERIFY_FLAGS,
      checker,
    ),
    null,
  );

  // Both keys at once: complete in one go, same signatures as the halves (deterministic).
  const p = new FlatSigningProvider();
  p.addKey(keys[0]);
  p.addKey(keys[2]);
  p.addScript(ms);
  const full = signTransaction(tx, p, coins, SIGHASH_ALL);
  assertEquals(full.complete, true);
  assertEquals(full.tx.inputs[0].witness.map(toHex), merged.inputs[0].witness.map(toHex));
});

Deno.test("signTransaction: missing coin, missing key, uncompressed key in witness v0", () => {
  const tx = txSpending(3);
  const key = keyOf(9);
  const ukey = keyOf(9, false);
  const upub = tiny.pointFromScalar(ukey.key, false)!;
  const p = new FlatSigningProvider();
  p.addKey(ukey);
  const coins = new Map<string, CoinOut>([
    // P2PKH of a key not in the provider.
    [coinKey(tx.inputs[0].prevout), {
      value: 1n,
      scriptPubKey: Uint8Array.of(
        0x76,
        0xa9,
        20,
        ...hash160(tiny.pointFromScalar(key.key, true)!),
        0x88,
        0xac,
      ),
    }],
    // P2WPKH of the uncompressed key's hash: the key exists but segwit refuses it.
    [coinKey(tx.inputs[1].prevout), { value: 5n, scriptPubKey: Uint8Array.of(0x00, 0x14, ...hash160(upub)) }],
  ]);
  const r = signTransaction(tx, p, coins, SIGHASH_ALL);
  assertEquals(r.complete, false);
  assertEquals(r.errors.get(0), "Unable to sign input, invalid stack size (possibly missing key)");
  assertEquals(r.errors.get(2), "Input not found or already spent");
  assert(r.errors.has(1));
});
