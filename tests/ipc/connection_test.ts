import * as $ from "capnp-es";
import * as rpc from "capnp-es/capnp/rpc";
import {
  type Capability,
  CapabilityServer,
  getCap,
  initStructAt,
  method,
  type PendingCall,
  setCap,
} from "../../ipc/capability.ts";
import { Echo$Client, type Echo_Echo$Results } from "../../ipc/capnp/gen/echo.ts";
import { Init$Client } from "../../ipc/capnp/gen/init.ts";
import { Thread$Client, ThreadMap$Client } from "../../ipc/capnp/gen/proxy.ts";
import { ProcessInit$Client } from "../../ipc/capnp/gen/tsbtc.ts";
import { IpcConnection, IpcError } from "../../ipc/connection.ts";
import { memoryStreamPair } from "../../ipc/transport.ts";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { connPair, deadline, type PairKind, rawPair, rpcMessage, sleep, until } from "./helpers.ts";

const KINDS: PairKind[] = ["memory", "unix"];
const [MAKE_ECHO, CONSTRUCT] = [Init$Client.methods[1], Init$Client.methods[0]];
const ECHO = Echo$Client.methods[1];
const MAKE_THREAD = ThreadMap$Client.methods[0];
const GET_NAME = Thread$Client.methods[0];

/** An Echo server recording what it echoed; "throw" throws, "hang" waits for `release`. */
function echoServer(seen: string[] = [], opts: { dispose?: () => void; gate?: Promise<void> } = {}) {
  return new CapabilityServer("Echo", [
    method(ECHO, async (p, r) => {
      const text = p.echo;
      seen.push(text);
      if (text === "throw") throw new Error("echo asked to throw");
      if (text === "hang" && opts.gate) await opts.gate;
      r.result = text;
    }),
  ], { dispose: opts.dispose });
}

async function echo(cap: Capability, text: string): Promise<string> {
  const resp = await cap.call(ECHO, (p) => {
    p.echo = text;
  }).response;
  try {
    return resp.results.result;
  } finally {
    resp.release();
  }
}

function emptyTables(c: IpcConnection): boolean {
  const s = c.stats();
  return s.questions === 0 && s.answers === 0 && s.imports === 0 && s.exports === 0 && s.embargoes === 0;
}

