/**
 * The wallet database's keys and record encodings (Core's `walletdb.cpp` record types, in a Deno KV layout):
 *
 * - `["version"]` (layout), `["clientversion"]` (Core's `version` record: the last client that opened it),
 *   `["flags"]`, `["birthtime"]`: wallet metadata (JSON);
 * - `["best"]`: the last processed block `{hash, height}`; `["chain", height]`: hash of each block the wallet
 *   processed (its view of the active chain, for the locator it catches up from);
 * - `["desc", id]`: a descriptor with its range and next index; `["desccache", id, chunk]`: its derived scripts;
 * - `["active", "external" | "internal", type]`: id of the active descriptor of an output type;
 * - `["masterkey"]`: the encryption master key record (wallet/crypter.ts);
 * - `["tx", txid, part]`: a wallet transaction (metadata and serialization, split in parts of at most 60,000
 *   bytes);
 * - `["lockedutxo", "txid:vout"]`: persistent locked coins; `["addressbook", address]`: address book entries;
 * - `["setting", name]`: other wallet settings.
 *
 * A value over Deno KV's 64 KiB (a descriptor record with hundreds of keys, a script cache chunk of a wide
 * multisig) is stored in parts under `["part", ...key, i]` by the database (wallet/db/database.ts).
 *
 * @module
 */
import { decodeTransaction } from "../../core/wire/transaction.ts";
import type { Transaction } from "../../core/wire/types.ts";
import type { AddressBookEntry, TxState, WalletTx } from "../types.ts";

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** Database layout version written by this code. */
export const WALLET_DB_VERSION = 1;
/** Largest value part written (Deno KV allows 64 KiB). */
export const MAX_PART_BYTES = 60_000;

/** Record keys. */
export const Keys = {
  version: ["version"] as Deno.KvKey,
  clientVersion: ["clientversion"] as Deno.KvKey,
  flags: ["flags"] as Deno.KvKey,
  birthTime: ["birthtime"] as Deno.KvKey,
  best: ["best"] as Deno.KvKey,
  masterKey: ["masterkey"] as Deno.KvKey,
  chain: (height: number): Deno.KvKey => ["chain", height],
  desc: (id: string): Deno.KvKey => ["desc", id],
  descCache: (id: string, chunk: number): Deno.KvKey => ["desccache", id, chunk],
  active: (
    internal: boolean,
    type: string,
  ): Deno.KvKey => ["active", internal ? "internal" : "external", type],
  tx: (txid: string, part: number): Deno.KvKey => ["tx", txid, part],
  lockedUtxo: (outpoint: string): Deno.KvKey => ["lockedutxo", outpoint],
  addressBook: (address: string): Deno.KvKey => ["addressbook", address],
  setting: (name: string): Deno.KvKey => ["setting", name],
} as const;

/** JSON as bytes. */
export function encodeJson(value: unknown): Uint8Array {
  return utf8.encode(JSON.stringify(value));
}

/** Bytes as JSON. */
export function decodeJson<T>(bytes: Uint8Array): T {
  return JSON.parse(fromUtf8.decode(bytes)) as T;
}

/** A stored descriptor (Core's `WalletDescriptor` plus its keys). */
export interface DescriptorRecord {
  /** Public (normalized) descriptor text with checksum. */
  desc: string;
  /** Descriptor text with private keys, when the wallet is not encrypted. */
  priv?: string;
  /** Encrypted private descriptor text (hex), when the wallet is encrypted. */
  cpriv?: string;
  /** Creation / import time (Core's `creation_time`). */
  timestamp: number;
  /** First position of the range. */
  rangeStart: number;
  /** One past the last derived position (Core's `range_end`). */
  rangeEnd: number;
  /** Next position to hand out (Core's `next_index`). */
  nextIndex: number;
  /**
   * The root extended public keys of the descriptor as written with its private keys (Core's `GetPubKeys` on the
   * stored descriptor: the master key of a default descriptor, not the normalized account key) and whether the
   * wallet holds each one's private key; kept so `gethdkeys` knows them while the wallet is locked. Absent in
   * records written before it existed.
   */
  hdKeys?: HdKeyRecord[];
}

/** A BIP32 root key of a stored descriptor (see {@linkcode DescriptorRecord.hdKeys}). */
export interface HdKeyRecord {
  /** The extended public key (xpub/tpub). */
  xpub: string;
  /** Whether the wallet has its private key (plain or encrypted). */
  hasPrivate: boolean;
}

