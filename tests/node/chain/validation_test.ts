import { assert, assertEquals } from "../../assert.ts";
import { chainParams } from "../../../core/chain_params.ts";
import type { BlockHeader, Transaction } from "../../../core/wire/types.ts";
import { IndexEntry } from "../../../node/chain/block_index.ts";
import { lastNonMinDifficultyBits } from "../../../core/pow.ts";
import {
  contextualCheckBlockHeader,
  isFinalTx,
  lastNonMinDifficultyBitsOf,
  nextWorkRequired,
  sequenceLocksSatisfied,
} from "../../../node/chain/validation.ts";

const params = chainParams("regtest", { activationHeights: { bip34: 3, dersig: 5, cltv: 7 } });

function chain(n: number): IndexEntry[] {
  const out: IndexEntry[] = [];
  let prev: IndexEntry | null = null;
  for (let i = 0; i < n; i++) {
    const h: BlockHeader = {
      version: 4,
      prevBlock: prev?.hash ?? new Uint8Array(32),
      merkleRoot: new Uint8Array(32),
      time: 1_700_000_000 + i * 600,
      bits: 0x207fffff,
      nonce: i,
    };
    prev = new IndexEntry(h, prev);
    out.push(prev);
  }
  return out;
}

function tx(locktime: number, sequences: number[], version = 2): Transaction {
  return {
    version,
    inputs: sequences.map((sequence, i) => ({
      prevout: { txid: new Uint8Array(32).fill(i + 1), vout: 0 },
      scriptSig: new Uint8Array(0),
      sequence,
      witness: [],
    })),
    outputs: [],
    locktime,
  };
}

Deno.test("validation: version rules follow the BIP34/66/65 heights", () => {
  const entries = chain(10);
  const now = entries[9].header.time + 60;
  const check = (prevHeight: number, version: number) => {
    const prev = entries[prevHeight];
    const h: BlockHeader = { ...prev.header, version, prevBlock: prev.hash, time: prev.header.time + 600 };
    const s = contextualCheckBlockHeader(h, prev, params, now);
    return s.valid ? "ok" : s.reason;
  };
  assertEquals(check(1, 1), "ok"); // height 2 < bip34 height 3
  assertEquals(check(2, 1), "bad-version(0x00000001)");
  assertEquals(check(3, 2), "ok");
  assertEquals(check(4, 2), "bad-version(0x00000002)");
  assertEquals(check(6, 3), "bad-version(0x00000003)");
  assertEquals(check(6, 4), "ok");
  assertEquals(check(6, -1), "bad-version(0xffffffff)");
  assertEquals(nextWorkRequired(entries[5], 0, params), 0x207fffff);
});

Deno.test("validation: header time rules (median time past, two hours ahead)", () => {
  const entries = chain(20);
  const prev = entries[19];
  const base: BlockHeader = { ...prev.header, prevBlock: prev.hash };
  const reason = (time: number, now: number) => {
    const s = contextualCheckBlockHeader({ ...base, time }, prev, params, now);
    return s.valid ? "ok" : s.reason;
  };
  assertEquals(reason(prev.medianTimePast, prev.header.time), "time-too-old");
  assertEquals(reason(prev.medianTimePast + 1, prev.header.time), "ok");
  assertEquals(reason(prev.header.time + 7200, prev.header.time), "ok");
  assertEquals(reason(prev.header.time + 7201, prev.header.time), "time-too-new");
  const s = contextualCheckBlockHeader(
    { ...base, time: prev.header.time + 1, bits: 0x1d00ffff },
    prev,
    params,
    2e9,
  );
  assertEquals(s.valid ? "ok" : s.reason, "bad-diffbits");
});

Deno.test("validation: IsFinalTx", () => {
  assert(isFinalTx(tx(0, [0]), 100, 0));
  assert(isFinalTx(tx(99, [0]), 100, 0));
  assert(!isFinalTx(tx(100, [0]), 100, 0));
  assert(isFinalTx(tx(100, [0xffffffff, 0xffffffff]), 100, 0));
  assert(!isFinalTx(tx(100, [0xffffffff, 0xfffffffe]), 100, 0));
  assert(isFinalTx(tx(500_000_000, [0]), 1, 500_000_001));
  assert(!isFinalTx(tx(500_000_001, [0]), 1, 500_000_001));
});

Deno.test("validation: BIP68 sequence locks by height and by time", () => {
  const entries = chain(30);
  const at = entries[29]; // block at height 29
  const coin = (height: number) => ({
    out: { value: 1n, scriptPubKey: new Uint8Array(0) },
    height,
    coinbase: false,
  });
  // Height lock: coin at 20 with 9 blocks → min height 28 < 29: ok; 10 blocks → 29: not ok.
  assert(sequenceLocksSatisfied(tx(0, [9]), [coin(20)], at));
  assert(!sequenceLocksSatisfied(tx(0, [10]), [coin(20)], at));
  // Disabled flag and version 1 ignore the lock.
  assert(sequenceLocksSatisfied(tx(0, [0x80000000 | 10]), [coin(20)], at));
  assert(sequenceLocksSatisfied(tx(0, [10], 1), [coin(20)], at));
  // Time lock in units of 512 s from the MTP of the block before the coin's.
  const base = entries[19].medianTimePast;
  const prevMtp = entries[28].medianTimePast;
  const units = Math.floor((prevMtp - base) / 512);
  assert(sequenceLocksSatisfied(tx(0, [(1 << 22) | units]), [coin(20)], at));
  assert(!sequenceLocksSatisfied(tx(0, [(1 << 22) | (units + 1)]), [coin(20)], at));
});

Deno.test("validation: the minimum-difficulty walk kept on entries equals Core's walk (testnet rules)", () => {
  const testnet = chainParams("test");
  const c = testnet.consensus;
  const limit = 0x1d00ffff;
  let prev: IndexEntry | null = null;
  const entries: IndexEntry[] = [];
  let x = 7;
  for (let i = 0; i < 4500; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const bits = x % 7 === 0 ? 0x1c0fffff + (x % 5) : limit;
    const h: BlockHeader = {
      version: 4,
      prevBlock: prev?.hash ?? new Uint8Array(32),
      merkleRoot: new Uint8Array(32),
      time: 1_700_000_000 + i * 600,
      bits,
      nonce: i,
    };
    prev = new IndexEntry(h, prev);
    entries.push(prev);
  }
  // Out of order on purpose: cached answers from later entries must not leak into earlier ones.
  const order = entries.map((_, i) => (i * 2654435761) % entries.length);
  for (const i of order) {
    const e = entries[i];
    const core = lastNonMinDifficultyBits(
      { height: e.height, time: e.header.time, bits: e.header.bits },
      c,
      (h) => {
        const a = e.ancestor(h)!;
        return { height: a.height, time: a.header.time, bits: a.header.bits };
      },
    );
    assertEquals(lastNonMinDifficultyBitsOf(e, c), core, `height ${e.height}`);
  }
  // nextWorkRequired takes the same answer (a block 10 minutes after its parent, not at a boundary).
  const tip = entries[3000];
  assertEquals(
    nextWorkRequired(tip, tip.header.time + 600, testnet),
    lastNonMinDifficultyBits({ height: tip.height, time: tip.header.time, bits: tip.header.bits }, c, (h) => {
      const a = tip.ancestor(h)!;
      return { height: a.height, time: a.header.time, bits: a.header.bits };
    }),
  );
  // More than 20 minutes later: the minimum difficulty.
  assertEquals(nextWorkRequired(tip, tip.header.time + 1201, testnet), limit);
});
