/**
 * Output groups (Core's `OutputGroup`, `Groups`, `OutputGroupTypeMap`) and Core's `GroupOutputs`: one group per
 * coin, or with avoid-partial-spends one group per script (at most 100 coins each), sorted into the groups each
 * eligibility filter accepts, by output type, positive-only and mixed.
 *
 * @module
 */

import { FeeRate } from "../../node/policy/feerate.ts";
import { toHex } from "../../core/hash/hashes.ts";
import { type Coin, OUTPUT_TYPES, type OutputType } from "./coin.ts";
import { type CoinEligibilityFilter, filterKey } from "./eligibility.ts";
import { WITNESS_SCALE_FACTOR } from "./params.ts";

/** Most coins in one group with avoid-partial-spends (Core's `OUTPUT_GROUP_MAX_ENTRIES`). */
export const OUTPUT_GROUP_MAX_ENTRIES = 100;

/** UTXOs paid to one script and spent together (Core's `OutputGroup`); a single coin without grouping. */
export class OutputGroup {
  /** The coins of the group. */
  readonly outputs: Coin[] = [];
  /** Whether every coin was sent by us. */
  fromMe = true;
  /** Sum of the values. */
  value = 0n;
  /** Lowest depth among the coins (999 when empty). */
  depth = 999;
  /** Unconfirmed ancestors summed over the coins (may overcount shared ancestors). */
  ancestors = 0;
  /** Largest cluster count of one coin. */
  maxClusterCount = 0;
  /** Sum of the effective values. */
  effectiveValue = 0n;
  /** Fee to spend the coins at the effective feerate. */
  fee = 0n;
  /** Fee to spend the coins at the long-term feerate. */
  longTermFee = 0n;
  /** Total weight of the coins as inputs (4 × input vsize of each coin with a known size). */
  weight = 0;
  /** Feerate for the long-term fee. */
  readonly longTermFeerate: FeeRate;
  /** With subtract-fee-from-outputs the selection uses raw values instead of effective values. */
  subtractFeeOutputs: boolean;

  /** An empty group for the given long-term feerate and subtract-fee mode. */
  constructor(options: { longTermFeerate?: FeeRate; subtractFeeOutputs?: boolean } = {}) {
    this.longTermFeerate = options.longTermFeerate ?? FeeRate.empty();
    this.subtractFeeOutputs = options.subtractFeeOutputs ?? false;
  }

  /**
   * Core's `Insert`: adds a coin (which must have an effective value), setting its long-term fee from this
   * group's long-term feerate. Ancestors add up; the cluster count is the largest.
   */
  insert(coin: Coin, ancestors: number = coin.ancestors, clusterCount: number = coin.clusterCount): void {
    this.outputs.push(coin);
    this.fee += coin.fee;
    coin.longTermFee = coin.inputBytes < 0 ? 0n : this.longTermFeerate.getFee(coin.inputBytes);
    this.longTermFee += coin.longTermFee;
    this.effectiveValue += coin.effectiveValue;
    this.fromMe &&= coin.fromMe;
    this.value += coin.txout.value;
    this.depth = Math.min(this.depth, coin.depth);
    this.ancestors += ancestors;
    this.maxClusterCount = Math.max(this.maxClusterCount, clusterCount);
    if (coin.inputBytes > 0) this.weight += coin.inputBytes * WITNESS_SCALE_FACTOR;
  }

  /** Core's `EligibleForSpending`. */
  eligibleForSpending(filter: CoinEligibilityFilter): boolean {
    return this.depth >= (this.fromMe ? filter.confMine : filter.confTheirs) &&
      this.ancestors <= filter.maxAncestors && this.maxClusterCount <= filter.maxClusterCount;
  }

  /** Core's `GetSelectionAmount`: the value with subtract-fee-from-outputs, else the effective value. */
  selectionAmount(): bigint {
    return this.subtractFeeOutputs ? this.value : this.effectiveValue;
  }
}

/** Groups with a positive selection amount, and all groups (Core's `Groups`). */
export interface Groups {
  /** Groups whose selection amount is positive (BnB, CoinGrinder, SRD). */
  positive: OutputGroup[];
  /** All groups, possibly with non-positive amounts (Knapsack). */
  mixed: OutputGroup[];
}

/** Groups by output type and all together (Core's `OutputGroupTypeMap`). */
export class OutputGroupTypeMap {
  readonly #byType = new Map<OutputType, Groups>();
  /** All groups of every type. */
  readonly all: Groups = { positive: [], mixed: [] };

  /** Core's `Push`: adds to the mixed groups and, when the amount is positive, the positive groups. */
  push(group: OutputGroup, type: OutputType, insertPositive: boolean, insertMixed: boolean): void {
    if (group.outputs.length === 0) return;
    let groups = this.#byType.get(type);
    if (groups === undefined) {
      groups = { positive: [], mixed: [] };
      this.#byType.set(type, groups);
    }
    if (insertPositive && group.selectionAmount() > 0n) {
      groups.positive.push(group);
      this.all.positive.push(group);
    }
    if (insertMixed) {
      groups.mixed.push(group);
      this.all.mixed.push(group);
    }
  }

