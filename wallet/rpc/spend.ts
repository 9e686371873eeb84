/**
 * The wallet's spending RPCs (Core's wallet/rpc/spend.cpp): `sendtoaddress`, `sendmany`, `send`, `sendall`,
 * `fundrawtransaction`, `bumpfee` and `psbtbumpfee`, with Core's help, arguments, results and errors.
 * Core master has no `settxfee` (removed with `-paytxfee`), so neither does this.
 *
 * @module
 */
import { RpcError, RpcErrorCode } from "../../rpc/errors.ts";
import { helpExampleCli, helpExampleRpc, type RpcArgSpec } from "../../rpc/help.ts";
import { type JsonObject, type JsonValue, typeName, valueFromAmount } from "../../rpc/json.ts";
import type { RpcMethod } from "../../rpc/table.ts";
import { getArray, getBool, getInt, getObject, getStr } from "../../rpc/values.ts";
import {
  ADDRESS_AMOUNT_ARG,
  constructTransaction,
  decodeHexTxArg,
  ISWITNESS_ARG,
  normalizeOutputs,
  parseHashV,
  parseOutputs,
} from "../../rpc/methods/rawtransaction.ts";
import { encodeHexTx } from "../../rpc/tx_json.ts";
import { FeeRate } from "../../node/policy/feerate.ts";
import { isDust } from "../../node/policy/dust.ts";
import { MAX_STANDARD_TX_WEIGHT } from "../../node/policy/policy.ts";
import { encodeBase64, encodePsbt, psbtFromTransaction } from "../../core/psbt/mod.ts";
import { encodeDestination, extractDestination } from "../../core/address/mod.ts";
import type { Transaction, TxIn } from "../../core/wire/types.ts";
import { cryptoRng, shuffle } from "../coin_selection/mod.ts";
import {
  allowFallbackFee,
  FALLBACK_FEE_DISABLED_ERROR,
  feeRateTooLowMessage,
  getMinimumFeeRate,
} from "../fees.ts";
import { commitBumpTransaction, createRateBumpTransaction } from "../feebumper.ts";
import {
  availableCoins,
  calculateMaximumSignedTxSizeOf,
  CoinControl,
  combinedBumpFee,
  createTransaction,
  MAX_BIP125_RBF_SEQUENCE,
  MAX_SEQUENCE_NONFINAL,
  type Recipient,
  TRUC_CHILD_MAX_WEIGHT,
  TRUC_MAX_WEIGHT,
  TRUC_VERSION,
  txidHex,
  txidOfTx,
  walletSpentCoins,
} from "../spend.ts";
import type { WalletCore } from "../types.ts";
import {
  ADD_INPUTS_OPTION,
  changeOptionsDoc,
  CONF_ARGS,
  createRecipients,
  FEE_RATE_ARG,
  finishTransaction,
  fundChangeAndFeeOptionsDoc,
  fundTransactionRpc,
  fundTxDoc,
  has,
  INCLUDE_UNSAFE_ARG,
  INPUT_WEIGHT_DESCRIPTION,
  inputsDoc,
  interpretFeeEstimationInstructions,
  interpretSubtractFeeFromOutputInstructions,
  MAX_TX_WEIGHT_ARG,
  outputsDoc,
  preventOutdatedOptions,
  setFeeEstimateMode,
  setOptionsInputWeights,
  type SpendRpcContext,
  subtractFeeFromOutputsDoc,
  typeCheckObjStrict,
  WALLET_FEE_MODES_DETAIL,
} from "./spend_util.ts";
import {
  ensureWalletIsUnlocked,
  EXAMPLE_ADDRESS,
  getAvoidReuseFlag,
  HELP_REQUIRING_PASSPHRASE,
} from "./wallet_util.ts";

const A0 = EXAMPLE_ADDRESS[0], A1 = EXAMPLE_ADDRESS[1];

function isNull(v: JsonValue | undefined): v is null | undefined {
  return v === undefined || v === null;
}

/** Core's `SendMoney` (sendtoaddress, sendmany). */
async function sendMoney(
  wallet: WalletCore,
  cc: CoinControl,
  recipients: Recipient[],
  mapValue: Record<string, string>,
  verbose: boolean,
): Promise<JsonValue> {
  ensureWalletIsUnlocked(wallet);
  if (wallet.hasFlag("external_signer")) {
    throw new RpcError(
      RpcErrorCode.RPC_WALLET_ERROR,
      "Error: sendtoaddress and sendmany are not supported for wallets with external signers; use send instead",
    );
  }
  if (wallet.hasFlag("disable_private_keys")) {
    throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, "Error: Private keys are disabled for this wallet");
  }
  const shuffled = [...recipients];
  shuffle(shuffled, cryptoRng());
  const res = await createTransaction(wallet, shuffled, cc, { sign: true });
  if (!res.ok) throw new RpcError(RpcErrorCode.RPC_WALLET_INSUFFICIENT_FUNDS, res.error);
  await wallet.commitTransaction(res.value.tx, mapValue, []);
  const txid = txidOfTx(res.value.tx);
  if (verbose) return { txid, fee_reason: res.value.feeCalc.reason };
  return txid;
}

const REPLACEABLE_ARG: RpcArgSpec = {
  names: "replaceable",
  type: "bool",
  fallback: { hint: "wallet default" },
  description: "Signal that this transaction can be replaced by a transaction (BIP 125)",
};
const CONF_TARGET_ARG: RpcArgSpec = {
  names: "conf_target",
  type: "num",
  fallback: { hint: "wallet -txconfirmtarget" },
  description: "Confirmation target in blocks",
};
const ESTIMATE_MODE_ARG: RpcArgSpec = {
  names: "estimate_mode",
  type: "str",
  fallback: { default: "unset" },
  description: "The fee estimate mode, must be one of (case insensitive):\n" + WALLET_FEE_MODES_DETAIL,
};
const VERBOSE_ARG: RpcArgSpec = {
  names: "verbose",
  type: "bool",
  fallback: { default: false },
  description: "If true, return extra information about the transaction.",
};

