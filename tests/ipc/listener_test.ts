import { assert, assertEquals, assertRejects } from "../assert.ts";
import { IpcAddressError, parseIpcAddress } from "../../ipc/address.ts";
import { createIpcCookie, HANDSHAKE_MAGIC, type IpcStream } from "../../ipc/auth.ts";
import {
  connectIpc,
  IpcConnectError,
  type IpcConnectionInfo,
  type IpcLogger,
  isIpcUnavailable,
  listenIpc,
} from "../../ipc/listener.ts";

class TestLogger implements IpcLogger {
  lines: string[] = [];
  info(msg: string) {
    this.lines.push(`info: ${msg}`);
  }
  warn(msg: string) {
    this.lines.push(`warn: ${msg}`);
  }
  debug(category: string, msg: string) {
    this.lines.push(`debug[${category}]: ${msg}`);
  }
}

/** Echo server: every accepted stream sends back what it reads. */
function echoHandler(seen: IpcConnectionInfo[] = []) {
  return (stream: IpcStream, info: IpcConnectionInfo) => {
    seen.push(info);
    stream.readable.pipeTo(stream.writable).catch(() => {});
  };
}

async function roundTrip(stream: IpcStream, text: string): Promise<string> {
  const w = stream.writable.getWriter();
  await w.write(new TextEncoder().encode(text));
  w.releaseLock();
  const r = stream.readable.getReader();
  let out = "";
  while (out.length < text.length) {
    const { value, done } = await r.read();
    if (done) break;
    out += new TextDecoder().decode(value);
  }
  r.releaseLock();
  return out;
}

async function readToEnd(stream: IpcStream): Promise<number> {
  let n = 0;
  try {
    for await (const chunk of stream.readable) n += chunk.length;
  } catch {
    // a reset is an end too
  }
  return n;
}

/** Leaves a socket file nobody listens on, as a crashed process does (Deno unlinks on close, by path). */
async function staleSocket(path: string): Promise<void> {
  const l = Deno.listen({ transport: "unix", path: `${path}.tmp` });
  await Deno.rename(`${path}.tmp`, path);
  l.close();
  assert((await Deno.lstat(path)).isSocket);
}

function closeQuietly(s: IpcStream): void {
  try {
    s.close();
  } catch {
    // already closed by reading to the end
  }
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ipcl" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("unix: listens with mode 0600, serves, and removes the socket on close", () =>
  withDir(async (dir) => {
    const addr = parseIpcAddress("unix:sub/dir/node.sock", { netDataDir: dir });
    const seen: IpcConnectionInfo[] = [];
    const listener = await listenIpc(addr, { onConnection: echoHandler(seen) });
    const st = await Deno.lstat(`${dir}/sub/dir/node.sock`);
    assert(st.isSocket);
    assertEquals(st.mode! & 0o777, 0o600);
    assertEquals(listener.address, addr);
    assertEquals(listener.cookie, null);
    // Nothing else left in the directory (the private bind directory is gone).
    assertEquals([...Deno.readDirSync(`${dir}/sub/dir`)].map((e) => e.name), ["node.sock"]);
    const conn = await connectIpc(addr);
    assertEquals(await roundTrip(conn, "hello"), "hello");
    assertEquals(seen.length, 1);
    assertEquals(seen[0].remote, "unix");
    assertEquals(seen[0].authenticated, false);
    assertEquals(listener.connections, 1);
    // close() disconnects the clients it accepted.
    await listener.close();
    assertEquals(await readToEnd(conn), 0);
    closeQuietly(conn);
    await assertRejects(() => Deno.lstat(`${dir}/sub/dir/node.sock`), "No such file");
    await listener.close(); // idempotent
  }));

Deno.test("unix: a stale socket file is removed, a live one refused", () =>
  withDir(async (dir) => {
    const path = `${dir}/node.sock`;
    // A stale socket: bound, then the listener closed without unlinking (as after a crash).
    await staleSocket(path);
    const log = new TestLogger();
    const addr = parseIpcAddress("unix", { netDataDir: dir });
    const first = await listenIpc(addr, { onConnection: echoHandler(), logger: log });
    assert(log.lines.includes(`info: Removing stale IPC socket ${path}`), log.lines.join("\n"));
    // A second listener on the same path must not steal it from a live node.
    await assertRejects(
      () => listenIpc(addr, { onConnection: echoHandler() }),
      `Unix socket ${path} is in use by another process`,
    );
    const conn = await connectIpc(addr);
    assertEquals(await roundTrip(conn, "still mine"), "still mine");
    closeQuietly(conn);
    await first.close();
  }));

