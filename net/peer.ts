/**
 * One P2P connection (Core's `CNode` with the per-peer parts of `PeerManagerImpl`): the version handshake as
 * Core runs it, ping/pong with latency and timeouts, per-peer byte and message accounting as `getpeerinfo`
 * reports it, a send queue with backpressure, misbehaviour handling, and events for the messages received.
 *
 * Handshake (Core's rules): the outbound side sends `version` first; the inbound side answers a `version` with
 * its own. On a `version` each side sends `wtxidrelay` and `sendaddrv2` (common version >= 70016), then
 * `verack`. `wtxidrelay`/`sendaddrv2` are accepted only between `version` and `verack` (after: disconnect);
 * a redundant `version` or `verack` is ignored; any other message before `version`, or before `verack` (except
 * `sendheaders`/`sendcmpct`), is ignored. On `verack` the peer is connected: `sendcmpct(0, 2)` goes out and the
 * keep-alive pings start. Messages this side may send only once connected (`sendheaders`, `sendcmpct`,
 * `feefilter`, `inv`, …) are refused by {@link Peer.send} before that.
 *
 * Malformed input is treated as Core does: a wrong magic or an oversized length closes the connection; a bad
 * checksum or command, or a payload that does not decode, drops that message (reported as a `protocolError`);
 * a payload over one of Core's limits calls `Misbehaving()` (the peer is marked to be discouraged and
 * disconnected) or disconnects, per the limit. Unknown messages are counted as `*other*` and handed to the handlers as `unknown`.
 *
 * Backpressure as Core's: while more than `maxSendBuffer` bytes wait to be written, received messages are not
 * processed (`fPauseSend`), so a peer that does not read cannot make us build responses without limit; input
 * is still read into a queue of at most `maxReceiveBuffer` bytes (`fPauseRecv`, `-maxreceivebuffer`), so two
 * nodes sending each other large messages at once do not deadlock. Past `maxSendQueue` bytes (a bug or an
 * unbounded sender on our side) the peer is disconnected. Queued messages are handed to handlers one at a
 * time, so a busy node slows its peers down through TCP once the queue is full.
 *
 * @module
 */

import type { DecodeError } from "../core/wire/errors.ts";
import { Bip155Network, parseIp, UNSPECIFIED_ADDRESS } from "./address.ts";
import type { NetAddress } from "./address.ts";
import { MessageDecoder } from "./decoder.ts";
import { frameMessage } from "./header.ts";
import type { DecoderEvent } from "./decoder.ts";
import { type FramingError, MessageLimitError } from "./errors.ts";
import { decodePayload, encodeMessage, encodePayload, messageCommand } from "./messages.ts";
import type { EncodeMessageOptions, NetMessage, VersionMessage } from "./messages.ts";
import {
  ALL_NET_MESSAGE_TYPES,
  BIP0031_VERSION,
  CMPCTBLOCKS_VERSION,
  DEFAULT_MAX_RECEIVE_BUFFER,
  DEFAULT_MAX_SEND_BUFFER,
  DEFAULT_PEER_CONNECT_TIMEOUT_MS,
  MAX_PROTOCOL_MESSAGE_LENGTH,
  MIN_PEER_PROTO_VERSION,
  NET_MESSAGE_TYPE_OTHER,
  PING_INTERVAL_MS,
  PROTOCOL_VERSION,
  SHORT_IDS_BLOCKS_VERSION,
  TIMEOUT_INTERVAL_MS,
  WTXID_RELAY_VERSION,
} from "./protocol.ts";
import { sanitizeString } from "./user_agent.ts";

/** What this side announces in its `version` message. */
export interface LocalVersion {
  /** Services offered. */
  readonly services: bigint;
  /** User agent (see `formatUserAgent`). */
  readonly userAgent: string;
  /** Best block height, read when the version is sent. */
  readonly startHeight: number | (() => number);
  /** Whether we want transactions relayed to us (false with `-blocksonly`). */
  readonly relay: boolean;
  /** Nonce to detect connections to self (random when absent; never 0). */
  readonly nonce?: bigint;
  /** Protocol version announced (default {@link PROTOCOL_VERSION}). */
  readonly version?: number;
}

