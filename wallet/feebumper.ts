/**
 * Fee bumping (Core's wallet/feebumper.cpp): the checks a transaction must pass to be replaced, the feerate of
 * the replacement (explicit and checked against the mempool minimum, the incremental relay fee, the required
 * fee and `-maxtxfee`; or estimated: the old feerate plus the larger incremental feerate, at least the wallet's
 * minimum), building the replacement through `createTransaction` (every original input kept, new inputs only
 * confirmed ones), and committing it with `replaces_txid` / `replaced_by_txid`.
 *
 * @module
 */
import { FeeRate } from "../node/policy/feerate.ts";
import { formatMoney } from "../node/policy/money.ts";
import { transactionInputWeight } from "../node/policy/policy.ts";
import { transactionVsize } from "../core/wire/mod.ts";
import type { OutPoint, Transaction, TxOut } from "../core/wire/types.ts";
import { getMinimumFeeRate, getRequiredFee, WALLET_INCREMENTAL_RELAY_FEE } from "./fees.ts";
import {
  calculateMaximumSignedTxSizeOf,
  type CoinControl,
  combinedBumpFee,
  createTransaction,
  type Recipient,
  txidBytes,
  txidHex,
  txidOfTx,
} from "./spend.ts";
import type { WalletCore, WalletTx } from "./types.ts";

/** Core's `feebumper::Result` failure kinds (the RPC error each maps to). */
export type BumpErrorKind =
  | "INVALID_ADDRESS_OR_KEY"
  | "INVALID_REQUEST"
  | "INVALID_PARAMETER"
  | "WALLET_ERROR"
  | "MISC_ERROR";

/** A failed bump: its kind and Core's message. */
export interface BumpFailure {
  /** Kind (RPC error code family). */
  kind: BumpErrorKind;
  /** Message. */
  error: string;
}

function fail(kind: BumpErrorKind, error: string): BumpFailure {
  return { kind, error };
}

/**
 * Core's `HasWalletSpend`: an output of `wtx` is spent by a wallet transaction that is neither conflicted nor
 * abandoned (Core's `IsSpent`).
 */
export function hasWalletSpend(wallet: WalletCore, wtx: WalletTx): boolean {
  const txid = txidBytes(wtx.txid);
  for (let vout = 0; vout < wtx.tx.outputs.length; vout++) {
    if (wallet.isSpent({ txid, vout })) return true;
  }
  return false;
}

/**
 * The wallet's own output at `outpoint` when it is unspent as far as the chain goes (its transaction confirmed
 * or in the mempool, no confirmed wallet transaction spending it). Core's `findCoins` reports coins spent only
 * in the mempool; the node's does not, so the wallet answers for its own outputs.
 */
function walletCoin(
  wallet: WalletCore,
  outpoint: OutPoint,
): { value: bigint; scriptPubKey: Uint8Array } | null {
  const txo = wallet.getTxo(outpoint);
  if (txo === undefined) return null;
  if (wallet.depth(txo.wtx) <= 0 && txo.wtx.state.kind !== "inMempool") return null;
  for (const spender of wallet.spenders(outpoint)) {
    const s = wallet.getTx(spender);
    if (s !== undefined && wallet.depth(s) > 0) return null;
  }
  return { value: txo.txout.value, scriptPubKey: txo.txout.scriptPubKey };
}

/** Core's `AllInputsMine`. */
export function allInputsMine(wallet: WalletCore, tx: Transaction): boolean {
  return tx.inputs.every((input) => wallet.getTxo(input.prevout) !== undefined);
}

/**
 * Core's `PreconditionChecks`: no descendants in the wallet or the mempool, not mined or conflicted, not already
 * bumped, and (with `requireMine`) every input the wallet's.
 */
export async function preconditionChecks(
  wallet: WalletCore,
  wtx: WalletTx,
  requireMine: boolean,
): Promise<BumpFailure | undefined> {
  if (hasWalletSpend(wallet, wtx)) {
    return fail("INVALID_PARAMETER", "Transaction has descendants in the wallet");
  }
  if (await wallet.chain.hasDescendantsInMempool(wtx.txid)) {
    return fail("INVALID_PARAMETER", "Transaction has descendants in the mempool");
  }
  if (wallet.depth(wtx) !== 0) {
    return fail("WALLET_ERROR", "Transaction has been mined, or is conflicted with a mined transaction");
  }
  const replacedBy = wtx.mapValue["replaced_by_txid"];
  if (replacedBy !== undefined) {
    return fail(
      "WALLET_ERROR",
      `Cannot bump transaction ${wtx.txid} which was already bumped by transaction ${replacedBy}`,
    );
  }
  if (requireMine && !allInputsMine(wallet, wtx.tx)) {
    return fail("WALLET_ERROR", "Transaction contains inputs that don't belong to this wallet");
  }
  return undefined;
}