for (const kind of KINDS) {
  Deno.test(`engine[${kind}]: calls return results; a thrown error comes back as IpcError with its reason`, async () => {
    const seen: string[] = [];
    const p = await connPair(kind, { bootstrap: echoServer(seen) });
    try {
      const cap = p.client.bootstrap();
      assertEquals(await deadline(echo(cap, "hello")), "hello");
      const e = await assertRejects(() => deadline(echo(cap, "throw")), "echo asked to throw");
      assert(e instanceof IpcError && e.remote && e.type === "failed", "remote IpcError");
      // The connection is still usable, and many calls in flight come back matched to their questions.
      const all = await deadline(Promise.all(Array.from({ length: 200 }, (_, i) => echo(cap, `m${i}`))));
      assertEquals(all, Array.from({ length: 200 }, (_, i) => `m${i}`));
      assertEquals(seen.length, 202);
      cap.close();
      await until(() => emptyTables(p.client) && p.server.stats().exports === 0, 3000, "tables empty");
    } finally {
      await p.close();
    }
  });

  Deno.test(`engine[${kind}]: capabilities both ways: a callback passed to the server is called back`, async () => {
    // Server: construct(threadMap) calls makeThread + getName on the client's ThreadMap, then returns its own.
    const serverMapCalls: string[] = [];
    const serverMap = () =>
      new CapabilityServer("ThreadMap", [
        method(MAKE_THREAD, (p, r) => {
          serverMapCalls.push(p.name);
          setCap(r, 0, threadServer(`server/${p.name}`).capability());
        }),
      ]);
    const init = new CapabilityServer("Init", [
      method(CONSTRUCT, async (p, r) => {
        const clientMap = getCap(p, 0)!;
        const made = clientMap.call(MAKE_THREAD, (q) => {
          q.name = "callback";
        });
        const thread = made.pipeline(0);
        const resp = await thread.call(GET_NAME).response;
        const name = resp.results.result;
        resp.release();
        thread.close();
        setCap(r, 0, serverMap().capability());
        serverMapCalls.push(`called back: ${name}`);
      }),
    ]);
    let clientThreadsDisposed = 0;
    const threadServer = (name: string, dispose?: () => void) =>
      new CapabilityServer("Thread", [method(GET_NAME, (_p, r) => void (r.result = name))], { dispose });
    let clientMapDisposed = 0;
    const clientMap = new CapabilityServer("ThreadMap", [
      method(MAKE_THREAD, (p, r) => {
        setCap(r, 0, threadServer(`client/${p.name}`, () => clientThreadsDisposed++).capability());
      }),
    ], { dispose: () => clientMapDisposed++ });
    const p = await connPair(kind, { bootstrap: init });
    try {
      const cap = p.client.bootstrap();
      const c = cap.call(CONSTRUCT, (q) => setCap(q, 0, clientMap.capability()));
      const serverThreadMap = c.pipeline(0);
      const t = serverThreadMap.call(MAKE_THREAD, (q) => {
        q.name = "t1";
      }).pipeline(0);
      const name = await deadline(t.call(GET_NAME).response);
      assertEquals(name.results.result, "server/t1");
      name.release();
      assertEquals(serverMapCalls, ["called back: client/callback", "t1"]);
      // The server dropped the client's ThreadMap and thread after the call: they were disposed here.
      await until(
        () => clientMapDisposed === 1 && clientThreadsDisposed === 1,
        3000,
        "client objects disposed",
      );
      t.close();
      serverThreadMap.close();
      cap.close();
      await until(() => emptyTables(p.client) && p.server.stats().exports === 0, 3000, "tables empty");
    } finally {
      await p.close();
    }
  });

  Deno.test(`engine[${kind}]: pipelined calls go out before the Return and run in order`, async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => open = r);
    const seen: string[] = [];
    const init = new CapabilityServer("Init", [
      method(MAKE_ECHO, async (_p, r) => {
        await gate;
        setCap(r, 0, echoServer(seen).capability());
      }),
    ]);
    const p = await connPair(kind, { bootstrap: init });
    try {
      const cap = p.client.bootstrap();
      const made = cap.call(MAKE_ECHO);
      const e = made.pipeline(0);
      const results = Array.from({ length: 20 }, (_, i) => echo(e, `p${i}`));
      const all = Promise.all(results);
      all.catch(() => {});
      // All 20 calls reached the server (as answers waiting on makeEcho) before makeEcho returned.
      await until(() => p.server.stats().answers === 21, 3000, "pipelined calls received");
      assertEquals(seen.length, 0);
      open();
      assertEquals(await deadline(all), Array.from({ length: 20 }, (_, i) => `p${i}`));
      assertEquals(seen, Array.from({ length: 20 }, (_, i) => `p${i}`));
      // After the Return, calls go straight to the import.
      assertEquals(await deadline(echo(e, "direct")), "direct");
      e.close();
      cap.close();
      await until(() => emptyTables(p.client) && p.server.stats().exports === 0, 3000, "tables empty");
    } finally {
      await p.close();
    }
  });

  Deno.test(`engine[${kind}]: after the clients close, every table is empty and dispose hooks ran`, async () => {
    let disposed = 0;
    const init = new CapabilityServer("Init", [
      method(MAKE_ECHO, (_p, r) => setCap(r, 0, echoServer([], { dispose: () => disposed++ }).capability())),
    ]);
    const p = await connPair(kind, { bootstrap: init });
    try {
      const cap = p.client.bootstrap();
      const echos = Array.from({ length: 10 }, () => cap.call(MAKE_ECHO).pipeline(0));
      for (const e of echos) assertEquals(await deadline(echo(e, "x")), "x");
      // Two references to one import: one Release with the count once both are closed.
      const extra = echos[0].dup();
      assertEquals(p.server.stats().exports, 11);
      for (const e of echos) e.close();
      await until(() => disposed === 9, 3000, "nine disposed");
      extra.close();
      await until(() => disposed === 10, 3000, "all disposed");
      cap.close();
      await until(() => emptyTables(p.client) && emptyTables(p.server), 3000, "tables empty");
    } finally {
      await p.close();
    }
  });

  Deno.test(`engine[${kind}]: a disconnect mid-call rejects every pending call at once`, async () => {
    let disposed = 0;
    const gate = new Promise<void>(() => {});
    const p = await connPair(kind, { bootstrap: echoServer([], { gate, dispose: () => disposed++ }) });
    try {
      const cap = p.client.bootstrap();
      assertEquals(await deadline(echo(cap, "warm")), "warm");
      const pending = Array.from({ length: 10 }, () => echo(cap, "hang").then(() => "resolved", (e) => e));
      await until(() => p.server.stats().answers === 10, 3000, "calls received");
      const t0 = performance.now();
      await p.server.close();
      const errs = await deadline(Promise.all(pending), 2000);
      assert(performance.now() - t0 < 1000, "rejected promptly");
      for (const e of errs) {
        assert(e instanceof IpcError, "IpcError");
        assertEquals((e as IpcError).message, "Peer disconnected");
      }
      // Imports broke: a new call fails at once with the same reason; the server dropped its exports.
      await assertRejects(() => deadline(echo(cap, "after")), "Peer disconnected");
      assertEquals(disposed, 1);
      assertEquals((await p.client.closed).message, "Peer disconnected");
      assertEquals((await p.server.closed).message, "Connection closed");
      assert(emptyTables(p.client) && emptyTables(p.server), "tables empty after disconnect");
      cap.close();
    } finally {
      await p.close();
    }
  });
}

