/**
 * PSBT signing and finalizing as Bitcoin Core's `SignPSBTInput` / `FinalizePSBT` / `FinalizeAndExtractPSBT`
 * (src/psbt.cpp) over its `ProduceSignature` (src/script/sign.cpp), for the standard templates: P2PK, P2PKH,
 * bare/P2SH/P2WSH/P2SH-P2WSH multisig, P2WPKH, P2SH-P2WPKH, P2TR key path (internal key tweaked with the
 * merkle root, or the output key itself) and P2TR script paths whose leaf is `pk(K)` (`<x> OP_CHECKSIG`) or
 * `multi_a`/`sortedmulti_a`.
 *
 * Keys come from a {@link PsbtSigningProvider} (the wallet's key store; keys never leave it except to sign).
 * Signatures are Core's byte for byte: ECDSA with RFC 6979 nonces, low S and low R (grinding with Core's extra
 * entropy counter); BIP 340 with all-zero auxiliary randomness. Without keys (the dummy provider) the same code
 * finalizes inputs whose signatures are all present, and the dummy signature creator sizes the final
 * transaction for analysis, as Core does. Not covered: Miniscript satisfaction beyond those templates, MuSig2.
 *
 * @module
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { ripemd160 } from "@noble/hashes/legacy.js";
import { concatBytes } from "@noble/hashes/utils.js";
import { moneyRange } from "../consensus/amount.ts";
import { signEcdsaGrindR } from "../crypto/sign_ecdsa.ts";
import { defaultSecp256k1 } from "../crypto/default_backend.ts";
import { bigIntTo32Bytes, bytesToBigInt, CURVE_ORDER } from "../crypto/secp256k1.ts";
import { bytesEqual, compareBytes, hash160, isZeroHash, taggedHash, toHex } from "../hash/hashes.ts";
import type { ScriptExecutionData, SignatureChecker } from "../script/checker.ts";
import { STANDARD_SCRIPT_VERIFY_FLAGS } from "../script/flags.ts";
import { computeTapleafHash, TAPROOT_LEAF_TAPSCRIPT, verifyScript } from "../script/interpreter.ts";
import { OP_CHECKSIG, OP_DUP, OP_EQUALVERIFY, OP_HASH160 } from "../script/opcodes.ts";
import { decodeScript, isPayToTaproot, isWitnessProgram, pushAll } from "../script/script.ts";
import {
  PrecomputedTransactionData,
  SIGHASH_ALL,
  SIGHASH_ANYONECANPAY,
  SIGHASH_DEFAULT,
  signatureHash,
  signatureHashSchnorr,
} from "../script/sighash.ts";
import { matchMultiA, solver, type TxoutType } from "../script/standard.ts";
import { TransactionSignatureChecker } from "../script/tx_checker.ts";
import { compactSizeLength } from "../wire/writer.ts";
import type { Transaction, TxOut } from "../wire/types.ts";
import { addControlBlock, addLeafHashes, tapLeafKey, tapScriptSigKey } from "./codec.ts";
import { inputUtxo, unsignedTx } from "./tx.ts";
import type {
  Bip32Derivation,
  KeyOriginInfo,
  PartialSig,
  Psbt,
  PsbtInput,
  TapBip32Derivation,
  TapLeafScript,
  TapScriptSig,
  TapTreeLeaf,
} from "./types.ts";

const EMPTY: Uint8Array = new Uint8Array(0);
const SECP = defaultSecp256k1();

// -------------------------------------------------------------------------------------------------------------
// Signing provider

/** A private key (Core's `CKey`). */
export interface SigningKey {
  /** The 32-byte secret. */
  readonly secret: Uint8Array;
  /** Whether its public key is used compressed. */
  readonly compressed: boolean;
}

/** What a taproot output is built from (Core's `TaprootSpendData`). */
export interface TaprootSpendData {
  /** The 32-byte x-only internal key. */
  readonly internalKey: Uint8Array;
  /** The merkle root, or null for a key-only output. */
  readonly merkleRoot: Uint8Array | null;
  /** Leaf scripts with their control blocks. */
  readonly scripts: readonly TapLeafScript[];
  /** The tree's leaves in depth-first order with their depths (Core's `TaprootBuilder`), when known. */
  readonly tree?: readonly TapTreeLeaf[];
}

/**
 * What signing may look up (Core's `SigningProvider`). Ids are HASH160s: of the public key for keys, of the
 * script for scripts (for a witness script that is RIPEMD160 of its P2WSH program). Every method is optional:
 * an empty object is Core's `DUMMY_SIGNING_PROVIDER`.
 */
export interface PsbtSigningProvider {
  /** The private key whose public key hashes to `keyId`. */
  getKey?(keyId: Uint8Array): SigningKey | undefined;
  /** The public key hashing to `keyId`. */
  getPubkey?(keyId: Uint8Array): Uint8Array | undefined;
  /** The script hashing to `scriptId`. */
  getScript?(scriptId: Uint8Array): Uint8Array | undefined;
  /** The BIP 32 origin of the key hashing to `keyId`. */
  getKeyOrigin?(keyId: Uint8Array): KeyOriginInfo | undefined;
  /** Taproot spend data of a 32-byte output key. */
  getTaprootSpendData?(outputKey: Uint8Array): TaprootSpendData | undefined;
}

/** Core's `DUMMY_SIGNING_PROVIDER`. */
export const DUMMY_SIGNING_PROVIDER: PsbtSigningProvider = Object.freeze({});

/**
 * A provider over given keys and scripts (Core's `FlatSigningProvider`), e.g. for private keys passed to an
 * RPC or for tests.
 */
