import { assert, assertEquals, assertRejects } from "../../assert.ts";
import { chainParams } from "../../../core/chain_params.ts";
import { BlockFiles } from "../../../node/storage/block_files.ts";
import { initBlocksXorKey, isObfuscating, obfuscateAt, XOR_KEY_FILE } from "../../../node/storage/xor_key.ts";

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "tsbtc-xor-" });
}

Deno.test("xor.dat: a fresh blocks directory gets a random key, kept across runs", async () => {
  const dir = await tempDir();
  try {
    await Deno.writeTextFile(`${dir}/.lock`, "");
    const lines: string[] = [];
    const key = await initBlocksXorKey(dir, true, (m) => lines.push(m));
    assert(isObfuscating(key));
    assertEquals(await Deno.readFile(`${dir}/${XOR_KEY_FILE}`), key);
    assert(lines[0].startsWith(`Using obfuscation key for blocksdir *.dat files (${dir}): '`));
    assertEquals(await initBlocksXorKey(dir, true), key);
    await assertRejects(
      () => initBlocksXorKey(dir, false),
      "The blocksdir XOR-key can not be disabled when a random key was already stored!",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("xor.dat: an existing blocks directory without one, or -blocksxor=0, gets zeros", async () => {
  const dir = await tempDir();
  try {
    await Deno.writeFile(`${dir}/blk00000.dat`, new Uint8Array(8));
    assertEquals(await initBlocksXorKey(dir, true), new Uint8Array(8));
    const fresh = await tempDir();
    assertEquals(await initBlocksXorKey(fresh, false), new Uint8Array(8));
    await Deno.remove(fresh, { recursive: true });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("block files with a key: bytes on disk are XORed by file offset, reads undo it", async () => {
  const dir = await tempDir();
  try {
    const key = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const params = chainParams("regtest");
    const files = BlockFiles.open({
      dir,
      messageStart: params.messageStart,
      obfuscationKey: key,
      preallocate: false,
    });
    const block = new Uint8Array(200).map((_, i) => i);
    const pos = files.writeBlock(block, 0, 0);
    files.flush();
    assertEquals(files.readBlock(pos), block);
    const raw = await Deno.readFile(files.path("blk", 0));
    const expected = new Uint8Array(raw.length);
    expected.set(params.messageStart, 0);
    expected.set(Uint8Array.of(200, 0, 0, 0), 4);
    expected.set(block, 8);
    obfuscateAt(expected, key, 0);
    assertEquals(raw, expected);
    assertEquals([...files.scanBlockFile(0)].map((b) => b.data), [block]);
    files.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
