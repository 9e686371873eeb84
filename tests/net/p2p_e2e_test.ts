/**
 * Three (then four) tsbtc nodes on loopback, connected in a line (0 ← 1 ← 2) with `addnode onetry`: a block
 * mined on one reaches the others; a transaction sent on one reaches the others' mempools; a partition where
 * both sides mine resolves to the chain with the most work on reconnect and the losing side's transaction
 * returns to its mempool; a node started late syncs 500+ blocks by headers-first download from two peers.
 */
import { assert, assertEquals } from "../assert.ts";
import { freePort, startNode, type TestNode, waitFor } from "../helpers.ts";

// Secret key 1: its P2WPKH address on regtest, and its WIF.
const ADDRESS = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080";
const WIF = "cMahea7zqjxrtgAbB7LSGbcQUr1uX1ojuat9jZodMN87JcbXMTcA";

async function call<T>(node: TestNode, method: string, params: unknown[] = []): Promise<T> {
  const r = await node.rpc(method, params);
  if (r.error) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.result as T;
}

interface PeerJson {
  id: number;
  addr: string;
  inbound: boolean;
  subver: string;
  synced_blocks: number;
  bytesrecv_per_msg: Record<string, number>;
  connection_type: string;
}

/** `addnode <to> onetry` from `from`, then waits until both sides see the completed handshake (a pong). */
async function connect(from: TestNode, to: { node: TestNode; port: number }): Promise<void> {
  await call(from, "addnode", [`127.0.0.1:${to.port}`, "onetry"]);
  const toSubver = (await call<{ subversion: string }>(to.node, "getnetworkinfo")).subversion;
  const fromSubver = (await call<{ subversion: string }>(from, "getnetworkinfo")).subversion;
  const ponged = async (node: TestNode, subver: string, inbound: boolean) => {
    const peers = await call<PeerJson[]>(node, "getpeerinfo");
    return peers.some((p) =>
      p.subver === subver && p.inbound === inbound && (p.bytesrecv_per_msg.pong ?? 0) >= 32
    );
  };
  await waitFor(() => ponged(from, toSubver, false), 15_000, "the outbound side's handshake");
  await waitFor(() => ponged(to.node, fromSubver, true), 15_000, "the inbound side's handshake");
}

async function tips(nodes: TestNode[]): Promise<string[]> {
  return await Promise.all(nodes.map((n) => call<string>(n, "getbestblockhash")));
}

async function allOn(nodes: TestNode[], hash: string): Promise<boolean> {
  return (await tips(nodes)).every((t) => t === hash);
}

async function spendCoinbase(node: TestNode, height: number, fee = 0.001): Promise<string> {
  const hash = await call<string>(node, "getblockhash", [height]);
  const block = await call<{ tx: string[] }>(node, "getblock", [hash]);
  const raw = await call<string>(node, "createrawtransaction", [
    [{ txid: block.tx[0], vout: 0 }],
    [{ [ADDRESS]: 50 - fee }],
  ]);
  const signed = await call<{ hex: string; complete: boolean }>(node, "signrawtransactionwithkey", [raw, [
    WIF,
  ]]);
  assert(signed.complete, "signed");
  return await call<string>(node, "sendrawtransaction", [signed.hex]);
}

async function inMempool(node: TestNode, txid: string): Promise<boolean> {
  return (await call<string[]>(node, "getrawmempool")).includes(txid);
}

