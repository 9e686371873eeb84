/**
 * PSBT serialization (BIP 174 / BIP 370) exactly as Bitcoin Core's `PartiallySignedTransaction`
 * `Unserialize`/`Serialize`: strict decoding with Core's checks and error texts (duplicate keys, key sizes,
 * version rules, v0/v2 field restrictions, non-witness UTXO consistency, taproot and MuSig2 field checks), and
 * encoding in Core's canonical field order, so a PSBT Core wrote round-trips byte for byte. Base64 in and out
 * as Core's `DecodeBase64PSBT` / `EncodeBase64`.
 *
 * @module
 */
import { decodeBase64, encodeBase64 } from "./base64.ts";
import { PsbtDecodeError } from "./errors.ts";
import {
  type Bip32Derivation,
  type KeyOriginInfo,
  type Musig2ParticipantData,
  newPsbtInput,
  newPsbtOutput,
  type Psbt,
  PSBT_HIGHEST_VERSION,
  type PsbtInput,
  type PsbtOutput,
  type PsbtProprietary,
  type PsbtUnknown,
  type PsbtXpub,
  type TapBip32Derivation,
  type TapLeafScript,
  type TapTreeLeaf,
} from "./types.ts";
import { bytesEqual, compareBytes, fromHex, toHex } from "../hash/hashes.ts";
import { DecodeError } from "../wire/errors.ts";
import { ByteReader } from "../wire/reader.ts";
import { ByteWriter } from "../wire/writer.ts";
import { readTransaction, txid, writeTransaction } from "../wire/transaction.ts";
import type { Transaction, TxOut } from "../wire/types.ts";
import { checkSignatureEncoding } from "../script/interpreter/signature_encoding.ts";
import { SCRIPT_VERIFY_DERSIG, SCRIPT_VERIFY_STRICTENC } from "../script/flags.ts";
import { LOCKTIME_THRESHOLD } from "../script/script.ts";
import { TAPROOT_LEAF_MASK } from "../script/interpreter.ts";
import { validTaprootDepths } from "../descriptors/taproot_tree.ts";
import { defaultSecp256k1 } from "../crypto/default_backend.ts";
import { hash160 } from "../hash/hashes.ts";
import { unsignedTx } from "./tx.ts";

/** The PSBT magic bytes "psbt" 0xff. */
export const PSBT_MAGIC_BYTES: Uint8Array = Uint8Array.of(0x70, 0x73, 0x62, 0x74, 0xff);

/** Global key types. */
export const PSBT_GLOBAL = {
  UNSIGNED_TX: 0x00,
  XPUB: 0x01,
  TX_VERSION: 0x02,
  FALLBACK_LOCKTIME: 0x03,
  INPUT_COUNT: 0x04,
  OUTPUT_COUNT: 0x05,
  TX_MODIFIABLE: 0x06,
  VERSION: 0xfb,
  PROPRIETARY: 0xfc,
} as const;

/** Input key types. */
export const PSBT_IN = {
  NON_WITNESS_UTXO: 0x00,
  WITNESS_UTXO: 0x01,
  PARTIAL_SIG: 0x02,
  SIGHASH: 0x03,
  REDEEMSCRIPT: 0x04,
  WITNESSSCRIPT: 0x05,
  BIP32_DERIVATION: 0x06,
  SCRIPTSIG: 0x07,
  SCRIPTWITNESS: 0x08,
  RIPEMD160: 0x0a,
  SHA256: 0x0b,
  HASH160: 0x0c,
  HASH256: 0x0d,
  PREVIOUS_TXID: 0x0e,
  OUTPUT_INDEX: 0x0f,
  SEQUENCE: 0x10,
  REQUIRED_TIME_LOCKTIME: 0x11,
  REQUIRED_HEIGHT_LOCKTIME: 0x12,
  TAP_KEY_SIG: 0x13,
  TAP_SCRIPT_SIG: 0x14,
  TAP_LEAF_SCRIPT: 0x15,
  TAP_BIP32_DERIVATION: 0x16,
  TAP_INTERNAL_KEY: 0x17,
  TAP_MERKLE_ROOT: 0x18,
  MUSIG2_PARTICIPANT_PUBKEYS: 0x1a,
  MUSIG2_PUB_NONCE: 0x1b,
  MUSIG2_PARTIAL_SIG: 0x1c,
  PROPRIETARY: 0xfc,
} as const;

/** Output key types. */
export const PSBT_OUT = {
  REDEEMSCRIPT: 0x00,
  WITNESSSCRIPT: 0x01,
  BIP32_DERIVATION: 0x02,
  AMOUNT: 0x03,
  SCRIPT: 0x04,
  TAP_INTERNAL_KEY: 0x05,
  TAP_TREE: 0x06,
  TAP_BIP32_DERIVATION: 0x07,
  MUSIG2_PARTICIPANT_PUBKEYS: 0x08,
  PROPRIETARY: 0xfc,
} as const;

/** Core's `TAPROOT_CONTROL_MAX_NODE_COUNT`. */
const TAPROOT_CONTROL_MAX_NODE_COUNT = 128;
/** Core's `MUSIG2_PUBNONCE_SIZE`. */
const MUSIG2_PUBNONCE_SIZE = 66;
/** Core's `BIP32_EXTKEY_WITH_VERSION_SIZE`. */
const BIP32_EXTKEY_WITH_VERSION_SIZE = 78;

// -------------------------------------------------------------------------------------------------------------
// Byte helpers

/** Lexicographic byte order (core/hash/hashes.ts), part of this module's API. */
export { compareBytes };

/** Core's `KeyOriginInfo::operator<`: fingerprint bytes, then path length, then path elements. */
export function compareKeyOrigins(a: KeyOriginInfo, b: KeyOriginInfo): number {
  const f = compareBytes(a.fingerprint, b.fingerprint);
  if (f !== 0) return f;
  if (a.path.length !== b.path.length) return a.path.length - b.path.length;
  for (let i = 0; i < a.path.length; i++) {
    if (a.path[i] !== b.path[i]) return (a.path[i] >>> 0) < (b.path[i] >>> 0) ? -1 : 1;
  }
  return 0;
}