/** Options of {@link Peer}. */
export interface PeerOptions {
  /** The TCP connection. */
  readonly conn: Deno.Conn;
  /** The network's message start. */
  readonly magic: Uint8Array;
  /** Whether the peer connected to us. */
  readonly inbound: boolean;
  /** Node-wide peer id (getpeerinfo's `id`). */
  readonly id?: number;
  /** Our version message fields. */
  readonly local: LocalVersion;
  /** True when `nonce` is one of our own version nonces (checked on inbound peers: connection to self). */
  readonly isOwnNonce?: (nonce: bigint) => boolean;
  /** Send `wtxidrelay` (default true). */
  readonly wtxidRelay?: boolean;
  /** Send `sendcmpct(0, 2)` after the handshake (default true, as Core). */
  readonly announceCompactBlocks?: boolean;
  /** Time to complete the handshake (default 60 s, Core's `-peertimeout`). */
  readonly handshakeTimeoutMs?: number;
  /** Keep-alive ping interval (default 2 min). */
  readonly pingIntervalMs?: number;
  /** Send, receive and ping timeout (default 20 min, Core's `TIMEOUT_INTERVAL`). */
  readonly timeoutMs?: number;
  /** Bytes queued for sending above which input is paused (default 1,000,000, Core's `-maxsendbuffer`). */
  readonly maxSendBuffer?: number;
  /** Received bytes queued for processing above which reading pauses (default 5,000,000, Core's `-maxreceivebuffer`). */
  readonly maxReceiveBuffer?: number;
  /** Bytes queued above which the peer is disconnected (default maxSendBuffer + 2 × 4,000,000). */
  readonly maxSendQueue?: number;
  /** Debug log lines with Core's wording (category `net`): redundant messages, pong problems, self. */
  readonly log?: (msg: string) => void;
  /** `-capturemessages`: called with every message sent and every message processed. */
  readonly capture?: (msgType: string, payload: Uint8Array, incoming: boolean) => void;
  /** Whether `log` would write (the per-message "sending" lines are built only then; default true). */
  readonly logEnabled?: () => boolean;
  /** How often timers are checked (default 1000 ms). */
  readonly checkIntervalMs?: number;
  /** Clock in milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

/** Information passed with each received message. */
export interface MessageInfo {
  /** Bytes on the wire, header included. */
  readonly rawSize: number;
  /** When it was received (ms). */
  readonly time: number;
}

/** Events of a {@link Peer}. Handlers may return a promise; input is not read until it settles. */
export interface PeerEvents {
  /** A message after the handshake rules were applied (including `version`, `verack`, `ping`, `pong`). */
  message: (msg: NetMessage, info: MessageInfo) => void | Promise<void>;
  /** The handshake completed (`verack` received after `version`). */
  handshake: () => void | Promise<void>;
  /** The peer misbehaved (it will be disconnected; `shouldDiscourage` is set). */
  misbehaving: (reason: string) => void;
  /** A message was dropped: framing error or undecodable payload. */
  protocolError: (error: FramingError | DecodeError) => void;
  /** The connection ended (once). */
  disconnect: (reason: string) => void;
}

/** A peer's statistics, with getpeerinfo's meaning. */
export interface PeerStats {
  readonly id: number;
  readonly inbound: boolean;
  /** Remote `ip:port`. */
  readonly addr: string;
  /** Peer's protocol version (0 before its version). */
  readonly version: number;
  /** Peer's user agent, sanitized (`subver`). */
  readonly subver: string;
  readonly services: bigint;
  readonly startingHeight: number;
  readonly relayTxes: boolean;
  /** Times in ms since the epoch (0 = never). */
  readonly connTime: number;
  readonly lastSend: number;
  readonly lastRecv: number;
  readonly bytesSent: number;
  readonly bytesRecv: number;
  /** Bytes per message type, header included; unknown and rejected messages under `*other*`. */
  readonly bytesSentPerMsg: Readonly<Record<string, number>>;
  readonly bytesRecvPerMsg: Readonly<Record<string, number>>;
  /** Messages per type. */
  readonly msgsSentPerMsg: Readonly<Record<string, number>>;
  readonly msgsRecvPerMsg: Readonly<Record<string, number>>;
  /** Last and best ping round trip (ms), and how long the outstanding ping has waited (ms). */
  readonly pingTimeMs?: number;
  readonly minPingMs?: number;
  readonly pingWaitMs?: number;
  /** Peer's clock minus ours (seconds), from its version. */
  readonly timeOffset: number;
  readonly wtxidRelay: boolean;
  readonly wantsAddrV2: boolean;
  readonly prefersHeaders: boolean;
  /** Peer asked us for high-bandwidth compact blocks (`bip152_hb_from`). */
  readonly bip152HighBandwidthFrom: boolean;
  readonly successfullyConnected: boolean;
  /** Bytes waiting in the send queue. */
  readonly sendQueueBytes: number;
}

type Handlers = { [K in keyof PeerEvents]: PeerEvents[K][] };

/** Messages only sent once the handshake is complete are all but these. */
const HANDSHAKE_TYPES = new Set(["version", "verack", "wtxidrelay", "sendaddrv2"]);

function randomNonce(): bigint {
  const b = crypto.getRandomValues(new Uint8Array(8));
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return n === 0n ? 1n : n;
}

function remoteAddress(conn: Deno.Conn): { text: string; net: NetAddress } {
  const a = conn.remoteAddr as Deno.NetAddr;
  if (a && typeof a.hostname === "string") {
    const ip = parseIp(a.hostname);
    const text = ip?.net === Bip155Network.IPV6 ? `[${a.hostname}]:${a.port}` : `${a.hostname}:${a.port}`;
    return { text, net: ip ? { ...ip, port: a.port } : UNSPECIFIED_ADDRESS };
  }
  return { text: "unknown", net: UNSPECIFIED_ADDRESS };
}

/** A P2P connection speaking the v1 transport. Call {@link Peer.start} to run it. */
export class Peer {
  /** Node-wide id. */
  readonly id: number;
  /** Whether the peer connected to us. */
  readonly inbound: boolean;
  /** Remote `ip:port`. */
  readonly addr: string;
  /** Our version nonce on this connection. */
  readonly localNonce: bigint;
  /** Resolves with the reason when the connection has ended. */
  readonly closed: Promise<string>;

