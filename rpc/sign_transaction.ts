/**
 * Transaction signing as Bitcoin Core's `script/sign.cpp` does it for keys and scripts given directly (no
 * wallet): `ProduceSignature` over the standard templates (P2PK, P2PKH, bare and P2SH multisig, P2WPKH,
 * P2SH-P2WPKH, P2WSH, P2SH-P2WSH, taproot key path for a key equal to the output key), `DataFromTransaction`
 * (what an input already carries: signatures, redeem and witness scripts), `MergeSignatureData` and
 * `SignTransaction` with Core's per-input error texts.
 *
 * ECDSA signatures are Core's byte for byte: RFC 6979 nonces, low S, and R ground to 32 bytes with Core's extra
 * entropy counter (`CKey::Sign` with `grind`). Schnorr signatures use BIP340 with all-zero auxiliary data, as
 * Core's `CreateSchnorrSig`.
 *
 * Not covered (Core's Miniscript satisfier, taproot script paths, MuSig2): inputs that need them are left
 * unsigned and reported with the verification error, as Core reports inputs it cannot solve.
 *
 * @module
 */
import { ripemd160 } from "@noble/hashes/legacy.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import type { SecretKey } from "../core/address/wif.ts";
import { defaultSecp256k1 } from "../core/crypto/default_backend.ts";
import { signEcdsaGrindR } from "../core/crypto/sign_ecdsa.ts";
import { bytesEqual, hash160, reverseHex, toHex } from "../core/hash/hashes.ts";
import { MAX_MONEY } from "../core/chain_params.ts";
import { moneyRange } from "../core/consensus/amount.ts";
import type { ScriptExecutionData, SignatureChecker, SigVersion } from "../core/script/checker.ts";
import { evalScript, verifyScript } from "../core/script/interpreter.ts";
import { SCRIPT_VERIFY_STRICTENC, STANDARD_SCRIPT_VERIFY_FLAGS } from "../core/script/flags.ts";
import { OP_CHECKSIG, OP_DUP, OP_EQUALVERIFY, OP_HASH160 } from "../core/script/opcodes.ts";
import { pushAll } from "../core/script/script.ts";
import {
  PrecomputedTransactionData,
  SIGHASH_ALL,
  SIGHASH_ANYONECANPAY,
  SIGHASH_DEFAULT,
  SIGHASH_SINGLE,
  signatureHash,
  signatureHashSchnorr,
} from "../core/script/sighash.ts";
import { solver, type TxoutType } from "../core/script/standard.ts";
import { type ScriptError, scriptErrorString } from "../core/script/script_error.ts";
import { TransactionSignatureChecker } from "../core/script/tx_checker.ts";
import { outPointKey } from "../core/wire/outpoint.ts";
import type { OutPoint, Transaction, TxIn, TxOut } from "../core/wire/types.ts";

const EMPTY: Uint8Array = new Uint8Array(0);

// ---------------------------------------------------------------------------------------------------------------
// Keys and signing providers

/** A private key with its serialized public key (compressed or not, as the key says). */
export interface KeyPair {
  /** The secret and its compression flag. */
  readonly secret: SecretKey;
  /** The public key, 33 or 65 bytes. */
  readonly pubkey: Uint8Array;
}

/** Core's `CKey::GetPubKey`: the public key of `secret` (33 bytes when compressed, else 65). */
export function publicKeyOf(secret: SecretKey): Uint8Array {
  return secp256k1.getPublicKey(secret.key, secret.compressed);
}

/** What signing may look up (Core's `SigningProvider`); ids are HASH160s. */
export interface SigningProvider {
  /** The private key whose public key hashes to `keyId` (Core's `GetKey`). */
  getKey(keyId: Uint8Array): KeyPair | undefined;
  /** The public key hashing to `keyId` (Core's `GetPubKey`). */
  getPubkey(keyId: Uint8Array): Uint8Array | undefined;
  /** The script hashing to `scriptId` (Core's `GetCScript`). */
  getScript(scriptId: Uint8Array): Uint8Array | undefined;
}

