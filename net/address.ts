/**
 * Peer addresses on the wire (Core's `CAddress`/`CNetAddr`/`CService` network serializations): the pre-BIP155
 * form used in `version` and `addr` (16-byte IPv6 with IPv4 mapped into `::ffff:0:0/96`, big-endian port) and
 * the BIP155 form of `addrv2` (network id, compact-size length, address bytes; services as a compact size), plus
 * text forms of IPv4/IPv6 addresses.
 *
 * @module
 */

import type { ByteReader } from "../core/wire/reader.ts";
import type { ByteWriter } from "../core/wire/writer.ts";
import { MAX_ADDRV2_SIZE } from "./protocol.ts";

/** BIP155 network ids (Core's `BIP155Network`); TORv2 (3) is no longer supported by Core. */
export const Bip155Network = {
  IPV4: 1,
  IPV6: 2,
  TORV2: 3,
  TORV3: 4,
  I2P: 5,
  CJDNS: 6,
} as const;

/** Address length each known BIP155 network requires (TORv2 is unknown to Core and so not checked). */
export const BIP155_ADDRESS_SIZES: ReadonlyMap<number, number> = new Map([
  [Bip155Network.IPV4, 4],
  [Bip155Network.IPV6, 16],
  [Bip155Network.TORV3, 32],
  [Bip155Network.I2P, 32],
  [Bip155Network.CJDNS, 16],
]);

const BIP155_NAMES: ReadonlyMap<number, string> = new Map([
  [Bip155Network.IPV4, "IPv4"],
  [Bip155Network.IPV6, "IPv6"],
  [Bip155Network.TORV3, "TORv3"],
  [Bip155Network.I2P, "I2P"],
  [Bip155Network.CJDNS, "CJDNS"],
]);

/** A network address with a port (Core's `CService`). */
export interface NetAddress {
  /** BIP155 network id (an unknown id is kept as received, as Core keeps such an address as invalid). */
  readonly net: number;
  /** The address bytes (4 for IPv4, 16 for IPv6, …). */
  readonly addr: Uint8Array;
  /** TCP port. */
  readonly port: number;
}

/** An address as gossiped in `addr`/`addrv2` (Core's `CAddress`). */
export interface PeerAddress extends NetAddress {
  /** Last seen, seconds since the epoch (uint32). */
  readonly time: number;
  /** Service flags. */
  readonly services: bigint;
}

/** An address without time, as in the `version` message: services, 16-byte address, port. */
export interface VersionAddress extends NetAddress {
  /** Service flags. */
  readonly services: bigint;
}

const IPV4_IN_IPV6_PREFIX = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff);

/** Reads 16 address bytes and a big-endian port (pre-BIP155); `::ffff:a.b.c.d` becomes IPv4. */
export function readAddressV1(r: ByteReader): NetAddress {
  const raw = r.bytes(16);
  const hi = r.u8();
  const port = (hi << 8) | r.u8();
  if (IPV4_IN_IPV6_PREFIX.every((b, i) => raw[i] === b)) {
    return { net: Bip155Network.IPV4, addr: raw.slice(12, 16), port };
  }
  return { net: Bip155Network.IPV6, addr: raw.slice(), port };
}

/**
 * Writes the pre-BIP155 form. Only IPv4 and IPv6 addresses have one (`RangeError` otherwise; Core's
 * `IsAddrV1Compatible`).
 */
export function writeAddressV1(w: ByteWriter, a: NetAddress): void {
  if (a.net === Bip155Network.IPV4 && a.addr.length === 4) {
    w.bytes(IPV4_IN_IPV6_PREFIX).bytes(a.addr);
  } else if (a.net === Bip155Network.IPV6 && a.addr.length === 16) {
    w.bytes(a.addr);
  } else {
    throw new RangeError(
      `Cannot encode address: network ${a.net} with ${a.addr.length} bytes has no v1 form`,
    );
  }
  writePort(w, a.port);
}

function writePort(w: ByteWriter, port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) {
    throw new RangeError(`Cannot encode address: port ${port}`);
  }
  w.u8(port >>> 8).u8(port & 0xff);
}

/**
 * Reads a BIP155 address and port. The length is checked against {@link MAX_ADDRV2_SIZE} and, for known
 * networks, against the network's size, with Core's messages (`Address too long: 600 > 512`, `BIP155 IPv4
 * address with length 5 (should be 4)`).
 */
export function readAddressV2(r: ByteReader): NetAddress {
  const net = r.u8();
  const start = r.pos;
  const size = r.compactSize();
  if (size > MAX_ADDRV2_SIZE) r.fail(`Address too long: ${size} > ${MAX_ADDRV2_SIZE}`, start);
  const want = BIP155_ADDRESS_SIZES.get(net);
  if (want !== undefined && size !== want) {
    r.fail(`BIP155 ${BIP155_NAMES.get(net)} address with length ${size} (should be ${want})`, start);
  }
  const addr = r.bytes(size).slice();
  const hi = r.u8();
  const port = (hi << 8) | r.u8();
  return { net, addr, port };
}

