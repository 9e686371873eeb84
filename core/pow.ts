/**
 * Proof of work as pure functions (Bitcoin Core's `pow.cpp`, `arith_uint256` compact encoding, `GetBlockProof`,
 * `GetBlockSubsidy`): compact "nBits" <-> 256-bit targets, the proof-of-work check, difficulty retargeting with
 * testnet's 20-minute rule and BIP94, chain work, and the block subsidy. Targets and work are bigint.
 *
 * @module
 */
import type { ConsensusParams } from "./chain_params.ts";
import { COIN, MAX_TIMEWARP } from "./chain_params.ts";

const MASK_256 = (1n << 256n) - 1n;

/** A target decoded from its compact form, with Core's flags. */
export interface CompactTarget {
  /** The target (bits beyond 256 are lost, as in Core's `arith_uint256`). */
  readonly target: bigint;
  /** The sign bit (0x00800000) was set on a non-zero mantissa. */
  readonly negative: boolean;
  /** The value does not fit in 256 bits. */
  readonly overflow: boolean;
}

/** Decodes compact `bits` (Core's `arith_uint256::SetCompact`). */
export function setCompact(bits: number): CompactTarget {
  const size = bits >>> 24;
  let word = bits & 0x007fffff;
  let target: bigint;
  if (size <= 3) {
    word >>>= 8 * (3 - size);
    target = BigInt(word);
  } else {
    target = (BigInt(word) << BigInt(8 * (size - 3))) & MASK_256;
  }
  const negative = word !== 0 && (bits & 0x00800000) !== 0;
  const overflow = word !== 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
  return { target, negative, overflow };
}

/** Encodes a target (0..2^256-1) in compact form (Core's `arith_uint256::GetCompact`). */
export function getCompact(target: bigint, negative = false): number {
  if (target < 0n || target > MASK_256) {
    throw new RangeError(`Cannot encode compact target: ${target} is not 256-bit`);
  }
  let size = target === 0n ? 0 : Math.ceil(target.toString(2).length / 8);
  let compact = size <= 3
    ? Number(target << BigInt(8 * (3 - size)))
    : Number(target >> BigInt(8 * (size - 3)));
  // The 0x00800000 bit is the sign: move a mantissa that would set it one byte down.
  if (compact & 0x00800000) {
    compact >>>= 8;
    size++;
  }
  compact = (compact | (size << 24)) >>> 0;
  if (negative && (compact & 0x007fffff) !== 0) compact = (compact | 0x00800000) >>> 0;
  return compact;
}

/**
 * The target of `bits` when it is a valid proof-of-work target for `powLimit` (Core's `DeriveTarget`): undefined
 * when negative, zero, overflowing or easier than the limit.
 */
export function deriveTarget(bits: number, powLimit: bigint): bigint | undefined {
  const { target, negative, overflow } = setCompact(bits);
  if (negative || target === 0n || overflow || target > powLimit) return undefined;
  return target;
}

/** A 32-byte hash in internal byte order as a number (Core's `UintToArith256`: little-endian). */
export function hashToBigInt(hash: Uint8Array): bigint {
  if (hash.length !== 32) throw new RangeError(`Cannot read hash as a number: length is ${hash.length}`);
  let n = 0n;
  for (let i = 31; i >= 0; i--) n = (n << 8n) | BigInt(hash[i]);
  return n;
}

/**
 * Whether block hash `hash` (internal byte order) meets the target `bits` (Core's `CheckProofOfWork`): false
 * when `bits` is not a valid target for the network or the hash is above it.
 */
export function checkProofOfWork(
  hash: Uint8Array,
  bits: number,
  params: Pick<ConsensusParams, "powLimit">,
): boolean {
  const target = deriveTarget(bits, params.powLimit);
  return target !== undefined && hashToBigInt(hash) <= target;
}

/** The consensus fields retargeting needs. */
export type PowParams = Pick<
  ConsensusParams,
  | "powLimit"
  | "powAllowMinDifficultyBlocks"
  | "enforceBIP94"
  | "powNoRetargeting"
  | "powTargetSpacing"
  | "powTargetTimespan"
  | "difficultyAdjustmentInterval"
