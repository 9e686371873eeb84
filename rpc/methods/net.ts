/**
 * Network RPCs (Core's `src/rpc/net.cpp`). `getnetworkinfo` reports what the node knows of its own networking:
 * version strings, reachable networks, relay fees, local addresses and warnings. The connection fields
 * (`localservices`, `localrelay`, `timeoffset`, `networkactive`, `connections*`) appear only when the node runs a
 * connection manager, exactly as Core leaves them out when it has none.
 *
 * @module
 */
import { valueFromAmount } from "../json.ts";
import type { JsonValue } from "../json.ts";
import type { RpcMethod } from "../table.ts";
import { helpExampleCli, helpExampleRpc, type RpcResultSpec } from "../help.ts";
import { RpcError, RpcErrorCode } from "../errors.ts";
import { getBool, getInt, getStr } from "../values.ts";
import type { Transaction } from "../../core/wire/types.ts";
import {
  encodeTransaction,
  transactionTotalSize,
  transactionWeight,
  txid,
  wtxid,
} from "../../core/wire/transaction.ts";
import { reverseHex, toHex } from "../../core/hash/hashes.ts";

/** Core's network names (`GetNetworkNames`, without "internal"). */
export const NETWORK_NAMES = ["ipv4", "ipv6", "onion", "i2p", "cjdns"] as const;
/** One of {@link NETWORK_NAMES}. */
export type NetworkName = typeof NETWORK_NAMES[number];

/** The connection manager's part of `getnetworkinfo` (absent until the node runs P2P). */
export interface ConnectionInfo {
  /** Services we offer (`ServiceFlags`). */
  readonly localServices: bigint;
  /** Names of those services (Core's `GetServicesNames`). */
  readonly localServicesNames: readonly string[];
  /** Whether we ask peers to relay transactions (not -blocksonly). */
  readonly localRelay: boolean;
  /** Median time offset of outbound peers, seconds. */
  readonly timeOffset: number;
  /** `setnetworkactive` state. */
  readonly networkActive: boolean;
  /** Inbound connections. */
  readonly inbound: number;
  /** Outbound connections. */
  readonly outbound: number;
}

/** One connected peer as `getpeerinfo` reports it (times in seconds, pings in seconds, fees in sat/kvB). */
export interface PeerInfo {
  readonly id: number;
  readonly addr: string;
  readonly addrBind: string;
  readonly network: string;
  readonly services: bigint;
  readonly servicesNames: readonly string[];
  readonly relayTxes: boolean;
  readonly lastInvSequence: number;
  readonly invToSend: number;
  readonly lastSend: number;
  readonly lastRecv: number;
  readonly lastTransaction: number;
  readonly lastBlock: number;
  readonly bytesSent: number;
  readonly bytesRecv: number;
  readonly connTime: number;
  readonly timeOffset: number;
  readonly pingTime?: number;
  readonly minPing?: number;
  readonly pingWait?: number;
  readonly version: number;
  readonly subver: string;
  readonly inbound: boolean;
  readonly bip152HbTo: boolean;
  readonly bip152HbFrom: boolean;
  /** Height of a low-work headers presync with the peer (-1: none). */
  readonly presyncedHeaders?: number;
  readonly syncedHeaders: number;
  readonly syncedBlocks: number;
  readonly inflight: readonly number[];
  readonly addrProcessed: number;
  /** Whether we take part in address relay with the peer. */
  readonly addrRelayEnabled?: boolean;
  /** Addresses dropped by rate limiting. */
  readonly addrRateLimited?: number;
  readonly permissions: readonly string[];
  readonly minFeeFilter: bigint;
  readonly bytesSentPerMsg: Readonly<Record<string, number>>;
  readonly bytesRecvPerMsg: Readonly<Record<string, number>>;
  readonly connectionType: string;
}

/** One address of `getnodeaddresses`. */
export interface NodeAddressInfo {
  /** Last seen, seconds since the epoch. */
  readonly time: number;
  readonly services: bigint;
  /** The IP address as text. */
  readonly address: string;
  readonly port: number;
  /** Core's network name (`ipv4`, `ipv6`, …, `not_publicly_routable`). */
  readonly network: string;
}

/** One entry of `getrawaddrman`. */
export interface RawAddrmanEntry {
  readonly address: string;
  readonly port: number;
  readonly services: bigint;
  readonly time: number;
  readonly network: string;
  readonly source: string;
  readonly sourceNetwork: string;
}

/** A ban as `listbanned` reports it. */
export interface BanInfo {
  readonly address: string;
  readonly banCreated: number;
  readonly bannedUntil: number;
}

