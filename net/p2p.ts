/**
 * The node's P2P side as one object: the settings read from the command line (Core's init.cpp rules for
 * `-listen`, `-bind`, `-whitebind`, `-port`, `-connect`, `-addnode`, `-maxconnections`, `-peertimeout`,
 * `-timeout`, `-whitelist`, `-blocksonly`), the connection manager, the peer manager and the ban manager wired
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
import { parseIp } from "./address.ts";

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

/** The running P2P side of a node. */
export class P2pNode implements NetControl {
  readonly connman: ConnectionManagerType;
  readonly peerman: PeerManager;
  readonly banMan: BanMan;
  readonly settings: P2pSettings;

  private constructor(
    settings: P2pSettings,
    connman: ConnectionManager,
    peerman: PeerManager,
    banMan: BanMan,
  ) {
    this.settings = settings;
    this.connman = connman;
    this.peerman = peerman;
    this.banMan = banMan;
  }

  /** Binds, starts connecting and attaches the message logic. Throws Core's bind errors. */
  static start(options: P2pNodeOptions): P2pNode {
    const s = options.settings;
    const banMan = new BanMan({
      now: options.now,
      path: options.netDataDir === undefined ? undefined : `${options.netDataDir}/banlist.json`,
      log: (m) => options.logger?.info(m),
    });
    const peerman = new PeerManager({
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
      });
    } catch (e) {
      peerman.close();
      throw e;
    }
    return new P2pNode(s, connman, peerman, banMan);
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
        syncedHeaders: sync.syncedHeaders,
        syncedBlocks: sync.syncedBlocks,
        inflight: sync.inflight,
        addrProcessed: sync.addrProcessed,
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

  /** Disconnects everyone and stops (the node's teardown). */
  async close(): Promise<void> {
    this.peerman.close();
    await this.connman.close();
  }
}