>;

/** The inputs of a retarget (Core's `CalculateNextWorkRequired` reads them from the block index). */
export interface RetargetInput {
  /** nBits of the last block of the period. */
  readonly lastBits: number;
  /** Time of the last block of the period. */
  readonly lastBlockTime: number;
  /** Time of the first block of the period. */
  readonly firstBlockTime: number;
  /** nBits of the first block of the period (used under BIP94 instead of `lastBits`). */
  readonly firstBits?: number;
}

/**
 * The nBits of the first block of a new period (Core's `CalculateNextWorkRequired`): the old target scaled by
 * the actual timespan (clamped to a quarter .. four times the target timespan), at most the proof-of-work limit.
 * Under BIP94 (testnet4) the old target is the period's first block's, so min-difficulty blocks at its end do
 * not lower it. Regtest never retargets.
 */
export function calculateNextWorkRequired(input: RetargetInput, params: PowParams): number {
  if (params.powNoRetargeting) return input.lastBits;
  let actual = input.lastBlockTime - input.firstBlockTime;
  actual = Math.min(Math.max(actual, Math.trunc(params.powTargetTimespan / 4)), params.powTargetTimespan * 4);
  let baseBits = input.lastBits;
  if (params.enforceBIP94) {
    if (input.firstBits === undefined) throw new TypeError("Cannot retarget under BIP94 without firstBits");
    baseBits = input.firstBits;
  }
  let target = setCompact(baseBits).target;
  target = ((target * BigInt(actual)) & MASK_256) / BigInt(params.powTargetTimespan);
  if (target > params.powLimit) target = params.powLimit;
  return getCompact(target);
}

/** The facts of a block the retarget rules read. */
export interface PowBlock {
  /** Height. */
  readonly height: number;
  /** Block time. */
  readonly time: number;
  /** nBits. */
  readonly bits: number;
}

/**
 * Testnet's 20-minute rule (`fPowAllowMinDifficultyBlocks`): a block whose time is more than twice the target
 * spacing after its predecessor's may (and then must) use the minimum difficulty.
 */
export function allowsMinDifficultyBlock(
  newBlockTime: number,
  prevBlockTime: number,
  params: PowParams,
): boolean {
  return params.powAllowMinDifficultyBlocks && newBlockTime > prevBlockTime + params.powTargetSpacing * 2;
}

/**
 * The nBits of the last block at or before `block` that did not use the minimum difficulty under the 20-minute
 * rule (walking back until a retarget boundary or the genesis block).
 */
export function lastNonMinDifficultyBits(
  block: PowBlock,
  params: PowParams,
  ancestor: (height: number) => PowBlock,
): number {
  const limitBits = getCompact(params.powLimit);
  let b = block;
  while (b.height > 0 && b.height % params.difficultyAdjustmentInterval !== 0 && b.bits === limitBits) {
    b = ancestor(b.height - 1);
  }
  return b.bits;
}

/**
 * The nBits the block after `last` must have (Core's `GetNextWorkRequired`). `newBlockTime` is that block's
 * time (only the 20-minute rule reads it); `ancestor(h)` returns the block at height h on `last`'s chain.
 */
export function getNextWorkRequired(
  last: PowBlock,
  newBlockTime: number,
  params: PowParams,
  ancestor: (height: number) => PowBlock,
): number {
  const interval = params.difficultyAdjustmentInterval;
  if ((last.height + 1) % interval !== 0) {
    if (params.powAllowMinDifficultyBlocks) {
      if (allowsMinDifficultyBlock(newBlockTime, last.time, params)) return getCompact(params.powLimit);
      return lastNonMinDifficultyBits(last, params, ancestor);
    }
    return last.bits;
  }
  const first = ancestor(last.height - (interval - 1));
  return calculateNextWorkRequired(
    { lastBits: last.bits, lastBlockTime: last.time, firstBlockTime: first.time, firstBits: first.bits },
    params,
  );
}

