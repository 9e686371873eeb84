/**
 * The address manager (Core's `AddrMan`): addresses of potential peers in a "new" table (1024 buckets × 64
 * slots: heard of, never connected) and a "tried" table (256 × 64: connected to at least once). Bucket and slot
 * of an address come from double-SHA256 hashes keyed with a secret 256-bit key (Core's `GetNewBucket`,
 * `GetTriedBucket`, `GetBucketPosition`), so one source can fill only a few new buckets and one network group
 * only a few tried buckets. An address is in up to 8 new buckets (each more copy less likely); moving to tried
 * replaces an entry that is pushed back to new, or with `testBeforeEvict` waits as a "tried collision" until a
 * feeler connection has tested the incumbent (Core's `ResolveCollisions`).
 *
 * `add`, `good`, `attempt`, `connected`, `setServices`, `select` and `getAddr` follow Core's `AddrManImpl`
 * (`IsTerrible`, `GetChance`, the chance factor growing by 1.2 per rejected pick). Changes are tracked so that
 * {@link AddrManDb} writes only what changed.
 *
 * @module
 */

import { sha256d } from "../core/hash/hashes.ts";
import { formatAddressPort, formatIp, type NetAddress, type PeerAddress } from "./address.ts";
import { netClass, type NetClassOptions, netGroup, type NetworkId, serviceKey } from "./netaddr.ts";

/** Core's `ADDRMAN_NEW_BUCKET_COUNT`, `ADDRMAN_TRIED_BUCKET_COUNT` and `ADDRMAN_BUCKET_SIZE`. */
export const NEW_BUCKET_COUNT = 1024;
export const TRIED_BUCKET_COUNT = 256;
export const BUCKET_SIZE = 64;
/** Core's `ADDRMAN_TRIED_BUCKETS_PER_GROUP`, `ADDRMAN_NEW_BUCKETS_PER_SOURCE_GROUP`, `..._PER_ADDRESS`. */
export const TRIED_BUCKETS_PER_GROUP = 8;
export const NEW_BUCKETS_PER_SOURCE_GROUP = 64;
export const NEW_BUCKETS_PER_ADDRESS = 8;
/** Core's `ADDRMAN_HORIZON` (30 days), in seconds. */
export const HORIZON_S = 30 * 24 * 3600;
/** Core's `ADDRMAN_RETRIES`, `ADDRMAN_MAX_FAILURES`. */
export const RETRIES = 3;
export const MAX_FAILURES = 10;
/** Core's `ADDRMAN_MIN_FAIL` (7 days), `ADDRMAN_REPLACEMENT` (4 hours), `ADDRMAN_TEST_WINDOW` (40 minutes). */
export const MIN_FAIL_S = 7 * 24 * 3600;
export const REPLACEMENT_S = 4 * 3600;
export const TEST_WINDOW_S = 40 * 60;
/** Core's `ADDRMAN_SET_TRIED_COLLISION_SIZE`. */
export const SET_TRIED_COLLISION_SIZE = 10;

/** An address with the manager's bookkeeping (Core's `AddrInfo`). */
export interface AddrInfo extends PeerAddress {
  /** Where we first heard of it. */
  readonly source: Pick<NetAddress, "net" | "addr">;
  /** Last connection attempt, seconds (0: never). */
  readonly lastTry: number;
  /** Last attempt counted as a failure. */
  readonly lastCountAttempt: number;
  /** Last successful connection. */
  readonly lastSuccess: number;
  /** Failed attempts since the last success. */
  readonly attempts: number;
  /** New-table references (0 when in tried). */
  readonly refCount: number;
  /** In the tried table. */
  readonly inTried: boolean;
}

interface Info {
  net: number;
  addr: Uint8Array;
  port: number;
  services: bigint;
  time: number;
  source: { net: number; addr: Uint8Array };
  lastTry: number;
  lastCountAttempt: number;
  lastSuccess: number;
  attempts: number;
  refCount: number;
  inTried: boolean;
  randomPos: number;
  /** `serviceKey` in hex: the map key and the database key. */
  readonly keyHex: string;
}

