/**
 * ScriptCheckPool: the same verdicts as single-threaded verification on blocks of signed P2WPKH and P2TR
 * key-path spends (every pool shape), the first failing input in block order, the caches (a transaction
 * verified on mempool entry is not verified again; Workers share the signature cache), and robustness: a Worker
 * that crashes, hangs, exits or cannot start never hangs the caller, the pool recovers, and closes cleanly
 * (Deno's sanitizers check that no Worker or timer leaks).
 */

import { MANDATORY_SCRIPT_VERIFY_FLAGS, STANDARD_SCRIPT_VERIFY_FLAGS } from "../../../core/script/flags.ts";
import { NULL_OUTPOINT } from "../../../core/wire/outpoint.ts";
import { checkInputScripts } from "../../../core/verify/input_check.ts";
import type { ScriptCheckTx } from "../../../core/verify/job.ts";
import {
  ScriptCheckPool,
  type ScriptCheckPoolOptions,
  type ScriptChecksResult,
  VerifyPoolError,
} from "../../../core/verify/pool.ts";
import { ScriptExecutionCache } from "../../../core/verify/script_execution_cache.ts";
import { SignatureCache } from "../../../core/verify/signature_cache.ts";
import { assert, assertEquals, assertRejects } from "../../assert.ts";
import { countingSecp256k1 } from "./counting_secp.ts";
import { CRASH_FLAG, EXIT_FLAG, HANG_FLAG } from "./faulty_worker.ts";
import { buildSignedTxs, corruptInput } from "./signed_txs.ts";

const FLAGS = MANDATORY_SCRIPT_VERIFY_FLAGS;
const wpkh = buildSignedTxs({ kind: "p2wpkh", inputs: 240, inputsPerTx: 3 });
const tr = buildSignedTxs({ kind: "p2tr", inputs: 120, inputsPerTx: 2 });
const coinbase: ScriptCheckTx = {
  tx: { ...wpkh[0].tx, inputs: [{ ...wpkh[0].tx.inputs[0], prevout: NULL_OUTPOINT, witness: [] }] },
  spentOutputs: [],
};
/** A mixed "block": coinbase first, then P2WPKH and P2TR spends interleaved. */
const block: ScriptCheckTx[] = [coinbase, ...wpkh.flatMap((t, i) => (i < tr.length ? [t, tr[i]] : [t]))];
const blockInputs = block.slice(1).reduce((n, t) => n + t.tx.inputs.length, 0);

/** Single-threaded reference: the first failing input in order (Core's CheckInputScripts per transaction). */
function sequential(txs: readonly ScriptCheckTx[], flags: number): ScriptChecksResult {
  let checks = 0;
  for (let t = 0; t < txs.length; t++) {
    const r = checkInputScripts(txs[t].tx, { flags, spentOutputs: txs[t].spentOutputs });
    if (!r.valid) return { ...r, txIndex: t };
    if (t > 0 || txs[t].spentOutputs.length > 0) checks += txs[t].tx.inputs.length;
  }
  return { valid: true, checks, cachedTxs: 0 };
}

const SHAPES: [string, ScriptCheckPoolOptions][] = [
  ["1 worker + main", { workers: 1 }],
  ["2 workers + main", { workers: 2 }],
  ["2 workers only", { workers: 2, mainThreadWorks: false }],
  ["main only", { workers: 0 }],
];

for (const [name, options] of SHAPES) {
  Deno.test(`ScriptCheckPool (${name}): valid blocks, same verdict as single-threaded`, async () => {
    await using pool = await ScriptCheckPool.create(options);
    for (const txs of [block, wpkh, tr]) {
      const expected = sequential(txs, FLAGS);
      assert(expected.valid);
      assertEquals(await pool.verify(txs, { flags: FLAGS }), expected);
      assertEquals(await pool.verify(txs, { flags: STANDARD_SCRIPT_VERIFY_FLAGS }), expected);
    }
    assertEquals(await pool.verify(block, { flags: FLAGS }), {
      valid: true,
      checks: blockInputs,
      cachedTxs: 0,
    });
  });

  Deno.test(`ScriptCheckPool (${name}): the first failing input in block order`, async () => {
    await using pool = await ScriptCheckPool.create(options);
    const cases: [number, number][][] = [
      [[1, 0]],
      [[100, 1]],
      [[block.length - 1, 0]],
      [[130, 2], [40, 1]],
      [[41, 0], [40, 1], [135, 1]],
    ];
    for (const corrupt of cases) {
      const txs = block.slice();
      for (const [t, i] of corrupt) txs[t] = corruptInput(txs[t], i);
      for (const flags of [FLAGS, STANDARD_SCRIPT_VERIFY_FLAGS]) {
        const expected = sequential(txs, flags);
        assert(!expected.valid);
        assertEquals(await pool.verify(txs, { flags }), expected, JSON.stringify(corrupt));
      }
    }
    // Every 7th transaction broken.
    const many = block.map((t, i) => (i > 0 && i % 7 === 3 ? corruptInput(t, 0) : t));
    const r = await pool.verify(many, { flags: FLAGS });
    assertEquals(r, sequential(many, FLAGS));
    assertEquals(r.valid ? -1 : r.txIndex, 3);
  });
}