/**
 * Whether nBits may go from `oldBits` to `newBits` at `height` (Core's `PermittedDifficultyTransition`): at a
 * retarget boundary within the factor-4 limits (after compact rounding), elsewhere unchanged; anything on networks
 * with min-difficulty blocks.
 */
export function permittedDifficultyTransition(
  params: PowParams,
  height: number,
  transition: { readonly oldBits: number; readonly newBits: number },
): boolean {
  if (params.powAllowMinDifficultyBlocks) return true;
  const { oldBits, newBits } = transition;
  if (height % params.difficultyAdjustmentInterval === 0) {
    const observed = setCompact(newBits).target;
    const bound = (timespan: number) => {
      let t = ((setCompact(oldBits).target * BigInt(timespan)) & MASK_256) / BigInt(params.powTargetTimespan);
      if (t > params.powLimit) t = params.powLimit;
      return setCompact(getCompact(t)).target;
    };
    if (bound(params.powTargetTimespan * 4) < observed) return false;
    if (bound(Math.trunc(params.powTargetTimespan / 4)) > observed) return false;
    return true;
  }
  return oldBits === newBits;
}

/**
 * The expected number of hashes to find a block with target `bits` (Core's `GetBitsProof`): 2^256 / (target + 1),
 * or 0 for a negative, zero or overflowing target.
 */
export function blockProof(bits: number): bigint {
  const { target, negative, overflow } = setCompact(bits);
  if (negative || overflow || target === 0n) return 0n;
  return (1n << 256n) / (target + 1n);
}

/**
 * Seconds it would take to redo the work difference between two chain works at the difficulty of `tipBits`
 * (Core's `GetBlockProofEquivalentTime`), negative when `toWork` < `fromWork`; clamped to ±int64 max.
 */
export function blockProofEquivalentTime(
  work: { readonly toWork: bigint; readonly fromWork: bigint; readonly tipBits: number },
  params: Pick<ConsensusParams, "powTargetSpacing">,
): number {
  const sign = work.toWork > work.fromWork ? 1 : -1;
  const diff = work.toWork > work.fromWork ? work.toWork - work.fromWork : work.fromWork - work.toWork;
  const proof = blockProof(work.tipBits);
  const r = ((diff * BigInt(params.powTargetSpacing)) & MASK_256) / proof;
  if (r === 0n) return 0;
  if (r >= 1n << 63n) return sign * Number(0x7fffffffffffffffn);
  return sign * Number(r);
}

/**
 * BIP94's timewarp check (Core's `ContextualCheckBlockHeader`, "time-timewarp-attack"): false when the first
 * block of a retarget period is more than {@link MAX_TIMEWARP} seconds earlier than its predecessor on a network
 * enforcing BIP94; true otherwise.
 */
export function checkTimewarp(
  block: { readonly height: number; readonly time: number },
  prevBlockTime: number,
  params: Pick<ConsensusParams, "enforceBIP94" | "difficultyAdjustmentInterval">,
): boolean {
  if (!params.enforceBIP94 || block.height % params.difficultyAdjustmentInterval !== 0) return true;
  return block.time >= prevBlockTime - MAX_TIMEWARP;
}

/**
 * The block subsidy at `height` in satoshis (Core's `GetBlockSubsidy`): 50 BTC halved every
 * `subsidyHalvingInterval` blocks, zero from the 64th halving on.
 */
export function getBlockSubsidy(
  height: number,
  params: Pick<ConsensusParams, "subsidyHalvingInterval">,
): bigint {
  const halvings = Math.floor(height / params.subsidyHalvingInterval);
  if (halvings >= 64) return 0n;
  return (50n * COIN) >> BigInt(halvings);
}

/**
 * The difficulty shown by RPCs (Core's `GetDifficulty`): how many times harder `bits` is than the minimum
 * mainnet difficulty 0x1d00ffff, as a double.
 */
export function getDifficulty(bits: number): number {
  let shift = (bits >>> 24) & 0xff;
  let diff = 0x0000ffff / (bits & 0x00ffffff);
  while (shift < 29) {
    diff *= 256.0;
    shift++;
  }
  while (shift > 29) {
    diff /= 256.0;
    shift--;
  }
  return diff;
}
