/**
 * Wire compatibility with the C++ Cap'n Proto library (capnp 0.9, Debian `libcapnp-dev`, what Bitcoin Core's
 * libmultiprocess is built on), both directions, over unix sockets:
 *
 * - a C++ client (`interop/client.c++`) against tsbtc's `serveInit` behind `listenIpc`: construct with its own
 *   ThreadMap, pipelined makeThread / makeEcho / echo before any Return, makeRpc → executeRpc, exceptions,
 *   destroy and release, then our connection tables must be empty;
 * - tsbtc's `InitClient` through `connectIpc` against a C++ server (`interop/server.c++`), which calls back
 *   into the ThreadMap we pass to construct and checks that our calls' `context.thread` is its own Thread.
 *
 * The C++ programs are built with g++ (cached in the temp dir by source hash). Missing g++/capnp/libcapnp-dev
 * fails the test with a message saying what to install: CI installs them.
 */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { parseIpcAddress } from "../../ipc/address.ts";
import { connectIpc, listenIpc } from "../../ipc/listener.ts";
import { IpcConnection } from "../../ipc/connection.ts";
import { bootstrapInit, serveInit } from "../../ipc/proxies/init.ts";
import { makeProcessInit } from "../../interfaces/process_init.ts";
import type { Echo } from "../../interfaces/echo.ts";
import type { Init } from "../../interfaces/init.ts";
import { buildCppPrograms } from "./interop/cpp_build.ts";

const programs = buildCppPrograms(["interop_client", "interop_server", "echo_bench"]);
programs.catch(() => {}); // reported by the test that awaits it

/** Lines of a child's stdout, with waiting for a given line (bounded: never hangs). */
class Lines {
  lines: string[] = [];
  #waiters: (() => void)[] = [];
  #ended = false;
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = (async () => {
      let buf = "";
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        buf += chunk;
        let i;
        while ((i = buf.indexOf("\n")) >= 0) {
          this.lines.push(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
        this.#wake();
      }
      if (buf) this.lines.push(buf);
      this.#ended = true;
      this.#wake();
    })();
  }

