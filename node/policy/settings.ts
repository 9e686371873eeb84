/**
 * Policy defaults and options (Core's policy/policy.h constants, kernel/mempool_options.h, kernel/mempool_limits.h,
 * node/mempool_args.cpp and -bytespersigop): {@link PolicySettings} is the plain object the mempool and the
 * standardness checks read; {@link policySettingsFromArgs} maps the command line / bitcoin.conf onto it with
 * Core's defaults, interactions and error texts.
 *
 * @module
 */

import type { Network } from "../../core/chain_params_base.ts";
import { WITNESS_SCALE_FACTOR } from "../../core/wire/transaction.ts";
import { FeeRate } from "./feerate.ts";
import { parseMoney } from "./money.ts";
import { MAX_STANDARD_TX_WEIGHT } from "./policy.ts";

/** Default for -minrelaytxfee, sat/kvB (Core's DEFAULT_MIN_RELAY_TX_FEE: 0.1 sat/vB in current Core). */
export const DEFAULT_MIN_RELAY_TX_FEE = 100;
/** Default for -incrementalrelayfee, sat/kvB (Core's DEFAULT_INCREMENTAL_RELAY_FEE). */
export const DEFAULT_INCREMENTAL_RELAY_FEE = 100;
/** Default for -dustrelayfee, sat/kvB (Core's DUST_RELAY_TX_FEE). */
export const DUST_RELAY_TX_FEE = 3000;
/** Default for -blockmintxfee, sat/kvB (Core's DEFAULT_BLOCK_MIN_TX_FEE). */
export const DEFAULT_BLOCK_MIN_TX_FEE = 1;
/** Default for -bytespersigop (Core's DEFAULT_BYTES_PER_SIGOP). */
export const DEFAULT_BYTES_PER_SIGOP = 20;
/** Default for -permitbaremultisig (Core's DEFAULT_PERMIT_BAREMULTISIG). */
export const DEFAULT_PERMIT_BAREMULTISIG = true;
/** Default for -datacarrier (Core's DEFAULT_ACCEPT_DATACARRIER). */
export const DEFAULT_ACCEPT_DATACARRIER = true;
/**
 * Default for -datacarriersize: the total size in bytes of all OP_RETURN (nulldata) scriptPubKeys of a standard
 * transaction (Core's MAX_OP_RETURN_RELAY = MAX_STANDARD_TX_WEIGHT / WITNESS_SCALE_FACTOR = 100,000).
 */
export const MAX_OP_RETURN_RELAY: number = MAX_STANDARD_TX_WEIGHT / WITNESS_SCALE_FACTOR;
/** Default for -acceptnonstdtxn (Core's DEFAULT_ACCEPT_NON_STD_TXN). */
export const DEFAULT_ACCEPT_NON_STD_TXN = false;
/** Default for -limitclustercount: transactions per mempool cluster (Core's DEFAULT_CLUSTER_LIMIT). */
export const DEFAULT_CLUSTER_LIMIT = 64;
/** The highest -limitclustercount accepted (Core's MAX_CLUSTER_COUNT_LIMIT in txgraph.h). */
export const MAX_CLUSTER_COUNT_LIMIT = 64;
/** Default for -limitclustersize, in kvB (Core's DEFAULT_CLUSTER_SIZE_LIMIT_KVB). */
export const DEFAULT_CLUSTER_SIZE_LIMIT_KVB = 101;
/** Default for -limitancestorcount (Core's DEFAULT_ANCESTOR_LIMIT; only the wallet's coin selection uses it). */
export const DEFAULT_ANCESTOR_LIMIT = 25;
/** Default for -limitdescendantcount (Core's DEFAULT_DESCENDANT_LIMIT; only the wallet uses it). */
export const DEFAULT_DESCENDANT_LIMIT = 25;
/** Default for -maxmempool, MB (Core's DEFAULT_MAX_MEMPOOL_SIZE_MB). */
export const DEFAULT_MAX_MEMPOOL_SIZE_MB = 300;
/** Default for -maxmempool with -blocksonly, MB (Core's DEFAULT_BLOCKSONLY_MAX_MEMPOOL_SIZE_MB). */
export const DEFAULT_BLOCKSONLY_MAX_MEMPOOL_SIZE_MB = 5;
/** Default for -mempoolexpiry, hours (Core's DEFAULT_MEMPOOL_EXPIRY_HOURS). */
export const DEFAULT_MEMPOOL_EXPIRY_HOURS = 336;
/** Default for -persistmempoolv1 (Core's DEFAULT_PERSIST_V1_DAT). */
export const DEFAULT_PERSIST_V1_DAT = false;

