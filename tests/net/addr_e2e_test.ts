/**
 * Address gossip and automatic connections between real tsbtc nodes on loopback. The nodes run with
 * `-test=addrmanlocal` (regtest only), so each 127.x.0.1 counts as a routable address of its own /16 group
 * (Core never gossips loopback addresses): A knows B (`addpeeraddress`); C knows only A, as `-seednode`, asks it
 * for addresses and makes an automatic outbound connection to B. A getaddr answer holds at most 23% of the
 * address manager (Core's MAX_PCT_ADDR_TO_SEND), terrible addresses left out: A also holds four addresses "from
 * the future" (added under a mocktime a day ahead), so its answer of one address is always B. Then
 * `getnodeaddresses`/`addpeeraddress` shapes and errors, the anchors (a block-relay-only peer at shutdown is
 * reconnected as one first at the next start), and the address manager surviving `kill -9`.
 */
import { assert, assertEquals } from "../assert.ts";
import { freePort, startNode, type TestNode, waitFor } from "../helpers.ts";

interface PeerJson {
  id: number;
  addr: string;
  inbound: boolean;
  connection_type: string;
  addr_relay_enabled: boolean;
  addr_processed: number;
}

async function call<T>(node: TestNode, method: string, params: unknown[] = []): Promise<T> {
  const r = await node.rpc(method, params);
  if (r.error) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.result as T;
}

async function stop(node: TestNode): Promise<void> {
  await node.rpc("stop").catch(() => {});
  await Promise.race([node.wait(), new Promise((r) => setTimeout(r, 10_000))]);
}

