import {
  decodeMasterKeyRecord,
  decryptSecret,
  DEFAULT_KDF,
  encodeMasterKeyRecord,
  encryptSecret,
  type KdfCost,
  MASTER_KEY_SIZE,
  newMasterKey,
  rewrapMasterKey,
  unlockMasterKey,
} from "../../wallet/crypter.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "../assert.ts";

/** Cheap scrypt parameters so the logic tests do not spend 200 ms per derivation. */
const CHEAP: KdfCost = { n: 1 << 10, r: 8, p: 1 };

const pubA = new Uint8Array(33).fill(2);
const pubB = new Uint8Array(33).fill(3);

Deno.test("crypter: new master key unlocks with its passphrase only", async () => {
  const { record, key } = await newMasterKey("correct horse", CHEAP);
  assertEquals(key.length, MASTER_KEY_SIZE);
  assertEquals(record.kdf, { ...record.kdf, algorithm: "scrypt", n: 1024, r: 8, p: 1 });
  assertEquals(record.kdf.salt.length, 16);
  const unlocked = await unlockMasterKey(record, "correct horse");
  assertEquals(unlocked, key);
  assertEquals(await unlockMasterKey(record, "correct horsf"), null);
  assertEquals(await unlockMasterKey(record, ""), null);
  // Two master keys from the same passphrase differ in key, salt and ciphertext.
  const other = await newMasterKey("correct horse", CHEAP);
  assert(!equal(other.key, key));
  assert(!equal(other.record.kdf.salt, record.kdf.salt));
  assert(!equal(other.record.encryptedKey, record.encryptedKey));
});

Deno.test("crypter: unicode passphrases are UTF-8 and exact", async () => {
  const { record, key } = await newMasterKey("pässwörd ✓", CHEAP);
  assertEquals(await unlockMasterKey(record, "pässwörd ✓"), key);
  assertEquals(await unlockMasterKey(record, "passwörd ✓"), null);
});

Deno.test("crypter: record encoding round trips and binds the KDF parameters", async () => {
  const { record, key } = await newMasterKey("pw", CHEAP);
  const bytes = encodeMasterKeyRecord(record);
  const back = decodeMasterKeyRecord(bytes);
  assertEquals(back, record);
  assertEquals(await unlockMasterKey(back, "pw"), key);
  // Changing a stored parameter (even to a value that still derives) makes the record not unwrap.
  const tamperedSalt = decodeMasterKeyRecord(bytes);
  tamperedSalt.kdf.salt[0] ^= 1;
  assertEquals(await unlockMasterKey(tamperedSalt, "pw"), null);
  const tamperedKey = decodeMasterKeyRecord(bytes);
  tamperedKey.encryptedKey[30] ^= 0x80;
  assertEquals(await unlockMasterKey(tamperedKey, "pw"), null);
  const truncated = { ...record, encryptedKey: record.encryptedKey.subarray(0, 20) };
  assertEquals(await unlockMasterKey(truncated, "pw"), null);
});

Deno.test("crypter: malformed records are refused with a clear error", async () => {
  const { record } = await newMasterKey("pw", CHEAP);
  const bytes = encodeMasterKeyRecord(record);
  assertThrows(
    () => decodeMasterKeyRecord(bytes.subarray(0, 10)),
    "Cannot decode master key record: end of data",
  );
  const badVersion = bytes.slice();
  badVersion[0] = 9;
  assertThrows(() => decodeMasterKeyRecord(badVersion), "Cannot decode master key record: unknown version 9");
  const badAlg = bytes.slice();
  badAlg[1] = 7;
  assertThrows(() => decodeMasterKeyRecord(badAlg), "unknown key derivation algorithm 7");
  const hugeN = bytes.slice();
  new DataView(hugeN.buffer).setUint32(2, 1 << 30, true);
  assertThrows(
    () => decodeMasterKeyRecord(hugeN),
    "scrypt N 1073741824 is not a power of two between 2 and 2^22",
  );
  const notPow2 = bytes.slice();
  new DataView(notPow2.buffer).setUint32(2, 1000, true);
  assertThrows(() => decodeMasterKeyRecord(notPow2), "N 1000 is not a power of two");
  const extra = new Uint8Array([...bytes, 0]);
  assertThrows(() => decodeMasterKeyRecord(extra), "1 byte left after encrypted key");
  await assertRejects(() => newMasterKey("pw", { n: 1 << 10, r: 0, p: 1 }), "r 0 is not between 1 and 32");
});

