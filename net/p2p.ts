/**
 * The node's P2P side as one object: the settings read from the command line (Core's init.cpp rules for
 * `-listen`, `-bind`, `-whitebind`, `-port`, `-connect`, `-addnode`, `-seednode`, `-dnsseed`, `-fixedseeds`,
 * `-onlynet`, `-maxconnections`, `-peertimeout`, `-timeout`, `-whitelist`, `-blocksonly`), the address manager
 * with its database and the anchors, the connection manager, the peer manager and the ban manager wired
 * together, and the {@link NetControl} the network RPCs drive.
 *
 * @module
 */

import { baseParams } from "../core/chain_params_base.ts";
import type { ArgsLike } from "../rpc/args_like.ts";
import type { BanInfo, ConnectionInfo, NetControl, PeerInfo } from "../rpc/methods/net.ts";
import type { Chainstate } from "../node/chain/types.ts";
import type { Transaction } from "../core/wire/types.ts";
import type { ValidationInterface } from "../node/validation_signals.ts";
import type { Logger } from "../util/logging.ts";
import { BanMan, parseSubNet } from "./banman.ts";
import {
  ConnectionManager,
  type ConnectionManager as ConnectionManagerType,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_PEER_CONNECTIONS,
  parseWhitelist,
  type Permission,
  PERMISSION_NAMES,
  splitHostPort,
  type WhitelistEntry,
} from "./connman.ts";
import { PeerManager, type RelayMempool } from "./net_processing.ts";
import { ServiceFlags, serviceFlagsToStrings } from "./protocol.ts";
import { type NetAddress, parseIp } from "./address.ts";
import { deterministicAddrManKey, seededRandom } from "./addrman.ts";
import { AddrManDb } from "./addrman_db.ts";
import { dumpAnchors, readAnchors } from "./anchors.ts";
import {
  addressNetwork,
  formatAddr,
  isRoutable,
  isValid,
  netClass as netClassOf,
  Network,
  type NetworkId,
  networkName,
  parseHost,
  parseNetwork,
} from "./netaddr.ts";
import type { NodeAddressInfo, RawAddrmanEntry } from "../rpc/methods/net.ts";

/** Core's DNS seeds per chain (regtest's is a dummy that never resolves). */
const DNS_SEEDS: Record<string, readonly string[]> = {
  main: [
    "seed.bitcoin.sipa.be.",
    "dnsseed.bluematt.me.",
    "seed.bitcoin.jonasschnelli.ch.",
    "seed.btc.petertodd.net.",
    "seed.bitcoin.sprovoost.nl.",
    "dnsseed.emzy.de.",
    "seed.bitcoin.wiz.biz.",
    "seed.mainnet.achownodes.xyz.",
  ],
  test: [
    "testnet-seed.bitcoin.jonasschnelli.ch.",
    "seed.tbtc.petertodd.net.",
    "seed.testnet.bitcoin.sprovoost.nl.",
    "testnet-seed.bluematt.me.",
    "seed.testnet.achownodes.xyz.",
  ],
  testnet4: ["seed.testnet4.bitcoin.sprovoost.nl.", "seed.testnet4.wiz.biz."],
  signet: ["seed.signet.bitcoin.sprovoost.nl.", "seed.signet.achownodes.xyz."],
  regtest: ["dummySeed.invalid."],
};

