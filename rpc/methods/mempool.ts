/**
 * The mempool RPCs (Core's `src/rpc/mempool.cpp`, plus `prioritisetransaction` and `getprioritisedtransactions`
 * from `src/rpc/mining.cpp`): `sendrawtransaction`, `testmempoolaccept`, `submitpackage`, `getmempoolinfo`,
 * `getrawmempool`, `getmempoolentry`, `getmempoolancestors`, `getmempooldescendants`, `getmempoolcluster`,
 * `gettxspendingprevout` (mempool only: tsbtc has no txospenderindex), `savemempool`, `importmempool`,
 * `getmempoolfeeratediagram` (hidden), `prioritisetransaction`, `getprioritisedtransactions`, with Core
 * master's parameters, result fields (no `bip125-replaceable`; `chunkweight` and `fees.chunk`) and errors.
 *
 * @module
 */
import { COIN } from "../../core/chain_params.ts";
import type { Network } from "../../core/chain_params_base.ts";
import { validationStateToString } from "../../core/consensus/validation_state.ts";
import { reverseHex } from "../../core/hash/hashes.ts";
import { hasValidOps, isUnspendable } from "../../core/script/script.ts";
import { transactionVsize, txid as txidOf, wtxid as wtxidOf } from "../../core/wire/transaction.ts";
import type { Transaction } from "../../core/wire/types.ts";
import type { Chainstate } from "../../node/chain/types.ts";
import type { MempoolEntry } from "../../node/mempool/entry.ts";
import type { Mempool } from "../../node/mempool/mempool.ts";
import { loadMempool } from "../../node/mempool/persist.ts";
import type { TxMempool } from "../../node/mempool/txmempool.ts";
import { getDust } from "../../node/policy/dust.ts";
import { compareFeerate } from "../../node/policy/feefrac.ts";
import { FeeRate } from "../../node/policy/feerate.ts";
import { isChildWithParentsTree, MAX_PACKAGE_COUNT } from "../../node/policy/packages.ts";
import { isRbfOptIn } from "../../node/policy/rbf.ts";
import { RpcError, RpcErrorCode } from "../errors.ts";
import {
  helpExampleCli,
  helpExampleCliNamed,
  helpExampleRpc,
  type RpcArgSpec,
  type RpcResultSpec,
} from "../help.ts";
import {
  type JsonObject,
  type JsonValue,
  numberText,
  type RawJson,
  rawNumber,
  typeName,
  valueFromAmount,
} from "../json.ts";
import type { RpcMethod } from "../table.ts";
import { decodeHexTx, encodeHexTx } from "../tx_json.ts";
import { getArray, getBool, getObject, getStr, optBool } from "../values.ts";
import { amountFromValue, decodeHexTxParam, parseHashV } from "./rawtransaction.ts";

/** The mempool service the methods use (node/mempool/mempool.ts's `Mempool`). */
export type MempoolService = Pick<
  Mempool,
  "pool" | "settings" | "ready" | "acceptTransaction" | "acceptPackage" | "broadcastTransaction"
>;

/** Where `savemempool` writes and how (the node's `-persistmempool` file). */
export interface MempoolPersistence {
  /** The mempool.dat path (`<datadir>/<network>/mempool.dat`), `savemempool`'s `filename`. */
  readonly path: string;
  /** Dumps the mempool to `path` (persist.ts's `dumpMempool`); false (or a throw) when it failed. */
  readonly dump: () => Promise<boolean>;
}

/** What the mempool methods need from the node. */
export interface MempoolMethodsOptions {
  /** The node's mempool. */
  mempool: () => MempoolService;
  /** The active chainstate (`importmempool` refuses during initial block download). */
  chain: () => Chainstate;
  /** The node's network. */
  network: Network;
  /** mempool.dat for `savemempool`; without it `savemempool` fails with "Unable to dump mempool to disk". */
  persist?: MempoolPersistence;
  /** Node clock in seconds (mocktime), for `importmempool`; default the system clock. */
  now?: () => number;
  /** Log for `importmempool`'s lines. */
  log?: { info(msg: string): void; warn(msg: string): void };
  /** `-deprecatedrpc` values: "fullrbf" adds getmempoolinfo's `fullrbf`, "bip125" the entries' `bip125-replaceable`. */
  deprecatedRpc?: ReadonlySet<string>;
}

/** Core's `DEFAULT_MAX_RAW_TX_FEE_RATE` (0.10 BTC/kvB) as `FormatMoney` prints it, the `maxfeerate` default. */
export const DEFAULT_MAX_RAW_TX_FEE_RATE = "0.10";
/** Core's `DEFAULT_MAX_BURN_AMOUNT` as `FormatMoney` prints it. */
export const DEFAULT_MAX_BURN_AMOUNT = "0.00";

/** Core's `TransactionError` values the mempool RPCs send. */
export type TransactionError =
  | "MISSING_INPUTS"
  | "ALREADY_IN_UTXO_SET"
  | "MEMPOOL_REJECTED"
  | "MEMPOOL_ERROR"
  | "MAX_FEE_EXCEEDED"
  | "MAX_BURN_EXCEEDED"
  | "INVALID_PACKAGE";

/** Core's `TransactionErrorString`. */
export function transactionErrorString(err: TransactionError): string {
  switch (err) {
    case "MISSING_INPUTS":
      return "Inputs missing or spent";
    case "ALREADY_IN_UTXO_SET":
      return "Transaction outputs already in utxo set";
    case "MEMPOOL_REJECTED":
      return "Transaction rejected by mempool";
    case "MEMPOOL_ERROR":
      return "Mempool internal error";
    case "MAX_FEE_EXCEEDED":
      return "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)";
    case "MAX_BURN_EXCEEDED":
      return "Unspendable output exceeds maximum configured by user (maxburnamount)";
    case "INVALID_PACKAGE":
      return "Transaction rejected due to invalid package";
  }
}

/**
 * Core's `JSONRPCTransactionError`: RPC_TRANSACTION_REJECTED (-26) for MEMPOOL_REJECTED,
 * RPC_VERIFY_ALREADY_IN_UTXO_SET (-27) for ALREADY_IN_UTXO_SET, RPC_TRANSACTION_ERROR (-25) otherwise; the
 * message is `message` when not empty, else {@link transactionErrorString}.
 */
export function transactionError(err: TransactionError, message = ""): RpcError {
  const code = err === "MEMPOOL_REJECTED"
    ? RpcErrorCode.RPC_TRANSACTION_REJECTED
    : err === "ALREADY_IN_UTXO_SET"
    ? RpcErrorCode.RPC_VERIFY_ALREADY_IN_UTXO_SET
    : RpcErrorCode.RPC_TRANSACTION_ERROR;
  return new RpcError(code, message.length > 0 ? message : transactionErrorString(err));
}

/** Core's `ParseFeeRate`: an amount in BTC/kvB below 1 BTC/kvB. */
export function parseFeeRate(value: unknown): FeeRate {
  const sats = amountFromValue(value);
  if (sats >= COIN) {
    throw new RpcError(
      RpcErrorCode.RPC_INVALID_PARAMETER,
      "Fee rates larger than or equal to 1BTC/kvB are not accepted",
    );
  }
  return FeeRate.fromSatPerKvB(sats);
}

