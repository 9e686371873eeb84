import { assert, assertEquals, assertRejects } from "../assert.ts";
import {
  CLIENT_ANSWER_SIZE,
  clientHandshake,
  constantTimeEqual,
  createIpcCookie,
  HANDSHAKE_MAGIC,
  IpcAuthError,
  type IpcStream,
  readIpcCookie,
  SERVER_HELLO_SIZE,
  serverHandshake,
} from "../../ipc/auth.ts";

/** A connected pair of loopback TCP sockets. */
async function pair(): Promise<
  { client: Deno.TcpConn; server: Deno.TcpConn; [Symbol.asyncDispose](): Promise<void> }
> {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepting = l.accept();
  const client = await Deno.connect({ hostname: "127.0.0.1", port: (l.addr as Deno.NetAddr).port });
  const server = await accepting;
  l.close();
  return {
    client,
    server,
    [Symbol.asyncDispose]() {
      for (const c of [client, server]) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      return Promise.resolve();
    },
  };
}

async function readExactly(s: IpcStream, n: number): Promise<Uint8Array> {
  const r = s.readable.getReader();
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const { value, done } = await r.read();
    if (done) throw new Error(`EOF after ${got} bytes`);
    out.set(value.subarray(0, n - got), got);
    got += Math.min(value.length, n - got);
  }
  r.releaseLock();
  return out;
}

async function readToEnd(s: IpcStream): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const r = s.readable.getReader();
  try {
    while (true) {
      const { value, done } = await r.read();
      if (done) break;
      chunks.push(value);
    }
  } catch {
    // reset counts as the end
  }
  return new Uint8Array(chunks.flatMap((c) => [...c]));
}

async function write(s: IpcStream, bytes: Uint8Array): Promise<void> {
  const w = s.writable.getWriter();
  await w.write(bytes);
  w.releaseLock();
}

const secret = () => crypto.getRandomValues(new Uint8Array(32));

