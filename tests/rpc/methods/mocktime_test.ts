import { mocktimeMethods } from "../../../rpc/methods/mocktime.ts";
import { RpcTable } from "../../../rpc/table.ts";
import { assertEquals } from "../asserts.ts";

async function call(t: RpcTable, method: string, params: unknown[] = []): Promise<unknown> {
  const r = await t.execute(JSON.stringify({ jsonrpc: "2.0", method, params, id: 1 }));
  return JSON.parse(r.body);
}

Deno.test("setmocktime: sets the clock on regtest, 0 resets, range and type errors as Core", async () => {
  const set: number[] = [];
  const t = new RpcTable();
  t.registerAll(mocktimeMethods({ network: "regtest", setMockTime: (v) => set.push(v) }));
  assertEquals(await call(t, "setmocktime", [1700000000]), { jsonrpc: "2.0", result: null, id: 1 });
  assertEquals(await call(t, "setmocktime", [0]), { jsonrpc: "2.0", result: null, id: 1 });
  assertEquals(await call(t, "setmocktime", [4294967295]), { jsonrpc: "2.0", result: null, id: 1 });
  assertEquals(set, [1700000000, 0, 4294967295]);
  assertEquals(await call(t, "setmocktime", [-1]), {
    jsonrpc: "2.0",
    error: { code: -8, message: "Mocktime must be in the range [0, 4294967295], not -1." },
    id: 1,
  });
  assertEquals(await call(t, "setmocktime", [4294967296]), {
    jsonrpc: "2.0",
    error: { code: -8, message: "Mocktime must be in the range [0, 4294967295], not 4294967296." },
    id: 1,
  });
  const bad = (await call(t, "setmocktime", ["x"])) as { error: { code: number } };
  assertEquals(bad.error.code, -3);
  const missing = (await call(t, "setmocktime", [])) as { error: { code: number } };
  assertEquals(missing.error.code, -1);
  assertEquals(set.length, 3);
});

Deno.test("setmocktime: refused outside regtest with Core's message", async () => {
  const t = new RpcTable();
  let called = false;
  t.registerAll(mocktimeMethods({ network: "main", setMockTime: () => called = true }));
  assertEquals(await call(t, "setmocktime", [1]), {
    jsonrpc: "2.0",
    error: { code: -1, message: "setmocktime is for regression testing (-regtest mode) only" },
    id: 1,
  });
  assertEquals(called, false);
});

Deno.test("mockscheduler: moves the scheduler on regtest, Core's range and network errors", async () => {
  const moved: number[] = [];
  const t = new RpcTable();
  t.registerAll(mocktimeMethods({
    network: "regtest",
    setMockTime: () => {},
    mockScheduler: (s) => Promise.resolve(void moved.push(s)),
  }));
  assertEquals(await call(t, "mockscheduler", [60]), { jsonrpc: "2.0", result: null, id: 1 });
  assertEquals(await call(t, "mockscheduler", [3600]), { jsonrpc: "2.0", result: null, id: 1 });
  for (const bad of [0, -5, 3601]) {
    assertEquals(await call(t, "mockscheduler", [bad]), {
      jsonrpc: "2.0",
      error: { code: -1, message: "delta_time must be between 1 and 3600 seconds (1 hr)" },
      id: 1,
    });
  }
  assertEquals(moved, [60, 3600]);
  const main = new RpcTable();
  main.registerAll(
    mocktimeMethods({ network: "main", setMockTime: () => {}, mockScheduler: () => Promise.resolve() }),
  );
  assertEquals(await call(main, "mockscheduler", [60]), {
    jsonrpc: "2.0",
    error: { code: -1, message: "mockscheduler is for regression testing (-regtest mode) only" },
    id: 1,
  });
});
