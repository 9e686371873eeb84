/**
 * Spending logic against a fake wallet: feerate choice (explicit, estimate, fallback, mempool minimum, required),
 * CreateTransaction's fee, change and no-change results, subtract-fee-from-amount, preset inputs, RBF sequences,
 * the anti-fee-sniping locktime, and Core's error messages.
 */
import { assert, assertEquals } from "../assert.ts";
import { FeeRate } from "../../node/policy/feerate.ts";
import { seededRng } from "../../wallet/coin_selection/mod.ts";
import {
  FALLBACK_FEE_DISABLED_ERROR,
  getDiscardRate,
  getMinimumFeeRate,
  maxTxFeeError,
  walletFeeWarnings,
} from "../../wallet/fees.ts";
import {
  calculateMaximumSignedTxSizeOf,
  CoinControl,
  type CreatedTransaction,
  createTransaction,
  fundTransaction,
  MAX_BIP125_RBF_SEQUENCE,
  MAX_SEQUENCE_NONFINAL,
  type Recipient,
  type SpendResult,
  walletRejectLongChains,
} from "../../wallet/spend.ts";
import { transactionVsize } from "../../core/wire/mod.ts";
import { FakeWallet } from "./spend_fake_wallet.ts";
import { ExternalSolvingData } from "../../wallet/solving_data.ts";
import { hash160, toHex } from "../../core/hash/hashes.ts";
import type { OutPoint, Transaction } from "../../core/wire/types.ts";

const COIN = 100_000_000n;

function feeRate(satPerVb: number): FeeRate {
  return FeeRate.fromSatPerKvB(BigInt(Math.round(satPerVb * 1000)));
}

function control(rate?: number): CoinControl {
  const cc = new CoinControl();
  if (rate !== undefined) cc.feeRate = feeRate(rate);
  return cc;
}

function pay(wallet: FakeWallet, amount: bigint, sffo = false): Recipient {
  return { script: wallet.foreignScript(), amount, subtractFeeFromAmount: sffo };
}

function ok(res: SpendResult<CreatedTransaction>): CreatedTransaction {
  if (!res.ok) throw new Error(`expected success, got: ${res.error}`);
  return res.value;
}

function failure(res: SpendResult<CreatedTransaction>): string {
  assert(!res.ok, "expected failure");
  return res.error;
}

Deno.test("getMinimumFeeRate: explicit, estimate, fallback, mempool minimum and required feerates", async () => {
  const w = new FakeWallet();
  // Explicit feerates are kept (raised to the required feerate unless overridden).
  let calc = await getMinimumFeeRate(w, { feeRate: feeRate(5) });
  assertEquals(calc.feeRate.getFeePerK(), 5000n);
  calc = await getMinimumFeeRate(w, { feeRate: feeRate(0.5) });
  assertEquals(calc.feeRate.getFeePerK(), 1000n);
  assertEquals(calc.reason, "Minimum Required Fee");
  calc = await getMinimumFeeRate(w, { feeRate: feeRate(0.5), overrideFeeRate: true });
  assertEquals(calc.feeRate.getFeePerK(), 500n);
  // No estimate, no fallback: 0 with the fallback reason.
  calc = await getMinimumFeeRate(w);
  assertEquals(calc.feeRate.getFeePerK(), 0n);
  assertEquals(calc.reason, "Fallback fee");
  assertEquals(calc.desiredTarget, 6);
  // Fallback fee configured.
  w.walletSettings.fallbackFee = 20000n;
  calc = await getMinimumFeeRate(w, { confirmTarget: 2 });
  assertEquals([calc.feeRate.getFeePerK(), calc.reason, calc.desiredTarget], [20000n, "Fallback fee", 2]);
  // An estimate below the mempool minimum is raised to it.
  w.node.estimate = 2000n;
  w.node.mempoolMinFee = 3000n;
  calc = await getMinimumFeeRate(w);
  assertEquals([calc.feeRate.getFeePerK(), calc.reason], [3000n, "Mempool Min Fee"]);
  w.node.mempoolMinFee = 100n;
  calc = await getMinimumFeeRate(w);
  assertEquals([calc.feeRate.getFeePerK(), calc.reason], [2000n, "Target 85% Threshold"]);
  // Discard rate: the longest estimate capped by -discardfee, at least the dust relay fee.
  assertEquals((await getDiscardRate(w)).getFeePerK(), 3000n);
  w.node.estimate = 50000n;
  assertEquals((await getDiscardRate(w)).getFeePerK(), 10000n);
});

