/**
 * The PSBT RPCs that need no wallet (Bitcoin Core's src/rpc/rawtransaction.cpp): `decodepsbt`, `combinepsbt`,
 * `finalizepsbt`, `createpsbt`, `converttopsbt`, `analyzepsbt`, `joinpsbts`, `utxoupdatepsbt` and
 * `descriptorprocesspsbt`, with Core's result fields, errors and help texts, over core/psbt. UTXO lookups for the
 * last two come from callbacks (transaction index/mempool, then the coin view), as Core's `ProcessPSBT`.
 *
 * @module
 */
import type { Network } from "../../core/chain_params_base.ts";
import { moneyRange } from "../../core/consensus/amount.ts";
import { encodeBase58Check } from "../../core/address/base58.ts";
import { formatHDKeypath } from "../../core/descriptors/hd_key.ts";
import { compareBytes, reverseHex, toHex } from "../../core/hash/hashes.ts";
import { sortedByKey, sortedXpubs } from "../../core/psbt/codec.ts";
import { scriptToAsm, sighashToStr } from "../../core/script/asm.ts";
import { encodeTransaction } from "../../core/wire/transaction.ts";
import type { Transaction } from "../../core/wire/types.ts";
import {
  addPsbtInput,
  addPsbtOutput,
  analyzePsbt,
  combinePsbts,
  decodePsbtBase64,
  descriptorSigningProvider,
  encodePsbtBase64,
  finalizeAndExtract,
  hideSecrets,
  hidingProvider,
  isInputFinalized,
  isSegWitOutput,
  type KeyOriginInfo,
  processPsbt,
  type Psbt,
  PsbtDecodeError,
  psbtFromTransaction,
  type PsbtSigningProvider,
  type PsbtSignResult,
  SimpleSigningProvider,
  unsignedTx,
} from "../../core/psbt/mod.ts";
import { RpcError, RpcErrorCode } from "../errors.ts";
import { helpExampleCli, type RpcArgSpec, type RpcResultSpec } from "../help.ts";
import { type JsonObject, type JsonValue, valueFromAmount } from "../json.ts";
import type { RpcMethod } from "../table.ts";
import { elideGroup, scriptPubKeyDoc, scriptToUniv, txDoc, txToUniv } from "../tx_json.ts";
import { getArray, getBool, getStr, optBool } from "../values.ts";
import {
  constructTransaction,
  createTxDoc,
  decodeHexTxArg,
  type GetCoin,
  getIntStrict,
  ISWITNESS_ARG,
  parseSighashString,
  SIGHASH_TYPE_CHOICES,
} from "./rawtransaction.ts";
import { expandScanObject, parseScanObject } from "./descriptors.ts";

/** Decodes a base64 PSBT argument, failing with Core's `TX decode failed …` (-22). */
export function decodePsbtArg(value: unknown): Psbt {
  try {
    return decodePsbtBase64(getStr(value));
  } catch (e) {
    if (e instanceof PsbtDecodeError) {
      throw new RpcError(RpcErrorCode.RPC_DESERIALIZATION_ERROR, `TX decode failed ${e.coreMessage}`);
    }
    throw e;
  }
}

const fingerprintHex = (o: KeyOriginInfo) => toHex(o.fingerprint);
const writeHdKeypath = (o: KeyOriginInfo) => "m" + formatHDKeypath(o.path);

function proprietaryJson(map: Psbt["proprietary"]): JsonValue[] {
  return sortedByKey(map).map((e) => ({
    identifier: toHex(e.identifier),
    subtype: e.subtype,
    key: toHex(e.key),
    value: toHex(e.value),
  }));
}

function unknownJson(map: Psbt["unknown"]): JsonObject {
  const out: JsonObject = {};
  for (const k of [...map.keys()].sort()) out[k] = toHex(map.get(k)!.value);
  return out;
}

function tapDerivsJson(
  map: ReadonlyMap<string, { xonly: Uint8Array; leafHashes: Uint8Array[]; origin: KeyOriginInfo }>,
) {
  return sortedByKey(map).map((d) => ({
    pubkey: toHex(d.xonly),
    master_fingerprint: fingerprintHex(d.origin),
    path: writeHdKeypath(d.origin),
    leaf_hashes: d.leafHashes.map(toHex),
  }));
}

function musigParticipantsJson(
  map: ReadonlyMap<string, { aggregate: Uint8Array; participants: Uint8Array[] }>,
) {
  return sortedByKey(map).map((m) => ({
    aggregate_pubkey: toHex(m.aggregate),
    participant_pubkeys: m.participants.map(toHex),
  }));
}

