/**
 * Coin selection benchmark: Core's selection (wallet/coin_selection) among 1,000 and 10,000 P2WPKH UTXOs —
 * the whole `selectCoins` driver (filter ladder, grouping, every applicable algorithm, least waste) and each
 * algorithm alone (BnB, CoinGrinder, Knapsack, SRD) — in ms per selection.
 *
 * Method: UTXO values log-uniform between 5,000 sat and 0.5 BTC, 68 vB inputs, all confirmed, a seeded rng
 * (same pools every run); targets 0.01 BTC (small payment) and 5% of the balance (large payment); feerates 5
 * sat/vB (below the 10 sat/vB long-term feerate: no CoinGrinder) and 50 sat/vB (CoinGrinder runs). Each case
 * runs `--runs` times (default 15 for 1,000 UTXOs, 5 for 10,000) after one warm-up; the median is reported.
 *
 * Usage: `deno run -A bench/coin_selection_bench.ts [--runs N] [--json]`.
 *
 * @module
 */
import { FeeRate } from "../node/policy/feerate.ts";
import {
  Coin,
  coinGrinder,
  coinSelectionParams,
  knapsackSolver,
  OutputGroup,
  seededRng,
  selectCoins,
  selectCoinsBnB,
  selectCoinsSRD,
  type SelectionOutcome,
} from "../wallet/coin_selection/mod.ts";

const runsArg = Deno.args.indexOf("--runs");
const runsOverride = runsArg >= 0 ? Number(Deno.args[runsArg + 1]) : undefined;
const json = Deno.args.includes("--json");

function pool(count: number, seed: number, feerate: FeeRate): Coin[] {
  const rng = seededRng(seed);
  const coins: Coin[] = [];
  for (let i = 0; i < count; i++) {
    const u = rng.randrange(1_000_000) / 1_000_000;
    const value = BigInt(Math.round(5000 * Math.pow(10_000, u))); // 5,000 sat .. 0.5 BTC
    const txid = new Uint8Array(32);
    new DataView(txid.buffer).setUint32(0, i + 1);
    new DataView(txid.buffer).setUint32(4, seed);
    coins.push(
      new Coin({
        outpoint: { txid, vout: 0 },
        txout: { value, scriptPubKey: new Uint8Array([0x00, 0x14, ...txid.slice(0, 20)]) },
        depth: 6 + (i % 100),
        inputBytes: 68,
        outputType: "bech32",
        feerate,
      }),
    );
  }
  return coins;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

interface Row {
  utxos: number;
  feerate: string;
  target: string;
  case: string;
  ms: number;
  inputs: number;
  algorithm: string;
}

const rows: Row[] = [];

async function measure(
  utxos: number,
  satPerVb: number,
  targetName: string,
  name: string,
  run: (seed: number) => SelectionOutcome | Promise<SelectionOutcome>,
): Promise<void> {
  const runs = runsOverride ?? (utxos >= 10_000 ? 5 : 15);
  await run(0); // warm-up
  const times: number[] = [];
  let last: SelectionOutcome = { ok: false };
  for (let i = 1; i <= runs; i++) {
    const t0 = performance.now();
    last = await run(i);
    times.push(performance.now() - t0);
  }
  rows.push({
    utxos,
    feerate: `${satPerVb} sat/vB`,
    target: targetName,
    case: name,
    ms: Number(median(times).toFixed(2)),
    inputs: last.ok ? last.result.size : 0,
    algorithm: last.ok ? last.result.algorithm : `failed: ${last.error ?? "insufficient funds"}`,
  });
}

const longTerm = FeeRate.fromSatPerKvB(10_000);
for (const utxos of [1_000, 10_000]) {
  for (const satPerVb of [5, 50]) {
    const eff = FeeRate.fromSatPerKvB(satPerVb * 1000);
    const coins = pool(utxos, utxos, eff);
    const balance = coins.reduce((a, c) => a + c.value, 0n);
    const groups = coins.map((c) => {
      const g = new OutputGroup({ longTermFeerate: longTerm });
      g.insert(c);
      return g;
    });
    const changeFee = eff.getFee(31);
    const discard = FeeRate.fromSatPerKvB(3000);
    const params = (seed: number) =>
      coinSelectionParams({
        rng: seededRng(seed),
        changeOutputSize: 31,
        changeSpendSize: 68,
        effectiveFeerate: eff,
        longTermFeerate: longTerm,
        discardFeerate: discard,
        changeFee,
        costOfChange: changeFee + discard.getFee(68),
        minViableChange: discard.getFee(68) + 1n,
        minChangeTarget: changeFee + 50_000n,
        txNoInputsSize: 42,
      });
    for (
      const [targetName, target] of [["0.01 BTC", 1_000_000n], ["5% of balance", balance / 20n]] as const
    ) {
      await measure(
        utxos,
        satPerVb,
        targetName,
        "selectCoins",
        (s) => selectCoins({ available: coins, target, params: params(s) }),
      );
      await measure(
        utxos,
        satPerVb,
        targetName,
        "BnB",
        () => selectCoinsBnB(groups, target, params(0).costOfChange, 399_832),
      );
      await measure(
        utxos,
        satPerVb,
        targetName,
        "CoinGrinder",
        () => coinGrinder(groups, target, 50_000n, 399_708),
      );
      await measure(
        utxos,
        satPerVb,
        targetName,
        "Knapsack",
        (s) => knapsackSolver(groups, target, 50_000n, seededRng(s), 399_708),
      );
      await measure(
        utxos,
        satPerVb,
        targetName,
        "SRD",
        (s) => selectCoinsSRD(groups, target, changeFee, seededRng(s), 399_708),
      );
    }
  }
}

if (json) {
  console.log(JSON.stringify(rows));
} else {
  console.log(
    `Coin selection, Deno ${Deno.version.deno}, load average ${
      Deno.loadavg().map((x) => x.toFixed(2)).join(" ")
    }`,
  );
  console.log("| UTXOs | feerate | target | case | median ms | inputs | chosen |");
  console.log("| ---: | --- | --- | --- | ---: | ---: | --- |");
  for (const r of rows) {
    console.log(
      `| ${
        r.utxos.toLocaleString("en")
      } | ${r.feerate} | ${r.target} | ${r.case} | ${r.ms} | ${r.inputs} | ${r.algorithm} |`,
    );
  }
}
