import { assert, assertEquals } from "../assert.ts";
import { availableCoins, maxSignedInputSize } from "../../wallet/available_coins.ts";
import { FeeRate } from "../../wallet/coin_selection/mod.ts";
import { FakeWallet } from "./fake_wallet.ts";

const COIN = 100_000_000n;

function wallet() {
  const w = new FakeWallet();
  w.height = 110;
  const s = w.newScript("");
  const cb = w.addTx([{ value: 50n * COIN, scriptPubKey: s }], { state: w.confirmedAt(1, 0) }); // 110 deep
  const young = w.addTx([{ value: 50n * COIN, scriptPubKey: s }], { state: w.confirmedAt(105, 0) }); // immature
  const foreignIn = { txid: new Uint8Array(32).fill(5), vout: 0 };
  const recv = w.addTx(
    [{ value: 2n * COIN, scriptPubKey: w.newScript("") }, { value: 1000n, scriptPubKey: w.newScript("") }],
    { inputs: [foreignIn], state: w.confirmedAt(108) },
  ); // 3 deep
  const pending = w.addTx([{ value: COIN, scriptPubKey: w.newScript("") }], {
    inputs: [{ txid: new Uint8Array(32).fill(6), vout: 0 }],
  }); // foreign, mempool: unsafe
  return { w, cb, young, recv, pending };
}

const values = (coins: { value: bigint }[]) => coins.map((c) => c.value).sort((a, b) => (a < b ? -1 : 1));

Deno.test("availableCoins: safe, mature, unspent by default; sizes, depth and type filled", async () => {
  const { w } = wallet();
  const r = await availableCoins(w);
  assertEquals(values(r.all()), [1000n, 2n * COIN, 50n * COIN]);
  assertEquals(r.totalAmount, 52n * COIN + 1000n);
  const c = r.all().find((c) => c.value === 2n * COIN)!;
  assertEquals([c.depth, c.inputBytes, c.solvable, c.safe, c.fromMe, c.outputType], [
    3,
    68,
    true,
    true,
    false,
    "bech32",
  ]);
  assertEquals(maxSignedInputSize(w, w.foreignScript()), -1);
  assert(!r.all()[0].hasEffectiveValue());
});

Deno.test("availableCoins: unsafe, immature, depth and amount filters (listunspent's)", async () => {
  const { w } = wallet();
  const all = await availableCoins(w, {
    control: { includeUnsafe: true },
    filter: { includeImmatureCoinbase: true, minAmount: 0n },
  });
  assertEquals(values(all.all()), [1000n, COIN, 2n * COIN, 50n * COIN, 50n * COIN]);
  const pending = all.all().find((c) => c.value === COIN)!;
  assertEquals([pending.safe, pending.depth], [false, 0]);
  const deep = await availableCoins(w, { control: { minDepth: 4, maxDepth: 200 } });
  assertEquals(values(deep.all()), [50n * COIN]);
  const shallow = await availableCoins(w, { control: { minDepth: 1, maxDepth: 3 } });
  assertEquals(values(shallow.all()), [1000n, 2n * COIN]);
  const mid = await availableCoins(w, { filter: { minAmount: 1001n, maxAmount: 2n * COIN } });
  assertEquals(values(mid.all()), [2n * COIN]);
  const two = await availableCoins(w, { filter: { maxCount: 2 } });
  assertEquals(two.size, 2);
  const sum = await availableCoins(w, { filter: { minSumAmount: 1n } });
  assertEquals(sum.size, 1);
});

