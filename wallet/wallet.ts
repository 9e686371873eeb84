/**
 * A descriptor wallet (Core's `CWallet`): its descriptors (wallet/scriptpubkeyman.ts), transactions with their
 * states, address book and locked coins, kept in memory with indexes (script → descriptor, outpoint →
 * spenders) and written to its database (wallet/db) in one batch per change (one per connected block).
 *
 * It follows the chain through {@linkcode ChainNotifications} (blocks connected and disconnected, mempool
 * additions and removals: conflicts make transactions block-conflicted, reorgs bring them back), records the
 * blocks it processed, and catches up on load from where it stopped (`Chain.findLocatorFork`, then
 * `Chain.readBlocks`). Blocks are processed locally from their serialization: no round trip per transaction.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Network } from "../core/chain_params_base.ts";
import { encodeDestination } from "../core/address/destination.ts";
import { fromHex, fromReverseHex, reverseHex, toHex } from "../core/hash/hashes.ts";
import { decodeBlock } from "../core/wire/block.ts";
import { outPointKey } from "../core/wire/outpoint.ts";
import {
  decodeTransaction,
  encodeTransaction,
  isCoinBase,
  originalBytes,
  txid as txidOf,
  wtxid as wtxidOf,
} from "../core/wire/transaction.ts";
import type { Block, OutPoint, Transaction, TxOut } from "../core/wire/types.ts";
import type { OutputType } from "../core/descriptors/mod.ts";
import type {
  BlockInfo,
  Chain,
  ChainNotifications,
  Handler,
  MempoolRemovalReason,
} from "../interfaces/chain.ts";
import { RpcError, RpcErrorCode } from "../rpc/errors.ts";
import type { Logger } from "../util/logging.ts";
import { VERSION } from "../cli/help.ts";
import { clientVersionNumber } from "../rpc/methods/net.ts";
import { type WalletBatch, WalletDatabase } from "./db/database.ts";
import {
  type BestBlockRecord,
  decodeJson,
  decodeWalletTx,
  type DescriptorRecord,
  encodeJson,
  encodeWalletTx,
  Keys,
  MAX_PART_BYTES,
  WALLET_DB_VERSION,
} from "./db/records.ts";
import {
  defaultDescriptorText,
  DescriptorScriptPubKeyMan,
  KeypoolRanOutError,
  randomMasterKeyText,
  WALLET_OUTPUT_TYPES,
} from "./scriptpubkeyman.ts";
import type {
  AddressBookEntry,
  SignTransactionResult,
  TxState,
  WalletCore,
  WalletFlag,
  WalletScriptInfo,
  WalletSettings,
  WalletTx,
  WalletTxo,
} from "./types.ts";
import { scriptInfoOf } from "./script_info.ts";
import { TRUC_VERSION } from "./coin_selection/mod.ts";
import {
  decodeMasterKeyRecord,
  decryptSecret,
  encodeMasterKeyRecord,
  encryptSecret,
  type MasterKeyRecord,
  newMasterKey,
  rewrapMasterKey,
  unlockMasterKey,
} from "./crypter.ts";
import { fillPsbt, signTransactionWithWallet } from "./signing.ts";
import { walletInputSatisfactionWeight } from "./solving_data.ts";
import { isUnconfirmed, nextResendTime, resendCandidates, shouldResend } from "./resend.ts";

/** Core's `CLIENT_VERSION` of this build (written to the wallet as the last client that opened it). */
export const CLIENT_VERSION: number = clientVersionNumber(VERSION);

/** Positions a new descriptor derives at once; the rest of its lookahead is derived in the background. */
export const INITIAL_LOOKAHEAD = 20;
/** Positions one background top-up step derives (holding the wallet's lock). */
export const TOPUP_STEP = 10;
/** Positions the background top-up derives between database writes. */
export const TOPUP_WRITE = 250;

/** Coinbase outputs mature after this many blocks (Core's `COINBASE_MATURITY`). */
export const COINBASE_MATURITY = 100;

/** Core's flag bit order, as getwalletinfo lists them. */
const FLAG_ORDER: readonly WalletFlag[] = [
  "avoid_reuse",
  "last_hardened_xpub_cached",
  "disable_private_keys",
  "blank",
  "descriptor_wallet",
  "external_signer",
];

/** Default wallet settings (Core's defaults). */
export function defaultWalletSettings(): WalletSettings {
  return {
    minTxFee: 1000n,
    fallbackFee: 0n,
    discardFee: 10000n,
    consolidateFeeRate: 10000n,
    maxTxFee: 10_000_000n,
    confirmTarget: 6,
    signalRbf: true,
    spendZeroConfChange: true,
    avoidPartialSpends: false,
    maxApsFee: 0n,
    broadcast: true,
  };
}

/** What a wallet needs from the process that loads it. */
export interface WalletEnvironment {
  /** The node. */
  readonly chain: Chain;
  /** Network of keys and addresses. */
  readonly network: Network;
  /** `-keypool`: lookahead per descriptor. */
  readonly keypoolSize: number;
  /** `-addresstype`. */
  readonly addressType: OutputType;
  /** `-changetype`. */
  readonly changeType?: OutputType;
  /** Settings from the arguments (copied per wallet). */
  readonly settings: WalletSettings;
  /** Current time in seconds (mock time aware). */
  now(): number;
  /** Logger. */
  readonly logger?: Logger;
}

/** Options of {@linkcode Wallet.create}. */
export interface CreateWalletOptions {
  /** `disable_private_keys`. */
  disablePrivateKeys?: boolean;
  /** `blank`. */
  blank?: boolean;
  /** `avoid_reuse`. */
  avoidReuse?: boolean;
  /** The wallet is encrypted right after creation: its descriptors are made then (Core's `born_encrypted`). */
  bornEncrypted?: boolean;
}

/** Where a rescan stopped (Core's `ScanResult`). */
export interface ScanResult {
  /** "success", "failure" or "user_abort". */
  status: "success" | "failure" | "user_abort";
  /** Last block scanned. */
  lastScanned: { hash: string; height: number } | null;
  /** Block where a failure happened. */
  lastFailed: { hash: string; height: number } | null;
}

/** "txid:vout" of an outpoint (display txid; core/wire's `outPointKey`). */
export const outpointKey: (o: OutPoint) => string = outPointKey;

const lockHeld = new AsyncLocalStorage<Set<Wallet>>();

/** How a transaction's state is updated while processing a block or the mempool. */
interface SyncContext {
  batch: WalletBatch;
  /** Block time and max time (for nTimeSmart), when in a block. */
  blockTime?: number;
  blockMaxTime?: number;
  /** Rescanning an old block (Core's `rescanning_old_block`). */
  rescanning?: boolean;
}

/** A loaded descriptor wallet. */
export class Wallet implements WalletCore, ChainNotifications {
  readonly name: string;
  readonly network: Network;
  readonly chain: Chain;
  readonly db: WalletDatabase;
  readonly #env: WalletEnvironment;
  readonly #flags = new Set<WalletFlag>();
  readonly #spkms = new Map<string, DescriptorScriptPubKeyMan>();
  /** "external:type" / "internal:type" → descriptor id. */
  readonly #active = new Map<string, string>();
  /** Script hex → descriptor and position. */
  readonly #scripts = new Map<string, { spkm: DescriptorScriptPubKeyMan; index: number }>();
  readonly #txs = new Map<string, WalletTx>();
  /** Outpoint "txid:vout" → txids of wallet transactions spending it. */
  readonly #spends = new Map<string, Set<string>>();
  /** Addresses of the wallet's scripts by script hex (memo). */
  readonly #addresses = new Map<string, string | undefined>();
  /** Solving information by script hex (derived once; cleared when descriptors are imported). */
  readonly #scriptInfos = new Map<string, WalletScriptInfo>();
  /** Owned outputs by "txid:vout". */
  readonly #txos = new Map<string, WalletTxo>();
  /** Wallet txs in order position order (ascending). */
  #ordered: WalletTx[] = [];
  #orderPosNext = 0;
  #dirty = new Set<string>();
  readonly #locked = new Map<string, boolean>();
  readonly #addressBook = new Map<string, AddressBookEntry>();
  /** Heights → hashes of the blocks processed (the wallet's view of the active chain). */
  readonly #chainView = new Map<number, string>();
  #last: BestBlockRecord = { hash: "", height: -1 };
  #birthTime: number | undefined;
  #settings: WalletSettings;
  #lockTail: Promise<unknown> = Promise.resolve();
  #handler: Handler | null = null;
  #closed = false;
  /** Rescan state. */
  #scanning: { start: number; progress: number } | null = null;
  #abortScan = false;
  /** Encryption: the wrapped master key (null: not encrypted), the master key while unlocked. */
  #masterRecord: MasterKeyRecord | null = null;
  #masterKey: Uint8Array | null = null;
  #relockTime = 0;
  /** Mempool transactions delivered during a `requestMempoolTransactions` pass (null: none runs). */
  #mempoolBuffer: Uint8Array[] | null = null;
  /** The background top-up, while it runs. */
  #topUpRunning: Promise<void> | null = null;
  #relockTimer: ReturnType<typeof setTimeout> | null = null;
  /** The wallet's clock when the tip last moved (Core's `m_best_block_time`; 0 until then). */
  #bestBlockTime = 0;
  /** When the wallet resends its unconfirmed transactions next (Core's `m_next_resend`). */
  #nextResend: number;

  private constructor(env: WalletEnvironment, name: string, db: WalletDatabase) {
    this.#env = env;
    this.name = name;
    this.network = env.network;
    this.chain = env.chain;
    this.db = db;
    this.#settings = { ...env.settings };
    this.#nextResend = nextResendTime(env.now());
  }

  // ---------------------------------------------------------------- creation and loading