/** Core's `decodepsbt` result for `psbt`. */
export function decodePsbtJson(psbt: Psbt, network: Network): JsonObject {
  const result: JsonObject = {};
  if (psbt.version < 2) result.tx = txToUniv(unsignedTx(psbt)!, { network }) as unknown as JsonValue;
  result.global_xpubs = sortedXpubs(psbt.xpubs).map((x) => ({
    xpub: encodeBase58Check(x.xpub),
    master_fingerprint: fingerprintHex(x.origin),
    path: writeHdKeypath(x.origin),
  }));
  if (psbt.version >= 2) {
    result.tx_version = psbt.txVersion;
    if (psbt.fallbackLocktime !== undefined) result.fallback_locktime = psbt.fallbackLocktime;
    result.input_count = psbt.inputs.length;
    result.output_count = psbt.outputs.length;
    if (psbt.txModifiable !== undefined) {
      result.inputs_modifiable = (psbt.txModifiable & 1) !== 0;
      result.outputs_modifiable = (psbt.txModifiable & 2) !== 0;
      result.has_sighash_single = (psbt.txModifiable & 4) !== 0;
    }
  }
  result.psbt_version = psbt.version;
  result.proprietary = proprietaryJson(psbt.proprietary);
  result.unknown = unknownJson(psbt.unknown);

  let totalIn = 0n;
  let haveAll = true;
  result.inputs = psbt.inputs.map((input) => {
    const o: JsonObject = {};
    let have = false;
    let value = 0n;
    if (input.witnessUtxo !== undefined) {
      value = input.witnessUtxo.value;
      o.witness_utxo = {
        amount: valueFromAmount(value),
        scriptPubKey: scriptToUniv(input.witnessUtxo.scriptPubKey, {
          network,
          includeHex: true,
          includeAddress: true,
        }) as unknown as JsonValue,
      };
      have = true;
    }
    if (input.nonWitnessUtxo !== undefined) {
      value = input.nonWitnessUtxo.outputs[input.prevOut].value;
      o.non_witness_utxo = txToUniv(input.nonWitnessUtxo, { network }) as unknown as JsonValue;
      have = true;
    }
    if (have && moneyRange(value) && moneyRange(totalIn + value)) totalIn += value;
    else haveAll = false;
    if (input.partialSigs.size > 0) {
      const sigs: JsonObject = {};
      for (const s of sortedByKey(input.partialSigs)) sigs[toHex(s.pubkey)] = toHex(s.sig);
      o.partial_signatures = sigs;
    }
    if (input.sighashType !== undefined) o.sighash = sighashToStr(input.sighashType & 0xff);
    if (input.redeemScript !== undefined) {
      o.redeem_script = scriptToUniv(input.redeemScript, {
        network,
        includeHex: true,
        includeAddress: false,
      }) as unknown as JsonValue;
    }
    if (input.witnessScript !== undefined) {
      o.witness_script = scriptToUniv(input.witnessScript, {
        network,
        includeHex: true,
        includeAddress: false,
      }) as unknown as JsonValue;
    }
    if (input.bip32Derivs.size > 0) {
      o.bip32_derivs = sortedByKey(input.bip32Derivs).map((d) => ({
        pubkey: toHex(d.pubkey),
        master_fingerprint: fingerprintHex(d.origin),
        path: writeHdKeypath(d.origin),
      }));
    }
    if (input.finalScriptSig !== undefined) {
      o.final_scriptSig = {
        asm: scriptToAsm(input.finalScriptSig, { attemptSighashDecode: true }),
        hex: toHex(input.finalScriptSig),
      };
    }
    if (input.finalScriptWitness !== undefined) o.final_scriptwitness = input.finalScriptWitness.map(toHex);
    const preimages: Array<[string, Map<string, Uint8Array>]> = [
      ["ripemd160_preimages", input.ripemd160Preimages],
      ["sha256_preimages", input.sha256Preimages],
      ["hash160_preimages", input.hash160Preimages],
      ["hash256_preimages", input.hash256Preimages],
    ];
    for (const [name, map] of preimages) {
      if (map.size === 0) continue;
      const p: JsonObject = {};
      for (const k of [...map.keys()].sort()) p[k] = toHex(map.get(k)!);
      o[name] = p;
    }
    if (psbt.version >= 2) {
      o.previous_txid = reverseHex(input.prevTxid);
      o.previous_vout = input.prevOut;
      if (input.sequence !== undefined) o.sequence = input.sequence;
      if (input.timeLocktime !== undefined) o.time_locktime = input.timeLocktime;
      if (input.heightLocktime !== undefined) o.height_locktime = input.heightLocktime;
    }
    if (input.tapKeySig !== undefined) o.taproot_key_path_sig = toHex(input.tapKeySig);
    if (input.tapScriptSigs.size > 0) {
      o.taproot_script_path_sigs = sortedByKey(input.tapScriptSigs).map((s) => ({
        pubkey: toHex(s.xonly),
        leaf_hash: toHex(s.leafHash),
        sig: toHex(s.sig),
      }));
    }
    if (input.tapLeafScripts.size > 0) {
      const leaves = [...input.tapLeafScripts.values()].sort((a, b) =>
        compareBytes(a.script, b.script) || a.leafVersion - b.leafVersion
      );
      o.taproot_scripts = leaves.map((l) => ({
        script: toHex(l.script),
        leaf_ver: l.leafVersion,
        control_blocks: l.controlBlocks.map(toHex),
      }));
    }
    if (input.tapBip32Derivs.size > 0) o.taproot_bip32_derivs = tapDerivsJson(input.tapBip32Derivs);
    if (input.tapInternalKey !== undefined) o.taproot_internal_key = toHex(input.tapInternalKey);
    if (input.tapMerkleRoot !== undefined) o.taproot_merkle_root = toHex(input.tapMerkleRoot);
    if (input.musig2Participants.size > 0) {
      o.musig2_participant_pubkeys = musigParticipantsJson(input.musig2Participants);
    }
    for (
      const [name, map, field] of [
        ["musig2_pubnonces", input.musig2PubNonces, "pubnonce"],
        ["musig2_partial_sigs", input.musig2PartialSigs, "partial_sig"],
      ] as const
    ) {
      if (map.size === 0) continue;
      o[name] = sortedByKey(map).map((d) => {
        const e: JsonObject = {
          participant_pubkey: toHex(d.participant),
          aggregate_pubkey: toHex(d.aggregate),
        };
        if (d.leafHash !== null) e.leaf_hash = toHex(d.leafHash);
        e[field] = toHex(d.value);
        return e;
      });
    }
    if (input.proprietary.size > 0) o.proprietary = proprietaryJson(input.proprietary);
    if (input.unknown.size > 0) o.unknown = unknownJson(input.unknown);
    return o;
  });

  let outputValue = 0n;
  result.outputs = psbt.outputs.map((output) => {
    const o: JsonObject = {};
    if (output.redeemScript !== undefined) {
      o.redeem_script = scriptToUniv(output.redeemScript, {
        network,
        includeHex: true,
        includeAddress: false,
      }) as unknown as JsonValue;
    }
    if (output.witnessScript !== undefined) {
      o.witness_script = scriptToUniv(output.witnessScript, {
        network,
        includeHex: true,
        includeAddress: false,
      }) as unknown as JsonValue;
    }
    if (output.bip32Derivs.size > 0) {
      o.bip32_derivs = sortedByKey(output.bip32Derivs).map((d) => ({
        pubkey: toHex(d.pubkey),
        master_fingerprint: fingerprintHex(d.origin),
        path: writeHdKeypath(d.origin),
      }));
    }
    if (psbt.version >= 2) {
      o.amount = valueFromAmount(output.amount);
      o.script = scriptToUniv(output.script, {
        network,
        includeHex: true,
        includeAddress: true,
      }) as unknown as JsonValue;
    }
    if (output.tapInternalKey !== undefined) o.taproot_internal_key = toHex(output.tapInternalKey);
    if (output.tapTree !== undefined) {
      o.taproot_tree = output.tapTree.map((l) => ({
        depth: l.depth,
        leaf_ver: l.leafVersion,
        script: toHex(l.script),
      }));
    }
    if (output.tapBip32Derivs.size > 0) o.taproot_bip32_derivs = tapDerivsJson(output.tapBip32Derivs);
    if (output.musig2Participants.size > 0) {
      o.musig2_participant_pubkeys = musigParticipantsJson(output.musig2Participants);
    }
    if (output.proprietary.size > 0) o.proprietary = proprietaryJson(output.proprietary);
    if (output.unknown.size > 0) o.unknown = unknownJson(output.unknown);
    if (moneyRange(output.amount) && moneyRange(outputValue + output.amount)) outputValue += output.amount;
    else haveAll = false;
    return o;
  });
  if (haveAll) result.fee = valueFromAmount(totalIn - outputValue);
  return result;
}

