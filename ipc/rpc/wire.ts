/**
 * Encoding and decoding of `rpc.capnp` messages for the engine.
 *
 * Decoding turns a received frame into a plain {@linkcode Incoming} object. The messages of the call path
 * (`Call`, `Return` with results, `Finish`, `Release`, `Bootstrap`) are read straight from the segment with
 * bounds-checked reads when the message is a single segment without far pointers (what every capnp
 * implementation sends for small messages); anything else goes through capnp-es's generated readers, which
 * give the same result. Params and results stay capnp-es structs (`content`), read by the method code.
 *
 * Encoding writes the envelope of `Call` and `Return` messages by hand into a capnp-es message, leaving the
 * `content` pointer for capnp-es code to fill; `Finish` and `Release` are 32 raw bytes. Other messages are
 * built with capnp-es.
 *
 * The fast paths are checked against capnp-es in `tests/ipc/wire_test.ts`.
 *
 * @module
 */
import * as $ from "capnp-es";
import * as rpc from "capnp-es/capnp/rpc";
import { type Frame, SmallMessage } from "../frame.ts";
import { IpcError } from "./error.ts";

/** `rpc.Message` union tags. */
export const MSG = {
  UNIMPLEMENTED: 0,
  ABORT: 1,
  CALL: 2,
  RETURN: 3,
  FINISH: 4,
  RESOLVE: 5,
  RELEASE: 6,
  BOOTSTRAP: 8,
  DISEMBARGO: 13,
} as const;

/** `CapDescriptor` union tags. */
export const CAP = {
  NONE: 0,
  SENDER_HOSTED: 1,
  SENDER_PROMISE: 2,
  RECEIVER_HOSTED: 3,
  RECEIVER_ANSWER: 4,
  THIRD_PARTY_HOSTED: 5,
} as const;

/** `Return` union tags. */
export const RET = {
  RESULTS: 0,
  EXCEPTION: 1,
  CANCELED: 2,
  RESULTS_SENT_ELSEWHERE: 3,
  TAKE_FROM_OTHER_QUESTION: 4,
  ACCEPT_FROM_THIRD_PARTY: 5,
} as const;

/** A capability descriptor: `id` is the export/import id, or the question id of a `receiverAnswer`. */
export interface CapDesc {
  /** A {@linkcode CAP} tag (`thirdPartyHosted` is given as its vine id with this tag). */
  type: number;
  /** Export / import / question id (0 for `none`). */
  id: number;
  /** Transform of a `receiverAnswer` (pointer fields), else empty. */
  path: number[];
}

/** A message target. */
export type Target =
  | { kind: "import"; id: number }
  | { kind: "answer"; questionId: number; path: readonly number[] };

/** An `Exception`, decoded. */
export interface WireException {
  /** Human-readable reason. */
  reason: string;
  /** `Exception.Type` number. */
  type: number;
}

/** A decoded message. */
export type Incoming =
  | {
    which: typeof MSG.CALL;
    questionId: number;
    interfaceId: bigint;
    methodId: number;
    /** `sendResultsTo` tag (0 = caller). */
    sendResultsTo: number;
    target: Target;
    content: $.Pointer;
    caps: CapDesc[];
    message: $.Message;
  }
  | {
    which: typeof MSG.RETURN;
    answerId: number;
    releaseParamCaps: boolean;
    /** A {@linkcode RET} tag. */
    kind: number;
    content: $.Pointer | null;
    caps: CapDesc[];
    exception: WireException | null;
    message: $.Message | null;
  }
  | { which: typeof MSG.FINISH; questionId: number; releaseResultCaps: boolean }
  | { which: typeof MSG.RELEASE; id: number; referenceCount: number }
  | { which: typeof MSG.BOOTSTRAP; questionId: number }
  | { which: typeof MSG.RESOLVE; promiseId: number; cap: CapDesc | null; exception: WireException | null }
  | {
    which: typeof MSG.DISEMBARGO;
    target: Target;
    /** `Disembargo.context` tag: 0 senderLoopback, 1 receiverLoopback, 2 accept, 3 provide. */
    context: number;
    embargoId: number;
  }
  | { which: typeof MSG.ABORT; exception: WireException }
  | { which: typeof MSG.UNIMPLEMENTED; innerWhich: number; questionId: number }
  | { which: -1; tag: number; root: rpc.Message };

