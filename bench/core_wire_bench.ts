/**
 * Deserialization benchmark: decoding a ~1 MB block of typical transactions (MB/s), txid/wtxid computations per
 * second (from the decoded bytes, and by re-encoding plain objects), block encoding, and raw SHA-256
 * throughput of `node:crypto`, `@noble/hashes` and tsbtc's own `core/hash` SHA-256 in the same run.
 *
 * Method: a block of segwit transactions each spending 2 P2WPKH inputs (witness: 72-byte signature, 33-byte
 * key) to 2 P2WPKH outputs (372 bytes each), plus a coinbase, deterministic contents, ~1,000,000 bytes. Each
 * figure is the best of several timed rounds after a warm-up (the median is reported too). Txid rates use
 * freshly decoded blocks each round (a decoded transaction computes its hashes once and remembers them).
 *
 * Usage: `deno run -A bench/core_wire_bench.ts [--quick] [--json]` prints the table; under `deno bench` it
 * registers one case per figure.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { sha256, sha256d } from "../core/hash/hashes.ts";
import { blockMerkleRoot, merkleRoot, witnessCommitmentScript } from "../core/hash/merkle.ts";
import { jsSha256 } from "../core/hash/sha256.ts";
import { decodeBlock, encodeBlock } from "../core/wire/block.ts";
import { NULL_OUTPOINT } from "../core/wire/outpoint.ts";
import { txid, wtxid } from "../core/wire/transaction.ts";
import type { Block, Transaction } from "../core/wire/types.ts";

/** Deterministic pseudo-random bytes (xorshift32). */
function filler(seed: number): (n: number) => Uint8Array {
  let s = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      out[i] = s & 255;
    }
    return out;
  };
}

const p2wpkh = (hash: Uint8Array) => new Uint8Array([0x00, 0x14, ...hash]);

/** A transaction spending 2 P2WPKH outputs to 2 P2WPKH outputs (372 bytes serialized). */
function p2wpkhSpend(bytes: (n: number) => Uint8Array, i: number): Transaction {
  const input = () => {
    const sig = bytes(72);
    sig[0] = 0x30;
    sig[71] = 0x01;
    const key = bytes(33);
    key[0] = 0x02;
    return {
      prevout: { txid: bytes(32), vout: i & 3 },
      scriptSig: new Uint8Array(0),
      sequence: 0xfffffffd,
      witness: [sig, key],
    };
  };
  return {
    version: 2,
    inputs: [input(), input()],
    outputs: [
      { value: 150_000_000n + BigInt(i), scriptPubKey: p2wpkh(bytes(20)) },
      { value: 4_849_000_000n - BigInt(i), scriptPubKey: p2wpkh(bytes(20)) },
    ],
    locktime: 0,
  };
}

/** The benchmark block: coinbase + P2WPKH spends up to about `targetBytes`. */
export function buildTypicalBlock(targetBytes = 1_000_000): Block {
  const bytes = filler(2026);
  const count = Math.floor((targetBytes - 300) / 372);
  const txs: Transaction[] = [];
  for (let i = 0; i < count; i++) txs.push(p2wpkhSpend(bytes, i));
  const coinbaseBase = (outputs: Transaction["outputs"]): Transaction => ({
    version: 2,
    inputs: [{
      prevout: NULL_OUTPOINT,
      scriptSig: Uint8Array.of(3, 0x40, 0x0d, 0x03),
      sequence: 0xffffffff,
      witness: [new Uint8Array(32)],
    }],
    outputs,
    locktime: 0,
  });
  const payout = { value: 312_500_000n, scriptPubKey: p2wpkh(bytes(20)) };
  const wtxids = [new Uint8Array(32), ...txs.map(wtxid)];
  const coinbase = coinbaseBase([payout, {
    value: 0n,
    scriptPubKey: witnessCommitmentScript(merkleRoot(wtxids).root),
  }]);
  const all = [coinbase, ...txs];
  return {
    header: {
      version: 0x20000000,
      prevBlock: bytes(32),
      merkleRoot: merkleRoot(all.map(txid)).root,
      time: 1_700_000_000,
      bits: 0x1703a30c,
      nonce: 12345,
    },
    txs: all,
  };
}

/** One measured figure. */
export interface WireFigure {
  name: string;
  /** Best round: operations per second. */
  perSecond: number;
  /** Median round: operations per second. */
  medianPerSecond: number;
  /** Best round: MB/s (1 MB = 10^6 bytes), when the operation has a byte size. */
  mbPerSecond?: number;
  unit: string;
}

