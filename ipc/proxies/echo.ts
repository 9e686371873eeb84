/**
 * `Echo` over IPC: {@linkcode serveEcho} serves an in-process `Echo` to peers; {@linkcode EchoClient} is an
 * `Echo` whose calls go to a peer. Wire-compatible with Bitcoin Core's `echo.capnp` (`destroy`, then
 * `Release`, when closed).
 *
 * @module
 */
import type { Echo } from "../../interfaces/echo.ts";
import { type Capability, CapabilityServer, method, readText, writeText } from "../capability.ts";
import { Echo$Client } from "../capnp/gen/echo.ts";
import { type ClientThread, contextOf, runOnThread } from "./thread.ts";
import { closeRemote } from "./util.ts";

// Pointer fields (echo.capnp): echo$Params (context @0, echo @1), echo$Results (result @0).
const PARAM_ECHO = 1;
const RESULT = 0;

/** Serves `impl` as an `Echo`; `destroy` (or the last reference going) closes it once. */
export function serveEcho(impl: Echo): CapabilityServer {
  let closing: Promise<void> | null = null;
  const close = () => closing ??= Promise.resolve().then(() => impl.close());
  return new CapabilityServer("Echo", [
    method(Echo$Client.methods[0], (p) => runOnThread(contextOf(p), close)),
    method(Echo$Client.methods[1], (p, r) => {
      const message = readText(p, PARAM_ECHO);
      return runOnThread(contextOf(p), async () => {
        writeText(r, RESULT, await impl.echo(message));
      });
    }),
  ], { dispose: () => void close().catch(() => {}) });
}

/** An `Echo` served by a peer. */
export class EchoClient implements Echo {
  #cap: Capability;
  #thread: ClientThread | null;
  #closed = false;

  /** Wraps an `Echo` capability; `thread` (if any) is named in every call's context. Takes both references. */
  constructor(cap: Capability, thread: ClientThread | null = null) {
    this.#cap = cap;
    this.#thread = thread;
  }

  /** The capability (borrowed). */
  get capability(): Capability {
    return this.#cap;
  }

  /** Calls `echo` on the peer. */
  async echo(message: string): Promise<string> {
    const call = this.#cap.call(Echo$Client.methods[1], (p) => {
      if (this.#thread) this.#thread.fill(p._initContext());
      writeText(p, PARAM_ECHO, message);
    });
    const resp = await call.response;
    try {
      return readText(resp.results, RESULT);
    } finally {
      resp.release();
    }
  }

  /** Calls `destroy`, then releases the capability (a disconnected peer is not an error here). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await closeRemote(this.#cap, this.#thread, (thread) =>
      this.#cap.call(Echo$Client.methods[0], (p) => {
        if (thread) thread.fill(p._initContext());
      }).response);
  }
}
