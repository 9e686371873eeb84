/**
 * When and what a wallet resubmits (Core's `ShouldResend`, `GetDefaultNextResend` and the selection of
 * `ResubmitWalletTransactions`): every minute the wallet process asks each wallet; once its random resend time
 * (12 to 36 hours after the previous one, by the wallet's clock, which `setmocktime` moves) has passed, its
 * unconfirmed transactions received more than 5 minutes before the last block are submitted again and relayed.
 * At load every unconfirmed transaction is submitted (forced), without relay.
 *
 * @module
 */
import type { WalletTx } from "./types.ts";

/** How often the wallet process asks its wallets whether to resend (Core: `scheduleEvery(…, 1min)`). */
export const RESEND_CHECK_INTERVAL_MS = 60_000;
/** Earliest next resend after the previous one (seconds; Core's 12 h). */
export const RESEND_MIN_DELAY = 12 * 60 * 60;
/** Spread of the next resend past the earliest (seconds; Core's 24 h: 12 to 36 hours in all). */
export const RESEND_SPREAD = 24 * 60 * 60;
/** A transaction is resent only when received this long before the last block (seconds; Core's 5 minutes). */
export const RESEND_MIN_AGE = 5 * 60;

/** Core's `GetDefaultNextResend`: a uniformly random time 12 to 36 hours after `now` (seconds). */
export function nextResendTime(now: number, random: () => number = Math.random): number {
  return now + RESEND_MIN_DELAY + Math.floor(random() * RESEND_SPREAD);
}

/** What {@linkcode shouldResend} decides on. */
export interface ResendState {
  /** The wallet's `-walletbroadcast` setting. */
  broadcast: boolean;
  /** The node is out of initial block download and not importing (`Chain.isReadyToBroadcast`). */
  readyToBroadcast: boolean;
  /** The wallet's clock (seconds). */
  now: number;
  /** The wallet's next resend time (seconds). */
  nextResend: number;
}

/** Core's `ShouldResend`: broadcasting, the node ready, and the resend time reached. */
export function shouldResend(s: ResendState): boolean {
  return s.broadcast && s.readyToBroadcast && s.now >= s.nextResend;
}

/** Whether `wtx` is unconfirmed (Core's `isUnconfirmed`: not abandoned, not block-conflicted, not confirmed). */
export function isUnconfirmed(wtx: WalletTx): boolean {
  return wtx.state.kind === "inMempool" || (wtx.state.kind === "inactive" && !wtx.state.abandoned);
}

/**
 * The transactions to resubmit, in wallet order (`ordered` is sorted by order position): the unconfirmed ones,
 * and unless `force` only those received at least {@linkcode RESEND_MIN_AGE} before `bestBlockTime` (the
 * wallet's clock when the tip last moved).
 */
export function resendCandidates(
  ordered: readonly WalletTx[],
  options: { force: boolean; bestBlockTime: number },
): WalletTx[] {
  return ordered.filter((w) =>
    isUnconfirmed(w) && (options.force || w.timeReceived <= options.bestBlockTime - RESEND_MIN_AGE)
  );
}
