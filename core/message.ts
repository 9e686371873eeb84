/**
 * Bitcoin signed messages (Bitcoin Core's `common/signmessage`): the message hash with the
 * "Bitcoin Signed Message:\n" magic, compact recoverable ECDSA signatures (65 bytes: header 27 + recovery id
 * (+4 for a compressed key), r, s) in Base64, and verification by public key recovery against a P2PKH address.
 *
 * Signing is deterministic (RFC 6979 without extra entropy, low S), as libsecp256k1's
 * `secp256k1_ecdsa_sign_recoverable` in Core's `CKey::SignCompact`, so signatures equal Core's byte for byte.
 *
 * @module
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import type { Network } from "./chain_params_base.ts";
import { decodeDestination, isDecodedDestination } from "./address/destination.ts";
import type { SecretKey } from "./address/wif.ts";
import { bytesEqual, hash160, sha256d } from "./hash/hashes.ts";
import { encodeCompactSize } from "./wire/writer.ts";

/** The text hashed before every signed message (Core's `MESSAGE_MAGIC`). */
export const MESSAGE_MAGIC = "Bitcoin Signed Message:\n";

/** Size of a compact recoverable signature (Core's `CPubKey::COMPACT_SIGNATURE_SIZE`). */
export const COMPACT_SIGNATURE_SIZE = 65;

/** Outcome of {@link verifyMessage} (Core's `MessageVerificationResult`). */
export type MessageVerificationResult =
  /** The address could not be decoded. */
  | "ERR_INVALID_ADDRESS"
  /** The address is not a P2PKH address (only those can sign messages). */
  | "ERR_ADDRESS_NO_KEY"
  /** The signature is not Base64. */
  | "ERR_MALFORMED_SIGNATURE"
  /** No public key could be recovered from the signature. */
  | "ERR_PUBKEY_NOT_RECOVERED"
  /** The recovered public key does not belong to the address. */
  | "ERR_NOT_SIGNED"
  /** The message was signed by the address's key. */
  | "OK";

const ENCODER = new TextEncoder();

function varString(bytes: Uint8Array): Uint8Array {
  const len = encodeCompactSize(bytes.length);
  const out = new Uint8Array(len.length + bytes.length);
  out.set(len);
  out.set(bytes, len.length);
  return out;
}

/**
 * Core's `MessageHash`: SHA-256d of the magic and the message (UTF-8), each serialized as a string (compact
 * size length, then bytes). 32 bytes, the order signed.
 */
export function messageHash(message: string): Uint8Array {
  const magic = varString(ENCODER.encode(MESSAGE_MAGIC));
  const msg = varString(ENCODER.encode(message));
  const all = new Uint8Array(magic.length + msg.length);
  all.set(magic);
  all.set(msg, magic.length);
  return sha256d(all);
}

/**
 * Core's `CKey::SignCompact`: the 65-byte recoverable signature of a 32-byte hash, header byte
 * `27 + recid + (compressed ? 4 : 0)`. Deterministic (RFC 6979, low S). Throws a RangeError for an invalid key.
 */
export function signCompact(hash32: Uint8Array, secret: SecretKey): Uint8Array {
  if (hash32.length !== 32) throw new RangeError(`Cannot sign: hash is ${hash32.length} bytes, not 32`);
  let rec: Uint8Array;
  try {
    rec = secp256k1.sign(hash32, secret.key, { prehash: false, lowS: true, format: "recovered" });
  } catch (e) {
    throw new RangeError(`Cannot sign: ${(e as Error).message}`);
  }
  const out = new Uint8Array(COMPACT_SIGNATURE_SIZE);
  out[0] = 27 + rec[0] + (secret.compressed ? 4 : 0);
  out.set(rec.subarray(1, 65), 1);
  return out;
}

/**
 * Core's `CPubKey::RecoverCompact`: the public key (compressed when header bit 4 is set, else uncompressed) that
 * made the 65-byte compact signature of `hash32`, or null when none can be recovered (wrong size, r or s out of
 * range or zero, no point with that x). Header bytes are read as Core does: recid = (h - 27) & 3.
 */
export function recoverCompact(hash32: Uint8Array, sig: Uint8Array): Uint8Array | null {
  if (sig.length !== COMPACT_SIGNATURE_SIZE || hash32.length !== 32) return null;
  const header = (sig[0] - 27) | 0;
  const recid = header & 3;
  const compressed = (header & 4) !== 0;
  try {
    const s = secp256k1.Signature.fromBytes(sig.subarray(1, 65), "compact");
    if (s.r === 0n || s.s === 0n) return null;
    const point = s.addRecoveryBit(recid).recoverPublicKey(hash32);
    return point.toBytes(compressed);
  } catch {
    return null;
  }
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_INDEX: Int8Array = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let i = 0; i < B64.length; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

/** Base64 with padding (Core's `EncodeBase64`). */
export function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0x3fff;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += B64[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += B64[(acc << (6 - bits)) & 63];
  while (out.length % 4 !== 0) out += "=";
  return out;
}

/**
 * Core's strict `DecodeBase64`: the length must be a multiple of 4, at most two trailing `=`, only Base64
 * characters otherwise, and no stray bits in the last character. Undefined when malformed.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  const bytes = ENCODER.encode(text);
  if (bytes.length % 4 !== 0) return undefined;
  let end = bytes.length;
  if (end >= 1 && bytes[end - 1] === 0x3d) end--;
  if (end >= 1 && bytes[end - 1] === 0x3d) end--;
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < end; i++) {
    const v = B64_INDEX[bytes[i]];
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0x1fff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  if (bits >= 6 || ((acc << (8 - bits)) & 0xff) !== 0) return undefined;
  return Uint8Array.from(out);
}

/**
 * Core's `MessageSign`: the Base64 compact signature of `message` by `secret`. Throws a RangeError for an
 * invalid key.
 */
export function signMessage(secret: SecretKey, message: string): string {
  return encodeBase64(signCompact(messageHash(message), secret));
}

/**
 * Core's `MessageVerify`: whether `signature` (Base64) is a signature of `message` by the key of `address`, a
 * P2PKH address of `network`.
 */
export function verifyMessage(
  address: string,
  signature: string,
  message: string,
  network: Network,
): MessageVerificationResult {
  const decoded = decodeDestination(address, network);
  if (!isDecodedDestination(decoded)) return "ERR_INVALID_ADDRESS";
  const dest = decoded.destination;
  if (dest.type !== "pubkeyhash") return "ERR_ADDRESS_NO_KEY";
  const sig = decodeBase64(signature);
  if (sig === undefined) return "ERR_MALFORMED_SIGNATURE";
  const pubkey = recoverCompact(messageHash(message), sig);
  if (pubkey === null) return "ERR_PUBKEY_NOT_RECOVERED";
  if (!bytesEqual(hash160(pubkey), dest.hash)) return "ERR_NOT_SIGNED";
  return "OK";
}
