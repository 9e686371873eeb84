/**
 * P2P protocol constants (Bitcoin Core's `protocol.h`, `node/protocol_version.h`, `net.h` and
 * `net_processing.cpp` facts): protocol versions, message types, service flags, inventory types and the limits
 * every decoder in `net/` enforces.
 *
 * @module
 */

/** The protocol version tsbtc speaks (BIP339 `wtxidrelay` level; Core 0.21 to 29). */
export const PROTOCOL_VERSION = 70016;
/** Oldest protocol version a peer may announce (Core's `MIN_PEER_PROTO_VERSION`). */
export const MIN_PEER_PROTO_VERSION = 31800;
/** From this version on `ping` carries a nonce and expects a `pong` (BIP31; `ping` is answered above it). */
export const BIP0031_VERSION = 60000;
/** `sendheaders` (BIP130) from this version on. */
export const SENDHEADERS_VERSION = 70012;
/** `feefilter` (BIP133) from this version on. */
export const FEEFILTER_VERSION = 70013;
/** Compact blocks (BIP152) from this version on. */
export const SHORT_IDS_BLOCKS_VERSION = 70014;
/** `wtxidrelay` (BIP339) from this version on. */
export const WTXID_RELAY_VERSION = 70016;
/** The compact block version tsbtc supports (2: wtxid short ids, witness serialization). */
export const CMPCTBLOCKS_VERSION = 2n;

/** Largest payload a message may declare (Core's `MAX_PROTOCOL_MESSAGE_LENGTH`, 4,000,000 bytes). */
export const MAX_PROTOCOL_MESSAGE_LENGTH = 4_000_000;
/** Longest user agent (`strSubVer`) accepted or sent (Core's `MAX_SUBVERSION_LENGTH`). */
export const MAX_SUBVERSION_LENGTH = 256;
/** Most entries in an `inv` or `getdata` (Core's `MAX_INV_SZ`). */
export const MAX_INV_SZ = 50_000;
/** Most entries tsbtc puts in one `getdata` it sends (Core's `MAX_GETDATA_SZ`). */
export const MAX_GETDATA_SZ = 1_000;
/** Most headers in a `headers` message (Core's `MAX_HEADERS_RESULTS`). */
export const MAX_HEADERS_RESULTS = 2_000;
/** Most addresses in an `addr`/`addrv2` message (Core's `MAX_ADDR_TO_SEND`). */
export const MAX_ADDR_TO_SEND = 1_000;
/** Most hashes in a `getheaders`/`getblocks` locator (Core's `MAX_LOCATOR_SZ`). */
export const MAX_LOCATOR_SZ = 101;
/** Largest BIP155 address (Core's `CNetAddr::MAX_ADDRV2_SIZE`). */
export const MAX_ADDRV2_SIZE = 512;

/** Size of the message header: magic 4, command 12, length 4, checksum 4 (Core's `CMessageHeader::HEADER_SIZE`). */
export const MESSAGE_HEADER_SIZE = 24;
/** Bytes of the command field (Core's `MESSAGE_TYPE_SIZE`). */
export const COMMAND_SIZE = 12;

/** Interval between keep-alive pings (Core's `PING_INTERVAL`, 2 minutes). */
export const PING_INTERVAL_MS = 2 * 60 * 1000;
/** Send/receive/ping inactivity limit (Core's `TIMEOUT_INTERVAL`, 20 minutes). */
export const TIMEOUT_INTERVAL_MS = 20 * 60 * 1000;
/** Time a new connection has to complete the version handshake (Core's `-peertimeout` default, 60 s). */
export const DEFAULT_PEER_CONNECT_TIMEOUT_MS = 60 * 1000;
/** Per-peer send buffer limit before the peer's input is paused (Core's `-maxsendbuffer` default, 1000 kB). */
export const DEFAULT_MAX_SEND_BUFFER = 1_000 * 1_000;
/** Core's `DEFAULT_MAXRECEIVEBUFFER` (5,000 kB): received bytes queued before reading pauses. */
export const DEFAULT_MAX_RECEIVE_BUFFER = 5_000 * 1_000;