/** Core's `CExtPubKey::operator<` on serialized 78-byte xpubs: public key, then chain code. */
function compareXpubs(a: Uint8Array, b: Uint8Array): number {
  return compareBytes(a.subarray(45, 78), b.subarray(45, 78)) ||
    compareBytes(a.subarray(13, 45), b.subarray(13, 45));
}

/** Global xpubs in Core's serialization order (by origin, then by key). */
export function sortedXpubs(xpubs: readonly PsbtXpub[]): PsbtXpub[] {
  return [...xpubs].sort((a, b) => compareKeyOrigins(a.origin, b.origin) || compareXpubs(a.xpub, b.xpub));
}

/**
 * What makes a global xpub unique (Core's map from origin to a set ordered by public key and chain code): the
 * origin, the public key and the chain code.
 */
export function xpubIdentity(x: PsbtXpub): string {
  return `${toHex(x.origin.fingerprint)}/${x.origin.path.join("/")}:${toHex(x.xpub.subarray(13))}`;
}

function isNullBytes(b: Uint8Array | undefined): boolean {
  return b === undefined || b.every((x) => x === 0);
}

/** The values of one of the model's maps in the order Core serializes them: by key (the hex of the PSBT key). */
export function sortedByKey<T>(map: ReadonlyMap<string, T>): T[] {
  return [...map.keys()].sort().map((k) => map.get(k)!);
}

/** Map key of a MuSig2 nonce or partial signature: aggregate ‖ leaf hash (zeros for none) ‖ participant. */
export function musig2DataKey(
  aggregate: Uint8Array,
  leafHash: Uint8Array | null,
  participant: Uint8Array,
): string {
  return toHex(aggregate) + (leafHash === null ? "00".repeat(32) : toHex(leafHash)) + toHex(participant);
}

/** Map key of a taproot script signature: x-only key ‖ leaf hash. */
export function tapScriptSigKey(xonly: Uint8Array, leafHash: Uint8Array): string {
  return toHex(xonly) + toHex(leafHash);
}

/** Map key of a taproot leaf script: hex script ":" leaf version. */
export function tapLeafKey(script: Uint8Array, leafVersion: number): string {
  return `${toHex(script)}:${leafVersion}`;
}

/** Adds a control block to a leaf script's set (kept shortest first, then by bytes; no duplicates). */
export function addControlBlock(leaf: TapLeafScript, controlBlock: Uint8Array): void {
  if (leaf.controlBlocks.some((c) => bytesEqual(c, controlBlock))) return;
  leaf.controlBlocks.push(controlBlock);
  leaf.controlBlocks.sort((a, b) => a.length - b.length || compareBytes(a, b));
}

/** Adds leaf hashes to a sorted unique list. */
export function addLeafHashes(into: Uint8Array[], hashes: readonly Uint8Array[]): void {
  for (const h of hashes) if (!into.some((x) => bytesEqual(x, h))) into.push(h);
  into.sort(compareBytes);
}

// -------------------------------------------------------------------------------------------------------------
// Decoding

const secp = defaultSecp256k1();

function fail(reason: string): never {
  throw new PsbtDecodeError(reason);
}

/** Core's `UnserializeFromVector`: a length, then `read` on the same stream, which must use exactly it. */
function fromVector<T>(r: ByteReader, read: () => T): T {
  const expected = r.compactSize();
  const before = r.pos;
  const v = read();
  if (r.pos - before !== expected) fail("Size of value was not the stated size");
  return v;
}

function expectedKeySize(name: string, key: Uint8Array, size: number): void {
  if (key.length !== size) fail(`Size of key was not ${size} for the type ${name}`);
}

function readKeyOrigin(r: ByteReader, length: number): KeyOriginInfo {
  if (length % 4 !== 0 || length === 0) fail("Invalid length for HD key path");
  const fingerprint = r.bytes(4).slice();
  const path: number[] = [];
  for (let i = 4; i < length; i += 4) path.push(r.u32());
  return { fingerprint, path };
}

function readHdKeypath(r: ByteReader, key: Uint8Array, into: Map<string, Bip32Derivation>): void {
  if (key.length !== 34 && key.length !== 66) {
    fail("Size of key was not the expected size for the type BIP32 keypath");
  }
  const pubkey = key.slice(1);
  if (!secp.isValidPubkey(pubkey)) fail("Invalid pubkey");
  const origin = readKeyOrigin(r, r.compactSize());
  const k = toHex(pubkey);
  if (!into.has(k)) into.set(k, { pubkey, origin });
}

function readTapBip32(
  r: ByteReader,
  key: Uint8Array,
  into: Map<string, TapBip32Derivation>,
  ctx: string,
): void {
  expectedKeySize(`${ctx} Taproot BIP32 Keypath`, key, 33);
  const xonly = key.slice(1);
  const valueLen = r.compactSize();
  const before = r.pos;
  const count = r.compactSize();
  const leafHashes: Uint8Array[] = [];
  const seenHashes = new Set<string>();
  for (let i = 0; i < count; i++) {
    const h = r.bytes(32);
    const k = toHex(h);
    if (seenHashes.has(k)) continue;
    seenHashes.add(k);
    leafHashes.push(h.slice());
  }
  leafHashes.sort(compareBytes);
  const hashesLen = r.pos - before;
  if (hashesLen > valueLen) fail(`${ctx} Taproot BIP32 keypath has an invalid length`);
  const origin = readKeyOrigin(r, valueLen - hashesLen);
  const k = toHex(xonly);
  if (!into.has(k)) into.set(k, { xonly, leafHashes, origin });
}

