/**
 * Finding confirmed transactions (Core's `getrawtransaction` in `src/rpc/rawtransaction.cpp`, `gettxoutproof` and
 * `verifytxoutproof` in `src/rpc/txoutproof.cpp`, `GetTransaction` in `src/node/transaction.cpp`): the mempool
 * first, then the transaction index (`-txindex`), then a given block.
 *
 * @module
 */
import type { Network } from "../../core/chain_params_base.ts";
import { bytesEqual, reverseHex, toHex } from "../../core/hash/hashes.ts";
import { buildMerkleBlock, encodeMerkleBlock, extractMatches, readMerkleBlock } from "../../core/hash/mod.ts";
import { ByteReader } from "../../core/wire/reader.ts";
import { blockHash } from "../../core/wire/block.ts";
import { isCoinBase, txid as txidOf } from "../../core/wire/transaction.ts";
import type { Block, Transaction } from "../../core/wire/types.ts";
import type { ChainstateImpl } from "../../node/chain/chainstate.ts";
import type { BlockIndexEntry } from "../../node/chain/types.ts";
import type { TxIndex } from "../../node/index/tx_index.ts";
import { RpcError, RpcErrorCode } from "../errors.ts";
import { helpExampleCli, helpExampleRpc, type RpcResultSpec } from "../help.ts";
import type { JsonValue } from "../json.ts";
import type { RpcMethod } from "../table.ts";
import { encodeHexTx, txDoc, type TxJson, txToUniv } from "../tx_json.ts";
import { getArray, getInt, getStr } from "../values.ts";
import { spentCoin } from "./blockchain_json.ts";
import { parseHashV, parseHexV } from "./rawtransaction.ts";

/** What the lookup methods need from the node. */
export interface RawTransactionLookupOptions {
  /** The active chainstate. */
  chain: () => ChainstateImpl;
  /** The node's network (addresses in decoded transactions). */
  network: () => Network;
  /** The transaction index when `-txindex` is on (null or absent: off). */
  txIndex?: () => TxIndex | null;
  /** A mempool transaction by txid (display hex), or null (absent: no mempool). Checked first (Core's order). */
  mempoolTransaction?: (txid: string) => Transaction | null;
}

/** Core's `MAX_BLOCK_WEIGHT / MIN_TRANSACTION_OUTPUT_WEIGHT`: the outputs `AccessByTxid` tries. */
export const MAX_OUTPUTS_PER_BLOCK = Math.floor(4_000_000 / (4 * 9));
/** Outputs tried one by one before the UTXO set is scanned for a txid (most transactions have fewer). */
const QUICK_VOUTS = 16;

/** Core's `ParseVerbosity` (booleans allowed: false = 0, true = 1). */
function parseVerbosity(value: JsonValue | undefined, defaultVerbosity: number): number {
  if (value === undefined || value === null) return defaultVerbosity;
  if (typeof value === "boolean") return value ? 1 : 0;
  return getInt(value);
}

/** A transaction found by {@link getTransaction} and the hash of its block (undefined: from the mempool). */
interface FoundTransaction {
  readonly tx: Transaction;
  readonly blockHash: Uint8Array | undefined;
}

/** Core's `GetTransaction`: mempool (without a block), then the transaction index, then the given block. */
async function getTransaction(
  options: RawTransactionLookupOptions,
  chain: ChainstateImpl,
  entry: BlockIndexEntry | null,
  id: Uint8Array,
  useMempool: boolean,
): Promise<FoundTransaction | null> {
  if (useMempool && entry === null && options.mempoolTransaction !== undefined) {
    const tx = options.mempoolTransaction(reverseHex(id));
    if (tx !== null) return { tx, blockHash: undefined };
  }
  const index = options.txIndex?.() ?? null;
  if (index !== null) {
    const found = await index.findTx(id);
    // A transaction found in another block than the one asked for is looked up in that block below.
    if (found !== null && (entry === null || found.block.hashHex === entry.hashHex)) {
      return { tx: found.tx, blockHash: found.block.hash };
    }
  }
  if (entry !== null && entry.haveData) {
    let block: Block;
    try {
      block = await chain.readBlock(entry);
    } catch {
      return null;
    }
    for (const tx of block.txs) {
      if (bytesEqual(txidOf(tx), id)) return { tx, blockHash: entry.hash };
    }
  }
  return null;
}

