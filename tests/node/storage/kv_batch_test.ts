import { assert, assertEquals, assertRejects } from "../../assert.ts";
import {
  KV_MAX_MUTATIONS,
  KV_MAX_TOTAL_KEY_BYTES,
  KV_MAX_TOTAL_MUTATION_BYTES,
  type KvBatchCommit,
  KvBatchWriter,
  kvKeySize,
} from "../../../node/storage/kv_batch.ts";

async function withKv(fn: (kv: Deno.Kv) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tsbtc_kvbatch_" });
  const kv = await Deno.openKv(`${dir}/db.sqlite3`);
  try {
    await fn(kv);
  } finally {
    kv.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** `n` bytes, none zero, distinct per `i` in the first two bytes. */
function keyBytes(i: number, n: number, zeros = 0): Uint8Array {
  const b = new Uint8Array(n).fill(7);
  b[0] = (i & 0x7f) + 1;
  b[1] = ((i >> 7) & 0x7f) + 1;
  for (let z = 0; z < zeros; z++) b[2 + z] = 0;
  return b;
}

async function rawCommit(kv: Deno.Kv, muts: [Deno.KvKey, Uint8Array][]): Promise<string> {
  const op = kv.atomic();
  for (const [k, v] of muts) op.set(k, v);
  try {
    await op.commit();
    return "ok";
  } catch (e) {
    return (e as Error).message;
  }
}

Deno.test("kvKeySize is Deno KV's encoded key size", () => {
  assertEquals(kvKeySize(["C", keyBytes(1, 36)]), 41);
  assertEquals(kvKeySize(["C", keyBytes(1, 36, 4)]), 45);
  assertEquals(kvKeySize(["C", keyBytes(1, 32), 5]), 3 + 34 + 9);
  assertEquals(kvKeySize(["B"]), 3);
  assertEquals(kvKeySize(["F", "txindex"]), 3 + 9);
});

Deno.test("the computed sizes sit exactly on Deno KV's real limits", async () => {
  await withKv(async (kv) => {
    // Total key size: 640 keys of 128 encoded bytes = 81920 exactly.
    const atKeyLimit: [Deno.KvKey, Uint8Array][] = [];
    for (let i = 0; i < 640; i++) atKeyLimit.push([["C", keyBytes(i, 123)], new Uint8Array(1)]);
    assertEquals(atKeyLimit.reduce((s, [k]) => s + kvKeySize(k), 0), KV_MAX_TOTAL_KEY_BYTES);
    assertEquals(await rawCommit(kv, atKeyLimit), "ok");
    atKeyLimit[0] = [["C", keyBytes(0, 124)], new Uint8Array(1)];
    assert((await rawCommit(kv, atKeyLimit)).includes("Total key size too large"));
    // The same with zero bytes, which Deno KV escapes (counted twice).
    const zeroKeys: [Deno.KvKey, Uint8Array][] = [];
    for (let i = 0; i < 640; i++) zeroKeys.push([["C", keyBytes(i, 113, 10)], new Uint8Array(1)]);
    assertEquals(zeroKeys.reduce((s, [k]) => s + kvKeySize(k), 0), KV_MAX_TOTAL_KEY_BYTES);
    assertEquals(await rawCommit(kv, zeroKeys), "ok");
    zeroKeys[5] = [["C", keyBytes(5, 113, 11)], new Uint8Array(1)];
    assert((await rawCommit(kv, zeroKeys)).includes("Total key size too large"));
    // Total mutation size: 800 sets of (2 x 41 + 942) = 1024 bytes = 819200 exactly.
    const atSizeLimit: [Deno.KvKey, Uint8Array][] = [];
    for (let i = 0; i < 800; i++) atSizeLimit.push([["C", keyBytes(i, 36)], new Uint8Array(942)]);
    assertEquals(await rawCommit(kv, atSizeLimit), "ok");
    atSizeLimit[799] = [["C", keyBytes(799, 36)], new Uint8Array(943)];
    assert((await rawCommit(kv, atSizeLimit)).includes("Total mutation size too large"));
    // Mutation count.
    const many: [Deno.KvKey, Uint8Array][] = [];
    for (let i = 0; i < KV_MAX_MUTATIONS; i++) many.push([["m", i], new Uint8Array(1)]);
    assertEquals(await rawCommit(kv, many), "ok");
    many.push([["m", -1], new Uint8Array(1)]);
    assert((await rawCommit(kv, many)).includes("Too many mutations"));
  });
});

Deno.test("KvBatchWriter splits work into commits that respect every limit", async () => {
  await withKv(async (kv) => {
    const commits: KvBatchCommit[] = [];
    const w = new KvBatchWriter(kv, { onCommit: (c) => void commits.push(c) });
    const expected = new Map<number, number>();
    let totalBytes = 0;
    for (let i = 0; i < 6000; i++) {
      const size = i % 10 === 0 ? 20000 : Math.floor(Math.random() * 400);
      totalBytes += size;
      await w.add({
        type: "set",
        key: ["x", i, keyBytes(i, 20, i % 3)],
        value: new Uint8Array(size).fill(i & 0xff),
      });
      expected.set(i, size);
      if (i % 7 === 0) {
        await w.add({ type: "delete", key: ["x", i, keyBytes(i, 20, i % 3)] });
        expected.delete(i);
      }
    }
    await w.commit();
    assertEquals(w.pending, 0);
    assertEquals(w.commits, commits.length);
    assert(
      commits.length >= Math.ceil(totalBytes / KV_MAX_TOTAL_MUTATION_BYTES),
      `${commits.length} commits`,
    );
    for (const c of commits) {
      assert(c.mutations <= KV_MAX_MUTATIONS);
      assert(c.keyBytes <= KV_MAX_TOTAL_KEY_BYTES);
      assert(c.mutationBytes <= KV_MAX_TOTAL_MUTATION_BYTES);
    }
    assertEquals(commits.reduce((s, c) => s + c.mutations, 0), 6000 + Math.ceil(6000 / 7));
    let n = 0;
    for await (const e of kv.list<Uint8Array>({ prefix: ["x"] })) {
      const i = e.key[1] as number;
      assertEquals(e.value.length, expected.get(i));
      n++;
    }
    assertEquals(n, expected.size);
  });
});

Deno.test("KvBatchWriter refuses oversized values and keys up front", async () => {
  await withKv(async (kv) => {
    const w = new KvBatchWriter(kv);
    await assertRejects(
      () => w.add({ type: "set", key: ["v"], value: new Uint8Array(65537) }),
      "value is 65537 bytes",
    );
    await assertRejects(
      () => w.add({ type: "delete", key: ["k", new Uint8Array(2100).fill(1)] }),
      "key is 2105 bytes",
    );
    assertEquals(w.pending, 0);
    // Reserved room: a batch holding 999 mutations with 1 reserved commits before the next one.
    const small = new KvBatchWriter(kv);
    for (let i = 0; i < 999; i++) {
      await small.add({ type: "set", key: ["r", i], value: new Uint8Array(1) }, [1, 0, 0]);
    }
    assertEquals(small.commits, 0);
    let hooked = false;
    await small.add({ type: "set", key: ["r", 999], value: new Uint8Array(1) }, [1, 0, 0], () => {
      hooked = true;
      small.push({ type: "set", key: ["r", "reserved"], value: new Uint8Array(1) });
    });
    assert(hooked);
    assertEquals(small.commits, 1);
    assertEquals(small.pending, 1);
    await small.commit();
    assert((await kv.get(["r", "reserved"])).value !== null);
  });
});
