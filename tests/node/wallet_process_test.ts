import { assert, assertEquals } from "../assert.ts";
import { freePort, startNode, type TestNode, tsbtcCommand, waitFor } from "../helpers.ts";

interface Reply {
  result: unknown;
  error: { code: number; message: string } | null;
}

async function walletPid(node: TestNode): Promise<number | null> {
  const r = await node.rpc("listprocesses");
  const list = r.result as { mode: string; pid: number }[];
  return list.find((p) => p.mode === "wallet")?.pid ?? null;
}

async function rpcAt(node: TestNode, uri: string, method: string): Promise<Reply> {
  const cookie = await Deno.readTextFile(`${node.netDataDir}/.cookie`);
  const res = await fetch(`http://127.0.0.1:${node.rpcPort}${uri}`, {
    method: "POST",
    headers: { authorization: `Basic ${btoa(cookie)}` },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [] }),
  });
  return await res.json();
}

Deno.test("wallet process: the node spawns it, forwards its RPCs, survives its death and restarts it", async () => {
  const node = await startNode(["-debug=ipc"]);
  try {
    await waitFor(
      async () => ((await node.rpc("listwallets")) as Reply).error === null,
      30_000,
      "listwallets",
    );
    assertEquals((await node.rpc("listwallets")).result, []);
    assertEquals((await node.rpc("getwalletinfo")).error, {
      code: -18,
      message: "No wallet is loaded. Load a wallet using loadwallet or create a new one with createwallet. " +
        "(Note: A default wallet is no longer automatically created)",
    });
    assertEquals((await rpcAt(node, "/wallet/w1", "getwalletinfo")).error, {
      code: -18,
      message: "Requested wallet does not exist or is not loaded",
    });
    // Node methods still answer under a wallet URI (as in Core).
    assertEquals((await rpcAt(node, "/wallet/w1", "getblockcount")).result, 0);
    const help = (await node.rpc("help")).result as string;
    const walletHelp = help.slice(help.indexOf("== Wallet =="));
    assert(walletHelp.includes("\ngetwalletinfo\n") && walletHelp.includes("\nlistwallets\n"), help);
    const log = await node.log();
    for (
      const call of [
        "ProcessInit.makeWalletLoader",
        "Chain.handleRpc",
        "WalletLoader.start",
        "Rpc.executeRpc",
      ]
    ) {
      assert(
        log.includes(`IPC client send ${call}`) || log.includes(`IPC server recv ${call}`),
        `log shows ${call}`,
      );
    }

    const pid = await walletPid(node);
    assert(pid !== null, "a wallet process runs");
    // Sandboxed: its wallets directory (and the runtime's WebAssembly, read-only), no network, nothing else.
    const info = ((await node.rpc("listprocesses")).result as {
      mode: string;
      sandbox: string;
      permissions: Record<string, unknown>;
    }[]).find((p) => p.mode === "wallet")!;
    const walletDir = `${node.netDataDir}/wallets`;
    assertEquals(info.sandbox, "flags");
    assertEquals((info.permissions.read as string[])[0], walletDir);
    assertEquals(info.permissions.write, [walletDir]);
    for (const p of ["net", "env", "run", "sys", "ffi"]) assertEquals(info.permissions[p], false, p);
    Deno.kill(pid, "SIGKILL");
    let down: Reply | null = null;
    await waitFor(
      async () => {
        const r = (await node.rpc("listwallets")) as Reply;
        if (r.error?.code === -18) down = r;
        return down !== null;
      },
      10_000,
      "wallet RPCs failing after the kill",
    );
    assert(down!.error!.message.startsWith("Wallet process is not running"), down!.error!.message);
    assertEquals((await node.rpc("getblockcount")).result, 0);
    // The node starts it again.
    await waitFor(async () => ((await node.rpc("listwallets")) as Reply).error === null, 30_000, "restart");
    const again = await walletPid(node);
    assert(again !== null && again !== pid, `a new wallet process (${again} after ${pid})`);
    assert((await node.log()).includes("Restarting the wallet process"), "restart logged");
    await node.rpc("stop");
    assertEquals(await node.wait(), 0);
    // Stopped cleanly: the wallet process is gone too.
    let alive = true;
    try {
      Deno.kill(again, "SIGCONT");
    } catch {
      alive = false;
    }
    assert(!alive, "wallet process exited with the node");
  } finally {
    await node.cleanup();
  }
});

Deno.test("wallet process: -disablewallet spawns none; wallet methods are unknown (Method not found)", async () => {
  const node = await startNode(["-disablewallet"]);
  try {
    assertEquals((await node.rpc("listwallets")).error, { code: -32601, message: "Method not found" });
    assertEquals(await walletPid(node), null);
    assert((await node.log()).includes("Wallet disabled!"), "logged");
  } finally {
    await node.cleanup();
  }
});

Deno.test("wallet process: a -walletdir that does not exist is Core's init error: the node does not start", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsbtc-nowalletdir-" });
  const missing = `${dir}/missing`;
  try {
    const { cmd, args } = tsbtcCommand([
      "node",
      "-regtest",
      `-datadir=${dir}`,
      `-walletdir=${missing}`,
      `-rpcport=${freePort()}`,
    ]);
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped", stdin: "null" })
      .output();
    assertEquals(out.code, 1);
    const stderr = new TextDecoder().decode(out.stderr);
    assert(stderr.includes(`Error: Specified -walletdir "${missing}" does not exist`), stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("wallet process: under the Worker sandbox (as in a compiled binary) too", async () => {
  const node = await startNode(["-sandbox=worker"]);
  try {
    await waitFor(
      async () => ((await node.rpc("listwallets")) as Reply).error === null,
      30_000,
      "listwallets",
    );
    const info = ((await node.rpc("listprocesses")).result as {
      mode: string;
      sandbox: string;
      permissions: Record<string, unknown>;
    }[]).find((p) => p.mode === "wallet")!;
    assertEquals(info.sandbox, "worker");
    assertEquals(info.permissions.write, [`${node.netDataDir}/wallets`]);
    assertEquals(info.permissions.net, false);
  } finally {
    await node.cleanup();
  }
});
