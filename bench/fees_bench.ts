/**
 * Fee estimator benchmark: `processTransaction` per transaction, `processBlock` for a block that confirms 2,000
 * tracked transactions, `estimateSmartFee` latency (economical and conservative, short to long targets),
 * `estimateRawFee`, and writing/reading the `fee_estimates.dat` bytes.
 *
 * Method: an estimator warmed with 200 blocks of synthetic history (2,000 transactions per block over 20
 * feerates from 1 to 200 sat/vB, each confirmed 1–12 blocks after entry, about 10,000 tracked in the mempool
 * at any time), at a height above 1008 so every horizon is in steady state. The timed block is one more of the
 * same history. Figures are medians of many rounds (`--quick`: fewer), after warm-up.
 *
 * Usage: `deno run -A bench/fees_bench.ts [--quick] [--json]` prints the table; under `deno bench` it
 * registers the estimate cases.
 *
 * @module
 */

import { BlockPolicyEstimator, type FeeEstimatorTx } from "../node/fees/block_policy_estimator.ts";

/** One benchmark figure. */
interface Row {
  case: string;
  value: number;
  unit: string;
  note: string;
}

const TX_PER_BLOCK = 2_000;

/** A deterministic history generator: each height, `TX_PER_BLOCK` transactions enter, mined later by feerate. */
class Workload {
  readonly estimator = new BlockPolicyEstimator();
  height = 5_000;
  #n = 0;
  #due = new Map<number, FeeEstimatorTx[]>();

  constructor() {
    this.estimator.processBlock(this.height, []);
  }

  /** The transactions entering at the current height (not yet given to the estimator). */
  arrivals(): FeeEstimatorTx[] {
    const out: FeeEstimatorTx[] = [];
    for (let i = 0; i < TX_PER_BLOCK; i++) {
      const cls = i % 20;
      const satPerVB = 1 + cls * 10.5;
      const vsize = 140 + (i % 7) * 30;
      out.push({
        txid: `t${this.#n++}`,
        height: this.height,
        fee: BigInt(Math.round(satPerVB * vsize)),
        vsize,
      });
    }
    return out;
  }

  /** Gives `txs` to the estimator and schedules them: higher feerates confirm sooner. */
  enter(txs: FeeEstimatorTx[]): void {
    for (let i = 0; i < txs.length; i++) {
      this.estimator.processTransaction(txs[i], true);
      const wait = 1 + Math.floor((19 - (i % 20)) * 11 / 19);
      const at = this.height + wait;
      let list = this.#due.get(at);
      if (!list) this.#due.set(at, list = []);
      list.push(txs[i]);
    }
  }

  /** The entries the next block confirms. */
  nextBlock(): FeeEstimatorTx[] {
    const list = this.#due.get(this.height + 1) ?? [];
    this.#due.delete(this.height + 1);
    return list;
  }

  /** Runs `blocks` full blocks. */
  run(blocks: number): void {
    for (let b = 0; b < blocks; b++) {
      this.enter(this.arrivals());
      const conf = this.nextBlock();
      this.height++;
      this.estimator.processBlock(this.height, conf);
    }
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(rounds: number, fn: () => void): number {
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return median(out);
}

/** Runs every case. */
export function runFeesBench(quick: boolean): Row[] {
  const rows: Row[] = [];
  const w = new Workload();
  const warm = quick ? 60 : 200;
  const t0 = performance.now();
  w.run(warm);
  const warmMs = performance.now() - t0;
  rows.push({
    case: `warm-up: ${warm} blocks × ${TX_PER_BLOCK} txs (enter + confirm)`,
    value: Math.round(warmMs / warm * 100) / 100,
    unit: "ms/block",
    note: `${w.estimator.trackedCount.toLocaleString("en-US")} tracked in the mempool after`,
  });

  const blockRounds = quick ? 10 : 40;
  const enterTimes: number[] = [];
  const blockTimes: number[] = [];
  let confirmed = 0;
  for (let r = 0; r < blockRounds; r++) {
    const txs = w.arrivals();
    let t = performance.now();
    w.enter(txs);
    enterTimes.push((performance.now() - t) * 1000 / txs.length);
    const conf = w.nextBlock();
    confirmed = conf.length;
    w.height++;
    t = performance.now();
    w.estimator.processBlock(w.height, conf);
    blockTimes.push(performance.now() - t);
  }
  rows.push({
    case: "processTransaction (tracked, new entry)",
    value: Math.round(median(enterTimes) * 100) / 100,
    unit: "µs/tx",
    note: `median of ${blockRounds} batches of ${TX_PER_BLOCK}`,
  });
  rows.push({
    case: `processBlock, ${confirmed.toLocaleString("en-US")} confirmed txs`,
    value: Math.round(median(blockTimes) * 100) / 100,
    unit: "ms",
    note: `median of ${blockRounds} blocks (decay of 3 horizons + records)`,
  });

  const rounds = quick ? 200 : 1_000;
  const e = w.estimator;
  for (
    const [target, conservative] of [[2, false], [6, false], [6, true], [144, false], [1008, true]] as const
  ) {
    const us = time(rounds, () => e.estimateSmartFee(target, conservative)) * 1000;
    const r = e.estimateSmartFee(target, conservative);
    rows.push({
      case: `estimateSmartFee(${target}, ${conservative ? "conservative" : "economical"})`,
      value: Math.round(us),
      unit: "µs",
      note: `→ ${r.feeRate} sat/kvB for ${r.returnedTarget} blocks`,
    });
  }
  const rawUs = time(rounds, () => {
    for (const hz of ["short", "medium", "long"] as const) e.estimateRawFee(6, 0.95, hz);
  }) * 1000;
  rows.push({
    case: "estimaterawfee 6 (3 horizons)",
    value: Math.round(rawUs),
    unit: "µs",
    note: "estimator part only",
  });
  let bytes: Uint8Array = new Uint8Array();
  const serMs = time(quick ? 20 : 100, () => bytes = e.serialize());
  rows.push({
    case: "serialize (fee_estimates.dat bytes)",
    value: Math.round(serMs * 1000) / 1000,
    unit: "ms",
    note: `${bytes.length.toLocaleString("en-US")} bytes`,
  });
  const deMs = time(quick ? 20 : 100, () => BlockPolicyEstimator.deserialize(bytes));
  rows.push({ case: "deserialize", value: Math.round(deMs * 1000) / 1000, unit: "ms", note: "" });
  return rows;
}

if (import.meta.main) {
  const rows = runFeesBench(Deno.args.includes("--quick"));
  if (Deno.args.includes("--json")) {
    console.log(JSON.stringify(rows, null, 2));
  } else {
    console.log("| case | figure | note |");
    console.log("|---|---|---|");
    for (const r of rows) {
      console.log(`| ${r.case} | ${r.value.toLocaleString("en-US")} ${r.unit} | ${r.note} |`);
    }
  }
} else {
  const w = new Workload();
  w.run(60);
  Deno.bench("estimateSmartFee(6, economical)", { group: "fees" }, () => {
    w.estimator.estimateSmartFee(6, false);
  });
  Deno.bench("estimateSmartFee(6, conservative)", { group: "fees" }, () => {
    w.estimator.estimateSmartFee(6, true);
  });
}
