/**
 * Authentication of IPC connections: a shared secret in a cookie file, proved by both sides with a
 * challenge–response handshake that runs before any Cap'n Proto traffic. Neither side sends the secret.
 *
 * ## Cookie file
 * `<netDataDir>/ipc.cookie` unless `-ipccookiefile` says otherwise: one line, 64 lowercase hex digits
 * (a 32-byte secret from `crypto.getRandomValues`), created with mode 0600 by the listener when it starts
 * (replacing any old file) and removed when it stops. A client reads it to connect.
 *
 * ## Handshake (version 1), all fields fixed size, the server speaks first
 * ```
 * 1. server → client  40 bytes  "TSBTCIPC" (8 ASCII bytes) | ns (32 random bytes)
 * 2. client → server  72 bytes  "TSBTCIPC" | nc (32 random bytes) | HMAC-SHA256(secret, "tsbtc-ipc-v1 client" | ns | nc)
 * 3. server → client  33 bytes  0x00 | HMAC-SHA256(secret, "tsbtc-ipc-v1 server" | ns | nc)     on success
 *                      1 byte   0x01, then the server closes                                   on a wrong proof
 * ```
 * Then both sides speak Cap'n Proto on the same stream. The client sends nothing after step 2 until it has
 * checked the server's proof, so a client never talks to a server that does not know the secret, and the
 * server serves nothing before step 2 checks out. Proofs are compared in constant time. The different labels
 * stop a proof from being reflected back. The server drops a client that sends a wrong magic (garbage), more
 * than 72 bytes before its answer (oversize), or nothing complete within the timeout (5 s by default).
 *
 * @module
 */

import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, concatBytes, hexToBytes } from "@noble/hashes/utils.js";
import type { ByteStream } from "./transport.ts";

/**
 * A bidirectional byte stream (a `Deno.Conn` fits): the transport's {@linkcode ByteStream}. A stream handed on
 * after the handshake exposes `read`/`write` only when no bytes were left over from it.
 */
export type IpcStream = ByteStream;

/** The 8-byte magic that opens the server's and the client's handshake messages. */
export const HANDSHAKE_MAGIC: Uint8Array = new TextEncoder().encode("TSBTCIPC");
/** Size of the secret and of each nonce, in bytes. */
export const SECRET_SIZE = 32;
/** Size of the server hello (magic + server nonce). */
export const SERVER_HELLO_SIZE = 40;
/** Size of the client answer (magic + client nonce + client proof). */
export const CLIENT_ANSWER_SIZE = 72;
/** Size of the server's success message (status 0 + server proof). */
export const SERVER_PROOF_SIZE = 33;
/** Default handshake timeout, in milliseconds. */
export const DEFAULT_AUTH_TIMEOUT_MS = 5000;
/** Default cookie file name in the network data directory. */
export const DEFAULT_IPC_COOKIE_NAME = "ipc.cookie";

const CLIENT_LABEL = new TextEncoder().encode("tsbtc-ipc-v1 client");
const SERVER_LABEL = new TextEncoder().encode("tsbtc-ipc-v1 server");
const STATUS_OK = 0x00;
const STATUS_REJECTED = 0x01;

/** A failed handshake. `message` says why, e.g. `IPC authentication failed: wrong secret`. */
export class IpcAuthError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(`IPC authentication failed: ${message}`);
    this.name = "IpcAuthError";
  }
}

/** Options of the handshake functions. */
export interface HandshakeOptions {
  /** The shared secret (32 bytes). */
  secret: Uint8Array;
  /** Give up (and close the stream) after this many milliseconds; default 5000. */
  timeoutMs?: number;
}

/** A cookie written by {@link createIpcCookie}. */
export interface IpcCookie {
  /** Path of the cookie file. */
  path: string;
  /** The secret it holds. */
  secret: Uint8Array;
  /** Removes the file (if it still holds this secret). Never throws. */
  remove(): Promise<void>;
}

/**
 * Writes a fresh random secret to `path` with mode 0600, replacing an existing file (a symlink at `path` is
 * replaced, not followed).
 */
