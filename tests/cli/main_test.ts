import { assert, assertEquals } from "../assert.ts";
import { splitMode } from "../../cli/main.ts";
import { runTsbtc } from "../helpers.ts";

Deno.test("splitMode: Core's wrapper flags before the mode are accepted", () => {
  assertEquals(splitMode(["-m", "node", "-regtest"]), { mode: "node", rest: ["-regtest"] });
  assertEquals(splitMode(["--monolithic", "rpc", "getblockcount"]), { mode: "rpc", rest: ["getblockcount"] });
  assertEquals(splitMode([]), { mode: null, rest: [] });
});

Deno.test("tsbtc: unknown mode prints usage and exits 1; no mode too", async () => {
  const r = await runTsbtc(["frobnicate"]);
  assertEquals(r.code, 1);
  assert(r.stderr.includes('unknown mode "frobnicate"') && r.stderr.includes("Usage: tsbtc"), r.stderr);
  const none = await runTsbtc([]);
  assertEquals(none.code, 1);
  assert(none.stdout.includes("Usage: tsbtc"));
});

Deno.test("tsbtc: -help and -version per mode", async () => {
  for (const mode of ["node", "wallet", "gui", "rpc"]) {
    const h = await runTsbtc([mode, "-help"]);
    assertEquals(h.code, 0, `${mode}: ${h.stderr}`);
    assert(h.stdout.includes("Usage:"), `${mode} help`);
    const v = await runTsbtc(["-M", mode, "-version"]);
    assertEquals(v.code, 0);
    assert(/version v\d+\.\d+\.\d+/.test(v.stdout), v.stdout);
  }
});

Deno.test("tsbtc: internal modes refuse to start by hand (like -ipcfd)", async () => {
  const echo = await runTsbtc(["echo"]);
  assertEquals(echo.code, 1);
  assert(echo.stderr.includes("cannot be run by hand"), echo.stderr);
  const wallet = await runTsbtc(["wallet", "-regtest", `-datadir=${await Deno.makeTempDir()}`]);
  assertEquals(wallet.code, 1);
  assert(wallet.stderr.includes("-ipcconnect"), wallet.stderr);
});
