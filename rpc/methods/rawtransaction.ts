/**
 * The raw transaction methods that need no chain state (Core's `src/rpc/rawtransaction.cpp` with
 * `rawtransaction_util.cpp`): `createrawtransaction`, `decoderawtransaction`, `decodescript`,
 * `combinerawtransaction` and `signrawtransactionwithkey`, with Core's help, arguments, results and errors.
 *
 * The coins that `combinerawtransaction` and `signrawtransactionwithkey` spend come from the node's `getCoin`
 * (UTXO set and mempool, Core's `FindCoins`); without one every coin is unknown, so signing relies on `prevtxs`
 * and combining fails with Core's "Input not found or already spent".
 *
 * Also exports the parameter parsers these methods share with others (Core's `AmountFromValue`, `ParseHashV`,
 * `ParseHexV`, `ParseFixedPoint`, UniValue's `getInt`).
 *
 * @module
 */
import type { Network } from "../../core/chain_params_base.ts";
import {
  decodeDestination,
  encodeDestination,
  getScriptForDestination,
  isDecodedDestination,
} from "../../core/address/destination.ts";
import { decodeSecret } from "../../core/address/wif.ts";
import { hash160 as hash160Of, sha256, toHex } from "../../core/hash/hashes.ts";
import { scriptToAsm } from "../../core/script/asm.ts";
import { isOpSuccess, OP_CHECKSIGADD, OP_RETURN } from "../../core/script/opcodes.ts";
import {
  hasValidOps,
  isPayToScriptHash,
  isPayToWitnessScriptHash,
  isUnspendable,
  pushData,
  ScriptCursor,
} from "../../core/script/script.ts";
import { solver } from "../../core/script/standard.ts";
import {
  SIGHASH_ALL,
  SIGHASH_ANYONECANPAY,
  SIGHASH_DEFAULT,
  SIGHASH_NONE,
  SIGHASH_SINGLE,
} from "../../core/script/sighash.ts";
import { outPointKey } from "../../core/wire/outpoint.ts";
import { txid as txidOf } from "../../core/wire/transaction.ts";
import type { OutPoint, Transaction, TxIn, TxOut } from "../../core/wire/types.ts";
import { RpcError, RpcErrorCode } from "../errors.ts";
import { helpExampleCli, helpExampleRpc, type RpcArgSpec, type RpcResultSpec } from "../help.ts";
import { isRawJson, type JsonObject, type JsonValue, numberText, typeName } from "../json.ts";
import {
  type CoinOut,
  dataFromTransaction,
  DUMMY_SIGNING_PROVIDER,
  emptySignatureData,
  FlatSigningProvider,
  MAX_MONEY_SATS,
  mergeSignatureData,
  produceSignature,
  signTransaction,
  TransactionSignatureCreator,
  type TxInErrorJson,
  txInErrorToJson,
  updateInput,
} from "../sign_transaction.ts";
import type { RpcMethod } from "../table.ts";
import {
  decodeHexTx,
  type DecodeHexTxOptions,
  encodeHexTx,
  getAllOutputTypes,
  isHex,
  parseHex,
  scriptProvider,
  scriptToUniv,
  txDoc,
  txToUniv,
} from "../tx_json.ts";
import { getArray, getBool, getObject, getStr } from "../values.ts";

// ---------------------------------------------------------------------------------------------------------------
// Parameter parsing (Core's rpc/util.cpp and UniValue)

/** UniValue's `getValStr()`: a string's text, a number's source text, "1" for true, "" otherwise. */
export function getValStr(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || isRawJson(value)) return numberText(value as number);
  if (value === true) return "1";
  return "";
}

/**
 * UniValue's `getInt<T>`: a number whose text is an integer within [min, max]; a non-number is a type error
 * (RPC_TYPE_ERROR), any other text "JSON integer out of range" (RPC_MISC_ERROR), as Core.
 */
export function getIntStrict(value: unknown, min: bigint, max: bigint): number {
  if (typeName(value) !== "number") {
    throw new RpcError(
      RpcErrorCode.RPC_TYPE_ERROR,
      `JSON value of type ${typeName(value)} is not of expected type number`,
    );
  }
  const text = numberText(value as number);
  const unsigned = min >= 0n;
  if (!(unsigned ? /^\d+$/ : /^-?\d+$/).test(text)) {
    throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "JSON integer out of range");
  }
  const n = BigInt(text);
  if (n < min || n > max) throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "JSON integer out of range");
  return Number(n);
}

const INT32_MIN = -2147483648n, INT32_MAX = 2147483647n;
const INT64_MIN = -9223372036854775808n, INT64_MAX = 9223372036854775807n;

/** 10^18 - 1: the largest mantissa `ParseFixedPoint` accepts. */
const UPPER_BOUND = 999_999_999_999_999_999n;

/**
 * Core's `ParseFixedPoint(val, decimals)`: a JSON-number-like decimal (optional '-', digits without leading
 * zeros, optional fraction, optional exponent) as an integer scaled by 10^decimals; null when it has more
 * precision than that, overflows, or is malformed.
 */
