/**
 * BIP9 version bits for block assembly (Core's `VersionBitsCache::ComputeBlockVersion` and the
 * `AbstractThresholdConditionChecker` state machine in versionbits.cpp): which deployments a new block signals.
 *
 * @module
 */
import {
  ALWAYS_ACTIVE,
  type BIP9Deployment,
  type ConsensusParams,
  NEVER_ACTIVE,
} from "../../core/chain_params.ts";
import type { BlockIndexEntry } from "../chain/types.ts";

/** Bits that mark a BIP9 version (`VERSIONBITS_TOP_BITS`). */
export const VERSIONBITS_TOP_BITS = 0x20000000;
/** Mask of the top bits (`VERSIONBITS_TOP_MASK`). */
export const VERSIONBITS_TOP_MASK = 0xe0000000;

/** A deployment's state (Core's `ThresholdState`). */
export type ThresholdState = "defined" | "started" | "locked_in" | "active" | "failed";

/** Cache of states per period-end entry (one per deployment), Core's `ThresholdConditionCache`. */
export type ThresholdCache = WeakMap<BlockIndexEntry, ThresholdState>;

/** The ancestor of `entry` at `height` (null below genesis), walking back through `prev`. */
export function ancestor(entry: BlockIndexEntry | null, height: number): BlockIndexEntry | null {
  let e = entry;
  if (height < 0) return null;
  while (e !== null && e.height > height) e = e.prev;
  return e;
}

/** Whether a block of nVersion `version` signals `dep` (Core's `VersionBitsConditionChecker::Condition`). */
export function signals(version: number, dep: BIP9Deployment): boolean {
  return ((version & VERSIONBITS_TOP_MASK) >>> 0) === VERSIONBITS_TOP_BITS &&
    ((version >>> dep.bit) & 1) === 1;
}

/**
 * The state of `dep` for the block after `prev` (Core's `GetStateFor`); `cache` keeps the states of period ends.
 */
export function deploymentState(
  prev: BlockIndexEntry | null,
  dep: BIP9Deployment,
  cache: ThresholdCache = new WeakMap(),
): ThresholdState {
  if (dep.startTime === ALWAYS_ACTIVE) return "active";
  if (dep.startTime === NEVER_ACTIVE) return "defined";
  const period = dep.period;
  let p = prev === null ? null : ancestor(prev, prev.height - ((prev.height + 1) % period));
  const toCompute: BlockIndexEntry[] = [];
  let state: ThresholdState = "defined";
  while (p !== null) {
    const cached = cache.get(p);
    if (cached !== undefined) {
      state = cached;
      break;
    }
    if (BigInt(p.medianTimePast) < dep.startTime) {
      // Every earlier period end is before the start time too.
      cache.set(p, "defined");
      state = "defined";
      break;
    }
    toCompute.push(p);
    p = ancestor(p, p.height - period);
  }
  while (toCompute.length > 0) {
    const end = toCompute.pop()!;
    let next = state;
    if (state === "defined") {
      if (BigInt(end.medianTimePast) >= dep.startTime) next = "started";
    } else if (state === "started") {
      let count = 0;
      let e: BlockIndexEntry | null = end;
      for (let i = 0; i < period && e !== null; i++, e = e.prev) if (signals(e.header.version, dep)) count++;
      if (count >= dep.threshold) next = "locked_in";
      else if (BigInt(end.medianTimePast) >= dep.timeout) next = "failed";
    } else if (state === "locked_in") {
      if (end.height + 1 >= dep.minActivationHeight) next = "active";
    }
    state = next;
    cache.set(end, state);
  }
  return state;
}

/**
 * The nVersion of a block after `prev` (Core's `ComputeBlockVersion`): the top bits plus the bit of every
 * deployment that is started or locked in.
 */
export function computeBlockVersion(
  prev: BlockIndexEntry | null,
  params: Pick<ConsensusParams, "deployments">,
  cache: ThresholdCache = new WeakMap(),
): number {
  let version = VERSIONBITS_TOP_BITS;
  const dep = params.deployments.testdummy;
  const state = deploymentState(prev, dep, cache);
  if (state === "started" || state === "locked_in") version |= 1 << dep.bit;
  return version | 0;
}
