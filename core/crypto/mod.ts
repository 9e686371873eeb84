/**
 * secp256k1 for consensus: one small `Secp256k1` interface with two backends (tiny-secp256k1, the default, and
 * @noble/curves), and Core's ECDSA signature encodings (lax DER, low S).
 *
 * @module
 */

export {
  bigIntTo32Bytes,
  bytesToBigInt,
  CURVE_ORDER,
  FIELD_PRIME,
  HALF_CURVE_ORDER,
  isCompactSignatureInRange,
  isPubkeySizeValid,
  normalizeCompactSignature,
  pubkeyLengthForHeader,
  type Secp256k1,
  standardPubkeyEncoding,
} from "./secp256k1.ts";
export { defaultSecp256k1 } from "./default_backend.ts";
export { nobleSecp256k1 } from "./noble_backend.ts";
export { tinySecp256k1 } from "./tiny_backend.ts";
export { encodeDer, isLowS, parseDerLax, verifyEcdsaDerLax } from "./der.ts";
export { signEcdsaGrindR } from "./sign_ecdsa.ts";
