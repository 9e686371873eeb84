/**
 * Contextual block validation (Core's validation.cpp): ContextualCheckBlockHeader, ContextualCheckBlock,
 * ConnectBlock (UTXO rules, sequence locks, sigop cost, subsidy and fees, scripts through the Worker pool, undo
 * data) and DisconnectBlock. Reject reasons and debug texts are Core's.
 *
 * @module
 */
import { blockScriptFlags, type ChainParams } from "../../core/chain_params.ts";
import {
  type BlockValidationState,
  calculateSequenceLocks,
  checkBlockWeight,
  checkTxInputs,
  checkWitnessMalleation,
  evaluateSequenceLocks,
  getTransactionSigOpCost,
  invalid,
  MAX_BLOCK_SIGOPS_COST,
  moneyRange,
  VALID,
} from "../../core/consensus/mod.ts";
import {
  allowsMinDifficultyBlock,
  getBlockSubsidy,
  getCompact,
  getNextWorkRequired,
  type PowBlock,
} from "../../core/pow.ts";
import { SCRIPT_FLAG_NAMES, type ScriptFlagName } from "../../core/script/flags.ts";
import { pushInt } from "../../core/script/script.ts";
import { SEQUENCE_FINAL } from "../../core/script/tx_checker.ts";
import { txid } from "../../core/wire/transaction.ts";
import type { Block, BlockHeader, OutPoint, Transaction, TxOut } from "../../core/wire/types.ts";
import type { ScriptCheckPool, ScriptCheckTx } from "../../core/verify/mod.ts";
import type { CoinsCache } from "../storage/coins_cache.ts";
import type { Coin } from "../storage/coins.ts";
import type { BlockUndo, TxUndo } from "../storage/undo.ts";
import { hashToHex, type IndexEntry } from "./block_index.ts";

/** Core's `MAX_FUTURE_BLOCK_TIME`: two hours. */
export const MAX_FUTURE_BLOCK_TIME = 2 * 60 * 60;
/** Core's `LOCKTIME_THRESHOLD`. */
export const LOCKTIME_THRESHOLD = 500_000_000;

function powBlock(e: IndexEntry): PowBlock {
  return { height: e.height, time: e.header.time, bits: e.header.bits };
}

/** The compact target the block after `prev` must carry (Core's `GetNextWorkRequired`). */
export function nextWorkRequired(prev: IndexEntry, newBlockTime: number, params: ChainParams): number {
  const c = params.consensus;
  if (
    c.powAllowMinDifficultyBlocks && (prev.height + 1) % c.difficultyAdjustmentInterval !== 0 &&
    !allowsMinDifficultyBlock(newBlockTime, prev.header.time, c)
  ) {
    return lastNonMinDifficultyBitsOf(prev, c);
  }
  return getNextWorkRequired(
    powBlock(prev),
    newBlockTime,
    c,
    (h) => powBlock(prev.ancestor(h)!),
  );
}

const powLimitBits = new Map<bigint, number>();

/**
 * Core's walk in `GetNextWorkRequired` on networks that allow minimum-difficulty blocks: the nBits of the last
 * block at or before `entry` that is at a retarget boundary, is the genesis block, or does not carry the
 * minimum difficulty. Core walks back block by block each time (up to 143 blocks on regtest, 2,015 on the
 * testnets); the answer depends only on the branch below `entry`, so it is kept on each entry and a walk stops at
 * the first entry that has it.
 */
export function lastNonMinDifficultyBitsOf(
  entry: IndexEntry,
  c: Pick<ChainParams["consensus"], "powLimit" | "difficultyAdjustmentInterval">,
): number {
  let limit = powLimitBits.get(c.powLimit);
  if (limit === undefined) {
    limit = getCompact(c.powLimit);
    powLimitBits.set(c.powLimit, limit);
  }
  const path: IndexEntry[] = [];
  let e = entry;
  let bits: number;
  for (;;) {
    const known = e.lastNonMinDifficultyBits;
    if (known !== undefined) {
      bits = known;
      break;
    }
    if (e.prev === null || e.height % c.difficultyAdjustmentInterval === 0 || e.header.bits !== limit) {
      bits = e.header.bits;
      e.lastNonMinDifficultyBits = bits;
      break;
    }
    path.push(e);
    e = e.prev;
  }
  for (const p of path) p.lastNonMinDifficultyBits = bits;
  return bits;
}

