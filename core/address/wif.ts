/**
 * Private keys in Wallet Import Format (Bitcoin Core's `EncodeSecret` / `DecodeSecret`): Base58Check of the
 * network's secret-key prefix, the 32-byte key and, for a key whose public key is used compressed, a 0x01 byte.
 *
 * @module
 */
import type { Network } from "../chain_params_base.ts";
import { decodeBase58Check, encodeBase58Check } from "./base58.ts";
import { addressPrefixes } from "./prefixes.ts";

/** Order of the secp256k1 group: valid secret keys are 1..n-1. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** A private key and whether its public key is used in compressed form (Core's `CKey`). */
export interface SecretKey {
  /** The 32-byte secret, big-endian. */
  readonly key: Uint8Array;
  /** True when the public key is serialized compressed (33 bytes). */
  readonly compressed: boolean;
}

/** True when `key` is 32 bytes and a valid secp256k1 secret (1..n-1), as Core's `CKey::Check`. */
export function isValidSecretKey(key: Uint8Array): boolean {
  if (key.length !== 32) return false;
  let n = 0n;
  for (const b of key) n = (n << 8n) | BigInt(b);
  return n > 0n && n < SECP256K1_N;
}

/** Encodes a private key as WIF for `network`. Throws a RangeError for a key that is not a valid secret. */
export function encodeSecret(secret: SecretKey, network: Network): string {
  if (!isValidSecretKey(secret.key)) {
    throw new RangeError(
      `Cannot encode private key: not a valid secp256k1 secret (${secret.key.length} bytes)`,
    );
  }
  const prefix = addressPrefixes(network).secretKey;
  return encodeBase58Check(
    Uint8Array.of(prefix, ...secret.key, ...(secret.compressed ? [1] : [])),
  );
}

/**
 * Decodes a WIF private key for `network` (Core's `DecodeSecret`): undefined when it is not Base58Check, has
 * another network's prefix, the wrong length, a compression byte other than 0x01, or a key outside 1..n-1.
 */
export function decodeSecret(wif: string, network: Network): SecretKey | undefined {
  const data = decodeBase58Check(wif, 34);
  if (data === undefined) return undefined;
  const prefix = addressPrefixes(network).secretKey;
  const compressed = data.length === 34 && data[33] === 1;
  if ((data.length !== 33 && !compressed) || data[0] !== prefix) return undefined;
  const key = data.slice(1, 33);
  return isValidSecretKey(key) ? { key, compressed } : undefined;
}
