/**
 * `<datadir>/<network>/fee_estimates.dat` (Core's `FeeestPath`, `CBlockPolicyEstimator` constructor and
 * `FlushFeeEstimates`): read at start unless older than {@link MAX_FILE_AGE_HOURS} (`-acceptstalefeeestimates`,
 * regtest only, reads it anyway), written at shutdown (after the still-unconfirmed transactions are counted
 * as failures) and every {@link FEE_FLUSH_INTERVAL_MS}. A missing, stale, damaged or truncated file never
 * stops the node: it logs Core's warning and starts a fresh estimator. Writes go to a temporary file that is
 * renamed over the old one, so a crash mid-write leaves the previous file.
 *
 * @module
 */

import type { Network } from "../../core/chain_params_base.ts";
import { BlockPolicyEstimator } from "./block_policy_estimator.ts";

/** The file name in the network data directory (Core's `FEE_ESTIMATES_FILENAME`). */
export const FEE_ESTIMATES_FILENAME = "fee_estimates.dat";
/** Files older than this many hours are not read (Core's `MAX_FILE_AGE`, 60 h). */
export const MAX_FILE_AGE_HOURS = 60;
/** How often the node writes the file (Core's `FEE_FLUSH_INTERVAL`, 1 h). */
export const FEE_FLUSH_INTERVAL_MS = 60 * 60 * 1000;
/** Default of `-acceptstalefeeestimates` (Core's `DEFAULT_ACCEPT_STALE_FEE_ESTIMATES`). */
export const DEFAULT_ACCEPT_STALE_FEE_ESTIMATES = false;

/** Where log lines go (the node's `Logger` fits). */
export interface FeeEstimatesLogger {
  /** An informational line. */
  info(msg: string): void;
  /** A warning line. */
  warn(msg: string): void;
}

/** How a load went. */
export type FeeEstimatesLoadStatus = "loaded" | "missing" | "stale" | "old-version" | "corrupt";

/** The result of {@link loadFeeEstimates}: always an estimator (fresh unless `status` is "loaded"). */
export interface FeeEstimatesLoad {
  /** The estimator to use. */
  estimator: BlockPolicyEstimator;
  /** What happened. */
  status: FeeEstimatesLoadStatus;
  /** The lines logged (Core's wording), in order. */
  messages: string[];
}

/** Options of {@link loadFeeEstimates}. */
export interface LoadFeeEstimatesOptions {
  /** `-acceptstalefeeestimates`: read a file older than 60 hours too. */
  acceptStale?: boolean;
  /** The current time in ms since the epoch (default `Date.now()`; the node passes its mockable clock). */
  now?: number;
  /** Logger for Core's messages. */
  logger?: FeeEstimatesLogger;
}

/** Options of {@link saveFeeEstimates}. */
export interface SaveFeeEstimatesOptions {
  /**
   * Count the still-tracked mempool transactions as having left unconfirmed first (Core's `Flush` at
   * shutdown); false (default) for the periodic write (Core's `FlushFeeEstimates`).
   */
  flushUnconfirmed?: boolean;
  /** Logger for Core's messages. */
  logger?: FeeEstimatesLogger;
}

/** The path of the file in a network data directory (Core's `FeeestPath`). */
export function feeEstimatesPath(netDataDir: string): string {
  return `${netDataDir.replace(/\/+$/, "")}/${FEE_ESTIMATES_FILENAME}`;
}

/**
 * Core's start-up check of `-acceptstalefeeestimates`: the error text when it is set outside regtest
 * ("acceptstalefeeestimates is not supported on main chain."), else null.
 */
export function checkAcceptStaleFeeEstimates(network: Network, acceptStale: boolean): string | null {
  if (acceptStale && network !== "regtest") {
    return `acceptstalefeeestimates is not supported on ${network} chain.`;
  }
  return null;
}

type FileInfo = { bytes: Uint8Array; mtime: Date | null } | "missing";