/** Core's `GetBlockScriptFlags` as a flag word. */
export function scriptFlagsFor(params: ChainParams, height: number, hashHex: string): number {
  let flags = 0;
  for (const name of blockScriptFlags(params.consensus, { height, hash: hashHex })) {
    flags |= SCRIPT_FLAG_NAMES.get(name as ScriptFlagName)!;
  }
  return flags;
}

function hex8(v: number): string {
  return (v >>> 0).toString(16).padStart(8, "0");
}

/**
 * Core's `ContextualCheckBlockHeader`: "bad-diffbits" (wrong target), "time-too-old" (not after the median
 * time past), "time-timewarp-attack" (BIP94), "time-too-new" (more than two hours ahead of `now`, seconds),
 * "bad-version(0x…)" (versions retired by BIP34/66/65 heights).
 */
export function contextualCheckBlockHeader(
  header: BlockHeader,
  prev: IndexEntry,
  params: ChainParams,
  now: number,
): BlockValidationState {
  const c = params.consensus;
  const height = prev.height + 1;
  if (header.bits !== nextWorkRequired(prev, header.time, params)) {
    return invalid("BLOCK_INVALID_HEADER", "bad-diffbits", "incorrect proof of work");
  }
  if (header.time <= prev.medianTimePast) {
    return invalid("BLOCK_INVALID_HEADER", "time-too-old", "block's timestamp is too early");
  }
  if (
    c.enforceBIP94 && height % c.difficultyAdjustmentInterval === 0 && header.time < prev.header.time - 600
  ) {
    return invalid(
      "BLOCK_INVALID_HEADER",
      "time-timewarp-attack",
      "block's timestamp is too early on diff adjustment block",
    );
  }
  if (header.time > now + MAX_FUTURE_BLOCK_TIME) {
    return invalid("BLOCK_TIME_FUTURE", "time-too-new", "block timestamp too far in the future");
  }
  const v = header.version;
  if (
    (v < 2 && height >= c.bip34Height) || (v < 3 && height >= c.bip66Height) ||
    (v < 4 && height >= c.bip65Height)
  ) {
    return invalid(
      "BLOCK_INVALID_HEADER",
      `bad-version(0x${hex8(v)})`,
      `rejected nVersion=0x${hex8(v)} block`,
    );
  }
  return VALID;
}

/** Core's `IsFinalTx`. */
export function isFinalTx(tx: Transaction, height: number, time: number): boolean {
  if (tx.locktime === 0) return true;
  if (tx.locktime < (tx.locktime < LOCKTIME_THRESHOLD ? height : time)) return true;
  return tx.inputs.every((i) => i.sequence === SEQUENCE_FINAL);
}

/**
 * Core's `ContextualCheckBlock`: finality ("bad-txns-nonfinal", against the parent's median time past once CSV
 * is active), the coinbase height ("bad-cb-height", BIP34), the witness commitment
 * ("bad-witness-nonce-size", "bad-witness-merkle-match", "unexpected-witness") and the weight ("bad-blk-weight").
 */
export function contextualCheckBlock(
  block: Block,
  prev: IndexEntry,
  params: ChainParams,
): BlockValidationState {
  const c = params.consensus;
  const height = prev.height + 1;
  const cutoff = height >= c.csvHeight ? prev.medianTimePast : block.header.time;
  for (const tx of block.txs) {
    if (!isFinalTx(tx, height, cutoff)) {
      return invalid("BLOCK_CONSENSUS", "bad-txns-nonfinal", "non-final transaction");
    }
  }
  if (height >= c.bip34Height) {
    const expect = pushInt(height);
    const sig = block.txs[0].inputs[0].scriptSig;
    let ok = sig.length >= expect.length;
    for (let i = 0; ok && i < expect.length; i++) ok = sig[i] === expect[i];
    if (!ok) return invalid("BLOCK_CONSENSUS", "bad-cb-height", "block height mismatch in coinbase");
  }
  const w = checkWitnessMalleation(block, height >= c.segwitHeight);
  if (!w.valid) return w;
  return checkBlockWeight(block);
}

