/**
 * Low-work headers sync (Core's `HeadersSyncState`): a peer whose headers chain starts with too little work is
 * synced twice before anything is stored. In PRESYNC its headers are only checked (continuity, permitted
 * difficulty transitions) while the chain work adds up, keeping one salted hash bit of every
 * `commitmentPeriod`-th header (at a random offset); once the claimed work reaches the threshold the same chain
 * is downloaded again from the start (REDOWNLOAD), each commitment compared, and headers are released for
 * storage only `redownloadBufferSize` behind, or all at once once the redownloaded work reaches the threshold.
 * A peer cannot make us store a low-work chain, and cannot feed a different chain the second time without
 * being caught with probability 1/2 per commitment.
 *
 * @module
 */

import { blockProof, permittedDifficultyTransition, type PowParams } from "../core/pow.ts";
import { blockHash } from "../core/wire/block.ts";
import { bytesEqual } from "../core/hash/hashes.ts";
import type { BlockHeader } from "../core/wire/types.ts";
import { siphash24, type SipHashKey } from "./siphash.ts";

/** Core's `HeadersSyncParams`: the commitment period and the redownload buffer of a network. */
export interface HeadersSyncParams {
  readonly commitmentPeriod: number;
  readonly redownloadBufferSize: number;
}

/** Core's per-network values (kernel/chainparams.cpp). */
export const HEADERS_SYNC_PARAMS: Readonly<Record<string, HeadersSyncParams>> = {
  main: { commitmentPeriod: 641, redownloadBufferSize: 15218 },
  test: { commitmentPeriod: 673, redownloadBufferSize: 14460 },
  testnet4: { commitmentPeriod: 606, redownloadBufferSize: 16092 },
  signet: { commitmentPeriod: 620, redownloadBufferSize: 15724 },
  regtest: { commitmentPeriod: 275, redownloadBufferSize: 7017 },
};

/** Core's `MAX_FUTURE_BLOCK_TIME` (2 hours). */
export const MAX_FUTURE_BLOCK_TIME_S = 2 * 60 * 60;

/** Where the low-work chain starts (a block we know). */
export interface HeadersSyncStart {
  readonly hash: Uint8Array;
  readonly height: number;
  readonly chainWork: bigint;
  readonly header: BlockHeader;
  readonly medianTimePast: number;
}

/** Options of {@link HeadersSyncState}. */
export interface HeadersSyncOptions {
  /** Peer id (for the log lines). */
  readonly peer: number;
  /** Proof-of-work rules (difficulty transitions, block proof). */
  readonly pow: PowParams;
  readonly params: HeadersSyncParams;
  readonly chainStart: HeadersSyncStart;
  /** Work the chain must reach (Core's anti-DoS threshold). */
  readonly minimumWork: bigint;
  /** Current time, seconds (bounds the number of commitments). */
  readonly now: number;
  /** Debug log (category net). */
  readonly log?: (msg: string) => void;
  /** Commitment offset in [0, commitmentPeriod) (default random). */
  readonly commitOffset?: number;
  /** Salt of the commitment hash (default random). */
  readonly salt?: SipHashKey;
}

/** Result of {@link HeadersSyncState.processNextHeaders} (Core's `ProcessingResult`). */
export interface HeadersSyncResult {
  /** Headers that passed both phases, to store now. */
  readonly powValidatedHeaders: BlockHeader[];
  /** The headers were acceptable. */
  readonly success: boolean;
  /** Ask the peer for more (with {@link HeadersSyncState.nextHeadersRequestLocator}). */
  readonly requestMore: boolean;
}

/** Phases of the sync. */
export type HeadersSyncPhase = "presync" | "redownload" | "final";

function randomU64(): bigint {
  const b = crypto.getRandomValues(new Uint8Array(8));
  return new DataView(b.buffer).getBigUint64(0);
}

/** One low-work headers sync with one peer. */
export class HeadersSyncState {
  readonly #o: HeadersSyncOptions;
  readonly #offset: number;
  readonly #salt: SipHashKey;
  readonly #maxCommitments: number;
  #state: HeadersSyncPhase = "presync";
  readonly #commitments: boolean[] = [];
  #currentWork: bigint;
  #lastHeader: BlockHeader;
  #lastHash: Uint8Array;
  #currentHeight: number;
  #redownloaded: BlockHeader[] = [];
  #redownloadLastHeight = 0;
  #redownloadLastHash: Uint8Array = new Uint8Array(32);
  #redownloadFirstPrevHash: Uint8Array = new Uint8Array(32);
  #redownloadWork = 0n;
  #processAll = false;

