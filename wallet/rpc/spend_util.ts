/**
 * What the spending RPCs share (Core's wallet/rpc/spend.cpp helpers): fee estimation arguments
 * (`SetFeeEstimateMode`, `InterpretFeeEstimationInstructions`), subtract-fee-from-output instructions, the
 * `FundTransaction` option parsing, `FinishTransaction` (sign, finalize, commit or return a PSBT), and the
 * argument documentation `FundTxDoc` and `OutputsDoc`.
 *
 * @module
 */
import { RpcError, RpcErrorCode } from "../../rpc/errors.ts";
import type { RpcArgSpec } from "../../rpc/help.ts";
import { type JsonObject, type JsonValue, typeName } from "../../rpc/json.ts";
import type { RpcCallContext } from "../../rpc/table.ts";
import { getArray, getBool, getInt, getObject, getStr } from "../../rpc/values.ts";
import { amountFromValue, parseHashV, parseOutputs } from "../../rpc/methods/rawtransaction.ts";
import { parseConfirmTarget } from "../../rpc/methods/fees.ts";
import {
  feeModeFromString,
  feeModesDetail,
  invalidEstimateModeErrorMessage,
} from "../../node/fees/fee_modes.ts";
import { FeeRate } from "../../node/policy/feerate.ts";
import { MAX_STANDARD_TX_WEIGHT } from "../../node/policy/policy.ts";
import { encodeHexTx, isHex, parseHex } from "../../rpc/tx_json.ts";
import {
  decodePsbt,
  encodeBase64,
  encodePsbt,
  finalizeAndExtract,
  psbtFromTransaction,
} from "../../core/psbt/mod.ts";
import type { Network } from "../../core/chain_params_base.ts";
import type { Transaction } from "../../core/wire/types.ts";
import { cryptoRng } from "../coin_selection/mod.ts";
import {
  type CoinControl,
  type CreatedTransaction,
  discourageFeeSniping,
  fundTransaction,
  MAX_BIP125_RBF_SEQUENCE,
  MAX_SEQUENCE_NONFINAL,
  type Recipient,
  scriptForAddress,
  TRUC_MAX_WEIGHT,
  TRUC_VERSION,
  txidOfTx,
} from "../spend.ts";
import { ExternalSolvingData } from "../solving_data.ts";
import type { WalletCore } from "../types.ts";
import { ALL_OUTPUT_TYPES_TEXT, parseOutputType } from "../context.ts";
import { deprecatedWatchonlyArg } from "./wallet_util.ts";

/**
 * The part of W1's `WalletRpcContext` (wallet/rpc/wallet_util.ts) the spending RPCs use: the wallet a request
 * is for (Core's `GetWalletForJSONRPCRequest`, with its -18/-19 errors).
 */
export interface SpendRpcContext {
  /** The wallet of the request. */
  walletFor(ctx: RpcCallContext): WalletCore | Promise<WalletCore>;
}

/** Core's estimate_mode help for the wallet RPCs. */
export const WALLET_FEE_MODES_DETAIL = feeModesDetail(
  "economical mode is used if the transaction is replaceable;\notherwise, conservative mode is used",
);

function isNull(v: JsonValue | undefined): v is null | undefined {
  return v === undefined || v === null;
}

/** Whether an options object has `key` (Core's `UniValue::exists`). */
export function has(options: JsonObject, key: string): boolean {
  return Object.hasOwn(options, key);
}

/**
 * Core's `SetFeeEstimateMode`: an explicit `fee_rate` (sat/vB, 3 decimals; not with conf_target or a mode other
 * than "unset"; RBF on unless set) or an estimate mode and confirmation target.
 */