/** What {@link connectBlock} needs from the chain. */
export interface ConnectContext {
  /** Network parameters. */
  readonly params: ChainParams;
  /** The script verification pool. */
  readonly pool: ScriptCheckPool;
  /** Verify scripts (false below an assumed-valid block). Default true. */
  readonly checkScripts?: boolean;
  /**
   * Only checking (TestBlockValidity; Core's `fJustCheck`): script results are then stored in the script
   * execution cache, as Core does; a block being connected only consults it.
   */
  readonly justCheck?: boolean;
}

/** Result of {@link connectBlock}. */
export interface ConnectResult {
  /** VALID or the reject reason. */
  readonly state: BlockValidationState;
  /** Undo data (per non-coinbase transaction) when valid. */
  readonly undo?: BlockUndo;
  /** Total fees. */
  readonly fees?: bigint;
}

/** Core's `BIP34_IMPLIES_BIP30_LIMIT`: from this height BIP30 is checked again on every network. */
export const BIP34_IMPLIES_BIP30_LIMIT = 1_983_702;

const BIP30_INVALID = (): BlockValidationState =>
  invalid("BLOCK_CONSENSUS", "bad-txns-BIP30", "tried to overwrite transaction");

function createdOutpoints(block: Block, txids: readonly Uint8Array[]): OutPoint[] {
  const out: OutPoint[] = [];
  for (let t = 0; t < block.txs.length; t++) {
    for (let o = 0; o < block.txs[t].outputs.length; o++) out.push({ txid: txids[t], vout: o });
  }
  return out;
}

/**
 * Core's `ConnectBlock` on `view` (a child cache whose base holds the UTXO set before the block; the caller
 * flushes it into the tip cache only on success): BIP30, inputs, maturity, amounts, BIP68 sequence locks, sigop
 * cost, coinbase amount, then scripts. The block at `entry` must extend the view's best block.
 *
 * BIP30 is enforced where Core enforces it (every block unless the chain has the network's BIP34 block, and from
 * {@link BIP34_IMPLIES_BIP30_LIMIT}), with the same verdicts, but without reading the coins database for a
 * valid block when BIP34 is active from height 1 (regtest, testnet4, signet): every coinbase then starts with
 * its own height, so no coinbase can repeat, and a non-coinbase transaction can only repeat if the coins it
 * spends were created again, which again needs a repeated coinbase; so a block whose inputs are all there cannot
 * overwrite a coin. The created outputs are then looked up only when the block fails for another reason, to
 * report "bad-txns-BIP30" first as Core does (its check comes before all others).
 */
