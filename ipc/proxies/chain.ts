/**
 * `Chain`, `ChainNotifications` and `Handler` over IPC (`ipc/capnp/chain.capnp`):
 *
 * - {@linkcode serveChain} serves the node's in-process `Chain` to a chain client (the wallet process);
 *   {@linkcode ChainClient} is a `Chain` whose calls go to the node.
 * - {@linkcode serveChainNotifications} serves a client's notifications object to the node (passed in
 *   `handleNotifications` / `requestMempoolTransactions`); {@linkcode ChainNotificationsClient} is how the node
 *   calls it. The node sends the next notification when the previous one has returned, so they arrive in order.
 * - {@linkcode serveHandler} / {@linkcode HandlerClient}: registrations (`disconnect`, or `destroy`, ends one;
 *   so does the client going away).
 *
 * Every proxy names its `ClientThread` (if any) in each call's context, calls `destroy` then releases its
 * capability on `close()`, and is logged by the connection with `-debug=ipc`.
 *
 * @module
 */
import type * as $ from "capnp-es";
import { fromHex, reverseHex } from "../../core/hash/hashes.ts";
import type {
  BlockInfo,
  Chain,
  ChainNotifications,
  FoundBlock,
  FoundBlockRequest,
  Handler,
  Hash256Hex,
  MempoolRemovalReason,
  RbfState,
  RpcCommandSpec,
} from "../../interfaces/chain.ts";
import { type JsonValue, parseJsonLossless, writeJson } from "../../rpc/json.ts";
import type { RpcHelpSpec } from "../../rpc/help.ts";
import {
  type Capability,
  CapabilityServer,
  getCap,
  method,
  type MethodDef,
  type MethodImpl,
  readText,
  setCap,
  writeText,
} from "../capability.ts";
import {
  type BlockInfo as BlockInfoStruct,
  Chain$Client,
  ChainNotifications$Client,
  type FoundBlockParam,
  type FoundBlockResult,
  Handler$Client,
} from "../capnp/gen/chain.ts";
import type { Context } from "../capnp/gen/proxy.ts";
import { IpcError } from "../rpc/error.ts";
import { RpcClient, serveRpc } from "./rpc.ts";
import { type ClientThread, contextOf, runOnThread } from "./thread.ts";
import { closeRemote } from "./util.ts";

/** A generated params struct with a `context` field. */
type WithContext = $.Struct & { _hasContext(): boolean; context: Context; _initContext(): Context };

/** A method handler run on the call's thread (Core's server threads). */
function on<P extends WithContext, R extends $.Struct>(
  def: MethodDef<P, R>,
  fn: (p: P, r: R) => void | Promise<void>,
): MethodImpl {
  return method(def, (p, r) => runOnThread(contextOf(p), () => fn(p, r)));
}

