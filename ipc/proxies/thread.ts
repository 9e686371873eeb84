/**
 * libmultiprocess's `ThreadMap` and `Thread` (`mp/proxy.capnp`), tsbtc's way: a `Thread` is an executor, a
 * serial queue. Calls whose `context.thread` is the same `Thread` run one after another in the order they
 * arrived; calls on different threads (or without a thread) run concurrently. Core's clients make one
 * `Thread` per client thread through the server's `ThreadMap` (from `Init.construct`) and name it in every
 * call's `Context`; a server that finds no valid thread there answers "invalid thread handle", as Core does,
 * while a call without any `context.thread` is simply run.
 *
 * @module
 */
import type * as $ from "capnp-es";
import {
  type Capability,
  CapabilityServer,
  type CapabilityServerOptions,
  getCap,
  method,
  readText,
  setCap,
  writeText,
} from "../capability.ts";
import { type Context, Thread$Client, ThreadMap$Client } from "../capnp/gen/proxy.ts";
import { IpcError } from "../rpc/error.ts";

const noop = () => {};

/** A serial queue: tasks run one at a time, in the order given. */
export class ThreadExecutor {
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;
  /** True while an idle-path task runs its synchronous part (tasks given then wait on `#gate`). */
  #inline = false;
  #gate: Promise<unknown> | null = null;
  #openGate: (p: Promise<unknown>) => void = noop;

  /** Tasks queued or running. */
  get pending(): number {
    return this.#pending;
  }

  /** Runs `fn` after every task given before it has settled. */
  run<T>(fn: () => T | Promise<T>): Promise<T> {
    this.#pending++;
    if (this.#pending === 1) {
      // Idle: every earlier task has settled, so `fn` starts now, without a hop through the queue's tail
      // (a call's round trip is dominated by such hops).
      this.#inline = true;
      let p: Promise<T>;
      try {
        p = Promise.resolve(fn());
      } catch (e) {
        p = Promise.reject(e);
      } finally {
        this.#inline = false;
      }
      const done = p.then(this.#settle, this.#settle);
      if (this.#gate === null) {
        this.#tail = done;
      } else {
        // Tasks given by `fn` itself are queued behind the gate: open it when `fn` settles.
        this.#openGate(done);
        this.#gate = null;
      }
      return p;
    }
    if (this.#inline && this.#gate === null) {
      this.#gate = new Promise((resolve) => this.#openGate = resolve);
      this.#tail = this.#gate;
    }
    const p = this.#tail.then(fn);
    this.#tail = p.then(this.#settle, this.#settle);
    return p;
  }

  #settle = (): void => {
    this.#pending--;
  };
}

/** A served `Thread`: a name and an executor. */
export class ThreadServer extends CapabilityServer {
  /** The thread's name, as given to `makeThread`. */
  readonly threadName: string;
  /** Where calls naming this thread run. */
  readonly executor: ThreadExecutor = new ThreadExecutor();

  /** Makes a thread named `name`. */
  constructor(name: string, opts: CapabilityServerOptions = {}) {
    super("Thread", [
      method(Thread$Client.methods[0], (_p, r) => writeText(r, 0, this.threadName)),
    ], opts);
    this.threadName = name;
  }
}

/** Serves a `ThreadMap`: `makeThread(name)` makes a {@linkcode ThreadServer}; `makePool` is accepted. */
export function serveThreadMap(opts: CapabilityServerOptions = {}): CapabilityServer {
  return new CapabilityServer("ThreadMap", [
    method(ThreadMap$Client.methods[0], (p, r) => {
      setCap(r, 0, new ThreadServer(readText(p, 0)).capability());
    }),
    // Calls without a thread already run concurrently here: a pool adds nothing.
    method(ThreadMap$Client.methods[1], () => {}),
  ], opts);
}

/**
 * Runs `fn` on the thread named by `context.thread`: queued behind earlier calls on that thread. Without a
 * context or thread, runs it at once. A thread that is not one of this process's `Thread`s fails the call
 * with "invalid thread handle" (Core's wording).
 */
export function runOnThread<T>(context: Context | null, fn: () => T | Promise<T>): Promise<T> {
  let cap: Capability | null;
  try {
    cap = context ? getCap(context, 0) : null;
  } catch (e) {
    return Promise.reject(e);
  }
  if (cap === null || cap.closed) return new Promise<T>((resolve) => resolve(fn()));
  if (!cap.hook.isPromise) return onThread(cap, fn);
  const keep = cap.dup();
  return keep.whenResolved().then(() => onThread(keep, fn)).finally(() => keep.close());
}

function onThread<T>(cap: Capability, fn: () => T | Promise<T>): Promise<T> {
  const server = cap.localServer();
  if (!(server instanceof ThreadServer)) return Promise.reject(new IpcError("invalid thread handle"));
  return server.executor.run(fn);
}

/** The `context` param of a generated params struct, or null when absent. */
export function contextOf(params: $.Struct & { _hasContext(): boolean; context: Context }): Context | null {
  return params._hasContext() ? params.context : null;
}

/**
 * Client side: the thread this process's calls name in their `Context`, made through the peer's `ThreadMap`
 * without waiting (every step is pipelined). Shared by the proxies made from one `InitClient`.
 */
export class ClientThread {
  #thread: Capability;

  /** Wraps a `Thread` capability (this object takes the reference). */
  constructor(thread: Capability) {
    this.#thread = thread;
  }

  /** Asks `threadMap` (the peer's) for a thread named `name`; pipelined. */
  static make(threadMap: Capability, name: string): ClientThread {
    const call = threadMap.call(ThreadMap$Client.methods[0], (p) => writeText(p, 0, name));
    return new ClientThread(call.pipeline(0));
  }

  /** The thread capability (borrowed). */
  get capability(): Capability {
    return this.#thread;
  }

  /** Sets `context.thread` to this thread. */
  fill(context: Context): void {
    if (!this.#thread.closed) setCap(context, 0, this.#thread.dup());
  }

  /** A new reference to the same thread. */
  dup(): ClientThread {
    return new ClientThread(this.#thread.dup());
  }

  /** Drops this reference. */
  close(): void {
    this.#thread.close();
  }
}