// ---------------------------------------------------------------------------------------------------------
// capnp-es internals used for cheap message construction (capnp-es 0.0.16 is pinned; wire_test.ts checks).

interface SegmentLike {
  buffer: ArrayBuffer;
  byteLength: number;
}

type SegmentCtor = new (
  id: number,
  message: $.Message,
  buffer: ArrayBuffer,
  byteLength: number,
) => SegmentLike;
type ArenaCtor = new (buffer: ArrayBuffer) => unknown;

const SAMPLE = new $.Message(new ArrayBuffer(8), false, true);
const Segment = SAMPLE._capnp.segments[0].constructor as unknown as SegmentCtor;
const SingleSegmentArena = SAMPLE._capnp.arena.constructor as unknown as ArenaCtor;

/**
 * A capnp-es message over one segment `buffer`, `used` bytes of it in use (for reading: all of it; for
 * building: the root pointer word). Avoids capnp-es's 4 KiB default and its per-message array allocations.
 */
export function singleSegmentMessage(
  buffer: ArrayBuffer,
  used: number,
  traversalLimitBytes: number,
): $.Message {
  const msg = Object.create($.Message.prototype) as $.Message;
  const segments: unknown[] = [];
  (msg as unknown as { _capnp: unknown })._capnp = {
    arena: new SingleSegmentArena(buffer),
    segments,
    traversalLimit: traversalLimitBytes,
  };
  segments.push(new Segment(0, msg, buffer, used));
  return msg;
}

const BUILD_TRAVERSAL_LIMIT = 64 << 20;

/** A new message to build, with a first segment of `bytes` (it grows as needed). */
export function newMessage(bytes = 256): $.Message {
  return singleSegmentMessage(new ArrayBuffer(bytes), 8, BUILD_TRAVERSAL_LIMIT);
}

/** A received frame as a capnp-es message. */
export function frameMessage(frame: Frame, traversalLimitWords: number): $.Message {
  if (frame.segmentCount === 1) {
    const buffer = frame.buffer();
    return singleSegmentMessage(buffer, buffer.byteLength, traversalLimitWords * 8);
  }
  const msg = new $.Message(frame.buffer(), false, false);
  msg._capnp.traversalLimit = traversalLimitWords * 8;
  return msg;
}

// ---------------------------------------------------------------------------------------------------------
// Fast reader over one segment.

/** Thrown by the fast reader for encodings it leaves to capnp-es (far pointers). */
class Fallback extends Error {}

const FALLBACK = new Fallback("fallback");

/** Bounds-checked struct pointer reader over one segment; results in the `s*` fields (no allocation). */
class SegReader {
  dv!: DataView;
  len = 0;
  /** Struct data section start (bytes), size (bytes), pointer section start, pointer count. */
  sData = 0;
  sDataBytes = 0;
  sPtrs = 0;
  sPtrCount = 0;

  reset(view: Uint8Array): void {
    this.dv = new DataView(view.buffer, view.byteOffset, view.byteLength);
    this.len = view.byteLength;
  }

  /** Reads the struct pointer at byte `p`; false for a null pointer. Throws on anything invalid. */
  struct(p: number): boolean {
    const dv = this.dv;
    if (p + 8 > this.len) throw new IpcError("Pointer out of bounds");
    const lo = dv.getInt32(p, true);
    const hi = dv.getUint32(p + 4, true);
    if (lo === 0 && hi === 0) return false;
    const kind = lo & 3;
    if (kind === 2) throw FALLBACK;
    if (kind !== 0) throw new IpcError("Expected a struct pointer");
    const data = p + 8 + (lo >> 2) * 8;
    const dw = hi & 0xffff;
    const pw = hi >>> 16;
    const end = data + (dw + pw) * 8;
    if (data < 0 || end > this.len) throw new IpcError("Struct out of bounds");
    this.sData = data;
    this.sDataBytes = dw * 8;
    this.sPtrs = data + dw * 8;
    this.sPtrCount = pw;
    return true;
  }

  u16(byte: number): number {
    return byte + 2 <= this.sDataBytes ? this.dv.getUint16(this.sData + byte, true) : 0;
  }

