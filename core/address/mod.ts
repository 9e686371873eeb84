/**
 * Addresses and keys (Bitcoin Core's `base58`, `bech32` and `key_io`): Base58Check, WIF private keys, Bech32 /
 * Bech32m segwit addresses, and address <-> output script conversion per network with Core's error messages.
 *
 * @module
 */
export { decodeBase58, decodeBase58Check, encodeBase58, encodeBase58Check } from "./base58.ts";
export { type AddressPrefixes, addressPrefixes } from "./prefixes.ts";
export {
  type AddressError,
  BECH32_CHAR_LIMIT,
  BECH32_WITNESS_PROG_MAX_LEN,
  bech32Decode,
  type Bech32Decoded,
  bech32Encode,
  type Bech32Encoding,
  decodeSegwitAddress,
  encodeSegwitAddress,
  fromWords,
  locateBech32Errors,
  toWords,
  type WitnessProgram,
} from "./segwit.ts";
export { decodeSecret, encodeSecret, isValidSecretKey, type SecretKey } from "./wif.ts";
export {
  type AddressDescription,
  type DecodedDestination,
  decodeDestination,
  type DecodeDestinationResult,
  describeAddress,
  type Destination,
  encodeDestination,
  extractDestination,
  getScriptForDestination,
  isDecodedDestination,
  isValidDestinationString,
} from "./destination.ts";