export async function connectBlock(
  block: Block,
  entry: IndexEntry,
  view: CoinsCache,
  ctx: ConnectContext,
): Promise<ConnectResult> {
  const c = ctx.params.consensus;
  if (entry.prev === null) {
    view.setBestBlock(entry.hash);
    return { state: VALID, undo: { txUndo: [] }, fees: 0n };
  }
  const txids = block.txs.map((tx) => txid(tx));
  // Regtest and other networks without a matching BIP34 hash enforce BIP30 on every block (Core's rule).
  const bip34Entry = entry.prev.ancestor(c.bip34Height);
  const enforceBIP30 = bip34Entry === null || bip34Entry.hashHex !== c.bip34Hash ||
    entry.height >= BIP34_IMPLIES_BIP30_LIMIT;
  const bip30FromDatabase = enforceBIP30 && c.bip34Height > 1;
  const bip30Deferred = enforceBIP30 && !bip30FromDatabase;
  // Prefetch every coin the block reads in one batch: spent outputs, and created outputs for BIP30.
  const wanted: OutPoint[] = bip30FromDatabase ? createdOutpoints(block, txids) : [];
  for (let t = 1; t < block.txs.length; t++) for (const i of block.txs[t].inputs) wanted.push(i.prevout);
  await view.fetchCoins(wanted);
  if (bip30FromDatabase) {
    for (let t = 0; t < block.txs.length; t++) {
      for (let o = 0; o < block.txs[t].outputs.length; o++) {
        if (view.haveCoinInCache({ txid: txids[t], vout: o })) return { state: BIP30_INVALID() };
      }
    }
  }
  const r = await connectTransactions(block, entry, view, ctx, txids, bip30Deferred);
  if (r.state.valid || !bip30Deferred || r.state.reason === "bad-txns-BIP30") return r;
  const before = await view.base.getCoins(createdOutpoints(block, txids));
  return before.some((coin) => coin !== undefined) ? { state: BIP30_INVALID() } : r;
}

/** ConnectBlock after the BIP30 check; `bip30InCache` checks each new coin against the view as it is added. */
async function connectTransactions(
  block: Block,
  entry: IndexEntry,
  view: CoinsCache,
  ctx: ConnectContext,
  txids: readonly Uint8Array[],
  bip30InCache: boolean,
): Promise<ConnectResult> {
  const { params } = ctx;
  const c = params.consensus;
  const height = entry.height;
  const flags = scriptFlagsFor(params, height, entry.hashHex);
  const enforceBIP68 = height >= c.csvHeight;
  let fees = 0n;
  let sigops = 0;
  const txUndo: TxUndo[] = [];
  const checks: ScriptCheckTx[] = [];
  for (let t = 0; t < block.txs.length; t++) {
    const tx = block.txs[t];
    const id = txids[t];
    const fail = (reason: string, debug: string) =>
      invalid("BLOCK_CONSENSUS", reason, `${debug} in transaction ${hashToHex(id)}`);
    let spent: Coin[] = [];
    if (t > 0) {
      spent = [];
      for (const input of tx.inputs) {
        const coin = view.accessCoin(input.prevout);
        if (coin === undefined) {
          return { state: fail("bad-txns-inputs-missingorspent", "CheckTxInputs: inputs missing/spent") };
        }
        spent.push(coin);
      }
      // Core's ConnectBlock: CheckTxInputs' reason, its debug text with the transaction named.
      const inputs = checkTxInputs(tx, spent, height);
      if (!inputs.state.valid) return { state: fail(inputs.state.reason, inputs.state.debug ?? "") };
      const fee = inputs.fee;
      fees += fee;
      if (!moneyRange(fees)) {
        return {
          state: invalid(
            "BLOCK_CONSENSUS",
            "bad-txns-accumulated-fee-outofrange",
            "accumulated fee in the block out of range",
          ),
        };
      }
      if (enforceBIP68 && !sequenceLocksSatisfied(tx, spent, entry)) {
        return {
          state: invalid(
            "BLOCK_CONSENSUS",
            "bad-txns-nonfinal",
            `contains a non-BIP68-final transaction ${hashToHex(id)}`,
          ),
        };
      }
    }
    const outs: TxOut[] = spent.map((s) => s.out);
    sigops += getTransactionSigOpCost(tx, outs, flags);
    if (sigops > MAX_BLOCK_SIGOPS_COST) {
      return { state: invalid("BLOCK_CONSENSUS", "bad-blk-sigops", "too many sigops") };
    }
    if (t > 0) {
      checks.push({ tx, spentOutputs: outs });
      const undoCoins: Coin[] = [];
      for (const input of tx.inputs) undoCoins.push(view.spendCachedCoin(input.prevout)!);
      txUndo.push({ prevouts: undoCoins });
    }
    // Core's AddCoins: a coinbase may overwrite (BIP30-era duplicates); others may not.
    const coinbase = t === 0;
    if (bip30InCache) {
      for (let o = 0; o < tx.outputs.length; o++) {
        if (view.haveCoinInCache({ txid: id, vout: o })) return { state: BIP30_INVALID() };
      }
    }
    for (let o = 0; o < tx.outputs.length; o++) {
      view.addCoin({ txid: id, vout: o }, { out: tx.outputs[o], height, coinbase }, coinbase);
    }
  }
  let coinbaseOut = 0n;
  for (const o of block.txs[0].outputs) coinbaseOut += o.value;
  const reward = fees + getBlockSubsidy(height, c);
  if (coinbaseOut > reward) {
    return {
      state: invalid(
        "BLOCK_CONSENSUS",
        "bad-cb-amount",
        `coinbase pays too much (actual=${coinbaseOut} vs limit=${reward})`,
      ),
    };
  }
  if ((ctx.checkScripts ?? true) && checks.length > 0) {
    const r = await ctx.pool.verify(checks, { flags, cacheStore: ctx.justCheck ?? false });
    if (!r.valid) return { state: invalid("BLOCK_CONSENSUS", r.reason, r.debug) };
  }
  view.setBestBlock(entry.hash);
  return { state: VALID, undo: { txUndo }, fees };
}

