import { RpcError, RpcErrorCode } from "../../rpc/errors.ts";
import { controlMethods } from "../../rpc/methods/control.ts";
import { RpcTable, tableOptionsFromArgs, transformNamedArguments } from "../../rpc/table.ts";
import { fakeArgs } from "./fake_args.ts";
import { assert, assertEquals, assertThrows } from "./asserts.ts";

function makeTable(opts: ConstructorParameters<typeof RpcTable>[0] = {}): RpcTable {
  const t = new RpcTable(opts);
  t.registerAll(controlMethods({ shutdown: () => {}, getBlockCount: () => 7 }));
  t.register({
    name: "fail",
    category: "test",
    description: "Fails.",
    args: [{ names: "kind", type: "str", description: "" }],
    results: [{ type: "none" }],
    examples: "",
    handler: (params) => {
      if (params[0] === "rpc") throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "bad parameter");
      throw new Error("plain failure");
    },
  });
  return t;
}

async function run(t: RpcTable, body: string, user = "u"): Promise<[number, unknown]> {
  const r = await t.execute(body, { uri: "/", user });
  return [r.status, r.body === "" ? null : JSON.parse(r.body)];
}

Deno.test("JSON-RPC 1.0: both result and error, HTTP status from the error code", async () => {
  const t = makeTable();
  assertEquals(await run(t, '{"method":"getblockcount","id":1}'), [200, { result: 7, error: null, id: 1 }]);
  assertEquals(await run(t, '{"method":"nosuch","id":"a"}'), [404, {
    result: null,
    error: { code: -32601, message: "Method not found" },
    id: "a",
  }]);
  assertEquals(await run(t, '{"method":"fail","params":["rpc"],"id":2}'), [500, {
    result: null,
    error: { code: -8, message: "bad parameter" },
    id: 2,
  }]);
  assertEquals(await run(t, '{"method":"fail","params":["x"],"id":2}'), [500, {
    result: null,
    error: { code: -1, message: "plain failure" },
    id: 2,
  }]);
  assertEquals(await run(t, '{"params":[],"id":3}'), [400, {
    result: null,
    error: { code: -32600, message: "Missing method" },
    id: 3,
  }]);
  // Core's interface_rpc.py: a request that cannot be parsed is answered with "id": null.
  assertEquals(await run(t, "{bad json"), [500, {
    result: null,
    error: { code: -32700, message: "Parse error" },
    id: null,
  }]);
  assertEquals(await run(t, "42"), [500, {
    result: null,
    error: { code: -32700, message: "Top-level object parse error" },
    id: null,
  }]);
  // "jsonrpc": "1.0" is accepted as legacy.
  assertEquals(await run(t, '{"jsonrpc":"1.0","method":"getblockcount","id":1}'), [200, {
    result: 7,
    error: null,
    id: 1,
  }]);
});

Deno.test("JSON-RPC 2.0: only result or error, HTTP 200, notifications get 204", async () => {
  const t = makeTable();
  assertEquals(await run(t, '{"jsonrpc":"2.0","method":"getblockcount","id":1}'), [200, {
    jsonrpc: "2.0",
    result: 7,
    id: 1,
  }]);
  assertEquals(await run(t, '{"jsonrpc":"2.0","method":"nosuch","id":1}'), [200, {
    jsonrpc: "2.0",
    error: { code: -32601, message: "Method not found" },
    id: 1,
  }]);
  assertEquals(await run(t, '{"jsonrpc":"2.0","method":"getblockcount"}'), [204, null]);
  assertEquals(await run(t, '{"jsonrpc":"2.0","method":"nosuch"}'), [204, null]);
  assertEquals(await run(t, '{"jsonrpc":"3.0","method":"getblockcount","id":1}'), [400, {
    result: null,
    error: { code: -32600, message: "JSON-RPC version not supported" },
    id: 1,
  }]);
  assertEquals(await run(t, '{"jsonrpc":2,"method":"getblockcount","id":1}'), [400, {
    result: null,
    error: { code: -32600, message: "jsonrpc field must be a string" },
    id: 1,
  }]);
});