/** Calls `def` on `cap` naming `thread`, and reads the results with `read` before releasing them. */
async function call<P extends WithContext, R extends $.Struct, T>(
  cap: Capability,
  thread: ClientThread | null,
  def: MethodDef<P, R>,
  build: ((p: P) => void) | null,
  read: (r: R) => T,
): Promise<T> {
  const pending = cap.call(def, (p) => {
    if (thread) thread.fill(p._initContext());
    build?.(p);
  });
  const resp = await pending.response;
  try {
    return read(resp.results);
  } finally {
    resp.release();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Field helpers.

const EMPTY = new Uint8Array(0);

/** Writes bytes through a generated `_initX(length)` (nothing for empty bytes: a null Data reads as empty). */
function putData(init: (length: number) => $.Data, bytes: Uint8Array): void {
  if (bytes.length > 0) init(bytes.length).copyBuffer(bytes);
}

/** A copy of a Data field's bytes (empty when null). */
function getData(has: boolean, data: () => $.Data): Uint8Array {
  return has ? data().toUint8Array().slice() : EMPTY;
}

/** A display-hex hash as 32 bytes in internal order; anything else becomes empty bytes (unknown). */
function hashBytes(hash: Hash256Hex): Uint8Array {
  return /^[0-9a-fA-F]{64}$/.test(hash) ? fromHex(hash).reverse() : EMPTY;
}

/** 32 bytes in internal order as display hex ("" for anything else). */
function hashHex(bytes: Uint8Array): Hash256Hex {
  return bytes.length === 32 ? reverseHex(bytes) : "";
}

function locatorBytes(locator: readonly Hash256Hex[]): Uint8Array {
  const out = new Uint8Array(locator.length * 32);
  locator.forEach((h, i) => out.set(hashBytes(h).length === 32 ? hashBytes(h) : new Uint8Array(32), i * 32));
  return out;
}

function locatorHashes(bytes: Uint8Array): Hash256Hex[] {
  if (bytes.length % 32 !== 0) throw new IpcError(`Invalid locator: length is ${bytes.length}`);
  const out: Hash256Hex[] = [];
  for (let i = 0; i < bytes.length; i += 32) out.push(reverseHex(bytes.subarray(i, i + 32)));
  return out;
}

function writeWant(p: FoundBlockParam, want: FoundBlockRequest | undefined): void {
  if (!want) return;
  p.wantTime = want.time ?? false;
  p.wantMaxTime = want.maxTime ?? false;
  p.wantMtpTime = want.mtpTime ?? false;
  p.wantInActiveChain = want.inActiveChain ?? false;
  p.wantLocator = want.locator ?? false;
  p.wantData = want.data ?? false;
  if (want.nextBlock) {
    p.wantNextBlock = true;
    writeWant(p._initNextBlock(), want.nextBlock);
  }
}

function readWant(p: FoundBlockParam, depth = 0): FoundBlockRequest {
  if (depth > 64) throw new IpcError("Invalid FoundBlockParam: nested too deeply");
  const want: FoundBlockRequest = {};
  if (p.wantTime) want.time = true;
  if (p.wantMaxTime) want.maxTime = true;
  if (p.wantMtpTime) want.mtpTime = true;
  if (p.wantInActiveChain) want.inActiveChain = true;
  if (p.wantLocator) want.locator = true;
  if (p.wantData) want.data = true;
  if (p.wantNextBlock) want.nextBlock = p._hasNextBlock() ? readWant(p.nextBlock, depth + 1) : {};
  return want;
}

function writeFound(r: FoundBlockResult, found: FoundBlock | null): void {
  if (found === null) return;
  r.found = true;
  putData((n) => r._initHash(n), hashBytes(found.hash));
  r.height = found.height;
  if (found.time !== undefined) r.time = BigInt(found.time);
  if (found.maxTime !== undefined) r.maxTime = BigInt(found.maxTime);
  if (found.mtpTime !== undefined) r.mtpTime = BigInt(found.mtpTime);
  if (found.inActiveChain !== undefined) r.inActiveChain = found.inActiveChain;
  if (found.locator !== undefined) putData((n) => r._initLocator(n), locatorBytes(found.locator));
  if (found.data !== undefined) {
    r.hasData = true;
    putData((n) => r._initData(n), found.data);
  }
  if (found.nextBlock) writeFound(r._initNextBlock(), found.nextBlock);
}

function readFound(r: FoundBlockResult, want: FoundBlockRequest = {}, depth = 0): FoundBlock | null {
  if (!r.found) return null;
  if (depth > 64) throw new IpcError("Invalid FoundBlockResult: nested too deeply");
  const found: FoundBlock = {
    hash: hashHex(getData(r._hasHash(), () => r.hash)),
    height: r.height,
  };
  if (want.time) found.time = Number(r.time);
  if (want.maxTime) found.maxTime = Number(r.maxTime);
  if (want.mtpTime) found.mtpTime = Number(r.mtpTime);
  if (want.inActiveChain) found.inActiveChain = r.inActiveChain;
  if (want.locator) found.locator = locatorHashes(getData(r._hasLocator(), () => r.locator));
  if (want.data && r.hasData) found.data = getData(r._hasData(), () => r.data);
  if (want.nextBlock) {
    found.nextBlock = r._hasNextBlock() ? readFound(r.nextBlock, want.nextBlock, depth + 1) : null;
  }
  return found;
}

function writeBlockInfo(s: BlockInfoStruct, b: BlockInfo): void {
  putData((n) => s._initHash(n), hashBytes(b.hash));
  putData((n) => s._initPrevHash(n), hashBytes(b.prevHash));
  s.height = b.height;
  s.time = BigInt(b.time);
  s.chainTimeMax = BigInt(b.chainTimeMax);
  putData((n) => s._initData(n), b.data);
}

function readBlockInfo(s: BlockInfoStruct): BlockInfo {
  return {
    hash: hashHex(getData(s._hasHash(), () => s.hash)),
    prevHash: hashHex(getData(s._hasPrevHash(), () => s.prevHash)),
    height: s.height,
    time: Number(s.time),
    chainTimeMax: Number(s.chainTimeMax),
    data: getData(s._hasData(), () => s.data),
  };
}

const REMOVAL_REASONS: readonly MempoolRemovalReason[] = [
  "expiry",
  "sizelimit",
  "reorg",
  "block",
  "conflict",
  "replaced",
];

function removalReason(text: string): MempoolRemovalReason {
  const r = REMOVAL_REASONS.find((x) => x === text);
  if (r === undefined) throw new IpcError(`Invalid mempool removal reason: ${JSON.stringify(text)}`);
  return r;
}

function rbfState(text: string): RbfState {
  if (text === "unknown" || text === "replaceable_bip125" || text === "final") return text;
  throw new IpcError(`Invalid RBF state: ${JSON.stringify(text)}`);
}

function jsonOf(value: JsonValue): string {
  return writeJson(value);
}

function parseJsonText(text: string, what: string): JsonValue {
  const v = parseJsonLossless(text);
  if (v === undefined) throw new IpcError(`Invalid ${what}: not JSON`);
  return v;
}

/** Reads an Int32 height field that stands for `number | null` with a `hasResult` flag. */
function optionalInt(has: boolean, value: number): number | null {
  return has ? value : null;
}

// ---------------------------------------------------------------------------------------------------------
// Handler.

/**
 * Serves `handler`. `destroy` and `disconnect` end the registration; when the last reference goes without
 * either (the client disconnected or died), `handler.released` runs if given, else `disconnect`.
 */
export function serveHandler(handler: Handler & { released?(): void }): CapabilityServer {
  let ended = false;
  const end = async () => {
    if (ended) return;
    ended = true;
    await handler.disconnect();
  };
  return new CapabilityServer("Handler", [
    on(Handler$Client.methods[0], end),
    on(Handler$Client.methods[1], end),
  ], {
    dispose: () => {
      if (ended) return;
      ended = true;
      if (handler.released) handler.released();
      else void handler.disconnect().catch(() => {});
    },
  });
}

/** A `Handler` served by a peer. */
export class HandlerClient implements Handler {
  #cap: Capability;
  #thread: ClientThread | null;
  #done = false;

  /** Wraps a `Handler` capability; takes both references. */
  constructor(cap: Capability, thread: ClientThread | null = null) {
    this.#cap = cap;
    this.#thread = thread;
  }

  /** Calls `disconnect`, then `destroy` and releases the capability (a peer that went away is not an error). */
  async disconnect(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await closeRemote(this.#cap, this.#thread, (thread) =>
      this.#cap.call(Handler$Client.methods[1], (p) => {
        if (thread) thread.fill(p._initContext());
      }).response);
  }
}

