/**
 * The outcome of a coin selection (Core's `SelectionResult`): the chosen coins, the target they were chosen
 * for, the algorithm, and the waste metric (`RecalculateWaste`, `GetChange`, `operator<`), plus the result type
 * the algorithms return and Core's shared error texts.
 *
 * @module
 */

import { type Coin, compareOutpoints } from "./coin.ts";
import type { OutputGroup } from "./output_group.ts";
import { type SelectionRng, shuffle } from "./rng.ts";
import { WITNESS_SCALE_FACTOR } from "./params.ts";

/** Core's `SelectionAlgorithm`, by its `GetAlgorithmName`. */
export type SelectionAlgorithm = "bnb" | "knapsack" | "srd" | "cg" | "manual";

/** Core's message when every candidate input set exceeds the maximum weight. */
export const ERR_MAX_WEIGHT_EXCEEDED: string = "The inputs size exceeds the maximum weight. " +
  "Please try sending a smaller amount or manually consolidating your wallet's UTXOs";

/** Success or failure of a selection; a failure without `error` is Core's plain "no selection" (insufficient funds). */
export type SelectionOutcome =
  | { readonly ok: true; readonly result: SelectionResult }
  | { readonly ok: false; readonly error?: string };

/** A successful outcome. */
export function selected(result: SelectionResult): SelectionOutcome {
  return { ok: true, result };
}

/** A failed outcome, with Core's specific message or none (insufficient funds). */
export function failed(error?: string): SelectionOutcome {
  return error === undefined || error === "" ? { ok: false } : { ok: false, error };
}

/** A set of selected coins and its waste (Core's `SelectionResult`). */
export class SelectionResult {
  /** Amount the selection had to reach (recipients plus non-input fees, minus preset inputs). */
  target: bigint;
  /** Algorithm that produced it ("manual" for preset inputs only). */
  algorithm: SelectionAlgorithm;
  /** False when the search stopped at its attempt limit (the result may not be optimal). */
  algoCompleted = true;
  /** Number of input sets the algorithm evaluated. */
  selectionsEvaluated = 0;
  /** Total weight of the selected inputs. */
  weight = 0;
  readonly #inputs = new Map<string, Coin>();
  #useEffective = false;
  #waste: bigint | undefined;
  #bumpFeeGroupDiscount = 0n;

  /** An empty result for `target` by `algorithm`. */
  constructor(target: bigint, algorithm: SelectionAlgorithm) {
    this.target = target;
    this.algorithm = algorithm;
  }

