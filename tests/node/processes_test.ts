import { assert, assertEquals, assertRejects } from "../assert.ts";
import { exists, runTsbtc, waitFor } from "../helpers.ts";
import { ProcessManager } from "../../node/processes.ts";
import { profileFor } from "../../sandbox/profile.ts";
import { Logger } from "../../util/logging.ts";

const ECHO = profileFor("echo", { dataDir: "/", netDataDir: "/" });
const NO_PERMISSIONS = {
  read: false,
  write: false,
  net: false,
  env: false,
  run: false,
  sys: false,
  ffi: false,
};

for (const strategy of ["flags", "worker"] as const) {
  Deno.test(`processes (${strategy}): the echo child reports no permissions and stops cleanly`, async () => {
    const pm = new ProcessManager({ logger: new Logger({ console: false }), name: "test", strategy });
    const c = pm.spawn("echo", ECHO);
    const info = await c.init.getInfo();
    assertEquals(info.mode, "echo");
    assertEquals(info.pid, c.child.pid);
    assertEquals(info.sandbox, strategy);
    assertEquals(info.permissions, NO_PERMISSIONS);
    const echo = c.init.makeEcho();
    assertEquals(await echo.echo("round trip"), "round trip");
    await echo.close();
    assertEquals(await pm.stop(c), 0);
    assertEquals(pm.list().length, 0);
  });
}

Deno.test("processes: a child killed mid-session fails pending and later calls with a clear error", async () => {
  const pm = new ProcessManager({ logger: new Logger({ console: false }), name: "test" });
  const c = pm.spawn("echo", ECHO);
  const echo = c.init.makeEcho();
  assertEquals(await echo.echo("before"), "before");
  c.child.kill("SIGKILL");
  assertEquals(await c.child.status, 137);
  await assertRejects(() => echo.echo("after"), /disconnected|closed/i);
  await waitFor(() => pm.list().length === 0, 5000, "the manager to forget the child");
});

Deno.test("processes: a child exits when its parent's connection goes away (its stdin closes)", async () => {
  const pm = new ProcessManager({ logger: new Logger({ console: false }), name: "test" });
  const c = pm.spawn("echo", ECHO);
  await c.init.getInfo();
  await c.conn.close();
  assertEquals(await c.child.status, 0);
});

Deno.test("gui: spawns a sandboxed node and runs console commands over IPC; no orphans", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await runTsbtc(["gui", "-regtest", `-datadir=${dir}`, "-rpcport=0", "-rpcbind=127.0.0.1"], {
      stdin: 'getblockcount\necho "two words" x\nnosuchmethod\nlistprocesses\nquit\n',
    });
    assertEquals(r.code, 0, r.stderr);
    const pid = Number(r.stdout.match(/node pid (\d+) \(flags sandbox\)/)?.[1]);
    assert(pid > 0, r.stdout);
    assert(r.stdout.includes('0\n[\n  "two words",\n  "x"\n]\n'), r.stdout);
    assert(r.stdout.includes("error code: -32601\nerror message:\nMethod not found"), r.stdout);
    assert(r.stdout.includes('"sandbox": "flags"'), r.stdout);
    // The node child reports the profile its parent applied as flags: its data directory, no ffi.
    assert(r.stdout.includes(`"read": [\n        "${dir}",`), r.stdout);
    assert(r.stdout.includes('"ffi": false'), r.stdout);
    assert(!(await exists(`/proc/${pid}`)), "node left running");
    assert((await Deno.readTextFile(`${dir}/regtest/debug.log`)).includes("Shutdown: done"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gui: kill -9 of the gui takes its node down too", async () => {
  const dir = await Deno.makeTempDir();
  const { tsbtcCommand } = await import("../helpers.ts");
  const { cmd, args } = tsbtcCommand([
    "gui",
    "-regtest",
    `-datadir=${dir}`,
    "-rpcport=0",
    "-rpcbind=127.0.0.1",
  ]);
  const gui = new Deno.Command(cmd, { args, stdin: "piped", stdout: "piped", stderr: "null" }).spawn();
  try {
    const reader = gui.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!/node pid (\d+)/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const pid = Number(text.match(/node pid (\d+)/)?.[1]);
    assert(pid > 0, text);
    gui.kill("SIGKILL");
    await gui.status;
    await waitFor(async () => !(await exists(`/proc/${pid}`)), 10_000, "the orphaned node to exit");
    reader.releaseLock();
    await gui.stdout.cancel().catch(() => {});
  } finally {
    await gui.stdin.close().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});