/** Core's `CalculateSequenceLocks` + `EvaluateSequenceLocks` for a transaction in the block at `entry`. */
export function sequenceLocksSatisfied(tx: Transaction, spent: readonly Coin[], entry: IndexEntry): boolean {
  const locks = calculateSequenceLocks(
    tx,
    spent.map((c) => c.height),
    (h) => entry.ancestor(h)!.medianTimePast,
  );
  return evaluateSequenceLocks(locks, entry.height, entry.prev!.medianTimePast);
}

/** Result of {@link disconnectBlock}: "ok", "unclean" (inconsistencies were repaired) or "failed". */
export type DisconnectResult = "ok" | "unclean" | "failed";

/**
 * Core's `DisconnectBlock`: removes the block's outputs and restores the coins it spent from `undo`, setting the
 * view's best block to the parent.
 */
export async function disconnectBlock(
  block: Block,
  entry: IndexEntry,
  undo: BlockUndo,
  view: CoinsCache,
): Promise<DisconnectResult> {
  if (undo.txUndo.length + 1 !== block.txs.length) return "failed";
  let clean = true;
  const txids = block.txs.map((tx) => txid(tx));
  const wanted: OutPoint[] = [];
  for (let t = 0; t < block.txs.length; t++) {
    for (let o = 0; o < block.txs[t].outputs.length; o++) wanted.push({ txid: txids[t], vout: o });
    if (t > 0) { for (const i of block.txs[t].inputs) wanted.push(i.prevout); }
  }
  await view.fetchCoins(wanted);
  for (let t = block.txs.length - 1; t >= 0; t--) {
    const tx = block.txs[t];
    for (let o = 0; o < tx.outputs.length; o++) {
      const out = tx.outputs[o];
      if (out.scriptPubKey.length > 0 && out.scriptPubKey[0] === 0x6a) continue;
      if (out.scriptPubKey.length > 10_000) continue;
      const coin = view.spendCachedCoin({ txid: txids[t], vout: o });
      if (
        coin === undefined || coin.height !== entry.height || coin.coinbase !== (t === 0) ||
        coin.out.value !== out.value
      ) clean = false;
    }
    if (t > 0) {
      const prevouts = undo.txUndo[t - 1].prevouts;
      if (prevouts.length !== tx.inputs.length) return "failed";
      for (let i = tx.inputs.length - 1; i >= 0; i--) {
        const outpoint = tx.inputs[i].prevout;
        const overwrite = view.haveCoinInCache(outpoint);
        if (overwrite) clean = false;
        view.addCoin(outpoint, prevouts[i], overwrite);
      }
    }
  }
  view.setBestBlock(entry.prev!.hash);
  return clean ? "ok" : "unclean";
}