export async function setFeeEstimateMode(
  wallet: WalletCore,
  cc: CoinControl,
  confTarget: JsonValue | undefined,
  estimateMode: JsonValue | undefined,
  feeRate: JsonValue | undefined,
  overrideMinFee: boolean,
): Promise<void> {
  if (!isNull(feeRate)) {
    if (!isNull(confTarget)) {
      throw new RpcError(
        RpcErrorCode.RPC_INVALID_PARAMETER,
        "Cannot specify both conf_target and fee_rate. Please provide either a confirmation target in blocks for " +
          "automatic fee estimation, or an explicit fee rate.",
      );
    }
    if (!isNull(estimateMode) && getStr(estimateMode) !== "unset") {
      throw new RpcError(
        RpcErrorCode.RPC_INVALID_PARAMETER,
        "Cannot specify both estimate_mode and fee_rate",
      );
    }
    cc.feeRate = FeeRate.fromSatPerKvB(amountFromValue(feeRate, 3));
    if (overrideMinFee) cc.overrideFeeRate = true;
    cc.signalRbf ??= true;
    return;
  }
  if (!isNull(estimateMode)) {
    const mode = feeModeFromString(getStr(estimateMode));
    if (mode === undefined) {
      throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, invalidEstimateModeErrorMessage());
    }
    cc.feeMode = mode;
  }
  if (!isNull(confTarget)) {
    cc.confirmTarget = parseConfirmTarget(confTarget, await wallet.chain.estimateMaxBlocks());
  }
}

/**
 * Core's `InterpretFeeEstimationInstructions` (send, sendall): moves the positional conf_target, estimate_mode
 * and fee_rate into the options, refusing them in both places, and requires a mode with a target.
 */
export function interpretFeeEstimationInstructions(
  confTarget: JsonValue | undefined,
  estimateMode: JsonValue | undefined,
  feeRate: JsonValue | undefined,
  options: JsonObject,
): void {
  if (has(options, "conf_target") || has(options, "estimate_mode")) {
    if (!isNull(confTarget) || !isNull(estimateMode)) {
      throw new RpcError(
        RpcErrorCode.RPC_INVALID_PARAMETER,
        "Pass conf_target and estimate_mode either as arguments or in the options object, but not both",
      );
    }
  } else {
    options.conf_target = confTarget ?? null;
    options.estimate_mode = estimateMode ?? null;
  }
  if (has(options, "fee_rate")) {
    if (!isNull(feeRate)) {
      throw new RpcError(
        RpcErrorCode.RPC_INVALID_PARAMETER,
        "Pass the fee_rate either as an argument, or in the options object, but not both",
      );
    }
  } else {
    options.fee_rate = feeRate ?? null;
  }
  if (
    !isNull(options.conf_target) &&
    (isNull(options.estimate_mode) || getStr(options.estimate_mode) === "unset")
  ) {
    throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Specify estimate_mode");
  }
}

/** Core's `PreventOutdatedOptions` (send, sendall). */
export function preventOutdatedOptions(options: JsonObject): void {
  const renamed: Array<[string, string]> = [
    ["feeRate", "Use fee_rate (sat/vB) instead of feeRate"],
    ["changeAddress", "Use change_address instead of changeAddress"],
    ["changePosition", "Use change_position instead of changePosition"],
    ["lockUnspents", "Use lock_unspents instead of lockUnspents"],
    ["subtractFeeFromOutputs", "Use subtract_fee_from_outputs instead of subtractFeeFromOutputs"],
  ];
  for (const [key, message] of renamed) {
    if (has(options, key)) throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, message);
  }
}

/**
 * Core's `InterpretSubtractFeeFromOutputInstructions`: positions (numbers) or destinations (strings found in
 * `destinations`), each once and in range.
 */
export function interpretSubtractFeeFromOutputInstructions(
  instructions: JsonValue | undefined,
  destinations: readonly string[],
): Set<number> {
  const set = new Set<number>();
  if (isNull(instructions)) return set;
  for (const sffo of getArray(instructions)) {
    let pos: number;
    if (typeof sffo === "string") {
      pos = destinations.indexOf(sffo);
      if (pos < 0) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          `Invalid parameter 'subtract fee from output', destination ${sffo} not found in tx outputs`,
        );
      }
    } else if (typeName(sffo) === "number") {
      pos = getInt(sffo);
    } else {
      throw new RpcError(
        RpcErrorCode.RPC_INVALID_PARAMETER,
        `Invalid parameter 'subtract fee from output', invalid value type: ${typeName(sffo)}`,
      );
    }
    if (set.has(pos)) {
      throw new RpcError(
        RpcErrorCode.RPC_INVALID_PARAMETER,
        `Invalid parameter 'subtract fee from output', duplicated position: ${pos}`,
      );
    }
    if (pos < 0) {
      throw new RpcError(
        RpcErrorCode.RPC_INVALID_PARAMETER,
        `Invalid parameter 'subtract fee from output', negative position: ${pos}`,
      );
    }
    if (pos >= destinations.length) {
      throw new RpcError(
        RpcErrorCode.RPC_INVALID_PARAMETER,
        `Invalid parameter 'subtract fee from output', position too large: ${pos}`,
      );
    }
    set.add(pos);
  }
  return set;
}

