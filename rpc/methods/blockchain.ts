/**
 * The blockchain RPCs (Core's `src/rpc/blockchain.cpp`) over the node's `Chainstate` (node/chain/types.ts):
 * `getblockchaininfo`, `getblockcount`, `getbestblockhash`, `getblockhash`, `getblock`, `getblockheader`,
 * `getblockstats`, `getchaintips`, `getdifficulty`, `getchaintxstats`, `gettxout`, `invalidateblock`, `reconsiderblock`,
 * `preciousblock`, `waitfornewblock`, `waitforblock`, `waitforblockheight`, `verifychain`,
 * `syncwithvalidationinterfacequeue`. Names, arguments, help, result fields (in Core's order) and errors as Core's.
 *
 * @module
 */
import type { Network } from "../../core/chain_params_base.ts";
import { reverseHex, toHex } from "../../core/hash/mod.ts";
import { encodeBlock, encodeBlockHeader } from "../../core/wire/mod.ts";
import type { OutPoint, TxOut } from "../../core/wire/types.ts";
import type { BlockIndexEntry, Chainstate } from "../../node/chain/types.ts";
import { RpcError, RpcErrorCode } from "../errors.ts";
import { helpExampleCli, helpExampleRpc, type RpcArgSpec, type RpcResultSpec } from "../help.ts";
import { type JsonValue, valueFromAmount } from "../json.ts";
import type { RpcMethod } from "../table.ts";
import { scriptPubKeyToUniv, txDoc } from "../tx_json.ts";
import { getBool, getInt } from "../values.ts";
import {
  blockheaderToJson,
  blockToJson,
  difficultyJson,
  hex32,
  targetHex,
  type TxVerbosity,
  uint256Hex,
} from "./blockchain_json.ts";
import { getblockstatsMethod } from "./blockchain_stats.ts";
import { CHECKLEVEL_DOC, DEFAULT_CHECKBLOCKS, DEFAULT_CHECKLEVEL, verifyChain } from "./blockchain_verify.ts";
import { univalueDouble } from "./mining.ts";
import { parseHashV } from "./rawtransaction.ts";

/** The mempool's view for `gettxout include_mempool=true` (Core's `CCoinsViewMemPool` + `isSpent`). */
export interface MempoolCoinsView {
  /** Whether a mempool transaction spends `outpoint`. */
  isSpent(outpoint: OutPoint): boolean;
  /** An output created by a mempool transaction, or null. */
  getOutput(outpoint: OutPoint): TxOut | null;
}

/** What the blockchain methods need from the node. */
export interface BlockchainMethodsOptions {
  /** The chain state (called per request: the node may build it after registering the methods). */
  chain: () => Chainstate;
  /** The network (addresses in decoded scripts, the `chain` field). */
  network: Network;
  /** Bytes of block and undo files (Core's `CalculateCurrentUsage`); default: the sizes of `blk*.dat`/`rev*.dat`
   * under `<netDataDir>/blocks`, or 0 without `netDataDir`. */
  sizeOnDisk?: () => number;
  /** The network's data directory (`<datadir>/<network>` or `<datadir>` on main). */
  netDataDir?: string;
  /** Whether blocks are pruned (default false). */
  pruned?: boolean;
  /** Node warnings for `getblockchaininfo` (default none). */
  warnings?: () => string[];
  /** Current time in seconds (mocktime aware; default the clock). */
  now?: () => number;
  /** Mempool view for `gettxout` (default: none, as if the mempool were empty). */
  mempool?: () => MempoolCoinsView | null;
  /** Waits until queued chain events have been delivered (default: a macrotask turn). */
  syncEvents?: () => Promise<void>;
  /** Aborted at shutdown: `waitfor*` return the current tip. */
  shutdownSignal?: AbortSignal;
  /** Debug log for `verifychain` details. */
  log?: (message: string) => void;
}

const UNIX_EPOCH_TIME = "UNIX epoch time";
const EXAMPLE_HASH = '"00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09"';

function blockNotFound(): RpcError {
  return new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
}

function lookupOrThrow(chain: Chainstate, hash: Uint8Array): BlockIndexEntry {
  const entry = chain.lookup(hash);
  if (entry === undefined) throw blockNotFound();
  return entry;
}

/** Core's `ParseVerbosity`. */
function parseVerbosity(value: JsonValue | undefined, defaultVerbosity: number, allowBool: boolean): number {
  if (value === undefined || value === null) return defaultVerbosity;
  if (typeof value === "boolean") {
    if (!allowBool) {
      throw new RpcError(RpcErrorCode.RPC_TYPE_ERROR, "Verbosity was boolean but only integer allowed");
    }
    return value ? 1 : 0;
  }
  return getInt(value);
}

/** Core's `CheckBlockDataAvailability` for block data. */
function checkBlockData(entry: BlockIndexEntry, pruned: boolean): void {
  if (entry.haveData) return;
  if (pruned) throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "Block not available (pruned data)");
  throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "Block not available (not fully downloaded)");
}

/** The most-work header not known to be invalid (Core's `m_best_header`). */
export function bestHeader(chain: Chainstate): BlockIndexEntry {
  let best = chain.tip();
  for (const e of chain.entries()) {
    if (e.failed === "none" && e.chainWork > best.chainWork) best = e;
  }
  return best;
}

