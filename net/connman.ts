/**
 * The connection manager (Core's `CConnman`): listening sockets (`-listen`, `-bind`, `-port`), inbound accept with
 * Core's limits (bans, discouragement, `-maxconnections`), outbound manual connections (`-connect`, `-addnode`,
 * the `addnode` RPC's add/remove/onetry), connection to self detected by version nonce, per-peer permissions
 * from `-whitelist`/`-whitebind`, network activity on/off (`setnetworkactive`), byte totals, and a clean close.
 *
 * Each connection is a {@link Peer}; the message logic (Core's `PeerManager`) attaches to every new peer through
 * the `onPeer` callback before the peer starts, so it sees the whole handshake.
 *
 * Outbound connections are manual ones (Core's `MANUAL` type: `-connect`, which is exclusive, `-addnode` and the
 * `addnode` RPC) and, without `-connect`, automatic ones from the address manager (Core's
 * `ThreadOpenConnections`): 8 full-relay and 2 block-relay-only slots (fewer under `-maxconnections`), one
 * connection per network group, the anchors of the last run first, a feeler every 2 minutes, `-seednode`
 * address fetches while the address manager is empty. When the inbound slots are full a new inbound connection
 * evicts one chosen by Core's `SelectNodeToEvict` (eviction.ts), or is dropped.
 *
 * @module
 */

import type { Logger } from "../util/logging.ts";
import { Bip155Network, formatAddressPort, type NetAddress, parseIp } from "./address.ts";
import type { AddrMan } from "./addrman.ts";
import type { Anchor } from "./anchors.ts";
import { type EvictionCandidate, selectNodeToEvict } from "./eviction.ts";
import {
  addressNetwork,
  formatAddr,
  isBadPort,
  isLocal,
  isRoutable as isRoutableAddr,
  isValid,
  type NetClassOptions,
  netGroup,
  type NetworkId,
} from "./netaddr.ts";
import { SipHasher } from "./siphash.ts";
import type { BanMan } from "./banman.ts";
import { parseSubNet, type SubNet, subNetContains } from "./banman.ts";
import { type LocalVersion, Peer } from "./peer.ts";
import { DEFAULT_PEER_CONNECT_TIMEOUT_MS } from "./protocol.ts";

/** Core's connection types (`ConnectionTypeAsString`). */
export type ConnectionType =
  | "inbound"
  | "outbound-full-relay"
  | "manual"
  | "feeler"
  | "block-relay-only"
  | "addr-fetch";

/** Core's network permission names, in Core's `NetPermissions::ToStrings` order. */
export const PERMISSION_NAMES = [
  "bloomfilter",
  "noban",
  "forcerelay",
  "download",
  "relay",
  "mempool",
  "addr",
] as const;
/** One permission. */
export type Permission = typeof PERMISSION_NAMES[number];

/** A `-whitelist` entry: permissions for peers from a subnet. */
export interface WhitelistEntry {
  readonly permissions: ReadonlySet<Permission>;
  readonly subnet: SubNet;
  /** Applies to inbound connections (the default, or `in`). */
  readonly inbound: boolean;
  /** Applies to outbound connections (`out`). */
  readonly outbound: boolean;
}

/**
 * Parses a `-whitelist` value, `[perm,…@]ip[/mask]` (Core's `NetWhitelistPermissions::TryParse`). Without
 * permissions Core grants relay (with `-whitelistrelay`, default on), mempool and noban; `noban` implies
 * `download`; `all` is every permission. Throws Core's errors.
 */
export function parseWhitelist(
  value: string,
  options: { relay?: boolean; forceRelay?: boolean } = {},
): WhitelistEntry {
  const at = value.indexOf("@");
  const perms = new Set<Permission>();
  const net = at < 0 ? value : value.slice(at + 1);
  let inbound = false;
  let outbound = false;
  if (at < 0) {
    if (options.forceRelay) perms.add("forcerelay");
    if (options.relay ?? true) perms.add("relay");
    perms.add("mempool");
    perms.add("noban");
  } else {
    for (const p of value.slice(0, at).split(",")) {
      const name = p.trim();
      if (name === "") continue;
      if (name === "all") {
        for (const n of PERMISSION_NAMES) perms.add(n);
      } else if (name === "in") {
        inbound = true;
      } else if (name === "out") {
        outbound = true;
      } else if ((PERMISSION_NAMES as readonly string[]).includes(name)) {
        perms.add(name as Permission);
      } else {
        throw new Error(`Invalid P2P permission: '${name}'`);
      }
    }
  }
  if (at >= 0 && perms.size === 0 && (inbound || outbound)) {
    throw new Error(`Only direction was set, no permissions: '${value}'`);
  }
  if (!inbound && !outbound) inbound = true;
  if (perms.has("noban")) perms.add("download");
  if (perms.has("forcerelay")) perms.add("relay");
  const subnet = parseSubNet(net);
  if (subnet === null) throw new Error(`Invalid netmask specified in -whitelist: '${net}'`);
  return { permissions: perms, subnet, inbound, outbound };
}

/** A host and port to connect to or bind, from `host`, `host:port`, `[v6]:port` or `v6` (Core's `SplitHostPort`). */
export function splitHostPort(text: string, defaultPort: number): { host: string; port: number } | null {
  let host = text;
  let port = defaultPort;
  const colon = text.lastIndexOf(":");
  const bracketed = text.startsWith("[");
  // A port is there with one colon (host:port) or after brackets ([v6]:port); a bare IPv6 address has several.
  if (colon >= 0 && (bracketed ? text.lastIndexOf("]") < colon : text.indexOf(":") === colon)) {
    const p = text.slice(colon + 1);
    if (!/^\d{1,5}$/.test(p) || Number(p) > 65535) return null;
    port = Number(p);
    host = text.slice(0, colon);
  }
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (host === "") return null;
  return { host, port };
}

