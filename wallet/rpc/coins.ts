/**
 * The wallet's coin RPCs (Core's `wallet/rpc/coins.cpp`): `getbalance`, `getbalances`, `getreceivedbyaddress`,
 * `getreceivedbylabel`, `listunspent`, `lockunspent`, `listlockunspent`. (`getunconfirmedbalance` is gone
 * from Core master — 30.0 removed it in favour of `getbalances` — so it is not served.)
 *
 * @module
 */
import { decodeDestination, isDecodedDestination } from "../../core/address/mod.ts";
import { ripemd160 } from "@noble/hashes/legacy.js";
import { reverseHex, toHex } from "../../core/hash/mod.ts";
import { solver } from "../../core/script/standard.ts";
import { RpcError, RpcErrorCode } from "../../rpc/errors.ts";
import { helpExampleCli, helpExampleRpc, type RpcArgSpec } from "../../rpc/help.ts";
import { type JsonObject, type JsonValue, typeName, valueFromAmount } from "../../rpc/json.ts";
import { amountFromValue, parseHashV } from "../../rpc/methods/rawtransaction.ts";
import type { RpcCallContext, RpcMethod } from "../../rpc/table.ts";
import { getArray, getBool, getInt, getObject, getStr } from "../../rpc/values.ts";
import { availableCoins } from "../available_coins.ts";
import {
  appendLastProcessedBlock,
  findAddressBookEntry,
  getReceived,
  pushParentDescriptors,
  scriptAddress,
} from "../history.ts";
import { getBalance, ReceiveCache } from "../receive.ts";
import type { WalletCore } from "../types.ts";
import {
  EXAMPLE_ADDRESS,
  getAvoidReuseFlag,
  INCLUDE_IMMATURE_COINBASE_ARG,
  labelFromValue,
  RESULT_LAST_PROCESSED_BLOCK,
} from "./wallet_util.ts";

/**
 * What these groups use of the process's `WalletRpcContext` (wallet_util.ts): the request's wallet as a
 * {@linkcode WalletCore} (W1's context satisfies it; tests pass a fake wallet).
 */
export interface WalletCoreRpcContext {
  /** Core's `GetWalletForJSONRPCRequest` (-18 / -19 errors). */
  walletFor(ctx: Pick<RpcCallContext, "walletName">): WalletCore;
}

/** Core's `CURRENCY_UNIT`. */
export const CURRENCY_UNIT = "BTC";
/** Core's `CURRENCY_ATOM`. */
export const CURRENCY_ATOM = "sat";

/**
 * Runs `fn` on the request's wallet after it caught up with the node's notifications (Core's
 * `BlockUntilSyncedToCurrentChain`), holding its lock.
 */
export async function withSyncedWallet<T>(
  c: WalletCoreRpcContext,
  ctx: RpcCallContext,
  fn: (wallet: WalletCore) => Promise<T> | T,
  sync = true,
): Promise<T> {
  const wallet = c.walletFor(ctx);
  if (sync) await wallet.blockUntilSyncedToCurrentChain?.();
  return await wallet.withLock(() => fn(wallet));
}

/** Core's `RPCTypeCheckObj`; `types` values are "any" or a JSON type name; keys checked in sorted order. */
export function typeCheckObj(
  o: JsonObject,
  types: Record<string, "any" | "string" | "number" | "bool" | "object" | "array">,
  allowNull: boolean,
  strict: boolean,
): void {
  for (const key of Object.keys(types).sort()) {
    const v = Object.hasOwn(o, key) ? o[key] : null;
    const t = typeName(v);
    if (!allowNull && t === "null") throw new RpcError(RpcErrorCode.RPC_TYPE_ERROR, `Missing ${key}`);
    const want = types[key];
    if (!(want === "any" || t === want || (allowNull && t === "null"))) {
      throw new RpcError(
        RpcErrorCode.RPC_TYPE_ERROR,
        `JSON value of type ${t} for field ${key} is not of expected type ${want}`,
      );
    }
  }
  if (strict) {
    for (const key of Object.keys(o)) {
      if (!Object.hasOwn(types, key)) {
        throw new RpcError(RpcErrorCode.RPC_TYPE_ERROR, `Unexpected key ${key}`);
      }
    }
  }
}

