import { type CliIo, httpPost, runCli } from "../../rpc/client.ts";
import { RpcError, RpcErrorCode } from "../../rpc/errors.ts";
import { controlMethods } from "../../rpc/methods/control.ts";
import { RpcServer, type RpcServerOptions } from "../../rpc/server.ts";
import { RpcTable } from "../../rpc/table.ts";
import { assert, assertEquals } from "./asserts.ts";
import { fakeArgs, type FakeOptions } from "./fake_args.ts";

interface Env {
  server: RpcServer;
  table: RpcTable;
  dataDir: string;
  [Symbol.asyncDispose](): Promise<void>;
}

async function startEnv(opts: Partial<RpcServerOptions> = {}): Promise<Env> {
  const dataDir = await Deno.makeTempDir();
  await Deno.mkdir(`${dataDir}/regtest`);
  const table = new RpcTable();
  table.registerAll(controlMethods({ shutdown: () => {}, getBlockCount: () => 101 }));
  table.register({
    name: "nothing",
    category: "test",
    description: "Returns null.",
    args: [],
    results: [],
    examples: "",
    handler: () => null,
  });
  table.register({
    name: "whichwallet",
    category: "test",
    description: "Wallet name from the URI.",
    args: [],
    results: [],
    examples: "",
    handler: (_p, ctx) => {
      if (ctx.walletName === null) {
        throw new RpcError(
          RpcErrorCode.RPC_WALLET_NOT_SPECIFIED,
          "Multiple wallets are loaded. Please select which wallet to use by requesting the RPC through the /wallet/<walletname> URI path.",
        );
      }
      return ctx.walletName;
    },
  });
  const server = await RpcServer.start({ table, netDataDir: `${dataDir}/regtest`, port: 0, ...opts });
  return {
    server,
    table,
    dataDir,
    async [Symbol.asyncDispose]() {
      await server.stop();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

interface Captured {
  code: number;
  out: string;
  err: string;
}

async function cli(
  env: { server?: RpcServer; dataDir: string } | null,
  argv: string[],
  stdin = "",
): Promise<Captured> {
  const options: FakeOptions = {};
  const positional: string[] = [];
  for (const a of argv) {
    if (positional.length === 0 && a.startsWith("-")) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a : a.slice(0, eq);
      const value = eq < 0 ? "" : a.slice(eq + 1);
      const prev = options[name];
      options[name] = prev === undefined || prev === false
        ? value
        : [...(Array.isArray(prev) ? prev : [prev]), value];
    } else positional.push(a);
  }
  if (env?.server && options["-rpcport"] === undefined) options["-rpcport"] = String(env.server.port);
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    readStdin: () => Promise.resolve(stdin),
    stdinIsTerminal: () => false,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
  };
  const dataDir = env?.dataDir ?? "/nonexistent";
  const code = await runCli(fakeArgs(options, { dataDir, netDataDir: `${dataDir}/regtest`, positional }), {
    io,
    retryDelayMs: 50,
  });
  return { code, out: out.join(""), err: err.join("") };
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test("results: numbers and JSON pretty, strings bare, null prints nothing (cookie auth)", async () => {
  await using env = await startEnv();
  assertEquals(await cli(env, ["getblockcount"]), { code: 0, out: "101\n", err: "" });
  assertEquals(await cli(env, ["help", "nosuch"]), {
    code: 0,
    out: "help: unknown command: nosuch\n",
    err: "",
  });
  assertEquals(await cli(env, ["nothing"]), { code: 0, out: "", err: "" });
  assertEquals(await cli(env, ["echojson", "1.10", '{"a":[],"b":{"c":12345678901234567890}}']), {
    code: 0,
    out: '[\n  1.10,\n  {\n    "a": [\n    ],\n    "b": {\n      "c": 12345678901234567890\n    }\n  }\n]\n',
    err: "",
  });
  assertEquals((await cli(env, ["echo", "1.10", "x y"])).out, '[\n  "1.10",\n  "x y"\n]\n');
});

Deno.test("RPC errors: stderr text and exit status |code| like bitcoin-cli", async () => {
  await using env = await startEnv();
  assertEquals(await cli(env, ["nosuch"]), {
    code: 32601,
    out: "",
    err: "error code: -32601\nerror message:\nMethod not found\n",
  });
  assertEquals(await cli(env, ["logging", '["nosuchcat"]']), {
    code: 8,
    out: "",
    err: "error code: -8\nerror message:\nunknown logging category nosuchcat\n",
  });
  const w = await cli(env, ["whichwallet"]);
  assertEquals(w.code, 19);
  assert(w.err.endsWith(
    'URI path. Or for the CLI, specify the "-rpcwallet=<walletname>" option before the command (run ' +
      '"tsbtc rpc -h" for help or "tsbtc rpc listwallets" to see which wallets are currently loaded).\n',
  ));
});

Deno.test("-named, -rpcwallet (URL-encoded), -rpcid, -stdin, -stdinrpcpass", async () => {
  await using env = await startEnv({ rpcUser: "u", rpcPassword: "pw" });
  const auth = ["-rpcuser=u", "-rpcpassword=pw"];
  assertEquals((await cli(env, [...auth, "-named", "echo", "arg1=x", "y"])).out, '[\n  "y",\n  "x"\n]\n');
  assertEquals((await cli(env, [...auth, "-rpcwallet=my w/ü", "whichwallet"])).out, "my w/ü\n");
  assertEquals((await cli(env, [...auth, "-rpcwallet=", "whichwallet"])).out, ""); // "" prints nothing, as Core
  assertEquals(
    (await cli(env, [...auth, "-stdin", "echo", "a"], "b\nc d\n")).out,
    '[\n  "a",\n  "b",\n  "c d"\n]\n',
  );
  assertEquals((await cli(env, ["-rpcuser=u", "-stdinrpcpass", "getblockcount"], "pw\n")).out, "101\n");
  assertEquals(
    (await cli(env, ["-rpcuser=u", "-stdinrpcpass", "-stdin", "echo"], "pw\nline\n")).out,
    '[\n  "line"\n]\n',
  );
  assertEquals(await cli(env, ["-rpcuser=u", "-stdinrpcpass", "getblockcount"], ""), {
    code: 1,
    out: "",
    err: "error: -stdinrpcpass specified but failed to read from standard input\n",
  });
});

Deno.test("authentication failures name the cause and the config file", async () => {
  await using env = await startEnv({ rpcUser: "u", rpcPassword: "pw" });
  assertEquals(await cli(env, ["-rpcuser=u", "-rpcpassword=bad", "getblockcount"]), {
    code: 1,
    out: "",
    err:
      "error: Authorization failed: Incorrect rpcuser or rpcpassword were specified. Configuration file: " +
      `(${env.dataDir}/bitcoin.conf)\n`,
  });
  const noCookie = await cli(env, ["getblockcount"]);
  assert(
    noCookie.err.startsWith("error: Authorization failed: Failed to read cookie file and no rpcpassword"),
  );
  const disabled = await cli(
    env,
    ["-norpccookiefile", "getblockcount"].map((a) => a === "-norpccookiefile" ? a : a),
  );
  assertEquals(disabled.code, 1);
});

Deno.test("cookie from -datadir/<network> and -rpccookiefile", async () => {
  await using env = await startEnv({ cookieFile: "other.cookie" });
  assertEquals((await cli(env, ["-rpccookiefile=other.cookie", "getblockcount"])).out, "101\n");
  assertEquals(
    (await cli(env, [`-rpccookiefile=${env.dataDir}/regtest/other.cookie`, "getblockcount"])).out,
    "101\n",
  );
  const bad = await cli(env, ["getblockcount"]);
  assert(bad.err.includes("Failed to read cookie file"));
});

Deno.test("connection failure: Core's message, exit 1; -rpcwait retries then times out", async () => {
  const port = freePort();
  const r = await cli(null, [`-rpcport=${port}`, "getblockcount"]);
  assertEquals(r, {
    code: 1,
    out: "",
    err:
      `error: Error while attempting to communicate with server 127.0.0.1:${port} (Could not connect to the ` +
      "server)\n\nMake sure the bitcoind server is running and that you are connecting to the correct RPC port.\n" +
      'Use "tsbtc rpc -help" for more info.\n',
  });
  const t0 = performance.now();
  const w = await cli(null, [`-rpcport=${port}`, "-rpcwait", "-rpcwaittimeout=1", "getblockcount"]);
  assertEquals(w.code, 1);
  assert(w.err.startsWith("error: timeout on transient error: Error while attempting to communicate"), w.err);
  assert(performance.now() - t0 >= 1000);
});

Deno.test("-rpcwait succeeds once the server comes up", async () => {
  const dataDir = await Deno.makeTempDir();
  await Deno.mkdir(`${dataDir}/regtest`);
  const port = freePort();
  const table = new RpcTable();
  table.registerAll(controlMethods({ shutdown: () => {} }));
  let server: RpcServer | undefined;
  const starter = new Promise((r) => setTimeout(r, 200)).then(async () => {
    server = await RpcServer.start({ table, netDataDir: `${dataDir}/regtest`, port });
  });
  try {
    const r = await cli({ dataDir }, [`-rpcport=${port}`, "-rpcwait", "getblockcount"]);
    assertEquals(r, { code: 0, out: "0\n", err: "" });
  } finally {
    await starter;
    await server?.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("bad arguments: ports, missing command, JSON", async () => {
  assertEquals(
    (await cli(null, ["-rpcport=abc", "getblockcount"])).err,
    "error: Invalid port provided in -rpcport: abc\n",
  );
  assertEquals(
    (await cli(null, ["-rpcconnect=127.0.0.1:0", "getblockcount"])).err,
    "error: Invalid port provided in -rpcconnect: 127.0.0.1:0\n",
  );
  assertEquals(await cli(null, []), {
    code: 1,
    out: "",
    err: "error: too few parameters (need at least command)\n",
  });
  assertEquals((await cli(null, ["getblockhash", "x"])).err, "error: Error parsing JSON: x\n");
  assertEquals(
    (await cli(null, ["-stdinwalletpassphrase", "getblockcount"])).err,
    "error: -stdinwalletpassphrase is only applicable for walletpassphrase(change)\n",
  );
});

Deno.test("a pluggable transport (as -ipcconnect uses) and the HTTP status rules", async () => {
  const io = (out: string[], err: string[]): CliIo => ({
    readStdin: () => Promise.resolve(""),
    stdinIsTerminal: () => false,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
  });
  const run = async (status: number, body: string) => {
    const out: string[] = [];
    const err: string[] = [];
    let seen = "";
    const code = await runCli(fakeArgs({ "-rpcwallet": "w" }, { positional: ["getblockcount"] }), {
      io: io(out, err),
      transport: (req, uri) => {
        seen = `${uri} ${req}`;
        return Promise.resolve({ status, body });
      },
    });
    return { code, out: out.join(""), err: err.join(""), seen };
  };
  const ok = await run(200, '{"result":5,"error":null,"id":"1"}');
  assertEquals([ok.code, ok.out], [0, "5\n"]);
  assertEquals(ok.seen, '/wallet/w {"method":"getblockcount","params":[],"id":"1","jsonrpc":"2.0"}\n');
  assertEquals(
    (await run(503, "Work queue depth exceeded")).err,
    "error: Server response: Work queue depth exceeded\n",
  );
  assertEquals((await run(403, "")).err, "error: server returned HTTP error 403\n");
  assertEquals((await run(200, "")).err, "error: no response from server\n");
  assertEquals((await run(200, "nope")).err, "error: couldn't parse reply from server\n");
  assertEquals(
    (await run(200, "[]")).err,
    "error: JSON value of type array is not of expected type object\n",
  );
  assertEquals((await run(200, "{}")).err, "error: expected reply to have result, error and id properties\n");
  assertEquals((await run(500, '{"result":null,"error":{"code":-1,"message":"x"},"id":"1"}')).code, 1);
});

Deno.test("httpPost reads chunked replies and reports a dead server as EOF", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  const serve = (async () => {
    for (
      const reply of [
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{"a\r\n5;x=1\r\n":1}\n\r\n0\r\n\r\n',
        null,
      ]
    ) {
      const c = await l.accept();
      const buf = new Uint8Array(4096);
      await c.read(buf);
      if (reply !== null) await c.write(new TextEncoder().encode(reply));
      c.close();
    }
  })();
  try {
    assertEquals(await httpPost("127.0.0.1", port, "/", [], "{}", 5000), { status: 200, body: '{"a":1}\n' });
    let msg = "";
    await httpPost("127.0.0.1", port, "/", [], "{}", 5000).catch((e) => (msg = e.message));
    assertEquals(msg, "EOF");
  } finally {
    await serve;
    l.close();
  }
});
