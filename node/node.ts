/**
 * The node process (`tsbtc node`, Core's `bitcoind`/`bitcoin-node`): its JSON-RPC server, its IPC endpoints
 * and the component processes it spawns, started and stopped in Core's order.
 *
 * @module
 */
import type { ArgsManager } from "../cli/args.ts";
import { VERSION } from "../cli/help.ts";
import type { ProcessInfo } from "../interfaces/init.ts";
import { makeProcessInit } from "../interfaces/process_init.ts";
import { parseIpcAddress } from "../ipc/address.ts";
import { createIpcCookie, DEFAULT_IPC_COOKIE_NAME, type IpcCookie } from "../ipc/auth.ts";
import { IpcConnection } from "../ipc/connection.ts";
import { type IpcListener, listenIpc } from "../ipc/listener.ts";
import { type ByteStream, stdioStream } from "../ipc/process.ts";
import { bootstrapInit, serveInit } from "../ipc/proxies/init.ts";
import { controlMethods, echoIpcMethod } from "../rpc/methods/control.ts";
import { ScriptCheckPool, ScriptExecutionCache, SignatureCache } from "../core/verify/mod.ts";
import { type ChainstateImpl, openChainstate } from "./chain/chainstate.ts";
import { chainParamsFromArgs } from "./chain/params_from_args.ts";
import { MAX_FUTURE_BLOCK_TIME } from "./chain/validation.ts";
import { readMiningArgs } from "./mining/mining_args.ts";
import { Mempool } from "./mempool/mempool.ts";
import { dumpMempool, loadMempool } from "./mempool/persist.ts";
import { mempoolMethods } from "../rpc/methods/mempool.ts";
import type { MempoolEntry } from "./mempool/entry.ts";
import { ValidationSignals } from "./validation_signals.ts";
import {
  type BlockPolicyEstimator,
  checkAcceptStaleFeeEstimates,
  FEE_FLUSH_INTERVAL_MS,
  feeEstimatesPath,
  feeEstimatorListener,
  loadFeeEstimates,
  saveFeeEstimates,
} from "./fees/mod.ts";
import { feeMethods } from "../rpc/methods/fees.ts";
import { deploymentInfoMethods } from "../rpc/methods/deploymentinfo.ts";
import { psbtMethods } from "../rpc/methods/psbt.ts";
import { reverseHex } from "../core/hash/hashes.ts";
import { clientVersionNumber, netMethods, NETWORK_NAMES, type NetworkName } from "../rpc/methods/net.ts";
import { formatUserAgent } from "../net/user_agent.ts";
import { PROTOCOL_VERSION } from "../net/protocol.ts";
import { P2pNode, p2pSettingsFromArgs } from "../net/p2p.ts";
import { policySettingsFromArgs } from "./policy/settings.ts";
import { blockchainMethods } from "../rpc/methods/blockchain.ts";
import { miningMethods } from "../rpc/methods/mining.ts";
import { mocktimeMethods } from "../rpc/methods/mocktime.ts";
import { utxoMethods } from "../rpc/methods/blockchain_utxo.ts";
import { descriptorMethods } from "../rpc/methods/descriptors.ts";
import { rawTransactionMethods } from "../rpc/methods/rawtransaction.ts";
import { utilMethods } from "../rpc/methods/util.ts";
import { rawTransactionLookupMethods } from "../rpc/methods/rawtransaction_lookup.ts";
import { scanTxOutSetMethods } from "../rpc/methods/scantxoutset.ts";
import { indexInfoMethods } from "../rpc/methods/index_info.ts";
import { TxIndex } from "./index/tx_index.ts";
import { RpcServer, serverOptionsFromArgs } from "../rpc/server.ts";
import { RpcTable, tableOptionsFromArgs } from "../rpc/table.ts";
import { effectivePermissions } from "../sandbox/effective.ts";
import { type PermissionProfile, profileFor } from "../sandbox/profile.ts";
import type { Logger } from "../util/logging.ts";
import { processMethods } from "./process_rpc.ts";
import { ProcessManager } from "./processes.ts";
import { withTimeout } from "../util/async.ts";
import type { Chain } from "../interfaces/chain.ts";
import type { IndexEntry } from "./chain/block_index.ts";
import { makeNodeChain, type NodeChain } from "./interfaces/chain.ts";
import { RwSettings } from "./interfaces/rw_settings.ts";
import { WalletProcess } from "./wallet_process.ts";
import { WalletRpcForwarder } from "./wallet_rpc.ts";

