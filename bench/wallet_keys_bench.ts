/**
 * Key derivation costs in process (what `createwallet`'s lookahead and `keypoolrefill` spend their time on):
 * the secp256k1 operations of core/descriptors/ec.ts next to the plain @noble/curves and tiny-secp256k1 calls
 * they replace, BIP32 child derivation, and one position of each default descriptor type.
 *
 * Usage: `deno run -A bench/wallet_keys_bench.ts [--n=2000]`. Prints µs per operation.
 *
 * @module
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import * as tiny from "tiny-secp256k1";
import {
  deriveExtKey,
  deriveExtPubKey,
  encodeExtPubKey,
  extKeyFromSeed,
  neuterExtKey,
  parseDescriptor,
  pubkeyTweakAdd,
  publicKeyOf,
  xonlyTweakAdd,
} from "../core/descriptors/mod.ts";
import { bytesToBigInt } from "../core/crypto/secp256k1.ts";

const N = Number(Deno.args.find((a) => a.startsWith("--n="))?.slice(4) ?? 2000);

function time(name: string, f: (i: number) => void): void {
  for (let i = 0; i < 50; i++) f(i); // warm-up (and the fixed-base table)
  const t = performance.now();
  for (let i = 0; i < N; i++) f(i);
  console.log(`| ${name} | ${((performance.now() - t) / N * 1000).toFixed(1)} |`);
}

const tweak = (i: number) => {
  const t = new Uint8Array(32).fill(0x5a);
  t[30] = i >> 8;
  t[31] = i & 0xff;
  return t;
};
const secret = new Uint8Array(32).fill(9);
const pub = publicKeyOf(secret, true)!;
const master = extKeyFromSeed(new Uint8Array(32).fill(7))!;
const xpub = neuterExtKey(master);

console.log("| operation | µs |\n| --- | --- |");
time("pubkeyTweakAdd (ec.ts)", (i) => pubkeyTweakAdd(pub, tweak(i)));
time("  @noble: P + t·G (multiplyUnsafe), compressed", (i) => {
  const P = secp256k1.Point.fromBytes(pub);
  P.add(secp256k1.Point.BASE.multiplyUnsafe(bytesToBigInt(tweak(i)))).toBytes(true);
});
time("  tiny-secp256k1 pointAddScalar", (i) => tiny.pointAddScalar(pub, tweak(i), true));
time("xonlyTweakAdd (ec.ts)", (i) => xonlyTweakAdd(pub.subarray(1), tweak(i)));
time("publicKeyOf (ec.ts: tiny-secp256k1 pointFromScalar)", (i) => publicKeyOf(tweak(i), true));
time("  @noble getPublicKey", (i) => secp256k1.getPublicKey(tweak(i), true));
time("deriveExtPubKey (BIP32 public child)", (i) => deriveExtPubKey(xpub, i));
time("deriveExtKey (BIP32 private child)", (i) => deriveExtKey(master, i));
for (const kind of ["pkh", "sh(wpkh", "wpkh", "tr"]) {
  const close = kind.includes("(") ? "))" : ")";
  const d = parseDescriptor(`${kind}(${encodeExtPubKey(xpub, "regtest")}/0/*${close}`, {
    network: "regtest",
  });
  time(`expand one position of ${kind}(…${close}`, (i) => d.expand(i));
}
