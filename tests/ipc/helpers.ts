/**
 * Shared helpers for the IPC engine tests: deadlines, connected pairs (in memory and over a real unix
 * socket), and a raw peer that speaks hand-built Cap'n Proto RPC messages.
 *
 * @module
 */
import * as $ from "capnp-es";
import * as rpc from "capnp-es/capnp/rpc";
import { type ConnectionOptions, IpcConnection } from "../../ipc/connection.ts";
import { encodeFrames, FrameDecoder, frameToMessage } from "../../ipc/frame.ts";
import { DEFAULT_IPC_LIMITS } from "../../ipc/rpc/limits.ts";
import { type ByteStream, memoryStreamPair } from "../../ipc/transport.ts";

/** Rejects if `p` does not settle within `ms`. */
export async function deadline<T>(p: Promise<T>, ms = 5000, what = "operation"): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits until `cond()` is true (polling), or throws after `ms`. */
export async function until(cond: () => boolean, ms = 3000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what} not reached within ${ms} ms`);
    await sleep(2);
  }
}

/** Kinds of transport a test can run over. */
export type PairKind = "memory" | "unix";

/** Two connected byte streams of the given kind; `cleanup` removes what was created. */
export async function streamPair(
  kind: PairKind,
): Promise<{ a: ByteStream; b: ByteStream; cleanup(): Promise<void> }> {
  if (kind === "memory") {
    const [a, b] = memoryStreamPair();
    return { a, b, cleanup: () => Promise.resolve() };
  }
  const dir = await Deno.makeTempDir({ prefix: "tsbtc-ipc-test-" });
  const path = `${dir}/s.sock`;
  const listener = Deno.listen({ transport: "unix", path });
  const [server, client] = await Promise.all([listener.accept(), Deno.connect({ transport: "unix", path })]);
  listener.close();
  return {
    a: server,
    b: client,
    cleanup: async () => {
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** A connected pair of IPC connections: `server` (a) and `client` (b). */
export interface ConnPair {
  server: IpcConnection;
  client: IpcConnection;
  /** Closes both and waits for both to end. */
  close(): Promise<void>;
}

/** Makes two connected `IpcConnection`s over `kind`. */
export async function connPair(
  kind: PairKind,
  serverOpts: Partial<ConnectionOptions> = {},
  clientOpts: Partial<ConnectionOptions> = {},
): Promise<ConnPair> {
  const { a, b, cleanup } = await streamPair(kind);
  const server = new IpcConnection(a, { name: "test-server", ...serverOpts });
  const client = new IpcConnection(b, { name: "test-client", ...clientOpts });
  return {
    server,
    client,
    close: async () => {
      await deadline(Promise.all([client.close(), server.close()]), 5000, "closing connections");
      await cleanup();
    },
  };
}

/** A peer that sends and receives raw RPC messages (for protocol-level tests). */
export class RawPeer {
  #stream: ByteStream;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #decoder = new FrameDecoder(DEFAULT_IPC_LIMITS);
  #inbox: $.Message[] = [];
  #eof = false;

  /** Wraps one end of a stream pair. */
  constructor(stream: ByteStream) {
    this.#stream = stream;
    this.#writer = stream.writable.getWriter();
    this.#reader = stream.readable.getReader();
  }

  /** Sends messages (one write). */
  async send(...msgs: $.Message[]): Promise<void> {
    await this.#writer.write(encodeFrames(msgs));
  }

  /** Sends raw bytes. */
  async sendBytes(bytes: Uint8Array): Promise<void> {
    await this.#writer.write(bytes);
  }

  /** The next received message (root `rpc.Message`), or null at end of stream. */
  async recv(ms = 3000): Promise<rpc.Message | null> {
    return await deadline(this.#recv(), ms, "raw peer receive");
  }

  async #recv(): Promise<rpc.Message | null> {
    for (;;) {
      const m = this.#inbox.shift();
      if (m) return m.getRoot(rpc.Message);
      if (this.#eof) return null;
      const r = await this.#reader.read().catch(() => ({ done: true, value: undefined }));
      if (r.done) {
        this.#eof = true;
        continue;
      }
      this.#decoder.push(r.value!);
      for (let f = this.#decoder.next(); f; f = this.#decoder.next()) {
        this.#inbox.push(frameToMessage(f, { traversalLimitWords: 1 << 20 }));
      }
    }
  }

  /** Receives until a message of kind `which` (skipping others, returned in `skipped`). */
  async recvKind(which: number, ms = 3000): Promise<{ msg: rpc.Message; skipped: rpc.Message[] }> {
    const skipped: rpc.Message[] = [];
    for (;;) {
      const m = await this.recv(ms);
      if (m === null) throw new Error(`stream ended before a message of kind ${which}`);
      if (m.which() === which) return { msg: m, skipped };
      skipped.push(m);
    }
  }

  /** True once the other side closed. */
  async ended(ms = 3000): Promise<boolean> {
    for (;;) {
      const m = await this.recv(ms);
      if (m === null) return true;
    }
  }

  /** Closes the stream. */
  close(): void {
    try {
      this.#stream.close();
    } catch { /* closed */ }
  }
}

/** Builds an RPC message: `init` fills the root. */
export function rpcMessage(init: (root: rpc.Message) => void): $.Message {
  const msg = new $.Message();
  init(msg.initRoot(rpc.Message));
  return msg;
}

/** Makes a connection served by `opts.bootstrap` facing a {@linkcode RawPeer}. */
export async function rawPair(
  kind: PairKind,
  opts: Partial<ConnectionOptions> = {},
): Promise<{ conn: IpcConnection; peer: RawPeer; close(): Promise<void> }> {
  const { a, b, cleanup } = await streamPair(kind);
  const conn = new IpcConnection(a, { name: "test-server", ...opts });
  const peer = new RawPeer(b);
  return {
    conn,
    peer,
    close: async () => {
      peer.close();
      await deadline(conn.close(), 5000, "closing connection");
      await cleanup();
    },
  };
}
