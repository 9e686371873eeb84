/**
 * Forwarding of wallet RPC methods to the wallet process (the node side of Core's `Chain::handleRpc`): the
 * wallet registers its methods with their documentation and an `Rpc` capability; the node lists them in its RPC
 * table (so `help`, named parameters and type checks work as for its own methods) and runs each call in the
 * wallet process with its `/wallet/<name>` URI and user, relaying the result or error unchanged.
 *
 * When the wallet process goes away without withdrawing its methods, they stay listed and fail with Core's
 * RPC_WALLET_NOT_FOUND (-18) and a clear message until a wallet registers again; while the first wallet process
 * is starting, Core's wallet method names answer RPC_IN_WARMUP (-28, "Loading wallet…"), as Core's warmup does.
 * Withdrawn methods (the wallet stopped cleanly) are unknown again: Core's "Method not found" (-32601).
 *
 * @module
 */
import type { Handler, RpcCommandSpec } from "../interfaces/chain.ts";
import type { Rpc } from "../interfaces/rpc.ts";
import { IpcError } from "../ipc/rpc/error.ts";
import { RpcError, RpcErrorCode } from "../rpc/errors.ts";
import { type JsonObject, type JsonValue, parseJsonLossless, writeJson } from "../rpc/json.ts";
import type { RpcMethod, RpcTable } from "../rpc/table.ts";
import type { Logger } from "../util/logging.ts";

/**
 * Bitcoin Core's wallet RPC method names (`src/wallet/rpc/`), answered with "Loading wallet…" while the wallet
 * process starts.
 */
export const CORE_WALLET_RPC_NAMES: ReadonlySet<string> = new Set([
  "abandontransaction",
  "abortrescan",
  "backupwallet",
  "bumpfee",
  "createwallet",
  "createwalletdescriptor",
  "encryptwallet",
  "fundrawtransaction",
  "getaddressesbylabel",
  "getaddressinfo",
  "getbalance",
  "getbalances",
  "gethdkeys",
  "getnewaddress",
  "getrawchangeaddress",
  "getreceivedbyaddress",
  "getreceivedbylabel",
  "gettransaction",
  "getwalletinfo",
  "importdescriptors",
  "importprunedfunds",
  "keypoolrefill",
  "listaddressgroupings",
  "listdescriptors",
  "listlabels",
  "listlockunspent",
  "listreceivedbyaddress",
  "listreceivedbylabel",
  "listsinceblock",
  "listtransactions",
  "listunspent",
  "listwalletdir",
  "listwallets",
  "loadwallet",
  "lockunspent",
  "migratewallet",
  "psbtbumpfee",
  "removeprunedfunds",
  "rescanblockchain",
  "restorewallet",
  "send",
  "sendall",
  "sendmany",
  "sendtoaddress",
  "setlabel",
  "settxfee",
  "setwalletflag",
  "signmessage",
  "signrawtransactionwithwallet",
  "simulaterawtransaction",
  "unloadwallet",
  "walletcreatefundedpsbt",
  "walletdisplayaddress",
  "walletlock",
  "walletpassphrase",
  "walletpassphrasechange",
  "walletprocesspsbt",
]);

/** State of the wallet side, as the forwarder reports it. */
export type WalletRpcState = "starting" | "up" | "down" | "none";

/** One `handleRpc` registration. */
interface Registration {
  readonly commands: readonly RpcCommandSpec[];
  readonly rpc: Rpc;
  /** live: serving; released: its process went away (its methods fail with -18); disconnected: withdrawn. */
  status: "live" | "released" | "disconnected";
}

/**
 * The wallet methods registered in a node's RPC table. Several chain clients may register (the node's wallet
 * process, a wallet attached by hand): for each name the newest live registration serves it; when it goes, an
 * older live one takes the name back.
 */
export class WalletRpcForwarder {
  #table: RpcTable;
  #logger: Logger | undefined;
  #registrations: Registration[] = [];
  /** Names currently in the table, with the registration serving them. */
  #owned = new Map<string, Registration>();
  #starting = false;
  #downReason = "";
  #nextId = 1;
  /** The wallet process's wallets directory, for backup files outside it (see {@link setWalletDir}). */
  #walletDir: string | null = null;

  /** Forwards into `table`. */
  constructor(table: RpcTable, logger?: Logger) {
    this.#table = table;
    this.#logger = logger;
  }