  readonly #conn: Deno.Conn;
  readonly #magic: Uint8Array;
  readonly #local: LocalVersion;
  readonly #opts: PeerOptions;
  readonly #now: () => number;
  readonly #decoder: MessageDecoder;
  readonly #handlers: Handlers = {
    message: [],
    handshake: [],
    misbehaving: [],
    protocolError: [],
    disconnect: [],
  };
  readonly #remote: NetAddress;
  #resolveClosed!: (reason: string) => void;

  #started = false;
  #disconnected: string | undefined;
  #versionSent = false;
  #peerVersion: VersionMessage | undefined;
  #commonVersion = 0;
  #connected = false;
  #wtxidRelay = false;
  #wantsAddrV2 = false;
  #prefersHeaders = false;
  #providesCmpct = false;
  #hbFrom = false;
  #feeFilter = 0n;
  #shouldDiscourage = false;
  #timeOffset = 0;

  #pingNonceSent = 0n;
  #pingStart = 0;
  #pingQueued = false;
  #pingTimeMs: number | undefined;
  #minPingMs: number | undefined;

  readonly #connTime: number;
  #lastSend = 0;
  #lastRecv = 0;
  #bytesSent = 0;
  #bytesRecv = 0;
  readonly #bytesSentPerMsg = new Map<string, number>();
  readonly #bytesRecvPerMsg = new Map<string, number>();
  readonly #msgsSentPerMsg = new Map<string, number>();
  readonly #msgsRecvPerMsg = new Map<string, number>();

  readonly #queue: Uint8Array[] = [];
  #queueBytes = 0;
  #writing = false;
  #drainWaiters: (() => void)[] = [];
  /** Received messages not processed yet, and their bytes (Core's process queue). */
  readonly #recvQueue: DecoderEvent[] = [];
  #recvQueueBytes = 0;
  #recvWaiters: (() => void)[] = [];
  #pumping = false;
  #processing: Promise<void> = Promise.resolve();
  #timer: ReturnType<typeof setInterval> | undefined;

