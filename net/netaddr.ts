/**
 * Classification of peer addresses as Core's `CNetAddr` does it: validity, loopback ("local"), routability
 * (the RFC ranges that never reach the public Internet), network class and name, the network group used to
 * spread connections and address-manager buckets (Core's `NetGroupManager::GetGroup` without an asmap: /16 for
 * IPv4, /32 for IPv6, /36 for Hurricane Electric, /4 for Tor and I2P, /12 for CJDNS), the address key
 * (`CService::GetKey`), and Core's list of bad ports.
 *
 * Tests on loopback (`-test=addrmanlocal`, regtest only) can ask for loopback addresses to count as routable
 * IPv4/IPv6 ones: every `127.a.b.c` is then its own /16 group, so nodes bound to 127.0.0.1, 127.1.0.1, … behave
 * as peers from different networks. Core has no such switch; it never gossips loopback addresses.
 *
 * @module
 */

import { base32 } from "@scure/base";
import { sha3_256 } from "@noble/hashes/sha3.js";
import { Bip155Network, formatIp, type NetAddress, parseIp } from "./address.ts";

/** Core's `enum Network`. */
export const Network = {
  UNROUTABLE: 0,
  IPV4: 1,
  IPV6: 2,
  ONION: 3,
  I2P: 4,
  CJDNS: 5,
  INTERNAL: 6,
} as const;
/** One of {@link Network}. */
export type NetworkId = typeof Network[keyof typeof Network];

const NETWORK_NAMES: Record<NetworkId, string> = {
  0: "not_publicly_routable",
  1: "ipv4",
  2: "ipv6",
  3: "onion",
  4: "i2p",
  5: "cjdns",
  6: "internal",
};

/** Core's `GetNetworkName`. */
export function networkName(net: NetworkId): string {
  return NETWORK_NAMES[net];
}

/** Core's `ParseNetwork` (case-insensitive; anything unknown is `UNROUTABLE`). */
export function parseNetwork(name: string): NetworkId {
  switch (name.toLowerCase()) {
    case "ipv4":
      return Network.IPV4;
    case "ipv6":
      return Network.IPV6;
    case "onion":
      return Network.ONION;
    case "i2p":
      return Network.I2P;
    case "cjdns":
      return Network.CJDNS;
    default:
      return Network.UNROUTABLE;
  }
}

/** Options of the classification (see the module note). */
export interface NetClassOptions {
  /** Loopback addresses count as routable (regtest tests only). */
  readonly localRoutable?: boolean;
}

type Addr = Pick<NetAddress, "net" | "addr">;

/** The network an address belongs to by its BIP155 id (Core's `m_net`). */
export function addressNetwork(a: Addr): NetworkId {
  switch (a.net) {
    case Bip155Network.IPV4:
      return Network.IPV4;
    case Bip155Network.IPV6:
      return Network.IPV6;
    case Bip155Network.TORV3:
      return Network.ONION;
    case Bip155Network.I2P:
      return Network.I2P;
    case Bip155Network.CJDNS:
      return Network.CJDNS;
    default:
      return Network.UNROUTABLE;
  }
}

/** Core's `CNetAddr::IsLocal`: 127/8, 0/8 and ::1. */
export function isLocal(a: Addr): boolean {
  const b = a.addr;
  if (a.net === Bip155Network.IPV4) return b[0] === 127 || b[0] === 0;
  if (a.net === Bip155Network.IPV6) return b.length === 16 && b.every((x, i) => x === (i === 15 ? 1 : 0));
  return false;
}

/** Core's `CNetAddr::IsValid`: not unspecified, not 255.255.255.255, not 2001:db8::/32, a known length. */
export function isValid(a: Addr): boolean {
  const b = a.addr;
  if (a.net === Bip155Network.IPV4) {
    if (b.length !== 4) return false;
    if (b.every((x) => x === 0) || b.every((x) => x === 0xff)) return false;
    return true;
  }
  if (a.net === Bip155Network.IPV6) {
    if (b.length !== 16 || b.every((x) => x === 0)) return false;
    if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x0d && b[3] === 0xb8) return false; // RFC3849
    return true;
  }
  return a.net === Bip155Network.TORV3 || a.net === Bip155Network.I2P || a.net === Bip155Network.CJDNS;
}

