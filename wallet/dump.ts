/**
 * The wallet dump file of `tsbtc wallet dump` / `createfromdump` (Core's `wallet/dump.cpp` format):
 *
 * ```
 * BITCOIN_CORE_WALLET_DUMP,1
 * format,<database format>
 * <key hex>,<value hex>
 * …
 * checksum,<hex of the double SHA-256 of every line above, newlines included>
 * ```
 *
 * This module reads and writes that text with Core's checks and error messages; what the records are (how a
 * wallet database turns into key/value byte pairs) is the database's business.
 *
 * @module
 */
import { Sha256 } from "../core/hash/sha256.ts";
import { fromHex, toHex } from "../core/hash/hashes.ts";
import { ByteReader } from "../core/wire/reader.ts";
import { ByteWriter } from "../core/wire/writer.ts";

/** The first record's key (Core's `DUMP_MAGIC`). */
export const DUMP_MAGIC = "BITCOIN_CORE_WALLET_DUMP";
/** The only dump version (Core's `DUMP_VERSION`). */
export const DUMP_VERSION = 1;

/** One database record. */
export interface DumpRecord {
  /** Key bytes. */
  key: Uint8Array;
  /** Value bytes. */
  value: Uint8Array;
}

/** A dump problem, with Core's message (printed as is by the wallet tool). */
export class DumpError extends Error {
  /** @param message Core's text. */
  constructor(message: string) {
    super(message);
    this.name = "DumpError";
  }
}

const ENCODER = new TextEncoder();

/** Absolute form of a path (Core's `fs::absolute`): relative paths are taken from `cwd`. */
export function absolutePath(path: string, cwd: string): string {
  if (path.startsWith("/")) return path;
  return `${cwd.replace(/\/+$/, "")}/${path}`;
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Writes `records` to a new dump file at `path` (absolute), Core's `DumpWallet`: refuses an existing file
 * (`File … already exists. If you are sure this is what you want, move it out of the way first.`) or one it
 * cannot create (`Unable to open … for writing`); removes the file when reading the records fails.
 */
export async function writeDumpFile(
  path: string,
  format: string,
  records: Iterable<DumpRecord> | AsyncIterable<DumpRecord>,
): Promise<void> {
  if (await pathExists(path)) {
    throw new DumpError(
      `File ${path} already exists. If you are sure this is what you want, move it out of the way first.`,
    );
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { write: true, createNew: true });
  } catch {
    throw new DumpError(`Unable to open ${path} for writing`);
  }
  const hasher = new Sha256();
  const parts: Uint8Array[] = [];
  let size = 0;
  const flush = async () => {
    if (size === 0) return;
    const buf = new Uint8Array(size);
    let off = 0;
    for (const p of parts) {
      buf.set(p, off);
      off += p.length;
    }
    parts.length = 0;
    size = 0;
    let written = 0;
    while (written < buf.length) written += await file.write(buf.subarray(written));
  };
  const line = async (text: string, hashed = true) => {
    const bytes = ENCODER.encode(text);
    if (hashed) hasher.update(bytes);
    parts.push(bytes);
    size += bytes.length;
    if (size > 1 << 20) await flush();
  };
  try {
    await line(`${DUMP_MAGIC},${DUMP_VERSION}\n`);
    await line(`format,${format}\n`);
    try {
      for await (const r of records) await line(`${toHex(r.key)},${toHex(r.value)}\n`);
    } catch (e) {
      throw new DumpError(
        `Error reading next record from wallet database${e instanceof Error ? `: ${e.message}` : ""}`,
      );
    }
    await line(`checksum,${toHex(hasher.digestDouble())}\n`, false);
    await flush();
    file.close();
  } catch (e) {
    // Core removes the dump file on failure.
    try {
      file.close();
    } catch {
      // already closed
    }
    await Deno.remove(path).catch(() => {});
    throw e;
  }
}

/** `std::getline` over a text, with the stream's good/eof/fail states, as Core's reader relies on them. */
class LineReader {
  #text: string;
  #pos = 0;
  #eof = false;
  #fail = false;

  constructor(text: string) {
    this.#text = text;
  }

  get good(): boolean {
    return !this.#eof && !this.#fail;
  }

  getline(delim: string): string {
    if (!this.good) {
      this.#fail = true;
      return "";
    }
    const i = this.#text.indexOf(delim, this.#pos);
    if (i < 0) {
      const s = this.#text.slice(this.#pos);
      this.#pos = this.#text.length;
      this.#eof = true;
      if (s.length === 0) this.#fail = true;
      return s;
    }
    const s = this.#text.slice(this.#pos, i);
    this.#pos = i + 1;
    return s;
  }
}

/** What {@linkcode readDumpFile} read. */
export interface DumpContents {
  /** The `format` record's value. */
  format: string;
  /** The records, in file order. */
  records: DumpRecord[];
}

const IS_HEX = /^(?:[0-9a-fA-F]{2})+$/;

/**
 * Reads and checks a dump file (Core's `CreateFromDump` checks, with its messages): the file must exist
 * (`Dump file … does not exist.`), start with the identifier and version 1 record, then a `format` record
 * whose value is `acceptFormat` (`Error: Dumpfile specifies an unsupported database format (…). Only …
 * database dumps are supported`), hold hex records only, and end with a matching checksum. `afterHeader` runs
 * once the header records passed (Core creates the new database there, so its errors come before the records').
 */
