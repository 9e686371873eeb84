/**
 * Script verification benchmark: the raw signature verification ceiling of core/crypto's default backend, then
 * whole blocks verified by the interpreter — a block of 2,000 P2WPKH inputs (ECDSA, BIP143) and one of 1,000
 * P2TR key-path inputs (BIP340 Schnorr, BIP341) — single-threaded and with the Worker pool.
 *
 * Method: the blocks are built once with real signatures (tests/core/verify/signed_txs.ts; 2 inputs per
 * transaction, decoded from their bytes as a received block's would be). Rows:
 * - raw ECDSA / Schnorr: `Secp256k1.verifyEcdsa`/`verifySchnorr` on exactly those signatures, sighashes and keys
 *   (compact signatures, DER parsing excluded): the ceiling.
 * - sighash only: the signature hashes alone (one `PrecomputedTransactionData` per transaction, as the checks
 *   share it), to show where interpreter time goes.
 * - interpreter, 1 thread: `checkInputScripts` per transaction under the block flags (MANDATORY_SCRIPT_VERIFY_FLAGS)
 *   — interpreter, sighash, DER parsing, HASH160 and verification; no caches.
 * - pool: `ScriptCheckPool.verify` of the whole block (job layout, Worker decoding and all), with 1 Worker plus
 *   the calling thread (Core's `-par` default on 2 cores) and with 2 Workers while the calling thread waits.
 * Rates are sigops (inputs) per second. Interpreter overhead = raw rate / interpreter rate − 1; speed-up = pool
 * rate / interpreter rate. Rows run in interleaved rounds (round r of every row before round r+1 of any) after
 * a warm-up round; each row reports its best and median round.
 *
 * Usage: `deno run -A --unstable-worker-options bench/core_verify_bench.ts [--quick] [--json]`.
 *
 * @module
 */

import { defaultSecp256k1 } from "../core/crypto/default_backend.ts";
import { parseDerLax } from "../core/crypto/der.ts";
import { hash160 } from "../core/hash/hashes.ts";
import { MANDATORY_SCRIPT_VERIFY_FLAGS } from "../core/script/flags.ts";
import { PrecomputedTransactionData, signatureHash, signatureHashSchnorr } from "../core/script/sighash.ts";
import { checkInputScripts } from "../core/verify/input_check.ts";
import type { ScriptCheckTx } from "../core/verify/job.ts";
import { ScriptCheckPool } from "../core/verify/pool.ts";
import { buildSignedTxs } from "../tests/core/verify/signed_txs.ts";

/** One result row. */
export interface VerifyBenchRow {
  /** What was measured. */
  readonly what: string;
  /** Best round, sigops (inputs) per second. */
  readonly perSecond: number;
  /** Median round. */
  readonly medianPerSecond: number;
}

interface Row {
  what: string;
  /** One round; returns the number of sigops done. */
  round(): number | Promise<number>;
  rates: number[];
}

const FLAGS = MANDATORY_SCRIPT_VERIFY_FLAGS;

interface RawCase {
  sig: Uint8Array;
  msg: Uint8Array;
  key: Uint8Array;
}

