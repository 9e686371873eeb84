import { secp256k1 } from "@noble/curves/secp256k1.js";
import { decodeSecret } from "../../../core/address/wif.ts";
import { encodeDer } from "../../../core/crypto/der.ts";
import { signEcdsaGrindR } from "../../../core/crypto/sign_ecdsa.ts";
import { sha256, sha256d, toHex } from "../../../core/hash/hashes.ts";
import { assert, assertEquals, assertThrows } from "../../assert.ts";

const enc = new TextEncoder();

Deno.test("signEcdsaGrindR equals Core's CKey::Sign (key_tests detsig)", () => {
  const hashMsg = sha256d(enc.encode("Very deterministic message"));
  const key1 = decodeSecret("5HxWvvfubhXpYYpS3tJkw6fq9jE9j18THftkZjHHfmFiWtmAbrj", "main")!;
  const key2C = decodeSecret("L3Hq7a8FEQwJkW1M2GNKDW28546Vp5miewcCzSqUD9kCAXrJdS3g", "main")!;
  assertEquals(
    toHex(signEcdsaGrindR(hashMsg, key1.key)),
    "304402205dbbddda71772d95ce91cd2d14b592cfbc1dd0aabd6a394b6c2d377bbe59d31d022014ddda21494a4e221f0824f0b8b924c43fa43c0ad57dccdaa11f81a6bd4582f6",
  );
  assertEquals(
    toHex(signEcdsaGrindR(hashMsg, key2C.key)),
    "3044022052d8a32079c11e79db95af63bb9600c5b04f21a9ca33dc129c2bfa8ac9dc1cd5022061d8ae5e0f6c1a16bde3719c64c2fd70e404b6428ab9a69566962e8771b5944d",
  );
});

Deno.test("signEcdsaGrindR grinds R as CKey::Sign (reference: @noble/curves with extra entropy LE32(n))", () => {
  let ground = 0;
  for (let i = 0; i < 64; i++) {
    const h = sha256d(enc.encode(`A message to be signed${i}`));
    const secret = sha256(Uint8Array.of(i, 0x42));
    const options = { prehash: false, lowS: true, format: "compact" } as const;
    let sig = secp256k1.sign(h, secret, options);
    let counter = 0;
    while (sig[0] >= 0x80) {
      const e = new Uint8Array(32);
      new DataView(e.buffer).setUint32(0, ++counter, true);
      sig = secp256k1.sign(h, secret, { ...options, extraEntropy: e });
    }
    if (counter > 0) ground++;
    const ours = signEcdsaGrindR(h, secret);
    assertEquals(toHex(ours), toHex(encodeDer(sig)));
    assert(ours[3] <= 32, "R is at most 32 bytes");
  }
  assert(ground > 10, `grinding exercised (${ground})`);
});

Deno.test("signEcdsaGrindR refuses an invalid secret key", () => {
  assertThrows(() => signEcdsaGrindR(new Uint8Array(32), new Uint8Array(32)));
});
