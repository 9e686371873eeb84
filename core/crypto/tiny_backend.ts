/**
 * The tiny-secp256k1 backend of the `Secp256k1` interface (libsecp256k1 compiled to WebAssembly).
 *
 * tiny-secp256k1 refuses (throws on) some inputs libsecp256k1 itself would just evaluate; this wrapper maps
 * every such case to libsecp256k1's answer: out-of-range values give false, and a BIP340 signature whose r is a
 * field element ≥ n (valid for BIP340, refused by tiny-secp256k1's argument checks; never produced in practice)
 * is verified by the exact BIP340 routine over @noble/curves, as are messages that are not 32 bytes long
 * (BIP340 allows any length; Bitcoin only ever signs 32-byte hashes).
 *
 * @module
 */

import * as tiny from "tiny-secp256k1";
import { bip340Verify } from "./noble_backend.ts";
import {
  compare32,
  CURVE_ORDER_BYTES,
  isCompactSignatureInRange,
  normalizeCompactSignature,
  type Secp256k1,
  standardPubkeyEncoding,
} from "./secp256k1.ts";

const ZERO32 = new Uint8Array(32);
/** p as 32 big-endian bytes. */
const FIELD_PRIME_BYTES = Uint8Array.from([
  ...new Array<number>(27).fill(0xff),
  0xfe,
  0xff,
  0xff,
  0xfc,
  0x2f,
]);

/** A `Secp256k1` backed by tiny-secp256k1 (WASM libsecp256k1). */
export function tinySecp256k1(): Secp256k1 {
  return {
    name: "tiny-secp256k1",
    isValidPubkey(pubkey: Uint8Array): boolean {
      const std = standardPubkeyEncoding(pubkey);
      if (std === null) return false;
      try {
        return tiny.isPoint(std);
      } catch {
        return false;
      }
    },
    isValidXOnlyPubkey(xonly: Uint8Array): boolean {
      if (xonly.length !== 32) return false;
      try {
        return tiny.isXOnlyPoint(xonly);
      } catch {
        return false;
      }
    },
    verifyEcdsa(sig64: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): boolean {
      if (msg32.length !== 32 || !isCompactSignatureInRange(sig64)) return false;
      const std = standardPubkeyEncoding(pubkey);
      if (std === null) return false;
      try {
        return tiny.verify(msg32, std, normalizeCompactSignature(sig64), true);
      } catch {
        return false;
      }
    },
    verifySchnorr(sig64: Uint8Array, msg: Uint8Array, xonly32: Uint8Array): boolean {
      if (sig64.length !== 64 || xonly32.length !== 32) return false;
      // tiny-secp256k1 only takes 32-byte messages (all Bitcoin uses); BIP340 allows any length.
      if (msg.length !== 32) return bip340Verify(sig64, msg, xonly32);
      const r = sig64.subarray(0, 32);
      if (compare32(sig64.subarray(32, 64), CURVE_ORDER_BYTES) >= 0) return false;
      if (compare32(r, CURVE_ORDER_BYTES) >= 0) {
        if (compare32(r, FIELD_PRIME_BYTES) >= 0) return false;
        return bip340Verify(sig64, msg, xonly32);
      }
      try {
        return tiny.verifySchnorr(msg, xonly32, sig64);
      } catch {
        return false;
      }
    },
    checkTapTweak(internal32: Uint8Array, output32: Uint8Array, parity: 0 | 1, tweak32: Uint8Array): boolean {
      if (internal32.length !== 32 || output32.length !== 32 || tweak32.length !== 32) return false;
      if (parity !== 0 && parity !== 1) return false;
      if (compare32(tweak32, CURVE_ORDER_BYTES) >= 0) return false;
      try {
        return tiny.xOnlyPointAddTweakCheck(internal32, tweak32, output32, parity);
      } catch {
        return false;
      }
    },
    signEcdsa(msg32: Uint8Array, seckey32: Uint8Array): Uint8Array {
      return tiny.sign(msg32, seckey32);
    },
    signSchnorr(msg: Uint8Array, seckey32: Uint8Array, aux32: Uint8Array = ZERO32): Uint8Array {
      if (msg.length !== 32) {
        throw new RangeError(`Cannot sign: tiny-secp256k1 needs a 32-byte message, got ${msg.length}`);
      }
      return tiny.signSchnorr(msg, seckey32, aux32);
    },
    publicKeyCreate(seckey32: Uint8Array): Uint8Array {
      const pub = tiny.pointFromScalar(seckey32, true);
      if (pub === null) throw new RangeError("Cannot create public key: invalid secret key");
      return pub;
    },
  };
}
