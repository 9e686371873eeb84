/**
 * IP addresses and subnets for `-rpcallowip` and `-rpcbind` (Core's `CSubNet`, `LookupSubNet` without DNS, and
 * `SplitHostPort`): a single IP, `network/CIDR` or `network/netmask`, IPv4 and IPv6.
 *
 * @module
 */

/** An IPv4 (4 bytes) or IPv6 (16 bytes) address. */
export type IpBytes = Uint8Array;

/** Parses a dotted IPv4 address; null when invalid. */
export function parseIpv4(s: string): IpBytes | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i])) return null;
    const n = Number(parts[i]);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

/** Parses an IPv6 address (with `::` and an optional dotted IPv4 tail, no zone); null when invalid. */
export function parseIpv6(s: string): IpBytes | null {
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  if (s.includes("%")) s = s.slice(0, s.indexOf("%"));
  const dbl = s.indexOf("::");
  if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) return null;
  const parseGroups = (part: string): number[] | null => {
    if (part === "") return [];
    const groups: number[] = [];
    const items = part.split(":");
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (i === items.length - 1 && item.includes(".")) {
        const v4 = parseIpv4(item);
        if (v4 === null) return null;
        groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(item)) return null;
        groups.push(parseInt(item, 16));
      }
    }
    return groups;
  };
  let groups: number[];
  if (dbl >= 0) {
    const head = parseGroups(s.slice(0, dbl));
    const tail = parseGroups(s.slice(dbl + 2));
    if (head === null || tail === null || head.length + tail.length > 7) return null;
    groups = [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const g = parseGroups(s);
    if (g === null || g.length !== 8) return null;
    groups = g;
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** Parses an IPv4 or IPv6 address; IPv4-mapped IPv6 (`::ffff:a.b.c.d`) becomes IPv4, as Core treats it. */
export function parseIp(s: string): IpBytes | null {
  const v4 = parseIpv4(s);
  if (v4 !== null) return v4;
  const v6 = parseIpv6(s);
  if (v6 === null) return null;
  if (v6.subarray(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff) return v6.slice(12);
  return v6;
}

/** A network and mask of the same length (Core's `CSubNet`). */
export interface Subnet {
  /** Network address (masked). */
  network: IpBytes;
  /** Mask bytes. */
  mask: IpBytes;
}

function prefixMask(len: number, bits: number): IpBytes {
  const mask = new Uint8Array(len);
  for (let i = 0; i < len; i++) {
    const b = Math.max(0, Math.min(8, bits - 8 * i));
    mask[i] = b === 0 ? 0 : (0xff << (8 - b)) & 0xff;
  }
  return mask;
}

function isContiguousMask(mask: IpBytes): boolean {
  let zero = false;
  for (const byte of mask) {
    for (let bit = 7; bit >= 0; bit--) {
      const set = (byte >> bit) & 1;
      if (set && zero) return false;
      if (!set) zero = true;
    }
  }
  return true;
}

/**
 * Parses `-rpcallowip` values like Core's `LookupSubNet` (no name lookup): `1.2.3.4`, `1.2.3.4/24`,
 * `1.2.3.4/255.255.255.0`, `::1`, `fe80::/10`, `0.0.0.0/0`, `::/0`. Null when invalid.
 */
export function parseSubnet(s: string): Subnet | null {
  const slash = s.indexOf("/");
  const addr = parseIp(slash < 0 ? s : s.slice(0, slash));
  if (addr === null) return null;
  const len = addr.length;
  let mask: IpBytes;
  if (slash < 0) mask = prefixMask(len, len * 8);
  else {
    const m = s.slice(slash + 1);
    if (/^\d{1,3}$/.test(m)) {
      const bits = Number(m);
      if (bits > len * 8) return null;
      mask = prefixMask(len, bits);
    } else {
      const mk = parseIp(m);
      if (mk === null || mk.length !== len || !isContiguousMask(mk)) return null;
      mask = mk;
    }
  }
  const network = addr.map((b, i) => b & mask[i]);
  return { network, mask };
}

/** True when `addr` lies in `subnet`. */
export function subnetMatch(subnet: Subnet, addr: IpBytes): boolean {
  if (addr.length !== subnet.network.length) return false;
  for (let i = 0; i < addr.length; i++) {
    if ((addr[i] & subnet.mask[i]) !== subnet.network[i]) return false;
  }
  return true;
}

/** Text form of a subnet (`127.0.0.0/8`, `::1/128`), for logs. */
export function subnetToString(subnet: Subnet): string {
  let bits = 0;
  for (const b of subnet.mask) for (let i = 7; i >= 0; i--) bits += (b >> i) & 1;
  const n = subnet.network;
  if (n.length === 4) return `${n.join(".")}/${bits}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((n[i] << 8) | n[i + 1]).toString(16));
  return `${groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::")}/${bits}`;
}

/**
 * Splits `host[:port]` / `[v6]:port` like Core's `SplitHostPort`. `port` is null when none was given;
 * `valid` is false when a port was given but is not 1..65535.
 */
export function splitHostPort(input: string): { host: string; port: number | null; valid: boolean } {
  const colon = input.lastIndexOf(":");
  const haveColon = colon >= 0;
  const bracketed = haveColon && input[0] === "[" && input[colon - 1] === "]";
  const multiColon = haveColon && colon !== 0 && input.lastIndexOf(":", colon - 1) >= 0;
  let valid = false;
  let port: number | null = null;
  let rest = input;
  if (haveColon && (colon === 0 || bracketed || !multiColon)) {
    const p = input.slice(colon + 1);
    if (/^\+?\d+$/.test(p) && Number(p) <= 65535) {
      rest = input.slice(0, colon);
      port = Number(p);
      valid = port !== 0;
    }
  } else {
    valid = true;
  }
  const host = rest.length > 0 && rest[0] === "[" && rest[rest.length - 1] === "]" ? rest.slice(1, -1) : rest;
  return { host, port, valid };
}
