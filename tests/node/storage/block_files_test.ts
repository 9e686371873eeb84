import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { sha256d, toHex } from "../../../core/hash/hashes.ts";
import { chainParams } from "../../../core/chain_params.ts";
import { encodeBlock } from "../../../core/wire/block.ts";
import {
  BLOCKFILE_CHUNK_SIZE,
  type BlockFileInfo,
  BlockFiles,
  type BlockFilesOptions,
  FASTPRUNE_BLOCKFILE_SIZE,
  UNDOFILE_CHUNK_SIZE,
} from "../../../node/storage/block_files.ts";
import { BlockStorageError, type BlockStorageErrorKind } from "../../../node/storage/errors.ts";
import type { BlockUndo } from "../../../node/storage/undo.ts";

const REGTEST_MAGIC = chainParams("regtest").messageStart;

async function withDir(fn: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tsbtc_blockfiles_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function open(dir: string, extra: Partial<BlockFilesOptions> = {}): BlockFiles {
  return BlockFiles.open({ dir: `${dir}/blocks`, messageStart: REGTEST_MAGIC, ...extra });
}

/** A fake "block": 80-byte header-like prefix plus payload, deterministic from `i`. */
function fakeBlock(i: number, size = 200 + (i * 37) % 500): Uint8Array {
  const b = new Uint8Array(size);
  for (let j = 0; j < size; j++) b[j] = (i * 31 + j * 7) & 0xff;
  return b;
}

function kindOf(fn: () => unknown): BlockStorageErrorKind {
  try {
    fn();
  } catch (e) {
    if (e instanceof BlockStorageError) return e.kind;
    throw e;
  }
  throw new Error("expected a BlockStorageError");
}

Deno.test("blocks: append returns Core positions (after the 8-byte header) and reads back", async () => {
  await withDir((dir) => {
    const bf = open(dir);
    const genesis = encodeBlock(chainParams("regtest").genesis);
    const p0 = bf.writeBlock(genesis, 0, 1296688602);
    assertEquals(p0, { file: 0, pos: 8 });
    const blocks = [genesis];
    const positions = [p0];
    for (let i = 1; i < 50; i++) {
      blocks.push(fakeBlock(i));
      positions.push(bf.writeBlock(blocks[i], i, 1296688602 + i));
    }
    for (let i = 1; i < 50; i++) {
      assertEquals(positions[i].pos, positions[i - 1].pos + blocks[i - 1].length + 8);
    }
    for (let i = 0; i < 50; i++) assertEquals(toHex(bf.readBlock(positions[i])), toHex(blocks[i]));
    // Hash check against the header.
    const hash = sha256d(genesis.subarray(0, 80));
    assertEquals(toHex(bf.readBlock(p0, hash)), toHex(genesis));
    assertEquals(kindOf(() => bf.readBlock(p0, new Uint8Array(32))), "hash-mismatch");
    const info = bf.fileInfo(0);
    assertEquals(info.blocks, 50);
    assertEquals(info.heightFirst, 0);
    assertEquals(info.heightLast, 49);
    assertEquals(info.timeFirst, 1296688602);
    assertEquals(info.timeLast, 1296688602 + 49);
    assertEquals(info.size, positions[49].pos + blocks[49].length);
    // The on-disk record is magic + LE size + data.
    const flushed = bf.flush();
    assertEquals(flushed.lastFile, 0);
    assertEquals(flushed.fileInfo.length, 1);
    assertEquals(bf.flush().fileInfo.length, 0);
    bf.close();
    const raw = Deno.readFileSync(`${dir}/blocks/blk00000.dat`);
    assertEquals(toHex(raw.subarray(0, 4)), "fabfb5da");
    assertEquals(new DataView(raw.buffer).getUint32(4, true), genesis.length);
    assertEquals(toHex(raw.subarray(8, 8 + genesis.length)), toHex(genesis));
    // Pre-allocated to a 16 MiB chunk, zero past the data.
    assertEquals(raw.length, BLOCKFILE_CHUNK_SIZE);
    assert(raw.subarray(info.size).every((b) => b === 0));
  });
});

Deno.test("blocks: corrupt, truncated, missing and bad positions give typed errors", async () => {
  await withDir((dir) => {
    const bf = open(dir, { preallocate: false });
    const a = bf.writeBlock(fakeBlock(1, 300), 1, 1);
    const b = bf.writeBlock(fakeBlock(2, 300), 2, 2);
    bf.flush();
    assertEquals(kindOf(() => bf.readBlock({ file: 0, pos: 7 })), "bad-position");
    assertEquals(kindOf(() => bf.readBlock({ file: -1, pos: 100 })), "bad-position");
    assertEquals(kindOf(() => bf.readBlock({ file: 3, pos: 8 })), "missing-file");
    // A position in the middle of a record: the 8 bytes before it are block data, not the magic.
    assertEquals(kindOf(() => bf.readBlock({ file: 0, pos: a.pos + 40 })), "bad-magic");
    // Past the end of the file.
    assertEquals(kindOf(() => bf.readBlock({ file: 0, pos: b.pos + 1000 })), "truncated");
    bf.close();

    const path = `${dir}/blocks/blk00000.dat`;
    const raw = Deno.readFileSync(path);
    // Flip the magic of the second record.
    const bad = raw.slice();
    bad[b.pos - 8] ^= 0xff;
    Deno.writeFileSync(path, bad);
    let bf2 = open(dir, { preallocate: false });
    assertEquals(toHex(bf2.readBlock(a)), toHex(fakeBlock(1, 300)));
    const e = assertThrows(() => bf2.readBlock(b), "magic mismatch");
    assert(e instanceof BlockStorageError && e.kind === "bad-magic" && e.pos?.pos === b.pos);
    bf2.close();
    // A size field larger than MAX_SIZE.
    const big = raw.slice();
    new DataView(big.buffer).setUint32(b.pos - 4, 0x02000001, true);
    Deno.writeFileSync(path, big);
    bf2 = open(dir, { preallocate: false });
    assertEquals(kindOf(() => bf2.readBlock(b)), "too-large");
    bf2.close();
    // Truncated in the middle of the second block's data, and inside its header.
    Deno.writeFileSync(path, raw.subarray(0, b.pos + 100));
    bf2 = open(dir, { preallocate: false });
    assertThrows(() => bf2.readBlock(b), "file ends after 100 of 300 bytes");
    assertEquals(toHex(bf2.readBlock(a)), toHex(fakeBlock(1, 300)));
    bf2.close();
    Deno.writeFileSync(path, raw.subarray(0, b.pos - 3));
    bf2 = open(dir, { preallocate: false });
    assertEquals(kindOf(() => bf2.readBlock(b)), "truncated");
    bf2.close();
  });
});

Deno.test("blocks: rotation at the size limit, -fastprune, finalize trims pre-allocation", async () => {
  await withDir((dir) => {
    const bf = open(dir, { maxFileSize: 10_000 });
    const positions = [];
    for (let i = 0; i < 60; i++) positions.push(bf.writeBlock(fakeBlock(i, 1000), i, i));
    // 9 records of 1008 bytes fit below 10,000 (9072 + 1008 >= 10000 moves on).
    assertEquals(positions.map((p) => p.file).slice(0, 11), [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    assertEquals(bf.lastFile, 6);
    for (let i = 0; i < 60; i++) assertEquals(toHex(bf.readBlock(positions[i])), toHex(fakeBlock(i, 1000)));
    for (let f = 0; f < 6; f++) {
      assertEquals(bf.fileInfo(f).blocks, 9);
      assertEquals(bf.fileInfo(f).size, 9 * 1008);
      // Finished files were trimmed to their used size.
      assertEquals(Deno.statSync(bf.path("blk", f)).size, 9 * 1008);
    }
    const flushed = bf.flush();
    assertEquals(flushed.fileInfo.map((x) => x.file), [0, 1, 2, 3, 4, 5, 6]);
    assertEquals(flushed.lastFile, 6);
    bf.close();
  });
  await withDir((dir) => {
    const bf = open(dir, { fastPrune: true });
    const a = bf.writeBlock(fakeBlock(1, 40_000), 1, 1);
    const b = bf.writeBlock(fakeBlock(2, 40_000), 2, 2);
    assertEquals([a.file, b.file], [0, 1]);
    // A block larger than the fast-prune limit gets a file of its own.
    const c = bf.writeBlock(fakeBlock(3, FASTPRUNE_BLOCKFILE_SIZE + 10), 3, 3);
    assertEquals(c.file, 2);
    assertEquals(bf.readBlock(c).length, FASTPRUNE_BLOCKFILE_SIZE + 10);
    bf.close();
  });
  await withDir((dir) => {
    const bf = open(dir, { maxFileSize: 500 });
    assertEquals(kindOf(() => bf.writeBlock(new Uint8Array(492), 0, 0)), "io");
    bf.writeBlock(new Uint8Array(491), 0, 0);
    bf.close();
  });
});

Deno.test("undo data: round trip, checksum over the previous block hash, corruption", async () => {
  await withDir((dir) => {
    const bf = open(dir);
    const p = bf.writeBlock(fakeBlock(1), 1, 1);
    const prev = crypto.getRandomValues(new Uint8Array(32));
    const undo: BlockUndo = {
      txUndo: [{
        prevouts: [{
          out: { value: 5000000000n, scriptPubKey: new Uint8Array([0x51]) },
          height: 1,
          coinbase: true,
        }],
      }],
    };
    const u = bf.writeUndo(undo, prev, p.file);
    assertEquals(u, { file: 0, pos: 8 });
    const u2 = bf.writeUndo({ txUndo: [] }, prev, p.file);
    assertEquals(u2.pos, u.pos + bf.readUndoBytes(u, prev).length + 32 + 8);
    const back = bf.readUndo(u, prev);
    assertEquals(back.txUndo[0].prevouts[0].out.value, 5000000000n);
    assertEquals(back.txUndo[0].prevouts[0].coinbase, true);
    assertEquals(bf.readUndo(u2, prev), { txUndo: [] });
    assertEquals(bf.fileInfo(0).undoSize, u2.pos + 1 + 32);
    // Wrong previous hash: checksum mismatch.
    assertEquals(kindOf(() => bf.readUndo(u, new Uint8Array(32))), "checksum-mismatch");
    assertEquals(kindOf(() => bf.writeUndo(undo, prev, 5)), "bad-position");
    bf.flush();
    bf.close();
    // Flip a data byte on disk: checksum mismatch; break the size: malformed/truncated.
    const path = `${dir}/blocks/rev00000.dat`;
    const raw = Deno.readFileSync(path);
    assertEquals(raw.length, UNDOFILE_CHUNK_SIZE);
    const flipped = raw.slice();
    flipped[u.pos + 3] ^= 1;
    Deno.writeFileSync(path, flipped);
    let bf2 = open(dir, { fileInfo: [bf.fileInfo(0)] });
    assertEquals(kindOf(() => bf2.readUndo(u, prev)), "checksum-mismatch");
    bf2.close();
    // A record whose checksum matches but whose content does not parse is "malformed".
    const junk = new Uint8Array([0x05]);
    const bf3 = open(dir, { fileInfo: [bf.fileInfo(0)] });
    const pj = bf3.writeUndo(junk, prev, 0);
    assertEquals(kindOf(() => bf3.readUndo(pj, prev)), "malformed");
    bf3.close();
    Deno.writeFileSync(path, raw.subarray(0, u.pos + 5));
    bf2 = open(dir, { fileInfo: [bf.fileInfo(0)] });
    assertEquals(kindOf(() => bf2.readUndo(u, prev)), "truncated");
    bf2.close();
  });
});

Deno.test("blocks: reopening appends at the recorded end, overwriting unrecorded (crashed) bytes", async () => {
  await withDir((dir) => {
    const bf = open(dir);
    const a = bf.writeBlock(fakeBlock(1), 1, 1);
    const { fileInfo, lastFile } = bf.flush();
    const recorded: BlockFileInfo[] = [];
    for (const { file, info } of fileInfo) recorded[file] = info;
    // Written after the flush, never recorded in the index: lost in a crash.
    const lost = bf.writeBlock(fakeBlock(2), 2, 2);
    bf.close();
    const bf2 = open(dir, { fileInfo: recorded, lastFile });
    const b = bf2.writeBlock(fakeBlock(3), 3, 3);
    assertEquals(b, lost);
    assertEquals(toHex(bf2.readBlock(b)), toHex(fakeBlock(3)));
    assertEquals(toHex(bf2.readBlock(a)), toHex(fakeBlock(1)));
    assertEquals(bf2.fileInfo(0).blocks, 2);
    bf2.close();
  });
});

Deno.test("blocks: scanning a file finds well-framed records and skips garbage (reindex)", async () => {
  await withDir((dir) => {
    const bf = open(dir, { preallocate: false });
    const written = [];
    for (let i = 0; i < 5; i++) written.push(bf.writeBlock(fakeBlock(i, 300), i, i));
    bf.close();
    const path = `${dir}/blocks/blk00000.dat`;
    const raw = Deno.readFileSync(path);
    // Garbage between records 2 and 3 (a false magic with a bad size too), a half-written record at the end.
    const garbage = new Uint8Array([1, 2, 3, ...REGTEST_MAGIC, 0xff, 0xff, 0xff, 0x7f, 9, 9]);
    const split = written[3].pos - 8;
    const tail = new Uint8Array([...REGTEST_MAGIC, 0x2c, 0x01, 0, 0, 1, 2, 3]);
    Deno.writeFileSync(
      path,
      new Uint8Array([...raw.subarray(0, split), ...garbage, ...raw.subarray(split), ...tail]),
    );
    const bf2 = open(dir, { preallocate: false });
    const found = [...bf2.scanBlockFile(0)];
    assertEquals(found.length, 5);
    for (let i = 0; i < 5; i++) assertEquals(toHex(found[i].data), toHex(fakeBlock(i, 300)));
    assertEquals(found[2].pos, written[2]);
    assertEquals(found[3].pos.pos, written[3].pos + garbage.length);
    assertEquals(kindOf(() => [...bf2.scanBlockFile(7)]), "missing-file");
    // Rebuilding the file info from the scan (Core's UpdateBlockInfo).
    for (const f of found) bf2.noteBlockOnDisk(f.pos, f.data.length, 0, 0);
    assertEquals(bf2.fileInfo(0).blocks, 5);
    assertEquals(bf2.fileInfo(0).size, found[4].pos.pos + 300);
    bf2.close();
  });
});

Deno.test("blocks: closed files refuse work; wrong message start size refused", async () => {
  await withDir((dir) => {
    const bf = open(dir);
    bf.close();
    assertEquals(kindOf(() => bf.writeBlock(fakeBlock(1), 1, 1)), "io");
    assertThrows(() => BlockFiles.open({ dir, messageStart: new Uint8Array(3) }), "message start is 3 bytes");
  });
});

Deno.test("blocks: a block file renamed while open reads as missing, and again once it is back (Core opens per read)", async () => {
  await withDir((dir) => {
    const bf = open(dir, { preallocate: false });
    const a = bf.writeBlock(fakeBlock(1, 300), 1, 1);
    bf.flush();
    assertEquals(toHex(bf.readBlock(a)), toHex(fakeBlock(1, 300)));
    Deno.renameSync(`${dir}/blocks/blk00000.dat`, `${dir}/blocks/blk00000.dat.moved`);
    assertEquals(kindOf(() => bf.readBlock(a)), "missing-file");
    assertEquals(bf.readRange(0, a.pos, 10), null);
    Deno.renameSync(`${dir}/blocks/blk00000.dat.moved`, `${dir}/blocks/blk00000.dat`);
    assertEquals(toHex(bf.readBlock(a)), toHex(fakeBlock(1, 300)));
    bf.close();
  });
});