/** The last processed block. */
export interface BestBlockRecord {
  /** Block hash. */
  hash: string;
  /** Height. */
  height: number;
}

interface TxMeta {
  wtxid?: string;
  state: TxState;
  timeReceived: number;
  timeSmart: number;
  orderPos: number;
  mapValue: Record<string, string>;
  orderForm: Array<[string, string]>;
  mempoolConflicts: string[];
}

/** A wallet transaction as value parts (metadata length, metadata JSON, serialization). */
export function encodeWalletTx(wtx: WalletTx): Uint8Array[] {
  const meta: TxMeta = {
    wtxid: wtx.wtxid,
    state: wtx.state,
    timeReceived: wtx.timeReceived,
    timeSmart: wtx.timeSmart,
    orderPos: wtx.orderPos,
    mapValue: wtx.mapValue,
    orderForm: wtx.orderForm,
    mempoolConflicts: [...wtx.mempoolConflicts],
  };
  const m = utf8.encode(JSON.stringify(meta));
  const all = new Uint8Array(4 + m.length + wtx.raw.length);
  new DataView(all.buffer).setUint32(0, m.length, true);
  all.set(m, 4);
  all.set(wtx.raw, 4 + m.length);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < all.length; i += MAX_PART_BYTES) parts.push(all.subarray(i, i + MAX_PART_BYTES));
  return parts;
}

/**
 * The wallet transaction `txid` from its value parts (as {@linkcode encodeWalletTx} wrote them); `wtxid` computes
 * the wtxid of records written without it.
 */
export function decodeWalletTx(
  txid: string,
  wtxid: (tx: Transaction) => string,
  parts: Uint8Array[],
): WalletTx {
  let all: Uint8Array;
  if (parts.length === 1) all = parts[0];
  else {
    all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
  }
  if (all.length < 4) {
    throw new Error(`Cannot decode wallet transaction ${txid}: record is ${all.length} bytes`);
  }
  const n = new DataView(all.buffer, all.byteOffset, all.byteLength).getUint32(0, true);
  if (4 + n > all.length) throw new Error(`Cannot decode wallet transaction ${txid}: metadata is truncated`);
  const meta = JSON.parse(fromUtf8.decode(all.subarray(4, 4 + n))) as TxMeta;
  const raw = all.slice(4 + n);
  const tx = decodeTransaction(raw);
  return {
    txid,
    wtxid: meta.wtxid ?? wtxid(tx),
    tx,
    raw,
    state: meta.state,
    timeReceived: meta.timeReceived,
    timeSmart: meta.timeSmart,
    orderPos: meta.orderPos,
    mapValue: meta.mapValue ?? {},
    orderForm: meta.orderForm ?? [],
    mempoolConflicts: new Set(meta.mempoolConflicts ?? []),
  };
}

/** An address book entry as bytes. */
export function encodeAddressBookEntry(e: AddressBookEntry): Uint8Array {
  return encodeJson(e);
}

/**
 * Derived scripts of consecutive positions as one value: per position a count byte, then each script as a
 * 2-byte little-endian length and its bytes.
 */
export function encodeScriptChunk(scripts: readonly (readonly Uint8Array[])[]): Uint8Array {
  let size = 0;
  for (const list of scripts) {
    size += 1;
    for (const s of list) size += 2 + s.length;
  }
  const out = new Uint8Array(size);
  let o = 0;
  for (const list of scripts) {
    out[o++] = list.length;
    for (const s of list) {
      out[o++] = s.length & 0xff;
      out[o++] = s.length >> 8;
      out.set(s, o);
      o += s.length;
    }
  }
  return out;
}

/** The scripts of each position of a chunk written by {@linkcode encodeScriptChunk}. */
export function decodeScriptChunk(bytes: Uint8Array): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  let o = 0;
  while (o < bytes.length) {
    const n = bytes[o++];
    const list: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      if (o + 2 > bytes.length) throw new Error("Cannot decode script cache: truncated");
      const len = bytes[o] | (bytes[o + 1] << 8);
      o += 2;
      if (o + len > bytes.length) throw new Error("Cannot decode script cache: truncated");
      list.push(bytes.slice(o, o + len));
      o += len;
    }
    out.push(list);
  }
  return out;
}
