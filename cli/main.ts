/**
 * The `tsbtc` program: `tsbtc [-m|-M] <node|wallet|gui|rpc> [options]`, like Bitcoin Core's `bitcoin` wrapper.
 *
 * @module
 */
import { runMode, USAGE } from "./run_mode.ts";
import { runInWorker } from "../sandbox/worker.ts";
import { childProfile, prepareComponent } from "./child_profile.ts";

/** Modes that run as sandboxed components when started by hand. */
const SELF_SANDBOXED = new Set(["node", "wallet", "gui"]);

/** Core's `bitcoin` wrapper flags that may stand before the mode; tsbtc is always multiprocess. */
const WRAPPER_FLAGS = new Set(["-m", "--multiprocess", "-M", "--monolithic"]);

/** Splits `argv` into the mode and its arguments; wrapper flags before the mode are accepted and dropped. */
export function splitMode(argv: readonly string[]): { mode: string | null; rest: string[] } {
  let i = 0;
  while (i < argv.length && WRAPPER_FLAGS.has(argv[i])) i++;
  if (i >= argv.length) return { mode: null, rest: [] };
  return { mode: argv[i], rest: argv.slice(i + 1) };
}

async function main(argv: string[]): Promise<number> {
  const { mode, rest } = splitMode(argv);
  if (mode === null || mode === "-h" || mode === "-help" || mode === "--help" || mode === "help") {
    console.log(USAGE);
    return mode === null ? 1 : 0;
  }
  if (mode === "-version" || mode === "--version" || mode === "version") {
    return runMode("node", ["-version"], { sandbox: "none" });
  }
  const isChild = rest.some((a) => /^--?ipcfd=/.test(a));
  // A compiled binary's permissions are baked in, so a child it spawns always narrows itself in a Worker; a
  // component started by hand narrows itself the same way, so every node, wallet and GUI runs sandboxed.
  const childInWorker = isChild && (rest.includes("-sandbox=worker") || Deno.build.standalone);
  if (childInWorker || (!isChild && SELF_SANDBOXED.has(mode))) {
    const args = isChild ? rest.filter((a) => a !== "-sandbox=worker") : rest;
    let prepared;
    try {
      prepared = await prepareComponent(mode, args);
    } catch {
      // Arguments or config that do not parse: let the mode report the error in Core's words.
      return runMode(mode, args, { sandbox: "none" });
    }
    if (prepared === null) return runMode(mode, args, { sandbox: "none" });
    return runInWorker(mode, prepared.argv, prepared.profile);
  }
  if (!isChild) return runMode(mode, rest, { sandbox: "none" });
  // A child started with --allow-* flags computes the same profile its parent applied, to report it.
  const profile = await childProfile(mode, rest).catch(() => undefined);
  return runMode(mode, rest, { sandbox: "flags", profile });
}

if (import.meta.main) {
  let code = 1;
  try {
    code = await main(Deno.args);
  } catch (err) {
    console.error(`Error: ${err instanceof Error ? err.message : String(err)}`);
  }
  Deno.exit(code);
}
