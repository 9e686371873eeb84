/**
 * Permission profiles: the least Deno permissions each tsbtc component needs. One profile per component drives
 * both ways of applying it: `--allow-*` flags for a child started with `deno run` ({@linkcode toDenoFlags}),
 * and a Worker's `deno.permissions` inside a compiled binary ({@linkcode toWorkerPermissions}).
 *
 * @module
 */

import { runtimeReadPaths, workerModuleReadPaths } from "./runtime_files.ts";

/** A permission: all (`true`), none (`false`), or a list of paths / hosts / names / commands. */
export type Grant = boolean | readonly string[];

/** The permissions of one component. */
export interface PermissionProfile {
  /** Reading files (paths). */
  read: Grant;
  /** Writing files (paths). */
  write: Grant;
  /** Network (host:port). */
  net: Grant;
  /** Environment variables (names). */
  env: Grant;
  /** Running programs (commands). */
  run: Grant;
  /** System information (kinds). */
  sys: Grant;
  /** Loading native libraries (paths). */
  ffi: Grant;
}

/** Components that tsbtc runs as processes. */
export type Component = "node" | "wallet" | "echo" | "gui";

/** What a profile may depend on: where the component's files are and what it must reach. */
export interface ProfileContext {
  /** Base data directory (`-datadir`). */
  dataDir: string;
  /** Network data directory (datadir + network subfolder). */
  netDataDir: string;
  /** Config file paths the component reads (bitcoin.conf and includes). */
  configFiles?: readonly string[];
  /** Wallets directory (`-walletdir`, default `<netDataDir>/wallets`). */
  walletDir?: string;
  /** The executable used to spawn child processes (Deno itself, or the compiled binary). */
  execPath?: string;
  /** Source tree to read (tests may need it); normally nothing. */
  extraRead?: readonly string[];
  /** The only network addresses a wallet may use (`host:port`): its node's IPC address when attached over TCP,
   * or its own RPC listener when it serves RPC. */
  walletNet?: readonly string[];
  /** Files the runtime must read for modules (WebAssembly); default {@linkcode runtimeReadPaths}. */
  runtimeFiles?: readonly string[];
  /** Module folders the node's script verification Workers load; default {@linkcode workerModuleReadPaths}. */
  workerModules?: readonly string[];
}

/** Environment variables a component that spawns children passes through (Deno needs these to find its cache). */
const SPAWN_ENV = ["HOME", "DENO_DIR", "XDG_CACHE_HOME", "NO_COLOR", "TSBTC_DENO"] as const;

const NONE: PermissionProfile = {
  read: false,
  write: false,
  net: false,
  env: false,
  run: false,
  sys: false,
  ffi: false,
};

/**
 * The profile of `component` in `ctx`.
 *
 * - `echo`: nothing at all.
 * - `wallet`: files under its wallets directory only (plus, read-only, the WebAssembly its crypto loads); no network (except its own RPC listener when it serves
 *   RPC), no processes, no environment.
 * - `node`: its data directory and config files, the network, spawning the tsbtc executable (its children),
 *   the few environment variables Deno needs to start those children, and read-only the public code its script
 *   verification Workers load.
 * - `gui`: reads the data directory and config, spawns the node; no network of its own.
 */
export function profileFor(component: Component, ctx: ProfileContext): PermissionProfile {
  const conf = [...(ctx.configFiles ?? [])];
  const runtime = [...(ctx.runtimeFiles ?? runtimeReadPaths())];
  const run = ctx.execPath ? [ctx.execPath] : false;
  switch (component) {
    case "echo":
      return { ...NONE };
    case "wallet": {
      const dir = ctx.walletDir ?? `${ctx.netDataDir}/wallets`;
      return {
        ...NONE,
        read: [dir, ...runtime],
        write: [dir],
        net: ctx.walletNet?.length ? [...ctx.walletNet] : false,
      };
    }
    case "node":
      return {
        ...NONE,
        read: unique([
          ctx.dataDir,
          ...conf,
          ...(ctx.extraRead ?? []),
          ...runtime,
          ...(ctx.workerModules ?? workerModuleReadPaths()),
        ]),
        write: [ctx.dataDir],
        net: true,
        run,
        env: [...SPAWN_ENV],
        sys: ["hostname", "osRelease", "loadavg", "systemMemoryInfo"],
      };
    case "gui":
      return {
        ...NONE,
        read: unique([ctx.dataDir, ...conf, ...(ctx.extraRead ?? []), ...runtime]),
        write: [ctx.dataDir],
        run,
        env: [...SPAWN_ENV],
      };
  }
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

const NAMES = ["read", "write", "net", "env", "run", "sys", "ffi"] as const;

/** `--allow-*` flags for `deno run` that grant exactly `p` (nothing else: Deno denies what is not granted). */
export function toDenoFlags(p: PermissionProfile): string[] {
  const flags: string[] = [];
  for (const name of NAMES) {
    const g = p[name];
    if (g === true) flags.push(`--allow-${name}`);
    else if (g !== false && g.length > 0) {
      for (const item of g) {
        if (item.includes(",")) throw new Error(`Cannot grant ${name} for "${item}": it contains a comma`);
      }
      flags.push(`--allow-${name}=${g.join(",")}`);
    }
  }
  // No prompts: a child has no terminal to ask on; what is not granted fails with NotCapable.
  flags.push("--no-prompt");
  return flags;
}

/** A Worker's `deno.permissions` granting exactly `p` (used inside a compiled binary). */
export function toWorkerPermissions(p: PermissionProfile): Deno.PermissionOptionsObject {
  const out: Record<string, boolean | string[]> = { import: false };
  for (const name of NAMES) {
    const g = p[name];
    out[name] = typeof g === "boolean" ? g : g.length === 0 ? false : [...g];
  }
  return out as Deno.PermissionOptionsObject;
}
