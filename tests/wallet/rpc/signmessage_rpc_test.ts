import { assertEquals } from "../../assert.ts";
import { fails, ok, startWalletNode } from "../wallet_rpc_helpers.ts";
import { encodeDestination } from "../../../core/address/destination.ts";
import { hash160 } from "../../../core/hash/hashes.ts";
import { parseDescriptor } from "../../../core/descriptors/mod.ts";

Deno.test("signmessage: Core's errors", async () => {
  const node = await startWalletNode([]);
  try {
    await ok(node, "createwallet", ["w"], "");
    const legacy = await ok(node, "getnewaddress", ["", "legacy"], "w") as string;
    const bech32 = await ok(node, "getnewaddress", [], "w") as string;
    await fails(node, "signmessage", ["notanaddress", "m"], { code: -5, message: "Invalid address" }, "w");
    await fails(
      node,
      "signmessage",
      [bech32, "m"],
      { code: -3, message: "Address does not refer to key" },
      "w",
    );
    // A P2PKH address that is not the wallet's.
    const foreign = encodeDestination({ type: "pubkeyhash", hash: new Uint8Array(20).fill(7) }, "regtest")!;
    await fails(node, "signmessage", [foreign, "m"], { code: -4, message: "Private key not available" }, "w");
    // A P2PKH address of the wallet's own key that only its P2WPKH descriptor has: no descriptor owns the script.
    {
      const descs = await ok(node, "listdescriptors", [], "w") as {
        descriptors: Array<{ desc: string; internal: boolean }>;
      };
      const wpkh = descs.descriptors.find((d) => d.desc.startsWith("wpkh(") && !d.internal)!;
      const key = parseDescriptor(wpkh.desc, { network: "regtest" }).expand(0).pubkeys[0].pubkey;
      const pkh = encodeDestination({ type: "pubkeyhash", hash: hash160(key) }, "regtest")!;
      await fails(node, "signmessage", [pkh, "m"], { code: -4, message: "Private key not available" }, "w");
    }
    const sig = await ok(node, "signmessage", [legacy, "a message"], "w") as string;
    assertEquals(await ok(node, "verifymessage", [legacy, sig, "a message"], ""), true);
    assertEquals(await ok(node, "verifymessage", [legacy, sig, "another message"], ""), false);
  } finally {
    await node.cleanup();
  }
});
