/**
 * End to end: a descriptor whose record is larger than one Deno KV value (Core's wallet_taproot.py imports a
 * `tr(…, multi_a(…))` with 999 keys) is imported, and is still there with its address after the wallet is
 * unloaded and loaded again.
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { toHex } from "../../../core/hash/hashes.ts";
import { assert, assertEquals } from "../../assert.ts";
import { ok, startWalletNode } from "../wallet_rpc_helpers.ts";

Deno.test("a tr(…, multi_a(…)) descriptor with 999 keys is imported and survives unload/load", async () => {
  const keys: string[] = [];
  for (let i = 1; i <= 999; i++) {
    const secret = new Uint8Array(32);
    new DataView(secret.buffer).setUint32(28, i + 1000);
    keys.push(`[deadbeef/${i}]` + toHex(secp256k1.getPublicKey(secret, true).subarray(1)));
  }
  const internal = toHex(secp256k1.getPublicKey(new Uint8Array(32).fill(7), true).subarray(1));
  const text = `tr(${internal},multi_a(1,${keys.join(",")}))`;
  assert(text.length > 65_536, `${text.length} characters`);
  const node = await startWalletNode([]);
  try {
    const { descriptor } = await ok<{ descriptor: string }>(node, "getdescriptorinfo", [text]);
    const [address] = await ok<string[]>(node, "deriveaddresses", [descriptor]);
    await ok(node, "createwallet", ["big", true, true]);
    const imported = await ok<Array<{ success: boolean }>>(node, "importdescriptors", [[{
      desc: descriptor,
      timestamp: "now",
    }]], "big");
    assertEquals(imported, [{ success: true }]);
    await ok(node, "unloadwallet", ["big"]);
    await ok(node, "loadwallet", ["big"]);
    const { descriptors } = await ok<{ descriptors: Array<{ desc: string }> }>(
      node,
      "listdescriptors",
      [],
      "big",
    );
    assertEquals(descriptors.map((d) => d.desc), [descriptor]);
    const info = await ok<{ ismine: boolean }>(node, "getaddressinfo", [address], "big");
    assertEquals(info.ismine, true);
  } finally {
    await node.cleanup();
  }
});
