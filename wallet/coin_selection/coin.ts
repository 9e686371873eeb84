/**
 * A UTXO under consideration for funding a transaction (Core's `COutput`, wallet/coinselection.h): the outpoint,
 * the output, its depth, the size of spending it, where it came from and its mempool ancestry, and — once a
 * feerate is known — the fee to spend it and its effective value (value minus that fee).
 *
 * @module
 */

import { bytesToHex } from "@noble/hashes/utils.js";
import type { FeeRate } from "../../node/policy/feerate.ts";
import type { OutPoint, TxOut } from "../../core/wire/types.ts";

/** Core's `OutputType` names, in Core's enum order (which orders the per-type groups). */
export type OutputType = "legacy" | "p2sh-segwit" | "bech32" | "bech32m" | "unknown";

/** All output types in Core's enum order. */
export const OUTPUT_TYPES: readonly OutputType[] = ["legacy", "p2sh-segwit", "bech32", "bech32m", "unknown"];

/** A stable text key of an outpoint: txid hex (internal byte order) ":" index. */
export function outpointKey(outpoint: OutPoint): string {
  return `${bytesToHex(outpoint.txid)}:${outpoint.vout}`;
}

/** Core's `COutPoint::operator<`: txid bytes compared in internal order, then the index. */
export function compareOutpoints(a: OutPoint, b: OutPoint): number {
  const n = Math.min(a.txid.length, b.txid.length);
  for (let i = 0; i < n; i++) {
    if (a.txid[i] !== b.txid[i]) return a.txid[i] - b.txid[i];
  }
  if (a.txid.length !== b.txid.length) return a.txid.length - b.txid.length;
  return a.vout - b.vout;
}

/** What a {@link Coin} is made of. */
export interface CoinOptions {
  /** The outpoint identifying the UTXO. */
  outpoint: OutPoint;
  /** The output itself (value and scriptPubKey). */
  txout: TxOut;
  /** Confirmations: > 0 in the chain, 0 in the mempool, < 0 conflicted (Core's `depth`). */
  depth: number;
  /** Estimated virtual size of this output as a fully signed input; -1 when unknown (Core's `input_bytes`). */
  inputBytes: number;
  /** Whether the transaction that created it was sent by this wallet (Core's `from_me`). */
  fromMe?: boolean;
  /** Whether it is safe to spend (confirmed, or unconfirmed from us and not replaced); default true. */
  safe?: boolean;
  /** Whether the wallet knows how to spend it (ignoring missing keys); default true. */
  solvable?: boolean;
  /** Time of the creating transaction (Core's `nTimeSmart`), seconds; default 0. */
  time?: number;
  /** Unconfirmed ancestors the creating transaction has in the mempool (Core's `getTransactionAncestry`). */
  ancestors?: number;
  /** Cluster count of the creating transaction in the mempool. */
  clusterCount?: number;
  /** Output type used to group coins by type; default "unknown". */
  outputType?: OutputType;
  /** Feerate that gives `fee = feerate.getFee(inputBytes)` (0 when `inputBytes` < 0) and the effective value. */
  feerate?: FeeRate;
  /** An explicit fee instead of `feerate` (Core's fees constructor): 0 when `inputBytes` < 0, else ≥ 0. */
  fee?: bigint;
}

/** A spendable output as coin selection sees it (Core's `COutput`). */
export class Coin {
  /** The outpoint identifying the UTXO. */
  readonly outpoint: OutPoint;
  /** The output (value, scriptPubKey). */
  readonly txout: TxOut;
  /** Confirmations (0 unconfirmed, < 0 conflicted). */
  readonly depth: number;
  /** Virtual size as a signed input, -1 when unknown. */
  readonly inputBytes: number;
  /** Sent by this wallet. */
  readonly fromMe: boolean;
  /** Safe to spend. */
  readonly safe: boolean;
  /** Solvable. */
  readonly solvable: boolean;
  /** Time of the creating transaction. */
  readonly time: number;
  /** Unconfirmed mempool ancestors of the creating transaction. */
  readonly ancestors: number;
  /** Mempool cluster count of the creating transaction. */
  readonly clusterCount: number;
  /** Output type (for grouping by type). */
  readonly outputType: OutputType;
  /** `outpointKey(outpoint)`, computed once. */
  readonly key: string;
  /** Fee to spend it at the consolidation (long-term) feerate; set when inserted into an output group. */
  longTermFee = 0n;
  /** Fee to bump its unconfirmed ancestors to the target feerate (see {@link Coin.applyBumpFee}). */
  ancestorBumpFees = 0n;
  #fee: bigint | undefined;
  #effectiveValue: bigint | undefined;

