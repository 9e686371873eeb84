/** Coins (Core's COutput): effective values as in Core's effective_value_test, bump fees, validation, outpoints. */
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { FeeRate } from "../../../node/policy/feerate.ts";
import { Coin, compareOutpoints, outpointKey } from "../../../wallet/coin_selection/mod.ts";
import { nextTxid } from "./helpers.ts";

Deno.test("coin: effective values (Core's effective_value_test)", () => {
  const base = {
    outpoint: { txid: nextTxid(), vout: 0 },
    txout: { value: 10_000n, scriptPubKey: new Uint8Array() },
  };
  const at1 = FeeRate.fromSatPerKvB(1000);
  assertEquals(new Coin({ ...base, depth: 1, inputBytes: 148, feerate: at1 }).effectiveValue, 9852n);
  assertEquals(new Coin({ ...base, depth: 1, inputBytes: -1, feerate: at1 }).effectiveValue, 10_000n);
  const at100 = FeeRate.fromSatPerKvB(100_000);
  assertEquals(new Coin({ ...base, depth: 1, inputBytes: 148, feerate: at100 }).effectiveValue, -4800n);
  assertEquals(new Coin({ ...base, depth: 1, inputBytes: 148, fee: 148n }).effectiveValue, 9852n);
  assertEquals(new Coin({ ...base, depth: 1, inputBytes: -1, fee: 0n }).effectiveValue, 10_000n);
  assertThrows(
    () => new Coin({ ...base, depth: 1, inputBytes: -1, fee: 5n }),
    "fee is 5 for an input size of -1",
  );
  assertThrows(() => new Coin({ ...base, depth: 1, inputBytes: 10, fee: -1n }), "fee is -1");
  assertThrows(() => new Coin({ ...base, depth: 1.5, inputBytes: 10 }), "depth is 1.5");
  assertThrows(() => new Coin({ ...base, depth: 1, inputBytes: 10 }).effectiveValue, "no feerate given");
  const bumped = new Coin({ ...base, depth: 0, inputBytes: 148, feerate: at1 });
  bumped.applyBumpFee(50n);
  assertEquals([bumped.fee, bumped.effectiveValue, bumped.ancestorBumpFees], [198n, 9802n, 50n]);
  assertThrows(() => bumped.applyBumpFee(-1n), "bump fee of -1");
});

Deno.test("coin: outpoint keys and Core's outpoint order (txid bytes, then index)", () => {
  const a = { txid: new Uint8Array(32).fill(1), vout: 5 };
  const b = { txid: new Uint8Array(32).fill(1), vout: 6 };
  const c = { txid: Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 2 : 0)), vout: 0 };
  assertEquals(outpointKey(a), `${"01".repeat(32)}:5`);
  assert(compareOutpoints(a, b) < 0 && compareOutpoints(b, c) < 0 && compareOutpoints(c, a) > 0);
  assertEquals(compareOutpoints(a, { ...a }), 0);
  assertThrows(
    () =>
      new Coin({
        outpoint: a,
        txout: { value: 1n, scriptPubKey: new Uint8Array() },
        depth: 1,
        inputBytes: -2,
      }),
    "input size is -2",
  );
  assertThrows(
    () =>
      new Coin({
        outpoint: a,
        txout: { value: 1n, scriptPubKey: new Uint8Array() },
        depth: 1,
        inputBytes: 10,
        fee: 1n,
        feerate: FeeRate.fromSatPerKvB(1),
      }),
    "both fee and feerate",
  );
});