export function parseFixedPoint(val: string, decimals: number): bigint | null {
  let mantissa = 0n;
  let exponent = 0n;
  let mantissaTzeros = 0;
  let mantissaSign = false;
  let exponentSign = false;
  let ptr = 0;
  const end = val.length;
  let pointOfs = 0;
  const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
  const processDigit = (ch: string): boolean => {
    if (ch === "0") {
      mantissaTzeros++;
    } else {
      for (let i = 0; i <= mantissaTzeros; i++) {
        if (mantissa > UPPER_BOUND / 10n) return false;
        mantissa *= 10n;
      }
      mantissa += BigInt(ch.charCodeAt(0) - 48);
      mantissaTzeros = 0;
    }
    return true;
  };
  if (ptr < end && val[ptr] === "-") {
    mantissaSign = true;
    ptr++;
  }
  if (ptr < end) {
    if (val[ptr] === "0") {
      ptr++;
    } else if (val[ptr] >= "1" && val[ptr] <= "9") {
      while (ptr < end && isDigit(val[ptr])) {
        if (!processDigit(val[ptr])) return null;
        ptr++;
      }
    } else return null;
  } else return null;
  if (ptr < end && val[ptr] === ".") {
    ptr++;
    if (ptr < end && isDigit(val[ptr])) {
      while (ptr < end && isDigit(val[ptr])) {
        if (!processDigit(val[ptr])) return null;
        ptr++;
        pointOfs++;
      }
    } else return null;
  }
  if (ptr < end && (val[ptr] === "e" || val[ptr] === "E")) {
    ptr++;
    if (ptr < end && val[ptr] === "+") ptr++;
    else if (ptr < end && val[ptr] === "-") {
      exponentSign = true;
      ptr++;
    }
    if (ptr < end && isDigit(val[ptr])) {
      while (ptr < end && isDigit(val[ptr])) {
        if (exponent > UPPER_BOUND / 10n) return null;
        exponent = exponent * 10n + BigInt(val.charCodeAt(ptr) - 48);
        ptr++;
      }
    } else return null;
  }
  if (ptr !== end) return null;
  if (exponentSign) exponent = -exponent;
  exponent = exponent - BigInt(pointOfs) + BigInt(mantissaTzeros);
  if (mantissaSign) mantissa = -mantissa;
  exponent += BigInt(decimals);
  if (exponent < 0n) return null;
  if (exponent >= 18n) return null;
  for (let i = 0n; i < exponent; i++) {
    if (mantissa > UPPER_BOUND / 10n || mantissa < -(UPPER_BOUND / 10n)) return null;
    mantissa *= 10n;
  }
  if (mantissa > UPPER_BOUND || mantissa < -UPPER_BOUND) return null;
  return mantissa;
}

/**
 * Core's `AmountFromValue`: a JSON number or string in BTC as satoshis. Errors (RPC_TYPE_ERROR): "Amount is
 * not a number or string", "Invalid amount", "Amount out of range".
 */
export function amountFromValue(value: unknown, decimals = 8): bigint {
  const t = typeName(value);
  if (t !== "number" && t !== "string") {
    throw new RpcError(RpcErrorCode.RPC_TYPE_ERROR, "Amount is not a number or string");
  }
  const amount = parseFixedPoint(getValStr(value), decimals);
  if (amount === null) throw new RpcError(RpcErrorCode.RPC_TYPE_ERROR, "Invalid amount");
  if (amount < 0n || amount > MAX_MONEY_SATS) {
    throw new RpcError(RpcErrorCode.RPC_TYPE_ERROR, "Amount out of range");
  }
  return amount;
}

/**
 * Core's `ParseHashV`: a 64-character hex string as a hash in internal byte order. Errors (RPC_INVALID_PARAMETER):
 * "<name> must be of length 64 (not N, for 'X')", "<name> must be hexadecimal string (not 'X')".
 */
export function parseHashV(value: unknown, name: string): Uint8Array {
  const hex = getStr(value);
  if (hex.length === 64 && /^[0-9a-fA-F]{64}$/.test(hex)) return parseHex(hex).reverse();
  if (hex.length !== 64) {
    throw new RpcError(
      RpcErrorCode.RPC_INVALID_PARAMETER,
      `${name} must be of length 64 (not ${hex.length}, for '${hex}')`,
    );
  }
  throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, `${name} must be hexadecimal string (not '${hex}')`);
}

/** Core's `ParseHexV`: the bytes of a non-empty hex string; else "<name> must be hexadecimal string (not 'X')". */
export function parseHexV(value: unknown, name: string): Uint8Array {
  const hex = typeof value === "string" ? value : "";
  if (!isHex(hex)) {
    throw new RpcError(
      RpcErrorCode.RPC_INVALID_PARAMETER,
      `${name} must be hexadecimal string (not '${hex}')`,
    );
  }
  return parseHex(hex);
}

/**
 * Core's `SighashFromStr` via `ParseSighashString`: null for null/absent, else the hash type; unknown names are
 * "'X' is not a valid sighash parameter." (RPC_INVALID_PARAMETER).
 */
export function parseSighashString(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const s = getStr(value);
  const map: Record<string, number> = {
    "DEFAULT": SIGHASH_DEFAULT,
    "ALL": SIGHASH_ALL,
    "ALL|ANYONECANPAY": SIGHASH_ALL | SIGHASH_ANYONECANPAY,
    "NONE": SIGHASH_NONE,
    "NONE|ANYONECANPAY": SIGHASH_NONE | SIGHASH_ANYONECANPAY,
    "SINGLE": SIGHASH_SINGLE,
    "SINGLE|ANYONECANPAY": SIGHASH_SINGLE | SIGHASH_ANYONECANPAY,
  };
  if (Object.hasOwn(map, s)) return map[s];
  throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, `'${s}' is not a valid sighash parameter.`);
}

/**
 * A hex transaction argument decoded as Core's `DecodeHexTx` (`options` as {@link decodeHexTx}'s); an
 * undecodable one is Core's "TX decode failed. Make sure the tx has at least one input."
 * (RPC_DESERIALIZATION_ERROR).
 */
export function decodeHexTxParam(hex: unknown, options?: DecodeHexTxOptions): Transaction {
  const tx = decodeHexTx(getStr(hex), options);
  if (tx === null) {
    throw new RpcError(
      RpcErrorCode.RPC_DESERIALIZATION_ERROR,
      "TX decode failed. Make sure the tx has at least one input.",
    );
  }
  return tx;
}