Deno.test("engine: superclass dispatch; a wrong interface id is 'unimplemented', never another method", async () => {
  const ran: string[] = [];
  const server = new CapabilityServer("ProcessInit", [
    method(MAKE_ECHO, (_p, r) => {
      ran.push("makeEcho");
      setCap(r, 0, echoServer().capability());
    }),
    method(ProcessInit$Client.methods[1], () => void ran.push("shutdown")),
  ]);
  const p = await connPair("memory", { bootstrap: server });
  try {
    const cap = p.client.bootstrap();
    // Init.makeEcho on a ProcessInit capability.
    const e = cap.call(MAKE_ECHO).pipeline(0);
    assertEquals(await deadline(echo(e, "via superclass")), "via superclass");
    (await cap.call(ProcessInit$Client.methods[1]).response).release();
    // Echo.echo (method 1 of Echo) to the Init capability: must not run Init method 1 (makeEcho).
    const err = await assertRejects(
      () => deadline(echo(cap, "wrong")),
      "Requested interface not implemented",
    );
    assertEquals((err as IpcError).type, "unimplemented");
    // Unknown method of a known interface.
    const err2 = await assertRejects(
      () => deadline(cap.call(ProcessInit$Client.methods[0]).response),
      "Method not implemented",
    );
    assertEquals((err2 as IpcError).type, "unimplemented");
    assertEquals(ran, ["makeEcho", "shutdown"]);
    e.close();
    cap.close();
  } finally {
    await p.close();
  }
});

Deno.test("engine: calls on a pipelined result that turns out to be our own capability work, in order", async () => {
  // The server's construct returns the ThreadMap the client passed in: pipelined calls made on the result go
  // client -> server -> client; once the Return arrives the result is local, and later calls must not
  // overtake the ones still travelling.
  const server = new CapabilityServer("Init", [
    method(CONSTRUCT, async (p, r) => {
      await sleep(20);
      setCap(r, 0, getCap(p, 0)!.dup());
    }),
  ]);
  const order: string[] = [];
  const localMap = new CapabilityServer("ThreadMap", [
    method(MAKE_THREAD, (p) => void order.push(p.name)),
  ]);
  const p = await connPair("unix", { bootstrap: server });
  try {
    const cap = p.client.bootstrap();
    const c = cap.call(CONSTRUCT, (q) => setCap(q, 0, localMap.capability()));
    const loop = c.pipeline(0);
    const calls: Promise<unknown>[] = [];
    const send = (name: string) =>
      calls.push(loop.call(MAKE_THREAD, (q) => void (q.name = name)).response.then((r) => r.release()));
    for (let i = 0; i < 5; i++) send(`early${i}`);
    (await deadline(c.response)).release();
    // The Return arrived: the pipeline resolved to our own ThreadMap, behind an embargo.
    for (let i = 0; i < 5; i++) send(`late${i}`);
    await deadline(Promise.all(calls));
    assertEquals(
      order,
      [0, 1, 2, 3, 4].map((i) => `early${i}`).concat([0, 1, 2, 3, 4].map((i) => `late${i}`)),
    );
    loop.close();
    cap.close();
    await until(() => emptyTables(p.client) && emptyTables(p.server), 3000, "tables empty");
  } finally {
    await p.close();
  }
});

