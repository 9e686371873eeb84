/**
 * The parts of a value stored split (over 60,000 bytes) are written in one atomic commit, even when the batch
 * before them nearly fills a commit: a crash can never leave a record with old and new parts mixed.
 */
import { assert, assertEquals } from "../../assert.ts";
import { PART_PREFIX, WalletDatabase } from "../../../wallet/db/database.ts";

Deno.test("wallet db: a split value's parts share one atomic commit", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsbtc-walletdb-split-" });
  // Record the keys of each atomic commit made while the test runs.
  const commits: string[][] = [];
  const proto = Object.getPrototypeOf(await Deno.openKv(":memory:")) as Deno.Kv;
  const original = proto.atomic;
  proto.atomic = function (this: Deno.Kv) {
    const op = original.call(this);
    const keys: string[] = [];
    const set = op.set.bind(op);
    const del = op.delete.bind(op);
    const commit = op.commit.bind(op);
    op.set = (key, value, options) => (keys.push(JSON.stringify(key)), set(key, value, options));
    op.delete = (key) => (keys.push(JSON.stringify(key)), del(key));
    op.commit = () => (commits.push(keys), commit());
    return op;
  };
  try {
    const db = await WalletDatabase.open(dir);
    try {
      const batch = db.batch();
      // 997 small writes, then a 200 KB value (6 mutations: its whole key removed, 4 parts, the stop marker):
      // they do not all fit in one commit of 1,000 mutations.
      for (let i = 0; i < 997; i++) batch.put(["k", i], new Uint8Array([i & 0xff]));
      const big = new Uint8Array(200_000).map((_, i) => i & 0xff);
      batch.put(["desc", "big"], big);
      commits.length = 0;
      await batch.commit();
      const withParts = commits.filter((c) => c.some((k) => k.startsWith(`["${PART_PREFIX}"`)));
      assertEquals(withParts.length, 1, "every part in one commit");
      assertEquals(withParts[0].filter((k) => k.startsWith(`["${PART_PREFIX}"`)).length, 5);
      assert(withParts[0].includes(JSON.stringify(["desc", "big"])), "and the whole key's removal with them");
      assertEquals(await db.get(["desc", "big"]), big);
    } finally {
      await db.close();
    }
  } finally {
    proto.atomic = original;
    await Deno.remove(dir, { recursive: true });
  }
});
