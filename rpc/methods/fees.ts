/**
 * Fee estimation RPCs (Core's `src/rpc/fees.cpp`): `estimatesmartfee` and the hidden `estimaterawfee`, with
 * Core's help, arguments, result shapes and errors, answered by the node's {@link BlockPolicyEstimator}.
 *
 * @module
 */
import {
  ALL_FEE_ESTIMATE_HORIZONS,
  type BlockPolicyEstimator,
  DOUBLE_SUCCESS_PCT,
} from "../../node/fees/block_policy_estimator.ts";
import {
  feeModeFromString,
  feeModesDetail,
  invalidEstimateModeErrorMessage,
} from "../../node/fees/fee_modes.ts";
import type { EstimatorBucket } from "../../node/fees/tx_confirm_stats.ts";
import { RpcError, RpcErrorCode } from "../errors.ts";
import { helpExampleCli, helpExampleRpc, type RpcResultSpec } from "../help.ts";
import { type JsonObject, valueFromAmount } from "../json.ts";
import type { RpcMethod } from "../table.ts";
import { getInt, getReal, getStr } from "../values.ts";

/** What the fee RPCs need from the node. */
export interface FeeMethodsOptions {
  /**
   * The node's estimator, or a function giving it (it may be replaced, e.g. after a reload); null when fee
   * estimation is off (Core: `-blocksonly`), which makes both methods fail with "Fee estimation disabled".
   */
  estimator: BlockPolicyEstimator | null | (() => BlockPolicyEstimator | null);
  /** The mempool's current minimum feerate in sat/kvB (Core's `CTxMemPool::GetMinFee`). */
  mempoolMinFee: () => bigint;
  /** `-minrelaytxfee` in sat/kvB (Core's `min_relay_feerate`). */
  minRelayFee: () => bigint;
  /**
   * Waits until queued mempool/block notifications have reached the estimator (Core's
   * `SyncWithValidationInterfaceQueue`); omit when the mempool calls the estimator synchronously.
   */
  sync?: () => Promise<void> | void;
}

/** Core's `ParseConfirmTarget`: an integer in 1..maxTarget, else "Invalid conf_target, …" (-8). */
export function parseConfirmTarget(value: unknown, maxTarget: number): number {
  const target = getInt(value);
  if (target < 1 || target > maxTarget) {
    throw new RpcError(
      RpcErrorCode.RPC_INVALID_PARAMETER,
      `Invalid conf_target, must be between 1 and ${maxTarget}`,
    );
  }
  return target;
}

/** C++ `round`: halves away from zero. */
function cRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

function bucketJson(b: EstimatorBucket): JsonObject {
  return {
    startrange: cRound(b.start),
    endrange: cRound(b.end),
    withintarget: cRound(b.withinTarget * 100) / 100,
    totalconfirmed: cRound(b.totalConfirmed * 100) / 100,
    inmempool: cRound(b.inMempool * 100) / 100,
    leftmempool: cRound(b.leftMempool * 100) / 100,
  };
}

function feeRateBucketDoc(): RpcResultSpec[] {
  return [
    { type: "num", key: "startrange", description: "start of feerate range" },
    { type: "num", key: "endrange", description: "end of feerate range" },
    {
      type: "num",
      key: "withintarget",
      description:
        "number of txs over history horizon in the feerate range that were confirmed within target",
    },
    {
      type: "num",
      key: "totalconfirmed",
      description: "number of txs over history horizon in the feerate range that were confirmed at any point",
    },
    {
      type: "num",
      key: "inmempool",
      description:
        "current number of txs in mempool in the feerate range unconfirmed for at least target blocks",
    },
    {
      type: "num",
      key: "leftmempool",
      description:
        "number of txs over history horizon in the feerate range that left mempool unconfirmed after target",
    },
  ];
}

/** Core's `ElideGroup`: the first field prints as "..." and the others are skipped. */
function elide(fields: RpcResultSpec[]): RpcResultSpec[] {
  return fields.map((f, i) => ({ ...f, elision: i === 0 ? { summary: "" } : "skip" as const }));
}

function feeEstimateHorizonDoc(): RpcResultSpec[] {
  return [
    { type: "num", key: "feerate", optional: true, description: "estimate fee rate in BTC/kvB" },
    {
      type: "num",
      key: "decay",
      description: "exponential decay (per block) for historical moving average of confirmation data",
    },
    { type: "num", key: "scale", description: "The resolution of confirmation targets at this time horizon" },
    {
      type: "obj",
      key: "pass",
      optional: true,
      description: "information about the lowest range of feerates to succeed in meeting the threshold",
      inner: feeRateBucketDoc(),
    },
    {
      type: "obj",
      key: "fail",
      optional: true,
      description: "information about the highest range of feerates to fail to meet the threshold",
      inner: elide(feeRateBucketDoc()),
    },
    {
      type: "arr",
      key: "errors",
      optional: true,
      description: "Errors encountered during processing (if there are any)",
      inner: [{ type: "str", key: "error", description: "" }],
    },
  ];
}

