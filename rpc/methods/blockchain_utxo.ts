/**
 * `gettxoutsetinfo` (Core's `src/rpc/blockchain.cpp`): statistics about the UTXO set, computed over the
 * chainstate database after a flush (tsbtc has no coinstatsindex), with the `hash_serialized_3`, `muhash` (MuHash3072
 * of every coin's serialization, as Core's `ApplyHash(MuHash3072&, …)`) or no hash.
 *
 * @module
 */
import type { Network } from "../../core/chain_params_base.ts";
import type { ChainstateImpl } from "../../node/chain/chainstate.ts";
import { MuHash3072 } from "../../core/hash/muhash.ts";
import { ByteWriter } from "../../core/wire/writer.ts";
import { coinCode } from "../../node/storage/coins.ts";
import type { CoinsDB, UtxoStats } from "../../node/storage/coins_db.ts";
import { RpcError, RpcErrorCode } from "../errors.ts";
import { helpExampleCli, helpExampleRpc } from "../help.ts";
import { type JsonValue, valueFromAmount } from "../json.ts";
import type { RpcMethod } from "../table.ts";
import { getBool, getStr } from "../values.ts";

/** What the UTXO set methods need from the node. */
export interface UtxoMethodsOptions {
  /** The active chainstate (its storage holds the coins database). */
  chain: () => ChainstateImpl;
  /** The node's network. */
  network: Network;
}

/** The hash types of `gettxoutsetinfo` (Core's `CoinStatsHashType`). */
export type CoinStatsHashType = "hash_serialized_3" | "muhash" | "none";

/** Core's `ParseHashType`: a hash_type argument, or `RPC_INVALID_PARAMETER`. */
export function parseHashType(input: string): CoinStatsHashType {
  if (input === "hash_serialized_3" || input === "muhash" || input === "none") return input;
  throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, `'${input}' is not a valid hash_type`);
}

/** Reversed hex of a 32-byte hash, as Core's `uint256::GetHex`. */
function hashHex(hash: Uint8Array): string {
  return Array.from(hash).reverse().map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Attempts at computing statistics that a concurrent block connection did not change underneath. */
const MAX_ATTEMPTS = 5;

/**
 * UTXO set statistics with the MuHash3072 of the set instead of `hash_serialized_3` (Core's `ComputeUTXOStats`
 * with `CoinStatsHashType::MUHASH`): each coin is inserted as `outpoint ‖ uint32(height * 2 + coinbase) ‖ txout`.
 * `hashSerialized` holds the finalized MuHash (internal byte order).
 */
export async function computeMuHashStats(db: CoinsDB): Promise<UtxoStats> {
  const bestBlock = db.getBestBlock();
  const muhash = new MuHash3072();
  let transactions = 0;
  let txouts = 0;
  let bogoSize = 0;
  let totalAmount = 0n;
  let prev: string | undefined;
  for await (const { outpoint, coin } of db.entries()) {
    const key = hashHex(outpoint.txid);
    if (key !== prev) {
      transactions++;
      prev = key;
    }
    txouts++;
    totalAmount += coin.out.value;
    bogoSize += 50 + coin.out.scriptPubKey.length;
    const w = new ByteWriter(64 + coin.out.scriptPubKey.length);
    w.bytes(outpoint.txid).u32(outpoint.vout).u32(coinCode(coin)).i64(coin.out.value).varBytes(
      coin.out.scriptPubKey,
    );
    muhash.insert(w.finish());
  }
  return {
    bestBlock,
    transactions,
    txouts,
    bogoSize,
    totalAmount,
    hashSerialized: muhash.finalize(),
    diskSize: db.estimateSize(),
  };
}

async function consistentStats(chain: ChainstateImpl, hashType: CoinStatsHashType): Promise<UtxoStats> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // Core's ForceFlushStateToDisk: the database then holds every coin (chain.flush runs under the chain's lock).
    await chain.flush();
    const db = chain.storage.coinsDb;
    const stats = hashType === "muhash" ? await computeMuHashStats(db) : await db.computeStats();
    const after = chain.storage.coinsDb.getBestBlock();
    if (stats.bestBlock !== undefined && after !== undefined && hashHex(after) === hashHex(stats.bestBlock)) {
      return stats;
    }
  }
  throw new RpcError(RpcErrorCode.RPC_INTERNAL_ERROR, "Unable to read UTXO set");
}