/** Core's `TxToJSON`: the decoded transaction with `hex`, then the block fields when it is in a block. */
function txToJson(
  chain: ChainstateImpl,
  network: Network,
  found: FoundTransaction,
  result: Record<string, unknown>,
  undo?: Parameters<typeof txToUniv>[1]["undo"],
): Record<string, unknown> {
  const json: TxJson = txToUniv(found.tx, {
    network,
    includeHex: true,
    undo,
    verbosity: undo !== undefined ? "details_and_prevout" : "details",
  });
  Object.assign(result, json);
  if (found.blockHash !== undefined) {
    result.blockhash = reverseHex(found.blockHash);
    const entry = chain.lookup(found.blockHash);
    if (entry !== undefined) {
      if (chain.contains(entry)) {
        result.confirmations = 1 + chain.height() - entry.height;
        result.time = entry.header.time;
        result.blocktime = entry.header.time;
      } else {
        result.confirmations = 0;
      }
    }
  }
  return result;
}

/**
 * Core's `AccessByTxid` for `gettxoutproof`: the height of an unspent output of `id`, or null. The first outputs
 * are tried directly; beyond them the flushed UTXO set is scanned for the txid (tsbtc's coins database has no
 * prefix lookup in its API), which Core's loop over every possible output index amounts to.
 */
async function heightOfUnspentOutput(chain: ChainstateImpl, id: Uint8Array): Promise<number | null> {
  for (let vout = 0; vout < QUICK_VOUTS; vout++) {
    const coin = await chain.getCoin({ txid: id, vout });
    if (coin !== null) return coin.height;
  }
  await chain.flush();
  for await (const { outpoint, coin } of chain.storage.coinsDb.entries()) {
    if (
      outpoint.vout >= QUICK_VOUTS && outpoint.vout < MAX_OUTPUTS_PER_BLOCK && bytesEqual(outpoint.txid, id)
    ) {
      return coin.height;
    }
  }
  return null;
}

const VERBOSITY_1_BLOCK: RpcResultSpec[] = [
  {
    type: "bool",
    key: "in_active_chain",
    optional: true,
    description:
      'Whether specified block is in the active chain or not (only present with explicit "blockhash" argument)',
  },
  { type: "str_hex", key: "blockhash", optional: true, description: "the block hash" },
  { type: "num", key: "confirmations", optional: true, description: "The confirmations" },
  {
    type: "num_time",
    key: "blocktime",
    optional: true,
    description: "The block time expressed in UNIX epoch time",
  },
  { type: "num", key: "time", optional: true, description: 'Same as "blocktime"' },
  { type: "str_hex", key: "hex", description: "The serialized, hex-encoded data for 'txid'" },
];