/** The P2P side of the node, as the network RPCs drive it (Core's `CConnman`, `PeerManager`, `BanMan`). */
export interface NetControl {
  /** getnetworkinfo's connection fields. */
  connectionInfo(): ConnectionInfo;
  /** Connected peers. */
  peers(): PeerInfo[];
  /** Bytes in and out since start. */
  totals(): { bytesRecv: number; bytesSent: number };
  /** `addnode`: "already" when adding one present, "missing" when removing one absent. */
  addNode(node: string, command: "add" | "remove" | "onetry"): Promise<"ok" | "already" | "missing">;
  /** `addconnection` (regtest): false when the slots of that type are taken. */
  addConnection(
    address: string,
    type: "outbound-full-relay" | "block-relay-only" | "addr-fetch" | "feeler",
  ): Promise<boolean>;
  /** Added nodes and the address each is connected at (getaddednodeinfo). */
  addedNodes(): { node: string; connected: { address: string; inbound: boolean } | null }[];
  /** Disconnects by `ip:port` or by id; false when no such peer. */
  disconnect(target: { address: string } | { id: number }): boolean;
  /** The orphan transactions and the peers that sent them (`getorphantxs`). */
  orphans(): { tx: Transaction; from: number[] }[];
  /** Asks every peer for a pong. */
  ping(): void;
  /** Enables or disables networking; returns the new state. */
  setNetworkActive(active: boolean): boolean;
  /** `-bantime`: seconds a `setban add` without a time lasts. */
  readonly defaultBanTime: number;
  /** `setban add`: false when already banned; throws `Error` for an invalid subnet. */
  ban(subnet: string, until: number): boolean;
  /** `setban remove`: false when not banned. */
  unban(subnet: string): boolean;
  /** Bans in force. */
  listBanned(): BanInfo[];
  /** Removes every ban. */
  clearBanned(): void;
  /**
   * `getnodeaddresses`: up to `count` (0: all) addresses; `RangeError("Network not recognized: …")` for an
   * unknown network name. Absent: the node has no address manager.
   */
  nodeAddresses?(count: number, network?: string): NodeAddressInfo[];
  /** `addpeeraddress`; `RangeError("Invalid IP address")` when `address` is not an IP literal. */
  addPeerAddress?(address: string, port: number, tried: boolean): { success: boolean; error?: string };
  /** `getaddrmaninfo`: counts per network and `all_networks`. */
  addrmanInfo?(): Record<string, { new: number; tried: number; total: number }>;
  /** Our own addresses (Core's `mapLocalHost`: `-externalip`, discovered ones) for getnetworkinfo. */
  localAddresses?(): { address: string; port: number; score: number }[];
  /** `sendmsgtopeer`: a raw message to peer `id`; false when there is no such peer. */
  sendMessageToPeer?(id: number, command: string, payload: Uint8Array): boolean;
  /** `getrawaddrman`: both tables keyed `bucket/position`. */
  rawAddrman?(): Record<"new" | "tried", Record<string, RawAddrmanEntry>>;
}

/** What the network methods need from the node. */
export interface NetMethodsOptions {
  /** Numeric client version (Core's `CLIENT_VERSION`, e.g. 100 for 0.1.0). */
  readonly clientVersion: number;
  /** The user agent (`/tsbtc:0.1.0(comment)/`). */
  readonly subversion: string;
  /** P2P protocol version. */
  readonly protocolVersion: number;
  /** Whether a network is reachable (Core's `g_reachable_nets`: -onlynet, and onion/i2p/cjdns need setup). */
  readonly reachable: (net: NetworkName) => boolean;
  /** -minrelaytxfee and -incrementalrelayfee in sat/kvB. */
  readonly relayFees: () => { minRelay: bigint; incremental: bigint } | null;
  /** The connection manager's figures, or null when the node runs none. */
  readonly connections?: () => ConnectionInfo | null;
  /** The P2P side of the node (null or absent: the connection RPCs fail with Core's P2P-disabled error). */
  readonly p2p?: () => NetControl | null;
  /** The chain (`addconnection` is regtest only). */
  readonly network?: string;
  /** The node's clock in seconds (for ban times; default the system clock). */
  readonly now?: () => number;
  /** Node warnings. */
  readonly warnings?: () => string[];
}

/** Core's numeric `CLIENT_VERSION` of a "major.minor.build" version string (10000 × major + 100 × minor + build). */
export function clientVersionNumber(version: string): number {
  const [major, minor, build] = version.split(".").map((x) => Number.parseInt(x, 10) || 0);
  return 10_000 * major + 100 * (minor ?? 0) + (build ?? 0);
}

/**
 * Core's `GetNetworksInfo`: every network, "limited" when not reachable (-onlynet, or onion/i2p/cjdns without
 * their proxy or flag; tsbtc has no proxies).
 */
export function networksInfo(options: Pick<NetMethodsOptions, "reachable">): JsonValue[] {
  return NETWORK_NAMES.map((name) => ({
    name,
    limited: !options.reachable(name),
    reachable: options.reachable(name),
    proxy: "",
    proxy_randomize_credentials: false,
  }));
}