  /** Number of different output types. */
  typesCount(): number {
    return this.#byType.size;
  }

  /** The groups of each type, in Core's `OutputType` order. */
  byType(): [OutputType, Groups][] {
    return OUTPUT_TYPES.filter((t) => this.#byType.has(t)).map((t) => [t, this.#byType.get(t)!]);
  }
}

/** What {@link groupOutputs} needs from the selection parameters. */
export interface GroupingParams {
  /** Long-term feerate (long-term fees of the coins). */
  longTermFeerate: FeeRate;
  /** Subtract fee from outputs (groups select by raw value). */
  subtractFeeOutputs: boolean;
  /** Group coins by script. */
  avoidPartialSpends: boolean;
}

/** The result of {@link groupOutputs}. */
export interface GroupedOutputs {
  /** The groups each filter accepts, keyed by {@link filterKey}. */
  byFilter: Map<string, OutputGroupTypeMap>;
  /** Groups no filter accepted (Core's `ret_discarded_groups`). */
  discarded: OutputGroup[];
}

/** Core's prevector ordering of scripts: shorter first, then bytewise. */
function compareScripts(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** Coins ordered by output type as Core's `CoinsResult` map iterates them (stable within a type). */
function byTypeOrder(coins: readonly Coin[]): Coin[] {
  const buckets = new Map<OutputType, Coin[]>(OUTPUT_TYPES.map((t) => [t, []]));
  for (const c of coins) buckets.get(c.outputType)!.push(c);
  return OUTPUT_TYPES.flatMap((t) => buckets.get(t)!);
}

/**
 * Core's `GroupOutputs`. Every coin must have an effective value. Equal filters share one entry (Core would push
 * the same groups twice into it).
 */
export function groupOutputs(
  coins: readonly Coin[],
  params: GroupingParams,
  filters: readonly CoinEligibilityFilter[],
): GroupedOutputs {
  const byFilter = new Map<string, OutputGroupTypeMap>();
  const unique = new Map<string, CoinEligibilityFilter>();
  for (const f of filters) if (!unique.has(filterKey(f))) unique.set(filterKey(f), f);
  const distinct = [...unique.entries()];
  const discarded: OutputGroup[] = [];
  const entry = (key: string): OutputGroupTypeMap => {
    let m = byFilter.get(key);
    if (m === undefined) {
      m = new OutputGroupTypeMap();
      byFilter.set(key, m);
    }
    return m;
  };
  const newGroup = () =>
    new OutputGroup({
      longTermFeerate: params.longTermFeerate,
      subtractFeeOutputs: params.subtractFeeOutputs,
    });
  const ordered = byTypeOrder(coins);

  if (!params.avoidPartialSpends) {
    for (const coin of ordered) {
      const group = newGroup();
      group.insert(coin);
      let accepted = false;
      for (const [key, filter] of distinct) {
        if (!group.eligibleForSpending(filter)) continue;
        entry(key).push(group, coin.outputType, true, true);
        accepted = true;
      }
      if (!accepted) discarded.push(group);
    }
    return { byFilter, discarded };
  }

  // Group by (script, type); a new group starts when the last one is full.
  interface ScriptGroups {
    script: Uint8Array;
    type: OutputType;
    groups: OutputGroup[];
  }
  const all = new Map<string, ScriptGroups>();
  const positive = new Map<string, ScriptGroups>();
  const insertOutput = (coin: Coin, key: string, map: Map<string, ScriptGroups>) => {
    const spk = coin.txout.scriptPubKey;
    let sg = map.get(key);
    if (sg === undefined) {
      sg = { script: spk, type: coin.outputType, groups: [newGroup()] };
      map.set(key, sg);
    }
    let group = sg.groups[sg.groups.length - 1];
    if (group.outputs.length >= OUTPUT_GROUP_MAX_ENTRIES) {
      group = newGroup();
      sg.groups.push(group);
    }
    group.insert(coin);
  };
  for (const coin of ordered) {
    const key = `${coin.outputType}|${toHex(coin.txout.scriptPubKey)}`;
    if (coin.effectiveValue > 0n) insertOutput(coin, key, positive);
    insertOutput(coin, key, all);
  }
  const rank = new Map(OUTPUT_TYPES.map((t, i) => [t, i]));
  const pushGroups = (map: Map<string, ScriptGroups>, positiveOnly: boolean) => {
    const entries = [...map.values()].sort((a, b) =>
      compareScripts(a.script, b.script) || rank.get(a.type)! - rank.get(b.type)!
    );
    for (const { type, groups } of entries) {
      // Backwards: the first one handled is the partial group.
      for (let i = groups.length - 1; i >= 0; i--) {
        const group = groups[i];
        let accepted = false;
        for (const [key, filter] of distinct) {
          if (!group.eligibleForSpending(filter)) continue;
          if (i === groups.length - 1 && groups.length > 1 && !filter.includePartialGroups) continue;
          entry(key).push(group, type, positiveOnly, !positiveOnly);
          accepted = true;
        }
        if (!accepted) discarded.push(group);
      }
    }
  };
  pushGroups(all, false);
  pushGroups(positive, true);
  return { byFilter, discarded };
}
