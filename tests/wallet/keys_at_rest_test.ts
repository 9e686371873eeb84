/**
 * Keys at rest: once a wallet is encrypted, no file of its directory (the Deno KV database with its journal
 * files, the lock) holds a private key — neither the new seed nor the one it had before `encryptwallet` — in
 * any of the forms a key can take (extended key text, WIF, raw bytes).
 */
import { assert, assertEquals } from "../assert.ts";
import { startNode, waitFor } from "../helpers.ts";
import { ok } from "./wallet_rpc_helpers.ts";
import { parseDescriptor } from "../../core/descriptors/mod.ts";
import { encodeSecret } from "../../core/address/wif.ts";

/** Every secret of the wallet's descriptors: extended keys as text, and WIF and raw bytes of a few positions. */
function secretsOf(descs: Array<{ desc: string }>): Uint8Array[] {
  const enc = new TextEncoder();
  const out: Uint8Array[] = [];
  for (const { desc } of descs) {
    const xprv = /[tx]prv[1-9A-HJ-NP-Za-km-z]+/.exec(desc);
    assert(xprv !== null, desc);
    out.push(enc.encode(xprv[0]));
    const d = parseDescriptor(desc, { network: "regtest" });
    for (const index of [0, 1, 2]) {
      for (const s of d.expandPrivate(index)) {
        out.push(enc.encode(encodeSecret(s.secret, "regtest")), s.secret.key);
      }
    }
  }
  return out;
}

const LATIN1 = new TextDecoder("latin1");

/** Whether `needle` occurs in `hay` (bytes compared one to one through latin1 text). */
function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  return LATIN1.decode(hay).includes(LATIN1.decode(needle));
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...await filesUnder(p));
    else if (e.isFile) out.push(p);
  }
  return out;
}

Deno.test("an encrypted wallet's files hold none of its private keys, old seed or new", async () => {
  const node = await startNode([]);
  try {
    await waitFor(
      async () => {
        try {
          await ok(node, "listwallets");
          return true;
        } catch {
          return false;
        }
      },
      30_000,
      "the wallet process",
    );
    await ok(node, "createwallet", ["w"]);
    const before =
      (await ok(node, "listdescriptors", [true], "w") as { descriptors: Array<{ desc: string }> })
        .descriptors;
    const dir = `${node.netDataDir}/wallets/w`;
    // The test can fail: the unencrypted wallet's files do hold its keys.
    const plainFiles = await Promise.all((await filesUnder(dir)).map((f) => Deno.readFile(f)));
    const oldSecrets = secretsOf(before);
    assert(
      plainFiles.some((bytes) => contains(bytes, oldSecrets[0])),
      "an unencrypted wallet stores its xprv",
    );

    await ok(node, "encryptwallet", ["at rest"], "w");
    await ok(node, "walletpassphrase", ["at rest", 30], "w");
    const after = (await ok(node, "listdescriptors", [true], "w") as { descriptors: Array<{ desc: string }> })
      .descriptors;
    await ok(node, "unloadwallet", ["w"]);
    const secrets = [...oldSecrets, ...secretsOf(after)];
    const files = await filesUnder(dir);
    assert(files.length > 0, "the wallet has files");
    for (const f of files) {
      const bytes = await Deno.readFile(f);
      for (const s of secrets) assertEquals(contains(bytes, s), false, `${f} holds a private key`);
    }
  } finally {
    await node.cleanup();
  }
});
