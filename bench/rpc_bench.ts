/**
 * `deno bench` micro-benchmarks of the JSON-RPC path: the dispatch table alone, and one HTTP round trip of
 * `getblockcount` on a keep-alive connection. For requests per second under load see `bench/rpc_load.ts`.
 *
 * @module
 */
import { controlMethods } from "../rpc/methods/control.ts";
import { RpcServer } from "../rpc/server.ts";
import { RpcTable } from "../rpc/table.ts";

const BODY = '{"jsonrpc":"1.0","id":"bench","method":"getblockcount","params":[]}';
const table = new RpcTable();
table.registerAll(controlMethods({ shutdown: () => {}, getBlockCount: () => 0 }));

Deno.bench("rpc: RpcTable.execute getblockcount", async () => {
  await table.execute(BODY, { uri: "/", user: "bench" });
});

Deno.bench("rpc: RpcTable.execute batch of 10 echo", async (b) => {
  const batch = "[" + Array.from({ length: 10 }, (_, i) =>
    `{"method":"echo","params":[${i},"x"],"id":${i}}`) +
    "]";
  b.start();
  await table.execute(batch, { uri: "/", user: "bench" });
  b.end();
});

const dir = await Deno.makeTempDir();
const server = await RpcServer.start({
  table,
  netDataDir: dir,
  port: 0,
  rpcUser: "bench",
  rpcPassword: "bench",
});
const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
conn.setNoDelay(true);
const request = new TextEncoder().encode(
  `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic ${btoa("bench:bench")}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`,
);
const buf = new Uint8Array(4096);
const dec = new TextDecoder();

Deno.bench("rpc: HTTP getblockcount round trip (keep-alive)", async () => {
  await conn.write(request);
  let text = "";
  while (true) {
    const n = await conn.read(buf);
    if (n === null) throw new Error("connection closed");
    text += dec.decode(buf.subarray(0, n));
    const end = text.indexOf("\r\n\r\n");
    if (end < 0) continue;
    const len = Number(/content-length: *(\d+)/i.exec(text)![1]);
    if (text.length >= end + 4 + len) break;
  }
});

globalThis.addEventListener("unload", () => {
  conn.close();
  void server.stop();
  Deno.removeSync(dir, { recursive: true });
});
