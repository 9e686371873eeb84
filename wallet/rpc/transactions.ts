/**
 * The wallet's history RPCs (Core's `wallet/rpc/transactions.cpp`): `listtransactions`, `listsinceblock`,
 * `gettransaction`, `abandontransaction`, `listreceivedbyaddress`, `listreceivedbylabel`.
 *
 * @module
 */
import { isValidDestinationString } from "../../core/address/mod.ts";
import { reverseHex } from "../../core/hash/mod.ts";
import { RpcError, RpcErrorCode } from "../../rpc/errors.ts";
import { helpExampleCli, helpExampleRpc, type RpcArgSpec, type RpcResultSpec } from "../../rpc/help.ts";
import { parseHashV } from "../../rpc/methods/rawtransaction.ts";
import type { RpcMethod } from "../../rpc/table.ts";
import { txDoc } from "../../rpc/tx_json.ts";
import { getBool, getInt, getStr } from "../../rpc/values.ts";
import {
  historyContext,
  listReceived,
  listSinceBlock,
  recentTransactions,
  transactionDetails,
} from "../history.ts";
import { CURRENCY_UNIT, type WalletCoreRpcContext, withSyncedWallet } from "./coins.ts";
import { deprecatedWatchonlyArg, EXAMPLE_ADDRESS, INCLUDE_IMMATURE_COINBASE_ARG } from "./wallet_util.ts";
import { labelFromValue, RESULT_LAST_PROCESSED_BLOCK } from "./wallet_util.ts";

const UNIX_EPOCH_TIME = "UNIX epoch time";
const EXAMPLE_TXID = '"1075db55d416d3ca199f55b6084e2115b9345e16c5cf302fc80e9d5fbf5d48d"';
const EXAMPLE_BLOCK = '"000000000000000bacf66f7497b7dc45ef753ee9a7d38571037cdb1a57f663ad"';

const CATEGORY_DOC = "The transaction category.\n" +
  '"send"                  Transactions sent.\n' +
  '"receive"               Non-coinbase transactions received.\n' +
  '"generate"              Coinbase transactions received with more than 100 confirmations.\n' +
  '"immature"              Coinbase transactions received with 100 or fewer confirmations.\n' +
  '"orphan"                Orphaned coinbase transactions received.';

const ADDRESS_DOC =
  "The bitcoin address of the transaction (not returned if the output does not have an address, e.g. OP_RETURN null data).";

const FEE_DOC = `The amount of the fee in ${CURRENCY_UNIT}. This is negative and only available for the\n` +
  "'send' category of transactions.";

const AMOUNT_SIGNED_DOC =
  `The amount in ${CURRENCY_UNIT}. This is negative for the 'send' category, and is positive\n` +
  "for all other categories";

const ABANDONED: RpcResultSpec = {
  type: "bool",
  key: "abandoned",
  description: "'true' if the transaction has been abandoned (inputs are respendable).",
};

const TXID_LIST = (description: string): RpcResultSpec[] => [{
  type: "str_hex",
  key: "txid",
  description,
}];

