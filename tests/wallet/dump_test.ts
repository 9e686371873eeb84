import { DumpError, readDumpFile, writeDumpFile } from "../../wallet/dump.ts";
import { sha256d, toHex } from "../../core/hash/hashes.ts";
import { assertEquals, assertRejects } from "../assert.ts";

const records = [
  { key: new Uint8Array([1, 2, 3]), value: new Uint8Array([0xff]) },
  { key: new Uint8Array([0x61]), value: new Uint8Array(70_000).fill(7) },
];

/** A dump text with a correct checksum over `lines`. */
function withChecksum(lines: string): string {
  return `${lines}checksum,${toHex(sha256d(new TextEncoder().encode(lines)))}\n`;
}

Deno.test("dump file: Core's layout, checksum over every line, round trip", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/w.dump`;
    await writeDumpFile(path, "tsbtc_kv", records);
    const text = await Deno.readTextFile(path);
    const lines = text.split("\n");
    assertEquals(lines[0], "BITCOIN_CORE_WALLET_DUMP,1");
    assertEquals(lines[1], "format,tsbtc_kv");
    assertEquals(lines[2], "010203,ff");
    assertEquals(lines.length, 6);
    assertEquals(text, withChecksum(text.slice(0, text.indexOf("checksum,"))));
    const back = await readDumpFile(path, "tsbtc_kv");
    assertEquals(back.format, "tsbtc_kv");
    assertEquals(back.records, records);
    // An existing file is never overwritten.
    await assertRejects(
      () => writeDumpFile(path, "tsbtc_kv", []),
      `File ${path} already exists. If you are sure this is what you want, move it out of the way first.`,
    );
    // A failing record source leaves no file behind.
    const failing = `${dir}/fail.dump`;
    await assertRejects(
      () =>
        writeDumpFile(failing, "tsbtc_kv", {
          *[Symbol.iterator]() {
            yield records[0];
            throw new Error("disk gone");
          },
        }),
      "Error reading next record from wallet database",
    );
    await assertRejects(() => Deno.stat(failing));
    await assertRejects(() => writeDumpFile(`${dir}/no/such/dir`, "x", []), "Unable to open");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("dump file: Core's errors for damaged or foreign dumps", async () => {
  const dir = await Deno.makeTempDir();
  const cases: Array<[string, string]> = [
    [
      "NOT_A_DUMP,1\n",
      'Error: Dumpfile identifier record is incorrect. Got "NOT_A_DUMP", expected "BITCOIN_CORE_WALLET_DUMP".',
    ],
    ["BITCOIN_CORE_WALLET_DUMP,x\n", "Error: Unable to parse version x as a uint32_t"],
    [
      "BITCOIN_CORE_WALLET_DUMP,2\n",
      "Error: Dumpfile version is not supported. This version of bitcoin-wallet only supports version 1 dumpfiles. " +
      "Got dumpfile with version 2",
    ],
    [
      "BITCOIN_CORE_WALLET_DUMP,1\nfromat,x\n",
      'Error: Dumpfile format record is incorrect. Got "fromat", expected "format".',
    ],
    [
      "BITCOIN_CORE_WALLET_DUMP,1\nformat,sqlite\n",
      "Error: Dumpfile specifies an unsupported database format (sqlite). Only tsbtc_kv database dumps are supported",
    ],
    ["BITCOIN_CORE_WALLET_DUMP,1\nformat,tsbtc_kv\n01,zz\n", "Error: Got value that was not hex: zz"],
    ["BITCOIN_CORE_WALLET_DUMP,1\nformat,tsbtc_kv\n0g,00\n", "Error: Got key that was not hex: 0g"],
    ["BITCOIN_CORE_WALLET_DUMP,1\nformat,tsbtc_kv\n01,00\n", "Error: Missing checksum"],
    [
      "BITCOIN_CORE_WALLET_DUMP,1\nformat,tsbtc_kv\n01,00\nchecksum,abcd\n",
      "Error: Checksum is not the correct size",
    ],
    [
      "BITCOIN_CORE_WALLET_DUMP,1\nformat,tsbtc_kv\n01,00\nchecksum," + "00".repeat(32) + "\n",
      "Error: Dumpfile checksum does not match. Computed ",
    ],
  ];
  try {
    for (const [text, message] of cases) {
      const path = `${dir}/d`;
      await Deno.writeTextFile(path, text);
      const e = await assertRejects(() => readDumpFile(path, "tsbtc_kv"), message);
      assertEquals(e instanceof DumpError, true);
    }
    // A good dump whose record line was altered fails the checksum.
    const good = withChecksum("BITCOIN_CORE_WALLET_DUMP,1\nformat,tsbtc_kv\n01,02\n");
    await Deno.writeTextFile(`${dir}/d`, good.replace("01,02", "01,03"));
    await assertRejects(() => readDumpFile(`${dir}/d`, "tsbtc_kv"), "checksum does not match");
    await Deno.writeTextFile(`${dir}/d`, good);
    assertEquals((await readDumpFile(`${dir}/d`, "tsbtc_kv")).records, [{
      key: new Uint8Array([1]),
      value: new Uint8Array([2]),
    }]);
    await assertRejects(
      () => readDumpFile(`${dir}/missing`, "tsbtc_kv"),
      `Dump file ${dir}/missing does not exist.`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
