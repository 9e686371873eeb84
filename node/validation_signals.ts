/**
 * The node's notification bus (Core's `ValidationSignals` with its single-threaded callback queue): chain events
 * (block connected and disconnected, tip updated) and mempool events (transaction added and removed) are queued
 * as they happen and delivered to each subscriber in that order, one at a time, after the code that raised them
 * has finished — so a subscriber (the wallet over IPC, the fee estimator, indexes, ZMQ-like publishers) may be
 * slow or asynchronous without holding up validation, and always sees a consistent sequence.
 * `sync()` waits until everything queued so far has been delivered (`syncwithvalidationinterfacequeue`).
 *
 * @module
 */
import type { Block } from "../core/wire/types.ts";
import type { Logger } from "../util/logging.ts";
import type { BlockIndexEntry, Chainstate } from "./chain/types.ts";
import type { MempoolEntry } from "./mempool/entry.ts";
import type { RemovalReason, TxMempool } from "./mempool/txmempool.ts";

/** What a subscriber may listen to (Core's `CValidationInterface`). Handlers may return a promise. */
export interface ValidationInterface {
  /** A block joined the active chain. */
  blockConnected?(block: Block, entry: BlockIndexEntry): void | Promise<void>;
  /** A block left the active chain. */
  blockDisconnected?(block: Block, entry: BlockIndexEntry): void | Promise<void>;
  /** The tip changed (after a batch of connects/disconnects). */
  updatedBlockTip?(
    tip: BlockIndexEntry,
    fork: BlockIndexEntry | null,
    initialDownload: boolean,
  ): void | Promise<void>;
  /** A transaction entered the mempool; `sequence` is its mempool sequence number. */
  transactionAddedToMempool?(entry: MempoolEntry, sequence: number): void | Promise<void>;
  /** A transaction left the mempool (not reported for "block": blockConnected covers those, as Core). */
  transactionRemovedFromMempool?(
    entry: MempoolEntry,
    reason: RemovalReason,
    sequence: number,
  ): void | Promise<void>;
}

type Event = (listener: ValidationInterface) => void | Promise<void>;

/** Options of {@link ValidationSignals}. */
export interface ValidationSignalsOptions {
  /** The chain whose events are carried. */
  readonly chain: Pick<Chainstate, "subscribe">;
  /** The mempool whose events are carried (optional: a node without mempool, e.g. tests). */
  readonly mempool?: Pick<TxMempool, "subscribe">;
  /** Where failing handlers are reported. */
  readonly logger?: Logger;
}

/** The notification bus. */
export class ValidationSignals {
  readonly #listeners = new Set<ValidationInterface>();
  readonly #queue: Event[] = [];
  readonly #logger: Logger | undefined;
  readonly #unsubscribe: (() => void)[] = [];
  #draining: Promise<void> | null = null;

  constructor(options: ValidationSignalsOptions) {
    this.#logger = options.logger;
    this.#unsubscribe.push(options.chain.subscribe({
      blockConnected: (block, entry) => this.#push((l) => l.blockConnected?.(block, entry)),
      blockDisconnected: (block, entry) => this.#push((l) => l.blockDisconnected?.(block, entry)),
      updatedBlockTip: (tip, fork, ibd) => this.#push((l) => l.updatedBlockTip?.(tip, fork, ibd)),
    }));
    if (options.mempool) {
      this.#unsubscribe.push(options.mempool.subscribe({
        added: (entry, seq) => this.#push((l) => l.transactionAddedToMempool?.(entry, seq)),
        removed: (entry, reason, seq) => {
          if (reason !== "block") this.#push((l) => l.transactionRemovedFromMempool?.(entry, reason, seq));
        },
      }));
    }
  }

  /** Adds a subscriber (Core's `RegisterValidationInterface`); returns the function that removes it. */
  subscribe(listener: ValidationInterface): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Number of events not yet delivered. */
  get pending(): number {
    return this.#queue.length;
  }

  #push(event: Event): void {
    this.#queue.push(event);
    if (this.#draining === null) this.#draining = this.#drain();
  }

  async #drain(): Promise<void> {
    // Deliver after the raising code has run to completion (Core's scheduler thread).
    await Promise.resolve();
    while (this.#queue.length > 0) {
      const event = this.#queue.shift()!;
      for (const listener of [...this.#listeners]) {
        try {
          await event(listener);
        } catch (e) {
          this.#logger?.error(`Validation notification failed: ${e instanceof Error ? e.message : e}`);
        }
      }
    }
    this.#draining = null;
  }

  /** Resolves once every event queued before the call has been delivered (Core's `SyncWithValidationInterfaceQueue`). */
  async sync(): Promise<void> {
    while (this.#draining !== null) await this.#draining;
  }

  /** Stops carrying events (pending ones are still delivered). */
  close(): void {
    for (const u of this.#unsubscribe) u();
    this.#unsubscribe.length = 0;
  }
}