Deno.test({
  name: "p2p: nodes on loopback relay blocks and transactions, resolve a partition and sync a late node",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const ports = [freePort(), freePort(), freePort(), freePort()];
    const nodes: TestNode[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        nodes.push(await startNode([`-port=${ports[i]}`, "-bind=127.0.0.1", `-uacomment=node${i}`]));
      }
      const [n0, n1, n2] = nodes;
      await connect(n1, { node: n0, port: ports[0] });
      await connect(n2, { node: n1, port: ports[1] });

      await t.step(
        "getpeerinfo, getconnectioncount and getnetworkinfo describe the connections",
        async () => {
          assertEquals(await call<number>(n1, "getconnectioncount"), 2);
          const peers = await call<PeerJson[]>(n1, "getpeerinfo");
          assertEquals(peers.map((p) => [p.inbound, p.connection_type]).sort(), [
            [false, "manual"],
            [true, "inbound"],
          ]);
          const info = await call<
            { connections_in: number; connections_out: number; networkactive: boolean }
          >(
            n1,
            "getnetworkinfo",
          );
          assertEquals([info.connections_in, info.connections_out, info.networkactive], [1, 1, true]);
          const added = await call<unknown[]>(n1, "getaddednodeinfo");
          assertEquals(added, []); // onetry connections are not added nodes
        },
      );

      await t.step("a block mined on one node reaches the others", async () => {
        const hashes = await call<string[]>(n0, "generatetoaddress", [101, ADDRESS]);
        await waitFor(() => allOn(nodes, hashes[100]), 30_000, "101 blocks on every node");
        const one = await call<string[]>(n2, "generatetoaddress", [1, ADDRESS]);
        await waitFor(() => allOn(nodes, one[0]), 10_000, "node 2's block on every node");
      });

      await t.step("a transaction sent on one node reaches the others' mempools", async () => {
        const txid = await spendCoinbase(n2, 1);
        await waitFor(
          async () => (await Promise.all(nodes.map((n) => inMempool(n, txid)))).every((x) => x),
          20_000,
          "the transaction everywhere",
        );
        const mined = await call<string[]>(n0, "generatetoaddress", [1, ADDRESS]);
        await waitFor(() => allOn(nodes, mined[0]), 10_000, "the block");
        for (const n of nodes) assertEquals(await inMempool(n, txid), false);
      });

      await t.step(
        "blocks go by high-bandwidth compact blocks once a peer delivered a tip (BIP152)",
        async () => {
          // Node 1 got its tips from node 0, so it asked node 0 for high-bandwidth compact blocks.
          const toN0 = (await call<(PeerJson & { bip152_hb_to: boolean })[]>(n1, "getpeerinfo"))
            .find((p) => !p.inbound)!;
          assert(toN0.bip152_hb_to, "node 1 selected node 0");
          const fromN1 = (await call<(PeerJson & { bip152_hb_from: boolean })[]>(n0, "getpeerinfo"))[0];
          assert(fromN1.bip152_hb_from, "node 0 was selected by node 1");
          // A block whose transaction node 1 has in its mempool is rebuilt from the compact block alone.
          const txid = await spendCoinbase(n0, 3);
          await waitFor(() => inMempool(n1, txid), 20_000, "the transaction at node 1");
          const before = toN0.bytesrecv_per_msg.cmpctblock ?? 0;
          const [hash] = await call<string[]>(n0, "generatetoaddress", [1, ADDRESS]);
          await waitFor(() => allOn(nodes, hash), 10_000, "the block everywhere");
          const after = (await call<PeerJson[]>(n1, "getpeerinfo")).find((p) => !p.inbound)!;
          assert((after.bytesrecv_per_msg.cmpctblock ?? 0) > before, "a cmpctblock arrived");
          assertEquals(after.bytesrecv_per_msg.blocktxn ?? 0, 0);
          assertEquals(await inMempool(n1, txid), false);
        },
      );

      await t.step(
        "a partition resolves to the most work; the losing side's transaction returns",
        async () => {
          // Cut node 2 off: both ends drop the connection.
          await call(n2, "disconnectnode", [`127.0.0.1:${ports[1]}`]);
          await waitFor(
            async () => await call<number>(n2, "getconnectioncount") === 0,
            10_000,
            "node 2 alone",
          );
          await waitFor(
            async () => await call<number>(n1, "getconnectioncount") === 1,
            10_000,
            "node 1 with node 0",
          );
          // Node 2 confirms a transaction in one block; nodes 0 and 1 mine three.
          const lonely = await spendCoinbase(n2, 2);
          const b2 = await call<string[]>(n2, "generatetoaddress", [1, ADDRESS]);
          assertEquals(await inMempool(n2, lonely), false);
          const b0 = await call<string[]>(n0, "generatetoaddress", [3, ADDRESS]);
          await waitFor(() => allOn([n0, n1], b0[2]), 10_000, "nodes 0 and 1 on their chain");
          assertEquals((await tips([n2]))[0], b2[0]);
          await connect(n2, { node: n1, port: ports[1] });
          await waitFor(() => allOn(nodes, b0[2]), 20_000, "every node on the most-work chain");
          const losing = await call<{ confirmations: number }>(n2, "getblockheader", [b2[0]]);
          assertEquals(losing.confirmations, -1);
          await waitFor(() => inMempool(n2, lonely), 10_000, "the transaction back in node 2's mempool");
          // ...and relayed from there to the others.
          await waitFor(() => inMempool(n0, lonely), 20_000, "the returned transaction relayed to node 0");
        },
      );

      await t.step("a node started late syncs 500+ blocks from two peers", async () => {
        const hashes = await call<string[]>(n0, "generatetoaddress", [400, ADDRESS]);
        const tip = hashes[hashes.length - 1];
        await waitFor(() => allOn([n0, n1], tip), 30_000, "400 more blocks on nodes 0 and 1");
        const height = await call<number>(n0, "getblockcount");
        assert(height >= 500, `height ${height}`);
        const late = await startNode([`-port=${ports[3]}`, "-bind=127.0.0.1", "-uacomment=late"]);
        nodes.push(late);
        await call(late, "addnode", [`127.0.0.1:${ports[0]}`, "onetry"]);
        await call(late, "addnode", [`127.0.0.1:${ports[1]}`, "onetry"]);
        await waitFor(
          async () => await call<string>(late, "getbestblockhash") === tip,
          60_000,
          "the late node synced",
        );
        const peers = await call<PeerJson[]>(late, "getpeerinfo");
        assertEquals(peers.length, 2);
        const blocksFrom = peers.map((p) => p.bytesrecv_per_msg.block ?? 0);
        assert(blocksFrom.every((b) => b > 0), `blocks came from both peers: ${blocksFrom}`);
        for (const p of peers) assertEquals(p.synced_blocks, height);
      });
    } finally {
      await Promise.all(nodes.map(async (n) => {
        await n.rpc("stop").catch(() => {});
        await Promise.race([n.wait(), new Promise((r) => setTimeout(r, 10_000))]);
        await n.cleanup();
      }));
    }
  },
});