/** Message type names (Core's `NetMsgType`). */
export const MessageType = {
  VERSION: "version",
  VERACK: "verack",
  ADDR: "addr",
  ADDRV2: "addrv2",
  SENDADDRV2: "sendaddrv2",
  INV: "inv",
  GETDATA: "getdata",
  MERKLEBLOCK: "merkleblock",
  GETBLOCKS: "getblocks",
  GETHEADERS: "getheaders",
  TX: "tx",
  HEADERS: "headers",
  BLOCK: "block",
  GETADDR: "getaddr",
  MEMPOOL: "mempool",
  PING: "ping",
  PONG: "pong",
  NOTFOUND: "notfound",
  FILTERLOAD: "filterload",
  FILTERADD: "filteradd",
  FILTERCLEAR: "filterclear",
  SENDHEADERS: "sendheaders",
  FEEFILTER: "feefilter",
  SENDCMPCT: "sendcmpct",
  CMPCTBLOCK: "cmpctblock",
  GETBLOCKTXN: "getblocktxn",
  BLOCKTXN: "blocktxn",
  GETCFILTERS: "getcfilters",
  CFILTER: "cfilter",
  GETCFHEADERS: "getcfheaders",
  CFHEADERS: "cfheaders",
  GETCFCHECKPT: "getcfcheckpt",
  CFCHECKPT: "cfcheckpt",
  WTXIDRELAY: "wtxidrelay",
  SENDTXRCNCL: "sendtxrcncl",
} as const;

/** Every message type Core knows (Core's `ALL_NET_MESSAGE_TYPES`); others are counted as `*other*`. */
export const ALL_NET_MESSAGE_TYPES: readonly string[] = Object.values(MessageType);

/** The per-message-type accounting key of unknown message types (Core's `NET_MESSAGE_TYPE_OTHER`). */
export const NET_MESSAGE_TYPE_OTHER = "*other*";

/** Service flags (Core's `ServiceFlags`), as bigints (the field is a uint64). */
export const ServiceFlags = {
  NODE_NONE: 0n,
  NODE_NETWORK: 1n << 0n,
  NODE_BLOOM: 1n << 2n,
  NODE_WITNESS: 1n << 3n,
  NODE_COMPACT_FILTERS: 1n << 6n,
  NODE_NETWORK_LIMITED: 1n << 10n,
  NODE_P2P_V2: 1n << 11n,
} as const;

const SERVICE_NAMES: ReadonlyMap<number, string> = new Map([
  [0, "NETWORK"],
  [2, "BLOOM"],
  [3, "WITNESS"],
  [6, "COMPACT_FILTERS"],
  [10, "NETWORK_LIMITED"],
  [11, "P2P_V2"],
]);

/** Names of the set service bits, as `getpeerinfo`'s `servicesnames` (Core's `serviceFlagsToStr`). */
export function serviceFlagsToStrings(flags: bigint): string[] {
  const out: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if ((flags >> BigInt(bit)) & 1n) out.push(SERVICE_NAMES.get(bit) ?? `UNKNOWN[2^${bit}]`);
  }
  return out;
}

/** Flag set on inventory types that want witness serialization (Core's `MSG_WITNESS_FLAG`). */
export const MSG_WITNESS_FLAG = 1 << 30;
/** Mask of the inventory type without flags (Core's `MSG_TYPE_MASK`). */
export const MSG_TYPE_MASK = 0xffffffff >>> 2;

/** Inventory types of `inv`/`getdata`/`notfound` (Core's `GetDataMsg`), as uint32 values. */
export const InvType = {
  UNDEFINED: 0,
  MSG_TX: 1,
  MSG_BLOCK: 2,
  MSG_FILTERED_BLOCK: 3,
  MSG_CMPCT_BLOCK: 4,
  MSG_WTX: 5,
  MSG_WITNESS_TX: (1 | MSG_WITNESS_FLAG) >>> 0,
  MSG_WITNESS_BLOCK: (2 | MSG_WITNESS_FLAG) >>> 0,
  /** Reserved by BIP144, unused by Core. */
  MSG_FILTERED_WITNESS_BLOCK: (3 | MSG_WITNESS_FLAG) >>> 0,
} as const;

/** An inventory type's name as Core logs it (`CInv::GetMessageType`: `witness-block`, `wtx`, …), or hex. */
export function invTypeName(type: number): string {
  const prefix = (type & MSG_WITNESS_FLAG) !== 0 ? "witness-" : "";
  switch ((type & MSG_TYPE_MASK) >>> 0) {
    case InvType.MSG_TX:
      return prefix + "tx";
    case InvType.MSG_WTX:
      return prefix + "wtx";
    case InvType.MSG_BLOCK:
      return prefix + "block";
    case InvType.MSG_FILTERED_BLOCK:
      return prefix + "merkleblock";
    case InvType.MSG_CMPCT_BLOCK:
      return prefix + "cmpctblock";
    default:
      return `0x${(type >>> 0).toString(16).padStart(8, "0")}`;
  }
}