export class SimpleSigningProvider implements PsbtSigningProvider {
  readonly #keys = new Map<string, SigningKey>();
  readonly #pubkeys = new Map<string, Uint8Array>();
  readonly #scripts = new Map<string, Uint8Array>();
  readonly #origins = new Map<string, KeyOriginInfo>();
  readonly #taproot = new Map<string, TaprootSpendData>();

  /** Adds a private key (its public key is known too; for x-only lookups both parities are indexed). */
  addKey(key: SigningKey, origin?: KeyOriginInfo): Uint8Array {
    const pubkey = secp256k1.getPublicKey(key.secret, key.compressed);
    const id = toHex(hash160(pubkey));
    this.#keys.set(id, key);
    this.#pubkeys.set(id, pubkey);
    if (origin !== undefined) this.#origins.set(id, origin);
    return pubkey;
  }

  /** Adds a public key without its private key (with its origin when known). */
  addPubkey(pubkey: Uint8Array, origin?: KeyOriginInfo): void {
    const id = toHex(hash160(pubkey));
    this.#pubkeys.set(id, pubkey);
    if (origin !== undefined) this.#origins.set(id, origin);
  }

  /** Adds a script (id HASH160 of it). */
  addScript(script: Uint8Array): void {
    this.#scripts.set(toHex(hash160(script)), script);
  }

  /** Adds taproot spend data for an output key. */
  addTaproot(outputKey: Uint8Array, data: TaprootSpendData): void {
    this.#taproot.set(toHex(outputKey), data);
  }

  /** See {@link PsbtSigningProvider.getKey}. */
  getKey(keyId: Uint8Array): SigningKey | undefined {
    return this.#keys.get(toHex(keyId));
  }
  /** See {@link PsbtSigningProvider.getPubkey}. */
  getPubkey(keyId: Uint8Array): Uint8Array | undefined {
    return this.#pubkeys.get(toHex(keyId));
  }
  /** See {@link PsbtSigningProvider.getScript}. */
  getScript(scriptId: Uint8Array): Uint8Array | undefined {
    return this.#scripts.get(toHex(scriptId));
  }
  /** See {@link PsbtSigningProvider.getKeyOrigin}. */
  getKeyOrigin(keyId: Uint8Array): KeyOriginInfo | undefined {
    return this.#origins.get(toHex(keyId));
  }
  /** See {@link PsbtSigningProvider.getTaprootSpendData}. */
  getTaprootSpendData(outputKey: Uint8Array): TaprootSpendData | undefined {
    return this.#taproot.get(toHex(outputKey));
  }
}

/** Core's `GetKeyByXOnly`: the key whose public key is 02‖x or 03‖x. */
function keyByXOnly(provider: PsbtSigningProvider, xonly: Uint8Array): SigningKey | undefined {
  for (const prefix of [2, 3]) {
    const k = provider.getKey?.(hash160(concatBytes(Uint8Array.of(prefix), xonly)));
    if (k !== undefined) return k;
  }
  return undefined;
}

function originByXOnly(provider: PsbtSigningProvider, xonly: Uint8Array): KeyOriginInfo | undefined {
  for (const prefix of [2, 3]) {
    const o = provider.getKeyOrigin?.(hash160(concatBytes(Uint8Array.of(prefix), xonly)));
    if (o !== undefined) return o;
  }
  return undefined;
}

// -------------------------------------------------------------------------------------------------------------
// Signature creators

/** Core's `CKey::Sign` with R grinding (core/crypto/sign_ecdsa.ts), part of this module's API. */
export { signEcdsaGrindR };

/** Core's `CKey::SignSchnorr`: BIP 340 with zero aux data, the key tweaked by `merkleRoot` unless null. */
function signSchnorrTweaked(hash: Uint8Array, secret: Uint8Array, merkleRoot: Uint8Array | null | undefined) {
  let d = bytesToBigInt(secret);
  if (merkleRoot !== null && merkleRoot !== undefined) {
    const P = SECP.publicKeyCreate(secret); // 02/03 ‖ x
    const xonly = P.subarray(1);
    if (P[0] === 3) d = CURVE_ORDER - d;
    const t = bytesToBigInt(
      isZeroHash(merkleRoot) ? taggedHash("TapTweak", xonly) : taggedHash("TapTweak", xonly, merkleRoot),
    );
    if (t >= CURVE_ORDER) return null;
    d = (d + t) % CURVE_ORDER;
    if (d === 0n) return null;
  }
  return SECP.signSchnorr(hash, bigIntTo32Bytes(d), new Uint8Array(32));
}

/** Makes signatures for one input (Core's `BaseSignatureCreator`). */
export interface SignatureCreator {
  /** The checker the finished input is verified with. */
  readonly checker: SignatureChecker;
  /** ECDSA signature (DER + hash type) for `keyId`, or null. */
  createSig(
    provider: PsbtSigningProvider,
    keyId: Uint8Array,
    scriptCode: Uint8Array,
    sigversion: "base" | "witness_v0",
  ): Uint8Array | null;
  /** Schnorr signature for x-only `xonly`; `leafHash` for tapscript, `merkleRoot` tweaks the key (key path). */
  createSchnorrSig(
    provider: PsbtSigningProvider,
    xonly: Uint8Array,
    leafHash: Uint8Array | null,
    merkleRoot: Uint8Array | null,
    sigversion: "taproot" | "tapscript",
  ): Uint8Array | null;
}

/** Core's `MutableTransactionSignatureCreator` for input `inputIndex` of `tx`. */
export class TransactionSignatureCreator implements SignatureCreator {
  readonly checker: SignatureChecker;
  readonly #tx: Transaction;
  readonly #nIn: number;
  readonly #amount: bigint;
  readonly #txdata: PrecomputedTransactionData;
  readonly #sighashType: number;