/** An IPv4 address in inet_aton's forms (`127.1`, `10.0.258`, `0x7f.1`) as a dotted quad, else null. */
export function inetAton(text: string): string | null {
  const parts = text.split(".");
  if (parts.length < 1 || parts.length > 4) return null;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0x[0-9a-f]+$/i.test(p)) n = parseInt(p.slice(2), 16);
    else if (/^0[0-7]+$/.test(p)) n = parseInt(p.slice(1), 8);
    else if (/^(0|[1-9][0-9]*)$/.test(p)) n = Number(p);
    else return null;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255) || last >= 2 ** (8 * (4 - nums.length))) return null;
  const bytes = [...nums];
  for (let i = 3 - nums.length; i >= 0; i--) bytes.push(Math.floor(last / 2 ** (8 * i)) % 256);
  return bytes.join(".");
}

/** The canonical `ip:port` of a destination when its host is numeric (Core compares resolved addresses). */
export function canonicalDestination(dest: string, defaultPort: number): string {
  const hp = splitHostPort(dest, defaultPort);
  if (hp === null) return dest;
  const v4 = inetAton(hp.host);
  if (v4 !== null) return `${v4}:${hp.port}`;
  return hp.host.includes(":") ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}

/** A connection of the manager. */
export interface Connection {
  /** The peer. */
  readonly peer: Peer;
  /** Core's connection type. */
  readonly type: ConnectionType;
  /** Our end of the socket (`addrbind`). */
  readonly addrBind: string;
  /** The network of the remote address (`ipv4`, `ipv6`, `onion` for connections to an `=onion` bind, …). */
  readonly network: string;
  /** The `-addnode`/`-connect`/RPC string this outbound connection was made for. */
  readonly destination?: string;
  /** Permissions of the peer (from -whitelist / -whitebind). */
  readonly permissions: ReadonlySet<Permission>;
  /** The remote address (undefined when it is not an IP address). */
  readonly addr: NetAddress | undefined;
}

/** What the peer manager knows of a peer that eviction needs (Core's `CNode` fields it fills). */
export interface EvictionStats {
  readonly lastBlockTime: number;
  readonly lastTxTime: number;
  readonly relayTxs: boolean;
  readonly relevantServices: boolean;
  readonly preferEvict: boolean;
}

/** Options of {@link ConnectionManager}. */
export interface ConnectionManagerOptions {
  /** The network's message start. */
  readonly magic: Uint8Array;
  /** What we announce in `version` (the nonce is chosen per connection). */
  readonly local: Omit<LocalVersion, "nonce">;
  /** Addresses to listen on (empty: no listening). */
  readonly binds: readonly {
    host: string;
    port: number;
    onion?: boolean;
    permissions?: ReadonlySet<Permission>;
  }[];
  /** The default P2P port (for destinations without one). */
  readonly defaultPort: number;
  /** `-connect` destinations (only these are connected to). */
  readonly connect?: readonly string[];
  /** `-addnode` destinations. */
  readonly addNodes?: readonly string[];
  /** `-maxconnections` (default 125). */
  readonly maxConnections?: number;
  /** `-peertimeout` in ms: time for a new connection to complete the handshake. */
  readonly peerTimeoutMs?: number;
  /** `-timeout` in ms: time allowed to establish an outbound TCP connection (default 5000). */
  readonly connectTimeoutMs?: number;
  /** `-whitelist` entries. */
  readonly whitelist?: readonly WhitelistEntry[];
  /** Bans and discouragement. */
  readonly banMan?: BanMan;
  /** Called for every new connection before its peer starts (attach message handlers here). */
  readonly onConnection?: (conn: Connection) => void;
  /** Logger (category `net`). */
  readonly logger?: Logger;
  /** Interval between attempts to open missing added/`-connect` connections (default 2000 ms). */
  readonly retryIntervalMs?: number;
  /** `-networkactive` (default true): start with networking on. */
  readonly networkActive?: boolean;
  /** `-maxsendbuffer` in bytes (default 1,000,000). */
  readonly maxSendBuffer?: number;
  /** `-capturemessages`: every message is appended to `<dir>/<ip_port>/msgs_{recv,sent}.dat` (Core's format). */
  readonly captureDir?: string;
  /** `-maxreceivebuffer` in bytes (default 5,000,000). */
  readonly maxReceiveBuffer?: number;
  /** Peer timer check interval (default 1000 ms; tests lower it). */
  readonly checkIntervalMs?: number;
  /** The node's clock in ms (mockable, as Core's ping and timeout clocks are; default `Date.now`). */
  readonly nowMs?: () => number;
  /** The address manager: with it (and without `-connect`), automatic outbound connections are made. */
  readonly addrman?: AddrMan;
  /** Whether automatic connections are made (Core's `m_use_addrman_outgoing`: no `-connect` given). */
  readonly useAddrmanOutgoing?: boolean;
  /** `-seednode` destinations: address fetches while the address manager is empty. */
  readonly seedNodes?: readonly string[];
  /** Block-relay-only peers of the last run, tried first. */
  readonly anchors?: readonly Anchor[];
  /** DNS seeds to query (`-dnsseed`), with `-forcednsseed`. */
  readonly dnsSeeds?: readonly string[];
  readonly forceDnsSeed?: boolean;
  /** Networks automatic connections may use (`-onlynet`; default IPv4 and IPv6). */
  readonly reachable?: (net: NetworkId) => boolean;
  /** Classification options (loopback as routable, for regtest tests). */
  readonly netClass?: NetClassOptions;
  /** Eviction facts of a peer from the peer manager. */
  readonly evictionStats?: (id: number) => EvictionStats | undefined;
  /** Interval of the automatic connection loop (Core's 500 ms). */
  readonly openIntervalMs?: number;
}

