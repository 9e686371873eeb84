/**
 * Signature verification benchmark: ECDSA and BIP340 Schnorr verifies per second of each `Secp256k1` backend
 * (@noble/curves and tiny-secp256k1) in one run. This is the ceiling for the interpreter benchmark.
 *
 * Method: 256 distinct key pairs and 32-byte messages (deterministic), signed once; ECDSA signatures are
 * verified through `Secp256k1.verifyEcdsa` from their compact form with 33-byte compressed keys (Core's P2WPKH
 * case: the interpreter's DER parse is excluded here), Schnorr through `verifySchnorr` with 32-byte x-only keys.
 * Each backend/kind is warmed up, then timed over several rounds of cycling through the 256 cases; the best
 * round's rate is reported (the median too). Every verification must return true (checked).
 *
 * Usage: `deno run -A bench/core_sig_bench.ts [--quick] [--json]` prints a table; under `deno bench` it
 * registers one verification per iteration for each backend and kind.
 *
 * @module
 */

import { nobleSecp256k1 } from "../core/crypto/noble_backend.ts";
import type { Secp256k1 } from "../core/crypto/secp256k1.ts";
import { tinySecp256k1 } from "../core/crypto/tiny_backend.ts";
import { sha256 } from "@noble/hashes/sha2.js";

/** Verification rates of one backend. */
export interface SigBenchFigures {
  backend: string;
  ecdsaPerSecond: number;
  ecdsaMedianPerSecond: number;
  schnorrPerSecond: number;
  schnorrMedianPerSecond: number;
}

interface Cases {
  msgs: Uint8Array[];
  pubkeys: Uint8Array[];
  xonly: Uint8Array[];
  ecdsaSigs: Uint8Array[];
  schnorrSigs: Uint8Array[];
}

/** Builds `n` deterministic key/message/signature cases (signed with `signer`). */
export function makeCases(n: number, signer: Secp256k1): Cases {
  const cases: Cases = { msgs: [], pubkeys: [], xonly: [], ecdsaSigs: [], schnorrSigs: [] };
  for (let i = 0; i < n; i++) {
    const sk = sha256(new TextEncoder().encode(`tsbtc sig bench key ${i}`));
    const msg = sha256(new TextEncoder().encode(`tsbtc sig bench msg ${i}`));
    const pub = signer.publicKeyCreate(sk);
    cases.msgs.push(msg);
    cases.pubkeys.push(pub);
    cases.xonly.push(pub.slice(1));
    cases.ecdsaSigs.push(signer.signEcdsa(msg, sk));
    cases.schnorrSigs.push(signer.signSchnorr(msg, sk));
  }
  return cases;
}

function timeRounds(rounds: number, perRound: number, fn: (i: number) => boolean): number[] {
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < perRound; i++) {
      if (!fn(i)) throw new Error(`Benchmark verification ${i} failed`);
    }
    const ms = performance.now() - t0;
    rates.push(Math.round(perRound / (ms / 1000)));
  }
  return rates;
}

function summarize(rates: number[]): { best: number; median: number } {
  const sorted = [...rates].sort((a, b) => a - b);
  return { best: sorted[sorted.length - 1], median: sorted[Math.floor(sorted.length / 2)] };
}

/** Measures one backend. `perRound` verifications per round, `rounds` rounds per kind. */
export function measure(secp: Secp256k1, cases: Cases, rounds: number, perRound: number): SigBenchFigures {
  const n = cases.msgs.length;
  const ecdsa = (i: number) =>
    secp.verifyEcdsa(cases.ecdsaSigs[i % n], cases.msgs[i % n], cases.pubkeys[i % n]);
  const schnorr = (i: number) =>
    secp.verifySchnorr(cases.schnorrSigs[i % n], cases.msgs[i % n], cases.xonly[i % n]);
  timeRounds(1, Math.max(50, perRound >> 2), ecdsa); // warm-up
  const e = summarize(timeRounds(rounds, perRound, ecdsa));
  timeRounds(1, Math.max(50, perRound >> 2), schnorr);
  const s = summarize(timeRounds(rounds, perRound, schnorr));
  return {
    backend: secp.name,
    ecdsaPerSecond: e.best,
    ecdsaMedianPerSecond: e.median,
    schnorrPerSecond: s.best,
    schnorrMedianPerSecond: s.median,
  };
}

/** Runs the whole benchmark: both backends, both kinds. */
export function runSigBench(quick = false): SigBenchFigures[] {
  const backends = [tinySecp256k1(), nobleSecp256k1()];
  const cases = makeCases(256, backends[0]);
  return backends.map((b) => measure(b, cases, quick ? 3 : 7, quick ? 300 : 2000));
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const figures = runSigBench(quick);
  if (Deno.args.includes("--json")) {
    console.log(JSON.stringify(figures, null, 2));
  } else {
    console.log("backend            ECDSA verifies/s (best / median)   Schnorr verifies/s (best / median)");
    for (const f of figures) {
      console.log(
        `${f.backend.padEnd(18)} ${`${f.ecdsaPerSecond} / ${f.ecdsaMedianPerSecond}`.padStart(32)}   ${
          `${f.schnorrPerSecond} / ${f.schnorrMedianPerSecond}`.padStart(34)
        }`,
      );
    }
  }
} else {
  const backends = [tinySecp256k1(), nobleSecp256k1()];
  const cases = makeCases(64, backends[0]);
  for (const b of backends) {
    let i = 0;
    Deno.bench(`ecdsa verify (${b.name})`, { group: "ecdsa" }, () => {
      const k = i++ & 63;
      if (!b.verifyEcdsa(cases.ecdsaSigs[k], cases.msgs[k], cases.pubkeys[k])) {
        throw new Error("verify failed");
      }
    });
    let j = 0;
    Deno.bench(`schnorr verify (${b.name})`, { group: "schnorr" }, () => {
      const k = j++ & 63;
      if (!b.verifySchnorr(cases.schnorrSigs[k], cases.msgs[k], cases.xonly[k])) {
        throw new Error("verify failed");
      }
    });
  }
}
