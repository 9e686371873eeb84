/**
 * The address manager against Core's addrman_tests facts: bucket numbers for Core's test keys, the new- and
 * tried-table collisions of the deterministic key, Good moving an address to tried, Select, GetAddr limits,
 * IsTerrible; and its Deno KV database: a round trip (restart), changes only written, and a corrupt or
 * inconsistent database that starts empty instead of failing.
 */
import { assert, assertEquals } from "../assert.ts";
import { parseIp, type PeerAddress } from "../../net/address.ts";
import { AddrMan, deterministicAddrManKey, seededRandom } from "../../net/addrman.ts";
import { AddrManDb, decodeAddrRecord, encodeAddrRecord, PEERS_DB_FILE } from "../../net/addrman_db.ts";
import { formatAddr, netClass, Network, networkName, parseHost } from "../../net/netaddr.ts";
import { ANCHORS_FILE, decodeAnchors, dumpAnchors, readAnchors } from "../../net/anchors.ts";
import { sha256d } from "../../core/hash/hashes.ts";

const NOW = 1_700_000_000;

function addr(ip: string, port = 8333, time = 100_000_000, services = 0n): PeerAddress {
  const p = parseIp(ip);
  if (p === undefined) throw new Error(`bad ip ${ip}`);
  return { ...p, port, time, services };
}

function ip(text: string) {
  return parseIp(text)!;
}

function manager(extra: { random?: () => number; now?: () => number } = {}): AddrMan {
  return new AddrMan({
    key: deterministicAddrManKey(),
    random: extra.random ?? seededRandom(7),
    now: extra.now ?? (() => NOW),
  });
}

Deno.test("addrman: bucket numbers of Core's addrman_tests keys (caddrinfo_get_*_bucket_legacy)", () => {
  // nKey1 = (HashWriter{} << 1).GetHash(): SHA256d of the 4-byte little-endian int 1.
  const key1 = sha256d(Uint8Array.of(1, 0, 0, 0));
  const key2 = sha256d(Uint8Array.of(2, 0, 0, 0));
  const am1 = new AddrMan({ key: key1 });
  const am2 = new AddrMan({ key: key2 });
  const a1 = addr("250.1.1.1", 8333);
  assertEquals(am1.triedBucket(a1), 40);
  assert(am1.triedBucket(a1) !== am2.triedBucket(a1), "another key, another tried bucket");
  const n1 = addr("250.1.2.1", 8333);
  assertEquals(am1.newBucket(n1, ip("250.1.2.1")), 786);
  // Same group, other port: same new bucket.
  assertEquals(am1.newBucket(addr("250.1.2.1", 9999), ip("250.1.2.1")), 786);
  // Addresses of one /16 from themselves map to 8 tried buckets at most (TRIED_BUCKETS_PER_GROUP).
  const tried = new Set<number>();
  for (let i = 0; i < 255; i++) tried.add(am1.triedBucket(addr(`250.1.1.${i}`)));
  assertEquals(tried.size, 8);
  // One source group spreads over at most 64 new buckets.
  const fromOne = new Set<number>();
  for (let j = 0; j < 4 * 255; j++) {
    fromOne.add(am1.newBucket(addr(`${250 + Math.floor(j / 255)}.${j % 256}.1.1`), ip("251.4.1.1")));
  }
  assert(fromOne.size <= 64, `${fromOne.size} buckets`);
  // Placement depends only on the key: another manager with the same key agrees.
  const again = new AddrMan({ key: key1 });
  assertEquals(again.bucketPosition(a1, true, 786), am1.bucketPosition(a1, true, 786));
});

Deno.test("addrman: new-table collision at Core's magic number (addrman_new_collisions)", () => {
  const am = manager();
  const source = ip("252.2.2.2");
  for (let i = 1; i <= 22; i++) {
    assert(am.add([addr(`250.1.1.${i}`, 0)], source), `add ${i}`);
    assertEquals(am.size(), i);
  }
  // 250.1.1.23 takes the slot of a terrible (time 1973) entry: the size stays.
  assert(am.add([addr("250.1.1.23", 0)], source));
  assertEquals(am.size(), 22);
  assert(am.add([addr("250.1.1.24", 0)], source));
  assertEquals(am.size(), 23);
});