/** Core's `MAX_OUTBOUND_FULL_RELAY_CONNECTIONS`. */
export const MAX_OUTBOUND_FULL_RELAY_CONNECTIONS = 8;
/** Core's `MAX_BLOCK_RELAY_ONLY_CONNECTIONS`. */
export const MAX_BLOCK_RELAY_ONLY_CONNECTIONS = 2;
/** Core's `MAX_FEELER_CONNECTIONS`. */
export const MAX_FEELER_CONNECTIONS = 1;
/** Core's `MAX_ADDNODE_CONNECTIONS`. */
export const MAX_ADDNODE_CONNECTIONS = 8;
/** Core's `DEFAULT_MAX_PEER_CONNECTIONS`. */
export const DEFAULT_MAX_PEER_CONNECTIONS = 125;
/** Core's `DEFAULT_CONNECT_TIMEOUT` (`-timeout`, 5 s). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
/** Core's `FEELER_INTERVAL` (2 minutes, Poisson). */
export const FEELER_INTERVAL_MS = 2 * 60 * 1000;
/** Core's `SEED_OUTBOUND_CONNECTION_THRESHOLD`. */
export const SEED_OUTBOUND_CONNECTION_THRESHOLD = 2;
/** Core's `ADD_NEXT_SEEDNODE` (10 s). */
export const ADD_NEXT_SEEDNODE_MS = 10_000;
/** Core's `DNSSEEDS_DELAY_FEW_PEERS` (11 s) and `DNSSEEDS_DELAY_MANY_PEERS` (5 min), threshold 1000. */
export const DNSSEEDS_DELAY_FEW_PEERS_MS = 11_000;
export const DNSSEEDS_DELAY_MANY_PEERS_MS = 5 * 60 * 1000;
export const DNSSEEDS_DELAY_PEER_THRESHOLD = 1000;
/** Core's `DNSSEEDS_TO_QUERY_AT_ONCE`. */
export const DNSSEEDS_TO_QUERY_AT_ONCE = 3;
/** Core's `SeedsServiceFlags`: NODE_NETWORK | NODE_WITNESS. */
const SEEDS_SERVICE_FLAGS = 1n | 8n;

function hostOf(addr: string): string {
  if (addr.startsWith("[")) return addr.slice(1, addr.indexOf("]"));
  const c = addr.lastIndexOf(":");
  return c < 0 ? addr : addr.slice(0, c);
}

/** Core's `CNetAddr::IsRoutable` for an IPv4/IPv6 literal (see netaddr.ts). */
export function isRoutableHost(host: string): boolean {
  const ip = parseIp(host);
  return ip !== undefined && isRoutableAddr(ip);
}

function networkOf(host: string): string {
  const ip = parseIp(host);
  if (ip === undefined || !isRoutableAddr(ip)) return "not_publicly_routable";
  return ip.net === Bip155Network.IPV6 ? "ipv6" : "ipv4";
}

/**
 * Core's `CaptureMessageToFile`: time (µs, int64 LE), the message type padded to 12 bytes, the length (uint32
 * LE) and the payload, appended to `msgs_recv.dat` or `msgs_sent.dat` in a directory per peer address.
 */
function captureMessageToFile(
  dir: string,
  addr: string,
): (msgType: string, payload: Uint8Array, incoming: boolean) => void {
  const base = `${dir}/${addr.replaceAll(":", "_")}`;
  let made = false;
  return (msgType, payload, incoming) => {
    try {
      if (!made) {
        Deno.mkdirSync(base, { recursive: true });
        made = true;
      }
      const rec = new Uint8Array(8 + 12 + 4 + payload.length);
      const dv = new DataView(rec.buffer);
      dv.setBigInt64(0, BigInt(Date.now()) * 1000n, true);
      rec.set(new TextEncoder().encode(msgType).subarray(0, 12), 8);
      dv.setUint32(20, payload.length, true);
      rec.set(payload, 24);
      Deno.writeFileSync(`${base}/${incoming ? "msgs_recv.dat" : "msgs_sent.dat"}`, rec, { append: true });
    } catch { /* capture is best effort */ }
  };
}

/** The remote address of a socket as a {@link NetAddress}. */
function netAddressOf(a: Deno.Addr): NetAddress | undefined {
  const n = a as Deno.NetAddr;
  if (typeof n.hostname !== "string") return undefined;
  const ip = parseIp(n.hostname);
  return ip === undefined ? undefined : { net: ip.net, addr: ip.addr, port: n.port };
}

function sameAddress(a: NetAddress, b: NetAddress): boolean {
  return a.net === b.net && a.port === b.port && a.addr.length === b.addr.length &&
    a.addr.every((x, i) => x === b.addr[i]);
}

function poissonMs(avgMs: number): number {
  return -Math.log(1 - Math.random()) * avgMs;
}

function formatNetAddr(a: Deno.Addr): string {
  const n = a as Deno.NetAddr;
  if (typeof n.hostname !== "string") return "";
  return n.hostname.includes(":") ? `[${n.hostname}]:${n.port}` : `${n.hostname}:${n.port}`;
}

/** Whether an address is a loopback one (Core's `CNetAddr::IsLocal`: 127/8 and ::1). */
export function isLocalAddress(addr: string): boolean {
  const host = hostOf(addr);
  return host.startsWith("127.") || host === "::1" || host === "0:0:0:0:0:0:0:1";
}