/** Compares display-hex txids as Core orders `Txid`s (memcmp of the internal bytes, i.e. from the last pair). */
export function compareTxidHex(a: string, b: string): number {
  for (let i = 62; i >= 0; i -= 2) {
    const x = a.slice(i, i + 2);
    const y = b.slice(i, i + 2);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function byTxid(entries: Iterable<MempoolEntry>): MempoolEntry[] {
  return [...entries].sort((a, b) => compareTxidHex(a.txidHex, b.txidHex));
}

/** Core's `entryToJSON` (master: `bip125-replaceable` only with `-deprecatedrpc=bip125`). */
export function entryToJson(pool: TxMempool, e: MempoolEntry, deprecated?: ReadonlySet<string>): JsonObject {
  const ancestors = pool.ancestors(e);
  const descendants = pool.descendants(e);
  let ancestorSize = e.vsize, ancestorFees = e.modifiedFee;
  for (const a of ancestors) {
    ancestorSize += a.vsize;
    ancestorFees += a.modifiedFee;
  }
  let descendantSize = e.vsize, descendantFees = e.modifiedFee;
  for (const d of descendants) {
    descendantSize += d.vsize;
    descendantFees += d.modifiedFee;
  }
  const chunk = pool.chunkOf(e);
  const depends = new Set<string>();
  for (const input of e.tx.inputs) {
    const parent = reverseHex(input.prevout.txid);
    if (pool.get(parent) !== undefined) depends.add(parent);
  }
  return {
    vsize: e.vsize,
    weight: e.weight,
    time: e.time,
    height: e.height,
    descendantcount: descendants.size + 1,
    descendantsize: descendantSize,
    ancestorcount: ancestors.size + 1,
    ancestorsize: ancestorSize,
    wtxid: e.wtxidHex,
    chunkweight: chunk.weight,
    fees: {
      base: valueFromAmount(e.fee),
      modified: valueFromAmount(e.modifiedFee),
      ancestor: valueFromAmount(ancestorFees),
      descendant: valueFromAmount(descendantFees),
      chunk: valueFromAmount(chunk.fee),
    },
    depends: [...depends].sort(),
    spentby: byTxid(e.children).map((c) => c.txidHex),
    unbroadcast: pool.unbroadcast().has(e.txidHex),
    ...(deprecated?.has("bip125")
      ? {
        "bip125-replaceable":
          isRbfOptIn(e.tx, { inMempool: true, ancestors: [...ancestors].map((a) => a.tx) }) ===
            "replaceable_bip125",
      }
      : {}),
  } as unknown as JsonObject;
}

/** The pool's entries in Core's `entryAll` order (mining order: chunks by feerate, topological inside). */
function entryAll(pool: TxMempool): MempoolEntry[] {
  return pool.miningOrder().map((m) => m.entry);
}

/** Core's `MempoolToJSON` (getrawmempool). */
export function mempoolToJson(
  pool: TxMempool,
  verbose: boolean,
  includeSequence: boolean,
  deprecated?: ReadonlySet<string>,
): JsonValue {
  if (verbose) {
    if (includeSequence) {
      throw new RpcError(
        RpcErrorCode.RPC_INVALID_PARAMETER,
        "Verbose results cannot contain mempool sequence values.",
      );
    }
    const o: JsonObject = {};
    for (const e of entryAll(pool)) o[e.txidHex] = entryToJson(pool, e, deprecated);
    return o;
  }
  const txids = entryAll(pool).map((e) => e.txidHex);
  if (!includeSequence) return txids;
  return { txids, mempool_sequence: pool.sequence };
}

/** Core's `MempoolInfoToJSON` (getmempoolinfo). */
export function mempoolInfoToJson(mempool: MempoolService, deprecated?: ReadonlySet<string>): JsonObject {
  const pool = mempool.pool;
  const s = mempool.settings;
  return {
    loaded: pool.loaded,
    size: pool.size,
    bytes: pool.totalVsize,
    usage: pool.usage,
    total_fee: valueFromAmount(pool.totalFee),
    maxmempool: s.maxMempoolBytes,
    mempoolminfee: valueFromAmount(pool.getMinFee().max(s.minRelayFeeRate).getFeePerK()),
    minrelaytxfee: valueFromAmount(s.minRelayFeeRate.getFeePerK()),
    incrementalrelayfee: valueFromAmount(s.incrementalRelayFeeRate.getFeePerK()),
    unbroadcastcount: pool.unbroadcast().size,
    permitbaremultisig: s.permitBareMultisig,
    maxdatacarriersize: s.maxDatacarrierBytes ?? 0,
    limitclustercount: s.limits.clusterCount,
    limitclustersize: s.limits.clusterSizeVbytes,
    // tsbtc linearizes every cluster when asked (cluster.ts: an exhaustive search, bounded per step): no
    // pending improvement work is kept, so the ordering in use is the best it will find.
    optimal: true,
    ...(deprecated?.has("fullrbf") ? { fullrbf: true } : {}),
  } as unknown as JsonObject;
}

/** Core's `clusterToJSON` (getmempoolcluster): the cluster's chunks in mining order. */
export function clusterToJson(pool: TxMempool, entry: MempoolEntry): JsonObject {
  const members = new Set(pool.cluster(entry));
  let weight = 0;
  for (const m of members) weight += m.adjustedWeight;
  const chunks = pool.chunks().filter((c) => members.has(c.entries[0]));
  return {
    clusterweight: weight,
    txcount: members.size,
    chunks: chunks.map((c) => ({
      chunkfee: valueFromAmount(c.fee),
      chunkweight: c.size,
      txs: c.entries.map((e) => e.txidHex),
    })),
  } as unknown as JsonObject;
}

/** Core's `GetFeerateDiagram`: cumulative (sigop-adjusted weight, modified fee) over chunks in mining order. */
export function feerateDiagram(pool: TxMempool): { weight: number; fee: bigint }[] {
  const chunks = pool.chunks().map((c, i) => ({ c, i }));
  chunks.sort((a, b) => compareFeerate(b.c, a.c) || a.i - b.i);
  const out = [{ weight: 0, fee: 0n }];
  for (const { c } of chunks) {
    const last = out[out.length - 1];
    out.push({ weight: last.weight + c.size, fee: last.fee + c.fee });
  }
  return out;
}

function notInMempool(): RpcError {
  return new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, "Transaction not in mempool");
}

/** Whether an output burns coins the RPC's `maxburnamount` allows (Core's check in sendrawtransaction). */
function checkBurn(tx: Transaction, maxBurn: bigint): void {
  for (const out of tx.outputs) {
    if ((isUnspendable(out.scriptPubKey) || !hasValidOps(out.scriptPubKey)) && out.value > maxBurn) {
      throw transactionError("MAX_BURN_EXCEEDED");
    }
  }
}

/** UniValue `getInt<int64_t>` as a bigint (numbers given as exact JSON text). */
function getInt64(value: unknown): bigint {
  if (typeName(value) !== "number") {
    throw new RpcError(
      RpcErrorCode.RPC_TYPE_ERROR,
      `JSON value of type ${typeName(value)} is not of expected type number`,
    );
  }
  const text = typeof value === "bigint" ? value.toString() : numberText(value as number | RawJson);
  if (!/^-?\d+$/.test(text)) throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "JSON integer out of range");
  const n = BigInt(text);
  if (n < -(2n ** 63n) || n >= 2n ** 63n) {
    throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "JSON integer out of range");
  }
  return n;
}

