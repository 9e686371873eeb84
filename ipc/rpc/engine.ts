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
import * as $ from "capnp-es";
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
  newMessage,
  PromiseHook,
  type RawResponse,
  releaseCapTable,
  setCapTable,
  toIpcError,
} from "../capability.ts";
import { type IpcDebugLog, lookupMethod, type MethodInfo } from "../debug_log.ts";
import type { MessageTransport } from "../transport.ts";
import { IPC_ERROR_TYPES, IpcError, type IpcErrorType } from "./error.ts";
import type { IpcLimits } from "./limits.ts";

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

type Target = { kind: "import"; id: number } | {
  kind: "answer";
  questionId: number;
  path: readonly number[];
};

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

interface OutReturn {
  msg: $.Message;
  ret: rpc.Return;
  payload: rpc.Payload;
  content: $.Pointer;
}

interface Answer {
  id: number;
  requestNo: number;
  info: MethodInfo | null;
  redact: boolean;
  ac: AbortController;
  out: OutReturn | null;
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
    const msg = newMessage();
    const root = msg.initRoot(rpc.Message);
    root._initBootstrap().questionId = q.id;
    if (this.#log.enabled) this.#log.line(q.requestNo, "client send Bootstrap");
    this.#transport.send(msg);
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
    const msg = newMessage();
    let content: $.Pointer;
    let payload: rpc.Payload;
    let callStruct: rpc.Call;
    try {
      const root = msg.initRoot(rpc.Message);
      callStruct = root._initCall();
      callStruct.interfaceId = req.interfaceId;
      callStruct.methodId = req.methodId;
      const t = callStruct._initTarget();
      if (target.kind === "import") t.importedCap = target.id;
      else writePromisedAnswer(t._initPromisedAnswer(), target.questionId, target.path);
      payload = callStruct._initParams();
      content = payload.content;
      req.fill(content);
    } catch (e) {
      releaseCapTable(msg);
      return failedCall(toIpcError(e));
    }
    const info = this.#log.enabled ? lookupMethod(req.interfaceId, req.methodId, req.method) : null;
    const q = this.#newQuestion(info, false);
    callStruct.questionId = q.id;
    try {
      q.paramExports = this.#writeCapTable(payload, msg);
    } catch (e) {
      this.#questions.delete(q.id);
      releaseCapTable(msg);
      return failedCall(toIpcError(e));
    }
    releaseCapTable(msg);
    if (info) q.redact = this.#log.params(q.requestNo, "client send", info, content);
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
    const msg = newMessage();
    const d = msg.initRoot(rpc.Message)._initDisembargo();
    const t = d._initTarget();
    if (via.kind === "import") t.importedCap = via.id;
    else writePromisedAnswer(t._initPromisedAnswer(), via.questionId, via.path);
    d._initContext().senderLoopback = id;
    this.#transport.send(msg);
    return promise;
  }

  /** Our last reference to an import went: tell the peer. */
  releaseImport(hook: ImportHook): void {
    const e = this.#imports.get(hook.id);
    if (!e || e.hook !== hook) return;
    this.#imports.delete(hook.id);
    if (this.#closeReason) return;
    const msg = newMessage();
    const r = msg.initRoot(rpc.Message)._initRelease();
    r.id = hook.id;
    r.referenceCount = e.remoteRefs;
    this.#transport.send(msg);
  }

  // -------------------------------------------------------------------------------------------------------
  // Cap tables.

  /** Writes the descriptors of `msg`'s cap table into `payload`; returns the export ids it referenced. */
  #writeCapTable(payload: rpc.Payload, msg: $.Message): number[] {
    const caps = capTableOf(msg);
    if (caps.length === 0) return [];
    const exported: number[] = [];
    const list = payload._initCapTable(caps.length);
    for (let i = 0; i < caps.length; i++) {
      const desc = list.get(i);
      const cap = caps[i];
      if (!(cap instanceof Capability) || cap.closed) {
        desc.none = true;
        continue;
      }
      this.#writeDescriptor(cap.hook, desc, exported);
    }
    return exported;
  }

  #writeDescriptor(hook: Hook, desc: rpc.CapDescriptor, exported: number[]): void {
    const t = hook.target();
    if (t instanceof ImportHook && t.engine === this) {
      desc.receiverHosted = t.id;
      t.callsSent++;
      return;
    }
    if (t instanceof PipelineHook && t.engine === this && t.question) {
      writePromisedAnswer(desc._initReceiverAnswer(), t.question.id, t.path);
      t.callsSent++;
      return;
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
    desc.senderHosted = id;
    exported.push(id);
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
  #readCapTable(payload: rpc.Payload, msg: $.Message): void {
    if (!payload._hasCapTable()) return;
    const list = payload.capTable;
    const n = list.length;
    if (n > this.#opts.limits.maxCapabilities) {
      throw new ProtocolError(`Cap table of ${n} entries exceeds the limit`);
    }
    const caps: (Capability | null)[] = new Array(n);
    setCapTable(msg, caps);
    for (let i = 0; i < n; i++) caps[i] = this.#readDescriptor(list.get(i));
  }