/** Core's `CNetAddr::IsRoutable`: valid and in none of the private, shared, documentation or local ranges. */
export function isRoutable(a: Addr, options: NetClassOptions = {}): boolean {
  if (!isValid(a)) return false;
  const b = a.addr;
  if (a.net === Bip155Network.IPV4) {
    if (b[0] === 10 || (b[0] === 192 && b[1] === 168) || (b[0] === 172 && b[1] >= 16 && b[1] <= 31)) {
      return false; // RFC1918
    }
    if (b[0] === 198 && (b[1] === 18 || b[1] === 19)) return false; // RFC2544
    if (b[0] === 169 && b[1] === 254) return false; // RFC3927
    if (b[0] === 100 && b[1] >= 64 && b[1] <= 127) return false; // RFC6598
    if (
      (b[0] === 192 && b[1] === 0 && b[2] === 2) || (b[0] === 198 && b[1] === 51 && b[2] === 100) ||
      (b[0] === 203 && b[1] === 0 && b[2] === 113)
    ) return false; // RFC5737
  }
  if (a.net === Bip155Network.IPV6) {
    if ((b[0] & 0xfe) === 0xfc) return false; // RFC4193
    if (b[0] === 0xfe && b[1] === 0x80 && b.subarray(2, 8).every((x) => x === 0)) return false; // RFC4862
    if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x00 && (b[3] & 0xf0) === 0x10) return false; // RFC4843
    if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x00 && (b[3] & 0xf0) === 0x20) return false; // RFC7343
  }
  if (isLocal(a)) return options.localRoutable === true;
  return true;
}

/** Core's `CNetAddr::GetNetClass`: the network, or `UNROUTABLE` for an address that is not routable. */
export function netClass(a: Addr, options: NetClassOptions = {}): NetworkId {
  if (!isRoutable(a, options)) return Network.UNROUTABLE;
  return addressNetwork(a);
}

/**
 * Core's `NetGroupManager::GetGroup` without an asmap: the network class, then the significant prefix of the
 * address (/16 IPv4, /32 IPv6, /36 for 2001:470::/32, /4 Tor and I2P, /12 CJDNS); every local or unroutable
 * address shares one group per class.
 */
export function netGroup(a: Addr, options: NetClassOptions = {}): Uint8Array {
  const cls = netClass(a, options);
  if (cls === Network.UNROUTABLE || (isLocal(a) && !options.localRoutable)) return Uint8Array.of(cls);
  if (a.net === Bip155Network.IPV4) return Uint8Array.of(cls, a.addr[0], a.addr[1]);
  let bits = 32;
  if (a.net === Bip155Network.TORV3 || a.net === Bip155Network.I2P) bits = 4;
  else if (a.net === Bip155Network.CJDNS) bits = 12;
  else if (a.addr[0] === 0x20 && a.addr[1] === 0x01 && a.addr[2] === 0x04 && a.addr[3] === 0x70) bits = 36;
  const out: number[] = [cls];
  let i = 0;
  for (; bits >= 8; bits -= 8) out.push(a.addr[i++]);
  if (bits > 0) out.push(a.addr[i] | ((1 << (8 - bits)) - 1));
  return Uint8Array.from(out);
}

/** Core's `CNetAddr::GetAddrBytes`: the 16-byte v1 form for IPv4/IPv6, the raw bytes otherwise. */
export function addrBytes(a: Addr): Uint8Array {
  if (a.net !== Bip155Network.IPV4) return a.addr;
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(a.addr.subarray(0, 4), 12);
  return out;
}

/** Core's `CService::GetKey`: the address bytes and the port (big-endian). */
export function serviceKey(a: NetAddress): Uint8Array {
  const b = addrBytes(a);
  const out = new Uint8Array(b.length + 2);
  out.set(b);
  out[b.length] = a.port >> 8;
  out[b.length + 1] = a.port & 0xff;
  return out;
}