/** Core's `TransactionDescriptionString`. */
function transactionDescription(): RpcResultSpec[] {
  return [
    {
      type: "num",
      key: "confirmations",
      description: "The number of confirmations for the transaction. Negative confirmations means the\n" +
        "transaction conflicted that many blocks ago.",
    },
    {
      type: "bool",
      key: "generated",
      optional: true,
      description: "Only present if the transaction's only input is a coinbase one.",
    },
    {
      type: "bool",
      key: "trusted",
      optional: true,
      description: "Whether we consider the transaction to be trusted and safe to spend from.\n" +
        "Only present when the transaction has 0 confirmations (or negative confirmations, if conflicted).",
    },
    {
      type: "str_hex",
      key: "blockhash",
      optional: true,
      description: "The block hash containing the transaction.",
    },
    {
      type: "num",
      key: "blockheight",
      optional: true,
      description: "The block height containing the transaction.",
    },
    {
      type: "num",
      key: "blockindex",
      optional: true,
      description: "The index of the transaction in the block that includes it.",
    },
    {
      type: "num_time",
      key: "blocktime",
      optional: true,
      description: `The block time expressed in ${UNIX_EPOCH_TIME}.`,
    },
    { type: "str_hex", key: "txid", description: "The transaction id." },
    {
      type: "str_hex",
      key: "wtxid",
      description: "The hash of serialized transaction, including witness data.",
    },
    {
      type: "arr",
      key: "walletconflicts",
      description:
        "Confirmed transactions that have been detected by the wallet to conflict with this transaction.",
      inner: TXID_LIST("The transaction id."),
    },
    {
      type: "str_hex",
      key: "replaced_by_txid",
      optional: true,
      description: "Only if 'category' is 'send'. The txid if this tx was replaced.",
    },
    {
      type: "str_hex",
      key: "replaces_txid",
      optional: true,
      description: "Only if 'category' is 'send'. The txid if this tx replaces another.",
    },
    {
      type: "arr",
      key: "mempoolconflicts",
      description:
        "Transactions in the mempool that directly conflict with either this transaction or an ancestor transaction",
      inner: TXID_LIST("The transaction id."),
    },
    {
      type: "str",
      key: "to",
      optional: true,
      description: "If a comment to is associated with the transaction.",
    },
    { type: "num_time", key: "time", description: `The transaction time expressed in ${UNIX_EPOCH_TIME}.` },
    {
      type: "num_time",
      key: "timereceived",
      description: `The time received expressed in ${UNIX_EPOCH_TIME}.`,
    },
    {
      type: "str",
      key: "comment",
      optional: true,
      description: "If a comment is associated with the transaction, only present if not empty.",
    },
    {
      type: "str",
      key: "bip125-replaceable",
      optional: true,
      description:
        '("yes|no|unknown") (DEPRECATED) Whether this transaction signals BIP125 replaceability or has an unconfirmed ancestor signaling BIP125 replaceability.\n' +
        "May be unknown for unconfirmed transactions not in the mempool because their unconfirmed ancestors are unknown.",
    },
    {
      type: "arr",
      key: "parent_descs",
      optional: true,
      description:
        "Only if 'category' is 'received'. List of parent descriptors for the output script of this coin.",
      inner: [{ type: "str", key: "desc", description: "The descriptor string." }],
    },
  ];
}

function listSinceBlockTxFields(): RpcResultSpec[] {
  return [
    { type: "str", key: "address", optional: true, description: ADDRESS_DOC },
    { type: "str", key: "category", description: CATEGORY_DOC },
    { type: "str_amount", key: "amount", description: AMOUNT_SIGNED_DOC },
    { type: "num", key: "vout", description: "the vout value" },
    { type: "str_amount", key: "fee", optional: true, description: FEE_DOC },
    ...transactionDescription(),
    ABANDONED,
    {
      type: "str",
      key: "label",
      optional: true,
      description: "A comment for the address/transaction, if any",
    },
  ];
}

function optInt(v: unknown, fallback: number): number {
  return v === null || v === undefined ? fallback : getInt(v);
}

function optBoolean(v: unknown, fallback: boolean): boolean {
  return v === null || v === undefined ? fallback : getBool(v);
}

/** The `minconf` argument of `listreceivedbyaddress` and `listreceivedbylabel`. */
const RECEIVED_MINCONF_ARG: RpcArgSpec = {
  names: "minconf",
  type: "num",
  fallback: { default: 1 },
  description: "The minimum number of confirmations before payments are included.",
};

