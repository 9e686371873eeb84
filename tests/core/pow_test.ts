import { assert, assertEquals, assertThrows } from "../assert.ts";
import { chainParams, COIN, MAX_MONEY } from "../../core/chain_params.ts";
import {
  allowsMinDifficultyBlock,
  blockProof,
  blockProofEquivalentTime,
  calculateNextWorkRequired,
  checkProofOfWork,
  checkTimewarp,
  deriveTarget,
  getBlockSubsidy,
  getCompact,
  getDifficulty,
  getNextWorkRequired,
  hashToBigInt,
  lastNonMinDifficultyBits,
  permittedDifficultyTransition,
  type PowBlock,
  setCompact,
} from "../../core/pow.ts";

const main = chainParams("main").consensus;
const testnet = chainParams("test").consensus;
const testnet4 = chainParams("testnet4").consensus;
const regtest = chainParams("regtest").consensus;

/** A 256-bit number as a 32-byte hash in internal (little-endian) order (Core's ArithToUint256). */
function toHash(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}
const hex64 = (n: bigint) => n.toString(16).padStart(64, "0");

// arith_uint256_tests bignum_SetCompact: [compact, target hex (display), GetCompact(negative?), negative, overflow]
const SET_COMPACT: [number, string, number | undefined, boolean, boolean][] = [
  [0, "0", 0, false, false],
  [0x00123456, "0", 0, false, false],
  [0x01003456, "0", 0, false, false],
  [0x02000056, "0", 0, false, false],
  [0x03000000, "0", 0, false, false],
  [0x04000000, "0", 0, false, false],
  [0x00923456, "0", 0, false, false],
  [0x01803456, "0", 0, false, false],
  [0x02800056, "0", 0, false, false],
  [0x03800000, "0", 0, false, false],
  [0x04800000, "0", 0, false, false],
  [0x01123456, "12", 0x01120000, false, false],
  [0x01fedcba, "7e", 0x01fe0000, true, false],
  [0x02123456, "1234", 0x02123400, false, false],
  [0x03123456, "123456", 0x03123456, false, false],
  [0x04123456, "12345600", 0x04123456, false, false],
  [0x04923456, "12345600", 0x04923456, true, false],
  [0x05009234, "92340000", 0x05009234, false, false],
  [0x20123456, "1234560000000000000000000000000000000000000000000000000000000000", 0x20123456, false, false],
  [0xff123456, "", undefined, false, true],
];

Deno.test("setCompact / getCompact: Core's arith_uint256 bignum_SetCompact cases", async (t) => {
  for (const [bits, targetHex, compact, negative, overflow] of SET_COMPACT) {
    await t.step(`0x${bits.toString(16).padStart(8, "0")}`, () => {
      const r = setCompact(bits);
      assertEquals([r.negative, r.overflow], [negative, overflow]);
      if (targetHex !== "") assertEquals(r.target, BigInt("0x" + targetHex));
      if (compact !== undefined) assertEquals(getCompact(r.target, negative), compact);
    });
  }
  // "Make sure that we don't generate compacts with the 0x00800000 bit set"
  assertEquals(getCompact(0x80n), 0x02008000);
  // Round trip of the limits, and the largest value.
  assertEquals(getCompact(main.powLimit), 0x1d00ffff);
  assertEquals(getCompact(regtest.powLimit), 0x207fffff);
  assertEquals(getCompact((1n << 256n) - 1n), 0x2100ffff);
  assertThrows(() => getCompact(1n << 256n), "not 256-bit");
  assertThrows(() => getCompact(-1n), "not 256-bit");
});

