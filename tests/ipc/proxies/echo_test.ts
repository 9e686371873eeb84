import { EchoClient, serveEcho } from "../../../ipc/proxies/echo.ts";
import type { Echo } from "../../../interfaces/echo.ts";
import { assertEquals, assertRejects } from "../../assert.ts";
import { connPair, deadline, until } from "../helpers.ts";

function countingEcho(): Echo & { closes: number } {
  const e = {
    closes: 0,
    echo: (m: string) => Promise.resolve(m),
    close: () => {
      e.closes++;
      return Promise.resolve();
    },
  };
  return e;
}

Deno.test("echo: destroy closes the served object once; the Release that follows does not close it again", async () => {
  const impl = countingEcho();
  const p = await connPair("memory", { bootstrap: serveEcho(impl) });
  try {
    const echo = new EchoClient(p.client.bootstrap());
    assertEquals(await deadline(echo.echo("a")), "a");
    await deadline(echo.close());
    await until(() => p.server.stats().exports === 0, 3000, "released");
    assertEquals(impl.closes, 1);
    await assertRejects(() => echo.echo("after"), "Capability used after close()");
  } finally {
    await p.close();
  }
});

Deno.test("echo: a client that only drops its reference still gets the object closed", async () => {
  const impl = countingEcho();
  const p = await connPair("memory", { bootstrap: serveEcho(impl) });
  try {
    const cap = p.client.bootstrap();
    const echo = new EchoClient(cap.dup());
    assertEquals(await deadline(echo.echo("b")), "b");
    cap.close();
    echo.capability.close(); // no destroy: just the Release
    await until(() => p.server.stats().exports === 0, 3000, "released");
    // The connection still holds its bootstrap reference: closing it drops the last one.
    await p.server.close();
    await until(() => impl.closes === 1, 3000, "closed on dispose");
  } finally {
    await p.close();
  }
});

Deno.test("echo: closing a proxy whose peer went away is not an error", async () => {
  const p = await connPair("unix", { bootstrap: serveEcho(countingEcho()) });
  try {
    const echo = new EchoClient(p.client.bootstrap());
    assertEquals(await deadline(echo.echo("c")), "c");
    await p.server.close();
    await deadline(p.client.closed);
    await deadline(echo.close());
  } finally {
    await p.close();
  }
});
