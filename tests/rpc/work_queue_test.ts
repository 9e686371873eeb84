import { WorkQueue } from "../../rpc/work_queue.ts";
import { assert, assertEquals } from "./asserts.ts";

Deno.test("work queue: threads run, depth waits, then refuses; slots are handed over in order", async () => {
  const q = new WorkQueue(2, 1);
  const a = q.tryEnter();
  const b = q.tryEnter();
  assert(a !== null && b !== null);
  await a;
  await b;
  assertEquals(q.running, 2);
  const c = q.tryEnter();
  assert(c !== null);
  assertEquals(q.waiting, 1);
  assertEquals(q.tryEnter(), null);
  let started = false;
  c.then(() => (started = true));
  await Promise.resolve();
  assertEquals(started, false);
  q.leave();
  await c;
  assertEquals(started, true);
  assertEquals(q.running, 2);
  q.leave();
  q.leave();
  assertEquals(q.running, 0);
  assertEquals(new WorkQueue(0, 0).tryEnter() !== null, true);
});