Deno.test("createTransaction: change output, fee at the feerate of the estimated signed size", async () => {
  const w = new FakeWallet();
  w.addCoins([COIN]);
  const cc = control(10);
  const res = ok(await createTransaction(w, [pay(w, COIN / 10n)], cc, { sign: true, rng: seededRng(1) }));
  assertEquals(res.tx.inputs.length, 1);
  assertEquals(res.tx.outputs.length, 2);
  assert(res.changePos !== undefined);
  // 10 sat/vB × 141 vB (1 P2WPKH input of 68 vB, 2 P2WPKH outputs).
  assertEquals(res.fee, 1410n);
  assertEquals(res.tx.outputs[res.changePos].value, COIN - COIN / 10n - 1410n);
  assertEquals(transactionVsize(res.tx), 141);
  assertEquals(w.changeAddresses.length, 1);
  // The signed size equals the estimate.
  assertEquals(calculateMaximumSignedTxSizeOf(w, res.tx, cc).vsize, 141);
  // RBF by default, and an anti-fee-sniping locktime at (or up to 99 below) the tip.
  assert(res.tx.inputs.every((i) => i.sequence === MAX_BIP125_RBF_SEQUENCE));
  assert(res.tx.locktime <= 200 && res.tx.locktime > 100);
  assertEquals(res.feeCalc.reason, "None");
});

Deno.test("createTransaction: an exact match spends without change (BnB)", async () => {
  const w = new FakeWallet();
  const amount = 500_000n;
  // 10 sat/vB: non-input part 42 vB (420 sat) + one 68 vB input (680 sat).
  w.addCoins([amount + 1100n, 3n * COIN]);
  const res = ok(
    await createTransaction(w, [pay(w, amount)], control(10), { sign: true, rng: seededRng(2) }),
  );
  assertEquals(res.changePos, undefined);
  assertEquals(res.tx.outputs.length, 1);
  assertEquals(res.fee, 1100n);
  assertEquals(transactionVsize(res.tx), 110);
});

Deno.test("createTransaction: subtract fee from amount and non-RBF sequences", async () => {
  const w = new FakeWallet();
  w.addCoins([COIN]);
  const cc = control(2);
  cc.signalRbf = false;
  const res = ok(await createTransaction(w, [pay(w, COIN, true)], cc, { sign: true, rng: seededRng(3) }));
  assertEquals(res.tx.outputs.length, 1);
  assertEquals(res.fee, 220n);
  assertEquals(res.tx.outputs[0].value, COIN - 220n);
  assert(res.tx.inputs.every((i) => i.sequence === MAX_SEQUENCE_NONFINAL));
  // Two recipients share the fee, the first pays the remainder.
  const w2 = new FakeWallet();
  w2.addCoins([COIN]);
  const two = ok(
    await createTransaction(
      w2,
      [pay(w2, COIN / 2n, true), {
        script: w2.foreignScript(7),
        amount: COIN / 2n,
        subtractFeeFromAmount: true,
      }],
      control(3),
      { sign: true, rng: seededRng(4), changePos: 0 },
    ),
  );
  // 3 sat/vB × 141 vB = 423: 212 from the first, 211 from the second.
  assertEquals(two.fee, 423n);
  assertEquals(two.tx.outputs.map((o) => o.value), [COIN / 2n - 212n, COIN / 2n - 211n]);
});

