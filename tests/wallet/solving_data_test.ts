/**
 * Signed input sizes from solving data (Core's `MaxInputWeight` of an inferred descriptor): the wallet's scripts
 * (P2WPKH, P2PKH, P2SH-P2WPKH, P2TR, P2WSH multisig) and external inputs from pubkeys or descriptors.
 */
import { assertEquals } from "../assert.ts";
import { publicKeyOf } from "../../core/descriptors/mod.ts";
import { hash160, sha256, toHex } from "../../core/hash/hashes.ts";
import { ExternalSolvingData, walletInputSatisfactionWeight } from "../../wallet/solving_data.ts";

const k1 = publicKeyOf(new Uint8Array(32).fill(1), true)!;
const k2 = publicKeyOf(new Uint8Array(32).fill(2), true)!;
const id = (b: Uint8Array) => toHex(hash160(b));

Deno.test("walletInputSatisfactionWeight: Core's MaxInputWeight beyond 164 WU for each script kind", () => {
  const wpkh = Uint8Array.of(0x00, 0x14, ...hash160(k1));
  const pkh = Uint8Array.of(0x76, 0xa9, 0x14, ...hash160(k1), 0x88, 0xac);
  const shWpkh = Uint8Array.of(0xa9, 0x14, ...hash160(wpkh), 0x87);
  const multi = Uint8Array.of(0x52, 0x21, ...k1, 0x21, ...k2, 0x52, 0xae);
  const wsh = Uint8Array.of(0x00, 0x20, ...sha256(multi));
  const tr = Uint8Array.of(0x51, 0x20, ...k1.subarray(1));
  const wallet = {
    network: "regtest" as const,
    hasFlag: () => false,
    scriptInfo: (script: Uint8Array) =>
      toHex(script) === toHex(Uint8Array.of(0x00, 0x14, ...new Uint8Array(20))) ? undefined : {
        scripts: new Map([[id(wpkh), wpkh], [id(multi), multi]]),
        pubkeys: new Map([[id(k1), k1], [id(k2), k2]]),
      },
  };
  // Grinding R: 71-byte signatures (with the sighash byte). Witness count 1 + signature 1+71 + key 1+33.
  assertEquals(walletInputSatisfactionWeight(wallet, wpkh), 107);
  // scriptSig (1+71+1+33) × 4 and an empty witness count in a segwit transaction.
  assertEquals(walletInputSatisfactionWeight(wallet, pkh), 425);
  // The redeem script push (1+22) × 4 plus the P2WPKH witness.
  assertEquals(walletInputSatisfactionWeight(wallet, shWpkh), 199);
  // Key path: witness count 1 + 1+65.
  assertEquals(walletInputSatisfactionWeight(wallet, tr), 67);
  // Witness count 1 + dummy 1 + 2 × (1+71) + script 1+71.
  assertEquals(walletInputSatisfactionWeight(wallet, wsh), 218);
  assertEquals(
    walletInputSatisfactionWeight(wallet, Uint8Array.of(0x00, 0x14, ...new Uint8Array(20))),
    undefined,
  );
});

Deno.test("ExternalSolvingData: sizes with the largest signatures from pubkeys, scripts and descriptors", () => {
  const data = new ExternalSolvingData("regtest");
  const wpkh = Uint8Array.of(0x00, 0x14, ...hash160(k1));
  assertEquals(data.inputSize(wpkh), undefined);
  data.addPubkey(k1);
  // Largest signatures for inputs of others: 164 + 1 + (1+72) + (1+33).
  assertEquals(data.inputSize(wpkh), { weight: 272, segwit: true });
  const multi = Uint8Array.of(0x52, 0x21, ...k1, 0x21, ...k2, 0x52, 0xae);
  const wsh = Uint8Array.of(0x00, 0x20, ...sha256(multi));
  assertEquals(data.inputSize(wsh), undefined);
  data.addScript(multi);
  assertEquals(data.inputSize(wsh), { weight: 164 + 1 + 1 + 2 * 73 + 72, segwit: true });
  const byDesc = new ExternalSolvingData("regtest");
  byDesc.addDescriptorText(`pkh(${toHex(k2)})`);
  // Not segwit: the scriptSig × 4 and an empty witness count (dropped when the transaction has no witness).
  assertEquals(byDesc.inputSize(Uint8Array.of(0x76, 0xa9, 0x14, ...hash160(k2), 0x88, 0xac)), {
    weight: 41 * 4 + 1 + 4 * (1 + 72 + 1 + 33),
    segwit: false,
  });
});