/** The result of `send` and `sendall`. */
const SEND_RESULT = [{
  type: "obj" as const,
  inner: [
    {
      type: "bool" as const,
      key: "complete",
      description: "If the transaction has a complete set of signatures",
    },
    {
      type: "str_hex" as const,
      key: "txid",
      optional: true,
      description:
        "The transaction id for the send. Only 1 transaction is created regardless of the number of addresses.",
    },
    {
      type: "str_hex" as const,
      key: "hex",
      optional: true,
      description: "If add_to_wallet is false, the hex-encoded raw transaction with signature(s)",
    },
    {
      type: "str" as const,
      key: "psbt",
      optional: true,
      description:
        "If more signatures are needed, or if add_to_wallet is false, the base64-encoded (partially) signed transaction",
    },
  ],
}];

function sendtoaddress(rpc: SpendRpcContext): RpcMethod {
  return {
    name: "sendtoaddress",
    category: "wallet",
    description: "Send an amount to a given address." + HELP_REQUIRING_PASSPHRASE,
    args: [
      { names: "address", type: "str", description: "The bitcoin address to send to." },
      { names: "amount", type: "amount", description: "The amount in BTC to send. eg 0.1" },
      {
        names: "comment",
        type: "str",
        fallback: "omitted",
        description: "A comment used to store what the transaction is for.\n" +
          "This is not part of the transaction, just kept in your wallet.",
      },
      {
        names: "comment_to",
        type: "str",
        fallback: "omitted",
        description: "A comment to store the name of the person or organization\n" +
          "to which you're sending the transaction. This is not part of the \n" +
          "transaction, just kept in your wallet.",
      },
      {
        names: "subtractfeefromamount",
        type: "bool",
        fallback: { default: false },
        description: "The fee will be deducted from the amount being sent.\n" +
          "The recipient will receive less bitcoins than you enter in the amount field.",
      },
      REPLACEABLE_ARG,
      CONF_TARGET_ARG,
      ESTIMATE_MODE_ARG,
      {
        names: "avoid_reuse",
        type: "bool",
        fallback: { default: true },
        description:
          "(only available if avoid_reuse wallet flag is set) Avoid spending from dirty addresses; addresses are considered\n" +
          "dirty if they have previously been used in a transaction. If true, this also activates avoidpartialspends, grouping outputs by their addresses.",
      },
      FEE_RATE_ARG,
      VERBOSE_ARG,
    ],
    results: [
      {
        type: "str_hex",
        key: "txid",
        cond: "if verbose is not set or set to false",
        description: "The transaction id.",
      },
      {
        type: "obj",
        cond: "if verbose is set to true",
        inner: [
          { type: "str_hex", key: "txid", description: "The transaction id." },
          { type: "str", key: "fee_reason", description: "The transaction fee reason." },
        ],
      },
    ],
    examples: "\nSend 0.1 BTC\n" + helpExampleCli("sendtoaddress", `"${A0}" 0.1`) +
      "\nSend 0.1 BTC with a confirmation target of 6 blocks in economical fee estimate mode using positional arguments\n" +
      helpExampleCli("sendtoaddress", `"${A0}" 0.1 "donation" "sean's outpost" false true 6 economical`) +
      "\nSend 0.1 BTC with a fee rate of 1.1 sat/vB, subtract fee from amount, BIP125-replaceable, using positional arguments\n" +
      helpExampleCli("sendtoaddress", `"${A0}" 0.1 "drinks" "room77" true true null "unset" null 1.1`) +
      "\nSend 0.2 BTC with a confirmation target of 6 blocks in economical fee estimate mode using named arguments\n" +
      helpExampleCli(
        "-named sendtoaddress",
        `address="${A0}" amount=0.2 conf_target=6 estimate_mode="economical"`,
      ) +
      "\nSend 0.5 BTC with a fee rate of 25 sat/vB using named arguments\n" +
      helpExampleCli("-named sendtoaddress", `address="${A0}" amount=0.5 fee_rate=25`) +
      helpExampleCli(
        "-named sendtoaddress",
        `address="${A0}" amount=0.5 fee_rate=25 subtractfeefromamount=false replaceable=true avoid_reuse=true comment="2 pizzas" comment_to="jeremy" verbose=true`,
      ),
    losslessNumbers: true,
    handler: async (params, ctx) => {
      const wallet = await rpc.walletFor(ctx);
      await wallet.blockUntilSyncedToCurrentChain?.();
      return await wallet.withLock(async () => {
        const mapValue: Record<string, string> = {};
        if (!isNull(params[2]) && getStr(params[2]) !== "") mapValue.comment = getStr(params[2]);
        if (!isNull(params[3]) && getStr(params[3]) !== "") mapValue.to = getStr(params[3]);
        const cc = new CoinControl(wallet.settings().avoidPartialSpends);
        if (!isNull(params[5])) cc.signalRbf = getBool(params[5]);
        cc.avoidAddressReuse = getAvoidReuseFlag(wallet, params[8]);
        cc.avoidPartialSpends ||= cc.avoidAddressReuse;
        await setFeeEstimateMode(wallet, cc, params[6], params[7], params[9], false);
        ensureWalletIsUnlocked(wallet);
        const address = getStr(params[0]);
        const sffo = new Set<number>(!isNull(params[4]) && getBool(params[4]) ? [0] : []);
        const recipients = createRecipients([[address, params[1] ?? null]], sffo, wallet.network);
        const verbose = isNull(params[10]) ? false : getBool(params[10]);
        return await sendMoney(wallet, cc, recipients, mapValue, verbose);
      });
    },
  };
}