Deno.test("engine: a pipelined answer resolving to our own capability is embargoed until the loopback", async () => {
  const order: string[] = [];
  const localMap = new CapabilityServer("ThreadMap", [method(MAKE_THREAD, (p) => void order.push(p.name))]);
  const r = await rawPair("memory", { bootstrap: localMap });
  try {
    // Learn the export id of our ThreadMap (the peer bootstraps us).
    await r.peer.send(rpcMessage((m) => void (m._initBootstrap().questionId = 0)));
    const ourExport =
      (await r.peer.recvKind(rpc.Message.RETURN)).msg.return.results.capTable.get(0).senderHosted;
    const cap = r.conn.bootstrap();
    const bootQ = (await r.peer.recvKind(rpc.Message.BOOTSTRAP)).msg.bootstrap.questionId;
    const c = cap.call(CONSTRUCT);
    const loop = c.pipeline(0);
    const early = loop.call(MAKE_THREAD, (q) => void (q.name = "early")).response.then((x) => x.release());
    const constructQ = (await r.peer.recvKind(rpc.Message.CALL)).msg.call;
    assertEquals(constructQ.target.promisedAnswer.questionId, bootQ);
    const earlyQ = (await r.peer.recvKind(rpc.Message.CALL)).msg.call;
    assertEquals(earlyQ.target.promisedAnswer.questionId, constructQ.questionId);
    // construct returns our own ThreadMap: the early call is still with the peer.
    await r.peer.send(rpcMessage((m) => {
      const ret = m._initReturn();
      ret.answerId = constructQ.questionId;
      const res = ret._initResults();
      res._initCapTable(1).get(0).receiverHosted = ourExport;
      const s = initStructAt(CONSTRUCT.ResultsClass, res.content);
      $.utils.setInterfacePointer(0, $.utils.getPointer(0, s));
    }));
    const { msg: dmsg, skipped } = await r.peer.recvKind(rpc.Message.DISEMBARGO);
    const d = dmsg.disembargo;
    assertEquals(d.target.promisedAnswer.questionId, constructQ.questionId);
    const finish = (await r.peer.recvKind(rpc.Message.FINISH)).msg.finish;
    assertEquals(finish.questionId, constructQ.questionId);
    assert(skipped.every((m) => m.which() !== rpc.Message.FINISH), "Disembargo precedes Finish");
    const late = loop.call(MAKE_THREAD, (q) => void (q.name = "late")).response.then((x) => x.release());
    await sleep(20);
    assertEquals(order, [], "the late call is held by the embargo");
    // The peer delivers the early call back to us, then reflects the Disembargo.
    await r.peer.send(
      rpcMessage((m) => {
        const call = m._initCall();
        call.questionId = 1;
        call.interfaceId = ThreadMap$Client.interfaceId;
        call.methodId = 0;
        call._initTarget().importedCap = ourExport;
        initStructAt(MAKE_THREAD.ParamsClass, call._initParams().content).name = "early";
      }),
      rpcMessage((m) => {
        const dd = m._initDisembargo();
        dd._initTarget().importedCap = ourExport;
        dd._initContext().receiverLoopback = d.context.senderLoopback;
      }),
    );
    await deadline(late);
    assertEquals(order, ["early", "late"]);
    await r.peer.send(rpcMessage((m) => {
      const ret = m._initReturn();
      ret.answerId = earlyQ.questionId;
      initStructAt(MAKE_THREAD.ResultsClass, ret._initResults().content);
    }));
    await deadline(early);
    loop.close();
    cap.close();
    // Only the bootstrap question (never answered by this peer) remains.
    await until(() => r.conn.stats().embargoes === 0 && r.conn.stats().questions === 1, 3000, "settled");
  } finally {
    await r.close();
  }
});

Deno.test("engine: both sides serve a bootstrap capability and call each other", async () => {
  const p = await connPair("memory", { bootstrap: echoServer() }, { bootstrap: echoServer() });
  try {
    const a = p.client.bootstrap();
    const b = p.server.bootstrap();
    assertEquals(await deadline(echo(a, "to server")), "to server");
    assertEquals(await deadline(echo(b, "to client")), "to client");
    a.close();
    b.close();
    await until(() => emptyTables(p.client) && emptyTables(p.server), 3000, "tables empty");
  } finally {
    await p.close();
  }
});

Deno.test("engine: bootstrap of a vat that serves nothing fails cleanly", async () => {
  const p = await connPair("memory");
  try {
    const cap = p.client.bootstrap();
    await assertRejects(() => deadline(echo(cap, "x")), "does not expose any public/bootstrap interfaces");
    cap.close();
  } finally {
    await p.close();
  }
});

