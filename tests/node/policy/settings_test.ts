/**
 * Policy settings: Core's defaults, and how the options map onto PolicySettings (node/mempool_args.cpp), read
 * through the real ArgsManager.
 */

import { ArgsManager } from "../../../cli/args.ts";
import {
  DEFAULT_MEMPOOL_LIMITS,
  defaultPolicySettings,
  MAX_OP_RETURN_RELAY,
  type PolicyArgs,
  type PolicySettings,
  policySettingsFromArgs,
} from "../../../node/policy/settings.ts";
import type { Network } from "../../../core/chain_params_base.ts";
import { assert, assertEquals } from "../../assert.ts";

function settings(argv: string[], network: Network = "regtest"): PolicySettings {
  const r = policySettingsFromArgs(ArgsManager.parse("node", argv), network);
  if (!r.ok) throw new Error(r.error);
  return r.settings;
}

function error(argv: string[], network: Network = "regtest"): string {
  const r = policySettingsFromArgs(ArgsManager.parse("node", argv), network);
  if (r.ok) throw new Error("expected an error");
  return r.error;
}

Deno.test("defaults are Core's", () => {
  const d = defaultPolicySettings("regtest");
  assertEquals(d.minRelayFeeRate.getFeePerK(), 100n);
  assertEquals(d.minRelayFeeRate.toString(), "0.00000100 BTC/kvB");
  assertEquals(d.incrementalRelayFeeRate.getFeePerK(), 100n);
  assertEquals(d.dustRelayFeeRate.getFeePerK(), 3000n);
  assertEquals(d.maxDatacarrierBytes, MAX_OP_RETURN_RELAY);
  assertEquals(d.maxDatacarrierBytes, 100_000);
  assertEquals(d.permitBareMultisig, true);
  assertEquals(d.requireStandard, true);
  assertEquals(d.bytesPerSigOp, 20);
  assertEquals(d.limits, {
    clusterCount: 64,
    clusterSizeVbytes: 101_000,
    ancestorCount: 25,
    descendantCount: 25,
  });
  assertEquals(d.maxMempoolBytes, 300_000_000);
  assertEquals(d.mempoolExpirySeconds, 336 * 3600);
  assertEquals(d.checkRatio, 1);
  assertEquals(defaultPolicySettings("main").checkRatio, 0);
  // no options: the defaults
  const s = settings([]);
  assert(s.minRelayFeeRate.equals(d.minRelayFeeRate));
  assertEquals(s.limits, DEFAULT_MEMPOOL_LIMITS);
  assertEquals(s.maxDatacarrierBytes, 100_000);
});

Deno.test("fee options are BTC/kvB amounts", () => {
  const s = settings(["-minrelaytxfee=0.00001", "-incrementalrelayfee=0.00002", "-dustrelayfee=0.0001"]);
  assertEquals(s.minRelayFeeRate.getFeePerK(), 1000n);
  assertEquals(s.incrementalRelayFeeRate.getFeePerK(), 2000n);
  assertEquals(s.dustRelayFeeRate.getFeePerK(), 10000n);
  assertEquals(settings(["-minrelaytxfee=0"]).minRelayFeeRate.getFeePerK(), 0n);
  assertEquals(error(["-minrelaytxfee=abc"]), "Invalid amount for -minrelaytxfee=<amount>: 'abc'");
  assertEquals(error(["-incrementalrelayfee=-1"]), "Invalid amount for -incrementalrelayfee=<amount>: '-1'");
  assertEquals(
    error(["-dustrelayfee=0.000000001"]),
    "Invalid amount for -dustrelayfee=<amount>: '0.000000001'",
  );
});

Deno.test("-incrementalrelayfee alone raises -minrelaytxfee to match", () => {
  const r = policySettingsFromArgs(ArgsManager.parse("node", ["-incrementalrelayfee=0.00005"]), "regtest");
  assert(r.ok);
  assertEquals(r.settings.minRelayFeeRate.getFeePerK(), 5000n);
  assertEquals(r.logs, ["Increasing minrelaytxfee to 0.00005000 BTC/kvB to match incrementalrelayfee"]);
  // not when -minrelaytxfee is given, nor when the increment is lower
  assertEquals(
    settings(["-incrementalrelayfee=0.00005", "-minrelaytxfee=0.000001"]).minRelayFeeRate.getFeePerK(),
    100n,
  );
  assertEquals(settings(["-incrementalrelayfee=0.0000005"]).minRelayFeeRate.getFeePerK(), 100n);
});

