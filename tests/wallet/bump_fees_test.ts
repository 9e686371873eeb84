/**
 * Bump fees of unconfirmed coins (Core's MiniMiner through the wallet's own mempool transactions): a low-feerate
 * parent is bumped to the target, a high-feerate grandparent is not counted on, shared ancestry is bumped once.
 */
import { assert, assertEquals } from "../assert.ts";
import { FeeRate } from "../../node/policy/feerate.ts";
import { transactionVsize } from "../../core/wire/mod.ts";
import { seededRng } from "../../wallet/coin_selection/mod.ts";
import { combinedBumpFee, individualBumpFees } from "../../wallet/bump_fees.ts";
import { CoinControl, createTransaction, txidBytes, txidOfTx } from "../../wallet/spend.ts";
import type { Transaction } from "../../core/wire/types.ts";
import { FakeWallet } from "./spend_fake_wallet.ts";

const COIN = 100_000_000n;

/** Sends `amount` to the wallet itself at `satPerVb`, spending `from` when given; returns the committed tx. */
async function sendToSelf(w: FakeWallet, satPerVb: number, from?: { txid: string; vout: number }) {
  const cc = new CoinControl();
  cc.feeRate = FeeRate.fromSatPerKvB(BigInt(satPerVb * 1000));
  if (from !== undefined) {
    cc.select({ txid: txidBytes(from.txid), vout: from.vout });
    cc.allowOtherInputs = false;
  }
  const res = await createTransaction(
    w,
    [{ script: w.newScript(), amount: COIN / 10n, subtractFeeFromAmount: false }],
    cc,
    {
      sign: true,
      rng: seededRng(satPerVb),
      changePos: 1,
    },
  );
  if (!res.ok) throw new Error(res.error);
  await w.commitTransaction(res.value.tx, {}, []);
  return { tx: res.value.tx, fee: res.value.fee, txid: txidOfTx(res.value.tx) };
}

const vsize = (tx: Transaction) => transactionVsize(tx);

Deno.test("bump fees: low parent bumped, high grandparent not relied on, shared ancestry once", async () => {
  const w = new FakeWallet();
  w.addCoins([COIN]);
  const target = FeeRate.fromSatPerKvB(10_000n);
  const gp = await sendToSelf(w, 100);
  const p = await sendToSelf(w, 1, { txid: gp.txid, vout: 1 });
  const outpoint = { txid: txidBytes(p.txid), vout: 0 };
  const fees = await individualBumpFees(w, [outpoint], target);
  // The grandparent pays 100 sat/vB and is mined on its own: only the parent is lifted to 10 sat/vB.
  assertEquals(fees.get(p.txid), target.getFee(vsize(p.tx)) - p.fee);
  // The node's aggregate (grandparent + parent) would have asked for less.
  const aggregate = target.getFee(vsize(gp.tx) + vsize(p.tx)) - (gp.fee + p.fee);
  assert(aggregate < fees.get(p.txid)!, `${aggregate}`);
  // Both outputs of the parent: its bump counted once.
  assertEquals(
    await combinedBumpFee(w, [outpoint, { txid: txidBytes(p.txid), vout: 1 }], target),
    target.getFee(vsize(p.tx)) - p.fee,
  );
  // At a feerate the parent already pays, nothing to bump; confirmed coins never need a bump.
  assertEquals((await individualBumpFees(w, [outpoint], FeeRate.fromSatPerKvB(1000n))).get(p.txid), 0n);
  const [confirmed] = w.addCoins([COIN]);
  assertEquals(
    (await individualBumpFees(w, [confirmed], target)).get(txidOfTx(
      w.getTx(
        [...w.transactions()].at(-1)!.txid,
      )!.tx,
    )),
    0n,
  );
});

Deno.test("bump fees: a low parent's other child paying enough (CPFP) leaves nothing to bump", async () => {
  const w = new FakeWallet();
  w.addCoins([COIN]);
  const p = await sendToSelf(w, 1);
  // A child spending the parent's change pays 50 sat/vB: the pair is mined together.
  await sendToSelf(w, 50, { txid: p.txid, vout: 1 });
  const fees = await individualBumpFees(
    w,
    [{ txid: txidBytes(p.txid), vout: 0 }],
    FeeRate.fromSatPerKvB(10_000n),
  );
  assertEquals(fees.get(p.txid), 0n);
  // Unless that child is the one being replaced (it spends the very outpoint): then the parent needs the bump.
  const replacing = await individualBumpFees(
    w,
    [{ txid: txidBytes(p.txid), vout: 1 }],
    FeeRate.fromSatPerKvB(10_000n),
  );
  assertEquals(replacing.get(p.txid), FeeRate.fromSatPerKvB(10_000n).getFee(vsize(p.tx)) - p.fee);
});
