import { parseDescriptor } from "../../../core/descriptors/descriptor.ts";
import { encodeExtKey, extKeyFromSeed } from "../../../core/descriptors/hd_key.ts";
import { hash160 } from "../../../core/hash/hashes.ts";
import { descriptorSigningProvider, SimpleSigningProvider } from "../../../core/psbt/mod.ts";
import { assert, assertEquals } from "../../assert.ts";

const xprv = encodeExtKey(extKeyFromSeed(new Uint8Array(32).fill(0x55))!, "regtest");

Deno.test("descriptorSigningProvider: the range of ranged descriptors, private keys only when asked", () => {
  const ranged = parseDescriptor(`wpkh(${xprv}/0/*)`, { network: "regtest" });
  const fixed = parseDescriptor(`sh(wpkh(${xprv}/1/7))`, { network: "regtest" });
  const key = (d: typeof ranged, i: number) => d.expand(i).pubkeys[0].pubkey;
  const p = descriptorSigningProvider([ranged, fixed], { range: [2, 4] });
  for (const i of [2, 3, 4]) assert(p.getPubkey(hash160(key(ranged, i))) !== undefined, `position ${i}`);
  assertEquals(p.getPubkey(hash160(key(ranged, 1))), undefined);
  assertEquals(p.getPubkey(hash160(key(ranged, 5))), undefined);
  // A descriptor without a range is expanded at position 0 only, whatever the range.
  assert(p.getPubkey(hash160(key(fixed, 0))) !== undefined);
  assertEquals(p.getKeyOrigin(hash160(key(fixed, 0)))!.path, [1, 7]);
  assert(p.getScript(hash160(fixed.expand(0).scripts[0])) !== undefined);
  assertEquals(p.getKey(hash160(key(ranged, 2))), undefined);
  const priv = descriptorSigningProvider([ranged], { range: [0, 1], includePrivate: true });
  assertEquals(priv.getKey(hash160(key(ranged, 1)))?.compressed, true);
  // Into an existing provider.
  const into = new SimpleSigningProvider();
  assertEquals(descriptorSigningProvider([fixed], { into }), into);
  assert(into.getPubkey(hash160(key(fixed, 0))) !== undefined);
});