function readMusig2Participants(
  r: ByteReader,
  key: Uint8Array,
  into: Map<string, { aggregate: Uint8Array; participants: Uint8Array[] }>,
  ctx: string,
): void {
  expectedKeySize(`${ctx} MuSig2 Participants Pubkeys`, key, 34);
  const aggregate = key.slice(1);
  if (!secp.isValidPubkey(aggregate)) fail(`${ctx} musig2 aggregate pubkey is invalid`);
  const val = r.varBytes();
  const participants: Uint8Array[] = [];
  let p = 0;
  while (val.length - p >= 33) {
    const pk = val.slice(p, p + 33);
    if (!secp.isValidPubkey(pk)) fail(`${ctx} musig2 participant pubkey is invalid`);
    participants.push(pk);
    p += 33;
  }
  if (p !== val.length) fail(`${ctx} musig2 participants pubkeys value size is not a multiple of 33`);
  const k = toHex(aggregate);
  if (!into.has(k)) into.set(k, { aggregate, participants });
}

function readMusig2Identifier(key: Uint8Array): Omit<Musig2ParticipantData, "value"> {
  const participant = key.slice(1, 34);
  const aggregate = key.slice(34, 67);
  if (!secp.isValidPubkey(aggregate)) fail("musig2 aggregate pubkey is invalid");
  if (!secp.isValidPubkey(participant)) fail("musig2 participant pubkey is invalid");
  let leafHash: Uint8Array | null = key.length > 67 ? key.slice(67, 99) : null;
  if (leafHash !== null && isNullBytes(leafHash)) leafHash = null;
  return { participant, aggregate, leafHash };
}

function readProprietary(r: ByteReader, key: Uint8Array, into: Map<string, PsbtProprietary>): void {
  const kr = new ByteReader(key, "PSBT", 0);
  kr.compactSize(); // the type
  const identifier = kr.varBytes().slice();
  const subtype = kr.compactSize();
  const value = r.varBytes().slice();
  const k = toHex(key);
  if (!into.has(k)) into.set(k, { identifier, subtype, key: key.slice(), value });
}

function readUnknown(r: ByteReader, key: Uint8Array, into: Map<string, PsbtUnknown>): void {
  const value = r.varBytes().slice();
  into.set(toHex(key), { key: key.slice(), value });
}

function readTxOut(r: ByteReader): TxOut {
  const value = r.i64();
  return { value, scriptPubKey: r.varBytes().slice() };
}

/** Reads one key; null at the separator. */
function readKey(r: ByteReader): { key: Uint8Array; type: number } | null {
  const key = r.varBytes();
  if (key.length === 0) return null;
  const type = new ByteReader(key, "PSBT").compactSize();
  return { key: key.slice(), type };
}

/** The end of each map, for "Separator is missing at the end of …". */
const MAP_NAMES = { global: "the global map", input: "an input map", output: "an output map" } as const;

/**
 * The keys of one map, each with its type, up to the separator (the caller reads each value); a repeated key is
 * Core's "Duplicate Key, <scope> key "…" already provided", a map that ends without separator "Separator is
 * missing at the end of …".
 */
function* mapKeys(
  r: ByteReader,
  scope: keyof typeof MAP_NAMES,
): Generator<{ key: Uint8Array; type: number }, void, undefined> {
  const seen = new Set<string>();
  while (r.remaining > 0) {
    const k = readKey(r);
    if (k === null) return;
    const hk = toHex(k.key);
    if (seen.has(hk)) fail(`Duplicate Key, ${scope} key "${hk}" already provided`);
    seen.add(hk);
    yield k;
  }
  fail(`Separator is missing at the end of ${MAP_NAMES[scope]}`);
}

/** A script value whose key is only its type (redeemScript, witnessScript, final scriptSig); empty is absent. */
function readScriptValue(r: ByteReader, key: Uint8Array, name: string): Uint8Array | undefined {
  expectedKeySize(name, key, 1);
  const s = r.varBytes().slice();
  return s.length > 0 ? s : undefined;
}

/** A 32-byte value whose key is only its type (taproot internal key, merkle root); all zeros is absent. */
function readHash32Value(r: ByteReader, key: Uint8Array, name: string): Uint8Array | undefined {
  expectedKeySize(name, key, 1);
  const v = fromVector(r, () => r.bytes(32).slice());
  return isNullBytes(v) ? undefined : v;
}

