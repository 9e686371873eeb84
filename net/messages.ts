/**
 * Typed P2P messages and their payload codecs (the idea of btcd's `wire` package, with Bitcoin Core's formats
 * and limits): one interface per message, a {@link NetMessage} union discriminated by `type` (the command),
 * {@link encodePayload}/{@link encodeMessage} to bytes and {@link decodePayload}, which never throws and tells
 * malformed payloads ({@link DecodeError}) from payloads that break Core's limits ({@link MessageLimitError},
 * with Core's reason text and treatment).
 *
 * Like Core, decoders ignore bytes after the fields they read, and `version` accepts the older, shorter forms.
 * Blocks and transactions use `core/wire`'s codecs (decoded values are views into the payload).
 *
 * @module
 */

import { readBlock, readBlockHeader, writeBlock, writeBlockHeader } from "../core/wire/block.ts";
import { DecodeError } from "../core/wire/errors.ts";
import { readBlockLocator, writeBlockLocator } from "../core/wire/locator.ts";
import { ByteReader } from "../core/wire/reader.ts";
import { readTransaction, writeTransaction } from "../core/wire/transaction.ts";
import type { EncodeTransactionOptions } from "../core/wire/transaction.ts";
import type { Block, BlockHeader, Transaction } from "../core/wire/types.ts";
import { ByteWriter } from "../core/wire/writer.ts";
import {
  minPeerAddressSize,
  readAddressV1,
  readPeerAddress,
  UNSPECIFIED_ADDRESS,
  writeAddressV1,
  writePeerAddress,
} from "./address.ts";
import type { PeerAddress, VersionAddress } from "./address.ts";
import {
  readBlockTransactions,
  readBlockTransactionsRequest,
  readCompactBlock,
  writeBlockTransactions,
  writeBlockTransactionsRequest,
  writeCompactBlock,
} from "./compact_blocks.ts";
import type { BlockTransactions, BlockTransactionsRequest, CompactBlock } from "./compact_blocks.ts";
import { MessageLimitError } from "./errors.ts";
import { frameMessage } from "./header.ts";
import {
  MAX_ADDR_TO_SEND,
  MAX_HEADERS_RESULTS,
  MAX_INV_SZ,
  MAX_LOCATOR_SZ,
  MAX_SUBVERSION_LENGTH,
} from "./protocol.ts";

/** `version`: the first message of each side. */
export interface VersionMessage {
  readonly type: "version";
  /** Protocol version (int32). */
  readonly version: number;
  /** Services offered (uint64). */
  readonly services: bigint;
  /** Sender's time, seconds since the epoch (int64). */
  readonly timestamp: bigint;
  /** The receiver's address as the sender sees it (services, address, port; no time). */
  readonly addrRecv: VersionAddress;
  /** The sender's address (Core sends zeros). */
  readonly addrFrom: VersionAddress;
  /** Random nonce to detect connections to self (uint64). */
  readonly nonce: bigint;
  /** User agent (BIP14), each byte one character (Latin-1), at most 256 bytes. */
  readonly userAgent: string;
  /** Best block height of the sender (int32). */
  readonly startHeight: number;
  /** Whether the sender wants transaction relay (BIP37 `fRelay`). */
  readonly relay: boolean;
}

/** An inventory entry (Core's `CInv`). */
export interface InvItem {
  /** Inventory type (uint32, see `InvType`). */
  readonly type: number;
  /** Hash, 32 bytes, internal byte order. */
  readonly hash: Uint8Array;
}

/** Messages without payload. */
export interface EmptyMessage<T extends string> {
  readonly type: T;
}

/** `ping`/`pong`. */
export interface NonceMessage<T extends "ping" | "pong"> {
  readonly type: T;
  /** The nonce (uint64). */
  readonly nonce: bigint;
}

/** `addr` (pre-BIP155) or `addrv2` (BIP155). */
export interface AddrMessage<T extends "addr" | "addrv2"> {
  readonly type: T;
  /** The addresses, with time and services. */
  readonly addrs: readonly PeerAddress[];
}

/** `inv`, `getdata` or `notfound`. */
export interface InvMessage<T extends "inv" | "getdata" | "notfound"> {
  readonly type: T;
  /** The entries. */
  readonly items: readonly InvItem[];
}

/** `getheaders` or `getblocks`. */
export interface LocatorMessage<T extends "getheaders" | "getblocks"> {
  readonly type: T;
  /** The locator's version field (Core writes 70016 and ignores it). */
  readonly version: number;
  /** Locator hashes, newest first. */
  readonly locator: readonly Uint8Array[];
  /** Hash to stop at (all zeros: as many as allowed). */
  readonly hashStop: Uint8Array;
}