/** `getrawtransaction`, `gettxoutproof` and `verifytxoutproof`, ready for `RpcTable.registerAll`. */
export function rawTransactionLookupMethods(options: RawTransactionLookupOptions): RpcMethod[] {
  const getrawtransaction: RpcMethod = {
    name: "getrawtransaction",
    category: "rawtransactions",
    description:
      "By default, this call only returns a transaction if it is in the mempool. If -txindex is enabled\n" +
      "and no blockhash argument is passed, it will return the transaction if it is in the mempool or any block.\n" +
      "If a blockhash argument is passed, it will return the transaction if\n" +
      "the specified block is available and the transaction is in that block.\n\n" +
      "Hint: Use gettransaction for wallet transactions.\n\n" +
      "If verbosity is 0 or omitted, returns the serialized transaction as a hex-encoded string.\n" +
      "If verbosity is 1, returns a JSON Object with information about the transaction.\n" +
      "If verbosity is 2, returns a JSON Object with information about the transaction, including fee and prevout information.",
    args: [
      { names: "txid", type: "str_hex", description: "The transaction id" },
      {
        names: "verbosity|verbose",
        type: "num",
        fallback: { default: 0 },
        description:
          "0 for hex-encoded data, 1 for a JSON object, and 2 for JSON object with fee and prevout",
        skipTypeCheck: true,
      },
      {
        names: "blockhash",
        type: "str_hex",
        fallback: "omitted",
        description: "The block in which to look for the transaction",
      },
    ],
    results: [
      {
        cond: "if verbosity is not set or set to 0",
        type: "str",
        key: "data",
        description: "The serialized transaction as a hex-encoded string for 'txid'",
      },
      {
        cond: "if verbosity is set to 1",
        type: "obj",
        inner: [...VERBOSITY_1_BLOCK, ...txDoc({ txidFieldDoc: "The transaction id (same as provided)" })],
      },
      {
        cond: "for verbosity = 2",
        type: "obj",
        inner: [
          ...VERBOSITY_1_BLOCK.map((f, i) => ({
            ...f,
            elision: i === 0 ? { summary: "Same output as verbosity = 1" } : "skip" as const,
          })),
          {
            type: "num",
            key: "fee",
            optional: true,
            description: "transaction fee in BTC, omitted if block undo data is not available",
          },
          ...txDoc({
            elisionMode: "silent",
            prevout: true,
            prevoutOptional: true,
            vinInnerElision: "Same vin fields as verbosity = 1",
          }),
        ],
      },
    ],
    examples: helpExampleCli("getrawtransaction", '"mytxid"') +
      helpExampleCli("getrawtransaction", '"mytxid" 1') +
      helpExampleRpc("getrawtransaction", '"mytxid", 1') +
      helpExampleCli("getrawtransaction", '"mytxid" 0 "myblockhash"') +
      helpExampleCli("getrawtransaction", '"mytxid" 1 "myblockhash"') +
      helpExampleCli("getrawtransaction", '"mytxid" 2 "myblockhash"'),
    handler: async (params) => {
      const chain = options.chain();
      const id = parseHashV(params[0], "parameter 1");
      if (bytesEqual(id, chain.params.genesis.header.merkleRoot)) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY,
          "The genesis block coinbase is not considered an ordinary transaction and cannot be retrieved",
        );
      }
      const verbosity = parseVerbosity(params[1], 0);
      let entry: BlockIndexEntry | null = null;
      if (params[2] !== undefined && params[2] !== null) {
        const hash = parseHashV(params[2], "parameter 3");
        entry = chain.lookup(hash) ?? null;
        if (entry === null) {
          throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, "Block hash not found");
        }
      }
      const index = options.txIndex?.() ?? null;
      let indexReady = false;
      if (index !== null && entry === null) indexReady = await index.blockUntilSyncedToCurrentChain();
      const found = await getTransaction(options, chain, entry, id, true);
      if (found === null) {
        let message: string;
        if (entry !== null) {
          if (!entry.haveData) throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "Block not available");
          message = "No such transaction found in the provided block";
        } else if (index === null) {
          message =
            "No such mempool transaction. Use -txindex or provide a block hash to enable blockchain transaction queries";
        } else if (!indexReady) {
          message =
            "No such mempool transaction. Blockchain transactions are still in the process of being indexed";
        } else {
          message = "No such mempool or blockchain transaction";
        }
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY,
          `${message}. Use gettransaction for wallet transactions.`,
        );
      }
      if (verbosity <= 0) return encodeHexTx(found.tx);
      const result: Record<string, unknown> = {};
      if (entry !== null) result.in_active_chain = chain.contains(entry);
      const network = options.network();
      if (entry === null && found.blockHash !== undefined) entry = chain.lookup(found.blockHash) ?? null;
      if (verbosity === 1 || isCoinBase(found.tx) || entry === null || (!entry.haveData && !entry.haveUndo)) {
        return txToJson(chain, network, found, result);
      }
      let undo;
      let block: Block;
      try {
        undo = await chain.readUndo(entry);
      } catch {
        throw new RpcError(
          RpcErrorCode.RPC_INTERNAL_ERROR,
          "Undo data expected but can't be read. This could be due to disk corruption or a conflict with a pruning event.",
        );
      }
      try {
        block = await chain.readBlock(entry);
      } catch {
        throw new RpcError(
          RpcErrorCode.RPC_INTERNAL_ERROR,
          "Block data expected but can't be read. This could be due to disk corruption or a conflict with a pruning event.",
        );
      }
      const position = block.txs.findIndex((t) => bytesEqual(txidOf(t), id));
      const txUndo = position > 0 ? undo[position - 1] : undefined;
      return txToJson(chain, network, found, result, txUndo?.map(spentCoin));
    },
  };

  const gettxoutproof: RpcMethod = {
    name: "gettxoutproof",
    category: "blockchain",
    description: 'Returns a hex-encoded proof that "txid" was included in a block.\n' +
      "\nNOTE: By default this function only works sometimes. This is when there is an\n" +
      "unspent output in the utxo for this transaction. To make it always work,\n" +
      "you need to maintain a transaction index, using the -txindex command line option or\n" +
      "specify the block in which the transaction is included manually (by blockhash).\n",
    args: [
      {
        names: "txids",
        type: "arr",
        description: "The txids to filter",
        inner: [{ names: "txid", type: "str_hex", fallback: "omitted", description: "A transaction hash" }],
      },
      {
        names: "blockhash",
        type: "str_hex",
        fallback: "omitted",
        description: "If specified, looks for txid in the block with this hash",
      },
    ],
    results: [{
      type: "str",
      key: "data",
      description: "A string that is a serialized, hex-encoded data for the proof.",
    }],
    examples: "",
    handler: async (params) => {
      const txids = getArray(params[0]);
      if (txids.length === 0) {
        throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Parameter 'txids' cannot be empty");
      }
      const wanted = new Map<string, Uint8Array>();
      for (const v of txids) {
        const id = parseHashV(v, "txid");
        const key = toHex(id);
        if (wanted.has(key)) {
          throw new RpcError(
            RpcErrorCode.RPC_INVALID_PARAMETER,
            `Invalid parameter, duplicated txid: ${getStr(v)}`,
          );
        }
        wanted.set(key, id);
      }
      // Core's std::set<Txid> order: by the 256-bit number, most significant (last) byte first.
      const ordered = [...wanted.values()].sort((a, b) => reverseHex(a) < reverseHex(b) ? -1 : 1);
      const chain = options.chain();
      let entry: BlockIndexEntry | null = null;
      if (params[1] !== undefined && params[1] !== null) {
        entry = chain.lookup(parseHashV(params[1], "blockhash")) ?? null;
        if (entry === null) throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
      } else {
        const index = options.txIndex?.() ?? null;
        for (const id of ordered) {
          // With -txindex, outputs beyond the first few are found through the index rather than a UTXO scan.
          let height: number | null = null;
          if (index === null) {
            height = await heightOfUnspentOutput(chain, id);
          } else {
            for (let vout = 0; vout < QUICK_VOUTS && height === null; vout++) {
              height = (await chain.getCoin({ txid: id, vout }))?.height ?? null;
            }
          }
          if (height !== null) {
            entry = chain.atHeight(height);
            break;
          }
        }
        if (entry === null) {
          if (index !== null) await index.blockUntilSyncedToCurrentChain();
          const found = await getTransaction(options, chain, null, ordered[0], false);
          if (found === null || found.blockHash === undefined) {
            throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, "Transaction not yet in block");
          }
          entry = chain.lookup(found.blockHash) ?? null;
          if (entry === null) {
            throw new RpcError(RpcErrorCode.RPC_INTERNAL_ERROR, "Transaction index corrupt");
          }
        }
      }
      if (!entry.haveData) {
        throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "Block not available (not fully downloaded)");
      }
      let block: Block;
      try {
        block = await chain.readBlock(entry);
      } catch {
        throw new RpcError(RpcErrorCode.RPC_INTERNAL_ERROR, "Can't read block from disk");
      }
      let found = 0;
      for (const tx of block.txs) if (wanted.has(toHex(txidOf(tx)))) found++;
      if (found !== wanted.size) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY,
          "Not all transactions found in specified or retrieved block",
        );
      }
      return toHex(encodeMerkleBlock(buildMerkleBlock(block, ordered)));
    },
  };

  const verifytxoutproof: RpcMethod = {
    name: "verifytxoutproof",
    category: "blockchain",
    description:
      "Verifies that a proof points to a transaction in a block, returning the transaction it commits to\n" +
      "and throwing an RPC error if the block is not in our best chain\n",
    args: [{
      names: "proof",
      type: "str_hex",
      description: "The hex-encoded proof generated by gettxoutproof",
    }],
    results: [{
      type: "arr",
      inner: [{
        type: "str_hex",
        key: "txid",
        description:
          "The txid(s) which the proof commits to, or empty array if the proof cannot be validated.",
      }],
    }],
    examples: "",
    handler: (params) => {
      const bytes = parseHexV(params[0], "proof");
      // Core reads the proof and ignores anything after it.
      const mb = readMerkleBlock(new ByteReader(bytes, "merkle block"));
      const res = extractMatches(mb.tree);
      if (!res.ok || !bytesEqual(res.root, mb.header.merkleRoot)) return [];
      const chain = options.chain();
      const entry = chain.lookup(blockHash(mb.header));
      if (entry === undefined || !chain.contains(entry) || entry.nTx === 0) {
        throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, "Block not found in chain");
      }
      if (entry.nTx !== mb.tree.txCount) return [];
      return res.matches.map(reverseHex);
    },
  };

  return [getrawtransaction, gettxoutproof, verifytxoutproof];
}
