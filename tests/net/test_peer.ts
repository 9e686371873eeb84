/**
 * A scripted P2P test peer (the idea of Bitcoin Core's `P2PInterface` in its functional tests): a raw TCP socket
 * that sends any bytes or message, records everything it receives, and waits for a given message or for the
 * connection to close. It applies no protocol rules of its own; it only answers pings when told to.
 *
 * @module
 */

import { MessageDecoder } from "../../net/decoder.ts";
import type { FramingError } from "../../net/errors.ts";
import { frameMessage } from "../../net/header.ts";
import { decodePayload, encodeMessage } from "../../net/messages.ts";
import type { MessageOf, NetMessage, VersionMessage } from "../../net/messages.ts";
import { PROTOCOL_VERSION, ServiceFlags } from "../../net/protocol.ts";
import { UNSPECIFIED_ADDRESS } from "../../net/address.ts";

/** Regtest's message start. */
export const REGTEST_MAGIC = Uint8Array.of(0xfa, 0xbf, 0xb5, 0xda);

/** Options of {@link TestPeer}. */
export interface TestPeerOptions {
  /** Message start (default regtest's). */
  readonly magic?: Uint8Array;
  /** Read from the socket (default true); false leaves the node's data unread (to fill its send buffer). */
  readonly read?: boolean;
  /** Answer pings with pongs (default true). */
  readonly answerPings?: boolean;
}

/** A raw-socket peer for tests. */
export class TestPeer {
  /** Everything received, in order (decoded; undecodable payloads as `unknown`). */
  readonly received: NetMessage[] = [];
  /** Framing errors of the node's stream (should stay empty). */
  readonly errors: FramingError[] = [];
  readonly magic: Uint8Array;
  readonly conn: Deno.Conn;
  /** Resolves when the connection is closed by the other side (or on error). */
  readonly closed: Promise<void>;
  /** Whether {@link closed} has resolved. */
  isClosed = false;
  answerPings: boolean;

  #waiters: (() => void)[] = [];
  #reading: boolean;
  #resolveClosed!: () => void;

  /** @param conn an open connection; @param options settings. */
  constructor(conn: Deno.Conn, options: TestPeerOptions = {}) {
    this.conn = conn;
    this.magic = options.magic ?? REGTEST_MAGIC;
    this.answerPings = options.answerPings ?? true;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#reading = options.read ?? true;
    if (this.#reading) this.#readLoop();
  }

  /** Connects to `127.0.0.1:port`. */
  static async connect(port: number, options: TestPeerOptions = {}): Promise<TestPeer> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    return new TestPeer(conn, options);
  }

  async #readLoop(): Promise<void> {
    const decoder = new MessageDecoder(this.magic);
    const buf = new Uint8Array(65536);
    try {
      while (true) {
        const n = await this.conn.read(buf);
        if (n === null) break;
        for (const ev of decoder.push(buf.subarray(0, n))) {
          if (ev.kind === "error") {
            this.errors.push(ev.error);
            continue;
          }
          const r = decodePayload(ev.command, ev.payload);
          const msg: NetMessage = r.ok
            ? r.message
            : { type: "unknown", command: ev.command, payload: ev.payload };
          this.received.push(msg);
          if (msg.type === "ping" && this.answerPings) {
            await this.send({ type: "pong", nonce: msg.nonce }).catch(() => {});
          }
        }
        this.#wake();
      }
    } catch {
      // closed or reset
    }
    this.isClosed = true;
    this.#resolveClosed();
    this.#wake();
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** Writes raw bytes. */
  async sendRaw(bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length) off += await this.conn.write(bytes.subarray(off));
  }

  /** Sends a message (framed with this peer's magic). */
  send(msg: NetMessage): Promise<void> {
    return this.sendRaw(encodeMessage(this.magic, msg));
  }

  /** Sends `command` with an arbitrary payload (correct checksum). */
  sendPayload(command: string, payload: Uint8Array): Promise<void> {
    return this.sendRaw(frameMessage(this.magic, command, payload));
  }

  /**
   * Waits for the first message of `type` received at or after index `from` of {@link received}; throws on
   * timeout or when the connection closes first.
   */
  async waitFor<T extends NetMessage["type"]>(
    type: T,
    options: { timeoutMs?: number; from?: number; where?: (m: MessageOf<T>) => boolean } = {},
  ): Promise<MessageOf<T>> {
    const deadline = Date.now() + (options.timeoutMs ?? 5000);
    const from = options.from ?? 0;
    while (true) {
      for (let i = from; i < this.received.length; i++) {
        const m = this.received[i];
        if (m.type === type && (!options.where || options.where(m as MessageOf<T>))) return m as MessageOf<T>;
      }
      if (this.isClosed) throw new Error(`connection closed while waiting for ${type}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${type}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits until the other side closes the connection; throws after `timeoutMs`. */
  async waitForClose(timeoutMs = 5000): Promise<void> {
    let t: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error("timed out waiting for the connection to close")), timeoutMs);
    });
    try {
      await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(t);
    }
  }

  /** Sends a ping and waits for its pong: everything sent before has been processed by the node. */
  async syncWithPing(timeoutMs = 5000): Promise<void> {
    const nonce = BigInt(Math.floor(Math.random() * 2 ** 48)) + 1n;
    const from = this.received.length;
    await this.send({ type: "ping", nonce });
    await this.waitFor("pong", { timeoutMs, from, where: (m) => m.nonce === nonce });
  }

  /** A version message as a test peer would send it. */
  static version(fields: Partial<Omit<VersionMessage, "type">> = {}): VersionMessage {
    return {
      type: "version",
      version: PROTOCOL_VERSION,
      services: ServiceFlags.NODE_NETWORK | ServiceFlags.NODE_WITNESS,
      timestamp: BigInt(Math.floor(Date.now() / 1000)),
      addrRecv: { services: 0n, ...UNSPECIFIED_ADDRESS },
      addrFrom: { services: 0n, ...UNSPECIFIED_ADDRESS },
      nonce: 0x1234567890n,
      userAgent: "/testpeer:0.1/",
      startHeight: 0,
      relay: true,
      ...fields,
    };
  }

  /** Sends `version`, waits for the node's `version` and `verack`, and sends `verack`. */
  async handshake(
    fields: Partial<Omit<VersionMessage, "type">> = {},
    timeoutMs = 5000,
  ): Promise<VersionMessage> {
    await this.send(TestPeer.version(fields));
    const v = await this.waitFor("version", { timeoutMs });
    await this.waitFor("verack", { timeoutMs });
    await this.send({ type: "verack" });
    return v;
  }

  /** Closes the socket (idempotent). */
  close(): void {
    try {
      this.conn.close();
    } catch {
      // already closed
    }
    if (!this.#reading) {
      this.isClosed = true;
      this.#resolveClosed();
    }
  }
}