/** Core's `ChainstateManager::GuessVerificationProgress` for `entry` at time `now` (seconds). */
export function guessVerificationProgress(
  chain: Chainstate,
  entry: BlockIndexEntry,
  now: number,
  bestHeaderHeight: number,
): number {
  if (entry.chainTx === 0) return 0;
  const data = chain.params.chainTxData;
  const blockTime = Math.abs(now - entry.header.time) <= 7200 && bestHeaderHeight >= entry.height
    ? now - (bestHeaderHeight - entry.height) * chain.params.consensus.powTargetSpacing
    : entry.header.time;
  const total = entry.chainTx <= data.txCount
    ? data.txCount + (now - data.time) * data.txRate
    : entry.chainTx + (now - blockTime) * data.txRate;
  return Math.min(entry.chainTx / total, 1);
}

/** Core's `CChain::FindFork`: the last active-chain ancestor of `entry`. */
function findFork(chain: Chainstate, entry: BlockIndexEntry): BlockIndexEntry | null {
  let e: BlockIndexEntry | null = entry;
  while (e !== null && !chain.contains(e)) e = e.prev;
  return e;
}

/** Core's `GetAncestor` by walking (or by height on the active chain). */
function ancestor(chain: Chainstate, entry: BlockIndexEntry, height: number): BlockIndexEntry | null {
  if (height > entry.height || height < 0) return null;
  if (chain.contains(entry)) return chain.atHeight(height);
  let e: BlockIndexEntry | null = entry;
  while (e !== null && e.height > height) e = e.prev;
  return e;
}