Deno.test("cookie: created 0600 with 64 hex digits, read back, removed only while it is ours", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/ipc.cookie`;
    await Deno.writeTextFile(path, "old", { mode: 0o644 });
    const c = await createIpcCookie(path);
    assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
    assert(/^[0-9a-f]{64}\n$/.test(await Deno.readTextFile(path)));
    assertEquals(await readIpcCookie(path), c.secret);
    await c.remove();
    await assertRejects(() => Deno.stat(path));
    // A newer cookie written by someone else is left alone.
    const c2 = await createIpcCookie(path);
    const c3 = await createIpcCookie(path);
    await c2.remove();
    assertEquals(await readIpcCookie(path), c3.secret);
    await c3.remove();
    await c3.remove(); // idempotent
    assertEquals([...Deno.readDirSync(dir)].length, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cookie: clear errors for a missing or malformed file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assertRejects(
      () => readIpcCookie(`${dir}/none`),
      `Cannot read IPC cookie file ${dir}/none: No such file or directory`,
    );
    await Deno.writeTextFile(`${dir}/bad`, "__cookie__:abcd\n");
    await assertRejects(
      () => readIpcCookie(`${dir}/bad`),
      `Invalid IPC cookie file ${dir}/bad: expected 64 hex digits`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("constantTimeEqual", () => {
  assert(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2)));
  assert(!constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3)));
  assert(!constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1)));
});

Deno.test("handshake: success, then bytes flow both ways on the same stream", async () => {
  await using p = await pair();
  const s = secret();
  const [server, client] = await Promise.all([
    serverHandshake(p.server, { secret: s }),
    clientHandshake(p.client, { secret: s }),
  ]);
  await write(client, new TextEncoder().encode("ping"));
  assertEquals(new TextDecoder().decode(await readExactly(server, 4)), "ping");
  await write(server, new TextEncoder().encode("pong"));
  assertEquals(new TextDecoder().decode(await readExactly(client, 4)), "pong");
});

Deno.test("handshake: wrong secret is rejected on both sides", async () => {
  await using p = await pair();
  const [srv, cli] = await Promise.allSettled([
    serverHandshake(p.server, { secret: secret() }),
    clientHandshake(p.client, { secret: secret() }),
  ]);
  assert(srv.status === "rejected" && srv.reason instanceof IpcAuthError);
  assertEquals(srv.reason.message, "IPC authentication failed: wrong secret");
  assert(cli.status === "rejected" && cli.reason instanceof IpcAuthError);
  assertEquals(cli.reason.message, "IPC authentication failed: wrong secret (rejected by the server)");
});

Deno.test("handshake: a server that does not know the secret is refused by the client", async () => {
  await using p = await pair();
  const client = clientHandshake(p.client, { secret: secret() });
  // Impostor: sends a hello, reads the answer, claims success with a made-up proof.
  await write(p.server, new Uint8Array([...HANDSHAKE_MAGIC, ...new Uint8Array(32)]));
  await readExactly(p.server, CLIENT_ANSWER_SIZE);
  await write(p.server, new Uint8Array(33));
  await assertRejects(() => client, "IPC authentication failed: server does not know the secret");
  // Nothing more was sent by the client: it closed.
  assertEquals((await readToEnd(p.server)).length, 0);
});

Deno.test("handshake: a silent client is dropped after the timeout", async () => {
  await using p = await pair();
  const t0 = Date.now();
  await assertRejects(
    () => serverHandshake(p.server, { secret: secret(), timeoutMs: 200 }),
    "IPC authentication failed: timed out after 200 ms waiting for the handshake",
  );
  assert(Date.now() - t0 >= 190);
  // The client sees the hello, then the end of the stream.
  assertEquals((await readToEnd(p.client)).length, SERVER_HELLO_SIZE);
});

Deno.test("handshake: a client that sends part of an answer and stalls is dropped", async () => {
  await using p = await pair();
  await write(p.client, new Uint8Array([...HANDSHAKE_MAGIC, 1, 2, 3]));
  await assertRejects(() => serverHandshake(p.server, { secret: secret(), timeoutMs: 150 }), "timed out");
});

Deno.test("handshake: a silent server times out on the client", async () => {
  await using p = await pair();
  await assertRejects(
    () => clientHandshake(p.client, { secret: secret(), timeoutMs: 150 }),
    "timed out after 150 ms",
  );
});

Deno.test("handshake: garbage (an HTTP request) is rejected", async () => {
  await using p = await pair();
  await write(p.client, new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n".padEnd(80, " ")));
  await assertRejects(
    () => serverHandshake(p.server, { secret: secret() }),
    "IPC authentication failed: bad handshake (not a tsbtc IPC client)",
  );
});

Deno.test("handshake: a plain Cap'n Proto client (Bootstrap first) is rejected, not served", async () => {
  await using p = await pair();
  // A one-segment frame header as every Cap'n Proto client sends first.
  await write(p.client, Uint8Array.of(0, 0, 0, 0, 6, 0, 0, 0, ...new Uint8Array(48)));
  await assertRejects(() => serverHandshake(p.server, { secret: secret() }), "bad handshake");
});

Deno.test("handshake: an oversize answer is rejected", async () => {
  await using p = await pair();
  const big = new Uint8Array(100_000);
  big.set(HANDSHAKE_MAGIC);
  const writing = write(p.client, big).catch(() => {});
  await new Promise((r) => setTimeout(r, 50)); // let it arrive before the server reads
  await assertRejects(
    () => serverHandshake(p.server, { secret: secret() }),
    "IPC authentication failed: oversize handshake (data before the server's answer)",
  );
  await writing;
});

Deno.test("handshake: the peer closing mid-handshake is a clear error", async () => {
  await using p = await pair();
  await write(p.client, HANDSHAKE_MAGIC);
  p.client.close();
  await assertRejects(
    () => serverHandshake(p.server, { secret: secret() }),
    "IPC authentication failed: connection closed during the handshake",
  );
});

Deno.test("handshake: a secret of the wrong size is refused", async () => {
  await using p = await pair();
  await assertRejects(
    () => serverHandshake(p.server, { secret: new Uint8Array(16) }),
    "Cannot authenticate IPC: secret is 16 bytes, expected 32",
  );
});
