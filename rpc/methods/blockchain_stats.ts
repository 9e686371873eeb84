/**
 * `getblockstats` (Core's `src/rpc/blockchain.cpp`): per-block fee, size, weight and UTXO statistics from a stored
 * block and its undo data, all amounts in satoshis.
 *
 * @module
 */
import { getBlockSubsidy } from "../../core/pow.ts";
import {
  compactSizeLength,
  hasWitness,
  transactionTotalSize,
  transactionWeight,
} from "../../core/wire/mod.ts";
import type { TxOut } from "../../core/wire/types.ts";
import type { BlockIndexEntry, ChainCoin, Chainstate } from "../../node/chain/types.ts";
import { RpcError, RpcErrorCode } from "../errors.ts";
import { helpExampleCli, helpExampleRpc, type RpcResultSpec } from "../help.ts";
import type { JsonValue } from "../json.ts";
import type { RpcMethod } from "../table.ts";
import { getArray, getInt, getStr } from "../values.ts";
import { parseHashV } from "./rawtransaction.ts";

/** Core's `PER_UTXO_OVERHEAD`: an outpoint (36 bytes) plus height and coinbase flag (4 bytes). */
export const PER_UTXO_OVERHEAD = 40;
/** Number of feerate percentiles (Core's `NUM_GETBLOCKSTATS_PERCENTILES`). */
export const NUM_GETBLOCKSTATS_PERCENTILES = 5;
const MAX_BLOCK_SERIALIZED_SIZE = 4_000_000;
const MAX_MONEY = 21_000_000n * 100_000_000n;
const BIP30_REPEATS: ReadonlyMap<number, string> = new Map([
  [91842, "00000000000a4d0a398161ffc163c503763b1f4360639393e0e4c8e300e0caec"],
  [91880, "00000000000743f190a18c5577a3c2d2a1f610ae9601ac046a38084ccb7cd721"],
]);

const statDoc = (key: string, description: string): RpcResultSpec => ({
  type: "num",
  key,
  optional: true,
  description,
});

/** The documented fields of `getblockstats` (Core's help, in its order). */
const STATS_DOC: RpcResultSpec[] = [
  statDoc("avgfee", "Average fee in the block"),
  statDoc("avgfeerate", "Average feerate (in satoshis per virtual byte)"),
  statDoc("avgtxsize", "Average transaction size"),
  {
    type: "str_hex",
    key: "blockhash",
    optional: true,
    description: "The block hash (to check for potential reorgs)",
  },
  {
    type: "arr_fixed",
    key: "feerate_percentiles",
    optional: true,
    description:
      "Feerates at the 10th, 25th, 50th, 75th, and 90th percentile weight unit (in satoshis per virtual byte)",
    inner: [10, 25, 50, 75, 90].map((p) => ({
      type: "num" as const,
      key: `${p}th_percentile_feerate`,
      description: `The ${p}th percentile feerate`,
    })),
  },
  statDoc("height", "The height of the block"),
  statDoc("ins", "The number of inputs (excluding coinbase)"),
  statDoc("maxfee", "Maximum fee in the block"),
  statDoc("maxfeerate", "Maximum feerate (in satoshis per virtual byte)"),
  statDoc("maxtxsize", "Maximum transaction size"),
  statDoc("medianfee", "Truncated median fee in the block"),
  statDoc("mediantime", "The block median time past"),
  statDoc("mediantxsize", "Truncated median transaction size"),
  statDoc("minfee", "Minimum fee in the block"),
  statDoc("minfeerate", "Minimum feerate (in satoshis per virtual byte)"),
  statDoc("mintxsize", "Minimum transaction size"),
  statDoc("outs", "The number of outputs"),
  statDoc("subsidy", "The block subsidy"),
  statDoc("swtotal_size", "Total size of all segwit transactions"),
  statDoc("swtotal_weight", "Total weight of all segwit transactions"),
  statDoc("swtxs", "The number of segwit transactions"),
  statDoc("time", "The block time"),
  statDoc(
    "total_out",
    "Total amount in all outputs (excluding coinbase and thus reward [ie subsidy + totalfee])",
  ),
  statDoc("total_size", "Total size of all non-coinbase transactions"),
  statDoc("total_weight", "Total weight of all non-coinbase transactions"),
  statDoc("totalfee", "The fee total"),
  statDoc("txs", "The number of transactions (including coinbase)"),
  statDoc(
    "utxo_increase",
    "The increase/decrease in the number of unspent outputs (not discounting op_return and similar)",
  ),
  statDoc(
    "utxo_size_inc",
    "The increase/decrease in size for the utxo index (not discounting op_return and similar)",
  ),
  statDoc(
    "utxo_increase_actual",
    "The increase/decrease in the number of unspent outputs, not counting unspendables",
  ),
  statDoc(
    "utxo_size_inc_actual",
    "The increase/decrease in size for the utxo index, not counting unspendables",
  ),
];

