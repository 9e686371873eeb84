/**
 * The P2P settings of the address-manager options: `-onlynet` with Core's init errors, `-connect` turning
 * automatic connections off, `-dnsseed` defaults (off on regtest, with -connect or -maxconnections=0) and
 * `-forcednsseed`'s error, `-seednode` and the `-test` switches.
 */
import { assert, assertEquals, assertThrows } from "../assert.ts";
import type { ArgsLike } from "../../rpc/args_like.ts";
import { p2pSettingsFromArgs } from "../../net/p2p.ts";
import { Network } from "../../net/netaddr.ts";

function args(list: string[], network: "regtest" | "main" = "regtest"): ArgsLike {
  const values = new Map<string, string[]>();
  const negated = new Set<string>();
  for (const a of list) {
    const [k, v = "1"] = a.split("=");
    if (k.startsWith("-no")) {
      negated.add(`-${k.slice(3)}`);
      values.set(`-${k.slice(3)}`, ["0"]);
      continue;
    }
    values.set(k, [...(values.get(k) ?? []), v]);
  }
  const last = (n: string) => values.get(n)?.at(-1);
  return {
    getArg: (n, f) => last(n) ?? f,
    getArgs: (n) => values.get(n) ?? [],
    getBool: (n, f) => last(n) === undefined ? f : last(n) !== "0",
    getInt: (n, f) => last(n) === undefined ? f : Number(last(n)),
    isSet: (n) => values.has(n),
    isNegated: (n) => negated.has(n),
    network,
    dataDir: "/tmp/x",
    netDataDir: "/tmp/x/regtest",
    positional: [],
  };
}

Deno.test("p2p settings: -onlynet reachability and Core's errors", () => {
  assertEquals([...p2pSettingsFromArgs(args([])).reachable].sort(), [Network.IPV4, Network.IPV6]);
  assertEquals([...p2pSettingsFromArgs(args(["-onlynet=ipv4"])).reachable], [Network.IPV4]);
  assertEquals([...p2pSettingsFromArgs(args(["-onlynet=IPv6"])).reachable], [Network.IPV6]);
  assertThrows(
    () => p2pSettingsFromArgs(args(["-onlynet=foo"])),
    "Unknown network specified in -onlynet: 'foo'",
  );
  assertThrows(
    () => p2pSettingsFromArgs(args(["-onlynet=cjdns"])),
    "Outbound connections restricted to CJDNS (-onlynet=cjdns) but -cjdnsreachable is not provided",
  );
  assertThrows(
    () => p2pSettingsFromArgs(args(["-onlynet=i2p"])),
    "Outbound connections restricted to i2p (-onlynet=i2p) but -i2psam is not provided",
  );
  assertThrows(
    () => p2pSettingsFromArgs(args(["-onlynet=onion", "-listenonion=0"])),
    "Outbound connections restricted to Tor (-onlynet=onion) but the proxy for reaching the Tor network is not provided: none of -proxy, -onion or -listenonion is given",
  );
});

Deno.test("p2p settings: automatic connections, seeds and test switches", () => {
  const plain = p2pSettingsFromArgs(args([]));
  assert(plain.useAddrmanOutgoing);
  assertEquals([plain.dnsSeed, plain.deterministicAddrman, plain.addrmanLocal], [false, false, false]);
  assertEquals(p2pSettingsFromArgs(args(["-connect=0"])).useAddrmanOutgoing, false);
  assertEquals(p2pSettingsFromArgs(args(["-noconnect"])).useAddrmanOutgoing, false);
  assertEquals(p2pSettingsFromArgs(args(["-connect=127.0.0.1:1"])).useAddrmanOutgoing, false);
  assertEquals(p2pSettingsFromArgs(args([], "main")).dnsSeed, true);
  assertEquals(p2pSettingsFromArgs(args(["-connect=1.2.3.4"], "main")).dnsSeed, false);
  assertEquals(p2pSettingsFromArgs(args(["-maxconnections=0"], "main")).dnsSeed, false);
  assertThrows(
    () => p2pSettingsFromArgs(args(["-dnsseed=0", "-forcednsseed=1"], "main")),
    "Cannot set -forcednsseed to true when setting -dnsseed to false.",
  );
  const s = p2pSettingsFromArgs(
    args(["-seednode=1.2.3.4", "-seednode=5.6.7.8", "-test=addrman", "-test=addrmanlocal"]),
  );
  assertEquals(s.seedNodes, ["1.2.3.4", "5.6.7.8"]);
  assertEquals([s.deterministicAddrman, s.addrmanLocal], [true, true]);
  assertEquals(p2pSettingsFromArgs(args(["-test=addrmanlocal"], "main")).addrmanLocal, false);
});

Deno.test("p2p settings: -externalip (Core's error), -discover's default, the listen port", () => {
  const s = p2pSettingsFromArgs(args(["-externalip=42.42.42.42", "-bind=127.0.0.1:18555", "-port=18444"]));
  assertEquals(s.externalIps.map((a) => [Array.from(a.addr).join("."), a.port]), [["42.42.42.42", 18555]]);
  assertEquals([s.listenPort, s.discover], [18555, false]);
  assertEquals(p2pSettingsFromArgs(args(["-externalip=1.2.3.4:8333"])).externalIps[0].port, 8333);
  assertEquals(p2pSettingsFromArgs(args([])).discover, true);
  assertEquals(p2pSettingsFromArgs(args(["-listen=0"])).discover, false);
  assertThrows(
    () => p2pSettingsFromArgs(args(["-externalip=foo"])),
    "Cannot resolve -externalip address: 'foo'",
  );
});
