/**
 * Banned and discouraged addresses (Core's `BanMan`): `setban` bans of single addresses or IPv4/IPv6 subnets
 * until a time, and the discouraged set that misbehaving peers' addresses enter (their inbound connections are
 * refused while the node is near its inbound limit; Core keeps them in a rolling bloom filter, tsbtc in a
 * bounded set). Bans are kept in `banlist.json` in the network data directory, in Core's format, rewritten on
 * every change.
 *
 * @module
 */

import { Bip155Network, parseIp } from "./address.ts";
import { formatAddr, parseHost } from "./netaddr.ts";

/** A subnet: network bytes (4 for IPv4, 16 for IPv6) and prefix length. */
export interface SubNet {
  /** The address bytes, masked. */
  readonly bytes: Uint8Array;
  /** Prefix length in bits. */
  readonly prefix: number;
  /** Whether it is IPv4. */
  readonly ipv4: boolean;
  /** For a Tor v3, I2P or CJDNS address (always a single address): its BIP155 network id. */
  readonly special?: number;
}

/** A ban as `listbanned` reports it (times in seconds). */
export interface BanEntry {
  /** `ip/prefix` (Core's `CSubNet::ToString`: `1.2.3.4/32`). */
  readonly address: string;
  readonly banCreated: number;
  readonly bannedUntil: number;
}

/** Most discouraged addresses remembered (Core's rolling filter holds 50,000). */
export const MAX_DISCOURAGED = 50_000;

function ipBytes(text: string): { bytes: Uint8Array; ipv4: boolean; special?: number } | null {
  const stripped = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  if (/\.(onion|b32\.i2p)$/i.test(stripped)) {
    const h = parseHost(stripped);
    return h === undefined ? null : { bytes: h.addr, ipv4: false, special: h.net };
  }
  const ip = parseIp(stripped);
  if (ip === undefined) return null;
  if (ip.net === Bip155Network.IPV4) return { bytes: ip.addr, ipv4: true };
  if (ip.net === Bip155Network.IPV6) return { bytes: ip.addr, ipv4: false };
  return null;
}

function mask(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = bytes.slice();
  for (let i = 0; i < out.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    out[i] &= bits === 0 ? 0 : (0xff << (8 - bits)) & 0xff;
  }
  return out;
}

/** Parses `ip`, `ip/prefix` or `ip/netmask` (Core's `LookupSubNet`, numeric only); null when invalid. */
export function parseSubNet(text: string): SubNet | null {
  const slash = text.indexOf("/");
  const ip = ipBytes(slash < 0 ? text : text.slice(0, slash));
  if (ip === null) return null;
  // Tor and I2P addresses are banned one at a time (Core's CSubNet of a single address).
  if (ip.special !== undefined) {
    return slash < 0
      ? { bytes: ip.bytes, prefix: ip.bytes.length * 8, ipv4: false, special: ip.special }
      : null;
  }
  const bits = ip.bytes.length * 8;
  let prefix = bits;
  if (slash >= 0) {
    const rest = text.slice(slash + 1);
    if (/^\d+$/.test(rest)) {
      prefix = Number(rest);
      if (prefix > bits) return null;
    } else {
      const m = ipBytes(rest);
      if (m === null || m.bytes.length !== ip.bytes.length) return null;
      // A netmask must be contiguous ones.
      let n = 0;
      let seenZero = false;
      for (const b of m.bytes) {
        for (let i = 7; i >= 0; i--) {
          if ((b >> i) & 1) {
            if (seenZero) return null;
            n++;
          } else seenZero = true;
        }
      }
      prefix = n;
    }
  }
  return { bytes: mask(ip.bytes, prefix), prefix, ipv4: ip.ipv4 };
}

/** Whether `ip` (text) is inside `net`. */
export function subNetContains(net: SubNet, ip: string): boolean {
  const b = ipBytes(ip);
  if (b === null || b.ipv4 !== net.ipv4 || b.special !== net.special) return false;
  const m = mask(b.bytes, net.prefix);
  for (let i = 0; i < m.length; i++) if (m[i] !== net.bytes[i]) return false;
  return true;
}

