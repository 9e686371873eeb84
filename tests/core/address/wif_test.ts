import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { hex, readVectorJson } from "../vectors.ts";
import type { Network } from "../../../core/chain_params_base.ts";
import { decodeSecret, encodeSecret, isValidSecretKey } from "../../../core/address/wif.ts";
import { encodeBase58Check } from "../../../core/address/base58.ts";

type KeyIoValid = [string, string, { chain: Network; isPrivkey: boolean; isCompressed?: boolean }];

const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

Deno.test("key_io_valid.json: private keys decode (key, compression) and encode back", async (t) => {
  const valid = await readVectorJson<KeyIoValid[]>("key_io_valid.json");
  let keys = 0;
  for (const [i, [str, payload, meta]] of valid.entries()) {
    if (!meta.isPrivkey) continue;
    keys++;
    await t.step(`#${i} ${meta.chain} ${meta.isCompressed ? "compressed" : "uncompressed"} ${str}`, () => {
      const secret = decodeSecret(str, meta.chain);
      assert(secret !== undefined, "does not decode");
      assertEquals(toHex(secret.key), payload);
      assertEquals(secret.compressed, meta.isCompressed);
      assertEquals(encodeSecret({ key: hex(payload), compressed: meta.isCompressed! }, meta.chain), str);
      // Main's keys are not test keys and the reverse; test networks share the prefix 239.
      const other: Network = meta.chain === "main" ? "regtest" : "main";
      assertEquals(decodeSecret(str, other), undefined);
    });
  }
  assertEquals(keys, 16);
});

Deno.test("decodeSecret: wrong length, compression byte, or key out of range", () => {
  const key = hex("11".repeat(32));
  assert(decodeSecret(encodeBase58Check(Uint8Array.of(128, ...key)), "main") !== undefined);
  assertEquals(decodeSecret(encodeBase58Check(Uint8Array.of(128, ...key, 2)), "main"), undefined);
  assertEquals(decodeSecret(encodeBase58Check(Uint8Array.of(128, ...key, 1, 1)), "main"), undefined);
  assertEquals(decodeSecret(encodeBase58Check(Uint8Array.of(128, ...key.subarray(1))), "main"), undefined);
  assertEquals(decodeSecret(encodeBase58Check(Uint8Array.of(128, ...new Uint8Array(32))), "main"), undefined);
  const n = hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  assertEquals(decodeSecret(encodeBase58Check(Uint8Array.of(128, ...n, 1)), "main"), undefined);
  n[31] -= 1;
  assert(decodeSecret(encodeBase58Check(Uint8Array.of(128, ...n, 1)), "main") !== undefined);
  assertEquals(decodeSecret("", "main"), undefined);
  assertEquals(decodeSecret("5JuW2AMDYu4xVwRG9DZW18VbzQrGcd5RCgb99sS6ehJsNQXu5b8", "main"), undefined); // checksum
});

Deno.test("encodeSecret / isValidSecretKey refuse invalid keys", () => {
  assert(!isValidSecretKey(new Uint8Array(32)));
  assert(!isValidSecretKey(new Uint8Array(31).fill(1)));
  assert(isValidSecretKey(new Uint8Array(32).fill(1)));
  assertThrows(
    () => encodeSecret({ key: new Uint8Array(32), compressed: true }, "main"),
    "not a valid secp256k1",
  );
});