/** The network methods, ready for `RpcTable.registerAll`. */
export function netMethods(options: NetMethodsOptions): RpcMethod[] {
  const getnetworkinfo: RpcMethod = {
    name: "getnetworkinfo",
    category: "network",
    description: "Returns an object containing various state info regarding P2P networking.\n",
    args: [],
    results: [{
      type: "obj",
      description: "",
      inner: [
        { type: "num", key: "version", description: "the server version" },
        { type: "str", key: "subversion", description: "the server subversion string" },
        { type: "num", key: "protocolversion", description: "the protocol version" },
        { type: "str_hex", key: "localservices", description: "the services we offer to the network" },
        {
          type: "arr",
          key: "localservicesnames",
          description: "the services we offer to the network, in human-readable form",
          inner: [{ type: "str", key: "SERVICE_NAME", description: "the service name" }],
        },
        { type: "bool", key: "localrelay", description: "true if transaction relay is requested from peers" },
        { type: "num", key: "timeoffset", description: "the time offset" },
        { type: "num", key: "connections", description: "the total number of connections" },
        { type: "num", key: "connections_in", description: "the number of inbound connections" },
        { type: "num", key: "connections_out", description: "the number of outbound connections" },
        { type: "bool", key: "networkactive", description: "whether p2p networking is enabled" },
        {
          type: "arr",
          key: "networks",
          description: "information per network",
          inner: [{
            type: "obj",
            description: "",
            inner: [
              { type: "str", key: "name", description: `network (${NETWORK_NAMES.join(", ")})` },
              { type: "bool", key: "limited", description: "is the network limited using -onlynet?" },
              { type: "bool", key: "reachable", description: "is the network reachable?" },
              {
                type: "str",
                key: "proxy",
                description: '("host:port") the proxy that is used for this network, or empty if none',
              },
              {
                type: "bool",
                key: "proxy_randomize_credentials",
                description: "Whether randomized credentials are used",
              },
            ],
          }],
        },
        {
          type: "num",
          key: "relayfee",
          description: "minimum relay fee rate for transactions in BTC/kvB",
        },
        {
          type: "num",
          key: "incrementalfee",
          description: "minimum fee rate increment for mempool limiting or replacement in BTC/kvB",
        },
        {
          type: "arr",
          key: "localaddresses",
          description: "list of local addresses",
          inner: [{
            type: "obj",
            description: "",
            inner: [
              { type: "str", key: "address", description: "network address" },
              { type: "num", key: "port", description: "network port" },
              { type: "num", key: "score", description: "relative score" },
            ],
          }],
        },
        {
          type: "arr",
          key: "warnings",
          description:
            "any network and blockchain warnings (run with `-deprecatedrpc=warnings` to return the latest warning as a single string)",
          inner: [{ type: "str", description: "warning" }],
        },
      ],
    }],
    examples: helpExampleCli("getnetworkinfo", "") + helpExampleRpc("getnetworkinfo", ""),
    handler: () => {
      const out: Record<string, JsonValue> = {
        version: options.clientVersion,
        subversion: options.subversion,
        protocolversion: options.protocolVersion,
      };
      const conn = options.connections?.() ?? options.p2p?.()?.connectionInfo() ?? null;
      if (conn !== null) {
        out.localservices = conn.localServices.toString(16).padStart(16, "0");
        out.localservicesnames = [...conn.localServicesNames];
        out.localrelay = conn.localRelay;
        out.timeoffset = conn.timeOffset;
        out.networkactive = conn.networkActive;
        out.connections = conn.inbound + conn.outbound;
        out.connections_in = conn.inbound;
        out.connections_out = conn.outbound;
      }
      out.networks = networksInfo(options);
      const fees = options.relayFees();
      if (fees !== null) {
        out.relayfee = valueFromAmount(fees.minRelay);
        out.incrementalfee = valueFromAmount(fees.incremental);
      }
      out.localaddresses = (options.p2p?.()?.localAddresses?.() ?? []).map((l) => ({
        address: l.address,
        port: l.port,
        score: l.score,
      }));
      out.warnings = options.warnings?.() ?? [];
      return out;
    },
  };
  return [getnetworkinfo, ...p2pMethods(options)];
}

const P2P_DISABLED = "Error: Peer-to-peer functionality missing or disabled";
const ADDRMAN_DISABLED = "Error: Address manager functionality missing or disabled";

function peerJson(p: PeerInfo): JsonValue {
  const out: Record<string, JsonValue> = {
    id: p.id,
    addr: p.addr,
  };
  if (p.addrBind !== "") out.addrbind = p.addrBind;
  out.network = p.network;
  out.services = p.services.toString(16).padStart(16, "0");
  out.servicesnames = [...p.servicesNames];
  out.relaytxes = p.relayTxes;
  out.last_inv_sequence = p.lastInvSequence;
  out.inv_to_send = p.invToSend;
  out.lastsend = p.lastSend;
  out.lastrecv = p.lastRecv;
  out.last_transaction = p.lastTransaction;
  out.last_block = p.lastBlock;
  out.bytessent = p.bytesSent;
  out.bytesrecv = p.bytesRecv;
  out.conntime = p.connTime;
  out.timeoffset = p.timeOffset;
  if (p.pingTime !== undefined) out.pingtime = p.pingTime;
  if (p.minPing !== undefined) out.minping = p.minPing;
  if (p.pingWait !== undefined && p.pingWait > 0) out.pingwait = p.pingWait;
  out.version = p.version;
  out.subver = p.subver;
  out.inbound = p.inbound;
  out.bip152_hb_to = p.bip152HbTo;
  out.bip152_hb_from = p.bip152HbFrom;
  out.presynced_headers = p.presyncedHeaders ?? -1;
  out.synced_headers = p.syncedHeaders;
  out.synced_blocks = p.syncedBlocks;
  out.inflight = [...p.inflight];
  out.addr_relay_enabled = p.addrRelayEnabled ?? false;
  out.addr_processed = p.addrProcessed;
  out.addr_rate_limited = p.addrRateLimited ?? 0;
  out.permissions = [...p.permissions];
  out.minfeefilter = valueFromAmount(p.minFeeFilter);
  const nonZero = (m: Readonly<Record<string, number>>) =>
    Object.fromEntries(Object.entries(m).filter(([, v]) => v > 0));
  out.bytessent_per_msg = nonZero(p.bytesSentPerMsg);
  out.bytesrecv_per_msg = nonZero(p.bytesRecvPerMsg);
  out.connection_type = p.connectionType;
  out.transport_protocol_type = "v1";
  out.session_id = "";
  return out;
}