function readInput(r: ByteReader, input: PsbtInput, version: number): void {
  let foundPrevTxid = false;
  let foundPrevOut = false;
  for (const { key, type } of mapKeys(r, "input")) {
    switch (type) {
      case PSBT_IN.NON_WITNESS_UTXO:
        expectedKeySize("Input Non-witness UTXO", key, 1);
        input.nonWitnessUtxo = fromVector(r, () => readTransaction(r, { allowWitness: true }));
        break;
      case PSBT_IN.WITNESS_UTXO:
        expectedKeySize("Input Witness UTXO", key, 1);
        input.witnessUtxo = fromVector(r, () => readTxOut(r));
        break;
      case PSBT_IN.PARTIAL_SIG: {
        if (key.length !== 34 && key.length !== 66) {
          fail("Size of key was not the expected size for the type partial signature pubkey");
        }
        const pubkey = key.slice(1);
        if (!secp.isValidPubkey(pubkey)) fail("Invalid pubkey");
        const sig = r.varBytes().slice();
        if (
          sig.length === 0 ||
          checkSignatureEncoding(sig, SCRIPT_VERIFY_DERSIG | SCRIPT_VERIFY_STRICTENC) !== null
        ) {
          fail("Signature is not a valid encoding");
        }
        const id = toHex(hash160(pubkey));
        if (!input.partialSigs.has(id)) input.partialSigs.set(id, { pubkey, sig });
        break;
      }
      case PSBT_IN.SIGHASH:
        expectedKeySize("Input Sighash Type", key, 1);
        input.sighashType = fromVector(r, () => r.i32());
        break;
      case PSBT_IN.REDEEMSCRIPT:
        input.redeemScript = readScriptValue(r, key, "Input redeemScript");
        break;
      case PSBT_IN.WITNESSSCRIPT:
        input.witnessScript = readScriptValue(r, key, "Input witnessScript");
        break;
      case PSBT_IN.BIP32_DERIVATION:
        readHdKeypath(r, key, input.bip32Derivs);
        break;
      case PSBT_IN.SCRIPTSIG:
        input.finalScriptSig = readScriptValue(r, key, "Input Final scriptSig");
        break;
      case PSBT_IN.SCRIPTWITNESS: {
        expectedKeySize("Input Final scriptWitness", key, 1);
        const stack = fromVector(r, () => {
          const n = r.compactSize();
          const items: Uint8Array[] = [];
          for (let i = 0; i < n; i++) items.push(r.varBytes().slice());
          return items;
        });
        input.finalScriptWitness = stack.length > 0 ? stack : undefined;
        break;
      }
      case PSBT_IN.RIPEMD160:
      case PSBT_IN.SHA256:
      case PSBT_IN.HASH160:
      case PSBT_IN.HASH256: {
        const [name, size, map] = type === PSBT_IN.RIPEMD160
          ? ["Input RIPEMD160 Preimage", 21, input.ripemd160Preimages] as const
          : type === PSBT_IN.SHA256
          ? ["Input SHA256 Preimage", 33, input.sha256Preimages] as const
          : type === PSBT_IN.HASH160
          ? ["Input Hash160 Preimage", 21, input.hash160Preimages] as const
          : ["Input Hash256 Preimage", 33, input.hash256Preimages] as const;
        expectedKeySize(name, key, size);
        const preimage = r.varBytes().slice();
        const h = toHex(key.subarray(1));
        if (!map.has(h)) map.set(h, preimage);
        break;
      }
      case PSBT_IN.PREVIOUS_TXID:
        expectedKeySize("Input Previous TXID", key, 1);
        if (version < 2) fail("Previous txid is not allowed in PSBTv0");
        input.prevTxid = fromVector(r, () => r.bytes(32).slice());
        foundPrevTxid = true;
        break;
      case PSBT_IN.OUTPUT_INDEX:
        expectedKeySize("Input Previous Output's Index", key, 1);
        if (version < 2) fail("Previous output's index is not allowed in PSBTv0");
        input.prevOut = fromVector(r, () => r.u32());
        foundPrevOut = true;
        break;
      case PSBT_IN.SEQUENCE:
        expectedKeySize("Input Sequence", key, 1);
        if (version < 2) fail("Sequence is not allowed in PSBTv0");
        input.sequence = fromVector(r, () => r.u32());
        break;
      case PSBT_IN.REQUIRED_TIME_LOCKTIME:
        expectedKeySize("Input Required Time Based Locktime", key, 1);
        if (version < 2) fail("Required time based locktime is not allowed in PSBTv0");
        input.timeLocktime = fromVector(r, () => r.u32());
        if (input.timeLocktime < LOCKTIME_THRESHOLD) {
          fail("Required time based locktime is invalid (less than 500000000)");
        }
        break;
      case PSBT_IN.REQUIRED_HEIGHT_LOCKTIME:
        expectedKeySize("Input Required Height Based Locktime", key, 1);
        if (version < 2) fail("Required height based locktime is not allowed in PSBTv0");
        input.heightLocktime = fromVector(r, () => r.u32());
        if (input.heightLocktime >= LOCKTIME_THRESHOLD) {
          fail("Required height based locktime is invalid (greater than or equal to 500000000)");
        } else if (input.heightLocktime === 0) {
          fail("Required height based locktime is invalid (0)");
        }
        break;
      case PSBT_IN.TAP_KEY_SIG: {
        expectedKeySize("Input Taproot Key Path Signature", key, 1);
        const sig = r.varBytes().slice();
        if (sig.length < 64) fail("Input Taproot key path signature is shorter than 64 bytes");
        if (sig.length > 65) fail("Input Taproot key path signature is longer than 65 bytes");
        input.tapKeySig = sig;
        break;
      }
      case PSBT_IN.TAP_SCRIPT_SIG: {
        expectedKeySize("Input Taproot Script Path Signature", key, 65);
        const xonly = key.slice(1, 33);
        const leafHash = key.slice(33, 65);
        const sig = r.varBytes().slice();
        if (sig.length < 64) fail("Input Taproot script path signature is shorter than 64 bytes");
        if (sig.length > 65) fail("Input Taproot script path signature is longer than 65 bytes");
        const id = tapScriptSigKey(xonly, leafHash);
        if (!input.tapScriptSigs.has(id)) input.tapScriptSigs.set(id, { xonly, leafHash, sig });
        break;
      }
      case PSBT_IN.TAP_LEAF_SCRIPT: {
        if (key.length < 34) fail("Input Taproot leaf script key is not at least 34 bytes");
        if ((key.length - 2) % 32 !== 0) {
          fail("Input Taproot leaf script key's control block size is not valid");
        }
        const v = r.varBytes();
        if (v.length === 0) fail("Input Taproot leaf script must be at least 1 byte");
        const script = v.slice(0, v.length - 1);
        const leafVersion = v[v.length - 1];
        const id = tapLeafKey(script, leafVersion);
        let leaf = input.tapLeafScripts.get(id);
        if (leaf === undefined) {
          leaf = { script, leafVersion, controlBlocks: [] };
          input.tapLeafScripts.set(id, leaf);
        }
        // Keys are unique, so control blocks of one leaf are too; they are sorted when the map is done.
        leaf.controlBlocks.push(key.slice(1));
        break;
      }
      case PSBT_IN.TAP_BIP32_DERIVATION:
        readTapBip32(r, key, input.tapBip32Derivs, "Input");
        break;
      case PSBT_IN.TAP_INTERNAL_KEY:
        input.tapInternalKey = readHash32Value(r, key, "Input Taproot Internal Key");
        break;
      case PSBT_IN.TAP_MERKLE_ROOT:
        input.tapMerkleRoot = readHash32Value(r, key, "Input Taproot Merkle Root");
        break;
      case PSBT_IN.MUSIG2_PARTICIPANT_PUBKEYS:
        readMusig2Participants(r, key, input.musig2Participants, "Input");
        break;
      case PSBT_IN.MUSIG2_PUB_NONCE: {
        if (key.length !== 67 && key.length !== 99) {
          fail("Input musig2 pubnonce key is not expected size of 67 or 99 bytes");
        }
        const id = readMusig2Identifier(key);
        const value = r.varBytes().slice();
        if (value.length !== MUSIG2_PUBNONCE_SIZE) fail("Input musig2 pubnonce value is not 66 bytes");
        const mk = musig2DataKey(id.aggregate, id.leafHash, id.participant);
        if (!input.musig2PubNonces.has(mk)) input.musig2PubNonces.set(mk, { ...id, value });
        break;
      }
      case PSBT_IN.MUSIG2_PARTIAL_SIG: {
        if (key.length !== 67 && key.length !== 99) {
          fail("Input musig2 partial sig key is not expected size of 67 or 99 bytes");
        }
        const id = readMusig2Identifier(key);
        const value = fromVector(r, () => r.bytes(32).slice());
        const mk = musig2DataKey(id.aggregate, id.leafHash, id.participant);
        if (!input.musig2PartialSigs.has(mk)) input.musig2PartialSigs.set(mk, { ...id, value });
        break;
      }
      case PSBT_IN.PROPRIETARY:
        readProprietary(r, key, input.proprietary);
        break;
      default:
        readUnknown(r, key, input.unknown);
    }
  }
  for (const leaf of input.tapLeafScripts.values()) {
    leaf.controlBlocks.sort((a, b) => a.length - b.length || compareBytes(a, b));
  }
  if (version >= 2) {
    if (!foundPrevTxid) fail("Previous TXID is required in PSBTv2");
    if (!foundPrevOut) fail("Previous output's index is required in PSBTv2");
  }
}

