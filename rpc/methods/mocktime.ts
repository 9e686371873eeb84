/**
 * `setmocktime` and `mockscheduler` (Core's `src/rpc/node.cpp`): set the node's clock to a fixed time on regtest
 * (0 goes back to the system clock), and move the scheduled tasks (the wallet's periodic resend) forward.
 *
 * @module
 */
import type { Network } from "../../core/chain_params_base.ts";
import { RpcError, RpcErrorCode } from "../errors.ts";
import type { RpcMethod } from "../table.ts";
import { getInt } from "../values.ts";

/** Core's largest mock time: block timestamps are `uint32_t`. */
export const MAX_MOCKTIME = 0xffffffff;

/** What `setmocktime` needs from the node. */
export interface MocktimeMethodsOptions {
  /** The node's network: only regtest can mock the time (Core's `IsMockableChain`). */
  network: Network;
  /** Sets the node's clock to `t` seconds since the epoch; 0 means the system clock again. */
  setMockTime: (t: number) => void;
  /**
   * Moves the scheduled tasks `seconds` forward (Core's `MockForward`, then the validation queue synced and each
   * chain client's `schedulerMockForward`); resolves once they have run. Without it `mockscheduler` is not
   * registered.
   */
  mockScheduler?: (seconds: number) => Promise<void>;
}

/** Core's largest `mockscheduler` step (seconds). */
export const MAX_MOCKSCHEDULER_DELTA = 3600;

/** The `setmocktime` (and `mockscheduler`) methods, ready for `RpcTable.registerAll`. */
export function mocktimeMethods(options: MocktimeMethodsOptions): RpcMethod[] {
  const methods: RpcMethod[] = [{
    name: "setmocktime",
    category: "hidden",
    description: "Set the local time to given timestamp (-regtest only)\n",
    args: [{
      names: "timestamp",
      type: "num",
      fallback: "required",
      description: "UNIX epoch time\nPass 0 to go back to using the system time.",
    }],
    results: [{ type: "none", description: "" }],
    examples: "",
    handler: (params) => {
      if (options.network !== "regtest") {
        throw new RpcError(
          RpcErrorCode.RPC_MISC_ERROR,
          "setmocktime is for regression testing (-regtest mode) only",
        );
      }
      const time = getInt(params[0], Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      if (time < 0 || time > MAX_MOCKTIME) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          `Mocktime must be in the range [0, ${MAX_MOCKTIME}], not ${time}.`,
        );
      }
      options.setMockTime(time);
      return null;
    },
  }];
  const mockScheduler = options.mockScheduler;
  if (mockScheduler !== undefined) {
    methods.push({
      name: "mockscheduler",
      category: "hidden",
      description: "Bump the scheduler into the future (-regtest only)\n",
      args: [{
        names: "delta_time",
        type: "num",
        fallback: "required",
        description: "Number of seconds to forward the scheduler into the future.",
      }],
      results: [{ type: "none", description: "" }],
      examples: "",
      handler: async (params) => {
        if (options.network !== "regtest") {
          throw new RpcError(
            RpcErrorCode.RPC_MISC_ERROR,
            "mockscheduler is for regression testing (-regtest mode) only",
          );
        }
        const delta = getInt(params[0], Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
        if (delta <= 0 || delta > MAX_MOCKSCHEDULER_DELTA) {
          throw new RpcError(
            RpcErrorCode.RPC_MISC_ERROR,
            `delta_time must be between 1 and ${MAX_MOCKSCHEDULER_DELTA} seconds (1 hr)`,
          );
        }
        await mockScheduler(delta);
        return null;
      },
    });
  }
  return methods;
}