Deno.test("addrman: Good moves to tried; tried collision at Core's magic number (addrman_tried_collisions)", () => {
  const am = manager();
  const source = ip("252.2.2.2");
  for (let i = 1; i <= 35; i++) {
    const a = addr(`250.1.1.${i}`, 0);
    assert(am.add([a], source));
    assert(am.good(a, NOW), `good ${i}`);
  }
  assertEquals([am.size(undefined, true), am.size(undefined, false)], [0, 35]);
  const collide = addr("250.1.1.36", 0);
  assert(am.add([collide], source));
  assertEquals(am.good(collide, NOW), false);
  assertEquals(am.find(collide)?.inTried, false);
  assertEquals(am.selectTriedCollision() !== null, true);
  const next = addr("250.1.1.37", 0);
  assert(am.add([next], source));
  assert(am.good(next, NOW));
  // The incumbent connected just now (Good): the collision resolves in its favour.
  am.resolveCollisions();
  assertEquals(am.selectTriedCollision(), null);
  assertEquals(am.find(collide)?.inTried, false);
});

Deno.test("addrman: rpc_net.py's grinded tried collision (1.2.3.4 and 1.2.5.45) and re-adding", () => {
  const am = manager();
  const a = addr("1.0.0.0", 8333, NOW);
  assert(am.add([a], a));
  assertEquals(am.add([a], a), false); // no newer time: nothing new
  const b = addr("1.2.3.4", 8333, NOW);
  assert(am.add([b], b) && am.good(b, NOW));
  assertEquals(am.add([b], b), false);
  const c = addr("1.2.5.45", 8333, NOW);
  assert(am.add([c], c));
  assertEquals(am.good(c, NOW), false);
  assertEquals([am.size(undefined, true), am.size(undefined, false)], [2, 1]);
  assertEquals(am.size(Network.IPV4), 3);
  assertEquals(am.size(Network.IPV6), 0);
});

Deno.test("addrman: unroutable addresses are refused unless loopback is allowed", () => {
  const am = manager();
  for (const t of ["127.0.0.1", "10.1.2.3", "192.168.1.1", "0.1.2.3", "::1", "fc00::1", "2001:db8::1"]) {
    const a = addr(t, 8333, NOW);
    assertEquals(am.add([a], a), false, t);
  }
  const local = new AddrMan({
    key: deterministicAddrManKey(),
    now: () => NOW,
    netClass: { localRoutable: true },
  });
  const l1 = addr("127.0.0.1", 18444, NOW);
  const l2 = addr("127.1.0.1", 18444, NOW);
  assert(local.add([l1, l2], l1));
  assertEquals(local.size(Network.IPV4), 2);
});

Deno.test("addrman: Select from new, from tried, by network; none when empty", () => {
  const am = manager();
  assertEquals(am.select(), null);
  const a = addr("250.1.1.1", 8333, NOW);
  am.add([a], ip("252.2.2.2"));
  assertEquals(am.select(true)?.addr.port, 8333);
  assertEquals(am.select(false, new Set([Network.IPV6])), null);
  am.good(a, NOW);
  assertEquals(am.select(true), null); // nothing left in new
  assertEquals(am.select(false)?.addr.inTried, true);
  const v6 = addr("1233:3432:2434:2343:3234:2345:6546:4534", 8333, NOW);
  am.add([v6], v6);
  for (let i = 0; i < 20; i++) {
    const s = am.select(false, new Set([Network.IPV6]));
    assertEquals(s?.addr.net, 2);
  }
  // Both tables are drawn from.
  const seen = new Set<boolean>();
  for (let i = 0; i < 50; i++) seen.add(am.select()!.addr.inTried);
  assertEquals(seen.size, 2);
});

Deno.test("addrman: GetAddr limits (count, 23%), network filter, terrible addresses (addrman_getaddr)", () => {
  const am = manager();
  assertEquals(am.getAddr(0, 0).length, 0);
  const s1 = ip("250.1.2.1");
  const s2 = ip("250.2.3.3");
  am.add(
    [addr("250.250.2.1", 8333, NOW), addr("251.252.2.3", 8333, NOW), addr("252.254.4.5", 8333, NOW)],
    s1,
  );
  am.add([addr("250.251.2.2", 9999, NOW), addr("252.253.3.4", 8333, NOW)], s2);
  assertEquals(am.getAddr(0, 0).length, 5);
  assertEquals(am.getAddr(2500, 23).length, 1); // 23% of 5, rounded down
  assertEquals(am.getAddr(2, 0).length, 2);
  assert(am.good(addr("250.250.2.1", 8333), NOW));
  assertEquals(am.getAddr(0, 0).length, 5);
  for (let i = 1; i < 8 * 256; i++) {
    const t = `${i % 256}.${i >> 8}.1.23`;
    const a = addr(t, 8333, NOW);
    am.add([a], ip(t));
    if (i % 8 === 0) am.good(a, NOW);
  }
  const size = am.size();
  assertEquals(am.getAddr(2500, 23).length, Math.floor(size * 23 / 100));
  assertEquals(am.getAddr(0, 0, Network.IPV6).length, 0);
  // A terrible address (seen long ago) is left out unless unfiltered.
  const old = manager();
  old.add([addr("250.1.1.1", 8333, NOW - 31 * 24 * 3600)], ip("252.2.2.2"));
  assertEquals(old.getAddr(0, 0).length, 0);
  assertEquals(old.getAddr(0, 0, undefined, false).length, 1);
});