Deno.test("engine: maxQuestions refuses local calls as 'overloaded'; maxAnswers aborts a flooding peer", async () => {
  const gate = new Promise<void>(() => {});
  const p = await connPair("memory", { bootstrap: echoServer([], { gate }), limits: { maxAnswers: 20 } }, {
    limits: { maxQuestions: 5 },
  });
  try {
    const cap = p.client.bootstrap();
    const hanging = Array.from({ length: 4 }, () => echo(cap, "hang").catch((e) => e));
    const e = await assertRejects(() => echo(cap, "one too many"), "Too many calls in flight (5)");
    assertEquals((e as IpcError).type, "overloaded");
    await p.client.close();
    for (const r of await deadline(Promise.all(hanging))) assert(r instanceof IpcError);
    cap.close();
  } finally {
    await p.close();
  }
  const q = await connPair("memory", { bootstrap: echoServer([], { gate }), limits: { maxAnswers: 20 } });
  try {
    const cap = q.client.bootstrap();
    const calls = Array.from({ length: 30 }, () => echo(cap, "hang").catch((e: Error) => e.message));
    const results = await deadline(Promise.all(calls));
    assert(
      results.every((m) => typeof m === "string" && m.includes("Too many calls in flight from the peer")),
    );
    assertEquals((await q.server.closed).message, "Too many calls in flight from the peer (20)");
    cap.close();
  } finally {
    await q.close();
  }
});

Deno.test("engine: garbage on the wire aborts the connection with a clear error (Abort sent)", async () => {
  const r = await rawPair("memory", { bootstrap: echoServer() });
  try {
    const junk = new Uint8Array(64);
    new DataView(junk.buffer).setUint32(0, 100000, true);
    await r.peer.sendBytes(junk);
    const { msg } = await r.peer.recvKind(rpc.Message.ABORT);
    assert(msg.abort.reason.includes("segments exceed the limit of 512"), msg.abort.reason);
    assert(await r.peer.ended(), "stream closed");
    assert((await deadline(r.conn.closed)).message.includes("Cannot parse frame"));
  } finally {
    await r.close();
  }
});

Deno.test("engine: a well-framed message with a garbage body aborts, never crashes", async () => {
  const r = await rawPair("unix", { bootstrap: echoServer() });
  try {
    const frame = new Uint8Array(8 + 16);
    const dv = new DataView(frame.buffer);
    dv.setUint32(4, 2, true);
    dv.setUint32(8, 0xfffffff0, true); // struct pointer far out of bounds
    dv.setUint32(12, 0x00010001, true);
    await r.peer.sendBytes(frame);
    const { msg } = await r.peer.recvKind(rpc.Message.ABORT);
    assert(msg.abort.reason.startsWith("Invalid message"), msg.abort.reason);
    assert((await deadline(r.conn.closed)).message.startsWith("Invalid message"));
  } finally {
    await r.close();
  }
});

Deno.test("engine: protocol violations abort (duplicate question, bad Release, bad Finish)", async () => {
  const bootstrapMsg = (qid: number) => rpcMessage((m) => void (m._initBootstrap().questionId = qid));
  for (
    const [name, msgs, reason] of [
      ["duplicate question", [bootstrapMsg(0), bootstrapMsg(0)], "Question ID 0 is already in use"],
      ["bad release", [rpcMessage((m) => {
        const r = m._initRelease();
        r.id = 42;
        r.referenceCount = 1;
      })], "Tried to release invalid export ID 42"],
      [
        "bad finish",
        [rpcMessage((m) => void (m._initFinish().questionId = 9))],
        "'Finish' for invalid question ID 9",
      ],
      [
        "bad return",
        [rpcMessage((m) => void (m._initReturn().answerId = 3))],
        "Invalid question ID in Return",
      ],
    ] as const
  ) {
    const r = await rawPair("memory", { bootstrap: echoServer() });
    try {
      await r.peer.send(...msgs);
      const { msg } = await r.peer.recvKind(rpc.Message.ABORT);
      assert(msg.abort.reason.includes(reason), `${name}: ${msg.abort.reason}`);
      assert((await deadline(r.conn.closed)).message.includes(reason), name);
    } finally {
      await r.close();
    }
  }
});

Deno.test("engine: unknown message kinds are echoed as 'unimplemented' and the connection goes on", async () => {
  const r = await rawPair("memory", { bootstrap: echoServer() });
  try {
    await r.peer.send(rpcMessage((m) => void (m._initJoin().questionId = 77)));
    const { msg } = await r.peer.recvKind(rpc.Message.UNIMPLEMENTED);
    assertEquals(msg.unimplemented.which(), rpc.Message.JOIN);
    assertEquals(msg.unimplemented.join.questionId, 77);
    // Still serving.
    await r.peer.send(rpcMessage((m) => void (m._initBootstrap().questionId = 0)));
    const ret = (await r.peer.recvKind(rpc.Message.RETURN)).msg.return;
    assertEquals(ret.which(), rpc.Return.RESULTS);
    assertEquals(ret.results.capTable.get(0).which(), rpc.CapDescriptor.SENDER_HOSTED);
  } finally {
    await r.close();
  }
});