/** A persisted address (see {@link AddrMan.records}). */
export interface AddrRecord {
  readonly net: number;
  readonly addr: Uint8Array;
  readonly port: number;
  readonly services: bigint;
  readonly time: number;
  readonly srcNet: number;
  readonly srcAddr: Uint8Array;
  readonly lastTry: number;
  readonly lastCountAttempt: number;
  readonly lastSuccess: number;
  readonly attempts: number;
  readonly inTried: boolean;
  /** New-table slots (`bucket * 64 + position`) it occupies. */
  readonly newSlots: readonly number[];
}

/** Options of {@link AddrMan}. */
export interface AddrManOptions {
  /** The 32-byte secret bucketing key (default: random; Core's `-test=addrman` uses 1). */
  readonly key?: Uint8Array;
  /** Random numbers in [0, 1) (default `Math.random`; tests pass a seeded one). */
  readonly random?: () => number;
  /** The clock in seconds (default the system clock). */
  readonly now?: () => number;
  /** Classification options (loopback as routable for regtest tests). */
  readonly netClass?: NetClassOptions;
  /** Debug log (category `addrman`); messages are built only when this is given. */
  readonly log?: (msg: string) => void;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function hex(b: Uint8Array): string {
  let out = "";
  for (let i = 0; i < b.length; i++) out += HEX[b[i]];
  return out;
}

/**
 * Core's `HashWriter{} << …` then `GetCheapHash` (the first 8 bytes of SHA256d, little-endian), reduced to its
 * low 32 bits: every modulus Core takes of it (8, 64, 256, 1024) is a power of two, so only those bits count.
 */
function cheapHash(parts: readonly Uint8Array[]): number {
  let len = 0;
  for (const p of parts) len += p.length;
  const buf = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    buf.set(p, o);
    o += p.length;
  }
  const h = sha256d(buf);
  return (h[0] | (h[1] << 8) | (h[2] << 16) | (h[3] << 24)) >>> 0;
}

/** A byte vector as Core serializes it: compact-size length, then the bytes (lengths here are < 253). */
function vec(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length + 1);
  out[0] = b.length;
  out.set(b, 1);
  return out;
}

/** A uint64 below 2^32 as 8 little-endian bytes. */
function u64le(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
}

function i32le(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, n, true);
  return out;
}

/** The deterministic key of Core's `-test=addrman` (`uint256{1}`). */
export function deterministicAddrManKey(): Uint8Array {
  const k = new Uint8Array(32);
  k[0] = 1;
  return k;
}

/** A small seeded generator (mulberry32) for deterministic address managers. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The address manager. */
export class AddrMan {
  readonly #key: Uint8Array;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #nc: NetClassOptions;
  readonly #logFn: ((msg: string) => void) | undefined;
  readonly #info = new Map<number, Info>();
  readonly #byKey = new Map<string, number>();
  readonly #vRandom: number[] = [];
  readonly #new = new Int32Array(NEW_BUCKET_COUNT * BUCKET_SIZE).fill(-1);
  readonly #tried = new Int32Array(TRIED_BUCKET_COUNT * BUCKET_SIZE).fill(-1);
  readonly #collisions = new Set<number>();
  readonly #netCounts = new Map<NetworkId, { nNew: number; nTried: number }>();
  readonly #dirty = new Set<string>();
  #nextId = 0;
  #nNew = 0;
  #nTried = 0;
  #lastGood = 1;

  /** @param options key, randomness, clock, classification, log. */
  constructor(options: AddrManOptions = {}) {
    this.#key = options.key ?? crypto.getRandomValues(new Uint8Array(32));
    if (this.#key.length !== 32) {
      throw new Error(`Cannot use address manager key: length is ${this.#key.length}`);
    }
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.#nc = options.netClass ?? {};
    this.#logFn = options.log;
  }

  #log(msg: () => string): void {
    if (this.#logFn !== undefined) this.#logFn(msg());
  }

  /** The secret bucketing key (persisted with the addresses). */
  get key(): Uint8Array {
    return this.#key;
  }

