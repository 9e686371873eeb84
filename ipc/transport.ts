/**
 * A Cap'n Proto message transport over any byte stream: a read loop that decodes frames incrementally and
 * hands each message to a callback, and a write queue that never drops a message and coalesces every message
 * queued while a write is in progress (or in the same tick) into one write.
 *
 * @module
 */
import type * as $ from "capnp-es";
import { encodeFrames, FrameDecoder, frameSize, frameToMessage } from "./frame.ts";
import { IpcError } from "./rpc/error.ts";
import type { IpcLimits } from "./rpc/limits.ts";

/** A bidirectional byte stream: a `Deno.Conn` fits, and so does a child process's stdout/stdin pair. */
export interface ByteStream {
  /** Bytes from the peer. */
  readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer. */
  writable: WritableStream<Uint8Array>;
  /** Closes both directions (further reads end, pending ones may fail). */
  close(): void;
}

/** Callbacks and limits of a {@linkcode MessageTransport}. */
export interface TransportOptions {
  /** Limits applied to received frames and the write queue. */
  limits: IpcLimits;
  /** Called for each received message, in order. Must not throw (throws are reported via `onClose`). */
  onMessage(msg: $.Message): void;
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
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Writes issued (each carries one or more messages). */
  writes: number;
  /** Bytes queued and not yet handed to the stream. */
  queuedBytes: number;
}

/**
 * Microtask hops before a flush: messages queued by promise continuations of the current tick (a Finish and
 * the next Call, a Return and its Finish…) then leave in the same write. A write costs a system call and a
 * wake-up of the peer, far more than a few microtask hops.
 */
const FLUSH_HOPS = 16;

/** How long a closing transport waits for its last writes before closing the stream regardless. */
const CLOSE_FLUSH_TIMEOUT_MS = 2000;

/** Message queue over a {@linkcode ByteStream}. Call {@linkcode MessageTransport.start} to begin reading. */
export class MessageTransport {
  #stream: ByteStream;
  #opts: TransportOptions;
  #decoder: FrameDecoder;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  #queue: $.Message[] = [];
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
    this.#writer = stream.writable.getWriter();
    // A failed write is handled where it is awaited; this keeps `closed` from ever being unhandled.
    this.#writer.closed.catch(() => {});
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
   * while a write is in progress, go out in one write. Returns false (and drops nothing, since nothing can be
   * sent any more) when the transport is closed.
   */
  send(msg: $.Message): boolean {
    if (this.#closed) return false;
    this.#queue.push(msg);
    this.#queuedBytes += frameSize(msg);
    if (!this.#flushScheduled && this.#writing === null) {
      this.#flushScheduled = true;
      let hops = FLUSH_HOPS;
      const hop = () => {
        if (--hops > 0) queueMicrotask(hop);
        else this.#flush();
      };
      queueMicrotask(hop);
    }
    return true;
  }

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
    if (this.#writing !== null || this.#queue.length === 0) return;
    const msgs = this.#queue;
    this.#queue = [];
    let bytes: Uint8Array;
    try {
      bytes = encodeFrames(msgs);
    } catch (e) {
      this.#fail(new IpcError(`Cannot encode message: ${IpcError.reasonOf(e)}`));
      return;
    }
    this.#queuedBytes -= bytes.byteLength;
    this.#stats.messagesOut += msgs.length;
    this.#stats.bytesOut += bytes.byteLength;
    this.#stats.writes++;
    this.#writing = this.#writer.write(bytes).then(
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
    const reader = this.#stream.readable.getReader();
    this.#reader = reader;
    const limits = this.#opts.limits;
    const readOpts = { traversalLimitWords: limits.traversalLimitWords };
    for (;;) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
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
        let msg: $.Message;
        try {
          const frame = this.#decoder.next();
          if (frame === null) break;
          msg = frameToMessage(frame, readOpts);
        } catch (e) {
          this.#opts.onProtocolError(
            e instanceof IpcError ? e : new IpcError(`Cannot parse frame: ${IpcError.reasonOf(e)}`),
          );
          return;
        }
        this.#stats.messagesIn++;
        this.#opts.onMessage(msg);
        if (this.#closed) return;
      }
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
      this.#writer.releaseLock();
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
