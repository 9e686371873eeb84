import { assert, assertEquals } from "../assert.ts";
import { exists, freePort, runTsbtc, startNode, waitFor } from "../helpers.ts";
import { runtimeReadPaths } from "../../sandbox/runtime_files.ts";

Deno.test("node: echoipc goes through a freshly spawned process, logged with -debug=ipc", async () => {
  const node = await startNode(["-debug=ipc"]);
  try {
    const r = await runTsbtc([...node.cliArgs, "echoipc", "hello"]);
    assertEquals(r, { code: 0, stdout: "hello\n", stderr: "" });
    const log = await node.log();
    const launched = log.match(/\[ipc\] Process tsbtc-echo pid (\d+) launched/);
    assert(launched, "launch line missing");
    assert(log.includes(`Process tsbtc-echo pid ${launched[1]} exited with status 0`), "exit line missing");
    assert(/\{tsbtc-node-\d+\/r\d+\} IPC client send Echo\.echo\$Params \(.*echo = "hello"\)/.test(log));
    assert(/\{tsbtc-echo-\d+\/r\d+\} IPC server send Echo\.echo\$Results \(result = "hello"\)/.test(log));
    // The child is gone: echoipc leaves no process behind.
    await waitFor(async () => !(await exists(`/proc/${launched[1]}`)), 5000, "the echo process to exit");
  } finally {
    await node.rpc("stop");
    assertEquals(await node.wait(), 0);
    await node.cleanup();
  }
});