function readOutput(r: ByteReader, output: PsbtOutput, version: number): void {
  let foundAmount = false;
  let foundScript = false;
  for (const { key, type } of mapKeys(r, "output")) {
    switch (type) {
      case PSBT_OUT.REDEEMSCRIPT:
        output.redeemScript = readScriptValue(r, key, "Output redeemScript");
        break;
      case PSBT_OUT.WITNESSSCRIPT:
        output.witnessScript = readScriptValue(r, key, "Output witnessScript");
        break;
      case PSBT_OUT.BIP32_DERIVATION:
        readHdKeypath(r, key, output.bip32Derivs);
        break;
      case PSBT_OUT.AMOUNT:
        expectedKeySize("Output Amount", key, 1);
        if (version < 2) fail("Output amount is not allowed in PSBTv0");
        output.amount = fromVector(r, () => r.i64());
        foundAmount = true;
        break;
      case PSBT_OUT.SCRIPT:
        expectedKeySize("Output Script", key, 1);
        if (version < 2) fail("Output script is not allowed in PSBTv0");
        output.script = r.varBytes().slice();
        foundScript = true;
        break;
      case PSBT_OUT.TAP_INTERNAL_KEY:
        output.tapInternalKey = readHash32Value(r, key, "Output Taproot Internal Key");
        break;
      case PSBT_OUT.TAP_TREE: {
        expectedKeySize("Output Taproot Tree Key", key, 1);
        const tree = r.varBytes();
        if (tree.length === 0) fail("Output Taproot tree must not be empty");
        const tr = new ByteReader(tree, "PSBT");
        const leaves: TapTreeLeaf[] = [];
        while (tr.remaining > 0) {
          const depth = tr.u8();
          const leafVersion = tr.u8();
          const script = tr.varBytes().slice();
          if (depth > TAPROOT_CONTROL_MAX_NODE_COUNT) {
            fail("Output Taproot tree has as leaf greater than Taproot maximum depth");
          }
          if ((leafVersion & ~TAPROOT_LEAF_MASK) !== 0) {
            fail("Output Taproot tree has a leaf with an invalid leaf version");
          }
          leaves.push({ depth, leafVersion, script });
        }
        if (!validTaprootDepths(leaves.map((l) => l.depth))) fail("Output Taproot tree is malformed");
        output.tapTree = leaves;
        break;
      }
      case PSBT_OUT.TAP_BIP32_DERIVATION:
        readTapBip32(r, key, output.tapBip32Derivs, "Output");
        break;
      case PSBT_OUT.MUSIG2_PARTICIPANT_PUBKEYS:
        readMusig2Participants(r, key, output.musig2Participants, "Output");
        break;
      case PSBT_OUT.PROPRIETARY:
        readProprietary(r, key, output.proprietary);
        break;
      default:
        readUnknown(r, key, output.unknown);
    }
  }
  if (version >= 2) {
    if (!foundAmount) fail("Output amount is required in PSBTv2");
    if (!foundScript) fail("Output script is required in PSBTv2");
  }
}

