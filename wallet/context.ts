/**
 * The wallet process's loaded wallets (Core's `WalletContext` with `CreateWallet`, `LoadWallet`,
 * `RemoveWallet`, `GetWalletPath`, `MakeDatabase`'s checks and `ListDatabases`): wallets live in directories
 * under the wallets directory (`<walletdir>/<name>/wallet.dat`; the default wallet "" is the wallets directory
 * itself), are created and loaded with Core's error codes and messages, and are added to or removed from
 * settings.json's `wallet` list for `load_on_startup`.
 *
 * @module
 */
import type { Network } from "../core/chain_params_base.ts";
import type { OutputType } from "../core/descriptors/mod.ts";
import type { Chain } from "../interfaces/chain.ts";
import type { ArgsLike } from "../rpc/args_like.ts";
import { parseMoney } from "../node/policy/money.ts";
import { RpcError, RpcErrorCode } from "../rpc/errors.ts";
import type { JsonValue } from "../rpc/json.ts";
import type { Logger } from "../util/logging.ts";
import {
  hasWalletDatabase,
  isWalletDatabaseFile,
  WALLET_DB_FILE,
  WalletDatabaseError,
} from "./db/database.ts";
import { walletFeeWarnings } from "./fees.ts";
import { DEFAULT_KEYPOOL_SIZE } from "./scriptpubkeyman.ts";
import type { WalletSettings } from "./types.ts";
import { type CreateWalletOptions, defaultWalletSettings, Wallet, type WalletEnvironment } from "./wallet.ts";

/** Output types by the names `-addresstype` and the RPCs take (Core's `ParseOutputType`). */
export function parseOutputType(text: string): OutputType | undefined {
  return text === "legacy" || text === "p2sh-segwit" || text === "bech32" || text === "bech32m"
    ? text
    : undefined;
}

/** Core's `FormatAllOutputTypes`. */
export const ALL_OUTPUT_TYPES_TEXT = '"legacy", "p2sh-segwit", "bech32", "bech32m"';

/** Options of {@linkcode WalletContext}. */
export interface WalletContextOptions {
  /** The node. */
  chain: Chain;
  /** Wallets directory (absolute). */
  walletDir: string;
  /** Network of the wallets. */
  network: Network;
  /** Logger. */
  logger?: Logger;
  /** The wallet process's arguments (its own `-keypool`, `-addresstype`, … override the node's). */
  args?: ArgsLike;
}

/** Options of {@linkcode WalletContext.createWallet}. */
export interface CreateOptions extends CreateWalletOptions {
  /** Encrypt with this passphrase (empty: not encrypted). */
  passphrase?: string;
  /** `external_signer`. */
  externalSigner?: boolean;
}

/** The loaded wallets and how to create, load and unload them. */
export class WalletContext {
  readonly chain: Chain;
  readonly walletDir: string;
  readonly network: Network;
  readonly logger: Logger | undefined;
  /** Loaded wallets, in load order. */
  readonly wallets: Wallet[] = [];
  /**
   * The `wallet` setting as Core holds it in memory after loading the unnamed wallet for backwards compatibility
   * (`[""]`, not written to settings.json), or null.
   */
  implicitWallets: string[] | null = null;
  #loading = new Set<string>();
  #mockTime = 0;
  #keypool = DEFAULT_KEYPOOL_SIZE;
  #addressType: OutputType = "bech32";
  #changeType: OutputType | undefined;
  #settings: WalletSettings = defaultWalletSettings();
  /** Core's CWallet::Create warnings for the fee options (each wallet created or loaded gets them). */
  #feeWarnings: string[] = [];
  readonly #args: ArgsLike | undefined;

  /** A context without wallets; {@link readSettings} reads the wallet options from the node. */
  constructor(opts: WalletContextOptions) {
    this.chain = opts.chain;
    this.walletDir = opts.walletDir;
    this.network = opts.network;
    this.logger = opts.logger;
    this.#args = opts.args;
  }

  /** Current time in seconds (`setmocktime` aware). */
  now(): number {
    return this.#mockTime || Math.floor(Date.now() / 1000);
  }

  /** Sets the mock time (0: the clock). */
  setMockTime(t: number): void {
    this.#mockTime = t;
  }

