import * as $ from "capnp-es";
import * as rpc from "capnp-es/capnp/rpc";
import { encodeFrames, FrameDecoder, frameToMessage } from "../../ipc/frame.ts";
import { IpcError } from "../../ipc/rpc/error.ts";
import { assert, assertEquals, assertThrows } from "../assert.ts";

const LIMITS = { maxMessageBytes: 1 << 20, maxSegments: 512 };

/** A Call message with question id `qid`, or (when `text` is given) an Abort carrying `text`. */
function callMessage(qid: number, text?: string): $.Message {
  const msg = new $.Message();
  const root = msg.initRoot(rpc.Message);
  if (text !== undefined) {
    root._initAbort().reason = text;
    return msg;
  }
  const call = root._initCall();
  call.questionId = qid;
  call.interfaceId = 0x1234n;
  call.methodId = 7;
  call._initParams();
  return msg;
}

function decodeAll(dec: FrameDecoder): $.Message[] {
  const out: $.Message[] = [];
  for (let f = dec.next(); f; f = dec.next()) out.push(frameToMessage(f, { traversalLimitWords: 1 << 20 }));
  return out;
}

/** A message spread over several segments (capnp-es grows a multi-segment arena when asked to). */
function multiSegmentFrame(): Uint8Array {
  // Hand-built: 3 segments; segment 0 holds a far pointer to a struct in segment 2 (landing pad there).
  const seg0 = new Uint8Array(8);
  const seg1 = new Uint8Array(16); // unused filler
  const seg2 = new Uint8Array(24);
  const dv0 = new DataView(seg0.buffer);
  // Far pointer: type 2, landing pad at word 0 of segment 2.
  dv0.setUint32(0, 2 | (0 << 3), true);
  dv0.setUint32(4, 2, true);
  const dv2 = new DataView(seg2.buffer);
  // Landing pad: struct pointer, offset 0, 1 data word, 1 pointer (Message: which + pointer).
  dv2.setUint32(0, 0, true);
  dv2.setUint16(4, 1, true);
  dv2.setUint16(6, 1, true);
  // Data word: which = ABORT (1). Pointer: null.
  dv2.setUint16(8, 1, true);
  const header = new Uint8Array(16);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, 2, true);
  hv.setUint32(4, 1, true);
  hv.setUint32(8, 2, true);
  hv.setUint32(12, 3, true);
  const out = new Uint8Array(16 + 8 + 16 + 24);
  out.set(header, 0);
  out.set(seg0, 16);
  out.set(seg1, 24);
  out.set(seg2, 40);
  return out;
}

Deno.test("frame: round trip of one message", () => {
  const bytes = encodeFrames([callMessage(5)]);
  assertEquals(bytes.byteLength % 8, 0);
  const dec = new FrameDecoder(LIMITS);
  dec.push(bytes);
  const [m] = decodeAll(dec);
  const call = m.getRoot(rpc.Message).call;
  assertEquals(call.questionId, 5);
  assertEquals(call.methodId, 7);
  assertEquals(call.interfaceId, 0x1234n);
  assert(dec.idle);
});

Deno.test("frame: many messages in one chunk, in order", () => {
  const msgs = Array.from({ length: 50 }, (_, i) => callMessage(i));
  const dec = new FrameDecoder(LIMITS);
  dec.push(encodeFrames(msgs));
  const out = decodeAll(dec);
  assertEquals(out.map((m) => m.getRoot(rpc.Message).call.questionId), msgs.map((_, i) => i));
});

Deno.test("frame: byte-by-byte and random chunking decode identically", () => {
  const msgs = Array.from(
    { length: 20 },
    (_, i) => callMessage(i, i % 3 === 0 ? `abort ${"y".repeat(i * 37)}` : undefined),
  );
  const bytes = encodeFrames(msgs);
  for (const chunking of ["bytes", "random"] as const) {
    const dec = new FrameDecoder(LIMITS);
    const got: $.Message[] = [];
    let o = 0;
    while (o < bytes.byteLength) {
      const n = chunking === "bytes" ? 1 : 1 + Math.floor(Math.random() * 40);
      dec.push(bytes.subarray(o, Math.min(o + n, bytes.byteLength)));
      o += n;
      got.push(...decodeAll(dec));
    }
    assertEquals(got.length, msgs.length);
    for (let i = 0; i < msgs.length; i++) {
      const r = got[i].getRoot(rpc.Message);
      if (i % 3 === 0) assertEquals(r.abort.reason, `abort ${"y".repeat(i * 37)}`);
      else assertEquals(r.call.questionId, i);
    }
    assert(dec.idle);
  }
});

