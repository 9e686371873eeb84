/**
 * The message logic of the node (Core's `PeerManagerImpl` in `net_processing.cpp`): headers-first block sync
 * with parallel download from several peers, in-flight limits, stall detection and timeouts; block
 * announcements by `headers` (BIP130) or `inv`, and by `cmpctblock` to peers that asked for high-bandwidth
 * compact blocks (BIP152); serving `getheaders`, `getblocks`, `getdata` (blocks, witness blocks, compact
 * blocks, transactions), `getblocktxn`; receiving compact blocks (reconstructed from the mempool, missing
 * transactions fetched with `getblocktxn`); transaction relay with BIP339 `wtxidrelay`, per-peer inventory
 * trickled at random (Poisson) intervals, fee filters (BIP133) sent and honoured, an orphan pool with limits,
 * recently rejected and recently confirmed filters, `mempool` for peers with the permission; misbehaviour leads
 * to discouragement and disconnection as in Core's `MaybeDiscourageAndDisconnect`.
 *
 * It attaches to each {@link Connection} of the {@link ConnectionManager} (see {@link PeerManager.attach}) and
 * follows the chain and mempool through the node's validation signals.
 *
 * @module
 */

import { blockHash } from "../core/wire/block.ts";
import { blockProof, checkProofOfWork } from "../core/pow.ts";
import { bytesEqual, reverseHex, ZERO_HASH } from "../core/hash/hashes.ts";
import { LOCATOR_DUMMY_VERSION, locatorHeights } from "../core/wire/locator.ts";
import { hasWitness, txid as txidOf, wtxid as wtxidOf } from "../core/wire/transaction.ts";
import type { Block, BlockHeader, Transaction } from "../core/wire/types.ts";
import type { BlockIndexEntry, Chainstate } from "../node/chain/types.ts";
import type { MempoolAcceptResult, PackageAcceptResult } from "../node/mempool/accept.ts";
import type { MempoolEntry } from "../node/mempool/entry.ts";
import type { ValidationInterface } from "../node/validation_signals.ts";
import type { Logger } from "../util/logging.ts";
import type { NetAddress, PeerAddress } from "./address.ts";
import type { AddrMan } from "./addrman.ts";
import type { BanMan } from "./banman.ts";
import { createCompactBlock } from "./compact_blocks.ts";
import {
  addressNetwork,
  formatAddr,
  isRoutable,
  type NetClassOptions,
  type NetworkId,
  serviceKey,
} from "./netaddr.ts";
import { SipHasher } from "./siphash.ts";
import type { Connection } from "./connman.ts";
import { isLocalAddress } from "./connman.ts";
import type { InvItem, NetMessage } from "./messages.ts";
import { isBlockMutated, PartiallyDownloadedBlock } from "./partial_block.ts";
import {
  DEFAULT_MAX_ORPHANAGE_LATENCY_SCORE,
  DEFAULT_RESERVED_ORPHAN_WEIGHT_PER_PEER,
  find1p1cPackage,
  MAX_ORPHAN_WEIGHT,
  orphanParentsAcceptable,
  type PackageToValidate,
  type RejectFilters,
  TxOrphanage,
} from "./txorphanage.ts";
import { getPackageHash } from "../node/policy/packages.ts";
import { HEADERS_SYNC_PARAMS, HeadersSyncState } from "./headers_sync.ts";
import type { Peer } from "./peer.ts";
import {
  CMPCTBLOCKS_VERSION,
  InvType,
  invTypeName,
  MAX_ADDR_TO_SEND,
  MAX_GETDATA_SZ,
  MAX_HEADERS_RESULTS,
  MSG_TYPE_MASK,
  MSG_WITNESS_FLAG,
  SENDHEADERS_VERSION,
  ServiceFlags,
} from "./protocol.ts";

/** Core's `MAX_BLOCKS_IN_TRANSIT_PER_PEER`. */
export const MAX_BLOCKS_IN_TRANSIT_PER_PEER = 16;
/** Core's `BLOCK_DOWNLOAD_WINDOW`. */
export const BLOCK_DOWNLOAD_WINDOW = 1024;
/** Core's `BLOCK_STALLING_TIMEOUT_DEFAULT` (2 s) and `BLOCK_STALLING_TIMEOUT_MAX` (64 s). */
export const BLOCK_STALLING_TIMEOUT_DEFAULT_MS = 2000;
export const BLOCK_STALLING_TIMEOUT_MAX_MS = 64_000;
/** Core's `MAX_BLOCKS_TO_ANNOUNCE`. */
export const MAX_BLOCKS_TO_ANNOUNCE = 8;
/** Core's `MAX_BLOCKS_TO_ANNOUNCE`-like cap of `getblocks` answers (500). */
export const MAX_GETBLOCKS_RESULTS = 500;
/** Core's `MAX_CMPCTBLOCKS_INFLIGHT_PER_BLOCK`: peers a compact block may be reconstructed from at once. */
export const MAX_CMPCTBLOCKS_INFLIGHT_PER_BLOCK = 3;
/** Core's `MAX_CMPCTBLOCK_DEPTH` and `MAX_BLOCKTXN_DEPTH`. */
export const MAX_CMPCTBLOCK_DEPTH = 5;
export const MAX_BLOCKTXN_DEPTH = 10;
/** Orphanage limits (Core's; see `txorphanage.ts`). */
export { DEFAULT_MAX_ORPHANAGE_LATENCY_SCORE, DEFAULT_RESERVED_ORPHAN_WEIGHT_PER_PEER, MAX_ORPHAN_WEIGHT };
/** Core's `NONPREF_PEER_TX_DELAY`, `TXID_RELAY_DELAY` and `OVERLOADED_PEER_TX_DELAY` (2 s each). */
export const NONPREF_PEER_TX_DELAY_MS = 2000;
export const TXID_RELAY_DELAY_MS = 2000;
export const OVERLOADED_PEER_TX_DELAY_MS = 2000;
/** Core's `MAX_PEER_TX_REQUEST_IN_FLIGHT` and `MAX_PEER_TX_ANNOUNCEMENTS`. */
export const MAX_PEER_TX_REQUEST_IN_FLIGHT = 100;
export const MAX_PEER_TX_ANNOUNCEMENTS = 5000;
/** Most transactions tracked as announced at once, all peers together. */
export const MAX_TX_ANNOUNCEMENTS = 100_000;
/** Core's `GETDATA_TX_INTERVAL`: a requested transaction not received by then is asked of another peer. */
export const GETDATA_TX_INTERVAL_MS = 60_000;
/** Core's `INBOUND_INVENTORY_BROADCAST_INTERVAL` (5 s) and `OUTBOUND_INVENTORY_BROADCAST_INTERVAL` (2 s). */
export const INBOUND_INVENTORY_BROADCAST_INTERVAL_MS = 5000;
export const OUTBOUND_INVENTORY_BROADCAST_INTERVAL_MS = 2000;
/** Core's `INVENTORY_BROADCAST_MAX`. */
export const INVENTORY_BROADCAST_MAX = 1000;
/** Core's `AVG_FEEFILTER_BROADCAST_INTERVAL` (10 min) and `MAX_FEEFILTER_CHANGE_DELAY` (5 min). */
export const AVG_FEEFILTER_BROADCAST_INTERVAL_MS = 10 * 60 * 1000;
export const MAX_FEEFILTER_CHANGE_DELAY_MS = 5 * 60 * 1000;
/** Core's `MAX_MONEY` fee filter sent during initial block download. */
export const MAX_FEE_FILTER = 2_100_000_000_000_000n;
/** Most transaction hashes remembered per peer as known to it (Core's rolling filter holds 50,000). */
export const MAX_KNOWN_TX = 50_000;
/** Most recently rejected / confirmed transaction ids remembered (Core's rolling filters: 120,000 / 48,000). */
export const MAX_RECENT = 120_000;
/** Core's `HEADERS_RESPONSE_TIME` (2 minutes): how long a getheaders is waited for before another is sent. */
export const HEADERS_RESPONSE_TIME_MS = 2 * 60 * 1000;
/** Core's `HEADERS_DOWNLOAD_TIMEOUT_BASE` (15 minutes) and `HEADERS_DOWNLOAD_TIMEOUT_PER_HEADER` (1 ms). */
export const HEADERS_DOWNLOAD_TIMEOUT_BASE_MS = 15 * 60 * 1000;
export const HEADERS_DOWNLOAD_TIMEOUT_PER_HEADER_MS = 1;
/** Core's `CHAIN_SYNC_TIMEOUT` (20 minutes) and `MAX_OUTBOUND_PEERS_TO_PROTECT_FROM_DISCONNECT`. */
export const CHAIN_SYNC_TIMEOUT_S = 20 * 60;
export const MAX_OUTBOUND_PEERS_TO_PROTECT_FROM_DISCONNECT = 4;
/** Core's `NODE_NETWORK_LIMITED_MIN_BLOCKS`. */
export const NODE_NETWORK_LIMITED_MIN_BLOCKS = 288;
/** Core's unbroadcast retry delay: 10 to 15 minutes. */
export const UNBROADCAST_RETRY_MIN_MS = 10 * 60 * 1000;
export const UNBROADCAST_RETRY_MAX_MS = 15 * 60 * 1000;
/** Core's `STALE_RELAY_AGE_LIMIT` (30 days). */
export const STALE_RELAY_AGE_LIMIT_S = 30 * 24 * 60 * 60;
/** Core's `INVENTORY_BROADCAST_TARGET`: transactions announced per trickle (plus 5 per 1000 queued). */
export const INVENTORY_BROADCAST_TARGET = 70;
/** Core's number of high-bandwidth compact block peers we ask for. */
export const MAX_HB_PEERS = 3;
/** Core's `MAX_PCT_ADDR_TO_SEND`: a getaddr answer holds at most 23% of the address manager. */
export const MAX_PCT_ADDR_TO_SEND = 23;
/** Core's `MAX_ADDR_RATE_PER_SECOND`: addresses processed per second and peer (token bucket refill). */
export const MAX_ADDR_RATE_PER_SECOND = 0.1;
/** Core's `AVG_ADDRESS_BROADCAST_INTERVAL` (30 s, Poisson). */
export const AVG_ADDRESS_BROADCAST_INTERVAL_MS = 30_000;
/** Core's `AVG_LOCAL_ADDRESS_BROADCAST_INTERVAL` (24 h, Poisson): how often we announce our own address. */
export const AVG_LOCAL_ADDRESS_BROADCAST_INTERVAL_MS = 24 * 3600_000;
/** Core's `ROTATE_ADDR_RELAY_DEST_INTERVAL` (24 h): the relay destinations of an address change daily. */
export const ROTATE_ADDR_RELAY_DEST_INTERVAL_S = 24 * 3600;
/** Addresses remembered per peer as known to it (Core's rolling filter of 5,000). */
export const MAX_ADDR_KNOWN = 5000;

/** The mempool as the peer manager uses it. */
export interface RelayMempool {
  /** Core's AcceptToMemoryPool for one transaction. */
  acceptTransaction(tx: Transaction): Promise<MempoolAcceptResult>;
  /** Core's ProcessNewPackage (a child with its parents; here 1 parent, 1 child). */
  acceptPackage(txs: readonly Transaction[], options: { testAccept: boolean }): Promise<PackageAcceptResult>;
  /** The pool. */
  readonly pool: {
    get(txid: string): MempoolEntry | undefined;
    getByWtxid(wtxid: string): MempoolEntry | undefined;
    entries(): IterableIterator<MempoolEntry>;
    getMinFee(): { getFeePerK(): bigint };
    /** Transactions submitted here that no peer asked for yet. */
    unbroadcast(): ReadonlySet<string>;
    readonly sequence: number;
    /** Core's `RemoveUnbroadcastTx`: a peer asked for the transaction. */
    removeUnbroadcast(txid: string): void;
  };
  /** -minrelaytxfee. */
  readonly settings: { readonly minRelayFeeRate: { getFeePerK(): bigint } };
}

/** Options of {@link PeerManager}. */
export interface PeerManagerOptions {
  /** The chain. */
  readonly chain: Chainstate;
  /** The mempool (null: none; transactions are neither accepted nor relayed). */
  readonly mempool: RelayMempool | null;
  /** The node's validation signals (chain and mempool events, in order). */
  readonly signals: { subscribe(listener: ValidationInterface): () => void };
  /** Bans and discouragement. */
  readonly banMan: BanMan;
  /** -blocksonly: we do not want transactions from peers. */
  readonly blocksOnly?: boolean;
  /** Logger (category `net`, `mempool`, `cmpctblock`). */
  readonly logger?: Logger;
  /** The node's clock in seconds (mockable; used for header age and mempool entry times). */
  readonly now?: () => number;
  /** The node's clock in ms (mockable, as Core's: trickling, stalling, timeouts). */
  readonly nowMs?: () => number;
  /** Average trickle intervals (defaults: Core's 5 s inbound, 2 s outbound). */
  readonly inboundInvIntervalMs?: number;
  readonly outboundInvIntervalMs?: number;
  /** Services we offer (NODE_NETWORK_LIMITED alone: only the last 288 blocks are served). */
  readonly localServices?: bigint;
  /** Housekeeping interval (default 100 ms, Core's message handler wake-up). */
  readonly tickMs?: number;
  /** The address manager (none: addresses are counted and dropped). */
  readonly addrman?: AddrMan;
  /** Networks we can reach (`-onlynet`; default IPv4 and IPv6): only their addresses are stored. */
  readonly reachable?: (net: NetworkId) => boolean;
  /** Classification options (loopback as routable, for regtest tests). */
  readonly netClass?: NetClassOptions;
  /** `-listen`: we announce our own address only when listening. */
  readonly listen?: boolean;
  /** Core's `GetLocalAddrForPeer`: the address of ours to announce to a peer, if any. */
  readonly localAddressFor?: (conn: Connection) => NetAddress | undefined;
}

interface QueuedBlock {
  readonly entry: BlockIndexEntry;
  readonly peer: number;
  readonly time: number;
  partial?: PartiallyDownloadedBlock;
  /** A fill of `partial` failed already (Core nulls the partial block's header). */
  partialFailed?: boolean;
}

/** One transaction announced by one or more peers (Core's `TxRequestTracker` entries for one hash). */
interface TxAnnouncement {
  /** Inventory type to request with (MSG_WTX or MSG_WITNESS_TX). */
  readonly type: number;
  readonly hash: Uint8Array;
  /** Announcers still to ask: when each may be asked (ms) and whether it is a preferred peer. */
  readonly candidates: Map<number, { reqTime: number; preferred: boolean; seq: number; type: number }>;
  /** The peer asked, and when the request expires. */
  inFlight?: { peer: number; expiry: number };
}

