import { parseIp, parseSubnet, splitHostPort, subnetMatch, subnetToString } from "../../rpc/subnet.ts";
import { assert, assertEquals } from "./asserts.ts";

const matches = (subnet: string, ip: string) => subnetMatch(parseSubnet(subnet)!, parseIp(ip)!);

Deno.test("subnets: single IPs, CIDR, netmask, IPv6, all", () => {
  assert(matches("127.0.0.0/8", "127.1.2.3"));
  assert(!matches("127.0.0.0/8", "128.0.0.1"));
  assert(matches("1.2.3.4", "1.2.3.4"));
  assert(!matches("1.2.3.4", "1.2.3.5"));
  assert(matches("1.2.3.4/255.255.255.0", "1.2.3.200"));
  assert(matches("0.0.0.0/0", "8.8.8.8"));
  assert(!matches("0.0.0.0/0", "::1"));
  assert(matches("::/0", "2001:db8::1"));
  assert(matches("::1", "::1"));
  assert(matches("fe80::/10", "fe80::1234"));
  assert(matches("127.0.0.0/8", "::ffff:127.0.0.1"));
  assertEquals(subnetToString(parseSubnet("10.1.2.3/16")!), "10.1.0.0/16");
  assertEquals(subnetToString(parseSubnet("::1")!), "::1/128");
});

Deno.test("invalid subnets are refused", () => {
  for (
    const bad of [
      "",
      "1.2.3",
      "1.2.3.256",
      "1.2.3.4/33",
      "1.2.3.4/255.0.255.0",
      "host.example",
      "::1/129",
      "1:2",
    ]
  ) {
    assertEquals(parseSubnet(bad), null, bad);
  }
});

Deno.test("splitHostPort follows Core's rules", () => {
  assertEquals(splitHostPort("127.0.0.1"), { host: "127.0.0.1", port: null, valid: true });
  assertEquals(splitHostPort("127.0.0.1:8332"), { host: "127.0.0.1", port: 8332, valid: true });
  assertEquals(splitHostPort("[::1]:8332"), { host: "::1", port: 8332, valid: true });
  assertEquals(splitHostPort("::1"), { host: "::1", port: null, valid: true });
  assertEquals(splitHostPort("[::1]"), { host: "::1", port: null, valid: true });
  assertEquals(splitHostPort("host:0").valid, false);
  assertEquals(splitHostPort("host:abc"), { host: "host:abc", port: null, valid: false });
  assertEquals(splitHostPort("host:65536").valid, false);
});