export async function createIpcCookie(path: string): Promise<IpcCookie> {
  const secret = crypto.getRandomValues(new Uint8Array(SECRET_SIZE));
  const text = bytesToHex(secret) + "\n";
  const tmp = `${path}.tmp${bytesToHex(crypto.getRandomValues(new Uint8Array(4)))}`;
  const file = await Deno.open(tmp, { write: true, createNew: true, mode: 0o600 });
  try {
    await file.write(new TextEncoder().encode(text));
  } finally {
    file.close();
  }
  await Deno.chmod(tmp, 0o600);
  await Deno.rename(tmp, path);
  return {
    path,
    secret,
    async remove() {
      try {
        const now = await Deno.readTextFile(path);
        if (now === text) await Deno.remove(path);
      } catch {
        // Already gone or unreadable: nothing to clean up.
      }
    },
  };
}

/**
 * Reads the secret from a cookie file.
 *
 * @throws Error `Cannot read IPC cookie file <path>: <reason>` or
 *   `Invalid IPC cookie file <path>: expected 64 hex digits`.
 */
export async function readIpcCookie(path: string): Promise<Uint8Array> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new Error(`Cannot read IPC cookie file ${path}: ${errorText(e)}`);
  }
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new Error(`Invalid IPC cookie file ${path}: expected ${SECRET_SIZE * 2} hex digits`);
  }
  return hexToBytes(hex.toLowerCase());
}

/**
 * Runs the server side of the handshake on a fresh connection. Resolves with the stream to speak Cap'n Proto
 * on (the same object; its reader lock released); on failure closes the stream and rejects with
 * {@link IpcAuthError}.
 */
export async function serverHandshake(stream: IpcStream, opts: HandshakeOptions): Promise<IpcStream> {
  checkSecret(opts.secret);
  const ns = crypto.getRandomValues(new Uint8Array(SECRET_SIZE));
  const io = new HandshakeIo(stream, opts.timeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS);
  try {
    await io.write(concatBytes(HANDSHAKE_MAGIC, ns));
    const magic = await io.read(HANDSHAKE_MAGIC.length);
    if (!equalBytes(magic, HANDSHAKE_MAGIC)) throw new IpcAuthError("bad handshake (not a tsbtc IPC client)");
    const rest = await io.read(CLIENT_ANSWER_SIZE - HANDSHAKE_MAGIC.length);
    if (io.buffered > 0) throw new IpcAuthError("oversize handshake (data before the server's answer)");
    const nc = rest.subarray(0, SECRET_SIZE);
    const proof = rest.subarray(SECRET_SIZE);
    const expected = hmac(sha256, opts.secret, concatBytes(CLIENT_LABEL, ns, nc));
    if (!constantTimeEqual(proof, expected)) {
      await io.write(Uint8Array.of(STATUS_REJECTED)).catch(() => {});
      throw new IpcAuthError("wrong secret");
    }
    await io.write(
      concatBytes(Uint8Array.of(STATUS_OK), hmac(sha256, opts.secret, concatBytes(SERVER_LABEL, ns, nc))),
    );
    io.release();
    return stream;
  } catch (e) {
    io.abort();
    throw toAuthError(e);
  }
}

/**
 * Runs the client side of the handshake on a fresh connection. Resolves with the stream to speak Cap'n Proto
 * on; on failure closes the stream and rejects with {@link IpcAuthError} (`wrong secret` when the server
 * rejects our proof, `server does not know the secret` when its proof is wrong).
 */