function sendmany(rpc: SpendRpcContext): RpcMethod {
  const amounts = `"{\\"${A0}\\":0.01,\\"${A1}\\":0.02}"`;
  return {
    name: "sendmany",
    category: "wallet",
    description: "Send multiple times. Amounts are double-precision floating point numbers." +
      HELP_REQUIRING_PASSPHRASE,
    args: [
      {
        names: "dummy",
        type: "str",
        fallback: { default: '""' },
        description: 'Must be set to "" for backwards compatibility.',
        onelineDescription: '""',
      },
      {
        names: "amounts",
        type: "obj_user_keys",
        description: "The addresses and amounts",
        inner: [{
          names: "address",
          type: "amount",
          description:
            "The bitcoin address is the key, the numeric amount (can be string) in BTC is the value",
        }],
      },
      { names: "minconf", type: "num", fallback: "omitted", description: "Ignored dummy value" },
      { names: "comment", type: "str", fallback: "omitted", description: "A comment" },
      {
        names: "subtractfeefrom",
        type: "arr",
        fallback: "omitted",
        description: "The addresses.\n" +
          "The fee will be equally deducted from the amount of each selected address.\n" +
          "Those recipients will receive less bitcoins than you enter in their corresponding amount field.\n" +
          "If no addresses are specified here, the sender pays the fee.",
        inner: [{
          names: "address",
          type: "str",
          fallback: "omitted",
          description: "Subtract fee from this address",
        }],
      },
      REPLACEABLE_ARG,
      CONF_TARGET_ARG,
      ESTIMATE_MODE_ARG,
      FEE_RATE_ARG,
      VERBOSE_ARG,
    ],
    results: [
      {
        type: "str_hex",
        key: "txid",
        cond: "if verbose is not set or set to false",
        description: "The transaction id for the send. Only 1 transaction is created regardless of\n" +
          "the number of addresses.",
      },
      {
        type: "obj",
        cond: "if verbose is set to true",
        inner: [
          {
            type: "str_hex",
            key: "txid",
            description: "The transaction id for the send. Only 1 transaction is created regardless of\n" +
              "the number of addresses.",
          },
          { type: "str", key: "fee_reason", description: "The transaction fee reason." },
        ],
      },
    ],
    examples: "\nSend two amounts to two different addresses:\n" +
      helpExampleCli("sendmany", `"" ${amounts}`) +
      "\nSend two amounts to two different addresses setting the confirmation and comment:\n" +
      helpExampleCli("sendmany", `"" ${amounts} 6 "testing"`) +
      "\nSend two amounts to two different addresses, subtract fee from amount:\n" +
      helpExampleCli("sendmany", `"" ${amounts} 1 "" "[\\"${A0}\\",\\"${A1}\\"]"`) +
      "\nAs a JSON-RPC call\n" +
      helpExampleRpc("sendmany", `"", {"${A0}":0.01,"${A1}":0.02}, 6, "testing"`),
    losslessNumbers: true,
    handler: async (params, ctx) => {
      const wallet = await rpc.walletFor(ctx);
      await wallet.blockUntilSyncedToCurrentChain?.();
      return await wallet.withLock(async () => {
        if (!isNull(params[0]) && getStr(params[0]) !== "") {
          throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, 'Dummy value must be set to ""');
        }
        const sendTo = getObject(params[1]);
        const mapValue: Record<string, string> = {};
        if (!isNull(params[3]) && getStr(params[3]) !== "") mapValue.comment = getStr(params[3]);
        const cc = new CoinControl(wallet.settings().avoidPartialSpends);
        if (!isNull(params[5])) cc.signalRbf = getBool(params[5]);
        await setFeeEstimateMode(wallet, cc, params[6], params[7], params[8], false);
        const pairs = Object.entries(sendTo);
        const sffo = interpretSubtractFeeFromOutputInstructions(params[4], pairs.map(([k]) => k));
        const recipients = createRecipients(pairs, sffo, wallet.network);
        const verbose = isNull(params[9]) ? false : getBool(params[9]);
        return await sendMoney(wallet, cc, recipients, mapValue, verbose);
      });
    },
  };
}