/** Mempool topology limits (Core's `kernel::MemPoolLimits`). */
export interface MemPoolLimits {
  /** Maximum transactions in a cluster (-limitclustercount). */
  readonly clusterCount: number;
  /** Maximum virtual size of a cluster in vB (-limitclustersize × 1000); enforced on sigop-adjusted weight / 4. */
  readonly clusterSizeVbytes: number;
  /** -limitancestorcount: no longer enforced by the mempool; the wallet's coin selection reads it. */
  readonly ancestorCount: number;
  /** -limitdescendantcount: no longer enforced by the mempool; the wallet's coin selection reads it. */
  readonly descendantCount: number;
}

/** Everything the mempool's policy reads (Core's `kernel::MemPoolOptions` plus -bytespersigop). */
export interface PolicySettings {
  /** -minrelaytxfee: transactions (and packages) paying less are rejected ("min relay fee not met"). */
  readonly minRelayFeeRate: FeeRate;
  /** -incrementalrelayfee: what a replacement must add per vB of its own; mempool min fee step on eviction. */
  readonly incrementalRelayFeeRate: FeeRate;
  /** -dustrelayfee: the feerate that defines dust. */
  readonly dustRelayFeeRate: FeeRate;
  /** Total nulldata scriptPubKey bytes a standard tx may carry; null when -datacarrier=0 (none allowed). */
  readonly maxDatacarrierBytes: number | null;
  /** -permitbaremultisig: whether bare (non-P2SH) multisig outputs are standard. */
  readonly permitBareMultisig: boolean;
  /** Whether standardness rules apply (false only with -acceptnonstdtxn on a test chain). */
  readonly requireStandard: boolean;
  /** -bytespersigop: the virtual size charged per sigop (sigop-adjusted vsize). */
  readonly bytesPerSigOp: number;
  /** Cluster (and wallet-only ancestor/descendant) limits. */
  readonly limits: MemPoolLimits;
  /** -maxmempool in bytes (of estimated memory use). */
  readonly maxMempoolBytes: number;
  /** -mempoolexpiry in seconds. */
  readonly mempoolExpirySeconds: number;
  /** -checkmempool: run consistency checks every n transactions (0 = never; default 1 on regtest, else 0). */
  readonly checkRatio: number;
  /** -persistmempoolv1: write mempool.dat in the old unobfuscated format. */
  readonly persistV1Dat: boolean;
}

/** Core's default `MemPoolLimits`. */
export const DEFAULT_MEMPOOL_LIMITS: MemPoolLimits = Object.freeze({
  clusterCount: DEFAULT_CLUSTER_LIMIT,
  clusterSizeVbytes: DEFAULT_CLUSTER_SIZE_LIMIT_KVB * 1000,
  ancestorCount: DEFAULT_ANCESTOR_LIMIT,
  descendantCount: DEFAULT_DESCENDANT_LIMIT,
});

/** Core's default mempool options for `network` (only -checkmempool differs: 1 on regtest). */
export function defaultPolicySettings(network: Network = "regtest"): PolicySettings {
  return {
    minRelayFeeRate: FeeRate.fromSatPerKvB(DEFAULT_MIN_RELAY_TX_FEE),
    incrementalRelayFeeRate: FeeRate.fromSatPerKvB(DEFAULT_INCREMENTAL_RELAY_FEE),
    dustRelayFeeRate: FeeRate.fromSatPerKvB(DUST_RELAY_TX_FEE),
    maxDatacarrierBytes: DEFAULT_ACCEPT_DATACARRIER ? MAX_OP_RETURN_RELAY : null,
    permitBareMultisig: DEFAULT_PERMIT_BAREMULTISIG,
    requireStandard: !DEFAULT_ACCEPT_NON_STD_TXN,
    bytesPerSigOp: DEFAULT_BYTES_PER_SIGOP,
    limits: DEFAULT_MEMPOOL_LIMITS,
    maxMempoolBytes: DEFAULT_MAX_MEMPOOL_SIZE_MB * 1_000_000,
    mempoolExpirySeconds: DEFAULT_MEMPOOL_EXPIRY_HOURS * 3600,
    checkRatio: network === "regtest" ? 1 : 0,
    persistV1Dat: DEFAULT_PERSIST_V1_DAT,
  };
}