Deno.test("addrman: IsTerrible after failed attempts; Attempt and Connected update an entry", () => {
  let now = NOW;
  const am = manager({ now: () => now });
  const a = addr("250.250.2.1", 8333, NOW);
  am.add([a], ip("250.1.2.1"));
  // Attempts only count after a Good somewhere (Core's m_last_good).
  am.good(addr("251.1.1.1", 8333), now);
  for (let i = 0; i < 3; i++) {
    now += 1;
    am.attempt(a, true, now);
  }
  assertEquals(am.find(a)?.attempts, 1); // one counted per Good
  now += 120;
  assertEquals(am.isTerrible(a, now), false);
  const b = addr("250.250.3.1", 8333, NOW);
  am.add([b], ip("250.1.2.1"));
  for (let i = 0; i < 3; i++) {
    now += 1;
    am.good(addr("251.1.1.1", 8333), now);
    now += 1;
    am.attempt(b, true, now);
  }
  assertEquals(am.find(b)?.attempts, 3);
  now += 120;
  assert(am.isTerrible(b, now), "three failures and never a success");
  const c = addr("250.250.4.1", 8333, NOW - 3600);
  am.add([c], ip("250.1.2.1"));
  am.connected(c, NOW);
  assertEquals(am.find(c)?.time, NOW);
});

