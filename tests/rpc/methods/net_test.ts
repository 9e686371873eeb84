import { assertEquals } from "../../assert.ts";
import { clientVersionNumber, netMethods, type NetMethodsOptions } from "../../../rpc/methods/net.ts";
import { RpcTable } from "../../../rpc/table.ts";

function table(over: Partial<NetMethodsOptions> = {}): RpcTable {
  const t = new RpcTable();
  t.registerAll(netMethods({
    clientVersion: 100,
    subversion: "/tsbtc:0.1.0(testnode0)/",
    protocolVersion: 70016,
    reachable: (n) => n === "ipv4" || n === "ipv6",
    relayFees: () => ({ minRelay: 100n, incremental: 100n }),
    ...over,
  }));
  return t;
}

async function call(t: RpcTable, method: string): Promise<Record<string, unknown>> {
  const r = await t.execute(JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [] }));
  return (JSON.parse(r.body) as { result: Record<string, unknown> }).result;
}

Deno.test("getnetworkinfo: without a connection manager Core leaves the connection fields out", async () => {
  const r = await call(table(), "getnetworkinfo");
  assertEquals(Object.keys(r), [
    "version",
    "subversion",
    "protocolversion",
    "networks",
    "relayfee",
    "incrementalfee",
    "localaddresses",
    "warnings",
  ]);
  assertEquals(r.version, 100);
  assertEquals(r.subversion, "/tsbtc:0.1.0(testnode0)/");
  assertEquals(r.relayfee, 0.000001);
  assertEquals(r.incrementalfee, 0.000001);
  const nets = r.networks as { name: string; limited: boolean; reachable: boolean }[];
  assertEquals(nets.map((n) => `${n.name}:${n.reachable}:${n.limited}`), [
    "ipv4:true:false",
    "ipv6:true:false",
    "onion:false:true",
    "i2p:false:true",
    "cjdns:false:true",
  ]);
});

Deno.test("getnetworkinfo: with connections, Core's order and services in hex", async () => {
  const r = await call(
    table({
      connections: () => ({
        localServices: 0x409n | 0x800n,
        localServicesNames: ["NETWORK", "WITNESS", "NETWORK_LIMITED", "P2P_V2"],
        localRelay: true,
        timeOffset: 0,
        networkActive: true,
        inbound: 2,
        outbound: 3,
      }),
    }),
    "getnetworkinfo",
  );
  assertEquals(Object.keys(r).slice(0, 11), [
    "version",
    "subversion",
    "protocolversion",
    "localservices",
    "localservicesnames",
    "localrelay",
    "timeoffset",
    "networkactive",
    "connections",
    "connections_in",
    "connections_out",
  ]);
  assertEquals(r.localservices, "0000000000000c09");
  assertEquals(r.connections, 5);
});

Deno.test("clientVersionNumber: Core's CLIENT_VERSION formula", () => {
  assertEquals(clientVersionNumber("0.1.0"), 100);
  assertEquals(clientVersionNumber("30.99.0"), 309900);
  assertEquals(clientVersionNumber("1.2.3"), 10203);
});