Deno.test("availableCoins: locked and spent outputs, manually selected ones, replaced transactions", async () => {
  const { w, cb, recv } = wallet();
  await w.lockCoin(w.outpoint(recv, 0), false);
  assertEquals(values((await availableCoins(w)).all()), [1000n, 50n * COIN]);
  assertEquals((await availableCoins(w, { filter: { skipLocked: false } })).size, 3);
  const r = await availableCoins(w);
  const key = r.all().find((c) => c.value === 1000n)!.key;
  assertEquals(values((await availableCoins(w, { control: { selected: new Set([key]) } })).all()), [
    50n * COIN,
  ]);
  // Spending the coinbase (in the mempool) removes it; its change is from me and trusted.
  const change = w.addTx([{ value: 49n * COIN, scriptPubKey: w.newScript() }], {
    inputs: [w.outpoint(cb, 0)],
  });
  const after = await availableCoins(w);
  assertEquals(values(after.all()), [1000n, 49n * COIN]);
  const c = after.all().find((c) => c.value === 49n * COIN)!;
  assertEquals([c.fromMe, c.safe, c.depth], [true, true, 0]);
  // A replacement's outputs are unsafe while unconfirmed.
  change.mapValue["replaces_txid"] = "00".repeat(32);
  assertEquals(values((await availableCoins(w)).all()), [1000n]);
});

Deno.test("availableCoins: feerate gives effective values; ancestry only when asked", async () => {
  const { w, cb } = wallet();
  const child = w.addTx([{ value: 49n * COIN, scriptPubKey: w.newScript() }], {
    inputs: [w.outpoint(cb, 0)],
  });
  w.chainState.ancestry.set(child.txid, {
    ancestors: 2,
    clusterCount: 3,
    ancestorSize: 300,
    ancestorFees: 500n,
  });
  const r = await availableCoins(w, { feerate: FeeRate.fromSatPerKvB(1000n) });
  const c = r.all().find((c) => c.value === 49n * COIN)!;
  assertEquals([c.fee, c.effectiveValue, c.ancestors], [68n, 49n * COIN - 68n, 0]);
  assertEquals(w.chainState.calls.get("getTransactionAncestry") ?? 0, 0);
  const withAnc = await availableCoins(w, { withAncestry: true });
  const d = withAnc.all().find((c) => c.value === 49n * COIN)!;
  assertEquals([d.ancestors, d.clusterCount], [2, 3]);
  assertEquals(w.chainState.calls.get("getTransactionAncestry"), 1);
});

Deno.test("availableCoins: avoid_reuse skips dirty outputs unless the coin control allows them", async () => {
  const { w, recv } = wallet();
  w.flags.add("avoid_reuse");
  const s = recv.tx.outputs[0].scriptPubKey;
  w.addTx([{ value: COIN, scriptPubKey: w.foreignScript() }], {
    inputs: [w.outpoint(recv, 0)],
    state: w.confirmedAt(109),
  });
  w.addTx([{ value: 3n * COIN, scriptPubKey: s }], {
    inputs: [{ txid: new Uint8Array(32).fill(8), vout: 0 }],
    state: w.confirmedAt(109, 2),
  });
  assert(!(await availableCoins(w)).all().some((c) => c.value === 3n * COIN));
  assert((await availableCoins(w, { control: {} })).all().some((c) => c.value === 3n * COIN));
  assert(
    !(await availableCoins(w, { control: { avoidAddressReuse: true } })).all().some((c) =>
      c.value === 3n * COIN
    ),
  );
});

Deno.test("availableCoins: TRUC rules for unconfirmed version 3 outputs", async () => {
  const { w, cb } = wallet();
  w.addTx([{ value: 49n * COIN, scriptPubKey: w.newScript() }], { inputs: [w.outpoint(cb, 0)], version: 3 });
  assert(!(await availableCoins(w)).all().some((c) => c.value === 49n * COIN));
  const v3 = await availableCoins(w, { control: { version: 3 } });
  assertEquals(values(v3.all()), [1000n, 2n * COIN, 49n * COIN]);
  // listunspent does not check TRUC-ness.
  assert(
    (await availableCoins(w, { filter: { checkVersionTrucness: false } })).all().some((c) =>
      c.value === 49n * COIN
    ),
  );
});
