/**
 * `listprocesses`: tsbtc's own RPC that lists the running component processes with their pid, mode and
 * effective permissions, as each process reports them over IPC.
 *
 * @module
 */
import type { ProcessInfo } from "../interfaces/init.ts";
import { helpExampleCli, helpExampleRpc } from "../rpc/help.ts";
import type { JsonValue } from "../rpc/json.ts";
import type { RpcMethod } from "../rpc/table.ts";

/** Where `listprocesses` gets its answers. */
export interface ProcessMethodsOptions {
  /** This process. */
  self: () => ProcessInfo;
  /** The spawned components, each asked over IPC. */
  children: () => Promise<ProcessInfo[]>;
}

/** Converts a report to the JSON result shape. */
export function processInfoJson(p: ProcessInfo): JsonValue {
  const perms: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(p.permissions)) perms[k] = typeof v === "boolean" ? v : [...v];
  return { name: p.name, pid: p.pid, mode: p.mode, sandbox: p.sandbox, permissions: perms };
}

/** The process-related methods. */
export function processMethods(opts: ProcessMethodsOptions): RpcMethod[] {
  return [{
    name: "listprocesses",
    category: "control",
    description:
      "Lists this process and the component processes it runs, each as the process reports itself " +
      "over IPC: its pid, mode and effective Deno permissions (true: all; a list: only those; false: none).\n" +
      "tsbtc-only.",
    args: [],
    results: [{
      type: "arr",
      description: "",
      inner: [{
        type: "obj",
        description: "",
        inner: [
          { type: "str", key: "name", description: "process name used in logs" },
          { type: "num", key: "pid", description: "operating-system process id" },
          { type: "str", key: "mode", description: "node, wallet, echo, gui…" },
          {
            type: "str",
            key: "sandbox",
            description: "how permissions were applied: flags (deno run --allow-*), worker " +
              "(Worker deno.permissions, as in a compiled binary) or none (started by hand)",
          },
          {
            type: "obj",
            key: "permissions",
            description: "read, write, net, env, run, sys, ffi: each true, false or a list",
            inner: [],
          },
        ],
      }],
    }],
    examples: helpExampleCli("listprocesses", "") + helpExampleRpc("listprocesses", ""),
    handler: async () => [opts.self(), ...await opts.children()].map(processInfoJson),
  }];
}