function fundrawtransaction(rpc: SpendRpcContext): RpcMethod {
  return {
    name: "fundrawtransaction",
    category: "wallet",
    description:
      "If the transaction has no inputs, they will be automatically selected to meet its out value.\n" +
      "It will add at most one change output to the outputs.\n" +
      'No existing outputs will be modified unless "subtractFeeFromOutputs" is specified.\n' +
      "Note that inputs which were signed may need to be resigned after completion since in/outputs have been added.\n" +
      "The inputs added will not be signed, use signrawtransactionwithkey\n" +
      "or signrawtransactionwithwallet for that.\n" +
      "All existing inputs must either have their previous output transaction be in the wallet\n" +
      "or be in the UTXO set. Solving data must be provided for non-wallet inputs.\n" +
      "Note that all inputs selected must be of standard form and P2SH scripts must be\n" +
      "in the wallet using importdescriptors (to calculate fees).\n" +
      'You can see whether this is the case by checking the "solvable" field in the listunspent output.\n' +
      "Note that if specifying an exact fee rate, the resulting transaction may have a higher fee rate\n" +
      "if the transaction has unconfirmed inputs. This is because the wallet will attempt to make the\n" +
      "entire package have the given fee rate, not the resulting transaction.\n",
    args: [
      { names: "hexstring", type: "str_hex", description: "The hex string of the raw transaction" },
      {
        names: "options",
        type: "obj_named_params",
        fallback: "omitted",
        description: "",
        skipTypeCheck: true,
        onelineDescription: "options",
        inner: [
          {
            names: "add_inputs",
            type: "bool",
            fallback: { default: true },
            description:
              "For a transaction with existing inputs, automatically include more if they are not enough.",
          },
          INCLUDE_UNSAFE_ARG,
          ...CONF_ARGS,
          ...fundChangeAndFeeOptionsDoc(),
          subtractFeeFromOutputsDoc("subtractFeeFromOutputs", "The integers."),
          {
            names: "input_weights",
            type: "arr",
            fallback: "omitted",
            description: "Inputs and their corresponding weights",
            inner: [{
              names: "",
              type: "obj",
              fallback: "omitted",
              description: "",
              inner: [
                { names: "txid", type: "str_hex", description: "The transaction id" },
                { names: "vout", type: "num", description: "The output index" },
                {
                  names: "weight",
                  type: "num",
                  description: INPUT_WEIGHT_DESCRIPTION.replace(
                    "Note that signature sizes",
                    "Note that serialized signature sizes",
                  ),
                },
              ],
            }],
          },
          MAX_TX_WEIGHT_ARG,
          ...fundTxDoc(),
        ],
      },
      ISWITNESS_ARG,
    ],
    results: [{
      type: "obj",
      inner: [
        { type: "str_hex", key: "hex", description: "The resulting raw transaction (hex-encoded string)" },
        { type: "str_amount", key: "fee", description: "Fee in BTC the resulting transaction pays" },
        { type: "num", key: "changepos", description: "The position of the added change output, or -1" },
      ],
    }],
    examples: "\nCreate a transaction with no inputs\n" +
      helpExampleCli("createrawtransaction", '"[]" "{\\"myaddress\\":0.01}"') +
      "\nAdd sufficient unsigned inputs to meet the output value\n" +
      helpExampleCli("fundrawtransaction", '"rawtransactionhex"') +
      "\nSign the transaction\n" +
      helpExampleCli("signrawtransactionwithwallet", '"fundedtransactionhex"') +
      "\nSend the transaction\n" +
      helpExampleCli("sendrawtransaction", '"signedtransactionhex"'),
    losslessNumbers: true,
    handler: async (params, ctx) => {
      const wallet = await rpc.walletFor(ctx);
      const tx = decodeHexTxArg(params[0], params[2]);
      const options = params[1];
      const subtractKey = typeName(options) === "object"
        ? (options as JsonObject).subtractFeeFromOutputs
        : undefined;
      const sffo = interpretSubtractFeeFromOutputInstructions(
        subtractKey,
        tx.outputs.map(() => "dummy"),
      );
      const recipients: Recipient[] = tx.outputs.map((o, i) => ({
        script: o.scriptPubKey,
        amount: o.value,
        subtractFeeFromAmount: sffo.has(i),
      }));
      const cc = new CoinControl(wallet.settings().avoidPartialSpends);
      cc.allowOtherInputs = true;
      await wallet.blockUntilSyncedToCurrentChain?.();
      const res = await wallet.withLock(() =>
        fundTransactionRpc(wallet, { ...tx, outputs: [] }, recipients, options, cc, true)
      );
      return {
        hex: encodeHexTx(res.tx),
        fee: valueFromAmount(res.fee),
        changepos: res.changePos ?? -1,
      };
    },
  };
}

