/**
 * Fuzzing the engine: byte-level mutations of real sessions, fed to a serving connection (client -> server
 * bytes) and to a calling connection (server -> client bytes). Whatever arrives, the process must not crash,
 * no promise may be left unhandled (Deno's test runner fails on that), every pending call must settle, and
 * a connection that gives up must do so with an IpcError.
 */
import { IpcConnection, IpcError } from "../../ipc/connection.ts";
import { bootstrapInit, serveInit } from "../../ipc/proxies/init.ts";
import { type ByteStream, memoryStreamPair } from "../../ipc/transport.ts";
import { makeEcho } from "../../interfaces/echo.ts";
import type { Init } from "../../interfaces/init.ts";
import { assert } from "../assert.ts";
import { deadline, sleep } from "./helpers.ts";

/** Mutations per test (more with TSBTC_FUZZ_ITERATIONS=…). */
const ITERATIONS = Number(Deno.env.get("TSBTC_FUZZ_ITERATIONS") ?? 300);
/** Seed offset (vary with TSBTC_FUZZ_SEED=…). */
const SEED = Number(Deno.env.get("TSBTC_FUZZ_SEED") ?? 0);

const impl: Init = {
  makeEcho,
  makeRpc: () => ({ executeRpc: (r) => Promise.resolve(r), close: () => Promise.resolve() }),
  getInfo: () => Promise.reject(new Error("no info")),
  shutdown: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

/** A stream that records what is written to it. */
function recording(s: ByteStream, into: Uint8Array[]): ByteStream {
  const w = s.writable.getWriter();
  return {
    readable: s.readable,
    writable: new WritableStream({ write: (c) => (into.push(c.slice()), w.write(c)) }),
    close: () => s.close(),
  };
}

/** Records both directions of a typical session. */
async function record(): Promise<{ toServer: Uint8Array; toClient: Uint8Array }> {
  const up: Uint8Array[] = [];
  const down: Uint8Array[] = [];
  const [a, b] = memoryStreamPair();
  const server = new IpcConnection(recording(a, down), { name: "s", bootstrap: serveInit(impl) });
  const client = new IpcConnection(recording(b, up), { name: "c" });
  const init = bootstrapInit(client);
  const echo = init.makeEcho();
  await echo.echo("hello");
  await Promise.all([echo.echo("a"), echo.echo("b")]);
  const rpc = init.makeRpc();
  await rpc.executeRpc('{"method":"x"}', "/", "u");
  await init.getInfo().catch(() => {});
  await echo.close();
  await rpc.close();
  await init.close();
  await sleep(10);
  await client.close();
  await server.close();
  const cat = (xs: Uint8Array[]) => {
    const out = new Uint8Array(xs.reduce((n, x) => n + x.byteLength, 0));
    let o = 0;
    for (const x of xs) (out.set(x, o), o += x.byteLength);
    return out;
  };
  return { toServer: cat(up), toClient: cat(down) };
}

function mutate(bytes: Uint8Array, rnd: () => number): Uint8Array {
  const out = bytes.slice();
  const kind = Math.floor(rnd() * 4);
  if (kind === 0) {
    for (let i = 0, n = 1 + Math.floor(rnd() * 4); i < n; i++) {
      out[Math.floor(rnd() * out.length)] = Math.floor(rnd() * 256);
    }
  } else if (kind === 1) {
    for (let i = 0, n = 1 + Math.floor(rnd() * 8); i < n; i++) {
      out[Math.floor(rnd() * out.length)] ^= 1 << Math.floor(rnd() * 8);
    }
  } else if (kind === 2) {
    return out.subarray(0, Math.floor(rnd() * out.length));
  } else {
    // Overwrite one aligned word with an "interesting" value (pointers, sizes, counts).
    const vals = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0xfffffffc, 3, 0x10001, 0xffff0000];
    const at = Math.floor(rnd() * (out.length / 4)) * 4;
    new DataView(out.buffer).setUint32(at, vals[Math.floor(rnd() * vals.length)], true);
  }
  return out;
}

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("fuzz: mutated client streams never crash a server; it answers or aborts cleanly", async () => {
  const { toServer } = await record();
  const rnd = prng(SEED + 1);
  let aborted = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const bytes = mutate(toServer, rnd);
    const [a, b] = memoryStreamPair();
    const server = new IpcConnection(a, { name: "s", bootstrap: serveInit(impl) });
    const w = b.writable.getWriter();
    const drain = (async () => {
      const r = b.readable.getReader();
      for (;;) if ((await r.read().catch(() => ({ done: true }))).done) return;
    })();
    await w.write(bytes).catch(() => {});
    await sleep(0);
    const reason = await Promise.race([server.closed, sleep(5).then(() => null)]);
    if (reason) {
      assert(reason instanceof IpcError, "closed with an IpcError");
      aborted++;
    }
    await deadline(server.close(), 3000, "server close");
    b.close();
    await deadline(drain, 3000, "drain");
  }
  assert(aborted > 0, "some mutations were rejected");
});

Deno.test("fuzz: mutated server streams never crash a client; every pending call settles", async () => {
  const { toClient } = await record();
  const rnd = prng(SEED + 2);
  for (let i = 0; i < ITERATIONS; i++) {
    const bytes = mutate(toClient, rnd);
    const [a, b] = memoryStreamPair();
    const client = new IpcConnection(b, { name: "c" });
    const init = bootstrapInit(client);
    const echo = init.makeEcho();
    const rpc = init.makeRpc();
    const pending = [
      echo.echo("hello"),
      echo.echo("a"),
      echo.echo("b"),
      rpc.executeRpc('{"method":"x"}', "/", "u"),
      init.getInfo(),
    ].map((p) =>
      p.then(() => "ok", (e) => (assert(e instanceof Error, `rejects with an Error: ${e}`), "err"))
    );
    const w = a.writable.getWriter();
    const drain = (async () => {
      const r = a.readable.getReader();
      for (;;) if ((await r.read().catch(() => ({ done: true }))).done) return;
    })();
    await w.write(bytes).catch(() => {});
    await sleep(0);
    a.close(); // the "server" goes away: whatever is still pending must reject now
    await deadline(Promise.all(pending), 3000, "pending calls settle");
    await deadline(client.closed, 3000, "client closed");
    await echo.close().catch(() => {});
    await rpc.close();
    await init.close();
    await deadline(drain, 3000, "drain");
  }
});

Deno.test("fuzz: random frames of random words are refused without a crash", async () => {
  const rnd = prng(SEED + 3);
  for (let i = 0; i < ITERATIONS; i++) {
    const words = 1 + Math.floor(rnd() * 24);
    const body = new Uint8Array(words * 8);
    for (let j = 0; j < body.length; j++) body[j] = rnd() < 0.6 ? 0 : Math.floor(rnd() * 256);
    const frame = new Uint8Array(8 + body.length);
    new DataView(frame.buffer).setUint32(4, words, true);
    frame.set(body, 8);
    const [a, b] = memoryStreamPair();
    const server = new IpcConnection(a, { name: "s", bootstrap: serveInit(impl) });
    const w = b.writable.getWriter();
    const drain = (async () => {
      const r = b.readable.getReader();
      for (;;) if ((await r.read().catch(() => ({ done: true }))).done) return;
    })();
    await w.write(frame).catch(() => {});
    await sleep(0);
    await deadline(server.close(), 3000, "server close");
    b.close();
    await deadline(drain, 3000, "drain");
  }
});
