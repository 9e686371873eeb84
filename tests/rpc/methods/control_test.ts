import { controlMethods, echoIpcMethod } from "../../../rpc/methods/control.ts";
import { RpcServer } from "../../../rpc/server.ts";
import { RpcTable } from "../../../rpc/table.ts";
import { Logger } from "../../../util/logging.ts";
import { assert, assertEquals } from "../asserts.ts";

async function call(t: RpcTable, method: string, params: unknown[] = []): Promise<unknown> {
  const r = await t.execute(JSON.stringify({ jsonrpc: "2.0", method, params, id: 1 }));
  return JSON.parse(r.body);
}

Deno.test("logging: lists, enables and disables categories of the real Logger; unknown names refused", async () => {
  const logger = new Logger({ console: false });
  const t = new RpcTable();
  t.registerAll(controlMethods({ shutdown: () => {}, logging: logger }));
  const all = (await call(t, "logging")) as { result: Record<string, boolean> };
  assertEquals(Object.values(all.result).every((v) => v === false), true);
  assert("rpc" in all.result && "net" in all.result);
  const on = (await call(t, "logging", [["rpc", "net"], ["net"]])) as { result: Record<string, boolean> };
  assertEquals([on.result.rpc, on.result.net], [true, false]);
  assertEquals(logger.enabled("rpc"), true);
  assertEquals(await call(t, "logging", [["nosuch"]]), {
    jsonrpc: "2.0",
    error: { code: -8, message: "unknown logging category nosuch" },
    id: 1,
  });
  const everything = (await call(t, "logging", [["all"]])) as { result: Record<string, boolean> };
  assertEquals(Object.values(everything.result).every((v) => v === true), true);
  assert(t.help("logging").includes("The valid logging categories are: "));
  logger.close();
});

Deno.test("stop calls the shutdown callback and returns '<client> stopping'; uptime counts seconds", async () => {
  let stopped = 0;
  const t = new RpcTable();
  t.registerAll(controlMethods({ shutdown: () => stopped++, startTime: Date.now() - 5500 }));
  assertEquals(await call(t, "stop"), { jsonrpc: "2.0", result: "tsbtc stopping", id: 1 });
  assertEquals(stopped, 1);
  const t0 = performance.now();
  await call(t, "stop", [50]);
  assert(performance.now() - t0 >= 45);
  assertEquals(await call(t, "uptime"), { jsonrpc: "2.0", result: 5, id: 1 });
  assert(t.help("stop").startsWith("stop\n\nRequest a graceful shutdown of tsbtc."));
});

Deno.test("getblockcount uses the node's callback (0 without one); getrpcinfo reports the log path", async () => {
  const t = new RpcTable();
  let height = 0;
  t.registerAll(controlMethods({ shutdown: () => {}, getBlockCount: () => height, logPath: "/x/debug.log" }));
  assertEquals(await call(t, "getblockcount"), { jsonrpc: "2.0", result: 0, id: 1 });
  height = 42;
  assertEquals(await call(t, "getblockcount"), { jsonrpc: "2.0", result: 42, id: 1 });
  const info = (await call(t, "getrpcinfo")) as { result: { logpath: string } };
  assertEquals(info.result.logpath, "/x/debug.log");
  const plain = new RpcTable();
  plain.registerAll(controlMethods({ shutdown: () => {} }));
  assertEquals(await call(plain, "getblockcount"), { jsonrpc: "2.0", result: 0, id: 1 });
});

Deno.test("echo/echojson return the params; arg9 trigger_internal_bug gives Core's internal bug error", async () => {
  const t = new RpcTable();
  t.registerAll(controlMethods({ shutdown: () => {} }));
  assertEquals(await call(t, "echojson", [1, "a", { b: [] }]), {
    jsonrpc: "2.0",
    result: [1, "a", { b: [] }],
    id: 1,
  });
  const bug = (await call(t, "echo", [0, 1, 2, 3, 4, 5, 6, 7, 8, "trigger_internal_bug"])) as {
    error: { code: number; message: string };
  };
  assertEquals(bug.error.code, -1);
  assert(
    bug.error.message.startsWith(
      'Internal bug detected: request.params[9].get_str() != "trigger_internal_bug"',
    ),
  );
  assertEquals(
    await call(t, "echo", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).then((r) =>
      (r as { error: { code: number } }).error.code
    ),
    -1,
  );
  assertEquals(t.help("").includes("echo"), false); // hidden
});

Deno.test("echoipc: registered with the node's echo function", async () => {
  const t = new RpcTable();
  t.register(echoIpcMethod((s) => Promise.resolve(`via ipc: ${s}`)));
  assertEquals(await call(t, "echoipc", ["hello"]), { jsonrpc: "2.0", result: "via ipc: hello", id: 1 });
  assertEquals(((await call(t, "echoipc", [])) as { error: { code: number } }).error.code, -1);
});

Deno.test("stop over HTTP: reply arrives, then the node's shutdown stops the server", async () => {
  const dir = await Deno.makeTempDir();
  const t = new RpcTable();
  // deno-lint-ignore prefer-const -- assigned below, read by the shutdown callback first defined here
  let server: RpcServer | undefined;
  let stopping: Promise<void> | undefined;
  t.registerAll(controlMethods({ shutdown: () => (stopping = server!.stop()) }));
  server = await RpcServer.start({ table: t, netDataDir: dir, port: 0, rpcUser: "u", rpcPassword: "p" });
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/`, {
      method: "POST",
      headers: { authorization: `Basic ${btoa("u:p")}` },
      body: '{"method":"stop","id":1}',
    });
    assertEquals(await res.text(), '{"result":"tsbtc stopping","error":null,"id":1}\n');
    await stopping;
    let refused = false;
    await fetch(`http://127.0.0.1:${server.port}/`, { method: "POST", body: "{}" }).then((r) =>
      r.body?.cancel()
    )
      .catch(() => (refused = true));
    assert(refused);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
