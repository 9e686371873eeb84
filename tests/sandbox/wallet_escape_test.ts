/**
 * The wallet process's sandbox, probed from inside with the permissions the launchers really apply: a wallet
 * spawned by the node (`--allow-*` flags from `profileFor("wallet", …)`, as node/node.ts computes them), a
 * wallet started by hand (a Worker with `prepareComponent`'s profile, as cli/main.ts does) attached over TCP and
 * serving RPC itself, and the offline wallet tool. Whatever the wallet is not given — the node's block and
 * chainstate files, its RPC cookie and config, other hosts and ports, processes, the environment, system
 * information — fails with NotCapable.
 */
import { assertEquals } from "../assert.ts";
import { childCommand } from "../../ipc/process.ts";
import { profileFor } from "../../sandbox/profile.ts";
import { freePort } from "../helpers.ts";
import { DENIED_EVERYTHING, PROBE, runPreparedWalletProbe, runProbe } from "./probe.ts";

/** A data directory as a node leaves it: config, blocks, chainstate, RPC cookie, wallets. */
async function nodeDataDir(): Promise<{ dataDir: string; net: string; walletDir: string }> {
  const dataDir = await Deno.makeTempDir({ prefix: "tsbtc-wallet-escape-" });
  const net = `${dataDir}/regtest`;
  const walletDir = `${net}/wallets`;
  await Deno.mkdir(`${net}/blocks`, { recursive: true });
  await Deno.mkdir(`${net}/chainstate`, { recursive: true });
  await Deno.mkdir(`${walletDir}/w1`, { recursive: true });
  await Deno.writeTextFile(`${dataDir}/bitcoin.conf`, "regtest=1\n");
  await Deno.writeFile(`${net}/blocks/blk00000.dat`, new Uint8Array(8));
  await Deno.writeFile(`${net}/chainstate/000001.ldb`, new Uint8Array(8));
  await Deno.writeTextFile(`${net}/.cookie`, "__cookie__:secret");
  await Deno.writeTextFile(`${net}/ipc.cookie`, "ipc-secret");
  await Deno.writeTextFile(`${net}/debug.log`, "node log\n");
  return { dataDir, net, walletDir };
}

/** The node's files the wallet must not read. */
function nodeFiles(dataDir: string, net: string): Record<string, string> {
  return {
    readBlocks: `${net}/blocks`,
    readBlockFile: `${net}/blocks/blk00000.dat`,
    readChainstate: `${net}/chainstate`,
    readNodeCookie: `${net}/.cookie`,
    readNodeLog: `${net}/debug.log`,
    readConf: `${dataDir}/bitcoin.conf`,
    readDataDir: dataDir,
  };
}

const deniedAll = (keys: Record<string, string>) =>
  Object.fromEntries(Object.keys(keys).map((k) => [k, "NotCapable"]));