function scriptOfAddress(wallet: WalletCore, address: string): Uint8Array | undefined {
  const d = decodeDestination(address, wallet.network);
  return isDecodedDestination(d) ? d.scriptPubKey : undefined;
}

/** Core's `GetReceived` with its argument checks. */
function received(wallet: WalletCore, params: readonly JsonValue[], byLabel: boolean): bigint {
  const scripts: Uint8Array[] = [];
  if (byLabel) {
    const label = labelFromValue(params[0]);
    for (const [address, entry] of wallet.addressBook()) {
      if (entry.label === undefined || entry.label !== label) continue;
      const s = scriptOfAddress(wallet, address);
      if (s !== undefined) scripts.push(s);
    }
    if (scripts.length === 0) throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, "Label not found in wallet");
  } else {
    const s = scriptOfAddress(wallet, getStr(params[0]));
    if (s === undefined) {
      throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, "Invalid Bitcoin address");
    }
    scripts.push(s);
  }
  const own = new Set<string>();
  for (const s of scripts) if (wallet.isMine(s)) own.add(toHex(s));
  if (own.size === 0) throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, "Address not found in wallet");
  const minDepth = params[1] === null || params[1] === undefined ? 1 : getInt(params[1]);
  const includeImmatureCoinbase = params[2] === null || params[2] === undefined ? false : getBool(params[2]);
  return getReceived(wallet, own, { minDepth, includeImmatureCoinbase });
}

const MINCONF_ARG = (def: number): RpcArgSpec => ({
  names: "minconf",
  type: "num",
  fallback: { default: def },
  description: "Only include transactions confirmed at least this many times.",
});

const LOCK_EXAMPLE_TX =
  '"[{\\"txid\\":\\"a08e6907dbbd3d809776dbfc5d82e371b764ed838b5655e72f463568df1aadf0\\",\\"vout\\":1}]"';

/** The examples `lockunspent` and `listlockunspent` start with: list, lock, list locked, unlock. */
function lockExamples(): string {
  return "\nList the unspent transactions\n" +
    helpExampleCli("listunspent", "") +
    "\nLock an unspent transaction\n" +
    helpExampleCli("lockunspent", `false ${LOCK_EXAMPLE_TX}`) +
    "\nList the locked transactions\n" +
    helpExampleCli("listlockunspent", "") +
    "\nUnlock the transaction again\n" +
    helpExampleCli("lockunspent", `true ${LOCK_EXAMPLE_TX}`);
}

