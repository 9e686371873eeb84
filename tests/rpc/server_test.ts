import { makeRpcAuth } from "../../rpc/auth.ts";
import { controlMethods } from "../../rpc/methods/control.ts";
import {
  MAX_HEADERS_SIZE,
  RpcServer,
  type RpcServerOptions,
  serverOptionsFromArgs,
} from "../../rpc/server.ts";
import { RpcTable } from "../../rpc/table.ts";
import { Logger } from "../../util/logging.ts";
import { assert, assertEquals, assertRejects } from "./asserts.ts";
import { fakeArgs } from "./fake_args.ts";
import { post, RawConn, request } from "./http_raw.ts";

const GBC = '{"method":"getblockcount","id":1}';

interface Fixture {
  server: RpcServer;
  table: RpcTable;
  dir: string;
  auth: string;
  [Symbol.asyncDispose](): Promise<void>;
}

async function startServer(opts: Partial<RpcServerOptions> = {}): Promise<Fixture> {
  const dir = await Deno.makeTempDir();
  const table = new RpcTable();
  let server: RpcServer | undefined;
  table.registerAll(controlMethods({ shutdown: () => void server?.stop(), getBlockCount: () => 3 }));
  try {
    server = await RpcServer.start({ table, netDataDir: dir, port: 0, ...opts });
  } catch (err) {
    await Deno.remove(dir, { recursive: true });
    throw err;
  }
  const cookie = server.cookiePath ? await Deno.readTextFile(server.cookiePath) : "";
  const s = server;
  return {
    server: s,
    table,
    dir,
    auth: cookie,
    async [Symbol.asyncDispose]() {
      await s.stop();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("loopback endpoints share the port; cookie 0600 accepted; cookie removed at stop", async () => {
  const f = await startServer();
  try {
    const hosts = f.server.addresses.map((a) => a.hostname).sort();
    assertEquals(hosts, ["127.0.0.1", "::1"]);
    assertEquals(new Set(f.server.addresses.map((a) => a.port)).size, 1);
    assert(f.server.port > 0);
    const path = f.server.cookiePath!;
    assertEquals(path, `${f.dir}/.cookie`);
    assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
    assert(/^__cookie__:[0-9a-f]{64}$/.test(f.auth));
    for (const host of ["127.0.0.1", "::1"]) {
      const r = await request(f.server.port, post(GBC, { auth: f.auth }), host);
      assertEquals(r.status, 200);
      assertEquals(r.headers["content-type"], "application/json");
      assertEquals(r.body, '{"result":3,"error":null,"id":1}\n');
    }
    await f.server.stop();
    await assertRejects(Deno.stat(path));
  } finally {
    await f[Symbol.asyncDispose]();
  }
});

Deno.test("401: missing auth at once, wrong auth after 250 ms without blocking other clients", async () => {
  await using f = await startServer();
  const missing = await request(f.server.port, post(GBC));
  assertEquals(missing.status, 401);
  assertEquals(missing.headers["www-authenticate"], 'Basic realm="jsonrpc"');
  const t0 = performance.now();
  const wrong = request(f.server.port, post(GBC, { auth: "__cookie__:nope" }));
  // While the wrong one waits, a good client is served promptly.
  const good = await request(f.server.port, post(GBC, { auth: f.auth }));
  const tGood = performance.now() - t0;
  assertEquals(good.status, 200);
  const w = await wrong;
  const tWrong = performance.now() - t0;
  assertEquals(w.status, 401);
  assertEquals(w.headers["www-authenticate"], 'Basic realm="jsonrpc"');
  assert(tWrong >= 240, `401 came after ${tWrong} ms`);
  assert(tGood < 200, `good request took ${tGood} ms`);
});

Deno.test("paths and methods: 404 elsewhere, 405 for GET with Core's text, wallet endpoint served", async () => {
  await using f = await startServer();
  const port = f.server.port;
  assertEquals((await request(port, post(GBC, { auth: f.auth, path: "/foo" }))).status, 404);
  assertEquals((await request(port, post(GBC, { auth: f.auth, path: "/?x=1" }))).status, 404);
  const get = await request(
    port,
    `GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${btoa(f.auth)}\r\n\r\n`,
  );
  assertEquals([get.status, get.body], [405, "JSONRPC server handles only POST requests"]);
  assertEquals(
    (await request(port, "DELETE / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")).status,
    405,
  );
  const w = await request(port, post(GBC, { auth: f.auth, path: "/wallet/w%201" }));
  assertEquals(w.status, 200);
});

Deno.test("JSON-RPC statuses over HTTP: 404 method, 500 parse, 200 for 2.0, 204 notification", async () => {
  await using f = await startServer();
  const port = f.server.port;
  const nf = await request(port, post('{"method":"x","id":1}', { auth: f.auth }));
  assertEquals([nf.status, nf.body], [
    404,
    '{"result":null,"error":{"code":-32601,"message":"Method not found"},"id":1}\n',
  ]);
  assertEquals((await request(port, post("{", { auth: f.auth }))).status, 500);
  assertEquals(
    (await request(port, post('{"jsonrpc":"2.0","method":"x","id":1}', { auth: f.auth }))).status,
    200,
  );
  const n = await request(port, post('{"jsonrpc":"2.0","method":"getblockcount"}', { auth: f.auth }));
  assertEquals([n.status, n.body], [204, ""]);
});

Deno.test("keep-alive: several requests (pipelined too) on one connection", async () => {
  await using f = await startServer();
  const c = await RawConn.open(f.server.port);
  try {
    for (let i = 0; i < 3; i++) {
      await c.send(post(`{"method":"echo","params":[${i}],"id":${i}}`, { auth: f.auth }));
      const r = await c.read();
      assertEquals(r?.body, `{"result":[${i}],"error":null,"id":${i}}\n`);
    }
    await c.send(post(GBC, { auth: f.auth }) + post('{"method":"uptime","id":2}', { auth: f.auth }));
    assertEquals((await c.read())?.status, 200);
    assert((await c.read())?.body.includes('"id":2'));
  } finally {
    c.close();
  }
});

Deno.test("oversized body: 413 from Content-Length and from a chunked body; big headers: 400 (64 KiB, or 8 KiB strict)", async () => {
  await using f = await startServer({ maxBodySize: 1000 });
  const port = f.server.port;
  const big = await request(port, post(" ".repeat(1001), { auth: f.auth }));
  assertEquals([big.status, big.headers["connection"]], [413, "close"]);
  const chunked = `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n` +
    `400\r\n${" ".repeat(1024)}\r\n0\r\n\r\n`;
  assertEquals((await request(port, chunked)).status, 413);
  const ok = await request(port, post(" ".repeat(900) + GBC, { auth: f.auth }));
  assertEquals(ok.status, 200); // just under the limit
  const hdr = await request(port, post(GBC, { auth: f.auth, extra: `X-Pad: ${"a".repeat(70000)}\r\n` }));
  assertEquals(hdr.status, 400);
  await using strict = await startServer({ maxHeadersSize: MAX_HEADERS_SIZE });
  const pad = (n: number) => post(GBC, { auth: strict.auth, extra: `X-Pad: ${"a".repeat(n)}\r\n` });
  assertEquals((await request(strict.server.port, pad(9000))).status, 400);
  assertEquals((await request(strict.server.port, pad(7000))).status, 200);
});

Deno.test("Core's 32 MiB limit: a larger Content-Length is refused before the body is sent", async () => {
  await using f = await startServer();
  const r = await request(
    f.server.port,
    `POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${btoa(f.auth)}\r\nContent-Length: ${
      32 * 1024 * 1024 + 1
    }\r\n\r\n`,
  );
  assertEquals(r.status, 413);
});

Deno.test("work queue full: 503 'Work queue depth exceeded'", async () => {
  await using f = await startServer({ threads: 1, workQueue: 1 });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  f.table.register({
    name: "slow",
    category: "test",
    description: "Waits.",
    args: [],
    results: [],
    examples: "",
    handler: async () => {
      await gate;
      return "done";
    },
  });
  const body = post('{"method":"slow","id":1}', { auth: f.auth });
  const first = request(f.server.port, body);
  while (f.server.workQueue.running < 1) await new Promise((r) => setTimeout(r, 5));
  const second = request(f.server.port, body);
  while (f.server.workQueue.waiting < 1) await new Promise((r) => setTimeout(r, 5));
  const third = await request(f.server.port, body);
  assertEquals([third.status, third.body], [503, "Work queue depth exceeded"]);
  release();
  assertEquals((await first).status, 200);
  assertEquals((await second).body, '{"result":"done","error":null,"id":1}\n');
});

Deno.test("stop() does not hang on a client that never sends its body", async () => {
  const f = await startServer();
  const c = await RawConn.open(f.server.port);
  try {
    await c.send(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{`);
    await new Promise((r) => setTimeout(r, 50));
    await f[Symbol.asyncDispose]();
  } finally {
    c.close();
  }
});

Deno.test("-rpcservertimeout: a stalled body is dropped with 400", async () => {
  await using f = await startServer({ serverTimeout: 1 });
  const c = await RawConn.open(f.server.port);
  try {
    await c.send(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{`);
    const r = await c.read();
    assertEquals(r?.status, 400);
  } finally {
    c.close();
  }
});

Deno.test("rpcuser/rpcpassword and rpcauth; no cookie then", async () => {
  await using f = await startServer({
    rpcUser: "alice",
    rpcPassword: "pw",
    rpcAuth: [makeRpcAuth("bob", "secret")],
  });
  assertEquals(f.server.cookiePath, null);
  assertEquals((await request(f.server.port, post(GBC, { auth: "alice:pw" }))).status, 200);
  assertEquals((await request(f.server.port, post(GBC, { auth: "bob:secret" }))).status, 200);
  assertEquals((await request(f.server.port, post(GBC, { auth: "bob:pw" }))).status, 401);
});

Deno.test("-rpccookieperms and -norpccookiefile", async () => {
  {
    await using f = await startServer({ cookiePerms: "group", cookieFile: "sub.cookie" });
    assertEquals(f.server.cookiePath, `${f.dir}/sub.cookie`);
    assertEquals((await Deno.stat(f.server.cookiePath!)).mode! & 0o777, 0o640);
  }
  {
    await using f = await startServer({ cookieFile: false, rpcAuth: [makeRpcAuth("u", "p")] });
    assertEquals(f.server.cookiePath, null);
    assertEquals([...Deno.readDirSync(f.dir)].length, 0);
  }
});

Deno.test("start-up errors carry Core's messages and leave no cookie", async () => {
  await assertRejects(
    startServer({ rpcAllowIp: ["1.2.3.4/40"] }),
    "Invalid -rpcallowip subnet specification: 1.2.3.4/40",
  );
  await assertRejects(startServer({ cookiePerms: "world" }), "Invalid -rpccookieperms=world");
  await assertRejects(startServer({ rpcAuth: ["foo:bar"] }), "Invalid -rpcauth argument.");
  await assertRejects(
    startServer({ rpcAllowIp: ["127.0.0.1"], rpcBind: ["127.0.0.1:0"] }),
    "Invalid port specified in -rpcbind: '127.0.0.1:0'",
  );
  await using f = await startServer();
  await assertRejects(startServer({ port: f.server.port }), "Unable to bind any endpoint for RPC server");
});

Deno.test("-rpcbind needs -rpcallowip; a non-loopback client outside -rpcallowip gets 403", async () => {
  {
    await using f = await startServer({ rpcBind: ["0.0.0.0"] });
    assertEquals(f.server.addresses.map((a) => a.hostname).sort(), ["127.0.0.1", "::1"]);
  }
  const ip = Deno.networkInterfaces().find((i) => i.family === "IPv4" && !i.address.startsWith("127."))
    ?.address;
  if (ip === undefined) return; // no non-loopback address on this machine
  const other = ip.startsWith("198.51.100.") ? "203.0.113.0/24" : "198.51.100.0/24";
  await using f = await startServer({ rpcBind: [ip], rpcAllowIp: [other] });
  assertEquals(f.server.addresses.map((a) => a.hostname), [ip]);
  const r = await request(f.server.port, post(GBC, { auth: f.auth }), ip);
  assertEquals(r.status, 403);
  await using g = await startServer({ rpcBind: [ip], rpcAllowIp: [`${ip}/32`] });
  assertEquals((await request(g.server.port, post(GBC, { auth: g.auth }), ip)).status, 200);
});

Deno.test("serverOptionsFromArgs maps Core's options", () => {
  const table = new RpcTable();
  const o = serverOptionsFromArgs(
    fakeArgs({
      "-rpcbind": ["127.0.0.1:1234"],
      "-rpcallowip": ["10.0.0.0/8"],
      "-rpcauth": ["a:b$c"],
      "-rpcthreads": "4",
      "-rpcworkqueue": "8",
      "-rpccookiefile": false,
    }, { netDataDir: "/d/regtest" }),
    { table },
  );
  assertEquals(o.port, 18443);
  assertEquals([o.rpcBind, o.rpcAllowIp, o.rpcAuth, o.threads, o.workQueue, o.cookieFile], [
    ["127.0.0.1:1234"],
    ["10.0.0.0/8"],
    ["a:b$c"],
    4,
    8,
    false,
  ]);
  assertEquals(serverOptionsFromArgs(fakeArgs({}, { network: "main" }), { table }).port, 8332);
});

Deno.test("the stop RPC replies 'tsbtc stopping' and shuts the server down", async () => {
  const f = await startServer();
  try {
    const r = await request(f.server.port, post('{"method":"stop","id":1}', { auth: f.auth }));
    assertEquals(r.body, '{"result":"tsbtc stopping","error":null,"id":1}\n');
    await f.server.stop();
    await assertRejects(Deno.stat(`${f.dir}/.cookie`));
  } finally {
    await f[Symbol.asyncDispose]();
  }
});

Deno.test("logs like Core through util/logging's Logger (cookie, binding, bad password, -debug=http/rpc)", async () => {
  const logger = new Logger({ console: false, categories: ["http", "rpc"] });
  const lines: string[] = [];
  logger.addCallback((l) => lines.push(l));
  const dir = await Deno.makeTempDir();
  const table = new RpcTable({ logger });
  table.registerAll(controlMethods({ shutdown: () => {} }));
  const server = await RpcServer.start({ table, netDataDir: dir, port: 0, logger, authFailDelayMs: 1 });
  try {
    const auth = await Deno.readTextFile(server.cookiePath!);
    await request(server.port, post(GBC, { auth }));
    await request(server.port, post(GBC, { auth: "__cookie__:bad" }));
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
    logger.close();
  }
  const text = lines.join("");
  for (
    const expected of [
      `Generated RPC authentication cookie ${dir}/.cookie`,
      "Permissions used for cookie: rw-------",
      "Binding RPC on address 127.0.0.1 port 0",
      "Starting HTTP server with 16 worker threads",
      "[http] Received a POST request for / from 127.0.0.1:",
      "[rpc] ThreadRPCServer method=getblockcount user=__cookie__ id=1",
      "[warning] ThreadRPCServer incorrect password attempt from 127.0.0.1:",
    ]
  ) assert(text.includes(expected), `missing log line: ${expected}\n${text}`);
});
