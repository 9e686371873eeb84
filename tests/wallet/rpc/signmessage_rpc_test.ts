import { assertEquals } from "../../assert.ts";
import { startNode as startBareNode, type TestNode, waitFor } from "../../helpers.ts";
import { encodeDestination } from "../../../core/address/destination.ts";
import { hash160 } from "../../../core/hash/hashes.ts";
import { parseDescriptor } from "../../../core/descriptors/mod.ts";

/** A node whose wallet process serves its methods. */
async function startNode(...args: Parameters<typeof startBareNode>): Promise<TestNode> {
  const node = await startBareNode(...args);
  await waitFor(
    async () => (await call(node, "", "listwallets")).error === null,
    30_000,
    "the wallet process",
  )
    .catch(async (e) => {
      await node.cleanup();
      throw e;
    });
  return node;
}

type Reply = { result: unknown; error: { code: number; message: string } | null };

async function call(node: TestNode, wallet: string, method: string, params: unknown[] = []): Promise<Reply> {
  const cookie = await Deno.readTextFile(`${node.netDataDir}/.cookie`);
  const res = await fetch(`http://127.0.0.1:${node.rpcPort}/wallet/${encodeURIComponent(wallet)}`, {
    method: "POST",
    headers: { authorization: `Basic ${btoa(cookie)}` },
    body: JSON.stringify({ jsonrpc: "1.0", id: 1, method, params }),
  });
  return await res.json();
}

async function ok(node: TestNode, wallet: string, method: string, params: unknown[] = []): Promise<unknown> {
  const r = await call(node, wallet, method, params);
  if (r.error !== null) throw new Error(`${method} failed: ${JSON.stringify(r.error)}`);
  return r.result;
}

async function fails(
  node: TestNode,
  wallet: string,
  method: string,
  params: unknown[],
  code: number,
  message: string,
) {
  const r = await call(node, wallet, method, params);
  assertEquals(r.error, { code, message }, `${method} ${JSON.stringify(params)}`);
}

Deno.test("signmessage: Core's errors", async () => {
  const node = await startNode([]);
  try {
    await ok(node, "", "createwallet", ["w"]);
    const legacy = await ok(node, "w", "getnewaddress", ["", "legacy"]) as string;
    const bech32 = await ok(node, "w", "getnewaddress") as string;
    await fails(node, "w", "signmessage", ["notanaddress", "m"], -5, "Invalid address");
    await fails(node, "w", "signmessage", [bech32, "m"], -3, "Address does not refer to key");
    // A P2PKH address that is not the wallet's.
    const foreign = encodeDestination({ type: "pubkeyhash", hash: new Uint8Array(20).fill(7) }, "regtest")!;
    await fails(node, "w", "signmessage", [foreign, "m"], -4, "Private key not available");
    // A P2PKH address of the wallet's own key that only its P2WPKH descriptor has: no descriptor owns the script.
    {
      const descs = await ok(node, "w", "listdescriptors") as {
        descriptors: Array<{ desc: string; internal: boolean }>;
      };
      const wpkh = descs.descriptors.find((d) => d.desc.startsWith("wpkh(") && !d.internal)!;
      const key = parseDescriptor(wpkh.desc, { network: "regtest" }).expand(0).pubkeys[0].pubkey;
      const pkh = encodeDestination({ type: "pubkeyhash", hash: hash160(key) }, "regtest")!;
      await fails(node, "w", "signmessage", [pkh, "m"], -4, "Private key not available");
    }
    const sig = await ok(node, "w", "signmessage", [legacy, "a message"]) as string;
    assertEquals(await ok(node, "", "verifymessage", [legacy, sig, "a message"]), true);
    assertEquals(await ok(node, "", "verifymessage", [legacy, sig, "another message"]), false);
  } finally {
    await node.cleanup();
  }
});