/** `gettxoutsetinfo`, ready for `RpcTable.registerAll`. */
export function utxoMethods(options: UtxoMethodsOptions): RpcMethod[] {
  return [{
    name: "gettxoutsetinfo",
    category: "blockchain",
    description: "Returns statistics about the unspent transaction output set.\n" +
      "Note this call may take some time if you are not using coinstatsindex.\n",
    args: [
      {
        names: "hash_type",
        type: "str",
        fallback: { default: "hash_serialized_3" },
        description:
          "Which UTXO set hash should be calculated. Options: 'hash_serialized_3' (the legacy algorithm), " +
          "'muhash', 'none'.",
      },
      {
        names: "hash_or_height",
        type: "num",
        fallback: { hint: "the current best block" },
        description: "The block hash or height of the target height (only available with coinstatsindex).",
        skipTypeCheck: true,
        typeStr: ["", "string or numeric"],
      },
      {
        names: "use_index",
        type: "bool",
        fallback: { default: true },
        description: "Use coinstatsindex, if available.",
      },
    ],
    results: [{
      type: "obj",
      description: "",
      inner: [
        { type: "num", key: "height", description: "The block height (index) of the returned statistics" },
        {
          type: "str_hex",
          key: "bestblock",
          description: "The hash of the block at which these statistics are calculated",
        },
        { type: "num", key: "txouts", description: "The number of unspent transaction outputs" },
        {
          type: "num",
          key: "bogosize",
          description: "Database-independent, meaningless metric indicating the UTXO set size",
        },
        {
          type: "str_hex",
          key: "hash_serialized_3",
          optional: true,
          description: "The serialized hash (only present if 'hash_serialized_3' hash_type is chosen)",
        },
        {
          type: "str_hex",
          key: "muhash",
          optional: true,
          description: "The serialized hash (only present if 'muhash' hash_type is chosen)",
        },
        {
          type: "num",
          key: "transactions",
          optional: true,
          description:
            "The number of transactions with unspent outputs (not available when coinstatsindex is used)",
        },
        {
          type: "num",
          key: "disk_size",
          optional: true,
          description:
            "The estimated size of the chainstate on disk (not available when coinstatsindex is used)",
        },
        { type: "str_amount", key: "total_amount", description: "The total amount of coins in the UTXO set" },
      ],
    }],
    examples: helpExampleCli("gettxoutsetinfo", "") +
      helpExampleCli("gettxoutsetinfo", `"none"`) +
      helpExampleCli("gettxoutsetinfo", `"none" 1000`) +
      helpExampleCli(
        "gettxoutsetinfo",
        `"none" '"00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09"'`,
      ) +
      helpExampleCli("-named gettxoutsetinfo", `hash_type='muhash' use_index='false'`) +
      helpExampleRpc("gettxoutsetinfo", "") +
      helpExampleRpc("gettxoutsetinfo", `"none"`) +
      helpExampleRpc("gettxoutsetinfo", `"none", 1000`) +
      helpExampleRpc(
        "gettxoutsetinfo",
        `"none", "00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09"`,
      ),
    handler: async (params) => {
      const hashType = parseHashType(params[0] == null ? "hash_serialized_3" : getStr(params[0]));
      if (params[2] != null) getBool(params[2]);
      const chain = options.chain();
      if (params[1] != null) {
        // Core flushes first, then refuses: without coinstatsindex only the current best block can be queried.
        await chain.flush();
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          "Querying specific block heights requires coinstatsindex",
        );
      }
      const stats = await consistentStats(chain, hashType);
      const entry = chain.lookup(stats.bestBlock!);
      if (entry === undefined) throw new RpcError(RpcErrorCode.RPC_INTERNAL_ERROR, "Unable to read UTXO set");
      const result: Record<string, JsonValue> = {
        height: entry.height,
        bestblock: entry.hashHex,
        txouts: stats.txouts,
        bogosize: stats.bogoSize,
      };
      if (hashType === "hash_serialized_3") result.hash_serialized_3 = hashHex(stats.hashSerialized);
      if (hashType === "muhash") result.muhash = hashHex(stats.hashSerialized);
      result.total_amount = valueFromAmount(stats.totalAmount);
      result.transactions = stats.transactions;
      result.disk_size = stats.diskSize;
      return result;
    },
  }];
}
