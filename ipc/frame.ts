/**
 * Cap'n Proto stream framing (the standard serialization of `capnp::writeMessage`): a little-endian header
 * of `segment count - 1` (u32), one u32 size in words per segment, padding to a word boundary, then the
 * segments. {@linkcode FrameDecoder} reassembles frames from chunks of any size, copying each byte once, and
 * enforces the size and segment limits before allocating anything; {@linkcode encodeFrames} writes any number
 * of messages into one buffer (one write for a batch).
 *
 * @module
 */
import * as $ from "capnp-es";
import { IpcError } from "./rpc/error.ts";

/** The limits the decoder enforces (see `IpcLimits`). */
export interface FrameLimits {
  /** Largest message body, in bytes. */
  maxMessageBytes: number;
  /** Most segments per message. */
  maxSegments: number;
}

/**
 * One complete received frame. For a single-segment message the bytes are the segment itself (no header);
 * for several segments, the whole frame, header included.
 */
export class Frame {
  /** Number of segments. */
  readonly segmentCount: number;
  /** Size of the frame on the wire, header included. */
  readonly wireBytes: number;
  /** The bytes, possibly a view into a received chunk (do not keep it: use {@linkcode Frame.buffer}). */
  readonly view: Uint8Array;
  #owned: ArrayBuffer | null;

  /** `owned` is given when `view` covers a whole buffer of its own. */
  constructor(segmentCount: number, wireBytes: number, view: Uint8Array, owned: ArrayBuffer | null) {
    this.segmentCount = segmentCount;
    this.wireBytes = wireBytes;
    this.view = view;
    this.#owned = owned;
  }

  /** The bytes in an `ArrayBuffer` of their own (copied once, on first use, when they were a view). */
  buffer(): ArrayBuffer {
    if (this.#owned === null) {
      const v = this.view;
      this.#owned = v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength) as ArrayBuffer;
    }
    return this.#owned;
  }
}

/**
 * Incremental frame decoder. Feed chunks with {@linkcode FrameDecoder.push}, then take complete frames with
 * {@linkcode FrameDecoder.next} until it returns null. A malformed or over-limit frame throws an `IpcError`
 * (`Cannot parse frame: …`); the decoder must not be used after that.
 */
export class FrameDecoder {
  #limits: FrameLimits;
  #chunks: Uint8Array[] = [];
  #chunkOffset = 0; // read offset into #chunks[0]
  #available = 0;
  // Header state.
  #segmentCount = 0; // 0 while the first word has not been read
  #headerBytes = 0;
  #bodyBytes = -1; // -1 while the size table has not been read
  #failed: IpcError | null = null;

  /** Makes a decoder enforcing `limits`. */
  constructor(limits: FrameLimits) {
    this.#limits = limits;
  }

  /** Bytes received but not yet returned as frames. */
  get buffered(): number {
    return this.#available;
  }

  /** True between frames (no partial frame buffered): a clean place for the stream to end. */
  get idle(): boolean {
    return this.#available === 0;
  }

