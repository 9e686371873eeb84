import { assert, assertEquals, assertThrows } from "../../assert.ts";
import type { BlockHeader } from "../../../core/wire/types.ts";
import {
  BlockIndex,
  hashToHex,
  hexToHash,
  type IndexEntry,
  lastCommonAncestor,
  skipHeight,
} from "../../../node/chain/block_index.ts";

function header(prev: Uint8Array, time: number, nonce: number): BlockHeader {
  return { version: 4, prevBlock: prev, merkleRoot: new Uint8Array(32), time, bits: 0x207fffff, nonce };
}

function chain(index: BlockIndex, from: IndexEntry | null, n: number, salt: number): IndexEntry[] {
  const out: IndexEntry[] = [];
  let prev = from;
  for (let i = 0; i < n; i++) {
    const time = 1_600_000_000 + (prev?.height ?? -1) * 600 + ((i * 7919 + salt) % 3000) - 1500;
    const e = index.add(header(prev?.hash ?? new Uint8Array(32), time, salt * 100_000 + i), prev);
    out.push(e);
    prev = e;
  }
  return out;
}

Deno.test("block index: ancestors through skip pointers equal walking back", () => {
  const index = new BlockIndex();
  const entries = chain(index, null, 1200, 1);
  for (const e of [entries[1199], entries[777], entries[64], entries[1]]) {
    for (let h = 0; h <= e.height; h += 13) {
      let w: IndexEntry | null = e;
      while (w !== null && w.height > h) w = w.prev;
      assert(e.ancestor(h) === w, `ancestor ${h} of ${e.height}`);
    }
    assertEquals(e.ancestor(e.height + 1), null);
    assertEquals(e.ancestor(-1), null);
  }
  for (const e of entries) if (e.skip !== null) assertEquals(e.skip.height, skipHeight(e.height));
  assert(skipHeight(1024) < 1024 && skipHeight(0) === 0 && skipHeight(1) === 0);
});

Deno.test("block index: median time past, chain work, common ancestor", () => {
  const index = new BlockIndex();
  const main = chain(index, null, 30, 2);
  for (const e of main) {
    const times: number[] = [];
    for (let w: IndexEntry | null = e; w !== null && times.length < 11; w = w.prev) times.push(w.header.time);
    times.sort((a, b) => a - b);
    assertEquals(e.medianTimePast, times[Math.floor(times.length / 2)]);
  }
  assertEquals(main[29].chainWork, main[0].chainWork * 30n);
  const side = chain(index, main[19], 5, 3);
  assert(lastCommonAncestor(main[29], side[4]) === main[19]);
  assert(lastCommonAncestor(side[4], main[10]) === main[10]);
  assertEquals(index.size, 35);
});

Deno.test("block index: records round-trip through load", () => {
  const index = new BlockIndex();
  const entries = chain(index, null, 10, 4);
  entries[3].haveData = true;
  entries[3].nTx = 2;
  entries[3].file = 0;
  entries[3].dataPos = 1234;
  entries[3].validity = "scripts";
  entries[3].haveUndo = true;
  entries[3].undoPos = 99;
  entries[7].failed = "failed";
  const loaded = new BlockIndex();
  loaded.load(entries.map((e) => e.record()).reverse());
  assertEquals(loaded.size, 10);
  const e3 = loaded.get(entries[3].hashHex)!;
  assertEquals(
    [e3.haveData, e3.nTx, e3.file, e3.dataPos, e3.validity, e3.haveUndo, e3.undoPos, e3.height],
    [true, 2, 0, 1234, "scripts", true, 99, 3],
  );
  assertEquals(loaded.get(entries[7].hash)!.failed, "failed");
  assertEquals(loaded.get(entries[8].hash)!.failed, "failed-parent");
  assertEquals(loaded.get(entries[9].hashHex)!.chainWork, entries[9].chainWork);
});

Deno.test("block index: hash hex conversions", () => {
  const h = new Uint8Array(32).map((_, i) => i);
  assertEquals(hexToHash(hashToHex(h)), h);
  assert(hashToHex(h).startsWith("1f1e"));
  const err = assertThrows(() => hexToHash("zz"));
  assert(err instanceof RangeError && err.message.startsWith("Cannot parse block hash"));
});
