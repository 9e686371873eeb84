/**
 * `Rpc` over IPC: {@linkcode serveRpc} serves an in-process `Rpc` (JSON-RPC execution) to peers, such as
 * `tsbtc rpc -ipcconnect` or Bitcoin Core's `bitcoin-cli -ipcconnect`; {@linkcode RpcClient} is an `Rpc`
 * whose requests go to a peer. Wire-compatible with Core's `rpc.capnp`.
 *
 * @module
 */
import type { Rpc } from "../../interfaces/rpc.ts";
import { type Capability, CapabilityServer, method, readText, writeText } from "../capability.ts";
import { Rpc$Client } from "../capnp/gen/rpc.ts";
import { type ClientThread, contextOf, runOnThread } from "./thread.ts";

// Pointer fields (rpc.capnp): executeRpc$Params (context @0, request @1, uri @2, user @3),
// executeRpc$Results (result @0).
const [REQUEST, URI, USER, RESULT] = [1, 2, 3, 0];

/** Serves `impl` as an `Rpc`; the last reference going closes it. */
export function serveRpc(impl: Rpc): CapabilityServer {
  let closing: Promise<void> | null = null;
  const close = () => closing ??= Promise.resolve().then(() => impl.close());
  return new CapabilityServer("Rpc", [
    method(Rpc$Client.methods[0], (p, r) => {
      const request = readText(p, REQUEST);
      const uri = readText(p, URI);
      const user = readText(p, USER);
      return runOnThread(contextOf(p), async () => {
        writeText(r, RESULT, await impl.executeRpc(request, uri, user));
      });
    }),
  ], { dispose: () => void close().catch(() => {}) });
}

/** An `Rpc` served by a peer. */
export class RpcClient implements Rpc {
  #cap: Capability;
  #thread: ClientThread | null;
  #closed = false;

  /** Wraps an `Rpc` capability; `thread` (if any) is named in every call's context. Takes both references. */
  constructor(cap: Capability, thread: ClientThread | null = null) {
    this.#cap = cap;
    this.#thread = thread;
  }

  /** The capability (borrowed). */
  get capability(): Capability {
    return this.#cap;
  }

  /** Runs one JSON-RPC request on the peer and returns its reply text. */
  async executeRpc(request: string, uri: string, user: string): Promise<string> {
    const call = this.#cap.call(Rpc$Client.methods[0], (p) => {
      if (this.#thread) this.#thread.fill(p._initContext());
      writeText(p, REQUEST, request);
      writeText(p, URI, uri);
      writeText(p, USER, user);
    });
    const resp = await call.response;
    try {
      return readText(resp.results, RESULT);
    } finally {
      resp.release();
    }
  }

  /** Releases the capability (Core's `Rpc` has no `destroy`: the `Release` is what ends it). */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#cap.close();
      this.#thread?.close();
    }
    return Promise.resolve();
  }
}
