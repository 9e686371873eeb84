import * as $ from "capnp-es";
import {
  BrokenHook,
  Capability,
  CapabilityServer,
  copyPointer,
  getCap,
  initStructAt,
  method,
  newMessage,
  PromiseHook,
  readText,
  rootPointer,
  setCap,
  writeText,
} from "../../ipc/capability.ts";
import { Echo$Client, Echo_Echo$Params } from "../../ipc/capnp/gen/echo.ts";
import { Init$Client } from "../../ipc/capnp/gen/init.ts";
import { Rpc_ExecuteRpc$Params } from "../../ipc/capnp/gen/rpc.ts";
import { IpcError } from "../../ipc/rpc/error.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "../assert.ts";
import { deadline } from "./helpers.ts";

const ECHO = Echo$Client.methods[1];
const MAKE_ECHO = Init$Client.methods[1];

function echoServer(seen: string[] = [], dispose?: () => void): CapabilityServer {
  return new CapabilityServer("Echo", [
    method(ECHO, (p, r) => {
      const text = readText(p, 1);
      seen.push(text);
      if (text === "throw") throw new Error("asked to throw");
      writeText(r, 0, text);
    }),
  ], { dispose });
}

async function echo(cap: Capability, text: string): Promise<string> {
  const resp = await cap.call(ECHO, (p) => writeText(p, 1, text)).response;
  try {
    return readText(resp.results, 0);
  } finally {
    resp.release();
  }
}

Deno.test("capability: local calls, errors, and the dispose hook once the last reference goes", async () => {
  let disposed = 0;
  const server = echoServer([], () => disposed++);
  const a = server.capability();
  const b = a.dup();
  assertEquals(await deadline(echo(a, "hi")), "hi");
  const e = await assertRejects(() => echo(b, "throw"), "asked to throw");
  assert(e instanceof IpcError);
  a.close();
  a.close(); // idempotent
  assertEquals(disposed, 0);
  b.close();
  assertEquals(disposed, 1);
  await assertRejects(() => echo(b, "x"), "Capability used after close()");
  assertThrows(() => b.dup(), "Capability used after close()");
});

Deno.test("capability: wrong interface and unknown method fail as 'unimplemented'", async () => {
  const cap = echoServer().capability();
  const e1 = await assertRejects(() => cap.call(MAKE_ECHO).response, "Requested interface not implemented");
  assertEquals((e1 as IpcError).type, "unimplemented");
  const e2 = await assertRejects(() => cap.call(Echo$Client.methods[0]).response, "Method not implemented");
  assertEquals((e2 as IpcError).type, "unimplemented");
  cap.close();
});

Deno.test("capability: local pipelining resolves to the returned capability", async () => {
  let disposed = 0;
  let open!: () => void;
  const gate = new Promise<void>((r) => open = r);
  const init = new CapabilityServer("Init", [
    method(MAKE_ECHO, async (_p, r) => {
      await gate;
      setCap(r, 0, echoServer([], () => disposed++).capability());
    }),
  ]);
  const cap = init.capability();
  const made = cap.call(MAKE_ECHO);
  const e = made.pipeline(0);
  assert(e.hook.isPromise, "a promise before the call returns");
  const early = echo(e, "early");
  open();
  assertEquals(await deadline(early), "early");
  assert(!e.hook.isPromise, "resolved");
  assert(e.localServer() !== null, "a local server");
  e.close();
  assertEquals(disposed, 1, "the unrequested response released its reference");
  cap.close();
});

Deno.test("capability: a promise queues calls in order and forwards them on resolution", async () => {
  const seen: string[] = [];
  const p = new PromiseHook();
  const cap = new Capability(p);
  const results = [echo(cap, "1"), echo(cap, "2"), echo(cap, "3")];
  await new Promise((r) => setTimeout(r, 5));
  assertEquals(seen, []);
  const server = echoServer(seen);
  p.resolve(server.hook);
  assertEquals(await deadline(Promise.all(results)), ["1", "2", "3"]);
  assertEquals(seen, ["1", "2", "3"]);
  cap.close();
  // A promise that breaks fails its queued calls.
  const q = new PromiseHook();
  const qc = new Capability(q);
  const pending = echo(qc, "x");
  q.resolve(new BrokenHook(new IpcError("gone away")));
  await assertRejects(() => pending, "gone away");
  qc.close();
});

Deno.test("capability: getCap/setCap and the message owning its capabilities", () => {
  const server = echoServer();
  const msg = newMessage();
  const params = initStructAt(Init$Client.methods[0].ParamsClass, rootPointer(msg));
  assertEquals(getCap(params, 0), null);
  const cap = server.capability();
  setCap(params, 0, cap);
  assert(getCap(params, 0) === cap, "same reference back");
  // capnp-es's generated getter sees the same capability.
  assert(params.threadMap.client === (cap as unknown), "generated getter agrees");
  // Copying to another message gives the copy its own references.
  const other = newMessage();
  const dst = rootPointer(other);
  copyPointer(rootPointer(msg), dst);
  const copied = getCap($.utils.getAs(Init$Client.methods[0].ParamsClass, dst), 0)!;
  assert(copied !== cap && !copied.closed, "a new reference");
  assertEquals(server.hook.refs, 2);
  copied.close();
  cap.close();
  assertEquals(server.hook.refs, 0);
});

Deno.test("capability: readText/writeText agree with the generated accessors", () => {
  const samples = [
    "",
    "a",
    "hello",
    "héllo ₿ 🙂",
    "x".repeat(1000),
    "\u0000inner nul",
    "lone \ud800 surrogate",
  ];
  for (const s of samples) {
    // Fast writer, generated reader.
    const m1 = newMessage();
    const p1 = initStructAt(Rpc_ExecuteRpc$Params, rootPointer(m1));
    writeText(p1, 1, s);
    writeText(p1, 3, s + "!");
    const want = new TextDecoder().decode(new TextEncoder().encode(s));
    assertEquals(p1.request, want);
    assertEquals(p1.user, want + "!");
    assertEquals(p1.uri, "");
    // Generated writer, fast reader.
    const m2 = newMessage();
    const p2 = initStructAt(Rpc_ExecuteRpc$Params, rootPointer(m2));
    p2.uri = s;
    assertEquals(readText(p2, 2), want);
    assertEquals(readText(p2, 1), "");
  }
  // Writing twice falls back to capnp-es (which replaces the value).
  const m = newMessage();
  const p = initStructAt(Echo_Echo$Params, rootPointer(m));
  writeText(p, 1, "first");
  writeText(p, 1, "second");
  assertEquals(p.echo, "second");
  // A field past the struct's pointer section reads as "" (an older, smaller struct).
  assertEquals(readText(p, 7), "");
});

Deno.test("capability: readText refuses a pointer that is not a Text or leaves the segment", () => {
  const m = newMessage();
  const p = initStructAt(Echo_Echo$Params, rootPointer(m));
  writeText(p, 1, "abc");
  const seg = p.segment;
  // Find the text pointer (pointer 1 of the struct) and corrupt its length.
  const ptrs = (() => {
    const lo = seg.getUint32(p.byteOffset);
    const data = p.byteOffset + 8 + (lo >> 2) * 8;
    return data; // no data section
  })();
  const hi = seg.getUint32(ptrs + 12);
  seg.setUint32(ptrs + 12, (hi & 7) | (1_000_000 << 3));
  assertThrows(() => readText(p, 1), "Text out of bounds");
  seg.setUint32(ptrs + 12, (hi & ~7) | 5); // element size: 8 bytes
  assertThrows(() => readText(p, 1), "not a Text");
});