Deno.test("calculateNextWorkRequired: Core's pow_tests retarget cases, with PermittedDifficultyTransition", async (t) => {
  const cases = [
    {
      name: "get_next_work",
      first: 1261130161,
      height: 32255,
      time: 1262152739,
      bits: 0x1d00ffff,
      expected: 0x1d00d86a,
    },
    {
      name: "pow_limit",
      first: 1231006505,
      height: 2015,
      time: 1233061996,
      bits: 0x1d00ffff,
      expected: 0x1d00ffff,
    },
    {
      name: "lower_limit_actual",
      first: 1279008237,
      height: 68543,
      time: 1279297671,
      bits: 0x1c05a3f4,
      expected: 0x1c0168fd,
    },
    {
      name: "upper_limit_actual",
      first: 1263163443,
      height: 46367,
      time: 1269211443,
      bits: 0x1c387f6f,
      expected: 0x1d00e1fd,
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const bits = calculateNextWorkRequired(
        { lastBits: c.bits, lastBlockTime: c.time, firstBlockTime: c.first },
        main,
      );
      assertEquals(bits, c.expected);
      assert(permittedDifficultyTransition(main, c.height + 1, { oldBits: c.bits, newBits: c.expected }));
    });
  }
  assert(!permittedDifficultyTransition(main, 68544, { oldBits: 0x1c05a3f4, newBits: 0x1c0168fd - 1 }));
  assert(!permittedDifficultyTransition(main, 46368, { oldBits: 0x1c387f6f, newBits: 0x1d00e1fd + 1 }));
  // Between retargets the bits must not change; networks with min-difficulty blocks allow anything.
  assert(permittedDifficultyTransition(main, 100, { oldBits: 0x1d00ffff, newBits: 0x1d00ffff }));
  assert(!permittedDifficultyTransition(main, 100, { oldBits: 0x1d00ffff, newBits: 0x1d00fffe }));
  assert(permittedDifficultyTransition(testnet, 100, { oldBits: 0x1c05a3f4, newBits: 0x1d00ffff }));
});

Deno.test("checkProofOfWork: Core's pow_tests cases", () => {
  const one = toHash(1n);
  assert(!checkProofOfWork(one, getCompact(main.powLimit, true), main), "negative target");
  assert(!checkProofOfWork(one, ~0x00800000 >>> 0, main), "overflowing target");
  assert(!checkProofOfWork(one, getCompact(main.powLimit * 2n), main), "target easier than the limit");
  assert(!checkProofOfWork(toHash(main.powLimit * 2n), getCompact(main.powLimit), main), "hash above target");
  assert(!checkProofOfWork(toHash(0n), getCompact(0n), main), "zero target");
  assert(checkProofOfWork(toHash(0xffffn << 208n), 0x1d00ffff, main)); // hash equal to the target
  assert(!checkProofOfWork(toHash((0xffffn << 208n) + 1n), 0x1d00ffff, main));
  // The real genesis blocks meet their own targets.
  for (const net of ["main", "test", "testnet4", "signet", "regtest"] as const) {
    const p = chainParams(net);
    const hash = toHash(BigInt("0x" + p.consensus.hashGenesisBlock));
    assert(checkProofOfWork(hash, p.genesis.header.bits, p.consensus), net);
  }
  assertEquals(deriveTarget(0x1d00ffff, main.powLimit), 0xffffn << 208n);
  assertEquals(deriveTarget(0x1d01ffff, main.powLimit), undefined); // easier than the limit
  assertEquals(hashToBigInt(toHash(12345n)), 12345n);
  assertThrows(() => hashToBigInt(new Uint8Array(31)), "length is 31");
});

Deno.test("blockProof and the regtest values Core reported (getblockchaininfo)", () => {
  assertEquals(blockProof(0x207fffff), 2n); // regtest genesis chainwork ...02
  assertEquals(blockProof(0x1d00ffff), 0x100010001n);
  assertEquals(blockProof(0), 0n);
  assertEquals(blockProof(0x04923456), 0n); // negative
  assertEquals(blockProof(0xff123456), 0n); // overflow
  assertEquals(hex64(deriveTarget(0x207fffff, regtest.powLimit)!), "7fffff" + "0".repeat(58));
  // Core prints doubles with 16 significant digits.
  assertEquals(Number(getDifficulty(0x207fffff).toPrecision(16)), 4.656542373906925e-10);
  assertEquals(getDifficulty(0x1d00ffff), 1);
});