function decide(path: string, file: FileInfo | Error, options: LoadFeeEstimatesOptions): FeeEstimatesLoad {
  const messages: string[] = [];
  const info = (m: string) => {
    messages.push(m);
    options.logger?.info(m);
  };
  const warn = (m: string) => {
    messages.push(m);
    options.logger?.warn(m);
  };
  const fresh = (status: FeeEstimatesLoadStatus): FeeEstimatesLoad => ({
    estimator: new BlockPolicyEstimator(),
    status,
    messages,
  });
  if (file === "missing") {
    info(`${path} is not found. Continue anyway.`);
    return fresh("missing");
  }
  if (file instanceof Error) {
    warn(`Unable to read policy estimator data (non-fatal): ${file.message}`);
    warn(`Failed to read fee estimates from ${path}. Continue anyway.`);
    return fresh("corrupt");
  }
  const now = options.now ?? Date.now();
  const ageHours = file.mtime ? Math.trunc((now - file.mtime.getTime()) / 3_600_000) : 0;
  if (ageHours > MAX_FILE_AGE_HOURS && !options.acceptStale) {
    warn(
      `Fee estimation file ${path} too old (age=${ageHours} > ${MAX_FILE_AGE_HOURS} hours) and will not be used ` +
        "to avoid serving stale estimates.",
    );
    return fresh("stale");
  }
  try {
    const { estimator, warning } = BlockPolicyEstimator.deserialize(file.bytes);
    if (warning !== undefined) {
      warn(warning);
      return { estimator, status: "old-version", messages };
    }
    return { estimator, status: "loaded", messages };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    warn(`Unable to read policy estimator data (non-fatal): ${msg}`);
    warn(`Failed to read fee estimates from ${path}. Continue anyway.`);
    return fresh("corrupt");
  }
}

/** What a failed read of the file means: "missing" when it does not exist, else the error. */
function readFailure(err: unknown): "missing" | Error {
  if (err instanceof Deno.errors.NotFound) return "missing";
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Reads the fee estimates file at `path` as Core does at start: missing → fresh estimator ("… is not
 * found. Continue anyway."); older than 60 h without `acceptStale` → fresh ("Fee estimation file … too
 * old …"); unreadable, damaged or truncated → fresh with Core's two warnings. Never throws.
 */
export async function loadFeeEstimates(
  path: string,
  options: LoadFeeEstimatesOptions = {},
): Promise<FeeEstimatesLoad> {
  let file: FileInfo | Error;
  try {
    const stat = await Deno.stat(path);
    file = { bytes: await Deno.readFile(path), mtime: stat.mtime };
  } catch (err) {
    file = readFailure(err);
  }
  return decide(path, file, options);
}

/** {@link loadFeeEstimates} without awaiting (for start-up code that is synchronous). */
export function loadFeeEstimatesSync(path: string, options: LoadFeeEstimatesOptions = {}): FeeEstimatesLoad {
  let file: FileInfo | Error;
  try {
    const stat = Deno.statSync(path);
    file = { bytes: Deno.readFileSync(path), mtime: stat.mtime };
  } catch (err) {
    file = readFailure(err);
  }
  return decide(path, file, options);
}

function prepare(estimator: BlockPolicyEstimator, options: SaveFeeEstimatesOptions): Uint8Array {
  if (options.flushUnconfirmed) estimator.flushUnconfirmed();
  return estimator.serialize();
}

function failed(path: string, err: unknown, options: SaveFeeEstimatesOptions): false {
  const why = err instanceof Error ? `: ${err.message}` : "";
  options.logger?.warn(`Failed to write fee estimates to ${path}. Continue anyway.${why}`);
  return false;
}

/**
 * Writes the estimator to `path` (Core's `FlushFeeEstimates`; with `flushUnconfirmed`, Core's `Flush` at
 * shutdown) through a temporary file renamed into place. Returns false after logging Core's warning ("Failed
 * to write fee estimates to …. Continue anyway.") when the file cannot be written; never throws.
 */
export async function saveFeeEstimates(
  path: string,
  estimator: BlockPolicyEstimator,
  options: SaveFeeEstimatesOptions = {},
): Promise<boolean> {
  const tmp = `${path}.new`;
  try {
    await Deno.writeFile(tmp, prepare(estimator, options));
    await Deno.rename(tmp, path);
    return true;
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    return failed(path, err, options);
  }
}

/** {@link saveFeeEstimates} without awaiting (for shutdown paths that must finish synchronously). */
export function saveFeeEstimatesSync(
  path: string,
  estimator: BlockPolicyEstimator,
  options: SaveFeeEstimatesOptions = {},
): boolean {
  const tmp = `${path}.new`;
  try {
    Deno.writeFileSync(tmp, prepare(estimator, options));
    Deno.renameSync(tmp, path);
    return true;
  } catch (err) {
    try {
      Deno.removeSync(tmp);
    } catch {
      // nothing to clean up
    }
    return failed(path, err, options);
  }
}