  #readDescriptor(d: rpc.CapDescriptor): Capability | null {
    switch (d.which()) {
      case rpc.CapDescriptor.NONE:
        return null;
      case rpc.CapDescriptor.SENDER_HOSTED:
        return this.#import(d.senderHosted, false);
      case rpc.CapDescriptor.SENDER_PROMISE:
        return this.#import(d.senderPromise, true);
      case rpc.CapDescriptor.RECEIVER_HOSTED: {
        const e = this.#exports.get(d.receiverHosted);
        if (!e) return new Capability(new BrokenHook(new IpcError("Invalid 'receiverHosted' export ID")));
        return new Capability(e.hook);
      }
      case rpc.CapDescriptor.RECEIVER_ANSWER: {
        const pa = d.receiverAnswer;
        const a = this.#answers.get(pa.questionId);
        if (!a) return new Capability(new BrokenHook(new IpcError("Invalid 'receiverAnswer' question ID")));
        return new Capability(this.#answerPipeline(a, readTransform(pa)));
      }
      case rpc.CapDescriptor.THIRD_PARTY_HOSTED:
        // Level 3 is not supported: use the vine, as capnp does.
        return this.#import(d.thirdPartyHosted.vineId, false);
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

  /** Handles one received message; protocol violations abort the connection. */
  handleMessage(msg: $.Message): void {
    if (this.#closeReason) return;
    let root: rpc.Message;
    try {
      root = readRoot(msg, this.#opts.limits.maxNestingDepth);
      switch (root.which()) {
        case rpc.Message.CALL:
          this.#handleCall(msg, root.call);
          break;
        case rpc.Message.RETURN:
          this.#handleReturn(msg, root.return);
          break;
        case rpc.Message.FINISH:
          this.#handleFinish(root.finish);
          break;
        case rpc.Message.RELEASE: {
          const r = root.release;
          this.#releaseExport(r.id, r.referenceCount);
          break;
        }
        case rpc.Message.BOOTSTRAP:
          this.#handleBootstrap(root.bootstrap);
          break;
        case rpc.Message.RESOLVE:
          this.#handleResolve(root.resolve);
          break;
        case rpc.Message.DISEMBARGO:
          this.#handleDisembargo(root);
          break;
        case rpc.Message.ABORT: {
          const ex = root.abort;
          const reason = new IpcError(`Peer aborted the connection: ${ex.reason}`, {
            type: exceptionType(ex),
            remote: true,
          });
          this.teardown(reason);
          this.#transport.close().catch(noop);
          break;
        }
        case rpc.Message.UNIMPLEMENTED:
          this.#handleUnimplemented(root.unimplemented);
          break;
        default:
          this.#sendUnimplemented(root);
      }
    } catch (e) {
      const reason = e instanceof ProtocolError ? e.message : `Invalid message: ${IpcError.reasonOf(e)}`;
      this.abort(new IpcError(reason));
    }
  }

  #handleBootstrap(b: rpc.Bootstrap): void {
    const a = this.#newAnswer(b.questionId, null);
    if (this.#log.enabled) this.#log.line(a.requestNo, "server recv Bootstrap");
    if (!this.#bootstrap) {
      this.#sendException(a, new IpcError("This vat does not expose any public/bootstrap interfaces."));
      return;
    }
    const out = this.#outReturn(a);
    const id = out.msg.addCap(this.#bootstrap.dup() as never);
    $.utils.setInterfacePointer(id, out.content);
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

  #outReturn(a: Answer): OutReturn {
    if (a.out) return a.out;
    const msg = newMessage();
    const ret = msg.initRoot(rpc.Message)._initReturn();
    ret.answerId = a.id;
    ret.releaseParamCaps = false;
    const payload = ret._initResults();
    a.out = { msg, ret, payload, content: payload.content };
    return a.out;
  }

  #handleCall(msg: $.Message, call: rpc.Call): void {
    const interfaceId = call.interfaceId;
    const methodId = call.methodId;
    const info = this.#log.enabled ? lookupMethod(interfaceId, methodId) : null;
    const a = this.#newAnswer(call.questionId, info);
    const params = call.params;
    this.#readCapTable(params, msg);
    const content = params.content;
    if (info) a.redact = this.#log.params(a.requestNo, "server recv", info, content);
    let target: Hook;
    try {
      if (call.sendResultsTo.which() !== rpc.Call_SendResultsTo.CALLER) {
        throw new IpcError("Call.sendResultsTo other than 'caller' is not supported", {
          type: "unimplemented",
        });
      }
      target = this.#callTarget(call.target);
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

  #callTarget(t: rpc.MessageTarget): Hook {
    switch (t.which()) {
      case rpc.MessageTarget.IMPORTED_CAP: {
        const e = this.#exports.get(t.importedCap);
        if (!e) throw new IpcError(`Call target ${t.importedCap} is not a current export ID`);
        return e.hook;
      }
      case rpc.MessageTarget.PROMISED_ANSWER: {
        const pa = t.promisedAnswer;
        const a = this.#answers.get(pa.questionId);
        if (!a) throw new IpcError(`Pipelined call on question ${pa.questionId}, which does not exist`);
        return this.#answerPipeline(a, readTransform(pa));
      }
      default:
        throw new IpcError("Unknown message target type", { type: "unimplemented" });
    }
  }

  #sendResults(a: Answer): void {
    const out = this.#outReturn(a);
    if (this.#closeReason) {
      releaseCapTable(out.msg);
      return;
    }
    try {
      a.exports = this.#writeCapTable(out.payload, out.msg);
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

  #handleFinish(f: rpc.Finish): void {
    const a = this.#answers.get(f.questionId);
    if (!a) throw new ProtocolError(`'Finish' for invalid question ID ${f.questionId}`);
    if (a.finished) throw new ProtocolError(`Duplicate 'Finish' for question ID ${f.questionId}`);
    a.finished = true;
    a.releaseResultCaps = f.releaseResultCaps;
    if (a.returned) this.#retireAnswer(a);
    else a.ac.abort(new IpcError("Call canceled by the caller", { type: "disconnected" }));
  }

  #handleReturn(msg: $.Message, ret: rpc.Return): void {
    const q = this.#questions.get(ret.answerId);
    if (!q) throw new ProtocolError(`Invalid question ID in Return message: ${ret.answerId}`);
    this.#questions.delete(q.id);
    if (ret.releaseParamCaps) {
      for (const id of q.paramExports) {
        if (this.#exports.get(id)) this.#releaseExport(id, 1);
      }
    }
    q.paramExports = [];
    switch (ret.which()) {
      case rpc.Return.RESULTS: {
        const payload = ret.results;
        try {
          this.#readCapTable(payload, msg);
        } catch (e) {
          this.#failQuestion(q, toIpcError(e));
          throw e;
        }
        const content = payload.content;
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
      case rpc.Return.EXCEPTION: {
        const ex = ret.exception;
        const err = new IpcError(ex.reason, { type: exceptionType(ex), remote: true });
        if (q.info) this.#log.exception(q.requestNo, "client recv", q.info, err.message);
        this.#failQuestion(q, err);
        this.#sendFinish(q.id);
        return;
      }
      case rpc.Return.CANCELED:
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
    const msg = newMessage();
    const f = msg.initRoot(rpc.Message)._initFinish();
    f.questionId = id;
    f.releaseResultCaps = false;
    this.#transport.send(msg);
  }

  #handleResolve(r: rpc.Resolve): void {
    const e = this.#imports.get(r.promiseId);
    let cap: Capability | null = null;
    let hook: Hook;
    if (r.which() === rpc.Resolve.CAP) {
      cap = this.#readDescriptor(r.cap);
      hook = cap ? cap.hook : new BrokenHook(new IpcError("Promise resolved to a null capability"));
    } else {
      const ex = r.exception;
      hook = new BrokenHook(new IpcError(ex.reason, { type: exceptionType(ex), remote: true }));
    }
    if (e && e.hook.isPromiseImport) e.hook.resolveTo(hook);
    cap?.close();
  }

  #handleDisembargo(root: rpc.Message): void {
    const d = root.disembargo;
    const ctx = d.context;
    switch (ctx.which()) {
      case rpc.Disembargo_Context.SENDER_LOOPBACK: {
        const embargoId = ctx.senderLoopback;
        let hook: Hook;
        try {
          hook = this.#callTarget(d.target);
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
        const msg = newMessage();
        const out = msg.initRoot(rpc.Message)._initDisembargo();
        out._initTarget().importedCap = t.id;
        out._initContext().receiverLoopback = embargoId;
        this.#transport.send(msg);
        return;
      }
      case rpc.Disembargo_Context.RECEIVER_LOOPBACK: {
        const id = ctx.receiverLoopback;
        const e = this.#embargoes.get(id);
        if (!e) throw new ProtocolError(`Invalid embargo ID ${id}`);
        this.#embargoes.delete(id);
        e.promise.resolve(e.target);
        e.target.release();
        return;
      }
      default:
        this.#sendUnimplemented(root);
    }
  }

  #handleUnimplemented(m: rpc.Message): void {
    // The peer did not understand something we sent. We only send calls, bootstraps and basic messages.
    switch (m.which()) {
      case rpc.Message.CALL:
      case rpc.Message.BOOTSTRAP: {
        const id = m.which() === rpc.Message.CALL ? m.call.questionId : m.bootstrap.questionId;
        const q = this.#questions.get(id);
        if (!q) return;
        this.#questions.delete(id);
        this.#failQuestion(q, new IpcError("Peer does not implement the request", { type: "unimplemented" }));
        return;
      }
      default:
        throw new ProtocolError(`Peer did not implement a message we sent (type ${m.which()})`);
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

  protected dispose(): void {
    this.engine.releaseImport(this);
    const r = this.#resolution;
    this.#resolution = null;
    r?.release();
  }

  override get isPromise(): boolean {
    return this.isPromiseImport && this.#resolution === null && this.#broken === null;
  }

  override target(): Hook {
    return this.#resolution ? this.#resolution.target() : this;
  }

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

  call(req: CallRequest): CallResult {
    if (this.#resolution) return this.#resolution.call(req);
    if (this.#broken) return failedCall(this.#broken);
    this.callsSent++;
    return this.engine.sendCall({ kind: "import", id: this.id }, req);
  }

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

  protected dispose(): void {
    if (this.question) this.engine.dropPipeline(this.question, this.path);
    this.question = null;
    this.#dead = true;
    const r = this.#resolution;
    this.#resolution = null;
    r?.release();
  }

  override get isPromise(): boolean {
    return this.#resolution === null && !this.#dead;
  }

  override target(): Hook {
    return this.#resolution ? this.#resolution.target() : this;
  }

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

  call(req: CallRequest): CallResult {
    if (this.#resolution) return this.#resolution.call(req);
    const q = this.question;
    if (!q) return failedCall(new IpcError("Capability used after release"));
    this.callsSent++;
    return this.engine.sendCall({ kind: "answer", questionId: q.id, path: this.path }, req);
  }

  deliver(call: IncomingCall): Promise<void> {
    if (this.#resolution) return this.#resolution.deliver(call);
    if (!this.question) return Promise.reject(new IpcError("Capability used after release"));
    return this.engine.forward(this, call);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Wire helpers.

/** Reads the root `rpc.Message` with the nesting limit applied. */
function readRoot(msg: $.Message, depth: number): rpc.Message {
  const root = new rpc.Message(msg.getSegment(0), 0, depth);
  $.utils.validate($.PointerType.STRUCT, root);
  const size = $.utils.getTargetStructSize(root);
  const want = rpc.Message._capnp.size;
  if (size.dataByteLength < want.dataByteLength || size.pointerLength < want.pointerLength) {
    $.utils.resize(want, root);
  }
  return root;
}

function writePromisedAnswer(pa: rpc.PromisedAnswer, questionId: number, path: readonly number[]): void {
  pa.questionId = questionId;
  if (path.length === 0) return;
  const ops = pa._initTransform(path.length);
  for (let i = 0; i < path.length; i++) ops.get(i).getPointerField = path[i];
}

function readTransform(pa: rpc.PromisedAnswer): number[] {
  if (!pa._hasTransform()) return [];
  const ops = pa.transform;
  const path: number[] = [];
  const n = ops.length;
  for (let i = 0; i < n; i++) {
    const op = ops.get(i);
    switch (op.which()) {
      case rpc.PromisedAnswer_Op.NOOP:
        break;
      case rpc.PromisedAnswer_Op.GET_POINTER_FIELD:
        path.push(op.getPointerField);
        break;
      default:
        throw new IpcError("Unknown transform operation", { type: "unimplemented" });
    }
  }
  return path;
}

function pathOf(key: string): number[] {
  return key === "" ? [] : key.split(".").map(Number);
}

function writeException(ex: rpc.Exception, err: IpcError): void {
  ex.reason = err.message;
  ex.type = IPC_ERROR_TYPES.indexOf(err.type) as rpc.Exception["type"];
}

function exceptionType(ex: rpc.Exception): IpcErrorType {
  return IPC_ERROR_TYPES[ex.type] ?? "failed";
}