/** `estimatesmartfee` and `estimaterawfee`, ready for `RpcTable.registerAll`. */
export function feeMethods(options: FeeMethodsOptions): RpcMethod[] {
  const estimator = (): BlockPolicyEstimator => {
    const e = typeof options.estimator === "function" ? options.estimator() : options.estimator;
    if (e === null) throw new RpcError(RpcErrorCode.RPC_INTERNAL_ERROR, "Fee estimation disabled");
    return e;
  };
  const confTargetArg = {
    names: "conf_target",
    type: "num" as const,
    fallback: "required" as const,
    description: "Confirmation target in blocks (1 - 1008)",
  };
  return [
    {
      name: "estimatesmartfee",
      category: "util",
      description: "Estimates the approximate fee per kilobyte needed for a transaction to begin\n" +
        "confirmation within conf_target blocks if possible and return the number of blocks\n" +
        "for which the estimate is valid. Uses virtual transaction size as defined\n" +
        "in BIP 141 (witness data is discounted).\n",
      args: [
        confTargetArg,
        {
          names: "estimate_mode",
          type: "str",
          fallback: { default: "economical" },
          description: "The fee estimate mode.\n" + feeModesDetail("default mode will be used"),
        },
      ],
      results: [{
        type: "obj",
        inner: [
          {
            type: "num",
            key: "feerate",
            optional: true,
            description: "estimate fee rate in BTC/kvB (only present if no errors were encountered)",
          },
          {
            type: "arr",
            key: "errors",
            optional: true,
            description: "Errors encountered during processing (if there are any)",
            inner: [{ type: "str", description: "error" }],
          },
          {
            type: "num",
            key: "blocks",
            description: "block number where estimate was found\n" +
              "The request target will be clamped between 2 and the highest target\n" +
              "fee estimation is able to return based on how long it has been running.\n" +
              "An error is returned if not enough transactions and blocks\n" +
              "have been observed to make an estimate for any number of blocks.",
          },
        ],
      }],
      examples: helpExampleCli("estimatesmartfee", "6") + helpExampleRpc("estimatesmartfee", "6"),
      handler: async (params, ctx) => {
        const fees = estimator();
        await options.sync?.();
        const confTarget = parseConfirmTarget(params[0], fees.highestTargetTracked("long"));
        const mode = feeModeFromString(getStr(ctx.arg("estimate_mode")));
        if (mode === undefined) {
          throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, invalidEstimateModeErrorMessage());
        }
        const calc = fees.estimateSmartFee(confTarget, mode === "conservative");
        const result: JsonObject = {};
        if (calc.feeRate !== 0n) {
          let feeRate = calc.feeRate;
          for (const floor of [options.mempoolMinFee(), options.minRelayFee()]) {
            if (floor > feeRate) feeRate = floor;
          }
          result.feerate = valueFromAmount(feeRate);
        } else {
          result.errors = ["Insufficient data or no feerate found"];
        }
        result.blocks = calc.returnedTarget;
        return result;
      },
    },
    {
      name: "estimaterawfee",
      category: "hidden",
      description: "WARNING: This interface is unstable and may disappear or change!\n" +
        "\nWARNING: This is an advanced API call that is tightly coupled to the specific\n" +
        "implementation of fee estimation. The parameters it can be called with\n" +
        "and the results it returns will change if the internal implementation changes.\n" +
        "\nEstimates the approximate fee per kilobyte needed for a transaction to begin\n" +
        "confirmation within conf_target blocks if possible. Uses virtual transaction size as\n" +
        "defined in BIP 141 (witness data is discounted).\n",
      args: [
        confTargetArg,
        {
          names: "threshold",
          type: "num",
          fallback: { default: 0.95 },
          description: "The proportion of transactions in a given feerate range that must have been\n" +
            "confirmed within conf_target in order to consider those feerates as high enough and proceed to check\n" +
            "lower buckets.",
        },
      ],
      results: [{
        type: "obj",
        description: "Results are returned for any horizon which tracks blocks up to the confirmation target",
        inner: [
          {
            type: "obj",
            key: "short",
            optional: true,
            description: "estimate for short time horizon",
            inner: feeEstimateHorizonDoc(),
          },
          {
            type: "obj",
            key: "medium",
            optional: true,
            description: "estimate for medium time horizon",
            inner: elide(feeEstimateHorizonDoc()),
          },
          {
            type: "obj",
            key: "long",
            optional: true,
            description: "estimate for long time horizon",
            inner: elide(feeEstimateHorizonDoc()),
          },
        ],
      }],
      examples: helpExampleCli("estimaterawfee", "6 0.9"),
      handler: async (params) => {
        const fees = estimator();
        await options.sync?.();
        const confTarget = parseConfirmTarget(params[0], fees.highestTargetTracked("long"));
        const threshold = params[1] === undefined || params[1] === null
          ? DOUBLE_SUCCESS_PCT
          : getReal(params[1]);
        if (threshold < 0 || threshold > 1) {
          throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Invalid threshold");
        }
        const result: JsonObject = {};
        for (const horizon of ALL_FEE_ESTIMATE_HORIZONS) {
          if (confTarget > fees.highestTargetTracked(horizon)) continue;
          const { feeRate, result: est } = fees.estimateRawFee(confTarget, threshold, horizon);
          const out: JsonObject = {};
          if (feeRate !== 0n) {
            out.feerate = valueFromAmount(feeRate);
            out.decay = est.decay;
            out.scale = est.scale;
            out.pass = bucketJson(est.pass);
            // fail.start -1: every range passed, there is no failed range to show.
            if (est.fail.start !== -1) out.fail = bucketJson(est.fail);
          } else {
            out.decay = est.decay;
            out.scale = est.scale;
            out.fail = bucketJson(est.fail);
            out.errors = ["Insufficient data or no feerate found which meets threshold"];
          }
          result[horizon] = out;
        }
        return result;
      },
    },
  ];
}
