/**
 * The part of tsbtc's `ArgsManager` (cli/args.ts) that the RPC server and client read, as a structural type so
 * that rpc/ does not import the command-line parser.
 *
 * @module
 */
import type { Network } from "../core/chain_params_base.ts";

/** The subset of tsbtc's `ArgsManager` the adapters read (structural; no import of cli/args.ts). */
export interface ArgsLike {
  /** Core's GetArg (name with dash, e.g. "-rpcport"); undefined/null when unset. */
  getArg(name: string, fallback?: string): string | null | undefined;
  /** Core's GetArgs. */
  getArgs(name: string): string[];
  /** Core's GetBoolArg. */
  getBool(name: string, fallback: boolean): boolean;
  /** Core's GetIntArg. */
  getInt(name: string, fallback: number): number;
  /** Core's IsArgSet. */
  isSet(name: string): boolean;
  /** Core's IsArgNegated (optional). */
  isNegated?(name: string): boolean;
  /** Selected network. */
  readonly network: Network;
  /** Base data directory. */
  readonly dataDir: string;
  /** Network data directory. */
  readonly netDataDir: string;
  /** Positional arguments. */
  readonly positional: readonly string[];
}
