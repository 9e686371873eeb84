/**
 * The Cap'n Proto RPC protocol, level 1, for one connection (the vat network is two-party: Bitcoin Core's
 * `capnp::TwoPartyVatNetwork`). Internal: use `IpcConnection` (`ipc/connection.ts`).
 *
 * Tables, as in `rpc.capnp`: questions (calls we made, ids we pick), answers (calls the peer made, ids it
 * picks), exports (our capabilities the peer holds, with the count of references it was sent) and imports
 * (the peer's capabilities we hold, with the count of references we were sent, returned in one `Release`
 * when our last local reference goes). After a session in which every reference was closed, all four are
 * empty again.
 *
 * Protocol choices, for the peer's benefit:
 * - We never send `senderPromise`, `Resolve` or tail calls: a capability we pass is either the peer's own
 *   (`receiverHosted` / `receiverAnswer`) or exported by us as `senderHosted`, even when it is a local
 *   promise (calls to it are queued here until it resolves). So the peer never needs to embargo because of us
 *   except for the one case the protocol requires: a pipelined call to one of our answers that resolved to a
 *   capability the peer itself hosts. For that we answer `Disembargo.senderLoopback` with `receiverLoopback`
 *   after every call already forwarded to that capability has been queued for sending.
 * - We handle the peer's `senderPromise` + `Resolve`, and embargo ourselves (`Disembargo.senderLoopback`, calls
 *   held until the loopback comes back) when a promise or pipelined answer we made calls on resolves to a
 *   capability that is not the peer's.
 * - `Return.releaseParamCaps` is always false (we send `Release` for parameter capabilities when they are
 *   dropped, as capnp's C++ implementation does); a `Return` from the peer with it true releases the exports
 *   we sent in the params. `Finish` is sent once the `Return` has arrived, with `releaseResultCaps` false.
 * - Protocol violations (bad ids, malformed messages, limits) abort the connection with an `Abort`, as capnp
 *   does; an error inside one call only fails that call. Unknown message kinds are answered `unimplemented`.
 *
 * @module
 */
import type * as $ from "capnp-es";
import * as rpc from "capnp-es/capnp/rpc";
import {
  BrokenHook,
  type CallRequest,
  type CallResult,
  Capability,
  capTableOf,
  copyPointer,
  failedCall,
  Hook,
  hookAtPath,
  type IncomingCall,
  PromiseHook,
  type RawResponse,
  releaseCapTable,
  setCapTable,
  toIpcError,
} from "../capability.ts";
import { type IpcDebugLog, lookupMethod, type MethodInfo } from "../debug_log.ts";
import type { Frame } from "../frame.ts";
import type { MessageTransport } from "../transport.ts";
import { IPC_ERROR_TYPES, IpcError, type IpcErrorType } from "./error.ts";
import type { IpcLimits } from "./limits.ts";
import {
  CAP,
  type CapDesc,
  decode,
  decodeSlow,
  encodeBootstrap,
  encodeCall,
  encodeFinish,
  encodeRelease,
  encodeReturnResults,
  frameMessage,
  type Incoming,
  MSG,
  newMessage,
  type OutPayload,
  RET,
  setId,
  type Target,
  type WireException,
  writeCapTable,
} from "./wire.ts";

const noop = () => {};

/** Table counts of a connection (all zero after a clean session). */
export interface RpcTableStats {
  /** Calls we made that have not returned. */
  questions: number;
  /** Calls the peer made that are not finished. */
  answers: number;
  /** Peer capabilities we hold. */
  imports: number;
  /** Our capabilities the peer holds. */
  exports: number;
  /** Embargoes waiting for their loopback. */
  embargoes: number;
}

/** Ids we allocate (questions, exports, embargoes): lowest free first, like capnp's `ExportTable`. */
class IdTable<T> {
  #map = new Map<number, T>();
  #free: number[] = [];
  #next = 0;

  get size(): number {
    return this.#map.size;
  }

  add(v: T): number {
    const id = this.#free.length > 0 ? this.#free.pop()! : this.#next++;
    this.#map.set(id, v);
    return id;
  }

  get(id: number): T | undefined {
    return this.#map.get(id);
  }