export async function clientHandshake(stream: IpcStream, opts: HandshakeOptions): Promise<IpcStream> {
  checkSecret(opts.secret);
  const nc = crypto.getRandomValues(new Uint8Array(SECRET_SIZE));
  const io = new HandshakeIo(stream, opts.timeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS);
  try {
    const hello = await io.read(SERVER_HELLO_SIZE);
    if (!equalBytes(hello.subarray(0, HANDSHAKE_MAGIC.length), HANDSHAKE_MAGIC)) {
      throw new IpcAuthError("bad handshake (not a tsbtc IPC server, or it does not require authentication)");
    }
    const ns = hello.slice(HANDSHAKE_MAGIC.length);
    await io.write(
      concatBytes(HANDSHAKE_MAGIC, nc, hmac(sha256, opts.secret, concatBytes(CLIENT_LABEL, ns, nc))),
    );
    const status = await io.read(1);
    if (status[0] === STATUS_REJECTED) throw new IpcAuthError("wrong secret (rejected by the server)");
    if (status[0] !== STATUS_OK) throw new IpcAuthError(`bad handshake status ${status[0]}`);
    const proof = await io.read(SECRET_SIZE);
    if (!constantTimeEqual(proof, hmac(sha256, opts.secret, concatBytes(SERVER_LABEL, ns, nc)))) {
      throw new IpcAuthError("server does not know the secret");
    }
    return io.finish();
  } catch (e) {
    io.abort();
    throw toAuthError(e);
  }
}

/** Compares two byte arrays in time independent of where they differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** Exact-size reads and writes with one deadline for the whole handshake. */
class HandshakeIo {
  #stream: IpcStream;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #buf: Uint8Array = new Uint8Array(0);
  #deadline: Promise<never>;
  #timer: ReturnType<typeof setTimeout>;

  constructor(stream: IpcStream, timeoutMs: number) {
    this.#stream = stream;
    this.#reader = stream.readable.getReader();
    this.#writer = stream.writable.getWriter();
    let fire!: (e: Error) => void;
    this.#deadline = new Promise<never>((_, reject) => (fire = reject));
    this.#deadline.catch(() => {});
    this.#timer = setTimeout(
      () => fire(new IpcAuthError(`timed out after ${timeoutMs} ms waiting for the handshake`)),
      timeoutMs,
    );
  }

  /** Bytes received beyond what was read so far. */
  get buffered(): number {
    return this.#buf.length;
  }

  async read(n: number): Promise<Uint8Array> {
    while (this.#buf.length < n) {
      const r = await Promise.race([this.#reader.read(), this.#deadline]);
      if (r.done) throw new IpcAuthError("connection closed during the handshake");
      this.#buf = this.#buf.length === 0 ? r.value : concatBytes(this.#buf, r.value);
    }
    const out = this.#buf.slice(0, n);
    this.#buf = this.#buf.subarray(n);
    return out;
  }

  async write(bytes: Uint8Array): Promise<void> {
    await Promise.race([this.#writer.write(bytes), this.#deadline]);
  }

  /** Releases the locks; only valid with nothing buffered. */
  release(): void {
    clearTimeout(this.#timer);
    this.#reader.releaseLock();
    this.#writer.releaseLock();
  }

  /** Releases the locks and returns a stream that first yields any bytes read past the handshake. */
  finish(): IpcStream {
    clearTimeout(this.#timer);
    this.#writer.releaseLock();
    if (this.#buf.length === 0) {
      this.#reader.releaseLock();
      return this.#stream;
    }
    let pending: Uint8Array | null = this.#buf;
    const reader = this.#reader;
    const readable = new ReadableStream<Uint8Array>({
      async pull(ctl) {
        if (pending) {
          ctl.enqueue(pending);
          pending = null;
          return;
        }
        const r = await reader.read();
        if (r.done) ctl.close();
        else ctl.enqueue(r.value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    });
    const stream = this.#stream;
    return { readable, writable: stream.writable, close: () => stream.close() };
  }

  /** Ends the handshake in failure: closes the connection. */
  abort(): void {
    clearTimeout(this.#timer);
    try {
      this.#stream.close();
    } catch {
      // Already closed.
    }
    this.#reader.cancel().catch(() => {});
    this.#writer.abort().catch(() => {});
  }
}

function toAuthError(e: unknown): IpcAuthError {
  if (e instanceof IpcAuthError) return e;
  return new IpcAuthError(`connection error during the handshake: ${errorText(e)}`);
}

function checkSecret(secret: Uint8Array): void {
  if (secret.length !== SECRET_SIZE) {
    throw new Error(`Cannot authenticate IPC: secret is ${secret.length} bytes, expected ${SECRET_SIZE}`);
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function errorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/ \(os error \d+\)$/, "");
}