Deno.test("wallet spawned by the node (flags path): its wallets only — no node files, network, processes or env", async () => {
  const { dataDir, net, walletDir } = await nodeDataDir();
  const rpc = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    // The profile node/node.ts gives the wallet process it spawns.
    const profile = profileFor("wallet", { dataDir, netDataDir: net, walletDir });
    const reads = nodeFiles(dataDir, net);
    const spec = {
      ownDir: walletDir,
      read: { ...reads, readOwnWallet: `${walletDir}/w1`, readIpcCookie: `${net}/ipc.cookie` },
      connect: { connectNodeRpc: `127.0.0.1:${(rpc.addr as Deno.NetAddr).port}` },
      listen: { listenRpc: "127.0.0.1:18443" },
    };
    const { cmd, args } = childCommand({
      mode: "wallet",
      profile,
      strategy: "flags",
      entry: PROBE,
      args: [`--probe=${JSON.stringify(spec)}`],
    });
    assertEquals(await runProbe(cmd, args), {
      ownDir: "ok",
      ...DENIED_EVERYTHING,
      ...deniedAll(reads),
      readOwnWallet: "ok",
      // A spawned wallet talks to its node over its stdin/stdout: it has no use for the IPC cookie either.
      readIpcCookie: "NotCapable",
      connectNodeRpc: "NotCapable",
      listenRpc: "NotCapable",
    });
  } finally {
    rpc.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("wallet started by hand over TCP with -server (worker path): its node's IPC address and its own RPC port only", async () => {
  const { dataDir, net, walletDir } = await nodeDataDir();
  const ipc = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const nodeRpc = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const ipcPort = (ipc.addr as Deno.NetAddr).port;
  const rpcPort = freePort();
  const other = freePort();
  try {
    const argv = [
      `-datadir=${dataDir}`,
      "-regtest",
      `-ipcconnect=tcp:127.0.0.1:${ipcPort}`,
      "-server",
      `-rpcport=${rpcPort}`,
    ];
    const reads = nodeFiles(dataDir, net);
    const spec = {
      read: { ...reads, readIpcCookie: `${net}/ipc.cookie` },
      connect: {
        connectNodeIpc: `127.0.0.1:${ipcPort}`,
        connectNodeRpc: `127.0.0.1:${(nodeRpc.addr as Deno.NetAddr).port}`,
        connectOtherHost: `127.0.0.2:${ipcPort}`,
      },
      listen: {
        listenOwnRpc: `127.0.0.1:${rpcPort}`,
        listenOwnRpcV6: `[::1]:${rpcPort}`,
        listenOtherPort: `127.0.0.1:${other}`,
        listenAnyAddress: `0.0.0.0:${rpcPort}`,
      },
    };
    const result = await runPreparedWalletProbe(argv, walletDir, spec);
    // ::1 may not exist on the machine: then listening fails for want of the address, not of permission.
    if (result.listenOwnRpcV6 !== "ok") assertEquals(result.listenOwnRpcV6 === "NotCapable", false);
    delete result.listenOwnRpcV6;
    assertEquals(result, {
      ownDir: "ok",
      ...DENIED_EVERYTHING,
      ...deniedAll(reads),
      readIpcCookie: "ok",
      connectNodeIpc: "ok",
      connectNodeRpc: "NotCapable",
      connectOtherHost: "NotCapable",
      listenOwnRpc: "ok",
      listenOtherPort: "NotCapable",
      listenAnyAddress: "NotCapable",
    });
  } finally {
    ipc.close();
    nodeRpc.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("the wallet tool (worker path): its wallets directory and its -dumpfile, nothing else", async () => {
  const { dataDir, net, walletDir } = await nodeDataDir();
  const dumpDir = await Deno.makeTempDir({ prefix: "tsbtc-wallet-escape-dump-" });
  try {
    const dumpFile = `${dumpDir}/w.dump`;
    await Deno.writeTextFile(dumpFile, "dump");
    await Deno.writeTextFile(`${dumpDir}/other`, "other");
    const argv = [`-datadir=${dataDir}`, "-regtest", "-wallet=w1", `-dumpfile=${dumpFile}`, "dump"];
    const reads = nodeFiles(dataDir, net);
    const spec = {
      read: {
        ...reads,
        readDumpFile: dumpFile,
        readBesideDumpFile: `${dumpDir}/other`,
        readIpcCookie: `${net}/ipc.cookie`,
      },
      listen: { listenRpc: "127.0.0.1:18443" },
    };
    const result = await runPreparedWalletProbe(argv, walletDir, spec);
    assertEquals(result, {
      ownDir: "ok",
      ...DENIED_EVERYTHING,
      ...deniedAll(reads),
      readDumpFile: "ok",
      readBesideDumpFile: "NotCapable",
      readIpcCookie: "NotCapable",
      listenRpc: "NotCapable",
    });
  } finally {
    await Deno.remove(dataDir, { recursive: true });
    await Deno.remove(dumpDir, { recursive: true });
  }
});