function bumpfeeHelper(rpc: SpendRpcContext, methodName: "bumpfee" | "psbtbumpfee"): RpcMethod {
  const wantPsbt = methodName === "psbtbumpfee";
  const incrementalFee = FeeRate.fromSatPerKvB(100n).toString("sat/vB");
  const optionsInner: RpcArgSpec[] = [
    {
      names: "conf_target",
      type: "num",
      fallback: { hint: "wallet -txconfirmtarget" },
      description: "Confirmation target in blocks\n",
    },
    {
      names: "fee_rate",
      type: "amount",
      fallback: { hint: "not set, fall back to wallet fee estimation" },
      description: "\nSpecify a fee rate in sat/vB instead of relying on the built-in fee estimator.\n" +
        `Must be at least ${incrementalFee} higher than the current transaction fee rate.\n` +
        "WARNING: before version 0.21, fee_rate was in BTC/kvB. As of 0.21, fee_rate is in sat/vB.\n",
    },
    {
      names: "replaceable",
      type: "bool",
      fallback: { default: true },
      description: "Whether the new transaction should be\n" +
        "marked bip-125 replaceable. If true, the sequence numbers in the transaction will\n" +
        "be set to 0xfffffffd. If false, any input sequence numbers in the\n" +
        "transaction will be set to 0xfffffffe\n" +
        "so the new transaction will not be explicitly bip-125 replaceable (though it may\n" +
        "still be replaceable in practice, for example if it has unconfirmed ancestors which\n" +
        "are replaceable).\n",
    },
    ESTIMATE_MODE_ARG,
    {
      names: "outputs",
      type: "arr",
      fallback: { default: [] },
      description: "The outputs specified as key-value pairs.\n" +
        "Each key may only appear once, i.e. there can only be one 'data' output, and no address may be duplicated.\n" +
        "At least one output of either type must be specified.\n" +
        "Cannot be provided if 'original_change_index' is specified.",
      inner: outputsDoc(),
      skipTypeCheck: true,
    },
    {
      names: "original_change_index",
      type: "num",
      fallback: { hint: "not set, detect change automatically" },
      description: "The 0-based index of the change output on the original transaction. " +
        "The indicated output will be recycled into the new change output on the bumped transaction. " +
        "The remainder after paying the recipients and fees will be sent to the output script of the " +
        "original change output. The change output’s amount can increase if bumping the transaction " +
        "adds new inputs, otherwise it will decrease. Cannot be used in combination with the 'outputs' option.",
    },
  ];
  if (wantPsbt) {
    optionsInner.push({
      names: "psbt_version",
      type: "num",
      fallback: { default: 2 },
      description: "The PSBT version number to use.",
    });
  }
  return {
    name: methodName,
    category: "wallet",
    description: "Bumps the fee of a transaction T, replacing it with a new transaction B.\n" +
      (wantPsbt ? "Returns a PSBT instead of creating and signing a new transaction.\n" : "") +
      "A transaction with the given txid must be in the wallet.\n" +
      "The command will pay the additional fee by reducing change outputs or adding inputs when necessary.\n" +
      "It may add a new change output if one does not already exist.\n" +
      "All inputs in the original transaction will be included in the replacement transaction.\n" +
      "The command will fail if the wallet or mempool contains a transaction that spends one of T's outputs.\n" +
      "By default, the new fee will be calculated automatically using the estimatesmartfee RPC.\n" +
      "The user can specify a confirmation target for estimatesmartfee.\n" +
      "Alternatively, the user can specify a fee rate in sat/vB for the new transaction.\n" +
      "At a minimum, the new fee rate must be high enough to pay an additional new relay fee (incrementalfee\n" +
      "returned by getnetworkinfo) to enter the node's mempool.\n" +
      "* WARNING: before version 0.21, fee_rate was in BTC/kvB. As of 0.21, fee_rate is in sat/vB. *\n",
    args: [
      { names: "txid", type: "str_hex", description: "The txid to be bumped" },
      {
        names: "options",
        type: "obj_named_params",
        fallback: "omitted",
        description: "",
        inner: optionsInner,
        onelineDescription: "options",
      },
    ],
    results: [{
      type: "obj",
      inner: [
        wantPsbt
          ? {
            type: "str",
            key: "psbt",
            description: "The base64-encoded unsigned PSBT of the new transaction.",
          }
          : { type: "str_hex", key: "txid", description: "The id of the new transaction." },
        { type: "str_amount", key: "origfee", description: "The fee of the replaced transaction." },
        { type: "str_amount", key: "fee", description: "The fee of the new transaction." },
        {
          type: "arr",
          key: "errors",
          description: "Errors encountered during processing (may be empty).",
          inner: [{ type: "str", description: "" }],
        },
      ],
    }],
    examples: `\nBump the fee, get the new transaction's ${wantPsbt ? "psbt" : "txid"}\n` +
      helpExampleCli(methodName, "<txid>"),
    losslessNumbers: true,
    handler: async (params, ctx) => {
      const wallet = await rpc.walletFor(ctx);
      if (wallet.hasFlag("disable_private_keys") && !wallet.hasFlag("external_signer") && !wantPsbt) {
        throw new RpcError(
          RpcErrorCode.RPC_WALLET_ERROR,
          "bumpfee is not available with wallets that have private keys disabled. Use psbtbumpfee instead.",
        );
      }
      const hash = txidHex(parseHashV(params[0], "txid"));
      const cc = new CoinControl(wallet.settings().avoidPartialSpends);
      cc.signalRbf = true;
      let outputs: Transaction["outputs"] = [];
      let originalChangeIndex: number | undefined;
      let psbtVersion: 0 | 2 = 2;
      if (!isNull(params[1])) {
        const options = getObject(params[1]);
        typeCheckObjStrict(options, {
          confTarget: "number",
          conf_target: "number",
          fee_rate: null,
          replaceable: "bool",
          estimate_mode: "string",
          outputs: null,
          original_change_index: "number",
          psbt_version: "number",
        });
        if (has(options, "confTarget") && has(options, "conf_target")) {
          throw new RpcError(
            RpcErrorCode.RPC_INVALID_PARAMETER,
            "confTarget and conf_target options should not both be set. Use conf_target (confTarget is deprecated).",
          );
        }
        const confTarget = has(options, "confTarget") ? options.confTarget : options.conf_target;
        if (has(options, "replaceable")) cc.signalRbf = getBool(options.replaceable);
        await setFeeEstimateMode(wallet, cc, confTarget, options.estimate_mode, options.fee_rate, false);
        if (!isNull(options.outputs)) {
          if (Array.isArray(options.outputs) && options.outputs.length === 0) {
            throw new RpcError(
              RpcErrorCode.RPC_INVALID_PARAMETER,
              "Invalid parameter, output argument cannot be an empty array",
            );
          }
          outputs = parseOutputs(normalizeOutputs(options.outputs), wallet.network);
        }
        if (has(options, "original_change_index")) {
          originalChangeIndex = getInt(options.original_change_index, 0, 0xffffffff);
        }
        if (has(options, "psbt_version")) {
          const v = getInt(options.psbt_version, 0, 0xffffffff);
          if (v !== 2 && v !== 0) {
            throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "The PSBT version can only be 2 or 0");
          }
          psbtVersion = v;
        }
      }
      await wallet.blockUntilSyncedToCurrentChain?.();
      return await wallet.withLock(async () => {
        ensureWalletIsUnlocked(wallet);
        const bump = await createRateBumpTransaction(wallet, hash, cc, {
          requireMine: !wantPsbt,
          outputs,
          originalChangeIndex,
        });
        if (!bump.ok) throw new RpcError(RpcErrorCode[`RPC_${bump.failure.kind}`], bump.failure.error);
        const { tx, oldFee, newFee } = bump.value;
        const result: JsonObject = {};
        let errors: string[] = [];
        if (!wantPsbt) {
          const coins = walletSpentCoins(wallet, tx);
          const signed = await wallet.signTransaction(tx, coins);
          if (!signed.complete) {
            if (wallet.hasFlag("external_signer")) {
              throw new RpcError(
                RpcErrorCode.RPC_WALLET_ERROR,
                "Transaction incomplete. Try psbtbumpfee instead.",
              );
            }
            throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, "Can't sign transaction.");
          }
          const committed = await commitBumpTransaction(wallet, hash, signed.tx);
          if (!committed.ok) throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, committed.failure.error);
          errors = committed.errors;
          result.txid = committed.txid;
        } else {
          const filled = await wallet.fillPsbt(encodePsbt(psbtFromTransaction(tx, psbtVersion)), {
            sign: false,
            finalize: true,
            bip32Derivs: true,
          });
          result.psbt = encodeBase64(filled.psbt);
        }
        result.origfee = valueFromAmount(oldFee);
        result.fee = valueFromAmount(newFee);
        result.errors = errors;
        return result;
      });
    },
  };
}

const LOCKTIME_OPTION: RpcArgSpec = {
  names: "locktime",
  type: "num",
  fallback: { hint: "locktime close to block height to prevent fee sniping" },
  description: "Raw locktime. Non-0 value also locktime-activates inputs",
};
const LOCK_UNSPENTS_OPTION: RpcArgSpec = {
  names: "lock_unspents",
  type: "bool",
  fallback: { default: false },
  description: "Lock selected unspent outputs",
};
const PSBT_OPTION: RpcArgSpec = {
  names: "psbt",
  type: "bool",
  fallback: { hint: "automatic" },
  description: "Always return a PSBT, implies add_to_wallet=false.",
};
const VERSION_ARG: RpcArgSpec = {
  names: "version",
  type: "num",
  fallback: { default: 2 },
  description: "Transaction version",
};