function readPsbt(r: ByteReader): Psbt {
  const magic = r.bytes(5);
  if (!bytesEqual(magic, PSBT_MAGIC_BYTES)) fail("Invalid PSBT magic bytes");
  const seenXpubs = new Set<string>();
  let tx: Transaction | undefined;
  let inputCount = 0;
  let outputCount = 0;
  let foundInputCount = false;
  let foundOutputCount = false;
  let foundTxVersion = false;
  let foundFallback = false;
  let explicitVersion: number | undefined;
  const psbt: Psbt = {
    version: 0,
    txVersion: 0,
    xpubs: [],
    inputs: [],
    outputs: [],
    proprietary: new Map(),
    unknown: new Map(),
  };
  for (const { key, type } of mapKeys(r, "global")) {
    switch (type) {
      case PSBT_GLOBAL.UNSIGNED_TX: {
        expectedKeySize("Global Unsigned TX", key, 1);
        const t = fromVector(r, () => readTransaction(r, { allowWitness: false }));
        for (const txin of t.inputs) {
          if (txin.scriptSig.length !== 0 || txin.witness.length !== 0) {
            fail("Unsigned tx does not have empty scriptSigs and scriptWitnesses.");
          }
        }
        tx = t;
        psbt.txVersion = t.version;
        psbt.fallbackLocktime = t.locktime;
        inputCount = t.inputs.length;
        outputCount = t.outputs.length;
        break;
      }
      case PSBT_GLOBAL.TX_VERSION:
        expectedKeySize("Global Transaction Version", key, 1);
        psbt.txVersion = fromVector(r, () => r.u32());
        foundTxVersion = true;
        break;
      case PSBT_GLOBAL.FALLBACK_LOCKTIME:
        expectedKeySize("Global Fallback Locktime", key, 1);
        psbt.fallbackLocktime = fromVector(r, () => r.u32());
        foundFallback = true;
        break;
      case PSBT_GLOBAL.INPUT_COUNT:
        expectedKeySize("Global Input Count", key, 1);
        inputCount = fromVector(r, () => r.compactSize());
        foundInputCount = true;
        break;
      case PSBT_GLOBAL.OUTPUT_COUNT:
        expectedKeySize("Global Output Count", key, 1);
        outputCount = fromVector(r, () => r.compactSize());
        foundOutputCount = true;
        break;
      case PSBT_GLOBAL.TX_MODIFIABLE:
        expectedKeySize("Global TX Modifiable Flags", key, 1);
        psbt.txModifiable = fromVector(r, () => r.u8());
        break;
      case PSBT_GLOBAL.XPUB: {
        expectedKeySize("Global XPUB", key, BIP32_EXTKEY_WITH_VERSION_SIZE + 1);
        const xpub = key.slice(1);
        if (!secp.isValidPubkey(xpub.subarray(45, 78))) fail("Invalid pubkey");
        const origin = readKeyOrigin(r, r.compactSize());
        // Unique by (origin, public key, chain code) as Core's map of sets.
        const xk = xpubIdentity({ xpub, origin });
        if (!seenXpubs.has(xk)) {
          seenXpubs.add(xk);
          psbt.xpubs.push({ xpub, origin });
        }
        break;
      }
      case PSBT_GLOBAL.VERSION:
        expectedKeySize("Global PSBT Version", key, 1);
        explicitVersion = fromVector(r, () => r.u32());
        if (explicitVersion > PSBT_HIGHEST_VERSION) fail("Unsupported version number");
        break;
      case PSBT_GLOBAL.PROPRIETARY:
        readProprietary(r, key, psbt.proprietary);
        break;
      default:
        readUnknown(r, key, psbt.unknown);
    }
  }
  const version = explicitVersion ?? 0;
  psbt.version = version;
  if (version === 0) {
    if (tx === undefined) fail("No unsigned transaction was provided");
    if (foundTxVersion) fail("PSBT_GLOBAL_TX_VERSION is not allowed in PSBTv0");
    if (foundFallback) fail("PSBT_GLOBAL_FALLBACK_LOCKTIME is not allowed in PSBTv0");
    if (foundInputCount) fail("PSBT_GLOBAL_INPUT_COUNT is not allowed in PSBTv0");
    if (foundOutputCount) fail("PSBT_GLOBAL_OUTPUT_COUNT is not allowed in PSBTv0");
    if (psbt.txModifiable !== undefined) fail("PSBT_GLOBAL_TX_MODIFIABLE is not allowed in PSBTv0");
  }
  if (version === 1) fail("There is no PSBT version 1");
  if (version === 2) {
    if (!foundTxVersion) fail("PSBT_GLOBAL_TX_VERSION is required in PSBTv2");
    if (!foundInputCount) fail("PSBT_GLOBAL_INPUT_COUNT is required in PSBTv2");
    if (!foundOutputCount) fail("PSBT_GLOBAL_OUTPUT_COUNT is required in PSBTv2");
    if (tx !== undefined) fail("PSBT_GLOBAL_UNSIGNED_TX is not allowed in PSBTv2");
  }
  if (version > 2) fail("Unknown PSBT version");

  for (let i = 0; r.remaining > 0 && i < inputCount; i++) {
    let input: PsbtInput;
    if (version < 2) {
      const txin = tx!.inputs[i];
      input = newPsbtInput(txin.prevout.txid.slice(), txin.prevout.vout, txin.sequence);
    } else {
      input = newPsbtInput(new Uint8Array(32), 0);
    }
    psbt.inputs.push(input);
    readInput(r, input, version);
    if (input.nonWitnessUtxo !== undefined) {
      if (!bytesEqual(txid(input.nonWitnessUtxo), input.prevTxid)) {
        fail("Non-witness UTXO does not match outpoint hash");
      }
      if (input.prevOut >= input.nonWitnessUtxo.outputs.length) {
        fail("Input specifies output index that does not exist");
      }
    }
  }
  if (psbt.inputs.length !== inputCount) {
    fail("Inputs provided does not match the number of inputs in transaction.");
  }
  for (let i = 0; r.remaining > 0 && i < outputCount; i++) {
    const output = version < 2
      ? newPsbtOutput(tx!.outputs[i].value, tx!.outputs[i].scriptPubKey.slice())
      : newPsbtOutput(0n, new Uint8Array(0));
    psbt.outputs.push(output);
    readOutput(r, output, version);
  }
  if (psbt.outputs.length !== outputCount) {
    fail("Outputs provided does not match the number of outputs in transaction.");
  }
  return psbt;
}

/**
 * Decodes a binary PSBT (Core's `DecodeRawPSBT`). Throws {@link PsbtDecodeError} with Core's reason: stream
 * errors (`Invalid PSBT magic bytes`, `Duplicate Key, …`, `SpanReader::read(): end of data`, …) or
 * `extra data after PSBT`.
 */
export function decodePsbt(bytes: Uint8Array): Psbt {
  const r = new ByteReader(bytes, "PSBT");
  let psbt: Psbt;
  try {
    psbt = readPsbt(r);
  } catch (e) {
    if (e instanceof DecodeError) {
      const reason = e.reason.startsWith("end of data") || e.reason.includes(" needs at least ")
        ? "SpanReader::read(): end of data"
        : e.reason;
      throw new PsbtDecodeError(reason);
    }
    throw e;
  }
  if (r.remaining !== 0) throw new PsbtDecodeError("extra data after PSBT", false);
  return psbt;
}

/** Decodes a base64 PSBT (Core's `DecodeBase64PSBT`): `invalid base64`, else as {@link decodePsbt}. */
export function decodePsbtBase64(text: string): Psbt {
  const bytes = decodeBase64(text);
  if (bytes === undefined) throw new PsbtDecodeError("invalid base64", false);
  return decodePsbt(bytes);
}