Deno.test("node: JSON-RPC over IPC with -ipcconnect (unix and authenticated tcp)", async () => {
  const tcpPort = freePort();
  const tcpPort2 = freePort();
  const node = await startNode([
    "-debug=ipc",
    "-ipcbind=unix",
    `-ipcbind=tcp:127.0.0.1:${tcpPort}`,
    `-ipcbind=tcp:127.0.0.1:${tcpPort2}`,
  ]);
  try {
    const sock = `${node.netDataDir}/node.sock`;
    assertEquals((await Deno.stat(sock)).mode! & 0o777, 0o600);
    assertEquals((await Deno.stat(`${node.netDataDir}/ipc.cookie`)).mode! & 0o777, 0o600);
    const unix = await runTsbtc([...node.cliArgs, "-ipcconnect=unix", "getblockcount"]);
    assertEquals(unix, { code: 0, stdout: "0\n", stderr: "" });
    // Without -ipcconnect, bitcoin-cli's default `auto` finds the socket and uses it too.
    const auto = await runTsbtc([...node.cliArgs, "echo", "via-auto"]);
    assertEquals(auto, { code: 0, stdout: '[\n  "via-auto"\n]\n', stderr: "" });
    assert((await node.log()).includes('request = "{\\"method\\":\\"echo\\",\\"params\\":[\\"via-auto\\"]'));
    const tcp = await runTsbtc([...node.cliArgs, `-ipcconnect=tcp:127.0.0.1:${tcpPort}`, "echo", "a", "b"]);
    assertEquals(tcp.code, 0, tcp.stderr);
    assertEquals(JSON.parse(tcp.stdout), ["a", "b"]);
    // Every TCP listener shares the one cookie.
    const tcp2 = await runTsbtc([...node.cliArgs, `-ipcconnect=tcp:127.0.0.1:${tcpPort2}`, "getblockcount"]);
    assertEquals(tcp2, { code: 0, stdout: "0\n", stderr: "" });
    assert((await node.log()).includes(`Listening for IPC requests on address tcp:127.0.0.1:${tcpPort}`));
    // Errors carried over IPC print like bitcoin-cli's.
    const bad = await runTsbtc([...node.cliArgs, "-ipcconnect=unix", "nosuchmethod"]);
    // bitcoin-cli exits with |code|, of which the OS keeps the low 8 bits: 32601 & 0xff = 89.
    assertEquals(bad, {
      code: 89,
      stdout: "",
      stderr: "error code: -32601\nerror message:\nMethod not found\n",
    });
    // A wrong cookie gets nothing.
    const wrongCookie = `${node.dataDir}/wrong.cookie`;
    await Deno.writeTextFile(wrongCookie, "00".repeat(32));
    const denied = await runTsbtc([
      ...node.cliArgs,
      `-ipcconnect=tcp:127.0.0.1:${tcpPort}`,
      `-ipccookiefile=${wrongCookie}`,
      "getblockcount",
    ]);
    assertEquals(denied.code, 1);
  } finally {
    await node.rpc("stop");
    assertEquals(await node.wait(), 0);
    for (const f of [".cookie", "node.sock", "ipc.cookie"]) {
      assert(!(await exists(`${node.netDataDir}/${f}`)), `${f} left behind`);
    }
    await node.cleanup();
  }
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(`node: ${signal} stops cleanly (status 0, cookie and socket removed)`, async () => {
    const node = await startNode(["-ipcbind=unix"]);
    try {
      assert(await exists(`${node.netDataDir}/.cookie`));
      node.child.kill(signal);
      assertEquals(await node.wait(), 0);
      assert(!(await exists(`${node.netDataDir}/.cookie`)), "cookie left behind");
      assert(!(await exists(`${node.netDataDir}/node.sock`)), "socket left behind");
      assert((await node.log()).includes("Shutdown: done"));
    } finally {
      await node.cleanup();
    }
  });
}

Deno.test("node: listprocesses reports the node's own sandbox", async () => {
  const node = await startNode();
  try {
    const r = await node.rpc("listprocesses");
    const [self] = r.result as {
      mode: string;
      sandbox: string;
      pid: number;
      permissions: Record<string, unknown>;
    }[];
    assertEquals(self.mode, "node");
    assertEquals(self.sandbox, "worker");
    assertEquals(self.permissions.ffi, false);
    assertEquals(self.permissions.net, true);
    assert(Array.isArray(self.permissions.write) && self.permissions.write.includes(node.dataDir));
  } finally {
    await node.rpc("stop");
    await node.wait();
    await node.cleanup();
  }
});

Deno.test("node: a second node on the same data directory is refused, the first keeps running", async () => {
  const node = await startNode(["-ipcbind=unix"]);
  try {
    const second = await runTsbtc([
      "node",
      "-regtest",
      `-datadir=${node.dataDir}`,
      `-rpcport=${freePort()}`,
      "-ipcbind=unix",
    ]);
    assertEquals(second.code, 1);
    assert(second.stderr.includes("Cannot obtain a lock on directory"), second.stderr);
    assertEquals((await node.rpc("getblockcount")).result, 0);
    assert(await exists(`${node.netDataDir}/node.sock`), "the first node's socket was removed");
  } finally {
    await node.rpc("stop");
    await node.wait();
    await node.cleanup();
  }
});

Deno.test("node: bad command line and config get Core's errors and status 1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const unknown = await runTsbtc(["node", "-regtest", `-datadir=${dir}`, "-foo"]);
    assertEquals(unknown.code, 1);
    assertEquals(unknown.stderr, "Error: Error parsing command line arguments: Invalid parameter -foo\n");
    await Deno.writeTextFile(`${dir}/bitcoin.conf`, "regtest=1\nthis line is bad\n");
    const conf = await runTsbtc(["node", `-datadir=${dir}`]);
    assertEquals(conf.code, 1);
    assert(conf.stderr.includes("parse error on line 2"), conf.stderr);
    const missing = await runTsbtc(["node", "-regtest", `-datadir=${dir}/nope`]);
    assertEquals(missing.code, 1);
    assert(missing.stderr.includes(`Specified data directory "${dir}/nope" does not exist.`), missing.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("wallet started by hand attaches over IPC, runs sandboxed, and exits with its node", async () => {
  const node = await startNode(["-ipcbind=unix", "-disablewallet"]);
  const { tsbtcCommand } = await import("../helpers.ts");
  const { cmd, args } = tsbtcCommand(["wallet", "-regtest", `-datadir=${node.dataDir}`, "-ipcconnect=unix"]);
  const wallet = new Deno.Command(cmd, { args, stdin: "null", stdout: "null", stderr: "piped" }).spawn();
  const stderr = new Response(wallet.stderr).text();
  try {
    type Info = { mode: string; sandbox: string; permissions: Record<string, unknown> };
    let info: Info | undefined;
    await waitFor(
      async () => {
        const list = (await node.rpc("listprocesses")).result as Info[];
        info = list.find((p) => p.mode === "wallet");
        return info !== undefined;
      },
      15_000,
      "the wallet to attach",
    );
    const walletDir = `${node.netDataDir}/wallets`;
    const sock = `${node.netDataDir}/node.sock`;
    assertEquals(info!.sandbox, "worker");
    assertEquals(info!.permissions.read, [walletDir, ...runtimeReadPaths(), sock]);
    assertEquals(info!.permissions.write, [walletDir, sock]);
    assertEquals(info!.permissions.net, [`unix:${sock}`]);
    for (const p of ["env", "run", "sys", "ffi"]) assertEquals(info!.permissions[p], false, p);
    assert((await Deno.readTextFile(`${walletDir}/debug.log`)).includes("Connected to node at unix:"));
  } finally {
    await node.rpc("stop");
    assertEquals(await node.wait(), 0);
    assertEquals((await wallet.status).code, 0, await stderr);
    await node.cleanup();
  }
});

Deno.test("node: garbage and truncated Cap'n Proto frames on the IPC socket drop that peer only", async () => {
  const node = await startNode(["-ipcbind=unix"]);
  try {
    const sock = `${node.netDataDir}/node.sock`;
    const payloads = [
      new Uint8Array(64).fill(0xff), // absurd segment count
      new Uint8Array([0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f]), // one segment of 16 GiB announced
      new Uint8Array([0, 0, 0, 0, 2, 0, 0, 0, 1, 2, 3]), // truncated mid-frame, then the peer leaves
      crypto.getRandomValues(new Uint8Array(4096)),
    ];
    for (const bytes of payloads) {
      const conn = await Deno.connect({ transport: "unix", path: sock });
      await conn.write(bytes).catch(() => {});
      // The node either aborts the connection or waits for more; in both cases we leave.
      const buf = new Uint8Array(1024);
      await Promise.race([conn.read(buf).catch(() => null), new Promise((r) => setTimeout(r, 200))]);
      conn.close();
    }
    const ok = await runTsbtc([...node.cliArgs, "-ipcconnect=unix", "getblockcount"]);
    assertEquals(ok, { code: 0, stdout: "0\n", stderr: "" });
    assertEquals((await node.rpc("getblockcount")).result, 0);
  } finally {
    await node.rpc("stop");
    assertEquals(await node.wait(), 0);
    await node.cleanup();
  }
});

Deno.test("node: bitcoin.conf network sections apply; a network-only option outside its section is refused", async () => {
  const port = freePort();
  const node = await startNode([], { conf: `regtest=1\n[regtest]\nrpcport=${port}\ndebug=ipc\n` });
  try {
    // The [regtest] rpcport is overridden by the command line's -rpcport (command line wins)…
    assertEquals((await node.rpc("getblockcount")).result, 0);
    // …and the section's debug=ipc is in force.
    const logging = (await node.rpc("logging")).result as Record<string, boolean>;
    assertEquals(logging.ipc, true);
  } finally {
    await node.rpc("stop");
    await node.wait();
    await node.cleanup();
  }
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/bitcoin.conf`, `regtest=1\nrpcport=${port}\n`);
    const r = await runTsbtc(["node", `-datadir=${dir}`]);
    assertEquals(r.code, 1);
    assert(
      r.stderr.includes(
        "Config setting for -rpcport only applied on regtest network when in [regtest] section.",
      ),
      r.stderr,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("node: after kill -9 (stale socket, cookie and lock file left), the node restarts cleanly", async () => {
  const first = await startNode(["-ipcbind=unix"]);
  const dataDir = first.dataDir;
  try {
    first.child.kill("SIGKILL");
    await first.wait();
    assert(await exists(`${first.netDataDir}/node.sock`), "kill -9 leaves the socket behind");
    const { tsbtcCommand } = await import("../helpers.ts");
    const port = freePort();
    const { cmd, args } = tsbtcCommand([
      "node",
      "-regtest",
      `-datadir=${dataDir}`,
      `-rpcport=${port}`,
      "-rpcbind=127.0.0.1",
      "-ipcbind=unix",
    ]);
    const second = new Deno.Command(cmd, { args, stdin: "null", stdout: "null", stderr: "null" }).spawn();
    try {
      await waitFor(
        async () => {
          const r = await runTsbtc([
            "rpc",
            "-regtest",
            `-datadir=${dataDir}`,
            `-rpcport=${port}`,
            "getblockcount",
          ]);
          return r.code === 0 && r.stdout === "0\n";
        },
        15_000,
        "the restarted node",
      );
      assert((await first.log()).includes("Removing stale IPC socket"));
      const stop = await runTsbtc(["rpc", "-regtest", `-datadir=${dataDir}`, `-rpcport=${port}`, "stop"]);
      assertEquals(stop.code, 0);
      assertEquals((await second.status).code, 0);
    } finally {
      try {
        second.kill("SIGKILL");
      } catch { /* exited */ }
    }
  } finally {
    await first.cleanup();
  }
});

Deno.test("node: chain-independent RPCs run inside the sandbox (secp256k1 WebAssembly included)", async () => {
  const node = await startNode();
  try {
    // Secret key 1 (regtest WIF) and its P2PKH address.
    const wif = "cMahea7zqjxrtgAbB7LSGbcQUr1uX1ojuat9jZodMN87JcbXMTcA";
    const address = "mrCDrCybB6J1vRfbwM5hemdJz73FwDBC8r";
    const sig = await node.rpc("signmessagewithprivkey", [wif, "tsbtc"]);
    assertEquals(sig.error, null);
    assertEquals((await node.rpc("verifymessage", [address, sig.result, "tsbtc"])).result, true);
    assertEquals((await node.rpc("verifymessage", [address, sig.result, "other"])).result, false);
    const v = (await node.rpc("validateaddress", [address])).result as {
      isvalid: boolean;
      scriptPubKey: string;
    };
    assertEquals(v.isvalid, true);
    assertEquals(v.scriptPubKey, "76a914751e76e8199196d454941c45d1b3a323f1433bd688ac");
  } finally {
    await node.rpc("stop");
    await node.wait();
    await node.cleanup();
  }
});

Deno.test("node: getdescriptorinfo and deriveaddresses are served", async () => {
  const node = await startNode();
  try {
    const desc = "wpkh(0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798)";
    const info = (await node.rpc("getdescriptorinfo", [desc])).result as Record<string, unknown>;
    assertEquals(info.isrange, false);
    assertEquals(info.hasprivatekeys, false);
    const withSum = `${desc}#${info.checksum}`;
    assertEquals((await node.rpc("deriveaddresses", [withSum])).result, [
      "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080",
    ]);
  } finally {
    await node.rpc("stop");
    await node.wait();
    await node.cleanup();
  }
});
