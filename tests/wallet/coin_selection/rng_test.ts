/** The injectable rngs: reproducible seeded streams, uniform ranges, shuffles. */
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { cryptoRng, seededRng, shuffle } from "../../../wallet/coin_selection/mod.ts";

Deno.test("rng: seeded streams repeat, ranges are respected and roughly uniform, shuffles permute", () => {
  const a = seededRng(42), b = seededRng(42), c = seededRng(43);
  const draw = (r: ReturnType<typeof seededRng>) => Array.from({ length: 20 }, () => r.randrange(1000));
  const da = draw(a);
  assertEquals(da, draw(b));
  assert(da.join() !== draw(c).join());
  for (const rng of [seededRng(7), cryptoRng()]) {
    const counts = new Array(10).fill(0);
    let trues = 0;
    for (let i = 0; i < 20_000; i++) {
      counts[rng.randrange(10)]++;
      if (rng.randbool()) trues++;
    }
    assert(counts.every((n) => n > 1700 && n < 2300), counts.join());
    assert(trues > 9500 && trues < 10_500);
    const big = rng.randrange(2 ** 40 + 3);
    assert(Number.isInteger(big) && big >= 0 && big < 2 ** 40 + 3);
    assertEquals(rng.randrange(1), 0);
    const items = Array.from({ length: 50 }, (_, i) => i);
    shuffle(items, rng);
    assertEquals([...items].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  }
  assertThrows(() => seededRng(1).randrange(0), "range is 0");
  assertThrows(() => seededRng(1).randrange(1.5), "range is 1.5");
  assertThrows(() => seededRng(0.5), "seed is 0.5");
});

Deno.test("randword is randrange(2^32): the same values and the same stream afterwards, after any draws", () => {
  const a = seededRng(99);
  const b = seededRng(99);
  for (let i = 0; i < 2000; i++) {
    const kind = i % 5;
    if (kind === 0) assertEquals(a.randbool(), b.randbool());
    else if (kind === 1) assertEquals(a.randrange(1000), b.randrange(1000));
    else assertEquals(a.randword!(), b.randrange(2 ** 32));
  }
  assertEquals(a.randrange(2 ** 53), b.randrange(2 ** 53));
});