/** Core's `FlatSigningProvider`: keys, public keys and scripts in maps keyed by hex HASH160. */
export class FlatSigningProvider implements SigningProvider {
  /** Keys by hex HASH160 of their public key. */
  readonly keys: Map<string, KeyPair> = new Map();
  /** Public keys by hex HASH160. */
  readonly pubkeys: Map<string, Uint8Array> = new Map();
  /** Scripts by hex HASH160 (Core's `CScriptID`). */
  readonly scripts: Map<string, Uint8Array> = new Map();

  /** Adds a private key (and its public key), as `signrawtransactionwithkey` does. */
  addKey(secret: SecretKey): KeyPair {
    const pubkey = publicKeyOf(secret);
    const id = toHex(hash160(pubkey));
    const pair = { secret, pubkey };
    if (!this.pubkeys.has(id)) this.pubkeys.set(id, pubkey);
    if (!this.keys.has(id)) this.keys.set(id, pair);
    return pair;
  }

  /** Adds a script under its HASH160 (first one wins, as `std::map::emplace`). */
  addScript(script: Uint8Array): void {
    const id = toHex(hash160(script));
    if (!this.scripts.has(id)) this.scripts.set(id, script);
  }

  /** See {@link SigningProvider.getKey}. */
  getKey(keyId: Uint8Array): KeyPair | undefined {
    return this.keys.get(toHex(keyId));
  }

  /** See {@link SigningProvider.getPubkey}. */
  getPubkey(keyId: Uint8Array): Uint8Array | undefined {
    return this.pubkeys.get(toHex(keyId));
  }

  /** See {@link SigningProvider.getScript}. */
  getScript(scriptId: Uint8Array): Uint8Array | undefined {
    return this.scripts.get(toHex(scriptId));
  }
}

/** Core's `DUMMY_SIGNING_PROVIDER`: knows nothing. */
export const DUMMY_SIGNING_PROVIDER: SigningProvider = Object.freeze({
  getKey: () => undefined,
  getPubkey: () => undefined,
  getScript: () => undefined,
});