  /** The selected coins, ordered by outpoint (Core's `GetInputSet`). */
  get inputs(): Coin[] {
    return [...this.#inputs.values()].sort((a, b) => compareOutpoints(a.outpoint, b.outpoint));
  }

  /** Number of selected coins. */
  get size(): number {
    return this.#inputs.size;
  }

  /** Whether values for waste and change are effective values (false with subtract-fee-from-outputs). */
  get useEffective(): boolean {
    return this.#useEffective;
  }

  /** The selected coins in random order (Core's `GetShuffledInputVector`). */
  shuffledInputs(rng: SelectionRng): Coin[] {
    const coins = [...this.#inputs.values()];
    shuffle(coins, rng);
    return coins;
  }

  #insert(coins: Iterable<Coin>): void {
    const add: Coin[] = [];
    const seen = new Set<string>();
    for (const c of coins) {
      if (this.#inputs.has(c.key) || seen.has(c.key)) {
        throw new Error("Internal bug detected: Shared UTXOs among selection results");
      }
      seen.add(c.key);
      add.push(c);
    }
    for (const c of add) this.#inputs.set(c.key, c);
  }

  /** Sum of the selected values. */
  selectedValue(): bigint {
    let sum = 0n;
    for (const c of this.#inputs.values()) sum += c.txout.value;
    return sum;
  }

  /** Sum of the selected effective values plus the bump fee group discount. */
  selectedEffectiveValue(): bigint {
    let sum = 0n;
    for (const c of this.#inputs.values()) sum += c.effectiveValue;
    return sum + this.#bumpFeeGroupDiscount;
  }

  /** Sum of the ancestor bump fees minus the group discount. */
  totalBumpFees(): bigint {
    let sum = 0n;
    for (const c of this.#inputs.values()) sum += c.ancestorBumpFees;
    return sum - this.#bumpFeeGroupDiscount;
  }

  /** Removes every input and the waste. */
  clear(): void {
    this.#inputs.clear();
    this.#waste = undefined;
    this.weight = 0;
  }

  /** Adds every coin of a group (Core's `AddInput`). */
  addInput(group: OutputGroup): void {
    this.#insert(group.outputs);
    this.#useEffective = !group.subtractFeeOutputs;
    this.weight += group.weight;
  }

  /** Adds coins directly, e.g. preset inputs (Core's `AddInputs`). */
  addInputs(coins: Iterable<Coin>, subtractFeeOutputs: boolean): void {
    const list = [...coins];
    this.#insert(list);
    this.#useEffective = !subtractFeeOutputs;
    for (const c of list) this.weight += Math.max(c.inputBytes, 0) * WITNESS_SCALE_FACTOR;
  }

  /** How much the inputs' individual bump fees overestimate their shared ancestry's (≥ 0). */
  setBumpFeeDiscount(discount: bigint): void {
    if (discount < 0n) throw new RangeError(`Cannot set a bump fee discount of ${discount}`);
    this.#bumpFeeGroupDiscount = discount;
  }

  /**
   * Core's `RecalculateWaste`: Σ(fee − long-term fee) − bump fee discount, plus `changeCost` when there is
   * change (see {@link SelectionResult.getChange}), else plus the excess over the target.
   */
  recalculateWaste(minViableChange: bigint, changeCost: bigint, changeFee: bigint): void {
    if (this.#inputs.size === 0) throw new Error("Cannot compute the waste of an empty selection");
    let waste = 0n;
    for (const c of this.#inputs.values()) waste += c.fee - c.longTermFee;
    waste -= this.#bumpFeeGroupDiscount;
    if (this.getChange(minViableChange, changeFee) !== 0n) {
      waste += changeCost;
    } else {
      const selectedValue = this.#useEffective ? this.selectedEffectiveValue() : this.selectedValue();
      if (selectedValue < this.target) {
        throw new Error(
          `Cannot compute the waste: selected ${selectedValue} is below the target ${this.target}`,
        );
      }
      waste += selectedValue - this.target;
    }
    this.#waste = waste;
  }

  /** The waste computed by the last {@link SelectionResult.recalculateWaste}. */
  get waste(): bigint {
    if (this.#waste === undefined) throw new Error("Cannot read the waste: it was not computed");
    return this.#waste;
  }

  /** Whether the waste has been computed. */
  hasWaste(): boolean {
    return this.#waste !== undefined;
  }

  /**
   * Core's `Merge`: adds another result's inputs (no coin may be in both), targets and weights; a manual result
   * takes the other's algorithm.
   */
  merge(other: SelectionResult): void {
    this.#insert(other.#inputs.values());
    this.target += other.target;
    this.#useEffective ||= other.#useEffective;
    if (this.algorithm === "manual") this.algorithm = other.algorithm;
    this.weight += other.weight;
  }

  /**
   * Core's `GetChange`: selected effective value − target − change fee (raw value − target with
   * subtract-fee-from-outputs), or 0 when below `minViableChange`.
   */
  getChange(minViableChange: bigint, changeFee: bigint): bigint {
    const change = this.#useEffective
      ? this.selectedEffectiveValue() - this.target - changeFee
      : this.selectedValue() - this.target;
    return change < minViableChange ? 0n : change;
  }

  /** Core's `operator<`: less waste, or the same waste and more inputs. Both wastes must be computed. */
  isBetterThan(other: SelectionResult): boolean {
    return this.waste < other.waste || (this.waste === other.waste && this.size > other.size);
  }
}

/** The first least result by {@link SelectionResult.isBetterThan} (Core's `std::min_element`). */
export function bestResult(results: readonly SelectionResult[]): SelectionResult {
  if (results.length === 0) throw new RangeError("Cannot choose among no selection results");
  let best = results[0];
  for (let i = 1; i < results.length; i++) if (results[i].isBetterThan(best)) best = results[i];
  return best;
}
