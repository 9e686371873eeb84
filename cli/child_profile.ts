/**
 * The profile a spawned child applies to itself in the Worker path (compiled binary, or `-sandbox=worker`):
 * computed from the same arguments, with the same {@linkcode profileFor} the parent uses for flags.
 *
 * @module
 */
import { type Component, type PermissionProfile, profileFor } from "../sandbox/profile.ts";
import { ArgsManager } from "./args.ts";
import { isMode } from "./options.ts";

/** The permission profile of `mode` started with `argv`. */
export async function childProfile(mode: string, argv: readonly string[]): Promise<PermissionProfile> {
  if (mode === "echo") return profileFor("echo", { dataDir: "/", netDataDir: "/" });
  if (!isMode(mode) || mode === "rpc") throw new Error(`Cannot sandbox mode "${mode}": not a component`);
  const args = ArgsManager.parse(mode, argv);
  await args.readConfigFiles();
  const walletDir = args.getArg("-walletdir");
  return profileFor(mode as Component, {
    dataDir: args.dataDir,
    netDataDir: args.netDataDir,
    configFiles: args.configPath ? [args.configPath] : [],
    walletDir: walletDir ? args.absPathForConfigVal(walletDir) : undefined,
    execPath: Deno.execPath(),
  });
}
