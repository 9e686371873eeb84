/**
 * Keys at rest (the role of Core's `crypter.cpp`, with modern primitives): a random 32-byte master key encrypts
 * every private key of an encrypted wallet; the master key itself is stored wrapped under a key derived from the
 * passphrase.
 *
 * - Passphrase → wrapping key: scrypt over the passphrase's SHA-256 (memory-hard; Core uses iterated SHA-512
 *   instead), parameters stored with the record so they can be raised later without breaking old wallets. The
 *   defaults {@linkcode DEFAULT_KDF} (N = 2^15, r = 8, p = 1: 32 MiB) take about 200 ms on the development
 *   machine when idle (2-core VM, Deno 2.9; 350–500 ms with both cores busy) — Core tunes its iterations to
 *   about 100 ms.
 * - Encryption: XChaCha20-Poly1305 (authenticated, 24-byte random nonces). A wrapped master key carries the
 *   KDF parameters as associated data (a tampered record does not unwrap); an encrypted secret carries its
 *   public key as associated data (a ciphertext moved to another key's record does not decrypt — Core gets
 *   the same binding by using the pubkey's hash as IV and checking the decrypted key against the pubkey).
 * - Every ciphertext is `nonce ‖ ciphertext ‖ tag`. Wrong passphrases and tampered data give `null`, never a
 *   partial result.
 *
 * Key copies made here (derived wrapping keys, passphrase bytes) are overwritten with zeros after use; callers
 * own the master keys and secrets they receive and should zeroise them when done (e.g. on `walletlock`).
 *
 * @module
 */
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { sha256 } from "../core/hash/hashes.ts";
import { ByteReader } from "../core/wire/reader.ts";
import { ByteWriter } from "../core/wire/writer.ts";

/** Key derivation parameters of a wrapped master key. */
export interface KdfParams {
  /** The KDF (only scrypt). */
  algorithm: "scrypt";
  /** scrypt cost N (a power of two). */
  n: number;
  /** scrypt block size r. */
  r: number;
  /** scrypt parallelism p. */
  p: number;
  /** Random salt. */
  salt: Uint8Array;
}

/** A master key wrapped under a passphrase (what the wallet database stores, Core's `CMasterKey`). */
export interface MasterKeyRecord {
  /** How the wrapping key is derived from the passphrase. */
  kdf: KdfParams;
  /** AEAD(nonce ‖ ciphertext ‖ tag) of the master key. */
  encryptedKey: Uint8Array;
}

/** scrypt cost parameters (without the salt). */
export type KdfCost = Pick<KdfParams, "n" | "r" | "p">;

/**
 * The scrypt parameters new master keys use: N = 2^15, r = 8, p = 1 (32 MiB of memory), measured at about
 * 150–250 ms per derivation on the development machine.
 */
export const DEFAULT_KDF: Readonly<KdfCost> = Object.freeze({ n: 1 << 15, r: 8, p: 1 });

/** Size of a master key and of scrypt's output (bytes). */
export const MASTER_KEY_SIZE = 32;
/** Size of a random salt (bytes). */
export const SALT_SIZE = 16;
/** XChaCha20-Poly1305 nonce size (bytes). */
const NONCE_SIZE = 24;
/** Poly1305 tag size (bytes). */
const TAG_SIZE = 16;
/** Largest accepted scrypt parameters when decoding a record (a damaged or hostile record must not exhaust memory). */
const MAX_LOG2_N = 22;
const MAX_R = 32;
const MAX_P = 16;
/** Version byte of the encoded record (2: the passphrase is hashed before scrypt; 1 never left development). */
const RECORD_VERSION = 2;
/** Algorithm byte of scrypt in the encoded record. */
const ALGORITHM_SCRYPT = 1;
/** Domain separation for the wrapped master key's associated data. */
const MASTER_KEY_AD = new TextEncoder().encode("tsbtc wallet master key v1");

