/**
 * Block creation options from the command line (Core's `ReadMiningArgs` and `CheckMiningOptions`):
 * `-blockmintxfee`, `-blockreservedweight`, `-blockmaxweight`, and regtest's `-blockversion`, with Core's init
 * errors.
 *
 * @module
 */
import { MAX_BLOCK_WEIGHT } from "../../core/consensus/mod.ts";
import { parseMoney } from "../policy/money.ts";
import { MINIMUM_BLOCK_RESERVED_WEIGHT } from "../policy/policy.ts";
import {
  DEFAULT_BLOCK_MAX_WEIGHT,
  DEFAULT_BLOCK_MIN_TX_FEE,
  DEFAULT_BLOCK_RESERVED_WEIGHT,
} from "./block_assembler.ts";

/** The option reader {@link readMiningArgs} needs (cli/args.ts's `ArgsManager` fits). */
export interface MiningArgs {
  /** An option's value, or undefined when unset. */
  getArg(name: string): string | undefined;
  /** An integer option. */
  getInt(name: string, fallback: number): number;
  /** Whether an option is set. */
  isSet(name: string): boolean;
}

/** Block creation options (Core's `BlockCreateOptions`, flattened with its defaults). */
export interface MiningOptions {
  /** Lowest feerate of included transactions, sat/kvB. */
  readonly blockMinFeePerKvB: bigint;
  /** Weight kept for the header and coinbase. */
  readonly blockReservedWeight: number;
  /** Maximum block weight. */
  readonly blockMaxWeight: number;
  /** nVersion override (regtest only, as Core's `-blockversion` on chains that mine on demand). */
  readonly blockVersion?: number;
}

/** Reads and checks the block creation options; throws an Error with Core's init error text. */
export function readMiningArgs(args: MiningArgs, opts: { regtest: boolean }): MiningOptions {
  let blockMinFeePerKvB = DEFAULT_BLOCK_MIN_TX_FEE;
  const fee = args.getArg("-blockmintxfee");
  if (fee !== undefined) {
    const parsed = parseMoney(fee);
    if (parsed === null) throw new Error(`Invalid amount for -blockmintxfee=<amount>: '${fee}'`);
    blockMinFeePerKvB = parsed;
  }
  const reserved = args.isSet("-blockreservedweight")
    ? args.getInt("-blockreservedweight", DEFAULT_BLOCK_RESERVED_WEIGHT)
    : DEFAULT_BLOCK_RESERVED_WEIGHT;
  const max = args.isSet("-blockmaxweight")
    ? args.getInt("-blockmaxweight", DEFAULT_BLOCK_MAX_WEIGHT)
    : DEFAULT_BLOCK_MAX_WEIGHT;
  if (reserved < MINIMUM_BLOCK_RESERVED_WEIGHT) {
    throw new Error(
      `-blockreservedweight (${reserved}) is lower than minimum safety value of (${MINIMUM_BLOCK_RESERVED_WEIGHT})`,
    );
  }
  if (reserved > MAX_BLOCK_WEIGHT) {
    throw new Error(
      `-blockreservedweight (${reserved}) exceeds consensus maximum block weight (${MAX_BLOCK_WEIGHT})`,
    );
  }
  if (max > MAX_BLOCK_WEIGHT) {
    throw new Error(`-blockmaxweight (${max}) exceeds consensus maximum block weight (${MAX_BLOCK_WEIGHT})`);
  }
  if (reserved > max) throw new Error(`-blockreservedweight (${reserved}) exceeds -blockmaxweight (${max})`);
  const blockVersion = opts.regtest && args.isSet("-blockversion")
    ? args.getInt("-blockversion", 0)
    : undefined;
  return { blockMinFeePerKvB, blockReservedWeight: reserved, blockMaxWeight: max, blockVersion };
}
