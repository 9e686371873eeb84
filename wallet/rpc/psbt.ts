/**
 * The wallet's PSBT and signing RPCs (Core's wallet/rpc/spend.cpp): `walletcreatefundedpsbt`,
 * `walletprocesspsbt` and `signrawtransactionwithwallet`.
 *
 * @module
 */
import { RpcError, RpcErrorCode } from "../../rpc/errors.ts";
import { helpExampleCli, helpExampleRpc } from "../../rpc/help.ts";
import { type JsonObject, valueFromAmount } from "../../rpc/json.ts";
import type { RpcMethod } from "../../rpc/table.ts";
import { getBool, getInt, getObject } from "../../rpc/values.ts";
import {
  constructTransaction,
  decodeHexTxParam,
  normalizeOutputs,
  parsePrevouts,
  parseSighashString,
  prevtxsArg,
  SIGHASH_TYPE_CHOICES,
  SIGN_RESULT,
  txOutToString,
} from "../../rpc/methods/rawtransaction.ts";
import {
  BIP32DERIVS_ARG,
  decodePsbtArg,
  PROCESS_PSBT_RESULT,
  PROCESS_PSBT_SIGN_ARGS,
  PSBT_VERSION_ARG,
} from "../../rpc/methods/psbt.ts";
import { encodeHexTx } from "../../rpc/tx_json.ts";
import {
  decodePsbt,
  encodeBase64,
  encodePsbt,
  finalizeAndExtract,
  psbtFromTransaction,
} from "../../core/psbt/mod.ts";
import { outPointKey } from "../../core/wire/mod.ts";
import type { TxOut } from "../../core/wire/types.ts";
import { CoinControl, txidHex } from "../spend.ts";
import {
  ADD_INPUTS_OPTION,
  CONF_ARGS,
  createRecipients,
  fundChangeAndFeeOptionsDoc,
  fundTransactionRpc,
  fundTxDoc,
  INCLUDE_UNSAFE_ARG,
  inputsDoc,
  interpretSubtractFeeFromOutputInstructions,
  MAX_TX_WEIGHT_ARG,
  outputsDoc,
  setOptionsInputWeights,
  type SpendRpcContext,
  subtractFeeFromOutputsDoc,
} from "./spend_util.ts";
import { ensureWalletIsUnlocked, EXAMPLE_ADDRESS, HELP_REQUIRING_PASSPHRASE } from "./wallet_util.ts";

function signrawtransactionwithwallet(rpc: SpendRpcContext): RpcMethod {
  return {
    name: "signrawtransactionwithwallet",
    category: "wallet",
    description: "Sign inputs for raw transaction (serialized, hex-encoded).\n" +
      "The second optional argument (may be null) is an array of previous transaction outputs that\n" +
      "this transaction depends on but may not yet be in the block chain." + HELP_REQUIRING_PASSPHRASE,
    args: [
      { names: "hexstring", type: "str", description: "The transaction hex string" },
      prevtxsArg("The output script"),
      {
        names: "sighashtype",
        type: "str",
        fallback: { default: "DEFAULT for Taproot, ALL otherwise" },
        description: "The signature hash type. Must be one of\n" + SIGHASH_TYPE_CHOICES,
      },
    ],
    results: [SIGN_RESULT],
    examples: helpExampleCli("signrawtransactionwithwallet", '"myhex"') +
      helpExampleRpc("signrawtransactionwithwallet", '"myhex"'),
    losslessNumbers: true,
    handler: async (params, ctx) => {
      const wallet = await rpc.walletFor(ctx);
      const tx = decodeHexTxParam(params[0]);
      return await wallet.withLock(async () => {
        ensureWalletIsUnlocked(wallet);
        const coins = new Map<string, TxOut>();
        const found = await wallet.chain.findCoins(
          tx.inputs.map((i) => ({ txid: txidHex(i.prevout.txid), vout: i.prevout.vout })),
        );
        tx.inputs.forEach((input, i) => {
          const c = found[i];
          if (c !== null) {
            coins.set(outPointKey(input.prevout), { value: c.value, scriptPubKey: c.scriptPubKey });
          }
        });
        parsePrevouts(params[1], null, coins);
        const sighash = parseSighashString(params[2]) ?? undefined;
        const res = await wallet.signTransaction(tx, coins, sighash);
        for (const e of res.errors) {
          if (e.error === "Missing amount") {
            const coin = coins.get(`${e.txid}:${e.vout}`);
            throw new RpcError(
              RpcErrorCode.RPC_TYPE_ERROR,
              `Missing amount for ${txOutToString(coin)}`,
            );
          }
        }
        const result: JsonObject = { hex: encodeHexTx(res.tx), complete: res.complete };
        if (res.errors.length > 0) result.errors = res.errors.map((e) => ({ ...e }));
        return result;
      });
    },
  };
}

