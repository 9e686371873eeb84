/**
 * `getdeploymentinfo` (Core's `src/rpc/blockchain.cpp`): the script flags of a block and the state of each
 * consensus deployment at it — the buried ones (bip34, bip66, bip65, csv, segwit) by height, and the BIP9
 * version-bits ones (testdummy) with their state, since when, the next state and the signalling statistics of the
 * current period (Core's `VersionBitsCache::Info`).
 *
 * @module
 */
import {
  ALWAYS_ACTIVE,
  type BIP9Deployment,
  type ConsensusParams,
  NEVER_ACTIVE,
} from "../../core/chain_params.ts";
import { scriptFlagNames } from "../../core/script/flags.ts";
import type { BlockIndexEntry, Chainstate } from "../../node/chain/types.ts";
import { scriptFlagsFor } from "../../node/chain/validation.ts";
import { ancestor, deploymentState, signals, type ThresholdCache } from "../../node/mining/version_bits.ts";
import { RpcError, RpcErrorCode } from "../errors.ts";
import { helpExampleCli, helpExampleRpc } from "../help.ts";
import { type JsonObject, rawNumber } from "../json.ts";
import type { RpcMethod } from "../table.ts";
import { parseHashV } from "./rawtransaction.ts";

/** Buried deployments in Core's order with their names (Core's `DeploymentName`). */
const BURIED: readonly (readonly [string, (c: ConsensusParams) => number])[] = [
  ["bip34", (c) => c.bip34Height],
  ["bip66", (c) => c.bip66Height],
  ["bip65", (c) => c.bip65Height],
  ["csv", (c) => c.csvHeight],
  ["segwit", (c) => c.segwitHeight],
];

/** Core's `GetStateSinceHeightFor`: the height of the first block the state for the block after `prev` applies to. */
function stateSinceHeight(prev: BlockIndexEntry | null, dep: BIP9Deployment, cache: ThresholdCache): number {
  if (dep.startTime === ALWAYS_ACTIVE || dep.startTime === NEVER_ACTIVE) return 0;
  const initial = deploymentState(prev, dep, cache);
  if (initial === "defined" || prev === null) return 0;
  let p = ancestor(prev, prev.height - ((prev.height + 1) % dep.period))!;
  let previous = ancestor(p, p.height - dep.period);
  while (previous !== null && deploymentState(previous, dep, cache) === initial) {
    p = previous;
    previous = ancestor(p, p.height - dep.period);
  }
  return p.height + 1;
}

/** Core's `DeploymentInfo` for the block at `entry`. */
export function deploymentInfo(entry: BlockIndexEntry, consensus: ConsensusParams): JsonObject {
  const out: JsonObject = {};
  for (const [name, heightOf] of BURIED) {
    const height = heightOf(consensus);
    out[name] = { type: "buried", active: entry.height + 1 >= height, height };
  }
  const dep = consensus.deployments.testdummy;
  if (dep.startTime !== NEVER_ACTIVE) {
    const cache: ThresholdCache = new WeakMap();
    const current = deploymentState(entry.prev, dep, cache);
    const next = deploymentState(entry, dep, cache);
    const since = stateSinceHeight(entry.prev, dep, cache);
    const hasSignal = current === "started" || current === "locked_in";
    const bip9: JsonObject = {};
    if (hasSignal) bip9.bit = dep.bit;
    // int64 values written exactly (NO_TIMEOUT is 2^63-1, beyond a double).
    bip9.start_time = rawNumber(dep.startTime.toString());
    bip9.timeout = rawNumber(dep.timeout.toString());
    bip9.min_activation_height = dep.minActivationHeight;
    bip9.status = current;
    bip9.since = since;
    bip9.status_next = next;
    if (hasSignal) {
      const inPeriod = 1 + (entry.height % dep.period);
      const signalling: boolean[] = new Array(inPeriod).fill(false);
      let count = 0;
      let e: BlockIndexEntry | null = entry;
      for (let i = inPeriod - 1; i >= 0 && e !== null; i--, e = e.prev) {
        if (signals(e.header.version, dep)) {
          count++;
          signalling[i] = true;
        }
      }
      const threshold = current === "locked_in" ? 0 : dep.threshold;
      const possible = current === "locked_in" ? false : dep.period - dep.threshold >= inPeriod - count;
      const stats: JsonObject = { period: dep.period, elapsed: inPeriod, count };
      if (threshold > 0 || possible) {
        stats.threshold = threshold;
        stats.possible = possible;
      }
      bip9.statistics = stats;
      bip9.signalling = signalling.map((s) => s ? "#" : "-").join("");
    }
    const rv: JsonObject = { type: "bip9" };
    let active = false;
    const activeSince = current === "active" ? since : next === "active" ? entry.height + 1 : undefined;
    if (activeSince !== undefined) {
      rv.height = activeSince;
      active = activeSince <= entry.height + 1;
    }
    rv.active = active;
    rv.bip9 = bip9;
    out.testdummy = rv;
  }
  return out;
}

/** The `getdeploymentinfo` method. */
export function deploymentInfoMethods(options: { chain: () => Chainstate }): RpcMethod[] {
  return [{
    name: "getdeploymentinfo",
    category: "blockchain",
    description:
      "Returns an object containing various state info regarding deployments of consensus changes.\n" +
      'Consensus changes for which the new rules are enforced from genesis are not listed in "deployments".',
    args: [{
      names: "blockhash",
      type: "str_hex",
      fallback: { hint: "hash of current chain tip" },
      description: "The block hash at which to query deployment state",
    }],
    results: [{
      type: "obj",
      description: "",
      inner: [
        { type: "str", key: "hash", description: "requested block hash (or tip)" },
        { type: "num", key: "height", description: "requested block height (or tip)" },
        {
          type: "arr",
          key: "script_flags",
          description: "script verify flags for the block",
          inner: [{ type: "str", key: "flag", description: "a script verify flag" }],
        },
        { type: "obj_dyn", key: "deployments", description: "", inner: [] },
      ],
    }],
    examples: helpExampleCli("getdeploymentinfo", "") + helpExampleRpc("getdeploymentinfo", ""),
    handler: (params) => {
      const chain = options.chain();
      let entry = chain.tip();
      if (params[0] !== undefined && params[0] !== null) {
        const found = chain.lookup(parseHashV(params[0], "blockhash"));
        if (found === undefined) {
          throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
        }
        entry = found;
      }
      const c = chain.params.consensus;
      return {
        hash: entry.hashHex,
        height: entry.height,
        script_flags: scriptFlagNames(scriptFlagsFor(chain.params, entry.height, entry.hashHex)),
        deployments: deploymentInfo(entry, c),
      };
    },
  }];
}
