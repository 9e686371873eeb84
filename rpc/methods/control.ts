/**
 * The control and test methods every node has (Core's `src/rpc/server.cpp` and `src/rpc/node.cpp`): `help`,
 * `stop`, `uptime`, `getrpcinfo`, `logging`, `echo`, `echojson`, plus `getblockcount`, and a factory for
 * `echoipc` whose IPC part the node supplies.
 *
 * @module
 */
import { RpcError, RpcErrorCode } from "../errors.ts";
import { helpExampleCli, helpExampleRpc } from "../help.ts";
import type { JsonValue } from "../json.ts";
import type { RpcMethod } from "../table.ts";
import { getArray, getStr } from "../values.ts";

/** The logger operations the `logging` RPC needs. */
export interface LoggingControl {
  /** Every debug category and whether it is enabled. */
  categoryStates(): Record<string, boolean>;
  /** Enables a category (or `all`/`1`); false when the name is unknown. */
  enable(category: string): boolean;
  /** Disables a category (or `all`/`1`); false when the name is unknown. */
  disable(category: string): boolean;
}

/** What the control methods need from the node. */
export interface ControlMethodsOptions {
  /** Asks the node to shut down (called by `stop`; the reply is still sent). */
  shutdown: () => void;
  /** Height of the active chain for `getblockcount` (default: always 0, no chain yet). */
  getBlockCount?: () => number | Promise<number>;
  /** Logger behind `logging` (default: no categories). */
  logging?: LoggingControl;
  /** Full path of `debug.log` for `getrpcinfo` ("" when not logging to a file). */
  logPath?: string;
  /** Start time of the process in ms since the epoch, for `uptime` (default: now). */
  startTime?: number;
  /** Program name in `stop`'s reply (default "tsbtc"). */
  clientName?: string;
  /** Version text in internal-bug reports (default "v0.1.0"). */
  version?: string;
}

const ECHO_DESCRIPTION = "Simply echo back the input arguments. This command is for testing.\n" +
  "\nIt will return an internal bug report when arg9='trigger_internal_bug' is passed.\n" +
  "\nThe difference between echo and echojson is that echojson has argument conversion enabled in the " +
  "client-side table in bitcoin-cli and the GUI. There is no server-side difference.";

function echoMethod(name: string, clientName: string, version: string): RpcMethod {
  return {
    name,
    category: "hidden",
    description: ECHO_DESCRIPTION,
    args: Array.from({ length: 10 }, (_, i) => ({
      names: `arg${i}`,
      type: "str" as const,
      fallback: "omitted" as const,
      description: "",
      skipTypeCheck: true,
    })),
    results: [{ type: "any", description: "Returns whatever was passed in" }],
    examples: "",
    losslessNumbers: true,
    handler: (params) => {
      if (params[9] === "trigger_internal_bug") {
        throw new Error(
          `Internal bug detected: request.params[9].get_str() != "trigger_internal_bug"\n` +
            `rpc/methods/control.ts (${name})\n${clientName} ${version}\n` +
            `Please report this issue to the ${clientName} developers\n`,
        );
      }
      return params;
    },
  };
}

