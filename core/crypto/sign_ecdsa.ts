/**
 * ECDSA signing as Bitcoin Core's `CKey::Sign` with R grinding (libsecp256k1 through tiny-secp256k1): the one
 * signer behind `signrawtransactionwithkey` (rpc/sign_transaction.ts) and PSBT signing (core/psbt/sign.ts).
 *
 * @module
 */
import * as tiny from "tiny-secp256k1";
import { encodeDer } from "./der.ts";

/** Core's extra entropy for the `counter`-th retry: `counter` little-endian in 32 bytes. */
function le32(counter: number): Uint8Array {
  const e = new Uint8Array(32);
  e[0] = counter & 0xff;
  e[1] = (counter >>> 8) & 0xff;
  e[2] = (counter >>> 16) & 0xff;
  e[3] = (counter >>> 24) & 0xff;
  return e;
}

/**
 * Core's `CKey::Sign` with R grinding: a DER signature of `hash32` by the 32-byte `secret` (RFC 6979 nonce,
 * low S) whose R has its top bit clear (so R encodes in 32 bytes), retrying with Core's extra entropy LE32(1),
 * LE32(2), … Throws on an invalid secret key.
 */
export function signEcdsaGrindR(hash32: Uint8Array, secret: Uint8Array): Uint8Array {
  let sig = tiny.sign(hash32, secret);
  for (let counter = 1; sig[0] >= 0x80; counter++) sig = tiny.sign(hash32, secret, le32(counter));
  return encodeDer(sig);
}
