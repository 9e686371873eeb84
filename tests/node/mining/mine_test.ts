/** Nonce grinding and generateBlocks (Core's GenerateBlock / generateBlocks). */
import { createNewBlock } from "../../../node/mining/block_assembler.ts";
import { GENERATE_YIELD_MS, generateBlocks, grindBlock } from "../../../node/mining/mine.ts";
import { reverseHex } from "../../../core/hash/hashes.ts";
import { blockHash } from "../../../core/wire/block.ts";
import { checkProofOfWork } from "../../../core/pow.ts";
import { assertEquals } from "../../assert.ts";
import { FakeChain } from "./fake_chain.ts";

const OP_TRUE = Uint8Array.of(0x51);

Deno.test("grindBlock: out of tries, and generateBlocks stops without error", async () => {
  const chain = new FakeChain();
  const t = await createNewBlock(chain, { coinbaseOutputScript: OP_TRUE, now: () => 1700000000 });
  // A target no hash meets within one try (bits with a tiny target) runs out.
  const hard = { ...t.block, header: { ...t.block.header, bits: 0x03000001 } };
  assertEquals(grindBlock(hard, 5), { found: false, triesLeft: 0 });
  assertEquals(await generateBlocks(chain, { count: 5, coinbaseOutputScript: OP_TRUE, maxTries: 0 }), []);
  assertEquals(chain.height(), 0);
  const h = await generateBlocks(chain, { count: 3, coinbaseOutputScript: OP_TRUE, now: () => 1700000000 });
  assertEquals(h.length, 3);
  assertEquals(h[2], reverseHex(blockHash(chain.tip().header)));
});

Deno.test("generateBlocks lets the event loop run during a long batch", async () => {
  const chain = new FakeChain();
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  try {
    const started = performance.now();
    const yieldMs = 5;
    const h = await generateBlocks(chain, {
      count: 300,
      coinbaseOutputScript: OP_TRUE,
      now: () => 1700000000,
      yieldMs,
    });
    assertEquals(h.length, 300);
    // A batch longer than the yield interval must have let timers fire in between.
    if (performance.now() - started > 3 * yieldMs) assertEquals(ticks > 0, true);
    assertEquals(GENERATE_YIELD_MS, 100);
  } finally {
    clearInterval(timer);
  }
});

Deno.test("grindBlock returns the solved header's hash, which meets the target", async () => {
  const chain = new FakeChain();
  const t = await createNewBlock(chain, { coinbaseOutputScript: OP_TRUE, now: () => 1700000000 });
  for (const bits of [0x207fffff, 0x200fffff, 0x1f0fffff]) {
    const r = grindBlock({ ...t.block, header: { ...t.block.header, bits } }, 10_000_000);
    if (!r.found) throw new Error("not found");
    assertEquals(reverseHex(r.hash), reverseHex(blockHash(r.block.header)));
    assertEquals(checkProofOfWork(r.hash, bits, { powLimit: (1n << 255n) - 1n }), true);
    // The nonce before it did not meet the target (grinding stops at the first that does).
    if (r.block.header.nonce > 0) {
      const before = blockHash({ ...r.block.header, nonce: r.block.header.nonce - 1 });
      assertEquals(checkProofOfWork(before, bits, { powLimit: (1n << 255n) - 1n }), false);
    }
  }
});