/** The P2P settings of a node. */
export interface P2pSettings {
  readonly listen: boolean;
  readonly port: number;
  readonly binds: readonly {
    host: string;
    port: number;
    onion?: boolean;
    permissions?: ReadonlySet<Permission>;
  }[];
  readonly connect: readonly string[];
  readonly addNodes: readonly string[];
  readonly maxConnections: number;
  readonly peerTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly whitelist: readonly WhitelistEntry[];
  readonly blocksOnly: boolean;
  readonly services: bigint;
  /** `-networkactive`. */
  readonly networkActive: boolean;
  /** `-bantime`, seconds (default 86400). */
  readonly banTime: number;
  /** `-maxsendbuffer` in bytes (Core's option is in kB, default 1000). */
  readonly maxSendBuffer: number;
  /** `-maxreceivebuffer` in bytes (Core's option is in kB, default 5000). */
  readonly maxReceiveBuffer: number;
  /** `-capturemessages`. */
  readonly captureMessages: boolean;
  /** Automatic outbound connections from the address manager (no `-connect`, no `-noconnect`). */
  readonly useAddrmanOutgoing: boolean;
  /** `-seednode` destinations. */
  readonly seedNodes: readonly string[];
  /** `-dnsseed` (default on, off on regtest, with `-connect` or `-maxconnections=0`) and `-forcednsseed`. */
  readonly dnsSeed: boolean;
  readonly forceDnsSeed: boolean;
  /** `-fixedseeds` (tsbtc carries no fixed seed list: nothing is added). */
  readonly fixedSeeds: boolean;
  /** Networks reachable for automatic connections and stored addresses (`-onlynet`). */
  readonly reachable: ReadonlySet<NetworkId>;
  /** `-test=addrman`: deterministic address manager (key 1, seeded randomness). */
  readonly deterministicAddrman: boolean;
  /** `-test=addrmanlocal` (regtest only): loopback addresses count as routable IPv4/IPv6. */
  readonly addrmanLocal: boolean;
  /** The chain's name (DNS seeds). */
  readonly chain: string;
  /** `-externalip` addresses (with the listen port unless given). */
  readonly externalIps: readonly NetAddress[];
  /** `-discover` (default: listening, no `-externalip`, no `-proxy`): our interfaces' routable addresses. */
  readonly discover: boolean;
  /** Core's `GetListenPort`: the port of the first `-bind` that has one, else `-port`. */
  readonly listenPort: number;
}

/** Core's `-onlynet` handling: the reachable networks, with Core's init errors. */
function reachableFromArgs(args: ArgsLike): Set<NetworkId> {
  const onlynets = args.getArgs("-onlynet");
  const reachable = new Set<NetworkId>([
    Network.IPV4,
    Network.IPV6,
    Network.ONION,
    Network.I2P,
    Network.CJDNS,
  ]);
  if (onlynets.length > 0) {
    reachable.clear();
    for (const n of onlynets) {
      const net = parseNetwork(n);
      if (net === Network.UNROUTABLE) throw new Error(`Unknown network specified in -onlynet: '${n}'`);
      reachable.add(net);
    }
  }
  if (!args.isSet("-cjdnsreachable")) {
    if (onlynets.length > 0 && reachable.has(Network.CJDNS)) {
      throw new Error(
        "Outbound connections restricted to CJDNS (-onlynet=cjdns) but -cjdnsreachable is not provided",
      );
    }
    reachable.delete(Network.CJDNS);
  }
  const onlyOnion = onlynets.length > 0 && reachable.has(Network.ONION);
  if (args.getArg("-onion") === "0" && onlyOnion) {
    throw new Error(
      "Outbound connections restricted to Tor (-onlynet=onion) but the proxy for reaching the Tor network is explicitly forbidden: -onion=0",
    );
  }
  if (!args.isSet("-proxy") && !args.isSet("-onion")) {
    if (onlyOnion && !args.getBool("-listenonion", true)) {
      throw new Error(
        "Outbound connections restricted to Tor (-onlynet=onion) but the proxy for reaching the Tor network is not provided: none of -proxy, -onion or -listenonion is given",
      );
    }
    reachable.delete(Network.ONION);
  }
  if (!args.isSet("-i2psam")) {
    if (onlynets.length > 0 && reachable.has(Network.I2P)) {
      throw new Error("Outbound connections restricted to i2p (-onlynet=i2p) but -i2psam is not provided");
    }
    reachable.delete(Network.I2P);
  }
  return reachable;
}

/** A numeric address or a plain host name (letters, digits, dots, dashes). */
function isBindableHost(host: string): boolean {
  if (parseIp(host) !== undefined) return true;
  return /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host) && !/^[0-9.]+$/.test(host);
}

function parseBind(
  value: string,
  port: number,
  what: string,
): { host: string; port: number; onion: boolean } {
  const onion = value.endsWith("=onion");
  const text = onion ? value.slice(0, -"=onion".length) : value;
  const hp = splitHostPort(text, port);
  if (hp === null || !isBindableHost(hp.host)) throw new Error(`Cannot resolve ${what} address: '${value}'`);
  return { host: hp.host, port: hp.port, onion };
}

