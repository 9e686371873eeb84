import {
  CapabilityServer,
  initStructAt,
  newMessage,
  rootPointer,
  setCap,
  writeText,
} from "../../ipc/capability.ts";
import { Echo$Client } from "../../ipc/capnp/gen/echo.ts";
import { Rpc$Client } from "../../ipc/capnp/gen/rpc.ts";
import { ProcessInfo } from "../../ipc/capnp/gen/tsbtc.ts";
import {
  formatStruct,
  IpcDebugLog,
  type IpcLogSink,
  lookupMethod,
  redactJsonRpcRequest,
  SENSITIVE_RPC_METHODS,
} from "../../ipc/debug_log.ts";
import { IpcConnection } from "../../ipc/connection.ts";
import { bootstrapInit, serveInit } from "../../ipc/proxies/init.ts";
import { memoryStreamPair } from "../../ipc/transport.ts";
import { makeEcho } from "../../interfaces/echo.ts";
import type { Init } from "../../interfaces/init.ts";
import { assert, assertEquals } from "../assert.ts";
import { deadline } from "./helpers.ts";

class Sink implements IpcLogSink {
  lines: string[] = [];
  constructor(public on = true) {}
  enabled(category: string): boolean {
    return this.on && category === "ipc";
  }
  debug(category: string, msg: string): void {
    if (this.enabled(category)) this.lines.push(msg);
  }
}

Deno.test("debug_log: structs print like capnp's text format, defaults omitted", () => {
  const info = initStructAt(ProcessInfo, rootPointer(newMessage()));
  assertEquals(formatStruct(info), "()");
  info.mode = "node";
  info.pid = 123;
  info.sandbox = 'a "quoted"\nline';
  assertEquals(formatStruct(info), '(mode = "node", pid = 123, sandbox = "a \\"quoted\\"\\nline")');
});

Deno.test("debug_log: capabilities print as <capability>; a null one is omitted", () => {
  const m = newMessage();
  const p = initStructAt(Echo$Client.methods[1].ParamsClass, rootPointer(m));
  const ctx = p._initContext();
  assertEquals(formatStruct(p), "(context = ())");
  const thread = new CapabilityServer("Thread", []).capability();
  setCap(ctx, 0, thread);
  writeText(p, 1, "hello");
  assertEquals(formatStruct(p), '(context = (thread = <capability>), echo = "hello")');
  thread.close();
});

Deno.test("debug_log: secret-looking fields are redacted", () => {
  const info = initStructAt(ProcessInfo, rootPointer(newMessage()));
  info.mode = "wallet";
  info.permissions = '{"passphrase":"x"}'; // field name 'permissions' is not secret; content is printed
  assertEquals(formatStruct(info), '(mode = "wallet", permissions = "{\\"passphrase\\":\\"x\\"}")');
  // Field names matching the pattern are never printed.
  const proto = {
    get walletPassphrase() {
      return "hunter2";
    },
    get seedHex() {
      return "00";
    },
    get ok() {
      return 1;
    },
  };
  const fake = Object.create(proto);
  assertEquals(formatStruct(fake), "(walletPassphrase = <redacted>, seedHex = <redacted>, ok = 1)");
});

Deno.test("debug_log: JSON-RPC requests of sensitive methods have their params redacted", () => {
  for (const method of ["walletpassphrase", "importprivkey", "signrawtransactionwithkey", "encryptwallet"]) {
    assert(SENSITIVE_RPC_METHODS.includes(method), method);
    const r = redactJsonRpcRequest(JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: ["secret", 60] }));
    assert(!r.text.includes("secret"), r.text);
    assert(r.text.includes('"params":"<redacted>"'), r.text);
    assert(r.sensitive);
  }
  const plain = redactJsonRpcRequest('{"method":"getblockcount","params":[]}');
  assertEquals(plain, { text: '{"method":"getblockcount","params":[]}', sensitive: false });
  const batch = redactJsonRpcRequest(
    '[{"method":"getblockcount"},{"method":"dumpprivkey","params":["addr"]}]',
  );
  assert(batch.sensitive && !batch.text.includes("addr"), batch.text);
  const named = redactJsonRpcRequest('{"method":"getinfo","params":{"x":1},"auth":"tok"}');
  assertEquals(named.text, '{"method":"getinfo","params":{"x":1},"auth":"<redacted>"}');
  const junk = redactJsonRpcRequest('walletpassphrase "secret"');
  assert(junk.sensitive && !junk.text.includes("secret"), junk.text);
});

