import { RpcClient, serveRpc } from "../../../ipc/proxies/rpc.ts";
import type { Rpc } from "../../../interfaces/rpc.ts";
import { assertEquals, assertRejects } from "../../assert.ts";
import { connPair, deadline, until } from "../helpers.ts";

Deno.test("rpc: executeRpc carries request, uri and user, and large texts both ways", async () => {
  let closed = 0;
  const impl: Rpc = {
    executeRpc: (request, uri, user) => {
      if (request === "fail") return Promise.reject(new Error("bad request"));
      return Promise.resolve(`${uri}|${user}|${request.length}|${"r".repeat(request.length)}`);
    },
    close: () => {
      closed++;
      return Promise.resolve();
    },
  };
  const p = await connPair("unix", { bootstrap: serveRpc(impl) });
  try {
    const rpc = new RpcClient(p.client.bootstrap());
    assertEquals(await deadline(rpc.executeRpc("{}", "/", "")), "/||2|rr");
    const big = "q".repeat(3_000_000); // several reads, a multi-word text, a grown segment
    const reply = await deadline(rpc.executeRpc(big, "/wallet/x", "u"), 10000);
    assertEquals(reply.length, "/wallet/x|u|3000000|".length + 3_000_000);
    await assertRejects(() => deadline(rpc.executeRpc("fail", "/", "")), "bad request");
    await rpc.close();
    await assertRejects(() => rpc.executeRpc("{}", "/", ""), "Capability used after close()");
    await until(() => p.server.stats().exports === 0, 3000, "released");
    await p.server.close();
    assertEquals(closed, 1);
  } finally {
    await p.close();
  }
});