/** Core's `ParseOutputs` + `CreateRecipients` over normalized (key, amount) pairs. */
export function createRecipients(
  pairs: Array<[string, JsonValue]>,
  subtract: ReadonlySet<number>,
  network: Network,
): Recipient[] {
  return parseOutputs(pairs, network).map((out, i) => ({
    script: out.scriptPubKey,
    amount: out.value,
    subtractFeeFromAmount: subtract.has(i),
  }));
}

const FUND_OPTION_TYPES: Record<string, string | null> = {
  add_inputs: "bool",
  include_unsafe: "bool",
  add_to_wallet: "bool",
  changeAddress: "string",
  change_address: "string",
  changePosition: "number",
  change_position: "number",
  change_type: "string",
  includeWatching: "bool",
  include_watching: "bool",
  inputs: "array",
  lockUnspents: "bool",
  lock_unspents: "bool",
  locktime: "number",
  fee_rate: null,
  feeRate: null,
  psbt: "bool",
  solving_data: "object",
  subtractFeeFromOutputs: "array",
  subtract_fee_from_outputs: "array",
  replaceable: "bool",
  conf_target: "number",
  estimate_mode: "string",
  minconf: "number",
  maxconf: "number",
  input_weights: "array",
  max_tx_weight: "number",
};

/**
 * Core's `RPCTypeCheckObj(o, types, fAllowNull = true, fStrict = true)`: each known key null or of its type
 * (null type: any), and no unknown key.
 */
export function typeCheckObjStrict(o: JsonObject, types: Record<string, string | null>): void {
  for (const [key, expected] of Object.entries(types)) {
    if (!has(o, key) || expected === null) continue;
    const v = o[key];
    if (v === null || typeName(v) === expected) continue;
    throw new RpcError(
      RpcErrorCode.RPC_TYPE_ERROR,
      `JSON value of type ${typeName(v)} for field ${key} is not of expected type ${expected}`,
    );
  }
  for (const key of Object.keys(o)) {
    if (!Object.hasOwn(types, key)) throw new RpcError(RpcErrorCode.RPC_TYPE_ERROR, `Unexpected key ${key}`);
  }
}

/** A value from an options object by either of two names (the first preferred). */
function either(options: JsonObject, preferred: string, other: string): JsonValue | undefined {
  return has(options, preferred) ? options[preferred] : has(options, other) ? options[other] : undefined;
}

/**
 * Core's RPC `FundTransaction`: parses the options into the coin control (add_inputs, change address, position
 * and type, lock_unspents, include_unsafe, feeRate, replaceable, minconf/maxconf, fee estimation, solving data,
 * input weights, max weight), then funds `tx` for `recipients`; failures are RPC_WALLET_ERROR.
 */