Deno.test("ScriptCheckPool: transactions verified on mempool entry are not verified again in the block", async () => {
  const signatureCache = new SignatureCache({ maxBytes: 1 << 20 });
  const scriptExecutionCache = new ScriptExecutionCache({ maxBytes: 1 << 20 });
  await using pool = await ScriptCheckPool.create({ workers: 1, signatureCache, scriptExecutionCache });
  // Mempool acceptance of every other transaction, under the block's flags (as Core's ConsensusScriptChecks).
  const accepted = block.filter((_, i) => i % 2 === 1);
  for (const { tx, spentOutputs } of accepted) {
    assertEquals(
      checkInputScripts(tx, { flags: FLAGS, spentOutputs, signatureCache, scriptExecutionCache }).valid,
      true,
    );
  }
  const acceptedInputs = accepted.reduce((n, t) => n + t.tx.inputs.length, 0);
  assertEquals(scriptExecutionCache.count(), accepted.length);
  // Other flags: no script execution cache hit.
  const other = await pool.verify(block, { flags: FLAGS & ~(1 << 17), cacheStore: true });
  assertEquals(other, { valid: true, checks: blockInputs, cachedTxs: 0 });
  // The block's flags: the accepted transactions are skipped, and their entries erased (block validation).
  const r = await pool.verify(block, { flags: FLAGS });
  assertEquals(r, { valid: true, checks: blockInputs - acceptedInputs, cachedTxs: accepted.length });
  const again = await pool.verify(block, { flags: FLAGS });
  assertEquals(again, { valid: true, checks: blockInputs, cachedTxs: 0 });
  // A failing transaction is never cached: with cacheStore, only a fully valid job is recorded.
  const bad = block.slice();
  bad[5] = corruptInput(bad[5], 0);
  const before = scriptExecutionCache.count();
  assertEquals((await pool.verify(bad, { flags: FLAGS, cacheStore: true })).valid, false);
  assertEquals(scriptExecutionCache.count(), before);
});

Deno.test("ScriptCheckPool: Workers share the signature cache with the main thread", async () => {
  const signatureCache = new SignatureCache({ maxBytes: 1 << 20 });
  {
    await using pool = await ScriptCheckPool.create({ workers: 1, mainThreadWorks: false, signatureCache });
    // Only the Worker verifies; with cacheStore it records every signature in the shared cache.
    assertEquals((await pool.verify(block, { flags: FLAGS, cacheStore: true })).valid, true);
  }
  assertEquals(signatureCache.count(), blockInputs);
  // The main thread now verifies no signature for these transactions (other flags: script cache not involved).
  const secp = countingSecp256k1();
  for (const { tx, spentOutputs } of block) {
    const r = checkInputScripts(tx, {
      flags: STANDARD_SCRIPT_VERIFY_FLAGS,
      spentOutputs,
      signatureCache,
      secp,
    });
    assertEquals(r.valid, true);
  }
  assertEquals([secp.ecdsa, secp.schnorr], [0, 0]);
  // And the block (store off) erases what it hits, in the Worker too.
  {
    await using pool = await ScriptCheckPool.create({ workers: 1, mainThreadWorks: false, signatureCache });
    assertEquals((await pool.verify(block, { flags: FLAGS })).valid, true);
  }
  assertEquals(signatureCache.count(), 0);
});

Deno.test("ScriptCheckPool: empty input, coinbase only, and mismatched spent outputs", async () => {
  await using pool = await ScriptCheckPool.create({ workers: 1 });
  assertEquals(await pool.verify([], { flags: FLAGS }), { valid: true, checks: 0, cachedTxs: 0 });
  assertEquals(await pool.verify([coinbase], { flags: FLAGS }), { valid: true, checks: 0, cachedTxs: 0 });
  const bad = [block[0], block[1], { tx: block[2].tx, spentOutputs: [] }];
  await assertRejects(() => pool.verify(bad, { flags: FLAGS }), "Cannot verify scripts: transaction 2 has");
  // The pool is still usable.
  assertEquals((await pool.verify(tr, { flags: FLAGS })).valid, true);
});

