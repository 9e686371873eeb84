/**
 * `getindexinfo` (Core's `src/rpc/node.cpp`): the state of the optional indexes the node runs.
 *
 * @module
 */
import type { IndexSummary } from "../../node/index/base_index.ts";
import { helpExampleCli, helpExampleRpc } from "../help.ts";
import type { RpcMethod } from "../table.ts";
import { getStr } from "../values.ts";

/** What `getindexinfo` needs from the node. */
export interface IndexInfoOptions {
  /** Summaries of the running indexes (only enabled ones), in Core's order (txindex first). */
  indexes: () => readonly IndexSummary[];
}

/** `getindexinfo`, ready for `RpcTable.registerAll`. */
export function indexInfoMethods(options: IndexInfoOptions): RpcMethod[] {
  return [{
    name: "getindexinfo",
    category: "util",
    description: "Returns the status of one or all available indices currently running in the node.\n",
    args: [{
      names: "index_name",
      type: "str",
      fallback: "omitted",
      description: "Filter results for an index with a specific name.",
    }],
    results: [{
      type: "obj_dyn",
      inner: [{
        type: "obj",
        key: "name",
        description: "The name of the index",
        inner: [
          { type: "bool", key: "synced", description: "Whether the index is synced or not" },
          {
            type: "num",
            key: "best_block_height",
            description: "The block height to which the index is synced",
          },
        ],
      }],
    }],
    examples: helpExampleCli("getindexinfo", "") + helpExampleRpc("getindexinfo", "") +
      helpExampleCli("getindexinfo", "txindex") + helpExampleRpc("getindexinfo", "txindex"),
    handler: (params) => {
      const name = params[0] === undefined || params[0] === null ? "" : getStr(params[0]);
      const result: Record<string, { synced: boolean; best_block_height: number }> = {};
      for (const s of options.indexes()) {
        if (name !== "" && name !== s.name) continue;
        result[s.name] = { synced: s.synced, best_block_height: s.bestBlockHeight };
      }
      return result;
    },
  }];
}