Deno.test({
  name: "p2p addresses: gossip leads to an automatic connection; RPCs; anchors; kill -9",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const [pa, pb, pc] = [freePort(), freePort(), freePort()];
    const hostA = "127.0.0.1";
    const hostB = "127.1.0.1";
    const hostC = "127.2.0.1";
    const common = ["-test=addrmanlocal", "-debug=net", "-debug=addrman"];
    const nodes: TestNode[] = [];
    const keep: string[] = [];
    try {
      // A makes no automatic connections (-connect=0): it only answers.
      const a = await startNode([`-port=${pa}`, `-bind=${hostA}`, "-connect=0", ...common]);
      nodes.push(a);
      const b = await startNode([`-port=${pb}`, `-bind=${hostB}`, ...common]);
      nodes.push(b);
      const now = Math.floor(Date.now() / 1000);
      await call(a, "setmocktime", [now + 86400]);
      for (let i = 3; i < 7; i++) {
        assertEquals(await call(a, "addpeeraddress", [`127.${i}.0.1`, 18444]), { success: true });
      }
      await call(a, "setmocktime", [0]);
      assertEquals(await call(a, "addpeeraddress", [hostB, pb, true]), { success: true });

      await t.step("C knows only A (-seednode), learns B by getaddr and connects to it", async () => {
        const c = await startNode([`-port=${pc}`, `-bind=${hostC}`, `-seednode=${hostA}:${pa}`, ...common]);
        nodes.push(c);
        keep.push(c.dataDir);
        await waitFor(
          async () => {
            const peers = await call<PeerJson[]>(c, "getpeerinfo");
            return peers.some((p) =>
              p.addr === `${hostB}:${pb}` && p.connection_type === "outbound-full-relay"
            );
          },
          15_000,
          "C's automatic connection to B",
        );
        const known = await call<{ address: string; port: number; network: string }[]>(
          c,
          "getnodeaddresses",
          [0],
        );
        assert(
          known.some((k) => k.address === hostB && k.port === pb && k.network === "ipv4"),
          JSON.stringify(known),
        );
        const log = await c.log();
        assert(
          log.includes(`Empty addrman, adding seednode (${hostA}:${pa}) to addrfetch`),
          "seednode log line",
        );
        // B sees C as an inbound peer.
        const bPeers = await call<PeerJson[]>(b, "getpeerinfo");
        assert(bPeers.some((p) => p.inbound), "B has C inbound");
        // A answered C's getaddr (addr relay with C enabled, as Core's).
        const aPeers = await call<PeerJson[]>(a, "getpeerinfo");
        assert(aPeers.some((p) => p.inbound && p.addr_relay_enabled), JSON.stringify(aPeers));
      });

      await t.step("getnodeaddresses and addpeeraddress: shapes and Core's errors", async () => {
        assertEquals(await call(a, "addpeeraddress", ["1.2.3.4", 8333]), { success: true });
        assertEquals(await call(a, "addpeeraddress", ["1.2.3.4", 8333]), {
          success: false,
          error: "failed-adding-to-new",
        });
        assertEquals(await call(a, "addpeeraddress", ["10.0.0.1", 8333]), {
          success: false,
          error: "failed-adding-to-new",
        });
        assertEquals((await a.rpc("addpeeraddress", ["not_an_ip", 8333])).error, {
          code: -30,
          message: "Invalid IP address",
        });
        assertEquals((await a.rpc("addpeeraddress", ["1.2.3.4", 65536])).error, {
          code: -1,
          message: "JSON integer out of range",
        });
        const one = await call<Record<string, unknown>[]>(a, "getnodeaddresses");
        assertEquals(one.length, 1);
        assertEquals(Object.keys(one[0]), ["time", "services", "address", "port", "network"]);
        const v4 = await call<{ address: string; services: number }[]>(a, "getnodeaddresses", [0, "ipv4"]);
        assertEquals(v4.map((x) => x.address).sort(), ["1.2.3.4", hostB]);
        assertEquals(v4[0].services, 9);
        assertEquals(await call(a, "getnodeaddresses", [0, "ipv6"]), []);
        assertEquals((await a.rpc("getnodeaddresses", [-1])).error, {
          code: -8,
          message: "Address count out of range",
        });
        assertEquals((await a.rpc("getnodeaddresses", [1, "Foo"])).error, {
          code: -8,
          message: "Network not recognized: Foo",
        });
        const info = await call<Record<string, { new: number; tried: number; total: number }>>(
          a,
          "getaddrmaninfo",
        );
        assertEquals(info.all_networks.total, 6);
        assertEquals(info.ipv4.tried, 1);
        const raw = await call<Record<"new" | "tried", Record<string, Record<string, unknown>>>>(
          a,
          "getrawaddrman",
        );
        assertEquals(Object.keys(raw.new).length, 5);
        const tried = Object.entries(raw.tried);
        assertEquals(tried.length, 1);
        assert(/^\d+\/\d+$/.test(tried[0][0]), tried[0][0]);
        assertEquals(Object.keys(tried[0][1]), [
          "address",
          "port",
          "services",
          "time",
          "network",
          "source",
          "source_network",
        ]);
        assertEquals([tried[0][1].address, tried[0][1].port, tried[0][1].source], [hostB, pb, hostB]);
      });

      await t.step("a block-relay-only peer at shutdown is an anchor at the next start", async () => {
        // B knows nothing of C: only the anchor can bring the connection back.
        assertEquals(await call(b, "addconnection", [`${hostC}:${pc}`, "block-relay-only", false]), {
          address: `${hostC}:${pc}`,
          connection_type: "block-relay-only",
        });
        // Only a peer whose handshake is done counts as an anchor at shutdown: wait for it (slow machines).
        await waitFor(
          async () =>
            (await call<PeerJson[]>(b, "getpeerinfo")).some((p) =>
              p.addr === `${hostC}:${pc}` && p.connection_type === "block-relay-only"
            ),
          30_000,
          "the block-relay-only connection to C",
        );
        await stop(b);
        nodes.splice(nodes.indexOf(b), 1); // its data directory stays for the restart
        keep.push(b.dataDir);
        const b2 = await startNode([`-port=${pb}`, `-bind=${hostB}`, ...common], { dataDir: b.dataDir });
        nodes.push(b2);
        await waitFor(
          async () => {
            const peers = await call<PeerJson[]>(b2, "getpeerinfo");
            return peers.some((p) => p.addr === `${hostC}:${pc}` && p.connection_type === "block-relay-only");
          },
          30_000,
          "the anchor connection to C",
        );
        const log = await b2.log();
        assert(log.includes("1 block-relay-only anchors will be tried for connections."), "anchors log line");
      });

      await t.step("the address manager survives kill -9", async () => {
        const c = nodes.find((n) => n.dataDir === keep[0])!;
        // Wait for at least one background flush (every 5 s).
        await new Promise((r) => setTimeout(r, 5500));
        c.child.kill("SIGKILL");
        await c.wait();
        nodes.splice(nodes.indexOf(c), 1);
        const c2 = await startNode([`-port=${pc}`, `-bind=${hostC}`, ...common], { dataDir: c.dataDir });
        nodes.push(c2);
        const known = await call<{ address: string; port: number }[]>(c2, "getnodeaddresses", [0]);
        assert(known.some((k) => k.address === hostB && k.port === pb), JSON.stringify(known));
      });
    } finally {
      await Promise.all(nodes.map(async (n) => {
        await stop(n);
        await n.cleanup();
      }));
      for (const d of keep) await Deno.remove(d, { recursive: true }).catch(() => {});
    }
  },
});