/** The coin RPC methods. */
export function coinsMethods(c: WalletCoreRpcContext): RpcMethod[] {
  const getreceivedbyaddress: RpcMethod = {
    name: "getreceivedbyaddress",
    category: "wallet",
    description:
      "Returns the total amount received by the given address in transactions with at least minconf confirmations.\n",
    args: [
      { names: "address", type: "str", description: "The bitcoin address for transactions." },
      MINCONF_ARG(1),
      INCLUDE_IMMATURE_COINBASE_ARG,
    ],
    results: [{
      type: "str_amount",
      key: "amount",
      description: `The total amount in ${CURRENCY_UNIT} received at this address.`,
    }],
    examples: "\nThe amount from transactions with at least 1 confirmation\n" +
      helpExampleCli("getreceivedbyaddress", `"${EXAMPLE_ADDRESS[0]}"`) +
      "\nThe amount including unconfirmed transactions, zero confirmations\n" +
      helpExampleCli("getreceivedbyaddress", `"${EXAMPLE_ADDRESS[0]}" 0`) +
      "\nThe amount with at least 6 confirmations\n" +
      helpExampleCli("getreceivedbyaddress", `"${EXAMPLE_ADDRESS[0]}" 6`) +
      "\nThe amount with at least 6 confirmations including immature coinbase outputs\n" +
      helpExampleCli("getreceivedbyaddress", `"${EXAMPLE_ADDRESS[0]}" 6 true`) +
      "\nAs a JSON-RPC call\n" +
      helpExampleRpc("getreceivedbyaddress", `"${EXAMPLE_ADDRESS[0]}", 6`),
    handler: (params, ctx) => withSyncedWallet(c, ctx, (w) => valueFromAmount(received(w, params, false))),
  };

  const getreceivedbylabel: RpcMethod = {
    name: "getreceivedbylabel",
    category: "wallet",
    description:
      "Returns the total amount received by addresses with <label> in transactions with at least [minconf] confirmations.\n",
    args: [
      { names: "label", type: "str", description: 'The selected label, may be the default label using "".' },
      MINCONF_ARG(1),
      INCLUDE_IMMATURE_COINBASE_ARG,
    ],
    results: [{
      type: "str_amount",
      key: "amount",
      description: `The total amount in ${CURRENCY_UNIT} received for this label.`,
    }],
    examples: "\nAmount received by the default label with at least 1 confirmation\n" +
      helpExampleCli("getreceivedbylabel", '""') +
      "\nAmount received at the tabby label including unconfirmed amounts with zero confirmations\n" +
      helpExampleCli("getreceivedbylabel", '"tabby" 0') +
      "\nThe amount with at least 6 confirmations\n" +
      helpExampleCli("getreceivedbylabel", '"tabby" 6') +
      "\nThe amount with at least 6 confirmations including immature coinbase outputs\n" +
      helpExampleCli("getreceivedbylabel", '"tabby" 6 true') +
      "\nAs a JSON-RPC call\n" +
      helpExampleRpc("getreceivedbylabel", '"tabby", 6, true'),
    handler: (params, ctx) => withSyncedWallet(c, ctx, (w) => valueFromAmount(received(w, params, true))),
  };

  const getbalance: RpcMethod = {
    name: "getbalance",
    category: "wallet",
    description: "Returns the total available balance.\n" +
      "The available balance is what the wallet considers currently spendable, and is\n" +
      "thus affected by options which limit spendability such as -spendzeroconfchange.\n",
    args: [
      {
        names: "dummy",
        type: "str",
        fallback: "omitted",
        description: 'Remains for backward compatibility. Must be excluded or set to "*".',
      },
      {
        names: "minconf",
        type: "num",
        fallback: { default: 0 },
        description: "Only include transactions confirmed at least this many times.",
      },
      {
        names: "include_watchonly",
        type: "bool",
        fallback: { default: false },
        description: "No longer used",
      },
      {
        names: "avoid_reuse",
        type: "bool",
        fallback: { default: true },
        description:
          "(only available if avoid_reuse wallet flag is set) Do not include balance in dirty outputs; addresses are considered dirty if they have previously been used in a transaction.",
      },
    ],
    results: [{
      type: "str_amount",
      key: "amount",
      description: `The total amount in ${CURRENCY_UNIT} received for this wallet.`,
    }],
    examples: "\nThe total amount in the wallet with 0 or more confirmations\n" +
      helpExampleCli("getbalance", "") +
      "\nThe total amount in the wallet with at least 6 confirmations\n" +
      helpExampleCli("getbalance", '"*" 6') +
      "\nAs a JSON-RPC call\n" +
      helpExampleRpc("getbalance", '"*", 6'),
    handler: (params, ctx) =>
      withSyncedWallet(c, ctx, (w) => {
        const dummy = params[0];
        if (dummy !== null && dummy !== undefined && getStr(dummy) !== "*") {
          throw new RpcError(
            RpcErrorCode.RPC_METHOD_DEPRECATED,
            'dummy first argument must be excluded or set to "*".',
          );
        }
        const minDepth = getInt(ctx.arg("minconf"));
        const avoidReuse = getAvoidReuseFlag(w, params[3]);
        return valueFromAmount(getBalance(w, { minDepth, avoidReuse }).trusted);
      }),
  };

  const getbalances: RpcMethod = {
    name: "getbalances",
    category: "wallet",
    description: `Returns an object with all balances in ${CURRENCY_UNIT}.\n`,
    args: [],
    results: [{
      type: "obj",
      inner: [
        {
          type: "obj",
          key: "mine",
          description: "balances from outputs that the wallet can sign",
          inner: [
            {
              type: "str_amount",
              key: "trusted",
              description: "trusted balance (outputs created by the wallet or confirmed outputs)",
            },
            {
              type: "str_amount",
              key: "untrusted_pending",
              description: "untrusted pending balance (outputs created by others that are in the mempool)",
            },
            { type: "str_amount", key: "immature", description: "balance from immature coinbase outputs" },
            {
              type: "str_amount",
              key: "nonmempool",
              description:
                "sum of coins that are spent by transactions not in the mempool (usually an over-estimate due to not accounting for change or spends that conflict with each other)",
            },
            {
              type: "str_amount",
              key: "used",
              optional: true,
              description:
                "(only present if avoid_reuse is set) balance from coins sent to addresses that were previously spent from (potentially privacy violating)",
            },
          ],
        },
        RESULT_LAST_PROCESSED_BLOCK,
      ],
    }],
    examples: helpExampleCli("getbalances", "") + helpExampleRpc("getbalances", ""),
    handler: (_params, ctx) =>
      withSyncedWallet(c, ctx, (w) => {
        const bal = getBalance(w, { minDepth: 0, avoidReuse: true, includeNonmempool: true });
        const mine: JsonObject = {
          trusted: valueFromAmount(bal.trusted),
          untrusted_pending: valueFromAmount(bal.untrustedPending),
          immature: valueFromAmount(bal.immature),
          nonmempool: valueFromAmount(bal.nonmempool),
        };
        if (w.hasFlag("avoid_reuse")) mine.used = valueFromAmount(bal.used);
        const ret: JsonObject = { mine };
        appendLastProcessedBlock(w, ret);
        return ret;
      }),
  };

  const listunspent: RpcMethod = {
    name: "listunspent",
    category: "wallet",
    description: "Returns array of unspent transaction outputs\n" +
      "with between minconf and maxconf (inclusive) confirmations.\n" +
      "Optionally filter to only include txouts paid to specified addresses.\n",
    args: [
      {
        names: "minconf",
        type: "num",
        fallback: { default: 1 },
        description: "The minimum confirmations to filter",
      },
      {
        names: "maxconf",
        type: "num",
        fallback: { default: 9999999 },
        description: "The maximum confirmations to filter",
      },
      {
        names: "addresses",
        type: "arr",
        fallback: { default: [] },
        description: "The bitcoin addresses to filter",
        inner: [{ names: "address", type: "str", fallback: "omitted", description: "bitcoin address" }],
      },
      {
        names: "include_unsafe",
        type: "bool",
        fallback: { default: true },
        description: "Include outputs that are not safe to spend\n" +
          'See description of "safe" attribute below.',
      },
      {
        names: "query_options",
        type: "obj_named_params",
        fallback: "omitted",
        description: "",
        onelineDescription: "query_options",
        inner: [
          {
            names: "minimumAmount",
            type: "amount",
            fallback: { default: "0.00" },
            description: `Minimum value of each UTXO in ${CURRENCY_UNIT}`,
          },
          {
            names: "maximumAmount",
            type: "amount",
            fallback: { hint: "unlimited" },
            description: `Maximum value of each UTXO in ${CURRENCY_UNIT}`,
          },
          {
            names: "maximumCount",
            type: "num",
            fallback: { hint: "unlimited" },
            description: "Maximum number of UTXOs",
          },
          {
            names: "minimumSumAmount",
            type: "amount",
            fallback: { hint: "unlimited" },
            description: `Minimum sum value of all UTXOs in ${CURRENCY_UNIT}`,
          },
          {
            names: "include_immature_coinbase",
            type: "bool",
            fallback: { default: false },
            description: "Include immature coinbase UTXOs",
          },
        ],
      },
    ],
    results: [{
      type: "arr",
      inner: [{
        type: "obj",
        inner: [
          { type: "str_hex", key: "txid", description: "the transaction id" },
          { type: "num", key: "vout", description: "the vout value" },
          { type: "str", key: "address", optional: true, description: "the bitcoin address" },
          {
            type: "str",
            key: "label",
            optional: true,
            description: 'The associated label, or "" for the default label',
          },
          { type: "str", key: "scriptPubKey", description: "the output script" },
          {
            type: "str_amount",
            key: "amount",
            description: `the transaction output amount in ${CURRENCY_UNIT}`,
          },
          { type: "num", key: "confirmations", description: "The number of confirmations" },
          {
            type: "num",
            key: "ancestorcount",
            optional: true,
            description:
              "The number of in-mempool ancestor transactions, including this one (if transaction is in the mempool)",
          },
          {
            type: "num",
            key: "ancestorsize",
            optional: true,
            description:
              "The virtual transaction size of in-mempool ancestors, including this one (if transaction is in the mempool)",
          },
          {
            type: "str_amount",
            key: "ancestorfees",
            optional: true,
            description:
              `The total fees of in-mempool ancestors (including this one) with fee deltas used for mining priority in ${CURRENCY_ATOM} (if transaction is in the mempool)`,
          },
          {
            type: "str_hex",
            key: "redeemScript",
            optional: true,
            description: "The redeem script if the output script is P2SH",
          },
          {
            type: "str",
            key: "witnessScript",
            optional: true,
            description: "witness script if the output script is P2WSH or P2SH-P2WSH",
          },
          { type: "bool", key: "spendable", description: "(DEPRECATED) Always true" },
          {
            type: "bool",
            key: "solvable",
            description: "Whether we know how to spend this output, ignoring the lack of keys",
          },
          {
            type: "bool",
            key: "reused",
            optional: true,
            description:
              "(only present if avoid_reuse is set) Whether this output is reused/dirty (sent to an address that was previously spent from)",
          },
          {
            type: "str",
            key: "desc",
            optional: true,
            description: "(only when solvable) A descriptor for spending this output",
          },
          {
            type: "arr",
            key: "parent_descs",
            description: "List of parent descriptors for the output script of this coin.",
            inner: [{ type: "str", key: "desc", description: "The descriptor string." }],
          },
          {
            type: "bool",
            key: "safe",
            description: "Whether this output is considered safe to spend. Unconfirmed transactions\n" +
              "from outside keys and unconfirmed replacement transactions are considered unsafe\n" +
              "and are not eligible for spending by fundrawtransaction and sendtoaddress.",
          },
        ],
      }],
    }],
    examples: helpExampleCli("listunspent", "") +
      helpExampleCli("listunspent", `6 9999999 "[\\"${EXAMPLE_ADDRESS[0]}\\",\\"${EXAMPLE_ADDRESS[1]}\\"]"`) +
      helpExampleRpc(
        "listunspent",
        `6, 9999999 "[\\"${EXAMPLE_ADDRESS[0]}\\",\\"${EXAMPLE_ADDRESS[1]}\\"]"`,
      ) +
      helpExampleCli("listunspent", `6 9999999 '[]' true '{ "minimumAmount": 0.005 }'`) +
      helpExampleRpc("listunspent", `6, 9999999, [] , true, { "minimumAmount": 0.005 } `),
    handler: async (params, ctx) => {
      const wallet = c.walletFor(ctx);
      const minDepth = params[0] === null || params[0] === undefined ? 1 : getInt(params[0]);
      const maxDepth = params[1] === null || params[1] === undefined ? 9999999 : getInt(params[1]);
      const destinations = new Set<string>();
      if (params[2] !== null && params[2] !== undefined) {
        for (const input of getArray(params[2])) {
          const address = getStr(input);
          const script = scriptOfAddress(wallet, address);
          if (script === undefined) {
            throw new RpcError(
              RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY,
              `Invalid Bitcoin address: ${address}`,
            );
          }
          const key = toHex(script);
          if (destinations.has(key)) {
            throw new RpcError(
              RpcErrorCode.RPC_INVALID_PARAMETER,
              `Invalid parameter, duplicated address: ${address}`,
            );
          }
          destinations.add(key);
        }
      }
      const includeUnsafe = params[3] === null || params[3] === undefined ? true : getBool(params[3]);
      let minAmount = 0n;
      let maxAmount: bigint | undefined;
      let minSumAmount: bigint | undefined;
      let maxCount: number | undefined;
      let includeImmatureCoinbase = false;
      if (params[4] !== null && params[4] !== undefined) {
        const options = getObject(params[4]);
        typeCheckObj(
          options,
          {
            minimumAmount: "any",
            maximumAmount: "any",
            minimumSumAmount: "any",
            maximumCount: "number",
            include_immature_coinbase: "bool",
          },
          true,
          true,
        );
        if (Object.hasOwn(options, "minimumAmount")) minAmount = amountFromValue(options.minimumAmount);
        if (Object.hasOwn(options, "maximumAmount")) maxAmount = amountFromValue(options.maximumAmount);
        if (Object.hasOwn(options, "minimumSumAmount")) {
          minSumAmount = amountFromValue(options.minimumSumAmount);
        }
        if (Object.hasOwn(options, "maximumCount")) {
          maxCount = getInt(options.maximumCount, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
        }
        if (Object.hasOwn(options, "include_immature_coinbase")) {
          includeImmatureCoinbase = getBool(options.include_immature_coinbase);
        }
      }
      await wallet.blockUntilSyncedToCurrentChain?.();
      return await wallet.withLock(async () => {
        const coins = await availableCoins(wallet, {
          control: { avoidAddressReuse: false, minDepth, maxDepth, includeUnsafe },
          filter: {
            minAmount,
            maxAmount,
            minSumAmount,
            maxCount,
            includeImmatureCoinbase,
            checkVersionTrucness: false,
          },
          cache: new ReceiveCache(),
        });
        const avoidReuse = wallet.hasFlag("avoid_reuse");
        const results: JsonObject[] = [];
        const ancestry = new Map<string, Awaited<ReturnType<typeof wallet.chain.getTransactionAncestry>>>();
        for (const coin of coins.all()) {
          const script = coin.txout.scriptPubKey;
          const txid = reverseHex(coin.outpoint.txid);
          const entry: JsonObject = { txid, vout: coin.outpoint.vout };
          const scriptHex = toHex(script);
          if (destinations.size > 0 && !destinations.has(scriptHex)) continue;
          const address = scriptAddress(wallet.network, script, scriptHex);
          const info = wallet.scriptInfo(script);
          if (address !== undefined) {
            entry.address = address;
            const book = findAddressBookEntry(wallet, address);
            if (book !== undefined) entry.label = book.label ?? "";
            if (info !== undefined) pushSolvingScripts(entry, script, info.scripts);
          }
          entry.scriptPubKey = scriptHex;
          entry.amount = valueFromAmount(coin.value);
          entry.confirmations = coin.depth;
          if (coin.depth === 0) {
            let anc = ancestry.get(txid);
            if (anc === undefined) {
              anc = await wallet.chain.getTransactionAncestry(txid);
              ancestry.set(txid, anc);
            }
            if (anc.ancestors > 0) {
              entry.ancestorcount = anc.ancestors;
              entry.ancestorsize = anc.ancestorSize;
              entry.ancestorfees = Number(anc.ancestorFees);
            }
          }
          entry.spendable = true;
          entry.solvable = coin.solvable;
          if (coin.solvable && info?.desc !== undefined) entry.desc = info.desc;
          pushParentDescriptors(wallet, script, entry, info);
          if (avoidReuse) entry.reused = wallet.isSpentKey(script);
          entry.safe = coin.safe;
          results.push(entry);
        }
        return results;
      });
    },
  };

  const lockunspent: RpcMethod = {
    name: "lockunspent",
    category: "wallet",
    description: "Updates list of temporarily unspendable outputs.\n" +
      "Temporarily lock (unlock=false) or unlock (unlock=true) specified transaction outputs.\n" +
      "If no transaction outputs are specified when unlocking then all current locked transaction outputs are unlocked.\n" +
      "A locked transaction output will not be chosen by automatic coin selection, when spending bitcoins.\n" +
      "Manually selected coins are automatically unlocked.\n" +
      "Locks are stored in memory only, unless persistent=true, in which case they will be written to the\n" +
      "wallet database and loaded on node start. Unwritten (persistent=false) locks are always cleared\n" +
      "(by virtue of process exit) when a node stops or fails. Unlocking will clear both persistent and not.\n" +
      "Also see the listunspent call\n",
    args: [
      {
        names: "unlock",
        type: "bool",
        description: "Whether to unlock (true) or lock (false) the specified transactions",
      },
      {
        names: "transactions",
        type: "arr",
        fallback: { default: [] },
        description: "The transaction outputs and within each, the txid (string) vout (numeric).",
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
        names: "persistent",
        type: "bool",
        fallback: { default: false },
        description:
          "Whether to write/erase this lock in the wallet database, or keep the change in memory only. Ignored for unlocking.",
      },
    ],
    results: [{ type: "bool", description: "Whether the command was successful or not" }],
    examples: lockExamples() +
      "\nLock the transaction persistently in the wallet database\n" +
      helpExampleCli("lockunspent", `false ${LOCK_EXAMPLE_TX} true`) +
      "\nAs a JSON-RPC call\n" +
      helpExampleRpc("lockunspent", `false, ${LOCK_EXAMPLE_TX}`),
    handler: (params, ctx) =>
      withSyncedWallet(c, ctx, async (w) => {
        const unlock = getBool(params[0]);
        const persistent = params[2] === null || params[2] === undefined ? false : getBool(params[2]);
        if (params[1] === null || params[1] === undefined) {
          if (unlock) await w.unlockAllCoins();
          return true;
        }
        const outputs = [];
        for (const item of getArray(params[1])) {
          const o = getObject(item);
          typeCheckObj(o, { txid: "string", vout: "number" }, false, false);
          const txid = parseHashV(o.txid, "txid");
          const vout = getInt(o.vout);
          if (vout < 0) {
            throw new RpcError(
              RpcErrorCode.RPC_INVALID_PARAMETER,
              "Invalid parameter, vout cannot be negative",
            );
          }
          const outpoint = { txid, vout };
          const wtx = w.getTx(reverseHex(txid));
          if (wtx === undefined) {
            throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Invalid parameter, unknown transaction");
          }
          if (vout >= wtx.tx.outputs.length) {
            throw new RpcError(
              RpcErrorCode.RPC_INVALID_PARAMETER,
              "Invalid parameter, vout index out of bounds",
            );
          }
          if (w.isSpent(outpoint)) {
            throw new RpcError(
              RpcErrorCode.RPC_INVALID_PARAMETER,
              "Invalid parameter, expected unspent output",
            );
          }
          const locked = w.isLockedCoin(outpoint);
          if (unlock && !locked) {
            throw new RpcError(
              RpcErrorCode.RPC_INVALID_PARAMETER,
              "Invalid parameter, expected locked output",
            );
          }
          if (!unlock && locked && !persistent) {
            throw new RpcError(
              RpcErrorCode.RPC_INVALID_PARAMETER,
              "Invalid parameter, output already locked",
            );
          }
          outputs.push(outpoint);
        }
        for (const outpoint of outputs) {
          if (unlock) {
            if (!(await w.unlockCoin(outpoint))) {
              throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, "Unlocking coin failed");
            }
          } else {
            await w.lockCoin(outpoint, persistent);
          }
        }
        return true;
      }),
  };

  const listlockunspent: RpcMethod = {
    name: "listlockunspent",
    category: "wallet",
    description: "Returns list of temporarily unspendable outputs.\n" +
      "See the lockunspent call to lock and unlock transactions for spending.\n",
    args: [],
    results: [{
      type: "arr",
      inner: [{
        type: "obj",
        inner: [
          { type: "str_hex", key: "txid", description: "The transaction id locked" },
          { type: "num", key: "vout", description: "The vout value" },
        ],
      }],
    }],
    examples: lockExamples() +
      "\nAs a JSON-RPC call\n" +
      helpExampleRpc("listlockunspent", ""),
    handler: (_params, ctx) =>
      withSyncedWallet(
        c,
        ctx,
        (w) => w.lockedCoins().map((o) => ({ txid: reverseHex(o.txid), vout: o.vout })),
        false,
      ),
  };

  return [
    getbalance,
    getbalances,
    getreceivedbyaddress,
    getreceivedbylabel,
    listunspent,
    lockunspent,
    listlockunspent,
  ];
}

/** listunspent's `redeemScript` / `witnessScript` from what the solving provider knows. */
function pushSolvingScripts(
  entry: JsonObject,
  script: Uint8Array,
  scripts: ReadonlyMap<string, Uint8Array>,
): void {
  const sol = solver(script);
  if (sol.type === "scripthash") {
    const redeem = scripts.get(toHex(sol.hash));
    if (redeem === undefined) return;
    entry.redeemScript = toHex(redeem);
    const inner = solver(redeem);
    if (inner.type === "witness_v0_scripthash") {
      const ws = scripts.get(toHex(ripemd160(inner.hash)));
      if (ws !== undefined) entry.witnessScript = toHex(ws);
    }
  } else if (sol.type === "witness_v0_scripthash") {
    const ws = scripts.get(toHex(ripemd160(sol.hash)));
    if (ws !== undefined) entry.witnessScript = toHex(ws);
  }
}
