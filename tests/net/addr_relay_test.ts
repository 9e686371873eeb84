/**
 * Address messages against a real node, from scripted peers (Core's p2p_addr_relay.py and p2p_getaddr_caching.py
 * facts): an inbound peer's token bucket lets 1 of 600 addresses through, the `addr` permission (here by
 * `-whitebind=addr@…`) is exempt, getaddr is answered once per connection with 23% of the address manager, an
 * `addr` of more than 1,000 entries disconnects, and getpeerinfo reports addr_relay_enabled, addr_processed and
 * addr_rate_limited.
 */
import { assert, assertEquals } from "../assert.ts";
import { freePort, startNode, type TestNode } from "../helpers.ts";
import { TestPeer } from "./test_peer.ts";
import type { PeerAddress } from "../../net/address.ts";

interface PeerJson {
  id: number;
  addr_relay_enabled: boolean;
  addr_processed: number;
  addr_rate_limited: number;
  permissions: string[];
}

async function call<T>(node: TestNode, method: string, params: unknown[] = []): Promise<T> {
  const r = await node.rpc(method, params);
  if (r.error) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.result as T;
}

function addrs(n: number, offset: number): PeerAddress[] {
  const now = Math.floor(Date.now() / 1000);
  const out: PeerAddress[] = [];
  for (let i = 0; i < n; i++) {
    const k = i + offset;
    out.push({
      net: 1,
      addr: Uint8Array.of(1 + (k >> 16), (k >> 8) & 255, k & 255, 1),
      port: 8333,
      services: 9n,
      time: now,
    });
  }
  return out;
}

Deno.test({
  name: "p2p addr messages: rate limits, the addr permission, getaddr once, oversized messages",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const port = freePort();
    const whitePort = freePort();
    const node = await startNode([
      `-port=${port}`,
      `-bind=127.0.0.1:${port}`,
      `-whitebind=addr@127.0.0.1:${whitePort}`,
      "-connect=0",
    ]);
    const peers: TestPeer[] = [];
    try {
      const limited = await TestPeer.connect(port);
      peers.push(limited);
      await limited.handshake({ nonce: 11n });
      await limited.send({ type: "addr", addrs: addrs(600, 0) });
      await limited.syncWithPing();
      const white = await TestPeer.connect(whitePort);
      peers.push(white);
      await white.handshake({ nonce: 12n });
      await white.send({ type: "addr", addrs: addrs(600, 1000) });
      await white.syncWithPing();
      const info = await call<PeerJson[]>(node, "getpeerinfo");
      assertEquals(info.length, 2);
      const [a, b] = info[0].permissions.includes("addr") ? [info[1], info[0]] : [info[0], info[1]];
      assertEquals([a.addr_relay_enabled, a.addr_processed, a.addr_rate_limited], [true, 1, 599]);
      assertEquals([b.addr_relay_enabled, b.addr_processed, b.addr_rate_limited], [true, 600, 0]);

      // getaddr: 23% of the address manager, once per connection.
      const total =
        (await call<{ all_networks: { total: number } }>(node, "getaddrmaninfo")).all_networks.total;
      assert(total > 100 && total <= 601, `${total} addresses kept`); // few /16 groups: bucket collisions
      const asker = await TestPeer.connect(port);
      peers.push(asker);
      await asker.handshake({ nonce: 13n });
      await asker.send({ type: "getaddr" });
      const answer = await asker.waitFor("addr", { timeoutMs: 5000 });
      assertEquals(answer.addrs.length, Math.floor(total * 23 / 100));
      const from = asker.received.length;
      await asker.send({ type: "getaddr" });
      await asker.syncWithPing();
      assert(
        !asker.received.slice(from).some((m) => m.type === "addr" || m.type === "addrv2"),
        "answered once",
      );

      // More than MAX_ADDR_TO_SEND entries: misbehaving, disconnected.
      const flooder = await TestPeer.connect(port);
      peers.push(flooder);
      await flooder.handshake({ nonce: 14n });
      await flooder.send({ type: "addr", addrs: addrs(1001, 5000) }).catch(() => {});
      await flooder.waitForClose(5000);
    } finally {
      for (const p of peers) p.close();
      await node.rpc("stop").catch(() => {});
      await Promise.race([node.wait(), new Promise((r) => setTimeout(r, 10_000))]);
      await node.cleanup();
    }
  },
});
