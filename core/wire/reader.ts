/**
 * A bounds-checked little-endian byte reader (Core's `DataStream` reading side) with canonical compact sizes.
 * Byte strings come back as views (`subarray`) into the input: no copy, so the input must not be modified
 * while the decoded values are in use. Every length is checked against the bytes left before anything is
 * sized from it; every failure is a {@link DecodeError}.
 *
 * @module
 */

import { DecodeError } from "./errors.ts";

/** Core's `MAX_SIZE`: the largest compact size accepted as a length (32 MiB). */
export const MAX_SIZE = 0x02000000;

/** Sequential reader over a byte array. */
export class ByteReader {
  /** The whole input. */
  readonly data: Uint8Array;
  /** What is being decoded, for error messages ("transaction", "block", …). */
  readonly subject: string;
  /** Offset of the next byte to read. */
  pos: number;

  /**
   * @param data input bytes (viewed, not copied; a subclass such as Buffer is read as a plain Uint8Array)
   * @param subject what is being decoded, used in error messages
   * @param pos offset to start at
   */
  constructor(data: Uint8Array, subject = "data", pos = 0) {
    // Views of a subclass (e.g. node's Buffer) would be that subclass too: read through a plain Uint8Array.
    this.data = data.constructor === Uint8Array
      ? data
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.subject = subject;
    this.pos = pos;
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.data.length - this.pos;
  }

  /** Throws a {@link DecodeError} about the current position. */
  fail(reason: string, offset: number = this.pos): never {
    throw new DecodeError(this.subject, reason, offset);
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number): void {
    if (this.data.length - this.pos < n) this.#endOfData(n);
  }

  #endOfData(n: number): never {
    const left = this.data.length - this.pos;
    this.fail(`end of data (needs ${n} bytes at byte ${this.pos}, ${left} left)`);
  }

  /** uint8. */
  u8(): number {
    if (this.pos >= this.data.length) this.#endOfData(1);
    return this.data[this.pos++];
  }

  /** uint16, little-endian. */
  u16(): number {
    const p = this.pos;
    if (this.data.length - p < 2) this.#endOfData(2);
    const d = this.data;
    this.pos = p + 2;
    return d[p] | (d[p + 1] << 8);
  }

  /** uint32, little-endian. */
  u32(): number {
    const p = this.pos;
    if (this.data.length - p < 4) this.#endOfData(4);
    const d = this.data;
    this.pos = p + 4;
    return (d[p] | (d[p + 1] << 8) | (d[p + 2] << 16) | (d[p + 3] << 24)) >>> 0;
  }

  /** int32, little-endian. */
  i32(): number {
    const p = this.pos;
    if (this.data.length - p < 4) this.#endOfData(4);
    const d = this.data;
    this.pos = p + 4;
    return d[p] | (d[p + 1] << 8) | (d[p + 2] << 16) | (d[p + 3] << 24);
  }

  /** uint64, little-endian. */
  u64(): bigint {
    const lo = this.u32();
    const hi = this.u32();
    if (hi < 0x200000) return BigInt(hi * 0x100000000 + lo);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** int64, little-endian (two's complement). */
  i64(): bigint {
    const lo = this.u32();
    const hi = this.i32();
    if (hi < 0x200000 && hi >= -0x200000) return BigInt(hi * 0x100000000 + lo);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** The next `n` bytes as a view (no copy). */
  bytes(n: number): Uint8Array {
    const p = this.pos;
    if (this.data.length - p < n) this.#endOfData(n);
    this.pos = p + n;
    return this.data.subarray(p, p + n);
  }

  /** A 32-byte hash (view). */
  hash(): Uint8Array {
    return this.bytes(32);
  }

  /**
   * A compact size as Core's `ReadCompactSize()`: canonical encodings only ("non-canonical
   * ReadCompactSize()"), at most {@link MAX_SIZE} ("ReadCompactSize(): size too large").
   */
  compactSize(): number {
    const p = this.pos;
    const d = this.data;
    if (p < d.length && d[p] < 253) {
      this.pos = p + 1;
      return d[p];
    }
    const n = this.compactSizeU64(p);
    if (n > BigInt(MAX_SIZE)) this.fail("ReadCompactSize(): size too large", p);
    return Number(n);
  }

  /** A canonical compact size without the {@link MAX_SIZE} limit (Core's `ReadCompactSize(s, false)`). */
  compactSizeU64(start: number = this.pos): bigint {
    const first = this.u8();
    if (first < 253) return BigInt(first);
    let n: bigint;
    let min: bigint;
    if (first === 253) {
      n = BigInt(this.u16());
      min = 253n;
    } else if (first === 254) {
      n = BigInt(this.u32());
      min = 0x10000n;
    } else {
      n = this.u64();
      min = 0x100000000n;
    }
    if (n < min) this.fail("non-canonical ReadCompactSize()", start);
    return n;
  }

  /**
   * A compact-size element count for a vector whose elements take at least `minItemSize` bytes each; rejects
   * counts the remaining bytes cannot hold before anything is allocated. `what` names the element in the
   * error ("input", "transaction": `input count 65535 needs at least 2686935 bytes, 12 left`).
   */
  count(minItemSize: number, what: string): number {
    const start = this.pos;
    const n = this.compactSize();
    if (n * minItemSize > this.data.length - this.pos) {
      this.fail(
        `${what} count ${n} needs at least ${n * minItemSize} bytes, ${this.data.length - this.pos} left`,
        start,
      );
    }
    return n;
  }

  /** A compact-size length followed by that many bytes (view). */
  varBytes(): Uint8Array {
    const p = this.pos;
    const d = this.data;
    let n: number;
    if (p < d.length && d[p] < 253) {
      n = d[p];
      this.pos = p + 1;
    } else {
      n = this.compactSize();
    }
    return this.bytes(n);
  }

  /** Throws `<n> bytes left after <what>` unless the input is fully consumed. */
  expectEnd(what: string): void {
    const left = this.data.length - this.pos;
    if (left !== 0) this.fail(`${left} byte${left === 1 ? "" : "s"} left after ${what}`);
  }
}