Deno.test("createTransaction: Core's errors", async () => {
  const w = new FakeWallet();
  w.addCoins([COIN]);
  assertEquals(
    failure(await createTransaction(w, [], control(1), { sign: true })),
    "Transaction must have at least one recipient",
  );
  assertEquals(
    failure(await createTransaction(w, [pay(w, -1n)], control(1), { sign: true })),
    "Transaction amounts must not be negative",
  );
  assertEquals(
    failure(await createTransaction(w, [pay(w, 2n * COIN)], control(1), { sign: true })),
    "Insufficient funds",
  );
  assertEquals(
    failure(await createTransaction(w, [pay(w, COIN)], control(1), { sign: true })),
    "The total exceeds your balance when the 0.00000042 transaction fee is included.",
  );
  assertEquals(
    failure(await createTransaction(w, [pay(w, 100n)], control(1), { sign: true })),
    "Transaction amount too small",
  );
  assertEquals(
    failure(await createTransaction(w, [pay(w, 1000n, true)], control(10), { sign: true })),
    "The transaction amount is too small to pay the fee",
  );
  assertEquals(
    failure(await createTransaction(w, [pay(w, 1500n, true)], control(10), { sign: true })),
    "The transaction amount is too small to send after the fee has been deducted",
  );
  assertEquals(
    failure(await createTransaction(w, [pay(w, COIN / 10n)], control(0.5), { sign: true })),
    "Fee rate (0.500 sat/vB) is lower than the minimum fee rate setting (1.000 sat/vB).\n" +
      "Consider modifying -mintxfee (1.000 sat/vB) or -minrelaytxfee (0.100 sat/vB).",
  );
  assertEquals(
    failure(await createTransaction(w, [pay(w, COIN / 10n)], control(), { sign: true })),
    FALLBACK_FEE_DISABLED_ERROR,
  );
  w.walletSettings.maxTxFee = 1000n;
  assertEquals(
    failure(await createTransaction(w, [pay(w, COIN / 10n)], control(10), { sign: true })),
    "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)",
  );
  const tooLight = control(1);
  tooLight.maxTxWeight = 100;
  assertEquals(
    failure(await createTransaction(w, [pay(w, COIN / 10n)], tooLight, { sign: true })),
    "Maximum transaction weight must be between 260 and 400000",
  );
});

Deno.test("createTransaction: preset inputs come first; without other inputs they must cover the target", async () => {
  const w = new FakeWallet();
  const [small] = w.addCoins([100_000n]);
  w.addCoins([COIN]);
  const cc = control(1);
  cc.select(small);
  cc.allowOtherInputs = false;
  assertEquals(
    failure(await createTransaction(w, [pay(w, COIN / 2n)], cc, { sign: true })),
    "The preselected coins total amount does not cover the transaction target. " +
      "Please allow other inputs to be automatically selected or include more coins manually",
  );
  cc.allowOtherInputs = true;
  const res = ok(await createTransaction(w, [pay(w, COIN / 2n)], cc, { sign: true, rng: seededRng(5) }));
  assertEquals(res.tx.inputs.length, 2);
  assertEquals(res.tx.inputs[0].prevout, small);
  // Locked coins are not selected automatically.
  const w2 = new FakeWallet();
  const [locked] = w2.addCoins([COIN]);
  await w2.lockCoin(locked);
  assertEquals(
    failure(await createTransaction(w2, [pay(w2, COIN / 2n)], control(1), { sign: true })),
    "Insufficient funds",
  );
});

Deno.test("createTransaction: explicit locktime and minimum confirmations", async () => {
  const w = new FakeWallet();
  w.addCoins([COIN], 1);
  const cc = control(1);
  cc.lockTime = 77;
  const res = ok(await createTransaction(w, [pay(w, COIN / 2n)], cc, { sign: false, rng: seededRng(6) }));
  assertEquals(res.tx.locktime, 77);
  // Unsigned: inputs carry no witness.
  assert(res.tx.inputs.every((i) => i.witness.length === 0));
  const deep = control(1);
  deep.minDepth = 2;
  assertEquals(
    failure(await createTransaction(w, [pay(w, COIN / 2n)], deep, { sign: false })),
    "Insufficient funds",
  );
});

