/**
 * A Cap'n Proto message transport over any byte stream: a read loop that decodes frames incrementally and
 * hands each message to a callback, and a write queue that never drops a message and coalesces every message
 * queued while a write is in progress (or in the same tick) into one write.
 *
 * @module
 */
import { encodeFrames, type Frame, FrameDecoder, frameSize, type OutMessage } from "./frame.ts";
import { IpcError } from "./rpc/error.ts";
import type { IpcLimits } from "./rpc/limits.ts";

/**
 * A bidirectional byte stream: a `Deno.Conn` fits, and so does a child process's stdout/stdin pair.
 *
 * When the object also has `read` and `write` with `Deno.Conn` semantics (a `Deno.Conn` has them), they are
 * used instead of the web streams: that is markedly faster (no 64 KiB allocation per read, no stream
 * machinery per write). In a child process, `{ readable: Deno.stdin.readable, writable: Deno.stdout.writable,
 * read: (p) => Deno.stdin.read(p), write: (p) => Deno.stdout.write(p), close }` does the same.
 */
export interface ByteStream {
  /** Bytes from the peer. */
  readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer. */
  writable: WritableStream<Uint8Array>;
  /** Closes both directions (further reads end, pending ones may fail). */
  close(): void;
  /** Optional direct read (`Deno.Conn.read` semantics: bytes read into `p`, or null at the end). */
  read?(p: Uint8Array): Promise<number | null>;
  /** Optional direct write (`Deno.Conn.write` semantics: may write only part of `p`). */
  write?(p: Uint8Array): Promise<number>;
}

/** Callbacks and limits of a {@linkcode MessageTransport}. */
export interface TransportOptions {
  /** Limits applied to received frames and the write queue. */
  limits: IpcLimits;
  /** Called for each received frame, in order. Must not throw (a throw ends the connection). */
  onMessage(frame: Frame): void;
  /**
   * Called when a received frame is bad (garbage, too large, too many segments). Reading has stopped; the
   * owner should send an `Abort` and call {@linkcode MessageTransport.closeWithError}.
   */
  onProtocolError(reason: IpcError): void;
  /**
   * Called once when the transport stops: `null` after a local {@linkcode MessageTransport.close}, else the
   * reason (`Peer disconnected`, a framing error, a write error).
   */
  onClose(reason: IpcError | null): void;
}

/** Transport counters, for tests and benchmarks. */
export interface TransportStats {
  /** Messages received. */
  messagesIn: number;
  /** Messages sent. */
  messagesOut: number;
  /** Bytes received. */
  bytesIn: number;
  /** Bytes sent. */
  bytesOut: number;
  /** Writes issued (each carries one or more messages). */
  writes: number;
  /** Bytes queued and not yet handed to the stream. */
  queuedBytes: number;
}

/**
 * Microtask hops before a flush of messages sent with `urgent` false (a `Finish`, a `Release`): a message sent
 * by a promise continuation of the same tick (typically the next `Call`) then takes them along in its write.
 * A write costs a system call and a wake-up of the peer, far more than a few microtask hops. Urgent messages
 * (calls, returns) are flushed after the current task's synchronous code, in one hop.
 */
const LAZY_FLUSH_HOPS = 16;

/** Largest write buffer kept for reuse. */
const MAX_REUSED_BUFFER = 1024 * 1024;

/** Size of the read buffer used with a `Deno.Conn`. */
const READ_BUFFER_BYTES = 64 * 1024;

/** The direct I/O methods of a `Deno.Conn`. */
interface DirectConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
}

/** The stream's direct read/write methods, when it has both. */
function asDirect(stream: ByteStream): DirectConn | null {
  return typeof stream.read === "function" && typeof stream.write === "function"
    ? stream as DirectConn
    : null;
}

/** Writes all of `bytes` (a `Deno.Conn` write may be partial). */
async function writeAll(conn: DirectConn, bytes: Uint8Array): Promise<void> {
  let o = 0;
  while (o < bytes.byteLength) o += await conn.write(o === 0 ? bytes : bytes.subarray(o));
}

/** How long a closing transport waits for its last writes before closing the stream regardless. */
const CLOSE_FLUSH_TIMEOUT_MS = 2000;

