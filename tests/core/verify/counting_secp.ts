/**
 * A `Secp256k1` that counts its verifications (tests: proves what the caches saved).
 *
 * @module
 */

import { defaultSecp256k1 } from "../../../core/crypto/default_backend.ts";
import type { Secp256k1 } from "../../../core/crypto/secp256k1.ts";

/** The default backend with counters of ECDSA and Schnorr verifications. */
export interface CountingSecp256k1 extends Secp256k1 {
  /** ECDSA verifications so far. */
  ecdsa: number;
  /** Schnorr verifications so far. */
  schnorr: number;
}

/** A counting wrapper around `inner` (default: core/crypto's default backend). */
export function countingSecp256k1(inner: Secp256k1 = defaultSecp256k1()): CountingSecp256k1 {
  const counting: CountingSecp256k1 = {
    ...inner,
    name: `${inner.name}+counting`,
    ecdsa: 0,
    schnorr: 0,
    verifyEcdsa(sig64, msg32, pubkey) {
      counting.ecdsa++;
      return inner.verifyEcdsa(sig64, msg32, pubkey);
    },
    verifySchnorr(sig64, msg, xonly) {
      counting.schnorr++;
      return inner.verifySchnorr(sig64, msg, xonly);
    },
  };
  return counting;
}