Deno.test("blockProofEquivalentTime: Core's GetBlockProofEquivalentTime_test", () => {
  const n = 10000;
  const work: bigint[] = [0n];
  for (let i = 1; i < n; i++) work.push(work[i - 1] + blockProof(0x207fffff));
  const time = (i: number) => 1269211443 + i * main.powTargetSpacing;
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let j = 0; j < 1000; j++) {
    const [p1, p2, p3] = [rand(), rand(), rand()];
    const t = blockProofEquivalentTime({ toWork: work[p1], fromWork: work[p2], tipBits: 0x207fffff }, main);
    assertEquals(t, time(p1) - time(p2), `${p1} ${p2} ${p3}`);
  }
  const huge = blockProofEquivalentTime({ toWork: 1n << 200n, fromWork: 0n, tipBits: 0x207fffff }, main);
  assertEquals(huge, Number(0x7fffffffffffffffn));
});

/** A chain of blocks for the retarget walk: heights 0..n-1 with the given bits and times. */
function chain(blocks: PowBlock[]): (h: number) => PowBlock {
  return (h) => {
    const b = blocks[h];
    if (b === undefined || b.height !== h) throw new Error(`no block at ${h}`);
    return b;
  };
}

Deno.test("getNextWorkRequired: mainnet keeps the bits between retargets and retargets at the boundary", () => {
  const blocks: PowBlock[] = [];
  for (let h = 0; h < 2016; h++) blocks.push({ height: h, time: 1231006505 + h * 300, bits: 0x1d00ffff });
  const at = chain(blocks);
  assertEquals(getNextWorkRequired(blocks[100], blocks[100].time + 10_000, main, at), 0x1d00ffff);
  // Blocks twice as fast: the target halves.
  const next = getNextWorkRequired(blocks[2015], blocks[2015].time + 300, main, at);
  assertEquals(next, getCompact((setCompact(0x1d00ffff).target * BigInt(2015 * 300)) / 1209600n));
  assertEquals(next, 0x1c7fef3f); // (0xffff << 208) * 604500 / 1209600, computed independently
});

Deno.test("testnet 20-minute rule: min difficulty after 2 × spacing, otherwise the last real difficulty", () => {
  const limitBits = getCompact(testnet.powLimit);
  const real = 0x1c0ffff0;
  const base = 1_600_000_000;
  // Heights 2016..2020: 2016 retargeted to `real`, 2017 real, 2018 and 2019 min-difficulty, 2020 real again.
  const blocks: PowBlock[] = [];
  for (let h = 0; h < 2016; h++) blocks.push({ height: h, time: base - (2016 - h) * 600, bits: real });
  blocks.push({ height: 2016, time: base, bits: real });
  blocks.push({ height: 2017, time: base + 600, bits: real });
  blocks.push({ height: 2018, time: base + 600 + 1201, bits: limitBits });
  blocks.push({ height: 2019, time: base + 600 + 2402, bits: limitBits });
  const at = chain(blocks);
  const last = blocks[2019];
  // More than 20 minutes later: must be a min-difficulty block.
  assert(allowsMinDifficultyBlock(last.time + 1201, last.time, testnet));
  assertEquals(getNextWorkRequired(last, last.time + 1201, testnet, at), limitBits);
  // Exactly 20 minutes is not "more than".
  assert(!allowsMinDifficultyBlock(last.time + 1200, last.time, testnet));
  // Otherwise: the bits of the last block that was not a min-difficulty block (walks back over 2019, 2018).
  assertEquals(getNextWorkRequired(last, last.time + 1200, testnet, at), real);
  assertEquals(lastNonMinDifficultyBits(last, testnet, at), real);
  // The walk stops at a retarget boundary even if that block had the minimum difficulty.
  const boundary: PowBlock[] = blocks.slice(0, 2016);
  boundary.push({ height: 2016, time: base, bits: limitBits }, {
    height: 2017,
    time: base + 1300,
    bits: limitBits,
  });
  assertEquals(lastNonMinDifficultyBits(boundary[2017], testnet, chain(boundary)), limitBits);
  // Mainnet has no such rule.
  assert(!allowsMinDifficultyBlock(last.time + 100_000, last.time, main));
  assertEquals(getNextWorkRequired(blocks[2017], blocks[2017].time + 100_000, main, at), real);
});

