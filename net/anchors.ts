/**
 * `anchors.dat` in Core's format (`DumpAnchors`/`ReadAnchors`, `SerializeFileDB`): the network magic, a vector
 * of addresses in `CAddress::V2_DISK` form (a format version word with the ADDRV2 bit, time, services as a
 * compact size, BIP155 address, big-endian port), then the SHA256d of everything before. Written at a clean
 * shutdown with the block-relay-only peers (at most 2), read once at the next start and deleted; a file that
 * does not parse (wrong magic, bad checksum, truncated) yields no anchors, never an error.
 *
 * @module
 */

import { bytesEqual, sha256d } from "../core/hash/hashes.ts";
import { ByteReader } from "../core/wire/reader.ts";
import { ByteWriter } from "../core/wire/writer.ts";
import { readAddressV2, writeAddressV2 } from "./address.ts";
import type { NetAddress } from "./address.ts";

/** The file name in the network data directory (Core's `ANCHORS_DATABASE_FILENAME`). */
export const ANCHORS_FILE = "anchors.dat";
/** Core's `MAX_BLOCK_RELAY_ONLY_ANCHORS`. */
export const MAX_BLOCK_RELAY_ONLY_ANCHORS = 2;
/** Core's `CAddress` disk format versions: `DISK_VERSION_INIT`, `DISK_VERSION_ADDRV2`, the ignored low bits. */
const DISK_VERSION_INIT = 220000;
const DISK_VERSION_ADDRV2 = 1 << 29;
const DISK_VERSION_IGNORE_MASK = 0x7ffff;

/** An anchor: an address, the services it offered and when (seconds). */
export interface Anchor extends NetAddress {
  readonly services: bigint;
  readonly time?: number;
}

/** Serializes anchors as Core's anchors.dat. */
export function encodeAnchors(magic: Uint8Array, anchors: readonly Anchor[]): Uint8Array {
  const w = new ByteWriter(64);
  w.bytes(magic).compactSize(anchors.length);
  for (const a of anchors) {
    w.u32((DISK_VERSION_INIT | DISK_VERSION_ADDRV2) >>> 0).u32(a.time ?? 0).compactSize(a.services);
    writeAddressV2(w, a);
  }
  const body = w.finish();
  const out = new Uint8Array(body.length + 32);
  out.set(body);
  out.set(sha256d(body), body.length);
  return out;
}

/** Parses Core's anchors.dat (throws `Cannot parse anchors: …`). */
export function decodeAnchors(magic: Uint8Array, data: Uint8Array): Anchor[] {
  if (data.length < 4 + 1 + 32) throw new Error(`Cannot parse anchors: length is ${data.length}`);
  const body = data.subarray(0, data.length - 32);
  if (!bytesEqual(sha256d(body), data.subarray(data.length - 32))) {
    throw new Error("Cannot parse anchors: checksum mismatch, data corrupted");
  }
  const r = new ByteReader(body, "anchors");
  if (!bytesEqual(r.bytes(4), magic)) throw new Error("Cannot parse anchors: invalid network magic number");
  const n = r.count(9, "anchor");
  const out: Anchor[] = [];
  for (let i = 0; i < n; i++) {
    const version = r.u32() & ~DISK_VERSION_IGNORE_MASK;
    const v2 = version === DISK_VERSION_ADDRV2;
    if (version !== 0 && !v2) throw new Error(`Cannot parse anchors: unsupported address format ${version}`);
    const time = r.u32();
    const services = v2 ? r.compactSizeU64() : r.u64();
    let a: NetAddress;
    if (v2) a = readAddressV2(r);
    else {
      const raw = r.bytes(16);
      const port = (r.u8() << 8) | r.u8();
      const v4 = raw.subarray(0, 12).every((b, j) => b === (j < 10 ? 0 : 0xff));
      a = v4 ? { net: 1, addr: raw.slice(12), port } : { net: 2, addr: raw.slice(), port };
    }
    out.push({ ...a, services, time });
  }
  r.expectEnd("anchors");
  return out;
}

/**
 * Core's `ReadAnchors`: the anchors of `dir/anchors.dat` (at most 2), the file deleted; none when it is missing
 * or does not parse.
 */
export async function readAnchors(
  dir: string,
  magic: Uint8Array,
  log?: (msg: string) => void,
): Promise<Anchor[]> {
  const path = `${dir}/${ANCHORS_FILE}`;
  let anchors: Anchor[] = [];
  try {
    anchors = decodeAnchors(magic, await Deno.readFile(path));
    log?.(`Loaded ${anchors.length} addresses from "${ANCHORS_FILE}"`);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) log?.(`${e instanceof Error ? e.message : e}`);
  }
  await Deno.remove(path).catch(() => {});
  return anchors.slice(0, MAX_BLOCK_RELAY_ONLY_ANCHORS);
}

/** Core's `DumpAnchors`: writes `dir/anchors.dat` (at most 2 anchors), through a temporary file. */
export async function dumpAnchors(
  dir: string,
  magic: Uint8Array,
  anchors: readonly Anchor[],
  log?: (msg: string) => void,
): Promise<void> {
  const list = anchors.slice(0, MAX_BLOCK_RELAY_ONLY_ANCHORS);
  const what = `Flush ${list.length} outbound block-relay-only peer addresses to ${ANCHORS_FILE}`;
  const start = performance.now();
  log?.(`DumpAnchors: ${what} started`);
  const path = `${dir}/${ANCHORS_FILE}`;
  await Deno.writeFile(`${path}.new`, encodeAnchors(magic, list));
  await Deno.rename(`${path}.new`, path);
  log?.(`DumpAnchors: ${what} completed (${((performance.now() - start) / 1000).toFixed(2)}s)`);
}