Deno.test("engine: Finish before Return with releaseResultCaps drops the result's exports", async () => {
  let open!: () => void;
  const gate = new Promise<void>((r) => open = r);
  let disposed = 0;
  const init = new CapabilityServer("Init", [
    method(MAKE_ECHO, async (_p, r) => {
      await gate;
      setCap(r, 0, echoServer([], { dispose: () => disposed++ }).capability());
    }),
  ]);
  const r = await rawPair("memory", { bootstrap: init });
  try {
    await r.peer.send(
      rpcMessage((m) => void (m._initBootstrap().questionId = 0)),
      rpcMessage((m) => {
        const c = m._initCall();
        c.questionId = 1;
        c.interfaceId = Init$Client.interfaceId;
        c.methodId = 1;
        c._initTarget()._initPromisedAnswer().questionId = 0;
        c._initParams();
      }),
      rpcMessage((m) => {
        const f = m._initFinish();
        f.questionId = 1;
        f.releaseResultCaps = true;
      }),
    );
    await until(() => r.conn.stats().answers === 2, 3000, "two answers");
    open();
    let ret: rpc.Return | null = null;
    while (ret === null || ret.answerId !== 1) ret = (await r.peer.recvKind(rpc.Message.RETURN)).msg.return;
    assertEquals(ret.results.capTable.get(0).which(), rpc.CapDescriptor.SENDER_HOSTED);
    await until(() => disposed === 1, 3000, "result export released");
    const s = r.conn.stats();
    assertEquals([s.answers, s.exports], [1, 1]); // the bootstrap answer and its export remain
  } finally {
    await r.close();
  }
});

Deno.test("engine: answers a Disembargo senderLoopback after the calls it forwarded", async () => {
  // The peer passes its own capability (export 5) to construct, which returns it; a pipelined call on the
  // result is forwarded back to the peer; the peer's Disembargo must be reflected after that forwarded call.
  let open!: () => void;
  const gate = new Promise<void>((r) => open = r);
  const init = new CapabilityServer("Init", [
    method(CONSTRUCT, async (p, r) => {
      await gate;
      setCap(r, 0, getCap(p, 0)!.dup());
    }),
  ]);
  const r = await rawPair("memory", { bootstrap: init });
  try {
    await r.peer.send(
      rpcMessage((m) => void (m._initBootstrap().questionId = 0)),
      rpcMessage((m) => {
        const c = m._initCall();
        c.questionId = 1;
        c.interfaceId = Init$Client.interfaceId;
        c.methodId = 0;
        c._initTarget()._initPromisedAnswer().questionId = 0;
        const params = c._initParams();
        params._initCapTable(1).get(0).senderHosted = 5;
        const s = initStructAt(CONSTRUCT.ParamsClass, params.content);
        $.utils.setInterfacePointer(0, $.utils.getPointer(0, s));
      }),
      rpcMessage((m) => {
        const c = m._initCall();
        c.questionId = 2;
        c.interfaceId = ThreadMap$Client.interfaceId;
        c.methodId = 0;
        const pa = c._initTarget()._initPromisedAnswer();
        pa.questionId = 1;
        pa._initTransform(1).get(0).getPointerField = 0;
        c._initParams();
      }),
    );
    await until(() => r.conn.stats().answers === 3, 3000, "answers");
    open();
    // The Return for construct names our own export 5 back to us.
    let ret: rpc.Return | null = null;
    const seen: rpc.Message[] = [];
    while (ret === null || ret.answerId !== 1) {
      const got = await r.peer.recv();
      assert(got !== null, "stream open");
      seen.push(got);
      if (got.which() === rpc.Message.RETURN) ret = got.return;
    }
    assertEquals(ret.results.capTable.get(0).which(), rpc.CapDescriptor.RECEIVER_HOSTED);
    assertEquals(ret.results.capTable.get(0).receiverHosted, 5);
    await r.peer.send(rpcMessage((m) => {
      const d = m._initDisembargo();
      const pa = d._initTarget()._initPromisedAnswer();
      pa.questionId = 1;
      pa._initTransform(1).get(0).getPointerField = 0;
      d._initContext().senderLoopback = 9;
    }));
    for (;;) {
      const got = await r.peer.recv();
      assert(got !== null, "stream open");
      seen.push(got);
      if (got.which() === rpc.Message.DISEMBARGO) {
        assertEquals(got.disembargo.context.receiverLoopback, 9);
        assertEquals(got.disembargo.target.importedCap, 5);
        break;
      }
    }
    // The forwarded makeThread call (to our import 5) was sent before the reflected Disembargo.
    const fwd = seen.findIndex((m) => m.which() === rpc.Message.CALL && m.call.target._isImportedCap);
    const dis = seen.findIndex((m) => m.which() === rpc.Message.DISEMBARGO);
    assert(fwd >= 0 && fwd < dis, `forwarded call (${fwd}) before disembargo (${dis})`);
    assertEquals(seen[fwd].call.target.importedCap, 5);
  } finally {
    await r.close();
  }
});