  // --- bucket arithmetic (Core's AddrInfo methods) ---

  /** Core's `GetTriedBucket`. */
  triedBucket(a: NetAddress): number {
    const h1 = cheapHash([this.#key, vec(serviceKey(a))]);
    const h2 = cheapHash([
      this.#key,
      vec(netGroup(a, this.#nc)),
      u64le(h1 % TRIED_BUCKETS_PER_GROUP),
    ]);
    return h2 % TRIED_BUCKET_COUNT;
  }

  /** Core's `GetNewBucket` for an address heard of from `source`. */
  newBucket(a: NetAddress, source: Pick<NetAddress, "net" | "addr">): number {
    const srcGroup = vec(netGroup(source, this.#nc));
    const h1 = cheapHash([this.#key, vec(netGroup(a, this.#nc)), srcGroup]);
    const h2 = cheapHash([this.#key, srcGroup, u64le(h1 % NEW_BUCKETS_PER_SOURCE_GROUP)]);
    return h2 % NEW_BUCKET_COUNT;
  }

  /** Core's `GetBucketPosition`. */
  bucketPosition(a: NetAddress, isNew: boolean, bucket: number): number {
    const h = cheapHash([this.#key, Uint8Array.of(isNew ? 0x4e : 0x4b), i32le(bucket), vec(serviceKey(a))]);
    return h % BUCKET_SIZE;
  }

  // --- sizes ---

  /** Core's `Size`: addresses of `network` (all when absent), in new, tried or both. */
  size(network?: NetworkId, inNew?: boolean): number {
    if (network === undefined) {
      return inNew === undefined ? this.#vRandom.length : inNew ? this.#nNew : this.#nTried;
    }
    const c = this.#netCounts.get(network);
    if (c === undefined) return 0;
    return inNew === undefined ? c.nNew + c.nTried : inNew ? c.nNew : c.nTried;
  }

  // --- Core's IsTerrible / GetChance ---

  #isTerrible(info: Info, now: number): boolean {
    if (now - info.lastTry <= 60) return false; // tried in the last minute
    if (info.time > now + 10 * 60) return true; // from the future
    if (now - info.time > HORIZON_S) return true; // not seen recently
    if (info.lastSuccess === 0 && info.attempts >= RETRIES) return true; // never a success
    if (now - info.lastSuccess > MIN_FAIL_S && info.attempts >= MAX_FAILURES) return true; // failures this week
    return false;
  }

  #chance(info: Info, now: number): number {
    let c = 1;
    if (now - info.lastTry < 10 * 60) c *= 0.01;
    return c * Math.pow(0.66, Math.min(info.attempts, 8));
  }

  /** Core's `AddrInfo::IsTerrible` for the entry of `a` (false when unknown). */
  isTerrible(a: NetAddress, now = this.#now()): boolean {
    const info = this.#find(a);
    return info !== undefined && this.#isTerrible(info[1], now);
  }

  // --- table maintenance ---

  #find(a: NetAddress): [number, Info] | undefined {
    const id = this.#byKey.get(hex(serviceKey(a)));
    if (id === undefined) return undefined;
    const info = this.#info.get(id);
    return info === undefined ? undefined : [id, info];
  }

  #counts(info: Info): { nNew: number; nTried: number } {
    const net = netClass(info, this.#nc);
    let c = this.#netCounts.get(net);
    if (c === undefined) this.#netCounts.set(net, c = { nNew: 0, nTried: 0 });
    return c;
  }

  #create(a: PeerAddress, source: Pick<NetAddress, "net" | "addr">): [number, Info] {
    const id = this.#nextId++;
    const keyHex = hex(serviceKey(a));
    const info: Info = {
      net: a.net,
      addr: a.addr.slice(),
      port: a.port,
      services: a.services,
      time: a.time,
      source: { net: source.net, addr: source.addr.slice() },
      lastTry: 0,
      lastCountAttempt: 0,
      lastSuccess: 0,
      attempts: 0,
      refCount: 0,
      inTried: false,
      randomPos: this.#vRandom.length,
      keyHex,
    };
    this.#info.set(id, info);
    this.#byKey.set(keyHex, id);
    this.#vRandom.push(id);
    this.#nNew++;
    this.#counts(info).nNew++;
    this.#dirty.add(keyHex);
    return [id, info];
  }

  #swapRandom(p1: number, p2: number): void {
    if (p1 === p2) return;
    const id1 = this.#vRandom[p1];
    const id2 = this.#vRandom[p2];
    this.#info.get(id1)!.randomPos = p2;
    this.#info.get(id2)!.randomPos = p1;
    this.#vRandom[p1] = id2;
    this.#vRandom[p2] = id1;
  }

  #delete(id: number): void {
    const info = this.#info.get(id)!;
    this.#swapRandom(info.randomPos, this.#vRandom.length - 1);
    this.#vRandom.pop();
    this.#counts(info).nNew--;
    this.#byKey.delete(info.keyHex);
    this.#info.delete(id);
    this.#nNew--;
    this.#dirty.add(info.keyHex);
  }

  #clearNew(bucket: number, pos: number): void {
    const slot = bucket * BUCKET_SIZE + pos;
    const id = this.#new[slot];
    if (id === -1) return;
    const info = this.#info.get(id)!;
    info.refCount--;
    this.#new[slot] = -1;
    this.#dirty.add(info.keyHex);
    this.#log(() => `Removed ${formatAddressPort(info)} from new[${bucket}][${pos}]`);
    if (info.refCount === 0) this.#delete(id);
  }

  #makeTried(id: number, info: Info): void {
    const start = this.newBucket(info, info.source);
    for (let n = 0; n < NEW_BUCKET_COUNT && info.refCount > 0; n++) {
      const bucket = (start + n) % NEW_BUCKET_COUNT;
      const slot = bucket * BUCKET_SIZE + this.bucketPosition(info, true, bucket);
      if (this.#new[slot] === id) {
        this.#new[slot] = -1;
        info.refCount--;
      }
    }
    this.#nNew--;
    this.#counts(info).nNew--;
    const kb = this.triedBucket(info);
    const kp = this.bucketPosition(info, false, kb);
    const tslot = kb * BUCKET_SIZE + kp;
    const evictId = this.#tried[tslot];
    if (evictId !== -1) {
      // The incumbent goes back to the new table, in the bucket of its own source.
      const old = this.#info.get(evictId)!;
      old.inTried = false;
      this.#tried[tslot] = -1;
      this.#nTried--;
      this.#counts(old).nTried--;
      const ub = this.newBucket(old, old.source);
      const up = this.bucketPosition(old, true, ub);
      this.#clearNew(ub, up);
      old.refCount = 1;
      this.#new[ub * BUCKET_SIZE + up] = evictId;
      this.#nNew++;
      this.#counts(old).nNew++;
      this.#dirty.add(old.keyHex);
      this.#log(() =>
        `Moved ${formatAddressPort(old)} from tried[${kb}][${kp}] to new[${ub}][${up}] to make space`
      );
    }
    this.#tried[tslot] = id;
    this.#nTried++;
    info.inTried = true;
    this.#counts(info).nTried++;
    this.#dirty.add(info.keyHex);
  }

  // --- Core's public operations ---

  #addSingle(a: PeerAddress, source: Pick<NetAddress, "net" | "addr">, penalty: number): boolean {
    if (netClass(a, this.#nc) === 0) return false; // not routable
    const found = this.#find(a);
    if (
      a.net === source.net && a.addr.length === source.addr.length &&
      a.addr.every((b, i) => b === source.addr[i])
    ) {
      penalty = 0;
    }
    let id: number;
    let info: Info;
    if (found !== undefined) {
      [id, info] = found;
      const now = this.#now();
      const online = now - a.time < 24 * 3600;
      const interval = online ? 3600 : 24 * 3600;
      if (info.time < a.time - interval - penalty) info.time = Math.max(0, a.time - penalty);
      info.services |= a.services;
      this.#dirty.add(info.keyHex);
      if (a.time <= info.time) return false; // nothing new
      if (info.inTried) return false;
      if (info.refCount === NEW_BUCKETS_PER_ADDRESS) return false;
      // Each further copy is half as likely as the last.
      if (info.refCount > 0 && Math.floor(this.#random() * (1 << info.refCount)) !== 0) return false;
    } else {
      [id, info] = this.#create(a, source);
      info.time = Math.max(0, info.time - penalty);
    }
    const bucket = this.newBucket(a, source);
    const pos = this.bucketPosition(a, true, bucket);
    const slot = bucket * BUCKET_SIZE + pos;
    let insert = this.#new[slot] === -1;
    if (this.#new[slot] !== id) {
      if (!insert) {
        const existing = this.#info.get(this.#new[slot])!;
        if (this.#isTerrible(existing, this.#now()) || (existing.refCount > 1 && info.refCount === 0)) {
          insert = true;
        }
      }
      if (insert) {
        this.#clearNew(bucket, pos);
        info.refCount++;
        this.#new[slot] = id;
        this.#dirty.add(info.keyHex);
        this.#log(() => `Added ${formatAddressPort(a)} to new[${bucket}][${pos}]`);
      } else if (info.refCount === 0) {
        this.#delete(id);
      }
    }
    return insert;
  }

  /**
   * Core's `Add`: addresses heard of from `source`, their time set back by `timePenaltyS` (unless an address
   * announces itself). True when at least one was added to a new bucket.
   */
  add(addrs: readonly PeerAddress[], source: Pick<NetAddress, "net" | "addr">, timePenaltyS = 0): boolean {
    let added = 0;
    for (const a of addrs) if (this.#addSingle(a, source, timePenaltyS)) added++;
    if (added > 0) {
      this.#log(() =>
        `Added ${added} addresses (of ${addrs.length}) from ${
          formatIp(source)
        }: ${this.#nTried} tried, ${this.#nNew} new`
      );
    }
    return added > 0;
  }

  /**
   * Core's `Good`: a connection to `a` succeeded; it moves to the tried table. With `testBeforeEvict` (the
   * default) an occupied tried slot makes it a tried collision instead (false).
   */
  good(a: NetAddress, time = this.#now(), testBeforeEvict = true): boolean {
    this.#lastGood = time;
    const found = this.#find(a);
    if (found === undefined) return false;
    const [id, info] = found;
    info.lastSuccess = time;
    info.lastTry = time;
    info.attempts = 0;
    this.#dirty.add(info.keyHex);
    if (info.inTried || info.refCount === 0) return false;
    const tb = this.triedBucket(info);
    const tp = this.bucketPosition(info, false, tb);
    const occupant = this.#tried[tb * BUCKET_SIZE + tp];
    if (testBeforeEvict && occupant !== -1) {
      if (this.#collisions.size < SET_TRIED_COLLISION_SIZE) this.#collisions.add(id);
      const other = this.#info.get(occupant);
      this.#log(() =>
        `Collision with ${other ? formatAddressPort(other) : "<unknown-addr>"} while attempting to move ${
          formatAddressPort(info)
        } to tried table. Collisions=${this.#collisions.size}`
      );
      return false;
    }
    this.#makeTried(id, info);
    this.#log(() => `Moved ${formatAddressPort(info)} to tried[${tb}][${tp}]`);
    return true;
  }

  /** Core's `Attempt`: a connection to `a` is being tried; `countFailure` counts it against the address. */
  attempt(a: NetAddress, countFailure: boolean, time = this.#now()): void {
    const found = this.#find(a);
    if (found === undefined) return;
    const info = found[1];
    info.lastTry = time;
    if (countFailure && info.lastCountAttempt < this.#lastGood) {
      info.lastCountAttempt = time;
      info.attempts++;
    }
    this.#dirty.add(info.keyHex);
  }

  /** Core's `Connected`: a full outbound connection to `a` ended; its time is refreshed (every 20 minutes). */
  connected(a: NetAddress, time = this.#now()): void {
    const found = this.#find(a);
    if (found === undefined) return;
    if (time - found[1].time > 20 * 60) {
      found[1].time = time;
      this.#dirty.add(found[1].keyHex);
    }
  }

  /** Core's `SetServices`. */
  setServices(a: NetAddress, services: bigint): void {
    const found = this.#find(a);
    if (found === undefined) return;
    found[1].services = services;
    this.#dirty.add(found[1].keyHex);
  }

  #randRange(n: number): number {
    return Math.min(n - 1, Math.floor(this.#random() * n));
  }

  /**
   * Core's `Select`: a random address to connect to, tried or new with equal odds (new only with `newOnly`),
   * recently tried and often failed ones less likely; restricted to `networks` when given. Null when empty.
   */
  select(newOnly = false, networks?: ReadonlySet<NetworkId>): { addr: AddrInfo; lastTry: number } | null {
    if (this.#vRandom.length === 0) return null;
    let newCount = this.#nNew;
    let triedCount = this.#nTried;
    if (networks !== undefined && networks.size > 0) {
      newCount = 0;
      triedCount = 0;
      for (const n of networks) {
        const c = this.#netCounts.get(n);
        if (c === undefined) continue;
        newCount += c.nNew;
        triedCount += c.nTried;
      }
    }
    if (newOnly && newCount === 0) return null;
    if (newCount + triedCount === 0) return null;
    const searchTried = newOnly || triedCount === 0 ? false : newCount === 0 ? true : this.#random() < 0.5;
    const table = searchTried ? this.#tried : this.#new;
    const bucketCount = searchTried ? TRIED_BUCKET_COUNT : NEW_BUCKET_COUNT;
    const now = this.#now();
    let chanceFactor = 1;
    for (;;) {
      const bucket = this.#randRange(bucketCount);
      const initial = this.#randRange(BUCKET_SIZE);
      let id = -1;
      for (let i = 0; i < BUCKET_SIZE; i++) {
        const candidate = table[bucket * BUCKET_SIZE + (initial + i) % BUCKET_SIZE];
        if (candidate === -1) continue;
        if (networks !== undefined && networks.size > 0) {
          const info = this.#info.get(candidate)!;
          if (!networks.has(netClass(info, this.#nc))) continue;
        }
        id = candidate;
        break;
      }
      if (id === -1) continue;
      const info = this.#info.get(id)!;
      if (this.#randRange(1 << 30) < chanceFactor * this.#chance(info, now) * (1 << 30)) {
        this.#log(() => `Selected ${formatAddressPort(info)} from ${searchTried ? "tried" : "new"}`);
        return { addr: this.#view(info), lastTry: info.lastTry };
      }
      chanceFactor *= 1.2;
    }
  }

  /**
   * Core's `GetAddr`: up to `maxAddresses` (0: no limit) and `maxPct` percent (0: no limit) of the addresses
   * in random order, of `network` only when given, terrible ones left out when `filtered`.
   */
  getAddr(maxAddresses: number, maxPct: number, network?: NetworkId, filtered = true): AddrInfo[] {
    let nodes = this.#vRandom.length;
    if (maxPct !== 0) nodes = Math.floor(Math.min(maxPct, 100) * nodes / 100);
    if (maxAddresses !== 0) nodes = Math.min(nodes, maxAddresses);
    const now = this.#now();
    const out: AddrInfo[] = [];
    for (let n = 0; n < this.#vRandom.length && out.length < nodes; n++) {
      this.#swapRandom(n, this.#randRange(this.#vRandom.length - n) + n);
      const info = this.#info.get(this.#vRandom[n])!;
      if (network !== undefined && netClass(info, this.#nc) !== network) continue;
      if (filtered && this.#isTerrible(info, now)) continue;
      out.push(this.#view(info));
    }
    this.#log(() => `GetAddr returned ${out.length} random addresses`);
    return out;
  }

  /** Core's `ResolveCollisions`: tried collisions settled by the incumbent's recent history. */
  resolveCollisions(): void {
    const now = this.#now();
    for (const idNew of [...this.#collisions]) {
      let erase = false;
      const infoNew = this.#info.get(idNew);
      if (infoNew === undefined) {
        erase = true;
      } else {
        const tb = this.triedBucket(infoNew);
        const occupant = this.#tried[tb * BUCKET_SIZE + this.bucketPosition(infoNew, false, tb)];
        if (occupant !== -1) {
          const old = this.#info.get(occupant)!;
          if (now - old.lastSuccess < REPLACEMENT_S) {
            erase = true; // the incumbent answered recently: keep it
          } else if (now - old.lastTry < REPLACEMENT_S) {
            if (now - old.lastTry > 60) {
              this.#log(() =>
                `Replacing ${formatAddressPort(old)} with ${formatAddressPort(infoNew)} in tried table`
              );
              this.good(infoNew, now, false);
              erase = true;
            }
          } else if (now - infoNew.lastSuccess > TEST_WINDOW_S) {
            this.#log(() =>
              `Unable to test; replacing ${formatAddressPort(old)} with ${
                formatAddressPort(infoNew)
              } in tried table anyway`
            );
            this.good(infoNew, now, false);
            erase = true;
          }
        } else {
          this.good(infoNew, now, false);
          erase = true;
        }
      }
      if (erase) this.#collisions.delete(idNew);
    }
  }

  /** Core's `SelectTriedCollision`: the incumbent of a random tried collision, for a feeler to test. */
  selectTriedCollision(): { addr: AddrInfo; lastTry: number } | null {
    if (this.#collisions.size === 0) return null;
    const ids = [...this.#collisions];
    const idNew = ids[this.#randRange(ids.length)];
    const infoNew = this.#info.get(idNew);
    if (infoNew === undefined) {
      this.#collisions.delete(idNew);
      return null;
    }
    const tb = this.triedBucket(infoNew);
    const old = this.#info.get(this.#tried[tb * BUCKET_SIZE + this.bucketPosition(infoNew, false, tb)]);
    if (old === undefined) return null;
    return { addr: this.#view(old), lastTry: old.lastTry };
  }

  /** Core's `GetEntries`: every slot of the new or tried table in bucket/position order, with its entry. */
  entries(fromTried: boolean): { addr: AddrInfo; bucket: number; position: number }[] {
    const table = fromTried ? this.#tried : this.#new;
    const out: { addr: AddrInfo; bucket: number; position: number }[] = [];
    for (let slot = 0; slot < table.length; slot++) {
      const id = table[slot];
      if (id === -1) continue;
      out.push({
        addr: this.#view(this.#info.get(id)!),
        bucket: Math.floor(slot / BUCKET_SIZE),
        position: slot % BUCKET_SIZE,
      });
    }
    return out;
  }

  /** The entry of `a`, if known, and where it sits. */
  find(a: NetAddress): (AddrInfo & { newSlots: number[]; triedSlot: number | null }) | undefined {
    const found = this.#find(a);
    if (found === undefined) return undefined;
    const [id, info] = found;
    return { ...this.#view(info), ...this.#slots(id, info) };
  }

  #slots(id: number, info: Info): { newSlots: number[]; triedSlot: number | null } {
    if (info.inTried) {
      const tb = this.triedBucket(info);
      return { newSlots: [], triedSlot: tb * BUCKET_SIZE + this.bucketPosition(info, false, tb) };
    }
    const newSlots: number[] = [];
    if (info.refCount > 0) {
      for (let s = 0; s < this.#new.length; s++) if (this.#new[s] === id) newSlots.push(s);
    }
    return { newSlots, triedSlot: null };
  }

  #view(info: Info): AddrInfo {
    return {
      net: info.net,
      addr: info.addr,
      port: info.port,
      services: info.services,
      time: info.time,
      source: info.source,
      lastTry: info.lastTry,
      lastCountAttempt: info.lastCountAttempt,
      lastSuccess: info.lastSuccess,
      attempts: info.attempts,
      refCount: info.refCount,
      inTried: info.inTried,
    };
  }

  // --- persistence support ---

  /** Every entry's new-table slots, from one pass over the table. */
  #newSlotIndex(): Map<number, number[]> {
    const index = new Map<number, number[]>();
    for (let s = 0; s < this.#new.length; s++) {
      const id = this.#new[s];
      if (id === -1) continue;
      const list = index.get(id);
      if (list === undefined) index.set(id, [s]);
      else list.push(s);
    }
    return index;
  }

  #record(id: number, info: Info, index: Map<number, number[]>): AddrRecord {
    return {
      net: info.net,
      addr: info.addr,
      port: info.port,
      services: info.services,
      time: info.time,
      srcNet: info.source.net,
      srcAddr: info.source.addr,
      lastTry: info.lastTry,
      lastCountAttempt: info.lastCountAttempt,
      lastSuccess: info.lastSuccess,
      attempts: info.attempts,
      inTried: info.inTried,
      newSlots: info.inTried ? [] : index.get(id) ?? [],
    };
  }

  /** Every entry as a record (database key: `serviceKey` in hex). */
  records(): Map<string, AddrRecord> {
    const out = new Map<string, AddrRecord>();
    const index = this.#newSlotIndex();
    for (const [id, info] of this.#info) out.set(info.keyHex, this.#record(id, info, index));
    return out;
  }

  /** What changed since the last call: records to write, and keys of entries gone. */
  takeChanges(): { put: Map<string, AddrRecord>; deleted: string[] } {
    const put = new Map<string, AddrRecord>();
    const deleted: string[] = [];
    const index = this.#newSlotIndex();
    for (const k of this.#dirty) {
      const id = this.#byKey.get(k);
      if (id === undefined) deleted.push(k);
      else put.set(k, this.#record(id, this.#info.get(id)!, index));
    }
    this.#dirty.clear();
    return { put, deleted };
  }

  /** Whether there are changes not yet taken. */
  get dirty(): boolean {
    return this.#dirty.size > 0;
  }

  /**
   * Restores persisted entries (into an empty manager with the key they were written with): tried entries to
   * their tried slot (to new when it is taken), new entries to their recorded slots when those still match,
   * else to the slot of their source. Entries that find no place are dropped (and reported as changes).
   */
  restore(records: Iterable<AddrRecord>): void {
    const pendingNew: [number, Info, readonly number[]][] = [];
    for (const r of records) {
      if (this.#byKey.has(hex(serviceKey(r)))) continue;
      const [id, info] = this.#create(
        { net: r.net, addr: r.addr, port: r.port, services: r.services, time: r.time },
        { net: r.srcNet, addr: r.srcAddr },
      );
      info.lastTry = r.lastTry;
      info.lastCountAttempt = r.lastCountAttempt;
      info.lastSuccess = r.lastSuccess;
      info.attempts = r.attempts;
      if (r.inTried) {
        const tb = this.triedBucket(info);
        const slot = tb * BUCKET_SIZE + this.bucketPosition(info, false, tb);
        if (this.#tried[slot] === -1) {
          this.#tried[slot] = id;
          info.inTried = true;
          this.#nNew--;
          this.#counts(info).nNew--;
          this.#nTried++;
          this.#counts(info).nTried++;
          continue;
        }
      }
      pendingNew.push([id, info, r.newSlots]);
    }
    for (const [id, info, slots] of pendingNew) {
      for (const s of slots) {
        if (info.refCount >= NEW_BUCKETS_PER_ADDRESS) break;
        const bucket = Math.floor(s / BUCKET_SIZE);
        if (
          Number.isInteger(s) && s >= 0 && s < this.#new.length && this.#new[s] === -1 &&
          this.bucketPosition(info, true, bucket) === s % BUCKET_SIZE
        ) {
          this.#new[s] = id;
          info.refCount++;
        }
      }
      if (info.refCount === 0) {
        const b = this.newBucket(info, info.source);
        const slot = b * BUCKET_SIZE + this.bucketPosition(info, true, b);
        if (this.#new[slot] === -1) {
          this.#new[slot] = id;
          info.refCount = 1;
        }
      }
      if (info.refCount === 0) this.#delete(id);
    }
    // What was restored as recorded need not be written again.
    const gone = [...this.#dirty].filter((k) => !this.#byKey.has(k));
    this.#dirty.clear();
    for (const k of gone) this.#dirty.add(k);
  }
}