Deno.test("testnet4 (BIP94): retarget from the period's first block, so min-difficulty blocks do not lower it", () => {
  const limitBits = getCompact(testnet4.powLimit);
  const real = 0x1c0ffff0;
  const start = 1_714_777_860;
  // A period of 2016 blocks at exactly the target spacing whose last block used the 20-minute rule.
  const blocks: PowBlock[] = [];
  for (let h = 0; h < 2016; h++) {
    blocks.push({ height: h, time: start + h * 600, bits: h === 2015 ? limitBits : real });
  }
  const last = blocks[2015];
  const actual = last.time - blocks[0].time;
  const bip94 = getNextWorkRequired(last, last.time + 600, testnet4, chain(blocks));
  assertEquals(bip94, getCompact((setCompact(real).target * BigInt(actual)) / 1209600n));
  // Testnet3's rule scales the last block's (minimum) target instead: nearly the limit.
  const v3 = getNextWorkRequired(last, last.time + 600, testnet, chain(blocks));
  assertEquals(v3, getCompact((setCompact(limitBits).target * BigInt(actual)) / 1209600n));
  assertEquals(v3, 0x1d00ffde);
  assert(setCompact(v3).target > setCompact(bip94).target * 15n);
  assertThrows(
    () => calculateNextWorkRequired({ lastBits: real, lastBlockTime: 2, firstBlockTime: 1 }, testnet4),
    "without firstBits",
  );
  // The timewarp rule: the first block of a period may be at most 600 s before its predecessor.
  assert(checkTimewarp({ height: 2016, time: last.time - 600 }, last.time, testnet4));
  assert(!checkTimewarp({ height: 2016, time: last.time - 601 }, last.time, testnet4));
  assert(checkTimewarp({ height: 2017, time: last.time - 10_000 }, last.time, testnet4));
  assert(checkTimewarp({ height: 2016, time: last.time - 10_000 }, last.time, testnet));
  const regtest94 = chainParams("regtest", { enforceBIP94: true }).consensus;
  assert(!checkTimewarp({ height: 144, time: 1000 }, 1601, regtest94));
});

Deno.test("regtest never retargets", () => {
  const blocks: PowBlock[] = [];
  for (let h = 0; h < 144; h++) blocks.push({ height: h, time: 1296688602 + h, bits: 0x207fffff });
  assertEquals(getNextWorkRequired(blocks[143], blocks[143].time + 1, regtest, chain(blocks)), 0x207fffff);
  assertEquals(
    calculateNextWorkRequired({ lastBits: 0x1d00ffff, lastBlockTime: 10, firstBlockTime: 0 }, regtest),
    0x1d00ffff,
  );
});

Deno.test("getBlockSubsidy: Core's block_subsidy_test halvings (main, regtest 150, 1000) and subsidy_limit_test", async (t) => {
  for (const interval of [210000, 150, 1000]) {
    await t.step(`interval ${interval}`, () => {
      const params = { subsidyHalvingInterval: interval };
      let previous = 100n * COIN;
      for (let halvings = 0; halvings < 64; halvings++) {
        const subsidy = getBlockSubsidy(halvings * interval, params);
        assert(subsidy <= 50n * COIN);
        assertEquals(subsidy, previous / 2n);
        previous = subsidy;
      }
      assertEquals(getBlockSubsidy(64 * interval, params), 0n);
    });
  }
  let sum = 0n;
  for (let h = 0; h < 14_000_000; h += 1000) {
    const subsidy = getBlockSubsidy(h, main);
    assert(subsidy <= 50n * COIN);
    sum += subsidy * 1000n;
    assert(sum >= 0n && sum <= MAX_MONEY);
  }
  assertEquals(sum, 2099999997690000n);
  // Regtest halves every 150 blocks.
  assertEquals(getBlockSubsidy(149, regtest), 5_000_000_000n);
  assertEquals(getBlockSubsidy(150, regtest), 2_500_000_000n);
  assertEquals(getBlockSubsidy(300, regtest), 1_250_000_000n);
  assertEquals(getBlockSubsidy(209999, main), 5_000_000_000n);
  assertEquals(getBlockSubsidy(210000, main), 2_500_000_000n);
});
