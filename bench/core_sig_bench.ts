/**
 * Signature verification benchmark: ECDSA and BIP340 Schnorr verifies per second of each `Secp256k1` backend
 * (tiny-secp256k1 and @noble/curves) in one run. This is the ceiling for the interpreter benchmark.
 *
 * Method: 256 distinct key pairs and 32-byte messages (deterministic), signed once. Raw rows: ECDSA verified
 * through `Secp256k1.verifyEcdsa` from the compact form with 33-byte compressed keys (DER parsing excluded),
 * Schnorr through `verifySchnorr` with 32-byte x-only keys. Checker rows: the same work behind
 * `TransactionSignatureChecker` as the interpreter calls it per signature (lax DER parse, BIP143 or BIP341
 * signature hash with one shared `PrecomputedTransactionData`, verification) for a 256-input transaction of
 * P2WPKH inputs and one of P2TR key-path inputs. Every check must succeed (checked).
 *
 * All rows are measured in interleaved rounds (round r of every row before round r+1 of any), so load from
 * other processes spreads evenly over them; each row reports its best round and the median round.
 *
 * Usage: `deno run -A bench/core_sig_bench.ts [--quick] [--json]` prints the table; under `deno bench` it
 * registers one raw verification per iteration for each backend and kind.
 *
 * @module
 */

import { sha256 } from "@noble/hashes/sha2.js";
import { encodeDer } from "../core/crypto/der.ts";
import { nobleSecp256k1 } from "../core/crypto/noble_backend.ts";
import type { Secp256k1 } from "../core/crypto/secp256k1.ts";
import { tinySecp256k1 } from "../core/crypto/tiny_backend.ts";
import { PrecomputedTransactionData, signatureHash, signatureHashSchnorr } from "../core/script/sighash.ts";
import { TransactionSignatureChecker } from "../core/script/tx_checker.ts";
import type { Transaction, TxOut } from "../core/wire/types.ts";

/** One benchmark row: operations per second. */
export interface SigBenchRow {
  /** Backend name. */
  backend: string;
  /** "ecdsa verify", "schnorr verify", "checker P2WPKH" or "checker P2TR key path". */
  kind: string;
  /** Best round, operations per second. */
  perSecond: number;
  /** Median round, operations per second. */
  medianPerSecond: number;
}

/** Deterministic keys, messages and signatures. */
export interface Cases {
  seckeys: Uint8Array[];
  msgs: Uint8Array[];
  pubkeys: Uint8Array[];
  xonly: Uint8Array[];
  ecdsaSigs: Uint8Array[];
  schnorrSigs: Uint8Array[];
}

/** Builds `n` deterministic key/message/signature cases (signed with `signer`). */
export function makeCases(n: number, signer: Secp256k1): Cases {
  const cases: Cases = { seckeys: [], msgs: [], pubkeys: [], xonly: [], ecdsaSigs: [], schnorrSigs: [] };
  for (let i = 0; i < n; i++) {
    const sk = sha256(new TextEncoder().encode(`tsbtc sig bench key ${i}`));
    const msg = sha256(new TextEncoder().encode(`tsbtc sig bench msg ${i}`));
    const pub = signer.publicKeyCreate(sk);
    cases.seckeys.push(sk);
    cases.msgs.push(msg);
    cases.pubkeys.push(pub);
    cases.xonly.push(pub.slice(1));
    cases.ecdsaSigs.push(signer.signEcdsa(msg, sk));
    cases.schnorrSigs.push(signer.signSchnorr(msg, sk));
  }
  return cases;
}

/** A signed transaction whose inputs all spend one kind of output. */
export interface SignedTx {
  tx: Transaction;
  spent: TxOut[];
  /** Per input: the signature as it appears in the witness (DER + hash type, or 64-byte Schnorr). */
  sigs: Uint8Array[];
  /** Per input: the public key (33-byte) or output key (32-byte x-only). */
  keys: Uint8Array[];
  /** Per input: the BIP143 script code (P2WPKH). */
  codes: Uint8Array[];
}