Deno.test("-datacarrier and -datacarriersize", () => {
  assertEquals(settings(["-datacarrier=0"]).maxDatacarrierBytes, null);
  assertEquals(settings(["-nodatacarrier"]).maxDatacarrierBytes, null);
  assertEquals(settings(["-nodatacarrier", "-datacarriersize=80"]).maxDatacarrierBytes, null);
  assertEquals(settings(["-datacarriersize=83"]).maxDatacarrierBytes, 83);
  assertEquals(settings(["-datacarriersize=0"]).maxDatacarrierBytes, 0);
  // Core stores the int64 in an unsigned: -1 wraps around
  assertEquals(settings(["-datacarriersize=-1"]).maxDatacarrierBytes, 4294967295);
});

Deno.test("-permitbaremultisig, -bytespersigop, -maxmempool, -mempoolexpiry, -checkmempool", () => {
  assertEquals(settings(["-permitbaremultisig=0"]).permitBareMultisig, false);
  assertEquals(settings(["-bytespersigop=30"]).bytesPerSigOp, 30);
  assertEquals(settings(["-maxmempool=5"]).maxMempoolBytes, 5_000_000);
  assertEquals(settings(["-maxmempool=0"]).maxMempoolBytes, 0);
  assertEquals(settings(["-mempoolexpiry=1"]).mempoolExpirySeconds, 3600);
  assertEquals(settings(["-checkmempool=0"]).checkRatio, 0);
  assertEquals(settings(["-checkmempool=2000000"]).checkRatio, 1_000_000);
  assertEquals(settings(["-blocksonly"]).maxMempoolBytes, 5_000_000);
  assertEquals(settings(["-blocksonly", "-maxmempool=100"]).maxMempoolBytes, 100_000_000);
});

Deno.test("-maxmempool must hold 40 maximal clusters", () => {
  assertEquals(error(["-maxmempool=4"]), "-maxmempool must be at least 5 MB");
  assertEquals(error(["-maxmempool=-1"]), "-maxmempool must be at least 5 MB");
  assertEquals(error(["-maxmempool=10", "-limitclustersize=1000"]), "-maxmempool must be at least 40 MB");
});

Deno.test("-acceptnonstdtxn: test chains only", () => {
  assertEquals(settings(["-acceptnonstdtxn"]).requireStandard, false);
  for (const n of ["test", "testnet4", "signet"] as const) {
    assertEquals(settings(["-acceptnonstdtxn"], n).requireStandard, false);
  }
  assertEquals(
    error(["-acceptnonstdtxn"], "main"),
    "acceptnonstdtxn is not currently supported for main chain",
  );
  assertEquals(settings(["-acceptnonstdtxn=0"], "main").requireStandard, true);
});

Deno.test("cluster limits and the wallet's ancestor/descendant counts", () => {
  const s = settings([
    "-limitclustercount=10",
    "-limitclustersize=50",
    "-limitancestorcount=5",
    "-limitdescendantcount=6",
  ]);
  assertEquals(s.limits, {
    clusterCount: 10,
    clusterSizeVbytes: 50_000,
    ancestorCount: 5,
    descendantCount: 6,
  });
  assertEquals(error(["-limitclustercount=65"]), "limitclustercount must be less than or equal to 64");
  assertEquals(error(["-limitclustercount=-1"]), "limitclustercount must be less than or equal to 64");
  const r = policySettingsFromArgs(
    ArgsManager.parse("node", ["-limitancestorsize=10", "-limitdescendantsize=10"]),
    "regtest",
  );
  assert(r.ok);
  assertEquals(r.warnings, [
    "Option '-limitancestorsize' is given but ancestor size limits have been replaced with cluster size limits " +
    "(see -limitclustersize). This option has no effect.",
    "Option '-limitdescendantsize' is given but descendant size limits have been replaced with cluster size " +
    "limits (see -limitclustersize). This option has no effect.",
  ]);
});

Deno.test("any reader with Core's getters works", () => {
  const values: Record<string, string> = { "-minrelaytxfee": "0.00002", "-permitbaremultisig": "0" };
  const args: PolicyArgs = {
    getArg: (n) => values[n],
    getBool: (n, f) => (values[n] === undefined ? f : values[n] !== "0"),
    getInt: (n, f) => (values[n] === undefined ? f : Number(values[n])),
  };
  const r = policySettingsFromArgs(args, "regtest");
  assert(r.ok);
  assertEquals(r.settings.minRelayFeeRate.getFeePerK(), 2000n);
  assertEquals(r.settings.permitBareMultisig, false);
});