function sizeOnDiskFromFiles(netDataDir: string | undefined): number {
  if (netDataDir === undefined) return 0;
  let total = 0;
  try {
    for (const f of Deno.readDirSync(`${netDataDir}/blocks`)) {
      if (f.isFile && /^(blk|rev)\d{5}\.dat$/.test(f.name)) {
        total += Deno.statSync(`${netDataDir}/blocks/${f.name}`).size;
      }
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return total;
}

/** A block as `waitfor*` report it (Core's `BlockRef`). */
interface BlockRef {
  hash: string;
  height: number;
}

/** The header fields of `getblockheader` and `getblock` (Core's `GetBlockFields` without the sizes). */
function headerTail(chainworkDoc: string): RpcResultSpec[] {
  return [
    { type: "num_time", key: "time", description: `The block time expressed in ${UNIX_EPOCH_TIME}` },
    {
      type: "num_time",
      key: "mediantime",
      description: `The median block time expressed in ${UNIX_EPOCH_TIME}`,
    },
    { type: "num", key: "nonce", description: "The nonce" },
    {
      type: "str_hex",
      key: "bits",
      description: "nBits: compact representation of the block difficulty target",
    },
    { type: "str_hex", key: "target", description: "The difficulty target" },
    { type: "num", key: "difficulty", description: "The difficulty" },
    { type: "str_hex", key: "chainwork", description: chainworkDoc },
    { type: "num", key: "nTx", description: "The number of transactions in the block" },
    {
      type: "str_hex",
      key: "previousblockhash",
      optional: true,
      description: "The hash of the previous block (if available)",
    },
    {
      type: "str_hex",
      key: "nextblockhash",
      optional: true,
      description: "The hash of the next block (if available)",
    },
  ];
}

/** Core's `GetBlockFields`. */
function getBlockFields(tx: RpcResultSpec, elision?: string): RpcResultSpec[] {
  const fields: RpcResultSpec[] = [
    { type: "str_hex", key: "hash", description: "the block hash (same as provided)" },
    {
      type: "num",
      key: "confirmations",
      description: "The number of confirmations, or -1 if the block is not on the main chain",
    },
    { type: "num", key: "size", description: "The block size" },
    { type: "num", key: "strippedsize", description: "The block size excluding witness data" },
    { type: "num", key: "weight", description: "The block weight as defined in BIP 141" },
    {
      type: "obj",
      key: "coinbase_tx",
      description: "Coinbase transaction metadata",
      inner: [
        { type: "num", key: "version", description: "The coinbase transaction version" },
        { type: "num", key: "locktime", description: "The coinbase transaction's locktime (nLockTime)" },
        { type: "num", key: "sequence", description: "The coinbase input's sequence number (nSequence)" },
        { type: "str_hex", key: "coinbase", description: "The coinbase input's script" },
        {
          type: "str_hex",
          key: "witness",
          optional: true,
          description: "The coinbase input's first (and only) witness stack element, if present",
        },
      ],
    },
    { type: "num", key: "height", description: "The block height or index" },
    { type: "num", key: "version", description: "The block version" },
    { type: "str_hex", key: "versionHex", description: "The block version formatted in hexadecimal" },
    { type: "str_hex", key: "merkleroot", description: "The merkle root" },
    tx,
    ...headerTail("Expected number of hashes required to produce the chain up to this block (in hex)"),
  ];
  if (elision === undefined) return fields;
  let first = true;
  return fields.map((f) => {
    if (f.key === "tx") return f;
    if (first) {
      first = false;
      return { ...f, elision: { summary: elision } };
    }
    return { ...f, elision: "skip" as const };
  });
}

const BLOCK_REF_RESULT: RpcResultSpec = {
  type: "obj",
  inner: [
    { type: "str_hex", key: "hash", description: "The blockhash" },
    { type: "num", key: "height", description: "Block height" },
  ],
};

const TIMEOUT_ARG: RpcArgSpec = {
  names: "timeout",
  type: "num",
  fallback: { default: 0 },
  description: "Time in milliseconds to wait for a response. 0 indicates no timeout.",
};

const WAIT_NOTE = "\nReturns the current block on timeout or exit.\n" +
  "\nMake sure to use no RPC timeout (bitcoin-cli -rpcclienttimeout=0)";

/** The blockchain methods, ready for `RpcTable.registerAll`. */
export function blockchainMethods(options: BlockchainMethodsOptions): RpcMethod[] {
  const chainOf = options.chain;
  const network = options.network;
  const pruned = options.pruned ?? false;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const sizeOnDisk = options.sizeOnDisk ?? (() => sizeOnDiskFromFiles(options.netDataDir));
  const syncEvents = options.syncEvents ?? (() => new Promise<void>((r) => setTimeout(r, 0)));
  const log = options.log ?? (() => {});

  const tipRef = (chain: Chainstate): BlockRef => {
    const t = chain.tip();
    return { hash: t.hashHex, height: t.height };
  };

  /** Core's `Mining::waitTipChanged`: the tip once it differs from `hash` (now if it already does), the current
   * tip at the deadline, null at shutdown. */
  const waitTipChanged = (chain: Chainstate, hash: string, timeoutMs: number): Promise<BlockRef | null> => {
    const signal = options.shutdownSignal;
    if (signal?.aborted) return Promise.resolve(null);
    if (chain.tip().hashHex !== hash) return Promise.resolve(tipRef(chain));
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (r: BlockRef | null) => {
        unsubscribe();
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        resolve(r);
      };
      const onAbort = () => finish(null);
      const unsubscribe = chain.subscribe({
        updatedBlockTip: (tip) => {
          if (tip.hashHex !== hash) finish({ hash: tip.hashHex, height: tip.height });
        },
      });
      signal?.addEventListener("abort", onAbort);
      if (timeoutMs > 0) timer = setTimeout(() => finish(tipRef(chain)), timeoutMs);
    });
  };

  const parseTimeout = (value: JsonValue | undefined): number => {
    const timeout = value === undefined || value === null ? 0 : getInt(value);
    if (timeout < 0) throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "Negative timeout");
    return timeout;
  };

  const getblockchaininfo: RpcMethod = {
    name: "getblockchaininfo",
    category: "blockchain",
    description: "Returns an object containing various state info regarding blockchain processing.\n",
    args: [],
    results: [{
      type: "obj",
      inner: [
        {
          type: "str",
          key: "chain",
          description: "current network name (main, test, testnet4, signet, regtest)",
        },
        {
          type: "num",
          key: "blocks",
          description: "the height of the most-work fully-validated chain. The genesis block has height 0",
        },
        { type: "num", key: "headers", description: "the current number of headers we have validated" },
        { type: "str", key: "bestblockhash", description: "the hash of the currently best block" },
        {
          type: "str_hex",
          key: "bits",
          description: "nBits: compact representation of the block difficulty target",
        },
        { type: "str_hex", key: "target", description: "the difficulty target" },
        { type: "num", key: "difficulty", description: "the current difficulty" },
        { type: "num_time", key: "time", description: `the block time expressed in ${UNIX_EPOCH_TIME}` },
        {
          type: "num_time",
          key: "mediantime",
          description: `the median block time expressed in ${UNIX_EPOCH_TIME}`,
        },
        { type: "num", key: "verificationprogress", description: "estimate of verification progress [0..1]" },
        {
          type: "bool",
          key: "initialblockdownload",
          description: "(debug information) estimate of whether this node is in Initial Block Download mode",
        },
        {
          type: "obj",
          key: "backgroundvalidation",
          optional: true,
          description: "state info regarding background validation process",
          inner: [
            {
              type: "num",
              key: "snapshotheight",
              description:
                "the height of the snapshot block. Background validation verifies the chain from genesis up to this height",
            },
            {
              type: "num",
              key: "blocks",
              description:
                "the height of the most-work background fully-validated chain. The genesis block has height 0",
            },
            {
              type: "str",
              key: "bestblockhash",
              description: "the hash of the currently best block validated in the background",
            },
            {
              type: "num_time",
              key: "mediantime",
              description: `the median block time expressed in ${UNIX_EPOCH_TIME}`,
            },
            {
              type: "num",
              key: "verificationprogress",
              description: "estimate of background verification progress [0..1]",
            },
            {
              type: "str_hex",
              key: "chainwork",
              description: "total amount of work in background validated chain, in hexadecimal",
            },
          ],
        },
        {
          type: "str_hex",
          key: "chainwork",
          description: "total amount of work in active chain, in hexadecimal",
        },
        {
          type: "num",
          key: "size_on_disk",
          description: "the estimated size of the block and undo files on disk",
        },
        { type: "bool", key: "pruned", description: "if the blocks are subject to pruning" },
        {
          type: "num",
          key: "pruneheight",
          optional: true,
          description:
            "the first block unpruned, all previous blocks were pruned (only present if pruning is enabled)",
        },
        {
          type: "bool",
          key: "automatic_pruning",
          optional: true,
          description: "whether automatic pruning is enabled (only present if pruning is enabled)",
        },
        {
          type: "num",
          key: "prune_target_size",
          optional: true,
          description: "the target size used by pruning (only present if automatic pruning is enabled)",
        },
        {
          type: "str_hex",
          key: "signet_challenge",
          optional: true,
          description:
            "the block challenge (aka. block script), in hexadecimal (only present if the current network is a signet)",
        },
        {
          type: "arr",
          key: "warnings",
          description:
            "any network and blockchain warnings (run with `-deprecatedrpc=warnings` to return the latest warning as a single string)",
          inner: [{ type: "str", description: "warning" }],
        },
      ],
    }],
    examples: helpExampleCli("getblockchaininfo", "") + helpExampleRpc("getblockchaininfo", ""),
    handler: () => {
      const chain = chainOf();
      const tip = chain.tip();
      const best = bestHeader(chain);
      const obj: Record<string, JsonValue> = {
        chain: network,
        blocks: tip.height,
        headers: best.height,
        bestblockhash: tip.hashHex,
        bits: hex32(tip.header.bits),
        target: targetHex(tip.header.bits, chain.params.consensus.powLimit),
        difficulty: difficultyJson(tip.header.bits),
        time: tip.header.time >>> 0,
        mediantime: tip.medianTimePast,
        verificationprogress: univalueDouble(guessVerificationProgress(chain, tip, now(), best.height)),
        initialblockdownload: chain.isInitialBlockDownload(),
        chainwork: uint256Hex(tip.chainWork),
        size_on_disk: sizeOnDisk(),
        pruned,
      };
      if (network === "signet") obj.signet_challenge = toHex(chain.params.consensus.signetChallenge);
      obj.warnings = options.warnings?.() ?? [];
      return obj;
    },
  };

  const getblockcount: RpcMethod = {
    name: "getblockcount",
    category: "blockchain",
    description:
      "Returns the height of the most-work fully-validated chain.\nThe genesis block has height 0.\n",
    args: [],
    results: [{ type: "num", description: "The current block count" }],
    examples: helpExampleCli("getblockcount", "") + helpExampleRpc("getblockcount", ""),
    handler: () => chainOf().height(),
  };

  const getbestblockhash: RpcMethod = {
    name: "getbestblockhash",
    category: "blockchain",
    description: "Returns the hash of the best (tip) block in the most-work fully-validated chain.\n",
    args: [],
    results: [{ type: "str_hex", description: "the block hash, hex-encoded" }],
    examples: helpExampleCli("getbestblockhash", "") + helpExampleRpc("getbestblockhash", ""),
    handler: () => chainOf().tip().hashHex,
  };

  const getblockhash: RpcMethod = {
    name: "getblockhash",
    category: "blockchain",
    description: "Returns hash of block in best-block-chain at height provided.\n",
    args: [{ names: "height", type: "num", description: "The height index" }],
    results: [{ type: "str_hex", description: "The block hash" }],
    examples: helpExampleCli("getblockhash", "1000") + helpExampleRpc("getblockhash", "1000"),
    handler: (params) => {
      const chain = chainOf();
      const height = getInt(params[0]);
      const entry = height < 0 || height > chain.height() ? null : chain.atHeight(height);
      if (entry === null) throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Block height out of range");
      return entry.hashHex;
    },
  };

  const getblockheader: RpcMethod = {
    name: "getblockheader",
    category: "blockchain",
    description:
      "If verbose is false, returns a string that is serialized, hex-encoded data for blockheader 'hash'.\n" +
      "If verbose is true, returns an Object with information about blockheader <hash>.\n",
    args: [
      { names: "blockhash", type: "str_hex", description: "The block hash" },
      {
        names: "verbose",
        type: "bool",
        fallback: { default: true },
        description: "true for a json object, false for the hex-encoded data",
      },
    ],
    results: [
      {
        cond: "for verbose = true",
        type: "obj",
        inner: [
          { type: "str_hex", key: "hash", description: "the block hash (same as provided)" },
          {
            type: "num",
            key: "confirmations",
            description: "The number of confirmations, or -1 if the block is not on the main chain",
          },
          { type: "num", key: "height", description: "The block height or index" },
          { type: "num", key: "version", description: "The block version" },
          { type: "str_hex", key: "versionHex", description: "The block version formatted in hexadecimal" },
          { type: "str_hex", key: "merkleroot", description: "The merkle root" },
          ...headerTail("Expected number of hashes required to produce the current chain"),
        ],
      },
      {
        cond: "for verbose=false",
        type: "str_hex",
        description: "A string that is serialized, hex-encoded data for block 'hash'",
      },
    ],
    examples: helpExampleCli("getblockheader", EXAMPLE_HASH) + helpExampleRpc("getblockheader", EXAMPLE_HASH),
    handler: (params) => {
      const hash = parseHashV(params[0], "hash");
      const verbose = params[1] === undefined || params[1] === null ? true : getBool(params[1]);
      const chain = chainOf();
      const entry = lookupOrThrow(chain, hash);
      if (!verbose) return toHex(encodeBlockHeader(entry.header));
      return blockheaderToJson(chain, entry);
    },
  };

  const getblock: RpcMethod = {
    name: "getblock",
    category: "blockchain",
    description:
      "If verbosity is 0, returns a string that is serialized, hex-encoded data for block 'hash'.\n" +
      "If verbosity is 1, returns an Object with information about block <hash>.\n" +
      "If verbosity is 2, returns an Object with information about block <hash> and information about each transaction.\n" +
      "If verbosity is 3, returns an Object with information about block <hash> and information about each transaction, " +
      "including prevout information for inputs (only for unpruned blocks in the current best chain).\n",
    args: [
      { names: "blockhash", type: "str_hex", description: "The block hash" },
      {
        names: "verbosity|verbose",
        type: "num",
        fallback: { default: 1 },
        description:
          "0 for hex-encoded data, 1 for a JSON object, 2 for JSON object with transaction data, " +
          "and 3 for JSON object with transaction data including prevout information for inputs",
        skipTypeCheck: true,
      },
    ],
    results: [
      {
        cond: "for verbosity = 0",
        type: "str_hex",
        description: "A string that is serialized, hex-encoded data for block 'hash'",
      },
      {
        cond: "for verbosity = 1",
        type: "obj",
        inner: getBlockFields({
          type: "arr",
          key: "tx",
          description: "The transaction ids",
          inner: [{ type: "str_hex", description: "The transaction id" }],
        }),
      },
      {
        cond: "for verbosity = 2",
        type: "obj",
        inner: getBlockFields({
          type: "arr",
          key: "tx",
          inner: [{
            type: "obj",
            inner: txDoc({
              elisionMode: "with_summary",
              elisionSummary: "The transactions in the format of the getrawtransaction RPC. " +
                'Different from verbosity = 1 "tx" result',
              fee: true,
              hex: true,
              feeDoc: "The transaction fee in BTC, omitted if block undo data is not available",
            }),
          }],
        }, "Same output as verbosity = 1"),
      },
      {
        cond: "for verbosity = 3",
        type: "obj",
        inner: getBlockFields({
          type: "arr",
          key: "tx",
          inner: [{
            type: "obj",
            inner: txDoc({
              elisionMode: "silent",
              prevout: true,
              prevoutOptional: true,
              fee: true,
              hex: true,
              vinItemDoc: "",
              prevoutDoc: "(Only if undo information is available)",
              vinInnerElision: "The same output as verbosity = 2",
            }),
          }],
        }, "Same output as verbosity = 2"),
      },
    ],
    examples: helpExampleCli("getblock", EXAMPLE_HASH) + helpExampleRpc("getblock", EXAMPLE_HASH),
    handler: async (params) => {
      const hash = parseHashV(params[0], "blockhash");
      const verbosity = parseVerbosity(params[1], 1, true);
      const chain = chainOf();
      const entry = lookupOrThrow(chain, hash);
      checkBlockData(entry, pruned);
      let block;
      try {
        block = await chain.readBlock(entry);
      } catch {
        throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "Block not found on disk");
      }
      if (verbosity <= 0) return toHex(encodeBlock(block));
      const txVerbosity: TxVerbosity = verbosity === 1
        ? "txid"
        : verbosity === 2
        ? "details"
        : "details_and_prevout";
      let undo;
      if (txVerbosity !== "txid" && !pruned && entry.haveUndo && entry.height > 0) {
        try {
          undo = await chain.readUndo(entry);
        } catch {
          throw new RpcError(
            RpcErrorCode.RPC_INTERNAL_ERROR,
            "Undo data expected but can't be read. This could be due to disk corruption or a conflict with a " +
              "pruning event.",
          );
        }
      }
      return blockToJson(chain, block, entry, { network, verbosity: txVerbosity, undo });
    },
  };

  const getchaintips: RpcMethod = {
    name: "getchaintips",
    category: "blockchain",
    description:
      "Return information about all known tips in the block tree, including the main chain as well as orphaned branches.\n",
    args: [],
    results: [{
      type: "arr",
      inner: [{
        type: "obj",
        inner: [
          { type: "num", key: "height", description: "height of the chain tip" },
          { type: "str_hex", key: "hash", description: "block hash of the tip" },
          {
            type: "num",
            key: "branchlen",
            description:
              "zero for main chain, otherwise length of branch connecting the tip to the main chain",
          },
          {
            type: "str",
            key: "status",
            description: 'status of the chain, "active" for the main chain\n' +
              "Possible values for status:\n" +
              '1.  "invalid"               This branch contains at least one invalid block\n' +
              '2.  "headers-only"          Not all blocks for this branch are available, but the headers are valid\n' +
              '3.  "valid-headers"         All blocks are available for this branch, but they were never fully validated\n' +
              '4.  "valid-fork"            This branch is not part of the active chain, but is fully validated\n' +
              '5.  "active"                This is the tip of the active main chain, which is certainly valid',
          },
        ],
      }],
    }],
    examples: helpExampleCli("getchaintips", "") + helpExampleRpc("getchaintips", ""),
    handler: () => {
      const chain = chainOf();
      const orphans: BlockIndexEntry[] = [];
      const prevs = new Set<BlockIndexEntry | null>();
      for (const e of chain.entries()) {
        if (!chain.contains(e)) {
          orphans.push(e);
          prevs.add(e.prev);
        }
      }
      const tips = orphans.filter((e) => !prevs.has(e));
      tips.push(chain.tip());
      tips.sort((a, b) =>
        b.height - a.height || (a.hashHex < b.hashHex ? -1 : a.hashHex > b.hashHex ? 1 : 0)
      );
      return tips.map((e) => {
        const fork = findFork(chain, e);
        let status: string;
        if (chain.contains(e)) status = "active";
        else if (e.failed !== "none") status = "invalid";
        else if (e.chainTx === 0) status = "headers-only";
        else if (e.validity === "scripts") status = "valid-fork";
        else if (e.validity !== "header") status = "valid-headers";
        else status = "unknown";
        return { height: e.height, hash: e.hashHex, branchlen: e.height - (fork?.height ?? -1), status };
      });
    },
  };

  const getdifficulty: RpcMethod = {
    name: "getdifficulty",
    category: "blockchain",
    description: "Returns the proof-of-work difficulty as a multiple of the minimum difficulty.\n",
    args: [],
    results: [{
      type: "num",
      description: "the proof-of-work difficulty as a multiple of the minimum difficulty.",
    }],
    examples: helpExampleCli("getdifficulty", "") + helpExampleRpc("getdifficulty", ""),
    handler: () => difficultyJson(chainOf().tip().header.bits),
  };

  const getchaintxstats: RpcMethod = {
    name: "getchaintxstats",
    category: "blockchain",
    description: "Compute statistics about the total number and rate of transactions in the chain.\n",
    args: [
      {
        names: "nblocks",
        type: "num",
        fallback: { hint: "one month" },
        description: "Size of the window in number of blocks",
      },
      {
        names: "blockhash",
        type: "str_hex",
        fallback: { hint: "chain tip" },
        description: "The hash of the block that ends the window.",
      },
    ],
    results: [{
      type: "obj",
      inner: [
        {
          type: "num_time",
          key: "time",
          description: `The timestamp for the final block in the window, expressed in ${UNIX_EPOCH_TIME}`,
        },
        {
          type: "num",
          key: "txcount",
          optional: true,
          description: "The total number of transactions in the chain up to that point, if known. " +
            "It may be unknown when using assumeutxo.",
        },
        {
          type: "str_hex",
          key: "window_final_block_hash",
          description: "The hash of the final block in the window",
        },
        {
          type: "num",
          key: "window_final_block_height",
          description: "The height of the final block in the window.",
        },
        { type: "num", key: "window_block_count", description: "Size of the window in number of blocks" },
        {
          type: "num",
          key: "window_interval",
          optional: true,
          description:
            'The elapsed time in the window in seconds. Only returned if "window_block_count" is > 0',
        },
        {
          type: "num",
          key: "window_tx_count",
          optional: true,
          description: "The number of transactions in the window. " +
            'Only returned if "window_block_count" is > 0 and if txcount exists for the start and end of the window.',
        },
        {
          type: "num",
          key: "txrate",
          optional: true,
          description: "The average rate of transactions per second in the window. " +
            'Only returned if "window_interval" is > 0 and if window_tx_count exists.',
        },
      ],
    }],
    examples: helpExampleCli("getchaintxstats", "") + helpExampleRpc("getchaintxstats", "2016"),
    handler: (params) => {
      const chain = chainOf();
      let blockcount = Math.trunc(30 * 24 * 60 * 60 / chain.params.consensus.powTargetSpacing);
      let entry: BlockIndexEntry;
      if (params[1] === undefined || params[1] === null) {
        entry = chain.tip();
      } else {
        entry = lookupOrThrow(chain, parseHashV(params[1], "blockhash"));
        if (!chain.contains(entry)) {
          throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Block is not in main chain");
        }
      }
      if (params[0] === undefined || params[0] === null) {
        blockcount = Math.max(0, Math.min(blockcount, entry.height - 1));
      } else {
        blockcount = getInt(params[0]);
        if (blockcount < 0 || (blockcount > 0 && blockcount >= entry.height)) {
          throw new RpcError(
            RpcErrorCode.RPC_INVALID_PARAMETER,
            "Invalid block count: should be between 0 and the block's height - 1",
          );
        }
      }
      const past = ancestor(chain, entry, entry.height - blockcount);
      if (past === null) {
        throw new Error(`Internal bug detected: no ancestor at ${entry.height - blockcount}`);
      }
      const timeDiff = entry.medianTimePast - past.medianTimePast;
      const ret: Record<string, JsonValue> = { time: entry.header.time >>> 0 };
      if (entry.chainTx !== 0) ret.txcount = entry.chainTx;
      ret.window_final_block_hash = entry.hashHex;
      ret.window_final_block_height = entry.height;
      ret.window_block_count = blockcount;
      if (blockcount > 0) {
        ret.window_interval = timeDiff;
        if (entry.chainTx !== 0 && past.chainTx !== 0) {
          const windowTxCount = entry.chainTx - past.chainTx;
          ret.window_tx_count = windowTxCount;
          if (timeDiff > 0) ret.txrate = univalueDouble(windowTxCount / timeDiff);
        }
      }
      return ret;
    },
  };

  const gettxout: RpcMethod = {
    name: "gettxout",
    category: "blockchain",
    description: "Returns details about an unspent transaction output.\n",
    args: [
      { names: "txid", type: "str", description: "The transaction id" },
      { names: "n", type: "num", description: "vout number" },
      {
        names: "include_mempool",
        type: "bool",
        fallback: { default: true },
        description:
          "Whether to include the mempool. Note that an unspent output that is spent in the mempool won't appear.",
      },
    ],
    results: [
      { cond: "If the UTXO was not found", type: "none", description: "" },
      {
        cond: "Otherwise",
        type: "obj",
        inner: [
          { type: "str_hex", key: "bestblock", description: "The hash of the block at the tip of the chain" },
          { type: "num", key: "confirmations", description: "The number of confirmations" },
          { type: "str_amount", key: "value", description: "The transaction value in BTC" },
          {
            type: "obj",
            key: "scriptPubKey",
            inner: [
              { type: "str", key: "asm", description: "Disassembly of the output script" },
              { type: "str", key: "desc", description: "Inferred descriptor for the output" },
              { type: "str_hex", key: "hex", description: "The raw output script bytes, hex-encoded" },
              { type: "str", key: "type", description: "The type, eg pubkeyhash" },
              {
                type: "str",
                key: "address",
                optional: true,
                description: "The Bitcoin address (only if a well-defined address exists)",
              },
            ],
          },
          { type: "bool", key: "coinbase", description: "Coinbase or not" },
        ],
      },
    ],
    examples: "\nGet unspent transactions\n" + helpExampleCli("listunspent", "") +
      "\nView the details\n" + helpExampleCli("gettxout", '"txid" 1') +
      "\nAs a JSON-RPC call\n" + helpExampleRpc("gettxout", '"txid", 1'),
    handler: async (params) => {
      const outpoint: OutPoint = {
        txid: parseHashV(params[0], "txid"),
        vout: getInt(params[1], 0, 0xffffffff),
      };
      const includeMempool = params[2] === undefined || params[2] === null ? true : getBool(params[2]);
      const chain = chainOf();
      let coin: { output: TxOut; height: number | null; coinbase: boolean } | null = null;
      const mempool = includeMempool ? options.mempool?.() ?? null : null;
      if (mempool !== null) {
        if (!mempool.isSpent(outpoint)) {
          const output = mempool.getOutput(outpoint);
          coin = output !== null ? { output, height: null, coinbase: false } : await chain.getCoin(outpoint);
        }
      } else {
        coin = await chain.getCoin(outpoint);
      }
      if (coin === null) return null;
      const tip = chain.tip();
      return {
        bestblock: tip.hashHex,
        confirmations: coin.height === null ? 0 : tip.height - coin.height + 1,
        value: valueFromAmount(coin.output.value),
        scriptPubKey: scriptPubKeyToUniv(coin.output.scriptPubKey, network) as unknown as JsonValue,
        coinbase: coin.coinbase,
      };
    },
  };

  const blockAction = (
    name: string,
    description: string,
    argDoc: string,
    run: (chain: Chainstate, hash: string) => Promise<void>,
  ): RpcMethod => ({
    name,
    category: name === "preciousblock" ? "blockchain" : "hidden",
    description,
    args: [{ names: "blockhash", type: "str_hex", description: argDoc }],
    results: [{ type: "none", description: "" }],
    examples: helpExampleCli(name, '"blockhash"') + helpExampleRpc(name, '"blockhash"'),
    handler: async (params) => {
      const chain = chainOf();
      const entry = lookupOrThrow(chain, parseHashV(params[0], "blockhash"));
      try {
        await run(chain, entry.hashHex);
      } catch (e) {
        if (e instanceof RpcError) throw e;
        throw new RpcError(RpcErrorCode.RPC_DATABASE_ERROR, e instanceof Error ? e.message : String(e));
      }
      return null;
    },
  });

  const preciousblock = blockAction(
    "preciousblock",
    "Treats a block as if it were received before others with the same work.\n" +
      "\nA later preciousblock call can override the effect of an earlier one.\n" +
      "\nThe effects of preciousblock are not retained across restarts.\n",
    "the hash of the block to mark as precious",
    (chain, hash) => chain.preciousBlock(hash),
  );
  const invalidateblock = blockAction(
    "invalidateblock",
    "Permanently marks a block as invalid, as if it violated a consensus rule.\n",
    "the hash of the block to mark as invalid",
    (chain, hash) => chain.invalidateBlock(hash),
  );
  const reconsiderblock = blockAction(
    "reconsiderblock",
    "Removes invalidity status of a block, its ancestors and its descendants, reconsider them for activation.\n" +
      "This can be used to undo the effects of invalidateblock.\n",
    "the hash of the block to reconsider",
    (chain, hash) => chain.reconsiderBlock(hash),
  );

  const waitfornewblock: RpcMethod = {
    name: "waitfornewblock",
    category: "blockchain",
    description: "Waits for any new block and returns useful info about it.\n" + WAIT_NOTE,
    args: [TIMEOUT_ARG, {
      names: "current_tip",
      type: "str_hex",
      fallback: "omitted",
      description: "Method waits for the chain tip to differ from this.",
    }],
    results: [BLOCK_REF_RESULT],
    examples: helpExampleCli("waitfornewblock", "1000") + helpExampleRpc("waitfornewblock", "1000"),
    handler: async (params) => {
      const timeout = parseTimeout(params[0]);
      const chain = chainOf();
      let current = tipRef(chain);
      const hash = params[1] === undefined || params[1] === null
        ? current.hash
        : reverseHex(parseHashV(params[1], "current_tip"));
      const block = await waitTipChanged(chain, hash, timeout);
      if (block !== null) current = block;
      return { hash: current.hash, height: current.height };
    },
  };

  /**
   * Waits until the tip satisfies `done` or `timeout` ms pass (0: no limit); resolves with the tip at that moment
   * (Core's wait loops of waitforblock and waitforblockheight).
   */
  async function waitForTip(
    chain: Chainstate,
    timeout: number,
    done: (tip: BlockRef) => boolean,
  ): Promise<BlockRef> {
    let current = tipRef(chain);
    const deadline = performance.now() + timeout;
    while (!done(current)) {
      let remaining = 0;
      if (timeout) {
        remaining = deadline - performance.now();
        if (remaining <= 0) break;
      }
      const block = await waitTipChanged(
        chain,
        current.hash,
        timeout ? Math.max(1, Math.ceil(remaining)) : 0,
      );
      if (block === null) break;
      current = block;
    }
    return current;
  }

  const waitforblock: RpcMethod = {
    name: "waitforblock",
    category: "blockchain",
    description: "Waits for a specific new block and returns useful info about it.\n" + WAIT_NOTE,
    args: [{ names: "blockhash", type: "str_hex", description: "Block hash to wait for." }, TIMEOUT_ARG],
    results: [BLOCK_REF_RESULT],
    examples: helpExampleCli(
      "waitforblock",
      '"0000000000079f8ef3d2c688c244eb7a4570b24c9ed7b4a8c619eb02596f8862" 1000',
    ) +
      helpExampleRpc(
        "waitforblock",
        '"0000000000079f8ef3d2c688c244eb7a4570b24c9ed7b4a8c619eb02596f8862", 1000',
      ),
    handler: async (params) => {
      const target = reverseHex(parseHashV(params[0], "blockhash"));
      const timeout = parseTimeout(params[1]);
      const chain = chainOf();
      const current = await waitForTip(chain, timeout, (tip) => tip.hash === target);
      return { hash: current.hash, height: current.height };
    },
  };

  const waitforblockheight: RpcMethod = {
    name: "waitforblockheight",
    category: "blockchain",
    description: "Waits for (at least) block height and returns the height and hash\nof the current tip.\n" +
      WAIT_NOTE,
    args: [{ names: "height", type: "num", description: "Block height to wait for." }, TIMEOUT_ARG],
    results: [BLOCK_REF_RESULT],
    examples: helpExampleCli("waitforblockheight", "100 1000") +
      helpExampleRpc("waitforblockheight", "100, 1000"),
    handler: async (params) => {
      const height = getInt(params[0]);
      const timeout = parseTimeout(params[1]);
      const chain = chainOf();
      const current = await waitForTip(chain, timeout, (tip) => tip.height >= height);
      return { hash: current.hash, height: current.height };
    },
  };

  const syncwithvalidationinterfacequeue: RpcMethod = {
    name: "syncwithvalidationinterfacequeue",
    category: "hidden",
    description:
      "Waits for the validation interface queue to catch up on everything that was there when we entered this function.\n",
    args: [],
    results: [{ type: "none", description: "" }],
    examples: helpExampleCli("syncwithvalidationinterfacequeue", "") +
      helpExampleRpc("syncwithvalidationinterfacequeue", ""),
    handler: async () => {
      await syncEvents();
      return null;
    },
  };

  const verifychain: RpcMethod = {
    name: "verifychain",
    category: "blockchain",
    description: "Verifies blockchain database.\n",
    args: [
      {
        names: "checklevel",
        type: "num",
        fallback: { hint: `${DEFAULT_CHECKLEVEL}, range=0-4` },
        description: `How thorough the block verification is:\n${
          CHECKLEVEL_DOC.map((l) => `- ${l}`).join("\n")
        }`,
      },
      {
        names: "nblocks",
        type: "num",
        fallback: { hint: `${DEFAULT_CHECKBLOCKS}, 0=all` },
        description: "The number of blocks to check.",
      },
    ],
    results: [{
      type: "bool",
      description: "Verification finished successfully. If false, check debug log for reason.",
    }],
    examples: helpExampleCli("verifychain", "") + helpExampleRpc("verifychain", ""),
    handler: async (params) => {
      const level = params[0] === undefined || params[0] === null ? DEFAULT_CHECKLEVEL : getInt(params[0]);
      const depth = params[1] === undefined || params[1] === null ? DEFAULT_CHECKBLOCKS : getInt(params[1]);
      const result = await verifyChain(chainOf(), level, depth);
      log(result.message);
      return result.ok;
    },
  };

  return [
    getbestblockhash,
    getblock,
    getblockchaininfo,
    getblockcount,
    getblockhash,
    getblockheader,
    getblockstatsMethod(chainOf, pruned),
    getchaintips,
    getchaintxstats,
    getdifficulty,
    gettxout,
    preciousblock,
    verifychain,
    invalidateblock,
    reconsiderblock,
    waitfornewblock,
    waitforblock,
    waitforblockheight,
    syncwithvalidationinterfacequeue,
  ];
}