  /** The wallet side's state. */
  get state(): WalletRpcState {
    const regs = this.#registrations;
    if (regs.some((r) => r.status === "live")) return "up";
    if (this.#starting) return "starting";
    return regs.some((r) => r.status === "released") ? "down" : "none";
  }

  /** Names of the forwarded methods. */
  get names(): string[] {
    return [...this.#owned.keys()].sort();
  }

  /**
   * The wallets directory of the spawned wallet process. The sandboxed wallet may touch files only there: a
   * `backupwallet` destination or `restorewallet` backup file elsewhere goes through a temporary file in it,
   * copied by the node (which may write only in its data directory, as its sandbox allows).
   */
  setWalletDir(dir: string): void {
    this.#walletDir = dir;
  }

  /** A wallet process is being started (Core's wallet method names answer "Loading wallet…" until it registers). */
  starting(): void {
    this.#starting = true;
  }

  /** The wallet process that was starting will not register (it failed, or exited). */
  gone(reason: string): void {
    this.#starting = false;
    this.#downReason = reason;
  }

  /**
   * The error for `method` when it is not in the table: "Loading wallet…" for a Core wallet method while the
   * wallet process starts; null otherwise (the table answers "Method not found").
   */
  unknownMethodError(method: string): RpcError | null {
    if (this.state === "starting" && CORE_WALLET_RPC_NAMES.has(method)) {
      return new RpcError(RpcErrorCode.RPC_IN_WARMUP, "Loading wallet…");
    }
    return null;
  }

  /**
   * Registers `commands`, forwarded to `rpc` (Core's `handleRpc`). Names the node serves itself are refused.
   * `disconnect` withdraws them; `released` (the client went away without disconnecting) keeps them, failing
   * with -18 until another registration serves them.
   */
  register(commands: readonly RpcCommandSpec[], rpc: Rpc): Handler & { released(): void } {
    for (const c of commands) {
      if (this.#table.get(c.name) !== undefined && !this.#owned.has(c.name)) {
        throw new Error(`Cannot register RPC method ${c.name}: already registered`);
      }
    }
    const reg: Registration = { commands, rpc, status: "live" };
    this.#registrations.push(reg);
    this.#starting = false;
    this.#downReason = "";
    this.#sync();
    this.#logger?.info(`Wallet process registered ${commands.length} RPC methods`);
    return {
      disconnect: async () => {
        if (reg.status === "disconnected") return;
        reg.status = "disconnected";
        this.#sync();
        await rpc.close().catch(() => {});
      },
      released: () => {
        if (reg.status !== "live") return;
        reg.status = "released";
        this.#downReason ||= "the wallet process exited";
        this.#sync();
        if ([...this.#owned.values()].includes(reg)) {
          this.#logger?.warn("Wallet process went away: its RPC methods fail until a wallet process is back");
        }
        void rpc.close().catch(() => {});
      },
    };
  }

  /** Puts in the table, for each name, the registration that should serve it. */
  #sync(): void {
    const want = new Map<string, Registration>();
    const specs = new Map<string, RpcCommandSpec>();
    for (const reg of this.#registrations) {
      if (reg.status === "disconnected") continue;
      for (const c of reg.commands) {
        const current = want.get(c.name);
        // Live beats released; among equals the newest wins.
        if (current === undefined || reg.status === "live" || current.status !== "live") {
          want.set(c.name, reg);
          specs.set(c.name, c);
        }
      }
    }
    for (const [name, reg] of this.#owned) {
      if (want.get(name) !== reg) {
        this.#table.unregister(name);
        this.#owned.delete(name);
      }
    }
    for (const [name, reg] of want) {
      if (this.#owned.get(name) === reg) continue;
      this.#table.register(this.#method(specs.get(name)!, reg));
      this.#owned.set(name, reg);
    }
    // Registrations that serve nothing any more are forgotten.
    const serving = new Set(this.#owned.values());
    this.#registrations = this.#registrations.filter((r) => r.status === "live" || serving.has(r));
  }

  #downError(): RpcError {
    return new RpcError(
      RpcErrorCode.RPC_WALLET_NOT_FOUND,
      `Wallet process is not running (${
        this.#downReason || "it exited"
      }); wallet RPCs work again once a wallet process is started (the node restarts it, or attach one with ` +
        "tsbtc wallet -ipcconnect)",
    );
  }

  #method(c: RpcCommandSpec, reg: Registration): RpcMethod {
    return {
      name: c.name,
      category: c.category,
      description: c.description,
      args: c.args,
      results: c.results,
      examples: c.examples,
      // Amounts go to the wallet exactly as the client wrote them.
      losslessNumbers: true,
      handler: async (params, ctx) => {
        if (reg.status !== "live") throw this.#downError();
        const bridged = await this.#bridgeFiles(c.name, params);
        if (bridged !== null) {
          try {
            const result = await this.#forward(c, reg, bridged.params, ctx);
            await bridged.after();
            return result;
          } finally {
            await bridged.cleanup();
          }
        }
        return await this.#forward(c, reg, params, ctx);
      },
    };
  }

  /**
   * For `backupwallet` / `restorewallet` with a file outside the wallets directory: the parameters naming a
   * temporary file inside it, what to do after success (copy the backup out) and the cleanup; null otherwise.
   */
  async #bridgeFiles(
    method: string,
    params: readonly JsonValue[],
  ): Promise<{ params: JsonValue[]; after: () => Promise<void>; cleanup: () => Promise<void> } | null> {
    const dir = this.#walletDir;
    const index = method === "backupwallet" ? 0 : method === "restorewallet" ? 1 : -1;
    if (dir === null || index < 0 || typeof params[index] !== "string") return null;
    // Relative paths are the wallet's own: relative to the wallets directory.
    const path = params[index] as string;
    if (!path.startsWith("/") || path === dir || path.startsWith(`${dir}/`)) return null;
    const tmp = `${dir}/.${method}-${crypto.randomUUID()}`;
    const next = [...params];
    next[index] = tmp;
    const cleanup = async () => {
      for (const suffix of ["", "-wal", "-shm"]) await Deno.remove(tmp + suffix).catch(() => {});
    };
    if (method === "restorewallet") {
      // A missing backup keeps Core's error (the wallet finds no file); one the node cannot read as well.
      try {
        await Deno.copyFile(path, tmp);
      } catch {
        next[index] = path;
      }
      return { params: next, after: () => Promise.resolve(), cleanup };
    }
    return {
      params: next,
      after: async () => {
        try {
          await Deno.copyFile(tmp, path);
        } catch (e) {
          this.#logger?.warn(`backupwallet: cannot write ${path}: ${e instanceof Error ? e.message : e}`);
          // Core's text, plus why when it is the sandbox: the node may write only under its data directory.
          throw new RpcError(
            RpcErrorCode.RPC_WALLET_ERROR,
            e instanceof Deno.errors.NotCapable
              ? `Error: Wallet backup failed! The node may write only under its data directory, not ${path}`
              : "Error: Wallet backup failed!",
          );
        }
      },
      cleanup,
    };
  }

  /** Runs `c` in the wallet process with `params`. */
  async #forward(
    c: RpcCommandSpec,
    reg: Registration,
    params: readonly JsonValue[],
    ctx: { uri: string; user: string },
  ): Promise<JsonValue> {
    const request = writeJson({
      jsonrpc: "2.0",
      id: this.#nextId++,
      method: c.name,
      params: [...params],
    });
    let body: string;
    try {
      body = await reg.rpc.executeRpc(request, ctx.uri, ctx.user);
    } catch (e) {
      if (e instanceof IpcError) {
        this.#downReason ||= e.message;
        throw this.#downError();
      }
      throw e;
    }
    return replyResult(body);
  }
}

/** The result of a JSON-RPC 2.0 reply text, or its error as an `RpcError`. */
function replyResult(body: string): JsonValue {
  const reply = parseJsonLossless(body);
  if (reply === undefined || reply === null || typeof reply !== "object" || Array.isArray(reply)) {
    throw new RpcError(RpcErrorCode.RPC_INTERNAL_ERROR, "Invalid reply from the wallet process");
  }
  const obj = reply as JsonObject;
  const err = obj.error;
  if (err !== undefined && err !== null) {
    const e = err as JsonObject;
    const code = typeof e.code === "number" ? e.code : Number((e.code as { rawJSON?: string })?.rawJSON);
    throw new RpcError(Number.isFinite(code) ? code : RpcErrorCode.RPC_MISC_ERROR, String(e.message ?? ""));
  }
  return obj.result ?? null;
}