/** Per-peer state (Core's `CNodeState` and `Peer`). */
interface PeerState {
  readonly conn: Connection;
  readonly peer: Peer;
  readonly id: number;
  bestKnown: BlockIndexEntry | null;
  lastUnknownBlock: string | null;
  lastCommon: BlockIndexEntry | null;
  bestHeaderSent: BlockIndexEntry | null;
  syncStarted: boolean;
  /** When headers sync with this peer times out (ms; Infinity once caught up). */
  headersSyncTimeout: number;
  preferredDownload: boolean;
  readonly inFlight: Map<string, QueuedBlock>;
  downloadingSince: number;
  stallingSince: number;
  readonly knownTx: Set<string>;
  readonly toSend: Set<string>;
  nextInvSend: number;
  sentSendHeaders: boolean;
  feeFilterSent: bigint;
  nextFeeFilter: number;
  lastBlockTime: number;
  lastTxTime: number;
  lastInvSequence: number;
  /** We asked this peer for high-bandwidth compact blocks. */
  hbTo: boolean;
  addrProcessed: number;
  /** When our last getheaders to the peer went out (0: answered). */
  lastGetHeaders: number;
  /** Core's `m_headers_sync`: a low-work headers sync in progress, and the block it started from. */
  headersSync?: { state: HeadersSyncState; start: BlockIndexEntry };
  /** A block inv from the peer started headers sync with it before its turn (Core's flag of that name). */
  invTriggeredSync: boolean;
  /**
   * Core's `ChainSyncTimeoutState`: an outbound peer whose best block has less work than our tip gets
   * CHAIN_SYNC_TIMEOUT to catch up with the tip of that moment, then a getheaders and HEADERS_RESPONSE_TIME,
   * then is disconnected; up to 4 full-relay outbound peers that had our tip are protected from this.
   */
  chainSync: {
    timeout: number;
    workHeader: BlockIndexEntry | null;
    sentGetHeaders: boolean;
    protect: boolean;
  };
  /** We take part in address relay with the peer (Core's `m_addr_relay_enabled`). */
  addrRelayEnabled: boolean;
  /** Addresses the peer knows (service keys in hex; Core's `m_addr_known`). */
  readonly addrKnown: Set<string>;
  /** Addresses queued for the peer. */
  addrsToSend: PeerAddress[];
  nextAddrSend: number;
  /** Next self-announcement (0: never sent). */
  nextLocalAddrSend: number;
  getaddrSent: boolean;
  getaddrRecvd: boolean;
  addrTokenBucket: number;
  addrTokenTimestamp: number;
  addrRateLimited: number;
}

/** A peer's sync state as getpeerinfo reports it. */
export interface PeerSyncStats {
  /** Height reached by a low-work headers presync with the peer, -1 when none (getpeerinfo). */
  readonly presyncedHeaders: number;
  readonly syncedHeaders: number;
  readonly syncedBlocks: number;
  readonly inflight: number[];
  readonly relayTxes: boolean;
  readonly lastInvSequence: number;
  readonly invToSend: number;
  readonly lastTransaction: number;
  readonly lastBlock: number;
  readonly minFeeFilter: bigint;
  readonly bip152HighBandwidthTo: boolean;
  readonly addrProcessed: number;
  readonly addrRelayEnabled: boolean;
  readonly addrRateLimited: number;
}

/**
 * Core's `FeeFilterRounder` buckets: 0, then from half the default minimum relay fee (50 sat/kvB) up to
 * 10,000,000 sat/kvB in steps of 10%.
 */
const FEE_FILTER_BUCKETS: readonly number[] = (() => {
  const out = [0];
  for (let b = 50; b <= 1e7; b *= 1.1) out.push(b);
  return out;
})();

/**
 * Core's `FeeFilterRounder::round`: the bucket at or above the fee, or (two times in three, and always
 * above the last bucket) the one below it, so the filter sent does not reveal the exact mempool minimum.
 */
export function roundFeeFilter(fee: bigint, random: () => number = Math.random): bigint {
  const f = Number(fee);
  let i = FEE_FILTER_BUCKETS.findIndex((b) => b >= f);
  if (i === -1) i = FEE_FILTER_BUCKETS.length - 1;
  else if (i > 0 && Math.floor(random() * 3) !== 0) i--;
  return BigInt(Math.trunc(FEE_FILTER_BUCKETS[i]));
}

/** Core's `HasAllDesirableServiceFlags` (without the near-tip relaxation): NODE_NETWORK and NODE_WITNESS. */
function hasAllDesirableServiceFlags(services: bigint): boolean {
  const want = ServiceFlags.NODE_NETWORK | ServiceFlags.NODE_WITNESS;
  return (services & want) === want;
}

function hexKey(a: NetAddress): string {
  return Array.from(serviceKey(a), (b) => b.toString(16).padStart(2, "0")).join("");
}

function poisson(avgMs: number): number {
  return -Math.log(1 - Math.random()) * avgMs;
}

function addBounded(set: Set<string>, key: string, max: number): void {
  if (set.size >= max) {
    const first = set.values().next().value;
    if (first !== undefined) set.delete(first);
  }
  set.add(key);
}

function randomNonce(): bigint {
  const b = crypto.getRandomValues(new Uint8Array(8));
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return n;
}

/** The ancestor of `entry` at `height` (walking back; null above `entry`). */
export function ancestorAt(entry: BlockIndexEntry, height: number): BlockIndexEntry | null {
  if (height > entry.height || height < 0) return null;
  let e: BlockIndexEntry | null = entry;
  while (e !== null && e.height > height) e = e.prev;
  return e;
}

/** Core's `LastCommonAncestor`. */
export function lastCommonAncestor(a: BlockIndexEntry, b: BlockIndexEntry): BlockIndexEntry {
  let x: BlockIndexEntry | null = a.height > b.height ? ancestorAt(a, b.height) : a;
  let y: BlockIndexEntry | null = b.height > a.height ? ancestorAt(b, a.height) : b;
  while (x !== null && y !== null && x !== y) {
    x = x.prev;
    y = y.prev;
  }
  return (x ?? y)!;
}