  /** @param options the connection and settings. */
  constructor(options: PeerOptions) {
    this.#opts = options;
    this.#conn = options.conn;
    this.#magic = options.magic.slice();
    this.#local = options.local;
    this.#now = options.now ?? Date.now;
    this.#decoder = new MessageDecoder(this.#magic);
    this.id = options.id ?? 0;
    this.inbound = options.inbound;
    const remote = remoteAddress(options.conn);
    this.addr = remote.text;
    this.#remote = remote.net;
    this.localNonce = options.local.nonce ?? randomNonce();
    // Fail here, not in the middle of a handshake, on a version this side could not encode.
    encodePayload(this.#versionMessage(0));
    this.#connTime = this.#now();
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
  }

  /** Adds an event handler. */
  on<K extends keyof PeerEvents>(event: K, handler: PeerEvents[K]): void {
    this.#handlers[event].push(handler);
  }

  /** Starts reading, the timers and (outbound) the handshake. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    if (!this.inbound) this.#sendVersion();
    const interval = this.#opts.checkIntervalMs ?? 1000;
    this.#timer = setInterval(() => this.#checkTimers(), interval);
    this.#readLoop();
  }

  /** The peer's `version` message, once received. */
  get peerVersion(): VersionMessage | undefined {
    return this.#peerVersion;
  }

  /** min(our version, its version), once its version is known (0 before). */
  get commonVersion(): number {
    return this.#commonVersion;
  }

  /** True once `verack` was received after `version` (Core's `fSuccessfullyConnected`). */
  get successfullyConnected(): boolean {
    return this.#connected;
  }

  /** The peer announced `wtxidrelay` during the handshake. */
  get wtxidRelay(): boolean {
    return this.#wtxidRelay;
  }

  /** The peer announced `sendaddrv2` during the handshake. */
  get wantsAddrV2(): boolean {
    return this.#wantsAddrV2;
  }

  /** The peer sent `sendheaders`. */
  get prefersHeaders(): boolean {
    return this.#prefersHeaders;
  }

  /** The peer sent `sendcmpct` with version 2; `highBandwidth` as last announced. */
  get compactBlocks(): { provides: boolean; highBandwidth: boolean } {
    return { provides: this.#providesCmpct, highBandwidth: this.#hbFrom };
  }

  /** The peer's fee filter (sat/kvB; 0 when none). */
  get feeFilter(): bigint {
    return this.#feeFilter;
  }

  /** Set once the peer misbehaved: the node should discourage its address. */
  get shouldDiscourage(): boolean {
    return this.#shouldDiscourage;
  }

  /** Why the connection ended, once it has. */
  get disconnectReason(): string | undefined {
    return this.#disconnected;
  }

  /** True while input is paused because too much waits to be sent (Core's `fPauseSend`). */
  get sendPaused(): boolean {
    return this.#queueBytes > (this.#opts.maxSendBuffer ?? DEFAULT_MAX_SEND_BUFFER);
  }

  /**
   * Queues a message. Returns false if the connection has ended. Throws `Error` for messages this side may not
   * send now: `version` (sent by the Peer itself), `wtxidrelay`/`sendaddrv2` (only during the handshake, also
   * sent by the Peer), and everything else before the handshake is complete.
   */
  send(msg: NetMessage, options: EncodeMessageOptions = {}): boolean {
    const type = messageCommand(msg);
    if (HANDSHAKE_TYPES.has(type)) {
      throw new Error(`Cannot send ${type}: the handshake messages are sent by the Peer`);
    }
    if (!this.#connected) throw new Error(`Cannot send ${type} before the handshake is complete`);
    return this.#push(msg, options);
  }

  /**
   * Sends a message of any command and payload as given, oversized ones included (Core's test-only
   * `sendmsgtopeer`). False when the peer is gone or its send queue is full.
   */
  sendRaw(command: string, payload: Uint8Array): boolean {
    if (HANDSHAKE_TYPES.has(command)) {
      throw new Error(`Cannot send ${command}: the handshake messages are sent by the Peer`);
    }
    if (!this.#connected) throw new Error(`Cannot send ${command} before the handshake is complete`);
    if (this.#disconnected !== undefined) return false;
    return this.#pushBytes(command, frameMessage(this.#magic, command, payload, { allowOversized: true }));
  }

  /** Sends a ping at the next timer check (Core's RPC `ping`). */
  requestPing(): void {
    this.#pingQueued = true;
  }

  /** Marks the peer to be discouraged and disconnects it (Core's `Misbehaving`). */
  misbehaving(reason: string): void {
    if (this.#disconnected !== undefined) return;
    this.#shouldDiscourage = true;
    for (const h of this.#handlers.misbehaving) this.#safe(() => h(reason));
    this.disconnect(`misbehaving: ${reason}`);
  }

  /** Closes the connection (idempotent); `reason` is reported to `disconnect` handlers and `closed`. */
  disconnect(reason: string): void {
    if (this.#disconnected !== undefined) return;
    this.#disconnected = reason;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#queue.length = 0;
    this.#queueBytes = 0;
    this.#wakeDrainWaiters();
    this.#recvQueue.length = 0;
    this.#recvQueueBytes = 0;
    const recvWaiters = this.#recvWaiters;
    this.#recvWaiters = [];
    for (const w of recvWaiters) w();
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
    for (const h of this.#handlers.disconnect) this.#safe(() => h(reason));
    this.#resolveClosed(reason);
  }

  /** getpeerinfo-style statistics. */
  stats(): PeerStats {
    const v = this.#peerVersion;
    const obj = (m: Map<string, number>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
    return {
      id: this.id,
      inbound: this.inbound,
      addr: this.addr,
      version: v?.version ?? 0,
      subver: v ? sanitizeString(v.userAgent) : "",
      services: v?.services ?? 0n,
      startingHeight: v?.startHeight ?? -1,
      relayTxes: v?.relay ?? false,
      connTime: this.#connTime,
      lastSend: this.#lastSend,
      lastRecv: this.#lastRecv,
      bytesSent: this.#bytesSent,
      bytesRecv: this.#bytesRecv,
      bytesSentPerMsg: obj(this.#bytesSentPerMsg),
      bytesRecvPerMsg: obj(this.#bytesRecvPerMsg),
      msgsSentPerMsg: obj(this.#msgsSentPerMsg),
      msgsRecvPerMsg: obj(this.#msgsRecvPerMsg),
      pingTimeMs: this.#pingTimeMs,
      minPingMs: this.#minPingMs,
      pingWaitMs: this.#pingNonceSent !== 0n ? this.#now() - this.#pingStart : undefined,
      timeOffset: this.#timeOffset,
      wtxidRelay: this.#wtxidRelay,
      wantsAddrV2: this.#wantsAddrV2,
      prefersHeaders: this.#prefersHeaders,
      bip152HighBandwidthFrom: this.#hbFrom,
      successfullyConnected: this.#connected,
      sendQueueBytes: this.#queueBytes,
    };
  }

  // --- sending ---

  #push(msg: NetMessage, options: EncodeMessageOptions = {}): boolean {
    if (this.#disconnected !== undefined) return false;
    return this.#pushBytes(messageCommand(msg), encodeMessage(this.#magic, msg, options));
  }

  #pushBytes(type: string, bytes: Uint8Array): boolean {
    if (this.#opts.log !== undefined && (this.#opts.logEnabled?.() ?? true)) {
      this.#log(`sending ${type} (${bytes.length - 24} bytes) peer=${this.id}`);
    }
    this.#opts.capture?.(type, bytes.subarray(24), false);
    const limit = this.#opts.maxSendQueue ??
      (this.#opts.maxSendBuffer ?? DEFAULT_MAX_SEND_BUFFER) + 2 * MAX_PROTOCOL_MESSAGE_LENGTH;
    if (this.#queueBytes + bytes.length > limit) {
      this.disconnect(`send queue over ${limit} bytes`);
      return false;
    }
    const key = ALL_NET_MESSAGE_TYPES.includes(type) ? type : NET_MESSAGE_TYPE_OTHER;
    this.#bytesSentPerMsg.set(key, (this.#bytesSentPerMsg.get(key) ?? 0) + bytes.length);
    this.#msgsSentPerMsg.set(key, (this.#msgsSentPerMsg.get(key) ?? 0) + 1);
    this.#queue.push(bytes);
    this.#queueBytes += bytes.length;
    if (!this.#writing) this.#writeLoop();
    return true;
  }

  async #writeLoop(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0 && this.#disconnected === undefined) {
        const bytes = this.#queue[0];
        let off = 0;
        while (off < bytes.length) {
          const n = await this.#conn.write(bytes.subarray(off));
          if (this.#disconnected !== undefined) return;
          off += n;
          this.#bytesSent += n;
          this.#lastSend = this.#now();
        }
        this.#queue.shift();
        this.#queueBytes -= bytes.length;
        if (!this.sendPaused) this.#wakeDrainWaiters();
      }
    } catch (e) {
      this.disconnect(`send error: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.#writing = false;
    }
  }

  #drained(): Promise<void> {
    return new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
  }

  #wakeDrainWaiters(): void {
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const w of waiters) w();
  }

  #sendVersion(): void {
    if (this.#versionSent) return;
    this.#versionSent = true;
    const l = this.#local;
    this.#push(this.#versionMessage(typeof l.startHeight === "function" ? l.startHeight() : l.startHeight));
  }

  #versionMessage(height: number): VersionMessage {
    const l = this.#local;
    // Core puts the peer's address in addr_recv when it is routable, else [::]:0; we always state what we see.
    return {
      type: "version",
      version: l.version ?? PROTOCOL_VERSION,
      services: l.services,
      timestamp: BigInt(Math.floor(this.#now() / 1000)),
      addrRecv: { services: 0n, ...this.#remote },
      addrFrom: { services: l.services, ...UNSPECIFIED_ADDRESS },
      nonce: this.localNonce,
      userAgent: l.userAgent,
      startHeight: height,
      relay: l.relay,
    };
  }

  // --- receiving ---

  async #readLoop(): Promise<void> {
    try {
      await this.#receive();
    } catch (e) {
      // A bug of ours must not take the process down: this connection ends instead.
      this.disconnect(`internal error: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async #receive(): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    const maxRecv = this.#opts.maxReceiveBuffer ?? DEFAULT_MAX_RECEIVE_BUFFER;
    while (this.#disconnected === undefined) {
      // Core's fPauseRecv: stop reading while the processing queue is over -maxreceivebuffer.
      while (this.#recvQueueBytes > maxRecv && this.#disconnected === undefined) {
        await new Promise<void>((resolve) => this.#recvWaiters.push(resolve));
      }
      if (this.#disconnected !== undefined) return;
      let n: number | null;
      try {
        n = await this.#conn.read(buf);
      } catch (e) {
        this.disconnect(`receive error: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
      if (n === null) {
        // What was received before the close is still processed (as Core's queue), then the peer goes.
        await this.#processing;
        this.disconnect("connection closed by peer");
        return;
      }
      if (this.#disconnected !== undefined) return;
      this.#bytesRecv += n;
      this.#lastRecv = this.#now();
      for (const ev of this.#decoder.push(buf.subarray(0, n))) {
        this.#recvQueue.push(ev);
        this.#recvQueueBytes += ev.kind === "message" ? ev.rawSize : 0;
      }
      if (!this.#pumping) this.#processing = this.#pump();
    }
  }

  /** Hands queued messages to the handlers in order; none while too much waits to be sent (`fPauseSend`). */
  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#recvQueue.length > 0 && this.#disconnected === undefined) {
        while (this.sendPaused && this.#disconnected === undefined) await this.#drained();
        if (this.#disconnected !== undefined) return;
        const ev = this.#recvQueue.shift()!;
        this.#recvQueueBytes -= ev.kind === "message" ? ev.rawSize : 0;
        const waiters = this.#recvWaiters;
        this.#recvWaiters = [];
        for (const w of waiters) w();
        await this.#onEvent(ev);
      }
    } catch (e) {
      this.disconnect(`internal error: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.#pumping = false;
    }
  }

  #countRecv(type: string, rawSize: number): void {
    const key = ALL_NET_MESSAGE_TYPES.includes(type) ? type : NET_MESSAGE_TYPE_OTHER;
    this.#bytesRecvPerMsg.set(key, (this.#bytesRecvPerMsg.get(key) ?? 0) + rawSize);
    this.#msgsRecvPerMsg.set(key, (this.#msgsRecvPerMsg.get(key) ?? 0) + 1);
  }

  async #onEvent(ev: DecoderEvent): Promise<void> {
    if (ev.kind === "error") {
      this.#emitProtocolError(ev.error);
      if (ev.error.fatal) {
        this.disconnect(ev.error.message);
      } else {
        this.#countRecv(NET_MESSAGE_TYPE_OTHER, 24 + ev.error.size);
      }
      return;
    }
    this.#countRecv(ev.command, ev.rawSize);
    this.#opts.capture?.(ev.command, ev.payload, true);
    if (this.#opts.log) this.#log(`received: ${ev.command} (${ev.payload.length} bytes) peer=${this.id}`);
    const decoded = decodePayload(ev.command, ev.payload);
    if (!decoded.ok && ev.command === "pong" && this.#connected) {
      // Core: a pong too short for its nonce ends the outstanding ping.
      this.#log(
        `pong peer=${this.id}: Short payload, ${
          this.#pingNonceSent.toString(16)
        } expected, 0 received, ${ev.payload.length} bytes`,
      );
      this.#pingNonceSent = 0n;
      return;
    }
    if (!decoded.ok) {
      const err = decoded.error;
      if (err instanceof MessageLimitError) {
        if (err.action === "misbehaving") {
          // Core's Misbehaving() line; the disconnect follows (MaybeDiscourageAndDisconnect).
          this.#log(`Misbehaving: peer=${this.id}: ${err.reason}`);
          this.misbehaving(err.reason);
        } else {
          this.#log(`${err.reason}, disconnecting peer=${this.id}`);
          this.disconnect(err.reason);
        }
      } else {
        // Core's wording for a payload that does not deserialize (the message is dropped).
        this.#log(
          `ProcessMessages(${ev.command}, ${ev.payload.length} bytes): Exception '${err.message}' (${err.name}) caught`,
        );
        for (const h of this.#handlers.protocolError) this.#safe(() => h(err));
      }
      return;
    }
    const msg = decoded.message;
    // Unknown messages reach the handlers too (after the handshake): some have meaning there (BIP37's
    // filterload when bloom filters are off), the rest are ignored.
    const info: MessageInfo = { rawSize: ev.rawSize, time: this.#now() };
    if (await this.#handshakeRules(msg)) await this.#emit(msg, info);
  }

  /** Applies Core's handshake rules; returns whether the message goes on to the handlers. */
  async #handshakeRules(msg: NetMessage): Promise<boolean> {
    if (msg.type === "version") {
      if (this.#peerVersion !== undefined) {
        this.#log(`redundant version message from peer=${this.id}`);
        return false;
      }
      if (msg.version < MIN_PEER_PROTO_VERSION) {
        this.#log(`peer using obsolete version ${msg.version}, disconnecting peer=${this.id}`);
        this.disconnect(`peer using obsolete version ${msg.version}`);
        return false;
      }
      if (this.inbound && this.#opts.isOwnNonce?.(msg.nonce)) {
        this.#log(`connected to self at ${this.addr}, disconnecting`);
        this.disconnect("connected to self");
        return false;
      }
      if (this.inbound) this.#sendVersion();
      this.#peerVersion = msg;
      this.#commonVersion = Math.min(msg.version, this.#local.version ?? PROTOCOL_VERSION);
      const t = msg.timestamp < 0n ? 0 : Number(msg.timestamp);
      this.#timeOffset = t - Math.floor(this.#now() / 1000);
      if (this.#commonVersion >= WTXID_RELAY_VERSION && (this.#opts.wtxidRelay ?? true)) {
        this.#push({ type: "wtxidrelay" });
      }
      if (this.#commonVersion >= 70016) this.#push({ type: "sendaddrv2" });
      this.#push({ type: "verack" });
      return true;
    }
    if (this.#peerVersion === undefined) {
      this.#log(
        `non-version message before version handshake. Message "${messageCommand(msg)}" from peer=${this.id}`,
      );
      return false;
    }
    switch (msg.type) {
      case "verack":
        if (this.#connected) {
          this.#log(`ignoring redundant verack message from peer=${this.id}`);
          return false;
        }
        if (this.#commonVersion >= SHORT_IDS_BLOCKS_VERSION && (this.#opts.announceCompactBlocks ?? true)) {
          this.#push({ type: "sendcmpct", highBandwidth: false, version: CMPCTBLOCKS_VERSION });
        }
        this.#connected = true;
        for (const h of this.#handlers.handshake) await this.#safeAsync(() => h());
        this.#checkTimers();
        return true;
      case "wtxidrelay":
        if (this.#connected) {
          this.#log(`wtxidrelay received after verack, disconnecting peer=${this.id}`);
          this.disconnect("wtxidrelay received after verack");
          return false;
        }
        if (this.#commonVersion >= WTXID_RELAY_VERSION) this.#wtxidRelay = true;
        return true;
      case "sendaddrv2":
        if (this.#connected) {
          this.#log(`sendaddrv2 received after verack, disconnecting peer=${this.id}`);
          this.disconnect("sendaddrv2 received after verack");
          return false;
        }
        this.#wantsAddrV2 = true;
        return true;
      case "sendheaders":
        this.#prefersHeaders = true;
        return true;
      case "sendcmpct":
        if (msg.version === CMPCTBLOCKS_VERSION) {
          this.#providesCmpct = true;
          this.#hbFrom = msg.highBandwidth;
        }
        return true;
    }
    if (!this.#connected) {
      this.#log(`Unsupported message "${messageCommand(msg)}" prior to verack from peer=${this.id}`);
      return false;
    }
    switch (msg.type) {
      case "ping":
        if (this.#commonVersion > BIP0031_VERSION) this.#push({ type: "pong", nonce: msg.nonce });
        return true;
      case "pong":
        this.#onPong(msg.nonce);
        return true;
      case "feefilter":
        if (msg.feeRate >= 0n && msg.feeRate <= 2_100_000_000_000_000n) this.#feeFilter = msg.feeRate;
        return true;
    }
    return true;
  }

  #onPong(nonce: bigint): void {
    const problem = (what: string) =>
      this.#log(
        `pong peer=${this.id}: ${what}, ${this.#pingNonceSent.toString(16)} expected, ${
          nonce.toString(16)
        } received, 8 bytes`,
      );
    if (this.#pingNonceSent === 0n) {
      problem("Unsolicited pong without ping");
      return;
    }
    if (nonce === this.#pingNonceSent) {
      const rtt = this.#now() - this.#pingStart;
      if (rtt >= 0) {
        this.#pingTimeMs = rtt;
        this.#minPingMs = this.#minPingMs === undefined ? rtt : Math.min(this.#minPingMs, rtt);
      }
      this.#pingNonceSent = 0n;
    } else if (nonce === 0n) {
      problem("Nonce zero");
      this.#pingNonceSent = 0n; // nonce zero: cancel this ping
    } else {
      problem("Nonce mismatch"); // normal when pings overlap: the ping stays outstanding
    }
  }

  #log(msg: string): void {
    this.#opts.log?.(msg);
  }

  #checkTimers(): void {
    if (this.#disconnected !== undefined) return;
    const now = this.#now();
    const timeout = this.#opts.timeoutMs ?? TIMEOUT_INTERVAL_MS;
    const connectLimit = this.#opts.handshakeTimeoutMs ?? DEFAULT_PEER_CONNECT_TIMEOUT_MS;
    // Core's InactivityCheck, from -peertimeout after the connection on.
    const inactive = (reason: string) => {
      this.#log(`${reason}, disconnecting peer=${this.id}`);
      this.disconnect(reason);
    };
    if (now - this.#connTime > connectLimit) {
      if (this.#lastRecv === 0 || this.#lastSend === 0) {
        return inactive(
          `socket no message in first ${Math.floor(connectLimit / 1000)} seconds` +
            (this.#lastRecv === 0 ? ", never received from peer" : "") +
            (this.#lastSend === 0 ? ", never sent to peer" : ""),
        );
      }
      if (now - this.#lastSend > timeout) {
        return inactive(`socket sending timeout: ${Math.floor((now - this.#lastSend) / 1000)}s`);
      }
      if (now - this.#lastRecv > timeout) {
        return inactive(`socket receive timeout: ${Math.floor((now - this.#lastRecv) / 1000)}s`);
      }
      if (!this.#connected) return inactive("version handshake timeout");
    }
    if (!this.#connected) return;
    if (this.#pingNonceSent !== 0n && now - this.#pingStart > timeout) {
      return inactive(`ping timeout: ${((now - this.#pingStart) / 1000).toFixed(6)}s`);
    }
    const interval = this.#opts.pingIntervalMs ?? PING_INTERVAL_MS;
    if (
      this.#pingQueued ||
      (this.#pingNonceSent === 0n && (this.#pingStart === 0 || now - this.#pingStart > interval))
    ) {
      this.#pingQueued = false;
      this.#pingStart = now;
      if (this.#commonVersion > BIP0031_VERSION) {
        this.#pingNonceSent = randomNonce();
        this.#push({ type: "ping", nonce: this.#pingNonceSent });
      }
    }
  }

  // --- events ---

  async #emit(msg: NetMessage, info: MessageInfo): Promise<void> {
    for (const h of this.#handlers.message) {
      if (this.#disconnected !== undefined) return;
      await this.#safeAsync(() => h(msg, info));
    }
  }

  #emitProtocolError(e: FramingError | DecodeError): void {
    // Core's V1Transport logs framing errors as "Header error: …, peer=N"; payload errors per message.
    this.#log(`${e.message}, peer=${this.id}`);
    for (const h of this.#handlers.protocolError) this.#safe(() => h(e));
  }

  #safe(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      console.error(`peer=${this.id}: event handler failed:`, e);
    }
  }

  async #safeAsync(fn: () => void | Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      console.error(`peer=${this.id}: event handler failed:`, e);
    }
  }
}
