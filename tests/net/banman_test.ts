import { assert, assertEquals } from "../assert.ts";
import { BanMan, parseSubNet, subNetContains, subNetToString } from "../../net/banman.ts";

Deno.test("banman: subnets parse as Core writes them", () => {
  assertEquals(subNetToString(parseSubNet("1.2.3.4")!), "1.2.3.4/32");
  assertEquals(subNetToString(parseSubNet("1.2.3.4/24")!), "1.2.3.0/24");
  assertEquals(subNetToString(parseSubNet("1.2.3.4/255.255.0.0")!), "1.2.0.0/16");
  assertEquals(subNetToString(parseSubNet("::1")!), "::1/128");
  assertEquals(subNetToString(parseSubNet("2001:db8::1/32")!), "2001:db8::/32");
  assertEquals(parseSubNet("1.2.3.4/33"), null);
  assertEquals(parseSubNet("1.2.3.4/255.0.255.0"), null);
  assertEquals(parseSubNet("not an ip"), null);
  assert(subNetContains(parseSubNet("10.0.0.0/8")!, "10.1.2.3"));
  assert(!subNetContains(parseSubNet("10.0.0.0/8")!, "11.1.2.3"));
  assert(!subNetContains(parseSubNet("10.0.0.0/8")!, "::1"));
});

Deno.test("banman: bans expire, unban and clear; discouragement is separate", () => {
  let now = 1000;
  const bm = new BanMan({ now: () => now });
  assert(bm.ban(parseSubNet("10.0.0.0/8")!, 2000));
  assert(!bm.ban(parseSubNet("10.0.0.0/8")!, 3000), "already banned");
  assert(bm.isBanned("10.9.9.9"));
  assertEquals(bm.list(), [{ address: "10.0.0.0/8", banCreated: 1000, bannedUntil: 2000 }]);
  now = 2000;
  assert(!bm.isBanned("10.9.9.9"), "expired");
  assertEquals(bm.list(), []);
  assert(bm.ban(parseSubNet("1.2.3.4")!, 5000));
  assert(bm.unban(parseSubNet("1.2.3.4/32")!));
  assert(!bm.unban(parseSubNet("1.2.3.4")!));
  bm.discourage("5.6.7.8");
  assert(bm.isDiscouraged("5.6.7.8") && !bm.isBanned("5.6.7.8"));
  bm.clear();
  assert(!bm.isDiscouraged("5.6.7.8"));
});

Deno.test("banman: banlist.json persists bans in Core's format and is recreated when missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/banlist.json`;
    const lines: string[] = [];
    const a = new BanMan({ path, now: () => 100, log: (m) => lines.push(m) });
    assertEquals(lines, ["Recreating the banlist database"]);
    assert(a.ban(parseSubNet("127.0.0.0/24")!, 1000));
    assert(!a.ban(parseSubNet("127.0.0.1")!, 1000), "inside a banned subnet");
    const json = JSON.parse(await Deno.readTextFile(path));
    assertEquals(json, {
      banned_nets: [{ version: 1, ban_created: 100, banned_until: 1000, address: "127.0.0.0/24" }],
    });
    const b = new BanMan({ path, now: () => 200 });
    assertEquals(b.list(), [{ address: "127.0.0.0/24", banCreated: 100, bannedUntil: 1000 }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("banman: Tor v3 addresses are banned one at a time; listbanned in Core's ban-map order", () => {
  const onion = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion";
  assertEquals(subNetToString(parseSubNet(onion)!), onion);
  assertEquals(parseSubNet(`${onion}/8`), null);
  const bm = new BanMan({ now: () => 1000 });
  for (
    const s of [
      onion,
      "2001:4d48:ac57:400:cacf:e9ff:fe1d:9c63/19",
      "192.168.0.1",
      "127.0.0.0/32",
      "127.0.0.0/24",
    ]
  ) {
    assert(bm.ban(parseSubNet(s)!, 5000), s);
  }
  assertEquals(bm.list().map((b) => b.address), [
    "127.0.0.0/24",
    "127.0.0.0/32",
    "192.168.0.1/32",
    "2001:4000::/19",
    onion,
  ]);
  assert(bm.isBanned(onion));
  assert(!bm.isBanned("nrfj6inpyf73gpkyool35hcmne5zwfmse3jl3aw23vk7chdemalyaqad.onion"));
});
