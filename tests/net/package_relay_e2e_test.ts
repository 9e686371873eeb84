/**
 * Opportunistic 1-parent-1-child package relay against a real node (Core's p2p_opportunistic_1p1c.py facts): a
 * scripted peer sends a parent paying no fee (rejected alone: "min relay fee not met", reconsiderable) and a
 * child paying for both. Child first: the parent completes the package at once. Parent first: the child is an
 * orphan whose parent is asked of the peer by txid; the answer is tried with the child as a package.
 */
import { assert, assertEquals } from "../assert.ts";
import { freePort, startNode, type TestNode, waitFor } from "../helpers.ts";
import { TestPeer } from "./test_peer.ts";
import { fromHex, reverseHex, sha256 } from "../../core/hash/hashes.ts";
import { decodeTransaction, txid as txidOf } from "../../core/wire/transaction.ts";
import type { Transaction } from "../../core/wire/types.ts";
import { InvType } from "../../net/protocol.ts";

/** Core's ADDRESS_BCRT1_P2WSH_OP_TRUE: anyone can spend with the witness script OP_TRUE. */
const OP_TRUE_ADDRESS = "bcrt1qft5p2uhsdcdc3l2ua4ap5qqfg4pjaqlp250x7us7a8qqhrxrxfsqseac85";
const OP_TRUE_SCRIPT = Uint8Array.of(0x51);
const OP_TRUE_SPK = Uint8Array.of(0x00, 0x20, ...sha256(OP_TRUE_SCRIPT));

async function call<T>(node: TestNode, method: string, params: unknown[] = []): Promise<T> {
  const r = await node.rpc(method, params);
  if (r.error) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.result as T;
}

/** Spends output 0 of `prev` to one OP_TRUE output, paying `fee`. */
function spend(prev: Transaction, fee: bigint): Transaction {
  return {
    version: 2,
    inputs: [{
      prevout: { txid: txidOf(prev), vout: 0 },
      scriptSig: new Uint8Array(),
      sequence: 0xfffffffd,
      witness: [OP_TRUE_SCRIPT],
    }],
    outputs: [{ value: prev.outputs[0].value - fee, scriptPubKey: OP_TRUE_SPK }],
    locktime: 0,
  };
}

async function coinbase(node: TestNode, height: number): Promise<Transaction> {
  const hash = await call<string>(node, "getblockhash", [height]);
  const block = await call<{ tx: { hex: string }[] }>(node, "getblock", [hash, 2]);
  return decodeTransaction(fromHex(block.tx[0].hex));
}

Deno.test({
  name: "p2p package relay: a zero-fee parent and its CPFP child are accepted together, in either order",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const port = freePort();
    const node = await startNode([
      `-port=${port}`,
      `-bind=127.0.0.1:${port}`,
      "-connect=0",
      "-debug=txpackages",
    ]);
    let peer: TestPeer | undefined;
    try {
      await call(node, "generatetoaddress", [102, OP_TRUE_ADDRESS]);
      peer = await TestPeer.connect(port);
      await peer.handshake({ nonce: 21n });
      const mempool = () => call<string[]>(node, "getrawmempool");

      // Child first: an orphan; the parent alone is too cheap, so the pair is tried as a package.
      const parent1 = spend(await coinbase(node, 1), 0n);
      const child1 = spend(parent1, 20_000n);
      await peer.send({ type: "tx", tx: child1 });
      await peer.syncWithPing();
      assertEquals(await mempool(), []);
      assertEquals((await call<unknown[]>(node, "getorphantxs")).length, 1);
      await peer.send({ type: "tx", tx: parent1 });
      await peer.syncWithPing();
      const ids1 = [reverseHex(txidOf(parent1)), reverseHex(txidOf(child1))];
      assertEquals((await mempool()).sort(), [...ids1].sort());
      assertEquals((await call<unknown[]>(node, "getorphantxs")).length, 0);

      // Parent first: rejected alone (reconsiderable); the child is an orphan and the parent is asked for again.
      const parent2 = spend(await coinbase(node, 2), 0n);
      const child2 = spend(parent2, 20_000n);
      await peer.send({ type: "tx", tx: parent2 });
      await peer.syncWithPing();
      assertEquals((await mempool()).length, 2, "the parent alone is not accepted");
      const from = peer.received.length;
      await peer.send({ type: "tx", tx: child2 });
      const getdata = await peer.waitFor("getdata", {
        from,
        timeoutMs: 10_000,
        where: (m) => m.items.some((i) => reverseHex(i.hash) === reverseHex(txidOf(parent2))),
      });
      assertEquals(getdata.items.map((i) => i.type), [InvType.MSG_WITNESS_TX]);
      await peer.send({ type: "tx", tx: parent2 });
      await peer.syncWithPing();
      await waitFor(async () => (await mempool()).length === 4, 5000, "both packages in the mempool");
      const entry = await call<{ ancestorcount: number }>(node, "getmempoolentry", [
        reverseHex(txidOf(child2)),
      ]);
      assertEquals(entry.ancestorcount, 2);
      const log = await node.log();
      assert(log.includes("package accepted"), "the package evaluation is logged");
    } finally {
      peer?.close();
      await node.cleanup();
    }
  },
});
