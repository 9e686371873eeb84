import { assert, assertEquals } from "../../assert.ts";
import { fromReverseHex } from "../../../core/hash/hashes.ts";
import {
  compareOutPoints,
  decodeOutPoint,
  encodeOutPoint,
  isNullOutPoint,
  NULL_OUTPOINT,
  outPointEquals,
  outPointKey,
} from "../../../core/wire/outpoint.ts";
import { decodeErrorOf } from "./helpers.ts";

const TXID = "c0ae558b55e205864c28800eca9b1214833d2fda137d07e69786b1cda18551b4";

Deno.test("outpoints: null, equality, order, key, serialization", () => {
  assert(isNullOutPoint(NULL_OUTPOINT));
  assert(!isNullOutPoint({ txid: new Uint8Array(32), vout: 0 }));
  assert(!isNullOutPoint({ txid: fromReverseHex(TXID), vout: 0xffffffff }));
  const a = { txid: fromReverseHex(TXID), vout: 1 };
  const b = { txid: fromReverseHex(TXID), vout: 2 };
  assert(outPointEquals(a, { txid: fromReverseHex(TXID), vout: 1 }));
  assert(!outPointEquals(a, b));
  assertEquals([compareOutPoints(a, b), compareOutPoints(b, a), compareOutPoints(a, a)], [-1, 1, 0]);
  // Core compares the txid bytes in internal order first (byte 0 is the last pair of the display hex).
  const low = { txid: new Uint8Array(32).fill(0xff), vout: 0 };
  low.txid[0] = 0;
  const high = { txid: new Uint8Array(32), vout: 0 };
  high.txid[0] = 1;
  assertEquals(compareOutPoints(low, high), -1);
  assertEquals(outPointKey(a), `${TXID}:1`);
  const bytes = encodeOutPoint(a);
  assertEquals(bytes.length, 36);
  assertEquals(decodeOutPoint(bytes), a);
  assertEquals(decodeErrorOf(() => decodeOutPoint(bytes.subarray(0, 35))).subject, "outpoint");
  assertEquals(
    decodeErrorOf(() => decodeOutPoint(new Uint8Array(37))).message,
    "Cannot decode outpoint: 1 byte left after the index",
  );
});