function int64Json(n: bigint): RawJson {
  return rawNumber(n.toString());
}

const ENTRY_DOC: RpcResultSpec[] = [
  {
    type: "num",
    key: "vsize",
    description:
      "virtual transaction size as defined in BIP 141. This is different from actual serialized size for witness transactions as witness data is discounted.",
  },
  { type: "num", key: "weight", description: "transaction weight as defined in BIP 141." },
  {
    type: "num_time",
    key: "time",
    description: "local time transaction entered pool in seconds since 1 Jan 1970 GMT",
  },
  { type: "num", key: "height", description: "block height when transaction entered pool" },
  {
    type: "num",
    key: "descendantcount",
    description: "number of in-mempool descendant transactions (including this one)",
  },
  {
    type: "num",
    key: "descendantsize",
    description: "virtual transaction size of in-mempool descendants (including this one)",
  },
  {
    type: "num",
    key: "ancestorcount",
    description: "number of in-mempool ancestor transactions (including this one)",
  },
  {
    type: "num",
    key: "ancestorsize",
    description: "virtual transaction size of in-mempool ancestors (including this one)",
  },
  {
    type: "num",
    key: "chunkweight",
    description:
      "sigops-adjusted weight (as defined in BIP 141 and modified by '-bytespersigop') of this transaction's chunk",
  },
  { type: "str_hex", key: "wtxid", description: "hash of serialized transaction, including witness data" },
  {
    type: "obj",
    key: "fees",
    description: "",
    inner: [
      { type: "str_amount", key: "base", description: "transaction fee, denominated in BTC" },
      {
        type: "str_amount",
        key: "modified",
        description: "transaction fee with fee deltas used for mining priority, denominated in BTC",
      },
      {
        type: "str_amount",
        key: "ancestor",
        description:
          "transaction fees of in-mempool ancestors (including this one) with fee deltas used for mining priority, denominated in BTC",
      },
      {
        type: "str_amount",
        key: "descendant",
        description:
          "transaction fees of in-mempool descendants (including this one) with fee deltas used for mining priority, denominated in BTC",
      },
      { type: "str_amount", key: "chunk", description: "transaction fees of chunk, denominated in BTC" },
    ],
  },
  {
    type: "arr",
    key: "depends",
    description: "unconfirmed transactions used as inputs for this transaction",
    inner: [{ type: "str_hex", key: "transactionid", description: "parent transaction id" }],
  },
  {
    type: "arr",
    key: "spentby",
    description: "unconfirmed transactions spending outputs from this transaction",
    inner: [{ type: "str_hex", key: "transactionid", description: "child transaction id" }],
  },
  {
    type: "bool",
    key: "unbroadcast",
    description:
      "Whether this transaction is currently unbroadcast (initial broadcast not yet acknowledged by any peers)",
  },
];

const CLUSTER_DOC: RpcResultSpec[] = [
  {
    type: "num",
    key: "clusterweight",
    description: "total sigops-adjusted weight (as defined in BIP 141 and modified by '-bytespersigop')",
  },
  { type: "num", key: "txcount", description: "number of transactions" },
  {
    type: "arr",
    key: "chunks",
    description: "chunks in this cluster (in mining order)",
    inner: [{
      type: "obj",
      key: "chunk",
      description: "",
      inner: [
        { type: "num", key: "chunkfee", description: "fees of the transactions in this chunk" },
        {
          type: "num",
          key: "chunkweight",
          description: "sigops-adjusted weight of all transactions in this chunk",
        },
        {
          type: "arr",
          key: "txs",
          description: "transactions in this chunk in mining order",
          inner: [{ type: "str_hex", key: "txid", description: "transaction id" }],
        },
      ],
    }],
  },
];

const MAXFEERATE_DESCRIPTION =
  "Reject transactions whose fee rate is higher than the specified value, expressed in " +
  "BTC/kvB.\nFee rates larger than 1BTC/kvB are rejected.\nSet to 0 to accept any fee rate.";
const MAXBURN_DESCRIPTION =
  "Reject transactions with provably unspendable outputs (e.g. 'datacarrier' outputs that use the OP_RETURN opcode) greater than the specified value, expressed in BTC.\n" +
  "If burning funds through unspendable outputs is desired, increase this value.\n" +
  "This check is based on heuristics and does not guarantee spendability of outputs.\n";
/** The `maxfeerate` argument of `sendrawtransaction`, `testmempoolaccept` and `submitpackage`. */
const MAXFEERATE_ARG: RpcArgSpec = {
  names: "maxfeerate",
  type: "amount",
  fallback: { default: DEFAULT_MAX_RAW_TX_FEE_RATE },
  description: MAXFEERATE_DESCRIPTION,
};
/** The `maxburnamount` argument of `sendrawtransaction` and `submitpackage`. */
const MAXBURN_ARG: RpcArgSpec = {
  names: "maxburnamount",
  type: "amount",
  fallback: { default: DEFAULT_MAX_BURN_AMOUNT },
  description: MAXBURN_DESCRIPTION,
};
const CREATE_EXAMPLE = helpExampleCli(
  "createrawtransaction",
  '"[{\\"txid\\" : \\"mytxid\\",\\"vout\\":0}]" "{\\"myaddress\\":0.01}"',
);

