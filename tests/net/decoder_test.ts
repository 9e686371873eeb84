import fc from "fast-check";
import { assert, assertEquals } from "../assert.ts";
import { MessageDecoder } from "../../net/decoder.ts";
import type { DecoderEvent } from "../../net/decoder.ts";
import { decodeMessageHeader, frameMessage, isValidCommandField } from "../../net/header.ts";
import { MAX_PROTOCOL_MESSAGE_LENGTH } from "../../net/protocol.ts";
import { chainParams } from "../../core/chain_params.ts";

const MAGIC = chainParams("regtest").messageStart;

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function summary(events: DecoderEvent[]): string[] {
  return events.map((e) =>
    e.kind === "message" ? `${e.command}:${Array.from(e.payload).join(",")}` : `error:${e.error.code}`
  );
}

Deno.test("header: layout, checksum and Core's command rule", () => {
  const f = frameMessage(MAGIC, "verack", new Uint8Array(0));
  // regtest verack, checksum of the empty payload is 5df6e0e2
  assertEquals(
    Array.from(f, (b) => b.toString(16).padStart(2, "0")).join(""),
    "fabfb5da76657261636b000000000000000000005df6e0e2",
  );
  const h = decodeMessageHeader(f);
  assertEquals([h.command, h.length, h.commandValid], ["verack", 0, true]);
  assert(!isValidCommandField(Uint8Array.of(0x61, 0, 0x62, 0, 0, 0, 0, 0, 0, 0, 0, 0)), "data after NUL");
  assert(!isValidCommandField(Uint8Array.of(0x61, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), "non-printable");
  assert(isValidCommandField(new TextEncoder().encode("abcdefghijkl")), "12 characters, no NUL");
});

Deno.test("decoder: several messages in one chunk, and every split point of the same stream", () => {
  const stream = concat(
    frameMessage(MAGIC, "ping", Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)),
    frameMessage(MAGIC, "verack", new Uint8Array(0)),
    frameMessage(MAGIC, "inv", Uint8Array.of(0)),
  );
  const whole = summary(new MessageDecoder(MAGIC).push(stream));
  assertEquals(whole, ["ping:1,2,3,4,5,6,7,8", "verack:", "inv:0"]);
  for (let a = 0; a <= stream.length; a++) {
    for (let b = a; b <= stream.length; b += 7) {
      const d = new MessageDecoder(MAGIC);
      const got = [
        ...d.push(stream.subarray(0, a)),
        ...d.push(stream.subarray(a, b)),
        ...d.push(stream.subarray(b)),
      ];
      assertEquals(summary(got), whole, `split at ${a}/${b}`);
    }
  }
  const d = new MessageDecoder(MAGIC);
  const bytewise = Array.from(stream).flatMap((x) => d.push(Uint8Array.of(x)));
  assertEquals(summary(bytewise), whole);
});

Deno.test("decoder: random chunkings give the same messages (property)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 6 }),
      fc.array(fc.nat({ max: 300 }), { maxLength: 20 }),
      (payloads, cuts) => {
        const stream = concat(...payloads.map((p, i) => frameMessage(MAGIC, `m${i}`, p)));
        const d = new MessageDecoder(MAGIC);
        const got: DecoderEvent[] = [];
        let pos = 0;
        for (const c of cuts) {
          got.push(...d.push(stream.subarray(pos, pos + c)));
          pos = Math.min(stream.length, pos + c);
        }
        got.push(...d.push(stream.subarray(pos)));
        assertEquals(summary(got), payloads.map((p, i) => `m${i}:${Array.from(p).join(",")}`));
        assertEquals(d.buffered, 0);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("decoder: random bytes never throw and never buffer more than one message (property)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 10 }),
      fc.boolean(),
      (chunks, magicFirst) => {
        const d = new MessageDecoder(MAGIC);
        if (magicFirst) d.push(MAGIC);
        for (const c of chunks) {
          const events = d.push(c);
          for (const e of events) if (e.kind === "error") assert(typeof e.error.message === "string");
          assert(d.allocated <= 24 + 256 * 1024);
        }
      },
    ),
    { numRuns: 2000 },
  );
});

Deno.test("decoder: bad magic is fatal; nothing is decoded after it", () => {
  const d = new MessageDecoder(MAGIC);
  const good = frameMessage(MAGIC, "verack", new Uint8Array(0));
  const bad = frameMessage(Uint8Array.of(0xf9, 0xbe, 0xb4, 0xd9), "verack", new Uint8Array(0));
  const events = d.push(concat(good, bad, good));
  assertEquals(summary(events), ["verack:", "error:bad-magic"]);
  const e = events[1];
  assert(e.kind === "error" && e.error.fatal);
  assertEquals(e.error.message, "Header error: Wrong MessageStart f9beb4d9 received");
  assertEquals(d.push(good), []);
  assert(d.failed !== undefined);
});

Deno.test("decoder: a declared length over 4,000,000 is fatal before any payload is read or allocated", () => {
  const h = frameMessage(MAGIC, "block", new Uint8Array(0)).slice(0, 24);
  const n = MAX_PROTOCOL_MESSAGE_LENGTH + 1;
  h[16] = n & 0xff;
  h[17] = (n >> 8) & 0xff;
  h[18] = (n >> 16) & 0xff;
  h[19] = n >>> 24;
  const d = new MessageDecoder(MAGIC);
  const events = d.push(h);
  assertEquals(summary(events), ["error:oversized"]);
  const e = events[0];
  assert(e.kind === "error" && e.error.fatal);
  assertEquals(e.error.message, "Header error: Size too large (block, 4000001 bytes)");
  assertEquals(d.allocated, 24);
});

Deno.test("decoder: exactly 4,000,000 bytes pass, allocated as the data arrives", () => {
  const payload = new Uint8Array(MAX_PROTOCOL_MESSAGE_LENGTH).fill(7);
  const f = frameMessage(MAGIC, "block", payload);
  const d = new MessageDecoder(MAGIC);
  assertEquals(d.push(f.subarray(0, 24 + 1000)), []);
  assert(d.allocated < 24 + 300 * 1024, `allocated ${d.allocated}`);
  const events = d.push(f.subarray(24 + 1000));
  assertEquals(events.length, 1);
  assert(events[0].kind === "message" && events[0].payload.length === MAX_PROTOCOL_MESSAGE_LENGTH);
  assertEquals(events[0].rawSize, MAX_PROTOCOL_MESSAGE_LENGTH + 24);
});

Deno.test("decoder: bad checksum and bad command drop only that message", () => {
  const bad = frameMessage(MAGIC, "ping", Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
  bad[20] ^= 0xff;
  const badCmd = frameMessage(MAGIC, "ping", new Uint8Array(0));
  badCmd[9] = 0x01; // "ping\0\x01..." : data after the NUL
  const good = frameMessage(MAGIC, "verack", new Uint8Array(0));
  const d = new MessageDecoder(MAGIC);
  const events = d.push(concat(bad, good, badCmd, good));
  assertEquals(summary(events), ["error:bad-checksum", "verack:", "error:bad-command", "verack:"]);
  const e = events[0];
  assert(e.kind === "error" && !e.error.fatal);
  assert(
    e.error.message.startsWith("Header error: Wrong checksum (ping, 8 bytes), expected "),
    e.error.message,
  );
  const c = events[2];
  assert(c.kind === "error" && c.error.message === "Header error: Invalid message type (ping, 0 bytes)");
  assertEquals(d.failed, undefined);
});