Deno.test("engine: senderPromise + Resolve: calls follow the resolution; Release for both imports", async () => {
  const r = await rawPair("memory");
  try {
    const cap = r.conn.bootstrap();
    const { msg: boot } = await r.peer.recvKind(rpc.Message.BOOTSTRAP);
    const bootQ = boot.bootstrap.questionId;
    // Answer with a promise (export 7): content = interface pointer #0.
    await r.peer.send(rpcMessage((m) => {
      const ret = m._initReturn();
      ret.answerId = bootQ;
      ret.releaseParamCaps = false;
      const res = ret._initResults();
      res._initCapTable(1).get(0).senderPromise = 7;
      $.utils.setInterfacePointer(0, res.content);
    }));
    await r.peer.recvKind(rpc.Message.FINISH);
    const first = echo(cap, "one").catch((e) => e);
    const c1 = (await r.peer.recvKind(rpc.Message.CALL)).msg.call;
    assertEquals(c1.target.importedCap, 7);
    // Resolve the promise to another of the peer's objects (export 8): no embargo needed.
    await r.peer.send(rpcMessage((m) => {
      const res = m._initResolve();
      res.promiseId = 7;
      res._initCap().senderHosted = 8;
    }));
    await sleep(10);
    const second = echo(cap, "two").catch((e) => e);
    const c2 = (await r.peer.recvKind(rpc.Message.CALL)).msg.call;
    assertEquals(c2.target.importedCap, 8);
    // Answer both with exceptions (the content is irrelevant here).
    for (const q of [c1.questionId, c2.questionId]) {
      await r.peer.send(rpcMessage((m) => {
        const ret = m._initReturn();
        ret.answerId = q;
        ret._initException().reason = "nope";
      }));
    }
    assertEquals(((await first) as Error).message, "nope");
    assertEquals(((await second) as Error).message, "nope");
    cap.close();
    const released = new Map<number, number>();
    while (released.size < 2) {
      const { msg } = await r.peer.recvKind(rpc.Message.RELEASE);
      released.set(msg.release.id, msg.release.referenceCount);
    }
    assertEquals([...released.entries()].sort(), [[7, 1], [8, 1]]);
    const s = r.conn.stats();
    assertEquals([s.imports, s.questions], [0, 0]);
  } finally {
    await r.close();
  }
});