  delete(id: number): void {
    if (this.#map.delete(id)) this.#free.push(id);
  }

  values(): IterableIterator<T> {
    return this.#map.values();
  }

  clear(): void {
    this.#map.clear();
    this.#free = [];
    this.#next = 0;
  }
}

interface Question {
  id: number;
  requestNo: number;
  info: MethodInfo | null;
  redact: boolean;
  promise: Promise<RawResponse>;
  resolve(r: RawResponse): void;
  reject(e: IpcError): void;
  pipelines: Map<string, PipelineHook>;
  paramExports: number[];
  result: RawResponse | null;
  error: IpcError | null;
}

interface Answer {
  id: number;
  requestNo: number;
  info: MethodInfo | null;
  redact: boolean;
  ac: AbortController;
  out: OutPayload | null;
  returned: boolean;
  finished: boolean;
  releaseResultCaps: boolean;
  resultContent: $.Pointer | null;
  error: IpcError | null;
  exports: number[];
  pipelines: Map<string, PromiseHook>;
}

interface ExportEntry {
  hook: Hook;
  refs: number;
}

interface ImportEntry {
  hook: ImportHook;
  /** References the peer sent us (returned in one Release). */
  remoteRefs: number;
}

interface Embargo {
  promise: PromiseHook;
  target: Hook;
}

/** Thrown inside message handlers for protocol violations: the connection is aborted. */
class ProtocolError extends IpcError {}

/** Options of {@linkcode RpcEngine}. */
export interface RpcEngineOptions {
  /** Process name for log lines. */
  name: string;
  /** Capability served to the peer's `Bootstrap` (the engine takes this reference). */
  bootstrap: Capability | null;
  /** Where `-debug=ipc` lines go. */
  log: IpcDebugLog;
  /** Limits. */
  limits: IpcLimits;
}

/** The RPC state machine of one connection. */
export class RpcEngine {
  #transport!: MessageTransport;
  #opts: RpcEngineOptions;
  #bootstrap: Capability | null;
  #questions = new IdTable<Question>();
  #answers = new Map<number, Answer>();
  #exports = new IdTable<ExportEntry>();
  #exportsByHook = new Map<Hook, number>();
  #imports = new Map<number, ImportEntry>();
  #embargoes = new IdTable<Embargo>();
  #closeReason: IpcError | null = null;
  #reqNo = 0;
  #log: IpcDebugLog;
  #onClosed: (reason: IpcError) => void;

  /** Makes an engine; call {@linkcode RpcEngine.attach} before use. */
  constructor(opts: RpcEngineOptions, onClosed: (reason: IpcError) => void) {
    this.#opts = opts;
    this.#bootstrap = opts.bootstrap;
    this.#log = opts.log;
    this.#onClosed = onClosed;
  }

  /** Connects the engine to its transport. */
  attach(transport: MessageTransport): void {
    this.#transport = transport;
  }

  /** Why the connection closed, or null while open. */
  get closeReason(): IpcError | null {
    return this.#closeReason;
  }

  /** Table counts. */
  stats(): RpcTableStats {
    return {
      questions: this.#questions.size,
      answers: this.#answers.size,
      imports: this.#imports.size,
      exports: this.#exports.size,
      embargoes: this.#embargoes.size,
    };
  }

  // -------------------------------------------------------------------------------------------------------
  // Outgoing.

