/**
 * The typed model of a Partially Signed Bitcoin Transaction (BIP 174 version 0 and BIP 370 version 2), field for
 * field Bitcoin Core's `PartiallySignedTransaction`, `PSBTInput` and `PSBTOutput` (src/psbt.h).
 *
 * Keyed fields are `Map`s whose string keys are the lowercase hex of the bytes Core orders the map by (so lookups
 * are by value); the encoder writes them in Core's order whatever the insertion order. Byte strings are internal
 * (wire) order: a txid here is reversed against its display hex. The model is mutable: the PSBT roles (updater,
 * signer, combiner, finalizer) change it in place.
 *
 * @module
 */
import type { Transaction, TxOut } from "../wire/types.ts";

/** Core's `PSBT_HIGHEST_VERSION`. */
export const PSBT_HIGHEST_VERSION = 2;

/** A BIP 32 key origin (Core's `KeyOriginInfo`): master key fingerprint and derivation path. */
export interface KeyOriginInfo {
  /** First 4 bytes of the HASH160 of the master public key. */
  fingerprint: Uint8Array;
  /** Child indexes (hardened ones have bit 31 set). */
  path: number[];
}

/** A proprietary key-value pair (Core's `PSBTProprietary`). */
export interface PsbtProprietary {
  /** The identifier prefix from the key. */
  identifier: Uint8Array;
  /** The subtype read from the key after the identifier. */
  subtype: number;
  /** The whole key (type byte included). */
  key: Uint8Array;
  /** The value. */
  value: Uint8Array;
}

/** An unknown key-value pair kept as it came (the key includes its type). */
export interface PsbtUnknown {
  /** The whole key (type included). */
  key: Uint8Array;
  /** The value. */
  value: Uint8Array;
}

/** A global extended public key (PSBT_GLOBAL_XPUB). */
export interface PsbtXpub {
  /** The 78-byte serialized extended public key with its 4 version bytes, as in the key. */
  xpub: Uint8Array;
  /** Its origin. */
  origin: KeyOriginInfo;
}

/** A partial ECDSA signature (PSBT_IN_PARTIAL_SIG). */
export interface PartialSig {
  /** The public key (33 or 65 bytes). */
  pubkey: Uint8Array;
  /** DER signature with the sighash byte. */
  sig: Uint8Array;
}

/** A public key with its BIP 32 origin (PSBT_IN/OUT_BIP32_DERIVATION). */
export interface Bip32Derivation {
  /** The public key (33 or 65 bytes). */
  pubkey: Uint8Array;
  /** Its origin. */
  origin: KeyOriginInfo;
}

/** An x-only key with the leaves it signs in and its origin (PSBT_IN/OUT_TAP_BIP32_DERIVATION). */
export interface TapBip32Derivation {
  /** The 32-byte x-only key. */
  xonly: Uint8Array;
  /** Leaf hashes (32 bytes each), sorted and unique. */
  leafHashes: Uint8Array[];
  /** Its origin. */
  origin: KeyOriginInfo;
}

/** A taproot script path signature (PSBT_IN_TAP_SCRIPT_SIG). */
export interface TapScriptSig {
  /** The 32-byte x-only key. */
  xonly: Uint8Array;
  /** The 32-byte leaf hash. */
  leafHash: Uint8Array;
  /** 64- or 65-byte Schnorr signature. */
  sig: Uint8Array;
}

/** A taproot leaf script with the control blocks that commit to it (PSBT_IN_TAP_LEAF_SCRIPT). */
export interface TapLeafScript {
  /** The script. */
  script: Uint8Array;
  /** The leaf version (0xc0 for tapscript). */
  leafVersion: number;
  /** Control blocks, shortest first (Core's `ShortestVectorFirstComparator` set). */
  controlBlocks: Uint8Array[];
}

