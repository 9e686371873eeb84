/** ScriptExecutionCache: entries commit to the wtxid and the flags, salted, contains/insert/erase. */

import { sha256 } from "../../../core/hash/hashes.ts";
import { MANDATORY_SCRIPT_VERIFY_FLAGS, STANDARD_SCRIPT_VERIFY_FLAGS } from "../../../core/script/flags.ts";
import { ScriptExecutionCache } from "../../../core/verify/script_execution_cache.ts";
import { assert, assertEquals, assertThrows } from "../../assert.ts";

const w1 = sha256(Uint8Array.of(1));
const w2 = sha256(Uint8Array.of(2));

function differ(a: Uint8Array, b: Uint8Array): boolean {
  return a.some((v, i) => v !== b[i]);
}

Deno.test("ScriptExecutionCache: the entry depends on the wtxid, the flags and the salt", () => {
  const a = new ScriptExecutionCache({ maxBytes: 4096 });
  const b = new ScriptExecutionCache({ maxBytes: 4096 });
  assertEquals(a.entry(w1, 5), a.entry(w1, 5));
  assert(differ(a.entry(w1, 5), a.entry(w2, 5)));
  assert(differ(a.entry(w1, 5), a.entry(w1, 4)));
  assert(differ(a.entry(w1, 1 << 20), a.entry(w1, 1 << 12)));
  assert(differ(a.entry(w1, 5), b.entry(w1, 5)));
  assertEquals(new ScriptExecutionCache(a.handle).entry(w1, 5), a.entry(w1, 5));
  assertThrows(() => a.entry(new Uint8Array(31), 0), "Cannot compute cache entry: wtxid is 31 bytes");
});

Deno.test("ScriptExecutionCache: a stored transaction is found under its flags only; erase on hit", () => {
  const cache = new ScriptExecutionCache({ maxBytes: 4096 });
  const e = cache.entry(w1, MANDATORY_SCRIPT_VERIFY_FLAGS);
  assertEquals(cache.contains(e), false);
  cache.insert(e);
  assertEquals(cache.contains(e), true);
  assertEquals(cache.contains(cache.entry(w1, STANDARD_SCRIPT_VERIFY_FLAGS)), false);
  assertEquals(cache.contains(cache.entry(w2, MANDATORY_SCRIPT_VERIFY_FLAGS)), false);
  assertEquals(new ScriptExecutionCache({ maxBytes: 4096 }).contains(e), false);
  assertEquals(cache.contains(e, true), true);
  assertEquals(cache.contains(e), false);
  assertEquals(cache.count(), 0);
});
