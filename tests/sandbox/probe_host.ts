/**
 * Runs the escape probe inside a sandboxed Worker with the profile of the component named in Deno.args[0].
 *
 * `probe_host.ts prepared <mode> <argv json> <own dir> <probe spec json>` instead computes the profile the way
 * the launcher does for a component started by hand (`prepareComponent`: its arguments, config and IPC/RPC
 * addresses), and passes the probe its own directory and extra attempts.
 */
import { runInWorker } from "../../sandbox/worker.ts";
import { type Component, profileFor } from "../../sandbox/profile.ts";
import { prepareComponent } from "../../cli/child_profile.ts";
import { PROBE } from "./probe.ts";

if (Deno.args[0] === "prepared") {
  const [, mode, argv, ownDir, spec] = Deno.args;
  const prepared = await prepareComponent(mode, JSON.parse(argv));
  if (prepared === null) throw new Error("Cannot probe: the arguments ask for help");
  Deno.exit(await runInWorker(mode, [ownDir, spec], prepared.profile, PROBE));
}

const component = Deno.args[0] as Component;
const profile = profileFor(component, { dataDir: Deno.args[1], netDataDir: Deno.args[1] + "/regtest" });
Deno.exit(
  await runInWorker(
    component,
    component === "wallet" ? [`${Deno.args[1]}/regtest/wallets`] : [],
    profile,
    PROBE,
  ),
);