/** Core's `ParseHashOrHeight`: a height on the active chain or a known block hash. */
export function parseHashOrHeight(value: JsonValue | undefined, chain: Chainstate): BlockIndexEntry {
  if (typeof value === "number") {
    const height = getInt(value);
    if (height < 0) {
      throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, `Target block height ${height} is negative`);
    }
    const tip = chain.height();
    if (height > tip) {
      throw new RpcError(
        RpcErrorCode.RPC_INVALID_PARAMETER,
        `Target block height ${height} after current tip ${tip}`,
      );
    }
    return chain.atHeight(height)!;
  }
  const entry = chain.lookup(parseHashV(value, "hash_or_height"));
  if (entry === undefined) throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
  return entry;
}

function outSize(out: TxOut): number {
  return 8 + compactSizeLength(out.scriptPubKey.length) + out.scriptPubKey.length + PER_UTXO_OVERHEAD;
}

function isUnspendable(script: Uint8Array): boolean {
  return (script.length > 0 && script[0] === 0x6a) || script.length > 10_000;
}

/** Core's `CalculateTruncatedMedian`. */
function truncatedMedian(values: bigint[]): bigint {
  if (values.length === 0) return 0n;
  values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const n = values.length;
  return n % 2 === 0 ? (values[n / 2 - 1] + values[n / 2]) / 2n : values[(n - 1) / 2];
}

/** Core's `CalculatePercentilesByWeight`: feerates at 10/25/50/75/90 % of the block's weight. */
export function percentilesByWeight(scores: [bigint, number][], totalWeight: number): bigint[] {
  const result: bigint[] = new Array(NUM_GETBLOCKSTATS_PERCENTILES).fill(0n);
  if (scores.length === 0) return result;
  scores.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  const weights = [
    totalWeight / 10,
    totalWeight / 4,
    totalWeight / 2,
    (totalWeight * 3) / 4,
    (totalWeight * 9) / 10,
  ];
  let next = 0;
  let cumulative = 0;
  for (const [feerate, weight] of scores) {
    cumulative += weight;
    while (next < NUM_GETBLOCKSTATS_PERCENTILES && cumulative >= weights[next]) result[next++] = feerate;
  }
  for (let i = next; i < NUM_GETBLOCKSTATS_PERCENTILES; i++) result[i] = scores[scores.length - 1][0];
  return result;
}

