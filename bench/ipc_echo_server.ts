/**
 * A tiny IPC echo server for `bench/ipc_bench.ts`: serves `ProcessInit` (with `makeEcho` and a trivial
 * `makeRpc`) on one connection, then exits when it ends.
 *
 * Usage: `deno run -A bench/ipc_echo_server.ts unix:<path> | tcp:<port> | stdio | raw-unix:<path>`
 * (`raw-unix` echoes bytes back without any Cap'n Proto: the machine's floor for a round trip).
 * Prints `ready` (on stderr) once listening.
 *
 * @module
 */
import { makeEcho } from "../interfaces/echo.ts";
import type { Init } from "../interfaces/init.ts";
import { IpcConnection } from "../ipc/connection.ts";
import { serveInit } from "../ipc/proxies/init.ts";
import type { ByteStream } from "../ipc/transport.ts";

const impl: Init = {
  makeEcho,
  makeRpc: () => ({
    executeRpc: (request) =>
      Promise.resolve(`{"result":${JSON.stringify(request.length)},"error":null,"id":1}`),
    close: () => Promise.resolve(),
  }),
  getInfo: () => Promise.reject(new Error("not in the benchmark server")),
  shutdown: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

async function serve(stream: ByteStream): Promise<void> {
  const conn = new IpcConnection(stream, { name: "tsbtc-bench-echo", bootstrap: serveInit(impl) });
  await conn.closed;
}

if (import.meta.main) {
  const where = Deno.args[0] ?? "stdio";
  const ready = () => Deno.stderr.writeSync(new TextEncoder().encode("ready\n"));
  if (where === "stdio") {
    ready();
    await serve({
      readable: Deno.stdin.readable,
      writable: Deno.stdout.writable,
      read: (p) => Deno.stdin.read(p),
      write: (p) => Deno.stdout.write(p),
      close: () => {},
    });
  } else if (where.startsWith("unix:")) {
    const listener = Deno.listen({ transport: "unix", path: where.slice(5) });
    ready();
    const conn = await listener.accept();
    listener.close();
    await serve(conn);
  } else if (where.startsWith("raw-unix:")) {
    const listener = Deno.listen({ transport: "unix", path: where.slice(9) });
    ready();
    const conn = await listener.accept();
    listener.close();
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      let o = 0;
      while (o < n) o += await conn.write(buf.subarray(o, n));
    }
  } else if (where.startsWith("tcp:")) {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: Number(where.slice(4)) });
    ready();
    const conn = await listener.accept();
    conn.setNoDelay(true);
    listener.close();
    await serve(conn);
  } else {
    console.error(`usage: ipc_echo_server.ts unix:<path> | tcp:<port> | stdio | raw-unix:<path>`);
    Deno.exit(2);
  }
  Deno.exit(0);
}