// ---------------------------------------------------------------------------------------------------------
// ChainNotifications.

/** Serves `impl` (a chain client's notifications) to the node. */
export function serveChainNotifications(impl: ChainNotifications): CapabilityServer {
  const m = ChainNotifications$Client.methods;
  return new CapabilityServer("ChainNotifications", [
    on(m[0], () => {}),
    on(
      m[1],
      (p) => impl.transactionAddedToMempool(getData(p._hasTx(), () => p.tx), Number(p.mempoolSequence)),
    ),
    on(m[2], (p) =>
      impl.transactionRemovedFromMempool(
        getData(p._hasTx(), () => p.tx),
        removalReason(readText(p, 2)),
        Number(p.mempoolSequence),
      )),
    on(m[3], (p) => impl.blockConnected(readBlockInfo(p.block))),
    on(m[4], (p) => impl.blockDisconnected(readBlockInfo(p.block))),
    on(m[5], () => impl.updatedBlockTip()),
    on(m[6], (p) => impl.chainStateFlushed(locatorHashes(getData(p._hasLocator(), () => p.locator)))),
  ]);
}

/** A client's `ChainNotifications`, as the node calls it. */
export class ChainNotificationsClient implements ChainNotifications {
  #cap: Capability;
  #thread: ClientThread | null;
  #closed = false;

  /** Wraps a `ChainNotifications` capability; takes both references. */
  constructor(cap: Capability, thread: ClientThread | null = null) {
    this.#cap = cap;
    this.#thread = thread;
  }

  #call<P extends WithContext, R extends $.Struct>(def: MethodDef<P, R>, build: ((p: P) => void) | null) {
    return call(this.#cap, this.#thread, def, build, () => undefined);
  }

  /** Sends `transactionAddedToMempool`. */
  transactionAddedToMempool(tx: Uint8Array, sequence: number): Promise<void> {
    return this.#call(ChainNotifications$Client.methods[1], (p) => {
      putData((n) => p._initTx(n), tx);
      p.mempoolSequence = BigInt(sequence);
    });
  }

  /** Sends `transactionRemovedFromMempool`. */
  transactionRemovedFromMempool(
    tx: Uint8Array,
    reason: MempoolRemovalReason,
    sequence: number,
  ): Promise<void> {
    return this.#call(ChainNotifications$Client.methods[2], (p) => {
      putData((n) => p._initTx(n), tx);
      writeText(p, 2, reason);
      p.mempoolSequence = BigInt(sequence);
    });
  }

  /** Sends `blockConnected`. */
  blockConnected(block: BlockInfo): Promise<void> {
    return this.#call(ChainNotifications$Client.methods[3], (p) => writeBlockInfo(p._initBlock(), block));
  }

  /** Sends `blockDisconnected`. */
  blockDisconnected(block: BlockInfo): Promise<void> {
    return this.#call(ChainNotifications$Client.methods[4], (p) => writeBlockInfo(p._initBlock(), block));
  }

  /** Sends `updatedBlockTip`. */
  updatedBlockTip(): Promise<void> {
    return this.#call(ChainNotifications$Client.methods[5], null);
  }

  /** Sends `chainStateFlushed`. */
  chainStateFlushed(locator: Hash256Hex[]): Promise<void> {
    return this.#call(
      ChainNotifications$Client.methods[6],
      (p) => putData((n) => p._initLocator(n), locatorBytes(locator)),
    );
  }

  /** Calls `destroy` and releases the capability. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await closeRemote(
      this.#cap,
      this.#thread,
      (thread) =>
        this.#cap.call(ChainNotifications$Client.methods[0], (p) => {
          if (thread) thread.fill(p._initContext());
        }).response,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Chain.

/** Options of {@linkcode serveChain}. */
export interface ServeChainOptions {
  /** Runs when the last reference goes (the client closed it, or went away). */
  dispose?: () => void;
}