/** Core's `TransactionCanBeBumped`. */
export async function transactionCanBeBumped(wallet: WalletCore, txid: string): Promise<boolean> {
  const wtx = wallet.getTx(txid);
  return wtx !== undefined && (await preconditionChecks(wallet, wtx, true)) === undefined;
}

/**
 * Core's `CheckFeeRate`: an explicit new feerate must reach the mempool minimum, pay the old fee plus the
 * incremental relay fee for the new size, the required fee, and stay within `-maxtxfee`.
 */
export async function checkFeeRate(
  wallet: WalletCore,
  newFeerate: FeeRate,
  maxTxSize: number,
  oldFee: bigint,
  reusedInputs: readonly OutPoint[] = [],
): Promise<BumpFailure | undefined> {
  const minMempool = FeeRate.fromSatPerKvB(await wallet.chain.mempoolMinFee());
  if (newFeerate.getFeePerK() < minMempool.getFeePerK()) {
    return fail(
      "WALLET_ERROR",
      `New fee rate (${formatMoney(newFeerate.getFeePerK())}) is lower than the minimum fee rate (${
        formatMoney(minMempool.getFeePerK())
      }) to get into the mempool -- `,
    );
  }
  const size = Math.max(maxTxSize, 0);
  const newTotalFee = newFeerate.getFee(size) + await combinedBumpFee(wallet, reusedInputs, newFeerate);
  const incremental = FeeRate.fromSatPerKvB(await wallet.chain.relayIncrementalFee()).getFee(size);
  const minTotalFee = oldFee + incremental;
  if (newTotalFee < minTotalFee) {
    return fail(
      "INVALID_PARAMETER",
      `Insufficient total fee ${formatMoney(newTotalFee)}, must be at least ${
        formatMoney(minTotalFee)
      } (oldFee ${formatMoney(oldFee)} + incrementalFee ${formatMoney(incremental)})`,
    );
  }
  const required = await getRequiredFee(wallet, size);
  if (newTotalFee < required) {
    return fail(
      "INVALID_PARAMETER",
      `Insufficient total fee (cannot be less than required fee ${formatMoney(required)})`,
    );
  }
  const maxTxFee = wallet.settings().maxTxFee;
  if (newTotalFee > maxTxFee) {
    return fail(
      "WALLET_ERROR",
      `Specified or calculated fee ${formatMoney(newTotalFee)} is too high (cannot be higher than -maxtxfee ${
        formatMoney(maxTxFee)
      })`,
    );
  }
  return undefined;
}

/**
 * Core's `EstimateFeeRate`: the old feerate (+1 sat/kvB for rounding) plus the larger of the node's and the
 * wallet's incremental relay feerate, at least the wallet's minimum feerate for the coin control.
 */
export async function estimateBumpFeeRate(
  wallet: WalletCore,
  wtx: WalletTx,
  oldFee: bigint,
  control: CoinControl,
): Promise<FeeRate> {
  let feerate = FeeRate.fromFee(oldFee, transactionVsize(wtx.tx)).plus(FeeRate.fromSatPerKvB(1n));
  const node = await wallet.chain.relayIncrementalFee();
  feerate = feerate.plus(
    FeeRate.fromSatPerKvB(node > WALLET_INCREMENTAL_RELAY_FEE ? node : WALLET_INCREMENTAL_RELAY_FEE),
  );
  const min = (await getMinimumFeeRate(wallet, { ...control, feeRate: undefined })).feeRate;
  return feerate.max(min);
}

/** Options of {@link createRateBumpTransaction}. */
export interface RateBumpOptions {
  /** Every input must be the wallet's (`bumpfee`; `psbtbumpfee` allows others). */
  requireMine: boolean;
  /** New outputs replacing the original ones (empty: keep them). */
  outputs?: readonly TxOut[];
  /** Index of the original output to recycle as change. */
  originalChangeIndex?: number;
}

/** A replacement built by {@link createRateBumpTransaction}. */
export interface RateBump {
  /** The unsigned replacement. */
  tx: Transaction;
  /** The original fee. */
  oldFee: bigint;
  /** The replacement's fee. */
  newFee: bigint;
}

