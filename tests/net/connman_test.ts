import { assert, assertEquals, assertThrows } from "../assert.ts";
import { ConnectionManager, isLocalAddress, parseWhitelist, splitHostPort } from "../../net/connman.ts";
import { ServiceFlags } from "../../net/protocol.ts";
import { waitFor } from "../helpers.ts";

const MAGIC = Uint8Array.of(0xfa, 0xbf, 0xb5, 0xda);

Deno.test("connman: host and port as Core splits them", () => {
  assertEquals(splitHostPort("127.0.0.1:18444", 1), { host: "127.0.0.1", port: 18444 });
  assertEquals(splitHostPort("127.0.0.1", 18444), { host: "127.0.0.1", port: 18444 });
  assertEquals(splitHostPort("[::1]:8333", 1), { host: "::1", port: 8333 });
  assertEquals(splitHostPort("::1", 8333), { host: "::1", port: 8333 });
  assertEquals(splitHostPort("localhost:99999", 1), null);
  assertEquals(splitHostPort(":8333", 1), null);
  assert(isLocalAddress("127.0.0.1:5") && isLocalAddress("[::1]:5") && !isLocalAddress("10.0.0.1:5"));
});

Deno.test("connman: -whitelist permissions as Core parses them", () => {
  const implicit = parseWhitelist("127.0.0.1");
  assertEquals([...implicit.permissions].sort(), ["download", "mempool", "noban", "relay"]);
  const explicit = parseWhitelist("forcerelay,mempool@10.0.0.0/8");
  assertEquals([...explicit.permissions].sort(), ["forcerelay", "mempool", "relay"]);
  assertThrows(() => parseWhitelist("bogus@1.2.3.4"), "Invalid P2P permission: 'bogus'");
  assertThrows(() => parseWhitelist("noban@1.2.3"), "Invalid netmask specified in -whitelist");
});

function manager(extra: Partial<Parameters<typeof ConnectionManager.start>[0]> = {}): ConnectionManager {
  return ConnectionManager.start({
    magic: MAGIC,
    local: {
      services: ServiceFlags.NODE_NETWORK | ServiceFlags.NODE_WITNESS,
      userAgent: "/t/",
      startHeight: 0,
      relay: true,
    },
    binds: [{ host: "127.0.0.1", port: 0 }],
    defaultPort: 18444,
    retryIntervalMs: 100,
    ...extra,
  });
}

function portOf(cm: ConnectionManager): number {
  return Number(cm.listenAddresses[0].split(":").pop());
}

Deno.test({
  name: "connman: two managers connect, count, disconnect; a connection to self is dropped",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const a = manager();
    const b = manager();
    try {
      const c = await b.openConnection(`127.0.0.1:${portOf(a)}`);
      assert(c !== null);
      await waitFor(() => a.counts().inbound === 1 && c.peer.successfullyConnected, 5000, "handshake");
      assertEquals(b.counts(), { inbound: 0, outbound: 1 });
      assertEquals(await b.openConnection(`127.0.0.1:${portOf(a)}`), null, "already connected");
      assert(b.disconnectAddress(`127.0.0.1:${portOf(a)}`));
      await waitFor(() => a.counts().inbound === 0 && b.counts().outbound === 0, 5000, "disconnect");
      assert(b.totals().bytesSent > 0);
      // Self: the inbound side sees our own nonce.
      const self = await a.openConnection(`127.0.0.1:${portOf(a)}`);
      assert(self !== null);
      assertEquals(await self.peer.closed, "connection closed by peer");
      await waitFor(() => a.connections().length === 0, 5000, "self connection gone");
      // Added nodes are retried until connected; removal stops that.
      assert(b.addNode(`127.0.0.1:${portOf(a)}`));
      assert(!b.addNode(`127.0.0.1:${portOf(a)}`));
      await waitFor(() => b.addedNodes()[0].conn?.peer.successfullyConnected === true, 5000, "added node");
      assert(b.removeAddedNode(`127.0.0.1:${portOf(a)}`));
      assert(!b.removeAddedNode(`127.0.0.1:${portOf(a)}`));
      b.setNetworkActive(false);
      await waitFor(() => b.connections().length === 0, 5000, "network off");
      assertEquals(await b.openConnection(`127.0.0.1:${portOf(a)}`), null);
    } finally {
      await a.close();
      await b.close();
    }
  },
});

