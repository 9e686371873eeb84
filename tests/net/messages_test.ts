import fc from "fast-check";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { DecodeError } from "../../core/wire/errors.ts";
import { ByteWriter } from "../../core/wire/writer.ts";
import { encodeTransaction } from "../../core/wire/transaction.ts";
import type { BlockHeader, Transaction } from "../../core/wire/types.ts";
import { MessageLimitError } from "../../net/errors.ts";
import { decodePayload, encodePayload, KNOWN_MESSAGE_TYPES } from "../../net/messages.ts";
import type { NetMessage } from "../../net/messages.ts";
import type { PeerAddress } from "../../net/address.ts";
import { Bip155Network, formatIp, parseIp } from "../../net/address.ts";
import { InvType, invTypeName, serviceFlagsToStrings } from "../../net/protocol.ts";
import { formatUserAgent, sanitizeString } from "../../net/user_agent.ts";

// --- arbitraries ---

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const u32 = fc.nat({ max: 0xffffffff });
const i32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const u64 = fc.bigInt({ min: 0n, max: 0xffffffffffffffffn });
const i64 = fc.bigInt({ min: -0x8000000000000000n, max: 0x7fffffffffffffffn });

const ipv4 = fc.record({ net: fc.constant(Bip155Network.IPV4), addr: bytes(4) });
const ipv6 = fc.record({ net: fc.constant(Bip155Network.IPV6), addr: bytes(16) }).filter(
  // ::ffff:a.b.c.d decodes as IPv4 in the v1 form
  (a) => !(a.addr.subarray(0, 10).every((b) => b === 0) && a.addr[10] === 0xff && a.addr[11] === 0xff),
);
const v1Net = fc.oneof(ipv4, ipv6);
const v2Net = fc.oneof(
  ipv4,
  fc.record({ net: fc.constant(Bip155Network.IPV6), addr: bytes(16) }),
  fc.record({ net: fc.constantFrom(Bip155Network.TORV3, Bip155Network.I2P), addr: bytes(32) }),
  fc.record({ net: fc.constant(Bip155Network.CJDNS), addr: bytes(16) }),
  fc.record({ net: fc.integer({ min: 7, max: 255 }), addr: fc.uint8Array({ maxLength: 40 }) }),
);
const port = fc.integer({ min: 0, max: 0xffff });
const peerAddr = (net: fc.Arbitrary<{ net: number; addr: Uint8Array }>): fc.Arbitrary<PeerAddress> =>
  fc.record({ time: u32, services: u64, port, n: net }).map(({ n, ...rest }) => ({ ...rest, ...n }));