  /** Asks the peer for its bootstrap capability (pipelined: usable at once). */
  bootstrap(): Capability {
    if (this.#closeReason) return new Capability(new BrokenHook(this.#closeReason));
    const q = this.#newQuestion(null, false);
    if (this.#log.enabled) this.#log.line(q.requestNo, "client send Bootstrap");
    this.#transport.send(encodeBootstrap(q.id));
    // Nobody reads the response itself: the pipeline takes its own reference.
    q.promise.then((r) => releaseCapTable(r.message), noop);
    return new Capability(this.#pipelineHook(q, []));
  }

  #newQuestion(info: MethodInfo | null, redact: boolean): Question {
    let resolve!: (r: RawResponse) => void;
    let reject!: (e: IpcError) => void;
    const promise = new Promise<RawResponse>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(noop);
    const q: Question = {
      id: 0,
      requestNo: ++this.#reqNo,
      info,
      redact,
      promise,
      resolve,
      reject,
      pipelines: new Map(),
      paramExports: [],
      result: null,
      error: null,
    };
    q.id = this.#questions.add(q);
    return q;
  }

  /** Sends a call to `target` (an import or a promised answer of ours). */
  sendCall(target: Target, req: CallRequest): CallResult {
    if (this.#closeReason) return failedCall(this.#closeReason);
    const limits = this.#opts.limits;
    if (this.#questions.size >= limits.maxQuestions) {
      return failedCall(
        new IpcError(`Too many calls in flight (${limits.maxQuestions})`, { type: "overloaded" }),
      );
    }
    if (this.#transport.queuedBytes > limits.maxQueuedWriteBytes) {
      return failedCall(new IpcError("Too much data queued for the peer", { type: "overloaded" }));
    }
    let out: OutPayload;
    try {
      out = encodeCall(req.interfaceId, req.methodId, target);
    } catch (e) {
      return failedCall(toIpcError(e));
    }
    try {
      req.fill(out.content);
    } catch (e) {
      releaseCapTable(out.msg);
      return failedCall(toIpcError(e));
    }
    const msg = out.msg;
    const info = this.#log.enabled ? lookupMethod(req.interfaceId, req.methodId, req.method) : null;
    const q = this.#newQuestion(info, false);
    setId(out, q.id);
    try {
      q.paramExports = this.#writeCapTable(out);
    } catch (e) {
      this.#questions.delete(q.id);
      releaseCapTable(msg);
      return failedCall(toIpcError(e));
    }
    releaseCapTable(msg);
    if (info) q.redact = this.#log.params(q.requestNo, "client send", info, out.content);
    this.#transport.send(msg);
    return { promise: q.promise, pipeline: (path) => this.#pipelineHook(q, path) };
  }

  #pipelineHook(q: Question, path: readonly number[]): Hook {
    if (q.error) return new BrokenHook(q.error);
    if (q.result) return hookAtPath(q.result.content, path);
    const key = path.join(".");
    let h = q.pipelines.get(key);
    if (!h) {
      h = new PipelineHook(this, q, path);
      q.pipelines.set(key, h);
    }
    return h;
  }

  /** A pipeline hook was dropped before its question returned. */
  dropPipeline(q: Question, path: readonly number[]): void {
    q.pipelines.delete(path.join("."));
  }

  /** Serves `call` by calling `hook` (one of ours on this connection) and copying its results back. */
  forward(hook: Hook, call: IncomingCall): Promise<void> {
    const res = hook.call({
      interfaceId: call.interfaceId,
      methodId: call.methodId,
      fill: (content) => copyPointer(call.params, content),
    });
    return res.promise.then((raw) => {
      try {
        copyPointer(raw.content, call.results());
      } finally {
        releaseCapTable(raw.message);
      }
    });
  }

  /** True when `h` is reached through this connection (a call to it stays in order with other calls). */
  isRemote(h: Hook): boolean {
    return (h instanceof ImportHook || h instanceof PipelineHook) && h.engine === this;
  }

  /**
   * Starts an embargo: `promise` will resolve to `target` once the peer reflects our `Disembargo` back, so
   * calls made now reach `target` after the ones already sent towards the peer.
   */
  embargo(via: Target, target: Hook): PromiseHook {
    const promise = new PromiseHook();
    if (this.#closeReason) {
      promise.resolve(new BrokenHook(this.#closeReason));
      return promise;
    }
    target.addRef();
    const id = this.#embargoes.add({ promise, target });
    this.#transport.send(disembargoMessage(via, 0, id));
    return promise;
  }

  /** Our last reference to an import went: tell the peer. */
  releaseImport(hook: ImportHook): void {
    const e = this.#imports.get(hook.id);
    if (!e || e.hook !== hook) return;
    this.#imports.delete(hook.id);
    if (this.#closeReason) return;
    this.#transport.send(encodeRelease(hook.id, e.remoteRefs), false);
  }

  // -------------------------------------------------------------------------------------------------------
  // Cap tables.

  /**
   * Writes the descriptors for `out`'s cap table; returns the export ids it referenced. On failure (the export
   * limit), the references already taken are dropped again.
   */
  #writeCapTable(out: OutPayload): number[] {
    const caps = capTableOf(out.msg);
    if (caps.length === 0) return [];
    const exported: number[] = [];
    const descs: CapDesc[] = new Array(caps.length);
    try {
      for (let i = 0; i < caps.length; i++) {
        const cap = caps[i];
        descs[i] = cap instanceof Capability && !cap.closed
          ? this.#descriptor(cap.hook, exported)
          : { type: CAP.NONE, id: 0, path: [] };
      }
    } catch (e) {
      for (const id of exported) this.#releaseExport(id, 1);
      throw e;
    }
    writeCapTable(out, descs);
    return exported;
  }

  #descriptor(hook: Hook, exported: number[]): CapDesc {
    const t = hook.target();
    if (t instanceof ImportHook && t.engine === this) {
      t.callsSent++;
      return { type: CAP.RECEIVER_HOSTED, id: t.id, path: [] };
    }
    if (t instanceof PipelineHook && t.engine === this && t.question) {
      t.callsSent++;
      return { type: CAP.RECEIVER_ANSWER, id: t.question.id, path: t.path as number[] };
    }
    let id = this.#exportsByHook.get(t);
    if (id !== undefined) {
      this.#exports.get(id)!.refs++;
    } else {
      if (this.#exports.size >= this.#opts.limits.maxCapabilities) {
        throw new IpcError(`Too many capabilities exported (${this.#opts.limits.maxCapabilities})`, {
          type: "overloaded",
        });
      }
      t.addRef();
      id = this.#exports.add({ hook: t, refs: 1 });
      this.#exportsByHook.set(t, id);
    }
    exported.push(id);
    return { type: CAP.SENDER_HOSTED, id, path: [] };
  }

  #releaseExport(id: number, count: number): void {
    const e = this.#exports.get(id);
    if (!e) throw new ProtocolError(`Tried to release invalid export ID ${id}`);
    if (count > e.refs) {
      throw new ProtocolError(
        `Tried to drop export's refcount below zero (export ${id}, ${count} > ${e.refs})`,
      );
    }
    e.refs -= count;
    if (e.refs === 0) {
      this.#exports.delete(id);
      this.#exportsByHook.delete(e.hook);
      e.hook.release();
    }
  }

  /** Converts received descriptors to capabilities (owned by the message) and installs them as its cap table. */
  #readCapTable(descs: readonly CapDesc[], msg: $.Message): void {
    const n = descs.length;
    if (n === 0) return;
    if (n > this.#opts.limits.maxCapabilities) {
      throw new ProtocolError(`Cap table of ${n} entries exceeds the limit`);
    }
    const caps: (Capability | null)[] = new Array(n).fill(null);
    setCapTable(msg, caps);
    for (let i = 0; i < n; i++) caps[i] = this.#readDescriptor(descs[i]);
  }

  #readDescriptor(d: CapDesc): Capability | null {
    switch (d.type) {
      case CAP.NONE:
        return null;
      case CAP.SENDER_HOSTED:
        return this.#import(d.id, false);
      case CAP.SENDER_PROMISE:
        return this.#import(d.id, true);
      case CAP.RECEIVER_HOSTED: {
        const e = this.#exports.get(d.id);
        if (!e) return new Capability(new BrokenHook(new IpcError("Invalid 'receiverHosted' export ID")));
        return new Capability(e.hook);
      }
      case CAP.RECEIVER_ANSWER: {
        const a = this.#answers.get(d.id);
        if (!a) return new Capability(new BrokenHook(new IpcError("Invalid 'receiverAnswer' question ID")));
        return new Capability(this.#answerPipeline(a, d.path));
      }
      case CAP.THIRD_PARTY_HOSTED:
        // Level 3 is not supported: use the vine, as capnp does.
        return this.#import(d.id, false);
      default:
        return new Capability(new BrokenHook(new IpcError("Unknown capability descriptor type")));
    }
  }

  #import(id: number, isPromise: boolean): Capability {
    let e = this.#imports.get(id);
    if (e) {
      e.remoteRefs++;
    } else {
      if (this.#imports.size >= this.#opts.limits.maxCapabilities) {
        throw new ProtocolError(`Too many capabilities imported (${this.#opts.limits.maxCapabilities})`);
      }
      e = { hook: new ImportHook(this, id, isPromise), remoteRefs: 1 };
      this.#imports.set(id, e);
    }
    return new Capability(e.hook);
  }

  /** The hook of the capability at `path` in answer `a`'s results: resolved, broken, or a promise. */
  #answerPipeline(a: Answer, path: readonly number[]): Hook {
    if (a.error) return new BrokenHook(a.error);
    if (a.resultContent) return hookAtPath(a.resultContent, path);
    if (a.returned) return new BrokenHook(new IpcError("Pipelined call on a finished answer"));
    const key = path.join(".");
    let h = a.pipelines.get(key);
    if (!h) a.pipelines.set(key, h = new PromiseHook());
    return h;
  }

