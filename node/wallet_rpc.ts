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

/** The wallet methods registered in a node's RPC table. */
export class WalletRpcForwarder {
  #table: RpcTable;
  #logger: Logger | undefined;
  /** Names currently in the table, with the registration that owns them. */
  #owned = new Map<string, object>();
  #state: WalletRpcState = "none";
  #downReason = "";
  #nextId = 1;

  /** Forwards into `table`. */
  constructor(table: RpcTable, logger?: Logger) {
    this.#table = table;
    this.#logger = logger;
  }

  /** The wallet side's state. */
  get state(): WalletRpcState {
    return this.#state;
  }

  /** Names of the forwarded methods. */
  get names(): string[] {
    return [...this.#owned.keys()].sort();
  }

  /** A wallet process is being started (Core's wallet method names answer "Loading wallet…" until it registers). */
  starting(): void {
    if (this.#state !== "up") this.#state = "starting";
  }

  /** No wallet process will come (it failed to start, or `-disablewallet`). */
  gone(reason: string): void {
    if (this.#state === "starting") {
      this.#state = this.#owned.size > 0 ? "down" : "none";
      this.#downReason = reason;
    }
  }

  /**
   * The error for `method` when it is not in the table: "Loading wallet…" for a Core wallet method while the
   * wallet process starts; null otherwise (the table answers "Method not found").
   */
  unknownMethodError(method: string): RpcError | null {
    if (this.#state === "starting" && CORE_WALLET_RPC_NAMES.has(method)) {
      return new RpcError(RpcErrorCode.RPC_IN_WARMUP, "Loading wallet…");
    }
    return null;
  }

  /**
   * Registers `commands`, forwarded to `rpc` (Core's `handleRpc`). Names the node serves itself are refused;
   * names of an earlier registration are taken over. `disconnect` withdraws them; `released` (the wallet went
   * away without disconnecting) keeps them, failing with -18 until the next registration.
   */
  register(commands: readonly RpcCommandSpec[], rpc: Rpc): Handler & { released(): void } {
    for (const c of commands) {
      if (this.#table.get(c.name) !== undefined && !this.#owned.has(c.name)) {
        throw new Error(`Cannot register RPC method ${c.name}: already registered`);
      }
    }
    const registration = {};
    let live = true;
    for (const c of commands) {
      if (this.#owned.has(c.name)) this.#table.unregister(c.name);
      this.#table.register(this.#method(c, () => live ? rpc : null));
      this.#owned.set(c.name, registration);
    }
    this.#state = "up";
    this.#logger?.info(`Wallet process registered ${commands.length} RPC methods`);
    const mine = () => [...this.#owned].filter(([, r]) => r === registration).map(([n]) => n);
    return {
      disconnect: async () => {
        if (!live) return;
        live = false;
        for (const name of mine()) {
          this.#table.unregister(name);
          this.#owned.delete(name);
        }
        if (this.#owned.size === 0 && this.#state === "up") this.#state = "none";
        await rpc.close().catch(() => {});
      },
      released: () => {
        if (!live) return;
        live = false;
        if (mine().length > 0) {
          this.#state = "down";
          this.#downReason = "the wallet process exited";
          this.#logger?.warn("Wallet process went away: its RPC methods fail until a wallet process is back");
        }
        void rpc.close().catch(() => {});
      },
    };
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

  #method(c: RpcCommandSpec, rpc: () => Rpc | null): RpcMethod {
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
        const target = rpc();
        if (target === null) throw this.#downError();
        const request = writeJson({
          jsonrpc: "2.0",
          id: this.#nextId++,
          method: c.name,
          params: [...params],
        });
        let body: string;
        try {
          body = await target.executeRpc(request, ctx.uri, ctx.user);
        } catch (e) {
          if (e instanceof IpcError) {
            this.#downReason = e.message;
            throw this.#downError();
          }
          throw e;
        }
        return replyResult(body);
      },
    };
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