Deno.test("engine: a Resolve to one of our own objects embargoes until the loopback returns", async () => {
  const seen: string[] = [];
  const local = echoServer(seen);
  const r = await rawPair("memory", { bootstrap: local });
  try {
    // The peer bootstraps us (we export our Echo as 0), and gives us a promise from its bootstrap.
    await r.peer.send(rpcMessage((m) => void (m._initBootstrap().questionId = 0)));
    const ourRet = (await r.peer.recvKind(rpc.Message.RETURN)).msg.return;
    const ourExport = ourRet.results.capTable.get(0).senderHosted;
    const cap = r.conn.bootstrap();
    const bootQ = (await r.peer.recvKind(rpc.Message.BOOTSTRAP)).msg.bootstrap.questionId;
    await r.peer.send(rpcMessage((m) => {
      const ret = m._initReturn();
      ret.answerId = bootQ;
      const res = ret._initResults();
      res._initCapTable(1).get(0).senderPromise = 3;
      $.utils.setInterfacePointer(0, res.content);
    }));
    const early = echo(cap, "early");
    const c1 = (await r.peer.recvKind(rpc.Message.CALL)).msg.call;
    assertEquals(c1.target.importedCap, 3);
    // The promise resolves to our own Echo: we must embargo.
    await r.peer.send(rpcMessage((m) => {
      const res = m._initResolve();
      res.promiseId = 3;
      res._initCap().receiverHosted = ourExport;
    }));
    const d = (await r.peer.recvKind(rpc.Message.DISEMBARGO)).msg.disembargo;
    assertEquals(d.target.importedCap, 3);
    const embargoId = d.context.senderLoopback;
    const late = echo(cap, "late");
    await sleep(20);
    assertEquals(seen, [], "held by the embargo");
    // The peer first delivers the early call back to us (as a call on our export), then reflects.
    await r.peer.send(
      rpcMessage((m) => {
        const c = m._initCall();
        c.questionId = 5;
        c.interfaceId = Echo$Client.interfaceId;
        c.methodId = 1;
        c._initTarget().importedCap = ourExport;
        initStructAt(ECHO.ParamsClass, c._initParams().content).echo = "early";
      }),
      rpcMessage((m) => {
        const dd = m._initDisembargo();
        dd._initTarget().importedCap = ourExport;
        dd._initContext().receiverLoopback = embargoId;
      }),
    );
    assertEquals(await deadline(late), "late");
    assertEquals(seen, ["early", "late"]);
    await r.peer.send(rpcMessage((m) => {
      const ret = m._initReturn();
      ret.answerId = c1.questionId;
      ret._initException().reason = "early failed";
    }));
    await assertRejects(() => deadline(early), "early failed");
    cap.close();
  } finally {
    await r.close();
  }
});

Deno.test("engine: an Abort from the peer ends the connection with its reason; calls reject", async () => {
  const r = await rawPair("memory");
  try {
    const cap = r.conn.bootstrap();
    const pending = echo(cap, "x").catch((e) => e);
    await r.peer.recvKind(rpc.Message.CALL);
    await r.peer.send(rpcMessage((m) => void (m._initAbort().reason = "going away")));
    const e = await deadline(pending);
    assertEquals((e as Error).message, "Peer aborted the connection: going away");
    assertEquals((await r.conn.closed).message, "Peer aborted the connection: going away");
    cap.close();
  } finally {
    await r.close();
  }
});

Deno.test("engine: a server method that throws synchronously, or a dispose hook that throws, harms nothing", async () => {
  const server = new CapabilityServer("Echo", [
    method(ECHO, () => {
      throw new TypeError("sync throw");
    }),
  ], {
    dispose: () => {
      throw new Error("dispose throws");
    },
  });
  const [a, b] = memoryStreamPair();
  const s = new IpcConnection(a, { name: "s", bootstrap: server });
  const c = new IpcConnection(b, { name: "c" });
  const cap = c.bootstrap();
  await assertRejects(() => deadline(echo(cap, "x")), "sync throw");
  cap.close();
  await deadline(Promise.all([c.close(), s.close()]));
});

Deno.test("engine: PendingCall.response of an unobserved failing call is never an unhandled rejection", async () => {
  const p = await connPair("memory", { bootstrap: echoServer() });
  try {
    const cap = p.client.bootstrap();
    // Fire and forget, failing calls: an unhandled rejection would fail this test run.
    const calls: PendingCall<Echo_Echo$Results>[] = [];
    for (let i = 0; i < 5; i++) calls.push(cap.call(ECHO, (q) => void (q.echo = "throw")));
    const bad = cap.call(ProcessInit$Client.methods[0]);
    void bad;
    await sleep(50);
    cap.close();
  } finally {
    await p.close();
  }
});

Deno.test("engine: the export limit fails the call that would exceed it, leaking nothing", async () => {
  const threads = new CapabilityServer("ThreadMap", [
    method(MAKE_THREAD, (_p, r) => setCap(r, 0, new CapabilityServer("Thread", []).capability())),
  ]);
  const p = await connPair("memory", { bootstrap: threads, limits: { maxCapabilities: 3 } });
  try {
    const map = p.client.bootstrap();
    const made: Capability[] = [];
    for (let i = 0; i < 2; i++) {
      const t = map.call(MAKE_THREAD).pipeline(0);
      await deadline(t.whenResolved());
      made.push(t);
    }
    assertEquals(p.server.stats().exports, 3);
    const over = map.call(MAKE_THREAD);
    const e = await assertRejects(() => deadline(over.response), "Too many capabilities exported (3)");
    assertEquals((e as IpcError).type, "overloaded");
    assertEquals(p.server.stats().exports, 3);
    for (const t of made) t.close();
    map.close();
    await until(() => emptyTables(p.client) && emptyTables(p.server), 3000, "tables empty");
  } finally {
    await p.close();
  }
});