/** A leaf of an output's taproot tree (PSBT_OUT_TAP_TREE), in depth-first order. */
export interface TapTreeLeaf {
  /** Depth in the tree (0–128). */
  depth: number;
  /** Leaf version. */
  leafVersion: number;
  /** The script. */
  script: Uint8Array;
}

/** MuSig2 participants of an aggregate key (PSBT_IN/OUT_MUSIG2_PARTICIPANT_PUBKEYS). */
export interface Musig2Participants {
  /** The 33-byte aggregate public key. */
  aggregate: Uint8Array;
  /** The 33-byte participant keys, in the order given. */
  participants: Uint8Array[];
}

/** A MuSig2 public nonce or partial signature (PSBT_IN_MUSIG2_PUB_NONCE / PSBT_IN_MUSIG2_PARTIAL_SIG). */
export interface Musig2ParticipantData {
  /** The 33-byte participant key. */
  participant: Uint8Array;
  /** The 33-byte aggregate key. */
  aggregate: Uint8Array;
  /** The 32-byte leaf hash, or null for the key path. */
  leafHash: Uint8Array | null;
  /** The 66-byte pubnonce or the 32-byte partial signature. */
  value: Uint8Array;
}

/** Per-input data (Core's `PSBTInput`). */
export interface PsbtInput {
  /** Txid of the spent output's transaction (internal order; v2 field, from the unsigned tx in v0). */
  prevTxid: Uint8Array;
  /** Index of the spent output. */
  prevOut: number;
  /** nSequence (always set in v0; optional in v2, default 0xffffffff). */
  sequence?: number;
  /** PSBT_IN_REQUIRED_TIME_LOCKTIME (v2). */
  timeLocktime?: number;
  /** PSBT_IN_REQUIRED_HEIGHT_LOCKTIME (v2). */
  heightLocktime?: number;
  /** The whole previous transaction. */
  nonWitnessUtxo?: Transaction;
  /** The spent output (segwit). */
  witnessUtxo?: TxOut;
  /** Partial signatures by hex HASH160 of the public key. */
  partialSigs: Map<string, PartialSig>;
  /** PSBT_IN_SIGHASH (int32). */
  sighashType?: number;
  /** The redeem script (absent when empty). */
  redeemScript?: Uint8Array;
  /** The witness script (absent when empty). */
  witnessScript?: Uint8Array;
  /** BIP 32 derivations by hex public key. */
  bip32Derivs: Map<string, Bip32Derivation>;
  /** The final scriptSig (absent when empty). */
  finalScriptSig?: Uint8Array;
  /** The final witness stack (absent when empty). */
  finalScriptWitness?: Uint8Array[];
  /** RIPEMD160 preimages by hex hash. */
  ripemd160Preimages: Map<string, Uint8Array>;
  /** SHA256 preimages by hex hash. */
  sha256Preimages: Map<string, Uint8Array>;
  /** HASH160 preimages by hex hash. */
  hash160Preimages: Map<string, Uint8Array>;
  /** HASH256 preimages by hex hash. */
  hash256Preimages: Map<string, Uint8Array>;
  /** Taproot key path signature (64 or 65 bytes). */
  tapKeySig?: Uint8Array;
  /** Taproot script path signatures by hex (x-only key ‖ leaf hash). */
  tapScriptSigs: Map<string, TapScriptSig>;
  /** Taproot leaf scripts by hex (script) + ":" + leaf version. */
  tapLeafScripts: Map<string, TapLeafScript>;
  /** Taproot BIP 32 derivations by hex x-only key. */
  tapBip32Derivs: Map<string, TapBip32Derivation>;
  /** Taproot internal key (32 bytes; absent when all zero, as Core's null key). */
  tapInternalKey?: Uint8Array;
  /** Taproot merkle root (32 bytes; absent when all zero). */
  tapMerkleRoot?: Uint8Array;
  /** MuSig2 participants by hex aggregate key. */
  musig2Participants: Map<string, Musig2Participants>;
  /** MuSig2 public nonces by hex (aggregate ‖ leaf hash or zeros ‖ participant). */
  musig2PubNonces: Map<string, Musig2ParticipantData>;
  /** MuSig2 partial signatures by hex (aggregate ‖ leaf hash or zeros ‖ participant). */
  musig2PartialSigs: Map<string, Musig2ParticipantData>;
  /** Proprietary pairs by hex key. */
  proprietary: Map<string, PsbtProprietary>;
  /** Unknown pairs by hex key. */
  unknown: Map<string, PsbtUnknown>;
}