  /**
   * Creates a wallet in the directory `dir` (Core's `CWallet::CreateNew`): flags, default descriptors from a
   * random master key (unless blank or without private keys), the chain tip as last processed block.
   */
  static async create(
    env: WalletEnvironment,
    name: string,
    dir: string,
    options: CreateWalletOptions = {},
  ): Promise<Wallet> {
    const db = await WalletDatabase.open(dir);
    try {
      const w = new Wallet(env, name, db);
      w.#flags.add("descriptor_wallet");
      w.#flags.add("last_hardened_xpub_cached");
      if (options.disablePrivateKeys) w.#flags.add("disable_private_keys");
      if (options.blank) w.#flags.add("blank");
      if (options.avoidReuse) w.#flags.add("avoid_reuse");
      const batch = db.batch();
      batch.put(Keys.version, encodeJson(WALLET_DB_VERSION));
      batch.put(Keys.clientVersion, encodeJson(CLIENT_VERSION));
      batch.put(Keys.flags, encodeJson(w.flags()));
      const height = await env.chain.getHeight();
      if (height !== null) {
        const hash = await env.chain.getBlockHash(height);
        w.#setLastBlock(batch, hash, height);
      }
      if (!options.blank && !options.disablePrivateKeys && !options.bornEncrypted) w.#setupDescriptors(batch);
      await batch.commit();
      w.#scheduleTopUp();
      env.logger?.info(`[${w.#logName()}] Wallet created with ${w.#spkms.size} descriptors`);
      return w;
    } catch (e) {
      await db.close();
      throw e;
    }
  }

  /** Loads the wallet stored in `dir` (Core's `CWallet::LoadExisting`); call {@link attach} next. */
  static async load(env: WalletEnvironment, name: string, dir: string): Promise<Wallet> {
    const db = await WalletDatabase.open(dir);
    try {
      const w = new Wallet(env, name, db);
      await w.#loadRecords();
      // Core tops every descriptor up on load (a crash may have left a lookahead short).
      for (const spkm of w.#spkms.values()) spkm.requestTopUp(env.keypoolSize);
      w.#scheduleTopUp();
      return w;
    } catch (e) {
      await db.close();
      throw e;
    }
  }

  async #loadRecords(): Promise<void> {
    const db = this.db;
    const version = await db.get(Keys.version);
    if (version === null) throw new Error("Wallet database has no version record: not a wallet");
    // Core's "Last client version" line, and the record updated to this client.
    const client = await db.get(Keys.clientVersion);
    const last = client === null ? null : decodeJson<number>(client);
    if (last !== null) this.#env.logger?.info(`[${this.#logName()}] Last client version = ${last}`);
    if (last !== CLIENT_VERSION) {
      const b = db.batch();
      b.put(Keys.clientVersion, encodeJson(CLIENT_VERSION));
      await b.commit();
    }
    const flags = await db.get(Keys.flags);
    for (const f of flags ? decodeJson<WalletFlag[]>(flags) : []) this.#flags.add(f);
    const birth = await db.get(Keys.birthTime);
    if (birth !== null) this.#birthTime = decodeJson<number>(birth);
    const mk = await db.get(Keys.masterKey);
    if (mk !== null) this.#masterRecord = decodeMasterKeyRecord(mk);
    const best = await db.get(Keys.best);
    if (best !== null) this.#last = decodeJson<BestBlockRecord>(best);
    for await (const [key, value] of db.list(["chain"])) {
      this.#chainView.set(key[1] as number, decodeJson<string>(value));
    }
    // Descriptors with their script caches.
    const chunks = new Map<string, Uint8Array[]>();
    for await (const [key, value] of db.list(["desccache"])) {
      const id = key[1] as string;
      const list = chunks.get(id) ?? [];
      list[key[2] as number] = value;
      chunks.set(id, list);
    }
    for await (const [key, value] of db.list(["desc"])) {
      const id = key[1] as string;
      const record = decodeJson<DescriptorRecord>(value);
      const list = chunks.get(id) ?? [];
      // A missing chunk stops the cache there: later positions are derived again.
      const contiguous: Uint8Array[] = [];
      for (let i = 0; i < list.length && list[i] !== undefined; i++) contiguous.push(list[i]);
      const spkm = DescriptorScriptPubKeyMan.fromRecord(record, {
        network: this.network,
        chunks: contiguous,
      });
      this.#addSpkm(spkm);
    }
    for await (const [key, value] of db.list(["active"])) {
      this.#active.set(`${String(key[1])}:${String(key[2])}`, decodeJson<string>(value));
    }
    // Transactions, their parts in order.
    let current: { txid: string; parts: Uint8Array[] } | null = null;
    const finish = () => {
      if (current === null) return;
      const wtx = decodeWalletTx(current.txid, (tx) => reverseHex(wtxidOf(tx)), current.parts);
      // Mempool facts are not kept across loads (Core serializes them as unconfirmed): the node's mempool
      // (requestMempoolTransactions at attach) tells them again.
      if (wtx.state.kind === "inMempool") wtx.state = { kind: "inactive", abandoned: false };
      wtx.mempoolConflicts.clear();
      this.#insertTx(wtx);
      if (wtx.orderPos >= this.#orderPosNext) this.#orderPosNext = wtx.orderPos + 1;
      // Core's LoadToWallet: the birth time is at most the oldest transaction's time.
      const t = wtx.timeSmart || wtx.timeReceived;
      if (this.#birthTime === undefined || t < this.#birthTime) this.#birthTime = t;
    };
    for await (const [key, value] of db.list(["tx"])) {
      const id = key[1] as string;
      if (current === null || current.txid !== id) {
        finish();
        current = { txid: id, parts: [] };
      }
      current.parts.push(value);
    }
    finish();
    this.#ordered.sort((a, b) => a.orderPos - b.orderPos);
    for await (const [key] of db.list(["lockedutxo"])) this.#locked.set(key[1] as string, true);
    for await (const [key, value] of db.list(["addressbook"])) {
      this.#addressBook.set(key[1] as string, decodeJson<AddressBookEntry>(value));
    }
  }

  #logName(): string {
    return this.name === "" ? "default wallet" : this.name;
  }

  /** Core's `WalletLogPrintf`: `[<wallet name>] message` in the node's log. */
  logPrintf(message: string): void {
    this.#env.logger?.info(`[${this.#logName()}] ${message}`);
  }

  #addSpkm(spkm: DescriptorScriptPubKeyMan): void {
    this.#spkms.set(spkm.id, spkm);
    for (const [script, index] of spkm.allScripts()) this.#scripts.set(toHex(script), { spkm, index });
  }

  /** Core's `SetupDescriptorScriptPubKeyMans`: the 8 default descriptors from a new master key, active. */
  #setupDescriptors(batch: WalletBatch): void {
    const xprv = randomMasterKeyText(this.network);
    const now = this.#env.now();
    for (const type of WALLET_OUTPUT_TYPES) {
      for (const internal of [false, true]) {
        const spkm = DescriptorScriptPubKeyMan.fromText(
          defaultDescriptorText(xprv, type, internal, this.network),
          {
            network: this.network,
            timestamp: now,
          },
        );
        spkm.requestTopUp(this.#env.keypoolSize);
        spkm.deriveStep(INITIAL_LOOKAHEAD);
        this.#protect(spkm);
        this.#addSpkm(spkm);
        for (const [k, v] of spkm.writes()) batch.put(k, v);
        this.#active.set(`${internal ? "internal" : "external"}:${type}`, spkm.id);
        batch.put(Keys.active(internal, type), encodeJson(spkm.id));
      }
    }
    this.#updateBirthTime(batch, now);
  }