const versionAddr = fc.record({ services: u64, port, n: v1Net }).map(({ n, ...rest }) => ({ ...rest, ...n }));
const hash = bytes(32);
const invItem = fc.record({ type: u32, hash });
const header: fc.Arbitrary<BlockHeader> = fc.record({
  version: i32,
  prevBlock: hash,
  merkleRoot: hash,
  time: u32,
  bits: u32,
  nonce: u32,
});
const tx: fc.Arbitrary<Transaction> = fc.record({
  version: u32,
  inputs: fc.array(
    fc.record({
      prevout: fc.record({ txid: hash, vout: u32 }),
      scriptSig: fc.uint8Array({ maxLength: 30 }),
      sequence: u32,
      witness: fc.array(fc.uint8Array({ maxLength: 20 }), { maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  outputs: fc.array(fc.record({ value: i64, scriptPubKey: fc.uint8Array({ maxLength: 30 }) }), {
    maxLength: 3,
  }),
  locktime: u32,
});
const latin1 = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 256 }).map((a) =>
  String.fromCharCode(...a)
);
const increasing = (max: number) =>
  fc.uniqueArray(fc.integer({ min: 0, max }), { maxLength: 20 }).map((a) => a.sort((x, y) => x - y));

const message: fc.Arbitrary<NetMessage> = fc.oneof(
  fc.record({
    type: fc.constant("version" as const),
    version: i32,
    services: u64,
    timestamp: i64,
    addrRecv: versionAddr,
    addrFrom: versionAddr,
    nonce: u64,
    userAgent: latin1,
    startHeight: i32,
    relay: fc.boolean(),
  }),
  fc.constantFrom(
    ...(["verack", "sendaddrv2", "getaddr", "sendheaders", "wtxidrelay", "mempool"] as const).map((type) => ({
      type,
    })),
  ),
  fc.record({ type: fc.constantFrom("ping" as const, "pong" as const), nonce: u64 }),
  fc.record({ type: fc.constant("addr" as const), addrs: fc.array(peerAddr(v1Net), { maxLength: 5 }) }),
  fc.record({ type: fc.constant("addrv2" as const), addrs: fc.array(peerAddr(v2Net), { maxLength: 5 }) }),
  fc.record({
    type: fc.constantFrom("inv" as const, "getdata" as const, "notfound" as const),
    items: fc.array(invItem, { maxLength: 5 }),
  }),
  fc.record({
    type: fc.constantFrom("getheaders" as const, "getblocks" as const),
    version: i32,
    locator: fc.array(hash, { maxLength: 5 }),
    hashStop: hash,
  }),
  fc.record({ type: fc.constant("headers" as const), headers: fc.array(header, { maxLength: 4 }) }),
  fc.record({ type: fc.constant("feefilter" as const), feeRate: i64 }),
  fc.record({ type: fc.constant("sendcmpct" as const), highBandwidth: fc.boolean(), version: u64 }),
  fc.record({ type: fc.constant("tx" as const), tx }),
  fc.record({
    type: fc.constant("block" as const),
    block: fc.record({ header, txs: fc.array(tx, { maxLength: 3 }) }),
  }),
  fc.record({
    type: fc.constant("cmpctblock" as const),
    header,
    nonce: u64,
    shortIds: fc.array(fc.integer({ min: 0, max: 2 ** 48 - 1 }), { maxLength: 5 }),
    prefilled: increasing(0xffff).chain((idx) =>
      fc.tuple(...idx.map(() => tx)).map((txs) => idx.map((index, i) => ({ index, tx: txs[i] })))
    ),
  }),
  fc.record({ type: fc.constant("getblocktxn" as const), blockHash: hash, indexes: increasing(0xffff) }),
  fc.record({ type: fc.constant("blocktxn" as const), blockHash: hash, txs: fc.array(tx, { maxLength: 3 }) }),
);

/** Transactions compare by their serialization (decoded ones carry views and shared empty arrays). */
function normalize(v: unknown): unknown {
  if (v instanceof Uint8Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if ("inputs" in o && "outputs" in o && "locktime" in o) {
      return { tx: Array.from(encodeTransaction(o as unknown as Transaction)) };
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, normalize(x)]));
  }
  return v;
}

function roundTrip(msg: NetMessage): NetMessage {
  const payload = encodePayload(msg);
  const r = decodePayload(msg.type, payload);
  if (!r.ok) throw r.error;
  return r.message;
}

Deno.test("messages: decode(encode(x)) = x for every message type (property)", () => {
  fc.assert(
    fc.property(message, (msg) => {
      assertEquals(normalize(roundTrip(msg)), normalize(msg));
    }),
    { numRuns: 600 },
  );
});

Deno.test("messages: random payloads never throw out of the decoder (property)", () => {
  const commands = [...KNOWN_MESSAGE_TYPES, "bogus"];
  fc.assert(
    fc.property(fc.constantFrom(...commands), fc.uint8Array({ maxLength: 300 }), (command, payload) => {
      const r = decodePayload(command, payload);
      if (!r.ok) assert(r.error instanceof DecodeError, `${command}: ${r.error}`);
    }),
    { numRuns: 3000 },
  );
});

Deno.test("messages: mutated valid payloads never throw out of the decoder (property)", () => {
  fc.assert(
    fc.property(message, fc.nat(), fc.nat({ max: 255 }), fc.nat(), (msg, at, value, cut) => {
      const p = encodePayload(msg).slice();
      if (p.length > 0) p[at % p.length] = value;
      const truncated = p.subarray(0, p.length === 0 ? 0 : cut % (p.length + 1));
      for (const payload of [p, truncated]) {
        const r = decodePayload(msg.type, payload);
        if (!r.ok) assert(r.error instanceof DecodeError);
      }
    }),
    { numRuns: 800 },
  );
});

function fail(command: string, payload: Uint8Array): DecodeError {
  const r = decodePayload(command, payload);
  if (r.ok) throw new Error(`${command} decoded unexpectedly`);
  return r.error;
}

function countThen(n: number, item: Uint8Array): Uint8Array {
  const w = new ByteWriter();
  w.compactSize(n);
  for (let i = 0; i < n; i++) w.bytes(item);
  return w.finish();
}

Deno.test("messages: Core's limits give MessageLimitError with Core's wording and treatment", () => {
  const inv = fail("inv", countThen(50_001, new Uint8Array(36)));
  assert(inv instanceof MessageLimitError);
  assertEquals([inv.reason, inv.action], ["inv message size = 50001", "misbehaving"]);
  assert(decodePayload("inv", countThen(50_000, new Uint8Array(36))).ok);

  const getdata = fail("getdata", countThen(50_001, new Uint8Array(36)));
  assertEquals((getdata as MessageLimitError).reason, "getdata message size = 50001");
  assert(decodePayload("notfound", countThen(50_001, new Uint8Array(36))).ok, "notfound has no such limit");

  const headers = fail("headers", countThen(2_001, new Uint8Array(81)));
  assert(headers instanceof MessageLimitError);
  assertEquals([headers.reason, headers.action], ["headers message size = 2001", "misbehaving"]);
  assert(decodePayload("headers", countThen(2_000, new Uint8Array(81))).ok);

  const addrItem = new Uint8Array(30);
  const addr = fail("addr", countThen(1_001, addrItem));
  assertEquals([(addr as MessageLimitError).reason, (addr as MessageLimitError).action], [
    "addr message size = 1001",
    "misbehaving",
  ]);
  assert(decodePayload("addr", countThen(1_000, addrItem)).ok);
  const v2Item = Uint8Array.of(0, 0, 0, 0, 0, 1, 4, 1, 2, 3, 4, 0, 80);
  const addrv2 = fail("addrv2", countThen(1_001, v2Item));
  assertEquals((addrv2 as MessageLimitError).reason, "addrv2 message size = 1001");

  const locator = (n: number) => {
    const w = new ByteWriter().i32(70016);
    w.bytes(countThen(n, new Uint8Array(32))).bytes(new Uint8Array(32));
    return w.finish();
  };
  const gh = fail("getheaders", locator(102));
  assert(gh instanceof MessageLimitError);
  assertEquals([gh.reason, gh.action], ["getheaders locator size 102 > 101", "disconnect"]);
  assertEquals(
    (fail("getblocks", locator(102)) as MessageLimitError).reason,
    "getblocks locator size 102 > 101",
  );
  assert(decodePayload("getheaders", locator(101)).ok);

  const sc = fail("sendcmpct", Uint8Array.of(2, 2, 0, 0, 0, 0, 0, 0, 0));
  assert(sc instanceof MessageLimitError);
  assertEquals([sc.reason, sc.action], ["invalid sendcmpct announce field", "misbehaving"]);
});

Deno.test("messages: malformed payloads give a DecodeError naming the message", () => {
  const trunc = fail("ping", Uint8Array.of(1, 2, 3));
  assert(!(trunc instanceof MessageLimitError));
  assertEquals(trunc.message, "Cannot decode ping: end of data (needs 4 bytes at byte 0, 3 left)");
  // a count the bytes cannot hold is rejected before allocating
  assert(
    fail("inv", Uint8Array.of(0xfe, 0xff, 0xff, 0xff, 0x00)).message.includes(
      "inventory count 16777215 needs",
    ),
  );
  assertEquals(fail("inv", Uint8Array.of(0xfd, 0x01, 0x00)).reason, "non-canonical ReadCompactSize()");
  // BIP155 lengths, Core's messages
  const v2 = (net: number, len: number) => {
    // one address: time, services (compact size), network id, length, address, port
    return new ByteWriter().compactSize(1).u32(0).compactSize(1).u8(net).compactSize(len)
      .bytes(new Uint8Array(len)).u16(0).finish();
  };
  assertEquals(fail("addrv2", v2(1, 5)).reason, "BIP155 IPv4 address with length 5 (should be 4)");
  assertEquals(fail("addrv2", v2(2, 4)).reason, "BIP155 IPv6 address with length 4 (should be 16)");
  assertEquals(fail("addrv2", v2(4, 31)).reason, "BIP155 TORv3 address with length 31 (should be 32)");
  assertEquals(fail("addrv2", v2(5, 33)).reason, "BIP155 I2P address with length 33 (should be 32)");
  assertEquals(fail("addrv2", v2(6, 4)).reason, "BIP155 CJDNS address with length 4 (should be 16)");
  assertEquals(fail("addrv2", v2(9, 513)).reason, "Address too long: 513 > 512");
  const unknownNet = decodePayload("addrv2", v2(9, 512));
  assert(unknownNet.ok && unknownNet.message.type === "addrv2" && unknownNet.message.addrs[0].net === 9);
  // user agent over 256 bytes
  const version = new ByteWriter().i32(70016).u64(0n).i64(0n).bytes(new Uint8Array(26)).bytes(
    new Uint8Array(26),
  )
    .u64(1n).compactSize(257).bytes(new Uint8Array(257)).i32(0).u8(1).finish();
  assertEquals(fail("version", version).reason, "String length limit exceeded");
  // getblocktxn indexes past 16 bits
  const gbt = new ByteWriter().bytes(new Uint8Array(32)).compactSize(2).compactSize(65535).compactSize(0)
    .finish();
  assertEquals(fail("getblocktxn", gbt).reason, "differential value overflow");
  const gbtOk = decodePayload(
    "getblocktxn",
    new ByteWriter().bytes(new Uint8Array(32)).compactSize(3).compactSize(0).compactSize(0).compactSize(5)
      .finish(),
  );
  assert(gbtOk.ok && gbtOk.message.type === "getblocktxn");
  assertEquals(gbtOk.message.indexes, [0, 1, 7]);
});

Deno.test("messages: version accepts Core's shorter historical forms", () => {
  const w = new ByteWriter().i32(31800).u64(1n).i64(1_600_000_000n).u64(1n).bytes(new Uint8Array(16)).u16(0);
  const r = decodePayload("version", w.finish());
  assert(r.ok && r.message.type === "version");
  assertEquals(
    [r.message.version, r.message.nonce, r.message.userAgent, r.message.startHeight, r.message.relay],
    [31800, 1n, "", -1, true],
  );
  const full = roundTrip({
    type: "version",
    version: 70016,
    services: 9n,
    timestamp: 1_700_000_000n,
    addrRecv: { services: 0n, net: 1, addr: Uint8Array.of(127, 0, 0, 1), port: 18444 },
    addrFrom: { services: 9n, net: 2, addr: new Uint8Array(16), port: 0 },
    nonce: 42n,
    userAgent: "/tsbtc:0.1.0/",
    startHeight: 7,
    relay: false,
  });
  assert(full.type === "version" && full.relay === false && full.userAgent === "/tsbtc:0.1.0/");
});

Deno.test("messages: encoder rejects values that have no wire form", () => {
  assertThrows(
    () =>
      encodePayload({
        type: "addr",
        addrs: [{ time: 0, services: 0n, net: 4, addr: new Uint8Array(32), port: 1 }],
      }),
    "has no v1 form",
  );
  assertThrows(
    () => encodePayload({ type: "getblocktxn", blockHash: new Uint8Array(32), indexes: [3, 3] }),
    "differential",
  );
  assertThrows(() => encodePayload({ type: "ping", nonce: -1n }), "uint64");
});

Deno.test("messages: headers carry a zero transaction count after each header", () => {
  const h: BlockHeader = {
    version: 1,
    prevBlock: new Uint8Array(32),
    merkleRoot: new Uint8Array(32),
    time: 1,
    bits: 2,
    nonce: 3,
  };
  const p = encodePayload({ type: "headers", headers: [h, h] });
  assertEquals(p.length, 1 + 2 * 81);
  assertEquals([p[81], p[162]], [0, 0]);
});

Deno.test("address: IP text forms", () => {
  assertEquals(parseIp("127.0.0.1"), { net: 1, addr: Uint8Array.of(127, 0, 0, 1) });
  assertEquals(parseIp("::ffff:1.2.3.4"), { net: 1, addr: Uint8Array.of(1, 2, 3, 4) });
  const v6 = parseIp("2001:db8::1")!;
  assertEquals(formatIp(v6), "2001:db8::1");
  assertEquals(formatIp(parseIp("::1")!), "::1");
  assertEquals(formatIp(parseIp("::")!), "::");
  assertEquals(parseIp("1.2.3.256"), undefined);
  assertEquals(parseIp("1::2::3"), undefined);
  assertEquals(parseIp("hello"), undefined);
});

Deno.test("protocol: service names and inventory names as Core prints them", () => {
  assertEquals(serviceFlagsToStrings(0x409n | (1n << 24n)), [
    "NETWORK",
    "WITNESS",
    "NETWORK_LIMITED",
    "UNKNOWN[2^24]",
  ]);
  assertEquals(invTypeName(InvType.MSG_WITNESS_BLOCK), "witness-block");
  assertEquals(invTypeName(InvType.MSG_WTX), "wtx");
  assertEquals(invTypeName(InvType.MSG_CMPCT_BLOCK), "cmpctblock");
  assertEquals(invTypeName(7), "0x00000007");
});

Deno.test("user agent: -uacomment rules and sanitizing", () => {
  assertEquals(formatUserAgent("tsbtc", "0.1.0"), "/tsbtc:0.1.0/");
  assertEquals(formatUserAgent("tsbtc", "0.1.0", ["a b", "c@d"]), "/tsbtc:0.1.0(a b; c@d)/");
  assertThrows(
    () => formatUserAgent("tsbtc", "0.1.0", ["bad/"]),
    "User Agent comment (bad/) contains unsafe characters.",
  );
  assertThrows(
    () => formatUserAgent("tsbtc", "0.1.0", ["x".repeat(250)]),
    "Total length of network version string (265) exceeds maximum length (256). Reduce the number or size of uacomments.",
  );
  assertEquals(sanitizeString("/a\u0000b<c>:1/"), "/abc:1/");
});