  /** A creator signing with `sighashType` (SIGHASH_DEFAULT means ALL for ECDSA). */
  constructor(
    tx: Transaction,
    nIn: number,
    amount: bigint,
    txdata: PrecomputedTransactionData,
    sighashType: number,
  ) {
    this.#tx = tx;
    this.#nIn = nIn;
    this.#amount = amount;
    this.#txdata = txdata;
    this.#sighashType = sighashType;
    this.checker = new TransactionSignatureChecker({ tx, inputIndex: nIn, amount, precomputed: txdata });
  }

  /** See {@link SignatureCreator.createSig}. */
  createSig(
    provider: PsbtSigningProvider,
    keyId: Uint8Array,
    scriptCode: Uint8Array,
    sigversion: "base" | "witness_v0",
  ): Uint8Array | null {
    const key = provider.getKey?.(keyId);
    if (key === undefined) return null;
    if (sigversion === "witness_v0" && !key.compressed) return null;
    if (sigversion === "witness_v0" && !moneyRange(this.#amount)) return null;
    const hashType = this.#sighashType === SIGHASH_DEFAULT ? SIGHASH_ALL : this.#sighashType;
    const hash = signatureHash(scriptCode, this.#tx, this.#nIn, hashType, {
      sigversion,
      amount: this.#amount,
      precomputed: this.#txdata,
    });
    return concatBytes(signEcdsaGrindR(hash, key.secret), Uint8Array.of(hashType & 0xff));
  }

  /** See {@link SignatureCreator.createSchnorrSig}. */
  createSchnorrSig(
    provider: PsbtSigningProvider,
    xonly: Uint8Array,
    leafHash: Uint8Array | null,
    merkleRoot: Uint8Array | null,
    sigversion: "taproot" | "tapscript",
  ): Uint8Array | null {
    const key = keyByXOnly(provider, xonly);
    if (key === undefined) return null;
    if (this.#txdata.spentOutputs === null) return null;
    if (sigversion === "tapscript" && leafHash === null) return null;
    const execdata: ScriptExecutionData = { annex: null };
    if (sigversion === "tapscript") {
      execdata.tapleafHash = leafHash!;
      execdata.codeseparatorPos = 0xffffffff;
    }
    const hash = signatureHashSchnorr(
      this.#tx,
      this.#nIn,
      this.#sighashType,
      sigversion,
      execdata,
      this.#txdata,
    );
    if (hash === null) return null;
    const sig = signSchnorrTweaked(hash, key.secret, sigversion === "taproot" ? merkleRoot : null);
    if (sig === null) return null;
    return this.#sighashType !== SIGHASH_DEFAULT ? concatBytes(sig, Uint8Array.of(this.#sighashType)) : sig;
  }
}

/** Core's `DUMMY_CHECKER`: every non-empty signature passes, time locks pass. */
const DUMMY_CHECKER: SignatureChecker = {
  checkEcdsaSignature: (sig) => sig.length !== 0,
  checkSchnorrSignature: (sig) => sig.length !== 0 ? null : "SCHNORR_SIG",
  checkLockTime: () => true,
  checkSequence: () => true,
};

/** Core's `DUMMY_SIGNATURE_CREATOR`: 71-byte DER placeholders and 64-byte Schnorr placeholders, no keys needed. */
export const DUMMY_SIGNATURE_CREATOR: SignatureCreator = Object.freeze({
  checker: DUMMY_CHECKER,
  createSig: () => {
    const sig = new Uint8Array(71);
    sig[0] = 0x30;
    sig[1] = 68;
    sig[2] = 0x02;
    sig[3] = 32;
    sig[4] = 0x01;
    sig[36] = 0x02;
    sig[37] = 32;
    sig[38] = 0x01;
    sig[70] = SIGHASH_ALL;
    return sig;
  },
  createSchnorrSig: () => new Uint8Array(64),
});

// -------------------------------------------------------------------------------------------------------------
// Signature data and ProduceSignature

/** What is known about one input's satisfaction (Core's `SignatureData`, PSBT-relevant parts). */
export interface SignatureData {
  /** Fully signed and verified. */
  complete: boolean;
  /** A witness spend. */
  witness: boolean;
  /** The scriptSig built. */
  scriptSig: Uint8Array;
  /** The witness built. */
  scriptWitness: Uint8Array[];
  /** Redeem script (empty when unknown). */
  redeemScript: Uint8Array;
  /** Witness script (empty when unknown). */
  witnessScript: Uint8Array;
  /** ECDSA signatures by hex key id. */
  signatures: Map<string, PartialSig>;
  /** Public keys with origins by hex key id. */
  miscPubkeys: Map<string, Bip32Derivation>;
  /** Taproot key path signature (empty when none). */
  tapKeyPathSig: Uint8Array;
  /** Taproot script signatures by hex (x-only ‖ leaf hash). */
  tapScriptSigs: Map<string, TapScriptSig>;
  /** Taproot internal key (empty when unknown). */
  tapInternalKey: Uint8Array;
  /** Taproot merkle root (zeros when none). */
  tapMerkleRoot: Uint8Array;
  /** Taproot leaf scripts. */
  tapScripts: Map<string, TapLeafScript>;
  /** Taproot keys with origins by hex x-only key. */
  tapMiscPubkeys: Map<string, TapBip32Derivation>;
  /** Taproot x-only keys by hex HASH160 of the key. */
  tapPubkeys: Map<string, Uint8Array>;
  /** The taproot tree learnt from the provider (Core's `tr_builder`), for outputs. */
  tapTree?: TapTreeLeaf[];
  /** Key ids whose public key was missing. */
  missingPubkeys: Uint8Array[];
  /** Key ids whose signature was missing. */
  missingSigs: Uint8Array[];
  /** HASH160 of the missing redeem script, or null. */
  missingRedeemScript: Uint8Array | null;
  /** SHA256 of the missing witness script, or null. */
  missingWitnessScript: Uint8Array | null;
}

/** An empty {@link SignatureData}. */
export function emptySignatureData(): SignatureData {
  return {
    complete: false,
    witness: false,
    scriptSig: EMPTY,
    scriptWitness: [],
    redeemScript: EMPTY,
    witnessScript: EMPTY,
    signatures: new Map(),
    miscPubkeys: new Map(),
    tapKeyPathSig: EMPTY,
    tapScriptSigs: new Map(),
    tapInternalKey: EMPTY,
    tapMerkleRoot: new Uint8Array(32),
    tapScripts: new Map(),
    tapMiscPubkeys: new Map(),
    tapPubkeys: new Map(),
    missingPubkeys: [],
    missingSigs: [],
    missingRedeemScript: null,
    missingWitnessScript: null,
  };
}

function getPubKey(
  provider: PsbtSigningProvider,
  sd: SignatureData,
  keyId: Uint8Array,
): Uint8Array | undefined {
  const id = toHex(keyId);
  const s = sd.signatures.get(id);
  if (s !== undefined) return s.pubkey;
  const m = sd.miscPubkeys.get(id);
  if (m !== undefined) return m.pubkey;
  const t = sd.tapPubkeys.get(id);
  if (t !== undefined) return concatBytes(Uint8Array.of(2), t);
  return provider.getPubkey?.(keyId);
}

function getScript(
  provider: PsbtSigningProvider,
  sd: SignatureData,
  scriptId: Uint8Array,
): Uint8Array | undefined {
  const s = provider.getScript?.(scriptId);
  if (s !== undefined) return s;
  if (bytesEqual(hash160(sd.redeemScript), scriptId)) return sd.redeemScript;
  if (bytesEqual(hash160(sd.witnessScript), scriptId)) return sd.witnessScript;
  return undefined;
}

function createSigFor(
  creator: SignatureCreator,
  sd: SignatureData,
  provider: PsbtSigningProvider,
  pubkey: Uint8Array,
  scriptCode: Uint8Array,
  sigversion: "base" | "witness_v0",
): Uint8Array | null {
  const keyId = hash160(pubkey);
  const id = toHex(keyId);
  const known = sd.signatures.get(id);
  if (known !== undefined) return known.sig;
  const origin = provider.getKeyOrigin?.(keyId);
  if (origin !== undefined && !sd.miscPubkeys.has(id)) sd.miscPubkeys.set(id, { pubkey, origin });
  const sig = creator.createSig(provider, keyId, scriptCode, sigversion);
  if (sig !== null) {
    sd.signatures.set(id, { pubkey, sig });
    return sig;
  }
  sd.missingSigs.push(keyId);
  return null;
}

function noteTapOrigin(
  provider: PsbtSigningProvider,
  sd: SignatureData,
  xonly: Uint8Array,
  leafHash?: Uint8Array,
) {
  const origin = originByXOnly(provider, xonly);
  if (origin === undefined) return;
  const id = toHex(xonly);
  const known = sd.tapMiscPubkeys.get(id);
  if (known === undefined) {
    sd.tapMiscPubkeys.set(id, { xonly, leafHashes: leafHash ? [leafHash] : [], origin });
  } else if (leafHash) addLeafHashes(known.leafHashes, [leafHash]);
}

function serializedStackSize(stack: readonly Uint8Array[]): number {
  let n = compactSizeLength(stack.length);
  for (const item of stack) n += compactSizeLength(item.length) + item.length;
  return n;
}

function signTaproot(
  provider: PsbtSigningProvider,
  creator: SignatureCreator,
  outputKey: Uint8Array,
  sd: SignatureData,
): Uint8Array[] | null {
  const spend = provider.getTaprootSpendData?.(outputKey);
  if (spend !== undefined) {
    if (sd.tapInternalKey.length === 0) sd.tapInternalKey = spend.internalKey;
    if (isZeroHash(sd.tapMerkleRoot) && spend.merkleRoot !== null) sd.tapMerkleRoot = spend.merkleRoot;
    for (const leaf of spend.scripts) {
      const id = tapLeafKey(leaf.script, leaf.leafVersion);
      const have = sd.tapScripts.get(id) ??
        { script: leaf.script, leafVersion: leaf.leafVersion, controlBlocks: [] };
      for (const cb of leaf.controlBlocks) addControlBlock(have, cb);
      sd.tapScripts.set(id, have);
    }
    if (spend.tree !== undefined && spend.tree.length > 0) sd.tapTree = [...spend.tree];
  }
  // Key path.
  if (sd.tapInternalKey.length === 32) noteTapOrigin(provider, sd, sd.tapInternalKey);
  noteTapOrigin(provider, sd, outputKey);
  if (sd.tapKeyPathSig.length === 0 && sd.tapInternalKey.length === 32) {
    const sig = creator.createSchnorrSig(provider, sd.tapInternalKey, null, sd.tapMerkleRoot, "taproot");
    if (sig !== null) sd.tapKeyPathSig = sig;
  }
  if (sd.tapKeyPathSig.length === 0) {
    const sig = creator.createSchnorrSig(provider, outputKey, null, null, "taproot");
    if (sig !== null) sd.tapKeyPathSig = sig;
  }
  if (sd.tapKeyPathSig.length > 0) return [sd.tapKeyPathSig];

  // Script paths: single-key leaves `<x> OP_CHECKSIG`; the smallest witness wins.
  // The origins of the keys of every tapscript leaf are recorded (the keys a Miniscript satisfier asks for).
  let best: Uint8Array[] | null = null;
  const leaves = [...sd.tapScripts.values()].sort((a, b) => compareScripts(a, b));
  for (const leaf of leaves) {
    if (leaf.leafVersion !== TAPROOT_LEAF_TAPSCRIPT) continue;
    notePushedKeyOrigins(provider, sd, leaf.script, computeTapleafHash(leaf.leafVersion, leaf.script));
    const s = leaf.script;
    const leafHash = computeTapleafHash(leaf.leafVersion, s);
    const tapSig = (xonly: Uint8Array): Uint8Array | null => {
      const id = tapScriptSigKey(xonly, leafHash);
      let sig = sd.tapScriptSigs.get(id)?.sig ?? null;
      if (sig === null) {
        sig = creator.createSchnorrSig(provider, xonly, leafHash, null, "tapscript");
        if (sig !== null) sd.tapScriptSigs.set(id, { xonly: xonly.slice(), leafHash, sig });
      }
      return sig;
    };
    let satisfaction: Uint8Array[] | null = null;
    if (s.length === 34 && s[0] === 32 && s[33] === OP_CHECKSIG) {
      // pk(K): <sig>
      const sig = tapSig(s.subarray(1, 33));
      if (sig !== null) satisfaction = [sig];
    } else {
      const multi = matchMultiA(s);
      if (multi !== null) {
        // multi_a(k, K1..Kn): one item per key, the last key's at the bottom; every key is asked to sign (as
        // Miniscript's satisfier does) and, signatures being the same size, the last k available are used.
        const sigs = multi.pubkeys.map(tapSig);
        const items: Uint8Array[] = [];
        let used = 0;
        for (let i = sigs.length - 1; i >= 0; i--) {
          const sig = sigs[i];
          if (sig !== null && used < multi.threshold) {
            items.push(sig);
            used++;
          } else {
            items.push(EMPTY);
          }
        }
        if (used === multi.threshold) satisfaction = items;
      }
    }
    if (satisfaction === null || leaf.controlBlocks.length === 0) continue;
    const stack = [...satisfaction, s, leaf.controlBlocks[0]];
    if (best === null || serializedStackSize(stack) < serializedStackSize(best)) best = stack;
  }
  return best;
}

function notePushedKeyOrigins(
  provider: PsbtSigningProvider,
  sd: SignatureData,
  script: Uint8Array,
  leafHash: Uint8Array,
): void {
  let ops;
  try {
    ops = decodeScript(script);
  } catch {
    return;
  }
  for (const op of ops) {
    if (op.opcode === 32 && op.data.length === 32) noteTapOrigin(provider, sd, op.data.slice(), leafHash);
  }
}

function compareScripts(a: TapLeafScript, b: TapLeafScript): number {
  return compareBytes(a.script, b.script) || a.leafVersion - b.leafVersion;
}

interface Step {
  solved: boolean;
  type: TxoutType;
  ret: Uint8Array[];
}

function signStep(
  provider: PsbtSigningProvider,
  creator: SignatureCreator,
  script: Uint8Array,
  sigversion: "base" | "witness_v0",
  sd: SignatureData,
): Step {
  const sol = solver(script);
  const ret: Uint8Array[] = [];
  const done = (solved: boolean): Step => ({ solved, type: sol.type, ret });
  switch (sol.type) {
    case "nonstandard":
    case "nulldata":
    case "witness_unknown":
      return done(false);
    case "pubkey": {
      const sig = createSigFor(creator, sd, provider, sol.pubkey, script, sigversion);
      if (sig === null) return done(false);
      ret.push(sig);
      return done(true);
    }
    case "pubkeyhash": {
      const pubkey = getPubKey(provider, sd, sol.hash);
      if (pubkey === undefined) {
        sd.missingPubkeys.push(sol.hash.slice());
        return done(false);
      }
      const sig = createSigFor(creator, sd, provider, pubkey, script, sigversion);
      if (sig === null) return done(false);
      ret.push(sig, pubkey);
      return done(true);
    }
    case "scripthash": {
      const s = getScript(provider, sd, sol.hash);
      if (s !== undefined) {
        ret.push(s);
        return done(true);
      }
      sd.missingRedeemScript = sol.hash.slice();
      return done(false);
    }
    case "multisig": {
      ret.push(EMPTY);
      for (const pubkey of sol.pubkeys) {
        const sig = createSigFor(creator, sd, provider, pubkey, script, sigversion);
        if (sig !== null && ret.length < sol.required + 1) ret.push(sig);
      }
      const ok = ret.length === sol.required + 1;
      while (ret.length < sol.required + 1) ret.push(EMPTY);
      return done(ok);
    }
    case "witness_v0_keyhash":
      ret.push(sol.hash);
      return done(true);
    case "witness_v0_scripthash": {
      const s = getScript(provider, sd, ripemd160(sol.hash));
      if (s !== undefined) {
        ret.push(s);
        return done(true);
      }
      sd.missingWitnessScript = sol.hash.slice();
      return done(false);
    }
    case "witness_v1_taproot": {
      const stack = signTaproot(provider, creator, sol.outputKey, sd);
      if (stack === null) return done(false);
      ret.push(...stack);
      return done(true);
    }
    case "anchor":
      return done(true);
  }
}

/**
 * Core's `ProduceSignature`: solves `scriptPubKey` with what `sd` and `provider` know, signing with `creator`;
 * fills `sd.scriptSig`/`scriptWitness`, records what is missing, and returns whether the result is complete
 * (verifies under the standard flags with the creator's checker).
 */
export function produceSignature(
  provider: PsbtSigningProvider,
  creator: SignatureCreator,
  scriptPubKey: Uint8Array,
  sd: SignatureData,
): boolean {
  if (sd.complete) return true;
  let step = signStep(provider, creator, scriptPubKey, "base", sd);
  let solved = step.solved;
  let result = step.ret;
  let whichType = step.type;
  let p2sh = false;
  let subscript: Uint8Array = EMPTY;
  if (solved && whichType === "scripthash") {
    subscript = result[0];
    sd.redeemScript = subscript;
    step = signStep(provider, creator, subscript, "base", sd);
    result = step.ret;
    whichType = step.type;
    solved = step.solved && whichType !== "scripthash";
    p2sh = true;
  }
  if (solved && whichType === "witness_v0_keyhash") {
    const ws = concatBytes(
      Uint8Array.of(OP_DUP, OP_HASH160, 20),
      result[0],
      Uint8Array.of(OP_EQUALVERIFY, OP_CHECKSIG),
    );
    step = signStep(provider, creator, ws, "witness_v0", sd);
    solved = solved && step.solved;
    sd.scriptWitness = step.ret;
    sd.witness = true;
    result = [];
  } else if (solved && whichType === "witness_v0_scripthash") {
    const ws = result[0];
    sd.witnessScript = ws;
    step = signStep(provider, creator, ws, "witness_v0", sd);
    const sub = step.type;
    solved = solved && step.solved && sub !== "scripthash" && sub !== "witness_v0_scripthash" &&
      sub !== "witness_v0_keyhash";
    sd.scriptWitness = [...step.ret, ws];
    sd.witness = true;
    result = [];
  } else if (whichType === "witness_v1_taproot" && !p2sh) {
    sd.witness = true;
    if (solved) sd.scriptWitness = result;
    result = [];
  } else if (solved && whichType === "witness_unknown") {
    sd.witness = true;
  }
  if (!sd.witness) sd.scriptWitness = [];
  if (p2sh) result = [...result, subscript];
  sd.scriptSig = pushAll(result);
  sd.complete = solved &&
    verifyScript(
        sd.scriptSig,
        scriptPubKey,
        sd.scriptWitness,
        STANDARD_SCRIPT_VERIFY_FLAGS,
        creator.checker,
      ) ===
      null;
  return sd.complete;
}

// -------------------------------------------------------------------------------------------------------------
// PSBT input <-> signature data

/** Core's `PSBTInput::FillSignatureData`. */
export function fillSignatureData(input: PsbtInput, sd: SignatureData): void {
  if (input.finalScriptSig !== undefined && input.finalScriptSig.length > 0) {
    sd.scriptSig = input.finalScriptSig;
    sd.complete = true;
  }
  if (input.finalScriptWitness !== undefined && input.finalScriptWitness.length > 0) {
    sd.scriptWitness = input.finalScriptWitness;
    sd.complete = true;
  }
  if (sd.complete) return;
  for (const [k, v] of input.partialSigs) if (!sd.signatures.has(k)) sd.signatures.set(k, v);
  if (input.redeemScript !== undefined) sd.redeemScript = input.redeemScript;
  if (input.witnessScript !== undefined) sd.witnessScript = input.witnessScript;
  for (const d of input.bip32Derivs.values()) {
    const id = toHex(hash160(d.pubkey));
    if (!sd.miscPubkeys.has(id)) sd.miscPubkeys.set(id, d);
  }
  if (input.tapKeySig !== undefined) sd.tapKeyPathSig = input.tapKeySig;
  for (const [k, v] of input.tapScriptSigs) if (!sd.tapScriptSigs.has(k)) sd.tapScriptSigs.set(k, v);
  if (input.tapInternalKey !== undefined) sd.tapInternalKey = input.tapInternalKey;
  if (input.tapMerkleRoot !== undefined) sd.tapMerkleRoot = input.tapMerkleRoot;
  for (const [k, v] of input.tapLeafScripts) {
    if (!sd.tapScripts.has(k)) sd.tapScripts.set(k, { ...v, controlBlocks: [...v.controlBlocks] });
  }
  for (const [k, v] of input.tapBip32Derivs) {
    if (!sd.tapMiscPubkeys.has(k)) sd.tapMiscPubkeys.set(k, { ...v, leafHashes: [...v.leafHashes] });
    sd.tapPubkeys.set(toHex(hash160(v.xonly)), v.xonly);
  }
}

/** Core's `PSBTInput::FromSignatureData`. */
export function fromSignatureData(input: PsbtInput, sd: SignatureData): void {
  if (sd.complete) {
    input.partialSigs.clear();
    input.bip32Derivs.clear();
    input.redeemScript = undefined;
    input.witnessScript = undefined;
    if (sd.scriptSig.length > 0) input.finalScriptSig = sd.scriptSig;
    if (sd.scriptWitness.length > 0) input.finalScriptWitness = sd.scriptWitness;
    return;
  }
  for (const [k, v] of sd.signatures) if (!input.partialSigs.has(k)) input.partialSigs.set(k, v);
  if (input.redeemScript === undefined && sd.redeemScript.length > 0) input.redeemScript = sd.redeemScript;
  if (input.witnessScript === undefined && sd.witnessScript.length > 0) {
    input.witnessScript = sd.witnessScript;
  }
  for (const d of sd.miscPubkeys.values()) {
    const k = toHex(d.pubkey);
    if (!input.bip32Derivs.has(k)) input.bip32Derivs.set(k, d);
  }
  if (sd.tapKeyPathSig.length > 0) input.tapKeySig = sd.tapKeyPathSig;
  for (const [k, v] of sd.tapScriptSigs) if (!input.tapScriptSigs.has(k)) input.tapScriptSigs.set(k, v);
  if (sd.tapInternalKey.length === 32) input.tapInternalKey = sd.tapInternalKey;
  if (!isZeroHash(sd.tapMerkleRoot)) input.tapMerkleRoot = sd.tapMerkleRoot;
  for (const [k, v] of sd.tapScripts) if (!input.tapLeafScripts.has(k)) input.tapLeafScripts.set(k, v);
  for (const [k, v] of sd.tapMiscPubkeys) if (!input.tapBip32Derivs.has(k)) input.tapBip32Derivs.set(k, v);
}

// -------------------------------------------------------------------------------------------------------------
// PSBT signing

/** Core's `PSBTError` values that signing returns. */
export type PsbtSignResult = "ok" | "missing_inputs" | "sighash_mismatch" | "incomplete" | "invalid_tx";

/** Options of {@link signPsbtInput}. */
export interface SignPsbtInputOptions {
  /** Sighash type to sign with when the input does not say (default: DEFAULT for taproot, else ALL). */
  sighashType?: number;
  /** Create the final scriptSig/witness when complete (default true). */
  finalize?: boolean;
  /**
   * Shared transaction data from {@link precomputePsbtData}; null uses the dummy signature creator (sizes only,
   * Core's `txdata == nullptr`). Computed when omitted.
   */
  txdata?: PrecomputedTransactionData | null;
  /**
   * Use the dummy signature creator although `txdata` is given (as `txdata: null`, but sharing `txdata`, which
   * should then be without spent outputs, across inputs instead of recomputing it per input).
   */
  dummySignatures?: boolean;
}

/** What {@link signPsbtInput} found missing (Core's `out_sigdata` fields). */
export interface MissingData {
  /** Key ids whose public keys are missing. */
  pubkeys: Uint8Array[];
  /** Key ids whose signatures are missing. */
  sigs: Uint8Array[];
  /** HASH160 of a missing redeem script, or null. */
  redeemScript: Uint8Array | null;
  /** SHA256 of a missing witness script, or null. */
  witnessScript: Uint8Array | null;
}

/**
 * Core's `PrecomputePSBTData`: transaction hashes for signing, with the spent outputs when every input has its
 * UTXO (needed for taproot); null when the PSBT has no valid unsigned transaction.
 */
export function precomputePsbtData(psbt: Psbt): PrecomputedTransactionData | null {
  const tx = unsignedTx(psbt);
  if (tx === null) return null;
  const utxos: TxOut[] = [];
  let all = true;
  for (const input of psbt.inputs) {
    const u = inputUtxo(input);
    if (u === undefined) all = false;
    else utxos.push(u);
  }
  return new PrecomputedTransactionData(tx, all ? utxos : null);
}

/**
 * Core's `PSBTInputSignedAndVerified`: whether input `index` has final data that verifies against its UTXO
 * under the standard flags.
 */
export function isInputSignedAndVerified(
  psbt: Psbt,
  index: number,
  txdata: PrecomputedTransactionData | null,
): boolean {
  const input = psbt.inputs[index];
  const utxo = inputUtxo(input);
  if (utxo === undefined) return false;
  const tx = txdata?.tx ?? unsignedTx(psbt);
  if (tx === null) return false;
  const checker = new TransactionSignatureChecker({
    tx,
    inputIndex: index,
    amount: utxo.value,
    precomputed: txdata ?? new PrecomputedTransactionData(tx),
  });
  return verifyScript(
    input.finalScriptSig ?? EMPTY,
    utxo.scriptPubKey,
    input.finalScriptWitness ?? [],
    STANDARD_SCRIPT_VERIFY_FLAGS,
    checker,
  ) === null;
}

/**
 * Core's `SignPSBTInput`: signs input `index` with the keys `provider` has (checking the sighash type against
 * the input's and its existing signatures), fills in scripts and key origins it learns, finalizes when complete
 * (unless `finalize` is false), and reports what is missing through `missing`.
 */
export function signPsbtInput(
  provider: PsbtSigningProvider,
  psbt: Psbt,
  index: number,
  options: SignPsbtInputOptions = {},
  missing?: MissingData,
): PsbtSignResult {
  const input = psbt.inputs[index];
  const txdata = options.txdata === undefined ? precomputePsbtData(psbt) : options.txdata;
  const tx = txdata?.tx ?? unsignedTx(psbt);
  if (tx === null) return "invalid_tx";
  const verifyData = txdata ?? new PrecomputedTransactionData(tx);
  if (isInputSignedAndVerified(psbt, index, verifyData)) return "ok";

  const sd = emptySignatureData();
  fillSignatureData(input, sd);

  let requireWitnessSig = false;
  let utxo: TxOut;
  if (input.nonWitnessUtxo !== undefined) {
    const u = inputUtxo(input);
    if (u === undefined) return "missing_inputs";
    utxo = u;
  } else if (input.witnessUtxo !== undefined) {
    utxo = input.witnessUtxo;
    requireWitnessSig = true;
  } else {
    return "missing_inputs";
  }

  const taproot = isPayToTaproot(utxo.scriptPubKey);
  const sighash = options.sighashType ?? (taproot ? SIGHASH_DEFAULT : SIGHASH_ALL);
  if (input.sighashType !== undefined && input.sighashType !== sighash) return "sighash_mismatch";
  if (taproot ? sighash !== SIGHASH_DEFAULT : sighash !== SIGHASH_DEFAULT && sighash !== SIGHASH_ALL) {
    input.sighashType = sighash;
  }
  if (sighash === SIGHASH_DEFAULT) {
    if (input.tapKeySig !== undefined && input.tapKeySig.length !== 64) return "sighash_mismatch";
    for (const s of input.tapScriptSigs.values()) if (s.sig.length !== 64) return "sighash_mismatch";
  } else {
    if (input.tapKeySig !== undefined && (input.tapKeySig.length !== 65 || input.tapKeySig[64] !== sighash)) {
      return "sighash_mismatch";
    }
    for (const s of input.tapScriptSigs.values()) {
      if (s.sig.length !== 65 || s.sig[64] !== sighash) return "sighash_mismatch";
    }
    for (const s of input.partialSigs.values()) {
      if (s.sig[s.sig.length - 1] !== (sighash & 0xff)) return "sighash_mismatch";
    }
  }

  sd.witness = false;
  const creator = txdata === null || options.dummySignatures === true
    ? DUMMY_SIGNATURE_CREATOR
    : new TransactionSignatureCreator(tx, index, utxo.value, txdata, sighash);
  const complete = produceSignature(provider, creator, utxo.scriptPubKey, sd);
  if (requireWitnessSig && !sd.witness) return "incomplete";
  if (options.finalize === false && sd.complete) sd.complete = false;
  fromSignatureData(input, sd);
  if (sd.witness) input.witnessUtxo = utxo;
  if (missing !== undefined) {
    missing.pubkeys = sd.missingPubkeys;
    missing.sigs = sd.missingSigs;
    missing.redeemScript = sd.missingRedeemScript;
    missing.witnessScript = sd.missingWitnessScript;
  }
  return complete ? "ok" : "incomplete";
}

/**
 * Core's `RemoveUnnecessaryTransactions`: drops non-witness UTXOs when every input is segwit v1+ with a witness
 * UTXO and none signs with ANYONECANPAY.
 */
export function removeUnnecessaryTransactions(psbt: Psbt): void {
  const drop: number[] = [];
  for (let i = 0; i < psbt.inputs.length; i++) {
    const input = psbt.inputs[i];
    const wp = input.witnessUtxo !== undefined ? isWitnessProgram(input.witnessUtxo.scriptPubKey) : null;
    if (wp === null || wp.version === 0) return;
    if (input.sighashType !== undefined && (input.sighashType & 0x80) === SIGHASH_ANYONECANPAY) return;
    if (input.nonWitnessUtxo !== undefined) drop.push(i);
  }
  for (const i of drop) psbt.inputs[i].nonWitnessUtxo = undefined;
}

/** Options of {@link signPsbt}. */
export interface SignPsbtOptions {
  /**
   * Sighash type to sign with (default: DEFAULT for taproot, else ALL); an input whose PSBT_IN_SIGHASH differs is
   * not signed ("sighash_mismatch"), as Core.
   */
  sighashType?: number;
  /** Finalize inputs that become complete (default true). */
  finalize?: boolean;
}

/** What {@link signPsbt} did. */
export interface SignPsbtResult {
  /** Every input is final. */
  complete: boolean;
  /** The per-input result of {@link signPsbtInput}. */
  results: PsbtSignResult[];
}

/**
 * Signs every input `provider` has keys for (Core's wallet `FillPSBT` signing loop without the wallet's
 * lookups): inputs that already verify are left alone; non-witness UTXOs are dropped when unnecessary;
 * `complete` when every input is final and verifies.
 */
export function signPsbt(
  provider: PsbtSigningProvider,
  psbt: Psbt,
  options: SignPsbtOptions = {},
): SignPsbtResult {
  const txdata = precomputePsbtData(psbt);
  if (txdata === null) return { complete: false, results: psbt.inputs.map(() => "invalid_tx") };
  const results: PsbtSignResult[] = [];
  for (let i = 0; i < psbt.inputs.length; i++) {
    results.push(signPsbtInput(provider, psbt, i, {
      sighashType: options.sighashType,
      finalize: options.finalize,
      txdata,
    }));
  }
  removeUnnecessaryTransactions(psbt);
  // Complete when every input is now signed and verifies (Core's FillPSBT).
  let complete = true;
  for (let i = 0; i < psbt.inputs.length && complete; i++) {
    complete = isInputSignedAndVerified(psbt, i, txdata);
  }
  return { complete, results };
}

/**
 * Core's `FinalizePSBT`: combines the signatures each input has into final scriptSigs/witnesses where they
 * suffice; returns whether every input is now final.
 */
export function finalizePsbt(psbt: Psbt): boolean {
  const txdata = precomputePsbtData(psbt);
  if (txdata === null) return false;
  let complete = true;
  for (let i = 0; i < psbt.inputs.length; i++) {
    const r = signPsbtInput(DUMMY_SIGNING_PROVIDER, psbt, i, {
      sighashType: psbt.inputs[i].sighashType,
      finalize: true,
      txdata,
    });
    complete &&= r === "ok";
  }
  return complete;
}

/**
 * Core's `FinalizeAndExtractPSBT`: finalizes, then the network transaction with the final scriptSigs and
 * witnesses; null when some input cannot be finalized.
 */
export function finalizeAndExtract(psbt: Psbt): Transaction | null {
  if (!finalizePsbt(psbt)) return null;
  const tx = unsignedTx(psbt);
  if (tx === null) return null;
  return {
    ...tx,
    inputs: tx.inputs.map((txin, i) => ({
      ...txin,
      scriptSig: psbt.inputs[i].finalScriptSig ?? EMPTY,
      witness: psbt.inputs[i].finalScriptWitness ?? [],
    })),
  };
}