Deno.test("addrman: records encode and decode; the database survives a restart and writes only changes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsbtc-addrman-" });
  try {
    const logs: string[] = [];
    const db = await AddrManDb.open({
      dir,
      flushIntervalMs: 0,
      log: (m) => logs.push(m),
      addrman: { now: () => NOW },
    });
    assert(
      logs.some((l) => l.includes(`Creating peers.dat because the file was not found ("${dir}/peers.dat")`)),
      logs.join("\n"),
    );
    const am = db.addrman;
    const src = ip("252.2.2.2");
    for (let i = 1; i <= 200; i++) am.add([addr(`${1 + (i % 200)}.${i}.7.7`, 8333, NOW, 9n)], src);
    const tried = addr("2.1.7.7", 8333);
    assert(am.find(tried) !== undefined && am.good(tried, NOW));
    const before = am.records();
    const rec = before.values().next().value!;
    assertEquals(decodeAddrRecord(encodeAddrRecord(rec)), rec);
    await db.close();
    const db2 = await AddrManDb.open({
      dir,
      flushIntervalMs: 0,
      log: (m) => logs.push(m),
      addrman: { now: () => NOW },
    });
    assertEquals(db2.addrman.key, am.key);
    assertEquals(db2.addrman.size(), am.size());
    assertEquals(db2.addrman.size(undefined, false), 1);
    const after = db2.addrman.records();
    for (const [k, r] of before) assertEquals(after.get(k), r, k);
    assertEquals(db2.addrman.dirty, false); // nothing to write after a load
    db2.addrman.attempt(tried, false, NOW + 5);
    assertEquals(db2.addrman.takeChanges().put.size, 1);
    await db2.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("addrman: corrupt records or records without their key start an empty manager with a log line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsbtc-addrman-" });
  try {
    const db = await AddrManDb.open({ dir, flushIntervalMs: 0 });
    db.addrman.add([addr("250.1.1.1", 8333, Math.floor(Date.now() / 1000))], ip("252.2.2.2"));
    await db.close();
    const db2 = await AddrManDb.open({ dir, flushIntervalMs: 0 });
    assertEquals(db2.addrman.size(), 1);
    await db2.close();
    // Damage one record.
    const kv = await Deno.openKv(`${dir}/${PEERS_DB_FILE}`);
    for await (const e of kv.list({ prefix: ["addr"] })) await kv.set(e.key, Uint8Array.of(1, 2, 3));
    kv.close();
    const logs: string[] = [];
    const db3 = await AddrManDb.open({ dir, flushIntervalMs: 0, log: (m) => logs.push(m) });
    assertEquals(db3.addrman.size(), 0);
    assert(logs.some((l) => l.startsWith("Invalid or corrupt peers.dat")), logs.join("\n"));
    await db3.close();
    // Records without their key: the same.
    const kv2 = await Deno.openKv(`${dir}/${PEERS_DB_FILE}`);
    await kv2.delete(["meta"]);
    await kv2.set(["addr", "00"], Uint8Array.of(1));
    kv2.close();
    const db4 = await AddrManDb.open({ dir, flushIntervalMs: 0, log: (m) => logs.push(m) });
    assertEquals(db4.addrman.size(), 0);
    await db4.close();
    // Not a database at all (say Core's own peers.dat): set aside as peers.dat.bak, a new one created.
    await Deno.writeFile(`${dir}/${PEERS_DB_FILE}`, new TextEncoder().encode("\xf9\xbe\xb4\xd9 not sqlite"));
    const db5 = await AddrManDb.open({ dir, flushIntervalMs: 0, log: (m) => logs.push(m) });
    assertEquals(db5.addrman.size(), 0);
    db5.addrman.add([addr("250.1.1.1", 8333, Math.floor(Date.now() / 1000))], ip("252.2.2.2"));
    await db5.close();
    await Deno.stat(`${dir}/${PEERS_DB_FILE}.bak`);
    const db6 = await AddrManDb.open({ dir, flushIntervalMs: 0 });
    assertEquals(db6.addrman.size(), 1);
    await db6.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("anchors: Core's anchors.dat format, read once, a damaged file gives none", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsbtc-anchors-" });
  const magic = Uint8Array.of(0xfa, 0xbf, 0xb5, 0xda);
  try {
    const logs: string[] = [];
    const a1 = { ...ip("127.0.0.1"), port: 0x1234, services: 0n, time: 5 };
    const a2 = { ...ip("250.9.9.9"), port: 8333, services: 9n, time: 6 };
    await dumpAnchors(dir, magic, [a1, a2, a1], (m) => logs.push(m));
    assert(
      logs.some((l) =>
        l.includes("DumpAnchors: Flush 2 outbound block-relay-only peer addresses to anchors.dat")
      ),
    );
    const raw = await Deno.readFile(`${dir}/${ANCHORS_FILE}`);
    // feature_anchors.py's checks: 127.0.0.1 and the port in hex; services byte at 4 + 1 + 4 + 4.
    assert(Array.from(raw, (b) => b.toString(16).padStart(2, "0")).join("").includes("7f0000011234"));
    assertEquals(raw[13], 0);
    assertEquals(decodeAnchors(magic, raw).map((a) => [a.port, a.services]), [[0x1234, 0n], [8333, 9n]]);
    assertEquals((await readAnchors(dir, magic)).length, 2);
    assertEquals(await readAnchors(dir, magic), []); // deleted after reading
    // A byte inserted (as feature_anchors.py does): no anchors, no error, file gone.
    const damaged = new Uint8Array([...raw.subarray(0, 20), 0x31, ...raw.subarray(20)]);
    await Deno.writeFile(`${dir}/${ANCHORS_FILE}`, damaged);
    assertEquals(await readAnchors(dir, magic), []);
    await Deno.stat(`${dir}/${ANCHORS_FILE}`).then(() => assert(false, "file left"), () => {});
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("addrman: rpc_net.py's bucket/position vectors with -test=addrman (IPv4, IPv6, CJDNS, onion, I2P)", () => {
  const am = manager();
  const cases: [string, number, boolean, string, string][] = [
    ["1.2.3.4", 8333, true, "6/33", "ipv4"],
    ["2.0.0.0", 8333, false, "82/8", "ipv4"],
    ["1233:3432:2434:2343:3234:2345:6546:4534", 8333, true, "197/34", "ipv6"],
    ["2803:0:1234:abcd::1", 45324, false, "613/6", "ipv6"],
    ["fc00:1:2:3:4:5:6:7", 8333, false, "336/24", "cjdns"],
    ["pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion", 8333, true, "72/61", "onion"],
    ["nrfj6inpyf73gpkyool35hcmne5zwfmse3jl3aw23vk7chdemalyaqad.onion", 45324, true, "139/46", "onion"],
    ["c4gfnttsuwqomiygupdqqqyy5y5emnk5c73hrfvatri67prd7vyq.b32.i2p", 8333, false, "963/46", "i2p"],
  ];
  for (const [text, port, tried, where, network] of cases) {
    const h = parseHost(text, { cjdnsReachable: true });
    assert(h !== undefined, text);
    assertEquals(formatAddr(h), text);
    const a = { ...h, port, services: 9n, time: NOW };
    assert(am.add([a], a), `add ${text}`);
    if (tried) assert(am.good(a, NOW), `good ${text}`);
    const table = am.entries(tried).find((e) => formatAddr(e.addr) === text)!;
    assertEquals(`${table.bucket}/${table.position}`, where, text);
    assertEquals(networkName(netClass(h)), network);
  }
  assertEquals(parseHost("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryc.onion"), undefined); // checksum
  assertEquals(parseHost("not_an_ip"), undefined);
  assertEquals(parseHost("fc00::1")?.net, 2); // IPv6 unless CJDNS is reachable
});