export async function fundTransactionRpc(
  wallet: WalletCore,
  tx: Transaction,
  recipients: Recipient[],
  optionsIn: JsonValue | undefined,
  cc: CoinControl,
  overrideMinFee: boolean,
): Promise<CreatedTransaction> {
  await wallet.blockUntilSyncedToCurrentChain?.();
  let changePos: number | undefined;
  let lockUnspents = false;
  const options: JsonObject = typeName(optionsIn) === "object" ? optionsIn as JsonObject : {};
  if (!isNull(optionsIn) && typeName(optionsIn) !== "bool") {
    typeCheckObjStrict(getObject(optionsIn), FUND_OPTION_TYPES);
    if (has(options, "add_inputs")) cc.allowOtherInputs = getBool(options.add_inputs);
    const changeAddress = either(options, "change_address", "changeAddress");
    if (changeAddress !== undefined) {
      const script = scriptForAddress(wallet, getStr(changeAddress));
      if (script === undefined) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY,
          "Change address must be a valid bitcoin address",
        );
      }
      cc.changeScript = script;
    }
    const position = either(options, "change_position", "changePosition");
    if (position !== undefined) {
      const pos = getInt(position);
      if (pos < 0 || pos > recipients.length) {
        throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "changePosition out of bounds");
      }
      changePos = pos;
    }
    if (has(options, "change_type")) {
      if (changeAddress !== undefined) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          "Cannot specify both change address and address type options",
        );
      }
      const text = getStr(options.change_type);
      const type = parseOutputType(text);
      if (type === undefined) {
        throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, `Unknown change type '${text}'`);
      }
      cc.changeType = type;
    }
    const lock = either(options, "lock_unspents", "lockUnspents");
    if (lock !== undefined) lockUnspents = getBool(lock);
    if (has(options, "include_unsafe")) cc.includeUnsafeInputs = getBool(options.include_unsafe);
    if (has(options, "feeRate")) {
      if (has(options, "fee_rate")) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          "Cannot specify both fee_rate (sat/vB) and feeRate (BTC/kvB)",
        );
      }
      if (has(options, "conf_target")) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          "Cannot specify both conf_target and feeRate. Please provide either a confirmation target in blocks for " +
            "automatic fee estimation, or an explicit fee rate.",
        );
      }
      if (has(options, "estimate_mode")) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          "Cannot specify both estimate_mode and feeRate",
        );
      }
      cc.feeRate = FeeRate.fromSatPerKvB(amountFromValue(options.feeRate));
      cc.overrideFeeRate = true;
    }
    if (has(options, "replaceable")) cc.signalRbf = getBool(options.replaceable);
    if (has(options, "minconf")) {
      cc.minDepth = getInt(options.minconf);
      if (cc.minDepth < 0) throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Negative minconf");
    }
    if (has(options, "maxconf")) {
      cc.maxDepth = getInt(options.maxconf);
      if (cc.maxDepth < cc.minDepth) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          `maxconf can't be lower than minconf: ${cc.maxDepth} < ${cc.minDepth}`,
        );
      }
    }
    await setFeeEstimateMode(
      wallet,
      cc,
      options.conf_target,
      options.estimate_mode,
      options.fee_rate,
      overrideMinFee,
    );
  }

  if (has(options, "solving_data")) {
    const data = getObject(options.solving_data);
    const external = new ExternalSolvingData(wallet.network);
    if (has(data, "pubkeys")) {
      for (const pk of getArray(data.pubkeys)) external.addPubkey(hexToPubKey(getStr(pk)));
    }
    if (has(data, "scripts")) {
      for (const s of getArray(data.scripts)) {
        const text = getStr(s);
        if (!isHex(text)) throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, `'${text}' is not hex`);
        external.addScript(parseHex(text));
      }
    }
    if (has(data, "descriptors")) {
      for (const d of getArray(data.descriptors)) {
        const text = getStr(d);
        try {
          external.addDescriptorText(text);
        } catch (e) {
          throw new RpcError(
            RpcErrorCode.RPC_INVALID_PARAMETER,
            `Unable to parse descriptor '${text}': ${e instanceof Error ? e.message : String(e)}`,
          );
        }
      }
    }
    cc.external = external;
  }

  if (has(options, "input_weights")) {
    for (const input of getArray(options.input_weights)) {
      const o = getObject(input);
      const txid = parseHashV(o.txid ?? null, "txid");
      if (typeName(o.vout) !== "number") {
        throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Invalid parameter, missing vout key");
      }
      const vout = getInt(o.vout);
      if (vout < 0) {
        throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Invalid parameter, vout cannot be negative");
      }
      if (typeName(o.weight) !== "number") {
        throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Invalid parameter, missing weight key");
      }
      const weight = getInt(o.weight, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      if (weight < 165) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          "Invalid parameter, weight cannot be less than 165 (41 bytes (size of outpoint + sequence + empty " +
            "scriptSig) * 4 (witness scaling factor)) + 1 (empty witness)",
        );
      }
      if (weight > MAX_STANDARD_TX_WEIGHT) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          `Invalid parameter, weight cannot be greater than the maximum standard tx weight of ${MAX_STANDARD_TX_WEIGHT}`,
        );
      }
      cc.select({ txid, vout }).weight = weight;
    }
  }
  if (has(options, "max_tx_weight")) cc.maxTxWeight = getInt(options.max_tx_weight);
  if (tx.version === TRUC_VERSION && (cc.maxTxWeight === undefined || cc.maxTxWeight > TRUC_MAX_WEIGHT)) {
    cc.maxTxWeight = TRUC_MAX_WEIGHT;
  }
  if (recipients.length === 0) {
    throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "TX must have at least one output");
  }
  const res = await fundTransaction(wallet, tx, recipients, cc, { changePos, lockUnspents });
  if (!res.ok) throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, res.error);
  return res.value;
}

