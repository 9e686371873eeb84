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
import { helpExampleCli, helpExampleRpc } from "../help.ts";

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
      const conn = options.connections?.() ?? null;
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
      out.localaddresses = [];
      out.warnings = options.warnings?.() ?? [];
      return out;
    },
  };
  return [getnetworkinfo];
}
