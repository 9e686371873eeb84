import { assertEquals } from "../../assert.ts";
import { toHex } from "../../../core/hash/hashes.ts";
import {
  decodeBlockLocator,
  encodeBlockLocator,
  LOCATOR_DUMMY_VERSION,
  locatorHeights,
} from "../../../core/wire/locator.ts";
import { decodeErrorOf } from "./helpers.ts";

Deno.test("locatorHeights: Core's LocatorEntries steps", () => {
  assertEquals(locatorHeights(-1), []);
  assertEquals(locatorHeights(0), [0]);
  assertEquals(locatorHeights(5), [5, 4, 3, 2, 1, 0]);
  assertEquals(locatorHeights(100), [100, 99, 98, 97, 96, 95, 94, 93, 92, 91, 90, 89, 87, 83, 75, 59, 27, 0]);
  const h = locatorHeights(1_000_000);
  assertEquals(h[0], 1_000_000);
  assertEquals(h[h.length - 1], 0);
  assertEquals(h.length, 31); // 11 single steps, 19 doubling steps (1..2^18), genesis
  assertEquals(h.slice(-3), [737847, 475703, 0]);
});

Deno.test("block locator: version 70016, count, hashes; round trip and errors", () => {
  const hashes = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)];
  const bytes = encodeBlockLocator(hashes);
  assertEquals(toHex(bytes.subarray(0, 5)), "8011010002");
  assertEquals(bytes.length, 4 + 1 + 64);
  assertEquals(decodeBlockLocator(bytes), { version: LOCATOR_DUMMY_VERSION, hashes });
  assertEquals(decodeBlockLocator(encodeBlockLocator([], 7)), { version: 7, hashes: [] });
  assertEquals(
    decodeErrorOf(() => decodeBlockLocator(bytes.subarray(0, 68))).reason,
    "hash count 2 needs at least 64 bytes, 63 left",
  );
  assertEquals(
    decodeErrorOf(() => decodeBlockLocator(new Uint8Array([...bytes, 0]))).reason,
    "1 byte left after the last hash",
  );
});