function timeRounds(rounds: number, ops: number, setup: () => unknown, body: (x: unknown) => void): number[] {
  const rates: number[] = [];
  for (let r = 0; r < rounds + 1; r++) {
    const x = setup();
    const t0 = performance.now();
    body(x);
    const dt = (performance.now() - t0) / 1000;
    if (r > 0) rates.push(ops / dt); // round 0 is the warm-up
  }
  return rates.sort((a, b) => b - a);
}

function figure(name: string, unit: string, rates: number[], bytesPerOp?: number): WireFigure {
  const best = rates[0];
  const median = rates[Math.floor(rates.length / 2)];
  return {
    name,
    unit,
    perSecond: best,
    medianPerSecond: median,
    mbPerSecond: bytesPerOp === undefined ? undefined : (best * bytesPerOp) / 1e6,
  };
}

/** Runs every measurement. */
export function runWireBench(
  options: { quick?: boolean } = {},
): { blockBytes: number; txs: number; figures: WireFigure[] } {
  const rounds = options.quick ? 3 : 10;
  const block = buildTypicalBlock();
  const raw = encodeBlock(block);
  const n = block.txs.length;
  const figures: WireFigure[] = [];
  const none = () => undefined;

  figures.push(figure(
    "decodeBlock (zero-copy)",
    "blocks/s",
    timeRounds(rounds, 5, none, () => {
      for (let i = 0; i < 5; i++) decodeBlock(raw);
    }),
    raw.length,
  ));
  figures.push(figure(
    "decodeBlock (copy: true)",
    "blocks/s",
    timeRounds(rounds, 5, none, () => {
      for (let i = 0; i < 5; i++) decodeBlock(raw, { copy: true });
    }),
    raw.length,
  ));
  figures.push(figure(
    "decodeBlock + merkle root (all txids)",
    "blocks/s",
    timeRounds(rounds, 3, none, () => {
      for (let i = 0; i < 3; i++) blockMerkleRoot(decodeBlock(raw));
    }),
    raw.length,
  ));
  figures.push(figure(
    "encodeBlock",
    "blocks/s",
    timeRounds(rounds, 5, none, () => {
      for (let i = 0; i < 5; i++) encodeBlock(block);
    }),
    raw.length,
  ));

  const fresh = () => decodeBlock(raw).txs;
  figures.push(
    figure(
      "txid, decoded (hashed from the original bytes)",
      "txids/s",
      timeRounds(rounds, n, fresh, (txs) => {
        for (const tx of txs as Transaction[]) txid(tx);
      }),
    ),
  );
  figures.push(
    figure(
      "wtxid, decoded (hashed from the original bytes)",
      "wtxids/s",
      timeRounds(rounds, n, fresh, (txs) => {
        for (const tx of txs as Transaction[]) wtxid(tx);
      }),
    ),
  );
  figures.push(figure(
    "txid, plain object (re-encoded)",
    "txids/s",
    timeRounds(rounds, n, none, () => {
      for (const tx of block.txs) txid(tx);
    }),
  ));
  figures.push(figure(
    "wtxid, plain object (re-encoded)",
    "wtxids/s",
    timeRounds(rounds, n, none, () => {
      for (const tx of block.txs) wtxid(tx);
    }),
  ));

  const mb = filler(7)(1_000_000);
  figures.push(figure(
    "SHA-256 1 MB: node:crypto",
    "hashes/s",
    timeRounds(rounds, 10, none, () => {
      for (let i = 0; i < 10; i++) createHash("sha256").update(mb).digest();
    }),
    mb.length,
  ));
  figures.push(figure(
    "SHA-256 1 MB: @noble/hashes",
    "hashes/s",
    timeRounds(rounds, 2, none, () => {
      for (let i = 0; i < 2; i++) nobleSha256(mb);
    }),
    mb.length,
  ));
  figures.push(
    figure(
      "SHA-256 1 MB: core/hash JS (sha256.ts)",
      "hashes/s",
      timeRounds(rounds, 2, none, () => {
        for (let i = 0; i < 2; i++) jsSha256(mb);
      }),
      mb.length,
    ),
  );
  figures.push(
    figure(
      "SHA-256 1 MB: core/hash sha256() (picks node:crypto)",
      "hashes/s",
      timeRounds(rounds, 10, none, () => {
        for (let i = 0; i < 10; i++) sha256(mb);
      }),
      mb.length,
    ),
  );

  const tx372 = raw.subarray(raw.length - 372); // the last transaction
  const small = 20_000;
  figures.push(
    figure(
      `SHA-256d ${tx372.length} B (one tx): node:crypto`,
      "hashes/s",
      timeRounds(rounds, small, none, () => {
        for (let i = 0; i < small; i++) {
          createHash("sha256").update(createHash("sha256").update(tx372).digest()).digest();
        }
      }),
      tx372.length,
    ),
  );
  figures.push(
    figure(
      `SHA-256d ${tx372.length} B (one tx): @noble/hashes`,
      "hashes/s",
      timeRounds(rounds, small, none, () => {
        for (let i = 0; i < small; i++) nobleSha256(nobleSha256(tx372));
      }),
      tx372.length,
    ),
  );
  figures.push(
    figure(
      `SHA-256d ${tx372.length} B (one tx): core/hash sha256d()`,
      "hashes/s",
      timeRounds(rounds, small, none, () => {
        for (let i = 0; i < small; i++) sha256d(tx372);
      }),
      tx372.length,
    ),
  );
  const node64 = mb.subarray(0, 64);
  figures.push(
    figure(
      "SHA-256d 64 B (merkle node): node:crypto",
      "hashes/s",
      timeRounds(rounds, small, none, () => {
        for (let i = 0; i < small; i++) {
          createHash("sha256").update(createHash("sha256").update(node64).digest()).digest();
        }
      }),
      64,
    ),
  );
  figures.push(
    figure(
      "SHA-256d 64 B (merkle node): core/hash sha256d()",
      "hashes/s",
      timeRounds(rounds, small, none, () => {
        for (let i = 0; i < small; i++) sha256d(node64);
      }),
      64,
    ),
  );
  return { blockBytes: raw.length, txs: n, figures };
}