  /**
   * Reads the wallet options (`-keypool`, `-addresstype`, `-changetype`, fee and spending options) from the
   * node's settings; returns an error text (Core's init error) for a bad value, else null.
   */
  async readSettings(): Promise<string | null> {
    const args = this.#args;
    const get = async (name: string): Promise<JsonValue> => {
      // The wallet process's own arguments first (a wallet attached by hand), then the node's settings.
      if (args?.isSet(`-${name}`)) {
        if (args.isNegated?.(`-${name}`)) return false;
        return args.getArg(`-${name}`) ?? null;
      }
      return await this.chain.getSetting(name);
    };
    const str = async (name: string): Promise<string | null> => {
      const v = await get(name);
      return typeof v === "string" ? v : null;
    };
    const bool = async (name: string, fallback: boolean): Promise<boolean> => {
      const v = await get(name);
      if (v === false) return false;
      if (typeof v !== "string") return fallback;
      return v === "" || v !== "0" && v.toLowerCase() !== "false";
    };
    const keypool = await str("keypool");
    if (keypool !== null) {
      const n = Number.parseInt(keypool, 10);
      this.#keypool = Number.isFinite(n) ? Math.max(1, n) : DEFAULT_KEYPOOL_SIZE;
    }
    const at = await str("addresstype");
    if (at !== null && at !== "") {
      const t = parseOutputType(at);
      if (t === undefined) return `Unknown address type '${at}'`;
      this.#addressType = t;
    }
    const ct = await str("changetype");
    if (ct !== null && ct !== "") {
      const t = parseOutputType(ct);
      if (t === undefined) return `Unknown change type '${ct}'`;
      this.#changeType = t;
    }
    const s = defaultWalletSettings();
    const money = async (name: string, fallback: bigint): Promise<bigint | string> => {
      const v = await str(name);
      if (v === null) return fallback;
      const m = parseMoney(v);
      if (m === null) return `Invalid amount for -${name}=<amount>: '${v}'`;
      return m;
    };
    const moneyArgs: Array<[string, keyof WalletSettings]> = [
      ["mintxfee", "minTxFee"],
      ["fallbackfee", "fallbackFee"],
      ["discardfee", "discardFee"],
      ["consolidatefeerate", "consolidateFeeRate"],
      ["maxtxfee", "maxTxFee"],
      ["maxapsfee", "maxApsFee"],
    ];
    for (const [name, field] of moneyArgs) {
      const v = await money(name, s[field] as bigint);
      if (typeof v === "string") return v;
      (s as unknown as Record<string, bigint>)[field] = v;
    }
    const target = await str("txconfirmtarget");
    if (target !== null) s.confirmTarget = Number.parseInt(target, 10) || s.confirmTarget;
    s.signalRbf = await bool("walletrbf", s.signalRbf);
    s.spendZeroConfChange = await bool("spendzeroconfchange", s.spendZeroConfChange);
    s.avoidPartialSpends = await bool("avoidpartialspends", s.avoidPartialSpends);
    s.broadcast = await bool("walletbroadcast", s.broadcast);
    this.#settings = s;
    this.#feeWarnings = walletFeeWarnings(s, await this.chain.relayMinFee(), {
      walletRbfSet: await get("walletrbf") !== null,
    });
    return null;
  }

  /** The environment a wallet of this context gets. */
  environment(): WalletEnvironment {
    return {
      chain: this.chain,
      network: this.network,
      keypoolSize: this.#keypool,
      addressType: this.#addressType,
      changeType: this.#changeType,
      settings: this.#settings,
      now: () => this.now(),
      logger: this.logger,
    };
  }

  /** The loaded wallet `name`, if any. */
  getWallet(name: string): Wallet | undefined {
    return this.wallets.find((w) => w.name === name);
  }

  /**
   * Core's `GetWalletPath`: the directory of wallet `name` (absolute names are used as they are), or a
   * {@linkcode RpcError} (-4) with Core's text for a name that is not a normalized path.
   */
  async walletPath(name: string): Promise<string> {
    const absolute = name.startsWith("/");
    if (name !== lexicallyNormal(name)) throw verifyError("Wallet name given as a path must be normalized");
    const first = name.split("/")[0];
    if (first === "." || first === "..") {
      throw verifyError(
        "Wallet name given as a relative path cannot begin with ./ or ../, for wallets not in the walletdir, " +
          "please use an absolute path.",
      );
    }
    if (name === "/") throw verifyError("Wallet name cannot be the root path");
    const path = name === "" ? this.walletDir : absolute ? name : `${this.walletDir}/${name}`;
    // The sandboxed wallet process may use files under its wallets directory only.
    if (absolute && path !== this.walletDir && !path.startsWith(`${this.walletDir}/`)) {
      throw verifyError(
        `Failed to access database path '${path}': outside the wallets directory ${this.walletDir}, the only ` +
          "place the (sandboxed) wallet process may use",
      );
    }
    let info: Deno.FileInfo | null = null;
    try {
      info = await Deno.lstat(path);
    } catch {
      info = null;
    }
    if (
      info !== null && !info.isDirectory &&
      !(info.isSymlink && (await Deno.stat(path).catch(() => null))?.isDirectory)
    ) {
      throw verifyError(
        `Invalid -wallet path '${name}'. -wallet path should point to a directory where wallet.dat and ` +
          "database/log.?????????? files can be stored, a location where such a directory could be created, " +
          `or (for backwards compatibility) the name of an existing data file in -walletdir ("${this.walletDir}")`,
      );
    }
    return path;
  }

  /** Core's `CreateWallet` (the RPC's checks included). */
  async createWallet(
    name: string,
    loadOnStart: boolean | null,
    options: CreateOptions,
  ): Promise<{ wallet: Wallet; warnings: string[] }> {
    const warnings: string[] = [];
    if (name === "") throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Wallet name cannot be empty");
    const passphrase = options.passphrase ?? "";
    if (options.externalSigner && !options.disablePrivateKeys) {
      throw new RpcError(
        RpcErrorCode.RPC_WALLET_ERROR,
        "Wallet creation failed. Private keys must be disabled when using an external signer",
      );
    }
    if (passphrase !== "" && options.disablePrivateKeys) {
      throw new RpcError(
        RpcErrorCode.RPC_WALLET_ERROR,
        "Passphrase provided but private keys are disabled. A passphrase is only used to encrypt private keys, " +
          "so cannot be used for wallets with private keys disabled.",
      );
    }
    const path = await this.walletPath(name);
    if (await hasWalletDatabase(path)) {
      throw verifyError(`Failed to create database path '${path}'. Database already exists.`);
    }
    await Deno.mkdir(path, { recursive: true });
    await this.chain.initMessage("Creating wallet…");
    let wallet: Wallet;
    try {
      wallet = await Wallet.create(this.environment(), name, path, {
        ...options,
        bornEncrypted: passphrase !== "",
      });
    } catch (e) {
      throw loadFailure(e, "Wallet creation failed.");
    }
    const encrypted = passphrase === "" || await wallet.encrypt(passphrase).catch((e) => {
      this.logger?.error(`[${name}] Encryption failed: ${e instanceof Error ? e.message : e}`);
      return false;
    });
    if (!encrypted) {
      await wallet.close().catch(() => {});
      throw new RpcError(
        RpcErrorCode.RPC_WALLET_ENCRYPTION_FAILED,
        "Error: Wallet created but failed to encrypt.",
      );
    }
    this.wallets.push(wallet);
    await wallet.attach();
    warnings.push(...this.#feeWarnings);
    await this.#updateSetting(name, loadOnStart, warnings);
    return { wallet, warnings };
  }

  /** Core's `LoadWallet` (RPC `loadwallet`, and -wallet at startup). */
  async loadWallet(
    name: string,
    loadOnStart: boolean | null,
  ): Promise<{ wallet: Wallet; warnings: string[] }> {
    if (this.getWallet(name) !== undefined) {
      throw new RpcError(RpcErrorCode.RPC_WALLET_ALREADY_LOADED, `Wallet "${name}" is already loaded.`);
    }
    if (this.#loading.has(name)) throw new RpcError(RpcErrorCode.RPC_WALLET_ERROR, "Wallet already loading.");
    this.#loading.add(name);
    try {
      const warnings: string[] = [];
      const path = await this.walletPath(name);
      const exists = await Deno.lstat(path).then(() => true, () => false);
      if (!exists) {
        throw new RpcError(
          RpcErrorCode.RPC_WALLET_NOT_FOUND,
          `Wallet file verification failed. Failed to load database path '${path}'. Path does not exist.`,
        );
      }
      if (!await hasWalletDatabase(path) || !await isWalletDatabaseFile(path)) {
        throw new RpcError(
          RpcErrorCode.RPC_WALLET_NOT_FOUND,
          `Wallet file verification failed. Failed to load database path '${path}'. Data is not in recognized format.`,
        );
      }
      await this.chain.initMessage("Loading wallet…");
      let wallet: Wallet;
      try {
        wallet = await Wallet.load(this.environment(), name, path);
      } catch (e) {
        throw loadFailure(e, "Wallet loading failed.");
      }
      this.wallets.push(wallet);
      try {
        await wallet.attach();
      } catch (e) {
        this.wallets.splice(this.wallets.indexOf(wallet), 1);
        await wallet.close().catch(() => {});
        throw loadFailure(e, "Wallet loading failed.");
      }
      warnings.push(...this.#feeWarnings);
      await this.#updateSetting(name, loadOnStart, warnings);
      return { wallet, warnings };
    } finally {
      this.#loading.delete(name);
    }
  }

  /** A path given to backupwallet/restorewallet: absolute, or relative to the wallets directory. */
  resolvePath(path: string): string {
    return path.startsWith("/") ? path : `${this.walletDir}/${path}`;
  }

  /** Core's `RestoreWallet`: copies the backup into a new wallet directory and loads it. */
  async restoreWallet(
    name: string,
    backupFile: string,
    loadOnStart: boolean | null,
  ): Promise<{ wallet: Wallet; warnings: string[] }> {
    if (name === "") throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Wallet name cannot be empty");
    const backup = this.resolvePath(backupFile);
    if (!await Deno.lstat(backup).then(() => true, () => false)) {
      throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Backup file does not exist");
    }
    const path = name.startsWith("/") ? name : `${this.walletDir}/${name}`;
    if (path !== this.walletDir && !path.startsWith(`${this.walletDir}/`)) {
      throw new RpcError(
        RpcErrorCode.RPC_WALLET_ERROR,
        `Failed to restore database path '${path}': outside the wallets directory ${this.walletDir}, the only ` +
          "place the (sandboxed) wallet process may use",
      );
    }
    const file = `${path}/${WALLET_DB_FILE}`;
    const info = await Deno.lstat(path).catch(() => null);
    let createdDir = false;
    if (info !== null) {
      if (!info.isDirectory) {
        throw new RpcError(
          RpcErrorCode.RPC_WALLET_ALREADY_EXISTS,
          `Failed to restore wallet. Database file exists '${path}'.`,
        );
      }
      if (await Deno.lstat(file).then(() => true, () => false)) {
        throw new RpcError(
          RpcErrorCode.RPC_WALLET_ALREADY_EXISTS,
          `Failed to restore wallet. Database file exists in '${file}'.`,
        );
      }
    } else {
      try {
        await Deno.mkdir(path, { recursive: true });
      } catch {
        throw new RpcError(
          RpcErrorCode.RPC_WALLET_ALREADY_EXISTS,
          `Failed to restore database path '${path}'.`,
        );
      }
      createdDir = true;
    }
    let copied = false;
    try {
      await Deno.copyFile(backup, file);
      copied = true;
      return await this.loadWallet(name, loadOnStart);
    } catch (e) {
      if (copied) {
        for (const suffix of ["", "-wal", "-shm"]) await Deno.remove(file + suffix).catch(() => {});
      }
      if (createdDir) await Deno.remove(path).catch(() => {});
      if (e instanceof RpcError) throw e;
      throw new RpcError(
        RpcErrorCode.RPC_WALLET_ERROR,
        `Unexpected exception: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  /** Core's `RemoveWallet` + unload: the wallet stops following the chain and its database is closed. */
  async unloadWallet(wallet: Wallet, loadOnStart: boolean | null): Promise<string[]> {
    const i = this.wallets.indexOf(wallet);
    if (i < 0) throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "Requested wallet already unloaded");
    this.wallets.splice(i, 1);
    const warnings: string[] = [];
    await this.#updateSetting(wallet.name, loadOnStart, warnings);
    await wallet.close();
    return warnings;
  }

  /** Unloads every wallet (shutdown). */
  async unloadAll(): Promise<void> {
    const all = this.wallets.splice(0);
    for (const w of all) await w.close().catch(() => {});
  }

  /** Core's `ListDatabases`: names of the wallets in the wallets directory (sub-directories with a database). */
  async listWalletDir(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string, rel: string) => {
      let entries: Deno.DirEntry[];
      try {
        entries = [];
        for await (const e of Deno.readDir(dir)) entries.push(e);
      } catch (e) {
        this.logger?.warn(
          `Error scanning directory entries under ${this.walletDir}: ${e instanceof Error ? e.message : e}`,
        );
        return;
      }
      entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
      for (const e of entries) {
        // A symbolic link to a directory is listed like one (Core's status() follows it) but not descended into.
        const linkedDir = e.isSymlink &&
          await Deno.stat(`${dir}/${e.name}`).then((i) => i.isDirectory, () => false);
        if (e.isDirectory || linkedDir) {
          const sub = rel === "" ? e.name : `${rel}/${e.name}`;
          try {
            await Deno.stat(`${dir}/${e.name}/${WALLET_DB_FILE}`);
          } catch (err) {
            if (!(err instanceof Deno.errors.NotFound)) {
              // Core's ListDatabases: the item is skipped, and not descended into.
              this.logger?.warn(
                `Error while scanning wallet dir item: ${err instanceof Error ? err.message : err} ` +
                  `[${dir}/${e.name}].`,
              );
              continue;
            }
          }
          // Core's IsSQLiteFile: only databases of ours (a Core wallet or another SQLite file is not listed).
          if (await hasWalletDatabase(`${dir}/${e.name}`) && await isWalletDatabaseFile(`${dir}/${e.name}`)) {
            out.push(sub);
          }
          if (!linkedDir) await walk(`${dir}/${e.name}`, sub);
        } else if (rel === "" && e.name === WALLET_DB_FILE && e.isFile && await isWalletDatabaseFile(dir)) {
          out.unshift("");
        }
      }
    };
    await walk(this.walletDir, "");
    return out;
  }

  /** Core's `UpdateWalletSetting`: adds the name to (or removes it from) settings.json's `wallet` list. */
  async #updateSetting(name: string, loadOnStart: boolean | null, warnings: string[]): Promise<void> {
    if (loadOnStart === null) return;
    // Core overwrites the in-memory setting with the unnamed wallet it loaded for backwards compatibility (not
    // written): later updates start from that list.
    let current = await this.chain.getRwSetting("wallet");
    if (current === null && this.implicitWallets !== null) current = [...this.implicitWallets];
    let next: JsonValue | undefined;
    if (loadOnStart) {
      const list = Array.isArray(current) ? [...current] : [];
      if (!list.some((v) => v === name)) next = [...list, name];
    } else if (Array.isArray(current)) {
      const list = current.filter((v) => v !== name);
      if (list.length !== current.length) next = list;
    } else if (name === "" && current === null) {
      next = [];
    }
    if (next === undefined) return;
    this.implicitWallets = null;
    if (!await this.chain.updateRwSetting("wallet", next)) {
      warnings.push(
        loadOnStart
          ? "Wallet load on startup setting could not be updated, so wallet may not be loaded next node startup."
          : "Wallet load on startup setting could not be updated, so wallet may still be loaded next node startup.",
      );
    }
  }
}

/** `std::filesystem::path::lexically_normal` of a POSIX path (dot segments and repeated separators removed). */
export function lexicallyNormal(path: string): string {
  if (path === "") return "";
  const absolute = path.startsWith("/");
  const trailing = path.length > 1 && path.endsWith("/");
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === ".." && out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else if (seg === ".." && absolute) continue;
    else out.push(seg);
  }
  let text = (absolute ? "/" : "") + out.join("/");
  if (text === "") return ".";
  if (trailing && out.length > 0 && out[out.length - 1] !== "..") text += "/";
  return text;
}

/** Core's "Wallet file verification failed. …" error (RPC_WALLET_ERROR). */
function verifyError(message: string): RpcError {
  return new RpcError(RpcErrorCode.RPC_WALLET_ERROR, `Wallet file verification failed. ${message}`);
}

/** A failure while opening a wallet as Core reports it. */
function loadFailure(e: unknown, prefix: string): RpcError {
  if (e instanceof RpcError) return e;
  if (e instanceof WalletDatabaseError) return verifyError(e.message);
  const message = e instanceof Error ? e.message : String(e);
  return new RpcError(RpcErrorCode.RPC_WALLET_ERROR, `${prefix} ${message}`);
}