  /** Appends a chunk (kept by reference until consumed: the caller must not reuse its memory). */
  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.#chunks.push(chunk);
    this.#available += chunk.byteLength;
  }

  /**
   * Copies the buffered bytes that still refer to the last pushed chunk, so that the caller may reuse that
   * chunk's memory (a read buffer). Earlier chunks were made owned by earlier calls.
   */
  own(): void {
    const n = this.#chunks.length;
    if (n === 0) return;
    const start = n === 1 ? this.#chunkOffset : 0;
    this.#chunks[n - 1] = this.#chunks[n - 1].slice(start);
    if (n === 1) this.#chunkOffset = 0;
  }

  /** The next complete frame, or null when more bytes are needed. Throws `IpcError` on a bad frame. */
  next(): Frame | null {
    if (this.#failed) throw this.#failed;
    try {
      return this.#next();
    } catch (e) {
      this.#failed = e instanceof IpcError ? e : new IpcError(`Cannot parse frame: ${IpcError.reasonOf(e)}`);
      throw this.#failed;
    }
  }

  #next(): Frame | null {
    if (this.#segmentCount === 0 && this.#available >= 8) {
      const fast = this.#nextInChunk();
      if (fast) return fast;
    }
    if (this.#segmentCount === 0) {
      if (this.#available < 4) return null;
      const first = this.#peekU32(0);
      if (first >= this.#limits.maxSegments) {
        throw new IpcError(
          `Cannot parse frame: ${first + 1} segments exceed the limit of ${this.#limits.maxSegments}`,
        );
      }
      this.#segmentCount = first + 1;
      this.#headerBytes = (4 + 4 * this.#segmentCount + 7) & ~7;
    }
    if (this.#bodyBytes < 0) {
      if (this.#available < this.#headerBytes) return null;
      let total = 0;
      for (let i = 0; i < this.#segmentCount; i++) total += this.#peekU32(4 + 4 * i) * 8;
      if (total > this.#limits.maxMessageBytes) {
        throw new IpcError(
          `Cannot parse frame: message of ${total} bytes exceeds the limit of ${this.#limits.maxMessageBytes}`,
        );
      }
      if (this.#peekU32(4) === 0) throw new IpcError("Cannot parse frame: first segment is empty");
      this.#bodyBytes = total;
    }
    if (this.#available < this.#headerBytes + this.#bodyBytes) return null;
    const wireBytes = this.#headerBytes + this.#bodyBytes;
    let buffer: ArrayBuffer;
    const segmentCount = this.#segmentCount;
    if (segmentCount === 1) {
      this.#skip(this.#headerBytes);
      buffer = new ArrayBuffer(this.#bodyBytes);
      this.#take(new Uint8Array(buffer));
    } else {
      buffer = new ArrayBuffer(wireBytes);
      this.#take(new Uint8Array(buffer));
    }
    this.#segmentCount = 0;
    this.#bodyBytes = -1;
    return new Frame(segmentCount, wireBytes, new Uint8Array(buffer), buffer);
  }

  /**
   * Fast path: a single-segment frame lying entirely in the first chunk is sliced out in one native copy.
   * Returns null to let the general path handle anything else.
   */
  #nextInChunk(): Frame | null {
    const c = this.#chunks[0];
    const o = this.#chunkOffset;
    if (c.byteLength - o < 8) return null;
    const b = c.byteOffset + o;
    const count = c[o] | (c[o + 1] << 8) | (c[o + 2] << 16) | (c[o + 3] << 24);
    if (count !== 0) return null;
    const words = (c[o + 4] | (c[o + 5] << 8) | (c[o + 6] << 16) | (c[o + 7] << 24)) >>> 0;
    const body = words * 8;
    if (body === 0 || body > this.#limits.maxMessageBytes || c.byteLength - o < 8 + body) return null;
    const view = new Uint8Array(c.buffer, b + 8, body);
    const used = 8 + body;
    this.#available -= used;
    if (o + used === c.byteLength) {
      this.#chunks.shift();
      this.#chunkOffset = 0;
    } else {
      this.#chunkOffset = o + used;
    }
    return new Frame(1, used, view, null);
  }

  /** Reads a little-endian u32 at `offset` bytes past the read position, across chunk boundaries. */
  #peekU32(offset: number): number {
    let idx = 0;
    let pos = this.#chunkOffset + offset;
    while (pos >= this.#chunks[idx].byteLength) {
      pos -= this.#chunks[idx].byteLength;
      idx++;
    }
    const c = this.#chunks[idx];
    if (pos + 4 <= c.byteLength) {
      return (c[pos] | (c[pos + 1] << 8) | (c[pos + 2] << 16) | (c[pos + 3] << 24)) >>> 0;
    }
    let v = 0;
    for (let i = 0; i < 4; i++) {
      while (pos >= this.#chunks[idx].byteLength) {
        pos -= this.#chunks[idx].byteLength;
        idx++;
      }
      v |= this.#chunks[idx][pos] << (8 * i);
      pos++;
    }
    return v >>> 0;
  }

  /** Drops `n` bytes from the front. */
  #skip(n: number): void {
    this.#available -= n;
    while (n > 0) {
      const c = this.#chunks[0];
      const left = c.byteLength - this.#chunkOffset;
      if (n < left) {
        this.#chunkOffset += n;
        return;
      }
      n -= left;
      this.#chunks.shift();
      this.#chunkOffset = 0;
    }
  }

  /** Moves `dst.byteLength` bytes from the front into `dst`. */
  #take(dst: Uint8Array): void {
    let n = dst.byteLength;
    let o = 0;
    this.#available -= n;
    while (n > 0) {
      const c = this.#chunks[0];
      const left = c.byteLength - this.#chunkOffset;
      const k = n < left ? n : left;
      dst.set(c.subarray(this.#chunkOffset, this.#chunkOffset + k), o);
      o += k;
      n -= k;
      if (k === left) {
        this.#chunks.shift();
        this.#chunkOffset = 0;
      } else {
        this.#chunkOffset += k;
      }
    }
  }
}

/** Options of {@linkcode frameToMessage}. */
export interface MessageReadOptions {
  /** Reading budget in words (capnp's traversal limit). */
  traversalLimitWords: number;
}

/** Wraps a received frame in a capnp-es `Message` (a single segment is used in place, without a copy). */
export function frameToMessage(frame: Frame, opts: MessageReadOptions): $.Message {
  const msg = frame.segmentCount === 1
    ? new $.Message(frame.buffer(), false, true)
    : new $.Message(frame.buffer(), false, false);
  msg._capnp.traversalLimit = opts.traversalLimitWords * 8;
  return msg;
}

/**
 * A four-word single-segment message whose root struct (one data word, one pointer) holds a union tag and
 * points to a body of one data word: `Finish` and `Release` in `rpc.capnp`. Encoded straight into the
 * outgoing frame, without a buffer of its own.
 */
export class SmallMessage {
  /** Root union tag (`rpc.Message.which`). */
  readonly which: number;
  /** Low and high 32 bits of the body's data word. */
  readonly lo: number;
  /** High 32 bits of the body's data word. */
  readonly hi: number;

  /** Makes a message; `lo`/`hi` are the body's data word. */
  constructor(which: number, lo: number, hi: number) {
    this.which = which;
    this.lo = lo;
    this.hi = hi;
  }

  /** The segment bytes (for tests and tools; the transport encodes without this). */
  bytes(): Uint8Array {
    const out = new Uint8Array(32);
    writeSmall(new DataView(out.buffer), 0, this);
    return out;
  }
}

function writeSmall(dv: DataView, o: number, m: SmallMessage): void {
  dv.setUint32(o, 0, true); // root: struct at word 1
  dv.setUint32(o + 4, 0x10001, true); // 1 data word, 1 pointer
  dv.setUint32(o + 8, m.which, true);
  dv.setUint32(o + 12, 0, true);
  dv.setUint32(o + 16, 0, true); // body: struct at word 3
  dv.setUint32(o + 20, 1, true); // 1 data word
  dv.setUint32(o + 24, m.lo >>> 0, true);
  dv.setUint32(o + 28, m.hi >>> 0, true);
}

/** A message to send: a capnp-es message, the bytes of one segment (a multiple of 8 bytes), or a small one. */
export type OutMessage = $.Message | Uint8Array | SmallMessage;

/** Size in bytes of the stream frame of `msg` (header and padded segments). */
export function frameSize(msg: OutMessage): number {
  if (msg instanceof SmallMessage) return 40;
  if (msg instanceof Uint8Array) return 8 + ((msg.byteLength + 7) & ~7);
  const segs = msg._capnp.segments;
  const n = segs.length === 0 ? 1 : segs.length;
  let size = (4 + 4 * n + 7) & ~7;
  if (segs.length === 0) return size + 8;
  for (let i = 0; i < segs.length; i++) size += (segs[i].byteLength + 7) & ~7;
  return size;
}

/**
 * Writes the stream frames of `msgs`, in order, into one buffer: `reuse` when it is large enough (the result
 * is then a view of it), else a new one. A message with no segment yet is written as an empty struct root
 * (one zero word), as capnp-es does.
 */
export function encodeFrames(msgs: readonly OutMessage[], reuse?: Uint8Array): Uint8Array {
  let total = 0;
  for (let i = 0; i < msgs.length; i++) total += frameSize(msgs[i]);
  const out = reuse && reuse.byteLength >= total ? reuse.subarray(0, total) : new Uint8Array(total);
  const dv = new DataView(out.buffer, out.byteOffset, total);
  let o = 0;
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    if (m instanceof SmallMessage) {
      dv.setUint32(o, 0, true);
      dv.setUint32(o + 4, 4, true);
      writeSmall(dv, o + 8, m);
      o += 40;
      continue;
    }
    if (m instanceof Uint8Array) {
      const padded = (m.byteLength + 7) & ~7;
      dv.setUint32(o, 0, true);
      dv.setUint32(o + 4, padded >>> 3, true);
      out.set(m, o + 8);
      out.fill(0, o + 8 + m.byteLength, o + 8 + padded);
      o += 8 + padded;
      continue;
    }
    const segs = m._capnp.segments;
    if (segs.length === 0) {
      // count-1 = 0, size 1 word, then one zero word.
      dv.setUint32(o, 0, true);
      dv.setUint32(o + 4, 1, true);
      dv.setFloat64(o + 8, 0);
      o += 16;
      continue;
    }
    const n = segs.length;
    dv.setUint32(o, n - 1, true);
    for (let s = 0; s < n; s++) dv.setUint32(o + 4 + 4 * s, ((segs[s].byteLength + 7) & ~7) / 8, true);
    if (n % 2 === 0) dv.setUint32(o + 4 + 4 * n, 0, true); // header padding
    o += (4 + 4 * n + 7) & ~7;
    for (let s = 0; s < n; s++) {
      const len = segs[s].byteLength;
      const padded = (len + 7) & ~7;
      out.set(new Uint8Array(segs[s].buffer, 0, len), o);
      if (padded > len) out.fill(0, o + len, o + padded);
      o += padded;
    }
  }
  return out;
}