function checkCost(c: KdfCost): void {
  const log2 = Math.log2(c.n);
  if (!Number.isInteger(log2) || log2 < 1 || log2 > MAX_LOG2_N) {
    throw new Error(
      `Invalid scrypt parameters: N ${c.n} is not a power of two between 2 and 2^${MAX_LOG2_N}`,
    );
  }
  if (!Number.isInteger(c.r) || c.r < 1 || c.r > MAX_R) {
    throw new Error(`Invalid scrypt parameters: r ${c.r} is not between 1 and ${MAX_R}`);
  }
  if (!Number.isInteger(c.p) || c.p < 1 || c.p > MAX_P) {
    throw new Error(`Invalid scrypt parameters: p ${c.p} is not between 1 and ${MAX_P}`);
  }
}

/** The associated data of a wrapped master key: a domain tag and the KDF parameters. */
function masterKeyAd(kdf: KdfParams): Uint8Array {
  return new ByteWriter(64).bytes(MASTER_KEY_AD).u8(ALGORITHM_SCRYPT).u32(kdf.n).u32(kdf.r).u32(kdf.p)
    .varBytes(kdf.salt).finish();
}

/**
 * scrypt(SHA-256(UTF-8 passphrase), salt) → 32-byte wrapping key. scrypt's PBKDF2 keys HMAC with the password,
 * and HMAC pads short keys with zeros (and hashes long ones): "a\0" and "a" would derive the same key. Hashing
 * first gives every passphrase a fixed 32-byte input, so passphrases differing only in trailing NUL characters
 * stay different (Core treats a passphrase as all its bytes, NULs included). Copies are zeroised.
 */
async function deriveKey(passphrase: string, kdf: KdfParams): Promise<Uint8Array> {
  checkCost(kdf);
  const utf8 = new TextEncoder().encode(passphrase);
  const input = sha256(utf8);
  utf8.fill(0);
  try {
    return await scryptAsync(input, kdf.salt, {
      N: kdf.n,
      r: kdf.r,
      p: kdf.p,
      dkLen: MASTER_KEY_SIZE,
      // Keep other work (IPC, timers) responsive while deriving.
      asyncTick: 20,
    });
  } finally {
    input.fill(0);
  }
}

function seal(key: Uint8Array, plaintext: Uint8Array, ad: Uint8Array): Uint8Array {
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_SIZE));
  const sealed = xchacha20poly1305(key, nonce, ad).encrypt(plaintext);
  const out = new Uint8Array(NONCE_SIZE + sealed.length);
  out.set(nonce);
  out.set(sealed, NONCE_SIZE);
  return out;
}

function open(key: Uint8Array, data: Uint8Array, ad: Uint8Array): Uint8Array | null {
  if (data.length < NONCE_SIZE + TAG_SIZE) return null;
  try {
    return xchacha20poly1305(key, data.subarray(0, NONCE_SIZE), ad).decrypt(data.subarray(NONCE_SIZE));
  } catch {
    return null;
  }
}

async function wrap(key: Uint8Array, passphrase: string, cost: KdfCost): Promise<MasterKeyRecord> {
  const kdf: KdfParams = {
    algorithm: "scrypt",
    n: cost.n,
    r: cost.r,
    p: cost.p,
    salt: crypto.getRandomValues(new Uint8Array(SALT_SIZE)),
  };
  const wrappingKey = await deriveKey(passphrase, kdf);
  try {
    return { kdf, encryptedKey: seal(wrappingKey, key, masterKeyAd(kdf)) };
  } finally {
    wrappingKey.fill(0);
  }
}

/**
 * A new random master key and its record wrapped under `passphrase` (Core's `EncryptWallet` first steps).
 * `cost` defaults to {@linkcode DEFAULT_KDF} (tests may pass cheaper parameters).
 */
export async function newMasterKey(
  passphrase: string,
  cost: KdfCost = DEFAULT_KDF,
): Promise<{ record: MasterKeyRecord; key: Uint8Array }> {
  checkCost(cost);
  const key = crypto.getRandomValues(new Uint8Array(MASTER_KEY_SIZE));
  return { record: await wrap(key, passphrase, cost), key };
}

