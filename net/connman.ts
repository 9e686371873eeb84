/**
 * The connection manager (Core's `CConnman`): listening sockets (`-listen`, `-bind`, `-port`), inbound accept with
 * Core's limits (bans, discouragement, `-maxconnections`), outbound manual connections (`-connect`, `-addnode`,
 * the `addnode` RPC's add/remove/onetry), connection to self detected by version nonce, per-peer permissions
 * from `-whitelist`/`-whitebind`, network activity on/off (`setnetworkactive`), byte totals, and a clean close.
 *
 * Each connection is a {@link Peer}; the message logic (Core's `PeerManager`) attaches to every new peer through
 * the `onPeer` callback before the peer starts, so it sees the whole handshake.
 *
 * tsbtc has no address manager yet, so the only outbound connections are manual ones (Core's `MANUAL` type):
 * those of `-connect` (exclusive), `-addnode` and the `addnode` RPC.
 *
 * @module
 */

import type { Logger } from "../util/logging.ts";
import { Bip155Network, parseIp } from "./address.ts";
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
  /** Peer timer check interval (default 1000 ms; tests lower it). */
  readonly checkIntervalMs?: number;
  /** The node's clock in ms (mockable, as Core's ping and timeout clocks are; default `Date.now`). */
  readonly nowMs?: () => number;
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

function hostOf(addr: string): string {
  if (addr.startsWith("[")) return addr.slice(1, addr.indexOf("]"));
  const c = addr.lastIndexOf(":");
  return c < 0 ? addr : addr.slice(0, c);
}

/** Core's `CNetAddr::IsRoutable` for IPv4/IPv6 (loopback, private, link-local, shared, benchmark, docs, ULA). */
export function isRoutable(host: string): boolean {
  const ip = parseIp(host);
  if (ip === undefined) return false;
  const a = ip.addr;
  if (ip.net === Bip155Network.IPV4) {
    if (a[0] === 0 || a[0] === 127 || a[0] === 10) return false; // RFC1122, loopback, RFC1918
    if (a[0] === 172 && (a[1] & 0xf0) === 16) return false; // RFC1918
    if (a[0] === 192 && a[1] === 168) return false; // RFC1918
    if (a[0] === 169 && a[1] === 254) return false; // RFC3927
    if (a[0] === 100 && (a[1] & 0xc0) === 64) return false; // RFC6598
    if (a[0] === 198 && (a[1] & 0xfe) === 18) return false; // RFC2544
    if (a[0] === 192 && a[1] === 0 && a[2] === 2) return false; // RFC5737
    if (a[0] === 198 && a[1] === 51 && a[2] === 100) return false;
    if (a[0] === 203 && a[1] === 0 && a[2] === 113) return false;
    if (a[0] >= 240) return false; // reserved and broadcast
    return true;
  }
  if (a.every((b, i) => b === (i === 15 ? 1 : 0)) || a.every((b) => b === 0)) return false; // ::1, ::
  if ((a[0] & 0xfe) === 0xfc) return false; // RFC4193
  if (a[0] === 0xfe && (a[1] & 0xc0) === 0x80) return false; // RFC4862
  if (a[0] === 0x20 && a[1] === 0x01 && a[2] === 0x0d && a[3] === 0xb8) return false; // RFC3849
  return true;
}

function networkOf(host: string): string {
  const ip = parseIp(host);
  if (ip === undefined || !isRoutable(host)) return "not_publicly_routable";
  return ip.net === Bip155Network.IPV6 ? "ipv6" : "ipv4";
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

  private constructor(options: ConnectionManagerOptions) {
    this.#opts = options;
    for (const a of options.addNodes ?? []) if (!this.#addedNodes.includes(a)) this.#addedNodes.push(a);
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
  async openConnection(dest: string, type: ConnectionType = "manual"): Promise<Connection | null> {
    if (!this.#active || this.#closed) return null;
    if (this.#findDestination(dest) || this.#pending.has(dest)) return null;
    const target = splitHostPort(dest, this.#opts.defaultPort);
    if (target === null) return null;
    let manual = 0;
    for (const c of this.#conns.values()) if (c.type === "manual") manual++;
    if (type === "manual" && manual + this.#pending.size >= MAX_ADDNODE_CONNECTIONS) return null;
    this.#pending.set(dest, type);
    try {
      const conn = await this.#dial(inetAton(target.host) ?? target.host, target.port);
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
    if (inbound >= max) return drop("full");
    this.#add(conn, { type: "inbound", permissions: perms, onion });
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
      now: this.#opts.nowMs,
      log: (m) => this.#opts.logger?.debug("net", m),
    });
    const remoteHost = hostOf(peer.addr);
    const c: Connection = {
      peer,
      type: info.type,
      addrBind: formatNetAddr(conn.localAddr),
      network: info.onion ? "onion" : networkOf(remoteHost),
      destination: info.destination,
      permissions: info.permissions,
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

  /** Stops listening and connecting and disconnects every peer; resolves once all are closed. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#retryTimer !== undefined) clearInterval(this.#retryTimer);
    this.#closeListeners();
    const peers = [...this.#conns.values()].map((c) => c.peer);
    for (const p of peers) p.disconnect("shutdown");
    await Promise.all(peers.map((p) => p.closed));
  }
}
