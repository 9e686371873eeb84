import { assertEquals } from "../assert.ts";
import { childCommand } from "../../ipc/process.ts";
import { profileFor, toDenoFlags, toWorkerPermissions } from "../../sandbox/profile.ts";
import { runtimeReadPaths } from "../../sandbox/runtime_files.ts";
import { DENIED_EVERYTHING, HOST, PROBE, runProbe } from "./probe.ts";

Deno.test("echo profile grants nothing", () => {
  assertEquals(toDenoFlags(profileFor("echo", { dataDir: "/d", netDataDir: "/d/regtest" })), ["--no-prompt"]);
});

Deno.test("wallet profile: only the wallets directory, no network", () => {
  const p = profileFor("wallet", { dataDir: "/d", netDataDir: "/d/regtest" });
  // Read-only, the WebAssembly of the secp256k1 backend is all it may read outside its directory.
  assertEquals(p.read, ["/d/regtest/wallets", ...runtimeReadPaths()]);
  assertEquals(runtimeReadPaths().every((f) => f.endsWith("/secp256k1.wasm")), true);
  assertEquals(p.write, ["/d/regtest/wallets"]);
  assertEquals(p.net, false);
  assertEquals(p.run, false);
  assertEquals(p.env, false);
  assertEquals(toWorkerPermissions(p).net, false);
});

Deno.test("flags path: an echo child cannot read, write, connect, listen, spawn, read env or load ffi", async () => {
  const profile = profileFor("echo", { dataDir: "/nonexistent", netDataDir: "/nonexistent/regtest" });
  const { cmd, args } = childCommand({ mode: "echo", profile, strategy: "flags", entry: PROBE });
  assertEquals(await runProbe(cmd, args), DENIED_EVERYTHING);
});

Deno.test("worker path (compiled binary): an echo component cannot escape either", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const result = await runProbe(Deno.execPath(), [
      "run",
      "-A",
      "--unstable-worker-options",
      HOST.href,
      "echo",
      dir,
    ]);
    assertEquals(result, DENIED_EVERYTHING);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("worker path: a wallet reaches its wallets directory and nothing else", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/regtest/wallets`, { recursive: true });
    const result = await runProbe(Deno.execPath(), [
      "run",
      "-A",
      "--unstable-worker-options",
      HOST.href,
      "wallet",
      dir,
    ]);
    assertEquals(result, { ownDir: "ok", ...DENIED_EVERYTHING });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
