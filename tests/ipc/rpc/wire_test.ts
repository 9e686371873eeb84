import * as $ from "capnp-es";
import * as rpc from "capnp-es/capnp/rpc";
import { initStructAt, readText, writeText } from "../../../ipc/capability.ts";
import { Echo_Echo$Params } from "../../../ipc/capnp/gen/echo.ts";
import { encodeFrames, FrameDecoder } from "../../../ipc/frame.ts";
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
  type OutMessage,
  setId,
  type Target,
  writeCapTable,
} from "../../../ipc/rpc/wire.ts";
import { assert, assertEquals } from "../../assert.ts";

const LIMITS = { traversalLimitWords: 1 << 20, maxNestingDepth: 64 };

/** Frames `m` and decodes it both ways (fast path and capnp-es), returning both. */
function roundTrip(m: OutMessage): { fast: Incoming; slow: Incoming } {
  const dec = new FrameDecoder({ maxMessageBytes: 1 << 20, maxSegments: 512 });
  dec.push(encodeFrames([m]));
  const frame = dec.next()!;
  const fast = decode(frame, LIMITS);
  const slow = decodeSlow(frameMessage(frame, LIMITS.traversalLimitWords), LIMITS.maxNestingDepth);
  return { fast, slow };
}

/** Comparable view of a decoded message (pointers replaced by their text). */
function plain(m: Incoming): unknown {
  return JSON.parse(JSON.stringify(m, (k, v) => {
    if (typeof v === "bigint") return `0x${v.toString(16)}`;
    if (k === "message" || k === "root") return undefined;
    if (v instanceof $.Pointer) {
      return $.utils.isNull(v) ? null : readText($.utils.getAs(Echo_Echo$Params, v), 1);
    }
    return v;
  }));
}

const CAPS: CapDesc[] = [
  { type: CAP.NONE, id: 0, path: [] },
  { type: CAP.SENDER_HOSTED, id: 7, path: [] },
  { type: CAP.SENDER_PROMISE, id: 8, path: [] },
  { type: CAP.RECEIVER_HOSTED, id: 9, path: [] },
  { type: CAP.RECEIVER_ANSWER, id: 10, path: [0, 3] },
  { type: CAP.RECEIVER_ANSWER, id: 11, path: [] },
];

Deno.test("wire: hand-encoded Calls read the same through capnp-es and the fast decoder", () => {
  const targets: Target[] = [
    { kind: "import", id: 5 },
    { kind: "answer", questionId: 3, path: [] },
    { kind: "answer", questionId: 4, path: [1, 0, 2] },
  ];
  for (const target of targets) {
    for (const caps of [[], CAPS]) {
      const out = encodeCall(0xd36b89640dc94399n, 1, target);
      const params = initStructAt(Echo_Echo$Params, out.content);
      writeText(params, 1, "héllo ₿");
      setId(out, 42);
      writeCapTable(out, caps);
      const { fast, slow } = roundTrip(out.msg);
      assertEquals(plain(fast), plain(slow));
      assert(fast.which === MSG.CALL);
      assertEquals(fast.questionId, 42);
      assertEquals(fast.interfaceId, 0xd36b89640dc94399n);
      assertEquals(fast.methodId, 1);
      assertEquals(fast.target, target);
      assertEquals(fast.caps, caps);
      assertEquals(readText($.utils.getAs(Echo_Echo$Params, fast.content), 1), "héllo ₿");
      // capnp-es's generated reader sees the same fields.
      const root = frameMessage(
        (() => {
          const d = new FrameDecoder({ maxMessageBytes: 1 << 20, maxSegments: 512 });
          d.push(encodeFrames([out.msg]));
          return d.next()!;
        })(),
        1 << 20,
      ).getRoot(rpc.Message);
      assertEquals(root.call.questionId, 42);
      assertEquals(root.call.sendResultsTo.which(), rpc.Call_SendResultsTo.CALLER);
      assertEquals($.utils.getAs(Echo_Echo$Params, root.call.params.content).echo, "héllo ₿");
    }
  }
});

