/**
 * A growable little-endian byte writer (Core's `DataStream` writing side) with compact sizes. Values out of
 * their field's range are programming errors and throw `RangeError` (never silently wrapped).
 *
 * @module
 */

const TWO_32 = 0x100000000;

/** Bytes a compact size of `n` takes (1, 3, 5 or 9). */
export function compactSizeLength(n: number | bigint): number {
  if (n < 253) return 1;
  if (n <= 0xffff) return 3;
  if (n <= 0xffffffff) return 5;
  return 9;
}

/** Sequential writer into a buffer that grows as needed. */
export class ByteWriter {
  #buf: Uint8Array;
  #pos = 0;

  /** @param capacity initial size of the buffer (an exact size avoids any regrowth). */
  constructor(capacity = 256) {
    this.#buf = new Uint8Array(Math.max(16, capacity));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#pos;
  }

  #reserve(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
  }

  /** uint8. */
  u8(v: number): this {
    if ((v & 0xff) !== v) throw new RangeError(`Cannot write uint8: ${v}`);
    this.#reserve(1);
    this.#buf[this.#pos++] = v;
    return this;
  }

  /** uint16, little-endian. */
  u16(v: number): this {
    if ((v & 0xffff) !== v) throw new RangeError(`Cannot write uint16: ${v}`);
    this.#reserve(2);
    const b = this.#buf;
    const p = this.#pos;
    b[p] = v;
    b[p + 1] = v >>> 8;
    this.#pos = p + 2;
    return this;
  }

  /** uint32, little-endian. */
  u32(v: number): this {
    if (v >>> 0 !== v) throw new RangeError(`Cannot write uint32: ${v}`);
    this.#put32(v);
    return this;
  }

  /** int32, little-endian. */
  i32(v: number): this {
    if ((v | 0) !== v) throw new RangeError(`Cannot write int32: ${v}`);
    this.#put32(v);
    return this;
  }

  /** 32 bits, little-endian, of a value that is either an int32 or a uint32 (e.g. a transaction version). */
  int32or32(v: number): this {
    if ((v | 0) !== v && v >>> 0 !== v) throw new RangeError(`Cannot write a 32-bit field: ${v}`);
    this.#put32(v);
    return this;
  }

  #put32(v: number): void {
    this.#reserve(4);
    const b = this.#buf;
    const p = this.#pos;
    b[p] = v;
    b[p + 1] = v >>> 8;
    b[p + 2] = v >>> 16;
    b[p + 3] = v >>> 24;
    this.#pos = p + 4;
  }

  /** uint64, little-endian. */
  u64(v: bigint): this {
    if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`Cannot write uint64: ${v}`);
    this.#put64(v);
    return this;
  }

  /** int64, little-endian, two's complement. */
  i64(v: bigint): this {
    if (v < -0x8000000000000000n || v > 0x7fffffffffffffffn) throw new RangeError(`Cannot write int64: ${v}`);
    this.#put64(v);
    return this;
  }

  #put64(v: bigint): void {
    let lo: number;
    let hi: number;
    if (v >= -9007199254740991n && v <= 9007199254740991n) {
      const n = Number(v);
      hi = Math.floor(n / TWO_32);
      lo = n - hi * TWO_32;
    } else {
      const u = BigInt.asUintN(64, v);
      lo = Number(u & 0xffffffffn);
      hi = Number(u >> 32n);
    }
    this.#put32(lo >>> 0);
    this.#put32(hi >>> 0);
  }

  /** Raw bytes. */
  bytes(v: Uint8Array): this {
    this.#reserve(v.length);
    this.#buf.set(v, this.#pos);
    this.#pos += v.length;
    return this;
  }

  /** A compact size (Core's `WriteCompactSize`). */
  compactSize(n: number | bigint): this {
    if (typeof n === "number") {
      if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Cannot write compact size: ${n}`);
      if (n < 253) {
        this.#reserve(1);
        this.#buf[this.#pos++] = n;
      } else if (n <= 0xffff) {
        this.#reserve(1);
        this.#buf[this.#pos++] = 253;
        this.u16(n);
      } else if (n <= 0xffffffff) {
        this.#reserve(1);
        this.#buf[this.#pos++] = 254;
        this.#put32(n);
      } else {
        this.#reserve(1);
        this.#buf[this.#pos++] = 255;
        this.#put64(BigInt(n));
      }
      return this;
    }
    if (n < 0n || n > 0xffffffffffffffffn) throw new RangeError(`Cannot write compact size: ${n}`);
    if (n <= 0xffffffffn) return this.compactSize(Number(n));
    this.#reserve(1);
    this.#buf[this.#pos++] = 255;
    this.#put64(n);
    return this;
  }

  /** A compact-size length followed by the bytes. */
  varBytes(v: Uint8Array): this {
    return this.compactSize(v.length).bytes(v);
  }

  /**
   * The bytes written. When the buffer was sized exactly, this is the buffer itself (no copy); otherwise a
   * copy of the written part. The writer should not be used afterwards.
   */
  finish(): Uint8Array {
    if (this.#pos === this.#buf.length) return this.#buf;
    return this.#buf.slice(0, this.#pos);
  }
}

/** A compact size on its own. */
export function encodeCompactSize(n: number | bigint): Uint8Array {
  return new ByteWriter(9).compactSize(n).finish();
}