/**
 * A hex transaction argument decoded as Core's `DecodeHexTx` with an optional `iswitness` argument (absent or
 * null: both serializations are tried); an undecodable one is "TX decode failed" (RPC_DESERIALIZATION_ERROR).
 */
export function decodeHexTxArg(hex: unknown, isWitness: unknown): Transaction {
  const isw = isWitness === null || isWitness === undefined ? null : getBool(isWitness);
  const tx = decodeHexTx(getStr(hex), {
    tryWitness: isw === null ? true : isw,
    tryNoWitness: isw === null ? true : !isw,
  });
  if (tx === null) throw new RpcError(RpcErrorCode.RPC_DESERIALIZATION_ERROR, "TX decode failed");
  return tx;
}

function findValue(o: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

/** Core's `RPCTypeCheckObj` (not strict): each listed key has the JSON type, or (with `allowNull`) is null. */
function typeCheckObj(o: JsonObject, types: Record<string, string>, allowNull = false): void {
  for (const [key, expected] of Object.entries(types)) {
    const v = findValue(o, key);
    const isNull = v === undefined || v === null;
    if (!allowNull && isNull) throw new RpcError(RpcErrorCode.RPC_TYPE_ERROR, `Missing ${key}`);
    if (!(typeName(v) === expected || (allowNull && isNull))) {
      throw new RpcError(
        RpcErrorCode.RPC_TYPE_ERROR,
        `JSON value of type ${typeName(v)} for field ${key} is not of expected type ${expected}`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// ConstructTransaction

/** Core's `MAX_BIP125_RBF_SEQUENCE`. */
const MAX_BIP125_RBF_SEQUENCE = 0xfffffffd;
/** Core's `CTxIn::MAX_SEQUENCE_NONFINAL`. */
const MAX_SEQUENCE_NONFINAL = 0xfffffffe;
/** Core's `CTxIn::SEQUENCE_FINAL`. */
const SEQUENCE_FINAL = 0xffffffff;
/** Core's `TX_MIN_STANDARD_VERSION` / `TX_MAX_STANDARD_VERSION`. */
const TX_MIN_STANDARD_VERSION = 1, TX_MAX_STANDARD_VERSION = 3;
/** Core's `CTransaction::CURRENT_VERSION` (createrawtransaction's default version). */
const DEFAULT_RAWTX_VERSION = 2;

function addInputs(inputsIn: unknown, rbf: boolean | undefined, locktime: number): TxIn[] {
  const inputs = inputsIn === null || inputsIn === undefined ? [] : getArray(inputsIn);
  return inputs.map((input) => {
    const o = getObject(input);
    const txid = parseHashV(findValue(o, "txid") ?? null, "txid");
    const voutV = findValue(o, "vout");
    if (typeName(voutV) !== "number") {
      throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Invalid parameter, missing vout key");
    }
    const vout = getIntStrict(voutV, INT32_MIN, INT32_MAX);
    if (vout < 0) {
      throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Invalid parameter, vout cannot be negative");
    }
    let sequence: number;
    if (rbf ?? true) sequence = MAX_BIP125_RBF_SEQUENCE;
    else if (locktime !== 0) sequence = MAX_SEQUENCE_NONFINAL;
    else sequence = SEQUENCE_FINAL;
    const seqV = findValue(o, "sequence");
    if (typeName(seqV) === "number") {
      const seq = BigInt(getIntStrict(seqV, INT64_MIN, INT64_MAX));
      if (seq < 0n || seq > BigInt(SEQUENCE_FINAL)) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          "Invalid parameter, sequence number is out of range",
        );
      }
      sequence = Number(seq);
    }
    return { prevout: { txid, vout }, scriptSig: new Uint8Array(0), sequence, witness: [] };
  });
}

/**
 * Core's `NormalizeOutputs`: the outputs as (key, value) pairs in order, from an object or an array of
 * one-key objects (duplicates kept, as UniValue's `pushKVs`).
 */
export function normalizeOutputs(outputsIn: unknown): Array<[string, JsonValue]> {
  if (outputsIn === null || outputsIn === undefined) {
    throw new RpcError(
      RpcErrorCode.RPC_INVALID_PARAMETER,
      "Invalid parameter, output argument must be non-null",
    );
  }
  if (typeName(outputsIn) === "object") return Object.entries(outputsIn as JsonObject);
  const outputs = getArray(outputsIn);
  const pairs: Array<[string, JsonValue]> = [];
  for (const output of outputs) {
    if (typeName(output) !== "object") {
      throw new RpcError(
        RpcErrorCode.RPC_INVALID_PARAMETER,
        "Invalid parameter, key-value pair not an object as expected",
      );
    }
    const entries = Object.entries(output as JsonObject);
    if (entries.length !== 1) {
      throw new RpcError(
        RpcErrorCode.RPC_INVALID_PARAMETER,
        "Invalid parameter, key-value pair must contain exactly one key",
      );
    }
    pairs.push(entries[0]);
  }
  return pairs;
}

/**
 * Core's `ParseOutputs` + `AddOutputs`: one output per key, in order — `data` as an OP_RETURN output of value 0
 * (once), each address with its amount; Core's errors for duplicates, bad amounts and bad addresses.
 */
export function parseOutputs(pairs: Array<[string, JsonValue]>, network: Network): TxOut[] {
  const firstValue = (key: string) => pairs.find(([k]) => k === key)![1];
  const seen = new Set<string>();
  let hasData = false;
  const outs: TxOut[] = [];
  for (const [name] of pairs) {
    if (name === "data") {
      if (hasData) {
        throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Invalid parameter, duplicate key: data");
      }
      hasData = true;
      const data = parseHexV(getValStr(firstValue(name)), "Data");
      const push = pushData(data);
      const script = new Uint8Array(1 + push.length);
      script[0] = OP_RETURN;
      script.set(push, 1);
      outs.push({ value: 0n, scriptPubKey: script });
    } else {
      const decoded = decodeDestination(name, network);
      const amount = amountFromValue(firstValue(name));
      if (!isDecodedDestination(decoded)) {
        throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, `Invalid Bitcoin address: ${name}`);
      }
      const script = getScriptForDestination(decoded.destination);
      const key = Array.from(script, (b) => b.toString(16).padStart(2, "0")).join("");
      if (seen.has(key)) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          `Invalid parameter, duplicated address: ${name}`,
        );
      }
      seen.add(key);
      outs.push({ value: amount, scriptPubKey: script });
    }
  }
  return outs;
}

