/**
 * The job layout and the lock-free queue: transactions and spent outputs read back from the shared buffer, the
 * check list, claim order, first failure as an atomic minimum, abort, completion.
 */

import type { ScriptError } from "../../../core/script/script_error.ts";
import { decodeTransaction, wtxid } from "../../../core/wire/transaction.ts";
import { encodeJob, JobView } from "../../../core/verify/job.ts";
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { buildSignedTxs } from "./signed_txs.ts";

const items = [
  ...buildSignedTxs({ kind: "p2wpkh", inputs: 7, inputsPerTx: 3 }),
  ...buildSignedTxs({ kind: "p2tr", inputs: 5, inputsPerTx: 5, decoded: false }),
];

Deno.test("encodeJob: transactions, spent outputs and checks read back from the shared buffer", () => {
  const view = encodeJob(items, 0x1234, true);
  assertEquals([view.txs, view.checks, view.flags, view.store], [4, 12, 0x1234, true]);
  assertEquals(encodeJob(items, -1 >>> 0, false).flags, 0xffffffff);
  const other = new JobView(view.buffer);
  let c = 0;
  items.forEach(({ tx, spentOutputs }, t) => {
    const decoded = decodeTransaction(other.rawTx(t));
    assertEquals(wtxid(decoded), wtxid(tx));
    assertEquals(other.spentOutputs(t, tx.inputs.length), spentOutputs);
    assertEquals(other.firstCheckOf(t), c);
    for (let i = 0; i < tx.inputs.length; i++, c++) {
      assertEquals([other.txOf(c), other.inputOf(c)], [t, i]);
    }
  });
  assertEquals(other.firstFailure(), 12);
  assertEquals(other.isComplete(), false);
});

Deno.test("encodeJob: spent outputs must match the inputs", () => {
  const bad = [{ tx: items[0].tx, spentOutputs: items[0].spentOutputs.slice(1) }];
  assertThrows(
    () => encodeJob(bad, 0, false),
    "Cannot verify scripts: transaction 0 has 3 inputs and 2 spent outputs",
  );
});

Deno.test("JobView.work: every check once, in order, on one thread", () => {
  const view = encodeJob(items, 0, false);
  const seen: number[] = [];
  let beats = 0;
  const ran = view.work(
    (c) => {
      seen.push(c);
      return null;
    },
    1,
    () => beats++,
  );
  assertEquals(ran, 12);
  assertEquals(beats, 12);
  assertEquals(seen, Array.from({ length: 12 }, (_, i) => i));
  assertEquals([view.isComplete(), view.firstFailure(), view.errorOf(3)], [true, 12, null]);
  // Nothing left for another thread.
  assertEquals(new JobView(view.buffer).work(() => null, 2), 0);
});

Deno.test("JobView.work: stops after the first failure, which is recorded with its error", () => {
  const view = encodeJob(items, 0, false);
  const seen: number[] = [];
  const ran = view.work((c) => {
    seen.push(c);
    return c === 5 || c === 9 ? "EVAL_FALSE" : null;
  }, 1);
  assertEquals(ran, 6);
  assertEquals(seen, [0, 1, 2, 3, 4, 5]);
  assertEquals([view.firstFailure(), view.errorOf(5), view.errorOf(4)], [5, "EVAL_FALSE", null]);
  assertEquals(view.isComplete(), true);
});

Deno.test("JobView.work: the reported failure is the lowest index whatever the timing (atomic minimum)", () => {
  // Thread A is verifying check 0 while thread B (run inside A's check) claims the rest and fails at 7;
  // then A's check 0 fails too: the verdict is check 0, as a sequential loop would say.
  const view = encodeJob(items, 0, false);
  const b = new JobView(view.buffer);
  const ranB: number[] = [];
  const verifyA = (c: number): ScriptError | null => {
    if (c === 0) {
      b.work((d) => {
        ranB.push(d);
        return d === 7 ? "SCHNORR_SIG" : null;
      }, 2);
      return "NULLFAIL";
    }
    return null;
  };
  view.work(verifyA, 2);
  assert(ranB.includes(7) && !ranB.includes(8), `B ran ${ranB}`);
  assertEquals([view.firstFailure(), view.errorOf(0), view.errorOf(7)], [0, "NULLFAIL", "SCHNORR_SIG"]);
  assertEquals(view.isComplete(), true);
});

Deno.test("JobView: incomplete while an earlier check is pending; abort stops the queue", () => {
  const view = encodeJob(items, 0, false);
  const b = new JobView(view.buffer);
  // A claims checks (batch) and, before finishing its first, B fails a later check: not complete yet.
  let completeDuring = true;
  view.work((c) => {
    if (c === 0) {
      b.work((d) => (d === 11 ? "EVAL_FALSE" : null), 2);
      completeDuring = view.isComplete();
    }
    return null;
  }, 2);
  assertEquals(completeDuring, false);
  assertEquals([view.isComplete(), view.firstFailure()], [true, 11]);

  const aborted = encodeJob(items, 0, false);
  aborted.abort();
  assertEquals([aborted.aborted, aborted.work(() => null, 1)], [true, 0]);
});