function send(rpc: SpendRpcContext): RpcMethod {
  return {
    name: "send",
    category: "wallet",
    description: "Send a transaction.\n",
    args: [
      {
        names: "outputs",
        type: "arr",
        description: "The outputs specified as key-value pairs.\n" +
          "Each key may only appear once, i.e. there can only be one 'data' output, and no address may be duplicated.\n" +
          "At least one output of either type must be specified.\n" +
          "For convenience, a dictionary, which holds the key-value pairs directly, is also accepted.",
        inner: outputsDoc(),
        skipTypeCheck: true,
      },
      CONF_TARGET_ARG,
      ESTIMATE_MODE_ARG,
      FEE_RATE_ARG,
      {
        names: "options",
        type: "obj_named_params",
        fallback: "omitted",
        description: "",
        onelineDescription: "options",
        inner: [
          ADD_INPUTS_OPTION,
          INCLUDE_UNSAFE_ARG,
          ...CONF_ARGS,
          {
            names: "add_to_wallet",
            type: "bool",
            fallback: { default: true },
            description:
              "When false, returns a serialized transaction which will not be added to the wallet or broadcast",
          },
          ...changeOptionsDoc({ address: "change_address", position: "change_position" }),
          { ...FEE_RATE_ARG, alsoPositional: true },
          {
            names: "include_watching",
            type: "bool",
            fallback: { default: "false" },
            description: "(DEPRECATED) No longer used",
          },
          inputsDoc({
            description: "Specify inputs instead of adding them automatically.",
            sequenceHint: "depends on the value of the 'replaceable' and 'locktime' arguments",
            withWeight: true,
          }),
          LOCKTIME_OPTION,
          LOCK_UNSPENTS_OPTION,
          PSBT_OPTION,
          subtractFeeFromOutputsDoc(
            "subtract_fee_from_outputs",
            "Outputs to subtract the fee from, specified as integer indices.",
          ),
          MAX_TX_WEIGHT_ARG,
          ...fundTxDoc(),
        ],
      },
      VERSION_ARG,
    ],
    results: SEND_RESULT,
    examples: "" +
      "\nSend 0.1 BTC with a confirmation target of 6 blocks in economical fee estimate mode\n" +
      helpExampleCli("send", `'{"${A0}": 0.1}' 6 economical\n`) +
      "Send 0.2 BTC with a fee rate of 1.1 sat/vB using positional arguments\n" +
      helpExampleCli("send", `'{"${A0}": 0.2}' null "unset" 1.1\n`) +
      "Send 0.2 BTC with a fee rate of 1 sat/vB using the options argument\n" +
      helpExampleCli("send", `'{"${A0}": 0.2}' null "unset" null '{"fee_rate": 1}'\n`) +
      "Send 0.3 BTC with a fee rate of 25 sat/vB using named arguments\n" +
      helpExampleCli("-named send", `outputs='{"${A0}": 0.3}' fee_rate=25\n`) +
      "Create a transaction that should confirm the next block, with a specific input, and return result without adding to wallet or broadcasting to the network\n" +
      helpExampleCli(
        "send",
        `'{"${A0}": 0.1}' 1 economical null '{"add_to_wallet": false, "inputs": [{"txid":"a08e6907dbbd3d809776dbfc5d82e371b764ed838b5655e72f463568df1aadf0", "vout":1}]}'`,
      ),
    losslessNumbers: true,
    handler: async (params, ctx) => {
      const wallet = await rpc.walletFor(ctx);
      const options: JsonObject = isNull(params[4]) ? {} : { ...getObject(params[4]) };
      interpretFeeEstimationInstructions(params[1], params[2], params[3], options);
      preventOutdatedOptions(options);
      const rbf = has(options, "replaceable") ? getBool(options.replaceable) : wallet.settings().signalRbf;
      const outputs = normalizeOutputs(params[0]);
      const sffo = interpretSubtractFeeFromOutputInstructions(
        options.subtract_fee_from_outputs,
        outputs.map(([k]) => k),
      );
      const recipients = createRecipients(outputs, sffo, wallet.network);
      const cc = new CoinControl(wallet.settings().avoidPartialSpends);
      cc.version = getInt(ctx.arg("version") ?? 2, 0, 0xffffffff);
      const rawTx = constructTransaction(
        options.inputs,
        params[0],
        options.locktime,
        rbf,
        cc.version,
        wallet.network,
      );
      cc.allowOtherInputs = rawTx.inputs.length === 0;
      if (has(options, "max_tx_weight")) cc.maxTxWeight = getInt(options.max_tx_weight);
      setOptionsInputWeights(options.inputs, options);
      await wallet.blockUntilSyncedToCurrentChain?.();
      const funded = await wallet.withLock(() =>
        fundTransactionRpc(wallet, { ...rawTx, outputs: [] }, recipients, options, cc, false)
      );
      return await finishTransaction(wallet, options, funded.tx);
    },
  };
}