const BAD_PORTS: ReadonlySet<number> = new Set([
  1,
  7,
  9,
  11,
  13,
  15,
  17,
  19,
  20,
  21,
  22,
  23,
  25,
  37,
  42,
  43,
  53,
  69,
  77,
  79,
  87,
  95,
  101,
  102,
  103,
  104,
  109,
  110,
  111,
  113,
  115,
  117,
  119,
  123,
  135,
  137,
  139,
  143,
  161,
  179,
  389,
  427,
  465,
  512,
  513,
  514,
  515,
  526,
  530,
  531,
  532,
  540,
  548,
  554,
  556,
  563,
  587,
  601,
  636,
  989,
  990,
  993,
  995,
  1719,
  1720,
  1723,
  2049,
  3306,
  3389,
  3659,
  4045,
  5060,
  5061,
  5432,
  5900,
  6000,
  6566,
  6665,
  6666,
  6667,
  6668,
  6669,
  6697,
  10080,
  27017,
]);

/** Core's `IsBadPort`: ports of other well-known services, avoided by automatic connections. */
export function isBadPort(port: number): boolean {
  return BAD_PORTS.has(port);
}

const ONION_CHECKSUM_TAG = new TextEncoder().encode(".onion checksum");
const TORV3_VERSION = 3;

function onionChecksum(pubkey: Uint8Array): Uint8Array {
  const data = new Uint8Array(ONION_CHECKSUM_TAG.length + 33);
  data.set(ONION_CHECKSUM_TAG);
  data.set(pubkey, ONION_CHECKSUM_TAG.length);
  data[data.length - 1] = TORV3_VERSION;
  return sha3_256(data).subarray(0, 2);
}

/**
 * Core's `LookupHost(text, false)` for literals: an IPv4 or IPv6 address (`parseIp`), a Tor v3 `.onion` (56
 * base32 characters: key, checksum, version 3) or an I2P `.b32.i2p` address (52 base32 characters). With
 * `cjdnsReachable`, an fc00::/8 IPv6 address is CJDNS (Core's `MaybeFlipIPv6toCJDNS`). Undefined otherwise.
 */
export function parseHost(text: string, options: { cjdnsReachable?: boolean } = {}): Addr | undefined {
  const lower = text.toLowerCase();
  if (lower.endsWith(".onion")) {
    const b32 = lower.slice(0, -".onion".length);
    if (b32.length !== 56) return undefined;
    let bytes: Uint8Array;
    try {
      bytes = base32.decode(b32.toUpperCase());
    } catch {
      return undefined;
    }
    if (bytes.length !== 35 || bytes[34] !== TORV3_VERSION) return undefined;
    const pubkey = bytes.subarray(0, 32);
    const sum = onionChecksum(pubkey);
    if (sum[0] !== bytes[32] || sum[1] !== bytes[33]) return undefined;
    return { net: Bip155Network.TORV3, addr: pubkey.slice() };
  }
  if (lower.endsWith(".b32.i2p")) {
    const b32 = lower.slice(0, -".b32.i2p".length);
    if (b32.length !== 52) return undefined;
    try {
      const bytes = base32.decode(`${b32.toUpperCase()}====`);
      return bytes.length === 32 ? { net: Bip155Network.I2P, addr: bytes } : undefined;
    } catch {
      return undefined;
    }
  }
  const ip = parseIp(text);
  if (ip === undefined) return undefined;
  if (options.cjdnsReachable && ip.net === Bip155Network.IPV6 && ip.addr[0] === 0xfc) {
    return { net: Bip155Network.CJDNS, addr: ip.addr };
  }
  return ip;
}

/** Core's `CNetAddr::ToStringAddr`: IPv4/IPv6/CJDNS as text, Tor v3 as `….onion`, I2P as `….b32.i2p`. */
export function formatAddr(a: Addr): string {
  if (a.net === Bip155Network.TORV3 && a.addr.length === 32) {
    const bytes = new Uint8Array(35);
    bytes.set(a.addr);
    bytes.set(onionChecksum(a.addr), 32);
    bytes[34] = TORV3_VERSION;
    return `${base32.encode(bytes).toLowerCase()}.onion`;
  }
  if (a.net === Bip155Network.I2P && a.addr.length === 32) {
    return `${base32.encode(a.addr).replace(/=+$/, "").toLowerCase()}.b32.i2p`;
  }
  if (a.net === Bip155Network.CJDNS && a.addr.length === 16) {
    return formatIp({ net: Bip155Network.IPV6, addr: a.addr });
  }
  return formatIp(a);
}
