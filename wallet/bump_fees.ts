/**
 * Bump fees of unconfirmed coins (Core's `Chain::calculateIndividualBumpFees` and `calculateCombinedBumpFee`,
 * node/mini_miner.cpp): the fee a new transaction must add so that the unconfirmed ancestry of the coins it spends
 * reaches its feerate. Core's MiniMiner simulates block building over the mempool cluster: ancestor sets that pay
 * the target feerate (alone or through other descendants) are mined first and need no bump; the rest is bumped.
 *
 * The wallet sees only its own transactions, so the simulation runs over the wallet's in-mempool transactions
 * when they make up the whole ancestry (checked against the node's ancestor counts); otherwise the node's
 * aggregated ancestor package (`getTransactionAncestry`) gives the bump.
 *
 * @module
 */
import type { FeeRate } from "../node/policy/feerate.ts";
import { transactionVsize } from "../core/wire/mod.ts";
import type { OutPoint } from "../core/wire/types.ts";
import type { WalletCore, WalletTx } from "./types.ts";

/** A mempool transaction as the mock miner sees it. */
interface MockTx {
  readonly fee: bigint;
  readonly vsize: number;
  /** In-mempool parents inside the cluster. */
  readonly parents: Set<string>;
}

function hexOf(txid: Uint8Array): string {
  let s = "";
  for (let i = txid.length - 1; i >= 0; i--) s += txid[i].toString(16).padStart(2, "0");
  return s;
}

function bytesOf(hex: string): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[31 - i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const inMempool = (wtx: WalletTx | undefined): wtx is WalletTx => wtx?.state.kind === "inMempool";

/**
 * The wallet's in-mempool cluster around `txids` (ancestors and descendants), without the transactions the new
 * one replaces (spenders of `spent` and their descendants); undefined when a fee is unknown (an input the wallet
 * does not know).
 */
function walletCluster(
  wallet: WalletCore,
  txids: readonly string[],
  spent: readonly OutPoint[],
): Map<string, MockTx> | undefined {
  const replaced = new Set<string>();
  const stack: string[] = [];
  for (const o of spent) for (const s of wallet.spenders(o)) if (inMempool(wallet.getTx(s))) stack.push(s);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (replaced.has(id)) continue;
    replaced.add(id);
    const wtx = wallet.getTx(id)!;
    const txid = bytesOf(id);
    for (let vout = 0; vout < wtx.tx.outputs.length; vout++) {
      for (const s of wallet.spenders({ txid, vout })) if (inMempool(wallet.getTx(s))) stack.push(s);
    }
  }
  const cluster = new Map<string, MockTx>();
  const queue = txids.filter((t) => inMempool(wallet.getTx(t)) && !replaced.has(t));
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (cluster.has(id) || replaced.has(id)) continue;
    const wtx = wallet.getTx(id)!;
    let inputs = 0n;
    const parents = new Set<string>();
    for (const input of wtx.tx.inputs) {
      const parentId = hexOf(input.prevout.txid);
      const parent = wallet.getTx(parentId);
      const out = parent?.tx.outputs[input.prevout.vout];
      if (out === undefined) return undefined;
      inputs += out.value;
      if (inMempool(parent)) {
        parents.add(parentId);
        queue.push(parentId);
      }
    }
    let outputs = 0n;
    for (const o of wtx.tx.outputs) outputs += o.value;
    cluster.set(id, { fee: inputs - outputs, vsize: transactionVsize(wtx.tx), parents });
    const txid = bytesOf(id);
    for (let vout = 0; vout < wtx.tx.outputs.length; vout++) {
      for (const s of wallet.spenders({ txid, vout })) if (inMempool(wallet.getTx(s))) queue.push(s);
    }
  }
  for (const tx of cluster.values()) for (const p of tx.parents) if (!cluster.has(p)) return undefined;
  return cluster;
}

/** The ancestors of `id` (itself included) among `remaining`. */
function ancestorsOf(
  id: string,
  cluster: ReadonlyMap<string, MockTx>,
  remaining: ReadonlySet<string>,
): Set<string> {
  const out = new Set<string>();
  const stack = [id];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (out.has(t) || !remaining.has(t)) continue;
    out.add(t);
    for (const p of cluster.get(t)!.parents) stack.push(p);
  }
  return out;
}