  u32(byte: number): number {
    return byte + 4 <= this.sDataBytes ? this.dv.getUint32(this.sData + byte, true) : 0;
  }

  u64(byte: number): bigint {
    return byte + 8 <= this.sDataBytes ? this.dv.getBigUint64(this.sData + byte, true) : 0n;
  }

  bit(bit: number): boolean {
    const byte = bit >> 3;
    return byte < this.sDataBytes ? (this.dv.getUint8(this.sData + byte) & (1 << (bit & 7))) !== 0 : false;
  }

  /** Byte offset of pointer `i` of the current struct, or -1 when the struct has fewer pointers. */
  ptr(i: number): number {
    return i < this.sPtrCount ? this.sPtrs + i * 8 : -1;
  }

  /**
   * Reads a composite (struct) list pointer at `p`: returns the element count (0 for null) and sets
   * `lData`/`lStride`/`lDataBytes`/`lPtrCount`.
   */
  lData = 0;
  lStride = 0;
  lDataBytes = 0;
  lPtrCount = 0;

  compositeList(p: number): number {
    const dv = this.dv;
    if (p + 8 > this.len) throw new IpcError("Pointer out of bounds");
    const lo = dv.getInt32(p, true);
    const hi = dv.getUint32(p + 4, true);
    if (lo === 0 && hi === 0) return 0;
    const kind = lo & 3;
    if (kind === 2) throw FALLBACK;
    if (kind !== 1 || (hi & 7) !== 7) throw new IpcError("Expected a list of structs");
    const tag = p + 8 + (lo >> 2) * 8;
    const words = hi >>> 3;
    if (tag < 0 || tag + 8 + words * 8 > this.len) throw new IpcError("List out of bounds");
    const tlo = dv.getUint32(tag, true);
    const thi = dv.getUint32(tag + 4, true);
    if ((tlo & 3) !== 0) throw new IpcError("Bad list tag");
    const count = tlo >>> 2;
    const dw = thi & 0xffff;
    const pw = thi >>> 16;
    if (count * (dw + pw) > words) throw new IpcError("List elements out of bounds");
    this.lData = tag + 8;
    this.lStride = (dw + pw) * 8;
    this.lDataBytes = dw * 8;
    this.lPtrCount = pw;
    return count;
  }

  /** Makes element `i` of the last composite list the current struct. */
  element(i: number): void {
    this.sData = this.lData + i * this.lStride;
    this.sDataBytes = this.lDataBytes;
    this.sPtrs = this.sData + this.lDataBytes;
    this.sPtrCount = this.lPtrCount;
  }
}

const R = new SegReader();

/** Longest cap table or transform accepted (capnp never sends more; guards against zero-sized elements). */
export const MAX_WIRE_LIST = 65536;

/** Limits applied while decoding. */
export interface DecodeLimits {
  /** Reading budget per message, in words. */
  traversalLimitWords: number;
  /** Pointer nesting limit. */
  maxNestingDepth: number;
}

/** Decodes a received frame. Throws (an `IpcError` or a capnp-es error) on a malformed message. */
export function decode(frame: Frame, limits: DecodeLimits): Incoming {
  if (frame.segmentCount === 1) {
    try {
      const fast = decodeFast(frame, limits);
      if (fast) return fast;
    } catch (e) {
      if (!(e instanceof Fallback)) throw e;
    }
  }
  return decodeSlow(frameMessage(frame, limits.traversalLimitWords), limits.maxNestingDepth);
}