Deno.test("crypter: secrets round trip, bound to their pubkey and master key", async () => {
  const { key } = await newMasterKey("pw", CHEAP);
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const ct = encryptSecret(key, secret, pubA);
  assertEquals(ct.length, 24 + 32 + 16);
  assertEquals(decryptSecret(key, ct, pubA), secret);
  // Same secret twice: different nonces, different ciphertexts.
  assert(!equal(encryptSecret(key, secret, pubA), ct));
  // Another pubkey as associated data: refused.
  assertEquals(decryptSecret(key, ct, pubB), null);
  assertEquals(decryptSecret(key, ct, pubA.subarray(1)), null);
  // Another master key: refused.
  const other = await newMasterKey("pw", CHEAP);
  assertEquals(decryptSecret(other.key, ct, pubA), null);
  // Any flipped bit (nonce, ciphertext, tag): refused.
  for (const i of [0, 23, 24, 40, ct.length - 1]) {
    const t = ct.slice();
    t[i] ^= 1;
    assertEquals(decryptSecret(key, t, pubA), null, `byte ${i}`);
  }
  assertEquals(decryptSecret(key, ct.subarray(0, 39), pubA), null);
  assertEquals(decryptSecret(key, new Uint8Array(0), pubA), null);
  assertThrows(() => encryptSecret(key.subarray(1), secret, pubA), "Invalid master key: length is 31");
  // Variable-length secrets (a seed, an xprv) too.
  const seed = crypto.getRandomValues(new Uint8Array(78));
  assertEquals(decryptSecret(key, encryptSecret(key, seed, pubB), pubB), seed);
});

Deno.test("crypter: rewrap keeps the master key, changes the passphrase and never weakens the KDF", async () => {
  const { record, key } = await newMasterKey("old", CHEAP);
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const ct = encryptSecret(key, secret, pubA);
  const rewrapped = await rewrapMasterKey(record, key, "new", CHEAP);
  assert(!equal(rewrapped.kdf.salt, record.kdf.salt));
  assertEquals(await unlockMasterKey(rewrapped, "old"), null);
  const k2 = await unlockMasterKey(rewrapped, "new");
  assertEquals(k2, key);
  // Secrets encrypted before the change still decrypt: only the wrapping changed.
  assertEquals(decryptSecret(k2!, ct, pubA), secret);
  // Parameters never go down on a change.
  const strong = await rewrapMasterKey({ ...record, kdf: { ...record.kdf, n: 1 << 11 } }, key, "x", CHEAP);
  assertEquals([strong.kdf.n, strong.kdf.r, strong.kdf.p], [1 << 11, 8, 1]);
  await assertRejects(() => rewrapMasterKey(record, key.subarray(2), "new", CHEAP), "length is 30");
});

Deno.test("crypter: default parameters derive in a tenth to a quarter of a second or so", async () => {
  const { record, key } = await newMasterKey("timing");
  assertEquals([record.kdf.n, record.kdf.r, record.kdf.p], [DEFAULT_KDF.n, DEFAULT_KDF.r, DEFAULT_KDF.p]);
  const t = performance.now();
  assertEquals(await unlockMasterKey(record, "timing"), key);
  const ms = performance.now() - t;
  // Loose bounds: the machine is shared; this catches parameters off by an order of magnitude.
  assert(ms > 30 && ms < 2500, `unlock took ${ms.toFixed(0)} ms`);
});

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

Deno.test("crypter: passphrases differing only in NUL characters are different (HMAC's zero padding does not merge them)", async () => {
  const { record, key } = await newMasterKey("a\u0000b", CHEAP);
  assertEquals(await unlockMasterKey(record, "a\u0000b"), key);
  for (const other of ["a\u0000b\u0000", "a\u0000b\u0000\u0000", "a", "a\u0000", "ab"]) {
    assertEquals(await unlockMasterKey(record, other), null, JSON.stringify(other));
  }
  const plain = await newMasterKey("pass", CHEAP);
  assertEquals(await unlockMasterKey(plain.record, "pass\u0000"), null);
  // Long passphrases (over HMAC's 64-byte block) are whole too.
  const long = "x".repeat(100);
  const l = await newMasterKey(long, CHEAP);
  assertEquals(await unlockMasterKey(l.record, long), l.key);
  assertEquals(await unlockMasterKey(l.record, long + "\u0000"), null);
  assertEquals(await unlockMasterKey(l.record, "x".repeat(99)), null);
});
