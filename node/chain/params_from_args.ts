/**
 * Network parameters from the command line (Core's `ReadRegTestArgs` / `ReadSigNetArgs` parts that tsbtc
 * supports): regtest's `-testactivationheight=name@height`, `-test=bip94` and `-fastprune`; and
 * `-minimumchainwork` on every network.
 *
 * @module
 */
import {
  type BuriedDeployment,
  type ChainParams,
  chainParams,
  type ChainParamsOptions,
} from "../../core/chain_params.ts";
import type { Network } from "../../core/chain_params_base.ts";

/** The option reader {@link chainParamsFromArgs} needs (cli/args.ts's `ArgsManager` fits). */
export interface ChainParamsArgs {
  /** Every value of a repeatable option. */
  getArgs(name: string): string[];
  /** A boolean option. */
  getBool(name: string, fallback: boolean): boolean;
}

const BURIED: readonly BuriedDeployment[] = ["segwit", "bip34", "dersig", "cltv", "csv"];

/**
 * Core's parsing of `-testactivationheight` values ("name@height"); errors are Core's texts, e.g. "Invalid name
 * (foo@1) for -testactivationheight=name@height.".
 */
export function parseTestActivationHeights(
  values: readonly string[],
): Partial<Record<BuriedDeployment, number>> {
  const out: Partial<Record<BuriedDeployment, number>> = {};
  for (const arg of values) {
    const at = arg.indexOf("@");
    if (at < 0) throw new Error(`Invalid format (${arg}) for -testactivationheight=name@height.`);
    const value = arg.slice(at + 1);
    const height = /^[+-]?\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(height) || height < 0 || height >= 2 ** 31 - 1) {
      throw new Error(`Invalid height value (${arg}) for -testactivationheight=name@height.`);
    }
    const name = arg.slice(0, at);
    if (!(BURIED as readonly string[]).includes(name)) {
      throw new Error(`Invalid name (${arg}) for -testactivationheight=name@height.`);
    }
    out[name as BuriedDeployment] = height;
  }
  return out;
}

/**
 * Core's `-minimumchainwork` check: a hex number (optional 0x), else "Invalid non-hex (…) minimum chain work
 * value specified".
 */
export function parseMinimumChainWork(value: string): bigint {
  const digits = value.startsWith("0x") ? value.slice(2) : value;
  if (!/^[0-9a-fA-F]+$/.test(digits)) {
    throw new Error(`Invalid non-hex (${value}) minimum chain work value specified`);
  }
  return BigInt(`0x${digits}`);
}

/** The parameters of `network` with the options given on the command line applied (`-minimumchainwork`). */
export function chainParamsFromArgs(args: ChainParamsArgs, network: Network): ChainParams {
  const params = network === "regtest" ? regtestParams(args) : chainParams(network);
  const work = args.getArgs("-minimumchainwork").at(-1);
  if (work === undefined) return params;
  return { ...params, consensus: { ...params.consensus, minimumChainWork: parseMinimumChainWork(work) } };
}

/** Regtest with its test options (`-testactivationheight`, `-test=bip94`, `-fastprune`). */
function regtestParams(args: ChainParamsArgs): ChainParams {
  const options: ChainParamsOptions = {
    activationHeights: parseTestActivationHeights(args.getArgs("-testactivationheight")),
    enforceBIP94: args.getArgs("-test").includes("bip94"),
    fastprune: args.getBool("-fastprune", false),
  };
  return chainParams("regtest", options);
}