/** The peer manager. */
export class PeerManager {
  readonly #opts: PeerManagerOptions;
  readonly #chain: Chainstate;
  readonly #mempool: RelayMempool | null;
  readonly #log: Logger | undefined;
  readonly #peers = new Map<number, PeerState>();
  /** Requests per block, first asked first (Core's `mapBlocksInFlight`: up to 3 peers for a compact block). */
  readonly #blocksInFlight = new Map<string, QueuedBlock[]>();
  readonly #orphanage: TxOrphanage;
  readonly #txAnnouncements = new Map<string, TxAnnouncement>();
  readonly #recentRejects = new Set<string>();
  readonly #recentConfirmed = new Set<string>();
  readonly #recentRejectsReconsiderable = new Set<string>();
  /** The transactions of the last block connected, by txid and wtxid (Core's `m_most_recent_block_txs`). */
  readonly #mostRecentBlockTxs = new Map<string, Transaction>();
  readonly #unsubscribe: () => void;
  readonly #timer: ReturnType<typeof setInterval>;
  #bestHeader: BlockIndexEntry;
  #syncStarted = 0;
  #nextRebroadcast = 0;
  #nextRebroadcastFirst = true;
  /** Peers we asked for high-bandwidth compact blocks, oldest first (Core's `lNodesAnnouncingHeaderAndIDs`). */
  readonly #hbPeers: number[] = [];
  #txSeq = 0;
  /** Announcements tracked per peer (candidates and requests in flight). */
  readonly #announcedBy = new Map<number, number>();
  #handling: Promise<void> = Promise.resolve();
  #lastBlockInvTriggeringSync = "";
  #stallingTimeoutMs = BLOCK_STALLING_TIMEOUT_DEFAULT_MS;
  #closed = false;
  /** Outbound peers protected from the chain-sync eviction (at most 4). */
  #protectedOutbound = 0;
  /** Cached getaddr answers by local address (Core's `m_addr_response_caches`). */
  readonly #addrCache = new Map<string, { addrs: PeerAddress[]; expires: number }>();
  readonly #addrRelayHasher = new SipHasher({
    k0: crypto.getRandomValues(new BigUint64Array(1))[0],
    k1: crypto.getRandomValues(new BigUint64Array(1))[0],
  });

  /** @param options the chain, mempool, signals and settings. */
  constructor(options: PeerManagerOptions) {
    this.#opts = options;
    this.#chain = options.chain;
    this.#mempool = options.mempool;
    this.#log = options.logger;
    this.#orphanage = new TxOrphanage({ log: (m) => this.#log?.debug("txpackages", m) });
    let best = this.#chain.tip();
    for (const e of this.#chain.entries()) {
      if (e.failed === "none" && e.chainWork > best.chainWork) best = e;
    }
    this.#bestHeader = best;
    this.#unsubscribe = options.signals.subscribe({
      updatedBlockTip: (tip, fork, ibd) => this.#updatedBlockTip(tip, fork, ibd),
      blockConnected: (block) => this.#blockConnected(block),
      // Core: a reorg clears the recently confirmed filter (those transactions may need relaying again).
      blockDisconnected: () => this.#recentConfirmed.clear(),
      transactionAddedToMempool: (entry) => this.#relayTransaction(entry),
    });
    this.#timer = setInterval(() => this.#tick(), options.tickMs ?? 100);
  }

  /** The best header known (Core's `m_best_header`): getblockchaininfo's `headers`. */
  get bestHeader(): BlockIndexEntry {
    if (this.#chain.tip().chainWork > this.#bestHeader.chainWork) this.#bestHeader = this.#chain.tip();
    return this.#bestHeader;
  }

  /** Stops the timers and event subscriptions (connections are closed by the connection manager). */
  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#unsubscribe();
  }

  /** Core's `SendPings`: every peer pings at its next check (the `ping` RPC). */
  sendPings(): void {
    for (const ps of this.#peers.values()) ps.peer.requestPing();
  }

  /** getpeerinfo's sync fields of peer `id`, or undefined when unknown. */
  stats(id: number): PeerSyncStats | undefined {
    const ps = this.#peers.get(id);
    if (!ps) return undefined;
    const heights = [...ps.inFlight.values()].map((q) => q.entry.height);
    return {
      presyncedHeaders: ps.headersSync?.state.phase() === "presync" ? ps.headersSync.state.presyncHeight : -1,
      syncedHeaders: ps.bestKnown?.height ?? -1,
      syncedBlocks: ps.lastCommon?.height ?? -1,
      inflight: heights,
      relayTxes: this.#relaysTxTo(ps),
      lastInvSequence: this.#relaysTxTo(ps) ? ps.lastInvSequence : 0,
      invToSend: ps.toSend.size,
      lastTransaction: ps.lastTxTime,
      lastBlock: ps.lastBlockTime,
      minFeeFilter: ps.peer.feeFilter,
      bip152HighBandwidthTo: ps.hbTo,
      addrProcessed: ps.addrProcessed,
      addrRelayEnabled: ps.addrRelayEnabled,
      addrRateLimited: ps.addrRateLimited,
    };
  }

  /** What eviction needs to know of peer `id` (Core's `CNode` eviction fields). */
  evictionStats(
    id: number,
  ):
    | {
      lastBlockTime: number;
      lastTxTime: number;
      relayTxs: boolean;
      relevantServices: boolean;
      preferEvict: boolean;
    }
    | undefined {
    const ps = this.#peers.get(id);
    if (!ps) return undefined;
    const services = ps.peer.peerVersion?.services ?? 0n;
    return {
      lastBlockTime: ps.lastBlockTime,
      lastTxTime: ps.lastTxTime,
      relayTxs: this.#relaysTxTo(ps),
      relevantServices: hasAllDesirableServiceFlags(services),
      preferEvict: ps.peer.shouldDiscourage,
    };
  }

  /**
   * Core's `GetAddressesUnsafe`: up to `maxAddresses` and `maxPct` percent of the address manager's addresses,
   * of `network` only when given, banned and discouraged ones left out.
   */
  getAddressesUnsafe(maxAddresses: number, maxPct: number, network?: NetworkId): PeerAddress[] {
    const am = this.#opts.addrman;
    if (am === undefined) return [];
    return am.getAddr(maxAddresses, maxPct, network).filter((a) => {
      const ip = formatAddr(a);
      return !this.#opts.banMan.isBanned(ip) && !this.#opts.banMan.isDiscouraged(ip);
    }).map((a) => ({ time: a.time, services: a.services, net: a.net, addr: a.addr, port: a.port }));
  }

  /** Number of orphan transactions held. */
  get orphanCount(): number {
    return this.#orphanage.size;
  }

  /** The orphan pool (Core's `GetOrphanTransactions`): each transaction and the peer it came from. */
  orphans(): { tx: Transaction; from: number[] }[] {
    return this.#orphanage.orphans().map((o) => ({ tx: o.tx, from: o.from }));
  }

  /** Attaches to a new connection (call before its peer starts: the connection manager's `onConnection`). */
  attach(conn: Connection): void {
    const peer = conn.peer;
    const ps: PeerState = {
      conn,
      peer,
      id: peer.id,
      bestKnown: null,
      lastUnknownBlock: null,
      lastCommon: null,
      bestHeaderSent: null,
      syncStarted: false,
      headersSyncTimeout: 0,
      preferredDownload: false,
      inFlight: new Map(),
      downloadingSince: 0,
      stallingSince: 0,
      knownTx: new Set(),
      toSend: new Set(),
      nextInvSend: 0,
      sentSendHeaders: false,
      feeFilterSent: -1n,
      nextFeeFilter: 0,
      lastBlockTime: 0,
      lastTxTime: 0,
      lastInvSequence: 1,
      hbTo: false,
      addrProcessed: 0,
      lastGetHeaders: 0,
      invTriggeredSync: false,
      chainSync: { timeout: 0, workHeader: null, sentGetHeaders: false, protect: false },
      addrRelayEnabled: false,
      addrKnown: new Set(),
      addrsToSend: [],
      nextAddrSend: 0,
      nextLocalAddrSend: 0,
      getaddrSent: false,
      getaddrRecvd: false,
      addrTokenBucket: 1,
      addrTokenTimestamp: this.#nowMs(),
      addrRateLimited: 0,
    };
    this.#peers.set(peer.id, ps);
    peer.on("handshake", () => this.#onHandshake(ps));
    // One message at a time across all peers, as Core's single message handler thread: a peer's message is
    // handled completely (headers stored, blocks requested) before the next peer's.
    // After each message every peer's periodic work runs at once, as Core's message handler calls
    // SendMessages for every peer on each pass.
    peer.on("message", (msg) =>
      this.#serial(async () => {
        await this.#onMessage(ps, msg);
        if (!this.#closed) this.#sendAll(this.#nowMs());
      }));
    peer.on("disconnect", () => this.#onDisconnect(ps));
  }

  // --- helpers ---

  #serial(f: () => Promise<void>): Promise<void> {
    const run = this.#handling.then(f);
    this.#handling = run.catch(() => {});
    return run;
  }

  #debug(msg: string): void {
    this.#log?.debug("net", msg);
  }

  #nowMs(): number {
    return this.#opts.nowMs?.() ?? Date.now();
  }

  #nowSec(): number {
    return this.#opts.now?.() ?? Math.floor(Date.now() / 1000);
  }

  #send(ps: PeerState, msg: NetMessage, witness = true): void {
    try {
      ps.peer.send(msg, { witness });
    } catch (e) {
      this.#debug(`cannot send ${msg.type} to peer=${ps.id}: ${e instanceof Error ? e.message : e}`);
    }
  }

  /** Core's `Misbehaving` + `MaybeDiscourageAndDisconnect`. */
  #misbehaving(ps: PeerState, reason: string): void {
    if (ps.conn.permissions.has("noban")) {
      this.#log?.warn(`Warning: not punishing noban peer ${ps.id}! (${reason})`);
      return;
    }
    if (ps.conn.type === "manual") {
      this.#log?.warn(`Warning: not punishing manually connected peer ${ps.id}! (${reason})`);
      return;
    }
    this.#debug(`Misbehaving: peer=${ps.id}: ${reason}`);
    ps.peer.misbehaving(reason);
  }

  /** Core's `RejectIncomingTxs`: block-relay-only connections, and -blocksonly without the relay permission. */
  #rejectIncomingTxs(ps: PeerState): boolean {
    if (ps.conn.type === "block-relay-only") return true;
    return (this.#opts.blocksOnly ?? false) && !ps.conn.permissions.has("relay");
  }

  #relaysTxTo(ps: PeerState): boolean {
    return (ps.peer.peerVersion?.relay ?? false) && ps.conn.type !== "block-relay-only";
  }

  #locator(entry: BlockIndexEntry): Uint8Array[] {
    const out: Uint8Array[] = [];
    let e: BlockIndexEntry | null = entry;
    for (const h of locatorHeights(entry.height)) {
      if (e === null) break;
      if (this.#chain.contains(e)) {
        const a = this.#chain.atHeight(h);
        if (a === null) break;
        out.push(a.hash);
        e = a;
        continue;
      }
      e = ancestorAt(e, h);
      if (e === null) break;
      out.push(e.hash);
    }
    return out;
  }

  /**
   * Core's `MaybeSendGetHeaders`: a getheaders goes out unless one sent to this peer in the last
   * {@link HEADERS_RESPONSE_TIME_MS} is still unanswered. Returns whether it was sent.
   */
  #getHeaders(ps: PeerState, from: BlockIndexEntry, stop: Uint8Array = ZERO_HASH): boolean {
    const now = this.#nowMs();
    if (ps.lastGetHeaders > 0 && now - ps.lastGetHeaders < HEADERS_RESPONSE_TIME_MS) {
      this.#debug(`not sending getheaders to peer=${ps.id}: one is in flight`);
      return false;
    }
    ps.lastGetHeaders = now;
    this.#debug(`getheaders (${from.height}) to end to peer=${ps.id}`);
    this.#send(ps, {
      type: "getheaders",
      version: LOCATOR_DUMMY_VERSION,
      locator: this.#locator(from),
      hashStop: stop,
    });
    return true;
  }

  #updateBestHeader(e: BlockIndexEntry): void {
    if (e.failed === "none" && e.chainWork > this.bestHeader.chainWork) this.#bestHeader = e;
  }

  /** Core's `UpdateBlockAvailability` / `ProcessBlockAvailability`. */
  #updateBlockAvailability(ps: PeerState, entry: BlockIndexEntry | undefined, hashHex?: string): void {
    if (ps.lastUnknownBlock !== null) {
      const known = this.#chain.lookup(ps.lastUnknownBlock);
      if (known !== undefined && known.chainWork > 0n) {
        if (ps.bestKnown === null || known.chainWork >= ps.bestKnown.chainWork) ps.bestKnown = known;
        ps.lastUnknownBlock = null;
      }
    }
    if (entry !== undefined) {
      if (ps.bestKnown === null || entry.chainWork >= ps.bestKnown.chainWork) ps.bestKnown = entry;
    } else if (hashHex !== undefined) {
      ps.lastUnknownBlock = hashHex;
    }
  }

  #peerHasHeader(ps: PeerState, e: BlockIndexEntry): boolean {
    if (ps.bestKnown !== null && ancestorAt(ps.bestKnown, e.height) === e) return true;
    if (ps.bestHeaderSent !== null && ancestorAt(ps.bestHeaderSent, e.height) === e) return true;
    return false;
  }

  // --- connection events ---

  #onHandshake(ps: PeerState): void {
    const peer = ps.peer;
    ps.preferredDownload = (!peer.inbound || ps.conn.permissions.has("noban")) &&
      ps.conn.type !== "addr-fetch" && ps.conn.type !== "feeler";
    const inboundMs = this.#opts.inboundInvIntervalMs ?? INBOUND_INVENTORY_BROADCAST_INTERVAL_MS;
    const outboundMs = this.#opts.outboundInvIntervalMs ?? OUTBOUND_INVENTORY_BROADCAST_INTERVAL_MS;
    ps.nextInvSend = this.#nowMs() + poisson(peer.inbound ? inboundMs : outboundMs);
    // Core: a one-time address fetch from outbound peers we relay addresses with (not block-relay-only or
    // feelers), with room in the token bucket for the whole answer.
    if (!peer.inbound && this.#setupAddressRelay(ps)) {
      this.#send(ps, { type: "getaddr" });
      ps.getaddrSent = true;
      ps.addrTokenBucket += MAX_ADDR_TO_SEND;
    }
    this.#maybeSendFeeFilter(ps, this.#nowMs());
    this.#maybeStartSync(ps);
  }

  #onDisconnect(ps: PeerState): void {
    this.#peers.delete(ps.id);
    if (ps.chainSync.protect) this.#protectedOutbound--;
    // Core's FinalizeNode: the address of a full outbound peer is marked as recently seen.
    if (
      ps.peer.successfullyConnected && !ps.peer.inbound && ps.conn.type !== "block-relay-only" &&
      ps.conn.addr !== undefined
    ) this.#opts.addrman?.connected(ps.conn.addr, this.#nowSec());
    const hb = this.#hbPeers.indexOf(ps.id);
    if (hb >= 0) this.#hbPeers.splice(hb, 1);
    if (ps.syncStarted) this.#syncStarted--;
    for (const hash of [...ps.inFlight.keys()]) this.#removeBlockRequest(hash, ps);
    ps.inFlight.clear();
    // Transactions in flight from this peer are asked of the next announcer.
    this.#announcedBy.delete(ps.id);
    for (const [key, a] of this.#txAnnouncements) {
      a.candidates.delete(ps.id);
      if (a.inFlight?.peer === ps.id) a.inFlight = undefined;
      if (a.inFlight === undefined && a.candidates.size === 0) this.#txAnnouncements.delete(key);
    }
    if (!this.#closed) this.#requestTxs();
    this.#orphanage.eraseForPeer(ps.id);
    if (ps.peer.shouldDiscourage && !ps.conn.permissions.has("noban") && ps.conn.type !== "manual") {
      // Core disconnects local peers but does not discourage them (every peer on the host would be).
      if (!isLocalAddress(ps.peer.addr)) {
        const host = ps.peer.addr.startsWith("[")
          ? ps.peer.addr.slice(1, ps.peer.addr.indexOf("]"))
          : ps.peer.addr.slice(0, ps.peer.addr.lastIndexOf(":"));
        this.#opts.banMan.discourage(host);
      }
    }
    if (!this.#closed) this.#requestBlocksAll();
  }

  // --- periodic work (Core's SendMessages) ---

  #tick(): void {
    if (this.#closed) return;
    try {
      this.#housekeeping();
    } catch (e) {
      this.#log?.error(`P2P housekeeping failed: ${e instanceof Error ? e.stack ?? e.message : e}`);
    }
  }

  #housekeeping(): void {
    const now = this.#nowMs();
    this.#sendAll(now);
    this.#requestTxs();
    this.#reattemptInitialBroadcast(Date.now());
  }

  #sendAll(now: number): void {
    for (const ps of this.#peers.values()) {
      if (!ps.peer.successfullyConnected || ps.peer.disconnectReason !== undefined) continue;
      this.#sendMessages(ps, now);
    }
  }

  /** Core's `SendMessages` for one peer. */
  #sendMessages(ps: PeerState, now: number): void {
    if (
      ps.conn.type === "addr-fetch" && now - ps.peer.stats().connTime > 10 * AVG_ADDRESS_BROADCAST_INTERVAL_MS
    ) {
      this.#debug(`addrfetch connection timeout, disconnecting peer=${ps.id}`);
      ps.peer.disconnect("addrfetch connection timeout");
      return;
    }
    this.#maybeSendAddr(ps, now);
    this.#maybeStartSync(ps);
    if (this.#checkHeadersSyncTimeout(ps, now)) return;
    this.#considerEviction(ps, this.#nowSec());
    if (ps.peer.disconnectReason !== undefined) return;
    this.#maybeSendSendHeaders(ps);
    this.#checkStalling(ps, now);
    this.#sendTxInventory(ps, now);
    this.#maybeSendFeeFilter(ps, now);
  }

  #maybeStartSync(ps: PeerState): void {
    if (ps.syncStarted || !ps.peer.successfullyConnected) return;
    // Core: no headers sync with address-fetch peers (they leave once they answered).
    if (ps.conn.type === "addr-fetch") return;
    const services = ps.peer.peerVersion?.services ?? 0n;
    if ((services & (ServiceFlags.NODE_NETWORK | ServiceFlags.NODE_NETWORK_LIMITED)) === 0n) return;
    let preferred = 0;
    for (const p of this.#peers.values()) if (p.preferredDownload) preferred++;
    const fetch = ps.preferredDownload || preferred === 0;
    const best = this.bestHeader;
    const recent = best.header.time > this.#nowSec() - 24 * 60 * 60;
    if ((this.#syncStarted === 0 && fetch) || recent) {
      const start = best.prev ?? best;
      if (!this.#getHeaders(ps, start)) return;
      this.#debug(
        `initial getheaders (${start.height}) to peer=${ps.id} (startheight:${
          ps.peer.peerVersion?.startHeight ?? -1
        })`,
      );
      ps.syncStarted = true;
      this.#syncStarted++;
      // Core's headers sync timeout: 15 minutes plus 1 ms per block interval since the best header.
      const nowMs = this.#nowMs();
      const spacingMs = this.#chain.params.consensus.powTargetSpacing * 1000;
      ps.headersSyncTimeout = nowMs + HEADERS_DOWNLOAD_TIMEOUT_BASE_MS +
        Math.floor((nowMs - best.header.time * 1000) / spacingMs) * HEADERS_DOWNLOAD_TIMEOUT_PER_HEADER_MS;
    }
  }

  /** Core's headers sync timeout check: our only headers-sync peer is dropped when it is too slow. */
  #checkHeadersSyncTimeout(ps: PeerState, now: number): boolean {
    if (!ps.syncStarted || ps.headersSyncTimeout === Infinity) return false;
    if (this.bestHeader.header.time > this.#nowSec() - 24 * 60 * 60) {
      // Caught up once: no more timeout.
      ps.headersSyncTimeout = Infinity;
      return false;
    }
    let preferred = 0;
    for (const p of this.#peers.values()) if (p.preferredDownload) preferred++;
    if (
      now > ps.headersSyncTimeout && this.#syncStarted === 1 &&
      preferred - (ps.preferredDownload ? 1 : 0) >= 1
    ) {
      if (!ps.conn.permissions.has("noban")) {
        this.#log?.info(`Timeout downloading headers, disconnecting peer=${ps.id}`);
        ps.peer.disconnect("timeout downloading headers");
        return true;
      }
      this.#log?.info(`Timeout downloading headers from noban peer, not disconnecting peer=${ps.id}`);
      // Another peer gets its chance.
      ps.syncStarted = false;
      this.#syncStarted--;
      ps.headersSyncTimeout = 0;
    }
    return false;
  }

  /** Core's `GetAntiDoSWorkThreshold`: our tip's work less 144 blocks' worth, at least the minimum chain work. */
  #antiDosWorkThreshold(): bigint {
    const tip = this.#chain.tip();
    const buffer = 144n * blockProof(tip.header.bits);
    const near = tip.chainWork - (buffer < tip.chainWork ? buffer : tip.chainWork);
    const min = this.#chain.params.consensus.minimumChainWork;
    return near > min ? near : min;
  }

  /** Core's `ConsiderEviction`: outbound peers that stay behind our tip are asked once, then dropped. */
  #considerEviction(ps: PeerState, nowS: number): void {
    const cs = ps.chainSync;
    const type = ps.conn.type;
    if (cs.protect || (type !== "outbound-full-relay" && type !== "block-relay-only") || !ps.syncStarted) {
      return;
    }
    const tip = this.#chain.tip();
    const best = ps.bestKnown;
    if (best !== null && best.chainWork >= tip.chainWork) {
      if (cs.timeout !== 0) {
        cs.timeout = 0;
        cs.workHeader = null;
        cs.sentGetHeaders = false;
      }
    } else if (
      cs.timeout === 0 ||
      (cs.workHeader !== null && best !== null && best.chainWork >= cs.workHeader.chainWork)
    ) {
      // Behind: CHAIN_SYNC_TIMEOUT to catch up with our tip of now (again, each time it did).
      cs.timeout = nowS + CHAIN_SYNC_TIMEOUT_S;
      cs.workHeader = tip;
      cs.sentGetHeaders = false;
    } else if (cs.timeout > 0 && nowS > cs.timeout) {
      if (cs.sentGetHeaders) {
        this.#log?.info(
          `Outbound peer has old chain, best known block = ${
            best !== null ? best.hashHex : "<none>"
          }, disconnecting peer=${ps.id}`,
        );
        ps.peer.disconnect("outbound peer has old chain");
      } else {
        const work = cs.workHeader!;
        this.#getHeaders(ps, work.prev ?? work);
        this.#debug(
          `sending getheaders to outbound peer=${ps.id} to verify chain work (current best known block:${
            best !== null ? best.hashHex : "<none>"
          }, benchmark blockhash: ${work.hashHex})`,
        );
        cs.sentGetHeaders = true;
        cs.timeout = nowS + HEADERS_RESPONSE_TIME_MS / 1000;
      }
    }
  }

  #maybeSendSendHeaders(ps: PeerState): void {
    if (ps.sentSendHeaders || ps.peer.commonVersion < SENDHEADERS_VERSION || ps.bestKnown === null) return;
    if (ps.bestKnown.chainWork <= this.#chain.params.consensus.minimumChainWork) return;
    ps.sentSendHeaders = true;
    this.#send(ps, { type: "sendheaders" });
  }

  #checkStalling(ps: PeerState, now: number): void {
    if (ps.stallingSince > 0 && now - ps.stallingSince > this.#stallingTimeoutMs) {
      this.#log?.info(`Peer is stalling block download, disconnecting peer=${ps.id}`);
      const next = Math.min(this.#stallingTimeoutMs * 2, BLOCK_STALLING_TIMEOUT_MAX_MS);
      if (next !== this.#stallingTimeoutMs) {
        this.#stallingTimeoutMs = next;
        this.#debug(`Increased stalling timeout temporarily to ${next / 1000} seconds`);
      }
      ps.peer.disconnect("stalling block download");
      return;
    }
    if (ps.inFlight.size > 0) {
      // Core: one block interval (regtest: 10 minutes) plus half of that per other downloading peer.
      let downloading = 0;
      for (const p of this.#peers.values()) if (p.inFlight.size > 0) downloading++;
      const spacing = this.#chain.params.consensus.powTargetSpacing * 1000;
      if (now > ps.downloadingSince + spacing * (1 + 0.5 * (downloading - 1))) {
        this.#log?.info(`Timeout downloading block, disconnecting peer=${ps.id}`);
        ps.peer.disconnect("timeout downloading block");
      }
    }
  }

  #maybeSendFeeFilter(ps: PeerState, now: number): void {
    if (this.#mempool === null || this.#opts.blocksOnly) return;
    if (ps.peer.commonVersion < 70013 || ps.conn.type === "block-relay-only") return;
    if (ps.conn.permissions.has("forcerelay")) return;
    const ibd = this.#chain.isInitialBlockDownload();
    // Core: the maximum filter keeps transactions away during IBD; once out of it, the real one goes at once.
    if (!ibd && ps.feeFilterSent === roundFeeFilter(MAX_FEE_FILTER)) ps.nextFeeFilter = 0;
    const current = ibd ? MAX_FEE_FILTER : this.#mempool.pool.getMinFee().getFeePerK();
    if (now >= ps.nextFeeFilter) {
      // Rounded to a bucket (privacy), and never below -minrelaytxfee.
      let filter = roundFeeFilter(current);
      const minRelay = this.#mempool.settings.minRelayFeeRate.getFeePerK();
      if (filter < minRelay) filter = minRelay;
      if (filter !== ps.feeFilterSent) {
        this.#send(ps, { type: "feefilter", feeRate: filter });
        ps.feeFilterSent = filter;
      }
      ps.nextFeeFilter = now + poisson(AVG_FEEFILTER_BROADCAST_INTERVAL_MS);
    } else if (
      ps.nextFeeFilter > now + MAX_FEEFILTER_CHANGE_DELAY_MS &&
      (current * 4n < ps.feeFilterSent * 3n || current * 3n > ps.feeFilterSent * 4n)
    ) {
      ps.nextFeeFilter = now + Math.random() * MAX_FEEFILTER_CHANGE_DELAY_MS;
    }
  }

  // --- messages ---

  async #onMessage(ps: PeerState, msg: NetMessage): Promise<void> {
    switch (msg.type) {
      case "version":
        return this.#onVersion(ps, msg.services);
      case "getheaders":
        return this.#onGetHeaders(ps, msg.locator, msg.hashStop);
      case "getblocks":
        return this.#onGetBlocks(ps, msg.locator, msg.hashStop);
      case "headers":
        return await this.#onHeaders(ps, msg.headers);
      case "block":
        return await this.#onBlock(ps, msg.block);
      case "inv":
        return this.#onInv(ps, msg.items);
      case "getdata":
        return await this.#onGetData(ps, msg.items);
      case "notfound":
        return this.#onNotFound(ps, msg.items);
      case "tx":
        return await this.#onTx(ps, msg.tx);
      case "mempool":
        return this.#onMempool(ps);
      case "sendcmpct":
        return;
      case "cmpctblock":
        if (this.#opts.blocksOnly) {
          // Core: -blocksonly keeps no mempool to rebuild from, so compact blocks are ignored.
          this.#debug(`Unexpected cmpctblock message received from peer ${ps.id}`);
          return;
        }
        return await this.#onCmpctBlock(ps, msg);
      case "getblocktxn":
        return await this.#onGetBlockTxn(ps, msg.blockHash, msg.indexes);
      case "blocktxn":
        return await this.#onBlockTxn(ps, msg.blockHash, msg.txs);
      case "addr":
      case "addrv2":
        return this.#processAddrs(ps, msg.type, [...msg.addrs]);
      case "getaddr":
        return this.#onGetAddr(ps);
      case "unknown":
        // Core without NODE_BLOOM: BIP37 filter messages disconnect the peer.
        if (msg.command === "filterload" || msg.command === "filteradd" || msg.command === "filterclear") {
          this.#debug(
            `${msg.command} received despite not offering bloom services, disconnecting peer=${ps.id}`,
          );
          ps.peer.disconnect(`${msg.command} without bloom filters`);
        }
        return;
      default:
        return;
    }
  }

  // --- address relay ---

  /** Core's `SetupAddressRelay`: none with block-relay-only peers and feelers; otherwise enabled from now on. */
  #setupAddressRelay(ps: PeerState): boolean {
    if (ps.conn.type === "block-relay-only" || ps.conn.type === "feeler") return false;
    ps.addrRelayEnabled = true;
    return true;
  }

  #isAddrCompatible(ps: PeerState, a: NetAddress): boolean {
    return ps.peer.wantsAddrV2 || a.net === 1 || a.net === 2;
  }

  #addAddressKnown(ps: PeerState, a: NetAddress): void {
    addBounded(ps.addrKnown, hexKey(a), MAX_ADDR_KNOWN);
  }

  /** Core's `PushAddress`. */
  #pushAddress(ps: PeerState, a: PeerAddress): void {
    if (ps.addrKnown.has(hexKey(a)) || !this.#isAddrCompatible(ps, a)) return;
    if (ps.addrsToSend.length >= MAX_ADDR_TO_SEND) {
      ps.addrsToSend[Math.floor(Math.random() * ps.addrsToSend.length)] = a;
    } else {
      ps.addrsToSend.push(a);
    }
  }

  #reachable(a: NetAddress): boolean {
    const net = addressNetwork(a);
    return this.#opts.reachable?.(net) ?? (net === 1 || net === 2);
  }

  /** Core's `ProcessAddrs`: rate limiting, relay of fresh addresses, storage of reachable ones. */
  #processAddrs(ps: PeerState, type: "addr" | "addrv2", addrs: PeerAddress[]): void {
    if (!this.#setupAddressRelay(ps)) {
      this.#debug(`ignoring ${type} message from ${ps.conn.type} peer=${ps.id}`);
      return;
    }
    if (addrs.length > MAX_ADDR_TO_SEND) {
      this.#misbehaving(ps, `${type} message size = ${addrs.length}`);
      return;
    }
    const nowMs = this.#nowMs();
    if (ps.addrTokenBucket < MAX_ADDR_TO_SEND) {
      const increment = Math.max((nowMs - ps.addrTokenTimestamp) / 1000, 0) * MAX_ADDR_RATE_PER_SECOND;
      ps.addrTokenBucket = Math.min(ps.addrTokenBucket + increment, MAX_ADDR_TO_SEND);
    }
    ps.addrTokenTimestamp = nowMs;
    const rateLimited = !ps.conn.permissions.has("addr");
    let processed = 0;
    let limited = 0;
    for (let i = addrs.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [addrs[i], addrs[j]] = [addrs[j], addrs[i]];
    }
    const now = this.#nowSec();
    const ok: PeerAddress[] = [];
    for (let addr of addrs) {
      if (ps.addrTokenBucket < 1) {
        if (rateLimited) {
          limited++;
          continue;
        }
      } else {
        ps.addrTokenBucket -= 1;
      }
      const services = addr.services;
      const mayHaveUsefulAddressDb =
        (services & (ServiceFlags.NODE_NETWORK | ServiceFlags.NODE_NETWORK_LIMITED)) !== 0n;
      if (!mayHaveUsefulAddressDb && !hasAllDesirableServiceFlags(services)) continue;
      if (addr.time <= 100_000_000 || addr.time > now + 10 * 60) {
        addr = { ...addr, time: now - 5 * 24 * 3600 };
      }
      this.#addAddressKnown(ps, addr);
      const ip = formatAddr(addr);
      if (this.#opts.banMan.isDiscouraged(ip) || this.#opts.banMan.isBanned(ip)) continue;
      processed++;
      const reachable = this.#reachable(addr);
      if (
        addr.time > now - 10 * 60 && !ps.getaddrSent && addrs.length <= 10 &&
        isRoutable(addr, this.#opts.netClass)
      ) this.#relayAddress(ps.id, addr, reachable);
      if (reachable) ok.push(addr);
    }
    ps.addrProcessed += processed;
    ps.addrRateLimited += limited;
    this.#debug(
      `Received addr: ${addrs.length} addresses (${processed} processed, ${limited} rate-limited) from peer=${ps.id}`,
    );
    const source = ps.conn.addr;
    if (source !== undefined) this.#opts.addrman?.add(ok, source, 2 * 3600);
    if (addrs.length < 1000) ps.getaddrSent = false;
    if (ps.conn.type === "addr-fetch" && addrs.length > 1) {
      this.#debug(`addrfetch connection completed, disconnecting peer=${ps.id}`);
      ps.peer.disconnect("addrfetch connection completed");
    }
  }

  /**
   * Core's `RelayAddress`: to 2 peers (1 or 2 for an unreachable address), the same ones for a day, chosen by
   * keyed hashes of the address, the day and the peer id.
   */
  #relayAddress(originator: number, a: PeerAddress, reachable: boolean): void {
    const key = serviceKey(a);
    const hashAddr = this.#addrRelayHasher.hash(key);
    const timeAddr = (BigInt(this.#nowSec()) + hashAddr) / BigInt(ROTATE_ADDR_RELAY_DEST_INTERVAL_S);
    const base = new Uint8Array(16);
    const dv = new DataView(base.buffer);
    dv.setBigUint64(0, hashAddr, true);
    dv.setBigUint64(8, timeAddr & 0xffffffffffffffffn, true);
    const relayNodes = reachable || (this.#addrRelayHasher.hash(base) & 1n) === 1n ? 2 : 1;
    const best: { key: bigint; ps: PeerState }[] = [];
    for (const ps of this.#peers.values()) {
      if (!ps.addrRelayEnabled || ps.id === originator || !this.#isAddrCompatible(ps, a)) continue;
      const withId = new Uint8Array(24);
      withId.set(base);
      new DataView(withId.buffer).setBigUint64(16, BigInt(ps.id), true);
      best.push({ key: this.#addrRelayHasher.hash(withId), ps });
    }
    best.sort((x, y) => (y.key > x.key ? 1 : y.key < x.key ? -1 : 0));
    for (const b of best.slice(0, relayNodes)) this.#pushAddress(b.ps, a);
  }

  /** Core's getaddr handling: inbound peers only, once per connection, from a cache renewed about daily. */
  #onGetAddr(ps: PeerState): void {
    if (!ps.peer.inbound) {
      this.#debug(`Ignoring "getaddr" from ${ps.conn.type} connection. peer=${ps.id}`);
      return;
    }
    this.#setupAddressRelay(ps);
    if (ps.getaddrRecvd) {
      this.#debug(`Ignoring repeated "getaddr". peer=${ps.id}`);
      return;
    }
    ps.getaddrRecvd = true;
    ps.addrsToSend = [];
    let addrs: PeerAddress[];
    if (ps.conn.permissions.has("addr")) {
      addrs = this.getAddressesUnsafe(MAX_ADDR_TO_SEND, MAX_PCT_ADDR_TO_SEND);
    } else {
      const now = this.#nowMs();
      const cacheKey = ps.conn.addrBind;
      let entry = this.#addrCache.get(cacheKey);
      if (entry === undefined || entry.expires < now) {
        entry = {
          addrs: this.getAddressesUnsafe(MAX_ADDR_TO_SEND, MAX_PCT_ADDR_TO_SEND),
          expires: now + 21 * 3600_000 + Math.floor(Math.random() * 6 * 3600_000),
        };
        this.#addrCache.set(cacheKey, entry);
      }
      addrs = entry.addrs;
    }
    for (const a of addrs) this.#pushAddress(ps, a);
  }

  /**
   * Core's `MaybeSendAddr`: our own address about daily (the first time in a message of its own, when
   * listening and out of IBD), then the queued addresses at Poisson intervals of 30 s.
   */
  #maybeSendAddr(ps: PeerState, now: number): void {
    if (!ps.addrRelayEnabled) return;
    if ((this.#opts.listen ?? false) && ps.nextLocalAddrSend < now && !this.#chain.isInitialBlockDownload()) {
      // Clear what the peer is known to have, so that our announcement actually goes out.
      if (ps.nextLocalAddrSend !== 0) ps.addrKnown.clear();
      const local = this.#opts.localAddressFor?.(ps.conn);
      if (local !== undefined) {
        const la: PeerAddress = { ...local, services: this.#opts.localServices ?? 0n, time: this.#nowSec() };
        if (ps.nextLocalAddrSend === 0) {
          if (this.#isAddrCompatible(ps, la)) {
            this.#send(ps, { type: ps.peer.wantsAddrV2 ? "addrv2" : "addr", addrs: [la] });
          }
        } else {
          this.#pushAddress(ps, la);
        }
      }
      ps.nextLocalAddrSend = now + poisson(AVG_LOCAL_ADDRESS_BROADCAST_INTERVAL_MS);
    }
    if (now <= ps.nextAddrSend) return;
    ps.nextAddrSend = now + poisson(AVG_ADDRESS_BROADCAST_INTERVAL_MS);
    const toSend = ps.addrsToSend.filter((a) => {
      const k = hexKey(a);
      if (ps.addrKnown.has(k)) return false;
      addBounded(ps.addrKnown, k, MAX_ADDR_KNOWN);
      return true;
    });
    ps.addrsToSend = [];
    if (toSend.length === 0) return;
    this.#send(ps, { type: ps.peer.wantsAddrV2 ? "addrv2" : "addr", addrs: toSend });
  }

  /**
   * Core's `BlockRequestAllowed`: blocks of the active chain, or fully validated ones less than a month older
   * than the best header (no fingerprinting through stale blocks).
   */
  #blockRequestAllowed(e: BlockIndexEntry): boolean {
    if (this.#chain.contains(e)) return true;
    return e.validity === "scripts" && e.failed === "none" &&
      this.bestHeader.header.time - e.header.time < STALE_RELAY_AGE_LIMIT_S;
  }

  /**
   * Core's check of automatic outbound peers' services: a full node with witness (or, once we are close to
   * the tip, a limited one); others are disconnected.
   */
  #onVersion(ps: PeerState, services: bigint): void {
    const type = ps.conn.type;
    // Automatic outbound peers (not feelers) must offer the desirable services, else they are dropped.
    if (type !== "inbound" && type !== "manual" && type !== "feeler") {
      const tip = this.#chain.tip();
      const nearTip = tip.header.time > this.#nowSec() - 24 * 60 * 60;
      const desirable = (services & ServiceFlags.NODE_NETWORK_LIMITED) !== 0n && nearTip
        ? ServiceFlags.NODE_NETWORK_LIMITED | ServiceFlags.NODE_WITNESS
        : ServiceFlags.NODE_NETWORK | ServiceFlags.NODE_WITNESS;
      if ((services & desirable) !== desirable) {
        const hex = (n: bigint) => n.toString(16).padStart(8, "0");
        this.#debug(
          `peer=${ps.id} does not offer the expected services (${hex(services)} offered, ${
            hex(desirable)
          } expected), disconnecting`,
        );
        ps.peer.disconnect("does not offer the expected services");
        return;
      }
    }
    // Core: a connection we made succeeded; its address moves to the tried table.
    if (!ps.peer.inbound && ps.conn.addr !== undefined) {
      this.#opts.addrman?.good(ps.conn.addr, this.#nowSec());
    }
    if (type === "feeler") {
      // Core: a feeler only checks that the address answers.
      this.#debug(`feeler connection completed, disconnecting peer=${ps.id}`);
      ps.peer.disconnect("feeler connection completed");
    }
  }

  /** Core's `FindForkInGlobalIndex`. */
  #findFork(locator: readonly Uint8Array[]): BlockIndexEntry {
    const tip = this.#chain.tip();
    for (const h of locator) {
      const e = this.#chain.lookup(h);
      if (e === undefined) continue;
      if (this.#chain.contains(e)) return e;
      if (ancestorAt(e, tip.height) === tip) return tip;
    }
    return this.#chain.atHeight(0)!;
  }

  #onGetHeaders(ps: PeerState, locator: readonly Uint8Array[], hashStop: Uint8Array): void {
    // Core: no headers from a chain with less than the minimum work; an empty answer says "go away".
    if (
      this.#chain.tip().chainWork < this.#chain.params.consensus.minimumChainWork &&
      !ps.conn.permissions.has("download")
    ) {
      this.#debug(
        `Ignoring getheaders from peer=${ps.id} because active chain has too little work; sending empty response`,
      );
      this.#send(ps, { type: "headers", headers: [] });
      return;
    }
    let start: BlockIndexEntry | null;
    if (locator.length === 0) {
      const e = this.#chain.lookup(hashStop);
      if (e === undefined) return;
      if (!this.#blockRequestAllowed(e)) {
        this.#debug(`ignoring request from peer=${ps.id} for old block header that isn't in the main chain`);
        return;
      }
      start = e;
    } else {
      start = this.#chain.atHeight(this.#findFork(locator).height + 1);
    }
    const headers: BlockHeader[] = [];
    let last: BlockIndexEntry | null = null;
    for (let e = start; e !== null && headers.length < MAX_HEADERS_RESULTS;) {
      headers.push(e.header);
      last = e;
      if (bytesEqual(e.hash, hashStop) || locator.length === 0) break;
      e = this.#chain.atHeight(e.height + 1);
    }
    ps.bestHeaderSent = last ?? this.#chain.tip();
    this.#send(ps, { type: "headers", headers });
  }

  #onGetBlocks(ps: PeerState, locator: readonly Uint8Array[], hashStop: Uint8Array): void {
    const fork = this.#findFork(locator);
    const items: InvItem[] = [];
    for (let h = fork.height + 1; items.length < MAX_GETBLOCKS_RESULTS; h++) {
      const e = this.#chain.atHeight(h);
      if (e === null || bytesEqual(e.hash, hashStop)) break;
      items.push({ type: InvType.MSG_BLOCK, hash: e.hash });
    }
    if (items.length > 0) this.#send(ps, { type: "inv", items });
  }

  async #onHeaders(ps: PeerState, received: readonly BlockHeader[]): Promise<void> {
    ps.lastGetHeaders = 0;
    let headers = received;
    const count = received.length;
    if (count === 0) {
      // Core: an empty answer ends a low-work headers sync.
      ps.headersSync = undefined;
      return;
    }
    let hashes = headers.map((h) => blockHash(h));
    // Core's CheckHeadersPoW: every header's proof of work first, then continuity.
    const consensus = this.#chain.params.consensus;
    if (!headers.every((h, i) => checkProofOfWork(hashes[i], h.bits, consensus))) {
      this.#misbehaving(ps, "header with invalid proof of work");
      return;
    }
    for (let i = 1; i < headers.length; i++) {
      if (!bytesEqual(headers[i].prevBlock, hashes[i - 1])) {
        this.#misbehaving(ps, "non-continuous headers sequence");
        return;
      }
    }
    // Core's IsContinuationOfLowWorkHeadersSync: headers of a sync in progress go through it first; only those
    // that passed both phases are processed below.
    let alreadyValidatedWork = false;
    if (ps.headersSync !== undefined) {
      const r = this.#continueHeadersSync(ps, headers, count === MAX_HEADERS_RESULTS);
      if (r !== undefined) {
        alreadyValidatedWork = true;
        headers = r;
        if (headers.length === 0) return;
        hashes = headers.map((h) => blockHash(h));
      }
    }
    const haveHeadersSync = ps.headersSync !== undefined;
    const chainStart = this.#chain.lookup(headers[0].prevBlock);
    if (chainStart === undefined) {
      // Core: an announcement that does not connect; ask for what leads to it.
      this.#debug(
        `received header ${reverseHex(hashes[0])}: missing prev block ${reverseHex(headers[0].prevBlock)}, ` +
          `sending getheaders to end (peer=${ps.id})`,
      );
      this.#updateBlockAvailability(ps, undefined, reverseHex(hashes[hashes.length - 1]));
      this.#getHeaders(ps, this.bestHeader);
      return;
    }
    const lastReceived = this.#chain.lookup(hashes[hashes.length - 1]);
    if (lastReceived !== undefined && this.#isAncestorOfBestHeaderOrTip(lastReceived)) {
      alreadyValidatedWork = true;
    }
    if (ps.conn.permissions.has("noban")) alreadyValidatedWork = true;
    if (!alreadyValidatedWork && this.#tryLowWorkHeadersSync(ps, chainStart, headers)) return;
    const bestBefore = this.bestHeader;
    const state = await this.#chain.processNewBlockHeaders(headers);
    if (!state.valid) {
      this.#punishForBlock(ps, state, false, "invalid header received");
      // Headers before the bad one may have been accepted.
    }
    let last: BlockIndexEntry | undefined;
    for (let i = hashes.length - 1; i >= 0 && last === undefined; i--) {
      const e = this.#chain.lookup(hashes[i]);
      if (e !== undefined && e.failed === "none") last = e;
    }
    if (last === undefined) return;
    this.#updateBestHeader(last);
    this.#updateBlockAvailability(ps, last);
    // Core: a full-relay outbound peer that has our tip may be protected from the chain-sync eviction.
    if (
      ps.peer.disconnectReason === undefined && ps.conn.type === "outbound-full-relay" &&
      ps.bestKnown !== null &&
      this.#protectedOutbound < MAX_OUTBOUND_PEERS_TO_PROTECT_FROM_DISCONNECT &&
      ps.bestKnown.chainWork >= this.#chain.tip().chainWork && !ps.chainSync.protect
    ) {
      this.#debug(`Protecting outbound peer=${ps.id} from eviction`);
      ps.chainSync.protect = true;
      this.#protectedOutbound++;
    }
    if (this.bestHeader !== bestBefore && this.#chain.isInitialBlockDownload()) {
      // Core's ProcessNewBlockHeaders progress line.
      const b = this.bestHeader;
      const left = Math.max(0, Math.floor((this.#nowSec() - b.header.time) / consensus.powTargetSpacing));
      this.#log?.info(
        `Synchronizing blockheaders, height: ${b.height} (~${
          (100 * b.height / (b.height + left || 1)).toFixed(2)
        }%)`,
      );
    }
    if (state.valid && count === MAX_HEADERS_RESULTS && !haveHeadersSync) this.#getHeaders(ps, last);
    // Core's direct fetch: the announcing peer is asked first (even one not offering NODE_NETWORK).
    this.#requestBlocks(ps, true);
    this.#requestBlocksAll();
  }

  /** Core's `IsAncestorOfBestHeaderOrTip`. */
  #isAncestorOfBestHeaderOrTip(e: BlockIndexEntry): boolean {
    return ancestorAt(this.bestHeader, e.height) === e || this.#chain.contains(e);
  }

  /**
   * Core's `TryLowWorkHeadersSync`: headers whose chain (from `chainStart`) claims less work than the anti-DoS
   * threshold are not stored; a full message starts a low-work sync with the peer. True when the headers
   * were taken care of here.
   */
  #tryLowWorkHeadersSync(
    ps: PeerState,
    chainStart: BlockIndexEntry,
    headers: readonly BlockHeader[],
  ): boolean {
    let total = chainStart.chainWork;
    for (const h of headers) total += blockProof(h.bits);
    const threshold = this.#antiDosWorkThreshold();
    if (total >= threshold) return false;
    if (headers.length === MAX_HEADERS_RESULTS) {
      const params = this.#chain.params;
      ps.headersSync = {
        start: chainStart,
        state: new HeadersSyncState({
          peer: ps.id,
          pow: params.consensus,
          params: HEADERS_SYNC_PARAMS[params.network],
          chainStart,
          minimumWork: threshold,
          now: this.#nowSec(),
          log: (m) => this.#debug(m),
        }),
      };
      this.#continueHeadersSync(ps, headers, true);
    } else {
      this.#debug(
        `Ignoring low-work chain (height=${chainStart.height + headers.length}) from peer=${ps.id}`,
      );
    }
    return true;
  }

  /**
   * Core's `IsContinuationOfLowWorkHeadersSync`: feeds the headers to the peer's sync, asks for more when it
   * wants them, ends it when final, and reports the best presync. Returns the headers released for storage
   * when they were accepted (possibly none), undefined when they failed (then processed as ordinary headers).
   */
  #continueHeadersSync(
    ps: PeerState,
    headers: readonly BlockHeader[],
    full: boolean,
  ): BlockHeader[] | undefined {
    const sync = ps.headersSync;
    if (sync === undefined) return undefined;
    const r = sync.state.processNextHeaders(headers, full);
    if (r.success) ps.lastGetHeaders = 0;
    if (r.requestMore) {
      const locator = sync.state.nextHeadersRequestLocator(this.#locator(sync.start));
      if (locator.length > 0) {
        ps.lastGetHeaders = this.#nowMs();
        this.#send(ps, { type: "getheaders", version: LOCATOR_DUMMY_VERSION, locator, hashStop: ZERO_HASH });
        this.#debug(`more getheaders (from ${reverseHex(locator[0])}) to peer=${ps.id}`);
      }
    }
    if (sync.state.phase() === "final") {
      ps.headersSync = undefined;
    } else if (sync.state.phase() === "presync") {
      this.#reportPresync(sync.state);
    }
    return r.success ? r.powValidatedHeaders : undefined;
  }

  #lastPresyncReport = 0;

  /** Core's `ReportHeadersPresync`: at most 4 lines a second, while our best header is below the minimum work. */
  #reportPresync(state: HeadersSyncState): void {
    if (this.bestHeader.chainWork >= this.#chain.params.consensus.minimumChainWork) return;
    let best = state;
    for (const p of this.#peers.values()) {
      const s = p.headersSync?.state;
      if (s !== undefined && s.phase() === "presync" && s.presyncWork > best.presyncWork) best = s;
    }
    if (best !== state) return;
    const now = Date.now();
    if (now < this.#lastPresyncReport + 250) return;
    this.#lastPresyncReport = now;
    if (!this.#chain.isInitialBlockDownload()) return;
    const height = state.presyncHeight;
    const spacing = this.#chain.params.consensus.powTargetSpacing;
    const left = Math.max(0, Math.floor((this.#nowSec() - state.presyncTime) / spacing));
    this.#log?.info(
      `Pre-synchronizing blockheaders, height: ${height} (~${
        (100 * height / (height + left || 1)).toFixed(2)
      }%)`,
    );
  }

  /** Core's `FindNextBlocksToDownload` and the getdata it leads to. */
  #requestBlocks(ps: PeerState, direct = false): void {
    if (!ps.peer.successfullyConnected || ps.peer.disconnectReason !== undefined) return;
    const services = ps.peer.peerVersion?.services ?? 0n;
    if (!direct && (services & (ServiceFlags.NODE_NETWORK | ServiceFlags.NODE_NETWORK_LIMITED)) === 0n) {
      return;
    }
    // Core's IsLimitedPeer: NODE_NETWORK_LIMITED without NODE_NETWORK serves only its last 288 blocks.
    const limited = (services & ServiceFlags.NODE_NETWORK) === 0n &&
      (services & ServiceFlags.NODE_NETWORK_LIMITED) !== 0n;
    if (limited && !direct && this.#chain.isInitialBlockDownload()) return;
    const free = MAX_BLOCKS_IN_TRANSIT_PER_PEER - ps.inFlight.size;
    if (free <= 0) return;
    this.#updateBlockAvailability(ps, undefined);
    const best = ps.bestKnown;
    const tip = this.#chain.tip();
    if (best === null || best.chainWork < tip.chainWork) return;
    if (best.chainWork < this.#chain.params.consensus.minimumChainWork) return;
    // Core master: the last common block is the fork point with our tip whenever that has more work (our tip
    // moved ahead), or when the old one is no longer on the peer's chain.
    const fork = lastCommonAncestor(best, tip);
    if (
      ps.lastCommon === null || fork.chainWork > ps.lastCommon.chainWork ||
      ancestorAt(best, ps.lastCommon.height) !== ps.lastCommon
    ) {
      ps.lastCommon = fork;
    }
    if (ps.lastCommon === best) return;
    const windowEnd = ps.lastCommon.height + BLOCK_DOWNLOAD_WINDOW;
    const maxHeight = Math.min(best.height, windowEnd + 1);
    const path: BlockIndexEntry[] = [];
    for (
      let e: BlockIndexEntry | null = ancestorAt(best, maxHeight);
      e !== null && e !== ps.lastCommon;
      e = e.prev
    ) {
      path.push(e);
    }
    path.reverse();
    const wanted: BlockIndexEntry[] = [];
    let waitingFor = -1;
    let stallerId = -1;
    let contiguous = true;
    for (const e of path) {
      if (e.failed !== "none") break; // an invalid chain is not downloaded
      if (e.haveData || this.#chain.contains(e)) {
        if (contiguous && e.chainTx > 0) ps.lastCommon = e;
        continue;
      }
      contiguous = false;
      // Too deep for a limited peer (Core keeps a two-block buffer for races).
      if (limited && best.height - e.height >= NODE_NETWORK_LIMITED_MIN_BLOCKS - 2) continue;
      const q = this.#blocksInFlight.get(e.hashHex)?.[0];
      if (q !== undefined) {
        if (waitingFor === -1) waitingFor = q.peer;
        continue;
      }
      if (e.height > windowEnd) {
        // The window is full: the peer that holds its first block stalls us (if it is another one).
        if (wanted.length === 0 && waitingFor !== ps.id) stallerId = waitingFor;
        break;
      }
      wanted.push(e);
      if (wanted.length >= free) break;
    }
    if (wanted.length === 0) {
      // Core: a staller is marked only when this peer has nothing in flight and could get nothing new.
      if (ps.inFlight.size === 0 && stallerId !== -1) {
        const staller = this.#peers.get(stallerId);
        if (staller && staller.stallingSince === 0) {
          staller.stallingSince = this.#nowMs();
          this.#debug(`Stall started peer=${stallerId}`);
        }
      }
      return;
    }
    const now = this.#nowMs();
    for (const e of wanted) this.#markInFlight(ps, { entry: e, peer: ps.id, time: now });
    this.#debug(
      `Requesting ${wanted.length} block(s) ${wanted[0].height}..${
        wanted[wanted.length - 1].height
      } peer=${ps.id}`,
    );
    // Core's direct fetch of a new tip from a compact-block peer: ask for the compact block (BIP152
    // low-bandwidth mode); it is rebuilt from the mempool, missing transactions via getblocktxn.
    const compact = direct && wanted.length === 1 && wanted[0].prev === tip &&
      ps.peer.compactBlocks.provides &&
      this.#mempool !== null && !this.#opts.blocksOnly && !this.#chain.isInitialBlockDownload();
    this.#send(ps, {
      type: "getdata",
      items: wanted.map((e) => ({
        type: compact ? InvType.MSG_CMPCT_BLOCK : InvType.MSG_WITNESS_BLOCK,
        hash: e.hash,
      })),
    });
  }

  #requestBlocksAll(): void {
    // Outbound (preferred) peers first, as Core favours them.
    const peers = [...this.#peers.values()].sort((a, b) =>
      Number(b.preferredDownload) - Number(a.preferredDownload)
    );
    for (const ps of peers) this.#requestBlocks(ps);
  }

  /** Core's `BlockRequested`: one more request of a block, from `ps`. */
  #markInFlight(ps: PeerState, q: QueuedBlock): void {
    if (ps.inFlight.size === 0) ps.downloadingSince = this.#nowMs();
    ps.inFlight.set(q.entry.hashHex, q);
    const list = this.#blocksInFlight.get(q.entry.hashHex);
    if (list === undefined) this.#blocksInFlight.set(q.entry.hashHex, [q]);
    else list.push(q);
  }

  /** Core's `RemoveBlockRequest`: the request of `from` (every request when undefined). */
  #removeBlockRequest(hashHex: string, from: PeerState | undefined): void {
    const list = this.#blocksInFlight.get(hashHex);
    if (list === undefined) return;
    const keep: QueuedBlock[] = [];
    for (const q of list) {
      if (from !== undefined && q.peer !== from.id) {
        keep.push(q);
        continue;
      }
      const owner = this.#peers.get(q.peer);
      if (owner) {
        if (owner.inFlight.get(hashHex) === q) owner.inFlight.delete(hashHex);
        owner.stallingSince = 0;
        if (owner.inFlight.size > 0) owner.downloadingSince = Math.max(owner.downloadingSince, this.#nowMs());
      }
    }
    if (keep.length > 0) this.#blocksInFlight.set(hashHex, keep);
    else this.#blocksInFlight.delete(hashHex);
  }

  /** Core's `IsBlockRequestedFromOutbound`. */
  #requestedFromOutbound(hashHex: string): boolean {
    return (this.#blocksInFlight.get(hashHex) ?? []).some((q) => {
      const p = this.#peers.get(q.peer);
      return p !== undefined && !p.peer.inbound;
    });
  }

  /**
   * Core's `MaybePunishNodeForBlock`: invalid or mutated data (not via a compact block), an invalid header or
   * parent, a missing parent, and an outbound peer on a cached-invalid chain are punished; the rest not.
   */
  #punishForBlock(
    ps: PeerState,
    state: { valid: false; result: string; reason: string },
    viaCompactBlock: boolean,
    what: string,
  ): void {
    const message = `${what}: ${state.reason}`;
    switch (state.result) {
      case "BLOCK_CONSENSUS":
      case "BLOCK_MUTATED":
        if (!viaCompactBlock) return this.#misbehaving(ps, message);
        break;
      case "BLOCK_CACHED_INVALID":
        if (!viaCompactBlock && !ps.peer.inbound) return this.#misbehaving(ps, message);
        break;
      case "BLOCK_INVALID_HEADER":
      case "BLOCK_INVALID_PREV":
      case "BLOCK_MISSING_PREV":
        return this.#misbehaving(ps, message);
    }
    this.#debug(`peer=${ps.id}: ${message}`);
  }

  async #processBlock(
    ps: PeerState,
    block: Block,
    hashHex: string,
    viaCompactBlock = false,
    force = true,
  ): Promise<void> {
    ps.lastBlockTime = this.#nowSec();
    const { newBlock, state } = await this.#chain.processNewBlock(block, { force });
    if (!state.valid) {
      this.#log?.error(
        `ProcessNewBlock: AcceptBlock FAILED (${state.reason}${
          state.debug === undefined ? "" : `, ${state.debug}`
        })`,
      );
      this.#punishForBlock(ps, state, viaCompactBlock, "invalid block");
    }
    const entry = this.#chain.lookup(hashHex);
    // Stored: nobody needs to send it any more (Core clears a reconstructed block's other requests).
    if (entry?.haveData) this.#removeBlockRequest(hashHex, undefined);
    if (entry !== undefined && entry.failed === "none") {
      this.#updateBestHeader(entry);
      this.#updateBlockAvailability(ps, entry);
      if (newBlock && this.#chain.tip() === entry && !this.#chain.isInitialBlockDownload()) {
        this.#maybeSetHighBandwidth(ps);
      }
    }
    this.#requestBlocksAll();
  }

  async #onBlock(ps: PeerState, block: Block): Promise<void> {
    const hashHex = reverseHex(blockHash(block.header));
    // Core: a mutated block (merkle root or witness commitment not matching) is misbehaviour, and only this
    // peer's request for it is dropped, so it cannot clear an honest peer's download.
    const prev = this.#chain.lookup(block.header.prevBlock);
    const segwit = prev !== undefined && prev.height + 1 >= this.#chain.params.consensus.segwitHeight;
    if (prev !== undefined && isBlockMutated(block, segwit, (m) => this.#log?.debug("validation", m))) {
      this.#debug(`Received mutated block from peer=${ps.id}`);
      this.#misbehaving(ps, "mutated block");
      this.#removeBlockRequest(hashHex, ps);
      return;
    }
    // Core's forceProcessing: a block we asked for (from anyone) is stored even when it is not better.
    const requested = this.#blocksInFlight.has(hashHex);
    this.#removeBlockRequest(hashHex, ps);
    // Core's min_pow_checked: a block whose header we do not know is stored only when its chain has the
    // anti-DoS work (else AcceptBlockHeader refuses it, without punishing the sender).
    if (
      prev !== undefined && prev.failed === "none" && this.#chain.lookup(hashHex) === undefined &&
      checkProofOfWork(blockHash(block.header), block.header.bits, this.#chain.params.consensus) &&
      prev.chainWork + blockProof(block.header.bits) < this.#antiDosWorkThreshold()
    ) {
      this.#log?.debug(
        "validation",
        `AcceptBlockHeader: not adding new block header ${hashHex}, missing anti-dos proof-of-work validation`,
      );
      this.#log?.error("ProcessNewBlock: AcceptBlock FAILED (too-little-chainwork)");
      return;
    }
    await this.#processBlock(ps, block, hashHex, false, requested);
  }

  #onInv(ps: PeerState, items: readonly InvItem[]): void {
    let bestBlock: Uint8Array | null = null;
    const txWanted: InvItem[] = [];
    const ibd = this.#chain.isInitialBlockDownload();
    for (const it of items) {
      const base = (it.type & MSG_TYPE_MASK) >>> 0;
      if (base === InvType.MSG_BLOCK) {
        const hex = reverseHex(it.hash);
        const e = this.#chain.lookup(it.hash);
        this.#debug(`got inv: ${invTypeName(it.type)} ${hex} ${e?.haveData ? "have" : "new"} peer=${ps.id}`);
        this.#updateBlockAvailability(ps, e, hex);
        if ((e === undefined || !e.haveData) && !this.#blocksInFlight.has(hex)) bestBlock = it.hash;
        continue;
      }
      if (it.type !== InvType.MSG_TX && it.type !== InvType.MSG_WTX) continue;
      if ((it.type === InvType.MSG_WTX) !== ps.peer.wtxidRelay) continue;
      const hex = reverseHex(it.hash);
      addBounded(ps.knownTx, hex, MAX_KNOWN_TX);
      if (this.#rejectIncomingTxs(ps)) {
        this.#debug(`transaction (${hex}) inv sent in violation of protocol, disconnecting peer=${ps.id}`);
        ps.peer.disconnect("transaction inv in blocks-only mode");
        return;
      }
      if (ibd || this.#mempool === null) continue;
      if (it.type === InvType.MSG_WTX && this.#maybeOrphanAnnouncement(ps, hex)) {
        this.#requestTxs();
        continue;
      }
      if (this.#alreadyHaveTx(hex, it.type === InvType.MSG_WTX)) continue;
      txWanted.push(it);
    }
    if (
      bestBlock !== null &&
      (ps.syncStarted || (!ps.invTriggeredSync && reverseHex(bestBlock) !== this.#lastBlockInvTriggeringSync))
    ) {
      this.#getHeaders(ps, this.bestHeader);
      if (!ps.syncStarted) {
        // Core: one more peer joins headers sync per new block, not every peer announcing it.
        ps.invTriggeredSync = true;
        this.#lastBlockInvTriggeringSync = reverseHex(bestBlock);
      }
    }
    for (const it of txWanted) this.#addTxAnnouncement(ps, it);
    if (txWanted.length > 0) this.#requestTxs();
    this.#requestBlocks(ps);
  }

  /**
   * Core's `AlreadyHaveTx`: in the orphanage (by wtxid; a non-segwit txid is its wtxid), recently confirmed or
   * rejected, in the reconsiderable filter (when asked), or in the mempool.
   */
  #alreadyHaveTx(hex: string, isWtxid: boolean, includeReconsiderable = true): boolean {
    if (this.#orphanage.haveTx(hex)) return true;
    if (includeReconsiderable && this.#recentRejectsReconsiderable.has(hex)) return true;
    if (this.#recentConfirmed.has(hex) || this.#recentRejects.has(hex)) return true;
    const pool = this.#mempool?.pool;
    if (pool === undefined) return false;
    return isWtxid ? pool.getByWtxid(hex) !== undefined : pool.get(hex) !== undefined;
  }

  /**
   * Core's `AddTxAnnouncement` for an orphan we hold, announced by wtxid: the announcer becomes a candidate
   * for resolving it (asked for its missing parents). True when the hash is such an orphan.
   */
  #maybeOrphanAnnouncement(ps: PeerState, wtxid: string): boolean {
    const tx = this.#orphanage.getTx(wtxid);
    if (tx === undefined) return false;
    const parents = [...new Set(tx.inputs.map((i) => reverseHex(i.prevout.txid)))]
      .filter((p) => !this.#alreadyHaveTx(p, false, false));
    if (parents.length === 0) return true;
    if (this.#maybeAddOrphanResolutionCandidate(parents, tx, wtxid, ps.id)) {
      this.#orphanage.addAnnouncer(wtxid, ps.id);
    }
    return true;
  }

  /**
   * Core's `AddTxAnnouncement`: the announcer may be asked after a delay — 2 s for a non-preferred (inbound)
   * peer, 2 s more for a txid announcement while wtxid-relay peers exist, 2 s more when the peer already has
   * 100 requests in flight (unless it has the relay permission).
   */
  #addTxAnnouncement(ps: PeerState, it: InvItem): void {
    const key = reverseHex(it.hash);
    let a = this.#txAnnouncements.get(key);
    if (a === undefined) {
      // Memory bound (Core bounds announcements per peer at 5,000; here all peers share this bound).
      if (this.#txAnnouncements.size >= MAX_TX_ANNOUNCEMENTS) return;
      const type = it.type === InvType.MSG_WTX ? InvType.MSG_WTX : InvType.MSG_WITNESS_TX;
      a = { type, hash: it.hash, candidates: new Map() };
      this.#txAnnouncements.set(key, a);
    }
    if (a.candidates.has(ps.id) || a.inFlight?.peer === ps.id) return;
    // Each announcement keeps its own kind (a non-segwit txid equals its wtxid).
    const type = it.type === InvType.MSG_WTX ? InvType.MSG_WTX : InvType.MSG_WITNESS_TX;
    // Core's MAX_PEER_TX_ANNOUNCEMENTS: beyond it a peer's announcements are ignored (not with relay permission).
    const announced = this.#announcedBy.get(ps.id) ?? 0;
    if (announced >= MAX_PEER_TX_ANNOUNCEMENTS && !ps.conn.permissions.has("relay")) return;
    this.#announcedBy.set(ps.id, announced + 1);

    let delay = 0;
    if (!ps.preferredDownload) delay += NONPREF_PEER_TX_DELAY_MS;
    if (type !== InvType.MSG_WTX && [...this.#peers.values()].some((p) => p.peer.wtxidRelay)) {
      delay += TXID_RELAY_DELAY_MS;
    }
    if (!ps.conn.permissions.has("relay") && this.#txInFlightFrom(ps.id) >= MAX_PEER_TX_REQUEST_IN_FLIGHT) {
      delay += OVERLOADED_PEER_TX_DELAY_MS;
    }
    a.candidates.set(ps.id, {
      reqTime: this.#nowMs() + delay,
      preferred: ps.preferredDownload,
      seq: this.#txSeq++,
      type,
    });
  }

  #releaseAnnouncement(peer: number): void {
    const n = this.#announcedBy.get(peer);
    if (n !== undefined) this.#announcedBy.set(peer, Math.max(0, n - 1));
  }

  /** Drops every announcement of a transaction (received, or confirmed). */
  #forgetTx(key: string): void {
    const a = this.#txAnnouncements.get(key);
    if (a === undefined) return;
    for (const id of a.candidates.keys()) this.#releaseAnnouncement(id);
    if (a.inFlight !== undefined) this.#releaseAnnouncement(a.inFlight.peer);
    this.#txAnnouncements.delete(key);
  }

  #txInFlightFrom(id: number): number {
    let n = 0;
    for (const a of this.#txAnnouncements.values()) if (a.inFlight?.peer === id) n++;
    return n;
  }

  /**
   * Core's `GetRequestsToSend` for every peer: expired requests are dropped (that announcer is not asked
   * again), and each transaction not in flight is asked of its best ready announcer (preferred first, then
   * the first to announce).
   */
  #requestTxs(): void {
    const now = this.#nowMs();
    const batches = new Map<number, InvItem[]>();
    for (const [key, a] of this.#txAnnouncements) {
      if (a.inFlight !== undefined) {
        if (now < a.inFlight.expiry) continue;
        this.#debug(`timeout of inflight tx ${key} from peer=${a.inFlight.peer}`);
        this.#releaseAnnouncement(a.inFlight.peer);
        a.inFlight = undefined;
      }
      // Core's GetRequestsToSend: nothing we already have is requested (belt and suspenders).
      if (this.#alreadyHaveTx(key, a.type === InvType.MSG_WTX, false)) {
        this.#forgetTx(key);
        continue;
      }
      let best: [number, { reqTime: number; preferred: boolean; seq: number; type: number }] | undefined;
      for (const [id, c] of a.candidates) {
        if (c.reqTime > now || !this.#peers.has(id)) continue;
        if (
          best === undefined || (c.preferred && !best[1].preferred) ||
          (c.preferred === best[1].preferred && c.seq < best[1].seq)
        ) best = [id, c];
      }
      if (best === undefined) {
        if (a.candidates.size === 0) this.#txAnnouncements.delete(key);
        continue;
      }
      a.candidates.delete(best[0]);
      a.inFlight = { peer: best[0], expiry: now + GETDATA_TX_INTERVAL_MS };
      let batch = batches.get(best[0]);
      if (batch === undefined) batches.set(best[0], batch = []);
      batch.push({ type: best[1].type, hash: a.hash });
    }
    for (const [id, items] of batches) {
      const ps = this.#peers.get(id);
      if (ps === undefined) continue;
      for (let i = 0; i < items.length; i += MAX_GETDATA_SZ) {
        this.#send(ps, { type: "getdata", items: items.slice(i, i + MAX_GETDATA_SZ) });
      }
    }
  }

  #onNotFound(ps: PeerState, items: readonly InvItem[]): void {
    for (const it of items) {
      const a = this.#txAnnouncements.get(reverseHex(it.hash));
      if (a === undefined || a.inFlight?.peer !== ps.id) continue;
      this.#releaseAnnouncement(ps.id);
      a.inFlight = undefined;
    }
    this.#requestTxs();
  }

  async #waitSendable(ps: PeerState): Promise<boolean> {
    while (ps.peer.sendPaused && ps.peer.disconnectReason === undefined) {
      await new Promise((r) => setTimeout(r, 5));
    }
    return ps.peer.disconnectReason === undefined;
  }

  async #onGetData(ps: PeerState, items: readonly InvItem[]): Promise<void> {
    if (items.length === 1) {
      this.#debug(
        `received getdata for: ${invTypeName(items[0].type)} ${reverseHex(items[0].hash)} peer=${ps.id}`,
      );
    } else {
      this.#debug(`received getdata (${items.length} invsz) peer=${ps.id}`);
    }
    const notFound: InvItem[] = [];
    const tip = this.#chain.tip();
    for (const it of items) {
      const base = (it.type & MSG_TYPE_MASK) >>> 0;
      if (
        base === InvType.MSG_BLOCK || base === InvType.MSG_CMPCT_BLOCK || base === InvType.MSG_FILTERED_BLOCK
      ) {
        if (base === InvType.MSG_FILTERED_BLOCK) continue; // no bloom filters
        const e = this.#chain.lookup(it.hash);
        if (e === undefined || !e.haveData || !this.#blockRequestAllowed(e)) continue;
        const services = this.#opts.localServices ?? ServiceFlags.NODE_NETWORK;
        if (
          !ps.conn.permissions.has("noban") && (services & ServiceFlags.NODE_NETWORK) === 0n &&
          (services & ServiceFlags.NODE_NETWORK_LIMITED) !== 0n &&
          tip.height - e.height > NODE_NETWORK_LIMITED_MIN_BLOCKS + 2
        ) {
          // Core: a limited (pruned) node serves only its last 288 blocks (and two more for races).
          this.#debug(
            `Ignore block request below NODE_NETWORK_LIMITED threshold, disconnecting peer=${ps.id}`,
          );
          ps.peer.disconnect("block request below NODE_NETWORK_LIMITED threshold");
          return;
        }
        let block: Block;
        try {
          block = await this.#chain.readBlock(e);
        } catch (err) {
          this.#debug(
            `cannot load block ${e.hashHex} for peer=${ps.id}: ${err instanceof Error ? err.message : err}`,
          );
          continue;
        }
        if (!(await this.#waitSendable(ps))) return;
        if (base === InvType.MSG_CMPCT_BLOCK && e.height >= tip.height - MAX_CMPCTBLOCK_DEPTH) {
          this.#send(ps, { type: "cmpctblock", ...createCompactBlock(block, randomNonce()) });
        } else {
          this.#send(
            ps,
            { type: "block", block },
            (it.type & MSG_WITNESS_FLAG) !== 0 || base === InvType.MSG_CMPCT_BLOCK,
          );
        }
        continue;
      }
      if (it.type === InvType.MSG_TX || it.type === InvType.MSG_WITNESS_TX || it.type === InvType.MSG_WTX) {
        const hex = reverseHex(it.hash);
        const pool = this.#mempool?.pool;
        const entry = it.type === InvType.MSG_WTX ? pool?.getByWtxid(hex) : pool?.get(hex);
        // Core's FindTxForGetData: a mempool transaction that entered before our last inventory to this peer
        // (so one we announced, or could have), or one of the most recent block's.
        const tx = entry !== undefined && entry.sequence < ps.lastInvSequence
          ? entry.tx
          : this.#mostRecentBlockTxs.get(hex);
        if (tx === undefined) {
          notFound.push(it);
          continue;
        }
        if (!(await this.#waitSendable(ps))) return;
        this.#send(ps, { type: "tx", tx }, it.type !== InvType.MSG_TX);
        if (entry !== undefined) pool!.removeUnbroadcast(entry.txidHex);
        continue;
      }
    }
    if (notFound.length > 0) this.#send(ps, { type: "notfound", items: notFound });
  }

  #onMempool(ps: PeerState): void {
    if (!ps.conn.permissions.has("mempool")) {
      if (!ps.conn.permissions.has("noban")) {
        this.#debug(`mempool request with bloom filters disabled, disconnect peer=${ps.id}`);
        ps.peer.disconnect("mempool request with bloom filters disabled");
      }
      return;
    }
    const pool = this.#mempool?.pool;
    if (pool === undefined || !this.#relaysTxTo(ps)) return;
    for (const e of pool.entries()) ps.toSend.add(ps.peer.wtxidRelay ? e.wtxidHex : e.txidHex);
    ps.nextInvSend = 0;
  }

  // --- transactions ---

  async #onTx(ps: PeerState, tx: Transaction): Promise<void> {
    const mempool = this.#mempool;
    if (mempool === null) return;
    if (this.#rejectIncomingTxs(ps)) {
      this.#debug(`transaction sent in violation of protocol, disconnecting peer=${ps.id}`);
      ps.peer.disconnect("transaction in blocks-only mode");
      return;
    }
    // Core: no transaction is processed during IBD (it could not be validated yet).
    if (this.#chain.isInitialBlockDownload()) return;
    const txid = reverseHex(txidOf(tx));
    const wtxid = reverseHex(wtxidOf(tx));
    addBounded(ps.knownTx, ps.peer.wtxidRelay ? wtxid : txid, MAX_KNOWN_TX);
    // Core's ReceivedTx: this peer's request is answered; other announcers stay candidates until the
    // transaction is accepted, rejected or kept as an orphan.
    this.#receivedResponse(ps.id, txid);
    this.#receivedResponse(ps.id, wtxid);
    const known = mempool.pool.getByWtxid(wtxid) ?? mempool.pool.get(txid);
    if (known !== undefined) {
      this.#forgetTx(txid);
      this.#forgetTx(wtxid);
      // Core: transactions from forcerelay peers are relayed again even when we have them (a gateway).
      if (ps.conn.permissions.has("forcerelay")) {
        this.#log?.info(`Force relaying tx ${txid} (wtxid=${wtxid}) from peer=${ps.id}`);
        for (const other of this.#peers.values()) {
          if (other !== ps && this.#relaysTxTo(other)) {
            const key = other.peer.wtxidRelay ? known.wtxidHex : known.txidHex;
            other.knownTx.delete(key);
            other.toSend.add(key);
          }
        }
      }
      return;
    }
    if (this.#alreadyHaveTx(wtxid, true, false) || this.#recentRejectsReconsiderable.has(wtxid)) {
      if (ps.conn.permissions.has("forcerelay")) {
        this.#log?.info(
          `Not relaying non-mempool transaction ${txid} (wtxid=${wtxid}) from forcerelay peer=${ps.id}`,
        );
      }
      if (!this.#alreadyHaveTx(wtxid, true, false)) {
        // Core: not submitted alone again, but a child of it in the orphanage may pay for it.
        this.#log?.debug(
          "txpackages",
          `found tx ${txid} (wtxid=${wtxid}) in reconsiderable rejects, looking for child in orphanage`,
        );
        const pkg = find1p1cPackage(this.#orphanage, tx, ps.id, this.#filters);
        if (pkg !== undefined) await this.#validatePackage(pkg);
      }
      return;
    }
    ps.lastTxTime = this.#nowSec();
    const r = await mempool.acceptTransaction(tx);
    if (r.valid) {
      this.#debug(`AcceptToMemoryPool: peer=${ps.id}: accepted ${txid} (wtxid=${wtxid})`);
      this.#processValidTx(tx, txid, wtxid);
      await this.#processOrphanWork();
      return;
    }
    const pkg = this.#processInvalidTx(ps.id, tx, r, true);
    if (pkg !== undefined) await this.#validatePackage(pkg);
  }

  /** Core's `ReceivedResponse`: the peer's request (or announcement) of `key` is done. */
  #receivedResponse(peer: number, key: string): void {
    const a = this.#txAnnouncements.get(key);
    if (a === undefined) return;
    if (a.inFlight?.peer === peer) {
      a.inFlight = undefined;
      this.#releaseAnnouncement(peer);
    }
    if (a.candidates.delete(peer)) this.#releaseAnnouncement(peer);
    if (a.inFlight === undefined && a.candidates.size === 0) this.#txAnnouncements.delete(key);
  }

  /** Core's `GetCandidatePeers`: peers that announced `key` and were not answered yet. */
  #candidatePeers(key: string): number[] {
    const a = this.#txAnnouncements.get(key);
    if (a === undefined) return [];
    const out = [...a.candidates.keys()];
    if (a.inFlight !== undefined) out.push(a.inFlight.peer);
    return out;
  }

  /** The reject filters and the mempool, for the 1p1c decisions. */
  get #filters(): RejectFilters {
    return {
      rejects: this.#recentRejects,
      reconsiderable: this.#recentRejectsReconsiderable,
      inMempool: (txid) => this.#mempool?.pool.get(txid) !== undefined,
    };
  }

  /** Core's ProcessNewPackage + `ProcessPackageResult` for a 1-parent-1-child package. */
  async #validatePackage(pkg: PackageToValidate): Promise<void> {
    const mempool = this.#mempool;
    if (mempool === null) return;
    const txs = [pkg.parent, pkg.child];
    const r = await mempool.acceptPackage(txs, { testAccept: false });
    const ids = txs.map((t) => reverseHex(wtxidOf(t)));
    this.#log?.debug(
      "txpackages",
      `package evaluation for parent ${ids[0]} from peer=${pkg.sender} and child ${
        ids[1]
      } from peer=${pkg.sender}: ${r.state.valid ? "package accepted" : "package rejected"}`,
    );
    if (!r.state.valid) {
      addBounded(this.#recentRejectsReconsiderable, reverseHex(getPackageHash(txs)), MAX_RECENT);
    }
    // Child first, so it leaves the orphanage before the parent's children are queued for reconsideration.
    for (let i = txs.length - 1; i >= 0; i--) {
      const res = r.results.get(ids[i]);
      if (res === undefined) continue;
      if (res.valid) {
        if (res.alreadyInMempool) continue;
        this.#debug(`AcceptToMemoryPool: peer=${pkg.sender}: accepted ${res.txid} (wtxid=${res.wtxid})`);
        this.#processValidTx(txs[i], res.txid, res.wtxid);
      } else {
        this.#processInvalidTx(pkg.sender, txs[i], res, false);
      }
    }
    await this.#processOrphanWork();
  }

  /** Core's `ProcessValidTx` (relay goes through the mempool's signal): forget requests, queue children. */
  #processValidTx(tx: Transaction, txid: string, wtxid: string): void {
    this.#forgetTx(txid);
    this.#forgetTx(wtxid);
    this.#orphanage.addChildrenToWorkSet(tx);
    this.#orphanage.eraseTx(wtxid);
  }

  /**
   * Core's `ProcessInvalidTx` / `MempoolRejectedTx`: a missing-inputs transaction becomes an orphan (its
   * parents asked of every peer that announced it) unless a parent was rejected, or more than one parent
   * waits in the reconsiderable filter; a low-feerate one goes to the reconsiderable filter and, the first
   * time, is matched with a child in the orphanage (the package returned); others to the reject filter.
   */
  #processInvalidTx(
    peer: number,
    tx: Transaction,
    r: MempoolAcceptResult,
    firstTimeFailure: boolean,
  ): PackageToValidate | undefined {
    if (r.valid) return undefined;
    const txid = reverseHex(txidOf(tx));
    const wtxid = reverseHex(wtxidOf(tx));
    this.#log?.debug(
      "mempoolrej",
      `${txid} (wtxid=${wtxid}) from peer=${peer} was not accepted: ${r.state.reason}`,
    );
    this.#debug(`${txid} (wtxid=${wtxid}) from peer=${peer} was not accepted: ${r.state.reason}`);
    let pkg: PackageToValidate | undefined;
    const result = r.state.result;
    if (result === "TX_MISSING_INPUTS") {
      if (firstTimeFailure && !this.#recentRejects.has(wtxid)) {
        let parents = [...new Set(tx.inputs.map((i) => reverseHex(i.prevout.txid)))];
        const rejectedParents = !orphanParentsAcceptable(parents, this.#filters);
        if (!rejectedParents) {
          parents = parents.filter((p) => !this.#alreadyHaveTx(p, false, false));
          const candidates = new Set([peer, ...this.#candidatePeers(txid), ...this.#candidatePeers(wtxid)]);
          for (const id of candidates) {
            if (this.#maybeAddOrphanResolutionCandidate(parents, tx, wtxid, id)) {
              this.#orphanage.addTx(tx, id);
            }
          }
          this.#forgetTx(txid);
          this.#forgetTx(wtxid);
          this.#requestTxs();
        } else {
          this.#log?.debug("mempool", `not keeping orphan with rejected parents ${txid} (wtxid=${wtxid})`);
          this.#debug(`not keeping orphan with rejected parents ${txid}`);
          addBounded(this.#recentRejects, txid, MAX_RECENT);
          addBounded(this.#recentRejects, wtxid, MAX_RECENT);
          this.#forgetTx(txid);
          this.#forgetTx(wtxid);
        }
      }
    } else if (result !== "TX_WITNESS_STRIPPED") {
      if (result === "TX_RECONSIDERABLE") {
        // Core's recent-rejects-reconsiderable filter: not asked for or submitted alone again until the next
        // block, but may be tried in a package.
        addBounded(this.#recentRejectsReconsiderable, wtxid, MAX_RECENT);
        if (firstTimeFailure) {
          this.#log?.debug(
            "txpackages",
            `tx ${txid} (wtxid=${wtxid}) failed but reconsiderable, looking for child in orphanage`,
          );
          pkg = find1p1cPackage(this.#orphanage, tx, peer, this.#filters);
        }
      } else {
        addBounded(this.#recentRejects, wtxid, MAX_RECENT);
      }
      this.#forgetTx(wtxid);
      // The witness cannot matter for non-standard inputs: the txid is rejected as well.
      if (result === "TX_INPUTS_NOT_STANDARD" && hasWitness(tx)) {
        addBounded(this.#recentRejects, txid, MAX_RECENT);
        this.#forgetTx(txid);
      }
    }
    if (result !== "TX_MISSING_INPUTS" && this.#orphanage.haveTx(wtxid)) {
      this.#orphanage.eraseTx(wtxid);
      this.#log?.debug("txpackages", `   removed orphan tx ${txid} (wtxid=${wtxid})`);
    }
    // Core master punishes no peer for an invalid transaction.
    return pkg;
  }

  /**
   * Core's `MaybeAddOrphanResolutionCandidate`: the peer is asked for the orphan's missing parents (as if it
   * had announced them by txid), unless it already announced the orphan or has too many announcements.
   */
  #maybeAddOrphanResolutionCandidate(parents: string[], tx: Transaction, wtxid: string, id: number): boolean {
    const ps = this.#peers.get(id);
    if (ps === undefined) return false;
    if (this.#orphanage.haveTxFromPeer(wtxid, id)) return false;
    if (
      !ps.conn.permissions.has("relay") &&
      (this.#announcedBy.get(id) ?? 0) + parents.length > MAX_PEER_TX_ANNOUNCEMENTS
    ) return false;
    for (const p of parents) {
      const hash = tx.inputs.find((i) => reverseHex(i.prevout.txid) === p)!.prevout.txid;
      this.#addTxAnnouncement(ps, { type: InvType.MSG_WITNESS_TX, hash });
    }
    this.#log?.debug("txpackages", `added peer=${id} as a candidate for resolving orphan ${wtxid}`);
    return true;
  }

  /** Core's `ProcessOrphanTx` for every peer: orphans whose parents arrived are tried again. */
  async #processOrphanWork(): Promise<void> {
    const mempool = this.#mempool;
    if (mempool === null) return;
    for (let more = true; more;) {
      more = false;
      for (const id of [...this.#peers.keys()]) {
        const tx = this.#orphanage.getTxToReconsider(id);
        if (tx === undefined) continue;
        more = true;
        const txid = reverseHex(txidOf(tx));
        const wtxid = reverseHex(wtxidOf(tx));
        const r = await mempool.acceptTransaction(tx);
        if (r.valid) {
          this.#log?.debug("txpackages", `   accepted orphan tx ${txid} (wtxid=${wtxid})`);
          this.#debug(`accepted orphan tx ${txid} (wtxid=${wtxid})`);
          this.#processValidTx(tx, txid, wtxid);
        } else if (r.state.result !== "TX_MISSING_INPUTS") {
          this.#log?.debug(
            "txpackages",
            `   invalid orphan tx ${txid} (wtxid=${wtxid}) from peer=${id}. ${r.state.reason}`,
          );
          this.#processInvalidTx(id, tx, r, false);
        }
      }
    }
  }

  /**
   * Core's `RelayTransaction`: queues the mempool transaction `txid` (display hex) for announcement to every
   * peer that does not know it (for `sendrawtransaction` of a transaction already in the mempool, and the
   * unbroadcast set). False when it is not in the mempool.
   */
  relayTransaction(txid: string): boolean {
    const entry = this.#mempool?.pool.get(txid);
    if (entry === undefined) return false;
    this.#relayTransaction(entry);
    return true;
  }

  /** Core's `ReattemptInitialBroadcast`: unbroadcast transactions are announced again (every 10–15 minutes). */
  #reattemptInitialBroadcast(now: number): void {
    if (now < this.#nextRebroadcast) return;
    this.#nextRebroadcast = now + UNBROADCAST_RETRY_MIN_MS +
      Math.random() * (UNBROADCAST_RETRY_MAX_MS - UNBROADCAST_RETRY_MIN_MS);
    const pool = this.#mempool?.pool;
    if (pool === undefined || this.#nextRebroadcastFirst) {
      this.#nextRebroadcastFirst = false;
      return;
    }
    for (const txid of [...pool.unbroadcast()]) {
      if (!this.relayTransaction(txid)) pool.removeUnbroadcast(txid);
    }
  }

  #relayTransaction(entry: MempoolEntry): void {
    for (const ps of this.#peers.values()) {
      if (!ps.peer.successfullyConnected || !this.#relaysTxTo(ps)) continue;
      const key = ps.peer.wtxidRelay ? entry.wtxidHex : entry.txidHex;
      if (!ps.knownTx.has(key)) ps.toSend.add(key);
    }
  }

  #sendTxInventory(ps: PeerState, now: number): void {
    const pool = this.#mempool?.pool;
    if (pool === undefined || !this.#relaysTxTo(ps)) return;
    if (now < ps.nextInvSend && !ps.conn.permissions.has("noban")) return;
    const avg = ps.peer.inbound
      ? this.#opts.inboundInvIntervalMs ?? INBOUND_INVENTORY_BROADCAST_INTERVAL_MS
      : this.#opts.outboundInvIntervalMs ?? OUTBOUND_INVENTORY_BROADCAST_INTERVAL_MS;
    ps.nextInvSend = now + poisson(avg);
    const filter = ps.peer.feeFilter;
    const wtxid = ps.peer.wtxidRelay;
    const entries: MempoolEntry[] = [];
    for (const key of ps.toSend) {
      const e = wtxid ? pool.getByWtxid(key) : pool.get(key);
      if (e === undefined) {
        ps.toSend.delete(key);
        continue;
      }
      if (filter > 0n && e.fee * 1000n < filter * BigInt(e.vsize)) {
        ps.toSend.delete(key);
        continue;
      }
      entries.push(e);
    }
    // Parents first (Core sorts by ancestor count, then feerate): fewer in-mempool parents, then entry order.
    entries.sort((a, b) => a.parents.size - b.parents.size || a.sequence - b.sequence);
    const max = Math.min(
      INVENTORY_BROADCAST_MAX,
      INVENTORY_BROADCAST_TARGET + Math.floor(ps.toSend.size / 1000) * 5,
    );
    const items: InvItem[] = [];
    for (const e of entries.slice(0, max)) {
      const key = wtxid ? e.wtxidHex : e.txidHex;
      ps.toSend.delete(key);
      addBounded(ps.knownTx, key, MAX_KNOWN_TX);
      items.push({ type: wtxid ? InvType.MSG_WTX : InvType.MSG_TX, hash: wtxid ? wtxidOf(e.tx) : e.txid });
    }
    // Requests for anything announced so far are answered from now on.
    ps.lastInvSequence = pool.sequence;
    if (items.length > 0) this.#send(ps, { type: "inv", items });
  }

  // --- chain events ---

  #blockConnected(block: Block): void {
    // Core's BlockConnected: a doubled stalling timeout decays back to the default with every block connected
    // (whole seconds).
    if (this.#stallingTimeoutMs !== BLOCK_STALLING_TIMEOUT_DEFAULT_MS) {
      const next = Math.max(
        BLOCK_STALLING_TIMEOUT_DEFAULT_MS,
        Math.floor(this.#stallingTimeoutMs * 0.85 / 1000) * 1000,
      );
      this.#stallingTimeoutMs = next;
      this.#debug(`Decreased stalling timeout to ${next / 1000} seconds`);
    }
    this.#mostRecentBlockTxs.clear();
    // Core keeps no recently-confirmed entries for blocks connected during IBD.
    const ibd = this.#chain.isInitialBlockDownload();
    for (const tx of block.txs) {
      const txid = reverseHex(txidOf(tx));
      const wtxid = reverseHex(wtxidOf(tx));
      this.#mostRecentBlockTxs.set(txid, tx);
      this.#mostRecentBlockTxs.set(wtxid, tx);
      if (!ibd) {
        addBounded(this.#recentConfirmed, txid, MAX_RECENT);
        addBounded(this.#recentConfirmed, wtxid, MAX_RECENT);
      }
      this.#forgetTx(txid);
      this.#forgetTx(wtxid);
    }
    // Core's EraseForBlock: orphans included in the block or spending what it spends go.
    this.#orphanage.eraseForBlock(block.txs);
    // Orphans whose parents were confirmed may now be accepted.
    let work = false;
    for (const tx of block.txs) if (this.#orphanage.addChildrenToWorkSet(tx).length > 0) work = true;
    if (work) {
      void this.#serial(() => this.#processOrphanWork())
        .catch((e) => this.#debug(`orphan processing failed: ${e instanceof Error ? e.message : e}`));
    }
  }

  async #updatedBlockTip(tip: BlockIndexEntry, fork: BlockIndexEntry | null, ibd: boolean): Promise<void> {
    // Core resets the recently rejected filter on every new tip (a transaction may be valid now).
    this.#recentRejects.clear();
    this.#recentRejectsReconsiderable.clear();
    this.#updateBestHeader(tip);
    if (ibd || this.#closed) return;
    const blocks: BlockIndexEntry[] = [];
    for (let e: BlockIndexEntry | null = tip; e !== null && e !== fork; e = e.prev) {
      blocks.push(e);
      if (blocks.length >= MAX_BLOCKS_TO_ANNOUNCE) break;
    }
    blocks.reverse();
    if (blocks.length === 0) return;
    let tipBlock: Block | null = null;
    const needsCompact = [...this.#peers.values()].some((ps) => ps.peer.compactBlocks.highBandwidth);
    if (needsCompact) {
      try {
        tipBlock = await this.#chain.readBlock(tip);
      } catch { /* announce by headers */ }
    }
    for (const ps of this.#peers.values()) {
      if (!ps.peer.successfullyConnected || ps.peer.disconnectReason !== undefined) continue;
      this.#announce(ps, blocks, tipBlock);
    }
  }

  #announce(ps: PeerState, blocks: readonly BlockIndexEntry[], tipBlock: Block | null): void {
    const cb = ps.peer.compactBlocks;
    if (ps.peer.prefersHeaders || (cb.highBandwidth && cb.provides)) {
      const headers: BlockIndexEntry[] = [];
      let revert = false;
      for (const e of blocks) {
        if (headers.length > 0 && e.prev !== headers[headers.length - 1]) {
          revert = true;
          break;
        }
        if (headers.length === 0 && this.#peerHasHeader(ps, e)) continue;
        if (headers.length === 0 && e.prev !== null && !this.#peerHasHeader(ps, e.prev)) {
          revert = true;
          break;
        }
        headers.push(e);
      }
      if (!revert && headers.length > 0) {
        const last = headers[headers.length - 1];
        if (
          cb.highBandwidth && cb.provides && headers.length === 1 && tipBlock !== null &&
          bytesEqual(blockHash(tipBlock.header), last.hash)
        ) {
          this.#send(ps, { type: "cmpctblock", ...createCompactBlock(tipBlock, randomNonce()) });
        } else if (ps.peer.prefersHeaders) {
          this.#send(ps, { type: "headers", headers: headers.map((e) => e.header) });
        } else {
          revert = true;
        }
        if (!revert) {
          ps.bestHeaderSent = last;
          return;
        }
      } else if (!revert) {
        return; // the peer has them all
      }
    }
    const last = blocks[blocks.length - 1];
    if (!this.#peerHasHeader(ps, last)) {
      this.#send(ps, { type: "inv", items: [{ type: InvType.MSG_BLOCK, hash: last.hash }] });
    }
  }

  // --- compact blocks ---

  async #onCmpctBlock(
    ps: PeerState,
    cb: Extract<NetMessage, { type: "cmpctblock" }>,
  ): Promise<void> {
    if (!ps.peer.compactBlocks.provides) {
      this.#log?.debug(
        "cmpctblock",
        `peer=${ps.id} sent us a compact block despite never having sent us a SENDCMPCT!`,
      );
      return;
    }
    const hash = blockHash(cb.header);
    const hex = reverseHex(hash);
    const prev = this.#chain.lookup(cb.header.prevBlock);
    if (prev === undefined) {
      // Core: ask for headers when a compact block does not connect (if not in IBD).
      if (!this.#chain.isInitialBlockDownload()) this.#getHeaders(ps, this.bestHeader);
      return;
    }
    if (prev.chainWork + blockProof(cb.header.bits) < this.#antiDosWorkThreshold()) {
      // Core: a low-work header in a compact block is ignored.
      this.#debug(`Ignoring low-work compact block from peer ${ps.id}`);
      return;
    }
    const state = await this.#chain.processNewBlockHeaders([cb.header]);
    if (!state.valid) {
      this.#punishForBlock(ps, state, true, "invalid header via cmpctblock");
      return;
    }
    const entry = this.#chain.lookup(hex);
    if (entry === undefined) return;
    this.#updateBestHeader(entry);
    this.#updateBlockAvailability(ps, entry);
    if (entry.haveData) return;
    const tip = this.#chain.tip();
    const list = this.#blocksInFlight.get(hex) ?? [];
    const alreadyInFlight = list.length;
    const mine = list.find((q) => q.peer === ps.id);
    const firstInFlight = alreadyInFlight === 0 || list[0].peer === ps.id;
    // Only a block building on our tip is reconstructed; anything else is fetched whole (Core's fallback).
    if (entry.prev !== tip || this.#mempool === null) {
      if (mine !== undefined) {
        // We asked this peer for the compact block, but it no longer builds on our tip: the whole block.
        this.#requestFullBlock(ps, entry);
        return;
      }
      this.#requestBlocksAll();
      return;
    }
    const extra = this.#orphanage.orphans().map((o) => o.tx);
    const pool = () => [...this.#mempool!.pool.entries()].map((e) => e.tx);
    if (
      (alreadyInFlight < MAX_CMPCTBLOCKS_INFLIGHT_PER_BLOCK &&
        ps.inFlight.size < MAX_BLOCKS_IN_TRANSIT_PER_PEER) ||
      mine !== undefined
    ) {
      // Core: up to 3 peers may reconstruct the same block in parallel.
      let q = mine;
      if (q === undefined) {
        q = { entry, peer: ps.id, time: this.#nowMs() };
        this.#markInFlight(ps, q);
      } else if (q.partial !== undefined) {
        this.#debug("Peer sent us compact block we were already syncing!");
        return;
      }
      const init = PartiallyDownloadedBlock.init(cb, pool(), extra);
      if (init.status === "invalid") {
        this.#removeBlockRequest(hex, ps);
        this.#misbehaving(ps, "invalid compact block");
        return;
      }
      if (init.status !== "ok") {
        if (firstInFlight) this.#requestFullBlock(ps, entry);
        else this.#removeBlockRequest(hex, ps);
        return;
      }
      const partial = init.block;
      const missing = partial.missingIndexes();
      this.#log?.debug(
        "cmpctblock",
        `Initialized PartiallyDownloadedBlock for block ${hex} using a cmpctblock of ${partial.size} txs, ${missing.length} missing`,
      );
      q.partial = partial;
      if (missing.length === 0) {
        await this.#onBlockTxn(ps, hash, []);
      } else if (
        firstInFlight ||
        (ps.hbTo && (!ps.peer.inbound || this.#requestedFromOutbound(hex) ||
          alreadyInFlight < MAX_CMPCTBLOCKS_INFLIGHT_PER_BLOCK - 1))
      ) {
        // The last parallel slot goes to an outbound peer (or when an outbound one is already asked).
        this.#send(ps, { type: "getblocktxn", blockHash: hash, indexes: missing });
      } else {
        this.#removeBlockRequest(hex, ps);
      }
      return;
    }
    // Core: in flight from enough peers already, but perhaps rebuilt without a round trip: then it is processed
    // and the other requests dropped.
    const temp = PartiallyDownloadedBlock.init(cb, pool(), extra);
    if (temp.status !== "ok" || temp.block.missingIndexes().length > 0) return;
    const filled = temp.block.fill([]);
    if (filled.status !== "ok") return;
    await this.#processBlock(ps, filled.block, hex, true);
    this.#removeBlockRequest(hex, undefined);
  }

  /** Asks `ps` for the whole block (its request of the block, if any, becomes a full one). */
  #requestFullBlock(ps: PeerState, entry: BlockIndexEntry): void {
    const q = ps.inFlight.get(entry.hashHex);
    if (q !== undefined) q.partial = undefined;
    else this.#markInFlight(ps, { entry, peer: ps.id, time: this.#nowMs() });
    this.#send(ps, { type: "getdata", items: [{ type: InvType.MSG_WITNESS_BLOCK, hash: entry.hash }] });
  }

  /** Core's `ProcessCompactBlockTxns`. */
  async #onBlockTxn(ps: PeerState, hash: Uint8Array, txs: readonly Transaction[]): Promise<void> {
    const hex = reverseHex(hash);
    const list = this.#blocksInFlight.get(hex) ?? [];
    const firstInFlight = list.length === 0 || list[0].peer === ps.id;
    const q = list.find((x) => x.peer === ps.id && x.partial !== undefined);
    if (q === undefined || q.partial === undefined) {
      this.#debug(`Peer ${ps.id} sent us block transactions for block we weren't expecting`);
      return;
    }
    if (q.partialFailed) {
      this.#removeBlockRequest(hex, ps);
      this.#misbehaving(ps, "previous compact block reconstruction attempt failed");
      this.#debug(`Peer ${ps.id} sent compact block transactions multiple times`);
      return;
    }
    const filled = q.partial.fill(txs);
    if (filled.status === "invalid") {
      this.#removeBlockRequest(hex, ps);
      this.#misbehaving(ps, "invalid compact block/non-matching block transactions");
      return;
    }
    if (filled.status !== "ok") {
      if (firstInFlight) {
        q.partialFailed = true;
        this.#send(ps, { type: "getdata", items: [{ type: InvType.MSG_WITNESS_BLOCK, hash }] });
      } else {
        this.#removeBlockRequest(hex, ps);
        this.#debug(
          `Peer ${ps.id} sent us a compact block but it failed to reconstruct, waiting on first download to complete`,
        );
      }
      return;
    }
    this.#removeBlockRequest(hex, ps);
    await this.#processBlock(ps, filled.block, hex, true);
  }

  async #onGetBlockTxn(ps: PeerState, hash: Uint8Array, indexes: readonly number[]): Promise<void> {
    const e = this.#chain.lookup(hash);
    if (e === undefined || !e.haveData) {
      this.#debug(`Peer ${ps.id} sent us a getblocktxn for a block we don't have`);
      return;
    }
    let block: Block;
    try {
      block = await this.#chain.readBlock(e);
    } catch {
      return;
    }
    if (e.height < this.#chain.tip().height - MAX_BLOCKTXN_DEPTH) {
      this.#send(ps, { type: "block", block });
      return;
    }
    const txs: Transaction[] = [];
    for (const i of indexes) {
      if (i >= block.txs.length) {
        this.#misbehaving(ps, "getblocktxn with out-of-bounds tx indices");
        return;
      }
      txs.push(block.txs[i]);
    }
    this.#send(ps, { type: "blocktxn", blockHash: hash, txs });
  }

  /**
   * Core's `MaybeSetPeerAsAnnouncingHeaderAndIDs`: the peer that delivered our new tip is asked for
   * high-bandwidth compact blocks, keeping at most {@link MAX_HB_PEERS} (the one asked longest ago drops out).
   */
  #maybeSetHighBandwidth(ps: PeerState): void {
    if (this.#opts.blocksOnly || !ps.peer.compactBlocks.provides) return;
    const list = this.#hbPeers;
    const at = list.indexOf(ps.id);
    if (at >= 0) {
      // Already selected: it moves to the back (the most recent).
      list.splice(at, 1);
      list.push(ps.id);
      return;
    }
    if (ps.peer.inbound && list.length >= MAX_HB_PEERS) {
      // An inbound peer must not take the last outbound high-bandwidth slot.
      const outbound = list.filter((id) => this.#peers.get(id)?.peer.inbound === false);
      if (outbound.length === 1 && outbound[0] === list[0]) [list[0], list[1]] = [list[1], list[0]];
    }
    if (list.length >= MAX_HB_PEERS) {
      const dropped = this.#peers.get(list.shift()!);
      if (dropped !== undefined) {
        dropped.hbTo = false;
        this.#send(dropped, { type: "sendcmpct", highBandwidth: false, version: CMPCTBLOCKS_VERSION });
      }
    }
    ps.hbTo = true;
    list.push(ps.id);
    this.#send(ps, { type: "sendcmpct", highBandwidth: true, version: CMPCTBLOCKS_VERSION });
  }
}