Deno.test({
  name: "connman: -maxconnections limits inbound; a bind in use fails with Core's error",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const a = manager({ maxConnections: 12 }); // 12 - 11 outbound slots = 1 inbound
    const b = manager();
    try {
      const one = await b.openConnection(`127.0.0.1:${portOf(a)}`);
      await waitFor(() => one!.peer.successfullyConnected, 5000, "first");
      const two = await b.openConnection(`localhost:${portOf(a)}`);
      if (two !== null) await two.peer.closed;
      assertEquals(a.counts().inbound, 1);
      // -networkactive=0: neither connecting nor accepting until setnetworkactive.
      const off = manager({ networkActive: false });
      try {
        assertEquals(off.networkActive, false);
        assertEquals(await off.openConnection(`127.0.0.1:${portOf(a)}`), null);
      } finally {
        await off.close();
      }
      assertThrows(
        () => manager({ binds: [{ host: "127.0.0.1", port: portOf(a) }] }),
        `Unable to bind to 127.0.0.1:${portOf(a)} on this computer. tsbtc is probably already running.`,
      );
    } finally {
      await a.close();
      await b.close();
    }
  },
});

Deno.test({
  name: "connman: with every inbound slot taken a new peer evicts one (SelectNodeToEvict), noban ones never",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    // 40 - 11 automatic outbound slots = 29 inbound. Raw sockets that never shake hands are candidates too.
    for (const noban of [false, true]) {
      const a = manager({
        maxConnections: 40,
        whitelist: noban ? [parseWhitelist("noban@127.0.0.1")] : [],
      });
      const socks: Deno.TcpConn[] = [];
      try {
        for (let i = 0; i < 29; i++) {
          socks.push(await Deno.connect({ hostname: "127.0.0.1", port: portOf(a) }));
        }
        await waitFor(() => a.counts().inbound === 29, 5000, "29 inbound");
        const closedIds = new Set<number>();
        for (const c of a.connections()) c.peer.closed.then(() => closedIds.add(c.peer.id));
        socks.push(await Deno.connect({ hostname: "127.0.0.1", port: portOf(a) }));
        if (noban) {
          // Every candidate is protected: the newcomer is dropped.
          await new Promise((r) => setTimeout(r, 300));
          assertEquals(closedIds.size, 0);
          assertEquals(a.counts().inbound, 29);
        } else {
          await waitFor(() => closedIds.size === 1 && a.counts().inbound === 29, 5000, "one evicted");
          assert(a.connections().some((c) => c.peer.id === 29), "the newcomer is in");
        }
      } finally {
        for (const s of socks) {
          try {
            s.close();
          } catch { /* closed */ }
        }
        await a.close();
      }
    }
  },
});

Deno.test({
  name: "connman: -capturemessages writes Core's msgs_recv.dat/msgs_sent.dat records per peer",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "tsbtc-capture-" });
    const a = manager({ captureDir: dir });
    const b = manager();
    try {
      const c = await b.openConnection(`127.0.0.1:${portOf(a)}`);
      await waitFor(() => a.counts().inbound === 1 && c!.peer.successfullyConnected, 5000, "handshake");
      await waitFor(() => a.connections()[0]?.peer.successfullyConnected === true, 5000, "inbound handshake");
      const [peerDir] = [...Deno.readDirSync(dir)].map((e) => e.name);
      assert(/^127\.0\.0\.1_\d+$/.test(peerDir), peerDir);
      for (const [file, first] of [["msgs_recv.dat", "version"], ["msgs_sent.dat", "version"]]) {
        const data = Deno.readFileSync(`${dir}/${peerDir}/${file}`);
        const types: string[] = [];
        for (let o = 0; o < data.length;) {
          const type = new TextDecoder().decode(data.subarray(o + 8, o + 20)).replace(/\0+$/, "");
          const len = new DataView(data.buffer, data.byteOffset + o + 20, 4).getUint32(0, true);
          types.push(type);
          o += 24 + len;
          assert(o <= data.length, `${file}: record overruns the file`);
        }
        assertEquals(types[0], first);
        assert(types.includes("verack"), `${file}: ${types}`);
      }
    } finally {
      await a.close();
      await b.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