  #wake() {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** Waits for a line matching `want`; fails with everything seen so far after `ms`. */
  async waitFor(want: string | RegExp, ms = 15000): Promise<string> {
    const deadline = Date.now() + ms;
    const match = (l: string) => typeof want === "string" ? l === want : want.test(l);
    while (true) {
      const found = this.lines.find(match);
      if (found !== undefined) return found;
      if (this.#ended) throw new Error(`output ended without ${want}:\n${this.lines.join("\n")}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${want}:\n${this.lines.join("\n")}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  }

  /** The value of the `key: value` line. */
  value(key: string): string | undefined {
    return this.lines.find((l) => l.startsWith(`${key}: `))?.slice(key.length + 2);
  }
}

async function waitUntil(cond: () => boolean, what: () => string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A process Init whose Echo and Rpc objects are counted, to see them released. */
function countingInit(live: { echo: number; rpc: number; rpcCalls: string[] }): Init {
  const base = makeProcessInit({
    mode: "node",
    name: "tsbtc-interop",
    sandbox: "none",
    permissions: () => ({
      read: false,
      write: false,
      net: false,
      env: false,
      run: false,
      ffi: false,
      sys: false,
    }),
    executeRpc: (request, uri, user) => {
      live.rpcCalls.push(request);
      return Promise.resolve(JSON.stringify({ result: JSON.parse(request).params, uri, user, id: 1 }));
    },
    onShutdown: () => {},
  });
  return {
    ...base,
    makeEcho(): Echo {
      const e = base.makeEcho();
      live.echo++;
      let closed = false;
      return {
        echo: (m) => e.echo(m),
        close: () => {
          if (!closed) live.echo--;
          closed = true;
          return e.close();
        },
      };
    },
    makeRpc() {
      const r = base.makeRpc();
      live.rpc++;
      let closed = false;
      return {
        executeRpc: (q, u, n) => r.executeRpc(q, u, n),
        close: () => {
          if (!closed) live.rpc--;
          closed = true;
          return r.close();
        },
      };
    },
  };
}

Deno.test("interop: C++ capnp client -> tsbtc serveInit behind listenIpc (unix)", async () => {
  const { interop_client } = await programs;
  const dir = await Deno.makeTempDir({ prefix: "interop" });
  const live = { echo: 0, rpc: 0, rpcCalls: [] as string[] };
  const conns: IpcConnection[] = [];
  let initDisposed = 0;
  const listener = await listenIpc(parseIpcAddress("unix", { netDataDir: dir }), {
    onConnection(stream) {
      conns.push(
        new IpcConnection(stream, {
          name: "tsbtc-interop",
          bootstrap: serveInit(countingInit(live), { dispose: () => initDisposed++ }),
        }),
      );
    },
  });
  const child = new Deno.Command(interop_client, {
    args: [listener.address.text],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const out = new Lines(child.stdout);
  try {
    await out.waitFor("released");
    assert(!out.lines.some((l) => l.startsWith("FAIL")), out.lines.join("\n"));
    assertEquals(out.value("pipelined"), "10 echo calls sent before makeEcho returned");
    assertEquals(out.value("echo"), "hello");
    assertEquals(out.value("pipelined-echoes"), "ok");
    assertEquals(out.value("construct"), "ok");
    assertEquals(out.value("server-thread"), "interop"); // getName on the Thread our ThreadMap made
    assertEquals(out.value("echo-strings"), "ok"); // "", UTF-8, 70,000 bytes
    assertEquals(
      JSON.parse(out.value("rpc")!),
      { result: ["from c++"], uri: "/", user: "", id: 1 },
    );
    assert(
      out.value("makeMining")?.includes("Mining interface is not available in tsbtc"),
      out.value("makeMining"),
    );
    assert(
      out.value("makeMiningOld2")?.includes("makeMiningOld2 is not supported"),
      out.value("makeMiningOld2"),
    );
    assert(out.value("wrong-interface")?.includes("not implemented"), out.value("wrong-interface"));
    assertEquals(out.value("getInfo"), "mode=node name=tsbtc-interop sandbox=none");
    assertEquals(out.value("destroy"), "ok");
    assert(out.value("echo-after-destroy") !== undefined);
    // Our server released the client's ThreadMap and callback Thread it was passed.
    assertEquals(out.value("client-exports"), "threads=0 threadmaps=0");

    // The client now holds only Init: every Echo/Rpc/ThreadMap/Thread we served has been released.
    assertEquals(conns.length, 1);
    const conn = conns[0];
    await waitUntil(() => live.echo === 0 && live.rpc === 0, () => JSON.stringify(live));
    // Only the bootstrap Init is left exported; no question, answer, import or embargo.
    await waitUntil(() => {
      const s = conn.stats();
      return s.questions + s.answers + s.imports + s.embargoes === 0 && s.exports === 1;
    }, () => JSON.stringify(conn.stats()));
    assertEquals(initDisposed, 0);

    // Let the client drop Init and disconnect: everything goes.
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode("\n"));
    await w.close();
    const status = await child.status;
    await out.done;
    assertEquals(status.code, 0, out.lines.join("\n"));
    assertEquals(out.lines.at(-1), "done");
    const reason = await conn.closed;
    assertEquals(reason.message, "Peer disconnected");
    const end = conn.stats();
    assertEquals(
      [end.questions, end.answers, end.imports, end.exports, end.embargoes],
      [0, 0, 0, 0, 0],
      JSON.stringify(end),
    );
    assertEquals(initDisposed, 1);
    assertEquals(live.rpcCalls.length, 1);
  } finally {
    try {
      child.kill();
    } catch { /* exited */ }
    await child.status;
    await out.done.catch(() => {});
    for (const c of conns) await c.close();
    await listener.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("interop: tsbtc InitClient through connectIpc -> C++ capnp server (unix)", async () => {
  const { interop_server } = await programs;
  const dir = await Deno.makeTempDir({ prefix: "interop" });
  const addr = parseIpcAddress("unix:cpp.sock", { netDataDir: dir });
  const server = new Deno.Command(interop_server, {
    args: [addr.text],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const out = new Lines(server.stdout);
  let conn: IpcConnection | null = null;
  try {
    await out.waitFor("listening");
    conn = new IpcConnection(await connectIpc(addr), { name: "tsbtc-interop" });
    const init = bootstrapInit(conn, { threadName: "ts-client" });

    // makeEcho and echo, pipelined: both sent before makeEcho returns.
    const echo = init.makeEcho();
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => echo.echo(`pipelined ${i}`)));
    assertEquals(many, Array.from({ length: 20 }, (_, i) => `pipelined ${i}`));
    assertEquals(await echo.echo("héllo ₿"), "héllo ₿");
    assertEquals(await echo.echo(""), "");
    assertEquals(await echo.echo("x".repeat(100_000)), "x".repeat(100_000));

    // Callback: the C++ server called makeThread + getName on the ThreadMap we passed to construct.
    assertEquals(await out.waitFor(/^construct: /), "construct: callback from-cpp-server");
    // Our calls named the server's own Thread (made through its ThreadMap, pipelined) in their context.
    await out.waitFor("context-thread: local cpp-server/ts-client");
    assert(!out.lines.includes("context-thread: not local"), out.lines.join("\n"));

    // An exception thrown by the C++ server comes back as an error; the connection stays usable.
    await assertRejects(() => echo.echo("throw"), "echo asked to throw");
    assertEquals(await echo.echo("still fine"), "still fine");

    const rpc = init.makeRpc();
    assertEquals(await rpc.executeRpc('{"id":1}', "/wallet/w", "alice"), 'cpp:{"id":1}|/wallet/w|alice');

    // Release: the C++ server's objects die as we close ours.
    await echo.close();
    await out.waitFor(/^alive: echo=0 rpc=1 /);
    await rpc.close();
    await init.close();
    await out.waitFor("alive: echo=0 rpc=0 thread=0 threadmap=0");
    await waitUntil(() => {
      const s = conn!.stats();
      return s.questions + s.answers + s.imports + s.exports + s.embargoes === 0;
    }, () => JSON.stringify(conn!.stats()));
  } finally {
    await conn?.close();
    server.kill();
    await server.status;
    await out.done.catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("interop: a C++ client killed with 100 calls in flight leaves nothing behind; the next one is served", async () => {
  const { echo_bench, interop_client } = await programs;
  const dir = await Deno.makeTempDir({ prefix: "interop" });
  const live = { echo: 0, rpc: 0, rpcCalls: [] as string[] };
  const conns: IpcConnection[] = [];
  const listener = await listenIpc(parseIpcAddress("unix", { netDataDir: dir }), {
    onConnection(stream) {
      conns.push(
        new IpcConnection(stream, { name: "tsbtc-interop", bootstrap: serveInit(countingInit(live)) }),
      );
    },
  });
  try {
    // echo_bench: 100 echo calls in flight for a long time; kill it mid-flight.
    const bench = new Deno.Command(echo_bench, {
      args: [listener.address.text, "0", "100", "100000000", "0"],
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitUntil(
      () => conns.length === 1 && conns[0].stats().messagesIn > 3000,
      () => "no traffic",
      15000,
    );
    bench.kill("SIGKILL");
    await bench.status;
    const reason = await conns[0].closed;
    assertEquals(reason.message, "Peer disconnected");
    const s = conns[0].stats();
    assertEquals(
      [s.questions, s.answers, s.imports, s.exports, s.embargoes],
      [0, 0, 0, 0, 0],
      JSON.stringify(s),
    );
    await waitUntil(() => live.echo === 0 && live.rpc === 0, () => JSON.stringify(live));

    // The listener still serves: a full client session works.
    const child = new Deno.Command(interop_client, {
      args: [listener.address.text],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const out = new Lines(child.stdout);
    await out.waitFor("released");
    await child.stdin.close();
    assertEquals((await child.status).code, 0, out.lines.join("\n"));
    await out.done;
    assertEquals(out.lines.at(-1), "done");
  } finally {
    for (const c of conns) await c.close();
    await listener.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("interop: a plain Cap'n Proto client (C++) gets nothing from a listener that requires auth", async () => {
  const { interop_client } = await programs;
  const dir = await Deno.makeTempDir({ prefix: "interop" });
  const warnings: string[] = [];
  let served = 0;
  const listener = await listenIpc(parseIpcAddress("unix", { netDataDir: dir }), {
    requireAuth: true,
    cookieFile: `${dir}/ipc.cookie`,
    logger: { info() {}, debug() {}, warn: (m) => warnings.push(m) },
    onConnection(stream) {
      served++;
      stream.close();
    },
  });
  try {
    const out = await new Deno.Command(interop_client, {
      args: [listener.address.text],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assertEquals(out.code, 1, text);
    assert(text.includes("\nFAIL: "), text); // e.g. "Message has too many segments" (our hello)
    assert(!text.includes("echo: "), text);
    assertEquals(served, 0);
    await waitUntil(() => warnings.length > 0, () => "no warning");
    assert(warnings[0].startsWith("IPC authentication failed: bad handshake"), warnings[0]);
  } finally {
    await listener.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("interop: tsbtc client and server over authenticated TCP (listenIpc/connectIpc + engine)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "interop" });
  const live = { echo: 0, rpc: 0, rpcCalls: [] as string[] };
  const conns: IpcConnection[] = [];
  const listener = await listenIpc(parseIpcAddress("tcp:127.0.0.1:0", { netDataDir: dir }), {
    cookieFile: `${dir}/ipc.cookie`,
    onConnection(stream) {
      conns.push(new IpcConnection(stream, { name: "tsbtc-node", bootstrap: serveInit(countingInit(live)) }));
    },
  });
  try {
    const conn = new IpcConnection(await connectIpc(listener.address, { cookieFile: `${dir}/ipc.cookie` }), {
      name: "tsbtc-rpc",
    });
    const init = bootstrapInit(conn);
    const echo = init.makeEcho();
    assertEquals(await echo.echo("over tcp"), "over tcp");
    const rpc = init.makeRpc();
    assertEquals(JSON.parse(await rpc.executeRpc('{"params":[1]}', "/", "u")).result, [1]);
    assertEquals((await init.getInfo()).name, "tsbtc-interop");
    await echo.close();
    await rpc.close();
    await init.close();
    await waitUntil(() => {
      const a = conn.stats(), b = conns[0].stats();
      return [a, b].every((s) => s.questions + s.answers + s.imports + s.exports + s.embargoes === 0);
    }, () => JSON.stringify([conn.stats(), conns[0].stats()]));
    assertEquals(live, { echo: 0, rpc: 0, rpcCalls: ['{"params":[1]}'] });
    await conn.close();
    assertEquals((await conns[0].closed).message, "Peer disconnected");
  } finally {
    for (const c of conns) await c.close();
    await listener.close();
    await Deno.remove(dir, { recursive: true });
  }
});
