/**
 * The default `Secp256k1` backend, chosen by measurement (bench/core_sig_bench.ts, figures in
 * docs/performance.md): tiny-secp256k1 (libsecp256k1 in WASM) verifies ECDSA and Schnorr about 2.4× faster than
 * @noble/curves on this project's reference machine. The other backend stays in the tests as a cross-check.
 *
 * @module
 */

import type { Secp256k1 } from "./secp256k1.ts";
import { tinySecp256k1 } from "./tiny_backend.ts";

let instance: Secp256k1 | null = null;

/** The faster backend (tiny-secp256k1). Stateless; the same object is returned on every call. */
export function defaultSecp256k1(): Secp256k1 {
  instance ??= tinySecp256k1();
  return instance;
}
