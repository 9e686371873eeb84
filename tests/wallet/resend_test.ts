/**
 * The periodic resend of unconfirmed wallet transactions (Core's `MaybeResendWalletTxs`): the scheduling
 * decision and selection (wallet/resend.ts), the wallet process's scheduler with `mockscheduler`'s forward move
 * (wallet/scheduler.ts), and end to end: a transaction that left the mempool is submitted again once the
 * wallet's resend time has passed (`setmocktime`) and `mockscheduler` runs the check.
 */
import { assert, assertEquals } from "../assert.ts";
import {
  isUnconfirmed,
  nextResendTime,
  RESEND_MIN_AGE,
  RESEND_MIN_DELAY,
  RESEND_SPREAD,
  resendCandidates,
  shouldResend,
} from "../../wallet/resend.ts";
import { WalletScheduler } from "../../wallet/scheduler.ts";
import type { TxState, WalletTx } from "../../wallet/types.ts";
import { fails, ok, startWalletNode } from "./wallet_rpc_helpers.ts";

function wtx(txid: string, state: TxState, timeReceived: number, orderPos: number): WalletTx {
  return { txid, state, timeReceived, orderPos } as WalletTx;
}

Deno.test("resend: next time 12 to 36 hours ahead; resend only when broadcasting, ready and due", () => {
  assertEquals(nextResendTime(1000, () => 0), 1000 + RESEND_MIN_DELAY);
  assertEquals(nextResendTime(1000, () => 0.5), 1000 + 36 * 3600 - 12 * 3600);
  assert(nextResendTime(1000, () => 0.999999) < 1000 + RESEND_MIN_DELAY + RESEND_SPREAD);
  const base = { broadcast: true, readyToBroadcast: true, now: 5000, nextResend: 5000 };
  assertEquals(shouldResend(base), true);
  assertEquals(shouldResend({ ...base, now: 4999 }), false);
  assertEquals(shouldResend({ ...base, broadcast: false }), false);
  assertEquals(shouldResend({ ...base, readyToBroadcast: false }), false);
});

Deno.test("resend: unconfirmed transactions received 5 minutes before the last block, in wallet order", () => {
  const best = 100_000;
  const list = [
    wtx("a", { kind: "inMempool" }, best - RESEND_MIN_AGE, 0),
    wtx("b", { kind: "inactive", abandoned: false }, best - 1000, 1),
    wtx("c", { kind: "inactive", abandoned: true }, best - 1000, 2),
    wtx("d", { kind: "confirmed", blockHash: "00", blockHeight: 1, index: 1 }, best - 1000, 3),
    wtx("e", { kind: "blockConflicted", blockHash: "00", blockHeight: 1 }, best - 1000, 4),
    wtx("f", { kind: "inactive", abandoned: false }, best - RESEND_MIN_AGE + 1, 5),
  ];
  assertEquals(list.map(isUnconfirmed), [true, true, false, false, false, true]);
  assertEquals(resendCandidates(list, { force: false, bestBlockTime: best }).map((w) => w.txid), ["a", "b"]);
  assertEquals(resendCandidates(list, { force: true, bestBlockTime: best }).map((w) => w.txid), [
    "a",
    "b",
    "f",
  ]);
  // Before any block (Core's m_best_block_time 0) nothing is old enough.
  assertEquals(resendCandidates(list, { force: false, bestBlockTime: 0 }), []);
});

Deno.test("wallet scheduler: mockForward runs the tasks that come due, and only those", async () => {
  const s = new WalletScheduler();
  const runs: string[] = [];
  s.scheduleEvery(() => Promise.resolve(void runs.push("minute")), 60_000);
  s.scheduleEvery(() => Promise.resolve(void runs.push("hour")), 3_600_000);
  await s.mockForward(30);
  assertEquals(runs, []);
  await s.mockForward(30);
  assertEquals(runs, ["minute"]);
  // The minute task is due again a minute after it ran; the hour task after 3600 s in all.
  await s.mockForward(60);
  assertEquals(runs, ["minute", "minute"]);
  await s.mockForward(3480);
  assertEquals(runs, ["minute", "minute", "minute", "hour"]);
  s.stop();
  await s.mockForward(3600);
  assertEquals(runs.length, 4);
});

Deno.test("wallet scheduler: a failing task is reported and keeps its schedule", async () => {
  const errors: unknown[] = [];
  const s = new WalletScheduler((e) => errors.push(e));
  let n = 0;
  s.scheduleEvery(() => {
    n++;
    return Promise.reject(new Error("boom"));
  }, 60_000);
  await s.mockForward(60);
  await s.mockForward(60);
  assertEquals(n, 2);
  assertEquals(errors.length, 2);
  s.stop();
});

Deno.test("mockscheduler: a transaction that left the mempool is resubmitted once the resend time passed", async () => {
  const node = await startWalletNode(["-mempoolexpiry=1", "-fallbackfee=0.0002"]);
  try {
    await fails(node, "mockscheduler", [0], {
      code: -1,
      message: "delta_time must be between 1 and 3600 seconds (1 hr)",
    });
    await fails(node, "mockscheduler", [3601], {
      code: -1,
      message: "delta_time must be between 1 and 3600 seconds (1 hr)",
    });
    await ok(node, "createwallet", ["w"]);
    const addr = await ok<string>(node, "getnewaddress", [], "w");
    await ok(node, "generatetoaddress", [102, addr]);
    const t0 = Math.floor(Date.now() / 1000);
    await ok(node, "setmocktime", [t0]);
    const [first, second] = await ok<Array<{ txid: string; vout: number }>>(node, "listunspent", [], "w");
    const dest = await ok<string>(node, "getnewaddress", [], "w");
    const send = (utxo: { txid: string; vout: number }) =>
      ok<{ txid: string }>(node, "send", [{ [dest]: 1 }, null, "unset", null, {
        inputs: [{ txid: utxo.txid, vout: utxo.vout }],
      }], "w");
    const { txid } = await send(first);
    await ok(node, "getmempoolentry", [txid]);
    // Two hours later (-mempoolexpiry=1) the next transaction accepted expires the first one.
    await ok(node, "setmocktime", [t0 + 2 * 3600]);
    await send(second);
    await fails(node, "getmempoolentry", [txid], { code: -5, message: "Transaction not in mempool" });
    // A block after it: the transaction is older than the last block by more than 5 minutes.
    await ok(node, "generatetoaddress", [1, addr]);
    await ok(node, "syncwithvalidationinterfacequeue");
    // Not before the wallet's resend time (at least 12 hours after it loaded).
    await ok(node, "mockscheduler", [60]);
    await fails(node, "getmempoolentry", [txid], { code: -5, message: "Transaction not in mempool" });
    // 36 hours later it is due: the check resubmits and relays it.
    await ok(node, "setmocktime", [t0 + 2 * 3600 + 36 * 3600]);
    await ok(node, "mockscheduler", [60]);
    await ok(node, "getmempoolentry", [txid]);
    assert(
      (await node.log()).includes("[w] ResubmitWalletTransactions: resubmit 1 unconfirmed transactions"),
    );
    const tx = await ok<{ confirmations: number }>(node, "gettransaction", [txid], "w");
    assertEquals(tx.confirmations, 0);
  } finally {
    await node.cleanup();
  }
});