/** Reads the P2P settings (throws Core's init errors). */
export function p2pSettingsFromArgs(args: ArgsLike): P2pSettings {
  const port = args.getInt("-port", baseParams(args.network).p2pPort);
  if (port < 1 || port > 65535) throw new Error(`Invalid port specified in -port: '${args.getArg("-port")}'`);
  const connect = args.getArgs("-connect").filter((c) => c !== "" && c !== "0");
  const maxConnections = Math.max(0, args.getInt("-maxconnections", DEFAULT_MAX_PEER_CONNECTIONS));
  // Core's parameter interaction: -bind/-whitebind imply -listen=1 (soft), then -connect implies -listen=0.
  const bindsGiven = args.getArgs("-bind").length > 0 || args.getArgs("-whitebind").length > 0;
  const listen = args.getBool("-listen", bindsGiven || (connect.length === 0 && maxConnections !== 0));
  const peerTimeout = args.getInt("-peertimeout", 60);
  if (peerTimeout <= 0) throw new Error("peertimeout must be a positive integer.");
  let connectTimeout = args.getInt("-timeout", DEFAULT_CONNECT_TIMEOUT_MS);
  if (connectTimeout <= 0) connectTimeout = DEFAULT_CONNECT_TIMEOUT_MS;
  const relay = args.getBool("-whitelistrelay", true);
  const forceRelay = args.getBool("-whitelistforcerelay", false);
  const whitelist = args.getArgs("-whitelist").map((w) => parseWhitelist(w, { relay, forceRelay }));
  const binds: { host: string; port: number; onion?: boolean; permissions?: ReadonlySet<Permission> }[] = [];
  if (!listen && (args.getArgs("-bind").length > 0 || args.getArgs("-whitebind").length > 0)) {
    throw new Error("Cannot set -bind or -whitebind together with -listen=0");
  }
  if (listen) {
    for (const b of args.getArgs("-bind")) binds.push(parseBind(b, port, "-bind"));
    for (const wb of args.getArgs("-whitebind")) {
      const entry = parseWhitebind(wb, port, { relay, forceRelay });
      binds.push(entry);
    }
    if (binds.length === 0) binds.push({ host: "0.0.0.0", port });
  }
  const reachable = reachableFromArgs(args);
  const connectGiven = args.getArgs("-connect").length > 0 || (args.isNegated?.("-connect") ?? false);
  // Core's default is on; tsbtc's is off on regtest (its only seed is a dummy). -connect and
  // -maxconnections=0 turn it off unless given.
  const dnsDefault = args.network !== "regtest" && !connectGiven && maxConnections > 0 &&
    (args.getArgs("-onlynet").length === 0 || reachable.has(Network.IPV4) || reachable.has(Network.IPV6));
  const dnsSeed = args.getBool("-dnsseed", dnsDefault);
  const forceDnsSeed = args.getBool("-forcednsseed", false);
  if (forceDnsSeed && !dnsSeed) {
    throw new Error("Cannot set -forcednsseed to true when setting -dnsseed to false.");
  }
  if (args.isSet("-dnsseed") && dnsSeed && !reachable.has(Network.IPV4) && !reachable.has(Network.IPV6)) {
    throw new Error(
      "Incompatible options: -dnsseed=1 was explicitly specified, but -onlynet forbids connections to IPv4/IPv6",
    );
  }
  const tests = args.getArgs("-test");
  let listenPort = port;
  for (const b of args.getArgs("-bind")) {
    const hp = splitHostPort(b.replace(/=onion$/, ""), 0);
    if (hp !== null && hp.port !== 0) {
      listenPort = hp.port;
      break;
    }
  }
  const externalIps: NetAddress[] = [];
  for (const e of args.getArgs("-externalip")) {
    const hp = splitHostPort(e, listenPort);
    const host = hp === null
      ? undefined
      : parseHost(hp.host, { cjdnsReachable: reachable.has(Network.CJDNS) });
    if (hp === null || host === undefined || !isValid(host)) {
      throw new Error(`Cannot resolve -externalip address: '${e}'`);
    }
    externalIps.push({ ...host, port: hp.port });
  }
  const pruned = args.getInt("-prune", 0) !== 0;
  let services = ServiceFlags.NODE_WITNESS | ServiceFlags.NODE_NETWORK_LIMITED;
  if (!pruned) services |= ServiceFlags.NODE_NETWORK;
  return {
    listen,
    port,
    binds,
    connect,
    addNodes: args.getArgs("-addnode"),
    maxConnections,
    peerTimeoutMs: Math.min(peerTimeout, 2 ** 31 / 1000) * 1000,
    connectTimeoutMs: connectTimeout,
    whitelist,
    blocksOnly: args.getBool("-blocksonly", false),
    services,
    networkActive: args.getBool("-networkactive", true),
    banTime: args.getInt("-bantime", 60 * 60 * 24),
    maxSendBuffer: Math.max(0, args.getInt("-maxsendbuffer", 1000)) * 1000,
    maxReceiveBuffer: Math.max(0, args.getInt("-maxreceivebuffer", 5000)) * 1000,
    captureMessages: args.getBool("-capturemessages", false),
    useAddrmanOutgoing: !connectGiven,
    seedNodes: args.getArgs("-seednode"),
    dnsSeed,
    forceDnsSeed,
    fixedSeeds: args.getBool("-fixedseeds", true),
    reachable,
    deterministicAddrman: tests.includes("addrman"),
    addrmanLocal: tests.includes("addrmanlocal") && args.network === "regtest",
    chain: args.network,
    externalIps,
    discover: args.getBool("-discover", listen && externalIps.length === 0 && !args.isSet("-proxy")),
    listenPort,
  };
}