/** `headers`. */
export interface HeadersMessage {
  readonly type: "headers";
  /** The headers (each followed on the wire by a transaction count, written 0 and ignored when read). */
  readonly headers: readonly BlockHeader[];
}

/** `block`. */
export interface BlockMessage {
  readonly type: "block";
  /** The block. */
  readonly block: Block;
}

/** `tx`. */
export interface TxMessage {
  readonly type: "tx";
  /** The transaction. */
  readonly tx: Transaction;
}

/** `feefilter` (BIP133). */
export interface FeeFilterMessage {
  readonly type: "feefilter";
  /** Minimum fee rate in satoshis per 1000 virtual bytes (int64). */
  readonly feeRate: bigint;
}

/** `sendcmpct` (BIP152). */
export interface SendCmpctMessage {
  readonly type: "sendcmpct";
  /** High-bandwidth mode (announce new blocks with `cmpctblock` directly). */
  readonly highBandwidth: boolean;
  /** Compact block version (uint64; 2 for witness). */
  readonly version: bigint;
}

/** `cmpctblock`. */
export interface CmpctBlockMessage extends CompactBlock {
  readonly type: "cmpctblock";
}

/** `getblocktxn`. */
export interface GetBlockTxnMessage extends BlockTransactionsRequest {
  readonly type: "getblocktxn";
}

/** `blocktxn`. */
export interface BlockTxnMessage extends BlockTransactions {
  readonly type: "blocktxn";
}

/** A message whose command tsbtc does not decode (ignored by peers, as Core does). */
export interface UnknownMessage {
  readonly type: "unknown";
  /** The command. */
  readonly command: string;
  /** The raw payload. */
  readonly payload: Uint8Array;
}

/** Every message tsbtc speaks, discriminated by `type` (the command). */
export type NetMessage =
  | VersionMessage
  | EmptyMessage<"verack">
  | NonceMessage<"ping">
  | NonceMessage<"pong">
  | AddrMessage<"addr">
  | AddrMessage<"addrv2">
  | EmptyMessage<"sendaddrv2">
  | EmptyMessage<"getaddr">
  | InvMessage<"inv">
  | InvMessage<"getdata">
  | InvMessage<"notfound">
  | LocatorMessage<"getheaders">
  | LocatorMessage<"getblocks">
  | HeadersMessage
  | BlockMessage
  | TxMessage
  | EmptyMessage<"sendheaders">
  | FeeFilterMessage
  | SendCmpctMessage
  | CmpctBlockMessage
  | GetBlockTxnMessage
  | BlockTxnMessage
  | EmptyMessage<"wtxidrelay">
  | EmptyMessage<"mempool">
  | UnknownMessage;

/** The `type` of a decodable message (every {@link NetMessage} but `unknown`). */
export type KnownMessageType = Exclude<NetMessage["type"], "unknown">;

/** The message of type `T`. */
export type MessageOf<T extends NetMessage["type"]> = Extract<NetMessage, { type: T }>;

const EMPTY_TYPES = new Set(["verack", "sendaddrv2", "getaddr", "sendheaders", "wtxidrelay", "mempool"]);

/** Commands {@link decodePayload} decodes. */
export const KNOWN_MESSAGE_TYPES: ReadonlySet<string> = new Set<string>([
  ...EMPTY_TYPES,
  "version",
  "ping",
  "pong",
  "addr",
  "addrv2",
  "inv",
  "getdata",
  "notfound",
  "getheaders",
  "getblocks",
  "headers",
  "block",
  "tx",
  "feefilter",
  "sendcmpct",
  "cmpctblock",
  "getblocktxn",
  "blocktxn",
]);

/** The command of a message. */
export function messageCommand(msg: NetMessage): string {
  return msg.type === "unknown" ? msg.command : msg.type;
}

/** Options of {@link encodePayload} and {@link encodeMessage}. */
export interface EncodeMessageOptions {
  /** Serialize witnesses in `block`/`tx`/`blocktxn`/`cmpctblock` (default true; false for non-witness requests). */
  readonly witness?: boolean;
}

function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`Cannot encode user agent: character ${c} is not a byte`);
    out[i] = c;
  }
  return out;
}