Deno.test("fundTransaction: external inputs need a UTXO and solving data (pubkeys or descriptors)", async () => {
  const w = new FakeWallet();
  w.addCoins([COIN]);
  const pubkey = Uint8Array.from([2, ...new Uint8Array(32).fill(9)]);
  const external: OutPoint = { txid: new Uint8Array(32).fill(0xee), vout: 1 };
  const externalKey = `${"ee".repeat(32)}:1`;
  const tx: Transaction = {
    version: 2,
    inputs: [{
      prevout: external,
      scriptSig: new Uint8Array(0),
      sequence: MAX_SEQUENCE_NONFINAL,
      witness: [],
    }],
    outputs: [],
    locktime: 0,
  };
  const recipients = [pay(w, COIN / 2n)];
  assertEquals(
    failure(await fundTransaction(w, tx, recipients, control(1))),
    "Unable to find UTXO for external input",
  );
  const script = Uint8Array.of(0x00, 0x14, ...hash160(pubkey));
  w.node.utxos.set(externalKey, { value: COIN / 4n, scriptPubKey: script });
  assertEquals(
    failure(await fundTransaction(w, tx, recipients, control(1))),
    `Not solvable pre-selected input COutPoint(${"ee".repeat(5)}, 1)`,
  );
  const cc = control(1);
  cc.external = new ExternalSolvingData("regtest");
  cc.external.addPubkey(pubkey);
  const res = ok(await fundTransaction(w, tx, recipients, cc, { rng: seededRng(7) }));
  // The external input stays first, a wallet coin is added, the caller's sequence and locktime are kept.
  assertEquals(res.tx.inputs.length, 2);
  assertEquals(res.tx.inputs[0].prevout, external);
  assertEquals(res.tx.inputs[0].sequence, MAX_SEQUENCE_NONFINAL);
  assertEquals(res.tx.locktime, 0);
  // Sized with a largest (72-byte) signature for the external input (272 WU) and a ground one for the wallet's
  // (271 WU): 40 + 2 + 2 × 124 + 271 + 272 = 833 WU = 209 vB at 1 sat/vB.
  assertEquals(res.tx.outputs.length, 2);
  assertEquals(res.fee, 209n);
  // Solving data as a descriptor does the same.
  const byDesc = control(1);
  byDesc.external = new ExternalSolvingData("regtest");
  byDesc.external.addDescriptorText(`wpkh(${toHex(pubkey)})`);
  assert(ok(await fundTransaction(w, tx, recipients, byDesc, { rng: seededRng(8) })).tx.inputs.length === 2);
});

Deno.test("walletRejectLongChains: -walletrejectlongchains as Core's GetBoolArg (default true)", async () => {
  const w = new FakeWallet();
  assertEquals(await walletRejectLongChains(w), true);
  w.node.settings.set("walletrejectlongchains", "0");
  assertEquals(await walletRejectLongChains(w), false);
  w.node.settings.set("walletrejectlongchains", "");
  assertEquals(await walletRejectLongChains(w), true);
  w.node.settings.set("walletrejectlongchains", false);
  assertEquals(await walletRejectLongChains(w), false);
});

Deno.test("walletFeeWarnings / maxTxFeeError: Core's CWallet::Create fee setting checks", () => {
  const w = new FakeWallet();
  assertEquals(walletFeeWarnings(w.walletSettings, 100n), []);
  w.walletSettings.fallbackFee = 1_000_001n;
  w.walletSettings.maxTxFee = 100_000_001n;
  assertEquals(walletFeeWarnings(w.walletSettings, 100n), [
    "-fallbackfee is set very high! This is the transaction fee you may pay when fee estimates are not available.",
    "-maxtxfee is set very high! Fees this large could be paid on a single transaction.",
  ]);
  assertEquals(
    maxTxFeeError("0.00000001", 1n, 1000n),
    "Invalid amount for -maxtxfee=<amount>: '0.00000001' " +
      "(must be at least the minrelay fee of 0.00001000 BTC/kvB to prevent stuck transactions)",
  );
  assertEquals(maxTxFeeError("0.1", 10_000_000n, 1000n), null);
  assertEquals(walletFeeWarnings(new FakeWallet().walletSettings, 100n, { walletRbfSet: true }), [
    "-walletrbf is deprecated and will be fully removed in the next release.",
  ]);
});