/** The master key of `record` unwrapped with `passphrase`, or null when the passphrase is wrong (or the record damaged). */
export async function unlockMasterKey(
  record: MasterKeyRecord,
  passphrase: string,
): Promise<Uint8Array | null> {
  const wrappingKey = await deriveKey(passphrase, record.kdf);
  try {
    const key = open(wrappingKey, record.encryptedKey, masterKeyAd(record.kdf));
    if (key === null || key.length !== MASTER_KEY_SIZE) {
      key?.fill(0);
      return null;
    }
    return key;
  } finally {
    wrappingKey.fill(0);
  }
}

/**
 * `record`'s master key (`key`, already unlocked) wrapped again under `newPassphrase` with a fresh salt
 * (`walletpassphrasechange`). The new record uses the stronger of the old parameters and `cost` (default
 * {@linkcode DEFAULT_KDF}), so a change never weakens the derivation. Throws when `key` is not `record`'s
 * master key size.
 */
export function rewrapMasterKey(
  record: MasterKeyRecord,
  key: Uint8Array,
  newPassphrase: string,
  cost: KdfCost = DEFAULT_KDF,
): Promise<MasterKeyRecord> {
  if (key.length !== MASTER_KEY_SIZE) {
    return Promise.reject(new Error(`Cannot rewrap master key: length is ${key.length}, expected 32`));
  }
  const stronger: KdfCost = {
    n: Math.max(record.kdf.n, cost.n),
    r: Math.max(record.kdf.r, cost.r),
    p: Math.max(record.kdf.p, cost.p),
  };
  return wrap(key, newPassphrase, stronger);
}

function checkMasterKey(masterKey: Uint8Array): void {
  if (masterKey.length !== MASTER_KEY_SIZE) {
    throw new Error(`Invalid master key: length is ${masterKey.length}, expected ${MASTER_KEY_SIZE}`);
  }
}

/**
 * Encrypts a private key (or any secret) under the master key, bound to its public key as associated data
 * (Core's `EncryptSecret` / `EncryptKey`).
 */
export function encryptSecret(masterKey: Uint8Array, secret: Uint8Array, pubkey: Uint8Array): Uint8Array {
  checkMasterKey(masterKey);
  return seal(masterKey, secret, pubkey);
}

/**
 * Decrypts what {@linkcode encryptSecret} produced for `pubkey`; null when the master key or the public key
 * differ, or the ciphertext was altered (Core's `DecryptKey` failing).
 */
export function decryptSecret(
  masterKey: Uint8Array,
  ciphertext: Uint8Array,
  pubkey: Uint8Array,
): Uint8Array | null {
  checkMasterKey(masterKey);
  return open(masterKey, ciphertext, pubkey);
}

/** Serializes a master key record: version, algorithm, N, r, p (uint32 LE), salt and encrypted key (var bytes). */
export function encodeMasterKeyRecord(r: MasterKeyRecord): Uint8Array {
  checkCost(r.kdf);
  return new ByteWriter(96).u8(RECORD_VERSION).u8(ALGORITHM_SCRYPT).u32(r.kdf.n).u32(r.kdf.r).u32(r.kdf.p)
    .varBytes(r.kdf.salt).varBytes(r.encryptedKey).finish();
}

/**
 * Parses {@linkcode encodeMasterKeyRecord}'s bytes (copies, not views). Throws `Cannot decode master key record:
 * …` for an unknown version or algorithm, out-of-range scrypt parameters, or malformed bytes.
 */
export function decodeMasterKeyRecord(b: Uint8Array): MasterKeyRecord {
  const rd = new ByteReader(b, "master key record");
  const version = rd.u8();
  if (version !== RECORD_VERSION) rd.fail(`unknown version ${version}`, 0);
  const algorithm = rd.u8();
  if (algorithm !== ALGORITHM_SCRYPT) rd.fail(`unknown key derivation algorithm ${algorithm}`, 1);
  const n = rd.u32();
  const r = rd.u32();
  const p = rd.u32();
  try {
    checkCost({ n, r, p });
  } catch (e) {
    rd.fail((e as Error).message.replace(/^Invalid scrypt parameters: /, "scrypt "), 2);
  }
  const salt = rd.varBytes().slice();
  const encryptedKey = rd.varBytes().slice();
  rd.expectEnd("encrypted key");
  return { kdf: { algorithm: "scrypt", n, r, p, salt }, encryptedKey };
}
