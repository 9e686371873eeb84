/**
 * A running node against a scripted raw-socket peer (the idea of Core's P2PInterface): the handshake and the
 * first messages are Core's; garbage, oversized, mis-checksummed, truncated, fuzzed, over-limit and flooding
 * input never crashes or stalls the node; peers are disconnected where Core disconnects them; other peers are
 * still served afterwards.
 */
import { assert, assertEquals } from "../assert.ts";
import { freePort, startNode, type TestNode, waitFor } from "../helpers.ts";
import { frameMessage } from "../../net/header.ts";
import { InvType } from "../../net/protocol.ts";
import { fromReverseHex } from "../../core/hash/hashes.ts";
import { TestPeer } from "./test_peer.ts";

async function call<T>(node: TestNode, method: string, params: unknown[] = []): Promise<T> {
  const r = await node.rpc(method, params);
  if (r.error) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.result as T;
}

Deno.test({
  name: "p2p: a node survives hostile peers and keeps serving others",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const port = freePort();
    const node = await startNode([`-port=${port}`, "-bind=127.0.0.1"]);
    const peers: TestPeer[] = [];
    const open = async () => {
      const p = await TestPeer.connect(port);
      peers.push(p);
      return p;
    };
    try {
      const hashes = await call<string[]>(node, "generatetoaddress", [
        5,
        "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080",
      ]);

      await t.step("the handshake and the first messages follow Core", async () => {
        const p = await open();
        const v = await p.handshake();
        assertEquals(v.version, 70016);
        assertEquals(v.startHeight, 5);
        assertEquals(v.userAgent, "/tsbtc:0.1.0/");
        const types = p.received.map((m) => m.type);
        assertEquals(types.slice(0, 4), ["version", "wtxidrelay", "sendaddrv2", "verack"]);
        await p.waitFor("sendcmpct");
        await p.waitFor("ping");
        await p.waitFor("feefilter");
        // getheaders from genesis: the five headers.
        const genesis = await call<string>(node, "getblockhash", [0]);
        await p.send({
          type: "getheaders",
          version: 70016,
          locator: [fromReverseHex(genesis)],
          hashStop: new Uint8Array(32),
        });
        const h = await p.waitFor("headers");
        assertEquals(h.headers.length, 5);
        // getdata of a block: the block.
        await p.send({
          type: "getdata",
          items: [{ type: InvType.MSG_WITNESS_BLOCK, hash: fromReverseHex(hashes[4]) }],
        });
        const b = await p.waitFor("block");
        assertEquals(b.block.txs.length, 1);
        const info = await call<{ subver: string; inbound: boolean }[]>(node, "getpeerinfo");
        assert(info.some((x) => x.subver === "/testpeer:0.1/" && x.inbound));
      });

      await t.step(
        "a bad checksum, a bad command and a truncated payload drop that message only",
        async () => {
          const p = await open();
          await p.handshake({ nonce: 2n });
          const ping = frameMessage(p.magic, "ping", new Uint8Array(8).fill(7));
          ping[20] ^= 0xff;
          await p.sendRaw(ping);
          await p.sendPayload("inv", Uint8Array.of(5, 1, 0, 0)); // five entries announced, a few bytes given
          await p.sendPayload("headers", Uint8Array.of(0xfd, 0xff)); // a count cut short
          const badCommand = frameMessage(p.magic, "bogus", new Uint8Array(3));
          badCommand[4 + 5] = 0x01; // a control character after the name
          await p.sendRaw(badCommand);
          await p.syncWithPing();
          assert(!p.isClosed);
        },
      );

      await t.step("an oversized message or the wrong magic closes the connection", async () => {
        const big = await open();
        await big.handshake({ nonce: 3n });
        const header = frameMessage(big.magic, "block", new Uint8Array(0));
        new DataView(header.buffer, header.byteOffset).setUint32(16, 4_000_001, true);
        await big.sendRaw(header);
        await big.waitForClose(5000);
        const magic = await open();
        await magic.sendRaw(
          frameMessage(Uint8Array.of(0xf9, 0xbe, 0xb4, 0xd9), "version", new Uint8Array(0)),
        );
        await magic.waitForClose(5000);
      });

      await t.step("limit violations disconnect the peer (Core's Misbehaving)", async () => {
        const inv = await open();
        await inv.handshake({ nonce: 4n });
        const items = Array.from(
          { length: 50_001 },
          () => ({ type: InvType.MSG_TX, hash: new Uint8Array(32) }),
        );
        await inv.send({ type: "inv", items });
        await inv.waitForClose(10_000);
        const headers = await open();
        await headers.handshake({ nonce: 5n });
        // Two headers that do not chain: "non-continuous headers sequence".
        const tip = await call<{ hash: string }>(node, "getblockheader", [hashes[4]]);
        assert(tip.hash === hashes[4]);
        const block = await call<string>(node, "getblock", [hashes[4], 0]);
        const hdr = Uint8Array.from(block.slice(0, 160).match(/../g)!.map((x) => parseInt(x, 16)));
        const payload = new Uint8Array(1 + 2 * 81);
        payload[0] = 2;
        payload.set(hdr, 1);
        payload.set(hdr, 82);
        await headers.sendPayload("headers", payload);
        await headers.waitForClose(5000);
      });

      await t.step("random bytes never crash the node", async () => {
        for (let i = 0; i < 20; i++) {
          const p = await open();
          if (i % 2 === 0) await p.handshake({ nonce: BigInt(100 + i) });
          const junk = crypto.getRandomValues(new Uint8Array(1 + Math.floor(Math.random() * 3000)));
          if (i % 4 === 0) junk.set(p.magic, 0); // sometimes a plausible start
          await p.sendRaw(junk).catch(() => {});
          p.close();
        }
        assertEquals(await call<number>(node, "getblockcount"), 5);
      });

      await t.step("a flood of messages is answered in order", async () => {
        const p = await open();
        await p.handshake({ nonce: 6n });
        const from = p.received.length;
        const n = 2000;
        for (let i = 1; i <= n; i++) await p.send({ type: "ping", nonce: BigInt(i) });
        await p.waitFor("pong", { from, timeoutMs: 30_000, where: (m) => m.nonce === BigInt(n) });
        const pongs = p.received.slice(from).filter((m) => m.type === "pong").length;
        assertEquals(pongs, n);
      });

      await t.step("other peers are still served; closed ones are gone from getpeerinfo", async () => {
        for (const p of peers) p.close();
        await waitFor(
          async () => (await call<unknown[]>(node, "getpeerinfo")).length === 0,
          10_000,
          "no peers",
        );
        const p = await open();
        await p.handshake({ nonce: 7n });
        await p.syncWithPing();
        assertEquals(await call<number>(node, "getconnectioncount"), 1);
        const totals = await call<{ totalbytesrecv: number; totalbytessent: number }>(node, "getnettotals");
        assert(totals.totalbytesrecv > 100_000 && totals.totalbytessent > 1000, JSON.stringify(totals));
      });
    } finally {
      for (const p of peers) p.close();
      await node.rpc("stop").catch(() => {});
      await node.wait();
      await node.cleanup();
    }
  },
});