/** Core's `PSBTErrorString` texts. */
export const PSBT_ERROR_MESSAGES: Readonly<Record<Exclude<PsbtSignResult, "ok">, string>> = {
  missing_inputs: "Inputs missing or spent",
  sighash_mismatch: "Specified sighash value does not match value stored in PSBT",
  incomplete: "Input needs additional signatures or other data",
  invalid_tx: "The transaction cannot be valid",
};

/**
 * Core's `JSONRPCPSBTError`: SIGHASH_MISMATCH is RPC_DESERIALIZATION_ERROR (-22), the others
 * RPC_TRANSACTION_ERROR (-25), with Core's texts.
 */
export function psbtRpcError(result: Exclude<PsbtSignResult, "ok">): RpcError {
  const code = result === "sighash_mismatch"
    ? RpcErrorCode.RPC_DESERIALIZATION_ERROR
    : RpcErrorCode.RPC_TRANSACTION_ERROR;
  return new RpcError(code, PSBT_ERROR_MESSAGES[result]);
}

/**
 * Core's `EvalDescriptorStringOrObject` for a PSBT provider: a descriptor string, or `{desc, range}` (default
 * range 0–1000 for ranged descriptors), expanded with its private keys into `provider`.
 */
export function evalDescriptorInto(
  value: JsonValue,
  network: Network,
  provider: SimpleSigningProvider,
): void {
  const scan = parseScanObject(value, network);
  expandScanObject(
    scan,
    () =>
      descriptorSigningProvider(scan.descriptors, {
        range: scan.range,
        includePrivate: true,
        into: provider,
      }),
  );
}

// -------------------------------------------------------------------------------------------------------------
// Help

const DESCRIPTORS_ARG: RpcArgSpec = {
  names: "descriptors",
  type: "arr",
  fallback: "omitted",
  description: "An array of either strings or objects",
  inner: [
    { names: "", type: "str", fallback: "omitted", description: "An output descriptor" },
    {
      names: "",
      type: "obj",
      fallback: "omitted",
      description: "An object with an output descriptor and extra information",
      inner: [
        { names: "desc", type: "str", description: "An output descriptor" },
        {
          names: "range",
          type: "range",
          fallback: { default: 1000 },
          description: "Up to what index HD chains should be explored (either end or [begin,end])",
        },
      ],
    },
  ],
};

/** The `psbt_version` argument of `createpsbt`, `converttopsbt` and `walletcreatefundedpsbt`. */
export const PSBT_VERSION_ARG: RpcArgSpec = {
  names: "psbt_version",
  type: "num",
  fallback: { default: 2 },
  description: "The PSBT version number to use.",
};

/** The `bip32derivs` argument of `descriptorprocesspsbt`, `walletprocesspsbt` and `walletcreatefundedpsbt`. */
export const BIP32DERIVS_ARG: RpcArgSpec = {
  names: "bip32derivs",
  type: "bool",
  fallback: { default: true },
  description: "Include BIP 32 derivation paths for public keys if we know them",
};

/** The `sighashtype`, `bip32derivs` and `finalize` arguments of `descriptorprocesspsbt` and `walletprocesspsbt`. */
export const PROCESS_PSBT_SIGN_ARGS: readonly RpcArgSpec[] = [
  {
    names: "sighashtype",
    type: "str",
    fallback: { default: "DEFAULT for Taproot, ALL otherwise" },
    description: "The signature hash type to sign with if not specified by the PSBT. Must be one of\n" +
      SIGHASH_TYPE_CHOICES,
  },
  BIP32DERIVS_ARG,
  {
    names: "finalize",
    type: "bool",
    fallback: { default: true },
    description: "Also finalize inputs if possible",
  },
];

