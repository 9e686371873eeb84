import { secp256k1 } from "@noble/curves/secp256k1.js";
import { hash160, toHex } from "../../../core/hash/hashes.ts";
import {
  analyzePsbt,
  decodePsbtBase64,
  encodePsbt,
  psbtFromTransaction,
  signPsbt,
  SimpleSigningProvider,
} from "../../../core/psbt/mod.ts";
import type { Transaction, TxOut } from "../../../core/wire/types.ts";
import { assertEquals } from "../../assert.ts";

// PSBTs from Bitcoin Core's test/functional/rpc_psbt.py (analyzepsbt checks), with the results Core asserts.
const UNSPENDABLE =
  "cHNidP8BAJoCAAAAAljoeiG1ba8MI76OcHBFbDNvfLqlyHV5JPVFiHuyq911AAAAAAD/////g40EJ9DsZQpoqka7CwmK6kQiwHGyyng1Kgd5WdB86h0BAAAAAP////8CcKrwCAAAAAAWAEHYXCtx0AYLCcmIauuBXlCZHdoSTQDh9QUAAAAAFv8/wADXYP/7//////8JxOh0LR2HAI8AAAAAAAEBIADC6wsAAAAAF2oUt/X69ELjeX2nTof+fZ10l+OyAokDAQcJAwEHEAABAACAAAEBIADC6wsAAAAAF2oUt/X69ELjeX2nTof+fZ10l+OyAokDAQcJAwEHENkMak8AAAAA";
const INVALID_VALUE =
  "cHNidP8BAHECAAAAAfA00BFgAm6tp86RowwH6BMImQNL5zXUcTT97XoLGz0BAAAAAAD/////AgD5ApUAAAAAFgAUKNw0x8HRctAgmvoevm4u1SbN7XL87QKVAAAAABYAFPck4gF7iL4NL4wtfRAKgQbghiTUAAAAAAABAR8AgIFq49AHABYAFJUDtxf2PHo641HEOBOAIvFMNTr2AAAA";
const SIGNED_NOT_FINAL =
  "cHNidP8BAHECAAAAAZYezcxdnbXoQCmrD79t/LzDgtUo9ERqixk8wgioAobrAAAAAAD9////AlDDAAAAAAAAFgAUy/UxxZuzZswcmFnN/E9DGSiHLUsuGPUFAAAAABYAFLsH5o0R38wXx+X2cCosTMCZnQ4baAAAAAABAR8A4fUFAAAAABYAFOBI2h5thf3+Lflb2LGCsVSZwsltIgIC/i4dtVARCRWtROG0HHoGcaVklzJUcwo5homgGkSNAnJHMEQCIGx7zKcMIGr7cEES9BR4Kdt/pzPTK3fKWcGyCJXb7MVnAiALOBgqlMH4GbC1HDh/HmylmO54fyEy4lKde7/BT/PWxwEBAwQBAAAAIgYC/i4dtVARCRWtROG0HHoGcaVklzJUcwo5homgGkSNAnIYDwVpQ1QAAIABAACAAAAAgAAAAAAAAAAAAAAiAgL+CIiB59NSCssOJRGiMYQK1chahgAaaJpIXE41Cyir+xgPBWlDVAAAgAEAAIAAAACAAQAAAAAAAAAA";
const OUTPUT_INVALID =
  "cHNidP8BAHECAAAAAfA00BFgAm6tp86RowwH6BMImQNL5zXUcTT97XoLGz0BAAAAAAD/////AgCAgWrj0AcAFgAUKNw0x8HRctAgmvoevm4u1SbN7XL87QKVAAAAABYAFPck4gF7iL4NL4wtfRAKgQbghiTUAAAAAAABAR8A8gUqAQAAABYAFJUDtxf2PHo641HEOBOAIvFMNTr2AAAA";

Deno.test("analyzepsbt cases from Core's rpc_psbt.py", () => {
  const a1 = analyzePsbt(decodePsbtBase64(UNSPENDABLE));
  assertEquals([a1.next, a1.error, a1.inputs.length], [
    "creator",
    "PSBT is not valid. Input 0 spends unspendable output",
    0,
  ]);
  const a2 = analyzePsbt(decodePsbtBase64(INVALID_VALUE));
  assertEquals([a2.next, a2.error], ["creator", "PSBT is not valid. Input 0 has invalid value"]);
  const a3 = analyzePsbt(decodePsbtBase64(SIGNED_NOT_FINAL));
  assertEquals(a3.next, "finalizer");
  assertEquals(a3.error, undefined);
  const a4 = analyzePsbt(decodePsbtBase64(OUTPUT_INVALID));
  assertEquals([a4.next, a4.error], ["creator", "PSBT is not valid. Output amount invalid"]);
});