/** Message queue over a {@linkcode ByteStream}. Call {@linkcode MessageTransport.start} to begin reading. */
export class MessageTransport {
  #stream: ByteStream;
  #opts: TransportOptions;
  #decoder: FrameDecoder;
  #writer: WritableStreamDefaultWriter<Uint8Array> | null = null;
  #reader: ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader | null = null;
  #conn: DirectConn | null;
  #queue: OutMessage[] = [];
  #queuedBytes = 0;
  #flushScheduled = false;
  #writing: Promise<void> | null = null;
  #closed = false;
  #stats: TransportStats = {
    messagesIn: 0,
    messagesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    writes: 0,
    queuedBytes: 0,
  };

  /** Wraps `stream`; nothing is read before {@linkcode MessageTransport.start}. */
  constructor(stream: ByteStream, opts: TransportOptions) {
    this.#stream = stream;
    this.#opts = opts;
    this.#decoder = new FrameDecoder(opts.limits);
    this.#conn = asDirect(stream);
    if (this.#conn === null) {
      this.#writer = stream.writable.getWriter();
      // A failed write is handled where it is awaited; this keeps `closed` from ever being unhandled.
      this.#writer.closed.catch(() => {});
    }
  }

  /** True once closed (locally or by the peer). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes queued for writing. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Counters. */
  stats(): TransportStats {
    return { ...this.#stats, queuedBytes: this.#queuedBytes };
  }

  /** Starts the read loop. */
  start(): void {
    this.#readLoop().catch((e) => this.#fail(new IpcError(`IPC read loop failed: ${IpcError.reasonOf(e)}`)));
  }

  /**
   * Queues `msg` for sending. Messages are written in the order queued; the ones queued in the same tick, or
   * while a write is in progress, go out in one write. A message that is not `urgent` may wait a few
   * microtask hops for company (see `LAZY_FLUSH_HOPS`). Returns false (and drops nothing, since nothing can
   * be sent any more) when the transport is closed.
   */
  send(msg: OutMessage, urgent = true): boolean {
    if (this.#closed) return false;
    this.#queue.push(msg);
    this.#queuedBytes += frameSize(msg);
    if (urgent) this.#urgent = true;
    if (!this.#flushScheduled && this.#writing === null) {
      this.#flushScheduled = true;
      let hops = LAZY_FLUSH_HOPS;
      const hop = () => {
        if (this.#urgent || --hops <= 0) this.#flush();
        else queueMicrotask(hop);
      };
      queueMicrotask(hop);
    }
    return true;
  }

  #urgent = false;
  #outBuf: Uint8Array | null = null;

  /**
   * Closes the transport: writes what is queued (waiting at most a couple of seconds), then closes the
   * stream. `onClose(null)` is called unless the transport had already stopped.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#drain();
    this.#shutdown();
    this.#opts.onClose(null);
  }

  /**
   * Like {@linkcode MessageTransport.close} but reports `reason` through `onClose`: used after sending an
   * `Abort`, so that the abort reaches the peer before the stream closes.
   */
  async closeWithError(reason: IpcError): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#opts.onClose(reason);
    await this.#drain();
    this.#shutdown();
  }

  async #drain(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_FLUSH_TIMEOUT_MS);
    });
    try {
      const done = (async () => {
        while (this.#writing !== null || this.#queue.length > 0) {
          if (this.#writing) await this.#writing;
          else this.#flush();
        }
      })();
      await Promise.race([done, timeout]);
    } catch {
      // The write failed: nothing more can be sent.
    } finally {
      clearTimeout(timer);
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    this.#urgent = false;
    if (this.#writing !== null || this.#queue.length === 0) return;
    const msgs = this.#queue;
    this.#queue = [];
    let bytes: Uint8Array;
    try {
      // With a Deno.Conn the kernel has the bytes once a write resolves: the buffer can be reused.
      bytes = encodeFrames(msgs, this.#conn ? this.#outBuf ?? undefined : undefined);
      if (this.#conn && bytes.buffer !== this.#outBuf?.buffer && bytes.byteLength <= MAX_REUSED_BUFFER) {
        this.#outBuf = new Uint8Array(bytes.buffer as ArrayBuffer);
      }
    } catch (e) {
      this.#fail(new IpcError(`Cannot encode message: ${IpcError.reasonOf(e)}`));
      return;
    }
    this.#queuedBytes -= bytes.byteLength;
    this.#stats.messagesOut += msgs.length;
    this.#stats.bytesOut += bytes.byteLength;
    this.#stats.writes++;
    this.#writing = (this.#conn ? writeAll(this.#conn, bytes) : this.#writer!.write(bytes)).then(
      () => {
        this.#writing = null;
        if (this.#queue.length > 0) this.#flush();
      },
      (e) => {
        this.#writing = null;
        this.#queue = [];
        this.#queuedBytes = 0;
        this.#fail(new IpcError("Peer disconnected", { type: "disconnected", cause: e }));
      },
    );
  }

  async #readLoop(): Promise<void> {
    const conn = this.#conn;
    let buf = new Uint8Array(READ_BUFFER_BYTES);
    let byob: ReadableStreamBYOBReader | null = null;
    let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
    if (!conn) {
      try {
        byob = this.#stream.readable.getReader({ mode: "byob" });
      } catch {
        reader = this.#stream.readable.getReader(); // not a byte stream
      }
    }
    this.#reader = byob ?? reader;
    const reusing = conn !== null || byob !== null;
    for (;;) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        if (conn) {
          const n = await conn.read(buf);
          r = n === null ? { done: true, value: undefined } : { done: false, value: buf.subarray(0, n) };
        } else if (byob) {
          r = await byob.read(buf);
          // The buffer was transferred: read into the returned memory next time.
          if (r.value) buf = new Uint8Array(r.value.buffer as ArrayBuffer);
        } else {
          r = await reader!.read();
        }
      } catch (e) {
        if (!this.#closed) this.#fail(new IpcError("Peer disconnected", { type: "disconnected", cause: e }));
        return;
      }
      if (this.#closed) return;
      if (r.done) {
        const partial = this.#decoder.buffered;
        this.#fail(
          new IpcError(
            partial === 0
              ? "Peer disconnected"
              : `Peer disconnected in the middle of a message (${partial} bytes)`,
            { type: "disconnected" },
          ),
        );
        return;
      }
      this.#stats.bytesIn += r.value.byteLength;
      this.#decoder.push(r.value);
      for (;;) {
        let frame: Frame | null;
        try {
          frame = this.#decoder.next();
          if (frame === null) break;
        } catch (e) {
          this.#opts.onProtocolError(
            e instanceof IpcError ? e : new IpcError(`Cannot parse frame: ${IpcError.reasonOf(e)}`),
          );
          return;
        }
        this.#stats.messagesIn++;
        this.#opts.onMessage(frame);
        if (this.#closed) return;
      }
      // The read buffer is reused: keep what is left of a partial frame.
      if (reusing) this.#decoder.own();
    }
  }

  /** Stops everything after an error; the owner decides whether to send an Abort first (see closeWithError). */
  #fail(reason: IpcError): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#shutdown();
    this.#opts.onClose(reason);
  }

  #shutdown(): void {
    try {
      this.#reader?.cancel().catch(() => {});
    } catch { /* already released */ }
    try {
      this.#writer?.releaseLock();
    } catch { /* pending write */ }
    try {
      this.#stream.close();
    } catch { /* already closed */ }
  }
}

/**
 * Two connected in-memory byte streams (what one writes, the other reads): for in-process connections and
 * tests. `close()` on either ends both directions.
 */
export function memoryStreamPair(): [ByteStream, ByteStream] {
  let abCtl!: TransformStreamDefaultController<Uint8Array>;
  let baCtl!: TransformStreamDefaultController<Uint8Array>;
  const ab = new TransformStream<Uint8Array, Uint8Array>({ start: (c) => void (abCtl = c) });
  const ba = new TransformStream<Uint8Array, Uint8Array>({ start: (c) => void (baCtl = c) });
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    try {
      abCtl.terminate();
    } catch { /* already closed */ }
    try {
      baCtl.terminate();
    } catch { /* already closed */ }
  };
  return [
    { readable: ba.readable, writable: ab.writable, close },
    { readable: ab.readable, writable: ba.writable, close },
  ];
}