Deno.test("debug_log: method labels come from the schemas", () => {
  assertEquals(lookupMethod(Echo$Client.interfaceId, 1).label, "Echo.echo");
  assertEquals(lookupMethod(Rpc$Client.interfaceId, 0).label, "Rpc.executeRpc");
  assertEquals(lookupMethod(0x1234n, 5).label, "0x1234.5");
});

Deno.test("debug_log: a connection logs every request and response in both directions, Core's style", async () => {
  const sink = new Sink();
  const impl: Init = {
    makeEcho,
    makeRpc: () => ({
      executeRpc: () => Promise.resolve('{"result":"privkey-here"}'),
      close: () => Promise.resolve(),
    }),
    getInfo: () => Promise.reject(new Error("no")),
    shutdown: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  const [a, b] = memoryStreamPair();
  const server = new IpcConnection(a, { name: "tsbtc-node", bootstrap: serveInit(impl), logger: sink });
  const client = new IpcConnection(b, { name: "tsbtc-cli", logger: sink });
  const init = bootstrapInit(client);
  const echo = init.makeEcho();
  assertEquals(await deadline(echo.echo("hello")), "hello");
  const rpc = init.makeRpc();
  await deadline(rpc.executeRpc('{"method":"dumpprivkey","params":["bc1qsecretaddr"]}', "/", "u"));
  await echo.close();
  await rpc.close();
  await init.close();
  await client.close();
  await server.close();
  const pid = Deno.pid;
  const has = (re: RegExp) =>
    assert(sink.lines.some((l) => re.test(l)), `no line matches ${re}:\n${sink.lines.join("\n")}`);
  has(
    new RegExp(
      `^\\{tsbtc-cli-${pid}/r\\d+\\} IPC client send Echo\\.echo\\$Params \\(context = \\(thread = <capability>\\), echo = "hello"\\)$`,
    ),
  );
  has(new RegExp(`^\\{tsbtc-node-${pid}/r\\d+\\} IPC server recv Echo\\.echo\\$Params .*echo = "hello"`));
  has(
    new RegExp(
      `^\\{tsbtc-node-${pid}/r\\d+\\} IPC server send Echo\\.echo\\$Results \\(result = "hello"\\)$`,
    ),
  );
  has(
    new RegExp(`^\\{tsbtc-cli-${pid}/r\\d+\\} IPC client recv Echo\\.echo\\$Results \\(result = "hello"\\)$`),
  );
  has(/IPC client send Rpc\.executeRpc\$Params .*request = ".*\\"params\\":\\"<redacted>\\"/);
  has(/IPC client recv Rpc\.executeRpc\$Results \(result = <redacted>\)/);
  for (const l of sink.lines) {
    assert(!l.includes("bc1qsecretaddr") && !l.includes("privkey-here"), `secret leaked: ${l}`);
  }
  // Request numbers pair requests with responses.
  const send = sink.lines.find((l) => l.includes("client send Echo.echo$Params"))!;
  const n = /\/r(\d+)\}/.exec(send)![1];
  has(new RegExp(`/r${n}\\} IPC client recv Echo\\.echo\\$Results`));
});

Deno.test("debug_log: nothing is formatted when the category is off", () => {
  const sink = new Sink(false);
  const log = new IpcDebugLog(sink, "x", 1);
  assertEquals(log.enabled, false);
  const none = new IpcDebugLog(undefined, "x", 1);
  assertEquals(none.enabled, false);
});
