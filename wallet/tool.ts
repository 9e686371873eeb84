/**
 * The offline wallet tool's commands (Core's `wallet/wallettool.cpp` and the dump half of `wallet/dump.cpp`):
 * `create`, `info`, `dump` and `createfromdump` over a wallet's database, opened directly — no node, and never
 * a wallet another process holds (the database's lock refuses it with Core's message).
 *
 * Core runs these with a `CWallet` whose chain is `nullptr`; here the wallet gets {@linkcode offlineChain}:
 * it knows no block (a wallet created offline has no best block, and rescans from genesis when a node loads
 * it, as in Core), and any other use of the node fails loudly.
 *
 * @module
 */
import type { Network } from "../core/chain_params_base.ts";
import type { Chain } from "../interfaces/chain.ts";
import { RpcError } from "../rpc/errors.ts";
import { WalletContext } from "./context.ts";
import { hasWalletDatabase, Keys, WALLET_LOCK_FILE, WalletDatabase, WalletDatabaseError } from "./db/mod.ts";
import {
  decodeRecordKey,
  DumpError,
  type DumpRecord,
  encodeRecordKey,
  readDumpFile,
  writeDumpFile,
} from "./dump.ts";
import { DEFAULT_KEYPOOL_SIZE } from "./scriptpubkeyman.ts";
import { defaultWalletSettings, Wallet, type WalletEnvironment } from "./wallet.ts";

/** The database format the tool reports and writes in dumps (a Deno KV database per wallet). */
export const WALLET_DB_FORMAT = "tsbtc_kv";

/** The wallet tool's commands. */
export type WalletToolCommand = "info" | "create" | "dump" | "createfromdump";

/** What a wallet tool command works on. */
export interface WalletToolOptions {
  /** The command. */
  command: WalletToolCommand;
  /** `-wallet`, or undefined when not given. */
  wallet: string | undefined;
  /** The wallets directory (absolute). */
  walletDir: string;
  /** Network of keys and addresses. */
  network: Network;
  /** `-dumpfile` (absolute), if given. */
  dumpFile?: string;
  /** `-keypool` (default 1000). */
  keypoolSize?: number;
  /** Writes a text to standard output (Core's `std::cout`). */
  out: (text: string) => void;
  /** Writes a text to standard error (Core's `std::cerr`). */
  err: (text: string) => void;
  /** Current time in seconds (default: the clock). */
  now?: () => number;
}

const OFFLINE = "The wallet tool runs without a node";

/**
 * The chain of a wallet the tool opens (Core's `chain == nullptr`): it has no block (`getHeight` is null);
 * every other call rejects with `The wallet tool runs without a node (<method>)`.
 */
export function offlineChain(): Chain {
  return new Proxy({} as Chain, {
    get(_target, prop) {
      if (prop === "getHeight") return () => Promise.resolve(null);
      if (prop === "then") return undefined;
      return () => Promise.reject(new Error(`${OFFLINE} (${String(prop)})`));
    },
  });
}

/**
 * The environment of a wallet the tool opens. `topUp` false: the lookahead stays as stored (Core's tool tops
 * up only a wallet it creates; `info` reports the keypool as it is).
 */
function environment(opts: WalletToolOptions, topUp: boolean): WalletEnvironment {
  return {
    chain: offlineChain(),
    network: opts.network,
    keypoolSize: topUp ? opts.keypoolSize ?? DEFAULT_KEYPOOL_SIZE : 1,
    addressType: "bech32",
    settings: defaultWalletSettings(),
    now: opts.now ?? (() => Math.floor(Date.now() / 1000)),
  };
}

