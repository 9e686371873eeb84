/**
 * Mempool benchmark: acceptance of independent P2WPKH spends (Core's AcceptToMemoryPool path: standardness,
 * inputs, fees, cluster limits, policy and consensus script checks), block assembly from a full pool, and the
 * pool update when that block connects. A real chainstate in a temp datadir; one coinbase is split into the
 * outputs the spends use. Run: `deno run -A --unstable-kv bench/mempool_bench.ts [--txs=1000]`.
 *
 * @module
 */
import { chainParams } from "../core/chain_params.ts";
import { txid } from "../core/wire/transaction.ts";
import type { Transaction } from "../core/wire/types.ts";
import { ScriptCheckPool, ScriptExecutionCache, SignatureCache } from "../core/verify/mod.ts";
import { openChainstate } from "../node/chain/chainstate.ts";
import { Mempool } from "../node/mempool/mempool.ts";
import { createNewBlock } from "../node/mining/block_assembler.ts";
import { grindBlock } from "../node/mining/mine.ts";
import { defaultPolicySettings } from "../node/policy/settings.ts";
import { buildBlock, spendP2wpkh, testKey } from "../tests/node/chain/block_builder.ts";

const n = Number(Deno.args.find((a) => a.startsWith("--txs="))?.slice(6) ?? 1000);
const params = chainParams("regtest");
const key = testKey(1);
const T0 = 1_700_000_000;
const dataDir = await Deno.makeTempDir({ prefix: "tsbtc-mempool-bench-" });
// As the node: one signature cache and one script execution cache for the mempool and block validation.
const caches = { signatureCache: new SignatureCache(), scriptExecutionCache: new ScriptExecutionCache() };
const pool = await ScriptCheckPool.create({ workers: 0, mainThreadWorks: true, ...caches });
const chain = await openChainstate({ dataDir, params, pool, now: () => T0 + 100_000 });
try {
  const coinbases: Transaction[] = [];
  for (let i = 0; i < 101; i++) {
    const block = buildBlock({ prev: chain.tip(), params, payTo: key.script, time: T0 + i });
    await chain.processNewBlock(block);
    coinbases.push(block.txs[0]);
  }
  const each = (50_00000000n - 100_000n) / BigInt(n);
  const split = spendP2wpkh(
    [{ outpoint: { txid: txid(coinbases[0]), vout: 0 }, value: 50_00000000n, key }],
    Array.from({ length: n }, () => ({ value: each, scriptPubKey: key.script })),
  );
  await chain.processNewBlock(
    buildBlock({
      prev: chain.tip(),
      params,
      payTo: key.script,
      txs: [split],
      fees: 50_00000000n - each * BigInt(n),
      time: T0 + 200,
    }),
  );
  const mempool = new Mempool({
    chain,
    settings: { ...defaultPolicySettings("regtest"), checkRatio: 0 },
    now: () => T0 + 100_000,
    ...caches,
  });
  const spends = Array.from({ length: n }, (_, vout) =>
    spendP2wpkh(
      [{ outpoint: { txid: txid(split), vout }, value: each, key }],
      [{ value: each - 1000n - BigInt(vout), scriptPubKey: key.script }],
    ));
  let t = performance.now();
  for (const tx of spends) {
    const r = await mempool.acceptTransaction(tx);
    if (!r.valid) throw new Error(`rejected: ${r.state.reason}`);
  }
  const acceptMs = performance.now() - t;
  t = performance.now();
  const template = await createNewBlock(chain, {
    coinbaseOutputScript: key.script,
    transactions: mempool.blockCandidates(),
    now: () => T0 + 100_000,
  });
  const assembleMs = performance.now() - t;
  const g = grindBlock(template.block, 1_000_000);
  if (!g.found) throw new Error("no block");
  t = performance.now();
  const r = await chain.processNewBlock(g.block);
  const connectMs = performance.now() - t;
  if (!r.state.valid || mempool.pool.size !== 0) throw new Error("block did not empty the mempool");
  console.log(`| measure | tsbtc |`);
  console.log(`| --- | --- |`);
  console.log(
    `| accept ${n} P2WPKH spends (AcceptToMemoryPool, in process) | ${acceptMs.toFixed(0)} ms, ${
      (acceptMs / n).toFixed(3)
    } ms/tx, ${(n / acceptMs * 1000).toFixed(0)} tx/s |`,
  );
  console.log(`| assemble a block from ${n} mempool txs | ${assembleMs.toFixed(1)} ms |`);
  console.log(
    `| connect that block (scripts cached at acceptance) and update the mempool | ${
      connectMs.toFixed(1)
    } ms |`,
  );
  mempool.close();
} finally {
  await chain.close();
  await pool.close();
  await Deno.remove(dataDir, { recursive: true });
}