  /** Starts in PRESYNC from `chainStart`. */
  constructor(options: HeadersSyncOptions) {
    this.#o = options;
    const period = options.params.commitmentPeriod;
    if (period <= 0) throw new Error(`Cannot start headers sync: commitment period is ${period}`);
    this.#offset = options.commitOffset ?? Math.floor(Math.random() * period);
    this.#salt = options.salt ?? { k0: randomU64(), k1: randomU64() };
    this.#currentWork = options.chainStart.chainWork;
    this.#lastHeader = options.chainStart.header;
    this.#lastHash = options.chainStart.hash;
    this.#currentHeight = options.chainStart.height;
    // Core: at most 6 blocks per second since the start's median time past (plus the future allowance).
    const maxSeconds = options.now - options.chainStart.medianTimePast + MAX_FUTURE_BLOCK_TIME_S;
    this.#maxCommitments = Math.floor(6 * maxSeconds / period);
    this.#log(
      `Initial headers sync started with peer=${options.peer}: height=${this.#currentHeight}, ` +
        `max_commitments=${this.#maxCommitments}, min_work=${
          options.minimumWork.toString(16).padStart(64, "0")
        }`,
    );
  }

  #log(msg: string): void {
    this.#o.log?.(msg);
  }

  /** The phase. */
  get state(): HeadersSyncPhase {
    return this.#state;
  }

  /** The phase (a method, so a check after a transition is not narrowed away). */
  phase(): HeadersSyncPhase {
    return this.#state;
  }

  /** Core's `GetPresyncHeight`: height reached in PRESYNC. */
  get presyncHeight(): number {
    return this.#currentHeight;
  }

  /** Core's `GetPresyncTime`: time of the last PRESYNC header. */
  get presyncTime(): number {
    return this.#lastHeader.time;
  }

  /** Core's `GetPresyncWork`: chain work reached in PRESYNC. */
  get presyncWork(): bigint {
    return this.#currentWork;
  }

  /** Commitments kept (for tests and memory accounting). */
  get commitmentCount(): number {
    return this.#commitments.length;
  }

  #commitBit(hash: Uint8Array): boolean {
    return (siphash24(this.#salt, hash) & 1n) === 1n;
  }

  #finalize(): void {
    this.#commitments.length = 0;
    this.#redownloaded = [];
    this.#processAll = false;
    this.#currentHeight = 0;
    this.#state = "final";
  }

  /**
   * Core's `ProcessNextHeaders`: one headers message (`full`: it held the maximum, so the peer has more).
   * Any failure, or a message that ends the chain early, finalizes the sync.
   */
  processNextHeaders(headers: readonly BlockHeader[], full: boolean): HeadersSyncResult {
    let success = false;
    let requestMore = false;
    let released: BlockHeader[] = [];
    if (headers.length === 0 || this.#state === "final") {
      return { powValidatedHeaders: [], success, requestMore };
    }
    const peer = this.#o.peer;
    if (this.#state === "presync") {
      success = this.#storeCommitments(headers);
      if (success) {
        if (full || this.phase() === "redownload") {
          requestMore = true;
        } else {
          this.#log(
            `Initial headers sync aborted with peer=${peer}: incomplete headers message at height=${this.#currentHeight} (presync phase)`,
          );
        }
      }
    } else {
      success = headers.every((h) => this.#storeRedownloaded(h));
      if (success) {
        released = this.#popReady();
        if (this.#redownloaded.length === 0 && this.#processAll) {
          this.#log(
            `Initial headers sync complete with peer=${peer}: releasing all at height=${this.#redownloadLastHeight} (redownload phase)`,
          );
        } else if (full) {
          requestMore = true;
        } else {
          this.#log(
            `Initial headers sync aborted with peer=${peer}: incomplete headers message at height=${this.#redownloadLastHeight} (redownload phase)`,
          );
        }
      }
    }
    if (!(success && requestMore)) this.#finalize();
    return { powValidatedHeaders: released, success, requestMore };
  }

  #storeCommitments(headers: readonly BlockHeader[]): boolean {
    const peer = this.#o.peer;
    if (!bytesEqual(headers[0].prevBlock, this.#lastHash)) {
      this.#log(
        `Initial headers sync aborted with peer=${peer}: non-continuous headers at height=${this.#currentHeight} (presync phase)`,
      );
      return false;
    }
    for (const h of headers) if (!this.#processSingle(h)) return false;
    if (this.#currentWork >= this.#o.minimumWork) {
      const start = this.#o.chainStart;
      this.#redownloaded = [];
      this.#redownloadLastHeight = start.height;
      this.#redownloadFirstPrevHash = start.hash;
      this.#redownloadLastHash = start.hash;
      this.#redownloadWork = start.chainWork;
      this.#state = "redownload";
      this.#log(
        `Initial headers sync transition with peer=${peer}: reached sufficient work at height=${this.#currentHeight}, redownloading from height=${this.#redownloadLastHeight}`,
      );
    }
    return true;
  }

  #processSingle(h: BlockHeader): boolean {
    const next = this.#currentHeight + 1;
    const peer = this.#o.peer;
    if (
      !permittedDifficultyTransition(this.#o.pow, next, { oldBits: this.#lastHeader.bits, newBits: h.bits })
    ) {
      this.#log(
        `Initial headers sync aborted with peer=${peer}: invalid difficulty transition at height=${next} (presync phase)`,
      );
      return false;
    }
    const hash = blockHash(h);
    if (next % this.#o.params.commitmentPeriod === this.#offset) {
      this.#commitments.push(this.#commitBit(hash));
      if (this.#commitments.length > this.#maxCommitments) {
        this.#log(
          `Initial headers sync aborted with peer=${peer}: exceeded max commitments at height=${next} (presync phase)`,
        );
        return false;
      }
    }
    this.#currentWork += blockProof(h.bits);
    this.#lastHeader = h;
    this.#lastHash = hash;
    this.#currentHeight = next;
    return true;
  }

  #storeRedownloaded(h: BlockHeader): boolean {
    const next = this.#redownloadLastHeight + 1;
    const peer = this.#o.peer;
    if (!bytesEqual(h.prevBlock, this.#redownloadLastHash)) {
      this.#log(
        `Initial headers sync aborted with peer=${peer}: non-continuous headers at height=${next} (redownload phase)`,
      );
      return false;
    }
    const prevBits = this.#redownloaded.length > 0
      ? this.#redownloaded[this.#redownloaded.length - 1].bits
      : this.#o.chainStart.header.bits;
    if (!permittedDifficultyTransition(this.#o.pow, next, { oldBits: prevBits, newBits: h.bits })) {
      this.#log(
        `Initial headers sync aborted with peer=${peer}: invalid difficulty transition at height=${next} (redownload phase)`,
      );
      return false;
    }
    this.#redownloadWork += blockProof(h.bits);
    if (this.#redownloadWork >= this.#o.minimumWork) this.#processAll = true;
    const hash = blockHash(h);
    if (!this.#processAll && next % this.#o.params.commitmentPeriod === this.#offset) {
      const expected = this.#commitments.shift();
      if (expected === undefined) {
        this.#log(
          `Initial headers sync aborted with peer=${peer}: commitment overrun at height=${next} (redownload phase)`,
        );
        return false;
      }
      if (this.#commitBit(hash) !== expected) {
        this.#log(
          `Initial headers sync aborted with peer=${peer}: commitment mismatch at height=${next} (redownload phase)`,
        );
        return false;
      }
    }
    this.#redownloaded.push(h);
    this.#redownloadLastHeight = next;
    this.#redownloadLastHash = hash;
    return true;
  }

  #popReady(): BlockHeader[] {
    const out: BlockHeader[] = [];
    const limit = this.#o.params.redownloadBufferSize;
    while (this.#redownloaded.length > limit || (this.#redownloaded.length > 0 && this.#processAll)) {
      const h = this.#redownloaded.shift()!;
      out.push(h);
      this.#redownloadFirstPrevHash = blockHash(h);
    }
    return out;
  }

  /**
   * Core's `NextHeadersRequestLocator`: the last header of the current phase, then `startLocator` (the
   * locator of the chain start). Empty once final.
   */
  nextHeadersRequestLocator(startLocator: readonly Uint8Array[]): Uint8Array[] {
    if (this.#state === "final") return [];
    const first = this.#state === "presync" ? this.#lastHash : this.#redownloadLastHash;
    return [first, ...startLocator];
  }
}