  // -------------------------------------------------------------------------------------------------------
  // Incoming.

  /** Handles one received frame; protocol violations abort the connection. */
  handleMessage(frame: Frame): void {
    if (this.#closeReason) return;
    try {
      const m = decode(frame, this.#opts.limits);
      switch (m.which) {
        case MSG.CALL:
          this.#handleCall(m);
          break;
        case MSG.RETURN:
          this.#handleReturn(m);
          break;
        case MSG.FINISH:
          this.#handleFinish(m.questionId, m.releaseResultCaps);
          break;
        case MSG.RELEASE:
          this.#releaseExport(m.id, m.referenceCount);
          break;
        case MSG.BOOTSTRAP:
          this.#handleBootstrap(m.questionId);
          break;
        case MSG.RESOLVE:
          this.#handleResolve(m.promiseId, m.cap, m.exception);
          break;
        case MSG.DISEMBARGO:
          this.#handleDisembargo(m.target, m.context, m.embargoId, frame);
          break;
        case MSG.ABORT: {
          const reason = new IpcError(`Peer aborted the connection: ${m.exception.reason}`, {
            type: exceptionType(m.exception),
            remote: true,
          });
          this.teardown(reason);
          this.#transport.close().catch(noop);
          break;
        }
        case MSG.UNIMPLEMENTED:
          this.#handleUnimplemented(m.innerWhich, m.questionId);
          break;
        default:
          this.#sendUnimplemented(m.root);
      }
    } catch (e) {
      const reason = e instanceof ProtocolError ? e.message : `Invalid message: ${IpcError.reasonOf(e)}`;
      this.abort(new IpcError(reason));
    }
  }

  #handleBootstrap(questionId: number): void {
    const a = this.#newAnswer(questionId, null);
    if (this.#log.enabled) this.#log.line(a.requestNo, "server recv Bootstrap");
    if (!this.#bootstrap) {
      this.#sendException(a, new IpcError("This vat does not expose any public/bootstrap interfaces."));
      return;
    }
    const out = this.#outReturn(a);
    const id = out.msg.addCap(this.#bootstrap.dup() as never);
    setInterfacePointer(out.content, id);
    this.#sendResults(a);
  }

  #newAnswer(id: number, info: MethodInfo | null): Answer {
    if (this.#answers.has(id)) throw new ProtocolError(`Question ID ${id} is already in use`);
    if (this.#answers.size >= this.#opts.limits.maxAnswers) {
      throw new ProtocolError(`Too many calls in flight from the peer (${this.#opts.limits.maxAnswers})`);
    }
    const a: Answer = {
      id,
      requestNo: ++this.#reqNo,
      info,
      redact: false,
      ac: new AbortController(),
      out: null,
      returned: false,
      finished: false,
      releaseResultCaps: false,
      resultContent: null,
      error: null,
      exports: [],
      pipelines: new Map(),
    };
    this.#answers.set(id, a);
    return a;
  }

  #outReturn(a: Answer): OutPayload {
    return a.out ??= encodeReturnResults(a.id);
  }

  #handleCall(m: Extract<Incoming, { which: typeof MSG.CALL }>): void {
    const { interfaceId, methodId, message: msg, content } = m;
    const info = this.#log.enabled ? lookupMethod(interfaceId, methodId) : null;
    const a = this.#newAnswer(m.questionId, info);
    this.#readCapTable(m.caps, msg);
    if (info) a.redact = this.#log.params(a.requestNo, "server recv", info, content);
    let target: Hook;
    try {
      if (m.sendResultsTo !== 0) {
        throw new IpcError("Call.sendResultsTo other than 'caller' is not supported", {
          type: "unimplemented",
        });
      }
      target = this.#callTarget(m.target);
    } catch (e) {
      releaseCapTable(msg);
      this.#sendException(a, toIpcError(e));
      return;
    }
    const incoming: IncomingCall = {
      interfaceId,
      methodId,
      params: content,
      results: () => this.#outReturn(a).content,
      signal: a.ac.signal,
      requestNo: a.requestNo,
    };
    let done: Promise<void>;
    try {
      done = target.deliver(incoming);
    } catch (e) {
      done = Promise.reject(e);
    }
    done.then(
      () => {
        releaseCapTable(msg);
        this.#sendResults(a);
      },
      (e) => {
        releaseCapTable(msg);
        this.#sendException(a, toIpcError(e));
      },
    );
  }

  #callTarget(t: Target): Hook {
    if (t.kind === "import") {
      const e = this.#exports.get(t.id);
      if (!e) throw new IpcError(`Call target ${t.id} is not a current export ID`);
      return e.hook;
    }
    const a = this.#answers.get(t.questionId);
    if (!a) throw new IpcError(`Pipelined call on question ${t.questionId}, which does not exist`);
    return this.#answerPipeline(a, t.path);
  }

