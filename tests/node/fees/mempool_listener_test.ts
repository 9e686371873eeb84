import { BlockPolicyEstimator } from "../../../node/fees/block_policy_estimator.ts";
import { feeEstimatorListener, feeEstimatorTx } from "../../../node/fees/mempool_listener.ts";
import type { MempoolEntry } from "../../../node/mempool/entry.ts";
import type { MempoolListener } from "../../../node/mempool/txmempool.ts";
import { assert, assertEquals } from "../../assert.ts";
import { makeEntry, makePool, makeTx } from "../mempool/entries.ts";

Deno.test("feeEstimatorListener: a real TxMempool feeds the estimator (added, mined, conflicted)", () => {
  const estimator = new BlockPolicyEstimator();
  estimator.processBlock(100, []); // the estimator is at the tip the entries entered at
  const debug: string[] = [];
  const listener: MempoolListener = feeEstimatorListener<MempoolEntry>(estimator, {
    validForFeeEstimation: (e) => e.parents.size === 0,
    debug: (m) => debug.push(m),
  });
  const pool = makePool();
  pool.subscribe(listener);

  const a = makeTx({ spends: [{ seed: 1 }] });
  const b = makeTx({ spends: [{ seed: 2 }] });
  const child = makeTx({ spends: [{ tx: a, vout: 0 }] });
  const ea = makeEntry(a, 2_000n);
  pool.add(ea);
  pool.add(makeEntry(b, 500n));
  pool.add(makeEntry(child, 5_000n));
  // The child has a mempool parent: seen, not tracked (Core's has_no_mempool_parents).
  assertEquals(estimator.trackedCount, 2);
  assert(estimator.isTracked(ea.txidHex));

  // A block mines `a` and a conflicting spend of b's input: b leaves as a conflict, `a` as mined.
  const bConflict = makeTx({ spends: [{ seed: 2 }], outputs: [9_000n] });
  pool.removeForBlock([a, bConflict], 101);
  assertEquals(estimator.trackedCount, 0);
  assertEquals(estimator.bestSeenHeight, 101);
  assertEquals(debug, [
    "Blockpolicy estimates updated by 1 of 1 block txs, since last block 2 of 3 tracked, mempool map size 0, " +
    "max target 0 from current",
  ]);
  assertEquals(feeEstimatorTx(ea), { txid: ea.txidHex, height: 100, fee: 2_000n, vsize: ea.vsize });
});

Deno.test("feeEstimatorListener: a replaceable or absent estimator", () => {
  let current: BlockPolicyEstimator | null = null;
  const l = feeEstimatorListener(() => current, { validForFeeEstimation: () => true });
  const entry = { txidHex: "aa", height: 0, fee: 1_000n, vsize: 100 };
  l.added(entry, 1);
  l.removedForBlock([entry], 1);
  current = new BlockPolicyEstimator();
  l.added(entry, 2);
  assert(current.isTracked("aa"));
  l.removed(entry, "block", 3); // mined: left to removedForBlock
  assert(current.isTracked("aa"));
  l.removed(entry, "expiry", 4);
  assertEquals(current.isTracked("aa"), false);
});
