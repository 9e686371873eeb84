/**
 * The low-work headers sync state machine (Core's HeadersSyncState) as a pure unit: commitments kept in
 * PRESYNC, the switch to REDOWNLOAD at the work threshold, headers released only after redownload (a buffer
 * behind, then all once the work is reached), and failures: a different chain on redownload, non-continuous
 * headers, too many commitments for the time elapsed.
 */
import { assert, assertEquals } from "../assert.ts";
import { chainParams } from "../../core/chain_params.ts";
import { blockProof } from "../../core/pow.ts";
import { blockHash } from "../../core/wire/block.ts";
import type { BlockHeader } from "../../core/wire/types.ts";
import { type HeadersSyncStart, HeadersSyncState, MAX_FUTURE_BLOCK_TIME_S } from "../../net/headers_sync.ts";

const POW = chainParams("regtest").consensus;
const BITS = 0x207fffff;
const PROOF = blockProof(BITS);
const START_HEADER: BlockHeader = {
  version: 4,
  prevBlock: new Uint8Array(32),
  merkleRoot: new Uint8Array(32),
  time: 1_700_000_000,
  bits: BITS,
  nonce: 0,
};
const START: HeadersSyncStart = {
  hash: blockHash(START_HEADER),
  height: 10,
  chainWork: 11n * PROOF,
  header: START_HEADER,
  medianTimePast: START_HEADER.time,
};

/** A chain of `n` headers after START (`variant` changes every header's nonce: another chain). */
function chain(n: number, variant = 0): BlockHeader[] {
  const out: BlockHeader[] = [];
  let prev = START.hash;
  for (let i = 0; i < n; i++) {
    const h: BlockHeader = {
      version: 4,
      prevBlock: prev,
      merkleRoot: new Uint8Array(32),
      time: START_HEADER.time + 600 * (i + 1),
      bits: BITS,
      nonce: i * 1000 + variant,
    };
    out.push(h);
    prev = blockHash(h);
  }
  return out;
}

function sync(minHeaders: number, opts: { period?: number; buffer?: number; now?: number } = {}) {
  const log: string[] = [];
  const state = new HeadersSyncState({
    peer: 7,
    pow: POW,
    params: { commitmentPeriod: opts.period ?? 5, redownloadBufferSize: opts.buffer ?? 30 },
    chainStart: START,
    minimumWork: START.chainWork + BigInt(minHeaders) * PROOF,
    now: opts.now ?? START_HEADER.time + 100_000,
    commitOffset: 0,
    salt: { k0: 0x0123456789abcdefn, k1: 0xfedcba9876543210n },
    log: (m) => log.push(m),
  });
  return { state, log };
}

Deno.test("headers sync: presync keeps only commitments, nothing is released", () => {
  const { state, log } = sync(1000);
  const headers = chain(100);
  const r = state.processNextHeaders(headers, true);
  assertEquals([r.success, r.requestMore, r.powValidatedHeaders.length], [true, true, 0]);
  assertEquals(state.phase(), "presync");
  assertEquals(state.presyncHeight, 110);
  assertEquals(state.commitmentCount, 20, "one per 5 heights");
  assertEquals(state.presyncWork, START.chainWork + 100n * PROOF);
  assertEquals(state.presyncTime, headers[99].time);
  const locator = state.nextHeadersRequestLocator([START.hash]);
  assertEquals(locator, [blockHash(headers[99]), START.hash]);
  assert(log[0].startsWith("Initial headers sync started with peer=7: height=10"));

  // A short message ends the low-work chain: the sync is over, still nothing stored.
  const short = state.processNextHeaders(chain(110).slice(100), false);
  assertEquals([short.success, short.requestMore, state.phase()], [true, false, "final"]);
  assert(log.at(-1)!.includes("incomplete headers message at height=120 (presync phase)"));
});

Deno.test("headers sync: the same chain redownloaded is released, a buffer behind, then all", () => {
  const { state, log } = sync(150);
  const headers = chain(200);
  assertEquals(state.processNextHeaders(headers.slice(0, 100), true).requestMore, true);
  const t = state.processNextHeaders(headers.slice(100, 200), true);
  assertEquals([t.success, t.requestMore, t.powValidatedHeaders.length], [true, true, 0]);
  assertEquals(state.phase(), "redownload");
  assert(log.some((m) => m.includes("reached sufficient work at height=210, redownloading from height=10")));
  assertEquals(state.nextHeadersRequestLocator([START.hash]), [START.hash, START.hash]);

  const first = state.processNextHeaders(headers.slice(0, 100), true);
  assertEquals([first.success, first.requestMore], [true, true]);
  assertEquals(first.powValidatedHeaders, headers.slice(0, 70), "30 kept back");
  assertEquals(state.nextHeadersRequestLocator([START.hash])[0], blockHash(headers[99]));
  const rest = state.processNextHeaders(headers.slice(100, 200), true);
  assertEquals([rest.success, rest.requestMore], [true, false]);
  assertEquals(rest.powValidatedHeaders, headers.slice(70, 200), "all once the work is reached");
  assertEquals(state.phase(), "final");
  assert(log.at(-1)!.includes("Initial headers sync complete with peer=7: releasing all at height=210"));
});

Deno.test("headers sync: another chain on redownload fails on a commitment", () => {
  const { state, log } = sync(150);
  const honest = chain(200);
  state.processNextHeaders(honest.slice(0, 100), true);
  state.processNextHeaders(honest.slice(100, 200), true);
  assertEquals(state.phase(), "redownload");
  const other = chain(200, 1);
  const r1 = state.processNextHeaders(other.slice(0, 100), true);
  const r = r1.success ? state.processNextHeaders(other.slice(100, 200), true) : r1;
  assertEquals(r.success, false);
  assertEquals(r.powValidatedHeaders, []);
  assertEquals(state.phase(), "final");
  assert(log.some((m) => m.includes("commitment mismatch")), log.at(-1));
  // Nothing of the other chain was released before the mismatch beyond the buffer.
  if (r1.success) assert(r1.powValidatedHeaders.length <= 70);
});

Deno.test("headers sync: non-continuous headers and too many commitments abort", () => {
  const a = sync(1000);
  const headers = chain(100);
  const r = a.state.processNextHeaders(headers.slice(1), true);
  assertEquals([r.success, a.state.phase()], [false, "final"]);
  assert(a.log.at(-1)!.includes("non-continuous headers at height=10 (presync phase)"));

  // 10 s since the start's median time past: at most 6 * (10 + 7200) / 5 commitments.
  const now = START.medianTimePast + 10 - MAX_FUTURE_BLOCK_TIME_S;
  const b = sync(100_000, { now });
  const max = Math.floor(6 * 10 / 5);
  const rb = b.state.processNextHeaders(chain(100), true);
  assertEquals(rb.success, false);
  assert(b.log.at(-1)!.includes(`exceeded max commitments at height=${10 + 5 * (max + 1)}`), b.log.at(-1));
});
