/**
 * The node's wallet process (Core's multiprocess `bitcoin-node` spawning `bitcoin-wallet`): spawned sandboxed
 * once the chain is up, handed a fresh `Chain` through `Init.makeWalletLoader(chain)`, then driven like Core's
 * `ChainClient` (`registerRpcs`, `verify`, `load`, `start`). When the process dies the node keeps running, its
 * wallet RPCs fail with a clear error, and it is started again after a pause (doubling, up to a minute, while
 * it keeps dying early). A wallet that fails `verify`/`load` (e.g. a missing `-walletdir`) is not restarted.
 *
 * @module
 */
import type { Chain } from "../interfaces/chain.ts";
import type { WalletLoader } from "../interfaces/wallet_loader.ts";
import type { PermissionProfile } from "../sandbox/profile.ts";
import type { Logger } from "../util/logging.ts";
import type { Component, ProcessManager } from "./processes.ts";
import type { WalletRpcForwarder } from "./wallet_rpc.ts";

/** Options of {@linkcode WalletProcess}. */
export interface WalletProcessOptions {
  /** Spawns and stops the process. */
  processes: ProcessManager;
  /** The wallet's sandbox. */
  profile: PermissionProfile;
  /** Its arguments (data directory, network, -walletdir). */
  args: readonly string[];
  /** Makes a new Chain for each process (closed when that process's connection goes). */
  makeChain: () => Chain;
  /** The node's forwarding of wallet RPCs. */
  forwarder: WalletRpcForwarder;
  /** Logger. */
  logger: Logger;
  /** First pause before a restart (ms, default 1000). */
  restartDelayMs?: number;
}

/** Longest pause between restarts. */
const MAX_RESTART_DELAY_MS = 60_000;
/** A process that ran this long resets the pause. */
const HEALTHY_AFTER_MS = 60_000;

/** The supervised wallet process. */
export class WalletProcess {
  #opts: WalletProcessOptions;
  #component: Component | null = null;
  #loader: WalletLoader | null = null;
  #stopping = false;
  #delay: number;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #ready: Promise<void> = Promise.resolve();
  #starts = 0;
  #mockTime = 0;
  #initFailure: string | null = null;

  /** Prepares the supervisor; call {@linkcode WalletProcess.start}. */
  constructor(opts: WalletProcessOptions) {
    this.#opts = opts;
    this.#delay = opts.restartDelayMs ?? 1000;
  }

  /** The running process, if any. */
  get component(): Component | null {
    return this.#component;
  }

  /**
   * Why the wallets could not be verified or loaded (Core's InitError text), when the latest start failed that
   * way (not restarted); else null.
   */
  get initFailure(): string | null {
    return this.#initFailure;
  }

  /** Number of times a process was started. */
  get starts(): number {
    return this.#starts;
  }

  /** Starts the process in the background. */
  start(): void {
    if (this.#stopping) return;
    this.#ready = this.#run();
  }

  /** Resolves once the latest start has finished (registered, or failed). */
  ready(): Promise<void> {
    return this.#ready;
  }

  async #run(): Promise<void> {
    const { processes, profile, args, makeChain, forwarder, logger } = this.#opts;
    forwarder.starting();
    this.#starts++;
    const started = Date.now();
    const c = processes.spawn("wallet", profile, args);
    this.#component = c;
    let restart = true;
    let failure: string | null = null;
    const exited = c.child.status.then((code) => {
      if (this.#component === c) this.#component = null;
      this.#loader = null;
      if (this.#stopping) return;
      logger.warn(`Wallet process pid ${c.child.pid} exited with status ${code}`);
      forwarder.gone(failure ?? `it exited with status ${code}`);
      if (!restart) return;
      if (Date.now() - started >= HEALTHY_AFTER_MS) this.#delay = this.#opts.restartDelayMs ?? 1000;
      const delay = this.#delay;
      this.#delay = Math.min(this.#delay * 2, MAX_RESTART_DELAY_MS);
      logger.info(`Restarting the wallet process in ${delay} ms`);
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.start();
      }, delay);
    });
    void exited;
    try {
      if (!c.init.makeWalletLoader) throw new Error("the wallet process's Init has no makeWalletLoader");
      // The wallet reports why it cannot start through Chain.initError: keep the text for its RPC errors.
      const chain = makeChain();
      let initError: string | null = null;
      const loader = c.init.makeWalletLoader({
        ...chain,
        initError: (message) => {
          initError = message;
          return chain.initError(message);
        },
      });
      await loader.registerRpcs();
      if (!await loader.verify() || !await loader.load()) {
        restart = false;
        this.#initFailure = initError ?? "its wallets could not be verified or loaded";
        throw new Error(this.#initFailure);
      }
      if (this.#mockTime !== 0) await loader.setMockTime(this.#mockTime);
      await loader.start();
      this.#loader = loader;
    } catch (e) {
      if (this.#stopping) return;
      failure = e instanceof Error ? e.message : String(e);
      logger.error(`Wallet process failed to start: ${failure}`);
      forwarder.gone(failure);
      await processes.stop(c).catch(() => {});
    }
  }

  /** Passes `setmocktime` on to the wallet process (Core's `ChainClient::setMockTime`); ignored while it is down. */
  async setMockTime(time: number): Promise<void> {
    this.#mockTime = time;
    await this.#loader?.setMockTime(time).catch(() => {});
  }

  /**
   * Passes `mockscheduler` on to the wallet process (Core's `ChainClient::schedulerMockForward`): its scheduled
   * tasks move `deltaTime` seconds forward; resolves once those due have run. Nothing while it is down.
   */
  async schedulerMockForward(deltaTime: number): Promise<void> {
    await this.#loader?.schedulerMockForward(deltaTime);
  }

  /** Stops the process cleanly (its loader stops, its RPC methods are withdrawn); no restart after this. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#ready.catch(() => {});
    const loader = this.#loader;
    this.#loader = null;
    if (loader) {
      await loader.stop().catch(() => {});
      await loader.close().catch(() => {});
    }
    const c = this.#component;
    this.#component = null;
    if (c) await this.#opts.processes.stop(c);
  }
}