/** Core's `CreateRateBumpTransaction`: the unsigned replacement of `txid` at a higher feerate. */
export async function createRateBumpTransaction(
  wallet: WalletCore,
  txid: string,
  control: CoinControl,
  options: RateBumpOptions,
): Promise<{ ok: true; value: RateBump } | { ok: false; failure: BumpFailure }> {
  const no = (failure: BumpFailure) => ({ ok: false as const, failure });
  const outputs = options.outputs ?? [];
  if (outputs.length > 0 && options.originalChangeIndex !== undefined) {
    return no(fail(
      "INVALID_PARAMETER",
      "The options 'outputs' and 'original_change_index' are incompatible. You can only either specify a new " +
        "set of outputs, or designate a change output to be recycled.",
    ));
  }
  const cc = control.clone();
  const wtx = wallet.getTx(txid);
  if (wtx === undefined) return no(fail("INVALID_ADDRESS_OR_KEY", "Invalid or non-wallet transaction id"));
  if (options.originalChangeIndex !== undefined && options.originalChangeIndex >= wtx.tx.outputs.length) {
    return no(fail("INVALID_PARAMETER", "Change position is out of range"));
  }

  const coins = await wallet.chain.findCoins(
    wtx.tx.inputs.map((i) => ({ txid: txidHex(i.prevout.txid), vout: i.prevout.vout })),
  );
  let inputValue = 0n;
  for (let i = 0; i < wtx.tx.inputs.length; i++) {
    const input = wtx.tx.inputs[i];
    const coin = coins[i] ?? walletCoin(wallet, input.prevout);
    if (coin === null) {
      return no(fail("MISC_ERROR", `${txidHex(input.prevout.txid)}:${input.prevout.vout} is already spent`));
    }
    const preset = cc.select(input.prevout);
    if (wallet.getTxo(input.prevout) === undefined) {
      preset.txout = { value: coin.value, scriptPubKey: coin.scriptPubKey };
      // An external input is sized as it is signed now (Core also grows its signatures to the largest size).
      if (input.scriptSig.length > 0 || input.witness.length > 0) {
        preset.weight = transactionInputWeight(input);
      }
    }
    inputValue += coin.value;
  }

  const pre = await preconditionChecks(wallet, wtx, options.requireMine);
  if (pre !== undefined) return no(pre);

  let outputValue = 0n;
  for (const out of wtx.tx.outputs) outputValue += out.value;
  const oldFee = inputValue - outputValue;

  const recipients: Recipient[] = [];
  let newOutputsValue = 0n;
  const txouts = outputs.length === 0 ? wtx.tx.outputs : outputs;
  txouts.forEach((out, i) => {
    const isChange = options.originalChangeIndex !== undefined
      ? options.originalChangeIndex === i
      : wallet.isChange(out);
    if (isChange) cc.changeScript = out.scriptPubKey;
    else recipients.push({ script: out.scriptPubKey, amount: out.value, subtractFeeFromAmount: false });
    newOutputsValue += out.value;
  });
  if (recipients.length === 0) {
    if (cc.changeScript === undefined) {
      return no(fail(
        "INVALID_PARAMETER",
        "Unable to create transaction. Transaction must have at least one recipient",
      ));
    }
    recipients.push({ script: cc.changeScript, amount: newOutputsValue, subtractFeeFromAmount: true });
    cc.changeScript = undefined;
  }

  if (control.feeRate !== undefined) {
    const temp: Transaction = {
      ...wtx.tx,
      inputs: wtx.tx.inputs.map((i) => ({ ...i, scriptSig: new Uint8Array(0), witness: [] })),
      outputs: [...txouts],
    };
    const maxTxSize = calculateMaximumSignedTxSizeOf(wallet, temp, cc).vsize;
    const reused = wtx.tx.inputs.map((i) => i.prevout);
    const bad = await checkFeeRate(wallet, control.feeRate, maxTxSize, oldFee, reused);
    if (bad !== undefined) return no(bad);
  } else {
    cc.feeRate = await estimateBumpFeeRate(wallet, wtx, oldFee, cc);
  }

  for (const input of wtx.tx.inputs) cc.select(input.prevout);
  cc.allowOtherInputs = true;
  cc.minDepth = 1;
  const res = await createTransaction(wallet, recipients, cc, { sign: false });
  if (!res.ok) return no(fail("WALLET_ERROR", `Unable to create transaction. ${res.error}`));
  return { ok: true, value: { tx: res.value.tx, oldFee, newFee: res.value.fee } };
}

/**
 * Core's `feebumper::CommitTransaction`: checks the original again, commits the replacement (with the original's
 * comments and order form, and "replaces_txid") and marks the original replaced. Returns the new txid and the
 * errors (non-fatal: marking failed).
 */
export async function commitBumpTransaction(
  wallet: WalletCore,
  txid: string,
  tx: Transaction,
): Promise<{ ok: true; txid: string; errors: string[] } | { ok: false; failure: BumpFailure }> {
  const old = wallet.getTx(txid);
  if (old === undefined) {
    return { ok: false, failure: fail("MISC_ERROR", "Invalid or non-wallet transaction id") };
  }
  const pre = await preconditionChecks(wallet, old, false);
  if (pre !== undefined) return { ok: false, failure: pre };
  const mapValue: Record<string, string> = { replaces_txid: old.txid };
  if (old.mapValue["comment"] !== undefined) mapValue["comment"] = old.mapValue["comment"];
  if (old.mapValue["to"] !== undefined) mapValue["to"] = old.mapValue["to"];
  await wallet.commitTransaction(tx, mapValue, old.orderForm);
  const newTxid = txidOfTx(tx);
  const errors: string[] = [];
  const marked = wallet.markReplaced !== undefined && await wallet.markReplaced(old.txid, newTxid);
  if (!marked) {
    errors.push("Created new bumpfee transaction but could not mark the original transaction as replaced");
  }
  return { ok: true, txid: newTxid, errors };
}