  #updateBirthTime(batch: WalletBatch, time: number): void {
    if (this.#birthTime === undefined || time < this.#birthTime) {
      this.#birthTime = time;
      batch.put(Keys.birthTime, encodeJson(time));
    }
  }

  /**
   * Follows the chain (Core's `AttachChain`): registers for notifications, catches up from the last processed
   * block (blocks of a stale branch are undone first), resubmits its unconfirmed transactions and syncs with
   * the mempool.
   */
  async attach(): Promise<void> {
    this.#handler = await this.chain.handleNotifications(this);
    await this.withLock(() => this.#catchUp(true));
    await this.resubmitTransactions({ relay: false, force: true });
    await this.#syncMempool();
  }

  /** Stops following the chain and closes the database. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#abortScan = true;
    const h = this.#handler;
    this.#handler = null;
    await h?.disconnect().catch(() => {});
    await this.withLock(async () => {
      this.#closed = true;
      this.#lockNow();
      await this.db.close();
    });
  }

  /** Whether the wallet was closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Locator of the processed blocks: the last ten, then exponentially sparser (Core's `GetLocator`). */
  #locator(): string[] {
    const out: string[] = [];
    let step = 1;
    for (let h = this.#last.height; h >= 0; h -= step) {
      const hash = this.#chainView.get(h);
      if (hash !== undefined) out.push(hash);
      if (out.length >= 10) step *= 2;
    }
    const lowest = Math.min(...this.#chainView.keys());
    const last = this.#chainView.get(lowest);
    if (last !== undefined && out[out.length - 1] !== last) out.push(last);
    return out;
  }

  /** Brings the wallet to the node's tip: undoes blocks no longer active, scans the new ones. */
  async #catchUp(atLoad = false): Promise<void> {
    const tip = await this.chain.getHeight();
    if (tip === null) return;
    let fork: number | null = null;
    if (this.#chainView.size > 0) fork = await this.chain.findLocatorFork(this.#locator());
    const batch = this.db.batch();
    // No processed block is on the active chain any more: everything is scanned again.
    if (fork === null) fork = -1;
    if (fork >= 0 && this.#chainView.get(fork) === undefined) {
      // The fork point is an active block the wallet did not record (e.g. the genesis block): note it.
      const hash = await this.chain.getBlockHash(fork);
      this.#chainView.set(fork, hash);
      batch.put(Keys.chain(fork), encodeJson(hash));
    }
    if (fork < this.#last.height) this.#rewindTo(batch, fork);
    await batch.commit();
    if (fork < tip && atLoad) {
      // Core's AttachChain (its rescan starts at the fork block itself).
      const from = Math.max(fork, 0);
      this.#env.logger?.info(
        `[${this.#logName()}] Rescanning last ${tip - from} blocks (from block ${from})...`,
      );
    }
    if (fork < tip) await this.#scan(fork + 1, tip, { following: true });
  }

  /** Forgets the blocks above `height` (a stale branch): their transactions become inactive. */
  #rewindTo(batch: WalletBatch, height: number): void {
    for (const wtx of this.#txs.values()) {
      const s = wtx.state;
      if ((s.kind === "confirmed" || s.kind === "blockConflicted") && s.blockHeight > height) {
        wtx.state = { kind: "inactive", abandoned: s.kind === "confirmed" && isCoinBase(wtx.tx) };
        this.#dirty.add(wtx.txid);
        this.#abandonInactiveCoinbase(wtx);
      }
    }
    for (const h of [...this.#chainView.keys()]) {
      if (h > height) {
        this.#chainView.delete(h);
        batch.delete(Keys.chain(h));
      }
    }
    const hash = this.#chainView.get(height) ?? "";
    this.#last = { hash, height };
    batch.put(Keys.best, encodeJson(this.#last));
    this.#flushDirty(batch);
  }

  /**
   * Scans active-chain blocks `from`..`to` (Core's `ScanForWalletTransactions`). `following`: the blocks extend
   * the wallet's view (catch-up), else they are old blocks scanned again (rescan).
   */
  async #scan(from: number, to: number, opts: { following: boolean }): Promise<ScanResult> {
    this.#scanning = { start: Date.now(), progress: 0 };
    this.#abortScan = false;
    // Every requested lookahead position must be known before blocks are scanned.
    const pre = this.db.batch();
    for (const spkm of this.#spkms.values()) {
      const before = spkm.record.rangeEnd;
      if (spkm.deriveStep(Number.POSITIVE_INFINITY) === null) continue;
      this.#indexNewScripts(spkm, before);
      for (const [k, v] of spkm.writes(before)) pre.put(k, v);
    }
    await pre.commit();
    let lastScanned: { hash: string; height: number } | null = null;
    const started = Date.now();
    const log = (m: string) => this.#env.logger?.info(`[${this.#logName()}] ${m}`);
    try {
      let h = from;
      let maxTime = 0;
      let first = true;
      while (h <= to) {
        if (this.#abortScan) {
          log(`Rescan aborted at block ${h}. Progress=${this.#scanning.progress.toFixed(6)}`);
          return { status: "user_abort", lastScanned, lastFailed: null };
        }
        const blocks = await this.chain.readBlocks(h, Math.min(to - h + 1, 500), 4 * 1024 * 1024);
        if (first && blocks.length > 0) {
          log(`Rescan started from block ${blocks[0].hash}... (slow variant inspecting all blocks)`);
          first = false;
        }
        if (blocks.length === 0) {
          const hash = await this.chain.getBlockHash(h).catch(() => "");
          return { status: "failure", lastScanned, lastFailed: { hash, height: h } };
        }
        // One batch (one atomic when it fits) per group of blocks read.
        const batch = this.db.batch();
        let moved = false;
        for (const b of blocks) {
          if (b.height > to) break;
          const block = decodeBlock(b.data);
          maxTime = Math.max(maxTime, block.header.time);
          if (opts.following) {
            const linked = this.#last.height < 0 || reverseHex(block.header.prevBlock) === this.#last.hash;
            if (b.height !== this.#last.height + 1 || !linked) {
              // The chain moved while scanning: the notifications bring the rest.
              moved = true;
              break;
            }
            this.#connect(batch, block, b.hash, b.height, {
              blockTime: block.header.time,
              blockMaxTime: maxTime,
            });
          } else {
            this.#syncBlockTxs(block, b.hash, b.height, {
              batch,
              blockTime: block.header.time,
              blockMaxTime: maxTime,
              rescanning: true,
            });
            this.#flushDirty(batch);
          }
          lastScanned = { hash: b.hash, height: b.height };
          this.#scanning.progress = to > from ? (b.height - from) / (to - from) : 1;
        }
        await batch.commit();
        if (moved) return { status: "success", lastScanned, lastFailed: null };
        h = blocks[blocks.length - 1].height + 1;
      }
      log(`Rescan completed in ${String(Date.now() - started).padStart(15)}ms`);
      return { status: "success", lastScanned, lastFailed: null };
    } finally {
      this.#scanning = null;
    }
  }

  /**
   * Rescans blocks `from`..`to` (default: the wallet's last block, then the mempool) for wallet transactions
   * (Core's `ScanForWalletTransactions` of `rescanblockchain` and imports).
   */
  async rescan(from: number, to?: number): Promise<ScanResult> {
    const result = await this.withLock(() => {
      const stop = Math.min(to ?? this.#last.height, this.#last.height);
      return this.#scan(from, stop, { following: false });
    });
    // Core: a rescan to the tip ends with the mempool (its notifications need the lock: not held here).
    if (to === undefined && result.status === "success" && !lockHeld.getStore()?.has(this)) {
      this.#env.logger?.info(`[${this.#logName()}] Scanning current mempool transactions.`);
      await this.#syncMempool();
    }
    return result;
  }

  /** Asks a running rescan to stop (`abortrescan`); false when none runs. */
  abortRescan(): boolean {
    if (this.#scanning === null || this.#abortScan) return false;
    this.#abortScan = true;
    return true;
  }

  /** The running rescan's duration (seconds) and progress, or null. */
  scanningState(): { duration: number; progress: number } | null {
    const s = this.#scanning;
    return s === null ? null : { duration: Math.floor((Date.now() - s.start) / 1000), progress: s.progress };
  }

  /**
   * Core's `ResubmitWalletTransactions`: submits the unconfirmed transactions (see {@linkcode resendCandidates};
   * `force` takes all of them, as at load) to the node's mempool, relayed to peers when `relay`; logs how many
   * were accepted. Nothing when the wallet does not broadcast (`-walletbroadcast=0`).
   */
  async resubmitTransactions(options: { relay: boolean; force: boolean }): Promise<number> {
    if (!this.#settings.broadcast) return 0;
    const submitted = await this.withLock(async () => {
      let n = 0;
      const list = resendCandidates(this.#ordered, {
        force: options.force,
        bestBlockTime: this.#bestBlockTime,
      });
      for (const wtx of list) {
        // Core's SubmitTxMemoryPoolAndRelay: never a coinbase, nor one abandoned or confirmed meanwhile.
        if (isCoinBase(wtx.tx) || !isUnconfirmed(wtx)) continue;
        this.#env.logger?.info(
          `[${this.#logName()}] Submitting wtx ${wtx.txid} to mempool${
            options.relay ? " and for broadcast to peers" : " without broadcast"
          }`,
        );
        const r = await this.chain.broadcastTransaction(wtx.raw, this.#settings.maxTxFee, options.relay)
          .catch(
            (e) => ({ ok: false as const, message: e instanceof Error ? e.message : String(e) }),
          );
        if (!r.ok) {
          this.#env.logger?.debug(
            "walletdb",
            `[${this.#logName()}] ${wtx.txid} not resubmitted: ${r.message}`,
          );
          continue;
        }
        if (wtx.state.kind === "inactive") wtx.state = { kind: "inMempool" };
        n++;
      }
      return n;
    });
    if (submitted > 0) {
      this.logPrintf(`ResubmitWalletTransactions: resubmit ${submitted} unconfirmed transactions`);
    }
    return submitted;
  }

  /**
   * Core's `MaybeResendWalletTxs` for this wallet: when {@linkcode shouldResend} (broadcasting, node ready, the
   * resend time reached), resubmits and relays the transactions older than the last block, and picks the next
   * resend time. Called every minute by the wallet process's scheduler (and by `mockscheduler`).
   */
  async maybeResendTransactions(): Promise<void> {
    if (this.#closed) return;
    const ready = this.#settings.broadcast && await this.chain.isReadyToBroadcast().catch(() => false);
    const state = {
      broadcast: this.#settings.broadcast,
      readyToBroadcast: ready,
      now: this.#env.now(),
      nextResend: this.#nextResend,
    };
    if (!shouldResend(state)) return;
    await this.resubmitTransactions({ relay: true, force: false });
    this.#nextResend = nextResendTime(this.#env.now());
  }

  /**
   * Derives the lookahead positions asked for but not derived yet, a step at a time under the wallet's lock
   * (each step written to the database before the next), yielding to other work between steps.
   */
  #scheduleTopUp(): void {
    if (this.#topUpRunning !== null || this.#closed) return;
    this.#topUpRunning = (async () => {
      /** First position not written yet, per descriptor. */
      const unwritten = new Map<DescriptorScriptPubKeyMan, number>();
      try {
        for (;;) {
          // Leave the process to requests between steps (a step is about a millisecond of key derivation): an
          // immediate runs after pending I/O (an RPC, a notification) without a timer's pause or clamping.
          await new Promise((r) => setImmediate(r));
          const more = await this.withLock(async () => {
            if (this.#closed) return false;
            let spkm: DescriptorScriptPubKeyMan | undefined;
            for (const s of this.#spkms.values()) {
              if (s.pendingTopUp()) {
                spkm = s;
                break;
              }
            }
            if (spkm === undefined) return false;
            const from = spkm.deriveStep(TOPUP_STEP);
            if (from !== null) {
              this.#indexNewScripts(spkm, from);
              // Written every TOPUP_WRITE positions and at the end (what is not written is derived again on load).
              const written = unwritten.get(spkm) ?? from;
              if (spkm.record.rangeEnd - written >= TOPUP_WRITE || !spkm.pendingTopUp()) {
                const batch = this.db.batch();
                for (const [k, v] of spkm.writes(written)) batch.put(k, v);
                await batch.commit();
                unwritten.delete(spkm);
              } else unwritten.set(spkm, written);
            }
            return true;
          });
          if (!more) return;
        }
      } catch (e) {
        this.#env.logger?.warn(
          `[${this.#logName()}] Keypool top-up failed: ${e instanceof Error ? e.message : e}`,
        );
      } finally {
        this.#topUpRunning = null;
      }
    })();
  }

  /** Resolves once the lookahead of every descriptor is derived (call without holding the wallet's lock). */
  async keypoolReady(): Promise<void> {
    while (this.#topUpRunning !== null) await this.#topUpRunning;
  }

  // ---------------------------------------------------------------- lock

  /** Runs `fn` holding the wallet's lock (re-entrant within the same async call chain). */
  withLock<T>(fn: () => Promise<T> | T): Promise<T> {
    const held = lockHeld.getStore();
    if (held?.has(this)) return Promise.resolve(fn());
    const next = new Set(held ?? []);
    next.add(this);
    const run = this.#lockTail.then(() => lockHeld.run(next, fn));
    this.#lockTail = run.catch(() => {});
    return run;
  }

  // ---------------------------------------------------------------- state accessors

  /** Flags set, in Core's bit order. */
  flags(): WalletFlag[] {
    return FLAG_ORDER.filter((f) => this.#flags.has(f));
  }

  hasFlag(flag: WalletFlag): boolean {
    return this.#flags.has(flag);
  }

  /** Sets or clears a mutable flag (`setwalletflag`: avoid_reuse). */
  async setFlag(flag: WalletFlag, value: boolean): Promise<void> {
    await this.withLock(async () => {
      if (value) this.#flags.add(flag);
      else this.#flags.delete(flag);
      const batch = this.db.batch();
      batch.put(Keys.flags, encodeJson(this.flags()));
      await batch.commit();
    });
  }

  lastBlock(): { hash: string; height: number } {
    return { hash: this.#last.hash, height: this.#last.height };
  }

  /** Core's `GetBirthTime` (undefined: unknown). */
  birthTime(): number | undefined {
    return this.#birthTime;
  }

  transactions(): Iterable<WalletTx> {
    return this.#ordered;
  }

  getTx(txid: string): WalletTx | undefined {
    return this.#txs.get(txid);
  }

  /** Number of wallet transactions. */
  get txCount(): number {
    return this.#txs.size;
  }

  depth(wtx: WalletTx): number {
    const s = wtx.state;
    if (s.kind === "confirmed") return this.#last.height - s.blockHeight + 1;
    if (s.kind === "blockConflicted") return -(this.#last.height - s.blockHeight + 1);
    return 0;
  }

  blocksToMaturity(wtx: WalletTx): number {
    if (!isCoinBase(wtx.tx)) return 0;
    const chainDepth = Math.max(0, this.depth(wtx));
    return Math.max(0, COINBASE_MATURITY + 1 - chainDepth);
  }

  isAbandoned(wtx: WalletTx): boolean {
    return wtx.state.kind === "inactive" && wtx.state.abandoned;
  }

  // ---------------------------------------------------------------- descriptors and keys

  /** Every descriptor. */
  descriptors(): DescriptorScriptPubKeyMan[] {
    return [...this.#spkms.values()];
  }

  /** The active descriptor of `type` (receive or change), if any. */
  activeDescriptor(type: OutputType, internal: boolean): DescriptorScriptPubKeyMan | undefined {
    const id = this.#active.get(`${internal ? "internal" : "external"}:${type}`);
    return id === undefined ? undefined : this.#spkms.get(id);
  }

  /** Whether `spkm` is active, and for change. */
  activeRole(spkm: DescriptorScriptPubKeyMan): { active: boolean; internal: boolean } {
    for (const [k, id] of this.#active) {
      if (id === spkm.id) return { active: true, internal: k.startsWith("internal:") };
    }
    return { active: false, internal: false };
  }

  /** The descriptor and position deriving `script`, if any. */
  scriptOrigin(script: Uint8Array): { spkm: DescriptorScriptPubKeyMan; index: number } | undefined {
    return this.#scripts.get(toHex(script));
  }

  /** Core's `KeypoolCountExternalKeys` and the internal count (getwalletinfo). */
  keypoolSizes(): { external: number; internal: number } {
    let external = 0;
    let internal = 0;
    for (const [k, id] of this.#active) {
      const n = this.#spkms.get(id)?.keypoolSize() ?? 0;
      if (k.startsWith("internal:")) internal += n;
      else external += n;
    }
    return { external, internal };
  }

  /** Core's `CanGetAddresses`. */
  canGetAddresses(internal = false): boolean {
    for (const k of this.#active.keys()) if (k.startsWith(internal ? "internal:" : "external:")) return true;
    return false;
  }

  isMine(script: Uint8Array): boolean {
    return this.#scripts.has(toHex(script));
  }

  /** The address of one of the wallet's scripts (memoized per script; undefined for scripts without one). */
  #addressOf(script: Uint8Array, hex: string = toHex(script)): string | undefined {
    if (this.#addresses.has(hex)) return this.#addresses.get(hex);
    const address = encodeDestination(script, this.network);
    if (this.#scripts.has(hex)) this.#addresses.set(hex, address);
    return address;
  }

  isChange(out: TxOut): boolean {
    const hex = toHex(out.scriptPubKey);
    if (!this.#scripts.has(hex)) return false;
    const address = this.#addressOf(out.scriptPubKey, hex);
    if (address === undefined) return true;
    const entry = this.#addressBook.get(address);
    return entry === undefined || entry.label === undefined;
  }

  /** Core's `IsFromMe`: whether an input spends a wallet output that is mine. */
  isFromMe(tx: Transaction): boolean {
    for (const input of tx.inputs) {
      const prev = this.#txs.get(reverseHex(input.prevout.txid));
      const out = prev?.tx.outputs[input.prevout.vout];
      if (out !== undefined && this.isMine(out.scriptPubKey)) return true;
    }
    return false;
  }

  isSpent(outpoint: OutPoint): boolean {
    const set = this.#spends.get(outpointKey(outpoint));
    if (set === undefined) return false;
    for (const id of set) {
      const wtx = this.#txs.get(id);
      if (wtx === undefined) continue;
      if (this.isAbandoned(wtx) || wtx.state.kind === "blockConflicted" || wtx.mempoolConflicts.size > 0) {
        continue;
      }
      return true;
    }
    return false;
  }

  spenders(outpoint: OutPoint): string[] {
    return [...this.#spends.get(outpointKey(outpoint)) ?? []];
  }

  isSpentKey(script: Uint8Array): boolean {
    const address = this.#addressOf(script);
    if (address === undefined) return false;
    return this.#addressBook.get(address)?.used === true;
  }

  // ---------------------------------------------------------------- locked coins

  isLockedCoin(outpoint: OutPoint): boolean {
    return this.#locked.has(outpointKey(outpoint));
  }

  lockCoin(outpoint: OutPoint, persistent: boolean): Promise<void> {
    return this.withLock(async () => {
      const key = outpointKey(outpoint);
      this.#locked.set(key, persistent);
      if (persistent) {
        const batch = this.db.batch();
        batch.put(Keys.lockedUtxo(key), encodeJson(true));
        await batch.commit();
      }
    });
  }

  unlockCoin(outpoint: OutPoint): Promise<boolean> {
    return this.withLock(async () => {
      const key = outpointKey(outpoint);
      const was = this.#locked.get(key);
      if (was === undefined) return false;
      this.#locked.delete(key);
      if (was) {
        const batch = this.db.batch();
        batch.delete(Keys.lockedUtxo(key));
        await batch.commit();
      }
      return true;
    });
  }

  unlockAllCoins(): Promise<void> {
    return this.withLock(async () => {
      const batch = this.db.batch();
      for (const [key, persistent] of this.#locked) if (persistent) batch.delete(Keys.lockedUtxo(key));
      this.#locked.clear();
      await batch.commit();
    });
  }

  lockedCoins(): OutPoint[] {
    return [...this.#locked.keys()].map((k) => {
      const i = k.lastIndexOf(":");
      return { txid: fromReverseHex(k.slice(0, i)), vout: Number(k.slice(i + 1)) };
    });
  }

  // ---------------------------------------------------------------- address book

  getAddressBook(address: string): AddressBookEntry | undefined {
    return this.#addressBook.get(address);
  }

  setAddressBook(address: string, entry: AddressBookEntry): Promise<void> {
    return this.withLock(async () => {
      const batch = this.db.batch();
      this.#putAddressBook(batch, address, entry);
      await batch.commit();
    });
  }

  #putAddressBook(batch: WalletBatch, address: string, entry: AddressBookEntry): void {
    const merged: AddressBookEntry = { ...this.#addressBook.get(address), ...entry };
    for (const k of Object.keys(merged) as (keyof AddressBookEntry)[]) {
      if (merged[k] === undefined) delete merged[k];
    }
    this.#addressBook.set(address, merged);
    batch.put(Keys.addressBook(address), encodeJson(merged));
  }

  addressBook(): ReadonlyMap<string, AddressBookEntry> {
    return this.#addressBook;
  }

  // ---------------------------------------------------------------- addresses

  /** `-keypool`: the lookahead of each descriptor. */
  get keypoolSize(): number {
    return this.#env.keypoolSize;
  }

  defaultAddressType(): OutputType {
    return this.#env.addressType;
  }

  defaultChangeType(): OutputType | undefined {
    return this.#env.changeType;
  }

  /** Hands out the next address of the active descriptor; persisted before it is returned. */
  #newDestination(
    batch: WalletBatch,
    type: OutputType,
    internal: boolean,
  ): { address: string; script: Uint8Array } {
    const spkm = this.activeDescriptor(type, internal);
    if (spkm === undefined) {
      throw new RpcError(RpcErrorCode.RPC_WALLET_KEYPOOL_RAN_OUT, `Error: No ${type} addresses available.`);
    }
    const before = spkm.record.rangeEnd;
    let dest: { address: string; script: Uint8Array; index: number };
    try {
      dest = spkm.getNewDestination(this.#env.keypoolSize);
    } catch (e) {
      if (e instanceof KeypoolRanOutError) {
        throw new RpcError(RpcErrorCode.RPC_WALLET_KEYPOOL_RAN_OUT, e.message);
      }
      throw e;
    }
    // The next index is written before the address is handed out; new positions' scripts with it.
    if (spkm.record.rangeEnd > before) {
      this.#indexNewScripts(spkm, before);
      for (const [k, v] of spkm.writes(before)) batch.put(k, v);
    } else batch.put(...spkm.recordWrite());
    this.#scheduleTopUp();
    return dest;
  }

  /** Adds the scripts of positions from `from` of `spkm` to the script index. */
  #indexNewScripts(spkm: DescriptorScriptPubKeyMan, from: number): void {
    for (let pos = from; pos < spkm.record.rangeEnd; pos++) {
      for (const s of spkm.scriptsAt(pos)) this.#scripts.set(toHex(s), { spkm, index: pos });
    }
  }

  getNewAddress(type: OutputType, label: string): Promise<string> {
    return this.withLock(async () => {
      const batch = this.db.batch();
      const dest = this.#newDestination(batch, type, false);
      this.#putAddressBook(batch, dest.address, { label, purpose: "receive" });
      await batch.commit();
      return dest.address;
    });
  }

  getNewChangeAddress(type: OutputType): Promise<string> {
    return this.withLock(async () => {
      const batch = this.db.batch();
      const dest = this.#newDestination(batch, type, true);
      await batch.commit();
      return dest.address;
    });
  }

  maxInputSatisfactionWeight(script: Uint8Array): number | undefined {
    return walletInputSatisfactionWeight(this, script);
  }

  canSign(script: Uint8Array): boolean {
    const origin = this.scriptOrigin(script);
    return origin !== undefined && origin.spkm.privateDescriptor() !== undefined &&
      origin.spkm.descriptor.isSolvable();
  }

  signTransaction(
    tx: Transaction,
    coins: ReadonlyMap<string, TxOut>,
    sighashType?: number,
  ): Promise<SignTransactionResult> {
    return this.withLock(() => {
      if (this.isLocked()) {
        throw new RpcError(
          RpcErrorCode.RPC_WALLET_UNLOCK_NEEDED,
          "Error: Please enter the wallet passphrase with walletpassphrase first.",
        );
      }
      return signTransactionWithWallet(this, tx, coins, sighashType);
    });
  }

  fillPsbt(psbt: Uint8Array, options: {
    sign: boolean;
    sighashType?: number;
    finalize: boolean;
    bip32Derivs: boolean;
  }): Promise<{ psbt: Uint8Array; complete: boolean }> {
    return this.withLock(() => {
      const r = fillPsbt(this, psbt, options);
      if (r.error === "sighash_mismatch") {
        throw new RpcError(
          RpcErrorCode.RPC_DESERIALIZATION_ERROR,
          "Specified sighash value does not match value stored in PSBT",
        );
      }
      return { psbt: r.psbt, complete: r.complete, signed: r.signed };
    });
  }

  // ---------------------------------------------------------------- imports

  /**
   * Core's `AddWalletDescriptor` (importdescriptors): adds `spkm` (or updates the same descriptor: range, next
   * index, timestamp, private keys), tops it up, labels the addresses of an un-ranged receive descriptor, and
   * makes it active for its output type (`active` true), or not (`active` false). Returns warnings; throws
   * an `Error` with Core's reason ("new range must include current range = [a,b]").
   */
  addWalletDescriptor(
    spkm: DescriptorScriptPubKeyMan,
    options: { label: string | null; internal: boolean; active: boolean },
  ): Promise<string[]> {
    return this.withLock(async () => {
      const warnings: string[] = [];
      const batch = this.db.batch();
      let target = this.#spkms.get(spkm.id);
      if (target !== undefined) {
        target.updateFrom(spkm);
      } else {
        target = spkm;
      }
      target.topUp(this.#env.keypoolSize);
      this.#protect(target);
      this.#addSpkm(target);
      for (const [k, v] of target.writes()) batch.put(k, v);
      this.#updateBirthTime(batch, target.record.timestamp);
      if (!target.isRange() && options.label !== null && !options.internal) {
        for (const [script] of target.allScripts()) {
          const address = encodeDestination(script, this.network);
          if (address !== undefined) {
            this.#putAddressBook(batch, address, { label: options.label, purpose: "receive" });
          }
        }
      }
      const type = target.descriptor.outputType();
      const key = (t: string) => `${options.internal ? "internal" : "external"}:${t}`;
      if (options.active) {
        if (type === undefined) warnings.push("Unknown output type, cannot set descriptor to active.");
        else {
          this.#active.set(key(type), target.id);
          batch.put(Keys.active(options.internal, type), encodeJson(target.id));
          // Core's LoadActiveScriptPubKeyMan: active for one side only.
          const other = `${options.internal ? "external" : "internal"}:${type}`;
          if (this.#active.get(other) === target.id) {
            this.#active.delete(other);
            batch.delete(Keys.active(!options.internal, type));
          }
        }
      } else if (type !== undefined && this.#active.get(key(type)) === target.id) {
        this.#active.delete(key(type));
        batch.delete(Keys.active(options.internal, type));
      }
      await batch.commit();
      this.#scriptInfos.clear();
      this.refreshAllTxos();
      return warnings;
    });
  }

  /**
   * Core's `RescanFromTime`: scans from the first block whose time is at most two hours before `time`
   * (`TIMESTAMP_WINDOW`) to the wallet's last block.
   */
  async rescanFromTime(time: number): Promise<ScanResult> {
    const start = await this.chain.findFirstBlockWithTimeAndHeight(Math.max(0, time - 7200), 0);
    if (start === null) return { status: "success", lastScanned: null, lastFailed: null };
    return await this.rescan(start.height);
  }

  /**
   * Core's `BackupWallet`: a copy of the database at `file` (replaced when it exists, unless it is a wallet
   * database in use; `loadedDatabase` tells this process's other wallets' files by real path).
   */
  backup(file: string, loadedDatabase?: (realPath: string) => boolean): Promise<void> {
    return this.withLock(async () => {
      const info = await Deno.stat(file).catch(() => null);
      if (info?.isDirectory) throw new Error(`Cannot back up the wallet to ${file}: it is a directory`);
      // Never onto the database of a loaded wallet: one of this process (compared by path, as opening and
      // closing its file would drop SQLite's locks), or another process's (its file is locked).
      if (info !== null) {
        const real = await Deno.realPath(file);
        const own = await Deno.realPath(this.db.path);
        if (real === own || loadedDatabase?.(real) === true || !await lockable(file)) {
          throw new Error(`Cannot back up the wallet onto a wallet database in use (${file})`);
        }
      }
      for (const suffix of ["", "-wal", "-shm"]) await Deno.remove(file + suffix).catch(() => {});
      await this.db.backupTo(file);
    });
  }

  // ---------------------------------------------------------------- transactions

  #insertTx(wtx: WalletTx): void {
    this.#txs.set(wtx.txid, wtx);
    this.#ordered.push(wtx);
    this.#refreshTxos(wtx);
    if (!isCoinBase(wtx.tx)) {
      for (const input of wtx.tx.inputs) {
        const key = outpointKey(input.prevout);
        let set = this.#spends.get(key);
        if (set === undefined) this.#spends.set(key, set = new Set());
        set.add(wtx.txid);
      }
    }
  }

  /** Core's `RefreshTXOsFromTx`: the outputs of `wtx` that are mine join the owned outputs. */
  #refreshTxos(wtx: WalletTx): void {
    let outpointTxid: Uint8Array | undefined;
    wtx.tx.outputs.forEach((txout, vout) => {
      const key = `${wtx.txid}:${vout}`;
      if (this.#txos.has(key) || !this.isMine(txout.scriptPubKey)) return;
      outpointTxid ??= fromReverseHex(wtx.txid);
      this.#txos.set(key, { outpoint: { txid: outpointTxid, vout }, wtx, txout });
    });
  }

  /** Core's `RefreshAllTXOs` (after scripts were added by an import). */
  refreshAllTxos(): void {
    for (const wtx of this.#ordered) this.#refreshTxos(wtx);
  }

  txos(): Iterable<WalletTxo> {
    return this.#txos.values();
  }

  getTxo(outpoint: OutPoint): WalletTxo | undefined {
    return this.#txos.get(outpointKey(outpoint));
  }

  scriptInfo(script: Uint8Array): WalletScriptInfo | undefined {
    const hex = toHex(script);
    const cached = this.#scriptInfos.get(hex);
    if (cached !== undefined) return cached;
    const origin = this.#scripts.get(hex);
    if (origin === undefined) return undefined;
    const info = scriptInfoOf(origin.spkm, origin.index, script, [origin.spkm]);
    this.#scriptInfos.set(hex, info);
    return info;
  }

  /** Writes the changed transactions into `batch`. */
  #flushDirty(batch: WalletBatch): void {
    for (const id of this.#dirty) {
      const wtx = this.#txs.get(id);
      if (wtx === undefined) continue;
      const parts = encodeWalletTx(wtx);
      parts.forEach((p, i) => batch.put(Keys.tx(id, i), p));
      // Parts of an earlier, longer record of the same transaction cannot exist: its serialization is fixed
      // and only the metadata grows (by far less than a part).
      if (parts.length * MAX_PART_BYTES < 4 + wtx.raw.length + 4096) batch.delete(Keys.tx(id, parts.length));
    }
    this.#dirty.clear();
  }

  /** Core's `ComputeTimeSmart`. */
  #timeSmart(wtx: WalletTx, ctx: SyncContext): number {
    if (ctx.blockTime === undefined) return wtx.timeReceived;
    if (ctx.rescanning) return ctx.blockMaxTime ?? ctx.blockTime;
    let latestNow = wtx.timeReceived;
    let latestEntry = 0;
    const tolerated = latestNow + 300;
    for (let i = this.#ordered.length - 1; i >= 0; i--) {
      const other = this.#ordered[i];
      if (other === wtx) continue;
      const t = other.timeSmart || other.timeReceived;
      if (t <= tolerated) {
        latestEntry = t;
        if (t > latestNow) latestNow = t;
        break;
      }
    }
    return Math.max(latestEntry, Math.min(ctx.blockTime, latestNow));
  }

  /**
   * Core's `AddToWallet`: inserts a new transaction (order position, times) or updates the state of a known
   * one; marks the positions of its outputs used (topping the descriptors up).
   */
  #addToWallet(
    tx: Transaction,
    txid: string,
    state: TxState,
    ctx: SyncContext,
    extra?: { mapValue?: Record<string, string>; orderForm?: Array<[string, string]> },
  ): WalletTx {
    let wtx = this.#txs.get(txid);
    if (wtx === undefined) {
      const raw = originalBytes(tx)?.slice() ?? encodeTransaction(tx);
      const now = this.#env.now();
      wtx = {
        txid,
        wtxid: reverseHex(wtxidOf(tx)),
        tx,
        raw,
        state,
        timeReceived: now,
        timeSmart: now,
        orderPos: this.#orderPosNext++,
        mapValue: { ...extra?.mapValue },
        orderForm: [...extra?.orderForm ?? []],
        mempoolConflicts: new Set(),
      };
      this.#insertTx(wtx);
      this.#unlockSpent(tx, ctx.batch);
      wtx.timeSmart = this.#timeSmart(wtx, ctx);
      if (this.#flags.has("avoid_reuse")) this.#markInputsUsed(tx, ctx.batch);
      // Core's AddToWallet: the wallet's birth time goes back to its oldest transaction.
      this.#updateBirthTime(ctx.batch, wtx.timeSmart || wtx.timeReceived);
    } else {
      if (!sameState(wtx.state, state)) wtx.state = state;
      if (extra?.mapValue) Object.assign(wtx.mapValue, extra.mapValue);
      if (extra?.orderForm && extra.orderForm.length > 0) wtx.orderForm = [...extra.orderForm];
    }
    this.#markOutputsUsed(tx, ctx.batch);
    this.#dirty.add(txid);
    // Core's AddToWallet: a child of a block-conflicted transaction conflicts with the same block.
    for (const input of tx.inputs) {
      const parent = this.#txs.get(reverseHex(input.prevout.txid));
      if (parent?.state.kind === "blockConflicted") {
        this.#markConflicted(txid, parent.state.blockHash, parent.state.blockHeight);
      }
    }
    this.#abandonInactiveCoinbase(wtx);
    return wtx;
  }

  /** Core's `AddToSpends`: the coins a new wallet transaction spends are no longer locked. */
  #unlockSpent(tx: Transaction, batch: WalletBatch): void {
    if (isCoinBase(tx)) return;
    for (const input of tx.inputs) {
      const key = outpointKey(input.prevout);
      const persistent = this.#locked.get(key);
      if (persistent === undefined) continue;
      this.#locked.delete(key);
      if (persistent) batch.delete(Keys.lockedUtxo(key));
    }
  }

  /**
   * Core's `AddToWallet`: an inactive coinbase (its block left the chain) and all its descendants are abandoned,
   * whatever their state.
   */
  #abandonInactiveCoinbase(wtx: WalletTx): void {
    if (wtx.state.kind !== "inactive" || !isCoinBase(wtx.tx)) return;
    this.#recursiveUpdate(wtx.txid, (w) => {
      w.state = { kind: "inactive", abandoned: true };
      return true;
    });
  }

  /** Core's `SetSpentKeyState`: the destinations this transaction spends from are "used". */
  #markInputsUsed(tx: Transaction, batch: WalletBatch): void {
    for (const input of tx.inputs) {
      const prev = this.#txs.get(reverseHex(input.prevout.txid));
      const out = prev?.tx.outputs[input.prevout.vout];
      if (out === undefined || !this.isMine(out.scriptPubKey)) continue;
      const address = encodeDestination(out.scriptPubKey, this.network);
      if (address !== undefined && this.#addressBook.get(address)?.used !== true) {
        this.#putAddressBook(batch, address, { used: true });
      }
    }
  }

  /** Core's `MarkUnusedAddresses` + `TopUp` for each output that is mine. */
  #markOutputsUsed(tx: Transaction, batch: WalletBatch): void {
    for (const out of tx.outputs) {
      const origin = this.#scripts.get(toHex(out.scriptPubKey));
      if (origin === undefined) continue;
      const spkm = origin.spkm;
      const firstUnused = spkm.record.nextIndex;
      const moved = spkm.markUsed(origin.index);
      if (moved) this.#addReceiveEntries(spkm, firstUnused, origin.index, batch);
      const before = spkm.record.rangeEnd;
      spkm.requestTopUp(this.#env.keypoolSize);
      // While scanning, the whole lookahead is needed at once (later blocks may pay further positions).
      const added =
        spkm.deriveStep(this.#scanning !== null ? Number.POSITIVE_INFINITY : INITIAL_LOOKAHEAD) !== null;
      if (spkm.pendingTopUp()) this.#scheduleTopUp();
      if (added) this.#indexNewScripts(spkm, before);
      if (added) { for (const [k, v] of spkm.writes(before)) batch.put(k, v); }
      else if (moved) batch.put(...spkm.recordWrite());
    }
  }

  /**
   * Core's `AddToWalletIfInvolvingMe` after `MarkUnusedAddresses`: receiving addresses of an active external
   * descriptor seen used (positions `from`…`to`) join the address book with label "" when absent or change.
   */
  #addReceiveEntries(spkm: DescriptorScriptPubKeyMan, from: number, to: number, batch: WalletBatch): void {
    const role = this.activeRole(spkm);
    if (!role.active || role.internal) return;
    for (let pos = from; pos <= to; pos++) {
      const script = spkm.scriptsAt(pos)[0];
      const address = script === undefined ? undefined : encodeDestination(script, this.network);
      if (address === undefined || this.#addressBook.get(address)?.label !== undefined) continue;
      this.#putAddressBook(batch, address, { label: "", purpose: "receive" });
    }
  }

  /** Whether the wallet keeps `tx` (Core's `AddToWalletIfInvolvingMe` test). */
  #involvesMe(tx: Transaction): boolean {
    for (const out of tx.outputs) if (this.isMine(out.scriptPubKey)) return true;
    return this.isFromMe(tx);
  }

  /** Core's `SyncTransaction`/`AddToWalletIfInvolvingMe`, with block conflicts for confirmed states. */
  #syncTx(tx: Transaction, state: TxState, ctx: SyncContext): WalletTx | undefined {
    const txid = reverseHex(txidOf(tx));
    if (state.kind === "confirmed" && !isCoinBase(tx)) {
      for (const input of tx.inputs) {
        for (const other of this.#spends.get(outpointKey(input.prevout)) ?? []) {
          if (other === txid) continue;
          this.#markConflicted(other, state.blockHash, state.blockHeight);
          // Core's transactionRemovedFromMempool(BLOCK): it no longer conflicts in the mempool.
          this.#recursiveUpdate(other, (w) => w.mempoolConflicts.delete(txid));
        }
      }
    }
    if (!this.#txs.has(txid) && !this.#involvesMe(tx)) return undefined;
    return this.#addToWallet(tx, txid, state, ctx);
  }

  /** Wallet transactions spending outputs of `txid`. */
  #children(wtx: WalletTx): WalletTx[] {
    const out: WalletTx[] = [];
    for (let i = 0; i < wtx.tx.outputs.length; i++) {
      for (const id of this.#spends.get(`${wtx.txid}:${i}`) ?? []) {
        const child = this.#txs.get(id);
        if (child !== undefined) out.push(child);
      }
    }
    return out;
  }

  /** Applies `update` to `txid` and its in-wallet descendants (Core's `RecursiveUpdateTxState`). */
  #recursiveUpdate(txid: string, update: (wtx: WalletTx) => boolean): void {
    const todo = [txid];
    const done = new Set<string>();
    while (todo.length > 0) {
      const id = todo.pop()!;
      if (done.has(id)) continue;
      done.add(id);
      const wtx = this.#txs.get(id);
      if (wtx === undefined) continue;
      if (!update(wtx)) continue;
      this.#dirty.add(id);
      for (const child of this.#children(wtx)) todo.push(child.txid);
    }
  }

  /** Core's `MarkConflicted`: `txid` and its descendants conflict with the block at `height`. */
  #markConflicted(txid: string, blockHash: string, height: number): void {
    const conflictConfirms = -(this.#last.height - height + 1);
    if (conflictConfirms >= 0) return;
    this.#recursiveUpdate(txid, (wtx) => {
      if (conflictConfirms < this.depth(wtx)) {
        wtx.state = { kind: "blockConflicted", blockHash, blockHeight: height };
        return true;
      }
      return false;
    });
  }

  /** Every transaction of a block: sync as confirmed. */
  #syncBlockTxs(block: Block, hash: string, height: number, ctx: SyncContext): void {
    block.txs.forEach((tx, index) => {
      this.#syncTx(tx, { kind: "confirmed", blockHash: hash, blockHeight: height, index }, ctx);
    });
  }

  #setLastBlock(batch: WalletBatch, hash: string, height: number): void {
    this.#last = { hash, height };
    this.#chainView.set(height, hash);
    batch.put(Keys.chain(height), encodeJson(hash));
    batch.put(Keys.best, encodeJson(this.#last));
  }

  /** Processes a block that extends the wallet's last block (the last block moves first, as in Core). */
  #connect(
    batch: WalletBatch,
    block: Block,
    hash: string,
    height: number,
    times: { blockTime: number; blockMaxTime: number },
  ): void {
    this.#setLastBlock(batch, hash, height);
    this.#syncBlockTxs(block, hash, height, { batch, ...times });
    this.#flushDirty(batch);
  }

  // ---------------------------------------------------------------- chain notifications

  /** A block joined the active chain (Core's `blockConnected`). */
  blockConnected(info: BlockInfo): Promise<void> {
    return this.withLock(async () => {
      if (this.#closed) return;
      if (info.prevHash === this.#last.hash) {
        const block = decodeBlock(info.data);
        const batch = this.db.batch();
        this.#connect(batch, block, info.hash, info.height, {
          blockTime: info.time,
          blockMaxTime: info.chainTimeMax,
        });
        await batch.commit();
        return;
      }
      if (this.#chainView.get(info.height) === info.hash) return; // already processed (catch-up)
      // A gap (notifications missed, e.g. while loading): catch up through the locator.
      await this.#catchUp();
    });
  }

  /** A block left the active chain (Core's `blockDisconnected`). */
  blockDisconnected(info: BlockInfo): Promise<void> {
    return this.withLock(async () => {
      if (this.#closed || info.hash !== this.#last.hash) return;
      const block = decodeBlock(info.data);
      const batch = this.db.batch();
      for (const tx of block.txs) {
        const id = reverseHex(txidOf(tx));
        const wtx = this.#txs.get(id);
        if (wtx !== undefined) {
          // Core: a disconnected coinbase is abandoned too (it must never be relayed on its own), with its
          // descendants.
          wtx.state = { kind: "inactive", abandoned: isCoinBase(tx) };
          this.#dirty.add(id);
          this.#abandonInactiveCoinbase(wtx);
        }
        if (isCoinBase(tx)) continue;
        for (const input of tx.inputs) {
          for (const other of this.#spends.get(outpointKey(input.prevout)) ?? []) {
            if (other === id) continue;
            this.#recursiveUpdate(other, (w) => {
              if (w.state.kind === "blockConflicted" && w.state.blockHeight >= info.height) {
                w.state = { kind: "inactive", abandoned: false };
                return true;
              }
              return false;
            });
          }
        }
      }
      this.#chainView.delete(info.height);
      batch.delete(Keys.chain(info.height));
      this.#last = { hash: info.prevHash, height: info.height - 1 };
      batch.put(Keys.best, encodeJson(this.#last));
      this.#flushDirty(batch);
      await batch.commit();
    });
  }

  /** A transaction entered the mempool. */
  transactionAddedToMempool(raw: Uint8Array, _sequence: number): Promise<void> {
    if (this.#mempoolBuffer !== null) {
      // A mempool snapshot is being delivered: processed at its end, parents first.
      this.#mempoolBuffer.push(raw);
      return Promise.resolve();
    }
    return this.withLock(async () => {
      if (this.#closed) return;
      const batch = this.db.batch();
      this.#mempoolAdd(decodeTransaction(raw), batch);
      this.#flushDirty(batch);
      await batch.commit();
    });
  }

  /** A mempool transaction: kept when it involves the wallet; its wallet siblings conflict with it. */
  #mempoolAdd(tx: Transaction, batch: WalletBatch): void {
    const id = reverseHex(txidOf(tx));
    const existing = this.#txs.get(id);
    if (existing === undefined || existing.state.kind !== "confirmed") {
      this.#syncTx(tx, { kind: "inMempool" }, { batch });
    }
    // Wallet transactions spending the same outputs (and their descendants) conflict with it in the mempool.
    this.#updateMempoolConflicts(tx, id, true);
    // Core: an unconfirmed TRUC parent takes one child; the wallet's other spends of it conflict with this one.
    if (tx.version === TRUC_VERSION) {
      for (const input of tx.inputs) {
        const parent = this.#txs.get(reverseHex(input.prevout.txid));
        if (parent === undefined || !this.#isUnconfirmed(parent)) continue;
        parent.trucChildInMempool = id;
        this.#updateTrucSiblingConflicts(parent, id, true);
      }
    }
  }

  /** Core's `isUnconfirmed`: neither abandoned, conflicted (block or mempool) nor confirmed. */
  #isUnconfirmed(wtx: WalletTx): boolean {
    const s = wtx.state;
    if (s.kind === "confirmed" || s.kind === "blockConflicted") return false;
    return !(s.kind === "inactive" && s.abandoned) && wtx.mempoolConflicts.size === 0;
  }

  /**
   * `txid` and its wallet descendants conflict with the mempool transaction `conflictId` (`add`), or no longer
   * do.
   */
  #setMempoolConflict(txid: string, conflictId: string, add: boolean): void {
    this.#recursiveUpdate(txid, (w) => {
      if (add) {
        if (w.mempoolConflicts.has(conflictId)) return false;
        w.mempoolConflicts.add(conflictId);
        return true;
      }
      return w.mempoolConflicts.delete(conflictId);
    });
  }

  /** Core's `UpdateTrucSiblingConflicts`: the other wallet spends of `parent` conflict with `childId` or not. */
  #updateTrucSiblingConflicts(parent: WalletTx, childId: string, add: boolean): void {
    for (let vout = 0; vout < parent.tx.outputs.length; vout++) {
      for (const sibling of this.#spends.get(`${parent.txid}:${vout}`) ?? []) {
        if (sibling === childId) continue;
        this.#setMempoolConflict(sibling, childId, add);
      }
    }
  }

  /**
   * Core's `requestMempoolTransactions` pass: the mempool's transactions, processed parents before children
   * (a child is recognized by spending a wallet output only once its parent is known).
   */
  async #syncMempool(): Promise<void> {
    this.#mempoolBuffer = [];
    let buffered: Uint8Array[];
    try {
      await this.chain.requestMempoolTransactions(this);
    } finally {
      buffered = this.#mempoolBuffer ?? [];
      this.#mempoolBuffer = null;
    }
    if (buffered.length === 0) return;
    await this.withLock(async () => {
      if (this.#closed) return;
      const txs = new Map<string, Transaction>();
      for (const raw of buffered) {
        const tx = decodeTransaction(raw);
        txs.set(reverseHex(txidOf(tx)), tx);
      }
      const done = new Set<string>();
      const batch = this.db.batch();
      const visit = (id: string, tx: Transaction) => {
        if (done.has(id)) return;
        done.add(id);
        for (const input of tx.inputs) {
          const parentId = reverseHex(input.prevout.txid);
          const parent = txs.get(parentId);
          if (parent !== undefined) visit(parentId, parent);
        }
        this.#mempoolAdd(tx, batch);
      };
      for (const [id, tx] of txs) visit(id, tx);
      this.#flushDirty(batch);
      await batch.commit();
    });
  }

  /**
   * Core's mempool-conflict bookkeeping: the wallet transactions spending an input of `tx` (other than `tx`)
   * and their descendants conflict with it (`add`), or no longer do.
   */
  #updateMempoolConflicts(tx: Transaction, id: string, add: boolean): void {
    if (isCoinBase(tx)) return;
    for (const input of tx.inputs) {
      for (const sibling of this.#spends.get(outpointKey(input.prevout)) ?? []) {
        if (sibling === id) continue;
        this.#setMempoolConflict(sibling, id, add);
      }
    }
  }

  /** A transaction left the mempool. */
  transactionRemovedFromMempool(
    raw: Uint8Array,
    _reason: MempoolRemovalReason,
    _sequence: number,
  ): Promise<void> {
    return this.withLock(async () => {
      if (this.#closed) return;
      const tx = decodeTransaction(raw);
      const id = reverseHex(txidOf(tx));
      const batch = this.db.batch();
      const wtx = this.#txs.get(id);
      if (wtx !== undefined && wtx.state.kind === "inMempool") {
        wtx.state = { kind: "inactive", abandoned: false };
        this.#dirty.add(id);
      }
      this.#updateMempoolConflicts(tx, id, false);
      if (tx.version === TRUC_VERSION) {
        // Core: the TRUC parent may take another child again.
        for (const input of tx.inputs) {
          const parent = this.#txs.get(reverseHex(input.prevout.txid));
          if (parent?.trucChildInMempool !== id) continue;
          parent.trucChildInMempool = undefined;
          this.#updateTrucSiblingConflicts(parent, id, false);
        }
      }
      this.#flushDirty(batch);
      await batch.commit();
    });
  }

  /** The tip moved (Core's `updatedBlockTip`): the wallet's clock is the best block's time for resends. */
  updatedBlockTip(): Promise<void> {
    this.#bestBlockTime = this.#env.now();
    return Promise.resolve();
  }

  /** The node flushed its chain state: the wallet's records are written with each block already. */
  chainStateFlushed(_locator: string[]): Promise<void> {
    return Promise.resolve();
  }

  // ---------------------------------------------------------------- spending

  commitTransaction(
    tx: Transaction,
    mapValue: Record<string, string>,
    orderForm: Array<[string, string]>,
  ): Promise<void> {
    return this.withLock(async () => {
      const txid = reverseHex(txidOf(tx));
      const batch = this.db.batch();
      const wtx = this.#addToWallet(tx, txid, { kind: "inactive", abandoned: false }, { batch }, {
        mapValue,
        orderForm,
      });
      this.#flushDirty(batch);
      await batch.commit();
      this.#env.logger?.info(`[${this.#logName()}] CommitTransaction: ${txid}`);
      if (!this.#settings.broadcast) return;
      const r = await this.chain.broadcastTransaction(wtx.raw, this.#settings.maxTxFee, true);
      if (r.ok) {
        if (wtx.state.kind === "inactive") {
          wtx.state = { kind: "inMempool" };
          this.#dirty.add(txid);
          const b = this.db.batch();
          this.#flushDirty(b);
          await b.commit();
        }
      } else {
        this.#env.logger?.info(
          `[${this.#logName()}] CommitTransaction(): Transaction cannot be broadcast immediately, ${r.message}`,
        );
      }
    });
  }

  abandonTransaction(txid: string): Promise<boolean> {
    return this.withLock(async () => {
      const wtx = this.#txs.get(txid);
      if (wtx === undefined) return false;
      if (this.depth(wtx) !== 0 || wtx.state.kind === "inMempool") return false;
      this.#recursiveUpdate(txid, (w) => {
        if (w.state.kind === "inactive" && !w.state.abandoned) {
          w.state = { kind: "inactive", abandoned: true };
          return true;
        }
        return false;
      });
      const batch = this.db.batch();
      this.#flushDirty(batch);
      await batch.commit();
      return true;
    });
  }

  /**
   * Core's `MarkReplaced`: the wallet transaction `txid` was replaced by `newTxid` (its mapValue
   * "replaced_by_txid", persisted); false when `txid` is not in the wallet.
   */
  markReplaced(txid: string, newTxid: string): Promise<boolean> {
    return this.withLock(async () => {
      const wtx = this.#txs.get(txid);
      if (wtx === undefined) return false;
      wtx.mapValue.replaced_by_txid = newTxid;
      this.#dirty.add(txid);
      const batch = this.db.batch();
      this.#flushDirty(batch);
      await batch.commit();
      return true;
    });
  }

  hasChangeDescriptor(type: OutputType): boolean {
    return this.activeDescriptor(type, true) !== undefined;
  }

  /**
   * Core's `BlockUntilSyncedToCurrentChain`: waits until the notifications raised so far are processed (not
   * while the caller holds the wallet's lock: the notifications need it).
   */
  async blockUntilSyncedToCurrentChain(): Promise<void> {
    if (lockHeld.getStore()?.has(this) || this.#closed || this.#scanning !== null) return;
    await this.chain.waitForNotifications();
    await this.withLock(() => {});
  }

  // ---------------------------------------------------------------- keypool refill, pruned funds (W5)

  /**
   * Core's `TopUpKeyPool(size)` (`keypoolrefill`): every active descriptor derives now until `size` positions
   * (0: `-keypool`) lie past its next index, written to the database; scripts found in known transactions become
   * owned outputs. Returns Core's `GetKeyPoolSize` afterwards (positions not handed out, over the active
   * descriptors); a descriptor that cannot derive (a hardened step without its private key) is left as it is.
   */
  topUpKeyPool(size: number): Promise<number> {
    return this.withLock(async () => {
      const n = size > 0 ? size : this.#env.keypoolSize;
      const active = [...new Set(this.#active.values())].flatMap((id) => this.#spkms.get(id) ?? []);
      const batch = this.db.batch();
      for (const spkm of active) {
        const before = spkm.record.rangeEnd;
        let from: number | null;
        try {
          from = spkm.topUp(n);
        } catch {
          continue;
        }
        if (from === null) continue;
        this.#indexNewScripts(spkm, before);
        for (const [k, v] of spkm.writes(before)) batch.put(k, v);
      }
      await batch.commit();
      this.refreshAllTxos();
      return active.reduce((sum, spkm) => sum + spkm.keypoolSize(), 0);
    });
  }

  /**
   * Core's `AddToWallet` with a confirmed state (`importprunedfunds`): adds `tx` (or updates its state) as
   * confirmed at position `index` of block `blockHash`; `times` are the block's time and maximum time (for
   * `nTimeSmart`).
   */
  addConfirmedTransaction(
    tx: Transaction,
    block: { blockHash: string; blockHeight: number; index: number },
    times: { blockTime: number; blockMaxTime: number },
  ): Promise<void> {
    return this.withLock(async () => {
      const batch = this.db.batch();
      this.#addToWallet(tx, reverseHex(txidOf(tx)), { kind: "confirmed", ...block }, { batch, ...times });
      this.#flushDirty(batch);
      await batch.commit();
    });
  }

  /**
   * Core's `RemoveTxs` (`removeprunedfunds`): forgets the wallet transactions `txids` (their records, spends and
   * owned outputs). Returns Core's error text when one is not in the wallet (nothing is removed then), else null.
   */
  removeTransactions(txids: readonly string[]): Promise<string | null> {
    return this.withLock(async () => {
      for (const id of txids) {
        if (!this.#txs.has(id)) return `Transaction ${id} does not belong to this wallet`;
      }
      const batch = this.db.batch();
      for (const id of txids) {
        for await (const [key] of this.db.list(["tx", id])) batch.delete(key);
      }
      await batch.commit();
      const gone = new Set(txids);
      this.#ordered = this.#ordered.filter((w) => !gone.has(w.txid));
      for (const id of gone) {
        const wtx = this.#txs.get(id)!;
        this.#txs.delete(id);
        this.#dirty.delete(id);
        for (const input of wtx.tx.inputs) {
          const key = outpointKey(input.prevout);
          const set = this.#spends.get(key);
          set?.delete(id);
          if (set?.size === 0) this.#spends.delete(key);
        }
        for (let vout = 0; vout < wtx.tx.outputs.length; vout++) this.#txos.delete(`${id}:${vout}`);
      }
      return null;
    });
  }

  // ---------------------------------------------------------------- encryption

  isCrypted(): boolean {
    return this.#masterRecord !== null;
  }

  isLocked(): boolean {
    return this.#masterRecord !== null && this.#masterKey === null;
  }

  /** Core's `nRelockTime`: when the unlocked wallet locks again (0: locked, or no timeout yet). */
  unlockedUntil(): number {
    return this.isLocked() ? 0 : this.#relockTime;
  }

  /** Encrypts a descriptor's private text under the master key (the plain text leaves the record). */
  #protect(spkm: DescriptorScriptPubKeyMan): void {
    const key = this.#masterKey;
    if (key === null || spkm.record.priv === undefined) return;
    const text = new TextEncoder().encode(spkm.record.priv);
    spkm.record.cpriv = toHex(encryptSecret(key, text, fromHex(spkm.id)));
    text.fill(0);
    delete spkm.record.priv;
  }

  /**
   * Core's `EncryptWallet`: a new master key wrapped under `passphrase`, every private key encrypted with it,
   * new default descriptors (unless blank or without private keys), the database rewritten without the old
   * plaintext, and the wallet locked. False when already encrypted.
   */
  encrypt(passphrase: string): Promise<boolean> {
    return this.withLock(async () => {
      if (this.isCrypted()) return false;
      const { record, key } = await newMasterKey(passphrase);
      this.#masterRecord = record;
      this.#masterKey = key;
      const batch = this.db.batch();
      batch.put(Keys.masterKey, encodeMasterKeyRecord(record));
      for (const spkm of this.#spkms.values()) {
        if (spkm.record.priv === undefined) continue;
        this.#protect(spkm);
        batch.put(...spkm.recordWrite());
      }
      if (!this.hasFlag("blank") && !this.hasFlag("disable_private_keys")) this.#setupDescriptors(batch);
      await batch.commit();
      await this.db.rewrite();
      this.#lockNow();
      return true;
    });
  }

  /**
   * Core's `Unlock` + `walletpassphrase`'s relock: decrypts the private keys with the master key unwrapped by
   * `passphrase`; they are forgotten again after `timeoutSeconds`. False for a wrong passphrase.
   */
  unlock(passphrase: string, timeoutSeconds: number): Promise<boolean> {
    return this.withLock(async () => {
      const record = this.#masterRecord;
      if (record === null) return false;
      const key = await unlockMasterKey(record, passphrase);
      if (key === null) return false;
      const texts = new Map<DescriptorScriptPubKeyMan, string>();
      const dec = new TextDecoder();
      for (const spkm of this.#spkms.values()) {
        if (spkm.record.cpriv === undefined) continue;
        const plain = decryptSecret(key, fromHex(spkm.record.cpriv), fromHex(spkm.id));
        if (plain === null) {
          key.fill(0);
          return false;
        }
        texts.set(spkm, dec.decode(plain));
        plain.fill(0);
      }
      this.#masterKey?.fill(0);
      this.#masterKey = key;
      for (const [spkm, text] of texts) spkm.setPrivateText(text);
      this.#scheduleRelock(timeoutSeconds);
      return true;
    });
  }

  #scheduleRelock(timeoutSeconds: number): void {
    if (this.#relockTimer !== null) clearTimeout(this.#relockTimer);
    this.#relockTime = this.#env.now() + timeoutSeconds;
    const timer = setTimeout(() => {
      this.#relockTimer = null;
      void this.withLock(() => this.#lockNow());
    }, Math.min(timeoutSeconds * 1000, 0x7fffffff));
    Deno.unrefTimer(timer);
    this.#relockTimer = timer;
  }

  #lockNow(): void {
    if (this.#relockTimer !== null) clearTimeout(this.#relockTimer);
    this.#relockTimer = null;
    this.#relockTime = 0;
    this.#masterKey?.fill(0);
    this.#masterKey = null;
    for (const spkm of this.#spkms.values()) {
      if (spkm.record.cpriv !== undefined) spkm.setPrivateText(undefined);
    }
  }

  /** Core's `Lock` (`walletlock`): forgets the master key and the private keys. */
  lock(): Promise<void> {
    return this.withLock(() => this.#lockNow());
  }

  /**
   * Core's `ChangeWalletPassphrase`: the master key is wrapped again under `newPassphrase`; false when `old`
   * is wrong. The lock state is kept.
   */
  changePassphrase(oldPassphrase: string, newPassphrase: string): Promise<boolean> {
    return this.withLock(async () => {
      const record = this.#masterRecord;
      if (record === null) return false;
      const key = await unlockMasterKey(record, oldPassphrase);
      if (key === null) return false;
      try {
        const next = await rewrapMasterKey(record, key, newPassphrase);
        const batch = this.db.batch();
        batch.put(Keys.masterKey, encodeMasterKeyRecord(next));
        await batch.commit();
        this.#masterRecord = next;
        return true;
      } finally {
        key.fill(0);
      }
    });
  }

  settings(): WalletSettings {
    return this.#settings;
  }
}

function sameState(a: TxState, b: TxState): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "confirmed": {
      const o = b as typeof a;
      return a.blockHash === o.blockHash && a.index === o.index;
    }
    case "blockConflicted":
      return a.blockHash === (b as typeof a).blockHash;
    case "inactive":
      return a.abandoned === (b as typeof a).abandoned;
    default:
      return true;
  }
}

/** Whether the file at `path` can be locked (no wallet holds it). */
async function lockable(path: string): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true, write: true });
  } catch {
    return true;
  }
  try {
    const ok = await file.tryLock(true).catch(() => false);
    if (ok) await file.unlock().catch(() => {});
    return ok;
  } finally {
    file.close();
  }
}
