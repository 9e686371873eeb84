/**
 * Shared helpers of the argument and config tests.
 *
 * @module
 */
import { ArgsError, ArgsManager } from "../../cli/args.ts";
import type { Mode } from "../../cli/options.ts";
import { assert } from "../assert.ts";

/** Home directory the tests parse with. */
export const HOME = "/home/satoshi";

/** Parses `argv` as `mode` with a fixed home and working directory. */
export function parse(argv: string[], mode: Mode = "node"): ArgsManager {
  return ArgsManager.parse(mode, argv, { home: HOME, cwd: "/work" });
}

/** Runs `fn`, expecting an ArgsError, and returns it. */
export function argsError(fn: () => unknown): ArgsError {
  try {
    fn();
  } catch (e) {
    assert(e instanceof ArgsError, `expected ArgsError, got ${e}`);
    return e;
  }
  throw new Error("expected an ArgsError");
}

/** Awaits `fn`, expecting an ArgsError, and returns it. */
export async function argsErrorAsync(fn: () => Promise<unknown>): Promise<ArgsError> {
  try {
    await fn();
  } catch (e) {
    assert(e instanceof ArgsError, `expected ArgsError, got ${e}`);
    return e;
  }
  throw new Error("expected an ArgsError");
}

/** Runs `fn` with a fresh temporary data directory holding the given files. */
export async function withDataDir(
  files: Record<string, string>,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tsbtc_args_" });
  try {
    for (const [name, text] of Object.entries(files)) {
      const path = `${dir}/${name}`;
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      await Deno.writeTextFile(path, text);
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs `fn` with args parsed from `argv` over a data directory holding `conf` as bitcoin.conf. */
export async function withConfig(
  conf: string,
  argv: string[],
  fn: (args: ArgsManager, dir: string) => Promise<void> | void,
  mode: Mode = "node",
): Promise<void> {
  await withDataDir({ "bitcoin.conf": conf }, async (dir) => {
    const args = ArgsManager.parse(mode, [`-datadir=${dir}`, ...argv], { home: HOME });
    await args.readConfigFiles();
    await fn(args, dir);
  });
}
