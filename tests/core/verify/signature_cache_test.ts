/** SignatureCache: salted entries, the caching secp256k1 (store / erase-on-hit), handles. */

import { sha256 } from "../../../core/hash/hashes.ts";
import { cachingSecp256k1, SignatureCache } from "../../../core/verify/signature_cache.ts";
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { countingSecp256k1 } from "./counting_secp.ts";
import { secretKey } from "./signed_txs.ts";

const msg = sha256(Uint8Array.of(1, 2, 3));
const sk = secretKey(1);

Deno.test("SignatureCache: entries are salted (two caches differ), deterministic within one", () => {
  const a = new SignatureCache({ maxBytes: 4096 });
  const b = new SignatureCache({ maxBytes: 4096 });
  const pub = new Uint8Array(33).fill(2);
  const sig = new Uint8Array(64).fill(3);
  assertEquals(a.entryEcdsa(msg, pub, sig), a.entryEcdsa(msg, pub, sig));
  assert(a.entryEcdsa(msg, pub, sig).some((x, i) => x !== b.entryEcdsa(msg, pub, sig)[i]), "salted");
  // ECDSA and Schnorr entries of the same bytes differ (different padding).
  const x = pub.subarray(1);
  assert(a.entrySchnorr(msg, x, sig).some((v, i) => v !== a.entryEcdsa(msg, x, sig)[i]));
  // Each component matters.
  const e = a.entryEcdsa(msg, pub, sig);
  const sig2 = sig.slice();
  sig2[63] ^= 1;
  assert(e.some((v, i) => v !== a.entryEcdsa(msg, pub, sig2)[i]));
  // An entry stored in one cache is not found in the other.
  a.set(e);
  assertEquals(a.get(e), true);
  assertEquals(b.get(e), false);
  assertEquals(b.get(b.entryEcdsa(msg, pub, sig)), false);
  assertEquals(a.handle.salt.length, 32);
  assert(a.handle.salt.some((v, i) => v !== b.handle.salt[i]));
});

Deno.test("cachingSecp256k1: a valid signature is verified once when storing", () => {
  const inner = countingSecp256k1();
  const cache = new SignatureCache({ maxBytes: 4096 });
  const secp = cachingSecp256k1(inner, cache, true);
  const sig = inner.signEcdsa(msg, sk);
  const pub = inner.publicKeyCreate(sk);
  assertEquals(secp.verifyEcdsa(sig, msg, pub), true);
  assertEquals(secp.verifyEcdsa(sig, msg, pub), true);
  assertEquals(secp.verifyEcdsa(sig, msg, pub), true);
  assertEquals(inner.ecdsa, 1);
  assertEquals(cache.count(), 1);
  const ssig = inner.signSchnorr(msg, sk);
  const xonly = pub.subarray(1);
  assertEquals(secp.verifySchnorr(ssig, msg, xonly), true);
  assertEquals(secp.verifySchnorr(ssig, msg, xonly), true);
  assertEquals(inner.schnorr, 1);
  assertEquals(cache.count(), 2);
});

Deno.test("cachingSecp256k1: invalid signatures are never cached", () => {
  const inner = countingSecp256k1();
  const cache = new SignatureCache({ maxBytes: 4096 });
  const secp = cachingSecp256k1(inner, cache, true);
  const sig = inner.signEcdsa(msg, sk);
  sig[10] ^= 1;
  const pub = inner.publicKeyCreate(sk);
  assertEquals(secp.verifyEcdsa(sig, msg, pub), false);
  assertEquals(secp.verifyEcdsa(sig, msg, pub), false);
  assertEquals(inner.ecdsa, 2);
  assertEquals(cache.count(), 0);
});

Deno.test("cachingSecp256k1: without store, a hit is erased (Core's block validation) and nothing is added", () => {
  const inner = countingSecp256k1();
  const cache = new SignatureCache({ maxBytes: 4096 });
  const sig = inner.signEcdsa(msg, sk);
  const pub = inner.publicKeyCreate(sk);
  // Mempool acceptance stores it.
  assertEquals(cachingSecp256k1(inner, cache, true).verifyEcdsa(sig, msg, pub), true);
  assertEquals(inner.ecdsa, 1);
  const block = cachingSecp256k1(inner, cache, false);
  assertEquals(block.verifyEcdsa(sig, msg, pub), true);
  assertEquals(inner.ecdsa, 1); // hit
  assertEquals(cache.count(), 0); // erased
  assertEquals(block.verifyEcdsa(sig, msg, pub), true);
  assertEquals(inner.ecdsa, 2); // verified again, not stored
  assertEquals(cache.count(), 0);
});

Deno.test("SignatureCache: a handle opens the same cache (same salt, same entries)", () => {
  const a = new SignatureCache({ maxBytes: 4096 });
  const b = new SignatureCache(a.handle);
  const pub = new Uint8Array(33).fill(2);
  const sig = new Uint8Array(64).fill(3);
  assertEquals(b.entryEcdsa(msg, pub, sig), a.entryEcdsa(msg, pub, sig));
  a.set(a.entryEcdsa(msg, pub, sig));
  assertEquals(b.get(b.entryEcdsa(msg, pub, sig)), true);
  assertEquals(a.capacity, Math.floor(4096 / 36 / 4) * 4);
  assertThrows(
    () => new SignatureCache({ set: a.handle.set, salt: new Uint8Array(5) }),
    "Cannot open signature cache: the salt must be 32 bytes",
  );
});