/** The connection RPCs (Core's `getconnectioncount`, `ping`, `getpeerinfo`, `addnode`, …). */
function p2pMethods(options: NetMethodsOptions): RpcMethod[] {
  const p2p = (): NetControl => {
    const c = options.p2p?.() ?? null;
    if (c === null) throw new RpcError(RpcErrorCode.RPC_CLIENT_P2P_DISABLED, P2P_DISABLED);
    return c;
  };
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const str = (key: string, description: string): RpcResultSpec => ({ type: "str", key, description });
  const num = (key: string, description: string): RpcResultSpec => ({ type: "num", key, description });
  const bool = (key: string, description: string): RpcResultSpec => ({ type: "bool", key, description });
  return [
    {
      name: "getconnectioncount",
      category: "network",
      description: "Returns the number of connections to other nodes.\n",
      args: [],
      results: [{ type: "num", description: "The connection count" }],
      examples: helpExampleCli("getconnectioncount", "") + helpExampleRpc("getconnectioncount", ""),
      handler: () => {
        const c = p2p().connectionInfo();
        return c.inbound + c.outbound;
      },
    },
    {
      name: "ping",
      category: "network",
      description: "Requests that a ping be sent to all other nodes, to measure ping time.\n" +
        "Results are provided in getpeerinfo.\n" +
        "Ping command is handled in queue with all other commands, so it measures processing backlog, not just network ping.\n",
      args: [],
      results: [{ type: "none", description: "" }],
      examples: helpExampleCli("ping", "") + helpExampleRpc("ping", ""),
      handler: () => {
        p2p().ping();
        return null;
      },
    },
    {
      name: "getpeerinfo",
      category: "network",
      description: "Returns data about each connected network peer as a json array of objects.",
      args: [],
      results: [{
        type: "arr",
        description: "",
        inner: [{
          type: "obj",
          description: "",
          inner: [
            num("id", "Peer index"),
            str("addr", "(host:port) The IP address/hostname optionally followed by :port of the peer"),
            { ...str("addrbind", "(ip:port) Bind address of the connection to the peer"), optional: true },
            str("network", "Network (ipv4, ipv6, onion, i2p, cjdns, not_publicly_routable)"),
            { type: "str_hex", key: "services", description: "The services offered" },
            {
              type: "arr",
              key: "servicesnames",
              description: "the services offered, in human-readable form",
              inner: [{
                type: "str",
                key: "SERVICE_NAME",
                description: "the service name if it is recognised",
              }],
            },
            bool("relaytxes", "Whether we relay transactions to this peer"),
            num("last_inv_sequence", "Mempool sequence number of this peer's last INV"),
            num("inv_to_send", "How many txs we have queued to announce to this peer"),
            { type: "num_time", key: "lastsend", description: "The UNIX epoch time of the last send" },
            { type: "num_time", key: "lastrecv", description: "The UNIX epoch time of the last receive" },
            {
              type: "num_time",
              key: "last_transaction",
              description: "The UNIX epoch time of the last valid transaction received from this peer",
            },
            {
              type: "num_time",
              key: "last_block",
              description: "The UNIX epoch time of the last block received from this peer",
            },
            num("bytessent", "The total bytes sent"),
            num("bytesrecv", "The total bytes received"),
            { type: "num_time", key: "conntime", description: "The UNIX epoch time of the connection" },
            num("timeoffset", "The time offset in seconds"),
            { ...num("pingtime", "The last ping time in seconds, if any"), optional: true },
            { ...num("minping", "The minimum observed ping time in seconds, if any"), optional: true },
            {
              ...num("pingwait", "The duration in seconds of an outstanding ping (if non-zero)"),
              optional: true,
            },
            num("version", "The peer version, such as 70001"),
            str("subver", "The string version"),
            bool("inbound", "Inbound (true) or Outbound (false)"),
            bool("bip152_hb_to", "Whether we selected peer as (compact blocks) high-bandwidth peer"),
            bool("bip152_hb_from", "Whether peer selected us as (compact blocks) high-bandwidth peer"),
            num(
              "presynced_headers",
              "The current height of header pre-synchronization with this peer, or -1 if no low-work sync is in progress",
            ),
            num("synced_headers", "The last header we have in common with this peer"),
            num("synced_blocks", "The last block we have in common with this peer"),
            {
              type: "arr",
              key: "inflight",
              description: "",
              inner: [{
                type: "num",
                key: "n",
                description: "The heights of blocks we're currently asking from this peer",
              }],
            },
            bool("addr_relay_enabled", "Whether we participate in address relay with this peer"),
            num(
              "addr_processed",
              "The total number of addresses processed, excluding those dropped due to rate limiting",
            ),
            num("addr_rate_limited", "The total number of addresses dropped due to rate-limiting"),
            {
              type: "arr",
              key: "permissions",
              description: "Any special permissions that have been granted to this peer",
              inner: [{ type: "str", key: "permission_type", description: "" }],
            },
            {
              type: "str_amount",
              key: "minfeefilter",
              description: "The minimum fee rate for transactions this peer accepts",
            },
            {
              type: "obj_dyn",
              key: "bytessent_per_msg",
              description: "",
              inner: [
                num(
                  "msg",
                  "The total bytes sent aggregated by message type\nWhen a message type is not listed in this json object, the bytes sent are 0.\nOnly known message types can appear as keys in the object.",
                ),
              ],
            },
            {
              type: "obj_dyn",
              key: "bytesrecv_per_msg",
              description: "",
              inner: [
                num(
                  "msg",
                  "The total bytes received aggregated by message type\nWhen a message type is not listed in this json object, the bytes received are 0.\nOnly known message types can appear as keys in the object and all bytes received\nof unknown message types are listed under '*other*'.",
                ),
              ],
            },
            str(
              "connection_type",
              "Type of connection: \noutbound-full-relay (default automatic connections),\nblock-relay-only (does not relay transactions or addresses),\ninbound (initiated by the peer),\nmanual (added via addnode RPC or -addnode/-connect configuration options),\naddr-fetch (short-lived automatic connection for soliciting addresses),\nfeeler (short-lived automatic connection for testing addresses).\nPlease note this output is unlikely to be stable in upcoming releases as we iterate to\nbest capture connection behaviors.",
            ),
            str(
              "transport_protocol_type",
              "Type of transport protocol: \ndetecting (peer could be v1 or v2),\nv1 (plaintext transport protocol),\nv2 (BIP324 encrypted transport protocol).\n",
            ),
            str(
              "session_id",
              'The session ID for this connection, or "" if there is none ("v2" transport protocol only).\n',
            ),
          ],
        }],
      }],
      examples: helpExampleCli("getpeerinfo", "") + helpExampleRpc("getpeerinfo", ""),
      handler: () => p2p().peers().map(peerJson),
    },
    {
      name: "addnode",
      category: "network",
      description: "Attempts to add or remove a node from the addnode list.\n" +
        "Or try a connection to a node once.\n" +
        "Nodes added using addnode (or -connect) are protected from DoS disconnection and are not required to be\n" +
        "full nodes/support SegWit as other outbound peers are (though such peers will not be synced from).\n" +
        "Addnode connections are limited to 8 at a time and are counted separately from the -maxconnections limit.\n",
      args: [
        {
          names: "node",
          type: "str",
          description: "The IP address/hostname optionally followed by :port of the peer to connect to",
        },
        {
          names: "command",
          type: "str",
          description:
            "'add' to add a node to the list, 'remove' to remove a node from the list, 'onetry' to try a connection to the node once",
        },
        {
          names: "v2transport",
          type: "bool",
          fallback: { hint: "set by -v2transport" },
          description: "Attempt to connect using BIP324 v2 transport protocol (ignored for 'remove' command)",
        },
      ],
      results: [{ type: "none", description: "" }],
      examples: helpExampleCli("addnode", '"192.168.0.6:8333" "onetry" true') +
        helpExampleRpc("addnode", '"192.168.0.6:8333", "onetry" true'),
      handler: async (params, ctx) => {
        const command = getStr(params[1]);
        if (command !== "onetry" && command !== "add" && command !== "remove") {
          throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, ctx.table.help("addnode"));
        }
        const node = getStr(params[0]);
        const c = p2p();
        if (params[2] !== undefined && params[2] !== null && getBool(params[2])) {
          throw new RpcError(
            RpcErrorCode.RPC_INVALID_PARAMETER,
            "Error: v2transport requested but not enabled (see -v2transport)",
          );
        }
        const r = await c.addNode(node, command);
        if (r === "already") {
          throw new RpcError(RpcErrorCode.RPC_CLIENT_NODE_ALREADY_ADDED, "Error: Node already added");
        }
        if (r === "missing") {
          throw new RpcError(
            RpcErrorCode.RPC_CLIENT_NODE_NOT_ADDED,
            "Error: Node could not be removed. It has not been added previously.",
          );
        }
        return null;
      },
    },
    {
      name: "disconnectnode",
      category: "network",
      description: "Immediately disconnects from the specified peer node.\n" +
        "\nStrictly one out of 'address' and 'nodeid' can be provided to identify the node.\n" +
        "\nTo disconnect by nodeid, either set 'address' to the empty string, or call using the named 'nodeid' argument only.\n",
      args: [
        {
          names: "address",
          type: "str",
          fallback: { hint: "fallback to nodeid" },
          description: "The IP address/port of the node",
        },
        {
          names: "nodeid",
          type: "num",
          fallback: { hint: "fallback to address" },
          description: "The node ID (see getpeerinfo for node IDs)",
        },
      ],
      results: [{ type: "none", description: "" }],
      examples: helpExampleCli("disconnectnode", '"192.168.0.6:8333"') +
        helpExampleCli("disconnectnode", '"" 1') +
        helpExampleRpc("disconnectnode", '"192.168.0.6:8333"') +
        helpExampleRpc("disconnectnode", '"", 1'),
      handler: (params) => {
        const c = p2p();
        const address = params[0] === undefined || params[0] === null ? undefined : getStr(params[0]);
        const id = params[1] === undefined || params[1] === null
          ? undefined
          : getInt(params[1], Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
        let ok: boolean;
        if (address !== undefined && id === undefined) ok = c.disconnect({ address });
        else if (id !== undefined && (address === undefined || address === "")) ok = c.disconnect({ id });
        else {throw new RpcError(
            RpcErrorCode.RPC_INVALID_PARAMS,
            "Only one of address and nodeid should be provided.",
          );}
        if (!ok) {
          throw new RpcError(RpcErrorCode.RPC_CLIENT_NODE_NOT_CONNECTED, "Node not found in connected nodes");
        }
        return null;
      },
    },
    {
      name: "getaddednodeinfo",
      category: "network",
      description: "Returns information about the given added node, or all added nodes\n" +
        "(note that onetry addnodes are not listed here)\n",
      args: [{
        names: "node",
        type: "str",
        fallback: { hint: "all nodes" },
        description:
          "If provided, return information about this specific node, otherwise all nodes are returned.",
      }],
      results: [{
        type: "arr",
        description: "",
        inner: [{
          type: "obj",
          description: "",
          inner: [
            str("addednode", "The node IP address or name (as provided to addnode)"),
            bool("connected", "If connected"),
            {
              type: "arr",
              key: "addresses",
              description: "Only when connected = true",
              inner: [{
                type: "obj",
                description: "",
                inner: [
                  str("address", "The bitcoin server IP and port we're connected to"),
                  str("connected", "connection, inbound or outbound"),
                ],
              }],
            },
          ],
        }],
      }],
      examples: helpExampleCli("getaddednodeinfo", '"192.168.0.201"') +
        helpExampleRpc("getaddednodeinfo", '"192.168.0.201"'),
      handler: (params) => {
        let list = p2p().addedNodes();
        if (params[0] !== undefined && params[0] !== null) {
          const node = getStr(params[0]);
          list = list.filter((n) => n.node === node);
          if (list.length === 0) {
            throw new RpcError(RpcErrorCode.RPC_CLIENT_NODE_NOT_ADDED, "Error: Node has not been added.");
          }
        }
        return list.map((n) => ({
          addednode: n.node,
          connected: n.connected !== null,
          addresses: n.connected === null
            ? []
            : [{ address: n.connected.address, connected: n.connected.inbound ? "inbound" : "outbound" }],
        }));
      },
    },
    {
      name: "getnettotals",
      category: "network",
      description: "Returns information about network traffic, including bytes in, bytes out,\n" +
        "and current system time.",
      args: [],
      results: [{
        type: "obj",
        description: "",
        inner: [
          num("totalbytesrecv", "Total bytes received"),
          num("totalbytessent", "Total bytes sent"),
          {
            type: "num_time",
            key: "timemillis",
            description: "Current system UNIX epoch time in milliseconds",
          },
          {
            type: "obj",
            key: "uploadtarget",
            description: "",
            inner: [
              num("timeframe", "Length of the measuring timeframe in seconds"),
              num("target", "Target in bytes"),
              bool("target_reached", "True if target is reached"),
              bool("serve_historical_blocks", "True if serving historical blocks"),
              num("bytes_left_in_cycle", "Bytes left in current time cycle"),
              num("time_left_in_cycle", "Seconds left in current time cycle"),
            ],
          },
        ],
      }],
      examples: helpExampleCli("getnettotals", "") + helpExampleRpc("getnettotals", ""),
      handler: () => {
        const t = p2p().totals();
        return {
          totalbytesrecv: t.bytesRecv,
          totalbytessent: t.bytesSent,
          timemillis: Date.now(),
          uploadtarget: {
            timeframe: 86400,
            target: 0,
            target_reached: false,
            serve_historical_blocks: true,
            bytes_left_in_cycle: 0,
            time_left_in_cycle: 0,
          },
        };
      },
    },
    {
      name: "setnetworkactive",
      category: "network",
      description: "Disable/enable all p2p network activity.\n",
      args: [{ names: "state", type: "bool", description: "true to enable networking, false to disable" }],
      results: [{ type: "bool", description: "The value that was passed in" }],
      examples: "",
      handler: (params) => p2p().setNetworkActive(getBool(params[0])),
    },
    {
      name: "setban",
      category: "network",
      description: "Attempts to add or remove an IP/Subnet from the banned list.\n",
      args: [
        {
          names: "subnet",
          type: "str",
          description:
            "The IP/Subnet (see getpeerinfo for nodes IP) with an optional netmask (default is /32 = single IP)",
        },
        {
          names: "command",
          type: "str",
          description: "'add' to add an IP/Subnet to the list, 'remove' to remove an IP/Subnet from the list",
        },
        {
          names: "bantime",
          type: "num",
          fallback: { default: 0 },
          description:
            "time in seconds how long (or until when if [absolute] is set) the IP is banned (0 or empty means using the default time of 24h which can also be overwritten by the -bantime startup argument)",
        },
        {
          names: "absolute",
          type: "bool",
          fallback: { default: false },
          description: "If set, the bantime must be an absolute timestamp expressed in UNIX epoch time",
        },
      ],
      results: [{ type: "none", description: "" }],
      examples: helpExampleCli("setban", '"192.168.0.6" "add" 86400') +
        helpExampleCli("setban", '"192.168.0.0/24" "add"') +
        helpExampleRpc("setban", '"192.168.0.6", "add", 86400'),
      handler: (params, ctx) => {
        const command = getStr(params[1]);
        if (command !== "add" && command !== "remove") {
          throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, ctx.table.help("setban"));
        }
        const c = p2p();
        const subnet = getStr(params[0]);
        if (command === "add") {
          let banTime = params[2] === undefined || params[2] === null
            ? 0
            : getInt(params[2], -(2 ** 53), 2 ** 53);
          const absolute = params[3] === undefined || params[3] === null ? false : getBool(params[3]);
          const t = now();
          if (absolute && banTime < t) {
            throw new RpcError(
              RpcErrorCode.RPC_INVALID_PARAMETER,
              "Error: Absolute timestamp is in the past",
            );
          }
          if (banTime <= 0 && !absolute) banTime = c.defaultBanTime;
          let ok: boolean;
          try {
            ok = c.ban(subnet, absolute ? banTime : t + banTime);
          } catch {
            throw new RpcError(RpcErrorCode.RPC_CLIENT_INVALID_IP_OR_SUBNET, "Error: Invalid IP/Subnet");
          }
          if (!ok) {
            throw new RpcError(RpcErrorCode.RPC_CLIENT_NODE_ALREADY_ADDED, "Error: IP/Subnet already banned");
          }
          return null;
        }
        let removed: boolean;
        try {
          removed = c.unban(subnet);
        } catch {
          throw new RpcError(RpcErrorCode.RPC_CLIENT_INVALID_IP_OR_SUBNET, "Error: Invalid IP/Subnet");
        }
        if (!removed) {
          throw new RpcError(
            RpcErrorCode.RPC_CLIENT_INVALID_IP_OR_SUBNET,
            "Error: Unban failed. Requested address/subnet was not previously manually banned.",
          );
        }
        return null;
      },
    },
    {
      name: "listbanned",
      category: "network",
      description: "List all manually banned IPs/Subnets.\n",
      args: [],
      results: [{
        type: "arr",
        description: "",
        inner: [{
          type: "obj",
          description: "",
          inner: [
            str("address", "The IP/Subnet of the banned node"),
            { type: "num_time", key: "ban_created", description: "The UNIX epoch time the ban was created" },
            { type: "num_time", key: "banned_until", description: "The UNIX epoch time the ban expires" },
            num("ban_duration", "The ban duration, in seconds"),
            num("time_remaining", "The time remaining until the ban expires, in seconds"),
          ],
        }],
      }],
      examples: helpExampleCli("listbanned", "") + helpExampleRpc("listbanned", ""),
      handler: () => {
        const t = now();
        return p2p().listBanned().map((b) => ({
          address: b.address,
          ban_created: b.banCreated,
          banned_until: b.bannedUntil,
          ban_duration: b.bannedUntil - b.banCreated,
          time_remaining: Math.max(0, b.bannedUntil - t),
        }));
      },
    },
    {
      name: "addconnection",
      category: "hidden",
      description: "Open an outbound connection to a specified node. This RPC is for testing only.\n",
      args: [
        { names: "address", type: "str", description: "The IP address and port to attempt connecting to." },
        {
          names: "connection_type",
          type: "str",
          description:
            'Type of connection to open ("outbound-full-relay", "block-relay-only", "addr-fetch" or "feeler").',
        },
        {
          names: "v2transport",
          type: "bool",
          description: "Attempt to connect using BIP324 v2 transport protocol",
        },
      ],
      results: [{
        type: "obj",
        description: "",
        inner: [
          str("address", "Address of newly added connection."),
          str("connection_type", "Type of connection opened."),
        ],
      }],
      examples: helpExampleCli("addconnection", '"192.168.0.6:8333" "outbound-full-relay" true') +
        helpExampleRpc("addconnection", '"192.168.0.6:8333" "outbound-full-relay" true'),
      handler: async (params, ctx) => {
        if (options.network !== undefined && options.network !== "regtest") {
          throw new Error("addconnection is for regression testing (-regtest mode) only.");
        }
        const address = getStr(params[0]);
        const type = getStr(params[1]).trim();
        if (
          type !== "outbound-full-relay" && type !== "block-relay-only" && type !== "addr-fetch" &&
          type !== "feeler"
        ) {
          throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, ctx.table.help("addconnection"));
        }
        const c = p2p();
        if (getBool(params[2])) {
          throw new RpcError(
            RpcErrorCode.RPC_INVALID_PARAMETER,
            "Error: Adding v2transport connections requires -v2transport init flag to be set.",
          );
        }
        if (!(await c.addConnection(address, type))) {
          throw new RpcError(
            RpcErrorCode.RPC_CLIENT_NODE_CAPACITY_REACHED,
            "Error: Already at capacity for specified connection type.",
          );
        }
        return { address, connection_type: type };
      },
    },
    {
      name: "getnodeaddresses",
      category: "network",
      description: "Return known addresses, after filtering for quality and recency.\n" +
        "These can potentially be used to find new peers in the network.\n" +
        "The total number of addresses known to the node may be higher.\n",
      args: [
        {
          names: "count",
          type: "num",
          fallback: { default: 1 },
          description: "The maximum number of addresses to return. Specify 0 to return all known addresses.",
        },
        {
          names: "network",
          type: "str",
          fallback: { hint: "all networks" },
          description: `Return only addresses of the specified network. Can be one of: ${
            NETWORK_NAMES.join(", ")
          }.`,
        },
      ],
      results: [{
        type: "arr",
        description: "",
        inner: [{
          type: "obj",
          description: "",
          inner: [
            { type: "num", key: "time", description: "The UNIX epoch time when the node was last seen" },
            num("services", "The services offered by the node"),
            str("address", "The address of the node"),
            num("port", "The port number of the node"),
            str("network", `The network (${NETWORK_NAMES.join(", ")}) the node connected through`),
          ],
        }],
      }],
      examples: helpExampleCli("getnodeaddresses", "8") + helpExampleCli("getnodeaddresses", '4 "i2p"') +
        helpExampleCli("-named getnodeaddresses", "network=onion count=12") +
        helpExampleRpc("getnodeaddresses", "8") + helpExampleRpc("getnodeaddresses", '4, "i2p"'),
      handler: (params) => {
        const c = p2p();
        const count = params[0] === undefined || params[0] === null ? 1 : getInt(params[0]);
        if (count < 0) throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Address count out of range");
        const network = params[1] === undefined || params[1] === null ? undefined : getStr(params[1]);
        if (c.nodeAddresses === undefined) {
          throw new RpcError(RpcErrorCode.RPC_CLIENT_P2P_DISABLED, ADDRMAN_DISABLED);
        }
        let list: NodeAddressInfo[];
        try {
          list = c.nodeAddresses(count, network);
        } catch (e) {
          if (e instanceof RangeError) throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, e.message);
          throw e;
        }
        return list.map((a) => ({
          time: a.time,
          services: Number(a.services),
          address: a.address,
          port: a.port,
          network: a.network,
        }));
      },
    },
    {
      name: "addpeeraddress",
      category: "hidden",
      description:
        "Add the address of a potential peer to an address manager table. This RPC is for testing only.\n",
      args: [
        { names: "address", type: "str", description: "The IP address of the peer" },
        { names: "port", type: "num", description: "The port of the peer" },
        {
          names: "tried",
          type: "bool",
          fallback: { default: false },
          description: "If true, attempt to add the peer to the tried addresses table",
        },
      ],
      results: [{
        type: "obj",
        description: "",
        inner: [
          bool("success", "whether the peer address was successfully added to the address manager table"),
          { ...str("error", "error description, if the address could not be added"), optional: true },
        ],
      }],
      examples: helpExampleCli("addpeeraddress", '"1.2.3.4" 8333 true') +
        helpExampleRpc("addpeeraddress", '"1.2.3.4", 8333, true'),
      handler: (params) => {
        const c = options.p2p?.() ?? null;
        if (c === null || c.addPeerAddress === undefined) {
          throw new RpcError(RpcErrorCode.RPC_CLIENT_P2P_DISABLED, ADDRMAN_DISABLED);
        }
        const address = getStr(params[0]);
        const port = getInt(params[1], 0, 65535);
        const tried = params[2] === undefined || params[2] === null ? false : getBool(params[2]);
        let r: { success: boolean; error?: string };
        try {
          r = c.addPeerAddress(address, port, tried);
        } catch (e) {
          if (e instanceof RangeError) {
            throw new RpcError(RpcErrorCode.RPC_CLIENT_INVALID_IP_OR_SUBNET, "Invalid IP address");
          }
          throw e;
        }
        const out: Record<string, JsonValue> = {};
        if (r.error !== undefined) out.error = r.error;
        out.success = r.success;
        return out;
      },
    },
    {
      name: "getaddrmaninfo",
      category: "network",
      description: "Provides information about the node's address manager by returning the number of " +
        "addresses in the `new` and `tried` tables and their sum for all networks.\n",
      args: [],
      results: [{
        type: "obj_dyn",
        description: "json object with network type as keys",
        inner: [{
          type: "obj",
          key: "network",
          description: `the network (${NETWORK_NAMES.join(", ")}, all_networks)`,
          inner: [
            num(
              "new",
              "number of addresses in the new table, which represent potential peers the node has discovered but hasn't yet successfully connected to.",
            ),
            num(
              "tried",
              "number of addresses in the tried table, which represent peers the node has successfully connected to in the past.",
            ),
            num("total", "total number of addresses in both new/tried tables"),
          ],
        }],
      }],
      examples: helpExampleCli("getaddrmaninfo", "") + helpExampleRpc("getaddrmaninfo", ""),
      handler: () => {
        const c = options.p2p?.() ?? null;
        if (c === null || c.addrmanInfo === undefined) {
          throw new RpcError(RpcErrorCode.RPC_CLIENT_P2P_DISABLED, ADDRMAN_DISABLED);
        }
        return c.addrmanInfo();
      },
    },
    {
      name: "getrawaddrman",
      category: "hidden",
      description: "EXPERIMENTAL warning: this call may be changed in future releases.\n" +
        "\nReturns information on all address manager entries for the new and tried tables.\n",
      args: [],
      results: [{
        type: "obj_dyn",
        description: "",
        inner: [{
          type: "obj_dyn",
          key: "table",
          description: "buckets with addresses in the address manager table ( new, tried )",
          inner: [{
            type: "obj",
            key: "bucket/position",
            description: "the location in the address manager table (<bucket>/<position>)",
            inner: [
              str("address", "The address of the node"),
              num("port", "The port number of the node"),
              str("network", `The network (${NETWORK_NAMES.join(", ")}) of the address`),
              num("services", "The services offered by the node"),
              { type: "num", key: "time", description: "The UNIX epoch time when the node was last seen" },
              str("source", "The address that relayed the address to us"),
              str("source_network", `The network (${NETWORK_NAMES.join(", ")}) of the source address`),
            ],
          }],
        }],
      }],
      examples: helpExampleCli("getrawaddrman", "") + helpExampleRpc("getrawaddrman", ""),
      handler: () => {
        const c = options.p2p?.() ?? null;
        if (c === null || c.rawAddrman === undefined) {
          throw new RpcError(RpcErrorCode.RPC_CLIENT_P2P_DISABLED, ADDRMAN_DISABLED);
        }
        const raw = c.rawAddrman();
        const table = (t: Record<string, RawAddrmanEntry>) =>
          Object.fromEntries(
            Object.entries(t).map(([k, e]) => [k, {
              address: e.address,
              port: e.port,
              services: Number(e.services),
              time: e.time,
              network: e.network,
              source: e.source,
              source_network: e.sourceNetwork,
            }]),
          );
        return { new: table(raw.new), tried: table(raw.tried) };
      },
    },
    {
      name: "sendmsgtopeer",
      category: "hidden",
      description: "Send a p2p message to a peer specified by id.\n" +
        "The message type and body must be provided, the message header will be generated.\n" +
        "This RPC is for testing only.\n",
      args: [
        { names: "peer_id", type: "num", description: "The peer to send the message to." },
        { names: "msg_type", type: "str", description: "The message type (maximum length 12)" },
        {
          names: "msg",
          type: "str",
          description: "The serialized message body to send, in hex, without a message header",
        },
      ],
      results: [{ type: "obj", description: "", inner: [] }],
      examples: helpExampleCli("sendmsgtopeer", '0 "addr" "ffffff"') +
        helpExampleRpc("sendmsgtopeer", '0 "addr" "ffffff"'),
      handler: (params) => {
        const id = getInt(params[0], Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
        const type = getStr(params[1]);
        if (new TextEncoder().encode(type).length > 12) {
          throw new RpcError(
            RpcErrorCode.RPC_INVALID_PARAMETER,
            "Error: msg_type too long, max length is 12",
          );
        }
        const hex = getStr(params[2]);
        if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
          throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Error parsing input for msg");
        }
        const c = p2p();
        const payload = new Uint8Array(hex.length / 2);
        for (let i = 0; i < payload.length; i++) payload[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
        if (c.sendMessageToPeer === undefined || !c.sendMessageToPeer(id, type, payload)) {
          throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "Error: Could not send message to peer");
        }
        return {};
      },
    },
    {
      name: "getorphantxs",
      category: "hidden",
      description: "Shows transactions in the tx orphanage.\n" +
        "\nEXPERIMENTAL warning: this call may be changed in future releases.\n",
      args: [{
        names: "verbosity",
        type: "num",
        fallback: { default: 0 },
        description:
          "0 for an array of txids (may contain duplicates), 1 for an array of objects with tx details, and 2 for details from (1) and tx hex",
        skipTypeCheck: true,
      }],
      results: [{ type: "any", description: "" }],
      examples: helpExampleCli("getorphantxs", "2") + helpExampleRpc("getorphantxs", "2"),
      handler: (params) => {
        const verbosity = params[0] === undefined || params[0] === null ? 0 : getInt(params[0]);
        const orphans = p2p().orphans();
        if (verbosity === 0) return orphans.map((o) => reverseHex(txid(o.tx)));
        if (verbosity !== 1 && verbosity !== 2) {
          throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, `Invalid verbosity value ${verbosity}`);
        }
        return orphans.map((o) => {
          const weight = transactionWeight(o.tx);
          const out: Record<string, JsonValue> = {
            txid: reverseHex(txid(o.tx)),
            wtxid: reverseHex(wtxid(o.tx)),
            bytes: transactionTotalSize(o.tx),
            vsize: Math.ceil(weight / 4),
            weight,
            from: o.from,
          };
          if (verbosity === 2) out.hex = toHex(encodeTransaction(o.tx));
          return out;
        });
      },
    },
    {
      name: "clearbanned",
      category: "network",
      description: "Clear all banned IPs.\n",
      args: [],
      results: [{ type: "none", description: "" }],
      examples: helpExampleCli("clearbanned", "") + helpExampleRpc("clearbanned", ""),
      handler: () => {
        p2p().clearBanned();
        return null;
      },
    },
  ];
}