/** The result of `descriptorprocesspsbt` and `walletprocesspsbt`. */
export const PROCESS_PSBT_RESULT: RpcResultSpec = {
  type: "obj",
  inner: [
    { type: "str", key: "psbt", description: "The base64-encoded partially signed transaction" },
    { type: "bool", key: "complete", description: "If the transaction has a complete set of signatures" },
    {
      type: "str_hex",
      key: "hex",
      optional: true,
      description: "The hex-encoded network transaction if complete",
    },
  ],
};

type R = RpcResultSpec;
const str = (key: string, description: string, optional = false): R => ({
  type: "str",
  key,
  description,
  optional,
});
const hex = (key: string, description: string, optional = false): R => ({
  type: "str_hex",
  key,
  description,
  optional,
});
const num = (key: string, description: string, optional = false): R => ({
  type: "num",
  key,
  description,
  optional,
});
const obj = (key: string, description: string, inner: R[], optional = false): R => ({
  type: "obj",
  key,
  description,
  inner,
  optional,
});
const arr = (key: string, description: string, inner: R[], optional = false): R => ({
  type: "arr",
  key,
  description,
  inner,
  optional,
});
const objDyn = (key: string, description: string, inner: R[], optional = false): R => ({
  type: "obj_dyn",
  key,
  description,
  inner,
  optional,
});

const scriptObjDoc = (key: string, what: string): R =>
  obj(key, "", [
    str("asm", `Disassembly of the ${what} script`),
    hex("hex", `The raw ${what} script bytes, hex-encoded`),
    str("type", "The type, eg 'pubkeyhash'"),
  ], true);

const proprietaryArrDoc = (description: string, optional: boolean): R =>
  arr("proprietary", description, [obj("", "", [
    hex("identifier", "The hex string for the proprietary identifier"),
    num("subtype", "The number for the subtype"),
    hex("key", "The hex for the key"),
    hex("value", "The hex for the value"),
  ])], optional);

const preimagesDoc = (key: string): R =>
  objDyn(key, "", [str("hash", "The hash and preimage that corresponds to it.")], true);

const tapDerivsDoc: R = arr("taproot_bip32_derivs", "", [obj("", "", [
  str("pubkey", "The x-only public key this path corresponds to"),
  str("master_fingerprint", "The fingerprint of the master key"),
  str("path", "The path"),
  arr("leaf_hashes", "The hashes of the leaves this pubkey appears in", [
    hex("hash", "The hash of a leaf this pubkey appears in"),
  ]),
])], true);

const musigParticipantsDoc: R = arr("musig2_participant_pubkeys", "", [obj("", "", [
  hex("aggregate_pubkey", "The compressed aggregate public key for which the participants create."),
  arr("participant_pubkeys", "", [
    hex("pubkey", "The compressed public keys that are aggregated for aggregate_pubkey."),
  ]),
])], true);

const LEAF_HASH_DOC = "The hash of the leaf script that contains the aggregate pubkey being signed for. " +
  "Omitted when signing for the internal key.";

/** Core's `DecodePSBTInputs()`. */
const DECODEPSBT_INPUTS: R = arr("inputs", "", [obj("", "", [
  obj(
    "non_witness_utxo",
    "Decoded network transaction for non-witness UTXOs",
    txDoc({
      elisionMode: "with_summary",
      elisionSummary: "The layout is the same as the output of decoderawtransaction.",
    }),
    true,
  ),
  obj("witness_utxo", "Transaction output for witness UTXOs", [
    num("amount", "The value in BTC"),
    obj("scriptPubKey", "", [
      str("asm", "Disassembly of the output script"),
      str("desc", "Inferred descriptor for the output"),
      hex("hex", "The raw output script bytes, hex-encoded"),
      str("type", "The type, eg 'pubkeyhash'"),
      str("address", "The Bitcoin address (only if a well-defined address exists)", true),
    ]),
  ], true),
  objDyn(
    "partial_signatures",
    "",
    [str("pubkey", "The public key and signature that corresponds to it.")],
    true,
  ),
  str("sighash", "The sighash type to be used", true),
  scriptObjDoc("redeem_script", "redeem"),
  scriptObjDoc("witness_script", "witness"),
  arr("bip32_derivs", "", [obj("", "", [
    str("pubkey", "The public key with the derivation path as the value."),
    str("master_fingerprint", "The fingerprint of the master key"),
    str("path", "The path"),
  ])], true),
  obj("final_scriptSig", "", [
    str("asm", "Disassembly of the final signature script"),
    hex("hex", "The raw final signature script bytes, hex-encoded"),
  ], true),
  arr("final_scriptwitness", "", [hex("", "hex-encoded witness data (if any)")], true),
  preimagesDoc("ripemd160_preimages"),
  preimagesDoc("sha256_preimages"),
  preimagesDoc("hash160_preimages"),
  preimagesDoc("hash256_preimages"),
  hex("previous_txid", "TXID of the transaction containing the output being spent by this input", true),
  num("previous_vout", "Index of the output being spent", true),
  num("sequence", "Sequence number for this input", true),
  num("time_locktime", "Time-based locktime required for this input", true),
  num("height_locktime", "Height-based locktime required for this input", true),
  hex("taproot_key_path_sig", "hex-encoded signature for the Taproot key path spend", true),
  arr("taproot_script_path_sigs", "", [
    obj("signature", "The signature for the pubkey and leaf hash combination", [
      str("pubkey", "The x-only pubkey for this signature"),
      str("leaf_hash", "The leaf hash for this signature"),
      str("sig", "The signature itself"),
    ], true),
  ], true),
  arr("taproot_scripts", "", [obj("", "", [
    hex("script", "A leaf script"),
    num("leaf_ver", "The version number for the leaf script"),
    arr("control_blocks", "The control blocks for this script", [
      hex("control_block", "A hex-encoded control block for this script"),
    ]),
  ])], true),
  tapDerivsDoc,
  hex("taproot_internal_key", "The hex-encoded Taproot x-only internal key", true),
  hex("taproot_merkle_root", "The hex-encoded Taproot merkle root", true),
  musigParticipantsDoc,
  arr("musig2_pubnonces", "", [obj("", "", [
    hex("participant_pubkey", "The compressed public key of the participant that created this pubnonce."),
    hex("aggregate_pubkey", "The compressed aggregate public key for which this pubnonce is for."),
    hex("leaf_hash", LEAF_HASH_DOC, true),
    hex("pubnonce", "The public nonce itself."),
  ])], true),
  arr("musig2_partial_sigs", "", [obj("", "", [
    hex(
      "participant_pubkey",
      "The compressed public key of the participant that created this partial signature.",
    ),
    hex("aggregate_pubkey", "The compressed aggregate public key for which this partial signature is for."),
    hex("leaf_hash", LEAF_HASH_DOC, true),
    hex("partial_sig", "The partial signature itself."),
  ])], true),
  objDyn(
    "unknown",
    "The unknown input fields",
    [hex("key", "(key-value pair) An unknown key-value pair")],
    true,
  ),
  proprietaryArrDoc("The input proprietary map", true),
])]);

