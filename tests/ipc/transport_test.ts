import * as rpc from "capnp-es/capnp/rpc";
import { encodeFrames, type Frame, FrameDecoder } from "../../ipc/frame.ts";
import type { IpcError } from "../../ipc/rpc/error.ts";
import { DEFAULT_IPC_LIMITS } from "../../ipc/rpc/limits.ts";
import { encodeFinish } from "../../ipc/rpc/wire.ts";
import { type ByteStream, memoryStreamPair, MessageTransport } from "../../ipc/transport.ts";
import { assert, assertEquals } from "../assert.ts";
import { deadline, streamPair, until } from "./helpers.ts";

/** A transport plus what it received. */
function open(stream: ByteStream) {
  const got: number[] = [];
  let closed: IpcError | null | undefined;
  let protocolError: IpcError | null = null;
  const t = new MessageTransport(stream, {
    limits: DEFAULT_IPC_LIMITS,
    onMessage: (f: Frame) => {
      const dv = new DataView(f.view.buffer, f.view.byteOffset, f.view.byteLength);
      got.push(dv.getUint32(24, true)); // the Finish question id
    },
    onProtocolError: (e) => {
      protocolError = e;
      t.closeWithError(e);
    },
    onClose: (e) => void (closed = e),
  });
  t.start();
  return { t, got, closed: () => closed, protocolError: () => protocolError };
}

for (const kind of ["memory", "unix"] as const) {
  Deno.test(`transport[${kind}]: messages queued in one tick leave in one write, in order, none dropped`, async () => {
    const { a, b, cleanup } = await streamPair(kind);
    const A = open(a);
    const B = open(b);
    try {
      for (let i = 0; i < 1000; i++) A.t.send(encodeFinish(i, false));
      await until(() => B.got.length === 1000, 3000, "all received");
      assertEquals(B.got, Array.from({ length: 1000 }, (_, i) => i));
      assertEquals(A.t.stats().writes, 1);
      assertEquals(A.t.stats().messagesOut, 1000);
      // Messages queued while a write is in flight are coalesced too, and still in order.
      for (let round = 0; round < 20; round++) {
        for (let i = 0; i < 50; i++) A.t.send(encodeFinish(1000 + round * 50 + i, false));
        await Promise.resolve();
      }
      await until(() => B.got.length === 2000, 3000, "all received");
      assertEquals(B.got.slice(1000), Array.from({ length: 1000 }, (_, i) => 1000 + i));
      assert(A.t.stats().writes <= 21, `writes: ${A.t.stats().writes}`);
    } finally {
      await A.t.close();
      await B.t.close();
      await cleanup();
    }
  });

  Deno.test(`transport[${kind}]: close() writes what is queued first; the peer sees a clean end`, async () => {
    const { a, b, cleanup } = await streamPair(kind);
    const A = open(a);
    const B = open(b);
    try {
      for (let i = 0; i < 100; i++) A.t.send(encodeFinish(i, false));
      await deadline(A.t.close());
      assertEquals(A.closed(), null);
      await until(() => B.closed() !== undefined, 3000, "peer closed");
      assertEquals(B.got.length, 100);
      assertEquals(B.closed()!.message, "Peer disconnected");
      assertEquals(A.t.send(encodeFinish(1, false)), false, "nothing is sent after close");
    } finally {
      await cleanup();
    }
  });
}

Deno.test("transport: a stream ending mid-frame is reported as such", async () => {
  const [a, b] = memoryStreamPair();
  const B = open(b);
  const w = a.writable.getWriter();
  const bytes = encodeFrames([encodeFinish(1, false)]);
  await w.write(bytes.subarray(0, 20));
  a.close();
  await until(() => B.closed() !== undefined, 3000, "closed");
  assertEquals(B.closed()!.message, "Peer disconnected in the middle of a message (20 bytes)");
  assertEquals(B.closed()!.type, "disconnected");
});

Deno.test("transport: a bad frame stops reading and is reported once", async () => {
  const [a, b] = memoryStreamPair();
  const B = open(b);
  const w = a.writable.getWriter();
  const junk = new Uint8Array(16);
  new DataView(junk.buffer).setUint32(0, 9999, true);
  await w.write(junk).catch(() => {});
  await until(() => B.protocolError() !== null, 3000, "protocol error");
  assert(B.protocolError()!.message.includes("10000 segments exceed the limit of 512"));
  await until(() => B.closed() !== undefined, 3000, "closed");
  a.close();
});

Deno.test("transport: a frame split across many reads (Deno.Conn direct path) decodes once complete", async () => {
  const { a, b, cleanup } = await streamPair("unix");
  const B = open(b);
  try {
    // One big frame (about 200 KiB) written in small pieces, with a Finish after it.
    const big = new Uint8Array(200 * 1024);
    const dv = new DataView(big.buffer);
    dv.setUint32(0, 0x10001, true); // root: 1 data, 1 ptr, at word 1
    dv.setUint16(8, rpc.Message.FINISH, true);
    dv.setUint32(20, 1, true); // body: 1 data word at word 3
    dv.setUint32(24, 4242, true);
    const bytes = encodeFrames([big, encodeFinish(7, false)]);
    for (let o = 0; o < bytes.byteLength; o += 3001) {
      await (a as Deno.Conn).write(bytes.subarray(o, Math.min(o + 3001, bytes.byteLength)));
    }
    await until(() => B.got.length === 2, 3000, "both frames");
    assertEquals(B.got, [4242, 7]);
  } finally {
    await B.t.close();
    a.close();
    await cleanup();
  }
});

Deno.test("transport: FrameDecoder.own() keeps a partial frame when the read buffer is reused", () => {
  const dec = new FrameDecoder(DEFAULT_IPC_LIMITS);
  const bytes = encodeFrames([encodeFinish(1, false), encodeFinish(2, false)]);
  const buf = new Uint8Array(64);
  buf.set(bytes.subarray(0, 50));
  dec.push(buf.subarray(0, 50));
  const f1 = dec.next()!;
  assertEquals(new DataView(f1.view.buffer, f1.view.byteOffset).getUint32(24, true), 1);
  assertEquals(dec.next(), null);
  dec.own();
  buf.fill(0xee); // the reader reuses its buffer
  buf.set(bytes.subarray(50));
  dec.push(buf.subarray(0, bytes.byteLength - 50));
  const f2 = dec.next()!;
  assertEquals(new DataView(f2.view.buffer, f2.view.byteOffset).getUint32(24, true), 2);
});
