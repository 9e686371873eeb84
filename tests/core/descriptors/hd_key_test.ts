import { HDKey } from "@scure/bip32";
import { assert, assertEquals } from "../../assert.ts";
import { hex, readVectorJson } from "../vectors.ts";
import {
  decodeExtKey,
  decodeExtPubKey,
  deriveExtKey,
  deriveExtKeyPath,
  deriveExtPubKey,
  deriveExtPubKeyPath,
  encodeExtKey,
  encodeExtPubKey,
  extKeyFromSeed,
  formatHDKeypath,
  HARDENED,
  neuterExtKey,
} from "../../../core/descriptors/hd_key.ts";

interface Bip32Vectors {
  valid: Array<{ vector: number; seed: string; chains: Array<{ path: string; xpub: string; xprv: string }> }>;
  invalid: Array<{ key: string; reason: string }>;
}

/** "m/0H/1" -> child numbers. */
function parsePath(path: string): number[] {
  return path.split("/").slice(1).map((s) =>
    s.endsWith("H") ? (Number(s.slice(0, -1)) | HARDENED) >>> 0 : Number(s)
  );
}

Deno.test("BIP32 test vectors 1-4: every chain derives from its seed and encodes as given", async () => {
  const v = await readVectorJson<Bip32Vectors>("bip32_vectors.json");
  let chains = 0;
  for (const vec of v.valid) {
    const master = extKeyFromSeed(hex(vec.seed))!;
    for (const chain of vec.chains) {
      const path = parsePath(chain.path);
      const key = deriveExtKeyPath(master, path)!;
      assertEquals(encodeExtKey(key, "main"), chain.xprv, `vector ${vec.vector} ${chain.path}`);
      assertEquals(
        encodeExtPubKey(neuterExtKey(key), "main"),
        chain.xpub,
        `vector ${vec.vector} ${chain.path}`,
      );
      // Both strings decode back to the same key, and re-encode identically.
      assertEquals(encodeExtKey(decodeExtKey(chain.xprv, "main")!, "main"), chain.xprv);
      assertEquals(encodeExtPubKey(decodeExtPubKey(chain.xpub, "main")!, "main"), chain.xpub);
      // The last step, when unhardened, can be taken from the parent's xpub.
      const last = path[path.length - 1];
      if (path.length > 0 && last < HARDENED) {
        const parent = neuterExtKey(deriveExtKeyPath(master, path.slice(0, -1))!);
        assertEquals(encodeExtPubKey(deriveExtPubKey(parent, last)!, "main"), chain.xpub);
      }
      chains++;
    }
  }
  assertEquals(chains, 17);
});

Deno.test("BIP32 test vector 5: every invalid extended key is refused by both decoders", async () => {
  const v = await readVectorJson<Bip32Vectors>("bip32_vectors.json");
  assertEquals(v.invalid.length, 16);
  for (const { key, reason } of v.invalid) {
    assertEquals(decodeExtKey(key, "main"), undefined, reason);
    assertEquals(decodeExtPubKey(key, "main"), undefined, reason);
  }
});

Deno.test("extended keys are per network: xpub/xprv on main, tpub/tprv on test, signet and regtest", async () => {
  const v = await readVectorJson<Bip32Vectors>("bip32_vectors.json");
  const { xpub, xprv } = v.valid[0].chains[1];
  assertEquals(decodeExtPubKey(xpub, "regtest"), undefined);
  assertEquals(decodeExtKey(xprv, "test"), undefined);
  const k = decodeExtKey(xprv, "main")!;
  const tprv = encodeExtKey(k, "regtest");
  const tpub = encodeExtPubKey(neuterExtKey(k), "signet");
  assert(tprv.startsWith("tprv") && tpub.startsWith("tpub"));
  assertEquals(decodeExtKey(tprv, "testnet4"), k);
  assertEquals(decodeExtPubKey(tpub, "regtest"), neuterExtKey(k));
  assertEquals(decodeExtKey(tprv, "main"), undefined);
  // An xprv is not an xpub and vice versa.
  assertEquals(decodeExtPubKey(xprv, "main"), undefined);
  assertEquals(decodeExtKey(xpub, "main"), undefined);
});

Deno.test("derivation agrees with @scure/bip32 on random paths; hardened children need the private key", () => {
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let t = 0; t < 12; t++) {
    const s = new Uint8Array(32).map(() => rnd() & 0xff);
    const master = extKeyFromSeed(s)!;
    const scure = HDKey.fromMasterSeed(s);
    const path = Array.from({ length: 1 + (t % 4) }, () => (rnd() & 1) ? (rnd() | HARDENED) >>> 0 : rnd());
    const ours = deriveExtKeyPath(master, path)!;
    const theirs = scure.derive("m" + formatHDKeypath(path, true));
    assertEquals(encodeExtKey(ours, "main"), theirs.privateExtendedKey);
    assertEquals(encodeExtPubKey(neuterExtKey(ours), "main"), theirs.publicExtendedKey);
    const unhardened = path.map((p) => p & 0x7fffffff);
    assertEquals(
      encodeExtPubKey(deriveExtPubKeyPath(neuterExtKey(master), unhardened)!, "main"),
      scure.derive("m" + formatHDKeypath(unhardened)).publicExtendedKey,
    );
  }
  const xpub = neuterExtKey(extKeyFromSeed(new Uint8Array(16))!);
  assertEquals(deriveExtPubKey(xpub, HARDENED), undefined);
  assertEquals(deriveExtPubKey(xpub, -1), undefined);
  assertEquals(deriveExtPubKey({ ...xpub, depth: 255 }, 0), undefined);
  const xprv = extKeyFromSeed(new Uint8Array(16))!;
  assertEquals(deriveExtKey({ ...xprv, depth: 255 }, 0), undefined);
  assertEquals(deriveExtKey(xprv, 2 ** 32), undefined);
});

Deno.test("formatHDKeypath writes Core's key paths", () => {
  assertEquals(formatHDKeypath([]), "");
  assertEquals(formatHDKeypath([44 | HARDENED, 0x80000000, 1, 0x7fffffff]), "/44h/0h/1/2147483647");
  assertEquals(formatHDKeypath([(84 | HARDENED) >>> 0, 5], true), "/84'/5");
});