/**
 * The option reader {@link policySettingsFromArgs} needs; cli/args.ts's `ArgsManager` fits (names with the dash,
 * e.g. "-minrelaytxfee").
 */
export interface PolicyArgs {
  /** The option's value as a string (false → "0", true → "1"), or undefined when not set (Core's GetArg). */
  getArg(name: string): string | undefined;
  /** The option as a boolean (Core's GetBoolArg). */
  getBool(name: string, fallback: boolean): boolean;
  /** The option as an integer (Core's GetIntArg). */
  getInt(name: string, fallback: number): number;
}

/** What {@link policySettingsFromArgs} returns. */
export type PolicySettingsResult =
  | {
    readonly ok: true;
    /** The settings. */
    readonly settings: PolicySettings;
    /** Log lines Core writes while applying them (LogInfo), e.g. the minrelaytxfee interaction. */
    readonly logs: readonly string[];
    /** Init warnings Core shows (InitWarning), e.g. for the removed -limitancestorsize. */
    readonly warnings: readonly string[];
  }
  | {
    readonly ok: false;
    /** Core's init error text (shown as "Error: <text>"). */
    readonly error: string;
  };

/** C++'s int64 → unsigned int conversion (Core stores some GetIntArg results in `unsigned`). */
function toUint32(n: number): number {
  return Number(BigInt.asUintN(32, BigInt(Math.trunc(n))));
}

/** Core's chain type strings (`ChainTypeToString`). */
const CHAIN_TYPE: Record<Network, string> = {
  main: "main",
  test: "test",
  testnet4: "testnet4",
  signet: "signet",
  regtest: "regtest",
};

/**
 * Core's mempool `ApplyArgsManOptions` (plus -bytespersigop and the mempool's own -maxmempool floor): reads
 * -maxmempool, -mempoolexpiry, -checkmempool, -incrementalrelayfee, -minrelaytxfee (raised to
 * -incrementalrelayfee when only that is given), -dustrelayfee, -permitbaremultisig, -datacarrier,
 * -datacarriersize, -acceptnonstdtxn (test chains only), -persistmempoolv1, -limitclustercount (at most 64),
 * -limitclustersize, -limitancestorcount, -limitdescendantcount, -bytespersigop, and -blocksonly's smaller
 * default -maxmempool. Errors use Core's texts, e.g. "Invalid amount for -minrelaytxfee=<amount>: 'x'".
 */