/** The mempool methods, ready for `RpcTable.registerAll`. */
export function mempoolMethods(options: MempoolMethodsOptions): RpcMethod[] {
  const ready = async (): Promise<MempoolService> => {
    const mempool = options.mempool();
    await mempool.ready();
    return mempool;
  };

  /** The pool and the entry of the txid argument `value`; "Transaction not in mempool" when absent. */
  const inMempool = async (value: JsonValue | undefined) => {
    const id = reverseHex(parseHashV(value, "txid"));
    const { pool } = await ready();
    const entry = pool.get(id);
    if (entry === undefined) throw notInMempool();
    return { pool, entry };
  };

  const decodeOrThrow = (raw: JsonValue): Transaction => {
    const hex = getStr(raw);
    const tx = decodeHexTx(hex);
    if (tx === null) {
      throw new RpcError(
        RpcErrorCode.RPC_DESERIALIZATION_ERROR,
        `TX decode failed: ${hex} Make sure the tx has at least one input.`,
      );
    }
    return tx;
  };

  const packageArray = (value: JsonValue | undefined): JsonValue[] => {
    const raw = getArray(value);
    if (raw.length < 1 || raw.length > MAX_PACKAGE_COUNT) {
      throw new RpcError(
        RpcErrorCode.RPC_INVALID_PARAMETER,
        `Array must contain between 1 and ${MAX_PACKAGE_COUNT} transactions.`,
      );
    }
    return raw;
  };

  const sendrawtransaction: RpcMethod = {
    name: "sendrawtransaction",
    category: "rawtransactions",
    description: "Submit a raw transaction (serialized, hex-encoded) to the network.\n" +
      "\nIf -privatebroadcast is disabled, then the transaction will be put into the\n" +
      "local mempool of the node and will be sent unconditionally to all currently\n" +
      "connected peers, so using sendrawtransaction for manual rebroadcast will degrade\n" +
      "privacy by leaking the transaction's origin, as nodes will normally not\n" +
      "rebroadcast non-wallet transactions already in their mempool.\n" +
      "\nA specific exception, RPC_TRANSACTION_ALREADY_IN_UTXO_SET, may throw if the transaction cannot be added to the mempool.\n" +
      "\nRelated RPCs: createrawtransaction, signrawtransactionwithkey\n",
    args: [
      { names: "hexstring", type: "str_hex", description: "The hex string of the raw transaction" },
      MAXFEERATE_ARG,
      MAXBURN_ARG,
    ],
    results: [{ type: "str_hex", description: "The transaction hash in hex" }],
    examples: "\nCreate a transaction\n" + CREATE_EXAMPLE +
      "Sign the transaction, and get back the hex\n" +
      helpExampleCli("signrawtransactionwithwallet", '"myhex"') +
      "\nSend the transaction (signed hex)\n" + helpExampleCli("sendrawtransaction", '"signedhex"') +
      "\nAs a JSON-RPC call\n" + helpExampleRpc("sendrawtransaction", '"signedhex"'),
    handler: async (params, ctx) => {
      const maxBurn = params[2] === undefined || params[2] === null ? 0n : amountFromValue(params[2]);
      const tx = decodeHexTxParam(params[0]);
      checkBurn(tx, maxBurn);
      const maxFeeRate = parseFeeRate(ctx.arg("maxfeerate"));
      const maxFee = maxFeeRate.getFee(transactionVsize(tx));
      const mempool = await ready();
      const r = await mempool.broadcastTransaction(tx, maxFee);
      if (!r.ok) throw transactionError(r.error, r.message);
      return r.txid;
    },
  };

  const testmempoolaccept: RpcMethod = {
    name: "testmempoolaccept",
    category: "rawtransactions",
    description:
      "Returns result of mempool acceptance tests indicating if raw transaction(s) (serialized, hex-encoded) would be accepted by mempool.\n" +
      "\nIf multiple transactions are passed in, parents must come before children and package policies apply: the transactions cannot conflict with any mempool transactions or each other.\n" +
      "\nIf one transaction fails, other transactions may not be fully validated (the 'allowed' key will be blank).\n" +
      `\nThe maximum number of transactions allowed is ${MAX_PACKAGE_COUNT}.\n` +
      "\nThis checks if transactions violate the consensus or policy rules.\n" +
      "\nSee sendrawtransaction call.\n",
    args: [
      {
        names: "rawtxs",
        type: "arr",
        description: "An array of hex strings of raw transactions.",
        inner: [{ names: "rawtx", type: "str_hex", fallback: "omitted", description: "" }],
      },
      MAXFEERATE_ARG,
    ],
    results: [{
      type: "arr",
      description:
        "The result of the mempool acceptance test for each raw transaction in the input array.\n" +
        "Returns results for each transaction in the same order they were passed in.\n" +
        "Transactions that cannot be fully validated due to failures in other transactions will not contain an 'allowed' result.\n",
      inner: [{
        type: "obj",
        description: "",
        inner: [
          { type: "str_hex", key: "txid", description: "The transaction hash in hex" },
          { type: "str_hex", key: "wtxid", description: "The transaction witness hash in hex" },
          {
            type: "str",
            key: "package-error",
            optional: true,
            description:
              "Package validation error, if any (only possible if rawtxs had more than 1 transaction).",
          },
          {
            type: "bool",
            key: "allowed",
            optional: true,
            description:
              "Whether this tx would be accepted to the mempool and pass client-specified maxfeerate. " +
              "If not present, the tx was not fully validated due to a failure in another tx in the list.",
          },
          {
            type: "num",
            key: "vsize",
            optional: true,
            description:
              "Virtual transaction size as defined in BIP 141. This is different from actual serialized size for witness transactions as witness data is discounted (only present when 'allowed' is true)",
          },
          {
            type: "obj",
            key: "fees",
            optional: true,
            description: "Transaction fees (only present if 'allowed' is true)",
            inner: [
              { type: "str_amount", key: "base", description: "transaction fee in BTC" },
              {
                type: "str_amount",
                key: "effective-feerate",
                description:
                  "the effective feerate in BTC per KvB. May differ from the base feerate if, for example, there are modified fees from prioritisetransaction or a package feerate was used.",
              },
              {
                type: "arr",
                key: "effective-includes",
                description: "transactions whose fees and vsizes are included in effective-feerate.",
                inner: [{ type: "str_hex", description: "transaction wtxid in hex" }],
              },
            ],
          },
          {
            type: "str",
            key: "reject-reason",
            optional: true,
            description: "Rejection reason (only present when 'allowed' is false)",
          },
          {
            type: "str",
            key: "reject-details",
            optional: true,
            description:
              "Rejection details (only present when 'allowed' is false and rejection details exist)",
          },
        ],
      }],
    }],
    examples: "\nCreate a transaction\n" + CREATE_EXAMPLE +
      "Sign the transaction, and get back the hex\n" +
      helpExampleCli("signrawtransactionwithwallet", '"myhex"') +
      "\nTest acceptance of the transaction (signed hex)\n" +
      helpExampleCli("testmempoolaccept", `'["signedhex"]'`) +
      "\nAs a JSON-RPC call\n" + helpExampleRpc("testmempoolaccept", '["signedhex"]'),
    handler: async (params, ctx) => {
      const raw = packageArray(params[0]);
      const maxFeeRate = parseFeeRate(ctx.arg("maxfeerate"));
      const txs = raw.map(decodeOrThrow);
      const mempool = await ready();
      const pkg = txs.length > 1
        ? await mempool.acceptPackage(txs, { testAccept: true })
        : await mempool.acceptTransaction(txs[0], { testAccept: true }).then((r) => ({
          state: { valid: true } as const,
          results: new Map([[r.wtxid, r]]),
        }));
      const out: JsonObject[] = [];
      let exitEarly = false;
      for (const tx of txs) {
        const wtxid = reverseHex(wtxidOf(tx));
        const inner: JsonObject = { txid: reverseHex(txidOf(tx)), wtxid };
        if (!pkg.state.valid && pkg.state.result === "PCKG_POLICY") {
          inner["package-error"] = validationStateToString(pkg.state);
        }
        const r = pkg.results.get(wtxid);
        if (exitEarly || r === undefined) {
          out.push(inner);
          continue;
        }
        if (r.valid) {
          const maxFee = maxFeeRate.getFee(r.vsize);
          if (maxFee !== 0n && r.baseFee > maxFee) {
            inner.allowed = false;
            inner["reject-reason"] = "max-fee-exceeded";
            exitEarly = true;
          } else {
            inner.allowed = true;
            inner.vsize = r.vsize;
            inner.fees = {
              base: valueFromAmount(r.baseFee),
              "effective-feerate": valueFromAmount(r.effectiveFeeRate.getFeePerK()),
              "effective-includes": [...r.effectiveIncludes],
            } as unknown as JsonObject;
          }
        } else {
          inner.allowed = false;
          if (r.state.result === "TX_MISSING_INPUTS") {
            inner["reject-reason"] = "missing-inputs";
          } else {
            inner["reject-reason"] = r.state.reason;
            inner["reject-details"] = validationStateToString(r.state);
          }
        }
        out.push(inner);
      }
      return out;
    },
  };

  const submitpackage: RpcMethod = {
    name: "submitpackage",
    category: "rawtransactions",
    description: "Submit a package of raw transactions (serialized, hex-encoded) to local node.\n" +
      "The package will be validated according to consensus and mempool policy rules. If any transaction passes, it will be accepted to mempool.\n" +
      "This RPC is experimental and the interface may be unstable. Refer to doc/policy/packages.md for documentation on package policies.\n" +
      "Warning: successful submission does not mean the transactions will propagate throughout the network.\n",
    args: [
      {
        names: "package",
        type: "arr",
        description: "An array of raw transactions.\n" +
          "The package must consist of a transaction with (some, all, or none of) its unconfirmed parents. A single transaction is permitted.\n" +
          "None of the parents may depend on each other. Parents that are already in mempool do not need to be present in the package.\n" +
          "The package must be topologically sorted, with the child being the last element in the array if there are multiple elements.",
        inner: [{ names: "rawtx", type: "str_hex", fallback: "omitted", description: "" }],
      },
      MAXFEERATE_ARG,
      MAXBURN_ARG,
    ],
    results: [{
      type: "obj",
      description: "",
      inner: [
        {
          type: "str",
          key: "package_msg",
          description:
            'The transaction package result message. "success" indicates all transactions were accepted into or are already in the mempool.',
        },
        {
          type: "obj_dyn",
          key: "tx-results",
          description:
            "The transaction results keyed by wtxid. An entry is returned for every submitted wtxid.",
          inner: [{
            type: "obj",
            key: "wtxid",
            description: "transaction wtxid",
            inner: [
              { type: "str_hex", key: "txid", description: "The transaction hash in hex" },
              {
                type: "str_hex",
                key: "other-wtxid",
                optional: true,
                description:
                  "The wtxid of a different transaction with the same txid but different witness found in the mempool. This means the submitted transaction was ignored.",
              },
              {
                type: "num",
                key: "vsize",
                optional: true,
                description: "Sigops-adjusted virtual transaction size.",
              },
              {
                type: "obj",
                key: "fees",
                optional: true,
                description: "Transaction fees",
                inner: [
                  { type: "str_amount", key: "base", description: "transaction fee in BTC" },
                  {
                    type: "str_amount",
                    key: "effective-feerate",
                    optional: true,
                    description:
                      "if the transaction was not already in the mempool, the effective feerate in BTC per KvB. For example, the package feerate and/or feerate with modified fees from prioritisetransaction.",
                  },
                  {
                    type: "arr",
                    key: "effective-includes",
                    optional: true,
                    description:
                      "if effective-feerate is provided, the wtxids of the transactions whose fees and vsizes are included in effective-feerate.",
                    inner: [{ type: "str_hex", description: "transaction wtxid in hex" }],
                  },
                ],
              },
              {
                type: "str",
                key: "error",
                optional: true,
                description:
                  'Error string if rejected from mempool, or "package-not-validated" when the package aborts before any per-tx processing.',
              },
            ],
          }],
        },
        {
          type: "arr",
          key: "replaced-transactions",
          optional: true,
          description: "List of txids of replaced transactions",
          inner: [{ type: "str_hex", description: "The transaction id" }],
        },
      ],
    }],
    examples: helpExampleRpc("submitpackage", `["raw-parent-tx-1", "raw-parent-tx-2", "raw-child-tx"]`) +
      helpExampleCli("submitpackage", `'["raw-tx-without-unconfirmed-parents"]'`),
    handler: async (params, ctx) => {
      const raw = packageArray(params[0]);
      const maxFeeRate = parseFeeRate(ctx.arg("maxfeerate"));
      const clientMaxFeeRate = maxFeeRate.getFeePerK() === 0n ? undefined : maxFeeRate;
      const maxBurn = params[2] === undefined || params[2] === null ? 0n : amountFromValue(params[2]);
      const txs: Transaction[] = [];
      for (const value of raw) {
        const tx = decodeOrThrow(value);
        checkBurn(tx, maxBurn);
        txs.push(tx);
      }
      if (txs.length > 1 && !isChildWithParentsTree(txs)) {
        throw transactionError(
          "INVALID_PACKAGE",
          "package topology disallowed. not child-with-parents or parents depend on each other.",
        );
      }
      const mempool = await ready();
      const pkg = await mempool.acceptPackage(txs, { testAccept: false, maxFeeRate: clientMaxFeeRate });
      let packageMsg = "success";
      if (!pkg.state.valid) {
        if (pkg.state.result === "PCKG_MEMPOOL_ERROR") {
          throw transactionError("MEMPOOL_ERROR", pkg.state.reason);
        }
        packageMsg = validationStateToString(pkg.state);
      }
      let broadcast = 0;
      for (const tx of txs) {
        if (mempool.pool.get(reverseHex(txidOf(tx))) === undefined) continue;
        const r = await mempool.broadcastTransaction(tx, 0n);
        if (!r.ok) {
          throw transactionError(
            r.error,
            `transaction broadcast failed: ${r.message} (${broadcast} transactions were broadcast successfully)`,
          );
        }
        broadcast++;
      }
      const results: JsonObject = {};
      const replaced = new Set<string>();
      for (const tx of txs) {
        const wtxid = reverseHex(wtxidOf(tx));
        const inner: JsonObject = { txid: reverseHex(txidOf(tx)) };
        const r = pkg.results.get(wtxid);
        if (r === undefined) {
          inner.error = "package-not-validated";
        } else if (!r.valid) {
          inner.error = validationStateToString(r.state);
        } else if (r.otherWtxid !== undefined) {
          inner["other-wtxid"] = r.otherWtxid;
        } else {
          inner.vsize = r.vsize;
          const fees: Record<string, unknown> = { base: valueFromAmount(r.baseFee) };
          if (!r.alreadyInMempool) {
            fees["effective-feerate"] = valueFromAmount(r.effectiveFeeRate.getFeePerK());
            fees["effective-includes"] = [...r.effectiveIncludes];
          }
          inner.fees = fees as JsonObject;
          for (const e of r.replaced) replaced.add(e.txidHex);
        }
        results[wtxid] = inner;
      }
      return {
        package_msg: packageMsg,
        "tx-results": results,
        "replaced-transactions": [...replaced].sort(compareTxidHex),
      };
    },
  };

  const getmempoolinfo: RpcMethod = {
    name: "getmempoolinfo",
    category: "blockchain",
    description: "Returns details on the active state of the TX memory pool.",
    args: [],
    results: [{
      type: "obj",
      description: "",
      inner: [
        {
          type: "bool",
          key: "loaded",
          description: "True if the initial load attempt of the persisted mempool finished",
        },
        { type: "num", key: "size", description: "Current tx count" },
        {
          type: "num",
          key: "bytes",
          description:
            "Sum of all virtual transaction sizes as defined in BIP 141. Differs from actual serialized size because witness data is discounted",
        },
        { type: "num", key: "usage", description: "Total memory usage for the mempool" },
        {
          type: "str_amount",
          key: "total_fee",
          description:
            "Total fees for the mempool in BTC, ignoring modified fees through prioritisetransaction",
        },
        { type: "num", key: "maxmempool", description: "Maximum memory usage for the mempool" },
        {
          type: "str_amount",
          key: "mempoolminfee",
          description:
            "Minimum fee rate in BTC/kvB for tx to be accepted. Is the maximum of minrelaytxfee and minimum mempool fee",
        },
        {
          type: "str_amount",
          key: "minrelaytxfee",
          description: "Current minimum relay fee for transactions",
        },
        {
          type: "num",
          key: "incrementalrelayfee",
          description: "minimum fee rate increment for mempool limiting or replacement in BTC/kvB",
        },
        {
          type: "num",
          key: "unbroadcastcount",
          description: "Current number of transactions that haven't passed initial broadcast yet",
        },
        {
          type: "bool",
          key: "permitbaremultisig",
          description: "True if the mempool accepts transactions with bare multisig outputs",
        },
        {
          type: "num",
          key: "maxdatacarriersize",
          description: "Maximum number of bytes that can be used by OP_RETURN outputs in the mempool",
        },
        {
          type: "num",
          key: "limitclustercount",
          description:
            "Maximum number of transactions that can be in a cluster (configured by -limitclustercount)",
        },
        {
          type: "num",
          key: "limitclustersize",
          description: "Maximum size of a cluster in virtual bytes (configured by -limitclustersize)",
        },
        {
          type: "bool",
          key: "optimal",
          description: "If the mempool is in a known-optimal transaction ordering",
        },
      ],
    }],
    examples: helpExampleCli("getmempoolinfo", "") + helpExampleRpc("getmempoolinfo", ""),
    handler: async () => mempoolInfoToJson(await ready(), options.deprecatedRpc),
  };

  const getrawmempool: RpcMethod = {
    name: "getrawmempool",
    category: "blockchain",
    description: "Returns all transaction ids in memory pool as a json array of string transaction ids.\n" +
      "\nHint: use getmempoolentry to fetch a specific transaction from the mempool.\n",
    args: [
      {
        names: "verbose",
        type: "bool",
        fallback: { default: false },
        description: "True for a json object, false for array of transaction ids",
      },
      {
        names: "mempool_sequence",
        type: "bool",
        fallback: { default: false },
        description:
          "If verbose=false, returns a json object with transaction list and mempool sequence number attached.",
      },
    ],
    results: [
      {
        cond: "for verbose = false",
        type: "arr",
        description: "",
        inner: [{ type: "str_hex", description: "The transaction id" }],
      },
      {
        cond: "for verbose = true",
        type: "obj_dyn",
        description: "",
        inner: [{ type: "obj", key: "transactionid", description: "", inner: ENTRY_DOC }],
      },
      {
        cond: "for verbose = false and mempool_sequence = true",
        type: "obj",
        description: "",
        inner: [
          {
            type: "arr",
            key: "txids",
            description: "",
            inner: [{ type: "str_hex", description: "The transaction id" }],
          },
          { type: "num", key: "mempool_sequence", description: "The mempool sequence value." },
        ],
      },
    ],
    examples: helpExampleCli("getrawmempool", "true") + helpExampleRpc("getrawmempool", "true"),
    handler: async (params) => {
      const verbose = optBool(params[0], false);
      const sequence = optBool(params[1], false);
      const mempool = await ready();
      return mempoolToJson(mempool.pool, verbose, sequence, options.deprecatedRpc);
    },
  };

  const relatives = (which: "ancestors" | "descendants"): RpcMethod => {
    const name = which === "ancestors" ? "getmempoolancestors" : "getmempooldescendants";
    const one = which === "ancestors" ? "ancestor" : "descendant";
    return {
      name,
      category: "blockchain",
      description: `If txid is in the mempool, returns all in-mempool ${which}.\n`,
      args: [
        { names: "txid", type: "str_hex", description: "The transaction id (must be in mempool)" },
        {
          names: "verbose",
          type: "bool",
          fallback: { default: false },
          description: "True for a json object, false for array of transaction ids",
        },
      ],
      results: [
        {
          cond: "for verbose = false",
          type: "arr",
          description: "",
          inner: [{ type: "str_hex", description: `The transaction id of an in-mempool ${one} transaction` }],
        },
        {
          cond: "for verbose = true",
          type: "obj_dyn",
          description: "",
          inner: [{ type: "obj", key: "transactionid", description: "", inner: ENTRY_DOC }],
        },
      ],
      examples: helpExampleCli(name, '"mytxid"') + helpExampleRpc(name, '"mytxid"'),
      handler: async (params) => {
        const verbose = optBool(params[1], false);
        const { pool, entry } = await inMempool(params[0]);
        const set = byTxid(which === "ancestors" ? pool.ancestors(entry) : pool.descendants(entry));
        if (!verbose) return set.map((e) => e.txidHex);
        const o: JsonObject = {};
        for (const e of set) o[e.txidHex] = entryToJson(pool, e, options.deprecatedRpc);
        return o;
      },
    };
  };

  const getmempoolcluster: RpcMethod = {
    name: "getmempoolcluster",
    category: "blockchain",
    description: "Returns mempool data for given cluster\n",
    args: [{ names: "txid", type: "str_hex", description: "The txid of a transaction in the cluster" }],
    results: [{ type: "obj", description: "", inner: CLUSTER_DOC }],
    examples: helpExampleCli("getmempoolcluster", "txid") + helpExampleRpc("getmempoolcluster", "txid"),
    handler: async (params) => {
      const { pool, entry } = await inMempool(params[0]);
      return clusterToJson(pool, entry);
    },
  };

  const getmempoolentry: RpcMethod = {
    name: "getmempoolentry",
    category: "blockchain",
    description: "Returns mempool data for given transaction\n",
    args: [{ names: "txid", type: "str_hex", description: "The transaction id (must be in mempool)" }],
    results: [{ type: "obj", description: "", inner: ENTRY_DOC }],
    examples: helpExampleCli("getmempoolentry", '"mytxid"') + helpExampleRpc("getmempoolentry", '"mytxid"'),
    handler: async (params) => {
      const { pool, entry } = await inMempool(params[0]);
      return entryToJson(pool, entry, options.deprecatedRpc);
    },
  };

  const SPENT_EXAMPLE =
    '"[{\\"txid\\":\\"a08e6907dbbd3d809776dbfc5d82e371b764ed838b5655e72f463568df1aadf0\\",\\"vout\\":3}]"';
  const gettxspendingprevout: RpcMethod = {
    name: "gettxspendingprevout",
    category: "blockchain",
    description:
      "Scans the mempool (and the txospenderindex, if available) to find transactions spending any of the given outputs",
    args: [
      {
        names: "outputs",
        type: "arr",
        description:
          "The transaction outputs that we want to check, and within each, the txid (string) vout (numeric).",
        inner: [{
          names: "",
          type: "obj",
          fallback: "omitted",
          description: "",
          inner: [
            { names: "txid", type: "str_hex", description: "The transaction id" },
            { names: "vout", type: "num", description: "The output number" },
          ],
        }],
      },
      {
        names: "options",
        type: "obj_named_params",
        fallback: "omitted",
        description: "",
        inner: [
          {
            names: "mempool_only",
            type: "bool",
            fallback: { hint: "true if txospenderindex unavailable, otherwise false" },
            description:
              "If false and mempool lacks a relevant spend, use txospenderindex (throws an exception if not available).",
          },
          {
            names: "return_spending_tx",
            type: "bool",
            fallback: { hint: "false" },
            description: "If true, return the full spending tx.",
          },
        ],
      },
    ],
    results: [{
      type: "arr",
      description: "",
      inner: [{
        type: "obj",
        description: "",
        inner: [
          { type: "str_hex", key: "txid", description: "the transaction id of the checked output" },
          { type: "num", key: "vout", description: "the vout value of the checked output" },
          {
            type: "str_hex",
            key: "spendingtxid",
            optional: true,
            description:
              "the transaction id of the mempool transaction spending this output (omitted if unspent)",
          },
          {
            type: "str_hex",
            key: "spendingtx",
            optional: true,
            description:
              "the transaction spending this output (only if return_spending_tx is set, omitted if unspent)",
          },
          {
            type: "str_hex",
            key: "blockhash",
            optional: true,
            description:
              "the hash of the spending block (omitted if unspent or the spending tx is not confirmed)",
          },
        ],
      }],
    }],
    examples: helpExampleCli("gettxspendingprevout", SPENT_EXAMPLE) +
      helpExampleRpc("gettxspendingprevout", SPENT_EXAMPLE) +
      helpExampleCliNamed("gettxspendingprevout", [
        ["outputs", '[{"txid":"a08e6907dbbd3d809776dbfc5d82e371b764ed838b5655e72f463568df1aadf0","vout":3}]'],
        ["return_spending_tx", true],
      ]),
    handler: async (params) => {
      const outputs = getArray(params[0]);
      if (outputs.length === 0) {
        throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Invalid parameter, outputs are missing");
      }
      const opts = params[1] === undefined || params[1] === null ? {} : getObject(params[1]);
      checkObjectKeys(opts, { mempool_only: "bool", return_spending_tx: "bool" }, true);
      const mempoolOnly = opts.mempool_only === undefined || opts.mempool_only === null
        ? true
        : getBool(opts.mempool_only);
      const returnSpendingTx = opts.return_spending_tx === undefined || opts.return_spending_tx === null
        ? false
        : getBool(opts.return_spending_tx);
      const prevouts = outputs.map((value) => {
        const o = getObject(value);
        checkObjectKeys(o, { txid: "string", vout: "number" }, false);
        const txid = parseHashV(o.txid, "txid");
        const vout = getInt64(o.vout);
        if (vout < -(2n ** 31n) || vout >= 2n ** 31n) {
          throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "JSON integer out of range");
        }
        if (vout < 0n) {
          throw new RpcError(
            RpcErrorCode.RPC_INVALID_PARAMETER,
            "Invalid parameter, vout cannot be negative",
          );
        }
        return { outpoint: { txid, vout: Number(vout) }, raw: o };
      });
      const { pool } = await ready();
      const result: JsonObject[] = [];
      const unresolved: typeof prevouts = [];
      for (const p of prevouts) {
        const spender = pool.spender(p.outpoint);
        if (spender === undefined && !mempoolOnly) {
          unresolved.push(p);
          continue;
        }
        const o: JsonObject = { ...p.raw };
        if (spender !== undefined) {
          o.spendingtxid = spender.txidHex;
          if (returnSpendingTx) o.spendingtx = encodeHexTx(spender.tx);
        }
        result.push(o);
      }
      if (unresolved.length > 0) {
        throw new RpcError(
          RpcErrorCode.RPC_MISC_ERROR,
          "Mempool lacks a relevant spend, and txospenderindex is unavailable.",
        );
      }
      return result;
    },
  };

  const savemempool: RpcMethod = {
    name: "savemempool",
    category: "blockchain",
    description: "Dumps the mempool to disk. It will fail until the previous dump is fully loaded.\n",
    args: [],
    results: [{
      type: "obj",
      description: "",
      inner: [{
        type: "str",
        key: "filename",
        description: "the directory and file where the mempool was saved",
      }],
    }],
    examples: helpExampleCli("savemempool", "") + helpExampleRpc("savemempool", ""),
    handler: async () => {
      const { pool } = await ready();
      if (!pool.loaded) throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "The mempool was not loaded yet");
      const persist = options.persist;
      const ok = persist === undefined ? false : await persist.dump().catch(() => false);
      if (!ok) throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "Unable to dump mempool to disk");
      return { filename: persist!.path };
    },
  };

  const importmempool: RpcMethod = {
    name: "importmempool",
    category: "blockchain",
    description: "Import a mempool.dat file and attempt to add its contents to the mempool.\n" +
      "Warning: Importing untrusted files is dangerous, especially if metadata from the file is taken over.",
    args: [
      { names: "filepath", type: "str", description: "The mempool file" },
      {
        names: "options",
        type: "obj_named_params",
        fallback: "omitted",
        description: "",
        onelineDescription: "options",
        inner: [
          {
            names: "use_current_time",
            type: "bool",
            fallback: { default: true },
            description:
              "Whether to use the current system time or use the entry time metadata from the mempool file.\n" +
              "Warning: Importing untrusted metadata may lead to unexpected issues and undesirable behavior.",
          },
          {
            names: "apply_fee_delta_priority",
            type: "bool",
            fallback: { default: false },
            description: "Whether to apply the fee delta metadata from the mempool file.\n" +
              "It will be added to any existing fee deltas.\n" +
              "The fee delta can be set by the prioritisetransaction RPC.\n" +
              "Warning: Importing untrusted metadata may lead to unexpected issues and undesirable behavior.\n" +
              "Only set this bool if you understand what it does.",
          },
          {
            names: "apply_unbroadcast_set",
            type: "bool",
            fallback: { default: false },
            description: "Whether to apply the unbroadcast set metadata from the mempool file.\n" +
              "Warning: Importing untrusted metadata may lead to unexpected issues and undesirable behavior.",
          },
        ],
      },
    ],
    results: [{ type: "obj", description: "", inner: [] }],
    examples: helpExampleCli("importmempool", "/path/to/mempool.dat") +
      helpExampleRpc("importmempool", "/path/to/mempool.dat"),
    handler: async (params) => {
      const mempool = options.mempool();
      if (options.chain().isInitialBlockDownload()) {
        throw new RpcError(
          RpcErrorCode.RPC_CLIENT_IN_INITIAL_DOWNLOAD,
          "Can only import the mempool after the block download and sync is done.",
        );
      }
      const path = getStr(params[0]);
      const opts = typeName(params[1]) === "object" ? params[1] as JsonObject : {};
      const useCurrentTime = optBool(opts.use_current_time, true);
      const applyDeltas = optBool(opts.apply_fee_delta_priority, false);
      const applyUnbroadcast = optBool(opts.apply_unbroadcast_set, false);
      const r = await loadMempool(path, {
        accept: (tx, time) => mempool.acceptTransaction(tx, { acceptTime: time }),
        pool: mempool.pool,
        expirySeconds: mempool.settings.mempoolExpirySeconds,
        now: options.now?.() ?? Math.floor(Date.now() / 1000),
        log: options.log,
        useCurrentTime,
        applyFeeDeltaPriority: applyDeltas,
        applyUnbroadcastSet: applyUnbroadcast,
      });
      if (!r.ok) {
        throw new RpcError(
          RpcErrorCode.RPC_MISC_ERROR,
          "Unable to import mempool file, see debug log for details.",
        );
      }
      return {};
    },
  };

  const getmempoolfeeratediagram: RpcMethod = {
    name: "getmempoolfeeratediagram",
    category: "hidden",
    description: "Returns the feerate diagram for the whole mempool.",
    args: [],
    results: [{
      cond: "mempool chunks",
      type: "arr",
      description: "",
      inner: [{
        type: "obj",
        description: "",
        inner: [
          { type: "num", key: "weight", description: "cumulative sigops-adjusted weight" },
          { type: "num", key: "fee", description: "cumulative fee" },
        ],
      }],
    }],
    examples: helpExampleCli("getmempoolfeeratediagram", "") + helpExampleRpc("getmempoolfeeratediagram", ""),
    handler: async () => {
      const { pool } = await ready();
      return feerateDiagram(pool).map((p) => ({ weight: p.weight, fee: valueFromAmount(p.fee) }));
    },
  };

  const prioritisetransaction: RpcMethod = {
    name: "prioritisetransaction",
    category: "mining",
    description: "Accepts the transaction into mined blocks at a higher (or lower) priority\n",
    args: [
      { names: "txid", type: "str_hex", description: "The transaction id." },
      {
        names: "dummy",
        type: "num",
        fallback: "omitted",
        description: "API-Compatibility for previous API. Must be zero or null.\n" +
          "                  DEPRECATED. For forward compatibility use named arguments and omit this parameter.",
      },
      {
        names: "fee_delta",
        type: "num",
        description: "The fee value (in satoshis) to add (or subtract, if negative).\n" +
          "                  Note, that this value is not a fee rate. It is a value to modify absolute fee of the TX.\n" +
          "                  The fee is not actually paid, only the algorithm for selecting transactions into a block\n" +
          "                  considers the transaction as it would have paid a higher (or lower) fee.",
      },
    ],
    results: [{ type: "bool", description: "Returns true" }],
    examples: helpExampleCli("prioritisetransaction", '"txid" 0.0 10000') +
      helpExampleRpc("prioritisetransaction", '"txid", 0.0, 10000'),
    losslessNumbers: true,
    handler: async (params) => {
      const id = reverseHex(parseHashV(params[0], "txid"));
      const dummy = params[1] === undefined || params[1] === null ? null : params[1];
      const delta = getInt64(params[2]);
      if (dummy !== null && Number(numberText(dummy as number | RawJson)) !== 0) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          "Priority is no longer supported, dummy argument to prioritisetransaction must be 0.",
        );
      }
      const mempool = await ready();
      const entry = mempool.pool.get(id);
      if (
        mempool.settings.requireStandard && entry !== undefined &&
        getDust(entry.tx, mempool.settings.dustRelayFeeRate).length > 0
      ) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          "Priority is not supported for transactions with dust outputs.",
        );
      }
      mempool.pool.prioritise(id, delta);
      return true;
    },
  };

  const getprioritisedtransactions: RpcMethod = {
    name: "getprioritisedtransactions",
    category: "mining",
    description:
      "Returns a map of all user-created (see prioritisetransaction) fee deltas by txid, and whether the tx is present in mempool.",
    args: [],
    results: [{
      type: "obj_dyn",
      description: "prioritisation keyed by txid",
      inner: [{
        type: "obj",
        key: "<transactionid>",
        description: "",
        inner: [
          { type: "num", key: "fee_delta", description: "transaction fee delta in satoshis" },
          {
            type: "bool",
            key: "in_mempool",
            description: "whether this transaction is currently in mempool",
          },
          {
            type: "num",
            key: "modified_fee",
            optional: true,
            description: "modified fee in satoshis. Only returned if in_mempool=true",
          },
        ],
      }],
    }],
    examples: helpExampleCli("getprioritisedtransactions", "") +
      helpExampleRpc("getprioritisedtransactions", ""),
    handler: async () => {
      const { pool } = await ready();
      const out: JsonObject = {};
      for (const [id, delta] of [...pool.deltas()].sort((a, b) => compareTxidHex(a[0], b[0]))) {
        const entry = pool.get(id);
        const inner: Record<string, unknown> = {
          fee_delta: int64Json(delta),
          in_mempool: entry !== undefined,
        };
        if (entry !== undefined) inner.modified_fee = int64Json(entry.modifiedFee);
        out[id] = inner as JsonObject;
      }
      return out;
    },
  };

  return [
    sendrawtransaction,
    testmempoolaccept,
    submitpackage,
    getmempoolinfo,
    getrawmempool,
    relatives("ancestors"),
    relatives("descendants"),
    getmempoolcluster,
    getmempoolentry,
    gettxspendingprevout,
    savemempool,
    importmempool,
    getmempoolfeeratediagram,
    prioritisetransaction,
    getprioritisedtransactions,
  ];
}

/** Core's `RPCTypeCheckObj`: each listed key has its type (or is null when `allowNull`); strict: no other keys. */
function checkObjectKeys(
  o: JsonObject,
  types: Record<string, "bool" | "string" | "number">,
  allowNull: boolean,
) {
  for (const [key, type] of Object.entries(types)) {
    const v = Object.hasOwn(o, key) ? o[key] : null;
    const t = typeName(v);
    if (!allowNull && t === "null") throw new RpcError(RpcErrorCode.RPC_TYPE_ERROR, `Missing ${key}`);
    if (!(allowNull && t === "null") && t !== type) {
      throw new RpcError(
        RpcErrorCode.RPC_TYPE_ERROR,
        `JSON value of type ${t} for field ${key} is not of expected type ${type}`,
      );
    }
  }
  for (const key of Object.keys(o)) {
    if (!(key in types)) throw new RpcError(RpcErrorCode.RPC_TYPE_ERROR, `Unexpected key ${key}`);
  }
}
