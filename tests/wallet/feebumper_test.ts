/**
 * Fee bumping against a fake wallet: the estimated replacement feerate, explicit feerate checks, the
 * replacement keeping every original input, commit marking the original replaced, and the precondition errors.
 */
import { assert, assertEquals } from "../assert.ts";
import { FeeRate } from "../../node/policy/feerate.ts";
import { outPointKey, transactionVsize } from "../../core/wire/mod.ts";
import { seededRng } from "../../wallet/coin_selection/mod.ts";
import { CoinControl, createTransaction, txidOfTx } from "../../wallet/spend.ts";
import { commitBumpTransaction, createRateBumpTransaction } from "../../wallet/feebumper.ts";
import { FakeWallet } from "./spend_fake_wallet.ts";

const COIN = 100_000_000n;

async function sent(w: FakeWallet): Promise<string> {
  const cc = new CoinControl();
  cc.feeRate = FeeRate.fromSatPerKvB(2000n);
  const res = await createTransaction(
    w,
    [{ script: w.foreignScript(), amount: COIN / 10n, subtractFeeFromAmount: false }],
    cc,
    {
      sign: true,
      rng: seededRng(9),
    },
  );
  assert(res.ok);
  await w.commitTransaction(res.value.tx, {}, []);
  return txidOfTx(res.value.tx);
}

Deno.test("bumpfee: estimated feerate, original inputs kept, original marked replaced", async () => {
  const w = new FakeWallet();
  w.addCoins([COIN, COIN]);
  const txid = await sent(w);
  const original = w.getTx(txid)!;
  const bump = await createRateBumpTransaction(w, txid, new CoinControl(), { requireMine: true });
  if (!bump.ok) throw new Error(bump.failure.error);
  const { oldFee, newFee, tx } = bump.value;
  assertEquals(oldFee, 2n * 141n);
  // Old feerate 2 sat/vB (+1 sat/kvB) + the wallet's 5 sat/vB increment, over the same size.
  assertEquals(newFee, FeeRate.fromSatPerKvB(7001n).getFee(141));
  const inputs = new Set(tx.inputs.map((i) => outPointKey(i.prevout)));
  for (const input of original.tx.inputs) assert(inputs.has(outPointKey(input.prevout)));
  const committed = await commitBumpTransaction(w, txid, tx);
  if (!committed.ok) throw new Error(committed.failure.error);
  assertEquals(committed.errors, []);
  assertEquals(w.getTx(txid)!.mapValue["replaced_by_txid"], committed.txid);
  assertEquals(w.getTx(committed.txid)!.mapValue["replaces_txid"], txid);
  assert(transactionVsize(tx) > 0);
  // Bumping the original again is refused.
  const again = await createRateBumpTransaction(w, txid, new CoinControl(), { requireMine: true });
  assert(!again.ok);
  assertEquals(again.failure.kind, "WALLET_ERROR");
  assertEquals(
    again.failure.error,
    `Cannot bump transaction ${txid} which was already bumped by transaction ${committed.txid}`,
  );
});

Deno.test("bumpfee: errors for unknown transactions, low explicit feerates, descendants and bad options", async () => {
  const w = new FakeWallet();
  w.addCoins([COIN]);
  const txid = await sent(w);
  const unknown = await createRateBumpTransaction(w, "ab".repeat(32), new CoinControl(), {
    requireMine: true,
  });
  assert(!unknown.ok);
  assertEquals([unknown.failure.kind, unknown.failure.error], [
    "INVALID_ADDRESS_OR_KEY",
    "Invalid or non-wallet transaction id",
  ]);
  const low = new CoinControl();
  low.feeRate = FeeRate.fromSatPerKvB(2000n);
  const tooLow = await createRateBumpTransaction(w, txid, low, { requireMine: true });
  assert(!tooLow.ok);
  assertEquals(tooLow.failure.kind, "INVALID_PARAMETER");
  assertEquals(
    tooLow.failure.error,
    "Insufficient total fee 0.00000282, must be at least 0.00000297 (oldFee 0.00000282 + incrementalFee 0.00000015)",
  );
  const both = await createRateBumpTransaction(w, txid, new CoinControl(), {
    requireMine: true,
    outputs: [{ value: 1000n, scriptPubKey: w.foreignScript() }],
    originalChangeIndex: 0,
  });
  assert(!both.ok);
  assertEquals(both.failure.kind, "INVALID_PARAMETER");
  const range = await createRateBumpTransaction(w, txid, new CoinControl(), {
    requireMine: true,
    originalChangeIndex: 5,
  });
  assert(!range.ok);
  assertEquals(range.failure.error, "Change position is out of range");
  w.node.withDescendants.add(txid);
  const desc = await createRateBumpTransaction(w, txid, new CoinControl(), { requireMine: true });
  assert(!desc.ok);
  assertEquals([desc.failure.kind, desc.failure.error], [
    "INVALID_PARAMETER",
    "Transaction has descendants in the mempool",
  ]);
});
