/**
 * `WalletLoader` over IPC (`ipc/capnp/wallet.capnp`): {@linkcode serveWalletLoader} serves the wallet process's
 * loader to the node; {@linkcode WalletLoaderClient} is how the node drives it. `destroy` (or the last reference
 * going) closes the served loader once.
 *
 * @module
 */
import type { WalletLoader } from "../../interfaces/wallet_loader.ts";
import { type Capability, CapabilityServer, method } from "../capability.ts";
import { WalletLoader$Client } from "../capnp/gen/wallet.ts";
import { type ClientThread, contextOf, runOnThread } from "./thread.ts";
import { closeRemote } from "./util.ts";

/** Serves `impl` as a `WalletLoader`. */
export function serveWalletLoader(impl: WalletLoader): CapabilityServer {
  let closing: Promise<void> | null = null;
  const close = () => closing ??= Promise.resolve().then(() => impl.close());
  const m = WalletLoader$Client.methods;
  return new CapabilityServer("WalletLoader", [
    method(m[0], (p) => runOnThread(contextOf(p), close)),
    method(m[1], (p) => runOnThread(contextOf(p), () => impl.registerRpcs())),
    method(m[2], (p, r) =>
      runOnThread(contextOf(p), async () => {
        r.result = await impl.verify();
      })),
    method(m[3], (p, r) =>
      runOnThread(contextOf(p), async () => {
        r.result = await impl.load();
      })),
    method(m[4], (p) => runOnThread(contextOf(p), () => impl.start())),
    method(m[5], (p) => runOnThread(contextOf(p), () => impl.stop())),
    method(m[6], (p) => runOnThread(contextOf(p), () => impl.setMockTime(Number(p.time)))),
    method(m[7], (p, r) =>
      runOnThread(contextOf(p), async () => {
        const names = await impl.getWalletNames();
        const list = r._initResult(names.length);
        names.forEach((n, i) => list.set(i, n));
      })),
    method(m[8], (p) => runOnThread(contextOf(p), () => impl.schedulerMockForward(Number(p.deltaTime)))),
  ], { dispose: () => void close().catch(() => {}) });
}

/** A `WalletLoader` served by a wallet process. */
export class WalletLoaderClient implements WalletLoader {
  #cap: Capability;
  #thread: ClientThread | null;
  #closed = false;

  /** Wraps a `WalletLoader` capability; `thread` (if any) is named in every call. Takes both references. */
  constructor(cap: Capability, thread: ClientThread | null = null) {
    this.#cap = cap;
    this.#thread = thread;
  }

  /** The capability (borrowed). */
  get capability(): Capability {
    return this.#cap;
  }

  async #void(index: 1 | 4 | 5): Promise<void> {
    const call = this.#cap.call(WalletLoader$Client.methods[index], (p) => {
      if (this.#thread) this.#thread.fill(p._initContext());
    });
    (await call.response).release();
  }

  async #bool(index: 2 | 3): Promise<boolean> {
    const call = this.#cap.call(WalletLoader$Client.methods[index], (p) => {
      if (this.#thread) this.#thread.fill(p._initContext());
    });
    const resp = await call.response;
    try {
      return resp.results.result;
    } finally {
      resp.release();
    }
  }

  /** See {@linkcode WalletLoader.registerRpcs}. */
  registerRpcs(): Promise<void> {
    return this.#void(1);
  }

  /** See {@linkcode WalletLoader.verify}. */
  verify(): Promise<boolean> {
    return this.#bool(2);
  }

  /** See {@linkcode WalletLoader.load}. */
  load(): Promise<boolean> {
    return this.#bool(3);
  }

  /** See {@linkcode WalletLoader.start}. */
  start(): Promise<void> {
    return this.#void(4);
  }

  /** See {@linkcode WalletLoader.stop}. */
  stop(): Promise<void> {
    return this.#void(5);
  }

  /** See {@linkcode WalletLoader.setMockTime}. */
  async setMockTime(time: number): Promise<void> {
    const call = this.#cap.call(WalletLoader$Client.methods[6], (p) => {
      if (this.#thread) this.#thread.fill(p._initContext());
      p.time = BigInt(time);
    });
    (await call.response).release();
  }

  /** See {@linkcode WalletLoader.schedulerMockForward}. */
  async schedulerMockForward(deltaTime: number): Promise<void> {
    const call = this.#cap.call(WalletLoader$Client.methods[8], (p) => {
      if (this.#thread) this.#thread.fill(p._initContext());
      p.deltaTime = BigInt(deltaTime);
    });
    (await call.response).release();
  }

  /** See {@linkcode WalletLoader.getWalletNames}. */
  async getWalletNames(): Promise<string[]> {
    const call = this.#cap.call(WalletLoader$Client.methods[7], (p) => {
      if (this.#thread) this.#thread.fill(p._initContext());
    });
    const resp = await call.response;
    try {
      const list = resp.results.result;
      const out: string[] = [];
      for (let i = 0; i < list.length; i++) out.push(list.get(i));
      return out;
    } finally {
      resp.release();
    }
  }

  /** Calls `destroy`, then releases the capability (a disconnected peer is not an error here). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await closeRemote(
      this.#cap,
      this.#thread,
      (thread) =>
        this.#cap.call(WalletLoader$Client.methods[0], (p) => {
          if (thread) thread.fill(p._initContext());
        }).response,
    );
  }
}
