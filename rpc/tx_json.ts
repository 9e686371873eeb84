/**
 * Transactions and scripts as Bitcoin Core's RPCs print them (`core_io`/`core_write.cpp`): `TxToUniv` (the
 * decoded transaction object of `decoderawtransaction`, `getrawtransaction` and `getblock`), `ScriptToUniv` /
 * `ScriptPubKeyToUniv` (`asm`, `desc`, `hex`, `address`, `type`), `DecodeHexTx` (extended or legacy
 * serialization chosen by Core's script sanity rule), `EncodeHexTx`, the inferred output descriptor
 * (`InferDescriptor` for the forms that need no wallet: addr/raw/pk/pkh/wpkh/multi/sh/wsh/rawtr, with checksum)
 * and the help documentation of these shapes (`TxDoc`, `ScriptPubKeyDoc`).
 *
 * @module
 */
import { ripemd160 } from "@noble/hashes/legacy.js";
import type { Network } from "../core/chain_params_base.ts";
import { encodeDestination, extractDestination } from "../core/address/destination.ts";
import { defaultSecp256k1 } from "../core/crypto/default_backend.ts";
import { addChecksum } from "../core/descriptors/checksum.ts";
import { hash160, reverseHex, toHex } from "../core/hash/hashes.ts";
import { scriptToAsm } from "../core/script/asm.ts";
import { hasValidOps, MAX_SCRIPT_SIZE } from "../core/script/script.ts";
import { solver, TXOUT_TYPES, type TxoutType } from "../core/script/standard.ts";
import {
  decodeTransaction,
  encodeTransaction,
  isCoinBase,
  transactionTotalSize,
  transactionWeight,
  txid as txidOf,
  WITNESS_SCALE_FACTOR,
  wtxid as wtxidOf,
} from "../core/wire/transaction.ts";
import type { Transaction, TxOut } from "../core/wire/types.ts";
import type { RpcResultSpec } from "./help.ts";
import { type RawJson, valueFromAmount } from "./json.ts";

// ---------------------------------------------------------------------------------------------------------------
// Hex

/** Core's `IsHex`: non-empty, even length, only hex digits. */
export function isHex(text: string): boolean {
  return text.length > 0 && text.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(text);
}