function fmt(x: number): string {
  return x >= 100 ? Math.round(x).toLocaleString("en-US") : x.toFixed(1);
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const result = runWireBench({ quick });
  if (Deno.args.includes("--json")) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    console.log(`Block: ${result.blockBytes.toLocaleString("en-US")} bytes, ${result.txs} transactions`);
    console.log("| case | best | median | MB/s (best) |");
    console.log("|---|---|---|---|");
    for (const f of result.figures) {
      const mbs = f.mbPerSecond === undefined ? "" : fmt(f.mbPerSecond);
      console.log(
        `| ${f.name} | ${fmt(f.perSecond)} ${f.unit} | ${fmt(f.medianPerSecond)} ${f.unit} | ${mbs} |`,
      );
    }
  }
} else {
  const block = buildTypicalBlock();
  const raw = encodeBlock(block);
  const mb = filler(7)(1_000_000);
  Deno.bench(`decodeBlock ${raw.length} B (zero-copy)`, { group: "block" }, () => {
    decodeBlock(raw);
  });
  Deno.bench(`decodeBlock ${raw.length} B + merkle root`, { group: "block" }, () => {
    blockMerkleRoot(decodeBlock(raw));
  });
  Deno.bench(`encodeBlock ${raw.length} B`, { group: "block" }, () => {
    encodeBlock(block);
  });
  Deno.bench(`txid x${block.txs.length}, decoded`, { group: "txid" }, (b) => {
    const txs = decodeBlock(raw).txs;
    b.start();
    for (const tx of txs) txid(tx);
    b.end();
  });
  Deno.bench(`wtxid x${block.txs.length}, decoded`, { group: "txid" }, (b) => {
    const txs = decodeBlock(raw).txs;
    b.start();
    for (const tx of txs) wtxid(tx);
    b.end();
  });
  Deno.bench(`txid x${block.txs.length}, plain objects`, { group: "txid" }, () => {
    for (const tx of block.txs) txid(tx);
  });
  Deno.bench("SHA-256 1 MB node:crypto", { group: "sha256" }, () => {
    createHash("sha256").update(mb).digest();
  });
  Deno.bench("SHA-256 1 MB @noble/hashes", { group: "sha256" }, () => {
    nobleSha256(mb);
  });
  Deno.bench("SHA-256 1 MB core/hash JS", { group: "sha256" }, () => {
    jsSha256(mb);
  });
}
