/**
 * Chain benchmark: connecting a regtest block of 2,000 P2WPKH spends (2,000 inputs) and one of 2,000
 * transactions with two P2WPKH inputs each (4,000 inputs) through `Chainstate.processNewBlock` (context-free
 * checks, storage of the block, ConnectBlock with every signature verified by the Worker pool, undo data) —
 * ms per block and inputs/s — with the spent coins warm in the coins cache and cold (cache emptied into Deno KV
 * first, so they are read from the database).
 *
 * Method: fresh temp datadir; 101 blocks mined, then a fan-out block creating the coins, then the measured
 * block; signatures verified without signature or script caches. Figures are the best of `--rounds` (default 2).
 *
 * Usage: `deno run -A --unstable-kv --unstable-worker-options bench/chain_bench.ts [--workers N] [--rounds N]
 * [--json]`.
 *
 * @module
 */
import { chainParams } from "../core/chain_params.ts";
import { txid } from "../core/wire/transaction.ts";
import type { Transaction, TxOut } from "../core/wire/types.ts";
import { openChainstate } from "../node/chain/chainstate.ts";
import { buildBlock, spendP2wpkh, testKey } from "../tests/node/chain/block_builder.ts";

const params = chainParams("regtest");
const key = testKey(1);

interface Row {
  readonly case: string;
  readonly msPerBlock: number;
  readonly inputsPerSecond: number;
}

function arg(name: string, fallback: number): number {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
}

async function round(txCount: number, inputsPerTx: number, cold: boolean, workers: number): Promise<Row> {
  const dataDir = await Deno.makeTempDir({ prefix: "tsbtc_chain_bench_" });
  const cs = await openChainstate({ dataDir, params, workers });
  try {
    const mined = [];
    for (let i = 0; i < 101; i++) {
      const b = buildBlock({ prev: cs.tip(), params });
      const r = await cs.processNewBlock(b);
      if (!r.state.valid) throw new Error(r.state.reason);
      mined.push(b);
    }
    const coins = txCount * inputsPerTx;
    const cb = mined[0].txs[0];
    const each = (cb.outputs[0].value - 100_000n) / BigInt(coins);
    const outs: TxOut[] = Array.from({ length: coins }, () => ({ value: each, scriptPubKey: key.script }));
    const fan = spendP2wpkh(
      [{ outpoint: { txid: txid(cb), vout: 0 }, value: cb.outputs[0].value, key }],
      outs,
    );
    const fanId = txid(fan);
    let r = await cs.processNewBlock(buildBlock({ prev: cs.tip(), params, txs: [fan], fees: 100_000n }));
    if (!r.state.valid) throw new Error(r.state.reason);
    const txs: Transaction[] = [];
    for (let t = 0; t < txCount; t++) {
      const inputs = Array.from({ length: inputsPerTx }, (_, k) => ({
        outpoint: { txid: fanId, vout: t * inputsPerTx + k },
        value: each,
        key,
      }));
      txs.push(
        spendP2wpkh(inputs, [{ value: each * BigInt(inputsPerTx) - 1000n, scriptPubKey: key.script }]),
      );
    }
    const block = buildBlock({ prev: cs.tip(), params, txs, fees: 1000n * BigInt(txCount) });
    if (cold) await cs.storage.flushStateToDisk("force-flush");
    const t0 = performance.now();
    r = await cs.processNewBlock(block);
    const ms = performance.now() - t0;
    if (!r.state.valid) throw new Error(r.state.reason);
    return {
      case: `${txCount} txs × ${inputsPerTx} P2WPKH inputs, coins ${
        cold ? "cold (Deno KV)" : "warm (cache)"
      }`,
      msPerBlock: Math.round(ms * 10) / 10,
      inputsPerSecond: Math.round(coins / (ms / 1000)),
    };
  } finally {
    await cs.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

/** Runs every case; best of `rounds`. */
export async function runChainBench(rounds: number, workers: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [txCount, inputsPerTx] of [[2000, 1], [2000, 2]]) {
    for (const cold of [false, true]) {
      let best: Row | undefined;
      for (let i = 0; i < rounds; i++) {
        const row = await round(txCount, inputsPerTx, cold, workers);
        if (best === undefined || row.msPerBlock < best.msPerBlock) best = row;
      }
      rows.push(best!);
    }
  }
  return rows;
}

if (import.meta.main) {
  const rows = await runChainBench(arg("--rounds", 2), arg("--workers", 1));
  if (Deno.args.includes("--json")) {
    console.log(JSON.stringify(rows, null, 2));
  } else {
    console.log("| case | ms/block | inputs/s |");
    console.log("|---|---|---|");
    for (const r of rows) {
      console.log(`| ${r.case} | ${r.msPerBlock} | ${r.inputsPerSecond.toLocaleString("en-US")} |`);
    }
  }
}