/** Bytes of a string that passed {@link isHex}. */
export function parseHex(text: string): Uint8Array {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// DecodeHexTx / EncodeHexTx

/** Options of {@link decodeHexTx} (Core's `try_no_witness` / `try_witness`). */
export interface DecodeHexTxOptions {
  /** Try the legacy serialization (default true). */
  tryNoWitness?: boolean;
  /** Try the extended (BIP144) serialization (default true). */
  tryWitness?: boolean;
}

/**
 * Core's `CheckTxScriptsSanity`: every scriptSig (unless coinbase) and every scriptPubKey has only valid opcodes
 * and is at most MAX_SCRIPT_SIZE bytes.
 */
export function checkTxScriptsSanity(tx: Transaction): boolean {
  if (!isCoinBase(tx)) {
    for (const input of tx.inputs) {
      if (!hasValidOps(input.scriptSig) || input.scriptSig.length > MAX_SCRIPT_SIZE) return false;
    }
  }
  for (const output of tx.outputs) {
    if (!hasValidOps(output.scriptPubKey) || output.scriptPubKey.length > MAX_SCRIPT_SIZE) return false;
  }
  return true;
}

function tryDecode(bytes: Uint8Array, allowWitness: boolean): Transaction | null {
  try {
    return decodeTransaction(bytes, { allowWitness, copy: true });
  } catch {
    return null;
  }
}

/**
 * Core's `DecodeHexTx`: decodes `hex` with the extended serialization and with the legacy one (each that is
 * allowed and consumes all bytes); when both succeed, the one passing {@link checkTxScriptsSanity} wins, the
 * extended one if both or neither pass. Null when `hex` is not hex or neither decoding works.
 */
export function decodeHexTx(hex: string, options: DecodeHexTxOptions = {}): Transaction | null {
  if (!isHex(hex)) return null;
  const bytes = parseHex(hex);
  const tryWitness = options.tryWitness ?? true;
  const tryNoWitness = options.tryNoWitness ?? true;
  const extended = tryWitness ? tryDecode(bytes, true) : null;
  if (extended !== null && checkTxScriptsSanity(extended)) return extended;
  const legacy = tryNoWitness ? tryDecode(bytes, false) : null;
  if (legacy !== null && checkTxScriptsSanity(legacy)) return legacy;
  return extended ?? legacy;
}

/** Core's `EncodeHexTx`: hex of the serialization with witnesses (when there are any). */
export function encodeHexTx(tx: Transaction): string {
  return toHex(encodeTransaction(tx));
}

// ---------------------------------------------------------------------------------------------------------------
// InferDescriptor

/**
 * What descriptor inference may look up (Core's `SigningProvider` as `InferDescriptor` uses it): scripts by
 * their HASH160 (`CScriptID`) and public keys by their HASH160 (`CKeyID`), both keyed by lowercase hex.
 */
export interface InferProvider {
  /** Scripts by hex HASH160 of the script. */
  readonly scripts?: ReadonlyMap<string, Uint8Array>;
  /** Public keys by hex HASH160 of the key. */
  readonly pubkeys?: ReadonlyMap<string, Uint8Array>;
}

/** Core's `OutputType` names (as `-addresstype` spells them). */
export type OutputType = "legacy" | "p2sh-segwit" | "bech32" | "bech32m";

/** An inferred descriptor: its text with checksum and, when it has one, its output type. */
export interface InferredDescriptor {
  /** The descriptor with `#checksum` (Core's `Descriptor::ToString()`). */
  readonly descriptor: string;
  /** Core's `GetOutputType()`; undefined for raw, pk and bare multi. */
  readonly outputType: OutputType | undefined;
}

type Ctx = "top" | "p2sh" | "p2wsh";

interface Node {
  text: string;
  outputType: OutputType | undefined;
}

/** Core's `InferPubkey`: no hybrid keys; uncompressed keys only at the top level and in P2SH. */
function inferPubkey(pubkey: Uint8Array, ctx: Ctx | "p2wpkh"): string | null {
  const h = pubkey[0];
  if (pubkey.length === 0 || (h !== 2 && h !== 3 && h !== 4)) return null;
  if (ctx !== "top" && ctx !== "p2sh" && pubkey.length !== 33) return null;
  return toHex(pubkey);
}

function lookup(map: ReadonlyMap<string, Uint8Array> | undefined, id: Uint8Array): Uint8Array | undefined {
  return map?.get(toHex(id));
}

function inferScript(script: Uint8Array, ctx: Ctx, network: Network, provider: InferProvider): Node | null {
  const sol = solver(script);
  const inScriptCtx = ctx === "top" || ctx === "p2sh" || ctx === "p2wsh";
  if (sol.type === "pubkey" && inScriptCtx) {
    const key = inferPubkey(sol.pubkey, ctx);
    if (key !== null) return { text: `pk(${key})`, outputType: undefined };
  }
  if (sol.type === "pubkeyhash" && inScriptCtx) {
    const pubkey = lookup(provider.pubkeys, sol.hash);
    if (pubkey !== undefined) {
      const key = inferPubkey(pubkey, ctx);
      if (key !== null) return { text: `pkh(${key})`, outputType: "legacy" };
    }
  }
  if (sol.type === "witness_v0_keyhash" && (ctx === "top" || ctx === "p2sh")) {
    const pubkey = lookup(provider.pubkeys, sol.hash);
    if (pubkey !== undefined) {
      const key = inferPubkey(pubkey, "p2wpkh");
      if (key !== null) return { text: `wpkh(${key})`, outputType: "bech32" };
    }
  }
  if (sol.type === "multisig" && inScriptCtx) {
    const keys: string[] = [];
    for (const pk of sol.pubkeys) {
      const key = inferPubkey(pk, ctx);
      if (key === null) break;
      keys.push(key);
    }
    if (keys.length === sol.pubkeys.length) {
      return { text: `multi(${sol.required},${keys.join(",")})`, outputType: undefined };
    }
  }
  if (sol.type === "scripthash" && ctx === "top") {
    const sub = lookup(provider.scripts, sol.hash);
    if (sub !== undefined) {
      const inner = inferScript(sub, "p2sh", network, provider);
      if (inner !== null) {
        return {
          text: `sh(${inner.text})`,
          outputType: inner.outputType === "bech32" ? "p2sh-segwit" : "legacy",
        };
      }
    }
  }
  if (sol.type === "witness_v0_scripthash" && (ctx === "top" || ctx === "p2sh")) {
    const sub = lookup(provider.scripts, ripemd160(sol.hash));
    if (sub !== undefined) {
      const inner = inferScript(sub, "p2wsh", network, provider);
      if (inner !== null) return { text: `wsh(${inner.text})`, outputType: "bech32" };
    }
  }
  if (sol.type === "witness_v1_taproot" && ctx === "top") {
    if (defaultSecp256k1().isValidXOnlyPubkey(sol.outputKey)) {
      return { text: `rawtr(${toHex(sol.outputKey)})`, outputType: "bech32m" };
    }
  }
  // Miniscript inference inside P2WSH (Core tries it here) is not done: such scripts fall back as below.
  if (ctx !== "top") return null;
  const dest = extractDestination(script);
  if (dest !== undefined) {
    const address = encodeDestination(dest, network);
    if (address !== undefined) {
      const outputType: OutputType = dest.type === "pubkeyhash" || dest.type === "scripthash"
        ? "legacy"
        : dest.type === "witness_v0_keyhash" || dest.type === "witness_v0_scripthash"
        ? "bech32"
        : "bech32m";
      return { text: `addr(${address})`, outputType };
    }
  }
  return { text: `raw(${toHex(script)})`, outputType: undefined };
}

/**
 * Core's `InferDescriptor(script, provider)` for what a node knows without a wallet: `pk()`, `pkh()`/`wpkh()`
 * when the provider has the key, `multi()`, `sh()`/`wsh()` around what the provider's scripts infer to,
 * `rawtr()` for a valid x-only output key, else `addr()` when the script has an address, else `raw()`. The
 * result carries Core's checksum.
 */
export function inferDescriptor(
  script: Uint8Array,
  network: Network,
  provider: InferProvider = {},
): InferredDescriptor {
  const node = inferScript(script, "top", network, provider)!;
  return { descriptor: addChecksum(node.text), outputType: node.outputType };
}

/** A provider holding `scripts` (keyed by their HASH160), for {@link inferDescriptor}. */
export function scriptProvider(...scripts: Uint8Array[]): InferProvider {
  return { scripts: new Map(scripts.map((s) => [toHex(hash160(s)), s])) };
}

// ---------------------------------------------------------------------------------------------------------------
// ScriptToUniv / TxToUniv

/** The JSON of a script (Core's `ScriptToUniv`); fields in Core's order. */
export interface ScriptJson {
  /** Disassembly (Core's `ScriptToAsmStr` without sighash decoding). */
  asm: string;
  /** Inferred descriptor (with `includeAddress`). */
  desc?: string;
  /** Hex of the script (with `includeHex`). */
  hex?: string;
  /** Address (with `includeAddress`, when the script has one and is not P2PK). */
  address?: string;
  /** Core's output type name. */
  type: TxoutType;
}

/** Options of {@link scriptToUniv}. */
export interface ScriptToUnivOptions {
  /** Network of addresses. */
  network: Network;
  /** Add `hex`. */
  includeHex: boolean;
  /** Add `desc` and `address`. */
  includeAddress: boolean;
  /** Scripts and keys descriptor inference may use. */
  provider?: InferProvider;
}

/** Core's `ScriptToUniv`: `asm`, `desc`, `hex`, `address`, `type` (the optional ones as asked). */
export function scriptToUniv(script: Uint8Array, options: ScriptToUnivOptions): ScriptJson {
  const out: ScriptJson = { asm: scriptToAsm(script) } as ScriptJson;
  if (options.includeAddress) {
    out.desc = inferDescriptor(script, options.network, options.provider).descriptor;
  }
  if (options.includeHex) out.hex = toHex(script);
  const type = solver(script).type;
  if (options.includeAddress && type !== "pubkey") {
    const address = encodeDestination(script, options.network);
    if (address !== undefined) out.address = address;
  }
  out.type = type;
  return out;
}

/** The `scriptPubKey` object of outputs (Core's `ScriptToUniv(script, out, true, true)`). */
export function scriptPubKeyToUniv(script: Uint8Array, network: Network): ScriptJson {
  return scriptToUniv(script, { network, includeHex: true, includeAddress: true });
}

/** A spent output as undo data knows it (Core's `Coin`). */
export interface SpentCoin {
  /** Amount in satoshis. */
  readonly value: bigint;
  /** Output script. */
  readonly scriptPubKey: Uint8Array;
  /** Height of the block that created it. */
  readonly height: number;
  /** Whether it is a coinbase output. */
  readonly coinbase: boolean;
}

/** Options of {@link txToUniv}. */
export interface TxToUnivOptions {
  /** Network of addresses. */
  network: Network;
  /** Block hash (internal byte order) to add as `blockhash`. */
  blockHash?: Uint8Array;
  /** Add `hex` (the serialized transaction). Default false. */
  includeHex?: boolean;
  /** The coins the inputs spent, in input order (Core's `CTxUndo`): adds `fee`, and `prevout` with verbosity. */
  undo?: readonly SpentCoin[];
  /** "details" (default) or "details_and_prevout" (adds each input's `prevout` when `undo` is given). */
  verbosity?: "details" | "details_and_prevout";
  /** Marks outputs with `ischange: true` (wallet). */
  isChange?: (out: TxOut) => boolean;
}

/** One input of {@link TxJson}. */
export interface TxInJson {
  /** Hex scriptSig of a coinbase. */
  coinbase?: string;
  /** Spent txid. */
  txid?: string;
  /** Spent output index. */
  vout?: number;
  /** scriptSig asm (with sighash decoding) and hex. */
  scriptSig?: { asm: string; hex: string };
  /** Witness stack items, hex. */
  txinwitness?: string[];
  /** The spent output (verbosity "details_and_prevout" with undo data). */
  prevout?: { generated: boolean; height: number; value: RawJson; scriptPubKey: ScriptJson };
  /** nSequence. */
  sequence: number;
}

/** One output of {@link TxJson}. */
export interface TxOutJson {
  /** Amount in BTC, 8 decimals. */
  value: RawJson;
  /** Index. */
  n: number;
  /** The output script. */
  scriptPubKey: ScriptJson;
  /** Wallet change flag (only when true). */
  ischange?: true;
}

/** A decoded transaction (Core's `TxToUniv`), fields in Core's order. */
export interface TxJson {
  /** Txid, display order. */
  txid: string;
  /** Wtxid, display order. */
  hash: string;
  /** nVersion. */
  version: number;
  /** Total size. */
  size: number;
  /** Virtual size. */
  vsize: number;
  /** Weight. */
  weight: number;
  /** nLockTime. */
  locktime: number;
  /** Inputs. */
  vin: TxInJson[];
  /** Outputs. */
  vout: TxOutJson[];
  /** Fee (with undo data). */
  fee?: RawJson;
  /** Containing block. */
  blockhash?: string;
  /** Serialized transaction. */
  hex?: string;
}

/**
 * Core's `TxToUniv`: the decoded transaction object. With `undo` the `fee` is added (and each input's `prevout`
 * for verbosity "details_and_prevout"); `blockHash` adds `blockhash`, `includeHex` the `hex` field.
 */
export function txToUniv(tx: Transaction, options: TxToUnivOptions): TxJson {
  const weight = transactionWeight(tx);
  const coinbase = isCoinBase(tx);
  const undo = options.undo;
  const prevouts = undo !== undefined && options.verbosity === "details_and_prevout";
  let totalIn = 0n;
  let totalOut = 0n;
  const vin: TxInJson[] = tx.inputs.map((input, i) => {
    const entry = {} as TxInJson;
    if (coinbase) {
      entry.coinbase = toHex(input.scriptSig);
    } else {
      entry.txid = reverseHex(input.prevout.txid);
      entry.vout = input.prevout.vout >>> 0;
      entry.scriptSig = {
        asm: scriptToAsm(input.scriptSig, { attemptSighashDecode: true }),
        hex: toHex(input.scriptSig),
      };
    }
    if (input.witness.length > 0) entry.txinwitness = input.witness.map(toHex);
    if (undo !== undefined) {
      const coin = undo[i];
      totalIn += coin.value;
      if (prevouts) {
        entry.prevout = {
          generated: coin.coinbase,
          height: coin.height,
          value: valueFromAmount(coin.value),
          scriptPubKey: scriptPubKeyToUniv(coin.scriptPubKey, options.network),
        };
      }
    }
    entry.sequence = input.sequence >>> 0;
    return entry;
  });
  const vout: TxOutJson[] = tx.outputs.map((output, n) => {
    const entry: TxOutJson = {
      value: valueFromAmount(output.value),
      n,
      scriptPubKey: scriptPubKeyToUniv(output.scriptPubKey, options.network),
    };
    if (options.isChange?.(output)) entry.ischange = true;
    totalOut += output.value;
    return entry;
  });
  const out: TxJson = {
    txid: reverseHex(txidOf(tx)),
    hash: reverseHex(wtxidOf(tx)),
    version: tx.version >>> 0,
    size: transactionTotalSize(tx),
    vsize: Math.floor((weight + WITNESS_SCALE_FACTOR - 1) / WITNESS_SCALE_FACTOR),
    weight,
    locktime: tx.locktime >>> 0,
    vin,
    vout,
  };
  if (undo !== undefined) out.fee = valueFromAmount(totalIn - totalOut);
  if (options.blockHash !== undefined && options.blockHash.some((b) => b !== 0)) {
    out.blockhash = reverseHex(options.blockHash);
  }
  if (options.includeHex) out.hex = encodeHexTx(tx);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Help documentation

/** Core's `GetAllOutputTypes()`: every output type name in Core's enum order, comma separated. */
export function getAllOutputTypes(): string {
  return TXOUT_TYPES.join(", ");
}

/** Core's `ScriptPubKeyDoc()`. */
export function scriptPubKeyDoc(): RpcResultSpec[] {
  return [
    { type: "str", key: "asm", description: "Disassembly of the output script" },
    { type: "str", key: "desc", description: "Inferred descriptor for the output" },
    { type: "str_hex", key: "hex", description: "The raw output script bytes, hex-encoded" },
    {
      type: "str",
      key: "address",
      optional: true,
      description: "The Bitcoin address (only if a well-defined address exists)",
    },
    { type: "str", key: "type", description: `The type (one of: ${getAllOutputTypes()})` },
  ];
}

/** Core's `ElideGroup`: the first field printed as `...` with `summary`, the others hidden. */
export function elideGroup(fields: RpcResultSpec[], summary: string): RpcResultSpec[] {
  return fields.map((f, i) => ({ ...f, elision: i === 0 ? { summary } : "skip" }));
}

/** Options of {@link txDoc} (Core's `TxDocOptions`). */
export interface TxDocOptions {
  /** Description of the txid field (default "The transaction id"). */
  txidFieldDoc?: string;
  /** Add the wallet's `ischange` output field. */
  wallet?: boolean;
  /** Top-level field elision: none, the first field as `...` with the summary, or all hidden. */
  elisionMode?: "none" | "with_summary" | "silent";
  /** Summary for `with_summary`. */
  elisionSummary?: string;
  /** Add `prevout` to inputs. */
  prevout?: boolean;
  /** Mark `prevout` optional. */
  prevoutOptional?: boolean;
  /** Add `fee`. */
  fee?: boolean;
  /** Add `hex`. */
  hex?: boolean;
  /** Description of the vin item object (with `vinInnerElision`). */
  vinItemDoc?: string;
  /** Description of `prevout`. */
  prevoutDoc?: string;
  /** Description of `fee`. */
  feeDoc?: string;
  /** Elide the inner vin fields with this summary, keeping `prevout` visible. */
  vinInnerElision?: string;
}

/** Core's `TxDoc`: the documented fields of a decoded transaction. */
export function txDoc(opts: TxDocOptions = {}): RpcResultSpec[] {
  const feeDoc = opts.feeDoc ?? "transaction fee in BTC, omitted if block undo data is not available";
  const prevoutDoc = opts.prevoutDoc ?? "The previous output, omitted if block undo data is not available";
  const vinItemDoc = opts.vinItemDoc ?? "utxo being spent";
  let vinInner: RpcResultSpec[] = [
    {
      type: "str_hex",
      key: "coinbase",
      optional: true,
      description: "The coinbase value (only if coinbase transaction)",
    },
    {
      type: "str_hex",
      key: "txid",
      optional: true,
      description: "The transaction id (if not coinbase transaction)",
    },
    {
      type: "num",
      key: "vout",
      optional: true,
      description: "The output number (if not coinbase transaction)",
    },
    {
      type: "obj",
      key: "scriptSig",
      optional: true,
      description: "The script (if not coinbase transaction)",
      inner: [
        { type: "str", key: "asm", description: "Disassembly of the signature script" },
        { type: "str_hex", key: "hex", description: "The raw signature script bytes, hex-encoded" },
      ],
    },
    {
      type: "arr",
      key: "txinwitness",
      optional: true,
      description: "",
      inner: [{ type: "str_hex", key: "hex", description: "hex-encoded witness data (if any)" }],
    },
  ];
  if (opts.prevout) {
    vinInner.push({
      type: "obj",
      key: "prevout",
      optional: opts.prevoutOptional ?? false,
      description: prevoutDoc,
      inner: [
        { type: "bool", key: "generated", description: "Coinbase or not" },
        { type: "num", key: "height", description: "The height of the prevout" },
        { type: "str_amount", key: "value", description: "The value in BTC" },
        { type: "obj", key: "scriptPubKey", description: "", inner: scriptPubKeyDoc() },
      ],
    });
  }
  vinInner.push({ type: "num", key: "sequence", description: "The script sequence number" });
  if (opts.vinInnerElision !== undefined) {
    vinInner = elideGroup(vinInner, opts.vinInnerElision);
    if (opts.prevout) {
      vinInner = vinInner.map((r) => (r.key === "prevout" ? { ...r, elision: undefined } : r));
    }
  }
  const voutInner: RpcResultSpec[] = [
    { type: "str_amount", key: "value", description: "The value in BTC" },
    { type: "num", key: "n", description: "index" },
    { type: "obj", key: "scriptPubKey", description: "", inner: scriptPubKeyDoc() },
  ];
  if (opts.wallet) {
    voutInner.push({
      type: "bool",
      key: "ischange",
      optional: true,
      description: "Output script is change (only present if true)",
    });
  }
  let fields: RpcResultSpec[] = [
    { type: "str_hex", key: "txid", description: opts.txidFieldDoc ?? "The transaction id" },
    {
      type: "str_hex",
      key: "hash",
      description: "The transaction hash (differs from txid for witness transactions)",
    },
    { type: "num", key: "size", description: "The serialized transaction size" },
    {
      type: "num",
      key: "vsize",
      description: "The virtual transaction size (differs from size for witness transactions)",
    },
    { type: "num", key: "weight", description: "The transaction's weight (between vsize*4-3 and vsize*4)" },
    { type: "num", key: "version", description: "The version" },
    { type: "num_time", key: "locktime", description: "The lock time" },
    {
      type: "arr",
      key: "vin",
      description: "",
      inner: [{
        type: "obj",
        description: opts.vinInnerElision !== undefined ? vinItemDoc : "",
        inner: vinInner,
      }],
    },
    {
      type: "arr",
      key: "vout",
      description: "",
      inner: [{ type: "obj", description: "", inner: voutInner }],
    },
  ];
  if (opts.fee) fields.push({ type: "num", key: "fee", optional: true, description: feeDoc });
  if (opts.hex) fields.push({ type: "str_hex", key: "hex", description: "The hex-encoded transaction data" });
  const mode = opts.elisionMode ?? "none";
  if (mode !== "none") {
    const silent = mode === "silent";
    let first = true;
    fields = fields.map((f) => {
      if (!silent && f.key === "fee") return f;
      if (f.key === "vin" && opts.vinInnerElision !== undefined) return f;
      if (!silent && first) {
        first = false;
        return { ...f, elision: { summary: opts.elisionSummary ?? "" } };
      }
      return { ...f, elision: "skip" as const };
    });
  }
  return fields;
}