/** Core's text of a subnet: `1.2.3.0/24`, `1.2.3.4/32`, `::1/128`. */
export function subNetToString(net: SubNet): string {
  if (net.special !== undefined) return formatAddr({ net: net.special, addr: net.bytes });
  if (net.ipv4) return `${[...net.bytes].join(".")}/${net.prefix}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((net.bytes[i] << 8) | net.bytes[i + 1]).toString(16));
  // Compress the longest run of zero groups, as RFC 5952.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLen && j - i > 1) [best, bestLen] = [i, j - i];
    i = j;
  }
  const text = best < 0
    ? groups.join(":")
    : `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLen).join(":")}`;
  return `${text}/${net.prefix}`;
}

/** Options of {@link BanMan}. */
export interface BanManOptions {
  /** The clock in seconds (mockable). */
  readonly now?: () => number;
  /** Where bans persist (Core's `banlist.json`); none: memory only. */
  readonly path?: string;
  /** Log lines (Core's "Recreating the banlist database", load errors). */
  readonly log?: (msg: string) => void;
}

/** The ban list and the discouraged set. */
export class BanMan {
  readonly #bans = new Map<string, { net: SubNet; created: number; until: number }>();
  readonly #discouraged = new Set<string>();
  readonly #now: () => number;
  readonly #path: string | undefined;
  readonly #log: (msg: string) => void;

  /** Loads `path` when given (recreating it, as Core, when missing or unreadable). */
  constructor(options: BanManOptions = {}) {
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.#path = options.path;
    this.#log = options.log ?? (() => {});
    if (this.#path !== undefined) this.#load(this.#path);
  }

  #load(path: string): void {
    let text: string;
    try {
      text = Deno.readTextFileSync(path);
    } catch {
      this.#log("Recreating the banlist database");
      this.#save();
      return;
    }
    try {
      const json = JSON.parse(text) as {
        banned_nets?: { address: string; ban_created: number; banned_until: number }[];
      };
      for (const b of json.banned_nets ?? []) {
        const net = parseSubNet(b.address);
        if (net === null) continue;
        this.#bans.set(subNetToString(net), { net, created: b.ban_created, until: b.banned_until });
      }
      this.#sweep();
      this.#log(`Loaded ${this.#bans.size} banned node addresses/subnets`);
    } catch (e) {
      this.#log(
        `Invalid or corrupt file ${path}: ${
          e instanceof Error ? e.message : e
        }; recreating the banlist database`,
      );
      this.#bans.clear();
      this.#save();
    }
  }

  #save(): void {
    if (this.#path === undefined) return;
    const banned_nets = [...this.#bans.entries()].map(([address, b]) => ({
      version: 1,
      ban_created: b.created,
      banned_until: b.until,
      address,
    }));
    try {
      Deno.writeTextFileSync(this.#path, JSON.stringify({ banned_nets }, null, 4) + "\n");
    } catch (e) {
      this.#log(`Cannot write ${this.#path}: ${e instanceof Error ? e.message : e}`);
    }
  }

  /** Bans `net` until `until` (seconds); returns false when it was already banned. */
  ban(net: SubNet, until: number): boolean {
    this.#sweep();
    const key = subNetToString(net);
    if (this.#bans.has(key)) return false;
    // A single address inside a banned subnet is banned already (Core's IsBanned(CNetAddr)).
    const single = net.prefix === net.bytes.length * 8;
    const text = net.special !== undefined ? key : key.slice(0, key.lastIndexOf("/"));
    if (
      single &&
      [...this.#bans.values()].some((b) => b.net.ipv4 === net.ipv4 && subNetContains(b.net, text))
    ) {
      return false;
    }
    this.#bans.set(key, { net, created: this.#now(), until });
    this.#save();
    return true;
  }

  /** Lifts the ban of exactly `net`; false when there was none. */
  unban(net: SubNet): boolean {
    const removed = this.#bans.delete(subNetToString(net));
    if (removed) this.#save();
    return removed;
  }

  /** Removes every ban (and the discouraged set, as Core's `clearbanned`). */
  clear(): void {
    this.#bans.clear();
    this.#discouraged.clear();
    this.#save();
  }

  /** Whether `ip` is banned. */
  isBanned(ip: string): boolean {
    this.#sweep();
    for (const b of this.#bans.values()) if (subNetContains(b.net, ip)) return true;
    return false;
  }

  /** Marks `ip` discouraged (Core's `Discourage`). */
  discourage(ip: string): void {
    if (this.#discouraged.size >= MAX_DISCOURAGED) {
      const first = this.#discouraged.values().next().value;
      if (first !== undefined) this.#discouraged.delete(first);
    }
    this.#discouraged.add(ip);
  }

  /** Whether `ip` was discouraged. */
  isDiscouraged(ip: string): boolean {
    return this.#discouraged.has(ip);
  }

  /**
   * The bans in force in Core's order (its ban map is ordered by subnet: network IPv4, IPv6, Tor, I2P, CJDNS,
   * then address bytes, then netmask).
   */
  list(): BanEntry[] {
    this.#sweep();
    const netOrder = (n: SubNet) =>
      n.special === Bip155Network.TORV3
        ? 3
        : n.special === Bip155Network.I2P
        ? 4
        : n.special === Bip155Network.CJDNS
        ? 5
        : n.ipv4
        ? 1
        : 2;
    const cmp = (a: SubNet, b: SubNet): number => {
      if (netOrder(a) !== netOrder(b)) return netOrder(a) - netOrder(b);
      for (let i = 0; i < Math.min(a.bytes.length, b.bytes.length); i++) {
        if (a.bytes[i] !== b.bytes[i]) return a.bytes[i] - b.bytes[i];
      }
      if (a.bytes.length !== b.bytes.length) return a.bytes.length - b.bytes.length;
      return a.prefix - b.prefix;
    };
    return [...this.#bans.entries()].sort((x, y) => cmp(x[1].net, y[1].net)).map(([address, b]) => ({
      address,
      banCreated: b.created,
      bannedUntil: b.until,
    }));
  }

  #sweep(): void {
    const now = this.#now();
    let changed = false;
    for (const [k, b] of this.#bans) {
      if (b.until <= now) {
        this.#bans.delete(k);
        changed = true;
      }
    }
    if (changed) this.#save();
  }
}