/** Longest wait for the wallet process's first start before RPC comes up without it. */
const WALLET_FIRST_START_TIMEOUT_MS = 60_000;

/** Options of {@linkcode Node.start}. */
export interface NodeOptions {
  /** Parsed and config-read arguments. */
  args: ArgsManager;
  /** The node's logger. */
  logger: Logger;
  /** How this process was sandboxed. */
  sandbox: ProcessInfo["sandbox"];
  /** The profile applied, when sandboxed (lets the node report which paths it may use). */
  profile?: PermissionProfile;
  /** Serve Init on stdin/stdout too (the node was spawned by a parent, e.g. `tsbtc gui`). */
  parentStream?: ByteStream;
}

/** A running node. */
export class Node {
  /** Process name used in logs. */
  readonly name = "tsbtc-node";
  /** Resolves once shutdown has completed. */
  readonly stopped: Promise<void>;
  readonly #args: ArgsManager;
  readonly #logger: Logger;
  readonly #table: RpcTable;
  readonly #processes: ProcessManager;
  readonly #sandbox: ProcessInfo["sandbox"];
  readonly #profile: PermissionProfile | undefined;
  #rpc: RpcServer | null = null;
  #lock: Deno.FsFile | null = null;
  #ipcCookie: IpcCookie | null = null;
  #chain: ChainstateImpl | null = null;
  #txIndex: TxIndex | null = null;
  #mempool: Mempool | null = null;
  /** The P2P side (connection manager, peer manager, bans). */
  #p2p: P2pNode | null = null;
  /** Script checks on this thread until the Worker pool is up; closed by the node. */
  #initialPool: ScriptCheckPool | null = null;
  /** Signature and script-execution caches shared by mempool acceptance and block validation (Core's). */
  readonly #scriptCaches = {
    signatureCache: new SignatureCache(),
    scriptExecutionCache: new ScriptExecutionCache(),
  };
  #signals: ValidationSignals | null = null;
  /** Fee estimation (none with -blocksonly, as Core). */
  #fees: BlockPolicyEstimator | null = null;
  #feeTimer: ReturnType<typeof setInterval> | null = null;
  /** mempool.dat being loaded in the background (Core's LoadMempool in the import thread). */
  #mempoolLoad: Promise<void> = Promise.resolve();
  /** Our user agent (`/tsbtc:<version>(<uacomments>)/`). */
  #subversion = "";
  #shutdownSignal = new AbortController();
  #listeners: IpcListener[] = [];
  #connections = new Set<IpcConnection>();
  #parentConn: IpcConnection | null = null;
  #shutdownRequested = false;
  #resolveStopped!: () => void;
  /** The node's clock (seconds). */
  #now: () => number = () => Math.floor(Date.now() / 1000);
  /** settings.json. */
  #rwSettings: RwSettings | null = null;
  /** Wallet methods forwarded to the wallet process. */
  readonly #walletRpc: WalletRpcForwarder;
  /** The wallet process (none with -disablewallet). */
  #wallet: WalletProcess | null = null;
  /** The Chains handed to chain clients, until each is closed. */
  readonly #chains = new Set<NodeChain>();

  private constructor(opts: NodeOptions) {
    this.#args = opts.args;
    this.#logger = opts.logger;
    this.#sandbox = opts.sandbox;
    this.#profile = opts.profile;
    this.stopped = new Promise((resolve) => this.#resolveStopped = resolve);
    const strategy = opts.args.getArg("-sandbox") === "worker" ? "worker" : undefined;
    this.#processes = new ProcessManager({ logger: opts.logger, name: this.name, strategy });
    this.#table = new RpcTable(tableOptionsFromArgs(opts.args, opts.logger));
    this.#walletRpc = new WalletRpcForwarder(this.#table, opts.logger);
    this.#table.setUnknownMethodHook((method) => this.#walletRpc.unknownMethodError(method));
  }

  /** Starts the node: RPC server (with `-server`, default on), IPC endpoints (`-ipcbind`), parent channel. */
  static async start(opts: NodeOptions): Promise<Node> {
    const node = new Node(opts);
    try {
      await node.#start(opts.parentStream);
    } catch (err) {
      await node.#teardown();
      throw err;
    }
    return node;
  }

  async #start(parentStream: ByteStream | undefined): Promise<void> {
    const log = this.#logger;
    const args = this.#args;
    log.info(`tsbtc version v${VERSION}`);
    log.info(`Using data directory ${args.netDataDir}`);
    this.#lock = await lockDataDir(args.netDataDir);
    const conf = configPathIfRead(args);
    if (conf) log.info(`Config file: ${conf}`);
    for (const line of args.logArgs()) log.info(line);
    // The node's clock: -mocktime, then setmocktime (0 = the system clock), as Core's SetMockTime.
    let mocktime = args.getInt("-mocktime", 0);
    const now = () => mocktime > 0 ? mocktime : Math.floor(Date.now() / 1000);
    this.#now = now;
    const settingsFile = args.isNegated("-settings") ? null : args.getArg("-settings") ?? "settings.json";
    this.#rwSettings = await RwSettings.open(
      settingsFile === null
        ? null
        : settingsFile.startsWith("/")
        ? settingsFile
        : `${args.netDataDir}/${settingsFile}`,
    );
    // Scripts are checked on this thread until the Worker pool is up (started once the node is: Workers take
    // a second to load inside the sandbox). Both pools share the caches with the mempool, so a block whose
    // transactions were accepted to the mempool is not verified twice.
    this.#initialPool = await ScriptCheckPool.create({
      workers: 0,
      mainThreadWorks: true,
      ...this.#scriptCaches,
    });
    this.#chain = await openChainstate({
      dataDir: args.dataDir,
      params: chainParamsFromArgs(args, args.network),
      dbcacheMiB: args.getInt("-dbcache", 450),
      logger: log,
      pool: this.#initialPool,
      now,
      reindex: args.getBool("-reindex", false),
      reindexChainstate: args.getBool("-reindex-chainstate", false),
      storage: {
        blocksXor: args.getBool("-blocksxor", true),
        fastPrune: args.getBool("-fastprune", false),
        log: (m) => log.info(m),
      },
    });
    const tip = this.#chain.tip();
    log.info(`Loaded best chain: hashBestChain=${tip.hashHex} height=${tip.height}`);
    // Core's VerifyLoadedChainstate: a tip more than MAX_FUTURE_BLOCK_TIME ahead of the clock is refused.
    if (!args.getBool("-reindex", false) && tip.header.time > now() + MAX_FUTURE_BLOCK_TIME) {
      throw new Error(
        "The block database contains a block which appears to be from the future. This may be due to your " +
          "computer's date and time being set incorrectly. Only rebuild the block database if you are sure that " +
          "your computer's date and time are correct.\nPlease restart with -reindex or -reindex-chainstate to recover.",
      );
    }
    if (args.getBool("-txindex", false)) {
      if (args.getInt("-prune", 0) !== 0) throw new Error("Prune mode is incompatible with -txindex.");
      // Core's -reindex wipes the indexes too; the index syncs in the background.
      this.#txIndex = await TxIndex.open({
        netDataDir: args.netDataDir,
        chain: this.#chain,
        wipe: args.getBool("-reindex", false),
        logger: log,
      });
      this.#txIndex.start();
    }
    const policy = policySettingsFromArgs(args, args.network);
    if (!policy.ok) throw new Error(policy.error);
    for (const line of policy.logs) log.info(line);
    for (const warning of policy.warnings) log.warn(warning);
    this.#mempool = new Mempool({
      chain: this.#chain,
      settings: policy.settings,
      now,
      logger: log,
      ...this.#scriptCaches,
    });
    await this.#startFeeEstimation();
    this.#signals = new ValidationSignals({ chain: this.#chain, mempool: this.#mempool.pool, logger: log });
    // Core's init checks the user agent (-uacomment) before anything else uses it.
    this.#subversion = formatUserAgent("tsbtc", VERSION, args.getArgs("-uacomment"));
    this.#registerMethods(now, (t) => {
      mocktime = t;
      // Core's ChainClient::setMockTime: the wallet follows the node's clock.
      void this.#wallet?.setMockTime(t);
    });
    const binds = args.getArgs("-ipcbind").map((v) => parseIpcAddress(v, { netDataDir: args.netDataDir }));
    if (binds.some((a) => a.kind === "tcp")) {
      // One secret for every TCP listener: each client reads the same cookie file.
      const cookieFile = args.getArg("-ipccookiefile");
      this.#ipcCookie = await createIpcCookie(
        cookieFile ? args.absPathForConfigVal(cookieFile) : `${args.netDataDir}/${DEFAULT_IPC_COOKIE_NAME}`,
      );
    }
    for (const addr of binds) {
      const listener = await listenIpc(addr, {
        logger: log,
        cookie: addr.kind === "tcp" ? this.#ipcCookie ?? undefined : undefined,
        allowRemote: args.getBool("-ipcallowremote", false),
        onConnection: (stream) => {
          this.#serve(stream);
        },
      });
      log.info(`Listening for IPC requests on address ${listener.address.text}`);
      this.#listeners.push(listener);
    }
    this.#p2p = await P2pNode.start({
      settings: p2pSettingsFromArgs(args),
      magic: this.#chain.params.messageStart,
      userAgent: this.#subversion,
      chain: this.#chain,
      mempool: this.#mempool,
      signals: this.#signals,
      logger: log,
      now,
      nowMs: () => mocktime > 0 ? mocktime * 1000 : Date.now(),
      netDataDir: args.netDataDir,
    });
    const p2p = this.#p2p;
    this.#mempool.setAnnouncer((txid) => void p2p.relayTransaction(txid));
    // Core loads its wallets before RPC leaves warmup, so that a client that gets an answer (a script waiting
    // for getblockcount, then calling createwallet) finds the wallet methods served: wait for the wallet
    // process's first start (registered and loaded, or failed), bounded so a stuck one cannot hold the node.
    const walletEnabled = !args.getBool("-disablewallet", false);
    if (walletEnabled) {
      this.#checkWalletDir();
      this.#startWallet();
      await withTimeout(this.#wallet!.ready(), WALLET_FIRST_START_TIMEOUT_MS).catch(() =>
        log.warn(
          `The wallet process did not start within ${WALLET_FIRST_START_TIMEOUT_MS} ms; going on without`,
        )
      );
      // Core: a wallet that cannot be verified or loaded at startup fails the node's init.
      const failure = this.#wallet!.initFailure;
      if (failure !== null) throw new Error(failure);
    } else log.info("Wallet disabled!");
    // RPC comes up last, so that a client that gets an answer finds every other endpoint ready too.
    if (args.getBool("-server", true)) {
      this.#rpc = await RpcServer.start(serverOptionsFromArgs(args, { table: this.#table, logger: log }));
    }
    if (parentStream) {
      // Our parent (e.g. tsbtc gui) went away: shut down, as a child must not outlive it.
      this.#parentConn = this.#serve(parentStream);
      this.#parentConn.closed.then(() => this.shutdown());
    }
    this.#startMempoolLoad(now);
    log.info("init message: Done loading");
    this.#startVerificationWorkers();
  }

  #serve(stream: ByteStream): IpcConnection {
    const conn = new IpcConnection(stream, {
      name: this.name,
      bootstrap: serveInit(this.#init()),
      logger: this.#logger,
    });
    this.#connections.add(conn);
    conn.closed.then(() => this.#connections.delete(conn));
    return conn;
  }

  #init() {
    return makeProcessInit({
      mode: "node",
      name: this.name,
      sandbox: this.#sandbox,
      permissions: () => effectivePermissions(this.#profile),
      executeRpc: async (request, uri, user) => (await this.#table.execute(request, { uri, user })).body,
      makeChain: () => this.makeChain(),
      onShutdown: () => this.shutdown(),
    });
  }

  /**
   * A new {@linkcode Chain} for one chain client (the wallet process, or a wallet attached with -ipcconnect):
   * closed, with its notification registrations, when the client's connection goes.
   */
  makeChain(): Chain {
    if (this.#chain === null || this.#signals === null) {
      throw new Error("Cannot make a Chain: the chain is not loaded");
    }
    const chain = this.#chain;
    const args = this.#args;
    const made: NodeChain = makeNodeChain({
      chain,
      mempool: () => this.#mempool,
      fees: () => this.#fees,
      signals: this.#signals,
      now: this.#now,
      logger: this.#logger,
      shutdownRequested: () => this.#shutdownRequested,
      readRawBlock: (e) => {
        const entry = e as IndexEntry;
        return Promise.resolve(
          chain.storage.blockFiles.readBlock({ file: entry.file, pos: entry.dataPos }, e.hash),
        );
      },
      settings: {
        get: (name) => args.isNegated(`-${name}`) ? false : args.getArg(`-${name}`) ?? null,
        list: (name) => args.getArgs(`-${name}`),
      },
      rwSettings: this.#rwSettings ?? undefined,
      handleRpc: (commands, rpc) => this.#walletRpc.register(commands, rpc),
      onClose: () => this.#chains.delete(made),
    });
    this.#chains.add(made);
    return made;
  }

  /**
   * Before the chain clients go: writes the chain state and tells them (Core's `ChainStateFlushed`), so a wallet
   * records the best block it has seen.
   */
  async #flushForClients(): Promise<void> {
    if (this.#chains.size === 0 || this.#chain === null) return;
    try {
      await this.#chain.flush();
      for (const c of this.#chains) c.notifyChainStateFlushed();
      await withTimeout(Promise.all([...this.#chains].map((c) => c.waitForNotifications())), 5000);
    } catch (e) {
      this.#logger.warn(
        `Cannot tell the wallet about the flushed chain state: ${e instanceof Error ? e.message : e}`,
      );
    }
  }

  /**
   * Core's VerifyWallets check of a given -walletdir, on the text as given (relative to the working directory):
   * it must exist, be a directory and be absolute. Throws Core's init error.
   */
  #checkWalletDir(): void {
    const given = this.#args.getArg("-walletdir");
    if (!given) return;
    // undefined: cannot be looked at from here (outside the node's sandbox); the wallet process checks again.
    let info: Deno.FileInfo | null | undefined;
    try {
      info = Deno.statSync(given);
    } catch (e) {
      info = e instanceof Deno.errors.NotFound ? null : undefined;
    }
    const problem = info === null
      ? "does not exist"
      : info !== undefined && !info.isDirectory
      ? "is not a directory"
      : !given.startsWith("/")
      ? "is a relative path"
      : null;
    if (problem !== null) throw new Error(`Specified -walletdir "${given}" ${problem}`);
  }

  /** Spawns the wallet process (Core's default: a wallet is enabled) and supervises it. */
  #startWallet(): void {
    const args = this.#args;
    const walletDirArg = args.getArg("-walletdir");
    const walletDir = walletDirArg ? args.absPathForConfigVal(walletDirArg) : `${args.netDataDir}/wallets`;
    const profile = profileFor("wallet", { dataDir: args.dataDir, netDataDir: args.netDataDir, walletDir });
    this.#walletRpc.setWalletDir(walletDir);
    this.#wallet = new WalletProcess({
      processes: this.#processes,
      profile,
      args: [
        `-datadir=${args.dataDir}`,
        `-chain=${args.network}`,
        // Settings come resolved: the wallet cannot read the data directory's config file (nor need it).
        "-noconf",
        ...(walletDirArg ? [`-walletdir=${walletDir}`] : []),
      ],
      makeChain: () => this.makeChain(),
      forwarder: this.#walletRpc,
      logger: this.#logger,
    });
    this.#wallet.start();
  }

  /** The wallet process supervisor (null with -disablewallet). */
  get wallet(): WalletProcess | null {
    return this.#wallet;
  }

  #registerMethods(now: () => number, setMockTime: (t: number) => void): void {
    this.#table.registerAll(controlMethods({
      shutdown: () => this.shutdown(),
      logging: this.#logger,
      logPath: this.#logger.filePath ?? "",
      version: `v${VERSION}`,
    }));
    this.#table.register(echoIpcMethod((arg) => this.echoIpc(arg)));
    const network = () => this.#args.network;
    const chain = () => this.#chain!;
    // The chain's getblockcount replaces the control placeholder.
    this.#table.unregister("getblockcount");
    this.#table.registerAll(blockchainMethods({
      chain,
      network: this.#args.network,
      netDataDir: this.#args.netDataDir,
      sizeOnDisk: () => this.#chain!.storage.blockFiles.currentUsage(),
      now,
      shutdownSignal: this.#shutdownSignal.signal,
      log: (m) => this.#logger.debug("rpc", m),
      mempool: () => ({
        isSpent: (outpoint) => this.#mempool!.pool.spender(outpoint) !== undefined,
        getOutput: (outpoint) => this.#mempool!.output(outpoint) ?? null,
      }),
      syncEvents: async () => {
        await this.#mempool?.ready();
        await this.#signals?.sync();
        // Core's queue includes the wallets' callbacks: each chain client's notifications are delivered too.
        await Promise.all([...this.#chains].map((c) => c.waitForNotifications()));
      },
    }));
    const pool = () => this.#mempool!.pool;
    this.#table.registerAll(miningMethods({
      chain,
      network: this.#args.network,
      now,
      ...readMiningArgs(this.#args, { regtest: this.#args.network === "regtest" }),
      assembleTransactions: () => this.#mempool!.blockCandidates(),
      mempoolTransaction: (txid) => pool().get(txid)?.tx,
      mempoolSize: () => pool().size,
      transactionsUpdated: () => pool().transactionsUpdated,
    }));
    this.#table.registerAll(deploymentInfoMethods({ chain }));
    this.#table.registerAll(utxoMethods({ chain, network: this.#args.network }));
    this.#table.registerAll(mocktimeMethods({
      network: this.#args.network,
      setMockTime,
      // Core: the node's scheduler moves, the validation queue is synced, then each chain client's tasks move.
      mockScheduler: async (seconds) => {
        await this.#signals?.sync();
        await this.#wallet?.schedulerMockForward(seconds);
      },
    }));
    // Coins for signrawtransactionwithkey/combinerawtransaction: the mempool's outputs, then the UTXO set (Core's
    // CCoinsViewMemPool over the chain tip).
    this.#table.registerAll(rawTransactionMethods({
      network,
      getCoin: async (outpoint) => {
        const unconfirmed = this.#mempool!.output(outpoint);
        if (unconfirmed !== undefined) {
          return { value: unconfirmed.value, scriptPubKey: unconfirmed.scriptPubKey };
        }
        const coin = await this.#chain!.getCoin(outpoint);
        return coin ? { value: coin.output.value, scriptPubKey: coin.output.scriptPubKey } : null;
      },
    }));
    this.#table.registerAll(mempoolMethods({
      mempool: () => this.#mempool!,
      chain,
      network: this.#args.network,
      now,
      log: this.#logger,
      persist: { path: this.#mempoolPath(), dump: () => this.#dumpMempool() },
      deprecatedRpc: new Set(this.#args.getArgs("-deprecatedrpc")),
    }));
    this.#table.registerAll(netMethods({
      clientVersion: clientVersionNumber(VERSION),
      subversion: this.#subversion,
      protocolVersion: PROTOCOL_VERSION,
      reachable: reachableNetworks(this.#args),
      p2p: () => this.#p2p,
      now,
      network: this.#args.network,
      relayFees: () =>
        this.#mempool === null ? null : {
          minRelay: this.#mempool.settings.minRelayFeeRate.getFeePerK(),
          incremental: this.#mempool.settings.incrementalRelayFeeRate.getFeePerK(),
        },
    }));
    this.#table.registerAll(psbtMethods({
      network,
      getTransaction: async (txid) =>
        (await this.#txIndex?.findTx(txid))?.tx ?? this.#mempool?.pool.get(reverseHex(txid))?.tx ?? null,
      getCoin: async (outpoint) => {
        const unconfirmed = this.#mempool!.output(outpoint);
        if (unconfirmed !== undefined) {
          return { value: unconfirmed.value, scriptPubKey: unconfirmed.scriptPubKey };
        }
        const coin = await this.#chain!.getCoin(outpoint);
        return coin ? { value: coin.output.value, scriptPubKey: coin.output.scriptPubKey } : null;
      },
    }));
    this.#table.registerAll(utilMethods({ network }));
    this.#table.registerAll(feeMethods({
      estimator: () => this.#fees,
      mempoolMinFee: () => this.#mempool!.pool.getMinFee().getFeePerK(),
      minRelayFee: () => this.#mempool!.settings.minRelayFeeRate.getFeePerK(),
    }));
    this.#table.registerAll(rawTransactionLookupMethods({
      chain,
      network,
      txIndex: () => this.#txIndex,
      mempoolTransaction: (txid) => this.#mempool?.pool.get(txid)?.tx ?? null,
    }));
    this.#table.registerAll(scanTxOutSetMethods({ chain, network }));
    this.#table.registerAll(
      indexInfoMethods({ indexes: () => this.#txIndex ? [this.#txIndex.summary()] : [] }),
    );
    this.#table.registerAll(descriptorMethods({ network }));
    this.#table.registerAll(processMethods({
      self: () => this.info(),
      children: async () => [...await this.#processes.infos(), ...await this.#attachedInfos()],
    }));
  }

  #mempoolPath(): string {
    return `${this.#args.netDataDir}/mempool.dat`;
  }

  #dumpMempool(): Promise<boolean> {
    const m = this.#mempool!;
    return dumpMempool(m.pool, this.#mempoolPath(), { v1: m.settings.persistV1Dat, log: this.#logger });
  }

  /** Loads mempool.dat (with -persistmempool, default on) in the background; `loaded` is set when done. */
  #startMempoolLoad(now: () => number): void {
    const mempool = this.#mempool!;
    const signal = this.#shutdownSignal.signal;
    this.#mempoolLoad = (async () => {
      if (this.#args.getBool("-persistmempool", true)) {
        await loadMempool(this.#mempoolPath(), {
          accept: (tx, time) => mempool.acceptTransaction(tx, { acceptTime: time }),
          pool: mempool.pool,
          expirySeconds: mempool.settings.mempoolExpirySeconds,
          now: now(),
          log: this.#logger,
          interrupted: () => signal.aborted,
        });
      }
      mempool.pool.loaded = !signal.aborted;
    })().catch((e) => this.#logger.error(`Cannot load mempool: ${e instanceof Error ? e.message : e}`));
  }

  /**
   * Core's fee estimator: fee_estimates.dat read at start (if not stale), fed by the mempool's events (entries
   * that entered alone, with no mempool parent, outside initial block download), written every hour and at
   * shutdown. None with -blocksonly.
   */
  async #startFeeEstimation(): Promise<void> {
    const args = this.#args;
    if (args.getBool("-blocksonly", false)) return;
    const acceptStale = args.getBool("-acceptstalefeeestimates", false);
    const staleError = checkAcceptStaleFeeEstimates(args.network, acceptStale);
    if (staleError !== null) throw new Error(staleError);
    const path = feeEstimatesPath(args.netDataDir);
    this.#fees = (await loadFeeEstimates(path, { acceptStale, logger: this.#logger })).estimator;
    const chain = this.#chain!;
    this.#mempool!.pool.subscribe(feeEstimatorListener<MempoolEntry>(() => this.#fees, {
      validForFeeEstimation: (e) => e.validForFeeEstimation && !chain.isInitialBlockDownload(),
      debug: (m) => this.#logger.debug("estimatefee", m),
    }));
    const timer = setInterval(() => {
      if (this.#fees) void saveFeeEstimates(path, this.#fees, { logger: this.#logger });
    }, FEE_FLUSH_INTERVAL_MS);
    Deno.unrefTimer(timer);
    this.#feeTimer = timer;
  }

  /**
   * Has the chainstate start the script verification Worker pool (Core's `-par`: threads including this one;
   * default one per core) when a block first brings scripts to verify, in the background: a node that only
   * mines empty blocks never pays the Workers' memory (about 22 MB) and start-up CPU. In the background because
   * the node runs in a Worker, and Deno 2.9 makes a Worker's own Workers wait out two 500 ms debugger grace
   * periods (before running, and at their first message: the parent holds an inspector session with the main
   * runtime), so the pool takes about one second here against about 80 ms from the main thread.
   */
  #startVerificationWorkers(): void {
    const par = this.#args.getInt("-par", 0);
    const workers = Math.max(0, (par > 0 ? par : navigator.hardwareConcurrency) - 1);
    if (workers === 0 || !this.#chain) return;
    this.#chain.usePoolWhenNeeded(async () => {
      const pool = await ScriptCheckPool.create({ workers, mainThreadWorks: true, ...this.#scriptCaches });
      this.#logger.info(`Script verification uses ${workers} additional threads`);
      return pool;
    });
  }

  /**
   * Reports of the components attached to our IPC endpoints by hand (e.g. `tsbtc wallet -ipcconnect`): each
   * peer that serves an Init is asked over its own connection; clients that serve nothing are skipped.
   */
  async #attachedInfos(): Promise<ProcessInfo[]> {
    const peers = [...this.#connections].filter((c) => c !== this.#parentConn && !c.isClosed);
    const results = await Promise.allSettled(peers.map(async (conn) => {
      const init = bootstrapInit(conn, { threadName: this.name });
      try {
        return await withTimeout(init.getInfo(), 2000);
      } finally {
        await init.close().catch(() => {});
      }
    }));
    return results.flatMap((r) => r.status === "fulfilled" ? [r.value] : []);
  }

  /** This process's report of itself. */
  info(): ProcessInfo {
    return {
      mode: "node",
      pid: Deno.pid,
      name: this.name,
      permissions: effectivePermissions(this.#profile),
      sandbox: this.#sandbox,
    };
  }

  /** The RPC dispatch table (later issues register their methods here). */
  get table(): RpcTable {
    return this.#table;
  }

  /** The RPC server, when `-server` is on. */
  get rpcServer(): RpcServer | null {
    return this.#rpc;
  }

  /** The spawned component processes. */
  get processes(): ProcessManager {
    return this.#processes;
  }

  /**
   * `echoipc`: spawns a fresh echo process, calls `makeEcho` then `echo` on it, and stops it (Core's
   * `echoipc`, which spawns `bitcoin-echo`).
   */
  async echoIpc(message: string): Promise<string> {
    const profile = profileFor("echo", { dataDir: this.#args.dataDir, netDataDir: this.#args.netDataDir });
    const component = this.#processes.spawn("echo", profile);
    try {
      const echo = component.init.makeEcho();
      const result = await echo.echo(message);
      await echo.close();
      return result;
    } finally {
      await this.#processes.stop(component);
    }
  }

  /** Starts shutdown (idempotent); {@linkcode Node.stopped} resolves when it is complete. */
  shutdown(): void {
    if (this.#shutdownRequested) return;
    this.#shutdownRequested = true;
    // Let the reply to `stop` be written before the server goes away.
    setTimeout(() => this.#teardown().finally(() => this.#resolveStopped()), 0);
  }

  async #teardown(): Promise<void> {
    const log = this.#logger;
    log.info("Shutdown: In progress...");
    this.#shutdownSignal.abort();
    if (this.#rpc) {
      log.debug("rpc", "Stopping RPC");
      await this.#rpc.stop();
      this.#rpc = null;
    }
    await this.#p2p?.close();
    this.#p2p = null;
    await Promise.all(this.#listeners.map((l) => l.close()));
    this.#listeners = [];
    await this.#ipcCookie?.remove();
    this.#ipcCookie = null;
    await this.#flushForClients();
    await this.#wallet?.stop();
    await this.#processes.stopAll();
    await Promise.all([...this.#connections].map((c) => c.close()));
    await this.#mempoolLoad;
    await this.#mempool?.ready();
    if (this.#mempool?.pool.loaded && this.#args.getBool("-persistmempool", true)) await this.#dumpMempool();
    await this.#signals?.sync();
    if (this.#feeTimer !== null) clearInterval(this.#feeTimer);
    this.#feeTimer = null;
    if (this.#fees) {
      await saveFeeEstimates(feeEstimatesPath(this.#args.netDataDir), this.#fees, {
        flushUnconfirmed: true,
        logger: log,
      });
      this.#fees = null;
    }
    this.#signals?.close();
    this.#signals = null;
    this.#mempool?.close();
    this.#mempool = null;
    if (this.#txIndex) {
      await this.#txIndex.close();
      this.#txIndex = null;
    }
    if (this.#chain) {
      log.info("Flushing the chainstate");
      await this.#chain.close();
      this.#chain = null;
    }
    await this.#initialPool?.close();
    this.#initialPool = null;
    this.#lock?.close();
    this.#lock = null;
    log.info("Shutdown: done");
  }
}

/** The IPC stream of a node spawned by a parent (`-ipcfd=0`): its stdin/stdout. */
export { stdioStream };

/**
 * Takes the exclusive lock on `<dir>/.lock` that keeps two nodes off one data directory (Core's
 * LockDirectory); the lock goes with the process, even after kill -9.
 */
async function lockDataDir(dir: string): Promise<Deno.FsFile> {
  const file = await Deno.open(`${dir}/.lock`, { read: true, write: true, create: true });
  if (!(await file.tryLock(true))) {
    file.close();
    throw new Error(`Cannot obtain a lock on directory ${dir}. tsbtc is probably already running.`);
  }
  return file;
}

/**
 * Core's reachable networks: with -onlynet only those listed; without, IPv4 and IPv6 (onion, I2P and CJDNS need a
 * proxy, -i2psam or -cjdnsreachable, which tsbtc does not offer).
 */
function reachableNetworks(args: ArgsManager): (net: NetworkName) => boolean {
  const only = args.getArgs("-onlynet").map((n) => n.toLowerCase());
  const listed = new Set<string>(only.map((n) => n === "tor" ? "onion" : n));
  return (net) => {
    if (!NETWORK_NAMES.includes(net)) return false;
    if (listed.size > 0) return listed.has(net) && (net === "ipv4" || net === "ipv6");
    return net === "ipv4" || net === "ipv6";
  };
}

/** The config file read, or null (none, or read by the launcher before the node was sandboxed). */
function configPathIfRead(args: ArgsManager): string | null {
  try {
    return args.configPath;
  } catch {
    return null;
  }
}