/** Core's `ConstructTransaction` (createrawtransaction, createpsbt). */
export function constructTransaction(
  inputsIn: unknown,
  outputsIn: unknown,
  locktimeIn: unknown,
  rbf: boolean | undefined,
  version: number,
  network: Network,
): Transaction {
  let locktime = 0;
  if (locktimeIn !== null && locktimeIn !== undefined) {
    const lt = BigInt(getIntStrict(locktimeIn, INT64_MIN, INT64_MAX));
    if (lt < 0n || lt > 0xffffffffn) {
      throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Invalid parameter, locktime out of range");
    }
    locktime = Number(lt);
  }
  if (version < TX_MIN_STANDARD_VERSION || version > TX_MAX_STANDARD_VERSION) {
    throw new RpcError(
      RpcErrorCode.RPC_INVALID_PARAMETER,
      `Invalid parameter, version out of range(${TX_MIN_STANDARD_VERSION}~${TX_MAX_STANDARD_VERSION})`,
    );
  }
  const inputs = addInputs(inputsIn, rbf, locktime);
  const outputs = parseOutputs(normalizeOutputs(outputsIn), network);
  if (rbf === true && inputs.length > 0 && !inputs.some((i) => i.sequence < MAX_SEQUENCE_NONFINAL)) {
    throw new RpcError(
      RpcErrorCode.RPC_INVALID_PARAMETER,
      "Invalid parameter combination: Sequence number(s) contradict replaceable option",
    );
  }
  return { version, inputs, outputs, locktime };
}

// ---------------------------------------------------------------------------------------------------------------
// Signing helpers

/** A coin as the node's UTXO view gives it. */
export interface CoinLike {
  /** Amount in satoshis. */
  readonly value: bigint;
  /** Output script. */
  readonly scriptPubKey: Uint8Array;
}

/** Looks up an unspent output (UTXO set and mempool); null when unknown or spent. */
export type GetCoin = (outpoint: OutPoint) => CoinLike | null | Promise<CoinLike | null>;

/**
 * Core's `ParsePrevouts`: adds each `prevtxs` entry to `coins` (amount MAX_MONEY when absent) and, for P2SH and
 * P2WSH outputs, its redeem/witness script (and the P2WSH wrapping) to `keystore`, with Core's checks. With no
 * keystore (null, as `signrawtransactionwithwallet` passes) the scripts are neither read nor checked.
 */