function walletprocesspsbt(rpc: SpendRpcContext): RpcMethod {
  return {
    name: "walletprocesspsbt",
    category: "wallet",
    description: "Update a PSBT with input information from our wallet and then sign inputs\n" +
      "that we can sign for." + HELP_REQUIRING_PASSPHRASE,
    args: [
      { names: "psbt", type: "str", description: "The transaction base64 string" },
      {
        names: "sign",
        type: "bool",
        fallback: { default: true },
        description: "Also sign the transaction when updating (requires wallet to be unlocked)",
      },
      ...PROCESS_PSBT_SIGN_ARGS,
    ],
    results: [PROCESS_PSBT_RESULT],
    examples: helpExampleCli("walletprocesspsbt", '"psbt"'),
    handler: async (params, ctx) => {
      const wallet = await rpc.walletFor(ctx);
      await wallet.blockUntilSyncedToCurrentChain?.();
      const psbt = decodePsbtArg(params[0]);
      const sighashType = parseSighashString(params[2]) ?? undefined;
      const sign = params[1] === undefined || params[1] === null ? true : getBool(params[1]);
      const bip32Derivs = params[3] === undefined || params[3] === null ? true : getBool(params[3]);
      const finalize = params[4] === undefined || params[4] === null ? true : getBool(params[4]);
      if (sign) ensureWalletIsUnlocked(wallet);
      const filled = await wallet.fillPsbt(encodePsbt(psbt), { sign, sighashType, finalize, bip32Derivs });
      const result: JsonObject = { psbt: encodeBase64(filled.psbt), complete: filled.complete };
      if (filled.complete) {
        const final = finalizeAndExtract(decodePsbt(filled.psbt));
        if (final === null) {
          throw new RpcError(
            RpcErrorCode.RPC_MISC_ERROR,
            "Internal bug detected: complete PSBT did not finalize",
          );
        }
        result.hex = encodeHexTx(final);
      }
      return result;
    },
  };
}