Deno.test("unix: a path that is not a socket is refused and left alone", () =>
  withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/node.sock`, "data");
    const e = await assertRejects(
      () => listenIpc(parseIpcAddress("unix", { netDataDir: dir }), { onConnection: echoHandler() }),
      `Unix socket path ${dir}/node.sock exists and is not a socket`,
    );
    assert(e instanceof IpcAddressError);
    assertEquals(await Deno.readTextFile(`${dir}/node.sock`), "data");
  }));

Deno.test("unix: close leaves a socket that another process put in its place", () =>
  withDir(async (dir) => {
    const addr = parseIpcAddress("unix", { netDataDir: dir });
    const l = await listenIpc(addr, { onConnection: echoHandler() });
    await Deno.remove(`${dir}/node.sock`);
    const other = Deno.listen({ transport: "unix", path: `${dir}/node.sock` });
    await l.close();
    assert((await Deno.lstat(`${dir}/node.sock`)).isSocket);
    other.close();
  }));

Deno.test("unix: a socket path too long for the private bind directory still works (mode 0600)", () =>
  withDir(async (dir) => {
    const name = "x".repeat(107 - dir.length - 1 - 10) + "/node.sock";
    const addr = parseIpcAddress(`unix:${name}`, { netDataDir: dir });
    assertEquals(new TextEncoder().encode(addr.kind === "unix" ? addr.path : "").length, 107);
    const l = await listenIpc(addr, { onConnection: echoHandler() });
    assertEquals((await Deno.lstat(`${dir}/${name}`)).mode! & 0o777, 0o600);
    const c = await connectIpc(addr);
    assertEquals(await roundTrip(c, "long"), "long");
    c.close();
    await l.close();
  }));

Deno.test("connectIpc: Core's system error texts and codes; isIpcUnavailable", () =>
  withDir(async (dir) => {
    const missing = parseIpcAddress("unix", { netDataDir: dir });
    const e1 = await assertRejects(() => connectIpc(missing), "No such file or directory");
    assert(e1 instanceof IpcConnectError && e1.code === "ENOENT" && isIpcUnavailable(e1));
    await staleSocket(`${dir}/node.sock`);
    const e2 = await assertRejects(() => connectIpc(missing), "Connection refused");
    assert(e2 instanceof IpcConnectError && e2.code === "ECONNREFUSED" && isIpcUnavailable(e2));
    const tcp = parseIpcAddress("tcp:127.0.0.1:1", { netDataDir: dir });
    await assertRejects(() => connectIpc(tcp), "requires authentication, but no cookie file is set");
    const e3 = await assertRejects(
      () => connectIpc(tcp, { secret: new Uint8Array(32) }),
      "Connection refused",
    );
    assert(isIpcUnavailable(e3));
    assert(!isIpcUnavailable(new Error("x")));
  }));

Deno.test("tcp: needs a cookie, refuses non-loopback hosts unless allowed, cannot turn auth off", () =>
  withDir(async (dir) => {
    const opts = { netDataDir: dir };
    const loop = parseIpcAddress("tcp:127.0.0.1:0", opts);
    await assertRejects(
      () => listenIpc(loop, { onConnection: echoHandler() }),
      "IPC address tcp:127.0.0.1:0 requires authentication, but no cookie file is set",
    );
    await assertRejects(
      () => listenIpc(loop, { onConnection: echoHandler(), cookieFile: `${dir}/c`, requireAuth: false }),
      "cannot be used without authentication",
    );
    const any = parseIpcAddress("tcp:0.0.0.0:0", opts);
    await assertRejects(
      () => listenIpc(any, { onConnection: echoHandler(), cookieFile: `${dir}/c` }),
      "IPC address tcp:0.0.0.0:0 is not a loopback address; use -ipcallowremote to listen on it",
    );
    const l = await listenIpc(any, {
      onConnection: echoHandler(),
      cookieFile: `${dir}/c`,
      allowRemote: true,
    });
    assert(l.address.kind === "tcp" && l.address.port > 0);
    await l.close();
    assertEquals([...Deno.readDirSync(dir)].length, 0);
  }));

Deno.test("tcp: authenticated round trip; cookie 0600 while listening, removed on close", () =>
  withDir(async (dir) => {
    const cookieFile = `${dir}/ipc.cookie`;
    const seen: IpcConnectionInfo[] = [];
    const log = new TestLogger();
    const l = await listenIpc(parseIpcAddress("tcp:127.0.0.1:0", { netDataDir: dir }), {
      onConnection: echoHandler(seen),
      cookieFile,
      logger: log,
    });
    assert(l.address.kind === "tcp");
    assertEquals(l.address.text, `tcp:127.0.0.1:${l.address.port}`);
    assertEquals((await Deno.stat(cookieFile)).mode! & 0o777, 0o600);
    const c = await connectIpc(l.address, { cookieFile });
    assertEquals(await roundTrip(c, "authenticated"), "authenticated");
    assertEquals(seen.length, 1);
    assert(seen[0].authenticated);
    assert(seen[0].remote.startsWith("tcp:127.0.0.1:"));
    c.close();
    await l.close();
    await assertRejects(() => Deno.stat(cookieFile), "No such file");
  }));

Deno.test("tcp: wrong secret, silent and garbage clients are dropped, logged, and never served", () =>
  withDir(async (dir) => {
    const seen: IpcConnectionInfo[] = [];
    const log = new TestLogger();
    const l = await listenIpc(parseIpcAddress("tcp:127.0.0.1:0", { netDataDir: dir }), {
      onConnection: echoHandler(seen),
      cookieFile: `${dir}/ipc.cookie`,
      logger: log,
      authTimeoutMs: 200,
    });
    assert(l.address.kind === "tcp");
    const port = l.address.port;
    // Wrong secret.
    await assertRejects(
      () => connectIpc(l.address, { secret: crypto.getRandomValues(new Uint8Array(32)) }),
      "IPC authentication failed: wrong secret (rejected by the server)",
    );
    // Garbage.
    const g = await Deno.connect({ hostname: "127.0.0.1", port });
    await g.write(new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n"));
    assertEquals(await readToEnd(g), 40); // the server hello, then the end
    // Silent: only the hello, then dropped after the timeout.
    const s = await Deno.connect({ hostname: "127.0.0.1", port });
    assertEquals(await readToEnd(s), 40);
    // A client that sends magic and then Cap'n Proto traffic without a proof is never served.
    const m = await Deno.connect({ hostname: "127.0.0.1", port });
    await m.write(new Uint8Array([...HANDSHAKE_MAGIC, ...new Uint8Array(64)]));
    assertEquals(await readToEnd(m), 41); // hello + rejection status
    assertEquals(seen.length, 0);
    const warns = log.lines.filter((x) => x.startsWith("warn: IPC authentication failed"));
    assertEquals(warns.length, 4, log.lines.join("\n"));
    assert(warns.some((x) => x.includes("wrong secret")));
    assert(warns.some((x) => x.includes("bad handshake")));
    assert(warns.some((x) => x.includes("timed out after 200 ms")));
    assert(warns.every((x) => x.includes("(connection from tcp:127.0.0.1:")));
    for (const c of [g, s, m]) closeQuietly(c);
    // The listener still serves good clients.
    const ok = await connectIpc(l.address, { cookieFile: `${dir}/ipc.cookie` });
    assertEquals(await roundTrip(ok, "fine"), "fine");
    ok.close();
    await l.close();
  }));

Deno.test("tcp: too many handshakes in progress: further connections closed at once", () =>
  withDir(async (dir) => {
    const log = new TestLogger();
    const l = await listenIpc(parseIpcAddress("tcp:127.0.0.1:0", { netDataDir: dir }), {
      onConnection: echoHandler(),
      cookieFile: `${dir}/ipc.cookie`,
      logger: log,
      maxPendingHandshakes: 2,
      authTimeoutMs: 2000,
    });
    assert(l.address.kind === "tcp");
    const port = l.address.port;
    const silent = [
      await Deno.connect({ hostname: "127.0.0.1", port }),
      await Deno.connect({ hostname: "127.0.0.1", port }),
    ];
    const third = await Deno.connect({ hostname: "127.0.0.1", port });
    const t0 = Date.now();
    assertEquals(await readToEnd(third), 0);
    assert(Date.now() - t0 < 1000);
    assert(log.lines.some((x) => x.includes("2 authentication handshakes already in progress")));
    closeQuietly(third);
    for (const c of silent) closeQuietly(c);
    await l.close();
  }));

Deno.test("unix with requireAuth: shared caller-owned cookie; unauthenticated clients fail", () =>
  withDir(async (dir) => {
    const cookie = await createIpcCookie(`${dir}/ipc.cookie`);
    const addr = parseIpcAddress("unix", { netDataDir: dir });
    const l = await listenIpc(addr, {
      onConnection: echoHandler(),
      cookie,
      requireAuth: true,
      authTimeoutMs: 300,
    });
    const c = await connectIpc(addr, { auth: true, cookieFile: cookie.path });
    assertEquals(await roundTrip(c, "x"), "x");
    c.close();
    // A client not doing the handshake just receives the server hello and is dropped.
    const raw = await connectIpc(addr);
    assertEquals(await readToEnd(raw), 40);
    closeQuietly(raw);
    await l.close();
    // The caller's cookie is the caller's to remove.
    assert((await Deno.stat(cookie.path)).isFile);
    await cookie.remove();
  }));

Deno.test("onConnection throwing closes that connection and logs; others go on", () =>
  withDir(async (dir) => {
    const log = new TestLogger();
    const addr = parseIpcAddress("unix", { netDataDir: dir });
    let n = 0;
    const l = await listenIpc(addr, {
      logger: log,
      onConnection(stream) {
        if (n++ === 0) throw new Error("handler broke");
        stream.readable.pipeTo(stream.writable).catch(() => {});
      },
    });
    const bad = await connectIpc(addr);
    assertEquals(await readToEnd(bad), 0);
    closeQuietly(bad);
    assert(log.lines.some((x) => x === `warn: IPC connection on ${addr.text} failed: handler broke`));
    const good = await connectIpc(addr);
    assertEquals(await roundTrip(good, "ok"), "ok");
    good.close();
    await l.close();
  }));
