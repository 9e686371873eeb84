/** Runs the escape probe inside a sandboxed Worker with the profile of the component named in Deno.args[0]. */
import { runInWorker } from "../../sandbox/worker.ts";
import { type Component, profileFor } from "../../sandbox/profile.ts";

const component = Deno.args[0] as Component;
const profile = profileFor(component, { dataDir: Deno.args[1], netDataDir: Deno.args[1] + "/regtest" });
Deno.exit(
  await runInWorker(
    component,
    component === "wallet" ? [`${Deno.args[1]}/regtest/wallets`] : [],
    profile,
    new URL("./escape_probe.ts", import.meta.url),
  ),
);