/** The history RPC methods. */
export function transactionsMethods(c: WalletCoreRpcContext): RpcMethod[] {
  const listreceivedbyaddress: RpcMethod = {
    name: "listreceivedbyaddress",
    category: "wallet",
    description: "List balances by receiving address.\n",
    args: [
      RECEIVED_MINCONF_ARG,
      {
        names: "include_empty",
        type: "bool",
        fallback: { default: false },
        description: "Whether to include addresses that haven't received any payments.",
      },
      deprecatedWatchonlyArg("include_watchonly"),
      {
        names: "address_filter",
        type: "str",
        fallback: "omitted",
        description: "If present and non-empty, only return information on this address.",
      },
      INCLUDE_IMMATURE_COINBASE_ARG,
    ],
    results: [{
      type: "arr",
      inner: [{
        type: "obj",
        inner: [
          { type: "str", key: "address", description: "The receiving address" },
          {
            type: "str_amount",
            key: "amount",
            description: `The total amount in ${CURRENCY_UNIT} received by the address`,
          },
          {
            type: "num",
            key: "confirmations",
            description: "The number of confirmations of the most recent transaction included",
          },
          {
            type: "str",
            key: "label",
            description: 'The label of the receiving address. The default label is ""',
          },
          {
            type: "arr",
            key: "txids",
            description: "",
            inner: TXID_LIST("The ids of transactions received with the address"),
          },
        ],
      }],
    }],
    examples: helpExampleCli("listreceivedbyaddress", "") +
      helpExampleCli("listreceivedbyaddress", "6 true") +
      helpExampleCli("listreceivedbyaddress", '6 true true "" true') +
      helpExampleRpc("listreceivedbyaddress", "6, true, true") +
      helpExampleRpc("listreceivedbyaddress", `6, true, true, "${EXAMPLE_ADDRESS[0]}", true`),
    handler: (params, ctx) =>
      withSyncedWallet(c, ctx, (w) => {
        const includeImmatureCoinbase = optBoolean(params[4], false);
        const minDepth = optInt(params[0], 1);
        const includeEmpty = optBoolean(params[1], false);
        let addressFilter: string | undefined;
        if (params[3] !== null && params[3] !== undefined && getStr(params[3]) !== "") {
          const text = getStr(params[3]);
          if (!isValidDestinationString(text, w.network)) {
            throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, "address_filter parameter was invalid");
          }
          addressFilter = text;
        }
        return listReceived(w, {
          minDepth,
          includeEmpty,
          byLabel: false,
          includeImmatureCoinbase,
          addressFilter,
        });
      }),
  };

  const listreceivedbylabel: RpcMethod = {
    name: "listreceivedbylabel",
    category: "wallet",
    description: "List received transactions by label.\n",
    args: [
      RECEIVED_MINCONF_ARG,
      {
        names: "include_empty",
        type: "bool",
        fallback: { default: false },
        description: "Whether to include labels that haven't received any payments.",
      },
      deprecatedWatchonlyArg("include_watchonly"),
      INCLUDE_IMMATURE_COINBASE_ARG,
    ],
    results: [{
      type: "arr",
      inner: [{
        type: "obj",
        inner: [
          {
            type: "str_amount",
            key: "amount",
            description: "The total amount received by addresses with this label",
          },
          {
            type: "num",
            key: "confirmations",
            description: "The number of confirmations of the most recent transaction included",
          },
          {
            type: "str",
            key: "label",
            description: 'The label of the receiving address. The default label is ""',
          },
        ],
      }],
    }],
    examples: helpExampleCli("listreceivedbylabel", "") +
      helpExampleCli("listreceivedbylabel", "6 true") +
      helpExampleRpc("listreceivedbylabel", "6, true, true, true"),
    handler: (params, ctx) =>
      withSyncedWallet(c, ctx, (w) => {
        const includeImmatureCoinbase = optBoolean(params[3], false);
        const minDepth = optInt(params[0], 1);
        const includeEmpty = optBoolean(params[1], false);
        return listReceived(w, { minDepth, includeEmpty, byLabel: true, includeImmatureCoinbase });
      }),
  };

  const listtransactions: RpcMethod = {
    name: "listtransactions",
    category: "wallet",
    description:
      "If a label name is provided, this will return only incoming transactions paying to addresses with the specified label.\n" +
      "Returns up to 'count' most recent transactions ordered from oldest to newest while skipping the first number of \n" +
      "transactions specified in the 'skip' argument. A transaction can have multiple entries in this RPC response. \n" +
      "For instance, a wallet transaction that pays three addresses — one wallet-owned and two external — will produce \n" +
      "four entries. The payment to the wallet-owned address appears both as a send entry and as a receive entry. \n" +
      "As a result, the RPC response will contain one entry in the receive category and three entries in the send category.\n",
    args: [
      {
        names: "label",
        type: "str",
        fallback: "omitted",
        description: "If set, should be a valid label name to return only incoming transactions\n" +
          'with the specified label, or "*" to disable filtering and return all transactions.',
      },
      {
        names: "count",
        type: "num",
        fallback: { default: 10 },
        description: "The number of transactions to return",
      },
      {
        names: "skip",
        type: "num",
        fallback: { default: 0 },
        description: "The number of transactions to skip",
      },
      deprecatedWatchonlyArg("include_watchonly"),
    ],
    results: [{
      type: "arr",
      inner: [{
        type: "obj",
        inner: [
          { type: "str", key: "address", optional: true, description: ADDRESS_DOC },
          { type: "str", key: "category", description: CATEGORY_DOC },
          { type: "str_amount", key: "amount", description: AMOUNT_SIGNED_DOC },
          {
            type: "str",
            key: "label",
            optional: true,
            description: "A comment for the address/transaction, if any",
          },
          { type: "num", key: "vout", description: "the vout value" },
          { type: "str_amount", key: "fee", optional: true, description: FEE_DOC },
          ...transactionDescription(),
          ABANDONED,
        ],
      }],
    }],
    examples: "\nList the most recent 10 transactions in the systems\n" +
      helpExampleCli("listtransactions", "") +
      "\nList transactions 100 to 120\n" +
      helpExampleCli("listtransactions", '"*" 20 100') +
      "\nAs a JSON-RPC call\n" +
      helpExampleRpc("listtransactions", '"*", 20, 100'),
    handler: (params, ctx) =>
      withSyncedWallet(c, ctx, async (w) => {
        let filterLabel: string | undefined;
        if (params[0] !== null && params[0] !== undefined && getStr(params[0]) !== "*") {
          filterLabel = labelFromValue(params[0]);
          if (filterLabel === "") {
            throw new RpcError(
              RpcErrorCode.RPC_INVALID_PARAMETER,
              'Label argument must be a valid label name or "*".',
            );
          }
        }
        const count = optInt(params[1], 10);
        const skip = optInt(params[2], 0);
        if (count < 0) throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Negative count");
        if (skip < 0) throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Negative from");
        return await recentTransactions(await historyContext(w), { filterLabel, count, skip });
      }),
  };

  const listsinceblock: RpcMethod = {
    name: "listsinceblock",
    category: "wallet",
    description: "Get all transactions in blocks since block [blockhash], or all transactions if omitted.\n" +
      'If "blockhash" is no longer a part of the main chain, transactions from the fork point onward are included.\n' +
      'Additionally, if include_removed is set, transactions affecting the wallet which were removed are returned in the "removed" array.\n',
    args: [
      {
        names: "blockhash",
        type: "str",
        fallback: "omitted",
        description: "If set, the block hash to list transactions since, otherwise list all transactions.",
      },
      {
        names: "target_confirmations",
        type: "num",
        fallback: { default: 1 },
        description:
          "Return the nth block hash from the main chain. e.g. 1 would mean the best block hash. Note: this is not used as a filter, but only affects [lastblock] in the return value",
      },
      deprecatedWatchonlyArg("include_watchonly"),
      {
        names: "include_removed",
        type: "bool",
        fallback: { default: true },
        description: 'Show transactions that were removed due to a reorg in the "removed" array\n' +
          "(not guaranteed to work on pruned nodes)",
      },
      {
        names: "include_change",
        type: "bool",
        fallback: { default: false },
        description: "Also add entries for change outputs.\n",
      },
      {
        names: "label",
        type: "str",
        fallback: "omitted",
        description: "Return only incoming transactions paying to addresses with the specified label.\n",
      },
    ],
    results: [{
      type: "obj",
      inner: [
        {
          type: "arr",
          key: "transactions",
          description: "",
          inner: [{ type: "obj", inner: listSinceBlockTxFields() }],
        },
        {
          type: "arr",
          key: "removed",
          optional: true,
          description:
            '<structure is the same as "transactions" above, only present if include_removed=true>\n' +
            "Note: transactions that were re-added in the active chain will appear as-is in this array, and may thus have a positive confirmation count.",
          inner: [{ type: "obj", inner: listSinceBlockTxFields(), elision: { summary: "" } }],
        },
        {
          type: "str_hex",
          key: "lastblock",
          description:
            "The hash of the block (target_confirmations-1) from the best block on the main chain, or the genesis hash if the referenced block does not exist yet. This is typically used to feed back into listsinceblock the next time you call it. So you would generally use a target_confirmations of say 6, so you will be continually re-notified of transactions until they've reached 6 confirmations plus any new ones",
        },
      ],
    }],
    examples: helpExampleCli("listsinceblock", "") +
      helpExampleCli("listsinceblock", `${EXAMPLE_BLOCK} 6`) +
      helpExampleRpc("listsinceblock", `${EXAMPLE_BLOCK}, 6`),
    handler: (params, ctx) =>
      withSyncedWallet(c, ctx, async (w) => {
        let blockHash: string | undefined;
        if (params[0] !== null && params[0] !== undefined && getStr(params[0]) !== "") {
          blockHash = reverseHex(parseHashV(params[0], "blockhash"));
        }
        let targetConfirmations = 1;
        if (params[1] !== null && params[1] !== undefined) {
          targetConfirmations = getInt(params[1]);
          if (targetConfirmations < 1) {
            throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Invalid parameter");
          }
        }
        const includeRemoved = optBoolean(params[3], true);
        const includeChange = optBoolean(params[4], false);
        const filterLabel = params[5] === null || params[5] === undefined
          ? undefined
          : labelFromValue(params[5]);
        return await listSinceBlock(await historyContext(w), {
          blockHash,
          targetConfirmations,
          includeRemoved,
          includeChange,
          filterLabel,
        });
      }),
  };

  const gettransaction: RpcMethod = {
    name: "gettransaction",
    category: "wallet",
    description: "Get detailed information about in-wallet transaction <txid>\n",
    args: [
      { names: "txid", type: "str", description: "The transaction id" },
      deprecatedWatchonlyArg("include_watchonly"),
      {
        names: "verbose",
        type: "bool",
        fallback: { default: false },
        description:
          "Whether to include a `decoded` field containing the decoded transaction (equivalent to RPC decoderawtransaction)",
      },
    ],
    results: [{
      type: "obj",
      inner: [
        { type: "str_amount", key: "amount", description: `The amount in ${CURRENCY_UNIT}` },
        { type: "str_amount", key: "fee", optional: true, description: FEE_DOC },
        ...transactionDescription(),
        {
          type: "arr",
          key: "details",
          description: "",
          inner: [{
            type: "obj",
            inner: [
              {
                type: "str",
                key: "address",
                optional: true,
                description: "The bitcoin address involved in the transaction.",
              },
              { type: "str", key: "category", description: CATEGORY_DOC },
              { type: "str_amount", key: "amount", description: `The amount in ${CURRENCY_UNIT}` },
              {
                type: "str",
                key: "label",
                optional: true,
                description: "A comment for the address/transaction, if any",
              },
              { type: "num", key: "vout", description: "the vout value" },
              {
                type: "str_amount",
                key: "fee",
                optional: true,
                description:
                  `The amount of the fee in ${CURRENCY_UNIT}. This is negative and only available for the \n` +
                  "'send' category of transactions.",
              },
              ABANDONED,
              {
                type: "arr",
                key: "parent_descs",
                optional: true,
                description:
                  "Only if 'category' is 'received'. List of parent descriptors for the output script of this coin.",
                inner: [{ type: "str", key: "desc", description: "The descriptor string." }],
              },
            ],
          }],
        },
        { type: "str_hex", key: "hex", description: "Raw data for transaction" },
        {
          type: "obj",
          key: "decoded",
          optional: true,
          description: "The decoded transaction (only present when `verbose` is passed)",
          inner: txDoc({ wallet: true }),
        },
        RESULT_LAST_PROCESSED_BLOCK,
      ],
    }],
    examples: helpExampleCli("gettransaction", EXAMPLE_TXID) +
      helpExampleCli("gettransaction", `${EXAMPLE_TXID} true`) +
      helpExampleCli("gettransaction", `${EXAMPLE_TXID} false true`) +
      helpExampleRpc("gettransaction", EXAMPLE_TXID),
    handler: (params, ctx) =>
      withSyncedWallet(c, ctx, async (w) => {
        const txid = reverseHex(parseHashV(params[0], "txid"));
        const verbose = optBoolean(params[2], false);
        const wtx = w.getTx(txid);
        if (wtx === undefined) {
          throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, "Invalid or non-wallet transaction id");
        }
        return await transactionDetails(await historyContext(w), wtx, verbose);
      }),
  };

  const abandontransaction: RpcMethod = {
    name: "abandontransaction",
    category: "wallet",
    description: "Mark in-wallet transaction <txid> as abandoned\n" +
      "This will mark this transaction and all its in-wallet descendants as abandoned which will allow\n" +
      'for their inputs to be respent.  It can be used to replace "stuck" or evicted transactions.\n' +
      "It only works on transactions which are not included in a block and are not currently in the mempool.\n" +
      "It has no effect on transactions which are already abandoned.\n",
    args: [{ names: "txid", type: "str_hex", description: "The transaction id" }],
    results: [{ type: "none" }],
    examples: helpExampleCli("abandontransaction", EXAMPLE_TXID) +
      helpExampleRpc("abandontransaction", EXAMPLE_TXID),
    handler: (params, ctx) =>
      withSyncedWallet(c, ctx, async (w) => {
        const txid = reverseHex(parseHashV(params[0], "txid"));
        if (w.getTx(txid) === undefined) {
          throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, "Invalid or non-wallet transaction id");
        }
        if (!(await w.abandonTransaction(txid))) {
          throw new RpcError(
            RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY,
            "Transaction not eligible for abandonment",
          );
        }
        return null;
      }),
  };

  return [
    listreceivedbyaddress,
    listreceivedbylabel,
    listtransactions,
    listsinceblock,
    gettransaction,
    abandontransaction,
  ];
}