function walletcreatefundedpsbt(rpc: SpendRpcContext): RpcMethod {
  return {
    name: "walletcreatefundedpsbt",
    category: "wallet",
    description: "Creates and funds a transaction in the Partially Signed Transaction format.\n" +
      "Implements the Creator and Updater roles.\n" +
      "All existing inputs must either have their previous output transaction be in the wallet\n" +
      "or be in the UTXO set. Solving data must be provided for non-wallet inputs.\n",
    args: [
      inputsDoc({
        description: "Leave empty to add inputs automatically. See add_inputs option.",
        sequenceHint: "depends on the value of the 'locktime' and 'options.replaceable' arguments",
        withWeight: true,
        fallback: "omitted",
      }),
      {
        names: "outputs",
        type: "arr",
        description: "The outputs specified as key-value pairs.\n" +
          "Each key may only appear once, i.e. there can only be one 'data' output, and no address may be duplicated.\n" +
          "At least one output of either type must be specified.\n" +
          "For compatibility reasons, a dictionary, which holds the key-value pairs directly, is also\n" +
          "accepted as second parameter.",
        inner: outputsDoc(),
        skipTypeCheck: true,
      },
      {
        names: "locktime",
        type: "num",
        fallback: { default: 0 },
        description: "Raw locktime. Non-0 value also locktime-activates inputs",
      },
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
          ...fundChangeAndFeeOptionsDoc(),
          subtractFeeFromOutputsDoc("subtractFeeFromOutputs", "The outputs to subtract the fee from."),
          MAX_TX_WEIGHT_ARG,
          ...fundTxDoc(),
        ],
      },
      BIP32DERIVS_ARG,
      { names: "version", type: "num", fallback: { default: 2 }, description: "Transaction version" },
      PSBT_VERSION_ARG,
    ],
    results: [{
      type: "obj",
      inner: [
        { type: "str", key: "psbt", description: "The resulting raw transaction (base64-encoded string)" },
        { type: "str_amount", key: "fee", description: "Fee in BTC the resulting transaction pays" },
        { type: "num", key: "changepos", description: "The position of the added change output, or -1" },
      ],
    }],
    examples:
      "\nCreate a PSBT with automatically picked inputs that sends 0.5 BTC to an address and has a fee rate of 2 sat/vB:\n" +
      helpExampleCli(
        "walletcreatefundedpsbt",
        `"[]" "[{\\"${EXAMPLE_ADDRESS[0]}\\":0.5}]" 0 "{\\"add_inputs\\":true,\\"fee_rate\\":2}"`,
      ) +
      "\nCreate the same PSBT as the above one instead using named arguments:\n" +
      helpExampleCli(
        "-named walletcreatefundedpsbt",
        `outputs="[{\\"${EXAMPLE_ADDRESS[0]}\\":0.5}]" add_inputs=true fee_rate=2`,
      ),
    losslessNumbers: true,
    handler: async (params, ctx) => {
      const wallet = await rpc.walletFor(ctx);
      await wallet.blockUntilSyncedToCurrentChain?.();
      const options: JsonObject = params[3] === undefined || params[3] === null
        ? {}
        : { ...getObject(params[3]) };
      const cc = new CoinControl(wallet.settings().avoidPartialSpends);
      cc.version = getInt(ctx.arg("version") ?? 2, 0, 0xffffffff);
      const replaceable = options.replaceable;
      const rbf = replaceable === undefined || replaceable === null
        ? wallet.settings().signalRbf
        : getBool(replaceable);
      const rawTx = constructTransaction(params[0], params[1], params[2], rbf, cc.version, wallet.network);
      const outputs = normalizeOutputs(params[1]);
      const sffo = interpretSubtractFeeFromOutputInstructions(
        options.subtractFeeFromOutputs,
        outputs.map(([k]) => k),
      );
      const recipients = createRecipients(outputs, sffo, wallet.network);
      cc.allowOtherInputs = rawTx.inputs.length === 0;
      setOptionsInputWeights(params[0], options);
      const funded = await wallet.withLock(() =>
        fundTransactionRpc(wallet, { ...rawTx, outputs: [] }, recipients, options, cc, true)
      );
      let psbtVersion = 2;
      if (params[6] !== undefined && params[6] !== null) psbtVersion = getInt(params[6]);
      if (psbtVersion !== 2 && psbtVersion !== 0) {
        throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "The PSBT version can only be 2 or 0");
      }
      const bip32Derivs = params[4] === undefined || params[4] === null ? true : getBool(params[4]);
      const filled = await wallet.fillPsbt(encodePsbt(psbtFromTransaction(funded.tx, psbtVersion)), {
        sign: false,
        finalize: true,
        bip32Derivs,
      });
      return {
        psbt: encodeBase64(filled.psbt),
        fee: valueFromAmount(funded.fee),
        changepos: funded.changePos ?? -1,
      };
    },
  };
}

/** The wallet's PSBT and signing RPC methods. */
export function walletPsbtMethods(ctx: SpendRpcContext): RpcMethod[] {
  return [walletcreatefundedpsbt(ctx), walletprocesspsbt(ctx), signrawtransactionwithwallet(ctx)];
}
