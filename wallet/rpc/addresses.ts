/**
 * Address and descriptor RPCs (Core's `wallet/rpc/addresses.cpp`, `backup.cpp` and `transactions.cpp` parts):
 * getnewaddress, getrawchangeaddress, importdescriptors, listdescriptors, rescanblockchain, abortrescan.
 *
 * @module
 */
import { type Descriptor, DescriptorError, parseDescriptors } from "../../core/descriptors/mod.ts";
import { RpcError, RpcErrorCode, toRpcError } from "../../rpc/errors.ts";
import { helpExampleCli, helpExampleRpc } from "../../rpc/help.ts";
import { type JsonObject, type JsonValue, typeName } from "../../rpc/json.ts";
import { parseDescriptorRange } from "../../rpc/methods/descriptors.ts";
import type { RpcMethod } from "../../rpc/table.ts";
import { getArray, getBool, getInt, getObject, getStr } from "../../rpc/values.ts";
import { ALL_OUTPUT_TYPES_TEXT } from "../context.ts";
import { DescriptorScriptPubKeyMan } from "../scriptpubkeyman.ts";
import type { Wallet } from "../wallet.ts";
import {
  ensureWalletIsUnlocked,
  labelFromValue,
  outputTypeFromValue,
  type WalletRpcContext,
} from "./wallet_util.ts";

/** Core's `TIMESTAMP_WINDOW`: blocks up to two hours before a key's birth are scanned. */
const TIMESTAMP_WINDOW = 7200;

const RESCANNING = "Wallet is currently rescanning. Abort existing rescan or wait.";