/** Core's `HexToPubKey` errors. */
function hexToPubKey(text: string): Uint8Array {
  if (!isHex(text)) {
    throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, `Pubkey "${text}" must be a hex string`);
  }
  if (text.length !== 66 && text.length !== 130) {
    throw new RpcError(
      RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY,
      `Pubkey "${text}" must have a length of either 33 or 65 bytes`,
    );
  }
  const bytes = parseHex(text);
  const h = bytes[0];
  const ok = (bytes.length === 33 && (h === 2 || h === 3)) ||
    (bytes.length === 65 && (h === 4 || h === 6 || h === 7));
  if (!ok) {
    throw new RpcError(
      RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY,
      `Pubkey "${text}" must be cryptographically valid.`,
    );
  }
  return bytes;
}

/** Core's `SetOptionsInputWeights`: the `weight` entries of `inputs` become `options.input_weights`. */
export function setOptionsInputWeights(inputs: JsonValue | undefined, options: JsonObject): void {
  if (has(options, "input_weights")) {
    throw new RpcError(
      RpcErrorCode.RPC_INVALID_PARAMETER,
      "Input weights should be specified in inputs rather than in options.",
    );
  }
  if (isNull(inputs)) return;
  const list = getArray(inputs);
  if (list.length === 0) return;
  options.input_weights = list.filter((i) => typeName(i) === "object" && has(i as JsonObject, "weight"));
}

/**
 * Core's `FinishTransaction` (send, sendall): anti-fee-sniping unless a locktime was given or a sequence is
 * custom, fill and sign through a PSBT, finalize; commit when complete and wanted, else return the PSBT and/or
 * the hex.
 */
