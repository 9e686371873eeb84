/**
 * Capabilities: references to objects that may live in this process or in a peer, and the servers that
 * implement them.
 *
 * - A {@linkcode Capability} is one counted reference. `dup()` makes another, `close()` drops it; when the last
 *   reference to a remote object goes, a `Release` is sent, and when the last reference to a local
 *   {@linkcode CapabilityServer} goes (here and in every peer), its `dispose` hook runs.
 * - `cap.call(method, build)` starts a call and returns a {@linkcode PendingCall}: `response` resolves with the
 *   results, and `pipeline(field…)` gives, at once, the capability the results will hold at that pointer
 *   field (promise pipelining: calls on it are sent before the first call returns).
 * - Capabilities inside messages live in the message's cap table (capnp-es's `message._capnp.capTable`):
 *   use {@linkcode getCap} / {@linkcode setCap}. A capability written into a message is owned by that message
 *   (pass `cap.dup()` to keep your own reference); capabilities read from received params belong to the call
 *   and are released when it completes (`dup()` the ones to keep), those in a response until
 *   `response.release()`.
 *
 * Hooks (`Hook` subclasses) are the implementation side: a local server, a broken capability, a local
 * promise, and, in `connection.ts`, imports and pipelined answers of a connection.
 *
 * @module
 */
import * as $ from "capnp-es";
import { IpcError } from "./rpc/error.ts";
import { newMessage } from "./rpc/wire.ts";

/** A method as described by the generated `X$Client.methods` arrays (`ipc/capnp/gen/`). */
export type MethodDef<P extends $.Struct = $.Struct, R extends $.Struct = $.Struct> = $.Method<P, R>;

/** A generated struct class. */
export type StructClass<T extends $.Struct> = $.StructCtor<T>;

/** What a hook needs to start a call. */
export interface CallRequest {
  /** Interface the method belongs to. */
  interfaceId: bigint;
  /** Method ordinal within that interface. */
  methodId: number;
  /** The method, when known (used for logging and reading results). */
  method?: MethodDef;
  /** Writes the params into `content` (an AnyPointer in the outgoing message). */
  fill(content: $.Pointer): void;
}

/** The raw results of a call: the content pointer and its message's capabilities (owned by the holder). */
export interface RawResponse {
  /** The results struct pointer (AnyPointer). */
  content: $.Pointer;
  /** The message holding the results. Its cap table holds `caps`. */
  message: $.Message;
}

/** What a hook returns for a started call. */
export interface CallResult {
  /** Settles with the results (whose caps the receiver owns) or an `IpcError`. Never unhandled. */
  promise: Promise<RawResponse>;
  /** The hook for the capability at `path` (pointer field indexes) in the results; no reference added. */
  pipeline(path: readonly number[]): Hook;
}

/** A call delivered to a hook on the serving side (from a peer's `Call`, or forwarded). */
export interface IncomingCall {
  /** Interface of the method called. */
  interfaceId: bigint;
  /** Method ordinal. */
  methodId: number;
  /** The params (AnyPointer); capabilities resolve through its message's cap table. */
  params: $.Pointer;
  /** The results content pointer in the reply (created on first use). */
  results(): $.Pointer;
  /** Aborted when the caller cancels the call or the connection goes away. */
  signal: AbortSignal;
  /** Request number, for logging. */
  requestNo: number;
}

const noop = () => {};
const RESOLVED: Promise<void> = Promise.resolve();

/** The implementation behind capabilities. Reference-counted: see {@linkcode Hook.addRef}. */
export abstract class Hook {
  #refs = 0;

  /** Current number of references. */
  get refs(): number {
    return this.#refs;
  }

  /** Adds a reference. */
  addRef(): void {
    this.#refs++;
  }