// -------------------------------------------------------------------------------------------------------------
// Encoding

function writeKey(w: ByteWriter, type: number, ...data: Uint8Array[]): void {
  const kw = new ByteWriter(64);
  kw.compactSize(type);
  for (const d of data) kw.bytes(d);
  w.varBytes(kw.finish());
}

function valueOf(fill: (w: ByteWriter) => void): Uint8Array {
  const vw = new ByteWriter(64);
  fill(vw);
  return vw.finish();
}

/** A value whose key is only its type, written unless absent or empty (scripts, the taproot key path sig). */
function writeBytesValue(w: ByteWriter, type: number, value: Uint8Array | undefined): void {
  if (value === undefined || value.length === 0) return;
  writeKey(w, type);
  w.varBytes(value);
}

/** A 32-byte value whose key is only its type, written unless absent or all zeros. */
function writeHash32Value(w: ByteWriter, type: number, value: Uint8Array | undefined): void {
  if (isNullBytes(value)) return;
  writeKey(w, type);
  w.varBytes(value!);
}

function writeOrigin(w: ByteWriter, origin: KeyOriginInfo): void {
  w.bytes(origin.fingerprint);
  for (const p of origin.path) w.u32(p >>> 0);
}

function writeHdKeypaths(w: ByteWriter, type: number, map: ReadonlyMap<string, Bip32Derivation>): void {
  for (const d of sortedByKey(map)) {
    writeKey(w, type, d.pubkey);
    w.varBytes(valueOf((v) => writeOrigin(v, d.origin)));
  }
}

function writeTapBip32(w: ByteWriter, type: number, map: ReadonlyMap<string, TapBip32Derivation>): void {
  for (const d of sortedByKey(map)) {
    writeKey(w, type, d.xonly);
    w.varBytes(valueOf((v) => {
      const hashes = [...d.leafHashes].sort(compareBytes);
      v.compactSize(hashes.length);
      for (const h of hashes) v.bytes(h);
      writeOrigin(v, d.origin);
    }));
  }
}

function writeMusig2Participants(
  w: ByteWriter,
  type: number,
  map: ReadonlyMap<string, { aggregate: Uint8Array; participants: Uint8Array[] }>,
): void {
  for (const m of sortedByKey(map)) {
    writeKey(w, type, m.aggregate);
    w.varBytes(valueOf((v) => m.participants.forEach((p) => v.bytes(p))));
  }
}

function writeProprietaryAndUnknown(
  w: ByteWriter,
  map: ReadonlyMap<string, { key: Uint8Array; value: Uint8Array }>,
): void {
  for (const e of sortedByKey(map)) w.varBytes(e.key).varBytes(e.value);
}

function writeInput(w: ByteWriter, input: PsbtInput, version: number): void {
  if (input.nonWitnessUtxo !== undefined) {
    writeKey(w, PSBT_IN.NON_WITNESS_UTXO);
    w.varBytes(valueOf((v) => writeTransaction(v, input.nonWitnessUtxo!, { witness: false })));
  }
  if (input.witnessUtxo !== undefined) {
    writeKey(w, PSBT_IN.WITNESS_UTXO);
    w.varBytes(valueOf((v) => v.i64(input.witnessUtxo!.value).varBytes(input.witnessUtxo!.scriptPubKey)));
  }
  const finalized = (input.finalScriptSig?.length ?? 0) > 0 || (input.finalScriptWitness?.length ?? 0) > 0;
  if (!finalized) {
    for (const s of sortedByKey(input.partialSigs)) {
      writeKey(w, PSBT_IN.PARTIAL_SIG, s.pubkey);
      w.varBytes(s.sig);
    }
    if (input.sighashType !== undefined) {
      writeKey(w, PSBT_IN.SIGHASH);
      w.varBytes(valueOf((v) => v.i32(input.sighashType!)));
    }
    writeBytesValue(w, PSBT_IN.REDEEMSCRIPT, input.redeemScript);
    writeBytesValue(w, PSBT_IN.WITNESSSCRIPT, input.witnessScript);
    writeHdKeypaths(w, PSBT_IN.BIP32_DERIVATION, input.bip32Derivs);
    const preimages: Array<[number, Map<string, Uint8Array>]> = [
      [PSBT_IN.RIPEMD160, input.ripemd160Preimages],
      [PSBT_IN.SHA256, input.sha256Preimages],
      [PSBT_IN.HASH160, input.hash160Preimages],
      [PSBT_IN.HASH256, input.hash256Preimages],
    ];
    for (const [type, map] of preimages) {
      for (const h of [...map.keys()].sort()) {
        writeKey(w, type, fromHex(h));
        w.varBytes(map.get(h)!);
      }
    }
    writeBytesValue(w, PSBT_IN.TAP_KEY_SIG, input.tapKeySig);
    for (const s of sortedByKey(input.tapScriptSigs)) {
      writeKey(w, PSBT_IN.TAP_SCRIPT_SIG, s.xonly, s.leafHash);
      w.varBytes(s.sig);
    }
    const leaves = [...input.tapLeafScripts.values()].sort((a, b) =>
      compareBytes(a.script, b.script) || a.leafVersion - b.leafVersion
    );
    for (const leaf of leaves) {
      for (const cb of leaf.controlBlocks) {
        writeKey(w, PSBT_IN.TAP_LEAF_SCRIPT, cb);
        const v = new Uint8Array(leaf.script.length + 1);
        v.set(leaf.script);
        v[leaf.script.length] = leaf.leafVersion;
        w.varBytes(v);
      }
    }
    writeTapBip32(w, PSBT_IN.TAP_BIP32_DERIVATION, input.tapBip32Derivs);
    writeHash32Value(w, PSBT_IN.TAP_INTERNAL_KEY, input.tapInternalKey);
    writeHash32Value(w, PSBT_IN.TAP_MERKLE_ROOT, input.tapMerkleRoot);
    writeMusig2Participants(w, PSBT_IN.MUSIG2_PARTICIPANT_PUBKEYS, input.musig2Participants);
    for (
      const [type, map] of [
        [PSBT_IN.MUSIG2_PUB_NONCE, input.musig2PubNonces],
        [PSBT_IN.MUSIG2_PARTIAL_SIG, input.musig2PartialSigs],
      ] as const
    ) {
      for (const d of sortedByKey(map)) {
        if (d.leafHash === null) writeKey(w, type, d.participant, d.aggregate);
        else writeKey(w, type, d.participant, d.aggregate, d.leafHash);
        w.varBytes(d.value);
      }
    }
  }
  writeBytesValue(w, PSBT_IN.SCRIPTSIG, input.finalScriptSig);
  if (input.finalScriptWitness !== undefined && input.finalScriptWitness.length > 0) {
    writeKey(w, PSBT_IN.SCRIPTWITNESS);
    w.varBytes(valueOf((v) => {
      v.compactSize(input.finalScriptWitness!.length);
      for (const item of input.finalScriptWitness!) v.varBytes(item);
    }));
  }
  if (version >= 2) {
    writeKey(w, PSBT_IN.PREVIOUS_TXID);
    w.varBytes(input.prevTxid);
    writeKey(w, PSBT_IN.OUTPUT_INDEX);
    w.varBytes(valueOf((v) => v.u32(input.prevOut)));
    const optional: Array<[number, number | undefined]> = [
      [PSBT_IN.SEQUENCE, input.sequence],
      [PSBT_IN.REQUIRED_TIME_LOCKTIME, input.timeLocktime],
      [PSBT_IN.REQUIRED_HEIGHT_LOCKTIME, input.heightLocktime],
    ];
    for (const [type, n] of optional) {
      if (n === undefined) continue;
      writeKey(w, type);
      w.varBytes(valueOf((v) => v.u32(n)));
    }
  }
  writeProprietaryAndUnknown(w, input.proprietary);
  writeProprietaryAndUnknown(w, input.unknown);
  w.u8(0);
}

