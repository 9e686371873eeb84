/**
 * With `-debug=ipc` every IPC request and reply is logged — and wallet RPCs travel over IPC (the node forwards
 * them to the wallet process through `Rpc.executeRpc`). These tests run the calls that carry secrets
 * (createwallet with a passphrase, walletpassphrase, walletpassphrasechange, encryptwallet, listdescriptors with
 * private keys, signmessage) and then search the node's and the wallet's debug logs: no passphrase, no extended
 * private key, no WIF or raw private key of the wallet's descriptors may appear.
 */
import { assert, assertEquals } from "../assert.ts";
import { startNode, stopChild, type TestNode, tsbtcCommand, waitFor } from "../helpers.ts";
import { ok, walletCall } from "./wallet_rpc_helpers.ts";
import { parseDescriptor } from "../../core/descriptors/mod.ts";
import { encodeSecret } from "../../core/address/wif.ts";
import { toHex } from "../../core/hash/hashes.ts";

const PASS = "tsbtc-secret-passphrase-one";
const PASS2 = "tsbtc-secret-passphrase-two";
const PASS3 = "tsbtc-secret-passphrase-three";

/** Runs the secret-carrying calls; returns every secret they involved. */
async function secretCalls(node: TestNode): Promise<string[]> {
  await waitFor(
    async () => (await walletCall(node, "listwallets")).error === null,
    30_000,
    "the wallet process",
  );
  await ok(node, "createwallet", ["enc", false, false, PASS]);
  const legacy = await ok(node, "getnewaddress", ["", "legacy"], "enc") as string;
  await ok(node, "walletpassphrase", [PASS, 60], "enc");
  await ok(node, "signmessage", [legacy, "a message"], "enc");
  await ok(node, "walletpassphrasechange", [PASS, PASS2], "enc");
  await ok(node, "walletpassphrase", [PASS2, 60], "enc");
  const listed = await ok(node, "listdescriptors", [true], "enc") as { descriptors: Array<{ desc: string }> };
  await ok(node, "walletlock", [], "enc");
  await ok(node, "createwallet", ["plain"]);
  const plain = await ok(node, "listdescriptors", [true], "plain") as {
    descriptors: Array<{ desc: string }>;
  };
  await ok(node, "encryptwallet", [PASS3], "plain");
  // A wrong passphrase is a secret too (a typo of the real one).
  assertEquals((await walletCall(node, "walletpassphrase", [`${PASS2}x`, 1], "enc")).error?.code, -14);

  const secrets = [PASS, PASS2, PASS3, `${PASS2}x`];
  for (const { desc } of [...listed.descriptors, ...plain.descriptors]) {
    const priv = /[tx]prv[1-9A-HJ-NP-Za-km-z]+/.exec(desc);
    assert(priv !== null, `a private descriptor: ${desc}`);
    secrets.push(priv[0]);
    const d = parseDescriptor(desc, { network: "regtest" });
    for (const index of [0, 1]) {
      for (const s of d.expandPrivate(index)) {
        secrets.push(encodeSecret(s.secret, "regtest"), toHex(s.secret.key));
      }
    }
  }
  return secrets;
}

function assertNoSecrets(log: string, secrets: readonly string[], what: string): void {
  for (const s of secrets) assert(!log.includes(s), `${what} contains a secret (${s.slice(0, 6)}…)`);
  assert(!/[tx]prv[1-9A-HJ-NP-Za-km-z]{100}/.test(log), `${what} contains an extended private key`);
}

Deno.test("-debug=ipc: the node's log of its spawned wallet's calls holds no passphrase or private key", async () => {
  const node = await startNode(["-debug=ipc", "-debug=rpc"]);
  try {
    const secrets = await secretCalls(node);
    const log = await node.log();
    // The calls were logged (so the search below means something), with their secrets redacted.
    assert(log.includes("Rpc.executeRpc$Params"), "IPC requests logged");
    for (
      const method of [
        "createwallet",
        "walletpassphrase",
        "walletpassphrasechange",
        "encryptwallet",
        "listdescriptors",
      ]
    ) {
      assert(
        log.includes(`\\"method\\":\\"${method}\\",\\"params\\":\\"<redacted>\\"`),
        `${method}'s params redacted in the IPC log`,
      );
    }
    assertNoSecrets(log, secrets, "the node's debug.log");
  } finally {
    await node.cleanup();
  }
});

Deno.test("-debug=ipc: a wallet attached by hand logs no passphrase or private key either, nor does its node", async () => {
  const node = await startNode(["-disablewallet", "-ipcbind=unix", "-debug=ipc"]);
  let child: Deno.ChildProcess | null = null;
  try {
    const { cmd, args } = tsbtcCommand([
      "wallet",
      "-regtest",
      `-datadir=${node.dataDir}`,
      "-ipcconnect=unix",
      "-debug=ipc",
      "-debug=rpc",
      "-debug=walletdb",
    ]);
    child = new Deno.Command(cmd, { args, stdin: "null", stdout: "null", stderr: "piped" }).spawn();
    const stderrText = new Response(child.stderr).text();
    const secrets = await secretCalls(node);
    child.kill("SIGTERM");
    await child.status;
    child = null;
    const walletLog = await Deno.readTextFile(`${node.netDataDir}/wallets/debug.log`);
    assert(walletLog.includes("Rpc.executeRpc"), "the wallet logged its IPC traffic");
    assertNoSecrets(walletLog, secrets, "the wallet's debug.log");
    assertNoSecrets(await stderrText, secrets, "the wallet's stderr");
    assertNoSecrets(await node.log(), secrets, "the node's debug.log");
  } finally {
    await stopChild(child);
    await node.cleanup();
  }
});