Deno.test("batches: every member answered in order, notifications dropped, errors inline", async () => {
  const t = makeTable();
  const [status, body] = await run(
    t,
    '[{"method":"getblockcount","id":1},{"jsonrpc":"2.0","method":"getblockcount"},' +
      '{"jsonrpc":"2.0","method":"nosuch","id":3},{"method":"nosuch","id":4},[],{"id":6}]',
  );
  assertEquals(status, 200);
  assertEquals(body, [
    { result: 7, error: null, id: 1 },
    { jsonrpc: "2.0", error: { code: -32601, message: "Method not found" }, id: 3 },
    { result: null, error: { code: -32601, message: "Method not found" }, id: 4 },
    { result: null, error: { code: -32600, message: "Invalid Request object" }, id: 4 },
    { result: null, error: { code: -32600, message: "Missing method" }, id: 6 },
  ]);
  assertEquals(await run(t, "[]"), [200, []]);
  assertEquals(await run(t, '[{"jsonrpc":"2.0","method":"getblockcount"}]'), [204, null]);
});

Deno.test("named parameters: mapping, holes, args, Core's errors", async () => {
  const t = makeTable();
  const echo = async (params: string) => (await run(t, `{"method":"echo","params":${params},"id":0}`))[1];
  assertEquals(await echo('{"arg2":"c","arg0":"a"}'), { result: ["a", null, "c"], error: null, id: 0 });
  assertEquals(await echo('{"args":["a","b"],"arg3":"d"}'), {
    result: ["a", "b", null, "d"],
    error: null,
    id: 0,
  });
  assertEquals(await echo('{"args":["a"],"arg0":"x"}'), {
    result: null,
    error: { code: -8, message: "Parameter arg0 specified twice both as positional and named argument" },
    id: 0,
  });
  assertEquals(await echo('{"foo":1}'), {
    result: null,
    error: { code: -8, message: "Unknown named parameter foo" },
    id: 0,
  });
  assertEquals(await echo('{"arg0":1,"arg1":2,"arg0":3}'), {
    result: null,
    error: { code: -8, message: "Parameter arg0 specified multiple times" },
    id: 0,
  });
  const batch = await run(
    t,
    '[{"method":"echo","params":{"a":1,"b":{"x":1,"x":2}},"id":1},' +
      '{"method":"echo","params":{"arg1":1,"arg1":2},"id":2}]',
  );
  assertEquals(batch[1], [
    { result: null, error: { code: -8, message: "Unknown named parameter a" }, id: 1 },
    { result: null, error: { code: -8, message: "Parameter arg1 specified multiple times" }, id: 2 },
  ]);
  // echo keeps numbers byte for byte, like UniValue.
  const r = await t.execute('{"method":"echo","params":[1.10,12345678901234567890,"x"],"id":0}');
  assertEquals(r.body, '{"result":[1.10,12345678901234567890,"x"],"error":null,"id":0}\n');
});

Deno.test("transformNamedArguments: aliases and named-only options", () => {
  const names: Array<[string, boolean]> = [["a", false], ["fee_rate", true], ["opts", false], [
    "c|cc",
    false,
  ]];
  assertEquals(transformNamedArguments({ cc: 3 }, names), [null, null, 3]);
  assertEquals(transformNamedArguments({ fee_rate: 1, a: 0 }, names), [0, { fee_rate: 1 }]);
  assertThrows(
    () => transformNamedArguments({ fee_rate: 1, opts: {} }, names),
    "Parameter opts conflicts with parameter fee_rate",
  );
});

Deno.test("argument count and type errors like RPCHelpMan", async () => {
  const t = makeTable();
  const [status, body] = await run(t, '{"method":"uptime","params":[1],"id":1}');
  assertEquals(status, 500);
  const err = (body as { error: { code: number; message: string } }).error;
  assertEquals(err.code, -1);
  assert(err.message.startsWith("uptime\n\nReturns the total uptime of the server.\n"));
  assertEquals(await run(t, '{"method":"logging","params":["all"],"id":1}'), [500, {
    result: null,
    error: {
      code: -3,
      message:
        'Wrong type passed:\n{\n    "Position 1 (include)": "JSON value of type string is not of expected type array"\n}',
    },
    id: 1,
  }]);
  assertEquals(await run(t, '{"method":"help","params":[5],"id":1}'), [500, {
    result: null,
    error: {
      code: -3,
      message:
        'Wrong type passed:\n{\n    "Position 1 (command)": "JSON value of type number is not of expected type string"\n}',
    },
    id: 1,
  }]);
});