/** Serves the node's `impl` as a `Chain`; `destroy` (or the last reference going) closes it once. */
export function serveChain(impl: Chain, opts: ServeChainOptions = {}): CapabilityServer {
  let closing: Promise<void> | null = null;
  const close = () => closing ??= Promise.resolve().then(() => impl.close());
  const m = Chain$Client.methods;
  const hashOf = (has: boolean, data: () => $.Data) => hashHex(getData(has, data));
  return new CapabilityServer("Chain", [
    on(m[0], close),
    on(m[1], async (_p, r) => {
      const h = await impl.getHeight();
      r.hasResult = h !== null;
      r.result = h ?? 0;
    }),
    on(m[2], async (p, r) => putData((n) => r._initResult(n), hashBytes(await impl.getBlockHash(p.height)))),
    on(m[3], async (p, r) => {
      r.result = await impl.haveBlockOnDisk(p.height);
    }),
    on(m[4], async (p, r) => {
      const h = await impl.findLocatorFork(locatorHashes(getData(p._hasLocator(), () => p.locator)));
      r.hasResult = h !== null;
      r.result = h ?? 0;
    }),
    on(m[5], async (p, r) => {
      const want = p._hasBlock() ? readWant(p.block) : {};
      writeFound(r._initBlock(), await impl.findBlock(hashOf(p._hasHash(), () => p.hash), want));
    }),
    on(m[6], async (p, r) => {
      const want = p._hasBlock() ? readWant(p.block) : {};
      writeFound(
        r._initBlock(),
        await impl.findFirstBlockWithTimeAndHeight(Number(p.minTime), p.minHeight, want),
      );
    }),
    on(m[7], async (p, r) => {
      const want = p._hasAncestor() ? readWant(p.ancestor) : {};
      const hash = hashOf(p._hasBlockHash(), () => p.blockHash);
      writeFound(r._initAncestor(), await impl.findAncestorByHeight(hash, p.ancestorHeight, want));
    }),
    on(m[8], async (p, r) => {
      const want = p._hasAncestor() ? readWant(p.ancestor) : {};
      const hash = hashOf(p._hasBlockHash(), () => p.blockHash);
      const ancestor = hashOf(p._hasAncestorHash(), () => p.ancestorHash);
      writeFound(r._initAncestor(), await impl.findAncestorByHash(hash, ancestor, want));
    }),
    on(m[9], async (p, r) => {
      const got = await impl.findCommonAncestor(
        hashOf(p._hasBlockHash1(), () => p.blockHash1),
        hashOf(p._hasBlockHash2(), () => p.blockHash2),
        {
          ancestor: p._hasAncestor() ? readWant(p.ancestor) : {},
          block1: p._hasBlock1() ? readWant(p.block1) : {},
          block2: p._hasBlock2() ? readWant(p.block2) : {},
        },
      );
      writeFound(r._initAncestor(), got.ancestor);
      writeFound(r._initBlock1(), got.block1);
      writeFound(r._initBlock2(), got.block2);
    }),
    on(m[10], async (p, r) => {
      const list = p.outpoints;
      const outpoints = [];
      for (let i = 0; i < list.length; i++) {
        const o = list.get(i);
        outpoints.push({ txid: hashOf(o._hasTxid(), () => o.txid), vout: o.vout });
      }
      const coins = await impl.findCoins(outpoints);
      const out = r._initCoins(coins.length);
      coins.forEach((c, i) => {
        if (c === null) return;
        const s = out.get(i);
        s.found = true;
        s.value = c.value;
        putData((n) => s._initScriptPubKey(n), c.scriptPubKey);
        s.height = c.height;
        s.coinbase = c.coinbase;
      });
    }),
    on(m[11], async (p, r) => {
      r.result = await impl.guessVerificationProgress(hashOf(p._hasBlockHash(), () => p.blockHash));
    }),
    on(m[12], async (p, r) => {
      r.result = await impl.hasBlocks(
        hashOf(p._hasBlockHash(), () => p.blockHash),
        p.minHeight,
        p.hasMaxHeight ? p.maxHeight : null,
      );
    }),
    on(m[13], async (p, r) => writeText(r, 0, await impl.isRBFOptIn(getData(p._hasTx(), () => p.tx)))),
    on(m[14], async (p, r) => {
      r.result = await impl.isInMempool(hashOf(p._hasTxid(), () => p.txid));
    }),
    on(m[15], async (p, r) => {
      r.result = await impl.hasDescendantsInMempool(hashOf(p._hasTxid(), () => p.txid));
    }),
    on(m[16], async (p, r) => {
      const out = await impl.broadcastTransaction(getData(p._hasTx(), () => p.tx), p.maxTxFee, p.relay);
      r.result = out.ok;
      if (!out.ok) {
        writeText(r, 0, out.error);
        writeText(r, 1, out.message);
      }
    }),
    on(m[17], async (p, r) => {
      const a = await impl.getTransactionAncestry(hashOf(p._hasTxid(), () => p.txid));
      r.ancestors = BigInt(a.ancestors);
      r.clusterCount = BigInt(a.clusterCount);
      r.ancestorSize = BigInt(a.ancestorSize);
      r.ancestorFees = a.ancestorFees;
    }),
    on(m[18], async (_p, r) => {
      const l = await impl.getPackageLimits();
      r.ancestorCount = l.ancestorCount;
      r.descendantCount = l.descendantCount;
    }),
    on(m[19], async (p, r) => {
      const err = await impl.checkChainLimits(getData(p._hasTx(), () => p.tx));
      r.result = err === null;
      if (err !== null) writeText(r, 0, err);
    }),
    on(m[20], async (p, r) => {
      const e = await impl.estimateSmartFee(p.numBlocks, p.conservative);
      r.feeRate = e.feeRate;
      r.returnedTarget = e.returnedTarget;
      writeText(r, 0, e.reason);
    }),
    on(m[21], async (_p, r) => {
      r.result = await impl.estimateMaxBlocks();
    }),
    on(m[22], async (_p, r) => {
      r.result = await impl.mempoolMinFee();
    }),
    on(m[23], async (_p, r) => {
      r.result = await impl.relayMinFee();
    }),
    on(m[24], async (_p, r) => {
      r.result = await impl.relayIncrementalFee();
    }),
    on(m[25], async (_p, r) => {
      r.result = await impl.relayDustFee();
    }),
    on(m[26], async (_p, r) => {
      r.result = await impl.havePruned();
    }),
    on(m[27], async (_p, r) => {
      r.result = await impl.isReadyToBroadcast();
    }),
    on(m[28], async (_p, r) => {
      r.result = await impl.isInitialBlockDownload();
    }),
    on(m[29], async (_p, r) => {
      r.result = await impl.shutdownRequested();
    }),
    on(m[30], (p) => impl.initMessage(readText(p, 1))),
    on(m[31], (p) => impl.initWarning(readText(p, 1))),
    on(m[32], (p) => impl.initError(readText(p, 1))),
    on(m[33], async (p, r) => {
      const notifications = notificationsParam(p, 1);
      const handler = await impl.handleNotifications(notifications);
      setCap(
        r,
        0,
        serveHandler({
          disconnect: async () => {
            await handler.disconnect();
            await notifications.close().catch(() => {});
          },
        }).capability(),
      );
    }),
    on(m[34], () => impl.waitForNotifications()),
    on(m[35], async (p) => {
      const notifications = notificationsParam(p, 1);
      try {
        await impl.requestMempoolTransactions(notifications);
      } finally {
        // Borrowed for the call: released, not destroyed (the client keeps using it).
        notifications.release();
      }
    }),
    on(m[36], async (p, r) => {
      const blocks = await impl.readBlocks(p.fromHeight, p.count, Number(p.maxBytes));
      const out = r._initBlocks(blocks.length);
      blocks.forEach((b, i) => {
        const s = out.get(i);
        s.height = b.height;
        putData((n) => s._initHash(n), hashBytes(b.hash));
        putData((n) => s._initData(n), b.data);
      });
    }),
    on(m[37], async (p, r) => writeText(r, 0, jsonOf(await impl.getSetting(readText(p, 1))))),
    on(m[38], async (p, r) => writeText(r, 0, jsonOf(await impl.getSettingsList(readText(p, 1))))),
    on(m[39], async (p, r) => writeText(r, 0, jsonOf(await impl.getRwSetting(readText(p, 1))))),
    on(m[40], async (p, r) => {
      r.result = await impl.updateRwSetting(readText(p, 1), parseJsonText(readText(p, 2), "setting value"));
    }),
    on(m[41], async (p, r) => {
      const list = p.commands;
      const commands: RpcCommandSpec[] = [];
      for (let i = 0; i < list.length; i++) {
        const c = list.get(i);
        const spec = parseJsonText(readText(c, 2), `RpcCommand.spec of ${readText(c, 0)}`);
        if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
          throw new IpcError(`Invalid RpcCommand.spec of ${readText(c, 0)}: not an object`);
        }
        commands.push({
          ...(spec as unknown as RpcHelpSpec),
          name: readText(c, 0),
          category: readText(c, 1),
        });
      }
      const cap = getCap(p, 2);
      if (cap === null) throw new IpcError("handleRpc: rpc is null");
      const handler = await impl.handleRpc(commands, new RpcClient(cap.dup()));
      setCap(r, 0, serveHandler(handler).capability());
    }),
  ], { dispose: () => (void close().catch(() => {}), opts.dispose?.()) });
}

