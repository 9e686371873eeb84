import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { fromHex, sha256d, toHex } from "../../../core/hash/hashes.ts";
import { DecodeError } from "../../../core/wire/errors.ts";
import { type Coin, coinEquals } from "../../../node/storage/coins.ts";
import {
  type BlockUndo,
  decodeBlockUndo,
  encodeBlockUndo,
  undoChecksum,
} from "../../../node/storage/undo.ts";

const p2pkh = fromHex("76a914816115944e077fe7c803cfa57f29b36bf87c1d3588ac");

function undoEquals(a: BlockUndo, b: BlockUndo): boolean {
  if (a.txUndo.length !== b.txUndo.length) return false;
  return a.txUndo.every((t, i) =>
    t.prevouts.length === b.txUndo[i].prevouts.length &&
    t.prevouts.every((c, j) => coinEquals(c, b.txUndo[i].prevouts[j]))
  );
}

Deno.test("undo serialization is Core's TxInUndoFormatter layout (dummy version byte only above height 0)", () => {
  const atHeight: Coin = {
    out: { value: 60000000000n, scriptPubKey: p2pkh },
    height: 203998,
    coinbase: false,
  };
  const genesisCoin: Coin = { out: { value: 5000000000n, scriptPubKey: p2pkh }, height: 0, coinbase: true };
  const undo: BlockUndo = { txUndo: [{ prevouts: [atHeight] }, { prevouts: [genesisCoin, atHeight] }] };
  const hex = toHex(encodeBlockUndo(undo));
  const cc1 = "97f23c" + "00" + "8358" + "00816115944e077fe7c803cfa57f29b36bf87c1d35";
  const gen = "01" + "32" + "00816115944e077fe7c803cfa57f29b36bf87c1d35";
  assertEquals(hex, "02" + "01" + cc1 + "02" + gen + cc1);
  assert(undoEquals(decodeBlockUndo(fromHex(hex)), undo));
  // Any dummy value is accepted when reading, as in Core.
  const withDummy = "01" + "01" + "97f23c" + "8000" + "8358" + "00816115944e077fe7c803cfa57f29b36bf87c1d35";
  assertEquals(decodeBlockUndo(fromHex(withDummy)).txUndo[0].prevouts[0].height, 203998);
  assertEquals(toHex(encodeBlockUndo({ txUndo: [] })), "00");
});

Deno.test("undo data round trips; damaged data is a DecodeError", () => {
  for (let round = 0; round < 50; round++) {
    const txUndo = [];
    for (let t = 0; t < Math.floor(Math.random() * 20); t++) {
      const prevouts: Coin[] = [];
      for (let i = 0; i < 1 + Math.floor(Math.random() * 5); i++) {
        prevouts.push({
          out: {
            value: BigInt(Math.floor(Math.random() * 2 ** 51)),
            scriptPubKey: crypto.getRandomValues(new Uint8Array(Math.floor(Math.random() * 60))),
          },
          height: Math.floor(Math.random() * 1000),
          coinbase: Math.random() < 0.2,
        });
      }
      txUndo.push({ prevouts });
    }
    const undo = { txUndo };
    const bytes = encodeBlockUndo(undo);
    assert(undoEquals(decodeBlockUndo(bytes), undo));
    if (bytes.length > 1) {
      const e = assertThrows(() => decodeBlockUndo(bytes.subarray(0, bytes.length - 1)));
      assert(e instanceof DecodeError, e.message);
    }
  }
  assertThrows(
    () => decodeBlockUndo(fromHex("fd0010")),
    "transaction undo count 4096 needs at least 4096 bytes",
  );
  assertThrows(() => decodeBlockUndo(fromHex("0101")), "undo coin count 1 needs at least 3 bytes");
  assertThrows(() => decodeBlockUndo(fromHex("000000")), "2 bytes left after the block undo data");
});

Deno.test("undo checksum is SHA-256d(previous block hash || undo data)", () => {
  const prev = crypto.getRandomValues(new Uint8Array(32));
  const data = fromHex("0101000006");
  assertEquals(toHex(undoChecksum(prev, data)), toHex(sha256d(new Uint8Array([...prev, ...data]))));
  assertThrows(() => undoChecksum(new Uint8Array(31), data), "hash is 31 bytes");
});