/** The `getblockstats` method over `chain()`; `pruned` selects Core's pruned-data error texts. */
export function getblockstatsMethod(chainOf: () => Chainstate, pruned = false): RpcMethod {
  return {
    name: "getblockstats",
    category: "blockchain",
    description: "Compute per block statistics for a given window. All amounts are in satoshis.\n" +
      "It won't work for some heights with pruning.\n",
    args: [
      {
        names: "hash_or_height",
        type: "num",
        description: "The block hash or height of the target block",
        skipTypeCheck: true,
        typeStr: ["", "string or numeric"],
      },
      {
        names: "stats",
        type: "arr",
        fallback: { hint: "all values" },
        description: "Values to plot (see result below)",
        inner: [
          { names: "height", type: "str", fallback: "omitted", description: "Selected statistic" },
          { names: "time", type: "str", fallback: "omitted", description: "Selected statistic" },
        ],
        onelineDescription: "stats",
      },
    ],
    results: [{ type: "obj", inner: STATS_DOC }],
    examples: helpExampleCli(
      "getblockstats",
      `'"00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09"' '["minfeerate","avgfeerate"]'`,
    ) +
      helpExampleCli("getblockstats", `1000 '["minfeerate","avgfeerate"]'`) +
      helpExampleRpc(
        "getblockstats",
        `"00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09", ["minfeerate","avgfeerate"]`,
      ) +
      helpExampleRpc("getblockstats", `1000, ["minfeerate","avgfeerate"]`),
    handler: async (params) => {
      const chain = chainOf();
      const entry = parseHashOrHeight(params[0], chain);
      const stats = new Set<string>();
      if (params[1] !== undefined && params[1] !== null) {
        for (const s of getArray(params[1])) stats.add(getStr(s));
      }
      if (!entry.haveData) {
        throw new RpcError(
          RpcErrorCode.RPC_MISC_ERROR,
          pruned ? "Block not available (pruned data)" : "Block not available (not fully downloaded)",
        );
      }
      let block;
      try {
        block = await chain.readBlock(entry);
      } catch {
        throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "Block not found on disk");
      }
      let undo: readonly (readonly ChainCoin[])[] = [];
      if (entry.height > 0) {
        if (!entry.haveUndo) {
          throw new RpcError(
            RpcErrorCode.RPC_MISC_ERROR,
            pruned ? "Undo data not available (pruned data)" : "Undo data not available",
          );
        }
        try {
          undo = await chain.readUndo(entry);
        } catch {
          throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "Can't read undo data from disk");
        }
      }
      const bip30Repeat = BIP30_REPEATS.get(entry.height) === entry.hashHex;
      let maxfee = 0n,
        maxfeerate = 0n,
        minfee = MAX_MONEY,
        minfeerate = MAX_MONEY,
        totalOut = 0n,
        totalfee = 0n;
      let inputs = 0, maxtxsize = 0, mintxsize = MAX_BLOCK_SERIALIZED_SIZE, outputs = 0;
      let swtotalSize = 0, swtotalWeight = 0, swtxs = 0, totalSize = 0, totalWeight = 0;
      let utxos = 0, utxoSizeInc = 0, utxoSizeIncActual = 0;
      const fees: bigint[] = [];
      const feerates: [bigint, number][] = [];
      const sizes: bigint[] = [];
      block.txs.forEach((tx, i) => {
        outputs += tx.outputs.length;
        let txOut = 0n;
        for (const out of tx.outputs) {
          txOut += out.value;
          const size = outSize(out);
          utxoSizeInc += size;
          if (entry.height === 0 || (bip30Repeat && i === 0)) continue;
          if (isUnspendable(out.scriptPubKey)) continue;
          utxos++;
          utxoSizeIncActual += size;
        }
        if (i === 0) return;
        inputs += tx.inputs.length;
        totalOut += txOut;
        const size = transactionTotalSize(tx);
        sizes.push(BigInt(size));
        maxtxsize = Math.max(maxtxsize, size);
        mintxsize = Math.min(mintxsize, size);
        totalSize += size;
        const weight = transactionWeight(tx);
        totalWeight += weight;
        if (hasWitness(tx)) {
          swtxs++;
          swtotalSize += size;
          swtotalWeight += weight;
        }
        let txIn = 0n;
        for (const coin of undo[i - 1] ?? []) {
          txIn += coin.output.value;
          const s = outSize(coin.output);
          utxoSizeInc -= s;
          utxoSizeIncActual -= s;
        }
        const fee = txIn - txOut;
        fees.push(fee);
        if (fee > maxfee) maxfee = fee;
        if (fee < minfee) minfee = fee;
        totalfee += fee;
        const feerate = weight ? (fee * 4n) / BigInt(weight) : 0n;
        feerates.push([feerate, weight]);
        if (feerate > maxfeerate) maxfeerate = feerate;
        if (feerate < minfeerate) minfeerate = feerate;
      });
      const n = block.txs.length;
      const numOf = (x: bigint) => Number(x);
      const all: Record<string, JsonValue> = {
        avgfee: n > 1 ? numOf(totalfee / BigInt(n - 1)) : 0,
        avgfeerate: totalWeight ? numOf((totalfee * 4n) / BigInt(totalWeight)) : 0,
        avgtxsize: n > 1 ? Math.trunc(totalSize / (n - 1)) : 0,
        blockhash: entry.hashHex,
        feerate_percentiles: percentilesByWeight(feerates, totalWeight).map(numOf),
        height: entry.height,
        ins: inputs,
        maxfee: numOf(maxfee),
        maxfeerate: numOf(maxfeerate),
        maxtxsize,
        medianfee: numOf(truncatedMedian(fees)),
        mediantime: entry.medianTimePast,
        mediantxsize: numOf(truncatedMedian(sizes)),
        minfee: minfee === MAX_MONEY ? 0 : numOf(minfee),
        minfeerate: minfeerate === MAX_MONEY ? 0 : numOf(minfeerate),
        mintxsize: mintxsize === MAX_BLOCK_SERIALIZED_SIZE ? 0 : mintxsize,
        outs: outputs,
        subsidy: numOf(getBlockSubsidy(entry.height, chain.params.consensus)),
        swtotal_size: swtotalSize,
        swtotal_weight: swtotalWeight,
        swtxs,
        time: entry.header.time >>> 0,
        total_out: numOf(totalOut),
        total_size: totalSize,
        total_weight: totalWeight,
        totalfee: numOf(totalfee),
        txs: n,
        utxo_increase: outputs - inputs,
        utxo_size_inc: utxoSizeInc,
        utxo_increase_actual: utxos - inputs,
        utxo_size_inc_actual: utxoSizeIncActual,
      };
      if (stats.size === 0) return all;
      const out: Record<string, JsonValue> = {};
      for (const stat of [...stats].sort()) {
        if (!Object.hasOwn(all, stat)) {
          throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, `Invalid selected statistic '${stat}'`);
        }
        out[stat] = all[stat];
      }
      return out;
    },
  };
}
