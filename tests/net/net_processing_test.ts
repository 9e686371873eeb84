import { assertEquals } from "../assert.ts";
import { ancestorAt, lastCommonAncestor, roundFeeFilter } from "../../net/net_processing.ts";
import type { BlockIndexEntry } from "../../node/chain/types.ts";

Deno.test("net_processing: fee filters round to Core's buckets", () => {
  // The maximum (MAX_MONEY) rounds to the last bucket, as Core's tests expect (0.09936506 BTC/kvB).
  assertEquals(roundFeeFilter(2_100_000_000_000_000n), 9_936_506n);
  // Otherwise the bucket at or above (one time in three) or the one below.
  assertEquals(roundFeeFilter(1000n, () => 0), 1055n);
  assertEquals(roundFeeFilter(1000n, () => 0.5), 959n);
  assertEquals(roundFeeFilter(0n, () => 0.9), 0n);
  assertEquals(roundFeeFilter(50n, () => 0), 50n);
});

function chain(n: number, from: BlockIndexEntry | null = null, tag = "a"): BlockIndexEntry[] {
  const out: BlockIndexEntry[] = [];
  let prev = from;
  for (let i = 0; i < n; i++) {
    const height = prev === null ? 0 : prev.height + 1;
    const e = { height, prev, hashHex: `${tag}${height}` } as unknown as BlockIndexEntry;
    out.push(e);
    prev = e;
  }
  return out;
}

Deno.test("net_processing: ancestors and the last common ancestor of two branches", () => {
  const main = chain(10);
  const fork = chain(5, main[6], "b"); // heights 7..11
  assertEquals(ancestorAt(main[9], 3), main[3]);
  assertEquals(ancestorAt(main[3], 9), null);
  assertEquals(lastCommonAncestor(main[9], fork[4]), main[6]);
  assertEquals(lastCommonAncestor(fork[0], main[2]), main[2]);
  assertEquals(lastCommonAncestor(main[5], main[5]), main[5]);
});