  /** Drops a reference; the last one runs {@linkcode Hook.dispose}. */
  release(): void {
    if (this.#refs <= 0) return;
    if (--this.#refs === 0) this.dispose();
  }

  /** Runs when the last reference goes. */
  protected abstract dispose(): void;

  /** Starts a call (client side). Never throws: errors reject `promise`. */
  abstract call(req: CallRequest): CallResult;

  /** Serves a call received elsewhere; resolves once results are written into `call.results()`. */
  abstract deliver(call: IncomingCall): Promise<void>;

  /** The hook calls currently reach (follows resolved promises). */
  target(): Hook {
    return this;
  }

  /** Resolves once this hook is not an unresolved promise any more. */
  whenResolved(): Promise<void> {
    return Promise.resolve();
  }

  /** True while this is an unresolved promise. */
  get isPromise(): boolean {
    return false;
  }
}

/** Makes a `CallResult` that has failed. */
export function failedCall(err: IpcError): CallResult {
  const promise = Promise.reject(err);
  promise.catch(noop);
  return { promise, pipeline: () => new BrokenHook(err) };
}

/** A capability whose every call fails with one error (a null or broken reference). */
export class BrokenHook extends Hook {
  /** The error calls fail with. */
  readonly error: IpcError;

  /** Makes a broken hook. */
  constructor(error: IpcError) {
    super();
    this.error = error;
  }

  /** Nothing to release. */
  protected dispose(): void {}

  /** Fails with the error. */
  call(_req: CallRequest): CallResult {
    return failedCall(this.error);
  }

  /** Fails with the error. */
  deliver(_call: IncomingCall): Promise<void> {
    return Promise.reject(this.error);
  }
}

const finalizer = new FinalizationRegistry<Hook>((hook) => hook.release());

/**
 * One counted reference to a capability. Close it when done (`close()` is idempotent); a reference that is
 * garbage-collected without being closed is released then.
 */
export class Capability {
  #hook: Hook | null;

  /** Wraps `hook`, adding a reference to it. */
  constructor(hook: Hook) {
    hook.addRef();
    this.#hook = hook;
    finalizer.register(this, hook, this);
  }

  /** The hook; throws once closed. */
  get hook(): Hook {
    if (this.#hook === null) throw new IpcError("Capability used after close()");
    return this.#hook;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#hook === null;
  }

  /** Another reference to the same object. */
  dup(): Capability {
    return new Capability(this.hook);
  }

  /** Drops this reference (idempotent). */
  close(): void {
    const h = this.#hook;
    if (h === null) return;
    this.#hook = null;
    finalizer.unregister(this);
    h.release();
  }

  /** Calls `method`; `build` fills the params. */
  call<P extends $.Struct, R extends $.Struct>(
    method: MethodDef<P, R>,
    build?: (params: P) => void,
  ): PendingCall<R> {
    if (this.#hook === null) {
      return new PendingCall(failedCall(new IpcError("Capability used after close()")), method.ResultsClass);
    }
    const req: CallRequest = {
      interfaceId: method.interfaceId,
      methodId: method.methodId,
      method: method as unknown as MethodDef,
      fill(content) {
        const params = initStructAt(method.ParamsClass, content);
        build?.(params);
      },
    };
    let res: CallResult;
    try {
      res = this.#hook.call(req);
    } catch (e) {
      res = failedCall(toIpcError(e));
    }
    return new PendingCall(res, method.ResultsClass);
  }

  /** Resolves once the capability is not an unresolved promise (e.g. a pipelined result has arrived). */
  whenResolved(): Promise<void> {
    return this.#hook === null ? Promise.resolve() : this.#hook.whenResolved();
  }

  /** The local server this capability reaches now, or null (remote, unresolved, broken). */
  localServer(): CapabilityServer | null {
    const t = this.#hook?.target();
    return t instanceof LocalHook ? t.server : null;
  }
}

/** A call in progress: its response, and pipelined capabilities on its results. */
export class PendingCall<R extends $.Struct> {
  #res: CallResult;
  #requested = false;
  #promise: Promise<Response<R>>;

  /** Wraps a hook's call result; `resultsClass` reads the results. */
  constructor(res: CallResult, resultsClass: StructClass<R>) {
    this.#res = res;
    this.#promise = res.promise.then((raw) => {
      const resp = new Response(raw, resultsClass);
      if (!this.#requested) resp.release();
      return resp;
    });
    this.#promise.catch(noop);
  }

  /**
   * The results. Ask for it before the call returns (normally right away): the capabilities of a response
   * nobody asked for are released as soon as it arrives (its plain data stays readable).
   */
  get response(): Promise<Response<R>> {
    this.#requested = true;
    return this.#promise;
  }

  /** The capability the results will hold at pointer field `path[0]` (of field `path[1]` of …). */
  pipeline(...path: number[]): Capability {
    return new Capability(this.#res.pipeline(path));
  }
}

/** Received results. `release()` drops the capabilities they hold. */
export class Response<R extends $.Struct> {
  #raw: RawResponse;
  #cls: StructClass<R>;
  #results: R | null = null;
  #released = false;

  /** Wraps raw results. */
  constructor(raw: RawResponse, cls: StructClass<R>) {
    this.#raw = raw;
    this.#cls = cls;
  }

  /** The results struct. */
  get results(): R {
    if (this.#results === null) this.#results = readStruct(this.#cls, this.#raw.content);
    return this.#results;
  }

  /** The raw results. */
  get raw(): RawResponse {
    return this.#raw;
  }

  /** Drops the capabilities held by the results (idempotent). */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    releaseCapTable(this.#raw.message);
  }
}

/** Context of a call served by a {@linkcode CapabilityServer}. */
export interface CallContext {
  /** Aborted when the caller cancels or disconnects. */
  signal: AbortSignal;
  /** Request number (for logging). */
  requestNo: number;
}

/** A method implementation: reads `params`, writes `results`; a throw becomes an `Exception` for the caller. */
export type MethodHandler<P extends $.Struct, R extends $.Struct> = (
  params: P,
  results: R,
  ctx: CallContext,
) => void | Promise<void>;

/** One method of a server: its definition and handler. */
export interface MethodImpl {
  /** The method. */
  readonly method: MethodDef;
  /** Its handler. */
  readonly handler: MethodHandler<$.Struct, $.Struct>;
}

/** Pairs a generated method definition with its handler (type-checked). */
export function method<P extends $.Struct, R extends $.Struct>(
  def: MethodDef<P, R>,
  handler: MethodHandler<P, R>,
): MethodImpl {
  return {
    method: def as unknown as MethodDef,
    handler: handler as unknown as MethodHandler<$.Struct, $.Struct>,
  };
}

/** Options of {@linkcode CapabilityServer}. */
export interface CapabilityServerOptions {
  /** Runs when the last reference to the server goes (locally and in every peer). */
  dispose?: () => void;
}

/**
 * A local object served to peers (and callable in-process). Methods of several interfaces can be given:
 * that is how a server of an interface also serves its superclasses (`ProcessInit` answers `Init` calls).
 * A call to an interface or method it lacks fails with an `unimplemented` exception, as in capnp.
 */
export class CapabilityServer {
  /** Name used in logs and errors, e.g. "Echo". */
  readonly name: string;
  #methods = new Map<bigint, MethodImpl[]>();
  #dispose: (() => void) | undefined;
  #hook: LocalHook | null = null;

  /** Makes a server from method implementations. */
  constructor(name: string, methods: readonly MethodImpl[], opts: CapabilityServerOptions = {}) {
    this.name = name;
    for (const m of methods) {
      let list = this.#methods.get(m.method.interfaceId);
      if (!list) this.#methods.set(m.method.interfaceId, list = []);
      list[m.method.methodId] = m;
    }
    this.#dispose = opts.dispose;
  }

  /** The hook serving this object (one per server). */
  get hook(): LocalHook {
    return this.#hook ??= new LocalHook(this);
  }

  /** A new reference to this server. */
  capability(): Capability {
    return new Capability(this.hook);
  }

  /** The method implementation for an interface/method pair, or undefined. */
  lookup(interfaceId: bigint, methodId: number): MethodImpl | undefined {
    return this.#methods.get(interfaceId)?.[methodId];
  }

  /** Serves one call: dispatches on interface and method id, then runs the handler. */
  dispatch(call: IncomingCall): Promise<void> {
    try {
      const r = this.#dispatch(call);
      // A synchronous handler settles the call without an extra promise hop.
      return r instanceof Promise ? r.then(noop) : RESOLVED;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  #dispatch(call: IncomingCall): void | Promise<void> {
    const list = this.#methods.get(call.interfaceId);
    if (list === undefined) {
      throw new IpcError(
        `Requested interface not implemented: ${this.name} has no interface 0x${
          call.interfaceId.toString(16)
        }`,
        { type: "unimplemented" },
      );
    }
    const impl = list[call.methodId];
    if (impl === undefined) {
      throw new IpcError(
        `Method not implemented: ${this.name} has no method ${call.methodId} of interface ` +
          `0x${call.interfaceId.toString(16)}`,
        { type: "unimplemented" },
      );
    }
    const params = readStruct(impl.method.ParamsClass, call.params);
    const results = initStructAt(impl.method.ResultsClass, call.results());
    return impl.handler(params, results, { signal: call.signal, requestNo: call.requestNo });
  }

  /** Called by the hook when the last reference goes. */
  disposed(): void {
    try {
      this.#dispose?.();
    } catch {
      // A dispose hook must not take the connection down.
    }
  }
}

/** The hook of a local {@linkcode CapabilityServer}. */
export class LocalHook extends Hook {
  /** The server. */
  readonly server: CapabilityServer;

  /** Use `server.hook`. */
  constructor(server: CapabilityServer) {
    super();
    this.server = server;
  }

  /** Runs when the last reference goes. */
  protected dispose(): void {
    this.server.disposed();
  }

  /** Starts a call (see {@linkcode Hook.call}). */
  call(req: CallRequest): CallResult {
    return localCall(req, (incoming) => this.server.dispatch(incoming));
  }

  /** Serves a call received elsewhere (see {@linkcode Hook.deliver}). */
  deliver(call: IncomingCall): Promise<void> {
    return this.server.dispatch(call);
  }
}

/** Runs a call in-process: builds params in a fresh message, serves it with `serve`, returns the results. */
function localCall(req: CallRequest, serve: (call: IncomingCall) => Promise<void>): CallResult {
  const paramsMsg = newMessage();
  const params = rootPointer(paramsMsg);
  let resultsMsg: $.Message | null = null;
  let resultsPtr: $.Pointer | null = null;
  const results = () => {
    if (resultsPtr === null) {
      resultsMsg = newMessage();
      resultsPtr = rootPointer(resultsMsg);
    }
    return resultsPtr;
  };
  const pipelines = new Map<string, PromiseHook>();
  let done: Hook | null = null; // set once settled: a broken hook on failure
  let doneContent: $.Pointer | null = null;
  const promise = (async (): Promise<RawResponse> => {
    try {
      req.fill(params);
      const ac = new AbortController();
      await serve({
        interfaceId: req.interfaceId,
        methodId: req.methodId,
        params,
        results,
        signal: ac.signal,
        requestNo: 0,
      });
      const content = results();
      const message = resultsMsg!;
      // The results message's caps may be shared with the params (a handler copying a param cap):
      // hand the receiver its own references.
      const caps = capTableOf(message);
      message._capnp.capTable = caps.map((c) => (c === null || c.closed ? null : c.dup())) as never;
      for (const c of caps) c?.close();
      for (const [key, hook] of pipelines) hook.resolve(hookAtPath(content, pathOf(key)));
      pipelines.clear();
      doneContent = content;
      return { content, message };
    } catch (e) {
      const err = toIpcError(e);
      for (const hook of pipelines.values()) hook.resolve(new BrokenHook(err));
      pipelines.clear();
      done = new BrokenHook(err);
      throw err;
    } finally {
      releaseCapTable(paramsMsg);
    }
  })();
  promise.catch(noop);
  return {
    promise,
    pipeline(path) {
      if (done) return done;
      if (doneContent) return hookAtPath(doneContent, path);
      const key = path.join(".");
      let h = pipelines.get(key);
      if (!h) pipelines.set(key, h = new PromiseHook());
      return h;
    },
  };
}

interface QueuedCall {
  req: CallRequest;
  resolve(res: CallResult): void;
}

interface QueuedDelivery {
  call: IncomingCall;
  resolve(): void;
  reject(e: unknown): void;
}

/**
 * A local promise for a capability: calls made before it resolves are queued (in order) and go to the
 * resolution when it comes.
 */
export class PromiseHook extends Hook {
  #resolution: Hook | null = null;
  #dead = false; // resolved, then released
  #queue: (QueuedCall | QueuedDelivery)[] = [];
  #waiters: (() => void)[] = [];

  /** Runs when the last reference goes. */
  protected dispose(): void {
    const r = this.#resolution;
    if (r) {
      this.#resolution = null;
      this.#dead = true;
      r.release();
    }
  }

  /** True while unresolved. */
  override get isPromise(): boolean {
    return this.#resolution === null && !this.#dead;
  }

  /** The resolution, once resolved (null again after the last reference went). */
  get resolution(): Hook | null {
    return this.#resolution;
  }

  /** The hook calls currently reach. */
  override target(): Hook {
    return this.#resolution ? this.#resolution.target() : this;
  }

  /** Resolves once resolved. */
  override whenResolved(): Promise<void> {
    if (this.#resolution) return this.#resolution.whenResolved();
    if (this.#dead) return Promise.resolve();
    return new Promise<void>((resolve) => this.#waiters.push(resolve)).then(() =>
      this.#resolution?.whenResolved()
    );
  }

  /** Resolves to `hook` (taking a reference); queued calls go to it, in order. Later calls are ignored. */
  resolve(hook: Hook): void {
    if (this.#resolution !== null || this.#dead) return;
    hook.addRef();
    this.#resolution = hook;
    const queue = this.#queue;
    this.#queue = [];
    for (const q of queue) {
      if ("req" in q) q.resolve(hook.call(q.req));
      else hook.deliver(q.call).then(q.resolve, q.reject);
    }
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
    if (this.refs === 0) this.dispose();
  }

  /** Starts a call (see {@linkcode Hook.call}). */
  call(req: CallRequest): CallResult {
    if (this.#resolution) return this.#resolution.call(req);
    if (this.#dead) return failedCall(new IpcError("Capability used after release"));
    // Build the params now, so the caller's `fill` runs synchronously; copy them when the promise resolves.
    const saved = newMessage();
    const savedPtr = rootPointer(saved);
    try {
      req.fill(savedPtr);
    } catch (e) {
      releaseCapTable(saved);
      return failedCall(toIpcError(e));
    }
    const queued: CallRequest = {
      interfaceId: req.interfaceId,
      methodId: req.methodId,
      method: req.method,
      fill: (content) => copyPointer(savedPtr, content),
    };
    let inner: CallResult | null = null;
    const pipelines = new Map<string, PromiseHook>();
    const promise = new Promise<CallResult>((resolve) => this.#queue.push({ req: queued, resolve }))
      .then((res) => {
        inner = res;
        releaseCapTable(saved);
        for (const [key, hook] of pipelines) hook.resolve(res.pipeline(pathOf(key)));
        return res.promise;
      });
    promise.catch(noop);
    return {
      promise,
      pipeline(path) {
        if (inner) return (inner as CallResult).pipeline(path);
        const key = path.join(".");
        let h = pipelines.get(key);
        if (!h) pipelines.set(key, h = new PromiseHook());
        return h;
      },
    };
  }

  /** Serves a call received elsewhere (see {@linkcode Hook.deliver}). */
  deliver(call: IncomingCall): Promise<void> {
    if (this.#resolution) return this.#resolution.deliver(call);
    if (this.#dead) return Promise.reject(new IpcError("Capability used after release"));
    return new Promise<void>((resolve, reject) => this.#queue.push({ call, resolve, reject }));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Message helpers.

/** Converts any thrown value to an `IpcError`. */
export function toIpcError(e: unknown): IpcError {
  return e instanceof IpcError ? e : new IpcError(IpcError.reasonOf(e), { cause: e });
}

export { newMessage } from "./rpc/wire.ts";

/** The root pointer of a fresh message (allocating its first word). */
export function rootPointer(msg: $.Message): $.Pointer {
  return new $.Pointer(msg.getSegment(0), 0);
}

/** The cap table of a message, as capabilities (entries may be null). */
export function capTableOf(msg: $.Message): (Capability | null)[] {
  return (msg._capnp.capTable ?? []) as unknown as (Capability | null)[];
}

/** Sets the cap table of a message. */
export function setCapTable(msg: $.Message, caps: (Capability | null)[]): void {
  msg._capnp.capTable = caps as never;
}

/** Closes every capability in a message's cap table and empties it. */
export function releaseCapTable(msg: $.Message): void {
  const caps = msg._capnp.capTable as unknown as (Capability | null)[] | undefined;
  if (!caps || caps.length === 0) return;
  msg._capnp.capTable = [];
  for (const c of caps) if (c instanceof Capability) c.close();
}

/** Reads `ptr` as a struct of class `cls` (a null pointer reads as the default, empty struct). */
export function readStruct<T extends $.Struct>(cls: StructClass<T>, ptr: $.Pointer): T {
  const s = new cls(ptr.segment, ptr.byteOffset, ptr._capnp.depthLimit);
  if ($.utils.isNull(s)) return s;
  $.utils.validate($.PointerType.STRUCT, s);
  const size = $.utils.getTargetStructSize(s);
  const want = cls._capnp.size;
  if (size.dataByteLength < want.dataByteLength || size.pointerLength < want.pointerLength) {
    $.utils.resize(want, s);
  }
  return s;
}

/** Initialises a new struct of class `cls` at `ptr` and returns it. */
export function initStructAt<T extends $.Struct>(cls: StructClass<T>, ptr: $.Pointer): T {
  const s = new cls(ptr.segment, ptr.byteOffset, ptr._capnp.depthLimit);
  $.utils.initStruct(cls._capnp.size, s);
  return s;
}

// Fast field access. capnp-es reads a field through several layers of pointer objects (and a Proxy for Text);
// these helpers read the struct's near pointer once and address fields directly, falling back to capnp-es for
// anything unusual (far pointers, list elements).

interface SegmentAccess {
  byteLength: number;
  buffer: ArrayBuffer;
  getInt32(o: number): number;
  getUint32(o: number): number;
  setUint32(o: number, v: number): void;
  allocate(n: number): $.Pointer;
}

let locPtrs = 0;
let locPtrCount = 0;

/** Locates the pointer section of `s` in `locPtrs`/`locPtrCount`; false when capnp-es must do it. */
function locate(s: $.Struct): boolean {
  if (s._capnp.compositeIndex !== undefined) return false;
  const seg = s.segment as unknown as SegmentAccess;
  const p = s.byteOffset;
  const lo = seg.getInt32(p);
  const hi = seg.getUint32(p + 4);
  if ((lo & 3) !== 0 || (lo === 0 && hi === 0)) return false;
  const data = p + 8 + (lo >> 2) * 8;
  const dw = hi & 0xffff;
  const pw = hi >>> 16;
  if (data < 0 || data + (dw + pw) * 8 > seg.byteLength) return false;
  locPtrs = data + dw * 8;
  locPtrCount = pw;
  return true;
}

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

/** Reads the Text at pointer field `index` of `s` ("" when null), like the generated getter but faster. */
export function readText(s: $.Struct, index: number): string {
  if (!locate(s)) return $.utils.getText(index, s);
  if (index >= locPtrCount) return "";
  const seg = s.segment as unknown as SegmentAccess;
  const p = locPtrs + index * 8;
  const lo = seg.getInt32(p);
  const hi = seg.getUint32(p + 4);
  if (lo === 0 && hi === 0) return "";
  if ((lo & 3) !== 1) {
    if ((lo & 3) === 2) return $.utils.getText(index, s);
    throw new IpcError("Field is not a Text");
  }
  if ((hi & 7) !== 2) throw new IpcError("Field is not a Text");
  const count = hi >>> 3;
  const start = p + 8 + (lo >> 2) * 8;
  if (start < 0 || start + count > seg.byteLength) throw new IpcError("Text out of bounds");
  if (count <= 1) return "";
  return textDecoder.decode(new Uint8Array(seg.buffer, start, count - 1));
}

/** UTF-8 length of `str` as `TextEncoder` encodes it. */
function utf8Length(str: string): number {
  let n = 0;
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
      const d = str.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    } else n += 3;
  }
  return n;
}

/** Writes `value` as the Text at pointer field `index` of `s`, like the generated setter but faster. */
export function writeText(s: $.Struct, index: number, value: string): void {
  if (!locate(s) || index >= locPtrCount) return $.utils.setText(index, value, s);
  const seg = s.segment as unknown as SegmentAccess;
  const p = locPtrs + index * 8;
  if (seg.getUint32(p) !== 0 || seg.getUint32(p + 4) !== 0) return $.utils.setText(index, value, s);
  const n = utf8Length(value);
  const at = seg.allocate((n + 8) & ~7);
  if (at.segment !== s.segment) {
    // A new segment would need a far pointer: let capnp-es do it (the allocated words stay unused).
    return $.utils.setText(index, value, s);
  }
  const start = at.byteOffset;
  seg.setUint32(p, ((((start - p - 8) / 8) << 2) | 1) >>> 0);
  seg.setUint32(p + 4, (2 | ((n + 1) << 3)) >>> 0);
  if (n > 0) textEncoder.encodeInto(value, new Uint8Array(seg.buffer, start, n));
}

/** Index of the capability an interface pointer refers to, or -1 for a null pointer. Throws on others. */
function capIndexAt(p: $.Pointer): number {
  const seg = p.segment;
  const lo = seg.getUint32(p.byteOffset);
  const hi = seg.getUint32(p.byteOffset + 4);
  if (lo === 0 && hi === 0) return -1;
  if (lo !== 3) throw new IpcError("Pointer is not a capability");
  return hi;
}

/** The capability at pointer field `index` of `struct` (borrowed: `dup()` it to keep it), or null. */
export function getCap(struct: $.Struct, index: number): Capability | null {
  let i: number;
  if (locate(struct)) {
    if (index >= locPtrCount) return null;
    const seg = struct.segment as unknown as SegmentAccess;
    const p = locPtrs + index * 8;
    const lo = seg.getUint32(p);
    const hi = seg.getUint32(p + 4);
    if (lo === 0 && hi === 0) return null;
    if (lo !== 3) throw new IpcError("Pointer is not a capability");
    i = hi;
  } else {
    i = capIndexAt($.utils.getPointer(index, struct));
  }
  if (i < 0) return null;
  const table = capTableOf(struct.segment.message);
  return i < table.length ? table[i] : null;
}

/** Writes `cap` (the message takes over this reference; null writes a null pointer) to pointer field `index`. */
export function setCap(struct: $.Struct, index: number, cap: Capability | null): void {
  if (cap !== null && locate(struct) && index < locPtrCount) {
    const seg = struct.segment as unknown as SegmentAccess;
    const p = locPtrs + index * 8;
    if (seg.getUint32(p) === 0 && seg.getUint32(p + 4) === 0) {
      const id = struct.segment.message.addCap(cap as never);
      seg.setUint32(p, 3);
      seg.setUint32(p + 4, id);
      return;
    }
  }
  const p = $.utils.getPointer(index, struct);
  if (cap === null) {
    $.utils.erase(p);
    return;
  }
  const id = struct.segment.message.addCap(cap as never);
  $.utils.setInterfacePointer(id, p);
}

/** Deep-copies the object at `src` to `dst` (another message); copied capabilities are new references. */
export function copyPointer(src: $.Pointer, dst: $.Pointer): void {
  const msg = dst.segment.message;
  const before = msg._capnp.capTable?.length ?? 0;
  $.utils.copyFrom(src, dst);
  const table = msg._capnp.capTable as unknown as (Capability | null)[] | undefined;
  if (!table) return;
  for (let i = before; i < table.length; i++) {
    const c = table[i];
    table[i] = c instanceof Capability && !c.closed ? c.dup() : null;
  }
}

/** Parses a pipeline key made by `path.join(".")`. */
function pathOf(key: string): number[] {
  return key === "" ? [] : key.split(".").map(Number);
}

/**
 * The hook of the capability at `path` in results `content` (a pointer-field path), without adding a
 * reference. A null pointer, a non-capability or a bad path gives a broken hook.
 */
export function hookAtPath(content: $.Pointer, path: readonly number[]): Hook {
  try {
    let p: $.Pointer = content;
    for (const field of path) {
      if ($.utils.isNull(p)) return new BrokenHook(new IpcError("Pipelined capability is null"));
      const s = new $.Struct(p.segment, p.byteOffset, p._capnp.depthLimit);
      $.utils.validate($.PointerType.STRUCT, s);
      if (field >= $.utils.getTargetStructSize(s).pointerLength) {
        return new BrokenHook(new IpcError("Pipelined capability is null"));
      }
      p = $.utils.getPointer(field, s);
    }
    const i = capIndexAt(p);
    if (i < 0) return new BrokenHook(new IpcError("Pipelined capability is null"));
    const table = capTableOf(p.segment.message);
    const cap = i < table.length ? table[i] : null;
    if (cap === null || cap.closed) return new BrokenHook(new IpcError("Pipelined capability is null"));
    return cap.hook;
  } catch (e) {
    return new BrokenHook(new IpcError(`Invalid pipeline path: ${IpcError.reasonOf(e)}`));
  }
}