/** The fast path; null when the message kind is left to the slow path. */
function decodeFast(frame: Frame, limits: DecodeLimits): Incoming | null {
  R.reset(frame.view);
  if (!R.struct(0)) throw new IpcError("Message root is null");
  const which = R.u16(0);
  const body = R.ptr(0);
  if (body < 0) throw new IpcError("Message has no body");
  switch (which) {
    case MSG.FINISH:
      if (!R.struct(body)) return { which, questionId: 0, releaseResultCaps: true };
      return { which, questionId: R.u32(0), releaseResultCaps: !R.bit(32) };
    case MSG.RELEASE:
      if (!R.struct(body)) return { which, id: 0, referenceCount: 0 };
      return { which, id: R.u32(0), referenceCount: R.u32(4) };
    case MSG.BOOTSTRAP:
      if (!R.struct(body)) return { which, questionId: 0 };
      return { which, questionId: R.u32(0) };
    case MSG.CALL: {
      if (!R.struct(body)) throw new IpcError("Call is null");
      const questionId = R.u32(0);
      const methodId = R.u16(4);
      const sendResultsTo = R.u16(6);
      const interfaceId = R.u64(8);
      const targetPtr = R.ptr(0);
      const paramsPtr = R.ptr(1);
      const target = readTarget(targetPtr);
      // A null params payload reads as an empty one, as with generated readers.
      const hasParams = paramsPtr >= 0 && R.struct(paramsPtr);
      const contentOff = hasParams ? R.ptr(0) : -1;
      const caps = hasParams ? readCapTable(R.ptr(1)) : [];
      const message = frameMessage(frame, limits.traversalLimitWords);
      const content = contentPointer(message, contentOff, limits.maxNestingDepth);
      return { which, questionId, interfaceId, methodId, sendResultsTo, target, content, caps, message };
    }
    case MSG.RETURN: {
      if (!R.struct(body)) throw new IpcError("Return is null");
      const answerId = R.u32(0);
      const releaseParamCaps = !R.bit(32);
      const kind = R.u16(6);
      if (kind !== RET.RESULTS) return null;
      const payloadPtr = R.ptr(0);
      const hasPayload = payloadPtr >= 0 && R.struct(payloadPtr);
      const contentOff = hasPayload ? R.ptr(0) : -1;
      const caps = hasPayload ? readCapTable(R.ptr(1)) : [];
      const message = frameMessage(frame, limits.traversalLimitWords);
      const content = contentPointer(message, contentOff, limits.maxNestingDepth);
      return { which, answerId, releaseParamCaps, kind, content, caps, exception: null, message };
    }
    default:
      return null;
  }
}

/** A capnp-es pointer for the content word at `off` (a zero word when the payload has no content pointer). */
function contentPointer(message: $.Message, off: number, depth: number): $.Pointer {
  if (off < 0) {
    // No content pointer at all (a zero-sized payload struct): read as a null pointer.
    const empty = newMessage(16);
    return new $.Pointer(empty.getSegment(0), 0, depth);
  }
  return new $.Pointer(message.getSegment(0), off, depth);
}

function readTarget(p: number): Target {
  if (p < 0 || !R.struct(p)) return { kind: "import", id: 0 }; // the default MessageTarget
  const tag = R.u16(4);
  if (tag === 0) return { kind: "import", id: R.u32(0) };
  if (tag !== 1) throw new IpcError("Unknown message target type");
  const pa = R.ptr(0);
  if (pa < 0 || !R.struct(pa)) return { kind: "answer", questionId: 0, path: [] };
  return { kind: "answer", questionId: R.u32(0), path: readTransform(R.ptr(0)) };
}

function readTransform(p: number): number[] {
  if (p < 0) return [];
  const n = R.compositeList(p);
  if (n > MAX_WIRE_LIST) throw new IpcError(`Transform of ${n} operations is too long`);
  const path: number[] = [];
  for (let i = 0; i < n; i++) {
    R.element(i);
    const tag = R.u16(0);
    if (tag === 1) path.push(R.u16(2));
    else if (tag !== 0) throw new IpcError("Unknown transform operation");
  }
  return path;
}

