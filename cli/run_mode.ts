/**
 * Runs one mode of the program. Shared by the main entry point and the sandboxed Worker entry.
 *
 * @module
 */
import type { PermissionProfile } from "../sandbox/profile.ts";

/** How the current process (or Worker) was sandboxed. */
export interface RunContext {
  /** "flags": a child started with `--allow-*` flags; "worker": inside a Worker with narrowed permissions;
   * "none": started by hand, with the launcher's permissions. */
  sandbox: "flags" | "worker" | "none";
  /** The profile applied, when sandboxed. */
  profile?: PermissionProfile;
  /** The launcher already read the config files and resolved the settings into the arguments
   * (`-noconf`, see `resolvedArgv`): the component must not read config files itself. */
  resolved?: boolean;
}

/** The top-level usage text. */
export const USAGE = `Usage: tsbtc [-m|-M] <mode> [options]

Modes:
  node     Start a node (a drop-in for bitcoind). Spawns its component processes.
  wallet   Wallet process (started by a node, or by hand with -ipcconnect).
  gui      Spawn a node and open an interactive RPC console connected to it over IPC.
  rpc      Send a JSON-RPC command to a node (a drop-in for bitcoin-cli).

Run "tsbtc <mode> -help" for the options of a mode.
-m/--multiprocess and -M/--monolithic (Bitcoin Core's wrapper flags) are accepted; tsbtc is always multiprocess.`;

/** Runs `mode` with its arguments; resolves with the exit status. Unknown mode: usage and status 1. */
export async function runMode(mode: string, argv: string[], ctx: RunContext): Promise<number> {
  switch (mode) {
    case "node":
      return (await import("./node.ts")).nodeMain(argv, ctx);
    case "rpc":
      return (await import("./rpc.ts")).rpcMain(argv);
    case "gui":
      return (await import("./gui.ts")).guiMain(argv, ctx);
    case "wallet":
      return (await import("./wallet.ts")).walletMain(argv, ctx);
    case "echo":
      return (await import("./echo.ts")).echoMain(argv, ctx);
    default:
      console.error(`Error: unknown mode "${mode}"\n\n${USAGE}`);
      return 1;
  }
}