function latin1String(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

function writeVersionAddress(w: ByteWriter, a: VersionAddress): void {
  w.u64(a.services);
  writeAddressV1(w, a);
}

function writeInv(w: ByteWriter, items: readonly InvItem[]): void {
  w.compactSize(items.length);
  for (const it of items) {
    if (it.hash.length !== 32) throw new RangeError("Cannot encode inventory: hash is not 32 bytes");
    w.u32(it.type).bytes(it.hash);
  }
}

/** The payload of `msg` (`RangeError` for values out of their field's range). */
export function encodePayload(msg: NetMessage, options: EncodeMessageOptions = {}): Uint8Array {
  const txOptions: EncodeTransactionOptions = { witness: options.witness ?? true };
  const w = new ByteWriter();
  switch (msg.type) {
    case "version": {
      const ua = latin1Bytes(msg.userAgent);
      if (ua.length > MAX_SUBVERSION_LENGTH) {
        throw new RangeError(`Cannot encode version: user agent is ${ua.length} bytes`);
      }
      w.i32(msg.version).u64(msg.services).i64(msg.timestamp);
      writeVersionAddress(w, msg.addrRecv);
      writeVersionAddress(w, msg.addrFrom);
      w.u64(msg.nonce).varBytes(ua).i32(msg.startHeight).u8(msg.relay ? 1 : 0);
      break;
    }
    case "ping":
    case "pong":
      w.u64(msg.nonce);
      break;
    case "addr":
    case "addrv2":
      w.compactSize(msg.addrs.length);
      for (const a of msg.addrs) writePeerAddress(w, a, msg.type === "addrv2");
      break;
    case "inv":
    case "getdata":
    case "notfound":
      writeInv(w, msg.items);
      break;
    case "getheaders":
    case "getblocks":
      if (msg.hashStop.length !== 32) {
        throw new RangeError(`Cannot encode ${msg.type}: hash stop is not 32 bytes`);
      }
      writeBlockLocator(w, msg.locator, msg.version);
      w.bytes(msg.hashStop);
      break;
    case "headers":
      w.compactSize(msg.headers.length);
      for (const h of msg.headers) {
        writeBlockHeader(w, h);
        w.u8(0);
      }
      break;
    case "block":
      writeBlock(w, msg.block, txOptions);
      break;
    case "tx":
      writeTransaction(w, msg.tx, txOptions);
      break;
    case "feefilter":
      w.i64(msg.feeRate);
      break;
    case "sendcmpct":
      w.u8(msg.highBandwidth ? 1 : 0).u64(msg.version);
      break;
    case "cmpctblock":
      writeCompactBlock(w, msg);
      break;
    case "getblocktxn":
      writeBlockTransactionsRequest(w, msg);
      break;
    case "blocktxn":
      writeBlockTransactions(w, msg);
      break;
    case "unknown":
      return msg.payload;
    default:
      // verack, sendaddrv2, getaddr, sendheaders, wtxidrelay, mempool: no payload.
      break;
  }
  return w.finish();
}

/** A whole framed message (header and payload) for the network with message start `magic`. */
export function encodeMessage(
  magic: Uint8Array,
  msg: NetMessage,
  options: EncodeMessageOptions = {},
): Uint8Array {
  return frameMessage(magic, messageCommand(msg), encodePayload(msg, options));
}

function readVersionAddress(r: ByteReader): VersionAddress {
  const services = r.u64();
  const a = readAddressV1(r);
  return { services, net: a.net, addr: a.addr, port: a.port };
}

function readVersion(r: ByteReader): VersionMessage {
  const version = r.i32();
  const services = r.u64();
  const timestamp = r.i64();
  const addrRecv = readVersionAddress(r);
  // Later fields are optional, as in Core: each is read only if bytes are left.
  let addrFrom: VersionAddress = {
    services: 0n,
    net: UNSPECIFIED_ADDRESS.net,
    addr: new Uint8Array(16),
    port: 0,
  };
  let nonce = 1n;
  let userAgent = "";
  let startHeight = -1;
  let relay = true;
  if (r.remaining > 0) {
    addrFrom = readVersionAddress(r);
    nonce = r.u64();
  }
  if (r.remaining > 0) {
    const at = r.pos;
    const n = r.compactSize();
    if (n > MAX_SUBVERSION_LENGTH) r.fail("String length limit exceeded", at);
    userAgent = latin1String(r.bytes(n));
  }
  if (r.remaining > 0) startHeight = r.i32();
  if (r.remaining > 0) relay = r.u8() !== 0;
  return {
    type: "version",
    version,
    services,
    timestamp,
    addrRecv,
    addrFrom,
    nonce,
    userAgent,
    startHeight,
    relay,
  };
}

function readInv(r: ByteReader, type: "inv" | "getdata" | "notfound"): InvMessage<typeof type> {
  const n = r.count(36, "inventory");
  const items: InvItem[] = new Array(n);
  for (let i = 0; i < n; i++) items[i] = { type: r.u32(), hash: r.bytes(32) };
  if (type !== "notfound" && n > MAX_INV_SZ) {
    throw new MessageLimitError(type, `${type} message size = ${n}`, "misbehaving");
  }
  return { type, items };
}

function readAddrs(r: ByteReader, type: "addr" | "addrv2"): AddrMessage<typeof type> {
  const v2 = type === "addrv2";
  const n = r.count(minPeerAddressSize(v2), "address");
  const addrs: PeerAddress[] = new Array(n);
  for (let i = 0; i < n; i++) addrs[i] = readPeerAddress(r, v2);
  if (n > MAX_ADDR_TO_SEND) throw new MessageLimitError(type, `${type} message size = ${n}`, "misbehaving");
  return { type, addrs };
}

function readLocatorMessage(r: ByteReader, type: "getheaders" | "getblocks"): LocatorMessage<typeof type> {
  const { version, hashes } = readBlockLocator(r);
  const hashStop = r.bytes(32);
  if (hashes.length > MAX_LOCATOR_SZ) {
    throw new MessageLimitError(
      type,
      `${type} locator size ${hashes.length} > ${MAX_LOCATOR_SZ}`,
      "disconnect",
    );
  }
  return { type, version, locator: hashes, hashStop };
}

function readHeaders(r: ByteReader): HeadersMessage {
  const n = r.compactSize();
  if (n > MAX_HEADERS_RESULTS) {
    throw new MessageLimitError("headers", `headers message size = ${n}`, "misbehaving");
  }
  if (n * 81 > r.remaining) r.fail(`header count ${n} needs at least ${n * 81} bytes, ${r.remaining} left`);
  const headers: BlockHeader[] = new Array(n);
  for (let i = 0; i < n; i++) {
    headers[i] = readBlockHeader(r);
    r.compactSize(); // the transaction count: ignored, as Core does
  }
  return { type: "headers", headers };
}

function read(r: ByteReader, command: string): NetMessage {
  switch (command) {
    case "version":
      return readVersion(r);
    case "ping":
    case "pong":
      return { type: command, nonce: r.u64() };
    case "addr":
    case "addrv2":
      return readAddrs(r, command);
    case "inv":
    case "getdata":
    case "notfound":
      return readInv(r, command);
    case "getheaders":
    case "getblocks":
      return readLocatorMessage(r, command);
    case "headers":
      return readHeaders(r);
    case "block":
      return { type: "block", block: readBlock(r) };
    case "tx":
      return { type: "tx", tx: readTransaction(r) };
    case "feefilter":
      return { type: "feefilter", feeRate: r.i64() };
    case "sendcmpct": {
      const hb = r.u8();
      const version = r.u64();
      if (hb > 1) throw new MessageLimitError("sendcmpct", "invalid sendcmpct announce field", "misbehaving");
      return { type: "sendcmpct", highBandwidth: hb === 1, version };
    }
    case "cmpctblock":
      return { type: "cmpctblock", ...readCompactBlock(r) };
    case "getblocktxn":
      return { type: "getblocktxn", ...readBlockTransactionsRequest(r) };
    case "blocktxn":
      return { type: "blocktxn", ...readBlockTransactions(r) };
    default:
      if (EMPTY_TYPES.has(command)) return { type: command } as NetMessage;
      return { type: "unknown", command, payload: r.data };
  }
}

/** Result of {@link decodePayload}. */
export type DecodeResult =
  | { readonly ok: true; readonly message: NetMessage }
  | { readonly ok: false; readonly error: DecodeError };

/**
 * Decodes the payload of a `command` message. Never throws: a malformed payload gives a {@link DecodeError}
 * (`Cannot decode inv: end of data …`), one breaking Core's limits a {@link MessageLimitError}. Unknown
 * commands give an `unknown` message. Decoded values may be views into `payload`.
 */
export function decodePayload(command: string, payload: Uint8Array): DecodeResult {
  const r = new ByteReader(payload, command);
  try {
    return { ok: true, message: read(r, command) };
  } catch (e) {
    if (e instanceof DecodeError) return { ok: false, error: e };
    const reason = e instanceof Error ? e.message : String(e);
    return { ok: false, error: new DecodeError(command, reason, r.pos) };
  }
}