function totals(set: Iterable<string>, cluster: ReadonlyMap<string, MockTx>): { fee: bigint; vsize: number } {
  let fee = 0n, vsize = 0;
  for (const t of set) {
    const tx = cluster.get(t)!;
    fee += tx.fee;
    vsize += tx.vsize;
  }
  return { fee, vsize };
}

/**
 * Core's `MiniMiner::BuildMockTemplate`: mines the best ancestor set while it pays at least `feeRate`; returns
 * the transactions left unmined.
 */
function unmined(cluster: ReadonlyMap<string, MockTx>, feeRate: FeeRate): Set<string> {
  const remaining = new Set(cluster.keys());
  for (;;) {
    let best: { set: Set<string>; fee: bigint; vsize: number } | undefined;
    for (const id of remaining) {
      const set = ancestorsOf(id, cluster, remaining);
      const { fee, vsize } = totals(set, cluster);
      if (best === undefined || fee * BigInt(best.vsize) > best.fee * BigInt(vsize)) {
        best = { set, fee, vsize };
      }
    }
    if (best === undefined || best.fee < feeRate.getFee(best.vsize)) return remaining;
    for (const id of best.set) remaining.delete(id);
  }
}

/** The mock miner over the wallet's cluster, when it covers every target's whole mempool ancestry. */
async function walletMiner(
  wallet: WalletCore,
  txids: readonly string[],
  spent: readonly OutPoint[],
  feeRate: FeeRate,
): Promise<{ cluster: Map<string, MockTx>; remaining: Set<string> } | undefined> {
  const cluster = walletCluster(wallet, txids, spent);
  if (cluster === undefined) return undefined;
  const all = new Set(cluster.keys());
  for (const id of txids) {
    if (!cluster.has(id)) continue;
    const a = await wallet.chain.getTransactionAncestry(id);
    if (a.ancestors !== ancestorsOf(id, cluster, all).size) return undefined;
  }
  return { cluster, remaining: unmined(cluster, feeRate) };
}

/**
 * Core's `calculateIndividualBumpFees`: per transaction (display txid) of `outpoints`, the fee that lifts its
 * unmined ancestry to `feeRate` (0 when confirmed, not in the mempool, or already paid for).
 */
export async function individualBumpFees(
  wallet: WalletCore,
  outpoints: readonly OutPoint[],
  feeRate: FeeRate,
): Promise<Map<string, bigint>> {
  const txids = [...new Set(outpoints.map((o) => hexOf(o.txid)))];
  const out = new Map<string, bigint>();
  const miner = await walletMiner(wallet, txids, outpoints, feeRate);
  for (const id of txids) {
    let bump: bigint;
    if (miner !== undefined && miner.cluster.has(id)) {
      const { fee, vsize } = totals(ancestorsOf(id, miner.cluster, miner.remaining), miner.cluster);
      bump = vsize === 0 ? 0n : feeRate.getFee(vsize) - fee;
    } else {
      const a = await wallet.chain.getTransactionAncestry(id);
      bump = a.ancestors === 0 ? 0n : feeRate.getFee(a.ancestorSize) - a.ancestorFees;
    }
    out.set(id, bump > 0n ? bump : 0n);
  }
  return out;
}

/**
 * Core's `calculateCombinedBumpFee`: the fee to lift the unmined ancestry of all `outpoints` together (shared
 * ancestors counted once).
 */
export async function combinedBumpFee(
  wallet: WalletCore,
  outpoints: readonly OutPoint[],
  feeRate: FeeRate,
): Promise<bigint> {
  const txids = [...new Set(outpoints.map((o) => hexOf(o.txid)))];
  const miner = await walletMiner(wallet, txids, outpoints, feeRate);
  let total = 0n;
  const union = new Set<string>();
  for (const id of txids) {
    if (miner !== undefined && miner.cluster.has(id)) {
      for (const t of ancestorsOf(id, miner.cluster, miner.remaining)) union.add(t);
    } else {
      const a = await wallet.chain.getTransactionAncestry(id);
      const bump = a.ancestors === 0 ? 0n : feeRate.getFee(a.ancestorSize) - a.ancestorFees;
      if (bump > 0n) total += bump;
    }
  }
  if (miner !== undefined && union.size > 0) {
    const { fee, vsize } = totals(union, miner.cluster);
    const bump = feeRate.getFee(vsize) - fee;
    if (bump > 0n) total += bump;
  }
  return total;
}
