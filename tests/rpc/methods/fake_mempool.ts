/**
 * A stand-in for the node's `Mempool` service in the mempool RPC tests: a real `TxMempool` (entries added by the
 * test), and acceptance, package acceptance and broadcast answered by functions the test sets, with every call
 * recorded.
 *
 * @module
 */
import type { Transaction } from "../../../core/wire/types.ts";
import type { MempoolAcceptResult, PackageAcceptResult } from "../../../node/mempool/accept.ts";
import type { AcceptTransactionOptions, BroadcastResult } from "../../../node/mempool/mempool.ts";
import type { TxMempool } from "../../../node/mempool/txmempool.ts";
import type { FeeRate } from "../../../node/policy/feerate.ts";
import { defaultPolicySettings, type PolicySettings } from "../../../node/policy/settings.ts";
import type { MempoolService } from "../../../rpc/methods/mempool.ts";
import { makePool } from "../../node/mempool/entries.ts";

/** A recorded call. */
export type FakeMempoolCall =
  | { kind: "ready" }
  | { kind: "accept"; tx: Transaction; options: AcceptTransactionOptions }
  | { kind: "package"; txs: readonly Transaction[]; options: { testAccept: boolean; maxFeeRate?: FeeRate } }
  | { kind: "broadcast"; tx: Transaction; maxTxFee: bigint };

/** The fake service. */
export class FakeMempool implements MempoolService {
  /** The pool (real). */
  readonly pool: TxMempool;
  /** Policy settings. */
  settings: PolicySettings = defaultPolicySettings("regtest");
  /** Calls in order. */
  readonly calls: FakeMempoolCall[] = [];
  /** Answer of acceptTransaction. */
  onAccept: (tx: Transaction, options: AcceptTransactionOptions) => MempoolAcceptResult = () => {
    throw new Error("unexpected acceptTransaction");
  };
  /** Answer of acceptPackage. */
  onPackage: (txs: readonly Transaction[]) => PackageAcceptResult = () => {
    throw new Error("unexpected acceptPackage");
  };
  /** Answer of broadcastTransaction. */
  onBroadcast: (tx: Transaction, maxTxFee: bigint) => BroadcastResult = () => {
    throw new Error("unexpected broadcastTransaction");
  };

  constructor(now = 1_700_000_000) {
    this.pool = makePool(now);
  }

  ready(): Promise<void> {
    this.calls.push({ kind: "ready" });
    return Promise.resolve();
  }

  acceptTransaction(tx: Transaction, options: AcceptTransactionOptions = {}): Promise<MempoolAcceptResult> {
    this.calls.push({ kind: "accept", tx, options });
    return Promise.resolve(this.onAccept(tx, options));
  }

  acceptPackage(
    txs: readonly Transaction[],
    options: { testAccept: boolean; maxFeeRate?: FeeRate },
  ): Promise<PackageAcceptResult> {
    this.calls.push({ kind: "package", txs, options });
    return Promise.resolve(this.onPackage(txs));
  }

  broadcastTransaction(tx: Transaction, maxTxFee: bigint): Promise<BroadcastResult> {
    this.calls.push({ kind: "broadcast", tx, maxTxFee });
    return Promise.resolve(this.onBroadcast(tx, maxTxFee));
  }
}
