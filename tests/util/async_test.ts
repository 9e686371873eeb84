import { assert, assertEquals, assertRejects } from "../assert.ts";
import { delay, withTimeout } from "../../util/async.ts";

Deno.test("delay resolves after the time given", async () => {
  const t0 = performance.now();
  await delay(20);
  assert(performance.now() - t0 >= 19);
  // An unref'd delay still fires while something else keeps the event loop alive.
  let fired = false;
  await Promise.all([delay(1, { unref: true }).then(() => fired = true), delay(10)]);
  assert(fired);
});

Deno.test("withTimeout passes a settled value through and rejects a slow one", async () => {
  assertEquals(await withTimeout(Promise.resolve(7), 1000), 7);
  await assertRejects(() => withTimeout(new Promise(() => {}), 10), "timed out");
  await assertRejects(() => withTimeout(Promise.reject(new Error("boom")), 1000), "boom");
});