function parseWhitebind(
  value: string,
  port: number,
  options: { relay: boolean; forceRelay: boolean },
): { host: string; port: number; permissions: ReadonlySet<Permission> } {
  const at = value.indexOf("@");
  const addr = at < 0 ? value : value.slice(at + 1);
  const hp = splitHostPort(addr, port);
  if (hp === null || !isBindableHost(hp.host)) {
    throw new Error(`Cannot resolve -whitebind address: '${value}'`);
  }
  // The permissions part parses as a -whitelist entry's.
  const perms = parseWhitelist(`${at < 0 ? "" : value.slice(0, at) + "@"}127.0.0.1`, options).permissions;
  return { host: hp.host, port: hp.port, permissions: perms };
}

/** Options of {@link P2pNode.start}. */
export interface P2pNodeOptions {
  readonly settings: P2pSettings;
  readonly magic: Uint8Array;
  readonly userAgent: string;
  readonly chain: Chainstate;
  readonly mempool: RelayMempool | null;
  readonly signals: { subscribe(listener: ValidationInterface): () => void };
  readonly logger?: Logger;
  /** The node's clock in seconds. */
  readonly now?: () => number;
  /** The node's clock in ms (mockable; pings, timeouts and getpeerinfo's times follow it). */
  readonly nowMs?: () => number;
  /** The network data directory (banlist.json); none: bans in memory only. */
  readonly netDataDir?: string;
  /** Peer manager housekeeping interval (tests). */
  readonly tickMs?: number;
}

/** The addresses of a `getnodeaddresses` answer. */
export type { NodeAddressInfo };

/** The running P2P side of a node. */
export class P2pNode implements NetControl {
  readonly connman: ConnectionManagerType;
  readonly peerman: PeerManager;
  readonly banMan: BanMan;
  readonly settings: P2pSettings;
  readonly addrDb: AddrManDb | null;
  readonly #clock: () => number;
  readonly #netDataDir: string | undefined;
  readonly #magic: Uint8Array;
  readonly #log: (msg: string) => void;
  #locals: LocalAddress[] = [];

  private constructor(
    settings: P2pSettings,
    connman: ConnectionManager,
    peerman: PeerManager,
    banMan: BanMan,
    addrDb: AddrManDb | null,
    options: P2pNodeOptions,
  ) {
    this.#clock = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.#netDataDir = options.netDataDir;
    this.#magic = options.magic;
    this.#log = (m) => options.logger?.info(m);
    this.settings = settings;
    this.connman = connman;
    this.peerman = peerman;
    this.banMan = banMan;
    this.addrDb = addrDb;
  }