/** Writes a BIP155 address and port (`RangeError` for a length its network does not allow). */
export function writeAddressV2(w: ByteWriter, a: NetAddress): void {
  if (!Number.isInteger(a.net) || a.net < 0 || a.net > 0xff) {
    throw new RangeError(`Cannot encode address: network id ${a.net}`);
  }
  const want = BIP155_ADDRESS_SIZES.get(a.net);
  if ((want !== undefined && a.addr.length !== want) || a.addr.length > MAX_ADDRV2_SIZE) {
    throw new RangeError(`Cannot encode address: network ${a.net} with ${a.addr.length} bytes`);
  }
  w.u8(a.net).varBytes(a.addr);
  writePort(w, a.port);
}

/** Reads a `CAddress` (time, services, address) in the v1 (`addr`) or v2 (`addrv2`) form. */
export function readPeerAddress(r: ByteReader, v2: boolean): PeerAddress {
  const time = r.u32();
  const services = v2 ? r.compactSizeU64() : r.u64();
  const a = v2 ? readAddressV2(r) : readAddressV1(r);
  return { time, services, net: a.net, addr: a.addr, port: a.port };
}

/** Writes a `CAddress` in the v1 or v2 form. */
export function writePeerAddress(w: ByteWriter, a: PeerAddress, v2: boolean): void {
  w.u32(a.time);
  if (v2) {
    w.compactSize(a.services);
    writeAddressV2(w, a);
  } else {
    w.u64(a.services);
    writeAddressV1(w, a);
  }
}

/** Smallest encoded `CAddress`: v1 is 30 bytes; v2 is time 4, services 1, net 1, length 1, port 2. */
export function minPeerAddressSize(v2: boolean): number {
  return v2 ? 9 : 30;
}

/** The unspecified IPv6 address `[::]:0`, what Core sends as `addr_recv` when it has nothing better. */
export const UNSPECIFIED_ADDRESS: NetAddress = Object.freeze({
  net: Bip155Network.IPV6,
  addr: new Uint8Array(16),
  port: 0,
});

/** Parses an IPv4 (`1.2.3.4`) or IPv6 (`::1`, `2001:db8::1`) literal; undefined when it is neither. */
export function parseIp(text: string): { net: number; addr: Uint8Array } | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { net: Bip155Network.IPV4, addr: Uint8Array.from(parts) };
  }
  const s = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(":")) return undefined;
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    for (const g of part.split(":")) {
      if (g.includes(".")) {
        const inner = parseIp(g);
        if (!inner || inner.net !== Bip155Network.IPV4) return undefined;
        out.push((inner.addr[0] << 8) | inner.addr[1], (inner.addr[2] << 8) | inner.addr[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || (halves.length === 2 && fill < 1)) return undefined;
  const all = [...head, ...new Array(halves.length === 2 ? fill : 0).fill(0), ...tail];
  const addr = new Uint8Array(16);
  all.forEach((g, i) => {
    addr[2 * i] = g >> 8;
    addr[2 * i + 1] = g & 0xff;
  });
  if (IPV4_IN_IPV6_PREFIX.every((b, i) => addr[i] === b)) {
    return { net: Bip155Network.IPV4, addr: addr.slice(12) };
  }
  return { net: Bip155Network.IPV6, addr };
}

/** The text form of an address (`1.2.3.4`, `2001:db8::1` with the longest zero run compressed), or hex. */
export function formatIp(a: { net: number; addr: Uint8Array }): string {
  if (a.net === Bip155Network.IPV4 && a.addr.length === 4) return Array.from(a.addr).join(".");
  if (a.net === Bip155Network.IPV6 && a.addr.length === 16) {
    const g: number[] = [];
    for (let i = 0; i < 8; i++) g.push((a.addr[2 * i] << 8) | a.addr[2 * i + 1]);
    let best = -1;
    let bestLen = 1;
    for (let i = 0; i < 8;) {
      if (g[i] !== 0) {
        i++;
        continue;
      }
      let j = i;
      while (j < 8 && g[j] === 0) j++;
      if (j - i > bestLen) {
        best = i;
        bestLen = j - i;
      }
      i = j;
    }
    const hex = g.map((x) => x.toString(16));
    if (best < 0) return hex.join(":");
    return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
  }
  return `net${a.net}:${Array.from(a.addr, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** `ip:port` (`[ip]:port` for IPv6), as Core's `ToStringAddrPort`. */
export function formatAddressPort(a: NetAddress): string {
  const ip = formatIp(a);
  return a.net === Bip155Network.IPV6 ? `[${ip}]:${a.port}` : `${ip}:${a.port}`;
}