/** The control methods, ready for `RpcTable.registerAll`. */
export function controlMethods(options: ControlMethodsOptions): RpcMethod[] {
  const clientName = options.clientName ?? "tsbtc";
  const version = options.version ?? "v0.1.0";
  const startTime = options.startTime ?? Date.now();
  const stopResult = `${clientName} stopping`;
  const logging = options.logging;
  const categories = () => Object.keys(logging?.categoryStates() ?? {}).sort();

  const help: RpcMethod = {
    name: "help",
    category: "control",
    description: "List all commands, or get help for a specified command.\n",
    args: [{
      names: "command",
      type: "str",
      fallback: { hint: "all commands" },
      description: "The command to get help on",
    }],
    results: [{ type: "str", description: "The help text" }, { type: "any" }],
    examples: "",
    handler: (params, ctx) => {
      const command = params[0] === undefined || params[0] === null ? "" : getStr(params[0]);
      if (command === "dump_all_command_conversions") return ctx.table.dumpArgMap();
      return ctx.table.help(command);
    },
  };

  const stop: RpcMethod = {
    name: "stop",
    category: "control",
    description: `Request a graceful shutdown of ${clientName}.`,
    args: [{
      names: "wait",
      type: "num",
      fallback: "omitted",
      description: "how long to wait in ms",
      hidden: true,
    }],
    results: [{ type: "str", description: `A string with the content '${stopResult}'` }],
    examples: "",
    handler: async (params) => {
      options.shutdown();
      if (typeof params[0] === "number") await new Promise((r) => setTimeout(r, params[0] as number));
      return stopResult;
    },
  };

  const uptime: RpcMethod = {
    name: "uptime",
    category: "control",
    description: "Returns the total uptime of the server.\n",
    args: [],
    results: [{ type: "num", description: "The number of seconds that the server has been running" }],
    examples: helpExampleCli("uptime", "") + helpExampleRpc("uptime", ""),
    handler: () => Math.floor((Date.now() - startTime) / 1000),
  };

  const getrpcinfo: RpcMethod = {
    name: "getrpcinfo",
    category: "control",
    description: "Returns details of the RPC server.\n",
    args: [],
    results: [{
      type: "obj",
      inner: [
        {
          type: "arr",
          key: "active_commands",
          description: "All active commands",
          inner: [{
            type: "obj",
            description: "Information about an active command",
            inner: [
              { type: "str", key: "method", description: "The name of the RPC command" },
              { type: "num", key: "duration", description: "The running time in microseconds" },
            ],
          }],
        },
        { type: "str", key: "logpath", description: "The complete file path to the debug log" },
      ],
    }],
    examples: helpExampleCli("getrpcinfo", "") + helpExampleRpc("getrpcinfo", ""),
    handler: (_params, ctx) => {
      const now = performance.now();
      return {
        active_commands: ctx.table.activeCommands().map((c) => ({
          method: c.method,
          duration: Math.floor((now - c.start) * 1000),
        })),
        logpath: options.logPath ?? "",
      };
    },
  };

  const loggingMethod: RpcMethod = {
    name: "logging",
    category: "control",
    get description() {
      return "Gets and sets the logging configuration.\n" +
        "When called without an argument, returns the list of categories with status that are currently being debug logged or not.\n" +
        "When called with arguments, adds or removes categories from debug logging and return the lists above.\n" +
        'The arguments are evaluated in order "include", "exclude".\n' +
        "If an item is both included and excluded, it will thus end up being excluded.\n" +
        "The valid logging categories are: " + categories().join(", ") + "\n" +
        "In addition, the following are available as category names with special meanings:\n" +
        '  - "all",  "1" : represent all logging categories.\n';
    },
    args: [
      {
        names: "include",
        type: "arr",
        fallback: "omitted",
        description: "The categories to add to debug logging",
        inner: [{
          names: "include_category",
          type: "str",
          fallback: "omitted",
          description: "the valid logging category",
        }],
      },
      {
        names: "exclude",
        type: "arr",
        fallback: "omitted",
        description: "The categories to remove from debug logging",
        inner: [{
          names: "exclude_category",
          type: "str",
          fallback: "omitted",
          description: "the valid logging category",
        }],
      },
    ],
    results: [{
      type: "obj_dyn",
      description: "keys are the logging categories, and values indicates its status",
      inner: [{
        type: "bool",
        key: "category",
        description: "if being debug logged or not. false:inactive, true:active",
      }],
    }],
    examples: helpExampleCli("logging", '"[\\"all\\"]" "[\\"http\\"]"') +
      helpExampleRpc("logging", '["all"], ["leveldb"]'),
    handler: (params) => {
      const apply = (cats: JsonValue, enable: boolean) => {
        for (const c of getArray(cats)) {
          const cat = getStr(c);
          const ok = logging === undefined ? false : enable ? logging.enable(cat) : logging.disable(cat);
          if (!ok) throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, `unknown logging category ${cat}`);
        }
      };
      if (Array.isArray(params[0])) apply(params[0], true);
      if (Array.isArray(params[1])) apply(params[1], false);
      const states = logging?.categoryStates() ?? {};
      const result: Record<string, boolean> = {};
      for (const k of Object.keys(states).sort()) result[k] = states[k];
      return result;
    },
  };

  const getblockcount: RpcMethod = {
    name: "getblockcount",
    category: "blockchain",
    description:
      "Returns the height of the most-work fully-validated chain.\nThe genesis block has height 0.\n",
    args: [],
    results: [{ type: "num", description: "The current block count" }],
    examples: helpExampleCli("getblockcount", "") + helpExampleRpc("getblockcount", ""),
    handler: () => options.getBlockCount ? options.getBlockCount() : 0,
  };

  return [
    getrpcinfo,
    help,
    stop,
    uptime,
    loggingMethod,
    echoMethod("echo", clientName, version),
    echoMethod("echojson", clientName, version),
    getblockcount,
  ];
}

/**
 * The `echoipc` method (Core's, category `hidden`): `echo(arg)` is supplied by the node and should spawn a
 * process, call `makeEcho` and `echo` on it, and return the string.
 */
export function echoIpcMethod(echo: (arg: string) => Promise<string>): RpcMethod {
  return {
    name: "echoipc",
    category: "hidden",
    description:
      "Echo back the input argument, passing it through a spawned process in a multiprocess build.\n" +
      "This command is for testing.\n",
    args: [{ names: "arg", type: "str", description: "The string to echo" }],
    results: [{ type: "str", key: "echo", description: "The echoed string." }],
    examples: helpExampleCli("echo", '"Hello world"') + helpExampleRpc("echo", '"Hello world"'),
    handler: (params) => echo(getStr(params[0])),
  };
}