/** The connection manager. */
export class ConnectionManager {
  readonly #opts: ConnectionManagerOptions;
  readonly #listeners: Deno.Listener[] = [];
  readonly #conns = new Map<number, Connection>();
  /** Nonces of our outbound connections whose handshake is open (connections to self). */
  readonly #ownNonces = new Set<bigint>();
  readonly #addedNodes: string[] = [];
  /** Destinations with a connection attempt under way. */
  readonly #pending = new Map<string, ConnectionType>();
  #nextId = 0;
  #active = true;
  #closed = false;
  #retryTimer: ReturnType<typeof setInterval> | undefined;
  #closedBytesSent = 0;
  #closedBytesRecv = 0;
  readonly #startTime = Date.now();
  /** Destinations queued for an address fetch (Core's `m_addr_fetches`). */
  readonly #addrFetches: string[] = [];
  /** Anchors still to try (Core's `m_anchors`, tried from the back). */
  readonly #anchors: Anchor[];
  /** Keyed network-group hashes for eviction (Core's `nKeyedNetGroup`). */
  readonly #groupHasher = new SipHasher({
    k0: crypto.getRandomValues(new BigUint64Array(1))[0],
    k1: crypto.getRandomValues(new BigUint64Array(1))[0],
  });
  /** Inbound peers from discouraged addresses (Core's `m_prefer_evict`). */
  readonly #preferEvict = new Set<number>();
  /** Wakes the sleeping connection loops (at close). */
  readonly #wakers = new Set<() => void>();

  private constructor(options: ConnectionManagerOptions) {
    this.#opts = options;
    for (const a of options.addNodes ?? []) if (!this.#addedNodes.includes(a)) this.#addedNodes.push(a);
    this.#anchors = [...(options.anchors ?? [])];
  }

  /**
   * Binds the listening sockets and starts the connection loops. Throws Core's error when an address cannot be
   * bound (`Unable to bind to 127.0.0.1:18444 on this computer. tsbtc is probably already running.`).
   */
  static start(options: ConnectionManagerOptions): ConnectionManager {
    const cm = new ConnectionManager(options);
    cm.#active = options.networkActive ?? true;
    for (const b of options.binds) {
      let listener: Deno.Listener;
      try {
        listener = Deno.listen({ hostname: b.host, port: b.port, transport: "tcp" });
      } catch (e) {
        cm.#closeListeners();
        const shown = b.host.includes(":") ? `[${b.host}]:${b.port}` : `${b.host}:${b.port}`;
        if (e instanceof Deno.errors.AddrInUse) {
          throw new Error(`Unable to bind to ${shown} on this computer. tsbtc is probably already running.`);
        }
        throw new Error(
          `Unable to bind to ${shown} on this computer (bind returned error ${
            e instanceof Error ? e.message : e
          })`,
        );
      }
      cm.#listeners.push(listener);
      options.logger?.info(`Bound to ${formatNetAddr(listener.addr)}`);
      cm.#acceptLoop(listener, b.onion ?? false, b.permissions ?? new Set());
    }
    cm.#retryTimer = setInterval(() => cm.#openMissing(), options.retryIntervalMs ?? 2000);
    queueMicrotask(() => cm.#openMissing());
    if (options.addrman !== undefined && (options.useAddrmanOutgoing ?? false)) {
      options.logger?.info(`${cm.#anchors.length} block-relay-only anchors will be tried for connections.`);
      void cm.#openConnectionsLoop(options.addrman).catch((e) =>
        options.logger?.error(
          `Automatic connections stopped: ${e instanceof Error ? e.stack ?? e.message : e}`,
        )
      );
    }
    // Core starts its DNS seed thread whenever -dnsseed is on (with -connect too, when asked for).
    if (options.addrman !== undefined && options.dnsSeeds !== undefined) {
      void cm.#dnsSeedLoop(options.addrman).catch((e) =>
        options.logger?.error(`DNS seeding stopped: ${e instanceof Error ? e.stack ?? e.message : e}`)
      );
    } else {
      options.logger?.info("DNS seeding disabled");
    }
    return cm;
  }

  /** The addresses actually listened on (`ip:port`; the port is known even when 0 was asked). */
  get listenAddresses(): string[] {
    return this.#listeners.map((l) => formatNetAddr(l.addr));
  }

  /** Whether networking is active (`setnetworkactive`). */
  get networkActive(): boolean {
    return this.#active;
  }

  /** Core's `SetNetworkActive`: off disconnects every peer and stops accepting and connecting. */
  setNetworkActive(active: boolean): void {
    if (this.#active === active) return;
    this.#active = active;
    this.#opts.logger?.info(`SetNetworkActive: ${active}`);
    if (!active) { for (const c of this.#conns.values()) c.peer.disconnect("network disabled"); }
    else this.#openMissing();
  }

  /** Every connection, by id. */
  connections(): Connection[] {
    return [...this.#conns.values()].sort((a, b) => a.peer.id - b.peer.id);
  }

  /** The connection with `id`. */
  get(id: number): Connection | undefined {
    return this.#conns.get(id);
  }

  /** Numbers of inbound and outbound connections. */
  counts(): { inbound: number; outbound: number } {
    let inbound = 0;
    for (const c of this.#conns.values()) if (c.peer.inbound) inbound++;
    return { inbound, outbound: this.#conns.size - inbound };
  }

  /** Bytes sent and received over every connection since start (getnettotals). */
  totals(): { bytesSent: number; bytesRecv: number; startTime: number } {
    let sent = this.#closedBytesSent;
    let recv = this.#closedBytesRecv;
    for (const c of this.#conns.values()) {
      const s = c.peer.stats();
      sent += s.bytesSent;
      recv += s.bytesRecv;
    }
    return { bytesSent: sent, bytesRecv: recv, startTime: this.#startTime };
  }

  /** Core's `AddNode`: false when already in the list. */
  addNode(dest: string): boolean {
    const key = canonicalDestination(dest, this.#opts.defaultPort);
    if (this.#addedNodes.some((a) => canonicalDestination(a, this.#opts.defaultPort) === key)) return false;
    this.#addedNodes.push(dest);
    this.#openMissing();
    return true;
  }

  /** Core's `RemoveAddedNode`: false when not in the list. */
  removeAddedNode(dest: string): boolean {
    const i = this.#addedNodes.indexOf(dest);
    if (i < 0) return false;
    this.#addedNodes.splice(i, 1);
    return true;
  }

  /** The added nodes with their connection, if any (getaddednodeinfo). */
  addedNodes(): { dest: string; conn: Connection | undefined }[] {
    return this.#addedNodes.map((dest) => ({ dest, conn: this.#findDestination(dest) }));
  }

  /** Disconnects the peers at address `addr` (`ip:port`); false when none. */
  disconnectAddress(addr: string): boolean {
    let found = false;
    for (const c of this.#conns.values()) {
      if (c.peer.addr === addr || c.destination === addr) {
        c.peer.disconnect("disconnectnode");
        found = true;
      }
    }
    return found;
  }

  /** Disconnects peer `id`; false when there is none. */
  disconnectId(id: number): boolean {
    const c = this.#conns.get(id);
    if (!c) return false;
    c.peer.disconnect("disconnectnode");
    return true;
  }

  /** Disconnects every peer whose IP is inside `subnet` (setban). */
  disconnectSubnet(subnet: SubNet): void {
    for (const c of this.#conns.values()) {
      if (subNetContains(subnet, hostOf(c.peer.addr))) c.peer.disconnect("banned");
    }
  }

  /**
   * Core's `AddConnection` (the test-only `addconnection` RPC): opens an automatic-type connection unless the
   * slots of that type are taken (then false); resolves once the attempt is over.
   */
  async addConnection(dest: string, type: Exclude<ConnectionType, "inbound" | "manual">): Promise<boolean> {
    const max = type === "outbound-full-relay"
      ? MAX_OUTBOUND_FULL_RELAY_CONNECTIONS
      : type === "block-relay-only"
      ? MAX_BLOCK_RELAY_ONLY_CONNECTIONS
      : 1;
    let used = 0;
    for (const c of this.#conns.values()) if (c.type === type) used++;
    for (const t of this.#pending.values()) if (t === type) used++;
    if (used >= max) return false;
    // As Core's, the connection is open (or has failed) when this returns.
    await this.openConnection(dest, type).catch(() => null);
    return true;
  }

  /**
   * Core's `OpenNetworkConnection` for a manual connection (`addnode onetry`, added nodes, -connect): resolves
   * with the connection, or null when it was not made (already connected, network off, limits, refused).
   */
  async openConnection(
    dest: string,
    type: ConnectionType = "manual",
    auto?: { addr: NetAddress; countFailure: boolean; time?: number },
  ): Promise<Connection | null> {
    if (!this.#active || this.#closed) return null;
    if (this.#findDestination(dest) || this.#pending.has(dest)) return null;
    const lastSeenHrs = auto?.time === undefined ? 0 : (Date.now() / 1000 - auto.time) / 3600;
    this.#opts.logger?.debug(
      "net",
      `trying v1 connection (${type}) to ${dest}, lastseen=${lastSeenHrs.toFixed(1)}hrs`,
    );
    const target = splitHostPort(dest, this.#opts.defaultPort);
    if (target === null) return null;
    let manual = 0;
    for (const c of this.#conns.values()) if (c.type === "manual") manual++;
    if (type === "manual" && manual + this.#pending.size >= MAX_ADDNODE_CONNECTIONS) return null;
    this.#pending.set(dest, type);
    try {
      const conn = await this.#dial(inetAton(target.host) ?? target.host, target.port);
      // Core's ConnectNode: every attempt to an address of the address manager is recorded.
      if (auto !== undefined) this.#opts.addrman?.attempt(auto.addr, auto.countFailure);
      if (conn === null) return null;
      if (!this.#active || this.#closed) {
        conn.close();
        return null;
      }
      // `-whitelist=…,out@subnet`: permissions for our own connections to those addresses.
      const perms = new Set<Permission>();
      const ip = hostOf(formatNetAddr(conn.remoteAddr));
      for (const w of this.#opts.whitelist ?? []) {
        if (w.outbound && subNetContains(w.subnet, ip)) { for (const p of w.permissions) perms.add(p); }
      }
      return this.#add(conn, { type, destination: dest, permissions: perms, onion: false });
    } finally {
      this.#pending.delete(dest);
    }
  }

  async #dial(host: string, port: number): Promise<Deno.TcpConn | null> {
    const timeout = this.#opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const attempt = Deno.connect({ hostname: host, port, transport: "tcp" });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), timeout));
    try {
      const r = await Promise.race([attempt, timedOut]);
      if (r === null) {
        attempt.then((c) => c.close(), () => {});
        this.#opts.logger?.debug("net", `connection to ${host}:${port} timeout`);
      }
      return r;
    } catch (e) {
      this.#opts.logger?.debug(
        "net",
        `connection to ${host}:${port} failed: ${e instanceof Error ? e.message : e}`,
      );
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  #findDestination(dest: string): Connection | undefined {
    const asAddr = canonicalDestination(dest, this.#opts.defaultPort);
    for (const c of this.#conns.values()) {
      if (c.destination === dest || c.peer.addr === asAddr) return c;
    }
    return undefined;
  }

  #openMissing(): void {
    if (!this.#active || this.#closed) return;
    const connect = this.#opts.connect ?? [];
    for (const dest of [...connect, ...this.#addedNodes]) {
      if (this.#findDestination(dest) || this.#pending.has(dest)) continue;
      void this.openConnection(dest).catch(() => {});
    }
  }

  #maxInbound(): number {
    const max = this.#opts.maxConnections ?? DEFAULT_MAX_PEER_CONNECTIONS;
    const outbound = Math.min(
      MAX_OUTBOUND_FULL_RELAY_CONNECTIONS + MAX_BLOCK_RELAY_ONLY_CONNECTIONS + MAX_FEELER_CONNECTIONS,
      max,
    );
    return Math.max(max - outbound, 0);
  }

  async #acceptLoop(
    listener: Deno.Listener,
    onion: boolean,
    bindPerms: ReadonlySet<Permission>,
  ): Promise<void> {
    while (!this.#closed) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        if (this.#closed) return;
        // Transient accept failure (e.g. out of descriptors): back off a little.
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      this.#acceptInbound(conn, onion, bindPerms);
    }
  }

  #acceptInbound(conn: Deno.Conn, onion: boolean, bindPerms: ReadonlySet<Permission>): void {
    const remote = formatNetAddr(conn.remoteAddr);
    const ip = hostOf(remote);
    const perms = new Set<Permission>(bindPerms);
    for (const w of this.#opts.whitelist ?? []) {
      if (w.inbound && subNetContains(w.subnet, ip)) { for (const p of w.permissions) perms.add(p); }
    }
    const log = this.#opts.logger;
    const drop = (why: string) => {
      log?.debug("net", `connection from ${remote} dropped (${why})`);
      try {
        conn.close();
      } catch { /* closed */ }
    };
    if (!this.#active) return drop("not accepting new connections");
    const banMan = this.#opts.banMan;
    if (!perms.has("noban") && banMan?.isBanned(ip)) return drop("banned");
    const inbound = this.counts().inbound;
    const max = this.#maxInbound();
    if (!perms.has("noban") && banMan?.isDiscouraged(ip) && inbound + 1 >= max) return drop("discouraged");
    if (inbound >= max) {
      // Core's AttemptToEvictConnection: make room by evicting an inbound peer, or drop the new one.
      if (!this.#attemptToEvict()) {
        log?.debug("net", "failed to find an eviction candidate - connection dropped (full)");
        return drop("full");
      }
    }
    // Core's m_prefer_evict: a discouraged address let in goes first when room is needed.
    const discouraged = !perms.has("noban") && (banMan?.isDiscouraged(ip) ?? false);
    const c = this.#add(conn, { type: "inbound", permissions: perms, onion });
    if (discouraged) this.#preferEvict.add(c.peer.id);
  }

  /** The eviction candidates (every connection not already disconnecting), as Core builds them. */
  evictionCandidates(): EvictionCandidate[] {
    const out: EvictionCandidate[] = [];
    for (const c of this.#conns.values()) {
      if (c.peer.disconnectReason !== undefined) continue;
      const s = c.peer.stats();
      const e = this.#opts.evictionStats?.(c.peer.id);
      const net: NetworkId = c.network === "onion"
        ? 3
        : c.network === "ipv4"
        ? 1
        : c.network === "ipv6"
        ? 2
        : c.addr !== undefined && !isRoutableAddr(c.addr)
        ? 0
        : c.addr !== undefined
        ? addressNetwork(c.addr)
        : 0;
      out.push({
        id: c.peer.id,
        connected: s.connTime,
        minPingTime: s.minPingMs === undefined ? Infinity : s.minPingMs * 1000,
        lastBlockTime: e?.lastBlockTime ?? 0,
        lastTxTime: e?.lastTxTime ?? 0,
        relevantServices: e?.relevantServices ?? false,
        relayTxs: e?.relayTxs ?? false,
        bloomFilter: false,
        keyedNetGroup: c.addr === undefined
          ? 0n
          : this.#groupHasher.hash(netGroup(c.addr, this.#opts.netClass)),
        preferEvict: this.#preferEvict.has(c.peer.id) || (e?.preferEvict ?? false),
        isLocal: c.addr !== undefined && isLocal(c.addr),
        network: net,
        noban: c.permissions.has("noban"),
        connType: c.type,
      });
    }
    return out;
  }

  #attemptToEvict(): boolean {
    const id = selectNodeToEvict(this.evictionCandidates());
    if (id === null) return false;
    const c = this.#conns.get(id);
    if (c === undefined) return false;
    this.#opts.logger?.debug("net", `selected ${c.type} connection for eviction, disconnecting peer=${id}`);
    c.peer.disconnect("evicted");
    return true;
  }

  #add(
    conn: Deno.Conn,
    info: {
      type: ConnectionType;
      destination?: string;
      permissions: ReadonlySet<Permission>;
      onion: boolean;
    },
  ): Connection {
    const id = this.#nextId++;
    const inbound = info.type === "inbound";
    const peer = new Peer({
      conn,
      magic: this.#opts.magic,
      inbound,
      id,
      // Core's RejectIncomingTxs: -blocksonly asks peers not to relay, except those with the relay permission.
      local: info.type === "block-relay-only" || info.type === "feeler"
        ? { ...this.#opts.local, relay: false }
        : info.permissions.has("relay")
        ? { ...this.#opts.local, relay: true }
        : this.#opts.local,
      isOwnNonce: (n) => this.#ownNonces.has(n),
      handshakeTimeoutMs: this.#opts.peerTimeoutMs ?? DEFAULT_PEER_CONNECT_TIMEOUT_MS,
      checkIntervalMs: this.#opts.checkIntervalMs,
      maxSendBuffer: this.#opts.maxSendBuffer,
      maxReceiveBuffer: this.#opts.maxReceiveBuffer,
      capture: this.#opts.captureDir === undefined
        ? undefined
        : captureMessageToFile(this.#opts.captureDir, formatNetAddr(conn.remoteAddr)),
      now: this.#opts.nowMs,
      log: (m) => this.#opts.logger?.debug("net", m),
      logEnabled: () => this.#opts.logger?.willLog("net", "debug") ?? false,
    });
    const remoteHost = hostOf(peer.addr);
    const c: Connection = {
      peer,
      type: info.type,
      addrBind: formatNetAddr(conn.localAddr),
      network: info.onion ? "onion" : networkOf(remoteHost),
      destination: info.destination,
      permissions: info.permissions,
      addr: netAddressOf(conn.remoteAddr),
    };
    this.#conns.set(id, c);
    if (!inbound) this.#ownNonces.add(peer.localNonce);
    const log = this.#opts.logger;
    if (inbound) log?.debug("net", `connection from ${peer.addr} accepted`);
    log?.debug(
      "net",
      inbound ? `Added connection peer=${id}` : `Added connection to ${peer.addr} peer=${id}`,
    );
    peer.on("handshake", () => {
      this.#ownNonces.delete(peer.localNonce);
      const v = peer.peerVersion!;
      log?.info(
        `New ${info.type} peer connected: version: ${v.version}, blocks=${v.startHeight}, peer=${id}`,
      );
    });
    peer.on("disconnect", (reason) => {
      this.#ownNonces.delete(peer.localNonce);
      const s = peer.stats();
      this.#closedBytesSent += s.bytesSent;
      this.#closedBytesRecv += s.bytesRecv;
      this.#conns.delete(id);
      this.#preferEvict.delete(id);
      log?.debug("net", `disconnecting peer=${id}: ${reason}`);
    });
    try {
      this.#opts.onConnection?.(c);
    } catch (e) {
      log?.error(`Cannot set up peer=${id}: ${e instanceof Error ? e.message : e}`);
    }
    peer.start();
    return c;
  }

  #closeListeners(): void {
    for (const l of this.#listeners) {
      try {
        l.close();
      } catch { /* closed */ }
    }
    this.#listeners.length = 0;
  }

  /** The addresses of the block-relay-only peers (Core's `GetCurrentBlockRelayOnlyConns`), to save as anchors. */
  blockRelayOnlyAnchors(): Anchor[] {
    const out: Anchor[] = [];
    for (const c of this.connections()) {
      if (c.type !== "block-relay-only" || c.addr === undefined) continue;
      out.push({ ...c.addr, services: c.peer.peerVersion?.services ?? 0n });
    }
    return out;
  }

  /** Core's `AddAddrFetch`: a short connection to `dest` only to ask it for addresses. */
  addAddrFetch(dest: string): void {
    this.#addrFetches.push(dest);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(t);
        this.#wakers.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.#wakers.add(wake);
    });
  }

  #processAddrFetch(): void {
    const dest = this.#addrFetches.shift();
    if (dest === undefined) return;
    void this.openConnection(dest, "addr-fetch").catch(() => null);
  }

  #alreadyConnected(a: NetAddress): boolean {
    for (const c of this.#conns.values()) if (c.addr !== undefined && sameAddress(c.addr, a)) return true;
    for (const d of this.#pending.keys()) if (d === formatAddressPort(a)) return true;
    return false;
  }

  #addedNodesContain(a: NetAddress): boolean {
    const key = formatAddressPort(a);
    return this.#addedNodes.some((d) => canonicalDestination(d, this.#opts.defaultPort) === key);
  }

  #isReachable(a: NetAddress): boolean {
    const net = addressNetwork(a);
    return this.#opts.reachable?.(net) ?? (net === 1 || net === 2);
  }

  #wantedServices(services: bigint): boolean {
    // Core's HasAllDesirableServiceFlags: NODE_NETWORK (or NODE_NETWORK_LIMITED) and NODE_WITNESS.
    return (services & 8n) !== 0n && (services & (1n | 1024n)) !== 0n;
  }

  /** Core's `ThreadOpenConnections` without `-connect`: fills the automatic outbound slots from the address manager. */
  async #openConnectionsLoop(addrman: AddrMan): Promise<void> {
    const log = this.#opts.logger;
    const interval = this.#opts.openIntervalMs ?? 500;
    const max = this.#opts.maxConnections ?? DEFAULT_MAX_PEER_CONNECTIONS;
    const maxFull = Math.min(MAX_OUTBOUND_FULL_RELAY_CONNECTIONS, max);
    const maxBlock = Math.min(MAX_BLOCK_RELAY_ONLY_CONNECTIONS, max - maxFull);
    const seeds = [...(this.#opts.seedNodes ?? [])];
    for (let i = seeds.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [seeds[i], seeds[j]] = [seeds[j], seeds[i]];
    }
    let seedTimer = Date.now();
    let addAddrFetch = addrman.size() === 0 && seeds.length > 0;
    let nextFeeler = Date.now() + poissonMs(FEELER_INTERVAL_MS);
    while (!this.#closed) {
      if (addAddrFetch && seeds.length > 0) {
        addAddrFetch = false;
        const seed = seeds.pop()!;
        this.addAddrFetch(seed);
        if (addrman.size() === 0) log?.info(`Empty addrman, adding seednode (${seed}) to addrfetch`);
        else {
          log?.info(
            `Couldn't connect to peers from addrman after ${
              ADD_NEXT_SEEDNODE_MS / 1000
            } seconds. Adding seednode (${seed}) to addrfetch`,
          );
        }
      }
      if (this.#active) this.#processAddrFetch();
      await this.#sleep(interval);
      if (this.#closed) return;
      if (!this.#active || max === 0) continue;
      let nFull = 0;
      let nBlock = 0;
      const groups = new Set<string>();
      for (const c of this.#conns.values()) {
        if (c.type === "outbound-full-relay") nFull++;
        if (c.type === "block-relay-only") nBlock++;
        if (
          (c.type === "manual" || c.type === "outbound-full-relay" || c.type === "block-relay-only") &&
          c.addr !== undefined
        ) groups.add(netGroup(c.addr, this.#opts.netClass).join("."));
      }
      for (const t of this.#pending.values()) {
        if (t === "outbound-full-relay") nFull++;
        if (t === "block-relay-only") nBlock++;
      }
      if (
        seeds.length > 0 && nFull < SEED_OUTBOUND_CONNECTION_THRESHOLD &&
        Date.now() > seedTimer + ADD_NEXT_SEEDNODE_MS
      ) {
        seedTimer = Date.now();
        addAddrFetch = true;
      }
      let type: ConnectionType;
      let anchor = false;
      let feeler = false;
      const now = Date.now();
      if (this.#anchors.length > 0 && nBlock < maxBlock) {
        type = "block-relay-only";
        anchor = true;
      } else if (nFull < maxFull) type = "outbound-full-relay";
      else if (nBlock < maxBlock) type = "block-relay-only";
      else if (now > nextFeeler) {
        nextFeeler = now + poissonMs(FEELER_INTERVAL_MS);
        type = "feeler";
        feeler = true;
      } else continue;
      addrman.resolveCollisions();
      const nowS = Math.floor(Date.now() / 1000);
      let target: (NetAddress & { time?: number }) | undefined;
      let tries = 0;
      const groupOf = (a: NetAddress) => netGroup(a, this.#opts.netClass).join(".");
      const reachableNets = new Set<NetworkId>(
        [1, 2, 3, 4, 5].filter((n) =>
          this.#opts.reachable?.(n as NetworkId) ?? (n === 1 || n === 2)
        ) as NetworkId[],
      );
      while (!this.#closed) {
        if (anchor && this.#anchors.length > 0) {
          const a = this.#anchors.pop()!;
          if (
            !isValid(a) || !this.#isReachable(a) ||
            !this.#wantedServices(a.services) || groups.has(groupOf(a)) || this.#alreadyConnected(a)
          ) continue;
          target = a;
          log?.debug("net", `Trying to make an anchor connection to ${formatAddressPort(a)}`);
          break;
        }
        if (++tries > 100) break;
        let pick: { addr: NetAddress & { services: bigint }; lastTry: number } | null = null;
        if (feeler) {
          pick = addrman.selectTriedCollision();
          if (pick === null) pick = addrman.select(true, reachableNets);
          else if (this.#alreadyConnected(pick.addr)) {
            addrman.good(pick.addr);
            pick = addrman.select(true, reachableNets);
          }
        } else {
          pick = addrman.select(false, reachableNets);
        }
        if (pick === null) break;
        const a = pick.addr;
        if (!feeler && groups.has(groupOf(a))) continue;
        if (!this.#isReachable(a)) continue;
        // Only consider addresses not tried in the last 10 minutes, for the first 30 picks.
        if (nowS - pick.lastTry < 600 && tries < 30) continue;
        if (!feeler && !this.#wantedServices(a.services)) continue;
        if (feeler && (a.services & (1n | 1024n)) === 0n) continue; // Core's MayHaveUsefulAddressDB
        if (tries < 50 && isBadPort(a.port)) continue;
        if (this.#addedNodesContain(a)) {
          log?.debug(
            "net",
            `Not making automatic ${type} connection to peer selected for manual (addnode) connection`,
          );
          continue;
        }
        if (this.#alreadyConnected(a)) continue;
        target = a;
        break;
      }
      if (target === undefined) continue;
      if (
        this.#opts.banMan?.isBanned(formatAddr(target)) ||
        this.#opts.banMan?.isDiscouraged(formatAddr(target))
      ) {
        continue;
      }
      if (feeler) log?.debug("net", `Making feeler connection to ${formatAddressPort(target)}`);
      const countFailure = groups.size >= Math.min(max - 1, 2);
      const auto = { addr: target, countFailure, time: target.time };
      await this.openConnection(formatAddressPort(target), type, auto).catch(() => null);
    }
  }

  #fullOutboundCount(): number {
    let n = 0;
    for (const c of this.#conns.values()) {
      if (c.type === "outbound-full-relay" && c.peer.successfullyConnected) n++;
    }
    return n;
  }

  /**
   * Core's `ThreadDNSAddressSeed`: after the seed nodes had 30 s, queries the DNS seeds (`x9.` subdomains) 3
   * at a time, all at once when the address manager is empty or with `-forcednsseed`, otherwise after 11 s (5
   * minutes with 1,000 addresses or more) unless 2 full-relay peers are connected by then. A seed that does
   * not resolve becomes an address fetch (which fails to connect in turn) and is logged; nothing stops.
   */
  async #dnsSeedLoop(addrman: AddrMan): Promise<void> {
    const log = this.#opts.logger;
    let outbound = 0;
    if ((this.#opts.seedNodes ?? []).length > 0) {
      const start = Date.now();
      log?.info(
        "-seednode enabled. Trying the provided seeds for 30 seconds before defaulting to the dnsseeds.",
      );
      while (!this.#closed) {
        await this.#sleep(500);
        if (this.#closed) return;
        if (Date.now() > start + 30_000) {
          log?.info("Couldn't connect to enough peers via seed nodes. Handing fetch logic to the DNS seeds.");
          break;
        }
        outbound = this.#fullOutboundCount();
        if (outbound >= SEED_OUTBOUND_CONNECTION_THRESHOLD) {
          log?.info("P2P peers available. Finished fetching data from seed nodes.");
          break;
        }
      }
    }
    const seeds = [...(this.#opts.dnsSeeds ?? [])];
    for (let i = seeds.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [seeds[i], seeds[j]] = [seeds[j], seeds[i]];
    }
    let rightNow = (this.#opts.forceDnsSeed ?? false) || addrman.size() === 0 ? seeds.length : 0;
    if (outbound >= SEED_OUTBOUND_CONNECTION_THRESHOLD && rightNow === 0) {
      log?.info("Skipping DNS seeds. Enough peers have been found");
      return;
    }
    let found = 0;
    const waitMs = addrman.size() >= DNSSEEDS_DELAY_PEER_THRESHOLD
      ? DNSSEEDS_DELAY_MANY_PEERS_MS
      : DNSSEEDS_DELAY_FEW_PEERS_MS;
    for (const seed of seeds) {
      if (rightNow === 0) {
        rightNow += DNSSEEDS_TO_QUERY_AT_ONCE;
        if (addrman.size() > 0) {
          log?.info(`Waiting ${waitMs / 1000} seconds before querying DNS seeds.`);
          for (let left = waitMs; left > 0;) {
            const w = Math.min(DNSSEEDS_DELAY_FEW_PEERS_MS, left);
            await this.#sleep(w);
            if (this.#closed) return;
            left -= w;
            if (this.#fullOutboundCount() >= SEED_OUTBOUND_CONNECTION_THRESHOLD) {
              if (found > 0) {
                log?.info(`${found} addresses found from DNS seeds`);
                log?.info("P2P peers available. Finished DNS seeding.");
              } else {
                log?.info("P2P peers available. Skipped DNS seeding.");
              }
              return;
            }
          }
        }
      }
      if (this.#closed) return;
      if (!this.#active) {
        log?.info("Waiting for network to be reactivated before querying DNS seeds.");
        while (!this.#active && !this.#closed) await this.#sleep(1000);
        if (this.#closed) return;
      }
      log?.info(`Loading addresses from DNS seed ${seed}`);
      const host = `x9.${seed.replace(/\.$/, "")}`;
      const addrs: (NetAddress & { services: bigint; time: number })[] = [];
      for (const type of ["A", "AAAA"] as const) {
        try {
          const ips = await Deno.resolveDns(host, type, { signal: AbortSignal.timeout(5000) });
          for (const ip of ips.slice(0, 32)) {
            const p = parseIp(ip);
            if (p === undefined) continue;
            // A random age between 3 and 7 days, as Core's.
            const age = 3 * 24 * 3600 + Math.floor(Math.random() * 4 * 24 * 3600);
            addrs.push({
              ...p,
              port: this.#opts.defaultPort,
              services: SEEDS_SERVICE_FLAGS,
              time: Math.floor(Date.now() / 1000) - age,
            });
          }
        } catch (e) {
          log?.debug(
            "net",
            `DNS seed ${host} (${type}) did not resolve: ${e instanceof Error ? e.message : e}`,
          );
        }
      }
      if (addrs.length > 0) {
        for (const a of addrs) addrman.add([a], a);
        found += addrs.length;
      } else {
        // Core: a seed without the service-bit subdomain is asked directly, by an address fetch.
        log?.info(`DNS seed ${seed} did not resolve; trying it as an address fetch`);
        this.addAddrFetch(seed.replace(/\.$/, ""));
      }
      rightNow--;
    }
    log?.info(`${found} addresses found from DNS seeds`);
  }

  /** Stops listening and connecting and disconnects every peer; resolves once all are closed. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const wake of [...this.#wakers]) wake();
    if (this.#retryTimer !== undefined) clearInterval(this.#retryTimer);
    this.#closeListeners();
    const peers = [...this.#conns.values()].map((c) => c.peer);
    for (const p of peers) p.disconnect("shutdown");
    await Promise.all(peers.map((p) => p.closed));
  }
}