export function policySettingsFromArgs(args: PolicyArgs, network: Network): PolicySettingsResult {
  const defaults = defaultPolicySettings(network);
  const logs: string[] = [];
  const warnings: string[] = [];
  const isSet = (name: string): boolean => args.getArg(name) !== undefined;
  const optInt = (name: string): number | undefined => isSet(name) ? args.getInt(name, 0) : undefined;

  const checkRatio = Math.min(Math.max(args.getInt("-checkmempool", defaults.checkRatio), 0), 1_000_000);

  let maxMempoolMb = optInt("-maxmempool");
  if (maxMempoolMb === undefined && args.getBool("-blocksonly", false)) {
    maxMempoolMb = DEFAULT_BLOCKSONLY_MAX_MEMPOOL_SIZE_MB;
    logs.push(
      `parameter interaction: -blocksonly=1 -> setting -maxmempool=${DEFAULT_BLOCKSONLY_MAX_MEMPOOL_SIZE_MB}`,
    );
  }
  const maxMempoolBytes = maxMempoolMb === undefined ? defaults.maxMempoolBytes : maxMempoolMb * 1_000_000;
  const expiryHours = optInt("-mempoolexpiry");
  const mempoolExpirySeconds = expiryHours === undefined ? defaults.mempoolExpirySeconds : expiryHours * 3600;

  const money = (name: string, fallback: FeeRate): FeeRate | string => {
    const text = args.getArg(`-${name}`);
    if (text === undefined) return fallback;
    const sats = parseMoney(text);
    return sats === null ? `Invalid amount for -${name}=<amount>: '${text}'` : FeeRate.fromSatPerKvB(sats);
  };

  const incrementalRelayFeeRate = money("incrementalrelayfee", defaults.incrementalRelayFeeRate);
  if (typeof incrementalRelayFeeRate === "string") return { ok: false, error: incrementalRelayFeeRate };
  let minRelayFeeRate = money("minrelaytxfee", defaults.minRelayFeeRate);
  if (typeof minRelayFeeRate === "string") return { ok: false, error: minRelayFeeRate };
  if (!isSet("-minrelaytxfee") && incrementalRelayFeeRate.gt(minRelayFeeRate)) {
    minRelayFeeRate = incrementalRelayFeeRate;
    logs.push(`Increasing minrelaytxfee to ${minRelayFeeRate.toString()} to match incrementalrelayfee`);
  }
  const dustRelayFeeRate = money("dustrelayfee", defaults.dustRelayFeeRate);
  if (typeof dustRelayFeeRate === "string") return { ok: false, error: dustRelayFeeRate };

  const permitBareMultisig = args.getBool("-permitbaremultisig", DEFAULT_PERMIT_BAREMULTISIG);
  const maxDatacarrierBytes = args.getBool("-datacarrier", DEFAULT_ACCEPT_DATACARRIER)
    ? toUint32(args.getInt("-datacarriersize", MAX_OP_RETURN_RELAY))
    : null;

  const requireStandard = !args.getBool("-acceptnonstdtxn", DEFAULT_ACCEPT_NON_STD_TXN);
  if (network === "main" && !requireStandard) {
    return {
      ok: false,
      error: `acceptnonstdtxn is not currently supported for ${CHAIN_TYPE[network]} chain`,
    };
  }
  const persistV1Dat = args.getBool("-persistmempoolv1", DEFAULT_PERSIST_V1_DAT);

  const d = DEFAULT_MEMPOOL_LIMITS;
  const clusterKvb = optInt("-limitclustersize");
  const limits: MemPoolLimits = {
    clusterCount: toUint32(args.getInt("-limitclustercount", d.clusterCount)),
    clusterSizeVbytes: clusterKvb === undefined ? d.clusterSizeVbytes : clusterKvb * 1000,
    ancestorCount: args.getInt("-limitancestorcount", d.ancestorCount),
    descendantCount: args.getInt("-limitdescendantcount", d.descendantCount),
  };
  if (limits.clusterCount > MAX_CLUSTER_COUNT_LIMIT) {
    return { ok: false, error: `limitclustercount must be less than or equal to ${MAX_CLUSTER_COUNT_LIMIT}` };
  }
  if (isSet("-limitancestorsize")) {
    warnings.push(
      "Option '-limitancestorsize' is given but ancestor size limits have been replaced with cluster size " +
        "limits (see -limitclustersize). This option has no effect.",
    );
  }
  if (isSet("-limitdescendantsize")) {
    warnings.push(
      "Option '-limitdescendantsize' is given but descendant size limits have been replaced with cluster size " +
        "limits (see -limitclustersize). This option has no effect.",
    );
  }

  // CTxMemPool's constructor: the pool must hold 40 maximal clusters.
  const clusterLimitBytes = limits.clusterSizeVbytes * 40;
  if (maxMempoolBytes < 0 || (maxMempoolBytes > 0 && maxMempoolBytes < clusterLimitBytes)) {
    return {
      ok: false,
      error: `-maxmempool must be at least ${Math.ceil(clusterLimitBytes / 1_000_000)} MB`,
    };
  }

  const bytesPerSigOp = toUint32(args.getInt("-bytespersigop", DEFAULT_BYTES_PER_SIGOP));

  return {
    ok: true,
    settings: {
      minRelayFeeRate,
      incrementalRelayFeeRate,
      dustRelayFeeRate,
      maxDatacarrierBytes,
      permitBareMultisig,
      requireStandard,
      bytesPerSigOp,
      limits,
      maxMempoolBytes,
      mempoolExpirySeconds,
      checkRatio,
      persistV1Dat,
    },
    logs,
    warnings,
  };
}