  /** Makes a coin; with `feerate` or `fee`, also its fee and effective value. */
  constructor(options: CoinOptions) {
    const { outpoint, txout, depth, inputBytes } = options;
    if (!Number.isInteger(depth)) throw new RangeError(`Cannot make a coin: depth is ${depth}`);
    if (!Number.isInteger(inputBytes) || inputBytes < -1) {
      throw new RangeError(`Cannot make a coin: input size is ${inputBytes}`);
    }
    this.outpoint = outpoint;
    this.txout = txout;
    this.depth = depth;
    this.inputBytes = inputBytes;
    this.fromMe = options.fromMe ?? false;
    this.safe = options.safe ?? true;
    this.solvable = options.solvable ?? true;
    this.time = options.time ?? 0;
    this.ancestors = checkCount(options.ancestors ?? 0, "ancestor count");
    this.clusterCount = checkCount(options.clusterCount ?? 0, "cluster count");
    this.outputType = options.outputType ?? "unknown";
    this.key = outpointKey(outpoint);
    if (options.fee !== undefined) {
      if (options.feerate !== undefined) {
        throw new TypeError("Cannot make a coin: both fee and feerate given");
      }
      const fee = options.fee;
      if (!((inputBytes < 0 && fee === 0n) || (inputBytes > 0 && fee >= 0n))) {
        throw new RangeError(`Cannot make a coin: fee is ${fee} for an input size of ${inputBytes}`);
      }
      this.#fee = fee;
      this.#effectiveValue = txout.value - fee;
    } else if (options.feerate !== undefined) {
      this.#fee = inputBytes < 0 ? 0n : options.feerate.getFee(inputBytes);
      this.#effectiveValue = txout.value - this.#fee;
    }
  }

  /** Whether a fee and an effective value are known (a feerate or fee was given). */
  hasEffectiveValue(): boolean {
    return this.#effectiveValue !== undefined;
  }

  /** Fee to spend this coin at the target feerate, including ancestor bump fees. */
  get fee(): bigint {
    if (this.#fee === undefined) throw new Error(`Cannot read the fee of coin ${this.key}: no feerate given`);
    return this.#fee;
  }

  /** Value minus {@link Coin.fee}. */
  get effectiveValue(): bigint {
    if (this.#effectiveValue === undefined) {
      throw new Error(`Cannot read the effective value of coin ${this.key}: no feerate given`);
    }
    return this.#effectiveValue;
  }

  /** The output value. */
  get value(): bigint {
    return this.txout.value;
  }

  /**
   * Core's `ApplyBumpFee`: records the fee needed to bump the unconfirmed ancestors to the target feerate and
   * adds it to the fee (lowering the effective value). Replaces the fee's base, not cumulative over calls.
   */
  applyBumpFee(bumpFee: bigint): void {
    if (bumpFee < 0n) throw new RangeError(`Cannot apply a bump fee of ${bumpFee}`);
    const base = this.fee - this.ancestorBumpFees;
    this.ancestorBumpFees = bumpFee;
    this.#fee = base + bumpFee;
    this.#effectiveValue = this.txout.value - this.#fee;
  }
}

function checkCount(n: number, what: string): number {
  if (!(Number.isInteger(n) && n >= 0) && n !== Infinity) {
    throw new RangeError(`Cannot make a coin: ${what} is ${n}`);
  }
  return n;
}