/** A transaction with the inputs of `cases`, all spending P2WPKH ("p2wpkh") or P2TR key path ("p2tr"), signed. */
export function makeSignedTx(cases: Cases, kind: "p2wpkh" | "p2tr", signer: Secp256k1): SignedTx {
  const n = cases.msgs.length;
  const tx: Transaction = {
    version: 2,
    locktime: 0,
    inputs: Array.from({ length: n }, (_, i) => ({
      prevout: { txid: sha256(Uint8Array.of(i & 0xff, i >> 8)), vout: i & 3 },
      scriptSig: new Uint8Array(0),
      sequence: 0xfffffffd,
      witness: [],
    })),
    outputs: [
      { value: 50_000n, scriptPubKey: new Uint8Array(22) },
      { value: 1_000n, scriptPubKey: new Uint8Array(34) },
    ],
  };
  const spent: TxOut[] = [];
  const keys: Uint8Array[] = [];
  const codes: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const keyHash = sha256(cases.pubkeys[i]).subarray(0, 20); // stands in for HASH160: only the code is signed
    keys.push(kind === "p2wpkh" ? cases.pubkeys[i] : cases.xonly[i]);
    codes.push(Uint8Array.from([0x76, 0xa9, 0x14, ...keyHash, 0x88, 0xac]));
    spent.push({
      value: 100_000n + BigInt(i),
      scriptPubKey: kind === "p2wpkh"
        ? Uint8Array.from([0x00, 0x14, ...keyHash])
        : Uint8Array.from([0x51, 0x20, ...cases.xonly[i]]),
    });
  }
  const pre = new PrecomputedTransactionData(tx, spent);
  const sigs: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    if (kind === "p2wpkh") {
      const h = signatureHash(codes[i], tx, i, 1, {
        sigversion: "witness_v0",
        amount: spent[i].value,
        precomputed: pre,
      });
      sigs.push(Uint8Array.from([...encodeDer(signer.signEcdsa(h, cases.seckeys[i])), 1]));
    } else {
      const h = signatureHashSchnorr(tx, i, 0, "taproot", { annex: null }, pre)!;
      sigs.push(signer.signSchnorr(h, cases.seckeys[i]));
    }
  }
  return { tx, spent, sigs, keys, codes };
}

interface Job {
  backend: string;
  kind: string;
  /** Runs one round; returns the number of operations done. */
  round(): number;
  rates: number[];
}

function rawJob(secp: Secp256k1, cases: Cases, kind: "ecdsa" | "schnorr", perRound: number): Job {
  const n = cases.msgs.length;
  return {
    backend: secp.name,
    kind: `${kind} verify`,
    rates: [],
    round() {
      for (let i = 0; i < perRound; i++) {
        const k = i % n;
        const ok = kind === "ecdsa"
          ? secp.verifyEcdsa(cases.ecdsaSigs[k], cases.msgs[k], cases.pubkeys[k])
          : secp.verifySchnorr(cases.schnorrSigs[k], cases.msgs[k], cases.xonly[k]);
        if (!ok) throw new Error(`Benchmark verification ${k} failed (${secp.name} ${kind})`);
      }
      return perRound;
    },
  };
}

function checkerJob(secp: Secp256k1, signed: SignedTx, kind: "p2wpkh" | "p2tr"): Job {
  const n = signed.tx.inputs.length;
  return {
    backend: secp.name,
    kind: kind === "p2wpkh" ? "checker P2WPKH" : "checker P2TR key path",
    rates: [],
    round() {
      const precomputed = new PrecomputedTransactionData(signed.tx, signed.spent);
      for (let i = 0; i < n; i++) {
        const c = new TransactionSignatureChecker({
          tx: signed.tx,
          inputIndex: i,
          amount: signed.spent[i].value,
          precomputed,
          secp,
        });
        const ok = kind === "p2wpkh"
          ? c.checkEcdsaSignature(signed.sigs[i], signed.keys[i], signed.codes[i], "witness_v0")
          : c.checkSchnorrSignature(signed.sigs[i], signed.keys[i], "taproot", { annex: null }) === null;
        if (!ok) throw new Error(`Benchmark check of input ${i} failed (${secp.name} ${kind})`);
      }
      return n;
    },
  };
}

/** Runs every row in interleaved rounds. */
export function runSigBench(quick = false): SigBenchRow[] {
  const backends = [tinySecp256k1(), nobleSecp256k1()];
  const cases = makeCases(quick ? 64 : 256, backends[0]);
  const wpkh = makeSignedTx(cases, "p2wpkh", backends[0]);
  const tr = makeSignedTx(cases, "p2tr", backends[0]);
  const perRound = quick ? 128 : 512;
  const jobs: Job[] = backends.flatMap((b) => [
    rawJob(b, cases, "ecdsa", perRound),
    rawJob(b, cases, "schnorr", perRound),
    checkerJob(b, wpkh, "p2wpkh"),
    checkerJob(b, tr, "p2tr"),
  ]);
  for (const job of jobs) job.round(); // warm-up
  const rounds = quick ? 3 : 9;
  for (let r = 0; r < rounds; r++) {
    for (const job of jobs) {
      const t0 = performance.now();
      const ops = job.round();
      job.rates.push(Math.round(ops / ((performance.now() - t0) / 1000)));
    }
  }
  return jobs.map((job) => {
    const sorted = [...job.rates].sort((a, b) => a - b);
    return {
      backend: job.backend,
      kind: job.kind,
      perSecond: sorted[sorted.length - 1],
      medianPerSecond: sorted[Math.floor(sorted.length / 2)],
    };
  });
}

if (import.meta.main) {
  const rows = runSigBench(Deno.args.includes("--quick"));
  if (Deno.args.includes("--json")) {
    console.log(JSON.stringify(rows, null, 2));
  } else {
    console.log("backend           what                      per second (best)   per second (median)");
    for (const r of rows) {
      console.log(
        `${r.backend.padEnd(17)} ${r.kind.padEnd(25)} ${String(r.perSecond).padStart(17)}   ${
          String(r.medianPerSecond).padStart(19)
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
