/**
 * Running the escape probe (escape_probe.ts) from the sandbox tests: as a child process, or inside a sandboxed
 * Worker through probe_host.ts.
 *
 * @module
 */

/** The probe: tries what a component must not do and prints one JSON line of outcomes. */
export const PROBE: URL = new URL("./escape_probe.ts", import.meta.url);
/** The Worker host that runs the probe with a component's profile. */
export const HOST: URL = new URL("./probe_host.ts", import.meta.url);

/** The probe's fixed attempts, all denied: what a component without grants (and every wallet) gets. */
export const DENIED_EVERYTHING: Readonly<Record<string, string>> = {
  readHostname: "NotCapable",
  readTmp: "NotCapable",
  writeTmp: "NotCapable",
  connect: "NotCapable",
  listen: "NotCapable",
  spawn: "NotCapable",
  env: "NotCapable",
  sys: "NotCapable",
  ffi: "NotCapable",
};

/** Runs `cmd args` and returns the probe's outcomes (its last stdout line); throws with stderr on failure. */
export async function runProbe(cmd: string, args: string[]): Promise<Record<string, string>> {
  const out = await new Deno.Command(cmd, { args, stdin: "null", stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success || !text) {
    throw new Error(`probe failed (${out.code}): ${new TextDecoder().decode(out.stderr)}`);
  }
  return JSON.parse(text.split("\n").at(-1)!);
}

/**
 * Runs the probe in a Worker with the profile the launcher computes for the wallet started by hand
 * (probe_host.ts `prepared wallet`): its arguments `argv`, its own directory and the probe's `spec`.
 */
export function runPreparedWalletProbe(
  argv: string[],
  ownDir: string,
  spec: unknown,
): Promise<Record<string, string>> {
  return runProbe(Deno.execPath(), [
    "run",
    "-A",
    "--unstable-kv",
    "--unstable-worker-options",
    HOST.href,
    "prepared",
    "wallet",
    JSON.stringify(argv),
    ownDir,
    JSON.stringify(spec),
  ]);
}
