/**
 * The component processes a parent runs (Core's `interfaces::Ipc::spawnProcess`): each is spawned in its
 * sandbox, connected over its stdin/stdout with Cap'n Proto, and reached through its `Init`.
 *
 * @module
 */
import type { Init, ProcessInfo } from "../interfaces/init.ts";
import { IpcConnection } from "../ipc/connection.ts";
import { type ChildProcess, type SandboxStrategy, spawnProcess } from "../ipc/process.ts";
import { bootstrapInit } from "../ipc/proxies/init.ts";
import type { PermissionProfile } from "../sandbox/profile.ts";
import type { Logger } from "../util/logging.ts";
import { delay } from "../util/async.ts";

/** A running component: the OS process, its IPC connection and its Init. */
export interface Component {
  readonly child: ChildProcess;
  readonly conn: IpcConnection;
  readonly init: Init;
}

/** Options of {@linkcode ProcessManager}. */
export interface ProcessManagerOptions {
  /** Logger for Core's process lines, IPC traffic (`-debug=ipc`) and the children's own log lines. */
  logger: Logger;
  /** Name of this process in IPC log lines ("tsbtc-node"). */
  name: string;
  /** Force a sandbox strategy for children (default: worker in a compiled binary, flags from source). */
  strategy?: SandboxStrategy;
  /** How long a child may take to exit after being asked to stop, before it is killed (ms). */
  stopTimeoutMs?: number;
}

/** Options of {@linkcode ProcessManager.spawn}. */
export interface SpawnComponentOptions {
  /**
   * Make the child log like this process, to its stderr, relayed into this process's log (default true: for
   * children without a log file of their own, such as echo and wallet). A node spawned by the GUI keeps its
   * own debug.log instead.
   */
  relayLogs?: boolean;
}

/** Spawns, lists and stops the components of this process. */
export class ProcessManager {
  #opts: ProcessManagerOptions;
  #running = new Set<Component>();

  /** Creates an empty manager. */
  constructor(opts: ProcessManagerOptions) {
    this.#opts = opts;
  }

  /** Arguments that make a child log like this process: to stderr, without timestamps (the parent adds them). */
  #logArgs(): string[] {
    const logger = this.#opts.logger;
    const args = ["-printtoconsole", "-nologtimestamps"];
    for (const [cat, on] of Object.entries(logger.categoryStates())) if (on) args.push(`-debug=${cat}`);
    return args;
  }

  /**
   * Spawns `mode` with `profile` and `args`, connects to it and returns its Init. The component is forgotten (and its
   * connection closed) when the process exits.
   */
  spawn(
    mode: string,
    profile: PermissionProfile,
    args: readonly string[] = [],
    opts: SpawnComponentOptions = {},
  ): Component {
    const child = spawnProcess({
      mode,
      profile,
      args: opts.relayLogs === false ? args : [...this.#logArgs(), ...args],
      strategy: this.#opts.strategy,
      logger: this.#opts.logger,
    });
    const conn = new IpcConnection(child.stream, { name: this.#opts.name, logger: this.#opts.logger });
    const component: Component = { child, conn, init: bootstrapInit(conn) };
    this.#running.add(component);
    // A child that dies takes its connection with it; one whose connection ends exits on its own.
    child.status.then(() => {
      this.#running.delete(component);
      conn.close().catch(() => {});
    });
    return component;
  }

  /** The running components. */
  list(): Component[] {
    return [...this.#running];
  }

  /** Each component's own report of itself (asked over IPC), skipping any that cannot answer. */
  async infos(): Promise<ProcessInfo[]> {
    const out = await Promise.allSettled(this.list().map((c) => c.init.getInfo()));
    return out.flatMap((r) => r.status === "fulfilled" ? [r.value] : []);
  }

  /**
   * Stops one component: asks it to shut down, closes the connection, waits for the exit (killing it after
   * the timeout). Resolves with its exit status.
   */
  async stop(c: Component): Promise<number> {
    const timeout = this.#opts.stopTimeoutMs ?? 10_000;
    await Promise.race([c.init.shutdown().catch(() => {}), delay(timeout, { unref: true })]);
    await c.init.close().catch(() => {});
    await c.conn.close().catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.#opts.logger.warn(`Process ${c.child.name} pid ${c.child.pid} did not exit, killing it`);
        c.child.kill("SIGKILL");
        resolve();
      }, timeout);
    });
    await Promise.race([c.child.status, killed]);
    clearTimeout(timer);
    return await c.child.status;
  }

  /** Stops every component. */
  async stopAll(): Promise<void> {
    await Promise.all(this.list().map((c) => this.stop(c)));
  }
}
