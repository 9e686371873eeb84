import {
  CapabilityServer,
  initStructAt,
  newMessage,
  readText,
  rootPointer,
  setCap,
  writeText,
} from "../../../ipc/capability.ts";
import { Context, Thread$Client, ThreadMap$Client } from "../../../ipc/capnp/gen/proxy.ts";
import { IpcConnection } from "../../../ipc/connection.ts";
import { bootstrapInit, InitClient, serveInit } from "../../../ipc/proxies/init.ts";
import { runOnThread, serveThreadMap, ThreadExecutor, ThreadServer } from "../../../ipc/proxies/thread.ts";
import { memoryStreamPair } from "../../../ipc/transport.ts";
import type { Echo } from "../../../interfaces/echo.ts";
import type { Init } from "../../../interfaces/init.ts";
import { assert, assertEquals, assertRejects } from "../../assert.ts";
import { deadline, until } from "../helpers.ts";

Deno.test("thread: an executor runs tasks one at a time, in order, errors included", async () => {
  const ex = new ThreadExecutor();
  const log: string[] = [];
  const task = (name: string, ms: number, fail = false) =>
    ex.run(async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    });
  const a = task("a", 20);
  const b = task("b", 1, true);
  const c = task("c", 1);
  assertEquals(await a, "a");
  await assertRejects(() => b, "b");
  assertEquals(await c, "c");
  assertEquals(log, ["start a", "end a", "start b", "end b", "start c", "end c"]);
  assertEquals(ex.pending, 0);
});

Deno.test("thread: an idle executor starts a task at once; tasks given by a running task wait for it", async () => {
  const ex = new ThreadExecutor();
  const log: string[] = [];
  let inner: Promise<string> | null = null;
  const outer = ex.run(async () => {
    log.push("start outer");
    // Given during outer's synchronous part: must still run after outer has settled.
    inner = ex.run(() => {
      log.push("inner");
      return "inner";
    });
    await new Promise((r) => setTimeout(r, 5));
    log.push("end outer");
    return "outer";
  });
  assertEquals(log, ["start outer"]); // started synchronously
  assertEquals(ex.pending, 2);
  const after = ex.run(() => {
    log.push("after");
    return "after";
  });
  assertEquals(await outer, "outer");
  assertEquals(await inner!, "inner");
  assertEquals(await after, "after");
  assertEquals(log, ["start outer", "end outer", "inner", "after"]);
  assertEquals(ex.pending, 0);
  // A synchronous throw becomes a rejection, and the queue goes on.
  await assertRejects(() =>
    ex.run(() => {
      throw new Error("sync");
    }), "sync");
  assertEquals(await ex.run(() => 7), 7);
  assertEquals(ex.pending, 0);
});

Deno.test("thread: runOnThread: no thread runs at once; a foreign capability is 'invalid thread handle'", async () => {
  const ctx = initStructAt(Context, rootPointer(newMessage()));
  assertEquals(await runOnThread(null, () => 1), 1);
  assertEquals(await runOnThread(ctx, () => 2), 2);
  const thread = new ThreadServer("t");
  setCap(ctx, 0, thread.capability());
  assertEquals(await runOnThread(ctx, () => 3), 3);
  const ctx2 = initStructAt(Context, rootPointer(newMessage()));
  setCap(ctx2, 0, new CapabilityServer("NotAThread", []).capability());
  await assertRejects(() => runOnThread(ctx2, () => 4), "invalid thread handle");
});

Deno.test("thread: over IPC, calls on one thread are serial and in order; other threads run meanwhile", async () => {
  const log: string[] = [];
  const gates = new Map<string, () => void>();
  const slowEcho = (): Echo => ({
    echo: async (m) => {
      log.push(`start ${m}`);
      if (m.startsWith("slow")) await new Promise<void>((r) => gates.set(m, r));
      log.push(`end ${m}`);
      return m;
    },
    close: () => Promise.resolve(),
  });
  const impl: Init = {
    makeEcho: slowEcho,
    makeRpc: () => {
      throw new Error("no");
    },
    getInfo: () => Promise.reject(new Error("no")),
    shutdown: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  const [a, b] = memoryStreamPair();
  const server = new IpcConnection(a, { name: "s", bootstrap: serveInit(impl) });
  const client = new IpcConnection(b, { name: "c" });
  // Two clients on one connection: two threads made through the server's ThreadMap.
  const initA = bootstrapInit(client, { threadName: "A" });
  const initB = new InitClient(client.bootstrap(), { threadName: "B" });
  const echoA = initA.makeEcho();
  const echoB = initB.makeEcho();
  await deadline(Promise.all([echoA.echo("warm A"), echoB.echo("warm B")]));
  log.length = 0;
  const a1 = echoA.echo("slow A1");
  const a2 = echoA.echo("A2");
  const b1 = echoB.echo("B1");
  assertEquals(await deadline(b1), "B1"); // thread B is not held up by A's slow call
  await until(() => gates.has("slow A1"), 2000, "A1 started");
  assert(!log.includes("start A2"), "A2 waits for A1 on the same thread");
  gates.get("slow A1")!();
  assertEquals(await deadline(Promise.all([a1, a2])), ["slow A1", "A2"]);
  assertEquals(log.filter((l) => l.includes("A")), ["start slow A1", "end slow A1", "start A2", "end A2"]);
  await echoA.close();
  await echoB.close();
  await initA.close();
  await initB.close();
  await client.close();
  await server.close();
});

Deno.test("thread: a ThreadMap makes named threads; getName answers the name", async () => {
  const map = serveThreadMap().capability();
  const t = map.call(ThreadMap$Client.methods[0], (p) => writeText(p, 0, "worker-1")).pipeline(0);
  const resp = await deadline(t.call(Thread$Client.methods[0]).response);
  assertEquals(readText(resp.results, 0), "worker-1");
  resp.release();
  assert(t.localServer() instanceof ThreadServer);
  t.close();
  map.close();
});