export async function finishTransaction(
  wallet: WalletCore,
  options: JsonObject,
  rawTx: Transaction,
): Promise<JsonObject> {
  let tx = rawTx;
  const canAntiFeeSnipe = !has(options, "locktime") &&
    tx.inputs.every((i) => i.sequence === MAX_SEQUENCE_NONFINAL || i.sequence === MAX_BIP125_RBF_SEQUENCE);
  if (canAntiFeeSnipe) tx = await discourageFeeSniping(tx, wallet, cryptoRng());
  const blank = encodePsbt(psbtFromTransaction(tx, 2));
  const filled = await wallet.fillPsbt(blank, { sign: false, finalize: true, bip32Derivs: true });
  const signed = await wallet.fillPsbt(filled.psbt, { sign: true, finalize: true, bip32Derivs: false });
  const psbt = decodePsbt(signed.psbt);
  const final = finalizeAndExtract(psbt);
  const complete = final !== null;
  const result: JsonObject = {};
  const psbtOptIn = has(options, "psbt") && getBool(options.psbt);
  const addToWallet = has(options, "add_to_wallet") ? getBool(options.add_to_wallet) : true;
  if (psbtOptIn || !complete || !addToWallet) result.psbt = encodeBase64(encodePsbt(psbt));
  if (final !== null) {
    result.txid = txidOfTx(final);
    if (addToWallet && !psbtOptIn) await wallet.commitTransaction(final, {}, []);
    else result.hex = encodeHexTx(final);
  }
  result.complete = complete;
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Documentation

/** Core's `FundTxDoc(solving_data)`. */
export function fundTxDoc(solvingData = true): RpcArgSpec[] {
  const args: RpcArgSpec[] = [
    {
      names: "conf_target",
      type: "num",
      fallback: { hint: "wallet -txconfirmtarget" },
      description: "Confirmation target in blocks",
      alsoPositional: true,
    },
    {
      names: "estimate_mode",
      type: "str",
      fallback: { default: "unset" },
      description: "The fee estimate mode, must be one of (case insensitive):\n" + WALLET_FEE_MODES_DETAIL,
      alsoPositional: true,
    },
    {
      names: "replaceable",
      type: "bool",
      fallback: { hint: "wallet default" },
      description: "Marks this transaction as BIP125-replaceable.\n" +
        "Allows this transaction to be replaced by a transaction with higher fees",
    },
  ];
  if (solvingData) {
    args.push({
      names: "solving_data",
      type: "obj",
      fallback: "omitted",
      description: "Keys and scripts needed for producing a final transaction with a dummy signature.\n" +
        "Used for fee estimation during coin selection.",
      inner: [
        {
          names: "pubkeys",
          type: "arr",
          fallback: { default: [] },
          description: "Public keys involved in this transaction.",
          inner: [{ names: "pubkey", type: "str_hex", fallback: "omitted", description: "A public key" }],
        },
        {
          names: "scripts",
          type: "arr",
          fallback: { default: [] },
          description: "Scripts involved in this transaction.",
          inner: [{ names: "script", type: "str_hex", fallback: "omitted", description: "A script" }],
        },
        {
          names: "descriptors",
          type: "arr",
          fallback: { default: [] },
          description: "Descriptors that provide solving data for this transaction.",
          inner: [{ names: "descriptor", type: "str", fallback: "omitted", description: "A descriptor" }],
        },
      ],
    });
  }
  return args;
}

/** Core's `OutputsDoc()`. */
export function outputsDoc(): RpcArgSpec[] {
  return [
    {
      names: "",
      type: "obj_user_keys",
      fallback: "omitted",
      description: "",
      inner: [{
        names: "address",
        type: "amount",
        description: "A key-value pair. The key (string) is the bitcoin address,\n" +
          "the value (float or string) is the amount in BTC",
      }],
    },
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
  ];
}

/** The `max_tx_weight` option's documentation. */
export const MAX_TX_WEIGHT_ARG: RpcArgSpec = {
  names: "max_tx_weight",
  type: "num",
  fallback: { default: MAX_STANDARD_TX_WEIGHT },
  description:
    "The maximum acceptable transaction weight.\nTransaction building will fail if this can not be satisfied.",
};

/** The `include_unsafe` option's documentation. */
export const INCLUDE_UNSAFE_ARG: RpcArgSpec = {
  names: "include_unsafe",
  type: "bool",
  fallback: { default: false },
  description:
    "Include inputs that are not safe to spend (unconfirmed transactions from outside keys and unconfirmed replacement transactions).\n" +
    "Warning: the resulting transaction may become invalid if one of the unsafe inputs disappears.\n" +
    "If that happens, you will need to fund the transaction with different inputs and republish it.",
};

/** The `minconf` / `maxconf` options' documentation (with add_inputs). */
export const CONF_ARGS: RpcArgSpec[] = [
  {
    names: "minconf",
    type: "num",
    fallback: { default: 0 },
    description: "If add_inputs is specified, require inputs with at least this many confirmations.",
  },
  {
    names: "maxconf",
    type: "num",
    fallback: "omitted",
    description: "If add_inputs is specified, require inputs with at most this many confirmations.",
  },
];

/** The `fee_rate` argument and option (sat/vB). */
export const FEE_RATE_ARG: RpcArgSpec = {
  names: "fee_rate",
  type: "amount",
  fallback: { hint: "not set, fall back to wallet fee estimation" },
  description: "Specify a fee rate in sat/vB.",
};

/** The `add_inputs` option of `send` and `walletcreatefundedpsbt`. */
export const ADD_INPUTS_OPTION: RpcArgSpec = {
  names: "add_inputs",
  type: "bool",
  fallback: { hint: 'false when "inputs" are specified, true otherwise' },
  description: "Automatically include coins from the wallet to cover the target amount.\n",
};

/** The `change_type` option's description: valid only without the change address option `addressOption`. */
export function changeTypeDescription(addressOption: string): string {
  return `The output type to use. Only valid if ${addressOption} is not specified. Options are ${ALL_OUTPUT_TYPES_TEXT}.`;
}

/**
 * The change address, change position and `change_type` options of the funding RPCs, named `changeAddress` /
 * `changePosition` (`fundrawtransaction`, `walletcreatefundedpsbt`) or `change_address` / `change_position`
 * (`send`).
 */
export function changeOptionsDoc(names: { address: string; position: string }): RpcArgSpec[] {
  return [
    {
      names: names.address,
      type: "str",
      fallback: { hint: "automatic" },
      description: "The bitcoin address to receive the change",
    },
    {
      names: names.position,
      type: "num",
      fallback: { hint: "random" },
      description: "The index of the change output",
    },
    {
      names: "change_type",
      type: "str",
      fallback: { hint: "set by -changetype" },
      description: changeTypeDescription(names.address),
    },
  ];
}

/**
 * The change, watch-only, lock and fee rate options `fundrawtransaction` and `walletcreatefundedpsbt` share
 * (from `changeAddress` to `feeRate`).
 */
export function fundChangeAndFeeOptionsDoc(): RpcArgSpec[] {
  return [
    ...changeOptionsDoc({ address: "changeAddress", position: "changePosition" }),
    deprecatedWatchonlyArg("includeWatching"),
    {
      names: "lockUnspents",
      type: "bool",
      fallback: { default: false },
      description: "Lock selected unspent outputs",
    },
    FEE_RATE_ARG,
    {
      names: "feeRate",
      type: "amount",
      fallback: { hint: "not set, fall back to wallet fee estimation" },
      description: "Specify a fee rate in BTC/kvB.",
    },
  ];
}

/**
 * The subtract-fee-from-outputs option (`subtractFeeFromOutputs` or `subtract_fee_from_outputs`), its
 * description starting with `firstLine`.
 */
export function subtractFeeFromOutputsDoc(name: string, firstLine: string): RpcArgSpec {
  return {
    names: name,
    type: "arr",
    fallback: { default: [] },
    description: firstLine + "\n" +
      "The fee will be equally deducted from the amount of each specified output.\n" +
      "Those recipients will receive less bitcoins than you enter in their corresponding amount field.\n" +
      "If no outputs are specified here, the sender pays the fee.",
    inner: [{
      names: "vout_index",
      type: "num",
      fallback: "omitted",
      description: "The zero-based output index, before a change output is added.",
    }],
  };
}

/**
 * The `inputs` argument or option of `send`, `sendall` and `walletcreatefundedpsbt`: outpoints with a sequence
 * number (`sequenceHint` its default) and, `withWeight`, an input weight; `fallback` defaults to `[]`.
 */
export function inputsDoc(options: {
  description: string;
  sequenceHint: string;
  withWeight: boolean;
  fallback?: RpcArgSpec["fallback"];
}): RpcArgSpec {
  const inner: RpcArgSpec[] = [
    { names: "txid", type: "str_hex", description: "The transaction id" },
    { names: "vout", type: "num", description: "The output number" },
    {
      names: "sequence",
      type: "num",
      fallback: { hint: options.sequenceHint },
      description: "The sequence number",
    },
  ];
  if (options.withWeight) {
    inner.push({
      names: "weight",
      type: "num",
      fallback: { hint: "Calculated from wallet and solving data" },
      description: INPUT_WEIGHT_DESCRIPTION,
    });
  }
  return {
    names: "inputs",
    type: "arr",
    fallback: options.fallback ?? { default: [] },
    description: options.description,
    inner: [{ names: "", type: "obj", fallback: "omitted", description: "", inner }],
  };
}

/** An input weight entry's documentation. */
export const INPUT_WEIGHT_DESCRIPTION = "The maximum weight for this input, " +
  "including the weight of the outpoint and sequence number. " +
  "Note that signature sizes are not guaranteed to be consistent, " +
  "so the maximum DER signatures size of 73 bytes should be used when considering ECDSA signatures." +
  "Remember to convert serialized sizes to weight units when necessary.";
