import { assert, assertEquals } from "../../assert.ts";
import {
  calculateSequenceLocks,
  checkTxInputs,
  evaluateSequenceLocks,
  formatMoney,
} from "../../../core/consensus/mod.ts";
import type { Transaction } from "../../../core/wire/types.ts";

function tx(outputs: bigint[], sequences: number[] = [0xffffffff], version = 2): Transaction {
  return {
    version,
    inputs: sequences.map((sequence, i) => ({
      prevout: { txid: new Uint8Array(32).fill(i + 1), vout: 0 },
      scriptSig: new Uint8Array(0),
      sequence,
      witness: [],
    })),
    outputs: outputs.map((value) => ({ value, scriptPubKey: Uint8Array.of(0x51) })),
    locktime: 0,
  };
}

const coin = (value: bigint, height = 1, coinbase = false) => ({
  out: { value, scriptPubKey: Uint8Array.of(0x51) },
  height,
  coinbase,
});

Deno.test("checkTxInputs: Core's reasons, debug texts and the fee", () => {
  const ok = checkTxInputs(tx([900n]), [coin(1000n)], 10);
  assert(ok.state.valid);
  assertEquals(ok.fee, 100n);
  const young = checkTxInputs(tx([1n]), [coin(50n, 10, true)], 109);
  assertEquals(young.state, {
    valid: false,
    result: "TX_PREMATURE_SPEND",
    reason: "bad-txns-premature-spend-of-coinbase",
    debug: "tried to spend coinbase at depth 99",
  });
  assert(checkTxInputs(tx([1n]), [coin(50n, 10, true)], 110).state.valid);
  assertEquals(checkTxInputs(tx([2000n]), [coin(1000n)], 10).state, {
    valid: false,
    result: "TX_CONSENSUS",
    reason: "bad-txns-in-belowout",
    debug: "value in (0.00001) < value out (0.00002)",
  });
  const huge = 21_000_000n * 100_000_000n + 1n;
  assertEquals(checkTxInputs(tx([1n]), [coin(huge)], 10).state, {
    valid: false,
    result: "TX_CONSENSUS",
    reason: "bad-txns-inputvalues-outofrange",
  });
  assertEquals([formatMoney(0n), formatMoney(100_000_000n), formatMoney(-1n)], [
    "0.00",
    "1.00",
    "-0.00000001",
  ]);
});

Deno.test("sequence locks: by height and by 512-second time units, disabled and version 1", () => {
  const mtp = (h: number) => 1_000_000 + h * 600;
  // Coin at height 20, relative lock of 10 blocks: locked through height 29.
  const byHeight = calculateSequenceLocks(tx([1n], [10]), [20], mtp);
  assertEquals(byHeight, { minHeight: 29, minTime: -1 });
  assert(!evaluateSequenceLocks(byHeight, 29, mtp(28)));
  assert(evaluateSequenceLocks(byHeight, 30, mtp(29)));
  // Time lock of 2 units (1,024 s) from the MTP of the block before the coin's.
  const byTime = calculateSequenceLocks(tx([1n], [(1 << 22) | 2]), [20], mtp);
  assertEquals(byTime, { minHeight: -1, minTime: mtp(19) + 1024 - 1 });
  assertEquals(calculateSequenceLocks(tx([1n], [0x80000000 | 10]), [20], mtp), {
    minHeight: -1,
    minTime: -1,
  });
  assertEquals(calculateSequenceLocks(tx([1n], [10], 1), [20], mtp), { minHeight: -1, minTime: -1 });
});