Deno.test("frame: a multi-segment message with a far pointer decodes", () => {
  const dec = new FrameDecoder(LIMITS);
  const bytes = multiSegmentFrame();
  for (let i = 0; i < bytes.byteLength; i += 5) dec.push(bytes.subarray(i, i + 5));
  const [m] = decodeAll(dec);
  assertEquals(m.getRoot(rpc.Message).which(), rpc.Message.ABORT);
});

Deno.test("frame: too many segments is refused before allocating", () => {
  const dec = new FrameDecoder(LIMITS);
  const h = new Uint8Array(8);
  new DataView(h.buffer).setUint32(0, 512, true); // 513 segments
  dec.push(h);
  const e = assertThrows(() => dec.next(), "513 segments exceed the limit of 512");
  assert(e instanceof IpcError);
  // The decoder stays failed.
  assertThrows(() => dec.next(), "513 segments");
});

Deno.test("frame: segment count 0xffffffff (overflow) is refused", () => {
  const dec = new FrameDecoder(LIMITS);
  const h = new Uint8Array(8);
  new DataView(h.buffer).setUint32(0, 0xffffffff, true);
  dec.push(h);
  assertThrows(() => dec.next(), "exceed the limit");
});

Deno.test("frame: an oversize message is refused from its header alone", () => {
  const dec = new FrameDecoder({ maxMessageBytes: 1024, maxSegments: 512 });
  const h = new Uint8Array(8);
  new DataView(h.buffer).setUint32(4, 0xffffffff, true); // 32 GiB segment
  dec.push(h);
  assertThrows(() => dec.next(), /message of 34359738360 bytes exceeds the limit of 1024/);
  const dec2 = new FrameDecoder({ maxMessageBytes: 1024, maxSegments: 512 });
  const h2 = new Uint8Array(16);
  const v = new DataView(h2.buffer);
  v.setUint32(0, 1, true);
  v.setUint32(4, 100, true);
  v.setUint32(8, 100, true); // 1600 bytes in total
  dec2.push(h2);
  assertThrows(() => dec2.next(), "1600 bytes exceeds the limit of 1024");
});

Deno.test("frame: an empty first segment is refused", () => {
  const dec = new FrameDecoder(LIMITS);
  dec.push(new Uint8Array(8));
  assertThrows(() => dec.next(), "first segment is empty");
});

Deno.test("frame: a truncated frame waits for more bytes and is reported as partial", () => {
  const bytes = encodeFrames([callMessage(1)]);
  const dec = new FrameDecoder(LIMITS);
  dec.push(bytes.subarray(0, bytes.byteLength - 3));
  assertEquals(dec.next(), null);
  assertEquals(dec.idle, false);
  assertEquals(dec.buffered, bytes.byteLength - 3);
  dec.push(bytes.subarray(bytes.byteLength - 3));
  assertEquals(decodeAll(dec).length, 1);
});

Deno.test("frame: random garbage never throws anything but IpcError, and never allocates past the limit", () => {
  for (let i = 0; i < 2000; i++) {
    const dec = new FrameDecoder({ maxMessageBytes: 4096, maxSegments: 16 });
    const junk = crypto.getRandomValues(new Uint8Array(1 + Math.floor(Math.random() * 200)));
    dec.push(junk);
    try {
      for (let f = dec.next(); f; f = dec.next()) {
        assert(f.view.byteLength <= 4096 + 8 + 16 * 4, "allocation within the limit");
        try {
          frameToMessage(f, { traversalLimitWords: 1024 }).getRoot(rpc.Message).which();
        } catch {
          // A well-framed message with garbage content: the engine's concern.
        }
      }
    } catch (e) {
      assert(e instanceof IpcError, `unexpected error type: ${e}`);
    }
  }
});

Deno.test("frame: encodeFrames header matches a large (grown) segment", () => {
  const msg = new $.Message();
  const root = msg.initRoot(rpc.Message);
  root._initAbort().reason = "z".repeat(10000); // grows the single-segment arena
  const bytes = encodeFrames([msg]);
  const dv = new DataView(bytes.buffer);
  const count = dv.getUint32(0, true) + 1;
  let total = 0;
  for (let i = 0; i < count; i++) total += dv.getUint32(4 + 4 * i, true) * 8;
  assertEquals(bytes.byteLength, ((4 + 4 * count + 7) & ~7) + total);
  const dec = new FrameDecoder(LIMITS);
  dec.push(bytes);
  assertEquals(decodeAll(dec)[0].getRoot(rpc.Message).abort.reason.length, 10000);
});
