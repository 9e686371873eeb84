/**
 * Block locators (Core's `CBlockLocator`): a version field (written as 70016, never used) and a list of block
 * hashes from the tip back to genesis with exponentially growing gaps, as sent in `getheaders`/`getblocks`.
 *
 * @module
 */

import { ByteReader } from "./reader.ts";
import { ByteWriter } from "./writer.ts";

/** Core's `CBlockLocator::DUMMY_VERSION`: the value written in the (unused) version field. */
export const LOCATOR_DUMMY_VERSION = 70016;

/** A block locator. */
export interface BlockLocator {
  /** The version field as read (ignored by Core; written as {@link LOCATOR_DUMMY_VERSION}). */
  readonly version: number;
  /** Block hashes, newest first, 32 bytes each, internal byte order. */
  readonly hashes: readonly Uint8Array[];
}

/**
 * Heights a locator lists for a tip at `height` (Core's `LocatorEntries`): the tip and the 10 blocks below it
 * one by one, then steps doubling each time, always ending with genesis (0). Empty for a negative height.
 */
export function locatorHeights(height: number): number[] {
  const heights: number[] = [];
  let step = 1;
  let h = height;
  while (h >= 0) {
    heights.push(h);
    if (h === 0) break;
    h = Math.max(h - step, 0);
    if (heights.length > 10) step *= 2;
  }
  return heights;
}

/** Reads a locator (int32 version, compact-size count, hashes as views). */
export function readBlockLocator(r: ByteReader): BlockLocator {
  const version = r.i32();
  const n = r.count(32, "hash");
  const hashes: Uint8Array[] = new Array(n);
  for (let i = 0; i < n; i++) hashes[i] = r.bytes(32);
  return { version, hashes };
}

/** Decodes a whole locator; trailing bytes are an error (throws `DecodeError`). */
export function decodeBlockLocator(bytes: Uint8Array): BlockLocator {
  const r = new ByteReader(bytes, "block locator");
  const locator = readBlockLocator(r);
  r.expectEnd("the last hash");
  return locator;
}

/** Writes a locator; the version defaults to {@link LOCATOR_DUMMY_VERSION}. */
export function writeBlockLocator(
  w: ByteWriter,
  hashes: readonly Uint8Array[],
  version = LOCATOR_DUMMY_VERSION,
): void {
  w.i32(version).compactSize(hashes.length);
  for (const h of hashes) {
    if (h.length !== 32) throw new RangeError(`Cannot encode block locator: a hash is ${h.length} bytes`);
    w.bytes(h);
  }
}

/** Serializes a locator of `hashes` (newest first). */
export function encodeBlockLocator(
  hashes: readonly Uint8Array[],
  version = LOCATOR_DUMMY_VERSION,
): Uint8Array {
  const w = new ByteWriter(4 + 9 + 32 * hashes.length);
  writeBlockLocator(w, hashes, version);
  return w.finish();
}