function sendall(rpc: SpendRpcContext): RpcMethod {
  return {
    name: "sendall",
    category: "wallet",
    description:
      "Spend the value of all (or specific) confirmed UTXOs and unconfirmed change in the wallet to one or more recipients.\n" +
      "Unconfirmed inbound UTXOs and locked UTXOs will not be spent. Sendall will respect the avoid_reuse wallet flag.\n" +
      "If your wallet contains many small inputs, either because it received tiny payments or as a result of accumulating change, consider using `send_max` to exclude inputs that are worth less than the fees needed to spend them.\n",
    args: [
      {
        names: "recipients",
        type: "arr",
        description: "The sendall destinations. Each address may only appear once.\n" +
          "Optionally some recipients can be specified with an amount to perform payments, but at least one address must appear without a specified amount.\n",
        inner: [
          {
            names: "address",
            type: "str",
            description: "A bitcoin address which receives an equal share of the unspecified amount.",
          },
          ADDRESS_AMOUNT_ARG,
        ],
      },
      CONF_TARGET_ARG,
      ESTIMATE_MODE_ARG,
      FEE_RATE_ARG,
      {
        names: "options",
        type: "obj_named_params",
        fallback: "omitted",
        description: "",
        onelineDescription: "options",
        inner: [
          {
            names: "add_to_wallet",
            type: "bool",
            fallback: { default: true },
            description:
              "When false, returns the serialized transaction without broadcasting or adding it to the wallet",
          },
          { ...FEE_RATE_ARG, alsoPositional: true },
          {
            names: "include_watching",
            type: "bool",
            fallback: { default: false },
            description: "(DEPRECATED) No longer used",
          },
          inputsDoc({
            description:
              "Use exactly the specified inputs to build the transaction. Specifying inputs is incompatible with the send_max, minconf, and maxconf options.",
            sequenceHint: "depends on the value of the 'replaceable' and 'locktime' arguments",
            withWeight: false,
          }),
          LOCKTIME_OPTION,
          LOCK_UNSPENTS_OPTION,
          PSBT_OPTION,
          {
            names: "send_max",
            type: "bool",
            fallback: { default: false },
            description:
              "When true, only use UTXOs that can pay for their own fees to maximize the output amount. When 'false' (default), no UTXO is left behind. send_max is incompatible with providing specific inputs.",
          },
          {
            names: "minconf",
            type: "num",
            fallback: { default: 0 },
            description: "Require inputs with at least this many confirmations.",
          },
          {
            names: "maxconf",
            type: "num",
            fallback: "omitted",
            description: "Require inputs with at most this many confirmations.",
          },
          VERSION_ARG,
          ...fundTxDoc(),
        ],
      },
    ],
    results: SEND_RESULT,
    examples: "" +
      "\nSpend all UTXOs from the wallet with a fee rate of 1\u00a0sat/vB using named arguments\n" +
      helpExampleCli("-named sendall", `recipients='["${A0}"]' fee_rate=1\n`) +
      "Spend all UTXOs with a fee rate of 1.1 sat/vB using positional arguments\n" +
      helpExampleCli("sendall", `'["${A0}"]' null "unset" 1.1\n`) +
      "Spend all UTXOs split into equal amounts to two addresses with a fee rate of 1.5 sat/vB using the options argument\n" +
      helpExampleCli("sendall", `'["${A0}", "${A1}"]' null "unset" null '{"fee_rate": 1.5}'\n`) +
      "Leave dust UTXOs in wallet, spend only UTXOs with positive effective value with a fee rate of 10 sat/vB using the options argument\n" +
      helpExampleCli("sendall", `'["${A0}"]' null "unset" null '{"fee_rate": 10, "send_max": true}'\n`) +
      "Spend all UTXOs with a fee rate of 1.3 sat/vB using named arguments and sending a 0.25 BTC to another recipient\n" +
      helpExampleCli("-named sendall", `recipients='[{"${A1}": 0.25}, "${A0}"]' fee_rate=1.3\n`),
    losslessNumbers: true,
    handler: async (params, ctx) => {
      const wallet = await rpc.walletFor(ctx);
      await wallet.blockUntilSyncedToCurrentChain?.();
      const options: JsonObject = isNull(params[4]) ? {} : { ...getObject(params[4]) };
      interpretFeeEstimationInstructions(params[1], params[2], params[3], options);
      preventOutdatedOptions(options);
      const withoutAmount = new Set<string>();
      const pairs: JsonValue[] = [];
      for (const recipient of getArray(params[0])) {
        if (typeof recipient === "string") {
          pairs.push({ [recipient]: 0 });
          withoutAmount.add(recipient);
        } else {
          pairs.push(recipient);
        }
      }
      if (withoutAmount.size === 0) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          "Must provide at least one address without a specified amount",
        );
      }
      const cc = new CoinControl(wallet.settings().avoidPartialSpends);
      await setFeeEstimateMode(
        wallet,
        cc,
        options.conf_target,
        options.estimate_mode,
        options.fee_rate,
        false,
      );
      if (has(options, "minconf")) {
        const minconf = getInt(options.minconf);
        if (minconf < 0) {
          throw new RpcError(
            RpcErrorCode.RPC_INVALID_PARAMETER,
            `Invalid minconf (minconf cannot be negative): ${minconf}`,
          );
        }
        cc.minDepth = minconf;
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
      if (has(options, "version")) cc.version = getInt(options.version, 0, 0xffffffff);
      cc.maxTxWeight = cc.version === TRUC_VERSION ? TRUC_MAX_WEIGHT : MAX_STANDARD_TX_WEIGHT;
      const rbf = has(options, "replaceable") ? getBool(options.replaceable) : wallet.settings().signalRbf;
      const calc = await getMinimumFeeRate(wallet, cc);
      const feeRate = calc.feeRate;
      if (cc.feeRate !== undefined && feeRate.gt(cc.feeRate)) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          await feeRateTooLowMessage(wallet, cc.feeRate, calc),
        );
      }
      if (calc.reason === "Fallback fee" && !allowFallbackFee(wallet)) {
        throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, FALLBACK_FEE_DISABLED_ERROR);
      }
      const base = constructTransaction(
        options.inputs,
        pairs,
        options.locktime,
        rbf,
        cc.version,
        wallet.network,
      );
      return await wallet.withLock(async () => {
        const inputs: TxIn[] = [...base.inputs];
        let totalInputValue = 0n;
        const sendMax = has(options, "send_max") ? getBool(options.send_max) : false;
        if (has(options, "inputs") && has(options, "send_max")) {
          throw new RpcError(
            RpcErrorCode.RPC_INVALID_PARAMETER,
            "Cannot combine send_max with specific inputs.",
          );
        } else if (has(options, "inputs") && (has(options, "minconf") || has(options, "maxconf"))) {
          throw new RpcError(
            RpcErrorCode.RPC_INVALID_PARAMETER,
            "Cannot combine minconf or maxconf with specific inputs.",
          );
        } else if (has(options, "inputs")) {
          for (const input of inputs) {
            const id = txidHex(input.prevout.txid);
            if (wallet.isSpent(input.prevout)) {
              throw new RpcError(
                RpcErrorCode.RPC_INVALID_PARAMETER,
                `Input not available. UTXO (${id}:${input.prevout.vout}) was already spent.`,
              );
            }
            const wtx = wallet.getTx(id);
            const out = wtx?.tx.outputs[input.prevout.vout];
            if (wtx === undefined || out === undefined || !wallet.isMine(out.scriptPubKey)) {
              throw new RpcError(
                RpcErrorCode.RPC_INVALID_PARAMETER,
                `Input not found. UTXO (${id}:${input.prevout.vout}) is not part of wallet.`,
              );
            }
            if (wallet.depth(wtx) === 0) {
              if (wtx.tx.version === TRUC_VERSION && cc.version !== TRUC_VERSION) {
                throw new RpcError(
                  RpcErrorCode.RPC_INVALID_PARAMETER,
                  `Can't spend unconfirmed version 3 pre-selected input with a version ${cc.version} tx`,
                );
              } else if (cc.version === TRUC_VERSION && wtx.tx.version !== TRUC_VERSION) {
                throw new RpcError(
                  RpcErrorCode.RPC_INVALID_PARAMETER,
                  `Can't spend unconfirmed version ${wtx.tx.version} pre-selected input with a version 3 tx`,
                );
              }
            }
            totalInputValue += out.value;
          }
        } else {
          for (const coin of await availableCoins(wallet, cc, feeRate, { minAmount: 0n })) {
            if (sendMax && feeRate.getFee(Math.max(coin.inputBytes, 0)) > coin.txout.value) continue;
            if (coin.depth === 0 && cc.version === TRUC_VERSION) cc.maxTxWeight = TRUC_CHILD_MAX_WEIGHT;
            inputs.push({
              prevout: coin.outpoint,
              scriptSig: new Uint8Array(0),
              sequence: rbf ? MAX_BIP125_RBF_SEQUENCE : MAX_SEQUENCE_NONFINAL,
              witness: [],
            });
            totalInputValue += coin.txout.value;
          }
        }
        let rawTx: Transaction = { ...base, inputs };
        const size = calculateMaximumSignedTxSizeOf(wallet, rawTx);
        if (size.vsize === -1) {
          throw new RpcError(
            RpcErrorCode.RPC_WALLET_ERROR,
            "Unable to determine the size of the transaction, the wallet contains unsolvable descriptors",
          );
        }
        const feeFromSize = feeRate.getFee(size.vsize);
        const totalBumpFees = await combinedBumpFee(wallet, rawTx.inputs.map((i) => i.prevout), feeRate);
        const effectiveValue = totalInputValue - feeFromSize - totalBumpFees;
        if (feeFromSize > wallet.settings().maxTxFee) {
          throw new RpcError(
            RpcErrorCode.RPC_WALLET_ERROR,
            "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)",
          );
        }
        if (effectiveValue <= 0n) {
          throw new RpcError(
            RpcErrorCode.RPC_WALLET_INSUFFICIENT_FUNDS,
            sendMax
              ? "Total value of UTXO pool too low to pay for transaction, try using lower feerate."
              : "Total value of UTXO pool too low to pay for transaction. Try using lower feerate or excluding uneconomic UTXOs with 'send_max' option.",
          );
        }
        if (size.weight > (cc.maxTxWeight ?? MAX_STANDARD_TX_WEIGHT)) {
          throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, "Transaction too large.");
        }
        let claimed = 0n;
        for (const out of rawTx.outputs) claimed += out.value;
        if (claimed > totalInputValue) {
          throw new RpcError(
            RpcErrorCode.RPC_WALLET_INSUFFICIENT_FUNDS,
            "Assigned more value to outputs than available funds.",
          );
        }
        const remainder = effectiveValue - claimed;
        if (remainder < 0n) {
          throw new RpcError(
            RpcErrorCode.RPC_WALLET_INSUFFICIENT_FUNDS,
            "Insufficient funds for fees after creating specified outputs.",
          );
        }
        const count = BigInt(withoutAmount.size);
        const perOutput = remainder / count;
        let gaveRemainder = false;
        const dustRelay = FeeRate.fromSatPerKvB(await wallet.chain.relayDustFee());
        const outs = rawTx.outputs.map((out) => {
          const dest = extractDestination(out.scriptPubKey);
          const address = dest === undefined ? "" : encodeDestination(dest, wallet.network) ?? "";
          if (withoutAmount.has(address)) {
            let value = perOutput;
            if (!gaveRemainder) {
              value += remainder % count;
              gaveRemainder = true;
            }
            const updated = { ...out, value };
            if (isDust(updated, dustRelay)) {
              throw new RpcError(
                RpcErrorCode.RPC_WALLET_INSUFFICIENT_FUNDS,
                "Dynamically assigned remainder results in dust output.",
              );
            }
            return updated;
          }
          if (isDust(out, dustRelay)) {
            throw new RpcError(
              RpcErrorCode.RPC_INVALID_PARAMETER,
              `Specified output amount to ${address} is below dust threshold.`,
            );
          }
          return out;
        });
        rawTx = { ...rawTx, outputs: outs };
        if (has(options, "lock_unspents") && getBool(options.lock_unspents)) {
          for (const input of rawTx.inputs) await wallet.lockCoin(input.prevout, false);
        }
        return await finishTransaction(wallet, options, rawTx);
      });
    },
  };
}

/** The spending RPC methods of a wallet process (Core's `sendtoaddress` … `psbtbumpfee`). */
export function spendMethods(ctx: SpendRpcContext): RpcMethod[] {
  return [
    sendtoaddress(ctx),
    sendmany(ctx),
    send(ctx),
    sendall(ctx),
    fundrawtransaction(ctx),
    bumpfeeHelper(ctx, "bumpfee"),
    bumpfeeHelper(ctx, "psbtbumpfee"),
  ];
}