Deno.test("wire: Return results, Finish, Release and Bootstrap agree with capnp-es", () => {
  const out = encodeReturnResults(17);
  writeText(initStructAt(Echo_Echo$Params, out.content), 1, "r");
  writeCapTable(out, CAPS);
  const r = roundTrip(out.msg);
  assertEquals(plain(r.fast), plain(r.slow));
  assert(r.fast.which === MSG.RETURN);
  assertEquals([r.fast.answerId, r.fast.releaseParamCaps, r.fast.kind], [17, false, 0]);
  for (
    const [m, want] of [
      [encodeFinish(3, false), { which: MSG.FINISH, questionId: 3, releaseResultCaps: false }],
      [encodeFinish(0xffffffff, true), {
        which: MSG.FINISH,
        questionId: 0xffffffff,
        releaseResultCaps: true,
      }],
      [encodeRelease(9, 12), { which: MSG.RELEASE, id: 9, referenceCount: 12 }],
      [encodeBootstrap(6), { which: MSG.BOOTSTRAP, questionId: 6 }],
    ] as const
  ) {
    const { fast, slow } = roundTrip(m);
    assertEquals(fast, want);
    assertEquals(slow, want);
  }
});

Deno.test("wire: capnp-es-built messages (as another implementation would send) decode identically", () => {
  // Fields written in a different order and with defaults left implicit, as a C++ peer might.
  const msg = new $.Message();
  const call = msg.initRoot(rpc.Message)._initCall();
  const params = call._initParams();
  const tab = params._initCapTable(2);
  tab.get(0).receiverHosted = 4;
  const ra = tab.get(1)._initReceiverAnswer();
  ra.questionId = 2;
  ra._initTransform(2).get(1).getPointerField = 5; // op 0 stays a noop
  const p = new Echo_Echo$Params(params.content.segment, params.content.byteOffset);
  $.utils.initStruct(Echo_Echo$Params._capnp.size, p);
  p.echo = "x";
  call.methodId = 1;
  call.interfaceId = 99n;
  call.questionId = 1;
  call._initTarget().importedCap = 0;
  const { fast, slow } = roundTrip(msg);
  assertEquals(plain(fast), plain(slow));
  assert(fast.which === MSG.CALL);
  assertEquals(fast.caps, [{ type: CAP.RECEIVER_HOSTED, id: 4, path: [] }, {
    type: CAP.RECEIVER_ANSWER,
    id: 2,
    path: [5],
  }]);
});

Deno.test("wire: a Return exception and other kinds go through capnp-es", () => {
  const msg = new $.Message();
  const ret = msg.initRoot(rpc.Message)._initReturn();
  ret.answerId = 4;
  const ex = ret._initException();
  ex.reason = "boom";
  ex.type = 3;
  const { fast } = roundTrip(msg);
  assert(fast.which === MSG.RETURN);
  assertEquals(fast.exception, { reason: "boom", type: 3 });
  assertEquals(fast.releaseParamCaps, true);
});

Deno.test("wire: a far pointer in a single segment falls back to capnp-es", () => {
  // Root is a far pointer (landing pad in the same segment) to a Finish message.
  const w = new Uint32Array(12);
  w[0] = (2 | (1 << 3)) >>> 0; // far pointer, landing pad at word 1, segment 0
  w[1] = 0;
  w[2] = 0; // landing pad: struct pointer, offset 0 -> word 2
  w[3] = 0x10001;
  w[4] = MSG.FINISH;
  w[6] = 0; // body -> word 4
  w[7] = 1;
  w[8] = 77;
  const m = new Uint8Array(w.buffer, 0, 40);
  const { fast } = roundTrip(m);
  assertEquals(fast, { which: MSG.FINISH, questionId: 77, releaseResultCaps: true });
});

Deno.test("wire: newMessage grows past its first buffer and stays one segment", () => {
  const out = encodeCall(1n, 0, { kind: "import", id: 0 });
  const params = initStructAt(Echo_Echo$Params, out.content);
  writeText(params, 1, "z".repeat(100000));
  writeCapTable(out, CAPS);
  assertEquals(out.msg._capnp.segments.length, 1);
  const { fast } = roundTrip(out.msg);
  assert(fast.which === MSG.CALL);
  assertEquals(readText($.utils.getAs(Echo_Echo$Params, fast.content), 1).length, 100000);
  assertEquals(fast.caps, CAPS);
});
