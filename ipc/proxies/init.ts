/**
 * `Init` over IPC, the bootstrap interface of every tsbtc process.
 *
 * - {@linkcode serveInit} serves an in-process `Init` as tsbtc's `ProcessInit` (which extends Core's `Init`,
 *   so Core's clients, e.g. `bitcoin-cli -ipcconnect`, get the `Init` they expect: `construct` with their
 *   `ThreadMap`, `makeEcho`, `makeRpc` with a pipelined `context.thread`).
 * - {@linkcode InitClient} / {@linkcode bootstrapInit} give an `Init` whose calls go to a peer. Like Core's
 *   clients it calls `construct` (passing a local `ThreadMap`), asks the peer's `ThreadMap` for a thread and
 *   names that thread in every call's `Context`; all of that is pipelined with the first call, so it costs no
 *   extra round trip. `makeEcho()` / `makeRpc()` return at once: their results are pipelined capabilities.
 *
 * @module
 */
import type { Chain } from "../../interfaces/chain.ts";
import type { Echo } from "../../interfaces/echo.ts";
import type { Init, PermissionSet, ProcessInfo } from "../../interfaces/init.ts";
import type { Rpc } from "../../interfaces/rpc.ts";
import { type Capability, CapabilityServer, getCap, method, setCap } from "../capability.ts";
import { Init$Client } from "../capnp/gen/init.ts";
import { ProcessInit$Client } from "../capnp/gen/tsbtc.ts";
import type { IpcConnection } from "../connection.ts";
import { IpcError } from "../rpc/error.ts";
import { ChainClient, serveChain } from "./chain.ts";
import { EchoClient, serveEcho } from "./echo.ts";
import { RpcClient, serveRpc } from "./rpc.ts";
import { ClientThread, contextOf, runOnThread, serveThreadMap } from "./thread.ts";
import { serveWalletLoader, WalletLoaderClient } from "./wallet_loader.ts";

/** Options of {@linkcode serveInit}. */
export interface ServeInitOptions {
  /** Runs when the last reference to the served object goes (e.g. the connection closed). */
  dispose?: () => void;
}

/**
 * Serves `impl` as a `ProcessInit` (answering `Init` calls too). `construct` returns a fresh `ThreadMap`;
 * `makeEcho` / `makeRpc` serve the objects `impl` makes; `makeMining*` fail as unimplemented.
 */
export function serveInit(impl: Init, opts: ServeInitOptions = {}): CapabilityServer {
  const [construct, makeEcho, makeMiningOld2, makeMining, makeRpc] = Init$Client.methods;
  const [getInfo, shutdown, makeChain, makeWalletLoader] = ProcessInit$Client.methods;
  return new CapabilityServer("ProcessInit", [
    method(construct, (_p, r) => {
      setCap(r, 0, serveThreadMap().capability());
    }),
    method(makeEcho, (p, r) =>
      runOnThread(contextOf(p), () => {
        setCap(r, 0, serveEcho(impl.makeEcho()).capability());
      })),
    method(makeMiningOld2, () => {
      throw new IpcError("makeMiningOld2 is not supported", { type: "unimplemented" });
    }),
    method(makeMining, (p) =>
      runOnThread(contextOf(p), () => {
        throw new IpcError("Mining interface is not available in tsbtc", { type: "unimplemented" });
      })),
    method(makeRpc, (p, r) =>
      runOnThread(contextOf(p), () => {
        setCap(r, 0, serveRpc(impl.makeRpc()).capability());
      })),
    method(getInfo, (p, r) =>
      runOnThread(contextOf(p), async () => {
        const info = await impl.getInfo();
        const out = r._initResult();
        out.mode = info.mode;
        out.pid = info.pid;
        out.name = info.name;
        out.permissions = JSON.stringify(info.permissions);
        out.sandbox = info.sandbox;
      })),
    method(shutdown, (p) => runOnThread(contextOf(p), () => impl.shutdown())),
    method(makeChain, (p, r) =>
      runOnThread(contextOf(p), () => {
        if (!impl.makeChain) throw new IpcError("This process has no chain", { type: "unimplemented" });
        setCap(r, 0, serveChain(impl.makeChain()).capability());
      })),
    method(makeWalletLoader, (p, r) => {
      // The chain capability belongs to the call: take our own reference before anything can wait.
      const cap = getCap(p, 1)?.dup() ?? null;
      return runOnThread(contextOf(p), () => {
        if (cap === null) throw new IpcError("makeWalletLoader: chain is null");
        if (!impl.makeWalletLoader) {
          cap.close();
          throw new IpcError("This process is not a wallet", { type: "unimplemented" });
        }
        setCap(r, 0, serveWalletLoader(impl.makeWalletLoader(new ChainClient(cap))).capability());
      });
    }),
  ], { dispose: opts.dispose });
}