/** Core's `GetKeyByXOnly`: the key whose public key is 02‖x or 03‖x. */
function getKeyByXOnly(provider: SigningProvider, xonly: Uint8Array): KeyPair | undefined {
  for (const prefix of [2, 3]) {
    const full = new Uint8Array(33);
    full[0] = prefix;
    full.set(xonly, 1);
    const key = provider.getKey(hash160(full));
    if (key !== undefined) return key;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Signature data

/** What is known about one input's signing (Core's `SignatureData`). */
export interface SignatureData {
  /** The input is completely signed. */
  complete: boolean;
  /** The scriptWitness is meaningful (a witness spend). */
  witness: boolean;
  /** The scriptSig built. */
  scriptSig: Uint8Array;
  /** The P2SH redeem script, or empty. */
  redeemScript: Uint8Array;
  /** The P2WSH witness script, or empty. */
  witnessScript: Uint8Array;
  /** The witness stack built. */
  scriptWitness: Uint8Array[];
  /** Signatures by hex HASH160 of the public key. */
  signatures: Map<string, { pubkey: Uint8Array; sig: Uint8Array }>;
}

/** An empty {@link SignatureData}. */
export function emptySignatureData(): SignatureData {
  return {
    complete: false,
    witness: false,
    scriptSig: EMPTY,
    redeemScript: EMPTY,
    witnessScript: EMPTY,
    scriptWitness: [],
    signatures: new Map(),
  };
}

/** Core's `SignatureData::MergeSignatureData`. */
export function mergeSignatureData(into: SignatureData, other: SignatureData): void {
  if (into.complete) return;
  if (other.complete) {
    Object.assign(into, other, { signatures: new Map(other.signatures) });
    return;
  }
  if (into.redeemScript.length === 0 && other.redeemScript.length !== 0) {
    into.redeemScript = other.redeemScript;
  }
  if (into.witnessScript.length === 0 && other.witnessScript.length !== 0) {
    into.witnessScript = other.witnessScript;
  }
  for (const [k, v] of other.signatures) if (!into.signatures.has(k)) into.signatures.set(k, v);
}

// ---------------------------------------------------------------------------------------------------------------
// Signature creator

/** Makes the signatures of one input (Core's `MutableTransactionSignatureCreator`). */
export class TransactionSignatureCreator {
  /** The transaction. */
  readonly tx: Transaction;
  /** The input signed. */
  readonly inputIndex: number;
  /** Amount of the spent output. */
  readonly amount: bigint;
  /** Hash type requested (SIGHASH_DEFAULT means ALL for ECDSA). */
  readonly sighashType: number;
  /** Shared transaction data; null signs without (no taproot). */
  readonly precomputed: PrecomputedTransactionData | null;
  /** The checker used to test the result. */
  readonly checker: TransactionSignatureChecker;

  /** A creator for input `inputIndex` of `tx` spending `amount`. */
  constructor(
    tx: Transaction,
    inputIndex: number,
    amount: bigint,
    precomputed: PrecomputedTransactionData | null,
    sighashType: number,
  ) {
    this.tx = tx;
    this.inputIndex = inputIndex;
    this.amount = amount;
    this.precomputed = precomputed;
    this.sighashType = sighashType;
    this.checker = new TransactionSignatureChecker({
      tx,
      inputIndex,
      amount,
      precomputed: precomputed ?? undefined,
    });
  }

  /** Core's `CreateSig` (ECDSA): null without the key, for an uncompressed key in witness v0, or bad amount. */
  createSig(
    provider: SigningProvider,
    keyId: Uint8Array,
    scriptCode: Uint8Array,
    sigversion: "base" | "witness_v0",
  ): Uint8Array | null {
    const key = provider.getKey(keyId);
    if (key === undefined) return null;
    if (sigversion === "witness_v0" && !key.secret.compressed) return null;
    if (sigversion === "witness_v0" && !moneyRange(this.amount)) {
      return null;
    }
    const hashType = this.sighashType === SIGHASH_DEFAULT ? SIGHASH_ALL : this.sighashType;
    const hash = signatureHash(scriptCode, this.tx, this.inputIndex, hashType, {
      sigversion,
      amount: this.amount,
      precomputed: this.precomputed ?? undefined,
    });
    const der = signEcdsaGrindR(hash, key.secret.key);
    const out = new Uint8Array(der.length + 1);
    out.set(der);
    out[der.length] = hashType & 0xff;
    return out;
  }

  /** Core's `CreateSchnorrSig` for the key path with an untweaked key (merkle root null). */
  createSchnorrSig(provider: SigningProvider, xonly: Uint8Array): Uint8Array | null {
    const key = getKeyByXOnly(provider, xonly);
    if (key === undefined) return null;
    if (this.precomputed === null || !this.precomputed.bip341Ready) return null;
    const execdata: ScriptExecutionData = { annex: null };
    const hash = signatureHashSchnorr(
      this.tx,
      this.inputIndex,
      this.sighashType,
      "taproot",
      execdata,
      this.precomputed,
    );
    if (hash === null) return null;
    const sig = defaultSecp256k1().signSchnorr(hash, key.secret.key, new Uint8Array(32));
    if (this.sighashType === SIGHASH_DEFAULT) return sig;
    const out = new Uint8Array(65);
    out.set(sig);
    out[64] = this.sighashType;
    return out;
  }
}

function getPubKey(
  provider: SigningProvider,
  sigdata: SignatureData,
  keyId: Uint8Array,
): Uint8Array | undefined {
  const s = sigdata.signatures.get(toHex(keyId));
  if (s !== undefined) return s.pubkey;
  return provider.getPubkey(keyId);
}

function getScript(
  provider: SigningProvider,
  sigdata: SignatureData,
  scriptId: Uint8Array,
): Uint8Array | undefined {
  const s = provider.getScript(scriptId);
  if (s !== undefined) return s;
  if (sigdata.redeemScript.length > 0 && bytesEqual(hash160(sigdata.redeemScript), scriptId)) {
    return sigdata.redeemScript;
  }
  if (sigdata.witnessScript.length > 0 && bytesEqual(hash160(sigdata.witnessScript), scriptId)) {
    return sigdata.witnessScript;
  }
  return undefined;
}

/** Core's static `CreateSig`: a known signature for the key, else a new one (recorded in `sigdata`). */
function createSigFor(
  creator: TransactionSignatureCreator | null,
  sigdata: SignatureData,
  provider: SigningProvider,
  pubkey: Uint8Array,
  scriptCode: Uint8Array,
  sigversion: "base" | "witness_v0",
): Uint8Array | null {
  const keyId = hash160(pubkey);
  const id = toHex(keyId);
  const known = sigdata.signatures.get(id);
  if (known !== undefined) return known.sig;
  const sig = creator?.createSig(provider, keyId, scriptCode, sigversion) ?? null;
  if (sig !== null) sigdata.signatures.set(id, { pubkey, sig });
  return sig;
}

interface StepResult {
  solved: boolean;
  type: TxoutType;
  ret: Uint8Array[];
}

/** Core's `SignStep`. */
function signStep(
  provider: SigningProvider,
  creator: TransactionSignatureCreator | null,
  scriptPubKey: Uint8Array,
  sigversion: "base" | "witness_v0",
  sigdata: SignatureData,
): StepResult {
  const sol = solver(scriptPubKey);
  const ret: Uint8Array[] = [];
  const done = (solved: boolean) => ({ solved, type: sol.type, ret });
  switch (sol.type) {
    case "nonstandard":
    case "nulldata":
    case "witness_unknown":
      return done(false);
    case "pubkey": {
      const sig = createSigFor(creator, sigdata, provider, sol.pubkey, scriptPubKey, sigversion);
      if (sig === null) return done(false);
      ret.push(sig);
      return done(true);
    }
    case "pubkeyhash": {
      const pubkey = getPubKey(provider, sigdata, sol.hash);
      if (pubkey === undefined) return done(false);
      const sig = createSigFor(creator, sigdata, provider, pubkey, scriptPubKey, sigversion);
      if (sig === null) return done(false);
      ret.push(sig, pubkey);
      return done(true);
    }
    case "scripthash": {
      const script = getScript(provider, sigdata, sol.hash);
      if (script === undefined) return done(false);
      ret.push(script);
      return done(true);
    }
    case "multisig": {
      const required = sol.required;
      ret.push(EMPTY); // CHECKMULTISIG's extra pop
      for (const pubkey of sol.pubkeys) {
        const sig = createSigFor(creator, sigdata, provider, pubkey, scriptPubKey, sigversion);
        if (sig !== null && ret.length < required + 1) ret.push(sig);
      }
      const ok = ret.length === required + 1;
      while (ret.length < required + 1) ret.push(EMPTY);
      return done(ok);
    }
    case "witness_v0_keyhash":
      ret.push(sol.hash);
      return done(true);
    case "witness_v0_scripthash": {
      const script = getScript(provider, sigdata, ripemd160(sol.hash));
      if (script === undefined) return done(false);
      ret.push(script);
      return done(true);
    }
    case "witness_v1_taproot": {
      // Key path with the output key itself (no spend data is known without a wallet).
      const sig = creator?.createSchnorrSig(provider, sol.outputKey) ?? null;
      if (sig === null) return done(false);
      ret.push(sig);
      return done(true);
    }
    case "anchor":
      return done(true);
  }
}

/**
 * Core's `ProduceSignature`: solves `scriptPubKey` (through P2SH and P2WSH/P2WPKH), signing with `creator`
 * (null: only signatures already in `sigdata`), fills `sigdata.scriptSig`/`scriptWitness` and sets `complete`
 * when the result verifies under the standard flags. Returns `complete`.
 */
export function produceSignature(
  provider: SigningProvider,
  creator: TransactionSignatureCreator,
  scriptPubKey: Uint8Array,
  sigdata: SignatureData,
): boolean {
  if (sigdata.complete) return true;
  let step = signStep(provider, creator, scriptPubKey, "base", sigdata);
  let solved = step.solved;
  let result = step.ret;
  let whichType = step.type;
  let p2sh = false;
  let subscript: Uint8Array = EMPTY;

  if (solved && whichType === "scripthash") {
    subscript = result[0];
    sigdata.redeemScript = subscript;
    step = signStep(provider, creator, subscript, "base", sigdata);
    result = step.ret;
    whichType = step.type;
    solved = step.solved && whichType !== "scripthash";
    p2sh = true;
  }

  if (solved && whichType === "witness_v0_keyhash") {
    const witnessScript = Uint8Array.of(OP_DUP, OP_HASH160, 20, ...result[0], OP_EQUALVERIFY, OP_CHECKSIG);
    step = signStep(provider, creator, witnessScript, "witness_v0", sigdata);
    solved = solved && step.solved;
    sigdata.scriptWitness = step.ret;
    sigdata.witness = true;
    result = [];
  } else if (solved && whichType === "witness_v0_scripthash") {
    const witnessScript = result[0];
    sigdata.witnessScript = witnessScript;
    step = signStep(provider, creator, witnessScript, "witness_v0", sigdata);
    const sub = step.type;
    solved = solved && step.solved && sub !== "scripthash" && sub !== "witness_v0_scripthash" &&
      sub !== "witness_v0_keyhash";
    result = [...step.ret, witnessScript];
    sigdata.scriptWitness = result;
    sigdata.witness = true;
    result = [];
  } else if (whichType === "witness_v1_taproot" && !p2sh) {
    sigdata.witness = true;
    if (solved) sigdata.scriptWitness = result;
    result = [];
  } else if (solved && whichType === "witness_unknown") {
    sigdata.witness = true;
  }

  if (!sigdata.witness) sigdata.scriptWitness = [];
  if (p2sh) result = [...result, subscript];
  sigdata.scriptSig = pushAll(result);
  sigdata.complete = solved &&
    verifyScript(
        sigdata.scriptSig,
        scriptPubKey,
        sigdata.scriptWitness,
        STANDARD_SCRIPT_VERIFY_FLAGS,
        creator.checker,
      ) === null;
  return sigdata.complete;
}

// ---------------------------------------------------------------------------------------------------------------
// DataFromTransaction

/** Core's `BaseSignatureChecker`: every check fails. */
const FAILING_CHECKER: SignatureChecker = {
  checkEcdsaSignature: () => false,
  checkSchnorrSignature: () => "SCHNORR_SIG",
  checkLockTime: () => false,
  checkSequence: () => false,
};

/** Core's `SignatureExtractorChecker`: the real checker, recording each valid ECDSA signature in `sigdata`. */
function extractorChecker(inner: SignatureChecker, sigdata: SignatureData): SignatureChecker {
  return {
    checkEcdsaSignature(sig, pubkey, scriptCode, sigversion: SigVersion) {
      if (!inner.checkEcdsaSignature(sig, pubkey, scriptCode, sigversion)) return false;
      const id = toHex(hash160(pubkey));
      if (!sigdata.signatures.has(id)) sigdata.signatures.set(id, { pubkey, sig });
      return true;
    },
    checkSchnorrSignature: (sig, pubkey, sigversion, execdata) =>
      inner.checkSchnorrSignature(sig, pubkey, sigversion, execdata),
    checkLockTime: (n) => inner.checkLockTime(n),
    checkSequence: (n) => inner.checkSequence(n),
  };
}

/**
 * Core's `DataFromTransaction`: what input `nIn` of `tx` already carries for spending `txout` — complete when
 * it verifies; else its redeem/witness scripts and the valid signatures found in a (partial) multisig.
 */
export function dataFromTransaction(tx: Transaction, nIn: number, txout: TxOut): SignatureData {
  const input = tx.inputs[nIn];
  const data = emptySignatureData();
  data.scriptSig = input.scriptSig;
  data.scriptWitness = [...input.witness];
  const scriptStack: Uint8Array[] = [];
  evalScript(scriptStack, input.scriptSig, SCRIPT_VERIFY_STRICTENC, FAILING_CHECKER, "base");
  let witnessStack = [...input.witness];
  let stackScript = scriptStack;

  const txChecker = new TransactionSignatureChecker({ tx, inputIndex: nIn, amount: txout.value });
  const extractor = extractorChecker(txChecker, data);
  if (
    verifyScript(
      input.scriptSig,
      txout.scriptPubKey,
      input.witness,
      STANDARD_SCRIPT_VERIFY_FLAGS,
      extractor,
    ) ===
      null
  ) {
    data.complete = true;
    return data;
  }

  let sol = solver(txout.scriptPubKey);
  let sigversion: "base" | "witness_v0" = "base";
  let nextScript = txout.scriptPubKey;
  if (sol.type === "scripthash" && stackScript.length > 0 && stackScript[stackScript.length - 1].length > 0) {
    const redeem = stackScript[stackScript.length - 1];
    data.redeemScript = redeem;
    nextScript = redeem;
    sol = solver(nextScript);
    stackScript = stackScript.slice(0, -1);
  }
  if (
    sol.type === "witness_v0_scripthash" && witnessStack.length > 0 &&
    witnessStack[witnessStack.length - 1].length > 0
  ) {
    const ws = witnessStack[witnessStack.length - 1];
    data.witnessScript = ws;
    nextScript = ws;
    sol = solver(nextScript);
    witnessStack = witnessStack.slice(0, -1);
    stackScript = witnessStack;
    witnessStack = [];
    sigversion = "witness_v0";
  }
  if (sol.type === "multisig" && stackScript.length > 0) {
    const pubkeys = sol.pubkeys;
    let lastSuccess = 0;
    for (const sig of stackScript) {
      for (let i = lastSuccess; i < pubkeys.length; i++) {
        const pubkey = pubkeys[i];
        if (
          data.signatures.has(toHex(hash160(pubkey))) ||
          extractor.checkEcdsaSignature(sig, pubkey, nextScript, sigversion)
        ) {
          lastSuccess = i + 1;
          break;
        }
      }
    }
  }
  return data;
}

/** Core's `UpdateInput`: the input with the scriptSig and witness of `data`. */
export function updateInput(input: TxIn, data: SignatureData): TxIn {
  return { ...input, scriptSig: data.scriptSig, witness: data.scriptWitness };
}

// ---------------------------------------------------------------------------------------------------------------
// SignTransaction

/** A spendable output as signing needs it (Core's `Coin.out`). */
export interface CoinOut {
  /** Amount in satoshis (MAX_MONEY when unknown, as `ParsePrevouts` sets it). */
  readonly value: bigint;
  /** Output script. */
  readonly scriptPubKey: Uint8Array;
}

/** The result of {@link signTransaction}. */
export interface SignTransactionResult {
  /** The transaction with every input updated. */
  tx: Transaction;
  /** Whether every input is completely signed (no errors). */
  complete: boolean;
  /** Errors by input index, in index order (Core's `input_errors`). */
  errors: Map<number, string>;
}

/** One entry of `errors` in `signrawtransactionwithkey` / `signrawtransactionwithwallet` results. */
export interface TxInErrorJson {
  txid: string;
  vout: number;
  witness: string[];
  scriptSig: string;
  sequence: number;
  error: string;
}

/** Core's `TxInErrorToJSON`: `input` (of the signed transaction) with its signing or verification `error`. */
export function txInErrorToJson(input: TxIn, error: string): TxInErrorJson {
  return {
    txid: reverseHex(input.prevout.txid),
    vout: input.prevout.vout >>> 0,
    witness: input.witness.map(toHex),
    scriptSig: toHex(input.scriptSig),
    sequence: input.sequence >>> 0,
    error,
  };
}

/** MAX_MONEY in satoshis: the amount `ParsePrevouts` gives coins of prevtxs without `amount`. */
export const MAX_MONEY_SATS: bigint = MAX_MONEY;

/**
 * Core's `SignTransaction`: signs every input whose coin is in `coins` (keyed by `outPointKey`) with
 * `provider`'s keys and scripts, then checks each incomplete input under the standard flags. Errors per input:
 * "Input not found or already spent", "Missing amount" (segwit input of a coin without amount), "Unable to sign
 * input, invalid stack size (possibly missing key)", "CHECK(MULTI)SIG failing with non-zero signature (possibly
 * need more signatures)", or the script error text.
 */
export function signTransaction(
  tx: Transaction,
  provider: SigningProvider,
  coins: ReadonlyMap<string, CoinOut>,
  sighashType: number,
): SignTransactionResult {
  const hashSingle = (sighashType & ~SIGHASH_ANYONECANPAY) === SIGHASH_SINGLE;
  const spent: TxOut[] = [];
  for (const input of tx.inputs) {
    const coin = coins.get(outPointKey(input.prevout));
    if (coin === undefined) break;
    spent.push({ value: coin.value, scriptPubKey: coin.scriptPubKey });
  }
  const precomputed = new PrecomputedTransactionData(tx, spent.length === tx.inputs.length ? spent : null);
  const inputs: TxIn[] = [...tx.inputs];
  const errors = new Map<number, string>();
  for (let i = 0; i < tx.inputs.length; i++) {
    const coin = coins.get(outPointKey(tx.inputs[i].prevout));
    if (coin === undefined) {
      errors.set(i, "Input not found or already spent");
      continue;
    }
    const current: Transaction = { ...tx, inputs: [...inputs] };
    const sigdata = dataFromTransaction(current, i, coin);
    if (!hashSingle || i < tx.outputs.length) {
      produceSignature(
        provider,
        new TransactionSignatureCreator(tx, i, coin.value, precomputed, sighashType),
        coin.scriptPubKey,
        sigdata,
      );
    }
    inputs[i] = updateInput(inputs[i], sigdata);
    if (coin.value === MAX_MONEY_SATS && inputs[i].witness.length > 0) {
      errors.set(i, "Missing amount");
      continue;
    }
    let error: ScriptError | null = null;
    if (!sigdata.complete) {
      const checker = new TransactionSignatureChecker({ tx, inputIndex: i, amount: coin.value, precomputed });
      error = verifyScript(
        inputs[i].scriptSig,
        coin.scriptPubKey,
        inputs[i].witness,
        STANDARD_SCRIPT_VERIFY_FLAGS,
        checker,
      );
    }
    if (error !== null) {
      if (error === "INVALID_STACK_OPERATION") {
        errors.set(i, "Unable to sign input, invalid stack size (possibly missing key)");
      } else if (error === "NULLFAIL") {
        errors.set(i, "CHECK(MULTI)SIG failing with non-zero signature (possibly need more signatures)");
      } else {
        errors.set(i, scriptErrorString(error));
      }
    } else {
      errors.delete(i);
    }
  }
  return { tx: { ...tx, inputs }, complete: errors.size === 0, errors };
}

/** The `outPointKey` of an outpoint (re-exported for building coin maps). */
export function coinKey(outpoint: OutPoint): string {
  return outPointKey(outpoint);
}
