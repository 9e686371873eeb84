import { CapabilityServer, getCap, method, setCap, writeText } from "../../../ipc/capability.ts";
import { Echo$Client } from "../../../ipc/capnp/gen/echo.ts";
import { Init$Client } from "../../../ipc/capnp/gen/init.ts";
import type { Context } from "../../../ipc/capnp/gen/proxy.ts";
import { type ConnectionStats, IpcConnection, IpcError } from "../../../ipc/connection.ts";
import { bootstrapInit, InitClient, serveInit } from "../../../ipc/proxies/init.ts";
import { serveEcho } from "../../../ipc/proxies/echo.ts";
import { contextOf, runOnThread, serveThreadMap, ThreadServer } from "../../../ipc/proxies/thread.ts";
import { memoryStreamPair } from "../../../ipc/transport.ts";
import { makeEcho } from "../../../interfaces/echo.ts";
import type { Init, ProcessInfo } from "../../../interfaces/init.ts";
import type { Rpc } from "../../../interfaces/rpc.ts";
import { assert, assertEquals, assertRejects } from "../../assert.ts";
import { connPair, deadline, until } from "../helpers.ts";

const INFO: ProcessInfo = {
  mode: "node",
  pid: 4242,
  name: "tsbtc-node",
  permissions: { read: ["/tmp"], write: false, net: true, env: false, run: false, ffi: false, sys: false },
  sandbox: "flags",
};

function impl(extra: Partial<Init> = {}, calls: string[] = []): Init {
  return {
    makeEcho: () => {
      calls.push("makeEcho");
      return makeEcho();
    },
    makeRpc: (): Rpc => {
      calls.push("makeRpc");
      return {
        executeRpc: (request, uri, user) => Promise.resolve(JSON.stringify({ request, uri, user })),
        close: () => Promise.resolve(),
      };
    },
    getInfo: () => Promise.resolve(INFO),
    shutdown: () => {
      calls.push("shutdown");
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
    ...extra,
  };
}

function empty(s: ConnectionStats): boolean {
  return s.questions === 0 && s.answers === 0 && s.imports === 0 && s.exports === 0;
}

for (const kind of ["memory", "unix"] as const) {
  Deno.test(`init[${kind}]: an Init over IPC behaves as the in-process one; tables empty afterwards`, async () => {
    const calls: string[] = [];
    const p = await connPair(kind, { bootstrap: serveInit(impl({}, calls)) });
    try {
      const init = bootstrapInit(p.client);
      const echo = init.makeEcho();
      // makeEcho, construct and makeThread are all pipelined: one round trip for the first echo.
      assertEquals(await deadline(echo.echo("hello")), "hello");
      assertEquals(await deadline(echo.echo("")), "");
      assertEquals(await deadline(echo.echo("₿ ünïcode")), "₿ ünïcode");
      const rpc = init.makeRpc();
      assertEquals(
        JSON.parse(await deadline(rpc.executeRpc('{"method":"getblockcount"}', "/wallet/w", "alice"))),
        { request: '{"method":"getblockcount"}', uri: "/wallet/w", user: "alice" },
      );
      assertEquals(await deadline(init.getInfo()), INFO);
      await deadline(init.shutdown());
      assertEquals(calls, ["makeEcho", "makeRpc", "shutdown"]);
      await echo.close();
      await echo.close(); // idempotent
      await rpc.close();
      await init.close();
      await until(() => empty(p.client.stats()) && empty(p.server.stats()), 3000, "tables empty");
    } finally {
      await p.close();
    }
  });
}

Deno.test("init: errors of the implementation reach the caller; makeMining is unimplemented", async () => {
  const p = await connPair("memory", {
    bootstrap: serveInit(impl({
      makeRpc: () => {
        throw new Error("this process serves no JSON-RPC");
      },
      getInfo: () => Promise.reject(new Error("info unavailable")),
    })),
  });
  try {
    const init = bootstrapInit(p.client);
    const rpc = init.makeRpc(); // returns at once; fails on first use
    await assertRejects(() => deadline(rpc.executeRpc("{}", "/", "")), "this process serves no JSON-RPC");
    await assertRejects(() => deadline(init.getInfo()), "info unavailable");
    const cap = init.capability;
    const e = await assertRejects(
      () => deadline(cap.call(Init$Client.methods[3]).response),
      "Mining interface",
    );
    assertEquals((e as IpcError).type, "unimplemented");
    await rpc.close();
    await init.close();
  } finally {
    await p.close();
  }
});

Deno.test("init: a plain Init server (as Core's) answers getInfo 'unimplemented'; InitClient works with it", async () => {
  // An Init with just construct/makeEcho, like a server that knows nothing of ProcessInit.
  const server = new CapabilityServer("Init", [
    method(Init$Client.methods[0], (_p, r) => setCap(r, 0, serveThreadMap().capability())),
    method(Init$Client.methods[1], (_p, r) => setCap(r, 0, serveEcho(makeEcho()).capability())),
  ]);
  const p = await connPair("memory", { bootstrap: server });
  try {
    const init = new InitClient(p.client.bootstrap());
    const echo = init.makeEcho();
    assertEquals(await deadline(echo.echo("x")), "x");
    const e = await assertRejects(() => deadline(init.getInfo()), "Requested interface not implemented");
    assert(e instanceof IpcError && e.remote && e.type === "unimplemented");
    await echo.close();
    await init.close();
  } finally {
    await p.close();
  }
});

Deno.test("init: every call names the thread made through the peer's ThreadMap", async () => {
  // An Echo that records, for each call, the name of the local Thread its context names.
  const seen: string[] = [];
  const threadName = (ctx: Context | null) => {
    const cap = ctx ? getCap(ctx, 0) : null;
    const s = cap?.localServer();
    return s instanceof ThreadServer ? s.threadName : cap ? "not a local thread" : "none";
  };
  const echoServer = new CapabilityServer("Echo", [
    method(Echo$Client.methods[1], async (p, r) => {
      const ctx = contextOf(p);
      await runOnThread(ctx, () => seen.push(threadName(ctx)));
      writeText(r, 0, "ok");
    }),
  ]);
  const init = new CapabilityServer("Init", [
    method(Init$Client.methods[0], (_p, r) => setCap(r, 0, serveThreadMap().capability())),
    method(Init$Client.methods[1], (_p, r) => setCap(r, 0, echoServer.capability())),
  ]);
  const [a, b] = memoryStreamPair();
  const s = new IpcConnection(a, { name: "s", bootstrap: init });
  const c = new IpcConnection(b, { name: "c" });
  const client = bootstrapInit(c, { threadName: "rpc-thread-1" });
  const echo = client.makeEcho();
  assertEquals(await deadline(echo.echo("1")), "ok");
  assertEquals(await deadline(echo.echo("2")), "ok");
  assertEquals(seen, ["rpc-thread-1", "rpc-thread-1"]);
  await assertRejects(() => echo.close(), "Method not implemented"); // this Echo has no destroy
  await client.close();
  await c.close();
  await s.close();
});