  #sendResults(a: Answer): void {
    const out = this.#outReturn(a);
    if (this.#closeReason) {
      releaseCapTable(out.msg);
      return;
    }
    try {
      a.exports = this.#writeCapTable(out);
    } catch (e) {
      releaseCapTable(out.msg);
      a.out = null;
      this.#sendException(a, toIpcError(e));
      return;
    }
    a.resultContent = out.content;
    if (a.info) this.#log.results(a.requestNo, "server send", a.info, out.content, a.redact);
    else if (this.#log.enabled) this.#log.line(a.requestNo, "server send Bootstrap result");
    this.#transport.send(out.msg);
    a.returned = true;
    const pipelines = a.pipelines;
    a.pipelines = new Map();
    for (const [key, h] of pipelines) h.resolve(hookAtPath(out.content, pathOf(key)));
    if (a.finished) this.#retireAnswer(a);
  }

  #sendException(a: Answer, err: IpcError): void {
    if (a.out) {
      releaseCapTable(a.out.msg);
      a.out = null;
    }
    a.error = err;
    const pipelines = a.pipelines;
    a.pipelines = new Map();
    for (const h of pipelines.values()) h.resolve(new BrokenHook(err));
    if (this.#closeReason) return;
    const msg = newMessage();
    const ret = msg.initRoot(rpc.Message)._initReturn();
    ret.answerId = a.id;
    ret.releaseParamCaps = false;
    writeException(ret._initException(), err);
    if (a.info) this.#log.exception(a.requestNo, "server send", a.info, err.message);
    else if (this.#log.enabled) this.#log.line(a.requestNo, `server send exception: ${err.message}`);
    this.#transport.send(msg);
    a.returned = true;
    if (a.finished) this.#retireAnswer(a);
  }

  #retireAnswer(a: Answer): void {
    this.#answers.delete(a.id);
    if (a.out) releaseCapTable(a.out.msg);
    a.out = null;
    a.resultContent = null;
    if (a.releaseResultCaps) {
      for (const id of a.exports) {
        if (this.#exports.get(id)) this.#releaseExport(id, 1);
      }
    }
    a.exports = [];
  }

  #handleFinish(questionId: number, releaseResultCaps: boolean): void {
    const a = this.#answers.get(questionId);
    if (!a) throw new ProtocolError(`'Finish' for invalid question ID ${questionId}`);
    if (a.finished) throw new ProtocolError(`Duplicate 'Finish' for question ID ${questionId}`);
    a.finished = true;
    a.releaseResultCaps = releaseResultCaps;
    if (a.returned) this.#retireAnswer(a);
    else a.ac.abort(new IpcError("Call canceled by the caller", { type: "disconnected" }));
  }