  /** Loads the address manager, binds, starts connecting and attaches the message logic. Throws Core's bind errors. */
  static async start(options: P2pNodeOptions): Promise<P2pNode> {
    const s = options.settings;
    const banMan = new BanMan({
      now: options.now,
      path: options.netDataDir === undefined ? undefined : `${options.netDataDir}/banlist.json`,
      log: (m) => options.logger?.info(m),
    });
    const netClass = { localRoutable: s.addrmanLocal };
    const addrmanOptions = {
      now: options.now,
      netClass,
      random: s.deterministicAddrman ? seededRandom(1) : undefined,
      log: (m: string) => options.logger?.debug("addrman", m),
    };
    const addrDb = options.netDataDir === undefined ? null : await AddrManDb.open({
      dir: options.netDataDir,
      addrman: addrmanOptions,
      fixedKey: s.deterministicAddrman ? deterministicAddrManKey() : undefined,
      log: (m) => options.logger?.info(m),
    });
    const addrman = addrDb?.addrman;
    const anchors = options.netDataDir !== undefined && s.useAddrmanOutgoing
      ? await readAnchors(options.netDataDir, options.magic, (m) => options.logger?.info(m))
      : [];
    if (!s.fixedSeeds) options.logger?.info("Fixed seeds are disabled");
    const reachable = (n: NetworkId) => s.reachable.has(n);
    const locals = localAddresses(s, netClass, options.logger);
    const peerman = new PeerManager({
      listen: s.listen,
      localAddressFor: (conn) => localAddressFor(locals, conn, s.listen, netClass, options.logger),
      addrman,
      reachable,
      netClass,
      chain: options.chain,
      mempool: options.mempool,
      signals: options.signals,
      banMan,
      blocksOnly: s.blocksOnly,
      localServices: s.services,
      logger: options.logger,
      now: options.now,
      nowMs: options.nowMs,
      tickMs: options.tickMs,
    });
    let connman: ConnectionManager;
    try {
      connman = ConnectionManager.start({
        magic: options.magic,
        local: {
          services: s.services,
          userAgent: options.userAgent,
          startHeight: () => options.chain.height(),
          relay: !s.blocksOnly,
        },
        binds: s.binds,
        defaultPort: s.port,
        connect: s.connect,
        addNodes: s.connect.length > 0 ? [] : s.addNodes,
        maxConnections: s.maxConnections,
        peerTimeoutMs: s.peerTimeoutMs,
        connectTimeoutMs: s.connectTimeoutMs,
        whitelist: s.whitelist,
        banMan,
        onConnection: (c) => peerman.attach(c),
        logger: options.logger,
        nowMs: options.nowMs,
        networkActive: s.networkActive,
        maxSendBuffer: s.maxSendBuffer,
        maxReceiveBuffer: s.maxReceiveBuffer,
        captureDir: s.captureMessages && options.netDataDir !== undefined
          ? `${options.netDataDir}/message_capture`
          : undefined,
        addrman,
        useAddrmanOutgoing: s.useAddrmanOutgoing,
        seedNodes: s.useAddrmanOutgoing ? s.seedNodes : [],
        anchors,
        dnsSeeds: s.dnsSeed ? DNS_SEEDS[s.chain] ?? [] : undefined,
        forceDnsSeed: s.forceDnsSeed,
        reachable,
        netClass,
        evictionStats: (id) => peerman.evictionStats(id),
      });
    } catch (e) {
      peerman.close();
      await addrDb?.close();
      throw e;
    }
    if (s.connect.length > 0 && s.seedNodes.length > 0) {
      options.logger?.info("-seednode is ignored when -connect is used");
    }
    const node = new P2pNode(s, connman, peerman, banMan, addrDb, options);
    node.#locals = locals;
    return node;
  }

  /** `getnodeaddresses`: up to `count` (0: all) known good addresses, of `network` only when given. */
  nodeAddresses(count: number, network?: string): NodeAddressInfo[] {
    let net: NetworkId | undefined;
    if (network !== undefined) {
      net = parseNetwork(network);
      if (net === Network.UNROUTABLE) throw new RangeError(`Network not recognized: ${network}`);
    }
    const netClass = { localRoutable: this.settings.addrmanLocal };
    return this.peerman.getAddressesUnsafe(count, 0, net).map((a) => ({
      time: a.time,
      services: a.services,
      address: formatAddr(a),
      port: a.port,
      network: networkName(netClassOf(a, netClass)),
    }));
  }

