import { assert, assertEquals } from "../assert.ts";
import { freePort, runTsbtc, startNode, stopChild, tsbtcCommand, waitFor } from "../helpers.ts";
import { ArgsManager } from "../../cli/args.ts";
import { profileFromArgs } from "../../cli/child_profile.ts";

/**
 * `tsbtc rpc` over HTTP to a wallet's own RPC server on `port` with its `cookie`, once the server answers.
 * Without -rpcconnect (or -noipcconnect) tsbtc rpc, like Core's bitcoin-cli, prefers the node's IPC socket, and
 * the node forwards wallet calls too.
 */
async function walletServerCli(
  dataDir: string,
  port: number,
  cookie: string,
): Promise<(...rest: string[]) => ReturnType<typeof runTsbtc>> {
  const cli = (...rest: string[]) =>
    runTsbtc([
      "rpc",
      "-regtest",
      `-datadir=${dataDir}`,
      "-rpcconnect=127.0.0.1",
      `-rpcport=${port}`,
      `-rpccookiefile=${cookie}`,
      ...rest,
    ]);
  await waitFor(async () => (await cli("listwallets")).code === 0, 30_000, "the wallet's RPC server");
  return cli;
}

Deno.test("wallet profile with -server: it may listen on its RPC endpoints only, and write its cookie", () => {
  const args = ArgsManager.parse("wallet", [
    "-regtest",
    "-datadir=/d",
    "-ipcconnect=unix",
    "-server",
    "-rpcport=23456",
    "-rpccookiefile=/c/wallet.cookie",
  ]);
  const p = profileFromArgs("wallet", args);
  assertEquals(p.net, ["unix:/d/regtest/node.sock", "[::1]:23456", "127.0.0.1:23456"]);
  assert(Array.isArray(p.write) && p.write.includes("/c"), `write ${JSON.stringify(p.write)}`);
  // -rpcbind only counts together with -rpcallowip (Core's rule), and then exactly those addresses.
  const bound = profileFromArgs(
    "wallet",
    ArgsManager.parse("wallet", [
      "-regtest",
      "-datadir=/d",
      "-server",
      "-rpcport=23456",
      "-rpcbind=127.0.0.1:23460",
      "-rpcallowip=127.0.0.1",
    ]),
  );
  assertEquals(bound.net, ["127.0.0.1:23460"]);
  // Without -server: no network at all (a spawned wallet process).
  const none = profileFromArgs("wallet", ArgsManager.parse("wallet", ["-regtest", "-datadir=/d"]));
  assertEquals(none.net, false);
});

Deno.test("tsbtc wallet -server serves wallet RPC itself, with its own cookie in the wallets directory", async () => {
  const node = await startNode(["-disablewallet", "-ipcbind=unix"]);
  let child: Deno.ChildProcess | null = null;
  try {
    const port = freePort();
    const walletDir = `${node.netDataDir}/wallets`;
    const { cmd, args } = tsbtcCommand([
      "wallet",
      "-regtest",
      `-datadir=${node.dataDir}`,
      "-ipcconnect=unix",
      "-server",
      `-rpcport=${port}`,
    ]);
    child = new Deno.Command(cmd, { args, stdin: "null", stdout: "null", stderr: "piped" }).spawn();
    const stderr = new Response(child.stderr).text();
    const cookie = `${walletDir}/.cookie`;
    const cli = await walletServerCli(node.dataDir, port, cookie);
    assertEquals(JSON.parse((await cli("listwallets")).stdout), []);
    // The wallet's own server answers wallet methods, and help lists them.
    const help = await cli("help");
    assertEquals(help.code, 0, help.stderr);
    assert(help.stdout.includes("listwallets"), help.stdout);
    assert(help.stdout.includes("getwalletinfo"), help.stdout);
    assert(
      !help.stdout.includes("getblockcount"),
      `node methods are not served by the wallet: ${help.stdout}`,
    );
    // getwalletinfo with no wallet: Core's -18, from the wallet's server.
    const none = await cli("getwalletinfo");
    assertEquals(none.code, 18, none.stderr);
    assert(none.stderr.includes("No wallet is loaded"), none.stderr);
    // A wallet created through the wallet's own server; the node sees it too (same process).
    const created = await cli("createwallet", "sw");
    assertEquals(created.code, 0, created.stderr);
    const info = await cli("getwalletinfo");
    assertEquals(info.code, 0, info.stderr);
    assertEquals(JSON.parse(info.stdout).walletname, "sw");
    const address = await cli("getnewaddress");
    assertEquals(address.code, 0, address.stderr);
    assert(address.stdout.trim().startsWith("bcrt1"), address.stdout);
    assertEquals((await node.rpc("listwallets")).result, ["sw"]);
    // The cookie authenticates; the node's cookie does not.
    const wrong = await runTsbtc([
      "rpc",
      "-regtest",
      `-datadir=${node.dataDir}`,
      "-rpcconnect=127.0.0.1",
      `-rpcport=${port}`,
      "listwallets",
    ]);
    assert(wrong.code !== 0, "the node's cookie must not open the wallet's server");
    const cookieText = await Deno.readTextFile(cookie);
    assert(cookieText.startsWith("__cookie__:"), cookieText);
    // stop over the wallet's RPC ends the wallet process; its cookie goes away.
    const stop = await cli("stop");
    assertEquals(stop.code, 0, stop.stderr);
    assertEquals((await child.status).code, 0, await stderr);
    child = null;
    await waitFor(
      async () => {
        try {
          await Deno.stat(cookie);
          return false;
        } catch {
          return true;
        }
      },
      10_000,
      "the cookie removed",
    );
  } finally {
    await stopChild(child);
    await node.cleanup();
  }
});

