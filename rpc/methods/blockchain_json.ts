/**
 * Block and header JSON of the blockchain RPCs (Core's `blockheaderToJSON`, `coinbaseTxToJSON`, `blockToJSON`
 * and `GetDifficulty`/`GetTarget` in `src/rpc/blockchain.cpp`), shared by `getblock`, `getblockheader` and the
 * REST/mining code.
 *
 * @module
 */
import type { Network } from "../../core/chain_params_base.ts";
import { reverseHex, toHex } from "../../core/hash/mod.ts";
import { deriveTarget, getDifficulty, setCompact } from "../../core/pow.ts";
import { blockStrippedSize, blockTotalSize, blockWeight, txid } from "../../core/wire/mod.ts";
import type { Block, Transaction } from "../../core/wire/types.ts";
import type { BlockIndexEntry, ChainCoin, Chainstate } from "../../node/chain/types.ts";
import type { RawJson } from "../json.ts";
import { type SpentCoin, type TxJson, txToUniv } from "../tx_json.ts";
import { univalueDouble } from "./mining.ts";

/** A 256-bit number as 64 hex digits (Core's `uint256::GetHex` of an arith_uint256). */
export function uint256Hex(n: bigint): string {
  return n.toString(16).padStart(64, "0");
}

/** The 8-hex-digit form of a 32-bit field (`strprintf("%08x", x)`): bits, versionHex. */
export function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

/** Core's `GetTarget`: the target of `bits` as 64 hex digits (the decoded compact value if it is out of range). */
export function targetHex(bits: number, powLimit: bigint): string {
  return uint256Hex(deriveTarget(bits, powLimit) ?? setCompact(bits).target);
}

/** Core's `GetDifficulty` of `bits`, written as Core writes doubles (16 significant digits). */
export function difficultyJson(bits: number): RawJson {
  return univalueDouble(getDifficulty(bits));
}

/** Fields of {@link blockheaderToJson}, in Core's order. */
export interface BlockHeaderJson {
  hash: string;
  confirmations: number;
  height: number;
  version: number;
  versionHex: string;
  merkleroot: string;
  time: number;
  mediantime: number;
  nonce: number;
  bits: string;
  target: string;
  difficulty: RawJson;
  chainwork: string;
  nTx: number;
  previousblockhash?: string;
  nextblockhash?: string;
}

/**
 * Core's `ComputeNextBlockAndDepth`: the confirmations of `entry` (tip height − height + 1 on the active chain,
 * else −1) and its successor on the active chain (null when none or not on the active chain).
 */
export function nextBlockAndDepth(
  chain: Chainstate,
  entry: BlockIndexEntry,
): { confirmations: number; next: BlockIndexEntry | null } {
  const tip = chain.tip();
  if (!chain.contains(entry)) return { confirmations: -1, next: null };
  const next = entry.height < tip.height ? chain.atHeight(entry.height + 1) : null;
  return { confirmations: tip.height - entry.height + 1, next: next && next.prev === entry ? next : null };
}

/** Core's `blockheaderToJSON`: the header fields of `entry` as `getblockheader` prints them. */
export function blockheaderToJson(chain: Chainstate, entry: BlockIndexEntry): BlockHeaderJson {
  const { confirmations, next } = nextBlockAndDepth(chain, entry);
  const h = entry.header;
  const out: BlockHeaderJson = {
    hash: entry.hashHex,
    confirmations,
    height: entry.height,
    version: h.version | 0,
    versionHex: hex32(h.version),
    merkleroot: reverseHex(h.merkleRoot),
    time: h.time >>> 0,
    mediantime: entry.medianTimePast,
    nonce: h.nonce >>> 0,
    bits: hex32(h.bits),
    target: targetHex(h.bits, chain.params.consensus.powLimit),
    difficulty: difficultyJson(h.bits),
    chainwork: uint256Hex(entry.chainWork),
    nTx: entry.nTx,
  };
  if (entry.prev) out.previousblockhash = entry.prev.hashHex;
  if (next) out.nextblockhash = next.hashHex;
  return out;
}

/** Core's `coinbaseTxToJSON` result. */
export interface CoinbaseTxJson {
  version: number;
  locktime: number;
  sequence: number;
  coinbase: string;
  witness?: string;
}

/** Core's `coinbaseTxToJSON`: version, locktime, sequence, script and (if present) the single witness element. */
export function coinbaseTxToJson(coinbase: Transaction): CoinbaseTxJson {
  const vin0 = coinbase.inputs[0];
  if (vin0 === undefined) throw new Error("Cannot describe coinbase: it has no inputs");
  const out: CoinbaseTxJson = {
    version: coinbase.version >>> 0,
    locktime: coinbase.locktime >>> 0,
    sequence: vin0.sequence >>> 0,
    coinbase: toHex(vin0.scriptSig),
  };
  if (vin0.witness.length > 0) out.witness = toHex(vin0.witness[0]);
  return out;
}

/** Core's `TxVerbosity`. */
export type TxVerbosity = "txid" | "details" | "details_and_prevout";

/** The result of {@link blockToJson}. */
export type BlockJson = BlockHeaderJson & {
  strippedsize: number;
  size: number;
  weight: number;
  coinbase_tx: CoinbaseTxJson;
  tx: string[] | TxJson[];
};

/** A spent coin of the chain's undo data in {@link txToUniv}'s form. */
export function spentCoin(coin: ChainCoin): SpentCoin {
  return {
    value: coin.output.value,
    scriptPubKey: coin.output.scriptPubKey,
    height: coin.height,
    coinbase: coin.coinbase,
  };
}

/** Options of {@link blockToJson}. */
export interface BlockToJsonOptions {
  /** Network of addresses. */
  network: Network;
  /** How transactions are shown. */
  verbosity: TxVerbosity;
  /** The block's undo data (one list of spent coins per non-coinbase transaction), when available. */
  undo?: readonly (readonly ChainCoin[])[];
}

/**
 * Core's `blockToJSON`: the header fields, sizes, coinbase metadata and the transactions (txids, or decoded with
 * `hex`, plus `fee`/`prevout` when the undo data is given; the coinbase never has undo data).
 */
export function blockToJson(
  chain: Chainstate,
  block: Block,
  entry: BlockIndexEntry,
  options: BlockToJsonOptions,
): BlockJson {
  const coinbase = block.txs[0];
  if (coinbase === undefined) throw new Error("Cannot describe block: it has no transactions");
  const head = blockheaderToJson(chain, entry);
  let tx: string[] | TxJson[];
  if (options.verbosity === "txid") {
    tx = block.txs.map((t) => reverseHex(txid(t)));
  } else {
    const undo = options.undo;
    tx = block.txs.map((t, i) => {
      const txUndo = undo !== undefined && i > 0 ? undo[i - 1] : undefined;
      if (undo !== undefined && i > 0 && (txUndo === undefined || txUndo.length !== t.inputs.length)) {
        throw new Error(`Cannot describe block ${entry.hashHex}: undo data does not match transaction ${i}`);
      }
      return txToUniv(t, {
        network: options.network,
        includeHex: true,
        undo: txUndo?.map(spentCoin),
        verbosity: options.verbosity === "details_and_prevout" ? "details_and_prevout" : "details",
      });
    });
  }
  return {
    ...head,
    strippedsize: blockStrippedSize(block),
    size: blockTotalSize(block),
    weight: blockWeight(block),
    coinbase_tx: coinbaseTxToJson(coinbase),
    tx,
  };
}