/** Options of {@linkcode InitClient}. */
export interface InitClientOptions {
  /** Name of the thread asked from the peer's `ThreadMap` (default `<connection name>-<pid>`). */
  threadName?: string;
}

/** An `Init` served by a peer (normally its bootstrap capability). */
export class InitClient implements Init {
  #cap: Capability;
  #threadName: string;
  #thread: ClientThread | null = null;
  #closed = false;

  /** Wraps an `Init` (or `ProcessInit`) capability; takes the reference. */
  constructor(cap: Capability, opts: InitClientOptions = {}) {
    this.#cap = cap;
    this.#threadName = opts.threadName ?? `tsbtc-${Deno.pid}`;
  }

  /** The capability (borrowed). */
  get capability(): Capability {
    return this.#cap;
  }

  /**
   * The thread named in this client's calls: made on first use by `construct` (passing a local
   * `ThreadMap`) and `ThreadMap.makeThread`, both pipelined.
   */
  thread(): ClientThread {
    if (this.#thread === null) {
      const call = this.#cap.call(Init$Client.methods[0], (p) => {
        setCap(p, 0, serveThreadMap().capability());
      });
      const peerThreadMap = call.pipeline(0);
      this.#thread = ClientThread.make(peerThreadMap, this.#threadName);
      peerThreadMap.close();
    }
    return this.#thread;
  }

  /** An `Echo` made by the peer; usable at once (calls are pipelined on `makeEcho`). */
  makeEcho(): Echo {
    const thread = this.thread();
    const call = this.#cap.call(Init$Client.methods[1], (p) => thread.fill(p._initContext()));
    return new EchoClient(call.pipeline(0), thread.dup());
  }

  /** An `Rpc` made by the peer; usable at once. Fails on first use in a process serving no JSON-RPC. */
  makeRpc(): Rpc {
    const thread = this.thread();
    const call = this.#cap.call(Init$Client.methods[4], (p) => thread.fill(p._initContext()));
    return new RpcClient(call.pipeline(0), thread.dup());
  }

  /** The peer node's Chain (tsbtc's `ProcessInit.makeChain`); usable at once (calls are pipelined). */
  makeChain(): ChainClient {
    const thread = this.thread();
    const call = this.#cap.call(ProcessInit$Client.methods[2], (p) => thread.fill(p._initContext()));
    return new ChainClient(call.pipeline(0), { thread: thread.dup() });
  }

  /**
   * The peer wallet process's WalletLoader over `chain` (served from this process; tsbtc's
   * `ProcessInit.makeWalletLoader`); usable at once.
   */
  makeWalletLoader(chain: Chain): WalletLoaderClient {
    const thread = this.thread();
    const call = this.#cap.call(ProcessInit$Client.methods[3], (p) => {
      thread.fill(p._initContext());
      setCap(p, 1, serveChain(chain).capability());
    });
    return new WalletLoaderClient(call.pipeline(0), thread.dup());
  }

  /** Who the peer is (tsbtc's `ProcessInit.getInfo`; a Core peer answers "unimplemented"). */
  async getInfo(): Promise<ProcessInfo> {
    const thread = this.thread();
    const call = this.#cap.call(ProcessInit$Client.methods[0], (p) => thread.fill(p._initContext()));
    const resp = await call.response;
    try {
      const r = resp.results.result;
      const sandbox = r.sandbox;
      if (sandbox !== "flags" && sandbox !== "worker" && sandbox !== "none") {
        throw new IpcError(`Invalid ProcessInfo.sandbox: ${JSON.stringify(sandbox)}`);
      }
      let permissions: PermissionSet;
      try {
        permissions = JSON.parse(r.permissions) as PermissionSet;
      } catch {
        throw new IpcError("Invalid ProcessInfo.permissions: not JSON");
      }
      return { mode: r.mode, pid: r.pid, name: r.name, permissions, sandbox };
    } finally {
      resp.release();
    }
  }

  /** Asks the peer to shut down (tsbtc's `ProcessInit.shutdown`); resolves once shutdown has begun. */
  async shutdown(): Promise<void> {
    const thread = this.thread();
    const call = this.#cap.call(ProcessInit$Client.methods[1], (p) => thread.fill(p._initContext()));
    (await call.response).release();
  }

  /** Releases the `Init` capability and the thread. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#thread?.close();
      this.#cap.close();
    }
    return Promise.resolve();
  }
}

/** The peer's bootstrap `Init` on `conn`, as an `InitClient`. */
export function bootstrapInit(conn: IpcConnection, opts: InitClientOptions = {}): InitClient {
  return new InitClient(conn.bootstrap(), { threadName: opts.threadName ?? `${conn.name}-${Deno.pid}` });
}