Deno.test("help lists categories like Core and per-method help; unknown command", async () => {
  const t = makeTable();
  assertEquals(
    t.help(""),
    '== Blockchain ==\ngetblockcount\n\n== Control ==\ngetrpcinfo\nhelp ( "command" )\n' +
      'logging ( ["include_category",...] ["exclude_category",...] )\nstop\nuptime\n\n== Test ==\nfail "kind"',
  );
  assertEquals(t.help("foo"), "help: unknown command: foo");
  assert(t.help("echo").startsWith('echo ( "arg0" "arg1"'));
  const [, body] = await run(t, '{"method":"help","params":["dump_all_command_conversions"],"id":1}');
  const map = (body as { result: Array<[string, number, string, boolean]> }).result;
  assert(map.some((e) => e[0] === "logging" && e[1] === 1 && e[2] === "exclude" && e[3] === false));
  assert(map.some((e) => e[0] === "help" && e[1] === 0 && e[2] === "command" && e[3] === true));
});

Deno.test("warmup: every call fails with -28 and the status until finished", async () => {
  const t = makeTable({ warmup: "Loading block index…" });
  assertEquals(await run(t, '{"jsonrpc":"2.0","method":"help","id":1}'), [200, {
    jsonrpc: "2.0",
    error: { code: -28, message: "Loading block index…" },
    id: 1,
  }]);
  t.setWarmupFinished();
  assertEquals((await run(t, '{"method":"getblockcount","id":1}'))[0], 200);
});

Deno.test("-rpcwhitelist: per-user method sets, 403 otherwise", async () => {
  const t = makeTable({ whitelist: ["alice:getblockcount,help", "alice:getblockcount"] });
  assertEquals((await run(t, '{"method":"getblockcount","id":1}', "alice"))[0], 200);
  assertEquals(await run(t, '{"method":"help","id":1}', "alice"), [403, null]);
  assertEquals(await run(t, '{"method":"getblockcount","id":1}', "bob"), [403, null]);
  assertEquals(await run(t, '[{"method":"getblockcount","id":1},{"method":"uptime","id":2}]', "alice"), [
    403,
    null,
  ]);
});

Deno.test("getrpcinfo lists itself as active; wallet URIs are decoded", async () => {
  const t = makeTable();
  const [, body] = await run(t, '{"method":"getrpcinfo","id":1}');
  const result =
    (body as { result: { active_commands: Array<{ method: string; duration: number }> } }).result;
  assertEquals(result.active_commands.map((c) => c.method), ["getrpcinfo"]);
  assert(result.active_commands[0].duration >= 0);
  let seen: string | null = "unset";
  t.register({
    name: "whichwallet",
    category: "test",
    description: "x",
    args: [],
    results: [],
    examples: "",
    handler: (_p, ctx) => (seen = ctx.walletName),
  });
  await t.execute('{"method":"whichwallet","id":1}', { uri: "/wallet/my%20w%2Fx" });
  assertEquals(seen, "my w/x");
});

Deno.test("register refuses duplicates and clashing argument names", () => {
  const t = makeTable();
  assertThrows(() => t.registerAll(controlMethods({ shutdown: () => {} })), "already registered");
  assertThrows(() =>
    t.register({
      name: "dup",
      category: "x",
      description: "",
      args: [{ names: "a", type: "str", description: "" }, { names: "a", type: "str", description: "" }],
      results: [],
      examples: "",
      handler: () => null,
    }), "argument name a is used twice");
});

Deno.test("tableOptionsFromArgs reads -rpcwhitelist, -rpcwhitelistdefault and -logips", () => {
  const o = tableOptionsFromArgs(
    fakeArgs({ "-rpcwhitelist": ["a:help", "b"], "-rpcwhitelistdefault": "0", "-logips": "1" }),
  );
  assertEquals([o.whitelist, o.whitelistDefault, o.logIps], [["a:help", "b"], false, true]);
  assertEquals(tableOptionsFromArgs(fakeArgs({})).whitelistDefault, undefined);
});
