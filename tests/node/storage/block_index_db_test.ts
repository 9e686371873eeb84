import { assert, assertEquals, assertRejects } from "../../assert.ts";
import { bytesEqual, toHex } from "../../../core/hash/hashes.ts";
import { chainParams } from "../../../core/chain_params.ts";
import { blockHash } from "../../../core/wire/block.ts";
import type { BlockHeader } from "../../../core/wire/types.ts";
import {
  BLOCK_HAVE_DATA,
  BLOCK_HAVE_UNDO,
  BLOCK_VALID_SCRIPTS,
  BLOCK_VALID_TREE,
  BlockIndexDB,
  type BlockIndexRecord,
  decodeBlockFileInfo,
  decodeBlockIndexRecord,
  encodeBlockFileInfo,
  encodeBlockIndexRecord,
} from "../../../node/storage/block_index_db.ts";
import { ChainstateError } from "../../../node/storage/errors.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tsbtc_blockindex_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function chain(n: number): BlockIndexRecord[] {
  const genesis = chainParams("regtest").genesis.header;
  const out: BlockIndexRecord[] = [];
  let prev: BlockHeader = genesis;
  for (let h = 0; h < n; h++) {
    const header: BlockHeader = h === 0
      ? genesis
      : { ...prev, prevBlock: blockHash(prev), nonce: h, time: prev.time + 1 };
    const status = h % 3 === 0 ? BLOCK_VALID_TREE : BLOCK_VALID_SCRIPTS | BLOCK_HAVE_DATA | BLOCK_HAVE_UNDO;
    out.push({
      hash: blockHash(header),
      header,
      height: h,
      status,
      txCount: h % 3 === 0 ? 0 : 1 + h,
      file: h % 3 === 0 ? -1 : Math.floor(h / 100),
      dataPos: h % 3 === 0 ? 0 : 8 + h * 300,
      undoPos: h % 3 === 0 ? 0 : 8 + h * 50,
      chainWork: BigInt(h + 1) * 2n + (h === 5 ? (1n << 200n) : 0n),
    });
    prev = header;
  }
  return out;
}

Deno.test("block index records use Core's CDiskBlockIndex layout plus chain work", () => {
  const [genesis, b1] = chain(2);
  const bytes = encodeBlockIndexRecord(genesis);
  // VARINT(259900) = 8eed3c, height 0, status 2 (tree), nTx 0, header (80 bytes), chain work (32 bytes).
  assertEquals(toHex(bytes.subarray(0, 6)), "8eed3c000200");
  assertEquals(bytes.length, 6 + 80 + 32);
  assertEquals(decodeBlockIndexRecord(genesis.hash, bytes), genesis);
  const b1bytes = encodeBlockIndexRecord(b1);
  assertEquals(decodeBlockIndexRecord(b1.hash, b1bytes), b1);
  // File and positions appear only with the HAVE flags.
  assert(b1bytes.length > bytes.length);
  try {
    decodeBlockIndexRecord(genesis.hash, b1bytes);
    throw new Error("should fail");
  } catch (e) {
    assert(e instanceof ChainstateError && e.kind === "corrupt", String(e));
  }
});

Deno.test("block file info uses Core's seven VARINTs", () => {
  const info = {
    blocks: 3,
    size: 0x12345,
    undoSize: 77,
    heightFirst: 1,
    heightLast: 3,
    timeFirst: 1296688602,
    timeLast: 1296688700,
  };
  const bytes = encodeBlockFileInfo(info);
  assertEquals(toHex(bytes.subarray(0, 1)), "03");
  assertEquals(decodeBlockFileInfo(bytes), info);
});

Deno.test("block index database: batches, file info first, flags, reindexing, reload", async () => {
  await withDir(async (dir) => {
    const db = await BlockIndexDB.open({
      dir,
      limits: { maxMutations: 50, maxKeyBytes: 81920, maxMutationBytes: 819200 },
    });
    assertEquals(await db.readLastBlockFile(), undefined);
    assertEquals(await db.readAllBlockFileInfo(), []);
    const records = chain(400);
    const info = {
      blocks: 9,
      size: 1000,
      undoSize: 200,
      heightFirst: 0,
      heightLast: 8,
      timeFirst: 1,
      timeLast: 9,
    };
    await db.writeBatchSync({ fileInfo: [{ file: 0, info }, { file: 2, info }], lastFile: 2, records });
    assertEquals(await db.readLastBlockFile(), 2);
    assertEquals(await db.readBlockFileInfo(0), info);
    const all = await db.readAllBlockFileInfo();
    assertEquals(all.length, 3);
    assertEquals(all[1].blocks, 0);
    assertEquals(all[2], info);
    const loaded: BlockIndexRecord[] = [];
    for await (const r of db.loadBlockIndex()) loaded.push(r);
    assertEquals(loaded.length, 400);
    const byHash = new Map(records.map((r) => [toHex(r.hash), r]));
    for (const r of loaded) assertEquals(r, byHash.get(toHex(r.hash)));
    assert(bytesEqual((await db.readRecord(records[7].hash))!.hash, records[7].hash));
    assertEquals(await db.readRecord(new Uint8Array(32)), undefined);
    assertEquals(await db.readReindexing(), false);
    await db.writeReindexing(true);
    assertEquals(await db.readReindexing(), true);
    await db.writeReindexing(false);
    assertEquals(await db.readReindexing(), false);
    assertEquals(await db.readFlag("prunedblockfiles"), undefined);
    await db.writeFlag("prunedblockfiles", true);
    assertEquals(await db.readFlag("prunedblockfiles"), true);
    await db.writeFlag("prunedblockfiles", false);
    assertEquals(await db.readFlag("prunedblockfiles"), false);
    // A record whose hash is not its header's is refused.
    await assertRejects(
      () =>
        db.writeBatchSync({ fileInfo: [], lastFile: 2, records: [{ ...records[1], hash: records[2].hash }] }),
      "hash is not the header's",
    );
    db.close();
  });
});

Deno.test("block index database: a multi-commit write stores file info before any block record", async () => {
  await withDir(async (dir) => {
    let probe: Deno.Kv | undefined;
    const states: string[] = [];
    const db = await BlockIndexDB.open({
      dir,
      limits: { maxMutations: 2, maxKeyBytes: 81920, maxMutationBytes: 819200 },
      onCommit: async () => {
        // What a crash right after this commit would leave.
        probe ??= await Deno.openKv(`${dir}/index.sqlite3`);
        const records = (await Array.fromAsync(probe.list({ prefix: ["b"] }))).length;
        const files = (await Array.fromAsync(probe.list({ prefix: ["f"] }))).length;
        const last = (await probe.get(["l"])).value !== null;
        states.push(`${files}${last ? "l" : "-"}${records}`);
      },
    });
    const info = {
      blocks: 1,
      size: 500,
      undoSize: 0,
      heightFirst: 1,
      heightLast: 1,
      timeFirst: 1,
      timeLast: 1,
    };
    const fileInfo = [0, 1, 2].map((file) => ({ file, info }));
    await db.writeBatchSync({ fileInfo, lastFile: 2, records: chain(5) });
    probe?.close();
    assertEquals(states, ["2-0", "3l0", "3l2", "3l4", "3l5"]);
    db.close();
  });
});