/** Core's `GetImportTimestamp`. */
function importTimestamp(data: JsonObject, now: number): number {
  if ("timestamp" in data) {
    const t = data.timestamp;
    if (typeName(t) === "number") return getInt(t, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    if (t === "now") return now;
    throw new RpcError(
      RpcErrorCode.RPC_TYPE_ERROR,
      `Expected number or "now" timestamp value for key. got type ${typeName(t)}`,
    );
  }
  throw new RpcError(RpcErrorCode.RPC_TYPE_ERROR, "Missing required timestamp field for key");
}

/** Core's `ProcessDescriptorImport`: one request's result object. */
async function processDescriptorImport(
  wallet: Wallet,
  data: JsonObject,
  timestamp: number,
): Promise<JsonObject> {
  const warnings: string[] = [];
  const result: JsonObject = {};
  try {
    if (!("desc" in data)) throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Descriptor not found.");
    const text = getStr(data.desc);
    const active = "active" in data ? getBool(data.active) : false;
    const label = labelFromValue(data.label);
    let parsed: Descriptor[];
    try {
      parsed = parseDescriptors(text, { network: wallet.network, requireChecksum: true });
    } catch (e) {
      if (e instanceof DescriptorError) {
        throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, e.message);
      }
      throw e;
    }
    let internal: boolean | undefined;
    if ("internal" in data) {
      if (parsed.length > 1) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY,
          "Cannot have multipath descriptor while also specifying 'internal'",
        );
      }
      internal = getBool(data.internal);
    }
    let rangeStart = 0;
    let rangeEnd = 1;
    let nextIndex = 0;
    const ranged = parsed[0].isRange();
    if (!ranged && "range" in data) {
      throw new RpcError(
        RpcErrorCode.RPC_INVALID_PARAMETER,
        "Range should not be specified for an un-ranged descriptor",
      );
    } else if (ranged) {
      if ("range" in data) {
        const [a, b] = parseDescriptorRange(data.range as JsonValue);
        rangeStart = a;
        rangeEnd = b + 1;
      } else {
        warnings.push("Range not given, using default keypool range");
        rangeStart = 0;
        rangeEnd = wallet.keypoolSize;
      }
      nextIndex = rangeStart;
      if ("next_index" in data) {
        nextIndex = getInt(data.next_index, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
        if (nextIndex < rangeStart || nextIndex >= rangeEnd) {
          throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "next_index is out of range");
        }
      }
    }
    if (active && !ranged) {
      throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Active descriptors must be ranged");
    }
    if (parsed.length > 1 && "label" in data) {
      throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Multipath descriptors should not have a label");
    }
    if (ranged && "label" in data) {
      throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Ranged descriptors should not have a label");
    }
    let descInternal = internal === true;
    if (descInternal && "label" in data) {
      throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Internal addresses should not have a label");
    }
    if (active && !parsed[0].isSingleType()) {
      throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, "Combo descriptors cannot be set to active");
    }
    const hasKeys = parsed[0].hasPrivateKeys();
    if (wallet.hasFlag("disable_private_keys") && hasKeys) {
      throw new RpcError(
        RpcErrorCode.RPC_WALLET_ERROR,
        "Cannot import private keys to a wallet with private keys disabled",
      );
    }
    for (let j = 0; j < parsed.length; j++) {
      const desc = parsed[j];
      if (parsed.length === 2) descInternal = j === 1;
      try {
        desc.expand(0);
      } catch {
        throw new RpcError(
          RpcErrorCode.RPC_WALLET_ERROR,
          "Cannot expand descriptor. Probably because of hardened derivations without private keys provided",
        );
      }
      if (!wallet.hasFlag("disable_private_keys")) {
        if (!hasKeys) {
          throw new RpcError(
            RpcErrorCode.RPC_WALLET_ERROR,
            "Cannot import descriptor without private keys to a wallet with private keys enabled",
          );
        }
        if (!desc.hasAllPrivateKeys()) {
          warnings.push(
            "Not all private keys provided. Some wallet functionality may return unexpected errors",
          );
        }
      }
      if (!desc.hasScripts() && wallet.hasFlag("disable_private_keys")) {
        throw new RpcError(
          RpcErrorCode.RPC_WALLET_ERROR,
          "Cannot import unused() to wallet without private keys enabled",
        );
      }
      const spkm = DescriptorScriptPubKeyMan.fromDescriptor(desc, {
        timestamp,
        range: [rangeStart, rangeEnd - 1],
        nextIndex,
      });
      try {
        warnings.push(
          ...await wallet.addWalletDescriptor(spkm, {
            label: "label" in data ? label : null,
            internal: descInternal,
            active,
          }),
        );
      } catch (e) {
        if (e instanceof RpcError) throw e;
        throw new RpcError(
          RpcErrorCode.RPC_WALLET_ERROR,
          `Could not add descriptor '${text}': ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
    result.success = true;
  } catch (e) {
    const err = toRpcError(e);
    result.success = false;
    result.error = { code: err.code, message: err.message };
  }
  if (warnings.length > 0) result.warnings = warnings;
  return result;
}

/** getnewaddress and getrawchangeaddress. */
export function addressMethods(ctx: WalletRpcContext): RpcMethod[] {
  return [{
    name: "getnewaddress",
    category: "wallet",
    description: "Returns a new Bitcoin address for receiving payments.\n" +
      "If 'label' is specified, it is added to the address book \n" +
      "so payments received with the address will be associated with 'label'.\n",
    args: [
      {
        names: "label",
        type: "str",
        fallback: { default: "" },
        description:
          'The label name for the address to be linked to. It can also be set to the empty string "" to represent the default label. The label does not need to exist, it will be created if there is no label by the given name.',
      },
      {
        names: "address_type",
        type: "str",
        fallback: { hint: "set by -addresstype" },
        description: `The address type to use. Options are ${ALL_OUTPUT_TYPES_TEXT}.`,
      },
    ],
    results: [{ type: "str", key: "address", description: "The new bitcoin address" }],
    examples: helpExampleCli("getnewaddress", "") + helpExampleRpc("getnewaddress", ""),
    handler: (params, call) => {
      const w = ctx.walletFor(call);
      return w.withLock(() => {
        if (!w.canGetAddresses()) {
          throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, "Error: This wallet has no available keys");
        }
        const label = labelFromValue(params[0]);
        const type = params[1] === undefined || params[1] === null
          ? w.defaultAddressType()
          : outputTypeFromValue(params[1]);
        return w.getNewAddress(type, label);
      });
    },
  }, {
    name: "getrawchangeaddress",
    category: "wallet",
    description: "Returns a new Bitcoin address, for receiving change.\n" +
      "This is for use with raw transactions, NOT normal use.\n",
    args: [{
      names: "address_type",
      type: "str",
      fallback: { hint: "set by -changetype" },
      description: `The address type to use. Options are ${ALL_OUTPUT_TYPES_TEXT}.`,
    }],
    results: [{ type: "str", key: "address", description: "The address" }],
    examples: helpExampleCli("getrawchangeaddress", "") + helpExampleRpc("getrawchangeaddress", ""),
    handler: (params, call) => {
      const w = ctx.walletFor(call);
      return w.withLock(() => {
        if (!w.canGetAddresses(true)) {
          throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, "Error: This wallet has no available keys");
        }
        const type = params[0] === undefined || params[0] === null
          ? w.defaultChangeType() ?? w.defaultAddressType()
          : outputTypeFromValue(params[0]);
        return w.getNewChangeAddress(type);
      });
    },
  }, {
    name: "importdescriptors",
    category: "wallet",
    description:
      "Import descriptors. This will trigger a rescan of the blockchain based on the earliest timestamp of all descriptors being imported. Requires a new wallet backup.\n" +
      "When importing descriptors with multipath key expressions, if the multipath specifier contains exactly two elements, the descriptor produced from the second element will be imported as an internal descriptor.\n" +
      "\nNote: This call can take over an hour to complete if using an early timestamp; during that time, other rpc calls\n" +
      "may report that the imported keys, addresses or scripts exist but related transactions are still missing.\n" +
      'The rescan is significantly faster if block filters are available (using startup option "-blockfilterindex=1").\n',
    args: [{
      names: "requests",
      type: "arr",
      description: "Data to be imported",
      onelineDescription: "requests",
      inner: [{
        names: "",
        type: "obj",
        fallback: "omitted",
        description: "",
        inner: [
          { names: "desc", type: "str", description: "Descriptor to import." },
          {
            names: "active",
            type: "bool",
            fallback: { default: false },
            description:
              "Set this descriptor to be the active descriptor for the corresponding output type/externality",
          },
          {
            names: "range",
            type: "range",
            fallback: "omitted",
            description:
              "If a ranged descriptor is used, this specifies the end or the range (in the form [begin,end]) to import",
          },
          {
            names: "next_index",
            type: "num",
            fallback: "omitted",
            description:
              "If a ranged descriptor is set to active, this specifies the next index to generate addresses from",
          },
          {
            names: "timestamp",
            type: "num",
            description:
              "Time from which to start rescanning the blockchain for this descriptor, in UNIX epoch time\n" +
              'Use the string "now" to substitute the current synced blockchain time.\n' +
              '"now" can be specified to bypass scanning, for outputs which are known to never have been used, and\n' +
              "0 can be specified to scan the entire blockchain. Blocks up to 2 hours before the earliest timestamp\n" +
              "of all descriptors being imported will be scanned as well as the mempool.",
            typeStr: ['timestamp | "now"', "integer / string"],
          },
          {
            names: "internal",
            type: "bool",
            fallback: { default: false },
            description: "Whether matching outputs should be treated as not incoming payments (e.g. change)",
          },
          {
            names: "label",
            type: "str",
            fallback: { default: "" },
            description:
              "Label to assign to the address, only allowed with internal=false. Disabled for ranged descriptors",
          },
        ],
      }],
    }],
    results: [{
      type: "arr",
      description: "Response is an array with the same size as the input that has the execution result",
      inner: [{
        type: "obj",
        inner: [
          { type: "bool", key: "success", description: "" },
          {
            type: "arr",
            key: "warnings",
            optional: true,
            description: "",
            inner: [{ type: "str", description: "" }],
          },
          {
            type: "obj",
            key: "error",
            optional: true,
            description: "",
            inner: [
              { type: "num", key: "code", description: "JSONRPC error code" },
              { type: "str", key: "message", description: "JSONRPC error message" },
            ],
          },
        ],
      }],
    }],
    examples: helpExampleCli(
      "importdescriptors",
      `'[{ "desc": "<my descriptor>", "timestamp":1455191478, "internal": true }, ` +
        `{ "desc": "<my descriptor 2>", "label": "example 2", "timestamp": 1455191480 }]'`,
    ) +
      helpExampleCli(
        "importdescriptors",
        `'[{ "desc": "<my descriptor>", "timestamp":1455191478, "active": true, "range": [0,100], "label": "<my bech32 wallet>" }]'`,
      ),
    handler: async (params, call) => {
      const w = ctx.walletFor(call);
      if (w.scanningState() !== null) throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, RESCANNING);
      await w.blockUntilSyncedToCurrentChain();
      const requests = getArray(params[0]);
      ensureWalletIsUnlocked(w);
      const last = w.lastBlock();
      const found = await w.chain.findBlock(last.hash, { time: true, mtpTime: true });
      const now = found?.mtpTime ?? 0;
      let lowest = found?.time ?? 0;
      let rescan = false;
      const response: JsonObject[] = [];
      const times: number[] = [];
      for (const request of requests) {
        const data = getObject(request);
        const timestamp = Math.max(importTimestamp(data, now), 1);
        times.push(timestamp);
        const result = await processDescriptorImport(w, data, timestamp);
        response.push(result);
        if (lowest > timestamp) lowest = timestamp;
        if (result.success === true) rescan = true;
      }
      if (rescan) {
        const scan = await w.rescanFromTime(lowest);
        if (scan.status === "user_abort") {
          throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "Rescan aborted by user.");
        }
        if (scan.status === "failure" && scan.lastFailed !== null) {
          const failed = await w.chain.findBlock(scan.lastFailed.hash, { maxTime: true });
          const scannedTime = (failed?.maxTime ?? 0) + TIMESTAMP_WINDOW + 1;
          for (let i = 0; i < response.length; i++) {
            if (scannedTime <= times[i] || "error" in response[i]) continue;
            response[i] = {
              success: false,
              error: {
                code: RpcErrorCode.RPC_MISC_ERROR,
                message:
                  `Rescan failed for descriptor with timestamp ${times[i]}. There was an error reading a ` +
                  `block from time ${scannedTime - TIMESTAMP_WINDOW - 1}, which is after or within ` +
                  `${TIMESTAMP_WINDOW} seconds of key creation, and could contain transactions pertaining to the ` +
                  "desc. As a result, transactions and coins using this desc may not appear in the wallet. This " +
                  "error could potentially caused by data corruption. If the issue persists you may want to " +
                  "reindex (see -reindex option).",
              },
            };
          }
        }
      }
      return response;
    },
  }, {
    name: "listdescriptors",
    category: "wallet",
    description: "List all descriptors present in a wallet.\n",
    args: [{
      names: "private",
      type: "bool",
      fallback: { default: false },
      description: "Show private descriptors.",
    }],
    results: [{
      type: "obj",
      inner: [
        { type: "str", key: "wallet_name", description: "Name of wallet this operation was performed on" },
        {
          type: "arr",
          key: "descriptors",
          description: "Array of descriptor objects (sorted by descriptor string representation)",
          inner: [{
            type: "obj",
            inner: [
              { type: "str", key: "desc", description: "Descriptor string representation" },
              { type: "num", key: "timestamp", description: "The creation time of the descriptor" },
              {
                type: "bool",
                key: "active",
                description: "Whether this descriptor is currently used to generate new addresses",
              },
              {
                type: "bool",
                key: "internal",
                optional: true,
                description:
                  "True if this descriptor is used to generate change addresses. False if this descriptor is used to generate receiving addresses; defined only for active descriptors",
              },
              {
                type: "arr_fixed",
                key: "range",
                optional: true,
                description: "Defined only for ranged descriptors",
                inner: [
                  { type: "num", description: "Range start inclusive" },
                  { type: "num", description: "Range end inclusive" },
                ],
              },
              {
                type: "num",
                key: "next",
                optional: true,
                description: "Same as next_index field. Kept for compatibility reason.",
              },
              {
                type: "num",
                key: "next_index",
                optional: true,
                description: "The next index to generate addresses from; defined only for ranged descriptors",
              },
            ],
          }],
        },
      ],
    }],
    examples: helpExampleCli("listdescriptors", "") + helpExampleRpc("listdescriptors", "") +
      helpExampleCli("listdescriptors", "true") + helpExampleRpc("listdescriptors", "true"),
    handler: async (params, call) => {
      const w = ctx.walletFor(call);
      const priv = params[0] !== undefined && params[0] !== null && getBool(params[0]);
      if (w.hasFlag("disable_private_keys") && priv) {
        throw new RpcError(
          RpcErrorCode.RPC_WALLET_ERROR,
          "Can't get private descriptor string for watch-only wallets",
        );
      }
      if (priv) ensureWalletIsUnlocked(w);
      if (w.scanningState() === null) await w.keypoolReady();
      return await w.withLock(() => {
        const list = w.descriptors().map((spkm) => {
          let desc: string;
          if (priv) {
            const d = spkm.privateDescriptor();
            if (d === undefined) {
              throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, "Can't get descriptor string.");
            }
            desc = d.toString({ private: true });
          } else desc = spkm.record.desc;
          return { spkm, desc };
        });
        list.sort((a, b) => a.desc < b.desc ? -1 : a.desc > b.desc ? 1 : 0);
        return {
          wallet_name: w.name,
          descriptors: list.map(({ spkm, desc }) => {
            const role = w.activeRole(spkm);
            const entry: JsonObject = { desc, timestamp: spkm.record.timestamp, active: role.active };
            if (role.active) entry.internal = role.internal;
            if (spkm.isRange()) {
              entry.range = [spkm.record.rangeStart, spkm.record.rangeEnd - 1];
              entry.next = spkm.record.nextIndex;
              entry.next_index = spkm.record.nextIndex;
            }
            return entry;
          }),
        };
      });
    },
  }, {
    name: "rescanblockchain",
    category: "wallet",
    description: "Rescan the local blockchain for wallet related transactions.\n" +
      'Note: Use "getwalletinfo" to query the scanning progress.\n' +
      "The rescan is significantly faster if block filters are available\n" +
      '(using startup option "-blockfilterindex=1").\n',
    args: [
      {
        names: "start_height",
        type: "num",
        fallback: { default: 0 },
        description: "block height where the rescan should start",
      },
      {
        names: "stop_height",
        type: "num",
        fallback: "omitted",
        description:
          "the last block height that should be scanned. If none is provided it will rescan up to the tip at return time of this call.",
      },
    ],
    results: [{
      type: "obj",
      inner: [
        {
          type: "num",
          key: "start_height",
          description: "The block height where the rescan started (the requested height or 0)",
        },
        {
          type: "num",
          key: "stop_height",
          description:
            "The height of the last rescanned block. May be null in rare cases if there was a reorg and the call didn't scan any blocks because they were already scanned in the background.",
        },
      ],
    }],
    examples: helpExampleCli("rescanblockchain", "100000 120000") +
      helpExampleRpc("rescanblockchain", "100000, 120000"),
    handler: async (params, call) => {
      const w = ctx.walletFor(call);
      await w.blockUntilSyncedToCurrentChain();
      if (w.scanningState() !== null) throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, RESCANNING);
      ensureWalletIsUnlocked(w);
      const tip = w.lastBlock().height;
      let start = 0;
      let stop: number | undefined;
      if (params[0] !== undefined && params[0] !== null) {
        start = getInt(params[0]);
        if (start < 0 || start > tip) {
          throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Invalid start_height");
        }
      }
      if (params[1] !== undefined && params[1] !== null) {
        stop = getInt(params[1]);
        if (stop < 0 || stop > tip) {
          throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Invalid stop_height");
        }
        if (stop < start) {
          throw new RpcError(
            RpcErrorCode.RPC_INVALID_PARAMETER,
            "stop_height must be greater than start_height",
          );
        }
      }
      if (!await w.chain.hasBlocks(w.lastBlock().hash, start, stop ?? null)) {
        throw new RpcError(
          RpcErrorCode.RPC_MISC_ERROR,
          await w.chain.havePruned()
            ? "Can't rescan beyond pruned data. Use RPC call getblockchaininfo to determine your pruned height."
            : "Failed to rescan unavailable blocks, potentially caused by data corruption. If the issue persists you may want to reindex (see -reindex option).",
        );
      }
      const r = await w.rescan(start, stop);
      if (r.status === "failure") {
        throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "Rescan failed. Potentially corrupted data files.");
      }
      if (r.status === "user_abort") throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "Rescan aborted.");
      return { start_height: start, stop_height: r.lastScanned?.height ?? null };
    },
  }, {
    name: "abortrescan",
    category: "wallet",
    description: "Stops current wallet rescan triggered by an RPC call, e.g. by a rescanblockchain call.\n" +
      'Note: Use "getwalletinfo" to query the scanning progress.\n',
    args: [],
    results: [{ type: "bool", description: "Whether the abort was successful" }],
    examples: "\nImport a private key\n" + helpExampleCli("rescanblockchain", "") +
      "\nAbort the running wallet rescan\n" + helpExampleCli("abortrescan", "") +
      "\nAs a JSON-RPC call\n" + helpExampleRpc("abortrescan", ""),
    handler: (_params, call) => ctx.walletFor(call).abortRescan(),
  }];
}