/** The notifications capability at pointer field `index` of the params, as a client (own reference). */
function notificationsParam(p: $.Struct, index: number): ChainNotificationsClient & { release(): void } {
  const cap = getCap(p, index);
  if (cap === null) throw new IpcError("notifications is null");
  const own = cap.dup();
  const client = new ChainNotificationsClient(own) as ChainNotificationsClient & { release(): void };
  client.release = () => own.close();
  return client;
}

/** Options of {@linkcode ChainClient}. */
export interface ChainClientOptions {
  /** Thread named in every call's context (e.g. the `InitClient`'s). */
  thread?: ClientThread | null;
}

/** A `Chain` served by the node. */
export class ChainClient implements Chain {
  #cap: Capability;
  #thread: ClientThread | null;
  #closed = false;

  /** Wraps a `Chain` capability; takes both references. */
  constructor(cap: Capability, opts: ChainClientOptions = {}) {
    this.#cap = cap;
    this.#thread = opts.thread ?? null;
  }

  /** The capability (borrowed). */
  get capability(): Capability {
    return this.#cap;
  }

  #call<P extends WithContext, R extends $.Struct, T>(
    def: MethodDef<P, R>,
    build: ((p: P) => void) | null,
    read: (r: R) => T,
  ): Promise<T> {
    return call(this.#cap, this.#thread, def, build, read);
  }

  /** See {@linkcode Chain.getHeight}. */
  getHeight(): Promise<number | null> {
    return this.#call(Chain$Client.methods[1], null, (r) => optionalInt(r.hasResult, r.result));
  }

  /** See {@linkcode Chain.getBlockHash}. */
  getBlockHash(height: number): Promise<Hash256Hex> {
    return this.#call(Chain$Client.methods[2], (p) => {
      p.height = height;
    }, (r) => hashHex(getData(r._hasResult(), () => r.result)));
  }

  /** See {@linkcode Chain.haveBlockOnDisk}. */
  haveBlockOnDisk(height: number): Promise<boolean> {
    return this.#call(Chain$Client.methods[3], (p) => {
      p.height = height;
    }, (r) => r.result);
  }

  /** See {@linkcode Chain.findLocatorFork}. */
  findLocatorFork(locator: readonly Hash256Hex[]): Promise<number | null> {
    return this.#call(
      Chain$Client.methods[4],
      (p) => putData((n) => p._initLocator(n), locatorBytes(locator)),
      (r) => optionalInt(r.hasResult, r.result),
    );
  }

  /** See {@linkcode Chain.findBlock}. */
  findBlock(hash: Hash256Hex, want: FoundBlockRequest = {}): Promise<FoundBlock | null> {
    return this.#call(Chain$Client.methods[5], (p) => {
      putData((n) => p._initHash(n), hashBytes(hash));
      writeWant(p._initBlock(), want);
    }, (r) => readFound(r.block, want));
  }

  /** See {@linkcode Chain.findFirstBlockWithTimeAndHeight}. */
  findFirstBlockWithTimeAndHeight(
    minTime: number,
    minHeight: number,
    want: FoundBlockRequest = {},
  ): Promise<FoundBlock | null> {
    return this.#call(Chain$Client.methods[6], (p) => {
      p.minTime = BigInt(minTime);
      p.minHeight = minHeight;
      writeWant(p._initBlock(), want);
    }, (r) => readFound(r.block, want));
  }

  /** See {@linkcode Chain.findAncestorByHeight}. */
  findAncestorByHeight(blockHash: Hash256Hex, height: number, want: FoundBlockRequest = {}) {
    return this.#call(Chain$Client.methods[7], (p) => {
      putData((n) => p._initBlockHash(n), hashBytes(blockHash));
      p.ancestorHeight = height;
      writeWant(p._initAncestor(), want);
    }, (r) => readFound(r.ancestor, want));
  }

  /** See {@linkcode Chain.findAncestorByHash}. */
  findAncestorByHash(blockHash: Hash256Hex, ancestorHash: Hash256Hex, want: FoundBlockRequest = {}) {
    return this.#call(Chain$Client.methods[8], (p) => {
      putData((n) => p._initBlockHash(n), hashBytes(blockHash));
      putData((n) => p._initAncestorHash(n), hashBytes(ancestorHash));
      writeWant(p._initAncestor(), want);
    }, (r) => readFound(r.ancestor, want));
  }

  /** See {@linkcode Chain.findCommonAncestor}. */
  findCommonAncestor(
    hash1: Hash256Hex,
    hash2: Hash256Hex,
    want: { ancestor?: FoundBlockRequest; block1?: FoundBlockRequest; block2?: FoundBlockRequest } = {},
  ) {
    return this.#call(Chain$Client.methods[9], (p) => {
      putData((n) => p._initBlockHash1(n), hashBytes(hash1));
      putData((n) => p._initBlockHash2(n), hashBytes(hash2));
      writeWant(p._initAncestor(), want.ancestor);
      writeWant(p._initBlock1(), want.block1);
      writeWant(p._initBlock2(), want.block2);
    }, (r) => ({
      ancestor: readFound(r.ancestor, want.ancestor),
      block1: readFound(r.block1, want.block1),
      block2: readFound(r.block2, want.block2),
    }));
  }

  /** See {@linkcode Chain.findCoins}. */
  findCoins(outpoints: readonly { txid: Hash256Hex; vout: number }[]) {
    return this.#call(Chain$Client.methods[10], (p) => {
      const list = p._initOutpoints(outpoints.length);
      outpoints.forEach((o, i) => {
        const s = list.get(i);
        putData((n) => s._initTxid(n), hashBytes(o.txid));
        s.vout = o.vout >>> 0;
      });
    }, (r) => {
      const list = r.coins;
      const out = [];
      for (let i = 0; i < list.length; i++) {
        const c = list.get(i);
        out.push(
          c.found
            ? {
              value: c.value,
              scriptPubKey: getData(c._hasScriptPubKey(), () => c.scriptPubKey),
              height: c.height,
              coinbase: c.coinbase,
            }
            : null,
        );
      }
      return out;
    });
  }

  /** See {@linkcode Chain.guessVerificationProgress}. */
  guessVerificationProgress(hash: Hash256Hex): Promise<number> {
    return this.#call(
      Chain$Client.methods[11],
      (p) => putData((n) => p._initBlockHash(n), hashBytes(hash)),
      (r) => r.result,
    );
  }

  /** See {@linkcode Chain.hasBlocks}. */
  hasBlocks(hash: Hash256Hex, minHeight = 0, maxHeight: number | null = null): Promise<boolean> {
    return this.#call(Chain$Client.methods[12], (p) => {
      putData((n) => p._initBlockHash(n), hashBytes(hash));
      p.minHeight = minHeight;
      p.hasMaxHeight = maxHeight !== null;
      p.maxHeight = maxHeight ?? 0;
    }, (r) => r.result);
  }

  /** See {@linkcode Chain.isRBFOptIn}. */
  isRBFOptIn(tx: Uint8Array): Promise<RbfState> {
    return this.#call(
      Chain$Client.methods[13],
      (p) => putData((n) => p._initTx(n), tx),
      (r) => rbfState(readText(r, 0)),
    );
  }

  /** See {@linkcode Chain.isInMempool}. */
  isInMempool(txid: Hash256Hex): Promise<boolean> {
    return this.#call(
      Chain$Client.methods[14],
      (p) => putData((n) => p._initTxid(n), hashBytes(txid)),
      (r) => r.result,
    );
  }

  /** See {@linkcode Chain.hasDescendantsInMempool}. */
  hasDescendantsInMempool(txid: Hash256Hex): Promise<boolean> {
    return this.#call(
      Chain$Client.methods[15],
      (p) => putData((n) => p._initTxid(n), hashBytes(txid)),
      (r) => r.result,
    );
  }

  /** See {@linkcode Chain.broadcastTransaction}. */
  broadcastTransaction(tx: Uint8Array, maxTxFee: bigint, relay: boolean) {
    return this.#call(
      Chain$Client.methods[16],
      (p) => {
        putData((n) => p._initTx(n), tx);
        p.maxTxFee = maxTxFee;
        p.relay = relay;
      },
      (r) =>
        r.result
          ? { ok: true as const }
          : { ok: false as const, error: readText(r, 0), message: readText(r, 1) },
    );
  }

  /** See {@linkcode Chain.getTransactionAncestry}. */
  getTransactionAncestry(txid: Hash256Hex) {
    return this.#call(
      Chain$Client.methods[17],
      (p) => putData((n) => p._initTxid(n), hashBytes(txid)),
      (r) => ({
        ancestors: Number(r.ancestors),
        clusterCount: Number(r.clusterCount),
        ancestorSize: Number(r.ancestorSize),
        ancestorFees: r.ancestorFees,
      }),
    );
  }

  /** See {@linkcode Chain.getPackageLimits}. */
  getPackageLimits() {
    return this.#call(Chain$Client.methods[18], null, (r) => ({
      ancestorCount: r.ancestorCount,
      descendantCount: r.descendantCount,
    }));
  }

  /** See {@linkcode Chain.checkChainLimits}. */
  checkChainLimits(tx: Uint8Array): Promise<string | null> {
    return this.#call(
      Chain$Client.methods[19],
      (p) => putData((n) => p._initTx(n), tx),
      (r) => r.result ? null : readText(r, 0),
    );
  }

  /** See {@linkcode Chain.estimateSmartFee}. */
  estimateSmartFee(numBlocks: number, conservative: boolean) {
    return this.#call(Chain$Client.methods[20], (p) => {
      p.numBlocks = numBlocks;
      p.conservative = conservative;
    }, (r) => ({ feeRate: r.feeRate, returnedTarget: r.returnedTarget, reason: readText(r, 0) }));
  }

  /** See {@linkcode Chain.estimateMaxBlocks}. */
  estimateMaxBlocks(): Promise<number> {
    return this.#call(Chain$Client.methods[21], null, (r) => r.result);
  }

  /** See {@linkcode Chain.mempoolMinFee}. */
  mempoolMinFee(): Promise<bigint> {
    return this.#call(Chain$Client.methods[22], null, (r) => r.result);
  }

  /** See {@linkcode Chain.relayMinFee}. */
  relayMinFee(): Promise<bigint> {
    return this.#call(Chain$Client.methods[23], null, (r) => r.result);
  }

  /** See {@linkcode Chain.relayIncrementalFee}. */
  relayIncrementalFee(): Promise<bigint> {
    return this.#call(Chain$Client.methods[24], null, (r) => r.result);
  }

  /** See {@linkcode Chain.relayDustFee}. */
  relayDustFee(): Promise<bigint> {
    return this.#call(Chain$Client.methods[25], null, (r) => r.result);
  }

  /** See {@linkcode Chain.havePruned}. */
  havePruned(): Promise<boolean> {
    return this.#call(Chain$Client.methods[26], null, (r) => r.result);
  }

  /** See {@linkcode Chain.isReadyToBroadcast}. */
  isReadyToBroadcast(): Promise<boolean> {
    return this.#call(Chain$Client.methods[27], null, (r) => r.result);
  }

  /** See {@linkcode Chain.isInitialBlockDownload}. */
  isInitialBlockDownload(): Promise<boolean> {
    return this.#call(Chain$Client.methods[28], null, (r) => r.result);
  }

  /** See {@linkcode Chain.shutdownRequested}. */
  shutdownRequested(): Promise<boolean> {
    return this.#call(Chain$Client.methods[29], null, (r) => r.result);
  }

  /** See {@linkcode Chain.initMessage}. */
  initMessage(message: string): Promise<void> {
    return this.#call(Chain$Client.methods[30], (p) => writeText(p, 1, message), () => undefined);
  }

  /** See {@linkcode Chain.initWarning}. */
  initWarning(message: string): Promise<void> {
    return this.#call(Chain$Client.methods[31], (p) => writeText(p, 1, message), () => undefined);
  }

  /** See {@linkcode Chain.initError}. */
  initError(message: string): Promise<void> {
    return this.#call(Chain$Client.methods[32], (p) => writeText(p, 1, message), () => undefined);
  }

  /**
   * See {@linkcode Chain.handleNotifications}: serves `notifications` to the node; the handler's `disconnect`
   * ends the registration (so does closing the connection).
   */
  handleNotifications(notifications: ChainNotifications): Promise<Handler> {
    return this.#call(
      Chain$Client.methods[33],
      (p) => setCap(p, 1, serveChainNotifications(notifications).capability()),
      (r) => new HandlerClient(resultCap(r), this.#thread?.dup() ?? null),
    );
  }

  /** See {@linkcode Chain.waitForNotifications}. */
  waitForNotifications(): Promise<void> {
    return this.#call(Chain$Client.methods[34], null, () => undefined);
  }

  /** See {@linkcode Chain.requestMempoolTransactions}. */
  requestMempoolTransactions(notifications: ChainNotifications): Promise<void> {
    return this.#call(
      Chain$Client.methods[35],
      (p) => setCap(p, 1, serveChainNotifications(notifications).capability()),
      () => undefined,
    );
  }

  /** See {@linkcode Chain.readBlocks}. */
  readBlocks(fromHeight: number, count: number, maxBytes: number) {
    return this.#call(Chain$Client.methods[36], (p) => {
      p.fromHeight = fromHeight;
      p.count = count >>> 0;
      p.maxBytes = BigInt(Math.max(0, Math.floor(maxBytes)));
    }, (r) => {
      const list = r.blocks;
      const out = [];
      for (let i = 0; i < list.length; i++) {
        const b = list.get(i);
        out.push({
          height: b.height,
          hash: hashHex(getData(b._hasHash(), () => b.hash)),
          data: getData(b._hasData(), () => b.data),
        });
      }
      return out;
    });
  }

  /** See {@linkcode Chain.getSetting}. */
  getSetting(name: string): Promise<JsonValue> {
    return this.#call(
      Chain$Client.methods[37],
      (p) => writeText(p, 1, name),
      (r) => parseJsonText(readText(r, 0), "setting"),
    );
  }

  /** See {@linkcode Chain.getSettingsList}. */
  getSettingsList(name: string): Promise<JsonValue[]> {
    return this.#call(Chain$Client.methods[38], (p) => writeText(p, 1, name), (r) => {
      const v = parseJsonText(readText(r, 0), "settings list");
      if (!Array.isArray(v)) throw new IpcError("Invalid settings list: not an array");
      return v;
    });
  }

  /** See {@linkcode Chain.getRwSetting}. */
  getRwSetting(name: string): Promise<JsonValue> {
    return this.#call(
      Chain$Client.methods[39],
      (p) => writeText(p, 1, name),
      (r) => parseJsonText(readText(r, 0), "setting"),
    );
  }

  /** See {@linkcode Chain.updateRwSetting}. */
  updateRwSetting(name: string, value: JsonValue): Promise<boolean> {
    return this.#call(Chain$Client.methods[40], (p) => {
      writeText(p, 1, name);
      writeText(p, 2, jsonOf(value));
    }, (r) => r.result);
  }

  /** See {@linkcode Chain.handleRpc}: serves `rpc` to the node, which forwards `commands` to it. */
  handleRpc(
    commands: readonly RpcCommandSpec[],
    rpc: import("../../interfaces/rpc.ts").Rpc,
  ): Promise<Handler> {
    return this.#call(Chain$Client.methods[41], (p) => {
      const list = p._initCommands(commands.length);
      commands.forEach((c, i) => {
        const s = list.get(i);
        writeText(s, 0, c.name);
        writeText(s, 1, c.category);
        const { category: _c, ...spec } = c;
        writeText(s, 2, JSON.stringify(spec));
      });
      setCap(p, 2, serveRpc(rpc).capability());
    }, (r) => new HandlerClient(resultCap(r), this.#thread?.dup() ?? null));
  }

  /** Calls `destroy`, then releases the capability (a disconnected peer is not an error here). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await closeRemote(this.#cap, this.#thread, (thread) =>
      this.#cap.call(Chain$Client.methods[0], (p) => {
        if (thread) thread.fill(p._initContext());
      }).response);
  }
}

/** The capability in the results' `result` field (pointer 0), as an own reference. */
function resultCap(r: $.Struct): Capability {
  const cap = getCap(r, 0);
  if (cap === null) throw new IpcError("Result capability is null");
  return cap.dup();
}