Deno.test("analyze a P2SH-P2WPKH spend through updater, signer and extractor (Core's figures)", () => {
  const secret = new Uint8Array(32).fill(7);
  const pub = secp256k1.getPublicKey(secret, true);
  const keyId = hash160(pub);
  const wpkh = Uint8Array.of(0, 20, ...keyId);
  const p2sh = (s: Uint8Array) => Uint8Array.of(0xa9, 20, ...hash160(s), 0x87);
  const utxo: TxOut = { value: 700_000_000n, scriptPubKey: p2sh(wpkh) };
  const tx: Transaction = {
    version: 2,
    locktime: 0,
    inputs: [{
      prevout: { txid: new Uint8Array(32).fill(3), vout: 0 },
      scriptSig: new Uint8Array(0),
      sequence: 0xfffffffd,
      witness: [],
    }],
    outputs: [{
      value: 699_900_000n,
      scriptPubKey: p2sh(Uint8Array.of(0, 20, ...new Uint8Array(20).fill(5))),
    }],
  };
  const psbt = psbtFromTransaction(tx, 2);

  // Created: nothing known yet.
  const created = analyzePsbt(psbt);
  assertEquals(created.inputs[0].hasUtxo, false);
  assertEquals(created.inputs[0].isFinal, false);
  assertEquals([created.inputs[0].next, created.next], ["updater", "updater"]);
  assertEquals([created.fee, created.estimatedVsize], [undefined, undefined]);

  // The witness UTXO alone: an updater must add the redeem script. (Core reports nothing as missing here:
  // without it no witness signature can be made, and SignPSBTInput returns before filling in what is missing.)
  psbt.inputs[0].witnessUtxo = utxo;
  const noScript = analyzePsbt(psbt);
  assertEquals(noScript.next, "updater");
  assertEquals(noScript.inputs[0].missing, {
    pubkeys: [],
    sigs: [],
    redeemScript: null,
    witnessScript: null,
  });
  assertEquals([noScript.fee, noScript.estimatedVsize], [100_000n, undefined]);

  // With the redeem script but no public key: the key is missing.
  psbt.inputs[0].redeemScript = wpkh;
  const noKey = analyzePsbt(psbt);
  assertEquals(noKey.next, "updater");
  assertEquals(noKey.inputs[0].missing.pubkeys.map(toHex), [toHex(keyId)]);

  // Updated as a wallet does (BIP32 derivation known): only the signature is missing.
  psbt.inputs[0].bip32Derivs.set(toHex(pub), {
    pubkey: pub,
    origin: { fingerprint: Uint8Array.of(1, 2, 3, 4), path: [0x80000054, 0x80000001, 0x80000000, 0, 0] },
  });
  const before = toHex(encodePsbt(psbt));
  const updated = analyzePsbt(psbt);
  assertEquals(toHex(encodePsbt(psbt)), before); // analysis does not modify the PSBT
  assertEquals([updated.inputs[0].hasUtxo, updated.inputs[0].isFinal], [true, false]);
  assertEquals([updated.inputs[0].next, updated.next], ["signer", "signer"]);
  assertEquals(updated.inputs[0].missing.sigs.map(toHex), [toHex(keyId)]);
  // Core's rpc_psbt.py: fee 0.001, estimated_vsize 134, estimated_feerate 0.00746268.
  assertEquals([updated.fee, updated.estimatedVsize, updated.estimatedFeerate], [100_000n, 134, 746_268n]);

  // Signed and finalized: only extraction is left.
  const provider = new SimpleSigningProvider();
  provider.addKey({ secret, compressed: true });
  assertEquals(signPsbt(provider, psbt).complete, true);
  const signed = analyzePsbt(psbt);
  assertEquals([signed.inputs[0].isFinal, signed.next], [true, "extractor"]);
  assertEquals(signed.estimatedVsize, 134);
});

Deno.test("analyze: a v2 PSBT whose inputs need both kinds of locktime cannot be a transaction", () => {
  const tx: Transaction = {
    version: 2,
    locktime: 0,
    inputs: [1, 2].map((n) => ({
      prevout: { txid: new Uint8Array(32).fill(n), vout: 0 },
      scriptSig: new Uint8Array(0),
      sequence: 0,
      witness: [],
    })),
    outputs: [{ value: 1n, scriptPubKey: Uint8Array.of(0x51) }],
  };
  const psbt = psbtFromTransaction(tx, 2);
  psbt.inputs[0].heightLocktime = 100;
  psbt.inputs[1].timeLocktime = 600_000_000;
  assertEquals(analyzePsbt(psbt), {
    inputs: [],
    next: "creator",
    error: "PSBT cannot be made into a valid transaction",
  });
});

Deno.test("analyze: a negative fee gives a negative fee rate rounded down (CFeeRate::GetFeePerK)", () => {
  const secret = new Uint8Array(32).fill(9);
  const pub = secp256k1.getPublicKey(secret, true);
  const wpkh = Uint8Array.of(0, 20, ...hash160(pub));
  const tx: Transaction = {
    version: 2,
    locktime: 0,
    inputs: [{
      prevout: { txid: new Uint8Array(32).fill(8), vout: 0 },
      scriptSig: new Uint8Array(0),
      sequence: 0,
      witness: [],
    }],
    outputs: [{ value: 1_001n, scriptPubKey: wpkh }],
  };
  const psbt = psbtFromTransaction(tx, 2);
  psbt.inputs[0].witnessUtxo = { value: 1_000n, scriptPubKey: wpkh };
  psbt.inputs[0].bip32Derivs.set(toHex(pub), {
    pubkey: pub,
    origin: { fingerprint: new Uint8Array(4), path: [] },
  });
  const a = analyzePsbt(psbt);
  assertEquals(a.fee, -1n);
  assertEquals(a.estimatedVsize, 110);
  assertEquals(a.estimatedFeerate, -10n); // -1000/110 = -9.09… rounded down
});