function readCapTable(p: number): CapDesc[] {
  if (p < 0) return [];
  const n = R.compositeList(p);
  if (n === 0) return [];
  if (n > MAX_WIRE_LIST) throw new IpcError(`Cap table of ${n} entries is too long`);
  const out: CapDesc[] = new Array(n);
  // Save the list: receiverAnswer reads nested structs and moves the current struct.
  const lData = R.lData, lStride = R.lStride, lDataBytes = R.lDataBytes, lPtrCount = R.lPtrCount;
  for (let i = 0; i < n; i++) {
    R.lData = lData;
    R.lStride = lStride;
    R.lDataBytes = lDataBytes;
    R.lPtrCount = lPtrCount;
    R.element(i);
    const type = R.u16(0);
    switch (type) {
      case CAP.NONE:
        out[i] = { type, id: 0, path: [] };
        break;
      case CAP.SENDER_HOSTED:
      case CAP.SENDER_PROMISE:
      case CAP.RECEIVER_HOSTED:
        out[i] = { type, id: R.u32(4), path: [] };
        break;
      case CAP.RECEIVER_ANSWER: {
        const pa = R.ptr(0);
        out[i] = pa >= 0 && R.struct(pa)
          ? { type, id: R.u32(0), path: readTransform(R.ptr(0)) }
          : { type, id: 0, path: [] };
        break;
      }
      default:
        // thirdPartyHosted and unknown kinds: the slow path knows them.
        throw FALLBACK;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Slow path: capnp-es readers.

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

/** Decodes any message with capnp-es's generated readers. */
export function decodeSlow(msg: $.Message, depth: number): Incoming {
  const root = readRoot(msg, depth);
  const which = root.which();
  switch (which) {
    case MSG.CALL: {
      const c = root.call;
      const params = c.params;
      return {
        which,
        questionId: c.questionId,
        interfaceId: c.interfaceId,
        methodId: c.methodId,
        sendResultsTo: c.sendResultsTo.which(),
        target: slowTarget(c.target),
        content: params.content,
        caps: slowCapTable(params),
        message: msg,
      };
    }
    case MSG.RETURN: {
      const r = root.return;
      const kind = r.which();
      const base = { which, answerId: r.answerId, releaseParamCaps: r.releaseParamCaps, kind };
      if (kind === RET.RESULTS) {
        const p = r.results;
        return { ...base, content: p.content, caps: slowCapTable(p), exception: null, message: msg };
      }
      const exception = kind === RET.EXCEPTION ? slowException(r.exception) : null;
      return { ...base, content: null, caps: [], exception, message: null };
    }
    case MSG.FINISH: {
      const f = root.finish;
      return { which, questionId: f.questionId, releaseResultCaps: f.releaseResultCaps };
    }
    case MSG.RELEASE: {
      const r = root.release;
      return { which, id: r.id, referenceCount: r.referenceCount };
    }
    case MSG.BOOTSTRAP:
      return { which, questionId: root.bootstrap.questionId };
    case MSG.RESOLVE: {
      const r = root.resolve;
      if (r.which() === rpc.Resolve.CAP) {
        return { which, promiseId: r.promiseId, cap: slowCapDesc(r.cap), exception: null };
      }
      return { which, promiseId: r.promiseId, cap: null, exception: slowException(r.exception) };
    }
    case MSG.DISEMBARGO: {
      const d = root.disembargo;
      const ctx = d.context;
      const context = ctx.which();
      const embargoId = context === 0 ? ctx.senderLoopback : context === 1 ? ctx.receiverLoopback : 0;
      return { which, target: slowTarget(d.target), context, embargoId };
    }
    case MSG.ABORT:
      return { which, exception: slowException(root.abort) };
    case MSG.UNIMPLEMENTED: {
      const m = root.unimplemented;
      const innerWhich = m.which();
      const questionId = innerWhich === MSG.CALL
        ? m.call.questionId
        : innerWhich === MSG.BOOTSTRAP
        ? m.bootstrap.questionId
        : 0;
      return { which, innerWhich, questionId };
    }
    default:
      return { which: -1, tag: which, root };
  }
}

function slowTarget(t: rpc.MessageTarget): Target {
  switch (t.which()) {
    case rpc.MessageTarget.IMPORTED_CAP:
      return { kind: "import", id: t.importedCap };
    case rpc.MessageTarget.PROMISED_ANSWER: {
      const pa = t.promisedAnswer;
      return { kind: "answer", questionId: pa.questionId, path: slowTransform(pa) };
    }
    default:
      throw new IpcError("Unknown message target type");
  }
}

function slowTransform(pa: rpc.PromisedAnswer): number[] {
  if (!pa._hasTransform()) return [];
  const ops = pa.transform;
  const path: number[] = [];
  const n = ops.length;
  if (n > MAX_WIRE_LIST) throw new IpcError(`Transform of ${n} operations is too long`);
  for (let i = 0; i < n; i++) {
    const op = ops.get(i);
    const tag = op.which();
    if (tag === rpc.PromisedAnswer_Op.GET_POINTER_FIELD) path.push(op.getPointerField);
    else if (tag !== rpc.PromisedAnswer_Op.NOOP) throw new IpcError("Unknown transform operation");
  }
  return path;
}

function slowCapTable(p: rpc.Payload): CapDesc[] {
  if (!p._hasCapTable()) return [];
  const list = p.capTable;
  const n = list.length;
  if (n > MAX_WIRE_LIST) throw new IpcError(`Cap table of ${n} entries is too long`);
  const out: CapDesc[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = slowCapDesc(list.get(i));
  return out;
}

function slowCapDesc(d: rpc.CapDescriptor): CapDesc {
  const type = d.which();
  switch (type) {
    case CAP.NONE:
      return { type, id: 0, path: [] };
    case CAP.SENDER_HOSTED:
      return { type, id: d.senderHosted, path: [] };
    case CAP.SENDER_PROMISE:
      return { type, id: d.senderPromise, path: [] };
    case CAP.RECEIVER_HOSTED:
      return { type, id: d.receiverHosted, path: [] };
    case CAP.RECEIVER_ANSWER: {
      const pa = d.receiverAnswer;
      return { type, id: pa.questionId, path: slowTransform(pa) };
    }
    case CAP.THIRD_PARTY_HOSTED:
      return { type, id: d.thirdPartyHosted.vineId, path: [] };
    default:
      return { type, id: 0, path: [] };
  }
}

function slowException(e: rpc.Exception): WireException {
  return { reason: e.reason, type: e.type };
}

// ---------------------------------------------------------------------------------------------------------
// Encoding.

export type { OutMessage } from "../frame.ts";

/** An outgoing `Call` or `Return` whose content is to be filled and whose cap table is written last. */
export interface OutPayload {
  /** The message. */
  msg: $.Message;
  /** The content pointer (fill it with capnp-es). */
  content: $.Pointer;
  /** Byte offset of the `Payload.capTable` pointer in segment 0. */
  capTablePtr: number;
  /** Byte offset of the question id (Call) / answer id (Return) field. */
  idOffset: number;
}

type SegmentRW = {
  setUint16(o: number, v: number): void;
  setUint32(o: number, v: number): void;
  setUint64(o: number, v: bigint): void;
  allocate(n: number): $.Pointer;
  byteLength: number;
};

function seg0(msg: $.Message): SegmentRW {
  return msg.getSegment(0) as unknown as SegmentRW;
}

/** Writes a near struct pointer at `p` to the struct at `target`. */
function structPtr(s: SegmentRW, p: number, target: number, dataWords: number, ptrWords: number): void {
  s.setUint32(p, (((target - p - 8) / 8) << 2) >>> 0);
  s.setUint32(p + 4, (dataWords | (ptrWords << 16)) >>> 0);
}

/** Writes a near composite-list pointer at `p` to a tag word at `tag`. */
function listPtr(
  s: SegmentRW,
  p: number,
  tag: number,
  count: number,
  dataWords: number,
  ptrWords: number,
): void {
  s.setUint32(p, ((((tag - p - 8) / 8) << 2) | 1) >>> 0);
  s.setUint32(p + 4, (7 | ((count * (dataWords + ptrWords)) << 3)) >>> 0);
  s.setUint32(tag, (count << 2) >>> 0);
  s.setUint32(tag + 4, (dataWords | (ptrWords << 16)) >>> 0);
}

/** Allocates `words` words in segment 0 (capnp-es grows the single segment when full). */
function alloc(msg: $.Message, words: number): number {
  const p = seg0(msg).allocate(words * 8);
  if (p.segment.id !== 0) throw new IpcError("Unexpected second segment");
  return p.byteOffset;
}

function writeTransform(msg: $.Message, ptrAt: number, path: readonly number[]): void {
  if (path.length === 0) return;
  const at = alloc(msg, 1 + path.length);
  const s = seg0(msg);
  listPtr(s, ptrAt, at, path.length, 1, 0);
  for (let i = 0; i < path.length; i++) {
    s.setUint16(at + 8 + i * 8, 1);
    s.setUint16(at + 8 + i * 8 + 2, path[i]);
  }
}

/**
 * A `Call` envelope (question id 0 until {@linkcode setId}); fill `content`, then
 * {@linkcode writeCapTable}.
 */
export function encodeCall(interfaceId: bigint, methodId: number, target: Target): OutPayload {
  const msg = newMessage(256);
  // Words: [1,2] Message, [3..8] Call (3 data, 3 ptrs), [9,10] MessageTarget, [11,12] Payload.
  const base = alloc(msg, 12); // == 8
  const s = seg0(msg);
  structPtr(s, 0, base, 1, 1);
  s.setUint16(base, MSG.CALL);
  const call = base + 16;
  structPtr(s, base + 8, call, 3, 3);
  s.setUint16(call + 4, methodId);
  s.setUint64(call + 8, interfaceId);
  const tgt = call + 48;
  structPtr(s, call + 24, tgt, 1, 1);
  const payload = tgt + 16;
  structPtr(s, call + 32, payload, 0, 2);
  if (target.kind === "import") {
    s.setUint32(tgt, target.id);
  } else {
    s.setUint16(tgt + 4, 1);
    const pa = alloc(msg, 2);
    structPtr(s, tgt + 8, pa, 1, 1);
    s.setUint32(pa, target.questionId);
    writeTransform(msg, pa + 8, target.path);
  }
  return {
    msg,
    content: new $.Pointer(msg.getSegment(0), payload, 64),
    capTablePtr: payload + 8,
    idOffset: call,
  };
}

/** A `Return` envelope with results for `answerId` (`releaseParamCaps` false); fill `content`, then the caps. */
export function encodeReturnResults(answerId: number): OutPayload {
  const msg = newMessage(256);
  // Words: [1,2] Message, [3,4,5] Return (2 data, 1 ptr), [6,7] Payload.
  const base = alloc(msg, 7);
  const s = seg0(msg);
  structPtr(s, 0, base, 1, 1);
  s.setUint16(base, MSG.RETURN);
  const ret = base + 16;
  structPtr(s, base + 8, ret, 2, 1);
  s.setUint32(ret, answerId);
  s.setUint32(ret + 4, 1); // releaseParamCaps (default true) = false; union tag 0 = results
  const payload = ret + 24;
  structPtr(s, ret + 16, payload, 0, 2);
  return {
    msg,
    content: new $.Pointer(msg.getSegment(0), payload, 64),
    capTablePtr: payload + 8,
    idOffset: ret,
  };
}

/** Sets the question/answer id of an encoded Call/Return. */
export function setId(out: OutPayload, id: number): void {
  seg0(out.msg).setUint32(out.idOffset, id);
}

/** Writes the `Payload.capTable` of an encoded Call/Return. */
export function writeCapTable(out: OutPayload, caps: readonly CapDesc[]): void {
  if (caps.length === 0) return;
  const msg = out.msg;
  const at = alloc(msg, 1 + caps.length * 2);
  const s = seg0(msg);
  listPtr(s, out.capTablePtr, at, caps.length, 1, 1);
  for (let i = 0; i < caps.length; i++) {
    const d = caps[i];
    const e = at + 8 + i * 16;
    s.setUint16(e, d.type);
    if (d.type === CAP.RECEIVER_ANSWER) {
      const pa = alloc(msg, 2);
      structPtr(s, e + 8, pa, 1, 1);
      s.setUint32(pa, d.id);
      writeTransform(msg, pa + 8, d.path);
    } else if (d.type !== CAP.NONE) {
      s.setUint32(e + 4, d.id);
    }
  }
}

/** A `Finish`. */
export function encodeFinish(questionId: number, releaseResultCaps: boolean): SmallMessage {
  return new SmallMessage(MSG.FINISH, questionId, releaseResultCaps ? 0 : 1);
}

/** A `Release`. */
export function encodeRelease(id: number, referenceCount: number): SmallMessage {
  return new SmallMessage(MSG.RELEASE, id, referenceCount);
}

/** A `Bootstrap` (32 bytes; `deprecatedObjectId` null). */
export function encodeBootstrap(questionId: number): Uint8Array {
  const w = new Uint32Array(10);
  w[1] = 0x10001;
  w[2] = MSG.BOOTSTRAP;
  w[5] = 0x10001; // Bootstrap: 1 data word, 1 pointer (deprecatedObjectId, null)
  w[6] = questionId >>> 0;
  return new Uint8Array(w.buffer);
}