export async function readDumpFile(
  path: string,
  acceptFormat: string,
  opts: { afterHeader?: () => Promise<void> } = {},
): Promise<DumpContents> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new DumpError(`Dump file ${path} does not exist.`);
    throw new DumpError(`Unable to read dump file ${path}: ${e instanceof Error ? e.message : e}`);
  }
  const rd = new LineReader(text);
  const hasher = new Sha256();
  const magic = rd.getline(",");
  const version = rd.getline("\n");
  if (magic !== DUMP_MAGIC) {
    throw new DumpError(
      `Error: Dumpfile identifier record is incorrect. Got "${magic}", expected "${DUMP_MAGIC}".`,
    );
  }
  if (!/^[0-9]+$/.test(version) || Number(version) > 0xffffffff) {
    throw new DumpError(`Error: Unable to parse version ${version} as a uint32_t`);
  }
  if (Number(version) !== DUMP_VERSION) {
    throw new DumpError(
      "Error: Dumpfile version is not supported. This version of bitcoin-wallet only supports version 1 " +
        `dumpfiles. Got dumpfile with version ${version}`,
    );
  }
  hasher.update(ENCODER.encode(`${magic},${version}\n`));
  const formatKey = rd.getline(",");
  const format = rd.getline("\n");
  if (formatKey !== "format") {
    throw new DumpError(`Error: Dumpfile format record is incorrect. Got "${formatKey}", expected "format".`);
  }
  if (format !== acceptFormat) {
    throw new DumpError(
      `Error: Dumpfile specifies an unsupported database format (${format}). Only ${acceptFormat} database ` +
        "dumps are supported",
    );
  }
  hasher.update(ENCODER.encode(`${formatKey},${format}\n`));
  await opts.afterHeader?.();
  const records: DumpRecord[] = [];
  let checksum: Uint8Array | null = null;
  while (rd.good) {
    const key = rd.getline(",");
    const value = rd.getline("\n");
    if (key === "checksum") {
      const parsed = IS_HEX.test(value) ? fromHex(value) : new Uint8Array(0);
      if (parsed.length !== 32) throw new DumpError("Error: Checksum is not the correct size");
      checksum = parsed;
      break;
    }
    hasher.update(ENCODER.encode(`${key},${value}\n`));
    if (key === "" || value === "") continue;
    if (!IS_HEX.test(key)) throw new DumpError(`Error: Got key that was not hex: ${key}`);
    if (!IS_HEX.test(value)) throw new DumpError(`Error: Got value that was not hex: ${value}`);
    records.push({ key: fromHex(key), value: fromHex(value) });
  }
  if (checksum === null) throw new DumpError("Error: Missing checksum");
  const computed = toHex(hasher.digestDouble());
  if (computed !== toHex(checksum)) {
    throw new DumpError(
      `Error: Dumpfile checksum does not match. Computed ${computed}, expected ${toHex(checksum)}`,
    );
  }
  return { format, records };
}

const KEY_STRING = 1;
const KEY_BYTES = 2;
const KEY_NUMBER = 3;
const KEY_BIGINT = 4;
const KEY_FALSE = 5;
const KEY_TRUE = 6;

/**
 * The bytes of a Deno KV key (a dump record's key): the part count, then per part a type byte and its value
 * (string as UTF-8 and bytes with a compact-size length, number as float64, bigint as decimal text).
 */
export function encodeRecordKey(key: Deno.KvKey): Uint8Array {
  const w = new ByteWriter(64).compactSize(key.length);
  for (const part of key) {
    if (typeof part === "string") w.u8(KEY_STRING).varBytes(ENCODER.encode(part));
    else if (part instanceof Uint8Array) w.u8(KEY_BYTES).varBytes(part);
    else if (typeof part === "number") {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, part, true);
      w.u8(KEY_NUMBER).bytes(b);
    } else if (typeof part === "bigint") w.u8(KEY_BIGINT).varBytes(ENCODER.encode(part.toString()));
    else if (typeof part === "boolean") w.u8(part ? KEY_TRUE : KEY_FALSE);
    else throw new Error(`Cannot encode a wallet record key: unsupported part ${String(part)}`);
  }
  return w.finish();
}

/** Parses {@linkcode encodeRecordKey}'s bytes; throws `Cannot decode record key: …` for anything else. */
export function decodeRecordKey(bytes: Uint8Array): Deno.KvKey {
  const rd = new ByteReader(bytes, "record key");
  const n = rd.count(1, "key part");
  const out: Deno.KvKeyPart[] = [];
  const decoder = new TextDecoder("utf-8", { fatal: true });
  for (let i = 0; i < n; i++) {
    const at = rd.pos;
    const tag = rd.u8();
    switch (tag) {
      case KEY_STRING:
        try {
          out.push(decoder.decode(rd.varBytes()));
        } catch {
          rd.fail("string part is not UTF-8", at);
        }
        break;
      case KEY_BYTES:
        out.push(rd.varBytes().slice());
        break;
      case KEY_NUMBER:
        out.push(new DataView(rd.bytes(8).slice().buffer).getFloat64(0, true));
        break;
      case KEY_BIGINT: {
        const text = new TextDecoder().decode(rd.varBytes());
        if (!/^-?[0-9]+$/.test(text)) rd.fail(`bigint part "${text}" is not an integer`, at);
        out.push(BigInt(text));
        break;
      }
      case KEY_FALSE:
      case KEY_TRUE:
        out.push(tag === KEY_TRUE);
        break;
      default:
        rd.fail(`unknown part type ${tag}`, at);
    }
  }
  rd.expectEnd("record key");
  return out;
}