const FAULTY = new URL("./faulty_worker.ts", import.meta.url);

async function timed<T>(p: Promise<T>): Promise<{ ms: number; error: unknown }> {
  const t0 = performance.now();
  try {
    await p;
    return { ms: performance.now() - t0, error: null };
  } catch (e) {
    return { ms: performance.now() - t0, error: e };
  }
}

Deno.test("ScriptCheckPool: a Worker that crashes fails the call (no verdict), then is replaced", async () => {
  await using pool = await ScriptCheckPool.create({
    workers: 1,
    mainThreadWorks: false,
    workerUrl: FAULTY,
  });
  const { ms, error } = await timed(pool.verify(block, { flags: FLAGS | CRASH_FLAG }));
  assert(error instanceof VerifyPoolError, String(error));
  assert(/worker 0 failed: .*injected crash/.test(error.message), error.message);
  assert(ms < 10_000, `took ${ms} ms`);
  assertEquals(await pool.verify(block, { flags: FLAGS }), sequential(block, FLAGS));
});

Deno.test("ScriptCheckPool: a Worker that hangs is detected by the stall timeout, then replaced", async () => {
  await using pool = await ScriptCheckPool.create({
    workers: 2,
    mainThreadWorks: false,
    workerUrl: FAULTY,
    stallTimeoutMs: 300,
  });
  const { ms, error } = await timed(pool.verify(block, { flags: FLAGS | HANG_FLAG }));
  assert(error instanceof VerifyPoolError, String(error));
  assert(/worker \d made no progress for 300 ms/.test(error.message), error.message);
  assert(ms < 5_000, `took ${ms} ms`);
  assertEquals(await pool.verify(wpkh, { flags: FLAGS }), sequential(wpkh, FLAGS));
});

Deno.test("ScriptCheckPool: a Worker that exits silently is detected too", async () => {
  await using pool = await ScriptCheckPool.create({
    workers: 1,
    mainThreadWorks: false,
    workerUrl: FAULTY,
    stallTimeoutMs: 300,
  });
  const { error } = await timed(pool.verify(tr, { flags: FLAGS | EXIT_FLAG }));
  assert(error instanceof VerifyPoolError, String(error));
  assertEquals((await pool.verify(tr, { flags: FLAGS })).valid, true);
});

Deno.test("ScriptCheckPool: a Worker that cannot start fails create() quickly, leaving nothing running", async () => {
  const { ms, error } = await timed(
    ScriptCheckPool.create({ workers: 2, workerUrl: new URL("./broken_worker.ts", import.meta.url) }),
  );
  assert(error instanceof VerifyPoolError, String(error));
  assert(/worker \d failed: .*injected startup failure/.test(error.message), error.message);
  assert(ms < 10_000, `took ${ms} ms`);
  await assertRejects(
    () => ScriptCheckPool.create({ workers: -1 }),
    "Cannot create script check pool: -1 workers",
  );
  await assertRejects(
    () => ScriptCheckPool.create({ workers: 0, mainThreadWorks: false }),
    "no workers and the main thread does not work",
  );
});

Deno.test("ScriptCheckPool: close() rejects the running and queued calls, and later ones", async () => {
  const pool = await ScriptCheckPool.create({ workers: 1, mainThreadWorks: false });
  const running = timed(pool.verify(block, { flags: FLAGS }));
  const queued = timed(pool.verify(block, { flags: FLAGS }));
  await new Promise((r) => setTimeout(r, 20));
  await pool.close();
  for (const p of [running, queued]) {
    const { error } = await p;
    assert(
      error instanceof VerifyPoolError && error.message === "Cannot verify scripts: the pool is closed",
      String(error),
    );
  }
  await assertRejects(() => pool.verify(block, { flags: FLAGS }), "the pool is closed");
  assertEquals(pool.closed, true);
  await pool.close();
});

Deno.test("ScriptCheckPool: the wait queue is bounded", async () => {
  await using pool = await ScriptCheckPool.create({ workers: 1, maxQueuedJobs: 1 });
  const a = pool.verify(tr, { flags: FLAGS });
  const b = pool.verify(tr, { flags: FLAGS });
  await assertRejects(
    () => pool.verify(tr, { flags: FLAGS }),
    "Cannot verify scripts: the queue is full (1 calls may wait)",
  );
  assertEquals([(await a).valid, (await b).valid], [true, true]);
  assertEquals((await pool.verify(tr, { flags: FLAGS })).valid, true);
});
