/**
 * The per-network address and key prefixes (the `base58Prefixes` and `bech32_hrp` of Bitcoin Core's
 * `CChainParams`). Shared by the address codecs and the chain parameters.
 *
 * @module
 */
import type { Network } from "../chain_params_base.ts";

/** Prefixes of one network's Base58Check strings and its Bech32 human-readable part. */
export interface AddressPrefixes {
  /** Version byte of P2PKH addresses (`PUBKEY_ADDRESS`). */
  readonly pubkeyAddress: number;
  /** Version byte of P2SH addresses (`SCRIPT_ADDRESS`). */
  readonly scriptAddress: number;
  /** Version byte of WIF private keys (`SECRET_KEY`). */
  readonly secretKey: number;
  /** 4-byte prefix of BIP32 extended public keys (`EXT_PUBLIC_KEY`: xpub / tpub). */
  readonly extPublicKey: Uint8Array;
  /** 4-byte prefix of BIP32 extended private keys (`EXT_SECRET_KEY`: xprv / tprv). */
  readonly extSecretKey: Uint8Array;
  /** Human-readable part of segwit addresses (`bech32_hrp`). */
  readonly bech32Hrp: string;
}

/** Prefixes of `network`, as a new object (its byte arrays are the caller's). */
function build(network: Network): AddressPrefixes {
  if (network === "main") {
    return {
      pubkeyAddress: 0,
      scriptAddress: 5,
      secretKey: 128,
      extPublicKey: Uint8Array.of(0x04, 0x88, 0xb2, 0x1e),
      extSecretKey: Uint8Array.of(0x04, 0x88, 0xad, 0xe4),
      bech32Hrp: "bc",
    };
  }
  return {
    pubkeyAddress: 111,
    scriptAddress: 196,
    secretKey: 239,
    extPublicKey: Uint8Array.of(0x04, 0x35, 0x87, 0xcf),
    extSecretKey: Uint8Array.of(0x04, 0x35, 0x83, 0x94),
    bech32Hrp: network === "regtest" ? "bcrt" : "tb",
  };
}

/**
 * Address and key prefixes of `network`: main 0 / 5 / 128 / "bc"; test, testnet4 and signet 111 / 196 / 239 /
 * "tb"; regtest 111 / 196 / 239 / "bcrt" (P2PKH / P2SH / WIF / Bech32).
 */
export function addressPrefixes(network: Network): AddressPrefixes {
  return build(network);
}