Deno.test("tsbtc wallet -server with -rpcuser/-rpcpassword and a port in use: Core's errors", async () => {
  const node = await startNode(["-disablewallet", "-ipcbind=unix"]);
  let child: Deno.ChildProcess | null = null;
  try {
    // The node's own RPC port is taken: the wallet cannot bind it and exits with Core's message.
    const busy = await runTsbtc([
      "wallet",
      "-regtest",
      `-datadir=${node.dataDir}`,
      "-ipcconnect=unix",
      "-server",
      `-rpcport=${node.rpcPort}`,
      "-rpcbind=127.0.0.1",
      "-rpcallowip=127.0.0.1",
    ]);
    assertEquals(busy.code, 1);
    assert(busy.stderr.includes("Unable to bind any endpoint for RPC server"), busy.stderr);
    const port = freePort();
    const { cmd, args } = tsbtcCommand([
      "wallet",
      "-regtest",
      `-datadir=${node.dataDir}`,
      "-ipcconnect=unix",
      "-server",
      `-rpcport=${port}`,
      "-rpcuser=alice",
      "-rpcpassword=secret",
    ]);
    child = new Deno.Command(cmd, { args, stdin: "null", stdout: "null", stderr: "null" }).spawn();
    const call = (auth: string) =>
      fetch(`http://127.0.0.1:${port}/`, {
        method: "POST",
        headers: { authorization: `Basic ${btoa(auth)}` },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "listwallets", params: [] }),
      }).then(async (r) => ({ status: r.status, body: await r.text() }));
    await waitFor(
      async () => {
        try {
          return (await call("alice:secret")).status === 200;
        } catch {
          return false;
        }
      },
      30_000,
      "the wallet's RPC server",
    );
    assertEquals(JSON.parse((await call("alice:secret")).body).result, []);
    assertEquals((await call("alice:wrong")).status, 401);
    // No cookie is written with -rpcpassword.
    let cookieExists = true;
    try {
      await Deno.stat(`${node.netDataDir}/wallets/.cookie`);
    } catch {
      cookieExists = false;
    }
    assertEquals(cookieExists, false);
  } finally {
    await stopChild(child);
    await node.cleanup();
  }
});

Deno.test("standalone wallet over -ipcconnect=tcp with -server: encrypted-wallet flow through tsbtc rpc against the wallet", async () => {
  const ipcPort = freePort();
  const node = await startNode(["-disablewallet", `-ipcbind=tcp:127.0.0.1:${ipcPort}`]);
  let child: Deno.ChildProcess | null = null;
  try {
    const port = freePort();
    const { cmd, args } = tsbtcCommand([
      "wallet",
      "-regtest",
      `-datadir=${node.dataDir}`,
      `-ipcconnect=tcp:127.0.0.1:${ipcPort}`,
      "-server",
      `-rpcport=${port}`,
    ]);
    child = new Deno.Command(cmd, { args, stdin: "null", stdout: "null", stderr: "piped" }).spawn();
    const stderr = new Response(child.stderr).text();
    const cookie = `${node.netDataDir}/wallets/.cookie`;
    const cli = await walletServerCli(node.dataDir, port, cookie);
    assertEquals((await cli("-named", "createwallet", "wallet_name=tw", "passphrase=tcp pass")).code, 0);
    const address = (await cli("getnewaddress", "", "legacy")).stdout.trim();
    // Mined through the node; the wallet follows the chain over TCP IPC.
    assertEquals((await node.rpc("generatetoaddress", [101, address])).error, null);
    await waitFor(
      async () => (await cli("getbalance")).stdout.trim() === "50.00000000",
      30_000,
      "the balance",
    );
    const locked = await cli("signmessage", address, "m");
    assertEquals(locked.code, 13, locked.stderr);
    assertEquals((await cli("walletpassphrase", "tcp pass", "30")).code, 0);
    const signed = await cli("signmessage", address, "m");
    assertEquals(signed.code, 0, signed.stderr);
    const verified = await runTsbtc([...node.cliArgs, "verifymessage", address, signed.stdout.trim(), "m"]);
    assertEquals(verified.stdout.trim(), "true");
    assertEquals((await cli("walletlock")).code, 0);
    assertEquals((await cli("stop")).code, 0);
    assertEquals((await child.status).code, 0, await stderr);
    child = null;
  } finally {
    await stopChild(child);
    await node.cleanup();
  }
});
