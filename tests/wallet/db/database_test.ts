import { assert, assertEquals, assertRejects } from "../../assert.ts";
import {
  copyDatabaseFile,
  DB_IN_USE_MESSAGE,
  hasWalletDatabase,
  WALLET_DB_FILE,
  WalletDatabase,
  WalletDatabaseError,
} from "../../../wallet/db/database.ts";
import { decodeWalletTx, encodeWalletTx, MAX_PART_BYTES } from "../../../wallet/db/records.ts";
import { decodeScriptChunk, encodeScriptChunk } from "../../../wallet/db/records.ts";
import { encodeTransaction } from "../../../core/wire/transaction.ts";
import type { WalletTx } from "../../../wallet/types.ts";

Deno.test("wallet db: one owner at a time, batches split at Deno KV's limits, backups copy everything", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsbtc-walletdb-" });
  try {
    assertEquals(await hasWalletDatabase(dir), false);
    const db = await WalletDatabase.open(dir);
    assertEquals(await hasWalletDatabase(dir), true);
    assert((await Deno.stat(`${dir}/${WALLET_DB_FILE}`)).isFile);
    // A second opener (another process, or this one) is refused with Core's message.
    const e = await assertRejects(() => WalletDatabase.open(dir), DB_IN_USE_MESSAGE);
    assert(e instanceof WalletDatabaseError);

    // 2,500 small writes and a few 60 KB values: several atomics, all applied.
    const batch = db.batch();
    for (let i = 0; i < 2500; i++) batch.put(["k", i], new Uint8Array([i & 0xff]));
    for (let i = 0; i < 20; i++) batch.put(["big", i], new Uint8Array(60_000).fill(i));
    const before = db.commits;
    await batch.commit();
    assert(db.commits - before >= 3, `${db.commits - before} commits`);
    assertEquals(batch.size, 0);
    let n = 0;
    for await (const [key, value] of db.list(["k"])) {
      assertEquals(value[0], (key[1] as number) & 0xff);
      n++;
    }
    assertEquals(n, 2500);
    assertEquals((await db.get(["big", 7]))?.[59_999], 7);
    const del = db.batch();
    del.delete(["k", 0]);
    await del.commit();
    assertEquals(await db.get(["k", 0]), null);

    // Backup into a file, restore into a new database.
    await db.backupTo(`${dir}/backup.kv`);
    await db.close();
    await db.close(); // idempotent
    const other = `${dir}/restored`;
    await Deno.mkdir(other);
    const restored = await WalletDatabase.open(other);
    await copyDatabaseFile(`${dir}/backup.kv`, restored);
    assertEquals((await restored.get(["k", 2499]))?.[0], 2499 & 0xff);
    assertEquals(await restored.get(["k", 0]), null);
    await restored.close();
    // Released: it can be opened again.
    const again = await WalletDatabase.open(dir);
    await again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("wallet db records: transactions over 60,000 bytes are split in parts and read back", () => {
  const big = {
    version: 2,
    inputs: [{
      prevout: { txid: new Uint8Array(32).fill(1), vout: 0 },
      scriptSig: new Uint8Array(0),
      sequence: 0xfffffffd,
      witness: [new Uint8Array(150_000).fill(9)],
    }],
    outputs: [{ value: 5000n, scriptPubKey: new Uint8Array([0x51]) }],
    locktime: 0,
  };
  const raw = encodeTransaction(big);
  const wtx: WalletTx = {
    txid: "aa".repeat(32),
    wtxid: "bb".repeat(32),
    tx: big,
    raw,
    state: { kind: "confirmed", blockHash: "cc".repeat(32), blockHeight: 7, index: 1 },
    timeReceived: 100,
    timeSmart: 90,
    orderPos: 3,
    mapValue: { comment: "hi" },
    orderForm: [["Message", "m"]],
    mempoolConflicts: new Set(["dd".repeat(32)]),
  };
  const parts = encodeWalletTx(wtx);
  assertEquals(parts.length, Math.ceil((4 + raw.length + 200) / MAX_PART_BYTES));
  assert(parts.every((p) => p.length <= MAX_PART_BYTES));
  const back = decodeWalletTx(wtx.txid, () => "ff".repeat(32), parts);
  assertEquals(back.wtxid, "bb".repeat(32), "stored wtxid");
  assertEquals(back.raw, raw);
  assertEquals(back.state, wtx.state);
  assertEquals(back.mapValue, { comment: "hi" });
  assertEquals(back.orderForm, [["Message", "m"]]);
  assertEquals([...back.mempoolConflicts], ["dd".repeat(32)]);
  assertEquals(back.tx.inputs[0].witness[0].length, 150_000);
});

Deno.test("wallet db records: script cache chunks round-trip", () => {
  const chunk = [[new Uint8Array([1, 2])], [], [new Uint8Array(300).fill(4), new Uint8Array([5])]];
  assertEquals(decodeScriptChunk(encodeScriptChunk(chunk)), chunk);
});

Deno.test("wallet db: a value over Deno KV's 64 KiB is stored in parts and round trips across close/open", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsbtc-walletdb-" });
  try {
    const big = new Uint8Array(200_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 8)) & 0xff;
    let db = await WalletDatabase.open(dir);
    const b = db.batch();
    b.put(["desc", "old"], new Uint8Array([1, 2, 3])); // a record written whole, as before
    b.put(["desc", "big"], big);
    b.put(["desccache", "big", 0], big.subarray(0, 70_000));
    await b.commit();
    await db.close();

    db = await WalletDatabase.open(dir);
    assertEquals(await db.get(["desc", "big"]), big);
    assertEquals(await db.get(["desc", "old"]), new Uint8Array([1, 2, 3]));
    const listed = new Map<string, Uint8Array>();
    for await (const [key, value] of db.list(["desc"])) listed.set(String(key[1]), value);
    assertEquals([...listed.keys()].sort(), ["big", "old"]);
    assertEquals(listed.get("big"), big);
    const all: string[] = [];
    for await (const [key] of db.list([])) all.push(JSON.stringify(key));
    assert(!all.some((k) => k.startsWith('["part"')), all.join(" "));
    assert(all.includes('["desccache","big",0]'));
    assertEquals(await db.get(["desccache", "big", 0]), big.subarray(0, 70_000));

    // Shrinking to a value stored whole hides the parts; growing again (fewer parts) and deleting.
    const shrink = db.batch();
    shrink.put(["desc", "big"], new Uint8Array([9]));
    await shrink.commit();
    assertEquals(await db.get(["desc", "big"]), new Uint8Array([9]));
    let n = 0;
    for await (const [key, value] of db.list(["desc"])) {
      if (key[1] === "big") n++, assertEquals(value, new Uint8Array([9]));
    }
    assertEquals(n, 1);
    const grow = db.batch();
    grow.put(["desc", "big"], big.subarray(0, 130_000));
    await grow.commit();
    await db.close();
    db = await WalletDatabase.open(dir);
    assertEquals(await db.get(["desc", "big"]), big.subarray(0, 130_000));
    const del = db.batch();
    del.delete(["desc", "big"]);
    await del.commit();
    assertEquals(await db.get(["desc", "big"]), null);
    const left: string[] = [];
    for await (const [key] of db.list(["desc"])) left.push(String(key[1]));
    assertEquals(left, ["old"]);
    // A backup copies the parts too.
    await db.backupTo(`${dir}/backup.kv`);
    await db.close();
    const other = `${dir}/restored`;
    await Deno.mkdir(other);
    const restored = await WalletDatabase.open(other);
    await copyDatabaseFile(`${dir}/backup.kv`, restored);
    assertEquals(await restored.get(["desccache", "big", 0]), big.subarray(0, 70_000));
    await restored.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