/** Core's `GetWalletPath` for the tool: the wallet's directory, or its error text (without a prefix). */
async function walletPath(opts: WalletToolOptions, name: string): Promise<string> {
  const ctx = new WalletContext({ chain: offlineChain(), walletDir: opts.walletDir, network: opts.network });
  try {
    return await ctx.walletPath(name);
  } catch (e) {
    if (e instanceof RpcError) {
      throw new DumpError(e.message.replace(/^Wallet file verification failed\. /, ""));
    }
    throw e;
  }
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Core's `MakeDatabase` checks for an existing wallet (`require_existing`). */
async function requireExisting(path: string): Promise<void> {
  if (!await pathExists(path)) {
    throw new DumpError(`Failed to load database path '${path}'. Path does not exist.`);
  }
  if (!await hasWalletDatabase(path)) {
    throw new DumpError(`Failed to load database path '${path}'. Data is not in recognized format.`);
  }
}

/** Core's `MakeDatabase` check for a new wallet (`require_create`). */
async function requireCreate(path: string): Promise<void> {
  if (await hasWalletDatabase(path)) {
    throw new DumpError(`Failed to create database path '${path}'. Database already exists.`);
  }
}

/** Core's `WalletShowInfo` (after the keypool top-up the wallet runs in the background, as Core's is done). */
async function showInfo(opts: WalletToolOptions, w: Wallet): Promise<void> {
  await w.keypoolReady();
  const active = w.descriptors().filter((d) => w.activeRole(d).active);
  const hd = active.length > 0 && active.every((d) => d.isRange());
  const { external, internal } = w.keypoolSizes();
  const encrypted = w.isCrypted() || (await w.db.get(Keys.masterKey)) !== null;
  opts.out(
    "Wallet info\n===========\n" +
      `Name: ${w.name}\n` +
      `Format: ${WALLET_DB_FORMAT}\n` +
      `Descriptors: ${w.hasFlag("descriptor_wallet") ? "yes" : "no"}\n` +
      `Encrypted: ${encrypted ? "yes" : "no"}\n` +
      `HD (hd seed available): ${hd ? "yes" : "no"}\n` +
      `Keypool Size: ${external + internal}\n` +
      `Transactions: ${w.txCount}\n` +
      `Address Book: ${w.addressBook().size}\n`,
  );
}

/** A database problem as the tool prints it (Core prints `error.original`). */
function dbError(e: unknown): DumpError {
  if (e instanceof DumpError) return e;
  if (e instanceof WalletDatabaseError) return new DumpError(e.message);
  return new DumpError(e instanceof Error ? e.message : String(e));
}

async function create(opts: WalletToolOptions, name: string, path: string): Promise<boolean> {
  if (name === "") {
    opts.err("Wallet name cannot be empty\n");
    return false;
  }
  await requireCreate(path);
  await Deno.mkdir(path, { recursive: true });
  // Core prints this once the descriptors are set up, before topping them up (Wallet.create does both).
  opts.out("Topping up keypool...\n");
  await openAndShowInfo(opts, () => Wallet.create(environment(opts, true), name, path));
  return true;
}

async function info(opts: WalletToolOptions, name: string, path: string): Promise<boolean> {
  await requireExisting(path);
  await openAndShowInfo(opts, () => Wallet.load(environment(opts, false), name, path));
  return true;
}

/** Opens a wallet with `open` (its errors as {@link dbError}s), prints its info and closes it. */
async function openAndShowInfo(opts: WalletToolOptions, open: () => Promise<Wallet>): Promise<void> {
  let w: Wallet;
  try {
    w = await open();
  } catch (e) {
    throw dbError(e);
  }
  try {
    await showInfo(opts, w);
  } finally {
    await w.close();
  }
}

async function* dumpRecords(db: WalletDatabase): AsyncIterable<DumpRecord> {
  for await (const [key, value] of db.list([])) yield { key: encodeRecordKey(key), value };
}

async function dump(opts: WalletToolOptions, _name: string, path: string): Promise<boolean> {
  await requireExisting(path);
  let db: WalletDatabase;
  try {
    db = await WalletDatabase.open(path);
  } catch (e) {
    throw dbError(e);
  }
  try {
    if (!opts.dumpFile) {
      throw new DumpError("No dump file provided. To use dump, -dumpfile=<filename> must be provided.");
    }
    await writeDumpFile(opts.dumpFile, WALLET_DB_FORMAT, dumpRecords(db));
  } finally {
    await db.close();
  }
  opts.out(
    "The dumpfile may contain private keys. To ensure the safety of your Bitcoin, do not share the dumpfile.\n",
  );
  return true;
}

async function createFromDump(opts: WalletToolOptions, name: string, path: string): Promise<boolean> {
  if (name === "") {
    opts.err("Wallet name cannot be empty\n");
    return false;
  }
  if (!opts.dumpFile) {
    throw new DumpError(
      "No dump file provided. To use createfromdump, -dumpfile=<filename> must be provided.",
    );
  }
  const existed = await pathExists(path);
  let db: WalletDatabase | null = null;
  let ok = false;
  try {
    const contents = await readDumpFile(opts.dumpFile, WALLET_DB_FORMAT, {
      afterHeader: async () => {
        await requireCreate(path);
        await Deno.mkdir(path, { recursive: true });
        try {
          db = await WalletDatabase.open(path);
        } catch (e) {
          throw dbError(e);
        }
      },
    });
    const mutations = contents.records.map((r) => {
      let key: Deno.KvKey;
      try {
        key = decodeRecordKey(r.key);
      } catch {
        throw new DumpError("Error: Unable to write record to new wallet");
      }
      return { type: "set" as const, key, value: r.value };
    });
    await db!.write(mutations);
    ok = true;
  } finally {
    const opened = db as WalletDatabase | null;
    await opened?.close();
    // Core removes what it created on failure.
    if (!ok && opened !== null) {
      if (existed) {
        for (
          const f of [opened.path, `${opened.path}-wal`, `${opened.path}-shm`, `${path}/${WALLET_LOCK_FILE}`]
        ) {
          await Deno.remove(f).catch(() => {});
        }
      } else await Deno.remove(path, { recursive: true }).catch(() => {});
    }
  }
  return true;
}

/**
 * Runs a wallet tool command (Core's `ExecuteWalletToolFunc` after its argument checks); resolves true on
 * success. Errors are printed on `err` with Core's texts.
 */
export async function runWalletTool(opts: WalletToolOptions): Promise<boolean> {
  if ((opts.command === "create" || opts.command === "createfromdump") && opts.wallet === undefined) {
    opts.err("Wallet name must be provided when creating a new wallet.\n");
    return false;
  }
  const name = opts.wallet ?? "";
  try {
    const path = await walletPath(opts, name);
    switch (opts.command) {
      case "create":
        return await create(opts, name, path);
      case "info":
        return await info(opts, name, path);
      case "dump":
        return await dump(opts, name, path);
      case "createfromdump":
        return await createFromDump(opts, name, path);
    }
  } catch (e) {
    opts.err(`${dbError(e).message}\n`);
    return false;
  }
}