  #handleReturn(m: Extract<Incoming, { which: typeof MSG.RETURN }>): void {
    const q = this.#questions.get(m.answerId);
    if (!q) throw new ProtocolError(`Invalid question ID in Return message: ${m.answerId}`);
    this.#questions.delete(q.id);
    if (m.releaseParamCaps) {
      for (const id of q.paramExports) {
        if (this.#exports.get(id)) this.#releaseExport(id, 1);
      }
    }
    q.paramExports = [];
    switch (m.kind) {
      case RET.RESULTS: {
        const msg = m.message!;
        const content = m.content!;
        try {
          this.#readCapTable(m.caps, msg);
        } catch (e) {
          this.#failQuestion(q, toIpcError(e));
          throw e;
        }
        if (q.info) this.#log.results(q.requestNo, "client recv", q.info, content, q.redact);
        else if (this.#log.enabled) this.#log.line(q.requestNo, "client recv Bootstrap result");
        const raw: RawResponse = { content, message: msg };
        q.result = raw;
        const pipelines = q.pipelines;
        q.pipelines = new Map();
        // Resolve pipelines first (an embargo's Disembargo must precede our Finish).
        for (const [key, h] of pipelines) h.resolveTo(hookAtPath(content, pathOf(key)));
        this.#sendFinish(q.id);
        q.resolve(raw);
        return;
      }
      case RET.EXCEPTION: {
        const ex = m.exception!;
        const err = new IpcError(ex.reason, { type: exceptionType(ex), remote: true });
        if (q.info) this.#log.exception(q.requestNo, "client recv", q.info, err.message);
        this.#failQuestion(q, err);
        this.#sendFinish(q.id);
        return;
      }
      case RET.CANCELED:
        this.#failQuestion(q, new IpcError("Call was canceled", { type: "disconnected", remote: true }));
        this.#sendFinish(q.id);
        return;
      default:
        this.#failQuestion(q, new IpcError("Unsupported Return type", { type: "unimplemented" }));
        this.#sendFinish(q.id);
    }
  }

  #failQuestion(q: Question, err: IpcError): void {
    q.error = err;
    const pipelines = q.pipelines;
    q.pipelines = new Map();
    for (const h of pipelines.values()) h.resolveTo(new BrokenHook(err));
    q.reject(err);
  }

  #sendFinish(id: number): void {
    this.#transport.send(encodeFinish(id, false), false);
  }