  /** `addpeeraddress`: adds `address:port` as if it announced itself, then to tried when asked. */
  addPeerAddress(address: string, port: number, tried: boolean): { success: boolean; error?: string } {
    const ip = parseHost(address, { cjdnsReachable: this.settings.reachable.has(Network.CJDNS) });
    if (ip === undefined) throw new RangeError("Invalid IP address");
    const am = this.addrDb?.addrman;
    if (am === undefined) throw new RangeError("Address manager functionality missing or disabled");
    const a = {
      ...ip,
      port,
      services: ServiceFlags.NODE_NETWORK | ServiceFlags.NODE_WITNESS,
      time: this.#nowSec(),
    };
    if (!am.add([a], a)) return { success: false, error: "failed-adding-to-new" };
    if (tried && !am.good(a, this.#nowSec())) return { success: false, error: "failed-adding-to-tried" };
    return { success: true };
  }

  /** Our own addresses (Core's `mapLocalHost`) for getnetworkinfo's `localaddresses`. */
  localAddresses(): { address: string; port: number; score: number }[] {
    return this.#locals.map((l) => ({ address: formatAddr(l.addr), port: l.addr.port, score: l.score }));
  }

  /** `sendmsgtopeer`: a raw message (any command, any payload) to peer `id`; false when there is none. */
  sendMessageToPeer(id: number, command: string, payload: Uint8Array): boolean {
    const c = this.connman.get(id);
    if (c === undefined || c.peer.disconnectReason !== undefined) return false;
    try {
      return c.peer.sendRaw(command, payload);
    } catch {
      return false;
    }
  }

  /** `getaddrmaninfo`: new, tried and total per network and for all networks. */
  addrmanInfo(): Record<string, { new: number; tried: number; total: number }> {
    const am = this.addrDb?.addrman;
    if (am === undefined) throw new RangeError("Address manager functionality missing or disabled");
    const out: Record<string, { new: number; tried: number; total: number }> = {};
    for (const n of [Network.IPV4, Network.IPV6, Network.ONION, Network.I2P, Network.CJDNS] as NetworkId[]) {
      out[networkName(n)] = { new: am.size(n, true), tried: am.size(n, false), total: am.size(n) };
    }
    out.all_networks = { new: am.size(undefined, true), tried: am.size(undefined, false), total: am.size() };
    return out;
  }

  /** `getrawaddrman`: both tables, keyed `bucket/position`. */
  rawAddrman(): Record<"new" | "tried", Record<string, RawAddrmanEntry>> {
    const am = this.addrDb?.addrman;
    if (am === undefined) throw new RangeError("Address manager functionality missing or disabled");
    const nc = { localRoutable: this.settings.addrmanLocal };
    const table = (tried: boolean) => {
      const out: Record<string, RawAddrmanEntry> = {};
      for (const e of am.entries(tried)) {
        out[`${e.bucket}/${e.position}`] = {
          address: formatAddr(e.addr),
          port: e.addr.port,
          services: e.addr.services,
          time: e.addr.time,
          network: networkName(netClassOf(e.addr, nc)),
          source: formatAddr(e.addr.source),
          sourceNetwork: networkName(netClassOf(e.addr.source, nc)),
        };
      }
      return out;
    };
    return { new: table(false), tried: table(true) };
  }

  #nowSec(): number {
    return this.#clock();
  }

  /** The addresses listened on. */
  get listenAddresses(): string[] {
    return this.connman.listenAddresses;
  }

  /** `-bantime`: the default `setban` duration. */
  get defaultBanTime(): number {
    return this.settings.banTime;
  }

  connectionInfo(): ConnectionInfo {
    const { inbound, outbound } = this.connman.counts();
    const offsets = this.connman.connections().filter((c) => !c.peer.inbound && c.peer.successfullyConnected)
      .map((c) => c.peer.stats().timeOffset).sort((a, b) => a - b);
    // Core: the median of outbound peers' offsets, 0 with fewer than 5 samples.
    const timeOffset = offsets.length >= 5 ? offsets[Math.floor(offsets.length / 2)] : 0;
    return {
      localServices: this.settings.services,
      localServicesNames: serviceFlagsToStrings(this.settings.services),
      localRelay: !this.settings.blocksOnly,
      timeOffset,
      networkActive: this.connman.networkActive,
      inbound,
      outbound,
    };
  }

  peers(): PeerInfo[] {
    const out: PeerInfo[] = [];
    for (const c of this.connman.connections()) {
      const sync = this.peerman.stats(c.peer.id);
      if (sync === undefined) continue;
      const s = c.peer.stats();
      const perms = PERMISSION_NAMES.filter((p) => c.permissions.has(p));
      out.push({
        id: s.id,
        addr: c.destination ?? s.addr,
        addrBind: c.addrBind,
        network: c.network,
        services: s.services,
        servicesNames: serviceFlagsToStrings(s.services),
        relayTxes: sync.relayTxes,
        lastInvSequence: sync.lastInvSequence,
        invToSend: sync.invToSend,
        lastSend: Math.floor(s.lastSend / 1000),
        lastRecv: Math.floor(s.lastRecv / 1000),
        lastTransaction: sync.lastTransaction,
        lastBlock: sync.lastBlock,
        bytesSent: s.bytesSent,
        bytesRecv: s.bytesRecv,
        connTime: Math.floor(s.connTime / 1000),
        timeOffset: s.timeOffset,
        pingTime: s.pingTimeMs === undefined ? undefined : s.pingTimeMs / 1000,
        minPing: s.minPingMs === undefined ? undefined : s.minPingMs / 1000,
        pingWait: s.pingWaitMs === undefined ? undefined : s.pingWaitMs / 1000,
        version: s.version,
        subver: s.subver,
        inbound: s.inbound,
        bip152HbTo: sync.bip152HighBandwidthTo,
        bip152HbFrom: s.bip152HighBandwidthFrom,
        presyncedHeaders: sync.presyncedHeaders,
        syncedHeaders: sync.syncedHeaders,
        syncedBlocks: sync.syncedBlocks,
        inflight: sync.inflight,
        addrProcessed: sync.addrProcessed,
        addrRelayEnabled: sync.addrRelayEnabled,
        addrRateLimited: sync.addrRateLimited,
        permissions: perms,
        minFeeFilter: sync.minFeeFilter,
        bytesSentPerMsg: s.bytesSentPerMsg,
        bytesRecvPerMsg: s.bytesRecvPerMsg,
        connectionType: c.type,
      });
    }
    return out;
  }

  totals(): { bytesRecv: number; bytesSent: number } {
    const t = this.connman.totals();
    return { bytesRecv: t.bytesRecv, bytesSent: t.bytesSent };
  }

  async addNode(node: string, command: "add" | "remove" | "onetry"): Promise<"ok" | "already" | "missing"> {
    if (command === "onetry") {
      // As Core's OpenNetworkConnection from the RPC thread: connected (or failed) when the call returns.
      await this.connman.openConnection(node).catch(() => null);
      return "ok";
    }
    if (command === "add") return this.connman.addNode(node) ? "ok" : "already";
    return this.connman.removeAddedNode(node) ? "ok" : "missing";
  }

  addConnection(
    address: string,
    type: "outbound-full-relay" | "block-relay-only" | "addr-fetch" | "feeler",
  ): Promise<boolean> {
    return this.connman.addConnection(address, type);
  }

  addedNodes(): { node: string; connected: { address: string; inbound: boolean } | null }[] {
    return this.connman.addedNodes().map(({ dest, conn }) => ({
      node: dest,
      connected: conn && conn.peer.successfullyConnected
        ? { address: conn.peer.addr, inbound: conn.peer.inbound }
        : null,
    }));
  }

  disconnect(target: { address: string } | { id: number }): boolean {
    return "id" in target
      ? this.connman.disconnectId(target.id)
      : this.connman.disconnectAddress(target.address);
  }

  /** Announces mempool transaction `txid` to every peer (Core's `RelayTransaction`); false if not in the mempool. */
  relayTransaction(txid: string): boolean {
    return this.peerman.relayTransaction(txid);
  }

  orphans(): { tx: Transaction; from: number[] }[] {
    return this.peerman.orphans();
  }

  ping(): void {
    this.peerman.sendPings();
  }

  setNetworkActive(active: boolean): boolean {
    this.connman.setNetworkActive(active);
    return this.connman.networkActive;
  }

  ban(subnet: string, until: number): boolean {
    const net = parseSubNet(subnet);
    if (net === null) throw new Error(`Invalid IP/Subnet: ${subnet}`);
    if (!this.banMan.ban(net, until)) return false;
    this.connman.disconnectSubnet(net);
    return true;
  }

  unban(subnet: string): boolean {
    const net = parseSubNet(subnet);
    if (net === null) throw new Error(`Invalid IP/Subnet: ${subnet}`);
    return this.banMan.unban(net);
  }

  listBanned(): BanInfo[] {
    return this.banMan.list();
  }

  clearBanned(): void {
    this.banMan.clear();
  }

  /**
   * Disconnects everyone and stops (the node's teardown): the block-relay-only peers are saved as anchors
   * first (Core dumps them only on a clean shutdown), and the address manager is flushed.
   */
  async close(): Promise<void> {
    if (this.#netDataDir !== undefined && this.settings.useAddrmanOutgoing) {
      await dumpAnchors(this.#netDataDir, this.#magic, this.connman.blockRelayOnlyAnchors(), this.#log).catch(
        (e) => this.#log(`Cannot write ${"anchors.dat"}: ${e instanceof Error ? e.message : e}`),
      );
    }
    this.peerman.close();
    await this.connman.close();
    await this.addrDb?.close();
  }
}

/** One of our own addresses (Core's `mapLocalHost` entry). */
interface LocalAddress {
  readonly addr: NetAddress;
  readonly score: number;
}

/** Core's `LOCAL_IF` and `LOCAL_MANUAL` scores. */
const LOCAL_IF = 1;
const LOCAL_MANUAL = 4;

/**
 * Core's `AddLocal` for `-externalip` (score LOCAL_MANUAL, even on unreachable networks) and, with
 * `-discover`, the routable addresses of our interfaces (LOCAL_IF, reachable networks only).
 */
function localAddresses(
  s: P2pSettings,
  netClass: { localRoutable: boolean },
  logger?: Logger,
): LocalAddress[] {
  const out: LocalAddress[] = [];
  const add = (addr: NetAddress, score: number, evenIfUnreachable: boolean) => {
    if (!isRoutable(addr, netClass)) return;
    if (!evenIfUnreachable && !s.reachable.has(addressNetwork(addr))) return;
    const same = out.findIndex((l) =>
      l.addr.net === addr.net && l.addr.port === addr.port &&
      l.addr.addr.every((b, i) => b === addr.addr[i])
    );
    if (same >= 0) {
      if (score >= out[same].score) out[same] = { addr, score: out[same].score + 1 };
      return;
    }
    out.push({ addr, score });
  };
  for (const e of s.externalIps) add(e, LOCAL_MANUAL, true);
  if (s.discover) {
    try {
      for (const i of Deno.networkInterfaces()) {
        const ip = parseIp(i.address);
        if (ip !== undefined) add({ ...ip, port: s.listenPort }, LOCAL_IF, false);
      }
    } catch (e) {
      logger?.debug("net", `Cannot list network interfaces: ${e instanceof Error ? e.message : e}`);
    }
  }
  return out;
}

/** Core's reachability of our address `ours` from a peer's network (`CNetAddr::GetReachabilityFrom`, simplified). */
function reachabilityFrom(ours: NetAddress, theirNet: NetworkId): number {
  const our = addressNetwork(ours);
  if (our === Network.IPV4) return 4;
  if (theirNet === our) return our === Network.IPV6 ? 5 : 6;
  if (theirNet === Network.UNROUTABLE && our === Network.IPV6) return 3;
  return 1;
}

/** Core's `GetLocalAddrForPeer`: our best address for `conn`'s network, logged when it is advertised. */
function localAddressFor(
  locals: readonly LocalAddress[],
  conn: { peer: { id: number }; addr: NetAddress | undefined; network: string },
  listen: boolean,
  netClass: { localRoutable: boolean },
  logger?: Logger,
): NetAddress | undefined {
  if (!listen) return undefined;
  const theirNet = conn.addr === undefined ? Network.UNROUTABLE : netClassOf(conn.addr, netClass);
  const privacy = (n: NetworkId) => n === Network.ONION || n === Network.I2P;
  let best: LocalAddress | undefined;
  let bestReach = -1;
  for (const l of locals) {
    const net = addressNetwork(l.addr);
    // Privacy: no privacy-network address to other networks, and no other address to privacy networks.
    if (net !== theirNet && (privacy(net) || privacy(theirNet))) continue;
    const reach = reachabilityFrom(l.addr, theirNet);
    if (reach > bestReach || (reach === bestReach && l.score > (best?.score ?? -1))) {
      best = l;
      bestReach = reach;
    }
  }
  if (best === undefined || !isRoutable(best.addr, netClass)) return undefined;
  const text = best.addr.net === 2 || best.addr.net === 6
    ? `[${formatAddr(best.addr)}]:${best.addr.port}`
    : `${formatAddr(best.addr)}:${best.addr.port}`;
  logger?.debug("net", `Advertising address ${text} to peer=${conn.peer.id}`);
  return best.addr;
}