/** The (signature, sighash, key) of every input, for the raw rows. */
function rawCases(block: readonly ScriptCheckTx[], kind: "p2wpkh" | "p2tr"): RawCase[] {
  const out: RawCase[] = [];
  for (const { tx, spentOutputs } of block) {
    const pre = new PrecomputedTransactionData(tx, spentOutputs);
    tx.inputs.forEach((input, i) => {
      if (kind === "p2wpkh") {
        const der = input.witness[0];
        const pub = input.witness[1];
        const code = new Uint8Array([0x76, 0xa9, 0x14, ...hash160(pub), 0x88, 0xac]);
        const msg = signatureHash(code, tx, i, der[der.length - 1], {
          sigversion: "witness_v0",
          amount: spentOutputs[i].value,
          precomputed: pre,
        });
        out.push({ sig: parseDerLax(der.subarray(0, der.length - 1))!, msg, key: pub });
      } else {
        const msg = signatureHashSchnorr(tx, i, 0, "taproot", { annex: null }, pre)!;
        out.push({ sig: input.witness[0], msg, key: spentOutputs[i].scriptPubKey.subarray(2) });
      }
    });
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Runs every row; returns the rows and the derived ratios. */
export async function runVerifyBench(quick = false): Promise<{
  rows: VerifyBenchRow[];
  overhead: { p2wpkh: number; p2tr: number };
  speedup: Record<string, number>;
}> {
  const secp = defaultSecp256k1();
  const nWpkh = quick ? 500 : 2000;
  const nTr = quick ? 250 : 1000;
  const wpkh = buildSignedTxs({ kind: "p2wpkh", inputs: nWpkh, inputsPerTx: 2, seed: 1 });
  const tr = buildSignedTxs({ kind: "p2tr", inputs: nTr, inputsPerTx: 2, seed: 2 });
  const rawW = rawCases(wpkh, "p2wpkh");
  const rawT = rawCases(tr, "p2tr");
  const pool1 = await ScriptCheckPool.create({ workers: 1 });
  const pool2 = await ScriptCheckPool.create({ workers: 2, mainThreadWorks: false });
  try {
    const single = (block: readonly ScriptCheckTx[]) => () => {
      let n = 0;
      for (const { tx, spentOutputs } of block) {
        const r = checkInputScripts(tx, { flags: FLAGS, spentOutputs, secp });
        if (!r.valid) throw new Error(`Benchmark block failed: ${r.reason}`);
        n += tx.inputs.length;
      }
      return n;
    };
    const pooled = (pool: ScriptCheckPool, block: readonly ScriptCheckTx[]) => async () => {
      const r = await pool.verify(block, { flags: FLAGS });
      if (!r.valid) throw new Error(`Benchmark block failed: ${r.reason}`);
      return r.checks;
    };
    const sighashes = (block: readonly ScriptCheckTx[], kind: "p2wpkh" | "p2tr") => () => {
      let n = 0;
      for (const { tx, spentOutputs } of block) {
        const pre = new PrecomputedTransactionData(tx, spentOutputs);
        for (let i = 0; i < tx.inputs.length; i++, n++) {
          if (kind === "p2wpkh") {
            const code = new Uint8Array([0x76, 0xa9, 0x14, ...hash160(tx.inputs[i].witness[1]), 0x88, 0xac]);
            signatureHash(code, tx, i, 1, {
              sigversion: "witness_v0",
              amount: spentOutputs[i].value,
              precomputed: pre,
            });
          } else {
            signatureHashSchnorr(tx, i, 0, "taproot", { annex: null }, pre);
          }
        }
      }
      return n;
    };
    const rows: Row[] = [
      {
        what: "raw ECDSA verify",
        rates: [],
        round() {
          for (const c of rawW) {
            if (!secp.verifyEcdsa(c.sig, c.msg, c.key)) throw new Error("raw ECDSA failed");
          }
          return rawW.length;
        },
      },
      {
        what: "raw Schnorr verify",
        rates: [],
        round() {
          for (const c of rawT) {
            if (!secp.verifySchnorr(c.sig, c.msg, c.key)) throw new Error("raw Schnorr failed");
          }
          return rawT.length;
        },
      },
      { what: "sighash only, P2WPKH (BIP143 + HASH160)", rates: [], round: sighashes(wpkh, "p2wpkh") },
      { what: "sighash only, P2TR (BIP341)", rates: [], round: sighashes(tr, "p2tr") },
      { what: `interpreter 1 thread, ${nWpkh} P2WPKH`, rates: [], round: single(wpkh) },
      { what: `interpreter 1 thread, ${nTr} P2TR key path`, rates: [], round: single(tr) },
      { what: `pool 1 worker + caller, ${nWpkh} P2WPKH`, rates: [], round: pooled(pool1, wpkh) },
      { what: `pool 1 worker + caller, ${nTr} P2TR key path`, rates: [], round: pooled(pool1, tr) },
      { what: `pool 2 workers, ${nWpkh} P2WPKH`, rates: [], round: pooled(pool2, wpkh) },
      { what: `pool 2 workers, ${nTr} P2TR key path`, rates: [], round: pooled(pool2, tr) },
    ];
    for (const row of rows) await row.round(); // warm-up (JIT, Worker start)
    const rounds = quick ? 3 : 7;
    for (let r = 0; r < rounds; r++) {
      for (const row of rows) {
        const t0 = performance.now();
        const n = await row.round();
        row.rates.push(n / ((performance.now() - t0) / 1000));
      }
    }
    const out = rows.map((r) => ({
      what: r.what,
      perSecond: Math.max(...r.rates),
      medianPerSecond: median(r.rates),
    }));
    const rate = (prefix: string) => out.find((r) => r.what.startsWith(prefix))!.medianPerSecond;
    const singleW = rate(`interpreter 1 thread, ${nWpkh}`);
    const singleT = rate(`interpreter 1 thread, ${nTr}`);
    return {
      rows: out,
      overhead: { p2wpkh: rate("raw ECDSA") / singleW - 1, p2tr: rate("raw Schnorr") / singleT - 1 },
      speedup: {
        "1 worker + caller, P2WPKH": rate(`pool 1 worker + caller, ${nWpkh}`) / singleW,
        "1 worker + caller, P2TR": rate(`pool 1 worker + caller, ${nTr}`) / singleT,
        "2 workers, P2WPKH": rate(`pool 2 workers, ${nWpkh}`) / singleW,
        "2 workers, P2TR": rate(`pool 2 workers, ${nTr}`) / singleT,
      },
    };
  } finally {
    await pool1.close();
    await pool2.close();
  }
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const json = Deno.args.includes("--json");
  const load = () => Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
  const before = load();
  const result = await runVerifyBench(quick);
  console.log(
    `backend ${defaultSecp256k1().name}, ${navigator.hardwareConcurrency} CPUs, load ${before} -> ${load()}`,
  );
  console.log(`${"what".padEnd(44)} ${"sigops/s (best)".padStart(16)} ${"sigops/s (median)".padStart(18)}`);
  for (const r of result.rows) {
    console.log(
      `${r.what.padEnd(44)} ${Math.round(r.perSecond).toString().padStart(16)} ${
        Math.round(r.medianPerSecond).toString().padStart(18)
      }`,
    );
  }
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  console.log(
    `interpreter overhead over raw verify (medians): P2WPKH ${pct(result.overhead.p2wpkh)}, ` +
      `P2TR ${pct(result.overhead.p2tr)} (goal ≤ 15%)`,
  );
  console.log(
    `pool speed-up over 1 thread (medians): ${
      Object.entries(result.speedup).map(([k, v]) => `${k} ${v.toFixed(2)}×`).join(", ")
    } (goal ≥ 1.7× on 2 cores)`,
  );
  if (json) console.log(JSON.stringify(result));
}