  #handleResolve(promiseId: number, desc: CapDesc | null, exception: WireException | null): void {
    const e = this.#imports.get(promiseId);
    let cap: Capability | null = null;
    let hook: Hook;
    if (desc) {
      cap = this.#readDescriptor(desc);
      hook = cap ? cap.hook : new BrokenHook(new IpcError("Promise resolved to a null capability"));
    } else {
      const ex = exception ?? { reason: "Promise broken", type: 0 };
      hook = new BrokenHook(new IpcError(ex.reason, { type: exceptionType(ex), remote: true }));
    }
    if (e && e.hook.isPromiseImport) e.hook.resolveTo(hook);
    cap?.close();
  }

  #handleDisembargo(target: Target, context: number, embargoId: number, frame: Frame): void {
    switch (context) {
      case 0: { // senderLoopback
        let hook: Hook;
        try {
          hook = this.#callTarget(target);
        } catch (e) {
          throw new ProtocolError(
            `'Disembargo' of type 'senderLoopback' with a bad target: ${IpcError.reasonOf(e)}`,
          );
        }
        const t = hook.target();
        if (!(t instanceof ImportHook) || t.engine !== this) {
          throw new ProtocolError(
            "'Disembargo' of type 'senderLoopback' sent to an object that does not point back to the sender",
          );
        }
        // Every call already forwarded to `t` has been queued (forwarding is synchronous): reflect now.
        this.#transport.send(disembargoMessage({ kind: "import", id: t.id }, 1, embargoId));
        return;
      }
      case 1: { // receiverLoopback
        const e = this.#embargoes.get(embargoId);
        if (!e) throw new ProtocolError(`Invalid embargo ID ${embargoId}`);
        this.#embargoes.delete(embargoId);
        e.promise.resolve(e.target);
        e.target.release();
        return;
      }
      default: {
        const m = decodeRoot(frame, this.#opts.limits);
        this.#sendUnimplemented(m);
      }
    }
  }

  #handleUnimplemented(innerWhich: number, questionId: number): void {
    // The peer did not understand something we sent. We only send calls, bootstraps and basic messages.
    switch (innerWhich) {
      case MSG.CALL:
      case MSG.BOOTSTRAP: {
        const q = this.#questions.get(questionId);
        if (!q) return;
        this.#questions.delete(questionId);
        this.#failQuestion(q, new IpcError("Peer does not implement the request", { type: "unimplemented" }));
        return;
      }
      default:
        throw new ProtocolError(`Peer did not implement a message we sent (type ${innerWhich})`);
    }
  }

  #sendUnimplemented(root: rpc.Message): void {
    const msg = newMessage();
    msg.initRoot(rpc.Message).unimplemented = root;
    this.#transport.send(msg);
  }

  // -------------------------------------------------------------------------------------------------------
  // Shutdown.

  /** Sends an `Abort` with `reason`, then closes the connection. */
  abort(reason: IpcError): void {
    if (this.#closeReason) return;
    try {
      const msg = newMessage();
      writeException(msg.initRoot(rpc.Message)._initAbort(), reason);
      this.#transport.send(msg);
    } catch {
      // Could not even build the Abort: close regardless.
    }
    this.#transport.closeWithError(reason).catch(noop);
  }

  /**
   * Tears everything down once: every question rejects with `reason`, every import breaks, every export is
   * dropped (dispose hooks run), every call being served is aborted.
   */
  teardown(reason: IpcError): void {
    if (this.#closeReason) return;
    this.#closeReason = reason;
    const questions = [...this.#questions.values()];
    this.#questions.clear();
    for (const q of questions) this.#failQuestion(q, reason);
    const answers = [...this.#answers.values()];
    this.#answers.clear();
    for (const a of answers) {
      a.ac.abort(reason);
      a.error ??= reason;
      for (const h of a.pipelines.values()) h.resolve(new BrokenHook(reason));
      a.pipelines.clear();
      if (a.out && a.returned) releaseCapTable(a.out.msg);
    }
    const embargoes = [...this.#embargoes.values()];
    this.#embargoes.clear();
    for (const e of embargoes) {
      e.promise.resolve(new BrokenHook(reason));
      e.target.release();
    }
    const imports = [...this.#imports.values()];
    this.#imports.clear();
    for (const i of imports) i.hook.broken(reason);
    const exports = [...this.#exports.values()];
    this.#exports.clear();
    this.#exportsByHook.clear();
    for (const e of exports) e.hook.release();
    this.#bootstrap?.close();
    this.#bootstrap = null;
    this.#onClosed(reason);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Hooks of a connection.

/** A capability the peer hosts (an import). */
export class ImportHook extends Hook {
  /** The engine it belongs to. */
  readonly engine: RpcEngine;
  /** Import id (the peer's export id). */
  readonly id: number;
  /** True when the peer sent it as a promise (`senderPromise`). */
  readonly isPromiseImport: boolean;
  /** Calls sent (or descriptors written) through it: an embargo is needed if it resolves locally. */
  callsSent = 0;
  #resolution: Hook | null = null;
  #broken: IpcError | null = null;
  #waiters: (() => void)[] = [];

  /** Made by the engine when a descriptor names a new import. */
  constructor(engine: RpcEngine, id: number, isPromiseImport: boolean) {
    super();
    this.engine = engine;
    this.id = id;
    this.isPromiseImport = isPromiseImport;
  }

  /** Runs when the last reference goes. */
  protected dispose(): void {
    this.engine.releaseImport(this);
    const r = this.#resolution;
    this.#resolution = null;
    r?.release();
  }

  /** True while unresolved. */
  override get isPromise(): boolean {
    return this.isPromiseImport && this.#resolution === null && this.#broken === null;
  }

  /** The hook calls currently reach. */
  override target(): Hook {
    return this.#resolution ? this.#resolution.target() : this;
  }

  /** Resolves once resolved. */
  override whenResolved(): Promise<void> {
    if (!this.isPromise) return this.#resolution ? this.#resolution.whenResolved() : Promise.resolve();
    return new Promise<void>((r) => this.#waiters.push(r)).then(() => this.whenResolved());
  }

  /** The connection is gone: calls fail with `reason`. */
  broken(reason: IpcError): void {
    this.#broken = reason;
    this.#wake();
  }

  /** A `Resolve` arrived for this promise. */
  resolveTo(hook: Hook): void {
    if (this.#resolution || this.#broken) return;
    if (this.callsSent > 0 && !this.engine.isRemote(hook.target())) {
      const p = this.engine.embargo({ kind: "import", id: this.id }, hook);
      p.addRef();
      this.#resolution = p;
    } else {
      hook.addRef();
      this.#resolution = hook;
    }
    this.#wake();
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** Starts a call (see {@linkcode Hook.call}). */
  call(req: CallRequest): CallResult {
    if (this.#resolution) return this.#resolution.call(req);
    if (this.#broken) return failedCall(this.#broken);
    this.callsSent++;
    return this.engine.sendCall({ kind: "import", id: this.id }, req);
  }

  /** Serves a call received elsewhere (see {@linkcode Hook.deliver}). */
  deliver(call: IncomingCall): Promise<void> {
    if (this.#resolution) return this.#resolution.deliver(call);
    if (this.#broken) return Promise.reject(this.#broken);
    return this.engine.forward(this, call);
  }
}

/** The capability at a path in the results of one of our questions, before (and after) it returns. */
export class PipelineHook extends Hook {
  /** The engine it belongs to. */
  readonly engine: RpcEngine;
  /** The question, until it returns. */
  question: Question | null;
  /** Pointer-field path in the results. */
  readonly path: readonly number[];
  /** Calls sent (or descriptors written) through it: an embargo is needed if it resolves locally. */
  callsSent = 0;
  #resolution: Hook | null = null;
  #dead = false;
  #waiters: (() => void)[] = [];

  /** Made by the engine for `pending.pipeline(…)`. */
  constructor(engine: RpcEngine, question: Question, path: readonly number[]) {
    super();
    this.engine = engine;
    this.question = question;
    this.path = path;
  }

  /** Runs when the last reference goes. */
  protected dispose(): void {
    if (this.question) this.engine.dropPipeline(this.question, this.path);
    this.question = null;
    this.#dead = true;
    const r = this.#resolution;
    this.#resolution = null;
    r?.release();
  }

  /** True while unresolved. */
  override get isPromise(): boolean {
    return this.#resolution === null && !this.#dead;
  }

  /** The hook calls currently reach. */
  override target(): Hook {
    return this.#resolution ? this.#resolution.target() : this;
  }

  /** Resolves once resolved. */
  override whenResolved(): Promise<void> {
    if (this.#resolution) return this.#resolution.whenResolved();
    if (this.#dead) return Promise.resolve();
    return new Promise<void>((r) => this.#waiters.push(r)).then(() => this.whenResolved());
  }

  /** The question returned (or failed): calls now go to `hook`, after an embargo if needed. */
  resolveTo(hook: Hook): void {
    if (this.#resolution || this.#dead) return;
    const q = this.question;
    this.question = null;
    if (q && this.callsSent > 0 && !this.engine.isRemote(hook.target()) && !(hook instanceof BrokenHook)) {
      const p = this.engine.embargo({ kind: "answer", questionId: q.id, path: this.path }, hook);
      p.addRef();
      this.#resolution = p;
    } else {
      hook.addRef();
      this.#resolution = hook;
    }
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
    if (this.refs === 0) this.dispose();
  }

  /** Starts a call (see {@linkcode Hook.call}). */
  call(req: CallRequest): CallResult {
    if (this.#resolution) return this.#resolution.call(req);
    const q = this.question;
    if (!q) return failedCall(new IpcError("Capability used after release"));
    this.callsSent++;
    return this.engine.sendCall({ kind: "answer", questionId: q.id, path: this.path }, req);
  }

  /** Serves a call received elsewhere (see {@linkcode Hook.deliver}). */
  deliver(call: IncomingCall): Promise<void> {
    if (this.#resolution) return this.#resolution.deliver(call);
    if (!this.question) return Promise.reject(new IpcError("Capability used after release"));
    return this.engine.forward(this, call);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Wire helpers.

/** A Disembargo message: `context` 0 = senderLoopback, 1 = receiverLoopback. */
function disembargoMessage(via: Target, context: 0 | 1, embargoId: number): $.Message {
  const msg = newMessage();
  const d = msg.initRoot(rpc.Message)._initDisembargo();
  const t = d._initTarget();
  if (via.kind === "import") {
    t.importedCap = via.id;
  } else {
    const pa = t._initPromisedAnswer();
    pa.questionId = via.questionId;
    if (via.path.length > 0) {
      const ops = pa._initTransform(via.path.length);
      for (let i = 0; i < via.path.length; i++) ops.get(i).getPointerField = via.path[i];
    }
  }
  if (context === 0) d._initContext().senderLoopback = embargoId;
  else d._initContext().receiverLoopback = embargoId;
  return msg;
}

/** The root of a frame through capnp-es (for echoing it back as `unimplemented`). */
function decodeRoot(frame: Frame, limits: IpcLimits): rpc.Message {
  const m = decodeSlow(frameMessage(frame, limits.traversalLimitWords), limits.maxNestingDepth);
  if (m.which !== -1) {
    const msg = frameMessage(frame, limits.traversalLimitWords);
    return msg.getRoot(rpc.Message);
  }
  return m.root;
}

/** Writes an interface pointer to cap-table entry `index` at `p`. */
function setInterfacePointer(p: $.Pointer, index: number): void {
  p.segment.setUint32(p.byteOffset, 3);
  p.segment.setUint32(p.byteOffset + 4, index);
}

function pathOf(key: string): number[] {
  return key === "" ? [] : key.split(".").map(Number);
}

function writeException(ex: rpc.Exception, err: IpcError): void {
  ex.reason = err.message;
  ex.type = IPC_ERROR_TYPES.indexOf(err.type) as rpc.Exception["type"];
}

function exceptionType(ex: WireException): IpcErrorType {
  return IPC_ERROR_TYPES[ex.type] ?? "failed";
}
