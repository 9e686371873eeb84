/** SharedHashSet: membership, erase, bounded size with eviction, the zero hash, handles, bad input. */

import { SharedHashSet, SLOT_BYTES, WAYS } from "../../../core/verify/shared_hash_set.ts";
import { sha256 } from "../../../core/hash/hashes.ts";
import { assert, assertEquals, assertThrows } from "../../assert.ts";

function entry(n: number): Uint8Array {
  return sha256(Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff));
}

Deno.test("SharedHashSet: insert, contains, erase", () => {
  const set = new SharedHashSet(64);
  assertEquals(set.capacity, 64);
  assertEquals(set.contains(entry(1)), false);
  set.insert(entry(1));
  set.insert(entry(1));
  assertEquals(set.count(), 1);
  assertEquals(set.contains(entry(1)), true);
  assertEquals(set.contains(entry(2)), false);
  assertEquals(set.contains(entry(1), true), true);
  assertEquals(set.contains(entry(1)), false);
  assertEquals(set.count(), 0);
  for (let i = 0; i < 10; i++) set.insert(entry(i));
  set.clear();
  assertEquals(set.count(), 0);
});

Deno.test("SharedHashSet: bounded; a full bucket evicts; recent entries mostly survive", () => {
  const set = new SharedHashSet(1000);
  assertEquals(set.capacity, 1000);
  for (let i = 0; i < 20_000; i++) set.insert(entry(i));
  assert(set.count() <= set.capacity);
  assert(set.count() > set.capacity * 0.9, `filled: ${set.count()}`);
  // The last insert is always present.
  assertEquals(set.contains(entry(19_999)), true);
  let old = 0;
  for (let i = 0; i < 1000; i++) if (set.contains(entry(i))) old++;
  assert(old < 100, `old entries kept: ${old}`);
  // Capacity rounds down to whole buckets, at least one.
  assertEquals(new SharedHashSet(7).capacity, WAYS);
  assertEquals(new SharedHashSet(1).capacity, WAYS);
});

Deno.test("SharedHashSet: the all-zero hash is neither stored nor found", () => {
  const set = new SharedHashSet(16);
  set.insert(new Uint8Array(32));
  assertEquals(set.count(), 0);
  assertEquals(set.contains(new Uint8Array(32)), false);
});

Deno.test("SharedHashSet: a handle opens the same storage", () => {
  const a = new SharedHashSet(64);
  const b = new SharedHashSet(a.handle);
  a.insert(entry(5));
  assertEquals(b.contains(entry(5)), true);
  b.contains(entry(5), true);
  assertEquals(a.contains(entry(5)), false);
  assertEquals(a.handle.buffer.byteLength, (64 / WAYS) * WAYS * SLOT_BYTES);
});

Deno.test("SharedHashSet: bad arguments are RangeErrors", () => {
  assertThrows(() => new SharedHashSet(0), "Cannot create cache: capacity 0 is not a positive integer");
  assertThrows(() => new SharedHashSet(1.5), "Cannot create cache");
  assertThrows(
    () => new SharedHashSet({ buffer: new SharedArrayBuffer(10), buckets: 1 }),
    "Cannot open cache",
  );
  const set = new SharedHashSet(8);
  assertThrows(() => set.insert(new Uint8Array(31)), "Cannot use cache entry: length is 31, expected 32");
  assertThrows(() => set.contains(new Uint8Array(33)), "length is 33");
});

Deno.test("SharedHashSet: shared with a Worker (inserts and erases visible both ways)", async () => {
  const set = new SharedHashSet(256);
  for (let i = 0; i < 50; i++) set.insert(entry(i));
  const code = `
    import { SharedHashSet } from ${
    JSON.stringify(new URL("../../../core/verify/shared_hash_set.ts", import.meta.url).href)
  };
    import { sha256 } from ${JSON.stringify(new URL("../../../core/hash/hashes.ts", import.meta.url).href)};
    self.onmessage = (e) => {
      const set = new SharedHashSet(e.data);
      const entry = (n) => sha256(Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff));
      let seen = 0;
      for (let i = 0; i < 50; i++) if (set.contains(entry(i), i < 10)) seen++;
      for (let i = 100; i < 120; i++) set.insert(entry(i));
      self.postMessage(seen);
    };`;
  const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
  const worker = new Worker(url, { type: "module" });
  try {
    const seen = await new Promise<number>((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => {
        e.preventDefault();
        reject(new Error(e.message));
      };
      worker.postMessage(set.handle);
    });
    assertEquals(seen, 50);
    assertEquals(set.count(), 50 - 10 + 20);
    assertEquals(set.contains(entry(110)), true);
    assertEquals(set.contains(entry(3)), false);
    assertEquals(set.contains(entry(30)), true);
  } finally {
    worker.terminate();
    URL.revokeObjectURL(url);
  }
});