function writeOutput(w: ByteWriter, output: PsbtOutput, version: number): void {
  writeBytesValue(w, PSBT_OUT.REDEEMSCRIPT, output.redeemScript);
  writeBytesValue(w, PSBT_OUT.WITNESSSCRIPT, output.witnessScript);
  writeHdKeypaths(w, PSBT_OUT.BIP32_DERIVATION, output.bip32Derivs);
  if (version >= 2) {
    writeKey(w, PSBT_OUT.AMOUNT);
    w.varBytes(valueOf((v) => v.i64(output.amount)));
    writeKey(w, PSBT_OUT.SCRIPT);
    w.varBytes(output.script);
  }
  writeProprietaryAndUnknown(w, output.proprietary);
  writeHash32Value(w, PSBT_OUT.TAP_INTERNAL_KEY, output.tapInternalKey);
  if (output.tapTree !== undefined && output.tapTree.length > 0) {
    writeKey(w, PSBT_OUT.TAP_TREE);
    w.varBytes(valueOf((v) => {
      for (const leaf of output.tapTree!) v.u8(leaf.depth).u8(leaf.leafVersion).varBytes(leaf.script);
    }));
  }
  writeTapBip32(w, PSBT_OUT.TAP_BIP32_DERIVATION, output.tapBip32Derivs);
  writeMusig2Participants(w, PSBT_OUT.MUSIG2_PARTICIPANT_PUBKEYS, output.musig2Participants);
  writeProprietaryAndUnknown(w, output.unknown);
  w.u8(0);
}

/**
 * Encodes a PSBT as Core's `Serialize` does (its field order; finalized inputs drop their signing data).
 * Throws a RangeError for a v0 PSBT whose unsigned transaction cannot be formed (a caller bug).
 */
export function encodePsbt(psbt: Psbt): Uint8Array {
  const w = new ByteWriter(1024);
  w.bytes(PSBT_MAGIC_BYTES);
  const version = psbt.version;
  if (version < 2) {
    const tx = unsignedTx(psbt);
    if (tx === null) throw new RangeError("Cannot encode PSBT: no valid unsigned transaction");
    writeKey(w, PSBT_GLOBAL.UNSIGNED_TX);
    w.varBytes(valueOf((v) => writeTransaction(v, tx, { witness: false })));
  }
  for (const x of sortedXpubs(psbt.xpubs)) {
    writeKey(w, PSBT_GLOBAL.XPUB, x.xpub);
    w.varBytes(valueOf((v) => writeOrigin(v, x.origin)));
  }
  if (version >= 2) {
    writeKey(w, PSBT_GLOBAL.TX_VERSION);
    w.varBytes(valueOf((v) => v.u32(psbt.txVersion >>> 0)));
    if (psbt.fallbackLocktime !== undefined) {
      writeKey(w, PSBT_GLOBAL.FALLBACK_LOCKTIME);
      w.varBytes(valueOf((v) => v.u32(psbt.fallbackLocktime!)));
    }
    writeKey(w, PSBT_GLOBAL.INPUT_COUNT);
    w.varBytes(valueOf((v) => v.compactSize(psbt.inputs.length)));
    writeKey(w, PSBT_GLOBAL.OUTPUT_COUNT);
    w.varBytes(valueOf((v) => v.compactSize(psbt.outputs.length)));
    if (psbt.txModifiable !== undefined) {
      writeKey(w, PSBT_GLOBAL.TX_MODIFIABLE);
      w.varBytes(Uint8Array.of(psbt.txModifiable & 0xff));
    }
  }
  if (version > 0) {
    writeKey(w, PSBT_GLOBAL.VERSION);
    w.varBytes(valueOf((v) => v.u32(version)));
  }
  writeProprietaryAndUnknown(w, psbt.proprietary);
  writeProprietaryAndUnknown(w, psbt.unknown);
  w.u8(0);
  for (const input of psbt.inputs) writeInput(w, input, version);
  for (const output of psbt.outputs) writeOutput(w, output, version);
  return w.finish();
}

/** Base64 of {@link encodePsbt} (Core's `EncodeBase64(ssTx)`). */
export function encodePsbtBase64(psbt: Psbt): string {
  return encodeBase64(encodePsbt(psbt));
}