/** Core's `DecodePSBTOutputs()`. */
const DECODEPSBT_OUTPUTS: R = arr("outputs", "", [obj("", "", [
  scriptObjDoc("redeem_script", "redeem"),
  scriptObjDoc("witness_script", "witness"),
  arr("bip32_derivs", "", [obj("", "", [
    str("pubkey", "The public key this path corresponds to"),
    str("master_fingerprint", "The fingerprint of the master key"),
    str("path", "The path"),
  ])], true),
  num("amount", "The amount (nValue) for this output", true),
  obj(
    "script",
    "The output script (scriptPubKey) for this output",
    elideGroup(
      scriptPubKeyDoc(),
      "The layout is the same as the output of scriptPubKeys in decoderawtransaction.",
    ),
    true,
  ),
  hex("taproot_internal_key", "The hex-encoded Taproot x-only internal key", true),
  arr("taproot_tree", "The tuples that make up the Taproot tree, in depth first search order", [
    obj("tuple", "A single leaf script in the taproot tree", [
      num("depth", "The depth of this element in the tree"),
      num("leaf_ver", "The version of this leaf"),
      str("script", "The hex-encoded script itself"),
    ], true),
  ], true),
  tapDerivsDoc,
  musigParticipantsDoc,
  objDyn(
    "unknown",
    "The unknown output fields",
    [hex("key", "(key-value pair) An unknown key-value pair")],
    true,
  ),
  proprietaryArrDoc("The output proprietary map", true),
])]);

/** Core's `decodepsbt` result documentation. */
const DECODEPSBT_RESULT: R = {
  type: "obj",
  inner: [
    obj(
      "tx",
      "The decoded network-serialized unsigned transaction.",
      txDoc({
        elisionMode: "with_summary",
        elisionSummary: "The layout is the same as the output of decoderawtransaction.",
      }),
      true,
    ),
    arr("global_xpubs", "", [obj("", "", [
      str("xpub", "The extended public key this path corresponds to"),
      hex("master_fingerprint", "The fingerprint of the master key"),
      str("path", "The path"),
    ])]),
    num(
      "tx_version",
      "The version number of the unsigned transaction. Not to be confused with PSBT version",
      true,
    ),
    num("fallback_locktime", "The locktime to fallback to if no inputs specify a required locktime.", true),
    num("input_count", "The number of inputs in this psbt", true),
    num("output_count", "The number of outputs in this psbt.", true),
    { type: "bool", key: "inputs_modifiable", optional: true, description: "Whether inputs can be modified" },
    {
      type: "bool",
      key: "outputs_modifiable",
      optional: true,
      description: "Whether outputs can be modified",
    },
    {
      type: "bool",
      key: "has_sighash_single",
      optional: true,
      description: "Whether this PSBT has SIGHASH_SINGLE inputs",
    },
    num(
      "psbt_version",
      "The PSBT version number. Not to be confused with the unsigned transaction version",
      true,
    ),
    proprietaryArrDoc("The global proprietary map", false),
    objDyn("unknown", "The unknown global fields", [
      hex("key", "(key-value pair) An unknown key-value pair"),
    ]),
    DECODEPSBT_INPUTS,
    DECODEPSBT_OUTPUTS,
    {
      type: "str_amount",
      key: "fee",
      optional: true,
      description: "The transaction fee paid if all UTXOs slots in the PSBT have been filled.",
    },
  ],
};

// -------------------------------------------------------------------------------------------------------------
// Methods

/** What the PSBT methods need. */
export interface PsbtMethodsOptions {
  /** The network (addresses in decoded results and outputs). */
  network: () => Network;
  /**
   * `utxoupdatepsbt`: a whole previous transaction by txid (internal byte order) from the transaction index or
   * the mempool (Core's order); null when unknown. Absent: none found.
   */
  getTransaction?: (txid: Uint8Array) => Transaction | null | Promise<Transaction | null>;
  /** `utxoupdatepsbt`: an unspent output (mempool, then UTXO set); absent: none found. */
  getCoin?: GetCoin;
  /** Random source for `joinpsbts`' shuffling (default `Math.random`); for tests. */
  random?: () => number;
}

function psbtVersionArg(value: unknown): 0 | 2 {
  if (value === null || value === undefined) return 2;
  const v = getIntStrict(value, 0n, 0xffffffffn);
  if (v !== 2 && v !== 0) {
    throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "The PSBT version can only be 2 or 0");
  }
  return v;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * `decodepsbt`, `combinepsbt`, `finalizepsbt`, `createpsbt`, `converttopsbt`, `analyzepsbt`, `joinpsbts`,
 * `utxoupdatepsbt`, `descriptorprocesspsbt`.
 */