/** Per-output data (Core's `PSBTOutput`). */
export interface PsbtOutput {
  /** Amount in satoshis (v2 field; from the unsigned tx in v0). */
  amount: bigint;
  /** The output script (v2 field; from the unsigned tx in v0). */
  script: Uint8Array;
  /** The redeem script (absent when empty). */
  redeemScript?: Uint8Array;
  /** The witness script (absent when empty). */
  witnessScript?: Uint8Array;
  /** BIP 32 derivations by hex public key. */
  bip32Derivs: Map<string, Bip32Derivation>;
  /** Taproot internal key (absent when all zero). */
  tapInternalKey?: Uint8Array;
  /** Taproot tree leaves in depth-first order (absent when none). */
  tapTree?: TapTreeLeaf[];
  /** Taproot BIP 32 derivations by hex x-only key. */
  tapBip32Derivs: Map<string, TapBip32Derivation>;
  /** MuSig2 participants by hex aggregate key. */
  musig2Participants: Map<string, Musig2Participants>;
  /** Proprietary pairs by hex key. */
  proprietary: Map<string, PsbtProprietary>;
  /** Unknown pairs by hex key. */
  unknown: Map<string, PsbtUnknown>;
}

/** A PSBT (Core's `PartiallySignedTransaction`). */
export interface Psbt {
  /** PSBT version: 0 or 2 (`GetVersion()`). */
  version: number;
  /** Transaction version (uint32; from the unsigned tx in v0). */
  txVersion: number;
  /** Fallback locktime (the unsigned tx's nLockTime in v0). */
  fallbackLocktime?: number;
  /** PSBT_GLOBAL_TX_MODIFIABLE flags (v2): bit 0 inputs, bit 1 outputs, bit 2 has SIGHASH_SINGLE. */
  txModifiable?: number;
  /** Global extended public keys, unique by (origin, public key, chain code). */
  xpubs: PsbtXpub[];
  /** The inputs. */
  inputs: PsbtInput[];
  /** The outputs. */
  outputs: PsbtOutput[];
  /** Global proprietary pairs by hex key. */
  proprietary: Map<string, PsbtProprietary>;
  /** Global unknown pairs by hex key. */
  unknown: Map<string, PsbtUnknown>;
}

/** A new input with no data but its outpoint (Core's `PSBTInput` constructor). */
export function newPsbtInput(prevTxid: Uint8Array, prevOut: number, sequence?: number): PsbtInput {
  return {
    prevTxid,
    prevOut,
    sequence,
    partialSigs: new Map(),
    bip32Derivs: new Map(),
    ripemd160Preimages: new Map(),
    sha256Preimages: new Map(),
    hash160Preimages: new Map(),
    hash256Preimages: new Map(),
    tapScriptSigs: new Map(),
    tapLeafScripts: new Map(),
    tapBip32Derivs: new Map(),
    musig2Participants: new Map(),
    musig2PubNonces: new Map(),
    musig2PartialSigs: new Map(),
    proprietary: new Map(),
    unknown: new Map(),
  };
}

/** A new output with no data but its amount and script (Core's `PSBTOutput` constructor). */
export function newPsbtOutput(amount: bigint, script: Uint8Array): PsbtOutput {
  return {
    amount,
    script,
    bip32Derivs: new Map(),
    tapBip32Derivs: new Map(),
    musig2Participants: new Map(),
    proprietary: new Map(),
    unknown: new Map(),
  };
}