export function parsePrevouts(
  prevTxsIn: unknown,
  keystore: FlatSigningProvider | null,
  coins: Map<string, CoinOut>,
): void {
  if (prevTxsIn === null || prevTxsIn === undefined) return;
  const prevTxs = getArray(prevTxsIn);
  for (const p of prevTxs) {
    if (typeName(p) !== "object") {
      throw new RpcError(
        RpcErrorCode.RPC_DESERIALIZATION_ERROR,
        `expected object with {"txid'","vout","scriptPubKey"}`,
      );
    }
    const prevOut = p as JsonObject;
    typeCheckObj(prevOut, { txid: "string", vout: "number", scriptPubKey: "string" });
    const txid = parseHashV(findValue(prevOut, "txid"), "txid");
    const nOut = getIntStrict(findValue(prevOut, "vout"), INT32_MIN, INT32_MAX);
    if (nOut < 0) throw new RpcError(RpcErrorCode.RPC_DESERIALIZATION_ERROR, "vout cannot be negative");
    const out: OutPoint = { txid, vout: nOut };
    const scriptPubKey = parseHexV(findValue(prevOut, "scriptPubKey"), "scriptPubKey");
    const key = outPointKey(out);
    const existing = coins.get(key);
    if (existing !== undefined && !sameBytes(existing.scriptPubKey, scriptPubKey)) {
      throw new RpcError(
        RpcErrorCode.RPC_DESERIALIZATION_ERROR,
        `Previous output scriptPubKey mismatch:\n${scriptToAsm(existing.scriptPubKey)}\nvs:\n${
          scriptToAsm(scriptPubKey)
        }`,
      );
    }
    let value = MAX_MONEY_SATS;
    if (Object.hasOwn(prevOut, "amount")) value = amountFromValue(prevOut.amount);
    coins.set(key, { value, scriptPubKey });

    if (keystore === null) continue;
    const isP2sh = isPayToScriptHash(scriptPubKey);
    const isP2wsh = isPayToWitnessScriptHash(scriptPubKey);
    if (isP2sh || isP2wsh) {
      typeCheckObj(prevOut, { redeemScript: "string", witnessScript: "string" }, true);
      const rs = findValue(prevOut, "redeemScript") ?? null;
      const ws = findValue(prevOut, "witnessScript") ?? null;
      if (rs === null && ws === null) {
        throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Missing redeemScript/witnessScript");
      }
      const script = ws !== null ? parseHexV(ws, "witnessScript") : parseHexV(rs, "redeemScript");
      keystore.addScript(script);
      const witnessOutput = p2wshScript(script);
      keystore.addScript(witnessOutput);
      if (ws !== null && rs !== null && ws !== rs) {
        const redeem = parseHexV(rs, "redeemScript");
        if (!sameBytes(redeem, witnessOutput)) {
          throw new RpcError(
            RpcErrorCode.RPC_INVALID_PARAMETER,
            "redeemScript does not correspond to witnessScript",
          );
        }
      }
      if (isP2sh) {
        if (
          !sameBytes(scriptPubKey, p2shScript(script)) && !sameBytes(scriptPubKey, p2shScript(witnessOutput))
        ) {
          throw new RpcError(
            RpcErrorCode.RPC_INVALID_PARAMETER,
            "redeemScript/witnessScript does not match scriptPubKey",
          );
        }
      } else if (!sameBytes(scriptPubKey, witnessOutput)) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          "redeemScript/witnessScript does not match scriptPubKey",
        );
      }
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function p2wshScript(script: Uint8Array): Uint8Array {
  return getScriptForDestination({ type: "witness_v0_scripthash", program: sha256(script) });
}

function p2shScript(script: Uint8Array): Uint8Array {
  return Uint8Array.of(0xa9, 20, ...hash160Of(script), 0x87);
}

/**
 * Core's `CTxOut::ToString` (the "Missing amount for …" error); `undefined` (no coin known) reads
 * `CTxOut(nValue=-0.00000001, scriptPubKey=)`.
 */
export function txOutToString(out: CoinOut | undefined): string {
  if (out === undefined) return "CTxOut(nValue=-0.00000001, scriptPubKey=)";
  const coin = 100_000_000n;
  const v = out.value;
  return `CTxOut(nValue=${v / coin}.${(v % coin).toString().padStart(8, "0")}, scriptPubKey=${
    toHex(out.scriptPubKey).slice(0, 30)
  })`;
}

/**
 * Core's `SignTransaction` (rawtransaction_util) + `SignTransactionResultToJSON`: signs and returns
 * `{hex, complete, errors?}`; a segwit input of a coin without amount throws "Missing amount for CTxOut(…)".
 */
export function signTransactionToJson(
  tx: Transaction,
  keystore: FlatSigningProvider,
  coins: Map<string, CoinOut>,
  hashType: unknown,
): { hex: string; complete: boolean; errors?: TxInErrorJson[] } {
  const sighash = parseSighashString(hashType) ?? SIGHASH_DEFAULT;
  const res = signTransaction(tx, keystore, coins, sighash);
  const errors: TxInErrorJson[] = [];
  for (const [i, message] of [...res.errors].sort((a, b) => a[0] - b[0])) {
    const input = res.tx.inputs[i];
    if (message === "Missing amount") {
      throw new RpcError(
        RpcErrorCode.RPC_TYPE_ERROR,
        `Missing amount for ${txOutToString(coins.get(outPointKey(input.prevout)))}`,
      );
    }
    errors.push(txInErrorToJson(input, message));
  }
  const result: { hex: string; complete: boolean; errors?: TxInErrorJson[] } = {
    hex: encodeHexTx(res.tx),
    complete: res.complete,
  };
  if (errors.length > 0) result.errors = errors;
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Method documentation

/**
 * Core's `CreateTxDoc`: the `inputs`, `outputs`, `locktime`, `replaceable` and `version` arguments shared by
 * `createrawtransaction` and `createpsbt`.
 */
/** An `{"address": amount}` object of an outputs argument (createrawtransaction's, sendall's recipients). */
export const ADDRESS_AMOUNT_ARG: RpcArgSpec = {
  names: "",
  type: "obj_user_keys",
  fallback: "omitted",
  description: "",
  inner: [{
    names: "address",
    type: "amount",
    description:
      "A key-value pair. The key (string) is the bitcoin address, the value (float or string) is the amount in BTC",
  }],
};

export function createTxDoc(): RpcArgSpec[] {
  return [
    {
      names: "inputs",
      type: "arr",
      description: "The inputs",
      inner: [{
        names: "",
        type: "obj",
        fallback: "omitted",
        description: "",
        inner: [
          { names: "txid", type: "str_hex", description: "The transaction id" },
          { names: "vout", type: "num", description: "The output number" },
          {
            names: "sequence",
            type: "num",
            fallback: { hint: "depends on the value of the 'replaceable' and 'locktime' arguments" },
            description: "The sequence number",
          },
        ],
      }],
    },
    {
      names: "outputs",
      type: "arr",
      description: "The outputs specified as key-value pairs.\n" +
        "Each key may only appear once, i.e. there can only be one 'data' output, and no address may be duplicated.\n" +
        "At least one output of either type must be specified.\n" +
        "For compatibility reasons, a dictionary, which holds the key-value pairs directly, is also\n" +
        "                             accepted as second parameter.",
      skipTypeCheck: true,
      inner: [
        ADDRESS_AMOUNT_ARG,
        {
          names: "",
          type: "obj",
          fallback: "omitted",
          description: "",
          inner: [{
            names: "data",
            type: "str_hex",
            description:
              'A key-value pair. The key must be "data", the value is hex-encoded data that becomes a part of an OP_RETURN output',
          }],
        },
      ],
    },
    {
      names: "locktime",
      type: "num",
      fallback: { default: 0 },
      description: "Raw locktime. Non-0 value also locktime-activates inputs",
    },
    {
      names: "replaceable",
      type: "bool",
      fallback: { default: true },
      description: "Marks this transaction as BIP125-replaceable.\n" +
        "Allows this transaction to be replaced by a transaction with higher fees. If provided, it is an error if explicit sequence numbers are incompatible.",
    },
    {
      names: "version",
      type: "num",
      fallback: { default: DEFAULT_RAWTX_VERSION },
      description: "Transaction version",
    },
  ];
}

/** The `iswitness` argument of `decoderawtransaction` and `converttopsbt` (Core's help text). */
export const ISWITNESS_ARG: RpcArgSpec = {
  names: "iswitness",
  type: "bool",
  fallback: { hint: "depends on heuristic tests" },
  description: "Whether the transaction hex is a serialized witness transaction.\n" +
    "If iswitness is not present, heuristic tests will be used in decoding.\n" +
    "If true, only witness deserialization will be tried.\n" +
    "If false, only non-witness deserialization will be tried.\n" +
    "This boolean should reflect whether the transaction has inputs\n" +
    "(e.g. fully valid, or on-chain transactions), if known by the caller.",
};

/** The sighash type names a `sighashtype` argument accepts, one a line as Core's help lists them. */
export const SIGHASH_TYPE_CHOICES: string = '       "DEFAULT"\n' +
  '       "ALL"\n' +
  '       "NONE"\n' +
  '       "SINGLE"\n' +
  '       "ALL|ANYONECANPAY"\n' +
  '       "NONE|ANYONECANPAY"\n' +
  '       "SINGLE|ANYONECANPAY"';

const CREATE_EX1 = '"[{\\"txid\\":\\"myid\\",\\"vout\\":0}]" "[{\\"address\\":0.01}]"';
const CREATE_EX2 = '"[{\\"txid\\":\\"myid\\",\\"vout\\":0}]" "[{\\"data\\":\\"00010203\\"}]"';
const CREATE_EX3 = '"[{\\"txid\\":\\"myid\\",\\"vout\\":0}]", "[{\\"address\\":0.01}]"';
const CREATE_EX4 = '"[{\\"txid\\":\\"myid\\",\\"vout\\":0}]", "[{\\"data\\":\\"00010203\\"}]"';

/** The result of `signrawtransactionwithkey` and `signrawtransactionwithwallet` (Core's `SignTransactionResultToJSON`). */
export const SIGN_RESULT: RpcResultSpec = {
  type: "obj",
  inner: [
    { type: "str_hex", key: "hex", description: "The hex-encoded raw transaction with signature(s)" },
    { type: "bool", key: "complete", description: "If the transaction has a complete set of signatures" },
    {
      type: "arr",
      key: "errors",
      optional: true,
      description: "Script verification errors (if there are any)",
      inner: [{
        type: "obj",
        description: "",
        inner: [
          { type: "str_hex", key: "txid", description: "The hash of the referenced, previous transaction" },
          { type: "num", key: "vout", description: "The index of the output to spent and used as input" },
          {
            type: "arr",
            key: "witness",
            description: "",
            inner: [{ type: "str_hex", key: "witness", description: "" }],
          },
          { type: "str_hex", key: "scriptSig", description: "The hex-encoded signature script" },
          { type: "num", key: "sequence", description: "Script sequence number" },
          { type: "str", key: "error", description: "Verification or signing error related to the input" },
        ],
      }],
    },
  ],
};

/**
 * The `prevtxs` argument of `signrawtransactionwithkey` and `signrawtransactionwithwallet` (what
 * {@link parsePrevouts} reads); Core words the `scriptPubKey` entry differently in the two.
 */
export function prevtxsArg(scriptPubKeyDescription: string): RpcArgSpec {
  return {
    names: "prevtxs",
    type: "arr",
    fallback: "omitted",
    description: "The previous dependent transaction outputs",
    inner: [{
      names: "",
      type: "obj",
      fallback: "omitted",
      description: "",
      inner: [
        { names: "txid", type: "str_hex", description: "The transaction id" },
        { names: "vout", type: "num", description: "The output number" },
        { names: "scriptPubKey", type: "str_hex", description: scriptPubKeyDescription },
        {
          names: "redeemScript",
          type: "str_hex",
          fallback: "omitted",
          description: "(required for P2SH) redeem script",
        },
        {
          names: "witnessScript",
          type: "str_hex",
          fallback: "omitted",
          description: "(required for P2WSH or P2SH-P2WSH) witness script",
        },
        {
          names: "amount",
          type: "amount",
          fallback: "omitted",
          description: "(required for Segwit inputs) the amount spent",
        },
      ],
    }],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Methods

/** What the raw transaction methods need from the node. */
export interface RawTransactionMethodsOptions {
  /** The network (addresses, keys). */
  network: () => Network;
  /** The node's coin view (UTXO set and mempool); default: no coins known. */
  getCoin?: GetCoin;
}

/** `createrawtransaction`, `decoderawtransaction`, `decodescript`, `combinerawtransaction`, `signrawtransactionwithkey`. */
export function rawTransactionMethods(options: RawTransactionMethodsOptions): RpcMethod[] {
  const network = options.network;
  const getCoin: GetCoin = options.getCoin ?? (() => null);

  const createrawtransaction: RpcMethod = {
    name: "createrawtransaction",
    category: "rawtransactions",
    description: "Create a transaction spending the given inputs and creating new outputs.\n" +
      "Outputs can be addresses or data.\n" +
      "Returns hex-encoded raw transaction.\n" +
      "Note that the transaction's inputs are not signed, and\n" +
      "it is not stored in the wallet or transmitted to the network.\n",
    args: createTxDoc(),
    results: [{ type: "str_hex", key: "transaction", description: "hex string of the transaction" }],
    examples: helpExampleCli("createrawtransaction", CREATE_EX1) +
      helpExampleCli("createrawtransaction", CREATE_EX2) +
      helpExampleRpc("createrawtransaction", CREATE_EX3) +
      helpExampleRpc("createrawtransaction", CREATE_EX4),
    losslessNumbers: true,
    handler: (params) => {
      const rbf = params[3] === null || params[3] === undefined ? undefined : getBool(params[3]);
      const versionV = params[4];
      const version = versionV === null || versionV === undefined
        ? DEFAULT_RAWTX_VERSION
        : getIntStrict(versionV, 0n, 0xffffffffn);
      const tx = constructTransaction(params[0], params[1], params[2], rbf, version, network());
      return encodeHexTx(tx);
    },
  };

  const decoderawtransaction: RpcMethod = {
    name: "decoderawtransaction",
    category: "rawtransactions",
    description: "Return a JSON object representing the serialized, hex-encoded transaction.",
    args: [
      { names: "hexstring", type: "str_hex", description: "The transaction hex string" },
      ISWITNESS_ARG,
    ],
    results: [{ type: "obj", inner: txDoc() }],
    examples: helpExampleCli("decoderawtransaction", '"hexstring"') +
      helpExampleRpc("decoderawtransaction", '"hexstring"'),
    handler: (params) => {
      const tx = decodeHexTxArg(params[0], params[1]);
      return txToUnivFor(tx, network());
    },
  };

  const decodescript: RpcMethod = {
    name: "decodescript",
    category: "rawtransactions",
    description: "Decode a hex-encoded script.\n",
    args: [{ names: "hexstring", type: "str_hex", description: "the hex-encoded script" }],
    results: [{
      type: "obj",
      inner: [
        { type: "str", key: "asm", description: "Disassembly of the script" },
        { type: "str", key: "desc", description: "Inferred descriptor for the script" },
        {
          type: "str",
          key: "type",
          description: `The output type (e.g. ${getAllOutputTypesText()})`,
        },
        {
          type: "str",
          key: "address",
          optional: true,
          description: "The Bitcoin address (only if a well-defined address exists)",
        },
        {
          type: "str",
          key: "p2sh",
          optional: true,
          description:
            "address of P2SH script wrapping this redeem script (not returned for types that should not be wrapped)",
        },
        {
          type: "obj",
          key: "segwit",
          optional: true,
          description:
            "Result of a witness output script wrapping this redeem script (not returned for types that should not be wrapped)",
          inner: [
            { type: "str", key: "asm", description: "Disassembly of the output script" },
            { type: "str_hex", key: "hex", description: "The raw output script bytes, hex-encoded" },
            {
              type: "str",
              key: "type",
              description: "The type of the output script (e.g. witness_v0_keyhash or witness_v0_scripthash)",
            },
            {
              type: "str",
              key: "address",
              optional: true,
              description: "The Bitcoin address (only if a well-defined address exists)",
            },
            { type: "str", key: "desc", description: "Inferred descriptor for the script" },
            {
              type: "str",
              key: "p2sh-segwit",
              description: "address of the P2SH script wrapping this witness redeem script",
            },
          ],
        },
      ],
    }],
    examples: helpExampleCli("decodescript", '"hexstring"') + helpExampleRpc("decodescript", '"hexstring"'),
    handler: (params) => {
      const hex = getStr(params[0]);
      const script = hex.length > 0 ? parseHexV(hex, "argument") : new Uint8Array(0);
      return decodeScriptJson(script, network());
    },
  };

  const combinerawtransaction: RpcMethod = {
    name: "combinerawtransaction",
    category: "rawtransactions",
    description: "Combine multiple partially signed transactions into one transaction.\n" +
      "The combined transaction may be another partially signed transaction or a \n" +
      "fully signed transaction.",
    args: [{
      names: "txs",
      type: "arr",
      description: "The hex strings of partially signed transactions",
      inner: [{
        names: "hexstring",
        type: "str_hex",
        fallback: "omitted",
        description: "A hex-encoded raw transaction",
      }],
    }],
    results: [{ type: "str", description: "The hex-encoded raw transaction with signature(s)" }],
    examples: helpExampleCli("combinerawtransaction", `'["myhex1", "myhex2", "myhex3"]'`),
    handler: async (params) => {
      const txs = getArray(params[0]);
      if (txs.length < 2) {
        throw new RpcError(
          RpcErrorCode.RPC_DESERIALIZATION_ERROR,
          "Missing transactions. At least two transactions required.",
        );
      }
      const variants: Transaction[] = txs.map((t, idx) => {
        const tx = decodeHexTx(getStr(t));
        if (tx === null) {
          throw new RpcError(
            RpcErrorCode.RPC_DESERIALIZATION_ERROR,
            `TX decode failed for tx ${idx}. Make sure the tx has at least one input.`,
          );
        }
        return tx;
      });
      const stripped = (tx: Transaction): string =>
        toHex(txidOf({
          ...tx,
          inputs: tx.inputs.map((i) => ({ ...i, scriptSig: new Uint8Array(0), witness: [] })),
        }));
      const first = stripped(variants[0]);
      for (let k = 1; k < variants.length; k++) {
        if (stripped(variants[k]) !== first) {
          throw new RpcError(
            RpcErrorCode.RPC_INVALID_PARAMETER,
            `Transaction number ${k + 1} not compatible with first transaction`,
          );
        }
      }
      const base = variants[0];
      const coins: Array<CoinLike | null> = [];
      for (const input of base.inputs) coins.push(await getCoin(input.prevout));
      const inputs: TxIn[] = [...base.inputs];
      for (let i = 0; i < base.inputs.length; i++) {
        const coin = coins[i];
        if (coin === null) {
          throw new RpcError(RpcErrorCode.RPC_VERIFY_ERROR, "Input not found or already spent");
        }
        const out = { value: coin.value, scriptPubKey: coin.scriptPubKey };
        const sigdata = emptySignatureData();
        for (const txv of variants) {
          if (txv.inputs.length > i) mergeSignatureData(sigdata, dataFromTransaction(txv, i, out));
        }
        const merged: Transaction = { ...base, inputs: [...inputs] };
        produceSignature(
          DUMMY_SIGNING_PROVIDER,
          new TransactionSignatureCreator(merged, i, coin.value, null, SIGHASH_ALL),
          coin.scriptPubKey,
          sigdata,
        );
        inputs[i] = updateInput(inputs[i], sigdata);
      }
      return encodeHexTx({ ...base, inputs });
    },
  };

  const signrawtransactionwithkey: RpcMethod = {
    name: "signrawtransactionwithkey",
    category: "rawtransactions",
    description: "Sign inputs for raw transaction (serialized, hex-encoded).\n" +
      "The second argument is an array of base58-encoded private\n" +
      "keys that will be the only keys used to sign the transaction.\n" +
      "The third optional argument (may be null) is an array of previous transaction outputs that\n" +
      "this transaction depends on but may not yet be in the block chain.\n",
    args: [
      { names: "hexstring", type: "str", description: "The transaction hex string" },
      {
        names: "privkeys",
        type: "arr",
        description: "The base58-encoded private keys for signing",
        inner: [{
          names: "privatekey",
          type: "str_hex",
          fallback: "omitted",
          description: "private key in base58-encoding",
        }],
      },
      prevtxsArg("output script"),
      {
        names: "sighashtype",
        type: "str",
        fallback: { default: "DEFAULT for Taproot, ALL otherwise" },
        description: "The signature hash type. Must be one of:\n" + SIGHASH_TYPE_CHOICES + "\n",
      },
    ],
    results: [SIGN_RESULT],
    examples: helpExampleCli("signrawtransactionwithkey", '"myhex" "[\\"key1\\",\\"key2\\"]"') +
      helpExampleRpc("signrawtransactionwithkey", '"myhex", "[\\"key1\\",\\"key2\\"]"'),
    losslessNumbers: true,
    handler: async (params) => {
      const tx = decodeHexTxParam(params[0]);
      const net = network();
      const keystore = new FlatSigningProvider();
      for (const k of getArray(params[1])) {
        const secret = decodeSecret(getStr(k), net);
        if (secret === undefined) {
          throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, "Invalid private key");
        }
        keystore.addKey(secret);
      }
      const coins = new Map<string, CoinOut>();
      for (const input of tx.inputs) {
        const key = outPointKey(input.prevout);
        if (coins.has(key)) continue;
        const coin = await getCoin(input.prevout);
        if (coin !== null) coins.set(key, { value: coin.value, scriptPubKey: coin.scriptPubKey });
      }
      parsePrevouts(params[2], keystore, coins);
      return signTransactionToJson(tx, keystore, coins, params[3]);
    },
  };

  return [
    createrawtransaction,
    decoderawtransaction,
    decodescript,
    combinerawtransaction,
    signrawtransactionwithkey,
  ];
}

function getAllOutputTypesText(): string {
  return getAllOutputTypes();
}

function txToUnivFor(tx: Transaction, network: Network): JsonValue {
  return txToUniv(tx, { network }) as unknown as JsonValue;
}

/** Core's `decodescript` result for `script`. */
export function decodeScriptJson(script: Uint8Array, network: Network): Record<string, unknown> {
  const r: Record<string, unknown> = {
    ...scriptToUniv(script, { network, includeHex: false, includeAddress: true }),
  };
  const sol = solver(script);
  const type = sol.type;
  const wrappable = type === "multisig" || type === "nonstandard" || type === "pubkey" ||
    type === "pubkeyhash" ||
    type === "witness_v0_keyhash" || type === "witness_v0_scripthash";
  let canWrap = wrappable && hasValidOps(script) && !isUnspendable(script);
  if (canWrap) {
    const c = new ScriptCursor(script);
    while (c.pc < script.length) {
      if (!c.next()) break;
      if (c.opcode === OP_CHECKSIGADD || isOpSuccess(c.opcode)) {
        canWrap = false;
        break;
      }
    }
  }
  if (!canWrap) return r;
  r.p2sh = encodeDestination({ type: "scripthash", hash: hash160Of(script) }, network);
  let canWrapP2wsh: boolean;
  switch (type) {
    case "multisig":
      canWrapP2wsh = sol.pubkeys.every((k) => k.length === 33);
      break;
    case "pubkey":
      canWrapP2wsh = sol.pubkey.length === 33;
      break;
    case "nonstandard":
    case "pubkeyhash":
      canWrapP2wsh = true;
      break;
    default:
      canWrapP2wsh = false;
  }
  if (!canWrapP2wsh) return r;
  let segwitScript: Uint8Array;
  let provider = {};
  if (sol.type === "pubkey") {
    segwitScript = getScriptForDestination({ type: "witness_v0_keyhash", program: hash160Of(sol.pubkey) });
  } else if (sol.type === "pubkeyhash") {
    segwitScript = getScriptForDestination({ type: "witness_v0_keyhash", program: sol.hash.slice() });
  } else {
    provider = scriptProvider(script);
    segwitScript = p2wshScript(script);
  }
  const sr: Record<string, unknown> = {
    ...scriptToUniv(segwitScript, { network, includeHex: true, includeAddress: true, provider }),
  };
  sr["p2sh-segwit"] = encodeDestination({ type: "scripthash", hash: hash160Of(segwitScript) }, network);
  r.segwit = sr;
  return r;
}