export function psbtMethods(options: PsbtMethodsOptions): RpcMethod[] {
  const network = options.network;
  const random = options.random ?? Math.random;

  const decodepsbt: RpcMethod = {
    name: "decodepsbt",
    category: "rawtransactions",
    description:
      "Return a JSON object representing the serialized, base64-encoded partially signed Bitcoin transaction.",
    args: [{ names: "psbt", type: "str", description: "The PSBT base64 string" }],
    results: [DECODEPSBT_RESULT],
    examples: helpExampleCli("decodepsbt", '"psbt"'),
    handler: (params) => decodePsbtJson(decodePsbtArg(params[0]), network()),
  };

  const combinepsbt: RpcMethod = {
    name: "combinepsbt",
    category: "rawtransactions",
    description: "Combine multiple partially signed Bitcoin transactions into one transaction.\n" +
      "Implements the Combiner role.\n",
    args: [{
      names: "txs",
      type: "arr",
      description: "The base64 strings of partially signed transactions",
      inner: [{ names: "psbt", type: "str", fallback: "omitted", description: "A base64 string of a PSBT" }],
    }],
    results: [{ type: "str", description: "The base64-encoded partially signed transaction" }],
    examples: helpExampleCli("combinepsbt", `'["mybase64_1", "mybase64_2", "mybase64_3"]'`),
    handler: (params) => {
      const txs = getArray(params[0]);
      if (txs.length === 0) {
        throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Parameter 'txs' cannot be empty");
      }
      const merged = combinePsbts(txs.map(decodePsbtArg));
      if (merged === null) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          "PSBTs not compatible (different transactions)",
        );
      }
      return encodePsbtBase64(merged);
    },
  };

  const finalizepsbt: RpcMethod = {
    name: "finalizepsbt",
    category: "rawtransactions",
    description: "Finalize the inputs of a PSBT. If the transaction is fully signed, it will produce a\n" +
      "network serialized transaction which can be broadcast with sendrawtransaction. Otherwise a PSBT will be\n" +
      "created which has the final_scriptSig and final_scriptwitness fields filled for inputs that are complete.\n" +
      "Implements the Finalizer and Extractor roles.\n",
    args: [
      { names: "psbt", type: "str", description: "A base64 string of a PSBT" },
      {
        names: "extract",
        type: "bool",
        fallback: { default: true },
        description: "If true and the transaction is complete,\n" +
          "                             extract and return the complete transaction in normal network serialization instead of the PSBT.",
      },
    ],
    results: [{
      type: "obj",
      inner: [
        {
          type: "str",
          key: "psbt",
          optional: true,
          description: "The base64-encoded partially signed transaction if not extracted",
        },
        {
          type: "str_hex",
          key: "hex",
          optional: true,
          description: "The hex-encoded network transaction if extracted",
        },
        { type: "bool", key: "complete", description: "If the transaction has a complete set of signatures" },
      ],
    }],
    examples: helpExampleCli("finalizepsbt", '"psbt"'),
    handler: (params) => {
      const psbt = decodePsbtArg(params[0]);
      const extract = optBool(params[1], true);
      const tx: Transaction | null = finalizeAndExtract(psbt);
      const complete = tx !== null;
      if (complete && extract) return { hex: toHex(encodeTransaction(tx)), complete };
      return { psbt: encodePsbtBase64(psbt), complete };
    },
  };

  const createpsbt: RpcMethod = {
    name: "createpsbt",
    category: "rawtransactions",
    description: "Creates a transaction in the Partially Signed Transaction format.\n" +
      "Implements the Creator role.\n" +
      "Note that the transaction's inputs are not signed, and\n" +
      "it is not stored in the wallet or transmitted to the network.\n",
    args: [...createTxDoc(), PSBT_VERSION_ARG],
    results: [{ type: "str", description: "The resulting raw transaction (base64-encoded string)" }],
    examples: helpExampleCli(
      "createpsbt",
      '"[{\\"txid\\":\\"myid\\",\\"vout\\":0}]" "[{\\"address\\":0.01}]"',
    ),
    losslessNumbers: true,
    handler: (params) => {
      const rbf = params[3] === null || params[3] === undefined ? undefined : getBool(params[3]);
      const version = params[4] === null || params[4] === undefined
        ? 2
        : getIntStrict(params[4], 0n, 0xffffffffn);
      const tx = constructTransaction(params[0], params[1], params[2], rbf, version, network());
      return encodePsbtBase64(psbtFromTransaction(tx, psbtVersionArg(params[5])));
    },
  };

  const converttopsbt: RpcMethod = {
    name: "converttopsbt",
    category: "rawtransactions",
    description:
      "Converts a network serialized transaction to a PSBT. This should be used only with createrawtransaction and fundrawtransaction\n" +
      "createpsbt and walletcreatefundedpsbt should be used for new applications.\n",
    args: [
      { names: "hexstring", type: "str_hex", description: "The hex string of a raw transaction" },
      {
        names: "permitsigdata",
        type: "bool",
        fallback: { default: false },
        description: "If true, any signatures in the input will be discarded and conversion\n" +
          "                              will continue. If false, RPC will fail if any signatures are present.",
      },
      ISWITNESS_ARG,
      PSBT_VERSION_ARG,
    ],
    results: [{ type: "str", description: "The resulting raw transaction (base64-encoded string)" }],
    examples: "\nCreate a transaction\n" +
      helpExampleCli(
        "createrawtransaction",
        '"[{\\"txid\\":\\"myid\\",\\"vout\\":0}]" "[{\\"data\\":\\"00010203\\"}]"',
      ) +
      "\nConvert the transaction to a PSBT\n" +
      helpExampleCli("converttopsbt", '"rawtransaction"'),
    handler: (params) => {
      const permitSigData = optBool(params[1], false);
      const tx = decodeHexTxArg(params[0], params[2]);
      for (const input of tx.inputs) {
        if ((input.scriptSig.length > 0 || input.witness.length > 0) && !permitSigData) {
          throw new RpcError(
            RpcErrorCode.RPC_DESERIALIZATION_ERROR,
            "Inputs must not have scriptSigs and scriptWitnesses",
          );
        }
      }
      return encodePsbtBase64(psbtFromTransaction(tx, psbtVersionArg(params[3])));
    },
  };

  const analyzepsbt: RpcMethod = {
    name: "analyzepsbt",
    category: "rawtransactions",
    description: "Analyzes and provides information about the current status of a PSBT and its inputs\n",
    args: [{ names: "psbt", type: "str", description: "A base64 string of a PSBT" }],
    results: [{
      type: "obj",
      inner: [
        {
          type: "arr",
          key: "inputs",
          optional: true,
          inner: [{
            type: "obj",
            inner: [
              { type: "bool", key: "has_utxo", description: "Whether a UTXO is provided" },
              { type: "bool", key: "is_final", description: "Whether the input is finalized" },
              {
                type: "obj",
                key: "missing",
                optional: true,
                description: "Things that are missing that are required to complete this input",
                inner: [
                  {
                    type: "arr",
                    key: "pubkeys",
                    optional: true,
                    inner: [{
                      type: "str_hex",
                      key: "keyid",
                      description:
                        "Public key ID, hash160 of the public key, of a public key whose BIP 32 derivation path is missing",
                    }],
                  },
                  {
                    type: "arr",
                    key: "signatures",
                    optional: true,
                    inner: [{
                      type: "str_hex",
                      key: "keyid",
                      description:
                        "Public key ID, hash160 of the public key, of a public key whose signature is missing",
                    }],
                  },
                  {
                    type: "str_hex",
                    key: "redeemscript",
                    optional: true,
                    description: "Hash160 of the redeem script that is missing",
                  },
                  {
                    type: "str_hex",
                    key: "witnessscript",
                    optional: true,
                    description: "SHA256 of the witness script that is missing",
                  },
                ],
              },
              {
                type: "str",
                key: "next",
                optional: true,
                description: "Role of the next person that this input needs to go to",
              },
            ],
          }],
        },
        {
          type: "num",
          key: "estimated_vsize",
          optional: true,
          description: "Estimated vsize of the final signed transaction",
        },
        {
          type: "str_amount",
          key: "estimated_feerate",
          optional: true,
          description:
            "Estimated feerate of the final signed transaction in BTC/kvB. Shown only if all UTXO slots in the PSBT have been filled",
        },
        {
          type: "str_amount",
          key: "fee",
          optional: true,
          description: "The transaction fee paid. Shown only if all UTXO slots in the PSBT have been filled",
        },
        { type: "str", key: "next", description: "Role of the next person that this psbt needs to go to" },
        { type: "str", key: "error", optional: true, description: "Error message (if there is one)" },
      ],
    }],
    examples: helpExampleCli("analyzepsbt", '"psbt"'),
    handler: (params) => {
      const a = analyzePsbt(decodePsbtArg(params[0]));
      const result: JsonObject = {};
      const inputs: JsonValue[] = a.inputs.map((i) => {
        const o: JsonObject = { has_utxo: i.hasUtxo, is_final: i.isFinal, next: i.next };
        const missing: JsonObject = {};
        if (i.missing.pubkeys.length > 0) missing.pubkeys = i.missing.pubkeys.map(toHex);
        if (i.missing.redeemScript !== null) missing.redeemscript = toHex(i.missing.redeemScript);
        if (i.missing.witnessScript !== null) missing.witnessscript = toHex(i.missing.witnessScript);
        if (i.missing.sigs.length > 0) missing.signatures = i.missing.sigs.map(toHex);
        if (Object.keys(missing).length > 0) o.missing = missing;
        return o;
      });
      if (inputs.length > 0) result.inputs = inputs;
      if (a.estimatedVsize !== undefined) result.estimated_vsize = a.estimatedVsize;
      if (a.estimatedFeerate !== undefined) result.estimated_feerate = valueFromAmount(a.estimatedFeerate);
      if (a.fee !== undefined) result.fee = valueFromAmount(a.fee);
      result.next = a.next;
      if (a.error !== undefined) result.error = a.error;
      return result;
    },
  };

  const joinpsbts: RpcMethod = {
    name: "joinpsbts",
    category: "rawtransactions",
    description:
      "Joins multiple distinct version 0 PSBTs with different inputs and outputs into one version 0 PSBT with inputs and outputs from all of the PSBTs\n" +
      "No input in any of the PSBTs can be in more than one of the PSBTs.\n",
    args: [{
      names: "txs",
      type: "arr",
      description: "The base64 strings of partially signed transactions",
      inner: [{ names: "psbt", type: "str", description: "A base64 string of a PSBT" }],
    }],
    results: [{ type: "str", description: "The base64-encoded partially signed transaction" }],
    examples: helpExampleCli("joinpsbts", '"psbt"'),
    handler: (params) => {
      const txs = getArray(params[0]);
      if (txs.length <= 1) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          "At least two PSBTs are required to join PSBTs.",
        );
      }
      let bestVersion = 1;
      let bestLocktime = 0xffffffff;
      const psbts: Psbt[] = [];
      for (const t of txs) {
        const p = decodePsbtArg(t);
        psbts.push(p);
        if (p.version !== 0) {
          throw new RpcError(
            RpcErrorCode.RPC_INVALID_PARAMETER,
            "joinpsbts only operates on version 0 PSBTs",
          );
        }
        if (p.txVersion > bestVersion) bestVersion = p.txVersion;
        const lt = p.fallbackLocktime ?? 0;
        if (lt < bestLocktime) bestLocktime = lt;
      }
      const base: Transaction = { version: bestVersion, inputs: [], outputs: [], locktime: bestLocktime };
      const merged = psbtFromTransaction(base, 0);
      for (const p of psbts) {
        for (const input of p.inputs) {
          if (!addPsbtInput(merged, input)) {
            throw new RpcError(
              RpcErrorCode.RPC_INVALID_PARAMETER,
              `Input ${reverseHex(input.prevTxid)}:${input.prevOut} exists in multiple PSBTs`,
            );
          }
        }
        for (const output of p.outputs) addPsbtOutput(merged, output);
        for (const [k, v] of p.unknown) if (!merged.unknown.has(k)) merged.unknown.set(k, v);
      }
      const shuffled = psbtFromTransaction(base, 0);
      for (const i of shuffle([...merged.inputs.keys()], random)) addPsbtInput(shuffled, merged.inputs[i]);
      for (const i of shuffle([...merged.outputs.keys()], random)) addPsbtOutput(shuffled, merged.outputs[i]);
      shuffled.unknown = merged.unknown;
      return encodePsbtBase64(shuffled);
    },
  };

  const utxoupdatepsbt: RpcMethod = {
    name: "utxoupdatepsbt",
    category: "rawtransactions",
    description:
      "Updates all segwit inputs and outputs in a PSBT with data from output descriptors, the UTXO set, txindex, or the mempool.\n",
    args: [
      { names: "psbt", type: "str", description: "A base64 string of a PSBT" },
      DESCRIPTORS_ARG,
    ],
    results: [{
      type: "str",
      description: "The base64-encoded partially signed transaction with inputs updated",
    }],
    examples: helpExampleCli("utxoupdatepsbt", '"psbt"'),
    handler: async (params) => {
      const provider = new SimpleSigningProvider();
      if (params[1] !== null && params[1] !== undefined) {
        for (const d of getArray(params[1])) evalDescriptorInto(d, network(), provider);
      }
      const psbt = await processPsbtRpc(params[0], hideSecrets(provider), null, false);
      return encodePsbtBase64(psbt);
    },
  };

  /** Core's `ProcessPSBT`: UTXO lookups (txindex/mempool, then the coin view), then the update/sign pass. */
  async function processPsbtRpc(
    psbtArg: unknown,
    provider: PsbtSigningProvider,
    sighashType: number | null,
    finalize: boolean,
  ): Promise<Psbt> {
    const psbt = decodePsbtArg(psbtArg);
    const missing: number[] = [];
    for (let i = 0; i < psbt.inputs.length; i++) {
      const input = psbt.inputs[i];
      if (input.nonWitnessUtxo !== undefined) continue;
      const tx = (await options.getTransaction?.(input.prevTxid)) ?? null;
      if (tx !== null) input.nonWitnessUtxo = tx;
      else missing.push(i);
    }
    for (const i of missing) {
      const input = psbt.inputs[i];
      const coin = (await options.getCoin?.({ txid: input.prevTxid, vout: input.prevOut })) ?? null;
      if (coin !== null && isSegWitOutput(provider, coin.scriptPubKey)) {
        input.witnessUtxo = { value: coin.value, scriptPubKey: coin.scriptPubKey };
      }
    }
    const r = processPsbt(provider, psbt, { sighashType: sighashType ?? undefined, finalize });
    if (r !== "ok") throw psbtRpcError(r);
    return psbt;
  }

  const descriptorprocesspsbt: RpcMethod = {
    name: "descriptorprocesspsbt",
    category: "rawtransactions",
    description:
      "Update all segwit inputs in a PSBT with information from output descriptors, the UTXO set or the mempool. \n" +
      "Then, sign the inputs we are able to with information from the output descriptors. ",
    args: [
      { names: "psbt", type: "str", description: "The transaction base64 string" },
      { ...DESCRIPTORS_ARG, fallback: "required" },
      ...PROCESS_PSBT_SIGN_ARGS,
    ],
    results: [PROCESS_PSBT_RESULT],
    examples: helpExampleCli("descriptorprocesspsbt", '"psbt" "[\\"descriptor1\\", \\"descriptor2\\"]"') +
      helpExampleCli("descriptorprocesspsbt", '"psbt" "[{\\"desc\\":\\"mydescriptor\\", \\"range\\":21}]"'),
    handler: async (params) => {
      const provider = new SimpleSigningProvider();
      for (const d of getArray(params[1])) evalDescriptorInto(d, network(), provider);
      const sighash = parseSighashString(params[2]);
      const bip32derivs = optBool(params[3], true);
      const finalize = optBool(params[4], true);
      const hiding = hidingProvider(provider, { secrets: false, origins: !bip32derivs });
      const psbt = await processPsbtRpc(params[0], hiding, sighash, finalize);
      const complete = psbt.inputs.every(isInputFinalized);
      const result: JsonObject = { psbt: encodePsbtBase64(psbt), complete };
      if (complete) {
        const tx = finalizeAndExtract(structuredClone(psbt));
        if (tx === null) {
          throw new RpcError(
            RpcErrorCode.RPC_INTERNAL_ERROR,
            "Internal bug detected: a complete PSBT did not extract",
          );
        }
        result.hex = toHex(encodeTransaction(tx));
      }
      return result;
    },
  };

  return [
    decodepsbt,
    combinepsbt,
    finalizepsbt,
    createpsbt,
    converttopsbt,
    analyzepsbt,
    joinpsbts,
    utxoupdatepsbt,
    descriptorprocesspsbt,
  ];
}
